"""Opening hours of a line or pool (``open:``) and what its callers meet outside them (``when_closed:``).

    open: {days: [mon, tue, wed, thu, fri], hours: ["08:30", "17:30"]}
    open: [{days: weekdays, hours: ["08:30", "17:30"]}, {days: [sat], hours: ["09:00", "12:00"]}]
    when_closed: {to: "12345"}                 # 12345's agents answer and finish the call
    when_closed: {callback: {within_hours: 4}} # the line's agents call back after it opens
    when_closed: message                       # counted, never answered (the default)

Hours may cross midnight (``["22:00", "06:00"]`` opens on the listed day and
closes the next morning).  A pool's ``open``/``when_closed`` are the default of
the lines it answers.
"""

from __future__ import annotations

import numpy as np

from sim.input import clock, limits
from sim.input.reader import Node, describe
from sim.input.spec import WhenClosed

WEEKDAY_SHORTHANDS = {"weekdays": clock.WEEKDAYS[:5], "weekends": clock.WEEKDAYS[5:], "every day": clock.WEEKDAYS}
DEFAULT_CALLBACK_WITHIN_HOURS = 4.0      # "next morning": by noon for a line that opens at 08:00
KINDS = ("to", "callback", "message")
_EXAMPLE = "{days: [mon, tue, wed, thu, fri], hours: ['08:30', '17:30']}"


def parse_open(node: Node, key: str = "open") -> np.ndarray:
    """Minutes of the clock week in which the line is open (True), from one window or a list of windows."""
    raw = node.raw(key)
    windows = raw if isinstance(raw, list) else [raw]
    if not windows:
        node.fail(f"must be opening hours such as {_EXAMPLE}, or a list of them", key)
    week = np.zeros(clock.MINUTES_PER_WEEK, dtype=bool)
    for i, item in enumerate(windows):
        where = f"{key}[{i}]" if isinstance(raw, list) else key
        if not isinstance(item, dict):
            node.fail(f"must be opening hours such as {_EXAMPLE}, got {describe(item)}", where)
        w = Node(item, node.source, node.field(where))
        w.unknown_keys({"days", "hours"})
        days = w.raw("days", list(clock.WEEKDAYS))
        if isinstance(days, str) and days.strip().lower() in WEEKDAY_SHORTHANDS:
            days = list(WEEKDAY_SHORTHANDS[days.strip().lower()])
        indices = [clock.weekday_index(d) for d in days] if isinstance(days, list) and days else [None]
        if None in indices:
            w.fail(f"must be a list of weekdays such as [mon, tue] (or weekdays, weekends, every day), "
                   f"got {'an empty list' if days == [] else describe(days)}", "days")
        hours = w.raw("hours")
        parsed = ([clock.parse_clock(hours[0]), clock.parse_closing(hours[1])]
                  if isinstance(hours, list) and len(hours) == 2 else None)
        if not parsed or any(p is None or p[0] is not None for p in parsed):
            w.fail(f"must be two times, opening and closing, such as ['08:30', '17:30'] (until midnight: "
                   f"'{clock.END_OF_DAY}'), got {describe(hours)}", "hours")
        opens, closes = parsed[0][1], parsed[1][1]
        if opens == closes:
            w.fail("opens and closes at the same time; a line open all day long is written without 'open'",
                   "hours")
        length = closes - opens if closes > opens else closes - opens + clock.MINUTES_PER_DAY
        for day in indices:
            first = day * clock.MINUTES_PER_DAY + opens
            week[np.arange(first, first + length) % clock.MINUTES_PER_WEEK] = True
    if week.all():
        node.fail("is open every minute of the week; leave 'open' out for a line that never closes", key)
    return week


def parse_when_closed(node: Node, key: str = "when_closed") -> WhenClosed:
    """What callers meet outside the opening hours (see the module's docstring)."""
    raw = node.raw(key, "message")
    if isinstance(raw, str) and raw in ("message", "callback"):
        raw = {raw: True}
    if not isinstance(raw, dict) or len([k for k in KINDS if k in raw]) != 1:
        node.fail(f"must be one of: message, callback, {{to: '12345'}}, {{callback: {{within_hours: 4}}}}; "
                  f"got {describe(raw)}", key)
    w = Node(raw, node.source, node.field(key))
    kind = next(k for k in KINDS if k in raw)
    if kind == "to":
        w.unknown_keys({"to", "handle_factor"})
        return WhenClosed("to", to=w.text("to"), handle_factor=w.number("handle_factor", 1.0, above=0,
                                                                        limit=limits.FACTOR))
    w.unknown_keys({kind})
    if kind == "message":
        if raw["message"] is not True:
            w.fail(f"write 'when_closed: message', got {describe(raw['message'])}", "message")
        return WhenClosed("message")
    within_hours = DEFAULT_CALLBACK_WITHIN_HOURS
    if raw["callback"] is not True:
        c = w.child("callback")
        c.unknown_keys({"within_hours"})
        within_hours = c.number("within_hours", DEFAULT_CALLBACK_WITHIN_HOURS, above=0,
                                limit=limits.OUTBOUND_WINDOW_HOURS)
    return WhenClosed("callback", within_seconds=within_hours * 3600.0)
