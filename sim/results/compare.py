"""Comparing scenarios on the same callers: estimates and paired differences.

Every scenario runs with the same seed and replications.  Because each line's
callers come from streams keyed by (seed, replication, line), replication r of
every scenario sees the same arrivals, questions, talk times and patience, so
the difference B_r - A_r carries little noise; its Student-t interval over
replications is the paired difference reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.input import clock
from sim.run.runs import RunResult, confidence_interval

HEADLINE = ("staffed_seats", "service_level", "abandon_rate", "asa_seconds", "transferred",
            "outbound_share", "occupancy")


@dataclass
class Estimate:
    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Estimate":
        return cls(*(float(x) for x in confidence_interval(values)))


def values(result: RunResult, figure: str, kind: str = "total", ident: str = "all") -> np.ndarray | None:
    """Per-replication values of a figure, or None if the scenario has no such scope."""
    if (kind, ident) not in result.scopes.names:
        return None
    return result.whole[figure][:, result.scope_index(kind, ident)]


def paired(base: np.ndarray, other: np.ndarray) -> Estimate:
    """Difference other - base, replication by replication (common random numbers)."""
    return Estimate.of(other - base)


def line_ids(results: list[RunResult]) -> list[str]:
    """Every line of every scenario, in first-seen order."""
    seen: dict[str, None] = {}
    for r in results:
        for kind, ident in r.scopes.names:
            if kind == "line":
                seen.setdefault(ident)
    return list(seen)


def service_level_by_hour_of_week(result: RunResult) -> tuple[np.ndarray, Estimate]:
    """Service level (answered within threshold / offered, all city lines) per hour of the week.

    Returns the hours (0 = Monday 00:00) and the estimate over replications of
    each hour's service level, pooling the hour across the weeks of the horizon.
    """
    s = result.scenario
    within = result.per_interval["answered_within_threshold"][:, :, 0]
    offered = result.per_interval["offered"][:, :, 0]
    k = np.arange(within.shape[1]) + s.warmup_intervals
    hour = ((s.start_minute + k * s.interval_minutes) % clock.MINUTES_PER_WEEK) // 60
    hours = np.unique(hour)
    sums_w = np.stack([within[:, hour == h].sum(axis=1) for h in hours], axis=1)
    sums_o = np.stack([offered[:, hour == h].sum(axis=1) for h in hours], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = sums_w / sums_o
    mean, low, high = confidence_interval(sl)
    return hours, Estimate(mean, low, high)
