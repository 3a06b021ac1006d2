"""One JSON Schema file per event type of every stream and message type of every WebSocket.

What `contractgen export events` writes and `contractgen scaffold` puts in `events/`: each
file is the payload as a client decodes it (an SSE frame's `data` parsed as JSON, a JSON
Lines item, a WebSocket text message), self-contained (see `json_schema`), with two
annotations: `x-contract-event` (which operation, event and stream it belongs to) and, for
SSE, `x-sse-frame` (the frame that carries it, as a schema of its fields). `index.json` maps
each operation and event type to its file. docs/export.md describes the format.

File names come from the operationId (else `METHOD /path`) and the event type, reduced to
`A-Z a-z 0-9 _ . -`; a name that had to be changed, is too long, or clashes with another
(ignoring case) gets a hash of what it stands for, so no spec can name a path outside the
folder and no two events share a file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contractgen.load.document import Document
from contractgen.location import Location
from contractgen.model.contract import Contract, Operation
from contractgen.model.json_schema import DIALECT, ExportError, SchemaBundler, root_schema
from contractgen.model.schema import Schema
from contractgen.model.service import operation_key
from contractgen.model.stream import EventType, Stream, StreamFormat
from contractgen.model.websocket import MessageType

INDEX = "index.json"
INDEX_VERSION = 1
SUFFIX = ".schema.json"
MAX_PART = 64
"""Longest operation or event part of a file name before it is shortened (and hashed)."""
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
EXTENSION_EVENT = "x-contract-event"
EXTENSION_FRAME = "x-sse-frame"


@dataclass(frozen=True, slots=True)
class _Planned:
    """One event file before it is named: what it stands for and its schema."""

    parts: tuple[str, ...]
    """Operation key, then (for several streams) the stream's format, then the event."""
    schema: dict[str, Any]


def event_schema_files(contract: Contract, document: Document) -> dict[str, str]:
    """File name -> text, `index.json` included; empty when there is no stream or WebSocket."""
    bundler = SchemaBundler(document)
    planned: list[_Planned] = []
    index: dict[str, Any] = {}
    seen: dict[str, Operation] = {}
    for op in contract.operations:
        if not op.streams and op.websocket is None:
            continue
        key = operation_key(op)
        if key in seen:
            raise _duplicate(key, op, document)
        seen[key] = op
        entry: dict[str, Any] = {"method": op.method.upper(), "path": op.path}
        if op.streams:
            entry["streams"] = [
                _stream(bundler, op, stream, planned, several=len(op.streams) > 1)
                for stream in op.streams
            ]
        if op.websocket is not None:
            entry["websocket"] = _websocket(bundler, op, planned)
        index[key] = entry
    if not index:
        return {}
    names = file_names([item.parts for item in planned])
    files = {name: dump(item.schema) for name, item in zip(names, planned, strict=True)}
    _fill_index(index, dict(zip((item.parts for item in planned), names, strict=True)))
    source = document.root.path.name
    files[INDEX] = dump({"version": INDEX_VERSION, "source": source, "operations": index})
    return dict(sorted(files.items()))


