"""Bad command lines and output folders: each ends in one line, exit code 2, no traceback, nothing lost.

Every case runs ``hotline`` as a real process in a folder that already holds
a finished run (``done/``); the refusal must leave every file there as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from badinput import log_rows, refuse_and_keep, run_here, run_hotline, snapshot

ROOT = Path(__file__).resolve().parents[1]
UNWRITABLE = Path("/sys/kernel")          # refuses new files even to root
READ_ONLY_MODE = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH


def small_scenario_text(hours: int = 6) -> str:
    return (ROOT / "scenarios" / "erlang-a-check.yaml").read_text().replace("horizon_hours: 168",
                                                                           f"horizon_hours: {hours}")


PLANNING = """
planning:
  shifts:
    - {name: all-day, starts: ["00:00"], hours: 24}
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A working folder: scenarios, a call log, a plain file, and a finished run in done/."""
    root = tmp_path_factory.mktemp("world")
    (root / "s.yaml").write_text(small_scenario_text())
    (root / "t.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: other"))
    (root / "p.yaml").write_text(small_scenario_text() + PLANNING)
    (root / "calls.csv").write_text("arrival,line,outcome,wait_seconds,handle_seconds,agent,caller\n"
                                    "2024-01-01 08:00:00,12345,answered,3,200,,\n")
    (root / "plain.txt").write_text("not a folder\n")
    (root / "span.csv").write_text("arrival,line,outcome,wait_seconds,handle_seconds,agent,caller\n"
                                   "2024-01-01 08:00:00,12345,answered,3,200,,\n"
                                   "2227-01-01 08:00:00,12345,answered,3,200,,\n")
    (root / "cj.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: compare.json"))
    (root / "filed").mkdir()
    (root / "filed" / "store").write_text("a file where a sweep keeps its replications\n")
    (root / "usd.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: usd") + PLANNING
                                   + "costs: {currency: USD, pay_per_paid_hour: 4, workstation_per_year: 1500}\n")
    (root / "usd_defaults.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: usd")
                                            + PLANNING + "costs: {currency: USD, pay_per_paid_hour: 4}\n")
    (root / "day.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: day") + PLANNING
                                   + "  targets: day\n")
    (root / "lean.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: lean") + PLANNING
                                    + "  shrinkage: 0.3\n")
    (root / "tue.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: tue") + PLANNING
                                   + "start: 'tue 00:00'\n")
    proc = run_hotline("simulate", "s.yaml", "-r", "2", "--workers", "1", "--out", "done", cwd=root)
    assert proc.returncode == 0, proc.stderr
    shutil.copy(root / "done" / "scenario.yaml", root / "done" / "own.yaml")   # a user's file among results
    (root / "shared").mkdir()                  # a variant's base and a sample file, in a folder of their own
    (root / "shared" / "base.yaml").write_text(small_scenario_text())
    (root / "v.yaml").write_text("base: shared/base.yaml\nname: variant\n")
    (root / "shared" / "talk.txt").write_text("200\n240\n300\n")
    (root / "w.yaml").write_text("base: s.yaml\nname: sampled\nlines:\n  '12345':\n    handle_seconds: "
                                 "{dist: empirical, file: shared/talk.txt, mean: null}\n")
    return root


# (command line, words the one line must hold); run in the world folder
CASES = [
    # output paths, checked before any work
    (["simulate", "s.yaml", "--out", "plain.txt"], ["--out", "plain.txt is a file"]),
    (["simulate", "s.yaml", "--out", ""], ["--out", "is empty"]),
    (["simulate", "s.yaml", "--out", "plain.txt/run"], ["--out", "is a file, so no folder can be made under it"]),
    (["simulate", "s.yaml", "--out", "."], ["--out", "holds the input", "s.yaml"]),
    (["simulate", "done/scenario.yaml", "--out", "done"], ["--out", "holds the input", "scenario.yaml"]),
    (["simulate", "done/own.yaml", "--out", "."], ["--out", "holds the input"]),
    (["simulate", "s.yaml", "--out", str(UNWRITABLE / "run")], ["--out", "cannot write in /sys/kernel"]),
    # a base or a sample file in the output folder would be overwritten by the results (2026-12-04)
    (["simulate", "v.yaml", "--out", "shared"], ["--out", "holds the input", "shared/base.yaml"]),
    (["simulate", "w.yaml", "--out", "shared"], ["--out", "holds the input", "shared/talk.txt"]),
    (["plan", "v.yaml", "--out", "shared"], ["--out", "holds the input", "base.yaml"]),
    (["compare", "s.yaml", "v.yaml", "--out", "shared"], ["--out", "holds the input", "base.yaml"]),
    (["compare", "s.yaml", "t.yaml", "--out", "."], ["--out", "holds the input"]),
    (["compare", "s.yaml", "t.yaml", "--out", ""], ["--out", "is empty"]),
    (["compare", "s.yaml", "tue.yaml", "--out", "new"], ["tue.yaml: start is 'Tue 00:00'", "same callers"]),
    (["plan", "p.yaml", "--out", "plain.txt"], ["--out", "is a file"]),
    (["sweep", "s.yaml", "--vary", "pools.general.seats=50,52", "--out", ""], ["--out", "is empty"]),
    (["sweep", "s.yaml", "--vary", "pools.general.seats=50,52", "--out", "."], ["--out", "holds the input"]),
    (["replay", "calls.csv", "--scenario", "s.yaml", "--out", "."], ["--out", "holds the input"]),
    (["replay", "calls.csv", "--scenario", "s.yaml", "--out", "plain.txt"], ["--out", "is a file"]),
    (["calibrate", "calls.csv", "--out", ""], ["--out", "is empty"]),
    (["calibrate", "calls.csv", "--out", "done"], ["--out", "done is a folder"]),
    (["calibrate", "calls.csv", "--out", "calls.csv"], ["--out", "would overwrite the input"]),
    # found by an outside hunt (2026-12-05): a file called "new" was written, as if the slash were not there
    (["calibrate", "calls.csv", "--out", "new/"], ["--out", "new is a folder; give a file name inside it"]),
    (["calibrate", "calls.csv", "--out", "plain.txt/c.yaml"], ["--out", "is a file, so no folder"]),
    (["report", "done", "--out", ""], ["--out", "is empty"]),
    (["report", "done", "done/", "--out", "new.html"], ["RESULTS_DIRS", "is given twice"]),
    # another command's results in the output folder: a briefing would show one of them only (2026-12-04)
    (["plan", "p.yaml", "-r", "2", "--out", "done"], ["--out", "done holds the results of `hotline simulate`"]),
    (["compare", "s.yaml", "t.yaml", "--out", "done"], ["--out", "holds the results of `hotline simulate`"]),
    (["report", "done", "--out", "done"], ["--out", "done is a folder"]),
    (["report", "done", "--out", str(UNWRITABLE / "b.html")], ["--out", "cannot write in /sys/kernel"]),
    # Click's own usage errors, on one line
    (["simulate"], ["simulate", "Missing argument 'SCENARIO_FILE'", "--help"]),
    (["simulate", "s.yaml", "--bogus"], ["No such option '--bogus'"]),
    (["simulate", "s.yaml", "-r", "0"], ["--replications", "0 is not in the range"]),
    (["simulate", "s.yaml", "--workers", "0"], ["--workers"]),
    (["simulate", "s.yaml", "--workers", "100000"], ["--workers", "100000"]),
    (["compare", "s.yaml", "t.yaml", "--lang", "fr"], ["--lang", "'fr' is not one of"]),
    (["compare", "s.yaml"], ["at least two scenario files"]),
    (["sweep", "s.yaml"], ["Missing option '--vary'"]),
    (["report", "nowhere"], ["nowhere", "does not exist"]),
    (["erlang", "--handle-seconds", "300"], ["Missing option '--per-hour'"]),
    (["no-such-command"], ["No such command 'no-such-command'"]),
    # the Dask scheduler: malformed, unreachable (within seconds)
    (["simulate", "s.yaml", "--scheduler", "foo", "--out", "new"], ["--scheduler", "foo", "tcp://HOST:PORT"]),
    (["simulate", "s.yaml", "--scheduler", "tcp://", "--out", "new"], ["--scheduler", "not a Dask scheduler address"]),
    (["simulate", "s.yaml", "--scheduler", "http://x", "--out", "new"], ["--scheduler", "http://x"]),
    (["simulate", "s.yaml", "--scheduler", "tcp://h:70000", "--out", "new"], ["--scheduler", "port 70000"]),
    (["simulate", "s.yaml", "--scheduler", "tcp://127.0.0.1:9", "--out", "new"],
     ["--scheduler", "tcp://127.0.0.1:9", "no Dask scheduler answered"]),
    # odd numbers
    (["sweep", "s.yaml", "--vary", "pools.general.seats=1:1e9:1"], ["--vary", "1,000,000,000 values", "10,000"]),
    # found by an outside hunt (2026-12-05): "pools has 0 items", and a list of names called no list
    (["sweep", "s.yaml", "--vary", "pools[0].seats=1,2", "--out", "new"],
     ["--vary", "pools is a mapping, not a list", "pools.general"]),
    (["sweep", "s.yaml", "--vary", "lines.12345.pool=general,other", "--out", "new"],
     ["--vary", "not numbers; only numbers can be varied"]),
    (["sweep", "s.yaml", "--vary", "pools.general.seats=1:inf:1"], ["--vary", "finite"]),
    (["sweep", "s.yaml", "--vary", "pools.general.seats=nan,3"], ["--vary", "finite"]),
    (["sweep", "s.yaml", "--vary", "pools.general.seats=1:200:1", "--vary", "lines.12345.arrivals.scale=1:2:0.01"],
     ["--vary", "20,200 variants"]),
    (["sweep", "s.yaml", "--vary", "pools..seats=1"], ["--vary", "not a field path"]),
    # a calibrated scenario named across two lines was written, then refused by every command
    (["calibrate", "calls.csv", "--name", "two\nlines", "--out", "cal/c.yaml"], ["--name", "control characters"]),
    # calls two centuries apart: every day between was simulated (and 8,000 years ran out of memory)
    (["simulate", "s.yaml", "--arrivals", "span.csv", "-r", "2"], ["span.csv", "spans 74,145 days", "731 days"]),
    (["replay", "span.csv", "--scenario", "s.yaml", "-r", "2"], ["span.csv", "at most 731 days"]),
    # a scenario whose results folder would be named like compare's own file: refused after the run, before
    (["compare", "cj.yaml", "s.yaml", "--out", "cjo"], ["compare.json", "rename the scenario"]),
    # a file named store in a sweep's folder: found after the run (and a run of two workers then hung)
    (["sweep", "s.yaml", "--vary", "pools.general.seats=50,52", "--out", "filed"],
     ["--out", "filed/store is not a folder", "move that file away"]),
    # STOP out of the steps' reach was dropped without a word (10, 12, 14)
    (["sweep", "s.yaml", "--vary", "pools.general.seats=10:15:2"], ["--vary", "STOP 15", "10:14:2 or 10:16:2"]),
    (["sweep", "s.yaml", "--vary", "lines.12345.arrivals.scale=0.8:1.25:0.1"], ["--vary", "0.8:1.2:0.1 or 0.8:1.3:0.1"]),
    # steps of 1e-320: numpy's rounding overflowed, printed its warnings and called a value .nan; now the
    # values are made in decimal and the scenario refuses seats that are not whole
    (["sweep", "s.yaml", "--vary", "pools.general.seats=0:1e-318:1e-320"], ["--vary", "seats=1e-320"]),
    # steps finer than a float tells apart were refused as "the value 1 given twice"
    (["sweep", "s.yaml", "--vary", "volume_factor=1:1.00000000000000001:0.00000000000000001"],
     ["--vary", "finer than a number", "coarser STEP"]),
    # a value no float holds ran as 0 without a word
    (["sweep", "s.yaml", "--vary", "volume_factor=1e-400,1"], ["--vary", "1e-400 is too small", "it would be 0"]),
    (["erlang", "--per-hour", "inf", "--handle-seconds", "300"], ["finite"]),
    # found by an outside hunt (2026-12-05): a patience of 1e-320 s blamed the staffing, or printed "-" figures
    (["erlang", "--per-hour", "600", "--handle-seconds", "300", "--patience-seconds", "1e-320"],
     ["--patience-seconds", "0.001<=x"]),
    (["erlang", "--per-hour", "600", "--handle-seconds", "300", "--patience-seconds", "120", "--max-abandon", "0"],
     ["ceiling of 0"]),
    (["report", "done", "done/../done", "--lang", "xx"], ["--lang"]),
    (["prune", "nowhere"], ["nowhere", "is not a folder"]),
    # found by an outside hunt for bad inputs (2026-12-04)
    (["simulate", "s.yaml", "--arrivals", "", "--out", "new"], ["--arrivals", "an empty name names no file"]),
    (["calibrate", ""], ["LOGS", "an empty name names no file"]),
    (["decide", "p.yaml", "usd.yaml", "--out", "new"], ["usd.yaml: costs.currency", "'USD'", "one currency"]),
    # found by an outside hunt (2026-12-05): the yuan defaults were read as dollars
    (["plan", "usd_defaults.yaml", "--out", "new"], ["usd_defaults.yaml: costs.currency", "is USD",
                                                     "workstation_per_year is left to its default of 12,000 yuan"]),
    (["decide", "p.yaml", "day.yaml", "--out", "new"], ["day.yaml: planning.targets", "'day'", "equal service"]),
    (["decide", "p.yaml", "lean.yaml", "--out", "new"], ["lean.yaml: planning.shrinkage", "is 0.3", "one share"]),
    (["decide", "p.yaml", "tue.yaml", "--out", "new"], ["tue.yaml: start", "same callers over the same time"]),
    (["prune", "done", "--older-than", "-1"], ["--older-than"]),
    # found by an outside hunt (2026-12-05): --all won and removed what --older-than meant to keep
    (["prune", "done", "--all", "--older-than", "100000"], ["--older-than DAYS or --all, not both"]),
]


CONCURRENT_CASES = 4       # independent processes, mostly starting Python: run a few at once
WITHIN_SECONDS = 20        # even the unreachable scheduler (a 5 s connect timeout), with others running


@pytest.fixture(scope="module")
def refusals(world, tmp_path_factory) -> list[tuple[Exception | None, float]]:
    """Every case of CASES, each in its own copy of the world, a few at a time: what it failed on, and its time."""
    folders = []
    for index in range(len(CASES)):
        folder = tmp_path_factory.mktemp(f"case{index}")
        shutil.copytree(world, folder, dirs_exist_ok=True)
        folders.append(folder)

    def attempt(index: int) -> tuple[Exception | None, float]:
        args, words = CASES[index]
        started = time.monotonic()
        try:
            refuse_and_keep(args, folders[index], *words, cwd=folders[index])
            assert not (folders[index] / "new").exists()
        except (AssertionError, subprocess.TimeoutExpired) as exc:
            return exc, time.monotonic() - started
        return None, time.monotonic() - started

    with ThreadPoolExecutor(CONCURRENT_CASES) as pool:
        return list(pool.map(attempt, range(len(CASES))))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_command_is_refused_in_one_line_and_keeps_everything(refusals, index):
    error, seconds = refusals[index]
    if error is not None:
        raise error
    assert seconds < WITHIN_SECONDS, seconds


def results_copy(world: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(world / "done", folder)
    return folder


@pytest.mark.parametrize("content, words", [
    ("", ["summary.json", "is empty"]),
    ('{"scenario": "x", "total": {"offered"', ["summary.json", "not valid JSON"]),
    ("<html>not json</html>", ["summary.json", "not valid JSON"]),
    ("[1, 2, 3]", ["summary.json", "lacks"]),
    ("[" * 100_000 + "]" * 100_000, ["summary.json", "nested far deeper"]),
    ('{"scenario": "x", "total": {}, "lines": {}, "pools": {}, "threshold_seconds": 20, "targets": 5}',
     ["done-copy/summary.json", "run `hotline simulate` again"]),
])
def test_report_on_an_unreadable_summary_names_the_file(world, tmp_path, content, words):
    folder = results_copy(world, tmp_path, "done-copy")
    (folder / "summary.json").write_text(content)
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, *words)
    assert not (tmp_path / "b.html").exists()


@pytest.mark.parametrize("damage, words", [("folder", "is a folder where `hotline simulate` writes a file"),
                                           ("dangling link", "is a link to")])
def test_report_on_a_summary_that_is_no_file_says_what_it_is(world, tmp_path, damage, words):
    """Found by an outside hunt (2026-12-05): "is not a results folder (no summary.json ... in it)", though a
    summary.json was there, a folder or a link to nothing."""
    folder = results_copy(world, tmp_path, "done-copy")
    (folder / "summary.json").unlink()
    if damage == "folder":
        (folder / "summary.json").mkdir()
    else:
        (folder / "summary.json").symlink_to(tmp_path / "gone.json")
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, "summary.json", words)


@pytest.mark.parametrize("name", ["compare.json", "plan.json"])
@pytest.mark.parametrize("content, problem", [("", "is empty"), ('{"scenarios": [', "not valid JSON"),
                                              ("\x00\x01binary", "not valid JSON")])
def test_report_on_an_unreadable_compare_or_plan_names_the_file(tmp_path, name, content, problem):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / name).write_text(content)
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, name, problem)


SHAPE = ('{"baseline": "a", "replications": 2, "seed": 1, "threshold_seconds": 20, "targets": '
         '{"service_level": 0.8, "max_abandon_rate": 0.05}, "definitions": {}, "scenarios": %s}')


@pytest.mark.parametrize("content", [SHAPE % '["a", "b"]', SHAPE % '[{"scenario": "a"}]', SHAPE % "5"])
def test_report_on_a_compare_json_of_the_wrong_shape_names_it_without_python_words(tmp_path, content):
    folder = tmp_path / "cmp"
    folder.mkdir()
    (folder / "compare.json").write_text(content)
    line = refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path,
                           "cmp/compare.json", "run `hotline compare` again")
    assert "Error" not in line and "indices" not in line, line


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), ("run.npz", "cannot be read")),
    (lambda p: p.unlink(), ("run.npz", "is missing")),
    (lambda p: p.write_text("not an archive"), ("run.npz", "cannot be read")),
])
def test_report_on_a_damaged_or_missing_run_archive_names_it(world, tmp_path, damage, words):
    """The briefing computes a simulation's figures from its sums (run.npz), as simulate did."""
    folder = results_copy(world, tmp_path, "cut")
    damage(folder / "run.npz")
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, *words)


