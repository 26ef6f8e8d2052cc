"""The seat planner: requirements against Erlang A, the integer programme, the peak, and bad input."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from conftest import whole

from sim.cli import main
from sim.input import scenario as sc
from sim.input.spec import Planning, ShiftType
from sim.plan.erlang import agents_for_target
from sim.plan.planner import plan
from sim.plan.requirements import (
    analytic,
    check_intervals,
    corrected,
    pool_loads,
    with_staffing,
)
from sim.plan.rosters import solve
from sim.run.runs import simulate

ROOT = Path(__file__).resolve().parents[1]
EXP = lambda mean: {"dist": "exponential", "mean": mean}           # noqa: E731
HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]


def base(lines, planning, **extra):
    data = {"name": "p", "horizon_hours": 48, "warmup_hours": 0, "interval_minutes": 30,
            "service_level": {"threshold_seconds": 20, "target": 0.8}, "max_abandon_rate": 0.05,
            "replications": 6, "lines": lines, "pools": {"p": {"seats": 1}}, "planning": planning}
    data.update(extra)
    return data


def test_stationary_requirement_is_the_erlang_a_answer():
    lines = {"L": {"arrivals": {"per_hour": 360}, "pool": "p", "handle_seconds": EXP(240),
                   "patience_seconds": EXP(180)}}
    s = sc.from_dict(base(lines, {"shifts": [{"starts": ["00:00"], "hours": 24}]}, horizon_hours=24), "t")
    erlang = agents_for_target(360, 240, 180, 20, 0.8, 0.05).agents
    sipp = analytic(s, pool_loads(s))["p"]
    assert erlang == 27 and (sipp == erlang).all()
    need, rounds = corrected(s, {"p": sipp}, replications=6, seed=1)
    # The simulation has nothing real to correct; each of the 48 half hours is judged at 95% on its own, so a
    # false alarm or two may add one agent there (seed 1: one half hour's abandonment interval starts at 5.1%
    # against the exact 3.9%), never more, and never elsewhere.
    extra = need["p"] - erlang
    assert rounds <= 2 and extra.min() == 0 and extra.max() <= 1 and (extra[need["p"] > 0] == 1).sum() <= 2


def test_one_shift_covering_the_whole_day_gives_the_obvious_roster():
    rng = np.random.default_rng(4)
    requirement = rng.integers(0, 30, 336)
    whole_day = ShiftType("day", (0,), 24 * 60, 0, (0, 0), 1.0, tuple(range(7)))
    roster = solve("p", requirement, Planning((whole_day,), None, 0.0, "interval", 3, None), 30)
    per_day = requirement.reshape(7, 48).max(axis=1)
    assert sorted((r.days[0], r.agents) for r in roster.rows) == [(d, int(n)) for d, n in enumerate(per_day) if n]
    assert roster.cost == pytest.approx(24 * per_day.sum()) and roster.mip_gap <= 1e-4
    # three 8-hour shifts: each must match the busiest interval it covers
    eights = ShiftType("eight", (0, 480, 960), 480, 0, (0, 0), 1.0, tuple(range(7)))
    roster = solve("p", requirement, Planning((eights,), None, 0.0, "interval", 3, None), 30)
    assert roster.paid_hours == pytest.approx(8 * requirement.reshape(21, 16).max(axis=1).sum())
    assert (roster.on_phones >= requirement).all()


def test_breaks_and_work_days_are_respected():
    requirement = np.full(336, 4)
    day = ShiftType("day", (0, 480, 960), 480, 60, (180, 300), 1.0, tuple(range(7)))
    roster = solve("p", requirement, Planning((day,), 5, 0.3, "interval", 3, None), 30)
    assert (roster.on_phones >= requirement).all()
    assert all(len(r.days) == 5 for r in roster.rows)
    breaks = [e["break"]["after_minutes"] for e in roster.planned_shifts]
    assert breaks and all(180 <= b <= 300 for b in breaks)
    # at work minus on break: somebody is always on a break in some shift, so more are at work
    assert (roster.at_work >= roster.on_phones).all() and (roster.at_work > roster.on_phones).any()


def peak_scenario():
    rates = [60] * 16 + [600] * 2 + [60] * 30             # a sharp 08:00-09:00 peak, every day
    lines = {"L": {"arrivals": {"per_interval": rates}, "pool": "p", "handle_seconds": EXP(300),
                   "patience_seconds": EXP(600)}}
    return sc.from_dict(base(lines, {"shifts": [{"name": "hour", "starts": HALF_HOURS, "hours": 1}]},
                             replications=8), "peak")


def test_after_a_morning_peak_simulation_needs_more_than_sipp_and_the_verified_roster_meets_every_target():
    s = peak_scenario()
    result = plan(s)
    after_peak = [18, 18 + 48]                               # 09:00 on both days
    assert (result.corrected["p"][after_peak] > result.sipp["p"][after_peak]).all()
    assert result.targets_met and not result.check.any_missed()
    sipp_run = simulate(with_staffing(s, {"p": result.sipp["p"]}), 8, s.seed)
    sipp_check = check_intervals(s, sipp_run)
    assert set(np.flatnonzero(sipp_check.missed["p"])) & set(after_peak)


def write(tmp_path, data, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def run_plan(*args):
    result = CliRunner().invoke(main, ["plan", *map(str, args)])
    return result.exit_code, result.output


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["planning"].update(shifts=[{"name": "day", "starts": ["07:00"], "hours": 12}]),
     "planning.shifts", "needs agents on Mon 00:00 and 167 more intervals"),
    # with day goals the solver's own words came out ("The problem is infeasible. (HiGHS Status 8: ...")
    (lambda d: d["planning"].update(shifts=[{"name": "day", "starts": ["07:00"], "hours": 12}], targets="day"),
     "planning.shifts", "needs agents on Mon 00:00 and 167 more intervals"),
    (lambda d: d["service_level"].update(target=1.0), "service_level.target", "100% cannot be met"),
    (lambda d: d["planning"].update(shifts=[{"name": "long", "starts": ["07:00"], "hours": 30}]),
     "planning.shifts[0].hours", "cannot be longer than 24 hours"),
    (lambda d: d.pop("planning"), "planning", "is missing"),
    (lambda d: d["planning"].update(shifts=[{"name": "d", "starts": ["00:00", "12:00"], "hours": 12,
                                             "break": {"minutes": 60, "within_hours": [11, 11]}}]),
     "planning.shifts", "once their agents take their breaks: where a shift's break must fall"),
    # with day goals, the same break gave HiGHS's words and "allow more shift types" (an outside hunt)
    (lambda d: d["planning"].update(shifts=[{"name": "d", "starts": ["00:00", "12:00"], "hours": 12,
                                             "break": {"minutes": 60, "within_hours": [11, 11]}}], targets="day"),
     "planning.shifts", "once their agents take their breaks: where a shift's break must fall"),
])
def test_impossible_plans_say_what_and_where(tmp_path, change, field, words):
    lines = {"L": {"arrivals": {"per_hour": 10}, "pool": "p", "handle_seconds": EXP(200)}}
    data = base(lines, {"shifts": [{"starts": ["00:00"], "hours": 24}]})
    change(data)
    path = write(tmp_path, data)
    code, output = run_plan(path, "--out", tmp_path / "out")
    assert code == 2, output
    assert f"{path}: {field}:" in output and words in output, output
    assert "Traceback" not in output


def invoke_cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_plan_command_writes_everything_and_planned_yaml_runs(tmp_path):
    s = peak_scenario()
    path = write(tmp_path, s.raw)
    out = tmp_path / "plan"
    code, output = run_plan(path, "--out", out, "-r", "4")
    assert code == 0, output
    data = json.loads((out / "plan.json").read_text())
    for key in ("headcount", "headcount_with_shrinkage", "seats", "agent_hours", "cost", "iterations",
                "mip_gap", "targets_met", "verified"):
        assert key in data, key
    assert data["verified"]["total"]["service_level"]["mean"] > 0.8
    # 48 hours verified, and said so: "every target met" holds where verification looked
    assert data["verified_span"]["hours"] == 48 and data["verified_span"]["from"] == "Mon 00:00"
    assert not data["verified_span"]["whole_week"]
    assert "in the 48 hours verified, from Mon 00:00; the week's other 120 hours" in output
    header = (out / "requirements.csv").read_text().splitlines()[0]
    assert header.startswith("pool,interval,weekday,time,offered_load_erlangs,analytic_agents,"
                             "simulation_corrected_agents")
    assert (out / "roster.csv").read_text().startswith("pool,shift,start,weekdays,agents")
    planned = sc.load(out / "planned.yaml")
    assert (planned.pools["p"].week_agents.reshape(-1, 30)[:, 0] >= 0).all()
    rerun = simulate(planned, 2, 1)
    assert whole(rerun, "offered").min() > 0
    for png in ("requirements.png", "heatmap.png", "roster.png"):
        assert (out / png).stat().st_size > 10_000
    # the verified scenario is the roster that was verified: run again, it gives the verified figures
    verified = json.loads((out / "verified" / "summary.json").read_text())
    code, output = invoke_cli("simulate", out / "verified" / "scenario.yaml", "-r", str(verified["replications"]),
                              "--seed", str(verified["seed"]), "--out", tmp_path / "again", "--workers", "1")
    assert code == 0, output
    assert (tmp_path / "again" / "summary.json").read_text() == (out / "verified" / "summary.json").read_text()
    assert "shifts" in (out / "verified" / "scenario.yaml").read_text()


def test_the_fuyang_plan_is_planned_end_to_end(tmp_path):
    code, output = run_plan(ROOT / "scenarios" / "fuyang" / "plan.yaml", "--out", tmp_path / "fy", "-r", "2")
    assert code == 0, output
    data = json.loads((tmp_path / "fy" / "plan.json").read_text())
    assert set(data["pools"]) == {"general", "hrss", "transport", "market", "health", "urban", "tax"}
    assert data["headcount_with_shrinkage"] >= data["headcount"] / 0.7 - 1e-9


def test_requirement_at_95000_calls_an_hour_with_patience_is_the_erlang_a_answer():
    """Once a math domain error: Erlang B of 7,917 Erlangs underflowed on the way to Erlang A."""
    lines = {"L": {"arrivals": {"per_hour": 95_000}, "pool": "p", "handle_seconds": EXP(300),
                   "patience_seconds": EXP(120)}}
    s = sc.from_dict(base(lines, {"shifts": [{"starts": ["00:00"], "hours": 24}]}, horizon_hours=24), "t")
    erlang = agents_for_target(95_000, 300, 120, 20, 0.8, 0.05).agents
    assert 7_000 < erlang < 8_000
    assert (analytic(s, pool_loads(s))["p"] == erlang).all()


PEAKED = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 3, 6.5, 9, 9.5, 8.5, 6, 6.5, 8.5, 8.5, 7.5, 6, 4.5, 4, 3.5, 2.8, 2, 1.4]


def peaked_day(targets: str, **planning) -> sc.Scenario:
    """A plain peaked day of 5,000 calls, 8-hour shifts starting on any hour (no breaks, any day)."""
    lines = {"L": {"arrivals": {"per_day": 5000, "daily_profile": PEAKED}, "pool": "p",
                   "handle_seconds": EXP(240), "patience_seconds": EXP(180)}}
    shifts = [{"name": "eight", "starts": [f"{h:02d}:00" for h in range(24)], "hours": 8}]
    return sc.from_dict(base(lines, {"shifts": shifts, "targets": targets, "replications": 5, **planning},
                             horizon_hours=24, service_level={"threshold_seconds": 15, "target": 0.8}, seed=5),
                        "peak.yaml")


@pytest.fixture(scope="module")
def day_and_interval_plans():
    return plan(peaked_day("interval")), plan(peaked_day("day"))


def test_planning_to_the_days_goals_needs_far_fewer_agent_hours_and_simulation_confirms_them(day_and_interval_plans):
    by_interval, by_day = day_and_interval_plans
    hours = [p.staff.agent_hours_per_week for p in (by_interval, by_day)]
    assert hours[1] <= 0.90 * hours[0], hours                  # at least 10% fewer paid agent-hours
    assert by_day.targets_met
    for run in (by_day.verified, simulate(by_day.verified.scenario, 8, seed=99)):    # and on other callers
        sl, ab = whole(run, "service_level"), whole(run, "abandon_rate")
        assert sl.mean() >= 0.8 - 0.02 and ab.mean() <= 0.05 + 0.01, (sl.mean(), ab.mean())
    # agents go where they buy the most service: some half hours get fewer than their own 80% needs
    assert (by_day.rosters["p"].on_phones < by_interval.sipp["p"]).any()


def test_simulation_moves_a_days_planned_goal_both_ways():
    from sim.plan.planner import _aim_again

    s = peaked_day("day")
    judged = {"p": {"service_level": {"mean": np.array([0.70, 0.95] + [np.nan] * 5),
                                      "low": np.array([0.66, 0.93] + [np.nan] * 5),
                                      "high": np.array([0.74, 0.97] + [np.nan] * 5)},
                    "abandon_rate": {"mean": np.array([0.08, 0.01] + [np.nan] * 5),
                                     "low": np.array([0.07, 0.005] + [np.nan] * 5),
                                     "high": np.array([0.09, 0.015] + [np.nan] * 5)}}}
    aim_sl, aim_ab = {"p": np.full(7, 0.8)}, {"p": np.full(7, 0.05)}
    assert _aim_again(s, judged, aim_sl, aim_ab)
    assert aim_sl["p"][0] > 0.8 and aim_ab["p"][0] < 0.05          # missed: planned to more service
    assert aim_sl["p"][1] < 0.8 and aim_ab["p"][1] > 0.05          # cleared beyond its interval: agents removed
    assert (aim_sl["p"][2:] == 0.8).all()                          # days without calls stay


def test_day_goals_take_the_replications_their_precision_needs():
    """A 95% half-width falls as one over the square root of the replications: +-9 points on 4 replications
    need 4 x (9 / 3)^2 = 36 for +-3, capped by memory; already precise, the asked number; one replication has
    no interval, so a pilot of 4 finds it."""
    from sim.plan.planner import MAX_GOAL_REPLICATIONS, PILOT_REPLICATIONS, _replications_for_goals, \
        goal_replications_cap

    def judged(sl_half, ab_half):
        nan = [np.nan] * 5
        return {"p": {"service_level": {"mean": np.array([0.8, 0.9] + nan),
                                        "low": np.array([0.8 - sl_half, 0.9] + nan),
                                        "high": np.array([0.8 + sl_half, 0.9] + nan)},
                      "abandon_rate": {"mean": np.array([0.03, 0.02] + nan),
                                       "low": np.array([0.03 - ab_half, 0.02] + nan),
                                       "high": np.array([0.03 + ab_half, 0.02] + nan)}}}
    most = goal_replications_cap(peaked_day("day"))
    assert most == MAX_GOAL_REPLICATIONS                                    # one line, one pool, a day
    assert _replications_for_goals(judged(0.02, 0.005), 4, most) == 4
    assert _replications_for_goals(judged(0.045, 0.005), 4, most) == 9     # 4 x 1.5^2
    assert _replications_for_goals(judged(0.02, 0.015), 4, most) == 9      # abandonment: +-1 point
    assert _replications_for_goals(judged(0.09, 0.005), 4, most) == 36
    assert _replications_for_goals(judged(0.30, 0.005), 4, most) == most
    assert _replications_for_goals(judged(np.nan, np.nan), 1, most) == PILOT_REPLICATIONS   # found by a review
    fuyang = sc.load(Path(__file__).resolve().parents[1] / "scenarios" / "fuyang" / "plan.yaml")
    assert goal_replications_cap(fuyang) == 4                               # 22,440 cells a replication


def test_a_day_goal_plan_does_not_follow_the_draws_of_a_few_busy_days():
    """Found by an outside hunt (2026-12-05): with day-to-day volume (busyness, sd 14%) a day's service level
    was known to +-10-30 points on 4 replications, and the roster followed those draws: 2,730, 2,480 and 2,350
    agent-hours a week with three seeds, and 2% more calls planned for 490,000 yuan a year less.  Judged on the
    replications the days' precision needs, two seeds plan within a few per cent of each other."""
    lines = {"L": {"arrivals": {"per_day": 4000, "daily_profile": PEAKED, "busyness": {"dist": "gamma",
                                                                                         "shape": 50}},
                   "pool": "p", "handle_seconds": EXP(240), "patience_seconds": EXP(180)}}
    shifts = [{"name": "eight", "starts": [f"{h:02d}:00" for h in range(0, 24, 2)], "hours": 8}]
    data = base(lines, {"shifts": shifts, "targets": "day", "replications": 4}, horizon_hours=168,
                service_level={"threshold_seconds": 15, "target": 0.8})
    hours = [plan(sc.from_dict(data, "busy.yaml"), seed=seed).staff.agent_hours_per_week for seed in (1, 2)]
    assert abs(hours[0] - hours[1]) <= 0.04 * max(hours), hours


