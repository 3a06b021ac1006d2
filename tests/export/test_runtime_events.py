"""The exported schemas accept what contractgen.runtime really sends, and reject a wrong event.

The example contract's stream is served by the runtime (the same `respond` a scaffolded
service runs on, with the runtime specs scaffold writes): the service yields the events the
contract's examples declare, then fails, so the runtime itself writes the terminal error
event. Every frame read back over HTTP is checked against its event's file: the frame
against `x-sse-frame`, the decoded `data` against the schema.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from contractgen.load.document import load_document
from contractgen.model.build import build_contract
from contractgen.model.service import runtime_specs
from contractgen.runtime.context import RequestContext
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.streaming import Event, respond
from tests.export._helpers import CHAT, export, read_json


class Status(Event):
    event: Literal["status"] = "status"
    data: dict[str, Any]


class Delta(Event):
    event: Literal["delta"] = "delta"
    data: dict[str, Any]


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("runtime") / "events"
    assert export("events", CHAT, "-o", out).exit_code == 0
    index = read_json(out / "index.json")
    files = index["operations"]["createChatCompletion"]["streams"][0]["events"]
    return {event: read_json(out / name) for event, name in files.items()}


def _example(schema: dict[str, Any]) -> Any:
    return schema["examples"][0]


def _served_frames(schemas: dict[str, Any]) -> list[dict[str, str]]:
    contract = build_contract(load_document(CHAT))
    catalogue, operations = runtime_specs(contract)
    operation = operations["createChatCompletion"]
    app = FastAPI()
    install_problem_handlers(app, catalogue)

    async def service() -> AsyncIterator[Any]:
        yield Status(data=_example(schemas["status"]))
        yield Delta(data=_example(schemas["delta"]))
        raise RuntimeError("the model went away")  # the runtime sends the error event

    @app.post("/v1/chat/completions")
    async def route(request: Request) -> Any:
        context = RequestContext("req-1", "createChatCompletion", "test-key")
        return await respond(service(), operation=operation, catalogue=catalogue, context=context)

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/chat/completions", json={"stream": True})
    assert response.status_code == 200, response.text
    return _parse_sse(response.text)


def _parse_sse(text: str) -> list[dict[str, str]]:
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        frame: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            frame[name] = frame[name] + "\n" + value if name in frame else value
        if frame:
            frames.append(frame)
    return frames


def test_every_frame_the_runtime_sends_matches_its_event_schema(schemas: dict[str, Any]) -> None:
    frames = _served_frames(schemas)
    assert [frame.get("event") for frame in frames] == ["status", "delta", "error", None]
    assert frames[-1] == {"data": "[DONE]"}  # the sentinel: no event, never validated
    for frame in frames[:-1]:
        schema = schemas[frame["event"]]
        Draft202012Validator(schema["x-sse-frame"]).validate(frame)
        Draft202012Validator(schema).validate(json.loads(frame["data"]))
    error = json.loads(frames[2]["data"])
    assert error["code"] == "internal_error" and error["retryable"] is True


def test_a_wrong_event_is_rejected(schemas: dict[str, Any]) -> None:
    delta = Draft202012Validator(schemas["delta"])
    assert delta.is_valid({"index": 0, "content": "Hi"})
    assert not delta.is_valid({"index": 0, "content": 5})
    assert not delta.is_valid({"index": -1, "content": "Hi"})
    assert not delta.is_valid({"content": "Hi"})
    error = Draft202012Validator(schemas["error"])
    assert not error.is_valid({"code": "Not A Code", "message": "x", "retryable": True})
    done = Draft202012Validator(schemas["done"])
    assert not done.is_valid(_example(schemas["delta"]))
    frame = Draft202012Validator(schemas["delta"]["x-sse-frame"])
    assert not frame.is_valid({"event": "done", "id": "1", "data": "{}"})
    assert not frame.is_valid({"event": "delta", "data": "{}"})  # the contract requires an id


def test_the_websocket_examples_match_their_message_schemas(tmp_path: Path) -> None:
    out = tmp_path / "events"
    assert export("events", CHAT, "-o", out).exit_code == 0
    ws = read_json(out / "index.json")["operations"]["connectRealtime"]["websocket"]
    checked = 0
    for side in ("client", "server"):
        for name, file in ws[side].items():
            schema = read_json(out / file)
            for example in schema["examples"]:
                Draft202012Validator(schema).validate(example)
                checked += 1
            assert not Draft202012Validator(schema).is_valid({**example, "type": "nope"}), name
    assert checked == 8
