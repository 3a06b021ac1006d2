"""Effective limits (`merge_limits`) and the limit and error-catalogue rules on tricky inputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from contractgen.location import Location
from contractgen.model.limits import Limits, merge_limits
from contractgen.report.finding import Finding, Level
from tests.conftest import FIXTURES, validate_path

ROOT = Location("openapi.yaml", "/x-contract-limits")
PATH = Location("openapi.yaml", "/paths/~1a/x-contract-limits")
OP = Location("openapi.yaml", "/paths/~1a/post/x-contract-limits")
EXAMPLE_CONTRACT = FIXTURES.parents[1] / "specs" / "chat-service.yaml"

WriteSpec = Callable[..., Path]


def merge(*levels: Any) -> Limits:
    """Merge root, path item and operation declarations (as many as given), least specific first."""
    return merge_limits(list(zip(levels, (ROOT, PATH, OP), strict=False)))


def findings(write_spec: WriteSpec, text: str, rule_id: str) -> list[Finding]:
    return [f for f in validate_path(write_spec(text)) if f.rule_id == rule_id]


# --- merge_limits ---------------------------------------------------------------------------


def test_merge_is_deep_across_levels() -> None:
    limits = merge(
        {"request": {"maxBytes": 1024}, "tokens": {"maxInputTokens": 100}},
        None,
        {"tokens": {"maxOutputTokens": 10}},
    )
    assert limits.request_max_bytes == 1024
    assert limits.max_input_tokens == 100
    assert limits.max_output_tokens == 10
    assert limits.source("tokens.maxInputTokens") == ROOT.child("tokens", "maxInputTokens")
    assert limits.source("tokens.maxOutputTokens") == OP.child("tokens", "maxOutputTokens")


def test_most_specific_value_wins() -> None:
    root, path, op = ({"request": {"maxBytes": size}} for size in (10, 20, 30))
    limits = merge(root, path, op)
    assert limits.request_max_bytes == 30
    assert limits.source("request.maxBytes") == OP.child("request", "maxBytes")
    assert merge(root, path).request_max_bytes == 20


def test_rate_limits_merge_by_name() -> None:
    limits = merge(
        {
            "rateLimits": [
                {"name": "rpm", "unit": "requests", "quota": 600, "windowSeconds": 60},
                {"name": "tpm", "unit": "tokens", "quota": 2000, "windowSeconds": 60},
            ]
        },
        None,
        {
            "rateLimits": [
                {"name": "rpm", "quota": 100},
                {"name": "burst", "quota": 5, "windowSeconds": 1},
            ]
        },
    )
    by_name = {limit.name: limit for limit in limits.rate_limits}
    assert list(by_name) == ["rpm", "tpm", "burst"]
    rpm = by_name["rpm"]
    assert (rpm.quota, rpm.window_seconds, rpm.unit) == (100, 60, "requests")
    assert rpm.location == OP.child("rateLimits", 0)
    assert by_name["tpm"].location == ROOT.child("rateLimits", 1)
    assert limits.has("rateLimits.burst") and limits.has("rateLimits")


def test_disabled_rate_limit_drops_only_that_one() -> None:
    limits = merge(
        {
            "rateLimits": [
                {"name": "rpm", "quota": 1, "windowSeconds": 1},
                {"name": "tpm", "quota": 1, "windowSeconds": 1},
            ]
        },
        {"rateLimits": [{"name": "tpm", "disabled": True}]},
    )
    assert [limit.name for limit in limits.rate_limits] == ["rpm"]
    assert not limits.has("rateLimits.tpm")


def test_explicit_null_removes_inherited_values() -> None:
    root = {
        "request": {"maxBytes": 1024},
        "tokens": {"maxInputTokens": 100, "maxOutputTokens": 10},
        "rateLimits": [{"name": "rpm", "unit": "requests", "quota": 1, "windowSeconds": 1}],
    }
    limits = merge(root, {"request": None, "tokens": {"maxOutputTokens": None}})
    assert not limits.has("request") and limits.request_max_bytes is None
    assert limits.max_input_tokens == 100 and limits.max_output_tokens is None
    assert limits.source("tokens.maxOutputTokens") is None
    assert not merge(root, {"rateLimits": None}).rate_limits
    field_removed = merge(root, {"rateLimits": [{"name": "rpm", "unit": None}]}).rate_limits[0]
    assert field_removed.unit is None and field_removed.quota == 1


def test_null_then_redeclared_at_a_more_specific_level() -> None:
    limits = merge({"request": {"maxBytes": 1}}, {"request": None}, {"request": {"maxBytes": 3}})
    assert limits.request_max_bytes == 3


# --- LIM002 ---------------------------------------------------------------------------------

TOKENS_SPEC = """\
openapi: 3.1.0
info: {{title: t, version: '1'}}
x-contract-limits:
  request: {{maxBytes: 1024}}
  tokens: {{maxOutputTokens: 100, requestField: /max_tokens}}
