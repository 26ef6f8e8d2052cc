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
