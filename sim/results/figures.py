"""Every figure the tool reports, defined once, from the runs' sums, at any grain.

``FIGURES`` names each figure with its unit, its definition and the kind of
interval that suits it; ``compute`` turns sums (counts, sums of waits, wait
histograms, agent time) into figures, for any leading shape; ``table`` does
it for a run at a grain (``sim.results.grains``) and gives each figure's
estimate over replications.  Summary files, interval tables, comparisons, the
planner's checks, replays and briefings all take their figures from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.counters import N_BINS, POOL_SUMS, WAIT_EDGES_SECONDS
from sim.results.estimate import NONNEGATIVE, SHARE, Estimate
from sim.results.grains import GrainSums, grain_sums


@dataclass(frozen=True)
class Figure:
    """What a figure measures: ``unit``, ``definition``, the ``kind`` of its interval, where it is reported."""
    unit: str
    definition: str
    kind: str = NONNEGATIVE         # SHARE: a share from 0 to 1; NONNEGATIVE: 0 and up
    scopes: str = "all"             # "all", "lines" (what callers lived through) or "pools" (agents)


FIGURES = {
    "offered": Figure("calls", "calls that arrived in the period after warm-up (redials count again), per "
                               "replication"),
    "answered": Figure("calls", "offered calls an agent answered"),
    "abandoned": Figure("calls", "offered calls that hung up before an agent answered"),
    "answered_within_threshold": Figure("calls", "answered calls that waited no longer than the threshold"),
    "abandoned_within_threshold": Figure("calls", "abandoned calls that hung up within the threshold "
                                                  "(short abandons)"),
    "service_level": Figure("share of offered", "answered within the threshold / offered", SHARE),
    "abandon_rate": Figure("share of offered", "calls hung up before an answer / offered", SHARE),
    "asa_seconds": Figure("seconds", "mean wait of answered calls (average speed of answer)"),
    "mean_wait_seconds": Figure("seconds", "mean wait of all offered calls; abandoned calls count their time "
                                           "in queue"),
    "wait_p50_seconds": Figure("seconds", "median wait of answered calls"),
    "wait_p90_seconds": Figure("seconds", "90th percentile of the wait of answered calls"),
    "wait_p95_seconds": Figure("seconds", "95th percentile of the wait of answered calls"),
    "callers": Figure("callers", "distinct callers: first attempts only, redials left out", scopes="lines"),
    "redials": Figure("calls", "offered calls that were a caller's second or later attempt", scopes="lines"),
    "callers_served_share": Figure("share of callers", "callers answered at some attempt / distinct callers",
                                   SHARE, "lines"),
    "transferred": Figure("calls", "answered calls handed to another pool after triage", scopes="lines"),
    "transfer_abandoned": Figure("calls", "transferred calls whose caller hung up before the other pool "
                                          "answered", scopes="lines"),
    "transfer_wait_seconds": Figure("seconds", "mean second wait of transferred calls: connection plus queue, "
                                               "until answered or hung up", scopes="lines"),
    "resolved_share": Figure("share of offered", "offered calls that reached the agent who finishes them "
                                                 "(answered, and when transferred, answered again) / offered",
                             SHARE, "lines"),
    "abandon_rate_end_to_end": Figure("share of offered", "calls lost on the way: hung up before the first "
                                                          "answer or during a transfer / offered", SHARE, "lines"),
    "time_to_resolver_seconds": Figure("seconds", "mean time from arrival until the agent who finishes the call "
                                                  "answers (wait, plus triage and second wait when transferred)",
                                       scopes="lines"),
    "overflowed": Figure("calls", "calls answered by another pool's agent after waiting past the overflow time",
                         scopes="lines"),
    "closed_callers": Figure("callers", "callers who called while their line was closed (first attempts): put "
                                        "through to another line's agents, or left a message or callback request",
                             scopes="lines"),
    "messages": Figure("callers", "callers of a closed line who left a message or a callback request instead of "
                                  "being put through; not in offered calls", scopes="lines"),
    "occupancy": Figure("share of time on duty", "busy agent time (inbound, after-call work and outbound, "
                                                 "overtime at a shift's end included) / agent time on duty",
                        scopes="pools"),
    "agents_on_duty": Figure("agents", "mean number of agents on duty over the period", scopes="pools"),
    "outbound_created": Figure("calls", "outbound jobs created (callbacks of missed calls, return visits)",
                               scopes="pools"),
    "outbound_made": Figure("calls", "outbound calls started by agents", scopes="pools"),
    "outbound_on_time": Figure("calls", "outbound calls started within their window", scopes="pools"),
    "outbound_agent_hours": Figure("agent-hours", "agent time of the outbound calls started in the period",
                                   scopes="pools"),
    "outbound_share": Figure("share of busy time", "outbound agent time / busy agent time", SHARE, "pools"),
}
# The figures a manager reads first, in this order, in every table, comparison, sweep and briefing,
# with the short heading text tables give them.
HEADLINE = ("agents_on_duty", "service_level", "abandon_rate", "asa_seconds", "resolved_share", "transferred",
            "outbound_share", "occupancy")
SHORT = {"agents_on_duty": "agents on duty", "service_level": "SL", "abandon_rate": "abandoned",
         "asa_seconds": "ASA s", "resolved_share": "resolved", "transferred": "transfers",
         "outbound_share": "outbound", "occupancy": "occupancy", "offered": "offered calls",
         "mean_wait_seconds": "wait s", "wait_p90_seconds": "p90 wait s"}


def shown_as(figure: str) -> str:
    """How a figure is written: "percent" (a share), "count" (calls, callers) or "number" (seconds, agents)."""
    f = FIGURES[figure]
    if f.unit.startswith("share"):
        return "percent"
    return "count" if f.unit in ("calls", "callers") else "number"
PERCENTILES = {"wait_p50_seconds": 0.50, "wait_p90_seconds": 0.90, "wait_p95_seconds": 0.95}
SECONDS_PER_HOUR = 3600.0


def reported(figure: str, kind: str, provincial: bool = False) -> bool:
    """Whether ``figure`` belongs to a scope of ``kind`` ("total", "line", "pool")."""
    if provincial:
        return figure == "offered"
    where = FIGURES[figure].scopes
    return where == "all" or kind == "total" or (where == "lines") == (kind == "line")


def compute(q: dict[str, np.ndarray], hist: np.ndarray, period_seconds) -> dict[str, np.ndarray]:
    """Every figure the sums ``q`` allow, for any leading shape; ratios of nothing are nan.

    ``q`` holds the queue sums and the line or pool sums that apply; ``hist`` the
    wait histograms (bins last); ``period_seconds`` the reported time of each
    group (broadcast against the sums).
    """
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        offered, answered = q["offered"], q["answered"]
        out.update({
            "offered": offered,
            "answered": answered,
            "abandoned": offered - answered,
            "answered_within_threshold": q["answered_within"],
            "abandoned_within_threshold": q["abandoned_within"],
            "service_level": q["answered_within"] / offered,
            "abandon_rate": (offered - answered) / offered,
            "asa_seconds": q["wait_answered"] / answered,
            "mean_wait_seconds": q["wait_all"] / offered,
        })
        for name, p in PERCENTILES.items():
            out[name] = percentile(hist, p) if hist is not None else np.full(np.shape(offered), np.nan)
        if "callers" in q:
            out.update({
                "callers": q["callers"],
                "redials": offered - q["callers"],
                "callers_served_share": q["callers_served"] / q["callers"],
                "transferred": q["transferred"],
                "transfer_abandoned": q["transfer_abandoned"],
                "transfer_wait_seconds": q["transfer_wait"] / q["transferred"],
                "resolved_share": q["resolved"] / offered,
                "abandon_rate_end_to_end": (offered - answered + q["transfer_abandoned"]) / offered,
                "time_to_resolver_seconds": q["resolver_wait"] / q["resolved"],
                "overflowed": q["overflowed"],
                "closed_callers": q["closed_callers"],
                "messages": q["messages"],
            })
        if "busy_seconds" in q:
            out.update({
                "occupancy": q["busy_seconds"] / q["staffed_seconds"],
                "agents_on_duty": q["staffed_seconds"] / period_seconds,
                "outbound_created": q["outbound_created"],
                "outbound_made": q["outbound_made"],
                "outbound_on_time": q["outbound_on_time"],
                "outbound_agent_hours": q["outbound_seconds"] / SECONDS_PER_HOUR,
                "outbound_share": q["outbound_seconds"] / q["busy_seconds"],
            })
    return out


def percentile(hist: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of waits from histograms (last axis), linear within a bin; nan if empty.

    Done a few thousand histograms at a time: replications times groups times
    scopes at once would need hundreds of megabytes of temporary arrays.
    """
    if hist.ndim > 2 or (hist.ndim == 2 and hist.shape[0] > PERCENTILE_ROWS):
        flat = hist.reshape(-1, hist.shape[-1])
        parts = [_percentile(flat[i:i + PERCENTILE_ROWS], q) for i in range(0, len(flat), PERCENTILE_ROWS)]
        return (np.concatenate(parts) if parts else np.zeros(0)).reshape(hist.shape[:-1])
    return _percentile(hist, q)


