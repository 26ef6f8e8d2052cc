"""The command line end to end: files written, their shape, and reproducibility."""

import csv
import json
from pathlib import Path

from click.testing import CliRunner
from conftest import whole

from sim.cli import main
from sim.input import scenario as sc
from sim.output.simulate import summary
from sim.plan.erlang import erlang_a
from sim.run.runs import simulate

ROOT = Path(__file__).resolve().parents[1]
FIGS = {"offered", "answered", "abandoned", "answered_within_threshold", "abandoned_within_threshold",
        "service_level", "abandon_rate", "asa_seconds", "mean_wait_seconds"}


def test_simulate_writes_summary_intervals_and_scenario(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["simulate", str(ROOT / "scenarios" / "default.yaml"),
                                       "-r", "3", "--seed", "9", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SL" in result.output and "answered within 15 s / offered" in result.output
    data = json.loads((out / "summary.json").read_text())
    assert data["scenario"] == "default-12345-week" and data["replications"] == 3 and data["seed"] == 9
    for scope in (data["total"], data["lines"]["12345"], data["pools"]["general"]):
        assert FIGS <= set(scope)
        for name, entry in scope.items():
            low, high = entry["ci95"]
            if entry["mean"] is None:        # undefined: the wait of transfers when none happen
                assert name == "transfer_wait_seconds" and low is None
            else:
                assert low <= entry["mean"] <= high
    assert "occupancy" in data["pools"]["general"] and "occupancy" not in data["lines"]["12345"]
    total = data["total"]
    assert total["answered"]["mean"] + total["abandoned"]["mean"] == total["offered"]["mean"]
    rows = list(csv.DictReader((out / "intervals.csv").open()))
    assert len(rows) == (168 - 2) * 2 * 3                       # intervals x (total, line, pool)
    assert rows[0]["weekday"] == "Mon" and rows[0]["time"] == "02:00"
    assert {"service_level", "service_level_ci95_low", "wait_p90_seconds", "agents_on_duty"} <= set(rows[0])
    assert (out / "scenario.yaml").read_text() == (ROOT / "scenarios" / "default.yaml").read_text()


def test_same_seed_same_numbers_other_seed_other_numbers():
    s = sc.load(ROOT / "scenarios" / "default.yaml")
    a, b = summary(simulate(s, 2, seed=4)), summary(simulate(s, 2, seed=4))
    c = summary(simulate(s, 2, seed=5))
    assert json.dumps(a) == json.dumps(b)
    assert a["total"]["offered"] != c["total"]["offered"]


def test_replications_do_not_depend_on_how_many_are_run():
    s = sc.load(ROOT / "scenarios" / "erlang-a-check.yaml")
    s = sc.from_dict({**s.raw, "horizon_hours": 10}, "test")
    three, five = simulate(s, 3, seed=1), simulate(s, 5, seed=1)
    assert (whole(three, "offered") == whole(five, "offered")[:3]).all()


def test_erlang_command_json_and_fewest_agents():
    result = CliRunner().invoke(main, ["erlang", "--per-hour", "6000", "--handle-seconds", "300",
                                       "--patience-seconds", "120", "--agents", "520",
                                       "--threshold-seconds", "20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert abs(data["figures"]["service_level"] - 0.99239) < 5e-6
    assert data["model"].startswith("Erlang A")
    fewest = data["fewest_agents_for_target"]
    assert erlang_a(6000, 300, 120, fewest, 20).service_level >= 0.8
    assert erlang_a(6000, 300, 120, fewest - 1, 20).service_level < 0.8


def test_trace_is_opt_in_and_lists_every_call(tmp_path):
    s = ROOT / "scenarios" / "erlang-a-check.yaml"
    out = tmp_path / "t"
    CliRunner().invoke(main, ["simulate", str(s), "-r", "1", "--out", str(out)])
    assert not list(out.glob("trace*"))
    small = tmp_path / "small.yaml"
    small.write_text(s.read_text().replace("horizon_hours: 168", "horizon_hours: 6"))
    result = CliRunner().invoke(main, ["simulate", str(small), "-r", "2", "--out", str(out), "--trace"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "trace-r0.csv").open()))
    assert (out / "trace-r1.csv").is_file()
    offered = json.loads((out / "summary.json").read_text())["total"]["offered"]
    after_warmup = sum(r["arrival"] >= "2024-01-01 04:00" for r in rows)
    assert offered["ci95"][0] - 1 <= after_warmup <= offered["ci95"][1] + 1
    assert {r["outcome"] for r in rows} == {"answered", "abandoned"}
