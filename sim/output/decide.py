"""What ``hotline decide`` writes: decision.json, decision.csv, decision_lines.csv, decision.xlsx, charts,
each option's plan and today's run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from sim import files
from sim.output import plan as plan_output
from sim.output import simulate
from sim.output.folders import default_dir
from sim.output.labels import display_columns, entry_line, entry_name, text
from sim.output.simulate import cell
from sim.output.tables import decision_header, entries, option_name
from sim.plan import costs as money
from sim.plan.decide import JOURNEY, Decision, Option, differences, staff_figures, verdict, verified
from sim.results.figures import FIGURES

TODAY = "today"
FILES = ("decision.json", "decision.csv", "decision_lines.csv", "decision.xlsx", "cost.png", "sl_by_line.png")
UNITS = {
    "headcount": "agents on the roster: people (planned shifts with work_days_per_week; else agent-days a week / "
                 "5; a head count pool: paid hours a week / 40 h)",
    "headcount_with_shrinkage": "agents to employ: per pool headcount / (1 - shrinkage), rounded up",
    "hires": "headcount_with_shrinkage minus today's (negative: fewer people than today)",
    "seats": "workstations: per pool, the most agents at work at once (on the phones or on a break) x "
             "(1 + workstation_margin), rounded up, summed",
    "most_agents_at_work": "per pool, the most agents at work at once, summed over pools",
    "agent_hours": "paid agent-hours a week on the roster (breaks included, shrinkage not)",
    **{f"cost.{k}": v for k, v in money.COST_UNITS.items()},
    "goals": "judged on the mean over replications for the week: the city total and every line the city answers",
    "margin": "how far the mean is on the right side of the goal, as a share (negative: short of it)",
    "difference": "paired difference against the first option (same callers, replication by replication), 95% "
                  "Student-t interval",
}


def decision(d: Decision) -> dict:
    """decision.json: per option the staff, cost, goals, verified figures and differences against the first."""
    first = d.options[0]
    now = _entry(d.today, d, None) if d.today is not None else None
    options = [_entry(o, d, first if o is not first else None) for o in d.options]
    if now is not None:
        for entry in options:
            entry["gap_to_today"] = {
                "hires": entry["headcount_with_shrinkage"] - now["headcount_with_shrinkage"],
                "headcount": entry["headcount"] - now["headcount"],
                "seats": entry["seats"] - now["seats"],
                "cost": round(entry["cost"]["total"] - now["cost"]["total"], 2),
            }
            entry["hires"] = entry["gap_to_today"]["hires"]
    s = first.scenario
    return {
        "question": "what does each option need, at equal service, in agents, workstations and money?",
        "goals": d.goals.to_json(), "replications": d.replications, "seed": d.seed,
        "verified_on": d.verified_on,
        "verified_span": plan_output.verified_span(first.scenario),
        "currency": first.cost["currency"],
        "costs": {k: v for k, v in vars(s.costs).items()},
        "shrinkage": s.planning.shrinkage,
        "units": UNITS,
        "definitions": {f: {"unit": FIGURES[f].unit, "definition": FIGURES[f].definition} for f in JOURNEY},
        "today": now, "options": options,
        "assumptions": [{"file": f, "text": text} for f, text in
                        dict.fromkeys(n for o in d.options for n in o.scenario.notes)],
    }


def _entry(o: Option, d: Decision, base: Option | None) -> dict:
    s = o.scenario
    entry = {"scenario": s.name.removesuffix("-planned"), "label": s.label, "source": s.source,
             "labels": {**{f"line:{k}": line.label for k, line in s.lines.items() if line.label},
                        **{f"pool:{k}": p.label for k, p in s.pools.items() if p.label}},
             "staffing": "as written in the file" if o.plan is None else "planned by decide",
             **staff_figures(o, s.costs.workstation_margin)}
    judged = verdict(o, d.goals)
    entry.update({"goals_met": judged["goals_met"], "all_goals_met": judged["all_goals_met"],
                  "lines_missing_goals": judged["lines_missing_goals"], "worst_lines": judged["worst_lines"],
                  "goals": {"total": judged["total"], "lines": judged["lines"]},
                  "verified": verified(o)})
    if o.plan is not None:
        entry["plan"] = {"targets_met": o.plan.targets_met,        # as plan.json says it, by the plan's own targets
                         "verification_rounds": o.plan.verification_rounds,
                         "mip_gap": max((r.mip_gap for r in o.plan.rosters.values()), default=0.0)}
    if base is not None:
        entry["difference"] = differences(base, o)
    return entry


def write(d: Decision, out_dir: Path, lang: str = "en") -> tuple[dict, list[Path]]:
    """Every file of a decision; returns decision.json's content and the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = decision(d)
    written = [out_dir / n for n in FILES]
    files.write_text(written[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    rows = summary_rows(data)
    with files.atomic(written[1], newline="") as handle:
        csv.writer(handle).writerows(rows)
    line_table = line_rows(data)
    with files.atomic(written[2], newline="") as handle:
        csv.writer(handle).writerows(line_table)
    workbook(data, rows, line_table, written[3], lang)
    for fig, path in zip(charts(data, lang), written[4:6]):
        files.save_figure(fig, path)
    for o in d.options:
        written += plan_output.write_plan(o.plan, out_dir / plan_folder(o.scenario.name.removesuffix("-planned")),
                                          lang)
    if d.today is not None:
        written += simulate.write(d.today.run, out_dir / TODAY)
    return data, written


def plan_folder(name: str) -> str:
    """The folder, inside a decision's, of the plan of option ``name``."""
    return default_dir(name, prefix="plan-").name


def result_files(names: list[str]) -> list[str]:
    """Every file ``write`` may write for options ``names``, relative to its folder."""
    return [*FILES, *(f"{TODAY}/{name}" for name in simulate.FILES),
            *(f"{plan_folder(n)}/{name}" for n in names for name in plan_output.result_files())]


SUMMARY_HEADER = ["option", "staffing", "all_goals_met", "service_level", "service_level_ci95_low",
                  "service_level_ci95_high", "abandon_rate", "abandon_rate_ci95_low", "abandon_rate_ci95_high",
                  "resolved_share", "abandon_rate_end_to_end", "lines_missing_goals", "headcount",
                  "headcount_with_shrinkage", "hires", "seats", "agent_hours_per_week", "currency",
                  "cost_per_year", *(f"cost_{p}" for p in money.PARTS)]


def summary_rows(data: dict) -> list[list]:
    """decision.csv: one row per option (today first), figures as numbers, shares from 0 to 1."""
    rows = [SUMMARY_HEADER]
    for e in entries(data):
        total = e["verified"]["total"]
        rows.append([option_name(e, data), e["staffing"], e["all_goals_met"],
                     *_est(total["service_level"]), *_est(total["abandon_rate"]),
                     cell(total["resolved_share"]["mean"]), cell(total["abandon_rate_end_to_end"]["mean"]),
                     " ".join(e["lines_missing_goals"]), e["headcount"], e["headcount_with_shrinkage"],
                     e.get("hires", ""), e["seats"], e["agent_hours"], e["cost"]["currency"], e["cost"]["total"],
                     *(e["cost"]["parts"][p] for p in money.PARTS)])
    return rows


# the columns the Decision and Lines sheets derive from a figure, defined once for every figure
SUFFIXES = {
    "<figure>_ci95_low, <figure>_ci95_high": "the ends of the figure's 95% interval over the replications",
    "goals_met": "the line (or the city) meets every goal, judged on the mean of the replications",
    "<figure>_difference": "the option's figure minus the first option's, replication by replication on the same "
                           "callers (paired), then averaged; for shares, in shares (0.01 = one percentage point)",
}


LINE_HEADER = ["option", "line", *(f"{f}{x}" for f in JOURNEY for x in ("", "_ci95_low", "_ci95_high")),
               "goals_met", "service_level_difference", "abandon_rate_end_to_end_difference"]


def line_rows(data: dict) -> list[list]:
    """decision_lines.csv: per option and line, first queue and whole journey, goals, paired differences."""
    rows = [LINE_HEADER]
    for e in entries(data):
        for line, figures in e["verified"]["lines"].items():
            goals = e["goals"]["lines"][line]
            diff = e.get("difference", {}).get("lines", {}).get(line, {})
            rows.append([option_name(e, data), line, *(c for f in JOURNEY for c in _est(figures[f])),
                         all(g["met"] for g in goals.values()),
                         cell(diff["service_level"]["mean"]) if diff else "",
                         cell(diff["abandon_rate_end_to_end"]["mean"]) if diff else ""])
    return rows


def _est(e: dict) -> list[str]:
    return [cell(e["mean"]), *(cell(x) for x in e["ci95"])]


def workbook(data: dict, rows: list[list], line_table: list[list], path: Path, lang: str = "en") -> Path:
    """decision.xlsx: Decision, Lines, Cost and Assumptions sheets, numbers as numbers, shares as percent; in
    Chinese (``lang``), a manager's summary sheet in Chinese first (the other sheets keep their field names, which
    programs read)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets = [(text("sheet_summary", lang), _summary_in(data, lang))] if lang == "zh" else []
    sheets += [("Decision", rows), ("Lines", line_table), ("Cost", _cost_rows(data)),
              ("Assumptions", [["file", "assumption"]] + [[a["file"], a["text"]] for a in data["assumptions"]]),
              ("Definitions", [["field", "meaning"]] + [[k, v] for k, v in data["units"].items()]
               + [[f, f"{d['definition']} ({d['unit']})"] for f, d in data["definitions"].items()]
               + [[k, v] for k, v in SUFFIXES.items()])]
    for i, (title, table) in enumerate(sheets):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = title
        for r, row in enumerate(table):
            sheet.append([_number(x) for x in row])
            for c in sheet[sheet.max_row]:
                if c.data_type == "f":      # text that starts with '=' (a name): shown as written, never run
                    c.data_type = "s"
            if r == 0:
                for c in sheet[1]:
                    c.font = Font(bold=True)
        for column in sheet.columns:
            name = str(column[0].value or "")
            shares = (lang == "zh" and i == 0 and column[0].column in SUMMARY_SHARE_COLUMNS) or (
                any(w in name for w in ("service_level", "abandon_rate", "resolved_share")) and "seconds" not in name)
            if shares:
                for c in column[1:]:
                    c.number_format = "0.0%"
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, display_columns(name) + 2))
        sheet.freeze_panes = "B2"
    with files.atomic(path, binary=True) as handle:
        book.save(handle)
    return path


def _summary_in(data: dict, lang: str) -> list[list]:
    """The decision as the screen shows it, in ``lang``: one row per option, the figures' means as numbers."""
    out = [decision_header(data, lang) + [text("worst_lines", lang)]]
    for e in entries(data):
        t = e["verified"]["total"]
        out.append([option_name(e, data, lang), t["service_level"]["mean"], t["abandon_rate"]["mean"],
                    t["resolved_share"]["mean"], text("met" if e["all_goals_met"] else "missed", lang),
                    e["headcount"], e["headcount_with_shrinkage"], e.get("hires", ""), e["seats"], e["cost"]["total"],
                    ("、" if lang == "zh" else ", ").join(entry_line(e, line, lang) for line in e["worst_lines"][:3])])
    return out


SUMMARY_SHARE_COLUMNS = (2, 3, 4)      # the summary sheet's service level, abandon rate and resolved share


def _cost_rows(data: dict) -> list[list]:
    rows = [["option", "part", f"{data['currency']} per year", "definition"]]
    for e in entries(data):
        for p in money.PARTS:
            rows.append([option_name(e, data), p, e["cost"]["parts"][p], money.COST_UNITS[p]])
        rows.append([option_name(e, data), "total", e["cost"]["total"], money.COST_UNITS["total"]])
    return rows


def _number(x):
    """Spreadsheet cells: numbers as numbers, booleans as yes/no, the rest as text."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        return x
    try:
        return float(x) if x not in ("", None) else None
    except (TypeError, ValueError):
        return x


def charts(data: dict, lang: str = "en") -> list:
    """Yearly cost by part per option (stacked), and each line's service level per option."""
    from sim.output import plots

    rows = entries(data)
    names = [entry_name(e, lang) + (text("today_suffix", lang) if e is data["today"] else "") for e in rows]
    parts = {text(f"cost_{p}", lang): [e["cost"]["parts"][p] / 1e4 for e in rows] for p in money.PARTS}
    fig = plots.stacked_bars(names, parts, text("cost_axis", lang, currency=data["currency"]),
                             text("title_cost", lang), lang)
    base = data["options"][0]
    lines = list(base["verified"]["lines"])
    bars = {}
    for e, name in zip(rows, names):
        est = [e["verified"]["lines"].get(line, {}).get("service_level") for line in lines]
        bars[name] = tuple([np.nan if x is None or x["mean"] is None else (x["mean"] if j == 0 else x["ci95"][j - 1])
                            for x in est] for j in range(3))
    t = data["goals"]["threshold_seconds"]
    fig2 = plots.grouped_bars([entry_line(base, line, lang) for line in lines], bars, text("sl_axis", lang, t=t),
                              text("title_sl_line", lang), target=data["goals"]["service_level"], lang=lang)
    return [fig, fig2]