def test_report_on_a_scenario_copy_that_is_not_text_names_it(world, tmp_path):
    folder = results_copy(world, tmp_path, "binary-copy")
    (folder / "scenario.yaml").write_bytes(b"name: x\n\x80\x81\x82")
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, "scenario.yaml",
                    "not UTF-8 text")


def test_erlang_with_a_target_of_zero_answers_with_a_stable_staff(world):
    """Nobody hangs up in Erlang C: fewer agents than Erlangs is no answer, whatever the target."""
    proc = run_hotline("erlang", "--per-hour", "600", "--handle-seconds", "300", "--target", "0", "--json",
                       cwd=world)
    assert proc.returncode == 0, proc.stderr
    import json
    answer = json.loads(proc.stdout)
    assert answer["fewest_agents_for_target"] == 51          # 50 Erlangs offered: the fewest stable staff


def test_dask_not_installed_names_the_install_command(world, tmp_path):
    broken = tmp_path / "site"
    (broken / "distributed").mkdir(parents=True)
    (broken / "distributed" / "__init__.py").write_text("raise ImportError('No module named distributed')\n")
    line = refuse_and_keep(["simulate", "s.yaml", "--scheduler", "tcp://127.0.0.1:8786", "--out", "new"], world,
                           "--scheduler", "needs Dask", cwd=world, env={"PYTHONPATH": str(broken)})
    assert "pip install 'hotline-sim[dask]'" in line


