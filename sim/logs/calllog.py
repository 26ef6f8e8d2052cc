"""Call logs: reading per-call records into one table, with every left-out row counted.

Two formats:

``generic`` (CSV with a header row), one row a call::

    arrival,line,outcome,wait_seconds,handle_seconds,agent,caller
    1999-06-01 07:41:25,PS,answered,12,208,MICHAL,27997683
    1999-06-01 07:45:02,PS,abandoned,75,,,0

``arrival`` is when the caller joined the queue for an agent (ISO date and
time, to the minute at least), ``outcome`` answered or abandoned, ``wait_seconds`` the time until an
agent answered or the caller hung up, ``handle_seconds`` the talk time of
answered calls (empty: unknown, the call kept and counted among the faults);
``agent`` and ``caller`` may be empty (caller 0 or empty: unknown).  Arrival times either all carry a UTC offset or none does; one
up to an hour from the offset most arrivals carry is read at its own local clock time (daylight saving time),
one further away converted to that offset (another time zone).

``anonymous-bank``: the Technion SEE lab's Anonymous Bank files (tab separated,
or by spaces; one file a month; columns found by their header's names).  A call
joins the agent queue at ``q_start``, or at ``vru_exit`` when it went straight
to an agent (at ``ser_start`` in a row without voice-response times); calls that never asked for
an agent and PHANTOM rows are left out and counted; times past midnight roll
into the next day; the data's known faults are counted, not crashed on.

Either format may be gzip-compressed (known by its first bytes, whatever the
file's name).  A file that cannot be read as a log stops the run with one
``LogError`` naming the file, the line and what to do; a row that cannot be
read does too, unless ``skip_bad_rows`` leaves it out and counts it.  Calls on
dates far from the rest of the log (a stray row dated 2049 among 1999's) are
left out, counted and named in ``CallLog.notes``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import os
import re
import uuid
import weakref
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Iterator

import numpy as np

from sim import files
from sim.errors import LogError
from sim.input.limits import NAME_RULE, is_carried_name
from sim.input.textfile import decode_problem, open_text

FORMATS = ("generic", "anonymous-bank")
GENERIC_COLUMNS = ("arrival", "line", "outcome", "wait_seconds", "handle_seconds")
# A wait or talk time over a day is a broken export (a date or a count of milliseconds read as
# seconds), not a call; taken as it is it would make a scenario of one call a week.
MAX_SECONDS = 86400.0

BANK_DATA = Path("data") / "anonymous_bank_1999"          # in a checkout of the project
BANK_MONTHS = ("january", "february", "march", "april", "may", "june")


# the folder that holds the ``sim`` package: a checkout's root (this file is sim/logs/calllog.py)
CHECKOUT = Path(__file__).resolve().parents[2]


def bank_months(*months: str) -> list[Path]:
    """Paths of the Anonymous Bank logs shipped with the project (``data/anonymous_bank_1999/*.txt.gz``).

    ``months`` by name (``"june"``); none given: all six, January to June 1999.
    Read them with ``read(paths, "anonymous-bank")``.  The files are in the
    repository, not in the installed package (which stays small): they are
    looked for beside the ``sim`` package (a checkout, or ``pip install -e``),
    then in the current folder and the folders above it (a notebook run from
    ``notebooks/`` with ``pip install .``).
    """
    unknown = [m for m in months if m not in BANK_MONTHS]
    if unknown:
        raise LogError(str(BANK_DATA), "", f"no month {unknown[0]!r}; the shipped months are {', '.join(BANK_MONTHS)}")
    names = [f"{m}.txt.gz" for m in (months or BANK_MONTHS)]
    for root in (CHECKOUT, Path.cwd(), *Path.cwd().parents):
        if all((root / BANK_DATA / name).is_file() for name in names):
            return [root / BANK_DATA / name for name in names]
    raise LogError(str(BANK_DATA / names[0]), "", "not found beside the sim package, nor in the current folder or "
                   "above it: the Anonymous Bank logs come with a checkout of hotline-sim; run from inside one")


FINGERPRINT_HEX_DIGITS = 16
BLANK_LINES = 1_000_000         # blank lines a log may hold: a year of a large centre's calls has none
LINE_BYTES = 1_000_000          # a call's record is a few hundred bytes; the csv reader's field limit is 131 kB
CONTENT_DIGEST_BYTES = 16       # of a log's unpacked bytes: two files with the same calls share it


@dataclass
class CallLog:
    """Calls that asked for an agent, in arrival order (times in seconds since ``epoch``)."""
    epoch: datetime                      # midnight of the first day
    arrival: np.ndarray                  # seconds since epoch
    line: np.ndarray                     # index into ``lines``
    lines: list[str]
    answered: np.ndarray                 # bool
    wait: np.ndarray                     # seconds until answered or hung up
    handle: np.ndarray                   # talk seconds; nan where unknown
    agent: np.ndarray                    # index into ``agents``; -1 unknown
    agents: list[str]
    caller: np.ndarray                   # a code per caller id (equal ids, equal codes); 0 unknown
    left_out: Counter = field(default_factory=Counter)   # reason -> rows not used
    faults: Counter = field(default_factory=Counter)     # reason -> rows kept but flagged
    rows_per_file: dict = field(default_factory=dict)    # file -> data rows read
    suspect_days: list = field(default_factory=list)     # dates whose rows look wrong (left out)
    notes: list = field(default_factory=list)            # what was left out or converted, for the user to check
    # lines whose calls the centre made itself, calling back callers who left a message: not customers redialling
    callback_lines: tuple = ()

    def __len__(self) -> int:
        return len(self.arrival)

    def fingerprint(self) -> str:
        """A digest of the calls (arrival times to the second, lines, outcomes): the same calls, read from any
        files or format, give the same fingerprint; ``calibrate`` records it, ``replay`` compares it."""
        import hashlib

        digest = hashlib.sha256()
        digest.update(self.epoch.isoformat().encode("ascii"))
        digest.update(np.round(self.arrival).astype(np.int64).tobytes())
        digest.update("\n".join(self.lines[i] for i in self.line.tolist()).encode("utf-8"))
        digest.update(np.asarray(self.answered, dtype=np.uint8).tobytes())
        return digest.hexdigest()[:FINGERPRINT_HEX_DIGITS]

    @property
    def source(self) -> str:
        """The log's file (or its first file and how many more), for messages."""
        files = list(self.rows_per_file)
        if len(files) <= 1:
            return files[0] if files else "the log"
        return f"{files[0]} (and {len(files) - 1} more)"

    @property
    def days(self) -> np.ndarray:
        """Day index (0 = the epoch's day) of each call."""
        return (self.arrival // 86400).astype(np.int64)

    def select(self, keep: np.ndarray) -> "CallLog":
        """The calls where ``keep`` is true (same epoch and codes)."""
        out = CallLog(self.epoch, self.arrival[keep], self.line[keep], self.lines, self.answered[keep],
                      self.wait[keep], self.handle[keep], self.agent[keep], self.agents, self.caller[keep],
                      Counter(self.left_out), Counter(self.faults), dict(self.rows_per_file),
                      list(self.suspect_days), list(self.notes), self.callback_lines)
        return out

    def between(self, first: date, last: date) -> "CallLog":
        """Calls of the days first..last (inclusive), re-based to start at ``first``."""
        start = datetime.combine(first, datetime.min.time())
        shift = (start - self.epoch).total_seconds()
        keep = (self.arrival >= shift) & (self.arrival < shift + ((last - first).days + 1) * 86400)
        out = self.select(keep)
        out.arrival = out.arrival - shift
        out.epoch = start
        return out


class _Rows:
    """Collects parsed rows; bad rows raise, or are counted with ``skip_bad_rows``."""

    def __init__(self, skip_bad_rows: bool):
        self.skip = skip_bad_rows
        self.bad = Counter()
        self.faulty_days = Counter()      # date -> rows with a timing fault (negative vru_time)
        self.cols = {k: [] for k in ("arrival", "line", "answered", "wait", "handle", "agent", "caller")}
        self.zone = None                  # (UTC offset or None, where) of the first arrival read
        self.offsets: list[timedelta] = []    # per row added, its UTC offset (a log whose times carry one)
        self.places: list[tuple] = []         # ... and its (path, line number)
        self.records = set()              # (vru+line, call_id) of the bank format's rows read

    def bad_row(self, path: Path, number: int, column: str, problem: str):
        if not self.skip:
            raise LogError(str(path), f"line {number}, field {column}",
                           f"{problem} (use --skip-bad-rows to leave such rows out and count them)")
        self.bad[f"bad {column}: {problem}"] += 1

    def clock_time(self, path: Path, number: int, text: str, when: datetime) -> datetime | None:
        """``when``, checked against the first row: a log mixing times with and without a UTC offset cannot be
        read one way, so such a row is bad (None).  Offsets are settled once every row is read
        (``settle_offsets``)."""
        offset = when.utcoffset()
        if self.zone is None:
            self.zone = (offset, f"{path}, line {number}")
        first, where = self.zone
        if (offset is None) != (first is None):
            has = "has no UTC offset" if offset is None else "has a UTC offset"
            other = f"has one ({timezone(first)})" if offset is None else "has none"
            self.bad_row(path, number, "arrival", f"{text!r} {has} but the first arrival ({where}) {other}: "
                         "give every arrival with the same offset, or none")
            return None
        return when

    def add(self, arrival: datetime, line: str, answered: bool, wait: float, handle: float, agent: str, caller: str,
            place: tuple | None = None):
        """A call; ``place``, (path, line number), names its row if its offset must be settled later."""
        if arrival.tzinfo is not None:
            self.offsets.append(arrival.utcoffset())
            self.places.append(place)
            arrival = arrival.replace(tzinfo=None)
        for key, value in zip(self.cols, (arrival, line, answered, wait, handle, agent, caller)):
            self.cols[key].append(value)

    def settle_offsets(self, faults: Counter) -> timedelta | None:
        """Read every arrival at the call centre's clock, the UTC offset most arrivals carry (None: the log
        gives none), and return that offset.  An arrival whose offset is within an hour of it keeps its local
        clock time, as printed: across a change to or from daylight saving time the offset changes and the
        centre's hours do not (converted, half of a log's calls moved by an hour).  One further away is another
        time zone, converted.  Most arrivals, not the first row's: one stray row first in the file moved every
        other call by eight hours.  Both kinds are counted."""
        if not self.offsets:
            return None
        counts = Counter(self.offsets)
        centre = counts.most_common(1)[0][0]            # on a tie, the offset met first
        arrivals, dropped = self.cols["arrival"], []
        for i, offset in enumerate(self.offsets):
            if offset == centre:
                continue
            if abs(offset - centre) <= DAYLIGHT_SAVING_SHIFT:
                faults[f"{DAYLIGHT_SAVING} ({timezone(centre)}; read at its local clock time)"] += 1
                continue
            try:
                arrivals[i] = arrivals[i] + (centre - offset)
            except OverflowError:       # 9999-12-31 20:00-12:00 read at +14:00 is past the last date Python has
                path, number = self.places[i]
                self.bad_row(path, number, "arrival", f"{str(arrivals[i])!r} at UTC offset {timezone(offset)}, read "
                             f"at most arrivals' offset ({timezone(centre)}), falls outside the years 1-9999; give "
                             "the real date")
                dropped.append(i)
                continue
            faults[f"{CONVERTED} {timezone(centre)} (most arrivals' offset)"] += 1
        if dropped:                     # left out with --skip-bad-rows (else bad_row has raised)
            keep = sorted(set(range(len(arrivals))) - set(dropped))
            for key, column in self.cols.items():
                self.cols[key] = [column[i] for i in keep]
        return centre


def read(paths: list[Path], fmt: str = "generic", skip_bad_rows: bool = False) -> CallLog:
    """Read call logs of one format (plain text or gzip) into one CallLog, in arrival order.

    Raises ``LogError`` (one line: file, line, what to do) for a file that is
    not a log of that format, and for a bad row unless ``skip_bad_rows``.
    """
    paths = [Path(p) for p in paths]
    if fmt not in FORMATS:
        raise LogError(", ".join(map(str, paths)), "--format",
                       f"unknown log format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    repeat = files.first_repeat(paths)          # the same file twice would count every call twice
    if repeat is not None:
        raise LogError(str(repeat[0]), "", f"is given twice (as {repeat[1]} too): each call would be counted twice; "
                       "give each log once")
    rows = _Rows(skip_bad_rows)
    left_out, faults, per_file = Counter(), Counter(), {}
    reader = _read_generic if fmt == "generic" else _read_bank
    contents = {}
    for path in paths:
        digest = hashlib.blake2b(digest_size=CONTENT_DIGEST_BYTES)
        with open_text(path, LogError, allow_gzip=True) as handle:
            count = reader(path, _lines(path, handle, digest), rows, left_out, faults)
        if not count:
            raise LogError(str(path), "", "holds no calls (it is empty, or a header alone); give the log with its rows")
        # a copy, or the same log packed with gzip, is another file with the same calls
        same = contents.setdefault(digest.digest(), path)
        if same is not path:
            raise LogError(str(path), "", f"holds the same calls as {same}: each call would be counted twice; "
                           "give each log once")
        per_file[str(path)] = count
    centre = rows.settle_offsets(faults)         # may find more bad rows: before they are counted
    if not rows.cols["arrival"]:
        unread = sum(rows.bad.values())
        raise LogError(", ".join(map(str, paths)), "", "no call that asked for an agent was found"
                       + (f" ({unread:,} unreadable rows were left out)" if unread else ""))
    left_out.update(rows.bad)
    log = _assemble(rows, left_out, faults, per_file)
    shifted = sum(n for k, n in faults.items() if k.startswith(DAYLIGHT_SAVING))
    if shifted:
        log.notes.append(f"{shifted:,} arrival time(s) carry a UTC offset up to an hour from most arrivals' "
                         f"({timezone(centre)}), as across a change of daylight saving time: each is read at its "
                         "own local clock time")
    converted = sum(n for k, n in faults.items() if k.startswith(CONVERTED))
    if converted:
        log.notes.append(f"{converted:,} arrival time(s) given at a UTC offset over an hour from most arrivals' "
                         f"were converted to {timezone(centre)}, the offset most arrivals carry")
    if left_out[BANK_REPEATS]:
        log.notes.append(f"left out {left_out[BANK_REPEATS]:,} row(s) that repeat an earlier row's vru+line and "
                         "call_id, as when log files overlap")
    if fmt == "generic":
        log = _drop_repeats(log)
    log = _drop_stray_days(log)
    if fmt == "anonymous-bank":
        log = _drop_suspect_days(log, rows.faulty_days)
        log.callback_lines = tuple(line for line in BANK_CALLBACK_TYPES if line in log.lines)
    return log


def _lines(path: Path, handle, digest=None) -> Iterator[str]:
    """The file's lines as text, decoded one at a time so that a problem names its line (their bytes, unpacked,
    also go into ``digest``, a hashlib object, when given)."""
    number = blank = 0
    raw = handle.buffer
    try:
        # a line at a time, each at most LINE_BYTES: a file without line ends is refused, not read whole
        for number, data in enumerate(iter(partial(raw.readline, LINE_BYTES + 1), b""), start=1):
            if len(data) > LINE_BYTES:
                if data.count(b"\r") > 1:
                    raise LogError(str(path), f"line {number}", CARRIAGE_RETURNS)
                raise LogError(str(path), f"line {number}", f"is longer than {LINE_BYTES // 1000:,} kB, far "
                               "longer than a call's record: is it a call log, with a line per call?")
            if not data.strip():
                blank += 1
                if blank > BLANK_LINES:     # half a megabyte of gzip held 500 million: minutes of reading nothing
                    raise LogError(str(path), f"line {number}", f"is blank, as {BLANK_LINES:,} lines before it "
                                   "are: is it a call log, with a line per call? remove the blank lines")
            if digest is not None:
                digest.update(data)
            try:
                text = data.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise LogError(str(path), "", decode_problem(exc, number)) from None
            if "\x00" in text:
                raise LogError(str(path), f"line {number}", "holds a zero byte, so this is not a text log; "
                               "give the exported text (CSV) file")
            yield text
    except (OSError, EOFError, zlib.error) as exc:
        # gzip finds a cut-off or corrupt archive only when it gets there
        what = "is a damaged gzip archive" if isinstance(raw, gzip.GzipFile) else "cannot be read whole"
        raise LogError(str(path), f"after line {number}", f"{what} ({exc}); copy the file again") from None


def _assemble(rows: _Rows, left_out, faults, per_file) -> CallLog:
    c = rows.cols
    epoch = datetime.combine(min(c["arrival"]).date(), datetime.min.time())
    arrival = np.array([(t - epoch).total_seconds() for t in c["arrival"]])
    order = np.argsort(arrival, kind="stable")
    lines = sorted(set(c["line"]))
    agents = sorted({a for a in c["agent"] if a})
    line = np.array([lines.index(x) for x in c["line"]], dtype=np.int64)
    agent_index = {a: i for i, a in enumerate(agents)}
    agent = np.array([agent_index.get(a, -1) if a else -1 for a in c["agent"]], dtype=np.int64)
    # caller ids are compared, never computed with: codes keep phone numbers and long ids exact
    codes: dict[str, int] = {}
    caller = np.array([0 if x in ("", "0") else codes.setdefault(x, len(codes) + 1) for x in c["caller"]],
                      dtype=np.int64)
    return CallLog(epoch, arrival[order], line[order], lines, np.array(c["answered"], dtype=bool)[order],
                   np.array(c["wait"], dtype=float)[order], np.array(c["handle"], dtype=float)[order],
                   agent[order], agents, caller[order], left_out, faults, per_file)


def _read_generic(path: Path, lines: Iterator[str], rows: _Rows, left_out: Counter, faults: Counter) -> int:
    reader = csv.reader(lines)
    count = last = 0
    try:
        header = next((cells for cells in reader if cells), None)      # blank lines before it are no header
        if header is None:
            return 0
        header = [name.strip() for name in header]
        for i, name in enumerate(header):
            if name and name in header[:i]:     # read by name, the last copy would win without a word
                raise LogError(str(path), f"line {reader.line_num} (header)", f"column {name!r} is given twice "
                               f"(fields {header.index(name) + 1} and {i + 1}); keep one, or rename the other")
        missing = [c for c in GENERIC_COLUMNS if c not in header]
        if missing:
            raise LogError(str(path), f"line {reader.line_num} (header)", _header_problem(header, missing))
        last = reader.line_num
        for cells in reader:
            first, last = last + 1, reader.line_num
            if last > first:            # no field of a log holds a line break: a quote left open swallowed rows
                raise LogError(str(path), f"line {first}", f"a quote opened in this row runs on to line {last}, "
                               f"so the {last - first} line(s) after it were read as one field; close the quote "
                               "or remove it")
            if not any(cell.strip(BLANK) for cell in cells):
                continue                # blank, spaces, commas alone, or a DOS end-of-file mark
            count += 1
            if [cell.strip() for cell in cells] == header:
                rows.bad_row(path, first, "row", "repeats the header (two logs joined into one file?); remove it, "
                             "or give the logs as separate files")
                continue
            if len(cells) < len(header):
                rows.bad_row(path, last, "row", f"has {len(cells)} fields, the header {len(header)}")
                continue
            if any(cell.strip() for cell in cells[len(header):]):
                # empty fields at the end are a spreadsheet's habit; values there mean the columns slipped
                rows.bad_row(path, reader.line_num, "row", f"has {len(cells)} fields, the header {len(header)} "
                             "(a comma inside a field needs quotes)")
                continue
            _generic_row(path, reader.line_num, dict(zip(header, cells)), rows, faults)
    except csv.Error as exc:
        if "field limit" in str(exc):       # a quote left open swallowed a whole megabyte of rows after it
            raise LogError(str(path), f"line {last + 1}", f"a quote opened in this row runs on to line "
                           f"{reader.line_num} and beyond, read as one field; close the quote or remove it") from None
        if "new-line character seen in unquoted field" in str(exc):
            raise LogError(str(path), f"line {reader.line_num}", CARRIAGE_RETURNS) from None
        raise LogError(str(path), f"line {reader.line_num}", f"is not valid CSV ({exc}); export the log again "
                       "as CSV") from None
    return count


def _header_problem(header: list[str], missing: list[str]) -> str:
    only = header[0] if len(header) == 1 else ""
    if only.startswith("vru+line"):
        return "this is an Anonymous Bank file; read it with --format anonymous-bank"
    for separator, name in ((";", "semicolons (Excel does this in some locales)"), ("\t", "tabs")):
        if separator in only:
            return (f"its columns are separated by {name}, not commas; save it as CSV with commas "
                    "(in Excel: 'CSV UTF-8 (Comma delimited)')")
    return (f"missing columns: {', '.join(missing)}; the generic format needs {', '.join(GENERIC_COLUMNS)} "
            "(agent, caller optional)")


BLANK = " \t\x1a"          # what a row may hold and still be blank (\x1a: the end-of-file mark of DOS tools)
_CLOCK = re.compile(r"^[^T ]+[T ](?P<time>[\d:]+)")     # the time of day after an ISO date
MINUTE_DIGITS = 4                                      # HH:MM at least


def _generic_row(path: Path, number: int, row: dict, rows: _Rows, faults: Counter):
    text = row["arrival"].strip()
    try:
        arrival = datetime.fromisoformat(text)
    except ValueError:
        rows.bad_row(path, number, "arrival", f"{text!r} is not a date and time like 1999-06-01 07:41:25")
        return
    clock = _CLOCK.match(text)
    if clock is None or sum(c.isdigit() for c in clock["time"]) < MINUTE_DIGITS:
        # a date alone (or an hour alone) reads as midnight (the full hour): every call at one moment
        rows.bad_row(path, number, "arrival", f"{text!r} has no time of day to the minute; give each call's "
                     "date and time, like 1999-06-01 07:41:25")
        return
    arrival = rows.clock_time(path, number, text, arrival)
    if arrival is None:
        return
    line = row["line"].strip()
    if not line:
        rows.bad_row(path, number, "line", "is empty; every call needs the line it came in on")
        return
    if not is_carried_name(line):
        # a scenario could not name the line (calibrate would write one that every command then refuses)
        rows.bad_row(path, number, "line", f"{line!r} is not a name the results can carry: {NAME_RULE}")
        return
    outcome = row["outcome"].strip().lower()
    if outcome not in ("answered", "abandoned"):
        rows.bad_row(path, number, "outcome", f"{row['outcome']!r} is not answered or abandoned")
        return
    wait = _seconds(row["wait_seconds"])
    if wait is None:
        rows.bad_row(path, number, "wait_seconds", f"{row['wait_seconds']!r} is not a number of seconds "
                     f"from 0 to {MAX_SECONDS:.0f}")
        return
    handle_s = np.nan
    if outcome == "answered" and not (row["handle_seconds"] or "").strip():
        # kept, as the bank's format keeps its answered calls without a talk time: the call and its wait count
        faults["answered without a talk time (kept; talk time not used)"] += 1
    elif outcome == "answered":
        handle_s = _seconds(row["handle_seconds"])
        if handle_s is None:
            rows.bad_row(path, number, "handle_seconds", f"{row['handle_seconds']!r} is not a number of "
                         f"seconds from 0 to {MAX_SECONDS:.0f}")
            return
    rows.add(arrival, line, outcome == "answered", wait, handle_s, (row.get("agent") or "").strip(),
             (row.get("caller") or "").strip(), (path, number))


def _number(text) -> float | None:
    """The number in ``text``, or None; NaN and infinity are not numbers of a log ('nan' parses as float)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _seconds(text) -> float | None:
    """A duration in seconds from 0 to MAX_SECONDS, or None."""
    value = _number(text)
    return value if value is not None and 0 <= value <= MAX_SECONDS else None


def _clock(text: str) -> int | None:
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    h, m, s = map(int, parts)
    return h * 3600 + m * 60 + s if m < 60 and s < 60 and h < 48 else None


# The bank's columns, as its files' header names them (the documentation's order); the reader finds them by name
BANK_COLUMNS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
                "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")
BANK_USED = ("vru+line", "call_id", "customer_id", "type", "date", "vru_entry", "vru_exit", "vru_time", "q_start",
             "q_time", "outcome", "ser_start", "ser_time", "server")
DATE = BANK_USED.index("date")
NO_TIME = "0:00:00"         # the bank's own "none" for a time, as 0 is for a number of seconds


def _bank_cells(text: str) -> list[str]:
    """A row's fields: split at tabs, where the bank's files put them (an empty field stays a field), else at
    runs of spaces."""
    text = text.rstrip("\r\n")
    return [cell.strip() for cell in text.split("\t")] if "\t" in text else text.split()


HEADER_NAMES = {"date", "outcome", "vru_entry", "ser_start"}     # a row naming one of these is a header
# "TT: customers who left a message and were called back" (the bank's documentation): the bank's own calls
BANK_CALLBACK_TYPES = ("TT",)


def _bank_header(path: Path, names: list[str]) -> list[int]:
    """Where each of BANK_USED is in a header row (``names`` in lower case: read by name, in any order)."""
    for i, name in enumerate(names):
        if name in names[:i]:
            raise LogError(str(path), "line 1 (header)", f"column {name!r} is given twice (fields "
                           f"{names.index(name) + 1} and {i + 1}); keep one, or rename the other")
    missing = [c for c in BANK_USED if c not in names]
    if missing:
        raise LogError(str(path), "line 1 (header)", f"lacks the bank's column(s) {', '.join(missing)}; the "
                       f"anonymous-bank format has {' '.join(BANK_COLUMNS)}")
    return [names.index(c) for c in BANK_USED]


def _read_bank(path: Path, lines: Iterator[str], rows: _Rows, left_out: Counter, faults: Counter) -> int:
    count = 0
    # the documented order, unless the file's header names the columns otherwise
    where, n_fields = [BANK_COLUMNS.index(c) for c in BANK_USED], len(BANK_COLUMNS)
    first = True                # the first row that is not blank: where the header goes
    for number, text in enumerate(lines, start=1):
        cells = _bank_cells(text)
        if not any(cells):
            continue
        is_first, first = first, False
        # a header names its columns where a row has its date (digits): only such rows are looked at closely
        date = cells[where[DATE]] if len(cells) > where[DATE] else ""
        names = [cell.lower() for cell in cells] if is_first or not date[:1].isdigit() else []
        if HEADER_NAMES.intersection(names):
            if is_first:
                where, n_fields = _bank_header(path, names), len(names)
                continue
            rows.bad_row(path, number, "row", "repeats the header (two logs joined into one file?); remove it, or "
                         "give the logs as separate files")
            continue
        count += 1
        if len(cells) != n_fields:
            if is_first and text.startswith("arrival,"):
                raise LogError(str(path), "line 1 (header)", "this is a generic CSV log; read it with --format "
                               "generic")
            rows.bad_row(path, number, "row", f"has {len(cells)} fields, expected {n_fields}")
            continue
        (vru_line, call_id, customer, kind, day, vru_entry, vru_exit, vru_time, q_start, q_time, outcome,
         ser_start, ser_time, server) = (cells[i] for i in where)
        record = (vru_line, call_id)
        if record in rows.records:
            left_out[BANK_REPEATS] += 1
            continue
        rows.records.add(record)
        if outcome == "PHANTOM":
            left_out["PHANTOM rows"] += 1
            continue
        try:
            when = datetime.strptime(day, "%y%m%d")
        except ValueError:
            rows.bad_row(path, number, "date", f"{day!r} is not a date YYMMDD")
            continue
        texts = {"vru_entry": vru_entry, "vru_exit": vru_exit, "q_start": q_start, "ser_start": ser_start}
        times = {name: _clock(v or NO_TIME) for name, v in texts.items()}
        bad = [k for k, v in times.items() if v is None]
        if bad:
            rows.bad_row(path, number, bad[0], f"{texts[bad[0]]!r} is not a time H:MM:SS")
            continue
        texts = {"vru_time": vru_time, "q_time": q_time, "ser_time": ser_time}
        numbers = {name: _number(v or "0") for name, v in texts.items()}
        bad = [k for k, v in numbers.items() if v is None or v > MAX_SECONDS]
        if bad:
            rows.bad_row(path, number, bad[0], f"{texts[bad[0]]!r} is not a number of seconds up to "
                         f"{MAX_SECONDS:.0f}")
            continue
        if numbers["vru_time"] < 0:
            faults["negative vru_time"] += 1
            rows.faulty_days[when.date()] += 1
        if outcome not in ("AGENT", "HANG"):
            rows.bad_row(path, number, "outcome", f"{outcome!r} is not AGENT, HANG or PHANTOM")
            continue
        queued = times["q_start"] != 0 or numbers["q_time"] > 0
        answered = outcome == "AGENT"
        if queued:
            start = times["q_start"]
            wait = max(numbers["q_time"], 0.0)
            if numbers["q_time"] < 0:
                faults["negative q_time (read as a wait of 0)"] += 1
        elif answered and times["ser_start"] != 0:
            # straight to an agent: from the voice-response unit, or, where the row has no times of it, at the
            # start of the talk (read from an empty vru_exit, such calls would all come at midnight)
            wait = 0.0
            if times["vru_exit"] or times["vru_entry"]:
                start = times["vru_exit"]
            else:
                start = times["ser_start"]
                faults["straight to an agent without voice-response times (arrival read from ser_start)"] += 1
        else:
            left_out["never asked for an agent (left in the voice-response unit)"] += 1
            continue
        if start < times["vru_entry"] - 43200:                # past midnight: the next day's clock
            start += 86400                                    # (a few seconds early is the vru_time fault)
            faults["joined the queue after midnight"] += 1
        talk = numbers["ser_time"] if answered else np.nan
        agent = server if answered and server != "NO_SERVER" else ""
        if answered and (server == "NO_SERVER" or numbers["ser_time"] <= 0):
            faults["answered without a server or talk time (kept; talk time not used)"] += 1
            talk = np.nan
        if not is_carried_name(kind):
            rows.bad_row(path, number, "type", f"{kind!r} is not a name the results can carry: {NAME_RULE}")
            continue
        rows.add(when + timedelta(seconds=start), kind, answered, wait, talk, agent, customer)
    return count


REPEATS = "rows that repeat an earlier row field for field (the same call exported twice)"
CARRIAGE_RETURNS = "its lines end in a carriage return alone (an old Mac export); save it with ordinary line ends " \
                   "(LF, or CR LF)"
CONVERTED = "arrival converted from another UTC offset to"
DAYLIGHT_SAVING = "arrival at a UTC offset up to an hour from most arrivals'"
DAYLIGHT_SAVING_SHIFT = timedelta(hours=1)
BANK_REPEATS = "rows that repeat an earlier row's vru+line and call_id (the same call exported twice)"


def _drop_repeats(log: CallLog) -> CallLog:
    """Leave out rows equal to an earlier row in every field (log files that overlap, a day exported twice):
    counted twice, their calls would raise the arrival rates of the days they repeat.  Two distinct calls in
    one second with the same outcome, wait, talk time, agent and caller are not told apart; the note says how
    to keep them (give the caller)."""
    if len(log) < 2:
        return log
    handle = np.where(np.isnan(log.handle), -1.0, log.handle)      # talk time unknown: equal to unknown
    order = np.lexsort((log.caller, log.agent, handle, log.wait, log.answered, log.line, log.arrival))
    columns = (log.arrival, log.line, log.answered, log.wait, handle, log.agent, log.caller)
    same = np.ones(len(log) - 1, dtype=bool)
    for column in columns:
        ordered = column[order]
        same &= ordered[1:] == ordered[:-1]
    if not same.any():
        return log
    keep = np.ones(len(log), dtype=bool)
    keep[order[1:][same]] = False           # the first of equal rows stays (lexsort is stable)
    out = log.select(keep)
    n = int((~keep).sum())
    out.left_out[REPEATS] += n
    out.notes.append(f"left out {n:,} row(s) that repeat an earlier row field for field, as when log files "
                     "overlap; if they are distinct calls, give each its caller id (column caller)")
    return out


# A stretch of days this far from the rest of the log that holds a sliver of its calls is a typing or
# export slip, not data: one row dated 2049 among 1999's made a 50-year log with no calls a week.
STRAY_GAP_DAYS = 28
STRAY_SHARE = 0.05


def _drop_stray_days(log: CallLog) -> CallLog:
    """Leave out stretches of days over STRAY_GAP_DAYS from the rest of the log that together hold under
    STRAY_SHARE of its calls (smallest stretches first; the largest always stays), counted and noted."""
    days = log.days
    distinct, per_day = np.unique(days, return_counts=True)
    stretch = np.r_[0, np.cumsum(np.diff(distinct) > STRAY_GAP_DAYS)]
    sizes = np.bincount(stretch, weights=per_day)
    order = np.argsort(sizes, kind="stable")
    stray = order[np.cumsum(sizes[order]) < STRAY_SHARE * len(log)]
    if not len(stray):
        return log
    stray_days = distinct[np.isin(stretch, stray)]
    kept = distinct[~np.isin(distinct, stray_days)]
    on = lambda d: (log.epoch + timedelta(days=int(d))).date()  # noqa: E731
    out = log.select(~np.isin(days, stray_days)).between(on(kept[0]), on(kept[-1]))
    dates = [str(on(d)) for d in stray_days]
    shown = ", ".join(dates[:5]) + (f" and {len(dates) - 5} more" if len(dates) > 5 else "")
    n = len(log) - len(out)
    out.left_out[f"calls on dates over {STRAY_GAP_DAYS} days from the rest of the log ({shown})"] += n
    out.notes.append(f"left out {n:,} call(s) dated {shown}: over {STRAY_GAP_DAYS} days away from the rest of "
                     f"the log ({on(kept[0])} to {on(kept[-1])}); check those rows' dates")
    return out


SUSPECT_RATIO = 1.4


def _drop_suspect_days(log: CallLog, faulty: Counter) -> CallLog:
    """Leave out days with far more calls than the same weekday usually has and many timing
    faults (1999-05-23 in the bank data: 3,064 rows against about 1,800 on other Sundays,
    half of them hang-ups, 42 negative vru_time values against at most 4 on other days)."""
    days = log.days
    counts = np.bincount(days)
    weekday = np.array([(log.epoch + timedelta(days=int(d))).weekday() for d in range(len(counts))])
    suspect = []
    for d, n in enumerate(counts):
        same = counts[(weekday == weekday[d]) & (counts > 0) & (np.arange(len(counts)) != d)]
        date_ = (log.epoch + timedelta(days=d)).date()
        if len(same) >= 2 and n > SUSPECT_RATIO * np.median(same) and faulty[date_] > 0.01 * n:
            suspect.append(d)
    suspect = np.asarray(suspect, dtype=np.int64)
    if not len(suspect):
        return log
    keep = ~np.isin(days, suspect)
    out = log.select(keep)
    out.suspect_days = [str((log.epoch + timedelta(days=int(d))).date()) for d in suspect]
    out.left_out[f"calls on days with over {SUSPECT_RATIO:g}x the calls of that weekday's median day and "
                 f"over 1% timing faults ({', '.join(out.suspect_days)})"] += int((~keep).sum())
    return out


TRACE_EPOCH = datetime(2024, 1, 1)      # a Monday: simulated clock weeks map onto real dates


class TraceWriter:
    """Writes simulated calls as generic-format logs, one file per replication (``trace-r<R>.csv``),
    so that `hotline calibrate` can read what the simulator did.

    Each file appears whole or not at all: it is written under a unique
    temporary name in the same folder and renamed on ``close``, so a killed
    run never leaves a cut-off trace that looks complete (a run that stops with
    an error removes its temporary files when the process exits).
    """

    def __init__(self, folder: Path, line_ids: list[str], start_minute: int):
        self.folder = folder
        self.line_ids = [_csv_field(line) for line in line_ids]     # a name with a comma stays one field
        self.epoch = TRACE_EPOCH + timedelta(minutes=start_minute)
        self.files: dict[int, tuple] = {}            # replication -> (handle, temporary path)
        self.finished: set[int] = set()              # replications whose trace took its final name
        weakref.finalize(self, _discard, self.files)

    def _open(self, replication: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".trace-r{replication}.{uuid.uuid4().hex}.part"
        handle = temporary.open("x", encoding="utf-8")
        handle.write(",".join(GENERIC_COLUMNS + ("agent", "caller")) + "\n")
        self.files[replication] = (handle, temporary)

    def __call__(self, replication: int, block) -> None:
        if replication not in self.files:
            self._open(replication)
        out = block.outcomes()
        handle = self.files[replication][0]
        answered = (out["by"] >= 0).tolist()
        for t, j, w, a, talk in zip(block.times, out["line"].tolist(), out["wait"].tolist(), answered,
                                     out["first_seconds"].tolist()):
            when = (self.epoch + timedelta(seconds=t)).isoformat(sep=" ", timespec="milliseconds")
            handle.write(f"{when},{self.line_ids[j]},{'answered' if a else 'abandoned'},{w:.3f},"
                         f"{f'{talk:.3f}' if a else ''},,\n")

    def close(self, replications: int = 0):
        """Finish every trace: each file takes its final name, ``trace-r<R>.csv``; each of the first
        ``replications`` has one, its header alone if no call arrived in it."""
        for replication in range(replications):
            if replication not in self.files and replication not in self.finished:
                self._open(replication)
        for replication, (handle, temporary) in sorted(self.files.items()):
            handle.close()
            os.replace(temporary, self.folder / f"trace-r{replication}.csv")
            self.finished.add(replication)
        self.files.clear()


def _csv_field(text: str) -> str:
    """``text`` as one CSV field: quoted when it holds a comma, a quote or a line break."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


def _discard(files: dict):
    """Remove the temporary files of traces never finished (the run stopped before ``close``)."""
    for handle, temporary in files.values():
        handle.close()
        temporary.unlink(missing_ok=True)
