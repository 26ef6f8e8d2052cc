"""Probability laws for durations (handle, after-call work, patience), in seconds.

Each law samples a whole batch at once with numpy: the simulation draws its
random numbers in blocks, never one call at a time.  A law is any object with
a ``mean`` and ``sample(rng, size)`` (the ``Law`` protocol); the ones a
scenario can name (``{dist: lognormal, mean: 300, cv: 1.2}``) are registered
by name with ``@law``, which also says which fields they take and how to read
them.  A new law is one class here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, ClassVar, Protocol, runtime_checkable

import numpy as np

from sim.errors import ScenarioError
from sim.input.limits import CV, MEAN_SECONDS, SAMPLE_FILE_BYTES, SECONDS
from sim.input.reader import Node, describe
from sim.input.textfile import read_text


@runtime_checkable
class Law(Protocol):
    """A law of durations in seconds."""

    @property
    def mean(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` durations (s) drawn from ``rng``: a new float array of its own, which the caller may change."""
        ...


LAWS: dict[str, type] = {}       # dist name -> law class, each with ``fields`` and ``from_node``


def law(name: str) -> Callable[[type], type]:
    """Register a law class under ``name`` (what a scenario writes after ``dist:``)."""
    def register(cls: type) -> type:
        LAWS[name] = cls
        return cls
    return register


