"""Reading fields out of a parsed YAML mapping, with errors that say where.

A ``Node`` is a mapping plus its place (file and dotted field path), so every
check can name the exact field the user has to fix.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from sim.errors import ScenarioError
from sim.input.limits import NAME_RULE, Limit, is_carried_name

_ENDLESS_PATIENCE = "; callers who never hang up are written by leaving patience_seconds out"

_MISSING = object()
_NUMBER_IN_TEXT = re.compile(r"^\s*[-+]?[0-9][0-9,_ ]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\s*(?P<unit>%|[A-Za-z]+)?\s*$")
_SHOWN_CHARACTERS = 60     # of a text value quoted in a message, so that it stays one readable line
LABEL_LANGUAGES = ("en", "zh")
LABEL_CHARACTERS = 60
_PERCENT = 100             # a share above 1 and up to this was meant as a percentage


class Node:
    """A mapping from a scenario file, and where it sits in that file."""

    def __init__(self, data: Any, source: str, path: str = ""):
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            self.fail(f"must be a mapping of fields, got {describe(data)}")
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
        for name in sub.data:
            if not str(name).strip():
                sub.fail(f"an entry's name is empty ({str(name)!r}); give each a name such as '12345' or general")
        return {str(name): Node(value, self.source, sub.field(str(name)))
                for name, value in sub.data.items()}

    def number(self, key: str, default: Any = _MISSING, *, minimum: float | None = None,
               above: float | None = None, maximum: float | None = None, limit: Limit | None = None) -> float:
        """The field as a finite float within the bounds (``limit``: one of ``sim.input.limits``)."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return self.check_number(value, key, minimum=minimum, above=above, maximum=maximum, limit=limit)

    def check_number(self, value: Any, key: str, *, minimum=None, above=None, maximum=None,
                     limit: Limit | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(f"must be a number, got {describe(value)}{_text_hint(value)}", key)
        self._within(value, key, minimum, above, maximum, limit)
        return float(value)

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int | None = None,
                limit: Limit | None = None) -> int:
        """The field as a whole number within the bounds (``10.0`` and ``1e3`` count as whole)."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(f"must be a whole number, got {describe(value)}{_text_hint(value)}", key)
        self._within(value, key, minimum, None, None, limit)
        if not float(value).is_integer():
            self.fail(f"must be a whole number, got {describe(value)}", key)
        return int(value)

    def _within(self, value: numbers.Real, key: str, minimum, above, maximum, limit: Limit | None):
        """Refuse values that are not finite or lie outside the bounds, saying the allowed range."""
        if not _finite(value):
            hint = _ENDLESS_PATIENCE if value > 0 and "patience_seconds" in self.field(key) else ""
            self.fail(f"must be a finite number, got {describe(value)}{hint}", key)
        unit = ""
        if limit is not None:
            if limit.low_open:
                above = limit.low
            else:
                minimum = limit.low
            maximum, unit = limit.high, f" {limit.unit}" if limit.unit else ""
        # the bound that binds is named: a cost factor of -1 was told "at least 0", and then 0 was refused
        if above is not None and (minimum is None or above >= minimum):
            if value <= above:
                self.fail(f"must be greater than {above:g}, got {describe(value)}", key)
        elif minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum:g}, got {describe(value)}", key)
        if maximum is not None and value > maximum:
            share = " (a share: 80% is 0.8)" if maximum == 1 and value <= _PERCENT else ""
            self.fail(f"must be at most {maximum:g}{unit}, got {describe(value)}{share}", key)

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.fail(f"must be text, got {describe(value)}", key)
        return str(value)

    def name(self, key: str, default: str, carrier: str = "the results") -> str:
        """A name written into results files (a shift's): one ``limits.is_carried_name`` accepts."""
        value = self.text(key, default)
        if not is_carried_name(value):
            self.fail(f"{describe(value)} is not a name {carrier} can carry: {NAME_RULE}", key)
        return value

    def file_name(self, key: str) -> str:
        """The name of a file the scenario reads (relative to the scenario's folder, or absolute)."""
        name = self.text(key)
        if "\0" in name:                # the operating system would refuse it, in a traceback
            self.fail(f"{name!r} holds a zero byte, which no file name can; give the file's own name", key)
        return name

    def label(self, key: str = "label") -> dict:
        """What people read for this entry, by language: text (every language) or {en: ..., zh: ...}."""
        if not self.has(key):
            return {}
        value = self.raw(key)
        if isinstance(value, dict):
            node = Node(value, self.source, self.field(key))
            node.unknown_keys(set(LABEL_LANGUAGES))
            out = {lang: node.text(lang).strip() for lang in LABEL_LANGUAGES if node.has(lang)}
        else:
            text = self.text(key).strip()
            out = {lang: text for lang in LABEL_LANGUAGES}
        if not out or not all(out.values()) or len(max(out.values(), key=len, default="")) > LABEL_CHARACTERS:
            self.fail(f"must be a short name people read (1 to {LABEL_CHARACTERS} characters), such as "
                      "阜南 or {en: Funan county, zh: 阜南}", key)
        return out

    def free_text(self, *keys: str) -> None:
        """Fields kept for people (description, source): text when given, never read further."""
        for key in keys:
            if self.has(key):
                self.text(key)

    def numbers(self, key: str, *, minimum: float | None = None, length: tuple[int, ...] | None = None,
                allow_empty: bool = False, limit: Limit | None = None) -> list[float]:
        value = self.raw(key)
        if not isinstance(value, list):
            self.fail(f"must be a list of numbers, got {describe(value)}", key)
        if not value and not allow_empty:
            self.fail("must not be empty", key)
        if length is not None and len(value) not in length:
            want = " or ".join(str(n) for n in length)
            self.fail(f"must have {want} values, got {len(value)}", key)
        return [self.check_number(v, f"{key}[{i}]", minimum=minimum, limit=limit) for i, v in enumerate(value)]

    def unknown_keys(self, allowed: set[str]) -> None:
        """Reject misspelt fields: a silently ignored key is a wrong answer later."""
        for key in self.data:
            if key not in allowed:
                self.fail(f"unknown field; expected one of: {', '.join(sorted(allowed))}", str(key))


def describe(value: Any) -> str:
    """A value as an error message shows it: numbers as YAML spells them, containers by their kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (true/false)"
    if isinstance(value, numbers.Integral) and not _finite(value):
        return "a whole number too long for any field"
    if isinstance(value, numbers.Real) and not _finite(value):
        return ".nan" if value != value else (".inf" if value > 0 else "-.inf")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and len(value) > _SHOWN_CHARACTERS:
        return repr(value[:_SHOWN_CHARACTERS] + "...")
    if isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _finite(value: numbers.Real) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:         # an integer too long for a float
        return False


def _text_hint(value: Any) -> str:
    """What to do about a number written as text: in quotes, with separators, a unit or a percent sign."""
    if not isinstance(value, str):
        return ""
    match = _NUMBER_IN_TEXT.match(value)
    if match is None:
        return ""
    if match["unit"] == "%":
        return " (write a share as a fraction: 80% is 0.8)"
    if match["unit"]:
        return " (write the number alone: the field's name says its unit)"
    return " (text: write the number without quotes or separators)"
