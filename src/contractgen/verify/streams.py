"""A stream exercised and read event by event against its `x-contract-stream`.

Each event must be a declared type whose payload (SSE `data`, decoded) is valid; exactly one
terminal event ends the stream, followed by the sentinel where one is declared; the wire is
never silent longer than the heartbeat interval; the stream ends within its maximum duration.
Time to first event and the stream's duration are recorded for the latency report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from contractgen.location import value_at
from contractgen.model.contract import Operation
from contractgen.model.stream import EventType, Stream, StreamFormat
from contractgen.report.finding import Level
from contractgen.verify import rules
from contractgen.verify.context import Run
from contractgen.verify.framing import Activity, Item, read_items
from contractgen.verify.plan import Exercise
from contractgen.verify.responses import check_response, declared_response

DURATION_SLACK_SECONDS = 2.0
DEFAULT_READ_SECONDS = 60.0


def heartbeat_allowance(interval: float) -> float:
    """The longest silence accepted for a heartbeat interval: a quarter more, at least 0.5 s."""
    return interval + max(0.5, interval / 4)


def heartbeat_interval(op: Operation, stream: Stream) -> int | None:
    declared = stream.heartbeat.interval_seconds if stream.heartbeat else None
    return declared or op.limits.stream_heartbeat_seconds


def exercise_stream(run: Run, client: httpx.Client, exercise: Exercise) -> None:
    op, stream, request = exercise.op, exercise.stream, exercise.request
    assert stream is not None
    interval = heartbeat_interval(op, stream)
    allowed = heartbeat_allowance(interval) if interval else None
    max_duration = op.limits.stream_max_duration_seconds
    read = max(allowed * 2, allowed + 5) if allowed else DEFAULT_READ_SECONDS
    if op.limits.stream_idle_timeout_seconds:
        read = max(read, op.limits.stream_idle_timeout_seconds + 5.0)
    started = time.monotonic()
    timeout = httpx.Timeout(run.timeout, read=read)
    with client.stream(
        request.method, request.url, headers=request.headers, content=request.body, timeout=timeout
    ) as response:
        content_type = response.headers.get("content-type", "")
        base = content_type.split(";")[0].strip().lower()
        if response.status_code >= 300 or base != stream.media_type.split(";")[0].strip().lower():
            body = response.read()
            declared = check_response(
                run, op, request, response.status_code, response.headers, body
            )
            if declared is not None and declared.is_success:
                run.report(
                    rules.MEDIA_TYPE,
                    op,
                    stream.location,
                    f"asked for the stream ({stream.media_type}) and got "
                    f"{response.status_code} {content_type or 'without a Content-Type'}",
                    request,
                )
            return
        if declared_response(op, response.status_code) is None:
            check_response(run, op, request, response.status_code, response.headers, b"")
            return
        reader = _StreamCheck(run, op, stream, exercise, started)
        activity = Activity(started=time.monotonic())
        deadline = started + max_duration + DURATION_SLACK_SECONDS if max_duration else None
        overdue: list[float] = []
        chunks = _until(response.iter_raw(), deadline, overdue)
        try:
            for item in read_items(chunks, stream.format, activity):
                reader.item(item)
            if overdue:  # checked on every chunk: heartbeats alone keep a stream open too
                run.report(
                    rules.STREAM_DURATION,
                    op,
                    op.limits.source("stream.maxDurationSeconds") or stream.location,
                    f"the stream was still open after {max_duration} s (stream.maxDurationSeconds)",
                    request,
                )
                return
        except httpx.ReadTimeout:
            activity.saw(time.monotonic())
            reader.cut = f"no byte for {read:.0f} s"
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            reader.cut = f"the connection broke: {error}"
        if allowed is not None and interval and activity.longest_gap > allowed:
            run.report(
                rules.HEARTBEAT_GAP,
                op,
                stream.heartbeat_location or stream.location,
                f"{activity.longest_gap:.1f} s without an event or heartbeat; the heartbeat "
                f"interval is {interval} s",
                request,
            )
        reader.finish()


class _StreamCheck:
    def __init__(
        self, run: Run, op: Operation, stream: Stream, exercise: Exercise, started: float
    ) -> None:
        self.run, self.op, self.stream, self.exercise = run, op, stream, exercise
        self.started = started
        self.first: float | None = None
        self.events: list[str] = []
        self.terminal_at: int | None = None
        self.terminals = 0
        self.sentinel_seen = False
        self.after_end = 0
        self.cut: str | None = None
        self.pointer = (
            stream.discriminator[len("data#") :]
            if stream.discriminator and stream.discriminator.startswith("data#")
            else None
        )

    def report(self, rule: rules.VerifyRule, location: Any, message: str, **kw: Any) -> None:
        self.run.report(rule, self.op, location, message, self.exercise.request, **kw)

    def item(self, item: Item) -> None:
        stream = self.stream
        heartbeat = stream.heartbeat
        if heartbeat is not None and heartbeat.event and item.event == heartbeat.event:
            return
        if (
            stream.sentinel is not None
            and item.data.strip() == stream.sentinel
            and (item.event in (None, "message"))
        ):
            if self.terminal_at is None and stream.terminal:
                self.report(
                    rules.SENTINEL,
                    stream.sentinel_location or stream.location,
                    f"the sentinel {stream.sentinel} came before the terminal event",
                )
            self.sentinel_seen = True
            return
        if self.first is None:
            self.first = item.at
        position = len(self.events) + 1
        if self.sentinel_seen:
            self.after_end += 1
        payload, decoded = self._payload(item, position)
        name = self._name(item, payload if decoded else None)
        self.events.append(name or "?")
        if self.terminal_at is not None and self.terminal_at == len(self.events) - 1:
            self.report(
                rules.TERMINAL_EVENT,
                stream.extension_location or stream.location,
                f"event {position} `{name}` came after the terminal event "
                f"`{self.events[self.terminal_at - 1]}`",
            )
        if name is not None and name in stream.terminal:
            self.terminals += 1
            if self.terminal_at is None:
                self.terminal_at = len(self.events)
        declared = stream.event(name) if name is not None else None
        if declared is None:
            level = Level.WARNING if stream.extensible else None
            names = ", ".join(stream.event_names) or "none"
            shown = f"`{name}`" if name is not None else "without a type"
            self.report(
                rules.UNDECLARED_EVENT,
                stream.union_location or stream.location,
                f"event {position} {shown} is not one of the declared types ({names})",
                level=level,
            )
            return
        if decoded:
            self._check_payload(declared, payload, position)

    def _payload(self, item: Item, position: int) -> tuple[Any, bool]:
        try:
            return json.loads(item.data), True
        except ValueError as error:
            json_declared = self.stream.format is not StreamFormat.SSE or any(
                event.data_media_type is not None for event in self.stream.events
            )
            if json_declared:
                self.report(
                    rules.STREAM_FRAMING,
                    self.stream.location,
                    f"event {position}{' `' + item.event + '`' if item.event else ''}: "
                    f"data is not JSON: {error}",
                )
            return item.data, False

    def _name(self, item: Item, payload: Any) -> str | None:
        stream = self.stream
        if self.pointer is not None:
            value = value_at(payload, self.pointer)
            return value if isinstance(value, str) else None
        if stream.format is StreamFormat.SSE:
            name = item.event or "message"
            if stream.event(name) is None and item.event is None and len(stream.events) == 1:
                return stream.events[0].name
            return name
        if len(stream.events) == 1:
            return stream.events[0].name
        for event in stream.events:
            compiled = self.run.compile(event.payload)
            if compiled is not None and compiled.checks.is_valid(compiled.root, payload):
                return event.name
        return None

    def _check_payload(self, event: EventType, payload: Any, position: int) -> None:
        compiled = self.run.compile(event.payload)
        if compiled is None or event.payload is None:
            return
        for pointer, message in compiled.errors(payload):
            self.report(
                rules.EVENT_PAYLOAD,
                event.payload.location,
                f"event {position} `{event.name}` at {pointer}: {message}",
            )

    def finish(self) -> None:
        stream, end = self.stream, time.monotonic()
        if self.first is not None:
            samples = self.run.samples(self.op)
            samples.first_event_ms.append((self.first - self.started) * 1000)
            samples.duration_ms.append((end - self.started) * 1000)
            samples.events += len(self.events)
        where = stream.extension_location or stream.location
        cut = f" ({self.cut})" if self.cut else ""
        if stream.terminal:
            names = ", ".join(stream.terminal)
            if self.terminals == 0:
                self.report(
                    rules.TERMINAL_EVENT,
                    where,
                    f"the stream ended without a terminal event ({names}) after "
                    f"{len(self.events)} events{cut}",
                )
            elif self.terminals > 1:
                self.report(
                    rules.TERMINAL_EVENT, where, f"{self.terminals} terminal events ({names})"
                )
        if stream.sentinel is not None and not self.sentinel_seen and self.terminals:
            self.report(
                rules.SENTINEL,
                stream.sentinel_location or where,
                f"no sentinel {stream.sentinel} after the terminal event{cut}",
            )
        if self.after_end:
            self.report(
                rules.SENTINEL,
                stream.sentinel_location or where,
                f"{self.after_end} events after the sentinel {stream.sentinel}",
            )


def _until(
    chunks: Iterable[bytes], deadline: float | None, overdue: list[float]
) -> Iterator[bytes]:
    """The chunks until `deadline` (monotonic) passes; then the time it was seen, in `overdue`."""
    for chunk in chunks:
        now = time.monotonic()
        if deadline is not None and now > deadline:
            overdue.append(now)
            return
        yield chunk
