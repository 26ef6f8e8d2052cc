"""Generators for many spawn keys at once: the very streams ``SeedSequence(seed, spawn_key=key)`` seeds.

A replication draws each line's callers of each clock day, and their redials, from a generator of its own,
keyed by (replication, line, day), so that scenarios compared on the same seed share their callers. Made one
at a time, ``default_rng(SeedSequence(seed, spawn_key=key))`` costs about 9 µs, nearly all of it mixing the
key into the sequence's entropy pool and hashing the pool into the generator's state: a Fuyang week makes
about 200 of them, 2% of its time.  ``pcg64_states`` does that mixing for a whole array of keys at once,
with numpy's wrapping uint32 arithmetic, in the steps ``SeedSequence`` documents (M. E. O'Neill's seed_seq as
NumPy adapted it); ``generator`` then builds the ``PCG64`` from its state words in well under a microsecond.
``tests/test_arrivals.py`` checks the states, word for word, against numpy's own ``SeedSequence``.
"""

from __future__ import annotations

import numpy as np
from numpy.random.bit_generator import ISeedSequence

POOL_WORDS = 4                  # SeedSequence's default pool: 128 bits
WORD_BITS = 32
WORD_MASK = (1 << WORD_BITS) - 1
HALF_SHIFT = WORD_BITS // 2
# SeedSequence's hashing constants
HASH_INIT_MIX, HASH_MULT_MIX = 0x43B0D7E5, 0x931E8875      # mixing entropy into the pool
HASH_INIT_STATE, HASH_MULT_STATE = 0x8B51F9DD, 0x58F38DED  # hashing the pool into state words
MIX_LEFT, MIX_RIGHT = 0xCA01F9DD, 0x4973F715
PCG64_WORDS = 4                 # PCG64 is seeded with 4 uint64 words: 8 uint32 words drawn from the pool


def _words(n: int) -> list[int]:
    """A non-negative int as 32-bit words, lowest first (0 is one word), as ``SeedSequence`` reads entropy."""
    words = [n & WORD_MASK]
    n >>= WORD_BITS
    while n:
        words.append(n & WORD_MASK)
        n >>= WORD_BITS
    return words


class _Hash:
    """The running multiplier of one hashing pass, and the hash of a word (an int, or a uint32 array)."""

    def __init__(self, init: int, mult: int):
        self.const, self.mult = init, mult

    def __call__(self, value):
        value = value ^ self.const
        self.const = self.const * self.mult & WORD_MASK
        value = value * self.const & WORD_MASK if isinstance(value, int) else value * np.uint32(self.const)
        return value ^ (value >> HALF_SHIFT)


def _mix(x, y):
    """Mix word ``y`` into pool word ``x`` (ints, or ``x`` an int and ``y`` a uint32 array, or both arrays)."""
    if isinstance(y, int):
        result = (MIX_LEFT * x - MIX_RIGHT * y) & WORD_MASK
    else:           # array arithmetic wraps silently; numpy scalars would warn of the overflow
        left = np.uint32(MIX_LEFT * x & WORD_MASK) if isinstance(x, int) else np.uint32(MIX_LEFT) * x
        result = left - np.uint32(MIX_RIGHT) * y
    return result ^ (result >> HALF_SHIFT)


def pcg64_states(seed: int, keys: np.ndarray) -> np.ndarray | None:
    """The PCG64 state words (uint64, shape (rows, 4)) that ``SeedSequence(seed, spawn_key=row)`` generates for
    each row of ``keys`` (non-negative ints); None when a key needs more than one word (the caller then uses
    ``SeedSequence`` itself: ``sequence_generator``)."""
    keys = np.asarray(keys, dtype=np.int64).reshape(len(keys), -1)
    if seed < 0 or (keys < 0).any() or (keys > WORD_MASK).any():
        return None
    # the seed's words, padded with zeros to the pool as a spawn key requires, then the key's words: the pool
    # takes in the first POOL_WORDS of them and mixes itself, all alike for every key (plain ints, once)
    entropy = _words(seed)
    entropy += [0] * (POOL_WORDS - len(entropy))
    hashed = _Hash(HASH_INIT_MIX, HASH_MULT_MIX)
    pool = [hashed(word) for word in entropy[:POOL_WORDS]]
    for source in range(POOL_WORDS):
        for target in range(POOL_WORDS):
            if source != target:
                pool[target] = _mix(pool[target], hashed(pool[source]))
    # the rest of the seed's words, then the key's (arrays over the keys), mixed into every pool word
    rest = entropy[POOL_WORDS:] + [keys[:, c].astype(np.uint32) for c in range(keys.shape[1])]
    for word in rest:
        for target in range(POOL_WORDS):
            pool[target] = _mix(pool[target], hashed(word))
    pool = [np.full(len(keys), p, dtype=np.uint32) if isinstance(p, int) else p for p in pool]
    state = _Hash(HASH_INIT_STATE, HASH_MULT_STATE)
    halves = np.stack([state(pool[i % POOL_WORDS]) for i in range(2 * PCG64_WORDS)], axis=1)
    # little-endian pairs of uint32 words make the uint64 words, as SeedSequence.generate_state does
    return halves[:, 0::2].astype(np.uint64) | (halves[:, 1::2].astype(np.uint64) << np.uint64(WORD_BITS))


class _State(ISeedSequence):
    """Seed words worked out already (``pcg64_states``), handed to ``PCG64`` as a seed sequence would."""

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words, dtype=np.uint64):
        return self.words


def generator(words: np.ndarray) -> np.random.Generator:
    """A ``Generator`` on ``PCG64`` seeded with ``words`` (a row of ``pcg64_states``)."""
    return np.random.Generator(np.random.PCG64(_State(words)))


def sequence_generator(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    """The same generator as ``generator(pcg64_states(seed, [key])[0])``, from ``SeedSequence`` itself."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


class DayStreams:
    """The generators keyed ``(replication, line key, day)`` (and ``tag``, when given) for every line and every
    clock day from ``first_day`` to ``last_day``: their states are worked out together when the first is asked
    for; a day outside that range gets ``SeedSequence`` itself (the same numbers, one at a time)."""

    def __init__(self, seed: int, replication: int, line_keys: list[int], first_day: int, last_day: int,
                 tag: int | None = None):
        self.seed, self.replication, self.line_keys, self.tag = seed, replication, line_keys, tag
        self.first_day, self.n_days = first_day, max(last_day - first_day + 1, 0)
        self.states: np.ndarray | None = None

    def key(self, j: int, day: int) -> tuple[int, ...]:
        return (self.replication, self.line_keys[j], day) + (() if self.tag is None else (self.tag,))

    def __call__(self, j: int, day: int) -> np.random.Generator:
        """Line ``j``'s generator of clock ``day``."""
        offset = day - self.first_day
        if 0 <= offset < self.n_days:
            if self.states is None:
                days = range(self.first_day, self.first_day + self.n_days)
                keys = [self.key(line, d) for line in range(len(self.line_keys)) for d in days]
                self.states = pcg64_states(self.seed, np.asarray(keys))
            if self.states is not None:
                return generator(self.states[j * self.n_days + offset])
        return sequence_generator(self.seed, self.key(j, day))
