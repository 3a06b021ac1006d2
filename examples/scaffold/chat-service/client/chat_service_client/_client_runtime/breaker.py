# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""A circuit breaker per operation.

Closed, it counts consecutive failures (attempts that failed in a way the server is to blame
for: a retryable error, a dropped connection); at the threshold it opens, and every call fails
at once with `CircuitOpen` without reaching the server. After the cool-down the next call is
let through as a probe (half-open; the others still fail fast): its success closes the
circuit, its failure opens it for another cool-down. Any answer that is not a failure (a 2xx,
or a non-retryable error such as 413) counts as success.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import CircuitOpen

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    failure_threshold: int = 5
    """Consecutive failures that open the circuit."""
    cooldown_seconds: float = 30.0
    enabled: bool = True


class CircuitBreaker:
    """One operation's breaker; thread-safe, and usable from async code (it never blocks)."""

    def __init__(
        self,
        operation_id: str,
        settings: BreakerSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.operation_id = operation_id
        self.settings = BreakerSettings() if settings is None else settings
        self.clock = clock
        self.state = CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self._probing = False
        self._lock = threading.Lock()

    def before(self) -> None:
        """Let a call through, or raise CircuitOpen."""
        if not self.settings.enabled:
            return
        with self._lock:
            if self.state == CLOSED:
                return
            if self.state == OPEN:
                remaining = self.opened_at + self.settings.cooldown_seconds - self.clock()
                if remaining > 0:
                    raise CircuitOpen(self.operation_id, remaining)
                self.state = HALF_OPEN
                self._probing = False
            if self._probing:
                raise CircuitOpen(self.operation_id, 0.0)
            self._probing = True

    def success(self) -> None:
        with self._lock:
            self.state = CLOSED
            self.failures = 0
            self._probing = False

    def failure(self) -> None:
        if not self.settings.enabled:
            return
        with self._lock:
            self.failures += 1
            if self.state == HALF_OPEN or self.failures >= self.settings.failure_threshold:
                self.state = OPEN
                self.opened_at = self.clock()
            self._probing = False

    def release(self) -> None:
        """The call ended without a verdict (a bug, a cancel): the next call may probe."""
        with self._lock:
            self._probing = False


class Breakers:
    """The breakers of one client, created on first use."""

    def __init__(
        self, settings: BreakerSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}
        self._lock = threading.Lock()

    def __getitem__(self, operation_id: str) -> CircuitBreaker:
        with self._lock:
            found = self._breakers.get(operation_id)
            if found is None:
                found = CircuitBreaker(operation_id, self.settings, clock=self.clock)
                self._breakers[operation_id] = found
            return found
