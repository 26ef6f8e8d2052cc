"""Goals over a day or a week, planned jointly with the shifts.

With ``targets: interval`` every half hour must meet the goals on its own
(``sim.plan.requirements``), then shifts cover that requirement.  A day's or
week's goal asks less: the calls answered within the threshold, summed over
the day, must reach the target share of the day's calls.  Agents then go
where they buy the most service, and shifts that must run anyway (the hours
around a peak) are counted for what they give.  One integer programme does
both (``solve``), extending the shift programme of ``sim.plan.rosters``:

- per interval k, from a floor n0_k of agents (``floor_agents``), each further
  agent m adds a known share of calls answered in time and of hang-ups avoided,
  exact from Erlang A (``curves``); a continuous variable z_{k,m} in [0, 1] takes
  it, and the agents on the phones must cover n0_k, the interval's outbound
  Erlangs (a fraction, not rounded up per interval) and the z taken;
- per day (or week) g: sum over k in g of the answered-in-time gains >= target
  x calls - what the floor already answers; likewise for hang-ups;
- the gains shrink with every agent (taken as a running minimum, which errs
  towards more agents), so the programme takes them in order.

It is solved with the shift variables relaxed (see ``solve``), then whole
tours cover the agents it places.

Simulation then corrects the goal each day is planned to, both ways: a day
that misses is planned to a higher share, a day that clears the goal beyond its
95% interval to a lower one (as Feldman et al. 2008 move staffing both ways).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from sim.input import clock
from sim.input.spec import Planning
from sim.plan.erlang import agents_for_target, erlang_a
from sim.plan.requirements import PoolLoad
from sim.plan.rosters import (WEEK_SECONDS_LIMIT, Roster, ScheduleError, check_coverable, no_roster_advice,
                              programme)
from sim.plan.rosters import solve as solve_cover

TOP_SERVICE_LEVEL = 0.995      # increments stop where an interval answers this share in time: more buys nothing
# Per interval, the agents looked at run from below the floor (where each further agent starts to gain less
# than the last: ``_curve`` looks from BELOW_LOAD_SDS square roots of the load under it, and further down while
# the gains only shrink) up to TOP_SERVICE_LEVEL.  (A fixed 60 agents from one up left any pool busier than
# about 55 Erlangs at 61 agents.)
BELOW_LOAD_SDS = 3.0


@dataclass
class Curve:
    """One pool's service curves per interval of the week, in calls per hour of the interval."""
    per_hour: np.ndarray               # calls per hour
    floor: np.ndarray                  # n0: agents every interval with calls gets (int)
    outbound_erlangs: np.ndarray
    within_at_floor: np.ndarray        # calls per hour answered within the threshold with n0 agents
    abandoned_at_floor: np.ndarray     # calls per hour hanging up with n0 agents
    within_gain: list                  # per interval: array, the m-th further agent's extra answered in time
    abandon_gain: list                 # per interval: array, the m-th further agent's hang-ups avoided


def curves(load: PoolLoad, threshold_seconds: float, floor_service_level: float | None) -> Curve:
    """Exact Erlang A curves of every interval of a pool's load (see the module's docstring)."""
    n_week = len(load.per_hour)
    floor = np.zeros(n_week, dtype=np.int64)
    within0, abandon0 = np.zeros(n_week), np.zeros(n_week)
    within_gain, abandon_gain = [np.zeros(0)] * n_week, [np.zeros(0)] * n_week
    cache: dict = {}
    for k in range(n_week):
        lam, secs, pat = load.per_hour[k], load.agent_seconds[k], load.patience_seconds[k]
        if lam <= 0 or secs <= 0:
            continue
        patience = None if math.isinf(pat) else pat
        key = (round(lam, 6), round(secs, 6), pat)
        if key not in cache:
            cache[key] = _curve(lam, secs, patience, threshold_seconds, floor_service_level)
        n0, sl, ab = cache[key]
        floor[k] = n0
        within0[k], abandon0[k] = lam * sl[0], lam * ab[0]
        within_gain[k] = np.minimum.accumulate(np.maximum(lam * np.diff(sl), 0.0))
        abandon_gain[k] = np.minimum.accumulate(np.maximum(-lam * np.diff(ab), 0.0))
    return Curve(load.per_hour, floor, load.outbound_erlangs, within0, abandon0, within_gain, abandon_gain)


def _curve(lam: float, secs: float, patience: float | None, threshold: float, floor_sl: float | None):
    """(n0, service levels, abandon shares) for n0, n0 + 1, ... agents."""
    load = lam * secs / 3600.0
    step = max(1, math.ceil(BELOW_LOAD_SDS * math.sqrt(load)))
    low = math.floor(load) + 1 if patience is None else max(1, math.floor(load) - step)
    top = max(agents_for_target(lam, secs, patience, threshold, TOP_SERVICE_LEVEL).agents, low + 1)
    figs: dict[int, object] = {}
    while True:
        for n in range(low, top + 1):
            if n not in figs:
                figs[n] = erlang_a(lam, secs, patience, n, threshold)
        ns = np.arange(low, top + 1)
        sl = np.array([figs[n].service_level for n in range(low, top + 1)])
        ab = np.array([figs[n].p_abandon for n in range(low, top + 1)])
        gains = np.diff(sl)
        # start where the gains begin to shrink: below that the curve is convex and the programme would take
        # a later agent before an earlier one.  Gains that only shrink from the first agent looked at may have
        # begun to shrink further down (impatient callers): look lower
        start = int(np.argmax(gains)) if len(gains) else 0
        if start > 0 or low == 1 or patience is None:
            break
        low = max(1, low - step)
    if floor_sl is not None:
        start = max(start, int(np.searchsorted(sl, floor_sl)) if sl[-1] >= floor_sl else len(sl) - 1)
    start = min(start, len(sl) - 1)
    return int(ns[start]), sl[start:], ab[start:]


