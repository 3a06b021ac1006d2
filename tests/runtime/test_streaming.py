"""stream_response and respond on a real uvicorn server, read over real sockets with httpx.

Every test serves its own small FastAPI app whose service is an async generator defined in
the test; the server runs in a thread of this process, so a threading.Event set in the
generator's `finally` tells the test the service was really closed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any, Literal

import anyio
import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from contractgen.runtime.context import ContractError, RequestContext
from contractgen.runtime.problems import GENERIC_DETAIL, install_problem_handlers
from contractgen.runtime.spec import (
    MID_STREAM,
    PRE_STREAM,
    ErrorCatalogue,
    ErrorCode,
    OperationSpec,
    StreamSpec,
)
from contractgen.runtime.streaming import (
    GENERIC_MESSAGE,
    INCOMPLETE_MESSAGE,
    Event,
    respond,
    stream_response,
)
from tests.runtime._servers import run_app

REQUEST_ID = "req-stream-1"
BOTH_PHASES = (PRE_STREAM, MID_STREAM)
CATALOGUE = ErrorCatalogue(
    codes=(
        ErrorCode("internal_error", 500, retryable=True, phases=BOTH_PHASES),
        ErrorCode("model_busy", 503, retryable=True, retry_after="required", phases=BOTH_PHASES),
        ErrorCode("stream_too_long", 504, phases=BOTH_PHASES, limit="stream.maxDurationSeconds"),
        ErrorCode(
            "stream_went_quiet",
            504,
            retryable=True,
            phases=BOTH_PHASES,
            limit="stream.idleTimeoutSeconds",
        ),
    )
)
SSE = StreamSpec(
    "sse",
    "text/event-stream",
    event_names=("delta", "done", "error"),
    terminal=("done", "error"),
    error_event="error",
    sentinel="[DONE]",
)
JSONL = StreamSpec(
    "jsonl",
    "application/jsonl",
    terminal=("done", "error"),
    error_event="error",
    discriminator="data#/type",
)

Frame = dict[str, Any]
Service = Callable[[RequestContext], AsyncIterator[Any]]


class Payload(BaseModel):
    text: str
    finish_reason: str | None = Field(default=None, alias="finishReason")


class Delta(Event):
    event: Literal["delta"] = "delta"
    data: Payload


class Done(Event):
    event: Literal["done"] = "done"
    data: Payload


def delta(text: str) -> Delta:
    return Delta(data=Payload(text=text))


def done() -> Done:
    return Done(data=Payload(text="", finishReason="stop"))


DELTA_A: Frame = {"event": "delta", "data": {"text": "a"}}
DONE: Frame = {"event": "done", "data": {"text": "", "finishReason": "stop"}}
SENTINEL: Frame = {"data": "[DONE]"}


def error_frame(code: str, message: str, *, status: int, retryable: bool) -> Frame:
    fields = {"code": code, "message": message, "retryable": retryable, "status": status}
    return {"event": "error", "data": fields}


def stream_app(service: Service, spec: StreamSpec) -> FastAPI:
    """One GET /stream answering with `service` streamed as `spec` declares."""
    app = FastAPI()
    install_problem_handlers(app, CATALOGUE)

    @app.get("/stream")
    async def stream(request: Request) -> Response:
        context = RequestContext(
            REQUEST_ID, "chat", "key", last_event_id=request.headers.get("last-event-id")
        )
        return await stream_response(
            service(context),
            spec=spec,
            catalogue=CATALOGUE,
            context=context,
            receive=request.receive,
        )

    return app


@contextlib.contextmanager
def served(service: Service, spec: StreamSpec = SSE) -> Iterator[str]:
    with run_app(stream_app(service, spec)) as base:
        yield base + "/stream"


def next_frame(lines: Iterator[str]) -> Frame:
    """The next SSE frame: its fields by name (a comment as `comment`), JSON data decoded."""
    frame: Frame = {}
    for line in lines:
        if not line:
            if frame:
                return frame
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        frame[name or "comment"] = value
    if frame:
        return frame
    raise EOFError("the stream ended")


def sse_frames(text: str) -> list[Frame]:
    lines = iter(text.split("\n"))
    frames: list[Frame] = []
    with contextlib.suppress(EOFError):
        while True:
            frames.append(next_frame(lines))
    return frames


def json_lines(text: str) -> list[Any]:
    assert text.endswith("\n"), "every JSON line ends with a newline"
    return [json.loads(line) for line in text.removesuffix("\n").split("\n")]


def get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, timeout=10, **kwargs)


def test_event_subclasses_are_framed_with_event_id_and_data() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield Delta(id="7", retry=1500, data=Payload(text="a"))
        yield delta("b")
        yield done()

    with served(service) as url:
        response = get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert sse_frames(response.text) == [
        {"event": "delta", "data": {"text": "a"}, "id": "7", "retry": "1500"},
        {"event": "delta", "data": {"text": "b"}},
        DONE,
        SENTINEL,
    ]


def test_one_terminal_event_then_the_sentinel_and_the_service_is_read_no_further() -> None:
    closed = threading.Event()
    read_past_terminal = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            yield delta("a")
            yield done()
            read_past_terminal.set()
            yield delta("after the end")
            yield done()
        finally:
            closed.set()

    with served(service) as url:
        response = get(url)
    assert sse_frames(response.text) == [DELTA_A, DONE, SENTINEL]
    assert "after the end" not in response.text
    assert closed.wait(1.0), "the service's finally did not run"
    assert not read_past_terminal.is_set(), "the service was resumed after its terminal event"


def test_a_service_that_ends_without_a_terminal_event_gets_an_internal_error() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield delta("a")

    with served(service) as url:
        response = get(url)
    assert sse_frames(response.text) == [
        DELTA_A,
        error_frame("internal_error", INCOMPLETE_MESSAGE, status=500, retryable=True),
        SENTINEL,
    ]


def test_an_empty_iterator_gets_the_internal_error_event() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        nothing: list[Delta] = []
        for item in nothing:
            yield item

    with served(service) as url:
        response = get(url)
    assert response.status_code == 200
    assert sse_frames(response.text) == [
        error_frame("internal_error", INCOMPLETE_MESSAGE, status=500, retryable=True),
        SENTINEL,
    ]


def _quiet_until(released: threading.Event) -> Service:
    """A service that sends one delta, stays silent until the test releases it, then ends."""

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield delta("a")
        while not released.is_set():
            await anyio.sleep(0.01)
        yield done()

    return service


def test_silence_is_filled_with_comment_heartbeats() -> None:
    released = threading.Event()
    spec = replace(SSE, heartbeat_seconds=0.2)
    with served(_quiet_until(released), spec) as url, httpx.stream("GET", url, timeout=10) as held:
        lines = held.iter_lines()  # dropping the iterator would close the response
        assert next_frame(lines) == DELTA_A
        started = time.monotonic()
        assert next_frame(lines) == {"comment": "keep-alive"}
        assert next_frame(lines) == {"comment": "keep-alive"}
        assert time.monotonic() - started >= 0.3, "heartbeats came faster than every 0.2 s"
        released.set()
        rest = [next_frame(lines)]
        while rest[-1] != SENTINEL:
            rest.append(next_frame(lines))
    assert [frame for frame in rest if frame != {"comment": "keep-alive"}] == [DONE, SENTINEL]


def test_a_heartbeat_can_be_a_named_event() -> None:
    released = threading.Event()
    spec = replace(SSE, heartbeat_seconds=0.2, heartbeat_event="ping")
    with served(_quiet_until(released), spec) as url, httpx.stream("GET", url, timeout=10) as held:
        lines = held.iter_lines()
        assert next_frame(lines) == DELTA_A
        assert next_frame(lines) == {"event": "ping", "data": {}}
        released.set()
        rest = [next_frame(lines)]
        while rest[-1] != SENTINEL:
            rest.append(next_frame(lines))
    assert [frame for frame in rest if frame.get("event") != "ping"] == [DONE, SENTINEL]


def _silent_after_one(closed: threading.Event) -> Service:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            yield delta("a")
            await anyio.sleep(30)
            yield done()
        finally:
            closed.set()

    return service


def test_the_maximum_duration_ends_the_stream_with_its_catalogue_code() -> None:
    closed = threading.Event()
    spec = replace(SSE, max_duration_seconds=0.4, idle_timeout_seconds=5)
    with served(_silent_after_one(closed), spec) as url:
        started = time.monotonic()
        response = get(url)
        elapsed = time.monotonic() - started
    message = "The stream stayed open longer than 0.4 seconds."
    assert sse_frames(response.text) == [
        DELTA_A,
        error_frame("stream_too_long", message, status=504, retryable=False),
        SENTINEL,
    ]
    assert 0.4 <= elapsed < 3
    assert closed.wait(1.0), "the service's finally did not run"


def test_the_maximum_duration_holds_while_the_service_keeps_talking() -> None:
    closed = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            while True:
                yield delta("a")
                await anyio.sleep(0.01)
        finally:
            closed.set()

    spec = replace(SSE, max_duration_seconds=0.5, idle_timeout_seconds=0.3)
    with served(service, spec) as url:
        response = get(url)
    frames = sse_frames(response.text)
    message = "The stream stayed open longer than 0.5 seconds."
    assert frames[-2:] == [
        error_frame("stream_too_long", message, status=504, retryable=False),
        SENTINEL,
    ]
    assert len(frames) > 5 and all(frame == DELTA_A for frame in frames[:-2])
    assert closed.wait(1.0), "the service's finally did not run"


def test_the_idle_timeout_ends_the_stream_with_its_own_code() -> None:
    closed = threading.Event()
    spec = replace(SSE, max_duration_seconds=5, idle_timeout_seconds=0.3)
    with served(_silent_after_one(closed), spec) as url:
        response = get(url)
    message = "The service sent no event for 0.3 seconds."
    assert sse_frames(response.text) == [
        DELTA_A,
        error_frame("stream_went_quiet", message, status=504, retryable=True),
        SENTINEL,
    ]
    assert closed.wait(1.0), "the service's finally did not run"


def test_heartbeats_do_not_keep_an_idle_stream_alive() -> None:
    closed = threading.Event()
    spec = replace(SSE, heartbeat_seconds=0.15, idle_timeout_seconds=0.5)
    with served(_silent_after_one(closed), spec) as url:
        response = get(url)
    frames = sse_frames(response.text)
    message = "The service sent no event for 0.5 seconds."
    assert frames[0] == DELTA_A
    assert frames[-2:] == [
        error_frame("stream_went_quiet", message, status=504, retryable=True),
        SENTINEL,
    ]
    beats = frames[1:-2]
    assert beats and all(frame == {"comment": "keep-alive"} for frame in beats)
    assert closed.wait(1.0), "the service's finally did not run"


def test_a_service_silent_before_its_first_event_gets_a_problem_not_a_stream() -> None:
    closed = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            await anyio.sleep(30)
            yield done()
        finally:
            closed.set()

    spec = replace(SSE, idle_timeout_seconds=0.3)
    with served(service, spec) as url:
        response = get(url)
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "stream_went_quiet",
        "The service sent no event for 0.3 seconds.",
    )
    assert closed.wait(1.0), "the service's finally did not run"


def test_an_exception_after_the_first_event_is_logged_not_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="contractgen.service")

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield delta("a")
        raise RuntimeError("secret database password")

    with served(service) as url:
        response = get(url)
    assert sse_frames(response.text) == [
        DELTA_A,
        error_frame("internal_error", GENERIC_MESSAGE, status=500, retryable=True),
        SENTINEL,
    ]
    assert "secret" not in response.text
    logged = [r for r in caplog.records if r.name == "contractgen.service" and r.exc_info]
    assert len(logged) == 1
    assert getattr(logged[0], "request_id", None) == REQUEST_ID
    assert "secret database password" in caplog.text


def _fail_with_a_secret() -> None:
    raise RuntimeError("secret database password")


def test_an_exception_before_the_first_event_becomes_a_500_problem() -> None:
    closed = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            _fail_with_a_secret()
            yield delta("never")
        finally:
            closed.set()

    with served(service) as url:
        response = get(url)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"]) == ("internal_error", GENERIC_DETAIL)
    assert "secret" not in response.text
    assert closed.is_set()


def _refuse_as_busy() -> None:
    raise ContractError("model_busy", "The model is busy.", retry_after=3)


def test_a_contract_error_before_the_first_event_becomes_its_problem() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        _refuse_as_busy()
        yield delta("never")

    with served(service) as url:
        response = get(url)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "3"
    body = response.json()
    assert (body["code"], body["detail"]) == ("model_busy", "The model is busy.")


class Opaque:
    """A value pydantic cannot serialize: a service bug the wire must still survive."""


def test_an_item_that_cannot_be_serialized_ends_the_stream_with_an_error_event() -> None:
    closed = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            yield delta("a")
            yield {"type": "delta", "blob": Opaque()}
            yield delta("after the failure")
        finally:
            closed.set()

    with served(service) as url:
        response = get(url)
    assert sse_frames(response.text) == [
        DELTA_A,
        error_frame("internal_error", GENERIC_MESSAGE, status=500, retryable=True),
        SENTINEL,
    ]
    assert closed.wait(1.0), "the service's finally did not run"


def test_a_first_item_that_cannot_be_serialized_still_gets_an_error_event() -> None:
    spec = replace(SSE, discriminator="data#/type")

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield {"type": "delta", "blob": Opaque()}

    with served(service, spec) as url:
        response = get(url)
    assert response.status_code == 200
    assert sse_frames(response.text) == [
        {
            "data": {
                "type": "error",
                "code": "internal_error",
                "message": GENERIC_MESSAGE,
                "retryable": True,
                "status": 500,
            }
        },
        SENTINEL,
    ]


def test_a_contract_error_mid_stream_sends_its_code_and_detail() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield delta("a")
        raise ContractError("model_busy", "The model is busy.", retry_after=2.5)

    with served(service) as url:
        response = get(url)
    busy = error_frame("model_busy", "The model is busy.", status=503, retryable=True)
    busy["data"]["retry_after_ms"] = 2500
    assert sse_frames(response.text) == [DELTA_A, busy, SENTINEL]


def test_a_resumed_stream_numbers_its_events_after_the_last_event_id() -> None:
    seen: list[str | None] = []

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        seen.append(context.last_event_id)
        yield delta("a")
        yield done()

    spec = replace(SSE, resume=True)
    with served(service, spec) as url:
        fresh = get(url)
        resumed = get(url, headers={"Last-Event-ID": "41"})
    assert seen == [None, "41"]
    assert sse_frames(fresh.text) == [
        {**DELTA_A, "id": "1"},
        {**DONE, "id": "2"},
        SENTINEL,
    ]
    assert sse_frames(resumed.text) == [
        {**DELTA_A, "id": "42"},
        {**DONE, "id": "43"},
        SENTINEL,
    ]


def test_json_lines_are_one_payload_a_line() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield {"type": "delta", "text": "a"}
        yield Delta(data=Payload(text="b", finishReason=None))
        yield {"type": "done", "finish_reason": "stop"}
        yield {"type": "delta", "text": "after the end"}

    with served(service, JSONL) as url:
        response = get(url)
    assert response.headers["content-type"] == "application/jsonl"
    assert json_lines(response.text) == [
        {"type": "delta", "text": "a"},
        {"text": "b"},
        {"type": "done", "finish_reason": "stop"},
    ]


def test_a_json_lines_stream_ends_with_an_error_line() -> None:
    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield {"type": "delta", "text": "a"}
        raise ContractError("model_busy", "The model is busy.")

    with served(service, JSONL) as url:
        response = get(url)
    assert json_lines(response.text) == [
        {"type": "delta", "text": "a"},
        {
            "type": "error",
            "code": "model_busy",
            "message": "The model is busy.",
            "retryable": True,
            "status": 503,
            "retry_after_ms": 1000,
        },
    ]


def test_json_seq_prefixes_every_record_with_a_record_separator() -> None:
    spec = replace(JSONL, format="json-seq", media_type="application/json-seq")

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield {"type": "delta", "text": "a"}
        yield {"type": "done"}

    with served(service, spec) as url:
        response = get(url)
    assert response.headers["content-type"] == "application/json-seq"
    assert response.content == b'\x1e{"type":"delta","text":"a"}\n\x1e{"type":"done"}\n'


def test_a_data_discriminator_types_the_error_inside_its_data() -> None:
    spec = replace(SSE, discriminator="data#/type")

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        yield {"type": "delta", "text": "a"}
        raise RuntimeError("boom")

    with served(service, spec) as url:
        response = get(url)
    assert sse_frames(response.text) == [
        {"data": {"type": "delta", "text": "a"}},
        {
            "data": {
                "type": "error",
                "code": "internal_error",
                "message": GENERIC_MESSAGE,
                "retryable": True,
                "status": 500,
            }
        },
        SENTINEL,
    ]


def test_a_client_disconnect_closes_the_service() -> None:
    closed = threading.Event()
    with (
        served(_silent_after_one(closed)) as url,
        httpx.stream("GET", url, timeout=10) as held,
    ):
        lines = held.iter_lines()
        assert next_frame(lines) == DELTA_A
        held.close()
        assert closed.wait(1.0), "the service outlived its client by more than 1 s"


def test_a_client_that_leaves_before_the_first_event_closes_the_service() -> None:
    """The service is still preparing (a model thinking): its client's leaving ends it."""
    started, closed = threading.Event(), threading.Event()

    async def thinking(context: RequestContext) -> AsyncIterator[Any]:
        try:
            started.set()
            await anyio.sleep(30)
            yield delta("a")
        finally:
            closed.set()

    with served(thinking, replace(SSE, idle_timeout_seconds=None)) as url:
        host, port = url.removeprefix("http://").split("/")[0].split(":")
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(f"GET /stream HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert started.wait(5), "the service never started"
        assert closed.wait(1.0), "the service outlived its client by more than 1 s"


def test_a_shielded_async_cleanup_in_the_service_survives_a_disconnect() -> None:
    """The service's `finally` runs in the cancelled producer: only shielded awaits finish."""
    cleaned = threading.Event()

    async def service(context: RequestContext) -> AsyncIterator[Any]:
        try:
            yield delta("a")
            await anyio.sleep(30)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.05)
                cleaned.set()

    with served(service) as url, httpx.stream("GET", url, timeout=10) as held:
        lines = held.iter_lines()
        assert next_frame(lines) == DELTA_A
        held.close()
        assert cleaned.wait(1.0), "the service's async cleanup did not finish"


