"""Bad scenario files as users make them: each ends in one line naming the file and the field, exit code 2.

The whole corpus is checked in this process with ``sim.input.scenario.load`` (what
every command calls first); a representative subset also runs as the real
``hotline simulate`` command, which must also leave an existing results
folder as it was.  The good paths beside them (byte-order marks, Windows line
endings, 1e3, quoted and unquoted keys, alias bombs) must simply work.
"""

from __future__ import annotations

import codecs
import gzip
import re
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from badinput import refuse_and_keep, run_hotline

from sim.errors import ScenarioError
from sim.input import limits, scenario

ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
# the small scenario every case starts from
name: small
horizon_hours: 1
lines:
  "12345":
    arrivals: {per_hour: 60}
    handle_seconds: {dist: exponential, mean: 120}
    pool: general
pools:
  general: {seats: 5}
"""
FOLDER = object()          # in a case's files: make a folder of that name
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
LATIN1 = GOOD.replace("small", "caf\u00e9").encode("latin-1")
# 10 ** 9 leaves if anything expanded the aliases
ALIAS_BOMB = 'x-lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"x-lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10))


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def law(text: str) -> str:
    """GOOD with another talk-time law."""
    return edit("{dist: exponential, mean: 120}", text)


SAMPLE = law("{dist: empirical, file: talk.txt}")
OPEN = "open: {days: weekdays, hours: ['08:30', '17:30']}"


def overflow_rules(n_pools: int, pairs) -> str:
    """A scenario of one line on p0, pools p0 .. p<n-1> and an overflow rule for each (from, to) of ``pairs``."""
    return ("name: chain\nhorizon_hours: 1\ninterval_minutes: 60\nlines:\n  '1': {arrivals: {per_hour: 1}, "
            "handle_seconds: {dist: constant, value: 60}, pool: p0}\npools:\n"
            + "".join(f"  p{i}: {{seats: 1}}\n" for i in range(n_pools)) + "routing:\n  overflow:\n"
            + "".join(f"    - {{from: p{a}, to: p{b}, after_seconds: 1}}\n" for a, b in pairs))


# longer than Python's recursion limit: the check once recursed, one call per pool
OVERFLOW_CHAIN = overflow_rules(1100, [(i, i + 1) for i in range(1099)] + [(1099, 1097)])


def hours(fields: str, pool: str = "hrss", other: str = "") -> str:
    """GOOD with a second line, 12333 on ``pool``, given ``fields`` (inline YAML), and ``other`` on 12345."""
    text = edit("pool: general\n", f"pool: general\n    {other}\n" if other else "pool: general\n")
    return edit("pools:\n", f"  '12333': {{arrivals: {{per_hour: 10}}, handle_seconds: {{dist: constant, value: 60}}, "
                            f"pool: {pool}, {fields}}}\npools:\n  hrss: {{seats: 1}}\n", text)
ON_BASE = "base: base.yaml\nname: variant\n"


@dataclass
class Case:
    id: str
    files: dict                 # name -> text, bytes or FOLDER; "s.yaml" is the one given to the command
    field: str                  # what the message names after the file ("" for the file as a whole)
    words: tuple = ()
    source: str = "s.yaml"      # the file the message names
    cli: bool = False           # also run through the real command line


def case(id, text, field, *words, source="s.yaml", cli=False, **files):
    return Case(id, {"s.yaml": text, **files}, field, words, source, cli)


CASES = [
    # -- 1. files that are not UTF-8 text: the scenario, a base, a sample file --------------------
    case("binary", BINARY, "", "not a text file", cli=True),
    case("latin-1", LATIN1, "", "not UTF-8", "on line 1"),
    case("utf-16", GOOD.encode("utf-16"), "", "UTF-16", cli=True),
    case("utf-16-no-bom", GOOD.encode("utf-16-le"), "", "UTF-16"),
    case("utf-32", GOOD.encode("utf-32"), "", "UTF-32"),                 # was called UTF-16 (FF FE starts both)
    case("gzip", gzip.compress(GOOD.encode()), "", "gzip archive"),
    case("spreadsheet", b"PK\x03\x04" + BINARY, "", "spreadsheet"),
    case("folder", FOLDER, "", "is a folder"),
    case("missing", None, "", "cannot read the file"),
    case("empty", "", "", "is empty", cli=True),
    case("only-comments", "# to do\n\n", "", "is empty"),
    case("top-level-list", "- name: small\n- horizon_hours: 1\n", "", "holds a list"),
    case("top-level-text", "scenario for monday\n", "", "holds 'scenario for monday'"),
    case("too-large", GOOD + "#" * (limits.SCENARIO_FILE_BYTES + 1) + "\n", "", "far more than a scenario"),
    case("base-binary", ON_BASE, "", "not a text file", source="base.yaml", **{"base.yaml": BINARY}),
    case("base-latin-1", ON_BASE, "", "not UTF-8", source="base.yaml", **{"base.yaml": LATIN1}),
    case("base-utf-16", ON_BASE, "", "UTF-16", source="base.yaml", **{"base.yaml": GOOD.encode("utf-16")}),
    case("base-gzip", ON_BASE, "", "gzip", source="base.yaml", **{"base.yaml": gzip.compress(GOOD.encode())}),
    case("base-folder", ON_BASE, "", "is a folder", source="base.yaml", **{"base.yaml": FOLDER}),
    case("base-empty", ON_BASE, "", "is empty", source="base.yaml", **{"base.yaml": ""}),
    case("base-list", ON_BASE, "", "holds a list", source="base.yaml", **{"base.yaml": "- a\n- b\n"}),
    case("base-is-samples", "base: talk.txt\n", "", "not a scenario", source="talk.txt",
         **{"talk.txt": "120\n95\n310\n"}),
    case("base-missing", ON_BASE, "base", "no such scenario file"),
    case("base-self", "base: s.yaml\nname: x\n", "base", "a loop", cli=True),
    case("base-loop", ON_BASE, "base", "a loop", source="base.yaml", **{"base.yaml": "base: s.yaml\n"}),
    case("base-not-text", "base: [a.yaml]\n", "base", "must be text, got a list"),
    case("sample-binary", SAMPLE, "lines.12345.handle_seconds.file", "not a text file", **{"talk.txt": BINARY}),
    case("sample-gzip", SAMPLE, "lines.12345.handle_seconds.file", "gzip archive", cli=True,
         **{"talk.txt": gzip.compress(b"120\n95\n")}),
    case("sample-utf-16", SAMPLE, "lines.12345.handle_seconds.file", "UTF-16",
         **{"talk.txt": "120\n95\n".encode("utf-16")}),
    case("sample-latin-1", SAMPLE, "lines.12345.handle_seconds.file", "not UTF-8",
         **{"talk.txt": "# dur\u00e9e\n120\n".encode("latin-1")}),
    case("sample-folder", SAMPLE, "lines.12345.handle_seconds.file", "is a folder", **{"talk.txt": FOLDER}),
    case("sample-missing", SAMPLE, "lines.12345.handle_seconds.file", "cannot read"),
    case("sample-empty", SAMPLE, "lines.12345.handle_seconds.file", "holds no values", **{"talk.txt": "\n"}),
    case("sample-a-log", SAMPLE, "lines.12345.handle_seconds.file", "line 1", "'arrival'",
         **{"talk.txt": "arrival,line,outcome\n2024-01-01 08:00:00,12345,answered\n"}),
    case("sample-infinite", SAMPLE, "lines.12345.handle_seconds.file", "line 2", "between 0 and 1e+07",
         **{"talk.txt": "120\ninf\n"}),
    case("sample-negative", SAMPLE, "lines.12345.handle_seconds.file", "line 1", **{"talk.txt": "-5\n"}),

    # -- 2. YAML traps --------------------------------------------------------------------------------
    case("duplicate-key", GOOD + "pools:\n  other: {seats: 2}\n", "line 11", "'pools' is given twice",
         "lines 9 and 11", cli=True),
    case("duplicate-line-quoted-and-not", edit('    pool: general\n', '    pool: general\n  12345: {pool: x}\n'),
         "line 9", "'12345' is given twice", "lines 5 and 9"),
    case("duplicate-in-flow", edit("{per_hour: 60}", "{per_hour: 60, per_hour: 70}"), "line 6",
         "'per_hour' is given twice on line 6"),
    case("exponent-is-a-number", edit("per_hour: 60", "per_hour: 1e9"), "lines.12345.arrivals.per_hour",
         "must be at most 100000 calls per hour, got 1e+09"),
    case("negative-exponent", edit("seats: 5", "seats: -2E5"), "pools.general.seats", "at least 0"),
    case("weight-outside-mixture", law("{dist: exponential, mean: 120, weight: 1}"),
         "lines.12345.handle_seconds.weight", "only the components of a mixture"),
    case("category-as-number", edit("    pool: general\n", "    pool: general\n    categories: {consultation: 0.55, "
                                    "complaint: 0.45}\n"),
         "lines.12345.categories.consultation", "{share: 0.55}", cli=True),
    case("category-in-list-as-number", edit("    pool: general\n", "    pool: general\n    categories: [0.5, 0.5]\n"),
         "lines.12345.categories[0]", "{name: consultation, share: 0.55}"),
    case("alias-loop", GOOD + "x-loop: &loop [1, *loop]\n", "line 11", "a loop", cli=True),
    case("deep-nesting", GOOD + "x-deep: " + "[" * 200 + "]" * 200 + "\n", "line 11", "nested more than 50"),
    case("deep-through-aliases", GOOD + "x-d0: &d0 [1]\n" + "".join(f"x-d{i}: &d{i} [*d{i - 1}]\n"
                                                                  for i in range(1, 60)),
         "line 61", "through aliases"),
    case("merge-bomb", GOOD + "x-m0: &m0 {a: 1}\n" + "".join(
        f"x-m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}], k{i}: 1}}\n" for i in range(1, 40)),
         "line", "through aliases"),
    case("tab-indentation", edit("    pool: general", "\tpool: general"), "line 8, column 1",
         "a tab in the indentation", cli=True),
    case("unclosed-bracket", edit("{per_hour: 60}", "{per_hour: 60"), "line 7", "'{' is not closed"),
    case("cut-short", GOOD[:GOOD.index("exponential") + 4], "line 7", "not closed"),
    case("two-documents", GOOD + "---\nname: other\n", "line 11", "one YAML document"),
    case("control-character", edit("name: small", "name: sm\x07all"), "line 2", "control character 0x07"),
    case("python-tag", edit("name: small", "name: !!python/object/apply:os.system [ls]"), "line 2",
         "the tag !!python/object/apply:os.system has no place"),
    case("float-tag", edit("seats: 5", "seats: !!float 5"), "line 10", "the tag !!float has no place"),
    case("undefined-alias", edit("seats: 5", "seats: *five"), "line 10", "needs an &anchor"),
    case("list-as-key", GOOD + "? [a, b]\n: 1\n", "line 11", "a key must be a name"),
    case("number-of-5000-digits", edit("seats: 5", "seats: 1" + "0" * 5000), "line 10", "5001 digits"),
    case("indentation-off", edit("    pool: general", "   pool: general"), "line 8", "indented differently"),

    # -- 3. numbers that are not finite or not plausible ---------------------------------------------
    case("inf", edit("per_hour: 60", "per_hour: .inf"), "lines.12345.arrivals.per_hour",
         "must be a finite number, got .inf", cli=True),
    case("nan", edit("per_hour: 60", "per_hour: .nan"), "lines.12345.arrivals.per_hour", "finite", ".nan"),
    case("minus-inf", edit("seats: 5", "seats: -.inf"), "pools.general.seats", "finite", "-.inf"),
    case("endless-patience", edit("    pool: general\n", "    pool: general\n    patience_seconds: "
                                  "{dist: exponential, mean: .inf}\n"),
         "lines.12345.patience_seconds.mean", "leaving patience_seconds out", cli=True),
    case("horizon", edit("horizon_hours: 1", "horizon_hours: 1e300"), "horizon_hours",
         "at most 17544 hours, got 1e+300"),
    case("seats", edit("seats: 5", "seats: 1e20"), "pools.general.seats", "at most 100000 agents, got 1e+20"),
    case("lognormal-cv", law("{dist: lognormal, mean: 120, cv: 1e200}"), "lines.12345.handle_seconds.cv",
         "at most 100, got 1e+200"),
    case("gamma-cv", law("{dist: gamma, mean: 120, cv: 1e-200}"), "lines.12345.handle_seconds.cv",
         "at least 0.001, got 1e-200"),
    case("calls-per-hour", edit("per_hour: 60", "per_hour: 1000000000"), "lines.12345.arrivals.per_hour",
         "at most 100000 calls per hour, got 1000000000", cli=True),
    case("interval-zero", "interval_minutes: 0\n" + GOOD, "interval_minutes", "at least 1, got 0"),
    case("interval-huge", "interval_minutes: 1e9\n" + GOOD, "interval_minutes", "at most 1440 minutes"),
    case("interval-not-dividing-a-day", "interval_minutes: 7\n" + GOOD, "interval_minutes", "divide a day"),
    case("max-redials", edit("    pool: general\n", "    pool: general\n    redial: {probability: 0.5, "
                             "delay_seconds: {dist: constant, value: 60}, max_redials: 1e9}\n"),
         "lines.12345.redial.max_redials", "at most 100 redials"),
    case("replications", GOOD + "replications: 1e9\n", "replications", "at most 10000 replications"),
    case("replications-for-a-long-horizon", "interval_minutes: 1\n" + edit("horizon_hours: 1", "horizon_hours: 1344")
         + "replications: 1000\n", "replications", "at most 36 with 80640 reporting intervals", "kept in memory"),
    case("horizon-of-minute-intervals", "interval_minutes: 1\n" + edit(
        "general: {seats: 5}", "general: {seats: 5}\n" + "".join(f"  p{i}: {{seats: 1}}\n" for i in range(20)),
        edit("horizon_hours: 1", "horizon_hours: 1000")),
         "horizon_hours", "leave room for at most 194 hours", "lengthen interval_minutes"),
    case("scale", edit("{per_hour: 60}", "{per_hour: 60, scale: 1e6}"), "lines.12345.arrivals.scale",
         "a scale of 1e+06 makes 6e+07 calls per hour", "at most 100000"),
    case("surge-factor", GOOD + "surges: [{day: wed, factor: 1e4}]\n", "surges[0].factor",
         "gives line '12345' 600000 calls per hour on Wed 00:00", "at most 100000"),
    case("per-day", edit("per_hour: 60", "per_day: 3000000"), "lines.12345.arrivals.per_day",
         "125000 calls per hour", "at most 100000"),
    case("weekday-factors", edit("per_hour: 60", "per_day: 1000, weekday_factors: [1, 1, 1e300, 1, 1, 1, 1]"),
         "lines.12345.arrivals.weekday_factors", "on Wed 00:00"),
    case("daily-profile-overflows", edit("per_hour: 60", "per_day: 1000, daily_profile: [" + ", ".join(["1e308"] * 24)
                                         + "]"),
         "lines.12345.arrivals.daily_profile", "too large to add up"),
    case("busyness-shape", edit("{per_hour: 60}", "{per_hour: 60, busyness: {dist: gamma, shape: 1e-9}}"),
         "lines.12345.arrivals.busyness.shape", "at least 0.1"),
    case("shift-not-whole-minutes", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 8.3333, agents: 3}]}"),
         "pools.general.shifts[0].hours", "whole number of minutes"),
    case("shift-over-a-day", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 30, agents: 3}]}"),
         "pools.general.shifts[0].hours", "at most 24"),
    case("shift-agents", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 8, agents: 1e6}]}"),
         "pools.general.shifts[0].agents", "at most 100000 agents"),
    case("agents-at-once", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 8, agents: 60000}, "
                                "{start: '09:00', hours: 8, agents: 60000}]}"),
         "pools.general", "120000 agents on duty at once (Mon 09:00)"),
    case("seats-by-interval", edit("{seats: 5}", "{seats_by_interval: [" + ", ".join(["5"] * 47 + ["1e9"]) + "]}"),
         "pools.general.seats_by_interval[47]", "at most 100000 agents"),
    case("mean-seconds", law("{dist: exponential, mean: 1e300}"), "lines.12345.handle_seconds.mean",
         "at most 1e+07 seconds"),
    case("uniform-high", law("{dist: uniform, low: 0, high: 1e300}"), "lines.12345.handle_seconds.high",
         "at most 1e+07 seconds"),
    case("empirical-values", law("{dist: empirical, values: [100, 1e300]}"), "lines.12345.handle_seconds.values[1]",
         "at most 1e+07 seconds"),
    case("mixture-weight", law("{dist: mixture, components: [{weight: 5, dist: constant, value: 1}]}"),
         "lines.12345.handle_seconds.components[0].weight", "at most 1"),
    case("handle-factor-by-hour", edit("    pool: general\n", "    pool: general\n    handle_factor_by_hour: ["
                                       + ", ".join(["1"] * 23 + ["1e9"]) + "]\n"),
         "lines.12345.handle_factor_by_hour[23]", "at most 100 times"),
    case("threshold", GOOD + "service_level: {threshold_seconds: 1e300, target: 0.8}\n",
         "service_level.threshold_seconds", "at most 1e+07 seconds"),
    case("overflow-factor", edit("{seats: 5}", "{seats: 5}\n  other: {seats: 1}") +
         "routing: {overflow: [{from: general, to: other, after_seconds: 30, handle_factor: 1e9}]}\n",
         "routing.overflow[0].handle_factor", "at most 100 times"),
    case("outbound-window", GOOD + "outbound: {callbacks: {share: 1, within_hours: 1e9, handle_seconds: "
                                   "{dist: constant, value: 60}}}\n",
         "outbound.callbacks.within_hours", "at most 8784 hours"),
    case("planning-replications", GOOD + "planning: {shifts: [{starts: ['08:00'], hours: 8}], replications: 1e9}\n",
         "planning.replications", "at most 10000"),
    case("priority-inf", edit("    pool: general\n", "    pool: general\n    priority: .inf\n"),
         "lines.12345.priority", "finite"),
    case("number-in-quotes", edit("per_hour: 60", "per_hour: '60'"), "lines.12345.arrivals.per_hour",
         "without quotes"),
    case("thousands-separator", edit("per_hour: 60", "per_hour: '1,000'"), "lines.12345.arrivals.per_hour",
         "separators"),
    case("percent", GOOD + "service_level: {threshold_seconds: 20, target: 80%}\n", "service_level.target",
         "80% is 0.8"),
    case("share-as-percentage", GOOD + "max_abandon_rate: 5\n", "max_abandon_rate", "80% is 0.8"),
    case("unit-in-value", law("{dist: exponential, mean: 2 minutes}"), "lines.12345.handle_seconds.mean",
         "the field's name says its unit"),

    # -- 5. other mistakes as users make them --------------------------------------------------------
    case("list-for-mapping", edit("pools:\n  general: {seats: 5}", "pools: [general]"), "pools",
         "must be a mapping of fields, got a list"),
    case("mapping-for-list", edit("per_hour: 60", "per_interval: {mon: 60}"), "lines.12345.arrivals.per_interval",
         "list of numbers, got a mapping"),
    case("text-for-number", edit("seats: 5", "seats: five"), "pools.general.seats", "whole number, got 'five'"),
    case("unknown-weekday", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 8, agents: 3, days: [mon, "
                                 "funday]}]}"), "pools.general.shifts[0].days", "unknown weekday 'funday'"),
    case("unknown-surge-day", GOOD + "surges: [{day: someday, factor: 2}]\n", "surges[0].day", "unknown weekday"),
    case("two-arrival-kinds", edit("per_hour: 60", "per_hour: 60, per_day: 1000"), "lines.12345.arrivals",
         "exactly one of per_hour, per_interval, per_day"),
    case("two-staffing-kinds", edit("{seats: 5}", "{seats: 5, shifts: []}"), "pools.general",
         "exactly one of agents, seats, agents_by_interval, seats_by_interval, shifts"),
    case("minutes-and-hours", GOOD + "outbound: {callbacks: {share: 1, within_minutes: 30, within_hours: 1, "
                                     "handle_seconds: {dist: constant, value: 60}}}\n",
         "outbound.callbacks", "not both"),
    case("values-and-file", law("{dist: empirical, values: [1], file: talk.txt}"), "lines.12345.handle_seconds",
         "exactly one of 'values' or 'file'"),
    case("half-copied", GOOD[:GOOD.index("pools:")], "pools", "is missing"),
    case("typo", edit("handle_seconds", "handel_seconds"), "lines.12345.handel_seconds", "unknown field"),
    case("empty-name", edit("name: small", "name: ''"), "name", "must not be empty"),
    case("description-not-text", GOOD + "description: [a, b]\n", "description", "must be text"),
    case("start-out-of-range", GOOD + "start: '25:00'\n", "start", "HH:MM"),
    case("no-lines", edit('lines:\n  "12345":', 'lines: {}\nx-old:\n  "12345":'), "lines", "at least one entry"),
    # -- opening hours and what happens outside them ---------------------------------------------------
    case("open-not-hours", hours("open: weekdays"), "lines.12333.open", "must be opening hours"),
    case("open-bad-day", hours("open: {days: [monday, funday], hours: ['08:30', '17:30']}"),
         "lines.12333.open.days", "list of weekdays"),
    case("open-one-time", hours("open: {hours: ['08:30']}"), "lines.12333.open.hours", "two times"),
    case("open-same-time", hours("open: {hours: ['08:30', '08:30']}"), "lines.12333.open.hours",
         "without 'open'"),
    case("open-all-week", hours("open: [{hours: ['00:00', '12:00']}, {hours: ['12:00', '00:00']}]"),
         "lines.12333.open", "leave 'open' out"),
    case("closed-without-open", hours("when_closed: message"), "lines.12333.when_closed", "needs opening hours"),
    case("closed-to-unknown", hours(OPEN + ", when_closed: {to: '12346'}"), "lines.12333.when_closed.to",
         "another line the city answers", "12345"),
    case("closed-to-itself", hours(OPEN + ", when_closed: {to: '12333'}"), "lines.12333.when_closed.to",
         "another line"),
    case("closed-to-same-pool", hours(OPEN + ", when_closed: {to: '12345'}", pool="general"),
         "lines.12333.when_closed.to", "same pool"),
    case("closed-to-closed", hours(OPEN + ", when_closed: {to: '12345'}",
                                   other="open: {days: weekdays, hours: ['08:00', '18:00']}"),
         "lines.12333.when_closed.to", "closed too at Mon 00:00"),
    case("closed-two-kinds", hours(OPEN + ", when_closed: {to: '12345', message: true}"),
         "lines.12333.when_closed", "must be one of"),
    case("closed-callback-typo", hours(OPEN + ", when_closed: {callback: {within_hour: 4}}"),
         "lines.12333.when_closed.callback.within_hour", "unknown field"),
    case("closed-handle-factor", hours(OPEN + ", when_closed: {to: '12345', handle_factor: 0}"),
         "lines.12333.when_closed.handle_factor", "greater than 0"),
    case("pool-closed-without-open", edit("{seats: 5}", "{seats: 5, when_closed: message}"),
         "pools.general.when_closed", "needs opening hours"),
    # -- found by an outside hunt for bad inputs (2026-12-04) ------------------------------------------
    case("half-surrogate", edit("name: small", 'name: "\\ud800"'), "line 2", "half of a UTF-16 pair", cli=True),
    case("horizon-of-no-interval", edit("horizon_hours: 1", "horizon_hours: 1e-300"), "horizon_hours",
         "at least one 30-minute interval"),
    case("sample-line-of-megabytes", SAMPLE, "lines.12345.handle_seconds.file", "(1,000,002 characters)",
         **{"talk.txt": "1" * 1_000_000 + "\n"}),
    case("base-empty-name", 'base: ""\nname: x\n', "base", "must name a scenario file"),
    case("base-bad-value", ON_BASE, "pools.general.seats", "must be at least 0", "in the base of",
         source="base.yaml", **{"base.yaml": edit("{seats: 5}", "{seats: -3}")}),
    case("base-law-changed-in-child", ON_BASE + "lines:\n  '12345': {handle_seconds: {dist: constant, value: 300}}\n",
         "lines.12345.handle_seconds.mean", "unknown field", "it comes from the base", "mean: null",
         **{"base.yaml": GOOD}),
    case("pool-closed-to-its-own-line", edit("{seats: 5}", "{seats: 5, open: {hours: ['01:00', '02:00']}, "
                                         "when_closed: {to: '12345'}}"),
         "pools.general.when_closed.to", "there is none"),
    case("redial-storm", edit("pool: general", "pool: general\n    redial: {probability: 1, max_redials: 100, "
                              "delay_seconds: {dist: constant, value: 0}}", edit("per_hour: 60", "per_hour: 1000")),
         "lines.12345.redial.max_redials", "101 times", "101,000 attempts"),
    case("provincial-open", edit("pool: general", "pool: general\n  '12348': {mode: provincial, arrivals: "
                                 "{per_hour: 5}, open: {hours: ['08:00', '17:00']}}"),
         "lines.12348.open", "provincial"),
    # -- found by a second hunt (2026-12-04): repeats that were counted twice, a slow cycle check ---------
    case("shift-day-twice", edit("{seats: 5}", "{shifts: [{start: '08:00', hours: 8, agents: 3, "
                                 "days: [mon, Monday, tue]}]}"),
         "pools.general.shifts[0].days", "names mon twice ('Monday')", cli=True),
    case("surge-line-twice", GOOD + "surges: [{day: mon, factor: 2, lines: ['12345', '12345']}]\n",
         "surges[0].lines", "names line '12345' twice"),
    case("category-names-alike", edit("pool: general", "pool: general\n    categories: {a: {share: .5, name: b}, "
                                      "b: {share: .5}}"),
         "lines.12345.categories.b.name", "also named 'b'"),
    case("category-names-alike-as-number", edit("pool: general", "pool: general\n    categories: "
                                                "[{name: 1, share: .5}, {name: '1', share: .5}]"),
         "lines.12345.categories[1].name", "also named '1'"),
    case("overflow-cycle-at-the-end-of-a-long-chain", OVERFLOW_CHAIN, "routing.overflow",
         "a cycle: p1097 -> p1098 -> p1099 -> p1097"),
    case("pool-names-alike-after-composing", edit("{seats: 5}", "{seats: 5}\n  'caf\u00e9': {seats: 1}\n"
                                                  "  'cafe\u0301': {seats: 2}"),
         "line 12", "'caf\u00e9' is given twice"),
    # 1,000 files exhausted Python's recursion: the 50th file names the limit
    case("base-chain-too-long", "base: b1.yaml\n", "base", "longer than 50 files", source="b49.yaml",
         **{f"b{i}.yaml": f"base: b{i + 1}.yaml\n" for i in range(1, 60)}, **{"b60.yaml": GOOD}),
    # -- line breaks only YAML sees: the line an editor shows (2026-12-04) ------------------------------------
    case("line-separator-in-a-comment", edit("horizon_hours: 1", "horizon_hours: 1  # one hour\u2028 for a test"),
         "line 3", "U+2028", "delete it"),
    case("next-line-after-a-value", edit("pool: general", "pool: general\x85 x: 1"), "line 8", "U+0085"),
    case("line-separator-then-a-later-mistake", edit("seats: 5}", "seats: 5}\n  x: [", edit("name: small",
         "name: \"small\u2028one\"")), "line 12, column 1", "not valid YAML"),
    case("talk-time-as-a-number", law("120"), "lines.12345.handle_seconds", "must be a distribution, got 120",
         "{dist: constant, value: 120}"),
    case("outbound-hours-past-midnight", GOOD + "outbound: {callbacks: {share: 1, handle_seconds: {dist: constant, "
         "value: 60}, within_hours: 4, hours: ['20:00', '25:00']}}\n", "outbound.callbacks.hours", "until midnight: '24:00'"),
    case("variant-agents-over-base-shifts", "base: base.yaml\npools:\n  general: {agents: 4}\n",
         "pools.general", "got agents, shifts", "remove the base's with null, e.g. shifts: null",
         **{"base.yaml": edit("{seats: 5}", "{shifts: [{start: '00:00', hours: 24, agents: 5}]}")}),
    case("break-window-between-intervals", GOOD.replace("horizon_hours: 1", "horizon_hours: 24\ninterval_minutes: 60")
         + "planning: {shifts: [{name: day, starts: ['08:00'], hours: 8, break: {minutes: 60, within_hours: "
         "[3.5, 4.5]}}]}\n", "planning.shifts[0].break.within_hours", "60-minute interval grid", "3.5 and 4.5"),
    # found by an outside hunt (2026-12-05): tracebacks (OverflowError) and a plan crashed on a load of 0
    case("warmup-huge", GOOD + "warmup_hours: 1e308\n", "warmup_hours", "at most 17544", cli=True),
    case("break-window-huge", GOOD.replace("horizon_hours: 1", "horizon_hours: 24\ninterval_minutes: 60")
         + "planning: {shifts: [{name: day, starts: ['08:00'], hours: 8, break: {minutes: 60, within_hours: "
         "[1e308, 5]}}]}\n", "planning.shifts[0].break.within_hours[0]", "at most 24", cli=True),
    case("mean-subnormal", law("{dist: exponential, mean: 1e-310}"), "lines.12345.handle_seconds.mean",
         "at least 0.001", cli=True),
    case("weekend-shift-in-five-day-tours", GOOD.replace("horizon_hours: 1", "horizon_hours: 24")
         + "planning: {work_days_per_week: 5, shifts: [{name: day, starts: ['08:00'], hours: 8}, {name: weekend, "
         "starts: ['08:00'], hours: 8, days: [sat, sun]}]}\n", "planning.shifts[1].days",
         "'weekend' may start on 2 day(s), fewer than the 5 working days"),
    case("weekday-factors-as-shares", edit("per_hour: 60", "per_day: 1000, weekday_factors: [0.16, 0.15, 0.15, "
                                           "0.15, 0.15, 0.12, 0.12]"),
         "lines.12345.arrivals.weekday_factors", "sum to 1, like shares of a week", "multiply them by 7", "1.12"),
    case("surge-day-twice", GOOD + "surges: [{day: mon, factor: 1.5}, {day: Monday, factor: 1.5}]\n",
         "surges[1].day", "mon of line '12345' is surged already by surges[0]"),
    case("name-with-a-line-break", edit("name: small", 'name: "small\\nrun"'), "name", "one line",
         "'small\\nrun'"),
    case("planning-start-null", GOOD + "planning: {shifts: [{name: day, starts: [~], hours: 8}]}\n",
         "planning.shifts[0].starts", "nothing must be a time"),
    # -- shares written as percentages: 35 was 3500% of pay (2026-12-04) --------------------------------------
    case("on-costs-as-percent", GOOD + "costs: {on_costs: 35}\n", "costs.on_costs", "at most 1", "80% is 0.8"),
    case("night-premium-as-percent", GOOD + "costs: {night_premium: 20}\n", "costs.night_premium", "at most 1"),
    case("workstation-margin-as-percent", GOOD + "costs: {workstation_margin: 10}\n", "costs.workstation_margin",
         "at most 1"),
    # -- fields a provincial line cannot use, once silently ignored (2026-12-04) ------------------------------
    case("provincial-categories-transfer", edit("pool: general", "pool: general\n  '12348': {mode: provincial, "
                                                "arrivals: {per_hour: 5}, categories: [{name: a, share: 1, "
                                                "transfer_to: '12345'}]}"),
         "lines.12348.categories", "provincial", "'categories' is not used", cli=True),
    case("provincial-redial", edit("pool: general", "pool: general\n  '12348': {mode: provincial, arrivals: "
                                   "{per_hour: 5}, redial: {probability: 0.5, delay_seconds: 60}}"),
         "lines.12348.redial", "'redial' is not used"),
    case("provincial-talk-time-from-a-base", "base: base.yaml\nlines:\n  '12348': {mode: provincial, "
                                             "arrivals: {per_hour: 5}}\n",
         "lines.12348.handle_seconds", "'handle_seconds' is not used", "null removes it", source="base.yaml",
         **{"base.yaml": edit("pool: general", "pool: general\n  '12348': {handle_seconds: 60}")}),
    # -- names written into every results file: a tab or a zero byte broke the traces and CSV files ------------
    case("line-id-with-a-tab", edit('"12345":', '"123\\t45":'), "lines", "not a name the results can carry"),
    case("line-id-with-spaces-at-its-ends", edit('"12345":', '" 12345 ":'), "lines", "spaces at its ends"),
    case("pool-id-with-a-zero-byte", edit("general: {seats: 5}", '"gen\\0eral": {seats: 5}'), "pools",
         "control characters"),
    # found by an outside hunt (2026-12-05): accepted, then tab-garbled or indistinguishable roster rows
    case("shift-type-name-with-a-tab", GOOD + "planning: {shifts: [{name: \"a\\tb\", starts: ['08:00'], hours: 8}]}\n",
         "planning.shifts[0].name", "not a name the roster can carry", cli=True),
    case("shift-type-names-repeated", GOOD + "planning: {shifts: [{name: day, starts: ['08:00'], hours: 8}, "
                                             "{name: day, starts: ['09:00'], hours: 8}]}\n",
         "planning.shifts[1].name", "'day' names an earlier shift type too"),
    case("shift-type-name-empty", GOOD + "planning: {shifts: [{name: '', starts: ['08:00'], hours: 8}]}\n",
         "planning.shifts[0].name", "not a name the roster can carry"),
    case("pool-shift-name-with-a-line-break", edit("general: {seats: 5}", "general: {shifts: [{name: \"early\\nday\", "
                                                   "start: '08:00', hours: 8, agents: 3}]}"),
         "pools.general.shifts[0].name", "not a name the results can carry"),
    # -- file names with a zero byte: the operating system refused them in a traceback -------------------------
    case("base-with-a-zero-byte", 'base: "a\\0b.yaml"\nname: x\n', "base", "holds a zero byte", cli=True),
    case("sample-file-with-a-zero-byte", law('{dist: empirical, file: "talk\\0.txt"}'),
         "lines.12345.handle_seconds.file", "holds a zero byte"),
    # -- accepted without a word (outside hunt, 2026-12-05): "1,322,304 5 a year", a label of nothing, every
    #    callback late by definition
    case("currency-a-number", GOOD + "costs: {currency: 5}\n", "costs.currency", "currency code such as CNY"),
    case("label-an-empty-map", GOOD + "label: {}\n", "label", "1 to 60 characters"),
    # found by an outside hunt (2026-12-05): -1 was told "must be at least 0", then 0 was refused
    case("shift-cost-factor-negative", GOOD + "planning: {shifts: [{starts: ['08:00'], hours: 8, cost_factor: -1}]}\n",
         "planning.shifts[0].cost_factor", "must be greater than 0"),
    case("callback-due-at-once", GOOD + "outbound: {callbacks: {share: 0.5, handle_seconds: {dist: constant, "
                                        "value: 60}, within_minutes: 0}}\n",
         "outbound.callbacks.within_minutes", "must be more than 0"),
    # -- routing.transfer was read only once a category transferred: a typo there went unseen -----------------
    case("transfer-defaults-unknown-field", GOOD + "routing: {transfer: {kind: cold, bogus: 1}}\n",
         "routing.transfer.bogus", "unknown field", cli=True),
    case("transfer-defaults-kind", GOOD + "routing: {transfer: {kind: hot}}\n", "routing.transfer.kind",
         "must be cold or warm"),
    case("transfer-defaults-negative-triage", GOOD + "routing: {transfer: {triage_seconds: {dist: constant, "
                                                     "value: -5}}}\n",
         "routing.transfer.triage_seconds.value", "at least 0"),
    # -- a line that keeps its own seats, written on the merged lines' pool: it would simply be merged ----------
    case("parallel-on-the-merged-pool", hours("mode: parallel", pool="general"), "lines.12333.pool",
         "parallel line keeps seats of its own", "also answers merged line 12345", "mode: merged", cli=True),
    case("subcentre-on-the-merged-pool", hours("mode: subcentre", pool="general"), "lines.12333.pool",
         "subcentre line", "give 12333 a pool of its own"),
]
CLI_CASES = [c for c in CASES if c.cli]


def make_files(folder: Path, files: dict) -> Path:
    for name, content in files.items():
        path = folder / name
        if content is FOLDER:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, newline="")
    return folder / "s.yaml"


def test_the_corpus_is_large():
    assert len(CASES) >= 100 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.filterwarnings("error")       # a warning is a second line on stderr
@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_scenario_is_refused_in_one_line(tmp_path, c):
    path = make_files(tmp_path, c.files)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        scenario.load(path)
    assert time.perf_counter() - started < 5, "refusing took too long"
    line = f"error: {info.value}"
    assert "\n" not in line and "\r" not in line, line
    assert line.startswith(f"error: {tmp_path / c.source}: {c.field}"), line
    for word in c.words:
        assert word in line, (word, line)


@pytest.mark.parametrize("c", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_the_command_refuses_and_keeps_earlier_results(tmp_path, c):
    path = make_files(tmp_path, c.files)
    out = tmp_path / "results" / "earlier"
    out.mkdir(parents=True)
    (out / "summary.json").write_text('{"from": "an earlier run"}')
    refuse_and_keep(["simulate", path, "--out", out], tmp_path / "results", f"{tmp_path / c.source}: {c.field}",
                    *c.words, cwd=tmp_path)


# -- good paths --------------------------------------------------------------------------------------

def _load(tmp_path: Path, content, name: str = "s.yaml"):
    return scenario.load(make_files(tmp_path, {name: content}))


def _same(a, b) -> bool:
    return (a.lines["12345"].arrivals.week_per_hour == b.lines["12345"].arrivals.week_per_hour).all() \
        and (a.pools["general"].week_agents == b.pools["general"].week_agents).all() \
        and a.lines["12345"].categories == b.lines["12345"].categories and a.name == b.name


@pytest.mark.parametrize("content", [
    codecs.BOM_UTF8 + GOOD.encode(),
    GOOD.replace("\n", "\r\n"),
    codecs.BOM_UTF8 + GOOD.replace("\n", "\r\n").encode(),
    GOOD.replace(": ", ":\t").replace("{per_hour:\t60}", "{per_hour:\t60}\t# tab before a comment"),
], ids=["bom", "crlf", "bom-crlf", "tabs-after-text"])
def test_text_saved_by_other_tools_reads_the_same(tmp_path, content):
    assert _same(_load(tmp_path, content), _load(tmp_path, GOOD, "plain.yaml"))


def test_numbers_with_an_exponent_are_numbers(tmp_path):
    s = _load(tmp_path, law("{dist: lognormal, mean: 1.5e2, cv: 5E-1}").replace("per_hour: 60", "per_hour: 1e3"))
    assert (s.lines["12345"].arrivals.week_per_hour == 1000.0).all()
    assert (s.lines["12345"].categories[0].handle.mean, s.lines["12345"].categories[0].handle.cv) == (150.0, 0.5)


def test_keys_are_the_text_as_written(tmp_path):
    """12345: and "12345": are one line across a base; on/no/yes are words; 8:00 is a time; dates are text."""
    make_files(tmp_path, {"base.yaml": GOOD})
    s = _load(tmp_path, "base: base.yaml\nname: variant\ndescription: 2024-13-45\nlines:\n  12345:\n    pool: tax\n"
                        "    categories: {on: {share: 0.5}, no: {share: 0.25}, yes: {share: 0.25}}\n"
                        "pools:\n  tax: {shifts: [{start: 8:00, hours: 8, agents: 2}]}\n")
    assert list(s.lines) == ["12345"] and s.lines["12345"].pool == "tax"
    assert [c.name for c in s.lines["12345"].categories] == ["on", "no", "yes"]
    agents = s.pools["tax"].week_agents
    assert agents[8 * 60] == 2 and agents[8 * 60 - 1] == 0


def test_yaml_itself_is_left_as_it_was():
    """The corrections live in sim.input.yamlfile's own loader, not in PyYAML for every other reader."""
    assert yaml.safe_load("a: 1e3\nb: 22:00\n12345: x\n") == {"a": "1e3", "b": 1320, 12345: "x"}


