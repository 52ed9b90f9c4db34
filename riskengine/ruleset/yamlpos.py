"""YAML documents that remember where every value came from.

Rule files are parsed with ruamel.yaml's round-trip loader, which records the line and
column of every key and value. This module turns that into positioned problems:
``path:line:col: message`` with 1-based line and column, and translates pydantic
validation errors (whose ``loc`` is a path of keys and indexes) into messages an analyst
can act on, pointing at the offending key or value.

Hostile input is bounded before any value is built (``_BoundedComposer``): nesting deeper
than ``MAX_DEPTH`` levels, an alias (``*name``) used inside the value it names, and aliases
that together repeat more than ``MAX_ALIAS_NODES`` values (an "alias bomb": a few lines that
expand to billions of values) are problems at the offending position, like syntax errors.
Anchors and aliases stay allowed within that bound (the bundled ``regimes.yaml`` shares a
list of control kinds between two periods with one). These limits guard the parser of the
rule files themselves, so they are constants here rather than rule-file settings.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from types import NoneType, UnionType
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.reader import ReaderError

Loc = tuple[str | int, ...]
MAX_DEPTH = 50  # nesting levels of one rule file (the bundled ones use under 10)
MAX_ALIAS_NODES = 10_000  # values all aliases of one file may repeat, together


class Problem(NamedTuple):
    """One problem in a rule file. ``line`` 0 means the whole file (no position)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True, eq=False)
class YamlDoc:
    """A parsed YAML file: ``tree`` keeps positions, ``data`` is plain Python data.

    Compared by identity: two documents are the same only if they are the same object.
    """

    path: str
    tree: Any
    data: Any

    def at(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """A problem located at the value (or, with ``key``, the key) found at ``loc``."""
        line, col = locate(self.tree, loc, want_key=key)
        return Problem(self.path, line, col, message)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """1-based line of the value at ``loc``."""
        return locate(self.tree, loc)[0]


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that reports impossible dates (2022-13-01) with a position."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise ConstructorError(
                problem=f"invalid date {node.value!r} ({exc})", problem_mark=node.start_mark
            ) from exc


    def construct_yaml_int(self, node: Any) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError as exc:  # e.g. more digits than Python converts (4300)
            raise ConstructorError(
                problem=f"invalid whole number ({_short(exc)})", problem_mark=node.start_mark
            ) from exc


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def _short(exc: BaseException) -> str:
    text = str(exc).split(";")[0].strip()
    return text if len(text) <= 120 else text[:117] + "..."


class _BoundedComposer(Composer):
    """A composer that refuses deep nesting, self-referencing aliases and alias bombs.

    It counts, for every alias, how many values the aliased node holds (each node is sized
    once), so a bomb is refused after reading it once, never expanded.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader=loader)
        self._open: set[str] = set()
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth)
        self._repeated = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._check_alias(event, node)
            return node
        if self.depth >= MAX_DEPTH:
            raise ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels",
                                event.start_mark)
        anchor = event.anchor
        if anchor is not None:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _check_alias(self, event: Any, node: Node) -> None:
        if event.anchor in self._open:
            raise ComposerError(None, None, f"alias *{event.anchor} is used inside the value "
                                f"it names", event.start_mark)
        values, depth = self._size(node)
        self._repeated += values
        if self._repeated > MAX_ALIAS_NODES:
            raise ComposerError(None, None, f"aliases repeat more than {MAX_ALIAS_NODES} "
                                f"values (an alias bomb?)", event.start_mark)
        if self.depth + depth > MAX_DEPTH:
            raise ComposerError(None, None, f"alias *{event.anchor} nests deeper than "
                                f"{MAX_DEPTH} levels", event.start_mark)

    def _size(self, node: Node) -> tuple[int, int]:
        """(values in ``node``, aliases expanded; levels of nesting below it)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        sizes = [self._size(child) for child in children]
        found = (1 + sum(s[0] for s in sizes), 1 + max((s[1] for s in sizes), default=0))
        self._sizes[id(node)] = found
        return found


