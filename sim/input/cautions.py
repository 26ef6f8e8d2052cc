"""What a valid scenario allows but a planner rarely means: said as warnings before a run.

A scenario whose staffing leaves callers with nobody to answer them is legal (a
draft roster, or a test of what happens), so it is not refused; but the callers
can only wait and hang up, and a manager reading the figures should know why.
"""

from __future__ import annotations

import numpy as np

from sim.input.clock import MINUTES_PER_WEEK, label
from sim.input.spec import Scenario

MINUTES_PER_HOUR = 60
CALLS_WORTH_SAYING = 1.0         # expected callers a week below which nobody needs telling
# An overflow counts as somebody to answer only if callers are still there when it opens: before three mean
# patiences (95% of exponential patience has run out by then), or within an hour for callers who never hang up.
PATIENCES_WORTH_WAITING = 3
PATIENT_WAIT_SECONDS = 3600.0


def cautions(s: Scenario) -> list[str]:
    """One sentence per line whose callers meet a pool with no agent on duty (and none it overflows to in time),
    while the line is open, or when it is closed and puts them through to another line."""
    agents = {pid: _week_minutes(pool.week_agents) for pid, pool in s.pools.items()}
    out = []
    for lid, line in s.lines.items():
        if line.mode == "provincial":
            continue
        waits = (PATIENCES_WORTH_WAITING * line.patience.mean if line.patience is not None
                 else PATIENT_WAIT_SECONDS)
        reach = {pid: agents[pid].copy() for pid in s.pools}      # agents who may answer its callers in time
        for rule in s.overflows:
            if rule.after_seconds < waits:
                reach[rule.source] += agents[rule.target]
        per_minute = _calls_per_minute(line)
        open_ = np.ones(MINUTES_PER_WEEK, dtype=bool) if line.open_minutes is None else line.open_minutes
        out += _unanswered(f"line {lid}'s callers", per_minute, open_ & (reach[line.pool] == 0),
                           f"pool {line.pool!r}", "staff those hours, or give the line opening hours (open)")
        rule = line.when_closed
        if rule is not None and rule.kind == "to":
            target = s.lines[rule.to].pool
            out += _unanswered(f"line {lid}'s callers, put through to line {rule.to} while {lid} is closed,",
                               per_minute, ~open_ & (reach[target] == 0), f"pool {target!r}",
                               "staff those hours, or put them through to a line whose agents work then")
    return out + closed_callback_cautions(s) + size_cautions(s)


# Calls a replication beyond which a run takes long enough to say so first: at about 300,000 calls a second on
# one core (the Fuyang week's rate on the project's 2-core machine), 100 million take five or six minutes
CALLS_WORTH_TIMING = 100_000_000
CALLS_PER_SECOND = 300_000


def size_cautions(s: Scenario) -> list[str]:
    """How long a replication takes, when it is long: its expected calls (before redials) and the time at
    CALLS_PER_SECOND on one core."""
    hours = s.horizon_seconds / 3600.0
    calls = sum(float(np.mean(line.arrivals.week_per_hour)) * hours for line in s.lines.values())
    if calls < CALLS_WORTH_TIMING:
        return []
    return [f"a replication simulates about {calls:,.0f} calls ({hours:,g} hours): about "
            f"{calls / CALLS_PER_SECOND / 60:,.0f} minutes on one core at {CALLS_PER_SECOND:,} calls a second, "
            "times the replications over the workers; shorten horizon_hours to try it first"]


# Shrinkage beyond this is paid time mostly off the phones: centres plan 25-40% (breaks, training, leave, sickness)
SHRINKAGE_WORTH_SAYING = 0.6


def planning_cautions(s: Scenario) -> list[str]:
    """What ``plan`` and ``decide`` would do with a plan that a planner rarely means: people to employ for a
    shrinkage far beyond any centre's."""
    if s.planning is None or s.planning.shrinkage <= SHRINKAGE_WORTH_SAYING:
        return []
    shrinkage = s.planning.shrinkage
    return [f"planning.shrinkage {shrinkage:g} puts {shrinkage:.0%} of paid time off the phones, so "
            f"{1 / (1 - shrinkage):,.1f} people are employed for each agent on the roster; centres plan 25-40% "
            "(breaks, training, leave, sickness): check it is meant"]


def closed_callback_cautions(s: Scenario) -> list[str]:
    """One sentence per line whose closed-hours callers are called back from its next opening when the run
    starts during its closure: the callers of that closure before the start are not in the run, so neither are
    their callbacks, and the first opening's figures are better than a week in the middle of a month's (a
    planning case: 650 callbacks on a Monday morning, none in the week the plan verified)."""
    out = []
    start = s.start_minute % MINUTES_PER_WEEK
    for lid, line in s.lines.items():
        rule = line.when_closed
        if rule is None or rule.kind != "callback" or line.open_minutes is None or line.open_minutes[start]:
            continue
        before = np.roll(line.open_minutes, -start)[::-1]        # the minutes before the start, nearest first
        closed_minutes = int(np.argmax(before)) if before.any() else MINUTES_PER_WEEK
        callers = float(np.roll(_calls_per_minute(line), -start)[::-1][:closed_minutes].sum())
        if callers < CALLS_WORTH_SAYING:
            continue
        day, time = label(start - closed_minutes)
        out.append(f"line {lid}'s callers who find it closed are called back from its next opening, but the run "
                   f"starts while it is closed (since {day} {time}): the callbacks of about {callers:,.0f} callers "
                   f"of the {closed_minutes / MINUTES_PER_HOUR:g} hours before the start are not in the run, so its "
                   "first opening's figures are better than a week's in the middle of a month; start the run "
                   "earlier, with warm-up hours that cover that closure")
    return out


def _calls_per_minute(line) -> np.ndarray:
    """A line's expected callers in each minute of the clock week."""
    rates = line.arrivals.week_per_hour
    return np.repeat(rates, MINUTES_PER_WEEK // len(rates)) / MINUTES_PER_HOUR


def _week_minutes(week_agents: np.ndarray) -> np.ndarray:
    return np.resize(np.asarray(week_agents, dtype=float), MINUTES_PER_WEEK)


def _unanswered(who: str, per_minute: np.ndarray, nobody: np.ndarray, pool: str, advice: str) -> list[str]:
    calls = float(per_minute[nobody].sum())
    if calls < CALLS_WORTH_SAYING:
        return []
    first = int(np.flatnonzero(nobody & (per_minute > 0))[0])
    day, time = label(first)
    hours = int(nobody.sum()) / MINUTES_PER_HOUR
    return [f"{who} meet {pool} with no agent on duty (nor one it overflows to in time) for {hours:g} hours a week, "
            f"from {day} {time} first: about {calls:,.0f} callers a week find nobody to answer them, and wait "
            f"until an agent comes on duty or hang up; {advice}"]
