"""The merger model against known answers: pooling, parallel lines, transfers, priorities,
overflow, redials, outbound work and provincial lines."""

import copy
from pathlib import Path

import numpy as np
import pytest
from conftest import per_interval, whole, within

from sim.input import scenario as sc
from sim.model.engine import Replication
from sim.output.simulate import summary
from sim.plan.erlang import erlang_a
from sim.run.runs import simulate

EXP = lambda mean: {"dist": "exponential", "mean": mean}           # noqa: E731
CONST = lambda value: {"dist": "constant", "value": value}          # noqa: E731


def scenario(lines, pools, hours=41, warmup=1, **extra):
    data = {"name": "m", "horizon_hours": hours, "warmup_hours": warmup, "interval_minutes": 30,
            "service_level": {"threshold_seconds": 20, "target": 0.8}, "lines": lines, "pools": pools}
    data.update(extra)
    return sc.from_dict(copy.deepcopy(data), "test")


def figure(result, name, kind="total", ident="all"):
    return whole(result, name, kind, ident)


def check(result, exact, kind="total", ident="all"):
    for name, value in (("service_level", exact.service_level), ("abandon_rate", exact.p_abandon),
                        ("mean_wait_seconds", exact.mean_wait_seconds)):
        ok, detail = within(figure(result, name, kind, ident), value)
        assert ok, (kind, ident, name, detail)


def test_two_merged_lines_behave_like_one_erlang_a_queue():
    lines = {"a": {"mode": "merged", "arrivals": {"per_hour": 250}, "pool": "general",
                   "handle_seconds": EXP(300), "patience_seconds": EXP(120)},
             "b": {"mode": "merged", "arrivals": {"per_hour": 350}, "pool": "general",
                   "handle_seconds": EXP(300), "patience_seconds": EXP(120)}}
    result = simulate(scenario(lines, {"general": {"seats": 52}}), replications=10, seed=21)
    exact = erlang_a(600, 300, 120, 52, 20)
    check(result, exact)
    check(result, exact, kind="pool", ident="general")
    check(result, exact, kind="line", ident="b")          # Poisson arrivals see the same queue (PASTA)
    ok, detail = within(figure(result, "occupancy"), exact.occupancy)
    assert ok, detail


def test_two_parallel_lines_behave_like_two_independent_queues():
    lines = {"12333": {"mode": "parallel", "arrivals": {"per_hour": 200}, "pool": "hrss",
                       "handle_seconds": EXP(180), "patience_seconds": EXP(300)},
             "12345": {"arrivals": {"per_hour": 600}, "pool": "general",
                       "handle_seconds": EXP(300), "patience_seconds": EXP(120)}}
    result = simulate(scenario(lines, {"general": {"seats": 52}, "hrss": {"seats": 14}}, hours=61),
                      replications=10, seed=22)
    check(result, exact=erlang_a(200, 180, 300, 14, 20), kind="line", ident="12333")
    check(result, exact=erlang_a(600, 300, 120, 52, 20), kind="line", ident="12345")
    check(result, exact=erlang_a(200, 180, 300, 14, 20), kind="pool", ident="hrss")


@pytest.mark.parametrize("kind, first_agent_seconds", [("cold", 40), ("warm", 55)])
def test_a_transfer_adds_its_triage_and_delay(kind, first_agent_seconds):
    """Agents to spare everywhere: the caller reaches the tax agent after exactly triage + delay."""
    lines = {"12345": {"arrivals": {"per_hour": 60}, "pool": "general", "handle_seconds": CONST(200),
                       "categories": [{"name": "tax", "share": 1.0, "transfer_to": "12366"}]},
             "12366": {"mode": "subcentre", "arrivals": {"per_hour": 0}, "pool": "tax",
                       "handle_seconds": CONST(200)}}
    routing = {"transfer": {"kind": kind, "triage_seconds": CONST(40), "delay_seconds": CONST(15)}}
    result = simulate(scenario(lines, {"general": {"seats": 200}, "tax": {"seats": 200}}, hours=21,
                               routing=routing), replications=2, seed=1)
    assert np.allclose(figure(result, "asa_seconds", "line", "12345"), 0)
    assert np.allclose(figure(result, "transfer_wait_seconds", "line", "12345"), 15)
    assert np.allclose(figure(result, "time_to_resolver_seconds", "line", "12345"), 55)
    assert (figure(result, "transferred", "line", "12345") == figure(result, "answered", "line", "12345")).all()
    assert (figure(result, "transfer_abandoned", "line", "12345") == 0).all()
    # the first agent is busy for triage (cold) or until the tax agent answers (warm)
    busy = figure(result, "occupancy", "pool", "general") * 200 * 20 * 3600
    per_call = busy / figure(result, "answered", "line", "12345")
    assert np.allclose(per_call, first_agent_seconds, rtol=0.01)
    # the tax pool's queue counts the transferred callers, with their wait from the end of triage
    assert (figure(result, "offered", "pool", "tax") == figure(result, "transferred", "line", "12345")).all()


