"""Calibration: a call log in, a runnable scenario and a fit report out.

- arrivals per line by interval of the week, averaged over the days the log
  covers, with the day-to-day over-dispersion as a gamma busyness factor
  (Jongbloed & Koole 2001): var(N/E) = 1/shape + mean(1/E) for daily counts N
  around their expectation E;
- talk time per line: lognormal and gamma fitted by maximum likelihood, the one
  closer to the data (Kolmogorov-Smirnov distance) is used, or the observed
  values themselves when neither is close;
- patience from censored data: a caller answered after w seconds had patience
  longer than w.  The scenario gets the exponential maximum-likelihood fit
  (abandonments / total waiting time); the report adds the Kaplan-Meier curve
  (``scipy.stats.ecdf`` on censored data) to show how well it fits;
- staffing per interval from agent activity: an agent counts as present from
  the start of a call to the end of the last one not followed by a gap of more
  than half an hour (without agent names: the most calls in progress at once);
- redials, where caller ids allow: a call by the same caller within two hours
  of an abandoned call is a redial; its probability and mean delay go into the
  scenario and redials are taken out of the fresh arrivals.

A log that cannot give a scenario worth running (too few talk times, an
interval that does not divide a day) is refused with one line; what was left
out or is missing (days the log does not cover, weekdays it never saw) is in
the report's ``warnings``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from datetime import timedelta

import numpy as np
from scipy import stats

from sim.errors import LogError, OptionError
from sim.input import clock, limits
from sim.input.limits import CV
from sim.input.scenario import map_files
from sim.logs.calllog import CallLog

SESSION_GAP_SECONDS = 1800     # an agent without a call this long while callers were kept waiting was away
MAX_IDLE_SECONDS = 8 * 3600    # ... and this long, whatever the callers did (a shift: off duty)
LONG_WAIT_SECONDS = 60.0       # a caller kept waiting longer than this found no agent free on duty
TEAM_OVERLAP_SHARE = 0.10      # more of a name's calls than this overlapping its others: the name is a team's
OVERLAP_TOLERANCE_SECONDS = 5.0   # clocks of a call's start and of the previous call's end may disagree this much
REDIAL_WINDOW_SECONDS = 7200
KS_GOOD_ENOUGH = 0.03
MIN_SAMPLES = 30
TALK_FACTOR_NOISE = 3.0        # standard errors within which an hour's mean talk time is its day's (factor 1)
FITTED_HEX_DIGITS = 16        # of fitted_digest: far more than enough to tell an edit
# A week or more without a single call is a gap in the log (months missing between two files), not a
# closed week: counted as observed days with no calls, such days would dilute every rate.
GAP_DAYS = 7
# A single day without a call where that weekday's other days average this many is missing from the log too
# (an export gap, a holiday the centre closed), not a quiet day: 20 calls expected come to none once in 500
# million days.  The bank's January has no row on Monday 11 and Tuesday 12: counted, they made Mondays and
# Tuesdays 25% quieter than the other weeks show.
MISSING_DAY_CALLS = 20
RATE_LINE_BYTES = len("      - 0.0\n")     # the least a rate takes in the scenario file: one a line
# A day with calls, but fewer than this share of the median of its weekday's other days (where those have
# MISSING_DAY_CALLS or more), is a holiday, the eve of one, or a day the log holds only part of, not a typical
# day: the bank's 6 April 1999 (Passover) has 2 calls against a Tuesday's 1,482, and counted as a fourth Tuesday
# it made the fitted Tuesdays a quarter quieter.  Half keeps ordinary quiet days: the shipped months' days
# below it are holidays and eves at 0.00-0.36 of their weekday; Purim, at 0.54, stays.
SHORT_DAY_SHARE = 0.5
# ... judged only against two other days of its weekday or more: of two days alone, either may be the odd one
# (a Monday of 100 calls beside one of 250 was called a holiday)
SHORT_DAY_OTHERS = 2


def day_weekdays(log: CallLog) -> np.ndarray:
    """Weekday (0 = Monday) of each day of the log's span."""
    n_days = int(log.arrival.max() // 86400.0) + 1 if len(log) else 0
    return np.array([(log.epoch + timedelta(days=d)).weekday() for d in range(max(n_days, 1))])


def observed_days(log: CallLog) -> np.ndarray:
    """Days of the span that count as observed: not left out as suspect, and not uncovered."""
    suspect = {str(x) for x in log.suspect_days}
    observed = np.array([str((log.epoch + timedelta(days=d)).date()) not in suspect
                         for d in range(len(day_weekdays(log)))])
    return observed & ~uncovered_days(log)


def uncovered_days(log: CallLog) -> np.ndarray:
    """Days of the span left out of the fit: not covered by the log (``gap_days``, ``missing_days``) or not
    typical days (``short_days``)."""
    return gap_days(log) | missing_days(log) | short_days(log)


def calls_per_day(log: CallLog) -> np.ndarray:
    """Calls on each day of the log's span."""
    n_days = len(day_weekdays(log))
    return np.bincount(log.days, minlength=n_days)[:n_days]


def gap_days(log: CallLog) -> np.ndarray:
    """Days of the span in runs of GAP_DAYS or more days without a call."""
    empty = calls_per_day(log) == 0
    edges = np.flatnonzero(np.diff(np.r_[0, empty.astype(np.int8), 0]))
    out = np.zeros(len(empty), dtype=bool)
    for first, stop in zip(edges[::2], edges[1::2]):
        out[first:stop] = stop - first >= GAP_DAYS
    return out


def missing_days(log: CallLog) -> np.ndarray:
    """Days without a call, outside ``gap_days``, whose weekday's days with calls average at least
    MISSING_DAY_CALLS."""
    per_day, weekdays = calls_per_day(log), day_weekdays(log)
    out = np.zeros(len(per_day), dtype=bool)
    for w in range(7):
        same = weekdays == w
        busy = per_day[same & (per_day > 0)]
        if len(busy) and busy.mean() >= MISSING_DAY_CALLS:
            out |= same & (per_day == 0)
    return out & ~gap_days(log)


def short_days(log: CallLog) -> np.ndarray:
    """Days with calls, but fewer than SHORT_DAY_SHARE of the median of their weekday's other days with calls
    (SHORT_DAY_OTHERS of them or more), where that median is MISSING_DAY_CALLS or more: holidays, their eves,
    days the log holds only part of."""
    per_day, weekdays = calls_per_day(log), day_weekdays(log)
    out = np.zeros(len(per_day), dtype=bool)
    for w in range(7):
        days = np.flatnonzero((weekdays == w) & (per_day > 0))
        for d in days:
            others = per_day[days[days != d]]
            if len(others) >= SHORT_DAY_OTHERS:
                median = float(np.median(others))
                out[d] = median >= MISSING_DAY_CALLS and per_day[d] < SHORT_DAY_SHARE * median
    return out


def redials(log: CallLog) -> tuple[np.ndarray, float, float, int]:
    """Which calls are redials; probability and mean delay of a redial after an abandoned call."""
    is_redial = np.zeros(len(log), dtype=bool)
    known = np.flatnonzero(log.caller != 0)
    order = known[np.lexsort((log.arrival[known], log.caller[known]))]
    same_next = log.caller[order][1:] == log.caller[order][:-1]
    prev, nxt = order[:-1], order[1:]
    hang_end = log.arrival[prev] + log.wait[prev]
    gap = log.arrival[nxt] - hang_end
    follow = same_next & ~log.answered[prev] & (gap >= 0) & (gap <= REDIAL_WINDOW_SECONDS)
    if log.callback_lines:          # the centre calling back is not the caller trying again
        follow &= ~np.isin(log.line[nxt], [log.lines.index(line) for line in log.callback_lines])
    is_redial[nxt[follow]] = True
    abandoned_known = int((~log.answered[known]).sum())
    probability = follow.sum() / abandoned_known if abandoned_known else 0.0
    delay = float(gap[follow].mean()) if follow.any() else float("nan")
    return is_redial, float(probability), delay, abandoned_known


def arrival_rates(log: CallLog, fresh: np.ndarray, interval_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Calls per hour per (line, interval of the week), over the observed days of each weekday."""
    per_day = clock.MINUTES_PER_DAY // interval_minutes
    weekdays = day_weekdays(log)
    observed = observed_days(log)
    days_of_weekday = np.array([(observed & (weekdays == w)).sum() for w in range(7)])
    fresh = fresh & observed[log.days]          # a holiday's calls count no more than its day does
    day = log.days[fresh]
    slot = ((log.arrival[fresh] % 86400) // (interval_minutes * 60)).astype(np.int64)
    week_slot = weekdays[day] * per_day + slot
    counts = np.zeros((len(log.lines), 7 * per_day))
    np.add.at(counts, (log.line[fresh], week_slot), 1)
    divisor = np.repeat(np.maximum(days_of_weekday, 1), per_day) * interval_minutes / 60.0
    return counts / divisor, days_of_weekday


def busyness_shape(log: CallLog, fresh: np.ndarray, line: int, week_rates: np.ndarray,
                   interval_minutes: int) -> float | None:
    """Gamma shape of the daily factor from the spread of daily counts around expectation; None if Poisson."""
    per_day = clock.MINUTES_PER_DAY // interval_minutes
    weekdays = day_weekdays(log)
    observed = observed_days(log)
    expected = week_rates.reshape(7, per_day).sum(axis=1) * interval_minutes / 60.0
    counts = np.bincount(log.days[fresh & (log.line == line)], minlength=len(weekdays))[:len(weekdays)]
    e = expected[weekdays]
    use = observed & (e > 20)
    if use.sum() < 7:
        return None
    ratio = counts[use] / e[use]
    excess = ratio.var(ddof=1) - np.mean(1.0 / e[use])
    return float(round(1.0 / excess, 1)) if excess > 1e-4 else None


def fit_talk(values: np.ndarray) -> tuple[dict, dict]:
    """The talk-time law for the scenario and what the fit looked like."""
    values = values[np.isfinite(values) & (values > 0)]
    report = {"calls": int(len(values)), "mean_seconds": float(values.mean()),
              "cv": float(values.std() / values.mean())}
    if np.ptp(values) == 0:               # no spread: maximum likelihood has no finite answer
        report["chosen"] = "empirical"
        report["why"] = f"every talk time is {values[0]:g} s, so no law can be fitted; the value itself is used"
        return {"dist": "empirical", "values": [float(values[0])]}, report
    s, _, scale = stats.lognorm.fit(values, floc=0)
    a, _, g_scale = stats.gamma.fit(values, floc=0)
    candidates = {
        "lognormal": ({"dist": "lognormal", "mean": scale * math.exp(s * s / 2), "cv": math.sqrt(math.expm1(s * s))},
                      stats.kstest(values, "lognorm", args=(s, 0, scale)).statistic,
                      _aic(stats.lognorm.logpdf(values, s, 0, scale).sum(), 2)),
        "gamma": ({"dist": "gamma", "mean": a * g_scale, "cv": 1 / math.sqrt(a)},
                  stats.kstest(values, "gamma", args=(a, 0, g_scale)).statistic,
                  _aic(stats.gamma.logpdf(values, a, 0, g_scale).sum(), 2)),
    }
    for name, (law, ks, aic) in candidates.items():
        report[name] = {"mean_seconds": round(law["mean"], 3), "cv": round(law["cv"], 4),
                        "ks_distance": round(float(ks), 4), "aic": round(float(aic), 1)}
    best = min(candidates, key=lambda k: candidates[k][1])
    law, ks, _ = candidates[best]
    if ks > KS_GOOD_ENOUGH:
        report["chosen"] = "empirical"
        report["why"] = (f"the closer fit ({best}) is still {ks:.3f} from the data in Kolmogorov-Smirnov "
                         f"distance (more than {KS_GOOD_ENOUGH}); the observed values are resampled")
        return {"dist": "empirical", "values": [float(round(v, 1)) for v in values]}, report
    report["chosen"] = best
    report["why"] = f"{best} is the closer fit: Kolmogorov-Smirnov distance {ks:.4f}"
    return {"dist": best, "mean": round(law["mean"], 3), "cv": _cv(law["cv"])}, report


def _cv(cv: float) -> float:
    """A fitted coefficient of variation as the scenario writes it: rounded, and within what a scenario may say
    (all abandoners hanging up at one queue timeout fit a lognormal of cv 0)."""
    return min(max(round(cv, 4), CV.low), CV.high)


def _aic(loglik: float, k: int) -> float:
    return 2 * k - 2 * loglik


def fit_patience(wait: np.ndarray, answered: np.ndarray) -> tuple[dict | None, dict]:
    """Patience from censored waits: exponential and lognormal maximum likelihood, Kaplan-Meier to check.

    Calls answered after w seconds had patience over w (right-censored); calls
    that hung up after w had patience w.  The law with the lower AIC is used.
    """
    abandoned = int((~answered).sum())
    exposure = float(wait.sum())
    report = {"calls": int(len(wait)), "abandoned": abandoned, "waiting_seconds": exposure}
    if abandoned == 0:
        report["chosen"] = "none: nobody hung up"
        return None, report
    report["mean_wait_of_abandoners_seconds"] = round(float(wait[~answered].mean()), 3)
    waited = wait > 0                     # a wait of 0 says nothing about patience
    # both laws on the same calls, those who waited, or their AICs do not compare (unless nobody who hung up had
    # waited at all: then the exponential alone, of all of them)
    hung_up = int((~answered & waited).sum()) or abandoned
    mean = exposure / hung_up
    data = stats.CensoredData(uncensored=wait[~answered & waited], right=wait[answered & waited])
    km = stats.ecdf(data).sf
    exp_loglik = hung_up * math.log(1.0 / mean) - exposure / mean
    fits = {"exponential": ({"dist": "exponential", "mean": round(mean, 3)}, _aic(exp_loglik, 1),
                            lambda t: math.exp(-t / mean))}
    if (~answered & waited).sum() >= MIN_SAMPLES:
        s, _, scale = stats.lognorm.fit(data, floc=0)
        loglik = (stats.lognorm.logpdf(wait[~answered & waited], s, 0, scale).sum()
                  + stats.lognorm.logsf(wait[answered & waited], s, 0, scale).sum())
        fits["lognormal"] = ({"dist": "lognormal", "mean": round(scale * math.exp(s * s / 2), 3),
                              "cv": _cv(math.sqrt(math.expm1(s * s)))}, _aic(loglik, 2),
                             lambda t, s=s, scale=scale: float(stats.lognorm.sf(t, s, 0, scale)))
    points = [15, 30, 60, 120, 300, 600]
    report["kaplan_meier_survival"] = {str(t): round(float(km.evaluate(t)), 4) for t in points}
    for name, (law, aic, sf) in fits.items():
        report[name] = {**{k: v for k, v in law.items() if k != "dist"}, "aic": round(float(aic), 1),
                        "survival": {str(t): round(sf(t), 4) for t in points}}
    best = min(fits, key=lambda k: fits[k][1])
    report["chosen"] = best
    report["why"] = (f"{best} has the lower AIC; maximum likelihood with answered calls as right-censored "
                     "observations, never the mean wait of abandoners alone")
    return fits[best][0], report


def presence(log: CallLog, interval_minutes: int) -> np.ndarray:
    """Mean number of agents present per interval of the log's span: each agent from the start of a call to
    the end of their last call before a break (``breaks``), and never fewer than were talking at once."""
    n_days = len(day_weekdays(log))
    width = interval_minutes * 60.0
    present = np.zeros(n_days * (clock.MINUTES_PER_DAY // interval_minutes))
    answered = (log.agent >= 0) & log.answered
    start = log.arrival + log.wait
    end = start + np.nan_to_num(log.handle, nan=0.0)
    # callers left waiting: those who hung up after waiting, and those who waited longer than an agent free
    # on duty takes to pick up
    kept_waiting = np.flatnonzero((log.wait > LONG_WAIT_SECONDS) | (~log.answered & (log.wait > 0)))
    for a in np.unique(log.agent[answered]):
        mine = np.flatnonzero(answered & (log.agent == a))
        s, e = start[mine], end[mine]
        order = np.argsort(s)
        s, e = s[order], np.maximum.accumulate(e[order])
        waiting = kept_waiting[np.isin(log.line[kept_waiting], np.unique(log.line[mine]))]   # of the agent's lines
        cut = breaks(e[:-1], s[1:], log.arrival[waiting], log.arrival[waiting] + log.wait[waiting])
        for first, last in zip(np.r_[0, cut + 1], np.r_[cut, len(s) - 1]):
            _add_span(present, s[first], e[last], width)
    # an agent answered in every interval where one talked, however briefly: a log of a few calls a day shows
    # an agent on duty, where rounding a few minutes of presence would staff none
    return np.maximum(present, np.minimum(busy_agents(log, interval_minutes), 1.0))


def names_are_people(log: CallLog) -> bool:
    """False when the agent column names teams, not people: more than ``TEAM_OVERLAP_SHARE`` of the calls
    under a name start while that name is still talking (the Anonymous Bank's logs: under 2%, slips of its
    clocks)."""
    answered = np.flatnonzero((log.agent >= 0) & log.answered & np.isfinite(log.handle))
    if not len(answered):
        return True
    start = (log.arrival + log.wait)[answered]
    end = start + log.handle[answered]
    order = np.lexsort((start, log.agent[answered]))
    agent, start, end = log.agent[answered][order], start[order], end[order]
    # the latest end so far under each name: each name's ends lifted above every earlier name's, so that one
    # running maximum restarts at each name
    lift = (np.cumsum(np.r_[False, agent[1:] != agent[:-1]])) * (end.max() - start.min() + 1.0)
    busy_until = np.maximum.accumulate(end + lift) - lift
    overlapping = (agent[1:] == agent[:-1]) & (start[1:] < busy_until[:-1] - OVERLAP_TOLERANCE_SECONDS)
    return overlapping.sum() <= TEAM_OVERLAP_SHARE * len(start)


def breaks(gap_starts: np.ndarray, gap_ends: np.ndarray, wait_starts: np.ndarray, wait_ends: np.ndarray) \
        -> np.ndarray:
    """Which gaps between an agent's calls (seconds) are breaks, the agent away: those over
    ``MAX_IDLE_SECONDS``, and those over ``SESSION_GAP_SECONDS`` during which a caller of the agent's lines was
    left waiting (from ``wait_starts`` to ``wait_ends``).  An agent on duty in a quiet hour may go long
    without a call; nothing then shows that they were away, and an idle agent kept on duty changes nothing
    where nobody waits (without this, a log of a few calls a day staffs no agent at all)."""
    gap = gap_ends - gap_starts
    order = np.argsort(wait_starts)
    first_waits, latest_end = wait_starts[order], np.maximum.accumulate(wait_ends[order])
    before = np.searchsorted(first_waits, gap_ends, side="left")     # waits that began before the gap ended
    waited = (before > 0) & (latest_end[np.maximum(before - 1, 0)] > gap_starts) if len(order) else \
        np.zeros(len(gap), dtype=bool)
    return np.flatnonzero((gap > MAX_IDLE_SECONDS) | ((gap > SESSION_GAP_SECONDS) & waited))


def _add_span(present: np.ndarray, start: float, end: float, width: float):
    k0, k1 = int(start // width), int(min(end, len(present) * width - 1e-9) // width)
    for k in range(k0, min(k1, len(present) - 1) + 1):
        lo, hi = max(start, k * width), min(end, (k + 1) * width)
        if hi > lo:
            present[k] += (hi - lo) / width


def weekly_staffing(log: CallLog, interval_minutes: int) -> np.ndarray:
    """Agents present per interval of the week, averaged over observed days of each weekday, rounded."""
    return weekly_pattern(log, presence(log, interval_minutes), interval_minutes)


def weekly_pattern(log: CallLog, per_interval: np.ndarray, interval_minutes: int) -> np.ndarray:
    """A value per interval of the log's span, as a week: mean over observed days of each weekday, rounded."""
    per_day = clock.MINUTES_PER_DAY // interval_minutes
    daily = per_interval.reshape(-1, per_day)
    weekdays, observed = day_weekdays(log), observed_days(log)
    week = np.zeros((7, per_day))
    for w in range(7):
        days = observed & (weekdays == w)
        if days.any():
            week[w] = daily[days].mean(axis=0)
    return np.round(week.reshape(-1)).astype(np.int64)


def check_interval(interval_minutes: int) -> None:
    """Refuse an interval length (minutes) that does not divide a day: a week of them must tile exactly."""
    if interval_minutes < 1 or clock.MINUTES_PER_DAY % interval_minutes:
        raise OptionError("--interval-minutes", "", f"must divide a day (1440 minutes) evenly, got "
                          f"{interval_minutes}; use for example 15, 30 or 60")


def check_fittable(log: CallLog) -> None:
    """Refuse a log that cannot give a scenario: too few talk times, or patience with no waiting."""
    talks = int((log.answered & np.isfinite(log.handle) & (log.handle > 0)).sum())
    if talks < MIN_SAMPLES:
        raise LogError(log.source, "handle_seconds", f"only {talks} answered call(s) with a talk time above 0 s; "
                       f"calibration needs at least {MIN_SAMPLES} to fit talk times: give a longer log with answered "
                       "calls")
    for j, line in enumerate(log.lines):
        mine = log.line == j
        if (~log.answered[mine]).any() and not log.wait[mine].any():
            raise LogError(log.source, "wait_seconds", f"callers of line {line} hung up, yet every wait is 0 "
                           "seconds: patience cannot be fitted; check the wait_seconds column")


def check_size(log: CallLog, interval_minutes: int) -> None:
    """Refuse, before any fitting, a log with so many lines that their rates alone would make the scenario
    larger than a scenario file may be: 4,200 distinct lines (a caller's number read as the line) took five
    minutes and 1.8 GB before the written file was found too large."""
    least = len(log.lines) * (clock.MINUTES_PER_WEEK // interval_minutes) * RATE_LINE_BYTES
    if least > limits.SCENARIO_FILE_BYTES:
        raise LogError(log.source, "line", f"holds {len(log.lines):,} lines; the scenario fitted to it would be "
                       f"over {least / 1e6:.1f} MB (each line's arrival rates per interval of the week), more than "
                       f"the {limits.SCENARIO_FILE_BYTES / 1e6:g} MB a scenario file may be; check that the line "
                       "column holds the lines, calibrate fewer lines at a time, or give a longer --interval-minutes")


def coverage_warnings(log: CallLog, days_of_weekday: np.ndarray) -> list[str]:
    """What the user should know about days the fit could not see."""
    out = []
    missing = missing_days(log)
    in_gaps = int(gap_days(log).sum())
    if in_gaps:
        out.append(f"{in_gaps} day(s) of the log's span have no calls in runs of {GAP_DAYS} days or more; "
                   "left out as days the log does not cover")
    if missing.any():
        out.append(f"{int(missing.sum())} day(s) have no call at all where that weekday's other days have "
                   f"{MISSING_DAY_CALLS} or more: {_dates(log, missing)}; left out as missing from the log (an "
                   "export gap, or a holiday the centre closed), not counted as quiet days")
    short = short_days(log)
    if short.any():
        out.append(f"{int(short.sum())} day(s) have fewer than {SHORT_DAY_SHARE:.0%} of the calls of that "
                   f"weekday's other days (median): {_dates(log, short)}; left out as holidays, their eves or days "
                   "the log holds only part of, not typical days")
    unseen = [clock.WEEKDAYS[w].capitalize() for w in range(7) if days_of_weekday[w] == 0]
    if unseen:
        out.append(f"the log covers no {', '.join(unseen)}: the scenario has no calls on those days")
    return out


def _dates(log: CallLog, days: np.ndarray) -> str:
    """The first five of ``days`` (a mask over the log's span) as dates with their weekdays, and how many more."""
    weekdays = day_weekdays(log)
    dates = [f"{(log.epoch + timedelta(days=int(d))).date()} ({clock.WEEKDAYS[weekdays[d]].capitalize()})"
             for d in np.flatnonzero(days)]
    return ", ".join(dates[:5]) + (f" and {len(dates) - 5} more" if len(dates) > 5 else "")


def calibrate(log: CallLog, name: str, interval_minutes: int = 30, threshold_seconds: float = 20.0,
              target: float = 0.8, max_abandon_rate: float = 0.05) -> tuple[dict, dict]:
    """The scenario (as a YAML-ready mapping) and the fit report.

    ``interval_minutes`` must divide a day; ``threshold_seconds`` is the
    service-level threshold.  Raises ``OptionError`` or ``LogError`` (one line)
    when no sensible scenario can be fitted.
    """
    check_interval(interval_minutes)
    check_fittable(log)
    check_size(log, interval_minutes)
    is_redial, p_redial, delay, abandoned_known = redials(log)
    fresh = ~is_redial
    rates, days_of_weekday = arrival_rates(log, fresh, interval_minutes)
    report = {"calls": int(len(log)), "first_day": str(log.epoch.date()),
              "days_observed_by_weekday": dict(zip(clock.WEEKDAYS, map(int, days_of_weekday))),
              "left_out": dict(log.left_out), "faults": dict(log.faults), "suspect_days": list(log.suspect_days),
              "warnings": list(log.notes) + coverage_warnings(log, days_of_weekday), "lines": {}}
    report["redials"] = {"calls_detected_as_redials": int(is_redial.sum()),
                         "probability_after_abandoning": round(p_redial, 4),
                         "mean_delay_seconds": None if math.isnan(delay) else round(delay, 1),
                         "abandoned_calls_of_known_callers": abandoned_known,
                         "rule": f"a call by the same caller id within {REDIAL_WINDOW_SECONDS // 60} minutes after "
                                 f"an abandoned call; caller id 0 is unknown, so their redials count as fresh calls"}
    all_talk = log.handle[log.answered]
    talk_factor = talk_by_hour(log)
    report["talk_factor_by_hour"] = [round(float(x), 3) for x in talk_factor]
    gaps = gaps_between_calls(log)
    wrapup = None
    if len(gaps) >= MIN_SAMPLES:
        wrapup = {"dist": "empirical", "values": [float(round(v, 1)) for v in gaps]}
        report["after_call_seconds"] = {
            "calls": int(len(gaps)), "mean_seconds": round(float(gaps.mean()), 1),
            "median_seconds": float(np.median(gaps)),
            "rule": "gaps between an agent's consecutive calls while callers were waiting (after-call work "
                    "and short breaks), resampled as after-call work of every call"}
    lines = {}
    for j, line in enumerate(log.lines):
        mine = log.line == j
        talk = log.handle[mine & log.answered]
        own = int(np.isfinite(talk).sum())
        if own < MIN_SAMPLES:
            talk = all_talk
            report["warnings"].append(f"line {line}: only {own} talk time(s), fewer than the {MIN_SAMPLES} a fit "
                                      f"needs; its talk-time law is fitted to all lines' "
                                      f"{int(np.isfinite(all_talk).sum()):,}")
        handle_law, handle_report = fit_talk(talk)
        patience_law, patience_report = fit_patience(log.wait[mine], log.answered[mine])
        arrivals = {"per_interval": [round(float(r), 4) for r in rates[j]]}
        shape = busyness_shape(log, fresh, j, rates[j], interval_minutes)
        if shape is not None:
            arrivals["busyness"] = {"dist": "gamma", "shape": shape}
        entry = {"mode": "merged", "pool": "agents", "arrivals": arrivals, "handle_seconds": handle_law}
        if wrapup is not None:
            entry["wrapup_seconds"] = wrapup
        if np.any(np.abs(talk_factor - 1) > 0.02):
            entry["handle_factor_by_hour"] = [round(float(x), 3) for x in talk_factor]
        if patience_law is not None:
            entry["patience_seconds"] = patience_law
        if p_redial > 0 and not math.isnan(delay):
            entry["redial"] = {"probability": round(p_redial, 4),
                               "delay_seconds": {"dist": "exponential", "mean": round(delay, 1)}, "max_redials": 3}
        lines[line] = entry
        report["lines"][line] = {"calls": int(mine.sum()), "fresh_calls": int((mine & fresh).sum()),
                                 "calls_per_week": round(float(rates[j].sum() * interval_minutes / 60.0), 1),
                                 "busyness_gamma_shape": shape, "talk": handle_report, "patience": patience_report}
    people = bool(log.agents) and names_are_people(log)
    if people:
        staffing = weekly_staffing(log, interval_minutes)
        rule = (f"agents present from a call's start to the end of their last call before a break (no call for "
                f"{SESSION_GAP_SECONDS // 60} minutes while a caller of their lines hung up or waited over "
                f"{LONG_WAIT_SECONDS:.0f} s, or for {MAX_IDLE_SECONDS // 3600} hours), at least one while a call "
                "was talked; mean over observed days of each weekday")
    else:       # the most seen talking at once instead
        staffing = weekly_pattern(log, busy_agents(log, interval_minutes), interval_minutes)
        rule = ("the log names no agents" if not log.agents else
                f"the log's agent names are teams' (more than {TEAM_OVERLAP_SHARE:.0%} of the calls under a name "
                "overlap another of that name)")
        rule += ": the most calls in progress at once, mean over observed days of each weekday"
        if log.agents:
            report["warnings"].append(f"agent names are not people's: {rule}")
    report["staffing"] = {"rule": rule, "agents": len(log.agents), "peak_agents": int(staffing.max())}
    scenario = {
        "name": name,
        "description": f"Calibrated by `hotline calibrate` from {len(log):,} calls "
                       f"({report['first_day']} on); see the fit report beside this file.",
        "horizon_hours": 168, "warmup_hours": 0, "interval_minutes": interval_minutes, "start": "mon 00:00",
        "service_level": {"threshold_seconds": threshold_seconds, "target": target},
        "max_abandon_rate": max_abandon_rate,
        "lines": lines,
        "pools": {"agents": {"seats_by_interval": [int(x) for x in staffing]}},
        # which calls it was fitted to: `hotline replay` of the same calls checks the fit, of others is a what-if
        "calibrated_from": {"log": log.source, "calls": len(log), "fingerprint": log.fingerprint()},
    }
    return scenario, report


def fitted_digest(raw: dict) -> str:
    """A digest of what calibration fitted (the lines and pools of a scenario mapping): ``replay`` compares it
    with the scenario it is given, so that a calibrated scenario edited into a design is replayed as a what-if,
    not as a check whose differences would be called the model's errors.  Sample files count by name only (a
    variant in another folder reaches them by another path)."""
    fitted = map_files({"lines": raw.get("lines"), "pools": raw.get("pools")}, os.path.basename)
    text = json.dumps(fitted, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FITTED_HEX_DIGITS]


def busy_agents(log: CallLog, interval_minutes: int) -> np.ndarray:
    """Agents seen talking at once per interval of the log's span: the most at any moment.

    When callers wait, every agent able to answer is talking, so the most seen
    at once is the capacity actually on the phones: agents on breaks, writing up
    or away are left out, as they should be.
    """
    n_days = len(day_weekdays(log))
    width = interval_minutes * 60.0
    n = n_days * (clock.MINUTES_PER_DAY // interval_minutes)
    talked = log.answered & np.isfinite(log.handle)
    start = (log.arrival + log.wait)[talked]
    end = start + log.handle[talked]
    times = np.concatenate([start, end])
    steps = np.concatenate([np.ones(len(start)), -np.ones(len(end))])
    order = np.lexsort((steps, times))            # at a tie, an end before a start
    times, level = times[order], np.cumsum(steps[order])
    k = np.minimum((times // width).astype(np.int64), n - 1)
    out = np.zeros(n)
    np.maximum.at(out, k, level)
    # an interval with no event keeps the level it started with
    starting = np.zeros(n)
    last = np.searchsorted(times, np.arange(n) * width, side="right") - 1
    starting[last >= 0] = level[last[last >= 0]]
    return np.maximum(out, starting)


def gaps_between_calls(log: CallLog) -> np.ndarray:
    """Seconds an agent took between the end of a call and the next while callers were waiting.

    With a queue, an agent free to talk would have taken the next caller at
    once, so these gaps are after-call work and short breaks: the agent time
    the log does not show as talk.
    """
    talked = log.answered & np.isfinite(log.handle) & (log.agent >= 0)
    start = log.arrival + log.wait
    end = start + np.nan_to_num(log.handle)
    queued = log.wait > 0
    joined, left = np.sort(log.arrival[queued]), np.sort((log.arrival + log.wait)[queued])
    gaps = []
    for a in np.unique(log.agent[talked]):
        mine = np.flatnonzero(talked & (log.agent == a))
        mine = mine[np.argsort(start[mine])]
        gap = start[mine][1:] - end[mine][:-1]
        at = end[mine][:-1]
        waiting = np.searchsorted(joined, at, "right") - np.searchsorted(left, at, "right")
        gaps.append(gap[(gap >= 0) & (gap < SESSION_GAP_SECONDS) & (waiting > 0)])
    return np.concatenate(gaps) if gaps else np.zeros(0)


def talk_by_hour(log: CallLog, min_calls: int = 200) -> np.ndarray:
    """Mean talk time in each clock hour relative to the line's own mean, pooled over lines.

    Talk times follow the day (in the bank data 220 s at 09:00, 153 s at 23:00);
    an i.i.d. law per line misses that.  Each call's talk is divided by its
    line's mean so that the mix of lines does not masquerade as a daily pattern;
    hours with fewer than ``min_calls`` calls keep a factor of 1, and so do hours
    whose mean is within TALK_FACTOR_NOISE standard errors of 1: talk times drawn
    alike at every hour gave factors of 0.94 to 1.06 from noise alone.
    """
    ok = log.answered & np.isfinite(log.handle) & (log.handle > 0)
    line_mean = np.array([log.handle[ok & (log.line == j)].mean() if (ok & (log.line == j)).any() else 1.0
                          for j in range(len(log.lines))])
    relative = log.handle[ok] / line_mean[log.line[ok]]
    hour = ((log.arrival[ok] % 86400) // 3600).astype(np.int64)
    counts = np.bincount(hour, minlength=24)
    sums = np.bincount(hour, weights=relative, minlength=24)
    squares = np.bincount(hour, weights=relative ** 2, minlength=24)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
        standard_error = np.sqrt(np.maximum(squares / counts - mean ** 2, 0.0) / counts)
        factor = np.where((counts >= min_calls) & (np.abs(mean - 1) > TALK_FACTOR_NOISE * standard_error),
                          mean, 1.0)
    return factor
