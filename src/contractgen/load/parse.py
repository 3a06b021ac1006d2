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
import re
from typing import Any

import ryaml

from contractgen.errors import LoadError
from contractgen.load.flow_depth import first_flow_deeper_than

#: Deeper than any real spec (GitHub's is 24); deep enough to refuse nesting bombs early.
MAX_DEPTH = 128

_RYAML_POSITION = re.compile(r"at line (\d+) column (\d+)")
_BRACKET = re.compile(r"[\[\]{}]")
#: Up to this many `[`/`{`, the worst nesting ryaml can meet costs about 0.5 s to refuse.
_TRUSTED_OPENERS = 20_000
#: Nodes that aliases may add to a document in all, beyond those written in it: a walk over
#: the data (or ryaml's copies) expands every alias, however the parser shares it.
MAX_ALIASED_NODES = 1_000_000
ALIAS_BOMB = "YAML aliases expand too much (alias bomb refused)"
#: What may precede an anchor or alias (`- &a`, `key: *a`, `[*a, *b]`, `{"k":*a}`), and
#: what cannot follow its mark.
_NODE_START_BEFORE = frozenset(" \t\n[{,:")
_NOT_A_NAME = frozenset(" \t\r\n[]{},")
#: CPython converts at most this many digits between int and str (`sys.set_int_max_str_digits`);
#: a longer integer could be neither read nor printed, so it is refused (no spec needs one).
MAX_INTEGER_DIGITS = 4300
TOO_LONG_INTEGER = f"integer with more than {MAX_INTEGER_DIGITS} digits refused"
#: A key such as `{[1, 2]: 4}`: valid YAML, but no Python (or JSON) mapping can hold it.
COLLECTION_KEY = "invalid YAML: a mapping key is a sequence or mapping; keys must be scalars"


def parse(text: str, display: str, *, syntax: str) -> Any:
    if syntax == "json":
        return parse_json(text, display)
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Any:
    _refuse_deep_flow(text, display)
    _refuse_alias_bomb(text, display)
    try:
        data = ryaml.loads(text)
    except ValueError as exc:  # ryaml reports every failure so, InvalidYamlError or not
        message = str(exc)
    else:
        # ryaml turns integers wider than 128 bits into floats without a word; keep them exact
        return _parse_exact(text, display) if _has_huge_integer(text) else data
    if "as i128" in message or "as u128" in message:
        return _parse_exact(text, display)
    raise _yaml_error(message, text, display)


def _refuse_alias_bomb(text: str, display: str) -> None:
    """Refuse aliases that expand to more than MAX_ALIASED_NODES, before a parser builds them.

    ryaml's own limit counts alias jumps (100 per event), not what they expand to: 3,000
    aliases of a 1,000-item list (30 KB) built 3M nodes, and ten times that exhausts memory.
    Only a text with both an anchor and an alias mark pays for the event pass; the corpus
    has no anchor, and the check for one costs about 1.5 ms on Stripe's spec.
    """
    if not (_has_node_mark(text, "&") and _has_node_mark(text, "*")):
        return
    from contractgen.load import slow_yaml

    if slow_yaml.aliases_expand_past(text, MAX_ALIASED_NODES):
        raise LoadError("LOAD008", ALIAS_BOMB, display, *slow_yaml.locate_event(text, alias=True))


def _has_node_mark(text: str, mark: str) -> bool:
    """Whether `mark` (`&` or `*`) stands where an anchor or alias can: at a node's start.

    Prose rarely does (`R & D`, `a*b`); markdown's ` **bold**` does, so both marks are needed.
    """
    offset = text.find(mark)
    while offset >= 0:
        before = text[offset - 1] if offset else "\n"
        after = text[offset + 1 : offset + 2]
        if before in _NODE_START_BEFORE and after and after not in _NOT_A_NAME:
            return True
        offset = text.find(mark, offset + 1)
    return False


def _parse_exact(text: str, display: str) -> Any:
    from contractgen.load import slow_yaml  # PyYAML, kept off the common path

    return slow_yaml.parse_exact(text, display)


def parse_json(text: str, display: str) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
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
    except ValueError:  # int() refused a number past MAX_INTEGER_DIGITS
        line, column = _long_number_position(text)
        raise LoadError("LOAD008", TOO_LONG_INTEGER, display, line, column) from None
    if _SURROGATE_ESCAPE_START.search(text):  # a literal-prefix scan: 4% of json.loads
        _refuse_lone_surrogates(text, display)
    return data


#: A `\\uD800`-`\\uDFFF` escape, with the backslashes before it (an even count escapes them).
_SURROGATE_ESCAPE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_SURROGATE_ESCAPE_START = re.compile(r"\\u[dD][89a-fA-F]")
_FIRST_LOW_SURROGATE = 0xDC00


def _refuse_lone_surrogates(text: str, display: str) -> None:
    """Refuse half of a UTF-16 surrogate pair: JSON can escape one, no Unicode text holds it.

    json.loads keeps it as a lone surrogate, which jsonschema-rs and every UTF-8 writer reject.
    """
    offset = _lone_surrogate_offset(text)
    if offset is not None:
        escape = text[offset : offset + 6]
        message = f"{escape} is half of a UTF-16 surrogate pair, not a Unicode character"
        raise LoadError("LOAD004", message, display, *offset_position(text, offset))


