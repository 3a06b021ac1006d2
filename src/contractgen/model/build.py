"""Build the typed contract from a loaded document.

The only module that reads raw OpenAPI for operations, streams, limits, errors and
WebSocket. It never raises on a malformed document: what it cannot read it leaves out,
because structural validation reports malformed input with better messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from contractgen.load.document import Document, RefError
from contractgen.model.contract import (
    HTTP_METHODS,
    Component,
    Contract,
    Example,
    Header,
    LegacyForm,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
)
from contractgen.model.errors import PRE_STREAM, ErrorCatalog, ErrorCode
from contractgen.model.limits import Limits, RateLimit
from contractgen.model.schema import Schema
from contractgen.model.stream import (
    SEQUENTIAL_MEDIA_TYPES,
    DiscriminatorMapping,
    EventType,
    Heartbeat,
    ItemSource,
    Stream,
    StreamFormat,
)
from contractgen.model.websocket import MessageType, WebSocket
from contractgen.report.finding import Location

SSE_DEFAULT_EVENT = "message"
"""The event type an SSE client sees when a frame has no `event` field."""

FRAME_FIELDS = ("event", "data", "id", "retry")
"""The fields of an SSE frame."""


class _Events(NamedTuple):
    """What an item schema says about a stream's event types."""

    events: tuple[EventType, ...] = ()
    union: Location | None = None
    """Where the event union (`oneOf`/`anyOf`) is written."""
    discriminator: str | None = None
    """`event` or `data#/<prop>`."""
    pinned: bool = False
    """Whether the union tells its branches apart (see `Stream.has_union_discriminator`)."""
    mappings: tuple[DiscriminatorMapping, ...] = ()


def build_contract(document: Document) -> Contract:
    return _Builder(document).build()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(item for item in _list(value) if isinstance(item, str))


