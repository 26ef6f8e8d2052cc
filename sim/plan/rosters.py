"""Shift scheduling: the cheapest roster whose agents on the phones cover a requirement.

A set-covering integer programme (Dantzig 1954) solved with
``scipy.optimize.milp`` (HiGHS).  Per pool:

- with ``work_days_per_week`` W, a variable per tour: shift type, start time and a
  set of W working days (each agent works the same shift on those days);
  without it, a variable per shift type, start time and day;
- breaks are placed implicitly (Aykin 1996): per shift, start and day, a
  variable per allowed break start, summing to the agents working it;
- coverage: in every interval of the clock week, agents at work minus agents
  on break is at least the requirement;
- cost: paid hours times the shift type's cost factor.  The night premium is left
  out on purpose: weighting night hours makes small pools' programmes (one or two
  agents round the clock) run into the time limit (60 s and a 6% gap against 8 s to
  optimality, measured on Fuyang's 12349 pool), while every night hour must be
  covered by someone anyway; ``sim.plan.costs`` prices the premium on the roster found.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from sim.input import clock
from sim.input.spec import Planning, ShiftType
from sim.plan.costs import DEFAULT_WORK_DAYS_PER_WEEK, people_for

WEEK_SECONDS_LIMIT = 60.0      # HiGHS time limit per pool
MILP_INFEASIBLE = 2          # scipy.optimize.milp's status when no solution exists
MIP_RELATIVE_GAP = 1e-4


class ScheduleError(ValueError):
    """The requirement cannot be covered by the allowed shifts (says where)."""


@dataclass
class RosterRow:
    shift: str
    start_minute: int
    days: tuple[int, ...]
    agents: int
    paid_hours_each: float          # per agent per week
    cost_factor: float


@dataclass
class Roster:
    pool: str
    rows: list[RosterRow]
    on_phones: np.ndarray            # agents on the phones per interval of the week
    at_work: np.ndarray              # agents at work (on the phones or on break) per interval
    headcount: int
    paid_hours: float
    cost: float
    mip_gap: float
    planned_shifts: list[dict] = field(default_factory=list)   # entries for a scenario's pool.shifts


@dataclass
class Programme:
    """The shift programme's variables and rows, before any requirement: tours (one integer variable per shift
    type, start and set of days) and breaks; ``A`` has a coverage row per interval of the week (agents on the
    phones) and a row per (type, start, day) tying its breaks to its agents."""
    columns: list            # (type, start, days)
    breaks: list             # (type, start, day, offset)
    A: object                # scipy lil matrix, (n_week + links) x (columns + breaks)
    cost: np.ndarray         # paid hours x cost factor per variable (0 for breaks)
    n_week: int

    @property
    def n_vars(self) -> int:
        return len(self.columns) + len(self.breaks)


def programme(planning: Planning, interval_minutes: int, n_week: int) -> Programme:
    """Build the tours, breaks and their rows (see ``Programme``)."""
    work_days = planning.work_days_per_week
    columns = []
    for t, st in enumerate(planning.shifts):
        for start in st.starts:
            if work_days is None:
                columns += [(t, start, (d,)) for d in st.days]
            else:
                columns += [(t, start, days) for days in itertools.combinations(st.days, work_days)]
    breaks = []
    for t, st in enumerate(planning.shifts):
        if st.break_minutes:
            offsets = range(st.break_window[0], st.break_window[1] + 1, interval_minutes)
            breaks += [(t, start, d, o) for start in st.starts for d in st.days for o in offsets]
    n_vars = len(columns) + len(breaks)
    links = sorted({(t, start, d) for t, start, d, _ in breaks})
    A = lil_matrix((n_week + len(links), n_vars))
    cost = np.zeros(n_vars)
    for j, (t, start, days) in enumerate(columns):
        st = planning.shifts[t]
        cost[j] = st.minutes / 60.0 * len(days) * st.cost_factor
        for d in days:
            for k in _span(d, start, 0, st.minutes, interval_minutes, n_week):
                A[k, j] += 1
    link_row = {key: n_week + i for i, key in enumerate(links)}
    for j, (t, start, days) in enumerate(columns):
        for d in days:
            if (t, start, d) in link_row:
                A[link_row[(t, start, d)], j] = 1           # agents working it ...
    for b, (t, start, d, o) in enumerate(breaks):
        col = len(columns) + b
        st = planning.shifts[t]
        for k in _span(d, start, o, st.break_minutes, interval_minutes, n_week):
            A[k, col] -= 1
        A[link_row[(t, start, d)], col] = -1                # ... each take one break
    return Programme(columns, breaks, A, cost, n_week)


def solve(pool: str, requirement: np.ndarray, planning: Planning, interval_minutes: int) -> Roster:
    """Cheapest roster covering ``requirement`` (agents per interval of the clock week), in paid hours times
    the shifts' cost factors."""
    n_week = len(requirement)
    check_coverable(pool, requirement, planning, interval_minutes)
    prog = programme(planning, interval_minutes, n_week)
    n_links = prog.A.shape[0] - n_week
    lower = np.concatenate([requirement.astype(float), np.zeros(n_links)])
    upper = np.concatenate([np.full(n_week, np.inf), np.zeros(n_links)])
    res = milp(prog.cost, integrality=np.ones(prog.n_vars), bounds=Bounds(0, np.inf),
               constraints=LinearConstraint(prog.A.tocsr(), lower, upper),
               options={"time_limit": WEEK_SECONDS_LIMIT, "mip_rel_gap": MIP_RELATIVE_GAP, "disp": False})
    if res.x is None:
        raise ScheduleError(f"pool {pool!r}: {no_roster_advice(planning, res)}")
    return roster_of(pool, prog, np.round(res.x[:prog.n_vars]).astype(np.int64), planning, res)


