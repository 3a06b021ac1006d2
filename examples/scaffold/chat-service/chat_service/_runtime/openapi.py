# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""Serve the contract itself as the app's OpenAPI description.

FastAPI would describe an SSE route's items as `data: string` and leave WebSocket routes
out; the contract already says all of it, so `/openapi.json` (and the docs pages built on
it) serve the contract the service was generated from, unchanged.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def install_contract_openapi(app: FastAPI, document: dict[str, Any]) -> None:
    """Make `app.openapi()` return the contract instead of a description built from routes."""

    def contract_openapi() -> dict[str, Any]:
        return document

    app.openapi_schema = document
    app.openapi = contract_openapi  # type: ignore[method-assign]