class _Builder:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.legacy: list[LegacyForm] = []

    # --- references ---------------------------------------------------------------------

    def deref(self, value: Any, at: Location) -> tuple[Any, Location]:
        """Follow a `$ref`; an unresolvable one yields None (OAS002 reports it)."""
        try:
            resolved = self.document.deref(value, at)
        except RefError:
            return None, at
        return resolved.value, resolved.location

    def schema(self, value: Any, at: Location) -> Schema | None:
        if isinstance(value, bool):
            return Schema(at, value, at)
        if not isinstance(value, dict):
            return None
        ref = _str(value.get("$ref"))
        resolved, where = self.deref(value, at)
        return Schema(at, resolved, where, ref)

    def branches(self, schema: Schema) -> list[Schema]:
        """The members of a `oneOf`/`anyOf` union, resolved."""
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            if isinstance(members, list):
                base = schema.value_location.child(keyword)
                found = [self.schema(member, base.child(i)) for i, member in enumerate(members)]
                return [branch for branch in found if branch is not None]
        return []

    def union_keyword_location(self, schema: Schema) -> Location | None:
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list):
                return schema.value_location.child(keyword)
        return None

    def property_schema(self, schema: Schema, name: str) -> Schema | None:
        props = schema.properties
        if name not in props:
            for member in _list(schema.get("allOf")):
                found = self.schema(member, schema.value_location)
                if found is not None and name in found.properties:
                    return self.property_schema(found, name)
            return None
        return self.schema(props[name], schema.value_location.child("properties", name))

    # --- the document -------------------------------------------------------------------

    def build(self) -> Contract:
        data = self.document.data
        root = self.document.root.location()
        default_decl = (data.get("x-contract-limits"), root.child("x-contract-limits"))
        operations = list(self.operations(default_decl))
        return Contract(
            version=self.document.version,
            title=_str(_dict(data.get("info")).get("title")),
            location=root,
            operations=tuple(operations),
            errors=self.error_catalog(
                data.get("x-contract-errors"), root.child("x-contract-errors")
            ),
            default_limits=merge_limits([default_decl]),
            components=tuple(self.components()),
            legacy_forms=tuple(self.legacy),
            security_schemes=tuple(_dict(_dict(data.get("components")).get("securitySchemes"))),
            used_security_schemes=frozenset(self.used_security_schemes(operations)),
        )

    def components(self) -> Iterator[Component]:
        base = self.document.root.location("/components")
        for section, entries in _dict(self.document.data.get("components")).items():
            if section.startswith("x-"):
                continue
            for name in _dict(entries):
                yield Component(section, name, base.child(section, name))

    def used_security_schemes(self, operations: list[Operation]) -> set[str]:
        data = self.document.data
        used: set[str] = set()
        requirements = list(_list(data.get("security")))
        for op in operations:
            raw, _ = self.deref(self.document.value_at(op.location), op.location)
            requirements.extend(_list(_dict(raw).get("security")))
        for requirement in requirements:
            used.update(_dict(requirement))
        return used

    # --- operations ---------------------------------------------------------------------

    def operations(self, default_decl: tuple[Any, Location]) -> Iterator[Operation]:
        paths_location = self.document.root.location("/paths")
        for path, raw_item in _dict(self.document.data.get("paths")).items():
            if path.startswith("x-"):
                continue
            item, item_location = self.deref(raw_item, paths_location.child(path))
            item = _dict(item)
            path_params = self.parameters(item.get("parameters"), item_location.child("parameters"))
            path_decl = (item.get("x-contract-limits"), item_location.child("x-contract-limits"))
            methods: list[tuple[str, Any, Location]] = [
                (method, item[method], item_location.child(method))
                for method in HTTP_METHODS
                if isinstance(item.get(method), dict)
            ]
            extra = _dict(item.get("additionalOperations"))
            for method, raw_op in extra.items():
                if isinstance(raw_op, dict):
                    methods.append(
                        (
                            method.lower(),
                            raw_op,
                            item_location.child("additionalOperations", method),
                        )
                    )
            for method, raw_op, op_location in methods:
                yield self.operation(
                    method, path, raw_op, op_location, path_params, [default_decl, path_decl]
                )

    def operation(
        self,
        method: str,
        path: str,
        raw: dict[str, Any],
        location: Location,
        path_params: list[Parameter],
        limit_decls: list[tuple[Any, Location]],
    ) -> Operation:
        own = self.parameters(raw.get("parameters"), location.child("parameters"))
        overridden = {(p.name, p.where) for p in own}
        parameters = [p for p in path_params if (p.name, p.where) not in overridden] + own
        limits = merge_limits(
            [*limit_decls, (raw.get("x-contract-limits"), location.child("x-contract-limits"))]
        )
        responses = self.responses(raw, location)
        body = self.request_body(raw.get("requestBody"), location.child("requestBody"))
        streams = tuple(
            content.stream
            for response in responses.values()
            for content in response.content.values()
            if content.stream is not None
        )
        operation_id = _str(raw.get("operationId"))
        return Operation(
            method=method,
            path=path,
            location=location,
            operation_id=operation_id,
            operation_id_location=location.child("operationId") if "operationId" in raw else None,
            parameters=tuple(parameters),
            request_body=body,
            responses=responses,
            limits=limits,
            streams=tuple(
                self.with_vendor_stream_forms(stream, raw, location, body) for stream in streams
            ),
            websocket=self.websocket(raw, location, responses),
            summary=_str(raw.get("summary")),
            tags=_strs(raw.get("tags")),
            deprecated=raw.get("deprecated") is True,
        )

    def parameters(self, raw: Any, at: Location) -> list[Parameter]:
        found: list[Parameter] = []
        for index, entry in enumerate(_list(raw)):
            value, where = self.deref(entry, at.child(index))
            value = _dict(value)
            name, kind = _str(value.get("name")), _str(value.get("in"))
            if name is None or kind is None:
                continue
            found.append(
                Parameter(
                    name=name,
                    where=kind,
                    required=value.get("required") is True,
                    schema=self.schema(value.get("schema"), where.child("schema")),
                    location=where,
                    examples=tuple(self.examples(value, where)),
                    listed_at=at.child(index),
                    style=_str(value.get("style")),
                    explode=value["explode"] if isinstance(value.get("explode"), bool) else None,
                )
            )
        return found

    def request_body(self, raw: Any, at: Location) -> RequestBody | None:
        if raw is None:
            return None
        value, where = self.deref(raw, at)
        value = _dict(value)
        return RequestBody(
            location=where,
            required=value.get("required") is True,
            content=self.content(value.get("content"), where.child("content"), status=None),
        )

    def responses(self, raw_op: dict[str, Any], at: Location) -> dict[str, Response]:
        responses: dict[str, Response] = {}
        base = at.child("responses")
        for status, raw in _dict(raw_op.get("responses")).items():
            if status.startswith("x-"):
                continue
            value, where = self.deref(raw, base.child(status))
            value = _dict(value)
            headers: dict[str, Header] = {}
            for name, raw_header in _dict(value.get("headers")).items():
                header, header_at = self.deref(raw_header, where.child("headers", name))
                header = _dict(header)
                headers[name.lower()] = Header(
                    name=name,
                    required=header.get("required") is True,
                    schema=self.schema(header.get("schema"), header_at.child("schema")),
                    location=where.child("headers", name),
                )
            responses[status] = Response(
                status=status,
                location=where,
                description=_str(value.get("description")),
                headers=headers,
                content=self.content(value.get("content"), where.child("content"), status=status),
            )
        return responses

    def content(self, raw: Any, at: Location, *, status: str | None) -> dict[str, MediaType]:
        content: dict[str, MediaType] = {}
        for media_type, raw_media in _dict(raw).items():
            value, where = self.deref(raw_media, at.child(media_type))
            value = _dict(value)
            schema = self.schema(value.get("schema"), where.child("schema"))
            item_schema = self.schema(value.get("itemSchema"), where.child("itemSchema"))
            examples = tuple(self.examples(value, where))
            base = media_type.split(";")[0].strip().lower()
            stream_format = SEQUENTIAL_MEDIA_TYPES.get(base)
            stream = None
            if stream_format is not None and status is not None:
                stream = self.stream(
                    media_type, stream_format, value, where, status, schema, item_schema, examples
                )
            content[media_type] = MediaType(
                media_type, at.child(media_type), schema, item_schema, examples, stream
            )
        return content

    def examples(self, owner: dict[str, Any], at: Location) -> Iterator[Example]:
        if "example" in owner:
            yield Example(at.child("example"), owner["example"])
        for name, raw in _dict(owner.get("examples")).items():
            value, where = self.deref(raw, at.child("examples", name))
            value = _dict(value)
            if "value" in value:
                yield Example(where.child("value"), value["value"], name)
            elif "dataValue" in value:
                yield Example(where.child("dataValue"), value["dataValue"], name)
            elif "externalValue" in value:
                yield Example(where.child("externalValue"), None, name, external=True)
            serialized = value.get("serializedValue")
            if isinstance(serialized, str):
                yield Example(where.child("serializedValue"), serialized, name, serialized=True)

    # --- streams ------------------------------------------------------------------------

    def stream(
        self,
        media_type: str,
        stream_format: StreamFormat,
        raw: dict[str, Any],
        at: Location,
        status: str,
        schema: Schema | None,
        item_schema: Schema | None,
        examples: tuple[Example, ...],
    ) -> Stream:
        item, source = item_schema, ItemSource.ITEM_SCHEMA if item_schema else None
        if item is None and "x-oai-itemSchema" in raw:
            item = self.schema(raw["x-oai-itemSchema"], at.child("x-oai-itemSchema"))
            source = ItemSource.OAI_ITEM_SCHEMA
            self.legacy.append(
                LegacyForm(at.child("x-oai-itemSchema"), "x-oai-itemSchema", "itemSchema")
            )
        if item is None and schema is not None:
            item, source = schema, ItemSource.SCHEMA
            self.legacy.append(
                LegacyForm(at.child("schema"), f"`schema` under {media_type}", "itemSchema")
            )
        declared = _dict(raw.get("x-contract-stream"))
        declared_discriminator = _str(declared.get("discriminator"))
        found = self.events(item, stream_format, declared_discriminator)
        heartbeat = _dict(declared.get("heartbeat"))
        sentinel = _str(declared.get("sentinel"))
        sentinel_at = at.child("x-contract-stream", "sentinel") if sentinel is not None else None
        for key in ("x-speakeasy-sse-sentinel", "x-sse-sentinel"):
            if sentinel is None and isinstance(raw.get(key), str):
                sentinel, sentinel_at = raw[key], at.child(key)
                self.legacy.append(LegacyForm(sentinel_at, key, "x-contract-stream.sentinel"))
        flag = _str(declared.get("streamFlag"))
        ext_at = at.child("x-contract-stream")
        terminal = [
            (name, ext_at.child("terminal", index))
            for index, name in enumerate(_list(declared.get("terminal")))
            if isinstance(name, str)
        ]
        error_event = _str(declared.get("errorEvent"))
        return Stream(
            media_type=media_type,
            format=stream_format,
            location=at,
            status=status,
            item_schema=item,
            item_source=source,
            events=found.events,
            union_location=found.union,
            discriminator=declared_discriminator or found.discriminator,
            has_union_discriminator=found.pinned,
            mappings=found.mappings,
            declared="x-contract-stream" in raw or sentinel is not None,
            extension_location=at.child("x-contract-stream")
            if "x-contract-stream" in raw
            else None,
            extensible=declared.get("extensible") is True,
            terminal=tuple(name for name, _ in terminal),
            terminal_locations=tuple(where for _, where in terminal),
            error_event=error_event,
            error_event_location=ext_at.child("errorEvent") if error_event is not None else None,
            sentinel=sentinel,
            sentinel_location=sentinel_at,
            stream_flag=flag,
            stream_flag_location=at.child("x-contract-stream", "streamFlag")
            if flag is not None
            else None,
            heartbeat=Heartbeat(
                comment=heartbeat.get("comment") is True,
                event=_str(heartbeat.get("event")),
                interval_seconds=_int(heartbeat.get("intervalSeconds")),
            )
            if heartbeat
            else None,
            heartbeat_location=ext_at.child("heartbeat") if heartbeat else None,
            resume_last_event_id=_dict(declared.get("resume")).get("lastEventId") is True,
            examples=tuple(example.location for example in examples),
        )

    def with_vendor_stream_forms(
        self, stream: Stream, raw_op: dict[str, Any], at: Location, body: RequestBody | None
    ) -> Stream:
        """Map operation-level vendor stream extensions (Fern, Speakeasy) onto the stream."""
        from dataclasses import replace

        fern = _dict(raw_op.get("x-fern-streaming"))
        changes: dict[str, Any] = {}
        if stream.sentinel is None and isinstance(fern.get("terminator"), str):
            where = at.child("x-fern-streaming", "terminator")
            changes.update(sentinel=fern["terminator"], sentinel_location=where, declared=True)
            self.legacy.append(
                LegacyForm(where, "x-fern-streaming.terminator", "x-contract-stream.sentinel")
            )
        if stream.stream_flag is None:
            condition = _str(fern.get("stream-condition"))
            field = _str(raw_op.get("x-speakeasy-stream-request-field"))
            if condition is not None:
                where = at.child("x-fern-streaming", "stream-condition")
                pointer = "/" + condition.removeprefix("$request.").replace(".", "/")
                changes.update(stream_flag=pointer, stream_flag_location=where, declared=True)
                self.legacy.append(
                    LegacyForm(
                        where, "x-fern-streaming.stream-condition", "x-contract-stream.streamFlag"
                    )
                )
            elif field is not None:
                where = at.child("x-speakeasy-stream-request-field")
                changes.update(
                    stream_flag="/" + field.lstrip("/"), stream_flag_location=where, declared=True
                )
                self.legacy.append(
                    LegacyForm(
                        where, "x-speakeasy-stream-request-field", "x-contract-stream.streamFlag"
                    )
                )
        return replace(stream, **changes) if changes else stream

    # Event types. An item's events are told apart by a discriminator: the SSE `event` field,
    # or a property of the JSON payload (`data#/type`). The union that lists them is the item
    # itself (a union of SSE frames, or of payloads) or, for a single SSE frame, its `data`.

    def events(
        self, item: Schema | None, stream_format: StreamFormat, declared: str | None
    ) -> _Events:
        """Event types of a stream, read from its item schema."""
        if item is None or not isinstance(item.value, dict):
            return _Events()
        if stream_format is StreamFormat.SSE and self.is_frame(item):
            if self.branches(item):
                return self.union_events(item, _frame_discriminator(item, declared), framed=True)
            return self.single_frame_events(item, declared)
        single = SSE_DEFAULT_EVENT if stream_format is StreamFormat.SSE else "item"
        return self.payload_events(item, declared, single)

    def is_frame(self, item: Schema) -> bool:
        """Whether an SSE item is the frame `{event, data, ...}` itself, or a union of frames."""

        def framed(schema: Schema) -> bool:
            return "data" in schema.properties or "event" in schema.properties

        branches = self.branches(item)
        return framed(item) or (bool(branches) and all(framed(branch) for branch in branches))

    def single_frame_events(self, frame: Schema, declared: str | None) -> _Events:
        """One SSE frame: its `data` is a union of payloads, or `event` lists the event names."""
        data = self.property_schema(frame, "data")
        payload, media = self.payload_of(data) if data else (None, None)
        union = payload or data
        if union is not None and self.branches(union):
            discriminator = _payload_discriminator(union, declared)
            return self.union_events(union, discriminator, framed=False, media=media)
        names = self.event_enum(frame)
        events = tuple(
            EventType(name, frame.location, frame, payload, media)
            for name in names or [SSE_DEFAULT_EVENT]
        )
        return _Events(events, discriminator="event" if names else None, pinned=bool(names))

    def payload_events(self, payload: Schema, declared: str | None, single: str) -> _Events:
        """The item is the JSON payload: JSON Lines, json-seq, legacy SSE `schema` (OpenAI)."""
        if self.branches(payload):
            discriminator = _payload_discriminator(payload, declared)
            return self.union_events(payload, discriminator, framed=False)
        return _Events((EventType(single, payload.location, payload, payload),))

    def union_events(
        self,
        union: Schema,
        discriminator: str | None,
        *,
        framed: bool,
        media: str | None = None,
    ) -> _Events:
        """Event types of a union of SSE frames (`framed`) or of payloads, named by `discriminator`.

        The union is pinned when every branch is named, or when it has an OpenAPI
        `discriminator` (which names its branches even where we cannot).
        """
        branches = self.branches(union)
        names = [self.branch_name(union, b, discriminator, framed) for b in branches]
        events = tuple(
            self.event_type(name, branch, framed, media)
            for name, branch in zip(names, branches, strict=True)
            if name is not None
        )
        has_openapi_discriminator = "discriminator" in union.value
        return _Events(
            events,
            self.union_keyword_location(union),
            discriminator,
            discriminator is not None
            and (len(events) == len(branches) or has_openapi_discriminator),
            tuple(self.mappings(union, branches)),
        )

    def branch_name(
        self, union: Schema, branch: Schema, discriminator: str | None, framed: bool
    ) -> str | None:
        """The value a branch pins for the discriminator, else what the union's mapping says."""
        if discriminator is None:
            return None
        if discriminator == "event":
            names = self.event_enum(branch)
        else:
            payload = self.frame_payload(branch)[0] if framed else branch
            prop = discriminator.removeprefix("data#/").split("/")[0]
            pin = self.property_schema(payload, prop) if payload else None
            names = _pinned_values(pin) if pin else []
        return names[0] if len(names) == 1 else _mapped_name(union, branch)

    def event_type(self, name: str, branch: Schema, framed: bool, media: str | None) -> EventType:
        """A frame branch carries its payload in `data`; a payload branch is the payload."""
        if framed:
            payload, media = self.frame_payload(branch)
            return EventType(name, branch.location, branch, payload, media)
        return EventType(name, branch.location, branch, branch, media)

    def frame_payload(self, frame: Schema) -> tuple[Schema | None, str | None]:
        """The JSON payload a frame's `data` carries, and data's contentMediaType."""
        data = self.property_schema(frame, "data")
        return self.payload_of(data) if data else (None, None)

    def event_enum(self, frame: Schema) -> list[str]:
        event = self.property_schema(frame, "event")
        if event is None:
            return []
        return _pinned_values(event)

    def payload_of(self, data: Schema) -> tuple[Schema | None, str | None]:
        """SSE `data`: a string with contentMediaType+contentSchema, or (legacy) the JSON itself."""
        media = _str(data.get("contentMediaType"))
        if data.get("type") == "string" or media is not None:
            content = data.get("contentSchema")
            if content is None:
                return None, media
            return self.schema(content, data.value_location.child("contentSchema")), media
        return data, None

    def mappings(self, union: Schema, branches: list[Schema]) -> list[DiscriminatorMapping]:
        mapping = _dict(_dict(union.get("discriminator")).get("mapping"))
        members = {_component_ref(branch.ref) for branch in branches if branch.ref}
        at = union.value_location.child("discriminator", "mapping")
        return [
            DiscriminatorMapping(value, target, at.child(value), _component_ref(target) in members)
            for value, target in mapping.items()
            if isinstance(target, str)
        ]

    # --- limits, errors, websocket -----------------------------------------------------

    def error_catalog(self, raw: Any, at: Location) -> ErrorCatalog | None:
        if not isinstance(raw, dict):
            return None
        codes: dict[str, ErrorCode] = {}
        for code, entry in _dict(raw.get("codes")).items():
            entry = _dict(entry)
            codes[code] = ErrorCode(
                code=code,
                status=_int(entry.get("status")),
                retryable=entry.get("retryable")
                if isinstance(entry.get("retryable"), bool)
                else None,
                location=at.child("codes", code),
                retry_after=_str(entry.get("retryAfter")),
                phases=_strs(entry.get("phases")) or (PRE_STREAM,),
                limit=_str(entry.get("limit")),
                description=_str(entry.get("description")),
            )
        return ErrorCatalog(
            location=at,
            format=_str(raw.get("format")) or "problem+json",
            type_base=_str(raw.get("typeBase")),
            extensible=raw.get("extensible") is True,
            codes=codes,
        )

    def websocket(
        self, raw_op: dict[str, Any], at: Location, responses: dict[str, Response]
    ) -> WebSocket | None:
        raw = raw_op.get("x-contract-websocket")
        if not isinstance(raw, dict):
            return None
        where = at.child("x-contract-websocket")
        discriminator = _str(raw.get("discriminator"))
        prop = discriminator.lstrip("/").split("/")[0] if discriminator else "type"
        client = self.schema(raw.get("clientMessages"), where.child("clientMessages"))
        server = self.schema(raw.get("serverMessages"), where.child("serverMessages"))
        extensible = raw.get("extensible")
        heartbeat = _dict(raw.get("heartbeat"))
        return WebSocket(
            location=where,
            subprotocols=_strs(raw.get("subprotocols")),
            client_messages=client,
            server_messages=server,
            client_types=tuple(self.message_types(client, prop)),
            server_types=tuple(self.message_types(server, prop)),
            discriminator=discriminator,
            extensible_client=_dict(extensible).get("client") is True or extensible is True,
            extensible_server=_dict(extensible).get("server") is True or extensible is True,
            correlation=_str(raw.get("correlation")),
            heartbeat_mode=_str(heartbeat.get("mode")),
            heartbeat_interval_seconds=_int(heartbeat.get("intervalSeconds")),
            close_codes={
                int(code): str(meaning)
                for code, meaning in _dict(raw.get("closeCodes")).items()
                if str(code).isdigit()
            },
            error_message=_str(raw.get("errorMessage")),
            has_upgrade_response="101" in responses,
        )

    def message_types(self, union: Schema | None, prop: str) -> list[MessageType]:
        if union is None or not isinstance(union.value, dict):
            return []
        events = self.union_events(union, f"data#/{prop}", framed=False).events
        return [MessageType(event.name, event.frame, event.location) for event in events]


