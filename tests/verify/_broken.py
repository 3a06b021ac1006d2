"""A hand-written server of the example contract, with deliberate violations behind flags.

It speaks the contract's wire format (problem+json errors, SSE with `event`/`id`/`data`,
the `[DONE]` sentinel, the realtime WebSocket on `chat.v1`) and, with every flag off, keeps
the contract; each flag breaks one promise.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

ROOT = Path(__file__).resolve().parents[2]
FLAGS = (
    "undeclared_event",
    "missing_terminal",
    "sentinel_first",
    "bad_payload",
    "oversized_500",
    "no_retry_after",
    "heartbeat_gap",
    "ws_outside_union",
    "undeclared_status",
    "bad_body",
    "wrong_media_type",
    "rate_limited_no_retry_after",
    "stream_too_long",
    "bad_framing",
    "ws_wrong_subprotocol",
    "ws_bad_close",
    "ws_no_1009",
)
MAX_BYTES = 1048576
RATE_QUOTA = 5
"""The test copy of the contract lowers every `rpm` quota to this."""
HEARTBEAT_SECONDS = 1
"""... and the chat stream's heartbeat interval to this."""
MAX_DURATION_SECONDS = 4
"""... and the chat stream's longest life to this."""


def fast_spec(tmp: Path) -> str:
    """The example contract with a 1 s heartbeat and an rpm quota of 5, written in `tmp`."""
    text = (ROOT / "specs" / "chat-service.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "heartbeat: {comment: true, intervalSeconds: 15}",
        f"heartbeat: {{comment: true, intervalSeconds: {HEARTBEAT_SECONDS}}}",
    )
    text = text.replace("heartbeatSeconds: 15", f"heartbeatSeconds: {HEARTBEAT_SECONDS}")
    text = text.replace("maxDurationSeconds: 600", f"maxDurationSeconds: {MAX_DURATION_SECONDS}")
    assert f"maxDurationSeconds: {MAX_DURATION_SECONDS}," in text
    text = text.replace("quota: 600,", f"quota: {RATE_QUOTA},")
    assert f"intervalSeconds: {HEARTBEAT_SECONDS}}}" in text and f"quota: {RATE_QUOTA}," in text
    path = tmp / "chat-service.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _problem(code: str, status: int, *, retryable: bool = False, **headers: str) -> JSONResponse:
    body = {
        "type": f"https://api.example.com/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "retryable": retryable,
    }
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


def broken_app(*flags: str) -> Starlette:
    unknown = set(flags) - set(FLAGS)
    assert not unknown, unknown
    on = set(flags)
    counts = {"models": 0}

    async def body_of(request: Request, cap: int = 4096) -> tuple[Any, Response | None]:
        raw = await request.body()
        if len(raw) > MAX_BYTES:
            if "oversized_500" in on:
                return None, _problem("internal_error", 500, retryable=True)
            return None, _problem("content_too_large", 413)
        try:
            document = json.loads(raw)
        except ValueError:
            return None, _problem("invalid_request", 400)
        if not isinstance(document, dict) or not isinstance(document.get("model"), str):
            return None, _problem("invalid_request", 400)
        tokens = document.get("max_tokens")
        if isinstance(tokens, int) and tokens > cap:
            return None, _problem("invalid_request", 400)
        return document, None

    async def chat(request: Request) -> Response:
        document, refused = await body_of(request)
        if refused is not None:
            return refused
        if "rate_limited_no_retry_after" in on:
            return _problem("rate_limited", 429, retryable=True)
        if not document.get("stream"):
            if "undeclared_status" in on:
                return JSONResponse({"error": "teapot"}, 418)
            if "wrong_media_type" in on:
                return Response("Hello there!", 200, media_type="text/plain")
            return JSONResponse(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1795430400,
                    "model": document["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "Hello there!"},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
                }
            )
        return StreamingResponse(_events(on), media_type="text/event-stream")

    async def completions(request: Request) -> Response:
        document, refused = await body_of(request, cap=2048)
        if refused is not None:
            return refused
        return JSONResponse(
            {
                "id": "cmpl-1",
                "object": "text_completion",
                "created": 1795430400,
                "model": document["model"],
                "choices": [{"index": 0, "text": "stones", "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3},
            }
        )

    async def embeddings(request: Request) -> Response:
        document, refused = await body_of(request)
        if refused is not None:
            return refused
        return JSONResponse(
            {
                "object": "list",
                "model": document["model"],
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2]}],
                "usage": {"prompt_tokens": 2, "total_tokens": 2},
            }
        )

    async def model(request: Request) -> Response:
        counts["models"] += 1
        if counts["models"] > RATE_QUOTA:
            headers = {} if "no_retry_after" in on else {"Retry-After": "30"}
            return _problem("rate_limited", 429, retryable=True, **headers)
        return JSONResponse(
            {
                "id": request.path_params["model_id"],
                "object": "model",
                "created": "yesterday" if "bad_body" in on else 1795430400,
                "owned_by": "example",
                "context_window": 128000,
                "max_output_tokens": 4096,
            }
        )

    async def realtime(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol=None if "ws_wrong_subprotocol" in on else "chat.v1")
        await websocket.send_json(
            {
                "type": "session.created",
                "session": {"id": "sess_1", "model": "chat-small", "expires_at": 1795434000},
            }
        )
        while True:
            try:
                text = await websocket.receive_text()
            except Exception:  # the client went away
                return
            if len(text.encode()) > 131072 and "ws_no_1009" not in on:
                await websocket.close(1009)
                return
            try:
                message = json.loads(text)
            except ValueError:  # (an oversized probe let through by ws_no_1009)
                continue
            request_id = message.get("request_id", "r")
            kind = message.get("type")
            if "ws_outside_union" in on:
                await websocket.send_json({"type": "response.thinking", "request_id": request_id})
            if kind == "session.update":
                await websocket.send_json(
                    {"type": "session.updated", "request_id": request_id, "session": {}}
                )
                if "ws_bad_close" in on:
                    await websocket.close(4999)
                    return
                continue
            if kind == "response.create":
                await websocket.send_json(
                    {"type": "response.delta", "request_id": request_id, "content": "Hi"}
                )
            await websocket.send_json(
                {
                    "type": "response.done",
                    "request_id": request_id,
                    "finish_reason": "stop",
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )
            if "ws_bad_close" in on:
                await websocket.close(4999)
                return

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/completions", completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/models/{model_id}", model, methods=["GET"]),
            WebSocketRoute("/v1/realtime", realtime),
        ]
    )


def _frame(event: str | None, data: Any, id: int | None = None) -> bytes:
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    text = data if isinstance(data, str) else json.dumps(data)
    lines.append(f"data: {text}")
    return ("\n".join(lines) + "\n\n").encode()


async def _events(on: set[str]) -> AsyncIterator[bytes]:
    status = {"id": "chatcmpl-1", "model": "chat-small", "created": 1795430400, "state": "queued"}
    yield _frame("status", status, 1)
    if "undeclared_event" in on:
        yield _frame("thinking", {"text": "hmm"}, 2)
    if "bad_framing" in on:
        yield b"event: delta\nid: 2\ndata: {not json\n\n"
    for index, piece in enumerate(("Hello", " there!")):
        if "heartbeat_gap" in on:
            await asyncio.sleep(HEARTBEAT_SECONDS * 2.5)
        if "stream_too_long" in on:  # heartbeats on time, but past the stream's longest life
            for _ in range(2 * MAX_DURATION_SECONDS // HEARTBEAT_SECONDS):
                await asyncio.sleep(HEARTBEAT_SECONDS / 2)
                yield b": keep-alive\n\n"
        delta: dict[str, Any] = {"index": -1 if "bad_payload" in on else 0, "content": piece}
        yield _frame("delta", delta, 3 + index)
    if "sentinel_first" in on:
        yield _frame(None, "[DONE]")
    if "missing_terminal" not in on:
        done = {
            "id": "chatcmpl-1",
            "finish_reason": "stop",
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
        yield _frame("done", done, 9)
    if "sentinel_first" not in on:
        yield _frame(None, "[DONE]")
