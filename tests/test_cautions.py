"""Warnings before a run: callers who meet a pool with nobody on duty (sim.input.cautions)."""

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.input import scenario as sc
from sim.input.cautions import cautions

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml") if p.name != "demand.yaml")
DAYTIME = {"shifts": [{"start": "08:00", "hours": 10, "agents": 6}]}      # every day, 08:00-18:00
CLOSED_HOURS_PER_WEEK = 7 * 14


def night(general: dict, overflow: bool = False, after_seconds: float = 30) -> dict:
    """12345 (30 calls an hour, round the clock) on ``general``; 12333 (10 an hour) open 08:00-18:00 on its own
    seats, put through to 12345 when closed."""
    data = {"name": "night", "horizon_hours": 48,
            "lines": {"12345": {"arrivals": {"per_hour": 30}, "pool": "general",
                                "handle_seconds": {"dist": "exponential", "mean": 200}},
                      "12333": {"mode": "parallel", "arrivals": {"per_hour": 10}, "pool": "hrss",
                                "handle_seconds": {"dist": "exponential", "mean": 200},
                                "open": {"days": "every day", "hours": ["08:00", "18:00"]},
                                "when_closed": {"to": "12345"}}},
            "pools": {"general": general, "hrss": {"seats": 3}, "night": {"seats": 2}}}
    if overflow:
        data["routing"] = {"overflow": [{"from": "general", "to": "night", "after_seconds": after_seconds}]}
    return data


def test_callers_who_meet_nobody_are_counted_by_line_and_hours():
    said = cautions(sc.from_dict(night(DAYTIME), "night.yaml"))
    assert len(said) == 2
    own, put_through = said
    # 98 hours a week without an agent: 30 x 98 callers of 12345, and 12333's 10 an hour while it is closed
    assert "line 12345's callers" in own and "98 hours a week" in own and "about 2,940 callers" in own
    assert "opening hours" in own
    assert "put through to line 12345 while 12333 is closed" in put_through
    assert f"about {10 * CLOSED_HOURS_PER_WEEK:,} callers" in put_through and "Mon 00:00" in put_through


def test_agents_round_the_clock_or_an_overflow_leave_nothing_to_say():
    assert cautions(sc.from_dict(night({"seats": 4}), "night.yaml")) == []
    assert cautions(sc.from_dict(night(DAYTIME, overflow=True), "night.yaml")) == []
    # an overflow that opens after 1e7 s reaches nobody who is still waiting (callers never hang up here: an hour)
    late = cautions(sc.from_dict(night(DAYTIME, overflow=True, after_seconds=1e7), "night.yaml"))
    assert len(late) == 2 and "nor one it overflows to in time" in late[0]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_staff_every_hour_their_callers_come(path):
    assert cautions(sc.load(path)) == []


def test_simulate_says_it_before_the_run_and_still_runs(tmp_path):
    path = tmp_path / "night.yaml"
    path.write_text(yaml.safe_dump(night(DAYTIME)))
    result = CliRunner().invoke(main, ["simulate", str(path), "-r", "2", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: night: line 12")]
    assert len(warnings) == 2 and "find nobody to answer them" in warnings[0]
    assert (tmp_path / "out" / "summary.json").exists()


@pytest.mark.parametrize("start, said", [("mon 00:00", True), ("mon 09:00", False), ("sat 12:00", True)])
def test_a_run_that_starts_in_a_closure_lacks_that_closure_s_callbacks(start, said, tmp_path):
    """Found by an outside hunt (2026-12-05): a plan said every target met for a week that began on an empty
    Monday 00:00, so the weekend's callbacks of a line closed from Friday 17:30 (about 650, made from Monday
    08:30) were never in it; a second week missed the goals on Monday morning.  The run says so, before it
    runs: simulate, compare, plan and decide."""
    data = night({"seats": 4})
    data.update(start=start, horizon_hours=168)
    data["lines"]["12333"].update(open={"days": "weekdays", "hours": ["08:30", "17:30"]},
                                  when_closed={"callback": {"within_hours": 4}})
    s = sc.from_dict(data, "closed.yaml")
    lines = [line for line in cautions(s) if "called back" in line]
    assert bool(lines) is said
    if start == "mon 00:00":    # Fri 17:30 to Mon 00:00: 54.5 hours of 10 callers an hour
        assert "since Fri 17:30" in lines[0] and "about 545 callers" in lines[0] and "54.5 hours" in lines[0]
    if start == "mon 00:00":    # plan warns too (a plan staffs the pools: the other cautions do not apply)
        data["planning"] = {"shifts": [{"name": "day", "starts": ["00:00", "08:00", "16:00"], "hours": 8}],
                            "targets": "week"}
        path = tmp_path / "closed.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        result = CliRunner().invoke(main, ["plan", str(path), "-r", "2", "--out", str(tmp_path / "plan")])
        assert result.exit_code == 0, result.output
        assert "called back from its next opening" in result.output


def test_a_shrinkage_far_beyond_any_centre_s_is_said_before_planning():
    """Found by an outside hunt (2026-12-05): shrinkage 0.99 planned 2,200 people to employ for 22 on the
    roster without a word."""
    from sim.input.cautions import planning_cautions

    def with_shrinkage(shrinkage):
        data = night({"seats": 4})
        data["planning"] = {"shifts": [{"name": "day", "starts": ["08:00"], "hours": 8}], "shrinkage": shrinkage}
        return sc.from_dict(data, "night.yaml")

    said, = planning_cautions(with_shrinkage(0.99))
    assert "99% of paid time off the phones" in said and "100.0 people are employed for each agent" in said
    assert planning_cautions(with_shrinkage(0.35)) == []


def test_a_run_of_hundreds_of_millions_of_calls_says_how_long_it_takes_first():
    """Found by an outside hunt (2026-12-05): two years at 100,000 calls an hour (1.75 billion calls a
    replication) started without a word, and ran for over an hour before its first progress."""
    data = night({"seats": 4})
    data["lines"]["12345"]["arrivals"] = {"per_hour": 100_000}
    data["horizon_hours"] = 2000
    said = [line for line in cautions(sc.from_dict(data, "big.yaml")) if "a replication simulates" in line]
    assert len(said) == 1 and "about 200,020,000 calls" in said[0] and "11 minutes" in said[0]