def merge_limits(declarations: list[tuple[Any, Location]]) -> Limits:
    """Deep-merge limit declarations, least specific first.

    The most specific value wins; an explicit null removes an inherited value; rate limits
    merge by `name`, and `disabled: true` drops an inherited one.
    """
    values: dict[str, Any] = {}
    sources: dict[str, Location] = {}
    rates: dict[str, tuple[dict[str, Any], Location]] = {}
    for raw, at in declarations:
        for key, value in _dict(raw).items():
            if key == "rateLimits":
                _merge_rate_limits(rates, value, at.child(key))
            else:
                _flatten(key, value, at.child(key), values, sources)
    rate_limits = tuple(
        RateLimit(
            name=name,
            unit=_str(entry.get("unit")),
            quota=_int(entry.get("quota")),
            window_seconds=_int(entry.get("windowSeconds")),
            partition=_str(entry.get("partition")),
            location=where,
        )
        for name, (entry, where) in rates.items()
    )
    return Limits(values, sources, rate_limits)


def _merge_rate_limits(
    rates: dict[str, tuple[dict[str, Any], Location]], value: Any, at: Location
) -> None:
    if value is None:
        rates.clear()
        return
    for index, entry in enumerate(_list(value)):
        if not isinstance(entry, dict):
            continue
        name = _str(entry.get("name")) or f"#{index}"
        if entry.get("disabled") is True:
            rates.pop(name, None)
            continue
        inherited = rates.get(name, ({}, at))[0]
        merged = {**inherited, **{k: v for k, v in entry.items() if v is not None}}
        for key in [k for k, v in entry.items() if v is None]:
            merged.pop(key, None)
        rates[name] = (merged, at.child(index))


