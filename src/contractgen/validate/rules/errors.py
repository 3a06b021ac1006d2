"""Rules: the error catalogue (`x-contract-errors`) against the limits and responses it serves.

Rules that need the catalogue stay silent on documents without one: plain OpenAPI specs
have no codes to check against.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from contractgen.load.document import Document, RefError
from contractgen.location import Location
from contractgen.model.contract import Contract, Operation, Response
from contractgen.model.errors import MID_STREAM, ErrorCatalog
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import report_gaps
from contractgen.validate.registry import Rule, RuleContext, rule

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: RFC 9457 members every problem schema declares (`instance` is optional), then ours.
PROBLEM_MEMBERS = ("type", "title", "status", "detail", "code", "retryable")
#: Statuses a client may always retry after waiting, catalogue or not.
RETRYABLE_STATUSES = frozenset({429, 503})
MAX_SCHEMA_DEPTH = 16

# --- ERR001 ---------------------------------------------------------------------------------


@rule(
    "ERR001",
    "error-code-limit",
    Level.ERROR,
    "An error code's `limit` names a limit the document declares.",
    rationale="""
        `limit` ties a code to the limit it enforces: generated middleware raises the code
        when the limit is exceeded, and LIM003 asks for its response. A `limit` that no
        operation (nor the document defaults) declares is a typo or a stale entry, and the
        code is never raised.
    """,
    bad="""
        x-contract-errors:
          codes:
            content_too_large: {status: 413, retryable: false, limit: request.maxBytes}
        # ...but no x-contract-limits declares request.maxBytes
    """,
    good="""
        x-contract-limits:
          request: {maxBytes: 1048576}
        x-contract-errors:
          codes:
            content_too_large: {status: 413, retryable: false, limit: request.maxBytes}
    """,
)
def check_error_code_limit(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    catalog = ctx.contract.errors
    if catalog is None:
        return
    every_limits = [ctx.contract.default_limits, *(op.limits for op in ctx.contract.operations)]
    for code in catalog.codes.values():
        if code.limit is None or any(limits.has(code.limit) for limits in every_limits):
            continue
        declared = sorted(
            {path for limits in every_limits for path in limits.values}
            | {f"rateLimits.{rl.name}" for limits in every_limits for rl in limits.rate_limits}
        )
        close = difflib.get_close_matches(code.limit, declared, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        yield rule.finding(
            code.location.child("limit"),
            f"error code `{code.code}` enforces `{code.limit}`, which no `x-contract-limits` "
            f"declares{hint}; declare the limit or fix the path",
        )


# --- ERR002 ---------------------------------------------------------------------------------


@rule(
    "ERR002",
    "retry-after-header",
    Level.ERROR,
    "Responses for a code with `retryAfter: required` declare a required `Retry-After` header.",
    rationale="""
        `retryAfter: required` promises that every response with the code tells the client
        when to retry. The responses with the code's status must then declare `Retry-After`
        with `required: true`, or generated clients treat it as optional and servers may omit
        it. (A 429 without the header at all is LIM004's finding.)
    """,
    bad="""
        x-contract-errors:
          codes:
            overloaded: {status: 503, retryable: true, retryAfter: required}
        # responses:
        '503':
          description: Overloaded
    """,
    good="""
        x-contract-errors:
          codes:
            overloaded: {status: 503, retryable: true, retryAfter: required}
        # responses:
        '503':
          description: Overloaded
          headers:
            Retry-After: {required: true, schema: {type: integer, minimum: 0}}
    """,
)
def check_retry_after_header(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    catalog = ctx.contract.errors
    if catalog is None:
        return
    required = {
        str(code.status): code.code
        for code in catalog.codes.values()
        if code.retry_after == "required" and code.status is not None
    }
    for op, response in _unique_responses(ctx.contract):
        code = required.get(response.status)
        if code is None:
            continue
        header = response.headers.get("retry-after")
        if header is None and response.status != "429":
            yield rule.finding(
                response.location,
                f"the {response.status} response of {op.key} has no `Retry-After` header, but "
                f"code `{code}` has `retryAfter: required`; declare the header with "
                "`required: true`",
            )
        elif header is not None and not header.required:
            yield rule.finding(
                header.location,
                f"`Retry-After` on the {response.status} response of {op.key} is optional, but "
                f"code `{code}` has `retryAfter: required`; set `required: true`",
            )


# --- ERR003 ---------------------------------------------------------------------------------


@rule(
    "ERR003",
    "problem-schema",
    Level.ERROR,
    "Error responses are `application/problem+json` with the problem members and `code` and "
    "`retryable`.",
    rationale="""
        With an error catalogue, every error body is an RFC 9457 problem carrying the catalogue
        `code` and `retryable`: clients branch on `code` and decide on retries from
        `retryable`, whatever the status. An error response with another media type, or a
        problem schema without these members, breaks that promise. When no error response is
        a problem, the document gets one finding, at its root.
    """,
    bad="""
        '429':
          description: Rate limited
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
    """,
    good="""
        '429':
          description: Rate limited
          content:
            application/problem+json:
              # Problem: type, title, status, detail, code, retryable
              schema: {$ref: '#/components/schemas/Problem'}
    """,
)
def check_problem_schema(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.contract.errors is None:
        return
    checked_schemas: set[Location] = set()
    not_problems: list[Finding] = []
    adopted = False
    for op, response in _unique_responses(ctx.contract):
        if not response.is_error or op.method == "head":
            continue
        problem = next(
            (media for key, media in response.content.items() if _is_problem_media_type(key)),
            None,
        )
        adopted |= problem is not None
        if problem is None:
            found = ", ".join(f"`{media}`" for media in response.content)
            not_problems.append(
                rule.finding(
                    response.location,
                    f"the {response.status} error response of {op.key} "
                    f"{f'is {found}' if found else 'has no content'}; with an error catalogue, "
                    f"error bodies are `{PROBLEM_MEDIA_TYPE}` (RFC 9457) with `code` and "
                    "`retryable`",
                )
            )
        elif problem.schema is None:
            yield rule.finding(
                problem.location,
                f"the `{PROBLEM_MEDIA_TYPE}` body of the {response.status} response of {op.key} "
                "has no schema; reference the problem schema",
            )
        elif problem.schema.value_location not in checked_schemas:
            checked_schemas.add(problem.schema.value_location)
            schema_node = (problem.schema.value, problem.schema.value_location)
            members = _schema_properties(ctx.document, schema_node)
            missing = [name for name in PROBLEM_MEMBERS if name not in members]
            if missing:
                name = problem.schema.name
                subject = f"problem schema `{name}`" if name else "the problem schema"
                yield rule.finding(
                    problem.schema.value_location,
                    f"{subject} (of the {response.status} response of {op.key}) lacks "
                    f"{', '.join(f'`{name}`' for name in missing)}; declare every RFC 9457 member "
                    "(`type`, `title`, `status`, `detail`) plus `code` and `retryable`",
                )
    yield from report_gaps(
        rule,
        not_problems,
        adopted=adopted,
        at=ctx.contract.location,
        summary=lambda count: (
            f"no error response is `{PROBLEM_MEDIA_TYPE}` ({count} error responses); with an "
            "error catalogue, error bodies are RFC 9457 problems with `code` and `retryable`: "
            "describe them once (a `components/responses` entry) and reference it"
        ),
    )


def _is_problem_media_type(media_type: str) -> bool:
    return media_type.split(";")[0].strip().lower() == PROBLEM_MEDIA_TYPE


def _schema_properties(document: Document, node: tuple[Any, Location], depth: int = 0) -> set[str]:
    """Property names a schema declares, own and through `allOf` (refs followed)."""
    value, at = node
    try:
        resolved = document.deref(value, at)
    except RefError:
        return set()
    value, at = resolved.value, resolved.location
    if not isinstance(value, dict) or depth > MAX_SCHEMA_DEPTH:
        return set()
    props = value.get("properties")
    names = set(props) if isinstance(props, dict) else set()
    allof = value.get("allOf")
    for index, member in enumerate(allof if isinstance(allof, list) else []):
        names |= _schema_properties(document, (member, at.child("allOf", index)), depth + 1)
    return names


# --- ERR004 ---------------------------------------------------------------------------------


@rule(
    "ERR004",
    "idempotency-key",
    Level.WARNING,
    "A non-idempotent operation that documents retryable errors accepts an idempotency key.",
    rationale="""
        If a POST or PATCH can fail with a retryable error (429, 503, or a catalogue code with
        `retryable: true`), clients will retry it; without an `Idempotency-Key` header a retry
        after a lost response runs the operation twice. When no operation accepts the header,
        the document gets one finding, at its root.
    """,
    bad="""
        post:
          responses:
            '201': {description: Created}
            '503': {description: Overloaded}
    """,
    good="""
        post:
          parameters:
            - {name: Idempotency-Key, in: header, schema: {type: string, maxLength: 255}}
          responses:
            '201': {description: Created}
            '503': {description: Overloaded}
    """,
)
def check_idempotency_key(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    retryable = _retryable_statuses(ctx.contract.errors)
    gaps = (
        rule.finding(
            op.location,
            f"{op.key} documents retryable errors ({', '.join(documented)}) but accepts no "
            "`Idempotency-Key` header; add the header parameter so retries are safe",
        )
        for op in ctx.contract.operations
        if not op.is_idempotent and not op.accepts_idempotency_key
        if (documented := [status for status in op.responses if status in retryable])
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(op.accepts_idempotency_key for op in ctx.contract.operations),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no operation accepts an `Idempotency-Key` header, and {count} non-idempotent "
            "operations document retryable errors; add the header parameter to them (one "
            "shared `components/parameters` entry) so retries are safe"
        ),
    )


def _retryable_statuses(catalog: ErrorCatalog | None) -> set[str]:
    """Response keys of retryable errors; a range (`5XX`) is too vague to count."""
    codes = catalog.codes.values() if catalog else []
    statuses = RETRYABLE_STATUSES | {c.status for c in codes if c.retryable and c.status}
    return {str(status) for status in statuses}


# --- ERR005 ---------------------------------------------------------------------------------


@rule(
    "ERR005",
    "error-phase-status",
    Level.WARNING,
    "A `mid_stream` error code has a stream error event or WebSocket error message to carry it.",
    rationale="""
        A `mid_stream` code is sent after the response has started, inside the stream's
        terminal `errorEvent` (or the WebSocket `errorMessage`). If no stream declares an
        `errorEvent` and no WebSocket an `errorMessage`, nothing can carry the code and clients
        never see it: declare the carrier, or make the code `pre_stream`.
    """,
    bad="""
        x-contract-errors:
          codes:
            overloaded: {status: 503, retryable: true, phases: [pre_stream, mid_stream]}
        # ...and no x-contract-stream declares errorEvent
    """,
    good="""
        x-contract-errors:
          codes:
            overloaded: {status: 503, retryable: true, phases: [pre_stream, mid_stream]}
        # on the streaming media type:
        x-contract-stream: {terminal: [done, error], errorEvent: error}
    """,
)
def check_error_phase(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    catalog = ctx.contract.errors
    if catalog is None or _has_error_carrier(ctx.contract):
        return
    for code in catalog.codes.values():
        if MID_STREAM in code.phases:
            yield rule.finding(
                code.location.child("phases"),
                f"error code `{code.code}` can occur `mid_stream`, but no stream declares an "
                "`errorEvent` and no WebSocket an `errorMessage` to carry it; declare one, or "
                "drop `mid_stream` from its phases",
            )


def _has_error_carrier(contract: Contract) -> bool:
    return any(stream.error_event for _, stream in contract.streams) or any(
        op.websocket is not None and op.websocket.error_message for op in contract.operations
    )


# --- helpers --------------------------------------------------------------------------------


def _unique_responses(contract: Contract) -> Iterator[tuple[Operation, Response]]:
    """Each response once (a shared component counts once), with the first operation using it."""
    seen: set[Location] = set()
    for op in contract.operations:
        for response in op.responses.values():
            if response.location not in seen:
                seen.add(response.location)
                yield op, response
