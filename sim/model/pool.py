"""A pool of seats: its agents, the callers waiting for them, and its outbound work.

Each priority level has its own first-come first-served queue; a free agent
takes the oldest caller of the most urgent level, and outbound work only when
no inbound caller waits.

Four shortcuts keep events rare, all exact (the call-for-call reference
simulation in ``tests/reference_sim.py`` has none of them):
- abandonment needs no event: a queue entry whose deadline (arrival +
  patience) has passed when an agent reaches it hung up at that deadline, so it
  is booked and skipped;
- an agent whose call length is known when it starts is released lazily: its
  end time goes on a heap (``ends``) and is caught up the next time anyone
  looks at the pool.  That is exact only while no caller waits, so the pool
  keeps one rule: **whenever a caller waits, a wake-up is due at the lazy end
  that frees the agent it needs** (``arm``), and every path that adds a waiting
  caller or an earlier end re-arms.  An agent therefore never sits free,
  unseen, while a caller waits.  At equal times an agent's end comes before a
  hang-up and before an arrival.  And every path that adds work catches the
  pool up *first*, so that an agent who finished earlier never takes work that
  did not exist yet;
- a caller who joins a queue whose future is already known (``answer_ahead``:
  one level, no overflow in or out, nobody waiting, free or held by an event,
  nobody coming or going first) is answered by the agent who finishes first,
  or hangs up before, as decided on arrival: no queue entry, no wake-up;
- outbound jobs need no event at all: taking one changes nothing but an
  agent's time, so a job is taken when the pool catches up past the agent's
  end or the job's availability (``OutboundWork.create``, ``_catch_up_jobs``), exactly
  as an event at that moment would have; everything that looks at a pool
  (arrivals, transfers, shifts, interval boundaries, outbound hours) catches it
  up first.

Agents whose release depends on something else (warm transfers) are seized
with ``seize`` and released by an event with ``release``.

Two kinds of pools differ only in who the agents are:
- ``HeadcountPool``: a number of agents on duty (``seats``, ``seats_by_interval``,
  a replayed log).  When the number drops below the agents talking, the first
  agents to finish a call leave: nobody is answered until fewer talk than are
  on duty.
- ``ShiftPool``: agents belong to the shift they came with (``shifts``).  When a
  shift ends (or goes on a break), its free agents leave at once and its
  talking agents finish their call and then leave; the other shifts' agents
  are not held back by them.  A waiting caller is answered by the agent who
  has been free longest.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush, heapreplace, nsmallest

import simpy

from sim.model import events
from sim.model.codes import ABANDONED, TRANSFERRED, WAITING

INF = float("inf")
# ``job_floor`` and ``ready_floor`` when no job may start: an int, since a pool compares its count of free agents
# with them at every end, and Python compares two small ints on its fast path (an int with inf on the slow one)
NO_JOB = 1 << 29
HEAP_PREFIX_MAX = 8             # up to the 7th smallest end, look only at the heap's first 127 items


class Pool:
    """Queues, outbound jobs, lazily released agents and wake-ups: what both kinds of pool share.

    Queue entries are tuples ``(deadline, wait_start, agent_seconds, block, i, stage)``
    with ``stage`` a ``codes.Stage``.  Subclasses keep the agents: ``n_free``
    (agents on duty with nothing to do), ``seize``, ``hold``, ``release``,
    ``catch_up`` and ``set_levels``.
    """

    __slots__ = ("env", "index", "queues", "area", "last_change", "model", "overflow", "jobs", "has_jobs",
                 "plain", "ends", "wake_at", "wake", "n_free", "pending", "pending_run", "pending_at", "n_held", "staffing_change_at",
                 "ahead", "job_floor", "ready_floor", "one_queue")

    def __init__(self, env: simpy.Environment, index: int, model, n_levels: int, overflow: list, n_outbound: int):
        self.env = env
        self.index = index
        self.queues = [deque() for _ in range(n_levels)]
        # the queue itself when there is one level: ``catch_up`` asks at every end whether anyone waits, and a
        # deque's truth is several times cheaper than ``any`` over the queues
        self.one_queue = self.queues[0] if n_levels == 1 else None
        self.area = 0.0                 # agent-seconds since the last interval boundary (busy or free: see subclass)
        self.last_change = 0.0
        self.model = model              # the replication: answers that need more than an agent
        self.overflow = overflow        # [(target pool index, after seconds, handle factor)]
        self.jobs = [[] for _ in range(n_outbound)]   # heaps of (due, sequence, seconds) per outbound kind
        # jobs not yet available, of every kind: a heap of (available, kind, due, sequence, seconds), which orders
        # them as (available, kind, job) would, with one tuple a job instead of two; no event each (see arm)
        self.pending: list = []
        # the same, those created in order of availability (most are: a return visit is due a day after its
        # call): a queue in that order, so most jobs pass without a heap's dozen comparisons each way
        self.pending_run: deque = deque()
        self.pending_at = INF           # the earliest availability among them
        self.n_held = 0                 # agents held by an event (warm transfers), not by a known end
        self.staffing_change_at = INF   # when agents next come or go (s; set by the model)
        # agents free above which an outbound job may start (the least reserve of the kinds open now: set by
        # ``OutboundWork``)
        self.job_floor = NO_JOB
        # the same, over the open kinds that have jobs waiting in this pool (``ready_jobs``): an agent who
        # finishes with no caller waiting takes a job exactly when more agents than that are free
        self.ready_floor = NO_JOB
        self.ahead = not overflow and n_levels == 1   # may answer callers ahead (``answer_ahead``); the model may forbid it
        self.has_jobs = n_outbound > 0
        self.plain = not overflow and n_levels == 1
        self.ends: list = []            # lazily released agents, a heap by end time
        self.wake_at = None             # time of the earliest wake-up event for a waiting caller, if any
        self.wake = self._wake          # bound once: handed to many events
        self.n_free = 0

    # -- waiting work -----------------------------------------------------------
    def has_work(self) -> bool:
        for queue in self.queues:
            if queue:
                return True
        if self.has_jobs:
            open_ = self.model.outbound_work.open       # OutboundWork.waiting, inlined: called at every end
            for k, jobs in enumerate(self.jobs):
                if jobs and open_[k]:
                    return True
        return False

    def has_ready_work(self) -> bool:
        """Is there work that the pool's free agents (``n_free`` > 0) may start now?  Outbound jobs count only
        while more than their kind's reserve of agents is free: otherwise an agent finishing would take nothing."""
        for queue in self.queues:
            if queue:
                return True
        if self.has_jobs:
            work = self.model.outbound_work
            open_, reserve, n_free = work.open, work.reserve, self.n_free
            for k, jobs in enumerate(self.jobs):
                if jobs and open_[k] and n_free > reserve[k]:
                    return True
        return False

    def ends_needed(self) -> int:
        """How many lazily held agents must finish before a waiting caller can be answered (0: none waits).

        Outbound jobs need no wake-up: taking one changes nothing but the agent's time, and everything that
        looks at the pool catches it up first, so an agent who finishes while jobs wait takes one then, lazily
        (``catch_up``), exactly as an event at that moment would."""
        for queue in self.queues:
            if queue:
                return 1 if self.n_free >= 0 else 1 - self.n_free
        return 0

    def answer_ahead(self, now: float, deadline: float, seconds: float) -> float:
        """A caller who joins the queue at ``now`` and would hang up at ``deadline`` (s), decided on arrival where
        the pool's future is already known: no caller queued, no agent free or held by an event (whose end could
        come first), nobody coming or going before then, and in a pool of shifts the agent who finishes first
        stays (their shift goes on).  Callers behind cannot overtake (one level, no overflow: ``ahead``), so the
        agent who finishes first answers then, taken for ``seconds``, or the caller hangs up before.

        Returns when that agent is free (s): at or before ``deadline``, answered then (at equal times an agent
        finishing answers before a hang-up); after it, hung up at ``deadline``; INF, not known (the caller
        queues).  First calls (``engine.Replication.enqueue_first``) and cold transfers
        (``transfers.Transfers``) share it; one method for both kinds of pool, told apart by their lazy ends."""
        ends = self.ends
        if self.n_free or self.n_held or not ends:
            return INF
        for queue in self.queues:
            if queue:
                return INF
        end = ends[0]
        if end.__class__ is tuple:
            end, group = end
            if self.busy[group] > self.on_duty[group]:
                return INF
        if end >= self.staffing_change_at:
            return INF
        checker = self.model.checker
        if checker is not None:
            checker.decided_ahead(self, now, min(end, deadline))
        if end <= deadline:
            self.take_ahead(end, seconds)
        return end

    def enqueue(self, level: int, entry: tuple):
        """A caller (first call, overflow or transfer) joins the queue of ``level`` (the pool is caught up to now).

        Callers at the heads of the queues already answered elsewhere or gone leave them first.  An agent who
        frees up skips them anyway (``take_work``), but a pool with nobody on duty would keep them, and the
        blocks of calls they belong to, until the run ends: hours of redials with no agent filled gigabytes."""
        for queue in self.queues:
            while queue:
                _, _, _, block, i, stage = queue[0]
                if (block.by[i] if stage != TRANSFERRED else block.xfer_by[i]) == WAITING:
                    break
                queue.popleft()
        self.queues[level].append(entry)
        self.arm()

    def is_free(self, now: float) -> bool:
        """Is an agent free at ``now``?  Catches the pool up first."""
        self.catch_up(now)
        return self.n_free > 0

    def arm(self) -> bool:
        """While a caller waits, make sure a wake-up is due at the lazy end that frees the agent it needs
        (``ends_needed``); True if one was scheduled."""
        if not self.ends:
            return False
        end = self.first_end()
        if self.wake_at is not None and end >= self.wake_at:
            return False                                # a wake-up is due no later than any end
        needed = self.ends_needed()
        if not needed:
            return False
        end = self._nth_end(needed)
        if end == INF or (self.wake_at is not None and end >= self.wake_at):
            return False
        self.wake_at = end
        # the end may be now (caught up to this very instant): wake at once, never in the past
        events.at(self.env, max(end, self.env._now), self.wake)
        return True

    def _nth_end(self, n: int) -> float:
        """The time (s) of the n-th earliest lazy end (INF if fewer agents are held lazily)."""
        ends = self.ends
        size = len(ends)
        if n > size:
            return INF          # lazy ends alone cannot free enough agents: a release or a shift will re-arm
        # the heap's n-th smallest item lies among its first 2**n - 1 (and the smallest is first)
        if n == 1:
            end = ends[0]
        elif n == 2:
            end = ends[1] if size == 2 or ends[1] < ends[2] else ends[2]
        elif n == 3:
            end = sorted(ends[1:7])[1]
        else:
            end = nsmallest(n, ends[:(1 << n) - 1] if n < HEAP_PREFIX_MAX else ends)[-1]
        return end[0] if end.__class__ is tuple else end

    def _wake(self, _event):
        now = self.env._now
        if self.wake_at is not None and self.wake_at <= now:
            self.wake_at = None         # this wake-up (or an earlier one superseded by it) is spent
        self.catch_up(now)
        self.arm()

    # -- outbound jobs not yet available ----------------------------------------
    def merge_available(self, t: float, strict: bool = False):
        """Jobs available at or before ``t`` (before it, if ``strict``) join the waiting jobs."""
        pending, run, all_jobs = self.pending, self.pending_run, self.jobs
        while True:
            # the earlier of the two next jobs (the queue's on a tie), if it is available by ``t``; the order of
            # jobs available at the same moment does not matter, as they all join their kinds' heaps (ordered
            # by due) together.  The heap is usually empty: it is looked at first.
            if pending and (not run or pending[0][0] < run[0][0]):
                first, from_heap = pending[0][0], True
            elif run:
                first, from_heap = run[0][0], False
            else:
                self.pending_at = INF
                return
            if first > t or (strict and first == t):
                self.pending_at = first
                return
            _, k, due, sequence, seconds = heappop(pending) if from_heap else run.popleft()
            jobs = all_jobs[k]
            if not jobs:
                # the kind's first job waiting here: ``ready_jobs``, which a kind joining can only lower
                work = self.model.outbound_work
                if work.open[k] and work.reserve[k] < self.ready_floor:
                    self.ready_floor = work.reserve[k]
            heappush(jobs, (due, sequence, seconds))

    def add_pending(self, entry: tuple):
        """A job not yet available, ``(available, kind, due, sequence, seconds)``, joins the pending jobs: the
        queue when it comes in order of availability, else the heap."""
        run = self.pending_run
        if not run or entry[0] >= run[-1][0]:
            run.append(entry)
        else:
            heappush(self.pending, entry)
        if entry[0] < self.pending_at:
            self.pending_at = entry[0]

    def ready_jobs(self):
        """Set ``ready_floor``: the least reserve of the open kinds with jobs waiting here (``NO_JOB``: none).  Called
        wherever a kind's waiting jobs start or run out, or its hours open or close."""
        work = self.model.outbound_work
        open_, reserve = work.open, work.reserve
        floor = NO_JOB
        for k, jobs in enumerate(self.jobs):
            if jobs and open_[k] and reserve[k] < floor:
                floor = reserve[k]
        self.ready_floor = floor

    def _catch_up_jobs(self, t: float) -> bool:
        """Lazy ends and jobs becoming available before ``t``, in time order (an agent finishing at the moment
        a job comes is free for it); True if work was taken (the caller arms)."""
        took = False
        queues, one, ends = self.queues, self.one_queue, self.ends
        while self.pending_at < t:
            available = self.pending_at
            # ``first_end``, inlined (a call per job): catching up to then only if an agent finishes by then
            if ends and (ends[0][0] if ends[0].__class__ is tuple else ends[0]) <= available:
                self.catch_up(available)
            if self.n_free > self.job_floor and not (one if one is not None else any(queues)):
                if self.ready_floor == NO_JOB and self._make_alone(available):
                    took = True
                    continue
                self.merge_available(available)
                # no caller waits: ``take_work`` would go straight to the jobs, and ``take`` looks at each kind;
                # it finds nothing to start unless more agents are free than some kind with jobs waiting keeps
                if self.n_free > self.ready_floor:
                    self.model.outbound_work.take(self, available)
                    took = True
            else:
                # nobody may take a job before the next end: every job available until then joins now
                end = self.first_end()
                if end < t:
                    self.merge_available(end)
                else:
                    self.merge_available(t, strict=True)
        return took

    def _make_alone(self, available: float) -> bool:
        """The job available at ``available`` is made at once, when it is the only one then, no open kind has jobs
        waiting, and its kind may start it (open, more agents free than its reserve): what ``merge_available``
        and ``OutboundWork.take`` would do, without the job passing through its kind's heap.  In the Fuyang
        plan a third of the jobs go this way: a return visit made a day after its call, with agents to spare.
        False, with nothing changed, otherwise."""
        run, pending = self.pending_run, self.pending
        from_run = bool(run) and (not pending or run[0][0] <= pending[0][0])   # as ``merge_available`` picks
        entry = run[0] if from_run else pending[0]
        _, k, due, _, seconds = entry
        work = self.model.outbound_work
        if not (work.open[k] and self.n_free > work.reserve[k] and available < work.open_until[k]):
            return False
        if from_run:
            run.popleft()
        else:
            heappop(pending)
        after = run[0][0] if run else INF              # the next availability, now that this job is out
        if pending and pending[0][0] < after:
            after = pending[0][0]
        if after <= available:              # more jobs at this very moment: ``take`` orders them
            if from_run:
                run.appendleft(entry)
            else:
                heappush(pending, entry)
            return False
        self.pending_at = after
        self.hold(available, seconds)
        work.made += (available, self.index, due, seconds)
        return True

    def _take_freed(self, end: float):
        """An agent freed at ``end`` (``catch_up``) answers a waiting caller, else takes outbound jobs: with jobs
        alone, ``take_work`` would go straight to ``take``, which looks at each kind.  The caller arms."""
        if self.one_queue if self.one_queue is not None else any(self.queues):
            self.take_work(end, arm=False)
        else:
            self.model.outbound_work.take(self, end)

    def take_work(self, now: float, arm: bool = True):
        """Free agents answer waiting callers, most urgent level first, then outbound work."""
        model = self.model
        for queue in self.queues:
            while queue and self.n_free > 0:
                deadline, start, seconds, block, i, stage = queue.popleft()
                if stage != TRANSFERRED:
                    if block.by[i] != WAITING:          # answered elsewhere (overflow) or already booked
                        continue
                    if deadline < now:
                        block.by[i] = ABANDONED
                        block.wait[i] = block.patience[i]       # the deadline came patience after the arrival
                        if model.missed_lazily:         # a hang-up found now: its callback, as of then
                            model.outbound_work.missed(model.line_pool[block.entry[i]], block, i, deadline, now)
                        model.settle(block)
                    elif not stage and model.plain_answers and block.origin is None:
                        block.by[i] = self.index
                        block.wait[i] = now - start
                        self.hold(now, seconds)
                        model.settle(block)
                    else:
                        model.answer_first(self, block, i, now, seconds, start)
                else:
                    if block.xfer_by[i] != WAITING:
                        continue
                    if deadline < now:
                        block.xfer_by[i] = ABANDONED
                        block.xfer_wait[i] = deadline - start
                        model.settle(block)
                    else:
                        model.transfers.answer(self, block, i, now, start)
            if self.n_free <= 0:
                break
        else:
            if model.outbound:
                model.outbound_work.take(self, now)
        if arm:
            self.arm()

    def abandon_all(self, now: float):
        """End of the run with nobody left to answer: everyone still waiting is lost.

        A caller who would hang up hangs up at the deadline; one who never would is
        booked as lost when the run ends (``now``).
        """
        for queue in self.queues:
            while queue:
                deadline, start, _, block, i, stage = queue.popleft()
                lost_at = deadline if deadline < INF else max(now, start)
                if stage != TRANSFERRED and block.by[i] == WAITING:
                    block.by[i] = ABANDONED
                    block.wait[i] = lost_at - start
                    if self.model.missed_lazily and deadline < INF:    # its callback is counted, as in take_work
                        self.model.outbound_work.missed(self.model.line_pool[block.entry[i]], block, i, deadline, now)
                elif stage == TRANSFERRED and block.xfer_by[i] == WAITING:
                    block.xfer_by[i] = ABANDONED
                    block.xfer_wait[i] = lost_at - start
                else:
                    continue
                self.model.settle(block)

    def book_busy_area(self, now: float) -> float:
        """Busy agent-seconds (those finishing a call after their shift included) since the last booking."""
        raise NotImplementedError

    def first_end(self) -> float:
        """When the first lazily held agent finishes (s; INF when none is)."""
        raise NotImplementedError