def test_files_the_tool_writes_read_the_same_to_a_standard_yaml_reader():
    """Found by an outside hunt (2026-12-05): planned.yaml wrote `start: 14:00`, which PyYAML's SafeLoader (YAML
    1.1) reads as the number 840; the tool's own loader read it as a time, other tools as minutes."""
    from sim.input import yamlfile
    data = {"shifts": [{"start": "14:00", "hours": 8.0}, {"start": "07:00"}], "x": "1e3", "n": 5, "f": 0.5}
    text = yamlfile.dump(data)
    assert yaml.safe_load(text) == data
    assert yamlfile.load(text, "t.yaml") == data


def test_merge_keys_override_without_counting_as_repeats(tmp_path):
    text = ("x-early: &early {start: '07:00', hours: 8, agents: 1}\n"
            + edit("{seats: 5}", "{shifts: [{<<: *early, agents: 4}, *early]}"))
    assert _load(tmp_path, text).pools["general"].week_agents[7 * 60] == 5


def test_an_alias_bomb_loads_quickly_in_little_memory(tmp_path):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        s = _load(tmp_path, GOOD + ALIAS_BOMB)
        seconds, (_, peak) = time.perf_counter() - started, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s.name == "small" and not any(k.startswith("x-") for k in s.raw)
    assert seconds < 1 and peak < 20e6, (seconds, peak)


