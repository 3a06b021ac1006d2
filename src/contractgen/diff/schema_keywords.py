"""Keyword checks of one schema pair: type and `null`, format, values, bounds, patterns.

Each check reads both views and reports what changed in the pair's direction: on the
request side narrowing breaks (the server refuses what clients send), on the response side
widening does (clients meet what they do not expect).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from contractgen.diff import schema_rules as rules
from contractgen.report.finding import Level

if TYPE_CHECKING:
    from collections.abc import Iterable

    from contractgen.diff.schema_pair import Pair
    from contractgen.diff.schema_view import View
    from contractgen.location import Location

FAMILIES = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "object": "object",
    "array": "array",
    "boolean": "boolean",
}
"""Which keywords apply to a type: `integer` shares the number keywords."""
ALL_FAMILIES = frozenset(FAMILIES.values())
ANY_OTHER_TYPE = "any other type"
WIDER_FORMATS = frozenset({("int32", "int64"), ("float", "double")})
"""Format changes that only widen: every old value is valid in the new format."""
_IMPLIED = (
    (
        "object",
        (
            "properties",
            "additionalProperties",
            "required",
            "patternProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
        ),
    ),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")),
    ("string", ("minLength", "maxLength", "pattern")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)
COUNT_BOUNDS = (
    ("maxLength", True, "string"),
    ("minLength", False, "string"),
    ("maxItems", True, "array"),
    ("minItems", False, "array"),
    ("maxProperties", True, "object"),
    ("minProperties", False, "object"),
    ("maxContains", True, "array"),
    ("minContains", False, "array"),
)
"""Counting bounds: keyword, whether it is an upper bound, the type family it applies to."""
SHOWN_VALUES = 5
SHOWN_CHARACTERS = 60


def shown(value: Any) -> str:
    """A value as a message quotes it: JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > SHOWN_CHARACTERS:
        text = text[: SHOWN_CHARACTERS - 3] + "..."
    return f"`{text}`"


def shown_all(values: Iterable[Any]) -> str:
    listed = list(values)
    text = ", ".join(shown(value) for value in listed[:SHOWN_VALUES])
    if len(listed) > SHOWN_VALUES:
        text += f" and {len(listed) - SHOWN_VALUES} more"
    return text


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- type and null ------------------------------------------------------------------------


def implied_types(view: View) -> frozenset[str] | None:
    """The type a schema without `type` is written for: `properties` make an object, ..."""
    for family, keywords in _IMPLIED:
        if any(keyword in view.keywords for keyword in keywords):
            return frozenset({family})
    values = _values(view)
    if values:
        return frozenset(_json_type(value) for value in values[0].values())
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _missing(source: frozenset[str] | None, target: frozenset[str] | None) -> list[str]:
    """The types `source` allows that `target` does not (an integer is a number)."""
    if target is None:
        return []
    if source is None:
        return [ANY_OTHER_TYPE]
    return sorted(
        kind
        for kind in source
        if kind not in target and not (kind == "integer" and "number" in target)
    )


def _describe(types: frozenset[str] | None, nullable: bool) -> str:
    if types is None:
        return "any type"
    names = [f"`{kind}`" for kind in sorted(types)] + (["`null`"] if nullable else [])
    return " or ".join(names) if names else "nothing"


def compare_types(pair: Pair) -> frozenset[str]:
    """Compare `type` and `null`; return the type families whose keywords compare further."""
    old, new = pair.old, pair.new
    unknown = (old.types is None and old.union is not None) or (
        new.types is None and new.union is not None
    )
    old_types, new_types = old.types, new.types
    if not unknown and (old_types is None) != (new_types is None):
        old_types = old_types if old_types is not None else implied_types(old)
        new_types = new_types if new_types is not None else implied_types(new)
    old_null = old.nullable_at is not None or (old_types is None and old.union is None)
    new_null = new.nullable_at is not None or (new_types is None and new.union is None)
    if pair.nullable_done:
        new_null = old_null
    lost = [] if unknown else _missing(old_types, new_types)
    gained = [] if unknown else _missing(new_types, old_types)
    _report_types(pair, lost, gained, old_null and not new_null, new_null and not old_null)
    return _families(old_types) & _families(new_types)


