# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""RFC 9457 problem bodies and mid-stream error fields, both from the contract's catalogue."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .context import ContractError
from .spec import FALLBACK_CODES, ErrorCatalogue, ErrorCode

PROBLEM_MEDIA_TYPE = "application/problem+json"
GENERIC_DETAIL = "The server failed to handle the request."


def _resolve(catalogue: ErrorCatalogue, code: str | ErrorCode) -> ErrorCode:
    if isinstance(code, ErrorCode):
        return code
    return catalogue.get(code) or ErrorCode(
        code=code, status=500 if code == "internal_error" else 400
    )


def _title(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip().capitalize() or "Error"


def _seconds(value: float) -> str:
    return str(max(math.ceil(value), 0))


def problem_body(
    catalogue: ErrorCatalogue,
    entry: ErrorCode,
    *,
    detail: str | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    """The RFC 9457 members plus `code` and `retryable`, which clients branch on."""
    body: dict[str, Any] = {
        "type": f"{catalogue.type_base}{entry.code}" if catalogue.type_base else "about:blank",
        "title": entry.title or _title(entry.code),
        "status": entry.status,
        "code": entry.code,
        "retryable": entry.retryable,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    return body


def problem_response(
    catalogue: ErrorCatalogue,
    code: str | ErrorCode,
    *,
    status: int | None = None,
    detail: str | None = None,
    retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem response; `Retry-After` when given or when the code requires one."""
    entry = _resolve(catalogue, code)
    body = problem_body(catalogue, entry, detail=detail)
    if status is not None:
        body["status"] = status
    if extra:
        body.update(extra)
    out = dict(headers or {})
    if retry_after is None and entry.retry_after == "required":
        retry_after = 1
    if retry_after is not None:
        out["Retry-After"] = _seconds(retry_after)
    return JSONResponse(
        body, status_code=body["status"], headers=out, media_type=PROBLEM_MEDIA_TYPE
    )


def error_event_fields(
    catalogue: ErrorCatalogue,
    code: str | ErrorCode,
    *,
    message: str,
    retry_after: float | None = None,
) -> dict[str, Any]:
    """What a terminal error event carries once the stream's status line is already sent.

    `retry_after_ms` follows the rule of `Retry-After` on a problem: given, or 1 s where the
    code requires one; never where the code says `none`.
    """
    entry = _resolve(catalogue, code)
    fields: dict[str, Any] = {
        "code": entry.code,
        "message": message,
        "retryable": entry.retryable,
        "status": entry.status,
    }
    if entry.retry_after == "none":
        return fields
    if retry_after is None and entry.retry_after == "required":
        retry_after = 1.0
    if retry_after is not None:
        fields["retry_after_ms"] = max(math.ceil(retry_after * 1000), 0)
    return fields


def _standard(catalogue: ErrorCatalogue, code: str) -> ErrorCode | None:
    """A code the runtime itself raises (`not_implemented`, ...) needs no catalogue entry."""
    status = next((status for status, name in FALLBACK_CODES.items() if name == code), None)
    return None if status is None else catalogue.for_status(status, fallback=code)


def _validation_code(catalogue: ErrorCatalogue) -> ErrorCode:
    for status in (422, 400):
        for entry in catalogue.codes:
            if entry.status == status:
                return entry
    return catalogue.get("invalid_request") or ErrorCode(code="invalid_request", status=400)


def _pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _request_id(request: Request) -> str | None:
    context = request.scope.get("state", {}).get("contract_context")
    return getattr(context, "request_id", None)


def install_problem_handlers(
    app: FastAPI, catalogue: ErrorCatalogue, *, logger: logging.Logger | None = None
) -> None:
    """Every error the app raises leaves as a catalogue problem; internals never leave."""
    log = logger or logging.getLogger("contractgen.service")

    async def on_contract(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ContractError)
        entry = catalogue.get(exc.code) or _standard(catalogue, exc.code)
        if entry is None:
            log.error(
                "unknown error code %r raised", exc.code, extra={"request_id": _request_id(request)}
            )
            return problem_response(catalogue, "internal_error", detail=GENERIC_DETAIL)
        return problem_response(catalogue, entry, detail=exc.detail, retry_after=exc.retry_after)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        entry = catalogue.for_status(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            catalogue, entry, status=exc.status_code, detail=detail, headers=exc.headers
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        entry = _validation_code(catalogue)
        errors = [
            {"pointer": _pointer(error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors()
        ]
        return problem_response(
            catalogue, entry, detail="The request is invalid.", extra={"errors": errors}
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled exception", exc_info=exc, extra={"request_id": _request_id(request)})
        return problem_response(catalogue, "internal_error", detail=GENERIC_DETAIL)

    app.add_exception_handler(ContractError, on_contract)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
