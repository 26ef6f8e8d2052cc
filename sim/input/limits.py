"""Allowed ranges of scenario values, in one table.

Every bound is far beyond any real hotline (the busiest 12345 centres take a
few thousand calls an hour and seat a few hundred agents) yet keeps a run
finite and within the memory of a laptop: a value outside is a typo, a unit
mix-up or a paste gone wrong, and is refused naming the field and the range.
The README's "Allowed ranges" lists the same figures (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """Values from ``low`` to ``high``, in ``unit``; with ``low_open`` ``low`` itself is refused."""
    low: float
    high: float
    unit: str = ""
    low_open: bool = False


HOURS_PER_YEAR = 366 * 24

NAME_RULE = "give one line of text without control characters or spaces at its ends"


def is_carried_name(name: str) -> bool:
    """Can ``name`` (of a line, pool or shift) be written in every results file and read back as itself?  One
    line of printable text without spaces at its ends: a line break or a zero byte breaks a CSV row or a table,
    a tab or a direction mark garbles one, and spaces at the ends are lost when a call log of it is read back."""
    return bool(name) and name == name.strip() and name.isprintable()

# Time: a horizon of two years (731 days) covers any planning question; longer
# runs only take longer.  Any single duration (a talk, a patience, a threshold,
# a wait before overflow) is at most 10^7 s, about 116 days.
HORIZON_HOURS = Limit(0, 731 * 24, "hours", low_open=True)
INTERVAL_MINUTES = Limit(1, 24 * 60, "minutes")
SHIFT_HOURS = Limit(0, 24, "hours")                  # a shift's length, and where in it a break may start
SECONDS = Limit(0, 1e7, "seconds")
MEAN_SECONDS = Limit(0.001, 1e7, "seconds")   # a mean under a millisecond is a unit mix-up (and 1e-310 s a load of 0)
OUTBOUND_WINDOW_HOURS = Limit(0, HOURS_PER_YEAR, "hours")
OUTBOUND_WINDOW_MINUTES = Limit(0, HOURS_PER_YEAR * 60, "minutes")

# Shape of duration laws: below a cv of 0.001 a law is a constant (write
# {dist: constant}); above 100 nearly every value is ~0 and a rare one is
# astronomically long, so no run of any length estimates its mean, and the
# gamma and lognormal parameters leave floating-point range beyond that.
CV = Limit(0.001, 100)
# The daily busyness factor is gamma(shape) with mean 1 (cv 1/sqrt(shape)): a
# shape below 0.1 puts days at hundreds of times the mean volume.
BUSYNESS_SHAPE = Limit(0.1, 1e6)

# Size: calls are drawn an interval at a time and agents are counted per minute.
CALLS_PER_HOUR = Limit(0, 100_000, "calls per hour")   # per line, after scale, weekday factors and surges
AGENTS = Limit(0, 100_000, "agents")                   # per pool at any minute, per shift, per interval
FACTOR = Limit(0, 100, "times")                        # talk-time multipliers, cost factors
MAX_REDIALS = Limit(0, 100, "redials")               # each one can add a call per caller
REPLICATIONS = Limit(1, 10_000, "replications")
PLANNING_REPLICATIONS = Limit(2, 10_000, "replications")
PLANNING_ITERATIONS = Limit(1, 100, "rounds")

# Memory of a run.  A replication keeps counters per group of intervals it keeps
# (each reporting interval for horizons up to KEEP_INTERVALS_DAYS, each interval of
# the clock week, each day) and per line, pool and the total (about 800 bytes each,
# mostly the wait histogram); the run keeps every replication's sums.
KEEP_INTERVALS_DAYS = 56           # 8 weeks: 2,688 half hours; a year of them would take gigabytes
CELLS_PER_REPLICATION = 500_000    # kept groups x (lines + pools + 1): ~400 MB of counters
CELLS_PER_RUN = 10_000_000         # the same x replications


def kept_groups(n_intervals: int, interval_minutes: int) -> int:
    """Groups of intervals a replication keeps sums for (see ``sim.model.counters.kept_grains``)."""
    minutes = n_intervals * interval_minutes
    each = n_intervals if minutes <= KEEP_INTERVALS_DAYS * 24 * 60 else 0
    return each + 7 * 24 * 60 // interval_minutes + -(-minutes // (24 * 60)) + 1

# Reading: a scenario is a few kilobytes (the Fuyang ones at most 8 kB) and the YAML
# reader takes about 4 s a megabyte; long samples belong in a sample file.
SCENARIO_FILE_BYTES = 1_000_000
# A sample file holds a value a line: a year of a large centre's talk times is a few million values, under 40 MB;
# read whole, 64 MB takes about 1.5 GB of memory while parsed
SAMPLE_FILE_BYTES = 64_000_000
NESTING_LEVELS = 50                # a scenario nests about 6 deep; 50 keeps every reader's recursion shallow
BASE_CHAIN_FILES = 50              # a variant of a variant of a base is 3; 50 keeps the reader's recursion shallow

MAX_VARIANTS = 10_000          # variants of one sweep (``sim.run.sweep``): larger grids are refused before a value is built
