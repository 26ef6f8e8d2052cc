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
from pathlib import Path

import pytest
from badinput import log_rows, refuse_and_keep, run_here

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
PLANNING = "planning:\n  shifts:\n    - {name: all-day, starts: ['00:00'], hours: 24}\n  replications: 2\n"
PLAN = ["plan", "x.yaml", "-r", "2", "-w", "1", "--out", "out"]
FOLDER, FIFO = object(), object()


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (which may not exist)."""
    target: str


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


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
    """A case; its files as keywords, in which _DOT_ stands for '.', __ for '/' and then _ for '-'
    (``out2___DOT_hotline_manifest_DOT_json`` is ``out2/.hotline-manifest.json``)."""
    return Case(id, list(args), words, {k.replace("_DOT_", ".").replace("__", "/").replace("_", "-")
                                         if "_DOT_" in k or "__" in k else k: v for k, v in files.items()}, cli)


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
    # -- plan: what no roster can satisfy, in one line (no progress lines before it) ------------------------------
    case("plan-without-planning", ["plan", "s.yaml", "-r", "2", "--out", "out"], "s.yaml: planning:", "is missing"),
    case("plan-no-shift-covers-the-night", PLAN, "x.yaml: planning.shifts:", "no shift", cli=True,
         x_DOT_yaml=GOOD + "planning:\n  shifts:\n    - {name: day, starts: ['08:00'], hours: 8}\n"),
    case("plan-target-100", PLAN, "service_level.target", "cannot be met",
         x_DOT_yaml=GOOD + PLANNING + "service_level: {threshold_seconds: 20, target: 1}\n"),
    case("plan-more-agents-than-a-pool-may-have", PLAN, "x.yaml: pools.general:", "158,352 agents at once", "100,000",
         x_DOT_yaml=(GOOD + PLANNING).replace("mean: 120", "mean: 10000000").replace("horizon_hours: 6",
                                                                                      "horizon_hours: 1")),
    # -- compare ------------------------------------------------------------------------------------------------
    case("compare-names-sharing-a-folder", ["compare", "a.yaml", "b.yaml", "--out", "out"], "'a b' and 'a/b'",
         "the folder a-b/", a_DOT_yaml=GOOD.replace("name: small", "name: 'a b'"),
         b_DOT_yaml=GOOD.replace("name: small", "name: 'a/b'")),
    case("compare-other-threshold", ["compare", "s.yaml", "x.yaml", "--out", "out"], "x.yaml",
         "threshold_seconds is 60", "one threshold", x_DOT_yaml=GOOD.replace("name: small", "name: x")
         + "service_level: {threshold_seconds: 60, target: 0.8}\n"),
    # -- sweep: fields whose variation changes no figure, given twice ------------------------------------------
    *[case(f"sweep-vary-{field.split('.')[0]}", ["sweep", "s.yaml", "--vary", f"{field}=1,2", "--out", "out"],
           "--vary", "run the same scenario again")
      for field in ("name", "description", "replications", "x-note", "planning.shrinkage")],
    case("sweep-field-twice", ["sweep", "s.yaml", "--vary", "pools.general.seats=1,2", "--vary",
                               "pools.general.seats=3", "--out", "out"], "--vary", "given twice"),
    case("sweep-value-twice", ["sweep", "s.yaml", "--vary", "pools.general.seats=2,2", "--out", "out"], "--vary",
         "the value 2 more than once"),
    case("sweep-seed-and---seed", ["sweep", "s.yaml", "--vary", "seed=1,2", "--seed", "5", "--out", "out"],
         "--vary", "--seed fixes it"),
    case("sweep-1e300", ["sweep", "s.yaml", "--vary", "lines.12345.arrivals.per_hour=1e300", "--out", "out"],
         "per_hour=1e+300", "at most 100000"),
    # -- prune, erlang: values Click's ranges let through ------------------------------------------------------
    case("prune-empty-name", ["prune", ""], "'DIR'", "is empty"),
    # found by an outside hunt (2026-12-05): a mistyped or wrong folder was "cleaned", exit 0
    case("prune-a-results-folder", ["prune", "done"], "done", "is not a sweep's folder", "store/"),
    case("simulate-format-without-arrivals", ["simulate", "s.yaml", "--format", "anonymous-bank", "--out", "out"],
         "--format", "none is given", "--arrivals LOG"),
    case("report-out-pdf", ["report", "done", "--out", "b.pdf"], "--out", "b.pdf", "HTML page", ".html"),
    case("calibrate-a-line-of-2-MB", ["calibrate", "long.csv", "--out", "out/c.yaml"], "long.csv", "line 2",
         "longer than 1,000 kB", long_DOT_csv=HEADER + "\n" + "a" * 2_000_000),
    sim("sample-file-over-64-MB", edit("handle_seconds: {dist: exponential, mean: 120}",
                                       "handle_seconds: {dist: empirical, file: big.txt}"),
        "big.txt", "more than 64 MB", "right file", big_DOT_txt="120\n" * 16_000_001),
    case("prune-older-than-nan", ["prune", "done", "--older-than", "nan"], "--older-than", "not a finite number"),
    *[case(f"erlang{option}-nan", ["erlang", "--per-hour", "600", "--handle-seconds", "300", "--patience-seconds",
                                   "100", option, "nan"], option, "not a finite number")
      for option in ("--per-hour", "--handle-seconds", "--patience-seconds", "--threshold-seconds", "--target",
                     "--max-abandon")],
    case("erlang-threshold-inf", ["erlang", "--per-hour", "600", "--handle-seconds", "300", "--threshold-seconds",
                                  "inf"], "--threshold-seconds"),
    case("erlang-patience-1e300", ["erlang", "--per-hour", "600", "--handle-seconds", "300", "--patience-seconds",
                                   "1e300"], "--patience-seconds", "10000000"),
    case("erlang-a-billion-agents", ["erlang", "--per-hour", "600", "--handle-seconds", "300", "--agents",
                                     "1000000000"], "--agents", "20000000", cli=True),
    # -- logs: the same one twice, a scenario too large to run, names -------------------------------------------
    case("calibrate-same-log-twice", ["calibrate", "calls.csv", "calls.csv", "--out", "out/c.yaml"], "calls.csv",
         "given twice", "counted twice", cli=True),
    case("calibrate-log-and-a-link-to-it", ["calibrate", "calls.csv", "ln.csv", "--out", "out/c.yaml"], "ln.csv",
         "given twice", ln_DOT_csv=Link("calls.csv")),
    case("replay-same-log-twice", ["replay", "calls.csv", "calls.csv", "--scenario", "s.yaml", "--out", "out"],
         "given twice"),
    case("calibrate-empty-name", ["calibrate", "calls.csv", "--name", " ", "--out", "out/c.yaml"], "--name",
         "is empty"),
    case("calibrate-threshold-1e9", ["calibrate", "calls.csv", "--threshold-seconds", "1e9", "--out", "out/c.yaml"],
         "--threshold-seconds"),
    case("calibrate-300-lines", ["calibrate", "many.csv", "--out", "out/c.yaml"], "many.csv", "holds 300 lines", "more than the 1 MB",
         many_DOT_csv=log_text(r.replace(",12345,", f",L{i % 300},")
                               for i, r in enumerate(log_rows(3, 400)))),
    # -- report: its --out over the results it reads ------------------------------------------------------------
    case("report-over-its-summary", ["report", "done", "--out", "done/summary.json"], "--out",
         "would overwrite the input"),
    # -- places that turn out unusable while writing -------------------------------------------------------------
    case("summary-json-is-a-folder", ["simulate", "s.yaml", "-r", "2", "-w", "1", "--out", "out2"],
         "--out", "out2/summary.json is a folder where a result file goes", cli=True,
         out2__summary_DOT_json=FOLDER),
    case("compare-subfolder-is-a-file", ["compare", "s.yaml", "t.yaml", "-r", "2", "-w", "1", "--out", "out2"],
         "--out", "out2/small is a file where a folder of results goes", out2__small="a file\n"),
    case("compare-scenario-summary-is-a-folder", ["compare", "s.yaml", "t.yaml", "-r", "2", "-w", "1", "--out",
                                                 "out2"],
         "--out", "out2/small/summary.json is a folder where a result file goes",
         out2__small__summary_DOT_json=FOLDER),
    case("plan-verified-is-a-file", ["plan", "s.yaml", "-r", "2", "-w", "1", "--out", "out2"],
         "--out", "out2/verified is a file where a folder of results goes", out2__verified="a file\n"),
    case("sweep-csv-is-a-folder", ["sweep", "s.yaml", "--vary", "pools.general.seats=2", "-r", "1", "-w", "1",
                                   "--out", "out2"], "--out", "out2/sweep.csv is a folder", out2__sweep_DOT_csv=FOLDER),
    case("fit-report-is-a-folder", ["calibrate", "calls.csv", "--out", "out2/c.yaml"], "out2/c.fit.json",
         "is a folder where a result file goes", out2__c_DOT_fit_DOT_json=FOLDER),
    case("manifest-is-a-folder", ["simulate", "s.yaml", "-r", "2", "-w", "1", "--out", "out2"],
         "out2/.hotline-manifest.json is a folder", out2___DOT_hotline_manifest_DOT_json=FOLDER),
    case("store-entry-is-a-folder", ["sweep", "s.yaml", "--vary", "pools.general.seats=2", "-r", "1", "-w", "1",
                                     "--out", "out2"], "out2/store is not a folder", out2__store="a file\n"),
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


# -- valid but extreme: they run, and their figures say what they must -----------------------------------------

TWO_POOLS = edit("  general: {seats: 3}", "  general: {seats: 3}\n  tax: {seats: 2}")
TAX_LINE = '  "12366":\n    arrivals: {per_hour: 10}\n    handle_seconds: {dist: constant, value: 200}\n    pool: tax\n'
PROVINCIAL = '  "{id}":\n    mode: provincial\n    arrivals: {{per_hour: 30}}\n'


def run_ok(world: Path, text: str, *extra: str, **files) -> dict:
    """``hotline simulate`` on ``text`` (in this process): it must succeed; returns summary.json, read strictly
    (NaN or Infinity in it fails)."""
    make_files(world, {"x.yaml": text, **files})
    proc = run_here("simulate", "x.yaml", "-r", "2", "-w", "1", "--out", "out", *extra, cwd=world)
    noise = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert proc.returncode == 0 and not noise, (proc.returncode, proc.stderr)

    def no_constant(name):
        raise AssertionError(f"summary.json holds {name}")
    return json.loads((world / "out" / "summary.json").read_text(), parse_constant=no_constant)


def mean(block: dict, figure: str):
    return block[figure]["mean"]


@pytest.mark.parametrize("text", [edit("seats: 3", "seats: 0"),
                                  edit("seats: 3", "seats: 0", edit("    patience_seconds: {dist: exponential, mean: 90}\n",
                                                                    "")),
                                  edit("{seats: 3}", "{shifts: [{start: '08:00', hours: 8, agents: 0}]}"),
                                  edit("{seats: 3}", "{seats_by_interval: [" + ", ".join(["0"] * 48) + "]}")],
                         ids=["seats-0", "seats-0-callers-never-hang-up", "shift-of-0", "by-interval-all-0"])
def test_no_agent_anywhere_loses_every_caller(world, text):
    """Decision: zero agents runs; nobody is answered, so every call is lost (those who never hang up too,
    when the run ends with nobody to answer them)."""
    total = run_ok(world, text)["total"]
    assert mean(total, "offered") > 0 and mean(total, "answered") == 0
    assert mean(total, "abandon_rate") == 1 and mean(total, "service_level") == 0
    assert mean(total, "asa_seconds") is None             # no answered call: no mean wait of them


@pytest.mark.parametrize("change", [("per_hour: 60", "per_hour: 0"), ("{per_hour: 60}", "{per_hour: 60, scale: 0}"),
                                    ("per_hour: 60", "per_day: 1000, weekday_factors: [0, 0, 0, 0, 0, 0, 0]")],
                         ids=["per-hour-0", "scale-0", "weekday-factors-0"])
def test_no_arrival_offers_no_call_and_writes_no_nan(world, change):
    """Decision: zero arrivals runs; nothing is offered, shares of nothing are null (not NaN) in the JSON, and
    --trace writes each replication's trace, its header alone."""
    summary = run_ok(world, edit(*change), "--trace")
    assert mean(summary["total"], "offered") == 0 and mean(summary["total"], "service_level") is None
    assert mean(summary["pools"]["general"], "occupancy") == 0
    for r in (0, 1):
        assert (world / "out" / f"trace-r{r}.csv").read_text() == HEADER + "\n"


