"""hotline decide: options planned to equal service, against Erlang A; costs in money; the files it writes."""

import json
import math
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.input import costs as cost_settings
from sim.input import scenario as sc
from sim.plan import costs as money
from sim.plan.decide import decide
from sim.plan.erlang import agents_for_target

EXP = lambda mean: {"dist": "exponential", "mean": mean}           # noqa: E731
PER_HOUR, HANDLE_SECONDS, PATIENCE_SECONDS = 120, 240, 180
THRESHOLD_SECONDS, TARGET, CEILING = 20, 0.8, 0.05
HOURS_PER_WEEK = 168


def option(name: str, merged: bool, agents: int = 8) -> dict:
    """Two equal stationary lines, each on its own pool (parallel) or both on one (merged)."""
    line = {"arrivals": {"per_hour": PER_HOUR}, "handle_seconds": EXP(HANDLE_SECONDS),
            "patience_seconds": EXP(PATIENCE_SECONDS)}
    lines = {"A": {**line, "pool": "m" if merged else "a"}, "B": {**line, "pool": "m" if merged else "b"}}
    pools = {"m": {"agents": 2 * agents}} if merged else {"a": {"agents": agents}, "b": {"agents": agents}}
    return {"name": name, "horizon_hours": 48, "warmup_hours": 1, "interval_minutes": 30,
            "service_level": {"threshold_seconds": THRESHOLD_SECONDS, "target": TARGET},
            "max_abandon_rate": CEILING, "replications": 5, "seed": 7, "lines": lines, "pools": pools,
            "planning": {"shifts": [{"name": "whole-day", "starts": ["00:00"], "hours": 24}], "shrinkage": 0.25,
                         "replications": 5}}


@pytest.fixture(scope="module")
def decided():
    parallel = sc.from_dict(option("parallel", merged=False), "parallel.yaml")
    merged = sc.from_dict(option("merged", merged=True), "merged.yaml")
    return decide([parallel, merged])


def test_each_option_gets_the_erlang_a_staffing_and_merging_needs_fewer_agents(decided):
    one_line = agents_for_target(PER_HOUR, HANDLE_SECONDS, PATIENCE_SECONDS, THRESHOLD_SECONDS, TARGET, CEILING).agents
    both = agents_for_target(2 * PER_HOUR, HANDLE_SECONDS, PATIENCE_SECONDS, THRESHOLD_SECONDS, TARGET, CEILING).agents
    parallel, merged = decided.options
    assert parallel.staff.agent_hours_per_week == pytest.approx(2 * one_line * HOURS_PER_WEEK, rel=0.05)
    assert merged.staff.agent_hours_per_week == pytest.approx(both * HOURS_PER_WEEK, rel=0.05)
    assert both < 2 * one_line          # pooling: the exact answer itself says merging saves agents
    assert merged.staff.headcount < parallel.staff.headcount
    assert merged.cost["total"] < parallel.cost["total"]


def test_options_planned_on_different_replications_are_verified_on_the_same_ones():
    """Day goals take as many replications as a day's precision needs (``planner.GOAL_PRECISION``): a busy
    option may take more than a calm one.  Both are then verified on the larger number, paired, and each plan's
    own files say what the decision says (found by a review, 2026-12-05)."""
    calm = option("calm", merged=True)
    busy = option("busy", merged=True)
    for data in (calm, busy):
        data["planning"] = {**data["planning"], "targets": "day", "replications": 4}
    for line in busy["lines"].values():
        line["arrivals"] = {"per_hour": PER_HOUR, "busyness": {"dist": "gamma", "shape": 10}}
    decision = decide([sc.from_dict(calm, "calm.yaml"), sc.from_dict(busy, "busy.yaml")], today=False)
    taken = [o.plan.verified.replications for o in decision.options]
    assert decision.replications == max(taken) > 4, taken
    for o in decision.options:
        assert o.run.replications == decision.replications and o.plan.verified is o.run
        assert o.plan.check.missed.keys() == o.plan.rosters.keys()


