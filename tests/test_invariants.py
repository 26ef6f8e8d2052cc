"""The model's own laws on every shipped scenario and on random merger structures, and the
wake-ups and shift changes that once broke them, each on a hand-built case with exact answers."""

from pathlib import Path

import numpy as np
import pytest

from sim.input import scenario as sc
from sim.logs import calllog
from sim.model import pool as pool_module
from sim.model.engine import run_replication
from sim.model.invariants import InvariantError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("scenarios/fuyang/*.yaml")]
                 if p.name != "demand.yaml")
CONST = lambda value: {"dist": "constant", "value": value}          # noqa: E731
EXP = lambda mean: {"dist": "exponential", "mean": mean}           # noqa: E731


def _answer_ahead_ignoring_shifts(self, now, deadline, seconds):
    ends = self.ends
    if self.n_free or self.n_held or not ends or any(self.queues):
        return float("inf")
    end = ends[0][0]                            # forgets that a shift may come (or an agent leave) first
    self.model.checker.decided_ahead(self, now, min(end, deadline))
    if end <= deadline:
        self.take_ahead(end, seconds)
    return end


def test_the_check_catches_a_caller_decided_on_arrival_while_a_shift_comes():
    """Deciding a caller's answer on arrival is exact only while nobody comes or goes before it: a pool that
    forgets this keeps a caller waiting while the next shift's agents sit free, on the Fuyang plan, and the
    check says so."""
    s = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pool_module.ShiftPool, "answer_ahead", _answer_ahead_ignoring_shifts)
        with pytest.raises(InvariantError, match="decided on arrival"):
            run_replication(s, seed=1, replication=0, check=True)


def test_the_check_catches_agents_idle_beyond_the_reserve_while_jobs_wait():
    """A pool whose finishing agents never look at outbound jobs leaves more than the reserve free while
    callbacks wait, on the Fuyang plan: the check says so."""
    s = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pool_module.Pool, "has_ready_work", lambda self: any(self.queues))
        with pytest.raises(InvariantError, match="more than the . kept free"):
            run_replication(s, seed=1, replication=0, check=True)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_keeps_the_laws(path):
    run_replication(sc.load(path), seed=3, replication=0, check=True)


def random_structure(rng: np.random.Generator, k: int) -> dict:
    """A merger structure drawn at random: pools on shifts or seats, parallel and merged lines,
    transfers (cold and warm), overflow, priorities, redials, callbacks and return visits."""
    n_pools = int(rng.integers(2, 5))
    pools = {}
    for p in range(n_pools):
        if rng.random() < 0.6:
            shifts = []
            for start, hours in (("00:00", 9), ("08:00", 8), ("13:30", 8), ("18:00", 7)):
                entry = {"start": start, "hours": hours, "agents": int(rng.integers(0, 6))}
                if rng.random() < 0.3:
                    entry["break"] = {"after_minutes": 120, "minutes": 30}
                shifts.append(entry)
            shifts[0]["agents"] = max(1, shifts[0]["agents"])
            pools[f"p{p}"] = {"shifts": shifts}
        else:
            pools[f"p{p}"] = {"seats_by_interval": [int(x) for x in rng.integers(1, 7, 48)]}
    names = list(pools)
    lines = {}
    for j in range(int(rng.integers(2, 6))):
        line = {"arrivals": {"per_hour": float(rng.uniform(5, 60))}, "pool": names[j % n_pools],
                "handle_seconds": {"dist": "lognormal", "mean": float(rng.uniform(60, 300)), "cv": 1.0},
                "patience_seconds": EXP(float(rng.uniform(30, 300)))}
        if rng.random() < 0.4:
            line["wrapup_seconds"] = EXP(20)
        if rng.random() < 0.5:
            line["redial"] = {"probability": float(rng.uniform(0.2, 0.8)), "delay_seconds": EXP(120),
                              "max_redials": int(rng.integers(1, 4))}
        if rng.random() < 0.4:
            line["priority"] = int(rng.integers(0, 2))
        lines[f"L{j}"] = line
    ids = list(lines)
    for j, lid in enumerate(ids):
        others = [o for o in ids if lines[o]["pool"] != lines[lid]["pool"]]
        if others and rng.random() < 0.6:
            lines[lid]["categories"] = [
                {"name": "own", "share": 0.8},
                {"name": "other", "share": 0.2, "transfer_to": others[0],
                 "transfer": {"kind": "warm" if rng.random() < 0.5 else "cold"}}]
    routing = {"transfer": {"triage_seconds": EXP(30), "delay_seconds": CONST(5), "patience_seconds": EXP(60)}}
    if rng.random() < 0.7:
        routing["overflow"] = [{"from": names[0], "to": names[1], "after_seconds": float(rng.uniform(0, 60)),
                                "handle_factor": 1.2}]
    data = {"name": f"random-{k}", "horizon_hours": 30, "warmup_hours": 0, "interval_minutes": 30,
            "lines": lines, "pools": pools, "routing": routing}
    if rng.random() < 0.7:
        data["outbound"] = {
            "callbacks": {"share": float(rng.uniform(0.2, 1)), "within_minutes": 30, "handle_seconds": EXP(90),
                          "reserve_agents": int(rng.integers(0, 2))},
            "return_visits": {"share": 0.25, "after_hours": 2, "within_hours": 12, "handle_seconds": EXP(120),
                              "hours": ["09:00", "18:00"]}}
    return data


