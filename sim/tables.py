"""Plain-text tables of results for the terminal."""

from __future__ import annotations

import math

from .stats import FIGURES

# (figure, column heading, how to show it)
SHORT = [
    ("offered", "offered calls", "count"),
    ("service_level", "SL", "percent"),
    ("abandon_rate", "abandoned", "percent"),
    ("asa_seconds", "ASA s", "seconds"),
    ("mean_wait_seconds", "wait s", "seconds"),
    ("wait_p90_seconds", "p90 wait s", "seconds"),
    ("occupancy", "occupancy", "percent"),
]


def _fmt(value, how: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if how == "percent":
        return f"{100 * value:.1f}%"
    if how == "count":
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _cell(entry: dict | None, how: str) -> str:
    if not entry or entry["mean"] is None:
        return "-"
    text = _fmt(entry["mean"], how)
    low, high = entry["ci95"]
    if low is not None and high is not None:
        half = (high - low) / 2
        text += f" ±{_fmt(half, how).rstrip('%')}"
    return text


def summary_table(summary: dict) -> str:
    """Total, lines and pools of a summary.json mapping, mean ± 95% half-width."""
    rows = [("total", "all", summary["total"])]
    rows += [("line", k, v) for k, v in summary["lines"].items()]
    rows += [("pool", k, v) for k, v in summary["pools"].items()]
    header = ["scope", "id"] + [h for _, h, _ in SHORT]
    body = [[kind, ident] + [_cell(figs.get(f), how) for f, _, how in SHORT] for kind, ident, figs in rows]
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [header] + body]
    t = summary["threshold_seconds"]
    notes = [
        f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}; "
        f"mean ± half-width of the 95% interval over replications.",
        f"offered calls per replication; SL = answered within {t:g} s / offered; "
        f"abandoned = {FIGURES['abandon_rate'][1]}; ASA = {FIGURES['asa_seconds'][1]};",
        f"wait = {FIGURES['mean_wait_seconds'][1]}; occupancy = {FIGURES['occupancy'][1]}.",
    ]
    return "\n".join([notes[0], *lines, *notes[1:]])
