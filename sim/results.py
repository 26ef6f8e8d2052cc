"""Writing a run's results: summary.json, intervals.csv and a copy of the scenario.

summary.json is deterministic (no clock times, no paths of this machine), so
the same scenario and seed give the same file byte for byte.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import yaml

from . import clock, limits, outputs
from .errors import LogError
from .runs import RunResult, confidence_interval
from .stats import FIGURES, LINE_ONLY, POOL_ONLY

SCOPE_KEYS = {"total": "total", "line": "lines", "pool": "pools"}


def default_dir(name: str, prefix: str = "") -> Path:
    """results/<prefix><scenario name>, with the name made safe for a folder."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-") or "scenario"
    return Path("results") / f"{prefix}{short_name(safe)}"


def short_name(safe: str, most_bytes: int = 120) -> str:
    """``safe`` as it is, or cut with a digest of the whole when it is longer than a file name may be
    (255 bytes, less room for prefixes and the temporary names of atomic writes)."""
    if len(safe.encode("utf-8")) <= most_bytes:
        return safe
    import hashlib
    head = safe.encode("utf-8")[:most_bytes - 9].decode("utf-8", "ignore")
    return f"{head}-{hashlib.sha256(safe.encode('utf-8')).hexdigest()[:8]}"


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
    outputs.write_text(paths[0], json.dumps(summary(result), indent=2, ensure_ascii=False) + "\n")
    _write_intervals(result, paths[1])
    source = Path(result.scenario.source)
    if source.is_file() and "base:" not in source.read_text(encoding="utf-8"):
        outputs.copy_file(source, paths[2])            # keeps the file's comments (sources of figures)
    else:                                              # built in code or on a base file: write it whole
        outputs.write_text(paths[2], yaml.safe_dump(result.scenario.raw, allow_unicode=True, sort_keys=False))
    return paths


def _write_intervals(result: RunResult, path: Path):
    s = result.scenario
    names = [f for f in FIGURES if f in result.per_interval]
    header = ["interval", "day", "weekday", "time", "scope", "id"]
    for f in names:
        header += [f, f"{f}_ci95_low", f"{f}_ci95_high"]
    estimates = {f: confidence_interval(result.per_interval[f]) for f in names}
    with outputs.atomic(path, newline="") as handle:
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


def _cell(x) -> str:
    return "" if math.isnan(x) else f"{x:.6g}"


def comparison(results: list[RunResult]) -> dict:
    """compare.json: per scenario the headline and per-line estimates, and paired differences
    against the first scenario (same callers, replication by replication)."""
    from .compare import HEADLINE, Estimate, line_ids, paired, service_level_by_hour_of_week, values

    base = results[0]
    lines = line_ids(results)
    out = {"baseline": base.scenario.name, "replications": base.replications, "seed": base.seed,
           "threshold_seconds": base.scenario.threshold_seconds,
           "definitions": {f: {"unit": FIGURES[f][0], "definition": FIGURES[f][1]}
                           for f in HEADLINE + ("offered", "callers")},
           "scenarios": []}
    for r in results:
        entry = {"scenario": r.scenario.name, "source": r.scenario.source, "total": {}, "difference": {},
                 "lines": {}}
        for f in HEADLINE + ("offered", "callers"):
            v = values(r, f)
            entry["total"][f] = _estimate_dict(Estimate.of(v))
            if r is not base:
                entry["difference"][f] = _estimate_dict(paired(values(base, f), v))
        for line in lines:
            v = values(r, "service_level", "line", line)
            if v is None or line in r.scopes.provincial:
                continue
            figs = {"service_level": _estimate_dict(Estimate.of(v)),
                    "abandon_rate": _estimate_dict(Estimate.of(values(r, "abandon_rate", "line", line)))}
            b = values(base, "service_level", "line", line)
            if r is not base and b is not None and line not in base.scopes.provincial:
                figs["service_level_difference"] = _estimate_dict(paired(b, v))
            entry["lines"][line] = figs
        hours, est = service_level_by_hour_of_week(r)
        entry["service_level_by_hour"] = {"hours": hours.tolist(), "mean": [_number(x) for x in est.mean],
                                          "low": [_number(x) for x in est.low], "high": [_number(x) for x in est.high]}
        out["scenarios"].append(entry)
    return out


def _estimate_dict(e) -> dict:
    return {"mean": _number(e.mean), "ci95": [_number(e.low), _number(e.high)]}


