"""Parse YAML and JSON into plain Python data, safely and fast.

YAML goes through ryaml (Rust, serde_yaml): YAML 1.2 core schema, about ten times faster
than PyYAML's libyaml loader on Stripe's spec (bench/README.md), with built-in limits on
alias expansion and nesting, and errors on duplicate keys. What ryaml cannot represent
exactly (integers beyond 64 bits, as in OpenAI's spec) falls back to PyYAML's composer with
a YAML 1.2 core-schema constructor. JSON goes through the standard library, which keeps
big integers exact; a hook turns duplicate keys into an error.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import ryaml
import yaml

from contractgen.errors import LoadError

#: Deeper than any real spec (GitHub's is 24); deep enough to refuse nesting bombs early.
MAX_DEPTH = 128

_RYAML_POSITION = re.compile(r"at line (\d+) column (\d+)")
_BRACKET = re.compile(r"[\[\]{}]")
#: Up to this many `[`/`{`, the worst nesting ryaml can meet costs about 0.5 s to refuse.
_TRUSTED_OPENERS = 20_000


def parse(text: str, display: str, *, syntax: str) -> Any:
    if syntax == "json":
        return parse_json(text, display)
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Any:
    _refuse_deep_flow(text, display)
    try:
        data = ryaml.loads(text)
    except ryaml.InvalidYamlError as exc:
        message = str(exc)
    else:
        # ryaml turns integers wider than 128 bits into floats without a word; keep them exact
        return _parse_yaml_slow(text, display) if _has_huge_integer(text) else data
    if "as i128" in message or "as u128" in message:
        return _parse_yaml_slow(text, display)
    raise _yaml_error(message, text, display)


def parse_json(text: str, display: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise LoadError(
            "LOAD006", f"invalid JSON: {exc.msg}", display, exc.lineno, exc.colno
        ) from None
    except _DuplicateKey as exc:
        line, column = _locate_json_duplicate(text, exc.key)
        raise LoadError("LOAD007", f"duplicate key {exc.key!r}", display, line, column) from None
    except RecursionError:
        line, column = _deepest_json_position(text)
        raise LoadError("LOAD008", "JSON is nested too deeply", display, line, column) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _yaml_error(message: str, text: str, display: str) -> LoadError:
    """Turn a ryaml message into a coded error with the best position we can find."""
    found = _RYAML_POSITION.search(message)
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    summary = message.split(" at line ")[0]
    problem = _strip_path_prefix(summary).split(" (at ")[0]  # nested duplicates carry a path
    if problem.startswith("duplicate entry with key"):
        key = problem.removeprefix("duplicate entry with key").strip().strip('"')
        line, column = _locate_yaml_event(text, duplicate_key=key)
        return LoadError("LOAD007", f"duplicate key {key!r}", display, line, column)
    if "repetition limit exceeded" in summary:
        line, column = _locate_yaml_event(text, alias=True)
        return LoadError(
            "LOAD008", "YAML aliases expand too much (alias bomb refused)", display, line, column
        )
    if "recursion limit exceeded" in summary:
        return LoadError(
            "LOAD008", f"YAML is nested more than {MAX_DEPTH} levels deep", display, line, column
        )
    if "more than one document" in summary:
        line, column = _second_document_position(text)
        return LoadError("LOAD011", "file holds more than one YAML document", display, line, column)
    return LoadError(
        "LOAD006", f"invalid YAML: {_strip_path_prefix(summary)}", display, line, column
    )


_DIGIT_MASK = bytes.maketrans(
    bytes(range(256)), bytes(ord("0") if 48 <= b <= 57 else ord(" ") for b in range(256))
)
#: Digits in the smallest integer wider than 128 bits (2**128 has 39).
_HUGE_INTEGER_DIGITS = 39


def _has_huge_integer(text: str) -> bool:
    """Whether any run of 39+ digits stands in the text: ~8 ms on Stripe, unlike a regex (35 ms).

    A match inside a string only costs the slow path; it never changes a value.
    """
    return b"0" * _HUGE_INTEGER_DIGITS in text.encode().translate(_DIGIT_MASK)


def _refuse_deep_flow(text: str, display: str) -> None:
    """Refuse flow collections nested past MAX_DEPTH before ryaml sees them.

    The libyaml scanner in ryaml slows down with the square of flow depth (20k nested `[`
    take 0.5 s before it reports its recursion limit, 100k take 40 s). Up to
    `_TRUSTED_OPENERS` brackets, no nesting can cost more than that, and a naive bracket
    count is a good enough gate. Past it, the count can be fooled (closing brackets hidden
    in quoted strings), so libyaml's lazy event stream always checks, stopping at the first
    too-deep node. Real specs stay far below: OpenAI's has 5.6k brackets, Stripe's 2.8k.
    """
    openers = text.count("[") + text.count("{")
    if openers <= MAX_DEPTH:
        return
    if openers <= _TRUSTED_OPENERS and _naive_flow_depth(text) <= MAX_DEPTH:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = _mark(event)
                    message = f"YAML is nested more than {MAX_DEPTH} levels deep"
                    raise LoadError("LOAD008", message, display, line, column)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error: ryaml reports it


def _naive_flow_depth(text: str) -> int:
    """Deepest bracket nesting in the raw text, strings included: a cheap gate, not a parse.

    Brackets in descriptions can only raise it (a false alarm costs one event pass); closing
    brackets hidden in quoted strings inside a crafted bomb can lower it, which is why it is
    trusted only on files with few brackets (see `_refuse_deep_flow`).
    """
    depth = deepest = 0
    for char in _BRACKET.findall(text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def _strip_path_prefix(summary: str) -> str:
    # serde prefixes type errors with the path of the offending node: "a.b[1].c: invalid type..."
    head, sep, rest = summary.partition(": ")
    if sep and " " not in head:
        return f"{rest} (at {head})"
    return summary


def _locate_yaml_event(
    text: str, *, duplicate_key: str | None = None, alias: bool = False
) -> tuple[int | None, int | None]:
    """Find where a duplicate key or the first alias sits, from the event stream.

    Events are linear in the input and never expand aliases, so this is safe on a bomb.
    """
    keys_stack: list[set[str] | None] = []
    expecting_key: list[bool] = []
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if alias and isinstance(event, yaml.AliasEvent):
                return _mark(event)
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                _consume_value(keys_stack, expecting_key)
                is_map = isinstance(event, yaml.MappingStartEvent)
                keys_stack.append(set() if is_map else None)
                expecting_key.append(is_map)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                keys_stack.pop()
                expecting_key.pop()
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if keys_stack and keys_stack[-1] is not None and expecting_key[-1]:
                    value = getattr(event, "value", None)
                    if (
                        duplicate_key is not None
                        and value == duplicate_key
                        and value in keys_stack[-1]
                    ):
                        return _mark(event)
                    if value is not None:
                        keys_stack[-1].add(value)
                    expecting_key[-1] = False
                else:
                    _consume_value(keys_stack, expecting_key)
    except yaml.YAMLError:
        pass
    return None, None


def locate_duplicate_key(text: str, key: str, *, syntax: str) -> tuple[int | None, int | None]:
    """Where the second `key` of one mapping sits (for LOAD007)."""
    if syntax == "json":
        return _locate_json_duplicate(text, key)
    return _locate_yaml_event(text, duplicate_key=key)


def _consume_value(keys_stack: list[set[str] | None], expecting_key: list[bool]) -> None:
    if keys_stack and keys_stack[-1] is not None:
        expecting_key[-1] = True


def _mark(event: yaml.Event) -> tuple[int | None, int | None]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _second_document_position(text: str) -> tuple[int | None, int | None]:
    for number, line in enumerate(text.splitlines(), start=1):
        if number > 1 and (line == "---" or line.startswith("--- ")):
            return number, 1
    return None, None


def _locate_json_duplicate(text: str, key: str) -> tuple[int | None, int | None]:
    from contractgen.load.positions import JsonPositions

    return JsonPositions(text).find_duplicate_key(key)


def _deepest_json_position(text: str) -> tuple[int | None, int | None]:
    """Where nesting first passes the interpreter's limit, skipping brackets in strings."""
    depth = 0
    in_string = False
    escaped = False
    line, column = 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, column
        elif char in "]}":
            depth -= 1
    return None, None


# --- the slow path: PyYAML composer + a YAML 1.2 core schema constructor --------------------

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def _parse_yaml_slow(text: str, display: str) -> Any:
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
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_construct(child, display, memo, depth + 1) for child in node.value)
        return items
    mapping: dict[Any, Any] = {}
    memo[id(node)] = mapping
    for key_node, value_node in node.value:
        key = _construct(key_node, display, memo, depth + 1)
        if key in mapping:
            mark = key_node.start_mark
            raise LoadError(
                "LOAD007", f"duplicate key {key!r}", display, mark.line + 1, mark.column + 1
            )
        mapping[key] = _construct(value_node, display, memo, depth + 1)
    return mapping


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
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
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
