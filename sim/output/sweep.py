"""What ``hotline sweep`` writes: sweep.json, sweep.csv and the curves against the first field varied."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from sim import files
from sim.output.simulate import cell
from sim.results.figures import FIGURES, HEADLINE, table
from sim.run.runs import RunResult

FILES = ("sweep.json", "sweep.csv", "sweep_service_level.png", "sweep_abandon_rate.png")

SWEEP_FIGURES = HEADLINE

def rows(chosen: list[dict], runs: list[RunResult]) -> list[dict]:
    """One row per variant: the values varied, each figure's {"mean", "ci95"}, and ``meets_goals``: the mean
    service level at least its target and the mean abandon rate at most its ceiling, city total."""
    out = []
    for c, r in zip(chosen, runs):
        t = table(r, "whole")
        row = {"variant": c, **{f: t.estimate(f, group=0).to_json() for f in SWEEP_FIGURES}}
        sl, ab = row["service_level"]["mean"], row["abandon_rate"]["mean"]
        row["meets_goals"] = bool(sl is not None and sl >= r.layout.service_level_target
                                  and ab is not None and ab <= r.layout.max_abandon_rate)
        out.append(row)
    _first_meeting(out, list(chosen[0]) if chosen else [])
    return out


def _first_meeting(rows: list[dict], names: list[str]) -> None:
    """Mark, along the first field varied and for each value of the others, the first variant meeting the goals
    (``first_meeting_goals``): the answer a planner reads off a sweep of agents or of volume."""
    seen = set()
    for row in rows:
        key = tuple(row["variant"][n] for n in names[1:])
        row["first_meeting_goals"] = row["meets_goals"] and key not in seen
        if row["meets_goals"]:
            seen.add(key)

def write(rows: list[dict], names: list[str], out_dir: Path, threshold: float | None, target: float | None,
                lang: str = "en") -> list[Path]:
    """sweep.json, sweep.csv and the curves of service level and abandonment against the first field varied;
    ``threshold`` and ``target`` are None when the sweep varies them (each row's own)."""
    from sim.output import plots
    from sim.output.labels import text

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in FILES]
    data = {"varied": names, "threshold_seconds": threshold,
            "meets_goals": "mean service level >= target and mean abandon rate <= ceiling, city total; "
                           "first_meeting_goals marks the first such value of the first field varied",
            "definitions": {f: {"unit": FIGURES[f].unit, "definition": FIGURES[f].definition} for f in SWEEP_FIGURES},
            "variants": rows}
    files.write_text(paths[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    with files.atomic(paths[1], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names + [f"{f}{x}" for f in SWEEP_FIGURES for x in ("", "_ci95_low", "_ci95_high")]
                        + ["meets_goals", "first_meeting_goals"])
        for row in rows:
            writer.writerow([row["variant"][n] for n in names]
                            + [cell(v) for f in SWEEP_FIGURES for v in (row[f]["mean"], *row[f]["ci95"])]
                            + [row["meets_goals"], row["first_meeting_goals"]])
    x_name, rest = names[0], names[1:]
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(tuple(row["variant"][n] for n in rest), []).append(row)
    sl_axis = text("sl_axis", lang, t=threshold) if threshold is not None else text("sl_axis_varied", lang)
    for figure, path, axis in (("service_level", paths[2], sl_axis),
                               ("abandon_rate", paths[3], text("ab_axis", lang))):
        title = f"{text(figure, lang)}: {x_name} (95% intervals)"
        series = {}
        for key, members in groups.items():
            label = ", ".join(f"{n}={v}" for n, v in zip(rest, key)) or text(figure, lang)
            series[label] = tuple(np.array([m[figure]["mean"] if j == 0 else m[figure]["ci95"][j - 1]
                                            for m in members], dtype=float) for j in range(3))
        xs = np.array([m["variant"][x_name] for m in next(iter(groups.values()))], dtype=float)
        firsts = [float(m["variant"][x_name]) for members in groups.values() for m in members
                  if m["first_meeting_goals"]]
        fig = plots.seats_curve(xs, series, axis, title,
                                target=target if figure == "service_level" else None, lang=lang,
                                xlabel=x_name, top=1.02 if figure == "service_level" else None, marks=firsts)
        files.save_figure(fig, path)
    return paths
