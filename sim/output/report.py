"""The briefing: one self-contained HTML file from the folders `simulate`, `compare` and `plan` wrote.

Charts are drawn again from the numbers in those folders (so they carry the
briefing's language) and embedded as PNG data; the page loads nothing else.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

import numpy as np

from sim.errors import InputError, OptionError
from sim.input import clock
from sim.output.labels import text
from sim.output.results import comparison_charts, plan_charts, roster_bar_rows

CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Helvetica Neue",Arial,sans-serif;max-width:980px;
margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;border-bottom:3px solid #1b3a5c;padding-bottom:.3em}
h2{font-size:1.25em;margin-top:1.8em;color:#1b3a5c} h3{font-size:1.05em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #c8c8c8;padding:.3em .6em;text-align:right} th:first-child,td:first-child{text-align:left}
th{background:#eef2f6} figure{margin:1em 0} img{max-width:100%;height:auto;border:1px solid #e3e3e3}
figcaption{font-size:.9em;color:#444} .note{font-size:.88em;color:#444} pre{background:#f6f6f6;padding:.8em;
white-space:pre-wrap;font-size:.82em}
"""


# What each results file must hold for the briefing, and which command writes it (to redo it).
_JSON_KEYS = {"compare.json": ("scenarios", "threshold_seconds"),
              "plan.json": ("scenario", "headcount", "verified", "targets"),
              "summary.json": ("scenario", "total", "lines", "pools", "threshold_seconds", "targets")}
_WRITER = {"compare.json": "compare", "plan.json": "plan", "summary.json": "simulate"}


def kind_of(folder: Path) -> str:
    for name, kind in (("compare.json", "compare"), ("plan.json", "plan"), ("summary.json", "simulate")):
        if (folder / name).is_file():
            return kind
    raise OptionError(str(folder), "", "is not a results folder of simulate, compare or plan "
                      "(no summary.json, compare.json or plan.json in it)")


def build(folders: list[Path], lang: str = "en") -> str:
    """The briefing's HTML.  A results file that cannot be read is refused (OptionError naming it)."""
    kinds = [(Path(f), kind_of(Path(f))) for f in folders]
    parts = [f"<h1>{_e(text('briefing', lang))}</h1>",
             f"<h2>{_e(text('question', lang))}</h2><p>{_e(text('question_text', lang))}</p>"]
    sources = []
    threshold = 15.0
    for folder, kind in kinds:
        builder = {"compare": _compare, "plan": _plan, "simulate": _simulate}[kind]
        try:
            section, threshold, found = builder(folder, lang)
        except InputError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # valid JSON and CSV of the wrong shape: from another version, or edited by hand
            raise OptionError(str(folder), "", f"its results do not have the fields this version reads "
                              f"({type(exc).__name__}: {exc}); run `hotline {kind}` again to rewrite them") from None
        parts.append(section)
        sources += found
    parts.append(f"<h2>{_e(text('definitions', lang))}</h2><ul>"
                 + "".join(f"<li>{_e(text(k, lang, t=threshold))}</li>"
                           for k in ("def_sl", "def_ab", "def_asa", "def_pp", "ci_note")) + "</ul>")
    parts.append(f"<h2>{_e(text('assumptions', lang))}</h2>" + "".join(
        f"<h3>{_e(name)}</h3><pre>{_e(comments)}</pre>" for name, comments in sources))
    parts.append(f"<p class='note'>{_e(text('made_by', lang))}: {_e(', '.join(str(f) for f, _ in kinds))}</p>")
    return ("<!DOCTYPE html><html lang='" + ("zh-CN" if lang == "zh" else "en") + "'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{_e(text('briefing', lang))}"
            f"</title><style>{CSS}</style></head><body>" + "\n".join(parts) + "</body></html>\n")


