"""The example contract scaffolded, installed in a venv of its own, served and called for real.

The contract is specs/chat-service.yaml with its time and rate limits shortened so that a
test can reach them (a 2 s stream instead of 600 s, 30 requests a minute instead of 600,
one open stream per key instead of 16). The implementation is the user's file, written
here as a user would: canned answers, a stream that never ends, a stream that fails.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.scaffold._harness import ROOT, install, install_client, scaffold, serve

SPEC = ROOT / "specs" / "chat-service.yaml"
PACKAGE = "chat_service"
RPM = 30
CHAT = "/v1/chat/completions"

IMPLEMENTATION = '''\
"""The end-to-end test's chat service: canned answers, a stream that never ends, one that fails."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

from . import models, streams
from ._runtime.context import ContractError, RequestContext
from .service import Service

USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
BUSY: set[str] = set()
"""Models that have already answered "busy" once."""
DOWN_CALLS = 3
"""`retrieve_model("down")` answers 503 `overloaded` this many times, then the model."""
CALLS: dict[str, int] = {}


def mark(text: str) -> None:
    """Tell the test what happened, through a file it names (the server is another process)."""
    path = os.environ.get("CHAT_E2E_MARKS")
    if path:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(text + "\\n")


class Implementation(Service):
    async def create_chat_completion(
        self,
        body: models.ChatCompletionRequest,
        *,
        idempotency_key: str | None = None,
        last_event_id: str | None = None,
        context: RequestContext,
    ) -> models.ChatCompletion | AsyncIterator[streams.CreateChatCompletionEvent]:
        if body.messages[-1].content == "refuse":  # before any event: a problem response
            raise ContractError("invalid_request", "refused before the answer")
        if body.stream:
            return self.answer(body.messages[-1].content, body.model, context, last_event_id)
        return models.ChatCompletion.model_validate(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Hello there!"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": USAGE,
            }
        )

    async def answer(
        self, prompt: str, model: str, context: RequestContext, last_event_id: str | None
    ) -> AsyncIterator[streams.CreateChatCompletionEvent]:
        try:
            mark(f"started {context.request_id}")
            if prompt == "resumable":  # replays what follows Last-Event-ID (ids count from 1)
                mark(f"resumable after {last_event_id}")
                for event in self.script(model)[int(last_event_id or 0) :]:
                    yield event
                return
            if prompt == "thinking":  # a model that takes its time before the first token
                await asyncio.sleep(30)
            status = {"id": "chatcmpl-1", "model": model, "created": 0, "state": "in_progress"}
            yield streams.CreateChatCompletionStatusEvent(
                data=models.StreamStatus.model_validate(status)
            )
            if prompt == "quiet":
                await asyncio.sleep(1.5)
            if prompt == "slow":
                while True:
                    await asyncio.sleep(0.3)
                    yield self.delta(".")
            if prompt == "refuse-later":  # after an event: the stream's error event
                raise ContractError("invalid_request", "refused during the answer")
            yield self.delta("Hello")
            if prompt == "explode":
                raise RuntimeError("the database password hunter2 in a traceback")
            yield self.delta(" there!")
            done = {"id": "chatcmpl-1", "finish_reason": "stop", "usage": USAGE}
            yield streams.CreateChatCompletionDoneEvent(
                data=models.StreamDone.model_validate(done)
            )
        finally:
            mark(f"closed {context.request_id}")

    async def retrieve_model(self, *, model_id: str, context: RequestContext) -> models.Model:
        mark(f"retrieve {model_id}")
        CALLS[model_id] = CALLS.get(model_id, 0) + 1
        if model_id == "down" and CALLS[model_id] <= DOWN_CALLS:
            raise ContractError("overloaded", "out of capacity for a moment")
        if model_id == "busy-once" and model_id not in BUSY:
            BUSY.add(model_id)
            raise ContractError("rate_limited", "try again in a second", retry_after=1)
        return models.Model.model_validate(
            {
                "id": model_id,
                "object": "model",
                "created": 0,
                "owned_by": "e2e",
                "context_window": 8192,
                "max_output_tokens": 1024,
            }
        )

    def script(self, model: str) -> list[streams.CreateChatCompletionEvent]:
        """A whole answer, event by event."""
        status = {"id": "chatcmpl-2", "model": model, "created": 0, "state": "in_progress"}
        done = {"id": "chatcmpl-2", "finish_reason": "stop", "usage": USAGE}
        return [
            streams.CreateChatCompletionStatusEvent(
                data=models.StreamStatus.model_validate(status)
            ),
            self.delta("Hel"),
            self.delta("lo"),
            self.delta(" there!"),
            streams.CreateChatCompletionDoneEvent(data=models.StreamDone.model_validate(done)),
        ]

    def delta(self, text: str) -> streams.CreateChatCompletionDeltaEvent:
        piece = models.StreamDelta.model_validate({"index": 0, "content": text})
        return streams.CreateChatCompletionDeltaEvent(data=piece)

    async def connect_realtime(
        self,
        messages: AsyncIterator[streams.ConnectRealtimeClientMessage],
        *,
        model: str,
        context: RequestContext,
    ) -> AsyncIterator[streams.ConnectRealtimeServerMessage]:
        session = {"id": "sess_1", "model": model, "expires_at": 0}
        yield models.SessionCreatedMessage.model_validate(
            {"type": "session.created", "session": session}
        )
        async for message in messages:
            if isinstance(message, models.ResponseCreateMessage):
                request_id = message.request_id
                yield models.ResponseDeltaMessage.model_validate(
                    {"type": "response.delta", "request_id": request_id, "content": "Hello"}
                )
                yield models.ResponseDoneMessage.model_validate(
                    {
                        "type": "response.done",
                        "request_id": request_id,
                        "finish_reason": "stop",
                        "usage": USAGE,
                    }
                )
