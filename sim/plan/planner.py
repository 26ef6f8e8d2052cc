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
import math
from dataclasses import dataclass, replace

import numpy as np

from sim.errors import ScenarioError
from sim.input import clock, limits, patterns
from sim.input.reader import Node
from sim.input.spec import Scenario
from sim.plan import costs as money
from sim.plan import goals
from sim.plan.requirements import (
    IntervalCheck,
    PoolLoad,
    analytic,
    check_intervals,
    corrected,
    lines_missing_goals,
    pool_loads,
)
from sim.plan.rosters import Roster, ScheduleError, check_coverable, solve
from sim.results.figures import table
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
         runner=None, max_replications: int | None = None) -> PlanResult:
    """Plan the scenario's week; ``progress(stage, detail)`` is told what is happening;
    ``runner`` (``sim.parallel.Runner``) runs the simulations' replications in parallel.  Day and week goals
    may take more replications than ``replications``, up to ``max_replications`` (default
    ``goal_replications_cap``)."""
    check_plannable(s)
    p = s.planning
    reps = replications or p.replications or s.replications
    seed = s.seed if seed is None else seed
    tell = progress or (lambda stage, detail: None)
    loads = pool_loads(s)
    if p.targets in ("day", "week"):
        return _plan_to_goals(s, loads, reps, seed, tell, runner,
                              goal_replications_cap(s) if max_replications is None else max_replications)
    sipp = analytic(s, loads)
    try:                       # before any simulation: can the allowed shifts cover it at all?
        for k, v in sipp.items():
            check_coverable(k, v, p, s.interval_minutes)
    except ScheduleError as exc:
        raise ScenarioError(s.source, "planning.shifts", str(exc)) from None
    _check_headcount(s, sipp)
    tell("requirement", "analytic (Erlang A per interval) done")
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
        check = check_intervals(s, result)
        if not check.any_missed():
            met = True
            break
        for k, missed in check.missed.items():
            requirement[k][missed] += 1
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
    """Each pool's cheapest roster covering its requirement."""
    return _per_pool(s, [(k, v, s.planning, s.interval_minutes) for k, v in requirement.items()], solve, runner)


def _per_pool(s: Scenario, tasks: list[tuple], function, runner) -> dict:
    """``function(*task)`` for each pool's task (the pool first), side by side on ``runner``'s processes: the
    pools' programmes are independent, and a small pool's can take seconds to prove optimal."""
    try:
        if runner is None or runner.serial or len(tasks) < 2:
            return {task[0]: function(*task) for task in tasks}
        solved = dict(runner.map(tasks, function=function))
        return {task[0]: solved[i] for i, task in enumerate(tasks)}
    except ScheduleError as exc:
        raise ScenarioError(s.source, "planning.shifts", str(exc)) from None