def _families(types: frozenset[str] | None) -> frozenset[str]:
    if types is None:
        return ALL_FAMILIES
    return frozenset(FAMILIES[kind] for kind in types if kind in FAMILIES)


def _report_types(
    pair: Pair, lost: list[str], gained: list[str], null_lost: bool, null_gained: bool
) -> None:
    old, new = pair.old, pair.new
    if not (lost or gained or null_lost or null_gained):
        return
    change = (
        f"type changed from {_describe(old.types, old.nullable_at is not None)} "
        f"to {_describe(new.types, new.nullable_at is not None)}"
    )
    at_type = (old.at("type"), new.at("type"))
    at_null = (old.nullable_at or old.at("type"), new.nullable_at or new.at("type"))
    if pair.request:
        if lost:
            text = f"{change}; clients sending {', '.join(lost)} are refused"
            pair.report(rules.REQUEST_TYPE_CHANGED, text, *at_type)
        elif null_lost:
            text = "no longer accepts `null`; clients sending `null` are refused"
            pair.report(rules.REQUEST_NULLABLE_REMOVED, text, *at_null)
        else:
            accepted = ", ".join([*gained, *(["`null`"] if null_gained else [])])
            text = f"now also accepts {accepted}; existing requests stay valid"
            pair.report(rules.REQUEST_TYPE_WIDENED, text, *(at_type if gained else at_null))
    elif gained:
        text = f"{change}; clients that parse the old type meet {', '.join(gained)}"
        pair.report(rules.RESPONSE_TYPE_CHANGED, text, *at_type)
    elif null_gained:
        text = "may now be `null`; clients that do not check for `null` fail"
        pair.report(rules.RESPONSE_PROPERTY_BECAME_NULLABLE, text, *at_null)
    else:
        narrowed = ", ".join([*lost, *(["`null`"] if null_lost else [])])
        text = f"is no longer {narrowed}; clients handle the rest already"
        pair.report(rules.RESPONSE_TYPE_NARROWED, text, *(at_type if lost else at_null))


# --- format --------------------------------------------------------------------------------


def compare_format(pair: Pair) -> None:
    old, new = _string(pair.old.get("format")), _string(pair.new.get("format"))
    if old == new:
        return
    where = (pair.old.at("format"), pair.new.at("format"))
    described = f"format changed from {_format(old)} to {_format(new)}"
    if pair.request:
        if new is None or (old, new) in WIDER_FORMATS:
            text = f"{described}; existing requests stay valid"
            pair.report(rules.REQUEST_TYPE_WIDENED, text, *where)
        else:
            text = f"{described}; values clients send in another format are refused"
            pair.report(rules.REQUEST_FORMAT_CHANGED, text, *where)
    elif old is None or (new, old) in WIDER_FORMATS:
        text = f"{described}; clients handle it already"
        pair.report(rules.RESPONSE_TYPE_NARROWED, text, *where)
    else:
        text = f"{described}; clients that parse the old format may fail"
        pair.report(rules.RESPONSE_FORMAT_CHANGED, text, *where)


def _format(value: str | None) -> str:
    return "none" if value is None else shown(value)


# --- enum and const ------------------------------------------------------------------------


def _key(value: Any) -> Any:
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    return ("j", json.dumps(value, sort_keys=True, default=str))


def _values(view: View) -> tuple[dict[Any, Any], str] | None:
    """The values a schema is restricted to, by a comparable key, and the keyword doing it."""
    if "const" in view.keywords:
        value = view.keywords["const"]
        return ({} if value is None else {_key(value): value}), "const"
    enum = view.keywords.get("enum")
    if isinstance(enum, list):
        return {_key(value): value for value in enum if value is not None}, "enum"
    return None