paths:
  /chat:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                max_tokens: {field}
      responses: {{'200': {{description: ok}}}}
  /models:
    get:
      responses: {{'200': {{description: ok}}}}
"""


EMBEDDINGS = """\
  /embeddings:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {input: {type: string}}}
      responses: {'200': {description: ok}}
"""


def test_lim002_reads_nullable_unions_and_exclusive_maximum(write_spec: WriteSpec) -> None:
    nullable = "{anyOf: [{type: integer, maximum: 100}, {type: 'null'}]}"
    exclusive = "{type: integer, exclusiveMaximum: 101}"
    for field in (nullable, exclusive):
        found = findings(write_spec, TOKENS_SPEC.format(field=field), "LIM002")
        assert [f.message for f in found if "POST" in f.message] == [], field


def test_lim002_root_default_does_not_reach_operations_without_a_json_body(
    write_spec: WriteSpec,
) -> None:
    spec = TOKENS_SPEC.format(field="{type: integer, maximum: 100}")
    assert findings(write_spec, spec, "LIM002") == []


def test_lim002_root_default_missing_from_a_json_body_is_an_info_note(
    write_spec: WriteSpec,
) -> None:
    spec = TOKENS_SPEC.format(field="{type: integer, maximum: 100}") + EMBEDDINGS
    [note] = findings(write_spec, spec, "LIM002")
    assert note.level is Level.INFO
    assert note.location.pointer == "/paths/~1embeddings/post"
    assert [r.pointer for r in note.related] == ["/x-contract-limits/tokens/requestField"]


def test_lim002_field_declared_on_the_path_item_is_checked_as_the_operations_own(
    write_spec: WriteSpec,
) -> None:
    spec = TOKENS_SPEC.format(field="{type: integer, maximum: 100}").replace(
        "  /models:\n", "  /models:\n    x-contract-limits: {tokens: {requestField: /max_tokens}}\n"
    )
    [error] = findings(write_spec, spec, "LIM002")
    assert error.level is Level.ERROR
    assert error.location.pointer == "/paths/~1models/x-contract-limits/tokens/requestField"
    assert "GET /models" in error.message and "no JSON request body" in error.message


def test_lim002_too_high_nullable_maximum(write_spec: WriteSpec) -> None:
    field = "{anyOf: [{type: integer, maximum: 500}, {type: 'null'}]}"
    found = findings(write_spec, TOKENS_SPEC.format(field=field), "LIM002")
    posts = [f.message for f in found if "POST" in f.message]
    assert len(posts) == 1 and "allows up to 500" in posts[0]


def test_the_vocabularys_root_token_defaults_leave_the_example_contract_clean(
    write_spec: WriteSpec,
) -> None:
    """specs/chat-service.yaml with `tokens` and a `tpm` that GET /v1/models no longer disables."""
    text = EXAMPLE_CONTRACT.read_text()
    text = text.replace(
        "  request:\n    maxBytes: 1048576\n",
        "  request:\n    maxBytes: 1048576\n"
        "  tokens: {maxOutputTokens: 4096, requestField: /max_tokens}\n",
        1,
    ).replace("          - {name: tpm, disabled: true}    # reading a model uses no tokens\n", "")
    found = [
        (f.rule_id, f.level, f.message.split(" ")[:2]) for f in validate_path(write_spec(text))
    ]
    assert found == [("LIM002", Level.INFO, ["POST", "/v1/embeddings"])]


# --- LIM003 ---------------------------------------------------------------------------------


def test_lim003_one_finding_per_missing_status() -> None:
    path = FIXTURES / "rules" / "LIM003" / "bad.yaml"
    found = [f for f in validate_path(path) if f.rule_id == "LIM003"]
    chat = [f.message for f in found if "POST /v1/chat" in f.message]
    assert sorted(m.split("documents no ")[1][:3] for m in chat) == ["400", "413"]
    assert not any("504" in f.message for f in found), "mid_stream codes need no response"


def test_lim003_defaults_without_catalogue_and_bodiless_operations(write_spec: WriteSpec) -> None:
    spec = """\
