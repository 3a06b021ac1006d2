"""Reading raw OpenAPI through `$ref`s, for the model builder.

Nothing here raises on a malformed document: what cannot be read comes back empty, and
structural validation reports it with better messages.
"""

from __future__ import annotations

from typing import Any

from contractgen.load.document import Document, RefError
from contractgen.location import Location
from contractgen.model.schema import Schema


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_strs(value: Any) -> tuple[str, ...]:
    return tuple(item for item in as_list(value) if isinstance(item, str))


MAX_ALL_OF_DEPTH = 16
"""How deep nested `allOf` members are read for property names (a cycle stops there)."""


class Reader:
    """Follows references and reads Schema Objects where they are written."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def deref(self, value: Any, at: Location) -> tuple[Any, Location]:
        """Follow a `$ref`; an unresolvable one yields None (OAS002 reports it)."""
        try:
            resolved = self.document.deref(value, at)
        except RefError:
            return None, at
        return resolved.value, resolved.location

    def object(self, value: Any, owner: Location, field: str) -> tuple[dict[str, Any], Location]:
        """An owner's field that holds an object or a map, read through a `$ref` standing for
        it (OpenAPI allows none there, but bundlers follow it): the mapping, or {}."""
        found, where = self.deref(value, owner.child(field))
        return as_dict(found), where

    def schema(self, value: Any, at: Location) -> Schema | None:
        if isinstance(value, bool):
            return Schema(at, value, at)
        if not isinstance(value, dict):
            return None
        ref = as_str(value.get("$ref"))
        resolved, where = self.deref(value, at)
        return Schema(at, resolved, where, ref)

    def branches(self, schema: Schema) -> list[Schema]:
        """The members of a `oneOf`/`anyOf` union, resolved."""
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            if isinstance(members, list):
                base = schema.value_location.child(keyword)
                found = [self.schema(member, base.child(i)) for i, member in enumerate(members)]
                return [branch for branch in found if branch is not None]
        return []

    def union_keyword_location(self, schema: Schema) -> Location | None:
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list):
                return schema.value_location.child(keyword)
        return None

    def property_names(self, schema: Schema, depth: int = 0) -> list[str]:
        """The names of a schema's properties, its own first, then its `allOf` members'."""
        names = list(schema.properties)
        if depth > MAX_ALL_OF_DEPTH:
            return names
        for member in as_list(schema.get("allOf")):
            found = self.schema(member, schema.value_location)
            if found is not None:
                names += [n for n in self.property_names(found, depth + 1) if n not in names]
        return names

    def property_schema(self, schema: Schema, name: str) -> Schema | None:
        props = schema.properties
        if name not in props:
            for member in as_list(schema.get("allOf")):
                found = self.schema(member, schema.value_location)
                if found is not None and name in found.properties:
                    return self.property_schema(found, name)
            return None
        return self.schema(props[name], schema.value_location.child("properties", name))
