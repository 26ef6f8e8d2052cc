"""What an option's staff cost in money, per year: pay, night premium, on-costs and workstations.

The staff of an option are its pools' agents *at work* (on the phones or on a
break at their workstation: paid time) per minute of the clock week, from a
planned roster or from a scenario's own shifts ("today").  From them:

- paid hours a year = roster hours a week x ``WEEKS_PER_YEAR`` / (1 - shrinkage):
  the roster covers the phones; shrinkage (leave, training, meetings) is paid too;
- pay = paid hours x pay per paid hour x the shift's cost factor;
- night premium = the paid hours inside the night hours x pay x ``night_premium``;
- on-costs = (pay + night premium) x ``on_costs``;
- workstations = per pool, the most agents at work at once x (1 + margin), rounded
  up, times the yearly cost of a workstation.

Settings, defaults and sources: ``sim.input.costs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.input import clock
from sim.input.costs import is_night
from sim.input.spec import Costs, Pool

if TYPE_CHECKING:
    from sim.plan.rosters import Roster

WEEKS_PER_YEAR = 365.25 / 7
HOURS_PER_WEEK_FULL_TIME = 40.0       # a head count pool's paid hours become people at 40 h a week
DEFAULT_WORK_DAYS_PER_WEEK = 5        # China's five-day week (State Council, 1995)
PARTS = ("pay", "night_premium", "on_costs", "workstations")
MINUTES_PER_HOUR = 60.0


@dataclass
class PoolStaff:
    """One pool's staff: agents at work per minute of the clock week, pay-weighted, and people."""
    at_work: np.ndarray              # agents at work (paid: on the phones or on a break) per minute of the week
    weighted_at_work: np.ndarray     # the same, each agent weighted by the cost factor of its shift
    headcount: int                   # people on the roster (before shrinkage)


@dataclass
class Staff:
    """An option's staff, pool by pool, and the shrinkage that turns a roster into people to employ."""
    pools: dict[str, PoolStaff]
    shrinkage: float

    @property
    def headcount(self) -> int:
        """Agents on the roster, all pools (people, before shrinkage)."""
        return sum(p.headcount for p in self.pools.values())

    @property
    def headcount_with_shrinkage(self) -> int:
        """Agents to employ: per pool headcount / (1 - shrinkage), rounded up."""
        return sum(employ(p.headcount, self.shrinkage) for p in self.pools.values())

    @property
    def agent_hours_per_week(self) -> float:
        """Paid agent-hours a week on the roster (breaks included, shrinkage not)."""
        return sum(float(p.at_work.sum()) for p in self.pools.values()) / MINUTES_PER_HOUR

    def most_at_work(self, pool: str) -> int:
        return int(self.pools[pool].at_work.max()) if len(self.pools[pool].at_work) else 0

    def workstations(self, margin: float) -> int:
        """Seats: per pool, the most agents at work at once plus ``margin`` of them, rounded up, summed."""
        return sum(seats(self.most_at_work(k), margin) for k in self.pools)


def employ(headcount: int, shrinkage: float) -> int:
    """Agents to employ so that ``headcount`` remain on the roster after shrinkage."""
    return math.ceil(headcount / (1.0 - shrinkage) - 1e-9)


def seats(most_at_work: int, margin: float) -> int:
    """Workstations for a pool whose most agents at work at once is ``most_at_work``."""
    return math.ceil(most_at_work * (1.0 + margin) - 1e-9)


def of_rosters(rosters: dict[str, Roster], interval_minutes: int, shrinkage: float) -> Staff:
    """The staff of planned rosters (``sim.plan.rosters``)."""
    pools = {}
    for k, r in rosters.items():
        at_work = np.repeat(r.at_work.astype(float), interval_minutes)
        factor = np.zeros(clock.MINUTES_PER_WEEK)
        for row in r.rows:
            weight = row.agents * (row.cost_factor - 1.0)
            for d in row.days:
                factor[_minutes(d, row.start_minute, int(round(row.paid_hours_each / len(row.days) * 60)))] += weight
        pools[k] = PoolStaff(at_work, at_work + factor, r.headcount)
    return Staff(pools, shrinkage)