def test_patience_zero_is_erlang_b(world):
    """Patience 0: a caller is answered at once or lost at once, so every answer waits 0 s."""
    total = run_ok(world, edit("{dist: exponential, mean: 90}", "{dist: constant, value: 0}"))["total"]
    assert mean(total, "asa_seconds") == 0 and 0 < mean(total, "abandon_rate") < 1
    assert mean(total, "service_level") == pytest.approx(1 - mean(total, "abandon_rate"))


@pytest.mark.parametrize("hours, minutes, rows", [(0.5, 30, 1), (1, 1, 60), (24, 1440, 1)])
def test_a_horizon_of_few_intervals(world, hours, minutes, rows):
    run_ok(world, edit("horizon_hours: 6\ninterval_minutes: 30", f"horizon_hours: {hours}\n"
                                                                f"interval_minutes: {minutes}"))
    lines = (world / "out" / "intervals.csv").read_text().splitlines()
    assert sum(1 for line in lines[1:] if ",total," in line) == rows


def test_a_base_chain_three_files_deep_in_other_folders(world):
    summary = run_ok(world, "base: d1/b1.yaml\nname: top\n", **{
        "d1/b1.yaml": "base: d2/b2.yaml\nname: b1\n", "d1/d2/b2.yaml": "base: ../../b3.yaml\n", "b3.yaml": GOOD})
    assert summary["scenario"] == "top" and mean(summary["total"], "offered") > 0


