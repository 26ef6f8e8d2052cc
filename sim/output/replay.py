"""What ``hotline replay`` writes: replay.json, per-day and per-hour tables, observed-against-simulated charts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sim import files
from sim.output.simulate import cell
from sim.results.figures import FIGURES

FILES = ("replay.json", "replay_days.csv", "replay_hours.csv", "replay_days.png", "replay_hours.png")


def write(result, out_dir: Path) -> list[Path]:
    """replay.json, replay_days.csv, replay_hours.csv and the observed-against-simulated charts."""
    from sim.output import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    s = result.scenario
    data = {"scenario": s.name, "threshold_seconds": s.threshold_seconds,
            "replications": result.run.replications, "seed": result.run.seed,
            "definitions": {f: {"unit": FIGURES[f].unit, "definition": FIGURES[f].definition}
                            for f in ("offered", "abandon_rate", "asa_seconds", "service_level")},
            "mode": result.mode, "in_sample": result.in_sample,
            "mode_definition": "check: `hotline calibrate` wrote the scenario (calibrated_from), so differences "
                               "are the model's errors (in_sample: on the very calls it was fitted to); what-if: "
                               "the scenario is a design, so observed is the calls as they happened and simulated "
                               "the same calls under this design",
            ("differences" if result.what_if else "errors"): result.errors,
            "error_definition": "mean absolute difference over days of |observed - simulated mean|, over the "
                                "typical days (typical: false marks a holiday, its eve or a part day, with fewer "
                                "than half the calls of its weekday's other days: shown, not scored)",
            "days": result.days, "hours": result.hours}
    paths = [out_dir / n for n in FILES]
    files.write_text(paths[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    for rows, key, path in ((result.days, "date", paths[1]), (result.hours, "hour", paths[2])):
        with files.atomic(path, newline="") as handle:
            writer = csv.writer(handle)
            figs = ("offered", "abandon_rate", "asa_seconds", "service_level")
            writer.writerow([key] + [f"observed_{f}" for f in figs]
                            + [f"simulated_{f}{x}" for f in figs for x in ("", "_ci95_low", "_ci95_high")])
            for r in rows:
                writer.writerow([r[key]] + [cell(r["observed"][f]) for f in figs]
                                + [cell(v) for f in figs for v in (r["simulated"][f]["mean"], *r["simulated"][f]["ci95"])])
    for rows, key, path, xlabel in ((result.days, "date", paths[3], "day"), (result.hours, "hour", paths[4],
                                                                             "hour of day (clock time)")):
        fig = plots.observed_vs_simulated(
            [r[key] for r in rows],
            {f: ([r["observed"][f] for r in rows], [r["simulated"][f]["mean"] for r in rows],
                 [r["simulated"][f]["ci95"][0] for r in rows], [r["simulated"][f]["ci95"][1] for r in rows])
             for f in ("abandon_rate", "asa_seconds", "service_level")},
            {"abandon_rate": "abandoned / offered", "asa_seconds": "ASA, seconds (answered calls)",
             "service_level": f"answered within {s.threshold_seconds:g} s / offered"},
            (f"What-if: as it happened against under {s.name} by {xlabel} (95% intervals)" if result.what_if
             else f"Replay: observed against simulated by {xlabel} (95% intervals)"), xlabel)
        files.save_figure(fig, path)
    return paths