@pytest.mark.parametrize("reply, words", [(None, "no Dask scheduler answered within 5 s"),
                                          (b"x" * 32, "what answers there is not a Dask scheduler")])
def test_a_port_that_is_not_a_dask_scheduler_is_refused_in_seconds(world, reply, words):
    """Found by an outside hunt (2026-12-05): a port that accepts and stays silent (a web server) held
    `--scheduler` for ever, and one that sent 32 bytes gave a traceback (Dask read an exabyte-long message)."""
    import socket
    import threading
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return                  # closed at the test's end
            if reply is None:
                held.append(conn)       # accepted, never answered
            else:
                conn.sendall(reply)
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    try:
        started = time.monotonic()
        refuse_and_keep(["simulate", "s.yaml", "--scheduler", address, "--out", "new"], world, "--scheduler",
                        address, words, cwd=world)
        assert time.monotonic() - started < WITHIN_SECONDS
    finally:
        listener.close()
        for conn in held:
            conn.close()


@contextmanager
def read_only_folder(path: Path):
    """A folder no file can be made in: chmod 555 for a user; a read-only tmpfs for root, whom modes do not stop."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(READ_ONLY_MODE)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "hotline-test", str(path)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("root here cannot mount a read-only file system to test on")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_folder_without_write_permission(world, tmp_path):
    with read_only_folder(tmp_path / "locked") as locked:
        refuse_and_keep(["simulate", str(world / "s.yaml"), "--out", str(locked / "run")], world,
                        "--out", "cannot write in", "locked")
        refuse_and_keep(["report", str(world / "done"), "--out", str(locked / "b.html")], world,
                        "--out", "cannot write in", "locked")


def test_the_old_same_file_crash_now_keeps_the_results(world):
    """Writing into the folder of the input scenario once raised SameFileError after summary.json was replaced."""
    before = (world / "done" / "summary.json").read_bytes()
    refuse_and_keep(["simulate", "scenario.yaml", "-r", "1", "--out", "."], world / "done", "holds the input",
                    cwd=world / "done")
    assert (world / "done" / "summary.json").read_bytes() == before


def test_a_run_stopped_while_writing_keeps_every_file_of_the_previous_run(world, tmp_path):
    """A folder where a result file goes is refused before the run (it stopped the run's writing once it was
    done): the previous run's files stay, all of them, not a new summary beside the old archive (found by an
    outside hunt, 2026-12-04)."""
    done = results_copy(world, tmp_path, "done")
    (done / "intervals.csv").unlink()
    (done / "intervals.csv").mkdir()
    refuse_and_keep(["simulate", world / "t.yaml", "-r", "2", "--workers", "1", "--out", done], done,
                    "--out", "intervals.csv is a folder where a result file goes")
    assert not [p for p in done.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["..", "."])
def test_a_scenario_named_dot_or_dot_dot_writes_into_results(tmp_path, name):
    """results/<name>/ was results/.. (the working folder itself) or results/ itself."""
    (tmp_path / "s.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", f"name: '{name}'"))
    proc = run_hotline("simulate", "s.yaml", "-r", "1", "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "results" / "scenario" / "summary.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "s.yaml"]
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["scenario"]
    (tmp_path / "results" / "calls.csv").write_text("\n".join(
        ["arrival,line,outcome,wait_seconds,handle_seconds,agent,caller", *log_rows(3, 80)]) + "\n")
    proc = run_hotline("calibrate", "results/calls.csv", "--name", name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "results" / "scenario.yaml").is_file()         # was ./results.yaml for "."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "s.yaml"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_printing_to_a_full_disk_names_the_standard_output(world):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "sim.cli", "erlang", "--per-hour", "600", "--handle-seconds",
                               "300", "--json"], stdout=full, stderr=subprocess.PIPE, text=True, cwd=world,
                              timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the standard output"), proc.stderr
    assert "No space left on device" in lines[0] and "send it elsewhere" in lines[0]


def test_erlang_at_95000_calls_an_hour_gives_the_exact_figures(world):
    for extra in ([], ["--patience-seconds", "120"]):
        proc = run_hotline("erlang", "--per-hour", "95000", "--handle-seconds", "300", *extra, "--json", cwd=world)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert data["fewest_agents_for_target"] > 7000
        assert 0.8 <= data["figures"]["service_level"] <= 1 and 0 <= data["erlang_b_blocking"] <= 1


def test_plan_of_a_scenario_without_calls_is_a_plan_of_no_agents(tmp_path):
    """Decision: zero arrivals is a finished plan of 0 agents (a line may be quiet), not a refusal."""
    (tmp_path / "quiet.yaml").write_text(small_scenario_text().replace("per_hour: 600", "per_hour: 0") + PLANNING)
    proc = run_hotline("plan", "quiet.yaml", "-r", "2", "--workers", "1", "--out", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no calls were offered, so the plan is 0 agents" in proc.stdout
    data = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert data["headcount"] == 0 and data["seats"] == 0 and data["targets_met"] is True


def run_then_interrupt(args, cwd: Path, wait_for) -> subprocess.CompletedProcess:
    """Start ``hotline ARGS`` in its own session, press Ctrl-C (SIGINT to its group) once ``wait_for()`` holds."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not wait_for() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_interrupted(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted"), proc.stderr
    return lines[0]


