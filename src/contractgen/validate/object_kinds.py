"""Which OpenAPI object stands where, so that objects in other files can be checked too.

The official OpenAPI schema checks the root file as one value; an object in another file is
reached only through a `$ref`, and what it must be (a Response, a Parameter, a Schema) is
known only from where that reference stands. `placement_at` reads it off the reference's
pointer, `references` follows references to the objects the root validation does not see
(and notes those standing where OpenAPI allows no Reference Object), and `schema_positions`
finds every place a Schema Object starts (components, parameters, headers, callbacks...).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from contractgen.load.collect import in_data, references_in
from contractgen.location import Location, join_pointer, split_pointer, unescape_token

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from contractgen.load.collect import RefSite
    from contractgen.load.document import Document, Resolved, SourceFile

#: How a field holds its objects: the value itself, each member of a map of names, each item.
ONE, MAP, LIST = "one", "map", "list"
#: Any field that is not an extension (the keys of Paths, Responses, Callback).
_ANY = "*"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_MEDIA_TYPES = (MAP, "media-type")
_CONTENT = {"content": _MEDIA_TYPES, "examples": (MAP, "example")}
_SERVERS = {"servers": (LIST, "server")}
_DOCS = {"externalDocs": (ONE, "external-documentation")}
_SECURITY = {"security": (LIST, "security-requirement")}

#: kind -> field -> (how the field holds its objects, their kind). Kinds are the official
#: schema's 3.1+ definition names.
_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "openapi": {
        "info": (ONE, "info"),
        "paths": (ONE, "paths"),
        "webhooks": (MAP, "path-item"),
        "components": (ONE, "components"),
        "tags": (LIST, "tag"),
        **_SERVERS,
        **_DOCS,
        **_SECURITY,
    },
    "info": {"contact": (ONE, "contact"), "license": (ONE, "license")},
    "server": {"variables": (MAP, "server-variable")},
    "tag": _DOCS,
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
        **_SERVERS,
    },
    "operation": {
        "parameters": (LIST, "parameter"),
        "requestBody": (ONE, "request-body"),
        "responses": (ONE, "responses"),
        "callbacks": (MAP, "callbacks"),
        **_SERVERS,
        **_DOCS,
        **_SECURITY,
    },
    "callbacks": {_ANY: (ONE, "path-item")},
    "responses": {_ANY: (ONE, "response")},
    "response": {"headers": (MAP, "header"), "links": (MAP, "link"), "content": _MEDIA_TYPES},
    "link": {"server": (ONE, "server")},
    "security-scheme": {"flows": (ONE, "oauth-flows")},
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
        "discriminator": (ONE, "discriminator"),
        "xml": (ONE, "xml"),
        **_DOCS,
    },
}  # fmt: skip

#: The objects a `$ref` may stand for, from the official schemas of 3.0, 3.1 and 3.2: a
#: Reference Object wherever one of these is expected, and a Path Item's own `$ref` field.
#: Everywhere else (an Operation, a Responses Object, a whole map) OpenAPI allows none.
_REFERENCEABLE = frozenset({
    "schema", "path-item", "parameter", "request-body", "response", "header", "example", "link",
    "callbacks", "security-scheme",
})  # fmt: skip
#: 3.2 adds Media Type Objects, in content maps and `components.mediaTypes`.
_REFERENCEABLE_SINCE_3_2 = _REFERENCEABLE | {"media-type"}


def _field(kind: str, token: str) -> tuple[str, str] | None:
    fields = _FIELDS.get(kind)
    if fields is None:
        return None
    found = fields.get(token)
    if found is None and _ANY in fields and not token.startswith("x-"):
        return fields[_ANY]
    return found


def placement_at(kind: str, tokens: Sequence[str]) -> tuple[str, str] | None:
    """What stands at `tokens` below an object of `kind`: `(ONE, kind)` for an object, and
    `(MAP, kind)` or `(LIST, kind)` for a whole map or list of them; None where OpenAPI
    places nothing it defines (extensions, example data, unknown fields)."""
    placement: tuple[str, str] | None = (ONE, kind)
    previous = ""
    for token in tokens:
        if placement is None:
            return None
        placement = _step(placement, token, previous)
        previous = token
    return placement


def _step(placement: tuple[str, str], token: str, previous: str) -> tuple[str, str] | None:
    """The placement one token below `placement`, which `previous` led to."""
    holds, kind = placement
    if holds != ONE:  # the token names a member of the map or list
        return None if holds == LIST and not token.isdigit() else (ONE, kind)
    if kind == "schema" and previous == "items" and token.isdigit():
        return placement  # draft 4's list form of `items`
    return _field(kind, token)


_ROOT_PLACEMENTS: WeakKeyDictionary[Document, dict[str, tuple[str, str] | None]] = (
    WeakKeyDictionary()
)


def root_placement(document: Document, pointer: str) -> tuple[str, str] | None:
    """`placement_at` for a JSON Pointer into the root file, remembered for every prefix: the
    root's references share their paths, so each step is taken once per document."""
    known = _ROOT_PLACEMENTS.setdefault(document, {"": (ONE, "openapi")})
    missing = []
    ancestor = pointer
    while ancestor not in known:
        missing.append(ancestor)
        ancestor = ancestor.rpartition("/")[0]
    for below in reversed(missing):
        parent, _, token = below.rpartition("/")
        above = known[parent]
        previous = unescape_token(parent.rpartition("/")[2])
        known[below] = None if above is None else _step(above, unescape_token(token), previous)
    return known[pointer]


