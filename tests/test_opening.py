"""Opening hours: a line closed at night sends its night callers where the scenario says.

Each check compares a line with opening hours against the same line open 7x24
on the same seed: the callers are drawn the same way (common random numbers),
so the callers who arrive while the line is closed are known exactly from the
open run, and each of them must end where ``when_closed`` sends them.
"""

import numpy as np
import pytest

from sim.input import clock
from sim.input.scenario import from_dict
from sim.model.codes import ABANDONED
from sim.model.engine import next_open_seconds, run_replication
from sim.plan.requirements import pool_loads
from sim.results.figures import table
from sim.run.runs import simulate

SEED = 7
OPEN = {"days": "weekdays", "hours": ["08:30", "17:30"]}
HANDLE = {"dist": "exponential", "mean": 200}
DEPT_PER_HOUR = 20.0


def scenario(when_closed=None, open_=OPEN, horizon_hours=168):
    dept = {"pool": "hrss", "mode": "parallel", "arrivals": {"per_hour": DEPT_PER_HOUR}, "handle_seconds": HANDLE,
            "patience_seconds": {"dist": "exponential", "mean": 120}}
    if when_closed is not None:
        dept.update({"open": open_, "when_closed": when_closed})
    return from_dict({
        "name": "opening", "horizon_hours": horizon_hours, "interval_minutes": 30, "replications": 2, "seed": SEED,
        "lines": {"12345": {"pool": "general", "arrivals": {"per_hour": 60}, "handle_seconds": HANDLE,
                            "patience_seconds": {"dist": "exponential", "mean": 120}},
                  "12333": dept},
        # the department's agents are there only in its opening hours, 12345's around the clock
        "pools": {"general": {"agents": 6},
                  "hrss": {"shifts": [{"start": "08:30", "hours": 9, "days": ["mon", "tue", "wed", "thu", "fri"],
                                       "agents": 3}]}},
    })


def calls(s, check=False):
    """Every call of replication 0 in time order: (arrival s, line index, entry index, answering pool or
    ABANDONED), and the replication's counters."""
    seen = []
    counters = run_replication(s, SEED, 0, trace=lambda block: seen.append(block), check=check)
    rows = [(t, line, entry, by) for b in seen for t, line, entry, by in zip(b.times, b.line, b.entry, b.by)]
    return sorted(rows), counters


