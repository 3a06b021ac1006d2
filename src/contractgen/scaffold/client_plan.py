"""The typed client package: `client/`, an installable package of its own beside the service.

It shares the service's views of each operation (names, parameters, models, streams) and
adds what only a client needs: the `client_runtime` specs as literals, one exception class
per catalogue code, and one method (two for a stream chosen by a request flag) per
operation. The context each client template receives is documented in docs/templates.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractgen.client_runtime import spec as client_spec
from contractgen.model.client import client_specs
from contractgen.model.contract import Contract
from contractgen.model.errors import ErrorCatalog
from contractgen.scaffold.models import Models
from contractgen.scaffold.names import Namespace, pascal, snake
from contractgen.scaffold.render import PlannedFile, spec_literal

CLIENT_RUNTIME_SOURCE = Path(__file__).resolve().parent.parent / "client_runtime"
CLIENT_FOLDER = "client"
"""The project folder holding the client package (what `--only client` writes)."""
CLIENT_ATTRIBUTES = (
    *("config", "http", "breakers", "catalogue", "close", "aclose"),
    *("request_json", "stream_events", "websocket"),
)
"""Names `BaseClient` and `AsyncBaseClient` use: no operation method may shadow them."""
CLIENT_LOCALS = ("self", "body", "timeout", "idempotency_key", "deadline")
"""Names a client method already uses for itself."""
SKIPPED_HEADERS = frozenset(
    {
        "connection",
        "upgrade",
        "sec-websocket-protocol",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "content-length",
        "content-type",
        "accept",
        "last-event-id",
    }
)
"""Headers the transport and the client runtime set (Last-Event-ID on a resume)."""
IDEMPOTENCY_HEADER = "idempotency-key"
ERROR_BASES = {"4": "ApiClientError", "5": "ApiServerError"}


@dataclass(frozen=True, slots=True)
class ClientParamView:
    name: str
    """The keyword argument."""
    alias: str
    """The name on the wire."""
    where: str
    """`path`, `query`, `header` or `cookie`."""
    annotation: str
    required: bool


@dataclass(frozen=True, slots=True)
class ClientMethodView:
    """One method of `Client` and `AsyncClient`."""

    name: str
    kind: str
    """`json` (request_json), `stream` (stream_events) or `websocket`."""
    operation: Any
    """The service's `OperationView` of the operation (summary, body, stream, ...)."""
    params: tuple[ClientParamView, ...]
    adapter: str
    """The module-level TypeAdapter the method validates with."""
    adapted: str
    """What the adapter validates: the response, the stream's union, the server messages."""
    returns: str
    """The sync method's return annotation."""
    async_returns: str
    flag: bool | None
    """For an operation whose stream a request field selects: the value this method sends."""
    idempotency_key: bool
    """Whether the method takes the caller's `idempotency_key`."""
    sibling: str | None = None
    """For an operation with two methods (JSON and stream): the other one's name."""


@dataclass(frozen=True, slots=True)
class ErrorView:
    class_name: str
    code: str
    status: int
    retryable: bool
    base: str
    """`ApiClientError` or `ApiServerError` (or `ApiError` for a status outside 4xx/5xx)."""
    title: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class StreamEventsView:
    """A stream's events as the client yields them: the error event is raised, not yielded."""

    union: str
    events: tuple[Any, ...]
    """The `EventView`s yielded (for streams typed by the SSE `event` field)."""


def client_files(
    contract: Contract,
    models: Models,
    operations: list[Any],
    project: Mapping[str, Any],
) -> list[PlannedFile]:
    """Every file of `client/`, in a stable order."""
    package = f"{project['package']}_client"
    errors, base = _errors(contract.errors, project["title"], project["package"])
    specs = client_specs(contract)
    methods = _methods(operations, specs)
    context: dict[str, Any] = {
        "project": project,
        "client": {
            "package": package,
            "distribution": f"{project['distribution']}-client",
            "error_base": base,
        },
        "operations": operations,
        "methods": methods,
        "errors": errors,
        "extensible_errors": bool(contract.errors and contract.errors.extensible),
        "client_specs": {op.id: spec_literal(specs[op.id]) for op in operations},
        "streams": {
            op.id: _stream_events(op) for op in operations if op.stream and op.stream.typed_by_event
        },
        "uses": _uses(methods),
    }
    folder = CLIENT_FOLDER
    root = f"{folder}/{package}"
    return [
        PlannedFile(f"{folder}/pyproject.toml", "client/pyproject.toml.j2", context, kind="toml"),
        PlannedFile(f"{folder}/README.md", "client/README.md.j2", context, kind="text"),
        PlannedFile(f"{root}/__init__.py", "client/__init__.py.j2", context),
        PlannedFile(f"{root}/models.py", None, content=models.source),
        PlannedFile(f"{root}/streams.py", "client/streams.py.j2", context),
        PlannedFile(f"{root}/errors.py", "client/errors.py.j2", context),
        PlannedFile(f"{root}/client.py", "client/client.py.j2", context),
        PlannedFile(f"{root}/py.typed", None, kind="text", content=""),
        *client_runtime_copy(root),
    ]