def test_ctrl_c_ends_in_one_line_exit_130_and_keeps_the_previous_results(world, tmp_path):
    out = results_copy(world, tmp_path, "run")
    before = snapshot(out)
    (tmp_path / "week.yaml").write_text(small_scenario_text(168))
    started = time.monotonic()
    proc = run_then_interrupt(["simulate", "week.yaml", "-r", "40", "--workers", "2", "--trace", "--out", "run"],
                              tmp_path, lambda: time.monotonic() - started > 2)
    assert_interrupted(proc)
    assert snapshot(out) == before                         # no trace staged in, nothing half-written
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_ctrl_c_in_a_sweep_keeps_the_finished_replications(world, tmp_path):
    (tmp_path / "s.yaml").write_text(small_scenario_text(48))
    store = tmp_path / "sw" / "store"
    proc = run_then_interrupt(["sweep", "s.yaml", "--vary", "pools.general.seats=48:58:2", "-r", "3", "--workers", "1",
                               "--out", "sw"], tmp_path, lambda: len(list(store.glob("*/r*.npz"))) >= 3)
    line = assert_interrupted(proc)
    assert "run the same command again" in line and len(list(store.glob("*/r*.npz"))) >= 3


def special_files(folder: Path) -> dict[str, Path]:
    """A pipe, and links to a pipe and to a device, in ``folder`` (made by any user, unlike a device node)."""
    pipe = folder / "pipe"
    os.mkfifo(pipe)
    (folder / "to-pipe").symlink_to(pipe)
    (folder / "to-zero").symlink_to("/dev/zero")
    return {"pipe": pipe, "to-pipe": folder / "to-pipe", "to-zero": folder / "to-zero"}


