"""Limits enforced at the API edge, after merging document, path and operation levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contractgen.location import Location
from contractgen.model.reading import as_dict, as_int, as_list, as_str

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
    """The most specific entry of this name (an operation's override, else the inherited one)."""
    field_sources: dict[str, Location] = field(default_factory=dict)
    """Where each field (`quota`, `windowSeconds`, ...) was set: an override may set only one."""

    def source(self, name: str) -> Location:
        """Where a field's value was declared; an unset field points into the entry."""
        return self.field_sources.get(name) or self.location.child(name)


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
        """Where the value at a limit path was declared; `rateLimits.<name>` is understood."""
        if path.startswith("rateLimits."):
            name = path.removeprefix("rateLimits.")
            return next((limit.location for limit in self.rate_limits if limit.name == name), None)
        return self.sources.get(path)

    @property
    def request_max_bytes(self) -> int | None:
        return as_int(self.values.get("request.maxBytes"))

    @property
    def max_input_tokens(self) -> int | None:
        return as_int(self.values.get("tokens.maxInputTokens"))

    @property
    def max_output_tokens(self) -> int | None:
        return as_int(self.values.get("tokens.maxOutputTokens"))

    @property
    def tokens_request_field(self) -> str | None:
        value = self.values.get("tokens.requestField")
        return value if isinstance(value, str) else None

    @property
    def stream_max_duration_seconds(self) -> int | None:
        return as_int(self.values.get("stream.maxDurationSeconds"))

    @property
    def stream_idle_timeout_seconds(self) -> int | None:
        return as_int(self.values.get("stream.idleTimeoutSeconds"))

    @property
    def stream_heartbeat_seconds(self) -> int | None:
        return as_int(self.values.get("stream.heartbeatSeconds"))

    @property
    def stream_max_concurrent_per_key(self) -> int | None:
        return as_int(self.values.get("stream.maxConcurrentPerKey"))

    @property
    def ws_max_inbound_message_bytes(self) -> int | None:
        return as_int(self.values.get("websocket.maxMessageBytes.inbound"))

    @property
    def ws_max_outbound_message_bytes(self) -> int | None:
        return as_int(self.values.get("websocket.maxMessageBytes.outbound"))

    @property
    def ws_idle_timeout_seconds(self) -> int | None:
        return as_int(self.values.get("websocket.idleTimeoutSeconds"))


_Entry = tuple[dict[str, Any], Location, dict[str, Location]]
"""A rate limit being merged: its fields, its most specific entry, where each field was set."""


def merge_limits(declarations: list[tuple[Any, Location]]) -> Limits:
    """Deep-merge limit declarations, least specific first.

    The most specific value wins; an explicit null removes an inherited value; rate limits
    merge by `name`, and `disabled: true` drops an inherited one.
    """
    values: dict[str, Any] = {}
    sources: dict[str, Location] = {}
    rates: dict[str, _Entry] = {}
    for raw, at in declarations:
        for key, value in as_dict(raw).items():
            if key == "rateLimits":
                _merge_rate_limits(rates, value, at.child(key))
            else:
                _flatten(key, value, at.child(key), values, sources)
    rate_limits = tuple(
        RateLimit(
            name=name,
            unit=as_str(entry.get("unit")),
            quota=as_int(entry.get("quota")),
            window_seconds=as_int(entry.get("windowSeconds")),
            partition=as_str(entry.get("partition")),
            location=where,
            field_sources=field_sources,
        )
        for name, (entry, where, field_sources) in rates.items()
    )
    return Limits(values, sources, rate_limits)


def _merge_rate_limits(rates: dict[str, _Entry], value: Any, at: Location) -> None:
    if value is None:
        rates.clear()
        return
    for index, entry in enumerate(as_list(value)):
        if not isinstance(entry, dict):
            continue
        name = as_str(entry.get("name")) or f"#{index}"
        if entry.get("disabled") is True:
            rates.pop(name, None)
            continue
        inherited, _, inherited_sources = rates.get(name, ({}, at, {}))
        where = at.child(index)
        merged = {**inherited, **{k: v for k, v in entry.items() if v is not None}}
        sources = {**inherited_sources, **{k: where.child(k) for k in entry}}
        for key in [k for k, v in entry.items() if v is None]:
            merged.pop(key, None)
            sources.pop(key, None)
        rates[name] = (merged, where, sources)


def _flatten(
    path: str, value: Any, at: Location, values: dict[str, Any], sources: dict[str, Location]
) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(f"{path}.{key}", child, at.child(key), values, sources)
    elif value is None:
        for key in [k for k in values if k == path or k.startswith(path + ".")]:
            values.pop(key)
            sources.pop(key, None)
    else:
        values[path] = value
        sources[path] = at
