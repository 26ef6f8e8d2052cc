"""Scenario files: YAML in, a validated ``Scenario`` out.

Everything a run needs is checked here, once, so the model never validates.
Each check names the file and the field to fix.
"""

from __future__ import annotations

import copy
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from sim.errors import OptionError, ScenarioError
from sim.input import clock, costs, laws, limits, opening, patterns, yamlfile
from sim.input.reader import Node, describe
from sim.input.spec import (  # noqa: F401
    MODES,
    TRANSFER_KINDS,
    Arrivals,
    Category,
    Line,
    Outbound,
    Overflow,
    Planning,
    Pool,
    Redial,
    Scenario,
    ShiftType,
    Transfer,
)
from sim.input.textfile import read_text

_TOP = {"name", "horizon_hours", "warmup_hours", "interval_minutes", "start", "service_level",
        "max_abandon_rate", "lines", "pools", "routing", "outbound", "replications", "seed",
        "description", "planning", "surges", "label", "costs", "volume_factor", "calibrated_from"}
_LINE = {"mode", "arrivals", "handle_seconds", "wrapup_seconds", "patience_seconds", "pool", "priority",
         "categories", "redial", "description", "name", "handle_factor_by_hour", "label", "open", "when_closed"}
# what only callers the city's agents answer need (``open`` and ``when_closed`` have a message of their own)
_CITY_ONLY = ("categories", "handle_seconds", "wrapup_seconds", "patience_seconds", "priority", "redial",
              "handle_factor_by_hour")
