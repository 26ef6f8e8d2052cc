"""Calls per second of the full merger model: a simulated week of the Fuyang plan.

scenarios/fuyang/plan.yaml has 25 lines (5 provincial), 7 pools, transfers,
redials, callbacks of missed calls and return visits.  Runs REPLICATIONS
replications (default 5) on one core and reports inbound calls per second, with
the single-pool large case (bench_engine.py) run in the same process as the
baseline, so the ratio holds whatever the machine's speed today.  The two are
measured in turn, ROUNDS times (default 3), and each side's fastest round counts:
one measurement of half a second moves by a tenth with the machine's load.

    python benchmarks/bench_fuyang.py [--replications R] [--rounds N]
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


def plan_weeks(s, replications: int) -> tuple[float, float, float]:
    """Inbound calls, outbound jobs made and seconds of ``replications`` simulated weeks, one after another."""
    city = [line.mode != "provincial" for line in s.lines.values()]
    calls, outbound, seconds = 0.0, 0.0, 0.0
    for r in range(replications):
        start = time.perf_counter()
        counters = run_replication(s, seed=1, replication=r)
        seconds += time.perf_counter() - start
        calls += counters.whole("lines", "offered")[city].sum()
        outbound += counters.whole("pools", "outbound_made").sum()
    return calls, outbound, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of both measurements, in turn; each side's fastest round counts (default 3)")
    args = parser.parse_args()
    s = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    # One untimed week first, as the baseline below runs warm too: a process's first replication also pays
    # for importing numpy.random (about 30 ms, once per process, not per week).
    run_replication(s, seed=1, replication=args.replications)
    plan_rates, base_rates = [], []
    for _ in range(max(args.rounds, 1)):
        calls, outbound, seconds = plan_weeks(s, args.replications)
        base_calls, base_seconds, _ = measure(300_000, trace_memory=False)
        plan_rates.append(calls / seconds)
        base_rates.append(base_calls / base_seconds)
    # the fastest round of each side: what the code can do when nothing else on the machine gets in its way
    # (as timeit reports); every round's own ratio shows the spread
    plan_rate, base_rate = max(plan_rates), max(base_rates)
    rounds = ", ".join(f"{p / b:.2f}" for p, b in zip(plan_rates, base_rates))
    print(f"Fuyang plan, {args.replications} simulated weeks: {calls:,.0f} inbound calls "
          f"(+{outbound:,.0f} outbound), fastest of {len(plan_rates)} rounds {plan_rate:,.0f} inbound calls "
          f"per second")
    print(f"baseline, single pool of 520 agents: fastest {base_rate:,.0f} calls per second; "
          f"ratio plan / baseline = {plan_rate / base_rate:.2f} (each round: {rounds})")


if __name__ == "__main__":
    main()