def _flatten(
    path: str, value: Any, at: Location, values: dict[str, Any], sources: dict[str, Location]
) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(f"{path}.{key}", child, at.child(key), values, sources)
    elif value is None:
        for key in [k for k in values if k == path or k.startswith(path + ".")]:
            values.pop(key)
            sources.pop(key, None)
    else:
        values[path] = value
        sources[path] = at


def _pinned_values(schema: Schema) -> list[str]:
    """Values a schema pins a string to: `const`, or an `enum` of strings."""
    const = schema.get("const")
    if isinstance(const, str):
        return [const]
    enum = schema.get("enum")
    if isinstance(enum, list):
        return [value for value in enum if isinstance(value, str)]
    return []


def _payload_discriminator(union: Schema, declared: str | None) -> str | None:
    """`data#/<prop>` for a union of payloads: as declared, else the OpenAPI discriminator's."""
    if declared and declared.startswith("data#/"):
        return declared
    name = _str(_dict(union.get("discriminator")).get("propertyName"))
    return f"data#/{name}" if name else None


def _frame_discriminator(union: Schema, declared: str | None) -> str:
    """`event`, or `data#/<prop>` for a union of SSE frames told apart by their JSON payload.

    As declared, else as the union's OpenAPI discriminator says: a frame has no property but
    `event`, `data`, `id` and `retry`, so any other `propertyName` is a property of the data.
    """
    if declared is not None and (declared == "event" or declared.startswith("data#/")):
        return declared
    name = _str(_dict(union.get("discriminator")).get("propertyName"))
    return f"data#/{name}" if name and name not in FRAME_FIELDS else "event"


def _mapped_name(union: Schema, branch: Schema) -> str | None:
    """A branch's name under the union's OpenAPI discriminator.

    The `mapping` value that targets it, or without a mapping its component name
    (OpenAPI's implicit mapping).
    """
    discriminator = union.get("discriminator")
    if discriminator is None:
        return None
    mapping = _dict(_dict(discriminator).get("mapping"))
    if not mapping:
        return branch.name
    by_target = {
        _component_ref(target): value
        for value, target in mapping.items()
        if isinstance(target, str)
    }
    return by_target.get(_component_ref(branch.ref or ""))


def _component_ref(ref: str) -> str:
    """Normalise a mapping target: a bare name means `#/components/schemas/<name>`."""
    if ref and not ref.startswith("#") and "/" not in ref and "." not in ref:
        return f"#/components/schemas/{ref}"
    return ref