PERCENTILE_ROWS = 4096


def _percentile(hist: np.ndarray, q: float) -> np.ndarray:
    cum = np.cumsum(hist, axis=-1, dtype=np.int64)
    n = cum[..., -1:]
    target = q * n
    idx = np.minimum((cum < target).sum(axis=-1, keepdims=True), N_BINS - 1)
    before = np.take_along_axis(cum, np.maximum(idx - 1, 0), axis=-1) * (idx > 0)
    inside = np.take_along_axis(hist, idx, axis=-1).astype(float)
    low = WAIT_EDGES_SECONDS[np.maximum(idx - 1, 0)] * (idx > 0)
    high = WAIT_EDGES_SECONDS[idx]
    high = np.where(np.isinf(high), low, high)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(inside > 0, (target - before) / inside, 0.0)
        value = np.where(idx == 0, 0.0, low + frac * (high - low))
    value = np.where(n > 0, value, np.nan)
    return value[..., 0]


@dataclass
class FigureTable:
    """Every figure of a run at one grain.

    ``values[f]`` holds each replication's figure, shape (replications, groups,
    scopes); ``scopes`` are ("total", "all"), then ("line", id) and ("pool", id);
    ``labels`` name the groups.  ``estimate`` gives the mean and 95% interval.
    """
    grain: str
    labels: list
    scopes: list[tuple[str, str]]
    provincial: tuple[str, ...]
    values: dict[str, np.ndarray]

    def scope(self, kind: str = "total", ident: str = "all") -> int:
        return self.scopes.index((kind, ident))

    def has(self, kind: str, ident: str) -> bool:
        return (kind, ident) in self.scopes

    def reports(self, figure: str, kind: str, ident: str) -> bool:
        return reported(figure, kind, kind == "line" and ident in self.provincial)

    def per_replication(self, figure: str, kind: str = "total", ident: str = "all", group=slice(None)):
        """The figure in each replication: (replications,) for one group, (replications, groups) for all."""
        return self.values[figure][:, group, self.scope(kind, ident)]

    def estimate(self, figure: str, kind: str = "total", ident: str = "all", group=slice(None)) -> Estimate:
        """Mean over replications and the 95% interval that suits the figure."""
        return Estimate.of(self.per_replication(figure, kind, ident, group), FIGURES[figure].kind)

    def estimates(self, figure: str) -> Estimate:
        """The estimate of every (group, scope) at once."""
        return Estimate.of(self.values[figure], FIGURES[figure].kind)


