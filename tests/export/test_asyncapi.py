"""`contractgen export asyncapi`: valid against the official AsyncAPI 3.0.0 JSON Schema.

The schema comes from npm's `@asyncapi/specs` (pinned in tests/package.json and its lock
file), installed by `.ci/run` with `npm ci --prefix tests`. Without it these tests fail: run
that command once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.conftest import ROOT
from tests.export._helpers import CHAT, LEGACY, export, read_json

SCHEMA = ROOT / "tests" / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"
INSTALL = "npm ci --prefix tests --no-audit --no-fund"


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    assert SCHEMA.is_file(), f"{SCHEMA} is missing: install it with `{INSTALL}`"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # Every definition carries its own $id (http://asyncapi.com/definitions/3.0.0/...), and
    # the document's $refs name those ids: register each, so no reference is ever fetched.
    resources = [
        (definition["$id"], Resource.from_contents(definition, default_specification=DRAFT7))
        for definition in schema["definitions"].values()
        if isinstance(definition, dict) and "$id" in definition
    ]
    registry = Registry().with_resources(resources)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, registry=registry)


def _asyncapi(spec: Path, tmp_path: Path, name: str = "asyncapi.json") -> Any:
    out = tmp_path / name
    result = export("asyncapi", spec, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith((".yaml", ".yml")) else json.loads(text)


def test_the_example_contract_is_valid_asyncapi_3(
    validator: Draft7Validator, tmp_path: Path
) -> None:
    document = _asyncapi(CHAT, tmp_path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert document["asyncapi"] == "3.0.0"


def test_the_validator_rejects_a_broken_document(
    validator: Draft7Validator, tmp_path: Path
) -> None:
    document = _asyncapi(CHAT, tmp_path)
    document["operations"]["connectRealtime.send"]["action"] = "publish"  # AsyncAPI 2 wording
    assert not validator.is_valid(document)
    del document["operations"]
    document["channels"]["connectRealtime"]["bindings"]["ws"]["method"] = "PUT"
    assert not validator.is_valid(document)


def test_channels_operations_messages_and_correlation(tmp_path: Path) -> None:
    document = _asyncapi(CHAT, tmp_path)
    channel = document["channels"]["connectRealtime"]
    assert channel["address"] == "/v1/realtime"
    ws = channel["bindings"]["ws"]
    assert ws["method"] == "GET" and ws["query"]["required"] == ["model"]
    assert "Sec-WebSocket-Protocol" in ws["headers"]["properties"]
    assert channel["x-subprotocols"] == ["chat.v1"]
    assert channel["x-close-codes"]["1009"] == "message_too_big"
    receive, send = (
        document["operations"]["connectRealtime.receive"],
        document["operations"]["connectRealtime.send"],
    )
    assert receive["action"] == "receive" and len(receive["messages"]) == 3
    assert send["action"] == "send" and len(send["messages"]) == 5
    messages = document["components"]["messages"]
    create = messages["connectRealtime.client.response.create"]
    assert create["name"] == "response.create"
    assert create["payload"] == {"$ref": "#/components/schemas/ResponseCreateMessage"}
    assert create["correlationId"] == {"$ref": "#/components/correlationIds/connectRealtime"}
    correlation = document["components"]["correlationIds"]["connectRealtime"]
    assert correlation["location"] == "$message.payload#/request_id"
    schemas = document["components"]["schemas"]
    assert {"StreamError", "RequestId", "ChatMessage"} <= set(schemas)
    for message in messages.values():
        ref = message["payload"]["$ref"]
        assert ref.removeprefix("#/components/schemas/") in schemas
    assert document["servers"]["api_example_com"] == {"host": "api.example.com", "protocol": "wss"}


def test_message_examples_validate_against_their_payload(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    document = _asyncapi(CHAT, tmp_path)
    components = {"components": {"schemas": document["components"]["schemas"]}}
    for message in document["components"]["messages"].values():
        schema = {**message["payload"], **components}
        for example in message["examples"]:
            Draft202012Validator(schema).validate(example["payload"])


def test_yaml_output_is_the_same_document_and_runs_are_deterministic(tmp_path: Path) -> None:
    as_json = _asyncapi(CHAT, tmp_path)
    as_yaml = _asyncapi(CHAT, tmp_path, "asyncapi.yaml")
    assert as_yaml == as_json
    first = (tmp_path / "asyncapi.yaml").read_bytes()
    assert export("asyncapi", CHAT, "-o", tmp_path / "asyncapi.yaml", "--check").exit_code == 0
    assert _asyncapi(CHAT, tmp_path, "asyncapi.yaml") is not None
    assert (tmp_path / "asyncapi.yaml").read_bytes() == first
    stdout = export("asyncapi", CHAT)
    assert stdout.exit_code == 0 and json.loads(stdout.stdout) == as_json
    assert _asyncapi(LEGACY, tmp_path, "legacy.json")["channels"] == as_json["channels"]


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    assert export("asyncapi", CHAT, "-o", out, "--check").exit_code == 1
    out.write_text("{}\n")
    assert export("asyncapi", CHAT, "-o", out, "--check").exit_code == 1
    assert out.read_text() == "{}\n"


def test_no_websocket_is_export001(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (ROOT / "specs" / "chat-service.yaml").read_text()
    spec.write_text(text.replace("x-contract-websocket:", "x-not-a-websocket:"))
    result = export("asyncapi", spec, "-o", tmp_path / "out.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{spec}: EXPORT001 no WebSocket endpoint")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


def test_an_unwritable_output_is_usage004(tmp_path: Path) -> None:
    result = export("asyncapi", CHAT, "-o", tmp_path / "missing" / "out.json")
    assert result.exit_code == 2 and " USAGE004 " in result.stderr
    folder = tmp_path / "folder"
    folder.mkdir()
    assert export("asyncapi", CHAT, "-o", folder).exit_code == 2


def test_index_json_and_asyncapi_agree_on_message_types(tmp_path: Path) -> None:
    export("events", CHAT, "-o", tmp_path / "events")
    index = read_json(tmp_path / "events" / "index.json")["operations"]["connectRealtime"]
    document = _asyncapi(CHAT, tmp_path)
    names = {m["name"] for m in document["components"]["messages"].values()}
    assert names == set(index["websocket"]["client"]) | set(index["websocket"]["server"])
