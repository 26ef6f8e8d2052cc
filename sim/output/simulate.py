"""What ``hotline simulate`` writes: summary.json, intervals.csv, the scenario, and the run's sums.

summary.json is deterministic (no clock times, no paths of this machine), so
the same scenario and seed give the same file byte for byte.  ``run.npz``
keeps every replication's sums, so that a briefing made later from this
folder computes its figures exactly as this run did (``load``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from sim import files
from sim.input import clock, limits, yamlfile
from sim.input.scenario import files_relative_to
from sim.results.figures import FIGURES, FigureTable, table
from sim.run.runs import RunLayout, RunResult

SCOPE_KEYS = {"total": "total", "line": "lines", "pool": "pools"}
RUN_FILE = "run.npz"
SUMMARY, INTERVALS, DAYS, SCENARIO_COPY = "summary.json", "intervals.csv", "days.csv", "scenario.yaml"
FILES = (SUMMARY, INTERVALS, DAYS, SCENARIO_COPY, RUN_FILE)        # what ``write`` may write
RUN_FORMAT = 1


def definitions(names) -> dict:
    """{figure: {"unit", "definition"}} for the files' readers."""
    return {f: {"unit": FIGURES[f].unit, "definition": FIGURES[f].definition} for f in names}


def scope_figures(t: FigureTable, kind: str, ident: str, group=0) -> dict:
    """Every figure reported for one scope: {"mean", "ci95"} each."""
    return {f: t.estimate(f, kind, ident, group).to_json() for f in FIGURES
            if f in t.values and t.reports(f, kind, ident)}


def summary(run: RunResult) -> dict:
    """The summary.json mapping: figures per scope over the whole horizon, as {"mean", "ci95"}."""
    layout = run.layout
    t = table(run, "whole")
    out = {
        "scenario": layout.name,
        "replications": run.replications,
        "seed": run.seed,
        "horizon_hours": layout.n_intervals * layout.interval_minutes / 60,
        "warmup_hours": layout.warmup_intervals * layout.interval_minutes / 60,
        "threshold_seconds": layout.threshold_seconds,
        "targets": {"service_level": layout.service_level_target, "max_abandon_rate": layout.max_abandon_rate},
        "definitions": definitions(FIGURES),
        "intervals": "mean over replications and a 95% score interval (within 0-100% for shares, at or above "
                     "0 for counts, waits and agents; see sim/results/estimate.py)",
        "total": {}, "lines": {}, "pools": {},
    }
    for kind, ident in t.scopes:
        figures = scope_figures(t, kind, ident)
        if kind == "total":
            out["total"] = figures
        else:
            out[SCOPE_KEYS[kind]][ident] = figures
    return out


def write(run: RunResult, out_dir: Path) -> list[Path]:
    """summary.json, intervals.csv (days.csv too for long horizons), scenario.yaml and run.npz; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / SUMMARY]
    files.write_text(paths[0], json.dumps(summary(run), indent=2, ensure_ascii=False) + "\n")
    grains = ["interval"] if "interval/lines/offered" in run.sums[0] else ["interval_of_week", "day"]
    for grain in grains:
        path = out_dir / (DAYS if grain == "day" else INTERVALS)
        write_table(table(run, grain), path)
        paths.append(path)
    paths.append(write_scenario(run, out_dir / SCENARIO_COPY))
    paths.append(save(run, out_dir / RUN_FILE))
    return paths


def write_scenario(run: RunResult, path: Path) -> Path:
    """The scenario as it ran: the file itself when it holds exactly what ran (its comments name the
    sources of figures), else its fields (a base chain merged, a staffed or varied copy)."""
    s = run.scenario
    source = Path(s.source)
    # sample files are read from the copy's folder as from the file's own
    raw = files_relative_to(s.raw, source.parent, path.parent)
    if source.is_file() and "base:" not in source.read_text(encoding="utf-8") and raw == s.raw == _reread(source):
        return files.copy_file(source, path)
    # the comments of the base chain are where the figures come from: they travel with the merged fields
    header = "".join(f"# from {Path(f).name}:\n" + "".join(f"# {line}\n" for line in text.splitlines())
                     for f, text in s.notes)
    return files.write_text(path, header + yamlfile.dump(raw))


def _reread(source: Path):
    """The fields of the scenario file as it is now (a staffed or varied copy differs from them)."""
    from sim.input.scenario import read_raw
    try:
        return read_raw(source)
    except Exception:       # noqa: BLE001 - a file changed since the run is not copied, its fields are written
        return None


def write_table(t: FigureTable, path: Path):
    """Every figure per group of ``t`` and scope, with its 95% interval, as CSV."""
    names = list(t.values)
    header = ["group", "day", "weekday", "time", "scope", "id"]
    for f in names:
        header += [f, f"{f}_ci95_low", f"{f}_ci95_high"]
    # Each figure's cells formatted a column at a time from plain lists (a numpy item read and tested one at a
    # time cost a tenth of a whole simulate process), a column of nan (the interval of one replication) not at
    # all; per scope, each figure's three cells in every group, or None where the scope does not report it.
    n_groups, n_scopes = len(t.labels), len(t.scopes)
    blank_column = [""] * n_groups
    cells = [[None] * len(names) for _ in range(n_scopes)]
    for f_index, f in enumerate(names):
        e = t.estimates(f)
        stats = [x.tolist() if not np.isnan(x).all() else None for x in (e.mean, e.low, e.high)]
        for s_index, (kind, ident) in enumerate(t.scopes):
            if t.reports(f, kind, ident):
                cells[s_index][f_index] = list(zip(*(
                    blank_column if x is None else [cell(x[g][s_index]) for g in range(n_groups)] for x in stats)))
    blank = ("", "", "")
    with files.atomic(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for g, label in enumerate(t.labels):
            where = _where(t.grain, label)
            for (kind, ident), scope_cells in zip(t.scopes, cells):
                row = [*where, kind, ident]
                for column in scope_cells:
                    row += blank if column is None else column[g]
                writer.writerow(row)


def _where(grain: str, label) -> list:
    """(group, day, weekday, time) of a group's label."""
    if grain == "interval":
        k, day, weekday, time = label
        return [k, day, weekday, time]
    if grain == "day":
        day, weekday = label
        return [day - 1, day, weekday, ""]
    weekday, time = label
    return ["", "", weekday, time]


