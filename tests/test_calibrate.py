"""Call logs, calibration and replay: the adapter on the real bank data, recovery of known
parameters from a log the simulator wrote, bad rows, and the June replay."""

import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.input import scenario as sc
from sim.logs import calibrate as cal
from sim.logs import calllog
from sim.logs.replay import replay

README_ROWS = {"january": 31599, "february": 33344, "march": 38801, "april": 32036, "may": 39553, "june": 37935}


@pytest.fixture(scope="module")
def bank_train():
    return calllog.read(calllog.bank_months(*list(README_ROWS)[:5]), "anonymous-bank")


@pytest.fixture(scope="module")
def bank_june():
    return calllog.read(calllog.bank_months("june"), "anonymous-bank")


def test_the_bank_data_ship_with_the_project():
    paths = calllog.bank_months()
    assert [p.name for p in paths] == [f"{m}.txt.gz" for m in README_ROWS]
    assert all(p.stat().st_size < 2 * 2**20 for p in paths)          # the repository stays lean


def test_the_bank_data_are_found_from_any_folder(tmp_path, monkeypatch):
    """A notebook or a benchmark run from outside the checkout finds the logs beside the sim package."""
    monkeypatch.chdir(tmp_path)
    path, = calllog.bank_months("june")
    assert path.is_file() and path.parent.name == "anonymous_bank_1999"


def test_adapter_counts_per_month_match_the_readme():
    for month, rows in README_ROWS.items():
        path, = calllog.bank_months(month)
        log = calllog.read([path], "anonymous-bank")
        assert log.rows_per_file[str(path)] == rows
        used = len(log) + sum(log.left_out.values())
        assert used == rows, month                           # every row is used or counted as left out
        assert log.left_out["PHANTOM rows"] > 0
        assert log.faults["answered without a server or talk time (kept; talk time not used)"] > 0


def test_adapter_reports_the_known_faults_of_may(bank_train):
    assert "1999-05-23" in bank_train.suspect_days
    assert bank_train.faults["negative vru_time"] > 100
    assert not np.isin(bank_train.days, [(np.datetime64("1999-05-23") - np.datetime64("1999-01-01")).astype(int)]).any()


def test_adapter_reads_queue_arrival_and_straight_to_agent_calls(tmp_path):
    text = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time q_start q_exit q_time "
            "outcome ser_start ser_exit ser_time server\n"
            "AA0101 1 5 2 PS 990101 23:59:50 23:59:55 5 23:59:55 0:01:00 65 HANG 0:00:00 0:00:00 0 NO_SERVER\n"
            "AA0101 2 0 0 PS 990102 7:41:16 7:41:26 10 0:00:00 0:00:00 0 AGENT 7:41:25 7:44:53 208 BASCH\n"
            "AA0101 3 0 0 PS 990102 7:50:00 7:50:10 10 0:00:00 0:00:00 0 HANG 0:00:00 0:00:00 0 NO_SERVER\n"
            "AA0101 4 7 1 NW 990102 8:00:00 8:00:05 5 8:00:05 8:00:35 30 AGENT 8:00:35 8:02:35 120 MICHAL\n")
    path = tmp_path / "m.txt"
    path.write_text(text)
    log = calllog.read([path], "anonymous-bank")
    assert len(log) == 3 and log.left_out["never asked for an agent (left in the voice-response unit)"] == 1
    assert log.arrival[0] == 23 * 3600 + 59 * 60 + 55 and not log.answered[0] and log.wait[0] == 65
    assert log.arrival[1] == 86400 + 7 * 3600 + 41 * 60 + 26 and log.wait[1] == 0 and log.handle[1] == 208
    assert log.lines == ["NW", "PS"] and log.agents == ["BASCH", "MICHAL"]


