"""Sweeps: a grid of scenario variants, each a change of one or more fields.

``--vary pools.general.seats=40:80:2`` takes 40, 42, ..., 80 (both ends
included); ``--vary lines.12345.arrivals.scale=1.0,1.2,1.55`` takes the listed
values.  Several ``--vary`` make the grid of all combinations.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .scenario import from_dict
from .spec import Scenario


@dataclass(frozen=True)
class Vary:
    path: tuple[str, ...]
    values: tuple

    @property
    def name(self) -> str:
        return ".".join(self.path)


def parse_vary(text: str) -> Vary:
    """``a.b.c=40:80:2`` or ``a.b.c=1.0,1.2``."""
    if "=" not in text:
        raise ScenarioError("--vary", text, "must look like FIELD.PATH=START:STOP:STEP or FIELD.PATH=V1,V2,...")
    path, spec = text.split("=", 1)
    try:
        if ":" in spec:
            start, stop, step = (float(x) for x in spec.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            values = np.arange(start, stop + step / 2, step)
        else:
            values = [float(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError("--vary", text, f"{spec!r} is not START:STOP:STEP (STEP > 0) or a list V1,V2,...") from None
    if len(values) == 0:
        raise ScenarioError("--vary", text, "gives no values")
    values = tuple(int(v) if float(v).is_integer() else float(v) for v in values)
    return Vary(tuple(path.split(".")), values)


def set_field(raw: dict, vary: Vary, value) -> None:
    """Set ``raw[path] = value``; the field's parent must exist in the scenario."""
    node = raw
    for i, key in enumerate(vary.path[:-1]):
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError("--vary", vary.name, f"the scenario has no field {'.'.join(vary.path[:i + 1])}")
        node = node[key]
    if not isinstance(node, dict):
        raise ScenarioError("--vary", vary.name, f"{'.'.join(vary.path[:-1])} is not a mapping of fields")
    node[vary.path[-1]] = value


def variants(s: Scenario, varies: list[Vary]) -> list[tuple[dict, Scenario]]:
    """Every combination: (the values chosen, the validated scenario)."""
    out = []
    base_dir = Path(s.source).parent if Path(s.source).is_file() else None
    for combo in itertools.product(*(v.values for v in varies)):
        raw = copy.deepcopy(s.raw)
        raw.pop("base", None)
        chosen = {}
        for vary, value in zip(varies, combo):
            set_field(raw, vary, value)
            chosen[vary.name] = value
        raw["name"] = f"{s.name} " + " ".join(f"{k.split('.')[-1]}={v}" for k, v in chosen.items())
        try:
            out.append((chosen, from_dict(raw, s.source, base_dir)))
        except ScenarioError as exc:
            raise ScenarioError("--vary", ", ".join(f"{k}={v}" for k, v in chosen.items()),
                                f"makes the scenario invalid: {exc}") from None
    return out