def test_callers_hang_up_during_a_slow_transfer():
    lines = {"12345": {"arrivals": {"per_hour": 60}, "pool": "general", "handle_seconds": CONST(200),
                       "categories": [{"name": "tax", "share": 1.0, "transfer_to": "12366",
                                       "transfer": {"kind": "cold", "triage_seconds": CONST(30),
                                                    "delay_seconds": CONST(60), "patience_seconds": EXP(60)}}]},
             "12366": {"mode": "subcentre", "arrivals": {"per_hour": 0}, "pool": "tax",
                       "handle_seconds": CONST(200)}}
    result = simulate(scenario(lines, {"general": {"seats": 50}, "tax": {"seats": 50}}, hours=101),
                      replications=5, seed=2)
    # nobody is answered before the 60 s connection: P(hang up) = 1 - exp(-60/60)
    share = figure(result, "transfer_abandoned", "line", "12345") / figure(result, "transferred", "line", "12345")
    ok, detail = within(share, 1 - np.exp(-1))
    assert ok, detail


def test_priorities_match_cobham():
    """One agent, two classes (0.2 and 0.6 calls/s, mean handle 1 s): time in system 2.0 and 6.0 s."""
    lines = {"high": {"arrivals": {"per_hour": 720}, "pool": "p", "handle_seconds": EXP(1), "priority": 0},
             "low": {"arrivals": {"per_hour": 2160}, "pool": "p", "handle_seconds": EXP(1), "priority": 1}}
    result = simulate(scenario(lines, {"p": {"seats": 1}}, hours=11), replications=10, seed=23)
    for line, time_in_system in (("high", 2.0), ("low", 6.0)):
        ok, detail = within(figure(result, "asa_seconds", "line", line) + 1.0, time_in_system)
        assert ok, (line, detail)


def test_overflow_answers_only_callers_who_waited_past_the_overflow_time():
    lines = {"12333": {"mode": "parallel", "arrivals": {"per_hour": 120}, "pool": "hrss",
                       "handle_seconds": EXP(240), "patience_seconds": EXP(300)},
             "12345": {"arrivals": {"per_hour": 100}, "pool": "general", "handle_seconds": EXP(240),
                       "patience_seconds": EXP(300)}}
    pools = {"hrss": {"seats": 7}, "general": {"seats": 12}}
    rule = {"overflow": [{"from": "hrss", "to": "general", "after_seconds": 30, "handle_factor": 1.2}]}
    plain = simulate(scenario(lines, pools), replications=6, seed=24)
    spill = simulate(scenario(lines, pools, routing=rule), replications=6, seed=24)
    overflowed = figure(spill, "overflowed", "line", "12333")
    assert overflowed.min() > 0
    waits = []

    def trace(block):
        out = block.outcomes()
        chosen = (out["line"] == 0) & (out["by"] == 1)           # 12333 callers answered by general
        waits.extend(out["wait"][chosen])

    Replication(scenario(lines, pools, routing=rule), seed=24, replication=0, trace=trace).run()
    assert len(waits) > 50 and min(waits) >= 30
    assert (figure(spill, "overflowed", "line", "12345") == 0).all()
    # overflowed callers waited at least 30 s, so fewer short waits cannot appear; they are served sooner
    assert figure(spill, "abandon_rate", "line", "12333").mean() < figure(plain, "abandon_rate", "line", "12333").mean()
    assert figure(spill, "service_level", "line", "12345").mean() < figure(plain, "service_level", "line", "12345").mean()


