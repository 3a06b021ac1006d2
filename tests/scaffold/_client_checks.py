"""The generated client of the example contract, called against the served example service.

Run by the end-to-end test with the project venv's Python (where `chat-service-client` is
installed and contractgen is not): `python _client_checks.py CASE BASE_URL`. Each case prints
one JSON object of what it saw; the test judges it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from chat_service_client import AsyncClient, Client, ClientConfig, StreamTruncated, errors
from chat_service_client._client_runtime.breaker import BreakerSettings
from chat_service_client._client_runtime.errors import CircuitOpen
from chat_service_client._client_runtime.retry import RetryPolicy
from chat_service_client.models import ChatCompletionRequest, ResponseCreateMessage

CASES: dict[str, Callable[[str], dict[str, Any]]] = {}


def case(function: Callable[[str], dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    CASES[function.__name__] = function
    return function


def config(url: str, key: str, **options: Any) -> ClientConfig:
    return ClientConfig(base_url=url, headers={"Authorization": f"Bearer {key}"}, **options)


def chat(prompt: str, **fields: Any) -> ChatCompletionRequest:
    body = {"model": "chat-small", "messages": [{"role": "user", "content": prompt}], **fields}
    return ChatCompletionRequest.model_validate({"max_tokens": 64, **body})


def dump(event: Any) -> dict[str, Any]:
    return {
        "event": event.event,
        "id": event.id,
        "data": event.data.model_dump(mode="json", by_alias=True, exclude_none=True),
    }


def error(raised: Exception) -> dict[str, Any]:
    found: dict[str, Any] = {"class": type(raised).__name__, "message": str(raised)}
    for name in ("status", "code", "phase", "retry_after", "events_seen", "last_event_id"):
        if hasattr(raised, name):
            found[name] = getattr(raised, name)
    found["catalogue_base"] = isinstance(raised, errors.ChatServiceError)
    return found


@case
def stream(url: str) -> dict[str, Any]:
    with Client(config(url, "client-sse")) as api:
        events = api.create_chat_completion_stream(chat("hi"))
        seen = [dump(event) for event in events]
        return {"events": seen, "request_id": events.request_id}


@case
def async_stream(url: str) -> dict[str, Any]:
    async def run() -> list[dict[str, Any]]:
        async with AsyncClient(config(url, "client-async")) as api:
            return [dump(event) async for event in api.create_chat_completion_stream(chat("hi"))]

    return {"events": asyncio.run(run())}


@case
def json_answer(url: str) -> dict[str, Any]:
    with Client(config(url, "client-json")) as api:
        answer = api.create_chat_completion(chat("hi", stream=True))  # the method decides
    return {"class": type(answer).__name__, "content": answer.choices[0].message.content}


@case
def websocket(url: str) -> dict[str, Any]:
    with Client(config(url, "client-ws")) as api:
        session = api.connect_realtime(model="chat-small")
        with session:
            first = session.receive(timeout=5)
            session.send(
                ResponseCreateMessage.model_validate(
                    {
                        "type": "response.create",
                        "request_id": "req_client",
                        "messages": [{"role": "user", "content": "hi"}],
                    }
                )
            )
            replies = [session.receive(timeout=5), session.receive(timeout=5)]
        return {
            "subprotocol": session.subprotocol,
            "first": type(first).__name__,
            "replies": [reply.model_dump(mode="json", by_alias=True) for reply in replies],
        }


@case
def retried(url: str) -> dict[str, Any]:
    started = time.monotonic()
    with Client(config(url, "client-retry")) as api:
        model = api.retrieve_model(model_id="busy-once")
    return {"id": model.id, "elapsed": time.monotonic() - started}


@case
def too_large(url: str) -> dict[str, Any]:
    with Client(config(url, "client-big")) as api:
        try:
            api.create_chat_completion(chat("x" * (1024 * 1024 + 10)))
        except Exception as raised:  # judged by the test: which class, which fields
            return error(raised)
    return {"class": None}


@case
def refused(url: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with Client(config(url, "client-refused")) as api:
        try:
            api.create_chat_completion(chat("refuse"))
        except Exception as raised:
            found["http"] = error(raised)
        events = api.create_chat_completion_stream(chat("refuse-later"))
        delivered = []
        try:
            for event in events:
                delivered.append(dump(event))
        except Exception as raised:
            found["event"] = error(raised)
        found["delivered"] = delivered
    return found


DROPPED_BODY = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/event-stream\r\n"
    b"Connection: close\r\n\r\n"
    b'event: status\nid: 1\ndata: {"id": "c1", "model": "m", "created": 0, '
    b'"state": "in_progress"}\n\n'
    b'event: delta\nid: 2\ndata: {"index": 0, "content": "Hel"}\n\n'
)


def drop_after_two_events(server: socket.socket) -> None:
    """A server that sends two events of the stream, then drops the connection."""
    connection, _ = server.accept()
    with connection:
        connection.recv(65536)
        connection.sendall(DROPPED_BODY)
        connection.shutdown(socket.SHUT_RDWR)


@case
def truncated(url: str) -> dict[str, Any]:
    del url  # this case is served here: the example service always ends its streams
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        thread = threading.Thread(target=drop_after_two_events, args=(server,), daemon=True)
        thread.start()
        options = {"resume": False, "retry": RetryPolicy(max_attempts=1)}
        with Client(config(f"http://127.0.0.1:{port}", "client-drop", **options)) as api:
            delivered = []
            try:
                for event in api.create_chat_completion_stream(chat("hi")):
                    delivered.append(dump(event))
            except StreamTruncated as raised:
                return {"delivered": delivered, **error(raised)}
    return {"delivered": delivered, "class": None}


class CuttingProxy:
    """A TCP proxy to the service that drops its first connection after one SSE event's id.

    The first response is forwarded up to the end of the frame whose `id` is `cut_after`,
    then both sockets are closed, as a dropped connection looks to the client; later
    connections are relayed whole. `heads` keeps each connection's request head.
    """

    def __init__(self, url: str, cut_after: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.marker = f"\nid: {cut_after}".encode()
        self.heads: list[str] = []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        first = True
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(client, first), daemon=True).start()
            first = False

    def relay(self, client: socket.socket, cut: bool) -> None:
        upstream = socket.create_connection(self.upstream)
        threading.Thread(target=self.requests, args=(client, upstream), daemon=True).start()
        sent = b""
        try:
            while chunk := upstream.recv(65536):
                if not cut:
                    client.sendall(chunk)
                    continue
                sent += chunk
                at = sent.find(self.marker)
                ends = [sent.find(end, at) for end in (b"\r\n\r\n", b"\n\n")] if at >= 0 else []
                ends = [end for end in ends if end >= 0]
                if ends:  # the frame is whole: send it, then drop the connection
                    client.sendall(sent[: min(ends) + 2])
                    break
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
            upstream.close()

    def requests(self, client: socket.socket, upstream: socket.socket) -> None:
        received = b""
        try:
            while chunk := client.recv(65536):
                if b"\r\n\r\n" not in received:
                    received += chunk
                    if b"\r\n\r\n" in received:
                        self.heads.append(received.split(b"\r\n\r\n")[0].decode("latin-1"))
                upstream.sendall(chunk)
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()


def header(head: str, name: str) -> str | None:
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


@case
def resumed(url: str) -> dict[str, Any]:
    proxy = CuttingProxy(url, cut_after="2")
    try:
        retry = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.1)
        with Client(config(proxy.url, "client-resume", retry=retry)) as api:
            events = api.create_chat_completion_stream(chat("resumable"))
            seen = [dump(event) for event in events]
        return {
            "events": seen,
            "connections": events.connections,
            "idempotency_key": events.idempotency_key,
            "last_event_ids": [header(head, "Last-Event-ID") for head in proxy.heads],
            "idempotency_keys": [header(head, "Idempotency-Key") for head in proxy.heads],
        }
    finally:
        proxy.close()


@case
def breaker(url: str) -> dict[str, Any]:
    settings = BreakerSettings(failure_threshold=3, cooldown_seconds=0.5)
    options = {"retry": RetryPolicy(max_attempts=1), "breaker": settings}
    outcomes: list[str] = []
    with Client(config(url, "client-breaker", **options)) as api:

        def attempt() -> None:
            started = time.monotonic()
            try:
                api.retrieve_model(model_id="down")
                outcomes.append("ok")
            except CircuitOpen as raised:
                fast = time.monotonic() - started < 0.05
                outcomes.append(f"CircuitOpen remaining>0={raised.remaining > 0} fast={fast}")
            except errors.ChatServiceError as raised:
                outcomes.append(f"{type(raised).__name__} {raised.status}")

        for _ in range(4):
            attempt()
        time.sleep(0.6)  # the cool-down: the next call is the probe, and the model is back
        attempt()
        attempt()
        state = api.breakers["retrieveModel"].state
    return {"outcomes": outcomes, "state": state}


if __name__ == "__main__":
    print(json.dumps(CASES[sys.argv[1]](sys.argv[2])))
