"""The whole program: `hotline simulate` as a user runs it, against the engine alone, and a year's memory.

1. One million calls of the 500-Erlang case (validation.md) by `hotline simulate` in a
   process of its own (start-up, imports, reading the scenario, the run, the files), as
   calls per second against the engine's own rate measured in this process: the ratio.
2. A simulated year of the Fuyang plan by `hotline simulate --workers 1`: wall time and
   the peak resident memory of that process.

    python benchmarks/bench_process.py [--repeats 3] [--year-replications 10] [--skip-year]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))            # this checkout's sim, not an installed one

from bench_engine import large_case  # noqa: E402
from sim.input import scenario as sc, yamlfile  # noqa: E402
from sim.model.engine import run_replication  # noqa: E402

CALLS = 1_000_000


def hotline(*args, cwd: Path) -> float:
    """Seconds of wall time of `hotline ARGS` in a process of its own."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={"PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--year-replications", type=int, default=10)
    parser.add_argument("--skip-year", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        s = large_case(CALLS)
        (tmp / "large.yaml").write_text(yamlfile.dump(s.raw))
        engine, process = [], []
        for _ in range(args.repeats):            # alternated, best of each: the machine's noise cancels out
            start = time.perf_counter()
            run_replication(s, seed=1, replication=0)
            engine.append(time.perf_counter() - start)
            process.append(hotline("simulate", "large.yaml", "-r", "1", "--seed", "1", "--workers", "1",
                                   "--out", "out", cwd=tmp))
        calls = json.loads((tmp / "out" / "summary.json").read_text())["total"]["offered"]["mean"]
        calls += 6000 * s.warmup_seconds / 3600          # the warm-up's calls are simulated, not reported
        print(f"hotline simulate, {calls:,.0f} calls of the 500-Erlang case: whole process {min(process):.2f} s "
              f"({calls / min(process):,.0f} calls/s); engine alone {min(engine):.2f} s ({calls / min(engine):,.0f} "
              f"calls/s); ratio process / engine {min(engine) / min(process):.2f}", flush=True)
        if args.skip_year:
            return
        plan = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
        (tmp / "year.yaml").write_text(yamlfile.dump(dict(plan.raw, horizon_hours=8760, name="plan-year")))
        seconds = hotline("simulate", "year.yaml", "-r", args.year_replications, "--workers", "1", "--out", "year",
                          cwd=tmp)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        sizes = {p.name: p.stat().st_size / 2**20 for p in (tmp / "year").iterdir() if p.is_file()}
        print(f"a year of the Fuyang plan, {args.year_replications} replications, --workers 1: {seconds:.0f} s; "
              f"peak resident memory of the largest process {peak:,.0f} MiB; files "
              + ", ".join(f"{k} {v:.1f} MiB" for k, v in sorted(sizes.items()) if v > 0.05), flush=True)


if __name__ == "__main__":
    main()
