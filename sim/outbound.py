"""Outbound work: callbacks of missed calls and return visits, made by the same agents.

A job is created for a share of its trigger (a hang-up, or an answered call),
may be made from ``after`` seconds later, and is made when an agent is free,
no inbound caller waits, at least ``reserve_agents`` colleagues stay free, and
(when given) within the clock ``hours``.  Jobs that wait count as work waiting
in the pool, so the pool wakes up for them like for callers.
"""

from __future__ import annotations

from functools import partial
from heapq import heappop, heappush

from .clock import MINUTES_PER_DAY

SECONDS_PER_DAY = 86400.0


class Draws:
    """Values of a law drawn a batch at a time, handed out one by one."""

    __slots__ = ("law", "rng", "buffer")

    def __init__(self, law, rng):
        self.law, self.rng, self.buffer = law, rng, []

    def next(self) -> float:
        if not self.buffer:
            self.buffer = self.law.sample(self.rng, 1024).tolist()[::-1]
        return self.buffer.pop()


class OutboundWork:
    """The outbound jobs of one replication (``model`` is the ``engine.Replication``)."""

    def __init__(self, model):
        self.model = model
        self.s = model.s
        self.kinds = model.outbound
        self.rng = model.outbound_rng
        self.counters = model.counters
        self.missed_kinds = [(k, o.share) for k, o in enumerate(self.kinds) if o.trigger == "missed"]
        self.handled_kinds = [(k, o.share) for k, o in enumerate(self.kinds) if o.trigger == "handled"]
        self.job_seconds = [Draws(o.handle, self.rng) for o in self.kinds]
        self.sequence = 0

    def start(self):
        """Before the run: open the clock hours of each kind that has them."""
        for o in self.kinds:
            if o.hours is not None:
                self.model.at(self.next_open(0.0, o.hours), partial(self._opening, o.hours))

    def missed(self, pool, t: float):
        """A caller of ``pool`` hung up at ``t``: maybe a callback."""
        for k, share in self.missed_kinds:
            if self.rng.random() < share:
                self.create(k, pool, t)

    def handled(self, pool, t: float):
        """A call is being handled by ``pool`` from ``t``: maybe a return visit later."""
        for k, share in self.handled_kinds:
            if self.rng.random() < share:
                self.create(k, pool, t)

    def create(self, k: int, pool, t: float):
        o = self.kinds[k]
        self.counters.add_pool("outbound_created", int(t // self.s.interval_seconds), pool.index, 1.0)
        available = t + o.after_seconds
        due = available + o.within_seconds
        if o.hours is not None:
            available = self.next_open(available, o.hours)
        if available >= self.s.horizon_seconds:
            return                                      # it would be made after the reported horizon
        seconds = self.job_seconds[k].next()
        self.sequence += 1
        self.model.at(available, partial(self._ready, pool, k, (due, self.sequence, seconds)))

    def _ready(self, pool, k: int, job, _event):
        now = self.model.env._now
        pool.catch_up(now)          # before the job exists: an agent who finished earlier must not take it early
        heappush(pool.jobs[k], job)
        if pool.n_free > 0:
            pool.take_work(now)
        else:
            pool.arm()

    def take(self, pool, now: float):
        """Free agents with no inbound caller waiting make outbound calls, earliest due first."""
        interval = int(now // self.s.interval_seconds)
        add = self.counters.add_pool
        for k, o in enumerate(self.kinds):
            jobs = pool.jobs[k]
            if not jobs or (o.hours is not None and not self.is_open(now, o.hours)):
                continue
            while jobs and pool.n_free > o.reserve_agents:
                due, _, seconds = heappop(jobs)
                pool.hold(now, seconds)
                add("outbound_made", interval, pool.index, 1.0)
                add("outbound_on_time", interval, pool.index, float(now <= due))
                add("outbound_seconds", interval, pool.index, seconds)

    def _opening(self, hours, _event):
        """Outbound hours open: idle agents start on the jobs that waited overnight."""
        now = self.model.env._now
        for pool in self.model.pools:
            if pool.is_free(now):
                pool.take_work(now)
        following = now + SECONDS_PER_DAY
        if following < self.s.horizon_seconds:
            self.model.at(following, partial(self._opening, hours))

    def minute_of_day(self, t: float) -> float:
        return (self.s.start_minute + t / 60.0) % MINUTES_PER_DAY

    def is_open(self, t: float, hours) -> bool:
        return hours[0] <= self.minute_of_day(t) < hours[1]

    def next_open(self, t: float, hours) -> float:
        """The first time at or after ``t`` (seconds) inside the clock hours."""
        minute = self.minute_of_day(t)
        if hours[0] <= minute < hours[1]:
            return t
        return t + (hours[0] - minute) % MINUTES_PER_DAY * 60.0
