# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""A streaming response read as typed events, sync and async.

`StreamDecoder` holds the rules and does no I/O: which frames are events, which end the
stream (a terminal event type, or the sentinel), which carry an error (raised as the
catalogue's class), which are heartbeats (skipped), and which were already delivered before a
reconnect (skipped by id). `read_events` and `aread_events` pump an httpx streaming response
through it; a body that ends, or a connection that drops, before the stream's end raises
`StreamTruncated`, and running past the deadline raises `StreamTimeout`.
"""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from .errors import ApiError, ErrorCatalogue, ProtocolViolation, StreamTimeout, StreamTruncated
from .frames import LineParser, SSEFrame, SSEParser
from .spec import StreamSpec

T = TypeVar("T")
DEFAULT_ERROR_EVENT = "error"
"""The error event's type when the contract names none (what the server runtime sends)."""
MEDIA_TYPES = {
    "sse": "text/event-stream",
    "jsonl": "application/jsonl",
    "json-seq": "application/json-seq",
}


@dataclass(slots=True)
class StreamProgress:
    """What one call has delivered, across the connections a resumed stream makes."""

    events_seen: int = 0
    last_event_id: str | None = None
    seen_ids: set[str] = field(default_factory=set)
    retry_ms: int | None = None
    """The server's last SSE `retry` (its reconnection time)."""


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


class StreamDecoder(Generic[T]):
    """Frames of one connection in, typed events out; `done` once the stream has ended."""

    def __init__(
        self,
        spec: StreamSpec,
        adapter: TypeAdapter[T],
        catalogue: ErrorCatalogue,
        progress: StreamProgress | None = None,
        *,
        request_id: str | None = None,
    ) -> None:
        self.spec = spec
        self.adapter = adapter
        self.catalogue = catalogue
        self.progress = StreamProgress() if progress is None else progress
        self.request_id = request_id
        self.done = False
        self.error: ApiError | None = None
        """The stream's error event, raised by the reader after the events before it."""
        self.error_event = spec.error_event or DEFAULT_ERROR_EVENT
        self.pointer = (
            spec.discriminator[len("data#") :] if spec.discriminator.startswith("data#") else None
        )
        self._sse = SSEParser() if spec.format == "sse" else None
        self._lines = LineParser(json_seq=spec.format == "json-seq")
        self._bytes = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed_bytes(self, chunk: bytes) -> list[T]:
        return self.feed(self._bytes.decode(chunk))

    def feed(self, text: str) -> list[T]:
        out: list[T] = []
        if self._ended():
            return out
        if self._sse is not None:
            for frame in self._sse.feed(text):
                if self._sse.last_event_id:
                    self.progress.last_event_id = self._sse.last_event_id
                if self._sse.retry is not None:
                    self.progress.retry_ms = self._sse.retry
                self._frame(frame, out)
                if self._ended():
                    break
        else:
            for line in self._lines.feed(text):
                self._line(line, out)
                if self._ended():
                    break
        return out

    def _ended(self) -> bool:
        return self.done

    def end(self, reason: str = "the body ended") -> list[T]:
        """The body ended: what a last unterminated line holds, or StreamTruncated."""
        out: list[T] = []
        tail = self._bytes.decode(b"", final=True)
        if tail:
            out = self.feed(tail)
        if not self.done and self._sse is None:
            for line in self._lines.end():
                try:
                    json.loads(line)
                except ValueError:
                    break  # the connection cut a line in half
                self._line(line, out)
        if not self.done and self.error is None and self.spec.ends:
            raise self.truncated(reason)
        return out

    def truncated(self, reason: str) -> StreamTruncated:
        return StreamTruncated(self.progress.events_seen, self.progress.last_event_id, reason)

    # --- one item ---------------------------------------------------------------------

    def _frame(self, frame: SSEFrame, out: list[T]) -> None:
        if self.spec.sentinel is not None and frame.data == self.spec.sentinel:
            self.done = True
            return
        if frame.id is not None and frame.id in self.progress.seen_ids:
            return  # delivered before the reconnect
        payload = _loads(frame.data)
        if self.pointer is None:
            kind: Any = frame.event
            typed: Any = {"event": frame.event, "data": payload}
            if frame.id is not None:
                typed["id"] = frame.id
            if frame.retry is not None:
                typed["retry"] = frame.retry
        else:
            kind = _pointer_value(payload, self.pointer)
            typed = payload
        self._item(kind, payload, typed, frame.id, out)

    def _line(self, line: str, out: list[T]) -> None:
        if self.spec.sentinel is not None and line == self.spec.sentinel:
            self.done = True
            return
        try:
            payload = json.loads(line)
        except ValueError as error:
            raise ProtocolViolation(f"A stream line is not JSON: {line[:200]!r}") from error
        kind = _pointer_value(payload, self.pointer) if self.pointer is not None else None
        self._item(kind, payload, payload, None, out)

    def _item(self, kind: Any, payload: Any, typed: Any, own_id: str | None, out: list[T]) -> None:
        spec = self.spec
        if kind is not None and kind == spec.heartbeat_event:
            return
        if kind == self.error_event:
            fields = payload if isinstance(payload, dict) else {}
            self.error = self.catalogue.from_event(fields, request_id=self.request_id)
            self.done = True
            return
        if spec.extensible and spec.event_names and kind not in spec.event_names:
            return
        try:
            value = self.adapter.validate_python(typed)
        except ValidationError as error:
            raise ProtocolViolation(
                f"A {kind or 'stream'} event breaks the contract: {error}"
            ) from error
        self.progress.events_seen += 1
        if own_id is not None:
            self.progress.seen_ids.add(own_id)
        out.append(value)
        if kind is not None and kind in spec.terminal:
            self.done = True


def _loads(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data


def _check_deadline(decoder: StreamDecoder[Any], deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        progress = decoder.progress
        raise StreamTimeout(
            progress.events_seen, progress.last_event_id, "the stream ran past its deadline"
        )


def _transport_reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ReadTimeout):
        return "no data within the read timeout"
    return f"the connection failed: {type(error).__name__}"


def read_events(
    response: httpx.Response, decoder: StreamDecoder[T], *, deadline: float | None = None
) -> Iterator[T]:
    """The typed events of a streaming response, until the stream's end (the caller closes it)."""
    try:
        for chunk in response.iter_bytes():
            items = decoder.feed_bytes(chunk)
            yield from items
            if decoder.error is not None:
                raise decoder.error
            if decoder.done:
                return
            _check_deadline(decoder, deadline)
    except httpx.TransportError as error:
        raise decoder.truncated(_transport_reason(error)) from error
    yield from decoder.end()
    if decoder.error is not None:
        raise decoder.error


async def aread_events(
    response: httpx.Response, decoder: StreamDecoder[T], *, deadline: float | None = None
) -> AsyncIterator[T]:
    """`read_events` for an httpx.AsyncClient's streaming response."""
    try:
        async for chunk in response.aiter_bytes():
            for item in decoder.feed_bytes(chunk):
                yield item
            if decoder.error is not None:
                raise decoder.error
            if decoder.done:
                return
            _check_deadline(decoder, deadline)
    except httpx.TransportError as error:
        raise decoder.truncated(_transport_reason(error)) from error
    for item in decoder.end():
        yield item
    if decoder.error is not None:
        raise decoder.error
