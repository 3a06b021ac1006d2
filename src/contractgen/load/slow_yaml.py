"""The slow, exact YAML paths, built on PyYAML's C parser.

`parse.py` reads YAML with ryaml. It comes here only for what ryaml cannot do: integers
wider than 64 bits (kept exact by our own YAML 1.2 core-schema constructor), and positions
for load errors (event scans that never expand aliases, so they are safe on a bomb).
Keeping PyYAML out of the common path keeps start-up short.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from contractgen.errors import LoadError
from contractgen.load.parse import (
    COLLECTION_KEY,
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    TOO_LONG_INTEGER,
)


def first_node_deeper_than(text: str, limit: int) -> tuple[int | None, int | None] | None:
    """Where the first collection nested past `limit` starts; the scan stops right there."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    return _mark(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # a syntax error: ryaml reports it
    return None


def locate_event(
    text: str,
    *,
    duplicate_key: str | None = None,
    alias: bool = False,
    collection_key: bool = False,
) -> tuple[int | None, int | None]:
    """Find where a duplicate key, the first alias or the first non-scalar key sits.

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
                    value = getattr(event, "value", None)
                    if duplicate_key is not None and value == duplicate_key and value in keys:
                        return _mark(event)
                    if value is not None:
                        keys.add(value)
                    expecting_key[-1] = False
                else:
                    _consume_value(keys_stack, expecting_key)
    except yaml.YAMLError:
        pass
    return None, None


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
        raise LoadError("LOAD006", f"invalid YAML: {exc.problem}", display, line, column) from None
    if node is None:
        raise LoadError("LOAD005", "file is empty", display)
    return _construct(node, display, {}, 0)


def _construct(node: yaml.Node, display: str, memo: dict[int, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        mark = node.start_mark
        raise LoadError(
            "LOAD008",
            f"YAML is nested more than {MAX_DEPTH} levels deep",
            display,
            mark.line + 1,
            mark.column + 1,
        )
    if id(node) in memo:  # an alias: share, like ryaml, without re-expanding
        return memo[id(node)]
    if isinstance(node, yaml.ScalarNode):
        try:
            return _scalar(node)
        except _TooLong:
            mark = node.start_mark
            raise LoadError(
                "LOAD008", TOO_LONG_INTEGER, display, mark.line + 1, mark.column + 1
            ) from None
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_construct(child, display, memo, depth + 1) for child in node.value)
        return items
    mapping: dict[Any, Any] = {}
    memo[id(node)] = mapping
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            mark = key_node.start_mark
            raise LoadError("LOAD006", COLLECTION_KEY, display, mark.line + 1, mark.column + 1)
        key = _construct(key_node, display, memo, depth + 1)
        if key in mapping:
            mark = key_node.start_mark
            raise LoadError(
                "LOAD007", f"duplicate key {key!r}", display, mark.line + 1, mark.column + 1
            )
        mapping[key] = _construct(value_node, display, memo, depth + 1)
    return mapping


class _TooLong(Exception):
    """An integer past MAX_INTEGER_DIGITS: Python could neither read nor print it in decimal."""


_INTEGER_LIMIT = 10**MAX_INTEGER_DIGITS


def _bounded(number: int) -> int:
    """A hex or octal integer, if its decimal form stays within MAX_INTEGER_DIGITS."""
    if number >= _INTEGER_LIMIT:
        raise _TooLong
    return number


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style:  # the C composer gives plain scalars style "", the Python one None
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
