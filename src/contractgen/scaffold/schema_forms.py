"""What datamodel-code-generator makes of a schema, and the forms it names best.

The hoister asks these questions of every schema it walks: will the generator write a class
for it (so it must be named), or a root model because it sits in a list or union with
constraints, or would it number the classes it makes from an `allOf` over a union.
"""

from __future__ import annotations

from typing import Any

UNIONS = ("oneOf", "anyOf")
ANNOTATIONS = frozenset(
    {"description", "nullable", "default", "deprecated", "readOnly", "writeOnly", "title"}
    | {"example", "examples", "$comment"}
)
"""Keywords that describe a value without constraining it."""
CONSTRAINTS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern"}
    | {"minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "format", "const"}
    | {"minProperties", "maxProperties", "contains", "prefixItems"}
)
"""Keywords that narrow a value: what makes the generator write a root model for it."""
VALUE_TYPES = frozenset({"string", "integer", "number", "boolean", "array"})
"""Types that a field holds as they are: made nullable by a type list, not a union."""
FRAME_KEYWORDS = ("type", "properties", "required", "additionalProperties")
"""What an object with both properties and a union shares with each branch."""


def is_class(node: dict[str, Any]) -> bool:
    """Whether the generator makes a class of this schema (where it is not a `$def`)."""
    if isinstance(node.get("$ref"), str):
        return False
    if is_framed_union(node):
        return False
    properties = node.get("properties")
    if isinstance(properties, dict) and properties:
        return True
    enum = node.get("enum")
    if isinstance(enum, list) and any(value is not None for value in enum):
        return "const" not in node
    all_of = node.get("allOf")
    if isinstance(all_of, list) and all_of:
        return len(all_of) > 1 or not isinstance(all_of[0], dict) or "$ref" not in all_of[0]
    return False


def plain(node: dict[str, Any]) -> dict[str, Any]:
    """The same schema in the form the generator names best.

    `allOf` members that only annotate (`{nullable: true}`) are lifted into the schema, so
    `allOf: [{$ref: X}, {nullable: true}]` is a reference to X again, not a subclass. An
    `allOf` of a union and objects is distributed: a union of each branch with the objects
    (the generator would number the classes it makes for them). A union of one value and
    `null` is that value made nullable (`type: [integer, "null"]`), which the generator
    types in the field (`int | None`) instead of wrapping it in a root model.
    """
    node = _nullable_value(node)
    all_of = node.get("allOf")
    if not isinstance(all_of, list):
        return node
    notes = [m for m in all_of if isinstance(m, dict) and m and set(m) <= ANNOTATIONS]
    if notes:
        members = [m for m in all_of if not any(m is note for note in notes)]
        lifted = {k: v for note in notes for k, v in note.items() if k not in node}
        node = {**{k: v for k, v in node.items() if k != "allOf"}, **lifted}
        if members:
            node["allOf"] = members
        all_of = members
        if len(members) == 1 and is_ref(members[0]) and set(node) - {"allOf"} <= ANNOTATIONS:
            return {**{k: v for k, v in node.items() if k != "allOf"}, **members[0]}
    unions = [
        m for m in all_of if isinstance(m, dict) and union_keyword(m) and "properties" not in m
    ]
    if len(unions) != 1 or len(all_of) < 2:
        return node
    union = unions[0]
    keyword = union_keyword(union)
    assert keyword is not None
    others = [m for m in all_of if m is not union]
    rest = {k: v for k, v in node.items() if k != "allOf"}
    shared = {k: v for k, v in union.items() if k != keyword}
    branches = [{"allOf": [branch, *others]} for branch in union[keyword]]
    return {**shared, **rest, keyword: branches}


def _nullable_value(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [{type: integer, minimum: 0}, {type: "null"}]` -> `type: [integer, "null"]`."""
    keyword = union_keyword(node)
    if keyword is None or len(node[keyword]) != 2 or "properties" in node:
        return node
    values = [b for b in node[keyword] if not (isinstance(b, dict) and b.get("type") == "null")]
    if len(values) != 1 or not isinstance(values[0], dict):
        return node
    value = values[0]
    if value.get("type") not in VALUE_TYPES or "$ref" in value or union_keyword(value):
        return node
    rest = {k: v for k, v in node.items() if k != keyword}
    return {**value, **rest, "type": [value["type"], "null"]}


def is_union(node: Any) -> bool:
    """A bare union (no properties of its own beside it)."""
    return isinstance(node, dict) and union_keyword(node) is not None and "properties" not in node


def union_keyword(node: dict[str, Any]) -> str | None:
    return next((k for k in UNIONS if isinstance(node.get(k), list) and node[k]), None)


def is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def is_wrapped(node: dict[str, Any]) -> bool:
    """What the generator wraps in a root model inside a list or union: a constrained value.

    Where it can, it folds the model back into the field (`collapse_root_models`), so naming
    one costs nothing; where it cannot, the class has this name instead of a number.
    """
    return not CONSTRAINTS.isdisjoint(node) or union_keyword(node) is not None


def folds(node: Any) -> bool:
    """A def the generator folds into the fields that name it: a union, an array or a map.

    (A primitive folds too, but it makes no class wherever it is written.)
    """
    if not isinstance(node, dict) or is_class(node) or is_ref(node):
        return False
    return (
        union_keyword(node) is not None
        or node.get("type") == "array"
        or "items" in node
        or isinstance(node.get("additionalProperties"), dict)
    )


def is_container(node: dict[str, Any]) -> bool:
    """An array, map or union: a class (a root model) only where it is a site."""
    return (
        node.get("type") in ("array", "object")
        or any(isinstance(node.get(k), list) for k in UNIONS)
        or "items" in node
    )


def is_framed_union(node: dict[str, Any]) -> bool:
    properties = node.get("properties")
    return (
        isinstance(properties, dict)
        and bool(properties)
        and any(isinstance(node.get(k), list) and node[k] for k in UNIONS)
    )


def kind(node: dict[str, Any]) -> str:
    return "Enum" if "enum" in node and "properties" not in node else "Object"
