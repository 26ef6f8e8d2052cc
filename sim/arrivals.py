"""The caller stream: who calls when, and how long each call will take.

Calls are drawn in blocks of whole intervals with numpy.  Each line has its
own random streams (arrivals, handle, after-call work, patience), keyed by the
replication and the line's name, so two scenarios that share a line see the
same callers: common random numbers for free.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from .clock import MINUTES_PER_DAY
from .scenario import Line, Scenario

TARGET_BLOCK_CALLS = 16384   # calls per block: large enough for numpy, small enough for memory
_STREAMS = ("arrivals", "handle", "wrapup", "patience", "busyness")


class Block:
    """A batch of calls in time order, and their outcomes as the model fills them in.

    ``wait`` and ``answered`` start as "answered at once"; the model only writes
    the calls that had to queue.  ``pending`` counts queued calls without an
    outcome yet: the block is finished once all its calls have arrived and
    ``pending`` is back to 0.
    """

    __slots__ = ("times", "line", "agent_seconds", "patience", "interval", "line_index",
                 "wait", "answered", "pending", "arrived")

    def __init__(self, times, line_index, interval, agent_seconds, patience):
        self.times = times.tolist()
        self.line = line_index.tolist()
        self.line_index = line_index
        self.interval = interval
        self.agent_seconds = agent_seconds.tolist()
        self.patience = patience.tolist()
        n = len(self.times)
        self.wait = [0.0] * n
        self.answered = [True] * n
        self.pending = 0
        self.arrived = False

    def outcomes(self):
        """(interval, line index, wait seconds, answered) as numpy arrays."""
        return self.interval, self.line_index, np.asarray(self.wait), np.asarray(self.answered, dtype=bool)


def line_streams(seed: int, replication: int, line_id: str) -> dict[str, np.random.Generator]:
    """Independent generators for one line in one replication.

    Keyed by (replication, crc32 of the line's name), not by the line's
    position, so adding a line to a scenario leaves the others' callers alone.
    """
    key = zlib.crc32(line_id.encode("utf-8"))
    root = np.random.SeedSequence(seed, spawn_key=(replication, key))
    return {name: np.random.default_rng(child) for name, child in zip(_STREAMS, root.spawn(len(_STREAMS)))}


class CallSource:
    """Generates the replication's calls block by block, merged across lines in time order."""

    def __init__(self, scenario: Scenario, seed: int, replication: int):
        self.s = scenario
        self.lines: list[Line] = list(scenario.lines.values())
        self.streams = [line_streams(seed, replication, line.id) for line in self.lines]
        self.week_intervals = len(self.lines[0].arrivals.week_per_hour)
        first_day = scenario.start_minute // MINUTES_PER_DAY
        days = first_day + math.ceil(scenario.horizon_seconds / 86400.0) + 1
        self.day_factor = [self._busyness(line, st, days) for line, st in zip(self.lines, self.streams)]
        mean_calls = sum(line.arrivals.week_per_hour.mean() for line in self.lines) * scenario.interval_seconds / 3600
        self.block_intervals = int(min(scenario.n_intervals, max(1, TARGET_BLOCK_CALLS // max(mean_calls, 1e-9))))
        self.next_interval = 0

    @staticmethod
    def _busyness(line: Line, streams, days: int) -> np.ndarray:
        shape = line.arrivals.busyness_shape
        if shape is None:
            return np.ones(days)
        return streams["busyness"].gamma(shape, 1.0 / shape, days)

    def rates_per_hour(self, line_no: int, intervals: np.ndarray) -> np.ndarray:
        """Arrival rate (calls per hour) of a line in horizon intervals, busyness included."""
        s = self.s
        start_interval = s.start_minute // s.interval_minutes
        week_index = (start_interval + intervals) % self.week_intervals
        day = (s.start_minute + intervals * s.interval_minutes) // MINUTES_PER_DAY
        return self.lines[line_no].arrivals.week_per_hour[week_index] * self.day_factor[line_no][day]

    def next_block(self) -> Block | None:
        """The next block of calls, or None once the horizon is covered."""
        s = self.s
        if self.next_interval >= s.n_intervals:
            return None
        k0 = self.next_interval
        k1 = min(s.n_intervals, k0 + self.block_intervals)
        self.next_interval = k1
        intervals = np.arange(k0, k1)
        parts = []
        for j, (line, st) in enumerate(zip(self.lines, self.streams)):
            expected = self.rates_per_hour(j, intervals) * s.interval_seconds / 3600.0
            counts = st["arrivals"].poisson(expected)
            n = int(counts.sum())
            k = np.repeat(intervals, counts)
            t = k * s.interval_seconds + st["arrivals"].uniform(0.0, s.interval_seconds, n)
            agent = line.handle.sample(st["handle"], n)
            if line.wrapup is not None:
                agent = agent + line.wrapup.sample(st["wrapup"], n)
            patience = line.patience.sample(st["patience"], n) if line.patience is not None else np.full(n, np.inf)
            parts.append((t, np.full(n, j), k, agent, patience))
        t, line_index, k, agent, patience = (np.concatenate(x) for x in zip(*parts))
        order = np.argsort(t, kind="stable")
        return Block(t[order], line_index[order], k[order], agent[order], patience[order])
