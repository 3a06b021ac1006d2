"""Build the typed contract from a loaded document.

With its helpers (`reading` follows references, `events` reads event types, `limits`
merges limit declarations) this is the only code that reads raw OpenAPI for operations,
streams, limits, errors and WebSocket. It never raises on a malformed document: what it
cannot read it leaves out, because structural validation reports it with better messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from contractgen.load.document import Document
from contractgen.location import Location
from contractgen.model.contract import (
    HTTP_METHODS,
    Component,
    Contract,
    Example,
    Header,
    LegacyForm,
    MediaType,
    OAuthFlow,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SecurityRequirement,
    SecurityScheme,
    Server,
    is_json_media_type,
    is_success_status,
)
from contractgen.model.errors import PRE_STREAM, ErrorCatalog, ErrorCode
from contractgen.model.events import EventReader
from contractgen.model.limits import merge_limits
from contractgen.model.reading import Reader, as_dict, as_int, as_list, as_str, as_strs
from contractgen.model.schema import Schema
from contractgen.model.stream import (
    LEGACY_MEDIA_TYPES,
    DiscriminatorMapping,
    Heartbeat,
    ItemSource,
    Stream,
    StreamFormat,
    sequential_format,
)
from contractgen.model.websocket import MessageType, WebSocket

ITEM_SCHEMA_SINCE = (3, 2)
"""`itemSchema`, the native form of a stream's item, exists from OpenAPI 3.2 on."""


def build_contract(document: Document) -> Contract:
    return _Builder(document).build()


