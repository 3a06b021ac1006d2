"""A schema as diff compares it: `allOf` merged, `null` in one form, unions listed.

A `View` is built once per schema node and side. It merges the node's `allOf` members into
one set of keywords (the node's own first) and remembers which node holds each keyword, so a
finding points at the keyword where it is written. It folds the 3.0 `nullable: true`, a 3.1
`"null"` type and a `{type: "null"}` branch into one marker, and keeps a `oneOf`/`anyOf` with
more than one real branch as the union: a single branch left once the `null` one is dropped is
merged like an `allOf` member, so `anyOf: [X, {type: "null"}]` is X made nullable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from contractgen.location import Location, unescape_token
from contractgen.model.schema import Schema

if TYPE_CHECKING:
    from contractgen.model.contract import Contract

COMPONENT_SCHEMAS = "/components/schemas/"
MAX_MERGE_DEPTH = 16
"""How deep nested `allOf` members (and merged single branches) are followed."""
UNION_KEYWORDS = ("oneOf", "anyOf")
NOT_CONSTRAINTS = frozenset(
    {
        "$ref",
        "$id",
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "example",
        "examples",
        "externalDocs",
        "xml",
        "deprecated",
        "readOnly",
        "writeOnly",
        "default",
        "nullable",
        "discriminator",
        "allOf",
        "oneOf",
        "anyOf",
    }
)
"""Keywords that constrain nothing by themselves (or are compared on their own)."""


class Unit(NamedTuple):
    """A schema definition others reference: a component (or a definition in another file)."""

    key: tuple[str, str]
    """File and pointer of the definition."""
    name: str
    """How findings name it: the component name."""


@dataclass(frozen=True, slots=True)
class Property:
    schema: Schema
    written: Any
    """The property's schema as written (a `$ref` may stand beside `readOnly`)."""
    holder: Location
    """The node whose `properties` lists it."""

    def flag(self, keyword: str) -> bool:
        """Whether `keyword` is true where the property is written or where it resolves to."""
        written, resolved = self.written, self.schema.value
        return (isinstance(written, dict) and written.get(keyword) is True) or (
            isinstance(resolved, dict) and resolved.get(keyword) is True
        )

    def hidden(self, request: bool) -> bool:
        """A client does not send `readOnly` properties, nor receive `writeOnly` ones."""
        return self.flag("readOnly" if request else "writeOnly")


@dataclass(frozen=True, slots=True)
class Branch:
    """One alternative of a union, as written at `keyword[index]`."""

    schema: Schema
    keyword: str
    index: int


@dataclass(slots=True, eq=False)
class View:
    location: Location
    """The node viewed (its value location)."""
    keywords: dict[str, Any] = field(default_factory=dict)
    holders: dict[str, Location] = field(default_factory=dict)
    """For each keyword, the node (this one or a merged member) it is written in."""
    properties: dict[str, Property] = field(default_factory=dict)
    required: dict[str, Location] = field(default_factory=dict)
    """Required names, each with the node whose `required` lists it."""
    nodes: list[tuple[Location, dict[str, Any]]] = field(default_factory=list)
    """The merged nodes, this one first."""
    types: frozenset[str] | None = None
    """The `type`s allowed, `null` aside; None when no `type` is given."""
    nullable_at: Location | None = None
    """Where `null` is allowed (`nullable`, a `"null"` type or branch); None: it is not."""
    union: list[Branch] | None = None
    union_at: Location | None = None
    """Where the union keyword is written."""
    never: bool = False
    """No value is valid (the `false` schema), or none but `null` (a union of `null` only)."""

    def at(self, keyword: str) -> Location:
        """Where a keyword is written, or this node when it is absent."""
        holder = self.holders.get(keyword)
        return holder.child(keyword) if holder is not None else self.location

    def get(self, keyword: str) -> Any:
        return self.keywords.get(keyword)

    def counterpart(self, unit_name: str | None, keyword: str, side: Side) -> Location:
        """Where this view writes `keyword`, preferring a merged node of the named unit.

        A change found against a keyword of a merged `allOf` member points at the same member
        on the other side, so a component changed is located (and reported) in the component.
        """
        for location, value in self.nodes:
            if keyword in value and side.unit_name(location) == unit_name:
                return location.child(keyword)
        return self.at(keyword)