def test_both_options_meet_the_goals_on_the_same_callers(decided):
    from sim.output.decide import decision
    data = decision(decided)
    for entry in data["options"]:
        assert entry["all_goals_met"], entry["scenario"]
        assert entry["goals"]["total"]["service_level"]["mean"] >= TARGET
        assert entry["goals"]["total"]["abandon_rate"]["mean"] <= CEILING
        assert set(entry["goals"]["lines"]) == {"A", "B"}
    # same seed and replications: the merged option's callers are the parallel option's (paired differences)
    offered = [o.run.sums[r]["interval/lines/offered"].sum() for o in decided.options for r in (0, 4)]
    assert offered[:2] == offered[2:] and offered[0] != offered[1]
    diff = data["options"][1]["difference"]["total"]["service_level"]
    assert diff["ci95"][0] <= diff["mean"] <= diff["ci95"][1]
    # today (the first file as written: 8 agents a pool) is the base of the hires
    assert data["today"]["headcount"] == 2 * math.ceil(8 * HOURS_PER_WEEK / 40)   # per pool, 40 h a person
    for entry in data["options"]:
        assert entry["hires"] == entry["headcount_with_shrinkage"] - data["today"]["headcount_with_shrinkage"]


def test_a_yearly_cost_is_pay_premium_on_costs_and_workstations():
    pool = sc.from_dict(option("x", merged=False, agents=2), "x.yaml").pools["a"]
    costs = cost_settings.defaults()
    staff = money.of_pools({"a": pool}, shrinkage=0.2, work_days_per_week=5)
    cost = money.yearly(staff, costs)
    hours = 2 * HOURS_PER_WEEK * 365.25 / 7 / 0.8           # paid hours a year, shrinkage paid too
    pay = hours * 25.0
    premium = pay * 8 / 24 * 0.20                            # 22:00-06:00 is 8 hours of each day
    assert cost["parts"]["pay"] == pytest.approx(pay, rel=1e-9)
    assert cost["parts"]["night_premium"] == pytest.approx(premium, rel=1e-9)
    assert cost["parts"]["on_costs"] == pytest.approx((pay + premium) * 0.35, rel=1e-9)
    assert cost["parts"]["workstations"] == 3 * 12_000       # 2 at once plus 10%, rounded up
    assert cost["currency"] == "CNY" and cost["period"] == "year"


def test_costs_and_labels_are_read_from_the_scenario():
    data = option("x", merged=False)
    data["costs"] = {"currency": "CNY", "pay_per_paid_hour": 30, "night_hours": ["23:00", "07:00"],
                     "source": "the 2026 contract"}
    data["label"] = {"en": "Funan county platform", "zh": "阜南县平台"}
    data["lines"]["A"]["label"] = "阜南"
    s = sc.from_dict(data, "x.yaml")
    assert s.costs.pay_per_paid_hour == 30 and s.costs.night_hours == (23 * 60, 7 * 60)
    assert s.costs.on_costs == cost_settings.DEFAULTS["on_costs"].value
    assert s.label["zh"] == "阜南县平台" and s.lines["A"].label["zh"] == "阜南"


@pytest.mark.parametrize("spelling", ["RMB", "rmb", "元", "人民币", "yuan", " CNY "])
def test_every_spelling_of_the_yuan_is_one_currency(spelling):
    """Found by an outside hunt (2026-12-05): `decide` refused an option in RMB beside one in CNY."""
    data = option("x", merged=False)
    data["costs"] = {"currency": spelling}
    assert sc.from_dict(data, "x.yaml").costs.currency == "CNY"


def test_every_cost_default_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Costs"):]
    for key, default in cost_settings.DEFAULTS.items():
        assert f"`{key}`" in section, key
        value = default.value if not isinstance(default.value, tuple) else "–".join(default.value)
        assert (f"{value:,g}" if isinstance(value, float) else str(value)) in section, key


