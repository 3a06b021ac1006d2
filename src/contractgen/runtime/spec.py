# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""What the runtime enforces, as plain frozen values.

A scaffolded project writes these as literals in its `contract.py` (their `repr` is valid
Python); `contractgen mock` builds them from the contract model. Nothing here imports
FastAPI, so the scaffold can build and print them without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRE_STREAM = "pre_stream"
MID_STREAM = "mid_stream"

FALLBACK_CODES: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "content_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "overloaded",
    504: "timeout",
}
"""The code a problem carries when the catalogue declares none for its status."""

LIMIT_FALLBACK_CODES: dict[str, str] = {
    "request.maxBytes": "content_too_large",
    "tokens.maxOutputTokens": "max_tokens_exceeded",
    "tokens.maxInputTokens": "context_length_exceeded",
    "stream.maxDurationSeconds": "stream_duration_exceeded",
    "stream.idleTimeoutSeconds": "stream_idle_timeout",
    "stream.maxConcurrentPerKey": "concurrency_limit_exceeded",
    "websocket.maxMessagesPerSecond": "message_rate_exceeded",
    "websocket.maxConnectionsPerKey": "too_many_connections",
}
"""The code a limit's rejection carries when no catalogue code names that limit."""


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One entry of the contract's error catalogue."""

    code: str
    status: int
    retryable: bool = False
    retry_after: str = "optional"
    """`required`, `optional` or `none`: whether a response with this code has `Retry-After`."""
    phases: tuple[str, ...] = (PRE_STREAM,)
    limit: str | None = None
    """The limit path it enforces (`request.maxBytes`, `rateLimits`, ...)."""
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorCatalogue:
    """The error codes a service answers with, problem bodies and error events alike."""

    codes: tuple[ErrorCode, ...] = ()
    type_base: str | None = None
    """A problem's `type` is `type_base + code`; without one it is `about:blank`."""

    def get(self, code: str) -> ErrorCode | None:
        return next((entry for entry in self.codes if entry.code == code), None)

    def for_limit(self, limit: str, status: int) -> ErrorCode:
        """The code enforcing a limit path (or a parent of it), else a code for the status.

        A status's code that enforces some other limit is not borrowed: an idle stream is not
        reported as `stream_duration_exceeded` just because both are 504.
        """
        for entry in self.codes:
            if entry.limit is not None and (
                limit == entry.limit or limit.startswith(entry.limit + ".")
            ):
                return entry
        return self.for_status(status, fallback=LIMIT_FALLBACK_CODES.get(limit))

    def for_status(self, status: int, *, fallback: str | None = None) -> ErrorCode:
        """The first code declared for a status that enforces no limit, else a fallback one."""
        declared = [entry for entry in self.codes if entry.status == status]
        for entry in declared:
            if entry.limit is None:
                return entry
        name = fallback or FALLBACK_CODES.get(
            status, "internal_error" if status >= 500 else "invalid_request"
        )
        return self.get(name) or ErrorCode(code=name, status=status, retryable=status in (429, 503))


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """One rate limit, shaped like an IETF `RateLimit-Policy` item."""

    name: str
    quota: int
    window_seconds: int
    unit: str = "requests"
    """`requests`, `tokens`, `content-bytes` or `concurrent-requests`."""
    partition: str = "api_key"
    """`api_key`, `user`, `org`, `ip` or `connection`."""


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where a request's partition key is read, from the operation's security scheme."""

    kind: str
    """`header`, `query` or `cookie` (an API key named `name`), `bearer`, `basic`, or `ip`."""
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    """The limits checked before the service runs."""

    max_body_bytes: int | None = None
    max_output_tokens: int | None = None
    output_tokens_field: str | None = None
    """A JSON Pointer into the request body: the field that asks for output tokens."""
    max_input_tokens: int | None = None
    rate_limits: tuple[RatePolicy, ...] = ()
    max_concurrent_streams: int | None = None
    """Open streams (or WebSocket connections) one partition key may hold at once."""


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A streaming response: its framing, events and time limits."""

    format: str
    """`sse`, `jsonl` or `json-seq`."""
    media_type: str
    event_names: tuple[str, ...] = ()
    terminal: tuple[str, ...] = ()
    error_event: str | None = None
    discriminator: str = "event"
    """`event` (the SSE field) or `data#/<pointer>` into the JSON payload."""
    sentinel: str | None = None
    heartbeat_seconds: float | None = None
    heartbeat_event: str | None = None
    """None: heartbeats are SSE comments; else the event name a heartbeat is sent as."""
    max_duration_seconds: float | None = None
    idle_timeout_seconds: float | None = None
    stream_flag: str | None = None
    """A JSON Pointer into the request body whose `true` selects the stream."""
    resume: bool = False
    """Whether `Last-Event-ID` reaches the service."""


@dataclass(frozen=True, slots=True)
class WebSocketSpec:
    """A WebSocket endpoint: its subprotocols, message limits and close codes."""

    subprotocols: tuple[str, ...] = ()
    discriminator: str | None = None
    correlation: str | None = None
    """A JSON Pointer: the field a server message echoes from the client message it answers."""
    max_inbound_bytes: int | None = None
    max_outbound_bytes: int | None = None
    max_messages_per_second: int | None = None
    max_connection_seconds: float | None = None
    idle_timeout_seconds: float | None = None
    max_connections_per_key: int | None = None
    heartbeat_seconds: float | None = None
    close_codes: tuple[tuple[int, str], ...] = ()
    error_message: str | None = None
    """The server message type that carries an error-catalogue code."""

    def close_code(self, reason: str, default: int) -> int:
        """The declared close code for a reason (`message_too_big`, ...), else the default."""
        return next((code for code, name in self.close_codes if name == reason), default)


@dataclass(frozen=True, slots=True)
class OperationSpec:
    """One operation as the edge sees it."""

    operation_id: str
    method: str
    """Upper case: `POST`, `GET`, ..."""
    path: str
    """The OpenAPI path template: `/v1/models/{model_id}`."""
    limits: EdgeLimits = field(default_factory=EdgeLimits)
    key_sources: tuple[KeySource, ...] = ()
    """Tried in order for the partition key; the client address is the last resort."""
    credentials: tuple[tuple[KeySource, ...], ...] = ()
    """The operation's security as the edge checks it: a request must carry every credential
    of one of these alternatives. Empty: the edge lets a request without any through."""
    stream: StreamSpec | None = None
    websocket: WebSocketSpec | None = None

    @property
    def auth_required(self) -> bool:
        """Whether the edge answers a request carrying no accepted credential with 401."""
        return bool(self.credentials)