def solve(pool: str, curve: Curve, planning: Planning, interval_minutes: int, groups: list[np.ndarray],
          service_level: np.ndarray, max_abandon: np.ndarray) -> tuple[Roster, np.ndarray]:
    """Cheapest roster whose agents meet, in each group of intervals (a day, the week), the share
    ``service_level[g]`` answered in time and at most ``max_abandon[g]`` hung up, by the curves.

    Two steps, for speed: the programme of the module's docstring with its shift variables relaxed to
    fractions (a linear programme: 0.1 s for a Fuyang pool, where the integer version with five-day tours and
    breaks ran into the 60 s limit 2-18% from its optimum) places the agents, interval by interval, where
    shifts and service make them cheapest; then the shift programme of ``sim.plan.rosters`` covers those
    agents, rounded up, with whole tours and breaks.  Returns the roster and the agents per interval it covers.
    A goal beyond what the curves reach is planned to what they reach.
    """
    n_week = len(curve.per_hour)
    # an hour with calls that no allowed shift covers makes the programme infeasible: say which hour, as the
    # interval goals do, not what the solver says
    check_coverable(pool, np.ceil(curve.floor + curve.outbound_erlangs), planning, interval_minutes)
    prog = programme(planning, interval_minutes, n_week)
    n_links = prog.A.shape[0] - n_week
    z_of, n_z = [], 0                               # per interval: first z variable, count
    for k in range(n_week):
        z_of.append((prog.n_vars + n_z, len(curve.within_gain[k])))
        n_z += len(curve.within_gain[k])
    n_rows = n_week + n_links + 2 * len(groups)
    A = lil_matrix((n_rows, prog.n_vars + n_z))
    A[:n_week + n_links, :prog.n_vars] = prog.A
    for k, (first, count) in enumerate(z_of):
        for m in range(count):
            A[k, first + m] = -1.0                     # agents on the phones beyond the floor pay for z
    lower = np.concatenate([curve.floor + curve.outbound_erlangs, np.zeros(n_links), np.zeros(2 * len(groups))])
    upper = np.concatenate([np.full(n_week, np.inf), np.zeros(n_links), np.full(2 * len(groups), np.inf)])
    for g, members in enumerate(groups):
        calls = curve.per_hour[members].sum()
        row_sl, row_ab = n_week + n_links + 2 * g, n_week + n_links + 2 * g + 1
        most_within = most_avoided = 0.0
        for k in members:
            first, count = z_of[k]
            for m in range(count):
                A[row_sl, first + m] = curve.within_gain[k][m]
                A[row_ab, first + m] = curve.abandon_gain[k][m]
            most_within += curve.within_gain[k].sum()
            most_avoided += curve.abandon_gain[k].sum()
        needed_within = service_level[g] * calls - curve.within_at_floor[members].sum()
        needed_avoided = curve.abandoned_at_floor[members].sum() - max_abandon[g] * calls
        lower[row_sl] = min(needed_within, most_within * REACHABLE)
        lower[row_ab] = min(needed_avoided, most_avoided * REACHABLE)
    cost = np.concatenate([prog.cost, np.zeros(n_z)])
    # a linear programme (no integer variables), solved by HiGHS through ``milp``
    res = milp(cost, integrality=np.zeros(len(cost)),
               bounds=Bounds(0, np.concatenate([np.full(prog.n_vars, np.inf), np.ones(n_z)])),
               constraints=LinearConstraint(A.tocsr(), lower, upper),
               options={"time_limit": WEEK_SECONDS_LIMIT, "disp": False})
    if res.x is None:       # the goals are capped at what the curves reach: the shifts cannot cover the floor
        raise ScheduleError(f"pool {pool!r}: {no_roster_advice(planning, res)}")
    counted = curve.floor + curve.outbound_erlangs + np.array([res.x[first:first + count].sum()
                                                               for first, count in z_of])
    requirement = np.ceil(counted - COUNTED_SLACK).astype(np.int64)
    return solve_cover(pool, requirement, planning, interval_minutes), requirement


REACHABLE = 1.0 - 1e-9      # a goal at exactly the curves' top is met by taking every increment
COUNTED_SLACK = 1e-6        # fractions of an agent the linear programme leaves by rounding error


def groups_of(kind: str, interval_minutes: int) -> list[np.ndarray]:
    """The intervals of the clock week each goal holds over: seven days, or the whole week."""
    n_week = clock.MINUTES_PER_WEEK // interval_minutes
    if kind == "week":
        return [np.arange(n_week)]
    per_day = clock.MINUTES_PER_DAY // interval_minutes
    return [np.arange(d * per_day, (d + 1) * per_day) for d in range(7)]
