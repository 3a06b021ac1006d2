"""Rules: streams (SSE, JSON Lines, json-seq).

A stream is only usable if clients can type each item, tell events apart, know when it ends,
read its errors, select it, and keep it alive. Each rule checks one of those promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from contractgen.load.document import RefError
from contractgen.location import Location, split_pointer
from contractgen.model.contract import Operation
from contractgen.model.stream import (
    DiscriminatorMapping,
    EventType,
    ItemSource,
    Stream,
    StreamFormat,
    sequential_format,
)
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import report_gaps
from contractgen.validate.registry import Rule, RuleContext, rule

ERROR_MEMBERS = ("code", "message", "retryable")
ERROR_REQUIRED = ("code", "message")
TERMINAL_HINTS = ("done", "completed", "complete", "error", "failed", "stop", "end")
MAX_LISTED = 5


@dataclass(frozen=True, slots=True)
class _Problem:
    """A problem found for one operation; `message` follows the operation names."""

    operation: Operation
    location: Location
    message: str
    related: tuple[Location, ...] = ()


def _report(
    rule: Rule, problems: Iterable[_Problem], *, level: Level | None = None
) -> Iterator[Finding]:
    """One finding per place and problem, naming every operation that shares it.

    Streams are often written once (a component) and used by several operations; the
    contract then has one problem, not one per operation. `level` lowers a milder case.
    """
    grouped: dict[tuple[str, str, str], list[_Problem]] = {}
    for problem in problems:
        key = (problem.location.file, problem.location.pointer, problem.message)
        grouped.setdefault(key, []).append(problem)
    for same in grouped.values():
        names = list(dict.fromkeys(problem.operation.key for problem in same))
        first = same[0]
        yield rule.finding(
            first.location, f"{_names(names)}: {first.message}", related=first.related, level=level
        )


def _names(items: list[str]) -> str:
    if len(items) <= 3:
        return ", ".join(items)
    return f"{', '.join(items[:2])} and {len(items) - 2} more operations"


def _listing(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f", ... ({len(items)} in all)" if len(items) > MAX_LISTED else "")


def _what(stream: Stream) -> str:
    return f"{stream.media_type} response {stream.status}"


# --- schema reading (follows `$ref` and `allOf`) -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    """A resolved schema value and where it sits."""

    value: Any
    location: Location

    def get(self, key: str) -> Any:
        return self.value.get(key) if isinstance(self.value, dict) else None


def _resolve(ctx: RuleContext, value: Any, at: Location) -> _Node | None:
    try:
        resolved = ctx.document.deref(value, at)
    except RefError:
        return None
    return _Node(resolved.value, resolved.location)


def _parts(ctx: RuleContext, node: _Node, depth: int = 0) -> Iterator[_Node]:
    """The schema and, recursively, its `allOf` members: what together gives its properties."""
    yield node
    members = node.get("allOf")
    if depth > 16 or not isinstance(members, list):
        return
    for index, member in enumerate(members):
        part = _resolve(ctx, member, node.location.child("allOf", index))
        if part is not None:
            yield from _parts(ctx, part, depth + 1)


def _property(ctx: RuleContext, node: _Node, name: str) -> tuple[_Node, Location] | None:
    """A property's resolved schema and where it is written, looking through `allOf`."""
    for part in _parts(ctx, node):
        props = part.get("properties")
        if isinstance(props, dict) and name in props:
            where = part.location.child("properties", name)
            found = _resolve(ctx, props[name], where)
            return (found, where) if found is not None else None
    return None


def _required(ctx: RuleContext, node: _Node) -> set[str]:
    names: set[str] = set()
    for part in _parts(ctx, node):
        required = part.get("required")
        if isinstance(required, list):
            names.update(item for item in required if isinstance(item, str))
    return names


def _types(node: _Node) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return {kind}
    return {item for item in kind if isinstance(item, str)} if isinstance(kind, list) else set()


def _is_json_media(media: Any) -> bool:
    if not isinstance(media, str):
        return False
    base = media.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


# --- STR001 ------------------------------------------------------------------------------