# --- objects reached through `$ref` -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Referenced:
    """An object reached through `$ref`, the kind its reference expects, and its value."""

    location: Location
    kind: str
    value: Any


@dataclass(frozen=True, slots=True)
class Misplaced:
    """A `$ref` standing where OpenAPI allows no Reference Object (bundlers follow it)."""

    location: Location
    """The object holding the `$ref`."""
    holds: str
    """`ONE` when it stands for one object, `MAP` or `LIST` for a whole map or list."""
    kind: str
    """The kind of object it stands for, or that the map or list holds."""


@dataclass(frozen=True, slots=True)
class References:
    objects: list[Referenced]
    """Objects the root validation does not see as their kind, once per kind."""
    misplaced: list[Misplaced]
    """Every `$ref` standing where OpenAPI allows none, root file first."""
    refs_in_data: list[RefSite]
    """References inside objects that a reference names in an extension's value
    (`#/x-operations/list`): the file's own walk took them for data, bundlers do not."""
    mappings_in_data: list[RefSite]
    """Discriminator mappings inside such objects."""


_REFERENCES: WeakKeyDictionary[Document, References] = WeakKeyDictionary()


def references(document: Document) -> References:
    """The objects reached through `$ref` and the misplaced references (cached).

    The walk starts at the root's references and continues with the references inside each
    object it reaches, each read as the kind its place expects. A reference is followed as
    bundlers do even where OpenAPI allows none (an Operation, a Responses Object, a whole
    map), so that what it points at is checked as the object it stands for. A reference
    whose place is unknown (inside an extension or example data) or that does not resolve
    (OAS002 reports it) is not followed, and objects the root validation checks as their
    kind already (a `#/components/responses/...` Response) are left to it.
    """
    cached = _REFERENCES.get(document)
    if cached is None:
        cached = _REFERENCES[document] = _References(document).walk()
    return cached


def referenced_objects(document: Document) -> list[Referenced]:
    return references(document).objects


def reference_sites(document: Document) -> Iterator[RefSite]:
    """Every reference: those the files' walks found, then those inside objects that a
    reference names in an extension's value (see `References.refs_in_data`)."""
    yield from document.ref_sites()
    yield from references(document).refs_in_data


def mapping_sites(document: Document) -> Iterator[RefSite]:
    """Every discriminator mapping value, found the same two ways as `reference_sites`."""
    yield from document.mapping_sites()
    yield from references(document).mappings_in_data


