"""Transfers: an agent finds the question is another pool's and hands the caller over.

The first agent talks for the triage time, then transfers: ``cold`` (hangs up
at once; the caller waits alone) or ``warm`` (stays on the line until the other
side answers or the caller hangs up).  The caller's second wait is the
connection delay, then the other pool's queue, with the transfer's patience.
"""

from __future__ import annotations

from functools import partial

from sim.model.codes import ABANDONED, COLD, TRANSFERRED, WAITING, WARM

INF = float("inf")


class Transfers:
    """The transfer steps of one replication (``model`` is the ``engine.Replication``)."""

    def __init__(self, model):
        self.model = model
        self.env = model.env
        self.routes = model.routes.routes
        self.pools = model.pools
        self.warm_agents: dict[tuple[int, int], object] = {}   # (id(block), i) -> first agent's token

    def start_triage(self, pool, block, i: int, t: float, seconds: float):
        """An agent of ``pool`` answers at ``t`` and talks ``seconds`` before finding the question is not theirs.

        A cold transfer is known from here on: the agent is free when triage ends (held lazily like any call,
        so the pool knows when every agent will be free: ``Pool.answer_ahead``) and the caller reaches the
        other pool after the connection delay, with no event in between.  A warm one's agent stays on until
        the other side answers or the caller hangs up, so events end triage and release the agent."""
        route = self.routes[block.category[i]]
        block.pending += 1                              # the transfer's outcome
        if route.kind == COLD:
            pool.hold(t, seconds)
            end = t + seconds
            block.xfer_by[i] = WAITING
            target = self.pools[route.finish_pool]
            self.model.at(end + block.xfer_delay[i],
                          partial(self._arrives, target, block, i, end, end + block.xfer_patience[i]))
            return
        token = pool.seize(t)
        self.model.at(t + seconds, partial(self._end_triage, pool, token, block, i))

    def _end_triage(self, pool, token, block, i: int, _event):
        """A warm transfer's triage ends: the agent stays on while the caller is put through."""
        now = self.env._now
        route = self.routes[block.category[i]]
        self.warm_agents[(id(block), i)] = token
        block.xfer_by[i] = WAITING
        deadline = now + block.xfer_patience[i]
        target = self.pools[route.finish_pool]
        self.model.at(now + block.xfer_delay[i], partial(self._arrives, target, block, i, now, deadline))
        if deadline < INF:
            self.model.at(deadline, partial(self._warm_hangup, pool, target, block, i))

    def _arrives(self, target, block, i: int, start: float, deadline: float, _event):
        """The connection is made: the caller joins the other pool's queue (or is answered)."""
        if block.xfer_by[i] != WAITING:
            return
        now = self.env._now
        if deadline < now:
            block.xfer_by[i] = ABANDONED
            block.xfer_wait[i] = deadline - start
            self._hung_up(block, i, now)
        elif target.is_free(now):
            self.answer(target, block, i, now, start)
        elif not self._decided_ahead(target, block, i, now, start, deadline):
            target.enqueue(block.level[i], (deadline, start, block.second_seconds[i], block, i, TRANSFERRED))

    def _decided_ahead(self, target, block, i: int, now: float, start: float, deadline: float) -> bool:
        """Where the other pool's future is known (``Pool.answer_ahead``), the caller put through cold at ``now``
        is answered by its agent who finishes first, or hangs up before, decided now as for a first call
        (``Replication.enqueue_first``): no queue entry and no wake-up, which were a third of what a transfer
        cost.  False, with nothing changed, where it is not known (or the first agent waits on the line)."""
        if not target.ahead or self.routes[block.category[i]].kind != COLD:
            return False
        answer_at = target.answer_ahead(now, deadline, block.second_seconds[i])
        if answer_at == INF:
            return False
        model = self.model
        if answer_at <= deadline:
            block.xfer_by[i] = target.index
            block.xfer_wait[i] = answer_at - start
            if model.handled_hook and block.visits[i]:
                model.outbound_work.handled(target, block, i, answer_at)
        else:
            block.xfer_by[i] = ABANDONED
            block.xfer_wait[i] = deadline - start
        model.settle(block)
        return True

    def answer(self, target, block, i: int, now: float, start: float):
        """An agent of ``target`` answers the transferred caller at ``now``."""
        block.xfer_by[i] = target.index
        block.xfer_wait[i] = now - start
        target.hold(now, block.second_seconds[i])
        if self.routes[block.category[i]].kind == WARM:     # the first agent hands over and hangs up
            self.pools[block.by[i]].release(self.warm_agents.pop((id(block), i)), now)
        if self.model.handled_hook and block.visits[i]:
            self.model.outbound_work.handled(target, block, i, now)
        self.model.settle(block)

    def _warm_hangup(self, pool, target, block, i: int, _event):
        """The caller's patience ends during a warm transfer: unless answered by now, the first agent is free."""
        if block.xfer_by[i] != WAITING:
            return
        now = self.env._now
        target.catch_up(now)                            # an agent ending a call now answers first
        if block.xfer_by[i] != WAITING:
            return
        block.xfer_by[i] = ABANDONED
        block.xfer_wait[i] = block.xfer_patience[i]
        self._hung_up(block, i, now)

    def _hung_up(self, block, i: int, now: float):
        token = self.warm_agents.pop((id(block), i), None)
        if self.routes[block.category[i]].kind == WARM:
            self.pools[block.by[i]].release(token, now)
        self.model.settle(block)
