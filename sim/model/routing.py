"""The scenario's routing, compiled to indices for the model.

Lines, pools and categories become integers; each category knows the pool
that finishes it, whether a transfer is needed (and which kind), and its
priority level.  Built once per scenario; the hot loop only indexes lists.

The model routes calls by *entry*, not by line: entry ``j`` below the number
of lines is line ``j`` while it is open; a line whose closed hours send its
callers ``to`` another line has a second entry (after all lines) whose calls
join that line's pool, which answers and finishes them itself (plain
categories, no transfer).  Counts are kept per line (``entry_line``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sim.input.spec import Category, Scenario
from sim.model.codes import COLD, PLAIN, WARM


@dataclass(frozen=True)
class Route:
    """One category of one line."""
    line: int
    category: Category
    entry_pool: int             # pool whose queue the call joins first
    finish_pool: int            # pool that finishes it
    kind: int                   # a codes.Route: PLAIN, COLD or WARM
    level: int                  # index of its priority among the scenario's priorities


@dataclass(frozen=True)
class Routes:
    pool_ids: list[str]
    line_ids: list[str]
    entry_pool: list[int]       # per entry; -1 for provincial lines
    routes: list[Route]         # global category index -> route
    line_routes: list[list[int]]  # per entry: its global category indices
    levels: list[int]           # distinct priorities, lowest (answered first) first
    overflow: list[list[tuple[int, float, float]]]  # per pool: (target pool, after s, handle factor)
    entry_line: list[int]       # per entry: the line whose callers it carries
    closed_entry: list[int]     # per line: the entry of its callers while closed (put through), else -1

    @property
    def has_transfers(self) -> bool:
        return any(r.kind != PLAIN for r in self.routes)


def compile_routes(s: Scenario) -> Routes:
    pool_ids = list(s.pools)
    line_ids = list(s.lines)
    levels = sorted({c.priority for line in s.city_lines for c in line.categories}) or [0]
    entry = [pool_ids.index(line.pool) if line.pool is not None else -1 for line in s.lines.values()]
    routes, line_routes = [], []
    for j, line in enumerate(s.lines.values()):
        mine = []
        for c in line.categories:
            if c.transfer_to is None:
                finish, kind = entry[j], PLAIN
            else:
                finish = pool_ids.index(s.lines[c.transfer_to].pool)
                kind = WARM if c.transfer.kind == "warm" else COLD
            mine.append(len(routes))
            routes.append(Route(j, c, entry[j], finish, kind, levels.index(c.priority)))
        line_routes.append(mine)
    entry_line, closed_entry = list(range(len(line_ids))), [-1] * len(line_ids)
    for j, line in enumerate(s.lines.values()):
        if line.when_closed is None or line.when_closed.kind != "to":
            continue
        target = pool_ids.index(s.lines[line.when_closed.to].pool)
        closed_entry[j] = len(entry)
        entry.append(target)
        entry_line.append(j)
        mine = []
        for g in line_routes[j]:
            mine.append(len(routes))
            routes.append(replace(routes[g], entry_pool=target, finish_pool=target, kind=PLAIN))
        line_routes.append(mine)
    overflow = [[] for _ in pool_ids]
    for rule in s.overflows:
        overflow[pool_ids.index(rule.source)].append(
            (pool_ids.index(rule.target), rule.after_seconds, rule.handle_factor))
    return Routes(pool_ids, line_ids, entry, routes, line_routes, levels, overflow, entry_line, closed_entry)