@pytest.mark.parametrize("kind", ["pipe", "to-pipe", "to-zero"])
@pytest.mark.parametrize("command", [["report", "done"], ["calibrate", "calls.csv"]])
def test_an_output_file_that_is_a_pipe_or_device_is_refused_and_left_alone(world, tmp_path, kind, command):
    """Run as root, `report --out /dev/null` once replaced the system's /dev/null with a briefing."""
    target = special_files(tmp_path)[kind]
    refuse_and_keep([*command, "--out", target], world / "done", "--out", "pipe, socket or device", cwd=world)
    assert target.is_symlink() == (kind != "pipe") and not target.is_file()


@pytest.mark.parametrize("name, words", [("run.npz", ["run.npz", "pipe, socket or device"]),
                                         ("summary.json", ["summary.json", "pipe, socket or device"])])
def test_report_on_a_results_file_that_is_a_pipe_is_refused_without_waiting(world, tmp_path, name, words):
    folder = results_copy(world, tmp_path, "piped")
    (folder / name).unlink()
    os.mkfifo(folder / name)
    refuse_and_keep(["report", str(folder), "--out", str(tmp_path / "b.html")], tmp_path, *words)


def test_a_briefing_says_when_a_folder_s_record_of_its_files_cannot_be_read(world, tmp_path):
    """Found by an outside hunt (2026-12-05): a damaged .hotline-manifest.json silently turned off the warning
    for files edited since their command wrote them."""
    folder = results_copy(world, tmp_path, "garbled")
    (folder / ".hotline-manifest.json").write_text("{not json")
    proc = run_hotline("report", folder, "--out", tmp_path / "b.html")
    assert proc.returncode == 0, proc.stderr
    assert ".hotline-manifest.json cannot be read (edited or damaged)" in proc.stderr
    clean = run_hotline("report", results_copy(world, tmp_path, "clean"), "--out", tmp_path / "c.html")
    assert clean.returncode == 0 and "cannot be read" not in clean.stderr


