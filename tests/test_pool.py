"""Pools in SimPy's style: hand-built callers with constant times, exact waits and orders.

Each case gives the callers' arrival times, lines and talk times (``outcomes``) and checks
every call's outcome and wait to the microsecond: first come first served, priorities, the
agent free longest, shift changes and breaks, head counts, outbound reserve, and the
wake-ups a transfer or an overflow must give a pool.
"""

import copy
from functools import partial

import numpy as np
import pytest

from sim.input import scenario as sc
from sim.logs.replay import ReplaySource
from sim.model.engine import Replication

CONST = lambda value: {"dist": "constant", "value": value}          # noqa: E731


def outcomes(scenario, times, lines, talk):
    """Run the given callers (times in seconds, line indices, talk seconds) and return every call."""
    calls = []

    def trace(block):
        out = block.outcomes()
        for i, t in enumerate(block.times):
            calls.append({"t": t, "line": int(out["line"][i]), "by": int(out["by"][i]), "wait": out["wait"][i],
                          "xfer_by": int(out["xfer_by"][i]), "xfer_wait": out["xfer_wait"][i]})

    source = partial(_source, times=np.asarray(times, float), lines=np.asarray(lines), talk=np.asarray(talk, float))
    Replication(scenario, seed=1, replication=0, trace=trace, make_source=source, check=True).run()
    return sorted(calls, key=lambda c: c["t"])


def _source(scenario, routes, seed, replication, times, lines, talk):
    return ReplaySource(scenario, routes, seed, replication, times, lines, talk)


def scenario_of(lines, pools, **extra):
    data = {"name": "hand-built", "horizon_hours": 24, "warmup_hours": 0, "interval_minutes": 30,
            "lines": lines, "pools": pools}
    data.update(extra)
    return sc.from_dict(copy.deepcopy(data), "test")


def transfer_case(kind: str, **transfer):
    """Tax questions of 12345 put through to a sub-centre of one agent after 10 s of triage, no delay."""
    return scenario_of({"12345": {"arrivals": {"per_hour": 0}, "pool": "general", "handle_seconds": CONST(1),
                                  "categories": [{"name": "tax", "share": 1, "transfer_to": "12366"}]},
                        "12366": {"mode": "subcentre", "arrivals": {"per_hour": 0}, "pool": "tax",
                                  "handle_seconds": CONST(1)}},
                       {"general": {"seats": 5}, "tax": {"seats": 1}}, horizon_hours=1,
                       routing={"transfer": {"kind": kind, "triage_seconds": CONST(10), "delay_seconds": CONST(0),
                                             **transfer}})


@pytest.mark.parametrize("kind", ["cold", "warm"])
def test_a_pool_woken_only_by_a_transfer_answers_its_last_caller_when_its_agent_is_free(kind):
    """At the end of a one-hour run, two tax questions 5 s apart; one tax agent, busy 300 s with the
    first from 3,600 s: the second caller, transferred at 3,605 s (triage 10 s, no delay), is answered at
    3,900 s after 295 s, not left to hang up when the run ends.  Cold, the tax pool's future is known when
    the caller reaches it (answered by the agent who finishes first, decided then); warm, the first agent
    is held by an event and the caller waits in the queue for the pool's wake-up."""
    calls = outcomes(transfer_case(kind), [3590.0, 3595.0], [0, 0], [300.0, 300.0])
    assert [c["xfer_by"] for c in calls] == [1, 1]
    assert calls[0]["xfer_wait"] == 0.0 and calls[1]["xfer_wait"] == pytest.approx(295.0, abs=1e-9)


@pytest.mark.parametrize("kind", ["cold", "warm"])
@pytest.mark.parametrize("patience, answered", [(295.0, True), (294.999, False)])
def test_a_transferred_caller_whose_patience_ends_as_the_agent_frees_is_answered(kind, patience, answered):
    """The tax agent is busy from 3,010 s until 3,310 s; the second caller reaches it at 3,015 s: with 295 s
    of patience it is answered at 3,310 s (an agent's end comes before a hang-up), with 294.999 s it hangs up
    just before; a third caller, transferred at 3,110 s, is answered when the agent finishes the second's
    50 s call at 3,360 s, or at 3,310 s."""
    calls = outcomes(transfer_case(kind, patience_seconds=CONST(patience)), [3000.0, 3005.0, 3100.0],
                     [0, 0, 0], [300.0, 50.0, 20.0])
    assert (calls[1]["xfer_by"] == 1) is answered
    assert calls[1]["xfer_wait"] == pytest.approx(295.0 if answered else 294.999, abs=1e-9)
    assert calls[2]["xfer_by"] == 1
    assert calls[2]["xfer_wait"] == pytest.approx(250.0 if answered else 200.0, abs=1e-9)