def _plan_to_goals(s: Scenario, loads: dict[str, PoolLoad], reps: int, seed: int, tell, runner,
                   most: int) -> PlanResult:
    """Goals over each day (or the week) planned jointly with the shifts (``sim.plan.goals``), the goal each
    group is planned to corrected by simulation both ways; the cheapest roster whose simulated days (or week)
    meet the goals on the mean is kept.  Judged on ``reps`` replications or more, up to ``most``
    (``_replications_for_goals``)."""
    p = s.planning
    groups = goals.groups_of(p.targets, s.interval_minutes)
    tell("requirement", "Erlang A curves per interval")
    curve = {k: goals.curves(load, s.threshold_seconds, p.floor_service_level) for k, load in loads.items()}
    _check_headcount(s, {k: c.floor for k, c in curve.items()})
    aim_sl = {k: np.full(len(groups), s.service_level_target) for k in s.pools}
    aim_ab = {k: np.full(len(groups), s.max_abandon_rate) for k in s.pools}
    sipp = analytic(s, loads)
    best = last = None
    rounds = 0
    for rounds in range(1, p.max_iterations + 1):
        tell("verification", f"round {rounds}: roster solved to the {p.targets}'s goals, simulating it")
        solved = _goal_rosters(s, curve, groups, aim_sl, aim_ab, runner)
        rosters = {k: r for k, (r, _) in solved.items()}
        counted = {k: c for k, (_, c) in solved.items()}
        planned = roster_scenario(s, rosters)
        result = simulate(planned, reps, seed, runner=runner)
        judged = _judge_groups(s, result, p.targets)
        more = _replications_for_goals(judged, reps, most)
        if more > reps:
            # A day's figures vary with its volume (busyness) far more than an interval's mean does: on 4
            # replications a day's service level was known to +-10-30 points, and rosters followed the draws
            # (16% more hours with another seed, more calls planned for less money).  Rosters judged on fewer
            # replications are judged again, on as many as the goals' precision needs.
            tell("verification", f"round {rounds}: the {p.targets}s' figures need {more} replications to be known "
                 f"to +-{GOAL_PRECISION:.0%}; simulating on {more} from now")
            reps, best = more, None
            result = simulate(planned, reps, seed, runner=runner)
            judged = _judge_groups(s, result, p.targets)
        met = all(v["met"] for v in judged.values())
        cost = sum(r.cost for r in rosters.values())
        last = (rosters, counted, result, met)
        if met and (best is None or cost < best[0]):
            best = (cost, rosters, counted, result)
        if not _aim_again(s, judged, aim_sl, aim_ab):
            break
    rosters, counted, result, met = last if best is None else (best[1], best[2], best[3], True)
    check = check_intervals(s, result)
    return PlanResult(s, loads, sipp, counted, {k: v.copy() for k, v in counted.items()}, rosters, result, check,
                      0, rounds, met, planned_raw(s, rosters))


def _goal_rosters(s, curve, groups, aim_sl, aim_ab, runner):
    tasks = [(k, curve[k], s.planning, s.interval_minutes, groups, aim_sl[k], aim_ab[k]) for k in s.pools]
    return _per_pool(s, tasks, goals.solve, runner)


def _judge_groups(s: Scenario, result: RunResult, kind: str) -> dict[str, dict]:
    """Per pool, each day's (or the week's) simulated service level and abandonment with 95% intervals, and
    whether the means meet the goals (days without calls meet them).  A pool is judged by the worse of itself
    and, day by day, each line of its queue that misses a goal over the horizon (``lines_missing_goals``, as
    ``decide`` judges every line)."""
    t = table(result, "weekday" if kind == "day" else "whole")
    n_groups = 7 if kind == "day" else 1
    out = {}
    where = [clock.weekday_index(str(x)) for x in t.labels] if kind == "day" else [0]
    missing = lines_missing_goals(s, result)
    for k in s.pools:
        scopes = [("pool", k)] + [("line", j) for j in missing if s.lines[j].pool == k]
        judged = {"met": True}
        for figure, worse in (("service_level", np.less), ("abandon_rate", np.greater)):
            values = {part: np.full(n_groups, np.nan) for part in ("mean", "low", "high")}
            for scope in scopes:
                offered = t.per_replication("offered", *scope).mean(axis=0)
                e = t.estimate(figure, *scope)
                for i, g in enumerate(where):
                    mean = np.asarray(e.mean).reshape(-1)[i]
                    if offered[i] > 0 and (np.isnan(values["mean"][g]) or worse(mean, values["mean"][g])):
                        for part in values:
                            values[part][g] = np.asarray(getattr(e, part)).reshape(-1)[i]
            judged[figure] = values
        with np.errstate(invalid="ignore"):
            missed = ((judged["service_level"]["mean"] < s.service_level_target)
                      | (judged["abandon_rate"]["mean"] > s.max_abandon_rate))
        judged["met"] = not missed.any()
        out[k] = judged
    return out