def test_a_name_typed_with_a_separate_accent_is_the_same_name(tmp_path):
    """'caf\u00e9' as one character in pools, as 'e' and an accent on the line: it was 'unknown pool'."""
    s = _load(tmp_path, edit("pool: general", "pool: 'cafe\u0301'", edit("general: {seats: 5}", "'caf\u00e9': {seats: 5}")))
    assert s.lines["12345"].pool == "caf\u00e9" and list(s.pools) == ["caf\u00e9"]


def test_many_overflow_rules_without_a_cycle_load_at_once(tmp_path):
    """Every pool overflowing to every later one: 435 rules, no cycle.  Walking every path took minutes (2**29
    of them); each pool is now visited once."""
    started = time.perf_counter()
    s = _load(tmp_path, overflow_rules(30, [(i, j) for i in range(30) for j in range(i + 1, 30)]))
    assert len(s.overflows) == 435
    assert time.perf_counter() - started < 10


def test_a_variant_without_a_name_writes_its_own_results(tmp_path):
    """Named after its file, not after its base: the base's results stay as they were."""
    make_files(tmp_path, {"base.yaml": GOOD, "rainy.yaml": "base: base.yaml\nsurges: [{day: mon, factor: 1.5}]\n"})
    assert scenario.load(tmp_path / "rainy.yaml").name == "rainy"
    kept = tmp_path / "results" / "small" / "summary.json"
    kept.parent.mkdir(parents=True)
    kept.write_text("the base's results")
    proc = run_hotline("simulate", "rainy.yaml", "-r", "2", "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert kept.read_text() == "the base's results"
    assert (tmp_path / "results" / "rainy" / "summary.json").exists()


def test_the_command_runs_a_file_from_a_spreadsheet_user(tmp_path):
    """BOM, Windows line endings, tabs after text, 1e3, an unquoted 12345 and an alias bomb, end to end."""
    text = (GOOD.replace('"12345"', "12345").replace("per_hour: 60", "per_hour:\t1e2") + ALIAS_BOMB)
    path = make_files(tmp_path, {"s.yaml": codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode()})
    proc = run_hotline("simulate", path, "-r", "2", "--workers", "1", "--out", tmp_path / "out", cwd=tmp_path,
                       timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "summary.json").exists()


SHIPPED = {"default.yaml": "default-12345-week", "erlang-a-check.yaml": "erlang-a-check",
           "fuyang/status_quo.yaml": "fuyang-status-quo", "fuyang/plan.yaml": "fuyang-plan",
           "fuyang/full_merge.yaml": "fuyang-full-merge", "fuyang/plan_rainstorm.yaml": "fuyang-plan-rainstorm",
           "fuyang/plan_overflow.yaml": "fuyang-plan-overflow"}


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load_with_their_names(name):
    assert scenario.load(ROOT / "scenarios" / name).name == SHIPPED[name]


def test_the_readme_lists_the_limits_of_sim_limits():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Allowed ranges"):]
    section = section[:section.index("\n## ")]
    shown = {float(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?\b", section)}
    shown |= {10.0 ** int(e) for e in re.findall(r"10\^(\d+)", section)}
    for name, value in vars(limits).items():
        if isinstance(value, limits.Limit):
            assert {value.low, value.high} <= shown, (name, value)
        elif isinstance(value, int) and name.isupper() and name != "HOURS_PER_YEAR":
            assert value in shown, (name, value)
    assert np.isclose(limits.HORIZON_HOURS.high / 24, 731)


def test_shares_within_the_tolerance_are_scaled_to_a_distribution(tmp_path):
    """Typed decimals a hair off 1 are accepted, so they must also run (numpy's own check is stricter)."""
    from sim.model.engine import run_replication
    s = _load(tmp_path, edit("pool: general", "pool: general\n    categories: {a: {share: 0.5}, b: {share: 0.5000001}}"))
    assert sum(c.share for c in s.lines["12345"].categories) == 1.0
    assert run_replication(s, seed=1, replication=0).whole("lines", "offered").sum() > 0


def test_a_base_in_another_folder_reads_its_own_sample_files_and_its_copy_runs_again(tmp_path):
    from sim.cli import main
    from click.testing import CliRunner
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text(SAMPLE)
    (tmp_path / "shared" / "talk.txt").write_text("100\n200\n300\n")
    (tmp_path / "s.yaml").write_text("base: shared/base.yaml\nname: variant\n")
    s = scenario.load(tmp_path / "s.yaml")
    assert sorted(s.lines["12345"].categories[0].handle.values) == [100.0, 200.0, 300.0]
    out = tmp_path / "results" / "variant"
    for source in (tmp_path / "s.yaml", out / "scenario.yaml"):      # the results' copy finds the samples too
        result = CliRunner().invoke(main, ["simulate", str(source), "-r", "1", "--out", str(tmp_path / "again")
                                           if source.parent == out else str(out)])
        assert result.exit_code == 0, result.output