def compare_values(pair: Pair) -> None:
    old, new = _values(pair.old), _values(pair.new)
    if old is None and new is None:
        return
    old_at = pair.old.at(old[1]) if old else pair.old.location
    new_at = pair.new.at(new[1]) if new else pair.new.location
    if old is None or new is None:
        _restriction_changed(pair, old, new, old_at, new_at)
        return
    removed = [value for key, value in old[0].items() if key not in new[0]]
    added = [value for key, value in new[0].items() if key not in old[0]]
    constant = "const" in (old[1], new[1])
    if constant and (removed or added):
        text = f"value changed from {shown_all(old[0].values())} to {shown_all(new[0].values())}"
        if pair.request:
            safe = not removed
            rule = rules.REQUEST_CONSTRAINT_RELAXED if safe else rules.REQUEST_CONST_CHANGED
        else:
            safe = not added
            rule = rules.RESPONSE_CONSTRAINT_TIGHTENED if safe else rules.RESPONSE_CONST_CHANGED
        pair.report(rule, _consequence(pair, text, safe), old_at, new_at)
        return
    if removed:
        rule = (
            rules.REQUEST_ENUM_VALUE_REMOVED if pair.request else rules.RESPONSE_ENUM_VALUE_REMOVED
        )
        text = f"enum value(s) {shown_all(removed)} removed"
        pair.report(rule, _consequence(pair, text, not pair.request), old_at, new_at)
    if added:
        rule = rules.REQUEST_ENUM_VALUE_ADDED if pair.request else rules.RESPONSE_ENUM_VALUE_ADDED
        text = f"enum value(s) {shown_all(added)} added"
        pair.report(rule, _consequence(pair, text, pair.request), old_at, new_at)


def _restriction_changed(
    pair: Pair,
    old: tuple[dict[Any, Any], str] | None,
    new: tuple[dict[Any, Any], str] | None,
    old_at: Location,
    new_at: Location,
) -> None:
    """A value became restricted (`enum`/`const` added) or free (removed)."""
    if new is not None:
        text = f"now restricted by `{new[1]}` to {shown_all(new[0].values())}"
        if pair.request:
            rule = rules.REQUEST_CONST_CHANGED if new[1] == "const" else rules.REQUEST_BECAME_ENUM
        else:
            const = new[1] == "const"
            rule = (
                rules.RESPONSE_CONSTRAINT_TIGHTENED if const else rules.RESPONSE_ENUM_VALUE_REMOVED
            )
        pair.report(rule, _consequence(pair, text, not pair.request), old_at, new_at)
    elif old is not None:
        text = f"no longer restricted by `{old[1]}` to {shown_all(old[0].values())}"
        if pair.request:
            const = old[1] == "const"
            rule = rules.REQUEST_CONSTRAINT_RELAXED if const else rules.REQUEST_ENUM_VALUE_ADDED
        else:
            const = old[1] == "const"
            rule = rules.RESPONSE_CONST_CHANGED if const else rules.RESPONSE_ENUM_VALUE_ADDED
        pair.report(rule, _consequence(pair, text, pair.request), old_at, new_at)


def _consequence(pair: Pair, text: str, safe: bool) -> str:
    if safe:
        return f"{text}; existing clients are unaffected"
    if pair.request:
        return f"{text}; clients still sending them are refused"
    return f"{text}; clients that handle only the known values meet others"


# --- default and deprecation -----------------------------------------------------------------


def compare_default(pair: Pair) -> None:
    old, new = pair.old.keywords, pair.new.keywords
    if "default" not in old and "default" not in new:
        return
    if "default" in old and "default" in new and _key(old["default"]) == _key(new["default"]):
        return
    before = shown(old["default"]) if "default" in old else "none"
    after = shown(new["default"]) if "default" in new else "none"
    where = (pair.old.at("default"), pair.new.at("default"))
    if pair.request:
        text = (
            f"default changed from {before} to {after}; "
            "clients that leave the value out now get different behaviour"
        )
        level = Level.INFO if "default" not in old else None
        pair.report(rules.REQUEST_DEFAULT_CHANGED, text, *where, level=level)
    else:
        text = f"documented default changed from {before} to {after}"
        pair.report(rules.RESPONSE_DEFAULT_CHANGED, text, *where)