class HeadcountPool(Pool):
    """A number of agents on duty; nobody knows which shift they came with.

    ``staffed`` agents are on duty; ``n_free = staffed - talking`` may be
    negative after the number drops: then the first agents to finish leave.
    Lazy ends are plain floats, so the model's hot loop can answer callers of
    this pool inline (see ``engine.Replication._arrive``).  ``area`` integrates
    ``n_free`` (one product per change, as cheap as it gets) and busy time is
    staffed time less it.
    """

    __slots__ = ("staffed", "staffed_area", "staffed_since")

    def __init__(self, env, index, model, n_levels, overflow, n_outbound, staffed: int):
        super().__init__(env, index, model, n_levels, overflow, n_outbound)
        self.staffed = staffed
        self.n_free = staffed
        self.staffed_area = 0.0
        self.staffed_since = 0.0

    def book_busy_area(self, now: float) -> float:
        self.catch_up(now)
        free = self.area + self.n_free * (now - self.last_change)
        staffed = self.staffed_area + self.staffed * (now - self.staffed_since)
        self.area, self.staffed_area, self.last_change, self.staffed_since = 0.0, 0.0, now, now
        return staffed - free

    def catch_up(self, t: float):
        """Release every lazily held agent whose call ended by ``t``, in time order (and let jobs that became
        available before ``t`` in, in time order with them)."""
        took = self._catch_up_jobs(t) if self.pending_at < t else False
        ends, queues, one = self.ends, self.queues, self.one_queue
        while ends and ends[0] <= t:
            end = heappop(ends)
            self.area += self.n_free * (end - self.last_change)
            self.last_change = end
            self.n_free += 1
            # cheap tests first: usually nobody waits and too few agents are free for any job waiting (none
            # waits: ``ready_floor`` is ``NO_JOB``), and ``_take_freed`` then costs no call
            if self.n_free > 0 and (self.n_free > self.ready_floor or (one if one is not None else any(queues))):
                self._take_freed(end)
                took = True
        if took and any(queues):        # ``arm`` does nothing when nobody waits (outbound jobs need no wake-up)
            self.arm()

    def first_end(self) -> float:
        return self.ends[0] if self.ends else INF

    def take_ahead(self, start: float, seconds: float):
        """The agent who finishes at ``start`` (``answer_ahead``) goes straight on to a call of ``seconds``."""
        heapreplace(self.ends, start + seconds)

    def seize(self, now: float):
        """One free agent starts work that an event will end (``release``); returns its token."""
        self.area += self.n_free * (now - self.last_change)
        self.last_change = now
        self.n_free -= 1
        self.n_held += 1

    def hold(self, now: float, seconds: float) -> bool:
        """One free agent works from ``now`` for ``seconds`` and is released lazily; True if that
        moved the pool's wake-up earlier (an event is then due)."""
        self.area += self.n_free * (now - self.last_change)   # seize, inlined for speed
        self.last_change = now
        self.n_free -= 1
        end = now + seconds
        heappush(self.ends, end)
        if self.wake_at is not None and end < self.wake_at:
            self.arm()
            return True
        return False

    def release(self, _token, _event=None):
        """An event-held agent is done (warm handover, caller hung up)."""
        now = self.env._now
        self.catch_up(now)
        self.n_held -= 1
        self.area += self.n_free * (now - self.last_change)
        self.last_change = now
        self.n_free += 1
        if self.n_free > 0 and self.has_ready_work():
            self.take_work(now)
        else:
            self.arm()                  # one more free agent: waiting jobs may need fewer ends

    def set_levels(self, levels: list[tuple[int, int]]):
        """The number on duty changes to ``levels[0][1]``: arrivals take waiting callers at once."""
        now = self.env._now
        self.catch_up(now)
        talking = self.staffed - self.n_free
        self.area += self.n_free * (now - self.last_change)
        self.last_change = now
        self.staffed_area += self.staffed * (now - self.staffed_since)
        self.staffed_since = now
        self.staffed = levels[-1][1]
        self.n_free = self.staffed - talking
        if self.n_free > 0 and self.has_ready_work():
            self.take_work(now)
        else:
            self.arm()                  # more agents: waiting jobs may need fewer ends


