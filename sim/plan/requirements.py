"""Staff requirements: the fewest agents on the phones per pool and interval of the week.

Two steps:

1. Analytic (SIPP, "stationary independent period by period"): each interval's
   load on each pool (its own callers, transferred-in callers, expected outbound
   work) is staffed as if it lasted for ever, with exact Erlang A (Erlang C when
   nobody hangs up) from ``sim.plan.erlang``.
2. Simulation-corrected: SIPP misjudges the intervals after a peak (the queue
   built in the peak is still there) and ignores transfers, overflow, redials
   and outbound work.  Following the iterative staffing algorithm of Feldman,
   Mandelbaum, Massey & Whitt (2008, Management Science 54(2)), the model is
   simulated with the current requirement as its staffing and the requirement
   is raised wherever the simulated interval misses the scenario's targets
   beyond its 95% interval; repeated until no interval misses.  Where the ISA
   sets staffing from the tail of the number in system for a delay-probability
   target, this version judges each interval on the scenario's own targets
   (service level within the threshold and the abandonment ceiling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from sim.input import clock
from sim.input.spec import Pool, Scenario
from sim.model.codes import PLAIN, WARM
from sim.model.routing import compile_routes
from sim.plan.erlang import agents_for_target
from sim.results.estimate import USEFUL_INTERVAL_HALF_WIDTH, Estimate, replications_for
from sim.results.figures import table
from sim.run.runs import RunResult, simulate

SIPP_CACHE_ENTRIES = 65536     # (interval load, target) pairs remembered: a year of intervals of a few pools


@dataclass
class PoolLoad:
    """Per interval of the clock week: calls per hour, mean agent seconds, mean patience, outbound Erlangs."""
    per_hour: np.ndarray
    agent_seconds: np.ndarray
    patience_seconds: np.ndarray       # inf where nobody hangs up
    outbound_erlangs: np.ndarray

    @property
    def offered_erlangs(self) -> np.ndarray:
        """Inbound load (calls per hour x hours per call) plus outbound work, in Erlangs."""
        return self.per_hour * self.agent_seconds / 3600.0 + self.outbound_erlangs


def week_intervals(s: Scenario) -> int:
    return clock.MINUTES_PER_WEEK // s.interval_minutes


def pool_loads(s: Scenario) -> dict[str, PoolLoad]:
    """The load on every pool in each interval of the clock week (busyness factors at their mean 1)."""
    routes = compile_routes(s)
    n_week = week_intervals(s)
    flows = {p: [] for p in s.pools}          # (per_hour array, agent seconds, theta)
    callbacks = {p: np.zeros(n_week) for p in s.pools}   # agent-hours a week of closed lines' callbacks
    journeys: list[Journey] = []              # where each stream of callers may hang up and is finished
    for line in s.city_lines:
        open_share = open_share_by_interval(line, s.interval_minutes)
        rate = line.arrivals.week_per_hour * open_share
        closed_rate = line.arrivals.week_per_hour - rate
        theta = 0.0 if line.patience is None else 1.0 / max(line.patience.mean, 1e-9)
        rule = line.when_closed
        for g in routes.line_routes[routes.line_ids.index(line.id)]:
            route = routes.routes[g]
            c = route.category
            finish_seconds = c.handle.mean + (c.wrapup.mean if c.wrapup is not None else 0.0)
            if rule is not None and rule.kind == "to":      # put through: finished by the other line's pool
                other = s.lines[rule.to].pool
                flows[other].append((closed_rate * c.share, finish_seconds * rule.handle_factor, theta))
                journeys.append(Journey(closed_rate * c.share, other, theta, other, None))
            elif rule is not None and rule.kind == "callback":   # made when the line is open again
                hours = closed_rate * c.share * s.interval_minutes / 60.0 * finish_seconds / 3600.0
                callbacks[line.pool] += after_opening(hours, open_share, rule.within_seconds / 60.0,
                                                      s.interval_minutes)
            if route.kind == PLAIN:
                flows[line.pool].append((rate * c.share, finish_seconds, theta))
                journeys.append(Journey(rate * c.share, line.pool, theta, line.pool, None))
                continue
            tr = c.transfer
            first = tr.triage.mean + (tr.delay.mean if route.kind == WARM else 0.0)
            flows[line.pool].append((rate * c.share, first, theta))
            law = tr.patience or line.patience
            finish, transfer_theta = routes.pool_ids[route.finish_pool], 0.0 if law is None else 1.0 / max(law.mean, 1e-9)
            flows[finish].append((rate * c.share, finish_seconds, transfer_theta))
            journeys.append(Journey(rate * c.share, line.pool, theta, finish, transfer_theta))
    loads = {}
    for p, parts in flows.items():
        per_hour = sum((f[0] for f in parts), np.zeros(n_week))
        with np.errstate(invalid="ignore", divide="ignore"):
            seconds = np.where(per_hour > 0, sum((f[0] * f[1] for f in parts), np.zeros(n_week)) / per_hour, 0)
            theta = np.where(per_hour > 0, sum((f[0] * f[2] for f in parts), np.zeros(n_week)) / per_hour, 0)
            patience = np.where(theta > 0, 1.0 / theta, np.inf)
        loads[p] = PoolLoad(per_hour, seconds, patience, callbacks[p] / (s.interval_minutes / 60.0))
    _add_outbound(s, loads, journeys)
    return loads


@dataclass
class Journey:
    """A stream of callers (calls per hour, per interval of the clock week): the pool whose queue they join
    first, where they may hang up (``theta``: 1 / mean patience, per second; 0: nobody hangs up), and the pool
    that finishes their call (``transfer_theta``: hang-ups in its queue after a transfer; None: no transfer)."""
    per_hour: np.ndarray
    entry: str
    theta: float
    finish: str
    transfer_theta: float | None


def after_opening(work: np.ndarray, open_share: np.ndarray, within_minutes: float,
                  interval_minutes: int) -> np.ndarray:
    """``work`` (per interval of the clock week) that comes in while a line is closed, moved to where it is
    done: the first ``within_minutes`` of the line's next opening, spread by the share of each interval the
    line is open.  A night's callbacks are due within hours of the morning's opening, not over the whole day."""
    out = np.zeros(len(work))
    n_week = len(work)
    if not open_share.any():
        return out                      # never open: the work is never done (the model books it as never made)
    span = max(1, math.ceil(within_minutes / interval_minutes))
    for k in np.flatnonzero(work > 0):
        first = next(j % n_week for j in range(k + 1, k + 1 + n_week) if open_share[j % n_week] > 0)
        window = [(first + m) % n_week for m in range(span)]
        weights = open_share[window]
        out[window] += work[k] * weights / weights.sum()
    return out


def open_share_by_interval(line, interval_minutes: int) -> np.ndarray:
    """Share of each interval of the clock week in which the line is open (1 for a line open 7x24)."""
    n_week = clock.MINUTES_PER_WEEK // interval_minutes
    if line.open_minutes is None:
        return np.ones(n_week)
    return line.open_minutes.reshape(n_week, interval_minutes).mean(axis=1)


def _add_outbound(s: Scenario, loads: dict[str, PoolLoad], journeys: list[Journey]):
    """Add each pool's expected outbound agent time, spread evenly over its outbound hours, every day; without
    hours, over the intervals its callers come in (agents are on duty then): a pool whose lines close at
    night would otherwise get a paid night shift for a twentieth of an agent's work.

    A callback follows a hang-up in the queue a caller joined first, and is made by that pool; a return visit
    follows a call finished, and is made by the pool that finished it (after a transfer, not the one that
    triaged it), as the model does (``sim.model.outbound``).  Hang-ups are those the scenario's targets
    leave, each interval staffed as SIPP would (``abandon_shares``): not the ceiling, which no plan that meets
    its service level comes near, and none for callers who never hang up."""
    per_day = clock.MINUTES_PER_DAY // s.interval_minutes
    minute_of_day = (np.arange(week_intervals(s)) % per_day) * s.interval_minutes
    abandon = abandon_shares(s, loads)
    missed = {p: np.zeros(week_intervals(s)) for p in loads}        # hang-ups per hour, by the pool they left
    finished = {p: np.zeros(week_intervals(s)) for p in loads}      # calls finished per hour, by the pool
    for journey in journeys:
        left = _hang_up_share(abandon[journey.entry], loads[journey.entry], journey.theta)
        missed[journey.entry] += journey.per_hour * left
        reached = journey.per_hour * (1.0 - left)
        if journey.transfer_theta is not None:
            reached = reached * (1.0 - _hang_up_share(abandon[journey.finish], loads[journey.finish],
                                                      journey.transfer_theta))
        finished[journey.finish] += reached
    hours_per_interval = s.interval_minutes / 60.0
    for o in s.outbound:
        triggers = missed if o.trigger == "missed" else finished
        for p, load in loads.items():
            if o.hours is not None:
                open_ = (minute_of_day >= o.hours[0]) & (minute_of_day < o.hours[1])
            elif (load.per_hour > 0).any():
                open_ = load.per_hour > 0
            else:
                open_ = np.ones(len(minute_of_day), dtype=bool)
            calls_per_day = triggers[p].sum() * hours_per_interval / 7.0
            agent_hours_per_day = calls_per_day * o.share * o.handle.mean / 3600.0
            open_hours_per_day = open_.sum() / 7.0 * hours_per_interval
            load.outbound_erlangs[open_] += agent_hours_per_day / max(open_hours_per_day, 1e-9)


def abandon_shares(s: Scenario, loads: dict[str, PoolLoad]) -> dict[str, np.ndarray]:
    """Per pool and interval of the clock week: the share of its callers who hang up in its queue when the
    interval is staffed to the scenario's targets on its own (SIPP, exact Erlang A; 0 where nobody hangs up)."""
    out = {}
    for p, load in loads.items():
        figures = _inbound_figures(s, load, s.service_level_target)
        out[p] = np.array([0.0 if f is None else f.p_abandon for f in figures])
    return out


