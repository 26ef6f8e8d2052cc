"""The validated scenario: plain frozen records the model reads and never checks.

Times are seconds, rates calls per hour, and clock patterns are arrays over the
clock week (Monday 00:00 first).  ``sim.input.scenario`` builds these from YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.input import clock

MODES = ("merged", "parallel", "specialist", "subcentre", "provincial")
TRANSFER_KINDS = ("cold", "warm")


@dataclass(frozen=True)
class Arrivals:
    """Poisson arrivals whose rate is constant within each interval.

    ``week_per_hour[i]`` is the rate in calls per hour in interval ``i`` of the
    clock week, before the day's busyness factor.
    """
    week_per_hour: np.ndarray
    busyness_shape: float | None = None  # gamma shape of the daily factor (mean 1); None: no factor
    # the rate before surges and the volume factor (None: week_per_hour): callers are drawn at it, so every
    # scenario that shares it shares those callers; a higher rate adds callers, a lower one thins them
    reference_per_hour: np.ndarray | None = None

    def scaled(self, week_per_hour: np.ndarray) -> "Arrivals":
        """The same callers at another rate (a surge, a volume factor): the reference rate stays."""
        reference = self.week_per_hour if self.reference_per_hour is None else self.reference_per_hour
        return replace(self, week_per_hour=week_per_hour, reference_per_hour=reference)


@dataclass(frozen=True)
class Transfer:
    """How an agent who cannot finish a call hands it to the pool that can.

    ``cold``: the agent hangs up after triage and the caller waits alone;
    ``warm``: the agent stays on the line until the other side answers or the
    caller hangs up.  The caller's second wait starts when triage ends: first
    the connection ``delay``, then the other pool's queue.
    """
    kind: str
    triage: Any                 # law of the first agent's talk before transferring, seconds
    delay: Any                  # law of the connection time, seconds
    patience: Any | None        # law of patience for the second wait; None: the line's


@dataclass(frozen=True)
class Category:
    """A kind of question, its share of a line's calls, and who can finish it."""
    name: str
    share: float
    handle: Any                 # law of talk time with the agent who finishes it, seconds
    wrapup: Any | None          # law of after-call work, seconds
    priority: int               # lower is answered first (0 before 1)
    transfer_to: str | None     # line whose pool finishes it; None: the line's own pool does
    transfer: Transfer | None   # how, when transfer_to is set


@dataclass(frozen=True)
class Redial:
    """A caller who hangs up calls again with ``probability``, after ``delay``, at most ``max_redials`` times."""
    probability: float
    delay: Any
    max_redials: int


@dataclass(frozen=True)
class WhenClosed:
    """What a caller meets when the line is closed (outside its opening hours).

    ``to``: put through to another line's agents, who answer and finish the call
    themselves (talk time x ``handle_factor``), as 12345's night agents take a
    departmental line's callers and write a work order; ``callback``: the caller
    leaves a number and the line's own agents call back once it opens (on time
    within ``within_seconds`` of the opening); ``message``: the caller hears the
    opening hours or leaves a message, counted but never answered.
    """
    kind: str                       # "to", "callback" or "message"
    to: str | None = None           # line whose pool answers, for "to"
    handle_factor: float = 1.0      # talk time multiplier of the agents it is put through to
    within_seconds: float = 0.0     # a callback is on time if made within this long after the opening


Label = dict          # what people read for an id, by language: {"en": "Funan county", "zh": "阜南"}


@dataclass(frozen=True)
class Line:
    """A number callers dial (or dialled, before the merger): a population of callers."""
    id: str
    mode: str
    arrivals: Arrivals
    patience: Any | None        # law of patience, seconds; None: callers never hang up
    pool: str | None            # pool whose queue the calls join; None for provincial lines
    categories: tuple[Category, ...]
    redial: Redial | None = None
    handle_factor_by_hour: np.ndarray | None = None   # talk time multiplier per clock hour (24)
    label: Label = field(default_factory=dict)
    open_minutes: np.ndarray | None = None   # per minute of the clock week, True while open; None: 7x24
    when_closed: WhenClosed | None = None    # set whenever open_minutes is


@dataclass(frozen=True)
class ShiftEntry:
    """One line of a pool's roster: ``agents`` who work ``minutes`` from ``start_minute`` on ``days``,
    with an optional break (``break_after_minutes``, ``break_minutes``; 0 minutes: none)."""
    name: str
    start_minute: int
    minutes: int
    days: tuple[int, ...]            # 0 = Monday
    agents: int
    break_after_minutes: int = 0
    break_minutes: int = 0


@dataclass(frozen=True)
class Pool:
    """A group of agents; ``week_agents[m]`` agents are on duty in minute ``m`` of the clock week.

    ``group_agents``, for pools staffed by shifts, splits them by shift entry
    (agents who come and go together), one array over the week each, summing
    to ``week_agents``; ``shifts`` holds those entries; both empty for a head
    count (agents, agents by interval).  ``horizon_agents``, when set, gives
    the agents of each minute of the horizon instead (replaying a log: who
    really worked each day), as a head count.
    """
    id: str
    week_agents: np.ndarray
    horizon_agents: np.ndarray | None = None
    group_agents: tuple[np.ndarray, ...] = ()
    shifts: tuple[ShiftEntry, ...] = ()
    label: Label = field(default_factory=dict)
    open_minutes: np.ndarray | None = None   # opening hours its lines take unless they give their own
    when_closed: WhenClosed | None = None