def test_bad_rows_name_file_line_and_field_or_are_skipped_and_counted(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("arrival,line,outcome,wait_seconds,handle_seconds\n"
                    "2024-01-01 08:00:00,12345,answered,3,200\n"
                    "2024-01-01 08:01:00,12345,answerd,3,200\n"
                    "2024-01-01 08:02:00,12345,abandoned,-4,\n")
    result = CliRunner().invoke(main, ["calibrate", str(path), "--out", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2
    assert f"{path}: line 3, field outcome: 'answerd' is not answered or abandoned" in result.output
    assert "Traceback" not in result.output
    log = calllog.read([path], skip_bad_rows=True)
    assert len(log) == 1
    assert sum(log.left_out.values()) == 2 and any("wait_seconds" in k for k in log.left_out)


def test_calibration_recovers_what_the_simulator_was_given(tmp_path):
    truth = {"name": "truth", "horizon_hours": 24 * 28, "interval_minutes": 30,
             "lines": {"12345": {"arrivals": {"per_day": 3000, "daily_profile": [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12,
                                                                              10, 11, 12, 12, 10, 8, 6, 5, 4, 3, 2, 1]},
                                 "handle_seconds": {"dist": "lognormal", "mean": 240, "cv": 0.8},
                                 "patience_seconds": {"dist": "exponential", "mean": 180}, "pool": "general"}},
             "pools": {"general": {"seats": 9}}}
    path = tmp_path / "truth.yaml"
    path.write_text(yaml.safe_dump(truth))
    out = tmp_path / "run"
    assert CliRunner().invoke(main, ["simulate", str(path), "-r", "1", "--out", str(out), "--trace"]).exit_code == 0
    log = calllog.read([out / "trace-r0.csv"])
    raw, report = cal.calibrate(log, "fitted")
    talk = report["lines"]["12345"]["talk"]
    assert talk["chosen"] == "lognormal"
    fitted = raw["lines"]["12345"]
    assert abs(fitted["handle_seconds"]["mean"] / 240 - 1) < 0.03
    assert abs(fitted["handle_seconds"]["cv"] / 0.8 - 1) < 0.03
    assert abs(fitted["patience_seconds"]["mean"] / 180 - 1) < 0.10
    rates = np.asarray(fitted["arrivals"]["per_interval"]).reshape(7, 48).mean(axis=0)
    true_rates = sc.from_dict(truth, "t").lines["12345"].arrivals.week_per_hour[:48]
    assert np.corrcoef(rates, true_rates)[0, 1] > 0.98            # the daily profile's shape
    assert abs(rates.sum() / true_rates.sum() - 1) < 0.03          # and its level
    scenario = sc.from_dict(raw, "fitted")                          # runnable as it is
    assert scenario.pools["agents"].week_agents.max() > 0


def test_calibrating_january_to_may_predicts_june(bank_train, bank_june):
    raw, report = cal.calibrate(bank_train, "bank")
    assert report["lines"]["PS"]["patience"]["chosen"] in ("lognormal", "exponential")
    assert report["redials"]["probability_after_abandoning"] > 0.2
    s = sc.from_dict(raw, "bank")
    with_log_talk = replay(s, bank_june, replications=4, handle_times="log")
    assert len(with_log_talk.days) == 30
    assert with_log_talk.errors["abandon_rate"] < 0.02           # mean absolute error over June's days
    default = replay(s, bank_june, replications=4)
    assert default.errors["abandon_rate"] < 0.04                  # talk times drawn i.i.d. (see the README)


def test_replay_command_writes_the_report(tmp_path, bank_june):
    raw, _ = cal.calibrate(bank_june, "june")
    paths = __import__("sim.output.calibrate", fromlist=["x"]).write(raw, {"lines": {}}, tmp_path / "june.yaml", 1.0)
    assert paths[0].is_file()
    out = tmp_path / "rep"
    result = CliRunner().invoke(main, ["replay", str(calllog.bank_months("june")[0]), "--format", "anonymous-bank",
                                       "--scenario", str(paths[0]), "-r", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "replay.json").read_text())
    day = data["days"][0]
    assert day["date"] == "1999-06-01"
    assert set(day["observed"]) >= {"offered", "abandon_rate", "asa_seconds", "service_level"}
    assert set(day["simulated"]["abandon_rate"]) == {"mean", "ci95"}
    assert set(data["errors"]) == {"abandon_rate", "asa_seconds", "service_level"}
    assert (out / "replay_days.png").stat().st_size > 20_000
