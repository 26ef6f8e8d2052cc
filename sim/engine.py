"""The discrete-event model of one replication, on SimPy's event loop.

Design for speed (the hot loop is ``Replication._arrive`` and ``PoolState``):
- plain callbacks on ``simpy.Timeout`` events, no process per call;
- arrivals are handled in a run: one event wakes the source, which then takes
  every arrival due before the next scheduled event (``env.peek()``), working
  in each call's own arrival time;
- a plain call costs two events at most (arrival, agent release): abandonment
  is found lazily in first-come first-served queues (see ``sim.pool``); only
  lines whose hang-ups trigger something (redials, callbacks) get an event at
  the caller's deadline;
- random numbers come in numpy blocks; outcomes are written into the block and
  folded into counters by numpy when the block is finished.

Everything beyond a plain call (transfers, overflow, redials, outbound work)
goes through the ordinary methods below the hot loop.
"""

from __future__ import annotations

from functools import partial
from heapq import heappop, heappush

import numpy as np
import simpy
from simpy.events import Timeout

from .arrivals import ABANDONED, WAITING, Block, CallSource, model_stream
from .clock import MINUTES_PER_DAY
from .pool import PoolState
from .routing import COLD, PLAIN, WARM, compile_routes
from .spec import Scenario
from .stats import Counters

INF = float("inf")
REDIAL_BLOCK_CALLS = 4096


