"""The small integers the model writes into calls and queue entries, named once.

The enums give them names for people; the model uses the module-level names
below, which are their plain ``int`` values: numpy reads a list of enum members
one ``__index__`` at a time (a block's ``xfer_by`` took 1 ms, against 0.2 ms
for plain ints), and Python compares plain ints on its fast path.
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


ABANDONED, WAITING, NOT_TRANSFERRED = (int(code) for code in Outcome)
PLAIN, COLD, WARM = (int(code) for code in Route)
FINISH, TRIAGE, TRANSFERRED = (int(code) for code in Stage)