@pytest.mark.parametrize("kind", ["pipe", "to-zero"])
def test_an_output_folder_holding_a_pipe_or_device_is_refused_before_any_work(world, tmp_path, kind):
    """The manifest of written files was read from a pipe (waiting forever) or from /dev/zero (all memory)."""
    folder = results_copy(world, tmp_path, "odd")
    manifest = folder / ".hotline-manifest.json"
    manifest.unlink(missing_ok=True)
    if kind == "pipe":
        os.mkfifo(manifest)
    else:
        manifest.symlink_to("/dev/zero")
    line = refuse_and_keep(["simulate", "s.yaml", "--out", str(folder)], folder, "--out", "pipe, socket or device",
                           cwd=world)
    assert ".hotline-manifest.json" in line


def test_a_terminal_without_chinese_characters_shows_their_codes(world, tmp_path):
    """PYTHONIOENCODING=latin-1 ended a Chinese-named run with a traceback after its files were written."""
    (tmp_path / "z.yaml").write_text(small_scenario_text().replace("name: erlang-a-check", "name: 阜阳"),
                                     encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "simulate", "z.yaml", "-r", "2", "--workers", "1",
                           "--out", "z"], cwd=tmp_path, capture_output=True, timeout=300,
                          env=dict(os.environ, PYTHONIOENCODING="latin-1"))
    err = proc.stderr.decode("latin-1")
    assert proc.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert "\\u961c\\u9633" in err                 # 阜阳, as codes
    assert (tmp_path / "z" / "summary.json").exists()


