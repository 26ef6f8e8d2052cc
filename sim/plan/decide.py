"""Deciding between options at equal service: what each needs in agents, workstations and money.

Every option (a scenario file: a merger structure with its lines, pools and
routing) is planned to the same goals (``sim.plan.planner``: requirement,
cheapest roster, verification by simulation).  Every plan is verified with the
same seed and replications, so replication r of every option sees the same
callers (common random numbers) and differences between options are paired.
The first option, as it is staffed in its file, is "today": its rosters are
simulated too, and each option's hires and cost are given against it.

The goals are the scenario's targets, judged on the week: the city's share of
calls answered within the threshold (15秒接通率) at least the target, and the
share that hung up before an answer (呼损率) at most the ceiling, for the city
in total and for every line the city answers.  A goal is met when the mean over
replications meets it; the 95% interval is given beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable

from sim.errors import ScenarioError
from sim.input.reader import describe
from sim.input.spec import Scenario
from sim.plan import costs as money
from sim.plan.planner import PlanResult, check_plannable, goal_replications_cap, plan, roster_scenario
from sim.plan.requirements import check_intervals
from sim.results.compare import difference
from sim.results.figures import FigureTable, table
from sim.run.runs import RunResult, simulate

# what the decision compares, per option, in total and per line: first queue and the whole journey
GOAL_FIGURES = ("service_level", "abandon_rate")
JOURNEY = ("service_level", "abandon_rate", "asa_seconds", "resolved_share", "abandon_rate_end_to_end",
           "time_to_resolver_seconds")
POOL_FIGURES = ("agents_on_duty", "occupancy", "service_level", "abandon_rate")
WORST_LINES = 3
DRAWN = "callers drawn from the scenarios' laws (the same callers for every option)"


@dataclass(frozen=True)
class Goals:
    """The service every option must give: answered within ``threshold_seconds`` at least ``service_level``
    (a share of offered calls), hung up before an answer at most ``max_abandon_rate``."""
    threshold_seconds: float
    service_level: float
    max_abandon_rate: float

    @classmethod
    def of(cls, s: Scenario) -> "Goals":
        return cls(s.threshold_seconds, s.service_level_target, s.max_abandon_rate)

    def to_json(self) -> dict:
        return {"threshold_seconds": self.threshold_seconds, "service_level": self.service_level,
                "max_abandon_rate": self.max_abandon_rate}


@dataclass
class Option:
    """One option: its scenario, the staff it needs (planned, or as written for today), their verified run."""
    scenario: Scenario
    staff: money.Staff
    cost: dict
    run: RunResult
    plan: PlanResult | None = None         # None for today (the first file as staffed)

    @cached_property
    def whole(self) -> FigureTable:
        """The verified run's figures over the whole horizon (read by the verdict, the figures, the differences)."""
        return table(self.run, "whole")


@dataclass
class Decision:
    goals: Goals
    replications: int
    seed: int
    options: list[Option]
    today: Option | None
    verified_on: str = DRAWN


def check_options(scenarios: list[Scenario]) -> Goals:
    """Refuse options that cannot be decided between at equal service; the goals they share."""
    first = scenarios[0]
    goals = Goals.of(first)
    for s in scenarios:
        check_plannable(s)
        other = Goals.of(s)
        for field, what in (("threshold_seconds", "service_level.threshold_seconds"),
                            ("service_level", "service_level.target"), ("max_abandon_rate", "max_abandon_rate")):
            if getattr(other, field) != getattr(goals, field):
                raise ScenarioError(s.source, what, f"is {getattr(other, field):g}, {first.source}'s is "
                                    f"{getattr(goals, field):g}: options are decided at equal service; give every "
                                    "option the same goals (e.g. in the base file they share)")
        # the same weeks of callers, judged over the same time, goals held over the same span, people costed
        # alike
        same_callers = "options are compared on the same callers over the same time"
        for field, value, theirs, why in (
                *((k, v, first.clock_fields[k], same_callers) for k, v in s.clock_fields.items()),
                ("planning.targets", s.planning.targets, first.planning.targets,
                 "options are decided at equal service, each goal held over the same span"),
                ("planning.floor_service_level", s.planning.floor_service_level,
                 first.planning.floor_service_level, "options are decided at equal service"),
                ("planning.shrinkage", s.planning.shrinkage, first.planning.shrinkage,
                 "options are costed with one share of paid time off the phones"),
                ("costs.currency", s.costs.currency, first.costs.currency, "options are costed in one currency")):
            if value != theirs:
                raise ScenarioError(s.source, field, f"is {describe(value)}, {first.source}'s is {describe(theirs)}: "
                                    f"{why}; give every option the same (e.g. in the base file they share)")
    return goals


