"""The scenario's routing, compiled to indices for the model.

Lines, pools and categories become integers; each category knows the pool
that finishes it, whether a transfer is needed (and which kind), and its
priority level.  Built once per scenario; the hot loop only indexes lists.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    entry_pool: list[int]       # per line; -1 for provincial lines
    routes: list[Route]         # global category index -> route
    line_routes: list[list[int]]  # per line: its global category indices
    levels: list[int]           # distinct priorities, lowest (answered first) first
    overflow: list[list[tuple[int, float, float]]]  # per pool: (target pool, after s, handle factor)

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
    overflow = [[] for _ in pool_ids]
    for rule in s.overflows:
        overflow[pool_ids.index(rule.source)].append(
            (pool_ids.index(rule.target), rule.after_seconds, rule.handle_factor))
    return Routes(pool_ids, line_ids, entry, routes, line_routes, levels, overflow)