@pytest.mark.parametrize("costs, field, words", [
    ({"pay_per_paid_hour": -1}, "costs.pay_per_paid_hour", "at least 0"),
    ({"night_hours": ["25:00", "06:00"]}, "costs.night_hours", "two clock times"),
    ({"night_hours": ["22:00", "22:00"]}, "costs.night_hours", "same time"),      # its premium was silently 0
    ({"wage": 20}, "costs.wage", ""),
    ({"currency": ""}, "costs.currency", "currency code"),
])
def test_bad_costs_are_refused_in_one_line(tmp_path, costs, field, words):
    data = option("x", merged=False)
    data["costs"] = costs
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["decide", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line and f"x.yaml: {field}" in line and words in line, line


def test_options_with_different_goals_are_refused_before_any_work(tmp_path):
    a, b = option("a", merged=False), option("b", merged=True)
    b["service_level"]["target"] = 0.9
    for data in (a, b):
        (tmp_path / f"{data['name']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["decide", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "b.yaml: service_level.target" in result.output
    assert "equal service" in result.output and not (tmp_path / "out").exists()


def decide_a_day(tmp_path, names: tuple[str, str]):
    """``hotline decide`` of two 24-hour options, parallel then merged, named ``names``: (files, out, result)."""
    paths = []
    for name, data in zip(names, (option("parallel", merged=False), option("merged", merged=True))):
        data.update(name=name, horizon_hours=24)
        paths.append(tmp_path / f"{len(paths)}.yaml")
        paths[-1].write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["decide", *map(str, paths), "-r", "3", "-w", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return paths, out, result


def test_decide_writes_json_csv_a_workbook_a_planner_opens_and_charts(tmp_path):
    from openpyxl import load_workbook

    paths, out, result = decide_a_day(tmp_path, ("parallel", "merged"))
    data = json.loads((out / "decision.json").read_text(encoding="utf-8"))
    for entry in data["options"]:
        for key in ("scenario", "headcount", "headcount_with_shrinkage", "seats", "agent_hours", "cost",
                    "goals_met", "verified", "hires"):
            assert key in entry, key
        assert set(entry["cost"]) >= {"currency", "period", "total", "parts"}
        assert set(entry["verified"]["lines"]["A"]) >= {"resolved_share", "abandon_rate_end_to_end",
                                                        "time_to_resolver_seconds"}
    assert "difference" in data["options"][1] and data["replications"] == 3
    book = load_workbook(out / "decision.xlsx")
    assert book.sheetnames[:3] == ["Decision", "Lines", "Cost"]
    # every column of the Lines sheet is defined: by its own name, or as a figure with a defined suffix
    defined = {row[0].value for row in book["Definitions"].iter_rows(min_row=2)}
    for column in [c.value for c in book["Lines"][1]]:
        stem = column.removesuffix("_ci95_low").removesuffix("_ci95_high").removesuffix("_difference")
        assert column in defined or stem in defined or column in ("option", "line"), column
    sheet = book["Decision"]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[3])}
    assert row["option"] == "parallel" and isinstance(row["cost_per_year"], (int, float)) and row["cost_per_year"] > 0
    assert 0 < row["service_level"] <= 1 and row["headcount"] == data["options"][0]["headcount"]
    for name in ("decision.csv", "decision_lines.csv", "cost.png", "sl_by_line.png", "today/summary.json",
                 "plan-parallel/plan.json", "plan-merged/roster.csv"):
        assert (out / name).is_file(), name
    assert "parallel" in result.output and "CNY/year" in result.output
    # a day verified (less its hour of warm-up) is said to be that: the rosters' other hours rest on Erlang A alone
    assert data["verified_span"]["hours"] == 23 and data["verified_span"]["whole_week"] is False
    assert "Goals are judged on the 23 hours verified, from Mon 01:00; the week's other 145 hours" in result.output
    # today's run is part of the decision: another run written there would disagree with decision.json
    before = (out / "today" / "summary.json").read_bytes()
    refused = CliRunner().invoke(main, ["simulate", str(paths[0]), "-r", "2", "--out", str(out / "today")])
    assert refused.exit_code == 2 and "holds part of the results of `hotline decide`" in refused.output
    assert (out / "today" / "summary.json").read_bytes() == before
    briefing = CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "b.html")])
    assert briefing.exit_code == 0, briefing.output
    page = (tmp_path / "b.html").read_text()
    assert "23 hours from Mon 01:00 only" in page
    # the column "lines furthest from a goal" holds each option's worst lines, furthest first (found by an outside
    # hunt, 2026-12-05: for an option that missed, it held the first three that missed by name)
    def shows_worst_lines(page: str) -> bool:
        cells = Counter(f"<td>{', '.join(e['worst_lines'][:3])}</td>" for e in [data["today"], *data["options"]])
        return all(page.count(cell) >= n for cell, n in cells.items())
    assert shows_worst_lines(page)
    assert len(data["today"]["worst_lines"]) >= 2
    for order in (sorted, lambda lines: sorted(lines, reverse=True)):     # whichever order the margins give
        data["today"]["worst_lines"] = order(data["today"]["worst_lines"])
        data["today"]["lines_missing_goals"] = sorted(data["today"]["worst_lines"])
        (out / "decision.json").write_text(json.dumps(data), encoding="utf-8")
        CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "c.html")])
        assert shows_worst_lines((tmp_path / "c.html").read_text())


