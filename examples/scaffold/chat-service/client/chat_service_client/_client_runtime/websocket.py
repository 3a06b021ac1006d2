# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""A typed WebSocket client over the `websockets` library, sync and asyncio.

`send` takes a pydantic model (or anything pydantic can serialize) and sends its JSON;
`receive` validates what arrives against the server's message union. The contract's error
message (`errorMessage`) is raised as the catalogue's exception, the same class an HTTP
problem or a stream's error event with that code raises; the connection stays open. A close
by the server raises `ConnectionClosedByServer` with its code, reason and the code's name in
the contract; iterating the session ends quietly on a normal close (1000) instead. A refused
handshake raises the catalogue's exception for the problem the server answered with.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json
from websockets.asyncio.client import ClientConnection as AsyncConnection
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection as SyncConnection
from websockets.sync.client import connect as sync_connect
from websockets.typing import Subprotocol

from .errors import ApiError, ConnectionClosedByServer, ErrorCatalogue, ProtocolViolation
from .spec import WebSocketSpec

R = TypeVar("R")
NORMAL_CLOSE = 1000
NO_STATUS = 1005
"""What a close without a code reports (RFC 6455 7.1.5)."""
ABNORMAL_CLOSE = 1006
"""What a connection that dropped without a close frame reports."""


def websocket_url(base_url: str, path: str) -> str:
    """`http(s)://host/base` + `/v1/talk` as `ws(s)://host/base/v1/talk`."""
    if base_url.startswith("https://"):
        base = "wss://" + base_url[len("https://") :]
    elif base_url.startswith("http://"):
        base = "ws://" + base_url[len("http://") :]
    else:
        base = base_url
    return base.rstrip("/") + path


def encode(message: Any) -> str:
    """A message as JSON text: aliases, no nulls (what the server's union validates)."""
    return to_json(message, by_alias=True, exclude_none=True).decode()


class _Messages(Generic[R]):
    """What the sync and async sessions share: decoding, errors and closes."""

    def __init__(
        self, spec: WebSocketSpec, adapter: TypeAdapter[R], catalogue: ErrorCatalogue
    ) -> None:
        self.spec = spec
        self.adapter = adapter
        self.catalogue = catalogue
        field = spec.discriminator.lstrip("/").split("/", 1)[0]
        self.field = field.replace("~1", "/").replace("~0", "~") or "type"

    def decode(self, raw: str | bytes) -> R:
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise ProtocolViolation(f"A WebSocket message is not JSON: {raw[:200]!r}") from error
        if (
            self.spec.error_message is not None
            and isinstance(value, dict)
            and value.get(self.field) == self.spec.error_message
        ):
            raise self.catalogue.from_event(value)
        try:
            return self.adapter.validate_python(value)
        except ValidationError as error:
            raise ProtocolViolation(f"A server message breaks the contract: {error}") from error

    def closed(self, closed: ConnectionClosed) -> ConnectionClosedByServer:
        frame = closed.rcvd
        code = frame.code if frame is not None else ABNORMAL_CLOSE
        reason = frame.reason if frame is not None else ""
        return ConnectionClosedByServer(code, reason, self.spec.close_name(code))

    def is_normal(self, error: ConnectionClosedByServer) -> bool:
        return error.code == NORMAL_CLOSE or error.name == "normal"


def _refused(error: InvalidStatus, catalogue: ErrorCatalogue) -> ApiError:
    response = error.response
    return catalogue.from_problem(
        response.status_code,
        bytes(response.body or b""),
        content_type=response.headers.get("content-type", ""),
        retry_after=response.headers.get("retry-after"),
        request_id=response.headers.get("x-request-id"),
    )


