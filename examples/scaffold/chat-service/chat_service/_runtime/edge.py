# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""The contract's edge limits, enforced in front of the app before any service code runs.

`ContractEdge` is plain ASGI so that it sees every request (HTTP and WebSocket) once, before
routing, and can refuse one without the app reading a byte of it. It matches the request to
its operation, checks it carries a credential the operation's security accepts, derives the
partition key, checks body size, token caps, rate limits and concurrent streams, and answers
refusals with the catalogue's problem bodies.

Choices the contract leaves open, decided here:
- A credential is checked for presence and shape only (a non-empty API key, `Authorization:
  Bearer <token>` or `Basic <credentials>`), never for validity: that is the service's job.
  A request without one gets the 401 problem, before its body is read or a rate limit
  counted, with a `WWW-Authenticate` challenge per accepted scheme: `Bearer`,
  `Basic realm="api"`, and for an API key (which has no HTTP scheme) `APIKey in="header",
  name="X-API-Key"` (or `query`, `cookie`).
- A rate policy of unit `tokens` costs the request's output-token field (when it is a
  positive integer, else 1); `content-bytes` costs the body size; anything else costs 1.
  Policies are hit in order and the first refusal answers; quotas are shared by every
  operation that names the same policy, per partition key.
- Concurrency slots are counted per partition key, across the operations of that key; each
  operation applies its own limit to that count.
- Body checks (token cap, input estimate, stream flag) read the JSON body once, bounded by
  `max_body_bytes`, and replay it to the app. A body that is not JSON passes through so
  that the app's own validation answers it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from .concurrency import ConcurrencySlots
from .context import RequestContext
from .problems import problem_response
from .ratelimit import MemoryRateLimiter, RateDecision, RateLimiter
from .spec import ErrorCatalogue, KeySource, OperationSpec, RatePolicy

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTEXT_KEY = "contract_context"
"""Where the edge leaves the `RequestContext` in `scope["state"]`."""

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PARAMETER = re.compile(r"\{[^/{}]+\}")
_IP_PARTITIONS = ("ip", "connection")
_POLICY_VIOLATION = 1008

log = logging.getLogger("contractgen.service")


class _Refused(Exception):
    """A check failed: answer with this response instead of running the app."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _Disconnected(Exception):
    """The client went away while the edge was reading its body."""


@dataclass(frozen=True)
class _Route:
    operation: OperationSpec
    pattern: re.Pattern[str]
    rank: tuple[int, ...]
    """One entry per segment, 0 for a literal and 1 for a parameter: lower ranks win."""


@dataclass
class _Admission:
    """What the checks decided for a request that may run."""

    receive: Receive
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    slot_limit: int | None = None


def _compile(operation: OperationSpec) -> _Route:
    segments = operation.path.strip("/").split("/")
    pattern = "".join(
        "/[^/]+" if _PARAMETER.fullmatch(segment) else "/" + re.escape(segment)
        for segment in segments
        if segment
    )
    rank = tuple(1 if _PARAMETER.fullmatch(segment) else 0 for segment in segments)
    return _Route(operation, re.compile((pattern or "/") + r"\Z"), rank)


def _header_map(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope.get("headers") or ():
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def _request_id(headers: Mapping[str, str]) -> str:
    offered = headers.get("x-request-id", "")
    return offered if _SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _client_key(scope: Scope) -> str:
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


def _hashed(kind: str, credential: str) -> str:
    return f"{kind}:{hashlib.sha256(credential.encode()).hexdigest()}"


def _authorization(headers: Mapping[str, str], scheme: str) -> str | None:
    kind, _, credential = headers.get("authorization", "").partition(" ")
    credential = credential.strip()
    return credential if kind.lower() == scheme and credential else None


def _credential(source: KeySource, scope: Scope, headers: Mapping[str, str]) -> str | None:
    """The credential a request carries where a key source puts it, if it carries one."""
    credential: str | None = None
    if source.kind == "header" and source.name:
        credential = headers.get(source.name.lower())
    elif source.kind == "query" and source.name:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        credential = next(iter(query.get(source.name, ())), None)
    elif source.kind == "cookie" and source.name:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no credential
            cookies = SimpleCookie()
        morsel = cookies.get(source.name)
        credential = morsel.value if morsel else None
    elif source.kind in ("bearer", "basic"):
        credential = _authorization(headers, source.kind)
    return credential or None


def partition_key(operation: OperationSpec | None, scope: Scope) -> str:
    """The hashed credential of the first key source the request carries, else its address."""
    headers = _header_map(scope)
    for source in operation.key_sources if operation else ():
        credential = _credential(source, scope, headers)
        if credential:
            return _hashed(source.kind, credential)
    return _client_key(scope)


def _authenticated(operation: OperationSpec, scope: Scope, headers: Mapping[str, str]) -> bool:
    """Whether the request carries every credential of one alternative (presence, not validity)."""
    return not operation.auth_required or any(
        all(_credential(source, scope, headers) for source in alternative)
        for alternative in operation.credentials
    )


def _challenge(source: KeySource) -> str:
    """A `WWW-Authenticate` challenge; an API key (no HTTP scheme) says where it goes."""
    if source.kind == "bearer":
        return "Bearer"
    if source.kind == "basic":
        return 'Basic realm="api"'
    return f'APIKey in="{source.kind}", name="{_quotable(source.name or "")}"'


def _describe(source: KeySource) -> str:
    if source.kind == "bearer":
        return "a bearer token in Authorization"
    if source.kind == "basic":
        return "basic credentials in Authorization"
    where = {"query": "query parameter"}.get(source.kind, source.kind)
    return f"the {source.name} {where}"


def _quotable(text: str) -> str:
    """Text fit for a quoted header parameter: printable ASCII without quotes or backslashes."""
    return "".join(char for char in text if " " <= char <= "~" and char not in '"\\')


def _unauthorized(catalogue: ErrorCatalogue, operation: OperationSpec) -> Response:
    """The 401 problem, challenging with every scheme the operation accepts."""
    sources = dict.fromkeys(source for group in operation.credentials for source in group)
    needs = " or ".join(
        " and ".join(_describe(source) for source in group) for group in operation.credentials
    )
    return problem_response(
        catalogue,
        catalogue.for_status(401),
        detail=f"A credential is required: {needs}.",
        headers={"WWW-Authenticate": ", ".join(_challenge(source) for source in sources)},
    )


def _pointer(document: Any, pointer: str) -> Any:
    """RFC 6901 lookup; `None` when the pointer leads nowhere."""
    if pointer in ("", "/"):
        return document if pointer == "" else None
    current = document
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return None
    return current


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _needs_body(operation: OperationSpec) -> bool:
    limits = operation.limits
    return (
        limits.max_body_bytes is not None
        or limits.output_tokens_field is not None
        or limits.max_input_tokens is not None
        or (operation.stream is not None and operation.stream.stream_flag is not None)
        or any(policy.unit in ("tokens", "content-bytes") for policy in limits.rate_limits)
    )


async def _read_body(receive: Receive, limit: int | None) -> bytes:
    """The whole body, message by message; stops at the first message past the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if limit is not None and size > limit:
            raise OverflowError(size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the body already read, then the server's own messages."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def rate_headers(policy: RatePolicy, decision: RateDecision) -> list[tuple[bytes, bytes]]:
    """The IETF draft `RateLimit-Policy` and `RateLimit` fields for one policy."""
    name = policy.name.replace("\\", "").replace('"', "")
    reset = max(math.ceil(decision.reset_seconds), 0)
    return [
        (b"ratelimit-policy", f'"{name}";q={policy.quota};w={policy.window_seconds}'.encode()),
        (b"ratelimit", f'"{name}";r={max(decision.remaining, 0)};t={reset}'.encode()),
    ]


def _with_headers(send: Send, request_id: str, extra: list[tuple[bytes, bytes]]) -> Send:
    """Stamp the request id (and the rate headers, once known) on the response head."""
    stamp = request_id.encode()
    head = ("http.response.start", "websocket.http.response.start", "websocket.accept")

    async def stamped(message: Message) -> None:
        if message["type"] in head:
            own: list[tuple[bytes, bytes]] = [
                (bytes(name), bytes(value))
                for name, value in message.get("headers") or ()
                if bytes(name).lower() != b"x-request-id"
            ]
            present = {name.lower() for name, _ in own}
            own += [(name, value) for name, value in extra if name not in present]
            own.append((b"x-request-id", stamp))
            message = {**message, "headers": own}
        await send(message)

    return stamped


class ContractEdge:
    """ASGI middleware enforcing each operation's edge limits before the app runs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        operations: Mapping[str, OperationSpec],
        catalogue: ErrorCatalogue,
        limiter: RateLimiter | None = None,
        slots: ConcurrencySlots | None = None,
    ) -> None:
        self.app = app
        self.catalogue = catalogue
        self.limiter: RateLimiter = MemoryRateLimiter() if limiter is None else limiter
        self.slots = ConcurrencySlots() if slots is None else slots
        routes = sorted((_compile(op) for op in operations.values()), key=lambda r: r.rank)
        self._http = [route for route in routes if route.operation.websocket is None]
        self._websocket = [route for route in routes if route.operation.websocket is not None]

    def match(self, scope: Scope) -> OperationSpec | None:
        """The operation a request is for; literal segments beat templated ones."""
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        if scope["type"] == "websocket":
            routes, method = self._websocket, "GET"
        else:
            routes, method = self._http, scope.get("method", "GET").upper()
        for route in routes:
            if route.operation.method == method and route.pattern.match(path):
                return route.operation
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _header_map(scope)
        operation = self.match(scope)
        key = partition_key(operation, scope)
        resumes = operation is not None and operation.stream is not None and operation.stream.resume
        context = RequestContext(
            request_id=_request_id(headers),
            operation_id=operation.operation_id if operation else "",
            partition_key=key,
            last_event_id=headers.get("last-event-id") if resumes else None,
        )
        state = scope.setdefault("state", {})
        state[CONTEXT_KEY] = context
        extra: list[tuple[bytes, bytes]] = []
        send = _with_headers(send, context.request_id, extra)
        if operation is None:
            await self.app(scope, receive, send)
            return
        try:
            admission = await self._admit(operation, scope, receive, headers, key)
        except _Disconnected:
            return
        except _Refused as refused:
            log.info(
                "request refused at the edge",
                extra={"request_id": context.request_id, "status": refused.response.status_code},
            )
            await self._refuse(scope, receive, send, refused.response)
            return
        extra.extend(admission.headers)
        await self._run(scope, admission, send, key)

    async def _run(self, scope: Scope, admission: _Admission, send: Send, key: str) -> None:
        """Run the app, holding a concurrency slot for the whole call when one is needed."""
        if admission.slot_limit is None:
            await self.app(scope, admission.receive, send)
            return
        if not await self.slots.acquire(key, admission.slot_limit):
            limit = (
                "websocket.maxConnectionsPerKey"
                if scope["type"] == "websocket"
                else "stream.maxConcurrentPerKey"
            )
            entry = self.catalogue.for_limit(limit, 429)
            response = problem_response(
                self.catalogue, entry, detail="Too many open streams for this key."
            )
            await self._refuse(scope, admission.receive, send, response)
            return
        try:
            await self.app(scope, admission.receive, send)
        finally:
            await self.slots.release(key)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, response: Response) -> None:
        """Answer a refusal: a problem response, or for a WebSocket a denial or a 1008 close."""
        if scope["type"] == "websocket" and "websocket.http.response" not in (
            scope.get("extensions") or {}
        ):
            await send({"type": "websocket.close", "code": _POLICY_VIOLATION})
            return
        await response(scope, receive, send)  # Starlette sends websocket.http.response.* itself

    async def _admit(
        self,
        operation: OperationSpec,
        scope: Scope,
        receive: Receive,
        headers: Mapping[str, str],
        key: str,
    ) -> _Admission:
        """Run every check in order; raises `_Refused` with the answer to the first that fails."""
        if not _authenticated(operation, scope, headers):
            raise _Refused(_unauthorized(self.catalogue, operation))
        limits = operation.limits
        document: Any = None
        body = b""
        if scope["type"] == "http" and _needs_body(operation):
            body = await self._bounded_body(limits.max_body_bytes, receive, headers)
            receive = _replay(body, receive)
            try:
                document = json.loads(body) if body else None
            except ValueError:
                document = None  # not JSON: the app's validation answers it
        requested = (
            _count(_pointer(document, limits.output_tokens_field))
            if limits.output_tokens_field and document is not None
            else None
        )
        self._check_tokens(operation, body, document, requested)
        return _Admission(
            receive=receive,
            headers=await self._check_rates(limits.rate_limits, scope, key, body, requested),
            slot_limit=self._slot_limit(operation, scope, document),
        )

    async def _bounded_body(
        self, limit: int | None, receive: Receive, headers: Mapping[str, str]
    ) -> bytes:
        declared = headers.get("content-length", "").strip()
        if limit is not None and declared.isdigit() and int(declared) > limit:
            raise _Refused(self._too_large(limit))
        try:
            return await _read_body(receive, limit)
        except OverflowError:
            raise _Refused(self._too_large(limit or 0)) from None

    def _too_large(self, limit: int) -> Response:
        entry = self.catalogue.for_limit("request.maxBytes", 413)
        return problem_response(
            self.catalogue, entry, detail=f"The request body is larger than {limit} bytes."
        )

    def _check_tokens(
        self, operation: OperationSpec, body: bytes, document: Any, requested: int | None
    ) -> None:
        limits = operation.limits
        cap = limits.max_output_tokens
        if cap is not None and requested is not None and requested > cap:
            entry = self.catalogue.for_limit("tokens.maxOutputTokens", 400)
            detail = f"At most {cap} output tokens may be requested."
            raise _Refused(problem_response(self.catalogue, entry, detail=detail))
        if limits.max_input_tokens is not None and document is not None:
            estimate = len(body.decode("utf-8", "replace")) / 4
            if estimate > limits.max_input_tokens:
                entry = self.catalogue.for_limit("tokens.maxInputTokens", 400)
                detail = f"The input is estimated above {limits.max_input_tokens} tokens."
                raise _Refused(problem_response(self.catalogue, entry, detail=detail))

    async def _check_rates(
        self,
        policies: Iterable[RatePolicy],
        scope: Scope,
        key: str,
        body: bytes,
        requested: int | None,
    ) -> list[tuple[bytes, bytes]]:
        """Hit every policy; the headers of the tightest one, or `_Refused` at the first denial."""
        tightest: tuple[float, RatePolicy, RateDecision] | None = None
        for policy in policies:
            who = _client_key(scope) if policy.partition in _IP_PARTITIONS else key
            decision = await self.limiter.hit(who, policy, _cost(policy, body, requested))
            if not decision.allowed:
                entry = self.catalogue.for_limit(f"rateLimits.{policy.name}", 429)
                response = problem_response(
                    self.catalogue,
                    entry,
                    detail=f"The {policy.name} rate limit is spent for this window.",
                    retry_after=decision.reset_seconds,
                    headers={
                        name.decode(): value.decode()
                        for name, value in rate_headers(policy, decision)
                    },
                )
                raise _Refused(response)
            share = decision.remaining / policy.quota if policy.quota else 0.0
            if tightest is None or share < tightest[0]:
                tightest = (share, policy, decision)
        return rate_headers(tightest[1], tightest[2]) if tightest else []

    def _slot_limit(self, operation: OperationSpec, scope: Scope, document: Any) -> int | None:
        """How many slots the request's key may hold, or None when it needs no slot."""
        limits = operation.limits
        if scope["type"] == "websocket":
            declared = [limits.max_concurrent_streams]
            if operation.websocket is not None:
                declared.append(operation.websocket.max_connections_per_key)
            bounds = [bound for bound in declared if bound is not None]
            return min(bounds) if bounds else None
        stream = operation.stream
        if stream is None or limits.max_concurrent_streams is None:
            return None
        if stream.stream_flag is not None and _pointer(document, stream.stream_flag) is not True:
            return None
        return limits.max_concurrent_streams


def _cost(policy: RatePolicy, body: bytes, requested: int | None) -> int:
    if policy.unit == "tokens" and requested is not None and requested > 0:
        return requested
    if policy.unit == "content-bytes" and body:
        return len(body)
    return 1


def _context(connection: HTTPConnection) -> RequestContext:
    found = connection.scope.get("state", {}).get(CONTEXT_KEY)
    if isinstance(found, RequestContext):
        return found
    client = connection.client
    return RequestContext(
        request_id=uuid.uuid4().hex,
        operation_id="",
        partition_key=f"ip:{client.host if client else 'unknown'}",
    )


def request_context(request: Request) -> RequestContext:
    """A FastAPI dependency: what the edge learned about this request (a fresh one without it)."""
    return _context(request)


def websocket_context(websocket: WebSocket) -> RequestContext:
    """A FastAPI dependency: what the edge learned about this connection."""
    return _context(websocket)