def _hang_up_share(pool_abandon: np.ndarray, load: PoolLoad, theta: float) -> np.ndarray:
    """Share of a stream of callers with patience rate ``theta`` who hang up in a pool whose callers hang up
    ``pool_abandon`` of the time: in proportion to their rate of hanging up against the pool's mean one (all
    wait alike in a first-come queue, and hang up at their own rate while they wait)."""
    if theta <= 0:
        return np.zeros(len(pool_abandon))
    with np.errstate(invalid="ignore", divide="ignore"):
        pool_theta = np.where(np.isfinite(load.patience_seconds), 1.0 / load.patience_seconds, 0.0)
        share = np.where(pool_theta > 0, pool_abandon * theta / pool_theta, 0.0)
    return np.minimum(share, 1.0)


def _inbound_figures(s: Scenario, load: PoolLoad, target: float) -> list:
    """Per interval of the clock week: the Erlang A/C figures of the fewest agents meeting ``target`` and the
    abandonment ceiling for the pool's inbound callers alone (None where no call comes)."""
    return [_sipp(float(lam), float(secs), float(pat), s.threshold_seconds, target, s.max_abandon_rate)
            if lam > 0 and secs > 0 else None
            for lam, secs, pat in zip(load.per_hour, load.agent_seconds, load.patience_seconds)]