def test_a_floor_keeps_every_interval_above_its_share():
    from sim.plan.requirements import pool_loads

    s = peaked_day("day", floor_service_level=0.6)
    result = plan(s, replications=3)
    load = pool_loads(s)["p"]
    for k in np.flatnonzero(load.per_hour > 0):
        floor = agents_for_target(load.per_hour[k], load.agent_seconds[k], load.patience_seconds[k], 15, 0.6).agents
        assert result.rosters["p"].on_phones[k] >= floor, k


def test_the_hour_by_weekday_heatmap_averages_each_hours_minutes_whatever_the_interval():
    """90-minute intervals straddle hours: Monday 01:00-02:00 is half interval 0 and half interval 1."""
    from sim.output.plots import heatmap_by_hour
    values = np.arange(7 * 24 * 60 // 90, dtype=float)        # each interval's value is its number
    grid = heatmap_by_hour(values, 90, "t").axes[0].images[0].get_array()
    assert grid.shape == (24, 7)
    assert grid[0, 0] == 0.0 and grid[1, 0] == 0.5 and grid[2, 0] == 1.0
    assert grid[0, 1] == 16.0                                   # Tuesday 00:00 is interval 1440 / 90 = 16
    day = heatmap_by_hour(np.repeat(np.arange(7.0), 1), 1440, "t").axes[0].images[0].get_array()
    assert (day == np.arange(7.0)).all()                        # one interval a day: the day's value every hour


@pytest.mark.parametrize("interval_minutes", [120, 45])
def test_plan_works_with_intervals_that_do_not_divide_an_hour(tmp_path, interval_minutes):
    lines = {"L": {"arrivals": {"per_hour": 30}, "pool": "p", "handle_seconds": EXP(120)}}
    data = base(lines, {"shifts": [{"starts": ["00:00"], "hours": 24}]}, interval_minutes=interval_minutes,
                horizon_hours=24)
    code, output = run_plan(write(tmp_path, data), "--out", tmp_path / "out", "-r", "2", "--workers", "1")
    assert code == 0, output
    assert (tmp_path / "out" / "heatmap.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["headcount"] > 0


@pytest.mark.parametrize("per_hour", [60, 300, 600, 1000, 3000, 9000])
def test_day_goal_curves_reach_busy_pools_and_start_where_they_did(per_hour):
    """Found by an outside hunt (2026-12-05): a pool's service curves ran 60 agents up from one, so day and week
    goals planned any pool busier than about 55 Erlangs at 61 agents (200 Erlangs: 0.1% answered in time).
    They now start a few square roots of the load below it: the floor (where each further agent starts to
    gain less than the last) must be the one found from one agent up, and the curve must reach the top."""
    from sim.plan.erlang import agents_for_target, erlang_a
    from sim.plan.goals import TOP_SERVICE_LEVEL, _curve
    secs, patience, threshold = 240.0, 120.0, 20.0
    n0, sl, ab = _curve(per_hour, secs, patience, threshold, None)
    top = agents_for_target(per_hour, secs, patience, threshold, TOP_SERVICE_LEVEL).agents
    assert n0 + len(sl) - 1 == top and sl[-1] >= TOP_SERVICE_LEVEL
    every = np.array([erlang_a(per_hour, secs, patience, n, threshold).service_level for n in range(1, top + 1)])
    assert n0 == 1 + int(np.argmax(np.diff(every)))         # from one agent up, uncapped
    assert np.array_equal(sl, every[n0 - 1:])


def test_every_number_of_the_heatmap_can_be_read_on_its_cell():
    """Found by an outside hunt (2026-12-05): with 11 or 12 agents all week the scale started at 11, so the 11s
    were white cells, and their numbers, white when above 60% of the top, vanished."""
    from matplotlib.colors import to_rgb

    from sim.output.plots import heatmap_by_hour
    values = np.where(np.arange(336) % 48 < 16, 12.0, 11.0)
    fig = heatmap_by_hour(values, 30, "t")
    ax = fig.axes[0]
    image = ax.images[0]
    for label in ax.texts:
        d, h = (int(round(c)) for c in label.get_position())
        cell = np.asarray(image.cmap(image.norm(image.get_array()[h, d]))[:3])
        ink = np.asarray(to_rgb(label.get_color()))
        # contrast between the cell's grey and the number's colour (0 = unreadable, 1 = black on white)
        assert abs(cell.mean() - ink.mean()) > 0.4, (label.get_text(), cell, ink)


@pytest.mark.parametrize("targets", ["interval", "day"])
def test_a_plan_that_meets_its_targets_meets_them_on_every_line_of_a_shared_pool(tmp_path, targets):
    """Found by an outside hunt (2026-12-05): the planner judged pools only, so impatient callers of a small
    line sharing the 12345 pool abandoned 6.1% (ceiling 5%) while plan.json said targets_met, and `decide`
    then marked every planned option missed.  A line that misses over the horizon now gets its pool agents."""
    lines = {"12345": {"arrivals": {"per_hour": 300}, "pool": "p", "handle_seconds": EXP(180),
                       "patience_seconds": EXP(120)},
             "12349": {"arrivals": {"per_hour": 20}, "pool": "p", "handle_seconds": EXP(180),
                       "patience_seconds": EXP(60)}}
    shifts = [{"name": n, "starts": [s], "hours": 8} for n, s in (("day", "08:00"), ("eve", "16:00"),
                                                                    ("night", "00:00"))]
    data = base(lines, {"shifts": shifts, "replications": 2, "targets": targets}, warmup_hours=1, seed=31,
                service_level={"threshold_seconds": 15, "target": 0.8})
    code, output = run_plan(write(tmp_path, data), "--out", tmp_path / "out", "--workers", "1")
    assert code == 0, output
    done = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert done["targets_met"], output
    for line, figures in done["verified"]["lines"].items():
        assert figures["service_level"]["mean"] >= 0.8 and figures["abandon_rate"]["mean"] <= 0.05, (line, figures)


def test_the_chinese_roster_chart_names_pools_by_their_labels_in_chinese_words():
    """Found by an outside hunt (2026-12-05): roster.png in Chinese kept "71 agent-days" and the pool's id."""
    from sim.output.plan import roster_bar_rows
    rows = roster_bar_rows([("general", "day", 8 * 60, 5, 8.0, 3)], "zh", {"general": "综合坐席"})
    assert rows == [("综合坐席: day 08:00", 8.0, 8.0, 3, "每周15人天")]
    assert roster_bar_rows([("general", "day", 8 * 60, 5, 8.0, 3)])[0][::4] == ("general: day 08:00",
                                                                                "15 agent-days")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_legend_of_four_long_option_names_stays_inside_the_chart(lang):
    """Found by an outside hunt (2026-12-05): sl_by_line.png with four options labelled in Chinese cut the
    legend off at both ends (four columns whatever the names' length)."""
    from sim.output.plots import grouped_bars
    names = (["现状：各线路独立接听（现有排班）", "批复方案：双号并行与纳税分中心", "全面整合：统一并入12345",
              "12333独立坐席（溢出至12345坐席）"] if lang == "zh" else
             ["Status quo: every line on its own seats", "Approved plan: dual-parallel numbers and a tax sub-centre",
              "Full merge: one 12345 pool and a tax group", "Approved plan, 12333 overflow to 12345 after 30 s"])
    series = {n: (np.array([0.9, 0.8]), np.array([0.85, 0.75]), np.array([0.95, 0.85])) for n in names}
    fig = grouped_bars(["12345", "12333"], series, "SL", "t", target=0.8, lang=lang)
    fig.canvas.draw()
    box = (fig.legends or [fig.axes[0].get_legend()])[0].get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)


def test_outbound_work_without_hours_is_planned_where_the_pool_s_callers_are():
    """Found by an outside hunt (2026-12-05): callbacks without hours were spread over all 24 hours, so a pool
    whose only line closes at night got a paid night shift (56 hours a week) for a twentieth of an agent."""
    from sim.plan.requirements import analytic, pool_loads
    lines = {"12345": {"arrivals": {"per_hour": 60}, "pool": "p", "handle_seconds": EXP(240),
                       "patience_seconds": EXP(120), "open": {"days": "every day", "hours": ["08:00", "20:00"]},
                       "when_closed": "message"}}
    data = base(lines, {"shifts": [{"starts": ["00:00", "08:00", "16:00"], "hours": 8}]},
                outbound={"callbacks": {"share": 1.0, "within_minutes": 60, "handle_seconds": EXP(120)}})
    s = sc.from_dict(data, "s.yaml")
    load = pool_loads(s)["p"]
    need = analytic(s, {"p": load})["p"]
    hour = (np.arange(len(need)) % 48) / 2
    night = (hour < 8) | (hour >= 20)
    assert (load.outbound_erlangs[night] == 0).all() and (need[night] == 0).all()
    # every expected callback hour is still there, in the open hours: calls a day x the Erlang A abandonment of
    # the fewest agents meeting the targets (2.98% at 12 agents, sim.plan.erlang's reference-tested figures) x 120 s
    hung_up = agents_for_target(60, 240, 120, 20, 0.8, 0.05).p_abandon
    assert 0.02 < hung_up < 0.05
    agent_hours_a_day = 60 * 12 * hung_up * 120 / 3600
    assert load.outbound_erlangs[~night].sum() * 0.5 / 7 == pytest.approx(agent_hours_a_day)


TRANSFERRING = {"12345": {"arrivals": {"per_hour": 120}, "pool": "general", "handle_seconds": EXP(300),
                          "patience_seconds": EXP(120), "categories": {"tax": {"share": 1.0, "transfer_to": "12366"}}},
                "12366": {"mode": "specialist", "arrivals": {"per_hour": 0}, "pool": "tax",
                          "handle_seconds": EXP(300), "patience_seconds": EXP(120)}}
ROUTING = {"transfer": {"kind": "cold", "triage_seconds": {"dist": "constant", "value": 30},
                        "delay_seconds": {"dist": "constant", "value": 5}}}


@pytest.mark.parametrize("trigger", ["return_visits", "callbacks"])
def test_outbound_work_is_planned_in_the_pool_that_makes_it(trigger):
    """Found by an outside hunt (2026-12-05): return visits of transferred calls were planned in the pool that
    triaged them as well as in the one that finished them (21 agents by day for 1 Erlang of triage, 2,100 paid
    hours a week for work never made); callbacks of the triage queue's hang-ups in the finishing pool too.
    The model makes a return visit in the pool that finishes the call, a callback in the pool the caller left."""
    from sim.plan.requirements import pool_loads
    kind = {"share": 1.0, "handle_seconds": EXP(300), "within_hours": 4}
    kind.update({"after_minutes": 1} if trigger == "return_visits" else {})
    data = base(TRANSFERRING, {"shifts": [{"starts": ["00:00", "08:00", "16:00"], "hours": 8}]},
                routing=ROUTING, outbound={trigger: kind}, pools={"general": {"seats": 4}, "tax": {"seats": 12}})
    loads = pool_loads(sc.from_dict(data, "s.yaml"))
    maker, other = ("tax", "general") if trigger == "return_visits" else ("general", "tax")
    assert loads[other].outbound_erlangs.sum() == 0
    assert loads[maker].outbound_erlangs.min() > 0
    if trigger == "return_visits":
        # every caller who reaches the tax pool: 120 an hour less those who hang up in either queue, x 300 s
        assert 9.0 < loads[maker].outbound_erlangs.mean() < 10.0


def test_callbacks_are_planned_for_the_hang_ups_the_targets_leave_not_the_ceiling():
    """Found by an outside hunt (2026-12-05): callbacks were sized as if the abandonment ceiling were reached
    (with no ceiling, every caller: 20 Erlangs of callbacks for 10 of calls, 75% over Erlang A), and for lines
    whose callers never hang up."""
    from sim.plan.requirements import analytic, pool_loads
    callbacks = {"callbacks": {"share": 1.0, "handle_seconds": EXP(300), "within_hours": 4}}
    lines = {"12345": {"arrivals": {"per_hour": 120}, "pool": "p", "handle_seconds": EXP(300),
                       "patience_seconds": EXP(600)}}
    s = sc.from_dict(base(lines, {"shifts": [{"starts": ["00:00"], "hours": 24}]}, outbound=callbacks,
                          max_abandon_rate=1), "s.yaml")
    load = pool_loads(s)["p"]
    sipp = agents_for_target(120, 300, 600, 20, 0.8)
    assert sipp.agents == 13 and sipp.p_abandon < 0.03
    assert load.outbound_erlangs == pytest.approx(np.full(336, 120 * sipp.p_abandon * 300 / 3600))
    assert (analytic(s, {"p": load})["p"] == 14).all()        # 13 for the calls, one for a few callbacks
    patient = {"12345": dict(lines["12345"], patience_seconds=None)}
    del patient["12345"]["patience_seconds"]
    s = sc.from_dict(base(patient, {"shifts": [{"starts": ["00:00"], "hours": 24}]}, outbound=callbacks), "s.yaml")
    assert pool_loads(s)["p"].outbound_erlangs.sum() == 0      # nobody hangs up: nobody to call back


def test_a_closed_line_s_callbacks_are_planned_in_the_hours_after_it_opens():
    """Found by an outside hunt (2026-12-05): the night's callbacks, due within 4 hours of the 08:00 opening,
    were spread over the whole open day, so the week's unsimulated mornings had 11 agents for 16 Erlangs and
    answered 41-53% in time."""
    from sim.plan.requirements import pool_loads
    lines = {"12345": {"arrivals": {"per_hour": 60}, "pool": "p", "handle_seconds": EXP(240),
                       "patience_seconds": EXP(120), "open": {"days": "every day", "hours": ["08:00", "20:00"]},
                       "when_closed": {"callback": {"within_hours": 4}}}}
    s = sc.from_dict(base(lines, {"shifts": [{"starts": ["08:00"], "hours": 12}]}), "s.yaml")
    callbacks = pool_loads(s)["p"].outbound_erlangs.reshape(7, 48)
    morning = slice(16, 24)                                   # 08:00-12:00, the four hours after the opening
    # a night's 12 closed hours of calls, 60 an hour of 240 s each: 48 agent-hours, done in those 4 hours
    assert callbacks[:, morning] == pytest.approx(np.full((7, 8), 48 / 4))
    assert callbacks[:, :16].sum() == 0 and callbacks[:, 24:].sum() == 0


def test_a_plan_judged_interval_by_interval_says_when_its_replications_are_too_few_to_judge():
    """Found by an outside hunt (2026-12-05): with 2 replications (t = 12.7) an interval misses only when its
    whole 95% interval does, so nearly nothing could miss, and the plan said "every target met" with no word on
    it.  A median half-width over ``USEFUL_INTERVAL_HALF_WIDTH`` (10 points) now says so, and how many would do."""
    from sim.plan.requirements import interval_precision_warning
    rough = plan(peaked_day("interval"), replications=2)
    half = rough.check.median_half_width()
    assert half > 0.2
    line = interval_precision_warning(rough.check, 2)
    assert line.startswith("with 2 replications an interval's service level is known to ±")
    assert f"±{100 * half:.0f} points" in line and "(-r 3, or planning.replications)" in line
    fine = plan(peaked_day("interval"), replications=10)
    assert fine.check.median_half_width() < 0.1 and interval_precision_warning(fine.check, 10) is None


def test_names_below_bars_neither_run_into_each_other_nor_under_the_legend():
    """Found by an outside review (2026-12-05): cost.png's four English option names overprinted each other, and
    sl_by_line.png's legend lay over twenty slanted line names."""
    from sim.output.plots import grouped_bars, stacked_bars
    options = ["Status quo: every line on its own seats (today's rosters)", "Status quo: every line on its own seats",
               "Approved plan: dual-parallel numbers and a tax sub-centre", "Full merge: one 12345 pool and a tax group"]
    fig = stacked_bars(options, {"pay": [1, 2, 3, 4], "workstations": [1, 1, 1, 1]}, "cost", "t")
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in fig.axes[0].get_xticklabels()]
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:])), [(b.x0, b.x1) for b in boxes]
    lines = [f"123{k:02d} a department of the city" for k in range(20)]
    series = {name: (np.full(20, 0.9), np.full(20, 0.85), np.full(20, 0.95)) for name in options}
    fig = grouped_bars(lines, series, "SL", "t", target=0.8)
    fig.canvas.draw()
    lowest = min(t.get_window_extent().y0 for t in fig.axes[0].get_xticklabels())
    legend = fig.legends[0].get_window_extent()
    assert legend.y1 <= lowest and legend.y0 >= 0


def test_the_requirement_chart_s_legend_lies_below_its_panels():
    """Found by an outside review (2026-12-05): inside the top panel, the legend covered the week's last peaks."""
    from sim.output.plots import requirement_panels
    week = np.tile(np.r_[np.zeros(16), np.full(32, 40.0)], 7)
    fig = requirement_panels({"p": {"analytic (SIPP)": week, "simulation-corrected": week,
                                    "scheduled on the phones": week}}, 30, "Agents required and scheduled, by pool")
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent()
    lowest = min(t.get_window_extent().y0 for t in fig.axes[0].get_xticklabels() + [fig.axes[0].xaxis.label])
    assert legend.y1 <= lowest and legend.y0 >= 0
