"""The contract's WebSocket endpoints as an AsyncAPI 3.0.0 document.

The document describes the server (the API): it `receive`s the client messages and `send`s the
server messages. One channel per WebSocket operation (keyed by operationId) at its path, with a
`ws` binding for the handshake (method, query parameters, headers with the subprotocols);
one message per message type, in `components/messages`, whose payload is the message schema
bundled into `components/schemas`; the declared `correlation` as a `correlationId`; the close
codes as the channel's `x-close-codes`. docs/export.md lists what maps to what.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import yaml

from contractgen.load.document import Document
from contractgen.model.contract import Contract, Operation, Parameter, Server
from contractgen.model.event_schemas import dump, safe_key
from contractgen.model.json_schema import ExportError, SchemaBundler
from contractgen.model.schema import Schema
from contractgen.model.service import operation_key
from contractgen.model.websocket import MessageType, WebSocket

ASYNCAPI_VERSION = "3.0.0"
WS_BINDING_VERSION = "0.1.0"
SCHEMAS = "#/components/schemas/"
SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol"
DIRECTIONS = (("client", "receive"), ("server", "send"))
"""Message direction -> the action of the operation that carries it (the server's view)."""


def asyncapi_document(contract: Contract, document: Document) -> dict[str, Any]:
    """The AsyncAPI document; EXPORT001 when the contract has no WebSocket endpoint."""
    sockets = [op for op in contract.operations if op.websocket is not None]
    if not sockets:
        raise ExportError(
            "EXPORT001",
            "no WebSocket endpoint (an operation with x-contract-websocket): "
            "there is nothing to describe in AsyncAPI",
            document.root.display,
        )
    bundler = SchemaBundler(document, prefix=SCHEMAS)
    servers = _servers(sockets)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    correlations: dict[str, Any] = {}
    needed: set[str] = set()
    for op in sockets:
        ws = op.websocket
        assert ws is not None
        key = _unique(safe_key(operation_key(op)), channels)
        correlation = None
        if ws.correlation:
            correlations[key] = {
                "description": f"The `{ws.correlation}` a client sets on a request and the "
                "server echoes on every message answering it.",
                "location": f"$message.payload#{ws.correlation}",
            }
            correlation = {"$ref": f"#/components/correlationIds/{key}"}
        channel_messages: dict[str, Any] = {}
        for direction, action in DIRECTIONS:
            refs = []
            for message in ws.client_types if direction == "client" else ws.server_types:
                message_key = _unique(f"{key}.{direction}.{safe_key(message.name)}", messages)
                messages[message_key] = _message(bundler, message, correlation, needed)
                local = f"{direction}.{safe_key(message.name)}"
                channel_messages[local] = {"$ref": f"#/components/messages/{message_key}"}
                refs.append({"$ref": f"#/channels/{key}/messages/{local}"})
            operations[f"{key}.{action}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{direction.capitalize()} messages of {operation_key(op)}",
                "messages": refs,
            }
        channels[key] = _channel(bundler, op, ws, channel_messages, servers, needed)
    components: dict[str, Any] = {"schemas": bundler.definitions(bundler.closure(needed))}
    components["messages"] = messages
    if correlations:
        components["correlationIds"] = correlations
    out: dict[str, Any] = {"asyncapi": ASYNCAPI_VERSION, "info": _info(contract, document)}
    if servers:
        out["servers"] = {name: body for name, (_, body) in servers.items()}
    out |= {
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": components,
    }
    return out


def render(document: dict[str, Any], *, as_yaml: bool = False) -> str:
    """JSON (as the event schemas are written) or YAML, deterministic either way."""
    if not as_yaml:
        return dump(document)
    return _yaml(document)


def _yaml(document: dict[str, Any]) -> str:
    # Through JSON first: plain types only, so the dumper never writes a Python tag.
    plain = json.loads(json.dumps(document, allow_nan=False))
    text: str = yaml.dump(plain, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


class _Dumper(yaml.SafeDumper):
    """Multi-line text (descriptions) as `|` blocks, as a person writes it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _info(contract: Contract, document: Document) -> dict[str, Any]:
    info = document.data.get("info")
    info = info if isinstance(info, dict) else {}
    out: dict[str, Any] = {
        "title": contract.title or document.root.path.stem,
        "version": contract.info_version or "0",
    }
    description = info.get("description")
    if isinstance(description, str):
        out["description"] = description
    return out


def _servers(sockets: list[Operation]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Server key -> (its URL, its AsyncAPI Server Object), for every server a WebSocket uses."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for op in sockets:
        for server in op.servers:
            if any(url == server.url for url, _ in found.values()):
                continue
            body = _server(server)
            if body is not None:
                key = _unique(safe_key(body["host"].replace(".", "_")), found)
                found[key] = (server.url, body)
    return found


def _server(server: Server) -> dict[str, Any] | None:
    """`https://api.example.com/base` -> host, `wss`, pathname; None for a relative URL."""
    parts = urllib.parse.urlsplit(server.url)
    if not parts.netloc:
        return None
    protocol = {"http": "ws", "ws": "ws"}.get(parts.scheme.lower(), "wss")
    body: dict[str, Any] = {"host": parts.netloc, "protocol": protocol}
    if parts.path.strip("/"):
        body["pathname"] = "/" + parts.path.strip("/")
    variables = {
        name: ({"enum": list(values)} if values else {})
        for name, values in server.variables.items()
        if "{" + name + "}" in server.url
    }
    if variables:
        body["variables"] = variables
    return body


def _channel(
    bundler: SchemaBundler,
    op: Operation,
    ws: WebSocket,
    messages: dict[str, Any],
    servers: dict[str, tuple[str, dict[str, Any]]],
    needed: set[str],
) -> dict[str, Any]:
    channel: dict[str, Any] = {"address": op.path}
    if op.summary:
        channel["title"] = op.summary
    if op.description:
        channel["description"] = op.description
    used = [key for key, (url, _) in servers.items() if url in {s.url for s in op.servers}]
    if used and len(used) < len(servers):
        channel["servers"] = [{"$ref": f"#/servers/{key}"} for key in used]
    channel["messages"] = messages
    binding: dict[str, Any] = {"method": "GET"}
    query = _parameters(bundler, op.parameters, "query", needed)
    if query is not None:
        binding["query"] = query
    headers = _parameters(bundler, op.parameters, "header", needed)
    if ws.subprotocols:
        headers = headers or {"type": "object", "properties": {}}
        protocol = headers["properties"].setdefault(SUBPROTOCOL_HEADER, {"type": "string"})
        offered = ", ".join(ws.subprotocols)
        protocol.setdefault(
            "description", f"The subprotocols offered; the server speaks {offered}."
        )
    if headers is not None:
        binding["headers"] = headers
    binding["bindingVersion"] = WS_BINDING_VERSION
    channel["bindings"] = {"ws": binding}
    if ws.subprotocols:
        channel["x-subprotocols"] = list(ws.subprotocols)
    if ws.close_codes:
        channel["x-close-codes"] = {
            str(code): name for code, name in sorted(ws.close_codes.items())
        }
    return channel


def _parameters(
    bundler: SchemaBundler, parameters: tuple[Parameter, ...], where: str, needed: set[str]
) -> dict[str, Any] | None:
    """The parameters in one place (`query`, `header`) as one object schema, or None."""
    chosen = [p for p in parameters if p.where == where]
    if not chosen:
        return None
    properties: dict[str, Any] = {}
    for parameter in chosen:
        schema = _schema(bundler, parameter.schema, needed) if parameter.schema else {}
        if not isinstance(schema, dict):
            schema = {} if schema else {"not": {}}
        properties[parameter.name] = schema
    out: dict[str, Any] = {"type": "object", "properties": properties}
    required = [p.name for p in chosen if p.required]
    if required:
        out["required"] = required
    return out


def _message(
    bundler: SchemaBundler,
    message: MessageType,
    correlation: dict[str, Any] | None,
    needed: set[str],
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": message.name}
    title = message.schema.get("title")
    if isinstance(title, str):
        body["title"] = title
    description = message.schema.get("description")
    if isinstance(description, str):
        body["description"] = description
    body["contentType"] = "application/json"
    body["payload"] = _schema(bundler, message.schema, needed)
    if correlation is not None:
        body["correlationId"] = correlation
    examples = _examples(message.schema)
    if examples:
        body["examples"] = [{"payload": example} for example in examples]
    return body


def _schema(bundler: SchemaBundler, schema: Schema, needed: set[str]) -> Any:
    """A reference to the bundled component, or the schema inline (its refs bundled)."""
    if schema.ref is not None:
        name, deps = bundler.reference(schema.ref, schema.location)
        needed |= deps
        return {"$ref": SCHEMAS + name}
    converted, deps = bundler.convert(schema.value, schema.value_location)
    needed |= deps
    return converted


def _examples(schema: Schema) -> list[Any]:
    """The message schema's `examples` (or 3.0 `example`), those JSON can hold."""
    examples = schema.get("examples")
    if not isinstance(examples, list):
        examples = [schema.get("example")] if schema.get("example") is not None else []
    found = []
    for example in examples:
        try:
            found.append(json.loads(json.dumps(example, allow_nan=False)))
        except ValueError:
            continue  # NaN or infinity: no JSON document can carry it
    return found


def _unique(key: str, taken: dict[str, Any]) -> str:
    name, number = key, 1
    while name in taken:
        number += 1
        name = f"{key}_{number}"
    return name
