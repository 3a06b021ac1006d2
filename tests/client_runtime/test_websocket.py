"""The typed WebSocket client against the real server runtime (serve_websocket)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter

from contractgen.client_runtime.client import (
    AsyncBaseClient,
    BaseClient,
    _websocket_target,
    query_string,
)
from contractgen.client_runtime.config import ClientConfig
from contractgen.client_runtime.errors import (
    ApiServerError,
    ConnectionClosedByServer,
    ProtocolViolation,
)
from contractgen.client_runtime.websocket import websocket_url
from tests.client_runtime._app import (
    CLIENT_CATALOGUE,
    SERVER_MESSAGES,
    TALK_OP,
    UNIMPLEMENTED_OP,
    OverloadedError,
    Recorder,
    Said,
    Say,
    serve,
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    served: tuple[str, Recorder]
    with serve() as served:
        yield served[0]


def test_typed_messages_both_ways_with_the_declared_subprotocol(base: str) -> None:
    api = BaseClient(base, catalogue=CLIENT_CATALOGUE)
    with api.websocket(TALK_OP, SERVER_MESSAGES) as session:
        assert session.subprotocol == "talk.v1"
        session.send(Say(request_id="r1", text="hello"))
        reply = session.receive(timeout=5)
        assert reply == Said(request_id="r1", text="HELLO")
        session.send(Say(request_id="r2", text="bye"))
        assert list(session) == [Said(request_id="r2", text="BYE")]  # a normal close ends it


def test_a_close_with_a_declared_code_raises_its_name(base: str) -> None:
    api = BaseClient(base, catalogue=CLIENT_CATALOGUE)
    with api.websocket(TALK_OP, SERVER_MESSAGES) as session:
        session.send(Say(request_id="r1", text="x" * 400))  # over maxMessageBytes.inbound
        with pytest.raises(ConnectionClosedByServer) as raised:
            session.receive(timeout=5)
    assert raised.value.code == 1009
    assert raised.value.name == "message_too_big"


def test_the_error_message_raises_the_catalogue_class_then_the_close(base: str) -> None:
    api = BaseClient(base, catalogue=CLIENT_CATALOGUE)
    with api.websocket(TALK_OP, SERVER_MESSAGES) as session:
        session.send(Say(request_id="r1", text="fail"))
        with pytest.raises(OverloadedError) as raised:
            session.receive(timeout=5)
        assert raised.value.phase == "mid_stream" and raised.value.retryable
        with pytest.raises(ConnectionClosedByServer) as closed:
            list(session)
    assert (closed.value.code, closed.value.name) == (1011, "internal_error")


def test_a_message_outside_the_union_is_a_protocol_violation(base: str) -> None:
    only_errors: TypeAdapter[Any] = TypeAdapter(int)
    api = BaseClient(base, catalogue=CLIENT_CATALOGUE)
    with api.websocket(TALK_OP, only_errors) as session:
        session.send(Say(request_id="r1", text="hi"))
        with pytest.raises(ProtocolViolation):
            session.receive(timeout=5)


def test_the_asyncio_client_exchanges_typed_messages_and_sees_the_close(base: str) -> None:
    async def run() -> tuple[list[Any], ConnectionClosedByServer]:
        async with AsyncBaseClient(base, catalogue=CLIENT_CATALOGUE) as api:
            session = await api.websocket(TALK_OP, SERVER_MESSAGES)
            async with session:
                await session.send(Say(request_id="a", text="one"))
                first = await session.receive(timeout=5)
                await session.send(Say(request_id="b", text="y" * 400))
                try:
                    async for _ in session:
                        pass
                except ConnectionClosedByServer as error:
                    return [first], error
        raise AssertionError("no close")

    replies, closed = asyncio.run(run())
    assert replies == [Said(request_id="a", text="ONE")]
    assert closed.code == 1009 and closed.name == "message_too_big"


def test_a_refused_handshake_raises_the_problem_as_a_typed_error(base: str) -> None:
    api = BaseClient(base, catalogue=CLIENT_CATALOGUE)
    with pytest.raises(ApiServerError) as raised:
        api.websocket(UNIMPLEMENTED_OP, SERVER_MESSAGES)
    assert (raised.value.status, raised.value.code) == (501, "not_implemented")
    assert raised.value.detail == "unimplemented is not implemented yet."


def test_websocket_urls() -> None:
    assert websocket_url("https://api.test/base/", "/v1/talk") == "wss://api.test/base/v1/talk"
    assert websocket_url("http://127.0.0.1:1", "/x") == "ws://127.0.0.1:1/x"


def test_query_parameters_go_on_the_handshake_url() -> None:
    config = ClientConfig(base_url="https://api.test/base", headers={"Authorization": "k"})
    url, headers = _websocket_target(
        config,
        TALK_OP,
        None,
        {"model": "chat small", "n": 2, "flag": True, "tags": ["a", "b"], "unset": None},
        {"X-Call": "1"},
    )
    assert url == "wss://api.test/base/v1/talk?model=chat+small&n=2&flag=true&tags=a&tags=b"
    assert headers == {"Authorization": "k", "X-Call": "1"}
    assert query_string(None) == ""