@lru_cache(maxsize=SIPP_CACHE_ENTRIES)
def _sipp(per_hour: float, agent_seconds: float, patience_seconds: float, threshold_seconds: float,
          target: float, max_abandon_rate: float):
    # remembered: the outbound sizing and the requirement ask for the same intervals, and a plan's
    # iterations for the same intervals again
    return agents_for_target(per_hour, agent_seconds, None if math.isinf(patience_seconds) else patience_seconds,
                             threshold_seconds, target, max_abandon_rate)


def analytic(s: Scenario, loads: dict[str, PoolLoad], service_level_target: float | None = None) -> dict[str, np.ndarray]:
    """SIPP: the Erlang A/C requirement of each interval on its own, plus outbound work (rounded up)."""
    target = s.service_level_target if service_level_target is None else service_level_target
    out = {}
    for p, load in loads.items():
        inbound = [0 if f is None else f.agents for f in _inbound_figures(s, load, target)]
        out[p] = np.array([n + math.ceil(extra - 1e-9) for n, extra in zip(inbound, load.outbound_erlangs)],
                          dtype=np.int64)
    return out


def with_staffing(s: Scenario, agents: dict[str, np.ndarray]) -> Scenario:
    """The scenario with each pool staffed by ``agents[pool]`` per interval of the clock week.

    Its raw text says so too (``seats_by_interval``), so that it is stored,
    written and read back as the scenario that ran.
    """
    pools = {p: Pool(p, np.repeat(np.asarray(agents[p], dtype=np.int64), s.interval_minutes)) for p in s.pools}
    raw = dict(s.raw, pools={p: {"seats_by_interval": [int(x) for x in agents[p]]} for p in s.pools})
    return replace(s, pools=pools, raw=raw)


@dataclass
class IntervalCheck:
    """Simulated figures per pool and interval of the clock week, with 95% intervals."""
    offered: dict[str, np.ndarray]          # mean calls per replication
    service_level: dict[str, Estimate]      # arrays over the intervals
    abandon_rate: dict[str, Estimate]
    missed: dict[str, np.ndarray]           # True where a target is missed beyond the interval

    def any_missed(self) -> bool:
        return any(m.any() for m in self.missed.values())

    def median_half_width(self) -> float:
        """The median 95% half-width of the service level (a share) over the intervals where calls came, all
        pools together: how large a miss the check can see (nan: no calls)."""
        halves = [np.asarray(self.service_level[p].half_width())[self.offered[p] > 0] for p in self.offered]
        halves = np.concatenate(halves) if halves else np.zeros(0)
        halves = halves[np.isfinite(halves)]
        return float(np.median(halves)) if len(halves) else math.nan


