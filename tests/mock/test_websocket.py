"""The mocked WebSocket endpoint over a real connection: replies correlated and schema-valid."""

from __future__ import annotations

import json

import jsonschema
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.mock._helpers import AUTH, CHAT, Schemas, serve


@pytest.fixture(scope="module")
def chat() -> Schemas:
    return Schemas(CHAT)


@pytest.fixture(scope="module")
def server_union(chat: Schemas) -> jsonschema.Draft202012Validator:
    op = chat.contract.operation("connectRealtime")
    assert op is not None and op.websocket is not None and op.websocket.server_messages
    return jsonschema.Draft202012Validator(chat.root(op.websocket.server_messages))


def _url(base: str) -> str:
    return base.replace("http://", "ws://") + "/v1/realtime?model=chat-small"


def test_each_client_message_is_answered_by_correlated_valid_messages(server_union) -> None:
    with (
        serve() as base,
        connect(_url(base), subprotocols=["chat.v1"], additional_headers=AUTH) as ws,
    ):
        assert ws.subprotocol == "chat.v1"
        hello = json.loads(ws.recv(timeout=5))
        assert hello["type"] == "session.created"
        server_union.validate(hello)
        ask = {
            "type": "response.create",
            "request_id": "req_7",
            "messages": [{"role": "user", "content": "Hi"}],
        }
        ws.send(json.dumps(ask))
        replies = []
        while not replies or replies[-1]["type"] != "response.done":
            replies.append(json.loads(ws.recv(timeout=5)))
        for reply in replies:
            server_union.validate(reply)
            assert reply["request_id"] == "req_7"
        assert {reply["type"] for reply in replies[:-1]} == {"response.delta"}
        ws.send(json.dumps({"type": "session.update", "request_id": "req_8", "session": {}}))
        updated = json.loads(ws.recv(timeout=5))
        assert updated["type"] == "session.updated" and updated["request_id"] == "req_8"
        server_union.validate(updated)


def test_an_invalid_message_is_answered_with_the_error_message(server_union) -> None:
    with (
        serve() as base,
        connect(_url(base), subprotocols=["chat.v1"], additional_headers=AUTH) as ws,
    ):
        ws.recv(timeout=5)
        ws.send(json.dumps({"type": "response.create", "request_id": "req_9"}))
        error = json.loads(ws.recv(timeout=5))
        server_union.validate(error)
        assert error["type"] == "error" and error["request_id"] == "req_9"
        assert error["error"]["code"] == "invalid_request"


def test_a_message_over_the_inbound_limit_closes_with_1009() -> None:
    with (
        serve() as base,
        connect(_url(base), subprotocols=["chat.v1"], additional_headers=AUTH, max_size=None) as ws,
    ):
        ws.recv(timeout=5)
        ws.send("x" * 200_000)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_handshake_errors_are_problems() -> None:
    with serve() as base:
        with pytest.raises(InvalidStatus) as missing:
            connect(
                base.replace("http://", "ws://") + "/v1/realtime",
                subprotocols=["chat.v1"],
                additional_headers=AUTH,
            )
        assert missing.value.response.status_code == 400
        assert b"/model" in missing.value.response.body
        with pytest.raises(InvalidStatus) as preferred:
            connect(
                _url(base),
                subprotocols=["chat.v1"],
                additional_headers={**AUTH, "Prefer": "error=overloaded"},
            )
        assert preferred.value.response.status_code == 503


def test_prefer_mid_stream_ends_a_reply_with_the_error_message(server_union) -> None:
    headers = {**AUTH, "Prefer": "error=overloaded; phase=mid_stream"}
    with (
        serve() as base,
        connect(_url(base), subprotocols=["chat.v1"], additional_headers=headers) as ws,
    ):
        ws.recv(timeout=5)
        ask = {
            "type": "response.create",
            "request_id": "r1",
            "messages": [{"role": "user", "content": "Hi"}],
        }
        ws.send(json.dumps(ask))
        first = json.loads(ws.recv(timeout=5))
        assert first["type"] == "response.delta"
        error = json.loads(ws.recv(timeout=5))
        server_union.validate(error)
        assert error["type"] == "error" and error["error"]["code"] == "overloaded"
