"""What ``hotline compare`` writes: compare.json and .csv, per-line figures, two charts, each scenario's run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from sim import files
from sim.output import simulate
from sim.output.folders import default_dir
from sim.output.simulate import cell, definitions
from sim.results.compare import difference, line_ids
from sim.results.figures import HEADLINE, table
from sim.run.runs import RunResult

TOTALS = HEADLINE + ("offered", "callers")
# per line, what callers lived through: first queue, and the whole journey (transfers included)
LINE_FIGURES = ("service_level", "abandon_rate", "resolved_share", "abandon_rate_end_to_end",
                "time_to_resolver_seconds")


def comparison(runs: list[RunResult]) -> dict:
    """compare.json: per scenario the headline and per-line estimates, and paired differences
    against the first scenario (same callers, replication by replication)."""
    base = runs[0]
    wholes = [table(r, "whole") for r in runs]
    lines = line_ids(wholes)
    out = {"baseline": base.layout.name, "replications": base.replications, "seed": base.seed,
           "threshold_seconds": base.layout.threshold_seconds,
           "targets": {"service_level": base.layout.service_level_target,
                       "max_abandon_rate": base.layout.max_abandon_rate},
           "definitions": definitions(TOTALS + LINE_FIGURES), "scenarios": []}
    for r, t in zip(runs, wholes):
        entry = {"scenario": r.layout.name, "source": r.scenario.source if r.scenario else "", "total": {},
                 "difference": {}, "lines": {}, "label": r.layout.labels.get("scenario", {}),
                 "labels": {k: v for k, v in r.layout.labels.items() if k != "scenario"}}
        for f in TOTALS:
            entry["total"][f] = t.estimate(f, group=0).to_json()
            if r is not base:
                entry["difference"][f] = difference(wholes[0], t, f, group=0).to_json()
        for line in lines:
            if not t.has("line", line) or not t.reports("service_level", "line", line):
                continue
            figures = {f: t.estimate(f, "line", line, 0).to_json() for f in LINE_FIGURES}
            if r is not base:
                d = difference(wholes[0], t, "service_level", "line", line, 0)
                if d is not None:
                    figures["service_level_difference"] = d.to_json()
            entry["lines"][line] = figures
        by_hour = table(r, "hour_of_week").estimate("service_level", group=slice(None))
        entry["service_level_by_hour"] = {"hours": list(range(len(by_hour.mean))),
                                          **{k: [_json(x) for x in getattr(by_hour, k)]
                                             for k in ("mean", "low", "high")}}
        out["scenarios"].append(entry)
    return out


def _json(x):
    return None if np.isnan(x) else round(float(x), 10)


# the comparison's own files, beside a folder of each scenario's results
FILES = ("compare.json", "compare.csv", "compare_lines.csv", "sl_by_hour.png", "sl_by_line.png")


def result_files(subfolders: list[str]) -> list[str]:
    """Every file ``write`` may write when the scenarios' results go to ``subfolders``, relative to its folder."""
    return [*FILES, *(f"{folder}/{name}" for folder in subfolders for name in simulate.FILES)]


def write(runs: list[RunResult], out_dir: Path, lang: str = "en") -> list[Path]:
    """compare.json, compare.csv, compare_lines.csv, two charts, and each scenario's own results."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = comparison(runs)
    written = [out_dir / name for name in FILES]
    files.write_text(written[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    with files.atomic(written[1], newline="") as handle:
        writer = csv.writer(handle)
        header = ["scenario"]
        for f in HEADLINE:
            header += [f, f"{f}_ci95_low", f"{f}_ci95_high", f"{f}_diff", f"{f}_diff_ci95_low", f"{f}_diff_ci95_high"]
        writer.writerow(header)
        for entry in data["scenarios"]:
            row = [entry["scenario"]]
            for f in HEADLINE:
                est, diff = entry["total"][f], entry["difference"].get(f)
                row += _cells(est)
                row += _cells(diff) if diff else ["", "", ""]      # the first against itself: no difference
            writer.writerow(row)
    with files.atomic(written[2], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scenario", "line"] + [f"{f}{x}" for f in LINE_FIGURES + ("service_level_diff",)
                                                for x in ("", "_ci95_low", "_ci95_high")])
        for entry in data["scenarios"]:
            for line, figures in entry["lines"].items():
                diff = figures.get("service_level_difference")
                writer.writerow([entry["scenario"], line] + [c for f in LINE_FIGURES for c in _cells(figures[f])]
                                + (_cells(diff) if diff else ["", "", ""]))
    for fig, path in zip(charts(data, lang), written[3:5]):
        files.save_figure(fig, path)
    for r in runs:
        written += simulate.write(r, out_dir / default_dir(r.layout.name).name)
    return written


def _cells(estimate: dict) -> list[str]:
    return [cell(estimate["mean"]), *(cell(x) for x in estimate["ci95"])]


def charts(data: dict, lang: str = "en") -> list:
    """Service level by hour of the week per scenario, and by line side by side (from compare.json)."""
    from sim.output import plots
    from sim.output.labels import entry_line, entry_name, text

    t = data["threshold_seconds"]
    target = data["targets"]["service_level"]
    # scenarios and lines by their labels in ``lang``, as the briefing's tables show them
    series = {entry_name(e, lang): (np.asarray(e["service_level_by_hour"]["hours"]) + 0.5,
                                    *(np.array(e["service_level_by_hour"][k], dtype=float)
                                      for k in ("mean", "low", "high")))
              for e in data["scenarios"]}
    fig = plots.by_hour_of_week(series, text("sl_axis", lang, t=t), text("title_sl_hour", lang), target=target,
                                lang=lang)
    lines = sorted({line for e in data["scenarios"] for line in e["lines"]})
    bars = {}
    for e in data["scenarios"]:
        est = [e["lines"].get(line, {}).get("service_level") for line in lines]
        bars[entry_name(e, lang)] = tuple(
            [np.nan if x is None or x["mean"] is None else (x["mean"] if j == 0 else x["ci95"][j - 1]) for x in est]
            for j in range(3))
    names = [entry_line(next(e for e in data["scenarios"] if line in e["lines"]), line, lang) for line in lines]
    fig2 = plots.grouped_bars(names, bars, text("sl_axis", lang, t=t), text("title_sl_line", lang), target=target,
                              lang=lang)
    return [fig, fig2]
