"""Call for call against a plain event-list simulation of the same rules (tests/reference_sim.py):
on a Fuyang-like structure with shifts, breaks, transfers, overflow, priorities, redials, callbacks
and return visits, every call's outcome and wait are the same."""

import math

import pytest
from reference_sim import ReferenceSim

from sim.input import scenario as sc
from sim.model.engine import Replication

LOGN = lambda mean, cv: {"dist": "lognormal", "mean": mean, "cv": cv}   # noqa: E731
EXP = lambda mean: {"dist": "exponential", "mean": mean}               # noqa: E731
CITIZEN = [1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 3.0, 6.5, 9.0, 9.5, 8.5, 6.0, 6.5, 8.5, 8.5, 7.5, 6.0, 4.5, 4.0,
           3.5, 2.8, 2.0, 1.4]


def fuyang_like(volume: float = 1.0) -> sc.Scenario:
    shifts = lambda night, early, day, late: [                          # noqa: E731
        {"name": "night", "start": "22:00", "hours": 10, "agents": night},
        {"name": "early", "start": "07:00", "hours": 8, "agents": early, "break": {"after_minutes": 240, "minutes": 30}},
        {"name": "day", "start": "09:00", "hours": 8, "agents": day, "break": {"after_minutes": 180, "minutes": 60}},
        {"name": "late", "start": "14:00", "hours": 8, "agents": late}]
    line = lambda per_day, pool, **more: {                                 # noqa: E731
        "arrivals": {"per_day": per_day * volume, "daily_profile": CITIZEN, "busyness": {"dist": "gamma", "shape": 50}},
        "handle_seconds": LOGN(180, 0.9), "wrapup_seconds": LOGN(40, 0.5), "patience_seconds": EXP(120),
        "pool": pool, **more}
    data = {
        "name": "fuyang-like", "horizon_hours": 72, "warmup_hours": 0, "interval_minutes": 30, "start": "mon 00:00",
        "lines": {
            "12345": line(1800, "general", redial={"probability": 0.4, "delay_seconds": EXP(300), "max_redials": 2},
                          categories={"consultation": {"share": 0.75},
                                      "complaint": {"share": 0.1, "priority": 0, "handle_seconds": LOGN(240, 0.8)},
                                      "tax": {"share": 0.08, "transfer_to": "12366"},
                                      "social": {"share": 0.07, "transfer_to": "12333",
                                                 "transfer": {"kind": "warm"}}},
                          priority=1),
            "12333": line(600, "hrss", redial={"probability": 0.3, "delay_seconds": EXP(600), "max_redials": 1}),
            "12366": line(400, "tax", mode="subcentre"),
            "county": line(300, "county"),
        },
        "pools": {"general": {"shifts": shifts(6, 14, 10, 12)}, "hrss": {"shifts": shifts(1, 5, 4, 3)},
                  "tax": {"shifts": shifts(1, 4, 3, 2)},
                  "county": {"seats_by_interval": [2] * 14 + [5] * 28 + [3] * 6}},
        "routing": {"transfer": {"kind": "cold", "triage_seconds": LOGN(45, 0.5), "delay_seconds": EXP(8),
                                 "patience_seconds": EXP(90)},
                    "overflow": [{"from": "hrss", "to": "general", "after_seconds": 30, "handle_factor": 1.2}]},
        "outbound": {"callbacks": {"share": 1.0, "within_minutes": 30, "handle_seconds": LOGN(90, 0.5),
                                   "hours": ["08:00", "21:00"], "reserve_agents": 1},
                     "return_visits": {"share": 0.25, "after_hours": 24, "within_hours": 48,
                                       "handle_seconds": LOGN(150, 0.6), "hours": ["09:00", "18:00"],
                                       "reserve_agents": 2}},
    }
    return sc.from_dict(data, "fuyang-like")


def engine_calls(s, seed, replication):
    calls = []

    def trace(block):
        attempts = block.attempt if block.attempt is not None else [0] * len(block.times)
        for i, t in enumerate(block.times):
            calls.append((block.line[i], round(t, 9), attempts[i], int(block.by[i]), block.wait[i],
                          int(block.xfer_by[i]), block.xfer_wait[i]))

    counters = Replication(s, seed, replication, trace=trace).run()
    return sorted(calls), counters


@pytest.mark.parametrize("volume, seed", [(1.0, 7), (1.6, 8), (1.6, 3), (1.6, 5)])
def test_every_call_has_the_reference_outcome_and_wait(volume, seed):
    s = fuyang_like(volume)
    ours, counters = engine_calls(s, seed, 0)
    ref = ReferenceSim(s, seed, 0)
    theirs = sorted((c.line, round(c.t, 9), c.attempt, int(c.by), c.wait, int(c.xfer_by), c.xfer_wait)
                    for c in ref.run())
    assert len(ours) == len(theirs) > 5000
    redials = sum(1 for c in ours if c[2] > 0)
    transfers = sum(1 for c in ours if c[5] != -3)
    overflowed = sum(1 for c in ours if c[0] == 1 and c[3] == 0)
    assert redials > 25 and transfers > 500 and overflowed > 100
    mismatched = [(a, b) for a, b in zip(ours, theirs)
                  if a[:4] != b[:4] or a[5] != b[5] or not math.isclose(a[4], b[4], abs_tol=1e-6)
                  or not math.isclose(a[6], b[6], abs_tol=1e-6)]
    assert not mismatched, (len(mismatched), mismatched[:3])
    made = counters.whole("pools", "outbound_made")
    assert made.tolist() == ref.made and sum(ref.made) > 500


WAIT_DIGITS = 6


@pytest.mark.parametrize("name, replication", [("plan", 3), ("status_quo", 1)])
def test_hang_ups_found_where_an_agent_reaches_them_give_the_outcomes_of_an_event_at_each(name, replication):
    """Callbacks of lines that do not redial are booked where an agent reaches the caller's place in the
    queue, not by an event at each deadline: every call's outcome is the same as with the events."""
    from pathlib import Path

    s = sc.load(Path(__file__).resolve().parents[1] / "scenarios" / "fuyang" / f"{name}.yaml")

    def calls(eager):
        out = []

        def trace(block):
            attempts = block.attempt if block.attempt is not None else [0] * len(block.times)
            for i, t in enumerate(block.times):
                # waits to a microsecond: a hang-up's wait is its deadline less its arrival in one way and
                # its patience in the other, which differ in the last bits of a float
                out.append((block.line[i], t, attempts[i], block.by[i], round(block.wait[i], WAIT_DIGITS),
                            block.xfer_by[i], round(block.xfer_wait[i], WAIT_DIGITS)))

        model = Replication(s, 3, replication, trace=trace)
        if eager:
            model.deadline_events = [True] * len(model.lines)
            model.missed_lazily = False
        counters = model.run()
        return sorted(out), counters.whole("pools", "outbound_made"), counters.whole("pools", "outbound_created")

    lazy, eager = calls(False), calls(True)
    assert lazy[0] == eager[0] and len(lazy[0]) > 30000
    assert (lazy[1] == eager[1]).all() and (lazy[2] == eager[2]).all()
