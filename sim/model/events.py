"""Scheduling on SimPy's event queue, cheaply.

The model needs only "call this function at that time".  A ``simpy.Timeout``
does that through two Python calls and six attribute stores per event, a
third of the cost of an event in this model.  ``at`` pushes a minimal event
straight onto the environment's queue, as ``Environment.schedule`` would:
SimPy's loop needs no more of an event than ``callbacks`` and ``_ok``.
``urgent`` events are processed before the ordinary ones due at the same
moment: changes of the rules (agents coming or going, outbound hours opening
or closing) take effect first, so a shift that ends at 08:00 takes no work at
08:00.  ``last`` events come after them: outbound jobs that become ready at one
moment (at the opening, say) are all in before agents take them, earliest due
first, whatever order they were created in.
"""

from __future__ import annotations

from heapq import heappush

import simpy
from simpy.events import NORMAL, URGENT

LAST = NORMAL + 1


class Due:
    """An event that is already triggered and only carries callbacks."""

    __slots__ = ("callbacks", "_ok")

    def __init__(self, callback):
        self.callbacks = [callback]
        self._ok = True


def at(env: simpy.Environment, time: float, callback):
    """Call ``callback(event)`` at simulation time ``time`` (seconds, not before now)."""
    heappush(env._queue, (time, NORMAL, next(env._eid), Due(callback)))


def urgent(env: simpy.Environment, time: float, callback):
    """Like ``at``, but before the ordinary events due at the same moment."""
    heappush(env._queue, (time, URGENT, next(env._eid), Due(callback)))


def last(env: simpy.Environment, time: float, callback):
    """Like ``at``, but after the ordinary events due at the same moment."""
    heappush(env._queue, (time, LAST, next(env._eid), Due(callback)))