def test_every_line_provincial_but_one(world):
    """Provincial lines are counted, never answered here: the total is the city line's alone."""
    summary = run_ok(world, GOOD.replace("pools:\n", PROVINCIAL.format(id="12348") + PROVINCIAL.format(id="12349")
                                         + "pools:\n"))
    assert mean(summary["lines"]["12348"], "offered") > 0
    assert mean(summary["total"], "offered") == mean(summary["lines"]["12345"], "offered")


def test_transfers_to_a_pool_with_no_agent_are_all_lost(world):
    text = edit("    pool: general\n", "    pool: general\n    categories: [{name: q, share: 0.8}, "
                "{name: tax, share: 0.2, transfer_to: '12366'}]\n", TWO_POOLS.replace("pools:\n", TAX_LINE + "pools:\n"))
    text = text.replace("tax: {seats: 2}", "tax: {seats: 0}") + (
        "routing:\n  transfer: {kind: cold, triage_seconds: {dist: constant, value: 30}, "
        "delay_seconds: {dist: constant, value: 5}}\n")
    line = run_ok(world, text)["lines"]["12345"]
    assert mean(line, "transferred") > 0 and mean(line, "transfer_abandoned") == mean(line, "transferred")


def test_overflow_along_a_chain_of_pools(world):
    text = TWO_POOLS.replace("  tax: {seats: 2}", "  tax: {seats: 0}\n  c: {seats: 5}").replace("seats: 3", "seats: 0")
    summary = run_ok(world, text + "routing:\n  overflow:\n    - {from: general, to: tax, after_seconds: 10}\n"
                                   "    - {from: tax, to: c, after_seconds: 10}\n")
    assert mean(summary["pools"]["general"], "answered") == 0      # neither general nor tax has an agent...
    assert mean(summary["lines"]["12345"], "overflowed") == 0      # ...and c takes tax's queue, not general's