class Side:
    """One contract's schemas as diff reads them: references resolved once, views built once."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.root_file = contract.location.file
        self._targets: dict[tuple[str, str], tuple[Any, Location]] = {}
        self._views: dict[tuple[str, str], View] = {}

    def schema(self, value: Any, at: Location) -> Schema | None:
        """The Schema Object written at `at`, through its `$ref`; None if it is not one."""
        if isinstance(value, bool):
            return Schema(at, value, at)
        if isinstance(value, dict):
            ref = value.get("$ref")
            if ref is None:
                return Schema(at, value, at)
            if isinstance(ref, str) and value.get("nullable") is True:
                # `nullable` beside a 3.0 `$ref` is ignored by the letter of the spec, but
                # meant (and honoured by tools): read it as the 3.1 `anyOf: [X, null]` is.
                return Schema(at, {"allOf": [{"$ref": ref}], "nullable": True}, at, ref)
            if isinstance(ref, str) and ref.startswith("#"):
                key = (at.file, ref)
                target = self._targets.get(key)
                if target is None:
                    found = self.contract.resolve_schema(value, at)
                    target = (found.value, found.value_location) if found else (None, at)
                    self._targets[key] = target
                return Schema(at, target[0], target[1], ref)
        return self.contract.resolve_schema(value, at)

    def unit(self, at: Location) -> Unit | None:
        """The definition holding a location, or None for a schema written inline in place."""
        pointer = at.pointer
        if pointer.startswith(COMPONENT_SCHEMAS):
            token = pointer[len(COMPONENT_SCHEMAS) :].split("/", 1)[0]
            return Unit((at.file, COMPONENT_SCHEMAS + token), unescape_token(token))
        if at.file == self.root_file:
            return None
        tokens = pointer.split("/")[1:3]
        if tokens and tokens[0] not in ("$defs", "definitions"):
            tokens = tokens[:1]
        prefix = "".join("/" + token for token in tokens)
        name = at.file.rsplit("/", 1)[-1]
        return Unit((at.file, prefix), name + ("#" + prefix if prefix else ""))

    def unit_name(self, at: Location) -> str | None:
        unit = self.unit(at)
        return unit.name if unit is not None else None

    def view(self, schema: Schema) -> View:
        key = (schema.value_location.file, schema.value_location.pointer)
        found = self._views.get(key)
        if found is None:
            found = View(schema.value_location)
            self._merge(found, schema.value, schema.value_location, 0, {key})
            self._settle_union(found, {key})
            _settle_types(found)
            self._views[key] = found
        return found

    def _merge(
        self, view: View, value: Any, at: Location, depth: int, seen: set[tuple[str, str]]
    ) -> None:
        if value is False:
            view.never = True
        if not isinstance(value, dict):
            return
        view.nodes.append((at, value))
        for keyword, item in value.items():
            if keyword == "properties" and isinstance(item, dict):
                self._merge_properties(view, item, at)
            elif keyword == "required" and isinstance(item, list):
                for name in item:
                    if isinstance(name, str):
                        view.required.setdefault(name, at)
            if keyword not in view.keywords:
                view.keywords[keyword] = item
                view.holders[keyword] = at
        members = value.get("allOf")
        if isinstance(members, list) and depth < MAX_MERGE_DEPTH:
            base = at.child("allOf")
            for index, member in enumerate(members):
                self._merge_member(view, self.schema(member, base.child(index)), depth, seen)

    def _merge_member(
        self, view: View, member: Schema | None, depth: int, seen: set[tuple[str, str]]
    ) -> None:
        if member is None or member.value is None:
            return
        key = (member.value_location.file, member.value_location.pointer)
        if key not in seen:
            seen.add(key)
            self._merge(view, member.value, member.value_location, depth + 1, seen)

    def _merge_properties(self, view: View, properties: dict[str, Any], at: Location) -> None:
        base = at.child("properties")
        for name, written in properties.items():
            if name in view.properties:
                continue
            schema = self.schema(written, base.child(name))
            if schema is None or schema.value is None:
                continue
            view.properties[name] = Property(schema, written, at)

    def _settle_union(self, view: View, seen: set[tuple[str, str]], depth: int = 0) -> None:
        """List the union's real branches; a lone one left is merged like an `allOf` member.

        Both `oneOf` and `anyOf` are read for `null` branches; the first with several real
        branches is the union. A keyword read is taken out of the merged keywords, so a merged
        branch may bring its own.
        """
        for keyword in UNION_KEYWORDS:
            members = view.keywords.get(keyword)
            if not isinstance(members, list):
                continue
            base = view.at(keyword)
            del view.keywords[keyword], view.holders[keyword]
            branches: list[Branch] = []
            for index, member in enumerate(members):
                schema = self.schema(member, base.child(index))
                if schema is None or schema.value is None:
                    continue
                if _is_null(schema.value):
                    view.nullable_at = view.nullable_at or schema.location
                else:
                    branches.append(Branch(schema, keyword, index))
            if not branches:
                view.never = True
            elif len(branches) == 1 and "discriminator" not in view.keywords:
                if depth < MAX_MERGE_DEPTH:
                    self._merge_member(view, branches[0].schema, depth, seen)
                    self._settle_union(view, seen, depth + 1)
                return
            elif view.union is None:
                view.union, view.union_at = branches, base


def _settle_types(view: View) -> None:
    written = view.keywords.get("type")
    types: set[str] | None = None
    if isinstance(written, str):
        types = {written}
    elif isinstance(written, list):
        types = {item for item in written if isinstance(item, str)}
    if types is not None and "null" in types:
        types.discard("null")
        view.nullable_at = view.nullable_at or view.at("type")
    if view.keywords.get("nullable") is True:
        view.nullable_at = view.nullable_at or view.at("nullable")
    enum = view.keywords.get("enum")
    if isinstance(enum, list) and any(value is None for value in enum):
        view.nullable_at = view.nullable_at or view.at("enum")
    view.types = frozenset() if view.never else frozenset(types) if types is not None else None


def _is_null(value: Any) -> bool:
    """A branch that only allows `null`: `{type: "null"}`, `{const: null}`, `{enum: [null]}`."""
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind == "null" or kind == ["null"]:
        return True
    return ("const" in value and value["const"] is None) or value.get("enum") == [None]
