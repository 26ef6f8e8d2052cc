"""Plain-text tables of results for the terminal."""

from __future__ import annotations

import math

from sim.input.clock import MINUTES_PER_WEEK, parse_clock
from sim.output.labels import display_columns, entry_line, entry_name, text
from sim.results.figures import FIGURES, HEADLINE, SHORT, shown_as

HOURS_PER_WEEK = MINUTES_PER_WEEK // 60

# the summary's columns: what arrived and how it was served (the pools' own figures follow)
SUMMARY = ("offered", "service_level", "abandon_rate", "asa_seconds", "mean_wait_seconds", "wait_p90_seconds",
           "occupancy")


def _fmt(value, how: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if how == "percent":
        return f"{100 * value:.1f}%"
    if how == "count":
        return f"{value:,.0f}"
    return f"{value:.1f}"


# An interval whose longer side is more than this many times its shorter one is shown by its ends: a share's
# score interval near 0 or 1 is lopsided, and "mean ± half-width" would read as passing 0 or 100%
LOPSIDED_RATIO = 1.5


def lopsided(mean: float, low: float, high: float) -> bool:
    """Whether the interval [low, high] about ``mean`` is to be shown by its ends, not as ± a half-width."""
    below, above = mean - low, high - mean
    return max(below, above) > LOPSIDED_RATIO * min(below, above) and max(below, above) > 0


def _cell(entry: dict | None, how: str) -> str:
    if not entry or entry["mean"] is None:
        return "-"
    text = _fmt(entry["mean"], how)
    low, high = entry["ci95"]
    if low is not None and high is not None and lopsided(entry["mean"], low, high):
        return f"{text} [{_fmt(low, how).rstrip('%')}-{_fmt(high, how)}]"
    if low is not None and high is not None:
        half = (high - low) / 2
        text += f" ±{_fmt(half, how).rstrip('%')}"
    return text


def _render(header: list[str], body: list[list[str]], left: int = 1) -> list[str]:
    """Aligned text rows: the first ``left`` columns to the left, numbers to the right, by the columns each
    cell takes on a terminal (``综合坐席`` takes eight)."""
    widths = [max(display_columns(row[i]) for row in [header] + body) for i in range(len(header))]

    def pad(cell: str, width: int, to_left: bool) -> str:
        fill = " " * (width - display_columns(cell))
        return cell + fill if to_left else fill + cell

    return ["  ".join(pad(c, w, i < left) for i, (c, w) in enumerate(zip(row, widths))) for row in [header] + body]


def summary_table(summary: dict) -> str:
    """Total, lines and pools of a summary.json mapping, mean ± 95% half-width."""
    rows = [("total", "all", summary["total"])]
    rows += [("line", k, v) for k, v in summary["lines"].items()]
    rows += [("pool", k, v) for k, v in summary["pools"].items()]
    header = ["scope", "id"] + [SHORT[f] for f in SUMMARY]
    body = [[kind, ident] + [_cell(figs.get(f), shown_as(f)) for f in SUMMARY] for kind, ident, figs in rows]
    lines = _render(header, body, left=2)
    t = summary["threshold_seconds"]
    notes = [
        f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}; "
        f"mean ± half-width of the 95% interval over replications ([low-high] where it is lopsided).",
        f"offered calls per replication; SL = answered within {t:g} s / offered; "
        f"abandoned = {FIGURES['abandon_rate'].definition}; ASA = {FIGURES['asa_seconds'].definition};",
        f"wait = {FIGURES['mean_wait_seconds'].definition}; occupancy = {FIGURES['occupancy'].definition}.",
    ]
    return "\n".join([notes[0], *lines, *notes[1:]])


def _difference(entry: dict, how: str) -> str:
    """A paired difference: signed, in percentage points for shares."""
    if not entry or entry["mean"] is None:
        return "-"
    scale, unit = (100.0, " pp") if how == "percent" else (1.0, "")
    low, high = entry["ci95"]
    text = f"{scale * entry['mean']:+,.1f}{unit}"
    if low is not None and high is not None:
        text += f" ±{scale * (high - low) / 2:,.1f}"
    return text


