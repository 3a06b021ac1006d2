"""Rules: limits enforced at the API edge (`x-contract-limits`), read as effective limits.

Every rule reads `Operation.limits`, the merge of document, path item and operation
declarations, so a limit set once at the root is checked on every operation it reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, TypeGuard

from contractgen.load.document import Document, RefError
from contractgen.location import Location
from contractgen.model.contract import Contract, Operation, Response
from contractgen.model.errors import PRE_STREAM, ErrorCode
from contractgen.model.limits import RateLimit
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import report_gaps
from contractgen.validate.registry import Rule, RuleContext, rule

#: Statuses a limit answers with when the error catalogue names no code for it.
DEFAULT_LIMIT_STATUS = {"request.maxBytes": 413, "rateLimits": 429}
#: How deep schema composition (`allOf`/`anyOf`/`oneOf`, `$ref`) is followed.
MAX_SCHEMA_DEPTH = 16

Node = tuple[Any, Location]
"""A raw schema value and where it sits."""


# --- LIM001 ---------------------------------------------------------------------------------


@rule(
    "LIM001",
    "request-max-bytes",
    Level.ERROR,
    "An operation that accepts a request body declares `request.maxBytes`.",
    rationale="""
        Without a size limit the edge reads any body a client sends, and clients cannot tell
        how large a request may be before the server rejects it. Declare the limit once at
        the document root (`x-contract-limits.request.maxBytes`) and override it where an
        operation accepts more or less. A document where no operation has the limit gets one
        finding, at its root.
    """,
    bad="""
        paths:
          /v1/files:
            post:
              requestBody:
                content: {application/octet-stream: {}}
    """,
    good="""
        x-contract-limits:
          request: {maxBytes: 1048576}
        paths:
          /v1/files:
            post:
              requestBody:
                content: {application/octet-stream: {}}
    """,
)
def check_request_max_bytes(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    with_body = [op for op in ctx.contract.operations if op.request_body is not None]
    gaps = (
        rule.finding(
            op.location.child("requestBody"),
            f"{op.key} accepts a request body but has no effective `request.maxBytes` limit; "
            "declare `x-contract-limits: {request: {maxBytes: <bytes>}}` on the operation, "
            "its path item or the document root",
        )
        for op in with_body
        if op.limits.request_max_bytes is None
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(op.limits.request_max_bytes is not None for op in with_body),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no operation has a request size limit ({count} operations accept a request "
            "body); set a default here: `x-contract-limits: {request: {maxBytes: <bytes>}}`, "
            "and override it on the operations that accept more or less"
        ),
    )


# --- LIM002 ---------------------------------------------------------------------------------


@rule(
    "LIM002",
    "max-tokens-field",
    Level.ERROR,
    "The request property named by `tokens.requestField` exists and its `maximum` is at most "
    "`tokens.maxOutputTokens`.",
    rationale="""
        `requestField` tells clients and generated code which request property asks for output
        tokens. If the property's schema allows more than `maxOutputTokens`, a request that
        validates against the contract is still rejected at the edge; if the pointer names no
        property, the limit cannot be enforced at all. A `requestField` set at the document root
        is a default for the operations whose JSON body has that property: operations without
        a JSON body are not checked, and one whose body lacks the property gets an `info` note.
    """,
    bad="""
        x-contract-limits:
          tokens: {maxOutputTokens: 4096, requestField: /max_tokens}
        # request body schema:
        max_tokens: {type: integer, maximum: 8192}
    """,
    good="""
        x-contract-limits:
          tokens: {maxOutputTokens: 4096, requestField: /max_tokens}
        # request body schema:
        max_tokens: {type: integer, minimum: 1, maximum: 4096}
    """,
)
def check_max_tokens_field(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    contract = ctx.contract
    default_misses: list[Finding] = []
    default_resolves = False
    for op in contract.operations:
        pointer = op.limits.tokens_request_field
        if pointer is None:
            continue
        inherited = contract.inherits_default(op, "tokens.requestField")
        body = op.request_body.json_schema() if op.request_body else None
        if body is None:
            if not inherited:  # a default does not fit an operation without a JSON body
                yield _unresolved_field(rule, op, pointer, "the operation has no JSON request body")
            continue
        targets = _pointer_schemas(ctx.document, (body.value, body.value_location), pointer)
        if not targets and inherited:
            default_misses.append(_default_field_missing(rule, op, pointer))
        elif not targets:
            yield _unresolved_field(rule, op, pointer, "it names no property of the JSON body")
        default_resolves |= bool(targets) and inherited
        limit = op.limits.max_output_tokens
        if limit is not None:
            for target in targets:
                yield from _check_token_bound(rule, ctx.document, op, pointer, target, limit)
    default_at = contract.default_limits.source("tokens.requestField") or contract.location
    yield from report_gaps(
        rule,
        default_misses,
        adopted=default_resolves,
        at=default_at,
        summary=lambda count: (
            f"the document's default `tokens.requestField` "
            f"{contract.default_limits.tokens_request_field} names a property of no operation's "
            f"JSON request body ({count} operations have one); point it at the request property "
            "that asks for output tokens"
        ),
    )


def _unresolved_field(rule: Rule, op: Operation, pointer: str, problem: str) -> Finding:
    """A `requestField` the operation (or its path item) declares, resolving nowhere."""
    return rule.finding(
        op.limits.source("tokens.requestField") or op.location,
        f"{op.key}: `tokens.requestField` {pointer} is set, but {problem}; point it at the "
        "request property that asks for output tokens (or set `tokens.requestField: null`)",
    )


def _default_field_missing(rule: Rule, op: Operation, pointer: str) -> Finding:
    """An operation whose JSON body lacks the property the document default names: a hint."""
    return rule.finding(
        op.location,
        f"{op.key} inherits the document's `tokens.requestField` {pointer}, but its JSON request "
        "body has no such property, so the default does not apply here; set "
        "`x-contract-limits: {tokens: {requestField: null}}` on the operation to say so",
        related=[op.limits.source("tokens.requestField") or op.location],
        level=Level.INFO,
    )


def _check_token_bound(
    rule: Rule, document: Document, op: Operation, pointer: str, target: Node, limit: int
) -> Iterator[Finding]:
    value, at = target
    bound = _upper_bound(document, target)
    if bound is None:
        yield rule.finding(
            at,
            f"{op.key}: request property {pointer} has no `maximum`, so the contract accepts more "
            f"than `tokens.maxOutputTokens` ({limit}); add `maximum: {limit}`",
        )
    elif bound > limit:
        keyword = next((k for k in ("maximum", "exclusiveMaximum") if k in value), None)
        yield rule.finding(
            at.child(keyword) if keyword else at,
            f"{op.key}: request property {pointer} allows up to {bound} but "
            f"`tokens.maxOutputTokens` is {limit}; lower its `maximum` to {limit}",
        )


def _upper_bound(document: Document, node: Node, depth: int = 0) -> int | float | None:
    """The largest number a schema accepts (None: unbounded), with integer semantics.

    Reads `maximum`/`exclusiveMaximum` (3.0 boolean and 3.1 numeric forms), `allOf`, and the
    nullable union `anyOf: [{..., maximum: N}, {type: 'null'}]` that pydantic writes.
    """
    schema, at = _deref(document, node)
    if not isinstance(schema, dict) or depth > MAX_SCHEMA_DEPTH:
        return None
    bounds: list[int | float] = []
    maximum, exclusive = schema.get("maximum"), schema.get("exclusiveMaximum")
    if _is_number(maximum):
        bounds.append(maximum - 1 if exclusive is True else maximum)
    if _is_number(exclusive):
        bounds.append(exclusive - 1)
    for index, member in enumerate(_list(schema.get("allOf"))):
        found = _upper_bound(document, (member, at.child("allOf", index)), depth + 1)
        if found is not None:
            bounds.append(found)
    keyword = "anyOf" if "anyOf" in schema else "oneOf"
    members = [
        _upper_bound(document, (member, at.child(keyword, index)), depth + 1)
        for index, member in enumerate(_list(schema.get(keyword)))
        if not _is_null(member)
    ]
    if members and all(bound is not None for bound in members):
        bounds.append(max(bound for bound in members if bound is not None))
    return min(bounds) if bounds else None


def _pointer_schemas(document: Document, root: Node, pointer: str) -> list[Node]:
    """The schemas a JSON Pointer into a request body can name, through refs and composition."""
    nodes = [root]
    for token in pointer.strip("/").split("/"):
        name = token.replace("~1", "/").replace("~0", "~")
        nodes = [found for node in nodes for found in _property_schemas(document, node, name)]
    return nodes


def _property_schemas(document: Document, node: Node, name: str, depth: int = 0) -> list[Node]:
    value, at = _deref(document, node)
    if not isinstance(value, dict) or depth > MAX_SCHEMA_DEPTH:
        return []
    found: list[Node] = []
    props = value.get("properties")
    if isinstance(props, dict) and name in props:
        found.append(_deref(document, (props[name], at.child("properties", name))))
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, member in enumerate(_list(value.get(keyword))):
            member_node = (member, at.child(keyword, index))
            found += _property_schemas(document, member_node, name, depth + 1)
    return found


# --- LIM003 ---------------------------------------------------------------------------------


@rule(
    "LIM003",
    "limit-error-response",
    Level.ERROR,
    "An operation documents the error response for every limit it can hit.",
    rationale="""
        A limit the edge enforces produces an error response; if the operation does not
        document it, clients and generated code do not expect it. The status comes from the
        error catalogue code whose `limit` names the limit (pre-stream codes only), else 413
        for `request.maxBytes` and 429 for rate limits. When no operation documents a status,
        the document gets one finding for it, at its root.
    """,
    bad="""
        x-contract-limits:
          rateLimits: [{name: rpm, quota: 600, windowSeconds: 60}]
        paths:
          /v1/models:
            get:
              responses:
                '200': {description: OK}
    """,
    good="""
        x-contract-limits:
          rateLimits: [{name: rpm, quota: 600, windowSeconds: 60}]
        paths:
          /v1/models:
            get:
              responses:
                '200': {description: OK}
                '429': {$ref: '#/components/responses/TooManyRequests'}
    """,
)
def check_limit_error_response(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    exposed: dict[int, list[tuple[Operation, list[str]]]] = {}
    for op in ctx.contract.operations:
        for status, causes in _limit_statuses(ctx.contract, op).items():
            exposed.setdefault(status, []).append((op, causes))
    for status, hits in sorted(exposed.items()):
        gaps = (
            rule.finding(
                op.location.child("responses"),
                f"{op.key} can exceed {', '.join(causes)} but documents no {status} response; "
                f"add a '{status}' response",
            )
            for op, causes in hits
            if op.response(status) is None
        )
        limits = ", ".join(dict.fromkeys(cause for _, causes in hits for cause in causes))
        yield from report_gaps(
            rule,
            gaps,
            adopted=any(op.response(status) is not None for op, _ in hits),
            at=ctx.contract.location,
            summary=partial(_no_limit_response, status, limits),
        )


def _no_limit_response(status: int, limits: str, count: int) -> str:
    return (
        f"{count} operations can exceed {limits}, and none documents the {status} response; "
        f"add a '{status}' response to each, for example one shared `components/responses` entry"
    )


def _limit_statuses(contract: Contract, op: Operation) -> dict[int, list[str]]:
    """Status -> the limits (with their catalogue codes) that answer with it, for one operation."""
    statuses: dict[int, list[str]] = {}
    codes = list(contract.errors.codes.values()) if contract.errors else []
    for code in codes:
        if code.limit and code.status and _answers_before_body(code) and _can_hit(op, code.limit):
            statuses.setdefault(code.status, []).append(f"`{code.limit}` (code {code.code})")
    for path, status in DEFAULT_LIMIT_STATUS.items():
        uncovered = [p for p in _hit_paths(op, path) if not _covered(contract, p)]
        if uncovered:
            statuses.setdefault(status, []).append(f"`{uncovered[0]}`")
    return statuses


def _answers_before_body(code: ErrorCode) -> bool:
    """Whether a code is an HTTP response (mid-stream codes travel in the stream instead)."""
    return code.status is not None and PRE_STREAM in code.phases


def _can_hit(op: Operation, limit: str) -> bool:
    """Whether a request can exceed a limit: it is set, and fits the operation."""
    return op.limit_fits(limit) and op.limits.has(limit)


def _hit_paths(op: Operation, path: str) -> list[str]:
    if path == "rateLimits":
        return [f"rateLimits.{limit.name}" for limit in op.limits.rate_limits]
    return [path] if _can_hit(op, path) else []


def _covered(contract: Contract, path: str) -> bool:
    """Whether a catalogue code answers for a limit path (then its status, not the default)."""
    codes = contract.errors.for_limit(path) if contract.errors else []
    return any(_answers_before_body(code) for code in codes)


# --- LIM004 ---------------------------------------------------------------------------------


@rule(
    "LIM004",
    "rate-limit-retry-after",
    Level.ERROR,
    "A 429 response declares the `Retry-After` header.",
    rationale="""
        A client that is rate limited needs to know when to try again; without `Retry-After`
        it guesses, and retries too early (making the overload worse) or too late. When no 429
        response declares it, the document gets one finding, at its root.
    """,
    bad="""
        responses:
          '429':
            description: Rate limited
    """,
    good="""
        responses:
          '429':
            description: Rate limited
            headers:
              Retry-After:
                required: true
                schema: {type: integer, minimum: 0}
    """,
)
def check_rate_limit_retry_after(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    responses: dict[Location, tuple[Operation, Response]] = {}
    for op in ctx.contract.operations:
        response = op.responses.get("429")
        if response is not None:
            responses.setdefault(response.location, (op, response))
    gaps = (
        rule.finding(
            response.location,
            f"the 429 response of {op.key} has no `Retry-After` header; declare it "
            "(delay-seconds) so clients know when to retry",
        )
        for op, response in responses.values()
        if not response.has_header("retry-after")
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(response.has_header("retry-after") for _, response in responses.values()),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no 429 response declares a `Retry-After` header ({count} responses); declare it "
            "(delay-seconds) so clients know when to retry, for example on one shared "
            "`components/responses` entry"
        ),
    )


# --- LIM005 ---------------------------------------------------------------------------------


@rule(
    "LIM005",
    "rate-limit-shape",
    Level.WARNING,
    "An effective rate limit has a quota and a window, and a token rate limit applies only "
    "where token limits are declared.",
    rationale="""
        Rate limits merge by `name` across levels, so a policy can be complete in no single
        declaration and the extension schema cannot check it: after merging, every enabled
        policy needs `quota`, and `windowSeconds` unless its unit is `concurrent-requests`.
        A `unit: tokens` policy on an operation that declares no token limits usually means
        the policy reaches too far: disable it there, or declare the token limits. A policy
        set once at the document root is a default, and binds only operations that take a
        request body; a GET or a WebSocket handshake spends no tokens and is not reported.
    """,
    bad="""
        x-contract-limits:
          rateLimits: [{name: tpm, unit: tokens, quota: 2000000, windowSeconds: 60}]
        paths:
          /v1/files:
            post:
              requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
              responses: {'201': {description: Created}}
    """,
    good="""
        x-contract-limits:
          rateLimits: [{name: tpm, unit: tokens, quota: 2000000, windowSeconds: 60}]
        paths:
          /v1/files:
            post:
              x-contract-limits:
                rateLimits: [{name: tpm, disabled: true}]
              requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
              responses: {'201': {description: Created}}
    """,
)
def check_rate_limit_shape(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    reported: set[Location] = set()
    for op in ctx.contract.operations:
        for limit in op.limits.rate_limits:
            missing = _missing_fields(limit)
            if missing and limit.location not in reported:
                reported.add(limit.location)
                yield rule.finding(
                    limit.location,
                    f"rate limit `{limit.name}` (effective on {op.key}) has no "
                    f"{' or '.join(missing)} after merging; add {', '.join(missing)}",
                )
    yield from _token_rate_limits_without_token_limits(rule, ctx.contract)


def _token_rate_limits_without_token_limits(rule: Rule, contract: Contract) -> Iterator[Finding]:
    """A token rate limit where no token limit is declared, on operations it fits.

    A document default fits only operations with a request body: a GET or a WebSocket
    handshake spends no tokens, so a `tpm` set once at the root is no finding there.
    """
    gaps = (
        rule.finding(
            op.location.child("x-contract-limits"),
            f"{op.key} has the token rate limit `{limit.name}` but no token limits; "
            f"disable it here (`{{name: {limit.name}, disabled: true}}`) or declare "
            "`tokens` limits",
        )
        for op in contract.operations
        if not op.limits.has("tokens")
        for limit in op.limits.rate_limits
        if limit.unit == "tokens"
        and (
            op.limit_fits("tokens") or not contract.inherits_default(op, f"rateLimits.{limit.name}")
        )
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(op.limits.has("tokens") for op in contract.operations),
        at=contract.location,
        summary=lambda count: (
            f"token rate limits apply to {count} operations, but no operation declares token "
            "limits; declare `tokens` limits where requests spend tokens, and disable the token "
            "rate limit (`{name: ..., disabled: true}`) where they do not"
        ),
    )


def _missing_fields(limit: RateLimit) -> list[str]:
    missing = ["`quota`"] if limit.quota is None else []
    if limit.window_seconds is None and limit.unit != "concurrent-requests":
        missing.append("`windowSeconds`")
    return missing


# --- helpers --------------------------------------------------------------------------------


def _deref(document: Document, node: Node) -> Node:
    try:
        resolved = document.deref(*node)
    except RefError:
        return None, node[1]
    return resolved.value, resolved.location


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"
