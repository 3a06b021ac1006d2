"""OpenAPI Schema Objects as self-contained JSON Schema (draft 2020-12), their `$ref`s bundled.

Used by what exports a contract's schemas for other tools (event schemas, AsyncAPI). Every
`$ref` a schema uses is followed through the loaded document (other files included) and its
target becomes a named definition; the reference is rewritten to point at it, so nothing
refers to the OpenAPI document any more. Names are given once per document and run, so one
target has one name in every file: a component keeps its name, anything else is named after
its JSON Pointer, and a clash gets a `_2` suffix (in the order targets are met).

The OpenAPI 3.0 dialect is converted: `nullable: true` adds `null` to `type` (and `enum`),
or wraps a schema without `type` in `anyOf [..., {type: null}]`; boolean
`exclusiveMinimum`/`exclusiveMaximum` become numbers; siblings of a `$ref` are dropped (3.0
ignores them). In every version `example` becomes `examples: [...]`, and what plain JSON
Schema does not know is dropped: `discriminator`, `xml`, `externalDocs`, vendor `x-` keys,
and nested `$schema`, `$id`, `$anchor`, `$dynamicAnchor`, `$dynamicRef`, `$defs`,
`definitions` (their targets are bundled where refs name them).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contractgen.errors import ContractgenError
from contractgen.load.document import Document, RefError
from contractgen.location import Location, split_pointer

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFS_PREFIX = "#/$defs/"

SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains"}
    | {"propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"}
    | {"contentSchema"}
)
"""Keywords whose value is one schema."""
SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})
DROPPED = frozenset(
    {"discriminator", "xml", "externalDocs", "$schema", "$id", "$anchor", "$dynamicAnchor"}
    | {"$dynamicRef", "$recursiveAnchor", "$recursiveRef", "$defs", "definitions"}
    | {"nullable", "example"}
)
"""Keywords plain JSON Schema does not have, or whose job bundling does (`$defs`)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
COMPONENTS = ("components", "schemas")


class ExportError(ContractgenError):
    """A schema cannot be exported: a reference that cannot be followed, a value JSON lacks."""


@dataclass
class _Definition:
    name: str
    value: Any
    location: Location
    converted: Any = None
    deps: set[str] = field(default_factory=set)
    """Names of the definitions this one refers to."""


