"""JSON Schema validation with what OpenAPI adds to it.

Plain JSON Schema misses OpenAPI semantics that decide whether a value is valid: 3.0's
`nullable`, a `discriminator` that picks one `oneOf`/`anyOf` branch, `readOnly` and
`writeOnly` properties that are required in one direction only, and SSE `data` strings
whose `contentSchema` applies to the decoded JSON. These are added to python-jsonschema's
validators as keywords. Examples (EX001) use it today; `verify` will check live streams
with it.

Patterns (`pattern`, `patternProperties`, and the `additionalProperties` and
`unevaluatedProperties` checks built on them) come from the spec under check, and Python's
backtracking `re` takes exponential time on one such as `^(a+)+$`. python-jsonschema calls
only `re.search`; `search_patterns_in_linear_time` points it at jsonschema-rs's engine, the
one OAS001 already uses: ECMA-262 patterns as JSON Schema defines them, linear time (a
step limit bounds lookaround and backreferences).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # jsonschema is imported where it runs: it costs ~30 ms at start-up
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    Keyword = Callable[[Any, Any, Any, dict[str, Any]], Iterable[ValidationError]]

#: Longest value or message quoted in a finding.
MAX_DETAIL = 240


def shorten(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def is_json_media_type(media_type: str | None) -> bool:
    base = (media_type or "").split(";")[0].strip().lower()
    return base in ("application/json", "*/*") or base.endswith("+json")


def openapi_validator_class(legacy: bool, unbinding: str | None = None) -> type[Validator]:
    """Draft 2020-12 (3.1+) or Draft 4 with `nullable` (3.0), with discriminators and content.

    `unbinding` (`readOnly` for requests, `writeOnly` for responses) lifts `required` from
    properties carrying that flag.
    """
    from jsonschema import Draft4Validator, Draft202012Validator
    from jsonschema.validators import extend

    search_patterns_in_linear_time()
    base = Draft4Validator if legacy else Draft202012Validator
    keywords: dict[str, Keyword] = dict(base.VALIDATORS)
    keywords["oneOf"] = _by_discriminator(keywords["oneOf"])
    keywords["anyOf"] = _by_discriminator(keywords["anyOf"])
    keywords["contentSchema"] = _content_schema
    keywords["uniqueItems"] = _unique_items
    if unbinding is not None:
        keywords["required"] = _required_unless(keywords["required"], unbinding)
    if legacy:
        keywords = {name: _nullable(check) for name, check in keywords.items()}
    return cast("type[Validator]", extend(base, validators=keywords))  # type: ignore[no-untyped-call]


def search_patterns_in_linear_time() -> None:
    """Make python-jsonschema search patterns with jsonschema-rs (idempotent)."""
    from jsonschema import _keywords, _legacy_keywords, _utils

    for module in (_keywords, _legacy_keywords, _utils):
        vars(module)["re"] = _ECMA_REGEX


class _EcmaRegex:
    """Stands in for the `re` module inside python-jsonschema: only `search` differs.

    python-jsonschema tests the truth of what `search` returns, never a match's groups.
    """

    def search(self, pattern: str, string: str, flags: int = 0) -> bool:
        return bool(_pattern_validator(pattern).is_valid(string))

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


_ECMA_REGEX = _EcmaRegex()


@cache
def _pattern_validator(pattern: str) -> Any:
    """A jsonschema-rs validator that accepts the strings `pattern` finds a match in."""
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for({"pattern": pattern})
    except jsonschema_rs.ValidationError:  # not an ECMA-262 regular expression
        raise re.error(f"{pattern!r} is not a regular expression (ECMA-262)") from None


def _nullable(check: Keyword) -> Keyword:
    """OpenAPI 3.0 `nullable: true`: null is valid for the whole schema (even beside `$ref`)."""

    def keyword(
        validator: Any, value: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterable[ValidationError]:
        if instance is None and schema.get("nullable") is True:
            return ()
        return check(validator, value, instance, schema)

    return keyword


def _required_unless(check: Keyword, flag: str) -> Keyword:
    """`required` without the properties flagged `flag` (read as written: `$ref`s not followed)."""

    def keyword(
        validator: Any, required: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterable[ValidationError]:
        properties = schema.get("properties")
        if isinstance(required, list) and isinstance(properties, dict):
            required = [name for name in required if not _flagged(properties.get(name), flag)]
        return check(validator, required, instance, schema)

    return keyword


def _flagged(schema: Any, flag: str) -> bool:
    return isinstance(schema, dict) and schema.get(flag) is True


def _by_discriminator(check: Keyword) -> Keyword:
    """Validate only the branch a discriminator selects, as OpenAPI tools do."""

    def keyword(
        validator: Any, branches: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterable[ValidationError]:
        chosen = _chosen_branch(schema, branches, instance)
        if chosen is None:
            return check(validator, branches, instance, schema)
        index, branch = chosen
        errors: Iterable[ValidationError] = validator.descend(instance, branch, schema_path=index)
        return errors

    return keyword


def _chosen_branch(schema: dict[str, Any], branches: Any, instance: Any) -> tuple[int, Any] | None:
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(instance, dict):
        return None
    value = instance.get(discriminator.get("propertyName"))
    if not isinstance(value, str) or not isinstance(branches, list):
        return None
    mapping = discriminator.get("mapping")
    target = mapping.get(value) if isinstance(mapping, dict) else None
    target = target or discriminator.get("defaultMapping")
    # no mapping entry: the value is the component name (OpenAPI's implicit mapping)
    name = target.rsplit("/", 1)[-1] if isinstance(target, str) else value
    for index, branch in enumerate(branches):
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str) and (ref == target or ref.rsplit("/", 1)[-1] == name):
            return index, branch
    return None


def _unique_items(
    validator: Any, unique: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """`uniqueItems` in linear time: python-jsonschema compares objects pair by pair."""
    from jsonschema import ValidationError

    if unique is not True or not isinstance(instance, list):
        return
    seen: set[Hashable] = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{shorten(repr(instance))} has non-unique elements")
            return
        seen.add(key)


def _canonical(value: Any) -> Hashable:
    """A hashable form under JSON Schema equality: 1 == 1.0, true != 1, key order ignored."""
    if isinstance(value, bool) or value is None:
        return (type(value), value)
    if isinstance(value, int | float):
        return (float, value)  # 1 and 1.0 are equal and hash alike
    if isinstance(value, list):
        return (list, tuple(_canonical(item) for item in value))
    if isinstance(value, dict):
        return (dict, frozenset((key, _canonical(item)) for key, item in value.items()))
    return (type(value), value)


def _content_schema(
    validator: Any, content_schema: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """A JSON-encoded string (SSE `data`) is decoded and checked against `contentSchema`."""
    from jsonschema import ValidationError

    media_type = schema.get("contentMediaType")
    if (
        not isinstance(instance, str)
        or not isinstance(media_type, str)
        or not is_json_media_type(media_type)
    ):
        return
    try:
        decoded = json.loads(instance)
    except ValueError:
        yield ValidationError(f"{shorten(instance)!r} is not valid JSON ({media_type})")
        return
    yield from validator.descend(decoded, content_schema, schema_path="contentSchema")
