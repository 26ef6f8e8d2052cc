"""What one replication counts: additive sums per group of intervals, line and pool.

The model never keeps a list of calls: finished blocks of calls are folded in
as counts, sums of waits and histograms of waits.  Sums add up, so a figure at
any grain (an hour of the week, a day, the whole run) is computed from them
alone, and always the same way (``sim.results.figures``).

A replication keeps its sums at a few grains (``Grain``): each reporting
interval (horizons up to ``KEEP_INTERVALS_DAYS``), each interval of the clock
week (weeks pooled) and each day.  Every other grain is a sum of one of those.
Lines count what their callers lived through (first wait; transfers
separately); pools count their own queue (first calls and transferred-in
callers alike, these from when they joined it: a caller lost during the
telephone connection never reached the pool), and their agents' time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.input.clock import MINUTES_PER_DAY, MINUTES_PER_WEEK
from sim.input.limits import KEEP_INTERVALS_DAYS
from sim.model.codes import ABANDONED, NOT_TRANSFERRED

# Histogram of waits: an exact-zero bin (answered at once), then bins that widen with the wait.
WAIT_EDGES_SECONDS = np.concatenate([
    [0.0], np.arange(1, 61, 1.0), np.arange(65, 301, 5.0), np.arange(330, 1801, 30.0),
    np.arange(2100, 7201, 300.0), [np.inf]])
N_BINS = len(WAIT_EDGES_SECONDS)  # bin 0 holds waits of exactly 0

QUEUE_SUMS = ("offered", "answered", "answered_within", "abandoned_within", "wait_answered", "wait_all")
LINE_SUMS = ("callers", "callers_served", "transferred", "transfer_abandoned", "transfer_wait",
             "resolver_wait", "resolved", "overflowed", "closed_callers", "messages")
POOL_SUMS = ("busy_seconds", "staffed_seconds", "outbound_created", "outbound_made", "outbound_on_time",
             "outbound_seconds")
SIDES = ("lines", "pools")
# Each reporting interval is kept for horizons up to KEEP_INTERVALS_DAYS (``sim.input.limits``); beyond,
# intervals of the week and days are kept.


@dataclass(frozen=True)
class Grain:
    """A way of grouping the reporting intervals: ``group[k]`` is the group of reported interval ``k``.

    ``waits``: whether wait histograms (for percentiles) are kept at this grain too.
    """
    name: str
    group: np.ndarray
    n_groups: int
    waits: bool = True


def kept_grains(n_intervals: int, warmup_intervals: int, interval_minutes: int, start_minute: int) -> list[Grain]:
    """The grains a replication keeps its sums at, for the reported intervals (after the warm-up)."""
    k = np.arange(warmup_intervals, n_intervals)
    minute = start_minute + k * interval_minutes
    week = (minute % MINUTES_PER_WEEK) // interval_minutes
    day = minute // MINUTES_PER_DAY - start_minute // MINUTES_PER_DAY
    grains = []
    if n_intervals * interval_minutes <= KEEP_INTERVALS_DAYS * MINUTES_PER_DAY:
        grains.append(Grain("interval", k - warmup_intervals, len(k)))
    grains.append(Grain("interval_of_week", week, MINUTES_PER_WEEK // interval_minutes))
    # per day, counts and sums but no wait histograms: they are nine tenths of a year's memory
    grains.append(Grain("day", day, int(day.max()) + 1 if len(day) else 0, waits=False))
    return grains


class Runs:
    """Runs of equal values in ``rows`` (groups of a grain, for consecutive intervals): where each starts, its
    row, and whether the runs' rows are distinct (computed once for all the tallies folded at that grain)."""

    __slots__ = ("all", "starts", "rows", "distinct", "target")

    def __init__(self, rows: np.ndarray):
        self.all = rows
        self.starts = np.flatnonzero(_run_starts(rows))
        self.rows = rows[self.starts]
        # rising rows (the usual block, within a week) are distinct without sorting them
        self.distinct = bool((self.rows[1:] > self.rows[:-1]).all()) or len(np.unique(self.rows)) == len(self.rows)
        # where the rows go in a grain's tally: consecutive rows (a block's intervals) as a slice, added in place;
        # an index array makes numpy copy them out and back (0.4 ms a block of the Fuyang week, against 0.03)
        consecutive = len(self.rows) and self.rows[-1] - self.rows[0] + 1 == len(self.rows)
        self.target = slice(int(self.rows[0]), int(self.rows[-1]) + 1) if consecutive and self.distinct else self.rows


