# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""When a failed attempt is tried again, and after how long.

Retried: an error the catalogue marks retryable (for any method: a non-idempotent call
carries one `Idempotency-Key` across all its attempts); a connection that could not be made
(nothing reached the server); other connection failures and a stream cut off before its first
event only for idempotent operations. A stream that already delivered events is retried only
when the operation resumes (`Last-Event-ID`), and never after its deadline. The wait is the
server's (`Retry-After`, an error event's `retry_after_ms`, SSE `retry` on a resume), else
exponential backoff with full jitter; attempts and total time are bounded by the policy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .errors import ApiError, StreamTimeout, StreamTruncated

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before any byte of the request left."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    """Attempts per call, the first included (1: never retry)."""
    base_delay: float = 0.5
    """Seconds; attempt n waits up to base_delay * 2**(n-1) (full jitter), capped by max_delay."""
    max_delay: float = 8.0
    budget_seconds: float = 60.0
    """No retry is started when its wait would end later than this after the failures began."""


def is_failure(error: BaseException) -> bool:
    """Whether an outcome says the server is in trouble (what the circuit breaker counts)."""
    if isinstance(error, ApiError):
        return error.retryable
    if isinstance(error, StreamTimeout):
        return False
    return isinstance(error, StreamTruncated | httpx.TransportError)


def may_retry(error: BaseException, *, idempotent: bool, delivered: bool, resumable: bool) -> bool:
    """The retry rules above, without the timing."""
    if delivered and not resumable:
        return False
    if isinstance(error, ApiError):
        return error.retryable
    if isinstance(error, StreamTimeout):
        return False
    if isinstance(error, StreamTruncated):
        return delivered or idempotent  # delivered implies resumable here
    if isinstance(error, NOT_SENT):
        return True
    if isinstance(error, httpx.TransportError):
        return idempotent or delivered
    return False


class RetryPlan:
    """The attempts of one call: counts them and says how long to wait before the next."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        resumable: bool = False,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.idempotent = idempotent
        self.resumable = resumable
        self.clock = clock
        self.jitter = jitter
        self.attempts = 0
        self.started = clock()

    def attempt(self) -> None:
        self.attempts += 1

    def progressed(self) -> None:
        """The last connection delivered events: the failures after it are counted afresh."""
        self.attempts = 1
        self.started = self.clock()

    def backoff(self) -> float:
        policy = self.policy
        ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** max(self.attempts - 1, 0))
        return ceiling * self.jitter()

    def delay(
        self, error: BaseException, *, delivered: bool = False, hint: float | None = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None: raise `error`."""
        if not may_retry(
            error, idempotent=self.idempotent, delivered=delivered, resumable=self.resumable
        ):
            return None
        if self.attempts >= self.policy.max_attempts:
            return None
        wait = error.retry_after if isinstance(error, ApiError) else None
        if wait is None:
            wait = hint
        if wait is None:
            wait = self.backoff()
        if self.clock() + wait - self.started > self.policy.budget_seconds:
            return None
        return max(wait, 0.0)
