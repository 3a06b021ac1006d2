# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""Timeouts from the contract's limits.

A stream's read timeout sits above its idle timeout and heartbeat interval, so a quiet but
healthy stream is never cut off by the client, and the server's own idle-timeout error event
arrives first. Its deadline (checked as the stream is read) sits above `maxDurationSeconds`,
for the same reason. Both are settings, and each call may pass its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .spec import StreamSpec


@dataclass(frozen=True, slots=True)
class TimeoutSettings:
    connect: float = 5.0
    read: float = 60.0
    """Seconds without a byte, for plain calls and streams that declare no idle bounds."""
    write: float = 30.0
    pool: float = 10.0
    margin_seconds: float = 5.0
    """Added above the contract's idle, heartbeat and duration limits."""
    stream_read: float | None = None
    """Overrides the read timeout computed for streams."""
    stream_deadline: float | None = None
    """Overrides the deadline computed for streams (seconds per connection)."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    http: httpx.Timeout
    deadline: float | None
    """Seconds one stream connection may last; None: no deadline."""


def timeouts_for(spec: StreamSpec | None, settings: TimeoutSettings | None = None) -> Timeouts:
    settings = TimeoutSettings() if settings is None else settings
    read: float = settings.read
    deadline: float | None = None
    if spec is not None:
        quiet = [
            value
            for value in (spec.idle_timeout_seconds, spec.heartbeat_seconds)
            if value is not None
        ]
        if quiet:
            read = max(quiet) + settings.margin_seconds
        if settings.stream_read is not None:
            read = settings.stream_read
        if spec.max_duration_seconds is not None:
            deadline = spec.max_duration_seconds + settings.margin_seconds
        if settings.stream_deadline is not None:
            deadline = settings.stream_deadline
    timeout = httpx.Timeout(
        connect=settings.connect, read=read, write=settings.write, pool=settings.pool
    )
    return Timeouts(timeout, deadline)