def _lone_surrogate_offset(text: str) -> int | None:
    """Offset of the first surrogate escape that is not a high half followed by its low half."""
    high: int | None = None  # offset of a high half waiting for its low half
    expected = -1  # where that low half must start
    for escape in _SURROGATE_ESCAPE.finditer(text):
        if len(escape[1]) % 2 == 0:
            continue  # `\\ud800`: an escaped backslash, then plain text
        start = escape.end(1) - 1
        is_low = int(escape[2], 16) >= _FIRST_LOW_SURROGATE
        if high is not None and not (is_low and start == expected):
            return high
        if is_low and high is None:
            return start
        high, expected = (None, -1) if is_low else (start, escape.end())
    return high


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
    from contractgen.load import slow_yaml

    found = _RYAML_POSITION.search(message)
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    summary = message.split(" at line ")[0]
    problem = _strip_path_prefix(summary).split(" (at ")[0]  # nested duplicates carry a path
    if problem.startswith("duplicate entry with"):
        key = _ryaml_duplicate_key(problem)
        second = slow_yaml.locate_event(text, duplicate_key=key)
        line, column = second if second[0] is not None else (line, column)
        return LoadError("LOAD007", f"duplicate key {key!r}", display, line, column)
    if "repetition limit exceeded" in summary:
        line, column = slow_yaml.locate_event(text, alias=True)
        return LoadError("LOAD008", ALIAS_BOMB, display, line, column)
    if "recursion limit exceeded" in summary:
        return LoadError(
            "LOAD008", f"YAML is nested more than {MAX_DEPTH} levels deep", display, line, column
        )
    if "unhashable type" in summary:
        line, column = slow_yaml.locate_event(text, collection_key=True)
        return LoadError("LOAD006", COLLECTION_KEY, display, line, column)
    if "more than one document" in summary:
        line, column = _second_document_position(text)
        return LoadError("LOAD011", "file holds more than one YAML document", display, line, column)
    return LoadError(
        "LOAD006", f"invalid YAML: {_strip_path_prefix(summary)}", display, line, column
    )


def _ryaml_duplicate_key(problem: str) -> str:
    """The key of ryaml's duplicate message, as the loader writes keys (see `key_text`).

    ryaml writes strings quoted (`"a"`), booleans in backticks, numbers bare, null apart.
    """
    if problem == "duplicate entry with null key":
        return "null"
    shown = problem.removeprefix("duplicate entry with key").strip()
    if shown.startswith('"'):
        try:
            return str(json.loads(shown))
        except ValueError:
            return shown.strip('"')
    return shown.strip("`")


def key_text(key: Any) -> str:
    """A mapping key as JSON Pointer and JSON Schema need it: a string (`200:` is an int)."""
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    return str(key)


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

    ryaml's scanner slows down with the square of flow depth (20k nested `[` take 0.5 s
    before it reports its recursion limit, 100k take 40 s). Up to `_TRUSTED_OPENERS`
    brackets no nesting can cost more than that, and a naive bracket count is a good enough
    gate. Past it, the count can be fooled (closing brackets hidden in quoted strings), so
    `flow_depth` scans the text as libyaml tokenizes it, stopping at the first too-deep
    collection. Real specs stay far below: OpenAI's has 5.6k brackets, Stripe's 2.8k.
    """
    openers = text.count("[") + text.count("{")
    if openers <= MAX_DEPTH:
        return
    if openers <= _TRUSTED_OPENERS and _naive_flow_depth(text) <= MAX_DEPTH:
        return
    too_deep = first_flow_deeper_than(text, MAX_DEPTH)
    if too_deep is not None:
        message = f"YAML is nested more than {MAX_DEPTH} levels deep"
        raise LoadError("LOAD008", message, display, *too_deep)


def _naive_flow_depth(text: str) -> int:
    """Deepest bracket nesting in the raw text, strings included: a cheap gate, not a parse.

    Brackets in descriptions can only raise it (a false alarm costs one exact scan); closing
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


def locate_duplicate_key(text: str, key: str, *, syntax: str) -> tuple[int | None, int | None]:
    """Where the second `key` of one mapping sits (for LOAD007)."""
    if syntax == "json":
        return _locate_json_duplicate(text, key)
    from contractgen.load import slow_yaml

    return slow_yaml.locate_event(text, duplicate_key=key)


def _second_document_position(text: str) -> tuple[int | None, int | None]:
    for number, line in enumerate(text.splitlines(), start=1):
        if number > 1 and (line == "---" or line.startswith("--- ")):
            return number, 1
    return None, None


def _locate_json_duplicate(text: str, key: str) -> tuple[int | None, int | None]:
    from contractgen.load.json_scan import JsonScanPositions

    return JsonScanPositions(text).find_duplicate_key(key)


#: A JSON string, or a number with its fraction and exponent (which make it a float).
_JSON_STRING_OR_NUMBER = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|-?([0-9]+)(\.[0-9]+)?([eE][-+]?[0-9]+)?'
)


def _long_number_position(text: str) -> tuple[int | None, int | None]:
    """Where the first integer with too many digits starts (floats and strings are read fine)."""
    for token in _JSON_STRING_OR_NUMBER.finditer(text):
        digits, fraction, exponent = token.groups()
        if digits and not fraction and not exponent and len(digits) > MAX_INTEGER_DIGITS:
            return offset_position(text, token.start())
    return None, None


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


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
