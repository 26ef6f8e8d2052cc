"""hotline report on results folders edited by hand, cut short or made into pipes: one line naming the file.

Found by a hunt for bad inputs (2026-12-05): a header-only requirements.csv, an empty weekdays cell, a
number too large for a float, a pipe where the roster was, a summary.json whose threshold was edited.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from badinput import assert_refused, run_hotline
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
DAY = {"name": "day", "horizon_hours": 24, "interval_minutes": 30,
       "lines": {"L": {"arrivals": {"per_hour": 60}, "pool": "p",
                       "handle_seconds": {"dist": "exponential", "mean": 200},
                       "patience_seconds": {"dist": "exponential", "mean": 120}}},
       "pools": {"p": {"seats": 5}},
       "planning": {"shifts": [{"name": "day", "starts": ["00:00", "08:00", "16:00"], "hours": 8}],
                    "replications": 2}}
HUGE = 10 ** 400            # valid JSON, no float holds it


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("folders")
    (root / "day.yaml").write_text(yaml.safe_dump(DAY))
    (root / "other.yaml").write_text(yaml.safe_dump(dict(DAY, name="other", pools={"p": {"seats": 6}})))
    for args in (["plan", root / "day.yaml", "-w", "1", "--out", root / "plan"],
                 ["simulate", ROOT / "scenarios" / "default.yaml", "-r", "2", "--out", root / "sim"],
                 ["compare", root / "day.yaml", root / "other.yaml", "-r", "2", "-w", "1", "--out", root / "cmp"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    return root


def edit_json(name: str, change):
    def apply(folder: Path):
        data = json.loads((folder / name).read_text())
        change(data)
        (folder / name).write_text(json.dumps(data))
    return apply


def edit_line(name: str, line: int, old: str, new: str):
    def apply(folder: Path):
        rows = (folder / name).read_text().splitlines(keepends=True)
        assert old in rows[line - 1], rows[line - 1]
        rows[line - 1] = rows[line - 1].replace(old, new, 1)
        (folder / name).write_text("".join(rows))
    return apply


def edit_run(change):
    """run.npz with its meta changed by ``change(meta)``."""
    def apply(folder: Path):
        import numpy as np
        with np.load(folder / "run.npz", allow_pickle=False) as stored:
            arrays = dict(stored)
        meta = json.loads(str(arrays["meta"][()]))
        change(meta)
        arrays["meta"] = np.array(json.dumps(meta))
        np.savez_compressed(folder / "run.npz", **arrays)
    return apply


def header_only(name: str):
    def apply(folder: Path):
        (folder / name).write_text((folder / name).read_text().splitlines(keepends=True)[0])
    return apply


CASES = [
    ("plan", "requirements-header-only", header_only("requirements.csv"),
     ("requirements.csv", "intervals of one week")),
    ("plan", "roster-without-weekdays", edit_line("roster.csv", 2, ",mon,", ",,"),
     ("roster.csv: line 2, column weekdays", "run `hotline plan` again")),
    ("plan", "roster-start-99", edit_line("roster.csv", 2, ",00:00,", ",99:00,"), ("roster.csv: line 2, column start",)),
    ("plan", "roster-hours-inf", edit_line("roster.csv", 2, ",8,", ",inf,"),
     ("roster.csv: line 2, column paid_hours_per_agent_per_week",)),
    ("plan", "span-huge", edit_json("plan.json", lambda d: d["verified_span"].update(hours=HUGE)),
     ("plan.json", "does not have the fields")),
    ("plan", "span-negative", edit_json("plan.json", lambda d: d["verified_span"].update(hours=-3)),
     ("plan.json", "does not have the fields")),
    ("plan", "span-not-a-clock-time", edit_json("plan.json", lambda d: d["verified_span"].update({"from": "Mon 99:99"})),
     ("plan.json",)),
    ("plan", "cost-huge", edit_json("plan.json", lambda d: d["cost"].update(total=HUGE)), ("plan.json",)),
    ("plan", "plan-threshold-huge", edit_json("plan.json", lambda d: d["targets"].update(threshold_seconds=HUGE)),
     ("plan.json",)),
    ("plan", "threshold-text", edit_json("plan.json", lambda d: d["targets"].update(threshold_seconds="x")),
     ("plan.json",)),
    ("plan", "threshold-null", edit_json("plan.json", lambda d: d["targets"].update(threshold_seconds=None)),
     ("plan.json",)),
    ("sim", "run-interval-of-0-minutes", edit_run(lambda m: m["layout"].update(interval_minutes=0)),
     ("run.npz: cannot be read (interval_minutes is 0",)),
    # found by an outside hunt (2026-12-05): a billion intervals were allocated (7.45 GiB), and edited labels
    # or targets were blamed on summary.json
    ("sim", "run-of-a-billion-intervals", edit_run(lambda m: m["layout"].update(n_intervals=10**9)),
     ("run.npz: cannot be read (n_intervals is 1000000000",)),
    ("sim", "run-of-a-billion-replications", edit_run(lambda m: m.update(replications=10**9)),
     ("run.npz: cannot be read (replications is 1000000000",)),
    ("sim", "run-labels-not-text", edit_run(lambda m: m["layout"].update(labels={"scenario": 5})),
     ("run.npz: cannot be read (labels",)),
    ("sim", "run-target-text", edit_run(lambda m: m["layout"].update(service_level_target="x")),
     ("run.npz: cannot be read (service_level_target",)),
    ("sim", "run-without-lines", edit_run(lambda m: m["layout"].update(lines=[])), ("run.npz",)),
    ("sim", "run-with-a-replication-it-lacks", edit_run(lambda m: m.update(replications=3)), ("run.npz",)),
    ("cmp", "compare-of-one-scenario", edit_json("compare.json", lambda d: d.update(scenarios=d["scenarios"][:1])),
     ("compare.json", "does not have the fields")),
    ("cmp", "compare-of-none", edit_json("compare.json", lambda d: d.update(scenarios=[])), ("compare.json",)),
    ("sim", "threshold-huge", edit_json("summary.json", lambda d: d.update(threshold_seconds=HUGE)),
     ("sim", "threshold_seconds differ")),
    ("sim", "threshold-negative", edit_json("summary.json", lambda d: d.update(threshold_seconds=-5)),
     ("threshold_seconds differ",)),
]


@pytest.mark.parametrize("kind, id, change, words", CASES, ids=[c[1] for c in CASES])
def test_an_edited_results_file_is_refused_naming_it(folders, tmp_path, kind, id, change, words):
    folder = tmp_path / kind
    shutil.copytree(folders / kind, folder)
    change(folder)
    result = invoke("report", folder, "--out", tmp_path / "b.html")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]        # no warning before it either
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.output
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not (tmp_path / "b.html").exists()


def test_a_pipe_where_the_roster_was_is_refused_not_waited_on(folders, tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(folders / "plan", folder)
    (folder / "roster.csv").unlink()
    os.mkfifo(folder / "roster.csv")
    assert_refused(run_hotline("report", folder, "--out", tmp_path / "b.html"), "roster.csv", "is a pipe")


def test_the_briefing_says_what_a_short_plan_verified_and_claims_nothing_for_an_older_plan(folders, tmp_path):
    page = tmp_path / "b.html"
    assert invoke("report", folders / "plan", "--out", page).exit_code == 0
    assert "24 hours from Mon 00:00 only" in page.read_text()
    older = tmp_path / "older"
    shutil.copytree(folders / "plan", older)
    edit_json("plan.json", lambda d: d.pop("verified_span"))(older)   # plan.json before 2026-12-05
    assert invoke("report", older, "--out", page).exit_code == 0
    html = page.read_text()
    assert "hours from" not in html and "the whole week" not in html


def test_a_link_among_the_results_is_named_not_followed(folders, tmp_path):
    """A link to /proc/self/pagemap where intervals.csv was: fingerprinting it once read without end."""
    folder = tmp_path / "sim"
    shutil.copytree(folders / "sim", folder)
    (folder / "intervals.csv").unlink()
    (folder / "intervals.csv").symlink_to("/proc/self/pagemap")
    proc = run_hotline("report", folder, "--out", tmp_path / "b.html")
    assert proc.returncode == 0, proc.stderr
    assert "intervals.csv is not the file `hotline simulate` wrote there" in proc.stderr


def test_assumptions_from_a_scenario_copy_of_another_run_say_so_in_the_briefing(folders, tmp_path):
    """A run's folder with another run's scenario.yaml copied in: the briefing keeps showing that file's comments
    (an analyst may have added notes), but beside them says they may not be the figures' assumptions; the
    run's own copy carries no such note."""
    note = "may not be the assumptions of the figures above"
    page = tmp_path / "b.html"
    assert invoke("report", folders / "sim", "--out", page).exit_code == 0
    assert "Fuyang-sized" in page.read_text() and note not in page.read_text()
    folder = tmp_path / "sim"
    shutil.copytree(folders / "sim", folder)
    (folder / "scenario.yaml").write_text("# from another run: 80 agents, an assumption of last year\n"
                                          + (folders / "day.yaml").read_text())
    proc = run_hotline("report", folder, "--out", page)
    assert proc.returncode == 0, proc.stderr
    assert "scenario.yaml is not the file `hotline simulate` wrote there" in proc.stderr
    assert "may be another run's" in proc.stderr
    html = page.read_text()
    assert note in html and html.index(note) < html.index("80 agents, an assumption of last year")
    proc = run_hotline("report", folder, "--out", page, "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    assert "以下假设未必对应上文的数据" in page.read_text()


@pytest.mark.parametrize("folder, name, change, words", [
    ("cmp", "compare.json", lambda d: d["scenarios"][1]["total"]["service_level"].update(mean=-3),
     ["a share of -3", "outside 0 to 1"]),
    ("cmp", "compare.json", lambda d: d["scenarios"][0]["total"]["asa_seconds"].update(ci95=[-1.0, 4.0]),
     ["a figure of -1.0"]),
    ("plan", "plan.json", lambda d: d.update(headcount=-5), ["a headcount of -5"]),
    ("plan", "plan.json", lambda d: d.update(seats=2.5), ["a number of seats of 2.5"]),
    ("plan", "plan.json", lambda d: d["cost"].update(total=float("nan")), ["NaN", "never writes"]),
    ("plan", "plan.json", lambda d: d["cost"].update(total=float("inf")), ["Infinity", "never writes"]),
], ids=["share", "negative-bound", "headcount", "seats", "nan", "inf"])
def test_impossible_hand_edited_numbers_are_refused_not_printed(folders, tmp_path, folder, name, change, words):
    """Found by an outside hunt (2026-12-05): a service level of -300%, -5 agents and "nan CNY" were printed."""
    copy = tmp_path / folder
    shutil.copytree(folders / folder, copy)
    edit_json(name, change)(copy)
    assert_refused(run_hotline("report", copy, "--out", tmp_path / "b.html"), name, *words)
    assert not (tmp_path / "b.html").exists()


def test_an_edited_summary_of_a_simulate_folder_is_said_to_give_only_the_name_and_threshold(folders, tmp_path):
    """Found by an outside hunt (2026-12-05): the warning said the edited summary.json was shown as it is now,
    but the briefing's figures come from run.npz."""
    folder = tmp_path / "sim"
    shutil.copytree(folders / "sim", folder)
    # an edit of its figures is refused (they must agree with run.npz); a note of the analyst's is not
    edit_json("summary.json", lambda d: d.update(note="checked by the analyst"))(folder)
    proc = run_hotline("report", folder, "--out", tmp_path / "b.html")
    assert proc.returncode == 0, proc.stderr
    assert "summary.json is not the file `hotline simulate` wrote there" in proc.stderr
    assert "takes its figures from run.npz" in proc.stderr
