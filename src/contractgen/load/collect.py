"""One pass over a parsed file: string keys, and where its references and extensions stand.

Which `$ref` is a reference depends on where it stands. In an object's fields a key that
starts with `x-` is a vendor extension, whose value is opaque (`x-codeSamples: [{$ref:
./curl.sh}]` is Redocly's business, not OpenAPI's), and `example`, `default`, `const` and
`enum` hold data. In a map of names (`properties`, `headers`, a components section) every
key is a name, so `properties: {x-request-id: {$ref: ...}}` is a real reference and a
property called `example` is no example. The walk carries that notion from parent to child
as a small state, so it costs one table look-up per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contractgen.errors import LoadError
from contractgen.load.parse import key_text, locate_duplicate_key
from contractgen.location import Location, join_pointer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.load.document import SourceFile


@dataclass(frozen=True, slots=True)
class RefSite:
    """A reference in the document: where it stands and what it names.

    For a `$ref`, the location is the object holding it; for a discriminator mapping, the
    mapping entry (or `defaultMapping`), and `target` is the value as written.
    """

    location: Location
    target: str


# What the keys of a mapping are. The first four may hold references.
_FIELDS = 0  # an object's fields: `x-` keys are extensions, literal keywords hold data
_NAMES = 1  # a map of names: every key is a name, one starting with `x-` too
_RESPONSES = 2  # a Responses Object: status codes (`default` among them) or extensions
_COMPONENTS = 3  # the Components Object: each section is a map of names
_DISCRIMINATOR = 4  # a Discriminator Object: `mapping` and `defaultMapping` name schemas
_MAPPING = 5  # `discriminator.mapping`: each value names a schema
_WEBSOCKET = 6  # `x-contract-websocket`: only its Schema Object fields hold references
_DATA = 7  # example data or an extension's value: nothing in it is a reference
_HOLDS_REFS = _COMPONENTS

#: Keywords whose values are data, not OpenAPI or JSON Schema.
LITERAL_KEYWORDS = frozenset({"example", "default", "const", "enum"})
#: Fields whose value is a map of names: the next token is a name, never a keyword.
NAME_MAPS = frozenset({
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
    "dependencies", "schemas", "parameters", "headers", "requestBodies", "securitySchemes",
    "links", "callbacks", "pathItems", "mediaTypes", "content", "encoding", "variables",
    "webhooks",
})  # fmt: skip
_EXAMPLES = -1  # `examples`: a map of Example Objects, or JSON Schema's list of data
_VALUE = -2  # an Example Object's `value`/`dataValue` is data; elsewhere a plain field
_FIELD_STATES: dict[str, int] = {
    **dict.fromkeys(LITERAL_KEYWORDS, _DATA),
    **dict.fromkeys(NAME_MAPS, _NAMES),
    "responses": _RESPONSES,
    "components": _COMPONENTS,
    "discriminator": _DISCRIMINATOR,
    "examples": _EXAMPLES,
    "value": _VALUE,
    "dataValue": _VALUE,
}
#: Extensions whose values hold references. Two are legacy forms of native fields: the
#: Schema Object `x-oai-itemSchema` (3.2's `itemSchema`) and Redocly's `x-webhooks`, a map of
#: Path Items (3.1's `webhooks`). `x-contract-websocket` has Schema Objects in the fields
#: below (see its schema).
REFERENCE_EXTENSIONS = {
    "x-oai-itemSchema": _FIELDS,
    "x-fern-streaming": _FIELDS,  # its `response-stream` is a Schema Object
    "x-webhooks": _NAMES,
    "x-contract-websocket": _WEBSOCKET,
}
WEBSOCKET_SCHEMA_FIELDS = frozenset({"clientMessages", "serverMessages"})


def is_schema_name(target: str) -> bool:
    """Whether a discriminator mapping value is a bare schema name (`Dog`), not a reference.

    A bare name means `#/components/schemas/<name>` of the root document.
    """
    return not target.startswith("#") and "/" not in target and "." not in target


def normalize_and_collect(source: SourceFile) -> None:
    """Make every mapping key a string; note every reference and `x-contract-*` extension.

    YAML lets `200:` be an integer key; JSON Pointer and JSON Schema need strings. This walk
    runs on every load, so it stays lean: one loop per mapping, data walked without paths,
    and no extension check at all when the text never mentions one.
    """
    found = _collect(source, source.data, (), find_extensions="x-contract-" in source.text)
    if source.syntax != "json":  # JSON object keys are strings already
        _normalize_data(found.data, source)
    source.refs, source.mappings, source.extensions = found.refs, found.mappings, found.extensions


def in_data(source: SourceFile, tokens: Sequence[str]) -> bool:
    """Whether a place lies inside an extension's value or example data, where the walk of
    its file looked for no reference."""
    node, state = source.data, _FIELDS
    for depth, token in enumerate(tokens):
        if state == _DATA:
            return True
        if type(node) is list:
            node = node[int(token)] if token.isdigit() and int(token) < len(node) else None
            state = _FIELDS
            continue
        if type(node) is not dict:
            return False
        node = node.get(token)
        state = _child_state(state, token, node, tuple(tokens[:depth]))
    return state == _DATA


def references_in(source: SourceFile, tokens: Sequence[str]) -> tuple[list[RefSite], list[RefSite]]:
    """The references and mappings in the object at `tokens`, read as an object's fields.

    For an object that a reference names inside an extension's value (a stash of reusable
    Operations, say): bundlers inline it, and what it references then counts.
    """
    node: Any = source.data
    for token in tokens:
        node = node[int(token)] if type(node) is list else node[token]
    found = _collect(source, node, tuple(tokens), find_extensions=False)
    return found.refs, found.mappings


@dataclass(slots=True)
class _Found:
    refs: list[RefSite]
    mappings: list[RefSite]
    extensions: list[RefSite]
    data: list[Any]
    """The values of extensions and example data: their keys are fixed without paths."""


def _collect(
    source: SourceFile, start: Any, path: tuple[str, ...], *, find_extensions: bool
) -> _Found:
    found = _Found([], [], [], [])
    add_ref, add_data = found.refs.append, found.data.append
    field_states = _FIELD_STATES
    stack: list[tuple[Any, tuple[str, ...], int]] = [(start, path, _FIELDS)]
    while stack:
        node, path, state = stack.pop()
        if type(node) is list:
            for index, value in enumerate(node):
                if type(value) is dict or type(value) is list:
                    stack.append((value, (*path, str(index)), _FIELDS))
            continue
        for key, value in node.items():
            if type(key) is not str:  # rare: fix the keys, then walk this mapping again
                _stringify_keys(node, source)
                stack.append((node, path, state))
                break
            if find_extensions and key.startswith("x-contract-") and state != _NAMES:
                where = source.location(join_pointer((*path, key)))
                found.extensions.append(RefSite(where, key))
            if type(value) is dict or type(value) is list:
                # The common cases of `_child_state` inline: an object's field, a named member.
                if state == _FIELDS:
                    child = field_states.get(key, _FIELDS)
                    if child < 0 or key.startswith("x-"):
                        child = _child_state(state, key, value, path)
                elif state == _NAMES:
                    child = _FIELDS
                else:
                    child = _child_state(state, key, value, path)
                if child == _DATA:
                    add_data(value)
                else:
                    stack.append((value, (*path, key), child))
        else:
            if state <= _HOLDS_REFS:
                ref = node.get("$ref")
                if type(ref) is str:
                    add_ref(RefSite(source.location(join_pointer(path)), ref))
            elif state == _MAPPING:
                found.mappings.extend(_mapping_sites(source, node, path))
            elif state == _DISCRIMINATOR and type(node.get("defaultMapping")) is str:
                where = source.location(join_pointer((*path, "defaultMapping")))
                found.mappings.append(RefSite(where, node["defaultMapping"]))
    for sites in (found.refs, found.mappings, found.extensions):
        sites.reverse()  # popped last child first: reversed, they are in document order
    return found


def _child_state(state: int, key: str, value: Any, path: tuple[str, ...]) -> int:
    """What the keys of a member's value are, given the state of the mapping holding it."""
    if key.startswith("x-") and state != _NAMES:
        return REFERENCE_EXTENSIONS.get(key, _DATA)
    if state == _FIELDS:
        child = _FIELD_STATES.get(key, _FIELDS)
        return child if child >= 0 else _special_field(child, value, path)
    return _member_state(state, key)