def comparison_table(data: dict) -> str:
    """compare.json as text: estimates, then differences against the first scenario."""
    cols = [(f, SHORT[f], shown_as(f)) for f in HEADLINE]
    header = ["scenario"] + [h for _, h, _ in cols]
    rows = [[e["scenario"]] + [_cell(e["total"][f], how) for f, _, how in cols] for e in data["scenarios"]]
    diffs = [[f"{e['scenario']} - {data['baseline']}"]
             + [_difference(e["difference"][f], how) for f, _, how in cols]
             for e in data["scenarios"][1:]]
    lines_ = sorted({l for e in data["scenarios"] for l in e["lines"]})
    line_header = ["line"] + [e["scenario"] for e in data["scenarios"]]
    line_rows = [[l] + [_cell(e["lines"].get(l, {}).get("service_level"), "percent") for e in data["scenarios"]]
                 for l in lines_]

    t = data["threshold_seconds"]
    out = [f"{len(data['scenarios'])} scenarios on the same callers: {data['replications']} replications, "
           f"seed {data['seed']}; mean ± half-width of the 95% interval."]
    out += _render(header, rows)
    if diffs:
        out += ["", f"paired differences against {data['baseline']} (same callers, replication by replication):"]
        out += _render(header, diffs)
    out += ["", "service level by line:"] + _render(line_header, line_rows)
    out += ["", f"pp = percentage points; SL = answered within {t:g} s / offered; then, as in compare.json's "
                "definitions: " + "; ".join(f"{SHORT[f]} = {FIGURES[f].definition}" for f in HEADLINE
                                              if f != "service_level") + "."]
    return "\n".join(out)


def plan_table(data: dict) -> str:
    """plan.json as text: per pool and in total."""
    header = ["pool", "headcount", "to employ", "seats", "agent-hours/week", "MIP gap", "missed"]
    body = [[k, str(v["headcount"]), str(v["headcount_with_shrinkage"]), str(v["seats"]), f"{v['agent_hours']:,.0f}",
             f"{v['mip_gap']:.2%}", str(v["intervals_missing_target"])]
            for k, v in data["pools"].items()]
    body.append(["total", str(data["headcount"]), str(data["headcount_with_shrinkage"]), str(data["seats"]),
                 f"{data['agent_hours']:,.0f}", f"{data['mip_gap']:.2%}",
                 str(sum(v["intervals_missing_target"] for v in data["pools"].values()))])
    lines = _render(header, body)
    it = data["iterations"]
    t = data["targets"]
    verdict = ("every target met" if data["targets_met"] else
               f"targets NOT met after {it['verification_rounds']} verification rounds (the limit)")
    span = data.get("verified_span", {"whole_week": True})
    if not span["whole_week"]:
        verdict += f" in the {unverified_note(span)}"
    v = data["verified"]["total"]
    if v["service_level"]["mean"] is None:       # nothing offered: nothing to staff, no figure to judge
        verified = "verified: no calls were offered, so the plan is 0 agents and no figure applies."
    else:
        m = data.get("margins", {})
        verified = (f"verified: service level {v['service_level']['mean']:.1%} (answered within "
                    f"{t['threshold_seconds']:g} s / offered; target {t['service_level']:.0%} per {t['kind']}; "
                    f"margin {100 * (m.get('service_level') or 0):+.1f} points), abandoned "
                    f"{v['abandon_rate']['mean']:.1%} (ceiling {t['max_abandon_rate']:.0%}; margin "
                    f"{100 * (m.get('abandon_rate') or 0):+.1f} points).")
    return "\n".join([
        f"{data['scenario']}: {verdict}; requirement corrected in {it['requirement_simulation_rounds']} simulation "
        f"rounds, roster verified in {it['verification_rounds']}"
        + (f" (on {it['verified_on_replications']} replications)." if "verified_on_replications" in it else "."),
        *lines,
        verified,
        f"cost: {money_text(data['cost'])}.",
        "headcount = agents on the roster; to employ = after shrinkage; seats = workstations (most agents at work "
        "at once plus the margin);",
        "missed = intervals missing a target beyond their 95% interval, or on the mean for a line of the pool that "
        "misses a goal over the horizon (with day or week goals some may: agents go where they buy the most "
        "service).",
    ])


def money_text(cost: dict) -> str:
    """A yearly cost with its parts: "4,120,000 CNY a year (pay 2,900,000, night premium ...)"."""
    parts = ", ".join(f"{k.replace('_', ' ')} {v:,.0f}" for k, v in cost["parts"].items())
    return f"{cost['total']:,.0f} {cost['currency']} a {cost['period']} ({parts})"


