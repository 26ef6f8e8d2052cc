"""The model's own laws, checked while a replication runs (tests switch this on).

Where no exact answer is known, these must hold for any scenario:
- no agent of a pool is free while a caller it may answer waits (a caller
  whose overflow time has not come is not yet one another pool may answer),
  callers whose answer or hang-up the pool decided on arrival included
  (``Pool.answer_ahead``);
- no more than an outbound kind's reserve of agents is free while a job of
  that kind waits within its hours and no caller waits (agents a catch-up
  would free take jobs lazily, at their own ends: they are not counted);
- no lazily released agent finished a call while such a caller waited, unseen
  (a lost wake-up);
- no event is scheduled in the past, and a pool's clock never runs backwards;
- a pool knows when its next pending outbound job becomes available, and no
  job created for later (``OutboundWork.later_kinds``) could be available yet;
- no caller is answered before arriving (waits are never negative) or after
  hanging up (an answered caller waited no longer than its patience).

``InvariantChecker.run`` steps SimPy's loop itself and checks every pool after
every event; each finished block of calls is checked call by call.  A broken
law raises ``InvariantError`` naming the time, pool or call.
"""

from __future__ import annotations

from simpy.core import EmptySchedule

from sim.model.codes import ABANDONED, TRANSFERRED, WAITING
from sim.model.pool import NO_JOB, HeadcountPool

TOLERANCE_SECONDS = 1e-6


class InvariantError(AssertionError):
    """The model broke one of its own laws (a bug in the model, not in the input)."""


