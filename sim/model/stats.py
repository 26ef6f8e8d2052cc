"""Counters one replication keeps, and the figures (KPIs) computed from them.

This is the single definition of every figure the tool reports.  The model
never keeps a list of calls: it hands over finished blocks of calls, which are
folded into per-interval counters and histograms of waits, so memory does not
grow with the number of calls.

Lines count what their callers lived through: each attempt (a redial is a new
call) from arrival to the first agent's answer, plus what happened in a
transfer.  Pools count their own queue: every caller who joined it, first
calls and transferred ones alike, whoever answered them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.codes import ABANDONED, NOT_TRANSFERRED

# Figure name -> (unit, definition).  Every report and table takes its labels from here.
FIGURES = {
    "offered": ("calls", "calls that arrived in the period after warm-up (redials count again), per replication"),
    "answered": ("calls", "offered calls an agent answered"),
    "abandoned": ("calls", "offered calls that hung up before an agent answered"),
    "answered_within_threshold": ("calls", "answered calls that waited no longer than the threshold"),
    "abandoned_within_threshold": ("calls", "abandoned calls that hung up within the threshold (short abandons)"),
    "service_level": ("share of offered", "answered within the threshold / offered"),
    "abandon_rate": ("share of offered", "abandoned / offered"),
    "asa_seconds": ("seconds", "mean wait of answered calls (average speed of answer)"),
    "mean_wait_seconds": ("seconds", "mean wait of all offered calls; abandoned calls count their time in queue"),
    "wait_p50_seconds": ("seconds", "median wait of answered calls"),
    "wait_p90_seconds": ("seconds", "90th percentile of the wait of answered calls"),
    "wait_p95_seconds": ("seconds", "95th percentile of the wait of answered calls"),
    "callers": ("callers", "distinct callers: first attempts only, redials left out"),
    "redials": ("calls", "offered calls that were a caller's second or later attempt"),
    "callers_served_share": ("share of callers", "callers answered at some attempt / distinct callers"),
    "transferred": ("calls", "answered calls handed to another pool after triage"),
    "transfer_abandoned": ("calls", "transferred calls whose caller hung up before the other pool answered"),
    "transfer_wait_seconds": ("seconds", "mean second wait of transferred calls: connection plus queue, "
                                         "until answered or hung up"),
    "time_to_resolver_seconds": ("seconds", "mean time from arrival until the agent who finishes the call "
                                            "answers (wait, plus triage and second wait when transferred)"),
    "overflowed": ("calls", "calls answered by another pool's agent after waiting past the overflow time"),
    "occupancy": ("share of staffed time", "busy agent time (inbound, after-call work and outbound) / "
                                           "staffed agent time"),
    "staffed_seats": ("agents", "mean number of agents on duty over the period"),
    "outbound_created": ("calls", "outbound jobs created (callbacks of missed calls, return visits)"),
    "outbound_made": ("calls", "outbound calls started by agents"),
    "outbound_on_time": ("calls", "outbound calls started within their window"),
    "outbound_agent_hours": ("agent-hours", "agent time of the outbound calls started in the period"),
    "outbound_share": ("share of busy time", "outbound agent time / busy agent time"),
}
LINE_ONLY = ("callers", "redials", "callers_served_share", "transferred", "transfer_abandoned",
             "transfer_wait_seconds", "time_to_resolver_seconds", "overflowed")
POOL_ONLY = ("occupancy", "staffed_seats", "outbound_created", "outbound_made", "outbound_on_time",
             "outbound_agent_hours", "outbound_share")
PERCENTILES = {"wait_p50_seconds": 0.50, "wait_p90_seconds": 0.90, "wait_p95_seconds": 0.95}

# Histogram of waits: an exact-zero bin (answered at once), then bins that widen with the wait.
WAIT_EDGES_SECONDS = np.concatenate([
    [0.0], np.arange(1, 61, 1.0), np.arange(65, 301, 5.0), np.arange(330, 1801, 30.0),
    np.arange(2100, 7201, 300.0), [np.inf]])
N_BINS = len(WAIT_EDGES_SECONDS)  # bin 0 holds waits of exactly 0

_QUEUE = ("offered", "answered", "answered_within", "abandoned_within", "wait_answered", "wait_all")
_LINE_EXTRA = ("callers", "callers_served", "transferred", "transfer_abandoned", "transfer_wait",
               "resolver_wait", "resolved", "overflowed")
_POOL_EXTRA = ("busy_seconds", "staffed_seconds", "outbound_created", "outbound_made", "outbound_on_time",
               "outbound_seconds")


class QueueTally:
    """Queue counters and wait histograms by (interval, unit)."""

    def __init__(self, n_intervals: int, n_units: int, extra: tuple[str, ...]):
        self.shape = (n_intervals, n_units)
        self.sums = {name: np.zeros(self.shape) for name in _QUEUE + extra}
        self.hist = np.zeros((n_intervals, n_units, N_BINS), dtype=np.int32)

    def add_waits(self, cell: np.ndarray, wait: np.ndarray, answered: np.ndarray, threshold: float):
        """Callers who joined a queue: cell = interval * units + unit; wait in seconds."""
        within = wait <= threshold
        self.add("offered", cell)
        self.add("answered", cell[answered])
        self.add("answered_within", cell[answered & within])
        self.add("abandoned_within", cell[~answered & within])
        self.add("wait_answered", cell[answered], wait[answered])
        self.add("wait_all", cell, wait)
        bins = np.where(wait > 0, np.searchsorted(WAIT_EDGES_SECONDS, wait, side="left"), 0)
        self._count(self.hist.reshape(-1, N_BINS), cell[answered], bins[answered])

    def add(self, name: str, cell: np.ndarray, weights: np.ndarray | None = None):
        self._count(self.sums[name].reshape(-1), cell, weights=weights)

    @staticmethod
    def _count(target: np.ndarray, cell: np.ndarray, bins: np.ndarray | None = None, weights=None):
        """Add counts (or weights) per cell into ``target``, touching only the cells of this batch:
        a block spans a few intervals, a year of them would make every update a copy of the year."""
        if len(cell) == 0:
            return
        first, last = int(cell.min()), int(cell.max()) + 1
        local = cell - first
        if bins is None:
            target[first:last] += np.bincount(local, weights=weights, minlength=last - first)
        else:
            counts = np.bincount(local * N_BINS + bins, minlength=(last - first) * N_BINS)
            target[first:last] += counts.reshape(last - first, N_BINS).astype(target.dtype)


class Counters:
    """Sums for one replication, over the reporting intervals after the warm-up."""

    def __init__(self, n_intervals: int, n_lines: int, n_pools: int, threshold_seconds: float,
                 first_interval: int, entry_pool: np.ndarray, finish_pool: np.ndarray,
                 transfers: np.ndarray):
        self.first = first_interval
        self.n_intervals = n_intervals
        self.threshold = threshold_seconds
        self.lines = QueueTally(n_intervals, n_lines, _LINE_EXTRA)
        self.pools = QueueTally(n_intervals, n_pools, _POOL_EXTRA)
        self.entry_pool = entry_pool        # per line
        self.finish_pool = finish_pool      # per category
        self.transfers = transfers          # per category: True if a transfer is needed

    def add_calls(self, out: dict[str, np.ndarray]):
        """Fold a finished block of calls in (see Block.outcomes)."""
        k = out["interval"] - self.first
        keep = (k >= 0) & (k < self.n_intervals)
        if not keep.all():
            out = {name: values[keep] for name, values in out.items()}
            k = k[keep]
        line, wait, by = out["line"], out["wait"], out["by"]
        answered = by != ABANDONED
        lines, pools = self.lines, self.pools
        n_lines, n_pools = lines.shape[1], pools.shape[1]
        line_cell = k * n_lines + line
        lines.add_waits(line_cell, wait, answered, self.threshold)
        pools.add_waits(k * n_pools + self.entry_pool[line], wait, answered, self.threshold)

        first = out["attempt"] == 0
        lines.add("callers", line_cell[first])
        served = np.where(out["served"] >= 0, out["served"] == 1, answered)
        lines.add("callers_served", line_cell[first & served])
        lines.add("overflowed", line_cell[answered & (by != self.entry_pool[line])])

        xfer = out["xfer_by"] != NOT_TRANSFERRED
        resolved_direct = answered & ~self.transfers[out["category"]]
        lines.add("resolved", line_cell[resolved_direct])
        lines.add("resolver_wait", line_cell[resolved_direct], wait[resolved_direct])
        if xfer.any():
            xw, xby = out["xfer_wait"][xfer], out["xfer_by"][xfer]
            cell = line_cell[xfer]
            reached = xby != ABANDONED
            lines.add("transferred", cell)
            lines.add("transfer_abandoned", cell[~reached])
            lines.add("transfer_wait", cell, xw)
            lines.add("resolved", cell[reached])
            to_resolver = (wait[xfer] + out["first_seconds"][xfer] + xw)[reached]
            lines.add("resolver_wait", cell[reached], to_resolver)
            target = self.finish_pool[out["category"][xfer]]
            pools.add_waits(k[xfer] * n_pools + target, xw, reached, self.threshold)

    def add_pool(self, name: str, interval: int, pool: int, value: float):
        """Agent time or outbound counts of a pool in a horizon interval (ignored outside the report)."""
        k = interval - self.first
        if 0 <= k < self.n_intervals:
            self.pools.sums[name][k, pool] += value

    def add_pool_many(self, name: str, interval: np.ndarray, pool: np.ndarray, value: np.ndarray):
        """``add_pool`` for many (horizon interval, pool, value) at once."""
        k = interval - self.first
        keep = (k >= 0) & (k < self.n_intervals)
        np.add.at(self.pools.sums[name], (k[keep], pool[keep]), value[keep])

    def add_offered_only(self, counts: np.ndarray):
        """Provincial lines: calls counted per (horizon interval, line), never queued."""
        self.lines.sums["offered"] += counts[self.first:self.first + self.n_intervals]


def figures(q: dict[str, np.ndarray], hist: np.ndarray, period_seconds: float) -> dict[str, np.ndarray]:
    """Every figure of FIGURES that the given sums allow (any leading shape).

    ``q`` holds the queue sums and whichever line or pool extras apply.
    Ratios of nothing (e.g. no calls offered) are nan.
    """
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        offered, answered = q["offered"], q["answered"]
        out.update({
            "offered": offered,
            "answered": answered,
            "abandoned": offered - answered,
            "answered_within_threshold": q["answered_within"],
            "abandoned_within_threshold": q["abandoned_within"],
            "service_level": q["answered_within"] / offered,
            "abandon_rate": (offered - answered) / offered,
            "asa_seconds": q["wait_answered"] / answered,
            "mean_wait_seconds": q["wait_all"] / offered,
        })
        for name, p in PERCENTILES.items():
            out[name] = percentile(hist, p)
        if "callers" in q:
            out.update({
                "callers": q["callers"],
                "redials": offered - q["callers"],
                "callers_served_share": q["callers_served"] / q["callers"],
                "transferred": q["transferred"],
                "transfer_abandoned": q["transfer_abandoned"],
                "transfer_wait_seconds": q["transfer_wait"] / q["transferred"],
                "time_to_resolver_seconds": q["resolver_wait"] / q["resolved"],
                "overflowed": q["overflowed"],
            })
        if "busy_seconds" in q:
            out.update({
                "occupancy": q["busy_seconds"] / q["staffed_seconds"],
                "staffed_seats": q["staffed_seconds"] / period_seconds,
                "outbound_created": q["outbound_created"],
                "outbound_made": q["outbound_made"],
                "outbound_on_time": q["outbound_on_time"],
                "outbound_agent_hours": q["outbound_seconds"] / 3600.0,
                "outbound_share": q["outbound_seconds"] / q["busy_seconds"],
            })
    return out


def percentile(hist: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of waits from histograms (last axis), linear within a bin; nan if empty.

    Done a slice of the leading axis at a time: a year of half hours times
    every scope would otherwise need gigabytes of temporary arrays.
    """
    if hist.ndim > 1 and hist.shape[0] > 256:
        return np.concatenate([percentile(hist[i:i + 256], q) for i in range(0, hist.shape[0], 256)])
    cum = np.cumsum(hist, axis=-1, dtype=np.int64)
    n = cum[..., -1:]
    target = q * n
    idx = np.minimum((cum < target).sum(axis=-1, keepdims=True), N_BINS - 1)
    before = np.take_along_axis(cum, np.maximum(idx - 1, 0), axis=-1) * (idx > 0)
    inside = np.take_along_axis(hist, idx, axis=-1).astype(float)
    low = WAIT_EDGES_SECONDS[np.maximum(idx - 1, 0)] * (idx > 0)
    high = WAIT_EDGES_SECONDS[idx]
    high = np.where(np.isinf(high), low, high)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(inside > 0, (target - before) / inside, 0.0)
        value = np.where(idx == 0, 0.0, low + frac * (high - low))
    value = np.where(n > 0, value, np.nan)
    return value[..., 0]


@dataclass
class Scopes:
    """The reported scopes: total, each line, each pool (in that order)."""
    names: list[tuple[str, str]]      # ("total", "all"), ("line", "12345"), ("pool", "general")
    city_lines: np.ndarray            # per line: True unless provincial
    provincial: list[str]             # ids of provincial lines (offered only)


def scopes_of(scenario) -> Scopes:
    """Total, then each line, then each pool."""
    names = ([("total", "all")] + [("line", l) for l in scenario.lines]
             + [("pool", p) for p in scenario.pools])
    city = np.asarray([line.mode != "provincial" for line in scenario.lines.values()])
    provincial = [line.id for line in scenario.lines.values() if line.mode == "provincial"]
    return Scopes(names, city, provincial)


def scope_figures(c: Counters, scopes: Scopes, interval_seconds: float) -> tuple[dict, dict]:
    """Figures per (interval, scope) and over the whole horizon per scope."""
    horizon = c.n_intervals * interval_seconds
    line_q, pool_q = c.lines.sums, c.pools.sums
    city = scopes.city_lines
    total_q = {name: line_q[name][:, city].sum(axis=1, keepdims=True) for name in line_q}
    total_q.update({name: pool_q[name].sum(axis=1, keepdims=True) for name in _POOL_EXTRA})
    total_hist = c.lines.hist[:, city].sum(axis=1, keepdims=True)
    parts = [(total_q, total_hist), (line_q, c.lines.hist), (pool_q, c.pools.hist)]

    def assemble(by_part):
        out = {}
        for name in FIGURES:
            pieces = [p.get(name) for p in by_part]
            if all(x is None for x in pieces):
                continue
            pieces = [x if x is not None else np.full(ref.shape, np.nan)
                      for x, ref in zip(pieces, [p["offered"] for p in by_part])]
            out[name] = np.concatenate(pieces, axis=-1)
        return out

    per_interval = assemble([figures(q, h, interval_seconds) for q, h in parts])
    whole = assemble([figures({n: v.sum(axis=0) for n, v in q.items()}, h.sum(axis=0), horizon)
                      for q, h in parts])
    # provincial lines: only what was offered is known
    for result in (per_interval, whole):
        for j, is_city in enumerate(city):
            if not is_city:
                for name in result:
                    if name != "offered":
                        result[name][..., 1 + j] = np.nan
    return per_interval, whole
