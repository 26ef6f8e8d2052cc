"""The seat planner: requirement, cheapest roster, and proof by simulation.

1. requirement per pool and interval of the week (``sim.plan.requirements``):
   SIPP from exact Erlang A, then corrected by simulating the full model;
2. the cheapest roster of the allowed shifts covering it (``sim.plan.rosters``);
3. verification: the roster is simulated with the scenario's full model; where
   an interval (or, with ``targets: day``, a day) misses a target beyond its
   95% interval, its requirement goes up by one agent and the roster is solved
   again, until the roster passes or ``planning.max_iterations`` is reached.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np

from sim.errors import ScenarioError
from sim.input import clock, limits, patterns
from sim.input.reader import Node
from sim.input.spec import Scenario
from sim.plan import costs as money
from sim.plan.requirements import (
    IntervalCheck,
    PoolLoad,
    analytic,
    analytic_day_targets,
    check_intervals,
    corrected,
    pool_loads,
)
from sim.plan.rosters import Roster, ScheduleError, check_coverable, solve
from sim.run.runs import RunResult, simulate


@dataclass
class PlanResult:
    scenario: Scenario
    loads: dict[str, PoolLoad]
    sipp: dict[str, np.ndarray]           # analytic requirement per interval of the week
    corrected: dict[str, np.ndarray]      # after the simulation correction
    requirement: dict[str, np.ndarray]    # as finally scheduled (verification may raise it)
    rosters: dict[str, Roster]
    verified: RunResult
    check: IntervalCheck
    correction_rounds: int
    verification_rounds: int
    targets_met: bool
    planned_raw: dict

    @property
    def staff(self) -> money.Staff:
        """The planned rosters as people, paid hours and workstations (``sim.plan.costs``)."""
        return money.of_rosters(self.rosters, self.scenario.interval_minutes, self.scenario.planning.shrinkage)

    @property
    def cost(self) -> dict:
        """Yearly cost of the plan in the scenario's currency, by part (``sim.plan.costs.yearly``)."""
        return money.yearly(self.staff, self.scenario.costs)


def check_plannable(s: Scenario):
    """Refuse, with the field to fix, what no roster can satisfy."""
    if s.planning is None:
        raise ScenarioError(s.source, "planning", "is missing: `hotline plan` needs a planning: section that "
                            "lists the shifts it may use (see the README)")
    if s.service_level_target >= 1.0:
        raise ScenarioError(s.source, "service_level.target",
                            f"a target of {s.service_level_target:.0%} cannot be met: some caller always "
                            "arrives when every agent is busy; set a target below 1, e.g. 0.8")
    if s.max_abandon_rate <= 0 and any(line.patience is not None for line in s.city_lines):
        raise ScenarioError(s.source, "max_abandon_rate", "a ceiling of 0 cannot be met while callers may hang "
                            "up; set a positive ceiling, e.g. 0.05")