class Replication:
    """One run of a scenario: builds the model, runs it, returns its counters."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, trace=None, make_source=None):
        s = self.s = scenario
        self.env = simpy.Environment()
        self.trace = trace
        self.routes = routes = compile_routes(s)
        self.source = (make_source or CallSource)(s, routes, seed, replication)
        self.lines = list(s.lines.values())
        self.outbound = list(s.outbound)
        self.outbound_rng = model_stream(seed, replication, "outbound")
        self.redial_rng = [streams["redial"] for streams in self.source.streams]
        self.staffing = [_horizon_agents(s, pool) for pool in s.pools.values()]
        self.pools = [PoolState(self.env, p, int(levels[0]), self, len(routes.levels), routes.overflow[p],
                                len(self.outbound)) for p, levels in enumerate(self.staffing)]
        self.line_pool = [self.pools[e] if e >= 0 else None for e in routes.entry_pool]
        self.missed_kinds = [(k, o.share) for k, o in enumerate(self.outbound) if o.trigger == "missed"]
        self.handled_kinds = [(k, o.share) for k, o in enumerate(self.outbound) if o.trigger == "handled"]
        self.job_seconds = [Draws(o.handle, self.outbound_rng) for o in self.outbound]
        missed = bool(self.missed_kinds)
        self.handled_hook = bool(self.handled_kinds)
        self.plain_answers = not self.handled_hook
        # lines whose hang-ups must be seen when they happen (to redial or call back)
        self.line_hooks = [line.redial is not None or missed for line in self.lines]
        self.plain_line = [pool is not None and pool.plain and not hook
                           for pool, hook in zip(self.line_pool, self.line_hooks)]
        self.counters = Counters(
            s.n_intervals - s.warmup_intervals, len(s.lines), len(self.pools), s.threshold_seconds,
            s.warmup_intervals, np.asarray([max(e, 0) for e in routes.entry_pool]),
            np.asarray([r.finish_pool for r in routes.routes]),
            np.asarray([r.kind != PLAIN for r in routes.routes]))
        self.block: Block | None = None
        self.i = 0
        self.redials: Block | None = None
        self.job_sequence = 0

    # -- running --------------------------------------------------------------
    def run(self) -> Counters:
        env = self.env
        for pool, levels in zip(self.pools, self.staffing):
            self._schedule_staffing(pool, levels)
        self._record_staffed_time()
        self._schedule_boundary(1)
        for o in self.outbound:
            if o.hours is not None:
                self.at(self._next_open(0.0, o.hours), partial(self._opening, o.hours))
        self.counters.add_offered_only(self.source.provincial_offered())
        if self._load_block():
            self.at(self.block.times[0], self._arrive)
        env.run()
        for pool in self.pools:
            pool.abandon_all(env.now)
        if self.redials is not None:
            self._close_redial_block()
        return self.counters

    def at(self, time: float, callback):
        """Call ``callback(event)`` at simulation time ``time`` (seconds, not before now)."""
        Timeout(self.env, max(0.0, time - self.env._now)).callbacks.append(callback)

    def _schedule_staffing(self, pool: PoolState, levels: np.ndarray):
        """Events at each minute where the pool's agents on duty change."""
        changes = np.flatnonzero(np.diff(levels)) + 1
        times = (changes * 60.0).tolist()
        new_levels = levels[changes].tolist()

        def change(_event, k=0):
            pool.set_staffed(new_levels[k])
            if k + 1 < len(times):
                self.at(times[k + 1], partial(change, k=k + 1))

        if times:
            self.at(times[0], change)

    def _record_staffed_time(self):
        s = self.s
        per_interval = s.interval_minutes
        for p, levels in enumerate(self.staffing):
            staffed = levels[: s.n_intervals * per_interval].reshape(s.n_intervals, per_interval).sum(axis=1) * 60.0
            for k in range(s.warmup_intervals, s.n_intervals):
                self.counters.add_pool("staffed_seconds", k, p, float(staffed[k]))

    def _schedule_boundary(self, k: int):
        """At the end of interval k-1: book each pool's busy time to it."""
        def boundary(_event):
            now = self.env._now
            for pool in self.pools:
                self.counters.add_pool("busy_seconds", k - 1, pool.index, pool.book_busy_area(now))
            if k < self.s.n_intervals:
                self._schedule_boundary(k + 1)

        self.at(k * self.s.interval_seconds, boundary)

    def _load_block(self) -> bool:
        while True:
            block = self.source.next_block()
            if block is None:
                self.block = None
                return False
            if block.times:
                self.block, self.i = block, 0
                return True

    def _finish(self, block: Block):
        self.counters.add_calls(block.outcomes())
        if self.trace is not None:
            self.trace(block)

    def settle(self, block: Block):
        """One outcome of the block is final; fold the block in when it was the last."""
        block.pending -= 1
        if not block.pending and block.arrived:
            self._finish(block)

    # -- the hot loop ---------------------------------------------------------
    def _arrive(self, _event):
        """Take every arrival due before the next scheduled event."""
        env = self.env
        block, i = self.block, self.i
        times, lines, first, patience, stage = block.times, block.line, block.first_seconds, block.patience, block.stage
        n = len(times)
        line_pool, plain_line, handled = self.line_pool, self.plain_line, self.handled_hook
        now = env._now
        next_event = env.peek()
        while True:
            t = times[i]
            j = lines[i]
            pool = line_pool[j]
            ends = pool.ends
            if ends and ends[0] <= t:
                pool.catch_up(t)
            if pool.busy < pool.staffed:
                pool.busy_area += pool.busy * (t - pool.last_change)
                pool.last_change = t
                pool.busy += 1
                if stage[i]:
                    self.start_triage(pool, block, i, t, first[i])
                    next_event = env.peek()
                else:
                    heappush(ends, t + first[i])   # released lazily: no event
                    if handled:
                        self.handled(pool, t)
                        next_event = env.peek()
            elif plain_line[j]:
                if patience[i] > 0:
                    pool.queues[0].append((t + patience[i], t, first[i], block, i, stage[i]))
                    block.by[i] = WAITING
                    block.pending += 1
                    if pool.wake_at is None:
                        pool.arm()
                        next_event = env.peek()
                else:
                    block.by[i] = ABANDONED       # patience 0: served at once or lost at once
            else:
                self.enqueue_first(pool, block, i, t)
                next_event = env.peek()
            i += 1
            if i == n:
                block.arrived = True
                if not block.pending:
                    self._finish(block)
                if not self._load_block():
                    return
                block, i = self.block, 0
                times, lines, first, patience, stage = (block.times, block.line, block.first_seconds,
                                                        block.patience, block.stage)
                n = len(times)
            if times[i] > next_event:
                break
        self.i = i
        Timeout(env, times[i] - now).callbacks.append(self._arrive)

    # -- first calls beyond the plain path ------------------------------------
    def enqueue_first(self, pool: PoolState, block: Block, i: int, t: float):
        """A caller at ``t`` finds every agent busy: queue, arm overflow and the hang-up watch."""
        block.pending += 1
        patience = block.patience[i]
        if patience <= 0:
            block.by[i] = ABANDONED
            self.first_abandoned(block, i, t)
            return
        deadline = t + patience
        pool.queues[block.level[i]].append((deadline, t, block.first_seconds[i], block, i, block.stage[i]))
        block.by[i] = WAITING
        for target, after, factor in pool.overflow:
            if deadline > t + after:
                self.at(t + after, partial(self._overflow, self.pools[target], block, i, deadline, t, factor))
        if self.line_hooks[block.line[i]] and deadline < INF:
            self.at(deadline, partial(self._deadline, block, i))
        pool.arm()

    def offer_first(self, block: Block, i: int, t: float):
        """A call (a redial) arrives at ``t``, outside the hot loop."""
        pool = self.line_pool[block.line[i]]
        if pool.is_free(t):
            block.pending += 1
            self.answer_first(pool, block, i, t, block.first_seconds[i], t)
        else:
            self.enqueue_first(pool, block, i, t)

    def answer_first(self, pool: PoolState, block: Block, i: int, now: float, seconds: float, start: float):
        """An agent of ``pool`` answers a waiting first call (its own or by overflow)."""
        block.by[i] = pool.index
        block.wait[i] = now - start
        if block.stage[i]:
            pool.occupy(now)
            self.start_triage(pool, block, i, now, seconds)
        else:
            pool.hold(now, seconds)
            if self.handled_hook:
                self.handled(pool, now)
        if block.origin is not None:
            origin, k = block.origin[i]
            origin.served[k] = 1
            self.settle(origin)
        self.settle(block)

    def _overflow(self, pool: PoolState, block: Block, i: int, deadline: float, start: float, factor: float,
                  _event):
        """Still waiting after the overflow time: ``pool``'s agents may answer too, more slowly."""
        if block.by[i] != WAITING:
            return
        seconds = block.first_seconds[i] * factor
        now = self.env._now
        if pool.is_free(now):
            self.answer_first(pool, block, i, now, seconds, start)
        else:
            pool.queues[block.level[i]].append((deadline, start, seconds, block, i, block.stage[i]))

    def _deadline(self, block: Block, i: int, _event):
        """The caller's patience runs out: if nobody answered, the hang-up happens now."""
        if block.by[i] != WAITING:
            return
        block.by[i] = ABANDONED
        block.wait[i] = block.patience[i]
        self.first_abandoned(block, i, self.env._now)

    def first_abandoned(self, block: Block, i: int, t: float):
        """A hang-up seen as it happens: call back, maybe redial, then book it."""
        j = block.line[i]
        rng = self.outbound_rng
        for k, share in self.missed_kinds:
            if rng.random() < share:
                self.create_job(k, self.line_pool[j], t)
        redial = self.lines[j].redial
        attempt = 0 if block.attempt is None else block.attempt[i]
        if block.origin is None:
            origin = (block, i)
        else:
            origin = block.origin[i]
        r_rng = self.redial_rng[j]
        if redial is not None and attempt < redial.max_redials and r_rng.random() < redial.probability:
            if block.origin is None:
                block.pending += 1                      # the caller's chain of attempts is open
            delay = float(redial.delay.sample(r_rng, 1)[0])
            self.at(t + delay, partial(self._redial, block, i, attempt + 1, origin))
        elif block.origin is not None:
            origin[0].served[origin[1]] = 0
            self.settle(origin[0])
        self.settle(block)

    def _redial(self, source: Block, i: int, attempt: int, origin, _event):
        """The caller tries again: same question and talk time, fresh patience."""
        now = self.env._now
        if self.redials is None:
            self.redials = Block.for_redials()
        j = source.line[i]
        line = self.lines[j]
        patience = float(line.patience.sample(self.redial_rng[j], 1)[0]) if line.patience is not None else INF
        interval = int(now // self.s.interval_seconds)
        k = self.redials.extend(now, interval, source, i, patience, self.routes.entry_pool[j], attempt, origin)
        block = self.redials
        self.offer_first(block, k, now)
        if len(block.times) >= REDIAL_BLOCK_CALLS and block is self.redials:
            self._close_redial_block()

    def _close_redial_block(self):
        block, self.redials = self.redials, None
        block.arrived = True
        if not block.pending:
            self._finish(block)

    # -- transfers ------------------------------------------------------------
    def start_triage(self, pool: PoolState, block: Block, i: int, t: float, seconds: float):
        """The agent talks for ``seconds`` to find the question is another pool's."""
        block.pending += 1                              # the transfer's outcome
        self.at(t + seconds, partial(self._end_triage, pool, block, i))

    def _end_triage(self, pool: PoolState, block: Block, i: int, _event):
        now = self.env._now
        route = self.routes.routes[block.category[i]]
        if route.kind == COLD:
            pool.release()
        block.xfer_by[i] = WAITING
        deadline = now + block.xfer_patience[i]
        target = self.pools[route.finish_pool]
        self.at(now + block.xfer_delay[i], partial(self._transfer_arrives, target, block, i, now, deadline))
        if route.kind == WARM and deadline < INF:
            self.at(deadline, partial(self._warm_hangup, pool, block, i))

    def _transfer_arrives(self, target: PoolState, block: Block, i: int, start: float, deadline: float, _event):
        """The connection is made: the caller joins the other pool's queue (or is answered)."""
        if block.xfer_by[i] != WAITING:
            return
        now = self.env._now
        if deadline < now:
            block.xfer_by[i] = ABANDONED
            block.xfer_wait[i] = deadline - start
            self.settle(block)
        elif target.is_free(now):
            self.answer_transfer(target, block, i, now, start)
        else:
            target.queues[block.level[i]].append((deadline, start, block.second_seconds[i], block, i, 2))

    def answer_transfer(self, target: PoolState, block: Block, i: int, now: float, start: float):
        block.xfer_by[i] = target.index
        block.xfer_wait[i] = now - start
        target.hold(now, block.second_seconds[i])
        if self.routes.routes[block.category[i]].kind == WARM:
            self.pools[block.by[i]].release()           # the first agent hands over and hangs up
        if self.handled_hook:
            self.handled(target, now)
        self.settle(block)

    def _warm_hangup(self, pool: PoolState, block: Block, i: int, _event):
        """The caller hangs up during a warm transfer: the first agent is free again."""
        if block.xfer_by[i] != WAITING:
            return
        block.xfer_by[i] = ABANDONED
        block.xfer_wait[i] = block.xfer_patience[i]
        pool.release()
        self.settle(block)

    # -- outbound work --------------------------------------------------------
    def handled(self, pool: PoolState, t: float):
        """A call is being handled: maybe a return visit later."""
        rng = self.outbound_rng
        for k, share in self.handled_kinds:
            if rng.random() < share:
                self.create_job(k, pool, t)

    def create_job(self, k: int, pool: PoolState, t: float):
        o = self.outbound[k]
        self.counters.add_pool("outbound_created", int(t // self.s.interval_seconds), pool.index, 1.0)
        available = t + o.after_seconds
        due = available + o.within_seconds
        if o.hours is not None:
            available = self._next_open(available, o.hours)
        if available >= self.s.horizon_seconds:
            return                                      # it would be made after the reported horizon
        seconds = self.job_seconds[k].next()
        self.job_sequence += 1
        self.at(available, partial(self._job_ready, pool, k, (due, self.job_sequence, seconds)))

    def _job_ready(self, pool: PoolState, k: int, job, _event):
        heappush(pool.jobs[k], job)
        now = self.env._now
        if pool.is_free(now):
            pool.take_work(now)

    def take_outbound(self, pool: PoolState, now: float):
        """Free agents with no inbound caller waiting make outbound calls, earliest due first."""
        interval = int(now // self.s.interval_seconds)
        for k, o in enumerate(self.outbound):
            jobs = pool.jobs[k]
            if not jobs or (o.hours is not None and not self._is_open(now, o.hours)):
                continue
            while jobs and pool.busy + o.reserve_agents < pool.staffed:
                due, _, seconds = heappop(jobs)
                pool.hold(now, seconds)
                self.counters.add_pool("outbound_made", interval, pool.index, 1.0)
                self.counters.add_pool("outbound_on_time", interval, pool.index, float(now <= due))
                self.counters.add_pool("outbound_seconds", interval, pool.index, seconds)

    def _opening(self, hours, _event):
        """Outbound hours open: idle agents start on the jobs that waited overnight."""
        now = self.env._now
        for pool in self.pools:
            if pool.is_free(now):
                pool.take_work(now)
        following = self.env._now + 86400.0
        if following < self.s.horizon_seconds:
            self.at(following, partial(self._opening, hours))

    def _minute_of_day(self, t: float) -> float:
        return (self.s.start_minute + t / 60.0) % MINUTES_PER_DAY

    def _is_open(self, t: float, hours) -> bool:
        return hours[0] <= self._minute_of_day(t) < hours[1]

    def _next_open(self, t: float, hours) -> float:
        """The first time at or after ``t`` inside the clock hours."""
        minute = self._minute_of_day(t)
        if hours[0] <= minute < hours[1]:
            return t
        wait = (hours[0] - minute) % MINUTES_PER_DAY
        return t + wait * 60.0


class Draws:
    """Values of a law drawn a batch at a time, handed out one by one."""

    __slots__ = ("law", "rng", "buffer")

    def __init__(self, law, rng: np.random.Generator):
        self.law, self.rng, self.buffer = law, rng, []

    def next(self) -> float:
        if not self.buffer:
            self.buffer = self.law.sample(self.rng, 1024).tolist()[::-1]
        return self.buffer.pop()


def _horizon_agents(scenario: Scenario, pool) -> np.ndarray:
    """Agents on duty in each minute of the horizon (the clock week, repeated, unless given)."""
    minutes = int(round(scenario.horizon_seconds / 60))
    if pool.horizon_agents is not None:
        return np.resize(pool.horizon_agents, minutes)
    index = (scenario.start_minute + np.arange(minutes)) % len(pool.week_agents)
    return pool.week_agents[index]


def run_replication(scenario: Scenario, seed: int, replication: int, trace=None, make_source=None) -> Counters:
    """Simulate one replication and return its counters (``make_source`` replaces the random callers)."""
    return Replication(scenario, seed, replication, trace, make_source).run()
