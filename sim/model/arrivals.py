"""The caller stream: who calls when, with what question, and how long it will take.

Calls are drawn with numpy, a clock day per line at a time, and handed to the
model in blocks of whole intervals.  Each line's callers of each day come from a
generator keyed by the replication, the line's name and the day, drawn at the
line's reference rate (before surges and the volume factor) with everything a
caller needs (question, talk time, patience, outbound work); a higher rate adds
callers from a generator of their own, a lower one thins the same callers.  So
two scenarios that share a line see the same callers with the same questions,
talk times and patience, whatever else they change, and a change of rate on one
day leaves every other day's callers alone: common random numbers that keep step.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from sim.input.clock import MINUTES_PER_DAY, MINUTES_PER_WEEK
from sim.input.spec import Line, Scenario
from sim.model.codes import NOT_TRANSFERRED, PLAIN
from sim.model.routing import Routes
from sim.model.seeds import DayStreams, generator, pcg64_states, sequence_generator

# Common random numbers that keep step: each line's callers of each clock day come from a generator of their
# own, keyed by (replication, line, day), and are drawn a whole day at a time (blocks take what they need): a
# scenario that changes one day's rates leaves every other day's callers exactly as they were.  A day's
# numbers are drawn in a fixed order from one generator (not one per kind of number: 16 us against 180 us to
# create, and there are lines x days of them).
REDIAL_KEY = 1 << 30         # last word of the redial streams' key: apart from any day's number
EXTRA_KEY = 1 << 31          # last word of the key of the streams of callers beyond the reference rate
# A part of a line's calls is a tuple of columns: time, line, category, interval, first agent's seconds, patience,
# level, second agent's seconds, transfer delay and patience, entry, then per outbound kind its draws, then per
# kind its seconds.  A call's first pool is its entry's (``Routes.entry_pool``), found once a block is merged.
TIME, LINE, CATEGORY, INTERVAL, FIRST_SECONDS = 0, 1, 2, 3, 4
ENTRY_COLUMN = 10
OUTBOUND_COLUMN = 11
TARGET_BLOCK_CALLS = 16384   # calls per block: large enough for numpy, small enough for memory
# Stream order is fixed: new streams go at the end so old ones keep their numbers.
_STREAMS = ("arrivals", "handle", "wrapup", "patience", "busyness", "category", "triage",
            "transfer_delay", "transfer_patience", "redial", "outbound")



@dataclass
class ClosedCalls:
    """Callers who found their line closed and were not put through, as arrays: arrival (s), horizon
    interval, line, the agent seconds their call would take, and whether they asked for a callback
    (else they left a message or heard the opening hours)."""
    times: np.ndarray
    interval: np.ndarray
    line: np.ndarray
    seconds: np.ndarray
    callback: np.ndarray


class Block:
    """A batch of calls in time order, and their outcomes as the model fills them in.

    Outcomes start as "answered at once by the entry pool"; the model writes
    only the calls that had to queue.  ``by[i]`` is the pool that answered
    (or ABANDONED); ``xfer_by``/``xfer_wait`` the same for the second wait of a
    transferred call.  ``pending`` counts calls without a final outcome; the
    block is finished once all its calls have arrived and ``pending`` is 0.
    Redial attempts live in blocks built call by call (``extend``).

    Columns the model reads for every call are Python lists (the model reads one item at a time, and a list
    item is several times cheaper to read than a numpy one); ``arrays`` keeps the numpy columns they came
    from, for ``outcomes``.  A drawn block's outcome columns (``wait``, ``by``, ``xfer_wait``, ``xfer_by``,
    ``served``) are numpy arrays behind memoryviews, which read and write an item as a Python number: the
    model writes them only for callers who queue, and a list of a block's outcomes cost 15 ns a call to turn
    into an array, column by column (a twentieth of a Fuyang week).  Values written must then be of the
    column's type (a float wait, an int pool).
    Outbound columns are per kind: ``outbound_draw[k][i]`` (a job of kind k when below the kind's share) and
    ``outbound_seconds[k][i]``; ``visits[i]`` is True when an answer of call i makes a job of a kind that
    answered calls trigger (so the model looks no further for the others).
    """

    __slots__ = ("times", "line", "entry", "category", "stage", "first_seconds", "second_seconds", "xfer_delay",
                 "xfer_patience", "patience", "level", "interval", "wait", "by", "xfer_wait", "xfer_by",
                 "served", "attempt", "origin", "pending", "arrived", "outbound_draw", "outbound_seconds", "visits",
                 "closed", "arrays")

    def __init__(self, times, line, category, stage, interval, first_seconds, patience, level, by,
                 second_seconds=None, xfer_delay=None, xfer_patience=None, outbound_draw=None,
                 outbound_seconds=None, entry=None, visits=None, arrays=None):
        self.times = times
        self.line = line                # the line the caller dialled (what counts are kept by)
        self.entry = line if entry is None else entry   # how the model routes it (``sim.model.routing``)
        self.category = category
        self.stage = stage              # 0: the entry pool finishes the call; 1: it transfers after triage
        self.interval = interval
        self.first_seconds = first_seconds
        self.patience = patience
        self.level = level
        self.second_seconds = second_seconds
        self.xfer_delay = xfer_delay
        self.xfer_patience = xfer_patience
        self.outbound_draw = outbound_draw
        self.outbound_seconds = outbound_seconds
        self.visits = visits
        self.arrays = arrays            # numpy columns that the model never changes (``outcomes``), or None
        n = len(times)
        if isinstance(by, np.ndarray):
            self.wait, self.xfer_wait = memoryview(np.zeros(n)), memoryview(np.zeros(n))
            self.by = memoryview(np.ascontiguousarray(by, dtype=np.int64))
            self.xfer_by = memoryview(np.full(n, NOT_TRANSFERRED, dtype=np.int64))
            self.served = memoryview(np.full(n, -1, dtype=np.int64))
        else:
            self.wait = [0.0] * n
            self.by = by
            self.xfer_wait = [0.0] * n
            self.xfer_by = [NOT_TRANSFERRED] * n
            self.served = [-1] * n      # -1: decided by this attempt alone; 0/1: after redials
        self.attempt = None             # redial number per call (None: all first attempts)
        self.origin = None              # (block, index) of the first attempt, for redials
        self.pending = 0
        self.arrived = False
        self.closed = None              # callers of closed lines left out of the block (``ClosedCalls``)

    @classmethod
    def empty(cls) -> "Block":
        """A block without calls (to be extended call by call, or to carry closed lines' callers alone)."""
        return cls([], [], [], [], [], [], [], [], [], [], [], [], [], [], entry=[])

    @classmethod
    def for_redials(cls, n_outbound: int) -> "Block":
        """An empty block for redials of callers whose blocks have ``n_outbound`` kinds of outbound draws."""
        block = cls.empty()
        block.attempt, block.origin = [], []
        block.outbound_draw = [[] for _ in range(n_outbound)] if n_outbound else None
        block.outbound_seconds = [[] for _ in range(n_outbound)] if n_outbound else None
        block.visits = [] if n_outbound else None
        return block

    def extend(self, t, interval, source: "Block", i: int, patience: float, entry_pool: int,
               attempt: int, origin) -> int:
        """Append a redial of call ``i`` of ``source`` (same question, new patience); returns its index."""
        self.times.append(t)
        self.interval.append(interval)
        for name in ("line", "entry", "category", "stage", "first_seconds", "level", "second_seconds", "xfer_delay",
                     "xfer_patience"):
            values = getattr(source, name)
            getattr(self, name).append(values[i] if values is not None else 0.0)
        if self.outbound_draw is not None:
            for mine, theirs in zip(self.outbound_draw, source.outbound_draw):
                mine.append(theirs[i])
            for mine, theirs in zip(self.outbound_seconds, source.outbound_seconds):
                mine.append(theirs[i])
            self.visits.append(source.visits[i])
        self.patience.append(patience)
        self.by.append(entry_pool)
        self.wait.append(0.0)
        self.xfer_wait.append(0.0)
        self.xfer_by.append(NOT_TRANSFERRED)
        self.served.append(-1)
        self.attempt.append(attempt)
        self.origin.append(origin)
        return len(self.times) - 1

    def outcomes(self) -> dict[str, np.ndarray]:
        """Per call, as numpy arrays: what the statistics need."""
        n = len(self.times)
        fixed = self.arrays
        if fixed is None:
            fixed = {
                "interval": np.asarray(self.interval, dtype=np.int64),
                "line": np.asarray(self.line, dtype=np.int64),
                "entry": np.asarray(self.entry, dtype=np.int64),
                "category": np.asarray(self.category, dtype=np.int64),
                "first_seconds": np.asarray(self.first_seconds, dtype=float),
                "xfer_delay": np.asarray(self.xfer_delay if self.xfer_delay is not None else np.zeros(n), dtype=float),
            }
        return {
            **fixed,
            "wait": np.asarray(self.wait, dtype=float),
            "by": np.asarray(self.by, dtype=np.int64),
            "xfer_wait": np.asarray(self.xfer_wait, dtype=float),
            "xfer_by": np.asarray(self.xfer_by, dtype=np.int64),
            "served": np.asarray(self.served, dtype=np.int64),
            "attempt": np.asarray(self.attempt if self.attempt is not None else np.zeros(n), dtype=np.int64),
        }


class LineStreams:
    """Independent generators for one line in one replication, for what is drawn once for the whole horizon
    (the busyness of each day, provincial lines' counts), by name (``_STREAMS``).

    Keyed by (replication, crc32 of the line's name), not by the line's
    position, so adding a line to a scenario leaves the others' callers alone.
    Each is made when first asked for (making all eleven cost 0.4 ms a line, and most are never used): the
    n-th child of a ``SeedSequence`` is the sequence with ``n`` appended to its spawn key, the same numbers
    as ``spawn`` gives.
    """

    def __init__(self, seed: int, replication: int, line_id: str, states: dict[str, np.ndarray] | None = None):
        self.seed, self.key = seed, (replication, zlib.crc32(line_id.encode("utf-8")))
        self.made: dict[str, np.random.Generator] = {}
        self.states = states or {}      # state words of some streams, worked out already (``line_streams``)

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self.made:
            words = self.states.get(name)
            self.made[name] = generator(words) if words is not None else \
                sequence_generator(self.seed, (*self.key, _STREAMS.index(name)))
        return self.made[name]


COMMON_STREAMS = ("busyness", "arrivals")       # what most replications ask every line for


def line_streams(seed: int, replication: int, line_ids: list[str]) -> list[LineStreams]:
    """The whole-horizon generators of each line in one replication (``LineStreams``), the states of their
    ``COMMON_STREAMS`` worked out together (``seeds.pcg64_states``)."""
    keys = [(replication, zlib.crc32(line_id.encode("utf-8")), _STREAMS.index(name))
            for line_id in line_ids for name in COMMON_STREAMS]
    states = pcg64_states(seed, np.asarray(keys)) if keys else None
    if states is None:
        return [LineStreams(seed, replication, line_id) for line_id in line_ids]
    per_line = states.reshape(len(line_ids), len(COMMON_STREAMS), -1)
    return [LineStreams(seed, replication, line_id, dict(zip(COMMON_STREAMS, words)))
            for line_id, words in zip(line_ids, per_line)]


class LineRates:
    """A line's rates over the intervals its days cover in one replication, from ``first_interval`` on:
    callers expected at the reference rate, and where the rate differs, the share of them kept and the rate
    (calls an hour) and callers expected beyond it."""

    __slots__ = ("first_interval", "expected", "kept_share", "extra_per_hour", "extra_expected")

    def __init__(self, first_interval: int, expected: np.ndarray):
        self.first_interval, self.expected = first_interval, expected
        self.kept_share = self.extra_per_hour = self.extra_expected = None


class LineDraws:
    """What drawing a day of line ``j``'s callers needs from the routes, worked out once per replication: its
    categories, their laws and levels, and the cumulative shares that pick a caller's category."""

    __slots__ = ("categories", "category_array", "cdf", "groups", "transfer_groups")

    def __init__(self, routes: Routes, j: int):
        mine = routes.line_routes[j]
        self.categories = mine
        self.category_array = np.asarray(mine)
        # ``Generator.choice(len(mine), size=n, p=shares)`` without its checks of the shares, drawn alike
        # (``test_arrivals``): the cumulative shares, over their total, searched for uniform numbers
        self.cdf = None
        if len(mine) > 1:
            self.cdf = np.asarray([routes.routes[g].category.share for g in mine], dtype=float).cumsum()
            self.cdf /= self.cdf[-1]
        self.groups = [(g, routes.routes[g].category.handle, routes.routes[g].category.wrapup,
                        routes.routes[g].level) for g in mine]
        self.transfer_groups = [(g, routes.routes[g].category.transfer) for g in mine
                                if routes.routes[g].kind != PLAIN]

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """The global category of each of ``n`` callers (one uniform number each, for two or more)."""
        if self.cdf is None:
            return np.full(n, self.categories[0])
        return self.category_array[self.cdf.searchsorted(rng.random(n), side="right")]


def _time_order(times: np.ndarray) -> np.ndarray:
    """The order of ``times``, calls at equal times in the order given (a stable sort).  Drawn times are all
    distinct, and then any sort gives that order: quicksort, four times faster than a stable sort, sorts them,
    and the stable sort is left for times that tie (a replayed log's whole seconds)."""
    order = times.argsort()
    ordered = times[order]
    if (ordered[1:] == ordered[:-1]).any():
        return times.argsort(kind="stable")
    return order


class CallSource:
    """Generates the replication's calls block by block, merged across lines in time order."""

    def __init__(self, scenario: Scenario, routes: Routes, seed: int, replication: int):
        self.s = scenario
        self.routes = routes
        self.seed, self.replication = seed, replication
        self.lines: list[Line] = list(scenario.lines.values())
        # whole-horizon streams (busyness, provincial counts); each day's callers and redials have their own
        self.streams = line_streams(seed, replication, [line.id for line in self.lines])
        self.line_keys = [zlib.crc32(line.id.encode("utf-8")) for line in self.lines]
        self._redial_days: list[dict[int, np.random.Generator]] = [{} for _ in self.lines]
        self._drawn = [[] for _ in self.lines]      # per line: parts of days drawn, not yet in a block
        self._next_day = [None] * len(self.lines)    # per line: the next clock day to draw
        self.week_intervals = len(self.lines[0].arrivals.week_per_hour)
        days = scenario.start_minute // MINUTES_PER_DAY + math.ceil(scenario.horizon_seconds / 86400.0) + 1
        self.day_factor = [self._busyness(line, st, days) for line, st in zip(self.lines, self.streams)]
        city = [j for j, line in enumerate(self.lines) if line.mode != "provincial"]
        self.city = city
        mean_calls = sum(self.lines[j].arrivals.week_per_hour.mean() for j in city) * scenario.interval_seconds / 3600
        self.block_intervals = int(min(scenario.n_intervals, max(1, TARGET_BLOCK_CALLS // max(mean_calls, 1e-9))))
        self.transfers = routes.has_transfers
        self.route_kind = np.asarray([r.kind for r in routes.routes])
        # (kind, share) of the kinds an answer triggers: a call's draw below the share makes a job when answered
        self.visit_shares = [(k, o.share) for k, o in enumerate(scenario.outbound) if o.trigger == "handled"]
        self.next_interval = 0
        self.n_intervals = scenario.n_intervals             # properties of the scenario, read per line's day
        self.interval_seconds, self.interval_minutes = scenario.interval_seconds, scenario.interval_minutes
        self.start_minute = scenario.start_minute
        self._covered: tuple | None = None      # (first interval, ``_placed`` of) the intervals the days cover
        # the clock days the horizon covers, first and last
        self.days = (int(self.day_of(np.asarray(0))), int(self.day_of(np.asarray(max(self.n_intervals - 1, 0)))))
        # each line's generators of each of those days, keyed (replication, line, day[, tag])
        self._day_streams, self._extra_streams, self._redial_streams = (
            DayStreams(seed, replication, self.line_keys, *self.days, tag) for tag in (None, EXTRA_KEY, REDIAL_KEY))
        self.draws = [LineDraws(routes, j) for j in range(len(self.lines))]
        self.line_rates: list[LineRates | None] = [None] * len(self.lines)
        self.entry_pool = np.asarray(routes.entry_pool)
        # entries beyond the lines exist only when a closed line puts its callers through elsewhere
        self.rerouting = len(routes.entry_line) > len(self.lines)
        self.closed: list[tuple] = []       # callers of closed lines drawn for the next block

    @staticmethod
    def _busyness(line: Line, streams, days: int) -> np.ndarray:
        shape = line.arrivals.busyness_shape
        if shape is None:
            return np.ones(days)
        return streams["busyness"].gamma(shape, 1.0 / shape, days)

    def rates_per_hour(self, line_no: int, intervals: np.ndarray, reference: bool = False) -> np.ndarray:
        """Arrival rate (calls per hour) of a line in horizon intervals, busyness included (``reference``:
        the rate before surges and the volume factor, see ``Arrivals.reference_per_hour``)."""
        return self._rates(line_no, self._placed(intervals), reference)

    def _placed(self, intervals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Horizon intervals' places in the clock week, and their clock days."""
        week_index = (self.start_minute // self.interval_minutes + intervals) % self.week_intervals
        return week_index, self.day_of(intervals)

    def _rates(self, line_no: int, placed: tuple[np.ndarray, np.ndarray], reference: bool) -> np.ndarray:
        week_index, day = placed
        arrivals = self.lines[line_no].arrivals
        week = arrivals.reference_per_hour if reference and arrivals.reference_per_hour is not None \
            else arrivals.week_per_hour
        return week[week_index] * self.day_factor[line_no][day]

    def provincial_offered(self) -> np.ndarray:
        """Calls per (horizon interval, line) of provincial lines: counted, never queued."""
        s = self.s
        counts = np.zeros((s.n_intervals, len(self.lines)))
        intervals = np.arange(s.n_intervals)
        for j, line in enumerate(self.lines):
            if line.mode == "provincial":
                expected = self.rates_per_hour(j, intervals) * s.interval_seconds / 3600.0
                counts[:, j] = self.streams[j]["arrivals"].poisson(expected)
        return counts

    def day_of(self, intervals: np.ndarray) -> np.ndarray:
        """The clock day (0 = the Monday of the start's week) of horizon intervals."""
        return (self.start_minute + intervals * self.interval_minutes) // MINUTES_PER_DAY

    def day_stream(self, j: int, day: int, extra: bool = False) -> np.random.Generator:
        """The generator of line ``j``'s callers of one clock day (``extra``: of those beyond the reference
        rate): ``attributes`` draws everything from it in a fixed order."""
        return (self._extra_streams if extra else self._day_streams)(j, day)

    def redial_stream(self, j: int, t: float) -> np.random.Generator:
        """The stream of redial decisions, delays and patience of line ``j``'s callers who hang up on the clock
        day of ``t`` (seconds): the same callers hang up alike whatever another day's rates."""
        day = int((self.s.start_minute + t / 60.0) // MINUTES_PER_DAY)
        days = self._redial_days[j]
        if day not in days:
            for old in [d for d in days if d < day - 1]:     # hang-ups are found at most a day late
                del days[old]
            days[day] = self._redial_streams(j, day)
        return days[day]

    def next_block(self) -> Block | None:
        """The next block of calls of the city's lines, or None once the horizon is covered."""
        s = self.s
        if self.next_interval >= s.n_intervals:
            return None
        k0 = self.next_interval
        k1 = min(s.n_intervals, k0 + self.block_intervals)
        self.next_interval = k1
        return self.block_of(self.calls_in(k0, k1))

    def calls_in(self, k0: int, k1: int) -> list[tuple]:
        """Per city line, its calls in horizon intervals k0..k1-1 (drawn a day at a time; a replay reads them)."""
        parts = []
        for j in self.city:
            while self._next_day[j] is None or self._first_interval(self._next_day[j]) < k1:
                day = int(self.day_of(np.asarray(k0))) if self._next_day[j] is None else self._next_day[j]
                # the whole day is drawn, even where it lies outside the horizon, so that a horizon's ends do not
                # change the draws of the day it ends in
                self._drawn[j].extend(self._line_calls(
                    j, np.arange(self._first_interval(day), self._first_interval(day + 1)), day))
                self._next_day[j] = day + 1
            kept = []
            for part in self._drawn[j]:
                # a part's calls are in interval order (``_times``), so the block takes a slice: no copies
                cut = int(np.searchsorted(part[INTERVAL], k1))
                if cut:
                    parts.append(tuple(c[:cut] for c in part) if cut < len(part[INTERVAL]) else part)
                if cut < len(part[INTERVAL]):
                    kept.append(tuple(c[cut:] for c in part))
            self._drawn[j] = kept
        return parts

    def _first_interval(self, day: int) -> int:
        """The horizon interval where clock ``day`` starts (negative before the horizon)."""
        return -(-(day * MINUTES_PER_DAY - self.start_minute) // self.interval_minutes)

    def block_of(self, parts: list[tuple]) -> Block:
        """Merge per-line calls (as ``attributes`` returns them) into one block in time order."""
        block = self._merged(parts) if parts else Block.empty()    # empty: no line has a call in these intervals
        if self.closed:
            block.closed = ClosedCalls(*(np.concatenate(x) for x in zip(*self.closed)))
            self.closed = []
        return block

    def _merged(self, parts: list[tuple]) -> Block:
        columns = list(zip(*parts))
        if not self.rerouting:
            columns[ENTRY_COLUMN] = None        # every call enters by its own line
        cols = [None if c is None else np.concatenate(c) for c in columns]
        order = _time_order(cols[TIME])
        cols = [None if c is None else c[order] for c in cols]
        t, line, cat, k, first, patience, level, second, delay, xpat, entry = cols[:OUTBOUND_COLUMN]
        if entry is None:
            entry = line
        by = self.entry_pool[entry]
        n_kinds = len(self.s.outbound)
        draws, jobs = cols[OUTBOUND_COLUMN:OUTBOUND_COLUMN + n_kinds], cols[OUTBOUND_COLUMN + n_kinds:]
        # Columns the model reads for a few calls only (queued, transferred, with outbound work) stay numpy
        # arrays behind a memoryview, which reads an item as a Python number: a list would cost a conversion
        # per call up front (a sixth of the merge), a numpy item a numpy scalar per read.
        extra = (memoryview(second), memoryview(delay), memoryview(xpat)) if self.transfers else (None, None, None)
        outbound, visits = (None, None), None
        if self.s.outbound:
            outbound = ([memoryview(d) for d in draws], [memoryview(j) for j in jobs])
            visits = np.zeros(len(t), dtype=bool)
            for kind, share in self.visit_shares:
                visits |= draws[kind] < share
            visits = visits.tolist()
        stage = (self.route_kind[cat] != PLAIN).astype(np.int64)
        lines = line.tolist()
        arrays = {"interval": k, "line": line, "entry": entry, "category": cat, "first_seconds": first,
                  "xfer_delay": delay}
        return Block(t.tolist(), lines, memoryview(cat), stage.tolist(), k, first.tolist(),
                     memoryview(patience), memoryview(level), by, *extra, *outbound,
                     entry=entry.tolist() if self.rerouting else lines, visits=visits, arrays=arrays)

    def _line_calls(self, j: int, intervals: np.ndarray, day: int) -> list[tuple]:
        """Line ``j``'s callers in ``intervals`` (one clock day): the reference rate's callers (thinned where
        the rate is lower), and where it is higher, more callers from a stream of their own.  Every number a
        caller needs is drawn with it, so two scenarios whose rates differ share every caller they can."""
        if not len(intervals):
            return []
        rates = self.line_rates[j] or self._line_rates(j)
        first, stop = int(intervals[0]), int(intervals[-1]) + 1
        day_slice = slice(first - rates.first_interval, stop - rates.first_interval)
        rng = self.day_stream(j, day)
        t, k = self._times(rng, intervals, rates.expected[day_slice])
        mark = rng.random(len(t))
        # a day inside the horizon keeps all its callers (no mask to build)
        inside = first >= 0 and stop <= self.n_intervals
        if rates.kept_share is None:
            # the rate is the reference rate: every caller is kept (a mark is below a share of 1) and none is added
            return [self.attributes(j, t, k, rng, keep=None if inside else self._within(k))]
        parts = [self.attributes(j, t, k, rng, keep=(mark < rates.kept_share[day_slice][k - first]) & self._within(k))]
        if rates.extra_per_hour[day_slice].any():
            rx = self.day_stream(j, day, extra=True)
            t, k = self._times(rx, intervals, rates.extra_expected[day_slice])
            parts.append(self.attributes(j, t, k, rx, keep=None if inside else self._within(k)))
        return parts

    def _line_rates(self, j: int) -> "LineRates":
        """Line ``j``'s rates in every interval its days cover, for this replication (busyness included), worked
        out once: a day's slice of them is what its callers are drawn at (``_line_calls``)."""
        if self._covered is None:           # the same intervals for every line: placed once
            first_day, last_day = self.days
            first = self._first_interval(first_day)
            intervals = np.arange(first, self._first_interval(last_day + 1))
            self._covered = (first, self._placed(intervals))
        first, placed = self._covered
        reference = self._rates(j, placed, reference=True)
        rates = LineRates(first, self._expected(reference))
        if self.lines[j].arrivals.reference_per_hour is not None:
            rate = self._rates(j, placed, reference=False)
            rates.kept_share = np.minimum(np.divide(rate, reference, out=np.zeros(len(rate)), where=reference > 0),
                                          1.0)
            rates.extra_per_hour = np.maximum(rate - reference, 0.0)
            rates.extra_expected = self._expected(rates.extra_per_hour)
        self.line_rates[j] = rates
        return rates

    def _expected(self, per_hour: np.ndarray) -> np.ndarray:
        """Calls expected in an interval at ``per_hour`` calls an hour."""
        return per_hour * self.interval_seconds / 3600.0

    def _within(self, k: np.ndarray) -> np.ndarray:
        return (k >= 0) & (k < self.n_intervals)

    def _times(self, rng: np.random.Generator, intervals: np.ndarray, expected: np.ndarray) \
            -> tuple[np.ndarray, np.ndarray]:
        """Poisson arrival times (s) in consecutive ``intervals`` with ``expected`` calls each (``_expected``),
        and their intervals."""
        interval_seconds = self.interval_seconds
        k = np.repeat(intervals, rng.poisson(expected))
        return k * interval_seconds + rng.uniform(0.0, interval_seconds, len(k)), k

    def attributes(self, j: int, t: np.ndarray, k: np.ndarray, rng: np.random.Generator,
                   talk: np.ndarray | None = None, keep: np.ndarray | None = None):
        """Everything about line ``j``'s calls at times ``t`` (intervals ``k``) but when they come, drawn
        from ``rng`` (``day_stream``) in a fixed order.

        ``talk`` replaces the drawn talk time where it is finite (replaying a log); ``keep`` (a mask) keeps
        only some of the calls, all of them drawn first so that the others' draws stay the same.
        """
        line, draws = self.lines[j], self.draws[j]
        n = len(t)
        cat = draws.pick(rng, n)
        several = draws.cdf is not None
        if several:
            agent = np.empty(n)
            level = np.empty(n, dtype=np.int64)
        for g, handle, wrapup, category_level in draws.groups:
            chosen = cat == g if several else slice(None)      # one category: all its callers, no mask
            m = int(chosen.sum()) if several else n
            seconds = handle.sample(rng, m)
            if line.handle_factor_by_hour is not None:      # talk times that vary over the day
                hour = ((self.s.start_minute + k[chosen] * self.interval_minutes) % MINUTES_PER_DAY) // 60
                seconds = seconds * line.handle_factor_by_hour[hour]
            if talk is not None:
                logged = talk[chosen]
                seconds = np.where(np.isfinite(logged), logged, seconds)
            if wrapup is not None:
                seconds = seconds + wrapup.sample(rng, m)
            if several:
                agent[chosen] = seconds
                level[chosen] = category_level
            else:           # a law's sample is a new array of its own (``laws.Law``): no copy needed
                agent = np.asarray(seconds, dtype=float)
                level = np.full(n, category_level, dtype=np.int64)
        patience = line.patience.sample(rng, n) if line.patience is not None else np.full(n, np.inf)
        first = agent
        if draws.transfer_groups:
            first, second, delay, xpat = agent.copy(), np.zeros(n), np.zeros(n), np.zeros(n)
            for g, tr in draws.transfer_groups:
                chosen = cat == g
                m = int(chosen.sum())
                first[chosen] = tr.triage.sample(rng, m)
                second[chosen] = agent[chosen]
                delay[chosen] = tr.delay.sample(rng, m)
                law = tr.patience or line.patience
                xpat[chosen] = law.sample(rng, m) if law is not None else np.inf
        else:
            second = delay = xpat = np.zeros(n)      # never written: only copied into blocks
        draw, job = [], []
        for kind in self.s.outbound:               # each caller's outbound work, drawn with the caller
            draw.append(rng.random(n))
            job.append(kind.handle.sample(rng, n))
        line_column = np.full(n, j)
        # the entry is the line but where a closed line puts its callers through (``_when_closed`` writes it)
        entry = line_column if line.open_minutes is None else line_column.copy()
        cols = [t, line_column, cat, k, first, patience, level, second, delay, xpat, entry, *draw, *job]
        if keep is not None and not keep.all():
            cols, agent = [c[keep] for c in cols], agent[keep]
            n = len(cols[0])
        if line.open_minutes is not None and n:
            cols = self._when_closed(j, cols, agent)
        return tuple(cols)

    def _when_closed(self, j: int, cols: list[np.ndarray], agent: np.ndarray) -> list[np.ndarray]:
        """Callers who find line ``j`` closed: put through to another line's pool (a second entry, the call
        finished there: full talk time, no transfer), or left out of the block as a message or callback
        request (``ClosedCalls``).  Everything about them was drawn as if the line were open, so a scenario
        that opens the line longer sees the same callers."""
        line, routes = self.lines[j], self.routes
        t, k = cols[TIME], cols[INTERVAL]
        minute = (self.s.start_minute + (t // 60.0).astype(np.int64)) % MINUTES_PER_WEEK
        closed = ~line.open_minutes[minute]
        if not closed.any():
            return cols
        rule = line.when_closed
        if rule.kind == "to":
            entry = routes.closed_entry[j]
            cols[CATEGORY][closed] += routes.line_routes[entry][0] - routes.line_routes[j][0]  # the entry's categories
            cols[FIRST_SECONDS][closed] = agent[closed] * rule.handle_factor
            cols[ENTRY_COLUMN][closed] = entry
            return cols
        self.closed.append((t[closed], k[closed], np.full(int(closed.sum()), j), agent[closed],
                            np.full(int(closed.sum()), rule.kind == "callback")))
        return [c[~closed] for c in cols]
