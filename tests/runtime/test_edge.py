"""ContractEdge in front of a real FastAPI app on a real uvicorn server, driven over sockets."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Body, Depends, FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from contractgen.runtime.concurrency import ConcurrencySlots
from contractgen.runtime.context import RequestContext
from contractgen.runtime.edge import (
    ContractEdge,
    partition_key,
    request_context,
    websocket_context,
)
from contractgen.runtime.ratelimit import MemoryRateLimiter
from contractgen.runtime.spec import (
    EdgeLimits,
    ErrorCatalogue,
    ErrorCode,
    KeySource,
    OperationSpec,
    RatePolicy,
    StreamSpec,
    WebSocketSpec,
)
from tests.runtime._servers import run_app

BODY_LIMIT = 1000
HttpContext = Annotated[RequestContext, Depends(request_context)]

CATALOGUE = ErrorCatalogue(
    codes=(
        ErrorCode("body_too_big", 413, limit="request.maxBytes"),
        ErrorCode("output_cap", 400, limit="tokens.maxOutputTokens"),
        ErrorCode("input_too_long", 400, limit="tokens.maxInputTokens"),
        ErrorCode("slow_down", 429, retryable=True, retry_after="required", limit="rateLimits"),
        ErrorCode("streams_full", 429, retryable=True, limit="stream.maxConcurrentPerKey"),
        ErrorCode("sockets_full", 429, retryable=True, limit="websocket.maxConnectionsPerKey"),
        ErrorCode("sign_in", 401),
    ),
    type_base="https://errors.test/",
)

API_KEY = (KeySource("header", "X-API-Key"),)
BEARER_OR_KEY = ((KeySource("bearer"),), API_KEY)
QUERY_KEY = KeySource("query", "api_key")
SESSION = KeySource("cookie", "session")

OPERATIONS = {
    "upload": OperationSpec(
        "upload", "POST", "/upload", limits=EdgeLimits(max_body_bytes=BODY_LIMIT)
    ),
    "chat": OperationSpec(
        "chat",
        "POST",
        "/v1/chat",
        limits=EdgeLimits(
            max_body_bytes=10_000,
            max_output_tokens=100,
            output_tokens_field="/max_tokens",
            max_input_tokens=50,
            max_concurrent_streams=1,
        ),
        key_sources=(KeySource("bearer"),),
        stream=StreamSpec("sse", "text/event-stream", stream_flag="/stream", resume=True),
    ),
    "limited": OperationSpec(
        "limited",
        "GET",
        "/limited",
        limits=EdgeLimits(rate_limits=(RatePolicy("rpm", 2, 60), RatePolicy("rph", 100, 3600))),
        key_sources=API_KEY,
    ),
    "generate": OperationSpec(
        "generate",
        "POST",
        "/generate",
        limits=EdgeLimits(
            output_tokens_field="/options/max_tokens",
            rate_limits=(RatePolicy("tpm", 100, 60, unit="tokens"),),
        ),
        key_sources=API_KEY,
    ),
    "getModel": OperationSpec("getModel", "GET", "/v1/models/{model_id}", key_sources=API_KEY),
    "getSpecial": OperationSpec("getSpecial", "GET", "/v1/models/special"),
    "realtime": OperationSpec(
        "realtime",
        "GET",
        "/v1/realtime",
        key_sources=API_KEY,
        websocket=WebSocketSpec(max_connections_per_key=1),
    ),
    "secured": OperationSpec(
        "secured",
        "GET",
        "/secured",
        key_sources=(KeySource("bearer"), *API_KEY),
        credentials=BEARER_OR_KEY,
    ),
    "securedUpload": OperationSpec(
        "securedUpload",
        "POST",
        "/secured-upload",
        limits=EdgeLimits(max_body_bytes=BODY_LIMIT),
        credentials=BEARER_OR_KEY,
    ),
    "tenant": OperationSpec(
        "tenant",
        "GET",
        "/tenant",
        credentials=((KeySource("header", "X-Tenant"), KeySource("bearer")),),
    ),
    "queryKeyed": OperationSpec(
        "queryKeyed", "GET", "/query-keyed", key_sources=(QUERY_KEY,), credentials=((QUERY_KEY,),)
    ),
    "cookieKeyed": OperationSpec(
        "cookieKeyed", "GET", "/cookie-keyed", key_sources=(SESSION,), credentials=((SESSION,),)
    ),
    "metered": OperationSpec(
        "metered",
        "GET",
        "/metered",
        limits=EdgeLimits(rate_limits=(RatePolicy("metered", 1, 60, partition="ip"),)),
        credentials=BEARER_OR_KEY,
    ),
    "secureRealtime": OperationSpec(
        "secureRealtime",
        "GET",
        "/v1/secure-realtime",
        key_sources=(QUERY_KEY,),
        credentials=((QUERY_KEY,),),
        websocket=WebSocketSpec(),
    ),
}
SECURED_PATHS = ("/secured", "/tenant", "/query-keyed", "/cookie-keyed", "/metered")


class Recorder:
    """What the app and the server did, seen from inside the server thread."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.pulled: list[int] = []
        """Sizes of the body messages the server handed to the edge, in order."""
        self.answered = threading.Event()
        """Set when a response head leaves for the client."""
        self.stream_closed = threading.Event()


