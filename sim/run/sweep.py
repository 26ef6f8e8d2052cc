"""Sweeps: a grid of scenario variants, each a change of one or more fields.

``--vary pools.general.agents=40:80:2`` takes 40, 42, ..., 80 (both ends
included); ``--vary lines.12345.arrivals.scale=1.0,1.2,1.55`` takes the listed
values; ``pools.general.shifts[1].agents`` reaches the second shift of a pool and
``volume_factor`` the whole demand; a line or pool whose name has dots is written as it is
(``lines.12345.1.arrivals.per_hour``).  Several ``--vary`` make the grid of all combinations, of at most
``MAX_VARIANTS`` variants: larger grids are refused before a value is built.
"""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path

from sim.errors import OptionError, ScenarioError
from sim.input.limits import MAX_VARIANTS
from sim.input.scenario import from_dict
from sim.input.spec import Scenario

# The largest grid a sweep runs: every variant is a validated scenario held in
# memory and simulated replications times; far beyond this a sweep would never
# end, so it is a typo (1e9 for 1e3), refused before the grid is built.


@dataclass(frozen=True)
class Vary:
    path: tuple[str, ...]
    values: tuple

    @property
    def name(self) -> str:
        return ".".join(self.path)


def parse_vary(text: str) -> Vary:
    """``a.b.c=40:80:2`` (both ends included) or ``a.b.c=1.0,1.2``; OptionError if malformed or too long."""
    usage = "must look like FIELD.PATH=START:STOP:STEP or FIELD.PATH=V1,V2,..."
    if "=" not in text:
        raise OptionError("--vary", text, usage)
    path, spec = text.split("=", 1)
    if not all(path.split(".")):
        raise OptionError("--vary", text, f"{path!r} is not a field path; {usage}")
    malformed = OptionError("--vary", text, f"{spec!r} is not START:STOP:STEP (finite, STEP > 0, STOP >= START) "
                            "or a list V1,V2,...")
    if ":" not in spec and any(not x.strip() for x in spec.split(",")[:-1]):
        raise OptionError("--vary", text, f"{spec!r} has an empty value between commas; give each value once")
    try:
        if ":" in spec:
            start, stop, step = (float(x) for x in spec.split(":"))
        else:
            values = [float(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        if ":" not in spec and "," in spec:     # a list, of text: general,nope
            raise OptionError("--vary", text, f"{spec!r} holds values that are not numbers; only numbers can be "
                              "varied (make a scenario file for each other value)") from None
        raise malformed from None
    for written in spec.replace(":", ",").split(","):
        if written.strip() and float(written) == 0 and Decimal(written.strip()) != 0:
            raise OptionError("--vary", text, f"{written.strip()} is too small for a number here (it would be 0); "
                              "write 0, or a value above 1e-300")
    if ":" in spec:
        if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(step)) or step <= 0 or stop < start:
            raise malformed
        _check_count(text, (stop + step / 2 - start) / step)      # before a single value is made
        low, high, by = (Decimal(x.strip()) for x in spec.split(":"))      # as written: 0.1:0.5:0.1 reaches 0.5
        if (high - low) % by:
            below = low + (high - low) // by * by
            raise OptionError("--vary", text, f"STOP {high:f} is not START plus a whole number of steps of {by:f} "
                              f"(both ends are included): write {low:f}:{below:f}:{by:f} or "
                              f"{low:f}:{below + by:f}:{by:f}")
        # in decimal, as written, then the nearest float: 0.1:0.5:0.1 gives 0.3, not 0.30000000000000004
        values = [float(low + k * by) for k in range(int((high - low) / by) + 1)]
        if len(set(values)) < len(values):
            raise OptionError("--vary", text, f"STEP {by:f} is finer than a number near {high:f} can tell apart; "
                              "take a coarser STEP")
    elif not all(math.isfinite(v) for v in values):
        raise malformed
    if len(values) == 0:
        raise OptionError("--vary", text, "gives no values")
    _check_count(text, len(values))
    # whole numbers as int (seats: 3, not 3.0), unless too large to print (1e300 has 301 digits)
    values = tuple(int(v) if float(v).is_integer() and abs(v) < 1e15 else float(v) for v in values)
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise OptionError("--vary", text, f"gives the value {twice[0]:g} more than once; give each value once")
    return Vary(tuple(path.split(".")), values)


def _check_count(text: str, count: float) -> None:
    if not count <= MAX_VARIANTS:
        how_many = (f"{math.ceil(count):,}" if count < 1e15 else f"{count:.3g}") if math.isfinite(count) else "countless"
        raise OptionError("--vary", text, f"gives {how_many} values, more than the {MAX_VARIANTS:,} variants a "
                          "sweep may run; take a coarser STEP")


# fields a variant may change that change none of its numbers: varying them runs the same variant again
_NO_EFFECT = {"name": "each variant is named after its values", "description": "it changes no figure",
              "replications": "give --replications", "planning": "a sweep simulates, it does not plan",
              "calibrated_from": "it records where a calibrated scenario came from", "label": "it names the scenario",
              "costs": "a sweep simulates, it does not cost"}


def check_grid(varies: list[Vary]) -> None:
    """Refuse a grid of more than MAX_VARIANTS variants (OptionError), before any variant is built; and a field
    varied twice, or one that changes no figure."""
    for i, vary in enumerate(varies):
        if vary.name in [v.name for v in varies[:i]]:
            raise OptionError("--vary", vary.name, "is given twice; give all its values in one --vary")
        top = vary.path[0]
        if top in _NO_EFFECT or top.startswith("x-"):
            why = _NO_EFFECT.get(top, "x- fields only hold anchors for other fields")
            raise OptionError("--vary", vary.name, f"varying it would run the same scenario again ({why}); "
                              "vary a field of the model, such as pools.<pool>.agents")
    sizes = [len(v.values) for v in varies]
    if math.prod(sizes) > MAX_VARIANTS:
        raise OptionError("--vary", " x ".join(map(str, sizes)), f"the grid has {math.prod(sizes):,} variants, more "
                          f"than the {MAX_VARIANTS:,} a sweep may run; vary fewer fields or take coarser steps")


_INDEXED = re.compile(r"^(?P<key>[^\[\]]+)(?P<index>(\[\d+\])*)$")


def _part_steps(part: str, vary: Vary) -> list:
    """One part of the path as a key and list positions: ``shifts[1]`` -> shifts, 1."""
    match = _INDEXED.match(part)
    if match is None:
        raise OptionError("--vary", vary.name, f"{part!r} is not a field name or name[position], e.g. shifts[1]")
    return [match["key"]] + [int(i) for i in re.findall(r"\[(\d+)\]", match["index"])]


def _steps(raw: dict, vary: Vary) -> list:
    """The path as keys and list positions: ``pools.general.shifts[1].agents`` -> pools, general, shifts, 1,
    agents.  A key may contain dots (a line named ``12345.1``): at a mapping of the scenario, the longest run
    of the path's parts that names one of its keys is that key."""
    parts, steps, node, i = vary.path, [], raw, 0
    while i < len(parts):
        j = i + 1
        if isinstance(node, dict):
            for k in range(len(parts), i + 1, -1):
                match = _INDEXED.match(".".join(parts[i:k]))
                if match is not None and match["key"] in node:
                    j = k
                    break
        for step in _part_steps(".".join(parts[i:j]), vary):
            steps.append(step)
            if isinstance(step, int):
                node = node[step] if isinstance(node, list) and step < len(node) else None
            else:
                node = node.get(step) if isinstance(node, dict) else None
        i = j
    return steps


def set_field(raw: dict, vary: Vary, value) -> None:
    """Set the field at ``vary.path`` (keys, and ``[i]`` for the i-th item of a list, counted from 0) to
    ``value``; its parent must exist in the scenario."""
    steps = _steps(raw, vary)
    node, walked = raw, []
    for step in steps[:-1]:
        if isinstance(step, int):
            if isinstance(node, dict):      # pools[0] where pools is a mapping: its entries have names
                names = ", ".join(map(str, list(node)[:5]))
                raise OptionError("--vary", vary.name, f"{_show(walked)} is a mapping, not a list: name the "
                                  f"entry ({names}), e.g. {_show(walked + [str(next(iter(node), 'name'))])}")
            if not isinstance(node, list) or step >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise OptionError("--vary", vary.name, f"{_show(walked)} has {size} items, counted from [0]; "
                                  f"there is no [{step}]")
        elif not isinstance(node, dict) or step not in node:
            raise OptionError("--vary", vary.name, f"the scenario has no field {_show(walked + [step])}")
        node = node[step]
        walked.append(step)
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise OptionError("--vary", vary.name, f"{_show(walked)} has no item [{last}]")
    elif not isinstance(node, dict):
        raise OptionError("--vary", vary.name, f"{_show(walked)} is not a mapping of fields")
    node[last] = value


def _show(steps: list) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")


def _unshared(value):
    """A copy in which no two places share a mapping or list: YAML aliases (``shifts: *shifts``) give several
    pools the same list, and a variant changes one field in one place."""
    if isinstance(value, dict):
        return {k: _unshared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshared(v) for v in value]
    return value


def variants(s: Scenario, varies: list[Vary]) -> list[tuple[dict, Scenario]]:
    """Every combination: (the values chosen, the validated scenario)."""
    check_grid(varies)
    out = []
    base_dir = Path(s.source).parent if Path(s.source).is_file() else None
    for combo in itertools.product(*(v.values for v in varies)):
        raw = _unshared(s.raw)
        raw.pop("base", None)
        chosen = {}
        for vary, value in zip(varies, combo):
            set_field(raw, vary, value)
            chosen[vary.name] = value
        raw["name"] = f"{s.name} " + " ".join(f"{k}={v}" for k, v in chosen.items())
        try:
            out.append((chosen, from_dict(raw, s.source, base_dir)))
        except ScenarioError as exc:
            raise OptionError("--vary", ", ".join(f"{k}={v}" for k, v in chosen.items()),
                                f"makes the scenario invalid: {exc}") from None
    return out