def _aim_again(s: Scenario, judged: dict, aim_sl: dict, aim_ab: dict) -> bool:
    """Move each group's planned goal by what simulation found: up where the mean misses, down where the
    whole 95% interval clears the goal (agents are removed as well as added).  False when nothing moves."""
    moved = False
    for k, j in judged.items():
        sl, ab = j["service_level"], j["abandon_rate"]
        for g in range(len(aim_sl[k])):
            if np.isnan(sl["mean"][g]):
                continue
            half_sl, half_ab = (sl["high"][g] - sl["low"][g]) / 2, (ab["high"][g] - ab["low"][g]) / 2
            if sl["mean"][g] < s.service_level_target:
                aim_sl[k][g] += s.service_level_target - sl["mean"][g] + half_sl / 2
                moved = True
            elif sl["low"][g] > s.service_level_target + AIM_STEP:
                aim_sl[k][g] -= (sl["low"][g] - s.service_level_target) / 2
                moved = True
            if ab["mean"][g] > s.max_abandon_rate:
                aim_ab[k][g] -= ab["mean"][g] - s.max_abandon_rate + half_ab / 2
                moved = True
            elif ab["high"][g] < s.max_abandon_rate - AIM_STEP:
                aim_ab[k][g] += (s.max_abandon_rate - ab["high"][g]) / 2
                moved = True
            aim_sl[k][g] = min(max(aim_sl[k][g], 0.0), goals.TOP_SERVICE_LEVEL)
            aim_ab[k][g] = min(max(aim_ab[k][g], 0.0), 1.0)
    return moved


AIM_STEP = 0.005     # a goal cleared by less than half a point is left as it is
# Day and week goals are judged on each group's mean over replications, known to this many points either way (95%)
# or as well as MAX_GOAL_REPLICATIONS give: wider, and the roster follows the draws of that many days' volumes.
GOAL_PRECISION = 0.03
ABANDON_PRECISION = 0.01
MAX_GOAL_REPLICATIONS = 64
# ... and as the memory of a run allows: every replication's figures are kept (about 800 bytes a cell,
# ``limits.CELLS_PER_RUN``), and a round holds three runs.  100,000 cells give a single pool's week 49
# replications and leave the Fuyang plan's (22,440 cells a replication) at the 4 it asks for.
GOAL_CELLS = 100_000
RATIO_ROUNDING = 1e-9           # a ratio of 1.5 computed as 1.5000000001 asks for 9 replications, not 10
PILOT_REPLICATIONS = 4          # taken to learn how precise a day is, when one replication cannot tell


def goal_replications_cap(s: Scenario) -> int:
    """The most replications a day- or week-goal plan of ``s`` takes: MAX_GOAL_REPLICATIONS, and GOAL_CELLS of
    kept figures a run."""
    cells = limits.kept_groups(s.n_intervals, s.interval_minutes) * (len(s.lines) + len(s.pools) + 1)
    return min(MAX_GOAL_REPLICATIONS, GOAL_CELLS // max(cells, 1))


def _replications_for_goals(judged: dict, reps: int, most: int) -> int:
    """Replications that bring the widest 95% interval of a group's service level (abandon rate) within
    GOAL_PRECISION (ABANDON_PRECISION) either way: an interval's half-width falls as one over the square root of
    the replications.  At least ``reps``, at most ``most`` (``goal_replications_cap``).  One replication has no
    interval: its precision is unknown, so PILOT_REPLICATIONS are taken to find it."""
    ratio = 0.0
    for j in judged.values():
        for figure, precision in (("service_level", GOAL_PRECISION), ("abandon_rate", ABANDON_PRECISION)):
            half = (j[figure]["high"] - j[figure]["low"]) / 2
            if (np.isfinite(j[figure]["mean"]) & ~np.isfinite(half)).any():
                return int(max(reps, min(most, PILOT_REPLICATIONS)))     # a figure without its interval
            if np.isfinite(half).any():
                ratio = max(ratio, float(np.nanmax(half)) / precision)
    if ratio <= 1.0:
        return reps
    return int(max(reps, min(most, math.ceil(reps * ratio ** 2 - RATIO_ROUNDING))))


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
