"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

A task is one replication of one scenario, ``(scenario, seed, replication)``;
its random streams depend on those alone, so results are the same whichever
worker runs it and in whatever order tasks finish.  Dask (distributed) is the
engine for clusters; local processes use the standard library's pool.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Iterator

from .engine import run_replication
from .stats import scope_figures, scopes_of


def replicate(scenario, seed: int, replication: int, trace=None, make_source=None) -> tuple[dict, dict]:
    """One replication's figures over the whole horizon and per interval (what a worker returns).

    ``trace(replication, block)`` and ``make_source`` only work in this process (see runs.simulate).
    """
    sink = None if trace is None else (lambda block: trace(replication, block))
    counters = run_replication(scenario, seed, replication, sink, make_source)
    per_interval, whole = scope_figures(counters, scopes_of(scenario), scenario.interval_seconds)
    return whole, per_interval


class Runner:
    """Runs tasks here (``workers=1``), on local processes, or on Dask (``scheduler``).

    ``scheduler`` is a Dask scheduler address such as ``tcp://10.0.0.5:8786``, or
    ``"local"`` to start a local Dask cluster of ``workers`` processes.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.scheduler = scheduler
        self._pool = None
        self._client = None
        self._cluster = None

    @property
    def serial(self) -> bool:
        return self.scheduler is None and self.workers == 1

    def map(self, tasks: list[tuple]) -> Iterator[tuple[int, tuple]]:
        """Yield ``(task index, result)`` as tasks finish."""
        if self.serial:
            for i, task in enumerate(tasks):
                yield i, replicate(*task)
            return
        if self.scheduler is None:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers)
            futures = {self._pool.submit(replicate, *task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                yield futures[future], future.result()
            return
        from distributed import as_completed as dask_completed
        client = self._dask()
        futures = [client.submit(replicate, *task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()

    def _dask(self):
        if self._client is None:
            try:
                from distributed import Client, LocalCluster
            except ImportError:
                raise RuntimeError("--scheduler needs Dask: pip install 'hotline-sim[dask]'") from None
            if self.scheduler == "local":
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.scheduler)
        return self._client

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._pool = self._client = self._cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
