"""The `x-contract-*` extensions checked against their own JSON Schemas, and where they stand."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from contractgen.location import split_pointer
from contractgen.model.contract import HTTP_METHODS
from contractgen.report.finding import Finding, Level
from contractgen.validate.oas_schema import search_patterns_in_linear_time
from contractgen.validate.registry import Rule, RuleContext, rule

if TYPE_CHECKING:  # jsonschema is imported where it runs, to keep start-up fast
    import jsonschema
    from jsonschema.exceptions import ValidationError

EXTENSIONS = ("x-contract-stream", "x-contract-limits", "x-contract-errors", "x-contract-websocket")


@cache
def extension_validator(name: str) -> jsonschema.protocols.Validator:
    """The validator for one extension, from the schema shipped in `contractgen/schemas/`."""
    import jsonschema

    search_patterns_in_linear_time()
    text = resources.files("contractgen.schemas").joinpath(f"{name}.schema.json").read_text()
    schema = json.loads(text)
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


@rule(
    "EXT001",
    "extension-schema",
    Level.ERROR,
    "An `x-contract-*` extension does not match its schema.",
    rationale="""
        The extensions are contractgen's public interface: scaffold, mock and diff act on
        what they say. A misspelt field or a value in the wrong unit would be silently
        ignored, so each extension is checked against the JSON Schema shipped with
        contractgen (see docs/contract.md).
    """,
    bad="""
        x-contract-limits:
          stream: {maxDurationSeconds: "10m"}
    """,
    good="""
        x-contract-limits:
          stream: {maxDurationSeconds: 600}
    """,
)
def check_extension_schema(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for source in ctx.document.files.values():
        for site in source.extensions:
            if site.target not in EXTENSIONS:
                continue
            value = ctx.document.value_at(site.location)
            for error in _errors(extension_validator(site.target), value):
                where = site.location.child(*error.absolute_path)
                unknown = _unknown_fields(error)
                if not unknown:
                    yield rule.finding(where, f"{site.target}: {error.message}")
                for field, hint in unknown:
                    yield rule.finding(
                        where.child(field), f"{site.target}: unknown field {field!r}{hint}"
                    )


@rule(
    "EXT002",
    "extension-placement",
    Level.WARNING,
    "An `x-contract-*` extension is unknown or stands where contractgen does not read it.",
    rationale="""
        Each extension has its places: `x-contract-stream` on a streaming Media Type Object,
        `x-contract-limits` on the OpenAPI Object, a Path Item or an Operation,
        `x-contract-errors` on the OpenAPI Object, `x-contract-websocket` on an Operation.
        Anywhere else it has no effect, which is almost always a mistake in indentation.
    """,
    bad="""
        paths:
          /v1/chat:
            post:
              x-contract-stream: {terminal: [done]}
    """,
    good="""
        paths:
          /v1/chat:
            post:
              responses:
                "200":
                  content:
                    text/event-stream:
                      x-contract-stream: {terminal: [done]}
    """,
)
def check_extension_placement(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for source in ctx.document.files.values():
        is_root = source is ctx.document.root
        for site in source.extensions:
            if site.target not in EXTENSIONS:
                known = ", ".join(EXTENSIONS)
                yield rule.finding(
                    site.location, f"unknown extension {site.target}; contractgen reads {known}"
                )
                continue
            parent = split_pointer(site.location.pointer)[:-1]
            if is_root and not _placed_well(site.target, parent):
                yield rule.finding(
                    site.location, f"{site.target} has no effect here; {_PLACES[site.target]}"
                )


_PLACES = {
    "x-contract-stream": "put it on a streaming Media Type Object, beside itemSchema",
    "x-contract-limits": "put it on the OpenAPI Object, a Path Item or an Operation",
    "x-contract-errors": "put it on the OpenAPI Object (one catalogue per document)",
    "x-contract-websocket": "put it on the GET Operation that upgrades to WebSocket",
}


def _placed_well(name: str, parent: list[str]) -> bool:
    """Whether the tokens of the extension's parent name a place where it is read."""
    if name == "x-contract-errors":
        return parent == []
    if name == "x-contract-stream":
        return (len(parent) >= 2 and parent[-2] == "content") or parent[:2] == [
            "components",
            "mediaTypes",
        ]
    is_operation = _is_operation(parent)
    if name == "x-contract-websocket":
        return is_operation
    return parent == [] or _is_path_item(parent) or is_operation


def _is_path_item(tokens: list[str]) -> bool:
    return (len(tokens) == 2 and tokens[0] in ("paths", "webhooks")) or tokens[:2] == [
        "components",
        "pathItems",
    ]


def _is_operation(tokens: list[str]) -> bool:
    if len(tokens) >= 2 and tokens[-2] == "additionalOperations":
        return _is_path_item(tokens[:-2])
    return bool(tokens) and tokens[-1] in HTTP_METHODS and _is_path_item(tokens[:-1])


def _errors(validator: jsonschema.protocols.Validator, value: Any) -> Iterator[ValidationError]:
    """One error per problem: a failed `anyOf`/`oneOf` is reported through its best branch."""
    from jsonschema.exceptions import best_match

    for error in validator.iter_errors(value):
        if error.context:
            yield best_match(error.context) or error
        else:
            yield error


def _unknown_fields(error: ValidationError) -> list[tuple[str, str]]:
    """For an `additionalProperties: false` failure: each unexpected key, with a suggestion."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = list(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    unknown = []
    for key in error.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        close = difflib.get_close_matches(key, known, n=1)
        unknown.append((key, f"; did you mean {close[0]!r}?" if close else ""))
    return unknown
