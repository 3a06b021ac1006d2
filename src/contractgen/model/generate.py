"""Data from a JSON Schema, deterministic for a seed, and checked against the schema.

Shared by `mock` (responses, events) and `verify` (requests), so it lives on the model floor.

A small generator, not a search: it walks a bundled schema (draft 2020-12, every `$ref` to
`#/$defs/...`, as `model.json_schema` writes it) and builds one value per node, driven by a
`random.Random`, so one seed gives the same value every run. The schema's own `examples`
(and `const`, `enum`, `default`) come first where they are valid; `allOf` is merged, one
branch of `oneOf`/`anyOf` is tried after another until one is valid against the union;
strings follow `format` and `pattern`; objects get their required properties and some of the
optional ones; recursion stops growing past a depth.

Whatever it builds is validated against the whole schema (jsonschema-rs); a value that
misses is built again from the next random draws, then once more in a minimal mode (only
required properties, shortest arrays). `generate` reports whether the value it returns is
valid, so the caller can say so rather than serve invalid data silently.
"""

from __future__ import annotations

import base64
import json
import math
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from contractgen.model.regex import from_pattern

ATTEMPTS = 8
"""Random draws tried before the minimal mode."""
MAX_DEPTH = 10
"""Past this nesting, objects get only required properties and arrays their minimum."""
WORDS = (
    "hello",
    "there",
    "the",
    "river",
    "runs",
    "to",
    "sea",
    "model",
    "stream",
    "answer",
    "quick",
    "light",
    "stone",
    "water",
    "keeps",
    "moving",
)
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format", "contentMediaType")
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties")
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "contains")


@dataclass(frozen=True, slots=True)
class Generated:
    value: Any
    valid: bool


