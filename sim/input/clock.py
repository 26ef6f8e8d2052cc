"""Clock time: the week the simulation runs in.

Simulation time is seconds since the start of the horizon; the scenario's
``start`` says which weekday and time that is.  Profiles, seat lists and shifts
are written against the clock (Monday 00:00 = minute 0 of the week), so they are
looked up at ``start_minute + elapsed minutes``, modulo one week.
"""

from __future__ import annotations

import re

MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
MINUTES_PER_DAY = HOURS_PER_DAY * MINUTES_PER_HOUR
MINUTES_PER_WEEK = DAYS_PER_WEEK * MINUTES_PER_DAY
END_OF_DAY = "24:00"           # a closing time at midnight, the end of the day it opened
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = re.compile(r"^(?:(?P<day>[A-Za-z]+)\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})$")


def weekday_index(name: str) -> int | None:
    """0 for Monday ... 6 for Sunday; accepts 'mon', 'Monday', 'MON'.  None if unknown."""
    key = str(name).strip().lower()[:3]
    return WEEKDAYS.index(key) if key in WEEKDAYS and str(name).strip().lower() in _ALIASES[key] else None


_ALIASES = {d: {d, full} for d, full in zip(WEEKDAYS, (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}


def parse_clock(text: str) -> tuple[int | None, int] | None:
    """'08:00' -> (None, 480); 'tue 08:00' -> (1, 480).  None if malformed."""
    match = _TIME.match(str(text).strip())
    if not match:
        return None
    hours, minutes = int(match["h"]), int(match["m"])
    if hours > 23 or minutes > 59:
        return None
    day = None
    if match["day"]:
        day = weekday_index(match["day"])
        if day is None:
            return None
    return day, hours * 60 + minutes


def parse_closing(text: str) -> tuple[int | None, int] | None:
    """A closing time: ``parse_clock``'s, or (None, MINUTES_PER_DAY) for END_OF_DAY, midnight at the end of
    the day (a line open 08:00-24:00)."""
    if str(text).strip() == END_OF_DAY:
        return None, MINUTES_PER_DAY
    return parse_clock(text)


def label(minute_of_week: int) -> tuple[str, str]:
    """('Mon', '08:30') for a minute of the week."""
    minute_of_week %= MINUTES_PER_WEEK
    day, minute = divmod(minute_of_week, MINUTES_PER_DAY)
    return WEEKDAYS[day].capitalize(), f"{minute // 60:02d}:{minute % 60:02d}"