def test_decide_verifies_every_option_on_logged_calls(tmp_path):
    from datetime import datetime, timedelta

    rows = []
    for i in range(2 * 24 * 30):                          # two days, a call of each line every two minutes
        t = datetime(2024, 1, 1) + timedelta(seconds=120 * i)
        rows += [f"{t:%Y-%m-%d %H:%M:%S},A,answered,5,200,,", f"{t:%Y-%m-%d %H:%M:%S},B,answered,5,200,,"]
    log = tmp_path / "calls.csv"
    log.write_text("arrival,line,outcome,wait_seconds,handle_seconds,agent,caller\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    paths = []
    for data in (option("parallel", merged=False), option("merged", merged=True)):
        paths.append(tmp_path / f"{data['name']}.yaml")
        paths[-1].write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["decide", *map(str, paths), "--arrivals", str(log), "-r", "2", "-w", "1",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "decision.json").read_text(encoding="utf-8"))
    assert "logged calls" in data["verified_on"] and "2,880 calls" in data["verified_on"]
    for entry in [data["today"], *data["options"]]:      # the log's calls, line by line, in every option
        for line in ("A", "B"):
            assert entry["verified"]["lines"][line]["offered"] == {"mean": 1440.0, "ci95": [1440.0, 1440.0]}


def test_people_cover_the_busiest_day_as_well_as_the_agent_days():
    """A weekend-only pool of 4 agents a day is 4 people, not 8 agent-days / 5 = 2 (outside hunt, 2026-12-04)."""
    assert money.people_for([0, 0, 0, 0, 0, 4, 4], 5) == 4
    assert money.people_for([10] * 7, 5) == 14                      # 70 agent-days: the days are not the limit
    assert money.people_for([3, 3, 3, 3, 3, 0, 0], 5) == 3
    assert money.people_for([0] * 7, 5) == 0


def test_an_option_named_like_a_formula_is_text_in_the_workbook(tmp_path):
    """A name that starts with '=' was written as a formula that the spreadsheet would run (hunt of 2026-12-05)."""
    from openpyxl import load_workbook

    _, out, _ = decide_a_day(tmp_path, ("parallel", '=HYPERLINK("http://example.invalid")'))
    cells = [c for row in load_workbook(out / "decision.xlsx")["Decision"].iter_rows() for c in row]
    named = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert named and all(c.data_type == "s" for c in named)


def test_decide_in_chinese_says_it_in_chinese_on_screen_and_in_the_workbook(tmp_path):
    """Found by an outside review (2026-12-05): with --lang zh only the charts were Chinese; the screen table and
    decision.xlsx were English.  The workbook's other sheets keep their field names, which programs read."""
    import system_packages
    from openpyxl import load_workbook
    system_packages.ensure()
    paths = []
    for name, data in (("parallel", option("parallel", merged=False)), ("merged", option("merged", merged=True))):
        data.update(name=name, horizon_hours=24, label={"zh": "各自接听" if name == "parallel" else "并入12345"})
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["decide", *map(str, paths), "-r", "3", "-w", "1", "--lang", "zh",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "各方案按同一目标规划" in result.output and "各自接听（现有排班）" in result.output
    assert "达标" in result.output and "年度成本（元）" in result.output and "MISSED" not in result.output
    assert "已写入" in result.output and "wrote" not in result.output     # the last line too (an outside hunt)
    book = load_workbook(out / "decision.xlsx")
    assert book.sheetnames == ["决策摘要", "Decision", "Lines", "Cost", "Assumptions", "Definitions"]
    summary = book["决策摘要"]
    assert [c.value for c in summary[1]][:4] == ["方案", "20秒接通率", "呼损率", "全程接通率（含转接）"]
    assert summary["A3"].value == "各自接听" and 0 < summary["B3"].value <= 1 and summary["B3"].number_format == "0.0%"
    data = json.loads((out / "decision.json").read_text(encoding="utf-8"))
    assert summary["J3"].value == data["options"][0]["cost"]["total"]
