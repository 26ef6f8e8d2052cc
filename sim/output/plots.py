"""Charts shared by the command line and the notebooks.

One style: grey-friendly colours that differ in lightness, a line style and a
marker per series and hatching on bars, so charts still read when printed in
black and white.  Every axis names its unit.  Each function returns a
matplotlib Figure; the caller saves or shows it.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from sim.input.clock import DAYS_PER_WEEK, HOURS_PER_DAY, MINUTES_PER_HOUR
from sim.output.labels import display_columns, matplotlib_module, text, use_language

matplotlib, plt = matplotlib_module(), matplotlib_module("pyplot")

COLORS = ["#1b3a5c", "#d9822b", "#5a9e6f", "#8c8c8c", "#a23b72", "#3b8ea5"]
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "x"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]

RC = {
    "figure.dpi": 110, "savefig.dpi": 150, "savefig.bbox": "tight",
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.color": "#dddddd", "grid.linewidth": 0.6, "font.size": 9, "axes.titlesize": 10,
    "legend.frameon": False,
}


@contextmanager
def style(lang: str = "en"):
    with matplotlib.rc_context({**RC, **use_language(lang)}):
        yield


def series_style(i: int) -> dict:
    return {"color": COLORS[i % len(COLORS)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)], "markevery": 12, "markersize": 4}


def _percent_axis(ax, label: str):
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))


def _value_axis(ax, label: str, percent: bool, top: float | None):
    """Shares as percentages from 0 to ``top`` (None: as high as the data); anything else as it is."""
    if percent:
        _percent_axis(ax, label)
        ax.set_ylim(0, top)
    else:
        ax.set_ylabel(label)


def _week_axis(ax, lang: str = "en"):
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(0, 169, 24))
    ax.set_xticks(np.arange(0, 168, 6), minor=True)
    ax.set_xticklabels([f"{d} 00:00" for d in text("weekdays", lang)] + [""], fontsize=8)
    ax.set_xlabel(text("hour_of_week", lang))


def by_hour_of_week(series: dict[str, tuple], ylabel: str, title: str, target: float | None = None,
                    percent: bool = True, lang: str = "en"):
    """Lines with 95% bands: ``series[name] = (hours, mean, low, high)``, hours 0..167."""
    with style(lang):
        fig, ax = plt.subplots(figsize=(9, 3.6))
        for i, (name, (hours, mean, low, high)) in enumerate(series.items()):
            st = series_style(i)
            ax.plot(hours, mean, label=name, linewidth=1.3, **st)
            ax.fill_between(hours, low, high, color=st["color"], alpha=0.15, linewidth=0)
        if target is not None:
            ax.axhline(target, color="black", linewidth=0.8, linestyle=(0, (4, 2)))
            ax.annotate(f"{text('target', lang)} {target:.0%}" if percent else f"{text('target', lang)} {target:g}",
                        (167, target), ha="right", va="bottom", fontsize=8)
        _week_axis(ax, lang)
        _value_axis(ax, ylabel, percent, 1.02)
        ax.set_title(title, loc="left")
        if series:
            ax.legend(loc="lower left", ncol=min(4, len(series)))
        fig.tight_layout()
    return fig


LEGEND_INCHES_PER_COLUMN = 0.075    # a legend's text at its font size: a Latin letter's width (a Chinese one, two)
LEGEND_KEY_INCHES = 0.6             # a legend entry's key and the gap after it
LEGEND_ROW_INCHES = 0.27            # a legend row's height
PLOT_INCHES = 3.6                   # a bar chart's plot, title and axis labels, without the names below it
TICK_INCHES_PER_COLUMN = 0.085      # a tick label's text at its font size: a Latin letter's width


def legend_columns(names, fig_width_inches: float, most: int = 4) -> int:
    """Columns of a legend below a chart: as many as fit the figure's width (at most ``most``), so that long
    labels (four Chinese option names) wrap into rows instead of running off both sides."""
    widths = [LEGEND_KEY_INCHES + LEGEND_INCHES_PER_COLUMN * display_columns(str(name)) for name in names]
    for columns in range(min(most, len(widths)), 1, -1):
        # matplotlib fills a legend column by column, the first len % columns columns one entry longer
        rows, longer = divmod(len(widths), columns)
        ends = np.cumsum([rows + (c < longer) for c in range(columns)])
        if sum(max(widths[end - size:end]) for end, size in zip(ends, np.diff(ends, prepend=0))) <= fig_width_inches:
            return columns
    return 1


def grouped_bars(groups: list[str], series: dict[str, tuple], ylabel: str, title: str,
                 target: float | None = None, percent: bool = True, lang: str = "en"):
    """Bars per group with 95% interval whiskers: ``series[name] = (mean, low, high)`` arrays over groups."""
    slanted = len(groups) > 6
    # room for the names below the bars (slanted at 45 degrees, they take their length times 0.71 in height)
    names_inches = (max((display_columns(str(g)) for g in groups), default=0) * TICK_INCHES_PER_COLUMN * 0.71
                    if slanted else 0.3)
    with style(lang):
        fig, ax = plt.subplots(figsize=(min(11.0, max(6.0, 0.3 * len(groups) * max(1, len(series)) + 2)),
                                        PLOT_INCHES + names_inches))
        width = 0.8 / max(1, len(series))
        x = np.arange(len(groups))
        for i, (name, (mean, low, high)) in enumerate(series.items()):
            mean, low, high = (np.asarray(v, dtype=float) for v in (mean, low, high))
            pos = x - 0.4 + width * (i + 0.5)
            err = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)])
            err = np.where(np.isnan(err), 0, err)
            ax.bar(pos, np.nan_to_num(mean), width, label=name, color=COLORS[i % len(COLORS)],
                   hatch=HATCHES[i % len(HATCHES)], edgecolor="white", linewidth=0.5)
            ax.errorbar(pos, np.nan_to_num(mean), yerr=err, fmt="none", ecolor="black", elinewidth=0.8,
                        capsize=2)
        if target is not None:
            ax.axhline(target, color="black", linewidth=0.8, linestyle=(0, (4, 2)))
        ax.set_xticks(x)
        ax.set_xticklabels(groups, rotation=45 if slanted else 0, ha="right" if slanted else "center")
        _value_axis(ax, ylabel, percent, 1.05)
        ax.set_title(title, loc="left")
        # the legend at the figure's foot and the axes above it, whatever room the slanted names take (placed
        # under the axes it lay over twenty slanted line names)
        columns = legend_columns(series, fig.get_figwidth())
        handles, names = ax.get_legend_handles_labels()
        legend_inches = LEGEND_ROW_INCHES * (math.ceil(len(series) / columns) + 0.5)
        fig.set_figheight(fig.get_figheight() + legend_inches)
        fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=columns)
        fig.tight_layout(rect=(0, legend_inches / fig.get_figheight(), 1, 1))
    return fig


def wrapped(label: str, columns: int) -> str:
    """``label`` in lines of at most ``columns`` terminal columns (a Chinese character takes two): at spaces where
    it has them, else anywhere (Chinese has no spaces between words)."""
    lines, line = [], ""
    for word in (label.split(" ") if " " in label else list(label)):
        joined = f"{line} {word}" if line and " " in label else line + word
        if line and display_columns(joined) > columns:
            lines.append(line)
            line = word
        else:
            line = joined
    return "\n".join(lines + [line])




def stacked_bars(groups: list[str], parts: dict[str, list], ylabel: str, title: str, lang: str = "en"):
    """One bar per group, ``parts[name]`` stacked in order, each bar's total written above it; long group names
    wrap within their bar's share of the width (four option names once ran into each other)."""
    with style(lang):
        fig, ax = plt.subplots(figsize=(max(5.0, 1.4 * len(groups) + 2.5), 4.2))
        slot = int(0.9 * (fig.get_figwidth() - 1.0) / max(1, len(groups)) / TICK_INCHES_PER_COLUMN)
        names = [wrapped(str(g), max(8, slot)) for g in groups]
        rows = max((n.count("\n") + 1 for n in names), default=1)
        groups = list(range(len(groups)))
        bottom = np.zeros(len(groups))
        for i, (name, values) in enumerate(parts.items()):
            values = np.asarray(values, dtype=float)
            ax.bar(groups, values, 0.6, bottom=bottom, label=name, color=COLORS[i % len(COLORS)],
                   hatch=HATCHES[i % len(HATCHES)], edgecolor="white", linewidth=0.5)
            bottom += values
        for x, total in enumerate(bottom):
            ax.annotate(f"{total:,.0f}", (x, total), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(groups)
        ax.set_xticklabels(names)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, bottom.max() * 1.12 if len(bottom) and bottom.max() > 0 else 1)
        ax.set_title(title, loc="left")
        # below the names, however many lines they take
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.065 * rows),
                  ncol=legend_columns(parts, fig.get_figwidth()))
        fig.tight_layout()
    return fig