def table(run, grain: str = "whole") -> FigureTable:
    """Every figure of ``run`` (a ``sim.run.runs.RunResult``) at ``grain``, per replication and scope."""
    gs = grain_sums(run, grain)
    return FigureTable(grain, gs.labels, scopes_of(run.layout), run.layout.provincial, scope_values(gs, run.layout))


def scopes_of(layout) -> list[tuple[str, str]]:
    """Total, then each line, then each pool."""
    return [("total", "all")] + [("line", line) for line in layout.lines] + [("pool", pool) for pool in layout.pools]


def scope_values(gs: GrainSums, layout) -> dict[str, np.ndarray]:
    """Figures per (replication, group, scope) from a grain's sums."""
    city = np.asarray([line not in layout.provincial for line in layout.lines])
    lines, pools = gs.lines, gs.pools
    total = {name: values[..., city].sum(axis=-1, keepdims=True) for name, values in lines.items()}
    total.update({name: pools[name].sum(axis=-1, keepdims=True) for name in POOL_SUMS})
    total_hist = gs.lines_hist[..., city, :].sum(axis=-2, keepdims=True) if gs.lines_hist is not None else None
    period = gs.periods[None, :, None]
    parts = [compute(total, total_hist, period), compute(lines, gs.lines_hist, period),
             compute(pools, gs.pools_hist, period)]
    out = {}
    for name in FIGURES:
        pieces = [part.get(name) for part in parts]
        if all(piece is None for piece in pieces):
            continue
        shapes = [part["offered"].shape for part in parts]
        out[name] = np.concatenate([piece if piece is not None else np.full(shape, np.nan)
                                    for piece, shape in zip(pieces, shapes)], axis=-1)
    for j, line in enumerate(layout.lines):        # provincial lines: only what was offered is known
        if line in layout.provincial:
            for name in out:
                if name != "offered":
                    out[name][..., 1 + j] = np.nan
    return out


def precision_warnings(run) -> list[str]:
    """One line for each headline figure of ``run`` whose interval is wider than useful (see
    ``estimate.USEFUL_HALF_WIDTH``), with the replications that would narrow it enough."""
    from sim.results.estimate import USEFUL_HALF_WIDTH, replications_needed

    t = table(run, "whole")
    out = []
    for figure, useful in USEFUL_HALF_WIDTH.items():
        e = t.estimate(figure, group=0)
        needed = replications_needed(e, run.replications, useful)
        if needed > run.replications:
            out.append(f"{run.layout.name}: with {run.replications} replications the {figure.replace('_', ' ')} "
                       f"is known to ±{100 * float(e.half_width()):.1f} points (95% interval), wider than the "
                       f"±{100 * useful:g} percentage point{'s' if useful != 0.01 else ''} a comparison needs; about {needed} replications would do (-r {needed})")
    return out