def test_a_pool_woken_only_by_an_overflow_answers_the_overflowed_caller_when_its_agent_is_free():
    """b's agent is busy until 100 s; a's until 1010 s.  A caller of a at 20 s may overflow to b from
    50 s: b's agent takes it at 100 s (a wait of 80 s), not a's at 1010 s."""
    s = scenario_of({"A": {"arrivals": {"per_hour": 0}, "pool": "a", "handle_seconds": CONST(1)},
                     "B": {"arrivals": {"per_hour": 0}, "pool": "b", "handle_seconds": CONST(1)}},
                    {"a": {"seats": 1}, "b": {"seats": 1}},
                    routing={"overflow": [{"from": "a", "to": "b", "after_seconds": 30}]})
    calls = outcomes(s, [0.0, 10.0, 20.0], [1, 0, 0], [100.0, 1000.0, 50.0])
    assert [(c["by"], c["wait"]) for c in calls] == [(1, 0.0), (0, 0.0), (1, 80.0)]


LATE_CALL_SECONDS = 15 * 3600 + 300          # 15:05, five minutes after the early shift ends


def shift_change_calls(pools):
    """Two hour-long calls at 14:30 and 14:31, then one at 15:05 (patience: never hangs up)."""
    s = scenario_of({"L": {"arrivals": {"per_hour": 0}, "pool": "p", "handle_seconds": CONST(1)}}, pools)
    return outcomes(s, [14.5 * 3600, 14.5 * 3600 + 60, LATE_CALL_SECONDS], [0, 0, 0], [3600.0, 3600.0, 60.0])


def test_at_a_change_of_shift_the_continuing_agents_are_not_held_back():
    """Early shift 07:00-15:00 (2 agents), late shift 14:00-22:00 (1 agent).  The early agents, free
    longest, take the 14:30 and 14:31 calls and finish them after 15:00; the late agent is free, so the
    15:05 caller is answered at once."""
    calls = shift_change_calls({"p": {"shifts": [{"name": "early", "start": "07:00", "hours": 8, "agents": 2},
                                                 {"name": "late", "start": "14:00", "hours": 8, "agents": 1}]}})
    assert [c["wait"] for c in calls] == [0.0, 0.0, 0.0]


def test_a_head_count_drop_waits_until_fewer_agents_talk_than_are_on_duty():
    """The same agents as seats by interval (3 from 14:00, 1 from 15:00): nobody knows who leaves, so
    the first agents to finish leave; the 15:05 caller waits until the second hour-long call ends."""
    per_half_hour = [0] * 14 + [2] * 14 + [3, 3] + [1] * 14 + [0] * 4      # 07:00 2, 14:00 3, 15:00 1
    calls = shift_change_calls({"p": {"seats_by_interval": per_half_hour}})
    second_call_ends = 14.5 * 3600 + 60 + 3600
    assert calls[2]["wait"] == pytest.approx(second_call_ends - LATE_CALL_SECONDS, abs=1e-9)


def test_a_break_takes_a_talking_agent_after_the_call():
    """One agent whose break starts at 10:00 (30 minutes): the call in hand at 10:00 is finished, the
    next caller waits for the break to end."""
    pools = {"p": {"shifts": [{"start": "08:00", "hours": 8, "agents": 1,
                               "break": {"after_minutes": 120, "minutes": 30}}]}}
    s = scenario_of({"L": {"arrivals": {"per_hour": 0}, "pool": "p", "handle_seconds": CONST(1)}}, pools)
    calls = outcomes(s, [9.9 * 3600, 10.1 * 3600], [0, 0], [1200.0, 60.0])
    assert calls[0]["wait"] == 0.0
    assert calls[1]["wait"] == pytest.approx(10.5 * 3600 - 10.1 * 3600, abs=1e-9)




ONE = {"L": {"arrivals": {"per_hour": 0}, "pool": "p", "handle_seconds": CONST(1)}}


def test_first_come_first_served():
    """One agent busy until 100 s: the callers of 10 s and 20 s are answered at 100 s and 110 s."""
    calls = outcomes(scenario_of(ONE, {"p": {"seats": 1}}), [0.0, 10.0, 20.0], [0, 0, 0], [100.0, 10.0, 10.0])
    assert [c["wait"] for c in calls] == [0.0, 90.0, 90.0]


