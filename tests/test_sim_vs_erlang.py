"""The simulator reproduces exact queueing figures within its confidence intervals.

Stationary single queues: Erlang C (nobody hangs up), Erlang A (exponential
patience) and Erlang B (patience 0: served at once or lost at once), each
including a large pool of 500+ agents.
"""

from pathlib import Path

import pytest
from conftest import single_queue, whole, within

from sim.input import scenario as sc
from sim.plan.erlang import erlang_a, erlang_b, erlang_c
from sim.run.runs import simulate

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("service_level", "abandon_rate", "asa_seconds", "mean_wait_seconds", "occupancy")


def assert_matches(result, exact):
    """Every checked figure of the total scope agrees with the exact value."""
    expected = {"service_level": exact.service_level, "abandon_rate": exact.p_abandon,
                "asa_seconds": exact.asa_seconds, "mean_wait_seconds": exact.mean_wait_seconds,
                "occupancy": exact.occupancy}
    for figure in CHECKED:
        values = whole(result, figure)
        if expected[figure] == 0:
            assert (values == 0).all(), figure
            continue
        ok, detail = within(values, expected[figure])
        assert ok, (figure, detail)


@pytest.mark.parametrize("per_hour, handle, agents, threshold, hours", [
    (200, 180, 14, 19.8, 100),          # EC1 of validation.md
    (360, 1 / 0.0033, 35, 20, 60),      # EC4
    (6000, 300, 520, 20, 4),            # 500 Erlangs on 520 agents
])
def test_erlang_c(per_hour, handle, agents, threshold, hours):
    s = single_queue(per_hour, handle, agents, hours=hours + 1, warmup=1, threshold=threshold)
    result = simulate(s, replications=10, seed=11)
    assert_matches(result, erlang_c(per_hour, handle, agents, threshold))


@pytest.mark.parametrize("per_hour, handle, patience, agents, hours", [
    (200, 180, 300, 14, 100),           # EA1 of validation.md
    (6000, 300, 120, 520, 4),           # the larger case of validation.md
])
def test_erlang_a(per_hour, handle, patience, agents, hours):
    s = single_queue(per_hour, handle, agents, patience, hours=hours + 1, warmup=1)
    result = simulate(s, replications=10, seed=12)
    assert_matches(result, erlang_a(per_hour, handle, patience, agents, 20))


def test_contract_scenario_runs_unchanged_and_matches_erlang_a():
    s = sc.load(ROOT / "scenarios" / "erlang-a-check.yaml")
    result = simulate(s, replications=4, seed=5)
    assert_matches(result, erlang_a(600, 300, 120, 52, 20))


def test_patience_zero_is_erlang_b_whatever_the_handle_law():
    s = sc.from_dict({
        "name": "loss", "horizon_hours": 201, "warmup_hours": 1,
        "lines": {"L": {"arrivals": {"per_hour": 240}, "pool": "p",
                        "handle_seconds": {"dist": "lognormal", "mean": 120, "cv": 2.0},
                        "patience_seconds": {"dist": "constant", "value": 0}}},
        "pools": {"p": {"seats": 10}}}, "test")
    result = simulate(s, replications=10, seed=3)
    ok, detail = within(whole(result, "abandon_rate"), erlang_b(10, 8.0))
    assert ok, detail
    assert (whole(result, "asa_seconds") == 0).all()   # nobody ever waits