def test_a_chart_backend_set_for_another_program_does_not_stop_a_command(world, tmp_path):
    """matplotlib refuses a misspelt MPLBACKEND when imported; every chart of this tool goes to a file."""
    proc = run_hotline("report", "done", "--out", tmp_path / "b.html", cwd=world, env={"MPLBACKEND": "nonsense"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "b.html").stat().st_size > 10_000


def test_ctrl_c_while_the_command_line_loads_ends_in_one_line(monkeypatch, capsys):
    import types

    from sim import launch
    loading = types.ModuleType("sim.cli")

    def interrupted(name):
        raise KeyboardInterrupt
    loading.__getattr__ = interrupted
    monkeypatch.setitem(sys.modules, "sim.cli", loading)
    with pytest.raises(SystemExit) as end:
        launch.main()
    assert end.value.code == 130 and capsys.readouterr().err == "interrupted\n"


@pytest.mark.parametrize("command, written", [(["report", "done"], "b.html"), (["calibrate", "log.csv"], "c.yaml")])
def test_an_output_file_is_written_over_only_if_the_same_command_wrote_it(world, tmp_path, command, written):
    """`report --out s.yaml` wrote a briefing over the user's scenario; now only an earlier output is replaced."""
    from badinput import log_rows
    command = [str(tmp_path / c) if c == "log.csv" else c for c in command]
    (tmp_path / "log.csv").write_text("\n".join(["arrival,line,outcome,wait_seconds,handle_seconds,agent,caller",
                                                 *log_rows()]) + "\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(small_scenario_text())
    refuse_and_keep([*command, "--out", mine], tmp_path, "--out", "mine.yaml", f"not written by `hotline {command[0]}`",
                    cwd=world)
    for _ in range(2):                    # its own earlier output it writes again
        proc = run_hotline(*command, "--out", tmp_path / written, cwd=world)
        assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize("command, own", [("simulate", "summary.json"), ("simulate", "scenario.yaml"),
                                          ("plan", "roster.csv"), ("compare", "compare.json")])
def test_a_folder_of_the_user_s_own_files_is_not_written_over(world, tmp_path, command, own):
    """Found by an outside hunt (2026-12-05): `--out` into a folder holding the user's own summary.json and
    scenario.yaml replaced both without a word.  A run writes over the files its own command wrote there only."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / own).write_text("my own figures, not this tool's\n")
    args = {"simulate": ["simulate", "s.yaml", "-r", "2"], "plan": ["plan", "p.yaml", "-r", "2", "-w", "1"],
            "compare": ["compare", "s.yaml", "t.yaml", "-r", "2", "-w", "1"]}[command]
    refuse_and_keep([*args, "--out", str(folder)], folder, "--out", str(folder / own), "is not a file",
                    "move it away", cwd=world)
    assert (folder / own).read_text() == "my own figures, not this tool's\n"


@pytest.mark.parametrize("labels, words", [
    (("label: Same", "label: Same"), ["would both be shown as 'Same' (en)"]),
    (("label: {en: A, zh: 同一}", "label: {en: B, zh: 同一}"), ["would both be shown as '同一' (zh)"]),
    (("label: second", ""), ["label 'second' (en) is the name of"]),
], ids=["same-label", "same-chinese-label", "label-is-another-name"])
@pytest.mark.parametrize("command", ["compare", "decide"])
def test_scenarios_set_side_by_side_must_read_apart(tmp_path, labels, words, command):
    """Found by an outside hunt (2026-12-05): a scenario labelled with another's name made a briefing whose
    section of that name held the first one's figures."""
    for name, label in zip(("first", "second"), labels):
        text = small_scenario_text().replace("name: erlang-a-check", f"name: {name}\n{label}") + PLANNING
        (tmp_path / f"{name}.yaml").write_text(text)
    refuse_and_keep([command, "first.yaml", "second.yaml", "-r", "2", "-w", "1", "--out", "out"], tmp_path,
                    *words, cwd=tmp_path)


@pytest.mark.parametrize("inside", ["store", "store/key"])
def test_results_are_not_written_into_a_sweep_s_store(world, tmp_path, inside):
    """Found by an outside hunt (2026-12-05): simulate --out sw/store wrote its results among the sweep's
    replications, which `prune` cleans."""
    sweep = tmp_path / "sw"
    done = run_here("sweep", "s.yaml", "--vary", "pools.general.seats=50,52", "-r", "2", "-w", "1", "--out",
                    str(sweep), cwd=world)
    assert done.returncode == 0, done.stderr
    target = sweep / inside
    target.mkdir(exist_ok=True)
    refuse_and_keep(["simulate", "s.yaml", "-r", "2", "--out", str(target)], sweep, "--out",
                    "where the sweep in", "keeps its replications", cwd=world, in_process=True)
    refuse_and_keep(["calibrate", str(world / "calls.csv"), "--out", str(target / "c.yaml")], sweep,
                    "keeps its replications", cwd=world, in_process=True)