def write_comparison(results: list[RunResult], out_dir: Path, lang: str = "en") -> list[Path]:
    """compare.json, compare.csv, compare_lines.csv, two charts, and each scenario's own results."""
    from .compare import HEADLINE

    out_dir.mkdir(parents=True, exist_ok=True)
    data = comparison(results)
    written = [out_dir / "compare.json", out_dir / "compare.csv", out_dir / "compare_lines.csv",
               out_dir / "sl_by_hour.png", out_dir / "sl_by_line.png"]
    outputs.write_text(written[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    with outputs.atomic(written[1], newline="") as handle:
        writer = csv.writer(handle)
        header = ["scenario"]
        for f in HEADLINE:
            header += [f, f"{f}_ci95_low", f"{f}_ci95_high", f"{f}_diff", f"{f}_diff_ci95_low", f"{f}_diff_ci95_high"]
        writer.writerow(header)
        for entry in data["scenarios"]:
            row = [entry["scenario"]]
            for f in HEADLINE:
                est, diff = entry["total"][f], entry["difference"].get(f)
                row += [_cell_of(est["mean"]), *map(_cell_of, est["ci95"])]
                row += [_cell_of(diff["mean"]), *map(_cell_of, diff["ci95"])] if diff else ["0", "0", "0"]
            writer.writerow(row)
    with outputs.atomic(written[2], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scenario", "line", "service_level", "service_level_ci95_low", "service_level_ci95_high",
                         "abandon_rate", "abandon_rate_ci95_low", "abandon_rate_ci95_high",
                         "service_level_diff", "service_level_diff_ci95_low", "service_level_diff_ci95_high"])
        for entry in data["scenarios"]:
            for line, figs in entry["lines"].items():
                diff = figs.get("service_level_difference")
                writer.writerow([entry["scenario"], line]
                                + [_cell_of(figs["service_level"]["mean"]), *map(_cell_of, figs["service_level"]["ci95"])]
                                + [_cell_of(figs["abandon_rate"]["mean"]), *map(_cell_of, figs["abandon_rate"]["ci95"])]
                                + ([_cell_of(diff["mean"]), *map(_cell_of, diff["ci95"])] if diff else ["", "", ""]))
    for fig, path in zip(comparison_charts(data, results[0].scenario.service_level_target, lang), written[3:5]):
        outputs.save_figure(fig, path)
    for r in results:
        written += write(r, out_dir / default_dir(r.scenario.name).name)
    return written


def comparison_charts(data: dict, target: float, lang: str = "en") -> list:
    """Service level by hour of the week per scenario, and by line side by side (from compare.json)."""
    from . import plots
    from .labels import text

    t = data["threshold_seconds"]
    series = {e["scenario"]: (np.asarray(e["service_level_by_hour"]["hours"]) + 0.5,
                              *(np.array(e["service_level_by_hour"][k], dtype=float) for k in ("mean", "low", "high")))
              for e in data["scenarios"]}
    fig = plots.by_hour_of_week(series, text("sl_axis", lang, t=t), text("title_sl_hour", lang), target=target, lang=lang)
    lines = sorted({l for e in data["scenarios"] for l in e["lines"]})
    bars = {}
    for e in data["scenarios"]:
        est = [e["lines"].get(l, {}).get("service_level") for l in lines]
        bars[e["scenario"]] = tuple(
            [np.nan if x is None or x["mean"] is None else (x["mean"] if j == 0 else x["ci95"][j - 1]) for x in est]
            for j in range(3))
    fig2 = plots.grouped_bars(lines, bars, text("sl_axis", lang, t=t), text("title_sl_line", lang), target=target,
                              lang=lang)
    return [fig, fig2]


def _cell_of(x) -> str:
    return "" if x is None else f"{x:.6g}"


def plan_summary(plan) -> dict:
    """plan.json: headcount, seats, hours, cost, iterations, gap, targets and the verified figures."""
    s = plan.scenario
    shrink = s.planning.shrinkage
    pools = {}
    for k, r in plan.rosters.items():
        pools[k] = {"headcount": r.headcount, "headcount_with_shrinkage": _hire(r.headcount, shrink),
                    "seats": int(r.at_work.max()), "agent_hours": round(r.paid_hours, 3),
                    "cost": round(r.cost, 3), "mip_gap": r.mip_gap,
                    "intervals_missing_target": int(plan.check.missed[k].sum())}
    return {
        "scenario": s.name,
        "units": {"headcount": "agents on the phones' roster (distinct people with work_days_per_week; "
                               "else agent-shifts per week / 5)",
                  "headcount_with_shrinkage": "agents to employ: headcount / (1 - shrinkage), rounded up",
                  "seats": "most agents at work at once (on the phones or on a break), physical positions",
                  "agent_hours": "paid agent-hours per week", "cost": "paid agent-hours x shift cost factor, per week",
                  "mip_gap": "relative optimality gap of the integer programme (0: proven optimal)"},
        "headcount": plan.headcount,
        "headcount_with_shrinkage": plan.headcount_with_shrinkage,
        "shrinkage": shrink,
        "seats": plan.seats,
        "agent_hours": round(sum(r.paid_hours for r in plan.rosters.values()), 3),
        "cost": round(sum(r.cost for r in plan.rosters.values()), 3),
        "iterations": {"requirement_simulation_rounds": plan.correction_rounds,
                       "verification_rounds": plan.verification_rounds,
                       "limit": s.planning.max_iterations},
        "mip_gap": max(r.mip_gap for r in plan.rosters.values()),
        "targets": {"kind": s.planning.targets, "service_level": s.service_level_target,
                    "threshold_seconds": s.threshold_seconds, "max_abandon_rate": s.max_abandon_rate},
        "targets_met": plan.targets_met,
        "pools": pools,
        "verified": summary(plan.verified),
    }


def _hire(headcount: int, shrinkage: float) -> int:
    return math.ceil(headcount / (1.0 - shrinkage) - 1e-9)


def plan_charts(per_pool: dict[str, dict[str, np.ndarray]], roster_rows: list[tuple], interval_minutes: int,
                lang: str = "en") -> list:
    """Requirement against scheduled agents per pool, the heat map of agents, the roster bars."""
    from . import plots
    from .labels import text

    panels = {k: {text(key, lang): v[key] for key in ("analytic", "corrected", "scheduled")}
              for k, v in per_pool.items()}
    on_phones = sum(v["scheduled"] for v in per_pool.values())
    return [plots.requirement_panels(panels, interval_minutes, text("title_requirements", lang), lang),
            plots.heatmap_by_hour(on_phones, interval_minutes, text("title_heatmap", lang),
                                  text("agents_on_phones", lang), lang),
            plots.roster_bars(roster_rows, text("title_roster", lang), lang)]


def write_plan(plan, out_dir: Path, lang: str = "en") -> list[Path]:
    """requirements.csv, roster.csv, plan.json, planned.yaml, three charts and the verification run."""
    s = plan.scenario
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in ("requirements.csv", "roster.csv", "plan.json", "planned.yaml",
                                   "requirements.png", "heatmap.png", "roster.png")]
    with outputs.atomic(paths[0], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pool", "interval", "weekday", "time", "offered_load_erlangs", "analytic_agents",
                         "simulation_corrected_agents", "required_agents", "scheduled_agents",
                         "simulated_service_level", "simulated_abandon_rate"])
        for k, roster in plan.rosters.items():
            load = plan.loads[k].offered_erlangs
            for i in range(len(load)):
                weekday, time = clock.label(i * s.interval_minutes)
                sl = plan.check.service_level[k][0][i] if s.planning.targets == "interval" else math.nan
                ab = plan.check.abandon_rate[k][0][i] if s.planning.targets == "interval" else math.nan
                writer.writerow([k, i, weekday, time, f"{load[i]:.4f}", int(plan.sipp[k][i]),
                                 int(plan.corrected[k][i]), int(plan.requirement[k][i]),
                                 int(roster.on_phones[i]), _cell(sl), _cell(ab)])
    with outputs.atomic(paths[1], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pool", "shift", "start", "weekdays", "agents", "paid_hours_per_agent_per_week",
                         "cost_factor"])
        for k, roster in plan.rosters.items():
            for r in roster.rows:
                writer.writerow([k, r.shift, f"{r.start_minute // 60:02d}:{r.start_minute % 60:02d}",
                                 " ".join(clock.WEEKDAYS[d] for d in r.days), r.agents,
                                 f"{r.paid_hours_each:g}", f"{r.cost_factor:g}"])
    outputs.write_text(paths[2], json.dumps(plan_summary(plan), indent=2, ensure_ascii=False) + "\n")
    header = (f"# Planned by `hotline plan` from {s.source}: the input scenario with the planned shifts\n"
              f"# in place (breaks included). Run it with `hotline simulate`.\n")
    outputs.write_text(paths[3], header + yaml.safe_dump(plan.planned_raw, allow_unicode=True, sort_keys=False))
    figs = plan_charts({k: {"analytic": plan.sipp[k], "corrected": plan.corrected[k], "scheduled": r.on_phones}
                        for k, r in plan.rosters.items()}, _roster_rows(plan), s.interval_minutes, lang)
    for fig, path in zip(figs, paths[4:]):
        outputs.save_figure(fig, path)
    return paths + write(plan.verified, out_dir / "verified")


