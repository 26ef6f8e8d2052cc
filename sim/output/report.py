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
import math
import os
from pathlib import Path
from typing import Iterable

import numpy as np

from sim import files
from sim.errors import InputError, OptionError
from sim.input import clock, limits
from sim.output import compare as compare_files
from sim.output import decide as decide_files
from sim.output import plan as plan_files
from sim.output.folders import default_dir, resolved
from sim.output import simulate as simulate_files
from sim.output.labels import entry_line, entry_name, text
from sim.output.tables import entries, lopsided
from sim.results.figures import HEADLINE, shown_as, table

# in the head of every briefing: `report --out` writes over a briefing, never over a page someone else made
GENERATOR = "<meta name='generator' content='hotline-sim report'>"
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
.decision{border:2px solid #1b3a5c;padding:.4em 1em .8em;margin:1em 0;background:#fbfcfe}
.decision h2{margin-top:.4em} .decision td{white-space:nowrap} .decision td:last-child{white-space:normal;text-align:left} .met{color:#17612e;font-weight:bold} .missed{color:#a01818;font-weight:bold}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;font-size:10pt} h1{margin-top:0}
table,figure,img,.decision,pre{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid;page-break-after:avoid} img{max-height:120mm}}
"""


# What each results file must hold for the briefing, and which command writes it (to redo it).
NUMBER = (int, float)
# The JSON files of a results folder are a few hundred kB (2 MB for a scenario of 400 pools);
# a larger one was not written by the tool, and reading it whole could take the machine's memory
RESULT_JSON_BYTES = 64_000_000
_JSON_KEYS = {"decision.json": {"options": list, "goals": dict, "replications": int, "currency": str},
              "compare.json": {"scenarios": list, "threshold_seconds": NUMBER, "targets": dict},
              "plan.json": {"scenario": str, "headcount": int, "verified": dict, "targets": dict},
              "summary.json": {"scenario": str, "total": dict, "lines": dict, "pools": dict,
                               "threshold_seconds": NUMBER, "targets": dict}}
_WRITER = {"decision.json": "decide", "compare.json": "compare", "plan.json": "plan", "summary.json": "simulate"}


def kind_of(folder: Path) -> str:
    for kind, name in RESULTS_FILE.items():
        if (folder / name).is_file():
            return kind
        _not_special(folder / name, kind)
    for kind, name in RESULTS_FILE.items():     # there, but no file: say so, not "no summary.json in it"
        path = folder / name
        if path.is_symlink() and not path.exists():
            raise OptionError(str(path), "", f"is a link to {os.readlink(path)}, which does not exist; run "
                              f"`hotline {kind}` again to rewrite it")
        if path.is_dir():
            raise OptionError(str(path), "", f"is a folder where `hotline {kind}` writes a file; run `hotline "
                              f"{kind}` again to rewrite it")
    raise OptionError(str(folder), "", "is not a results folder of simulate, compare, plan or decide "
                      "(no summary.json, compare.json, plan.json or decision.json in it)")


# each command's main results file, in the order a folder is recognised by
RESULTS_FILE = {"decide": "decision.json", "compare": "compare.json", "plan": "plan.json", "simulate": "summary.json"}


def build(folders: list[Path], lang: str = "en", changed: Iterable[Path] = ()) -> str:
    """The briefing's HTML.  A results file that cannot be read is refused (OptionError naming it).  ``changed``:
    files no longer as their command wrote them (``folders.changed_since_written``); assumptions read from one
    of them say so, as they may belong to another run."""
    kinds = [(Path(f), kind_of(Path(f))) for f in folders]
    kinds.sort(key=lambda item: item[1] != "decide")        # the decision first: it answers the question
    parts = [f"<h1>{_e(text('briefing', lang))}</h1>",
             f"<h2>{_e(text('question', lang))}</h2><p>{_e(text('question_text', lang))}</p>"]
    sources = []
    threshold = 15.0
    for folder, kind in kinds:
        builder = {"decide": _decide, "compare": _compare, "plan": _plan, "simulate": _simulate}[kind]
        try:
            section, threshold, found = builder(folder, lang)
            if type(threshold) not in (int, float) or not 0 <= float(threshold) < math.inf:
                raise ValueError("threshold_seconds")          # named in the definitions below
        except InputError:
            raise
        except _Impossible as exc:
            raise OptionError(str(folder / RESULTS_FILE[kind]), "", f"holds {exc}, which no run writes: edited by "
                              f"hand? run `hotline {kind}` again to rewrite it") from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            # valid JSON and CSV of the wrong shape: from another version, or edited by hand
            missing = f" (no field {exc.args[0]!r} where one was expected)" if isinstance(exc, KeyError) else ""
            raise OptionError(str(folder / RESULTS_FILE[kind]), "", f"does not have the fields this version reads"
                              f"{missing}: edited by hand, or written by another version; run `hotline {kind}` "
                              "again to rewrite it") from None
        parts.append(section)
        sources += found
    parts.append(f"<h2>{_e(text('definitions', lang))}</h2><ul>"
                 + "".join(f"<li>{_e(text(k, lang, t=threshold))}</li>"
                           for k in ("def_sl", "def_ab", "def_asa", "def_pp", "ci_note")) + "</ul>")
    changed = {resolved(p) for p in changed}
    unique: dict[tuple[str, str], bool] = {}        # options sharing a base file share its assumptions
    for name, comments, path in sources:
        unique[(name, comments)] = unique.get((name, comments), False) or (path is not None
                                                                            and resolved(path) in changed)
    parts.append(f"<h2>{_e(text('assumptions', lang))}</h2>" + "".join(
        f"<h3>{_e(name)}</h3>" + (f"<p class='note'>{_e(text('assumptions_changed', lang))}</p>" if moved else "")
        + f"<pre>{_e(comments)}</pre>" for (name, comments), moved in unique.items()))
    parts.append(f"<p class='note'>{_e(text('made_by', lang))}{_colon(lang)}{_e(', '.join(str(f) for f, _ in kinds))}</p>")
    return ("<!DOCTYPE html><html lang='" + ("zh-CN" if lang == "zh" else "en") + "'><head><meta charset='utf-8'>"
            + GENERATOR + f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{_e(text('briefing', lang))}"
            f"</title><style>{CSS}</style></head><body>" + "\n".join(parts) + "</body></html>\n")


def _not_special(path: Path, writer: str):
    """Refuse a results file that is a pipe, socket or device: reading one would wait forever or never end."""
    if files.is_special(path):
        raise OptionError(str(path), "", f"is a pipe, socket or device, not the file `hotline {writer}` writes; "
                          f"run `hotline {writer}` again to rewrite it")


def _not_huge(path: Path, max_bytes: int, redo: str):
    """Refuse a file larger than any this tool writes there, before it is read into memory."""
    try:
        size = path.stat().st_size
    except OSError:
        return                          # the reader says what is wrong with it
    if size > max_bytes:
        raise OptionError(str(path), "", f"is {size / 1e6:,.0f} MB, larger than any file this tool writes there "
                          f"(at most {max_bytes / 1e6:g} MB); {redo}")


def _load_json(path: Path) -> dict:
    """A results JSON file with the fields the briefing reads; OptionError naming the file otherwise."""
    redo = f"run `hotline {_WRITER[path.name]}` again to rewrite it"
    _not_special(path, _WRITER[path.name])
    _not_huge(path, RESULT_JSON_BYTES, redo)
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_a_number)
    except _Impossible as exc:
        raise OptionError(str(path), "", f"holds {exc}, a number this tool never writes; {redo}") from None
    except OSError as exc:
        raise OptionError(str(path), "", f"cannot be read ({exc.strerror}); {redo}") from None
    except UnicodeDecodeError:
        raise OptionError(str(path), "", f"is not UTF-8 text, so not a file this tool wrote; {redo}") from None
    except RecursionError:
        raise OptionError(str(path), "", f"is nested far deeper than any file this tool writes; {redo}") from None
    except ValueError as exc:
        problem = "is empty" if not path.stat().st_size else f"is not valid JSON (cut short?): {exc}"
        raise OptionError(str(path), "", f"{problem}; {redo}") from None
    wrong = [k for k, kind in _JSON_KEYS[path.name].items()
             if not isinstance(data, dict) or not isinstance(data.get(k), kind) or isinstance(data.get(k), bool)]
    if wrong:
        raise OptionError(str(path), "", f"lacks {', '.join(wrong)} (or holds something else there): not a "
                          f"{path.name} this version wrote; {redo}")
    return data


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a results CSV file that has ``columns``; OptionError naming the file otherwise."""
    _not_special(path, "plan")
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


class _Impossible(ValueError):
    """A value no run of this tool writes (a hand edit): the briefing refuses the file, naming it."""


def _not_a_number(token: str):
    raise _Impossible(token)            # NaN or Infinity: valid to Python's json, never written by this tool


def _amount(value, what: str, whole: bool = False):
    """``value`` when it is a finite number at or above 0 (an int with ``whole``); else the file is refused."""
    kinds = (int,) if whole else (int, float)
    if type(value) not in kinds or not 0 <= value < math.inf:
        raise _Impossible(f"{what} {value!r}")
    return value


def _estimate(entry: dict | None, percent: bool = False, signed: bool = False) -> str:
    """``mean ± half-width`` of an estimate (``Estimate.to_json``): a share in %, a difference signed.  A share
    outside 0-100% or a negative count or wait is refused: a hand edit, not a run's."""
    if not entry or entry.get("mean") is None:
        return "–"
    low, high = entry["ci95"]
    if not signed:
        for value in (entry["mean"], low, high):
            if value is not None and (type(value) not in (int, float) or not 0 <= value <= (1 if percent else math.inf)):
                raise _Impossible(f"{'a share' if percent else 'a figure'} of {value!r}, outside "
                                  f"{'0 to 1' if percent else '0 and above'}")
    scale, unit = (100.0, " %" if not signed else " pp") if percent else (1.0, "")
    mean = scale * entry["mean"]
    text_ = f"{mean:+,.1f}" if signed else f"{mean:,.1f}"
    if low is not None and high is not None and lopsided(entry["mean"], low, high):
        return f"{text_}{unit} [{scale * low:,.1f}–{scale * high:,.1f}]"   # "98.3 ± 8.2 %" would pass 100%
    if low is not None and high is not None:
        text_ += f" ± {scale * (high - low) / 2:,.1f}"
    return text_ + unit


def _table(header: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def _assumptions(name: str, path: Path) -> list[tuple[str, str, Path]]:
    """``(name, comments, path)`` of a scenario copy that has comments, else nothing."""
    comments = _comments(path)
    return [(name, comments, path)] if comments else []


def _comments(path: Path) -> str | None:
    """The comment lines of a scenario file: where its figures come from."""
    if not path.is_file():
        return None
    _not_huge(path, limits.SCENARIO_FILE_BYTES, "run the command that wrote its folder again")
    try:
        body = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = "is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"cannot be read ({exc.strerror})"
        raise OptionError(str(path), "", f"{why}, so not the scenario copy this tool wrote; run the command "
                          "that wrote its folder again") from None
    lines = [l[1:].strip() for l in body.splitlines() if l.strip().startswith("#")]
    return "\n".join(lines) or None


COLUMNS = [(f, shown_as(f) == "percent") for f in HEADLINE]


def _compare(folder: Path, lang: str):
    data = _load_json(folder / "compare.json")
    if not isinstance(data["scenarios"], list) or len(data["scenarios"]) < 2:
        raise ValueError("scenarios")         # compare writes two or more: the charts would be empty
    header = [text("scenario", lang)] + [text("sl_t", lang, t=data["threshold_seconds"]) if f == "service_level"
                                         else text(f, lang) for f, _ in COLUMNS]
    # each scenario by its label in the language asked for, as its journey table below shows it
    rows = [[entry_name(e, lang)] + [_estimate(e["total"].get(f), p) for f, p in COLUMNS]
            for e in data["scenarios"]]
    diffs = [[entry_name(e, lang)] + [_estimate(e["difference"].get(f), p, signed=True) for f, p in COLUMNS]
             for e in data["scenarios"][1:]]
    figs = compare_files.charts(data, lang)
    html_ = [f"<h2>{_e(text('scenarios', lang))}</h2>", _table(header, rows), f"<p class='note'>{_e(text('ci_note', lang))}</p>"]
    if diffs:
        html_ += [f"<h3>{_e(text('differences', lang))}</h3>", _table(header, diffs)]
    html_ += [f"<h3>{_e(text('charts', lang))}</h3>", _figure(figs[0], text("title_sl_hour", lang)),
              _figure(figs[1], text("title_sl_line", lang))]
    html_.append(f"<h2>{_e(text('journey', lang))}</h2>")
    for e in data["scenarios"]:
        html_ += _journey(entry_name(e, lang), e["lines"], lambda line, e=e: entry_line(
            e, line, lang), data["threshold_seconds"], lang)
    html_.append(f"<p class='note'>{_e(text('journey_note', lang))}; {_e(text('ci_note', lang))}</p>")
    sources = []
    for e in data["scenarios"]:
        # the scenario's copy in this folder only: compare.json also names the file it was read from, but that
        # may have changed or moved since, and a briefing reads nothing a results folder does not hold
        sources += _assumptions(e["scenario"], folder / default_dir(e["scenario"]).name / "scenario.yaml")
    return "\n".join(html_), data["threshold_seconds"], sources


def _decide(folder: Path, lang: str):
    """The decision box (each option's goals, people, workstations, cost, worst lines), then the charts and
    each line's journey: what a manager reads first."""
    data = _load_json(folder / "decision.json")
    if not isinstance(data["options"], list) or not data["options"]:
        raise ValueError("options")           # decide writes one or more
    g = data["goals"]
    t = g["threshold_seconds"]
    rows = []
    for e in entries(data):
        name = entry_name(e, lang) + (text("today_suffix", lang) if e is data["today"] else "")
        total = e["goals"]["total"]
        # a goal is met for the city and every line it answers (``goals_met``), as decide judges it: the city's
        # figure beside the mark, the lines that miss among the worst
        met = e.get("goals_met", {})
        # furthest below a goal first (``worst_lines``, by margin), not the first of those that miss by name
        worst = [entry_line(e, line, lang) for line in e["worst_lines"]]
        rows.append([name, _mark(total["service_level"], lang, met.get("service_level")),
                     _mark(total["abandon_rate"], lang, met.get("abandon_rate")),
                     f"{_amount(e['headcount'], 'a headcount of', whole=True):,}",
                     f"{_amount(e['headcount_with_shrinkage'], 'a headcount of', whole=True):,}",
                     f"{e['hires']:+,}" if "hires" in e else "–",
                     f"{_amount(e['seats'], 'a number of seats of', whole=True):,}",
                     f"{_amount(e['cost']['total'], 'a cost of') / 1e4:,.0f}", _list(worst[:3], lang)])
    header = [text("option", lang), text("sl_t", lang, t=t), text("abandon_rate", lang), text("agents_people", lang),
              text("to_employ", lang), text("hires", lang), text("seats_short", lang),
              text("cost_year", lang, currency=data["currency"]), text("worst_lines", lang)]
    intro = text("decision_intro", lang, sl=g["service_level"], ab=g["max_abandon_rate"], t=t,
                 reps=data["replications"], seed=data["seed"])
    box = (f"<section class='decision'><h2>{_e(text('decision', lang))}</h2><p>{_e(intro)}</p>"
           + _table(header, rows).replace("✓", "<span class='met'>✓</span>").replace("✗", "<span class='missed'>✗</span>")
           + f"<p class='note'>{_e(text('cost_note', lang, currency=data['currency'], shrink=data['shrinkage']))}"
           + (f"{_semicolon(lang)}{_e(text('verified_on', lang))}{_e(data['verified_on'])}"
              if "logged" in data.get("verified_on", "")
              else "")
           + (f"{_semicolon(lang)}{_e(text('verified_span', lang))}{_colon(lang)}{_e(span)}"
              if (span := _span(data, lang)) else "")
           + "</p></section>")
    figs = decide_files.charts(data, lang)
    html_ = [box, _figure(figs[0], text("title_cost", lang)), _figure(figs[1], text("title_sl_line", lang))]
    html_.append(f"<h2>{_e(text('journey', lang))}</h2>")
    for e in entries(data):
        name = entry_name(e, lang) + (text("today_suffix", lang) if e is data["today"] else "")
        html_ += _journey(name, e["verified"]["lines"], lambda line, e=e: entry_line(e, line, lang),
                          t, lang)
    html_.append(f"<p class='note'>{_e(text('journey_note', lang))}; {_e(text('ci_note', lang))}</p>")
    # the figures' own file holds them: they are the figures' assumptions, whatever became of the scenario copies
    sources = [(a["file"], a["text"], None) for a in data["assumptions"]]
    return "\n".join(html_), t, sources


JOURNEY_COLUMNS = ("service_level", "abandon_rate", "resolved_share", "abandon_rate_end_to_end",
                   "time_to_resolver_seconds")


def _journey(name: str, lines: dict, display, threshold: float, lang: str) -> list[str]:
    """One option's lines: first queue and the whole journey (a transfer hang-up counts as lost)."""
    body = [[display(line)] + [_estimate(f.get(c), c != "time_to_resolver_seconds") for c in JOURNEY_COLUMNS]
            for line, f in lines.items()]
    header = [text("line", lang)] + [text("sl_t", lang, t=threshold) if c == "service_level" else text(c, lang)
                                     for c in JOURNEY_COLUMNS]
    return [f"<h3>{_e(name)}</h3>", _table(header, body)]


def _mark(goal: dict, lang: str, met: bool | None = None) -> str:
    """✓ or ✗ and the figure: "✓ 96.5 %"; ``met`` (the goal met for the city and every line) overrides the
    figure's own judgement."""
    mean = goal.get("mean")
    if mean is not None and (type(mean) not in (int, float) or not 0 <= mean <= 1):
        raise _Impossible(f"a share of {mean!r}, outside 0 to 1")
    value = "–" if mean is None else f"{100 * mean:.1f}%"
    return f"{'✓' if (goal['met'] if met is None else met) else '✗'} {value}"


def _span(data: dict, lang: str) -> str | None:
    """The hours of the week a plan's verification simulated, in words (``verified_span`` of plan.json or
    decision.json); None for a file written before it was kept, which says nothing about them."""
    if "verified_span" not in data:
        return None
    span = data["verified_span"]
    hours, whole, start = span["hours"], span["whole_week"], clock.parse_clock(span["from"])
    if not (isinstance(whole, bool) and type(hours) in (int, float) and 0 < hours < math.inf
            and start is not None and start[0] is not None):
        raise ValueError("verified_span")
    if whole:
        return text("whole_week", lang)
    day, minute = start
    return text("part_of_week", lang, hours=hours,
                start=f"{text('weekdays', lang)[day]} {minute // 60:02d}:{minute % 60:02d}")


def _colon(lang: str) -> str:
    """A heading's colon: full width in Chinese."""
    return "：" if lang == "zh" else ": "


def _semicolon(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _list(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _plan(folder: Path, lang: str):
    data = _load_json(folder / "plan.json")
    keys = ["headcount", "headcount_with_shrinkage", "plan_seats", "agent_hours", "cost"]
    values = [_amount(data["headcount"], "a headcount of", whole=True),
              _amount(data["headcount_with_shrinkage"], "a headcount of", whole=True),
              _amount(data["seats"], "a number of seats of", whole=True),
              f"{_amount(data['agent_hours'], 'agent-hours of'):,.0f}",
              f"{_amount(data['cost']['total'], 'a cost of'):,.0f} {data['cost']['currency']}"]
    rows = [[text(k, lang), str(v)] for k, v in zip(keys, values)]
    g = data["targets"]
    # what "every target met" and "after shrinkage" stand for, beside them
    goals = text("goals_text", lang, sl=g["service_level"], t=g["threshold_seconds"], ab=g["max_abandon_rate"])
    rows.append([text("plan_goals", lang), text("plan_goals_text", lang, goals=goals, shrink=data["shrinkage"],
                                                 per=text(f"per_{g['kind']}", lang))])
    rows.append([text("targets_met", lang), text("yes" if data["targets_met"] else "no", lang)])
    span = _span(data, lang)
    if span is not None:
        rows.append([text("verified_span", lang), span])
    v = data["verified"]["total"]
    rows += [[text("sl_t", lang, t=g["threshold_seconds"]), _estimate(v["service_level"], True)],
             [text("abandon_rate", lang), _estimate(v["abandon_rate"], True)],
             [text("asa_seconds", lang), _estimate(v["asa_seconds"])]]
    per_pool, interval_minutes = _requirements(folder / "requirements.csv")
    names = pool_names(data, per_pool, lang)
    figs = plan_files.plan_charts({names[p]: v for p, v in per_pool.items()},
                                  _roster(folder / "roster.csv", lang, names), interval_minutes, lang)
    html_ = [f"<h2>{_e(text('plan', lang))}{_colon(lang)}{_e(entry_name(data, lang))}</h2>", _table(["", ""], rows),
             _figure(figs[0], text("title_requirements", lang)), _figure(figs[1], text("title_heatmap", lang)),
             _figure(figs[2], text("title_roster", lang))]
    return ("\n".join(html_), data["targets"]["threshold_seconds"],
            _assumptions(data["scenario"], folder / "verified" / "scenario.yaml"))


def pool_names(data: dict, pools, lang: str) -> dict[str, str]:
    """A plan's pools as people read them (plan.json's labels), else by their ids."""
    return {p: entry_line(data, p, lang, kind="pool") for p in pools}


def _requirements(path: Path) -> tuple[dict, int]:
    rows = _csv_rows(path, ("pool", "analytic_agents", "simulation_corrected_agents", "scheduled_agents"))
    per_pool: dict[str, dict[str, list]] = {}
    for number, r in enumerate(rows, start=2):
        entry = per_pool.setdefault(r["pool"], {"analytic": [], "corrected": [], "scheduled": []})
        for name, column in (("analytic", "analytic_agents"), ("corrected", "simulation_corrected_agents"),
                             ("scheduled", "scheduled_agents")):
            entry[name].append(_cell(path, number, column, r[column], int, lambda v: 0 <= v <= MAX_AGENTS))
    lengths = {len(e["analytic"]) for e in per_pool.values()}
    if len(lengths) != 1 or clock.MINUTES_PER_WEEK % lengths.pop():
        raise _not_written(path, "does not hold the intervals of one week for every pool")
    n = len(next(iter(per_pool.values()))["analytic"])
    return ({k: {name: np.asarray(v) for name, v in e.items()} for k, e in per_pool.items()},
            clock.MINUTES_PER_WEEK // n)


def _roster(path: Path, lang: str, names: dict[str, str] | None = None) -> list[tuple]:
    rows = []
    for number, r in enumerate(_csv_rows(path, ("pool", "shift", "start", "weekdays", "agents",
                                                "paid_hours_per_agent_per_week")), start=2):
        days = len(_cell(path, number, "weekdays", r["weekdays"], str.split,
                         lambda v: 1 <= len(v) <= clock.DAYS_PER_WEEK))
        start = _cell(path, number, "start", r["start"], clock.parse_clock,
                      lambda v: v is not None and v[0] is None)[1]          # (weekday, minute): a clock time only
        hours = _cell(path, number, "paid_hours_per_agent_per_week", r["paid_hours_per_agent_per_week"], float,
                      lambda v: 0 <= v <= clock.MINUTES_PER_WEEK / 60)
        rows.append((r["pool"], r["shift"], start, days, hours / days,
                     _cell(path, number, "agents", r["agents"], int, lambda v: 0 <= v <= MAX_AGENTS)))
    return plan_files.roster_bar_rows(rows, lang, names)


MAX_AGENTS = 10 ** 6         # far beyond any pool: a larger count in a results file was not written by the tool


def _not_written(path: Path, problem: str) -> OptionError:
    return OptionError(str(path), "", f"{problem}, so it is not as `hotline plan` wrote it; run `hotline plan` "
                       "again to rewrite it")


def _cell(path: Path, line: int, column: str, value: str, read, valid):
    """One cell of a plan's CSV file, read and checked; OptionError naming the file, line and column otherwise."""
    try:
        parsed = read(value)
        ok = valid(parsed)
    except (ValueError, TypeError, OverflowError, AttributeError):
        ok = False
    if not ok:
        raise _not_written(path, f"line {line}, column {column}: {value!r} is not a value it holds")
    return parsed


def service_level_by_hour(folder: Path) -> dict[str, tuple]:
    """Per scenario of a results folder: (hours of the week, mean, low, high) of the service level, as charted.

    From compare.json for a compare folder, from the run's sums for a simulate folder: the same
    function computed both (``sim.results.figures.table`` at the ``hour_of_week`` grain).
    """
    if kind_of(folder) == "compare":
        data = _load_json(folder / "compare.json")
        return {e["scenario"]: (np.asarray(e["service_level_by_hour"]["hours"], dtype=float),
                                *(np.array(e["service_level_by_hour"][k], dtype=float) for k in ("mean", "low", "high")))
                for e in data["scenarios"]}
    run = _load_run(folder)
    e = table(run, "hour_of_week").estimate("service_level")
    return {run.layout.name: (np.arange(len(e.mean), dtype=float), e.mean, e.low, e.high)}


def _load_run(folder: Path):
    path = folder / simulate_files.RUN_FILE
    _not_special(path, "simulate")
    try:
        return simulate_files.load(path)
    except FileNotFoundError:
        raise InputError(str(path), "", "is missing (written by an older hotline-sim?); run `hotline simulate` "
                         "again to write it") from None
    except Exception as exc:      # noqa: BLE001 - a damaged archive fails in many ways; each is one message
        raise InputError(str(path), "", f"cannot be read ({exc}); run `hotline simulate` again to rewrite it") \
            from None


SAME_RUN_FIGURES = ("offered", "service_level", "abandon_rate")
SAME_RUN_TOLERANCE = 1e-6      # summary.json keeps ten digits


def _same_run(folder: Path, data: dict, run) -> None:
    """Refuse (InputError) a folder whose summary.json and run.npz come from two runs (one copied in by hand): the
    briefing takes its figures from one and its names from the other."""
    try:
        with np.errstate(all="ignore"):
            mine = simulate_files.summary(run)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError):
        raise InputError(str(folder / simulate_files.RUN_FILE), "", "does not hold sums this version can read "
                         "(edited, or written by another version); run `hotline simulate` again to rewrite it") \
            from None
    differ = [k for k in ("scenario", "seed", "replications", "threshold_seconds") if mine[k] != data.get(k)]
    for figure in SAME_RUN_FIGURES:
        a = mine["total"].get(figure, {}).get("mean")
        b = data.get("total", {}).get(figure, {}).get("mean")
        if (a is None) != (b is None) or (a is not None and abs(a - b) > SAME_RUN_TOLERANCE * max(1.0, abs(a))):
            differ.append(f"total {figure}")
    if differ:
        raise InputError(str(folder), "", f"its summary.json and {simulate_files.RUN_FILE} come from different runs "
                         f"({', '.join(differ)} differ; one was copied in from another run?): run `hotline "
                         f"simulate` again into this folder")


def _simulate(folder: Path, lang: str):
    """A simulation's figures, computed from its sums (run.npz) as simulate and compare compute them."""
    data = _load_json(folder / "summary.json")
    run = _load_run(folder)
    _same_run(folder, data, run)
    whole = table(run, "whole")
    header = [text("scope", lang), text("offered", lang), text("sl_t", lang, t=data["threshold_seconds"]),
              text("abandon_rate", lang), text("asa_seconds", lang)]
    rows = []
    for kind, ident in whole.scopes:
        name = text("total", lang) if kind == "total" else run.layout.label(kind, ident, lang)

        def est(figure):
            if figure not in whole.values or not whole.reports(figure, kind, ident):
                return None
            return whole.estimate(figure, kind, ident, 0).to_json()
        rows.append([name, _estimate(est("offered")), _estimate(est("service_level"), True),
                     _estimate(est("abandon_rate"), True), _estimate(est("asa_seconds"))])
    from sim.output import plots

    hours, mean, low, high = service_level_by_hour(folder)[run.layout.name]
    fig = plots.by_hour_of_week({run.layout.name: (hours + 0.5, mean, low, high)},
                                text("sl_axis", lang, t=run.layout.threshold_seconds), text("title_sl_hour", lang),
                                target=run.layout.service_level_target, lang=lang)
    goals = text("sim_goals_text", lang, goals=text("goals_text", lang, sl=run.layout.service_level_target,
                                                    t=run.layout.threshold_seconds, ab=run.layout.max_abandon_rate))
    html_ = [f"<h2>{_e(text('simulation', lang))}{_colon(lang)}{_e(run.layout.label('scenario', lang=lang))}</h2>",
             _table(header, rows), f"<p class='note'>{_e(goals)}{_semicolon(lang)}{_e(text('ci_note', lang))}</p>",
             _figure(fig, text("title_sl_hour", lang))]
    return "\n".join(html_), data["threshold_seconds"], _assumptions(data["scenario"], folder / "scenario.yaml")
