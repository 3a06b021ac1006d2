"""Parameters: added, removed, required, moved, serialized differently, deprecated.

Parameters pair by where they go and their name (`in`, `name`; header names ignore case),
path parameters by their position in the path template, since `/a/{id}` -> `/a/{item_id}`
is one URL. Each paired parameter's schema goes to the schema comparator, which owns type,
format, constraints, enums and defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from contractgen.diff.compare.common import (
    code,
    parent,
    path_parameter_renames,
    sunset_date,
    today,
)
from contractgen.diff.compare.reporting import once_per_place
from contractgen.diff.registry import diff_rule
from contractgen.diff.schema import Direction
from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from datetime import date

    from contractgen.diff.context import DiffContext, OperationPair
    from contractgen.location import Location
    from contractgen.model.contract import Parameter

_SCALAR_TYPES = frozenset({"string", "number", "integer", "boolean", "null"})

REQUIRED_PARAMETER_ADDED = diff_rule(
    "DPAR001",
    "required-parameter-added",
    Level.BREAKING,
    "A required parameter was added.",
    rationale="""
        Existing clients do not send it, so their requests are now rejected. Add it as
        optional, with the old behaviour as the default, instead.
    """,
    before="""
        parameters: []
    """,
    after="""
        parameters:
          - {name: project, in: query, required: true, schema: {type: string}}
    """,
    oasdiff=(
        "new-required-request-parameter",
        "new-request-path-parameter",
        "new-required-request-default-parameter-to-existing-path",
    ),
)

OPTIONAL_PARAMETER_ADDED = diff_rule(
    "DPAR002",
    "optional-parameter-added",
    Level.INFO,
    "An optional parameter was added.",
    rationale="Existing clients do not send it and keep working.",
    before="""
        parameters: []
    """,
    after="""
        parameters:
          - {name: limit, in: query, schema: {type: integer}}
    """,
    oasdiff=(
        "new-optional-request-parameter",
        "new-optional-request-default-parameter-to-existing-path",
    ),
)

PARAMETER_REMOVED = diff_rule(
    "DPAR003",
    "parameter-removed",
    Level.WARNING,
    "A parameter was removed.",
    rationale="""
        Clients that send it are not rejected by most servers, but what it did (filtering,
        paging, a mode) silently stops happening. Deprecate a parameter before removing it;
        removed once deprecated (and past its `x-sunset` date, if it has one) it is DPAR004.
    """,
    before="""
        parameters:
          - {name: filter, in: query, schema: {type: string}}
    """,
    after="""
        parameters: []
    """,
    oasdiff=(
        "request-parameter-removed",
        "request-parameter-removed-before-sunset",
        "request-parameter-sunset-parse",
    ),
)

DEPRECATED_PARAMETER_REMOVED = diff_rule(
    "DPAR004",
    "deprecated-parameter-removed",
    Level.INFO,
    "A deprecated parameter was removed (after its sunset date, if it announced one).",
    rationale="Clients were told to stop sending it; removing it is the announced next step.",
    before="""
        parameters:
          - {name: filter, in: query, deprecated: true, schema: {type: string}}
    """,
    after="""
        parameters: []
    """,
    oasdiff=("request-parameter-removed-with-deprecation",),
)

PATH_PARAMETER_REMOVED = diff_rule(
    "DPAR005",
    "path-parameter-removed",
    Level.BREAKING,
    "A path parameter of an operation that is still there is no longer declared.",
    rationale="""
        The path template still has the segment, but nothing says what goes in it:
        generated clients drop the argument and can no longer build the URL.
    """,
    before="""
        parameters:
          - {name: id, in: path, required: true, schema: {type: string}}
    """,
    after="""
        parameters: []
    """,
    oasdiff=("request-parameter-removed",),
)

PARAMETER_BECAME_REQUIRED = diff_rule(
    "DPAR006",
    "parameter-became-required",
    Level.BREAKING,
    "An optional parameter became required.",
    rationale="Clients that leave it out, as they were allowed to, are now rejected.",
    before="""
        parameters:
          - {name: project, in: query, schema: {type: string}}
    """,
    after="""
        parameters:
          - {name: project, in: query, required: true, schema: {type: string}}
    """,
    oasdiff=("request-parameter-became-required",),
)

PARAMETER_BECAME_OPTIONAL = diff_rule(
    "DPAR007",
    "parameter-became-optional",
    Level.INFO,
    "A required parameter became optional.",
    rationale="Clients that send it keep working; they may now leave it out.",
    before="""
        parameters:
          - {name: project, in: query, required: true, schema: {type: string}}
    """,
    after="""
        parameters:
          - {name: project, in: query, schema: {type: string}}
    """,
    oasdiff=("request-parameter-became-optional",),
)

PARAMETER_MOVED = diff_rule(
    "DPAR008",
    "parameter-location-changed",
    Level.BREAKING,
    "A parameter moved to another part of the request (query, header, cookie).",
    rationale="""
        Clients send it where it was: the server no longer finds it there, and, if it is
        required in its new place, rejects the request.
    """,
    before="""
        parameters:
          - {name: api-version, in: query, schema: {type: string}}
    """,
    after="""
        parameters:
          - {name: api-version, in: header, schema: {type: string}}
    """,
)

STYLE_CHANGED = diff_rule(
    "DPAR009",
    "parameter-style-changed",
    Level.BREAKING,
    "A parameter's serialization style changed.",
    rationale="""
        `style` says how a value is written into the URL or header (`ids=1,2` or
        `ids=1&ids=2`, `;id=1`, `id=1|2`). Clients keep writing the old form, which the
        server now reads differently or rejects. Defaults count: no `style` on a query
        parameter is `form`.
    """,
    before="""
        parameters:
          - {name: ids, in: query, style: form, schema: {type: array}}
    """,
    after="""
        parameters:
          - {name: ids, in: query, style: pipeDelimited, schema: {type: array}}
    """,
    oasdiff=("request-parameter-style-changed",),
)

EXPLODE_CHANGED = diff_rule(
    "DPAR010",
    "parameter-explode-changed",
    Level.BREAKING,
    "Whether an array or object parameter is exploded changed.",
    rationale="""
        `explode` decides between `ids=1&ids=2` and `ids=1,2` for arrays, and between
        `a=1&b=2` and `obj=a,1,b,2` for objects. Clients keep sending the old form. For a
        parameter whose values are single scalars the two forms are the same, so a change
        there is not reported.
    """,
    before="""
        parameters:
          - {name: ids, in: query, schema: {type: array, items: {type: string}}}
    """,
    after="""
        parameters:
          - {name: ids, in: query, explode: false, schema: {type: array, items: {type: string}}}
    """,
    oasdiff=("request-parameter-explode-changed",),
)

CONTENT_TYPE_CHANGED = diff_rule(
    "DPAR011",
    "parameter-media-type-changed",
    Level.BREAKING,
    "A parameter is encoded as another media type, or switched between `schema` and `content`.",
    rationale="""
        A parameter described by `content` is sent as a document of that media type (JSON
        in a query string, say); one described by `schema` by its `style`. Clients keep
        encoding it the old way, which the server can no longer read.
    """,
    before="""
        parameters:
          - {name: filter, in: query, content: {application/json: {schema: {type: object}}}}
    """,
    after="""
        parameters:
          - {name: filter, in: query, schema: {type: object}}
    """,
)

PARAMETER_DEPRECATED = diff_rule(
    "DPAR012",
    "parameter-deprecated",
    Level.INFO,
    "A parameter was deprecated.",
    rationale="Nothing breaks yet; clients should stop sending it before it is removed.",
    before="""
        parameters:
          - {name: filter, in: query, schema: {type: string}}
    """,
    after="""
        parameters:
          - {name: filter, in: query, deprecated: true, schema: {type: string}}
    """,
    oasdiff=("request-parameter-deprecated",),
)

PARAMETER_REACTIVATED = diff_rule(
    "DPAR013",
    "parameter-reactivated",
    Level.INFO,
    "A deprecated parameter is no longer deprecated.",
    rationale="Clients may keep sending it.",
    before="""
        parameters:
          - {name: filter, in: query, deprecated: true, schema: {type: string}}
    """,
    after="""
        parameters:
          - {name: filter, in: query, schema: {type: string}}
    """,
    oasdiff=("request-parameter-reactivated",),
)


def compare(context: DiffContext) -> Iterator[Finding]:
    findings: list[Finding] = []
    now = today()
    for pair in context.pairs:
        findings.extend(_parameter_changes(pair, context, now))
    yield from once_per_place(findings)


def _name(parameter: Parameter) -> str:
    return f"{parameter.where} parameter {code(parameter.name)}"


def _key(parameter: Parameter) -> tuple[str, str]:
    name = parameter.name.lower() if parameter.where == "header" else parameter.name
    return parameter.where, name


def pair_parameters(
    pair: OperationPair,
) -> tuple[list[tuple[Parameter, Parameter]], list[Parameter], list[Parameter]]:
    """Paired, removed and added parameters of two operations.

    Path parameters pair by their position in the path template, the others by `in` and
    name (header names in any case).
    """
    renames = path_parameter_renames(pair.old.path, pair.new.path)
    new_by_key = {_key(parameter): parameter for parameter in pair.new.parameters}
    paired: list[tuple[Parameter, Parameter]] = []
    removed: list[Parameter] = []
    for parameter in pair.old.parameters:
        key = _key(parameter)
        if parameter.where == "path" and parameter.name in renames:
            key = ("path", renames[parameter.name])
        partner = new_by_key.pop(key, None)
        if partner is None:
            removed.append(parameter)
        else:
            paired.append((parameter, partner))
    return paired, removed, list(new_by_key.values())


def _moved(
    removed: list[Parameter], added: list[Parameter]
) -> tuple[list[tuple[Parameter, Parameter]], list[Parameter], list[Parameter]]:
    """Removed and added parameters of one name (any case) outside the path: moved ones."""
    by_name: dict[str, Parameter] = {}
    for parameter in added:
        if parameter.where != "path":
            by_name.setdefault(parameter.name.lower(), parameter)
    moved: list[tuple[Parameter, Parameter]] = []
    still_removed: list[Parameter] = []
    for parameter in removed:
        partner = by_name.pop(parameter.name.lower(), None) if parameter.where != "path" else None
        if partner is None:
            still_removed.append(parameter)
        else:
            moved.append((parameter, partner))
    still_added = [p for p in added if not any(p is partner for _, partner in moved)]
    return moved, still_removed, still_added


def _parameter_changes(pair: OperationPair, context: DiffContext, now: date) -> Iterator[Finding]:
    paired, removed, added = pair_parameters(pair)
    moved, removed, added = _moved(removed, added)
    scope = [pair.key]
    for old, new in paired:
        yield from _paired_changes(old, new, scope)
        if old.schema is not None or new.schema is not None:
            context.schemas.compare(
                old.schema,
                new.schema,
                direction=Direction.REQUEST,
                scope=pair.key,
                label=f"{new.where} parameter {new.name}",
            )
    for old, new in moved:
        yield PARAMETER_MOVED.change(
            f"{_name(old)} is now a {new.where} parameter: clients still send it in the "
            f"{old.where}",
            new=new.location.child("in"),
            old=old.location.child("in"),
            scope=scope,
        )
    for old in removed:
        yield _removal(old, _removal_site(old, pair, context), scope, now)
    for new in added:
        if new.required or new.where == "path":
            yield REQUIRED_PARAMETER_ADDED.change(
                f"required {_name(new)} added: clients that do not send it are rejected",
                new=new.location,
                old=None,
                scope=scope,
            )
        else:
            yield OPTIONAL_PARAMETER_ADDED.change(
                f"optional {_name(new)} added", new=new.location, old=None, scope=scope
            )


def _removal(old: Parameter, site: Location, scope: list[str], now: date) -> Finding:
    if old.where == "path":
        return PATH_PARAMETER_REMOVED.change(
            f"{_name(old)} is no longer declared, though the path still has it: generated "
            "clients cannot build the URL",
            new=site,
            old=old.location,
            scope=scope,
        )
    sunset = sunset_date(old.sunset)
    if old.deprecated and (old.sunset is None or (sunset is not None and sunset <= now)):
        return DEPRECATED_PARAMETER_REMOVED.change(
            f"deprecated {_name(old)} removed", new=site, old=old.location, scope=scope
        )
    early = ""
    if old.deprecated and sunset is not None:
        early = f" before its sunset date {sunset.isoformat()}"
    elif old.deprecated:
        early = f" (deprecated, but its `x-sunset` {code(old.sunset or '')} is not a date)"
    return PARAMETER_REMOVED.change(
        f"{_name(old)} removed{early}: clients that send it are ignored or rejected, and what "
        "it did no longer happens",
        new=site,
        old=old.location,
        scope=scope,
    )


def _removal_site(old: Parameter, pair: OperationPair, context: DiffContext) -> Location:
    """Where a removed parameter was listed, in the new document: the operation's list, or
    its path item's for a parameter the path item declared."""
    listed = parent(old.listed_at or old.location)
    if listed == pair.old.location.child("parameters"):
        return pair.new.location.child("parameters")
    return context.new_document.root.location().child("paths", pair.new.path, "parameters")