class WebSocketSession(Generic[R]):
    """One synchronous connection; iterate it for the server's typed messages."""

    def __init__(
        self,
        connection: SyncConnection,
        spec: WebSocketSpec,
        adapter: TypeAdapter[R],
        catalogue: ErrorCatalogue,
    ) -> None:
        self.connection = connection
        self._messages = _Messages(spec, adapter, catalogue)

    @property
    def subprotocol(self) -> str | None:
        return self.connection.subprotocol

    def send(self, message: Any) -> None:
        try:
            self.connection.send(encode(message))
        except ConnectionClosed as closed:
            raise self._messages.closed(closed) from closed

    def receive(self, timeout: float | None = None) -> R:
        """The next server message (TimeoutError after `timeout` seconds without one)."""
        try:
            raw = self.connection.recv(timeout)
        except ConnectionClosed as closed:
            raise self._messages.closed(closed) from closed
        return self._messages.decode(raw)

    def __iter__(self) -> Iterator[R]:
        while True:
            try:
                yield self.receive()
            except ConnectionClosedByServer as error:
                if self._messages.is_normal(error):
                    return
                raise

    def close(self, code: int = NORMAL_CLOSE, reason: str = "") -> None:
        self.connection.close(code, reason)

    def __enter__(self) -> WebSocketSession[R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncWebSocketSession(Generic[R]):
    """One asyncio connection; `async for` it for the server's typed messages."""

    def __init__(
        self,
        connection: AsyncConnection,
        spec: WebSocketSpec,
        adapter: TypeAdapter[R],
        catalogue: ErrorCatalogue,
    ) -> None:
        self.connection = connection
        self._messages = _Messages(spec, adapter, catalogue)

    @property
    def subprotocol(self) -> str | None:
        return self.connection.subprotocol

    async def send(self, message: Any) -> None:
        try:
            await self.connection.send(encode(message))
        except ConnectionClosed as closed:
            raise self._messages.closed(closed) from closed

    async def receive(self, timeout: float | None = None) -> R:
        try:
            async with asyncio.timeout(timeout):
                raw = await self.connection.recv()
        except ConnectionClosed as closed:
            raise self._messages.closed(closed) from closed
        return self._messages.decode(raw)

    async def __aiter__(self) -> AsyncIterator[R]:
        while True:
            try:
                yield await self.receive()
            except ConnectionClosedByServer as error:
                if self._messages.is_normal(error):
                    return
                raise

    async def close(self, code: int = NORMAL_CLOSE, reason: str = "") -> None:
        await self.connection.close(code, reason)

    async def __aenter__(self) -> AsyncWebSocketSession[R]:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def connect_websocket(
    url: str,
    spec: WebSocketSpec,
    adapter: TypeAdapter[R],
    catalogue: ErrorCatalogue,
    *,
    headers: Mapping[str, str] | None = None,
    open_timeout: float | None = 10.0,
) -> WebSocketSession[R]:
    """Open a connection offering the contract's subprotocols."""
    try:
        connection = sync_connect(
            url,
            subprotocols=[Subprotocol(name) for name in spec.subprotocols] or None,
            additional_headers=dict(headers or {}),
            open_timeout=open_timeout,
        )
    except InvalidStatus as error:
        raise _refused(error, catalogue) from error
    assert isinstance(connection, SyncConnection)
    # The session owns the connection as its context: entering it is what websockets 16+
    # asks of a connection used directly (it returns the connection itself), and the
    # session's close() is the exit.
    return WebSocketSession(connection.__enter__(), spec, adapter, catalogue)


async def aconnect_websocket(
    url: str,
    spec: WebSocketSpec,
    adapter: TypeAdapter[R],
    catalogue: ErrorCatalogue,
    *,
    headers: Mapping[str, str] | None = None,
    open_timeout: float | None = 10.0,
) -> AsyncWebSocketSession[R]:
    """`connect_websocket` for asyncio."""
    try:
        connection = await async_connect(
            url,
            subprotocols=[Subprotocol(name) for name in spec.subprotocols] or None,
            additional_headers=dict(headers or {}),
            open_timeout=open_timeout,
        )
    except InvalidStatus as error:
        raise _refused(error, catalogue) from error
    return AsyncWebSocketSession(connection, spec, adapter, catalogue)
