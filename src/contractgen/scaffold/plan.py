"""The contract model turned into the project's files: which template, with which context.

Everything a template needs is computed here, once, from the model: Python names (from
the naming authority), type annotations (from the models module's class names), the
runtime specs as literals, examples for the generated tests. Templates only arrange it.
The context each template receives is documented in docs/templates.md.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractgen.model.contract import Contract, Operation, Parameter, is_success_status
from contractgen.model.schema import Schema
from contractgen.model.service import operation_key, runtime_specs, served_stream
from contractgen.model.stream import EventType, StreamFormat
from contractgen.runtime import spec
from contractgen.scaffold.client_plan import client_files
from contractgen.scaffold.models import Models
from contractgen.scaffold.names import Namespace, pascal, snake
from contractgen.scaffold.render import PlannedFile, pyrepr, spec_literal

RUNTIME_SOURCE = Path(__file__).resolve().parent.parent / "runtime"
TRANSPORT_HEADERS = frozenset(
    {
        "connection",
        "upgrade",
        "sec-websocket-protocol",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "content-length",
        "content-type",
    }
)
"""Headers the server and the transport handle; a route never takes them as parameters."""
ROUTE_LOCALS = ("body", "context", "service", "websocket", "request", "result", "messages")
"""Names a route function or service method already uses for itself."""
PARAM_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
"""Parameters are scalars (or arrays of scalars) on the wire; richer schemas arrive as `str`."""
TEST_CREDENTIAL = "contract-tests"
TEST_BASIC_CREDENTIALS = base64.b64encode(b"contract:tests").decode()
"""What the generated tests send as credentials: the edge checks presence, not validity."""
SERVER = "server"
CLIENT = "client"
PARTS = frozenset({SERVER, CLIENT})
"""What a scaffold renders: the service (and the project around it) and the client package."""
PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


@dataclass(frozen=True, slots=True)
class ParamView:
    name: str
    """The Python name (route argument and service keyword)."""
    alias: str
    """The name on the wire."""
    where: str
    """`path`, `query`, `header` or `cookie`: the FastAPI marker is its capitalised form."""
    annotation: str
    required: bool
    description: str | None


@dataclass(frozen=True, slots=True)
class EventView:
    class_name: str
    name: str
    payload: str
    """The payload's annotation (`models.StreamDelta`, or `Any`)."""
    terminal: bool
    examples: tuple[Any, ...]
    """Frames from the contract's examples, as Python values (`{"event": ..., "data": {...}}`)."""


@dataclass(frozen=True, slots=True)
class StreamView:
    union: str
    """The alias in streams.py for one event of the stream."""
    format: str
    typed_by_event: bool
    """Whether events are `Event` subclasses told apart by the SSE `event` field."""
    events: tuple[EventView, ...]
    payloads: tuple[str, ...]
    """For streams typed inside the payload: the annotations of the union's members."""
    flag: str | None
    """The request field (top-level name) whose `true` selects the stream."""
    error_event: str | None


@dataclass(frozen=True, slots=True)
class WebSocketView:
    client: str
    server: str
    client_alias: str
    server_alias: str
    client_examples: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class OperationView:
    id: str
    function: str
    method: str
    path: str
    route_path: str
    """The path as the router matches it: each template variable renamed to its parameter."""
    summary: str | None
    description: str | None
    deprecated: bool
    module: str
    tag: str
    """The first tag, as written (the router's OpenAPI tag)."""
    params: tuple[ParamView, ...]
    body: str | None
    body_required: bool
    body_form: bool
    """Whether the body arrives as a URL-encoded form (decoded by `_runtime.forms`), not JSON."""
    body_multipart: bool
    """Whether the body arrives as `multipart/form-data` (decoded by `_runtime.multipart`)."""
    response: str | None
    """The JSON response's annotation; None when the operation answers with no body."""
    status_code: int
    stream: StreamView | None
    websocket: WebSocketView | None
    returns: str
    """The service method's return annotation."""
    spec: spec.OperationSpec
    call: CallView


@dataclass(frozen=True, slots=True)
class CallView:
    """How the generated tests call an operation: a concrete URL, headers and bodies."""

    url: str
    headers: Mapping[str, str]
    """The required header parameters, and a test credential the operation's security takes."""
    body: Any
    """The first example of the request body, or None."""
    stream_body: Any
    """The example body with the stream flag set (None when the stream cannot be asked for)."""
    stream_frames: tuple[Any, ...]
    """Example events in stream order, ending with one terminal event (empty: none usable)."""
    over_token_cap: Any
    """The example body asking for one output token more than allowed (None: no such check)."""
    anonymous_url: str
    anonymous_headers: Mapping[str, str]
    """`url` and `headers` carrying no credential, for the test that one is required."""