# --- bounds --------------------------------------------------------------------------------

Bound = tuple[float | int, bool, str]
"""A bound's value, whether it is exclusive, and the keyword that sets it."""


def _count_bound(view: View, keyword: str, upper: bool) -> Bound | None:
    value = _number(view.get(keyword))
    if value is None or (not upper and value <= (1 if keyword == "minContains" else 0)):
        return None
    return value, False, keyword


def _numeric_bound(view: View, upper: bool) -> Bound | None:
    """The tightest of `maximum`/`exclusiveMaximum` (or the minimums), in either form.

    `exclusiveMaximum: true` beside `maximum` (3.0) and `exclusiveMaximum: 5` (3.1) are the
    same bound.
    """
    inclusive, exclusive = (
        ("maximum", "exclusiveMaximum") if upper else ("minimum", "exclusiveMinimum")
    )
    candidates: list[Bound] = []
    value = _number(view.get(inclusive))
    if value is not None:
        candidates.append((value, view.get(exclusive) is True, inclusive))
    value = _number(view.get(exclusive))
    if value is not None:
        candidates.append((value, True, exclusive))
    if not candidates:
        return None
    if upper:
        return min(candidates, key=lambda bound: (bound[0], not bound[1]))
    return max(candidates, key=lambda bound: (bound[0], bound[1]))


def _tighter(old: Bound, new: Bound, upper: bool) -> bool | None:
    """Whether `new` is tighter than `old` (None: the same bound)."""
    if (old[0], old[1]) == (new[0], new[1]):
        return None
    if old[0] == new[0]:
        return new[1]
    return new[0] < old[0] if upper else new[0] > old[0]


def compare_bounds(pair: Pair, families: frozenset[str]) -> None:
    for keyword, upper, family in COUNT_BOUNDS:
        if family in families:
            old = _count_bound(pair.old, keyword, upper)
            new = _count_bound(pair.new, keyword, upper)
            _compare_bound(pair, old, new, upper, keyword)
    if "number" in families:
        for upper in (True, False):
            old, new = _numeric_bound(pair.old, upper), _numeric_bound(pair.new, upper)
            _compare_bound(pair, old, new, upper, "maximum" if upper else "minimum")


def _compare_bound(
    pair: Pair, old: Bound | None, new: Bound | None, upper: bool, keyword: str
) -> None:
    if old is None and new is None:
        return
    if old is not None and new is not None:
        tighter = _tighter(old, new, upper)
        if tighter is None:
            return
        verb = ("lowered" if upper else "raised") if tighter else ("raised" if upper else "lowered")
        text = f"`{new[2]}` {verb} from {_bound(old)} to {_bound(new)}"
    elif new is not None:
        tighter = True
        text = f"`{new[2]}` {_bound(new)} added"
    else:
        assert old is not None
        tighter = False
        text = f"`{old[2]}` {_bound(old)} removed"
    old_at = pair.old.at(old[2] if old else keyword)
    new_at = pair.new.at(new[2] if new else keyword)
    if pair.request:
        if not tighter:
            rule = rules.REQUEST_CONSTRAINT_RELAXED
            text += "; existing requests stay valid"
        else:
            rule = rules.REQUEST_UPPER_BOUND_LOWERED if upper else rules.REQUEST_LOWER_BOUND_RAISED
            text += "; values clients send beyond it are refused"
    elif tighter:
        rule = rules.RESPONSE_CONSTRAINT_TIGHTENED
        text += "; clients handle it already"
    else:
        rule = rules.RESPONSE_UPPER_BOUND_RAISED if upper else rules.RESPONSE_LOWER_BOUND_LOWERED
        text += "; clients that rely on the old bound may meet values beyond it"
    pair.report(rule, text, old_at, new_at)


def _bound(bound: Bound) -> str:
    return f"{bound[0]} (exclusive)" if bound[1] else str(bound[0])


# --- pattern, multipleOf, uniqueItems, content ------------------------------------------------


