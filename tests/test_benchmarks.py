"""Every benchmark runs to its last line on a small case: a benchmark that breaks unnoticed is a measure
nobody can repeat.  Nothing here is timed; the benchmarks themselves report their ratios."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def small_plannable(folder: Path) -> Path:
    """A day of one line and one pool with a planning section: plans in seconds."""
    exp = lambda mean: {"dist": "exponential", "mean": mean}       # noqa: E731
    data = {"name": "bench-small", "horizon_hours": 24, "warmup_hours": 0, "interval_minutes": 60,
            "service_level": {"threshold_seconds": 20, "target": 0.8}, "max_abandon_rate": 0.05,
            "replications": 2,
            "lines": {"L": {"arrivals": {"per_hour": 30}, "pool": "p", "handle_seconds": exp(180),
                            "patience_seconds": exp(300)}},
            "pools": {"p": {"seats": 3}},
            "planning": {"shifts": [{"name": "h", "starts": [f"{h:02d}:00" for h in range(24)], "hours": 8}]}}
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


CASES = {
    "bench_engine.py": (["--calls", "20000"], "calls per second"),
    "bench_process.py": (["--calls", "20000", "--repeats", "1", "--skip-year"], "ratio process / engine"),
    "bench_fuyang.py": (["--replications", "1"], "ratio plan / baseline"),
    "bench_calibrate.py": (["june"], "fitting ="),
    "bench_scale.py": (["--reps", "2", "--skip-year"], "identical figures: True"),
    "bench_plan.py": (["--scenario", "SMALL"], "workstations"),
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_each_benchmark_runs_on_a_small_case(script, tmp_path):
    args, last_words = CASES[script]
    args = [str(small_plannable(tmp_path)) if a == "SMALL" else a for a in args]
    # from another folder, as anyone may run them: each finds this checkout's sim and data by itself
    done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert last_words in done.stdout, done.stdout


def test_every_benchmark_is_exercised():
    assert sorted(p.name for p in BENCH.glob("bench_*.py")) == sorted(CASES)