@dataclass(frozen=True, slots=True)
class RouterView:
    module: str
    tag: str
    operations: tuple[OperationView, ...]


def build_plan(
    contract: Contract,
    models: Models,
    *,
    document: Mapping[str, Any],
    package: str,
    spec_name: str,
    parts: frozenset[str] = PARTS,
) -> list[PlannedFile]:
    """Every file of the project's `parts` (`server`, `client`), in a stable order."""
    catalogue, specs = runtime_specs(contract)
    operations = _operations(contract, models, specs)
    routers = _routers(operations)
    raw_info = document.get("info")
    info: Mapping[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    project = {
        "package": package,
        "distribution": package.replace("_", "-"),
        "spec_name": spec_name,
        "title": contract.title or package,
        "version": _version(contract.info_version),
        "api_version": contract.info_version or "",
        "description": info.get("summary") or info.get("description") or "",
        "header": generated_header(spec_name),
        "user_header": f"Created by contractgen from {spec_name}, once.\n"
        "This file is yours: contractgen never rewrites it.",
    }
    context: dict[str, Any] = {
        "project": project,
        "operations": operations,
        "routers": routers,
        "catalogue": spec_literal(catalogue),
        "operation_specs": {op.id: _operation_literal(op) for op in operations},
        "websocket_specs": {
            op.id: spec_literal(op.spec.websocket) for op in operations if op.spec.websocket
        },
        "ws_heartbeat": _ws_heartbeat(operations),
    }
    p = package
    files = [
        PlannedFile("pyproject.toml", "project/pyproject.toml.j2", context, kind="toml"),
        PlannedFile("README.md", "project/README.md.j2", context, owner="user", kind="text"),
        PlannedFile(".gitignore", "project/gitignore.j2", context, owner="user", kind="text"),
        PlannedFile("tests/__init__.py", "tests/__init__.py.j2", context),
        PlannedFile("tests/conftest.py", "tests/conftest.py.j2", context),
        PlannedFile("tests/test_contract.py", "tests/test_contract.py.j2", context),
        PlannedFile(f"{p}/__init__.py", "server/__init__.py.j2", context),
        PlannedFile(f"{p}/__main__.py", "server/__main__.py.j2", context),
        PlannedFile(f"{p}/main.py", "server/main.py.j2", context),
        PlannedFile(f"{p}/app.py", "server/app.py.j2", context),
        PlannedFile(f"{p}/contract.py", "server/contract.py.j2", context),
        PlannedFile(f"{p}/openapi.json", None, kind="json", content=_document_json(document)),
        PlannedFile(f"{p}/models.py", None, content=models.source),
        PlannedFile(f"{p}/streams.py", "server/streams.py.j2", context),
        PlannedFile(f"{p}/service.py", "server/service.py.j2", context),
        PlannedFile(f"{p}/routes/__init__.py", "server/routes/__init__.py.j2", context),
        *(
            PlannedFile(
                f"{p}/routes/{router.module}.py",
                "server/routes/router.py.j2",
                {**context, "router": router},
            )
            for router in routers
        ),
        PlannedFile(f"{p}/implementation.py", "server/implementation.py.j2", context, "user"),
        PlannedFile(f"{p}/settings.py", "server/settings.py.j2", context, "user"),
        PlannedFile(f"{p}/py.typed", None, kind="text", content=""),
        *runtime_copy(package),
    ]
    if SERVER not in parts:
        files = []
    if CLIENT in parts:
        files += client_files(contract, models, operations, project)
    return files


def generated_header(spec_name: str) -> str:
    """The first lines of every generated file (pass it through the `comment` filter)."""
    return (
        f"Generated by contractgen from {spec_name}: do not edit.\n"
        "Re-run `contractgen scaffold` to update it."
    )


def runtime_copy(package: str) -> list[PlannedFile]:
    """`contractgen.runtime`, byte for byte, as the project's `_runtime` package."""
    return [
        PlannedFile(
            f"{package}/_runtime/{source.name}",
            None,
            content=source.read_text("utf-8"),
            formatted=False,
        )
        for source in sorted(RUNTIME_SOURCE.glob("*.py"))
    ]


# --- operations -----------------------------------------------------------------------------


def _operations(
    contract: Contract, models: Models, specs: Mapping[str, spec.OperationSpec]
) -> list[OperationView]:
    functions = Namespace(ROUTE_LOCALS)
    streams = Namespace()
    views = []
    for op in contract.operations:
        key = operation_key(op)
        function = functions.claim(key, [snake(op.operation_id or f"{op.method} {op.path}")])
        base = pascal(op.operation_id or f"{op.method} {op.path}")
        views.append(_operation(op, key, function, base, models, specs[key], streams))
    return views


def _operation(
    op: Operation,
    key: str,
    function: str,
    base: str,
    models: Models,
    operation_spec: spec.OperationSpec,
    streams: Namespace,
) -> OperationView:
    body_schema = op.request_body.decoded_schema() if op.request_body else None
    body = _class(models, body_schema) if body_schema is not None else None
    if body_schema is not None and body is None:
        body = "dict[str, Any]"
    params = _params(op.parameters)
    status, response = _success(op, models)
    stream = _stream_view(op, base, models, streams) if operation_spec.stream else None
    websocket = _websocket_view(op, base, models, streams)
    if websocket is not None:
        returns = f"AsyncIterator[streams.{websocket.server_alias}]"
    elif stream is not None:
        iterator = f"AsyncIterator[streams.{stream.union}]"
        returns = f"{response or 'Any'} | {iterator}" if stream.flag else iterator
    else:
        returns = response or "None"
    return OperationView(
        id=key,
        function=function,
        method=op.method.lower(),
        path=op.path,
        route_path=_route_path(op.path, params),
        summary=op.summary,
        description=op.description,
        deprecated=op.deprecated,
        module=snake(op.tags[0]) if op.tags else "default",
        tag=op.tags[0] if op.tags else "default",
        params=params,
        body=body,
        body_required=bool(op.request_body and op.request_body.required),
        body_form=op.request_body is not None and op.request_body.form_schema() is not None,
        body_multipart=(
            op.request_body is not None and op.request_body.multipart_schema() is not None
        ),
        response=response,
        status_code=status,
        stream=stream,
        websocket=websocket,
        returns=returns,
        spec=operation_spec,
        call=_call_view(op, params, stream, operation_spec),
    )


def _class(models: Models, schema: Schema | None) -> str | None:
    if schema is None:
        return None
    name = models.class_names.get(schema.location.pointer)
    return f"models.{name}" if name else None


def _success(op: Operation, models: Models) -> tuple[int, str | None]:
    """The first 2xx status and its JSON body's annotation."""
    for status, response in op.responses.items():
        if not is_success_status(status) or status == "101":
            continue
        code = int(status) if status.isdigit() else 200
        for media_type, content in response.content.items():
            if content.stream is None and _is_json(media_type) and content.schema is not None:
                return code, _class(models, content.schema) or "Any"
        return code, None
    return 200, None


def _is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _params(parameters: tuple[Parameter, ...]) -> tuple[ParamView, ...]:
    namespace = Namespace(ROUTE_LOCALS)
    views = []
    for param in parameters:
        if param.where not in ("path", "query", "header", "cookie"):
            continue
        if param.where == "header" and param.name.lower() in TRANSPORT_HEADERS:
            continue
        name = namespace.claim(
            f"{param.where}:{param.name}", [snake(param.name), snake(f"{param.where} {param.name}")]
        )
        views.append(
            ParamView(
                name=name,
                alias=param.name,
                where=param.where,
                annotation=_param_type(param.schema),
                required=param.required or param.where == "path",
                description=(param.schema.get("description") if param.schema else None),
            )
        )
    required = [view for view in views if view.required]
    optional = [view for view in views if not view.required]
    return tuple(required + optional)


def _route_path(path: str, params: tuple[ParamView, ...]) -> str:
    """`/models/{model-id}` -> `/models/{model_id}`: Starlette's variables are identifiers."""
    for param in params:
        if param.where == "path":
            path = path.replace("{" + param.alias + "}", "{" + param.name + "}")
    return path


def _param_type(schema: Schema | None) -> str:
    if schema is None:
        return "str"
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "array":
        items = schema.get("items")
        item_kind = items.get("type") if isinstance(items, dict) else None
        return f"list[{PARAM_TYPES.get(item_kind, 'str') if isinstance(item_kind, str) else 'str'}]"
    return PARAM_TYPES.get(kind, "str") if isinstance(kind, str) else "str"


def _example_body(op: Operation) -> Any:
    if op.request_body is None:
        return None
    for media_type, content in op.request_body.content.items():
        if _is_json(media_type):
            for example in content.examples:
                if not example.external and not example.serialized:
                    return example.value
    return None


def _call_view(
    op: Operation,
    params: tuple[ParamView, ...],
    stream: StreamView | None,
    operation_spec: spec.OperationSpec,
) -> CallView:
    url = op.path
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for param, raw in zip(params, _param_sources(op, params), strict=True):
        value = _sample(raw, param.annotation)
        if param.where == "path":
            url = url.replace("{" + param.alias + "}", urllib.parse.quote(value, safe=""))
        elif param.required and param.where == "query":
            query[param.alias] = value
        elif param.required and param.where == "header":
            headers[param.alias] = value
    credentials = [_test_credential(source) for source in _test_credentials(operation_spec)]
    anonymous_query, anonymous_headers = _anonymous(operation_spec, query, headers)
    anonymous_url = _with_query(url, anonymous_query)
    url = _with_query(url, {**anonymous_query, **_sent_in("query", credentials)})
    headers = {**anonymous_headers, **_sent_in("header", credentials)}
    cookies = _sent_in("cookie", credentials)
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = _example_body(op)
    stream_body = None
    frames: tuple[Any, ...] = ()
    if stream is not None and isinstance(body, dict):
        stream_body = {**body, stream.flag: True} if stream.flag else body
        frames = _stream_order(stream)
    limits = operation_spec.limits
    over_cap = None
    field_name = (limits.output_tokens_field or "").strip("/")
    if isinstance(body, dict) and limits.max_output_tokens and field_name and "/" not in field_name:
        over_cap = {**body, field_name: limits.max_output_tokens + 1}
    return CallView(
        url, headers, body, stream_body, frames, over_cap, anonymous_url, anonymous_headers
    )


def _with_query(url: str, query: Mapping[str, str]) -> str:
    return url + "?" + urllib.parse.urlencode(query) if query else url


def _test_credentials(operation_spec: spec.OperationSpec) -> tuple[spec.KeySource, ...]:
    """What the generated tests authenticate with: the first alternative the edge accepts.

    Where the edge demands nothing, the first key source still gets a credential, so that
    limits are counted per key as in production.
    """
    if operation_spec.credentials:
        return operation_spec.credentials[0]
    return operation_spec.key_sources[:1]


def _test_credential(source: spec.KeySource) -> tuple[str, str, str]:
    """Where a test credential goes, under which name, with which (valid-looking) value."""
    if source.kind == "bearer":
        return "header", "Authorization", f"Bearer {TEST_CREDENTIAL}"
    if source.kind == "basic":
        return "header", "Authorization", f"Basic {TEST_BASIC_CREDENTIALS}"
    return source.kind, source.name or "", TEST_CREDENTIAL


def _sent_in(where: str, credentials: list[tuple[str, str, str]]) -> dict[str, str]:
    return {name: value for kind, name, value in credentials if kind == where}


def _anonymous(
    operation_spec: spec.OperationSpec, query: Mapping[str, str], headers: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The sampled parameters without any that would pass for a credential the edge takes."""
    sources = {source for group in operation_spec.credentials for source in group}
    sources.update(operation_spec.key_sources)
    named = {(source.kind, (source.name or "").lower()) for source in sources}
    if any(source.kind in ("bearer", "basic") for source in sources):
        named.add(("header", "authorization"))
    return (
        {name: value for name, value in query.items() if ("query", name.lower()) not in named},
        {name: value for name, value in headers.items() if ("header", name.lower()) not in named},
    )


def _param_sources(op: Operation, params: tuple[ParamView, ...]) -> list[Parameter]:
    by_key = {(p.where, p.name): p for p in op.parameters}
    return [by_key[(view.where, view.alias)] for view in params]


def _sample(param: Parameter, annotation: str) -> str:
    """A value for a parameter: its example, else one of the right type."""
    for example in param.examples:
        if isinstance(example.value, str | int | float) and not isinstance(example.value, bool):
            return str(example.value)
    return {"int": "1", "float": "1.5", "bool": "true"}.get(annotation, "example")


def _stream_order(stream: StreamView) -> tuple[Any, ...]:
    """One example of each non-terminal event, then one terminal event that is not an error."""
    leading = [view.examples[0] for view in stream.events if view.examples and not view.terminal]
    closing = [
        view.examples[0]
        for view in sorted(stream.events, key=lambda view: view.name == stream.error_event)
        if view.examples and view.terminal
    ]
    if not closing:
        return ()
    return (*leading, closing[0])


# --- streams and websockets -----------------------------------------------------------------


def _stream_view(op: Operation, base: str, models: Models, names: Namespace) -> StreamView:
    stream = served_stream(op)
    assert stream is not None, "only called for an operation the runtime streams"
    union = names.claim(f"{base}:stream", [f"{base}Event", f"{base}StreamEvent"])
    typed_by_event = (
        stream.format is StreamFormat.SSE and (stream.discriminator or "event") == "event"
    )
    events = []
    for event in stream.events:
        class_name = names.claim(f"{base}:event:{event.name}", [f"{base}{pascal(event.name)}Event"])
        events.append(
            EventView(
                class_name=class_name,
                name=event.name,
                payload=_class(models, event.payload) or "Any",
                terminal=event.name in stream.terminal,
                examples=_event_examples(event),
            )
        )
    payloads: tuple[str, ...] = ()
    if not typed_by_event:
        members = [view.payload for view in events]
        if not members:
            members = [_class(models, stream.item_schema) or "Any"]
        payloads = tuple(dict.fromkeys(members))
    flag = stream.stream_flag.strip("/").split("/")[0] if stream.stream_flag else None
    return StreamView(
        union=union,
        format=stream.format.value,
        typed_by_event=typed_by_event,
        events=tuple(events) if typed_by_event else (),
        payloads=payloads,
        flag=flag,
        error_event=stream.error_event,
    )


def _event_examples(event: EventType) -> tuple[Any, ...]:
    """The branch's example frames, with `data` decoded when it is JSON text."""
    examples = event.frame.get("examples")
    found = []
    for example in examples if isinstance(examples, list) else []:
        if not isinstance(example, dict) or example.get("event", event.name) != event.name:
            continue
        data = example.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                continue
        frame = {"event": event.name, "data": data}
        if isinstance(example.get("id"), str):
            frame["id"] = example["id"]
        found.append(frame)
    return tuple(found)


def _websocket_view(
    op: Operation, base: str, models: Models, names: Namespace
) -> WebSocketView | None:
    ws = op.websocket
    if ws is None:
        return None
    client = _message_union(models, ws.client_messages, [t.schema for t in ws.client_types])
    server = _message_union(models, ws.server_messages, [t.schema for t in ws.server_types])
    examples: list[Any] = []
    for message in ws.client_types:
        values = message.schema.get("examples")
        if isinstance(values, list):
            examples.extend(value for value in values if isinstance(value, dict))
    return WebSocketView(
        client=client,
        server=server,
        client_alias=names.claim(f"{base}:client", [f"{base}ClientMessage"]),
        server_alias=names.claim(f"{base}:server", [f"{base}ServerMessage"]),
        client_examples=tuple(examples),
    )


def _message_union(models: Models, union: Schema | None, branches: list[Schema]) -> str:
    """The union of the message classes; the union's own (root) class only as a fallback.

    A service then receives and yields the message models themselves, not a wrapper.
    """
    members = [_class(models, branch) for branch in branches]
    if branches and all(members):
        return " | ".join(dict.fromkeys(name for name in members if name))
    return _class(models, union) or "Any"


def _routers(operations: list[OperationView]) -> list[RouterView]:
    grouped: dict[str, list[OperationView]] = {}
    for op in operations:
        grouped.setdefault(op.module, []).append(op)
    return [RouterView(module, ops[0].tag, tuple(ops)) for module, ops in sorted(grouped.items())]


def _ws_heartbeat(operations: list[OperationView]) -> float | None:
    beats = [
        op.spec.websocket.heartbeat_seconds
        for op in operations
        if op.spec.websocket is not None and op.spec.websocket.heartbeat_seconds
    ]
    return min(beats) if beats else None


# --- literals -------------------------------------------------------------------------------


def _operation_literal(op: OperationView) -> str:
    if op.spec.websocket is None:
        return spec_literal(op.spec)
    return spec_literal(op.spec, given={"websocket": f"WEBSOCKETS[{pyrepr(op.id)}]"})


def _document_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _version(value: str | None) -> str:
    """The distribution's version: the API's, when it is a valid PEP 440 version."""
    if value and PEP440.match(value):
        return value
    return "0.1.0"
