"""Clock patterns: arrival rates per interval and agents per minute of the week.

Both are written against the clock (Monday 00:00 first) and repeat over the
horizon; the model only looks values up.
"""

from __future__ import annotations

import numpy as np

from sim.input import clock
from sim.input.limits import AGENTS, BUSYNESS_SHAPE, CALLS_PER_HOUR
from sim.input.reader import Node
from sim.input.spec import Arrivals, Pool, ShiftEntry

SHARES_TOLERANCE = 1e-3      # weekday factors this close to summing to 1 are shares of a week
_ARRIVALS = {"per_hour", "per_interval", "per_day", "daily_profile", "weekday_factors", "busyness",
             "scale", "source"}
# ``agents`` and ``agents_by_interval`` were called ``seats`` and ``seats_by_interval`` before "seats" came to
# mean workstations; files written with the older names still read the same
_AGENTS = ("agents", "seats")
_BY_INTERVAL = ("agents_by_interval", "seats_by_interval")
_POOL = {*_AGENTS, *_BY_INTERVAL, "shifts", "description", "label", "open", "when_closed"}
_SHIFT = {"name", "start", "hours", "days", "agents", "break"}


def exactly_one(node: Node, keys: tuple[str, ...]) -> str:
    present = [k for k in keys if node.has(k)]
    if len(present) > 1:
        # a variant that gives one over a base that gives another has both: the base's is removed with null
        node.fail(f"needs exactly one of {', '.join(keys)}; got {', '.join(present)} (over a base file, remove "
                  f"the base's with null, e.g. {present[-1]}: null)")
    if not present:
        node.fail(f"needs exactly one of {', '.join(keys)}; got none")
    return present[0]


def check_rate(node: Node, key: str, per_hour: np.ndarray, interval_minutes: int, cause: str) -> None:
    """Refuse rates (calls per hour, one per interval of a day or week) above the limit, blaming ``key``.

    ``cause`` starts the message: "a scale of 2 makes" ... "N calls per hour on Mon 09:00".
    """
    busiest = int(np.argmax(per_hour))
    if per_hour[busiest] > CALLS_PER_HOUR.high:
        day, time = clock.label(busiest * interval_minutes)
        when = f"on {day} {time}" if len(per_hour) * interval_minutes > clock.MINUTES_PER_DAY else f"at {time}"
        node.fail(f"{cause} {per_hour[busiest]:g} calls per hour {when}; a line takes at most "
                  f"{CALLS_PER_HOUR.high:g} {CALLS_PER_HOUR.unit}", key)


def arrivals(node: Node, interval_minutes: int) -> Arrivals:
    node.unknown_keys(_ARRIVALS)
    node.free_text("source")
    per_day_intervals = clock.MINUTES_PER_DAY // interval_minutes
    week_intervals = 7 * per_day_intervals
    kind = exactly_one(node, ("per_hour", "per_interval", "per_day"))
    if kind != "per_day":
        for key in ("daily_profile", "weekday_factors"):
            if node.has(key):
                node.fail(f"goes with per_day, not {kind}", key)
    if kind == "per_hour":
        week = np.full(week_intervals, node.number("per_hour", limit=CALLS_PER_HOUR))
    elif kind == "per_interval":
        values = node.numbers("per_interval", limit=CALLS_PER_HOUR, length=(per_day_intervals, week_intervals))
        week = np.resize(np.asarray(values), week_intervals)
    else:
        week = _per_day(node, interval_minutes)
    scale = node.number("scale", 1.0, minimum=0)
    week = week * scale
    check_rate(node, "scale", week, interval_minutes, f"a scale of {scale:g} makes")
    shape = None
    if node.has("busyness"):
        busy = node.child("busyness")
        busy.unknown_keys({"dist", "shape"})
        if busy.text("dist") != "gamma":
            busy.fail(f"only 'gamma' is supported (a mean-1 daily factor), got {busy.raw('dist')!r}", "dist")
        shape = busy.number("shape", limit=BUSYNESS_SHAPE)
    return Arrivals(week_per_hour=week, busyness_shape=shape)


