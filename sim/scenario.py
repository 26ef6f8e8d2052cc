"""Scenario files: YAML in, a validated ``Scenario`` out.

Everything a run needs is checked here, once, so the model never validates.
Rates are turned into one value per reporting interval of the clock week and
staffing into agents per minute of the week: the model only looks them up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import clock, distributions
from .errors import ScenarioError
from .reader import Node

DEFAULT_REPLICATIONS = 10
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Arrivals:
    """Poisson arrivals whose rate is constant within each interval.

    ``week_per_hour[i]`` is the rate in calls per hour in interval ``i`` of the
    clock week (Monday 00:00 is interval 0), before the day's busyness factor.
    """
    week_per_hour: np.ndarray
    busyness_shape: float | None = None  # gamma shape of the daily factor (mean 1); None: no factor


@dataclass(frozen=True)
class Line:
    """A number callers dial."""
    id: str
    arrivals: Arrivals
    handle: Any                  # law of talk time, seconds
    wrapup: Any | None           # law of after-call work, seconds (agent busy, caller gone)
    patience: Any | None         # law of patience, seconds; None: callers never hang up
    pool: str


@dataclass(frozen=True)
class Pool:
    """A group of seats; ``week_agents[m]`` agents are on duty in minute ``m`` of the clock week."""
    id: str
    week_agents: np.ndarray


@dataclass(frozen=True)
class Scenario:
    name: str
    horizon_seconds: float
    warmup_seconds: float
    interval_seconds: float
    start_minute: int             # minute of the clock week at which the horizon starts
    threshold_seconds: float
    service_level_target: float
    max_abandon_rate: float
    lines: dict[str, Line]
    pools: dict[str, Pool]
    replications: int = DEFAULT_REPLICATIONS
    seed: int = DEFAULT_SEED
    source: str = "<scenario>"
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def n_intervals(self) -> int:
        """Reporting intervals in the horizon (warm-up included)."""
        return int(round(self.horizon_seconds / self.interval_seconds))

    @property
    def warmup_intervals(self) -> int:
        return int(round(self.warmup_seconds / self.interval_seconds))

    @property
    def interval_minutes(self) -> int:
        return int(round(self.interval_seconds / 60))

    def interval_start_minute(self, k: int) -> int:
        """Minute of the clock week at which horizon interval ``k`` starts."""
        return (self.start_minute + k * self.interval_minutes) % clock.MINUTES_PER_WEEK


_TOP = {"name", "horizon_hours", "warmup_hours", "interval_minutes", "start", "service_level",
        "max_abandon_rate", "lines", "pools", "replications", "seed", "description"}
_LINE = {"arrivals", "handle_seconds", "wrapup_seconds", "patience_seconds", "pool", "description"}
_ARRIVALS = {"per_hour", "per_interval", "per_day", "daily_profile", "weekday_factors", "busyness",
             "scale", "source"}
_POOL = {"seats", "seats_by_interval", "shifts", "description"}
_SHIFT = {"name", "start", "hours", "days", "agents"}


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError naming file and field."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(source, "", f"cannot read the file: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, where, f"not valid YAML: {problem}") from None
    return from_dict(data, source, path.parent)


def from_dict(data: Any, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """Validate an already-parsed scenario mapping."""
    root = Node(data, source)
    root.unknown_keys(_TOP)
    interval_minutes = root.integer("interval_minutes", 30, minimum=1)
    if clock.MINUTES_PER_DAY % interval_minutes:
        root.fail(f"must divide a day (1440 minutes) evenly, got {interval_minutes}", "interval_minutes")
    horizon_hours = root.number("horizon_hours", above=0)
    warmup_hours = root.number("warmup_hours", 0.0, minimum=0)
    for key, hours in (("horizon_hours", horizon_hours), ("warmup_hours", warmup_hours)):
        if abs(hours * 60 / interval_minutes - round(hours * 60 / interval_minutes)) > 1e-9:
            root.fail(f"must be a whole number of {interval_minutes}-minute intervals, got {hours:g}", key)
    if warmup_hours >= horizon_hours:
        root.fail(f"must be shorter than horizon_hours ({horizon_hours:g}), got {warmup_hours:g}",
                  "warmup_hours")
    start_minute = _start(root, interval_minutes)
    sl = root.child("service_level", {"threshold_seconds": 15, "target": 0.8})
    sl.unknown_keys({"threshold_seconds", "target"})
    pools = {pid: _pool(pid, node, interval_minutes) for pid, node in root.children("pools").items()}
    lines = {lid: _line(lid, node, interval_minutes, pools, base_dir)
             for lid, node in root.children("lines").items()}
    return Scenario(
        name=root.text("name"),
        horizon_seconds=horizon_hours * 3600.0,
        warmup_seconds=warmup_hours * 3600.0,
        interval_seconds=interval_minutes * 60.0,
        start_minute=start_minute,
        threshold_seconds=sl.number("threshold_seconds", 15.0, minimum=0),
        service_level_target=sl.number("target", 0.8, minimum=0, maximum=1),
        max_abandon_rate=root.number("max_abandon_rate", 0.05, minimum=0, maximum=1),
        lines=lines,
        pools=pools,
        replications=root.integer("replications", DEFAULT_REPLICATIONS, minimum=1),
        seed=root.integer("seed", DEFAULT_SEED, minimum=0),
        source=source,
        raw=data,
    )


def _start(root: Node, interval_minutes: int) -> int:
    if not root.has("start"):
        return 0
    parsed = clock.parse_clock(root.text("start"))
    if parsed is None:
        root.fail(f"must be a time 'HH:MM' or a weekday and time 'tue 08:00', got {root.raw('start')!r}",
                  "start")
    day, minute = parsed
    minute += (day or 0) * clock.MINUTES_PER_DAY
    if minute % interval_minutes:
        root.fail(f"must fall on a {interval_minutes}-minute interval boundary, got {root.raw('start')!r}",
                  "start")
    return minute


def _line(line_id: str, node: Node, interval_minutes: int, pools: dict, base_dir) -> Line:
    node.unknown_keys(_LINE)
    pool = node.text("pool")
    if pool not in pools:
        node.fail(f"unknown pool {pool!r}; pools are: {', '.join(pools)}", "pool")
    optional = {key: distributions.parse(node.child(key), base_dir) if node.has(key) else None
                for key in ("wrapup_seconds", "patience_seconds")}
    return Line(
        id=line_id,
        arrivals=_arrivals(node.child("arrivals"), interval_minutes),
        handle=distributions.parse(node.child("handle_seconds"), base_dir),
        wrapup=optional["wrapup_seconds"],
        patience=optional["patience_seconds"],
        pool=pool,
    )


def _exactly_one(node: Node, keys: tuple[str, ...]) -> str:
    present = [k for k in keys if node.has(k)]
    if len(present) != 1:
        node.fail(f"needs exactly one of {', '.join(keys)}; got {', '.join(present) or 'none'}")
    return present[0]


def _arrivals(node: Node, interval_minutes: int) -> Arrivals:
    node.unknown_keys(_ARRIVALS)
    per_day_intervals = clock.MINUTES_PER_DAY // interval_minutes
    week_intervals = 7 * per_day_intervals
    kind = _exactly_one(node, ("per_hour", "per_interval", "per_day"))
    if kind != "per_day":
        for key in ("daily_profile", "weekday_factors"):
            if node.has(key):
                node.fail(f"goes with per_day, not {kind}", key)
    if kind == "per_hour":
        week = np.full(week_intervals, node.number("per_hour", minimum=0))
    elif kind == "per_interval":
        values = node.numbers("per_interval", minimum=0, length=(per_day_intervals, week_intervals))
        week = np.resize(np.asarray(values), week_intervals)
    else:
        week = _per_day(node, interval_minutes)
    week = week * node.number("scale", 1.0, minimum=0)
    shape = None
    if node.has("busyness"):
        busy = node.child("busyness")
        busy.unknown_keys({"dist", "shape"})
        if busy.text("dist") != "gamma":
            busy.fail(f"only 'gamma' is supported (a mean-1 daily factor), got {busy.raw('dist')!r}", "dist")
        shape = busy.number("shape", above=0)
    return Arrivals(week_per_hour=week, busyness_shape=shape)


def _per_day(node: Node, interval_minutes: int) -> np.ndarray:
    per_day = node.number("per_day", minimum=0)
    profile = np.asarray(node.numbers("daily_profile", minimum=0, length=(24, 48))
                         if node.has("daily_profile") else [1.0] * 24)
    if profile.sum() <= 0:
        node.fail("must have at least one positive weight", "daily_profile")
    factors = (node.numbers("weekday_factors", minimum=0, length=(7,))
               if node.has("weekday_factors") else [1.0] * 7)
    # share of the day's calls in each minute, then summed per interval
    minute_share = np.repeat(profile / profile.sum() / (clock.MINUTES_PER_DAY / len(profile)),
                             clock.MINUTES_PER_DAY // len(profile))
    day_share = minute_share.reshape(-1, interval_minutes).sum(axis=1)
    per_hour = day_share * per_day * 60.0 / interval_minutes
    return np.concatenate([per_hour * f for f in factors])


def _pool(pool_id: str, node: Node, interval_minutes: int) -> Pool:
    node.unknown_keys(_POOL)
    kind = _exactly_one(node, ("seats", "seats_by_interval", "shifts"))
    per_day_intervals = clock.MINUTES_PER_DAY // interval_minutes
    if kind == "seats":
        week = np.full(clock.MINUTES_PER_WEEK, node.integer("seats", minimum=0), dtype=np.int64)
    elif kind == "seats_by_interval":
        values = node.numbers("seats_by_interval", minimum=0, length=(per_day_intervals, 7 * per_day_intervals))
        for i, v in enumerate(values):
            if not float(v).is_integer():
                node.fail(f"must be whole numbers of agents, got {v:g}", f"seats_by_interval[{i}]")
        per_interval = np.resize(np.asarray(values, dtype=np.int64), 7 * per_day_intervals)
        week = np.repeat(per_interval, interval_minutes)
    else:
        week = _shifts(node)
    return Pool(id=pool_id, week_agents=week)


def _shifts(node: Node) -> np.ndarray:
    raw = node.raw("shifts")
    if not isinstance(raw, list) or not raw:
        node.fail("must be a non-empty list of shifts", "shifts")
    week = np.zeros(clock.MINUTES_PER_WEEK, dtype=np.int64)
    for i, item in enumerate(raw):
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
        agents = shift.integer("agents", minimum=0)
        shift.text("name", f"shift {i + 1}")
        for day in days:
            index = clock.weekday_index(day)
            if index is None:
                shift.fail(f"unknown weekday {day!r}; use mon, tue, wed, thu, fri, sat, sun", "days")
            first = index * clock.MINUTES_PER_DAY + parsed[1]
            # shifts crossing midnight (or Sunday night into Monday) wrap around the week
            covered = np.arange(first, first + int(minutes)) % clock.MINUTES_PER_WEEK
            week[covered] += agents
    return week