def dump(value: Any) -> str:
    """Deterministic JSON: two-space indent, key order as in the contract, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --- streams ---------------------------------------------------------------------------------


def _stream(
    bundler: SchemaBundler, op: Operation, stream: Stream, planned: list[_Planned], *, several: bool
) -> dict[str, Any]:
    key = operation_key(op)
    info: dict[str, Any] = {
        "status": stream.status,
        "mediaType": stream.media_type,
        "format": stream.format.value,
        "discriminator": stream.discriminator,
        "terminal": list(stream.terminal),
        "errorEvent": stream.error_event,
        "sentinel": stream.sentinel,
        "extensible": stream.extensible,
        "events": {},
    }
    for event in stream.events:
        parts = (key, stream.format.value, event.name) if several else (key, event.name)
        info["events"][event.name] = parts
        planned.append(_Planned(parts, _event_schema(bundler, op, stream, event)))
    return info


def _event_schema(
    bundler: SchemaBundler, op: Operation, stream: Stream, event: EventType
) -> dict[str, Any]:
    text = stream.format is StreamFormat.SSE and event.payload is None and not event.data_media_type
    if event.payload is not None:
        schema = _root(bundler, event.payload)
    elif text:
        schema = {"$schema": DIALECT, "type": "string"}
    else:
        schema = {"$schema": DIALECT}  # JSON data whose schema the contract does not give
    schema = _titled(schema, (event.payload.name if event.payload else None) or event.name)
    if "examples" not in schema and not text:
        examples = _frame_examples(event.frame)
        if examples:
            schema["examples"] = examples
    annotation: dict[str, Any] = {
        "operationId": operation_key(op),
        "method": op.method.upper(),
        "path": op.path,
        "mediaType": stream.media_type,
        "event": event.name,
        "discriminator": stream.discriminator,
        "terminal": event.name in stream.terminal,
        "errorEvent": event.name == stream.error_event,
        "data": "text" if text else "json",
    }
    extra: dict[str, Any] = {EXTENSION_EVENT: annotation}
    if stream.format is StreamFormat.SSE:
        extra[EXTENSION_FRAME] = _frame(stream, event, text=text)
    return _with_extensions(schema, extra)


def _frame(stream: Stream, event: EventType, *, text: bool) -> dict[str, Any]:
    """The SSE frame that carries the event: its fields as a schema, `data` as this file."""
    required = _required(stream.item_schema) | _required(event.frame)
    by_event = stream.discriminator == "event"
    data: dict[str, Any] = {"type": "string"}
    if not text:
        data |= {"contentMediaType": "application/json", "contentSchema": {"$ref": "#"}}
    properties: dict[str, Any] = {}
    if by_event:
        properties["event"] = {"const": event.name}
    properties["data"] = data
    properties["id"] = {"type": "string"}
    properties["retry"] = {"type": "integer", "minimum": 0}
    names = ["event"] if by_event else []
    names.append("data")
    if stream.resume_last_event_id or "id" in required:
        names.append("id")
    return {"type": "object", "required": names, "properties": properties}


def _required(schema: Schema | None) -> set[str]:
    found = schema.get("required") if schema is not None else None
    return {name for name in found if isinstance(name, str)} if isinstance(found, list) else set()


# --- WebSocket -------------------------------------------------------------------------------


def _websocket(bundler: SchemaBundler, op: Operation, planned: list[_Planned]) -> dict[str, Any]:
    ws = op.websocket
    assert ws is not None
    info: dict[str, Any] = {
        "subprotocols": list(ws.subprotocols),
        "discriminator": ws.discriminator,
        "correlation": ws.correlation,
        "errorMessage": ws.error_message,
    }
    for direction, types in (("client", ws.client_types), ("server", ws.server_types)):
        messages: dict[str, Any] = {}
        for message in types:
            parts = (operation_key(op), direction, message.name)
            messages[message.name] = parts
            planned.append(_Planned(parts, _message_schema(bundler, op, direction, message)))
        info[direction] = messages
    return info


def _message_schema(
    bundler: SchemaBundler, op: Operation, direction: str, message: MessageType
) -> dict[str, Any]:
    ws = op.websocket
    assert ws is not None
    schema = _root(bundler, message.schema)
    schema = _titled(schema, message.schema.name or message.name)
    annotation = {
        "operationId": operation_key(op),
        "method": op.method.upper(),
        "path": op.path,
        "direction": direction,
        "message": message.name,
        "discriminator": ws.discriminator,
        "errorMessage": direction == "server" and message.name == ws.error_message,
    }
    return _with_extensions(schema, {EXTENSION_EVENT: annotation})


# --- shared ----------------------------------------------------------------------------------


def _root(bundler: SchemaBundler, schema: Schema) -> dict[str, Any]:
    if schema.ref is not None:
        return root_schema(bundler, schema.value, schema.location, schema.ref)
    return root_schema(bundler, schema.value, schema.value_location, None)


def _titled(schema: dict[str, Any], title: str) -> dict[str, Any]:
    """A title after `$schema`, unless the schema has its own."""
    if "title" in schema:
        return schema
    return {"$schema": schema.pop("$schema"), "title": title, **schema}


def _frame_examples(frame: Schema) -> list[Any]:
    """The payloads of an SSE branch's frame examples: their `data`, parsed as JSON."""
    found = []
    examples = frame.get("examples")
    for example in examples if isinstance(examples, list) else ():
        data = example.get("data") if isinstance(example, dict) else None
        if isinstance(data, str):
            try:
                found.append(json.loads(data))
            except ValueError:
                continue  # not JSON: validate reports the example; it is no payload example
    return found


def _with_extensions(schema: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The annotations go before `$defs`, which stays last."""
    defs = schema.pop("$defs", None)
    schema.update(extra)
    if defs is not None:
        schema["$defs"] = defs
    return schema


def _fill_index(index: dict[str, Any], names: dict[tuple[str, ...], str]) -> None:
    for entry in index.values():
        for stream in entry.get("streams", ()):
            stream["events"] = {event: names[parts] for event, parts in stream["events"].items()}
        ws = entry.get("websocket")
        if ws is not None:
            for direction in ("client", "server"):
                ws[direction] = {name: names[parts] for name, parts in ws[direction].items()}


def file_names(planned: Sequence[tuple[str, ...]]) -> list[str]:
    """A safe, stable, unique file name for each tuple of parts (see the module docstring)."""
    plain = [".".join(_part(part) for part in parts) for parts in planned]
    lossless = [all(_part(part) == part for part in parts) for parts in planned]
    folded: dict[str, int] = {}
    for name in plain:
        folded[name.casefold()] = folded.get(name.casefold(), 0) + 1
    names = []
    for parts, name, exact in zip(planned, plain, lossless, strict=True):
        if not exact or folded[name.casefold()] > 1:
            digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
            name = f"{name}-{digest[:12]}"
        names.append(name + SUFFIX)
    return names


def safe_key(text: str) -> str:
    """`text` as a key of `A-Z a-z 0-9 _ . -`, with a hash of it when it had to change."""
    safe = _part(text)
    if safe == text:
        return safe
    return f"{safe}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def _part(text: str) -> str:
    """`text` in safe characters, not starting with a dot or a device name, at most MAX_PART
    long."""
    safe = _UNSAFE.sub("_", text)
    if not _SAFE.fullmatch(safe) or _device(safe):
        safe = "_" + safe
    return safe[:MAX_PART]


def _device(part: str) -> bool:
    """A name Windows reserves for a device whatever its extension (`CON.x.json`)."""
    return part.split(".", 1)[0].casefold() in _WINDOWS_DEVICES


def _duplicate(key: str, op: Operation, document: Document) -> ExportError:
    where: Location = document.locate(op.operation_id_location or op.location)
    return ExportError(
        "EXPORT004",
        f"operationId {key!r} is used by more than one operation; event files are named "
        "after it, so it must be unique",
        where.file,
        where.line,
        where.column,
    )
