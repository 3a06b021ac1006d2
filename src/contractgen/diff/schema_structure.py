"""Structure checks of one schema pair: objects, arrays, unions, discriminators, conditionals.

`compare_views` is the entry point. It runs every keyword check that applies to the types
both schemas allow and descends into subschemas (properties, items, branches) through the
pair, so the comparator memoizes each subschema pair and attributes its changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contractgen.diff import schema_keywords as keywords
from contractgen.diff import schema_rules as rules
from contractgen.diff.schema_pair import SchemaPath
from contractgen.diff.schema_unions import compare_discriminator, compare_union, compare_wrapped
from contractgen.diff.schema_view import NOT_CONSTRAINTS, Branch, Property, Side, View
from contractgen.model.schema import Schema
from contractgen.report.finding import Level

if TYPE_CHECKING:
    from contractgen.diff.schema_pair import Pair
    from contractgen.location import Location

CONDITIONALS = (("if", "then", "else"), ("not",))
"""Compared as written, each group as one: they are not monotone, so a change may break."""


def compare_views(pair: Pair) -> None:
    old, new = pair.old, pair.new
    one_sided = (old.union is None) != (new.union is None)
    if one_sided and not _constrains(old if old.union is not None else new):
        keywords.compare_types(pair)
        compare_wrapped(pair)
        compare_discriminator(pair)
        return
    families = keywords.compare_types(pair)
    keywords.compare_values(pair)
    keywords.compare_default(pair)
    if families & {"string", "number"}:
        keywords.compare_format(pair)
    keywords.compare_bounds(pair, families)
    if "string" in families:
        keywords.compare_pattern(pair)
        keywords.compare_content(pair)
        _compare_subschema(pair, "contentSchema")
    if "number" in families:
        keywords.compare_multiple_of(pair)
    if "object" in families:
        compare_object(pair)
    if "array" in families:
        compare_array(pair)
    for group in CONDITIONALS:
        _compare_conditional(pair, group)
    compare_discriminator(pair)
    if old.union is not None and new.union is not None:
        compare_union(pair, old.union, new.union, wrapped=False)
    elif one_sided:
        _union_appeared(pair)


def _constrains(view: View) -> bool:
    """Whether a union's node says more than its alternatives (besides `type` and `null`)."""
    return any(
        keyword != "type" and keyword not in NOT_CONSTRAINTS and not keyword.startswith("x-")
        for keyword in view.keywords
    )


# --- objects ---------------------------------------------------------------------------------


def compare_object(pair: Pair) -> None:
    _compare_properties(pair)
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        _compare_openness(pair, keyword)
    for keyword in ("patternProperties", "dependentSchemas"):
        _compare_schema_map(pair, keyword)
    _compare_subschema(pair, "propertyNames")
    _compare_dependent_required(pair)


def _visible(view: View, request: bool) -> dict[str, Property]:
    return {name: prop for name, prop in view.properties.items() if not prop.hidden(request)}


def _required(view: View, request: bool) -> set[str]:
    hidden = {name for name, prop in view.properties.items() if prop.hidden(request)}
    return set(view.required) - hidden


def _property_path(pair: Pair, side: Side, view: View, holder: Location, name: str) -> SchemaPath:
    """A property's path; one merged from another component is named in that component."""
    unit = side.unit(holder)
    if unit is not None and unit != side.unit(view.location):
        return SchemaPath(unit.name, True).child(name)
    return pair.path.child(name)


def _compare_properties(pair: Pair) -> None:
    request = pair.request
    old_props, new_props = _visible(pair.old, request), _visible(pair.new, request)
    old_required, new_required = _required(pair.old, request), _required(pair.new, request)
    for name, old_prop in old_props.items():
        new_prop = new_props.get(name)
        if new_prop is None:
            _property_removed(pair, name, old_prop, name in old_required)
            continue
        path = _property_path(pair, pair.new_side, pair.new, new_prop.holder, name)
        pair.descend(old_prop.schema, new_prop.schema, name, path=path)
        if new_prop.flag("deprecated") and not old_prop.flag("deprecated"):
            rule = (
                rules.REQUEST_PROPERTY_DEPRECATED if request else rules.RESPONSE_PROPERTY_DEPRECATED
            )
            text = "marked `deprecated`; clients should plan to stop using it"
            pair.report(rule, text, old_prop.schema.location, new_prop.schema.location, path=path)
    for name, new_prop in new_props.items():
        if name not in old_props:
            _property_added(pair, name, new_prop, name in new_required)
    for name in sorted(new_required - old_required):
        if name in old_props or name not in new_props:
            _became_required(pair, name)
    for name in sorted(old_required - new_required):
        if name in new_props or name not in old_props:
            _became_optional(pair, name)