def client_runtime_copy(root: str) -> list[PlannedFile]:
    """`contractgen.client_runtime`, byte for byte, as the client's `_client_runtime` package."""
    return [
        PlannedFile(
            f"{root}/_client_runtime/{source.name}",
            None,
            content=source.read_text("utf-8"),
            formatted=False,
        )
        for source in sorted(CLIENT_RUNTIME_SOURCE.glob("*.py"))
    ]


def _errors(catalog: ErrorCatalog | None, title: str, package: str) -> tuple[list[ErrorView], str]:
    """One class per catalogue code, named from the code, under one base named for the API."""
    names = Namespace(("ApiError", "ApiClientError", "ApiServerError", "ErrorCatalogue"))
    base = names.claim("base", [_error_name(title), _error_name(package), "ContractError"])
    views = []
    for entry in catalog.codes.values() if catalog else ():
        status = entry.status or 500
        views.append(
            ErrorView(
                class_name=names.claim(f"code:{entry.code}", [_error_name(entry.code)]),
                code=entry.code,
                status=status,
                retryable=entry.retryable is True,
                base=ERROR_BASES.get(str(status)[:1], "ApiError"),
                title=entry.title,
                description=entry.description,
            )
        )
    return views, base


def _error_name(text: str) -> str:
    name = pascal(text, fallback="Api")
    return name if name.endswith("Error") else name + "Error"


def _methods(
    operations: list[Any], specs: Mapping[str, client_spec.OperationSpec]
) -> list[ClientMethodView]:
    names = Namespace(CLIENT_ATTRIBUTES)
    for op in operations:  # every operation's own name first, as the service has it
        names.claim(op.id, [op.function, f"{op.function}_call"])
    methods: list[ClientMethodView] = []
    for op in operations:
        name = names.claim(op.id, [])
        params, idempotency = _params(op)
        operation_spec = specs[op.id]
        key = idempotency or (op.websocket is None and not operation_spec.is_idempotent)
        if op.websocket is not None:
            alias = f"streams.{op.websocket.server_alias}"
            methods.append(
                ClientMethodView(
                    name,
                    "websocket",
                    op,
                    params,
                    f"_MESSAGES_{name.upper()}",
                    alias,
                    f"WebSocketSession[{alias}]",
                    f"AsyncWebSocketSession[{alias}]",
                    None,
                    False,
                )
            )
            continue
        response = op.response or "None"
        # A stream chosen by a request flag, or offered beside a JSON answer (chosen by
        # `Accept`), gets two methods: NAME answers the JSON, NAME_stream the events.
        split = op.stream is not None and bool(op.stream.flag or op.response)
        stream_name = None
        if split:
            stream_name = names.claim(f"{op.id}:stream", [f"{name}_stream", f"stream_{name}"])
        if op.stream is None or split:
            methods.append(
                ClientMethodView(
                    name,
                    "json",
                    op,
                    params,
                    f"_RESPONSE_{name.upper()}",
                    response,
                    response,
                    response,
                    False if op.stream and op.stream.flag else None,
                    key,
                    sibling=stream_name,
                )
            )
        if op.stream is not None:
            alias = f"streams.{op.stream.union}"
            methods.append(
                ClientMethodView(
                    stream_name or name,
                    "stream",
                    op,
                    params,
                    f"_EVENTS_{name.upper()}",
                    alias,
                    f"EventStream[{alias}]",
                    f"AsyncEventStream[{alias}]",
                    True if op.stream.flag else None,
                    key,
                    sibling=name if split else None,
                )
            )
    return methods


def _params(op: Any) -> tuple[tuple[ClientParamView, ...], bool]:
    """The keyword arguments, from the service's parameters; whether Idempotency-Key is one."""
    namespace = Namespace(CLIENT_LOCALS)
    views = []
    idempotency = False
    for param in op.params:
        lowered = param.alias.lower()
        if param.where == "header" and lowered == IDEMPOTENCY_HEADER:
            idempotency = True
            continue
        if param.where == "header" and lowered in SKIPPED_HEADERS:
            continue
        name = namespace.claim(
            f"{param.where}:{param.alias}",
            [snake(param.alias), snake(f"{param.where} {param.alias}")],
        )
        views.append(
            ClientParamView(name, param.alias, param.where, param.annotation, param.required)
        )
    return tuple(views), idempotency


def _stream_events(op: Any) -> StreamEventsView:
    stream = op.stream
    error_event = stream.error_event or "error"
    yielded = tuple(event for event in stream.events if event.name != error_event)
    return StreamEventsView(stream.union, yielded)


def _uses(methods: list[ClientMethodView]) -> dict[str, bool]:
    """Which helpers and imports client.py needs, so it has none it does not use."""
    kinds = {method.kind for method in methods}
    wheres = {param.where for method in methods for param in method.params}
    return {
        "json": "json" in kinds,
        "stream": "stream" in kinds,
        "websocket": "websocket" in kinds,
        "flag": any(method.flag is not None for method in methods),
        "query": "query" in wheres,
        "header": "header" in wheres or "cookie" in wheres,
        "cookie": "cookie" in wheres,
        "any": any(
            "Any" in method.adapted or "Any" in (method.operation.body or "") for method in methods
        ),
    }