def test_the_more_urgent_caller_is_answered_first_then_first_come_first_served():
    lines = {"low": {"arrivals": {"per_hour": 0}, "pool": "p", "handle_seconds": CONST(1), "priority": 1},
             "high": {"arrivals": {"per_hour": 0}, "pool": "p", "handle_seconds": CONST(1), "priority": 0}}
    calls = outcomes(scenario_of(lines, {"p": {"seats": 1}}), [0.0, 10.0, 20.0], [0, 0, 1], [100.0, 10.0, 30.0])
    assert [(c["line"], c["wait"]) for c in calls] == [(0, 0.0), (0, 120.0), (1, 80.0)]


@pytest.mark.parametrize("patience, answered", [(90.0, True), (89.999, False)])
def test_a_caller_whose_patience_ends_as_an_agent_frees_is_answered(patience, answered):
    """Agent busy until 100 s, caller at 10 s: patience 90 s ends at 100 s, the agent's end comes first."""
    lines = {"L": {**ONE["L"], "patience_seconds": CONST(patience)}}
    calls = outcomes(scenario_of(lines, {"p": {"seats": 1}}), [0.0, 10.0], [0, 0], [90.0 + 10.0, 5.0])
    assert (calls[1]["by"] == 0) is answered
    assert calls[1]["wait"] == pytest.approx(90.0 if answered else 89.999, abs=1e-9)


def test_the_agent_free_longest_answers():
    """A (08:00-11:00) has been free longer than B (from 09:00): the 10:50 call goes to A, who finishes it in
    overtime; B takes 10:55; the 11:10 caller waits for B (11:15), not for A (11:20)."""
    pools = {"p": {"shifts": [{"name": "A", "start": "08:00", "hours": 3, "agents": 1},
                              {"name": "B", "start": "09:00", "hours": 8, "agents": 1}]}}
    at = lambda h, m: (h * 60 + m) * 60.0                                   # noqa: E731
    calls = outcomes(scenario_of(ONE, pools), [at(10, 50), at(10, 55), at(11, 10)], [0, 0, 0],
                     [1800.0, 1200.0, 60.0])
    assert [c["wait"] for c in calls] == [0.0, 0.0, pytest.approx(300.0, abs=1e-9)]


def test_agents_who_come_on_duty_take_the_queue_at_once():
    """One agent until 08:00, three from then: the callers of 07:55 and 07:56 are answered at 08:00."""
    seats = [1] * 16 + [3] * 32
    calls = outcomes(scenario_of(ONE, {"p": {"seats_by_interval": seats}}), [7.5 * 3600, 7.9 * 3600, 7.95 * 3600],
                     [0, 0, 0], [3600.0, 60.0, 60.0])
    assert [c["wait"] for c in calls] == [0.0, pytest.approx(360.0, abs=1e-9), pytest.approx(180.0, abs=1e-9)]


def test_outbound_work_keeps_its_reserve_free_for_callers():
    """Two agents, callbacks only while one stays free: the callback of the 20 s caller (who hangs up at 25 s)
    waits until both agents are free (1,010 s), so the caller of 1,005 s is answered at once."""
    lines = {"L": {**ONE["L"], "patience_seconds": CONST(5)}}
    s = scenario_of(lines, {"p": {"seats": 2}},
                    outbound={"callbacks": {"share": 1.0, "within_minutes": 30, "handle_seconds": CONST(100),
                                            "reserve_agents": 1}})
    calls = outcomes(s, [0.0, 10.0, 20.0, 1005.0], [0, 0, 0, 0], [1000.0, 1000.0, 10.0, 10.0])
    assert [(c["by"], c["wait"]) for c in calls] == [(0, 0.0), (0, 0.0), (-1, 5.0), (0, 0.0)]


def test_callers_who_hung_up_leave_the_queue_of_a_pool_with_nobody_on_duty():
    """With no agent to skip them, callers who hung up (and redialled) must not pile up in the queue, holding
    their blocks of calls: a few hours of redials once filled gigabytes."""
    s = sc.from_dict({
        "name": "nobody", "horizon_hours": 6, "interval_minutes": 30,
        "lines": {"12345": {"arrivals": {"per_hour": 200}, "pool": "general",
                            "handle_seconds": {"dist": "exponential", "mean": 120},
                            "patience_seconds": {"dist": "exponential", "mean": 1},
                            "redial": {"probability": 1, "max_redials": 20,
                                       "delay_seconds": {"dist": "constant", "value": 0}}}},
        "pools": {"general": {"seats": 0}}}, "nobody")
    rep = Replication(s, 1, 0)
    queued = []
    for hour in range(1, 6):
        rep.env.timeout(hour * 3600.0).callbacks.append(lambda _e: queued.append(len(rep.pools[0].queues[0])))
    counters = rep.run()
    assert counters.whole("lines", "offered").sum() > 20_000          # every attempt of about 1,000 callers
    assert max(queued) <= 50, queued                                   # only those whose patience still runs