class ShiftPool(Pool):
    """Agents who belong to shifts (groups): a shift's agents come and go together.

    Per group: ``on_duty[g]`` agents at work and ``busy[g]`` of them (or of those
    who stayed to finish a call) talking.  ``free`` lists free agents by their
    group, longest free first.  Lazy ends are ``(end, group)`` tuples.
    """

    __slots__ = ("on_duty", "busy", "free", "n_talking")

    def __init__(self, env, index, model, n_levels, overflow, n_outbound, levels: list[int]):
        super().__init__(env, index, model, n_levels, overflow, n_outbound)
        self.on_duty = list(levels)
        self.busy = [0] * len(levels)
        self.free: deque[int] = deque(g for g, n in enumerate(levels) for _ in range(n))
        self.n_free = len(self.free)
        self.n_talking = 0

    def book_busy_area(self, now: float) -> float:
        self.catch_up(now)
        area = self.area + self.n_talking * (now - self.last_change)
        self.area, self.last_change = 0.0, now
        return area

    def catch_up(self, t: float):
        took = self._catch_up_jobs(t) if self.pending_at < t else False
        ends, queues, one = self.ends, self.queues, self.one_queue
        busy, on_duty = self.busy, self.on_duty
        while ends and ends[0][0] <= t:
            end, group = heappop(ends)
            # _finish, inlined: this loop runs once per call of the model
            self.area += self.n_talking * (end - self.last_change)
            self.last_change = end
            self.n_talking -= 1
            busy[group] -= 1
            if busy[group] < on_duty[group]:
                self.free.append(group)
                self.n_free += 1
                # cheap tests first, as in ``HeadcountPool.catch_up``
                if self.n_free > self.ready_floor or (one if one is not None else any(queues)):
                    self._take_freed(end)
                    took = True
        if took and any(queues):        # ``arm`` does nothing when nobody waits (outbound jobs need no wake-up)
            self.arm()

    def _finish(self, group: int, now: float) -> bool:
        """An agent of ``group`` ends a call at ``now``: free again, or off shift; True if work can start."""
        self.area += self.n_talking * (now - self.last_change)
        self.last_change = now
        self.n_talking -= 1
        self.busy[group] -= 1
        if self.busy[group] < self.on_duty[group]:
            self.free.append(group)
            self.n_free += 1
            return self.has_ready_work()
        return False

    def first_end(self) -> float:
        return self.ends[0][0] if self.ends else INF

    def take_ahead(self, start: float, seconds: float):
        heapreplace(self.ends, (start + seconds, self.ends[0][1]))

    def seize(self, now: float) -> int:
        """The agent free longest starts work that an event will end; returns its group."""
        self.area += self.n_talking * (now - self.last_change)
        self.last_change = now
        group = self.free.popleft()
        self.n_free -= 1
        self.n_talking += 1
        self.busy[group] += 1
        self.n_held += 1
        return group

    def hold(self, now: float, seconds: float) -> bool:
        self.area += self.n_talking * (now - self.last_change)     # seize, inlined for speed
        self.last_change = now
        group = self.free.popleft()
        self.n_free -= 1
        self.n_talking += 1
        self.busy[group] += 1
        end = now + seconds
        heappush(self.ends, (end, group))
        if self.wake_at is not None and end < self.wake_at:
            self.arm()
            return True
        return False

    def release(self, group: int, _event=None):
        now = self.env._now
        self.catch_up(now)
        self.n_held -= 1
        if self._finish(group, now):
            self.take_work(now)
        else:
            self.arm()                  # one more free agent: waiting jobs may need fewer ends

    def set_levels(self, levels: list[tuple[int, int]]):
        """Shifts come, go or take breaks: ``levels`` are (group, agents on duty from now)."""
        now = self.env._now
        self.catch_up(now)
        for group, level in levels:
            busy = self.busy[group]
            change = max(0, level - busy) - max(0, self.on_duty[group] - busy)
            self.on_duty[group] = level
            if change > 0:
                self.free.extend([group] * change)
            elif change < 0:
                # free agents of that shift leave now, the most recently free first
                kept, leaving = deque(), -change
                while leaving:
                    g = self.free.pop()
                    if g == group:
                        leaving -= 1
                    else:
                        kept.appendleft(g)
                self.free.extend(kept)
            self.n_free += change
        if self.n_free > 0 and self.has_ready_work():
            self.take_work(now)
        else:
            self.arm()                  # more agents: waiting jobs may need fewer ends
