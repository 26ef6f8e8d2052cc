"""Reading fields out of a parsed YAML mapping, with errors that say where.

A ``Node`` is a mapping plus its place (file and dotted field path), so every
check can name the exact field the user has to fix.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import ScenarioError

_MISSING = object()


class Node:
    """A mapping from a scenario file, and where it sits in that file."""

    def __init__(self, data: Any, source: str, path: str = ""):
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            self.fail(f"must be a mapping of fields, got {_kind(data)}")
        self.data = data

    # -- errors -------------------------------------------------------------
    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def fail(self, problem: str, key: str | None = None):
        raise ScenarioError(self.source, self.field(key) if key is not None else self.path, problem)

    # -- access -------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.fail("is missing (required)", key)
        return default

    def child(self, key: str, default: Any = _MISSING) -> Node | None:
        value = self.raw(key, default)
        if value is None and default is None:
            return None
        return Node(value, self.source, self.field(key))

    def children(self, key: str) -> dict[str, Node]:
        """A mapping of named entries (lines, pools), each as a Node."""
        sub = self.child(key)
        if not sub.data:
            sub.fail("must name at least one entry")
        return {str(name): Node(value, self.source, sub.field(str(name)))
                for name, value in sub.data.items()}

    def number(self, key: str, default: Any = _MISSING, *, minimum: float | None = None,
               above: float | None = None, maximum: float | None = None) -> float:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return self.check_number(value, key, minimum=minimum, above=above, maximum=maximum)

    def check_number(self, value: Any, key: str, *, minimum=None, above=None, maximum=None) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            self.fail(f"must be a number, got {_kind(value)}", key)
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum:g}, got {value:g}", key)
        if above is not None and value <= above:
            self.fail(f"must be greater than {above:g}, got {value:g}", key)
        if maximum is not None and value > maximum:
            self.fail(f"must be at most {maximum:g}, got {value:g}", key)
        return float(value)

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, numbers.Real) and float(value).is_integer():
                value = int(value)
            else:
                self.fail(f"must be a whole number, got {_kind(value)}", key)
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}, got {value}", key)
        return int(value)

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.fail(f"must be text, got {_kind(value)}", key)
        return str(value)

    def numbers(self, key: str, *, minimum: float | None = None, length: tuple[int, ...] | None = None,
                allow_empty: bool = False) -> list[float]:
        value = self.raw(key)
        if not isinstance(value, list):
            self.fail(f"must be a list of numbers, got {_kind(value)}", key)
        if not value and not allow_empty:
            self.fail("must not be empty", key)
        if length is not None and len(value) not in length:
            want = " or ".join(str(n) for n in length)
            self.fail(f"must have {want} values, got {len(value)}", key)
        return [self.check_number(v, f"{key}[{i}]", minimum=minimum) for i, v in enumerate(value)]

    def unknown_keys(self, allowed: set[str]) -> None:
        """Reject misspelt fields: a silently ignored key is a wrong answer later."""
        for key in self.data:
            if key not in allowed:
                self.fail(f"unknown field; expected one of: {', '.join(sorted(allowed))}", str(key))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (true/false)"
    if isinstance(value, (int, float, str)):
        return repr(value)
    return type(value).__name__
