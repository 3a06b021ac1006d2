# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""The base of a generated client: one method per operation calls `request_json` or
`stream_events` with the operation's spec and the TypeAdapter of what it returns.

Both run the same loop for each attempt: the operation's circuit breaker lets the call
through (or raises `CircuitOpen`), the request goes out with the call's one idempotency key,
an error status becomes the catalogue's exception, and a failure the retry rules allow is
tried again after its wait (see retry.py). `BaseClient` is synchronous over httpx.Client,
`AsyncBaseClient` the same over httpx.AsyncClient (asyncio).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import quote, urlencode

import httpx
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from .breaker import Breakers, CircuitBreaker
from .config import ClientConfig
from .errors import ApiError, ErrorCatalogue, ProtocolViolation, StreamTruncated
from .forms import FORM_MEDIA_TYPE, encode_form
from .multipart import encode_multipart, multipart_parts
from .retry import RetryPlan, is_failure
from .spec import OperationSpec, StreamSpec, WebSocketSpec
from .streams import MEDIA_TYPES, StreamDecoder, StreamProgress, aread_events, read_events
from .timeouts import timeouts_for
from .websocket import (
    AsyncWebSocketSession,
    WebSocketSession,
    aconnect_websocket,
    connect_websocket,
    websocket_url,
)

T = TypeVar("T")
IDEMPOTENCY_HEADER = "Idempotency-Key"
REQUEST_ID_HEADER = "X-Request-ID"
RETRIED = (ApiError, StreamTruncated, httpx.TransportError)
"""What an attempt may fail with and still be retried (retry.py decides)."""


def render_path(template: str, values: Mapping[str, Any] | None = None) -> str:
    """`/v1/models/{model_id}` with each parameter percent-encoded as one segment."""
    path = template
    for name, value in (values or {}).items():
        text = value if isinstance(value, str) else str(to_jsonable_python(value))
        path = path.replace("{" + name + "}", quote(text, safe=""))
    if "{" in path:
        raise ValueError(f"{template}: a path parameter is missing")
    return path


class _Call:
    """One call of an operation, across its attempts."""

    def __init__(
        self,
        core: _Core,
        operation: OperationSpec,
        *,
        path_params: Mapping[str, Any] | None,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout | None,
        idempotency_key: str | None,
    ) -> None:
        self.core = core
        self.operation = operation
        self.url = render_path(operation.path, path_params)
        self.params = dict(params) if params else None
        self.body: Any = None
        self.content: bytes | None = None
        self.headers = dict(headers or {})
        if json is not None and operation.body_encoding == "form":
            self.content = encode_form(json)
            self.headers["Content-Type"] = FORM_MEDIA_TYPE
        elif json is not None and operation.body_encoding == "multipart":
            self.content, self.headers["Content-Type"] = encode_multipart(*multipart_parts(json))
        elif json is not None:
            self.body = to_jsonable_python(json, by_alias=True, exclude_none=True)
        stream = operation.stream
        if stream is not None:
            self.headers.setdefault("Accept", stream.media_type or MEDIA_TYPES[stream.format])
        if idempotency_key is None and core.config.idempotency_keys and not operation.is_idempotent:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            self.headers[IDEMPOTENCY_HEADER] = idempotency_key
        self.idempotency_key = idempotency_key
        limits = timeouts_for(stream, core.config.timeouts)
        self.timeout = timeout or limits.http
        self.deadline = limits.deadline
        resumable = stream is not None and stream.resume and core.config.resume
        self.resumable = resumable
        self.plan = RetryPlan(
            core.config.retry,
            idempotent=operation.is_idempotent,
            resumable=resumable,
            clock=core.config.clock,
            jitter=core.config.jitter,
        )
        self.breaker: CircuitBreaker = core.breakers[operation.operation_id]

    def begin(self) -> None:
        """Before each attempt: the breaker's say, then count it."""
        self.breaker.before()
        self.plan.attempt()

    def request(
        self, http: httpx.Client | httpx.AsyncClient, last_event_id: str | None = None
    ) -> httpx.Request:
        headers = dict(self.headers)
        if last_event_id is not None and self.resumable:
            headers["Last-Event-ID"] = last_event_id
        return http.build_request(
            self.operation.method,
            self.url,
            params=self.params,
            json=self.body,
            content=self.content,
            headers=headers,
            timeout=self.timeout,
        )

    def failed(self, error: BaseException, progress: StreamProgress | None = None) -> float | None:
        """Record a failed attempt; the wait before the next one, or None (raise)."""
        if is_failure(error):
            self.breaker.failure()
        else:
            self.breaker.success()
        delivered = progress is not None and progress.events_seen > 0
        hint = None
        if delivered and progress is not None and progress.retry_ms is not None:
            hint = progress.retry_ms / 1000
        return self.plan.delay(error, delivered=delivered, hint=hint)

    def error_from(self, response: httpx.Response) -> ApiError:
        """The catalogue's exception for an error response whose body has been read."""
        return self.core.catalogue.from_problem(
            response.status_code,
            response.content,
            content_type=response.headers.get("content-type", ""),
            retry_after=response.headers.get("retry-after"),
            request_id=response.headers.get(REQUEST_ID_HEADER),
        )

    def decode(self, adapter: TypeAdapter[T], response: httpx.Response) -> T:
        try:
            if response.status_code == 204 or not response.content:
                return adapter.validate_python(None)
            return adapter.validate_json(response.content)
        except ValidationError as error:
            raise ProtocolViolation(
                f"{self.operation.operation_id}: the response breaks the contract: {error}"
            ) from error

    def decoder(
        self, adapter: TypeAdapter[T], progress: StreamProgress, response: httpx.Response
    ) -> StreamDecoder[T]:
        stream = self.operation.stream
        assert stream is not None
        return StreamDecoder(
            stream,
            adapter,
            self.core.catalogue,
            progress,
            request_id=response.headers.get(REQUEST_ID_HEADER),
        )

    def connection_deadline(self, deadline: float | None) -> float | None:
        seconds = self.deadline if deadline is None else deadline
        return None if seconds is None else time.monotonic() + seconds


