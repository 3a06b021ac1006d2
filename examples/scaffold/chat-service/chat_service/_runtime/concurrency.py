# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""Concurrent stream slots per partition key, so one key cannot hold every connection."""

from __future__ import annotations

import asyncio


class ConcurrencySlots:
    """In-memory counters; one process only (a shared store would be needed across workers)."""

    def __init__(self) -> None:
        self._held: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, key: str, limit: int) -> bool:
        """Take a slot if fewer than `limit` are held for `key`."""
        async with self._lock:
            held = self._held.get(key, 0)
            if held >= limit:
                return False
            self._held[key] = held + 1
            return True

    async def release(self, key: str) -> None:
        """Give a slot back; the key is forgotten when none are held."""
        async with self._lock:
            held = self._held.get(key, 0) - 1
            if held > 0:
                self._held[key] = held
            else:
                self._held.pop(key, None)

    def held(self, key: str) -> int:
        """How many slots `key` holds (for tests and diagnostics)."""
        return self._held.get(key, 0)
