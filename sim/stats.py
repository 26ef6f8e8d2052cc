"""Counters one replication keeps, and the figures (KPIs) computed from them.

This is the single definition of every figure the tool reports.  The model
never keeps a list of calls: it hands over finished blocks of calls, which are
folded into per-interval, per-line counters and a histogram of waits, so memory
does not grow with the number of calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Figure name -> (unit, definition).  Every report and table takes its labels from here.
FIGURES = {
    "offered": ("calls", "calls that arrived in the interval (after warm-up), per replication"),
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
    "occupancy": ("share of staffed time", "busy agent time (talk + after-call work) / staffed agent time"),
    "staffed_seats": ("agents", "mean number of agents on duty over the period"),
}
COUNTS = ("offered", "answered", "abandoned", "answered_within_threshold", "abandoned_within_threshold")
POOL_ONLY = ("occupancy", "staffed_seats")
PERCENTILES = {"wait_p50_seconds": 0.50, "wait_p90_seconds": 0.90, "wait_p95_seconds": 0.95}

# Histogram of waits: an exact-zero bin (answered at once), then bins that widen with the wait.
WAIT_EDGES_SECONDS = np.concatenate([
    [0.0], np.arange(1, 61, 1.0), np.arange(65, 301, 5.0), np.arange(330, 1801, 30.0),
    np.arange(2100, 7201, 300.0), [np.inf]])
N_BINS = len(WAIT_EDGES_SECONDS)  # bin 0 holds waits of exactly 0


class Counters:
    """Sums for one replication: calls by (interval, line), agent time by (interval, pool).

    Intervals are the horizon's reporting intervals after the warm-up.
    """

    def __init__(self, n_intervals: int, n_lines: int, n_pools: int, threshold_seconds: float,
                 first_interval: int = 0):
        self.first = first_interval
        self.n_intervals = n_intervals
        self.n_lines = n_lines
        self.threshold = threshold_seconds
        shape = (n_intervals, n_lines)
        self.offered = np.zeros(shape)
        self.answered = np.zeros(shape)
        self.answered_within = np.zeros(shape)
        self.abandoned_within = np.zeros(shape)
        self.wait_answered = np.zeros(shape)
        self.wait_all = np.zeros(shape)
        self.hist = np.zeros((n_intervals, n_lines, N_BINS), dtype=np.int32)
        self.busy_seconds = np.zeros((n_intervals, n_pools))
        self.staffed_seconds = np.zeros((n_intervals, n_pools))

    def add_calls(self, interval: np.ndarray, line: np.ndarray, wait: np.ndarray, answered: np.ndarray):
        """Fold a finished block of calls in (interval of arrival, line index, wait s, answered?)."""
        keep = (interval >= self.first) & (interval < self.first + self.n_intervals)
        if not keep.all():
            interval, line, wait, answered = interval[keep], line[keep], wait[keep], answered[keep]
        cell = (interval - self.first) * self.n_lines + line
        size = self.n_intervals * self.n_lines
        within = wait <= self.threshold

        def total(weights=None, where=None):
            c = cell if where is None else cell[where]
            w = weights if where is None or weights is None else weights[where]
            return np.bincount(c, weights=w, minlength=size).reshape(self.offered.shape)

        self.offered += total()
        self.answered += total(where=answered)
        self.answered_within += total(where=answered & within)
        self.abandoned_within += total(where=~answered & within)
        self.wait_answered += total(wait, answered)
        self.wait_all += total(wait)
        bins = np.where(wait > 0, np.searchsorted(WAIT_EDGES_SECONDS, wait, side="left"), 0)
        flat = np.bincount(cell[answered] * N_BINS + bins[answered], minlength=size * N_BINS)
        self.hist += flat.reshape(self.hist.shape).astype(np.int32)

    def add_agent_time(self, interval: int, pool: int, busy_seconds: float, staffed_seconds: float):
        k = interval - self.first
        if 0 <= k < self.n_intervals:
            self.busy_seconds[k, pool] += busy_seconds
            self.staffed_seconds[k, pool] += staffed_seconds


def figures(calls: dict[str, np.ndarray], hist: np.ndarray,
            busy_seconds: np.ndarray | None, staffed_seconds: np.ndarray | None,
            period_seconds: float | np.ndarray) -> dict[str, np.ndarray]:
    """Every figure of FIGURES from summed counters (any leading shape).

    ``calls`` holds offered, answered, answered_within, abandoned_within,
    wait_answered, wait_all; ``hist`` the wait histogram (last axis bins).
    Ratios of nothing (no calls offered) are nan.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        offered, answered = calls["offered"], calls["answered"]
        out = {
            "offered": offered,
            "answered": answered,
            "abandoned": offered - answered,
            "answered_within_threshold": calls["answered_within"],
            "abandoned_within_threshold": calls["abandoned_within"],
            "service_level": calls["answered_within"] / offered,
            "abandon_rate": (offered - answered) / offered,
            "asa_seconds": calls["wait_answered"] / answered,
            "mean_wait_seconds": calls["wait_all"] / offered,
        }
        for name, q in PERCENTILES.items():
            out[name] = percentile(hist, q)
        if busy_seconds is not None:
            out["occupancy"] = busy_seconds / staffed_seconds
            out["staffed_seats"] = staffed_seconds / period_seconds
    return out


def percentile(hist: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of waits from histograms (last axis), linear within a bin; nan if empty."""
    counts = hist.astype(float)
    cum = np.cumsum(counts, axis=-1)
    n = cum[..., -1:]
    target = q * n
    idx = np.minimum((cum < target).sum(axis=-1, keepdims=True), N_BINS - 1)
    before = np.take_along_axis(cum, np.maximum(idx - 1, 0), axis=-1) * (idx > 0)
    inside = np.take_along_axis(counts, idx, axis=-1)
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
    """Which lines and pools make up each reported scope (total, each line, each pool)."""
    names: list[tuple[str, str]]      # (scope kind, id): ("total", "all"), ("line", "12345"), ("pool", "general")
    line_weights: np.ndarray          # (n_scopes, n_lines): 1 where the line's calls count in the scope
    pool_weights: np.ndarray          # (n_scopes, n_pools): 1 where the pool's agent time counts


def scope_figures(counters: Counters, scopes: Scopes, interval_seconds: float) -> tuple[dict, dict]:
    """Figures per (interval, scope) and over the whole horizon per scope."""
    lw, pw = scopes.line_weights, scopes.pool_weights
    calls = {
        "offered": counters.offered, "answered": counters.answered,
        "answered_within": counters.answered_within, "abandoned_within": counters.abandoned_within,
        "wait_answered": counters.wait_answered, "wait_all": counters.wait_all,
    }
    per_interval_calls = {k: v @ lw.T for k, v in calls.items()}                  # (n_int, n_scopes)
    hist = np.einsum("ilb,sl->isb", counters.hist, lw)                            # (n_int, n_scopes, B)
    busy = counters.busy_seconds @ pw.T
    staffed = counters.staffed_seconds @ pw.T
    per_interval = figures(per_interval_calls, hist, busy, staffed, interval_seconds)
    horizon = counters.n_intervals * interval_seconds
    whole = figures({k: v.sum(axis=0) for k, v in per_interval_calls.items()}, hist.sum(axis=0),
                    busy.sum(axis=0), staffed.sum(axis=0), horizon)
    return per_interval, whole
