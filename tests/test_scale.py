"""Parallel replications, Dask, sweeps and resumable runs: the same numbers however the work runs."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def small_scenario(tmp_path: Path, hours: int = 24, handle: int = 300) -> Path:
    text = (ROOT / "scenarios" / "erlang-a-check.yaml").read_text()
    path = tmp_path / "small.yaml"
    path.write_text(text.replace("horizon_hours: 168", f"horizon_hours: {hours}")
                    .replace("mean: 300}", f"mean: {handle}}}"))
    return path


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_serial_two_workers_and_local_dask_give_the_same_summary_byte_for_byte(tmp_path):
    pytest.importorskip("distributed")
    path = small_scenario(tmp_path)
    for name, extra in (("serial", ["--workers", "1"]), ("two", ["--workers", "2"]),
                        ("dask", ["--scheduler", "local", "--workers", "2"])):
        run("simulate", path, "-r", "4", "--seed", "7", "--out", tmp_path / name, *extra)
    serial = (tmp_path / "serial" / "summary.json").read_bytes()
    assert (tmp_path / "two" / "summary.json").read_bytes() == serial
    assert (tmp_path / "dask" / "summary.json").read_bytes() == serial
    assert (tmp_path / "two" / "intervals.csv").read_bytes() == (tmp_path / "serial" / "intervals.csv").read_bytes()


def test_sweep_grid_table_and_curves(tmp_path):
    path = small_scenario(tmp_path)
    out = run("sweep", path, "--vary", "pools.general.seats=48:56:4", "--vary",
              "lines.12345.arrivals.scale=1.0,1.2", "-r", "2", "--workers", "1", "--out", tmp_path / "sw")
    data = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert data["varied"] == ["pools.general.seats", "lines.12345.arrivals.scale"]
    assert [tuple(v["variant"].values()) for v in data["variants"]] == [
        (48, 1), (48, 1.2), (52, 1), (52, 1.2), (56, 1), (56, 1.2)]
    sl = {tuple(v["variant"].values()): v["service_level"]["mean"] for v in data["variants"]}
    assert sl[(48, 1)] < sl[(52, 1)] < sl[(56, 1)] and sl[(52, 1.2)] < sl[(52, 1)]
    assert "SL = answered within 20 s / offered" in out
    for png in ("sweep_service_level.png", "sweep_abandon_rate.png"):
        assert (tmp_path / "sw" / png).stat().st_size > 10_000


def test_bad_vary_is_a_clear_error(tmp_path):
    path = small_scenario(tmp_path)
    result = CliRunner().invoke(main, ["sweep", str(path), "--vary", "pools.nowhere.seats=1,2"])
    assert result.exit_code == 2 and "pools.nowhere" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["sweep", str(path), "--vary", "pools.general.seats=9:1:1"])
    assert result.exit_code == 2 and "START:STOP:STEP" in result.output


def sweep_command(path: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sim.cli", "sweep", str(path), "--vary", "pools.general.seats=48:58:2",
            "-r", "3", "--workers", "1", "--out", str(out)]


def test_a_killed_sweep_resumes_and_ends_with_the_uninterrupted_numbers(tmp_path):
    path = small_scenario(tmp_path, hours=48)
    subprocess.run(sweep_command(path, tmp_path / "whole"), check=True, capture_output=True, cwd=ROOT)
    store = tmp_path / "cut" / "store"
    proc = subprocess.Popen(sweep_command(path, tmp_path / "cut"), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(store.glob("*/r*.npz"))) < 5:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = len(list(store.glob("*/r*.npz")))
    assert 5 <= stored < 18, stored                              # killed halfway, some replications kept
    assert not (tmp_path / "cut" / "sweep.json").exists()
    subprocess.run(sweep_command(path, tmp_path / "cut"), check=True, capture_output=True, cwd=ROOT)
    assert len(list(store.glob("*/r*.npz"))) == 18
    assert (tmp_path / "cut" / "sweep.json").read_bytes() == (tmp_path / "whole" / "sweep.json").read_bytes()


def test_a_changed_scenario_never_reuses_stale_results(tmp_path):
    path = small_scenario(tmp_path)
    args = ["sweep", path, "--vary", "pools.general.seats=50,54", "-r", "2", "--workers", "1"]
    run(*args, "--out", tmp_path / "sw")
    before = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    small_scenario(tmp_path, handle=240)                         # the same file, now with shorter calls
    run(*args, "--out", tmp_path / "sw")
    after = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    run(*args, "--out", tmp_path / "fresh")
    fresh = json.loads((tmp_path / "fresh" / "sweep.json").read_text())
    assert after == fresh and after != before
    assert len(list((tmp_path / "sw" / "store").iterdir())) == 4  # two variants x two versions of the scenario
