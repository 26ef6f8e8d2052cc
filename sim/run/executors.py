"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

A task is one replication of one scenario, ``(scenario, seed, replication)``;
its random streams depend on those alone, so results are the same whichever
worker runs it and in whatever order tasks finish.  Dask (distributed) is the
engine for clusters; local processes use the standard library's pool.

Local workers die with this process, even when it is killed with SIGKILL (no
orphans keep computing): on Linux the kernel sends them SIGKILL when their
parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread in each
worker notices that its parent is gone.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from typing import Iterator

import numpy as np

from sim.errors import OptionError
from sim.model.engine import run_replication

# More local processes than this is a typo, not a machine (each holds a simulation in memory).
MAX_WORKERS = 512
# How long to wait for a Dask scheduler to answer before saying it cannot be reached.
SCHEDULER_CONNECT_SECONDS = 5
SCHEDULER_GRACE_SECONDS = 2     # beyond Dask's own timeout, before a connection that hangs is given up
# How often a worker without PR_SET_PDEATHSIG checks that its parent is alive.
WATCHDOG_SECONDS = 0.5
STOP_WORKER_SECONDS = 5      # a terminated worker not gone by then is killed
DASK_INSTALL = "pip install 'hotline-sim[dask]'"
PR_SET_PDEATHSIG = 1                    # from <linux/prctl.h>
# Dask's address schemes for a scheduler (inproc:// is for one process, not a cluster)
_SCHEDULER = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d+)/?$")
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_PORT_MAX = 65535
# Workers are children of this process (the watchdog compares with its pid): fork where it exists.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


def replicate(scenario, seed: int, replication: int, trace=None, make_source=None) -> dict[str, np.ndarray]:
    """One replication's sums (what a worker returns; see ``Counters.sums``).

    ``trace(replication, block)`` and ``make_source`` only work in this process (see runs.simulate).
    """
    sink = None if trace is None else (lambda block: trace(replication, block))
    return run_replication(scenario, seed, replication, sink, make_source).sums()


def check_scheduler(address: str) -> str:
    """``local`` or a Dask scheduler address ``tcp://HOST:PORT``; raises OptionError for anything else."""
    example = "give tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), or 'local' to start a cluster here"
    if address == "local":
        return address
    match = _SCHEDULER.match(address.strip())
    if match is None:
        raise OptionError("--scheduler", address, f"is not a Dask scheduler address; {example}")
    if match["scheme"] is not None and match["scheme"] not in _SCHEMES:
        raise OptionError("--scheduler", address, f"unknown scheme {match['scheme']}://, Dask speaks "
                          f"{', '.join(s + '://' for s in _SCHEMES)}; {example}")
    if not 0 < int(match["port"]) <= _PORT_MAX:
        raise OptionError("--scheduler", address, f"port {match['port']} is not between 1 and {_PORT_MAX}; {example}")
    return address.strip()


def _die_with_parent(parent: int) -> None:
    """Start-up of a local worker: never outlive ``parent``, and leave Ctrl-C to it."""
    # Ctrl-C reaches the whole process group; the parent stops the workers, so they must not print tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watchdog").start()
    if os.getppid() != parent:          # the parent died before the above took effect
        os._exit(1)