'''


def shortened_contract(target: Path) -> Path:
    """The example contract with limits a test can reach in seconds."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    document["x-contract-limits"]["rateLimits"][0]["quota"] = RPM
    chat = document["paths"][CHAT]["post"]
    chat["x-contract-limits"]["stream"] = {
        "maxDurationSeconds": 2,
        "idleTimeoutSeconds": 30,
        "heartbeatSeconds": 1,
        "maxConcurrentPerKey": 1,
    }
    stream = chat["responses"]["200"]["content"]["text/event-stream"]["x-contract-stream"]
    stream["heartbeat"]["intervalSeconds"] = 1
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


class Service:
    """The running project: its folder, its venv's python, its URL and its logs."""

    def __init__(self, project: Path, python: Path, url: str, marks: Path, spec: Path) -> None:
        self.project = project
        self.python = python
        self.url = url
        self.marks = marks
        self.spec = spec

    def log(self) -> str:
        return "".join(path.read_text() for path in self.project.glob("server-*.log"))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    base = tmp_path_factory.mktemp("e2e")
    spec = shortened_contract(base / "chat-service.yaml")
    project = base / "project"
    result = scaffold(spec, project)
    assert result.returncode == 0, result.stderr
    (project / PACKAGE / "implementation.py").write_text(IMPLEMENTATION, encoding="utf-8")
    python = install(project, base / "venv")
    install_client(python, project / "client")
    marks = base / "marks.txt"
    with serve(python, PACKAGE, project, env={"CHAT_E2E_MARKS": str(marks)}) as url:
        yield Service(project, python, url, marks, spec)


def key(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}"}


def chat_body(prompt: str, *, stream: bool) -> dict[str, Any]:
    return {
        "model": "chat-small",
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 64,
        "stream": stream,
    }


def frames(text: str) -> list[dict[str, str]]:
    """SSE frames of a whole body; a comment-only frame is kept as {":": comment}."""
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        frame: dict[str, str] = {}
        for line in block.split("\n"):
            if not line:
                continue
            name, _, value = line.partition(":")
            frame[name or ":"] = value.removeprefix(" ")
        if frame:
            found.append(frame)
    return found


def test_the_project_s_own_tests_lint_and_types_pass(service: Service) -> None:
    for command in (
        ["-m", "pytest", "-q", "-p", "no:cacheprovider"],
        ["-m", "ruff", "check", "--no-cache", "."],
        ["-m", "mypy"],
    ):
        done = subprocess.run(
            [str(service.python), *command],
            cwd=service.project,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"


def test_a_json_answer_and_the_request_id(service: Service) -> None:
    response = httpx.post(
        service.url + CHAT,
        json=chat_body("hi", stream=False),
        headers={**key("json"), "X-Request-ID": "req-e2e-1"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "Hello there!"
    assert response.headers["X-Request-ID"] == "req-e2e-1"
    assert "RateLimit" in response.headers


def test_a_call_without_a_credential_is_refused_with_401(service: Service) -> None:
    response = httpx.post(
        service.url + CHAT,
        json=chat_body("hi", stream=False),
        headers={"X-Request-ID": "req-e2e-anonymous"},
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["X-Request-ID"] == "req-e2e-anonymous"
    assert "RateLimit" not in response.headers, "a refused call spends no quota"

    url = service.url.replace("http://", "ws://") + "/v1/realtime?model=chat-small"
    with pytest.raises(InvalidStatus) as denied, connect(url, subprotocols=["chat.v1"]):  # type: ignore[list-item]
        pass
    assert denied.value.response.status_code == 401
    assert json.loads(denied.value.response.body or b"{}")["code"] == "unauthorized"


def test_a_chat_answer_streams_over_sse(service: Service) -> None:
    with httpx.stream(
        "POST", service.url + CHAT, json=chat_body("hi", stream=True), headers=key("sse")
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode()
    events = [frame for frame in frames(text) if "event" in frame]
    assert [frame["event"] for frame in events] == ["status", "delta", "delta", "done"]
    assert [frame["id"] for frame in events] == ["1", "2", "3", "4"]
    assert json.loads(events[1]["data"]) == {"index": 0, "content": "Hello"}
    assert frames(text)[-1] == {"data": "[DONE]"}


def test_a_resumed_stream_continues_the_ids(service: Service) -> None:
    response = httpx.post(
        service.url + CHAT,
        json=chat_body("hi", stream=True),
        headers={**key("resume"), "Last-Event-ID": "41"},
    )
    ids = [frame["id"] for frame in frames(response.text) if "id" in frame]
    assert ids[0] == "42"


def test_a_body_over_the_limit_is_413_with_and_without_content_length(service: Service) -> None:
    too_big = b'{"model": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    sized = httpx.post(
        service.url + CHAT,
        content=too_big,
        headers={**key("big"), "Content-Type": "application/json"},
    )
    assert sized.status_code == 413
    assert sized.json()["code"] == "content_too_large"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(too_big), 64 * 1024):
            yield too_big[start : start + 64 * 1024]

    chunked = httpx.post(
        service.url + CHAT,
        content=chunks(),
        headers={**key("big-chunked"), "Content-Type": "application/json"},
    )
    assert "content-length" not in chunked.request.headers
    assert chunked.status_code == 413
    assert chunked.json()["code"] == "content_too_large"
    assert chunked.headers["content-type"].startswith("application/problem+json")


def test_the_rate_limit_answers_429_with_retry_after(service: Service) -> None:
    with httpx.Client(base_url=service.url, headers=key("rate")) as client:
        statuses = [client.get("/v1/models/chat-small").status_code for _ in range(RPM)]
        assert 429 not in statuses
        refused = client.get("/v1/models/chat-small")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert f'"rpm";q={RPM};w=60' in refused.headers["RateLimit-Policy"]
    assert refused.headers["RateLimit"].startswith('"rpm";r=0;t=')


def test_a_stream_over_its_duration_ends_with_the_catalogue_error(service: Service) -> None:
    started = time.monotonic()
    response = httpx.post(
        service.url + CHAT, json=chat_body("slow", stream=True), headers=key("slow"), timeout=10
    )
    elapsed = time.monotonic() - started
    received = frames(response.text)
    events = [frame for frame in received if "event" in frame]
    assert events[-1]["event"] == "error"
    error = json.loads(events[-1]["data"])
    assert error["code"] == "stream_duration_exceeded"
    assert error["status"] == 504
    assert received[-1] == {"data": "[DONE]"}
    assert 2 <= elapsed < 5


def test_a_quiet_stream_sends_heartbeats(service: Service) -> None:
    """`quiet` is silent for 1.5 s after its first event; the heartbeat is every second."""
    response = httpx.post(
        service.url + CHAT, json=chat_body("quiet", stream=True), headers=key("beat"), timeout=10
    )
    received = frames(response.text)
    assert "event" in received[0]
    assert {":": "keep-alive"} in received
    assert [frame["event"] for frame in received if "event" in frame][-1] == "done"


def test_a_disconnect_frees_the_stream_slot_and_closes_the_service(service: Service) -> None:
    url = service.url + CHAT
    with httpx.Client(headers=key("slot"), timeout=10) as client:
        with client.stream("POST", url, json=chat_body("slow", stream=True)) as first:
            request_id = first.headers["X-Request-ID"]
            lines = first.iter_lines()  # kept: a dropped iterator would close the response
            assert next(lines).startswith("event:")
            second = client.post(url, json=chat_body("slow", stream=True))
            assert second.status_code == 429
            assert second.json()["code"] == "concurrency_limit_exceeded"
        # the first client is gone: within a second its slot is free and its iterator closed
        deadline = time.monotonic() + 1.5
        while True:
            with client.stream("POST", url, json=chat_body("hi", stream=True)) as third:
                if third.status_code == 200:
                    third.read()
                    break
            assert time.monotonic() < deadline, "the slot was not freed"
            time.sleep(0.1)
    assert f"closed {request_id}" in service.marks.read_text()


def test_a_client_that_leaves_before_the_first_event_frees_the_slot(service: Service) -> None:
    """The service is still thinking when its client goes: it is closed, the slot freed."""
    request_id = "e2e-leaves-early"
    body = json.dumps(chat_body("thinking", stream=True))
    head = {
        **key("early"),
        "Host": "localhost",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Request-ID": request_id,
    }
    request = f"POST {CHAT} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as client:
        client.sendall((request + "\r\n" + body).encode())
        wait_for_mark(service, f"started {request_id}", within=5)
    wait_for_mark(service, f"closed {request_id}", within=1.0)
    with httpx.stream(
        "POST", service.url + CHAT, json=chat_body("hi", stream=True), headers=key("early")
    ) as again:
        assert again.status_code == 200, "the slot was not freed"


def wait_for_mark(service: Service, text: str, *, within: float) -> None:
    deadline = time.monotonic() + within
    while text not in (service.marks.read_text() if service.marks.exists() else ""):
        assert time.monotonic() < deadline, f"no {text!r} within {within} s"
        time.sleep(0.02)


def test_a_mid_stream_exception_leaks_nothing(service: Service) -> None:
    response = httpx.post(
        service.url + CHAT, json=chat_body("explode", stream=True), headers=key("boom")
    )
    assert response.status_code == 200
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    events = [frame for frame in frames(response.text) if "event" in frame]
    assert [frame["event"] for frame in events] == ["status", "delta", "error"]
    error = json.loads(events[-1]["data"])
    assert error["code"] == "internal_error"
    assert frames(response.text)[-1] == {"data": "[DONE]"}
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 5
    while "hunter2" not in service.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = [line for line in service.log().splitlines() if "hunter2" in line]
    assert logged and request_id in logged[0]


def test_a_chat_answer_over_the_websocket(service: Service) -> None:
    url = service.url.replace("http://", "ws://") + "/v1/realtime?model=chat-small"
    with connect(url, subprotocols=["chat.v1"], additional_headers=key("ws")) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "chat.v1"
        assert json.loads(ws.recv())["type"] == "session.created"
        ws.send(
            json.dumps(
                {
                    "type": "response.create",
                    "request_id": "req_1",
                    "messages": [{"role": "user", "content": "hi"}],
                }
            )
        )
        replies = [json.loads(ws.recv()), json.loads(ws.recv())]
    assert [reply["type"] for reply in replies] == ["response.delta", "response.done"]
    assert {reply["request_id"] for reply in replies} == {"req_1"}


def test_an_oversized_websocket_message_closes_1009(service: Service) -> None:
    url = service.url.replace("http://", "ws://") + "/v1/realtime?model=chat-small"
    with connect(url, subprotocols=["chat.v1"], additional_headers=key("ws-big")) as ws:  # type: ignore[list-item]
        ws.recv()
        ws.send(json.dumps({"type": "session.update", "padding": "x" * 200_000}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


def test_the_served_openapi_has_no_breaking_change_from_the_contract(service: Service) -> None:
    served = service.project / "served-openapi.json"
    served.write_text(httpx.get(service.url + "/openapi.json").text, encoding="utf-8")
    diff = subprocess.run(
        [
            sys.executable,
            "-m",
            "contractgen",
            "diff",
            "--format",
            "json",
            str(service.spec),
            str(served),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 0, diff.stdout + diff.stderr
    summary = json.loads(diff.stdout)["summary"]
    assert summary["breaking"] == 0
    assert summary["total"] == 0  # the very same description, not merely a compatible one


def test_the_implementation_stays_the_user_s_on_a_rerun(service: Service) -> None:
    again = scaffold(service.spec, service.project)
    assert again.returncode == 0, again.stderr
    assert (service.project / PACKAGE / "implementation.py").read_text() == IMPLEMENTATION
    assert " 0 written" in again.stderr


# --- the generated client (client/), installed in the same venv, against the same service ---

CLIENT_CHECKS = Path(__file__).with_name("_client_checks.py")


def client_case(service: Service, name: str) -> dict[str, Any]:
    """One case of _client_checks.py, run by the project venv's Python (no contractgen)."""
    done = subprocess.run(
        [str(service.python), str(CLIENT_CHECKS), name, service.url],
        cwd=service.project.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


def event_validators(service: Service) -> dict[str, Any]:
    """Event type -> a Draft 2020-12 validator of its schema in events/ (read from index.json)."""
    from jsonschema import Draft202012Validator

    events = service.project / "events"
    index = json.loads((events / "index.json").read_text())
    files = index["operations"]["createChatCompletion"]["streams"][0]["events"]
    validators = {}
    for name, file in files.items():
        schema = json.loads((events / file).read_text())
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema)
    return validators


def assert_valid_events(service: Service, events: list[dict[str, Any]]) -> None:
    validators = event_validators(service)
    for event in events:
        problems = [
            error.message for error in validators[event["event"]].iter_errors(event["data"])
        ]
        assert problems == [], (event, problems)


def test_the_client_reads_a_whole_stream_of_typed_events(service: Service) -> None:
    seen = client_case(service, "stream")
    events = seen["events"]
    assert [event["event"] for event in events] == ["status", "delta", "delta", "done"]
    assert [event["id"] for event in events] == ["1", "2", "3", "4"]
    assert "".join(event["data"]["content"] for event in events[1:3]) == "Hello there!"
    assert seen["request_id"]
    assert_valid_events(service, events)
    asynchronous = client_case(service, "async_stream")["events"]
    assert [event["event"] for event in asynchronous] == ["status", "delta", "delta", "done"]
    assert_valid_events(service, asynchronous)


def test_the_client_s_json_method_asks_for_json_whatever_the_body_says(service: Service) -> None:
    assert client_case(service, "json_answer") == {
        "class": "ChatCompletion",
        "content": "Hello there!",
    }


def test_the_client_talks_over_the_websocket(service: Service) -> None:
    seen = client_case(service, "websocket")
    assert seen["subprotocol"] == "chat.v1"
    assert seen["first"] == "SessionCreatedMessage"
    assert [reply["type"] for reply in seen["replies"]] == ["response.delta", "response.done"]
    assert {reply["request_id"] for reply in seen["replies"]} == {"req_client"}


def test_the_client_retries_a_429_after_its_retry_after(service: Service) -> None:
    seen = client_case(service, "retried")
    assert seen["id"] == "busy-once"
    assert seen["elapsed"] >= 1.0  # it waited for Retry-After: 1
    calls = [
        line for line in service.marks.read_text().splitlines() if line == "retrieve busy-once"
    ]
    assert len(calls) == 2


def test_the_client_raises_the_typed_413(service: Service) -> None:
    seen = client_case(service, "too_large")
    assert seen["class"] == "ContentTooLargeError", seen
    assert (seen["status"], seen["code"], seen["phase"]) == (413, "content_too_large", "pre_stream")
    assert seen["catalogue_base"] is True


def test_a_mid_stream_error_raises_the_class_of_its_http_form(service: Service) -> None:
    seen = client_case(service, "refused")
    assert seen["http"]["class"] == seen["event"]["class"] == "InvalidRequestError", seen
    assert (seen["http"]["phase"], seen["event"]["phase"]) == ("pre_stream", "mid_stream")
    assert seen["http"]["status"] == seen["event"]["status"] == 400
    assert [event["event"] for event in seen["delivered"]] == ["status"]
    assert_valid_events(service, seen["delivered"])


def test_a_dropped_stream_raises_stream_truncated(service: Service) -> None:
    seen = client_case(service, "truncated")
    assert seen["class"] == "StreamTruncated", seen
    assert [event["event"] for event in seen["delivered"]] == ["status", "delta"]
    assert (seen["events_seen"], seen["last_event_id"]) == (2, "2")
    assert_valid_events(service, seen["delivered"])


def test_a_dropped_stream_resumes_with_last_event_id_and_no_duplicate(service: Service) -> None:
    """A proxy cuts the first connection after event 2; the client resumes from there."""
    seen = client_case(service, "resumed")
    events = seen["events"]
    assert [event["event"] for event in events] == ["status", "delta", "delta", "delta", "done"]
    assert [event["id"] for event in events] == ["1", "2", "3", "4", "5"]
    assert "".join(event["data"]["content"] for event in events[1:4]) == "Hello there!"
    assert_valid_events(service, events)
    assert seen["connections"] == 2
    assert seen["last_event_ids"] == [None, "2"]
    assert seen["idempotency_keys"] == [seen["idempotency_key"]] * 2  # one key, resume included
    marks = service.marks.read_text().splitlines()
    assert "resumable after None" in marks and "resumable after 2" in marks


def test_the_circuit_breaker_opens_fails_fast_and_recovers(service: Service) -> None:
    """Three 503s open it; the fourth call never reaches the service; the probe closes it."""
    seen = client_case(service, "breaker")
    assert seen["outcomes"] == [
        "OverloadedError 503",
        "OverloadedError 503",
        "OverloadedError 503",
        "CircuitOpen remaining>0=True fast=True",
        "ok",
        "ok",
    ]
    assert seen["state"] == "closed"
    calls = [line for line in service.marks.read_text().splitlines() if line == "retrieve down"]
    assert len(calls) == 5  # 3 failures, the probe and one more: the open circuit sent nothing


def test_verify_holds_the_scaffolded_service_to_its_contract(service: Service) -> None:
    """The loop closed: `contractgen verify`, limit probes included, reports only what the
    test's service leaves unimplemented (a 501 the contract does not declare)."""
    from contractgen.report.finding import Level
    from contractgen.verify.run import VerifyRequest, verify_command

    outcome = verify_command(
        VerifyRequest(
            spec=str(service.spec),
            base_url=service.url,
            headers=["Authorization: Bearer verify-e2e"],
            seed=5,
            max_examples=2,
            probes=["limits"],
            timeout=20.0,
            quiet_seconds=0.5,
        )
    )
    failing = {
        (f.rule_id, f.scope[0], "answered 501" in f.message)
        for f in outcome.findings
        if f.level.rank >= Level.WARNING.rank
    }
    unimplemented = {
        ("VER001", "POST /v1/completions", True),
        ("VER001", "POST /v1/embeddings", True),
    }
    assert failing == unimplemented, outcome.report
    assert any(f.rule_id == "VER042" for f in outcome.findings), "the chat stream was timed"
