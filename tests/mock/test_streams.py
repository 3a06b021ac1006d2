"""Streams over real HTTP: declared events, valid payloads, one terminal, sentinel, timing."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import httpx
import pytest

from contractgen.model.stream import Stream
from tests.mock._helpers import AUTH, CHAT, CHAT_BODY, Frame, Schemas, serve, sse_frames

STREAMED = {**CHAT_BODY, "stream": True}


@pytest.fixture(scope="module")
def chat() -> Schemas:
    return Schemas(CHAT)


@pytest.fixture(scope="module")
def stream(chat: Schemas) -> Stream:
    op = chat.contract.operation("createChatCompletion")
    assert op is not None
    return op.streams[0]


def _read(base: str, body: object = STREAMED, headers: dict[str, str] | None = None) -> list[Frame]:
    with httpx.stream(
        "POST", base + "/v1/chat/completions", json=body, headers={**AUTH, **(headers or {})}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(sse_frames(response))


def _check_stream(frames: list[Frame], stream: Stream, chat: Schemas) -> list[Frame]:
    """Every event a declared type valid against its payload, one terminal last, then [DONE]."""
    assert frames[-1].event is None and frames[-1].text == stream.sentinel == "[DONE]"
    events = frames[:-1]
    names = set(stream.event_names)
    for frame in events:
        assert frame.event in names, frame
        declared = stream.event(frame.event or "")
        assert declared is not None and declared.payload is not None
        chat.check(declared.payload, frame.json())
        assert frame.id is not None
    terminal = [frame for frame in events if frame.event in stream.terminal]
    assert len(terminal) == 1 and terminal[0] is events[-1]
    return events


def test_an_sse_stream_reads_event_by_event(chat: Schemas, stream: Stream) -> None:
    with serve() as base:
        events = _check_stream(_read(base), stream, chat)
    assert [frame.event for frame in events][:2] == ["status", "delta"]
    assert events[-1].event == "done"
    assert len(events) >= 5
    assert [int(frame.id or 0) for frame in events] == list(range(1, len(events) + 1))


def test_the_same_seed_streams_the_same_bytes() -> None:
    def raw(seed: int) -> bytes:
        with (
            serve(seed=seed) as base,
            httpx.stream("POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH) as r,
        ):
            return r.read()

    assert raw(3) == raw(3)
    assert raw(3) != raw(4)


def test_the_stream_flag_selects_json(chat: Schemas) -> None:
    with serve() as base:
        response = httpx.post(
            base + "/v1/chat/completions", json={**CHAT_BODY, "stream": False}, headers=AUTH
        )
    assert response.headers["content-type"].startswith("application/json")
    chat.check(chat.response("createChatCompletion"), response.json())


def test_last_event_id_resumes_after_the_events_seen(chat: Schemas, stream: Stream) -> None:
    with serve() as base:
        whole = _check_stream(_read(base), stream, chat)
        resumed = _check_stream(_read(base, headers={"Last-Event-ID": "2"}), stream, chat)
    assert [f.id for f in resumed] == [f.id for f in whole][2:]
    assert [f.text for f in resumed] == [f.text for f in whole][2:]


def test_first_event_ms_and_event_interval_ms_shape_the_timing(
    chat: Schemas, stream: Stream
) -> None:
    with serve(first_event_ms=400, event_interval_ms=100) as base:
        started = time.monotonic()
        arrivals = []
        with httpx.stream(
            "POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH
        ) as response:
            frames = []
            for frame in sse_frames(response):
                arrivals.append(time.monotonic() - started)
                frames.append(frame)
    _check_stream(frames, stream, chat)
    assert arrivals[0] >= 0.4
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals[:-1])]
    assert all(gap >= 0.08 for gap in gaps), gaps


def test_heartbeats_come_at_the_declared_interval(tmp_path) -> None:
    text = (
        Path(CHAT)
        .read_text()
        .replace(
            "heartbeat: {comment: true, intervalSeconds: 15}",
            "heartbeat: {comment: true, intervalSeconds: 1}",
        )
        .replace("heartbeatSeconds: 15", "heartbeatSeconds: 1")
    )
    spec = tmp_path / "beats.yaml"
    spec.write_text(text)
    with (
        serve(str(spec), first_event_ms=0, event_interval_ms=1300) as base,
        httpx.stream(
            "POST", base + "/v1/chat/completions", json=STREAMED, headers=AUTH
        ) as response,
    ):
        frames = []
        for frame in sse_frames(response):
            frames.append(frame)
            if len(frames) == 3:
                break
    assert any("keep-alive" in frame.comments for frame in frames[1:])


def test_a_jsonl_stream_ends_with_its_terminal_item(tmp_path) -> None:
    spec = tmp_path / "jsonl.yaml"
    spec.write_text(
        """
openapi: 3.2.0
info: {title: Lines, version: "1"}
paths:
  /jobs:
    post:
      operationId: runJob
      responses:
        '200':
          description: Progress lines.
          content:
            application/jsonl:
              itemSchema:
                oneOf:
                  - type: object
                    required: [type, percent]
                    properties:
                      type: {const: progress}
                      percent: {type: integer, minimum: 0, maximum: 100}
                  - type: object
                    required: [type, result]
                    properties: {type: {const: finished}, result: {type: string}}
                  - type: object
                    required: [type, code, message, retryable]
                    properties:
                      type: {const: failed}
                      code: {type: string}
                      message: {type: string}
                      retryable: {type: boolean}
              x-contract-stream:
                discriminator: data#/type
                terminal: [finished, failed]
                errorEvent: failed
"""
    )
    with serve(str(spec)) as base, httpx.stream("POST", base + "/jobs") as response:
        assert response.headers["content-type"].startswith("application/jsonl")
        items = [json.loads(line) for line in response.iter_lines() if line]
    assert {item["type"] for item in items[:-1]} == {"progress"}
    assert items[-1]["type"] == "finished"
    assert all(0 <= item["percent"] <= 100 for item in items[:-1])