@law("exponential")
@dataclass(frozen=True)
class Exponential:
    mean: float
    fields: ClassVar[frozenset] = frozenset({"mean"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        return cls(node.number("mean", limit=MEAN_SECONDS))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)


class MeanAndCv:
    """Laws written as a mean and a coefficient of variation (sd / mean)."""
    fields: ClassVar[frozenset] = frozenset({"mean", "cv"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        return cls(node.number("mean", limit=MEAN_SECONDS), node.number("cv", limit=CV))


@law("lognormal")
@dataclass(frozen=True)
class Lognormal(MeanAndCv):
    mean: float
    cv: float

    @cached_property
    def _log_mean_and_sigma(self) -> tuple[float, float]:
        # once per law: it is sampled for every line's day, a few hundred numbers at a time
        sigma2 = math.log1p(self.cv ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng, size):
        mu, sigma = self._log_mean_and_sigma
        return rng.lognormal(mu, sigma, size)


@law("gamma")
@dataclass(frozen=True)
class Gamma(MeanAndCv):
    mean: float
    cv: float

    def sample(self, rng, size):
        shape = 1.0 / self.cv ** 2
        return rng.gamma(shape, self.mean / shape, size)


@law("constant")
@dataclass(frozen=True)
class Constant:
    value: float
    fields: ClassVar[frozenset] = frozenset({"value"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        return cls(node.number("value", limit=SECONDS))

    @property
    def mean(self):
        return self.value

    def sample(self, rng, size):
        return np.full(size, self.value)


@law("uniform")
@dataclass(frozen=True)
class Uniform:
    low: float
    high: float
    fields: ClassVar[frozenset] = frozenset({"low", "high"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        low, high = node.number("low", limit=SECONDS), node.number("high", limit=SECONDS)
        if high < low:
            node.fail(f"must be at least low ({low:g}), got {high:g}", "high")
        return cls(low, high)

    @property
    def mean(self):
        return (self.low + self.high) / 2

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)


@law("empirical")
@dataclass(frozen=True)
class Empirical:
    """Resamples observed values with equal weight (a bootstrap of the log)."""
    values: tuple[float, ...]
    fields: ClassVar[frozenset] = frozenset({"values", "file"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        return cls(tuple(_empirical_values(node, base_dir)))

    @property
    def mean(self):
        return float(np.mean(self.values))

    def sample(self, rng, size):
        return np.asarray(self.values)[rng.integers(0, len(self.values), size)]


@law("mixture")
@dataclass(frozen=True)
class Mixture:
    """With probability ``weights[i]`` a value is drawn from ``components[i]``."""
    weights: tuple[float, ...]
    components: tuple
    fields: ClassVar[frozenset] = frozenset({"components"})

    @classmethod
    def from_node(cls, node: Node, base_dir):
        return _mixture(node, base_dir)

    @property
    def mean(self):
        return float(sum(w * c.mean for w, c in zip(self.weights, self.components)))

    def sample(self, rng, size):
        which = rng.choice(len(self.weights), size=size, p=self.weights)
        out = np.empty(size)
        for i, component in enumerate(self.components):
            chosen = which == i
            out[chosen] = component.sample(rng, int(chosen.sum()))
        return out


def parse_field(node: Node, key: str, base_dir: Path | None = None):
    """The law in field ``key`` of ``node`` (``parse``); a bare number there says how to write one."""
    value = node.raw(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = describe(value)
        node.fail(f"must be a distribution, got {shown}; write {{dist: constant, value: {shown}}} for exactly "
                  f"that, or {{dist: exponential, mean: {shown}}} for times that vary about it", key)
    return parse(node.child(key), base_dir)


def parse(node: Node, base_dir: Path | None = None, weighted: bool = False):
    """A law from a scenario mapping such as ``{dist: lognormal, mean: 300, cv: 1.2}``, values in seconds.

    Empirical files are plain text, one value in seconds per line (commas and
    blank lines allowed), read relative to the scenario file's folder.
    ``weighted``: the law is a mixture's component, which also has a ``weight``.
    """
    kind = node.text("dist")
    if kind not in LAWS:
        node.fail(f"unknown distribution {kind!r}; expected one of: {', '.join(LAWS)}", "dist")
    if node.has("weight") and not weighted:
        node.fail("only the components of a mixture have a weight: {dist: mixture, components: "
                  "[{weight: 0.9, dist: ...}, {weight: 0.1, dist: ...}]}", "weight")
    cls = LAWS[kind]
    node.unknown_keys(set(cls.fields) | {"dist"} | ({"weight"} if weighted else set()))
    return cls.from_node(node, base_dir)


def _empirical_values(node: Node, base_dir: Path | None) -> list[float]:
    if node.has("values") == node.has("file"):
        node.fail("an empirical distribution needs exactly one of 'values' or 'file'")
    if node.has("values"):
        return node.numbers("values", limit=SECONDS)
    name = node.file_name("file")
    path = Path(name) if base_dir is None or Path(name).is_absolute() else base_dir / name
    try:
        text = read_text(path, ScenarioError, max_bytes=SAMPLE_FILE_BYTES,
                         what="a sample file of a few million values")
    except ScenarioError as exc:        # the message names the sample file; the field says who asked for it
        node.fail(f"{exc.source}: {exc.problem}", "file")
    try:        # all at once (5 million values: seconds, not minutes); a bad one is found line by line below
        values = np.array(text.replace(",", " ").split(), dtype=float)
        if len(values) and ((values >= 0) & (values <= SECONDS.high)).all():
            return values.tolist()
    except ValueError:
        pass
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        for cell in line.replace(",", " ").split():
            try:
                value = float(cell)
            except ValueError:
                node.fail(f"{path} line {number}: {cell!r} is not a number of seconds", "file")
            if not 0 <= value <= SECONDS.high:
                node.fail(f"{path} line {number}: {cell!r} must be between 0 and {SECONDS.high:g} seconds", "file")
            values.append(value)
    if not values:
        node.fail(f"{path} holds no values", "file")
    return values


def _mixture(node: Node, base_dir: Path | None) -> Mixture:
    raw = node.raw("components")
    if not isinstance(raw, list) or not raw:
        node.fail("must be a non-empty list of weighted distributions", "components")
    weights, components = [], []
    for i, item in enumerate(raw):
        part = Node(item, node.source, node.field(f"components[{i}]"))
        weights.append(part.number("weight", above=0, maximum=1))
        components.append(parse(part, base_dir, weighted=True))
    if abs(sum(weights) - 1.0) > 1e-6:
        node.fail(f"weights must sum to 1, they sum to {sum(weights):g}", "components")
    total = sum(weights)
    return Mixture(tuple(w / total for w in weights), tuple(components))
