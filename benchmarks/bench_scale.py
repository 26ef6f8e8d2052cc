"""Scale: speed-up of parallel replications, and a simulated year of the Fuyang plan.

1. The Fuyang plan, REPS replications of a week, on 1 worker and on 2 worker
   processes (the same numbers either way): wall times and their ratio; and
   calls per second for the single-pool large case against 1 worker.
2. A simulated year of the Fuyang plan in one replication: inbound calls, calls
   per second, peak resident memory (the process's own: ``own_peak_mib``); and
   the same year with three times the callers and the same staff.  Callers
   are drawn a day at a time and leave memory when their block is done, so
   memory does not follow the number of calls; but three times the callers
   overload the plan's agents, and the outbound jobs nobody has time for
   wait in the pools (over 300,000 after six weeks): that backlog is what
   the larger peak holds.

    python benchmarks/bench_scale.py [--reps 8] [--skip-year]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))            # this checkout's sim, not an installed one

import numpy as np  # noqa: E402
from bench_engine import large_case, own_peak_mib  # noqa: E402

from sim.input import scenario as sc
from sim.results.figures import table  # noqa: E402
from sim.model.engine import run_replication  # noqa: E402
from sim.run.executors import Runner  # noqa: E402
from sim.run.runs import simulate  # noqa: E402


def timed(s, reps, workers):
    with Runner(workers) as runner:
        start = time.perf_counter()
        result = simulate(s, reps, 1, runner=runner)
        return time.perf_counter() - start, result


def inbound(counters, s):
    city = [line.mode != "provincial" for line in s.lines.values()]
    return counters.whole("lines", "offered")[city].sum()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--skip-year", action="store_true")
    parser.add_argument("--year-scale", type=float, help=argparse.SUPPRESS)   # one year run, in a child process
    args = parser.parse_args()
    plan = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    if args.year_scale is not None:
        return year(plan, args.year_scale)
    for name, s in (("Fuyang plan week", plan), ("single pool, 500 Erlangs", large_case(150_000))):
        one, r1 = timed(s, args.reps, 1)
        two, r2 = timed(s, args.reps, 2)
        same = all(np.array_equal(a[k], b[k]) for a, b in zip(r1.sums, r2.sums) for k in a)
        calls = table(r1, "whole").per_replication("offered", group=0).sum()
        print(f"{name}: {args.reps} replications, {calls:,.0f} calls: 1 worker {one:.1f} s "
              f"({calls / one:,.0f} calls/s), 2 workers {two:.1f} s ({calls / two:,.0f} calls/s); "
              f"speed-up {one / two:.2f}x; identical figures: {same}", flush=True)
    if not args.skip_year:
        for scale in ("1", "3"):      # each in its own process, so its peak memory is its own
            subprocess.run([sys.executable, __file__, "--year-scale", scale], check=True)


def year(plan, scale: float):
    s = replace(plan, horizon_seconds=365 * 86400.0)
    if scale != 1.0:
        lines = {k: replace(v, arrivals=replace(v.arrivals, week_per_hour=v.arrivals.week_per_hour * scale))
                 for k, v in s.lines.items()}
        s = replace(s, lines=lines)
    start = time.perf_counter()
    counters = run_replication(s, 1, 0)
    seconds = time.perf_counter() - start
    calls = inbound(counters, s)
    rss = own_peak_mib()
    print(f"a year of the Fuyang plan, x{scale:g} callers: {calls:,.0f} inbound calls in {seconds:.1f} s "
          f"({calls / seconds:,.0f} calls/s); peak resident memory {rss:,.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
