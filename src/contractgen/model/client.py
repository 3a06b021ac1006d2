"""The contract as a client calls it: the model turned into `client_runtime.spec` values.

The client's counterpart of `service.py`: scaffold writes these as literals into a generated
client's `client.py`. Both read the same model (the served stream, its limits, the WebSocket
extension), so a generated client expects exactly what the generated service sends.
"""

from __future__ import annotations

from contractgen.client_runtime import spec
from contractgen.model.contract import Contract, Operation
from contractgen.model.service import heartbeat_seconds, operation_key, served_stream
from contractgen.model.stream import Stream


def client_specs(contract: Contract) -> dict[str, spec.OperationSpec]:
    """Every operation (keyed by `operation_key`) as the client runtime calls it."""
    return {operation_key(op): client_operation_spec(op) for op in contract.operations}


def client_operation_spec(op: Operation) -> spec.OperationSpec:
    stream = served_stream(op)
    return spec.OperationSpec(
        operation_id=operation_key(op),
        method=op.method.upper(),
        path=op.path,
        stream=client_stream_spec(op, stream) if stream is not None else None,
        websocket=client_websocket_spec(op),
        body_encoding=body_encoding(op),
    )


def body_encoding(op: Operation) -> str:
    """`form` for a body offered only URL-encoded, `multipart` for one offered only as
    multipart/form-data (the server decodes them so), else `json`."""
    body = op.request_body
    if body is not None and body.form_schema() is not None:
        return "form"
    if body is not None and body.multipart_schema() is not None:
        return "multipart"
    return "json"


def client_stream_spec(op: Operation, stream: Stream) -> spec.StreamSpec:
    """What a client must know to read the stream: its framing, its end, its time bounds."""
    limits = op.limits
    heartbeat = stream.heartbeat
    return spec.StreamSpec(
        format=stream.format.value,
        media_type=stream.media_type.split(";")[0].strip(),
        terminal=stream.terminal,
        error_event=stream.error_event,
        discriminator=stream.discriminator or "event",
        sentinel=stream.sentinel,
        heartbeat_event=heartbeat.event if heartbeat and not heartbeat.comment else None,
        heartbeat_seconds=heartbeat_seconds(op, stream),
        idle_timeout_seconds=limits.stream_idle_timeout_seconds,
        max_duration_seconds=limits.stream_max_duration_seconds,
        resume=stream.resume_last_event_id,
        event_names=stream.event_names,
        extensible=stream.extensible,
    )


def client_websocket_spec(op: Operation) -> spec.WebSocketSpec | None:
    ws = op.websocket
    if ws is None:
        return None
    return spec.WebSocketSpec(
        subprotocols=ws.subprotocols,
        discriminator=ws.discriminator or "/type",
        close_codes=tuple(sorted(ws.close_codes.items())),
        error_message=ws.error_message,
    )