def requirement_panels(pools: dict[str, dict[str, np.ndarray]], interval_minutes: int, title: str,
                       lang: str = "en"):
    """One panel per pool: step lines of requirements and scheduled agents over the week.

    ``pools[pool] = {label: agents per interval of the week}``.
    """
    with style(lang):
        n = len(pools)
        fig, axes = plt.subplots(n, 1, figsize=(9, 1.9 * n + 0.6), sharex=True, squeeze=False)
        for ax, (pool, series) in zip(axes[:, 0], pools.items()):
            for i, (label, values) in enumerate(series.items()):
                hours = np.arange(len(values) + 1) * interval_minutes / 60.0
                st = series_style(i)
                ax.step(hours, np.append(values, values[-1]), where="post", label=label, linewidth=1.1,
                        color=st["color"], linestyle=st["linestyle"])
            ax.set_ylabel(f"{pool}\n{text('agents', lang)}")
            ax.set_ylim(bottom=0)
        _week_axis(axes[-1, 0], lang)
        axes[0, 0].set_title(title, loc="left")
        # at the figure's foot, below the hours: inside the top panel it covered the week's last peaks
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.set_figheight(fig.get_figheight() + LEGEND_ROW_INCHES * 1.5)
        fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=len(names))
        fig.tight_layout(rect=(0, LEGEND_ROW_INCHES * 1.5 / fig.get_figheight(), 1, 1))
    return fig