def _per_day(node: Node, interval_minutes: int) -> np.ndarray:
    per_day = node.number("per_day", minimum=0)
    profile = np.asarray(node.numbers("daily_profile", minimum=0, length=(24, 48))
                         if node.has("daily_profile") else [1.0] * 24)
    if profile.sum() <= 0:
        node.fail("must have at least one positive weight", "daily_profile")
    if not np.isfinite(profile.sum()):
        node.fail("weights too large to add up; they are relative, e.g. 1.0 at night and 9.5 at the peak",
                  "daily_profile")
    factors = (node.numbers("weekday_factors", minimum=0, length=(7,))
               if node.has("weekday_factors") else [1.0] * 7)
    if abs(sum(factors) - 1.0) < SHARES_TOLERANCE and max(factors) < 1.0:
        # factors multiply a day of per_day calls: seven that sum to 1 are shares of the week, a seventh of it
        node.fail(f"these factors sum to 1, like shares of a week, but each multiplies a day of per_day calls "
                  f"(1 = an ordinary day); multiply them by 7: [{', '.join(f'{7 * f:.3g}' for f in factors)}]",
                  "weekday_factors")
    # share of the day's calls in each minute, then summed per interval
    minute_share = np.repeat(profile / profile.sum() / (clock.MINUTES_PER_DAY / len(profile)),
                             clock.MINUTES_PER_DAY // len(profile))
    day_share = minute_share.reshape(-1, interval_minutes).sum(axis=1)
    per_hour = day_share * per_day * 60.0 / interval_minutes
    check_rate(node, "per_day", per_hour, interval_minutes, f"{per_day:g} calls a day make")
    week = np.concatenate([per_hour * f for f in factors])
    check_rate(node, "weekday_factors", week, interval_minutes, "these factors make")
    return week


def pool(pool_id: str, node: Node, interval_minutes: int) -> Pool:
    """A pool's staffing: ``agents`` (on duty at every minute), ``agents_by_interval`` or ``shifts``."""
    node.unknown_keys(_POOL)
    kind = exactly_one(node, (*_AGENTS, *_BY_INTERVAL, "shifts"))
    label = node.label()
    per_day_intervals = clock.MINUTES_PER_DAY // interval_minutes
    if kind in _AGENTS:
        week = np.full(clock.MINUTES_PER_WEEK, node.integer(kind, limit=AGENTS), dtype=np.int64)
    elif kind in _BY_INTERVAL:
        values = node.numbers(kind, limit=AGENTS, length=(per_day_intervals, 7 * per_day_intervals))
        for i, v in enumerate(values):
            if not float(v).is_integer():
                node.fail(f"must be whole numbers of agents, got {v:g}", f"{kind}[{i}]")
        per_interval = np.resize(np.asarray(values, dtype=np.int64), 7 * per_day_intervals)
        week = np.repeat(per_interval, interval_minutes)
    else:
        groups, entries = _shifts(node)
        return Pool(id=pool_id, week_agents=sum(groups), group_agents=groups, shifts=entries, label=label)
    return Pool(id=pool_id, week_agents=week, label=label)


def _shifts(node: Node) -> tuple[tuple[np.ndarray, ...], tuple[ShiftEntry, ...]]:
    """Agents on duty per minute of the week, one array per shift entry (its agents come and go together),
    and the entries themselves."""
    raw = node.raw("shifts")
    if not isinstance(raw, list) or not raw:
        node.fail("must be a non-empty list of shifts", "shifts")
    groups, entries = [], []
    for i, item in enumerate(raw):
        week = np.zeros(clock.MINUTES_PER_WEEK, dtype=np.int64)
        groups.append(week)
        shift = Node(item, node.source, node.field(f"shifts[{i}]"))
        shift.unknown_keys(_SHIFT)
        parsed = clock.parse_clock(shift.text("start"))
        if parsed is None or parsed[0] is not None:
            shift.fail(f"must be a time 'HH:MM', got {shift.raw('start')!r}", "start")
        hours = shift.number("hours", above=0, maximum=24)
        minutes = hours * 60
        if not float(minutes).is_integer():
            shift.fail(f"must be a whole number of minutes, got {hours:g} hours", "hours")
        days = shift.raw("days", list(clock.WEEKDAYS))
        if not isinstance(days, list) or not days:
            shift.fail("must be a list of weekdays such as [mon, tue]", "days")
        agents = shift.integer("agents", limit=AGENTS)
        name = shift.name("name", f"shift {i + 1}")
        off = None
        if shift.has("break"):
            b = shift.child("break")
            b.unknown_keys({"after_minutes", "minutes"})
            after, length = b.integer("after_minutes", minimum=0), b.integer("minutes", minimum=1)
            if after + length > minutes:
                b.fail(f"a break of {length} min after {after} min does not fit a {minutes:g}-minute shift")
            off = (after, length)
        indices = []
        for day in days:
            index = clock.weekday_index(day)
            if index is None:
                shift.fail(f"unknown weekday {day!r}; use mon, tue, wed, thu, fri, sat, sun", "days")
            if index in indices:        # counted twice it would put the shift's agents on twice that day
                shift.fail(f"names {clock.WEEKDAYS[index]} twice ({day!r}); list each day once", "days")
            indices.append(index)
            first = index * clock.MINUTES_PER_DAY + parsed[1]
            # shifts crossing midnight (or Sunday night into Monday) wrap around the week
            covered = np.arange(first, first + int(minutes)) % clock.MINUTES_PER_WEEK
            week[covered] += agents
            if off is not None:      # agents on break are off the phones
                week[np.arange(first + off[0], first + off[0] + off[1]) % clock.MINUTES_PER_WEEK] -= agents
        entries.append(ShiftEntry(name, parsed[1], int(minutes), tuple(indices), agents, *(off or (0, 0))))
    return tuple(groups), tuple(entries)