def _closed(view: View) -> bool:
    return view.get("additionalProperties") is False or view.get("unevaluatedProperties") is False


def _property_removed(pair: Pair, name: str, prop: Property, required: bool) -> None:
    old_at = prop.schema.location
    new_at = pair.new.counterpart(pair.old_side.unit_name(prop.holder), "properties", pair.new_side)
    path = _property_path(pair, pair.old_side, pair.old, prop.holder, name)
    still = pair.new.properties.get(name)
    hidden = "readOnly" if pair.request else "writeOnly"
    what = f"is now `{hidden}`" if still is not None else "removed"
    if pair.request:
        closed = _closed(pair.new)
        outcome = "refused, as the schema is closed" if closed else "ignored at best"
        text = f"property {what}; clients still sending it are {outcome}"
        level = Level.BREAKING if closed else None
        pair.report(rules.REQUEST_PROPERTY_REMOVED, text, old_at, new_at, level=level, path=path)
    elif required:
        text = f"required property {what}; clients that read it fail"
        pair.report(rules.RESPONSE_REQUIRED_PROPERTY_REMOVED, text, old_at, new_at, path=path)
    else:
        text = f"optional property {what}; clients that use it lose the data"
        pair.report(rules.RESPONSE_OPTIONAL_PROPERTY_REMOVED, text, old_at, new_at, path=path)


def _property_added(pair: Pair, name: str, prop: Property, required: bool) -> None:
    new_at = prop.schema.location
    old_at = pair.old.counterpart(pair.new_side.unit_name(prop.holder), "properties", pair.old_side)
    path = _property_path(pair, pair.new_side, pair.new, prop.holder, name)
    if not pair.request:
        kind = "required" if required else "optional"
        text = f"new {kind} property; clients that parse strictly may refuse it"
        pair.report(rules.RESPONSE_PROPERTY_ADDED, text, old_at, new_at, path=path)
    elif required:
        text = "new required property; existing clients do not send it and are refused"
        pair.report(rules.REQUEST_REQUIRED_PROPERTY_ADDED, text, old_at, new_at, path=path)
    else:
        text = "new optional property; existing requests stay valid"
        pair.report(rules.REQUEST_PROPERTY_ADDED, text, old_at, new_at, path=path)


def _became_required(pair: Pair, name: str) -> None:
    holder = pair.new.required[name]
    new_at = holder.child("required")
    old_at = pair.old.counterpart(pair.new_side.unit_name(holder), "required", pair.old_side)
    path = _property_path(pair, pair.new_side, pair.new, holder, name)
    if pair.request:
        text = "became required; clients that leave it out are refused"
        pair.report(rules.REQUEST_PROPERTY_BECAME_REQUIRED, text, old_at, new_at, path=path)
    else:
        text = "became required; clients are unaffected"
        pair.report(rules.RESPONSE_PROPERTY_BECAME_REQUIRED, text, old_at, new_at, path=path)


def _became_optional(pair: Pair, name: str) -> None:
    holder = pair.old.required[name]
    old_at = holder.child("required")
    new_at = pair.new.counterpart(pair.old_side.unit_name(holder), "required", pair.new_side)
    path = _property_path(pair, pair.old_side, pair.old, holder, name)
    if pair.request:
        text = "became optional; existing requests stay valid"
        pair.report(rules.REQUEST_PROPERTY_BECAME_OPTIONAL, text, old_at, new_at, path=path)
    else:
        text = "became optional; clients that read it unconditionally fail when it is absent"
        pair.report(rules.RESPONSE_PROPERTY_BECAME_OPTIONAL, text, old_at, new_at, path=path)


_OPEN, _SCHEMA, _CLOSED = 2, 1, 0
_OPENNESS = {_OPEN: "open", _SCHEMA: "a schema", _CLOSED: "`false`"}


def _openness(view: View, keyword: str) -> int:
    value = view.keywords.get(keyword, True)
    if value is False:
        return _CLOSED
    return _SCHEMA if isinstance(value, dict) and value else _OPEN