@dataclass(frozen=True)
class Overflow:
    """Callers still waiting in ``source``'s queue after ``after_seconds`` may also be answered by ``target``.

    ``handle_factor`` stretches the agent time of agents without the skill.
    """
    source: str
    target: str
    after_seconds: float
    handle_factor: float


@dataclass(frozen=True)
class Outbound:
    """Outbound work made by the same agents when no inbound caller waits.

    A job is created for a ``share`` of its trigger (``missed``: a caller hung
    up; ``handled``: a call was answered), may be made from ``after_seconds``
    later, is on time if made within ``within_seconds`` after that, and only
    between the clock ``hours`` (minutes of the day) when given, and only while
    ``reserve_agents`` more agents stay free for inbound callers.
    """
    name: str
    trigger: str                # "missed" or "handled"
    share: float
    after_seconds: float
    within_seconds: float
    handle: Any
    hours: tuple[int, int] | None
    reserve_agents: int = 0     # made only if this many agents stay free for inbound callers


@dataclass(frozen=True)
class ShiftType:
    """A kind of shift the planner may use (``planning.shifts``); times in minutes."""
    name: str
    starts: tuple[int, ...]         # allowed start times, minutes after midnight
    minutes: int                    # paid length
    break_minutes: int              # unpaid-to-the-phones break (0: none)
    break_window: tuple[int, int]   # earliest and latest break start, minutes after the shift starts
    cost_factor: float              # cost of a paid hour relative to a day hour
    days: tuple[int, ...]           # weekdays it may start on (0 = Monday)


@dataclass(frozen=True)
class Costs:
    """What agents and workstations cost (``costs:``); defaults and their sources: ``sim.input.costs``."""
    currency: str
    pay_per_paid_hour: float        # pay of a paid hour before premiums and on-costs, currency
    night_premium: float            # extra share of pay for hours inside night_hours
    night_hours: tuple[int, int]    # minutes after midnight; the night may cross midnight (22:00-06:00)
    on_costs: float                 # employer's social insurance and housing fund etc., share of pay
    workstation_per_year: float     # a workstation's yearly cost (equipment written off, licences, space)
    workstation_margin: float       # workstations beyond the most agents at work at once, share


@dataclass(frozen=True)
class Planning:
    """What ``hotline plan`` may choose from and how it judges a schedule."""
    shifts: tuple[ShiftType, ...]
    work_days_per_week: int | None  # None: each day planned on its own
    shrinkage: float                # share of paid time off the phones
    targets: str                    # "interval", "day" or "week": what each goal holds over
    max_iterations: int             # verification rounds at most
    replications: int | None        # for the simulations of the planner (None: the scenario's)
    floor_service_level: float | None = None   # day/week goals: every interval answers at least this share


@dataclass(frozen=True)
class Scenario:
    name: str
    horizon_seconds: float
    warmup_seconds: float
    interval_seconds: float
    start_minute: int             # minute of the clock week at which the horizon starts
    threshold_seconds: float
    service_level_target: float
    max_abandon_rate: float
    lines: dict[str, Line]
    pools: dict[str, Pool]
    overflows: tuple[Overflow, ...] = ()
    outbound: tuple[Outbound, ...] = ()
    planning: Planning | None = None
    costs: Costs | None = None      # from_dict always sets it (the defaults of sim.input.costs where unsaid)
    label: Label = field(default_factory=dict)
    notes: tuple[tuple[str, str], ...] = ()   # (file, its comments) along the base chain: the assumptions
    replications: int = 10
    seed: int = 1
    source: str = "<scenario>"
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def n_intervals(self) -> int:
        """Reporting intervals in the horizon (warm-up included)."""
        return int(round(self.horizon_seconds / self.interval_seconds))

    @property
    def warmup_intervals(self) -> int:
        return int(round(self.warmup_seconds / self.interval_seconds))

    @property
    def interval_minutes(self) -> int:
        return int(round(self.interval_seconds / 60))

    @property
    def city_lines(self) -> list[Line]:
        """Lines whose calls the city's seats answer (all but provincial ones)."""
        return [line for line in self.lines.values() if line.mode != "provincial"]

    @property
    def clock_fields(self) -> dict[str, Any]:
        """The fields that say which callers replication r sees and over which time it is judged (the interval
        length, horizon, warm-up and start, as written): scenarios compared on the same callers share them."""
        return {"interval_minutes": self.interval_minutes, "horizon_hours": self.horizon_seconds / 3600,
                "warmup_hours": self.warmup_seconds / 3600, "start": " ".join(clock.label(self.start_minute))}

    @property
    def total_seats(self) -> float:
        """Mean agents on duty over the clock week, summed over pools."""
        return float(sum(pool.week_agents.mean() for pool in self.pools.values()))
