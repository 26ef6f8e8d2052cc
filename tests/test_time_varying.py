"""Time-varying arrivals and staffing: known answers that hold without stationarity."""

import numpy as np
from conftest import per_interval, whole, within

from sim.input import scenario as sc
from sim.model.engine import Replication
from sim.run.runs import simulate


def peaked(patience=None, **extra):
    # a daily pattern with a sharp morning peak, on a shift roster that lags it
    rates = [20] * 16 + [300] * 4 + [120] * 28
    line = {"arrivals": {"per_interval": rates}, "pool": "p",
            "handle_seconds": {"dist": "lognormal", "mean": 240, "cv": 0.8}}
    if patience:
        line["patience_seconds"] = patience
    data = {"name": "peak", "horizon_hours": 72, "warmup_hours": 0, "interval_minutes": 30,
            "lines": {"L": line},
            "pools": {"p": {"shifts": [{"name": "day", "start": "07:00", "hours": 12, "agents": 12},
                                       {"name": "night", "start": "19:00", "hours": 12, "agents": 3}]}}}
    data.update(extra)
    return sc.from_dict(data, "test")


def test_abandonment_equals_theta_times_total_wait():
    """Exponential patience: E[abandoned] = theta * E[total waiting time], interval by interval or not."""
    result = simulate(peaked({"dist": "exponential", "mean": 90}), replications=12, seed=4)
    abandoned = whole(result, "abandoned")
    total_wait = whole(result, "mean_wait_seconds") * whole(result, "offered")
    assert abandoned.mean() > 100           # the peak really overloads the pool
    ok, detail = within(abandoned - total_wait / 90.0, 0.0)
    assert ok, detail


def test_shift_roster_gives_the_agents_on_duty_per_interval():
    result = simulate(peaked(), replications=1, seed=1)
    staffed = per_interval(result, "agents_on_duty")[0]
    times = [f"{(k * 30) // 60 % 24:02d}:{k * 30 % 60:02d}" for k in range(len(staffed))]
    for t, seats in zip(times, staffed):
        assert seats == (12 if "07:00" <= t < "19:00" else 3), (t, seats)


def test_shifts_crossing_midnight_and_the_week_and_partial_intervals():
    s = sc.from_dict({
        "name": "roster", "horizon_hours": 168, "interval_minutes": 60,
        "lines": {"L": {"arrivals": {"per_hour": 1}, "pool": "p",
                        "handle_seconds": {"dist": "constant", "value": 60}}},
        "pools": {"p": {"shifts": [
            {"name": "night", "start": "22:00", "hours": 10, "days": ["sun"], "agents": 2},
            {"name": "weekday", "start": "08:30", "hours": 8, "days": ["mon", "tue", "wed", "thu", "fri"],
             "agents": 4}]}}}, "test")
    staffed = per_interval(simulate(s, replications=1), "agents_on_duty")[0]
    by_hour = staffed.reshape(7, 24)
    assert list(by_hour[0, :8]) == [2] * 8          # Sunday 22:00 + 10 h wraps into Monday 00:00-08:00
    assert list(by_hour[6, 22:]) == [2, 2]          # ... and starts on Sunday evening
    assert by_hour[0, 8] == 2.0                     # 08:00-09:00: 4 agents for half the hour
    assert list(by_hour[0, 9:16]) == [4] * 7 and by_hour[0, 16] == 2.0
    assert by_hour[5].sum() == 0                    # nobody on Saturday
    assert staffed.sum() == 2 * 10 + 5 * 4 * 8      # agent-hours in the week


def test_arriving_agents_take_the_queue_at_once_and_leaving_ones_finish_their_call():
    """Agents on duty only 08:00-09:00; nobody hangs up; talk lasts exactly 11 minutes."""
    s = sc.from_dict({
        "name": "window", "horizon_hours": 72, "interval_minutes": 30,
        "lines": {"L": {"arrivals": {"per_hour": 4}, "pool": "p",
                        "handle_seconds": {"dist": "constant", "value": 660}}},
        "pools": {"p": {"seats_by_interval": [0] * 16 + [2, 2] + [0] * 30}}}, "test")
    answered_at, waits = [], []

    def trace(block):
        out = block.outcomes()
        wait, answered = out["wait"], out["by"] >= 0
        times = np.asarray(block.times)
        answered_at.extend((times + wait)[answered])
        waits.extend(zip(times[answered], wait[answered]))

    Replication(s, seed=1, replication=0, trace=trace).run()
    clock = np.mod(answered_at, 86400)
    assert clock.min() >= 8 * 3600 and clock.max() < 9 * 3600      # only agents on duty answer
    assert (np.isclose(clock, 8 * 3600)).sum() >= 4                 # the overnight queue is taken at 08:00 sharp
    assert np.isclose(clock, 8 * 3600 + 55 * 60).any()              # taken at 08:55, it ends at 09:06 ...
    # ... and that agent then leaves: 2 agents x 6 calls (08:00, 08:11, ..., 08:55) a day at the most
    assert len(answered_at) <= 3 * 12
    first = min(waits, key=lambda tw: tw[0])
    assert np.isclose(first[0] + first[1], 8 * 3600)
