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
from contractgen.diff.schema_view import NOT_CONSTRAINTS, Branch, Property, Side, View
from contractgen.model.schema import COMPONENT_SCHEMA_PREFIX, Schema
from contractgen.report.finding import Level

if TYPE_CHECKING:
    from collections.abc import Callable

    from contractgen.diff.registry import DiffRule
    from contractgen.diff.schema_pair import Pair
    from contractgen.location import Location

CONDITIONALS = ("if", "then", "else", "not")
"""Compared as written: they are not monotone, so a change is potentially breaking."""
BRANCH_SIMILARITY = 0.5
"""How many property names two alternatives must share (of all they name) to pair by shape."""


def compare_views(pair: Pair) -> None:
    old, new = pair.old, pair.new
    one_sided = (old.union is None) != (new.union is None)
    if one_sided and not _constrains(old if old.union is not None else new):
        keywords.compare_types(pair)
        _compare_wrapped(pair)
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
    for keyword in CONDITIONALS:
        _compare_conditional(pair, keyword)
    compare_discriminator(pair)
    if old.union is not None and new.union is not None:
        _compare_union(pair, old.union, new.union, wrapped=False)
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


def _compare_conditional(pair: Pair, keyword: str) -> None:
    in_old, in_new = keyword in pair.old.keywords, keyword in pair.new.keywords
    old_at, new_at = pair.old.at(keyword), pair.new.at(keyword)
    if in_old and in_new:
        if pair.old.get(keyword) != pair.new.get(keyword):
            rule = (
                rules.REQUEST_CONDITIONAL_CHANGED
                if pair.request
                else rules.RESPONSE_CONDITIONAL_CHANGED
            )
            text = f"`{keyword}` changed; diff cannot prove existing data still satisfies it"
            pair.report(rule, text, old_at, new_at)
    elif in_new:
        _constraint_appeared(pair, f"`{keyword}`", old_at, new_at)
    elif in_old:
        _constraint_dropped(pair, f"`{keyword}`", old_at, new_at)


# --- arrays ----------------------------------------------------------------------------------


def _any(view: View) -> Schema:
    """The `true` schema, standing for an absent `items`, located at its node."""
    return Schema(view.location, True, view.location)


def _tuple(pair: Pair, view: View, side: Side) -> tuple[list[Schema], Schema | None]:
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
    old_prefix, old_rest = _tuple(pair, pair.old, pair.old_side)
    new_prefix, new_rest = _tuple(pair, pair.new, pair.new_side)
    for index in range(max(len(old_prefix), len(new_prefix))):
        old = old_prefix[index] if index < len(old_prefix) else old_rest or _any(pair.old)
        new = new_prefix[index] if index < len(new_prefix) else new_rest or _any(pair.new)
        pair.descend(old, new, f"prefixItems[{index}]")
    if old_rest is not None or new_rest is not None:
        pair.descend(old_rest or _any(pair.old), new_rest or _any(pair.new), "items")
    keywords.compare_unique_items(pair)
    for keyword in ("contains", "unevaluatedItems"):
        _compare_subschema(pair, keyword)


# --- unions and discriminators ---------------------------------------------------------------


def _compare_wrapped(pair: Pair) -> None:
    """One side is a union, the other a plain schema: the plain one is its only alternative."""
    plain_old = pair.old.union is None
    plain = [Branch(pair.old_schema if plain_old else pair.new_schema, "", -1)]
    if plain_old:
        assert pair.new.union is not None
        _compare_union(pair, plain, pair.new.union, wrapped=True)
    else:
        assert pair.old.union is not None
        _compare_union(pair, pair.old.union, plain, wrapped=True)


def _union_appeared(pair: Pair) -> None:
    """A union added to (or removed from) a schema that constrains data by itself as well."""
    if pair.new.union is not None:
        what = _union_named(pair.new, pair.new.union)
        _constraint_appeared(pair, what, pair.old.location, pair.new.union_at)
    elif pair.old.union is not None:
        what = _union_named(pair.old, pair.old.union)
        _constraint_dropped(pair, what, pair.old.union_at, pair.new.location)


def _union_named(view: View, union: list[Branch]) -> str:
    keyword = union[0].keyword if union else "oneOf"
    return f"`{keyword}` of {len(union)} alternatives"


