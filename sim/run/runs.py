"""Independent replications of scenarios: what they were, and the sums each kept.

Replication ``r`` draws from streams keyed by (seed, r) alone, so results do
not depend on the order or place in which replications run.  A run keeps
each replication's sums (``sim.model.counters``); its figures, at any grain,
come from ``sim.results.figures.table``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from sim.input.scenario import Scenario


@dataclass(frozen=True)
class RunLayout:
    """What the figures of a run need to know of its scenario (written beside its sums, read back by reports)."""
    name: str
    interval_minutes: int
    start_minute: int
    warmup_intervals: int
    n_intervals: int
    threshold_seconds: float
    service_level_target: float
    max_abandon_rate: float
    lines: tuple[str, ...]
    pools: tuple[str, ...]
    provincial: tuple[str, ...]
    # what people read for the scenario and each line and pool, by language: {"scenario": {"zh": ...},
    # "line:funan": {"en": ..., "zh": ...}, "pool:general": {...}}; ids without a label are left out
    labels: dict = field(default_factory=dict)

    @classmethod
    def of(cls, s: Scenario) -> "RunLayout":
        labels = {"scenario": s.label} if s.label else {}
        labels.update({f"line:{k}": line.label for k, line in s.lines.items() if line.label})
        labels.update({f"pool:{k}": pool.label for k, pool in s.pools.items() if pool.label})
        return cls(s.name, s.interval_minutes, s.start_minute, s.warmup_intervals, s.n_intervals,
                   s.threshold_seconds, s.service_level_target, s.max_abandon_rate, tuple(s.lines),
                   tuple(s.pools), tuple(line.id for line in s.lines.values() if line.mode == "provincial"), labels)

    def label(self, kind: str, ident: str = "", lang: str = "en") -> str:
        """What people read for the scenario (``kind`` "scenario"), a line or a pool: its label in ``lang``, else
        its id."""
        key = "scenario" if kind == "scenario" else f"{kind}:{ident}"
        return self.labels.get(key, {}).get(lang) or (self.name if kind == "scenario" else ident)

    @property
    def interval_seconds(self) -> float:
        return self.interval_minutes * 60.0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "RunLayout":
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@dataclass
class RunResult:
    """A run of a scenario: its layout, seed, and each replication's sums (``"<grain>/<side>/<sum>"`` arrays).

    ``scenario`` is None for a run read back from a results folder.
    """
    scenario: Scenario | None
    layout: RunLayout
    seed: int
    replications: int
    sums: list[dict[str, np.ndarray]]


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             progress: Callable[[int], None] | None = None, trace=None, make_source=None,
             runner=None, store=None) -> RunResult:
    """Run the scenario's replications and gather their sums.

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
    return [RunResult(s, RunLayout.of(s), sd, n, [done[(i, r)] for r in range(n)])
            for i, (s, n, sd) in enumerate(zip(scenarios, reps, seeds))]
