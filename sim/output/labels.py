"""Words people read on charts and in briefings, in English and Chinese.

One table so a label is translated once; ``text(key, lang)`` falls back to
English for a key without a Chinese entry.  ``use_language`` picks a font that
has Chinese characters, and refuses (with how to install one) rather than draw
boxes.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sim.errors import OptionError

LANGS = ("en", "zh")

TEXT = {
    "sl_axis": {"en": "answered within {t:g} s / offered", "zh": "{t:g}秒内接通量 / 呼入量"},
    "sl_axis_varied": {"en": "answered within each variant's threshold / offered", "zh": "各方案阈值内接通量 / 呼入量"},
    "ab_axis": {"en": "abandoned / offered", "zh": "呼损量 / 呼入量"},
    "asa_axis": {"en": "ASA, seconds (answered calls)", "zh": "平均应答等待（秒，已接通）"},
    "agents": {"en": "agents", "zh": "话务员（人）"},
    "agent_days": {"en": "{n} agent-days", "zh": "每周{n}人天"},
    "shift_agents": {"en": "{n}, {days}", "zh": "{n}人，{days}"},
    "agents_on_phones": {"en": "agents on the phones (mean in the hour)", "zh": "在线坐席（小时平均）"},
    "hour_of_week": {"en": "hour of the week (clock time)", "zh": "一周中的小时（钟点）"},
    "hour_of_day": {"en": "hour of day (clock time)", "zh": "一天中的小时（钟点）"},
    "weekday": {"en": "weekday", "zh": "星期"},
    "day": {"en": "day", "zh": "日期"},
    "weekdays": {"en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                 "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]},
    "target": {"en": "target", "zh": "目标"},
    "title_sl_hour": {"en": "Service level by hour of the week (all city lines, 95% intervals)",
                      "zh": "各时段接通率（全市各线路，95%置信区间）"},
    "title_sl_line": {"en": "Service level by line (95% intervals)", "zh": "各线路接通率（95%置信区间）"},
    "title_requirements": {"en": "Agents required and scheduled, by pool", "zh": "各坐席组需求与排班人数"},
    "title_heatmap": {"en": "Agents on the phones, all pools", "zh": "在线坐席人数（全部坐席组）"},
    "title_roster": {"en": "Roster: shifts by start time", "zh": "排班表：按开始时间的班次"},
    "roster_axis": {"en": "hour of day (clock time); label: agents on the shift, their working days a week",
                    "zh": "一天中的小时；标注：班次人数与每周工作人日"},
    "analytic": {"en": "analytic (SIPP)", "zh": "解析需求（SIPP）"},
    "corrected": {"en": "simulation-corrected", "zh": "仿真修正需求"},
    "scheduled": {"en": "scheduled on the phones", "zh": "排班在线人数"},
    "briefing": {"en": "Seat planning briefing", "zh": "坐席规划简报"},
    "question": {"en": "The question", "zh": "决策问题"},
    "question_text": {"en": "How many seats and agents does the merged 12345 hotline need, on which shifts, and what "
                            "does each merger structure change for callers?",
                      "zh": "12345热线整合后需要多少坐席和话务员、如何排班，不同整合方式对来电群众有何影响？"},
    "scenarios": {"en": "Scenarios compared", "zh": "比较的方案"},
    "key_figures": {"en": "Key figures", "zh": "关键指标"},
    "differences": {"en": "Paired differences against the first scenario (same callers)",
                    "zh": "与第一个方案对比（同一批来电）"},
    "charts": {"en": "Charts", "zh": "图表"},
    "plan": {"en": "Seat plan", "zh": "坐席与排班方案"},
    "simulation": {"en": "Simulation", "zh": "仿真结果"},
    "assumptions": {"en": "Assumptions and their sources", "zh": "假设及其来源"},
    "assumptions_changed": {"en": "This scenario copy was changed after the run wrote it (edited, or copied in from "
                                  "another run): these may not be the assumptions of the figures above.",
                            "zh": "该方案副本在运行写出后被改动过（手工编辑或从其他运行复制而来），以下假设未必对应上文的数据。"},
    "definitions": {"en": "Definitions", "zh": "指标定义"},
    "scenario": {"en": "scenario", "zh": "方案"},
    "scope": {"en": "scope", "zh": "线路/坐席组"},
    "agents_on_duty": {"en": "agents on duty (mean)", "zh": "平均在岗话务员（人）"},
    "occupancy": {"en": "occupancy", "zh": "坐席利用率"},
    "resolved_share": {"en": "resolved (reached the agent who finishes the call)", "zh": "全程接通率（含转接）"},
    "service_level": {"en": "service level", "zh": "接通率（阈值内）"},
    "abandon_rate": {"en": "abandon rate", "zh": "呼损率"},
    "asa_seconds": {"en": "ASA (s)", "zh": "平均应答等待（秒）"},
    "transferred": {"en": "transfers per replication", "zh": "转接量（通，每轮仿真）"},
    "outbound_share": {"en": "outbound share of busy time", "zh": "外呼占忙碌时间比例"},
    "offered": {"en": "calls offered per replication", "zh": "呼入量（通，每轮仿真）"},
    "headcount": {"en": "agents on the roster", "zh": "排班话务员（人）"},
    "headcount_with_shrinkage": {"en": "agents to employ (after shrinkage)", "zh": "需配备话务员（人，按排班损耗折算）"},
    "plan_seats": {"en": "seats (workstations: most agents at work at once plus the margin)", "zh": "坐席（个，同时在岗最多人数加余量）"},
    "agent_hours": {"en": "paid agent-hours per week", "zh": "每周付薪工时（小时）"},
    "cost": {"en": "cost per year (pay, night premium, on-costs, workstations)",
             "zh": "年度成本（工资、夜班津贴、单位社保公积金、坐席工位）"},
    "targets_met": {"en": "every target met in verification", "zh": "验证中全部目标达成"},
    "plan_goals": {"en": "goals", "zh": "规划目标"},
    "goals_text": {"en": "at least {sl:.0%} answered within {t:g} s and at most {ab:.0%} abandoned",
                   "zh": "{t:g}秒接通率不低于{sl:.0%}、呼损率不高于{ab:.0%}"},
    "plan_goals_text": {"en": "{goals}, {per}; shrinkage {shrink:.0%}", "zh": "{goals}（{per}）；排班损耗率{shrink:.0%}"},
    "sim_goals_text": {"en": "the scenario's goals: {goals}", "zh": "方案目标：{goals}"},
    "per_interval": {"en": "in every interval", "zh": "每个时段"},
    "per_day": {"en": "over each day", "zh": "按日"},
    "per_week": {"en": "over the week", "zh": "按周"},
    "verified_span": {"en": "verified", "zh": "仿真验证范围"},
    "whole_week": {"en": "the whole week", "zh": "全周"},
    "part_of_week": {"en": "{hours:g} hours from {start} only: the roster's other hours rest on Erlang A alone",
                     "zh": "仅自{start}起{hours:g}小时；排班其余时段仅按排队论公式（Erlang A）估算，未经仿真验证"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "ci_note": {"en": "mean ± half-width of the 95% interval over replications; [low–high] where the interval is "
                      "lopsided (a share near 0 or 100%)",
                "zh": "均值 ± 95%置信区间半宽（基于多轮仿真）；区间明显不对称时（比例接近0或100%）列出[下限–上限]"},
    "def_sl": {"en": "service level = calls answered within {t:g} s / calls offered",
               "zh": "{t:g}秒接通率 = {t:g}秒内接通的来电 / 呼入来电"},
    "def_ab": {"en": "abandon rate = callers who hung up before an answer / calls offered",
               "zh": "呼损率 = 接通前挂断的来电 / 呼入来电"},
    "def_asa": {"en": "ASA = mean wait of answered calls, seconds", "zh": "平均应答等待 = 已接通来电的平均等待时间（秒）"},
    "def_pp": {"en": "differences of shares are in percentage points (pp)", "zh": "比例之差以百分点（pp）表示"},
    "decision": {"en": "The decision", "zh": "决策结论"},
    "decision_intro": {"en": "Each option planned to the same goals: at least {sl:.0%} of calls answered within {t:g} s "
                             "and at most {ab:.0%} abandoned, for the city and every line it answers; verified by "
                             "simulation on the same callers ({reps} replications, seed {seed}). ✓ goal met, ✗ missed "
                             "(mean of the replications).",
                       "zh": "各方案按同一目标规划：全市及每条线路{t:g}秒接通率不低于{sl:.0%}、呼损率不高于{ab:.0%}；"
                             "以同一批来电仿真验证（{reps}轮仿真，随机数种子{seed}）。✓ 达标，✗ 未达标（按{reps}轮仿真的平均值判断）。"},
    "option": {"en": "option", "zh": "方案"},
    "goals": {"en": "goals", "zh": "目标"},
    "sheet_summary": {"en": "Summary", "zh": "决策摘要"},
    "met": {"en": "met", "zh": "达标"},
    "missed": {"en": "MISSED", "zh": "未达标"},
    "cost_year_units": {"en": "{currency}/year", "zh": "年度成本（元）"},
    "drawn_callers": {"en": "callers drawn from the scenarios' laws (the same callers for every option)",
                      "zh": "按方案设定规律生成的来电（各方案相同）"},
    "decision_screen_intro": {
        "en": "Each option planned to the same goals: at least {sl:.0%} answered within {t:g} s and at most {ab:.0%} "
              "abandoned, for the city and every line it answers (mean of {reps} replications, seed {seed}); "
              "verified on {on}.",
        "zh": "各方案按同一目标规划：全市及每条线路{t:g}秒接通率不低于{sl:.0%}、呼损率不高于{ab:.0%}"
              "（按{reps}轮仿真的平均值判断，随机数种子{seed}）；验证所用来电：{on}。"},
    "judged_on": {"en": "Goals are judged on the {note}.",
                  "zh": "目标仅按仿真验证的{hours:g}小时判断（自{start}起）；排班其余时段仅按排队论公式（Erlang A）估算。"},
    "lines_missing": {"en": "{option}: lines missing a goal: {lines}", "zh": "{option}：未达标线路：{lines}"},
    "decision_screen_note": {
        "en": "SL = answered within the threshold / offered; resolved = reached the agent who finishes the call / "
              "offered (a transfer hang-up is lost); to employ = headcount / (1 - shrinkage); hires = against today; "
              "seats = workstations (most agents at work at once per pool plus the margin); cost = pay, night "
              "premium, on-costs and workstations per year.",
        "zh": "接通率 = 阈值内接通的来电 / 呼入来电；全程接通率 = 接通可办结坐席的来电 / 呼入来电（转接中挂断计为损失）；"
              "需配备 = 排班话务员 / (1 - 排班损耗率)；较现状增减 = 与现有排班相比；坐席 = 工位数（各坐席组同时在岗最多人数加余量）；"
              "年度成本 = 工资、夜班津贴、单位社保公积金与坐席工位。"},
    "sl_t": {"en": "answered within {t:g} s", "zh": "{t:g}秒接通率"},
    "agents_people": {"en": "agents (people)", "zh": "话务员（人）"},
    "to_employ": {"en": "to employ, after shrinkage", "zh": "需配备人数（按排班损耗折算）"},
    "hires": {"en": "against today", "zh": "较现状增减（人）"},
    "seats_short": {"en": "seats (workstations)", "zh": "坐席（个）"},
    "cost_year": {"en": "cost a year, ten thousand {currency}", "zh": "年度成本（万元）"},
    "worst_lines": {"en": "lines furthest from a goal", "zh": "距目标最远的线路"},
    "journey": {"en": "Each line: first queue and the caller's whole journey", "zh": "各线路：首次排队与来电全程"},
    "journey_note": {"en": "abandoned end to end counts a caller who hung up during a transfer as lost; time to "
                           "resolver = from arrival until the agent who finishes the call answers",
                     "zh": "全程呼损率把转接中挂断的来电计为损失；接通办理坐席平均用时 = 从来电到可办结的坐席接听的时间"},
    "line": {"en": "line", "zh": "线路"},
    "abandon_rate_end_to_end": {"en": "abandoned end to end", "zh": "全程呼损率"},
    "time_to_resolver_seconds": {"en": "time to resolver (s)", "zh": "接通办理坐席平均用时（秒）"},
    "today_staffing": {"en": "today, as staffed", "zh": "现状（现有排班）"},
    "all_met": {"en": "all goals met", "zh": "全部达标"},
    "cost_note": {"en": "cost = pay + night premium + on-costs + workstations, {currency} a year; shrinkage {shrink:.0%}",
                  "zh": "年度成本 = 工资 + 夜班津贴 + 单位社保公积金 + 坐席工位；排班损耗率 {shrink:.0%}"},
    "first_meeting": {"en": "first meeting the goals", "zh": "首个达标值"},
    "total": {"en": "total", "zh": "合计"},
    "verified_on": {"en": "verified on ", "zh": "验证所用来电："},
    "today_suffix": {"en": " (today's rosters)", "zh": "（现有排班）"},
    "wrote_files": {"en": "wrote {n} files in {folder}", "zh": "已写入{n}个文件，位于{folder}"},
    "cost_pay": {"en": "pay", "zh": "工资"},
    "cost_night_premium": {"en": "night premium", "zh": "夜班津贴"},
    "cost_on_costs": {"en": "on-costs (social insurance, housing fund)", "zh": "单位社保与公积金"},
    "cost_workstations": {"en": "workstations", "zh": "坐席工位"},
    "cost_axis": {"en": "ten thousand {currency} per year", "zh": "万元/年"},
    "title_cost": {"en": "What each option costs a year, by part", "zh": "各方案年度成本构成"},
    "made_by": {"en": "Made by hotline-sim from", "zh": "由 hotline-sim 生成，数据来自"},
}


def entry_name(entry: dict, lang: str) -> str:
    """A scenario's name as people read it, from a results file's entry (compare.json, decision.json): its
    label in ``lang``, else its name."""
    return (entry.get("label") or {}).get(lang) or entry["scenario"]


def entry_line(entry: dict, line: str, lang: str, kind: str = "line") -> str:
    """A line's (or with ``kind`` "pool", a pool's) name as people read it, from a results file's entry: its
    label in ``lang``, else its id."""
    return ((entry.get("labels") or {}).get(f"{kind}:{line}") or {}).get(lang) or line


def text(key: str, lang: str = "en", **values):
    entry = TEXT[key]
    value = entry.get(lang, entry["en"])
    return value.format(**values) if isinstance(value, str) and values else value


CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")


def cjk_font() -> str | None:
    """The first installed font with Chinese characters, or None.

    Matplotlib lists the system's fonts once and caches the list on disk, so a
    font installed later (``apt-get install fonts-wqy-zenhei`` during a test
    run, say) is unknown to it, in this process and the next.  When no Chinese
    font is known, the font folders are scanned again and new files are added
    to the same font manager (``addfont`` also empties its lookup cache, so
    charts drawn afterwards find the font), and the cache on disk is renewed.
    """
    font_manager = matplotlib_module("font_manager")
    manager = font_manager.fontManager
    found = _known_cjk(manager)
    if found is not None:
        return found
    clear = getattr(font_manager, "_get_fontconfig_fonts", None)
    if hasattr(clear, "cache_clear"):
        clear.cache_clear()                     # fc-list's answer is remembered too
    known = {f.fname for f in manager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue                        # a font file FreeType cannot read is not ours to fix
    found = _known_cjk(manager)
    if added and found is not None:
        _save_font_cache(font_manager, manager)
    return found


def display_columns(text: str) -> int:
    """The columns ``text`` takes in a terminal or a legend: a Chinese character (East Asian wide or full-width)
    takes two (``综合坐席`` takes eight)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def matplotlib_module(name: str | None = None):
    """``matplotlib`` (or ``matplotlib.<name>``), imported with matplotlib's notes silenced (a font weight it
    substitutes, no writable cache folder): they are not this tool's messages.  Every first import of
    matplotlib goes through here, so that a command without charts imports neither matplotlib nor logging."""
    import importlib
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    return importlib.import_module("matplotlib" if name is None else f"matplotlib.{name}")


