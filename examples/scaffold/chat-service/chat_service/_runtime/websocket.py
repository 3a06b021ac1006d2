# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""A WebSocket endpoint that keeps its contract in both directions.

The service's handler reads typed client messages and yields server messages; everything
the contract says about the connection is kept here: the subprotocol, message size and
rate limits, validation of every message each way, the connection's time limits, the
close codes, and errors, which travel as the contract's error message (a catalogue code and
a generic text, never an exception's). A reader task and a writer task run side by side;
whichever ends the connection cancels the other, and the handler's iterator is closed (its
`finally` runs) as soon as the client goes away.

Choices the contract leaves open, decided here:
- An error message is `{<discriminator>: <errorMessage>, **error fields}`, or, when the
  server union wants the fields nested (`{"type": "error", "error": {...}}`), that form:
  whichever validates against the server union. It echoes the correlation field of the
  client message it answers.
- Over `maxMessagesPerSecond` the message is dropped and answered with an error message
  (or the connection closed with `policy_violation` when there is no error message type).
- The connection's maximum duration and idle timeout close it with `going_away` (1001).
- A server message that fails the server union, or is larger than the outbound limit, is
  a service bug: it is logged and the connection closed with `internal_error` (1011).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json, to_jsonable_python
from starlette.websockets import WebSocket, WebSocketState

from .context import ContractError, RequestContext
from .problems import error_event_fields, problem_response
from .spec import ErrorCatalogue, ErrorCode, WebSocketSpec
from .streaming import aclose_quietly, top_field

log = logging.getLogger("contractgen.service")

Handler = Callable[[AsyncIterator[Any], RequestContext], AsyncIterator[Any]]
GENERIC_MESSAGE = "The connection failed on the server; the request id identifies it in the logs."
NORMAL, GOING_AWAY, PROTOCOL_ERROR, INVALID_DATA = 1000, 1001, 1002, 1007
POLICY_VIOLATION, TOO_BIG, INTERNAL_ERROR = 1008, 1009, 1011


async def serve_websocket(
    websocket: WebSocket,
    handler: Handler,
    *,
    spec: WebSocketSpec,
    client_messages: TypeAdapter[Any],
    server_messages: TypeAdapter[Any],
    catalogue: ErrorCatalogue,
    context: RequestContext,
) -> None:
    """Accept, run `handler` over the client's messages, close with the declared code.

    A handler that raises a ContractError when called (the generated service does, until
    the operation is implemented) refuses the handshake with that code's problem.
    """
    offered = list(websocket.scope.get("subprotocols") or [])
    subprotocol = next((name for name in offered if name in spec.subprotocols), None)
    if spec.subprotocols and offered and subprotocol is None:
        await websocket.close(spec.close_code("protocol_error", PROTOCOL_ERROR))
        return
    inbound_send, inbound = anyio.create_memory_object_stream[Any](16)
    try:
        replies = handler(_messages(inbound), context)
    except ContractError as error:
        await _deny(websocket, catalogue, error)
        return
    await websocket.accept(subprotocol=subprotocol)
    connection = _Connection(
        websocket, spec, client_messages, server_messages, catalogue, context, replies
    )
    async with inbound_send:
        await connection.run(inbound_send)


async def _messages(inbound: MemoryObjectReceiveStream[Any]) -> AsyncIterator[Any]:
    async with inbound:
        async for message in inbound:
            yield message


async def _deny(websocket: WebSocket, catalogue: ErrorCatalogue, error: ContractError) -> None:
    entry = catalogue.get(error.code) or catalogue.for_status(
        501 if error.code == "not_implemented" else 500
    )
    response = problem_response(catalogue, entry, detail=error.detail)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(response)
    else:
        await websocket.close(POLICY_VIOLATION)