def test_outbound_work_with_no_agent_is_never_made(world):
    total = run_ok(world, edit("seats: 3", "seats: 0") + "outbound:\n  callbacks: {share: 1.0, within_minutes: 30, "
                   "handle_seconds: {dist: constant, value: 60}}\n")["total"]
    assert mean(total, "outbound_created") > 0 and mean(total, "outbound_made") == 0


def test_names_too_long_for_a_folder_and_chinese_names_run(world):
    """A 400-character name is shortened (with a digest) for its results folder; Chinese ids are ids."""
    text = edit("name: small", "name: " + "热" * 400).replace('"12345"', '"市民热线"').replace("general", "综合")
    make_files(world, {"x.yaml": text})
    proc = run_here("simulate", "x.yaml", "-r", "2", "-w", "1", cwd=world)
    assert proc.returncode == 0, proc.stderr
    (folder,) = (world / "results").iterdir()
    assert len(os.fsencode(folder.name)) <= 120
    assert "市民热线" in json.loads((folder / "summary.json").read_text())["lines"]


def test_hotline_alone_lists_the_commands():
    proc = run_here()
    assert proc.returncode == 0 and "simulate" in proc.stdout and not proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small file system")
def test_a_full_disk_is_one_line_naming_the_file(world, tmp_path_factory):
    """No space left while writing: one line naming the file, exit 2; the temporary file is gone."""
    import subprocess
    full = tmp_path_factory.mktemp("full")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "hotline-full", str(full)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        (full / "filler").write_bytes(b"x" * 40_000)
        line = refuse_and_keep(["simulate", "s.yaml", "-r", "2", "-w", "1", "--out", full / "run"], world / "done",
                               "No space left on device", cwd=world)
        assert str(full / "run" / "summary.json") in line
        assert not [p for p in full.rglob("*") if p.name.endswith(".tmp")]
    finally:
        subprocess.run(["umount", str(full)], check=True)