class _Core:
    def __init__(self, config: ClientConfig, catalogue: ErrorCatalogue) -> None:
        self.config = config
        self.catalogue = catalogue
        self.breakers = Breakers(config.breaker, clock=config.clock)

    def call(self, operation: OperationSpec, **options: Any) -> _Call:
        return _Call(self, operation, **options)


def _config(config: ClientConfig | str) -> ClientConfig:
    return ClientConfig(base_url=config) if isinstance(config, str) else config


def _websocket_spec(operation: OperationSpec) -> WebSocketSpec:
    if operation.websocket is None:
        raise TypeError(f"{operation.operation_id} declares no WebSocket")
    return operation.websocket


def _websocket_target(
    config: ClientConfig,
    operation: OperationSpec,
    path_params: Mapping[str, Any] | None,
    params: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
) -> tuple[str, dict[str, str]]:
    """The ws(s) URL (query parameters included) and the handshake's headers."""
    url = websocket_url(config.base_url, render_path(operation.path, path_params))
    query = query_string(params)
    return (url + "?" + query if query else url), {**config.headers, **(headers or {})}


def query_string(params: Mapping[str, Any] | None) -> str:
    """Query parameters as httpx would send them: None left out, lists repeated."""
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, _query_text(item)) for item in values if item is not None)
    return urlencode(pairs)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(to_jsonable_python(value))


def _stream_spec(operation: OperationSpec) -> StreamSpec:
    if operation.stream is None:
        raise TypeError(f"{operation.operation_id} declares no stream")
    return operation.stream


