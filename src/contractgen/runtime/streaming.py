# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""A service's async iterator turned into the stream its contract declares.

The service only yields events. Everything the contract promises about the wire is kept
here, so no implementation can forget it: the framing (SSE, JSON Lines, json-seq), heartbeats
while the service is quiet, exactly one terminal event followed by the sentinel, the time
limits, resumable ids, and errors after the status line has gone out, which can only travel
as the stream's error event (with a catalogue code, never an exception's text).

The first item is fetched before any byte is sent, so a service that fails straight away
still gets a proper HTTP error (the problem handlers answer for it); a client that leaves
while it waits (a model still thinking) closes the service at once. After that the response
runs one task group per stream: a producer reading the service's iterator, a watcher for the
client's disconnect, and the writer, which owns every timer. The writer never cancels a
pending read of the service (that would kill an async generator mid-event); it waits on a
channel instead, and a disconnect or a finished stream cancels the producer, whose `finally`
closes the service's iterator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json, to_jsonable_python
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from .context import ContractError, RequestContext
from .problems import error_event_fields
from .spec import ErrorCatalogue, ErrorCode, OperationSpec, StreamSpec
from .telemetry import Telemetry

log = logging.getLogger("contractgen.service")

GENERIC_MESSAGE = "The stream failed on the server; the request id identifies it in the logs."
INCOMPLETE_MESSAGE = "The stream ended without a terminal event."
DEFAULT_ERROR_EVENT = "error"
"""The error event's type when the contract names none (the stream still has to end)."""
JSON_SEQ_RS = b"\x1e"
CLIENT_CLOSED_REQUEST = 499
"""The status logged for a request whose client left before any byte (nginx's convention)."""
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""Keep proxies from caching or buffering the stream (nginx honours X-Accel-Buffering)."""


class Event(BaseModel):
    """The base of SSE events whose type travels in the SSE `event` field.

    Subclasses add `event: Literal["delta"] = "delta"` and `data: <payload model>`; the
    payload is the frame's `data`, `id` and `retry` its SSE fields. Anything else a service
    yields is a payload itself (a JSON Lines item, or an SSE event typed inside its data).
    """

    id: str | None = None
    retry: int | None = None


async def respond(
    result: Any,
    *,
    operation: OperationSpec,
    catalogue: ErrorCatalogue,
    context: RequestContext,
    telemetry: Telemetry | None = None,
    status_code: int = 200,
    receive: Receive | None = None,
) -> Response:
    """What a route returns for whatever its service method returned.

    A model, list or dict is JSON (aliases, no nulls); an async iterator is the operation's
    stream; None is 204; a Response is passed through, for a service that needs full control.
    `receive` (the request's) lets a stream notice a client that leaves before its first event.
    """
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204)
    if isinstance(result, AsyncIterator):
        if operation.stream is None:
            raise TypeError(
                f"{operation.operation_id} returned a stream, but its contract declares none"
            )
        return await stream_response(
            result,
            spec=operation.stream,
            catalogue=catalogue,
            context=context,
            telemetry=telemetry,
            receive=receive,
        )
    body = to_jsonable_python(result, by_alias=True, exclude_none=True)
    return JSONResponse(body, status_code=status_code)


async def stream_response(
    events: AsyncIterator[Any],
    *,
    spec: StreamSpec,
    catalogue: ErrorCatalogue,
    context: RequestContext,
    telemetry: Telemetry | None = None,
    receive: Receive | None = None,
) -> Response:
    """The response streaming `events` as `spec` declares; the first item is read here.

    Raises what the service raises before its first item (or a ContractError with the
    stream's time-limit code when it stays silent too long), so the caller's problem
    handlers answer with a status line that still means something. With `receive`, a client
    that leaves while the service prepares its first item closes the service at once.
    """
    started = time.monotonic()
    framing = _Framing(spec, context)
    first = await _prefetch(events, spec, catalogue, receive)
    if first is _LEFT:
        log.info("the client left before the first event", extra=_log_extra(context))
        if telemetry is not None:
            seconds = time.monotonic() - started
            telemetry.record_stream_duration(context.operation_id, seconds, "disconnected")
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    pump = _Pump(
        events,
        first,
        framing=framing,
        spec=spec,
        catalogue=catalogue,
        context=context,
        telemetry=telemetry,
        started=started,
    )
    if spec.format == "sse":
        return _EventStream(pump)
    return _LineStream(pump, media_type=spec.media_type)


# --- the first item ----------------------------------------------------------------------


class _End:
    """The service's iterator ended (a marker, never sent)."""


_END = _End()
_LEFT = object()
"""The client went away before the first item (a marker, never sent)."""
_NOTHING = object()


async def _prefetch(
    events: AsyncIterator[Any],
    spec: StreamSpec,
    catalogue: ErrorCatalogue,
    receive: Receive | None,
) -> Any:
    """The first item, bounded by the stream's time limits and by the client staying.

    The read is cancelled when the time runs out or the client leaves: nothing is lost, as
    the stream ends either way, and the service's `finally` runs at once.
    """
    limit, entry, message = _first_item_limit(spec, catalogue)
    left = anyio.Event()
    first: Any = _NOTHING
    failure: Exception | None = None
    try:
        with anyio.move_on_after(limit) as scope:
            async with anyio.create_task_group() as group:
                if receive is not None:
                    group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope, left)
                try:  # caught inside: the task group would wrap it in an exception group
                    first = await events.__anext__()
                except StopAsyncIteration:
                    first = _END
                except Exception as error:
                    failure = error
                finally:
                    group.cancel_scope.cancel()
    except BaseException:  # cancelled from outside (a server shutting down)
        await aclose_quietly(events)
        raise
    if failure is not None:
        await aclose_quietly(events)
        raise failure
    if first is not _NOTHING:
        return first
    # Nothing came: the time ran out or the client left.
    await aclose_quietly(events)
    if left.is_set():
        return _LEFT
    assert entry is not None and scope.cancelled_caught
    raise ContractError(entry.code, message)


async def _cancel_on_disconnect(
    receive: Receive, scope: anyio.CancelScope, left: anyio.Event
) -> None:
    """Wait for `http.disconnect` (the body was read already), then cancel the first read."""
    while (await receive())["type"] != "http.disconnect":
        pass
    left.set()
    scope.cancel()


def _first_item_limit(
    spec: StreamSpec, catalogue: ErrorCatalogue
) -> tuple[float | None, ErrorCode | None, str]:
    """The tighter of the idle timeout and the maximum duration, with the code it reports."""
    idle, duration = spec.idle_timeout_seconds, spec.max_duration_seconds
    if idle is not None and (duration is None or idle <= duration):
        return idle, catalogue.for_limit("stream.idleTimeoutSeconds", 504), _idle_message(idle)
    if duration is not None:
        entry = catalogue.for_limit("stream.maxDurationSeconds", 504)
        return duration, entry, _duration_message(duration)
    return None, None, ""


def _log_extra(context: RequestContext) -> dict[str, str]:
    return {"request_id": context.request_id, "operation_id": context.operation_id}


def _idle_message(seconds: float) -> str:
    return f"The service sent no event for {seconds:g} seconds."


def _duration_message(seconds: float) -> str:
    return f"The stream stayed open longer than {seconds:g} seconds."


async def aclose_quietly(iterator: AsyncIterator[Any]) -> None:
    """Close the service's iterator (runs its `finally`), even while being cancelled."""
    aclose = getattr(iterator, "aclose", None)
    if aclose is None:
        return
    with anyio.CancelScope(shield=True):
        try:
            await aclose()
        except Exception:
            log.exception("closing the stream's iterator failed")


# --- framing -----------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True, exclude_none=True).encode()
    return to_json(value, by_alias=True, exclude_none=True)


def top_field(pointer: str) -> str:
    """`/type` -> `type`: the top-level member a `data#/...` discriminator points at."""
    head = pointer.lstrip("/").split("/", 1)[0]
    return head.replace("~1", "/").replace("~0", "~")


def _pointer_value(value: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


class _Framing:
    """Bytes on the wire for one stream: its items, error event, heartbeat and sentinel."""

    def __init__(self, spec: StreamSpec, context: RequestContext) -> None:
        self.spec = spec
        self.sse = spec.format == "sse"
        self.pointer = (
            spec.discriminator[len("data#") :] if spec.discriminator.startswith("data#") else None
        )
        self.type_field = top_field(self.pointer) if self.pointer else "type"
        self.error_name = spec.error_event or DEFAULT_ERROR_EVENT
        self.next_id: int | None = None
        if spec.resume:
            last = context.last_event_id
            self.next_id = int(last) + 1 if last is not None and last.isdigit() else 1

    def event_type(self, item: Any) -> str | None:
        """The item's event type: its SSE `event`, or the value the discriminator points at."""
        if self.pointer is not None:
            payload = getattr(item, "data", None) if isinstance(item, Event) else item
            try:
                jsonable = to_jsonable_python(payload, by_alias=True)
            except PydanticSerializationError:  # not terminal; framing it reports the failure
                return None
            found = _pointer_value(jsonable, self.pointer)
            return found if isinstance(found, str) else None
        if isinstance(item, Event):
            found = getattr(item, "event", None)
            return found if isinstance(found, str) else None
        return None

    def is_terminal(self, item: Any) -> bool:
        return self.event_type(item) in self.spec.terminal

    def _take_id(self, own: str | None = None) -> str | None:
        """The frame's id: its own, else the next sequential one when the stream resumes."""
        if own is not None:
            if self.next_id is not None and own.isdigit():
                self.next_id = int(own) + 1
            return own
        if self.next_id is None:
            return None
        value, self.next_id = self.next_id, self.next_id + 1
        return str(value)

    def item(self, item: Any) -> bytes:
        if isinstance(item, Event):
            data = getattr(item, "data", None)
            if not self.sse:
                return self._line(_json(data))
            return format_sse_event(
                data_str=_json(data).decode(),
                event=getattr(item, "event", None),
                id=self._take_id(item.id),
                retry=item.retry,
            )
        if not self.sse:
            return self._line(_json(item))
        return format_sse_event(data_str=_json(item).decode(), id=self._take_id())

    def error(self, fields: dict[str, Any]) -> bytes:
        if self.sse and self.pointer is None:
            return format_sse_event(
                data_str=_json(fields).decode(), event=self.error_name, id=self._take_id()
            )
        body = _json({self.type_field: self.error_name, **fields})
        if not self.sse:
            return self._line(body)
        return format_sse_event(data_str=body.decode(), id=self._take_id())

    def heartbeat(self) -> bytes | None:
        """None where the framing has no way to say "still here" (JSON Lines without an event)."""
        name = self.spec.heartbeat_event
        if self.sse:
            if name is None:
                return format_sse_event(comment="keep-alive")
            if self.pointer is not None:
                return format_sse_event(data_str=_json({self.type_field: name}).decode())
            return format_sse_event(event=name, data_str="{}")
        if name is None:
            return None
        return self._line(_json({self.type_field: name}))

    def sentinel(self) -> bytes | None:
        value = self.spec.sentinel
        if value is None:
            return None
        if self.sse:
            return format_sse_event(data_str=value)
        return self._line(value.encode())

    def _line(self, body: bytes) -> bytes:
        if self.spec.format == "json-seq":
            return JSON_SEQ_RS + body + b"\n"
        return body + b"\n"


# --- the running stream ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    value: Any


@dataclass(frozen=True, slots=True)
class _Failed:
    error: Exception


_Message = _Item | _Failed | _End


class _Pump:
    """One stream from its first item to the final empty body chunk."""

    def __init__(
        self,
        events: AsyncIterator[Any],
        first: Any,
        *,
        framing: _Framing,
        spec: StreamSpec,
        catalogue: ErrorCatalogue,
        context: RequestContext,
        telemetry: Telemetry | None,
        started: float,
    ) -> None:
        self.events = events
        self.first = first
        self.framing = framing
        self.spec = spec
        self.catalogue = catalogue
        self.context = context
        self.telemetry = telemetry
        self.started = started
        self.disconnected = False
        self.sent_first = False
        self._send: Send | None = None

    async def run(
        self, status: int, headers: list[tuple[bytes, bytes]], receive: Receive, send: Send
    ) -> None:
        self._send = send
        outcome = "disconnected"
        try:
            sender, items = anyio.create_memory_object_stream[_Message](0)
            async with anyio.create_task_group() as group:
                group.start_soon(self._watch_disconnect, receive, group.cancel_scope)
                if self.first is not _END and not self.framing.is_terminal(self.first):
                    group.start_soon(self._produce, sender)
                else:
                    sender.close()
                if await self._emit_start(status, headers):
                    outcome = await self._write(items)
                    if outcome != "disconnected":
                        await self._emit(b"", more=False)
                group.cancel_scope.cancel()
            items.close()
        finally:
            await aclose_quietly(self.events)
            if self.disconnected:
                outcome = "disconnected"
            if self.telemetry is not None:
                seconds = time.monotonic() - self.started
                self.telemetry.record_stream_duration(self.context.operation_id, seconds, outcome)

    async def _watch_disconnect(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                scope.cancel()
                return

    async def _produce(self, sender: MemoryObjectSendStream[_Message]) -> None:
        """Read the service until it ends, fails or yields a terminal event (then stop)."""
        with sender:
            try:
                while True:
                    try:
                        item = await self.events.__anext__()
                    except StopAsyncIteration:
                        await sender.send(_END)
                        return
                    await sender.send(_Item(item))
                    if self.framing.is_terminal(item):
                        return
            except Exception as error:
                await sender.send(_Failed(error))
            finally:
                await aclose_quietly(self.events)

    async def _write(self, items: MemoryObjectReceiveStream[_Message]) -> str:
        """Frames until the stream ends; returns how it ended (the telemetry outcome)."""
        spec = self.spec
        message: _Message | None = _Item(self.first) if self.first is not _END else _END
        last_item = last_sent = time.monotonic()
        while True:
            if message is None:
                now = time.monotonic()
                deadlines = [
                    at
                    for at in (
                        _after(self.started, spec.max_duration_seconds),
                        _after(last_item, spec.idle_timeout_seconds),
                        _after(last_sent, spec.heartbeat_seconds),
                    )
                    if at is not None
                ]
                delay = max(0.0, min(deadlines) - now) if deadlines else None
                with anyio.move_on_after(delay):
                    try:
                        message = await items.receive()
                    except anyio.EndOfStream:
                        message = _END
            now = time.monotonic()
            if isinstance(message, _Item):
                last_item = last_sent = now
                try:
                    frame = self.framing.item(message.value)
                except Exception as error:  # an item the wire cannot carry still ends the stream
                    entry, text, retry_after = self._describe(error)
                    return await self._fail(entry, text, "error", retry_after)
                if not await self._emit(frame):
                    return "disconnected"
                self._record_first(now)
                if self.framing.is_terminal(message.value):
                    kind = self.framing.event_type(message.value)
                    return await self._finish("error" if kind == spec.error_event else "completed")
                message = None
                continue
            if isinstance(message, _End):
                entry = self.catalogue.for_status(500)
                return await self._fail(entry, INCOMPLETE_MESSAGE, "incomplete")
            if isinstance(message, _Failed):
                entry, text, retry_after = self._describe(message.error)
                return await self._fail(entry, text, "error", retry_after)
            duration = spec.max_duration_seconds
            if duration is not None and now >= self.started + duration:
                entry = self.catalogue.for_limit("stream.maxDurationSeconds", 504)
                return await self._fail(entry, _duration_message(duration), "max_duration")
            idle = spec.idle_timeout_seconds
            if idle is not None and now >= last_item + idle:
                entry = self.catalogue.for_limit("stream.idleTimeoutSeconds", 504)
                return await self._fail(entry, _idle_message(idle), "idle_timeout")
            beat = self.framing.heartbeat()
            if beat is not None and not await self._emit(beat):
                return "disconnected"
            last_sent = now

    def _describe(self, error: Exception) -> tuple[ErrorCode, str, float | None]:
        """A mid-stream failure as a catalogue code; only a ContractError says anything."""
        extra = _log_extra(self.context)
        if isinstance(error, ContractError):
            entry = self.catalogue.get(error.code) or self.catalogue.for_status(500)
            log.warning("stream ended with %s", error.code, extra=extra)
            text = error.detail or entry.title or f"The stream ended with {entry.code}."
            return entry, text, error.retry_after
        log.error("stream failed after it started", exc_info=error, extra=extra)
        return self.catalogue.for_status(500), GENERIC_MESSAGE, None

    async def _fail(
        self, entry: ErrorCode, message: str, outcome: str, retry_after: float | None = None
    ) -> str:
        fields = error_event_fields(self.catalogue, entry, message=message, retry_after=retry_after)
        frame = self.framing.error(fields)
        if not await self._emit(frame):
            return "disconnected"
        self._record_first(time.monotonic())
        return await self._finish(outcome)

    async def _finish(self, outcome: str) -> str:
        sentinel = self.framing.sentinel()
        if sentinel is not None and not await self._emit(sentinel):
            return "disconnected"
        return outcome

    def _record_first(self, now: float) -> None:
        if not self.sent_first:
            self.sent_first = True
            if self.telemetry is not None:
                seconds = now - self.started
                self.telemetry.record_first_event(self.context.operation_id, seconds)

    async def _emit_start(self, status: int, headers: list[tuple[bytes, bytes]]) -> bool:
        assert self._send is not None
        try:
            await self._send({"type": "http.response.start", "status": status, "headers": headers})
        except OSError:
            self.disconnected = True
            return False
        return True

    async def _emit(self, body: bytes, *, more: bool = True) -> bool:
        """Send a chunk; False once the client is gone (the server raises OSError then)."""
        assert self._send is not None
        try:
            await self._send({"type": "http.response.body", "body": body, "more_body": more})
        except OSError:
            self.disconnected = True
            return False
        return True


def _after(start: float, seconds: float | None) -> float | None:
    return None if seconds is None else start + seconds


class _EventStream(EventSourceResponse):
    """`text/event-stream`, written by the pump rather than from a body iterator."""

    def __init__(self, pump: _Pump) -> None:
        super().__init__(iter(()), headers=STREAM_HEADERS)
        self._pump = pump

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._pump.run(self.status_code, self.raw_headers, receive, send)


class _LineStream(StreamingResponse):
    """JSON Lines or json-seq with the contract's media type."""

    def __init__(self, pump: _Pump, *, media_type: str) -> None:
        super().__init__(iter(()), headers=STREAM_HEADERS, media_type=media_type)
        self._pump = pump

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._pump.run(self.status_code, self.raw_headers, receive, send)