def calibration_table(report: dict) -> str:
    """The fit report in brief: per line, calls, volume, talk-time law, patience law."""
    header = ["line", "calls", "calls/week", "busyness shape", "talk law", "patience law", "patience mean s"]
    body = []
    for line, r in report["lines"].items():
        p = r["patience"]
        chosen = p.get("chosen", "-")
        body.append([line, f"{r['calls']:,}", f"{r['calls_per_week']:,.0f}", str(r["busyness_gamma_shape"] or "-"),
                     r["talk"]["chosen"], chosen, f"{p.get(chosen, {}).get('mean', '-')}"])
    lines = _render(header, body)
    left = ", ".join(f"{v:,} {k}" for k, v in report["left_out"].items()) or "none"
    faults = ", ".join(f"{v:,} {k}" for k, v in report["faults"].items()) or "none"
    red = report["redials"]
    redials = (f"redials: {red['calls_detected_as_redials']:,} detected; probability after abandoning "
               f"{red['probability_after_abandoning']:.1%}, mean delay {red['mean_delay_seconds']} s."
               if red["calls_detected_as_redials"] else
               "redials: none detected (no caller called again within two hours of hanging up, or the log has no "
               "caller ids).")
    return "\n".join([f"{report['calls']:,} calls that asked for an agent, from {report['first_day']}.", *lines,
                      f"left out: {left}.", f"faults (kept): {faults}.", redials])


def _varied(values: list[float]) -> list[str]:
    """A column of varied values as people read them: six significant digits (a step of 0.1 added up shows as
    0.3, not 0.30000000000000004), more where two values would read alike, and Python's own shortest form
    where that is shorter (1e-320, not 9.99989e-321)."""
    def shown(value: float, digits: int) -> str:
        short, exact = f"{value:.{digits}g}", repr(value)
        return exact if len(exact) < len(short) else short

    distinct = set(values)
    for digits in range(6, 18):         # 17 significant digits tell any two doubles apart
        labels = {v: shown(v, digits) for v in distinct}
        if len(set(labels.values())) == len(distinct):
            break
    return [labels[v] for v in values]


def sweep_text(rows: list[dict], names: list[str], threshold: float | None) -> str:
    """The sweep's variants, one line each (``threshold``: None when each row has its own)."""
    cols = [(f, SHORT[f], shown_as(f)) for f in HEADLINE]
    header = list(names) + [h for _, h, _ in cols] + ["goals"]
    shown = list(zip(*(_varied([r["variant"][n] for r in rows]) for n in names)))
    body = [list(labels) + [_cell(r[f], how) for f, _, how in cols]
            + [("met <- first" if r.get("first_meeting_goals") else "met") if r.get("meets_goals") else "-"]
            for labels, r in zip(shown, rows)]
    lines = _render(header, body, left=0)
    within = f"{threshold:g} s" if threshold is not None else "the row's service_level.threshold_seconds"
    return "\n".join(lines + [f"SL = answered within {within} / offered; abandoned = calls hung up before an answer "
                               "/ offered; ASA = mean wait of answered calls; mean ± half-width of the 95% interval "
                               "([low-high] where it is lopsided); goals met "
                               "= mean SL at least its target and mean abandonment at most its ceiling; first = the "
                               "first value of the first field varied that meets them."])


def unverified_note(span: dict) -> str:
    """'24 hours verified, from Mon 00:00; ...': what a plan verified when its horizon is shorter than a week."""
    return (f"{span['hours']:g} hours verified, from {span['from']}; the week's other "
            f"{HOURS_PER_WEEK - span['hours']:g} hours of the roster rest on Erlang A alone, unverified (a horizon of "
            f"a week after warm-up verifies them all)")


def entries(data: dict) -> list[dict]:
    """A decision's entries (decision.json): today (when known), then the options."""
    return ([data["today"]] if data["today"] else []) + data["options"]


def option_name(entry: dict, data: dict, lang: str = "en") -> str:
    """An option as a decision names it: by its scenario name (the CSV files, the English screen), in Chinese by
    its label; today marked as such."""
    name = entry_name(entry, lang) if lang == "zh" else entry["scenario"]
    if entry is data["today"]:
        name += text("today_suffix", lang) if lang == "zh" else " (today)"
    return name


def decision_header(data: dict, lang: str = "en") -> list[str]:
    """The decision table's columns: option, the verified figures, goals, people, seats and cost (in English the
    screen's short names)."""
    g = data["goals"]
    if lang != "zh":
        return ["option", f"SL {g['threshold_seconds']:g}s", "abandoned", "resolved", "goals", "headcount",
                "to employ", "hires", "seats", f"{data['currency']}/year"]
    return [text("option", lang), text("sl_t", lang, t=g["threshold_seconds"]), text("abandon_rate", lang),
            text("resolved_share", lang), text("goals", lang), text("agents_people", lang), text("to_employ", lang),
            text("hires", lang), text("seats_short", lang), text("cost_year_units", lang, currency=data["currency"])]


