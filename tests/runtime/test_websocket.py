"""serve_websocket on a real uvicorn server, driven by a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal

import pytest
from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, Field, TypeAdapter
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from contractgen.runtime.context import ContractError, NotImplementedOperation, RequestContext
from contractgen.runtime.spec import ErrorCatalogue, ErrorCode, WebSocketSpec
from contractgen.runtime.websocket import serve_websocket
from tests.runtime._servers import run_app

CATALOGUE = ErrorCatalogue(
    codes=(
        ErrorCode("invalid_request", 400),
        ErrorCode("too_fast", 429, retryable=True, limit="websocket.maxMessagesPerSecond"),
        ErrorCode("internal_error", 500, retryable=True),
    )
)
SPEC = WebSocketSpec(
    subprotocols=("chat.v1",),
    discriminator="/type",
    correlation="/request_id",
    max_inbound_bytes=200,
    max_messages_per_second=5,
    close_codes=((1000, "normal"), (1009, "message_too_big"), (1011, "internal_error")),
    error_message="error",
)
CONTEXT = RequestContext("req-ws", "talk", "key")


class Ping(BaseModel):
    type: Literal["ping"]
    request_id: str


class Say(BaseModel):
    type: Literal["say"]
    request_id: str
    text: str


class Pong(BaseModel):
    type: Literal["pong"] = "pong"
    request_id: str


class Said(BaseModel):
    type: Literal["said"] = "said"
    request_id: str
    text: str


class ErrorBody(BaseModel):
    code: str
    message: str
    retryable: bool
    status: int


class ErrorMessage(BaseModel):
    type: Literal["error"] = "error"
    request_id: str | None = None
    error: ErrorBody


CLIENT: TypeAdapter[Any] = TypeAdapter(Annotated[Ping | Say, Field(discriminator="type")])
SERVER: TypeAdapter[Any] = TypeAdapter(
    Annotated[Pong | Said | ErrorMessage, Field(discriminator="type")]
)


class Recorder:
    """What the handler saw, shared with the test thread."""

    def __init__(self) -> None:
        self.closed = threading.Event()


def app_for(handler: Any, spec: WebSocketSpec = SPEC) -> FastAPI:
    app = FastAPI()

    @app.websocket("/talk")
    async def talk(websocket: WebSocket) -> None:
        await serve_websocket(
            websocket,
            handler,
            spec=spec,
            client_messages=CLIENT,
            server_messages=SERVER,
            catalogue=CATALOGUE,
            context=CONTEXT,
        )

    return app


def echo(recorder: Recorder) -> Any:
    async def handler(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
        try:
            async for message in messages:
                if isinstance(message, Ping):
                    yield Pong(request_id=message.request_id)
                elif message.text == "boom":
                    raise RuntimeError("secret database password in the traceback")
                elif message.text == "bad":
                    yield {"type": "said", "request_id": message.request_id}  # no text
                else:
                    yield Said(request_id=message.request_id, text=message.text.upper())
        finally:
            recorder.closed.set()

    return handler


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def url(recorder: Recorder) -> Iterator[str]:
    with run_app(app_for(echo(recorder))) as base:
        yield base.replace("http://", "ws://") + "/talk"


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_messages_round_trip_typed_with_the_negotiated_subprotocol(url: str) -> None:
    async def talk() -> tuple[str | None, list[Any]]:
        async with connect(url, subprotocols=["other", "chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "ping", "request_id": "1"}))
            first = json.loads(await ws.recv())
            await ws.send(json.dumps({"type": "say", "request_id": "2", "text": "hi"}))
            second = json.loads(await ws.recv())
            return ws.subprotocol, [first, second]

    subprotocol, replies = run(talk())
    assert subprotocol == "chat.v1"
    assert replies == [
        {"type": "pong", "request_id": "1"},
        {"type": "said", "request_id": "2", "text": "HI"},
    ]


def test_an_unknown_subprotocol_only_is_refused(url: str) -> None:
    async def talk() -> None:
        async with connect(url, subprotocols=["chat.v0"]) as ws:  # type: ignore[list-item]
            await ws.recv()

    with pytest.raises((InvalidStatus, ConnectionClosed)):
        run(talk())


def test_a_message_over_the_size_limit_closes_with_1009(url: str, recorder: Recorder) -> None:
    async def talk() -> int | None:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "say", "request_id": "1", "text": "x" * 500}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert run(talk()) == 1009
    assert recorder.closed.wait(1)


def test_an_invalid_message_gets_the_catalogue_error_and_the_connection_stays(url: str) -> None:
    async def talk() -> list[Any]:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "say", "request_id": "7"}))
            error = json.loads(await ws.recv())
            await ws.send(json.dumps({"type": "ping", "request_id": "8"}))
            return [error, json.loads(await ws.recv())]

    error, pong = run(talk())
    assert error["type"] == "error"
    assert error["request_id"] == "7"
    assert error["error"]["code"] == "invalid_request"
    assert pong == {"type": "pong", "request_id": "8"}


def test_messages_over_the_rate_are_answered_with_the_rate_code(url: str) -> None:
    async def talk() -> list[Any]:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            for number in range(8):
                await ws.send(json.dumps({"type": "ping", "request_id": str(number)}))
            return [json.loads(await ws.recv()) for _ in range(8)]

    replies = run(talk())
    assert [r["type"] for r in replies].count("pong") == 5
    errors = [r for r in replies if r["type"] == "error"]
    assert len(errors) == 3
    assert {e["error"]["code"] for e in errors} == {"too_fast"}


def test_a_handler_failure_is_generic_then_1011(
    url: str, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    async def talk() -> tuple[str, int | None]:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "say", "request_id": "1", "text": "boom"}))
            text = str(await ws.recv())
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return text, closed.value.rcvd.code if closed.value.rcvd else None

    with caplog.at_level(logging.ERROR, logger="contractgen.service"):
        text, code = run(talk())
    assert code == 1011
    assert json.loads(text)["error"]["code"] == "internal_error"
    assert "secret" not in text
    assert any("secret database password" in (r.exc_text or "") for r in caplog.records) or any(
        r.exc_info and "secret database password" in str(r.exc_info[1]) for r in caplog.records
    )
    assert recorder.closed.wait(1)


def test_a_server_message_breaking_the_contract_closes_1011(url: str) -> None:
    async def talk() -> int | None:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "say", "request_id": "1", "text": "bad"}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert run(talk()) == 1011


def test_a_client_going_away_closes_the_handler_within_a_second(
    url: str, recorder: Recorder
) -> None:
    async def talk() -> None:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "ping", "request_id": "1"}))
            await ws.recv()

    run(talk())
    assert recorder.closed.wait(1)


def test_an_unimplemented_handler_refuses_the_handshake_with_501() -> None:
    def handler(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
        raise NotImplementedOperation("talk")

    async def talk(url: str) -> None:
        async with connect(url, subprotocols=["chat.v1"]):  # type: ignore[list-item]
            pass

    with run_app(app_for(handler)) as base, pytest.raises(InvalidStatus) as refused:
        run(talk(base.replace("http://", "ws://") + "/talk"))
    response = refused.value.response
    assert response.status_code == 501
    assert json.loads(response.body)["code"] == "not_implemented"


def test_a_contract_error_from_the_handler_travels_as_its_code() -> None:
    async def handler(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
        async for _ in messages:
            raise ContractError("too_fast", "slow down")
            yield  # an async generator

    async def talk(url: str) -> Any:
        async with connect(url, subprotocols=["chat.v1"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "ping", "request_id": "1"}))
            return json.loads(await ws.recv())

    with run_app(app_for(handler)) as base:
        error = run(talk(base.replace("http://", "ws://") + "/talk"))
    assert error["error"]["code"] == "too_fast"
    assert error["error"]["message"] == "slow down"
