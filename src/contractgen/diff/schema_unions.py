"""Union and discriminator checks of one schema pair.

Alternatives are paired before they are compared: by discriminator value, by component name,
by a property pinned to one value (an event's `type: {enum: [delta]}`), then by shape (the
same types and at least half their property names). An alternative left unpaired was removed
or added; a plain schema facing a union is its only alternative, so wrapping a schema in a
`oneOf` reports the alternatives added, not the schema replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contractgen.diff import schema_keywords as keywords
from contractgen.diff import schema_rules as rules
from contractgen.diff.schema_view import Branch
from contractgen.model.schema import COMPONENT_SCHEMA_PREFIX
from contractgen.report.finding import Level

if TYPE_CHECKING:
    from collections.abc import Callable

    from contractgen.diff.registry import DiffRule
    from contractgen.diff.schema_pair import Pair
    from contractgen.diff.schema_view import Side, View
    from contractgen.location import Location

BRANCH_SIMILARITY = 0.5
"""How many property names two alternatives must share (of all they name) to pair by shape."""


def compare_wrapped(pair: Pair) -> None:
    """One side is a union, the other a plain schema: the plain one is its only alternative."""
    plain_old = pair.old.union is None
    plain = [Branch(pair.old_schema if plain_old else pair.new_schema, "", -1)]
    if plain_old:
        assert pair.new.union is not None
        compare_union(pair, plain, pair.new.union, wrapped=True)
    else:
        assert pair.old.union is not None
        compare_union(pair, pair.old.union, plain, wrapped=True)


def compare_union(pair: Pair, old: list[Branch], new: list[Branch], *, wrapped: bool) -> None:
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
    if branch.index < 0:
        return "the schema outside the union"
    name = branch.schema.name or f"{branch.keyword}[{branch.index}]"
    suffix = f" (discriminator {keywords.shown_all(sorted(tags))})" if tags else ""
    return f"alternative `{name}`{suffix}"


def _branch_removed(pair: Pair, branch: Branch, tags: set[str]) -> None:
    new_at = pair.new.union_at or pair.new.location
    label = _label(branch, tags)
    if pair.request:
        text = f"{label} removed; clients sending it are refused"
        pair.report(rules.REQUEST_UNION_BRANCH_REMOVED, text, branch.schema.location, new_at)
    else:
        text = f"{label} removed; clients handle the rest already"
        pair.report(rules.RESPONSE_UNION_BRANCH_REMOVED, text, branch.schema.location, new_at)


def _branch_added(pair: Pair, branch: Branch, tags: set[str]) -> None:
    old_at = pair.old.union_at or pair.old.location
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
    target = _label(new, set())
    if pair.request:
        for value in sorted(old_tags - new_tags):
            _tag_removed(pair, value, f"no longer selects {target}")
    else:
        for value in sorted(new_tags - old_tags):
            _tag_added(pair, value, f"now selects {target}")


def _entry_at(view: View, value: str) -> Location:
    """A discriminator value's mapping entry, else the mapping, else the discriminator."""
    discriminator = view.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    at = view.at("discriminator")
    if not isinstance(mapping, dict):
        return at
    return at.child("mapping", value) if value in mapping else at.child("mapping")


def _tag_removed(pair: Pair, value: str, what: str) -> None:
    text = f"discriminator value {keywords.shown(value)} {what}; clients sending it are refused"
    old_at, new_at = _entry_at(pair.old, value), _entry_at(pair.new, value)
    pair.report(rules.REQUEST_DISCRIMINATOR_VALUE_REMOVED, text, old_at, new_at)


def _tag_added(pair: Pair, value: str, what: str) -> None:
    text = f"discriminator value {keywords.shown(value)} {what}; clients dispatching on it fail"
    old_at, new_at = _entry_at(pair.old, value), _entry_at(pair.new, value)
    pair.report(rules.RESPONSE_DISCRIMINATOR_VALUE_ADDED, text, old_at, new_at)


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
    if pair.request:
        for value in sorted(old_keys - new_keys):
            _tag_removed(pair, value, "removed")
    else:
        for value in sorted(new_keys - old_keys):
            _tag_added(pair, value, "added")
