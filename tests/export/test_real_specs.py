"""Real specs from ../shared/corpus: every streaming operation's events export and are valid
2020-12 schemas, and the real example events the spec carries validate against them.

OpenAI documents each stream event's example as JSON text in its schema's `x-oaiMeta.example`;
those are the real events checked here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contractgen.load.document import load_document
from contractgen.model.build import build_contract
from tests.conftest import CORPUS
from tests.export._helpers import export, read_json, refs

OPENAI = CORPUS / "openai-openapi.yaml"
MISTRAL = CORPUS / "mistral-openapi.yaml"

pytestmark = pytest.mark.skipif(not OPENAI.is_file(), reason="../shared/corpus is not present")


@pytest.fixture(scope="module")
def openai(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("openai") / "events"
    result = export("events", OPENAI, "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_every_streaming_operation_of_openai_exports_every_event(openai: Path) -> None:
    contract = build_contract(load_document(OPENAI))
    index = read_json(openai / "index.json")["operations"]
    streaming = {op.operation_id: op for op in contract.operations if op.streams}
    assert len(streaming) >= 7
    assert set(index) == set(streaming)
    for op_id, op in streaming.items():
        exported = index[op_id]["streams"][0]["events"]
        assert list(exported) == list(op.streams[0].event_names)
        for name in exported.values():
            assert (openai / name).is_file()


def test_every_openai_event_file_is_a_valid_self_contained_schema(openai: Path) -> None:
    files = sorted(openai.glob("*.schema.json"))
    assert len(files) > 100
    for path in files:
        schema = read_json(path)
        Draft202012Validator.check_schema(schema)
        defs = schema.get("$defs", {})
        for ref in refs(schema):
            assert ref == "#" or ref.removeprefix("#/$defs/") in defs, (path.name, ref)


def _oai_examples(schema: dict[str, Any]) -> list[Any]:
    text = schema.get("x-oaiMeta", {}).get("example")
    if not isinstance(text, str):
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return []  # a few are prose or truncated JSON, not an event


def test_real_openai_example_events_get_the_verdict_of_the_source_schema(openai: Path) -> None:
    """Each real example is accepted by its exported file exactly when OpenAI's own schema
    (read in place, in the whole document, by the same validator) accepts it.

    Most examples are valid. Some of OpenAI's examples disagree with OpenAI's schemas (older
    examples missing fields added since, a date written where a Unix time is required); those
    must be rejected by the export too, with the same errors, or it would be looser.
    """
    document = load_document(OPENAI)
    contract = build_contract(document)
    index = read_json(openai / "index.json")["operations"]
    source = Registry().with_resource(
        "urn:openai", Resource.from_contents(document.data, default_specification=DRAFT202012)
    )
    checked, valid = 0, 0
    for op, stream in contract.streams:
        files = index[op.operation_id]["streams"][0]["events"]
        for event in stream.events:
            if event.payload is None or event.payload.ref is None:
                continue
            exported = Draft202012Validator(read_json(openai / files[event.name]))
            original = Draft202012Validator(
                {"$ref": "urn:openai" + event.payload.ref}, registry=source
            )
            for example in _oai_examples(event.payload.value):
                checked += 1
                ours = sorted(error.message for error in exported.iter_errors(example))
                theirs = sorted(error.message for error in original.iter_errors(example))
                assert ours == theirs, files[event.name]
                valid += not ours
                assert not exported.is_valid({**example, "type": "not.this.event"})
    assert checked >= 100
    assert valid >= 80  # 87 of the 113 in the corpus copy


def test_mistral_events_export_and_are_valid(tmp_path: Path) -> None:
    out = tmp_path / "events"
    result = export("events", MISTRAL, "-o", out)
    assert result.exit_code == 0, result.stderr
    files = sorted(out.glob("*.schema.json"))
    assert len(files) > 20
    for path in files:
        Draft202012Validator.check_schema(read_json(path))
