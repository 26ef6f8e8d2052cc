"""Outbound work: callbacks of missed calls and return visits, made by the same agents.

A job is created for a share of its trigger (a hang-up, or an answered call),
may be made from ``after`` seconds later, and is made when an agent is free,
no inbound caller waits, at least ``reserve_agents`` colleagues stay free, and
(when given) within the clock ``hours``.  Jobs that could be made now count
as work waiting in the pool, so the pool wakes up for them like for callers;
outside their hours they wait for the opening, which wakes every pool.
Whether a caller's callback or return visit happens, and how long it takes,
is drawn with the caller (``Block.outbound_draw``), so two scenarios compared
on the same callers give the same callers the same outbound work.
"""

from __future__ import annotations

from functools import partial
from heapq import heappop, heappush

import numpy as np

from sim.input.clock import MINUTES_PER_DAY
from sim.model import events
from sim.model.pool import NO_JOB

SECONDS_PER_DAY = 86400.0
INF = float("inf")
FOLD_JOBS = 4096


class OutboundWork:
    """The outbound jobs of one replication (``model`` is the ``engine.Replication``)."""

    def __init__(self, model):
        self.model = model
        self.s = model.s
        self.start_minute = model.s.start_minute
        self.horizon_seconds = model.s.horizon_seconds
        self.kinds = model.outbound
        self.windows = [(o.after_seconds, o.within_seconds, o.hours) for o in self.kinds]     # read per job
        self.counters = model.counters
        self.missed_kinds = [(k, o.share) for k, o in enumerate(self.kinds) if o.trigger == "missed"]
        # Jobs an answer triggers that no pool could start before the next interval boundary (a return visit, a
        # day later) go into a flat list of their kind (time, pool, seconds, a job after another) and join their
        # pools' pending jobs together (``place_later``) at the boundary before the first of them could become
        # available: a job then costs an append, not ``create``'s hundred steps (a return visit follows a
        # quarter of the Fuyang plan's answers).  Nothing changes: no pool looks at a pending job before it is
        # available, and the jobs of a kind keep their order of creation.
        interval_seconds = model.s.interval_seconds
        # (kind, share, its list of jobs created for later, or None: created at once) per kind an answer triggers
        self.handled_kinds = [(k, o.share, [] if o.after_seconds > interval_seconds else None)
                              for k, o in enumerate(self.kinds) if o.trigger == "handled"]
        self.later_kinds = [(k, later) for k, _, later in self.handled_kinds if later is not None]
        # no job created for later becomes available before ``placed_at + later_span`` (s): none was created before
        self.later_span = min((self.kinds[k].after_seconds for k, _ in self.later_kinds), default=INF)
        self.placed_at = 0.0
        self.created_blocks: list[tuple[np.ndarray, np.ndarray]] = []    # time, pool of jobs placed, not yet booked
        self.sequence = 0
        # flat, a job after another (a flat list of numbers becomes an array several times faster than tuples):
        self.made: list[float] = []         # time, pool, due, seconds of jobs made, not yet booked
        self.created: list[float] = []      # time, pool of jobs created, not yet booked
        self.reserve = [o.reserve_agents for o in self.kinds]
        self.open = [True] * len(self.kinds)   # within its clock hours now (kinds without hours: always)
        self.opened_at = [None] * len(self.kinds)   # the last opening of the kind's hours (s): its take is due then
        # the clock as well as the flag: agents who come on duty at the closing moment, before the closing event
        # itself, must find the hours closed; the flag is set at an opening, so the clock is open until then
        self.open_until = [INF] * len(self.kinds)

    def start(self):
        """Before the run: open and close the clock hours of each kind that has them, every day."""
        for k, o in enumerate(self.kinds):
            if o.hours is not None:
                self.open[k] = self.is_open(0.0, o.hours)
                if self.open[k]:
                    self.open_until[k] = self.next_close(0.0, o.hours)
                self._next_change(k, 0.0)
        self._set_job_floor()

    def _set_job_floor(self):
        """Tell the pools how many agents must be free before any job may start: the least reserve of the kinds
        open now (none open: no job may start, and a finishing agent need not look)."""
        floor = min((r for r, is_open in zip(self.reserve, self.open) if is_open), default=NO_JOB)
        for pool in self.model.pools:
            pool.job_floor = floor
            pool.ready_jobs()

    def _next_change(self, k: int, t: float):
        hours = self.kinds[k].hours
        when = self.next_close(t, hours) if self.open[k] else self.next_open(t, hours)
        if when < self.s.horizon_seconds:
            events.urgent(self.model.env, when, partial(self._change, k))

    def _change(self, k: int, _event):
        """Outbound hours open (idle agents start on the jobs that waited) or close."""
        now = self.model.env._now
        for pool in self.model.pools:       # agents who finished before now must see the hours as they were
            pool.catch_up(now)
        self.open[k] = not self.open[k]
        self._set_job_floor()
        if self.open[k]:
            self.opened_at[k] = now
            self.open_until[k] = self.next_close(now, self.kinds[k].hours)
            # agents take the waiting jobs after every change of staffing due now (an ordinary event comes after
            # the urgent ones): a shift that ends at the opening starts no job at it
            events.at(self.model.env, now, partial(self._take_opened, k))
        self._next_change(k, now)

    def _take_opened(self, k: int, _event):
        now = self.model.env._now
        for pool in self.model.pools:
            pool.catch_up(now)
            if pool.pending_at <= now:
                pool.merge_available(now)
            if pool.jobs[k]:
                if pool.n_free > 0:
                    pool.take_work(now)
                else:
                    pool.arm()          # the jobs now wait like callers: a wake-up when enough agents finish

    def missed(self, pool, block, i: int, t: float, now: float | None = None):
        """Call ``i`` of ``block``, a caller of ``pool``, hung up at ``t``: maybe a callback.

        ``now``, when later than ``t``: the hang-up is found only now (see ``Pool.take_work``)."""
        for k, share in self.missed_kinds:
            if block.outbound_draw[k][i] < share:
                self.create(k, pool, t, block.outbound_seconds[k][i], now)

    def handled(self, pool, block, i: int, t: float):
        """Call ``i`` of ``block`` is being handled by ``pool`` from ``t``: maybe a return visit later."""
        for k, share, later in self.handled_kinds:
            if block.outbound_draw[k][i] < share:
                if later is not None:
                    later += (t, pool.index, block.outbound_seconds[k][i])
                else:
                    self.create(k, pool, t, block.outbound_seconds[k][i])

    def create(self, k: int, pool, t: float, seconds: float, now: float | None = None,
               available: float | None = None, due: float | None = None):
        """A job of kind ``k`` for ``pool``, created at ``t``, taking ``seconds`` of an agent's time.  It needs no
        event: the pool takes it in when it catches up past the moment it becomes available, in time order with
        its agents' ends (``Pool.catch_up``).  ``now``: see ``missed``; a job whose time has passed joins the
        pool at once (no agent could have taken it since: see ``Pool.take_work``).  ``available`` and
        ``due`` (seconds) replace the kind's own window (a closed line's callback: from its opening)."""
        self.created += (t, pool.index)
        if available is None:
            after, within, hours = self.windows[k]
            available = t + after
            due = available + within
        else:
            hours = self.kinds[k].hours
        if hours is not None:
            # ``next_open``, inlined: a job is created for a quarter of the Fuyang plan's answered calls
            minute = (self.start_minute + available / 60.0) % MINUTES_PER_DAY
            if not hours[0] <= minute < hours[1]:
                available = available + (hours[0] - minute) % MINUTES_PER_DAY * 60.0
        if available >= self.horizon_seconds:
            return                                      # it would be made after the reported horizon
        self.sequence += 1
        if now is not None and available <= now:
            # found late (inside ``Pool.take_work``): it has been waiting all along, so it joins the pool's
            # jobs at once, before this very take reaches its outbound work
            heappush(pool.jobs[k], (due, self.sequence, seconds))
            pool.ready_jobs()
            return
        pool.add_pending((available, k, due, self.sequence, seconds))

    def take(self, pool, now: float):
        """Free agents with no inbound caller waiting make outbound calls, earliest due first."""
        k = 0
        for jobs in pool.jobs:
            if jobs and self.open[k] and pool.n_free > self.reserve[k] and now < self.open_until[k]:
                made, floor = self.made, self.reserve[k]
                while True:
                    due, _, seconds = heappop(jobs)
                    pool.hold(now, seconds)
                    made += (now, pool.index, due, seconds)
                    if not jobs:
                        pool.ready_jobs()
                        break
                    if pool.n_free <= floor:
                        break
            k += 1

    def at_boundary(self, now: float):
        """At an interval boundary (``now``, s): place the jobs created for later once one of them could become
        available before the next boundary; book the jobs so far once there are many."""
        if self.placed_at + self.later_span <= now + self.s.interval_seconds or not self.waiting_later():
            self.place_later()
            self.placed_at = now
        self.fold_if_full()

    def place_later(self):
        """The jobs in ``later``, created in order, join their pools' pending jobs, as ``create`` would have
        placed each of them: the same availability and due time (numpy's float arithmetic is Python's), the
        same order among the jobs of a kind."""
        for k, later in self.later_kinds:
            if not later:
                continue
            t, pool, seconds = np.asarray(later, dtype=float).reshape(-1, 3).T
            later.clear()
            self.created_blocks.append((t, pool))
            after, within, hours = self.windows[k]
            available = t + after
            due = available + within
            if hours is not None:           # ``next_open``, as in ``create``
                minute = self.minute_of_day(available)
                shut = (minute < hours[0]) | (minute >= hours[1])
                available = np.where(shut, available + (hours[0] - minute) % MINUTES_PER_DAY * 60.0, available)
            kept = available < self.horizon_seconds     # else made after the reported horizon: never made
            if not kept.all():
                available, due, seconds, pool = available[kept], due[kept], seconds[kept], pool[kept]
                if not len(available):
                    continue
            # by pool, each pool's jobs in their order of creation, which their sequence numbers keep
            order = np.argsort(pool, kind="stable")
            pool, available = pool[order], available[order]
            times = available.tolist()
            entries = list(zip(times, [k] * len(times), due[order].tolist(), (order + (self.sequence + 1)).tolist(),
                               seconds[order].tolist()))
            self.sequence += len(times)
            out_of_order = (available[1:] < available[:-1]).tolist()
            cuts = [0, *(np.flatnonzero(pool[1:] != pool[:-1]) + 1).tolist(), len(times)]
            for start, stop in zip(cuts, cuts[1:]):
                target = self.model.pools[int(pool[start])]
                run = target.pending_run
                if (not run or times[start] >= run[-1][0]) and not any(out_of_order[start:stop - 1]):
                    run.extend(entries[start:stop])         # ``Pool.add_pending`` for a run in order, at once
                    if times[start] < target.pending_at:
                        target.pending_at = times[start]
                else:
                    for entry in entries[start:stop]:
                        target.add_pending(entry)

    def waiting_later(self) -> int:
        """Jobs created for later, not yet placed."""
        return sum(len(later) for _, later in self.later_kinds) // 3

    def fold_if_full(self):
        """Book the jobs so far once there are many (at each interval's end: not per job, where it is slow)."""
        if len(self.made) >= 4 * FOLD_JOBS or len(self.created) >= 2 * FOLD_JOBS:
            self.fold()

    def fold(self):
        """Book the jobs created and made so far into the counters (in bulk: a scalar update per job is slow)."""
        # jobs still waiting to be placed are booked as created (at the run's end they lie after the horizon)
        self.place_later()
        add = self.counters.add_pool_many
        interval_seconds = self.s.interval_seconds
        if self.created or self.created_blocks:
            t, pool = np.asarray(self.created).reshape(-1, 2).T
            if self.created_blocks:
                times, pools = zip(*self.created_blocks)
                t, pool = np.concatenate([t, *times]), np.concatenate([pool, *pools])
                self.created_blocks = []
            add((t // interval_seconds).astype(np.int64), pool.astype(np.int64), {"outbound_created": None})
            self.created = []
        if self.made:
            now, pool, due, seconds = np.asarray(self.made, dtype=float).reshape(-1, 4).T
            add((now // interval_seconds).astype(np.int64), pool.astype(np.int64),
                {"outbound_made": None, "outbound_on_time": now <= due, "outbound_seconds": seconds})
            self.made = []

    def minute_of_day(self, t: float) -> float:
        return (self.start_minute + t / 60.0) % MINUTES_PER_DAY

    def is_open(self, t: float, hours) -> bool:
        return hours[0] <= self.minute_of_day(t) < hours[1]

    def next_open(self, t: float, hours) -> float:
        """The first time at or after ``t`` (seconds) inside the clock hours."""
        minute = self.minute_of_day(t)
        if hours[0] <= minute < hours[1]:
            return t
        return t + (hours[0] - minute) % MINUTES_PER_DAY * 60.0

    def next_close(self, t: float, hours) -> float:
        """The first time after ``t`` (seconds) at which the clock hours close."""
        return t + ((hours[1] - self.minute_of_day(t)) % MINUTES_PER_DAY or MINUTES_PER_DAY) * 60.0