def _compare_openness(pair: Pair, keyword: str) -> None:
    old, new = _openness(pair.old, keyword), _openness(pair.new, keyword)
    old_at, new_at = pair.old.at(keyword), pair.new.at(keyword)
    if old == new == _SCHEMA:
        pair.descend(
            pair.old_subschema(pair.old.get(keyword), old_at),
            pair.new_subschema(pair.new.get(keyword), new_at),
            keyword,
        )
        return
    if old == new:
        return
    text = f"`{keyword}` changed from {_OPENNESS[old]} to {_OPENNESS[new]}"
    narrower = new < old
    if pair.request:
        if narrower:
            text += "; clients sending other properties are refused"
            pair.report(rules.REQUEST_ADDITIONAL_PROPERTIES_CLOSED, text, old_at, new_at)
        else:
            pair.report(
                rules.REQUEST_CONSTRAINT_RELAXED, f"{text}; requests stay valid", old_at, new_at
            )
    elif narrower:
        pair.report(
            rules.RESPONSE_CONSTRAINT_TIGHTENED, f"{text}; clients are unaffected", old_at, new_at
        )
    else:
        text += "; clients that parse strictly meet properties they do not know"
        pair.report(rules.RESPONSE_ADDITIONAL_PROPERTIES_OPENED, text, old_at, new_at)


def _compare_dependent_required(pair: Pair) -> None:
    old, new = (
        _string_lists(pair.old.get("dependentRequired")),
        _string_lists(pair.new.get("dependentRequired")),
    )
    where = (pair.old.at("dependentRequired"), pair.new.at("dependentRequired"))
    for key in sorted(old.keys() | new.keys()):
        added = sorted(new.get(key, set()) - old.get(key, set()))
        removed = sorted(old.get(key, set()) - new.get(key, set()))
        if added:
            text = f"`dependentRequired` now makes `{key}` require {keywords.shown_all(added)}"
            if pair.request:
                text += "; clients sending it without them are refused"
                pair.report(rules.REQUEST_DEPENDENT_REQUIRED_ADDED, text, *where)
            else:
                pair.report(
                    rules.RESPONSE_CONSTRAINT_TIGHTENED, f"{text}; clients are unaffected", *where
                )
        if removed:
            text = (
                f"`dependentRequired` no longer makes `{key}` require {keywords.shown_all(removed)}"
            )
            if pair.request:
                pair.report(
                    rules.REQUEST_CONSTRAINT_RELAXED, f"{text}; requests stay valid", *where
                )
            else:
                text += "; clients that read them whenever it is present may find them missing"
                pair.report(rules.RESPONSE_DEPENDENT_REQUIRED_REMOVED, text, *where)


def _string_lists(value: Any) -> dict[str, set[str]]:
    if not isinstance(value, dict):
        return {}
    return {
        key: {name for name in names if isinstance(name, str)}
        for key, names in value.items()
        if isinstance(names, list)
    }


# --- subschemas and conditionals -----------------------------------------------------------


def _constraint_appeared(pair: Pair, what: str, old_at: Location, new_at: Location) -> None:
    if pair.request:
        text = f"{what} added; requests that do not satisfy it are refused"
        pair.report(rules.REQUEST_SUBSCHEMA_CONSTRAINT_ADDED, text, old_at, new_at)
    else:
        pair.report(
            rules.RESPONSE_CONSTRAINT_TIGHTENED,
            f"{what} added; clients are unaffected",
            old_at,
            new_at,
        )


def _constraint_dropped(pair: Pair, what: str, old_at: Location, new_at: Location) -> None:
    if pair.request:
        pair.report(
            rules.REQUEST_CONSTRAINT_RELAXED, f"{what} removed; requests stay valid", old_at, new_at
        )
    else:
        text = f"{what} removed; the server may now send data it excluded"
        pair.report(rules.RESPONSE_SUBSCHEMA_CONSTRAINT_REMOVED, text, old_at, new_at)


def _compare_subschema(pair: Pair, keyword: str) -> None:
    """A keyword holding one subschema: compared structurally where both sides have it."""
    in_old, in_new = keyword in pair.old.keywords, keyword in pair.new.keywords
    old_at, new_at = pair.old.at(keyword), pair.new.at(keyword)
    if in_old and in_new:
        pair.descend(
            pair.old_subschema(pair.old.get(keyword), old_at),
            pair.new_subschema(pair.new.get(keyword), new_at),
            keyword,
        )
    elif in_new:
        _constraint_appeared(pair, f"`{keyword}`", old_at, new_at)
    elif in_old:
        _constraint_dropped(pair, f"`{keyword}`", old_at, new_at)