openapi: 3.2.0
info: {title: t, version: '1'}
x-contract-limits:
  request: {maxBytes: 1024}
  rateLimits: [{name: rpm, quota: 1, windowSeconds: 1}]
paths:
  /a:
    get:
      responses: {'200': {description: ok}, '429': {description: slow down}}
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {'200': {description: ok}}
"""
    found = findings(write_spec, spec, "LIM003")
    assert sorted(f.message.split(" but ")[0] for f in found) == [
        "POST /a can exceed `rateLimits.rpm`",
        "POST /a can exceed `request.maxBytes`",
    ]


def test_lim003_root_limits_bind_only_the_operations_they_fit(write_spec: WriteSpec) -> None:
    spec = """\
openapi: 3.2.0
info: {title: t, version: '1'}
x-contract-limits:
  tokens: {maxInputTokens: 1000}
  stream: {maxConcurrentPerKey: 4}
  websocket: {maxConnectionsPerKey: 2}
x-contract-errors:
  codes:
    context_length_exceeded: {status: 400, retryable: false, limit: tokens.maxInputTokens}
    too_many_streams: {status: 429, retryable: true, limit: stream.maxConcurrentPerKey}
    too_many_sockets: {status: 409, retryable: true, limit: websocket.maxConnectionsPerKey}
paths:
  /models:
    get:
      responses: {'200': {description: ok}}
  /chat:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200':
          description: ok
          content: {application/jsonl: {itemSchema: {type: object}}}
"""
    found = findings(write_spec, spec, "LIM003")
    assert sorted(f.message.split(" but ")[0] for f in found) == [
        "POST /chat can exceed `stream.maxConcurrentPerKey` (code too_many_streams)",
        "POST /chat can exceed `tokens.maxInputTokens` (code context_length_exceeded)",
    ]


# --- LIM004 / LIM005 ------------------------------------------------------------------------


def test_shared_429_and_inherited_rate_limit_reported_once(write_spec: WriteSpec) -> None:
    spec = """\
openapi: 3.2.0
info: {title: t, version: '1'}
x-contract-limits:
  rateLimits: [{name: rpm, quota: 1}]
paths:
  /a:
    get: {responses: {'429': {$ref: '#/components/responses/Slow'}}}
  /b:
    get: {responses: {'429': {$ref: '#/components/responses/Slow'}}}
components:
  responses:
    Slow: {description: slow down}
"""
    lim004 = findings(write_spec, spec, "LIM004")
    assert [f.location.pointer for f in lim004] == ["/components/responses/Slow"]
    lim005 = findings(write_spec, spec, "LIM005")
    assert [f.location.pointer for f in lim005] == ["/x-contract-limits/rateLimits/0"]
    assert "`windowSeconds`" in lim005[0].message


# --- error catalogue rules ------------------------------------------------------------------

PROBLEM_SPEC = """\
openapi: 3.2.0
info: {{title: t, version: '1'}}
{catalogue}
paths:
  /a:
    get:
      responses:
        '404': {{$ref: '#/components/responses/Problem'}}
        '500': {{$ref: '#/components/responses/Problem'}}
  /b:
    get:
      responses:
        '400':
          description: bad
          content:
            application/problem+json; charset=utf-8:
              schema: {{$ref: '#/components/schemas/Problem'}}
components:
  responses:
    Problem:
      description: error
      content:
        application/problem+json:
          schema: {{$ref: '#/components/schemas/Problem'}}
  schemas:
    Problem:
      type: object
      properties: {{type: {{}}, title: {{}}, status: {{}}, detail: {{}}, code: {{}}}}
"""
CATALOGUE = "x-contract-errors: {codes: {not_found: {status: 404, retryable: false}}}"


def test_err003_reports_a_shared_problem_schema_once(write_spec: WriteSpec) -> None:
    found = findings(write_spec, PROBLEM_SPEC.format(catalogue=CATALOGUE), "ERR003")
    assert [f.location.pointer for f in found] == ["/components/schemas/Problem"]
    assert "`retryable`" in found[0].message and "`Problem`" in found[0].message


def test_catalogue_rules_are_silent_without_a_catalogue(write_spec: WriteSpec) -> None:
    path = write_spec(PROBLEM_SPEC.format(catalogue=""))
    rules = {"ERR001", "ERR002", "ERR003", "ERR005"}
    assert [f for f in validate_path(path) if f.rule_id in rules] == []
