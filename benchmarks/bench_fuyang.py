"""Calls per second of the full merger model: a simulated week of the Fuyang plan.

scenarios/fuyang/plan.yaml has 25 lines (5 provincial), 7 pools, transfers,
redials, callbacks of missed calls and return visits.  Runs REPLICATIONS
replications (default 5) on one core and reports inbound calls per second, with
the single-pool large case (bench_engine.py) run in the same process as the
baseline, so the ratio holds whatever the machine's speed today.

    python benchmarks/bench_fuyang.py [--replications R]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))            # this checkout's sim, not an installed one

from bench_engine import measure  # noqa: E402

from sim.input import scenario as sc  # noqa: E402
from sim.model.engine import run_replication  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args()
    s = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    # One untimed week first, as the baseline below runs warm too: a process's first replication also pays
    # for importing numpy.random (about 30 ms, once per process, not per week).
    run_replication(s, seed=1, replication=args.replications)
    calls, outbound, seconds = 0.0, 0.0, 0.0
    for r in range(args.replications):
        start = time.perf_counter()
        counters = run_replication(s, seed=1, replication=r)
        seconds += time.perf_counter() - start
        calls += counters.whole("lines", "offered")[[l.mode != "provincial" for l in s.lines.values()]].sum()
        outbound += counters.whole("pools", "outbound_made").sum()
    base_calls, base_seconds, _ = measure(300_000, trace_memory=False)
    plan_rate, base_rate = calls / seconds, base_calls / base_seconds
    print(f"Fuyang plan, {args.replications} simulated weeks: {calls:,.0f} inbound calls "
          f"(+{outbound:,.0f} outbound) in {seconds:.2f} s = {plan_rate:,.0f} inbound calls per second")
    print(f"baseline, single pool of 520 agents: {base_rate:,.0f} calls per second; "
          f"ratio plan / baseline = {plan_rate / base_rate:.2f}")


if __name__ == "__main__":
    main()
