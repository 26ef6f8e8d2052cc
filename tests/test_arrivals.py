"""Arrival patterns, the clock, busyness and the duration laws."""

import numpy as np
import pytest

from sim.input import laws
from sim.input import scenario as sc
from sim.input.reader import Node
from sim.model import seeds
from sim.model.arrivals import CallSource, _time_order
from sim.model.routing import compile_routes


def source(arrivals, *, start=None, hours=168, interval=30, seed=1, replication=0):
    data = {"name": "a", "horizon_hours": hours, "interval_minutes": interval,
            "lines": {"L": {"arrivals": arrivals, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 60}}},
            "pools": {"p": {"seats": 1}}}
    if start:
        data["start"] = start
    s = sc.from_dict(data, "test")
    return s, CallSource(s, compile_routes(s), seed, replication)


def all_calls(src):
    times, intervals = [], []
    while (block := src.next_block()) is not None:
        times.extend(block.times)
        intervals.extend(block.interval.tolist())
    return np.asarray(times), np.asarray(intervals)


def test_per_hour_is_poisson_with_that_rate():
    s, src = source({"per_hour": 120}, hours=500)
    times, intervals = all_calls(src)
    assert abs(len(times) - 60000) < 4 * np.sqrt(60000)
    assert np.all(np.diff(times) >= 0)
    assert np.array_equal(intervals, (times // 1800).astype(int))
    gaps = np.diff(times)
    assert abs(gaps.std() / gaps.mean() - 1) < 0.02          # exponential gaps: cv 1


def test_per_interval_repeats_daily_and_weekly_on_the_clock():
    daily = list(range(48))
    s, src = source({"per_interval": daily})
    rates = src.rates_per_hour(0, np.arange(s.n_intervals))
    assert np.array_equal(rates, np.tile(daily, 7))
    weekly = list(range(336))
    s, src = source({"per_interval": weekly}, start="tue 08:00")
    rates = src.rates_per_hour(0, np.arange(s.n_intervals))
    assert rates[0] == 48 + 16                               # the horizon starts on Tuesday 08:00
    assert rates[336 - 64] == 0                              # ... and wraps to Monday 00:00 a week on


def test_start_time_lines_a_daily_profile_up_with_the_clock():
    s, src = source({"per_interval": list(range(48))}, start="08:00")
    assert src.rates_per_hour(0, np.array([0, 1]))[0] == 16


def test_per_day_with_hourly_profile_and_weekday_factors():
    profile = [1.0] * 24
    profile[9] = 3.0                                         # 09:00-10:00 three times as busy
    factors = [1, 1, 1, 1, 1, 0.5, 2]
    s, src = source({"per_day": 2600, "daily_profile": profile, "weekday_factors": factors})
    rates = src.rates_per_hour(0, np.arange(s.n_intervals)).reshape(7, 48)
    weight = sum(profile)                                    # 26: an ordinary hour takes 100 calls
    assert np.allclose(rates[0, :18], 2600 / weight)
    assert np.allclose(rates[0, 18:20], 3 * 2600 / weight)
    assert np.isclose(rates[0].sum() / 2, 2600)              # per hour over half hours
    assert np.isclose(rates[5].sum() / 2, 1300) and np.isclose(rates[6].sum() / 2, 5200)


def test_half_hourly_profile_and_hourly_intervals_agree():
    profile48 = list(np.repeat(np.arange(1, 25), 2))
    _, src = source({"per_day": 1000, "daily_profile": profile48}, interval=60)
    _, ref = source({"per_day": 1000, "daily_profile": list(range(1, 25))}, interval=60)
    k = np.arange(24)
    assert np.allclose(src.rates_per_hour(0, k), ref.rates_per_hour(0, k))


def test_busyness_makes_daily_volumes_over_dispersed_with_mean_one():
    s, src = source({"per_hour": 100, "busyness": {"dist": "gamma", "shape": 10}}, hours=24 * 400)
    times, _ = all_calls(src)
    daily = np.bincount((times // 86400).astype(int))
    # Poisson-gamma: var = m + m^2 / shape = 2400 + 576000
    assert abs(daily.mean() - 2400) < 4 * np.sqrt(578400 / 400)
    assert 0.7 < daily.var() / (2400 + 2400 ** 2 / 10) < 1.4
    _, plain = source({"per_hour": 100}, hours=24 * 400)
    plain_daily = np.bincount((all_calls(plain)[0] // 86400).astype(int))
    assert plain_daily.var() / plain_daily.mean() < 1.3      # without it: Poisson, variance = mean


def test_scale_multiplies_the_rates():
    _, src = source({"per_hour": 100, "scale": 1.55})
    assert np.allclose(src.rates_per_hour(0, np.arange(4)), 155)


def test_same_seed_same_callers_other_replication_other_callers():
    a = all_calls(source({"per_hour": 100}, hours=24)[1])[0]
    b = all_calls(source({"per_hour": 100}, hours=24)[1])[0]
    c = all_calls(source({"per_hour": 100}, hours=24, replication=1)[1])[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c[: len(a)])


def law(spec):
    return laws.parse(Node(spec, "test", "x"))


@pytest.mark.parametrize("spec, mean, cv", [
    ({"dist": "exponential", "mean": 200}, 200, 1.0),
    ({"dist": "lognormal", "mean": 200, "cv": 1.44}, 200, 1.44),
    ({"dist": "gamma", "mean": 200, "cv": 0.5}, 200, 0.5),
    ({"dist": "constant", "value": 42}, 42, 0.0),
    ({"dist": "uniform", "low": 100, "high": 300}, 200, (200 / np.sqrt(12)) / 200),
    ({"dist": "empirical", "values": [10, 20, 30, 40]}, 25, np.std([10, 20, 30, 40]) / 25),
])
def test_duration_laws_have_their_mean_and_cv(spec, mean, cv):
    x = law(spec).sample(np.random.default_rng(7), 400_000)
    assert abs(x.mean() / mean - 1) < 0.01
    assert abs(x.std() / x.mean() - cv) < 0.02 * max(cv, 1)
    assert law(spec).mean == pytest.approx(mean)


def test_mixture_and_patience_zero_share():
    m = law({"dist": "mixture", "components": [
        {"weight": 0.1, "dist": "constant", "value": 0},
        {"weight": 0.9, "dist": "exponential", "mean": 1000}]})
    x = m.sample(np.random.default_rng(3), 200_000)
    assert abs((x == 0).mean() - 0.1) < 0.003
    assert m.mean == pytest.approx(900)


def test_empirical_values_from_a_file(tmp_path):
    (tmp_path / "talk.txt").write_text("100\n200, 300\n\n400\n")
    d = laws.parse(Node({"dist": "empirical", "file": "talk.txt"}, "s.yaml", "x"), tmp_path)
    assert sorted(set(d.values)) == [100, 200, 300, 400]


def test_a_new_law_is_one_registered_class():
    """The registry is the one plug-in point: a law registered by name is read and sampled like the others."""
    from dataclasses import dataclass
    from typing import ClassVar

    @laws.law("triangular-test")
    @dataclass(frozen=True)
    class Triangular:
        low: float
        high: float
        fields: ClassVar[frozenset] = frozenset({"low", "high"})

        @classmethod
        def from_node(cls, node, base_dir):
            return cls(node.number("low"), node.number("high"))

        @property
        def mean(self):
            return (self.low + self.high) / 2

        def sample(self, rng, size):
            return rng.triangular(self.low, self.mean, self.high, size)

    try:
        d = laws.parse(Node({"dist": "triangular-test", "low": 60, "high": 180}, "test", "x"))
        assert isinstance(d, laws.Law) and d.mean == 120
        assert abs(d.sample(np.random.default_rng(1), 20000).mean() - 120) < 2
    finally:
        del laws.LAWS["triangular-test"]


def test_a_callers_category_is_drawn_as_numpy_choice_draws_it():
    """``LineDraws.pick`` skips ``Generator.choice``'s checks of the shares: it must draw the very same
    categories from the same numbers, or every scenario's callers would change with numpy."""
    from sim.model.arrivals import LineDraws
    data = {"name": "c", "horizon_hours": 24,
            "lines": {"L": {"arrivals": {"per_hour": 10}, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 60},
                            "categories": {"a": {"share": 0.2}, "b": {"share": 0.5}, "c": {"share": 0.3}}}},
            "pools": {"p": {"seats": 1}}}
    s = sc.from_dict(data, "test")
    routes = compile_routes(s)
    draws = LineDraws(routes, 0)
    shares = [routes.routes[g].category.share for g in routes.line_routes[0]]
    for n in (0, 1, 7, 5000):
        mine = draws.pick(np.random.default_rng(n), n)
        theirs = np.asarray(routes.line_routes[0])[np.random.default_rng(n).choice(3, size=n, p=shares)]
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    assert len(set(draws.pick(np.random.default_rng(9), 5000).tolist())) == 3


@pytest.mark.parametrize("seed", [0, 1, 7, 2**32 - 1, 2**32, 2**100 + 12345])
@pytest.mark.parametrize("width", [1, 3, 4, 6])
def test_generators_keyed_in_bulk_are_numpys_seed_sequence(seed, width):
    """``seeds.pcg64_states`` mixes many spawn keys at once: every state word is the one numpy's own
    ``SeedSequence(seed, spawn_key=key)`` generates, and the generator draws the same numbers."""
    keys = np.random.default_rng(width).integers(0, 2**32, size=(40, width))
    keys[0] = 0
    keys[1] = 2**32 - 1
    states = seeds.pcg64_states(seed, keys)
    for key, words in zip(keys.tolist(), states):
        sequence = np.random.SeedSequence(seed, spawn_key=key)
        assert np.array_equal(words, sequence.generate_state(4, np.uint64))
    key = keys[5].tolist()
    assert np.array_equal(seeds.generator(states[5]).random(8),
                          np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key)).random(8))
    assert seeds.pcg64_states(seed, np.asarray([[2**32]])) is None       # a key word too wide: not handled


def test_day_streams_are_seed_sequences_inside_and_outside_their_days():
    streams = seeds.DayStreams(3, 2, [11, 2**31 + 5], first_day=4, last_day=6, tag=1 << 30)
    for j, day in ((0, 4), (1, 6), (1, 3), (0, 9)):       # the last two outside the days worked out together
        expected = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(2, streams.line_keys[j], day, 1 << 30)))
        assert np.array_equal(streams(j, day).random(5), expected.random(5))


def test_calls_merge_in_time_order_and_ties_keep_their_order():
    """Lines' calls merge by time; calls at the same moment (a log's whole seconds) keep the order given."""
    assert _time_order(np.asarray([3.5, 0.25, 2.0, 7.0])).tolist() == [1, 2, 0, 3]
    assert _time_order(np.asarray([5.0, 1.0, 5.0, 0.0, 5.0, 1.0])).tolist() == [3, 1, 5, 0, 2, 4]
    assert _time_order(np.asarray([])).tolist() == []
