"""The contract as the runtime enforces it: the model turned into `runtime.spec` values.

scaffold writes these as literals into a project's `contract.py`; mock serves with them
directly. Both read them from here so that a mocked and a scaffolded service enforce the
same limits and answer with the same codes.
"""

from __future__ import annotations

from contractgen.model.contract import Contract, Operation, SecurityScheme
from contractgen.model.errors import ErrorCatalog
from contractgen.model.stream import Stream, StreamFormat
from contractgen.runtime import spec

KEYED_PARTITIONS = ("api_key", "user", "org")
"""Partitions counted per credential; `ip` and `connection` are counted per client."""


def runtime_specs(contract: Contract) -> tuple[spec.ErrorCatalogue, dict[str, spec.OperationSpec]]:
    """The error catalogue and every operation (keyed by `operation_key`) as the edge sees them."""
    operations = {}
    for op in contract.operations:
        operation = operation_spec(contract, op)
        operations[operation.operation_id] = operation
    return error_catalogue(contract.errors), operations


def operation_key(op: Operation) -> str:
    """The operation's id in runtime specs: its operationId, else `METHOD /path`."""
    return op.operation_id or op.key


def error_catalogue(catalog: ErrorCatalog | None) -> spec.ErrorCatalogue:
    if catalog is None:
        return spec.ErrorCatalogue()
    codes = tuple(
        spec.ErrorCode(
            code=entry.code,
            status=entry.status or 500,
            retryable=entry.retryable is True,
            retry_after=entry.retry_after or "optional",
            phases=entry.phases,
            limit=entry.limit,
            title=entry.title,
        )
        for entry in catalog.codes.values()
    )
    return spec.ErrorCatalogue(codes=codes, type_base=catalog.type_base)


def operation_spec(contract: Contract, op: Operation) -> spec.OperationSpec:
    limits = op.limits
    rate_limits = tuple(
        spec.RatePolicy(
            name=limit.name,
            quota=limit.quota,
            window_seconds=limit.window_seconds,
            unit=limit.unit or "requests",
            partition=limit.partition or "api_key",
        )
        for limit in limits.rate_limits
        if limit.quota is not None and limit.window_seconds
    )
    stream = served_stream(op)
    return spec.OperationSpec(
        operation_id=operation_key(op),
        method=op.method.upper(),
        path=op.path,
        limits=spec.EdgeLimits(
            max_body_bytes=limits.request_max_bytes,
            max_output_tokens=limits.max_output_tokens,
            output_tokens_field=limits.tokens_request_field,
            max_input_tokens=limits.max_input_tokens,
            rate_limits=rate_limits,
            max_concurrent_streams=limits.stream_max_concurrent_per_key if stream else None,
        ),
        key_sources=key_sources(contract, op),
        credentials=required_credentials(contract, op),
        stream=stream_spec(op, stream) if stream else None,
        websocket=websocket_spec(op),
    )


def served_stream(op: Operation) -> Stream | None:
    """The stream the runtime serves: the SSE one where an operation offers several."""
    sse = [stream for stream in op.streams if stream.format is StreamFormat.SSE]
    return next(iter(sse or op.streams), None)


def heartbeat_seconds(op: Operation, stream: Stream) -> float | None:
    """The stream's heartbeat interval: its own `heartbeat`, else the operation's limit."""
    heartbeat = stream.heartbeat
    interval = heartbeat.interval_seconds if heartbeat else None
    return interval or op.limits.stream_heartbeat_seconds


def stream_spec(op: Operation, stream: Stream) -> spec.StreamSpec:
    limits = op.limits
    heartbeat = stream.heartbeat
    return spec.StreamSpec(
        format=stream.format.value,
        media_type=stream.media_type.split(";")[0].strip(),
        event_names=stream.event_names,
        terminal=stream.terminal,
        error_event=stream.error_event,
        discriminator=stream.discriminator or "event",
        sentinel=stream.sentinel,
        heartbeat_seconds=heartbeat_seconds(op, stream),
        heartbeat_event=heartbeat.event if heartbeat and not heartbeat.comment else None,
        max_duration_seconds=limits.stream_max_duration_seconds,
        idle_timeout_seconds=limits.stream_idle_timeout_seconds,
        stream_flag=stream.stream_flag,
        resume=stream.resume_last_event_id,
    )


def websocket_spec(op: Operation) -> spec.WebSocketSpec | None:
    ws = op.websocket
    if ws is None:
        return None
    limits = op.limits
    return spec.WebSocketSpec(
        subprotocols=ws.subprotocols,
        discriminator=ws.discriminator,
        correlation=ws.correlation,
        max_inbound_bytes=limits.ws_max_inbound_message_bytes,
        max_outbound_bytes=limits.ws_max_outbound_message_bytes,
        max_messages_per_second=_int(limits.get("websocket.maxMessagesPerSecond")),
        max_connection_seconds=_int(limits.get("websocket.maxConnectionSeconds")),
        idle_timeout_seconds=limits.ws_idle_timeout_seconds,
        max_connections_per_key=_int(limits.get("websocket.maxConnectionsPerKey")),
        heartbeat_seconds=ws.heartbeat_interval_seconds,
        close_codes=tuple(sorted(ws.close_codes.items())),
        error_message=ws.error_message,
    )


def key_sources(contract: Contract, op: Operation) -> tuple[spec.KeySource, ...]:
    """Where the partition key is read: each credential the operation's security accepts.

    API keys are read where the scheme puts them, HTTP bearer (and OAuth 2 / OpenID Connect,
    which send bearer tokens) from `Authorization`; the client address is the runtime's
    last resort, so an operation without security is counted per client.
    """
    sources: list[spec.KeySource] = []
    for requirement in op.security or ():
        for name in requirement.schemes:
            source = _scheme_source(contract, name)
            if source is not None and source not in sources:
                sources.append(source)
    return tuple(sources)


def required_credentials(
    contract: Contract, op: Operation
) -> tuple[tuple[spec.KeySource, ...], ...]:
    """The credentials the edge demands: one tuple per alternative, each needed whole.

    `security` lists alternatives (any one will do), each naming schemes that are all needed.
    Nothing is demanded when a call may go without credentials (no security, `security: []`,
    or an empty `{}` alternative), nor when an alternative names a scheme the edge cannot
    check (`mutualTLS`, an `http` scheme other than bearer and basic, an undeclared name): a
    client meeting that alternative would be refused for a credential the edge cannot see.
    """
    alternatives: list[tuple[spec.KeySource, ...]] = []
    for requirement in op.security or ():
        sources = [_scheme_source(contract, name) for name in requirement.schemes]
        checkable = [source for source in sources if source is not None]
        if not sources or len(checkable) < len(sources):
            return ()
        alternative = tuple(dict.fromkeys(checkable))
        if alternative not in alternatives:
            alternatives.append(alternative)
    return tuple(alternatives)


def _scheme_source(contract: Contract, name: str) -> spec.KeySource | None:
    scheme = contract.schemes.get(name)
    return _key_source(scheme) if scheme else None


def _key_source(scheme: SecurityScheme) -> spec.KeySource | None:
    """Where a scheme's credential travels, or None when the runtime cannot read it."""
    kind = (scheme.type or "").lower()
    if kind == "apikey" and scheme.where in ("header", "query", "cookie") and scheme.param_name:
        return spec.KeySource(scheme.where, scheme.param_name)
    if kind == "http" and (scheme.scheme or "").lower() in ("bearer", "basic"):
        return spec.KeySource((scheme.scheme or "").lower())
    if kind in ("oauth2", "openidconnect"):
        return spec.KeySource("bearer")
    return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
