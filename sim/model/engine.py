"""The discrete-event model of one replication, on SimPy's event loop.

Design for speed (the hot loop is ``Replication._arrive`` and ``sim.model.pool``):
- plain callbacks on minimal events (``sim.model.events``), no process per call;
- arrivals are handled in one run: the first arrival's event wakes the source,
  which takes every call in turn and, between two calls, processes the events
  due in between itself (``env.step``), as SimPy's loop would;
- most calls cost no event of their own: an agent free now answers at once and
  is released lazily, a caller who must queue is usually decided on arrival,
  abandonment is found lazily, outbound jobs are taken lazily (see
  ``sim.model.pool``); events remain for waiting callers a pool cannot decide
  on arrival, transfers, redials (at the caller's hang-up), shifts and
  interval boundaries: a week of the Fuyang plan has a tenth of an event per
  inbound call;
- random numbers come in numpy blocks; outcomes are written into the block and
  folded into counters by numpy when the block is finished.

Everything beyond a plain call goes through ordinary methods: first calls that
queue or are answered by overflow and redials here, transfers in
``sim.model.transfers``, outbound work in ``sim.model.outbound``.
"""

from __future__ import annotations

from functools import partial
from heapq import heappush

import numpy as np
import simpy

from sim.input.clock import MINUTES_PER_WEEK
from sim.input.spec import Outbound, Scenario
from sim.model import events
from sim.model.arrivals import Block, CallSource, ClosedCalls
from sim.model.codes import ABANDONED, FINISH, PLAIN, WAITING
from sim.model.counters import Counters
from sim.model.events import NORMAL
from sim.model.outbound import OutboundWork
from sim.model.pool import HeadcountPool, ShiftPool
from sim.model.routing import compile_routes
from sim.model.transfers import Transfers

INF = float("inf")
REDIAL_BLOCK_CALLS = 4096
REDIAL_BLOCK_SECONDS = 86400.0
INLINE, ANSWER_HEADCOUNT, ANSWER_SHIFTS = 0, 1, 2        # how the hot loop takes a line's calls
SECONDS_PER_MINUTE = 60.0
CLOSED_CALLBACK = "callback of a closed line"