def cell(x) -> str:
    """A CSV cell: six significant digits, empty for nan."""
    return "" if x is None or x != x else f"{x:.6g}"      # x != x: nan (np.isnan costs a ufunc call a cell)


# What a results folder keeps of the sums: every grain a briefing shows (hours of the week, lines and
# pools, days, the whole run) derives from these two; each interval stays in intervals.csv.
SAVED_GRAINS = ("interval_of_week", "day")


def save(run: RunResult, path: Path) -> Path:
    """The run's layout, seed and every replication's sums at ``SAVED_GRAINS``, compressed (``load`` reads it)."""
    meta = json.dumps({"format": RUN_FORMAT, "layout": run.layout.to_json(), "seed": run.seed,
                       "replications": run.replications})
    arrays = {f"r{r}/{key}": values for r, sums in enumerate(run.sums) for key, values in sums.items()
              if key.split("/", 1)[0] in SAVED_GRAINS}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(meta), **arrays)
    with files.atomic(path, binary=True) as handle:
        handle.write(buffer.getvalue())
    return path


def load(path: Path) -> RunResult:
    """A run written by ``save`` (its scenario is not kept: ``scenario`` is None).  Raises ValueError for a file
    whose description of the run is not one ``save`` can write (edited: a billion intervals would be allocated)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"][()]))
        if not isinstance(meta, dict) or meta.get("format") != RUN_FORMAT:
            raise ValueError(f"written by another version of hotline-sim (format "
                             f"{meta.get('format') if isinstance(meta, dict) else None})")
        _check_meta(meta)
        sums = [dict() for _ in range(meta["replications"])]
        for name in data.files:
            if name != "meta":
                r, key = name.split("/", 1)
                sums[int(r[1:])][key] = data[name]
    return RunResult(None, RunLayout.from_json(meta["layout"]), meta["seed"], meta["replications"], sums)


def _check_meta(meta: dict) -> None:
    """What ``save`` writes of a run, within the bounds a scenario can have (``sim.input.limits``)."""
    def whole(value, low, high, what):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{what} is {value!r}, not a whole number from {low:,} to {high:,}")

    def number(value, what):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= limits.SECONDS.high:
            raise ValueError(f"{what} is {value!r}, not a number from 0 to {limits.SECONDS.high:g}")

    whole(meta.get("replications"), 1, int(limits.REPLICATIONS.high), "replications")
    if isinstance(meta.get("seed"), bool) or not isinstance(meta.get("seed"), int):
        raise ValueError(f"seed is {meta.get('seed')!r}, not a whole number")
    layout = meta.get("layout")
    if not isinstance(layout, dict) or set(layout) != set(RunLayout.__dataclass_fields__):
        raise ValueError("its layout does not have the fields this version writes")
    whole(layout["interval_minutes"], 1, int(limits.INTERVAL_MINUTES.high), "interval_minutes")
    most = int(limits.HORIZON_HOURS.high * 60 // layout["interval_minutes"])
    whole(layout["n_intervals"], 1, most, "n_intervals")
    whole(layout["warmup_intervals"], 0, layout["n_intervals"] - 1, "warmup_intervals")
    whole(layout["start_minute"], 0, clock.MINUTES_PER_WEEK - 1, "start_minute")
    for key in ("threshold_seconds", "service_level_target", "max_abandon_rate"):
        number(layout[key], key)
    if not isinstance(layout["name"], str):
        raise ValueError(f"name is {layout['name']!r}, not text")
    for key in ("lines", "pools", "provincial"):
        if not isinstance(layout[key], list) or not all(isinstance(x, str) for x in layout[key]):
            raise ValueError(f"{key} is not a list of names")
    labels = layout["labels"]
    if not isinstance(labels, dict) or not all(isinstance(v, dict) and all(isinstance(t, str) for t in v.values())
                                                for v in labels.values()):
        raise ValueError("labels is not a mapping of names to their text by language")
