"""The levers a city pulls: one volume factor, sweeps of shift agents that mark the first value meeting the goals."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.errors import OptionError
from sim.input import scenario as sc
from sim.run.sweep import parse_vary, variants

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "scenarios" / "fuyang" / "plan.yaml"


def test_the_volume_factor_multiplies_every_line_and_nothing_else():
    s = sc.load(PLAN)
    grown = sc.from_dict(dict(s.raw, volume_factor=1.3), s.source, PLAN.parent)
    for lid, line in s.lines.items():
        assert np.allclose(grown.lines[lid].arrivals.week_per_hour, 1.3 * line.arrivals.week_per_hour), lid
    assert all((grown.pools[k].week_agents == p.week_agents).all() for k, p in s.pools.items())
    with pytest.raises(Exception, match="volume_factor"):
        sc.from_dict(dict(s.raw, volume_factor=1e9), s.source, PLAN.parent)


def test_a_sweep_reaches_one_shift_of_one_pool_and_no_pool_sharing_its_anchor():
    s = sc.load(PLAN)           # transport, health and urban share one list of shifts (a YAML alias)
    grid = variants(s, [parse_vary("pools.transport.shifts[1].agents=1,4")])
    (_, one), (_, four) = grid
    early = slice(7 * 60, 9 * 60)                  # Monday 07:00-09:00: the early shift alone
    assert one.pools["transport"].week_agents[early].max() + 3 == four.pools["transport"].week_agents[early].max()
    for other in ("health", "urban"):
        assert (four.pools[other].week_agents == s.pools[other].week_agents).all(), other
    with pytest.raises(OptionError, match=r"has 4 items, counted from \[0\]; there is no \[9\]"):
        variants(s, [parse_vary("pools.transport.shifts[9].agents=1")])


def test_sweep_steps_are_the_decimals_written_and_an_empty_value_is_refused():
    assert parse_vary("volume_factor=0.1:0.5:0.1").values == (0.1, 0.2, 0.3, 0.4, 0.5)   # not 0.30000000000000004
    assert parse_vary("volume_factor=0.05:0.3:0.05").values == (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
    with pytest.raises(OptionError, match="empty value between commas"):
        parse_vary("volume_factor=1,,2")


def test_the_sweep_table_labels_each_value_as_written_and_two_values_never_alike():
    from sim.output.tables import sweep_text
    from sim.results.figures import HEADLINE
    figures = {f: {"mean": 0.5, "ci95": [0.4, 0.6]} for f in HEADLINE}
    values = [1e-320, 2.5, 52.0, 123456789.0, 123456790.0]
    rows = [{"variant": {"x": v}, **figures} for v in values]
    table = sweep_text(rows, ["x"], 20.0)
    labels = [line.split()[0] for line in table.splitlines()[1:1 + len(values)]]
    assert labels == ["1e-320", "2.5", "52", "123456789.0", "123456790.0"], table


def test_a_sweep_reaches_a_line_and_a_pool_whose_names_contain_dots():
    data = {"name": "dots", "horizon_hours": 24, "interval_minutes": 60,
            "lines": {"12345.1": {"arrivals": {"per_hour": 10}, "pool": "p.a",
                                  "handle_seconds": {"dist": "exponential", "mean": 240}},
                      "12345": {"arrivals": {"per_hour": 20}, "pool": "p.a",
                                "handle_seconds": {"dist": "exponential", "mean": 240}}},
            "pools": {"p.a": {"agents": 6}}}
    s = sc.from_dict(data)
    grid = variants(s, [parse_vary("lines.12345.1.arrivals.per_hour=30"), parse_vary("pools.p.a.agents=9")])
    (chosen, one), = grid
    assert chosen == {"lines.12345.1.arrivals.per_hour": 30, "pools.p.a.agents": 9}
    assert one.lines["12345.1"].arrivals.week_per_hour.max() == 30
    assert one.lines["12345"].arrivals.week_per_hour.max() == 20
    assert one.pools["p.a"].week_agents.max() == 9
    with pytest.raises(OptionError, match="no field lines.12345.2"):
        variants(s, [parse_vary("lines.12345.2.arrivals.per_hour=30")])


def test_a_sweep_marks_the_first_value_meeting_the_goals_and_says_what_it_reuses(tmp_path):
    data = {"name": "one", "horizon_hours": 24, "warmup_hours": 1, "interval_minutes": 60,
            "service_level": {"threshold_seconds": 20, "target": 0.8}, "max_abandon_rate": 0.05,
            "lines": {"L": {"arrivals": {"per_hour": 120}, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 240},
                            "patience_seconds": {"dist": "exponential", "mean": 180}}},
            "pools": {"p": {"agents": 6}}}
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    args = ["sweep", str(path), "--vary", "pools.p.agents=6:18:2", "--vary", "volume_factor=1,1.5", "-r", "4",
            "-w", "1", "--out", str(tmp_path / "sw")]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    rows = json.loads((tmp_path / "sw" / "sweep.json").read_text())["variants"]
    for factor in (1, 1.5):
        mine = [r for r in rows if r["variant"]["volume_factor"] == factor]
        met = [r["variant"]["pools.p.agents"] for r in mine if r["meets_goals"]]
        marked = [r["variant"]["pools.p.agents"] for r in mine if r["first_meeting_goals"]]
        assert met and marked == [min(met)]                      # 8 Erlangs at 1.0, 12 at 1.5: both met by 18
        for r in mine:
            sl, ab = r["service_level"]["mean"], r["abandon_rate"]["mean"]
            assert r["meets_goals"] == (sl >= 0.8 and ab <= 0.05)
    assert "met <- first" in first.output and "found" not in first.output
    again = CliRunner().invoke(main, args)
    assert "found 56 of 56 replications stored" in again.output


def test_a_sweep_of_the_threshold_labels_each_row_by_its_own(tmp_path):
    """Every row was said to be 'answered within 20 s', the base file's threshold (hunt of 2026-12-05)."""
    data = {"name": "one", "horizon_hours": 12, "interval_minutes": 60,
            "service_level": {"threshold_seconds": 20, "target": 0.8},
            "lines": {"L": {"arrivals": {"per_hour": 60}, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 240}}},
            "pools": {"p": {"agents": 5}}}
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["sweep", str(path), "--vary", "service_level.threshold_seconds=10,60",
                                       "-r", "2", "-w", "1", "--out", str(tmp_path / "sw")])
    assert result.exit_code == 0, result.output
    assert "answered within the row's service_level.threshold_seconds" in result.output
    assert "within 20 s" not in result.output
    saved = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert saved["threshold_seconds"] is None
    low, high = (r["service_level"]["mean"] for r in saved["variants"])
    assert high > low                                       # each row judged at its own threshold


