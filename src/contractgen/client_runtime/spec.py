# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""What a client knows about each operation, as plain frozen values.

A generated client writes these as literals (their `repr` is valid Python). Nothing here
imports httpx, so they can be built and printed without it.
"""

from __future__ import annotations

from dataclasses import dataclass

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A streaming response as the contract's `x-contract-stream` and limits declare it."""

    format: str
    """`sse`, `jsonl` or `json-seq`."""
    media_type: str | None = None
    """What the call sends as `Accept` (default: the format's own media type)."""
    terminal: tuple[str, ...] = ()
    error_event: str | None = None
    discriminator: str = "event"
    """`event` (the SSE field) or `data#/<pointer>` into the JSON payload."""
    sentinel: str | None = None
    heartbeat_event: str | None = None
    """An event type that only says "still here": never yielded."""
    heartbeat_seconds: float | None = None
    idle_timeout_seconds: float | None = None
    max_duration_seconds: float | None = None
    resume: bool = False
    """The server replays the events after a `Last-Event-ID`."""
    event_names: tuple[str, ...] = ()
    extensible: bool = False
    """Event types outside `event_names` are skipped instead of failing validation."""

    @property
    def ends(self) -> bool:
        """Whether the contract says how the stream ends (else the end of the body is fine)."""
        return bool(self.terminal) or self.sentinel is not None


@dataclass(frozen=True, slots=True)
class WebSocketSpec:
    """A WebSocket endpoint as `x-contract-websocket` declares it."""

    subprotocols: tuple[str, ...] = ()
    discriminator: str = "/type"
    close_codes: tuple[tuple[int, str], ...] = ()
    error_message: str | None = None
    """The server message type that carries an error-catalogue code."""

    def close_name(self, code: int) -> str | None:
        return next((name for value, name in self.close_codes if value == code), None)


@dataclass(frozen=True, slots=True)
class OperationSpec:
    """One operation as the client calls it."""

    operation_id: str
    method: str
    """Upper case: `POST`, `GET`, ..."""
    path: str
    """The OpenAPI path template: `/v1/models/{model_id}`."""
    stream: StreamSpec | None = None
    websocket: WebSocketSpec | None = None
    idempotent: bool | None = None
    """None: decided by the method (GET, PUT, DELETE, ... are idempotent)."""
    body_encoding: str = "json"
    """How the request body is sent: `json`, `form` (application/x-www-form-urlencoded) or
    `multipart` (multipart/form-data: file fields as file parts, see multipart.py)."""

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in IDEMPOTENT_METHODS