class InvariantChecker:
    def __init__(self, model):
        self.model = model
        self.last_change = [0.0] * len(model.pools)
        self.decided = [[] for _ in model.pools]    # per pool: (arrival, answer or hang-up) of callers decided ahead
        self.events = 0
        at = model.at

        def checked_at(time: float, callback):
            now = model.env._now
            if time < now - TOLERANCE_SECONDS:
                raise InvariantError(f"t={now:.3f} s: an event scheduled in the past, at {time:.3f} s")
            at(time, callback)

        model.at = checked_at

    def run(self):
        while True:
            try:
                self.step()
            except EmptySchedule:
                return

    def step(self):
        """SimPy's ``step``, then the laws (the model's hot loop also processes events with it)."""
        env = self.model.env
        env.step()
        self.events += 1
        self.check(env._now)

    def check(self, now: float):
        """Every law, at ``now`` (s): after each event, and where a run of arrivals stops for one."""
        self.check_later(now)
        self.check_pools(now)

    def check_later(self, now: float):
        """Jobs created for later are placed among their pools' pending jobs before any could be available."""
        work = self.model.outbound_work
        # after the horizon no boundary places them, and none is made: each becomes available after the horizon
        if work.placed_at + work.later_span <= now < work.horizon_seconds and work.waiting_later():
            raise InvariantError(f"t={now:.3f} s: {work.waiting_later()} job(s) created for later, since "
                                 f"{work.placed_at:.3f} s, may be available now but are not among the pending jobs")

    def decided_ahead(self, pool, arrival: float, until: float):
        """A caller who joined ``pool`` at ``arrival`` (s) waits until ``until`` (answered, or hangs up)."""
        self.decided[pool.index].append((arrival, until))

    # -- pools ------------------------------------------------------------------
    def check_pools(self, now: float):
        for pool in self.model.pools:
            # within a run of arrivals a pool's own clock may be ahead of the event's (``engine._arrive``)
            pool_now = max(now, pool.last_change)
            decided = self.decided[pool.index] = [d for d in self.decided[pool.index]
                                                  if d[1] > pool_now + TOLERANCE_SECONDS]
            if decided:
                free = pool.n_free + len(self._freeing_ends(pool, pool_now))
                if free > 0:
                    arrival, until = decided[0]
                    raise InvariantError(f"t={now:.3f} s: pool {pool.index} has {free} free agent(s) while a caller "
                                         f"decided on arrival ({arrival:.3f} s) waits until {until:.3f} s")
            if pool.last_change < self.last_change[pool.index] - TOLERANCE_SECONDS:
                raise InvariantError(f"t={now:.3f} s: pool {pool.index}'s clock ran back from "
                                     f"{self.last_change[pool.index]:.3f} to {pool.last_change:.3f} s")
            self.last_change[pool.index] = pool.last_change
            self.check_ready_floor(pool, now)
            self.check_pending(pool, now)
            waiting = [entry for queue in pool.queues for entry in queue if _waits(entry)]
            if not waiting:
                self.check_jobs(pool, now)
                continue
            alive_from = max(now, pool.last_change)
            alive = [e for e in waiting if e[0] >= alive_from - TOLERANCE_SECONDS and e[1] <= alive_from]
            if pool.n_free > 0 and alive:
                e = alive[0]
                raise InvariantError(f"t={now:.3f} s: pool {pool.index} has {pool.n_free} free agent(s) while a "
                                     f"caller waits since {e[1]:.3f} s (patience until {e[0]:.3f} s)")
            for end in self._freeing_ends(pool, now):
                for deadline, start, *_ in waiting:
                    if start <= end - TOLERANCE_SECONDS and deadline >= end + TOLERANCE_SECONDS:
                        raise InvariantError(
                            f"t={now:.3f} s: pool {pool.index}: an agent finished at {end:.3f} s, unseen, while a "
                            f"caller waited (since {start:.3f} s, patience until {deadline:.3f} s): a lost wake-up")

    def check_pending(self, pool, now: float):
        """Jobs not yet available: the queue of those created in order is in order, and the pool's next
        availability is the earliest of all."""
        run = [entry[0] for entry in pool.pending_run]
        if any(later < earlier for earlier, later in zip(run, run[1:])):
            raise InvariantError(f"t={now:.3f} s: pool {pool.index}'s queue of pending jobs is out of order")
        first = min(run[:1] + [entry[0] for entry in pool.pending], default=float("inf"))
        if pool.pending_at != first:
            raise InvariantError(f"t={now:.3f} s: pool {pool.index} expects its next job at {pool.pending_at:.3f} s, "
                                 f"but the first becomes available at {first:.3f} s")

    def check_ready_floor(self, pool, now: float):
        """The pool's ``ready_floor`` (kept up as jobs come and go) is what its waiting jobs say."""
        work = self.model.outbound_work
        floor = min((work.reserve[k] for k, jobs in enumerate(pool.jobs) if jobs and work.open[k]),
                    default=NO_JOB)
        if pool.ready_floor != floor:
            raise InvariantError(f"t={now:.3f} s: pool {pool.index} says agents take jobs from more than "
                                 f"{pool.ready_floor} free, but its waiting jobs say {floor}: agents finishing would "
                                 f"miss a job or look for one in vain")

    def check_jobs(self, pool, now: float):
        """Agents actually free (not those a catch-up would free: they take jobs then, lazily) above the reserve
        while jobs that came in wait."""
        work = self.model.outbound_work
        for k, jobs in enumerate(pool.jobs):
            hours = work.kinds[k].hours
            # the model's rule after the horizon: hours open then close no more, so a kind open at the horizon is
            # made until its next closing (``open_until``), and then no more
            if (jobs and work.open[k] and work.opened_at[k] != now and (hours is None or work.is_open(now, hours))
                    and now < work.open_until[k] and pool.n_free > work.reserve[k]):
                raise InvariantError(f"t={now:.3f} s: pool {pool.index} has {pool.n_free} free agent(s), more "
                                     f"than the {work.reserve[k]} kept free, while {len(jobs)} job(s) of outbound "
                                     f"kind {work.kinds[k].name!r} wait")

    @staticmethod
    def _freeing_ends(pool, now: float) -> list[float]:
        """Lazy ends before ``now`` that would have freed an agent (not one leaving after a shift)."""
        if isinstance(pool, HeadcountPool):
            ends = sorted(e for e in pool.ends if e < now - TOLERANCE_SECONDS)
            free, out = pool.n_free, []
            for end in ends:
                free += 1
                if free > 0:
                    out.append(end)
            return out
        busy, out = list(pool.busy), []
        for end, group in sorted(e for e in pool.ends if e[0] < now - TOLERANCE_SECONDS):
            busy[group] -= 1
            if busy[group] < pool.on_duty[group]:
                out.append(end)
        return out

    # -- calls ------------------------------------------------------------------
    def check_block(self, block):
        for i, arrival in enumerate(block.times):
            wait, by = block.wait[i], block.by[i]
            where = f"call {i} of a block (line {block.line[i]}, arrived {arrival:.3f} s)"
            if by == WAITING or block.xfer_by[i] == WAITING:
                raise InvariantError(f"{where}: still waiting when its block was booked")
            if wait < -TOLERANCE_SECONDS:
                raise InvariantError(f"{where}: negative wait {wait:.6f} s")
            if by != ABANDONED and wait > block.patience[i] + TOLERANCE_SECONDS:
                raise InvariantError(f"{where}: answered after {wait:.3f} s, after hanging up at "
                                     f"{block.patience[i]:.3f} s")
            if by == ABANDONED and wait > block.patience[i] + TOLERANCE_SECONDS:
                raise InvariantError(f"{where}: booked as hung up after {wait:.3f} s, patience {block.patience[i]:.3f} s")
            if block.xfer_by[i] >= 0 or block.xfer_by[i] == ABANDONED:
                xw = block.xfer_wait[i]
                if xw < -TOLERANCE_SECONDS:
                    raise InvariantError(f"{where}: negative transfer wait {xw:.6f} s")
                if block.xfer_by[i] >= 0 and xw > block.xfer_patience[i] + TOLERANCE_SECONDS:
                    raise InvariantError(f"{where}: transferred caller answered after {xw:.3f} s, after hanging "
                                         f"up at {block.xfer_patience[i]:.3f} s")


def _waits(entry) -> bool:
    """Is this queue entry a caller still waiting (not answered elsewhere, not booked)?"""
    _, _, _, block, i, stage = entry
    return (block.xfer_by[i] if stage == TRANSFERRED else block.by[i]) == WAITING
