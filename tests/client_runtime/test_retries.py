"""Retries, idempotency keys and the circuit breaker, against the real server runtime."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contractgen.client_runtime.breaker import BreakerSettings, CircuitBreaker
from contractgen.client_runtime.client import AsyncBaseClient, BaseClient, render_path
from contractgen.client_runtime.config import ClientConfig
from contractgen.client_runtime.errors import CircuitOpen
from contractgen.client_runtime.retry import RetryPlan, RetryPolicy
from tests.client_runtime._app import (
    BODY_LIMIT,
    CLIENT_CATALOGUE,
    COMPLETE,
    COMPLETION,
    JOB_EVENTS,
    JOB_EVENTS_ADAPTER,
    CompleteRequest,
    ContentTooLargeError,
    OverloadedError,
    RateLimitedError,
    Recorder,
    serve,
)
from tests.runtime._servers import free_port

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, budget_seconds=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


def test_429_with_retry_after_waits_then_succeeds(base: str, recorder: Recorder) -> None:
    started = time.monotonic()
    with client(base) as api:
        result = api.request_json(
            COMPLETE, COMPLETION, json=CompleteRequest(scenario="rate_limited_once")
        )
    waited = time.monotonic() - started
    assert result.attempt == 2
    assert waited >= 0.95  # Retry-After: 1, where the backoff alone would be < 0.05 s
    assert waited < 3


def test_413_raises_the_typed_error_without_a_retry(base: str, recorder: Recorder) -> None:
    with client(base) as api, pytest.raises(ContentTooLargeError) as raised:
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest(padding="x" * BODY_LIMIT))
    assert raised.value.status == 413 and not raised.value.retryable
    assert raised.value.problem["code"] == "content_too_large"
    assert recorder.calls == {}  # refused at the edge, once


def test_the_idempotency_key_is_the_same_on_every_retry(base: str, recorder: Recorder) -> None:
    with client(base) as api:
        result = api.request_json(
            COMPLETE, COMPLETION, json=CompleteRequest(scenario="overloaded_twice")
        )
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest())
    assert result.attempt == 3
    keys = [request["idempotency-key"] for request in recorder.requests]
    assert len(keys) == 4
    assert keys[0] == keys[1] == keys[2] != keys[3]
    assert len(keys[0]) == 36  # a uuid4


def test_a_caller_key_is_kept_and_idempotent_methods_send_none(
    base: str, recorder: Recorder
) -> None:
    with client(base) as api:
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest(), idempotency_key="mine")
    assert recorder.requests[0]["idempotency-key"] == "mine"
    with client(base) as api:
        list(api.stream_events(JOB_EVENTS, JOB_EVENTS_ADAPTER, path_params={"job_id": "g"}))
    assert recorder.requests[1]["idempotency-key"] == ""  # a GET needs none


def test_retries_stop_at_max_attempts(base: str, recorder: Recorder) -> None:
    recorder.healthy = False
    with client(base) as api, pytest.raises(OverloadedError):
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest(scenario="health"))
    assert recorder.calls["health"] == 3


def test_the_budget_stops_a_retry_that_would_wait_too_long(base: str, recorder: Recorder) -> None:
    tight = RetryPolicy(max_attempts=5, base_delay=0.01, budget_seconds=0.5)
    started = time.monotonic()
    with client(base, retry=tight) as api, pytest.raises(RateLimitedError) as raised:
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest(scenario="rate_limited_once"))
    assert time.monotonic() - started < 0.9  # Retry-After: 1 does not fit in 0.5 s
    assert raised.value.retry_after == 1.0
    assert recorder.calls["rate_limited_once"] == 1


def test_a_refused_connection_is_retried_even_for_post() -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    api = client(base)
    started = time.monotonic()
    with pytest.raises(httpx.ConnectError):
        api.request_json(COMPLETE, COMPLETION, json=CompleteRequest())
    assert time.monotonic() - started < 2
    breaker = api.breakers["complete"]
    assert breaker.failures == 3  # every attempt was made and counted


def test_the_circuit_opens_fails_fast_and_recovers_after_the_cool_down(
    base: str, recorder: Recorder
) -> None:
    clock = Clock()
    settings = BreakerSettings(failure_threshold=2, cooldown_seconds=10)
    once = RetryPolicy(max_attempts=1)
    api = client(base, retry=once, breaker=settings, clock=clock)
    body = CompleteRequest(scenario="health")
    recorder.healthy = False
    for _ in range(2):
        with pytest.raises(OverloadedError):
            api.request_json(COMPLETE, COMPLETION, json=body)
    with pytest.raises(CircuitOpen) as raised:
        api.request_json(COMPLETE, COMPLETION, json=body)
    assert raised.value.remaining == pytest.approx(10)
    assert raised.value.operation_id == "complete"
    assert recorder.calls["health"] == 2  # the open circuit sent nothing
    clock.now += 4
    with pytest.raises(CircuitOpen) as raised:
        api.request_json(COMPLETE, COMPLETION, json=body)
    assert raised.value.remaining == pytest.approx(6)
    clock.now += 6
    with pytest.raises(OverloadedError):  # the probe goes through and fails: open again
        api.request_json(COMPLETE, COMPLETION, json=body)
    assert recorder.calls["health"] == 3
    with pytest.raises(CircuitOpen):
        api.request_json(COMPLETE, COMPLETION, json=body)
    clock.now += 10
    recorder.healthy = True
    assert api.request_json(COMPLETE, COMPLETION, json=body).attempt == 4  # the probe
    assert api.breakers["complete"].state == "closed"
    assert api.request_json(COMPLETE, COMPLETION, json=body).attempt == 5


def test_a_non_retryable_error_does_not_open_the_circuit(base: str, recorder: Recorder) -> None:
    settings = BreakerSettings(failure_threshold=1, cooldown_seconds=10)
    api = client(base, breaker=settings)
    for _ in range(3):
        with pytest.raises(ContentTooLargeError):
            api.request_json(COMPLETE, COMPLETION, json=CompleteRequest(padding="x" * 500))
    assert api.breakers["complete"].state == "closed"


def test_half_open_lets_one_probe_through_at_a_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(
        "op", BreakerSettings(failure_threshold=1, cooldown_seconds=5), clock=clock
    )
    breaker.before()
    breaker.failure()
    clock.now += 5
    breaker.before()  # the probe
    with pytest.raises(CircuitOpen) as raised:
        breaker.before()
    assert raised.value.remaining == 0
    breaker.release()  # the probe ended without a verdict
    breaker.before()
    breaker.success()
    breaker.before()
    breaker.before()


def test_backoff_is_full_jitter_capped_and_exponential() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=1, max_delay=5, budget_seconds=1000)
    plan = RetryPlan(policy, idempotent=True, jitter=lambda: 0.999)
    ceilings = []
    for _ in range(5):
        plan.attempt()
        ceilings.append(round(plan.backoff(), 2))
    assert ceilings == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert RetryPlan(policy, idempotent=True, jitter=lambda: 0.0).backoff() == 0.0


def test_render_path_encodes_each_parameter_as_one_segment() -> None:
    assert (
        render_path("/v1/jobs/{job_id}/events", {"job_id": "a/b c"}) == "/v1/jobs/a%2Fb%20c/events"
    )
    with pytest.raises(ValueError):
        render_path("/v1/jobs/{job_id}", {})


def test_the_async_client_retries_with_one_idempotency_key(base: str, recorder: Recorder) -> None:
    async def run() -> Any:
        config = ClientConfig(base_url=base, retry=FAST)
        async with AsyncBaseClient(config, catalogue=CLIENT_CATALOGUE) as api:
            return await api.request_json(
                COMPLETE, COMPLETION, json=CompleteRequest(scenario="overloaded_twice")
            )

    assert asyncio.run(run()).attempt == 3
    keys = {request["idempotency-key"] for request in recorder.requests}
    assert len(keys) == 1 and keys != {""}


def test_the_async_client_raises_the_typed_error(base: str, recorder: Recorder) -> None:
    async def run() -> None:
        async with AsyncBaseClient(base, catalogue=CLIENT_CATALOGUE) as api:
            await api.request_json(COMPLETE, COMPLETION, json={"padding": "x" * 500})

    with pytest.raises(ContentTooLargeError):
        asyncio.run(run())