def is_closed(t: float) -> bool:
    minute = int(t // 60) % clock.MINUTES_PER_WEEK
    weekday, minute_of_day = divmod(minute, clock.MINUTES_PER_DAY)
    return not (weekday < 5 and 8 * 60 + 30 <= minute_of_day < 17 * 60 + 30)


@pytest.fixture(scope="module")
def always_open():
    rows, _ = calls(scenario())
    return [t for t, line, _, _ in rows if line == 1]      # the department's callers, all hours


def test_a_line_closed_at_night_puts_its_night_callers_through_to_12345(always_open):
    s = scenario({"to": "12345"})
    rows, counters = calls(s, check=True)         # the model's invariants hold after every event
    general, hrss = list(s.pools).index("general"), list(s.pools).index("hrss")
    mine = [(t, entry, by) for t, line, entry, by in rows if line == 1]
    assert [t for t, _, _ in mine] == always_open            # the same callers, none lost, none added
    night = [(entry, by) for t, entry, by in mine if is_closed(t)]
    day = [(entry, by) for t, entry, by in mine if not is_closed(t)]
    assert len(night) > 1000 and len(day) > 500
    assert all(by in (general, ABANDONED) for _, by in night)      # only 12345's agents answer them
    assert sum(by == general for _, by in night) > 0.8 * len(night)
    assert all(by in (hrss, ABANDONED) for _, by in day)
    assert counters.whole("lines", "closed_callers")[1] == len(night)
    assert counters.whole("lines", "messages").sum() == 0


@pytest.mark.parametrize("kind", ["message", "callback"])
def test_a_closed_line_takes_messages_or_callback_requests_and_queues_only_open_hours_callers(always_open, kind):
    s = scenario(kind)
    rows, counters = calls(s, check=True)
    queued = [t for t, line, _, _ in rows if line == 1]
    assert queued == [t for t in always_open if not is_closed(t)]
    night = sum(is_closed(t) for t in always_open)
    assert counters.whole("lines", "messages")[1] == night
    assert counters.whole("lines", "closed_callers")[1] == night
    hrss = list(s.pools).index("hrss")
    created = counters.whole("pools", "outbound_created")[hrss]
    assert created == (night if kind == "callback" else 0)


def test_callbacks_are_made_by_the_lines_own_agents_only_once_it_opens():
    s = scenario({"callback": {"within_hours": 2}})
    run = simulate(s, 2, SEED)
    by_interval = table(run, "interval_of_week")
    made = by_interval.per_replication("outbound_made", "pool", "hrss").sum(axis=0)
    week = np.arange(len(made)) * s.interval_minutes
    closed = np.asarray([is_closed(m * 60.0) for m in week])
    assert made.sum() > 0 and made[closed].sum() == 0
    whole = table(run)
    on_time = whole.per_replication("outbound_on_time", "pool", "hrss")
    assert (on_time <= whole.per_replication("outbound_made", "pool", "hrss")).all()
    assert whole.per_replication("outbound_made", "pool", "general").sum() == 0


def test_outbound_hours_may_run_until_midnight():
    """'24:00' closes outbound hours at the end of the day (it was refused, and '00:00' is before any opening)."""
    data = {"name": "late", "horizon_hours": 48, "interval_minutes": 30, "seed": SEED,
            "lines": {"12345": {"pool": "general", "arrivals": {"per_hour": 60}, "handle_seconds": HANDLE,
                                "patience_seconds": {"dist": "exponential", "mean": 60}}},
            "pools": {"general": {"agents": 4}},
            "outbound": {"callbacks": {"share": 1.0, "within_hours": 24, "handle_seconds": HANDLE,
                                       "hours": ["20:00", "24:00"]}}}
    s = from_dict(data)
    assert s.outbound[0].hours == (20 * 60, 24 * 60)
    made = table(simulate(s, 2, SEED), "interval_of_week").per_replication("outbound_made", "pool", "general")
    made = made.sum(axis=0)
    half_hour = np.arange(len(made)) % (clock.MINUTES_PER_DAY // 30)
    assert made.sum() > 0 and made[half_hour < 40].sum() == 0       # only 20:00-24:00
    run_replication(s, SEED, 0, check=True)                          # the model's laws hold at midnight
    data["outbound"]["callbacks"]["hours"] = ["00:00", "24:00"]
    assert from_dict(data).outbound[0].hours is None                  # all day: no hours


def test_a_line_may_close_at_midnight_written_24_00():
    """Found by an outside hunt (2026-12-05): a line open until midnight, ['08:00', '24:00'] as outbound hours
    take it, was refused as "must be two times ..., got a list"."""
    until_midnight = scenario("message", {"days": "weekdays", "hours": ["08:00", "24:00"]})
    crossing = scenario("message", {"days": "weekdays", "hours": ["08:00", "00:00"]})
    week = until_midnight.lines["12333"].open_minutes
    assert np.array_equal(week, crossing.lines["12333"].open_minutes)
    assert week.sum() == 5 * 16 * 60 and week[8 * 60] and not week[8 * 60 - 1] and week[24 * 60 - 1]
    all_day = scenario("message", {"days": ["mon"], "hours": ["00:00", "24:00"]}).lines["12333"].open_minutes
    assert all_day.sum() == clock.MINUTES_PER_DAY and all_day[:clock.MINUTES_PER_DAY].all()
    with pytest.raises(Exception, match="got an empty list"):
        scenario("message", {"days": [], "hours": ["08:00", "17:00"]})


def test_the_next_opening_is_found_across_the_weekend():
    week = scenario("message").lines["12333"].open_minutes
    friday_evening = (4 * clock.MINUTES_PER_DAY + 18 * 60) * 60.0
    monday_morning = (7 * clock.MINUTES_PER_DAY + 8 * 60 + 30) * 60.0
    assert next_open_seconds(week, 0, friday_evening) == monday_morning - friday_evening
    assert next_open_seconds(week, 0, 9 * 3600.0) == 0.0              # Monday 09:00: open


def test_the_planner_moves_closed_hours_load_where_the_callers_go():
    """Erlang-hours a week on each pool: the department's open hours (45 h) stay on its pool; the other
    123 h go to 12345's pool, to the department's callbacks, or nowhere."""
    open_hours, closed_hours = 45.0, 168.0 - 45.0
    dept_hours = lambda h: DEPT_PER_HOUR * h * HANDLE["mean"] / 3600.0       # noqa: E731
    general_alone = 60 * 168 * HANDLE["mean"] / 3600.0
    rules = {"to": {"to": "12345"}, "message": "message", "callback": "callback"}
    week_load = {kind: {p: load.offered_erlangs.sum() * 0.5 for p, load in pool_loads(scenario(rule)).items()}
                 for kind, rule in rules.items()}
    to = week_load["to"]
    assert to["hrss"] == pytest.approx(dept_hours(open_hours))
    assert to["general"] == pytest.approx(general_alone + dept_hours(closed_hours))
    assert week_load["message"]["hrss"] == pytest.approx(dept_hours(open_hours))
    assert week_load["message"]["general"] == pytest.approx(general_alone)
    assert week_load["callback"]["hrss"] == pytest.approx(dept_hours(168.0))
