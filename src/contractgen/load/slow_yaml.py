"""The slow, exact YAML paths, built on PyYAML's C parser.

`parse.py` reads YAML with ryaml. It comes here only for what ryaml cannot do: integers
wider than 64 bits (kept exact by our own YAML 1.2 core-schema constructor), and positions
for load errors (event scans that never expand aliases, so they are safe on a bomb). Which
files are too deep to parse is decided without PyYAML (`flow_depth`), so no PyYAML release
can change it.
Keeping PyYAML out of the common path keeps start-up short.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from contractgen.errors import LoadError
from contractgen.load.parse import (
    ALIAS_BOMB,
    COLLECTION_KEY,
    MAX_ALIASED_NODES,
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    TOO_LONG_INTEGER,
    key_text,
)


def aliases_expand_past(text: str, limit: int) -> bool:
    """Whether the aliases, expanded, add more than `limit` nodes to the document.

    One pass over the event stream: each anchor's expanded size is known when its node ends,
    and each alias adds that size (aliases inside an anchored node count in its size).
    """
    sizes: dict[str | None, int] = {}
    open_nodes: list[list[Any]] = []  # [expanded size so far, anchor] per open collection
    added = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                open_nodes.append([1, event.anchor])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                size, anchor = open_nodes.pop()
            elif isinstance(event, yaml.AliasEvent):
                size, anchor = sizes.get(event.anchor, 1), None
                added += size
                if added > limit:
                    return True
            elif isinstance(event, yaml.ScalarEvent):
                size, anchor = 1, event.anchor
            else:
                continue
            if anchor is not None:
                sizes[anchor] = size
            if open_nodes:
                open_nodes[-1][0] += size
    except yaml.YAMLError:
        pass  # a syntax error: ryaml reports it
    return False


def locate_event(
    text: str,
    *,
    duplicate_key: str | None = None,
    alias: bool = False,
    collection_key: bool = False,
) -> tuple[int | None, int | None]:
    """Find where a duplicate key, the first alias or the first non-scalar key sits.

    Keys compare as the loader sees them: resolved by the YAML 1.2 core schema, then written
    as mapping keys are (`True` and `true` are both the key `true`, `0x1` and `1` the key `1`).
    Events are linear in the input and never expand aliases, so this is safe on a bomb.
    """
    keys_stack: list[set[str] | None] = []
    expecting_key: list[bool] = []
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if alias and isinstance(event, yaml.AliasEvent):
                return _mark(event)
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if collection_key and _at_key(keys_stack, expecting_key):
                    return _mark(event)
                _consume_value(keys_stack, expecting_key)
                is_map = isinstance(event, yaml.MappingStartEvent)
                keys_stack.append(set() if is_map else None)
                expecting_key.append(is_map)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                keys_stack.pop()
                expecting_key.pop()
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                keys = keys_stack[-1] if keys_stack else None
                if keys is not None and expecting_key[-1]:
                    key = _event_key(event)
                    if duplicate_key is not None and key == duplicate_key and key in keys:
                        return _mark(event)
                    if key is not None:
                        keys.add(key)
                    expecting_key[-1] = False
                else:
                    _consume_value(keys_stack, expecting_key)
    except yaml.YAMLError:
        pass
    return None, None


def _event_key(event: yaml.Event) -> str | None:
    """A scalar key as the loader writes it (None for an alias)."""
    if not isinstance(event, yaml.ScalarEvent):
        return None
    try:
        return key_text(_scalar(event.value, plain=not event.style))
    except _TooLong:
        return event.value


def _at_key(keys_stack: list[set[str] | None], expecting_key: list[bool]) -> bool:
    """Whether the next node is a key of the innermost mapping."""
    return bool(keys_stack) and keys_stack[-1] is not None and expecting_key[-1]


def _consume_value(keys_stack: list[set[str] | None], expecting_key: list[bool]) -> None:
    if keys_stack and keys_stack[-1] is not None:
        expecting_key[-1] = True


def _mark(event: yaml.Event) -> tuple[int | None, int | None]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def parse_exact(text: str, display: str) -> Any:
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        code = "LOAD008" if "nesting depth" in str(exc.problem) else "LOAD006"
        raise LoadError(code, f"invalid YAML: {exc.problem}", display, line, column) from None
    if node is None:
        raise LoadError("LOAD005", "file is empty", display)
    constructor = _Constructor(display)
    data, expanded = constructor.construct(node, 0)
    if expanded > constructor.written + MAX_ALIASED_NODES:
        raise LoadError("LOAD008", ALIAS_BOMB, display, *locate_event(text, alias=True))
    return data


class _Constructor:
    """Python values from composed nodes, with YAML 1.2 core-schema scalars.

    An aliased node is built once and shared, and the size it would have once expanded is
    counted: the loader's walks expand it every time, so a bomb must be refused here.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        #: Per node: its value and expanded size (None while its children are being built).
        self.built: dict[int, tuple[Any, int | None]] = {}
        #: Nodes written in the document (each alias target counted once).
        self.written = 0

    def construct(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        """The node's value, and how many nodes it holds once every alias is expanded."""
        if depth > MAX_DEPTH:
            raise self._error(node, "LOAD008", f"YAML is nested more than {MAX_DEPTH} levels deep")
        if type(node) is yaml.ScalarNode:
            return self._scalar(node), 1
        known = self.built.get(id(node))
        if known is not None:  # an alias
            value, size = known
            if size is None:
                raise self._error(node, "LOAD008", "YAML alias refers to a node that holds it")
            return value, size
        self.written += 1
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, depth)
        return self._mapping(node, depth)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        self.written += 1
        try:
            return _scalar(node.value, plain=not node.style)
        except _TooLong:
            raise self._error(node, "LOAD008", TOO_LONG_INTEGER) from None

    def _sequence(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        items: list[Any] = []
        self.built[id(node)] = (items, None)
        size = 1
        for child in node.value:
            value, child_size = self._child(child, depth + 1)
            items.append(value)
            size += child_size
        self.built[id(node)] = (items, size)
        return items, size

    def _mapping(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        mapping: dict[Any, Any] = {}
        self.built[id(node)] = (mapping, None)
        size = 1
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise self._error(key_node, "LOAD006", COLLECTION_KEY)
            key, key_size = self._child(key_node, depth + 1)
            if key in mapping:
                raise self._error(key_node, "LOAD007", f"duplicate key {key!r}")
            mapping[key], value_size = self._child(value_node, depth + 1)
            size += key_size + value_size
        self.built[id(node)] = (mapping, size)
        return mapping, size

    def _child(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        """`construct` for one child; most are scalars, built without the collection checks."""
        if type(node) is yaml.ScalarNode and depth <= MAX_DEPTH:
            return self._scalar(node), 1
        return self.construct(node, depth)

    def _error(self, node: yaml.Node, code: str, message: str) -> LoadError:
        mark = node.start_mark
        return LoadError(code, message, self.display, mark.line + 1, mark.column + 1)


class _TooLong(Exception):
    """An integer past MAX_INTEGER_DIGITS: Python could neither read nor print it in decimal."""


_INTEGER_LIMIT = 10**MAX_INTEGER_DIGITS


def _bounded(number: int) -> int:
    """A hex or octal integer, if its decimal form stays within MAX_INTEGER_DIGITS."""
    if number >= _INTEGER_LIMIT:
        raise _TooLong
    return number


def _scalar(value: str, *, plain: bool) -> Any:
    """A scalar under the YAML 1.2 core schema (PyYAML gives plain ones style "" or None)."""
    if not plain:
        return value  # quoted and block scalars are strings; PyYAML's 1.1 tags are ignored
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        if len(value.lstrip("+-")) > MAX_INTEGER_DIGITS:
            raise _TooLong
        return int(value)
    if _OCT.match(value):
        return _bounded(int(value[2:], 8))
    if _HEX.match(value):
        return _bounded(int(value[2:], 16))
    if _FLOAT.match(value):
        return float(value)
    lowered = value.lower()
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    return value