class Validators:
    """Compiled validators of one bundled schema and its nodes, kept for the schema's life."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.defs = root.get("$defs", {}) if isinstance(root, dict) else {}
        self._compiled: dict[int, tuple[Any, Any]] = {}

    def is_valid(self, node: Any, value: Any) -> bool:
        """Whether `value` is valid against `node`, a schema inside the root (or the root)."""
        found = self._compiled.get(id(node))
        if found is None or found[0] is not node:
            schema = node
            if isinstance(node, dict) and node is not self.root and self.defs:
                schema = {**node, "$defs": self.defs}
            try:
                validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=False)
            except (ValueError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):
                validator = None
            found = (node, validator)
            self._compiled[id(node)] = found  # the node is kept alive here: its id stays its own
        validator = found[1]
        if validator is None:
            return True
        try:
            return bool(validator.is_valid(value))
        except (ValueError, OverflowError):
            return False


def generate(
    root: Any, rng: random.Random, validators: Validators | None = None, *, name: str = ""
) -> Generated:
    """A value valid against `root` where one can be built; `valid` says whether it is."""
    checks = validators or Validators(root)
    value: Any = None
    for attempt in range(ATTEMPTS + 1):
        builder = _Builder(checks, rng, minimal=attempt == ATTEMPTS, examples=attempt < 2)
        value = builder.value(root, 0, name)
        if checks.is_valid(root, value):
            return Generated(value, True)
    return Generated(value, False)


class _Builder:
    def __init__(
        self, checks: Validators, rng: random.Random, *, minimal: bool, examples: bool
    ) -> None:
        self.checks = checks
        self.rng = rng
        self.minimal = minimal
        self.examples = examples

    # --- dispatch ------------------------------------------------------------------------

    def value(self, node: Any, depth: int, name: str) -> Any:
        if node is True or node == {}:
            return self._text(name, {})
        if not isinstance(node, dict):
            return None
        if depth > MAX_DEPTH * 3:
            return None
        if "$ref" in node:
            target = self.resolve(node["$ref"])
            rest = {key: value for key, value in node.items() if key != "$ref"}
            merged = merge(target, rest) if _meaningful(rest) else target
            return self.value(merged, depth + 1, name)
        if "const" in node:
            return node["const"]
        if self.examples:
            for example in self._examples(node):
                if self.checks.is_valid(node, example):
                    return example
        if isinstance(node.get("enum"), list) and node["enum"]:
            choices = [item for item in node["enum"] if item is not None] or node["enum"]
            return self.rng.choice(choices)
        if isinstance(node.get("allOf"), list):
            merged = {key: value for key, value in node.items() if key != "allOf"}
            for member in node["allOf"]:
                merged = merge(merged, self.flatten(member))
            return self.value(merged, depth + 1, name)
        for union in ("oneOf", "anyOf"):
            if isinstance(node.get(union), list) and node[union]:
                return self._union(node, union, depth, name)
        return self._typed(node, self._type(node), depth, name)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}
        current: Any = self.checks.root
        for raw in ref[2:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(current, dict) and token in current:
                current = current[token]
            else:
                return {}
        return current

    def flatten(self, node: Any) -> Any:
        """A schema with its top-level `$ref` chain followed (for merging into allOf)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            rest = {key: value for key, value in node.items() if key != "$ref"}
            target = self.resolve(node["$ref"])
            node = merge(target, rest) if _meaningful(rest) else target
            seen += 1
        return node

    def _examples(self, node: dict[str, Any]) -> Iterator[Any]:
        found = node.get("examples")
        if isinstance(found, list) and found:
            yield self.rng.choice(found)
        if "default" in node:
            yield node["default"]

    def _union(self, node: dict[str, Any], union: str, depth: int, name: str) -> Any:
        rest = {key: value for key, value in node.items() if key not in ("oneOf", "anyOf")}
        branches = list(node[union])
        if self.minimal:
            branches.sort(key=self._weight)
        else:
            self.rng.shuffle(branches)
        value: Any = None
        for branch in branches:
            candidate = merge(rest, self.flatten(branch)) if _meaningful(rest) else branch
            value = self.value(candidate, depth + 1, name)
            if self.checks.is_valid(node, value):
                return value
        return value

    def _weight(self, branch: Any) -> int:
        """Simpler branches first in the minimal mode: null, scalars, then fewer requirements."""
        branch = self.flatten(branch)
        if not isinstance(branch, dict):
            return 0
        kind = branch.get("type")
        if kind == "null":
            return 0
        if kind in ("string", "integer", "number", "boolean"):
            return 1
        return 2 + len(branch.get("required", ())) + len(branch.get("properties", {}))

    def _type(self, node: dict[str, Any]) -> str:
        kind = node.get("type")
        if isinstance(kind, list):
            real = [item for item in kind if item != "null"]
            if not real:
                return "null"
            chosen = real[0] if self.minimal else self.rng.choice(real)
            return str(chosen)
        if isinstance(kind, str):
            return kind
        if any(key in node for key in _OBJECT_KEYS):
            return "object"
        if any(key in node for key in _ARRAY_KEYS):
            return "array"
        if any(key in node for key in _STRING_KEYS):
            return "string"
        if any(key in node for key in _NUMBER_KEYS):
            return "number"
        return "string"

    def _typed(self, node: dict[str, Any], kind: str, depth: int, name: str) -> Any:
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return self._array(node, depth, name)
        if kind == "integer":
            return self._integer(node, name)
        if kind == "number":
            return self._number(node)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self._string(node, name)

    # --- containers ----------------------------------------------------------------------

    def _object(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = node.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = [key for key in node.get("required") or () if isinstance(key, str)]
        deep = self.minimal or depth >= MAX_DEPTH
        chance = 0.0 if deep else max(0.7 - depth * 0.1, 0.15)
        out: dict[str, Any] = {}
        extra = node.get("additionalProperties")
        for key, schema in properties.items():
            if key in required or self.rng.random() < chance:
                out[key] = self.value(schema, depth + 1, key)
        for key in required:
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, dict) else {}, depth + 1, key)
        wanted = node.get("minProperties")
        if isinstance(extra, dict) and not properties and not deep and not out:
            wanted = max(wanted or 0, 1)
        if isinstance(wanted, int) and extra is not False:
            schema = extra if isinstance(extra, dict) else {}
            number = 0
            while len(out) < wanted and number < wanted + 8:
                number += 1
                out.setdefault(f"key_{number}", self.value(schema, depth + 1, "key"))
        return out

    def _array(self, node: dict[str, Any], depth: int, name: str) -> list[Any]:
        low = _int(node.get("minItems"), 0)
        high = _int(node.get("maxItems"), low + 3)
        found = node.get("prefixItems")
        prefix: list[Any] = found if isinstance(found, list) else []
        items = node.get("items", {})
        if self.minimal or depth >= MAX_DEPTH:
            count = low
        else:
            count = self.rng.randint(low, max(low, min(high, low + 3, max(low, 1) + 2)))
            count = max(count, min(1, high))
        count = max(count, min(len(prefix), high)) if prefix else count
        out: list[Any] = []
        unique = node.get("uniqueItems") is True
        tries = 0
        while len(out) < count and tries < count * 4 + 4:
            tries += 1
            index = len(out)
            schema = prefix[index] if index < len(prefix) else items
            if schema is False:
                break
            item = self.value(schema, depth + 1, name)
            if unique and item in out:
                continue
            out.append(item)
        contains = node.get("contains")
        if isinstance(contains, dict) and not any(
            self.checks.is_valid(contains, item) for item in out
        ):
            candidate = self.value(contains, depth + 1, name)
            if len(out) < high:
                out.append(candidate)
            elif out:
                out[-1] = candidate
        return out

    # --- scalars -------------------------------------------------------------------------

    def _integer(self, node: dict[str, Any], name: str) -> int:
        low, high = _bounds(node, integer=True)
        if low is None and high is None and _timestamp(name):
            return 1_790_000_000 + self.rng.randint(0, 10_000_000)
        low = int(low if low is not None else (0 if high is None or high >= 0 else high - 100))
        high = int(high if high is not None else low + 1000)
        if high < low:
            high = low
        step = node.get("multipleOf")
        if isinstance(step, int) and not isinstance(step, bool) and step > 0:
            first = math.ceil(low / step)
            last = math.floor(high / step)
            return step * self.rng.randint(first, max(first, last))
        return self.rng.randint(low, high)

    def _number(self, node: dict[str, Any]) -> float | int:
        low, high = _bounds(node, integer=False)
        step = node.get("multipleOf")
        if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
            first = math.ceil((low if low is not None else 0) / step)
            last = math.floor((high if high is not None else first * step + 100 * step) / step)
            value = step * self.rng.randint(first, max(first, last))
            return round(value, 10)
        low = float(low if low is not None else (0.0 if high is None or high >= 0 else high - 1))
        high = float(high if high is not None else low + 1.0)
        if high < low:
            high = low
        value = round(self.rng.uniform(low, high), 4)
        return min(max(value, low), high)

    def _string(self, node: dict[str, Any], name: str) -> str:
        if "contentSchema" in node or node.get("contentMediaType") == "application/json":
            schema = node.get("contentSchema", {})
            return json.dumps(self.value(schema, 0, name), separators=(",", ":"))
        low = _int(node.get("minLength"), 0)
        high = _int(node.get("maxLength"), max(low, 24) + 16)
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for _ in range(4):
                found = from_pattern(pattern, self.rng)
                if found is not None and low <= len(found) <= high:
                    return found
        formatted = _formatted(node.get("format"), self.rng)
        if formatted is not None:
            return formatted
        text = self._text(name, node)
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high] if len(text) > high else text

    def _text(self, name: str, node: dict[str, Any]) -> str:
        lowered = name.lower()
        if lowered == "id" or lowered.endswith("_id"):
            return f"{lowered[:-3] or 'id'}_{self.rng.getrandbits(40):010x}"
        if lowered in ("model", "model_id"):
            return self.rng.choice(("chat-small", "chat-large", "mock-model"))
        count = 1 if self.minimal else self.rng.randint(1, 4)
        words = [self.rng.choice(WORDS) for _ in range(count)]
        return " ".join(words).capitalize() if lowered in ("content", "text") else " ".join(words)


