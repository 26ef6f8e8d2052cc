"""Finished replications on disk, so interrupted work resumes and nothing stale is reused.

Each replication is written as it ends (to a temporary file, then renamed:
a file is whole or absent).  Files are keyed by a hash of the validated
scenario's contents, the seed and the model version, so a changed scenario
never picks up old results.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from . import __version__

MODEL_VERSION = f"hotline-sim {__version__} store 1"


def scenario_key(scenario, seed: int) -> str:
    """Hash of what determines a replication's numbers: scenario contents, seed, model version."""
    payload = json.dumps({"raw": scenario.raw, "seed": seed, "model": MODEL_VERSION}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


class Store:
    """Replication results under ``root/<key>/r<replication>.npz``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str, replication: int) -> Path:
        return self.root / key / f"r{replication}.npz"

    def load(self, key: str, replication: int) -> tuple[dict, dict] | None:
        path = self._path(key, replication)
        if not path.is_file():
            return None
        with np.load(path) as data:
            whole = {k[6:]: data[k] for k in data.files if k.startswith("whole/")}
            per_interval = {k[9:]: data[k] for k in data.files if k.startswith("interval/")}
        return whole, per_interval

    def save(self, key: str, replication: int, result: tuple[dict, dict]) -> None:
        whole, per_interval = result
        path = self._path(key, replication)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        arrays = {f"whole/{k}": v for k, v in whole.items()} | {f"interval/{k}": v for k, v in per_interval.items()}
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