def _load_json(path: Path) -> dict:
    """A results JSON file with the fields the briefing reads; OptionError naming the file otherwise."""
    redo = f"run `hotline {_WRITER[path.name]}` again to rewrite it"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OptionError(str(path), "", f"cannot be read ({exc.strerror}); {redo}") from None
    except UnicodeDecodeError:
        raise OptionError(str(path), "", f"is not UTF-8 text, so not a file this tool wrote; {redo}") from None
    except ValueError as exc:
        problem = "is empty" if not path.stat().st_size else f"is not valid JSON (cut short?): {exc}"
        raise OptionError(str(path), "", f"{problem}; {redo}") from None
    missing = [k for k in _JSON_KEYS[path.name] if not isinstance(data, dict) or k not in data]
    if missing:
        raise OptionError(str(path), "", f"lacks {', '.join(missing)}: not a {path.name} this version wrote; {redo}")
    return data


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a results CSV file that has ``columns``; OptionError naming the file otherwise."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise OptionError(str(path), "", f"lacks the columns {', '.join(missing)}; run the command that "
                                  "wrote its folder again")
            return list(reader)
    except OSError as exc:
        raise OptionError(str(path), "", f"cannot be read ({exc.strerror}); run the command that wrote its folder "
                          "again") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise OptionError(str(path), "", f"is not a CSV file this tool wrote ({exc}); run the command that wrote "
                          "its folder again") from None


def _e(value) -> str:
    return html.escape(str(value))


def _figure(fig, caption: str) -> str:
    import matplotlib.pyplot as plt  # here, not at the top: a refusal should not wait for matplotlib

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _estimate(entry: dict | None, percent: bool = False, signed: bool = False) -> str:
    if not entry or entry.get("mean") is None:
        return "–"
    scale, unit = (100.0, " %" if not signed else " pp") if percent else (1.0, "")
    mean = scale * entry["mean"]
    text_ = f"{mean:+,.1f}" if signed else f"{mean:,.1f}"
    low, high = entry["ci95"]
    if low is not None and high is not None:
        text_ += f" ± {scale * (high - low) / 2:,.1f}"
    return text_ + unit


