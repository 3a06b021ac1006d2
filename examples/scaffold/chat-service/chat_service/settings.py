# Created by contractgen from chat-service.yaml, once.
# This file is yours: contractgen never rewrites it.
"""Settings of this service, read from the environment."""

from __future__ import annotations

import os

from ._runtime.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
REDIS_URL = os.environ.get("REDIS_URL")
"""Set it to share rate-limit quotas between workers and instances (`redis://host:6379/0`)."""


def rate_limiter() -> RateLimiter:
    """Redis when REDIS_URL is set (needs the `redis` extra), else counters in this process."""
    if REDIS_URL:
        return RedisRateLimiter.from_url(REDIS_URL)
    return MemoryRateLimiter()