class SchemaBundler:
    """Converts schemas of one document, naming each `$ref` target once for the whole run.

    `prefix` is where the definitions will live in the output: `#/$defs/` for self-contained
    schema files, `#/components/schemas/` for an AsyncAPI document.
    """

    def __init__(self, document: Document, *, prefix: str = DEFS_PREFIX) -> None:
        self.document = document
        self.legacy = document.version_tuple < (3, 1)
        self.prefix = prefix
        self._by_target: dict[tuple[str, str], str] = {}
        self._definitions: dict[str, _Definition] = {}
        self._pending: list[str] = []

    def convert(self, value: Any, at: Location) -> tuple[Any, set[str]]:
        """A schema written at `at`, converted; and the names of the definitions it needs."""
        deps: set[str] = set()
        converted = self._node(value, at, deps)
        self._drain()
        return converted, self.closure(deps)

    def reference(self, ref: str, at: Location) -> tuple[str, set[str]]:
        """The definition a `$ref` (written at `at`) stands for; and every one it needs."""
        name = self._target(ref, at)
        self._drain()
        return name, self.closure({name})

    def definition(self, name: str) -> Any:
        """A definition, converted (a fresh copy: callers may change it)."""
        return copy.deepcopy(self._definitions[name].converted)

    def definitions(self, names: Iterable[str]) -> dict[str, Any]:
        """The named definitions, converted, sorted by name."""
        return {name: self.definition(name) for name in sorted(names)}

    def closure(self, names: set[str]) -> set[str]:
        """The names and everything they refer to, transitively."""
        found: set[str] = set()
        todo = sorted(names)
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found.add(name)
            todo.extend(sorted(self._definitions[name].deps - found))
        return found

    def is_recursive(self, name: str) -> bool:
        """Whether a definition refers back to itself, directly or through others."""
        return name in self.closure(self._definitions[name].deps)

    # --- walking ----------------------------------------------------------------------------

    def _drain(self) -> None:
        while self._pending:
            entry = self._definitions[self._pending.pop(0)]
            entry.converted = self._node(entry.value, entry.location, entry.deps)

    def _node(self, node: Any, at: Location, deps: set[str]) -> Any:
        if isinstance(node, bool) or not isinstance(node, dict):
            return _json_value(node, at, self.document)
        ref = node.get("$ref")
        out: dict[str, Any] = {}
        if isinstance(ref, str):
            name = self._target(ref, at)
            deps.add(name)
            out["$ref"] = self.prefix + name
            if self.legacy:  # OpenAPI 3.0: a reference's siblings are ignored
                return out
        for key, value in node.items():
            if not isinstance(key, str) or key == "$ref" or key in DROPPED or key.startswith("x-"):
                continue
            where = at.child(key)
            if key in SUBSCHEMA:
                out[key] = self._node(value, where, deps)
            elif key in SUBSCHEMA_LISTS and isinstance(value, list):
                out[key] = [self._node(item, where.child(i), deps) for i, item in enumerate(value)]
            elif key in SUBSCHEMA_MAPS and isinstance(value, dict):
                out[key] = {
                    str(name): self._node(item, where.child(str(name)), deps)
                    for name, item in value.items()
                }
            else:
                out[key] = _json_value(value, where, self.document)
        if "example" in node and "examples" not in out:
            out["examples"] = [_json_value(node["example"], at.child("example"), self.document)]
        _exclusive_bounds(out)
        if self.legacy and node.get("nullable") is True:
            return _nullable(out)
        return out

    def _target(self, ref: str, at: Location) -> str:
        try:
            resolved = self.document.resolve(ref, at)
        except RefError as error:
            raise _error("EXPORT002", error.message, error.at or at, self.document) from None
        key = (resolved.location.file, resolved.location.pointer)
        name = self._by_target.get(key)
        if name is None:
            name = self._new_name(resolved.location)
            self._by_target[key] = name
            self._definitions[name] = _Definition(name, resolved.value, resolved.location)
            self._pending.append(name)
        return name

    def _new_name(self, location: Location) -> str:
        tokens = split_pointer(location.pointer)
        if tuple(tokens[:2]) == COMPONENTS and len(tokens) > 2:
            tokens = tokens[2:]
        if location.file != self.document.root.display:
            stem = location.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            tokens = [stem, *tokens]
        base = _UNSAFE.sub("_", ".".join(tokens)).strip(".") or "schema"
        name, number = base, 1
        while name in self._definitions:
            number += 1
            name = f"{base}_{number}"
        return name


def _exclusive_bounds(out: dict[str, Any]) -> None:
    """3.0's `exclusiveMinimum: true` beside `minimum: 5` is 2020-12's `exclusiveMinimum: 5`."""
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    """3.0's `nullable: true`: `null` is allowed as well."""
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list):
        out["type"] = kind if "null" in kind else [*kind, "null"]
    else:
        return {"anyOf": [out, {"type": "null"}]}
    enum = out.get("enum")
    if isinstance(enum, list) and None not in enum:
        out["enum"] = [*enum, None]
    return out


def _json_value(value: Any, at: Location, document: Document) -> Any:
    """A deep copy that is plain JSON: string keys, and no NaN or infinity (JSON has none)."""
    if isinstance(value, dict):
        return {str(k): _json_value(v, at.child(str(k)), document) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(item, at.child(i), document) for i, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("EXPORT003", f"{value} cannot be written as JSON", at, document)
    return value


def _error(code: str, message: str, at: Location, document: Document) -> ExportError:
    try:
        where = document.locate(at)
    except (KeyError, IndexError, ValueError, TypeError):
        where = at
    return ExportError(code, message, where.file, where.line, where.column)


def root_schema(
    bundler: SchemaBundler, value: Any, at: Location, ref: str | None
) -> dict[str, Any]:
    """A self-contained schema: `value` converted at the root (the target of `ref`, when the
    schema is a reference: a component inlined), with every definition it needs in `$defs`."""
    if ref is not None:
        name, needed = bundler.reference(ref, at)
        root = bundler.definition(name)
        deps = needed if bundler.is_recursive(name) else needed - {name}
    else:
        root, deps = bundler.convert(value, at)
    if isinstance(root, bool):
        root = {} if root else {"not": {}}
    elif not isinstance(root, dict):
        root = {"not": {}}  # not a schema at all: nothing can match it
    schema: dict[str, Any] = {"$schema": DIALECT, **root}
    if deps:
        schema["$defs"] = bundler.definitions(deps)
    return schema