def _special_field(marker: int, value: Any, path: tuple[str, ...]) -> int:
    """`examples` (a map of Example Objects, or a list of data) and an Example's value."""
    if marker == _EXAMPLES:
        return _DATA if type(value) is list else _NAMES
    return _DATA if len(path) >= 2 and path[-2] == "examples" else _FIELDS


def _member_state(state: int, key: str) -> int:
    """What the keys of a member's value are, below a mapping that is not an object's fields."""
    if state in (_NAMES, _RESPONSES):
        return _FIELDS
    if state == _COMPONENTS:
        return _NAMES
    if state == _DISCRIMINATOR:
        return _MAPPING if key == "mapping" else _DATA
    if state == _WEBSOCKET:
        return _FIELDS if key in WEBSOCKET_SCHEMA_FIELDS else _DATA
    return _DATA


def _mapping_sites(
    source: SourceFile, mapping: dict[str, Any], path: tuple[str, ...]
) -> list[RefSite]:
    return [
        RefSite(source.location(join_pointer((*path, name))), target)
        for name, target in mapping.items()
        if type(target) is str
    ]


def _normalize_data(data: list[Any], source: SourceFile) -> None:
    """String keys below data nodes, where no reference or extension is looked for."""
    while data:
        node = data.pop()
        if type(node) is dict:
            if not all(type(key) is str for key in node):
                _stringify_keys(node, source)
            node = node.values()
        for value in node:
            if type(value) is dict or type(value) is list:
                data.append(value)


def _stringify_keys(node: dict[Any, Any], source: SourceFile) -> None:
    items = list(node.items())
    node.clear()
    for key, value in items:
        text = key_text(key)
        if text in node:
            line, column = locate_duplicate_key(source.text, text, syntax=source.syntax)
            raise LoadError("LOAD007", f"duplicate key {text!r}", source.display, line, column)
        node[text] = value
