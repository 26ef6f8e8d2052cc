"""Finished replications on disk, so interrupted work resumes and nothing stale is reused.

Each replication is written as it ends (``sim.files.atomic``: a file is
whole or absent) under ``root/<key>/r<replication>.npz``.  The key is a digest
of what determines the numbers: the validated scenario (its laws with their
empirical samples, patterns, routing and staffing, whatever files they came
from), the seed and the model version; not the scenario's name, file path,
YAML text or planning section, which change no number.

An entry records its key, replication, model version and a digest of its
arrays, all checked when it is read: an entry that cannot be read
(truncated, a flipped byte, empty, a zip that is not ours) or that belongs
elsewhere (copied to the wrong name) is recomputed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import numpy as np

from sim import __version__, files
from sim.errors import OptionError
from sim.input.spec import Scenario

STORE_FORMAT = 4
MODEL_VERSION = f"hotline-sim {__version__} store {STORE_FORMAT}"
KEY_HEX_DIGITS = 20                     # 80 bits: no two scenarios of one store collide
SECONDS_PER_DAY = 86_400
_META = "meta"
_ENTRY = re.compile(r"^r(\d+)\.npz$")
_KEY = re.compile(rf"^[0-9a-f]{{{KEY_HEX_DIGITS}}}$")
# Fields of the validated Scenario that change no number of a replication.
_NOT_NUMBERS = {"raw", "source", "name", "replications", "seed", "planning", "costs", "label", "notes"}


def scenario_key(scenario, seed: int) -> str:
    """Digest of what determines a replication's numbers: the validated scenario, the seed, the model version."""
    digest = hashlib.sha256()
    _feed(digest, MODEL_VERSION)
    _feed(digest, int(seed))
    _feed(digest, scenario)
    return digest.hexdigest()[:KEY_HEX_DIGITS]


def _feed(digest, value) -> None:
    """Add ``value`` to the digest, tagged by type so that different values never feed the same bytes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _tag(digest, "D", type(value).__qualname__)
        for f in dataclasses.fields(value):
            # what people read (a line's or pool's label) changes no number either
            if not (isinstance(value, Scenario) and f.name in _NOT_NUMBERS) and f.name != "label":
                _tag(digest, "F", f.name)
                _feed(digest, getattr(value, f.name))
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        _tag(digest, "A", f"{array.dtype.str}{array.shape}")
        digest.update(array.tobytes())
    elif isinstance(value, (tuple, list)):
        if value and all(type(x) is float for x in value):       # empirical samples: thousands of floats
            _feed(digest, np.asarray(value, dtype=np.float64))
            return
        _tag(digest, "T" if isinstance(value, tuple) else "L", str(len(value)))
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        # insertion order kept: it orders the scopes (lines, pools) of the stored figures
        _tag(digest, "M", str(len(value)))
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif isinstance(value, (bool, int, float, str, type(None), np.integer, np.floating, np.bool_)):
        _tag(digest, type(value).__name__, repr(value.item() if isinstance(value, np.generic) else value))
    else:
        # a new kind of field must be hashed deliberately, never skipped
        raise TypeError(f"scenario_key cannot hash a {type(value).__name__}")


def _tag(digest, kind: str, text: str) -> None:
    data = text.encode("utf-8")
    digest.update(f"{kind}{len(data)}:".encode("ascii") + data)


def find_store(folder: Path) -> Path:
    """The store of a sweep: ``folder`` itself or its ``store/``; OptionError if neither is one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OptionError(str(folder), "", "is not a folder; give a sweep's output folder or its store/")
    holds_entries = any(_KEY.match(p.name) for p in folder.iterdir() if p.is_dir())
    if (folder / "store").is_dir() and not holds_entries:
        return folder / "store"
    if not holds_entries and folder.name != "store":
        # a mistyped folder must not look like a store cleaned of nothing
        raise OptionError(str(folder), "", "is not a sweep's folder: it has no store/ and holds no stored "
                          "replications; give the folder `hotline sweep` wrote (its --out) or its store/")
    return folder


