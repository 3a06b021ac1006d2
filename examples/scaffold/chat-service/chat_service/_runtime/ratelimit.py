# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""Fixed-window rate limits: in memory for one process, in Redis when workers share quotas."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .spec import RatePolicy

KEY_PREFIX = "contractgen:rl:"

# One round trip, atomic: count the hit in the current window, start its expiry once, and
# give back a hit the quota refuses so the count stays the spent amount.
_LUA = """
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if used > tonumber(ARGV[3]) then
  redis.call('DECRBY', KEYS[1], ARGV[1])
  return {0, used - tonumber(ARGV[1])}
end
return {1, used}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    remaining: int
    reset_seconds: float


class RateLimiter(Protocol):
    async def hit(self, key: str, policy: RatePolicy, cost: int = 1) -> RateDecision: ...


def _window(policy: RatePolicy, now: float) -> tuple[int, float]:
    """The window index and the seconds until it ends."""
    index = int(now // policy.window_seconds)
    return index, (index + 1) * policy.window_seconds - now


class MemoryRateLimiter:
    """Fixed window per (policy, key); a lock keeps concurrent hits from overspending."""

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock
        self._used: dict[tuple[str, str], tuple[int, int]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, policy: RatePolicy, cost: int = 1) -> RateDecision:
        async with self._lock:
            index, reset = _window(policy, self._clock())
            slot = (policy.name, key)
            window, used = self._used.get(slot, (index, 0))
            if window != index:
                used = 0
            if used + cost > policy.quota:
                self._used[slot] = (index, used)
                return RateDecision(False, max(policy.quota - used, 0), reset)
            used += cost
            self._used[slot] = (index, used)
            return RateDecision(True, policy.quota - used, reset)


class RedisRateLimiter:
    """Shared quotas: one Lua script per hit (INCRBY + PEXPIRE in the window's key)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._script = client.register_script(_LUA)

    @classmethod
    def from_url(cls, url: str) -> RedisRateLimiter:
        import redis.asyncio as aioredis  # optional dependency, only for shared quotas

        return cls(aioredis.from_url(url))

    async def hit(self, key: str, policy: RatePolicy, cost: int = 1) -> RateDecision:
        index, reset = _window(policy, time.time())
        name = f"{KEY_PREFIX}{policy.name}:{key}:{index}"
        ttl_ms = math.ceil(reset * 1000) + 1000
        allowed, used = await self._script(keys=[name], args=[cost, ttl_ms, policy.quota])
        remaining = max(policy.quota - int(used), 0)
        return RateDecision(bool(int(allowed)), remaining, reset)
