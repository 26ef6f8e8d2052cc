"""YAML as people write scenario files: PyYAML's safe loader, corrected where YAML 1.1 misleads.

- ``1e9``, ``2.5e3`` and ``-2E5`` are numbers (YAML 1.1 wants a dot and a
  signed exponent, so PyYAML reads them as text).
- ``22:00``, ``012`` and ``2024-06-01`` stay text (YAML 1.1 reads base 60,
  octal and dates: 1320, 10, a date object; no field takes a date).
- Tags (``!!float 3``, ``!!python/...``) are refused: values are written plainly.
- Keys are the text as written: ``12345:`` and ``"12345":`` name the same
  line, and ``on:`` is the word, not true.
- A key written twice in one mapping is an error naming both lines (YAML
  would keep the last without a word).
- Tabs after the indentation read as spaces; a tab in the indentation is an
  error that says so.
- Aliases stay shared objects, never copies, so an alias bomb costs nothing;
  an alias inside the anchor it stands for (a loop) and nesting deeper than
  ``limits.NESTING_LEVELS`` are refused, so no reader of the data recurses
  without end.
"""

from __future__ import annotations

import re
import unicodedata

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from sim.errors import ScenarioError
from sim.input.limits import NESTING_LEVELS

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT = re.compile(r"^(?:[-+]?0b[01][01_]*|[-+]?0x[0-9a-fA-F][0-9a-fA-F_]*|[-+]?(?:0|[1-9][0-9_]*))$")
_FLOAT = re.compile(r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                        |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
                        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                        |[-+]?\.(?:inf|Inf|INF)
                        |\.(?:nan|NaN|NAN))$""", re.X)

# PyYAML's problem text -> what to do about it
_ADVICE = (
    ("found character '\\t' that cannot start any token",
     "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"),
    ("found unexpected end of stream", "a quote or bracket is not closed; is the file cut short?"),
    ("expected ',' or ']'", "a '[' is not closed by ']' on this line or the ones before it"),
    ("expected ',' or '}'", "a '{' is not closed by '}' on this line or the ones before it"),
    ("mapping values are not allowed here", "check this line's indentation, and quote a value that holds ': '"),
    ("could not find expected ':'", "a line inside a mapping without 'key: value'; check the colon and the "
                                    "indentation"),
    ("expected <block end>", "this line is indented differently from the lines of its mapping or list"),
    ("found undefined alias", "an *alias needs an &anchor of that name earlier in the same file"),
    ("expected a single document", "a scenario is one YAML document: remove the second '---'"),
    ("2002:merge'", "'<<' merges an anchored mapping and is written as a key: <<: *name"),
)


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with the corrections listed in this module's docstring."""

    def __init__(self, text: str, source: str):
        super().__init__(text)
        self.text = text
        self.source = source
        self._open: list[str | None] = []       # anchors of the nodes being composed, outermost first
        self._depth: dict[yaml.Node, int] = {}  # levels of collections below each composed node
        self._checked: set[yaml.Node] = set()   # mappings whose keys were checked for repeats

    def _fail(self, mark, problem: str):
        raise ScenarioError(self.source, f"line {line_of(self.text, mark)[0]}", problem)

    # -- composing: loops and depth, before anything walks the data -------------
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open:
                self._fail(event.start_mark, f"*{event.anchor} stands inside the &{event.anchor} it refers to "
                                             "(a loop); refer to something outside it")
            return super().compose_node(parent, index)
        if event.tag is not None:
            # a scenario holds plain values; tags only reach constructors that fail in odd ways
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self._fail(event.start_mark, f"the tag {tag} has no place in a scenario: remove it and write the "
                                         "value plainly")
        if len(self._open) >= NESTING_LEVELS:
            self._fail(event.start_mark, f"nested more than {NESTING_LEVELS} levels deep; a scenario needs "
                                         "about 6")
        self._open.append(event.anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open.pop()
        if isinstance(node, (MappingNode, SequenceNode)):
            children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else node.value
            depth = 1 + max((self._depth.get(child, 0) for child in children), default=0)
            if depth > NESTING_LEVELS:
                self._fail(node.start_mark, f"nested more than {NESTING_LEVELS} levels deep through aliases; "
                                            "a scenario needs about 6")
            self._depth[node] = depth
        return node

    # -- constructing mappings: keys as written, each once ----------------------
    def _key(self, node) -> str:
        if not isinstance(node, ScalarNode):
            self._fail(node.start_mark, "a key must be a name, not a list or mapping")
        return self._text(node)

    def _text(self, node) -> str:
        """A scalar's text, refused where an escape such as \\ud800 made half of a UTF-16 pair (no file can hold it)."""
        try:
            node.value.encode("utf-8")
        except UnicodeEncodeError as exc:
            self._fail(node.start_mark, f"holds \\u{ord(node.value[exc.start]):04x}, half of a UTF-16 pair, which "
                                        "is not a character: write the character itself")
        return node.value

    def construct_scalar(self, node):
        if isinstance(node, ScalarNode):
            self._text(node)
        return super().construct_scalar(node)

    def flatten_mapping(self, node):
        """Check the mapping's own keys while it is as written, then merge ``<<:`` in, one pair per key.

        Keeping one pair per key (the one that wins) stops merges of merges
        from growing the node exponentially.
        """
        if node not in self._checked:
            self._checked.add(node)
            first: dict[str, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self._key(key_node)
                if key in first:        # lines counted only now: counting them for every key is quadratic
                    line, earlier = (line_of(self.text, m)[0] for m in (key_node.start_mark, first[key]))
                    where = f"on line {line}" if earlier == line else \
                        f"in the same mapping (lines {earlier} and {line})"
                    self._fail(key_node.start_mark, f"{key!r} is given twice {where}; keep one")
                first[key] = key_node.start_mark
        super().flatten_mapping(node)
        winners = {}
        for key_node, value_node in node.value:
            winners[self._key(key_node)] = (key_node, value_node)
        node.value = list(winners.values())

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:        # Python refuses to convert integers of thousands of digits
            self._fail(node.start_mark, f"a number of {len(node.value)} digits; no field needs more than a few")

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        return {self._key(key_node): self.construct_object(value_node, deep=deep)
                for key_node, value_node in node.value}


ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ScenarioLoader.add_constructor(_INT_TAG, ScenarioLoader.construct_yaml_int)
ScenarioLoader.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
ScenarioLoader.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+0123456789."))


def _untab(text: str) -> str:
    """Tabs after a line's indentation become spaces (tabs in the indentation are left for the error)."""
    if "\t" not in text:
        return text
    return re.sub(r"(?m)^([ \t]*)(.*)$", lambda m: m[1] + m[2].replace("\t", " "), text)


# the line breaks an editor shows; YAML also breaks lines at U+0085, U+2028 and U+2029, which editors show
# inside a line, so YAML's own line numbers would point below the mistake
_EDITOR_BREAK = re.compile(r"\r\n|\r|\n")


def line_of(text: str, mark) -> tuple[int, int]:
    """The line and column (from 1) of a YAML mark as an editor counts them."""
    before = text[:mark.index]
    breaks = list(_EDITOR_BREAK.finditer(before))
    return len(breaks) + 1, len(before) - (breaks[-1].end() if breaks else 0) + 1


def _hidden_break(text: str, mark) -> str | None:
    """A line break only YAML sees (U+0085, U+2028, U+2029) on the editor's line of ``mark``, if any."""
    start = max(text.rfind("\n", 0, mark.index), text.rfind("\r", 0, mark.index)) + 1
    end = _EDITOR_BREAK.search(text, mark.index)
    found = re.search("[\u0085\u2028\u2029]", text[start:end.start() if end else len(text)])
    return found[0] if found else None


def load(text: str, source: str):
    """The one YAML document in ``text`` (None when empty); ScenarioError naming ``source`` and the line.

    Text is read in Unicode's composed form (NFC): 'café' typed with one character or with 'e' and an accent
    is one name, so a line's pool is found, and two keys that look alike are one key given twice."""
    text = unicodedata.normalize("NFC", text)
    try:
        loader = ScenarioLoader(_untab(text), source)     # refuses control characters at once
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError(source, f"line {line}",
                            f"holds the control character 0x{exc.character:02x}, which a text file does not; "
                            "remove it or save the file again as plain text") from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = "line {}, column {}".format(*line_of(loader.text, mark)) if mark else ""
        hidden = _hidden_break(loader.text, mark) if mark else None
        if hidden:
            raise ScenarioError(source, where.split(",")[0], f"holds the character U+{ord(hidden):04X}, which YAML "
                                "reads as the end of a line though an editor shows none; delete it") from None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        problem = f"{context}, {problem}" if context and mark else problem
        advice = next((a for p, a in _ADVICE if p in problem), "fix the YAML here")
        raise ScenarioError(source, where, f"not valid YAML: {problem} ({advice})") from None
    finally:
        loader.dispose()


class ScenarioDumper(yaml.SafeDumper):
    """PyYAML's SafeDumper that quotes whatever ``ScenarioLoader`` would read as a number (``1e3``), so a
    scenario written by the tool reads back as the same values; and, as SafeDumper does, whatever a standard
    YAML 1.1 reader would read as one (``07:00`` is 420 to PyYAML's SafeLoader), so other tools read the
    files the tool writes (``planned.yaml``) as it does."""


ScenarioDumper.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
ScenarioDumper.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+0123456789."))


def dump(data) -> str:
    """``data`` as YAML that ``load`` reads back as the same values (keys in their order, Unicode as is)."""
    return yaml.dump(data, Dumper=ScenarioDumper, allow_unicode=True, sort_keys=False)