class BaseClient:
    """A synchronous client; a generated client subclasses it with one method per operation."""

    catalogue: ClassVar[ErrorCatalogue] = ErrorCatalogue()
    """The generated client sets its own: every code of the contract, one class each."""

    def __init__(
        self,
        config: ClientConfig | str,
        *,
        http: httpx.Client | None = None,
        catalogue: ErrorCatalogue | None = None,
    ) -> None:
        self.config = _config(config)
        self._core = _Core(self.config, catalogue or type(self).catalogue)
        self._owns_http = http is None
        self.http = http or httpx.Client(
            base_url=self.config.base_url,
            headers=dict(self.config.headers),
            auth=self.config.auth,
            timeout=timeouts_for(None, self.config.timeouts).http,
        )

    @property
    def breakers(self) -> Breakers:
        return self._core.breakers

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def request_json(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """Call a non-streaming operation; its response as `adapter`'s type.

        `json` is the request body, sent as the operation's `body_encoding` says (JSON, a
        URL-encoded form, or multipart/form-data).
        """
        call = self._core.call(
            operation,
            path_params=path_params,
            params=params,
            json=json,
            headers=headers,
            timeout=timeout,
            idempotency_key=idempotency_key,
        )
        while True:
            call.begin()
            try:
                response = self.http.send(call.request(self.http))
                if response.status_code >= 400:
                    raise call.error_from(response)
            except RETRIED as error:
                delay = call.failed(error)
                if delay is None:
                    raise
            except BaseException:
                call.breaker.release()
                raise
            else:
                call.breaker.success()
                return call.decode(adapter, response)
            time.sleep(delay)

    def stream_events(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        deadline: float | None = None,
        idempotency_key: str | None = None,
    ) -> EventStream[T]:
        """Call a streaming operation; its events as `adapter`'s type (the union of events).

        Nothing is sent until the first event is asked for.
        """
        _stream_spec(operation)
        call = self._core.call(
            operation,
            path_params=path_params,
            params=params,
            json=json,
            headers=headers,
            timeout=timeout,
            idempotency_key=idempotency_key,
        )
        return EventStream(self.http, call, adapter, deadline)

    def websocket(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        open_timeout: float | None = None,
    ) -> WebSocketSession[T]:
        """Connect to a WebSocket operation; `adapter` is the union of server messages.

        The config's headers go with the handshake; its `auth` does not (httpx's auth flows
        do not apply to a WebSocket), so pass credentials as headers.
        """
        spec = _websocket_spec(operation)
        url, sent = _websocket_target(self.config, operation, path_params, params, headers)
        timeout = self.config.timeouts.connect if open_timeout is None else open_timeout
        return connect_websocket(
            url, spec, adapter, self._core.catalogue, headers=sent, open_timeout=timeout
        )


class _StreamState(Generic[T]):
    """What a streaming call knows of itself, sync or async: progress, ids, connections."""

    def __init__(self, call: _Call, adapter: TypeAdapter[T], deadline: float | None) -> None:
        self.progress = StreamProgress()
        self.request_id: str | None = None
        self.connections = 0
        """Connections made so far (more than one after a retry or a resume)."""
        self._call = call
        self._adapter = adapter
        self._deadline = deadline

    @property
    def events_seen(self) -> int:
        return self.progress.events_seen

    @property
    def last_event_id(self) -> str | None:
        return self.progress.last_event_id

    @property
    def idempotency_key(self) -> str | None:
        return self._call.idempotency_key


class EventStream(_StreamState[T]):
    """The typed events of one streaming call: an iterator, and a context manager that closes it.

    Ends after the terminal event (which it yields) or the sentinel; raises the catalogue's
    exception for the error event, and `StreamTruncated` when the stream stops before its end.
    """

    def __init__(
        self, http: httpx.Client, call: _Call, adapter: TypeAdapter[T], deadline: float | None
    ) -> None:
        super().__init__(call, adapter, deadline)
        self._http = http
        self._events = self._run()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._events)

    def close(self) -> None:
        self._events.close()

    def __enter__(self) -> EventStream[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> Generator[T, None, None]:
        call, progress = self._call, self.progress
        while True:
            call.begin()
            before = progress.events_seen
            response: httpx.Response | None = None
            try:
                request = call.request(self._http, progress.last_event_id)
                self.connections += 1
                response = self._http.send(request, stream=True)
                if response.status_code >= 400:
                    response.read()
                    raise call.error_from(response)
                call.breaker.success()
                self.request_id = response.headers.get(REQUEST_ID_HEADER)
                decoder = call.decoder(self._adapter, progress, response)
                yield from read_events(
                    response, decoder, deadline=call.connection_deadline(self._deadline)
                )
                return
            except RETRIED as error:
                if progress.events_seen > before:
                    call.plan.progressed()
                delay = call.failed(error, progress)
                if delay is None:
                    raise
            except BaseException:
                call.breaker.release()
                raise
            finally:
                if response is not None:
                    response.close()
            time.sleep(delay)


class AsyncBaseClient:
    """`BaseClient` over httpx.AsyncClient: the same rules, awaited."""

    catalogue: ClassVar[ErrorCatalogue] = ErrorCatalogue()

    def __init__(
        self,
        config: ClientConfig | str,
        *,
        http: httpx.AsyncClient | None = None,
        catalogue: ErrorCatalogue | None = None,
    ) -> None:
        self.config = _config(config)
        self._core = _Core(self.config, catalogue or type(self).catalogue)
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(
            base_url=self.config.base_url,
            headers=dict(self.config.headers),
            auth=self.config.auth,
            timeout=timeouts_for(None, self.config.timeouts).http,
        )

    @property
    def breakers(self) -> Breakers:
        return self._core.breakers

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncBaseClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def request_json(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        call = self._core.call(
            operation,
            path_params=path_params,
            params=params,
            json=json,
            headers=headers,
            timeout=timeout,
            idempotency_key=idempotency_key,
        )
        while True:
            call.begin()
            try:
                response = await self.http.send(call.request(self.http))
                if response.status_code >= 400:
                    raise call.error_from(response)
            except RETRIED as error:
                delay = call.failed(error)
                if delay is None:
                    raise
            except BaseException:
                call.breaker.release()
                raise
            else:
                call.breaker.success()
                return call.decode(adapter, response)
            await asyncio.sleep(delay)

    def stream_events(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        deadline: float | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncEventStream[T]:
        """`BaseClient.stream_events`, iterated with `async for` (close with `aclose`)."""
        _stream_spec(operation)
        call = self._core.call(
            operation,
            path_params=path_params,
            params=params,
            json=json,
            headers=headers,
            timeout=timeout,
            idempotency_key=idempotency_key,
        )
        return AsyncEventStream(self.http, call, adapter, deadline)

    async def websocket(
        self,
        operation: OperationSpec,
        adapter: TypeAdapter[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        open_timeout: float | None = None,
    ) -> AsyncWebSocketSession[T]:
        """`BaseClient.websocket` for asyncio."""
        spec = _websocket_spec(operation)
        url, sent = _websocket_target(self.config, operation, path_params, params, headers)
        timeout = self.config.timeouts.connect if open_timeout is None else open_timeout
        return await aconnect_websocket(
            url, spec, adapter, self._core.catalogue, headers=sent, open_timeout=timeout
        )


class AsyncEventStream(_StreamState[T]):
    """`EventStream` for `async for`; an async context manager that closes it."""

    def __init__(
        self, http: httpx.AsyncClient, call: _Call, adapter: TypeAdapter[T], deadline: float | None
    ) -> None:
        super().__init__(call, adapter, deadline)
        self._http = http
        self._events = self._run()

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        await self._events.aclose()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self) -> AsyncGenerator[T, None]:
        call, progress = self._call, self.progress
        while True:
            call.begin()
            before = progress.events_seen
            response: httpx.Response | None = None
            try:
                request = call.request(self._http, progress.last_event_id)
                self.connections += 1
                response = await self._http.send(request, stream=True)
                if response.status_code >= 400:
                    await response.aread()
                    raise call.error_from(response)
                call.breaker.success()
                self.request_id = response.headers.get(REQUEST_ID_HEADER)
                decoder = call.decoder(self._adapter, progress, response)
                events = aread_events(
                    response, decoder, deadline=call.connection_deadline(self._deadline)
                )
                async for event in events:
                    yield event
                return
            except RETRIED as error:
                if progress.events_seen > before:
                    call.plan.progressed()
                delay = call.failed(error, progress)
                if delay is None:
                    raise
            except BaseException:
                call.breaker.release()
                raise
            finally:
                if response is not None:
                    await response.aclose()
            await asyncio.sleep(delay)
