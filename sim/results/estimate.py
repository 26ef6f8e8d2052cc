"""Estimates over replications: a mean and a 95% interval that suits what it describes.

Replication ``r`` gives a figure ``X_r``; the estimate is their mean and an
interval for the expected figure.  With the few replications planners run
(3 to 10) a Student-t interval of a share can reach past 100% and one of a
count or a wait below 0.  So the interval is a score interval (Wilson 1927)
whose spread is the replications' own standard error:

- shares (0 to 1): the binomial-like form, with variance proportional to
  ``p (1 - p)`` and the effective sample size that makes it match the
  replications' standard error at the estimate;
- counts, seconds and agents (0 and up): the Poisson-like form, with variance
  proportional to the mean;
- differences (either sign): the Student-t interval itself.

Both score forms reduce to the Student-t interval when the standard error is
small against the distance to the bound, always contain the mean, and stay
within the bounds without clipping.  ``tests/test_estimate.py`` shows their
coverage on an Erlang A queue at 3 and 5 replications.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
SHARE, NONNEGATIVE, SIGNED = "share", "nonnegative", "signed"


@dataclass(frozen=True)
class Estimate:
    """Mean over replications and the ends of its 95% interval (floats, or arrays of them); nan where undefined."""
    mean: object
    low: object
    high: object

    @classmethod
    def of(cls, values, kind: str = SIGNED, level: float = LEVEL) -> "Estimate":
        """The estimate of replications ``values`` (axis 0); replications without a value (nan) are left out."""
        return cls(*interval(values, kind, level))

    def half_width(self):
        return (np.asarray(self.high) - np.asarray(self.low)) / 2

    def to_json(self, digits: int = 10) -> dict:
        """{"mean": ..., "ci95": [low, high]} with None for nan (a single value; see ``at``)."""
        return {"mean": _number(self.mean, digits), "ci95": [_number(self.low, digits), _number(self.high, digits)]}

    def at(self, index) -> "Estimate":
        """The estimate of one cell of an array estimate."""
        return Estimate(float(np.asarray(self.mean)[index]), float(np.asarray(self.low)[index]),
                        float(np.asarray(self.high)[index]))


def _number(x, digits: int):
    x = float(x)
    return None if math.isnan(x) else round(x, digits)


def t_quantile(level: float, degrees) -> np.ndarray:
    """Student-t quantile for a two-sided ``level`` interval, for whole degrees of freedom (below 1: 1).

    Exact, from the finite series of P(|T| <= t) for whole degrees of freedom
    (Abramowitz & Stegun 26.7.3-4) solved for t by bisection on the angle
    theta = atan(t / sqrt(df)).  Written out because scipy's special functions
    take a fifth of a second to import, a tenth of a one-million-call run.
    """
    degrees = np.maximum(np.asarray(degrees, dtype=np.int64), 1)
    out = np.empty(degrees.shape)
    for df in sorted(set(degrees.ravel().tolist())):      # not np.unique: it imports numpy.ma (6 ms)
        out[degrees == df] = _t_quantile(level, df)
    return out if out.ndim else float(out)


def _central_probability(theta: float, df: int) -> float:
    """P(|T| <= sqrt(df) tan(theta)) for Student's t with ``df`` (whole) degrees of freedom."""
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(1, df // 2):
            term *= (2 * k - 1) / (2 * k) * c2
            total += term
        return s * total
    if df == 1:
        return 2 * theta / math.pi
    term, total = 1.0, 1.0
    for k in range(1, (df - 1) // 2):
        term *= (2 * k) / (2 * k + 1) * c2
        total += term
    return 2 / math.pi * (theta + s * math.cos(theta) * total)


BISECTION_STEPS = 64


@functools.lru_cache(maxsize=None)
def _t_quantile(level: float, df: int) -> float:
    """``t_quantile`` for one whole number of degrees of freedom (worked out once: 64 steps of a series)."""
    low, high = 0.0, math.pi / 2
    for _ in range(BISECTION_STEPS):
        mid = (low + high) / 2
        if _central_probability(mid, df) < level:
            low = mid
        else:
            high = mid
    return math.sqrt(df) * math.tan((low + high) / 2)


def interval(values, kind: str = SIGNED, level: float = LEVEL) -> tuple:
    """(mean, low, high) over axis 0 of ``values``, by the method ``kind`` (see the module)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:        # one replication: its value (nan where it has none), and no interval
        mean = values[0]
        if np.ndim(mean) == 0:
            return float(mean), math.nan, math.nan
        return mean.copy(), np.full(mean.shape, np.nan), np.full(mean.shape, np.nan)
    n = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # all-nan columns: nan is the answer
        mean = np.nanmean(values, axis=0)
        se = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n)
        t = t_quantile(level, n - 1)
        if kind == SHARE:
            low, high = _wilson(mean, se, t)
        elif kind == NONNEGATIVE:
            low, high = _poisson_score(mean, se, t)
        else:
            low, high = mean - t * se, mean + t * se
    undefined = n < 2
    low, high = np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)
    if np.ndim(mean) == 0:
        return float(mean), float(low), float(high)
    return mean, low, high


def _wilson(p, se, t):
    """Score interval for a share with variance p(1-p)/m, m chosen so that it equals se^2 at the estimate."""
    spread = p * (1 - p)
    exact = (se == 0) | (spread <= 0)
    m = np.where(exact, 1.0, spread / np.where(exact, 1.0, se ** 2))      # effective sample size
    q = t * t
    center = (p + q / (2 * m)) / (1 + q / m)
    half = t / (1 + q / m) * np.sqrt(spread / m + q / (4 * m * m))
    return np.where(exact, p, center - half), np.where(exact, p, center + half)


def _poisson_score(mu, se, t):
    """Score interval for a mean of values >= 0 with variance proportional to the mean, matching se^2 there."""
    exact = (se == 0) | (mu <= 0)
    safe_mu = np.where(exact, 1.0, mu)
    a = t * t * se * se / (2 * safe_mu)
    root = np.sqrt(a * a + t * t * se * se)
    return np.where(exact, mu, mu + a - root), np.where(exact, mu, mu + a + root)


# What "known well enough" means for the figures a decision rests on: the 95% interval of the whole run's
# service level within ±2 percentage points, of its abandon rate within ±1 point (the abandonment ceiling is
# usually 5%, so ±1 point is a fifth of it).  Wider than that, two options a few points apart look alike.
USEFUL_HALF_WIDTH = {"service_level": 0.02, "abandon_rate": 0.01}
# ... and for a plan judged half hour by half hour: each interval's service level within ±10 points, so that
# an interval at 70% against a target of 80% is seen to miss
USEFUL_INTERVAL_HALF_WIDTH = 0.10
NORMAL_975 = 1.959963984540054          # the Student-t quantile's limit: no fewer replications can do


def replications_needed(estimate: Estimate, replications: int, useful_half_width: float) -> int:
    """Replications that would bring ``estimate``'s half-width to ``useful_half_width``."""
    return replications_for(float(estimate.half_width()), replications, useful_half_width)


def replications_for(half_width: float, replications: int, useful_half_width: float) -> int:
    """Replications that would bring a 95% half-width of ``half_width`` from ``replications`` to
    ``useful_half_width``: the spread between replications stays, the t quantile and the square root of
    their number shrink it (with 2 replications t is 12.7, with 10 it is 2.26)."""
    if not half_width > useful_half_width or replications < 2:
        return replications
    spread = half_width * math.sqrt(replications) / t_quantile(LEVEL, replications - 1)
    n = max(replications + 1, math.ceil((NORMAL_975 * spread / useful_half_width) ** 2))
    while t_quantile(LEVEL, n - 1) * spread / math.sqrt(n) > useful_half_width:
        n += 1
    return n