def _compare_union(pair: Pair, old: list[Branch], new: list[Branch], *, wrapped: bool) -> None:
    old_tags = _tags(pair.old, old, pair.old_side)
    new_tags = _tags(pair.new, new, pair.new_side)
    matched, removed, added = _pair_branches(pair, old, new, old_tags, new_tags)
    tagged = pair.old.get("discriminator") is not None and pair.new.get("discriminator") is not None
    for old_index, new_index in matched:
        old_branch, new_branch = old[old_index], new[new_index]
        step = _step(new_branch) or _step(old_branch)
        pair.descend(old_branch.schema, new_branch.schema, step, nullable_done=wrapped)
        if tagged:
            _compare_tags(pair, old_branch, new_branch, old_tags[old_index], new_tags[new_index])
    for index in removed:
        _branch_removed(pair, old[index], old_tags[index])
    for index in added:
        _branch_added(pair, new[index], new_tags[index])


def _step(branch: Branch) -> str | None:
    return f"{branch.keyword}[{branch.index}]" if branch.index >= 0 else None


def _label(branch: Branch, tags: set[str]) -> str:
    name = branch.schema.name or f"{branch.keyword}[{branch.index}]"
    suffix = f" (discriminator {keywords.shown_all(sorted(tags))})" if tags else ""
    return f"alternative `{name}`{suffix}"


def _branch_removed(pair: Pair, branch: Branch, tags: set[str]) -> None:
    new_at = pair.new.union_at if pair.new.union is not None else pair.new.location
    label = _label(branch, tags)
    if pair.request:
        text = f"{label} removed; clients sending it are refused"
        pair.report(rules.REQUEST_UNION_BRANCH_REMOVED, text, branch.schema.location, new_at)
    else:
        text = f"{label} removed; clients handle the rest already"
        pair.report(rules.RESPONSE_UNION_BRANCH_REMOVED, text, branch.schema.location, new_at)


def _branch_added(pair: Pair, branch: Branch, tags: set[str]) -> None:
    old_at = pair.old.union_at if pair.old.union is not None else pair.old.location
    label = _label(branch, tags)
    if pair.request:
        text = f"{label} added; existing requests stay valid"
        pair.report(rules.REQUEST_UNION_BRANCH_ADDED, text, old_at, branch.schema.location)
    else:
        text = f"{label} added; clients that handle only the known alternatives cannot parse it"
        pair.report(rules.RESPONSE_UNION_BRANCH_ADDED, text, old_at, branch.schema.location)


def _compare_tags(
    pair: Pair, old: Branch, new: Branch, old_tags: set[str], new_tags: set[str]
) -> None:
    where = (pair.old.at("discriminator"), pair.new.at("discriminator"))
    if pair.request and old_tags - new_tags:
        lost = keywords.shown_all(sorted(old_tags - new_tags))
        text = (
            f"discriminator value(s) {lost} no longer select {_label(new, set())}; "
            "clients sending them are refused"
        )
        pair.report(rules.REQUEST_DISCRIMINATOR_VALUE_REMOVED, text, *where)
    elif not pair.request and new_tags - old_tags:
        gained = keywords.shown_all(sorted(new_tags - old_tags))
        text = (
            f"discriminator value(s) {gained} now select {_label(new, set())}; "
            "clients that dispatch on the tag do not know them"
        )
        pair.report(rules.RESPONSE_DISCRIMINATOR_VALUE_ADDED, text, *where)


def _mapping(view: View, side: Side) -> dict[tuple[str, str], set[str]]:
    """A discriminator's mapping: each target schema with the values that select it."""
    found: dict[tuple[str, str], set[str]] = {}
    discriminator = view.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if not isinstance(mapping, dict):
        return found
    base = view.at("discriminator").child("mapping")
    for value, target in mapping.items():
        if not isinstance(target, str):
            continue
        bare = not any(mark in target for mark in "#/.")
        ref = COMPONENT_SCHEMA_PREFIX + target if bare else target
        schema = side.schema({"$ref": ref}, base.child(value))
        if schema is not None:
            key = (schema.value_location.file, schema.value_location.pointer)
            found.setdefault(key, set()).add(value)
    return found


def _tags(view: View, branches: list[Branch], side: Side) -> list[set[str]]:
    """The discriminator values selecting each branch: mapped, else its component name."""
    if not isinstance(view.get("discriminator"), dict):
        return [set() for _ in branches]
    mapping = _mapping(view, side)
    tags = []
    for branch in branches:
        location = branch.schema.value_location
        mapped = mapping.get((location.file, location.pointer))
        name = branch.schema.name
        tags.append(set(mapped) if mapped else {name} if name else set())
    return tags