def decision_table(data: dict, lang: str = "en") -> str:
    """decision.json as text: per option (today first) goals met, service, people, workstations, cost; in
    ``lang`` (the figures' names, the options by their labels, the notes)."""
    g = data["goals"]
    zh = lang == "zh"
    body = []
    options = entries(data)
    for e in options:
        t = e["verified"]["total"]
        body.append([option_name(e, data, lang),
                     _cell(t["service_level"], "percent"), _cell(t["abandon_rate"], "percent"),
                     _cell(t["resolved_share"], "percent"),
                     text("met" if e["all_goals_met"] else "missed", lang),
                     str(e["headcount"]), str(e["headcount_with_shrinkage"]),
                     "" if "hires" not in e else f"{e['hires']:+d}", str(e["seats"]), f"{e['cost']['total']:,.0f}"])
    from sim.plan.decide import DRAWN      # here, not at the top: the other commands' tables do without it
    on = data.get("verified_on", DRAWN)
    out = [text("decision_screen_intro", lang, sl=g["service_level"], t=g["threshold_seconds"],
                ab=g["max_abandon_rate"], reps=data["replications"], seed=data["seed"],
                on=text("drawn_callers", lang) if on == DRAWN else on),
           *_render(decision_header(data, lang), body)]
    span = data.get("verified_span", {"whole_week": True})
    if not span["whole_week"]:
        day, minute = parse_clock(span["from"])
        out.append(text("judged_on", lang, note=unverified_note(span)) if not zh else
                   text("judged_on", lang, hours=span["hours"],
                        start=f"{text('weekdays', lang)[day]} {minute // 60:02d}:{minute % 60:02d}"))
    for e in options:
        if e["lines_missing_goals"]:
            lines = [entry_line(e, line, lang) for line in e["lines_missing_goals"]] if zh else e["lines_missing_goals"]
            out.append(text("lines_missing", lang, option=entry_name(e, lang) if zh else e["scenario"],
                            lines=("、" if zh else ", ").join(lines)))
    out.append(text("decision_screen_note", lang))
    return "\n".join(out)


def _goal_percent(share: float) -> str:
    """A goal as the user gave it: 80%, 99.5%; never rounded to 100% or 0% when it is not that."""
    return f"{100 * share:.10g}%"


def erlang_table(report: dict, answer: int, chosen=None) -> str:
    """``hotline erlang``: agents against service level, abandonment, ASA and occupancy around the answer."""
    t = report["target"]
    header = ["agents", "to employ", f"SL {t['threshold_seconds']:g}s", "abandoned", "P(wait)", "ASA s",
              "occupancy", ""]
    body = []
    for i, row in enumerate(report["table"]):
        body.append([str(row["agents"]), str(row["agents_to_employ"]), _fmt(row["service_level"], "percent"),
                     _fmt(row["p_abandon"], "percent"), _fmt(row["p_wait"], "percent"),
                     "-" if not math.isfinite(row["asa_seconds"]) else f"{row['asa_seconds']:.1f}",
                     _fmt(row["occupancy"], "percent"), "<- fewest meeting the targets" if i == answer else ""])
    first = report["table"][0]
    goal = (f"service level >= {_goal_percent(t['service_level'])}"
            + (f" and abandoned <= {_goal_percent(t['max_abandon_rate'])}" if t["max_abandon_rate"] is not None
               else ""))
    out = [f"{report['model']}: {first['offered_erlangs']:.2f} Erlangs offered (calls per hour x handle hours); "
           f"targets: {goal}.", *(line.rstrip() for line in _render(header, body, left=0)),
           f"SL = answered within {t['threshold_seconds']:g} s / offered; abandoned = hung up before an answer / "
           f"offered; P(wait) = share finding every agent busy; ASA = mean wait of answered calls; occupancy = busy "
           f"agents / agents; to employ = agents / (1 - shrinkage {report['shrinkage']:.0%}), rounded up."]
    unstable = chosen is not None and report["model"].startswith("Erlang C") and \
        chosen.agents <= first["offered_erlangs"] * (1 + 1e-9)
    if unstable:
        out.append(f"with {chosen.agents} agents the queue is unstable: {first['offered_erlangs']:.2f} Erlangs arrive "
                   "and nobody hangs up, so waits grow without bound.")
    elif chosen is not None:
        out.append(f"with {chosen.agents} agents: SL {chosen.service_level:.1%}, abandoned {chosen.p_abandon:.1%}, "
                   f"ASA {chosen.asa_seconds:.1f} s, occupancy {chosen.occupancy:.1%}, Erlang B blocking "
                   f"{report['erlang_b_blocking']:.4f}.")
    return "\n".join(out)
