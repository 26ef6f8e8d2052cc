"""Writing a run's results: summary.json, intervals.csv and a copy of the scenario.

summary.json is deterministic (no clock times, no paths of this machine), so
the same scenario and seed give the same file byte for byte.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
from pathlib import Path

import numpy as np
import yaml

from . import clock
from .runs import RunResult, confidence_interval
from .stats import FIGURES, LINE_ONLY, POOL_ONLY

SCOPE_KEYS = {"total": "total", "line": "lines", "pool": "pools"}


def default_dir(name: str, prefix: str = "") -> Path:
    """results/<prefix><scenario name>, with the name made safe for a folder."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-") or "scenario"
    return Path("results") / f"{prefix}{safe}"


def _number(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 10)


def estimate(values: np.ndarray) -> dict:
    mean, low, high = confidence_interval(values)
    return {"mean": _number(mean), "ci95": [_number(low), _number(high)]}


def reported(kind: str, figure: str, provincial: bool = False) -> bool:
    """Whether a figure belongs to a scope: lines have no agents, pools no callers."""
    if provincial:
        return figure == "offered"
    return not ((kind == "line" and figure in POOL_ONLY) or (kind == "pool" and figure in LINE_ONLY))


def figures_of_scope(result: RunResult, s: int, kind: str, ident: str) -> dict:
    provincial = kind == "line" and ident in result.scopes.provincial
    return {f: estimate(result.whole[f][:, s]) for f in FIGURES
            if f in result.whole and reported(kind, f, provincial)}


def summary(result: RunResult) -> dict:
    """The summary.json mapping: figures per scope as {"mean", "ci95"} over replications."""
    s = result.scenario
    out = {
        "scenario": s.name,
        "replications": result.replications,
        "seed": result.seed,
        "horizon_hours": s.horizon_seconds / 3600,
        "warmup_hours": s.warmup_seconds / 3600,
        "threshold_seconds": s.threshold_seconds,
        "targets": {"service_level": s.service_level_target, "max_abandon_rate": s.max_abandon_rate},
        "definitions": {f: {"unit": u, "definition": d} for f, (u, d) in FIGURES.items()},
        "total": {}, "lines": {}, "pools": {},
    }
    for index, (kind, ident) in enumerate(result.scopes.names):
        figures = figures_of_scope(result, index, kind, ident)
        if kind == "total":
            out["total"] = figures
        else:
            out[SCOPE_KEYS[kind]][ident] = figures
    return out


def write(result: RunResult, out_dir: Path) -> list[Path]:
    """Write summary.json, intervals.csv and scenario.yaml into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "summary.json", out_dir / "intervals.csv", out_dir / "scenario.yaml"]
    _atomic_text(paths[0], json.dumps(summary(result), indent=2, ensure_ascii=False) + "\n")
    _write_intervals(result, paths[1])
    source = Path(result.scenario.source)
    if source.is_file() and "base:" not in source.read_text(encoding="utf-8"):
        shutil.copyfile(source, paths[2])              # keeps the file's comments (sources of figures)
    else:                                              # built in code or on a base file: write it whole
        _atomic_text(paths[2], yaml.safe_dump(result.scenario.raw, allow_unicode=True, sort_keys=False))
    return paths


def _write_intervals(result: RunResult, path: Path):
    s = result.scenario
    names = [f for f in FIGURES if f in result.per_interval]
    header = ["interval", "day", "weekday", "time", "scope", "id"]
    for f in names:
        header += [f, f"{f}_ci95_low", f"{f}_ci95_high"]
    estimates = {f: confidence_interval(result.per_interval[f]) for f in names}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for k in range(result.per_interval["offered"].shape[1]):
            horizon_k = s.warmup_intervals + k
            minute = s.start_minute + horizon_k * s.interval_minutes
            weekday, time = clock.label(minute)
            day = minute // clock.MINUTES_PER_DAY - s.start_minute // clock.MINUTES_PER_DAY + 1
            for index, (kind, ident) in enumerate(result.scopes.names):
                row = [horizon_k, day, weekday, time, kind, ident]
                for f in names:
                    if not reported(kind, f, kind == "line" and ident in result.scopes.provincial):
                        row += ["", "", ""]
                    else:
                        row += [_cell(estimates[f][j][k, index]) for j in range(3)]
                writer.writerow(row)
    os.replace(tmp, path)


def _cell(x) -> str:
    return "" if math.isnan(x) else f"{x:.6g}"


def _atomic_text(path: Path, text: str):
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
