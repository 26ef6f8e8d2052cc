"""Independent replications of a scenario, and their confidence intervals.

Replication ``r`` draws from streams keyed by (seed, r) alone, so results do
not depend on the order or place in which replications run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats as sps

from .engine import run_replication
from .scenario import Scenario
from .stats import FIGURES, Scopes, scope_figures


@dataclass
class RunResult:
    """Figures of every replication: ``whole[f]`` is (R, scopes), ``per_interval[f]`` (R, intervals, scopes)."""
    scenario: Scenario
    seed: int
    replications: int
    scopes: Scopes
    whole: dict[str, np.ndarray]
    per_interval: dict[str, np.ndarray]

    def scope_index(self, kind: str, ident: str = "all") -> int:
        return self.scopes.names.index((kind, ident))

    def estimate(self, figure: str, kind: str = "total", ident: str = "all") -> tuple[float, float, float]:
        """(mean, ci95 low, ci95 high) over replications for one figure of one scope."""
        return confidence_interval(self.whole[figure][:, self.scope_index(kind, ident)])


def scopes_of(scenario: Scenario) -> Scopes:
    """Total, then each line, then each pool."""
    names = ([("total", "all")] + [("line", l) for l in scenario.lines]
             + [("pool", p) for p in scenario.pools])
    city = np.asarray([line.mode != "provincial" for line in scenario.lines.values()])
    provincial = [line.id for line in scenario.lines.values() if line.mode == "provincial"]
    return Scopes(names, city, provincial)


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             progress: Callable[[int], None] | None = None, trace=None, make_source=None) -> RunResult:
    """Run the scenario's replications one after another.

    ``progress(r)`` is called after each replication; ``trace(replication, block)``
    receives every finished block of calls when a per-call trace is wanted.
    """
    replications = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    scopes = scopes_of(scenario)
    wholes, intervals = [], []
    for r in range(replications):
        sink = None if trace is None else (lambda block, r=r: trace(r, block))
        counters = run_replication(scenario, seed, r, sink, make_source)
        per_interval, whole = scope_figures(counters, scopes, scenario.interval_seconds)
        wholes.append(whole)
        intervals.append(per_interval)
        if progress is not None:
            progress(r)
    stack = lambda parts: {f: np.stack([p[f] for p in parts]) for f in FIGURES if f in parts[0]}
    return RunResult(scenario, seed, replications, scopes, stack(wholes), stack(intervals))


def confidence_interval(values: np.ndarray, level: float = 0.95) -> tuple:
    """Mean and Student-t interval over replications (axis 0); nan where undefined.

    Replications without a value (nothing offered) are left out.
    """
    values = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-nan columns: nan is the answer
        mean = np.nanmean(values, axis=0)
        sd = np.nanstd(values, axis=0, ddof=1)
        half = sps.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half
