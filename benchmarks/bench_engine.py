"""Calls per second of the engine on the large case of validation.md.

100 calls/min, mean handle 5 min (500 Erlangs), 520 agents, mean patience
2 min: simulates CALLS calls (default 1,000,000) in one replication on one
core and reports calls per second, peak memory, and the same figures for a
run of a tenth of the calls (memory must not grow with the number of calls).

    python benchmarks/bench_engine.py [--calls N]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's sim, not an installed one

from sim.input import scenario as sc
from sim.model.engine import run_replication


def own_peak_mib() -> float:
    """This process's own peak resident memory (MiB), from /proc/self/status (VmHWM, Linux).

    Not ``ru_maxrss``: Linux carries a process's high-water mark across exec, so a child's
    ``ru_maxrss`` (and ``RUSAGE_CHILDREN``) is at least its parent's resident size when it was spawned."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def large_case(calls: int) -> sc.Scenario:
    hours = calls / 6000.0
    # whole half hours of calls after a half hour of warm-up, at least one (a tiny --calls still runs)
    return sc.from_dict({
        "name": "bench-large", "horizon_hours": max(0.5, round(hours * 2) / 2) + 0.5, "warmup_hours": 0.5,
        "interval_minutes": 30, "service_level": {"threshold_seconds": 20, "target": 0.8},
        "lines": {"12345": {"arrivals": {"per_hour": 6000}, "pool": "general",
                            "handle_seconds": {"dist": "exponential", "mean": 300},
                            "patience_seconds": {"dist": "exponential", "mean": 120}}},
        "pools": {"general": {"seats": 520}},
    }, "bench-large")


def measure(calls: int, trace_memory: bool) -> tuple[float, float, float]:
    s = large_case(calls)
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    counters = run_replication(s, seed=1, replication=0)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace_memory else float("nan")
    if trace_memory:
        tracemalloc.stop()
    simulated = counters.whole("lines", "offered").sum() + 6000 * s.warmup_seconds / 3600
    return simulated, seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls to simulate (default 1,000,000; "
                        "at least 3,000 a half hour is simulated)")
    args = parser.parse_args()
    # timing first: tracemalloc slows Python down and its traces linger
    calls, seconds, _ = measure(args.calls, trace_memory=False)
    small_calls, small_s, small_peak = measure(args.calls // 10, trace_memory=True)
    _, _, big_peak = measure(args.calls, trace_memory=True)
    print(f"large case (500 Erlangs, 520 agents): {calls:,.0f} calls in {seconds:.2f} s "
          f"= {calls / seconds:,.0f} calls per second (one core)")
    print(f"peak traced memory: {small_peak:.1f} MiB for {small_calls:,.0f} calls, "
          f"{big_peak:.1f} MiB for {calls:,.0f} calls (ratio {big_peak / small_peak:.2f})")
    print(f"process peak resident memory: {own_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