def _pair_branches(
    pair: Pair,
    old: list[Branch],
    new: list[Branch],
    old_tags: list[set[str]],
    new_tags: list[set[str]],
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair alternatives: by discriminator value, component name, constant tag, then shape."""
    left_old, left_new = list(range(len(old))), list(range(len(new)))
    matched: list[tuple[int, int]] = []

    def take(old_index: int, new_index: int) -> None:
        matched.append((old_index, new_index))
        left_old.remove(old_index)
        left_new.remove(new_index)

    old_shapes = [_shape(pair.old_side, branch) for branch in old]
    new_shapes = [_shape(pair.new_side, branch) for branch in new]
    tests: tuple[Callable[[int, int], bool], ...] = (
        lambda o, n: bool(old_tags[o] & new_tags[n]),
        lambda o, n: old[o].schema.name is not None and old[o].schema.name == new[n].schema.name,
        lambda o, n: bool(old_shapes[o][2] & new_shapes[n][2]),
    )
    for test in tests:
        for old_index in list(left_old):
            partner = next((n for n in left_new if test(old_index, n)), None)
            if partner is not None:
                take(old_index, partner)
    for old_index in list(left_old):
        scored = [
            (_similarity(old_shapes[old_index][1], new_shapes[n][1]), -n)
            for n in left_new
            if new_shapes[n][0] == old_shapes[old_index][0]
        ]
        best = max(scored, default=None)
        if best is not None and best[0] >= BRANCH_SIMILARITY:
            take(old_index, -best[1])
    for old_index in list(left_old):
        kind = old_shapes[old_index][0]
        same_old = [o for o in left_old if old_shapes[o][0] == kind]
        same_new = [n for n in left_new if new_shapes[n][0] == kind]
        if len(same_old) == len(same_new) == 1:
            take(old_index, same_new[0])
    return matched, left_old, left_new


Shape = tuple[frozenset[str] | None, frozenset[str], frozenset[tuple[str, str]]]
"""An alternative's types, property names, and the properties it pins to one value."""


def _shape(side: Side, branch: Branch) -> Shape:
    view = side.view(branch.schema)
    types = view.types if view.types is not None else keywords.implied_types(view)
    pinned = frozenset(
        (name, keywords.shown(value))
        for name, prop in view.properties.items()
        if (value := _pinned(prop.schema.value)) is not None
    )
    return types, frozenset(view.properties), pinned


def _pinned(value: Any) -> Any:
    """The one value a property schema allows (`const`, or a one-value `enum`), if any."""
    if not isinstance(value, dict):
        return None
    if "const" in value:
        return value["const"]
    enum = value.get("enum")
    return enum[0] if isinstance(enum, list) and len(enum) == 1 else None


def _similarity(old: frozenset[str], new: frozenset[str]) -> float:
    if not old and not new:
        return 1.0
    return len(old & new) / len(old | new)


def compare_discriminator(pair: Pair) -> None:
    old, new = pair.old.get("discriminator"), pair.new.get("discriminator")
    old = old if isinstance(old, dict) else None
    new = new if isinstance(new, dict) else None
    if old is None and new is None:
        return
    rule: DiffRule = (
        rules.REQUEST_DISCRIMINATOR_CHANGED
        if pair.request
        else rules.RESPONSE_DISCRIMINATOR_CHANGED
    )
    where = (pair.old.at("discriminator"), pair.new.at("discriminator"))
    if old is None or new is None:
        what = "added" if old is None else "removed"
        text = f"discriminator {what}; the alternatives themselves are unchanged by it"
        pair.report(rule, text, *where, level=Level.INFO)
        return
    old_name, new_name = old.get("propertyName"), new.get("propertyName")
    if old_name != new_name:
        text = (
            f"discriminator property changed from {keywords.shown(old_name)} to "
            f"{keywords.shown(new_name)}; the tag clients "
            + ("send no longer selects the alternative" if pair.request else "dispatch on is gone")
        )
        pair.report(rule, text, pair.old.at("discriminator"), pair.new.at("discriminator"))
    if pair.old.union is None and pair.new.union is None:
        _compare_mapping_keys(pair, old, new)


def _compare_mapping_keys(pair: Pair, old: dict[str, Any], new: dict[str, Any]) -> None:
    """A discriminator without a union (inheritance by `allOf`): its mapping keys compared."""
    old_keys = set(old["mapping"]) if isinstance(old.get("mapping"), dict) else set()
    new_keys = set(new["mapping"]) if isinstance(new.get("mapping"), dict) else set()
    where = (pair.old.at("discriminator"), pair.new.at("discriminator"))
    if pair.request and old_keys - new_keys:
        lost = keywords.shown_all(sorted(old_keys - new_keys))
        text = f"discriminator value(s) {lost} removed; clients sending them are refused"
        pair.report(rules.REQUEST_DISCRIMINATOR_VALUE_REMOVED, text, *where)
    elif not pair.request and new_keys - old_keys:
        gained = keywords.shown_all(sorted(new_keys - old_keys))
        text = f"discriminator value(s) {gained} added; clients dispatching on it do not know them"
        pair.report(rules.RESPONSE_DISCRIMINATOR_VALUE_ADDED, text, *where)