# --- helpers ------------------------------------------------------------------------------


def merge(left: Any, right: Any) -> Any:
    """Two schemas as one (an `allOf` of both), near enough for generating a value of both."""
    if not isinstance(left, dict):
        return right if left is True else left
    if not isinstance(right, dict):
        return left if right is True else right
    out = dict(left)
    for key, value in right.items():
        if key not in out:
            out[key] = value
        elif key == "properties" and isinstance(value, dict) and isinstance(out[key], dict):
            props = dict(out[key])
            for prop, schema in value.items():
                props[prop] = merge(props[prop], schema) if prop in props else schema
            out[key] = props
        elif key == "required" and isinstance(value, list) and isinstance(out[key], list):
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "type":
            out[key] = _type_intersection(out[key], value)
        elif key in ("minimum", "minLength", "minItems", "exclusiveMinimum", "minProperties"):
            out[key] = _larger(out[key], value)
        elif key in ("maximum", "maxLength", "maxItems", "exclusiveMaximum", "maxProperties"):
            out[key] = _smaller(out[key], value)
        elif key == "enum" and isinstance(value, list) and isinstance(out[key], list):
            both = [item for item in out[key] if item in value]
            out[key] = both or value
        elif key in ("allOf",) and isinstance(value, list) and isinstance(out[key], list):
            out[key] = [*out[key], *value]
        elif key in ("oneOf", "anyOf"):
            continue  # keep the first union; the final check catches a value the other misses
        else:
            out[key] = value
    return out


