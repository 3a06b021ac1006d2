"""Rules: WebSocket endpoints (`x-contract-websocket` on a GET handshake answered with 101)."""

from __future__ import annotations

from collections.abc import Iterator

from contractgen.model.contract import Operation
from contractgen.model.schema import Schema
from contractgen.model.websocket import MessageType, WebSocket
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import report_gaps
from contractgen.validate.registry import Rule, RuleContext, rule


def _websockets(ctx: RuleContext) -> Iterator[tuple[Operation, WebSocket]]:
    for op in ctx.contract.operations:
        if op.websocket is not None:
            yield op, op.websocket


# --- WS001 ----------------------------------------------------------------------------------


@rule(
    "WS001",
    "websocket-messages",
    Level.ERROR,
    "A WebSocket endpoint declares `clientMessages` and `serverMessages` as discriminated unions.",
    rationale="""
        The message unions are the WebSocket contract: generated clients and servers type
        every frame from them, and the AsyncAPI export builds its channels from them. A union
        without a discriminator leaves receivers guessing which message they got.
    """,
    bad="""
        x-contract-websocket:
          clientMessages:
            oneOf: [{$ref: '#/components/schemas/Say'}, {$ref: '#/components/schemas/Bye'}]
    """,
    good="""
        x-contract-websocket:
          discriminator: /type
          clientMessages: {$ref: '#/components/schemas/ClientMessage'}   # oneOf, type: const
          serverMessages: {$ref: '#/components/schemas/ServerMessage'}
    """,
)
def check_websocket_messages(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for op, ws in _websockets(ctx):
        sides = (
            ("clientMessages", "the client sends", ws.client_messages, ws.client_types),
            ("serverMessages", "the server sends", ws.server_messages, ws.server_types),
        )
        for key, sender, union, types in sides:
            if union is None:
                yield rule.finding(
                    ws.location,
                    f"{op.key}: x-contract-websocket has no `{key}`; add a oneOf union of the "
                    f"messages {sender}, with a discriminator",
                )
            elif not _is_discriminated(union, types):
                yield rule.finding(
                    ws.location.child(key),
                    f"{op.key}: `{key}` cannot tell message types apart; make it a oneOf union "
                    f"whose branches pin `{_property(ws)}` with `const` (or add a discriminator)",
                )


def _is_discriminated(union: Schema, types: tuple[MessageType, ...]) -> bool:
    """A union whose every branch is named, by a `const`/`enum` pin or the discriminator mapping."""
    branches = union.get("oneOf") or union.get("anyOf")
    if not isinstance(branches, list) or not branches:
        return False
    return len(types) == len(branches)


def _property(ws: WebSocket) -> str:
    return (ws.discriminator or "/type").lstrip("/").split("/")[0]


# --- WS002 ----------------------------------------------------------------------------------


@rule(
    "WS002",
    "websocket-max-message-bytes",
    Level.ERROR,
    "A WebSocket endpoint has effective `websocket.maxMessageBytes` limits, inbound and outbound.",
    rationale="""
        WebSocket messages have no natural size bound; without a declared limit the server
        buffers whatever a client sends, and clients cannot size their own buffers for what
        the server sends. Declare both directions (close code 1009 when exceeded). When no
        endpoint has them, the document gets one finding, at its root.
    """,
    bad="""
        get:
          x-contract-websocket: {...}
    """,
    good="""
        get:
          x-contract-websocket: {...}
          x-contract-limits:
            websocket:
              maxMessageBytes: {inbound: 131072, outbound: 1048576}
    """,
)
def check_websocket_max_message_bytes(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    endpoints = list(_websockets(ctx))
    gaps = (
        rule.finding(
            ws.location,
            f"{op.key}: WebSocket endpoint has no effective {' and '.join(missing)}; declare "
            f"{MESSAGE_BYTES_LIMITS}",
        )
        for op, ws in endpoints
        if (missing := _missing_message_bytes(op))
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(not _missing_message_bytes(op) for op, _ in endpoints),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no WebSocket endpoint has `websocket.maxMessageBytes` limits ({count} endpoints); "
            f"set a default here: {MESSAGE_BYTES_LIMITS}"
        ),
    )


MESSAGE_BYTES_LIMITS = (
    "`x-contract-limits: {websocket: {maxMessageBytes: {inbound: <bytes>, outbound: <bytes>}}}`"
)


def _missing_message_bytes(op: Operation) -> list[str]:
    """The `websocket.maxMessageBytes` limits an endpoint lacks, as backticked limit paths."""
    return [
        f"`websocket.maxMessageBytes.{direction}`"
        for direction, value in (
            ("inbound", op.limits.ws_max_inbound_message_bytes),
            ("outbound", op.limits.ws_max_outbound_message_bytes),
        )
        if value is None
    ]


# --- WS003 ----------------------------------------------------------------------------------


@rule(
    "WS003",
    "websocket-handshake",
    Level.ERROR,
    "A WebSocket endpoint is a GET operation with a `101` response.",
    rationale="""
        The WebSocket opening handshake is an HTTP GET answered with 101 Switching Protocols
        (RFC 6455). Any other method cannot upgrade, and without the 101 response the
        contract does not say the endpoint upgrades at all.
    """,
    bad="""
        /v1/realtime:
          post:
            x-contract-websocket: {...}
            responses: {'200': {description: OK}}
    """,
    good="""
        /v1/realtime:
          get:
            x-contract-websocket: {...}
            responses: {'101': {description: Switching to the WebSocket protocol}}
    """,
)
def check_websocket_handshake(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for op, ws in _websockets(ctx):
        if op.method != "get":
            yield rule.finding(
                op.location,
                f"{op.key}: a WebSocket handshake must be a GET, not {op.method.upper()}; "
                "move x-contract-websocket to a GET operation",
            )
        if not ws.has_upgrade_response:
            yield rule.finding(
                op.location.child("responses") if op.responses else op.location,
                f"{op.key}: WebSocket endpoint has no `101` response; add "
                "`'101': {description: Switching to the WebSocket protocol}`",
            )


# --- WS004 ----------------------------------------------------------------------------------


@rule(
    "WS004",
    "websocket-error-message",
    Level.WARNING,
    "`errorMessage` names one of the server message types.",
    rationale="""
        `errorMessage` tells clients which server message carries an error-catalogue code;
        if it names no server message type, clients never recognise errors and generated
        code has no type for them.
    """,
    bad="""
        x-contract-websocket:
          serverMessages: {$ref: '#/components/schemas/ServerMessage'}   # delta | done
          errorMessage: error
    """,
    good="""
        x-contract-websocket:
          serverMessages: {$ref: '#/components/schemas/ServerMessage'}   # delta | done | error
          errorMessage: error
    """,
)
def check_websocket_error_message(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for op, ws in _websockets(ctx):
        names = [t.name for t in ws.server_types]
        if ws.error_message is None or not names or ws.error_message in names:
            continue
        yield rule.finding(
            ws.location.child("errorMessage"),
            f"{op.key}: errorMessage `{ws.error_message}` is not a server message type "
            f"(server messages: {', '.join(names)}); name one of them or add it to serverMessages",
        )