def parse_bytes(path: str, raw: bytes) -> tuple[YamlDoc | None, list[Problem]]:
    """``parse_yaml`` of a file's bytes, which must be UTF-8 (else a problem at its line).

    The last files parsed are remembered by path and content (round-trip parsing is slow,
    and a command may validate the same rules directory more than once); the document is
    shared and must not be changed."""
    doc, problems = _parse_bytes(path, raw)
    return doc, list(problems)


@functools.lru_cache(maxsize=64)
def _parse_bytes(path: str, raw: bytes) -> tuple[YamlDoc | None, tuple[Problem, ...]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, (Problem(path, line, 1, "file is not UTF-8 text"),)
    doc, problems = parse_yaml(path, text)
    return doc, tuple(problems)


def parse_yaml(path: str, text: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse ``text``; on a syntax error return no document and the positioned problem."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _BoundedComposer
    try:
        tree = yaml.load(text)
    except YAMLError as exc:
        return None, [_syntax_problem(path, exc, text)]
    return YamlDoc(path, tree, to_plain(tree)), []


def _syntax_problem(path: str, exc: YAMLError, text: str) -> Problem:
    if isinstance(exc, ReaderError) and isinstance(exc.position, int):  # e.g. a NUL
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return Problem(path, line, col, f"character {what} is not allowed in YAML")
    if not isinstance(exc, MarkedYAMLError):
        return Problem(path, 1, 1, "YAML error: " + " ".join(str(exc).split()))
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    text = exc.problem or exc.context or "invalid YAML"
    if isinstance(exc, ConstructorError | DuplicateKeyError | ComposerError):
        return Problem(path, line, col, text)
    if exc.context and exc.problem and exc.context_mark:
        where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        text += f" ({exc.context} at {where})"
    return Problem(path, line, col, f"YAML syntax error: {text}")


def to_plain(node: Any) -> Any:
    """Round-trip nodes to builtin types: dict, list, str, int, float, bool, date, None."""
    if isinstance(node, dict):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if type(node).__name__ == "ScalarBoolean":  # an anchored boolean is an int subclass
        return bool(node)
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def locate(tree: Any, loc: Sequence[object], *, want_key: bool = False) -> tuple[int, int]:
    """1-based (line, col) of the value at ``loc``, or of its key with ``want_key``.

    Path entries not present in the tree (a missing key, pydantic's internal tags) are
    skipped, so a missing key points at the mapping that lacks it. A trailing ``[key]``
    (pydantic's marker for an invalid dict key) points at that key.
    """
    parts = list(loc)
    if parts and parts[-1] == "[key]":
        parts.pop()
        want_key = True
    pos = _start(tree)
    node = tree
    for index, part in enumerate(parts):
        step = _step(node, part, want_key and index == len(parts) - 1)
        if step is not None:
            node, pos = step
    return pos[0] + 1, pos[1] + 1


def _start(node: Any) -> tuple[int, int]:
    if isinstance(node, CommentedMap | CommentedSeq):
        return node.lc.line, node.lc.col
    return 0, 0


def _step(node: Any, part: object, key: bool) -> tuple[Any, tuple[int, int]] | None:
    if isinstance(node, CommentedMap) and isinstance(part, str | int) and part in node:
        data = node.lc.data.get(part)
        if data is None:
            return node[part], _start(node)
        return node[part], (data[0], data[1]) if key else (data[2], data[3])
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        line, col = node.lc.data[part]
        return node[part], (line, col)
    return None


def describe(value: object) -> str:
    """A value as an analyst would write it: 'abc', 120, true, 2022-06-28, a list."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    kinds = ((dict, "a mapping"), (list, "a list"), (tuple, "a list"))
    return next((text for kind, text in kinds if isinstance(value, kind)), str(value))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validation_problems(
    doc: YamlDoc, errors: Iterable[ErrorDetails], model: type[BaseModel], prefix: Loc = ()
) -> list[Problem]:
    """Positioned problems for pydantic errors of ``model`` validated from ``doc`` at ``prefix``."""
    errors = list(errors)
    problems = []
    for err in errors:
        if _cascade(err, errors):
            continue
        loc = prefix + tuple(err["loc"])
        key = err["type"] == "extra_forbidden"
        problems.append(doc.at(loc, error_message(err, model), key=key))
    return problems


def _cascade(err: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    """A list's 'too short' error caused only by its invalid items (reported themselves)."""
    loc = tuple(err["loc"])
    return err["type"] == "too_short" and any(
        len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
        for other in errors
    )


def error_message(err: ErrorDetails, model: type[BaseModel]) -> str:
    """An analyst-facing message for one pydantic error of ``model``."""
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(err, model)
    if kind == "missing":
        return _missing(err)
    if kind == "literal_error":
        return _not_allowed(err)
    for prefix, template in _TEMPLATES:
        if kind.startswith(prefix):
            return template.format(value=describe(value), quote=_quote_hint(value), **_ctx(err))
    return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("float_", "expected a number, got {value}"),
    ("finite_number", "expected a number, got {value}"),
    ("int_", "expected a whole number, got {value}"),
    ("bool_", "expected true or false, got {value}"),
    ("string_type", "expected text, got {value}{quote}"),
    ("string_too_short", "expected text, got an empty value"),
    ("date", "expected a date (YYYY-MM-DD), got {value}"),
    ("greater_than_equal", "expected a number of at least {ge}, got {value}"),
    ("greater_than", "expected a number greater than {gt}, got {value}"),
    ("less_than_equal", "expected a number of at most {le}, got {value}"),
    ("less_than", "expected a number less than {lt}, got {value}"),
    ("too_short", "expected at least {min_length} item(s), got {actual_length}"),
    ("list_type", "expected a list, got {value}"),
    ("tuple_type", "expected a list, got {value}"),
    ("dict_type", "expected a mapping (key: value lines), got {value}"),
    ("model_type", "expected a mapping (key: value lines), got {value}"),
    ("model_attributes_type", "expected a mapping (key: value lines), got {value}"),
)


def _ctx(err: ErrorDetails) -> dict[str, str]:
    ctx = err.get("ctx") or {}
    keys = ("ge", "gt", "le", "lt", "min_length", "actual_length")
    return {k: describe(ctx[k]) if k in ctx else "?" for k in keys}


def _quote_hint(value: object) -> str:
    if isinstance(value, bool | int | float | date):
        return " (put it in quotes to make it text)"
    return ""


def _field_name(loc: Sequence[object]) -> str:
    names = [str(p) for p in loc if isinstance(p, str) and p != "[key]"]
    return names[-1] if names else "value"


def _unknown_key(err: ErrorDetails, model: type[BaseModel]) -> str:
    loc = err["loc"]
    owner = model_at(model, loc[:-1])
    allowed = f" (allowed: {', '.join(field_keys(owner))})" if owner else ""
    return f"unknown key {describe(loc[-1]) if loc else '?'}{allowed}"


def _missing(err: ErrorDetails) -> str:
    name = _field_name(err["loc"])
    if name == "source":
        return "missing required key 'source' (every fact needs one, with a note or a record_id)"
    return f"missing required key {name!r}"


def _not_allowed(err: ErrorDetails) -> str:
    choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
    allowed = f" (allowed: {', '.join(choices)})" if choices else ""
    loc, value = err["loc"], describe(err.get("input"))
    if loc and loc[-1] == "[key]":
        return f"unknown key {value}{allowed}"
    if loc and isinstance(loc[-1], int):
        return f"unknown value {value} in {_field_name(loc)}{allowed}"
    return f"unknown {_field_name(loc)} {value}{allowed}"


def field_keys(model: type[BaseModel]) -> list[str]:
    """The YAML keys a model accepts (aliases where set), in declaration order."""
    return [field.alias or name for name, field in model.model_fields.items()]


def model_at(model: type[BaseModel], loc: Sequence[object]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` below ``model``, if any."""
    current: Any = model
    for part in loc:
        current = _child_type(_unwrap(current), part)
        if current is None:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _child_type(tp: Any, part: object) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, field in tp.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    origin, args = get_origin(tp), get_args(tp)
    if origin in (list, tuple) and isinstance(part, int) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not NoneType]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp
