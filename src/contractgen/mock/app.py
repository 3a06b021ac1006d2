"""The mock as an ASGI app, built at runtime from the contract on `contractgen.runtime`.

The same pieces a scaffolded service is wired from (see templates/server/app.py.j2): the
contract's `OperationSpec`s from `model.service`, `ContractEdge` in front (credentials, body
size, token caps, rate limits, concurrent streams), the runtime's problem handlers, its
stream framing (`stream_response`) and WebSocket loop (`serve_websocket`). What a scaffolded
project's service would do, the mock does from the contract: it checks the request against
its schemas, then answers with the contract's examples or with data generated from the
response schema, or streams a plausible run of the declared events.

One catch-all route serves every operation: the edge has matched the request to its
operation already (`RequestContext.operation_id`), so no OpenAPI path needs to be a valid
Starlette path, and a request for no operation is the catalogue's 404 (or 405 when another
method of the path exists).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from contractgen.load.document import Document
from contractgen.location import value_at
from contractgen.mock.operations import BodyPlan, MockOperation
from contractgen.mock.prefer import PreferenceError, PreferredError, preferred_error
from contractgen.mock.requests import check_request
from contractgen.mock.streams import Timing, mock_events
from contractgen.mock.websocket import WebSocketPlan, mock_handler
from contractgen.model.contract import Contract, is_json_media_type
from contractgen.model.generate import generate
from contractgen.model.json_schema import SchemaBundler
from contractgen.model.service import operation_key, runtime_specs
from contractgen.runtime.context import ContractError, RequestContext
from contractgen.runtime.edge import (
    ASGIApp,
    ContractEdge,
    Receive,
    Scope,
    Send,
    request_context,
    websocket_context,
)
from contractgen.runtime.problems import install_problem_handlers, problem_response
from contractgen.runtime.spec import MID_STREAM, PRE_STREAM, ErrorCatalogue
from contractgen.runtime.streaming import stream_response
from contractgen.runtime.websocket import serve_websocket

log = logging.getLogger("contractgen.mock")

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "QUERY"]
UPGRADE_REQUIRED = 426


@dataclass(frozen=True, slots=True)
class MockOptions:
    seed: int = 0
    timing: Timing = field(default_factory=Timing)


def build_app(contract: Contract, document: Document, options: MockOptions) -> ASGIApp:
    """The mock of a contract, logging one line per request."""
    catalogue, specs = runtime_specs(contract)
    bundler = SchemaBundler(document)
    mocks = {
        operation_key(op): MockOperation(op, specs[operation_key(op)], bundler)
        for op in contract.operations
    }
    server = _Server(mocks, catalogue, options)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_problem_handlers(app, catalogue, logger=log)
    app.router.routes.append(Route("/{path:path}", server.http, methods=METHODS))
    app.router.routes.append(WebSocketRoute("/{path:path}", server.websocket))
    app.add_middleware(ContractEdge, operations=specs, catalogue=catalogue)
    return RequestLog(app)


class _Server:
    def __init__(
        self, mocks: dict[str, MockOperation], catalogue: ErrorCatalogue, options: MockOptions
    ) -> None:
        self.mocks = mocks
        self.catalogue = catalogue
        self.options = options
        self._websockets: dict[str, WebSocketPlan] = {}

    def rng(self, mock: MockOperation, path: str, kind: str) -> random.Random:
        """One generator per request identity: the same request gets the same bytes."""
        return random.Random(f"{self.options.seed}|{mock.spec.operation_id}|{path}|{kind}")

    def _not_found(self, path: str, websocket: bool) -> HTTPException:
        matching = [mock for mock in self.mocks.values() if mock.pattern.match(path)]
        if websocket or not matching:
            return HTTPException(404, "No operation of the contract has this path.")
        if all(mock.spec.websocket is not None for mock in matching):
            return HTTPException(
                UPGRADE_REQUIRED,
                "This operation is a WebSocket endpoint: upgrade the connection.",
                headers={"Upgrade": "websocket"},
            )
        allowed = sorted({mock.spec.method for mock in matching if mock.spec.websocket is None})
        return HTTPException(
            405, "The path has no operation for this method.", {"Allow": ", ".join(allowed)}
        )

    # --- HTTP ----------------------------------------------------------------------------

    async def http(self, request: Request) -> Response:
        context = request_context(request)
        mock = self.mocks.get(context.operation_id)
        path = request.url.path
        if mock is None:
            raise self._not_found(path, websocket=False)
        try:
            preferred = preferred_error(request.headers.get("prefer"), self.catalogue)
        except PreferenceError as error:
            raise HTTPException(400, str(error)) from None
        body = await request.body()
        document = check_request(
            mock,
            path=mock.path_values(path),
            query=request.query_params.multi_items(),
            headers=request.headers,
            cookies=request.cookies,
            body=body,
            content_type=request.headers.get("content-type", ""),
        )
        streams = self._wants_stream(mock, document, request)
        if preferred is not None and preferred.phase == PRE_STREAM:
            raise ContractError(preferred.entry.code, _asked(preferred))
        if preferred is not None and not streams:
            raise HTTPException(400, "Prefer: phase=mid_stream needs a streamed response.")
        if streams:
            spec = mock.stream_spec
            assert spec is not None
            rng = self.rng(mock, path, "stream")
            events = mock_events(
                mock,
                spec,
                rng,
                self.options.timing,
                context,
                preferred.entry if preferred is not None else None,
            )
            return await stream_response(
                events,
                spec=spec,
                catalogue=self.catalogue,
                context=context,
                receive=request.receive,
            )
        return self._plain(mock.success, self.rng(mock, path, "body"))

    def _wants_stream(self, mock: MockOperation, document: Any, request: Request) -> bool:
        """The stream flag decides; without one, a stream-only operation always streams."""
        spec = mock.stream_spec
        if spec is None:
            return False
        if spec.stream_flag is not None:
            return value_at(document, spec.stream_flag) is True
        if not mock.has_json:
            return True
        accept = request.headers.get("accept", "")
        if spec.media_type in accept and "json" not in accept:
            return True
        return isinstance(document, dict) and document.get("stream") is True

    def _plain(self, plan: BodyPlan, rng: random.Random) -> Response:
        if plan.media_type is None:
            return Response(status_code=plan.status)
        value = body_value(plan, rng)
        if is_json_media_type(plan.media_type):
            return JSONResponse(value, status_code=plan.status, media_type=plan.media_type)
        if isinstance(value, str):
            return Response(value, status_code=plan.status, media_type=plan.media_type)
        return Response(b"", status_code=plan.status, media_type=plan.media_type)

    # --- WebSocket -----------------------------------------------------------------------

    async def websocket(self, websocket: WebSocket) -> None:
        context = websocket_context(websocket)
        mock = self.mocks.get(context.operation_id)
        if mock is None or mock.spec.websocket is None:
            error = self._not_found(websocket.url.path, websocket=True)
            await self._deny(
                websocket,
                problem_response(
                    self.catalogue,
                    self.catalogue.for_status(error.status_code),
                    detail=str(error.detail),
                ),
            )
            return
        try:
            preferred = preferred_error(websocket.headers.get("prefer"), self.catalogue)
            check_request(
                mock,
                path=mock.path_values(websocket.url.path),
                query=websocket.query_params.multi_items(),
                headers=websocket.headers,
                cookies=websocket.cookies,
                body=b"",
                content_type="",
            )
        except PreferenceError as error:
            entry = self.catalogue.for_status(400)
            await self._deny(websocket, problem_response(self.catalogue, entry, detail=str(error)))
            return
        except RequestValidationError as error:
            await self._deny(websocket, self._invalid(error))
            return
        plan = self._websockets.get(context.operation_id)
        if plan is None:
            plan = self._websockets[context.operation_id] = WebSocketPlan(mock)
        rng = self.rng(mock, websocket.url.path, "websocket")
        mid = preferred.entry if preferred is not None and preferred.phase == MID_STREAM else None
        replies = mock_handler(plan, rng, self.options.timing, mid)
        handler = replies
        if preferred is not None and preferred.phase == PRE_STREAM:
            handler = _refusing(preferred)
        await serve_websocket(
            websocket,
            handler,
            spec=mock.spec.websocket,
            client_messages=plan.client_adapter,
            server_messages=plan.server_adapter,
            catalogue=self.catalogue,
            context=context,
        )

    def _invalid(self, error: RequestValidationError) -> JSONResponse:
        entry = self.catalogue.for_status(400)
        errors = [
            {"pointer": _loc_pointer(item.get("loc", ())), "message": str(item.get("msg", ""))}
            for item in error.errors()
        ]
        return problem_response(
            self.catalogue, entry, detail="The request is invalid.", extra={"errors": errors}
        )

    async def _deny(self, websocket: WebSocket, response: Response) -> None:
        if "websocket.http.response" in websocket.scope.get("extensions", {}):
            await websocket.send_denial_response(response)
        else:
            await websocket.close(1008)


def body_value(plan: BodyPlan, rng: random.Random) -> Any:
    """The contract's example (one of the valid ones), else a value generated from the schema."""
    schema = plan.schema
    if schema is None:
        return plan.examples[0] if plan.examples else ({} if _json(plan) else "")
    valid = [example for example in plan.examples if schema.checks.is_valid(schema.root, example)]
    if valid:
        return rng.choice(valid)
    generated = generate(schema.root, rng, schema.checks)
    if not generated.valid:
        log.warning("generated a body that does not match its schema")
    return generated.value


def _json(plan: BodyPlan) -> bool:
    return plan.media_type is not None and is_json_media_type(plan.media_type)


def _asked(preferred: PreferredError) -> str:
    return f"{preferred.entry.title or preferred.entry.code} (asked for with Prefer)."


def _refusing(preferred: PreferredError) -> Any:
    def refuse(messages: Any, context: RequestContext) -> Any:
        raise ContractError(preferred.entry.code, _asked(preferred))

    return refuse


def _loc_pointer(loc: Any) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- the request log ----------------------------------------------------------------------


class RequestLog:
    """One line per request once it is answered: method, path, status, duration, request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status: int | None = None

        async def logged(message: Mapping[str, Any]) -> None:
            nonlocal status
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                status = int(message["status"])
            elif kind == "websocket.accept":
                status = 101
            elif kind == "websocket.close" and status is None:
                status = 403
            await send(dict(message))

        try:
            await self.app(scope, receive, logged)
        finally:
            context = scope.get("state", {}).get("contract_context")
            request_id = getattr(context, "request_id", "-")
            method = "WS" if scope["type"] == "websocket" else scope.get("method", "GET")
            millis = (time.monotonic() - started) * 1000
            log.info(
                "%s %s %s %.1fms %s",
                method,
                scope.get("path", ""),
                status if status is not None else "-",
                millis,
                request_id,
            )
