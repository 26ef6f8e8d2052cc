"""A pool of seats: agents on duty, agents busy, and the callers waiting for them.

Each priority level has its own first-come first-served queue; a free agent
takes the oldest caller of the most urgent level, and outbound work only when
no inbound caller waits.

Two shortcuts keep events rare, both exact:
- abandonment needs no event: a queue entry whose deadline (arrival +
  patience) has passed when an agent reaches it hung up at that deadline, so it
  is booked and skipped;
- an agent whose call length is known when it starts is released lazily: its
  end time goes on a heap (``ends``) and is caught up the next time anyone
  looks at the pool.  Only while callers wait does the pool put a wake-up
  event on SimPy's queue, at the earliest end.  Agents whose release depends
  on something else (triage, warm transfers) are released by events.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush

import simpy
from simpy.events import Timeout

from .arrivals import ABANDONED, WAITING


class PoolState:
    """Agents of one pool during a replication.

    Queue entries are tuples ``(deadline, wait_start, agent_seconds, block, i, stage)``
    where stage 0 is a first call the pool finishes, 1 a first call that needs
    a transfer after triage, 2 a transferred caller's second wait.
    """

    __slots__ = ("env", "index", "staffed", "busy", "queues", "busy_area", "last_change", "model",
                 "release", "overflow", "jobs", "plain", "ends", "wake_at", "wake")

    def __init__(self, env: simpy.Environment, index: int, staffed: int, model, n_levels: int,
                 overflow: list, n_outbound: int):
        self.env = env
        self.index = index
        self.staffed = staffed
        self.busy = 0
        self.queues = [deque() for _ in range(n_levels)]
        self.busy_area = 0.0            # busy agent-seconds since the last interval boundary
        self.last_change = 0.0
        self.model = model              # the replication: answers that need more than a release
        self.overflow = overflow        # [(target pool index, after seconds, handle factor)]
        self.jobs = [[] for _ in range(n_outbound)]   # heaps of (due, sequence, seconds) per outbound kind
        self.plain = not overflow and n_levels == 1
        self.ends: list[float] = []     # end times of agents released lazily
        self.wake_at = None             # time of the pending wake-up event, if any
        self.release = self._release    # bound once: handed to many events
        self.wake = self._wake

    # -- agent time -----------------------------------------------------------
    def catch_up(self, t: float):
        """Release every lazily held agent whose call ended by ``t``, in time order."""
        ends = self.ends
        while ends and ends[0] <= t:
            end = heappop(ends)
            self.busy_area += self.busy * (end - self.last_change)
            self.last_change = end
            self.busy -= 1
            if self.busy < self.staffed and self.has_work():
                self.take_work(end)

    def is_free(self, now: float) -> bool:
        """Is an agent free at ``now``?"""
        if self.ends and self.ends[0] <= now:
            self.catch_up(now)
        return self.busy < self.staffed

    def occupy(self, now: float):
        """One more agent busy from ``now`` (released later by an event)."""
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        self.busy += 1

    def hold(self, now: float, seconds: float):
        """One more agent busy from ``now`` for ``seconds``, released lazily."""
        self.occupy(now)
        heappush(self.ends, now + seconds)

    def _release(self, _event=None):
        """An event-held agent is free again (end of triage, warm handover, hang-up)."""
        now = self.env._now             # the property costs a call
        self.catch_up(now)
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        self.busy -= 1
        if self.busy < self.staffed and self.has_work():
            self.take_work(now)

    def set_staffed(self, level: int):
        """Shift change: arriving agents take waiting callers at once; leaving ones finish their call."""
        now = self.env._now
        self.catch_up(now)
        self.staffed = level
        if self.busy < level and self.has_work():
            self.take_work(now)

    def book_busy_area(self, now: float) -> float:
        """Busy agent-seconds since the last booking (at an interval boundary)."""
        self.catch_up(now)
        area = self.busy_area + self.busy * (now - self.last_change)
        self.busy_area, self.last_change = 0.0, now
        return area

    # -- waiting callers ------------------------------------------------------
    def has_work(self) -> bool:
        for queue in self.queues:
            if queue:
                return True
        return bool(self.model.outbound) and any(self.jobs)

    def arm(self):
        """While callers wait, make sure a wake-up is due at the earliest lazy end."""
        ends = self.ends
        if ends and (self.wake_at is None or ends[0] < self.wake_at) and self.has_work():
            self.wake_at = ends[0]
            Timeout(self.env, max(0.0, ends[0] - self.env._now)).callbacks.append(self.wake)

    def _wake(self, _event):
        now = self.env._now
        if self.wake_at == now:
            self.wake_at = None
        self.catch_up(now)
        self.arm()

    def take_work(self, now: float):
        """Free agents answer waiting callers, most urgent level first, then outbound work."""
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        model = self.model
        for queue in self.queues:
            while queue and self.busy < self.staffed:
                deadline, start, seconds, block, i, stage = queue.popleft()
                if stage < 2:
                    if block.by[i] != WAITING:          # answered elsewhere (overflow) or already booked
                        continue
                    if deadline < now:
                        block.by[i] = ABANDONED
                        block.wait[i] = deadline - start
                        model.settle(block)
                    elif stage == 0 and model.plain_answers and block.origin is None:
                        block.by[i] = self.index
                        block.wait[i] = now - start
                        self.busy += 1
                        heappush(self.ends, now + seconds)
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
                        model.answer_transfer(self, block, i, now, start)
            if self.busy >= self.staffed:
                break
        else:
            if model.outbound:
                model.take_outbound(self, now)
        self.arm()

    def abandon_all(self, now: float):
        """End of the run with nobody left to answer: everyone still waiting is lost."""
        for queue in self.queues:
            while queue:
                deadline, start, _, block, i, stage = queue.popleft()
                if stage < 2 and block.by[i] == WAITING:
                    block.by[i] = ABANDONED
                    block.wait[i] = min(deadline, now) - start
                elif stage == 2 and block.xfer_by[i] == WAITING:
                    block.xfer_by[i] = ABANDONED
                    block.xfer_wait[i] = min(deadline, now) - start
                else:
                    continue
                self.model.settle(block)