@pytest.mark.parametrize("k", range(12))
def test_random_merger_structures_keep_the_laws(k):
    data = random_structure(np.random.default_rng(1000 + k), k)
    run_replication(sc.from_dict(data, f"random-{k}"), seed=k, replication=0, check=True)


def _forgets_to_arm(self, level, entry):
    self.queues[level].append(entry)            # no wake-up armed for the caller who joins


def _one_end_too_many(original):
    return lambda self: original(self) + 1 if original(self) else 0


@pytest.mark.parametrize("mutation", ["enqueue forgets to arm", "waits for one end too many"])
def test_the_check_catches_a_lost_wake_up(mutation):
    """Two ways to break the wake-up rule (a queue that does not arm; a wake-up at the second end where the
    first would free the agent a caller needs) lose a pool's wake-ups on the Fuyang plan: the check says so."""
    s = sc.load(ROOT / "scenarios" / "fuyang" / "plan.yaml")
    with pytest.MonkeyPatch.context() as mp:
        if mutation == "enqueue forgets to arm":
            mp.setattr(pool_module.Pool, "enqueue", _forgets_to_arm)
        else:
            mp.setattr(pool_module.Pool, "ends_needed", _one_end_too_many(pool_module.Pool.ends_needed))
        with pytest.raises(InvariantError, match="lost wake-up"):
            run_replication(s, seed=1, replication=0, check=True)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_traces_of_every_shipped_scenario_have_no_negative_wait_and_read_back(path, tmp_path):
    from sim.logs.calllog import TraceWriter
    s = sc.load(path)
    s = sc.from_dict(dict(s.raw, horizon_hours=48, name=s.name), str(path), path.parent)
    writer = TraceWriter(tmp_path, list(s.lines), s.start_minute)
    run_replication(s, seed=2, replication=0, trace=lambda block: writer(0, block))
    writer.close()
    log = calllog.read([tmp_path / "trace-r0.csv"])        # the tool's own reader refuses negative waits
    assert len(log) > 1000 and (log.wait >= 0).all()


def test_after_the_horizon_the_check_follows_the_model_s_rules_for_outbound_work():
    """Found by an outside fuzz (2026-12-05), two false alarms once a run's horizon had passed, with callers
    still in the system: return visits created then are placed by no interval boundary (none of them would be
    made: each becomes available after the horizon), and outbound hours open and close no more (a kind open at
    the horizon is made until its next closing, then no more), while the check read the clock."""
    later = {"name": "x", "horizon_hours": 24,
             "lines": {"L": {"pool": "p", "arrivals": {"per_day": 700}, "handle_seconds": EXP(300),
                             "categories": [{"name": "a", "share": 0.6}, {"name": "b", "share": 0.4, "priority": 1}]}},
             "pools": {"p": {"agents": 2}},
             "outbound": {"return_visits": {"share": 1.0, "handle_seconds": EXP(60), "after_hours": 2,
                                            "within_hours": 50}}}
    hours = {"name": "x", "horizon_hours": 72, "start": "tue 22:30",
             "lines": {"L0": {"pool": "p1", "arrivals": {"per_hour": 7.0},
                              "handle_seconds": {"dist": "empirical", "values": [129580.0, 129580.0]},
                              "patience_seconds": EXP(60.0)}},
             "pools": {"p1": {"agents_by_interval": [2, 2, 4, 2, 2, 0, 3, 1, 2, 0, 4, 4, 1, 2, 3, 0, 2, 0, 2, 4, 1, 4,
                                                     3, 4, 1, 4, 2, 1, 1, 4, 2, 4, 1, 1, 0, 2, 4, 2, 2, 3, 3, 0, 2, 0,
                                                     2, 4, 4, 0]}},
             "outbound": {"return_visits": {"share": 1.0, "handle_seconds": EXP(1130.0), "within_hours": 50,
                                            "hours": ["00:30", "24:00"]}}}
    for data, seed in ((later, 1), (hours, 2)):
        s = sc.from_dict(data, "x.yaml")
        checked = run_replication(s, seed=seed, replication=0, check=True)
        plain = run_replication(s, seed=seed, replication=0)
        assert all((checked.sums()[k] == v).all() for k, v in plain.sums().items() if isinstance(v, np.ndarray))