def _roster_rows(plan) -> list[tuple]:
    return roster_bar_rows((k, r.shift, r.start_minute, len(r.days), r.paid_hours_each / len(r.days), r.agents)
                           for k, roster in plan.rosters.items() for r in roster.rows)


def roster_bar_rows(entries) -> list[tuple]:
    """One bar per pool, shift and start time: agents on it and their working days in total.

    ``entries`` are (pool, shift, start minute, working days, hours a day, agents) roster rows.
    """
    grouped: dict[tuple, tuple] = {}
    for pool, shift, start, days, hours, agents in entries:
        key = (pool, shift, start, hours)
        total_agents, agent_days = grouped.get(key, (0, 0))
        grouped[key] = (total_agents + agents, agent_days + agents * days)
    return [(f"{pool}: {shift} {start // 60:02d}:{start % 60:02d}", start / 60, hours, agents, f"{days} agent-days")
            for (pool, shift, start, hours), (agents, days) in grouped.items()]


def write_calibration(raw: dict, report: dict, out: Path, seconds: float, source: str = "the log") -> list[Path]:
    """The calibrated scenario (long empirical samples in files beside it) and its fit report.

    A scenario larger than a scenario file may be (``sim.limits``) is refused (LogError naming ``source``)
    before anything is written: ``hotline simulate`` would refuse it.
    """
    raw = json.loads(json.dumps(raw))            # a copy we may edit
    written, files = [], {}                      # identical samples (after-call gaps) share one file
    for line_id, line in raw["lines"].items():
        for key in ("handle_seconds", "wrapup_seconds"):
            law = line.get(key)
            if law and law.get("dist") == "empirical" and len(law.get("values", [])) > 50:
                content = "\n".join(f"{v:g}" for v in law["values"]) + "\n"
                if content not in files:
                    safe = short_name(re.sub(r"[^\w-]+", "-", line_id), 60)
                    side = out.with_name(f"{out.stem}.{safe}.{key}.txt")
                    if side in files.values():          # two line ids made safe alike ('a b', 'a/b')
                        side = out.with_name(f"{out.stem}.{safe}-{len(files)}.{key}.txt")
                    files[content] = side
                    written.append(side)
                line[key] = {"dist": "empirical", "file": files[content].name}
    report = dict(report, calibration_seconds=round(seconds, 2))
    header = (f"# Calibrated by `hotline calibrate` in {seconds:.1f} s; fit report: {out.stem}.fit.json\n"
              f"# Arrivals per interval of the week (calls per hour), talk and after-call times, patience,\n"
              f"# busyness, redials and agents per interval all come from the log. Run it as it is.\n")
    text = header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120)
    size = len(text.encode("utf-8"))
    if size > limits.SCENARIO_FILE_BYTES:
        raise LogError(source, "", f"the scenario fitted to it would be {size / 1e6:.1f} MB ({len(raw['lines'])} "
                       f"lines, each with its arrival rates per interval of the week), more than the {limits.SCENARIO_FILE_BYTES / 1e6:g} MB a scenario file may be; "
                       "calibrate fewer lines at a time, or with a longer --interval-minutes")
    out.parent.mkdir(parents=True, exist_ok=True)
    for content, side in files.items():
        outputs.write_text(side, content)
    outputs.write_text(out, text)
    report_path = out.with_name(f"{out.stem}.fit.json")
    outputs.write_text(report_path, json.dumps(report, indent=2, ensure_ascii=False, default=float) + "\n")
    return [out, report_path] + written


