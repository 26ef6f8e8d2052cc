"""Shared helpers: build scenarios in code and check simulated figures against exact ones."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.input import scenario as sc
from sim.results.estimate import SIGNED, interval
from sim.results.figures import table

# pytest puts the running test's id in the environment (PYTEST_CURRENT_TEST), and Linux refuses to start a
# process with any one environment string over 128 KiB; pytest before 9 names a test by its full string
# parameters, so a 200,000-character bad input made every subprocess of that test fail to start.
LONGEST_ID_CHARS = 60


def pytest_make_parametrize_id(config, val, argname):
    """Name a long text parameter by its length, whatever pytest's own rule for long ids."""
    if isinstance(val, (str, bytes)) and len(val) > LONGEST_ID_CHARS:
        return f"{argname}-{len(val)}-chars"
    return None


def pytest_sessionstart(session):
    """Install the browser and the Chinese font before anything lists the system's fonts.

    Matplotlib caches the font list the first time it is imported; installing a
    font later in the same run is what once made the first test run on a fresh
    machine fail (``sim.output.labels.cjk_font`` now copes with that too).
    """
    import system_packages
    system_packages.install()


def single_queue(per_hour, handle_seconds, agents, patience_seconds=None, *, hours=24.0, warmup=2.0,
                 threshold=20.0, **extra) -> sc.Scenario:
    """One line into one pool with exponential handle (and patience): an M/M/n(+M) queue."""
    line = {"arrivals": {"per_hour": per_hour}, "pool": "p",
            "handle_seconds": {"dist": "exponential", "mean": handle_seconds}}
    if patience_seconds is not None:
        line["patience_seconds"] = {"dist": "exponential", "mean": patience_seconds}
    data = {"name": "mm-n", "horizon_hours": hours, "warmup_hours": warmup, "interval_minutes": 30,
            "service_level": {"threshold_seconds": threshold, "target": 0.8},
            "lines": {"L": line}, "pools": {"p": {"seats": agents}}}
    data.update(extra)
    return sc.from_dict(data, "test")


def within(values, exact, level=0.999):
    """True when ``exact`` lies inside the ``level`` Student-t interval of the replications.

    99.9% rather than 95% so that a suite of a few dozen such checks is not
    expected to fail by chance; the seeds are fixed, so a pass is repeatable.
    """
    mean, low, high = interval(np.asarray(values), SIGNED, level)
    return low <= exact <= high, (float(mean), float(low), float(high), exact)


def whole(run, figure: str, kind: str = "total", ident: str = "all") -> np.ndarray:
    """A figure over the whole horizon in each replication of ``run``."""
    return table(run, "whole").per_replication(figure, kind, ident, 0)


def per_interval(run, figure: str, kind: str = "total", ident: str = "all") -> np.ndarray:
    """A figure per reporting interval in each replication: (replications, intervals)."""
    return table(run, "interval").per_replication(figure, kind, ident)


@pytest.fixture
def scenario_dict():
    def make(**changes):
        base = {
            "name": "t", "horizon_hours": 24, "warmup_hours": 0, "interval_minutes": 30,
            "lines": {"12345": {"arrivals": {"per_hour": 60}, "pool": "general",
                                 "handle_seconds": {"dist": "exponential", "mean": 120}}},
            "pools": {"general": {"seats": 5}},
        }
        data = copy.deepcopy(base)
        data.update(changes)
        return data
    return make
