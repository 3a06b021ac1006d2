"""A response checked against its operation: declared status, media type, headers, body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contractgen.model.contract import MediaType, Operation, Response, is_json_media_type
from contractgen.verify import rules
from contractgen.verify.context import Run
from contractgen.verify.plan import HttpRequest


def declared_response(op: Operation, status: int) -> Response | None:
    return op.response(status) or op.responses.get("default")


def media_for(response: Response, content_type: str) -> MediaType | None:
    """The declared media type a Content-Type matches (`application/*`, `*/*` included)."""
    base = content_type.split(";")[0].strip().lower()
    if not base:
        return None
    best: MediaType | None = None
    for name, media in response.content.items():
        declared = name.split(";")[0].strip().lower()
        if declared == base:
            return media
        major, _, minor = declared.partition("/")
        if declared == "*/*" or (minor == "*" and base.startswith(major + "/")):
            best = best or media
    return best


def check_response(
    run: Run,
    op: Operation,
    request: HttpRequest,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> Response | None:
    """Check one whole (non-streamed) response; the declared response, if there is one."""
    response = declared_response(op, status)
    if response is None:
        declared = ", ".join(sorted(op.responses)) or "none"
        run.report(
            rules.UNDECLARED_STATUS,
            op,
            op.location.child("responses"),
            f"answered {status}, which the operation does not declare (declared: {declared})",
            request,
        )
        return None
    for name, header in response.headers.items():
        if header.required and name not in headers and name != "content-type":
            run.report(
                rules.RESPONSE_HEADER,
                op,
                header.location,
                f"{status} without its required header {header.name}",
                request,
            )
    content_type = headers.get("content-type", "")
    if not response.content or (not body and status in (204, 304)):
        return response
    media = media_for(response, content_type)
    if media is None:
        if body or content_type:
            declared = ", ".join(response.content)
            run.report(
                rules.MEDIA_TYPE,
                op,
                response.location.child("content"),
                f"{status} answered with {content_type or 'no Content-Type'}; declared: {declared}",
                request,
            )
        return response
    document = _json(body) if is_json_media_type(content_type) else _NOT_JSON
    if document is _NOT_JSON:
        if is_json_media_type(content_type):
            run.report(
                rules.BODY_SCHEMA,
                op,
                media.location,
                f"{status} body is not JSON: {body[:80]!r}",
                request,
            )
        return response
    compiled = run.schemas.compile(media.schema)
    if compiled is not None and media.schema is not None:
        for pointer, message in compiled.errors(document):
            run.report(
                rules.BODY_SCHEMA,
                op,
                media.schema.location,
                f"{status} body at {pointer}: {message}",
                request,
            )
    check_retry_after(run, op, request, status, headers, document)
    return response


def check_retry_after(
    run: Run,
    op: Operation,
    request: HttpRequest,
    status: int,
    headers: Mapping[str, str],
    document: Any,
) -> None:
    catalog = run.contract.errors
    code = document.get("code") if isinstance(document, dict) else None
    if catalog is None or not isinstance(code, str):
        return
    entry = catalog.codes.get(code)
    if entry is None or entry.retry_after != "required" or "retry-after" in headers:
        return
    run.report(
        rules.RETRY_AFTER,
        op,
        entry.location,
        f"{status} {code} without Retry-After (the catalogue requires it)",
        request,
    )


_NOT_JSON = object()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON
