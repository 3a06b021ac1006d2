"""Structural rules: the document against its OpenAPI schema, references, Schema Objects.

These rules read the loaded document (not only the model): they check what the model would
otherwise have to trust. Validation goes through jsonschema-rs, with each validator compiled
once per process; a failed `oneOf`/`anyOf` is reported as the errors of the branch the author
most likely meant (see `_descend`), so that one mistake gives one finding at the deepest
relevant pointer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from contractgen.load.document import RefError
from contractgen.load.structure import openapi_schema, openapi_validator
from contractgen.location import Location, join_pointer, split_pointer
from contractgen.report.finding import Finding, Level
from contractgen.validate.best_match import Problem, pointer, problems, show
from contractgen.validate.object_kinds import (
    ONE,
    Misplaced,
    mapping_sites,
    reference_sites,
    referenced_objects,
    references,
    schema_positions,
)
from contractgen.validate.registry import rule

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from contractgen.load.document import Document
    from contractgen.model.schema import Schema
    from contractgen.validate.registry import Rule, RuleContext

# --- compiled validators -------------------------------------------------------------------

DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
#: `$schema` / `jsonSchemaDialect` values and the metaschema that checks them.
_DIALECTS = {
    "https://json-schema.org/draft/2020-12/schema": DIALECT_2020_12,
    "https://json-schema.org/draft/2019-09/schema": "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema": "http://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft-06/schema": "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-04/schema": "http://json-schema.org/draft-04/schema",
}
#: The OpenAPI base dialects extend 2020-12 with keywords (discriminator, xml, ...) that the
#: 2020-12 metaschema accepts as unknown keywords.
_OAS_DIALECT_PREFIX = "https://spec.openapis.org/oas/3."


@cache
def _definition_validator(minor: int, kind: str) -> jsonschema_rs.Validator | None:
    """A validator for one object of the official schema (`$defs/response`, 3.0's
    `definitions/Response`), with the whole schema as the resource its references use."""
    schema = openapi_schema(minor)
    section = "definitions" if minor == 0 else "$defs"
    name = _DEFINITIONS.get(kind, ("", ""))[0 if minor == 0 else 1]
    if name not in schema.get(section, {}):
        return None
    uri = schema.get("$id") or schema["id"]
    registry = jsonschema_rs.Registry([(uri, schema)])
    wrapper = {"$schema": schema["$schema"], "$ref": f"{uri}#/{section}/{name}"}
    return jsonschema_rs.validator_for(wrapper, registry=registry)


#: Object kinds (see `object_kinds`) and their definitions in the official 3.0 and 3.1+ schemas.
_DEFINITIONS = {
    "path-item": ("PathItem", "path-item"),
    "operation": ("Operation", "operation"),
    "parameter": ("Parameter", "parameter"),
    "request-body": ("RequestBody", "request-body"),
    "responses": ("Responses", "responses"),
    "response": ("Response", "response"),
    "media-type": ("MediaType", "media-type"),
    "encoding": ("Encoding", "encoding"),
    "header": ("Header", "header"),
    "example": ("Example", "example"),
    "link": ("Link", "link"),
    "callbacks": ("Callback", "callbacks"),
    "schema": ("Schema", "schema"),
    "security-scheme": ("SecurityScheme", "security-scheme"),
    "paths": ("Paths", "paths"),
    "components": ("Components", "components"),
    "info": ("Info", "info"),
    "contact": ("Contact", "contact"),
    "license": ("License", "license"),
    "server": ("Server", "server"),
    "server-variable": ("ServerVariable", "server-variable"),
    "tag": ("Tag", "tag"),
    "external-documentation": ("ExternalDocumentation", "external-documentation"),
    "security-requirement": ("SecurityRequirement", "security-requirement"),
    "oauth-flows": ("OAuthFlows", "oauth-flows"),
    "discriminator": ("Discriminator", ""),  # from 3.1 on, part of the Schema dialect
    "xml": ("XML", ""),
}


@cache
def _metaschema_validator(uri: str) -> jsonschema_rs.Validator:
    """The metaschema of a dialect; jsonschema-rs bundles them (no network, no extra import).

    Formats are checked so that a `pattern` that is no regular expression is caught; of the
    format errors only those are reported (see `_REPORTED_FORMATS`).
    """
    return jsonschema_rs.validator_for({"$schema": uri, "$ref": uri}, validate_formats=True)


#: A `$ref` such as `#/components/schemas/Foo Bar` is not a strict URI reference, but it
#: resolves, and OAS002 is the rule for references.
_REPORTED_FORMATS = frozenset({"format:regex"})


def _dialect_of(value: Any, default: str | None) -> str | None:
    """The metaschema URI for a Schema Object, or None when its dialect is unknown to us."""
    declared = value.get("$schema") if isinstance(value, dict) else None
    if not isinstance(declared, str):
        return default
    return _known_dialect(declared)


def _document_dialect(document: Document) -> str | None:
    """The metaschema for Schema Objects without `$schema` (`jsonSchemaDialect`, or 2020-12)."""
    dialect = document.data.get("jsonSchemaDialect")
    return _known_dialect(dialect) if isinstance(dialect, str) else DIALECT_2020_12


def _known_dialect(uri: str) -> str | None:
    if uri.startswith(_OAS_DIALECT_PREFIX):
        return DIALECT_2020_12
    return _DIALECTS.get(uri.rstrip("#"))


# --- from validation errors to findings ----------------------------------------------------


def _errors_to_findings(
    rule: Rule,
    errors: Iterable[jsonschema_rs.ValidationError],
    data: Any,
    base: Location,
    *,
    schema: Any = None,
    metaschema: bool = False,
) -> Iterator[Finding]:
    """Findings at `base` + each problem's pointer; `data` is the value that was validated."""
    seen: set[tuple[str, str]] = set()
    for problem in problems(errors, schema):
        message = problem.message
        if metaschema:
            if problem.keyword.startswith("format:") and problem.keyword not in _REPORTED_FORMATS:
                continue
            if _is_legacy_bound(problem):
                message = _legacy_bound_message(problem, data)
        at = base.pointer + pointer(data, problem.path)
        if (at, message) not in seen:
            seen.add((at, message))
            yield rule.finding(Location(base.file, at), message)


#: OpenAPI 3.0's boolean bounds and the inclusive bound each one modified.
_LEGACY_BOUNDS = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}


def _is_legacy_bound(problem: Problem) -> bool:
    """A boolean `exclusiveMinimum`/`exclusiveMaximum`, the OpenAPI 3.0 form."""
    return (
        problem.keyword == "type"
        and isinstance(problem.instance, bool)
        and bool(problem.path)
        and problem.path[-1] in _LEGACY_BOUNDS
    )


def _legacy_bound_message(problem: Problem, data: Any) -> str:
    """The fix for a boolean bound, read off the schema holding it (its `minimum`...)."""
    keyword = str(problem.path[-1])
    bound = _LEGACY_BOUNDS[keyword]
    schema: Any = data
    for step in problem.path[:-1]:
        if isinstance(schema, dict):
            schema = schema.get(str(step))
        elif isinstance(schema, list) and isinstance(step, int) and 0 <= step < len(schema):
            schema = schema[step]
        else:
            schema = None
    limit = schema.get(bound) if isinstance(schema, dict) else None
    if problem.instance and isinstance(limit, int | float) and not isinstance(limit, bool):
        advice = f"write `{keyword}: {show(limit)}` and drop `{bound}`"
    elif problem.instance:
        advice = f"write the limit itself: `{keyword}: <number>`"
    else:
        advice = f"remove it (`{bound}` alone is inclusive)"
    return f"boolean `{keyword}` is the OpenAPI 3.0 form; from 3.1 on it is a number: {advice}"


# --- OAS001 ---------------------------------------------------------------------------------


