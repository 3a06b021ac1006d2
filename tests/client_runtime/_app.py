"""The service the client runtime is tested against: contractgen.runtime on a real uvicorn.

One FastAPI app with the real edge (ContractEdge), problem handlers, stream framing and
WebSocket runtime, and the client-side view of the same contract (specs, models, error
classes) as a generated client would declare it. `Faults` stands in for the network: it
cuts chosen connections after a number of body chunks, the way a dropped TCP connection
looks to the client.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, Request, WebSocket
from pydantic import BaseModel, Field, TypeAdapter
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractgen.client_runtime import errors as client_errors
from contractgen.client_runtime import spec as client
from contractgen.runtime import spec as server
from contractgen.runtime.context import ContractError, NotImplementedOperation, RequestContext
from contractgen.runtime.edge import ContractEdge, request_context, websocket_context
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.streaming import Event, respond
from contractgen.runtime.websocket import serve_websocket
from tests.runtime._servers import run_app

BOTH = (server.PRE_STREAM, server.MID_STREAM)
BODY_LIMIT = 400

# --- the contract, as the server runtime reads it ------------------------------------------

SERVER_CATALOGUE = server.ErrorCatalogue(
    codes=(
        server.ErrorCode("content_too_large", 413, limit="request.maxBytes"),
        server.ErrorCode("rate_limited", 429, retryable=True, retry_after="required"),
        server.ErrorCode("overloaded", 503, retryable=True, phases=BOTH),
        server.ErrorCode("internal_error", 500, phases=BOTH),
        server.ErrorCode("invalid_request", 400),
    ),
    type_base="https://errors.test/",
)
CHAT_STREAM = server.StreamSpec(
    "sse",
    "text/event-stream",
    event_names=("delta", "done", "error"),
    terminal=("done", "error"),
    error_event="error",
    sentinel="[DONE]",
    resume=True,
)
JOB_STREAM = server.StreamSpec(
    "jsonl",
    "application/jsonl",
    event_names=("progress", "finished", "error"),
    terminal=("finished", "error"),
    error_event="error",
    discriminator="data#/type",
)
WS_SPEC = server.WebSocketSpec(
    subprotocols=("talk.v1",),
    discriminator="/type",
    correlation="/request_id",
    max_inbound_bytes=300,
    close_codes=((1000, "normal"), (1009, "message_too_big"), (1011, "internal_error")),
    error_message="error",
)
OPERATIONS = {
    "chat": server.OperationSpec(
        "chat",
        "POST",
        "/v1/chat",
        limits=server.EdgeLimits(max_body_bytes=BODY_LIMIT),
        stream=CHAT_STREAM,
    ),
    "complete": server.OperationSpec(
        "complete", "POST", "/v1/complete", limits=server.EdgeLimits(max_body_bytes=BODY_LIMIT)
    ),
    "job_events": server.OperationSpec(
        "job_events", "GET", "/v1/jobs/{job_id}/events", stream=JOB_STREAM
    ),
    "talk": server.OperationSpec("talk", "GET", "/v1/talk", websocket=WS_SPEC),
}

# --- the same contract, as a generated client declares it ----------------------------------


class ContentTooLargeError(client_errors.ApiClientError):
    code = "content_too_large"
    status = 413
    retryable = False


class RateLimitedError(client_errors.ApiClientError):
    code = "rate_limited"
    status = 429
    retryable = True


class OverloadedError(client_errors.ApiServerError):
    code = "overloaded"
    status = 503
    retryable = True


class InternalError(client_errors.ApiServerError):
    code = "internal_error"
    status = 500
    retryable = False


CLIENT_CATALOGUE = client_errors.ErrorCatalogue.of(
    ContentTooLargeError, RateLimitedError, OverloadedError, InternalError
)
CHAT = client.OperationSpec(
    "chat",
    "POST",
    "/v1/chat",
    stream=client.StreamSpec(
        "sse",
        terminal=("done", "error"),
        error_event="error",
        sentinel="[DONE]",
        resume=True,
        event_names=("delta", "done", "error"),
    ),
)
CHAT_NO_RESUME = client.OperationSpec(
    "chat",
    "POST",
    "/v1/chat",
    stream=client.StreamSpec(
        "sse", terminal=("done", "error"), error_event="error", sentinel="[DONE]"
    ),
)
COMPLETE = client.OperationSpec("complete", "POST", "/v1/complete")
JOB_EVENTS = client.OperationSpec(
    "job_events",
    "GET",
    "/v1/jobs/{job_id}/events",
    stream=client.StreamSpec(
        "jsonl", terminal=("finished", "error"), error_event="error", discriminator="data#/type"
    ),
)
TALK = client.WebSocketSpec(
    subprotocols=("talk.v1",),
    close_codes=((1000, "normal"), (1009, "message_too_big"), (1011, "internal_error")),
    error_message="error",
)
TALK_OP = client.OperationSpec("talk", "GET", "/v1/talk", websocket=TALK)
UNIMPLEMENTED_OP = client.OperationSpec("unimplemented", "GET", "/v1/unimplemented", websocket=TALK)


# --- payloads: the server's events and the client's models of them -----------------------


class Text(BaseModel):
    text: str


class Finish(BaseModel):
    finish_reason: str


class ServerDelta(Event):
    event: Literal["delta"] = "delta"
    data: Text


class ServerDone(Event):
    event: Literal["done"] = "done"
    data: Finish


class Delta(BaseModel):
    event: Literal["delta"]
    data: Text
    id: str | None = None


class Done(BaseModel):
    event: Literal["done"]
    data: Finish
    id: str | None = None


ChatEvent = Annotated[Delta | Done, Field(discriminator="event")]
CHAT_EVENTS: TypeAdapter[Delta | Done] = TypeAdapter(ChatEvent)


class Progress(BaseModel):
    type: Literal["progress"]
    percent: int


class Finished(BaseModel):
    type: Literal["finished"]
    job_id: str


JobEvent = Annotated[Progress | Finished, Field(discriminator="type")]
JOB_EVENTS_ADAPTER: TypeAdapter[Progress | Finished] = TypeAdapter(JobEvent)


class Completion(BaseModel):
    text: str
    attempt: int


COMPLETION = TypeAdapter(Completion)


class Say(BaseModel):
    type: Literal["say"] = "say"
    request_id: str
    text: str


class Said(BaseModel):
    type: Literal["said"] = "said"
    request_id: str
    text: str


class WsErrorBody(BaseModel):
    code: str
    message: str
    retryable: bool
    status: int | None = None


class WsError(BaseModel):
    type: Literal["error"] = "error"
    request_id: str | None = None
    error: WsErrorBody


CLIENT_MESSAGES: TypeAdapter[Say] = TypeAdapter(Say)
SERVER_MESSAGES: TypeAdapter[Said | WsError] = TypeAdapter(
    Annotated[Said | WsError, Field(discriminator="type")]
)


class ChatRequest(BaseModel):
    scenario: str = "ok"
    count: int = 3
    padding: str = ""


class CompleteRequest(BaseModel):
    scenario: str = "ok"
    padding: str = ""


# --- the service --------------------------------------------------------------------------


@dataclass
class Recorder:
    """What the server saw, shared with the test thread."""

    requests: list[dict[str, str]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    healthy: bool = True
    drops: list[int] = field(default_factory=list)
    """Per streaming connection, in order: cut it after this many body chunks (-1: never)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, request: Request, scenario: str) -> int:
        with self.lock:
            self.requests.append(
                {
                    "path": request.url.path,
                    "idempotency-key": request.headers.get("idempotency-key", ""),
                    "last-event-id": request.headers.get("last-event-id", ""),
                    "accept": request.headers.get("accept", ""),
                }
            )
            self.calls[scenario] = self.calls.get(scenario, 0) + 1
            return self.calls[scenario]