def decide(scenarios: list[Scenario], replications: int | None = None, seed: int | None = None,
           progress: Callable[[str], None] | None = None, runner=None, today: bool = True,
           through=None, verified_on: str = DRAWN) -> Decision:
    """Plan every option to the first option's goals and verify each on the same callers.

    ``replications`` and ``seed`` default to the first option's planning (else
    scenario) settings; ``progress(line)`` hears what is happening; with
    ``today`` the first option is also simulated as staffed in its file.
    ``through(scenario)``, when given, returns (the scenario to verify, the
    call source to verify it with): e.g. last year's logged calls of every line
    (``sim.logs.replay.with_arrivals``); each option is planned from its
    scenario's rates and verified on those calls.
    """
    goals = check_options(scenarios)
    first = scenarios[0]
    reps = replications or first.planning.replications or first.replications
    seed = first.seed if seed is None else seed
    tell = progress or (lambda line: None)
    # Planning to day goals may take more replications than asked (``planner.GOAL_PRECISION``), as many as the
    # largest option's memory allows; every option is verified on as many as the most precise took, so that
    # replication r of each sees the same callers (paired), and its plan's files say what decide says.
    most = max(reps, min(goal_replications_cap(s) for s in scenarios))
    planned = []
    for i, s in enumerate(scenarios, 1):
        tell(f"option {i} of {len(scenarios)}: planning {s.name}")
        planned.append(plan(s, reps, seed, runner=runner, max_replications=most,
                            progress=lambda stage, detail: tell(f"  {stage}: {detail}")))
    reps = max([reps] + [result.verified.replications for result in planned])
    options = []
    for s, result in zip(scenarios, planned):
        staff = money.of_rosters(result.rosters, s.interval_minutes, s.planning.shrinkage)
        if through is None and result.verified.replications < reps:
            tell(f"  verification on {reps} replications, as the other options': {s.name}")
            again = simulate(roster_scenario(s, result.rosters), reps, seed, runner=runner)
            result = replace(result, verified=again, check=check_intervals(s, again))
        run = result.verified
        if through is not None:
            tell(f"  verification on the given calls: {s.name}")
            run = _run_through(roster_scenario(s, result.rosters), through, reps, seed)
        options.append(Option(result.scenario, staff, money.yearly(staff, s.costs), run, result))
    now = None
    if today:
        tell(f"today: simulating {first.name} as staffed in {first.source}")
        staff = money.of_pools(first.pools, first.planning.shrinkage, first.planning.work_days_per_week)
        run = simulate(first, reps, seed, runner=runner) if through is None else _run_through(first, through, reps,
                                                                                              seed)
        now = Option(first, staff, money.yearly(staff, first.costs), run)
    return Decision(goals, reps, seed, options, now, verified_on)


def _run_through(s: Scenario, through, reps: int, seed: int) -> RunResult:
    verified, make_source = through(s)
    return simulate(verified, reps, seed, make_source=make_source)


def judged(t: FigureTable, goals: Goals, kind: str = "total", ident: str = "all") -> dict:
    """Each goal of one scope: the figure's estimate, the goal, whether the mean meets it, and the margin
    (how far the mean is on the right side of the goal; negative: short of it)."""
    out = {}
    for figure, goal, sign in (("service_level", goals.service_level, 1.0),
                               ("abandon_rate", goals.max_abandon_rate, -1.0)):
        e = t.estimate(figure, kind, ident, 0)
        if not math.isfinite(float(e.mean)):        # no calls offered: nobody was served badly
            out[figure] = {**e.to_json(), "goal": goal, "met": True, "margin": None}
            continue
        margin = sign * (float(e.mean) - goal)
        out[figure] = {**e.to_json(), "goal": goal, "met": bool(margin >= 0), "margin": round(margin, 6)}
    return out


def city_lines(t: FigureTable) -> list[str]:
    """Lines the city answers (provincial lines have no service figures)."""
    return [ident for kind, ident in t.scopes if kind == "line" and t.reports("service_level", "line", ident)]


def verdict(o: Option, goals: Goals) -> dict:
    """goals_met per goal (city total and every city line), the lines that miss, and the worst lines."""
    t = o.whole
    total = judged(t, goals)
    lines = {line: judged(t, goals, "line", line) for line in city_lines(t)}
    met = {g: total[g]["met"] and all(v[g]["met"] for v in lines.values()) for g in GOAL_FIGURES}
    missing = sorted(line for line, v in lines.items() if not all(v[g]["met"] for g in GOAL_FIGURES))
    worst = sorted(lines, key=lambda line: min(math.inf if lines[line][g]["margin"] is None
                                               else lines[line][g]["margin"] for g in GOAL_FIGURES))[:WORST_LINES]
    return {"goals_met": met, "all_goals_met": all(met.values()), "lines_missing_goals": missing,
            "worst_lines": worst, "total": total, "lines": lines}


def verified(o: Option) -> dict:
    """The verified figures of an option: total, per line (first queue and whole journey), per pool."""
    t = o.whole
    total = {f: t.estimate(f, group=0).to_json() for f in JOURNEY + ("offered", "occupancy")}
    lines = {line: {f: t.estimate(f, "line", line, 0).to_json() for f in JOURNEY + ("offered",)}
             for line in city_lines(t)}
    pools = {p: {f: t.estimate(f, "pool", p, 0).to_json() for f in POOL_FIGURES}
             for kind, p in t.scopes if kind == "pool"}
    return {"total": total, "lines": lines, "pools": pools}


def differences(base: Option, other: Option) -> dict:
    """Paired differences other - base (same callers, replication by replication), in total and per line."""
    a, b = base.whole, other.whole
    total = {f: difference(a, b, f, group=0).to_json() for f in JOURNEY}
    lines = {}
    for line in city_lines(b):
        d = {f: difference(a, b, f, "line", line, 0) for f in ("service_level", "abandon_rate_end_to_end")}
        if all(v is not None for v in d.values()):
            lines[line] = {f: v.to_json() for f, v in d.items()}
    return {"total": total, "lines": lines}


def staff_figures(o: Option, costs_margin: float) -> dict:
    """Headcount, people to employ, workstations, paid agent-hours a week and the cost of an option."""
    return {"headcount": o.staff.headcount, "headcount_with_shrinkage": o.staff.headcount_with_shrinkage,
            "seats": o.staff.workstations(costs_margin),
            "most_agents_at_work": sum(o.staff.most_at_work(k) for k in o.staff.pools),
            "agent_hours": round(o.staff.agent_hours_per_week, 1), "cost": o.cost}