def _compare_schema_map(pair: Pair, keyword: str) -> None:
    """`patternProperties`/`dependentSchemas`: entries paired by key, compared structurally."""
    old, new = pair.old.get(keyword), pair.new.get(keyword)
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    old_base, new_base = pair.old.at(keyword), pair.new.at(keyword)
    for key, value in old.items():
        if key in new:
            pair.descend(
                pair.old_subschema(value, old_base.child(key)),
                pair.new_subschema(new[key], new_base.child(key)),
                f"{keyword}[{key}]",
            )
        else:
            _constraint_dropped(pair, f"`{keyword}` entry `{key}`", old_base.child(key), new_base)
    for key in new:
        if key not in old:
            _constraint_appeared(pair, f"`{keyword}` entry `{key}`", old_base, new_base.child(key))


def _compare_conditional(pair: Pair, group: tuple[str, ...]) -> None:
    old = [pair.old.keywords.get(keyword) for keyword in group]
    new = [pair.new.keywords.get(keyword) for keyword in group]
    if old == new:
        return
    old_at = _first_at(pair.old, group)
    new_at = _first_at(pair.new, group)
    what = "/".join(f"`{keyword}`" for keyword in group)
    if any(value is not None for value in old) and any(value is not None for value in new):
        rule = (
            rules.REQUEST_CONDITIONAL_CHANGED
            if pair.request
            else rules.RESPONSE_CONDITIONAL_CHANGED
        )
        text = f"{what} changed; diff cannot prove existing data still satisfies it"
        pair.report(rule, text, old_at, new_at)
    elif any(value is not None for value in new):
        _constraint_appeared(pair, what, old_at, new_at)
    else:
        _constraint_dropped(pair, what, old_at, new_at)


def _first_at(view: View, group: tuple[str, ...]) -> Location:
    """Where a conditional group is written: its first keyword present, else the node."""
    present = next((keyword for keyword in group if keyword in view.keywords), group[0])
    return view.at(present)


# --- arrays ----------------------------------------------------------------------------------


def _any(view: View) -> Schema:
    """The `true` schema, standing for an absent `items`, located at its node."""
    return Schema(view.location, True, view.location)


def _tuple(view: View, side: Side) -> tuple[list[Schema], Schema | None]:
    """An array's positional item schemas (`prefixItems`, or an `items` list) and the rest."""
    prefix_keyword, rest_keyword = "prefixItems", "items"
    if isinstance(view.get("items"), list):
        prefix_keyword, rest_keyword = "items", "additionalItems"
    written = view.get(prefix_keyword)
    prefix: list[Schema] = []
    if isinstance(written, list):
        base = view.at(prefix_keyword)
        found = [side.schema(item, base.child(index)) for index, item in enumerate(written)]
        prefix = [schema for schema in found if schema is not None]
    rest = (
        side.schema(view.get(rest_keyword), view.at(rest_keyword))
        if rest_keyword in view.keywords
        else None
    )
    return prefix, rest


def compare_array(pair: Pair) -> None:
    old_prefix, old_rest = _tuple(pair.old, pair.old_side)
    new_prefix, new_rest = _tuple(pair.new, pair.new_side)
    for index in range(max(len(old_prefix), len(new_prefix))):
        old = old_prefix[index] if index < len(old_prefix) else old_rest or _any(pair.old)
        new = new_prefix[index] if index < len(new_prefix) else new_rest or _any(pair.new)
        pair.descend(old, new, f"prefixItems[{index}]")
    if old_rest is not None or new_rest is not None:
        pair.descend(old_rest or _any(pair.old), new_rest or _any(pair.new), "items")
    keywords.compare_unique_items(pair)
    for keyword in ("contains", "unevaluatedItems"):
        _compare_subschema(pair, keyword)


def _union_appeared(pair: Pair) -> None:
    """A union added to (or removed from) a schema that constrains data by itself as well."""
    if pair.new.union is not None:
        what = _union_named(pair.new, pair.new.union)
        _constraint_appeared(pair, what, pair.old.location, pair.new.union_at or pair.new.location)
    elif pair.old.union is not None:
        what = _union_named(pair.old, pair.old.union)
        _constraint_dropped(pair, what, pair.old.union_at or pair.old.location, pair.new.location)


def _union_named(view: View, union: list[Branch]) -> str:
    keyword = union[0].keyword if union else "oneOf"
    return f"`{keyword}` of {len(union)} alternatives"