class _References:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.root = document.root.display
        minor = document.version_tuple[1]
        self.referenceable = _REFERENCEABLE_SINCE_3_2 if minor >= 2 else _REFERENCEABLE
        self.seen: set[tuple[str, str, str]] = set()
        self.queue: deque[Referenced] = deque()  # first in, first out: the reading order
        self.found = References([], [], [], [])
        self.read_in_data: set[tuple[str, str]] = set()
        self.placed: set[Location] = set()
        #: Per file: its reference pointers in sorted order, and each one's index in `refs`.
        self.sorted_sites: dict[str, tuple[list[str], list[int]]] = {}

    def walk(self) -> References:
        for site in self.document.root.refs:
            self.follow(site, root_placement(self.document, site.location.pointer))
        while self.queue:
            reached = self.queue.popleft()
            depth = len(split_pointer(reached.location.pointer))
            for site in self.sites_below(reached.location):
                below = split_pointer(site.location.pointer)[depth:]
                self.follow(site, placement_at(reached.kind, below))
        return self.found

    def follow(self, site: RefSite, placement: tuple[str, str] | None) -> None:
        if placement is None:
            return
        holds, kind = placement
        misplaced = holds != ONE or kind not in self.referenceable
        if misplaced and site.location not in self.placed:
            self.placed.add(site.location)
            self.found.misplaced.append(Misplaced(site.location, holds, kind))
        if self.checked_in_root(site.location.file, site.target, placement):
            return
        try:
            target = self.document.resolve(site.target, site.location)
        except Exception:  # reported by OAS002
            return
        for location, value in _stood_for(target, holds):
            key = (location.file, location.pointer, kind)
            if key in self.seen or self.checked_in_root(location.file, location, (ONE, kind)):
                continue
            self.seen.add(key)
            reached = Referenced(location, kind, value)
            self.found.objects.append(reached)
            self.queue.append(reached)

    def checked_in_root(
        self, file: str, target: str | Location, placement: tuple[str, str]
    ) -> bool:
        """Whether the root validation checks what a reference names as `placement` already:
        a fragment in the root file, at a place of that kind."""
        if file != self.root:
            return False
        if isinstance(target, str):
            if not target.startswith("#"):
                return False
            return root_placement(self.document, target[1:]) == placement
        return root_placement(self.document, target.pointer) == placement

    def sites_below(self, location: Location) -> list[RefSite]:
        """The references at or below a location, in document order (a bisect, not a scan)."""
        source = self.document.file(location.file)
        refs = source.refs
        start = location.pointer
        if not start:
            return refs
        tokens = split_pointer(start)
        if in_data(source, tokens):
            return self.sites_in_data(source, tokens)
        if location.file not in self.sorted_sites:
            order = sorted(range(len(refs)), key=lambda index: refs[index].location.pointer)
            self.sorted_sites[location.file] = ([refs[i].location.pointer for i in order], order)
        pointers, order = self.sorted_sites[location.file]
        # `start` itself, then what lies below it: pointers from `start/` up to `start0`.
        found = order[bisect_left(pointers, start) : bisect_right(pointers, start)]
        found += order[bisect_left(pointers, start + "/") : bisect_left(pointers, start + "0")]
        return [refs[index] for index in sorted(found)]

    def sites_in_data(self, source: SourceFile, tokens: list[str]) -> list[RefSite]:
        """The references of an object the file's walk took for data, noted once."""
        refs, mappings = references_in(source, tokens)
        key = (source.display, join_pointer(tokens))
        if key not in self.read_in_data:
            self.read_in_data.add(key)
            self.found.refs_in_data.extend(refs)
            self.found.mappings_in_data.extend(mappings)
        return refs


def _stood_for(target: Resolved, holds: str) -> Iterator[tuple[Location, Any]]:
    """The objects a resolved reference stands for: itself, or each member of its map or list."""
    value = target.value
    if holds == ONE:
        yield target.location, value
    elif holds == MAP and isinstance(value, dict):
        for name, member in value.items():
            yield target.location.child(name), member
    elif holds == LIST and isinstance(value, list):
        for index, member in enumerate(value):
            yield target.location.child(index), member


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
        if isinstance(value.get("$ref"), str):
            found = _target(document, root, file, path, value["$ref"], (ONE, kind), seen)
            if found is None:
                continue
            file, path, value = found
            if type(value) is not dict:
                continue
        fields = _FIELDS.get(kind, {})
        any_name = fields.get(_ANY)
        for name, member in value.items():
            step = fields.get(name)
            if step is None and any_name is not None and not name.startswith("x-"):
                step = any_name
            if step is None or name in skipped:
                continue
            holds, member_kind = step
            member_path = (*path, name)
            if holds != ONE and type(member) is dict and isinstance(member.get("$ref"), str):
                found = _target(document, root, file, member_path, member["$ref"], step, seen)
                if found is None:
                    continue
                file_of_map, member_path, member = found  # a `$ref` standing for a whole map
                stack.extend(_members(file_of_map, member_path, member, holds, member_kind))
            else:
                stack.extend(_members(file, member_path, member, holds, member_kind))


def _target(
    document: Document,
    root: str,
    file: str,
    path: tuple[str, ...],
    ref: str,
    placement: tuple[str, str],
    seen: set[tuple[str, str]],
) -> tuple[str, tuple[str, ...], Any] | None:
    """Where a `$ref` met by the walk leads, or None: the walk reaches the target where it is
    written (a fragment to a place of the same kind in the root), has been there, or the
    reference does not resolve (OAS002 reports it)."""
    if file == root and ref.startswith("#") and root_placement(document, ref[1:]) == placement:
        return None
    try:
        resolved = document.resolve(ref, Location(file, join_pointer(path)))
    except Exception:  # reported by OAS002
        return None
    key = (resolved.location.file, resolved.location.pointer)
    if key in seen:
        return None
    seen.add(key)
    return key[0], tuple(split_pointer(key[1])), resolved.value


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