class _Builder:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.read = Reader(document)
        self.event_reader = EventReader(self.read)
        self.legacy: list[LegacyForm] = []

    # --- the document -------------------------------------------------------------------

    def build(self) -> Contract:
        data = self.document.data
        root = self.document.root.location()
        default_decl = (data.get("x-contract-limits"), root.child("x-contract-limits"))
        self.root_security = self.security(data, root)
        self.root_servers = self.servers(data, root)
        operations = list(self.operations(default_decl))
        info = as_dict(data.get("info"))
        info_at = root.child("info")
        return Contract(
            version=self.document.version,
            title=as_str(as_dict(data.get("info")).get("title")),
            location=root,
            operations=tuple(operations),
            errors=self.error_catalog(
                data.get("x-contract-errors"), root.child("x-contract-errors")
            ),
            default_limits=merge_limits([default_decl]),
            components=tuple(self.components()),
            legacy_forms=tuple(self.legacy),
            security_schemes=tuple(as_dict(as_dict(data.get("components")).get("securitySchemes"))),
            used_security_schemes=frozenset(self.used_security_schemes(operations)),
            info_version=_text(info.get("version")),
            info_version_location=info_at.child("version") if "version" in info else None,
            schemes=dict(self.security_schemes()),
            servers=self.root_servers,
            schemas=dict(self.component_schemas()),
            reader=self.read,
        )

    def component_schemas(self) -> Iterator[tuple[str, Schema]]:
        components, at = self.read.object(
            self.document.data.get("components"), self.document.root.location(), "components"
        )
        schemas, schemas_at = self.read.object(components.get("schemas"), at, "schemas")
        for name, raw in schemas.items():
            schema = self.read.schema(raw, schemas_at.child(name))
            if schema is not None:
                yield name, schema

    def security_schemes(self) -> Iterator[tuple[str, SecurityScheme]]:
        components, at = self.read.object(
            self.document.data.get("components"), self.document.root.location(), "components"
        )
        schemes, schemes_at = self.read.object(
            components.get("securitySchemes"), at, "securitySchemes"
        )
        for name, raw in schemes.items():
            value, where = self.read.deref(raw, schemes_at.child(name))
            value = as_dict(value)
            flows = dict(self.oauth_flows(value.get("flows"), where.child("flows")))
            yield (
                name,
                SecurityScheme(
                    name=name,
                    type=as_str(value.get("type")),
                    location=where,
                    scheme=as_str(value.get("scheme")),
                    where=as_str(value.get("in")),
                    param_name=as_str(value.get("name")),
                    scopes=frozenset(scope for flow in flows.values() for scope in flow.scopes),
                    flows=flows,
                    open_id_connect_url=as_str(value.get("openIdConnectUrl")),
                ),
            )

    def oauth_flows(self, raw: Any, at: Location) -> Iterator[tuple[str, OAuthFlow]]:
        for name, raw_flow in as_dict(raw).items():
            flow, where = self.read.deref(raw_flow, at.child(name))
            flow = as_dict(flow)
            yield (
                name,
                OAuthFlow(
                    location=where,
                    authorization_url=as_str(flow.get("authorizationUrl")),
                    token_url=as_str(flow.get("tokenUrl")),
                    refresh_url=as_str(flow.get("refreshUrl")),
                    scopes=tuple(as_dict(flow.get("scopes"))),
                ),
            )

    def security(
        self, owner: dict[str, Any], at: Location
    ) -> tuple[tuple[SecurityRequirement, ...], Location] | None:
        """An owner's `security` list, or None when it has none (it inherits)."""
        if "security" not in owner:
            return None
        where = at.child("security")
        requirements = tuple(
            SecurityRequirement(
                {name: as_strs(scopes) for name, scopes in as_dict(entry).items()},
                where.child(index),
            )
            for index, entry in enumerate(as_list(owner["security"]))
        )
        return requirements, where

    def servers(self, owner: dict[str, Any], at: Location) -> tuple[Server, ...]:
        found = []
        for index, raw in enumerate(as_list(owner.get("servers"))):
            entry = as_dict(raw)
            url = as_str(entry.get("url"))
            if url is None:
                continue
            variables = {
                name: as_strs(as_dict(variable).get("enum"))
                for name, variable in as_dict(entry.get("variables")).items()
            }
            found.append(Server(url, at.child("servers", index), variables))
        return tuple(found)

    def components(self) -> Iterator[Component]:
        base = self.document.root.location("/components")
        for section, entries in as_dict(self.document.data.get("components")).items():
            if section.startswith("x-"):
                continue
            for name in as_dict(entries):
                yield Component(section, name, base.child(section, name))

    def used_security_schemes(self, operations: list[Operation]) -> set[str]:
        data = self.document.data
        used: set[str] = set()
        requirements = list(as_list(data.get("security")))
        for op in operations:
            raw, _ = self.read.deref(self.document.value_at(op.location), op.location)
            requirements.extend(as_list(as_dict(raw).get("security")))
        for requirement in requirements:
            used.update(as_dict(requirement))
        return used

    # --- operations ---------------------------------------------------------------------

    def operations(self, default_decl: tuple[Any, Location]) -> Iterator[Operation]:
        root = self.document.root.location()
        paths, paths_location = self.read.object(self.document.data.get("paths"), root, "paths")
        for path, raw_item in paths.items():
            if path.startswith("x-"):
                continue
            item, item_location = self.read.deref(raw_item, paths_location.child(path))
            item = as_dict(item)
            path_params = self.parameters(item.get("parameters"), item_location.child("parameters"))
            path_decl = (item.get("x-contract-limits"), item_location.child("x-contract-limits"))
            methods = [
                (method, item[method], item_location.child(method))
                for method in HTTP_METHODS
                if method in item
            ]
            extra, extra_location = self.read.object(
                item.get("additionalOperations"), item_location, "additionalOperations"
            )
            methods.extend(
                (method.lower(), raw_op, extra_location.child(method))
                for method, raw_op in extra.items()
            )
            path_servers = self.servers(item, item_location) or self.root_servers
            for method, written, written_at in methods:
                # An Operation written as `$ref` (which OpenAPI does not allow, OAS005 says
                # so) is read where its content sits, as bundlers read it.
                raw_op, op_location = self.read.deref(written, written_at)
                if isinstance(raw_op, dict):
                    operation = self.operation(
                        method, path, raw_op, op_location, path_params, [default_decl, path_decl]
                    )
                    security = self.security(raw_op, op_location) or self.root_security
                    yield replace(
                        operation,
                        security=security[0] if security else None,
                        security_location=security[1] if security else None,
                        servers=self.servers(raw_op, op_location) or path_servers,
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
        streams = [
            content.stream
            for response in responses.values()
            for content in response.content.values()
            if content.stream is not None
        ]
        if not streams and (fern := self.fern_stream(raw, location, responses)) is not None:
            streams.append(fern)
        operation_id = as_str(raw.get("operationId"))
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
            summary=as_str(raw.get("summary")),
            description=as_str(raw.get("description")),
            tags=as_strs(raw.get("tags")),
            deprecated=raw.get("deprecated") is True,
            sunset=_text(raw.get("x-sunset")),
        )

    def parameters(self, raw: Any, at: Location) -> list[Parameter]:
        found: list[Parameter] = []
        raw, at = self.read.deref(raw, at)
        for index, entry in enumerate(as_list(raw)):
            value, where = self.read.deref(entry, at.child(index))
            value = as_dict(value)
            name, kind = as_str(value.get("name")), as_str(value.get("in"))
            if name is None or kind is None:
                continue
            found.append(
                Parameter(
                    name=name,
                    where=kind,
                    required=value.get("required") is True,
                    schema=self.read.schema(value.get("schema"), where.child("schema")),
                    location=where,
                    examples=tuple(self.examples(value, where)),
                    listed_at=at.child(index),
                    style=as_str(value.get("style")),
                    explode=value["explode"] if isinstance(value.get("explode"), bool) else None,
                    deprecated=value.get("deprecated") is True,
                    content_type=next(iter(as_dict(value.get("content"))), None),
                    sunset=_text(value.get("x-sunset")),
                )
            )
        return found

    def request_body(self, raw: Any, at: Location) -> RequestBody | None:
        if raw is None:
            return None
        value, where = self.read.deref(raw, at)
        value = as_dict(value)
        return RequestBody(
            location=where,
            required=value.get("required") is True,
            content=self.content(value.get("content"), where.child("content"), status=None),
        )

    def responses(self, raw_op: dict[str, Any], at: Location) -> dict[str, Response]:
        responses: dict[str, Response] = {}
        raw_responses, base = self.read.object(raw_op.get("responses"), at, "responses")
        for status, raw in raw_responses.items():
            if status.startswith("x-"):
                continue
            value, where = self.read.deref(raw, base.child(status))
            value = as_dict(value)
            headers: dict[str, Header] = {}
            raw_headers, headers_at = self.read.object(value.get("headers"), where, "headers")
            for name, raw_header in raw_headers.items():
                header, header_at = self.read.deref(raw_header, headers_at.child(name))
                header = as_dict(header)
                headers[name.lower()] = Header(
                    name=name,
                    required=header.get("required") is True,
                    schema=self.read.schema(header.get("schema"), header_at.child("schema")),
                    location=headers_at.child(name),
                    deprecated=header.get("deprecated") is True,
                )
            responses[status] = Response(
                status=status,
                location=where,
                description=as_str(value.get("description")),
                headers=headers,
                content=self.content(value.get("content"), where.child("content"), status=status),
            )
        return responses

    def content(self, raw: Any, at: Location, *, status: str | None) -> dict[str, MediaType]:
        content: dict[str, MediaType] = {}
        raw, at = self.read.deref(raw, at)
        for media_type, raw_media in as_dict(raw).items():
            value, where = self.read.deref(raw_media, at.child(media_type))
            value = as_dict(value)
            schema = self.read.schema(value.get("schema"), where.child("schema"))
            item_schema = self.read.schema(value.get("itemSchema"), where.child("itemSchema"))
            examples = tuple(self.examples(value, where))
            stream_format = sequential_format(media_type)
            stream = None
            if stream_format is not None and status is not None and is_success_status(status):
                self.note_legacy_media_type(media_type, at.child(media_type))
                item, source = self.stream_item(media_type, value, where, schema, item_schema)
                stream = self.stream(
                    media_type, stream_format, value, where, status, item, source, examples
                )
            content[media_type] = MediaType(
                media_type, at.child(media_type), schema, item_schema, examples, stream
            )
        return content

    def examples(self, owner: dict[str, Any], at: Location) -> Iterator[Example]:
        if "example" in owner:
            yield Example(at.child("example"), owner["example"])
        examples, examples_at = self.read.object(owner.get("examples"), at, "examples")
        for name, raw in examples.items():
            value, where = self.read.deref(raw, examples_at.child(name))
            value = as_dict(value)
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

    def note_legacy_media_type(self, media_type: str, at: Location) -> None:
        """A sequential media type that has a standard name (`application/stream+json`)."""
        native = LEGACY_MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
        if native is not None:
            self.legacy.append(LegacyForm(at, f"`{media_type}`", native))

    def stream_item(
        self,
        media_type: str,
        raw: dict[str, Any],
        at: Location,
        schema: Schema | None,
        item_schema: Schema | None,
    ) -> tuple[Schema | None, ItemSource | None]:
        """The schema of one item, and the form that gave it (all but `itemSchema` are legacy)."""
        item, source = item_schema, ItemSource.ITEM_SCHEMA if item_schema else None
        if item is None and "x-oai-itemSchema" in raw:
            item = self.read.schema(raw["x-oai-itemSchema"], at.child("x-oai-itemSchema"))
            source = ItemSource.OAI_ITEM_SCHEMA
            self.legacy.append(
                LegacyForm(
                    at.child("x-oai-itemSchema"),
                    "x-oai-itemSchema",
                    "itemSchema",
                    ITEM_SCHEMA_SINCE,
                )
            )
        if item is None and schema is not None:
            item, source = schema, ItemSource.SCHEMA
            self.legacy.append(
                LegacyForm(
                    at.child("schema"),
                    f"`schema` under {media_type}",
                    "itemSchema",
                    ITEM_SCHEMA_SINCE,
                )
            )
        return item, source

    def stream(
        self,
        media_type: str,
        stream_format: StreamFormat,
        raw: dict[str, Any],
        at: Location,
        status: str,
        item: Schema | None,
        source: ItemSource | None,
        examples: tuple[Example, ...],
    ) -> Stream:
        declared = as_dict(raw.get("x-contract-stream"))
        declared_discriminator = as_str(declared.get("discriminator"))
        found = self.event_reader.events(item, stream_format, declared_discriminator)
        heartbeat = as_dict(declared.get("heartbeat"))
        sentinel = as_str(declared.get("sentinel"))
        sentinel_at = at.child("x-contract-stream", "sentinel") if sentinel is not None else None
        for key in ("x-speakeasy-sse-sentinel", "x-sse-sentinel"):
            if sentinel is None and isinstance(raw.get(key), str):
                sentinel, sentinel_at = raw[key], at.child(key)
                self.legacy.append(LegacyForm(sentinel_at, key, "x-contract-stream.sentinel"))
        declared_sentinel = sentinel is not None
        if sentinel is None and found.sentinel is not None:
            sentinel, sentinel_at = found.sentinel, found.sentinel_location
        flag = as_str(declared.get("streamFlag"))
        ext_at = at.child("x-contract-stream")
        terminal = [
            (name, ext_at.child("terminal", index))
            for index, name in enumerate(as_list(declared.get("terminal")))
            if isinstance(name, str)
        ]
        error_event = as_str(declared.get("errorEvent"))
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
            discriminator_location=ext_at.child("discriminator")
            if declared_discriminator
            else found.union,
            has_union_discriminator=found.pinned,
            mappings=found.mappings,
            declared="x-contract-stream" in raw or declared_sentinel,
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
                event=as_str(heartbeat.get("event")),
                interval_seconds=as_int(heartbeat.get("intervalSeconds")),
            )
            if heartbeat
            else None,
            heartbeat_location=ext_at.child("heartbeat") if heartbeat else None,
            resume_last_event_id=as_dict(declared.get("resume")).get("lastEventId") is True,
            examples=tuple(example.location for example in examples),
        )

    def fern_stream(
        self, raw_op: dict[str, Any], at: Location, responses: dict[str, Response]
    ) -> Stream | None:
        """`x-fern-streaming` on an operation whose success response is not sequential.

        Fern describes the stream as the JSON response: `x-fern-streaming: true` (JSON
        chunks) or `{format: sse|json, stream-condition, response-stream, terminator}`. The
        success response's first JSON media type (else its first media type) streams, its
        items typed by `response-stream` (else the media type's schema). As Fern does, an
        object with neither `format` nor `stream-condition` declares no stream.
        """
        fern = raw_op.get("x-fern-streaming")
        options = as_dict(fern)
        if fern is not True and "format" not in options and "stream-condition" not in options:
            return None
        chosen = _streamed_media_type(responses)
        if chosen is None:
            return None
        status, media = chosen
        stream_format = StreamFormat.SSE if options.get("format") == "sse" else StreamFormat.JSONL
        fern_at = at.child("x-fern-streaming")
        item = media.schema
        if "response-stream" in options:
            item = self.read.schema(options["response-stream"], fern_at.child("response-stream"))
        native = "text/event-stream" if stream_format is StreamFormat.SSE else "application/jsonl"
        self.legacy.append(
            LegacyForm(fern_at, f"x-fern-streaming on the {media.media_type} response", native)
        )
        raw_media, where = self.read.deref(self.document.value_at(media.location), media.location)
        return replace(
            self.stream(
                media.media_type,
                stream_format,
                as_dict(raw_media),
                where,
                status,
                item,
                ItemSource.FERN_STREAMING,
                (),
            ),
            declared=True,
        )

    def with_vendor_stream_forms(
        self, stream: Stream, raw_op: dict[str, Any], at: Location, body: RequestBody | None
    ) -> Stream:
        """Map operation-level vendor stream extensions (Fern, Speakeasy) onto the stream."""
        fern = as_dict(raw_op.get("x-fern-streaming"))
        changes: dict[str, Any] = {}
        if stream.sentinel is None and isinstance(fern.get("terminator"), str):
            where = at.child("x-fern-streaming", "terminator")
            changes.update(sentinel=fern["terminator"], sentinel_location=where, declared=True)
            self.legacy.append(
                LegacyForm(where, "x-fern-streaming.terminator", "x-contract-stream.sentinel")
            )
        if stream.stream_flag is None:
            condition = as_str(fern.get("stream-condition"))
            field = as_str(raw_op.get("x-speakeasy-stream-request-field"))
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

    # --- limits, errors, websocket -----------------------------------------------------

    def error_catalog(self, raw: Any, at: Location) -> ErrorCatalog | None:
        if not isinstance(raw, dict):
            return None
        codes: dict[str, ErrorCode] = {}
        for code, entry in as_dict(raw.get("codes")).items():
            entry = as_dict(entry)
            codes[code] = ErrorCode(
                code=code,
                status=as_int(entry.get("status")),
                retryable=entry.get("retryable")
                if isinstance(entry.get("retryable"), bool)
                else None,
                location=at.child("codes", code),
                retry_after=as_str(entry.get("retryAfter")),
                phases=as_strs(entry.get("phases")) or (PRE_STREAM,),
                limit=as_str(entry.get("limit")),
                description=as_str(entry.get("description")),
                title=as_str(entry.get("title")),
            )
        return ErrorCatalog(
            location=at,
            format=as_str(raw.get("format")) or "problem+json",
            type_base=as_str(raw.get("typeBase")),
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
        discriminator = as_str(raw.get("discriminator"))
        declared = f"data#/{discriminator.lstrip('/').split('/')[0]}" if discriminator else None
        client = self.read.schema(raw.get("clientMessages"), where.child("clientMessages"))
        server = self.read.schema(raw.get("serverMessages"), where.child("serverMessages"))
        extensible = raw.get("extensible")
        heartbeat = as_dict(raw.get("heartbeat"))
        client_types, client_mappings = self.message_types(client, declared)
        server_types, server_mappings = self.message_types(server, declared)
        return WebSocket(
            location=where,
            subprotocols=as_strs(raw.get("subprotocols")),
            client_messages=client,
            server_messages=server,
            client_types=client_types,
            server_types=server_types,
            client_mappings=client_mappings,
            server_mappings=server_mappings,
            discriminator=discriminator,
            extensible_client=as_dict(extensible).get("client") is True or extensible is True,
            extensible_server=as_dict(extensible).get("server") is True or extensible is True,
            correlation=as_str(raw.get("correlation")),
            heartbeat_mode=as_str(heartbeat.get("mode")),
            heartbeat_interval_seconds=as_int(heartbeat.get("intervalSeconds")),
            close_codes={
                int(code): str(meaning)
                for code, meaning in as_dict(raw.get("closeCodes")).items()
                if str(code).isdigit()
            },
            error_message=as_str(raw.get("errorMessage")),
            has_upgrade_response="101" in responses,
        )

    def message_types(
        self, union: Schema | None, declared: str | None
    ) -> tuple[tuple[MessageType, ...], tuple[DiscriminatorMapping, ...]]:
        """A message union's types and discriminator mapping.

        Types are told apart by the declared property, else as the events of a stream are.
        """
        if union is None or not isinstance(union.value, dict):
            return (), ()
        found = self.event_reader.union_events(union, declared, framed=False)
        types = tuple(MessageType(e.name, e.frame, e.location) for e in found.events)
        return types, found.mappings


def _text(value: Any) -> str | None:
    """A string field that YAML may have read as a number or a date (`version: 1.0`,
    `x-sunset: 2025-01-01`): as the text it was written as, near enough."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _streamed_media_type(responses: dict[str, Response]) -> tuple[str, MediaType] | None:
    """The media type a vendor stream form describes: the first success response's JSON one."""
    for status, response in responses.items():
        if not is_success_status(status) or not response.content:
            continue
        media = list(response.content.values())
        json_media = [m for m in media if is_json_media_type(m.media_type)]
        return status, (json_media or media)[0]
    return None
