"""The discrete-event model of one replication, on SimPy's event loop.

Design for speed (the hot loop is this file):
- plain callbacks on ``simpy.Timeout`` events, no process per call;
- arrivals are handled in a run: one event wakes the source, which then takes
  every arrival due before the next scheduled event (``env.peek()``), working
  in each call's own arrival time;
- abandonment needs no event: a pool's queue is first-come first-served, so a
  caller whose deadline (arrival + patience) has passed when an agent reaches
  it has already hung up at that deadline.  Outcomes are exact, and most
  callers never cost more than two events;
- random numbers come in numpy blocks; outcomes are written into the block and
  folded into counters by numpy when the block is finished.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import simpy
from simpy.events import Timeout

from .arrivals import Block, CallSource
from .scenario import Scenario
from .stats import Counters

INF = float("inf")


class PoolState:
    """Agents of one pool: how many are on duty, how many are busy, who waits."""

    __slots__ = ("env", "index", "staffed", "busy", "queue", "busy_area", "last_change",
                 "finish", "release")

    def __init__(self, env: simpy.Environment, index: int, staffed: int, finish):
        self.env = env
        self.index = index
        self.staffed = staffed
        self.busy = 0
        self.queue: deque = deque()
        self.busy_area = 0.0        # busy agent-seconds since the last interval boundary
        self.last_change = 0.0
        self.finish = finish        # called with a block whose calls all have outcomes
        self.release = self._release  # bound once: it is attached to every service end

    def _release(self, _event):
        """An agent ends a call (talk and after-call work)."""
        now = self.env._now
        self.busy_area += self.busy * (now - self.last_change)
        self.last_change = now
        self.busy -= 1
        if self.queue and self.busy < self.staffed:
            self.take_waiting(now)

    def set_staffed(self, level: int):
        """Shift change: arriving agents take waiting calls at once; leaving ones finish their call."""
        self.staffed = level
        if self.queue and self.busy < self.staffed:
            now = self.env._now
            self.busy_area += self.busy * (now - self.last_change)
            self.last_change = now
            self.take_waiting(now)

    def take_waiting(self, now: float):
        """Free agents answer the queue in arrival order, skipping callers who already hung up."""
        queue, env, busy, release = self.queue, self.env, self.busy, self.release
        while queue and busy < self.staffed:
            deadline, arrived, agent_seconds, block, i = queue.popleft()
            if deadline < now:
                block.wait[i] = deadline - arrived
                block.answered[i] = False
            else:
                block.wait[i] = now - arrived
                busy += 1
                Timeout(env, agent_seconds).callbacks.append(release)
            block.pending -= 1
            if not block.pending and block.arrived:
                self.finish(block)
        self.busy = busy

    def abandon_all(self, now: float):
        """End of run with nobody left to answer: everyone still waiting is lost."""
        while self.queue:
            deadline, arrived, _, block, i = self.queue.popleft()
            block.wait[i] = min(deadline, now) - arrived
            block.answered[i] = False
            block.pending -= 1
            if not block.pending and block.arrived:
                self.finish(block)


class Replication:
    """One run of a scenario: builds the model, runs it, returns its counters."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, trace=None):
        self.s = scenario
        self.env = simpy.Environment()
        self.trace = trace
        self.source = CallSource(scenario, seed, replication)
        self.staffing = [_horizon_agents(scenario, pool.week_agents) for pool in scenario.pools.values()]
        pool_ids = list(scenario.pools)
        self.pools = [PoolState(self.env, p, int(levels[0]), self._finish)
                      for p, levels in enumerate(self.staffing)]
        self.pool_of_line = [self.pools[pool_ids.index(line.pool)] for line in scenario.lines.values()]
        self.counters = Counters(scenario.n_intervals - scenario.warmup_intervals, len(scenario.lines),
                                 len(self.pools), scenario.threshold_seconds, scenario.warmup_intervals)
        self.block: Block | None = None
        self.i = 0

    # -- setup ----------------------------------------------------------------
    def run(self) -> Counters:
        env = self.env
        for pool, levels in zip(self.pools, self.staffing):
            self._schedule_staffing(pool, levels)
        self._record_staffed_time()
        self._schedule_boundary(1)
        if self._load_block():
            Timeout(env, self.block.times[0]).callbacks.append(self._arrive)
        env.run()
        for pool in self.pools:
            pool.abandon_all(env.now)
        return self.counters

    def _schedule_staffing(self, pool: PoolState, levels: np.ndarray):
        """Timeouts at each minute where the pool's agents on duty change."""
        changes = np.flatnonzero(np.diff(levels)) + 1
        times = (changes * 60.0).tolist()
        new_levels = levels[changes].tolist()

        def change(event, k=[0]):
            pool.set_staffed(new_levels[k[0]])
            k[0] += 1
            if k[0] < len(times):
                Timeout(self.env, times[k[0]] - self.env.now).callbacks.append(change)

        if times:
            Timeout(self.env, times[0]).callbacks.append(change)

    def _record_staffed_time(self):
        s = self.s
        per_interval = s.interval_minutes
        for p, levels in enumerate(self.staffing):
            minutes = levels[: s.n_intervals * per_interval].reshape(s.n_intervals, per_interval)
            staffed = minutes.sum(axis=1) * 60.0
            for k in range(s.warmup_intervals, s.n_intervals):
                self.counters.add_agent_time(k, p, 0.0, float(staffed[k]))

    def _schedule_boundary(self, k: int):
        """At the end of interval k-1: book each pool's busy time to it."""
        def boundary(event):
            now = self.env._now
            for pool in self.pools:
                pool.busy_area += pool.busy * (now - pool.last_change)
                pool.last_change = now
                self.counters.add_agent_time(k - 1, pool.index, pool.busy_area, 0.0)
                pool.busy_area = 0.0
            if k < self.s.n_intervals:
                self._schedule_boundary(k + 1)

        Timeout(self.env, k * self.s.interval_seconds - self.env.now).callbacks.append(boundary)

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
        interval, line, wait, answered = block.outcomes()
        self.counters.add_calls(interval, line, wait, answered)
        if self.trace is not None:
            self.trace(block)

    # -- the hot loop ---------------------------------------------------------
    def _arrive(self, _event):
        """Take every arrival due before the next scheduled event."""
        env = self.env
        block, i = self.block, self.i
        times, lines, agent, patience = block.times, block.line, block.agent_seconds, block.patience
        n = len(times)
        pool_of_line = self.pool_of_line
        now = env._now
        next_event = env.peek()
        while True:
            t = times[i]
            pool = pool_of_line[lines[i]]
            if pool.busy < pool.staffed:
                pool.busy_area += pool.busy * (t - pool.last_change)
                pool.last_change = t
                pool.busy += 1
                Timeout(env, t + agent[i] - now).callbacks.append(pool.release)
                next_event = env.peek()
            elif patience[i] > 0:
                pool.queue.append((t + patience[i], t, agent[i], block, i))
                block.pending += 1
            else:
                block.answered[i] = False     # patience 0: served at once or lost at once
            i += 1
            if i == n:
                block.arrived = True
                if not block.pending:
                    self._finish(block)
                if not self._load_block():
                    return
                block, i = self.block, 0
                times, lines, agent, patience = block.times, block.line, block.agent_seconds, block.patience
                n = len(times)
            if times[i] > next_event:
                break
        self.i = i
        Timeout(env, times[i] - now).callbacks.append(self._arrive)


def _horizon_agents(scenario: Scenario, week_agents: np.ndarray) -> np.ndarray:
    """Agents on duty in each minute of the horizon (the clock week, repeated)."""
    minutes = int(round(scenario.horizon_seconds / 60))
    index = (scenario.start_minute + np.arange(minutes)) % len(week_agents)
    return week_agents[index]


def run_replication(scenario: Scenario, seed: int, replication: int, trace=None) -> Counters:
    """Simulate one replication and return its counters."""
    return Replication(scenario, seed, replication, trace).run()