class Store:
    """Replication results under ``root/<key>/r<replication>.npz``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str, replication: int) -> Path:
        return self.root / key / f"r{replication}.npz"

    def has(self, key: str, replication: int) -> bool:
        """Whether a replication is stored (not whether it is whole: ``load`` checks that)."""
        return self._path(key, replication).is_file()

    def blocked(self, keys: list[str], replications: int) -> Path | None:
        """The first place an entry of ``keys`` (replications 0..``replications``-1) would go that something else
        holds: a key's folder that is a file, or an entry that is a folder.  Checked before any work, since
        ``save`` would find it only once that replication had been computed."""
        for key in keys:
            folder = self.root / key
            if folder.exists() and not folder.is_dir():
                return folder
            for replication in range(replications):
                path = self._path(key, replication)
                if path.is_dir():
                    return path
        return None

    def load(self, key: str, replication: int) -> dict[str, np.ndarray] | None:
        """The stored sums of a replication, or None when absent or not trustworthy (recompute it)."""
        return _read(self._path(key, replication), key, replication)

    def save(self, key: str, replication: int, sums: dict[str, np.ndarray]) -> None:
        """Store one replication's sums, atomically, with what identifies and checks it."""
        path = self._path(key, replication)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {name: np.asarray(values) for name, values in sums.items()}
        meta = json.dumps({"key": key, "replication": replication, "model": MODEL_VERSION,
                           "digest": _digest(arrays)})
        with files.atomic(path, binary=True) as handle:
            np.savez_compressed(handle, **arrays, **{_META: np.array(meta)})

    def prune(self, older_than_days: float | None = None, remove_all: bool = False) -> list[tuple[Path, str]]:
        """Remove leftovers of killed runs, unreadable entries, and entries older than ``older_than_days``
        (or all of them); returns (path, why) for each removed.  Other files are left alone."""
        removed = []
        if not self.root.is_dir():
            return removed
        cutoff = None if older_than_days is None else time.time() - older_than_days * SECONDS_PER_DAY
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and _KEY.match(p.name)):
            for path in sorted(folder.iterdir()):
                why = self._verdict(path, folder.name, cutoff, remove_all)
                if why is not None:
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed.append((path, why))
            if not any(folder.iterdir()):
                folder.rmdir()
        return removed

    @staticmethod
    def _verdict(path: Path, key: str, cutoff: float | None, remove_all: bool) -> str | None:
        """Why ``path`` goes, or None if it stays."""
        if path.is_symlink():
            return None                 # the store never writes links: not the store's, never touched
        if files.is_leftover(path):
            return "left by a killed run"
        match = _ENTRY.match(path.name)
        if match is None or not path.is_file():
            return None                                    # not the store's: never touched
        if remove_all:
            return "--all"
        if _read(path, key, int(match[1])) is None:
            return "unreadable or not this entry"
        if cutoff is not None and path.stat().st_mtime < cutoff:
            return "older than --older-than"
        return None


def _digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 of the arrays' names, types, shapes and bytes: a changed name or value shows."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        _tag(digest, "N", name)
        _feed(digest, arrays[name])
    return digest.hexdigest()


def _read(path: Path, key: str, replication: int) -> dict[str, np.ndarray] | None:
    """The entry's sums if it is whole and is this entry; else None."""
    if files.is_special(path):           # a pipe would wait forever: not an entry; removed, computed again
        path.unlink()
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data[_META][()]))
            arrays = {name: data[name] for name in data.files if name != _META}
    except Exception:      # noqa: BLE001 - untrusted bytes fail in many ways (zip, npy, JSON); any is "recompute"
        return None
    expected = {"key": key, "replication": replication, "model": MODEL_VERSION, "digest": _digest(arrays)}
    if meta != expected or not arrays:
        return None
    return arrays
