"""Files appear whole (temporary file and rename) and a rerun leaves nothing stale of the previous run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim import files
from sim.cli import main
from sim.output import folders

ROOT = Path(__file__).resolve().parents[1]


def small(tmp_path: Path, name: str = "s", hours: int = 6) -> Path:
    text = (ROOT / "scenarios" / "erlang-a-check.yaml").read_text().replace("horizon_hours: 168",
                                                                           f"horizon_hours: {hours}")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("name: erlang-a-check", f"name: {name}"))
    return path


def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = files.write_text(tmp_path / "summary.json", "old\n")
    with pytest.raises(RuntimeError):
        with files.atomic(path) as handle:
            handle.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text() == "old\n" and temporaries(tmp_path) == []


def test_files_written_together_appear_all_or_none(tmp_path):
    a, b = files.write_text(tmp_path / "a.txt", "old a\n"), files.write_text(tmp_path / "b.txt", "old b\n")
    with pytest.raises(RuntimeError):
        with files.together():
            files.write_text(a, "new a\n")
            assert a.read_text() == "old a\n"              # not yet: the set is not whole
            files.write_text(b, "half of new b")
            raise RuntimeError("disk full")
    assert (a.read_text(), b.read_text()) == ("old a\n", "old b\n") and temporaries(tmp_path) == []
    (tmp_path / "c.txt").mkdir()                            # a folder where a file goes: no rename at all
    with pytest.raises(IsADirectoryError, match="c.txt"):
        with files.together():
            files.write_text(a, "new a\n")
            files.write_text(tmp_path / "c.txt", "c\n")
    assert a.read_text() == "old a\n" and temporaries(tmp_path) == []
    with files.together():
        files.write_text(a, "new a\n")
        with files.together():                              # joins the outer set
            files.write_text(b, "new b\n")
        assert b.read_text() == "old b\n"
    assert (a.read_text(), b.read_text()) == ("new a\n", "new b\n") and temporaries(tmp_path) == []


def test_written_files_follow_the_umask_like_any_other_file(tmp_path):
    previous = os.umask(0o022)
    try:
        path = files.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_rerun_with_fewer_replications_leaves_no_stale_trace(tmp_path):
    path, out = small(tmp_path), tmp_path / "run"
    run("simulate", path, "-r", "3", "--trace", "--out", out)
    assert {p.name for p in out.glob("trace-r*.csv")} == {"trace-r0.csv", "trace-r1.csv", "trace-r2.csv"}
    (out / "notes.txt").write_text("the analyst's own file\n")
    output = run("simulate", path, "-r", "2", "--trace", "--out", out)
    assert {p.name for p in out.glob("trace-r*.csv")} == {"trace-r0.csv", "trace-r1.csv"}
    assert "removed 1 file(s) of the previous run" in output and "trace-r2.csv" in output
    run("simulate", path, "-r", "2", "--out", out)                 # no --trace: no trace is left over
    assert not list(out.glob("trace-r*.csv"))
    assert (out / "notes.txt").read_text() == "the analyst's own file\n"
    manifest = json.loads((out / folders.MANIFEST).read_text())
    assert manifest["written"]["simulate"] == ["intervals.csv", "run.npz", "scenario.yaml", "summary.json"]
    assert temporaries(out) == []


def test_compare_rerun_without_a_scenario_removes_its_folder_only(tmp_path):
    a, b, c = (small(tmp_path, n) for n in ("a", "b", "c"))
    out = tmp_path / "cmp"
    run("compare", a, b, c, "-r", "2", "--workers", "1", "--out", out)
    assert (out / "c" / "summary.json").is_file()
    # another command's results in one of its folders would disagree with compare.json: refused before any work
    refused = CliRunner().invoke(main, ["simulate", str(a), "-r", "2", "--out", str(out / "a")])
    assert refused.exit_code == 2 and "holds part of the results of `hotline compare`" in refused.output
    (out / "b" / "mine.txt").write_text("keep\n")
    run("compare", a, b, "-r", "2", "--workers", "1", "--out", out)
    assert not (out / "c").exists()
    assert (out / "b" / "mine.txt").exists() and (out / "a" / "summary.json").exists()
    assert temporaries(out) == []


def test_a_manifest_never_removes_what_the_tool_did_not_write_there(tmp_path):
    folder, victim = tmp_path / "out", tmp_path / "victim.txt"
    folder.mkdir()
    victim.write_text("precious\n")
    (folder / "other.txt").write_text("another command's\n")
    body = {"version": folders.MANIFEST_VERSION, "written": {"simulate": ["../victim.txt", "gone.csv"],
                                                              "plan": ["other.txt"]}}
    (folder / folders.MANIFEST).write_text(json.dumps(body))
    assert folders.record(folder, "simulate", []).removed == []
    assert victim.exists() and (folder / "other.txt").exists()
    (folder / folders.MANIFEST).write_text("{not json")            # a damaged manifest removes nothing
    files.write_text(folder / "summary.json", "{}")
    assert folders.record(folder, "plan", [folder / "summary.json"]).removed == []
    assert (folder / "other.txt").exists()


def test_a_trace_of_lines_named_with_commas_and_quotes_reads_back_as_those_lines(tmp_path):
    from sim.logs import calllog
    path = tmp_path / "names.yaml"
    path.write_text(small(tmp_path, "names").read_text().replace('"12345":', '"a,b":'))
    run("simulate", path, "-r", "1", "--trace", "--out", tmp_path / "run")
    log = calllog.read([tmp_path / "run" / "trace-r0.csv"], "generic")
    assert set(log.lines) == {"a,b"}


def test_an_edit_that_keeps_a_files_size_is_seen_too(tmp_path):
    path, out = small(tmp_path), tmp_path / "run"
    run("simulate", path, "-r", "3", "--trace", "--out", out)
    trace = bytearray((out / "trace-r2.csv").read_bytes())
    at = trace.index(b"answered", len(trace) // 2)
    trace[at:at + len(b"answered")] = b"ANSWERED"                 # the same size, in the middle
    (out / "trace-r2.csv").write_bytes(bytes(trace))
    output = run("simulate", path, "-r", "2", "--trace", "--out", out)
    assert "kept 1 file(s)" in output and (out / "trace-r2.csv").read_bytes() == bytes(trace)


def test_traces_are_renamed_with_the_other_results_or_not_at_all(tmp_path):
    path, out = small(tmp_path), tmp_path / "run"
    run("simulate", path, "-r", "2", "--trace", "--out", out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (out / "trace-r1.csv").unlink()
    (out / "trace-r1.csv").mkdir()                  # a folder where the rerun's trace goes
    result = CliRunner().invoke(main, ["simulate", str(path), "-r", "2", "--seed", "9", "--trace",
                                       "--out", str(out)])
    assert result.exit_code == 2 and "trace-r1.csv" in result.output
    # trace-r0.csv was renamed first, before the other results were even written: a mix of two runs
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == {
        k: v for k, v in before.items() if k != "trace-r1.csv"}
    assert temporaries(out) == []


def test_a_manifest_naming_files_no_system_can_have_removes_nothing_and_breaks_nothing(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "kept.csv").write_text("kept\n")
    names = ["sub\u0000dir/x.csv", "x" * 300, "/".join(["d"] * 3000) + "/x.csv", "kept.csv"]
    body = {"version": folders.MANIFEST_VERSION, "written": {"simulate": names},
            "fingerprints": {"simulate": {name: "0" * 40 for name in names}}}
    (folder / folders.MANIFEST).write_text(json.dumps(body))
    tidied = folders.record(folder, "simulate", [])
    assert tidied.removed == [] and (folder / "kept.csv").exists()


def test_a_file_is_removed_only_while_it_holds_what_the_tool_wrote(tmp_path):
    path, out = small(tmp_path), tmp_path / "run"
    run("simulate", path, "-r", "3", "--trace", "--out", out)
    (out / "trace-r2.csv").write_text((out / "trace-r2.csv").read_text() + "# checked by the analyst\n")
    # a hand-made manifest naming the analyst's own file, as if simulate had written it
    (out / "notes.txt").write_text("the analyst's own file\n")
    body = json.loads((out / folders.MANIFEST).read_text())
    body["written"]["simulate"].append("notes.txt")
    (out / folders.MANIFEST).write_text(json.dumps(body))
    output = run("simulate", path, "-r", "2", "--trace", "--out", out)
    assert (out / "notes.txt").read_text() == "the analyst's own file\n"
    assert (out / "trace-r2.csv").read_text().endswith("# checked by the analyst\n")
    assert "kept 2 file(s) of the previous run" in output and "changed after it wrote them" in output
    assert "removed 1 file" not in output
    # written again, unchanged, and no longer written: removed
    run("simulate", path, "-r", "3", "--trace", "--out", out)
    output = run("simulate", path, "-r", "2", "--trace", "--out", out)
    assert "removed 1 file(s)" in output and not (out / "trace-r2.csv").exists()


def test_leftovers_of_killed_runs_go_and_those_of_live_runs_stay(tmp_path):
    dead = int(Path("/proc/sys/kernel/pid_max").read_text())      # no process has this id
    killed = tmp_path / f".summary.json.{dead}.0123abcd.tmp"
    killed.write_text("half")
    staging = tmp_path / f".staging.{dead}.89abcdef.tmp"
    staging.mkdir()
    (staging / "trace-r0.csv").write_text("half")
    running = tmp_path / f".summary.json.{os.getpid()}.0123abcd.tmp"
    running.write_text("being written")
    look_alike = tmp_path / ".summary.json.tmp"                      # not our pattern: not ours
    look_alike.write_text("someone else's")
    removed = folders.record(tmp_path, "simulate", []).removed
    assert set(removed) == {killed, staging}
    assert running.exists() and look_alike.exists()


def test_staging_drops_its_files_and_a_folder_it_made_when_the_run_fails(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt):
        with files.staging(out) as staged:
            (staged / "trace-r0.csv").write_text("half")
            raise KeyboardInterrupt
    assert not out.exists()
    with files.staging(out) as staged:
        (staged / "trace-r0.csv").write_text("whole\n")
    assert [p.name for p in out.iterdir()] == ["trace-r0.csv"]


def test_every_writer_leaves_only_whole_files(tmp_path):
    path = small(tmp_path, "p", hours=24)
    path.write_text(path.read_text() + "planning:\n  shifts:\n    - {name: day, starts: [\"00:00\"], hours: 24}\n")
    run("plan", path, "-r", "2", "--workers", "1", "--out", tmp_path / "plan")
    run("report", tmp_path / "plan", "--out", tmp_path / "b.html")
    run("sweep", small(tmp_path), "--vary", "pools.general.seats=50,52", "-r", "2", "--workers", "1",
        "--out", tmp_path / "sw")
    assert temporaries(tmp_path) == []
    written = json.loads((tmp_path / "plan" / folders.MANIFEST).read_text())["written"]["plan"]
    assert {"plan.json", "planned.yaml", "roster.png", "verified/summary.json"} <= set(written)
