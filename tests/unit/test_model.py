"""`build_contract`: what the typed model says about small specs, and that it never raises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.errors import LoadError
from contractgen.load.document import load_document
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract, Operation
from contractgen.model.errors import MID_STREAM, PRE_STREAM
from contractgen.model.stream import ItemSource, Stream, StreamFormat
from tests.conftest import CORPUS, FIXTURES

HEAD = "openapi: 3.2.0\ninfo: {title: t, version: '1'}\n"
WriteSpec = Callable[..., Path]


def build(write_spec: WriteSpec, body: str) -> Contract:
    return build_contract(load_document(write_spec(HEAD + body)))


def op(contract: Contract, key: str) -> Operation:
    found = contract.operation(key)
    assert found is not None, key
    return found


@pytest.fixture(scope="module")
def streams() -> Contract:
    return build_contract(load_document(FIXTURES / "model" / "streams.yaml"))


def stream(contract: Contract, key: str) -> Stream:
    (found,) = op(contract, key).streams
    return found


# --- what diff needs: security, servers, versions, deprecation ------------------------------

SECURITY = """\
info: {title: t, version: 2.10}
security: [{key: []}]
servers:
  - url: https://{region}.example.com
    variables: {region: {default: eu, enum: [eu, us]}}
paths:
  /a:
    servers: [{url: https://a.example.com}]
    get:
      deprecated: true
      x-sunset: 2025-01-01
      security: [{oauth: [read, write]}, {}]
      parameters:
        - {name: q, in: query, deprecated: true, content: {application/json: {schema: {}}}}
      responses:
        '200':
          description: ok
          headers: {X-Old: {deprecated: true, schema: {type: string}}}
    post:
      security: []
      responses: {'200': {description: ok}}
  /b:
    get: {responses: {'200': {description: ok}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: https://t, scopes: {read: r, write: w}}
        implicit: {authorizationUrl: https://t, scopes: {admin: a}}
  schemas:
    Item: {$ref: '#/components/schemas/Base'}
    Base: {type: object, properties: {child: {$ref: '#/components/schemas/Base'}}}
"""


def test_security_requirements_apply_from_the_operation_else_the_root(
    write_spec: WriteSpec,
) -> None:
    contract = build_contract(load_document(write_spec("openapi: 3.2.0\n" + SECURITY)))
    get, post, other = (op(contract, key) for key in ("GET /a", "POST /a", "GET /b"))
    assert get.security is not None and [r.schemes for r in get.security] == [
        {"oauth": ("read", "write")},
        {},
    ]
    assert get.security_location is not None
    assert get.security_location.pointer == "/paths/~1a/get/security"
    assert post.security == ()  # `security: []` turns the root's off
    assert other.security is not None and other.security[0].schemes == {"key": ()}
    assert other.security_location is not None and other.security_location.pointer == "/security"
    oauth = contract.schemes["oauth"]
    assert (oauth.type, oauth.scopes) == ("oauth2", frozenset({"read", "write", "admin"}))
    key = contract.schemes["key"]
    assert (key.type, key.where, key.param_name) == ("apiKey", "header", "X-Key")


def test_servers_info_version_sunset_and_deprecations(write_spec: WriteSpec) -> None:
    contract = build_contract(load_document(write_spec("openapi: 3.2.0\n" + SECURITY)))
    assert contract.info_version == "2.1"  # YAML read 2.10 as a number: as near as it gets
    assert contract.info_version_location is not None
    assert contract.info_version_location.pointer == "/info/version"
    assert [s.url for s in contract.servers] == ["https://{region}.example.com"]
    assert contract.servers[0].variables == {"region": ("eu", "us")}
    get, other = op(contract, "GET /a"), op(contract, "GET /b")
    assert [s.url for s in get.servers] == ["https://a.example.com"]  # the path item's
    assert other.servers == contract.servers
    assert (get.deprecated, get.sunset, other.sunset) == (True, "2025-01-01", None)
    (param,) = get.parameters
    assert (param.deprecated, param.content_type) == (True, "application/json")
    assert get.responses["200"].headers["x-old"].deprecated


def test_component_schemas_resolve_nested_references(write_spec: WriteSpec) -> None:
    contract = build_contract(load_document(write_spec("openapi: 3.2.0\n" + SECURITY)))
    item = contract.schemas["Item"]
    assert item.ref == "#/components/schemas/Base"
    assert item.value_location.pointer == "/components/schemas/Base"
    child_at = item.value_location.child("properties", "child")
    child = contract.resolve_schema(item.properties["child"], child_at)
    assert child is not None and child.name == "Base" and child.value is item.value


# --- operations ----------------------------------------------------------------------------

OPERATIONS = """\
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: verbose, in: query}
    get:
      operationId: getItem
      parameters:
        - {name: verbose, in: query, required: true}
        - {$ref: '#/components/parameters/Trace'}
      responses:
        '200':
          $ref: '#/components/responses/Item'
    query:
      requestBody: {$ref: '#/components/requestBodies/Search'}
      responses: {'200': {description: ok}}
    additionalOperations:
      PURGE: {responses: {'204': {description: gone}}}
  x-ignored: {get: {}}
components:
  parameters:
    Trace: {name: X-Trace, in: header, schema: {type: string}}
  requestBodies:
    Search:
      required: true
      content: {application/json: {schema: {type: object}}}
  responses:
    Item:
      description: the item
      headers:
        X-Rate-Limit: {schema: {type: integer}, required: true}
      content: {application/json: {schema: {type: object}}}
"""


def test_operations_include_query_and_additional_operations(write_spec: WriteSpec) -> None:
    contract = build(write_spec, OPERATIONS)
    keys = [operation.key for operation in contract.operations]
    assert keys == ["GET /items/{id}", "QUERY /items/{id}", "PURGE /items/{id}"]
    assert op(contract, "getItem").key == "GET /items/{id}"
    assert op(contract, "PURGE /items/{id}").location.pointer.endswith(
        "/additionalOperations/PURGE"
    )
    assert op(contract, "QUERY /items/{id}").is_idempotent


def test_path_parameters_are_merged_and_overridden(write_spec: WriteSpec) -> None:
    get = op(build(write_spec, OPERATIONS), "getItem")
    params = {(p.name, p.where): p for p in get.parameters}
    assert set(params) == {("id", "path"), ("verbose", "query"), ("X-Trace", "header")}
    assert params[("verbose", "query")].required  # the operation's own wins
    assert params[("X-Trace", "header")].location.pointer == "/components/parameters/Trace"


def test_request_body_and_response_refs_are_followed(write_spec: WriteSpec) -> None:
    contract = build(write_spec, OPERATIONS)
    body = op(contract, "QUERY /items/{id}").request_body
    assert body is not None and body.required
    assert body.location.pointer == "/components/requestBodies/Search"
    assert body.json_schema() is not None
    response = op(contract, "getItem").responses["200"]
    assert response.description == "the item"
    assert response.location.pointer == "/components/responses/Item"


def test_headers_are_case_insensitive(write_spec: WriteSpec) -> None:
    response = op(build(write_spec, OPERATIONS), "getItem").responses["200"]
    assert response.has_header("x-rate-limit") and response.has_header("X-RATE-LIMIT")
    assert response.headers["x-rate-limit"].name == "X-Rate-Limit"
    assert response.headers["x-rate-limit"].required


# --- streams -------------------------------------------------------------------------------


def test_sse_item_schema_with_const_pinned_events(streams: Contract) -> None:
    sse = stream(streams, "POST /native")
    assert (sse.format, sse.item_source, sse.status) == (
        StreamFormat.SSE,
        ItemSource.ITEM_SCHEMA,
        "200",
    )
    assert sse.event_names == ("delta", "done", "error")
    assert sse.discriminator == "event" and sse.has_union_discriminator
    delta = sse.event("delta")
    assert delta is not None and delta.payload is not None
    assert delta.payload.name == "Delta" and delta.data_media_type == "application/json"
    done = sse.event("done")
    assert done is not None and done.payload is None
    assert sse.union_location is not None and sse.union_location.pointer.endswith(
        "itemSchema/oneOf"
    )


def test_x_contract_stream_fields(streams: Contract) -> None:
    sse = stream(streams, "POST /native")
    assert sse.declared and sse.extension_location is not None
    assert sse.extensible and sse.terminal == ("done", "error") and sse.error_event == "error"
    assert sse.sentinel == "[DONE]" and sse.stream_flag == "/stream"
    assert sse.heartbeat is not None and sse.heartbeat.comment
    assert sse.heartbeat.interval_seconds == 15
    assert sse.resume_last_event_id


def test_sse_discriminator_on_data_type(streams: Contract) -> None:
    """Mistral style: `data` is the JSON object itself (legacy), told apart by `type`."""
    sse = stream(streams, "POST /mistral")
    assert sse.event_names == ("delta", "error")
    assert sse.discriminator == "data#/type"
    delta = sse.event("delta")
    assert delta is not None and delta.payload is not None and delta.payload.name == "Delta"
    assert delta.data_media_type is None


def test_legacy_schema_under_event_stream_is_the_payload(streams: Contract) -> None:
    """OpenAI style: `schema` instead of `itemSchema`, and the schema is the payload."""
    sse = stream(streams, "POST /openai")
    assert sse.item_source is ItemSource.SCHEMA
    (event,) = sse.events
    assert event.name == "message"
    assert event.payload is not None and event.payload.name == "Delta"
    forms = {form.form: form for form in streams.legacy_forms}
    assert forms["`schema` under text/event-stream"].native == "itemSchema"
    assert forms["x-speakeasy-sse-sentinel"].native == "x-contract-stream.sentinel"
    assert sse.sentinel == "[DONE]" and sse.declared


def test_x_oai_item_schema(streams: Contract) -> None:
    sse = stream(streams, "POST /backport")
    assert sse.item_source is ItemSource.OAI_ITEM_SCHEMA
    assert sse.event_names == ("tick",)
    assert sse.sentinel == "[DONE]"
    assert sse.sentinel_location is not None
    assert sse.sentinel_location.pointer.endswith("/x-sse-sentinel")
    assert {"x-oai-itemSchema", "x-sse-sentinel"} <= {f.form for f in streams.legacy_forms}


def test_json_lines_discriminated_union(streams: Contract) -> None:
    jsonl = stream(streams, "POST /jsonl")
    assert jsonl.format is StreamFormat.JSONL
    assert jsonl.event_names == ("delta", "error")
    assert jsonl.discriminator == "data#/type"
    assert [(m.value, m.in_union) for m in jsonl.mappings] == [("delta", True), ("error", True)]


def test_discriminator_location_is_where_it_is_said(streams: Contract) -> None:
    declared, inferred = stream(streams, "POST /native"), stream(streams, "POST /jsonl")
    assert declared.discriminator_location is not None
    assert declared.discriminator_location.pointer.endswith("/x-contract-stream/discriminator")
    assert inferred.discriminator_location == inferred.union_location


def test_fern_streaming(streams: Contract) -> None:
    sse = stream(streams, "POST /fern")
    assert sse.sentinel == "[END]" and sse.stream_flag == "/options/stream"
    forms = {form.form: form.native for form in streams.legacy_forms}
    assert forms["x-fern-streaming.terminator"] == "x-contract-stream.sentinel"
    assert forms["x-fern-streaming.stream-condition"] == "x-contract-stream.streamFlag"


def test_speakeasy_stream_request_field(streams: Contract) -> None:
    jsonl = stream(streams, "POST /speakeasy")
    assert jsonl.format is StreamFormat.JSONL and jsonl.stream_flag == "/stream"
    assert jsonl.stream_flag_location is not None
    assert jsonl.stream_flag_location.pointer.endswith("/x-speakeasy-stream-request-field")
    assert jsonl.event_names == ("item",)


def test_contract_streams_lists_every_stream(streams: Contract) -> None:
    assert len(streams.streams) == 7
    assert all(operation.is_streaming for operation, _ in streams.streams)


# --- limits --------------------------------------------------------------------------------

LIMITS = """\
x-contract-limits:
  request: {maxBytes: 1000}
  stream: {maxDurationSeconds: 600, idleTimeoutSeconds: 30}
  rateLimits:
    - {name: rpm, unit: requests, quota: 600, windowSeconds: 60, partition: api_key}
    - {name: tpm, unit: tokens, quota: 1000, windowSeconds: 60}
paths:
  /a:
    x-contract-limits:
      request: {maxBytes: 2000}
      tokens: {maxOutputTokens: 4096, requestField: /max_tokens}
    post:
      x-contract-limits:
        stream: {idleTimeoutSeconds: null}
        rateLimits:
          - {name: rpm, quota: 60}
          - {name: tpm, disabled: true}
      responses: {'200': {description: ok}}
    get:
      x-contract-limits: {rateLimits: null, stream: null}
      responses: {'200': {description: ok}}
"""


def test_effective_limits_most_specific_wins(write_spec: WriteSpec) -> None:
    contract = build(write_spec, LIMITS)
    limits = op(contract, "POST /a").limits
    assert limits.request_max_bytes == 2000
    assert limits.max_output_tokens == 4096 and limits.tokens_request_field == "/max_tokens"
    assert limits.stream_max_duration_seconds == 600
    assert limits.stream_idle_timeout_seconds is None  # explicit null removes
    assert not limits.has("stream.idleTimeoutSeconds") and limits.has("stream")
    source = limits.source("request.maxBytes")
    assert source is not None and source.pointer == "/paths/~1a/x-contract-limits/request/maxBytes"
    assert contract.default_limits.request_max_bytes == 1000


def test_rate_limits_merge_by_name(write_spec: WriteSpec) -> None:
    limits = op(build(write_spec, LIMITS), "POST /a").limits
    (rpm,) = limits.rate_limits
    assert (rpm.name, rpm.quota, rpm.unit, rpm.window_seconds) == ("rpm", 60, "requests", 60)
    assert rpm.partition == "api_key"
    assert limits.has("rateLimits") and limits.has("rateLimits.rpm")
    assert not limits.has("rateLimits.tpm")


def test_a_merged_rate_limit_knows_where_each_field_was_set(write_spec: WriteSpec) -> None:
    (rpm,) = op(build(write_spec, LIMITS), "POST /a").limits.rate_limits
    assert rpm.location.pointer == "/paths/~1a/post/x-contract-limits/rateLimits/0"
    assert rpm.source("quota").pointer == "/paths/~1a/post/x-contract-limits/rateLimits/0/quota"
    inherited = "/x-contract-limits/rateLimits/0/windowSeconds"
    assert rpm.source("windowSeconds").pointer == inherited


def test_null_removes_whole_sections(write_spec: WriteSpec) -> None:
    limits = op(build(write_spec, LIMITS), "GET /a").limits
    assert limits.rate_limits == ()
    assert not limits.has("stream") and limits.request_max_bytes == 2000


def test_a_value_is_a_document_default_only_where_the_root_declared_it(
    write_spec: WriteSpec,
) -> None:
    contract = build(write_spec, LIMITS)
    post, get = op(contract, "POST /a"), op(contract, "GET /a")
    assert contract.inherits_default(post, "stream.maxDurationSeconds")
    assert not contract.inherits_default(post, "request.maxBytes")  # the path item's
    assert not contract.inherits_default(post, "tokens.requestField")
    assert not contract.inherits_default(post, "rateLimits.rpm")  # merged into the operation's
    assert not contract.inherits_default(get, "stream.maxDurationSeconds")  # removed
    rpm = contract.default_limits.source("rateLimits.rpm")
    assert rpm is not None and rpm.pointer == "/x-contract-limits/rateLimits/0"


def test_limits_fit_the_operations_that_have_what_they_bound(write_spec: WriteSpec) -> None:
    body = """\
paths:
  /chat:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200': {description: ok, content: {application/jsonl: {itemSchema: {type: object}}}}
  /models:
    get: {responses: {'200': {description: ok}}}
  /realtime:
    get:
      responses: {'101': {description: upgrade}}
      x-contract-websocket: {clientMessages: {}, serverMessages: {}}
"""
    contract = build(write_spec, body)
    fits = {
        key: [
            path
            for path in (
                "request.maxBytes",
                "tokens.maxInputTokens",
                "stream.maxDurationSeconds",
                "websocket.maxConnectionsPerKey",
                "rateLimits.rpm",
            )
            if op(contract, key).limit_fits(path)
        ]
        for key in ("POST /chat", "GET /models", "GET /realtime")
    }
    assert fits == {
        "POST /chat": [
            "request.maxBytes",
            "tokens.maxInputTokens",
            "stream.maxDurationSeconds",
            "rateLimits.rpm",
        ],
        "GET /models": ["rateLimits.rpm"],
        "GET /realtime": ["websocket.maxConnectionsPerKey", "rateLimits.rpm"],
    }


def test_limit_values_of_the_wrong_type_read_as_unset(write_spec: WriteSpec) -> None:
    contract = build(write_spec, "x-contract-limits: {request: {maxBytes: '1MB'}}\npaths: {}\n")
    assert contract.default_limits.request_max_bytes is None
    assert contract.default_limits.get("request.maxBytes") == "1MB"


# --- errors and websocket ------------------------------------------------------------------

ERRORS = """\
x-contract-errors:
  typeBase: https://errors.example.com/
  extensible: true
  codes:
    content_too_large: {status: 413, retryable: false, limit: request.maxBytes}
    rate_limited: {status: 429, retryable: true, retryAfter: required, limit: rateLimits}
    overloaded: {status: 503, retryable: true, phases: [pre_stream, mid_stream]}
paths: {}
"""


def test_error_catalogue(write_spec: WriteSpec) -> None:
    catalog = build(write_spec, ERRORS).errors
    assert catalog is not None
    assert catalog.format == "problem+json" and catalog.extensible
    assert catalog.type_base == "https://errors.example.com/"
    assert catalog.codes["content_too_large"].phases == (PRE_STREAM,)
    assert catalog.codes["overloaded"].phases == (PRE_STREAM, MID_STREAM)
    assert catalog.codes["rate_limited"].retry_after == "required"
    assert [c.code for c in catalog.for_limit("request.maxBytes")] == ["content_too_large"]
    assert [c.code for c in catalog.for_limit("rateLimits.rpm")] == ["rate_limited"]
    assert catalog.for_limit("stream.maxDurationSeconds") == []


WEBSOCKET = """\
paths:
  /ws:
    get:
      responses:
        '101': {description: switching}
        '429': {description: too many}
      x-contract-websocket:
        subprotocols: [chat.v1]
        clientMessages: {$ref: '#/components/schemas/Client'}
        serverMessages:
          oneOf: [{$ref: '#/components/schemas/Token'}, {$ref: '#/components/schemas/Failure'}]
          discriminator: {propertyName: type}
        discriminator: /type
        extensible: {client: false, server: true}
        correlation: /request_id
        heartbeat: {mode: protocol-ping, intervalSeconds: 20}
        closeCodes: {1000: normal, 1009: message_too_big, oops: bad}
        errorMessage: failure
components:
  schemas:
    Client:
      oneOf:
        - {properties: {type: {const: send}}}
        - {properties: {type: {const: cancel}}}
    Token: {properties: {type: {const: token}}}
    Failure: {properties: {type: {const: failure}}}
"""


def test_websocket(write_spec: WriteSpec) -> None:
    ws = op(build(write_spec, WEBSOCKET), "GET /ws").websocket
    assert ws is not None and ws.has_upgrade_response
    assert [t.name for t in ws.client_types] == ["send", "cancel"]
    assert [t.name for t in ws.server_types] == ["token", "failure"]
    assert ws.subprotocols == ("chat.v1",) and ws.discriminator == "/type"
    assert not ws.extensible_client and ws.extensible_server
    assert (ws.heartbeat_mode, ws.heartbeat_interval_seconds) == ("protocol-ping", 20)
    assert ws.close_codes == {1000: "normal", 1009: "message_too_big"}
    assert ws.error_message == "failure" and ws.correlation == "/request_id"


def test_websocket_without_101(write_spec: WriteSpec) -> None:
    body = WEBSOCKET.replace("'101': {description: switching}", "'200': {description: no}")
    ws = op(build(write_spec, body), "GET /ws").websocket
    assert ws is not None and not ws.has_upgrade_response


def test_components_and_security(write_spec: WriteSpec) -> None:
    body = """\
security: [{apiKey: []}]
paths:
  /a:
    get:
      security: [{oauth: [read]}]
      responses: {'200': {description: ok}}
components:
  schemas: {A: {type: string}}
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Key}
    oauth: {type: oauth2, flows: {}}
    unused: {type: http, scheme: basic}
  x-vendor: {ignored: {}}
"""
    contract = build(write_spec, body)
    assert {(c.section, c.name) for c in contract.components} == {
        ("schemas", "A"),
        ("securitySchemes", "apiKey"),
        ("securitySchemes", "oauth"),
        ("securitySchemes", "unused"),
    }
    assert contract.security_schemes == ("apiKey", "oauth", "unused")
    assert contract.used_security_schemes == {"apiKey", "oauth"}


def test_parameter_deprecation_and_sunset(write_spec: WriteSpec) -> None:
    body = """\
paths:
  /a:
    get:
      parameters:
        - {name: old, in: query, deprecated: true, x-sunset: 2025-01-01}
        - {name: new, in: query}
"""
    old, new = op(build(write_spec, body), "GET /a").parameters
    assert (old.deprecated, old.sunset) == (True, "2025-01-01")
    assert (new.deprecated, new.sunset) == (False, None)


def test_oauth_flows_and_openid_connect_url(write_spec: WriteSpec) -> None:
    body = """\
paths: {}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://auth.example/authorize
          tokenUrl: https://auth.example/token
          refreshUrl: https://auth.example/refresh
          scopes: {read: Read, write: Write}
        clientCredentials: {tokenUrl: https://auth.example/cc, scopes: {admin: Admin}}
        broken: 3
    oidc: {type: openIdConnect, openIdConnectUrl: https://auth.example/.well-known}
"""
    schemes = build(write_spec, body).schemes
    flows = schemes["oauth"].flows
    code = flows["authorizationCode"]
    assert (code.authorization_url, code.token_url, code.refresh_url) == (
        "https://auth.example/authorize",
        "https://auth.example/token",
        "https://auth.example/refresh",
    )
    assert code.scopes == ("read", "write")
    assert code.location.pointer == "/components/securitySchemes/oauth/flows/authorizationCode"
    assert flows["clientCredentials"].scopes == ("admin",)
    assert flows["broken"].token_url is None and flows["broken"].scopes == ()
    assert schemes["oauth"].scopes == {"read", "write", "admin"}
    assert schemes["oidc"].open_id_connect_url == "https://auth.example/.well-known"
    assert schemes["oidc"].flows == {}


# --- robustness ----------------------------------------------------------------------------

MALFORMED: list[dict[str, Any]] = [
    {"paths": []},
    {"paths": {"/a": "string"}},
    {"paths": {"/a": {"get": "string"}}},
    {"paths": {"/a": {"get": {"responses": 200}}}},
    {"paths": {"/a": {"get": {"responses": {"200": []}}}}},
    {"paths": {"/a": {"get": {"responses": {"200": {"content": "x"}}}}}},
    {"paths": {"/a": {"get": {"responses": {"200": {"headers": [1]}}}}}},
    {"paths": {"/a": {"get": {"parameters": {"a": 1}, "requestBody": "x"}}}},
    {"paths": {"/a": {"parameters": [1, None, {"name": 3}], "get": {}}}},
    {"paths": {"/a": {"additionalOperations": ["x"], "get": {"tags": "x"}}}},
    {"paths": {"/a": {"additionalOperations": {"X": 1}}}},
    {"paths": {"/a": {"$ref": "#/nowhere"}}},
    {"paths": {"/a": {"get": {"responses": {"200": {"$ref": 5}}}}}},
    {"paths": {"/a": {"get": {"security": "x"}}}, "security": {"a": 1}},
    {"x-contract-limits": [], "paths": {}},
    {"x-contract-limits": {"request": {"maxBytes": "big"}, "rateLimits": "x"}},
    {"x-contract-limits": {"rateLimits": [1, {"name": 2, "quota": "x"}, {"disabled": True}]}},
    {"x-contract-errors": [], "paths": {}},
    {"x-contract-errors": {"codes": [], "format": 1}},
    {"x-contract-errors": {"codes": {"a": "x", "b": {"status": "500", "phases": "pre"}}}},
    {"components": [], "info": "x"},
    {"components": {"schemas": [], "securitySchemes": "x"}},
]


def stream_op(media_type: str, media: Any, **extra: Any) -> dict[str, Any]:
    response = {"description": "s", "content": {media_type: media}}
    return {"paths": {"/s": {"post": {"responses": {"200": response}, **extra}}}}


MALFORMED += [
    stream_op("text/event-stream", "x"),
    stream_op("text/event-stream", {"x-contract-stream": []}),
    stream_op("text/event-stream", {"itemSchema": [], "x-contract-stream": {"terminal": "done"}}),
    stream_op("text/event-stream", {"itemSchema": {"oneOf": "x"}}),
    stream_op("text/event-stream", {"itemSchema": {"oneOf": [1, None, {"$ref": "#/x"}]}}),
    stream_op("text/event-stream", {"itemSchema": {"properties": {"event": 1, "data": []}}}),
    stream_op("text/event-stream", {"itemSchema": {"properties": []}}),
    stream_op(
        "text/event-stream",
        {"itemSchema": {"properties": {"data": {"oneOf": [{}], "discriminator": "type"}}}},
    ),
    stream_op(
        "application/jsonl", {"itemSchema": {"anyOf": [{}], "discriminator": {"mapping": []}}}
    ),
    stream_op("application/jsonl", {"schema": True, "x-oai-itemSchema": 3}),
    stream_op("text/event-stream", {"x-contract-stream": {"heartbeat": [], "resume": "yes"}}),
    stream_op("text/event-stream", {"x-speakeasy-sse-sentinel": 1}, **{"x-fern-streaming": "x"}),
    stream_op(
        "text/event-stream", {}, **{"x-fern-streaming": {"terminator": 1, "stream-condition": []}}
    ),
    stream_op("text/event-stream", {}, **{"x-speakeasy-stream-request-field": ["x"]}),
    stream_op("text/event-stream", {}, **{"x-contract-websocket": []}),
    stream_op(
        "text/event-stream",
        {},
        **{"x-contract-websocket": {"closeCodes": [], "heartbeat": 1, "clientMessages": "x"}},
    ),
    stream_op("text/event-stream", {}, **{"x-contract-websocket": {"closeCodes": {"x": 1}}}),
]


@pytest.mark.parametrize("body", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_builder_never_raises_on_malformed_input(
    write_spec: WriteSpec, body: dict[str, Any]
) -> None:
    spec = {"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, **body}
    assert isinstance(build_contract(load_document(write_spec(yaml.safe_dump(spec)))), Contract)


# --- the corpus ----------------------------------------------------------------------------

CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_corpus_spec_builds(path: Path) -> None:
    if path.name == "learn-petstore-expanded-2.0.yaml":
        with pytest.raises(LoadError):  # Swagger 2.0: refused by the loader
            load_document(path)
        return
    contract = build_contract(load_document(path))
    assert contract.operations or path.name.startswith("learn-webhook")


# --- event unions --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unions() -> Contract:
    return build_contract(load_document(FIXTURES / "model" / "stream_unions.yaml"))


def test_frame_union_told_apart_by_data_type(unions: Contract) -> None:
    """Frames pin nothing on `event`; each frame's contentSchema pins `type` (data#/type)."""
    sse = stream(unions, "POST /frames-by-data")
    assert sse.event_names == ("delta", "error")
    assert sse.discriminator == "data#/type" and sse.has_union_discriminator
    assert sse.union_location is not None
    assert sse.union_location.pointer.endswith("itemSchema/oneOf")
    error = sse.event("error")
    assert error is not None and error.payload is not None and error.payload.name == "Error"
    assert error.data_media_type == "application/json"
    assert error.frame.location.pointer.endswith("itemSchema/oneOf/1")


def test_frame_union_with_openapi_discriminator_mapping_to_frames(unions: Contract) -> None:
    """A pinned data `type` names a frame; the mapping names the frame that pins nothing."""
    sse = stream(unions, "POST /frames-mapped")
    assert sse.event_names == ("delta", "ping")
    assert sse.discriminator == "data#/type" and sse.has_union_discriminator
    assert [(m.value, m.in_union) for m in sse.mappings] == [("delta", True), ("ping", True)]
    ping = sse.event("ping")
    assert ping is not None and ping.frame.name == "PingFrame"
    assert ping.payload is not None and ping.payload.name == "Untyped"


def test_frame_union_partly_pinned_by_data_is_not_discriminated(unions: Contract) -> None:
    sse = stream(unions, "POST /frames-partly-pinned")
    assert sse.event_names == ("delta",)
    assert not sse.has_union_discriminator


def test_single_frame_with_encoded_data_union(unions: Contract) -> None:
    sse = stream(unions, "POST /one-frame-content-union")
    assert sse.event_names == ("delta", "error")
    assert sse.discriminator == "data#/type" and sse.has_union_discriminator
    delta = sse.event("delta")
    assert delta is not None and delta.payload is not None and delta.payload.name == "Delta"
    assert delta.data_media_type == "application/json"


def test_json_seq_union_told_apart_by_declared_item_property(unions: Contract) -> None:
    seq = stream(unions, "POST /json-seq")
    assert seq.format is StreamFormat.JSON_SEQ
    assert seq.event_names == ("delta", "error")
    assert seq.discriminator == "data#/type" and seq.has_union_discriminator


def test_component_names_are_not_event_names_without_openapi_discriminator(
    unions: Contract,
) -> None:
    """OpenAPI's implicit mapping applies only under a `discriminator`, not a declared one."""
    jsonl = stream(unions, "POST /jsonl-unpinned")
    assert jsonl.event_names == ("delta",)
    assert not jsonl.has_union_discriminator


def test_union_pinned_without_a_discriminator_keyword_is_discriminated(unions: Contract) -> None:
    """`kind` is pinned in every branch (`const`, a one-value `enum` through allOf); `object` too,
    but to the same value, so it tells nothing apart."""
    jsonl = stream(unions, "POST /jsonl-inferred")
    assert jsonl.discriminator == "data#/kind" and jsonl.has_union_discriminator
    assert jsonl.event_names == ("started", "finished")


def test_frame_union_inferred_from_its_data_with_a_sentinel_frame(unions: Contract) -> None:
    sse = stream(unions, "POST /frames-inferred-by-data")
    assert sse.discriminator == "data#/type" and sse.has_union_discriminator
    assert sse.event_names == ("delta", "error")
    assert sse.sentinel == "[DONE]"
    assert sse.sentinel_location is not None
    assert sse.sentinel_location.pointer.endswith("/itemSchema/oneOf/2")
    assert not sse.declared


def test_legacy_payload_union_with_a_sentinel_branch(unions: Contract) -> None:
    sse = stream(unions, "POST /legacy-payload-sentinel")
    assert sse.event_names == ("delta", "error") and sse.has_union_discriminator
    assert sse.sentinel == "[DONE]"
    assert sse.sentinel_location is not None
    assert sse.sentinel_location.pointer.endswith("/schema/anyOf/2")


def test_json_lines_has_no_sentinel_branch(unions: Contract) -> None:
    jsonl = stream(unions, "POST /jsonl-string-item")
    assert jsonl.sentinel is None
    assert not jsonl.has_union_discriminator


def test_branches_pinning_one_value_alike_are_not_told_apart(unions: Contract) -> None:
    jsonl = stream(unions, "POST /frames-same-value")
    assert jsonl.discriminator is None and not jsonl.has_union_discriminator


def test_declared_sentinel_wins_over_a_sentinel_branch(write_spec: WriteSpec) -> None:
    body = """\
paths:
  /a:
    post:
      responses:
        '200':
          description: ok
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - properties: {event: {const: delta}, data: {type: string}}
                  - properties: {data: {const: '[END]'}}
              x-contract-stream: {sentinel: '[DONE]'}
"""
    sse = stream(build(write_spec, body), "POST /a")
    assert sse.sentinel == "[DONE]" and sse.event_names == ("delta",)
    assert sse.sentinel_location is not None
    assert sse.sentinel_location.pointer.endswith("/x-contract-stream/sentinel")


def test_websocket_message_unions_are_inferred_without_a_declared_discriminator(
    write_spec: WriteSpec,
) -> None:
    body = """\
paths:
  /ws:
    get:
      responses: {'101': {description: upgrade}}
      x-contract-websocket:
        clientMessages:
          oneOf:
            - {type: object, properties: {op: {const: say}}}
            - {type: object, properties: {op: {enum: [bye]}}}
        serverMessages:
          oneOf:
            - {type: object, properties: {op: {const: said}}}
"""
    ws = op(build(write_spec, body), "GET /ws").websocket
    assert ws is not None
    assert [t.name for t in ws.client_types] == ["say", "bye"]
    assert [t.name for t in ws.server_types] == ["said"]


def test_only_success_responses_are_streams(write_spec: WriteSpec) -> None:
    events = "{itemSchema: {type: object, properties: {data: {type: string}}}}"
    body = f"""\
paths:
  /a:
    post:
      responses:
        '200': {{description: ok, content: {{text/event-stream: {events}}}}}
        2XX: {{description: ok, content: {{application/jsonl: {events}}}}}
        '429': {{description: slow, content: {{text/event-stream: {events}}}}}
        5XX: {{description: down, content: {{application/x-ndjson: {events}}}}}
        default: {{description: error, content: {{text/event-stream: {events}}}}}
"""
    operation = op(build(write_spec, body), "POST /a")
    assert [(s.status, s.media_type) for s in operation.streams] == [
        ("200", "text/event-stream"),
        ("2XX", "application/jsonl"),
    ]
    assert operation.responses["429"].content["text/event-stream"].stream is None


FERN = """\
paths:
  /logs:
    post:
      x-fern-streaming: true
      responses:
        '200':
          description: JSON chunks
          content:
            application/json: {schema: {$ref: '#/components/schemas/Chunk'}}
  /chat:
    post:
      x-fern-streaming:
        format: sse
        terminator: '[DONE]'
        stream-condition: stream
        response: {$ref: '#/components/schemas/Chat'}
        response-stream: {$ref: '#/components/schemas/Chunk'}
      requestBody:
        content:
          application/json: {schema: {properties: {stream: {type: boolean}}}}
      responses:
        '400': {description: bad}
        '200':
          description: the whole answer, or SSE chunks when stream is true
          content:
            application/json: {schema: {$ref: '#/components/schemas/Chat'}}
  /terminator-only:
    post:
      x-fern-streaming: {terminator: '[DONE]'}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
  /native:
    post:
      x-fern-streaming: {format: sse}
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: object}}
            text/event-stream: {itemSchema: {properties: {data: {type: string}}}}
  /spring:
    get:
      responses:
        '200':
          description: Spring's NDJSON name
          content:
            application/stream+json: {itemSchema: {$ref: '#/components/schemas/Chunk'}}
components:
  schemas:
    Chat: {type: object, properties: {text: {type: string}}}
    Chunk: {type: object, properties: {delta: {type: string}}}
"""


def test_fern_streaming_true_streams_the_json_response_as_json_chunks(
    write_spec: WriteSpec,
) -> None:
    contract = build(write_spec, FERN)
    chunks = stream(contract, "POST /logs")
    assert chunks.format is StreamFormat.JSONL and chunks.declared
    assert chunks.media_type == "application/json" and chunks.status == "200"
    assert chunks.location.pointer == "/paths/~1logs/post/responses/200/content/application~1json"
    assert chunks.item_source is ItemSource.FERN_STREAMING
    assert chunks.item_schema is not None and chunks.item_schema.name == "Chunk"
    assert chunks.event_names == ("item",)


def test_fern_streaming_object_maps_format_terminator_condition_and_response_stream(
    write_spec: WriteSpec,
) -> None:
    contract = build(write_spec, FERN)
    sse = stream(contract, "POST /chat")
    assert sse.format is StreamFormat.SSE and sse.status == "200"
    assert sse.item_schema is not None and sse.item_schema.name == "Chunk"
    assert sse.item_schema.location.pointer.endswith("/x-fern-streaming/response-stream")
    assert sse.sentinel == "[DONE]" and sse.stream_flag == "/stream"
    forms = {(f.location.pointer, f.native) for f in contract.legacy_forms}
    assert ("/paths/~1chat/post/x-fern-streaming", "text/event-stream") in forms
    assert ("/paths/~1logs/post/x-fern-streaming", "application/jsonl") in forms


def test_fern_streaming_that_declares_no_stream_or_beside_a_native_one(
    write_spec: WriteSpec,
) -> None:
    contract = build(write_spec, FERN)
    assert op(contract, "POST /terminator-only").streams == ()
    native = stream(contract, "POST /native")
    assert native.media_type == "text/event-stream" and native.item_source is ItemSource.ITEM_SCHEMA


def test_application_stream_json_is_read_as_json_lines(write_spec: WriteSpec) -> None:
    contract = build(write_spec, FERN)
    jsonl = stream(contract, "GET /spring")
    assert jsonl.format is StreamFormat.JSONL and jsonl.item_source is ItemSource.ITEM_SCHEMA
    [form] = [f for f in contract.legacy_forms if f.form == "`application/stream+json`"]
    assert form.native == "application/jsonl" and form.native_since is None
    assert form.location.pointer.endswith("/content/application~1stream+json")


def test_discriminator_mappings_are_resolved_against_the_union(write_spec: WriteSpec) -> None:
    body = """\
paths:
  /a:
    post:
      responses:
        '200':
          description: ok
          content:
            application/jsonl: {itemSchema: {$ref: '#/components/schemas/Chunk'}}
  /ws:
    get:
      responses: {'101': {description: upgrade}}
      x-contract-websocket:
        discriminator: /type
        clientMessages: {$ref: '#/components/schemas/Chunk'}
        serverMessages: {oneOf: [{$ref: '#/components/schemas/Alias'}]}
components:
  schemas:
    Chunk:
      oneOf:
        - $ref: '#/components/schemas/Alias'
        - {properties: {type: {const: inline}}}
      discriminator:
        propertyName: type
        mapping:
          delta: '#/components/schemas/Delta'
          inline: '#/components/schemas/Chunk/oneOf/1'
          other: Other
          missing: Missing
    Alias: {$ref: '#/components/schemas/Delta'}
    Delta: {properties: {type: {const: delta}}}
    Other: {properties: {type: {const: other}}}
"""
    contract = build(write_spec, body)
    expected = [
        ("delta", True, True),  # through Alias, where the branch resolves
        ("inline", True, True),
        ("other", False, True),
        ("missing", False, False),
    ]
    jsonl = stream(contract, "POST /a")
    assert [(m.value, m.in_union, m.resolves) for m in jsonl.mappings] == expected
    ws = op(contract, "GET /ws").websocket
    assert ws is not None
    assert [(m.value, m.in_union, m.resolves) for m in ws.client_mappings] == expected
    assert ws.server_mappings == ()
