"""Whether two schemas have one shape: how a renamed event or code is told from a new one.

Annotations (`title`, `description`, examples, `x-` keys) are no part of a shape, and a
`$ref` stands for what it names, so a payload moved to another component name keeps its
shape. This is an equality test, not a comparison: what changed inside a paired schema is
the schema comparator's to say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contractgen.location import Location
    from contractgen.model.contract import Contract
    from contractgen.model.schema import Schema

ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "summary",
        "example",
        "examples",
        "default",
        "deprecated",
        "externalDocs",
        "xml",
        "$comment",
        "$id",
        "$anchor",
        "$schema",
    }
)
"""Keywords that say nothing about which values a schema allows."""

DATA_KEYWORDS = frozenset({"const", "enum"})
"""Keywords whose value is data (a `$ref` inside is a value, not a reference)."""

UNORDERED = frozenset({"required", "enum", "type"})
"""Keywords whose list order means nothing."""

MAX_NODES = 5_000
"""Schemas bigger than this are not shaped: two of them are never taken for one."""


class _TooBig(Exception):
    pass


def same_shape(
    old: tuple[Contract, Schema | None],
    new: tuple[Contract, Schema | None],
    *,
    without: tuple[str | None, str | None] = (None, None),
) -> bool:
    """Whether two schemas, each read in its own contract, allow the same values.

    `without` names a top-level property to leave out on each side: the discriminator a
    renamed event pins to its new name.
    """
    old_shape, new_shape = shape(*old, without=without[0]), shape(*new, without=without[1])
    return old_shape is not None and old_shape == new_shape


def shape(contract: Contract, schema: Schema | None, *, without: str | None = None) -> Any:
    """A hashable form of a schema with every `$ref` followed, or None if it is too big."""
    if schema is None:
        return ("absent",)
    value = schema.value
    if without is not None and isinstance(value, dict):
        properties = value.get("properties")
        if isinstance(properties, dict) and without in properties:
            value = {**value, "properties": {k: v for k, v in properties.items() if k != without}}
    try:
        return _Shaper(contract).node(value, schema.value_location)
    except _TooBig:
        return None


class _Shaper:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.budget = MAX_NODES
        self.visiting: list[Location] = []
        """The referenced schemas being shaped, outermost first (a recursive one loops)."""

    def node(self, value: Any, at: Location) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                return self.reference(value, at)
            return tuple(
                sorted(
                    (key, self.keyword(key, child, at.child(key)))
                    for key, child in value.items()
                    if key not in ANNOTATIONS and not key.startswith("x-")
                )
            )
        if isinstance(value, list):
            return tuple(self.node(item, at.child(index)) for index, item in enumerate(value))
        return (type(value).__name__, value)

    def keyword(self, key: str, value: Any, at: Location) -> Any:
        if key in DATA_KEYWORDS:
            return _frozen(value, ordered=key != "enum")
        if key in UNORDERED and isinstance(value, list):
            return tuple(sorted(repr(_frozen(item)) for item in value))
        return self.node(value, at)

    def reference(self, value: dict[str, Any], at: Location) -> Any:
        resolved = self.contract.resolve_schema(value, at)
        if resolved is None or resolved.value is None:
            return ("unresolved", value["$ref"])
        where = resolved.value_location
        if where in self.visiting:
            return ("recursive", len(self.visiting) - self.visiting.index(where))
        self.visiting.append(where)
        try:
            target = self.node(resolved.value, where)
        finally:
            self.visiting.pop()
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        return (target, self.node(siblings, at)) if siblings else target


def _frozen(value: Any, *, ordered: bool = True) -> Any:
    """Data as a hashable value (a `const` object, an `enum` list)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(child)) for key, child in value.items()))
    if isinstance(value, list):
        items = [_frozen(item) for item in value]
        return tuple(items) if ordered else tuple(sorted(items, key=repr))
    return (type(value).__name__, value)