def people_for(agents_by_day: list[int], work_days: int) -> int:
    """People a week of shifts needs: each works at most ``work_days`` shifts a week and one a day, so at least
    the agent-days / ``work_days`` and at least the most agents on shift on any one day (``agents_by_day``: per
    weekday, Monday first; a weekend-only pool of 4 a day is 4 people, not 8 / 5 = 2)."""
    return max(math.ceil(sum(agents_by_day) / work_days - 1e-9), max(agents_by_day, default=0))


def of_pools(pools: dict[str, Pool], shrinkage: float, work_days_per_week: int | None) -> Staff:
    """The staff a scenario's pools have as written ("today"): shifts count people as agent-days a week /
    working days; a head count (agents, agents by interval) as paid hours / 40 h."""
    work_days = work_days_per_week or DEFAULT_WORK_DAYS_PER_WEEK
    out = {}
    for k, pool in pools.items():
        if pool.shifts:
            at_work = np.zeros(clock.MINUTES_PER_WEEK)
            by_day = [0] * clock.DAYS_PER_WEEK
            for e in pool.shifts:
                for d in e.days:
                    at_work[_minutes(d, e.start_minute, e.minutes)] += e.agents
                    by_day[d] += e.agents
            headcount = people_for(by_day, work_days)
        else:
            at_work = np.asarray(pool.week_agents, dtype=float)
            headcount = math.ceil(at_work.sum() / MINUTES_PER_HOUR / HOURS_PER_WEEK_FULL_TIME - 1e-9)
        out[k] = PoolStaff(at_work, at_work, headcount)
    return Staff(out, shrinkage)


def _minutes(day: int, start_minute: int, minutes: int) -> np.ndarray:
    first = day * clock.MINUTES_PER_DAY + start_minute
    return np.arange(first, first + minutes) % clock.MINUTES_PER_WEEK


def yearly(staff: Staff, costs: Costs) -> dict:
    """Cost per year in ``costs.currency``: the total and its ``PARTS``, and what they rest on."""
    paid_share = 1.0 / (1.0 - staff.shrinkage)
    minute_of_day = np.arange(clock.MINUTES_PER_WEEK) % clock.MINUTES_PER_DAY
    night = is_night(minute_of_day, costs)
    weighted = sum((p.weighted_at_work for p in staff.pools.values()), np.zeros(clock.MINUTES_PER_WEEK))
    paid_hours = staff.agent_hours_per_week * WEEKS_PER_YEAR * paid_share
    pay = weighted.sum() / MINUTES_PER_HOUR * WEEKS_PER_YEAR * paid_share * costs.pay_per_paid_hour
    night_pay = weighted[night].sum() / MINUTES_PER_HOUR * WEEKS_PER_YEAR * paid_share * costs.pay_per_paid_hour
    premium = night_pay * costs.night_premium
    on_costs = (pay + premium) * costs.on_costs
    stations = staff.workstations(costs.workstation_margin)
    parts = {"pay": pay, "night_premium": premium, "on_costs": on_costs,
             "workstations": stations * costs.workstation_per_year}
    return {"currency": costs.currency, "period": "year", "total": round(sum(parts.values()), 2),
            "parts": {k: round(v, 2) for k, v in parts.items()},
            "paid_hours_per_year": round(paid_hours, 1), "workstations": stations}


COST_UNITS = {
    "total": "currency per year: pay + night premium + on-costs + workstations",
    "pay": "paid agent-hours a year (roster hours x 365.25/7 weeks / (1 - shrinkage)) x pay per paid hour "
           "x the shift's cost factor",
    "night_premium": "pay of the paid hours inside the night hours x night_premium",
    "on_costs": "(pay + night premium) x on_costs",
    "workstations": "workstations (seats) x workstation_per_year",
}
