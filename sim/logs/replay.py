"""Replay: the logged callers through the model, and how well it predicts what happened.

The logged arrival times (and, if asked, talk times) replace the random
callers; patience, and talk times where not taken from the log, come from the
scenario's laws.  By default the staffing is the replayed log's own (agents
seen working, minute by minute; for a log without agent names, such as
`hotline simulate --trace` output, the most calls seen in progress at once),
so the comparison tests the model on days it was not fitted on.  Redials are
switched off: the log's arrivals already hold them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

import numpy as np

from sim.errors import LogError, ScenarioError
from sim.input import clock, limits
from sim.input.spec import Pool, Scenario
from sim.logs.calibrate import busy_agents, fitted_digest, names_are_people, presence, short_days
from sim.logs.calllog import CallLog
from sim.model.arrivals import CallSource
from sim.model.counters import N_BINS, WAIT_EDGES_SECONDS
from sim.results.figures import compute, table
from sim.run.runs import RunResult, simulate

COMPARED = ("abandon_rate", "asa_seconds", "service_level")
# An agent present for more than a quarter of a half hour counts as on duty in it: rounding
# to the nearest agent dropped the lone agent who starts at 07:20 and left early callers unanswered.
PRESENT_SHARE = 0.25


class ReplaySource(CallSource):
    """The log's calls, a block of intervals at a time, with attributes drawn as usual."""

    def __init__(self, scenario, routes, seed, replication, times, lines, talk):
        super().__init__(scenario, routes, seed, replication)
        k = (times // scenario.interval_seconds).astype(np.int64)
        # by line, then in time order: each (line, day) is then one slice, found by binary search
        order = np.lexsort((times, lines))
        self.times, self.k = times[order], k[order]
        self.talk = None if talk is None else talk[order]
        self.line_starts = np.searchsorted(lines[order], np.arange(len(self.lines) + 1))

    def provincial_offered(self) -> np.ndarray:
        return np.zeros((self.s.n_intervals, len(self.lines)))

    def _line_calls(self, j: int, intervals: np.ndarray, day: int) -> list[tuple]:
        """The log's calls of line ``j`` in ``intervals`` (one clock day), with the day's draws for the rest."""
        if not len(intervals):
            return []
        first, last = self.line_starts[j], self.line_starts[j + 1]
        low, high = first + np.searchsorted(self.k[first:last], [intervals[0], intervals[-1] + 1])
        return [self.attributes(j, self.times[low:high], self.k[low:high], self.day_stream(j, day),
                                None if self.talk is None else self.talk[low:high])]


@dataclass
class ReplayResult:
    scenario: Scenario
    log: CallLog
    run: RunResult
    days: list[dict]
    hours: list[dict]
    errors: dict
    mode: str = "check"          # "check": the scenario was calibrated from a log; "what-if": it is a design
    in_sample: bool = False      # checked on the very calls it was calibrated from

    @property
    def what_if(self) -> bool:
        return self.mode == "what-if"


def mode_of(s: Scenario, log: CallLog) -> tuple[str, bool]:
    """("check", in sample) when ``hotline calibrate`` wrote the scenario (it records the fingerprint of the
    calls it was fitted to): the differences are the model's errors, on the same calls or on other days;
    ("what-if", False) for any other scenario, a design: the calls as they happened against the same calls
    under this design."""
    recorded = s.raw.get("calibrated_from") if isinstance(s.raw, dict) else None
    if not isinstance(recorded, dict):
        return "what-if", False
    if recorded.get("fitted") != fitted_digest(s.raw):
        # edited since calibration (its staffing, say), or a calibrated_from written by hand or left without
        # its digest: a design now, whose differences are not the model's errors
        return "what-if", False
    return "check", recorded.get("fingerprint") == log.fingerprint()


# Calls of lines a scenario does not define, up to this share of a log, are left out with a warning: a month
# with a stray code (the bank's January has two rows of a type AA that is none of its lines) should not stop a
# check; more is refused, since replaying the rest would leave out part of the centre's work unseen.
UNKNOWN_LINES_SHARE = 0.01


def known_lines(s: Scenario, log: CallLog) -> CallLog:
    """The log without the calls of lines ``s`` does not define, when they are at most UNKNOWN_LINES_SHARE of
    it (counted in a note); the log itself when it has none.  Raises ``ScenarioError`` when they are more."""
    missing = [name for name in log.lines if name not in s.lines]
    if not missing:
        return log
    unknown = np.isin(log.line, [log.lines.index(name) for name in missing])
    n = int(unknown.sum())
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    if n > UNKNOWN_LINES_SHARE * len(log):
        raise ScenarioError(s.source, "lines", f"the log {log.source} has {n:,} calls ({n / len(log):.1%}) of "
                            f"line(s) {shown} that the scenario does not define; add them, or replay with a "
                            "scenario calibrated from this log")
    out = log.select(~unknown)
    kept = [name for name in log.lines if name in s.lines]
    code = np.full(len(log.lines), -1)
    code[[log.lines.index(name) for name in kept]] = np.arange(len(kept))
    out.line, out.lines = code[out.line], kept
    out.notes.append(f"left out {n:,} call(s) ({n / len(log):.2%} of the log) of line(s) {shown} that the "
                     f"scenario {s.name} does not define")
    return out


def replay_scenario(s: Scenario, log: CallLog, staffing: str = "log", outbound: bool = False) -> Scenario:
    """The scenario over the log's days, with the log's staffing (or the scenario's) and no redials; with
    ``outbound`` the scenario's outbound work stays (a design's own work), else it goes (the log's agents did
    theirs, which the log does not show)."""
    missing = [l for l in log.lines if l not in s.lines]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ScenarioError(s.source, "lines", f"the log {log.source} has calls of line(s) {shown} that the "
                            "scenario does not define; add them, or replay with a scenario calibrated from this log")
    n_days = int(math.ceil((log.arrival.max() + 1) / 86400.0))
    if n_days * 24 > limits.HORIZON_HOURS.high:       # every day between the first and last call is simulated
        last = log.epoch + timedelta(seconds=float(log.arrival.max()))
        raise LogError(log.source, "", f"spans {n_days:,} days, from {log.epoch:%Y-%m-%d} to {last:%Y-%m-%d}; a "
                       f"replay covers at most {limits.HORIZON_HOURS.high / 24:,.0f} days: give the months to replay")
    start_minute = log.epoch.weekday() * 1440
    lines = {k: replace(v, redial=None) for k, v in s.lines.items()}
    # the raw fields say what changed, so that the replayed scenario is never taken for the original
    raw = dict(s.raw, horizon_hours=n_days * 24, warmup_hours=0, start=f"{clock.WEEKDAYS[log.epoch.weekday()]} 00:00",
               lines={k: {f: v for f, v in line.items() if f != "redial"} if isinstance(line, dict) else line
                      for k, line in s.raw.get("lines", {}).items()},
               **{"x-replayed": {"log": log.source, "staffing": staffing}})
    if not outbound:
        raw.pop("outbound", None)
    out = replace(s, horizon_seconds=n_days * 86400.0, warmup_seconds=0.0, start_minute=start_minute,
                  lines=lines, outbound=s.outbound if outbound else (), raw=raw)
    if staffing == "log":
        if len(s.pools) != 1:
            raise ScenarioError(s.source, "pools", "replaying with the log's staffing needs a scenario with one "
                                "pool (the log does not say which pool an agent sat in); use --staffing scenario")
        present = log_staffing(log, s.interval_minutes)
        if not present.any():
            raise LogError(log.source, "", "shows no agent at work for a noticeable part of any interval (agents "
                           "are read from agent names, or from answered calls with talk times), so it cannot staff "
                           "the replay; use --staffing scenario")
        minutes = np.repeat(present, s.interval_minutes)[: n_days * 1440]
        pool_id = next(iter(s.pools))
        out = replace(out, pools={pool_id: Pool(pool_id, s.pools[pool_id].week_agents, minutes)})
    return out


def with_arrivals(s: Scenario, log: CallLog):
    """The logged callers of every line through a design: (the scenario over the log's days, with its own
    staffing, routing and outbound work and no redials, since the log holds them; the call source to give
    ``simulate`` as ``make_source``; the scenario's city lines the log has no call of).  Lines are matched by
    name; patience, questions and talk times come from the scenario's laws."""
    r_s = replay_scenario(s, log, staffing="scenario", outbound=True)
    line_index = np.array([list(s.lines).index(name) for name in log.lines])[log.line]
    silent = [k for k, line in s.lines.items() if line.mode != "provincial" and k not in log.lines]
    return r_s, partial(_source, times=log.arrival, lines=line_index, talk=None), silent


def log_staffing(log: CallLog, interval_minutes: int) -> np.ndarray:
    """Agents on duty per interval of the log's span: those seen working, or, when the log names
    no agents (or teams), the most calls in progress at once (as `hotline calibrate` staffs)."""
    if log.agents and names_are_people(log):
        return np.ceil(presence(log, interval_minutes) - PRESENT_SHARE).astype(np.int64)
    return busy_agents(log, interval_minutes).astype(np.int64)


def replay(s: Scenario, log: CallLog, replications: int = 10, seed: int | None = None,
           handle_times: str = "scenario", staffing: str = "log", progress=None) -> ReplayResult:
    """Run the logged callers through the scenario's model and compare day by day and hour by hour."""
    log = known_lines(s, log)
    mode, in_sample = mode_of(s, log)
    # a design keeps its outbound work; a calibrated scenario's agents did theirs, which the log does not show
    r_s = replay_scenario(s, log, staffing, outbound=mode == "what-if")
    line_index = np.array([list(s.lines).index(name) for name in log.lines])[log.line]
    talk = log.handle if handle_times == "log" else None
    make = partial(_source, times=log.arrival, lines=line_index, talk=talk)
    run = simulate(r_s, replications, s.seed if seed is None else seed, progress=progress, make_source=make)
    days = _compare(s, log, run, by="day")
    hours = _compare(s, log, run, by="hour")
    # a holiday's or a part day's few calls would weigh as much as a full day's: they are shown, not scored
    errors = {f: _mae([r for r in days if r["typical"]], f) for f in COMPARED}
    return ReplayResult(r_s, log, run, days, hours, errors, mode, in_sample)


def _source(scenario, routes, seed, replication, times, lines, talk):
    return ReplaySource(scenario, routes, seed, replication, times, lines, talk)


def observed(s: Scenario, log: CallLog, group: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Figures of the log per group (day or hour of day), from sums like the model's, by the same definitions."""
    answered, wait = log.answered, log.wait
    within = wait <= s.threshold_seconds

    def count(mask=None, weights=None):
        chosen = slice(None) if mask is None else mask
        return np.bincount(group[chosen], weights=None if weights is None else weights[chosen],
                           minlength=n_groups).astype(float)

    q = {"offered": count(), "answered": count(answered), "answered_within": count(answered & within),
         "abandoned_within": count(~answered & within), "wait_answered": count(answered, wait),
         "wait_all": count(None, wait)}
    bins = np.where(wait > 0, np.searchsorted(WAIT_EDGES_SECONDS, wait, side="left"), 0)
    hist = np.zeros((n_groups, N_BINS), dtype=np.int64)
    np.add.at(hist, (group[answered], bins[answered]), 1)
    return compute(q, hist, np.nan)


def _compare(s: Scenario, log: CallLog, run: RunResult, by: str) -> list[dict]:
    t = table(run, "day" if by == "day" else "hour_of_day")
    n_groups = len(t.labels)
    log_group = log.days if by == "day" else ((log.arrival % 86400) // 3600).astype(np.int64)
    obs = observed(s, log, log_group, max(n_groups, int(log_group.max()) + 1))
    short = short_days(log) if by == "day" else None
    rows = []
    for g in range(n_groups):
        if obs["offered"][g] == 0:
            continue
        label = (str((log.epoch + timedelta(days=g)).date()) if by == "day" else t.labels[g])
        entry = {("date" if by == "day" else "hour"): label,
                 "observed": {f: _num(obs[f][g]) for f in ("offered",) + COMPARED},
                 "simulated": {f: t.estimate(f, group=g).to_json(6) for f in ("offered",) + COMPARED}}
        if short is not None:       # a holiday, its eve or a part day (``calibrate.short_days``)
            entry["typical"] = not (g < len(short) and short[g])
        rows.append(entry)
    return rows


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def _mae(rows: list[dict], figure: str) -> float | None:
    pairs = [(r["observed"][figure], r["simulated"][figure]["mean"]) for r in rows
             if r["observed"][figure] is not None and r["simulated"][figure]["mean"] is not None]
    return round(float(np.mean([abs(o - m) for o, m in pairs])), 6) if pairs else None


def summary_line(result: ReplayResult) -> str:
    """One line on the replay: calls, days, and the mean absolute errors over days ("n/a" for a figure
    no day has, such as ASA when no call was answered)."""
    def error(figure: str, scale: float, unit: str) -> str:
        value = result.errors[figure]
        return "n/a" if value is None else f"{scale * value:.1f} {unit}"
    if result.what_if:
        def total(side: str, figure: str) -> float | None:
            weights = [r["observed"]["offered"] for r in result.days]
            values = [r[side][figure] if side == "observed" else r[side][figure]["mean"] for r in result.days]
            pairs = [(w, v) for w, v in zip(weights, values) if v is not None and w]
            return sum(w * v for w, v in pairs) / sum(w for w, _ in pairs) if pairs else None

        def both(figure: str, scale: float, unit: str) -> str:
            a, b = total("observed", figure), total("simulated", figure)
            show = lambda x: "n/a" if x is None else f"{scale * x:.1f}{unit}"          # noqa: E731
            return f"{show(a)} as it happened, {show(b)} under this design"
        return (f"what-if: {len(result.log):,} logged calls over {len(result.days)} days through "
                f"{result.scenario.name} ({result.run.replications} replications; a design, not calibrated from a "
                f"log): service level {both('service_level', 100, '%')} (answered within "
                f"{result.scenario.threshold_seconds:g} s / offered), abandon rate {both('abandon_rate', 100, '%')}, "
                f"ASA {both('asa_seconds', 1, ' s')}")
    untypical = sum(not r.get("typical", True) for r in result.days)
    scored = (f" ({untypical} holiday(s) or part day(s), under half their weekday's calls, not scored)"
              if untypical else "")
    return (f"replayed {len(result.log):,} calls over {len(result.days)} days ({result.run.replications} "
            f"replications); mean absolute error over days{scored}: abandon rate {error('abandon_rate', 100, 'points')}, "
            f"ASA {error('asa_seconds', 1, 's')}, service level {error('service_level', 100, 'points')} "
            f"(answered within {result.scenario.threshold_seconds:g} s / offered)")
