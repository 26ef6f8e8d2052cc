"""Independent replications of a scenario, and their confidence intervals.

Replication ``r`` draws from streams keyed by (seed, r) alone, so results do
not depend on the order or place in which replications run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special

from sim.input.scenario import Scenario
from sim.model.stats import FIGURES, Scopes, scopes_of


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


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             progress: Callable[[int], None] | None = None, trace=None, make_source=None,
             runner=None, store=None) -> RunResult:
    """Run the scenario's replications and gather their figures.

    ``runner`` (a ``sim.parallel.Runner``) spreads replications over processes
    or a Dask cluster; ``store`` (a ``sim.store.Store``) keeps each finished
    replication and reuses those already there.  ``progress(r)`` is called
    after each replication; ``trace(replication, block)`` receives every
    finished block of calls (this runs in this process).
    """
    return simulate_many([scenario], replications, seed, progress, trace, make_source, runner, store)[0]


def simulate_many(scenarios: list[Scenario], replications: int | None = None, seed: int | None = None,
                  progress: Callable[[int], None] | None = None, trace=None, make_source=None,
                  runner=None, store=None) -> list[RunResult]:
    """Every replication of every scenario as one batch of tasks (variants run side by side)."""
    from sim.run.executors import replicate
    from sim.run.store import scenario_key

    reps = [s.replications if replications is None else replications for s in scenarios]
    seeds = [s.seed if seed is None else seed for s in scenarios]
    done: dict[tuple[int, int], tuple] = {}
    keys = [scenario_key(s, sd) for s, sd in zip(scenarios, seeds)] if store is not None else None
    tasks, where = [], []
    for i, (s, n, sd) in enumerate(zip(scenarios, reps, seeds)):
        for r in range(n):
            stored = store.load(keys[i], r) if store is not None else None
            if stored is not None:
                done[(i, r)] = stored
                if progress is not None:
                    progress(r)
            else:
                tasks.append((s, sd, r))
                where.append((i, r))
    if trace is not None or make_source is not None or runner is None or runner.serial:
        finished = ((k, replicate(*task, trace, make_source)) for k, task in enumerate(tasks))
    else:
        finished = runner.map(tasks)
    for k, result in finished:
        i, r = where[k]
        done[(i, r)] = result
        if store is not None:
            store.save(keys[i], r, result)
        if progress is not None:
            progress(r)
    out = []
    for i, (s, n, sd) in enumerate(zip(scenarios, reps, seeds)):
        wholes = [done[(i, r)][0] for r in range(n)]
        intervals = [done[(i, r)][1] for r in range(n)]
        stack = lambda parts: {f: np.stack([p[f] for p in parts]) for f in FIGURES if f in parts[0]}  # noqa: E731
        out.append(RunResult(s, sd, n, scopes_of(s), stack(wholes), stack(intervals)))
    return out


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
        # the Student-t quantile itself (what scipy.stats.t.ppf calls), without importing scipy.stats
        half = special.stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2) * sd / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half
