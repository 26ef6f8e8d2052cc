"""sim.plan.erlang against every reference case of docs/validation.md, to the digits given."""

import math

import pytest

from sim.plan.erlang import agents_for_target, erlang_a, erlang_b, erlang_c


def close(value, expected, digits):
    """Equal when rounded to the number of decimals the reference gives."""
    return abs(value - expected) <= 0.5 * 10 ** -digits + 1e-15


# Units: validation.md gives "100 per 30 min" -> 200 per hour, "3 min" -> 180 s, "0.33 min" -> 19.8 s.
@pytest.mark.parametrize("case, per_hour, handle, n, t, expected", [
    ("EC1", 200, 180, 14, 19.8, {"p_wait": (0.174132, 6), "service_level": (0.887853, 6),
                                 "asa_seconds": (0.130599 * 60, 4), "occupancy": (0.714, 3)}),
    ("EC2", 200, 180, 15, 19.8, {"p_wait": (0.102042, 6), "service_level": (0.941127, 6),
                                 "occupancy": (0.667, 3)}),
    ("EC3", 100, 180, 10, None, {"p_wait": (0.03610535915832015, 14)}),
    ("EC4", 360, 1 / 0.0033, 35, 20, {"p_wait": (0.3121925015328496, 13),
                                      "service_level": (0.7710233599946846, 13)}),
    ("EC5", 360, 1 / 0.0033, 40, 20, {"p_wait": (0.06278834613535761, 13),
                                      "service_level": (0.9668921807646333, 13)}),
    # "120 per unit, handle 1/5 unit": any time unit works, take the hour
    ("EC6", 120, 3600 / 5, 35, None, {"p_wait": (0.023521116861458607, 14)}),
    ("EC7", 90, 3600 / 3.0033, 35, None, {"p_wait": (0.2816872350258893, 14)}),
])
def test_erlang_c_reference_cases(case, per_hour, handle, n, t, expected):
    f = erlang_c(per_hour, handle, n, t)
    for name, (value, digits) in expected.items():
        assert close(getattr(f, name), value, digits), (case, name, getattr(f, name), value)


def test_erlang_a_ea1():
    f = erlang_a(200, 180, 300, 14, 20)
    assert close(f.p_wait, 0.14526, 5)
    assert close(f.p_abandon, 0.013984, 6)
    assert close(f.occupancy, 0.704297, 6)
    assert close(f.mean_wait_seconds / 60, 0.069919, 6)
    assert close(f.service_level, 0.916792, 6)


def test_erlang_a_ea2_waiting_room():
    f = erlang_a(360, 240, 300, 28, 20, waiting_room=80)
    assert close(f.mean_queue, 0.6833261838358367, 13)
    in_system = f.mean_queue + f.occupancy * f.agents
    assert close(in_system, 24.136665236767172, 12)
    assert close(f.mean_wait_seconds, 6.833261838358366, 12)
    # validation.md: exact SL(20 s) as P(served within 20 s) is 0.86002
    assert close(f.service_level, 0.86002, 5)


def test_erlang_a_ea3():
    f = erlang_a(360, 240, 30, 25, 20, waiting_room=80)
    assert close(f.p_abandon, 0.09759081562546817, 13)


def test_erlang_a_large_case():
    f = erlang_a(6000, 300, 120, 520, 20)
    assert close(f.p_wait, 0.15402, 5)
    assert close(f.p_abandon, 0.00666, 5)
    assert close(f.mean_wait_seconds, 0.799, 3)
    assert close(f.service_level, 0.99239, 5)
    assert close(f.asa_seconds, 0.775, 3)


def test_abandonment_invariant_and_limits():
    f = erlang_a(600, 300, 120, 52, 20)
    assert math.isclose(f.p_abandon, f.mean_wait_seconds / 120, rel_tol=1e-12)
    # very patient callers: Erlang A tends to Erlang C
    a, c = erlang_a(200, 180, 1e9, 14, 20), erlang_c(200, 180, 14, 20)
    assert abs(a.p_wait - c.p_wait) < 1e-6 and abs(a.service_level - c.service_level) < 1e-6


def test_erlang_b_known_value():
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert math.isclose(erlang_b(2, 1.0), 0.2, rel_tol=1e-12)


def test_unstable_erlang_c_waits_forever():
    f = erlang_c(500, 180, 20, 20)   # 25 Erlangs on 20 agents
    assert f.p_wait == 1 and f.service_level == 0 and math.isinf(f.asa_seconds)


def test_fewest_agents_is_the_boundary():
    f = agents_for_target(6000, 300, 120, 20, 0.95, 0.01)
    below = erlang_a(6000, 300, 120, f.agents - 1, 20)
    assert f.service_level >= 0.95 and f.p_abandon <= 0.01
    assert below.service_level < 0.95 or below.p_abandon > 0.01
    assert agents_for_target(200, 180, None, 19.8, 0.9).agents == 15   # EC1/EC2: 14 gives 0.888, 15 gives 0.941