_CATEGORY = {"name", "share", "handle_seconds", "wrapup_seconds", "priority", "transfer_to", "transfer"}
_TRANSFER = {"kind", "triage_seconds", "delay_seconds", "patience_seconds"}
_OUTBOUND = {"callbacks": "missed", "return_visits": "handled"}
SHARE_SUM_TOLERANCE = 1e-6     # how far from 1 the categories' shares of a line may sum (typed decimals)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError naming file and field.

    A file may start from another: ``base: plan.yaml`` (relative to the file)
    reads that scenario first and lays this file's fields over it; mappings
    merge key by key, anything else (lists included) is replaced, and a
    field set to null is removed.
    """
    path = Path(path)
    raw = read_raw(path)
    try:
        scenario = from_dict(raw, str(path), path.parent)
    except ScenarioError as exc:
        owner = _owner(path, exc.field) if exc.source == str(path) else None
        if owner is None or owner == path:
            raise
        parent, _, leaf = exc.field.rpartition(".")
        if exc.problem.startswith("unknown field") and parent and _owner(path, parent) == path:
            # the file changed the mapping (a law's dist, say) and its base's field no longer fits: the fix is here
            raise ScenarioError(str(path), exc.field, f"{exc.problem}; it comes from the base {owner}: write "
                                f"{leaf}: null under {parent} here to drop it") from None
        raise ScenarioError(str(owner), exc.field, f"{exc.problem} (in the base of {path})") from None
    return replace(scenario, notes=tuple(notes(path)))


def _owner(path: Path, field: str) -> Path | None:
    """The file of ``path``'s base chain that writes ``field`` (``pools.general.seats``): the first, from
    ``path`` down, that holds it or a value (not a mapping) on its way; None when none says it."""
    keys = [key.split("[", 1)[0] for key in field.split(".")] if field else []
    for file, _, data in _chain(path) if keys else ():
        node = data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
            if not isinstance(node, dict):
                return file
        else:
            return file
    return None


def _chain(path: Path):
    """``path`` and the files of its base chain, base last: each file, its text and its own fields.

    Read after ``read_raw`` has checked the chain (no loop, every file readable)."""
    seen = set()
    while path is not None and Path(os.path.realpath(path)) not in seen:
        seen.add(Path(os.path.realpath(path)))
        text, data = _parsed(path)
        yield path, text, data
        path = path.parent / data["base"] if isinstance(data, dict) and isinstance(data.get("base"), str) else None


_PARSED: dict[tuple[str, str], Any] = {}     # (file, its text) -> its fields, as YAML read them
PARSED_FILES = 16


def _parsed(path: Path) -> tuple[str, Any]:
    """A scenario file's text and fields (a copy of its own).  A command reads a scenario's files up to four
    times (its fields, its base chain, its comments, the files it must not write over): the YAML of a text
    read before is not parsed again (3 ms a time for a small file, a twentieth of a run's start-up)."""
    text = read_text(path, ScenarioError)
    key = (str(path), text)
    if key not in _PARSED:
        if len(_PARSED) >= PARSED_FILES:
            _PARSED.clear()
        _PARSED[key] = yamlfile.load(text, str(path))
    return text, copy.deepcopy(_PARSED[key])


def files_read(scenario: Scenario) -> list[Path]:
    """Every file a loaded scenario was read from: its own, its base chain's and its sample files (``file:``),
    so that a command never writes its results over one of them."""
    path = Path(scenario.source)
    if not path.is_file():
        return []
    found = [file for file, _, _ in _chain(path)]

    def sample(value: str) -> str:          # relative to the scenario's folder (``files_relative_to``)
        found.append(path.parent / value)
        return value
    map_files(scenario.raw, sample)
    return found


def notes(path: Path) -> list[tuple[str, str]]:
    """The comments of the file and of every file in its base chain, base first: where its figures come from."""
    chain = []
    for file, text, _ in _chain(path):
        comments = "\n".join(line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith("#"))
        if comments:
            chain.append((str(file), comments))
    return chain[::-1]


def read_raw(path: Path, seen: tuple = ()) -> dict:
    """The file's mapping with its ``base`` chain merged in.

    A file built on a base without a ``name`` of its own is named after its
    file (``rainstorm.yaml``: ``rainstorm``), not after its base; without a
    ``label`` of its own it is shown by that name, not by its base's label.
    """
    data = _read_mapping(path)
    if "base" not in data:
        return data
    node = Node(data, str(path))
    name = node.file_name("base")
    if not name.strip() or name.endswith(("/", os.sep)):
        node.fail(f"must name a scenario file, got {name!r}", "base")
    base = path.parent / name
    chain = seen + (Path(os.path.realpath(path)),)
    if Path(os.path.realpath(base)) in chain:
        node.fail(f"{base} is already part of this file's base chain (a loop)", "base")
    if len(chain) >= limits.BASE_CHAIN_FILES:
        node.fail(f"the base chain is longer than {limits.BASE_CHAIN_FILES} files; write a base that holds "
                  "what the chain's middle files set", "base")
    if not os.path.lexists(base):           # a broken link or a name too long: read_text says why
        node.fail(f"no such scenario file: {base}", "base")
    own = {k: v for k, v in data.items() if k != "base"}
    if own.get("name") is None:
        # results go to results/<name>/: a variant must not write over its base's results
        own["name"] = path.stem
    inherited = read_raw(base, chain)
    if "label" not in own:
        # the label says which option this is: a rainstorm variant shown as "Approved plan" would be read as the
        # plan, and two options shown alike could not be compared
        inherited = {k: v for k, v in inherited.items() if k != "label"}
    if base.parent != path.parent:      # the base's sample files are where the base says, next to it
        inherited = files_relative_to(inherited, base.parent, path.parent)
    return _merge(inherited, own, {})


def files_relative_to(data: Any, folder: Path, here: Path) -> Any:
    """Scenario fields ``data`` written in ``folder`` with each relative ``file:`` of a law (a sample file)
    made relative to ``here``, so that a copy of them in ``here`` reads the same files (a base in another folder,
    a results folder).  Absolute where no relative path leads there (another drive)."""
    folder, here = Path(folder), Path(here)
    return map_files(data, lambda value: value if os.path.isabs(value) else _relative(folder / value, here))


def _relative(path: Path, here: Path) -> str:
    try:
        return os.path.relpath(path, here)
    except ValueError:
        return os.path.abspath(path)


def map_files(data: Any, change: Callable[[str], str]) -> Any:
    """A copy of scenario fields ``data`` with each sample file's name (a law's non-empty ``file:``) replaced by
    ``change(name)``; mappings shared through YAML aliases are walked, and copied, once."""
    done: dict[int, Any] = {}

    def walk(value: Any) -> Any:
        if id(value) in done:
            return done[id(value)]
        if isinstance(value, dict):
            out = done[id(value)] = {}
            for key, item in value.items():
                is_file = key == "file" and isinstance(item, str) and item
                out[key] = change(item) if is_file else walk(item)
            return out
        if isinstance(value, list):
            out = done[id(value)] = []
            out.extend(walk(item) for item in value)
            return out
        return value
    return walk(data)


def _read_mapping(path: Path) -> dict:
    """One scenario file's own fields, ``x-`` fields left out (YAML has resolved their anchors)."""
    source = str(path)
    try:
        size = path.stat().st_size if path.is_file() else 0     # anything else: read_text says what it is
    except OSError:                                             # a name too long: read_text says so
        size = 0
    if size > limits.SCENARIO_FILE_BYTES:
        raise ScenarioError(source, "", f"is {size / 1e6:.1f} MB, far more than a scenario (at most "
                            f"{limits.SCENARIO_FILE_BYTES / 1e6:g} MB): is it the right file? Long lists of values "
                            "belong in a sample file: {dist: empirical, file: ...}")
    _, data = _parsed(path)
    if data is None:
        raise ScenarioError(source, "", "is empty; a scenario needs at least horizon_hours, lines and pools "
                            "(see scenarios/default.yaml)")
    if not isinstance(data, dict):
        raise ScenarioError(source, "", f"is not a scenario: it holds {describe(data)}, not fields such as "
                            "horizon_hours, lines and pools")
    return {key: value for key, value in data.items() if not key.startswith("x-")}


def _merge(base: Any, top: Any, done: dict) -> Any:
    """``top`` laid over ``base``.

    ``done`` holds the pairs already merged, by identity: mappings shared
    through YAML aliases are merged once, never copied out along every path.
    """
    if not isinstance(base, dict) or not isinstance(top, dict):
        return top
    pair = (id(base), id(top))
    if pair in done:
        return done[pair]
    out = done[pair] = dict(base)
    for key, value in top.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(base.get(key), value, done)
    return out


def from_dict(data: Any, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """Validate an already-parsed scenario mapping."""
    root = Node(data, source)
    # "x-..." fields hold YAML anchors shared by several lines (as in docker-compose files)
    root.unknown_keys(_TOP | {k for k in root.data if str(k).startswith("x-")})
    root.free_text("description")
    interval_minutes = root.integer("interval_minutes", 30, limit=limits.INTERVAL_MINUTES)
    if clock.MINUTES_PER_DAY % interval_minutes:
        root.fail(f"must divide a day (1440 minutes) evenly, got {interval_minutes}", "interval_minutes")
    horizon_hours = root.number("horizon_hours", limit=limits.HORIZON_HOURS)
    warmup_hours = root.number("warmup_hours", 0.0, minimum=0, maximum=limits.HORIZON_HOURS.high)
    for key, hours in (("horizon_hours", horizon_hours), ("warmup_hours", warmup_hours)):
        if abs(hours * 60 / interval_minutes - round(hours * 60 / interval_minutes)) > 1e-9:
            root.fail(f"must be a whole number of {interval_minutes}-minute intervals, got {hours:g}", key)
    if round(horizon_hours * 60 / interval_minutes) < 1:
        root.fail(f"must cover at least one {interval_minutes}-minute interval, got {horizon_hours:g}",
                  "horizon_hours")
    if warmup_hours >= horizon_hours:
        root.fail(f"must be shorter than horizon_hours ({horizon_hours:g}), got {warmup_hours:g}",
                  "warmup_hours")
    start_minute = _start(root, interval_minutes)
    sl = root.child("service_level", {"threshold_seconds": 15, "target": 0.8})
    sl.unknown_keys({"threshold_seconds", "target"})
    routing = root.child("routing", {})
    routing.unknown_keys({"transfer", "overflow"})
    for kind in ("pools", "lines"):
        for key in root.children(kind):
            if not limits.is_carried_name(key):
                root.fail(f"{describe(key)} is not a name the results can carry: {limits.NAME_RULE}", kind)
    pools = {pid: _pool(pid, node, interval_minutes) for pid, node in root.children("pools").items()}
    line_nodes = root.children("lines")
    default_transfer = routing.child("transfer") if routing.has("transfer") else None
    if default_transfer is not None:
        _check_transfer(default_transfer, base_dir)
    lines = {lid: _line(lid, node, interval_minutes, pools, base_dir) for lid, node in line_nodes.items()}
    lines = {lid: _with_categories(line, line_nodes[lid], lines, default_transfer, base_dir)
             for lid, line in lines.items()}
    _check_when_closed(lines, line_nodes)
    _check_own_seats(lines, line_nodes)
    lines = _surges(root, lines, interval_minutes)
    lines = _volume(root, lines, interval_minutes)
    if not any(line.mode != "provincial" for line in lines.values()):
        root.fail("need at least one line answered by the city (all are provincial)", "lines")
    replications = root.integer("replications", 10, limit=limits.REPLICATIONS)
    planning = _planning(root, interval_minutes)
    counted = [(root, replications)]
    if planning is not None and planning.replications is not None:
        counted.append((root.child("planning"), planning.replications))
    _check_run_size(root, horizon_hours, interval_minutes, len(lines) + len(pools), counted)
    name = root.text("name")
    if not name.strip():
        root.fail("must not be empty: results are written to results/<name>/", "name")
    if any(not c.isprintable() for c in name):       # a line break would split every message that names it
        root.fail(f"must be one line of text without control characters, got {describe(name)}", "name")
    return Scenario(
        name=name,
        horizon_seconds=horizon_hours * 3600.0,
        warmup_seconds=warmup_hours * 3600.0,
        interval_seconds=interval_minutes * 60.0,
        start_minute=start_minute,
        threshold_seconds=sl.number("threshold_seconds", 15.0, limit=limits.SECONDS),
        service_level_target=sl.number("target", 0.8, minimum=0, maximum=1),
        max_abandon_rate=root.number("max_abandon_rate", 0.05, minimum=0, maximum=1),
        lines=lines,
        pools=pools,
        overflows=_overflows(routing, pools),
        outbound=_outbound(root, base_dir),
        planning=planning,
        replications=replications,
        seed=root.integer("seed", 1, minimum=0),
        costs=costs.parse(root.child("costs") if root.has("costs") else None),
        label=root.label(),
        source=source,
        raw=data,
    )


def _pool(pool_id: str, node: Node, interval_minutes: int) -> Pool:
    """The pool's staffing, refused when more agents are on duty at once than the limit."""
    pool = patterns.pool(pool_id, node, interval_minutes)
    node.free_text("description")
    if node.has("open"):
        pool = replace(pool, open_minutes=opening.parse_open(node), when_closed=opening.parse_when_closed(node))
    elif node.has("when_closed"):
        node.fail("needs opening hours ('open') to say what happens outside them", "when_closed")
    busiest = int(np.argmax(pool.week_agents))
    if pool.week_agents[busiest] > limits.AGENTS.high:
        day, time = clock.label(busiest)
        node.fail(f"puts {pool.week_agents[busiest]} agents on duty at once ({day} {time}); a pool has at most "
                  f"{limits.AGENTS.high:g} {limits.AGENTS.unit}")
    return pool


def _check_redial_load(node: Node, redial: Redial, busiest_per_hour: float) -> None:
    """Refuse redials that could make more attempts an hour than a line may take: when nobody is answered,
    every caller tries 1 + p + p**2 + ... (``max_redials`` terms after the first) times."""
    attempts = sum(redial.probability ** k for k in range(redial.max_redials + 1))
    if busiest_per_hour * attempts > limits.CALLS_PER_HOUR.high:
        node.fail(f"callers who all hang up would try {attempts:.3g} times each: {busiest_per_hour:g} calls per hour "
                  f"at the busiest make up to {busiest_per_hour * attempts:,.0f} attempts an hour, and a line takes at "
                  f"most {limits.CALLS_PER_HOUR.high:,.0f}; lower probability or max_redials", "max_redials")


def _check_run_size(root: Node, horizon_hours: float, interval_minutes: int, n_lines_pools: int,
                    replications: list[tuple[Node, int]]) -> None:
    """Refuse runs whose counters (per replication) or kept figures (all replications) would not fit in memory.

    Both grow with reporting intervals x (lines + pools + the total); ``replications``
    holds each ``replications`` field's node and value.
    """
    intervals = round(horizon_hours * 60 / interval_minutes)
    cells = limits.kept_groups(intervals, interval_minutes) * (n_lines_pools + 1)
    if cells > limits.CELLS_PER_REPLICATION:
        most = max((h for h in range(1, int(horizon_hours) + 1)
                    if limits.kept_groups(h * 60 // interval_minutes, interval_minutes) * (n_lines_pools + 1)
                    <= limits.CELLS_PER_REPLICATION), default=0)
        room = f"at most {most} hours" if most else "no horizon at all"
        # the week's intervals are kept whatever the horizon: with too many lines and pools no horizon helps
        remedy = "lengthen interval_minutes or shorten the horizon" if most else \
            "lengthen interval_minutes, or split the lines and pools into scenarios of their own"
        root.fail(f"{interval_minutes}-minute intervals and {n_lines_pools} lines and pools leave room for {room} "
                  f"(a replication's counters must fit in memory), got {horizon_hours:g}; {remedy}",
                  "horizon_hours")
    for node, value in replications:
        most = limits.CELLS_PER_RUN // cells
        if value > most:
            node.fail(f"must be at most {most} with {intervals} reporting intervals and {n_lines_pools} lines and "
                      f"pools (every replication's figures are kept in memory), got {value}", "replications")


def check_replications(s: Scenario, replications: int, option: str = "--replications") -> int:
    """``replications`` if every replication's figures of ``s`` fit in memory, else an OptionError."""
    cells = limits.kept_groups(s.n_intervals, s.interval_minutes) * (len(s.lines) + len(s.pools) + 1)
    most = max(1, limits.CELLS_PER_RUN // max(cells, 1))
    if replications > most:
        raise OptionError(option, "", f"must be at most {most} for {s.name} ({s.n_intervals} reporting intervals, "
                          f"{len(s.lines)} lines, {len(s.pools)} pools: every replication's figures are kept in "
                          f"memory), got {replications}")
    return replications


def _surges(root: Node, lines: dict[str, Line], interval_minutes: int) -> dict[str, Line]:
    """``surges: [{day: wed, factor: 1.55, lines: [...]}]``: that weekday's arrivals, every week, times factor."""
    raw = root.raw("surges", [])
    if not isinstance(raw, list):
        root.fail("must be a list of {day, factor, lines}", "surges")
    per_day = clock.MINUTES_PER_DAY // interval_minutes
    surged: dict[tuple[int, str], int] = {}         # (weekday, line) -> the surge that scaled it
    for i, item in enumerate(raw):
        node = Node(item, root.source, root.field(f"surges[{i}]"))
        node.unknown_keys({"day", "factor", "lines"})
        day = clock.weekday_index(node.text("day"))
        if day is None:
            node.fail(f"unknown weekday {node.raw('day')!r}; use mon, tue, wed, thu, fri, sat, sun", "day")
        factor = node.number("factor", minimum=0)
        chosen = node.raw("lines", list(lines))
        if not isinstance(chosen, list):
            node.fail("must be a list of line ids", "lines")
        seen: set[str] = set()
        for lid in map(str, chosen):
            if lid not in lines:
                node.fail(f"unknown line {lid!r}", "lines")
            if lid in seen:             # listed twice it would be scaled twice
                node.fail(f"names line {lid!r} twice; list each line once", "lines")
            seen.add(lid)
            if (day, lid) in surged:    # two surges of one day multiply: 1.5 and 1.5 made 2.25 without a word
                node.fail(f"{clock.WEEKDAYS[day]} of line {lid!r} is surged already by surges[{surged[day, lid]}]; "
                          "give that day and line one factor (the product, if both were meant)", "day")
            surged[day, lid] = i
            week = lines[lid].arrivals.week_per_hour.copy()
            with np.errstate(over="ignore"):     # inf is refused just below
                week[day * per_day:(day + 1) * per_day] *= factor
            patterns.check_rate(node, "factor", week, interval_minutes,
                                f"a factor of {factor:g} gives line {lid!r}")
            lines[lid] = replace(lines[lid], arrivals=lines[lid].arrivals.scaled(week))
    return lines


def _volume(root: Node, lines: dict[str, Line], interval_minutes: int) -> dict[str, Line]:
    """``volume_factor: 1.3``: every line's arrivals, provincial ones too, times the factor (growth after a
    merger, a forecast's uncertainty); one field to sweep."""
    if not root.has("volume_factor"):
        return lines
    factor = root.number("volume_factor", minimum=0)
    for lid, line in lines.items():
        with np.errstate(over="ignore"):
            week = line.arrivals.week_per_hour * factor
        patterns.check_rate(root, "volume_factor", week, interval_minutes,
                            f"a volume factor of {factor:g} gives line {lid!r}")
        lines[lid] = replace(line, arrivals=line.arrivals.scaled(week))
    return lines


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


def _law(node: Node, key: str, base_dir, required: bool = False):
    if not node.has(key):
        if required:
            node.fail("is missing (required)", key)
        return None
    return laws.parse_field(node, key, base_dir)


def _line(line_id: str, node: Node, interval_minutes: int, pools: dict, base_dir) -> Line:
    """The line without its categories (they need every line to check transfers)."""
    node.unknown_keys(_LINE)
    node.free_text("description", "name")
    mode = node.text("mode", "merged")
    if mode not in MODES:
        node.fail(f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}", "mode")
    pool = None
    if mode == "provincial":
        if node.has("pool"):
            node.fail("a provincial line is answered outside the city: give it no pool", "pool")
        for key in _CITY_ONLY:
            if node.has(key):       # silently unused, a transfer to a city pool would be a call that never comes
                node.fail(f"a provincial line is answered outside the city: its callers never reach the city's "
                          f"agents, so '{key}' is not used; leave it out (null removes it from a base file)", key)
    else:
        pool = node.text("pool")
        if pool not in pools:
            node.fail(f"unknown pool {pool!r}; pools are: {', '.join(pools)}", "pool")
    redial = None
    if node.has("redial"):
        r = node.child("redial")
        r.unknown_keys({"probability", "delay_seconds", "max_redials"})
        redial = Redial(r.number("probability", minimum=0, maximum=1),
                        laws.parse_field(r, "delay_seconds", base_dir),
                        r.integer("max_redials", 1, limit=limits.MAX_REDIALS))
    factors = None
    if node.has("handle_factor_by_hour"):
        factors = np.asarray(node.numbers("handle_factor_by_hour", limit=limits.FACTOR, length=(24,)))
    with np.errstate(over="ignore"):     # a rate beyond float range is inf, which the rate check refuses
        arrivals = patterns.arrivals(node.child("arrivals"), interval_minutes)
    if redial is not None:
        _check_redial_load(node.child("redial"), redial, float(np.max(arrivals.week_per_hour, initial=0.0)))
    open_minutes, when_closed = _opening(node, mode, pools.get(pool))
    return Line(id=line_id, mode=mode, arrivals=arrivals,
                patience=_law(node, "patience_seconds", base_dir), pool=pool, categories=(),
                redial=redial, handle_factor_by_hour=factors, label=node.label(),
                open_minutes=open_minutes, when_closed=when_closed)


def _opening(node: Node, mode: str, pool: Pool | None):
    """The line's opening hours and what happens outside them: its own, else its pool's, else 7x24."""
    if mode == "provincial":
        for key in ("open", "when_closed"):
            if node.has(key):
                node.fail("a provincial line is answered outside the city: its hours are not the city's", key)
        return None, None
    if node.has("open"):
        return opening.parse_open(node), opening.parse_when_closed(node)
    if pool.open_minutes is not None:
        return pool.open_minutes, opening.parse_when_closed(node) if node.has("when_closed") else pool.when_closed
    if node.has("when_closed"):
        node.fail("needs opening hours ('open', on the line or its pool) to say what happens outside them",
                  "when_closed")
    return None, None


def _check_own_seats(lines: dict[str, Line], nodes: dict[str, Node]):
    """A parallel, specialist or sub-centre line keeps seats of its own: on a pool that merged lines share it
    would simply be merged, and the option compared would not be the one written."""
    merged_on: dict[str, list[str]] = {}
    for lid, line in lines.items():
        if line.mode == "merged":
            merged_on.setdefault(line.pool, []).append(lid)
    for lid, line in lines.items():
        if line.mode in ("merged", "provincial") or line.pool not in merged_on:
            continue
        shared = merged_on[line.pool]
        nodes[lid].fail(f"a {line.mode} line keeps seats of its own, but pool {line.pool!r} also answers merged "
                        f"line{'s' if len(shared) > 1 else ''} {', '.join(shared)}: give {lid} a pool of its own, "
                        f"or write mode: merged", "pool")


def _check_when_closed(lines: dict[str, Line], nodes: dict[str, Node]):
    """A closed line's callers put through ``to`` another line need that line's agents, open then."""
    for lid, line in lines.items():
        rule = line.when_closed
        if rule is None or rule.kind != "to":
            continue
        node = nodes[lid]
        if not node.has("when_closed"):     # the rule of the line's pool: blame it there
            node = Node({}, node.source, f"pools.{line.pool}")
        where = "when_closed.to"
        target = lines.get(rule.to)
        if target is None or target.mode == "provincial" or rule.to == lid:
            city = [k for k, other in lines.items() if other.mode != "provincial" and k != lid]
            choices = f"lines: {', '.join(city)}" if city else "there is none: add one, or leave when_closed out"
            node.fail(f"must name another line the city answers (line {lid!r} is closed then), got {rule.to!r}; "
                      f"{choices}", where)
        if target.pool == line.pool:
            node.fail(f"line {rule.to!r} is answered by the same pool ({line.pool!r}): its agents are the ones "
                      f"who are not there", where)
        if target.open_minutes is not None:
            both = np.flatnonzero(~line.open_minutes & ~target.open_minutes)
            if len(both):
                day, time = clock.label(int(both[0]))
                node.fail(f"line {rule.to!r} is closed too at {day} {time}; send callers to a line open "
                          f"whenever this one is closed", where)


def _with_categories(line: Line, node: Node, lines: dict[str, Line], default_transfer: Node | None,
                     base_dir) -> Line:
    """Attach the line's categories; without any, one category 'all' that its own pool finishes."""
    handle = _law(node, "handle_seconds", base_dir)
    wrapup = _law(node, "wrapup_seconds", base_dir)
    priority = node.integer("priority", 0, minimum=0)
    if line.mode == "provincial":
        return line
    if not node.has("categories"):
        if handle is None:
            node.fail("is missing (required, or give each category its own)", "handle_seconds")
        return replace(line, categories=(Category("all", 1.0, handle, wrapup, priority, None, None),))
    raw = node.raw("categories")
    keyed = isinstance(raw, dict)
    if keyed:
        # the mapping form {name: {share: ...}} merges field by field over a base file
        for name, fields in raw.items():
            if fields is not None and not isinstance(fields, dict):
                node.fail(f"must be the category's fields, such as {_category_example(fields)}, got "
                          f"{describe(fields)}", f"categories.{name}")
        raw = [{"name": name, **(fields or {})} for name, fields in raw.items()]
    if not isinstance(raw, list) or not raw:
        node.fail("must be a non-empty list (or mapping by name) of categories", "categories")
    categories = []
    for i, item in enumerate(raw):
        where = f"categories.{item['name']}" if keyed else f"categories[{i}]"
        if not isinstance(item, dict):
            node.fail(f"must be a category's fields, such as {{name: consultation, share: 0.55}}, got "
                      f"{describe(item)}", where)
        c = Node(item, node.source, node.field(where))
        c.unknown_keys(_CATEGORY)
        own_handle = _law(c, "handle_seconds", base_dir) or handle
        if own_handle is None:
            c.fail("is missing (required here or on the line)", "handle_seconds")
        target, transfer = None, None
        if c.has("transfer_to"):
            target = c.text("transfer_to")
            _check_target(c, line, target, lines)
            transfer = _transfer(c, default_transfer, base_dir)
        name = c.text("name", f"category {i + 1}")
        if any(other.name == name for other in categories):   # figures by category would merge the two
            c.fail(f"another category of this line is also named {name!r}; give each its own name", "name")
        categories.append(Category(name, c.number("share", minimum=0, maximum=1),
                                   own_handle, _law(c, "wrapup_seconds", base_dir) or wrapup,
                                   c.integer("priority", priority, minimum=0), target, transfer))
    total = sum(c.share for c in categories)
    if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        node.fail(f"shares must sum to 1, they sum to {total:g}", "categories")
    if total != 1.0:        # within the tolerance but not exact: scaled, so the shares are a distribution
        categories = [replace(c, share=c.share / total) for c in categories]
    return replace(line, categories=tuple(categories))


def _category_example(value: Any) -> str:
    """How to write a category, using the value the user gave when it looks like a share."""
    share = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.55
    return f"{{share: {share:g}}}"


def _check_target(c: Node, line: Line, target: str, lines: dict[str, Line]):
    if target not in lines:
        c.fail(f"unknown line {target!r}; lines are: {', '.join(lines)}", "transfer_to")
    if lines[target].mode == "provincial":
        c.fail(f"line {target!r} is provincial: its calls are answered outside the city, so nobody "
               f"here can transfer to it; count those callers as {target!r}'s own arrivals instead",
               "transfer_to")
    if lines[target].pool == line.pool:
        c.fail(f"line {target!r} is answered by the same pool {line.pool!r}: nothing to transfer",
               "transfer_to")


def _check_transfer(node: Node, base_dir):
    """``routing.transfer`` is checked whether or not a category transfers yet: a typo there must not wait for
    the day one does."""
    node.unknown_keys(_TRANSFER)
    if node.has("kind") and node.text("kind") not in TRANSFER_KINDS:
        node.fail(f"must be cold or warm, got {node.text('kind')!r}", "kind")
    for key in ("triage_seconds", "delay_seconds", "patience_seconds"):
        if node.has(key):
            _law(node, key, base_dir)


def _transfer(c: Node, default: Node | None, base_dir) -> Transfer:
    """The category's transfer settings, each field falling back to routing.transfer."""
    own = c.child("transfer") if c.has("transfer") else None
    if own is not None:                 # routing.transfer itself was checked once (``_check_transfer``)
        own.unknown_keys(_TRANSFER)

    def pick(key: str, required: bool = True):
        for node in (own, default):
            if node is not None and node.has(key):
                return node
        if required:
            c.fail(f"a transfer needs {key}: set it in routing.transfer or in this category's transfer",
                   "transfer")
        return None

    kind_node = pick("kind", required=False)
    kind = kind_node.text("kind") if kind_node else "cold"
    if kind not in TRANSFER_KINDS:
        kind_node.fail(f"must be cold or warm, got {kind!r}", "kind")
    patience_node = pick("patience_seconds", required=False)
    return Transfer(kind,
                    _law(pick("triage_seconds"), "triage_seconds", base_dir),
                    _law(pick("delay_seconds"), "delay_seconds", base_dir),
                    _law(patience_node, "patience_seconds", base_dir) if patience_node else None)


def _overflows(routing: Node, pools: dict[str, Pool]) -> tuple[Overflow, ...]:
    raw = routing.raw("overflow", [])
    if not isinstance(raw, list):
        routing.fail("must be a list of rules {from, to, after_seconds, handle_factor}", "overflow")
    rules = []
    for i, item in enumerate(raw):
        r = Node(item, routing.source, routing.field(f"overflow[{i}]"))
        r.unknown_keys({"from", "to", "after_seconds", "handle_factor"})
        source, target = r.text("from"), r.text("to")
        for key, pool in (("from", source), ("to", target)):
            if pool not in pools:
                r.fail(f"unknown pool {pool!r}; pools are: {', '.join(pools)}", key)
        if source == target:
            r.fail("a pool cannot overflow to itself", "to")
        rules.append(Overflow(source, target, r.number("after_seconds", limit=limits.SECONDS),
                              r.number("handle_factor", 1.0, above=0, limit=limits.FACTOR)))
    _no_cycle(routing, rules)
    return tuple(rules)


def _no_cycle(routing: Node, rules: list[Overflow]):
    """Overflow rules must not lead a caller round in a circle (A -> B -> A).

    A depth-first search that visits each pool once (a walk of every path takes exponential time on many
    rules without a cycle), with its own stack (a long chain of rules must not exhaust Python's)."""
    graph: dict[str, list[str]] = {}
    for rule in rules:
        graph.setdefault(rule.source, []).append(rule.target)
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        path, on_path, stack = [start], {start}, [iter(graph[start])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:                     # every pool after this one is free of cycles
                stack.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif nxt in on_path:
                cycle = " -> ".join(path[path.index(nxt):] + [nxt])
                routing.fail(f"overflow rules form a cycle: {cycle}", "overflow")
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(graph.get(nxt, ())))


def _outbound(root: Node, base_dir) -> tuple[Outbound, ...]:
    if not root.has("outbound"):
        return ()
    node = root.child("outbound")
    node.unknown_keys(set(_OUTBOUND))
    kinds = []
    for name, trigger in _OUTBOUND.items():
        if not node.has(name):
            continue
        o = node.child(name)
        o.unknown_keys({"share", "after_minutes", "after_hours", "within_minutes", "within_hours",
                        "handle_seconds", "hours", "reserve_agents"})
        after = _minutes(o, "after", default=0.0)
        within = _minutes(o, "within", default=None)
        if within <= 0:
            o.fail("must be more than 0: a job due the moment it is created is late whatever the agents do",
                   "within_hours" if o.has("within_hours") else "within_minutes")
        hours = None
        if o.has("hours"):
            raw = o.raw("hours")
            parsed = ([clock.parse_clock(raw[0]), clock.parse_closing(raw[1])] if isinstance(raw, list)
                      and len(raw) == 2 else None)
            if not parsed or any(p is None or p[0] is not None for p in parsed) or parsed[0][1] >= parsed[1][1]:
                o.fail("must be two times of the same day, opening before closing: ['09:00', '18:00'] (until "
                       f"midnight: '{clock.END_OF_DAY}')", "hours")
            hours = (parsed[0][1], parsed[1][1])
            if hours == (0, clock.MINUTES_PER_DAY):
                hours = None                                    # all day: no hours to open and close
        kinds.append(Outbound(name, trigger, o.number("share", minimum=0, maximum=1), after * 60, within * 60,
                              laws.parse_field(o, "handle_seconds", base_dir), hours,
                              o.integer("reserve_agents", 0, limit=limits.AGENTS)))
    return tuple(kinds)


def _minutes(node: Node, stem: str, default):
    keys = [k for k in (f"{stem}_minutes", f"{stem}_hours") if node.has(k)]
    if len(keys) > 1:
        node.fail(f"give {stem}_minutes or {stem}_hours, not both")
    if not keys:
        if default is None:
            node.fail("is missing (required)", f"{stem}_minutes")
        return default
    hours = keys[0].endswith("hours")
    value = node.number(keys[0], limit=limits.OUTBOUND_WINDOW_HOURS if hours else limits.OUTBOUND_WINDOW_MINUTES)
    return value * 60 if hours else value



def _planning(root: Node, interval_minutes: int) -> Planning | None:
    """The ``planning:`` section: shift types the planner may use, and its rules."""
    if not root.has("planning"):
        return None
    node = root.child("planning")
    node.unknown_keys({"shifts", "work_days_per_week", "shrinkage", "targets", "max_iterations",
                       "replications", "floor_service_level"})
    raw = node.raw("shifts")
    if not isinstance(raw, list) or not raw:
        node.fail("must be a non-empty list of shift types", "shifts")
    types = []
    for i, item in enumerate(raw):
        t = Node(item, node.source, node.field(f"shifts[{i}]"))
        t.unknown_keys({"name", "starts", "hours", "break", "cost_factor", "days"})
        hours = t.number("hours", above=0)
        if hours > 24:
            t.fail(f"a shift cannot be longer than 24 hours, got {hours:g}", "hours")
        minutes = hours * 60
        if minutes % interval_minutes:
            t.fail(f"must be a whole number of {interval_minutes}-minute intervals, got {hours:g} hours", "hours")
        starts = t.raw("starts")
        if not isinstance(starts, list) or not starts:
            t.fail("must be a list of start times such as ['07:00', '08:00']", "starts")
        start_minutes = []
        for text in starts:
            parsed = clock.parse_clock(text)
            if parsed is None or parsed[0] is not None or parsed[1] % interval_minutes:
                t.fail(f"{describe(text)} must be a time 'HH:MM' on a {interval_minutes}-minute boundary", "starts")
            start_minutes.append(parsed[1])
        brk, window = 0, (0, 0)
        if t.has("break"):
            b = t.child("break")
            b.unknown_keys({"minutes", "within_hours"})
            brk = b.integer("minutes", minimum=1)
            if brk % interval_minutes:
                b.fail(f"must be a whole number of {interval_minutes}-minute intervals, got {brk}", "minutes")
            w = b.numbers("within_hours", limit=limits.SHIFT_HOURS, length=(2,))
            window = (int(round(w[0] * 60)), int(round(w[1] * 60)))
            if window[0] % interval_minutes or window[1] % interval_minutes or abs(w[0] * 60 - window[0]) > 1e-6 \
                    or abs(w[1] * 60 - window[1]) > 1e-6:
                # the planner places breaks on whole intervals: a window between them counted the wrong ones
                b.fail(f"must be hours after the shift's start on the {interval_minutes}-minute interval grid, got "
                       f"{w[0]:g} and {w[1]:g}", "within_hours")
            if window[0] > window[1] or window[1] + brk > minutes:
                b.fail(f"the break must start between {w[0]:g} and {w[1]:g} hours and end within the "
                       f"{hours:g}-hour shift", "within_hours")
        days = t.raw("days", list(clock.WEEKDAYS))
        indices = [clock.weekday_index(d) for d in days] if isinstance(days, list) else [None]
        if not indices or None in indices:
            t.fail("must be a list of weekdays such as [mon, tue]", "days")
        name = t.name("name", f"shift {i + 1}", carrier="the roster")
        if any(name == other.name for other in types):      # roster.csv's rows of the two could not be told apart
            t.fail(f"{name!r} names an earlier shift type too; give each its own name", "name")
        types.append(ShiftType(name, tuple(start_minutes), int(minutes), brk,
                               window, t.number("cost_factor", 1.0, above=0, limit=limits.FACTOR),
                               tuple(sorted(set(indices)))))
    work_days = None
    if node.has("work_days_per_week"):
        work_days = node.integer("work_days_per_week", minimum=1)
        if work_days > 7:
            node.fail(f"must be at most 7, got {work_days}", "work_days_per_week")
        for i, st in enumerate(types):     # a tour works one shift type on work_days of its days
            if len(st.days) < work_days:
                node.fail(f"shift {st.name!r} may start on {len(st.days)} day(s), fewer than the {work_days} "
                          f"working days of a tour, so nobody could work it: allow it more days, or lower "
                          "work_days_per_week", f"shifts[{i}].days")
    targets = node.text("targets", "interval")
    if targets not in ("interval", "day", "week"):
        node.fail(f"must be 'interval', 'day' or 'week', got {targets!r}", "targets")
    floor = None
    if node.has("floor_service_level"):
        floor = node.number("floor_service_level", minimum=0)
        if floor >= 1:
            node.fail(f"must be below 1 (a share of calls answered in time), got {floor:g}", "floor_service_level")
    shrinkage = node.number("shrinkage", 0.0, minimum=0)
    if shrinkage >= 1:
        node.fail(f"must be below 1 (a share of paid time), got {shrinkage:g}", "shrinkage")
    reps = node.integer("replications", None, limit=limits.PLANNING_REPLICATIONS) if node.has("replications") else None
    return Planning(tuple(types), work_days, shrinkage, targets,
                    node.integer("max_iterations", 4, limit=limits.PLANNING_ITERATIONS), reps, floor)
