"""The small integers the model writes into calls and queue entries, named once.

They are plain ``IntEnum`` members, so a list of them is a list of ints that
numpy and the hot loop compare at C speed; the names are for people.
"""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """What became of a call's wait (``Block.by`` / ``Block.xfer_by``); a pool index (>= 0) means answered there."""
    ABANDONED = -1          # hung up before an agent answered
    WAITING = -2            # still waiting (never left in a finished block)
    NOT_TRANSFERRED = -3    # ``xfer_by`` of a call that needed no transfer


class Stage(IntEnum):
    """Where a queued caller is in its call (the last item of a queue entry)."""
    FINISH = 0              # a first call its entry pool finishes
    TRIAGE = 1              # a first call whose agent finds it must transfer it, after triage
    TRANSFERRED = 2         # a transferred caller's second wait, in the pool that finishes it


class Route(IntEnum):
    """How a category reaches the pool that finishes it."""
    PLAIN = 0               # the entry pool finishes it
    COLD = 1                # transferred; the first agent hangs up after triage
    WARM = 2                # transferred; the first agent stays on until the other side answers


ABANDONED, WAITING, NOT_TRANSFERRED = Outcome.ABANDONED, Outcome.WAITING, Outcome.NOT_TRANSFERRED
PLAIN, COLD, WARM = Route.PLAIN, Route.COLD, Route.WARM
FINISH, TRIAGE, TRANSFERRED = Stage.FINISH, Stage.TRIAGE, Stage.TRANSFERRED
