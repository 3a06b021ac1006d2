# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""A client's settings: where the API is, how to authenticate, and how hard to try."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from .breaker import BreakerSettings
from .retry import RetryPolicy
from .timeouts import TimeoutSettings


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    """Sent with every call (an `Authorization` header, an API key, ...)."""
    auth: httpx.Auth | tuple[str, str] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    timeouts: TimeoutSettings = field(default_factory=TimeoutSettings)
    resume: bool = True
    """Reconnect a dropped stream with `Last-Event-ID` where its operation resumes."""
    idempotency_keys: bool = True
    """Send one `Idempotency-Key` per non-idempotent call, the same on each of its retries."""
    clock: Callable[[], float] = time.monotonic
    """What the breakers and retry budgets read (inject a fake one in tests)."""
    jitter: Callable[[], float] = random.random
    """A number in [0, 1) scaling each backoff (full jitter)."""
