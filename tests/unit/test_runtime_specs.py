"""The model as the runtime enforces it (`model/service.py`), and the catalogue's lookups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.load.document import load_document
from contractgen.model.build import build_contract
from contractgen.model.service import runtime_specs
from contractgen.runtime import spec

SPECS = Path(__file__).resolve().parents[2] / "specs"


def _specs(
    name: str = "chat-service.yaml",
) -> tuple[spec.ErrorCatalogue, dict[str, spec.OperationSpec]]:
    return runtime_specs(build_contract(load_document(SPECS / name)))


def test_every_operation_is_keyed_by_its_operation_id() -> None:
    _, operations = _specs()
    assert sorted(operations) == sorted(
        [
            "createChatCompletion",
            "createCompletion",
            "createEmbedding",
            "retrieveModel",
            "connectRealtime",
        ]
    )
    assert operations["retrieveModel"].path == "/v1/models/{model_id}"
    assert operations["retrieveModel"].method == "GET"


def test_stream_limits_and_framing_come_from_the_operation() -> None:
    _, operations = _specs()
    chat = operations["createChatCompletion"]
    assert chat.stream is not None
    assert chat.stream.format == "sse"
    assert chat.stream.terminal == ("done", "error")
    assert chat.stream.error_event == "error"
    assert chat.stream.sentinel == "[DONE]"
    assert chat.stream.stream_flag == "/stream"
    assert chat.stream.resume is True
    assert chat.stream.heartbeat_seconds == 15
    assert chat.stream.heartbeat_event is None
    assert chat.stream.max_duration_seconds == 600
    assert chat.stream.idle_timeout_seconds == 30
    assert chat.limits.max_concurrent_streams == 16
    assert chat.limits.max_output_tokens == 4096
    assert chat.limits.output_tokens_field == "/max_tokens"
    assert [p.name for p in chat.limits.rate_limits] == ["rpm", "tpm"]


def test_websocket_limits_and_close_codes() -> None:
    _, operations = _specs()
    realtime = operations["connectRealtime"]
    assert realtime.websocket is not None
    assert realtime.websocket.subprotocols == ("chat.v1",)
    assert realtime.websocket.max_inbound_bytes == 131072
    assert realtime.websocket.max_messages_per_second == 20
    assert realtime.websocket.max_connections_per_key == 10
    assert realtime.websocket.close_code("message_too_big", 1000) == 1009
    # the path item drops the request limit and the token rate limit for the handshake
    assert realtime.limits.max_body_bytes is None
    assert [p.name for p in realtime.limits.rate_limits] == ["rpm"]


def test_the_partition_key_follows_the_security_scheme() -> None:
    _, operations = _specs()
    assert operations["createChatCompletion"].key_sources == (spec.KeySource("bearer"),)


def test_the_example_contract_requires_a_bearer_token_everywhere() -> None:
    _, operations = _specs()
    for operation in operations.values():
        assert operation.credentials == ((spec.KeySource("bearer"),),), operation.operation_id
        assert operation.auth_required


SCHEMES = """\
openapi: 3.2.0
info: {title: t, version: '1'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
    token: {type: http, scheme: Bearer}
    basic: {type: http, scheme: basic}
    oauth: {type: oauth2, flows: {}}
    oidc: {type: openIdConnect, openIdConnectUrl: https://id.example/.well-known}
    query: {type: apiKey, in: query, name: api_key}
    session: {type: apiKey, in: cookie, name: session}
    tls: {type: mutualTLS}
    digest: {type: http, scheme: digest}
"""
KEY = spec.KeySource("header", "X-API-Key")
BEARER = spec.KeySource("bearer")


def _get_a(write_spec: Callable[[str], Path], operation: str, root: str = "") -> spec.OperationSpec:
    """`GET /a` as the edge sees it, written with `operation` (and root) YAML lines."""
    text = SCHEMES + root + "paths:\n  /a:\n    get:\n" + operation
    text += "      responses: {'200': {description: ok}}\n"
    _, operations = runtime_specs(build_contract(load_document(write_spec(text))))
    return operations["GET /a"]


@pytest.mark.parametrize(
    ("operation", "root", "expected"),
    [
        pytest.param("", "", (), id="no-security-anywhere"),
        pytest.param("", "security: [{key: []}]\n", ((KEY,),), id="inherited-from-the-root"),
        pytest.param("      security: []\n", "security: [{key: []}]\n", (), id="disabled"),
        pytest.param(
            "      security: [{key: []}, {token: []}]\n", "", ((KEY,), (BEARER,)), id="or"
        ),
        pytest.param("      security: [{key: [], token: []}]\n", "", ((KEY, BEARER),), id="and"),
        pytest.param("      security: [{key: []}, {}]\n", "", (), id="optional"),
        pytest.param("      security: [{tls: []}, {key: []}]\n", "", (), id="mutual-tls"),
        pytest.param("      security: [{key: [], digest: []}]\n", "", (), id="http-digest"),
        pytest.param("      security: [{nowhere: []}]\n", "", (), id="undeclared-scheme"),
        pytest.param(
            "      security: [{oauth: [read]}, {oidc: []}, {basic: []}]\n",
            "",
            ((BEARER,), (spec.KeySource("basic"),)),
            id="oauth-and-oidc-send-bearer-tokens",
        ),
        pytest.param(
            "      security: [{query: []}, {session: []}]\n",
            "",
            ((spec.KeySource("query", "api_key"),), (spec.KeySource("cookie", "session"),)),
            id="query-and-cookie-keys",
        ),
    ],
)
def test_which_credentials_the_edge_requires(
    write_spec: Callable[[str], Path],
    operation: str,
    root: str,
    expected: tuple[tuple[spec.KeySource, ...], ...],
) -> None:
    operation_spec = _get_a(write_spec, operation, root)
    assert operation_spec.credentials == expected
    assert operation_spec.auth_required is bool(expected)


def test_an_unchecked_scheme_still_names_the_partition_key(
    write_spec: Callable[[str], Path],
) -> None:
    operation = _get_a(write_spec, "      security: [{tls: []}, {key: []}]\n")
    assert operation.key_sources == (KEY,)
    assert not operation.auth_required


def test_the_catalogue_answers_by_limit_then_status() -> None:
    catalogue, _ = _specs()
    assert catalogue.type_base == "https://api.example.com/problems/"
    assert catalogue.for_limit("rateLimits.rpm", 429).code == "rate_limited"
    assert (
        catalogue.for_limit("stream.maxConcurrentPerKey", 429).code == "concurrency_limit_exceeded"
    )
    assert catalogue.for_limit("request.maxBytes", 413).code == "content_too_large"
    # a 504 code enforcing another limit is not borrowed for an idle stream
    idle = catalogue.for_limit("stream.idleTimeoutSeconds", 504)
    assert (idle.code, idle.status) == ("stream_idle_timeout", 504)
    assert catalogue.for_status(400).code == "invalid_request"
    assert catalogue.for_status(501).code == "not_implemented"
    rate_limited = catalogue.get("rate_limited")
    assert rate_limited is not None
    assert rate_limited.retry_after == "required"
    assert rate_limited.title == "Rate limited"


def test_specs_print_as_python_literals() -> None:
    """A scaffolded project's `contract.py` writes these reprs; they must read back equal."""
    catalogue, operations = _specs()
    namespace = {name: getattr(spec, name) for name in dir(spec) if not name.startswith("_")}
    assert eval(repr(catalogue), namespace) == catalogue
    for operation in operations.values():
        assert eval(repr(operation), namespace) == operation


def test_an_empty_catalogue_still_names_every_status() -> None:
    empty = spec.ErrorCatalogue()
    assert empty.for_status(404).code == "not_found"
    assert empty.for_status(599).code == "internal_error"
    assert empty.for_limit("rateLimits", 429).retryable is True
