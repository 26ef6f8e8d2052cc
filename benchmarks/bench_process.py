"""The whole program: `hotline simulate` as a user runs it, against the engine alone, and a year's memory.

1. One million calls of the 500-Erlang case (validation.md) by `hotline simulate` in a
   process of its own (start-up, imports, reading the scenario, the run, the files), as
   calls per second against the engine's own rate measured in this process: the ratio.
2. A simulated year of the Fuyang plan by `hotline simulate --workers 1`: wall time and
   the peak resident memory of that process.

    python benchmarks/bench_process.py [--repeats 3] [--calls N] [--year-replications 10] [--skip-year]
"""

from __future__ import annotations

import argparse
import json
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


# ``hotline`` run so that it writes its own peak resident memory (KiB) to the file named by its first argument
# when it exits: see ``own_peak_mib`` for why the parent cannot ask the kernel afterwards
PEAK_WRAPPER = """
import atexit, runpy, sys
def write_peak(path=sys.argv.pop(1)):
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(kib)
atexit.register(write_peak)
runpy.run_module("sim.cli", run_name="__main__", alter_sys=True)
"""


def hotline(*args, cwd: Path) -> tuple[float, float]:
    """Seconds of wall time of `hotline ARGS` in a process of its own, and that process's peak resident memory
    (MiB)."""
    peak_file = cwd / "peak-kib.txt"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", PEAK_WRAPPER, str(peak_file), *map(str, args)], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={"PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    return seconds, int(peak_file.read_text()) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=CALLS, help="calls of the 500-Erlang case (default 1,000,000)")
    parser.add_argument("--year-replications", type=int, default=10)
    parser.add_argument("--skip-year", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        s = large_case(args.calls)
        (tmp / "large.yaml").write_text(yamlfile.dump(s.raw))
        engine, process = [], []
        for _ in range(args.repeats):            # alternated, best of each: the machine's noise cancels out
            start = time.perf_counter()
            run_replication(s, seed=1, replication=0)
            engine.append(time.perf_counter() - start)
            process.append(hotline("simulate", "large.yaml", "-r", "1", "--seed", "1", "--workers", "1",
                                   "--out", "out", cwd=tmp)[0])
        calls = json.loads((tmp / "out" / "summary.json").read_text())["total"]["offered"]["mean"]
        calls += 6000 * s.warmup_seconds / 3600          # the warm-up's calls are simulated, not reported
        print(f"hotline simulate, {calls:,.0f} calls of the 500-Erlang case: whole process {min(process):.2f} s "
              f"({calls / min(process):,.0f} calls/s); engine alone {min(engine):.2f} s ({calls / min(engine):,.0f} "
              f"calls/s); ratio process / engine {min(engine) / min(process):.2f}", flush=True)
        if args.skip_year:
            return
        plan = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
        (tmp / "year.yaml").write_text(yamlfile.dump(dict(plan.raw, horizon_hours=8760, name="plan-year")))
        seconds, peak = hotline("simulate", "year.yaml", "-r", args.year_replications, "--workers", "1",
                                "--out", "year", cwd=tmp)
        sizes = {p.name: p.stat().st_size / 2**20 for p in (tmp / "year").iterdir() if p.is_file()}
        print(f"a year of the Fuyang plan, {args.year_replications} replications, --workers 1: {seconds:.0f} s; "
              f"peak resident memory of that process (VmHWM) {peak:,.0f} MiB; files "
              + ", ".join(f"{k} {v:.1f} MiB" for k, v in sorted(sizes.items()) if v > 0.05), flush=True)


if __name__ == "__main__":
    main()
