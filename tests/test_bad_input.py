"""User mistakes: one clear message naming the file and the field, exit code 2, no traceback."""

import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main


def run_cli(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def write(tmp_path, data, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d.pop("horizon_hours"), "horizon_hours", "missing"),
    (lambda d: d["lines"]["12345"]["arrivals"].update(per_hour=-5), "lines.12345.arrivals.per_hour", "at least 0"),
    (lambda d: d["lines"]["12345"].update(pool="nowhere"), "lines.12345.pool", "unknown pool 'nowhere'"),
    (lambda d: d["lines"]["12345"]["handle_seconds"].update(dist="weibull"),
     "lines.12345.handle_seconds.dist", "unknown distribution 'weibull'"),
    (lambda d: d["pools"].update(general={"shifts": [{"name": "x", "start": "08:00", "hours": 0, "agents": 3}]}),
     "pools.general.shifts[0].hours", "greater than 0"),
    (lambda d: d["lines"]["12345"].update(arrivals={"per_day": 100, "daily_profile": [1] * 23}),
     "lines.12345.arrivals.daily_profile", "must have 24 or 48 values, got 23"),
    (lambda d: d["lines"]["12345"].update(arrivals={"per_interval": [1] * 50}),
     "lines.12345.arrivals.per_interval", "must have 48 or 336 values, got 50"),
    (lambda d: d["lines"]["12345"].update(handel_seconds=3), "lines.12345.handel_seconds", "unknown field"),
    (lambda d: d["pools"]["general"].update(shifts=[]), "pools.general", "exactly one of"),
    (lambda d: d.update(start="25:00"), "start", "HH:MM"),
    (lambda d: d.update(warmup_hours=30), "warmup_hours", "shorter than horizon_hours"),
    (lambda d: d["lines"]["12345"].update(categories=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.3}]),
     "lines.12345.categories", "shares must sum to 1, they sum to 0.8"),
    (lambda d: (d["lines"].update({"12348": {"mode": "provincial", "arrivals": {"per_hour": 5}}}),
                d["lines"]["12345"].update(categories=[{"name": "law", "share": 1, "transfer_to": "12348"}])),
     "lines.12345.categories[0].transfer_to", "line '12348' is provincial"),
    (lambda d: (d["pools"].update(b={"seats": 2}),
                d.update(routing={"overflow": [{"from": "general", "to": "b", "after_seconds": 30},
                                               {"from": "b", "to": "general", "after_seconds": 30}]})),
     "routing.overflow", "overflow rules form a cycle: general -> b -> general"),
    (lambda d: d["lines"]["12345"].update(mode="merger"), "lines.12345.mode", "unknown mode 'merger'"),
    (lambda d: d["lines"]["12345"].update(categories=[{"name": "tax", "share": 1, "transfer_to": "12366"}]),
     "lines.12345.categories[0].transfer_to", "unknown line '12366'"),
])
def test_bad_scenario_field(tmp_path, scenario_dict, change, field, words):
    data = scenario_dict()
    change(data)
    path = write(tmp_path, data)
    code, output = run_cli("simulate", str(path), "--out", str(tmp_path / "out"))
    assert code == 2, output
    assert f"{path}: {field}:" in output, output
    assert words in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "name: x\nlines: {a: [1, 2}\n")
    code, output = run_cli("simulate", str(path))
    assert code == 2 and f"{path}: line 2" in output and "not valid YAML" in output, output


def test_missing_file(tmp_path):
    code, output = run_cli("simulate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in output and "cannot read" in output


def test_the_installed_command_prints_no_traceback(tmp_path, scenario_dict):
    data = scenario_dict()
    data["lines"]["12345"]["arrivals"]["per_hour"] = -5
    path = write(tmp_path, data)
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "simulate", str(path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"error: {path}: lines.12345.arrivals.per_hour: "
                                   "must be at least 0, got -5")


def test_erlang_command_refuses_an_impossible_target():
    code, output = run_cli("erlang", "--per-hour", "100", "--handle-seconds", "180", "--target", "1")
    assert code == 2 and "--target" in output