Context = Annotated[RequestContext, Depends(request_context)]


def build_app(recorder: Recorder) -> ASGIApp:
    app = FastAPI()
    install_problem_handlers(app, SERVER_CATALOGUE)

    @app.post("/v1/chat")
    async def chat(body: ChatRequest, request: Request, context: Context) -> Response:
        attempt = recorder.seen(request, body.scenario)
        return await respond(
            chat_events(body, context, attempt),
            operation=OPERATIONS["chat"],
            catalogue=SERVER_CATALOGUE,
            context=context,
            receive=request.receive,
        )

    @app.post("/v1/complete")
    async def complete(body: CompleteRequest, request: Request, context: Context) -> Response:
        attempt = recorder.seen(request, body.scenario)
        if body.scenario == "rate_limited_once" and attempt == 1:
            raise ContractError("rate_limited", "Slow down.", retry_after=1)
        if body.scenario == "overloaded_twice" and attempt <= 2:
            raise ContractError("overloaded", "Busy.")
        if body.scenario == "health" and not recorder.healthy:
            raise ContractError("overloaded", "Busy.")
        return await respond(
            Completion(text="hi", attempt=attempt),
            operation=OPERATIONS["complete"],
            catalogue=SERVER_CATALOGUE,
            context=context,
        )

    @app.get("/v1/jobs/{job_id}/events")
    async def job_events(job_id: str, request: Request, context: Context) -> Response:
        recorder.seen(request, "jobs")

        async def events() -> AsyncIterator[Any]:
            for percent in (10, 60, 100):
                yield {"type": "progress", "percent": percent}
            if job_id == "broken":
                raise ContractError("overloaded", "The job runner is busy.", retry_after=0.05)
            yield {"type": "finished", "job_id": job_id}

        return await respond(
            events(),
            operation=OPERATIONS["job_events"],
            catalogue=SERVER_CATALOGUE,
            context=context,
            receive=request.receive,
        )

    @app.websocket("/v1/talk")
    async def talk(
        websocket: WebSocket, context: Annotated[RequestContext, Depends(websocket_context)]
    ) -> None:
        await serve_websocket(
            websocket,
            talk_handler,
            spec=WS_SPEC,
            client_messages=CLIENT_MESSAGES,
            server_messages=SERVER_MESSAGES,
            catalogue=SERVER_CATALOGUE,
            context=context,
        )

    @app.websocket("/v1/unimplemented")
    async def unimplemented(websocket: WebSocket) -> None:
        def refuse(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
            raise NotImplementedOperation("unimplemented")

        await serve_websocket(
            websocket,
            refuse,
            spec=WS_SPEC,
            client_messages=CLIENT_MESSAGES,
            server_messages=SERVER_MESSAGES,
            catalogue=SERVER_CATALOGUE,
            context=RequestContext("req-refused", "unimplemented", "key"),
        )

    edge = ContractEdge(app, operations=OPERATIONS, catalogue=SERVER_CATALOGUE)
    return Faults(edge, recorder)


async def chat_events(
    body: ChatRequest, context: RequestContext, attempt: int
) -> AsyncIterator[Any]:
    if body.scenario == "fail_first":
        raise ContractError("overloaded", "Busy before the first event.")
    if body.scenario == "slow":
        index = 0
        while True:
            index += 1
            yield ServerDelta(id=str(index), data=Text(text=f"t{index}"))
            await anyio.sleep(0.1)
    start = 1
    if context.last_event_id is not None and context.last_event_id.isdigit():
        start = int(context.last_event_id)  # replays the last event: the client drops it
    for index in range(start, body.count + 1):
        yield ServerDelta(id=str(index), data=Text(text=f"t{index}"))
        if body.scenario == "fail_mid":
            raise ContractError("overloaded", "Busy in the middle.", retry_after=0.05)
        if body.scenario == "fail_mid_once" and attempt == 1:
            raise ContractError("overloaded", "Busy, back soon.", retry_after=0.3)
    yield ServerDone(data=Finish(finish_reason="stop"))


async def talk_handler(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
    async for message in messages:
        if message.text == "fail":
            raise ContractError("overloaded", "Too busy to talk.")
        if message.text == "bye":
            yield Said(request_id=message.request_id, text="BYE")
            return
        yield Said(request_id=message.request_id, text=message.text.upper())


class Faults:
    """Cuts streaming connections after `recorder.drops[i]` body chunks (an abort mid-body)."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = -1
        if scope["type"] == "http":
            with self.recorder.lock:
                if self.recorder.drops:
                    limit = self.recorder.drops.pop(0)
        if limit < 0:
            await self.app(scope, receive, send)
            return
        sent = 0

        async def cutting(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.body" and message.get("body"):
                if sent >= limit:
                    raise RuntimeError("the test cuts this connection")
                sent += 1
            await send(message)

        await self.app(scope, receive, cutting)


@contextlib.contextmanager
def serve() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    # critical: a cut connection is an exception in the app, which uvicorn logs at error
    with run_app(build_app(recorder), log_level="critical") as base:
        yield base, recorder
