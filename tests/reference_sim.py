"""A plain event-list simulation of the model's rules, written for clarity, not speed.

It shares nothing with ``sim.model.engine`` and ``sim.model.pool`` but the callers: every
event is explicit (each hang-up, each agent finishing), each agent is an
object, nothing is caught up lazily and no arrival is handled ahead of the
clock.  ``tests/test_reference.py`` feeds it the engine's callers and random
streams and asks for the same outcome and wait for every call.

The rules, as the README states them:
- a free agent answers at once; with shifts, the agent free longest
  (agents who start together: in the order of the shift entries);
- otherwise the caller queues by priority level, first come first served
  (an overflowed caller joins the other queue when its overflow time comes);
- a caller hangs up when patience runs out; at the same moment an agent
  finishing a call answers first;
- a shift's free agents leave when the shift ends or a break begins, its
  talking agents after their call; with seats (a head count) the first
  agents to finish leave;
- transfers: triage, then (cold) the agent is free or (warm) stays on until
  the other side answers or the caller hangs up; the caller's second wait is
  the connection delay, then the other queue, with the transfer's patience;
- redials: a caller who hangs up calls again with the line's probability,
  after its delay, at most ``max_redials`` times, not after the horizon;
- outbound jobs (callbacks of hang-ups, return visits of answered calls) are
  made by free agents when no caller waits, while ``reserve_agents`` stay free,
  within their hours, earliest due first.
"""

from __future__ import annotations

import heapq
import itertools
import math

from sim.model.arrivals import CallSource
from sim.model.codes import ABANDONED, COLD, NOT_TRANSFERRED
from sim.model.routing import compile_routes

INF = math.inf
FREE, STAFFING, OTHER, JOBS = 0, 1, 2, 3   # order at the same moment: agents finishing first, taking new jobs last


class Call:
    def __init__(self, t, line, category, level, stage, first, patience, second, delay, xfer_patience, draws,
                 attempt=0):
        self.t, self.line, self.category, self.level, self.stage = t, line, category, level, stage
        self.draws = draws                  # per outbound kind: (uniform, job seconds), drawn with the caller
        self.first, self.patience, self.second = first, patience, second
        self.delay, self.xfer_patience, self.attempt = delay, xfer_patience, attempt
        self.waiting = False
        self.by, self.wait = None, 0.0
        self.xfer_waiting = False
        self.xfer_by, self.xfer_wait = NOT_TRANSFERRED, 0.0
        self.first_agent = None


class Agent:
    def __init__(self, group):
        self.group = group


class RefPool:
    """Agents and queues of one pool."""

    def __init__(self, sim, index, levels_count, shift_groups):
        self.sim, self.index = sim, index
        self.queues = [[] for _ in range(levels_count)]    # lists of entries, in the order they joined
        self.jobs = [[] for _ in sim.outbound]
        self.shifts = shift_groups is not None
        if self.shifts:
            self.on_duty = [0] * shift_groups
            self.talking = [0] * shift_groups
            self.free = []                                    # (free since, order, agent)
        else:
            self.staffed = 0
            self.talking_count = 0

    # agents
    def free_count(self):
        if self.shifts:
            return len(self.free)
        return max(0, self.staffed - self.talking_count)

    def seize(self):
        if self.shifts:
            self.free.sort(key=lambda f: (f[0], f[1]))
            _, _, agent = self.free.pop(0)
            self.talking[agent.group] += 1
            return agent
        self.talking_count += 1
        return None

    def finish(self, agent, now):
        """An agent ends a piece of work at ``now``: free again (and takes work) or off duty."""
        if self.shifts:
            g = agent.group
            self.talking[g] -= 1
            if self.talking[g] < self.on_duty[g]:
                self.free.append((now, self.sim.order(), agent))
        else:
            self.talking_count -= 1
        self.take_work(now)

    def set_levels(self, levels, now):
        if self.shifts:
            for g, level in levels:
                busy = self.talking[g]
                change = max(0, level - busy) - max(0, self.on_duty[g] - busy)
                self.on_duty[g] = level
                if change > 0:
                    for _ in range(change):
                        self.free.append((now, self.sim.order(), Agent(g)))
                elif change < 0:
                    mine = sorted((f for f in self.free if f[2].group == g), key=lambda f: (f[0], f[1]))
                    for f in mine[change:]:                   # the most recently free leave
                        self.free.remove(f)
        else:
            self.staffed = levels[-1][1]
        self.take_work(now)

    # work
    def take_work(self, now):
        sim = self.sim
        for queue in self.queues:
            while queue and self.free_count() > 0:
                kind, call, seconds, start = queue.pop(0)
                if kind == "first":
                    if call.waiting:
                        sim.answer_first(self, call, now, seconds, start)
                elif call.xfer_waiting:
                    sim.answer_transfer(self, call, now, start)
            if self.free_count() == 0:
                return
        for k, o in enumerate(sim.outbound):
            jobs = self.jobs[k]
            if not jobs or (o.hours is not None and not sim.is_open(now, o.hours)):
                continue
            while jobs and self.free_count() > o.reserve_agents:
                due, _, seconds = heapq.heappop(jobs)
                agent = self.seize()
                sim.made[self.index] += 1
                sim.at(now + seconds, FREE, self.finish, agent)


