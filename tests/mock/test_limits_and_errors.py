"""Limits as the runtime's edge enforces them, and `Prefer: error=...`, over real HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.mock._helpers import AUTH, CHAT, CHAT_BODY, serve, sse_frames

STREAMED = {**CHAT_BODY, "stream": True}


def _variant(tmp_path: Path, *replacements: tuple[str, str]) -> str:
    text = Path(CHAT).read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    spec = tmp_path / "variant.yaml"
    spec.write_text(text)
    return str(spec)


@pytest.fixture(scope="module")
def base() -> str:
    with serve() as url:
        yield url


def test_a_body_over_max_bytes_is_413(base: str) -> None:
    big = {**CHAT_BODY, "user": "x" * 1_100_000}
    response = httpx.post(base + "/v1/chat/completions", json=big, headers=AUTH)
    assert response.status_code == 413
    assert response.json()["code"] == "content_too_large"


def test_more_output_tokens_than_the_cap_is_refused_at_the_edge(base: str) -> None:
    response = httpx.post(
        base + "/v1/completions",
        json={"model": "m", "prompt": "p", "max_tokens": 5000},
        headers=AUTH,
    )
    assert response.status_code == 400
    assert "2048" in response.json()["detail"]


def test_a_spent_rate_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    # Windows are fixed and aligned to the clock: a day-long one is not crossed between the
    # three calls (a minute-long one was, once, when the first call compiled its schemas).
    spec = _variant(tmp_path, ("quota: 600, windowSeconds: 60", "quota: 2, windowSeconds: 86400"))
    with serve(spec) as base:
        answers = [httpx.get(base + "/v1/models/m", headers=AUTH) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"].startswith('"rpm"')


def test_a_client_that_disconnects_frees_its_concurrency_slot(tmp_path: Path) -> None:
    spec = _variant(tmp_path, ("maxConcurrentPerKey: 16", "maxConcurrentPerKey: 1"))
    with serve(spec, event_interval_ms=200) as base, httpx.Client(timeout=10) as client:
        with client.stream("POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH) as r:
            frames = sse_frames(r)  # kept: dropping the reader closes the response
            assert next(frames).event == "status"
            second = client.post(base + "/v1/chat/completions", json=STREAMED, headers=AUTH)
            assert second.status_code == 429
            assert second.json()["code"] == "concurrency_limit_exceeded"
        # the first stream was closed mid-way: its slot comes back
        for _ in range(50):
            with client.stream(
                "POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH
            ) as again:
                if again.status_code == 200:
                    break
            time.sleep(0.1)
        assert again.status_code == 200


def test_a_stream_longer_than_its_duration_ends_with_the_error_event(tmp_path: Path) -> None:
    spec = _variant(tmp_path, ("maxDurationSeconds: 600", "maxDurationSeconds: 1"))
    with (
        serve(spec, event_interval_ms=400) as base,
        httpx.stream(
            "POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH
        ) as response,
    ):
        frames = list(sse_frames(response))
    assert frames[-2].event == "error"
    assert frames[-2].json()["code"] == "stream_duration_exceeded"
    assert frames[-1].text == "[DONE]"


def test_prefer_error_before_the_stream_is_that_codes_problem(base: str) -> None:
    response = httpx.post(
        base + "/v1/chat/completions",
        json=STREAMED,
        headers={**AUTH, "Prefer": "error=rate_limited"},
    )
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert response.headers["retry-after"] == "1"
    overloaded = httpx.get(base + "/v1/models/m", headers={**AUTH, "Prefer": "error=overloaded"})
    assert overloaded.status_code == 503
    assert overloaded.json()["retryable"] is True


def test_prefer_error_mid_stream_is_the_error_event_after_some_events(base: str) -> None:
    headers = {**AUTH, "Prefer": "respond-async, error=overloaded; phase=mid_stream"}
    with httpx.stream(
        "POST", base + "/v1/chat/completions", json=STREAMED, headers=headers
    ) as response:
        assert response.status_code == 200
        frames = list(sse_frames(response))
    assert [frame.event for frame in frames[:-2]] == ["status", "delta"]
    error = frames[-2]
    assert error.event == "error"
    assert error.json() == {
        "code": "overloaded",
        "message": "Overloaded (asked for with Prefer).",
        "retryable": True,
        "status": 503,
    }
    assert frames[-1].text == "[DONE]"


@pytest.mark.parametrize(
    ("prefer", "why"),
    [
        ("error=no_such_code", "not a code"),
        ("error=rate_limited; phase=mid_stream", "not sent mid_stream"),
        ("error=overloaded; phase=later", "phase must be"),
    ],
)
def test_a_preference_the_contract_cannot_honour_is_400(base: str, prefer: str, why: str) -> None:
    response = httpx.post(
        base + "/v1/chat/completions", json=STREAMED, headers={**AUTH, "Prefer": prefer}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert why in response.json()["detail"]


def test_mid_stream_on_a_json_response_is_400(base: str) -> None:
    response = httpx.post(
        base + "/v1/chat/completions",
        json=CHAT_BODY,
        headers={**AUTH, "Prefer": "error=overloaded; phase=mid_stream"},
    )
    assert response.status_code == 400