def _hash(kind: str, credential: str) -> str:
    return f"{kind}:{hashlib.sha256(credential.encode()).hexdigest()}"


def build_app(recorder: Recorder) -> FastAPI:
    app = FastAPI()

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        recorder.handled.append("upload")
        return {"received": len(await request.body())}

    @app.post("/v1/chat", response_model=None)
    async def chat(
        body: Annotated[dict[str, Any], Body()], context: HttpContext
    ) -> StreamingResponse | dict[str, Any]:
        recorder.handled.append("chat")
        if not body.get("stream"):
            return {"echo": body, "last_event_id": context.last_event_id}

        async def events() -> Any:
            try:
                while True:
                    yield b"data: tick\n\n"
                    await asyncio.sleep(0.05)
            finally:
                recorder.stream_closed.set()

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/generate")
    async def generate(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        return body

    @app.get("/limited")
    async def limited() -> dict[str, bool]:
        return {"ok": True}

    # The app routes the literal path first; the edge must get it right on its own.
    @app.get("/v1/models/special")
    async def get_special(request: Request) -> dict[str, str]:
        return {"operation": request_context(request).operation_id}

    @app.get("/v1/models/{model_id}")
    async def get_model(model_id: str, request: Request) -> dict[str, str]:
        context = request_context(request)
        return {"operation": context.operation_id, "partition": context.partition_key}

    @app.get("/whoami")
    async def whoami(context: HttpContext) -> dict[str, str]:
        return {"request_id": context.request_id, "operation": context.operation_id}

    def secured(path: str) -> None:
        @app.get(path)
        async def answer(context: HttpContext) -> dict[str, str]:
            recorder.handled.append(context.operation_id)
            return {"operation": context.operation_id, "partition": context.partition_key}

    for path in SECURED_PATHS:
        secured(path)

    @app.post("/secured-upload")
    async def secured_upload(request: Request) -> dict[str, int]:
        recorder.handled.append("securedUpload")
        return {"received": len(await request.body())}

    @app.websocket("/v1/secure-realtime")
    async def secure_realtime(websocket: WebSocket) -> None:
        recorder.handled.append("secureRealtime")
        await websocket.accept()
        await websocket.send_json({"operation": "secureRealtime"})
        await websocket.close()

    @app.websocket("/v1/realtime")
    async def realtime(
        websocket: WebSocket,
        context: Annotated[RequestContext, Depends(websocket_context)],
    ) -> None:
        await websocket.accept()
        await websocket.send_json({"operation": context.operation_id})
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            return

    return app


def counting(app: Any, recorder: Recorder) -> Any:
    """An ASGI layer outside the edge recording every body message the server yields."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                recorder.pulled.append(len(message.get("body", b"")))
            return message

        async def watched(message: Any) -> None:
            if message["type"] == "http.response.start":
                recorder.answered.set()
            await send(message)

        await app(scope, counted, watched)

    return wrapper


def strip_extensions(app: Any, sent: list[dict[str, Any]]) -> Any:
    """A server without the WebSocket denial extension, recording what the app sends it."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        async def recorded(message: Any) -> None:
            sent.append(dict(message))
            await send(message)

        await app({**scope, "extensions": {}}, receive, recorded)

    return wrapper


class Served:
    def __init__(self, url: str, recorder: Recorder, slots: ConcurrencySlots) -> None:
        self.url = url
        self.recorder = recorder
        self.slots = slots


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    recorder = Recorder()
    slots = ConcurrencySlots()
    edge = ContractEdge(
        build_app(recorder),
        operations=OPERATIONS,
        catalogue=CATALOGUE,
        limiter=MemoryRateLimiter(),
        slots=slots,
    )
    with run_app(counting(edge, recorder)) as url:
        yield Served(url, recorder, slots)


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    served.recorder.handled.clear()
    served.recorder.pulled.clear()
    with httpx.Client(base_url=served.url, timeout=5) as http:
        yield http


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"https://errors.test/{code}"
    return body


def test_content_length_over_the_limit_is_refused_unread(
    client: httpx.Client, served: Served
) -> None:
    response = client.post("/upload", content=b"x" * (BODY_LIMIT + 1))
    _problem(response, 413, "body_too_big")
    assert served.recorder.handled == []
    assert served.recorder.pulled == [], "the edge read a body it refused by its length"


def test_body_at_the_limit_reaches_the_app_whole(client: httpx.Client, served: Served) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"y" * (BODY_LIMIT // 4)

    response = client.post("/upload", content=chunks())
    assert response.status_code == 200
    assert response.json() == {"received": BODY_LIMIT}
    assert served.recorder.handled == ["upload"]


def test_chunked_upload_over_the_limit_is_cut_off_at_the_limit(
    client: httpx.Client, served: Served
) -> None:
    chunk, count = 300, 12
    recorder = served.recorder
    recorder.answered.clear()

    def chunks() -> Iterator[bytes]:
        """One chunk at a time: the next leaves once the server took the last, or answered."""
        for sent in range(1, count + 1):
            yield b"z" * chunk
            deadline = time.monotonic() + 5
            while sum(recorder.pulled) < sent * chunk and not recorder.answered.is_set():
                assert time.monotonic() < deadline, "the server neither read nor answered"
                time.sleep(0.001)

    response = client.post("/upload", content=chunks())
    assert "content-length" not in response.request.headers
    _problem(response, 413, "body_too_big")
    assert recorder.handled == [], "the app ran for a refused body"
    assert recorder.pulled == [chunk] * 4, "the edge read past the chunk that crossed the limit"


def test_rate_limit_headers_then_429_with_retry_after(client: httpx.Client) -> None:
    key = {"X-API-Key": "rate-key"}
    first = client.get("/limited", headers=key)
    second = client.get("/limited", headers=key)
    assert first.status_code == second.status_code == 200
    assert first.headers["ratelimit-policy"] == '"rpm";q=2;w=60'
    assert re.fullmatch(r'"rpm";r=1;t=\d+', first.headers["ratelimit"])
    assert re.fullmatch(r'"rpm";r=0;t=\d+', second.headers["ratelimit"])

    refused = client.get("/limited", headers=key)
    body = _problem(refused, 429, "slow_down")
    assert body["retryable"] is True
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert refused.headers["ratelimit-policy"] == '"rpm";q=2;w=60'
    assert refused.headers["ratelimit"] == f'"rpm";r=0;t={retry_after}'

    assert client.get("/limited", headers={"X-API-Key": "other-key"}).status_code == 200


def test_a_token_quota_is_spent_by_the_tokens_asked_for(client: httpx.Client) -> None:
    key = {"X-API-Key": "token-key"}
    asking = {"options": {"max_tokens": 60}}
    first = client.post("/generate", json=asking, headers=key)
    assert first.status_code == 200
    assert re.fullmatch(r'"tpm";r=40;t=\d+', first.headers["ratelimit"])
    _problem(client.post("/generate", json=asking, headers=key), 429, "slow_down")
    cheap = client.post("/generate", json={"options": {}}, headers=key)
    assert cheap.status_code == 200, "a request without the field costs one token"
    assert re.fullmatch(r'"tpm";r=39;t=\d+', cheap.headers["ratelimit"])


def test_output_token_cap_uses_the_catalogue_code(client: httpx.Client, served: Served) -> None:
    _problem(client.post("/v1/chat", json={"max_tokens": 101}), 400, "output_cap")
    assert served.recorder.handled == []
    allowed = client.post("/v1/chat", json={"max_tokens": 100})
    assert allowed.status_code == 200
    assert allowed.json()["echo"] == {"max_tokens": 100}


def test_input_token_estimate(client: httpx.Client) -> None:
    _problem(client.post("/v1/chat", json={"prompt": "p" * 400}), 400, "input_too_long")
    assert client.post("/v1/chat", json={"prompt": "p" * 100}).status_code == 200


def test_a_body_that_is_not_json_is_left_to_the_app(client: httpx.Client, served: Served) -> None:
    response = client.post(
        "/v1/chat", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, "FastAPI's own validation should have answered"
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_request_id_is_accepted_when_sane_and_generated_otherwise(client: httpx.Client) -> None:
    echoed = client.get("/whoami", headers={"X-Request-ID": "trace-1.2:3_x"})
    assert echoed.headers["x-request-id"] == "trace-1.2:3_x"
    assert echoed.json()["request_id"] == "trace-1.2:3_x"
    for offered in ("bad id!", "x" * 129, ""):
        replaced = client.get("/whoami", headers={"X-Request-ID": offered})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
        assert replaced.json()["request_id"] == replaced.headers["x-request-id"]
    generated = client.get("/whoami")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert generated.json()["operation"] == "", "an unmatched path has no operation"


def test_unmatched_requests_pass_through_with_a_request_id(client: httpx.Client) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", missing.headers["x-request-id"])
    wrong_method = client.delete("/upload")
    assert wrong_method.status_code == 405
    assert "x-request-id" in wrong_method.headers


def test_literal_segments_beat_templated_ones(client: httpx.Client) -> None:
    assert client.get("/v1/models/special").json() == {"operation": "getSpecial"}
    assert client.get("/v1/models/gpt").json()["operation"] == "getModel"


def test_partition_key_is_a_hash_of_the_credential(client: httpx.Client) -> None:
    keyed = client.get("/v1/models/gpt", headers={"X-API-Key": "secret-key"}).json()
    assert keyed["partition"] == _hash("header", "secret-key")
    assert "secret-key" not in keyed["partition"]
    anonymous = client.get("/v1/models/gpt").json()
    assert anonymous["partition"] == "ip:127.0.0.1"


@pytest.mark.parametrize(
    ("source", "scope_part", "credential"),
    [
        (KeySource("query", "api_key"), {"query_string": b"x=1&api_key=q-secret"}, "q-secret"),
        (
            KeySource("cookie", "session"),
            {"headers": [(b"cookie", b"a=b; session=c-secret")]},
            "c-secret",
        ),
        (KeySource("bearer"), {"headers": [(b"authorization", b"Bearer b-secret")]}, "b-secret"),
        (KeySource("basic"), {"headers": [(b"authorization", b"Basic dTpw")]}, "dTpw"),
    ],
)
def test_partition_key_sources(
    source: KeySource, scope_part: dict[str, Any], credential: str
) -> None:
    operation = OperationSpec("op", "GET", "/", key_sources=(KeySource("header", "X-Key"), source))
    scope = {"type": "http", "headers": [], "client": ("10.0.0.9", 5), **scope_part}
    assert partition_key(operation, scope) == _hash(source.kind, credential)
    scope["headers"] = [*scope["headers"], (b"x-key", b"first")]
    assert partition_key(operation, scope) == _hash("header", "first"), "sources go in order"


def test_partition_key_falls_back_to_the_client_address() -> None:
    operation = OperationSpec("op", "GET", "/", key_sources=(KeySource("bearer"),))
    scope = {
        "type": "http",
        "headers": [(b"authorization", b"Basic dTpw")],
        "client": ("10.0.0.9", 5),
    }
    assert partition_key(operation, scope) == "ip:10.0.0.9"
    assert partition_key(None, {"type": "http", "client": None}) == "ip:unknown"


def test_last_event_id_reaches_a_resumable_stream(client: httpx.Client) -> None:
    response = client.post("/v1/chat", json={}, headers={"Last-Event-ID": "41"})
    assert response.json()["last_event_id"] == "41"


def test_a_held_stream_slot_refuses_the_same_key_until_it_disconnects(
    client: httpx.Client, served: Served
) -> None:
    served.recorder.stream_closed.clear()
    holder = _hash("bearer", "holder")
    stream = {"stream": True}
    with client.stream(
        "POST", "/v1/chat", json=stream, headers={"Authorization": "Bearer holder"}
    ) as held:
        assert held.status_code == 200
        ticks = held.iter_bytes()  # dropping the iterator would close the connection
        assert next(ticks).startswith(b"data: tick")
        assert served.slots.held(holder) == 1

        second = client.post("/v1/chat", json=stream, headers={"Authorization": "Bearer holder"})
        _problem(second, 429, "streams_full")
        not_streaming = client.post(
            "/v1/chat", json={"stream": False}, headers={"Authorization": "Bearer holder"}
        )
        assert not_streaming.status_code == 200, "a JSON answer needs no stream slot"

        with client.stream(
            "POST", "/v1/chat", json=stream, headers={"Authorization": "Bearer another"}
        ) as other:
            assert other.status_code == 200
            other_ticks = other.iter_bytes()
            assert next(other_ticks).startswith(b"data: tick")
            assert served.slots.held(_hash("bearer", "another")) == 1

    deadline = time.monotonic() + 1.0
    while served.slots.held(holder) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert served.slots.held(holder) == 0, "the slot outlived the client"
    assert served.recorder.stream_closed.is_set()
    assert served.slots.held(_hash("bearer", "another")) == 0


@pytest.mark.asyncio
async def test_a_second_websocket_for_the_key_is_denied_with_a_problem(served: Served) -> None:
    url = served.url.replace("http://", "ws://") + "/v1/realtime"
    key = {"X-API-Key": "socket-key"}
    async with connect(url, additional_headers=key) as first:
        assert json.loads(await first.recv()) == {"operation": "realtime"}
        assert first.response is not None
        assert re.fullmatch(r"[0-9a-f]{32}", first.response.headers["x-request-id"])
        with pytest.raises(InvalidStatus) as denied:
            async with connect(url, additional_headers=key):
                pass
        response = denied.value.response
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert json.loads(response.body or b"{}")["code"] == "sockets_full"
        assert "x-request-id" in response.headers
    deadline = time.monotonic() + 1.0
    while served.slots.held(_hash("header", "socket-key")) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert served.slots.held(_hash("header", "socket-key")) == 0


@pytest.mark.asyncio
async def test_without_the_denial_extension_a_websocket_is_closed_1008() -> None:
    slots = ConcurrencySlots()
    edge = ContractEdge(
        build_app(Recorder()), operations=OPERATIONS, catalogue=CATALOGUE, slots=slots
    )
    sent: list[dict[str, Any]] = []
    with run_app(strip_extensions(edge, sent)) as base:
        url = base.replace("http://", "ws://") + "/v1/realtime"
        key = {"X-API-Key": "legacy-key"}
        async with connect(url, additional_headers=key) as first:
            await first.recv()
            sent.clear()
            with pytest.raises(InvalidStatus) as refused:
                async with connect(url, additional_headers=key):
                    pass
            assert sent == [{"type": "websocket.close", "code": 1008}]
    # A close before accept is the ASGI way to refuse; uvicorn turns it into a bare 403.
    response = refused.value.response
    assert response.status_code == 403
    assert b"sockets_full" not in (response.body or b"")


# --- security: a credential must be present where the operation requires one ----------------

BEARER_OR_KEY_CHALLENGE = 'Bearer, APIKey in="header", name="X-API-Key"'


def _unauthorized(response: httpx.Response, challenge: str) -> dict[str, Any]:
    body = _problem(response, 401, "sign_in")
    assert body["retryable"] is False
    assert response.headers["www-authenticate"] == challenge
    return body


def test_a_request_without_a_credential_is_401_and_the_app_never_runs(
    client: httpx.Client, served: Served
) -> None:
    response = client.get("/secured", headers={"X-Request-ID": "no-credential-1"})
    body = _unauthorized(response, BEARER_OR_KEY_CHALLENGE)
    assert body["detail"] == (
        "A credential is required: a bearer token in Authorization or the X-API-Key header."
    )
    assert response.headers["x-request-id"] == "no-credential-1"
    assert served.recorder.handled == []


@pytest.mark.parametrize(
    "credential",
    [{"Authorization": "Bearer any-token"}, {"authorization": "bearer lower"}, {"X-API-Key": "k"}],
)
def test_any_accepted_credential_passes_unchecked_for_validity(
    client: httpx.Client, served: Served, credential: dict[str, str]
) -> None:
    response = client.get("/secured", headers=credential)
    assert response.status_code == 200, response.text
    assert response.json()["operation"] == "secured"
    assert served.recorder.handled == ["secured"]


@pytest.mark.parametrize(
    "credential",
    [
        {"Authorization": "Bearer"},  # "Bearer " too: the server strips the trailing space
        {"Authorization": "Basic dTpw"},
        {"Authorization": "token-without-a-scheme"},
        {"X-API-Key": ""},
    ],
)
def test_an_empty_or_misshapen_credential_is_none(
    client: httpx.Client, served: Served, credential: dict[str, str]
) -> None:
    _unauthorized(client.get("/secured", headers=credential), BEARER_OR_KEY_CHALLENGE)
    assert served.recorder.handled == []


def test_an_alternative_of_two_schemes_needs_both(client: httpx.Client) -> None:
    challenge = 'APIKey in="header", name="X-Tenant", Bearer'
    _unauthorized(client.get("/tenant", headers={"X-Tenant": "t"}), challenge)
    only_token = client.get("/tenant", headers={"Authorization": "Bearer b"})
    assert "X-Tenant header and a bearer token" in _unauthorized(only_token, challenge)["detail"]
    both = client.get("/tenant", headers={"X-Tenant": "t", "Authorization": "Bearer b"})
    assert both.status_code == 200


def test_an_api_key_in_the_query(client: httpx.Client) -> None:
    challenge = 'APIKey in="query", name="api_key"'
    _unauthorized(client.get("/query-keyed"), challenge)
    _unauthorized(client.get("/query-keyed", params={"api_key": ""}), challenge)
    _unauthorized(client.get("/query-keyed", headers={"api_key": "in-a-header"}), challenge)
    keyed = client.get("/query-keyed", params={"api_key": "q-key"})
    assert keyed.status_code == 200
    assert keyed.json()["partition"] == _hash("query", "q-key")


def test_an_api_key_in_a_cookie(client: httpx.Client) -> None:
    challenge = 'APIKey in="cookie", name="session"'
    _unauthorized(client.get("/cookie-keyed"), challenge)
    _unauthorized(client.get("/cookie-keyed", headers={"Cookie": "other=s"}), challenge)
    keyed = client.get("/cookie-keyed", headers={"Cookie": "other=x; session=s-key"})
    assert keyed.status_code == 200
    assert keyed.json()["partition"] == _hash("cookie", "s-key")


def test_a_401_reads_no_body(client: httpx.Client, served: Served) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"x" * 100

    response = client.post("/secured-upload", content=chunks())
    _unauthorized(response, BEARER_OR_KEY_CHALLENGE)
    assert served.recorder.pulled == [], "the edge read the body of a request it refused"
    assert served.recorder.handled == []


def test_a_401_spends_no_rate_limit(client: httpx.Client) -> None:
    # `ip` partition: the refused and the admitted requests share one counter of quota 1
    for _ in range(3):
        refused = client.get("/metered")
        _unauthorized(refused, BEARER_OR_KEY_CHALLENGE)
        assert "ratelimit" not in refused.headers
    admitted = client.get("/metered", headers={"X-API-Key": "k"})
    assert admitted.status_code == 200
    assert re.fullmatch(r'"metered";r=0;t=\d+', admitted.headers["ratelimit"])
    _problem(client.get("/metered", headers={"X-API-Key": "k"}), 429, "slow_down")


@pytest.mark.asyncio
async def test_a_websocket_without_a_credential_is_denied_with_the_401_problem(
    served: Served,
) -> None:
    served.recorder.handled.clear()
    url = served.url.replace("http://", "ws://") + "/v1/secure-realtime"
    with pytest.raises(InvalidStatus) as denied:
        async with connect(url, additional_headers={"X-Request-ID": "ws-anonymous"}):
            pass
    response = denied.value.response
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'APIKey in="query", name="api_key"'
    assert response.headers["x-request-id"] == "ws-anonymous"
    assert json.loads(response.body or b"{}")["code"] == "sign_in"
    assert served.recorder.handled == []

    async with connect(url + "?api_key=ws-key") as admitted:
        assert json.loads(await admitted.recv()) == {"operation": "secureRealtime"}
    assert served.recorder.handled == ["secureRealtime"]


@pytest.mark.asyncio
async def test_without_the_denial_extension_an_anonymous_websocket_is_closed_1008() -> None:
    edge = ContractEdge(build_app(Recorder()), operations=OPERATIONS, catalogue=CATALOGUE)
    sent: list[dict[str, Any]] = []
    with run_app(strip_extensions(edge, sent)) as base, pytest.raises(InvalidStatus) as refused:
        async with connect(base.replace("http://", "ws://") + "/v1/secure-realtime"):
            pass
    assert sent == [{"type": "websocket.close", "code": 1008}]
    assert refused.value.response.status_code == 403


def test_without_a_catalogue_code_for_401_the_code_is_unauthorized() -> None:
    operations = {"secured": OPERATIONS["secured"]}
    edge = ContractEdge(build_app(Recorder()), operations=operations, catalogue=ErrorCatalogue())
    with run_app(edge) as base:
        response = httpx.get(base + "/secured", timeout=5)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["type"] == "about:blank"
    assert response.headers["www-authenticate"] == BEARER_OR_KEY_CHALLENGE
