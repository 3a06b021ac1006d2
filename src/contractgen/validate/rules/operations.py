"""Rules: operations (ids, path parameters) and components nothing uses."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen.load.collect import is_schema_name
from contractgen.load.document import RefError
from contractgen.location import Location, split_pointer
from contractgen.model.contract import Operation, Parameter
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import report_gaps
from contractgen.validate.object_kinds import mapping_sites, reference_sites
from contractgen.validate.registry import Rule, RuleContext, rule

if TYPE_CHECKING:
    from contractgen.load.collect import RefSite
    from contractgen.load.document import Document

_TEMPLATE = re.compile(r"\{([^{}]+)\}")


# --- OP001 ----------------------------------------------------------------------------------


@rule(
    "OP001",
    "operation-id-unique",
    Level.ERROR,
    "Every operationId is unique in the document.",
    rationale="""
        Generated clients and servers name methods after operationIds, and links and diffs
        find operations by them. Two operations with one id collide in generated code and
        make every reference to the id ambiguous.
    """,
    bad="""
        paths:
          /v1/models: {get: {operationId: list}}
          /v1/files: {get: {operationId: list}}
    """,
    good="""
        paths:
          /v1/models: {get: {operationId: listModels}}
          /v1/files: {get: {operationId: listFiles}}
    """,
)
def check_operation_id_unique(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    first: dict[str, Operation] = {}
    for op in ctx.contract.operations:
        if op.operation_id is None or op.operation_id_location is None:
            continue
        earlier = first.setdefault(op.operation_id, op)
        if earlier is op:
            continue
        yield rule.finding(
            op.operation_id_location,
            f"{op.key}: operationId `{op.operation_id}` is already used by {earlier.key}; "
            "give this operation its own id",
            related=[earlier.operation_id_location or earlier.location],
        )


# --- OP002 ----------------------------------------------------------------------------------


@rule(
    "OP002",
    "operation-id-missing",
    Level.WARNING,
    "Every operation has an operationId.",
    rationale="""
        Without an operationId, generators invent method names from the path and method,
        which change whenever the path does; diffs and reports can only name the operation
        by its path. When no operation has one, the document gets one finding, at its root.
    """,
    bad="""
        paths:
          /v1/models:
            get:
              responses: {'200': {description: OK}}
    """,
    good="""
        paths:
          /v1/models:
            get:
              operationId: listModels
              responses: {'200': {description: OK}}
    """,
)
def check_operation_id_missing(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    operations = ctx.contract.operations
    gaps = (
        rule.finding(
            op.location,
            f"{op.key} has no operationId; add a stable one (e.g. `operationId: "
            f"{_suggest_id(op)}`)",
        )
        for op in operations
        if op.operation_id_location is None
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(op.operation_id_location is not None for op in operations),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no operation has an operationId ({count} operations); add a stable one to each "
            f"(e.g. `operationId: {_suggest_id(operations[0])}`)"
        ),
    )


def _suggest_id(op: Operation) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", op.path) if w]
    return op.method + "".join(w[:1].upper() + w[1:] for w in words)


# --- OP003 ----------------------------------------------------------------------------------


@rule(
    "OP003",
    "path-parameters",
    Level.ERROR,
    "Path template parameters and `in: path` parameters match one to one, and are required.",
    rationale="""
        A `{name}` in the path with no parameter leaves its type unknown to clients and
        servers; a path parameter missing from the template can never be sent. OpenAPI also
        requires every path parameter to be `required: true`.
    """,
    bad="""
        paths:
          /v1/models/{model}:
            get:
              parameters:
                - {name: id, in: path, schema: {type: string}}
    """,
    good="""
        paths:
          /v1/models/{model}:
            get:
              parameters:
                - {name: model, in: path, required: true, schema: {type: string}}
    """,
)
def check_path_parameters(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    reported: set[Location] = set()
    for op in ctx.contract.operations:
        template = set(_TEMPLATE.findall(op.path))
        declared = [p for p in op.parameters if p.where == "path"]
        for name in sorted(template - {p.name for p in declared}):
            yield rule.finding(
                op.location,
                f"{op.key}: path template parameter `{{{name}}}` is not declared; add "
                f"`{{name: {name}, in: path, required: true, schema: {{type: string}}}}`",
            )
        for param in declared:
            yield from _check_declared(rule, op, param, template, reported)


def _check_declared(
    rule: Rule, op: Operation, param: Parameter, template: set[str], reported: set[Location]
) -> Iterator[Finding]:
    """A declared path parameter: in the template (where listed) and required (where defined)."""
    listed = param.listed_at or param.location
    if param.name not in template and listed not in reported:
        reported.add(listed)
        yield rule.finding(
            listed,
            f"{op.key}: path parameter `{param.name}` is not in the path template; "
            f"rename it to match a `{{...}}` segment or remove it",
        )
    if not param.required and param.location not in reported:
        reported.add(param.location)
        yield rule.finding(
            param.location,
            f"{op.key}: path parameter `{param.name}` must be `required: true`",
        )


# --- OP004 ----------------------------------------------------------------------------------


@rule(
    "OP004",
    "unused-component",
    Level.INFO,
    "Every component is used: referenced by `$ref`, a discriminator mapping, or (security "
    "schemes) a security requirement.",
    rationale="""
        Unused components are dead weight: generators still emit types for them, reviewers
        still read them, and they drift from the operations they were meant for. Either
        reference them or delete them.
    """,
    bad="""
        components:
          schemas:
            Model: {type: object}
            LegacyModel: {type: object}   # nothing refers to it
    """,
    good="""
        components:
          schemas:
            Model: {type: object}
    """,
)
def check_unused_component(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    data = ctx.document.data
    if not data.get("paths") and not data.get("webhooks"):
        return  # a library of components, used by other documents
    used = _referenced_components(ctx.document)
    used |= {("securitySchemes", name) for name in ctx.contract.used_security_schemes}
    for component in ctx.contract.components:
        if (component.section, component.name) not in used:
            yield rule.finding(
                component.location,
                f"components/{component.section}/{component.name} is never used; reference it "
                "or remove it",
            )


def _referenced_components(document: Document) -> set[tuple[str, str]]:
    """(section, name) of every root-file component a `$ref` or discriminator mapping names."""
    used: set[tuple[str, str]] = set()
    root = document.root.path
    for site in reference_sites(document):
        file_part, _, fragment = site.target.partition("#")
        if _names_root(document, site.location.file, file_part, root):
            used.update(_component_of(fragment))
        elif file_part:  # a URL or a name relative to an `$id`: only resolving tells
            used.update(_resolved_component(document, site))
    for site in mapping_sites(document):
        file_part, _, fragment = site.target.partition("#")
        if is_schema_name(site.target):
            used.add(("schemas", site.target))
        elif _names_root(document, site.location.file, file_part, root):
            used.update(_component_of(fragment))
    return used


def _names_root(document: Document, site_file: str, file_part: str, root: Path) -> bool:
    """Whether a reference written in `site_file` with this file part lands in the root file."""
    source = document.files[site_file]
    if not file_part:
        return source is document.root
    if "://" in file_part:
        return False
    return Path(os.path.realpath(source.path.parent / file_part)) == root


def _resolved_component(document: Document, site: RefSite) -> set[tuple[str, str]]:
    """The root-file component a reference lands in, when the reference text cannot say."""
    try:
        target = document.target(site.target, site.location)
    except RefError:
        return set()
    if target.location.file != document.root.display:
        return set()
    return _component_of(target.location.pointer)


def _component_of(fragment: str) -> set[tuple[str, str]]:
    try:
        tokens = split_pointer(fragment) if fragment else []
    except ValueError:
        return set()
    if len(tokens) >= 3 and tokens[0] == "components":
        return {(tokens[1], tokens[2])}
    return set()


# --- OP005 ----------------------------------------------------------------------------------


@rule(
    "OP005",
    "path-template-conflict",
    Level.ERROR,
    "Two path templates differ only in their parameter names.",
    rationale="""
        OpenAPI: "Templated paths with the same hierarchy but different templated names
        MUST NOT exist as they are identical." A request to `/v1/items/42` matches both
        `/v1/items/{id}` and `/v1/items/{name}`; which operation answers it depends on the
        router, and generated clients get two methods for one URL.
    """,
    bad="""
        paths:
          /v1/items/{id}: {get: {operationId: getItem}}
          /v1/items/{name}: {delete: {operationId: deleteItem}}
    """,
    good="""
        paths:
          /v1/items/{id}:
            get: {operationId: getItem}
            delete: {operationId: deleteItem}
    """,
)
def check_path_template_conflict(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    document = ctx.document
    try:
        paths = document.deref(document.data.get("paths"), document.root.location("/paths"))
    except RefError:  # reported by OAS002
        return
    if not isinstance(paths.value, dict):
        return
    by_shape: dict[str, list[str]] = {}
    for path in paths.value:
        if path.startswith("/") and "{" in path:
            by_shape.setdefault(_TEMPLATE.sub("{}", path), []).append(path)
    for group in by_shape.values():
        if len(group) > 1:
            first, later = group[0], group[1:]
            others = ", ".join(f"`{path}`" for path in later[1:])
            also = f" (so {'are' if len(later) > 2 else 'is'} {others})" if others else ""
            yield rule.finding(
                paths.location.child(later[0]),
                f"`{later[0]}` is the same path as `{first}`{also}: only the parameter names "
                "differ, which OpenAPI forbids; merge them into one path item with one name "
                "for each parameter",
                related=[paths.location.child(path) for path in (first, *later[1:])],
            )
