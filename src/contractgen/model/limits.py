"""Limits enforced at the API edge, after merging document, path and operation levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contractgen.report.finding import Location

RATE_LIMIT_UNITS = ("requests", "tokens", "content-bytes", "concurrent-requests")
PARTITIONS = ("api_key", "user", "org", "ip", "connection")


@dataclass(frozen=True, slots=True)
class RateLimit:
    name: str
    unit: str | None
    quota: int | None
    window_seconds: int | None
    partition: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class Limits:
    """Effective limits for one operation.

    `values` maps a dotted limit path (`request.maxBytes`, `stream.maxDurationSeconds`,
    `websocket.maxMessageBytes.inbound`) to its value; `sources` says which declaration
    (document, path item or operation) each value came from. The typed accessors below are
    what rules and generated code read.
    """

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Location] = field(default_factory=dict)
    rate_limits: tuple[RateLimit, ...] = ()

    def get(self, path: str) -> Any:
        return self.values.get(path)

    def has(self, path: str) -> bool:
        """Whether a limit path is set; `rateLimits` and `rateLimits.<name>` are understood."""
        if path == "rateLimits":
            return bool(self.rate_limits)
        if path.startswith("rateLimits."):
            name = path.removeprefix("rateLimits.")
            return any(limit.name == name for limit in self.rate_limits)
        if self.values.get(path) is not None:
            return True
        prefix = path + "."
        return any(
            key.startswith(prefix) and value is not None for key, value in self.values.items()
        )

    def source(self, path: str) -> Location | None:
        return self.sources.get(path)

    @property
    def request_max_bytes(self) -> int | None:
        return _int(self.values.get("request.maxBytes"))

    @property
    def max_input_tokens(self) -> int | None:
        return _int(self.values.get("tokens.maxInputTokens"))

    @property
    def max_output_tokens(self) -> int | None:
        return _int(self.values.get("tokens.maxOutputTokens"))

    @property
    def tokens_request_field(self) -> str | None:
        value = self.values.get("tokens.requestField")
        return value if isinstance(value, str) else None

    @property
    def stream_max_duration_seconds(self) -> int | None:
        return _int(self.values.get("stream.maxDurationSeconds"))

    @property
    def stream_idle_timeout_seconds(self) -> int | None:
        return _int(self.values.get("stream.idleTimeoutSeconds"))

    @property
    def stream_heartbeat_seconds(self) -> int | None:
        return _int(self.values.get("stream.heartbeatSeconds"))

    @property
    def stream_max_concurrent_per_key(self) -> int | None:
        return _int(self.values.get("stream.maxConcurrentPerKey"))

    @property
    def ws_max_inbound_message_bytes(self) -> int | None:
        return _int(self.values.get("websocket.maxMessageBytes.inbound"))

    @property
    def ws_max_outbound_message_bytes(self) -> int | None:
        return _int(self.values.get("websocket.maxMessageBytes.outbound"))

    @property
    def ws_idle_timeout_seconds(self) -> int | None:
        return _int(self.values.get("websocket.idleTimeoutSeconds"))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
