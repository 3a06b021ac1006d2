"""A multipart body parsed the way a served route parses it, without serving one."""

from __future__ import annotations

import asyncio

from fastapi import Request

from contractgen.runtime.multipart import UploadedFile, read_parts


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str | UploadedFile]]:
    """`read_parts` on a request carrying `body`, outside any app."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode())],
    }
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(read_parts(Request(scope, receive)))