def test_an_overflow_rule_that_never_fires_changes_nothing():
    lines = {"12333": {"arrivals": {"per_hour": 120}, "pool": "hrss", "handle_seconds": EXP(240),
                       "patience_seconds": {"dist": "uniform", "low": 0, "high": 100}},
             "12345": {"arrivals": {"per_hour": 100}, "pool": "general", "handle_seconds": EXP(240)}}
    pools = {"hrss": {"seats": 7}, "general": {"seats": 12}}
    rule = {"overflow": [{"from": "hrss", "to": "general", "after_seconds": 101}]}
    a = summary(simulate(scenario(lines, pools), replications=3, seed=5))
    b = summary(simulate(scenario(lines, pools, routing=rule), replications=3, seed=5))
    assert a["lines"] == b["lines"] and a["pools"] == b["pools"]


def _redial_lines(redial):
    line = {"arrivals": {"per_hour": 600}, "pool": "general", "handle_seconds": EXP(300),
            "patience_seconds": EXP(60)}
    if redial is not None:
        line["redial"] = redial
    return {"12345": line}


def test_redial_probability_zero_changes_nothing():
    pools = {"general": {"seats": 48}}
    a = summary(simulate(scenario(_redial_lines(None), pools, hours=11), replications=3, seed=6))
    b = summary(simulate(scenario(_redial_lines({"probability": 0, "delay_seconds": EXP(60), "max_redials": 3}),
                                  pools, hours=11), replications=3, seed=6))
    assert a == b


def test_redials_count_as_calls_but_not_as_callers():
    redial = {"probability": 1.0, "delay_seconds": EXP(120), "max_redials": 50}
    result = simulate(scenario(_redial_lines(redial), {"general": {"seats": 55}}, hours=21), replications=4, seed=7)
    offered, callers = figure(result, "offered"), figure(result, "callers")
    redials, abandoned = figure(result, "redials"), figure(result, "abandoned")
    assert (offered == callers + redials).all()
    # everyone who hangs up tries again (the few still due after the horizon aside)
    assert np.allclose(redials, abandoned, rtol=0.02)
    assert (figure(result, "callers_served_share") > 0.99).all()


def test_callbacks_of_missed_calls_and_return_visits():
    lines = {"12345": {"arrivals": {"per_hour": 600}, "pool": "general", "handle_seconds": EXP(240),
                       "patience_seconds": EXP(60)}}
    outbound = {"callbacks": {"share": 1.0, "within_minutes": 30, "handle_seconds": CONST(60)},
                "return_visits": {"share": 0.25, "after_hours": 24, "within_hours": 48,
                                  "handle_seconds": CONST(120), "hours": ["09:00", "18:00"]}}
    result = simulate(scenario(lines, {"general": {"seats": 45}}, hours=97, warmup=1, outbound=outbound),
                      replications=3, seed=8)
    created, made, on_time = (figure(result, n) for n in ("outbound_created", "outbound_made", "outbound_on_time"))
    answered, abandoned = figure(result, "answered"), figure(result, "abandoned")
    expected = abandoned + 0.25 * answered
    assert np.allclose(created, expected, rtol=0.03)
    assert (made <= created).all() and (on_time <= made).all() and made.min() > 0
    hours = figure(result, "outbound_agent_hours")
    assert hours.min() > 0 and (figure(result, "outbound_share") < 1).all()
    # return visits are made only 09:00-18:00; callbacks at any time
    made = per_interval(result, "outbound_made")
    night = [k for k in range(made.shape[1]) if (k + 2) % 48 < 18]    # 00:00-09:00 (warm-up: 1 h)
    assert made[:, night].sum() > 0                # callbacks happen at night too


def _sums_with_jobs_placed(s, seed: int, later: bool) -> dict:
    model = Replication(s, seed, 0)
    work = model.outbound_work
    if not later:               # every job an answer triggers placed at its creation, one by one
        work.handled_kinds = [(k, share, None) for k, share, _ in work.handled_kinds]
        work.later_kinds = []
    else:
        assert work.later_kinds, "the case must create jobs for later"
    return model.run().sums()