def compare_pattern(pair: Pair) -> None:
    old, new = _string(pair.old.get("pattern")), _string(pair.new.get("pattern"))
    if old == new:
        return
    where = (pair.old.at("pattern"), pair.new.at("pattern"))
    if old is None:
        text = f"`pattern` {shown(new)} added"
    elif new is None:
        text = f"`pattern` {shown(old)} removed"
    else:
        text = f"`pattern` changed from {shown(old)} to {shown(new)}"
    if pair.request:
        if new is None:
            pair.report(rules.REQUEST_CONSTRAINT_RELAXED, f"{text}; requests stay valid", *where)
        else:
            rule = rules.REQUEST_PATTERN_ADDED if old is None else rules.REQUEST_PATTERN_CHANGED
            pair.report(rule, f"{text}; strings clients send may be refused", *where)
    elif old is None:
        pair.report(rules.RESPONSE_CONSTRAINT_TIGHTENED, f"{text}; clients are unaffected", *where)
    else:
        text += "; clients that parse the string by its old shape may fail"
        pair.report(rules.RESPONSE_PATTERN_CHANGED, text, *where)


def _multiple(value: float | int, step: float | int) -> bool:
    """Whether `value` is a multiple of `step`, exactly (`0.3` of `0.1` is)."""
    return Fraction(str(value)) % Fraction(str(step)) == 0


def compare_multiple_of(pair: Pair) -> None:
    old, new = _number(pair.old.get("multipleOf")), _number(pair.new.get("multipleOf"))
    if old == new or (old is not None and old <= 0) or (new is not None and new <= 0):
        return
    where = (pair.old.at("multipleOf"), pair.new.at("multipleOf"))
    text = f"`multipleOf` changed from {old} to {new}"
    if pair.request:
        if new is None or (old is not None and _multiple(old, new)):
            pair.report(rules.REQUEST_CONSTRAINT_RELAXED, f"{text}; requests stay valid", *where)
        else:
            text += "; numbers clients send off the new step are refused"
            pair.report(rules.REQUEST_MULTIPLE_OF_CHANGED, text, *where)
    elif new is not None and (old is None or _multiple(new, old)):
        pair.report(rules.RESPONSE_CONSTRAINT_TIGHTENED, f"{text}; clients are unaffected", *where)
    else:
        text += "; clients that store the number at the old step may lose precision"
        pair.report(rules.RESPONSE_MULTIPLE_OF_CHANGED, text, *where)


def compare_unique_items(pair: Pair) -> None:
    old, new = pair.old.get("uniqueItems") is True, pair.new.get("uniqueItems") is True
    if old == new:
        return
    where = (pair.old.at("uniqueItems"), pair.new.at("uniqueItems"))
    if pair.request:
        if new:
            text = "now requires `uniqueItems`; clients sending repeated items are refused"
            pair.report(rules.REQUEST_UNIQUE_ITEMS_SET, text, *where)
        else:
            text = "no longer requires `uniqueItems`; requests stay valid"
            pair.report(rules.REQUEST_CONSTRAINT_RELAXED, text, *where)
    elif old:
        text = "no longer promises `uniqueItems`; clients may meet repeated items"
        pair.report(rules.RESPONSE_UNIQUE_ITEMS_UNSET, text, *where)
    else:
        text = "now promises `uniqueItems`; clients are unaffected"
        pair.report(rules.RESPONSE_CONSTRAINT_TIGHTENED, text, *where)


def compare_content(pair: Pair) -> None:
    for keyword in ("contentMediaType", "contentEncoding"):
        old, new = _string(pair.old.get(keyword)), _string(pair.new.get(keyword))
        if old == new:
            continue
        text = f"`{keyword}` changed from {_format(old)} to {_format(new)}"
        where = (pair.old.at(keyword), pair.new.at(keyword))
        if pair.request:
            text += "; the server decodes what clients send another way"
            pair.report(rules.REQUEST_CONTENT_ENCODING_CHANGED, text, *where)
        else:
            text += "; clients decode the value the old way"
            pair.report(rules.RESPONSE_CONTENT_ENCODING_CHANGED, text, *where)
