"""hotline compare: common random numbers, paired differences, files and charts."""

import csv
import json
from pathlib import Path

import pytest

from click.testing import CliRunner
from conftest import whole

from sim.cli import main
from sim.input import scenario as sc
from sim.results.compare import paired
from sim.run.runs import simulate

ROOT = Path(__file__).resolve().parents[1]
FUYANG = ROOT / "scenarios" / "fuyang"


def short(path: Path, tmp_path: Path, hours: int = 48) -> Path:
    """The same scenario over a shorter horizon, written beside the test."""
    s = sc.load(path)
    raw = dict(s.raw, horizon_hours=hours, name=s.name)
    out = tmp_path / path.name
    import yaml
    out.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return out


def test_a_scenario_compared_with_itself_differs_by_exactly_zero():
    s = sc.load(FUYANG / "plan.yaml")
    s = sc.from_dict(dict(s.raw, horizon_hours=24), "plan")
    a, b = simulate(s, 3, seed=1), simulate(s, 3, seed=1)
    for f in ("service_level", "abandon_rate", "asa_seconds", "transferred", "outbound_share"):
        d = paired(whole(a, f), whole(b, f))
        assert d.mean == 0 and d.low == 0 and d.high == 0, f


def test_the_three_main_scenarios_share_callers_and_the_merged_options_share_agents():
    loaded = [sc.load(FUYANG / f"{n}.yaml") for n in ("status_quo", "plan", "full_merge")]
    # the plan and the full merge start from the same agents on every shift (decide sizes them);
    # the status quo holds today's rosters
    agents_by_minute = [sum(p.week_agents for p in s.pools.values()) for s in loaded[1:]]
    assert (agents_by_minute[0] == agents_by_minute[1]).all()
    short = [sc.from_dict(dict(s.raw, horizon_hours=24), s.name) for s in loaded]
    runs = [simulate(s, 2, seed=3) for s in short]
    callers = [whole(r, "callers", "line", "12333") for r in runs]
    assert all((c == callers[0]).all() for c in callers)        # the same callers everywhere


def test_compare_command_writes_table_files_and_charts(tmp_path):
    files = [short(FUYANG / f"{n}.yaml", tmp_path) for n in ("plan", "full_merge")]
    for f in files:       # the short copies lose their base file: give them their own folder's
        text = f.read_text()
        assert "base:" not in text
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", *map(str, files), "-r", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "paired differences against fuyang-plan" in result.output and " pp " in result.output
    data = json.loads((out / "compare.json").read_text())
    names = [e["scenario"] for e in data["scenarios"]]
    assert names == ["fuyang-plan", "fuyang-full-merge"]
    diff = data["scenarios"][1]["difference"]["service_level"]
    assert diff["ci95"][0] <= diff["mean"] <= diff["ci95"][1]
    assert data["scenarios"][1]["difference"]["agents_on_duty"]["mean"] == 0
    totals = list(csv.DictReader((out / "compare.csv").open()))
    # the first scenario has no difference against itself: blank, as in compare.json and compare_lines.csv (it
    # read 0 [0, 0], found by an outside review); the second's is compare.json's
    assert [totals[0][f"service_level_diff{x}"] for x in ("", "_ci95_low", "_ci95_high")] == ["", "", ""]
    assert float(totals[1]["service_level_diff"]) == pytest.approx(diff["mean"], abs=1e-6)     # 6 digits written
    rows = list(csv.DictReader((out / "compare_lines.csv").open()))
    assert {r["line"] for r in rows} >= {"12345", "12333", "12366"}
    assert "12348" not in {r["line"] for r in rows}                 # provincial: no service level
    # the charts name scenarios and lines by their labels, as the tables do (they showed ids: found by an
    # outside review, 2026-12-05)
    from sim.output.compare import charts
    by_hour, by_line = charts(data, "en")
    shown = [t.get_text() for t in by_hour.axes[0].get_legend().get_texts()]
    assert shown == [e["label"]["en"] for e in data["scenarios"]]
    assert "12345 citizen hotline" in [t.get_text() for t in by_line.axes[0].get_xticklabels()]
    for png in ("sl_by_hour.png", "sl_by_line.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (out / png).stat().st_size > 20_000
    assert (out / "fuyang-full-merge" / "summary.json").is_file()


def test_the_merger_pays_full_merge_answers_more_within_15_seconds():
    # the same agents on every shift: pooling them in one 12345 pool answers more callers in time
    runs = [simulate(sc.load(FUYANG / f"{n}.yaml"), 4, seed=12345) for n in ("plan", "full_merge")]
    gain = paired(whole(runs[0], "service_level"), whole(runs[1], "service_level"))
    assert gain.low > 0.05          # more than five points better, with 95% confidence
    within = [whole(r, "answered_within_threshold") for r in runs]
    assert (within[1] > within[0]).all()


def test_compare_refuses_one_scenario_and_bad_files(tmp_path):
    result = CliRunner().invoke(main, ["compare", str(FUYANG / "plan.yaml")])
    assert result.exit_code == 2 and "at least two" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: plan.yaml\nname: bad\nlines: {'12345': {pool: nowhere}}\n")
    (tmp_path / "plan.yaml").write_text((FUYANG / "plan.yaml").read_text())
    (tmp_path / "demand.yaml").write_text((FUYANG / "demand.yaml").read_text())
    result = CliRunner().invoke(main, ["compare", str(FUYANG / "plan.yaml"), str(bad)])
    assert result.exit_code == 2 and "lines.12345.pool: unknown pool 'nowhere'" in result.output
    assert "Traceback" not in result.output