@pytest.mark.parametrize("case", ["fuyang", "seats", "shifts"])
def test_jobs_created_for_later_are_placed_exactly_as_one_by_one(case):
    """Return visits due a day (or two hours) after the answer are placed among the pending jobs in bulk at an
    interval boundary (``OutboundWork.place_later``): every sum equals placing each job when it is created,
    including jobs beyond the horizon, visits answered ahead of time, and hours that push availability on.
    Agents to spare (seats) make jobs as they become available; a queue answered at once by a shift that
    comes (shifts) creates visits due at the same moment, which keep their order of creation."""
    if case == "fuyang":
        s = sc.load(Path(__file__).resolve().parents[1] / "scenarios" / "fuyang" / "plan.yaml")
    else:
        lines = {"12345": {"arrivals": {"per_hour": 200 if case == "seats" else 300}, "pool": "general", "handle_seconds": EXP(240),
                           "patience_seconds": EXP(120)},
                 "12366": {"arrivals": {"per_hour": 60}, "pool": "general", "handle_seconds": EXP(300)}}
        pools = ({"general": {"seats": 24}} if case == "seats" else
                 {"general": {"shifts": [{"start": "00:00", "hours": 12, "agents": 16},
                                         {"start": "12:00", "hours": 12, "agents": 34}]}})
        outbound = {"callbacks": {"share": 1.0, "within_minutes": 30, "handle_seconds": EXP(60)},
                    "return_visits": {"share": 0.3, "after_hours": 2, "within_hours": 6, "handle_seconds": EXP(120),
                                      "hours": ["09:00", "18:00"], "reserve_agents": 1}}
        s = scenario(lines, pools, hours=50, outbound=outbound)
    placed, one_by_one = (_sums_with_jobs_placed(s, 5, later) for later in (True, False))
    assert placed.keys() == one_by_one.keys()
    for key in placed:
        assert np.array_equal(placed[key], one_by_one[key]), key
    assert one_by_one["day/pools/outbound_made"].sum() > 100


def test_outbound_waits_while_inbound_callers_wait():
    """Overloaded agents never get to outbound work, yet inbound is unaffected by it."""
    lines = {"12345": {"arrivals": {"per_hour": 900}, "pool": "general", "handle_seconds": EXP(240),
                       "patience_seconds": EXP(600)}}
    outbound = {"callbacks": {"share": 1.0, "within_minutes": 30, "handle_seconds": CONST(600)}}
    pools = {"general": {"seats": 40}}
    with_out = simulate(scenario(lines, pools, hours=11, outbound=outbound), replications=3, seed=9)
    without = simulate(scenario(lines, pools, hours=11), replications=3, seed=9)
    assert figure(with_out, "outbound_created").min() > 100
    assert figure(with_out, "outbound_made").max() < 0.02 * figure(with_out, "outbound_created").min()
    # agents only take outbound calls when nobody waits, so inbound hardly changes
    assert abs(figure(with_out, "service_level").mean() - figure(without, "service_level").mean()) < 0.02


def test_provincial_lines_are_counted_not_staffed():
    lines = {"12345": {"arrivals": {"per_hour": 100}, "pool": "general", "handle_seconds": EXP(200)},
             "12348": {"mode": "provincial", "arrivals": {"per_hour": 30}}}
    result = simulate(scenario(lines, {"general": {"seats": 10}}, hours=101), replications=3, seed=10)
    prov = figure(result, "offered", "line", "12348")
    assert abs(prov.mean() - 3000) < 4 * np.sqrt(3000)
    assert np.isnan(figure(result, "service_level", "line", "12348")).all()
    assert (figure(result, "offered") == figure(result, "offered", "line", "12345")).all()
    data = summary(result)
    assert set(data["lines"]["12348"]) == {"offered"}


def test_common_random_numbers_share_callers_across_structures():
    """Two scenarios that differ only in seats see the very same calls."""
    lines = {"12345": {"arrivals": {"per_hour": 300}, "pool": "general", "handle_seconds": EXP(300),
                       "patience_seconds": EXP(120)}}
    a = simulate(scenario(lines, {"general": {"seats": 24}}), replications=3, seed=3)
    b = simulate(scenario(lines, {"general": {"seats": 30}}), replications=3, seed=3)
    assert (figure(a, "offered") == figure(b, "offered")).all()
    assert (figure(b, "service_level") > figure(a, "service_level")).all()