def no_roster_advice(planning: Planning, res) -> str:
    """Why HiGHS found no roster (``res``: what ``milp`` returned) and what to change, once every interval that
    needs agents has a shift that covers it (``check_coverable``)."""
    if res.status == MILP_INFEASIBLE and any(st.break_minutes for st in planning.shifts):
        # every interval has a shift, so breaks are what leaves one without an agent
        return ("no mix of these shifts covers every interval once their agents take their breaks: where a "
                "shift's break must fall, no other shift is at work; widen break within_hours or add starts")
    if res.status == MILP_INFEASIBLE:
        return ("no mix of these shifts covers every interval that needs agents (with work_days_per_week, every "
                "agent works the same shift on that many of its days); add starts or days, or plan each day on "
                "its own (leave work_days_per_week out)")
    return (f"no roster was found within {WEEK_SECONDS_LIMIT:g} s ({res.message}); give fewer starts or shift "
            "types, or longer interval_minutes")


def roster_of(pool: str, prog: Programme, x: np.ndarray, planning: Planning, res) -> Roster:
    """The roster a solution ``x`` of the programme's variables describes."""
    n_week, columns = prog.n_week, prog.columns
    on_phones = (prog.A[:n_week].tocsr() @ x).astype(np.int64)
    at_work = np.asarray(prog.A[:n_week, :len(columns)].tocsr().maximum(0) @ x[:len(columns)]).astype(np.int64)
    rows, paid, total_cost = [], 0.0, 0.0
    for j, (t, start, days) in enumerate(columns):
        if x[j] <= 0:
            continue
        st = planning.shifts[t]
        rows.append(RosterRow(st.name, start, days, int(x[j]), st.minutes / 60.0 * len(days), st.cost_factor))
        paid += x[j] * st.minutes / 60.0 * len(days)
        total_cost += x[j] * prog.cost[j]
    by_day = [sum(r.agents for r in rows if d in r.days) for d in range(clock.DAYS_PER_WEEK)]
    headcount = (sum(r.agents for r in rows) if planning.work_days_per_week is not None
                 else people_for(by_day, DEFAULT_WORK_DAYS_PER_WEEK))
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    planned = _planned_shifts(columns, prog.breaks, x, planning)
    return Roster(pool, rows, on_phones, at_work, int(headcount), float(paid), float(total_cost), gap, planned)


def _span(day: int, start: int, offset: int, minutes: int, interval_minutes: int, n_week: int):
    first = (day * clock.MINUTES_PER_DAY + start + offset) // interval_minutes
    return [(first + i) % n_week for i in range(minutes // interval_minutes)]


def check_coverable(pool: str, requirement: np.ndarray, planning: Planning, interval_minutes: int):
    """Every interval that needs agents must lie inside some allowed shift (breaks aside)."""
    n_week = len(requirement)
    covered = np.zeros(n_week, dtype=bool)
    for st in planning.shifts:
        for start in st.starts:
            for d in st.days:
                covered[_span(d, start, 0, st.minutes, interval_minutes, n_week)] = True
    bare = np.flatnonzero((requirement > 0) & ~covered)
    if len(bare):
        day, time = clock.label(int(bare[0]) * interval_minutes)
        more = f" and {len(bare) - 1} more intervals" if len(bare) > 1 else ""
        raise ScheduleError(
            f"pool {pool!r} needs agents on {day} {time}{more} ({int(requirement[bare[0]])} then), but no "
            f"shift in planning.shifts covers that time: add a shift (or a start time) that does")


def _planned_shifts(columns, breaks, x, planning: Planning) -> list[dict]:
    """The roster as scenario shift entries, one per shift, start, day and break time."""
    n_cols = len(columns)
    working = {}
    for j, (t, start, days) in enumerate(columns):
        for d in days:
            working[(t, start, d)] = working.get((t, start, d), 0) + int(x[j])
    entries = []
    for b, (t, start, d, o) in enumerate(breaks):
        agents = int(x[n_cols + b])
        if agents > 0:
            st = planning.shifts[t]
            entries.append(_entry(st, start, d, agents, {"after_minutes": o, "minutes": st.break_minutes}))
    for (t, start, d), agents in sorted(working.items()):
        st = planning.shifts[t]
        if agents > 0 and not st.break_minutes:
            entries.append(_entry(st, start, d, agents, None))
    return entries


def _entry(st: ShiftType, start: int, day: int, agents: int, brk: dict | None) -> dict:
    entry = {"name": st.name, "start": f"{start // 60:02d}:{start % 60:02d}", "hours": st.minutes / 60,
             "days": [clock.WEEKDAYS[day]], "agents": agents}
    if brk:
        entry["break"] = brk
    return entry