def _add_at(sums: np.ndarray, group: np.ndarray, unit: np.ndarray, values: np.ndarray):
    """``sums[group, unit] += values`` item by item, in order (repeated cells add up).  Through flat indices:
    numpy's ``ufunc.at`` has a fast path for one index array only (five times faster than a pair)."""
    np.add.at(sums.reshape(-1), group * sums.shape[1] + unit, values)


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``; without sorting when ``values`` are in order already, as a
    block's intervals are (its calls come in time order): a fifth of the cost."""
    if len(values) < 2 or not (values[1:] >= values[:-1]).all():
        return np.unique(values, return_inverse=True)
    starts = _run_starts(values)
    return values[starts], np.cumsum(starts) - 1


def _run_starts(values: np.ndarray) -> np.ndarray:
    """True where a run of equal ``values`` starts (the first item, and each that differs from the one before)."""
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


class Tally:
    """Sums of one side (lines or pools) by (group, unit), and wait histograms by (group, unit, bin).

    ``waits``: keep histograms (dense); ``sparse``: keep only the flat (cell, bin) index of each answered
    wait, for a block's own tally that is folded into the kept grains at once (a dense histogram of a
    block is mostly zeros, and filling and folding it cost more than all its other sums).
    """

    def __init__(self, n_groups: int, n_units: int, names: tuple[str, ...], waits: bool = True,
                 sparse: bool = False):
        # one array for all sums (a block's tally is folded in with one indexed add); ``sums`` are views of it
        self.table = np.zeros((len(names), n_groups, n_units))
        self.sums = dict(zip(names, self.table))
        self.hist = np.zeros((n_groups, n_units, N_BINS), dtype=np.int32) if waits and not sparse else None
        self.sparse: list[np.ndarray] | None = [] if sparse else None
        self.n_units = n_units

    @classmethod
    def copied_rows(cls, source: "Tally", rows: np.ndarray, n_groups: int) -> "Tally":
        """A tally of ``n_groups`` groups whose groups ``rows`` are ``source``'s groups, in order, and the others
        zero (only those are zeroed first: the copy writes the rest)."""
        tally = cls.__new__(cls)
        others = np.ones(n_groups, dtype=bool)
        others[rows] = False
        tally.table = np.empty((source.table.shape[0], n_groups, source.n_units))
        tally.table[:, others] = 0.0
        tally.table[:, rows] = source.table
        tally.sums = dict(zip(source.sums, tally.table))
        tally.hist = None
        if source.hist is not None:
            tally.hist = np.empty((n_groups, source.n_units, N_BINS), dtype=source.hist.dtype)
            tally.hist[others] = 0
            tally.hist[rows] = source.hist
        tally.sparse, tally.n_units = None, source.n_units
        return tally

    def add(self, name: str, cell: np.ndarray, weights: np.ndarray | None = None):
        """Add counts (or ``weights``) to flat cells ``group * units + unit``."""
        if len(cell):
            target = self.sums[name].reshape(-1)
            target += np.bincount(cell, weights=weights, minlength=target.size)

    def add_waits(self, cell: np.ndarray, wait: np.ndarray, answered: np.ndarray, threshold: float):
        """Callers who joined a queue: their waits, in seconds, by flat cell."""
        within = wait <= threshold
        self.add("offered", cell)
        self.add("answered", cell[answered])
        self.add("answered_within", cell[answered & within])
        self.add("abandoned_within", cell[~answered & within])
        self.add("wait_answered", cell[answered], wait[answered])
        self.add("wait_all", cell, wait)
        if not answered.any():
            return
        answered_wait = wait[answered]
        bins = np.where(answered_wait > 0, np.searchsorted(WAIT_EDGES_SECONDS, answered_wait, side="left"), 0)
        index = cell[answered] * N_BINS + bins
        if self.sparse is not None:
            self.sparse.append(index)
        else:
            flat = self.hist.reshape(-1)
            flat += np.bincount(index, minlength=flat.size).astype(np.int32)

    def fold_into(self, target: "Tally", runs: "Runs"):
        """Add this tally's groups into ``target``'s groups ``runs.all`` (one per group here)."""
        # Runs of equal rows are summed first (reduceat); when the runs' rows are then distinct (a block
        # spans less than a week) a plain indexed add does, which is several times faster than np.add.at.
        rows, starts, unique = runs.all, runs.starts, runs.target
        if runs.distinct:
            whole = len(starts) == len(rows)
            target.table[:, unique] += self.table if whole else np.add.reduceat(self.table, starts, axis=1)
        else:
            for name, values in self.sums.items():
                np.add.at(target.sums[name], rows, values)
        if target.hist is None:
            return
        if self.sparse is not None:
            if self.sparse:
                per_row = self.n_units * N_BINS
                index = np.concatenate(self.sparse)
                flat = target.hist.reshape(-1)
                if isinstance(unique, slice) and len(starts) == len(rows):
                    # row r here is row start + r there: the same flat index, from an offset
                    flat, where = flat[unique.start * per_row:unique.stop * per_row], index
                else:
                    where = rows[index // per_row] * per_row + index % per_row
                # values of the target's own type: numpy's fast path for ufunc.at (a scalar 1 is 50 times slower)
                np.add.at(flat, where, np.ones(len(index), dtype=target.hist.dtype))
        elif runs.distinct:
            target.hist[unique] += self.hist if len(starts) == len(rows) else np.add.reduceat(self.hist, starts, axis=0)
        else:
            np.add.at(target.hist, rows, self.hist)


class Counters:
    """The sums one replication keeps, at each kept grain.

    Blocks of calls are first counted per reporting interval in a small tally
    covering just their intervals, then folded into every grain: the per-call
    work is done once, whatever the number of grains.
    """

    def __init__(self, scenario, n_lines: int, n_pools: int, entry_pool: np.ndarray, finish_pool: np.ndarray,
                 transfers: np.ndarray):
        s = scenario
        self.first = s.warmup_intervals
        self.n_intervals = s.n_intervals - s.warmup_intervals
        self.threshold = s.threshold_seconds
        kept = kept_grains(s.n_intervals, s.warmup_intervals, s.interval_minutes, s.start_minute)
        self.units = {"lines": n_lines, "pools": n_pools}
        # Within a week each reported interval is an interval of the week of its own, so those sums are the
        # intervals' own, added in the same order: copied when asked for (``sums``), not folded call by call,
        # and not even zeroed before (for the Fuyang week, 18 MB a replication).
        by_name = {g.name: g for g in kept}
        week = by_name["interval_of_week"]
        groups = np.sort(week.group)        # distinct? (np.unique would import numpy.ma: 6 ms a process)
        self.copied = week if "interval" in by_name and not (groups[1:] == groups[:-1]).any() else None
        self.tallies = {g.name: None if g is self.copied else
                        {"lines": Tally(g.n_groups, n_lines, QUEUE_SUMS + LINE_SUMS, g.waits),
                         "pools": Tally(g.n_groups, n_pools, QUEUE_SUMS + POOL_SUMS, g.waits)}
                        for g in kept}
        self.grains = [g for g in kept if g is not self.copied]     # the grains filled as the run goes
        self.entry_pool = entry_pool        # per entry (``sim.model.routing``): lines, then closed lines put through
        self.finish_pool = finish_pool      # per category
        self.transfers = transfers          # per category: True if a transfer is needed

    def _fold(self, local: dict[str, Tally], intervals: np.ndarray):
        """Add ``local`` (one row per reported interval in ``intervals``, ascending) into every grain."""
        for grain in self.grains:
            runs = Runs(grain.group[intervals])
            for side in SIDES:
                local[side].fold_into(self.tallies[grain.name][side], runs)

    def add_calls(self, out: dict[str, np.ndarray]):
        """Fold a finished block of calls in (see ``Block.outcomes``)."""
        k = out["interval"] - self.first
        keep = (k >= 0) & (k < self.n_intervals)
        if not keep.all():
            # a block's calls are in time order: those reported are a slice of them (views, no copies), unless
            # the block is out of order (then a mask)
            kept = np.flatnonzero(keep)
            kept = slice(int(kept[0]), int(kept[-1]) + 1) if len(kept) and kept[-1] - kept[0] + 1 == len(kept) else keep
            out = {name: values[kept] for name, values in out.items()}
            k = k[kept]
        if not len(k):
            return
        # the block's own intervals only: a block of redials can span months, a few calls in each
        intervals, k = _distinct(k)
        n_lines, n_pools = self.units["lines"], self.units["pools"]
        local = {"lines": Tally(len(intervals), n_lines, QUEUE_SUMS + LINE_SUMS, sparse=True),
                 "pools": Tally(len(intervals), n_pools, QUEUE_SUMS + POOL_SUMS, sparse=True)}
        lines, pools = local["lines"], local["pools"]
        line, wait, by, entry = out["line"], out["wait"], out["by"], out["entry"]
        answered = by != ABANDONED
        line_cell = k * n_lines + line
        lines.add_waits(line_cell, wait, answered, self.threshold)
        pools.add_waits(k * n_pools + self.entry_pool[entry], wait, answered, self.threshold)

        first = out["attempt"] == 0
        lines.add("callers", line_cell[first])
        lines.add("closed_callers", line_cell[first & (entry != line)])
        served = np.where(out["served"] >= 0, out["served"] == 1, answered)
        lines.add("callers_served", line_cell[first & served])
        lines.add("overflowed", line_cell[answered & (by != self.entry_pool[entry])])

        xfer = out["xfer_by"] != NOT_TRANSFERRED
        needs_transfer = self.transfers[out["category"]]
        resolved = answered & ~needs_transfer
        resolved[xfer] = out["xfer_by"][xfer] != ABANDONED
        lines.add("resolved", line_cell[resolved])
        direct = answered & ~needs_transfer
        lines.add("resolver_wait", line_cell[direct], wait[direct])
        if xfer.any():
            xw, xby = out["xfer_wait"][xfer], out["xfer_by"][xfer]
            cell = line_cell[xfer]
            reached = xby != ABANDONED
            lines.add("transferred", cell)
            lines.add("transfer_abandoned", cell[~reached])
            lines.add("transfer_wait", cell, xw)
            to_resolver = (wait[xfer] + out["first_seconds"][xfer] + xw)[reached]
            lines.add("resolver_wait", cell[reached], to_resolver)
            # the pool that finishes it counts the callers who joined its queue, from when they joined:
            # one who hung up during the connection never reached it, whatever its agents did
            delay = out["xfer_delay"][xfer]
            joined = reached | (xw >= delay)
            target = self.finish_pool[out["category"][xfer]][joined]
            pools.add_waits(k[xfer][joined] * n_pools + target, (xw - delay)[joined], reached[joined],
                            self.threshold)
        self._fold(local, intervals)

    def add_closed(self, closed):
        """Callers who found their line closed and left a message or asked for a callback
        (``arrivals.ClosedCalls``): callers of the line, never queued."""
        k = closed.interval - self.first
        keep = (k >= 0) & (k < self.n_intervals)
        k, line = k[keep], closed.line[keep]
        ones = np.ones(len(k))
        for grain in self.grains:
            sums = self.tallies[grain.name]["lines"].sums
            for name in ("closed_callers", "messages"):
                _add_at(sums[name], grain.group[k], line, ones)

    def add_pool_many(self, interval: np.ndarray, pool: np.ndarray, values: dict[str, np.ndarray | None]):
        """Agent time or outbound work of pools at many (horizon interval, pool) at once (ignored outside the
        report).  Per sum, a value each (seconds, added in order), a mask (the true ones counted) or None
        (each counted once): counts are exact in any order, so they are added by ``np.bincount``."""
        k = interval - self.first
        keep = (k >= 0) & (k < self.n_intervals)
        if not keep.all():
            k, pool = k[keep], pool[keep]
            values = {name: v if v is None else v[keep] for name, v in values.items()}
        n_pools = self.units["pools"]
        for grain in self.grains:
            sums = self.tallies[grain.name]["pools"].sums
            cell = grain.group[k] * n_pools + pool
            for name, value in values.items():
                flat = sums[name].reshape(-1)
                if value is None or value.dtype == bool:
                    flat += np.bincount(cell if value is None else cell[value], minlength=flat.size)
                else:
                    np.add.at(flat, cell, value)

    def add_offered_only(self, counts: np.ndarray):
        """Provincial lines: calls counted per (horizon interval, line), never queued."""
        reported = counts[self.first:self.first + self.n_intervals]
        for grain in self.grains:
            np.add.at(self.tallies[grain.name]["lines"].sums["offered"], grain.group, reported)

    def whole(self, side: str, name: str) -> np.ndarray:
        """One sum over the whole reported horizon, per unit of ``side`` ("lines" or "pools")."""
        return self.tallies["day"][side].sums[name].sum(axis=0)

    def sums(self) -> dict[str, np.ndarray]:
        """The replication's sums as flat arrays: ``"<grain>/<side>/<sum>"`` and ``"<grain>/<side>/hist"``."""
        if self.copied is not None:
            self.tallies[self.copied.name] = {
                side: Tally.copied_rows(source, self.copied.group, self.copied.n_groups)
                for side, source in self.tallies["interval"].items()}
        out = {}
        for grain, sides in self.tallies.items():
            for side, tally in sides.items():
                for name, values in tally.sums.items():
                    out[f"{grain}/{side}/{name}"] = values
                if tally.hist is not None:
                    out[f"{grain}/{side}/hist"] = tally.hist
        return out