class Replication:
    """One run of a scenario: builds the model, runs it, returns its counters.

    ``check`` switches on ``sim.model.invariants``: the model's own laws are checked
    after every event (for tests: it is slow).
    """

    def __init__(self, scenario: Scenario, seed: int, replication: int, trace=None, make_source=None,
                 check: bool = False):
        s = self.s = scenario
        self.env = simpy.Environment()
        self.trace = trace
        self.routes = routes = compile_routes(s)
        self.source = (make_source or CallSource)(s, routes, seed, replication)
        # per entry (``sim.model.routing``): the line whose callers it carries, and their redial stream
        line_list = list(s.lines.values())
        self.lines = [line_list[j] for j in routes.entry_line]
        self.entry_line = routes.entry_line
        self.outbound = list(s.outbound)
        self.closed_callbacks = any(line.when_closed is not None and line.when_closed.kind == "callback"
                                    for line in line_list)
        if self.closed_callbacks:       # callbacks of closed lines are outbound work of a kind of their own
            self.outbound.append(Outbound(CLOSED_CALLBACK, "closed", 1.0, 0.0, 0.0, None, None))
        self.staffing = scenario_staffing(s)
        self.pools = [self._pool(p, staffing, routes) for p, staffing in enumerate(self.staffing)]
        self.line_pool = [self.pools[e] if e >= 0 else None for e in routes.entry_pool]
        for pool in self.pools:
            for target, _, _ in pool.overflow:      # callers who overflow in may be answered back home meanwhile
                self.pools[target].ahead = False
        # pools that may answer a line's waiting caller: its own and those it overflows to
        self.watchers = [[pool] + [self.pools[target] for target, _, _ in pool.overflow] if pool else []
                         for pool in self.line_pool]
        self.counters = Counters(
            s, len(s.lines), len(self.pools), np.asarray([max(e, 0) for e in routes.entry_pool]),
            np.asarray([r.finish_pool for r in routes.routes]),
            np.asarray([r.kind != PLAIN for r in routes.routes]))
        self.outbound_work = OutboundWork(self)
        self.transfers = Transfers(self)
        self.handled_hook = bool(self.outbound_work.handled_kinds)
        self.plain_answers = not self.handled_hook
        # Hang-ups that trigger something: a redial must be seen when it happens (an event at the caller's
        # deadline); a callback alone need not, since no agent of the pool is free between the hang-up and
        # the moment one reaches the caller's place in the queue, where ``Pool.take_work`` books the
        # hang-up and its callback at the deadline (``missed_lazily``).
        self.missed_lazily = bool(self.outbound_work.missed_kinds)
        self.deadline_events = [line.redial is not None for line in self.lines]
        self.line_hooks = [watch or self.missed_lazily for watch in self.deadline_events]
        # how the hot loop takes each line's first calls (provincial lines never reach it)
        self.paths = [
            None if pool is None
            else INLINE if (isinstance(pool, HeadcountPool) and pool.plain and not hook and self.plain_answers
                            and all(routes.routes[g].kind == PLAIN for g in routes.line_routes[j]))
            else ANSWER_SHIFTS if isinstance(pool, ShiftPool) else ANSWER_HEADCOUNT
            for j, (pool, hook) in enumerate(zip(self.line_pool, self.line_hooks))]
        self.block: Block | None = None
        self.i = 0
        self.redials: Block | None = None
        self.checker = None
        if check:
            from sim.model.invariants import InvariantChecker
            self.checker = InvariantChecker(self)
        self.step = self.env.step if self.checker is None else self.checker.step    # one event (``_arrive``)

    def _pool(self, p: int, staffing: "Staffing", routes):
        args = (self.env, p, self, len(routes.levels), routes.overflow[p], len(self.outbound))
        if isinstance(staffing.initial, list):
            return ShiftPool(*args, levels=staffing.initial)
        return HeadcountPool(*args, staffed=staffing.initial)

    # -- running --------------------------------------------------------------
    def run(self):
        """Simulate the horizon (and the calls still in the system after it); returns the Counters."""
        env = self.env
        for pool, staffing in zip(self.pools, self.staffing):
            self._schedule_staffing(pool, staffing)
        self._record_staffed_time()
        self.busy_seconds: list[list[float]] = []      # per interval, per pool
        self._schedule_boundary(1)
        self.outbound_work.start()
        self.counters.add_offered_only(self.source.provincial_offered())
        if self._load_block():
            self.at(self.block.times[0], self._arrive)
        if self.checker is None:
            env.run()
        else:
            self.checker.run()
        for pool in self.pools:
            pool.abandon_all(env.now)
        if self.redials is not None:
            self._close_redial_block()
        self.outbound_work.fold()
        self._book_busy_time()
        return self.counters

    def at(self, time: float, callback):
        """Call ``callback(event)`` at simulation time ``time`` (seconds, never before now)."""
        events.at(self.env, max(time, self.env._now), callback)

    def _schedule_staffing(self, pool, staffing: "Staffing"):
        """One event at each minute where agents come or go, before anything else due then."""
        times, changes = staffing.times, staffing.changes

        def change(_event, k=0):
            pool.set_levels(changes[k])
            pool.staffing_change_at = times[k + 1] if k + 1 < len(times) else INF
            if k + 1 < len(times):
                events.urgent(self.env, times[k + 1], partial(change, k=k + 1))

        if times:
            pool.staffing_change_at = times[0]
            events.urgent(self.env, times[0], change)

    def _record_staffed_time(self):
        s = self.s
        per_interval = s.interval_minutes
        staffed = np.stack([staffing.total_by_minute[: s.n_intervals * per_interval]
                            .reshape(s.n_intervals, per_interval).sum(axis=1) * SECONDS_PER_MINUTE
                            for staffing in self.staffing], axis=1)         # (interval, pool)
        interval, pool = np.indices(staffed.shape)
        self.counters.add_pool_many(interval.ravel(), pool.ravel(), {"staffed_seconds": staffed.ravel()})

    def _schedule_boundary(self, k: int):
        """At the end of interval k-1: each pool's busy agent-seconds in it (booked in bulk when the run ends)."""
        def boundary(_event):
            now = self.env._now
            self.busy_seconds.append([pool.book_busy_area(now) for pool in self.pools])
            self.outbound_work.at_boundary(now)
            if k < self.s.n_intervals:
                self._schedule_boundary(k + 1)

        self.at(k * self.s.interval_seconds, boundary)

    def _book_busy_time(self):
        busy = np.asarray(self.busy_seconds).reshape(-1, len(self.pools))     # (interval, pool), from interval 0
        interval, pool = np.indices(busy.shape)
        self.counters.add_pool_many(interval.ravel(), pool.ravel(), {"busy_seconds": busy.ravel()})

    def _load_block(self) -> bool:
        while True:
            block = self.source.next_block()
            if block is None:
                self.block = None
                return False
            if block.closed is not None:
                self._closed_calls(block.closed)
            if block.times:
                self.block, self.i = block, 0
                return True

    def _closed_calls(self, closed: ClosedCalls):
        """Callers who found their line closed and left a message or asked for a callback: counted, and
        each callback is a job for the line's own agents from its next opening."""
        self.counters.add_closed(closed)
        if not self.closed_callbacks or not closed.callback.any():
            return
        kind = len(self.outbound) - 1
        for t, j, seconds in zip(*(x[closed.callback].tolist() for x in (closed.times, closed.line, closed.seconds))):
            line = self.lines[j]
            opens = t + next_open_seconds(line.open_minutes, self.s.start_minute, t)
            self.outbound_work.create(kind, self.line_pool[j], t, seconds, available=opens,
                                      due=opens + line.when_closed.within_seconds)

    def _finish(self, block: Block):
        if self.checker is not None:
            self.checker.check_block(block)
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
        """Take every arrival of the run, in time order, and the events due between them.

        Speed forces inlined copies here, since this loop runs once per call
        and a method call per call costs a tenth of the engine's speed:
        - ``INLINE`` lines (one queue, no hooks, no transfers, a head count)
          are answered or queued right here (``HeadcountPool.hold`` and
          ``Pool.enqueue`` copied);
        - lines of a pool of shifts are answered here when an agent is free
          (``ShiftPool.hold`` copied, and ``OutboundWork.handled`` for a
          return visit): what ``offer_first`` and ``answer_first`` do for a
          first call;
        - other lines are answered here by ``hold``; callers who need triage
          first go to ``Transfers.start_triage``, those who must queue to
          ``enqueue_first``.
        Work that may schedule an event sets the clock to the call's arrival
        first, which is safe (nothing is due before it), and looks again at
        what is due next.
        """
        env = self.env
        block, i = self.block, self.i
        times, lines, first, patience, stage = (block.times, block.entry, block.first_seconds, block.patience,
                                                block.stage)
        n = len(times)
        line_pool, paths, handled = self.line_pool, self.paths, self.handled_hook
        work = self.outbound_work
        handled_kinds, create = work.handled_kinds, work.create
        queue = env._queue
        next_event = env.peek()
        while True:
            t = times[i]
            j = lines[i]
            pool = line_pool[j]
            ends = pool.ends
            path = paths[j]
            if not path:                           # INLINE
                if (ends and ends[0] <= t) or pool.pending_at < t:
                    pool.catch_up(t)
                if pool.n_free > 0:
                    pool.area += pool.n_free * (t - pool.last_change)
                    pool.last_change = t
                    pool.n_free -= 1
                    heappush(ends, t + first[i])   # released lazily: no event
                elif patience[i] > 0:
                    pool.queues[0].append((t + patience[i], t, first[i], block, i, FINISH))
                    block.by[i] = WAITING
                    block.pending += 1
                    if pool.wake_at is None or (ends and ends[0] < pool.wake_at):
                        pool.arm()
                        next_event = env.peek()
                else:
                    block.by[i] = ABANDONED       # patience 0: served at once or lost at once
            else:
                if (ends and (ends[0][0] if path == ANSWER_SHIFTS else ends[0]) <= t) or pool.pending_at < t:
                    pool.catch_up(t)
                if pool.n_free <= 0 or stage[i]:
                    # triage by a free agent, or the queue: work that may schedule an event (see above)
                    env._now = t
                    if pool.n_free > 0:
                        self.transfers.start_triage(pool, block, i, t, first[i])
                    else:
                        self.enqueue_first(pool, block, i, t)
                    next_event = queue[0][0] if queue else INF      # ``env.peek()``
                else:                              # answered at once by the entry pool
                    if path == ANSWER_SHIFTS:      # ShiftPool.hold
                        pool.area += pool.n_talking * (t - pool.last_change)
                        pool.last_change = t
                        group = pool.free.popleft()
                        pool.n_free -= 1
                        pool.n_talking += 1
                        pool.busy[group] += 1
                        end = t + first[i]
                        heappush(ends, (end, group))
                        if pool.wake_at is not None and end < pool.wake_at:
                            pool.arm()
                            next_event = env.peek()
                    elif pool.hold(t, first[i]):
                        next_event = env.peek()
                    if handled and block.visits[i]:   # ``OutboundWork.handled``: a return visit needs no event
                        for k, share, later in handled_kinds:
                            if block.outbound_draw[k][i] < share:
                                if later is not None:
                                    later += (t, pool.index, block.outbound_seconds[k][i])
                                else:
                                    create(k, pool, t, block.outbound_seconds[k][i])
            i += 1
            if i == n:
                block.arrived = True
                if not block.pending:
                    self._finish(block)
                if not self._load_block():
                    return
                block, i = self.block, 0
                times, lines, first, patience, stage = (block.times, block.entry, block.first_seconds,
                                                        block.patience, block.stage)
                n = len(times)
            if times[i] > next_event:
                # The events due first are processed here, as SimPy's loop would: returning to it would cost an
                # event of our own and this method's set-up at every stop (2,600 stops a Fuyang week).  The order
                # is that of an event scheduled now for this arrival: its id is taken now, as ``events.at``
                # would, so every later event keeps its own id and place.
                t = times[i]
                eid = next(env._eid)
                if self.checker is not None:
                    self.checker.check(env._now)
                step = self.step
                while queue:
                    due, priority, order, _ = queue[0]
                    if due > t or (due == t and (priority > NORMAL or (priority == NORMAL and order > eid))):
                        break
                    step()
                env._now = t
                next_event = queue[0][0] if queue else INF

    # -- first calls beyond the plain path ------------------------------------
    def offer_first(self, block: Block, i: int, t: float):
        """A first call (or a redial) arrives at ``t``: answered at once or queued."""
        pool = self.line_pool[block.entry[i]]
        if pool.is_free(t):
            block.pending += 1
            self.answer_first(pool, block, i, t, block.first_seconds[i], t)
        else:
            self.enqueue_first(pool, block, i, t)

    def enqueue_first(self, pool, block: Block, i: int, t: float):
        """A caller at ``t`` finds every agent busy: queue, arm overflow and the hang-up watch.

        Where the pool's future is known (``Pool.answer_ahead``), the caller's fate is decided now, exactly as
        the queue would decide it, and costs no event: the event a queued caller needs to be answered was half of
        a merger model's wake-ups."""
        patience = block.patience[i]
        if patience <= 0:
            block.pending += 1
            block.by[i] = ABANDONED
            self.first_abandoned(block, i, t)
            return
        deadline = t + patience
        if pool.ahead and not block.stage[i]:
            start = pool.answer_ahead(t, deadline, block.first_seconds[i])
            if start <= deadline and start < INF:     # answered (a deadline may be INF: patience without end)
                block.by[i] = pool.index
                block.wait[i] = start - t
                if block.origin is not None or (self.handled_hook and block.visits[i]):
                    self._on_answer(pool, block, i, start, True)
                return
            if start < INF:                     # hangs up before any agent is free
                block.by[i] = ABANDONED
                block.wait[i] = patience
                if self.deadline_events[block.entry[i]]:  # a redial draws its numbers when it happens
                    block.pending += 1
                    self.at(deadline, partial(self._hang_up, block, i))
                elif self.missed_lazily:                # a callback from the hang-up on: known now
                    self.outbound_work.missed(pool, block, i, deadline)
                return
        block.pending += 1
        block.by[i] = WAITING
        pool.enqueue(block.level[i], (deadline, t, block.first_seconds[i], block, i, block.stage[i]))
        for target, after, factor in pool.overflow:
            if deadline > t + after:
                self.at(t + after, partial(self._overflow, self.pools[target], block, i, deadline, t, factor))
        if self.deadline_events[block.entry[i]] and deadline < INF:
            self.at(deadline, partial(self._deadline, block, i))

    def _hang_up(self, block: Block, i: int, _event):
        """A caller known to hang up (``enqueue_first``) does, now."""
        self.first_abandoned(block, i, self.env._now)

    def answer_first(self, pool, block: Block, i: int, now: float, seconds: float, start: float):
        """An agent of ``pool`` answers a first call at ``now`` (its own caller, or one that overflowed)."""
        block.by[i] = pool.index
        block.wait[i] = now - start
        if block.stage[i]:
            self.transfers.start_triage(pool, block, i, now, seconds)
            self._on_answer(pool, block, i, now, False)
        else:
            pool.hold(now, seconds)
            self._on_answer(pool, block, i, now, True)
        self.settle(block)

    def _on_answer(self, pool, block: Block, i: int, now: float, finished_here: bool):
        """What a first call answered at ``now`` sets off: its return visit, if the agent finishes it
        (``finished_here``: no transfer), and for a redial, its first call counted as served in the end."""
        if finished_here and self.handled_hook and block.visits[i]:
            self.outbound_work.handled(pool, block, i, now)
        if block.origin is not None:
            origin, k = block.origin[i]
            origin.served[k] = 1
            self.settle(origin)

    def _overflow(self, pool, block: Block, i: int, deadline: float, start: float, factor: float, _event):
        """Still waiting after the overflow time: ``pool``'s agents may answer too, more slowly."""
        if block.by[i] != WAITING:
            return
        now = self.env._now
        self.line_pool[block.entry[i]].catch_up(now)     # its own agent may free up at this very instant
        if block.by[i] != WAITING:
            return
        seconds = block.first_seconds[i] * factor
        if pool.is_free(now):
            self.answer_first(pool, block, i, now, seconds, start)
        else:
            pool.enqueue(block.level[i], (deadline, start, seconds, block, i, block.stage[i]))

    def _deadline(self, block: Block, i: int, _event):
        """The caller's patience runs out: unless an agent answered by now, the hang-up happens now."""
        if block.by[i] != WAITING:
            return
        now = self.env._now
        for pool in self.watchers[block.entry[i]]:       # an agent ending a call now answers first
            pool.catch_up(now)
        if block.by[i] != WAITING:
            return
        block.by[i] = ABANDONED
        block.wait[i] = block.patience[i]
        self.first_abandoned(block, i, now)

    def first_abandoned(self, block: Block, i: int, t: float):
        """A hang-up seen as it happens: call back, maybe redial (within the horizon), then book it."""
        j = block.entry[i]
        self.outbound_work.missed(self.line_pool[j], block, i, t)
        redial = self.lines[j].redial
        attempt = 0 if block.attempt is None else block.attempt[i]
        origin = (block, i) if block.origin is None else block.origin[i]
        r_rng = self.source.redial_stream(self.entry_line[j], t)
        if redial is not None and attempt < redial.max_redials and r_rng.random() < redial.probability:
            when = t + float(redial.delay.sample(r_rng, 1)[0])
            if when < self.s.horizon_seconds:           # a redial after the horizon is not simulated
                if block.origin is None:
                    block.pending += 1                  # the caller's chain of attempts is open
                self.at(when, partial(self._redial, block, i, attempt + 1, origin))
                self.settle(block)
                return
        if block.origin is not None:
            origin[0].served[origin[1]] = 0
            self.settle(origin[0])
        self.settle(block)

    def _redial(self, source: Block, i: int, attempt: int, origin, _event):
        """The caller tries again: same question and talk time, fresh patience."""
        now = self.env._now
        if self.redials is None:
            self.redials = Block.for_redials(len(self.s.outbound))
        j = source.entry[i]           # a redial keeps its first attempt's entry, open or closed
        line = self.lines[j]
        patience = (float(line.patience.sample(self.source.redial_stream(self.entry_line[j], now), 1)[0])
                    if line.patience is not None else INF)
        interval = int(now // self.s.interval_seconds)
        k = self.redials.extend(now, interval, source, i, patience, self.routes.entry_pool[j], attempt, origin)
        block = self.redials
        self.offer_first(block, k, now)
        if block is self.redials and (len(block.times) >= REDIAL_BLOCK_CALLS
                                      or now - block.times[0] >= REDIAL_BLOCK_SECONDS):
            # a redial holds its first attempt's block: close the redials' block daily, or a year of
            # blocks stays in memory until the run ends
            self._close_redial_block()

    def _close_redial_block(self):
        block, self.redials = self.redials, None
        block.arrived = True
        if not block.pending:
            self._finish(block)


class Staffing:
    """When a pool's agents come and go over the horizon.

    ``initial`` is the number on duty at time 0 (an int for a head count, a
    list per shift group); ``times`` (seconds) and ``changes`` (lists of
    (group, agents from then on)) the changes after it; ``total_by_minute`` all
    agents on duty in each minute of the horizon.
    """

    __slots__ = ("initial", "times", "changes", "total_by_minute")

    def __init__(self, initial, times, changes, total_by_minute):
        self.initial, self.times, self.changes, self.total_by_minute = initial, times, changes, total_by_minute


_last_staffing: tuple = (None, [])      # (scenario, its pools' Staffing): what the last replication used


def scenario_staffing(scenario: Scenario) -> list[Staffing]:
    """Each pool's staffing (``pool_staffing``), worked out once for the replications of a scenario that run in
    turn in one process (a millisecond each for the Fuyang plan; a model never changes a ``Staffing``)."""
    global _last_staffing
    cached = _last_staffing             # read once: another thread may replace it meanwhile
    if cached[0] is not scenario:
        cached = _last_staffing = (scenario, [pool_staffing(scenario, pool) for pool in scenario.pools.values()])
    return cached[1]


def pool_staffing(scenario: Scenario, pool) -> Staffing:
    """The pool's staffing over the horizon: a head count, or agents per shift group.

    Pools staffed by ``shifts`` keep one group per shift entry (agents who come
    and go together); ``seats``, ``seats_by_interval`` and replayed logs are a
    head count (one group).
    """
    minutes = int(round(scenario.horizon_seconds / SECONDS_PER_MINUTE))
    start = scenario.start_minute
    if pool.horizon_agents is not None:
        total = np.resize(pool.horizon_agents, minutes)
    else:
        total = pool.week_agents[(start + np.arange(minutes)) % len(pool.week_agents)]
    if not pool.group_agents or pool.horizon_agents is not None:
        changes = np.flatnonzero(np.diff(total)) + 1
        return Staffing(int(total[0]) if minutes else 0, (changes * SECONDS_PER_MINUTE).tolist(),
                        [[(0, int(v))] for v in total[changes]], total)
    by_minute: dict[int, list[tuple[int, int]]] = {}
    weeks = minutes // MINUTES_PER_WEEK + 1
    for g, week in enumerate(pool.group_agents):
        moments = np.flatnonzero(week != np.roll(week, 1))       # minutes of the week where the level changes
        offsets = (moments - start) % MINUTES_PER_WEEK
        for w in range(weeks):
            for offset, level in zip((offsets + w * MINUTES_PER_WEEK).tolist(), week[moments].tolist()):
                if 0 < offset < minutes:
                    by_minute.setdefault(offset, []).append((g, level))
    order = sorted(by_minute)
    initial = [int(week[start % MINUTES_PER_WEEK]) for week in pool.group_agents]
    return Staffing(initial, [m * SECONDS_PER_MINUTE for m in order], [by_minute[m] for m in order], total)


def next_open_seconds(open_minutes: np.ndarray, start_minute: int, t: float) -> float:
    """Seconds from ``t`` (seconds into the horizon) until the clock week's ``open_minutes`` next open (0 if open)."""
    minute = (start_minute + int(t // SECONDS_PER_MINUTE)) % MINUTES_PER_WEEK
    ahead = np.flatnonzero(np.roll(open_minutes, -minute))
    if not len(ahead) or ahead[0] == 0:
        return 0.0
    return float(ahead[0] * SECONDS_PER_MINUTE - t % SECONDS_PER_MINUTE)


def run_replication(scenario: Scenario, seed: int, replication: int, trace=None, make_source=None,
                    check: bool = False):
    """Simulate one replication and return its counters (``make_source`` replaces the random callers)."""
    return Replication(scenario, seed, replication, trace, make_source, check).run()
