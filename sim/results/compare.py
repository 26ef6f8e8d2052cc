"""Comparing scenarios on the same callers: paired differences.

Every scenario runs with the same seed and replications.  Because each line's
callers come from streams keyed by (seed, replication, line, day), replication r
of every scenario sees the same arrivals, questions, talk times and patience
(``sim.model.arrivals``), so
the difference B_r - A_r carries little noise; its Student-t interval over
replications is the paired difference reported.
"""

from __future__ import annotations

import numpy as np

from sim.results.estimate import SIGNED, Estimate
from sim.results.figures import FigureTable


def paired(base: np.ndarray, other: np.ndarray) -> Estimate:
    """Difference other - base, replication by replication (common random numbers)."""
    return Estimate.of(np.asarray(other) - np.asarray(base), SIGNED)


def difference(base: FigureTable, other: FigureTable, figure: str, kind: str = "total", ident: str = "all",
               group=slice(None)) -> Estimate | None:
    """``other - base`` of a figure of one scope, paired; None when either lacks the scope or the figure."""
    if not (base.has(kind, ident) and other.has(kind, ident)):
        return None
    if not (base.reports(figure, kind, ident) and other.reports(figure, kind, ident)):
        return None
    return paired(base.per_replication(figure, kind, ident, group), other.per_replication(figure, kind, ident, group))


def line_ids(tables: list[FigureTable]) -> list[str]:
    """Every line of every table, in first-seen order."""
    seen: dict[str, None] = {}
    for t in tables:
        for kind, ident in t.scopes:
            if kind == "line":
                seen.setdefault(ident)
    return list(seen)