@rule(
    "OAS001",
    "openapi-schema",
    Level.ERROR,
    "The document must be valid against the official JSON Schema of its OpenAPI version.",
    rationale="""
        Every tool that reads the contract (generators, gateways, documentation) assumes the
        shape the OpenAPI specification defines. A misspelt field is silently ignored by some
        tools and rejected by others; a missing `responses` leaves clients guessing. The check
        uses the schema published by the OpenAPI Initiative for 3.0, 3.1 and 3.2, and reports
        one finding per mistake, at the field that is wrong. Objects in other files are
        checked as the kind of object their `$ref` stands for (a Response, a Parameter...).
    """,
    bad="""
        paths:
          /pets:
            get:
              summry: List pets
              parameters:
                - {name: limit, in: querry, schema: {type: integer}}
    """,
    good="""
        paths:
          /pets:
            get:
              summary: List pets
              parameters:
                - {name: limit, in: query, schema: {type: integer}}
              responses:
                "200": {description: The pets}
    """,
)
def checkopenapi_schema(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    document = ctx.document
    misplaced = {(m.location.file, m.location.pointer) for m in references(document).misplaced}
    for finding in _openapi_findings(rule, document):
        if not _at_or_below(finding.location, misplaced):  # OAS005 says it once, not here
            yield finding


def _openapi_findings(rule: Rule, document: Document) -> Iterator[Finding]:
    minor = document.version_tuple[1]
    validator = openapi_validator(minor)
    data = document.data
    if not validator.is_valid(data):
        errors = validator.iter_errors(data)
        root = document.root.location()
        yield from _errors_to_findings(rule, errors, data, root, schema=openapi_schema(minor))
    yield from _check_referenced(rule, document, minor)


def _check_referenced(rule: Rule, document: Document, minor: int) -> Iterator[Finding]:
    """Objects reached through `$ref` that the root validation does not see as their kind
    (those in other files, those a misplaced `$ref` names), each against the definition of
    the kind its reference expects."""
    seen: set[tuple[str, str, str]] = set()
    for found in referenced_objects(document):
        validator = _definition_validator(minor, found.kind)
        if validator is None or validator.is_valid(found.value):
            continue
        errors = validator.iter_errors(found.value)
        at, schema = found.location, openapi_schema(minor)
        for finding in _errors_to_findings(rule, errors, found.value, at, schema=schema):
            key = (finding.location.file, finding.location.pointer, finding.message)
            if key not in seen:  # an object inside another one, referenced on its own too
                seen.add(key)
                yield finding


def _at_or_below(location: Location, places: set[tuple[str, str]]) -> bool:
    """Whether a location is one of `places` (file, pointer) or inside one of them."""
    if not places:
        return False
    tokens = split_pointer(location.pointer)
    return any(
        (location.file, join_pointer(tokens[:depth])) in places for depth in range(len(tokens) + 1)
    )


# --- OAS002 ---------------------------------------------------------------------------------

#: How many other references of a cycle a finding names as related locations.
_RELATED_SHOWN = 5


@rule(
    "OAS002",
    "unresolved-ref",
    Level.ERROR,
    "Every `$ref` and discriminator mapping must point at something contractgen can read.",
    rationale="""
        A reference that points at nothing breaks every tool that follows it, often with a
        crash far from the cause. contractgen follows references inside the spec's folder
        only, never fetches URLs (a CI gate must not depend on the network or leak the
        contract), and does not support plain-name anchors. A chain of references that loops
        back on itself never reaches a definition, and one longer than 64 references is
        refused. Each cause is reported once, where the fix goes: a reference whose chain
        fails further down is not reported itself, a cycle is reported at its first
        reference and a long chain at its head. A `discriminator.mapping` value is a
        reference too: a schema name means `#/components/schemas/<name>` of the root
        document.
    """,
    bad="""
        components:
          schemas:
            Pet:
              $ref: "#/components/schemas/Animal"
    """,
    good="""
        components:
          schemas:
            Animal: {type: object}
            Pet:
              $ref: "#/components/schemas/Animal"
    """,
)
def check_unresolved_ref(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    document = ctx.document
    reported: set[tuple[Location, str]] = set()
    cycles: dict[RefError, tuple[Location, frozenset[Location]]] = {}
    chains: dict[Location, tuple[Location, RefError]] = {}
    for failure in [*_ref_failures(document), *_mapping_failures(document)]:
        error = failure.error
        if error.kind == "cycle":  # one error object per cycle, raised for each reference
            first, members = cycles.get(error) or (None, frozenset(error.members))
            if first is None or (first not in members and failure.site in members):
                cycles[error] = (failure.site, members)
        elif error.kind == "chain":
            end = error.members[0]
            longest = chains.get(end)
            if longest is None or error.length > longest[1].length:
                chains[end] = (failure.site, error)
        elif (failure.where, failure.message) not in reported:
            reported.add((failure.where, failure.message))
            yield rule.finding(failure.where, failure.message)
    for error, (site, members) in cycles.items():
        yield _cycle_finding(rule, document, site if site in members else error.members[0], error)
    for end, (head, error) in chains.items():
        yield rule.finding(head, error.message, related=[end])


@dataclass(frozen=True, slots=True)
class _Failure:
    """A reference that cannot be followed: its site, the error, and where its cause is."""

    site: Location
    error: RefError
    where: Location
    message: str


def _ref_failures(document: Document) -> Iterator[_Failure]:
    """Each `$ref` that fails. One that fails further down its chain names that link."""
    outcomes: dict[tuple[str, str], tuple[RefError, bool] | None] = {}
    for site in reference_sites(document):
        key = (site.location.file, site.target)
        if key not in outcomes:
            error = _ref_error(document, site.target, site.location)
            outcomes[key] = None if error is None else (error, error.at == site.location)
        outcome = outcomes[key]
        if outcome is not None:
            error, own = outcome
            where = site.location if own or error.at is None else error.at
            yield _Failure(site.location, error, where, error.message)


def _mapping_failures(document: Document) -> Iterator[_Failure]:
    """Each discriminator mapping value that names nothing, reported at the mapping entry."""
    for site in mapping_sites(document):
        try:
            document.resolve_mapping(site)
        except RefError as error:
            own = error.kind not in ("cycle", "chain") and error.at in (
                site.location,
                document.root.location(),
            )
            if own:
                message = f"discriminator mapping {site.target!r} cannot be followed: "
                yield _Failure(site.location, error, site.location, message + error.message)
            else:
                yield _Failure(site.location, error, error.at or site.location, error.message)


def _ref_error(document: Document, target: str, at: Location) -> RefError | None:
    try:
        document.resolve(target, at)
    except RefError as error:
        return error
    except Exception as error:  # a CI gate reports; it does not crash on a bad reference
        return RefError("error", f"$ref {target!r} cannot be followed: {error}", at=at)
    return None


def _cycle_finding(rule: Rule, document: Document, at: Location, error: RefError) -> Finding:
    others = [member for member in error.members if member != at]
    ref = _value_at(document, at)
    target = ref.get("$ref") if isinstance(ref, dict) else None
    message = f"$ref {target!r} loops back on itself"
    if others:
        message += f" through {len(others)} other reference{'s' if len(others) > 1 else ''}"
    return rule.finding(at, message, related=others[:_RELATED_SHOWN])


# --- Schema Objects (OAS003, OAS004) ------------------------------------------------------


def _schema_objects(ctx: RuleContext) -> Iterator[tuple[Location, Any]]:
    """Each top-level Schema Object once: wherever one starts in the document (components,
    paths, webhooks, callbacks; see `schema_positions`), those the model reaches, and those
    in other files reached through a `$ref`."""
    document = ctx.document
    seen: set[tuple[str, str]] = set()

    def once(location: Location, value: Any) -> Iterator[tuple[Location, Any]]:
        key = (location.file, location.pointer)
        if key not in seen and isinstance(value, dict | bool):
            seen.add(key)
            yield location, value

    def written_and_target(location: Location, written: Any) -> Iterator[tuple[Location, Any]]:
        # The object holding `$ref` is a Schema Object too; in 3.1 it may have siblings.
        ref = written.get("$ref") if isinstance(written, dict) else None
        if not isinstance(ref, str):
            yield from once(location, written)
            return
        if len(written) > 1:
            yield from once(location, written)
        try:
            target = document.resolve(ref, location)
        except Exception:  # reported by OAS002
            return
        yield from once(target.location, target.value)

    for location, written in schema_positions(document):
        yield from written_and_target(location, written)
    for schema in _model_schemas(ctx):
        if schema.ref is not None and schema.location != schema.value_location:
            written = _value_at(document, schema.location)
            if isinstance(written, dict) and len(written) > 1:
                yield from once(schema.location, written)
        yield from once(schema.value_location, schema.value)
    for found in referenced_objects(document):
        if found.kind == "schema":
            yield from once(found.location, found.value)


def _model_schemas(ctx: RuleContext) -> Iterator[Schema]:
    item_schemas = ctx.document.version_tuple >= (3, 2)
    for operation in ctx.contract.operations:
        for parameter in operation.parameters:
            if parameter.schema is not None:
                yield parameter.schema
        contents = [] if operation.request_body is None else [operation.request_body.content]
        for response in operation.responses.values():
            contents.append(response.content)
            for header in response.headers.values():
                if header.schema is not None:
                    yield header.schema
        for content in contents:
            for media_type in content.values():
                if media_type.schema is not None:
                    yield media_type.schema
                if media_type.item_schema is not None and item_schemas:
                    yield media_type.item_schema


def _value_at(document: Document, location: Location) -> Any:
    try:
        return document.value_at(location)
    except (KeyError, IndexError, ValueError):
        return None


# --- OAS003 ---------------------------------------------------------------------------------


@rule(
    "OAS003",
    "schema-object",
    Level.ERROR,
    "Every Schema Object must be a valid JSON Schema of its dialect.",
    rationale="""
        From OpenAPI 3.1 on, Schema Objects are JSON Schema 2020-12, and the official
        OpenAPI schema no longer looks inside them: a `type: strng` or a `required: name`
        passes it, then makes code generators and validators fail or, worse, accept anything.
        Each Schema Object of a 3.1 or 3.2 document (components, parameters, headers, and
        media types' `schema` and `itemSchema`, in paths, webhooks, callbacks and referenced
        files) is checked against the metaschema of its dialect (`$schema`,
        `jsonSchemaDialect`, or 2020-12). A boolean `exclusiveMinimum`/`exclusiveMaximum`,
        the OpenAPI 3.0 form, is one such error; the finding says how to write it now.
    """,
    bad="""
        openapi: 3.1.0
        components:
          schemas:
            Pet:
              type: object
              required: name
              properties:
                name: {type: strng}
    """,
    good="""
        openapi: 3.1.0
        components:
          schemas:
            Pet:
              type: object
              required: [name]
              properties:
                name: {type: string}
    """,
)
def check_schema_object(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    document = ctx.document
    if document.version_tuple < (3, 1):
        return  # the official 3.0 schema already checks Schema Objects (OAS001)
    default = _document_dialect(document)
    seen: set[tuple[str, str]] = set()
    for location, value in _schema_objects(ctx):
        uri = _dialect_of(value, default)
        if uri is None:
            continue  # a dialect we have no metaschema for
        validator = _metaschema_validator(uri)
        if validator.is_valid(value):
            continue
        errors = validator.iter_errors(value)
        found = _errors_to_findings(rule, errors, value, location, metaschema=True)
        for finding in found:
            key = (finding.location.pointer, finding.message)
            if key not in seen:
                seen.add(key)
                yield finding


# --- OAS004 ---------------------------------------------------------------------------------

_SUBSCHEMA = (
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
)  # fmt: skip
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SUBSCHEMA_MAPS = (
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
)  # fmt: skip


@rule(
    "OAS004",
    "legacy-schema-keyword",
    Level.WARNING,
    "A 3.1/3.2 Schema Object must not use `nullable`, an OpenAPI 3.0 keyword that no longer "
    "means anything.",
    rationale="""
        OpenAPI 3.1 replaced the 3.0 schema dialect with JSON Schema 2020-12, which has no
        `nullable`: it is an unknown keyword there, silently ignored, so the value is not
        nullable at all. A contract migrated by changing only the version line keeps it and
        means something else than it says. (The other 3.0 form, a boolean
        `exclusiveMinimum`/`exclusiveMaximum`, is invalid JSON Schema from 3.1 on: OAS003
        reports it, with the same kind of advice.)
    """,
    bad="""
        openapi: 3.1.0
        components:
          schemas:
            Price:
              type: number
              nullable: true
    """,
    good="""
        openapi: 3.1.0
        components:
          schemas:
            Price:
              type: [number, "null"]
    """,
)
def check_legacy_schema_keyword(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.document.version_tuple < (3, 1):
        return
    visited: set[int] = set()
    for location, value in _schema_objects(ctx):
        stack: list[tuple[Location, Any]] = [(location, value)]
        while stack:
            where, schema = stack.pop()
            if not isinstance(schema, dict) or id(schema) in visited:
                continue
            visited.add(id(schema))
            if "nullable" in schema:
                yield rule.finding(where.child("nullable"), _nullable_advice(schema))
            stack.extend(reversed(list(_subschemas(where, schema))))


def _subschemas(where: Location, schema: dict[str, Any]) -> Iterator[tuple[Location, Any]]:
    """The schemas directly inside one schema, without following `$ref`."""
    for keyword in _SUBSCHEMA:
        value = schema.get(keyword)
        if isinstance(value, dict):
            yield where.child(keyword), value
    for keyword in _SUBSCHEMA_LISTS:
        value = schema.get(keyword)
        if isinstance(value, list):
            for index, member in enumerate(value):
                yield where.child(keyword, index), member
    for keyword in _SUBSCHEMA_MAPS:
        value = schema.get(keyword)
        if isinstance(value, dict):
            for name, member in value.items():
                yield where.child(keyword, name), member


def _nullable_advice(schema: dict[str, Any]) -> str:
    intro = "`nullable` is an OpenAPI 3.0 keyword and does nothing from 3.1 on"
    if schema.get("nullable") is not True:
        return f"{intro}: remove it"
    kind = schema.get("type")
    if isinstance(kind, str):
        return f'{intro}: write `type: [{kind}, "null"]` to allow null'
    if isinstance(kind, list):
        listed = ", ".join(str(t) for t in kind)
        return f'{intro}: add "null" to `type` (`type: [{listed}, "null"]`) to allow null'
    return f'{intro}: allow null with `type: [..., "null"]` or an `anyOf` branch `{{type: "null"}}`'


# --- OAS005 ---------------------------------------------------------------------------------

#: How many more misplaced references a finding names as related locations.
_MORE_SHOWN = 5
_TITLES = {
    "callbacks": "Callback",
    "oauth-flows": "OAuth Flows",
    "xml": "XML",
    "openapi": "OpenAPI",
}


@rule(
    "OAS005",
    "ref-placement",
    Level.WARNING,
    "A `$ref` stands where OpenAPI allows no Reference Object; contractgen follows it as "
    "bundlers do.",
    rationale="""
        OpenAPI lets a `$ref` stand for a Schema, Response, Parameter, Request Body, Header,
        Example, Link, Callback, Security Scheme or Path Item (from 3.2 also a Media Type),
        and nowhere else. Multi-file contracts often reference whole Operations or Responses
        Objects anyway, and bundlers (Redocly, swagger-cli) inline them, but a tool that
        reads the files as OpenAPI sees an Operation without `responses` and with an unknown
        `$ref` field. contractgen follows such references like a bundler and checks what
        they point at as the object they stand for (OAS001 does not report the `$ref`
        itself); this rule says once per kind of object, at its first use, that the
        contract leaves the standard there, so that it is bundled before other tools read
        it.
    """,
    bad="""
        paths:
          /pets:
            get:
              $ref: operations/list-pets.yaml
    """,
    good="""
        paths:
          /pets:
            $ref: paths/pets.yaml
    """,
)
def check_ref_placement(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    by_kind: dict[tuple[str, str], list[Misplaced]] = {}
    for misplaced in references(ctx.document).misplaced:
        by_kind.setdefault((misplaced.holds, misplaced.kind), []).append(misplaced)
    version = ctx.document.version
    for (holds, kind), sites in by_kind.items():
        first, others = sites[0], [site.location for site in sites[1:]]
        message = (
            f"`$ref` in place of {_what_stands(holds, kind)}, where OpenAPI {version} allows "
            "no Reference Object"
        )
        if others:
            message += f" ({len(sites)} places, this is the first)"
        message += (
            f"; contractgen follows it as bundlers do, other tools may not: {_advice(holds, kind)}"
        )
        yield rule.finding(first.location, message, related=others[:_MORE_SHOWN])


def _what_stands(holds: str, kind: str) -> str:
    title = _TITLES.get(kind) or kind.replace("-", " ").title()
    if holds == ONE:
        article = "an" if title[0] in "AEIOU" else "a"
        return f"{article} {title} Object"
    return f"a whole {holds} of {title} Objects"


def _advice(holds: str, kind: str) -> str:
    if holds == ONE and kind == "operation":
        return (
            "reference the whole Path Item instead (`/path: {$ref: ...}`), or bundle the contract"
        )
    if holds == ONE and kind == "media-type":
        return "write it inline, or move to OpenAPI 3.2, which allows it"
    return "write it inline, or bundle the contract (`redocly bundle`) before publishing it"