def heatmap_by_hour(agents_by_interval: np.ndarray, interval_minutes: int, title: str, label: str = "agents",
                    lang: str = "en"):
    """Hour of day (rows) by weekday (columns): mean of ``agents_by_interval`` (the week's intervals of
    ``interval_minutes``, any divisor of a day) over each hour's minutes."""
    by_minute = np.repeat(np.asarray(agents_by_interval, dtype=float), interval_minutes)
    grid = by_minute.reshape(DAYS_PER_WEEK, HOURS_PER_DAY, MINUTES_PER_HOUR).mean(axis=2).T
    with style(lang):
        fig, ax = plt.subplots(figsize=(5.5, 6))
        # the scale starts at nobody: 11 agents beside 12 are nearly as dark, not white as an empty hour
        im = ax.imshow(grid, aspect="auto", cmap="Greys", origin="upper", vmin=0, vmax=max(grid.max(), 1.0))
        for h in range(24):
            for d in range(7):
                v = grid[h, d]
                # the text's colour from the cell's own shade, so that every number can be read
                ax.text(d, h, f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if im.norm(v) > 0.6 else "black")
        ax.set_xticks(range(7))
        ax.set_xticklabels(text("weekdays", lang))
        ax.set_yticks(range(0, 24, 2))
        ax.set_yticklabels([f"{h:02d}:00" for h in range(0, 24, 2)])
        ax.set_xlabel(text("weekday", lang))
        ax.set_ylabel(text("hour_of_day", lang))
        ax.grid(False)
        fig.colorbar(im, ax=ax, label=label)
        ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def roster_bars(rows: list[tuple[str, float, float, int, str]], title: str, lang: str = "en"):
    """Shifts as bars over the day: ``(label, start hour, length hours, agents, note)`` each."""
    with style(lang):
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
        for i, (label, start, length, agents, days) in enumerate(rows):
            y = len(rows) - 1 - i
            parts = [(start, min(length, 24 - start))]
            if start + length > 24:                       # crosses midnight: draw the morning part too
                parts.append((0, start + length - 24))
            for left, width in parts:
                ax.barh(y, width, left=left, color=COLORS[i % len(COLORS)], hatch=HATCHES[i % len(HATCHES)],
                        edgecolor="white", height=0.7)
            ax.text(min(start + length, 24) + 0.1 if start + length <= 23 else start - 0.1, y,
                    text("shift_agents", lang, n=agents, days=days), va="center", ha="left" if start + length <= 23 else "right", fontsize=7)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r[0] for r in rows][::-1], fontsize=7)
        ax.set_xlim(0, 24)
        ax.set_xticks(range(0, 25, 2))
        ax.set_xlabel(text("roster_axis", lang))
        ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def observed_vs_simulated(labels: list[str], figures: dict[str, tuple], ylabels: dict[str, str], title: str,
                          xlabel: str, lang: str = "en"):
    """One panel per figure: observed points and simulated means with 95% bands.

    ``figures[name] = (observed, simulated mean, low, high)`` lists over labels.
    """
    with style(lang):
        fig, axes = plt.subplots(len(figures), 1, figsize=(9, 2.2 * len(figures) + 0.6), sharex=True, squeeze=False)
        x = np.arange(len(labels))
        for ax, (name, (obs, mean, low, high)) in zip(axes[:, 0], figures.items()):
            obs, mean, low, high = (np.array([np.nan if v is None else v for v in a], dtype=float)
                                    for a in (obs, mean, low, high))
            ax.fill_between(x, low, high, color=COLORS[0], alpha=0.18, linewidth=0, label="simulated 95% interval")
            ax.plot(x, mean, color=COLORS[0], linestyle="-", marker="o", markersize=3, label="simulated mean")
            ax.plot(x, obs, color=COLORS[1], linestyle="--", marker="s", markersize=3, label="observed")
            if name in ("abandon_rate", "service_level"):
                _percent_axis(ax, ylabels[name])
            else:
                ax.set_ylabel(ylabels[name])
        step = max(1, len(labels) // 15)
        axes[-1, 0].set_xticks(x[::step])
        axes[-1, 0].set_xticklabels([labels[i] for i in range(0, len(labels), step)], rotation=45, ha="right")
        axes[-1, 0].set_xlabel(xlabel)
        axes[0, 0].set_title(title, loc="left")
        axes[0, 0].legend(loc="upper right", ncol=3)
        fig.tight_layout()
    return fig


def seats_curve(seats: np.ndarray, series: dict[str, tuple], ylabel: str, title: str, target: float | None = None,
                lang: str = "en", xlabel: str | None = None, top: float | None = 1.02, marks=()):
    """Service level (or another share) against seats: ``series[name] = (mean, low, high)`` over ``seats``;
    ``marks``: values of the x axis to mark with a dotted line (the first meeting the goals)."""
    with style(lang):
        fig, ax = plt.subplots(figsize=(6.5, 3.8))
        for i, (name, (mean, low, high)) in enumerate(series.items()):
            st = series_style(i)
            st["markevery"] = 1
            ax.plot(seats, mean, label=name, linewidth=1.3, **st)
            ax.fill_between(seats, low, high, color=st["color"], alpha=0.15, linewidth=0)
        if target is not None:
            ax.axhline(target, color="black", linewidth=0.8, linestyle=(0, (4, 2)))
        for x in sorted(set(marks)):
            ax.axvline(x, color="#17612e", linewidth=1.0, linestyle=":")
            ax.annotate(text("first_meeting", lang), (x, 0.02), xycoords=("data", "axes fraction"), rotation=90,
                        fontsize=8, color="#17612e", ha="right", va="bottom")
        ax.set_xlabel(xlabel or text("agents", lang))
        _value_axis(ax, ylabel, True, top)
        ax.set_title(title, loc="left")
        ax.legend(loc="lower right")
        fig.tight_layout()
    return fig