def plan(s: Scenario, replications: int | None = None, seed: int | None = None, progress=None,
         runner=None) -> PlanResult:
    """Plan the scenario's week; ``progress(stage, detail)`` is told what is happening;
    ``runner`` (``sim.parallel.Runner``) runs the simulations' replications in parallel."""
    check_plannable(s)
    p = s.planning
    reps = replications or p.replications or s.replications
    seed = s.seed if seed is None else seed
    tell = progress or (lambda stage, detail: None)
    loads = pool_loads(s)
    sipp = analytic_day_targets(s, loads) if p.targets == "day" else analytic(s, loads)
    try:                       # before any simulation: can the allowed shifts cover it at all?
        for k, v in sipp.items():
            check_coverable(k, v, p, s.interval_minutes)
    except ScheduleError as exc:
        raise ScenarioError(s.source, "planning.shifts", str(exc)) from None
    _check_headcount(s, sipp)
    tell("requirement", "analytic (Erlang A per interval) done")
    if p.targets == "day":
        need, rounds = {k: v.copy() for k, v in sipp.items()}, 0
    else:
        need, rounds = corrected(s, sipp, reps, seed, runner=runner,
                                 progress=lambda r, c: tell("requirement", f"simulation round {r}"))
    _check_headcount(s, need)
    corrected_need = {k: v.copy() for k, v in need.items()}
    requirement = {k: v.copy() for k, v in need.items()}
    met, verification_rounds = False, 0
    for verification_rounds in range(1, p.max_iterations + 1):
        rosters = _rosters(s, requirement, runner)
        tell("verification", f"round {verification_rounds}: roster solved, simulating it")
        planned = roster_scenario(s, rosters)
        result = simulate(planned, reps, seed, runner=runner)
        check = check_intervals(s, result, by_day=p.targets == "day")
        if not check.any_missed():
            met = True
            break
        _raise_missed(s, requirement, check, by_day=p.targets == "day")
    return PlanResult(s, loads, sipp, corrected_need, requirement, rosters, result, check, rounds,
                      verification_rounds, met, planned_raw(s, rosters))


def _check_headcount(s: Scenario, requirement: dict[str, np.ndarray]):
    """Refuse a requirement of more agents at once than a pool may have (the planned scenario could not run)."""
    for k, v in requirement.items():
        if len(v) and v.max() > limits.AGENTS.high:
            day, time = clock.label(int(np.argmax(v)) * s.interval_minutes)
            raise ScenarioError(s.source, f"pools.{k}", f"needs {int(v.max()):,} agents at once on {day} {time} to "
                                f"meet the targets, more than the {limits.AGENTS.high:,.0f} a pool may have; check "
                                "the calls per hour and the handle time of the lines it answers")


def _rosters(s: Scenario, requirement: dict[str, np.ndarray], runner=None) -> dict[str, Roster]:
    """Each pool's cheapest roster; the pools' programmes are independent, so ``runner`` solves them side by
    side (a small pool's programme can take seconds to prove optimal)."""
    tasks = [(k, v, s.planning, s.interval_minutes) for k, v in requirement.items()]
    try:
        if runner is None or runner.serial or len(tasks) < 2:
            return {task[0]: solve(*task) for task in tasks}
        solved = dict(runner.map(tasks, function=solve))
        return {task[0]: solved[i] for i, task in enumerate(tasks)}
    except ScheduleError as exc:
        raise ScenarioError(s.source, "planning.shifts", str(exc)) from None


def _raise_missed(s: Scenario, requirement: dict[str, np.ndarray], check: IntervalCheck, by_day: bool):
    per_day = clock.MINUTES_PER_DAY // s.interval_minutes
    for k, missed in check.missed.items():
        if not by_day:
            requirement[k][missed] += 1
            continue
        for d in np.flatnonzero(missed):
            days = slice(d * per_day, (d + 1) * per_day)
            busy = requirement[k][days] > 0
            requirement[k][days] += busy.astype(np.int64)


def roster_scenario(s: Scenario, rosters: dict[str, Roster]) -> Scenario:
    """The scenario staffed by the rosters' shifts: what verification simulates, and writes as the
    verified scenario (agents come and go with their shifts, breaks included)."""
    raw = planned_raw(s, rosters)
    pools = {k: patterns.pool(k, Node(fields, s.source, f"pools.{k}"), s.interval_minutes)
             for k, fields in raw["pools"].items()}
    return replace(s, name=raw["name"], pools=pools, raw=raw)


def planned_raw(s: Scenario, rosters: dict[str, Roster]) -> dict:
    """The input scenario (base files merged in) with the planned shifts as its pools' staffing."""
    raw = copy.deepcopy(s.raw)
    raw.pop("base", None)
    raw["pools"] = {k: {"shifts": r.planned_shifts} if r.planned_shifts else {"seats": 0}
                    for k, r in rosters.items()}
    raw["name"] = f"{s.name}-planned"
    return raw
