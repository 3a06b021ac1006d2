"""The OpenAI spec from the corpus, served: every JSON operation answers a schema-valid body
and every stream streams events valid against its item schema. Also: the generator builds
valid data for every component schema of the corpus' big specs."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from contractgen.model.contract import Operation, is_json_media_type
from contractgen.model.generate import generate
from contractgen.model.service import served_stream
from tests.mock._helpers import Schemas, serve, sse_frames

CORPUS = Path("/work/shared/corpus")
OPENAI = CORPUS / "openai-openapi.yaml"
AUTH = {"Authorization": "Bearer sk-test"}

pytestmark = pytest.mark.skipif(not OPENAI.is_file(), reason="the corpus is not on this machine")


@pytest.fixture(scope="module")
def openai() -> Schemas:
    return Schemas(str(OPENAI))


@pytest.fixture(scope="module")
def base() -> str:
    with serve(str(OPENAI)) as url:
        yield url


def _value(schemas: Schemas, schema: Any, seed: str) -> Any:
    root = schemas.root(schema)
    generated = generate(root, random.Random(seed))
    assert generated.valid
    return generated.value


def _request(schemas: Schemas, op: Operation) -> dict[str, Any]:
    path, params, headers = op.path, {}, dict(AUTH)
    for parameter in op.parameters:
        if parameter.schema is None or not (parameter.required or parameter.where == "path"):
            continue
        value = _value(schemas, parameter.schema, parameter.name)
        text = json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
        text = text.lower() if isinstance(value, bool) else text
        if parameter.where == "path":
            path = path.replace("{" + parameter.name + "}", text or "x")
        elif parameter.where == "query":
            params[parameter.name] = text
        elif parameter.where == "header":
            headers[parameter.name] = text
    request: dict[str, Any] = {"method": op.method.upper(), "url": path, "params": params}
    body = op.request_body
    schema = body.json_schema() if body is not None else None
    if schema is not None:
        request["json"] = _value(schemas, schema, op.key)
    request["headers"] = headers
    return request


def _json_operations(schemas: Schemas) -> list[Operation]:
    found = []
    for op in schemas.contract.operations:
        if "?" in op.path or op.websocket is not None:
            continue  # `/responses?beta=true` is no path a request can take
        body = op.request_body
        if body is not None and body.json_schema() is None and body.required:
            continue  # multipart uploads: not decoded by the mock
        if any(
            is_json_media_type(m) for r in op.responses.values() if r.is_success for m in r.content
        ):
            found.append(op)
    return found


def test_every_json_operation_answers_a_schema_valid_body(base: str, openai: Schemas) -> None:
    operations = _json_operations(openai)
    assert len(operations) > 150
    with httpx.Client(base_url=base, timeout=30) as client:
        for op in operations:
            request = _request(openai, op)
            if isinstance(request.get("json"), dict):
                request["json"].pop("stream", None)
            response = client.request(**request)
            assert response.status_code < 300, (op.key, response.text[:500])
            status = str(response.status_code)
            media = next((m for m in op.responses[status].content if is_json_media_type(m)), None)
            assert media is not None, op.key
            schema = op.responses[status].content[media].schema
            assert schema is not None
            try:
                jsonschema.Draft202012Validator(openai.root(schema)).validate(response.json())
            except jsonschema.ValidationError as error:
                pytest.fail(f"{op.key}: {error.message[:300]}")


def test_every_stream_streams_events_valid_against_its_schema(base: str, openai: Schemas) -> None:
    streamed = [
        op
        for op in openai.contract.operations
        if op.streams
        and "?" not in op.path
        and (op.request_body is None or op.request_body.json_schema())
    ]
    assert len(streamed) >= 5
    with httpx.Client(base_url=base, timeout=30) as client:
        for op in streamed:
            stream = served_stream(op)
            assert stream is not None and stream.item_schema is not None
            item = jsonschema.Draft202012Validator(openai.root(stream.item_schema))
            request = _request(openai, op)
            body = op.request_body.json_schema() if op.request_body else None
            if isinstance(request.get("json"), dict) and body and "stream" in body.properties:
                request["json"]["stream"] = True
            request["headers"]["Accept"] = "text/event-stream"
            with client.stream(**request) as response:
                assert response.status_code == 200, (op.key, response.read()[:300])
                frames = list(sse_frames(response))
            assert len(frames) >= 2, op.key
            names = []
            for frame in frames:
                payload = frame.json()
                item.validate(payload)
                names.append(
                    payload.get("type", frame.event) if isinstance(payload, dict) else None
                )
            assert names[-1] != names[0] or len(set(names)) == 1, (op.key, names)


@pytest.mark.parametrize(
    "name",
    [
        "openai-openapi.yaml",
        "mistral-openapi.yaml",
        pytest.param("github-api.github.com.json", marks=pytest.mark.slow),  # 20 s
    ],
)
def test_the_generator_builds_valid_data_for_every_component_schema(name: str) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    schemas = Schemas(str(path))
    invalid = []
    for component, schema in schemas.contract.schemas.items():
        root = schemas.root(schema)
        value = generate(root, random.Random(component)).value
        errors = list(jsonschema.Draft202012Validator(root).iter_errors(value))
        if errors:
            invalid.append(f"{component}: {errors[0].message[:120]}")
    assert invalid == []