OPERATION = OperationSpec("reply", "GET", "/reply")


class Reply(BaseModel):
    finish_reason: str = Field(alias="finishReason")
    note: str | None = None


def respond_app(result: Any) -> FastAPI:
    app = FastAPI()

    @app.get("/reply")
    async def reply() -> Response:
        context = RequestContext(REQUEST_ID, "reply", "key")
        return await respond(result, operation=OPERATION, catalogue=CATALOGUE, context=context)

    return app


def test_respond_sends_a_model_as_json_with_aliases_and_no_nulls() -> None:
    with run_app(respond_app(Reply(finishReason="stop"))) as base:
        response = get(base + "/reply")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"finishReason": "stop"}


def test_respond_streams_an_async_iterator_as_the_operation_declares() -> None:
    async def events() -> AsyncIterator[Any]:
        yield delta("a")
        yield done()

    operation = replace(OPERATION, stream=SSE)
    app = FastAPI()

    @app.get("/reply")
    async def reply() -> Response:
        context = RequestContext(REQUEST_ID, "reply", "key")
        return await respond(events(), operation=operation, catalogue=CATALOGUE, context=context)

    with run_app(app) as base:
        response = get(base + "/reply")
    assert sse_frames(response.text) == [DELTA_A, DONE, SENTINEL]


@pytest.mark.asyncio
async def test_respond_refuses_a_stream_the_contract_does_not_declare() -> None:
    async def events() -> AsyncIterator[Any]:
        yield delta("a")

    context = RequestContext(REQUEST_ID, "reply", "key")
    with pytest.raises(TypeError, match="reply returned a stream"):
        await respond(events(), operation=OPERATION, catalogue=CATALOGUE, context=context)


def test_respond_sends_none_as_204() -> None:
    with run_app(respond_app(None)) as base:
        response = get(base + "/reply")
    assert response.status_code == 204
    assert response.content == b""