def test_chinese_names_on_english_charts_are_drawn_not_boxes(world):
    """--lang en with scenario names in Chinese: the names come from a Chinese font when one is installed."""
    from sim.output.labels import cjk_font
    if cjk_font() is None:
        pytest.skip("no font with Chinese characters is installed")
    make_files(world, {"a.yaml": GOOD.replace("name: small", "name: 现状"),
                       "b.yaml": GOOD.replace("name: small", "name: 合并")})
    with pytest.warns() as seen:
        import warnings
        warnings.warn("a marker, so that pytest.warns holds even when nothing else warns")
        proc = run_here("compare", "a.yaml", "b.yaml", "-r", "2", "-w", "1", "--out", "out", cwd=world)
    assert proc.returncode == 0, proc.stderr
    assert not [w for w in seen if "missing from font" in str(w.message)]


def test_a_results_file_far_larger_than_any_the_tool_writes_is_refused_unread(world):
    """Found by an outside hunt (2026-12-05): `report` read a 3 GiB summary.json whole (6.4 GB of memory, or a
    MemoryError traceback under a limit).  Its size now refuses it before a byte is read."""
    make_files(world, {"x.yaml": GOOD})
    assert run_here("simulate", "x.yaml", "-r", "2", "-w", "1", "--out", "run", cwd=world).returncode == 0
    with open(world / "run" / "summary.json", "r+b") as handle:
        handle.truncate(3 << 30)                    # sparse: 3 GiB on paper, nothing on the disk
    proc = run_here("report", "run", "--out", "b.html", cwd=world)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "summary.json: is 3,221 MB, larger than any file this tool writes there" in proc.stderr


def test_a_handle_time_below_a_microsecond_is_planned(world):
    """Found by an outside hunt (2026-12-05): the planner rounded a mean handle time of 1e-7 s to 0 and crashed
    where simulate ran it."""
    text = edit("handle_seconds: {dist: exponential, mean: 120}", "handle_seconds: {dist: constant, value: 1e-7}")
    make_files(world, {"x.yaml": text + PLANNING})
    proc = run_here(*PLAN, cwd=world)
    assert proc.returncode == 0, proc.stderr
    plan = json.loads((world / "out" / "plan.json").read_text())
    assert plan["targets_met"] and plan["pools"]["general"]["headcount"] >= 1