def test_logged_arrivals_of_every_line_go_through_a_design(tmp_path):
    from badinput import log_rows

    rows = log_rows(3, 80, line="12333") + log_rows(3, 120, line="12345")
    log = tmp_path / "calls.csv"
    log.write_text("arrival,line,outcome,wait_seconds,handle_seconds,agent,caller\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    outs = []
    for name in ("plan", "full_merge"):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["simulate", str(ROOT / "scenarios" / "fuyang" / f"{name}.yaml"),
                                           "--arrivals", str(log), "-r", "2", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "without a logged call get no callers" in result.output
        outs.append(json.loads((out / "summary.json").read_text()))
    for summary in outs:          # the log's callers, no more and no fewer, in every replication and design
        assert summary["lines"]["12345"]["offered"] == {"mean": 360.0, "ci95": [360.0, 360.0]}
        assert summary["lines"]["12333"]["offered"]["mean"] == 240.0 and summary["horizon_hours"] == 72.0
    # a logged line the design does not have is refused in one line
    log.write_text(log.read_text().replace(",12333,", ",99999,"), encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(PLAN), "--arrivals", str(log), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "99999" in result.output and "Traceback" not in result.output


def test_replay_checks_a_calibrated_scenario_and_is_a_what_if_through_a_design(tmp_path):
    from datetime import datetime

    from badinput import log_rows

    header = "arrival,line,outcome,wait_seconds,handle_seconds,agent,caller\n"
    fitted, other = tmp_path / "january.csv", tmp_path / "february.csv"
    fitted.write_text(header + "\n".join(log_rows(4, 80, line="12345")) + "\n", encoding="utf-8")
    other.write_text(header + "\n".join(log_rows(4, 80, first=datetime(2024, 2, 5, 8), line="12345")) + "\n",
                     encoding="utf-8")
    scenario = tmp_path / "fitted.yaml"
    assert CliRunner().invoke(main, ["calibrate", str(fitted), "--out", str(scenario)]).exit_code == 0
    design = tmp_path / "design.yaml"
    design.write_text(yaml.safe_dump({
        "name": "design", "horizon_hours": 24, "interval_minutes": 30,
        "lines": {"12345": {"arrivals": {"per_hour": 10}, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 200},
                            "patience_seconds": {"dist": "exponential", "mean": 120}}},
        "pools": {"p": {"agents": 3}}}), encoding="utf-8")
    seen = {}
    for name, log, s in (("in", fitted, scenario), ("out", other, scenario), ("design", fitted, design)):
        out = tmp_path / f"replay-{name}"
        result = CliRunner().invoke(main, ["replay", str(log), "--scenario", str(s), "--staffing", "scenario",
                                           "-r", "2", "--out", str(out)])
        assert result.exit_code == 0, result.output
        seen[name] = (json.loads((out / "replay.json").read_text()), result.output)
    assert seen["in"][0]["mode"] == "check" and seen["in"][0]["in_sample"] is True and "errors" in seen["in"][0]
    assert seen["out"][0]["mode"] == "check" and seen["out"][0]["in_sample"] is False
    data, text = seen["design"]
    assert data["mode"] == "what-if" and "differences" in data and "errors" not in data
    assert "as it happened" in text and "under this design" in text and "error" not in text


def test_a_variant_is_shown_by_its_own_label_or_name_never_by_its_base_label(tmp_path):
    """A rainstorm variant shown as "Approved plan" would be read as the plan, and compare would refuse the two
    as shown alike: a file with ``base:`` keeps its base's line and pool labels but not the scenario's."""
    (tmp_path / "rainy.yaml").write_text(f"base: {PLAN}\nsurges: [{{day: wed, factor: 1.55}}]\n")
    rainy = sc.load(tmp_path / "rainy.yaml")
    assert rainy.name == "rainy" and rainy.label == {}
    assert rainy.pools["general"].label == sc.load(PLAN).pools["general"].label != {}
    (tmp_path / "labelled.yaml").write_text(f"base: {PLAN}\nlabel: 暴雨周\n")
    assert sc.load(tmp_path / "labelled.yaml").label == {"en": "暴雨周", "zh": "暴雨周"}
    for shipped in ("plan_rainstorm", "plan_overflow", "plan_counties_later"):
        variant = sc.load(PLAN.parent / f"{shipped}.yaml")
        assert variant.label and variant.label != sc.load(PLAN).label, shipped


def test_terminal_tables_align_chinese_names_by_the_columns_they_take():
    """Found by an outside hunt (2026-12-05): 综合坐席 counted as 4 characters took 8 columns, so its numbers
    stood 4 columns right of the header's."""
    import unicodedata

    from sim.output.tables import _render
    rows = _render(["pool", "headcount"], [["综合坐席", "43"], ["general", "5"]])
    columns = [sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in row) for row in rows]
    assert len(set(columns)) == 1, rows                     # every row ends at the same column
    assert rows[1].startswith("综合坐席  ") and rows[2].startswith("general   "), rows
