"""A second corpus of bad inputs, as an outside team and real users make them.

Every case runs ``hotline`` on a small working folder that already holds an
earlier run (``done/``) and must end as ``badinput.refuse_and_keep`` says: exit
code 2, one line ``error: ...`` naming the file, field or option, no
traceback, and every file in ``done/`` as it was.  Most cases run in this
process (Click's runner); those marked ``cli`` run as a real process, a time
limit turning a hang into a failure.  Valid but extreme scenarios beside them
run, and something true is asserted about their figures.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from badinput import refuse_and_keep, run_here

GOOD = """\
name: small
horizon_hours: 6
interval_minutes: 30
lines:
  "12345":
    arrivals: {per_hour: 60}
    handle_seconds: {dist: exponential, mean: 120}
    patience_seconds: {dist: exponential, mean: 90}
    pool: general
pools:
  general: {seats: 3}
"""
HEADER = "arrival,line,outcome,wait_seconds,handle_seconds,agent,caller"
FOLDER, FIFO = object(), object()


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (which may not exist)."""
    target: str


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def log_rows(days: int = 3, per_day: int = 80, first: datetime = datetime(2024, 1, 1, 8), line: str = "12345"):
    """A clean generic log's rows: ``per_day`` calls a day from 08:00, one in five abandoned."""
    out = []
    for d in range(days):
        for i in range(per_day):
            t = first + timedelta(days=d, seconds=400 * i)
            n = d * per_day + i
            if n % 5 == 4:
                out.append(f"{t:%Y-%m-%d %H:%M:%S},{line},abandoned,{30 + n % 50},,,{n % 41}")
            else:
                out.append(f"{t:%Y-%m-%d %H:%M:%S},{line},answered,{n % 25},{60 + (n * 37) % 400},A{n % 4},{n % 41}")
    return out


def log_text(rows) -> str:
    return "\n".join([HEADER] + list(rows)) + "\n"


@dataclass
class Case:
    id: str
    args: list
    words: tuple
    files: dict = field(default_factory=dict)
    cli: bool = False               # as a real process (a hang or a crash before Click must show too)


def case(id, args, *words, cli=False, **files):
    return Case(id, list(args), words, {k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()},
                cli)


def sim(id, text, *words, cli=False, **files):
    """``hotline simulate x.yaml`` on ``text``."""
    return case(id, ["simulate", "x.yaml", "-r", "2", "-w", "1", "--out", "out"], *words, cli=cli,
                x_DOT_yaml=text, **files)


CASES = [
    # -- names: too long for a file system, empty ----------------------------------------------------------------
    case("out-name-too-long", ["simulate", "s.yaml", "--out", "o" * 300], "--out", "300 bytes long"),
    case("report-out-name-too-long", ["report", "done", "--out", "b" * 250 + ".html"], "--out", "bytes long"),
    case("scenario-name-too-long", ["simulate", "n" * 300 + ".yaml"], "cannot read the file", "too long"),
    sim("base-name-too-long", "base: " + "b" * 300 + ".yaml\n", "base", "no such scenario file"),
    sim("line-id-empty", edit('"12345":', '"":'), "x.yaml: lines:", "name is empty"),
    sim("pool-id-empty", edit("pool: general", "pool: ' '").replace("  general: {seats: 3}", "  ' ': {seats: 3}"),
        "x.yaml: pools:", "name is empty"),
    # -- pipes, devices and links where a file or folder should be -----------------------------------------------
    case("scenario-fifo", ["simulate", "f.yaml"], "f.yaml", "pipe", cli=True, f_DOT_yaml=FIFO),
    sim("base-fifo", "base: f.yaml\nname: top\n", "f.yaml", "pipe", cli=True, f_DOT_yaml=FIFO),
    case("scenario-dev-zero", ["simulate", "/dev/zero"], "/dev/zero", "device"),
    case("scenario-dev-null", ["simulate", "/dev/null"], "/dev/null", "device"),
    sim("base-dev-zero", "base: /dev/zero\nname: top\n", "/dev/zero", "device"),
    sim("base-link-to-itself", "base: l.yaml\nname: top\n", "l.yaml", "symbolic links", l_DOT_yaml=Link("l.yaml")),
    case("out-dangling-link", ["simulate", "s.yaml", "--out", "ln"], "--out", "symbolic link to nowhere",
         ln=Link("nowhere")),
    case("out-link-loop", ["simulate", "s.yaml", "--out", "ln"], "--out", "loops", ln=Link("ln")),
    case("out-under-a-link-loop", ["simulate", "s.yaml", "--out", "ln/sub"], "--out", "loops", ln=Link("ln")),
    case("calibrate-out-under-dangling-link", ["calibrate", "calls.csv", "--out", "ln/c.yaml"], "--out",
         "does not exist or loops", ln=Link("nowhere")),
]


def make_files(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is FOLDER:
            path.mkdir()
        elif content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


@pytest.fixture
def world(tmp_path) -> Path:
    """A working folder: a scenario, a call log, a plain file, and an earlier run's folder done/."""
    make_files(tmp_path, {"s.yaml": GOOD, "t.yaml": GOOD.replace("name: small", "name: other"),
                          "calls.csv": log_text(log_rows()), "plain.txt": "not a folder\n",
                          "done/summary.json": '{"from": "an earlier run"}\n', "done/notes.txt": "the user's\n"})
    return tmp_path


def test_the_corpus_is_distinct():
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_in_one_line_and_keeps_everything(world, c):
    make_files(world, c.files)
    refuse_and_keep(c.args, world / "done", *c.words, cwd=world, in_process=not c.cli)
    assert not (world / "out").exists()
