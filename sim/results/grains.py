"""Sums of a run at any grain, from the grains its replications kept.

A replication keeps its sums per reporting interval (short horizons), per
interval of the clock week and per day (``sim.model.counters.kept_grains``).
Sums add up, so every grain a report asks for is a regrouping of one of them:

| grain | from | groups |
| --- | --- | --- |
| ``interval`` | kept (horizons up to 8 weeks) | each reporting interval after the warm-up |
| ``interval_of_week`` | kept | each interval of the clock week, weeks pooled |
| ``hour_of_week`` | interval of the week | 168 hours, Monday 00:00 first |
| ``hour_of_day`` | interval of the week | 24 clock hours, days pooled |
| ``weekday`` | interval of the week | Monday ... Sunday, weeks pooled |
| ``day`` | kept | each day of the horizon |
| ``week`` | day | each week of the horizon (7 days from the start) |
| ``whole`` | interval of the week | the whole reported horizon |

Days and weeks keep no wait histograms (their wait percentiles are nan): in a
year they would be most of the run's memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.input.clock import MINUTES_PER_DAY, MINUTES_PER_WEEK, WEEKDAYS, label
from sim.input.limits import KEEP_INTERVALS_DAYS
from sim.model.counters import SIDES, kept_grains

GRAINS = ("interval", "interval_of_week", "hour_of_week", "hour_of_day", "weekday", "day", "week", "whole")
DAYS_PER_WEEK = 7
MINUTES_PER_HOUR = 60


class GrainError(ValueError):
    """The run did not keep what a grain needs (e.g. each interval of a year-long horizon)."""


@dataclass
class GrainSums:
    """A run's sums at one grain: per side, each sum as (replications, groups, units); histograms add bins.

    ``periods`` is the reported time of each group in seconds; ``labels`` name the groups.
    """
    grain: str
    lines: dict[str, np.ndarray]
    pools: dict[str, np.ndarray]
    lines_hist: np.ndarray | None       # None at grains without wait histograms
    pools_hist: np.ndarray | None
    periods: np.ndarray
    labels: list


def grain_sums(run, grain: str) -> GrainSums:
    """The sums of ``run`` (a ``sim.run.runs.RunResult``) at ``grain`` (one of ``GRAINS``)."""
    if grain not in GRAINS:
        raise GrainError(f"unknown grain {grain!r}; expected one of: {', '.join(GRAINS)}")
    layout = run.layout
    kept = {g.name: g for g in kept_grains(layout.n_intervals, layout.warmup_intervals, layout.interval_minutes,
                                             layout.start_minute)}
    base, regroup, labels = _plan(grain, layout, kept)
    stacked = {side: {} for side in SIDES}
    hists = {}
    for side in SIDES:
        prefix = f"{base}/{side}/"
        names = [key[len(prefix):] for key in run.sums[0] if key.startswith(prefix)]
        for name in names:
            values = np.stack([rep[prefix + name] for rep in run.sums])
            if regroup is not None:
                values = _regroup(values, regroup, len(labels))
            if name == "hist":
                hists[side] = values
            else:
                stacked[side][name] = values
    periods = np.bincount(kept[base].group, minlength=kept[base].n_groups) * layout.interval_minutes * 60.0
    if regroup is not None:
        periods = np.bincount(regroup, weights=periods, minlength=len(labels))
    return GrainSums(grain, stacked["lines"], stacked["pools"], hists.get("lines"), hists.get("pools"), periods,
                     labels)


def _regroup(values: np.ndarray, mapping: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum axis 1 (groups) of ``values`` into ``n_groups`` by ``mapping``."""
    out = np.zeros((values.shape[0], n_groups) + values.shape[2:], dtype=values.dtype)
    np.add.at(out, (slice(None), mapping), values)
    return out


def _plan(grain: str, layout, kept: dict) -> tuple[str, np.ndarray | None, list]:
    """Which kept grain to start from, how to regroup it, and the labels of the groups."""
    im = layout.interval_minutes
    if grain == "interval":
        if "interval" not in kept:
            raise GrainError(f"each interval is kept for horizons up to {KEEP_INTERVALS_DAYS} days; ask for "
                             "interval_of_week or day instead")
        k = np.arange(layout.warmup_intervals, layout.n_intervals)
        minute = layout.start_minute + k * im
        labels = [(int(kk), int(m // MINUTES_PER_DAY - layout.start_minute // MINUTES_PER_DAY + 1),
                   *label(m)) for kk, m in zip(k, minute)]
        return "interval", None, labels
    week_groups = MINUTES_PER_WEEK // im
    if grain == "interval_of_week":
        return "interval_of_week", None, [label(w * im) for w in range(week_groups)]
    if grain in ("hour_of_week", "hour_of_day", "weekday"):
        minute = np.arange(week_groups) * im
        if grain == "hour_of_week":
            return ("interval_of_week", minute // MINUTES_PER_HOUR,
                    [label(h * MINUTES_PER_HOUR) for h in range(MINUTES_PER_WEEK // MINUTES_PER_HOUR)])
        if grain == "hour_of_day":
            return ("interval_of_week", (minute % MINUTES_PER_DAY) // MINUTES_PER_HOUR,
                    [f"{h:02d}:00" for h in range(MINUTES_PER_DAY // MINUTES_PER_HOUR)])
        return "interval_of_week", minute // MINUTES_PER_DAY, [d.capitalize() for d in WEEKDAYS]
    days = kept["day"].n_groups
    first_weekday = layout.start_minute // MINUTES_PER_DAY
    if grain == "day":
        return "day", None, [(d + 1, WEEKDAYS[(first_weekday + d) % DAYS_PER_WEEK].capitalize())
                             for d in range(days)]
    if grain == "week":
        return "day", np.arange(days) // DAYS_PER_WEEK, [w + 1 for w in range((days + DAYS_PER_WEEK - 1)
                                                                              // DAYS_PER_WEEK)]
    return "interval_of_week", np.zeros(week_groups, dtype=np.int64), ["all"]
