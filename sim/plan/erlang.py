"""Exact Erlang B, C and A figures for one stationary queue.

Erlang C is the M/M/n queue in which no caller hangs up; Erlang A (Palm's
M/M/n+M queue) adds exponential patience.  The Erlang A figures follow
Garnett, Mandelbaum & Reiman (2002) and Mandelbaum & Zeltyn, computed here from
the birth-death stationary distribution, with an optional finite waiting room.

All inputs are in calls per hour and seconds; every figure is per offered call
unless its name says otherwise.

The service level uses the identity that, for a caller who finds ``k`` callers
waiting ahead, the time to reach an agent is a sum of exponentials with rates
``n*mu + i*theta``; weighting by the caller's own survival ``exp(-theta*v)`` turns
it into ``-log(U)/theta`` with ``U ~ Beta(n*mu/theta + 1, k + 1)``, so the
probability of being answered within ``t`` is a regularised incomplete beta
function (``scipy.special.betainc``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

# Terms of a stationary distribution more than this many nats below the largest
# add under 1e-20 of the total: beyond double precision, so sums stop there.
NEGLIGIBLE_NATS = 46.0
MAX_WAITING_STATES = 50_000_000    # beyond, the queue is too close to instability to compute state by state
LOAD_ROUNDING = 1e-12      # relative error of an offered load computed from calls per hour and seconds
# States summed per numpy step when walking down from n busy agents.
CHUNK_STATES = 1 << 16
# Largest offered load computed exactly: the work grows with its square root,
# and no call centre comes near it.
MAX_OFFERED_ERLANGS = 1e7
# The fewest-agents search gives up beyond this many agents per Erlang offered
# (plus a floor for tiny loads): square-root staffing needs a + beta * sqrt(a),
# far below it, for every target short of 100%.
SEARCH_AGENTS_PER_ERLANG = 4
SEARCH_MIN_AGENTS = 100


@dataclass(frozen=True)
class QueueFigures:
    """Stationary figures of one queue.  Probabilities are per offered call."""

    agents: int
    offered_erlangs: float        # arrival rate x mean handle time
    p_wait: float                 # all agents busy on arrival
    p_abandon: float              # hangs up before being answered
    p_blocked: float              # finds the waiting room full (0 without one)
    service_level: float          # answered and waited <= threshold; nan without threshold
    threshold_seconds: float | None
    asa_seconds: float            # mean wait of answered calls
    mean_wait_seconds: float      # mean wait of all offered calls (abandoned: time in queue)
    mean_queue: float             # time-average number of callers waiting
    occupancy: float              # busy agents / agents

    def as_dict(self) -> dict:
        return asdict(self)


def erlang_b(agents: int, offered_erlangs: float) -> float:
    """Blocking probability of M/M/n/n (share of calls lost) for ``agents`` and a load in Erlangs.

    Exact for any load: computed from the states below ``agents`` in log
    space, so neither huge loads nor tiny probabilities overflow.
    """
    if agents < 0:
        raise ValueError("agents must be >= 0")
    if offered_erlangs <= 0:
        return 0.0 if agents > 0 else 1.0
    # 1/B = 1 + sum_{j>=1} n!/((n-j)! a^j)
    return float(np.exp(-np.logaddexp(0.0, _log_states_below(int(agents), float(offered_erlangs)))))


def _log_states_below(n: int, a: float) -> float:
    """log of sum_{j=1..n} n! / ((n-j)! a^j): the weight of the states with fewer than ``n``
    busy agents relative to the state with all ``n`` busy (M/M/n, load ``a`` Erlangs).

    The j-th term is the (j-1)-th term times (n-j+1)/a, so terms rise while
    n - j >= a and fall ever faster after; once falling, the sum stops where
    they are negligible.  -inf when n = 0.
    """
    total, offset, log_a = -math.inf, 0.0, math.log(a)
    for start in range(0, n, CHUNK_STATES):
        i = np.arange(start, min(start + CHUNK_STATES, n), dtype=float)
        terms = offset + np.cumsum(np.log(n - i) - log_a)
        offset = float(terms[-1])
        total = float(np.logaddexp(total, special.logsumexp(terms)))
        if n - i[-1] < a and offset < total - NEGLIGIBLE_NATS:
            break
    return total


def _rates(per_hour: float, handle_seconds: float, patience_seconds: float | None):
    if not (0 <= per_hour < math.inf and 0 < handle_seconds < math.inf):
        raise ValueError("per_hour must be >= 0 and handle_seconds > 0, both finite")
    lam = per_hour / 3600.0
    mu = 1.0 / handle_seconds
    if lam / mu > MAX_OFFERED_ERLANGS:
        raise ValueError(f"an offered load of {lam / mu:.4g} Erlangs is beyond the {MAX_OFFERED_ERLANGS:.0g} "
                         "computed exactly; check the calls per hour and the handle time")
    theta = 0.0 if patience_seconds is None or math.isinf(patience_seconds) else 1.0 / patience_seconds
    if patience_seconds is not None and patience_seconds <= 0:
        raise ValueError("patience_seconds must be > 0 (omit it for callers who never hang up)")
    return lam, mu, theta


def erlang_c(per_hour: float, handle_seconds: float, agents: int,
             threshold_seconds: float | None = None) -> QueueFigures:
    """M/M/n figures: callers wait as long as it takes.

    An unstable queue (offered load >= agents) waits forever: p_wait 1,
    service level 0, waits infinite.
    """
    return erlang_a(per_hour, handle_seconds, None, agents, threshold_seconds)


def erlang_a(per_hour: float, handle_seconds: float, patience_seconds: float | None,
             agents: int, threshold_seconds: float | None = None,
             waiting_room: int | None = None) -> QueueFigures:
    """M/M/n+M figures (exponential patience with mean ``patience_seconds``).

    ``patience_seconds=None`` gives Erlang C; ``waiting_room`` caps the number of
    callers waiting (an arrival that finds it full is blocked).
    """
    lam, mu, theta = _rates(per_hour, handle_seconds, patience_seconds)
    n = int(agents)
    if n < 1:
        raise ValueError("agents must be >= 1")
    a = lam / mu
    t = threshold_seconds
    if lam == 0:
        return QueueFigures(n, 0.0, 0.0, 0.0, 0.0, 1.0 if t is not None else math.nan, t,
                            0.0, 0.0, 0.0, 0.0)
    if theta == 0 and waiting_room is None:
        return _erlang_c_closed(lam, mu, n, t)

    k, p = _waiting_distribution(lam, mu, theta, n, waiting_room)
    blocked = float(p[-1]) if waiting_room is not None else 0.0
    accepted = p[:-1] if waiting_room is not None else p
    k_acc = k[:len(accepted)]
    p_wait = float(p.sum())
    mean_queue = float((k * p).sum())
    p_abandon = theta * mean_queue / lam
    n_mu = n * mu
    served_given_k = n_mu / (n_mu + (k_acc + 1) * theta)
    # E[time to reach an agent, tilted by survival] = sum_{i=1}^{k+1} 1/(n mu + i theta)
    tilted_mean = np.cumsum(1.0 / (n_mu + (k_acc + 1) * theta))
    answered = 1.0 - p_abandon - blocked
    asa = float((accepted * served_given_k * tilted_mean).sum()) / answered if answered > 0 else math.inf
    if t is None:
        sl = math.nan
    else:
        if theta > 0:
            within = 1.0 - special.betainc(n_mu / theta + 1.0, k_acc + 1.0, math.exp(-theta * t))
        else:
            within = special.gammainc(k_acc + 1.0, n_mu * t)
        sl = (1.0 - p_wait) + float((accepted * served_given_k * within).sum())
    return QueueFigures(n, a, p_wait, p_abandon, blocked, sl, t, asa,
                        mean_queue / lam, mean_queue, a * answered / n)


def _erlang_c_closed(lam: float, mu: float, n: int, t: float | None) -> QueueFigures:
    a = lam / mu
    rho = a / n
    if rho >= 1:
        return QueueFigures(n, a, 1.0, 0.0, 0.0, 0.0 if t is not None else math.nan, t,
                            math.inf, math.inf, math.inf, 1.0)
    b = erlang_b(n, a)
    c = b / (1.0 - rho * (1.0 - b))
    drain = n * mu - lam
    asa = c / drain
    sl = 1.0 - c * math.exp(-drain * t) if t is not None else math.nan
    return QueueFigures(n, a, c, 0.0, 0.0, sl, t, asa, asa, lam * asa, rho)


def _waiting_distribution(lam, mu, theta, n, waiting_room):
    """P(all n agents busy and k callers waiting), k = 0, 1, ... (PASTA: as arrivals see it).

    Built in log space relative to the state "n in system", normalised with
    the states below n (also in log space), and truncated once terms are
    NEGLIGIBLE_NATS below the largest (or at the waiting room).
    """
    n_mu = n * mu
    if waiting_room is not None:
        size = int(waiting_room)
    else:
        # terms grow while lam > n mu + k theta, then fall faster than geometrically
        grow = (lam - n_mu) / theta if theta > 0 else 0.0
        if grow > MAX_WAITING_STATES:
            raise ValueError("queue too close to instability to compute exactly")
        size = max(64, int(math.ceil(grow)) + 64) if grow > 0 else 64     # -inf: agents no time at all
    while True:
        i = np.arange(1, size + 1, dtype=float)
        log_r = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(n_mu + i * theta))))
        if waiting_room is not None or log_r[-1] < log_r.max() - NEGLIGIBLE_NATS:
            break
        if theta == 0 and lam >= n_mu:
            raise ValueError("unstable queue: offered load >= agents and callers never hang up")
        size *= 2
        if size > MAX_WAITING_STATES:
            raise ValueError("queue too close to instability to compute exactly")
    log_total = np.logaddexp(special.logsumexp(log_r), _log_states_below(n, lam / mu))
    return np.arange(len(log_r), dtype=float), np.exp(log_r - log_total)


def fewest_stable(offered_erlangs: float) -> int:
    """The fewest agents of an Erlang C queue (nobody hangs up) that keep it from growing without end: more
    than the Erlangs offered.  A load that is a whole number but for rounding (600 calls an hour of 300 s:
    49.99999999999999) counts as that whole number."""
    return math.floor(offered_erlangs * (1 + LOAD_ROUNDING)) + 1


def agents_for_target(per_hour: float, handle_seconds: float,
                      patience_seconds: float | None = None,
                      threshold_seconds: float = 20.0,
                      service_level_target: float = 0.8,
                      max_abandon_rate: float | None = None,
                      max_agents: int | None = None) -> QueueFigures:
    """Fewest agents whose stationary figures meet both targets (calls per hour, seconds).

    The service level (answered within ``threshold_seconds`` / offered) must
    reach ``service_level_target`` and, when given, the abandon rate must not
    exceed ``max_abandon_rate``.  Both improve with every agent added, so a
    doubling then bisection search finds the smallest count, up to
    ``max_agents`` (default: SEARCH_AGENTS_PER_ERLANG per Erlang offered).
    """
    if not 0 <= service_level_target < 1:
        raise ValueError("service_level_target must be in [0, 1): 100% cannot be met by any finite staff")
    if max_abandon_rate is not None and max_abandon_rate <= 0 and patience_seconds is not None and per_hour > 0:
        raise ValueError("a ceiling of 0 on the abandon rate cannot be met while callers may hang up: "
                         "some caller always finds every agent busy; give a positive ceiling, e.g. 0.05")

    def figures(n: int) -> QueueFigures:
        return erlang_a(per_hour, handle_seconds, patience_seconds, n, threshold_seconds)

    def meets(f: QueueFigures) -> bool:
        if patience_seconds is None and f.agents < fewest_stable(f.offered_erlangs):
            return False            # nobody hangs up: too few agents and the queue grows without end
        ok = f.service_level >= service_level_target
        return ok and (max_abandon_rate is None or f.p_abandon <= max_abandon_rate)

    if per_hour == 0:
        return QueueFigures(0, 0.0, 0.0, 0.0, 0.0, 1.0, threshold_seconds, 0.0, 0.0, 0.0, 0.0)
    load = figures(1).offered_erlangs              # checks the inputs before the search
    limit = max_agents or SEARCH_AGENTS_PER_ERLANG * math.ceil(load) + SEARCH_MIN_AGENTS
    low, high = 0, min(limit, int(load) + 1)
    while not meets(figures(high)):
        if high >= limit:
            raise ValueError(f"no staff up to {limit} agents meets the targets")
        low, high = high, min(2 * high, limit)
    while high - low > 1:
        mid = (low + high) // 2
        if meets(figures(mid)):
            high = mid
        else:
            low = mid
    return figures(high)


def staffing_table(per_hour: float, handle_seconds: float, patience_seconds: float | None = None,
                   threshold_seconds: float = 15.0, service_level_target: float = 0.8,
                   max_abandon_rate: float | None = None, around: int = 5) -> tuple[list[QueueFigures], int]:
    """The planner's spreadsheet: exact figures for the fewest agents meeting the targets and ``around`` agents
    either side (never below one agent, nor at an unstable Erlang C staffing); returns (rows, index of the answer).
    """
    fewest = agents_for_target(per_hour, handle_seconds, patience_seconds, threshold_seconds,
                               service_level_target, max_abandon_rate)
    low = max(1, fewest.agents - around)
    if patience_seconds is None:               # an Erlang C queue needs more agents than Erlangs to be stable
        low = max(low, fewest_stable(fewest.offered_erlangs))
    rows = [erlang_a(per_hour, handle_seconds, patience_seconds, n, threshold_seconds)
            for n in range(low, max(fewest.agents, low) + around + 1)]
    answer = next((i for i, f in enumerate(rows) if f.agents == fewest.agents), 0)
    return rows, answer