class ReferenceSim:
    """One replication of ``scenario`` with the engine's callers (seed, replication)."""

    def __init__(self, scenario, seed, replication):
        s = self.s = scenario
        self.routes = routes = compile_routes(s)
        self.outbound = list(s.outbound)
        source = CallSource(s, routes, seed, replication)
        self.source = source
        self.lines = list(s.lines.values())
        self.pools = [RefPool(self, p, len(routes.levels), len(pool.group_agents) if pool.group_agents else None)
                      for p, pool in enumerate(s.pools.values())]
        self.overflow = routes.overflow
        self.events, self.seq = [], itertools.count()
        self.calls = []
        self.made = [0] * len(self.pools)
        self.created = [0] * len(self.pools)
        self.job_seq = 0
        self._orders = itertools.count()
        for p, pool in enumerate(s.pools.values()):
            self._staffing(self.pools[p], pool)
        while True:
            block = source.next_block()
            if block is None:
                break
            for i, t in enumerate(block.times):
                call = Call(t, block.line[i], block.category[i], block.level[i], block.stage[i],
                            block.first_seconds[i], block.patience[i],
                            block.second_seconds[i] if block.second_seconds is not None else 0.0,
                            block.xfer_delay[i] if block.xfer_delay is not None else 0.0,
                            block.xfer_patience[i] if block.xfer_patience is not None else 0.0,
                            [(d[i], x[i]) for d, x in zip(block.outbound_draw, block.outbound_seconds)] if self.outbound else [])
                self.at(t, OTHER, self.arrive, call)
        for o in self.outbound:
            if o.hours is not None:
                self.at(self.next_open(0.0, o.hours), OTHER, self.opening, o.hours)

    def order(self):
        return next(self._orders)

    def at(self, time, priority, fn, *args):
        heapq.heappush(self.events, (time, priority, next(self.seq), fn, args))

    def run(self):
        while self.events:
            now, _, _, fn, args = heapq.heappop(self.events)
            fn(*args, now)
        return self.calls

    def _staffing(self, rp, pool):
        """Agents on duty minute by minute over the horizon, per shift entry or as a head count."""
        minutes = int(round(self.s.horizon_seconds / 60))
        weeks = pool.group_agents if pool.group_agents else (pool.week_agents,)
        current = None
        for m in range(minutes):
            levels = [int(w[(self.s.start_minute + m) % len(w)]) for w in weeks]
            if levels != current:
                changed = [(g, v) for g, v in enumerate(levels) if current is None or v != current[g]]
                if m == 0:
                    rp.set_levels(changed, 0.0)
                else:
                    self.at(m * 60.0, STAFFING, rp.set_levels, changed)
                current = levels

    # first calls
    def arrive(self, call, now):
        self.calls.append(call)
        pool = self.pools[self.routes.entry_pool[call.line]]
        if pool.free_count() > 0:
            self.answer_first(pool, call, now, call.first, now)
        elif call.patience <= 0:
            call.by, call.wait = ABANDONED, 0.0
            self.hang_up(call, now)
        else:
            call.waiting = True
            deadline = now + call.patience
            pool.queues[call.level].append(("first", call, call.first, now))
            if deadline < INF:
                self.at(deadline, OTHER, self.abandon, call)
            for target, after, factor in self.overflow[pool.index]:
                if deadline > now + after:
                    self.at(now + after, OTHER, self.overflow_to, call, self.pools[target], factor, now)

    def answer_first(self, pool, call, now, seconds, start):
        call.waiting = False
        call.by, call.wait = pool.index, now - start
        agent = pool.seize()
        if call.stage:
            self.at(now + seconds, OTHER, self.end_triage, pool, agent, call)
        else:
            self.at(now + seconds, FREE, pool.finish, agent)
            self.handled(pool, call, now)

    def overflow_to(self, call, target, factor, start, now):
        if not call.waiting:
            return
        if target.free_count() > 0:
            self.answer_first(target, call, now, call.first * factor, start)
        else:
            target.queues[call.level].append(("first", call, call.first * factor, start))

    def abandon(self, call, now):
        if call.waiting:
            call.waiting = False
            call.by, call.wait = ABANDONED, call.patience
            self.hang_up(call, now)

    def hang_up(self, call, now):
        pool = self.pools[self.routes.entry_pool[call.line]]
        for k, o in enumerate(self.outbound):
            if o.trigger == "missed" and call.draws[k][0] < o.share:
                self.create_job(k, pool, now, call.draws[k][1])
        redial = self.lines[call.line].redial
        rng = self.source.redial_stream(call.line, now)
        if redial is not None and call.attempt < redial.max_redials and rng.random() < redial.probability:
            when = now + float(redial.delay.sample(rng, 1)[0])
            if when < self.s.horizon_seconds:
                self.at(when, OTHER, self.redial, call)

    def redial(self, call, now):
        line = self.lines[call.line]
        patience = float(line.patience.sample(self.source.redial_stream(call.line, now), 1)[0]) if line.patience else INF
        again = Call(now, call.line, call.category, call.level, call.stage, call.first, patience, call.second,
                     call.delay, call.xfer_patience, call.draws, call.attempt + 1)
        self.arrive(again, now)

    # transfers
    def end_triage(self, pool, agent, call, now):
        route = self.routes.routes[call.category]
        if route.kind == COLD:
            pool.finish(agent, now)
        else:
            call.first_agent = (pool, agent)
        call.xfer_waiting = True
        deadline = now + call.xfer_patience
        target = self.pools[route.finish_pool]
        self.at(now + call.delay, OTHER, self.transfer_arrives, call, target, now, deadline)
        if deadline < INF:
            self.at(deadline, OTHER, self.transfer_hang_up, call, now)

    def transfer_arrives(self, call, target, start, deadline, now):
        if not call.xfer_waiting:
            return
        if target.free_count() > 0:
            self.answer_transfer(target, call, now, start)
        else:
            target.queues[call.level].append(("transfer", call, call.second, start))

    def answer_transfer(self, target, call, now, start):
        call.xfer_waiting = False
        call.xfer_by, call.xfer_wait = target.index, now - start
        agent = target.seize()
        self.at(now + call.second, FREE, target.finish, agent)
        if call.first_agent is not None:
            pool, first = call.first_agent
            pool.finish(first, now)
        self.handled(target, call, now)

    def transfer_hang_up(self, call, start, now):
        if call.xfer_waiting:
            call.xfer_waiting = False
            call.xfer_by, call.xfer_wait = ABANDONED, now - start
            if call.first_agent is not None:
                pool, first = call.first_agent
                pool.finish(first, now)

    # outbound work
    def handled(self, pool, call, now):
        for k, o in enumerate(self.outbound):
            if o.trigger == "handled" and call.draws[k][0] < o.share:
                self.create_job(k, pool, now, call.draws[k][1])

    def create_job(self, k, pool, now, seconds):
        o = self.outbound[k]
        self.created[pool.index] += 1
        available = now + o.after_seconds
        due = available + o.within_seconds
        if o.hours is not None:
            available = self.next_open(available, o.hours)
        if available >= self.s.horizon_seconds:
            return
        self.job_seq += 1
        self.at(available, OTHER, self.job_ready, pool, k, (due, self.job_seq, seconds))

    def job_ready(self, pool, k, job, now):
        """Jobs ready at one moment are all in before agents take them (earliest due first)."""
        heapq.heappush(pool.jobs[k], job)
        self.at(now, JOBS, pool.take_work)

    def opening(self, hours, now):
        for pool in self.pools:
            pool.take_work(now)
        if now + 86400.0 < self.s.horizon_seconds:
            self.at(now + 86400.0, OTHER, self.opening, hours)

    def minute_of_day(self, t):
        return (self.s.start_minute + t / 60.0) % 1440

    def is_open(self, t, hours):
        return hours[0] <= self.minute_of_day(t) < hours[1]

    def next_open(self, t, hours):
        minute = self.minute_of_day(t)
        return t if hours[0] <= minute < hours[1] else t + (hours[0] - minute) % 1440 * 60.0