@rule(
    "STR001",
    "stream-item-schema",
    Level.ERROR,
    "A streaming response has no item schema.",
    rationale="""
        A sequential media type (text/event-stream, application/jsonl, application/x-ndjson,
        application/json-seq) is a sequence of items. Without an item schema clients,
        generated code and mocks cannot type a single event. OpenAPI 3.2 describes one item
        with `itemSchema`; for SSE that is the frame `{event, data, id, retry}`.
    """,
    bad="""
        content:
          text/event-stream: {}
    """,
    good="""
        content:
          text/event-stream:
            itemSchema:
              $ref: '#/components/schemas/ChatEvent'
    """,
)
def check_item_schema(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _report(
        rule,
        (
            _Problem(
                op,
                stream.location,
                f"{_what(stream)} has no item schema; describe one item with `itemSchema`"
                + (
                    " (the SSE frame {event, data, id, retry})"
                    if stream.format is StreamFormat.SSE
                    else ""
                ),
            )
            for op, stream in ctx.contract.streams
            if stream.item_schema is None
        ),
    )


# --- STR002 ------------------------------------------------------------------------------


@rule(
    "STR002",
    "event-union-discriminator",
    Level.ERROR,
    "An event union does not say how to tell its events apart.",
    rationale="""
        When the item is a `oneOf`/`anyOf` of event types, a client must know which branch an
        item is before it can parse it. Pin the SSE `event` field with `const` in every
        branch, or name the payload property with an OpenAPI `discriminator`; otherwise
        clients fall back to trying every branch, and one ambiguous payload breaks them.
    """,
    bad="""
        itemSchema:
          oneOf:
            - {properties: {data: {contentSchema: {$ref: '#/components/schemas/Delta'}}}}
            - {properties: {data: {contentSchema: {$ref: '#/components/schemas/Done'}}}}
    """,
    good="""
        itemSchema:
          oneOf:
            - properties:
                event: {const: delta}
                data: {contentSchema: {$ref: '#/components/schemas/Delta'}}
            - properties:
                event: {const: done}
                data: {contentSchema: {$ref: '#/components/schemas/Done'}}
    """,
)
def check_union_discriminator(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op, stream in ctx.contract.streams:
        if stream.union_location is None or stream.has_union_discriminator:
            continue
        size = _union_size(ctx, stream.union_location)
        if size > 1:
            problems.append(
                _Problem(
                    op,
                    stream.union_location,
                    f"the event union of {_what(stream)} has {size} branches and nothing that "
                    "tells them apart; pin `event` with `const` in every branch (SSE), or add a "
                    "`discriminator` with `propertyName` and a `const` for it in every branch",
                )
            )
    yield from _report(rule, problems)


def _union_size(ctx: RuleContext, union: Location) -> int:
    try:
        members = ctx.document.value_at(union)
    except (KeyError, IndexError, TypeError, ValueError):
        return 0
    return len(members) if isinstance(members, list) else 0


# --- STR003 ------------------------------------------------------------------------------


@rule(
    "STR003",
    "discriminator-mapping-outside-union",
    Level.ERROR,
    "A discriminator mapping names a schema that is not a branch of its event or message union.",
    rationale="""
        A mapping entry tells clients which schema to parse an event (or a WebSocket message)
        with. If the target is not one of the union's branches, the union and the mapping
        disagree: generated clients either reject valid events or parse them with a schema
        the union forbids. This covers SSE and JSON Lines event unions and the WebSocket
        `clientMessages` and `serverMessages` unions; a target that names no schema at all is
        an unresolved reference (OAS002).
    """,
    bad="""
        oneOf: [{$ref: '#/components/schemas/Delta'}, {$ref: '#/components/schemas/Done'}]
        discriminator:
          propertyName: type
          mapping: {delta: '#/components/schemas/Delta', error: '#/components/schemas/Error'}
    """,
    good="""
        oneOf: [{$ref: '#/components/schemas/Delta'}, {$ref: '#/components/schemas/Done'},
                {$ref: '#/components/schemas/Error'}]
        discriminator:
          propertyName: type
          mapping: {delta: '#/components/schemas/Delta', error: '#/components/schemas/Error'}
    """,
)
def check_mapping_in_union(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _report(
        rule,
        (
            _Problem(
                op,
                mapping.location,
                f"discriminator mapping {mapping.value!r} of {union} points at "
                f"{mapping.target}, which is not one of its branches; add it to the union or "
                "fix the mapping",
            )
            for op, union, mappings in _mapped_unions(ctx)
            for mapping in mappings
            if mapping.resolves and not mapping.in_union  # a dangling target is OAS002's
        ),
    )


def _mapped_unions(
    ctx: RuleContext,
) -> Iterator[tuple[Operation, str, tuple[DiscriminatorMapping, ...]]]:
    """Every event and message union with its mapping: streams, then WebSocket directions."""
    for op, stream in ctx.contract.streams:
        yield op, f"the event union of {_what(stream)}", stream.mappings
    for op in ctx.contract.operations:
        if op.websocket is not None:
            yield op, "the WebSocket `clientMessages` union", op.websocket.client_mappings
            yield op, "the WebSocket `serverMessages` union", op.websocket.server_mappings


# --- STR004 ------------------------------------------------------------------------------


@rule(
    "STR004",
    "stream-terminal-event",
    Level.ERROR,
    "A stream does not name the events that end it.",
    rationale="""
        A client cannot tell a finished stream from a dropped connection unless the contract
        says which events end it. `x-contract-stream.terminal` lists them; every stream ends
        with exactly one, and a stream that closes without one was cut off. A stream that
        ends with a sentinel (`[DONE]`, in any form) says that it ended but not how, so it
        gets a warning rather than an error. When no stream names a terminal event, the
        document gets one finding, at its root.
    """,
    bad="""
        text/event-stream:
          itemSchema: {$ref: '#/components/schemas/ChatEvent'}
    """,
    good="""
        text/event-stream:
          itemSchema: {$ref: '#/components/schemas/ChatEvent'}
          x-contract-stream:
            discriminator: event
            terminal: [done, error]
    """,
)
def check_terminal_event(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    streams = ctx.contract.streams
    ending = [(op, stream) for op, stream in streams if not stream.terminal]
    gaps = [
        *_report(
            rule,
            (_no_terminal(op, stream) for op, stream in ending if stream.sentinel is None),
        ),
        *_report(
            rule,
            (_no_terminal(op, stream) for op, stream in ending if stream.sentinel is not None),
            level=Level.WARNING,
        ),
    ]
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(stream.terminal for _, stream in streams),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no stream names a terminal event ({count} streams); list the events that end "
            "each stream in x-contract-stream `terminal`, so clients can tell a finished "
            "stream from a dropped connection"
        ),
    )


def _no_terminal(op: Operation, stream: Stream) -> _Problem:
    """A stream without terminal events; one that ends with a sentinel says at least that."""
    where = stream.extension_location or stream.location
    suggestion = _terminal_suggestion(stream)
    if stream.sentinel is None:
        return _Problem(
            op,
            where,
            f"{_what(stream)} names no terminal event; list the events that end the stream in "
            f"x-contract-stream `terminal` ({suggestion})",
        )
    return _Problem(
        op,
        where,
        f"{_what(stream)} ends with the sentinel {stream.sentinel!r} but names no terminal "
        "event; a typed terminal event in x-contract-stream `terminal` tells clients how the "
        f"stream ended (finish reason, usage, error), which a sentinel cannot ({suggestion})",
        (stream.sentinel_location,) if stream.sentinel_location else (),
    )


def _terminal_suggestion(stream: Stream) -> str:
    """Event names that look terminal, or the usual pair."""
    likely = [
        name
        for name in stream.event_names
        if stream.has_union_discriminator
        and name.rsplit(".", 1)[-1].rsplit("_", 1)[-1].lower() in TERMINAL_HINTS
    ]
    if not likely:
        return "for example terminal: [done, error]"
    depth = min(
        name.count(".") for name in likely
    )  # `response.completed`, not `response.audio.done`
    return f"candidates: {_listing(name for name in likely if name.count('.') == depth)}"


# --- STR005 ------------------------------------------------------------------------------


@rule(
    "STR005",
    "terminal-event-not-in-union",
    Level.ERROR,
    "A terminal or error event is not one of the stream's event types.",
    rationale="""
        Clients stop reading when they see a terminal event. If the name matches no event
        type, no event can ever end the stream as described, and generated clients wait
        until the connection times out.
    """,
    bad="""
        x-contract-stream:
          terminal: [finished]    # the union has `delta`, `done`, `error`
    """,
    good="""
        x-contract-stream:
          terminal: [done, error]
    """,
)
def check_terminal_in_union(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op, stream in ctx.contract.streams:
        if not stream.has_union_discriminator or not stream.events:
            continue  # the events are not known; STR002 reports that
        declared = list(zip(stream.terminal, stream.terminal_locations, strict=False))
        if stream.error_event_location and stream.error_event not in stream.terminal:
            declared.append((stream.error_event or "", stream.error_event_location))
        for name, where in declared:
            if name not in stream.event_names:
                problems.append(
                    _Problem(
                        op,
                        where,
                        f"{name!r} is not an event type of {_what(stream)} "
                        f"(its events: {_listing(stream.event_names)}); use one of them or add "
                        "the event",
                    )
                )
    yield from _report(rule, problems)


# --- STR006 ------------------------------------------------------------------------------


@rule(
    "STR006",
    "error-event-payload",
    Level.ERROR,
    "The error event is not terminal or its payload lacks `code`, `message`, `retryable`.",
    rationale="""
        After a stream has started, errors can only arrive as an event. The `errorEvent`
        carries the same codes as the pre-stream problem responses, `{code, message,
        retryable}`, so clients handle both with one code path; and it ends the stream, so it
        must be listed in `terminal`. A payload that lacks a member is reported where the fix
        goes, the payload schema (its `properties`, or its `required` when only requiredness
        is missing), with the stream as a related location.
    """,
    bad="""
        x-contract-stream: {terminal: [done], errorEvent: error}
        # error data: {type: object, properties: {detail: {type: string}}}
    """,
    good="""
        x-contract-stream: {terminal: [done, error], errorEvent: error}
        # error data: {type: object, required: [code, message, retryable],
        #              properties: {code: {type: string}, message: {type: string},
        #                           retryable: {type: boolean}}}
    """,
)
def check_error_event(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op, stream in ctx.contract.streams:
        name, where = stream.error_event, stream.error_event_location
        if name is None or where is None:
            continue
        if name not in stream.terminal:
            problems.append(
                _Problem(
                    op,
                    where,
                    f"errorEvent {name!r} of {_what(stream)} is not listed in `terminal`; the "
                    f"error event ends the stream: add {name!r} to terminal",
                )
            )
        event = stream.event(name)
        found = _error_payload_problem(ctx, event) if event is not None else None
        if found is not None:
            at, message = found
            problems.append(_Problem(op, at, message, (stream.location, where)))
    yield from _report(rule, problems)


def _error_payload_problem(ctx: RuleContext, event: EventType) -> tuple[Location, str] | None:
    """What the error event's payload lacks, and where the fix goes.

    The payload schema itself (where a `$ref` leads): its `properties` when a member is
    missing, its `required` when only requiredness is; the event branch when there is no
    JSON payload at all.
    """
    fix = (
        "the error event carries {code, message, retryable} from the error catalogue, "
        "with code and message required"
    )
    payload = event.payload
    if payload is None:
        return event.location, f"error event {event.name!r} has no JSON payload schema; {fix}"
    node = _Node(payload.value, payload.value_location)
    props = {prop for part in _parts(ctx, node) for prop in _dict_keys(part.get("properties"))}
    required = _required(ctx, node)
    missing = [member for member in ERROR_MEMBERS if member not in props]
    optional = [member for member in ERROR_REQUIRED if member in props and member not in required]
    if not missing and not optional:
        return None
    keyword = "properties" if missing else "required"
    at = payload.value_location
    if payload.get(keyword) is not None:
        at = at.child(keyword)
    lacking = [f"property {m}" for m in missing] + [f"required {m}" for m in optional]
    return at, f"the payload of error event {event.name!r} lacks {', '.join(lacking)}; {fix}"


def _dict_keys(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else []


# --- STR007 ------------------------------------------------------------------------------


@rule(
    "STR007",
    "sentinel-non-sse",
    Level.ERROR,
    "A sentinel is declared on a stream that is not SSE.",
    rationale="""
        A sentinel (such as `[DONE]`) is a raw SSE `data:` line sent after the terminal
        event. JSON Lines and JSON text sequences have no place for a line that is not an
        item: a client would try to parse it as JSON and fail. End those streams with a
        terminal event instead.
    """,
    bad="""
        application/jsonl:
          x-contract-stream: {terminal: [done], sentinel: "[DONE]"}
    """,
    good="""
        application/jsonl:
          x-contract-stream: {terminal: [done]}
    """,
)
def check_sentinel_sse_only(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _report(
        rule,
        (
            _Problem(
                op,
                stream.sentinel_location,
                f"sentinel {stream.sentinel!r} on {_what(stream)}: only SSE streams can carry a "
                "raw sentinel line; remove it and end the stream with a terminal event",
            )
            for op, stream in ctx.contract.streams
            if stream.sentinel is not None
            and stream.sentinel_location is not None
            and stream.format is not StreamFormat.SSE
        ),
    )


# --- STR008 ------------------------------------------------------------------------------

PAYLOAD_AS_FRAME = (
    "`itemSchema` describes the JSON payload, but for SSE it describes the frame "
    "{event, data, id, retry}; move the payload into data: {type: string, "
    "contentMediaType: application/json, contentSchema: ...}"
)
INLINE_JSON = (
    "`data` is written as the JSON payload itself (inline JSON); in OpenAPI 3.2 `data` is a "
    "string: use type: string, contentMediaType: application/json and put the payload "
    "schema in contentSchema"
)


@rule(
    "STR008",
    "sse-data-content-schema",
    Level.WARNING,
    "SSE `data` carrying JSON is not typed as a string with contentMediaType and contentSchema.",
    rationale="""
        On the wire SSE `data` is text. OpenAPI 3.2 types JSON carried in it as
        `type: string` with `contentMediaType: application/json` and the payload in
        `contentSchema`. Writing the payload as the schema of `data` itself (the inline
        JSON form many specs use) says `data` is an object, which it never is; a
        contentMediaType without contentSchema (or the reverse) leaves the payload untyped.
    """,
    bad="""
        properties:
          event: {const: delta}
          data: {$ref: '#/components/schemas/Delta'}
    """,
    good="""
        properties:
          event: {const: delta}
          data:
            type: string
            contentMediaType: application/json
            contentSchema: {$ref: '#/components/schemas/Delta'}
    """,
)
def check_sse_data(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op, stream in ctx.contract.streams:
        if stream.format is not StreamFormat.SSE or stream.item_schema is None:
            continue
        item = _Node(stream.item_schema.value, stream.item_schema.value_location)
        if not _frames(ctx, item):
            if stream.item_source is ItemSource.ITEM_SCHEMA and _is_json_schema(item):
                message = f"{_what(stream)}: {PAYLOAD_AS_FRAME}"
                problems.append(_Problem(op, stream.item_schema.location, message))
            continue
        for label, location, message in _frame_data_problems(ctx, item):
            problems.append(_Problem(op, location, f"{_what(stream)}{label}: {message}"))
    yield from _report(rule, problems)


def _frames(ctx: RuleContext, item: _Node) -> list[_Node]:
    """The SSE frames an item describes: its union branches, or the item itself."""
    for keyword in ("oneOf", "anyOf"):
        members = item.get(keyword)
        if isinstance(members, list):
            branches = [
                _resolve(ctx, m, item.location.child(keyword, i)) for i, m in enumerate(members)
            ]
            frames = [b for b in branches if b is not None]
            if frames and all(_is_frame(ctx, frame) for frame in frames):
                return frames
    return [item] if _is_frame(ctx, item) else []


def _is_frame(ctx: RuleContext, node: _Node) -> bool:
    return any(_property(ctx, node, name) is not None for name in ("data", "event"))


def _frame_data_problems(ctx: RuleContext, item: _Node) -> Iterator[tuple[str, Location, str]]:
    """(label, where, problem) for each frame whose `data` is typed wrongly; one per schema."""
    shared = _property(ctx, item, "data")
    seen: set[str] = set()
    for frame in _frames(ctx, item):
        own = _property(ctx, frame, "data") if frame is not item else None
        found = own or shared
        if found is None:
            continue
        data, where = found
        base = shared[0] if own and shared else None
        problem = _data_problem(data, base)
        if problem is None or where.pointer in seen:
            continue
        seen.add(where.pointer)
        yield (
            f", event {name!r}" if own and (name := _pinned_event(ctx, frame)) else "",
            where,
            problem,
        )


def _pinned_event(ctx: RuleContext, frame: _Node) -> str | None:
    found = _property(ctx, frame, "event")
    value = found[0].get("const") if found else None
    return value if isinstance(value, str) else None


def _data_problem(data: _Node, base: _Node | None) -> str | None:
    """What is wrong with one `data` schema; `base` is the frame-level `data` it refines."""

    def pick(key: str) -> Any:
        value = data.get(key)
        return value if value is not None or base is None else base.get(key)

    media, content = pick("contentMediaType"), pick("contentSchema")
    types = _types(data) or (_types(base) if base else set())
    if media is None and content is None:
        return INLINE_JSON if _is_json_schema(data) else None
    if _is_json_media(media) and content is None:
        return (
            f"`data` has contentMediaType {media} but no contentSchema; add the payload schema "
            "as contentSchema"
        )
    if content is not None and not _is_json_media(media):
        shown = media if media is not None else "none"
        return (
            f"`data` has a contentSchema but contentMediaType is {shown}; set "
            "contentMediaType: application/json"
        )
    if "string" not in types:
        return "`data` has contentMediaType and contentSchema but no type: string; add it"
    return None


def _is_json_schema(node: _Node) -> bool:
    """Whether a schema describes structured JSON: an object or array, by type or by shape."""
    types = _types(node)
    if types:
        return bool(types & {"object", "array"})
    return any(
        node.get(key) is not None
        for key in ("properties", "oneOf", "anyOf", "allOf", "items", "$ref")
    )


# --- STR009 ------------------------------------------------------------------------------


@rule(
    "STR009",
    "stream-flag-pointer",
    Level.ERROR,
    "The stream flag does not point at a boolean property of the JSON request body.",
    rationale="""
        `streamFlag` says which request property selects the streaming response (`stream:
        true`). Generated clients set it and servers branch on it; a pointer into nothing,
        or at a property that is not a boolean, leaves both guessing which response comes.
    """,
    bad="""
        requestBody: {content: {application/json: {schema: {properties: {stream: {type: string}}}}}}
        # x-contract-stream: {streamFlag: /stream}
    """,
    good="""
        requestBody:
          content: {application/json: {schema: {properties: {stream: {type: boolean}}}}}
        # x-contract-stream: {streamFlag: /stream}
    """,
)
def check_stream_flag(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op, stream in ctx.contract.streams:
        if stream.stream_flag is None:
            continue
        problem = _flag_problem(ctx, op, stream.stream_flag)
        if problem is not None:
            problems.append(_Problem(op, stream.stream_flag_location or stream.location, problem))
    yield from _report(rule, problems)


def _flag_problem(ctx: RuleContext, op: Operation, flag: str) -> str | None:
    if not flag.startswith("/"):
        return f"streamFlag {flag!r} is not a JSON Pointer; write it as '/{flag}'"
    if op.request_body is None:
        return (
            f"streamFlag {flag!r} names a request property, but the operation has no request body"
        )
    body = op.request_body.json_schema()
    if body is None:
        return (
            f"streamFlag {flag!r} names a request property, but the request body has no JSON schema"
        )
    node = _Node(body.value, body.value_location)
    for token in split_pointer(flag):
        found = _property(ctx, node, token)
        if found is None:
            return (
                f"streamFlag {flag!r} does not resolve: the request body has no property "
                f"{token!r} there"
            )
        node = found[0]
    if "boolean" not in _types(node):
        kind = "/".join(sorted(_types(node))) or "untyped"
        return f"streamFlag {flag!r} points at a {kind} property; a stream flag is type: boolean"
    return None


# --- STR010 ------------------------------------------------------------------------------


@rule(
    "STR010",
    "heartbeat-below-idle-timeout",
    Level.ERROR,
    "The heartbeat interval is not below the stream's idle timeout.",
    rationale="""
        Heartbeats keep a quiet stream from being cut by the idle timeout (at the API edge,
        or in proxies). If they are not sent more often than the timeout, a stream that
        waits on a slow model is closed before the next keep-alive arrives.
    """,
    bad="""
        x-contract-limits: {stream: {idleTimeoutSeconds: 15}}
        # x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 30}}
    """,
    good="""
        x-contract-limits: {stream: {idleTimeoutSeconds: 30}}
        # x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 15}}
    """,
)
def check_heartbeat_interval(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    problems = []
    for op in ctx.contract.operations:
        idle = op.limits.stream_idle_timeout_seconds
        if not op.is_streaming or idle is None:
            continue
        idle_at = op.limits.source("stream.idleTimeoutSeconds")
        related = (idle_at,) if idle_at else ()
        for name, seconds, where in _heartbeats(op):
            if seconds >= idle:
                message = (
                    f"{name} {seconds} is not below stream.idleTimeoutSeconds {idle}: an idle "
                    "stream is cut before the keep-alive arrives; send heartbeats more often "
                    f"(for example every {max(1, idle // 2)} seconds)"
                )
                problems.append(_Problem(op, where, message, related))
    yield from _report(rule, problems)


def _heartbeats(op: Operation) -> Iterator[tuple[str, int, Location]]:
    """Every heartbeat interval declared for an operation's streams, and where it is declared."""
    for stream in op.streams:
        seconds = stream.heartbeat.interval_seconds if stream.heartbeat else None
        if seconds is not None and stream.heartbeat_location is not None:
            yield "heartbeat.intervalSeconds", seconds, stream.heartbeat_location
    seconds, where = op.limits.stream_heartbeat_seconds, op.limits.source("stream.heartbeatSeconds")
    if seconds is not None and where is not None:
        yield "stream.heartbeatSeconds", seconds, where


# --- STR011 ------------------------------------------------------------------------------

STREAM_LIMITS = ("maxDurationSeconds", "idleTimeoutSeconds")


@rule(
    "STR011",
    "stream-limits",
    Level.ERROR,
    "A streaming operation has no maximum duration or idle timeout.",
    rationale="""
        An open stream holds a connection, a worker and often a model slot. Without a
        maximum duration and an idle timeout, one stuck client or generation holds them
        forever, and clients cannot tell a slow stream from a dead one. Set them in
        `x-contract-limits.stream` on the document (defaults), a path item or the operation.
        When no streaming operation has both, the document gets one finding, at its root.
    """,
    bad="""
        x-contract-limits: {stream: {maxConcurrentPerKey: 16}}
    """,
    good="""
        x-contract-limits: {stream: {maxDurationSeconds: 600, idleTimeoutSeconds: 30}}
    """,
)
def check_stream_limits(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    streaming = [op for op in ctx.contract.operations if op.is_streaming]
    gaps = _report(
        rule,
        (
            _Problem(
                op,
                op.location,
                f"the operation streams but has no effective "
                f"{' or '.join(f'stream.{limit}' for limit in missing)}; set x-contract-limits: "
                f"{{stream: {{{', '.join(f'{limit}: ...' for limit in missing)}}}}} on the "
                "operation, its path item or the document (defaults)",
            )
            for op in streaming
            if (missing := _missing_stream_limits(op))
        ),
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(not _missing_stream_limits(op) for op in streaming),
        at=ctx.contract.location,
        summary=lambda count: (
            f"no streaming operation has both stream limits ({count} operations); set a default "
            "here: x-contract-limits: {stream: {maxDurationSeconds: ..., idleTimeoutSeconds: ...}}"
        ),
    )


def _missing_stream_limits(op: Operation) -> list[str]:
    return [limit for limit in STREAM_LIMITS if not op.limits.has(f"stream.{limit}")]


# --- STR012 ------------------------------------------------------------------------------

STREAM_FLAG_NAMES = ("stream", "streaming")
STREAMING_WORDS = re.compile(r"server[- ]sent events|\bSSE\b|event[- ]stream", re.IGNORECASE)


@rule(
    "STR012",
    "stream-flag-without-stream",
    Level.WARNING,
    "A request body has a boolean stream flag, but the operation documents no streaming response.",
    rationale="""
        A boolean `stream` property in the request body (or one described as selecting
        server-sent events) says the operation can answer with a stream. If no success
        response lists a streaming media type, clients and generated code never learn what
        the stream carries or how it ends. Document it beside the non-streaming response,
        and tie it to the flag with `x-contract-stream.streamFlag`.
    """,
    bad="""
        requestBody:
          content:
            application/json:
              schema: {properties: {stream: {type: boolean}}}
        responses:
          '200': {content: {application/json: {schema: {$ref: '#/components/schemas/Chat'}}}}
    """,
    good="""
        responses:
          '200':
            content:
              application/json: {schema: {$ref: '#/components/schemas/Chat'}}
              text/event-stream:
                itemSchema: {$ref: '#/components/schemas/ChatEvent'}
                x-contract-stream: {streamFlag: /stream, terminal: [done]}
    """,
)
def check_stream_flag_without_stream(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    flagged = [(op, flag) for op in ctx.contract.operations if (flag := _stream_flag(ctx, op))]
    gaps = (
        rule.finding(
            where,
            f"{op.key}: the request property `{name}` is a boolean stream flag, but the "
            "operation documents no streaming response; add it to the success response (a "
            f"`text/event-stream` or JSON Lines media type with `x-contract-stream.streamFlag: "
            f"/{name}`)",
        )
        for op, (name, where) in flagged
        if not op.is_streaming
    )
    yield from report_gaps(
        rule,
        gaps,
        adopted=any(op.is_streaming for op, _ in flagged),
        at=ctx.contract.location,
        summary=lambda count: (
            f"{count} operations take a boolean stream flag in their request body, and none "
            "documents its streaming response; add each stream to its success response, with "
            "`x-contract-stream.streamFlag`"
        ),
    )


def _stream_flag(ctx: RuleContext, op: Operation) -> tuple[str, Location] | None:
    """A top-level boolean request property that selects a stream, and where it is written."""
    body = op.request_body.json_schema() if op.request_body else None
    if body is None:
        return None
    node = _Node(body.value, body.value_location)
    names = {name for part in _parts(ctx, node) for name in _dict_keys(part.get("properties"))}
    for name in sorted(names):
        found = _property(ctx, node, name)
        if found is None or not _is_boolean(ctx, found[0]) or _is_fixed(ctx, node, name):
            continue
        description = found[0].get("description")
        says_streaming = isinstance(description, str) and STREAMING_WORDS.search(description)
        if name.lower() in STREAM_FLAG_NAMES or says_streaming:
            return name, found[1]
    return None


def _is_fixed(ctx: RuleContext, node: _Node, name: str) -> bool:
    """Whether some part of the schema pins the property to one value (`enum: [false]`).

    Specs that split the streaming and the plain variant of an operation (Speakeasy's
    `/path#stream`) pin the flag in each; a pinned flag selects nothing.
    """
    for part in _parts(ctx, node):
        props = part.get("properties")
        if not isinstance(props, dict) or name not in props:
            continue
        declared = _resolve(ctx, props[name], part.location.child("properties", name))
        enum = declared.get("enum") if declared else None
        if declared and ("const" in declared.value or (isinstance(enum, list) and len(enum) == 1)):
            return True
    return False


def _is_boolean(ctx: RuleContext, node: _Node) -> bool:
    """A boolean schema, also when nullable (`anyOf: [{type: boolean}, {type: 'null'}]`)."""
    if "boolean" in _types(node):
        return True
    for keyword in ("anyOf", "oneOf"):
        members = node.get(keyword)
        for index, member in enumerate(members if isinstance(members, list) else []):
            resolved = _resolve(ctx, member, node.location.child(keyword, index))
            if resolved is not None and "boolean" in _types(resolved):
                return True
    return False


# --- STR013 ------------------------------------------------------------------------------


@rule(
    "STR013",
    "error-response-stream",
    Level.INFO,
    "An error response lists a streaming media type.",
    rationale="""
        Stream rules apply to success (2xx) responses. An error response (4xx, 5xx,
        `default`) is one body sent before any stream starts, so contractgen does not check a
        `text/event-stream` listed there as a stream. Describe error bodies as
        `application/problem+json` (RFC 9457); errors after a stream has started travel in
        it, as its error event. Said once per document.
    """,
    bad="""
        responses:
          '429':
            description: Rate limited
            content:
              text/event-stream: {schema: {type: string}}
    """,
    good="""
        responses:
          '429':
            description: Rate limited
            content:
              application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
    """,
)
def check_error_response_stream(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    listed: dict[Location, Finding] = {}
    for op in ctx.contract.operations:
        for response in op.responses.values():
            if not response.is_error:
                continue
            for media in response.content.values():
                if sequential_format(media.media_type) is not None:
                    listed.setdefault(
                        media.location,
                        rule.finding(
                            media.location,
                            f"the {response.status} error response of {op.key} lists "
                            f"{media.media_type}; an error is one body, not a stream: describe "
                            "it as application/problem+json",
                        ),
                    )
    yield from report_gaps(
        rule,
        listed.values(),
        adopted=False,
        at=ctx.contract.location,
        summary=lambda count: (
            f"{count} error responses list a streaming media type; an error is one body, not a "
            "stream: describe error bodies as application/problem+json"
        ),
    )