def interval_precision_warning(check: IntervalCheck, replications: int) -> str | None:
    """A line when the intervals a plan judged one by one are known too roughly to see a miss
    (``USEFUL_INTERVAL_HALF_WIDTH``), with the replications that would do; None when they are not."""
    half = check.median_half_width()
    needed = replications_for(half, replications, USEFUL_INTERVAL_HALF_WIDTH)
    if not needed > replications:
        return None
    return (f"with {replications} replications an interval's service level is known to ±{100 * half:.0f} points "
            f"(the median 95% interval over the intervals with calls), so an interval missing its target by less "
            f"goes unseen and `targets met` says little; about {needed} replications would bring it to "
            f"±{100 * USEFUL_INTERVAL_HALF_WIDTH:.0f} points (-r {needed}, or planning.replications)")


def check_intervals(s: Scenario, result: RunResult) -> IntervalCheck:
    """Judge every pool and interval of the week against the scenario's targets.

    Weeks of a longer horizon are pooled.  An interval misses when even the
    upper end of its service-level interval is below the target, or the lower
    end of its abandonment interval is above the ceiling.
    """
    t = table(result, "interval_of_week")
    offered, sl, ab, missed = {}, {}, {}, {}
    for p in s.pools:
        offered[p] = t.per_replication("offered", "pool", p).mean(axis=0)
        sl[p] = t.estimate("service_level", "pool", p)
        ab[p] = t.estimate("abandon_rate", "pool", p)
        with np.errstate(invalid="ignore"):
            miss = (sl[p].high < s.service_level_target) | (ab[p].low > s.max_abandon_rate)
        missed[p] = miss & (offered[p] > 0)
    _missed_by_lines(s, result, t, missed)
    return IntervalCheck(offered, sl, ab, missed)


def lines_missing_goals(s: Scenario, result: RunResult) -> list[str]:
    """The lines whose mean over the whole horizon misses a goal, as ``decide`` judges every line: a line of
    callers more impatient than its pool's others can, while the pool meets its targets.  Judged over the
    horizon, not day by day or interval by interval, where a small line's few calls make the mean noise."""
    whole = table(result, "whole")
    missing = []
    for j, line in s.lines.items():
        if line.pool is None or not whole.reports("service_level", "line", j):
            continue
        sl = float(np.asarray(whole.estimate("service_level", "line", j).mean).reshape(-1)[0])
        ab = float(np.asarray(whole.estimate("abandon_rate", "line", j).mean).reshape(-1)[0])
        if sl < s.service_level_target or ab > s.max_abandon_rate:
            missing.append(j)
    return missing


def _missed_by_lines(s: Scenario, result: RunResult, t, missed: dict[str, np.ndarray]):
    """A line that misses a goal over the horizon (``lines_missing_goals``) marks its pool's intervals where the
    line's own mean misses: agents go there, as for the pool's own misses."""
    for j in lines_missing_goals(s, result):
        line = s.lines[j]
        offered = t.per_replication("offered", "line", j).mean(axis=0)
        with np.errstate(invalid="ignore"):
            short = ((t.estimate("service_level", "line", j).mean < s.service_level_target)
                     | (t.estimate("abandon_rate", "line", j).mean > s.max_abandon_rate))
        missed[line.pool] = missed[line.pool] | (short & (offered > 0))


def corrected(s: Scenario, start: dict[str, np.ndarray], replications: int, seed: int,
              max_rounds: int = 8, progress=None, runner=None) -> tuple[dict[str, np.ndarray], int]:
    """Raise the requirement where the simulated model misses its targets; returns it and the rounds run."""
    need = {p: v.copy() for p, v in start.items()}
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        result = simulate(with_staffing(s, need), replications, seed, runner=runner)
        check = check_intervals(s, result)
        if progress is not None:
            progress(rounds, check)
        if not check.any_missed():
            break
        for p, miss in check.missed.items():
            gap = np.nan_to_num(s.service_level_target - check.service_level[p].mean, nan=0.0)
            # about one agent per 10 points of service level missed, at least one
            need[p][miss] += np.clip(np.ceil(gap[miss] / 0.10), 1, 3).astype(np.int64)
    return need, rounds
