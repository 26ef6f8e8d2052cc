"""Time to plan a full week of the Fuyang plan (target: under 2 minutes on 2 cores).

Runs `sim.planner.plan` on scenarios/fuyang/plan.yaml with its own settings and
reports wall time, simulation rounds, verification rounds and the integer
programme's gap; as a baseline in the same process, the time of one simulation
of the same scenario with the same replications, so the ratio says how many
simulations' worth of work planning costs.

    python benchmarks/bench_plan.py [--scenario PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))            # this checkout's sim, not an installed one

from sim.input import scenario as sc  # noqa: E402
from sim.plan.planner import plan  # noqa: E402
from sim.run.runs import simulate  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "fuyang" / "plan.yaml"))
    args = parser.parse_args()
    s = sc.load(args.scenario)
    reps = s.planning.replications or s.replications
    start = time.perf_counter()
    simulate(s, reps, s.seed)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    result = plan(s)
    seconds = time.perf_counter() - start
    gap = max(r.mip_gap for r in result.rosters.values())
    print(f"{s.name}: planned in {seconds:.1f} s (target < 120 s); {result.correction_rounds} simulation rounds "
          f"for the requirement, {result.verification_rounds} verification rounds, targets met: "
          f"{result.targets_met}, largest MIP gap {gap:.2%}")
    print(f"baseline: one simulation of {reps} replications took {baseline:.1f} s; "
          f"planning = {seconds / baseline:.1f} simulations")
    staff = result.staff
    print(f"headcount {staff.headcount} on the phones' roster (people), {staff.headcount_with_shrinkage} to "
          f"employ after shrinkage, {staff.workstations(s.costs.workstation_margin)} workstations")


if __name__ == "__main__":
    main()
