# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""The library a contractgen client runs on.

Stream readers (SSE, JSON Lines, json-seq), JSON, URL-encoded form and multipart request bodies,
typed errors from the catalogue, retries with backoff and idempotency keys, stream
resume, a circuit breaker per operation, timeouts from the contract's limits and a typed
WebSocket client, sync and async, written and tested once. It imports httpx, pydantic,
websockets and the standard library only; modules import each other relatively and nothing
else from contractgen. This file imports nothing, so reading `spec` costs no httpx import.
"""