def _paired_changes(old: Parameter, new: Parameter, scope: list[str]) -> Iterator[Finding]:
    if new.where != "path" and old.required != new.required:
        rule = PARAMETER_BECAME_REQUIRED if new.required else PARAMETER_BECAME_OPTIONAL
        message = (
            f"{_name(new)} is now required: clients that leave it out are rejected"
            if new.required
            else f"{_name(new)} is now optional"
        )
        yield rule.change(
            message,
            new=new.location.child("required"),
            old=old.location.child("required"),
            scope=scope,
        )
    yield from _serialization_changes(old, new, scope)
    if old.deprecated != new.deprecated:
        rule = PARAMETER_DEPRECATED if new.deprecated else PARAMETER_REACTIVATED
        state = (
            "deprecated: clients should stop sending it"
            if new.deprecated
            else "no longer deprecated"
        )
        yield rule.change(
            f"{_name(new)} {state}",
            new=new.location.child("deprecated"),
            old=old.location.child("deprecated"),
            scope=scope,
        )


def _serialization_changes(old: Parameter, new: Parameter, scope: list[str]) -> Iterator[Finding]:
    old_type, new_type = _media_type(old), _media_type(new)
    if old_type != new_type:
        yield CONTENT_TYPE_CHANGED.change(
            f"{_name(new)} is now sent {_encoding(new)} instead of {_encoding(old)}: clients "
            "keep encoding it the old way",
            new=new.location.child("content"),
            old=old.location.child("content"),
            scope=scope,
        )
        return
    if old_type is not None:
        return
    old_style, new_style = _style(old), _style(new)
    if old_style != new_style:
        yield STYLE_CHANGED.change(
            f"{_name(new)} is now serialized with style {code(new_style)} instead of "
            f"{code(old_style)}: clients keep sending the old form",
            new=new.location.child("style"),
            old=old.location.child("style"),
            scope=scope,
        )
    elif _explode(old) != _explode(new) and not (_is_scalar(old) and _is_scalar(new)):
        state = "is now exploded" if _explode(new) else "is no longer exploded"
        yield EXPLODE_CHANGED.change(
            f"{_name(new)} {state}: clients keep sending the old form",
            new=new.location.child("explode"),
            old=old.location.child("explode"),
            scope=scope,
        )


def _media_type(parameter: Parameter) -> str | None:
    if parameter.content_type is None:
        return None
    return parameter.content_type.split(";")[0].strip().lower()


def _encoding(parameter: Parameter) -> str:
    if parameter.content_type is None:
        return f"with style {code(_style(parameter))}"
    return f"as {code(parameter.content_type)}"


def _style(parameter: Parameter) -> str:
    """The style in effect: as written, else OpenAPI's default for where it goes."""
    if parameter.style:
        return parameter.style
    return "form" if parameter.where in ("query", "cookie") else "simple"


def _explode(parameter: Parameter) -> bool:
    if parameter.explode is not None:
        return parameter.explode
    return _style(parameter) == "form"


def _is_scalar(parameter: Parameter) -> bool:
    """Whether every value is one scalar, for which exploding makes no difference."""
    schema = parameter.schema
    if schema is None or not isinstance(schema.value, dict):
        return False
    if any(key in schema.value for key in ("oneOf", "anyOf", "allOf")):
        return False
    types = schema.value.get("type")
    if isinstance(types, str):
        return types in _SCALAR_TYPES
    return (
        isinstance(types, list)
        and bool(types)
        and all(isinstance(t, str) and t in _SCALAR_TYPES for t in types)
    )