class _Connection:
    """One accepted connection: a reader and a writer until either ends it."""

    def __init__(
        self,
        websocket: WebSocket,
        spec: WebSocketSpec,
        client_messages: TypeAdapter[Any],
        server_messages: TypeAdapter[Any],
        catalogue: ErrorCatalogue,
        context: RequestContext,
        replies: AsyncIterator[Any],
    ) -> None:
        self.websocket = websocket
        self.spec = spec
        self.client_messages = client_messages
        self.server_messages = server_messages
        self.catalogue = catalogue
        self.context = context
        self.replies = replies
        self.close_code: int | None = None
        self.disconnected = False
        self.last_activity = time.monotonic()
        self._sending = anyio.Lock()
        self._field = top_field(spec.discriminator) if spec.discriminator else "type"

    async def run(self, inbound: Any) -> None:
        try:
            with anyio.move_on_after(self.spec.max_connection_seconds):
                async with anyio.create_task_group() as group:
                    group.start_soon(self._read, inbound, group.cancel_scope)
                    group.start_soon(self._write, group.cancel_scope)
                    if self.spec.idle_timeout_seconds:
                        group.start_soon(self._watch_idle, group.cancel_scope)
            if self.close_code is None and not self.disconnected:
                self.close_code = self.spec.close_code("going_away", GOING_AWAY)
        finally:
            await aclose_quietly(self.replies)
            if not self.disconnected and self.websocket.client_state == WebSocketState.CONNECTED:
                with anyio.CancelScope(shield=True):
                    with contextlib.suppress(RuntimeError):  # the client closed first
                        await self.websocket.close(self.close_code or NORMAL)

    def _end(self, code: int, scope: anyio.CancelScope) -> None:
        if self.close_code is None:
            self.close_code = code
        scope.cancel()

    # --- client to service ----------------------------------------------------------------

    async def _read(self, inbound: Any, scope: anyio.CancelScope) -> None:
        recent: deque[float] = deque()
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                self.disconnected = True
                scope.cancel()
                return
            raw = message.get("text")
            data: str | bytes = raw if raw is not None else message.get("bytes") or b""
            size = len(data.encode()) if isinstance(data, str) else len(data)
            now = time.monotonic()
            self.last_activity = now
            limit = self.spec.max_inbound_bytes
            if limit is not None and size > limit:
                log.info("client message of %d bytes over the limit", size, extra=self._extra())
                self._end(self.spec.close_code("message_too_big", TOO_BIG), scope)
                return
            rate = self.spec.max_messages_per_second
            if rate is not None:
                while recent and now - recent[0] >= 1.0:
                    recent.popleft()
                if len(recent) >= rate:
                    if not await self._refuse_rate(data, scope):
                        return
                    continue
                recent.append(now)
            try:
                parsed = self.client_messages.validate_json(data)
            except ValidationError as error:
                if not await self._refuse_invalid(data, error, scope):
                    return
                continue
            await inbound.send(parsed)

    async def _refuse_rate(self, data: str | bytes, scope: anyio.CancelScope) -> bool:
        """Answer a message over the rate; False when the connection must close instead."""
        if self.spec.error_message is None:
            self._end(self.spec.close_code("policy_violation", POLICY_VIOLATION), scope)
            return False
        entry = self.catalogue.for_limit("websocket.maxMessagesPerSecond", 429)
        text = f"More than {self.spec.max_messages_per_second} messages in a second."
        await self._send_error(entry, text, _loads(data))
        return True

    async def _refuse_invalid(
        self, data: str | bytes, error: ValidationError, scope: anyio.CancelScope
    ) -> bool:
        if self.spec.error_message is None:
            self._end(self.spec.close_code("invalid_data", INVALID_DATA), scope)
            return False
        details = error.errors()
        where = "/".join(str(part) for part in details[0]["loc"]) if details else ""
        reason = details[0]["msg"] if details else "invalid"
        text = f"The message does not match the contract at /{where}: {reason}"
        await self._send_error(self.catalogue.for_status(400), text, _loads(data))
        return True

    async def _watch_idle(self, scope: anyio.CancelScope) -> None:
        idle = self.spec.idle_timeout_seconds
        assert idle is not None
        while True:
            remaining = self.last_activity + idle - time.monotonic()
            if remaining <= 0:
                log.info("connection idle for %g seconds", idle, extra=self._extra())
                self._end(self.spec.close_code("going_away", GOING_AWAY), scope)
                return
            await anyio.sleep(remaining)

    # --- service to client ----------------------------------------------------------------

    async def _write(self, scope: anyio.CancelScope) -> None:
        try:
            async for item in self.replies:
                text = self._encode(item)
                if text is None:
                    self._end(self.spec.close_code("internal_error", INTERNAL_ERROR), scope)
                    return
                self.last_activity = time.monotonic()
                async with self._sending:
                    await self.websocket.send_text(text)
        except ContractError as error:
            entry = self.catalogue.get(error.code) or self.catalogue.for_status(500)
            log.warning("connection ended with %s", entry.code, extra=self._extra())
            await self._send_error(entry, error.detail or entry.title or entry.code, None)
            code = "internal_error" if entry.status >= 500 else "policy_violation"
            default = INTERNAL_ERROR if entry.status >= 500 else POLICY_VIOLATION
            self._end(self.spec.close_code(code, default), scope)
            return
        except Exception as error:
            log.error("websocket handler failed", exc_info=error, extra=self._extra())
            await self._send_error(self.catalogue.for_status(500), GENERIC_MESSAGE, None)
            self._end(self.spec.close_code("internal_error", INTERNAL_ERROR), scope)
            return
        self._end(self.spec.close_code("normal", NORMAL), scope)

    def _encode(self, item: Any) -> str | None:
        """The message as JSON text, or None (logged) when it breaks the contract."""
        value = to_jsonable_python(item, by_alias=True, exclude_none=True)
        try:
            self.server_messages.validate_python(value)
        except ValidationError as error:
            log.error("server message breaks the contract: %s", error, extra=self._extra())
            return None
        text = to_json(value).decode()
        limit = self.spec.max_outbound_bytes
        if limit is not None and len(text.encode()) > limit:
            log.error("server message of %d bytes over the limit", len(text), extra=self._extra())
            return None
        return text

    async def _send_error(self, entry: ErrorCode, text: str, answering: Any) -> None:
        if self.spec.error_message is None or self.disconnected:
            return
        fields = error_event_fields(self.catalogue, entry, message=text)
        message = self._error_message(fields, answering)
        try:
            async with self._sending:
                await self.websocket.send_text(json.dumps(message))
        except (RuntimeError, OSError):
            self.disconnected = True

    def _error_message(self, fields: dict[str, Any], answering: Any) -> dict[str, Any]:
        head: dict[str, Any] = {self._field: self.spec.error_message}
        correlation = top_field(self.spec.correlation) if self.spec.correlation else None
        if correlation and isinstance(answering, dict) and correlation in answering:
            head[correlation] = answering[correlation]
        candidates = [{**head, **fields}, {**head, "error": fields}]
        for candidate in candidates:
            try:
                self.server_messages.validate_python(candidate)
            except ValidationError:
                continue
            return candidate
        return candidates[0]

    def _extra(self) -> dict[str, str]:
        return {"request_id": self.context.request_id, "operation_id": self.context.operation_id}


def _loads(data: str | bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None
