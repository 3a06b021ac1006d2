"""Which OpenAPI object stands where, so that objects in other files can be checked too.

The official OpenAPI schema checks the root file as one value; an object in another file is
reached only through a `$ref`, and what it must be (a Response, a Parameter, a Schema) is
known only from where that reference stands. `kind_at` reads it off the reference's pointer,
`referenced_objects` follows references out of the root file, and `schema_positions` finds
every place a Schema Object starts (components, parameters, headers, callbacks, webhooks...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from contractgen.location import Location, join_pointer, split_pointer

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from contractgen.load.collect import RefSite
    from contractgen.load.document import Document

#: How a field holds its objects: the value itself, each member of a map of names, each item.
ONE, MAP, LIST = "one", "map", "list"
#: Any field that is not an extension (the keys of Paths, Responses, Callback).
_ANY = "*"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_MEDIA_TYPES = (MAP, "media-type")
_CONTENT = {"content": _MEDIA_TYPES, "examples": (MAP, "example")}

#: kind -> field -> (how the field holds its objects, their kind). Kinds are the official
#: schema's 3.1+ definition names.
_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "openapi": {
        "paths": (ONE, "paths"),
        "webhooks": (MAP, "path-item"),
        "components": (ONE, "components"),
    },
    "components": {
        "schemas": (MAP, "schema"),
        "responses": (MAP, "response"),
        "parameters": (MAP, "parameter"),
        "examples": (MAP, "example"),
        "requestBodies": (MAP, "request-body"),
        "headers": (MAP, "header"),
        "securitySchemes": (MAP, "security-scheme"),
        "links": (MAP, "link"),
        "callbacks": (MAP, "callbacks"),
        "pathItems": (MAP, "path-item"),
        "mediaTypes": (MAP, "media-type"),
    },
    "paths": {_ANY: (ONE, "path-item")},
    "path-item": {
        **dict.fromkeys(_METHODS, (ONE, "operation")),
        "additionalOperations": (MAP, "operation"),
        "parameters": (LIST, "parameter"),
    },
    "operation": {
        "parameters": (LIST, "parameter"),
        "requestBody": (ONE, "request-body"),
        "responses": (ONE, "responses"),
        "callbacks": (MAP, "callbacks"),
    },
    "callbacks": {_ANY: (ONE, "path-item")},
    "responses": {_ANY: (ONE, "response")},
    "response": {"headers": (MAP, "header"), "links": (MAP, "link"), "content": _MEDIA_TYPES},
    "request-body": {"content": _MEDIA_TYPES},
    "parameter": {"schema": (ONE, "schema"), **_CONTENT},
    "header": {"schema": (ONE, "schema"), **_CONTENT},
    "media-type": {
        "schema": (ONE, "schema"),
        "itemSchema": (ONE, "schema"),
        "examples": (MAP, "example"),
        "encoding": (MAP, "encoding"),
        "prefixEncoding": (LIST, "encoding"),
        "itemEncoding": (ONE, "encoding"),
    },
    "encoding": {
        "headers": (MAP, "header"),
        "encoding": (MAP, "encoding"),
        "prefixEncoding": (LIST, "encoding"),
        "itemEncoding": (ONE, "encoding"),
    },
    "schema": {
        **dict.fromkeys(
            ("additionalProperties", "items", "contains", "propertyNames", "not", "if", "then",
             "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
             "additionalItems"),
            (ONE, "schema"),
        ),
        **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), (LIST, "schema")),
        **dict.fromkeys(
            ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"),
            (MAP, "schema"),
        ),
    },
}  # fmt: skip


def _field(kind: str, token: str) -> tuple[str, str] | None:
    fields = _FIELDS.get(kind)
    if fields is None:
        return None
    found = fields.get(token)
    if found is None and _ANY in fields and not token.startswith("x-"):
        return fields[_ANY]
    return found


def kind_at(kind: str, tokens: Sequence[str]) -> str | None:
    """The kind of object at `tokens` below an object of `kind`; None where no OpenAPI object
    stands (extensions, example data, a map itself rather than one of its members)."""
    position = 0
    current: str | None = kind
    while current is not None and position < len(tokens):
        token = tokens[position]
        step = _field(current, token)
        if step is None:
            return None
        holds, current = step
        position += 1
        if holds != ONE:  # the next token names a member of the map or list
            if position == len(tokens) or (holds == LIST and not tokens[position].isdigit()):
                return None
            position += 1
        elif token == "items" and position < len(tokens) and tokens[position].isdigit():
            position += 1  # draft 4's list form of `items`
    return current


# --- objects in other files, reached through `$ref` -----------------------------------------


@dataclass(frozen=True, slots=True)
class Referenced:
    """An object in a file other than the root, the kind its reference expects, and its value."""

    location: Location
    kind: str
    value: Any


_REFERENCED: WeakKeyDictionary[Document, list[Referenced]] = WeakKeyDictionary()


def referenced_objects(document: Document) -> list[Referenced]:
    """Every object reached by `$ref` outside the root file, once per kind (cached).

    The walk starts at the root's references to other files and continues with the
    references inside each object it reaches; a reference whose kind is unknown (inside an
    extension or example data) or that does not resolve (OAS002 reports it) is not followed.
    Objects in the root file are left to the root validation.
    """
    cached = _REFERENCED.get(document)
    if cached is None:
        cached = _REFERENCED[document] = list(_walk_references(document))
    return cached


def _walk_references(document: Document) -> Iterator[Referenced]:
    root = document.root.display
    seen: set[tuple[str, str, str]] = set()
    queue: list[Referenced] = []

    def follow(site: RefSite, kind: str | None) -> Iterator[Referenced]:
        if kind is None:
            return
        try:
            target = document.resolve(site.target, site.location)
        except Exception:  # reported by OAS002
            return
        key = (target.location.file, target.location.pointer, kind)
        if target.location.file != root and key not in seen:
            seen.add(key)
            found = Referenced(target.location, kind, target.value)
            queue.append(found)
            yield found

    for site in document.root.refs:
        if not site.target.startswith("#"):
            yield from follow(site, kind_at("openapi", split_pointer(site.location.pointer)))
    while queue:
        reached = queue.pop()
        start = reached.location.pointer
        depth = len(split_pointer(start))
        for site in document.file(reached.location.file).refs:
            pointer = site.location.pointer
            if pointer == start or pointer.startswith(start + "/") or not start:
                below = split_pointer(pointer)[depth:]
                yield from follow(site, kind_at(reached.kind, below))


# --- where Schema Objects start -------------------------------------------------------------

_POSITIONS: WeakKeyDictionary[Document, list[tuple[Location, Any]]] = WeakKeyDictionary()


def schema_positions(document: Document) -> list[tuple[Location, Any]]:
    """Each place a Schema Object starts outside other Schema Objects, as written (cached).

    The walk goes from the root through paths, webhooks, callbacks and every components
    section, following references to the objects that hold schemas (a `$ref`'d Response or
    Parameter, in any file); the schemas themselves are returned as written, `$ref` or not.
    """
    cached = _POSITIONS.get(document)
    if cached is None:
        cached = _POSITIONS[document] = list(_walk_positions(document))
    return cached


#: Fields new in 3.2: in a 3.1 document OAS001 reports them, and what they hold is not walked.
_SINCE_3_2 = frozenset({
    "mediaTypes", "additionalOperations", "query", "itemSchema", "prefixEncoding", "itemEncoding",
})  # fmt: skip


def _walk_positions(document: Document) -> Iterator[tuple[Location, Any]]:
    """Paths are carried as token tuples (a Location only where a schema starts): the walk
    visits every operation, response and media type of specs as large as GitHub's."""
    root = document.root.display
    skipped = _SINCE_3_2 if document.version_tuple < (3, 2) else frozenset()
    seen: set[tuple[str, str]] = set()
    stack: list[tuple[str, tuple[str, ...], Any, str]] = [(root, (), document.data, "openapi")]
    while stack:
        file, path, value, kind = stack.pop()
        if kind == "schema":
            yield Location(file, join_pointer(path)), value
            continue
        if type(value) is not dict:
            continue
        ref = value.get("$ref")
        if isinstance(ref, str):
            if file == root and ref.startswith("#/components/"):
                continue  # the walk reaches it where it is written
            try:
                resolved = document.resolve(ref, Location(file, join_pointer(path)))
            except Exception:  # reported by OAS002
                continue
            file, pointer, value = resolved.location.file, resolved.location.pointer, resolved.value
            if (file, pointer) in seen or type(value) is not dict:
                continue
            seen.add((file, pointer))
            path = tuple(split_pointer(pointer))
        fields = _FIELDS.get(kind, {})
        any_name = fields.get(_ANY)
        for name, member in value.items():
            step = fields.get(name)
            if step is None and any_name is not None and not name.startswith("x-"):
                step = any_name
            if step is not None and name not in skipped:
                stack.extend(_members(file, (*path, name), member, *step))


def _members(
    file: str, path: tuple[str, ...], value: Any, holds: str, kind: str
) -> Iterator[tuple[str, tuple[str, ...], Any, str]]:
    if holds == ONE:
        yield file, path, value, kind
    elif holds == MAP and type(value) is dict:
        for name, member in value.items():
            yield file, (*path, name), member, kind
    elif holds == LIST and type(value) is list:
        for index, member in enumerate(value):
            yield file, (*path, str(index)), member, kind