def _death_signal() -> bool:
    """Ask the Linux kernel to kill this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes           # here: only worker processes need it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


class Runner:
    """Runs tasks here (``workers=1``), on local processes, or on Dask (``scheduler``).

    ``scheduler`` is a Dask scheduler address such as ``tcp://10.0.0.5:8786``, or
    ``"local"`` to start a local Dask cluster of ``workers`` processes.  A bad
    address or a missing Dask is refused here (OptionError), before any work.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.scheduler = None if scheduler is None else check_scheduler(scheduler)
        if self.scheduler is not None:
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise OptionError("--scheduler", scheduler, f"needs Dask, which is not installed: {DASK_INSTALL}") \
                    from None
        self._pool = None
        self._client = None
        self._cluster = None

    @property
    def serial(self) -> bool:
        return self.scheduler is None and self.workers == 1

    def map(self, tasks: list[tuple], function=replicate) -> Iterator[tuple[int, object]]:
        """Yield ``(task index, function(*task))`` as tasks finish (replications by default; the planner also
        solves each pool's roster programme here)."""
        if not tasks:
            return
        if self.serial:
            for i, task in enumerate(tasks):
                yield i, function(*task)
            return
        if self.scheduler is None:
            # imported here: a run in this process (``--workers 1``) need not pay for them at start-up
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed
            if self._pool is None:
                # no more processes than tasks: a large --workers on a small run forks nothing idle
                self._pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)),
                                                 mp_context=multiprocessing.get_context(_START_METHOD),
                                                 initializer=_die_with_parent, initargs=(os.getpid(),))
            futures = {self._pool.submit(function, *task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                yield futures[future], future.result()
            return
        from distributed import as_completed as dask_completed
        client = self._dask()
        futures = [client.submit(function, *task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()

    def _dask(self):
        if self._client is None:
            from distributed import Client, LocalCluster
            if self.scheduler == "local":
                try:
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
                except (OSError, TimeoutError) as exc:
                    raise OptionError("--scheduler", "local", f"could not start a Dask cluster here ({exc}); "
                                      "run without --scheduler to use local processes") from None
                self._client = Client(self._cluster)
            else:
                self._client = self._connect(Client)
        return self._client

    def _connect(self, client_class):
        """A client of the scheduler at ``self.scheduler``, or OptionError within SCHEDULER_CONNECT_SECONDS.

        Dask's own timeout covers opening the connection, not the handshake after it: a listener that is not
        a scheduler (a web server, a silent port) held the command for ever, or sent bytes that Dask read as
        an exabyte-long message.  So the attempt runs in a thread of its own, given the time and a grace; a
        refused or timed-out connection means no scheduler answered, anything else that what answered is none."""
        outcome = {}

        def attempt():
            try:
                outcome["client"] = client_class(self.scheduler, timeout=SCHEDULER_CONNECT_SECONDS)
            except BaseException as exc:        # anything a port that is not a scheduler sends back
                outcome["error"] = exc

        thread = threading.Thread(target=attempt, daemon=True, name="dask-connect")
        thread.start()
        thread.join(SCHEDULER_CONNECT_SECONDS + SCHEDULER_GRACE_SECONDS)
        if "error" in outcome and not isinstance(outcome["error"], OSError):   # OSError: refused, timed out
            raise OptionError("--scheduler", self.scheduler,
                              f"what answers there is not a Dask scheduler ({type(outcome['error']).__name__}); "
                              "check the address and port, or start one (`dask scheduler`)")
        if "client" not in outcome:
            raise OptionError("--scheduler", self.scheduler,
                              f"no Dask scheduler answered within {SCHEDULER_CONNECT_SECONDS} s; start one "
                              "(`dask scheduler`) or check the address and port")
        return outcome["client"]

    def close(self, abort: bool = False):
        """Release the workers; with ``abort``, stop replications under way instead of waiting for them."""
        if self._pool is not None:
            if abort:
                # Python before 3.14 has no public call to stop running tasks: terminate the processes
                processes = list(self._pool._processes.values())
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.join(STOP_WORKER_SECONDS)
                    if process.is_alive():
                        process.kill()
                        process.join()
                # A worker stopped while sending its result leaves half a message in the result pipe, and the
                # executor's thread would wait for the rest for ever (shutdown, and the interpreter's exit, join
                # it): with the workers gone, closing this process's end too gives that thread an end of file.
                self._pool._result_queue._writer.close()
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._pool = self._client = self._cluster = None

    def __enter__(self):
        if self.scheduler is not None:
            self._dask()                 # an unreachable scheduler is reported before any work
        return self

    def __exit__(self, kind, *exc):
        self.close(abort=kind is not None)