def test_target_of_one_hundred_percent_is_refused():
    with pytest.raises(ValueError, match="100%"):
        agents_for_target(200, 180, None, 20, 1.0)


# Large loads: 95,000 calls an hour of 300 s is 7,917 Erlangs (a province's merged hotline at its peak).
# The references below are computed independently of sim.plan.erlang, by the textbook recurrences in plain floats.

def erlang_b_by_recurrence(n: int, a: float) -> float:
    """B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): stable for any load, one step per agent."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_a_by_birth_death(lam: float, mu: float, theta: float, n: int) -> tuple[float, float]:
    """(P(wait), P(abandon)) of M/M/n+M from its stationary distribution, summed in log space."""
    logs = [0.0]                                    # log pi_k / pi_0 for k = 0 .. n
    for k in range(1, n + 1):
        logs.append(logs[-1] + math.log(lam / (k * mu)))
    j, queue = 0, [logs[-1]]                        # log pi_{n+j} / pi_0 for j = 0, 1, ...
    while j < 20 or queue[-1] > max(queue) - 50:
        j += 1
        queue.append(queue[-1] + math.log(lam / (n * mu + j * theta)))
    top = max(max(logs), max(queue))
    below = sum(math.exp(x - top) for x in logs[:-1])
    waiting = sum(math.exp(x - top) for x in queue)
    mean_queue = sum(i * math.exp(x - top) for i, x in enumerate(queue))
    total = below + waiting
    return waiting / total, theta * (mean_queue / total) / lam


@pytest.mark.parametrize("a", [7916.666666666667, 20_000.0, 100_000.0])
@pytest.mark.parametrize("position", [-3.0, 0.0, 1.0, 3.0])
def test_erlang_b_and_c_at_large_loads_match_the_recurrence(a, position):
    n = max(1, int(a + position * math.sqrt(a)))
    b = erlang_b_by_recurrence(n, a)
    assert math.isclose(erlang_b(n, a), b, rel_tol=1e-9), (n, a)
    if n > a:
        rho = a / n
        c = b / (1 - rho * (1 - b))
        assert math.isclose(erlang_c(a * 12, 300, n).p_wait, c, rel_tol=1e-9), (n, a)


def test_erlang_b_far_below_and_far_above_the_load():
    assert math.isclose(erlang_b(180_000, 200_000.0), erlang_b_by_recurrence(180_000, 200_000.0), rel_tol=1e-9)
    assert erlang_b(300_000, 200_000.0) == 0.0          # below the smallest double, not an error


@pytest.mark.parametrize("n", [7_000, 7_145, 7_900])
def test_erlang_a_at_95000_calls_an_hour_matches_the_birth_death_chain(n):
    f = erlang_a(95_000, 300, 120, n, 15)
    p_wait, p_abandon = erlang_a_by_birth_death(95_000 / 3600, 1 / 300, 1 / 120, n)
    assert math.isclose(f.p_wait, p_wait, rel_tol=1e-9)
    assert math.isclose(f.p_abandon, p_abandon, rel_tol=1e-9)
    assert 0 <= f.service_level <= 1


def test_fewest_agents_at_95000_calls_an_hour():
    c = agents_for_target(95_000, 300, None, 15, 0.8)
    assert erlang_c(95_000, 300, c.agents, 15).service_level >= 0.8 > erlang_c(95_000, 300, c.agents - 1, 15).service_level
    a = agents_for_target(95_000, 300, 120, 15, 0.8)
    assert a.service_level >= 0.8 > erlang_a(95_000, 300, 120, a.agents - 1, 15).service_level
    assert a.agents < c.agents                       # hang-ups shorten the queue


def test_search_reaches_loads_beyond_a_hundred_thousand_agents():
    f = agents_for_target(2_000_000, 300, None, 15, 0.8)
    assert f.agents > 166_667 and f.service_level >= 0.8


def test_impossible_abandon_ceiling_is_refused_at_once():
    with pytest.raises(ValueError, match="ceiling of 0"):
        agents_for_target(600, 300, 120, 20, 0.8, 0.0)


def test_a_talk_time_near_zero_gives_a_table_not_an_overflow():
    """A millisecond of talk (the least a mean may be): agents are free at once, and the waiting states start at
    none (hunt of 2026-12-05; 1e-300 s gave an overflow, and is now refused in one line as a scenario's mean is)."""
    from click.testing import CliRunner

    from sim.cli import main
    result = CliRunner().invoke(main, ["erlang", "--per-hour", "600", "--handle-seconds", "0.001",
                                       "--patience-seconds", "1e7", "--rows", "100"])
    assert result.exit_code == 0, result.output
    assert "100.0%" in result.output
    refused = CliRunner().invoke(main, ["erlang", "--per-hour", "600", "--handle-seconds", "1e-300"])
    assert refused.exit_code == 2 and "--handle-seconds" in refused.output