def _type_intersection(left: Any, right: Any) -> Any:
    lefts = set(left) if isinstance(left, list) else {left}
    rights = set(right) if isinstance(right, list) else {right}
    if "number" in lefts and "integer" in rights:
        lefts.add("integer")
    if "number" in rights and "integer" in lefts:
        rights.add("integer")
    both = sorted(lefts & rights)
    if not both:
        return right
    return both[0] if len(both) == 1 else both


def _larger(left: Any, right: Any) -> Any:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return max(left, right)
    return right


def _smaller(left: Any, right: Any) -> Any:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return min(left, right)
    return right


def _meaningful(rest: dict[str, Any]) -> bool:
    ignored = {"description", "title", "examples", "deprecated", "readOnly", "writeOnly"}
    return any(key not in ignored for key in rest)


def _int(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )


def _bounds(node: dict[str, Any], *, integer: bool) -> tuple[float | None, float | None]:
    def number(key: str) -> float | None:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if math.isfinite(value) else None

    low, high = number("minimum"), number("maximum")
    gap = 1.0 if integer else 1e-3
    above, below = number("exclusiveMinimum"), number("exclusiveMaximum")
    if above is not None:
        low = max(low, above + gap) if low is not None else above + gap
    if below is not None:
        high = min(high, below - gap) if high is not None else below - gap
    if integer:
        low = math.ceil(low) if low is not None else None
        high = math.floor(high) if high is not None else None
    return low, high


def _timestamp(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("created", "created_at", "updated_at", "expires_at", "timestamp") or (
        lowered.endswith("_at")
    )


def _formatted(fmt: Any, rng: random.Random) -> str | None:
    if not isinstance(fmt, str):
        return None
    day = rng.randint(1, 28)
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    hexes = f"{rng.getrandbits(128):032x}"
    simple = {
        "date-time": f"2026-06-{day:02d}T{hour:02d}:{minute:02d}:00Z",
        "date": f"2026-06-{day:02d}",
        "time": f"{hour:02d}:{minute:02d}:00Z",
        "duration": f"PT{rng.randint(1, 59)}M",
        "email": f"user{rng.randint(1, 999)}@example.com",
        "idn-email": f"user{rng.randint(1, 999)}@example.com",
        "hostname": f"host{rng.randint(1, 99)}.example.com",
        "idn-hostname": f"host{rng.randint(1, 99)}.example.com",
        "ipv4": f"192.0.2.{rng.randint(1, 254)}",
        "ipv6": f"2001:db8::{rng.randint(1, 65535):x}",
        "uri": f"https://example.com/{rng.choice(WORDS)}",
        "url": f"https://example.com/{rng.choice(WORDS)}",
        "uri-reference": f"/{rng.choice(WORDS)}",
        "iri": f"https://example.com/{rng.choice(WORDS)}",
        "uuid": f"{hexes[:8]}-{hexes[8:12]}-4{hexes[13:16]}-a{hexes[17:20]}-{hexes[20:32]}",
        "byte": base64.b64encode(rng.randbytes(6)).decode(),
        "binary": "",
        "password": "".join(rng.choice(string.ascii_letters) for _ in range(12)),
        "json-pointer": f"/{rng.choice(WORDS)}",
        "regex": "^[a-z]+$",
    }
    return simple.get(fmt)