def _known_cjk(manager) -> str | None:
    names = {f.name for f in manager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _save_font_cache(font_manager, manager):
    """Renew matplotlib's cached font list so the next process knows the new font at once."""
    import matplotlib

    try:
        cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(manager, cache)
    except (OSError, AttributeError):
        pass                                    # a read-only cache costs a rescan next time, nothing more


def use_language(lang: str) -> dict:
    """Matplotlib settings for ``lang``; for Chinese, a CJK font or a clear refusal."""
    if lang not in LANGS:
        raise OptionError("--lang", "", f"unknown language {lang!r}; use en or zh")
    if lang == "en":
        # English labels, but Chinese scenario, line or pool names: drawn from a Chinese font when one is known
        # (matplotlib falls back glyph by glyph), not as boxes
        found = _known_cjk(matplotlib_module("font_manager").fontManager)
        return {} if found is None else {"font.family": ["DejaVu Sans", found]}
    font = cjk_font()
    if font is None:
        raise OptionError("--lang zh", "", "no font with Chinese characters is installed, so labels would show as "
                            "boxes. Install one, e.g. `apt-get install fonts-noto-cjk` (or fonts-wqy-zenhei) on "
                            "Debian/Ubuntu, `brew install --cask font-noto-sans-cjk-sc` on macOS, then run again")
    # the family by name, not "sans-serif": text resolves generic families when drawn, which may be
    # after this setting is gone (a figure saved later)
    return {"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}