def _table(header: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def _comments(path: Path) -> str | None:
    """The comment lines of a scenario file: where its figures come from."""
    if not path.is_file():
        return None
    lines = [l[1:].strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip().startswith("#")]
    return "\n".join(lines) or None


COLUMNS = [("staffed_seats", False), ("service_level", True), ("abandon_rate", True), ("asa_seconds", False),
           ("transferred", False), ("outbound_share", True)]


def _compare(folder: Path, lang: str):
    data = _load_json(folder / "compare.json")
    header = [text("scenario", lang)] + [text(f if f != "staffed_seats" else "seats", lang) for f, _ in COLUMNS]
    rows = [[e["scenario"]] + [_estimate(e["total"].get(f), p) for f, p in COLUMNS] for e in data["scenarios"]]
    diffs = [[e["scenario"]] + [_estimate(e["difference"].get(f), p, signed=True) for f, p in COLUMNS]
             for e in data["scenarios"][1:]]
    target = _target(folder, data)
    figs = comparison_charts(data, target, lang)
    html_ = [f"<h2>{_e(text('scenarios', lang))}</h2>", _table(header, rows), f"<p class='note'>{_e(text('ci_note', lang))}</p>"]
    if diffs:
        html_ += [f"<h3>{_e(text('differences', lang))}</h3>", _table(header, diffs)]
    html_ += [f"<h3>{_e(text('charts', lang))}</h3>", _figure(figs[0], text("title_sl_hour", lang)),
              _figure(figs[1], text("title_sl_line", lang))]
    sources = []
    for e in data["scenarios"]:
        for candidate in (folder / e["scenario"] / "scenario.yaml", Path(e.get("source", ""))):
            comments = _comments(candidate)
            if comments:
                sources.append((e["scenario"], comments))
                break
    return "\n".join(html_), data["threshold_seconds"], sources


def _target(folder: Path, data: dict) -> float:
    for e in data["scenarios"]:
        summary = folder / e["scenario"] / "summary.json"
        if summary.is_file():
            return _load_json(summary)["targets"]["service_level"]
    return 0.8


def _plan(folder: Path, lang: str):
    data = _load_json(folder / "plan.json")
    keys = ["headcount", "headcount_with_shrinkage", "plan_seats", "agent_hours", "cost"]
    values = [data["headcount"], data["headcount_with_shrinkage"], data["seats"], f"{data['agent_hours']:,.0f}",
              f"{data['cost']:,.0f}"]
    rows = [[text(k, lang), str(v)] for k, v in zip(keys, values)]
    rows.append([text("targets_met", lang), text("yes" if data["targets_met"] else "no", lang)])
    v = data["verified"]["total"]
    rows += [[text("service_level", lang), _estimate(v["service_level"], True)],
             [text("abandon_rate", lang), _estimate(v["abandon_rate"], True)],
             [text("asa_seconds", lang), _estimate(v["asa_seconds"])]]
    per_pool, interval_minutes = _requirements(folder / "requirements.csv")
    figs = plan_charts(per_pool, _roster(folder / "roster.csv"), interval_minutes, lang)
    html_ = [f"<h2>{_e(text('plan', lang))}: {_e(data['scenario'])}</h2>", _table(["", ""], rows),
             _figure(figs[0], text("title_requirements", lang)), _figure(figs[1], text("title_heatmap", lang)),
             _figure(figs[2], text("title_roster", lang))]
    comments = _comments(folder / "verified" / "scenario.yaml")
    return "\n".join(html_), data["targets"]["threshold_seconds"], [(data["scenario"], comments)] if comments else []


def _requirements(path: Path) -> tuple[dict, int]:
    rows = _csv_rows(path, ("pool", "analytic_agents", "simulation_corrected_agents", "scheduled_agents"))
    per_pool: dict[str, dict[str, list]] = {}
    for r in rows:
        entry = per_pool.setdefault(r["pool"], {"analytic": [], "corrected": [], "scheduled": []})
        entry["analytic"].append(int(r["analytic_agents"]))
        entry["corrected"].append(int(r["simulation_corrected_agents"]))
        entry["scheduled"].append(int(r["scheduled_agents"]))
    n = len(next(iter(per_pool.values()))["analytic"])
    return ({k: {name: np.asarray(v) for name, v in e.items()} for k, e in per_pool.items()},
            clock.MINUTES_PER_WEEK // n)


def _roster(path: Path) -> list[tuple]:
    rows = []
    for r in _csv_rows(path, ("pool", "shift", "start", "weekdays", "agents", "paid_hours_per_agent_per_week")):
        days = len(r["weekdays"].split())
        h, m = map(int, r["start"].split(":"))
        rows.append((r["pool"], r["shift"], h * 60 + m, days, float(r["paid_hours_per_agent_per_week"]) / days,
                     int(r["agents"])))
    return roster_bar_rows(rows)


def _simulate(folder: Path, lang: str):
    data = _load_json(folder / "summary.json")
    header = [text("scope", lang), text("offered", lang), text("service_level", lang), text("abandon_rate", lang),
              text("asa_seconds", lang)]
    scopes = [("total", data["total"])] + list(data["lines"].items()) + list(data["pools"].items())
    rows = [[name, _estimate(f.get("offered")), _estimate(f.get("service_level"), True),
             _estimate(f.get("abandon_rate"), True), _estimate(f.get("asa_seconds"))] for name, f in scopes]
    hours, mean, low, high = _by_hour(folder / "intervals.csv")
    from sim.output import plots

    fig = plots.by_hour_of_week({data["scenario"]: (hours + 0.5, mean, low, high)},
                                text("sl_axis", lang, t=data["threshold_seconds"]), text("title_sl_hour", lang),
                                target=data["targets"]["service_level"], lang=lang)
    html_ = [f"<h2>{_e(text('simulation', lang))}: {_e(data['scenario'])}</h2>", _table(header, rows),
             f"<p class='note'>{_e(text('ci_note', lang))}</p>", _figure(fig, text("title_sl_hour", lang))]
    comments = _comments(folder / "scenario.yaml")
    return "\n".join(html_), data["threshold_seconds"], [(data["scenario"], comments)] if comments else []


def _by_hour(path: Path):
    """Service level per hour of the week from intervals.csv (total scope), pooling the intervals of an hour."""
    columns = ("scope", "weekday", "time", "offered", "service_level", "service_level_ci95_low",
               "service_level_ci95_high")
    rows = [r for r in _csv_rows(path, columns) if r["scope"] == "total"]
    days = text("weekdays", "en")
    sums: dict[int, list] = {}
    for r in rows:
        hour = days.index(r["weekday"]) * 24 + int(r["time"][:2])
        offered = float(r["offered"] or 0)
        entry = sums.setdefault(hour, [0.0, 0.0, 0.0, 0.0])
        for i, key in enumerate(("service_level", "service_level_ci95_low", "service_level_ci95_high")):
            entry[i] += offered * float(r[key] or "nan") if offered else 0.0
        entry[3] += offered
    hours = np.array(sorted(sums))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = [np.array([sums[h][i] / sums[h][3] if sums[h][3] else np.nan for h in hours]) for i in range(3)]
    return hours, *values