def write_replay(result, out_dir: Path) -> list[Path]:
    """replay.json, replay_days.csv, replay_hours.csv and the observed-against-simulated charts."""
    from . import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    s = result.scenario
    data = {"scenario": s.name, "threshold_seconds": s.threshold_seconds,
            "replications": result.run.replications, "seed": result.run.seed,
            "definitions": {f: {"unit": FIGURES[f][0], "definition": FIGURES[f][1]}
                            for f in ("offered", "abandon_rate", "asa_seconds", "service_level")},
            "errors": result.errors, "error_definition": "mean absolute error over days of |observed - simulated mean|",
            "days": result.days, "hours": result.hours}
    paths = [out_dir / "replay.json", out_dir / "replay_days.csv", out_dir / "replay_hours.csv",
             out_dir / "replay_days.png", out_dir / "replay_hours.png"]
    outputs.write_text(paths[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    for rows, key, path in ((result.days, "date", paths[1]), (result.hours, "hour", paths[2])):
        with outputs.atomic(path, newline="") as handle:
            writer = csv.writer(handle)
            figs = ("offered", "abandon_rate", "asa_seconds", "service_level")
            writer.writerow([key] + [f"observed_{f}" for f in figs]
                            + [f"simulated_{f}{x}" for f in figs for x in ("", "_ci95_low", "_ci95_high")])
            for r in rows:
                writer.writerow([r[key]] + [_cell_of(r["observed"][f]) for f in figs]
                                + [_cell_of(v) for f in figs for v in (r["simulated"][f]["mean"], *r["simulated"][f]["ci95"])])
    for rows, key, path, xlabel in ((result.days, "date", paths[3], "day"), (result.hours, "hour", paths[4],
                                                                             "hour of day (clock time)")):
        fig = plots.observed_vs_simulated(
            [r[key] for r in rows],
            {f: ([r["observed"][f] for r in rows], [r["simulated"][f]["mean"] for r in rows],
                 [r["simulated"][f]["ci95"][0] for r in rows], [r["simulated"][f]["ci95"][1] for r in rows])
             for f in ("abandon_rate", "asa_seconds", "service_level")},
            {"abandon_rate": "abandoned / offered", "asa_seconds": "ASA, seconds (answered calls)",
             "service_level": f"answered within {s.threshold_seconds:g} s / offered"},
            f"Replay: observed against simulated by {xlabel} (95% intervals)", xlabel)
        outputs.save_figure(fig, path)
    return paths


SWEEP_FIGURES = ("staffed_seats", "service_level", "abandon_rate", "asa_seconds", "occupancy")


def sweep_table(chosen: list[dict], runs: list[RunResult]) -> list[dict]:
    """One row per variant: the values varied, then each figure's {"mean", "ci95"}."""
    return [{"variant": c, **{f: estimate(r.whole[f][:, 0]) for f in SWEEP_FIGURES}} for c, r in zip(chosen, runs)]


def write_sweep(rows: list[dict], names: list[str], out_dir: Path, threshold: float, target: float,
                lang: str = "en") -> list[Path]:
    """sweep.json, sweep.csv and the curves of service level and abandonment against the first field varied."""
    from . import plots
    from .labels import text

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "sweep.json", out_dir / "sweep.csv", out_dir / "sweep_service_level.png",
             out_dir / "sweep_abandon_rate.png"]
    data = {"varied": names, "threshold_seconds": threshold,
            "definitions": {f: {"unit": FIGURES[f][0], "definition": FIGURES[f][1]} for f in SWEEP_FIGURES},
            "variants": rows}
    outputs.write_text(paths[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    with outputs.atomic(paths[1], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names + [f"{f}{x}" for f in SWEEP_FIGURES for x in ("", "_ci95_low", "_ci95_high")])
        for row in rows:
            writer.writerow([row["variant"][n] for n in names]
                            + [_cell_of(v) for f in SWEEP_FIGURES for v in (row[f]["mean"], *row[f]["ci95"])])
    x_name, rest = names[0], names[1:]
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(tuple(row["variant"][n] for n in rest), []).append(row)
    for figure, path, axis in (("service_level", paths[2], text("sl_axis", lang, t=threshold)),
                               ("abandon_rate", paths[3], text("ab_axis", lang))):
        title = f"{text(figure, lang)}: {x_name} (95% intervals)"
        series = {}
        for key, members in groups.items():
            label = ", ".join(f"{n.split('.')[-1]}={v}" for n, v in zip(rest, key)) or figure
            series[label] = tuple(np.array([m[figure]["mean"] if j == 0 else m[figure]["ci95"][j - 1]
                                            for m in members], dtype=float) for j in range(3))
        xs = np.array([m["variant"][x_name] for m in next(iter(groups.values()))], dtype=float)
        fig = plots.seats_curve(xs, series, axis, title,
                                target=target if figure == "service_level" else None, lang=lang,
                                xlabel=x_name, top=1.02 if figure == "service_level" else None)
        outputs.save_figure(fig, path)
    return paths
