"""The JSON Schemas shipped for the four `x-contract-*` extensions.

Each schema must itself be valid draft 2020-12; every extension block in the example specs must
validate; and typical mistakes must be rejected with a message that names the offending field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "src" / "contractgen" / "schemas"
SPECS = (ROOT / "specs" / "chat-service.yaml", ROOT / "specs" / "chat-service-legacy-3.1.yaml")
EXTENSIONS = ("x-contract-stream", "x-contract-limits", "x-contract-errors", "x-contract-websocket")
#: Subschemas that constrain declared properties rather than declare them.
CONDITIONAL_KEYWORDS = ("if", "then", "else", "not", "oneOf", "anyOf", "allOf", "dependentSchemas")


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
    return schema


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def load_spec(path: Path) -> Any:
    """A spec as JSON data: YAML integer keys (close codes, statuses) become strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text())))


def extension_blocks(node: Any, pointer: str = "") -> list[tuple[str, str, Any]]:
    """Every (pointer, extension name, value) in a spec, in document order."""
    found: list[tuple[str, str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key in EXTENSIONS:
                found.append((here, key, value))
            found.extend(extension_blocks(value, here))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(extension_blocks(value, f"{pointer}/{index}"))
    return found


def describe(error: ValidationError) -> str:
    """An error as a user reads it: the failing location, then the message."""
    path = "/".join(str(token) for token in error.absolute_path)
    return f"{path}: {error.message}"


def rejection(name: str, value: Any) -> str:
    """The most relevant error for an invalid block; fails the test if the block is accepted."""
    errors = list(validator(name).iter_errors(value))
    assert errors, f"{name} accepted an invalid block: {value!r}"
    error = best_match(errors)
    assert error is not None
    return describe(error)


@pytest.mark.parametrize("name", EXTENSIONS)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://contractgen.dev/schemas/{name}.json"
    assert schema["title"] == name


@pytest.mark.parametrize("name", EXTENSIONS)
def test_schema_examples_validate(name: str) -> None:
    schema = load_schema(name)
    assert schema.get("examples"), "each schema carries at least one example"
    for example in schema["examples"]:
        validator(name).validate(example)


@pytest.mark.parametrize("name", EXTENSIONS)
def test_every_property_has_title_and_description(name: str) -> None:
    missing: list[str] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for prop, sub in node.get("properties", {}).items():
                if not (isinstance(sub, dict) and sub.get("title") and sub.get("description")):
                    missing.append(f"{pointer}/properties/{prop}")
            for key, sub in node.items():
                if key not in CONDITIONAL_KEYWORDS:
                    visit(sub, f"{pointer}/{key}")
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                visit(sub, f"{pointer}/{index}")

    schema = load_schema(name)
    visit({key: value for key, value in schema.items() if key != "examples"}, "")
    assert not missing


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_spec_extension_blocks_validate(spec: Path) -> None:
    blocks = extension_blocks(load_spec(spec))
    assert {name for _, name, _ in blocks} == set(EXTENSIONS)
    problems = [
        f"{pointer}: {describe(error)}"
        for pointer, name, value in blocks
        for error in validator(name).iter_errors(value)
    ]
    assert not problems


def test_specs_use_the_vocabulary_forms() -> None:
    native, legacy = (load_spec(path) for path in SPECS)
    chat = "/paths/~1v1~1chat~1completions/post/responses/200/content/text~1event-stream"
    streams = {
        pointer: value for pointer, name, value in extension_blocks(native) if name == EXTENSIONS[0]
    }
    assert streams[f"{chat}/x-contract-stream"]["sentinel"] == "[DONE]"
    sse = legacy["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]["content"][
        "text/event-stream"
    ]
    assert "schema" in sse and "itemSchema" not in sse
    assert sse["x-speakeasy-sse-sentinel"] == "[DONE]"
    assert "sentinel" not in sse["x-contract-stream"]


BAD_BLOCKS = [
    pytest.param(
        "x-contract-limits",
        {"rateLimits": [{"name": "rpm", "unit": "calls", "quota": 10, "windowSeconds": 60}]},
        "unit",
        id="limits-wrong-unit",
    ),
    pytest.param(
        "x-contract-limits",
        {"stream": {"maxDurationSeconds": "600"}},
        "maxDurationSeconds",
        id="limits-string-instead-of-integer",
    ),
    pytest.param(
        "x-contract-limits",
        {"request": {"maxBytes": 1024, "maxKilobytes": 1}},
        "maxKilobytes",
        id="limits-unknown-key",
    ),
    pytest.param(
        "x-contract-limits",
        {"rateLimits": [{"name": "rpm", "quota": 10, "windowSeconds": 60, "partition": "tenant"}]},
        "partition",
        id="limits-bad-partition",
    ),
    pytest.param(
        "x-contract-limits",
        {"stream": {"idleTimeoutSeconds": -5}},
        "idleTimeoutSeconds",
        id="limits-negative-seconds",
    ),
    pytest.param(
        "x-contract-limits",
        {
            "rateLimits": [
                {"name": "conc", "unit": "concurrent-requests", "quota": 4, "windowSeconds": 60}
            ]
        },
        "windowSeconds",
        id="limits-window-on-concurrency",
    ),
    pytest.param(
        "x-contract-limits",
        {"websocket": {"maxMessageBytes": {"inbound": 1.5}}},
        "inbound",
        id="limits-fractional-bytes",
    ),
    pytest.param(
        "x-contract-stream",
        {"heartbeat": {"comment": True, "intervalSeconds": -1}},
        "intervalSeconds",
        id="stream-negative-heartbeat",
    ),
    pytest.param(
        "x-contract-stream",
        {"streamFlag": "stream"},
        "streamFlag",
        id="stream-flag-not-a-pointer",
    ),
    pytest.param(
        "x-contract-stream",
        {"terminal": ["done"], "discriminator": "event", "sentinal": "[DONE]"},
        "sentinal",
        id="stream-misspelt-key",
    ),
    pytest.param(
        "x-contract-stream",
        {"discriminator": "type"},
        "discriminator",
        id="stream-bad-discriminator",
    ),
    pytest.param(
        "x-contract-errors",
        {"codes": {"rate_limited": {"status": 429, "retryable": True, "retryAfter": "sometimes"}}},
        "retryAfter",
        id="errors-bad-retry-after",
    ),
    pytest.param(
        "x-contract-errors",
        {"codes": {"overloaded": {"status": 503, "retryable": True, "phases": ["during_stream"]}}},
        "phases",
        id="errors-bad-phase",
    ),
    pytest.param(
        "x-contract-errors",
        {
            "codes": {
                "too_large": {"status": 413, "retryable": False, "limit": "request.maxKilobytes"}
            }
        },
        "limit",
        id="errors-unknown-limit-path",
    ),
    pytest.param(
        "x-contract-errors",
        {"format": "json", "codes": {"internal_error": {"status": 500, "retryable": True}}},
        "format",
        id="errors-bad-format",
    ),
    pytest.param(
        "x-contract-errors",
        {"codes": {"teapot": {"status": 200, "retryable": False}}},
        "status",
        id="errors-success-status",
    ),
    pytest.param(
        "x-contract-websocket",
        {
            "clientMessages": {"$ref": "#/components/schemas/ClientMessage"},
            "serverMessages": {"$ref": "#/components/schemas/ServerMessage"},
            "discriminator": "/type",
            "heartbeat": {"mode": "tcp-keepalive", "intervalSeconds": 20},
        },
        "mode",
        id="websocket-bad-heartbeat-mode",
    ),
    pytest.param(
        "x-contract-websocket",
        {
            "clientMessages": {"$ref": "#/components/schemas/ClientMessage"},
            "serverMessages": {"$ref": "#/components/schemas/ServerMessage"},
            "discriminator": "/type",
            "closeCodes": {"1006": "abnormal"},
        },
        "1006",
        id="websocket-reserved-close-code",
    ),
]


@pytest.mark.parametrize(("name", "block", "field"), BAD_BLOCKS)
def test_bad_block_rejected_naming_the_field(name: str, block: Any, field: str) -> None:
    assert field in rejection(name, block)


def test_limits_accept_null_and_disabled() -> None:
    block = {
        "request": None,
        "tokens": {"maxInputTokens": None, "requestField": None},
        "stream": None,
        "websocket": {"maxMessageBytes": None},
        "rateLimits": [{"name": "tpm", "disabled": True}, {"name": "rpm", "quota": 1200}],
    }
    assert list(validator("x-contract-limits").iter_errors(block)) == []
    assert list(validator("x-contract-limits").iter_errors({"rateLimits": None})) == []


def test_error_limit_paths() -> None:
    errors = validator("x-contract-errors")
    for limit in (
        "request.maxBytes",
        "stream.maxDurationSeconds",
        "tokens.maxInputTokens",
        "websocket.maxMessageBytes.inbound",
        "rateLimits",
        "rateLimits.tpm",
    ):
        block = {"codes": {"some_code": {"status": 429, "retryable": True, "limit": limit}}}
        assert list(errors.iter_errors(block)) == [], limit


def test_websocket_heartbeat_message_mode_needs_the_message_type() -> None:
    block = {
        "clientMessages": True,
        "serverMessages": True,
        "discriminator": "/type",
        "heartbeat": {"mode": "message", "intervalSeconds": 20},
    }
    assert "message" in rejection("x-contract-websocket", block)
    block["heartbeat"] = {"mode": "message", "message": "ping", "intervalSeconds": 20}
    assert list(validator("x-contract-websocket").iter_errors(block)) == []
