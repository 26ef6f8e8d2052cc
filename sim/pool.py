"""A pool of seats: agents on duty, agents busy, and the callers waiting for them.

Each priority level has its own first-come first-served queue; a free agent
takes the oldest caller of the most urgent level, and outbound work only when
no inbound caller waits.  Abandonment needs no event: a queue entry whose
deadline (arrival + patience) has passed when an agent reaches it hung up at
that deadline, so it is booked and skipped.
"""

from __future__ import annotations

from collections import deque

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
                 "release", "overflow", "jobs", "plain")

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
        self.release = self._release    # bound once: it is attached to every service end

    def _release(self, _event=None):
        """An agent ends a call (talk and after-call work, or an outbound call)."""
        now = self.env._now             # the property costs a call; this is the hot loop
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        self.busy -= 1
        if self.busy < self.staffed:
            self.take_work(now)

    def occupy(self, now: float):
        """One more agent busy from ``now``."""
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        self.busy += 1

    def set_staffed(self, level: int):
        """Shift change: arriving agents take waiting callers at once; leaving ones finish their call."""
        self.staffed = level
        if self.busy < level:
            self.take_work(self.env._now)

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
                        Timeout(self.env, seconds).callbacks.append(self.release)
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
                return
        if model.outbound:
            model.take_outbound(self, now)

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
