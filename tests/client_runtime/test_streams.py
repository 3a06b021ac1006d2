"""Typed streams read from the real server runtime over real sockets, sync and async."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from contractgen.client_runtime.client import AsyncBaseClient, BaseClient
from contractgen.client_runtime.config import ClientConfig
from contractgen.client_runtime.errors import ApiServerError, StreamTimeout, StreamTruncated
from contractgen.client_runtime.retry import RetryPolicy
from contractgen.client_runtime.timeouts import TimeoutSettings
from tests.client_runtime._app import (
    CHAT,
    CHAT_EVENTS,
    CHAT_NO_RESUME,
    CLIENT_CATALOGUE,
    JOB_EVENTS,
    JOB_EVENTS_ADAPTER,
    ChatRequest,
    Delta,
    Done,
    Finished,
    OverloadedError,
    Progress,
    Recorder,
    serve,
)

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, budget_seconds=5)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Recorder]]:
    with serve() as served:
        yield served


@pytest.fixture
def base(server: tuple[str, Recorder]) -> str:
    return server[0]


@pytest.fixture
def recorder(server: tuple[str, Recorder]) -> Recorder:
    recorder = server[1]
    with recorder.lock:
        recorder.requests.clear()
        recorder.calls.clear()
        recorder.drops.clear()
        recorder.healthy = True
    return recorder


def client(base: str, **settings: Any) -> BaseClient:
    config = ClientConfig(base_url=base, retry=settings.pop("retry", FAST), **settings)
    return BaseClient(config, catalogue=CLIENT_CATALOGUE)


def aclient(base: str, **settings: Any) -> AsyncBaseClient:
    config = ClientConfig(base_url=base, retry=settings.pop("retry", FAST), **settings)
    return AsyncBaseClient(config, catalogue=CLIENT_CATALOGUE)


def texts(events: list[Any]) -> list[str]:
    return [event.data.text for event in events if isinstance(event, Delta)]


def test_a_whole_sse_stream_arrives_typed_and_ends_at_its_terminal_event(
    base: str, recorder: Recorder
) -> None:
    with client(base) as api, api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest()) as stream:
        events = list(stream)
    assert texts(events) == ["t1", "t2", "t3"]
    assert [event.id for event in events[:3]] == ["1", "2", "3"]
    assert isinstance(events[-1], Done)
    assert events[-1].data.finish_reason == "stop"
    assert stream.events_seen == 4
    assert stream.last_event_id == "4"
    assert stream.request_id  # the edge's X-Request-ID
    assert recorder.requests[0]["accept"] == "text/event-stream"


def test_the_async_client_reads_the_same_stream(base: str, recorder: Recorder) -> None:
    async def run() -> list[Any]:
        async with (
            aclient(base) as api,
            api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest()) as stream,
        ):
            return [event async for event in stream]

    events = asyncio.run(run())
    assert texts(events) == ["t1", "t2", "t3"]
    assert isinstance(events[-1], Done)


def test_a_json_lines_stream_arrives_typed(base: str, recorder: Recorder) -> None:
    with client(base) as api:
        events = list(
            api.stream_events(JOB_EVENTS, JOB_EVENTS_ADAPTER, path_params={"job_id": "j 1"})
        )
    assert [type(event) for event in events] == [Progress, Progress, Progress, Finished]
    assert [event.percent for event in events if isinstance(event, Progress)] == [10, 60, 100]
    assert isinstance(events[-1], Finished) and events[-1].job_id == "j 1"
    assert recorder.requests[0]["accept"] == "application/jsonl"


def test_a_json_lines_error_item_raises_the_catalogue_class(base: str, recorder: Recorder) -> None:
    seen: list[Any] = []
    with client(base) as api, pytest.raises(OverloadedError) as raised:
        for event in api.stream_events(
            JOB_EVENTS, JOB_EVENTS_ADAPTER, path_params={"job_id": "broken"}
        ):
            seen.append(event)
    assert len(seen) == 3  # delivered, so not retried (the operation does not resume)
    assert raised.value.phase == "mid_stream"
    assert raised.value.retry_after == pytest.approx(0.05)
    assert recorder.calls["jobs"] == 1


def test_the_error_event_raises_the_same_class_as_the_problem_response(
    base: str, recorder: Recorder
) -> None:
    once = RetryPolicy(max_attempts=1)
    with client(base, retry=once) as api:
        with pytest.raises(OverloadedError) as before:
            list(api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(scenario="fail_first")))
        delivered: list[Any] = []
        with pytest.raises(OverloadedError) as during:
            for event in api.stream_events(
                CHAT_NO_RESUME, CHAT_EVENTS, json=ChatRequest(scenario="fail_mid")
            ):
                delivered.append(event)
    assert type(before.value) is type(during.value) is OverloadedError
    assert isinstance(during.value, ApiServerError)
    assert (before.value.phase, during.value.phase) == ("pre_stream", "mid_stream")
    assert before.value.status == during.value.status == 503
    assert before.value.retryable and during.value.retryable
    assert before.value.problem["type"] == "https://errors.test/overloaded"
    assert during.value.detail == "Busy in the middle."
    assert during.value.retry_after == pytest.approx(0.05)
    assert before.value.request_id and during.value.request_id
    assert texts(delivered) == ["t1"]


def test_a_connection_cut_before_the_terminal_event_raises_stream_truncated(
    base: str, recorder: Recorder
) -> None:
    recorder.drops.extend([2])
    delivered: list[Any] = []
    with client(base) as api, pytest.raises(StreamTruncated) as raised:
        for event in api.stream_events(CHAT_NO_RESUME, CHAT_EVENTS, json=ChatRequest()):
            delivered.append(event)
    assert texts(delivered) == ["t1", "t2"]
    assert raised.value.events_seen == 2
    assert raised.value.last_event_id == "2"
    assert len(recorder.requests) == 1  # delivered events, no resume: never retried


def test_a_non_idempotent_stream_cut_before_any_event_is_not_retried(
    base: str, recorder: Recorder
) -> None:
    recorder.drops.extend([0])
    with client(base) as api, pytest.raises(StreamTruncated) as raised:
        list(api.stream_events(CHAT_NO_RESUME, CHAT_EVENTS, json=ChatRequest()))
    assert raised.value.events_seen == 0
    assert raised.value.last_event_id is None
    assert len(recorder.requests) == 1


def test_an_idempotent_stream_cut_before_any_event_is_retried(
    base: str, recorder: Recorder
) -> None:
    recorder.drops.extend([0])
    with client(base) as api:
        stream = api.stream_events(JOB_EVENTS, JOB_EVENTS_ADAPTER, path_params={"job_id": "a"})
        events = list(stream)
    assert isinstance(events[-1], Finished)
    assert stream.connections == 2


def test_a_resumed_stream_reconnects_with_last_event_id_and_yields_no_duplicates(
    base: str, recorder: Recorder
) -> None:
    recorder.drops.extend([2, 2])  # two cuts: after t1, t2 and after (replayed t2), t3
    with client(base) as api:
        stream = api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(count=5))
        events = list(stream)
    assert texts(events) == ["t1", "t2", "t3", "t4", "t5"]
    assert isinstance(events[-1], Done)
    assert [request["last-event-id"] for request in recorder.requests] == ["", "2", "3"]
    keys = {request["idempotency-key"] for request in recorder.requests}
    assert len(keys) == 1 and keys != {""}
    assert stream.connections == 3


def test_a_retryable_error_event_resumes_after_its_retry_after_ms(
    base: str, recorder: Recorder
) -> None:
    started = time.monotonic()
    with client(base) as api:
        events = list(
            api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(scenario="fail_mid_once"))
        )
    assert time.monotonic() - started >= 0.3  # retry_after_ms: 300, the backoff is < 0.05 s
    assert texts(events) == ["t1", "t2", "t3"]
    # the error event took id 2: the reconnect asks for what follows it
    assert [request["last-event-id"] for request in recorder.requests] == ["", "2"]


def test_the_async_client_resumes_too(base: str, recorder: Recorder) -> None:
    recorder.drops.extend([3])

    async def run() -> list[Any]:
        async with aclient(base) as api:
            stream = api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(count=4))
            return [event async for event in stream]

    events = asyncio.run(run())
    assert texts(events) == ["t1", "t2", "t3", "t4"]
    assert [request["last-event-id"] for request in recorder.requests] == ["", "3"]


def test_the_async_client_raises_stream_truncated(base: str, recorder: Recorder) -> None:
    recorder.drops.extend([1])

    async def run() -> None:
        async with aclient(base) as api:
            async for _ in api.stream_events(CHAT_NO_RESUME, CHAT_EVENTS, json=ChatRequest()):
                pass

    with pytest.raises(StreamTruncated) as raised:
        asyncio.run(run())
    assert raised.value.events_seen == 1


def test_a_resumed_stream_gives_up_after_its_attempts(base: str, recorder: Recorder) -> None:
    recorder.drops.extend([1, 0, 0])
    with client(base) as api, pytest.raises(StreamTruncated) as raised:
        list(api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest()))
    assert raised.value.events_seen == 1
    assert len(recorder.requests) == 3  # FAST allows three attempts after the last progress


def test_a_stream_past_its_deadline_raises_stream_timeout(base: str, recorder: Recorder) -> None:
    timeouts = TimeoutSettings(stream_deadline=0.35)
    started = time.monotonic()
    with client(base, timeouts=timeouts) as api, pytest.raises(StreamTimeout) as raised:
        list(api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(scenario="slow")))
    assert 0.3 < time.monotonic() - started < 2
    assert raised.value.events_seen >= 3
    assert len(recorder.requests) == 1  # a deadline is never retried


def test_the_call_deadline_overrides_the_settings(base: str, recorder: Recorder) -> None:
    with client(base) as api, pytest.raises(StreamTimeout):
        list(api.stream_events(CHAT, CHAT_EVENTS, json=ChatRequest(scenario="slow"), deadline=0.2))
    assert len(recorder.requests) == 1
