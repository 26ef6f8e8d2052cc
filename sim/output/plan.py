"""What ``hotline plan`` writes: requirements, roster, plan.json, the planned scenario, charts, the verified run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from sim import files
from sim.input import clock, yamlfile
from sim.input.scenario import files_relative_to
from sim.output import simulate
from sim.output.simulate import cell
from sim.plan import costs as money


def plan_summary(plan) -> dict:
    """plan.json: headcount, workstations, hours, yearly cost, iterations, gap, targets and the verified figures."""
    from sim.output.decide import UNITS

    s = plan.scenario
    staff, cost = plan.staff, plan.cost
    margin = s.costs.workstation_margin
    pools = {}
    for k, r in plan.rosters.items():
        pools[k] = {"headcount": r.headcount, "headcount_with_shrinkage": money.employ(r.headcount, staff.shrinkage),
                    "seats": money.seats(staff.most_at_work(k), margin),
                    "most_agents_at_work": staff.most_at_work(k), "agent_hours": round(r.paid_hours, 3),
                    "mip_gap": r.mip_gap, "intervals_missing_target": int(plan.check.missed[k].sum())}
    return {
        "scenario": s.name,
        # the scenario's and pools' names as people read them, for the briefing (as compare.json and decision.json)
        "label": s.label,
        "labels": {f"pool:{k}": p.label for k, p in s.pools.items() if p.label},
        "units": {**{k: UNITS[k] for k in ("headcount", "headcount_with_shrinkage", "seats", "most_agents_at_work",
                                           "agent_hours")},
                  **{f"cost.{k}": v for k, v in money.COST_UNITS.items()},
                  "mip_gap": "relative optimality gap of the integer programme (0: proven optimal)"},
        "headcount": staff.headcount,
        "headcount_with_shrinkage": staff.headcount_with_shrinkage,
        "shrinkage": staff.shrinkage,
        "seats": staff.workstations(margin),
        "agent_hours": round(staff.agent_hours_per_week, 3),
        "cost": cost,
        "iterations": {"requirement_simulation_rounds": plan.correction_rounds,
                       "verification_rounds": plan.verification_rounds,
                       "limit": s.planning.max_iterations,
                       # day and week goals may take more than asked (``planner.GOAL_PRECISION``)
                       "verified_on_replications": plan.verified.replications},
        "mip_gap": max(r.mip_gap for r in plan.rosters.values()),
        "targets": {"kind": s.planning.targets, "service_level": s.service_level_target,
                    "threshold_seconds": s.threshold_seconds, "max_abandon_rate": s.max_abandon_rate},
        "targets_met": plan.targets_met,
        "verified_span": verified_span(s),
        "pools": pools,
        "verified": (verified := simulate.summary(plan.verified)),
        "margins": _margins(verified["total"], s),
    }


def verified_span(s) -> dict:
    """The part of the clock week that verification simulated: the reported horizon, from its first minute.  A
    roster covers the whole week; hours outside the span were planned from Erlang A alone."""
    minutes = (s.horizon_seconds - s.warmup_seconds) / 60.0
    day, time = clock.label(s.start_minute + int(s.warmup_seconds // 60))
    return {"from": f"{day} {time}", "hours": round(minutes / 60.0, 6),
            "whole_week": minutes >= clock.MINUTES_PER_WEEK,
            "definition": "hours of the clock week the verification simulated (the horizon after warm-up), from "
                          "'from'; a roster covers the whole week, and targets are judged only where verified"}


def _margins(total: dict, s) -> dict:
    """How far the verified week is on the right side of each goal (shares; negative: short of it)."""
    sl, ab = total.get("service_level", {}).get("mean"), total.get("abandon_rate", {}).get("mean")
    return {"service_level": None if sl is None else round(sl - s.service_level_target, 6),
            "abandon_rate": None if ab is None else round(s.max_abandon_rate - ab, 6),
            "definition": "verified mean over the horizon minus the target (service level), ceiling minus the "
                          "verified mean (abandon rate)"}


def plan_charts(per_pool: dict[str, dict[str, np.ndarray]], roster_rows: list[tuple], interval_minutes: int,
                lang: str = "en") -> list:
    """Requirement against scheduled agents per pool, the heat map of agents, the roster bars."""
    from sim.output import plots
    from sim.output.labels import text

    panels = {k: {text(key, lang): v[key] for key in ("analytic", "corrected", "scheduled")}
              for k, v in per_pool.items()}
    on_phones = sum(v["scheduled"] for v in per_pool.values())
    return [plots.requirement_panels(panels, interval_minutes, text("title_requirements", lang), lang),
            plots.heatmap_by_hour(on_phones, interval_minutes, text("title_heatmap", lang),
                                  text("agents_on_phones", lang), lang),
            plots.roster_bars(roster_rows, text("title_roster", lang), lang)]

FILES = ("requirements.csv", "roster.csv", "plan.json", "planned.yaml", "requirements.png", "heatmap.png",
         "roster.png")
VERIFIED = "verified"           # the folder of the verification run's own results


def result_files() -> list[str]:
    """Every file ``write_plan`` may write, relative to its folder."""
    return [*FILES, *(f"{VERIFIED}/{name}" for name in simulate.FILES)]


def write_plan(plan, out_dir: Path, lang: str = "en") -> list[Path]:
    """requirements.csv, roster.csv, plan.json, planned.yaml, three charts and the verification run."""
    s = plan.scenario
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in FILES]
    with files.atomic(paths[0], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pool", "interval", "weekday", "time", "offered_load_erlangs", "analytic_agents",
                         "simulation_corrected_agents", "required_agents", "scheduled_agents",
                         "simulated_service_level", "simulated_abandon_rate"])
        for k, roster in plan.rosters.items():
            load = plan.loads[k].offered_erlangs
            for i in range(len(load)):
                weekday, time = clock.label(i * s.interval_minutes)
                sl = plan.check.service_level[k].mean[i]
                ab = plan.check.abandon_rate[k].mean[i]
                writer.writerow([k, i, weekday, time, f"{load[i]:.4f}", int(plan.sipp[k][i]),
                                 int(plan.corrected[k][i]), int(plan.requirement[k][i]),
                                 int(roster.on_phones[i]), cell(sl), cell(ab)])
    with files.atomic(paths[1], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pool", "shift", "start", "weekdays", "agents", "paid_hours_per_agent_per_week",
                         "cost_factor"])
        for k, roster in plan.rosters.items():
            for r in roster.rows:
                writer.writerow([k, r.shift, f"{r.start_minute // 60:02d}:{r.start_minute % 60:02d}",
                                 " ".join(clock.WEEKDAYS[d] for d in r.days), r.agents,
                                 f"{r.paid_hours_each:g}", f"{r.cost_factor:g}"])
    files.write_text(paths[2], json.dumps(plan_summary(plan), indent=2, ensure_ascii=False) + "\n")
    header = (f"# Planned by `hotline plan` from {s.source}: the input scenario with the planned shifts\n"
              f"# in place (breaks included). Run it with `hotline simulate`.\n")
    planned = files_relative_to(plan.planned_raw, Path(s.source).parent, paths[3].parent)
    files.write_text(paths[3], header + yamlfile.dump(planned))
    figs = plan_charts({s.pools[k].label.get(lang) or k: {"analytic": plan.sipp[k], "corrected": plan.corrected[k],
                                                          "scheduled": r.on_phones}
                        for k, r in plan.rosters.items()}, roster_rows(plan, lang), s.interval_minutes, lang)
    for fig, path in zip(figs, paths[4:]):
        files.save_figure(fig, path)
    return paths + simulate.write(plan.verified, out_dir / VERIFIED)

def roster_rows(plan, lang: str = "en") -> list[tuple]:
    """The roster bars of a plan (see ``roster_bar_rows``), each pool by its label in ``lang``."""
    names = {k: p.label.get(lang) or k for k, p in plan.scenario.pools.items()}
    return roster_bar_rows(((k, r.shift, r.start_minute, len(r.days), r.paid_hours_each / len(r.days), r.agents)
                            for k, roster in plan.rosters.items() for r in roster.rows), lang, names)

def roster_bar_rows(entries, lang: str = "en", names: dict[str, str] | None = None) -> list[tuple]:
    """One bar per pool, shift and start time: agents on it and their working days in total.

    ``entries`` are (pool, shift, start minute, working days, hours a day, agents) roster rows; ``names`` the
    pools as people read them (else their ids).
    """
    from sim.output.labels import text
    grouped: dict[tuple, tuple] = {}
    for pool, shift, start, days, hours, agents in entries:
        key = (pool, shift, start, hours)
        total_agents, agent_days = grouped.get(key, (0, 0))
        grouped[key] = (total_agents + agents, agent_days + agents * days)
    names = names or {}
    return [(f"{names.get(pool, pool)}: {shift} {start // 60:02d}:{start % 60:02d}", start / 60, hours, agents,
             text("agent_days", lang, n=days)) for (pool, shift, start, hours), (agents, days) in grouped.items()]
