"""`contractgen export events`: one self-contained 2020-12 schema per event, and index.json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.export._helpers import CHAT, LEGACY, export, read_json, refs, tree

SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.schema\.json$")
CHAT_FILES = {
    "createChatCompletion.status.schema.json",
    "createChatCompletion.delta.schema.json",
    "createChatCompletion.done.schema.json",
    "createChatCompletion.error.schema.json",
    "connectRealtime.client.session.update.schema.json",
    "connectRealtime.client.response.create.schema.json",
    "connectRealtime.client.response.cancel.schema.json",
    "connectRealtime.server.session.created.schema.json",
    "connectRealtime.server.session.updated.schema.json",
    "connectRealtime.server.response.delta.schema.json",
    "connectRealtime.server.response.done.schema.json",
    "connectRealtime.server.error.schema.json",
    "index.json",
}


def _schemas(out: Path) -> dict[str, Any]:
    return {path.name: read_json(path) for path in sorted(out.glob("*.schema.json"))}


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("events") / "events"
    result = export("events", CHAT, "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_one_file_per_event_and_message_type_and_an_index(chat: Path) -> None:
    assert {p.name for p in chat.iterdir() if p.is_file()} == CHAT_FILES
    index = read_json(chat / "index.json")
    assert index["version"] == 1 and index["source"] == "chat-service.yaml"
    stream = index["operations"]["createChatCompletion"]["streams"][0]
    assert stream["mediaType"] == "text/event-stream" and stream["terminal"] == ["done", "error"]
    assert stream["events"]["delta"] == "createChatCompletion.delta.schema.json"
    ws = index["operations"]["connectRealtime"]["websocket"]
    assert ws["correlation"] == "/request_id"
    assert ws["client"]["response.create"] == "connectRealtime.client.response.create.schema.json"
    listed = {name for entry in index["operations"].values() for name in _listed(entry)}
    assert listed == CHAT_FILES - {"index.json"}


def _listed(entry: dict[str, Any]) -> list[str]:
    names = [name for stream in entry.get("streams", []) for name in stream["events"].values()]
    ws = entry.get("websocket", {})
    return names + [name for side in ("client", "server") for name in ws.get(side, {}).values()]


def test_every_file_is_a_self_contained_2020_12_schema(chat: Path) -> None:
    for name, schema in _schemas(chat).items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        for ref in refs(schema):
            assert ref == "#" or ref.removeprefix("#/$defs/") in schema["$defs"], (name, ref)


def test_the_payload_is_the_decoded_data_and_the_frame_is_annotated(chat: Path) -> None:
    delta = read_json(chat / "createChatCompletion.delta.schema.json")
    assert delta["title"] == "StreamDelta" and delta["required"] == ["index", "content"]
    assert delta["examples"] == [{"index": 0, "role": "assistant", "content": "Hello"}]
    frame = delta["x-sse-frame"]
    assert frame["required"] == ["event", "data", "id"]
    assert frame["properties"]["event"] == {"const": "delta"}
    assert frame["properties"]["data"]["contentSchema"] == {"$ref": "#"}
    assert delta["x-contract-event"] == {
        "operationId": "createChatCompletion",
        "method": "POST",
        "path": "/v1/chat/completions",
        "mediaType": "text/event-stream",
        "event": "delta",
        "discriminator": "event",
        "terminal": False,
        "errorEvent": False,
        "data": "json",
    }
    done = read_json(chat / "createChatCompletion.done.schema.json")
    assert set(done["$defs"]) == {"FinishReason", "Usage"}
    assert done["x-contract-event"]["terminal"] is True
    message = read_json(chat / "connectRealtime.server.error.schema.json")
    assert "x-sse-frame" not in message
    assert message["x-contract-event"]["direction"] == "server"
    assert message["x-contract-event"]["errorMessage"] is True


def test_a_second_run_changes_no_byte(chat: Path, tmp_path: Path) -> None:
    before = tree(chat)
    again = export("events", CHAT, "-o", chat)
    assert again.exit_code == 0, again.stderr
    assert "0 written, 13 unchanged" in again.stderr
    assert tree(chat) == before
    elsewhere = tmp_path / "other"
    assert export("events", CHAT, "-o", elsewhere).exit_code == 0
    assert tree(elsewhere) == before
    assert export("events", CHAT, "-o", chat, "--check").exit_code == 0


def test_check_reports_stale_and_a_stale_file_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "events"
    assert export("events", CHAT, "--check", "-o", out).exit_code == 1
    assert not out.exists()
    assert export("events", CHAT, "-o", out).exit_code == 0
    spec = tmp_path / "spec.yaml"
    spec.write_text(CHAT.read_text().replace("const: delta", "const: chunk"))
    result = export("events", spec, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "createChatCompletion.chunk.schema.json").is_file()
    assert not (out / "createChatCompletion.delta.schema.json").exists()


def test_an_edited_file_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "events"
    assert export("events", CHAT, "-o", out).exit_code == 0
    edited = out / "createChatCompletion.done.schema.json"
    edited.write_text("{}\n")
    kept = export("events", CHAT, "-o", out)
    assert kept.exit_code == 1 and "kept createChatCompletion.done.schema.json" in kept.stderr
    assert edited.read_text() == "{}\n"
    assert export("events", CHAT, "-o", out, "--force").exit_code == 0
    assert edited.read_text() != "{}\n"


def test_the_legacy_forms_export_the_same_events(tmp_path: Path, chat: Path) -> None:
    out = tmp_path / "legacy"
    assert export("events", LEGACY, "-o", out).exit_code == 0
    assert {p.name for p in out.glob("*.json")} == CHAT_FILES
    for name in (
        "createChatCompletion.delta.schema.json",
        "createChatCompletion.error.schema.json",
    ):
        legacy, native = read_json(out / name), read_json(chat / name)
        assert legacy["properties"] == native["properties"]


# --- the OpenAPI 3.0 dialect, bundling ----------------------------------------------------------

SPEC_30 = """\
openapi: 3.0.3
info: {title: Dialect, version: '1'}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: ok
          content:
            application/x-ndjson:
              schema:
                oneOf:
                  - $ref: '#/components/schemas/Item'
                  - $ref: 'common.yaml#/Done'
              x-contract-stream: {discriminator: 'data#/kind', terminal: [done]}
components:
  schemas:
    Item:
      type: object
      required: [kind, price]
      properties:
        kind: {type: string, enum: [item]}
        price: {type: number, minimum: 0, exclusiveMinimum: true, example: 9.5}
        note: {type: string, nullable: true, x-internal: true}
        colour: {type: string, enum: [red, blue], nullable: true}
        parent: {$ref: '#/components/schemas/Item', description: ignored in 3.0}
        tags:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Tags'}]
      discriminator: {propertyName: kind}
    Tags: {type: array, items: {type: string}, maxItems: 3, exclusiveMaximum: false}
"""
COMMON = """\
Done:
  type: object
  required: [kind]
  properties:
    kind: {type: string, enum: [done]}
    total: {$ref: '#/Count'}
Count: {type: integer, minimum: 0}
"""


def test_the_3_0_dialect_becomes_2020_12_and_other_files_are_bundled(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC_30)
    (tmp_path / "common.yaml").write_text(COMMON)
    out = tmp_path / "out"
    result = export("events", tmp_path / "spec.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    item = read_json(out / "listItems.item.schema.json")
    props = item["properties"]
    assert props["price"] == {"type": "number", "exclusiveMinimum": 0, "examples": [9.5]}
    assert props["note"] == {"type": ["string", "null"]}
    assert props["colour"] == {"type": ["string", "null"], "enum": ["red", "blue", None]}
    assert props["parent"] == {"$ref": "#/$defs/Item"}  # 3.0 ignores a reference's siblings
    assert props["tags"] == {"anyOf": [{"allOf": [{"$ref": "#/$defs/Tags"}]}, {"type": "null"}]}
    assert "discriminator" not in item
    assert item["$defs"]["Tags"] == {"type": "array", "items": {"type": "string"}, "maxItems": 3}
    assert set(item["$defs"]) == {"Item", "Tags"}  # recursive: the root is also a definition
    validator = Draft202012Validator(item)
    valid = {"kind": "item", "price": 1, "note": None, "colour": None, "tags": None}
    validator.validate({**valid, "parent": {"kind": "item", "price": 2}})
    assert not validator.is_valid({**valid, "price": 0})
    assert not validator.is_valid({**valid, "parent": {"kind": "item", "price": 0}})
    done = read_json(out / "listItems.done.schema.json")
    assert done["properties"]["total"] == {"$ref": "#/$defs/common.Count"}
    assert done["$defs"] == {"common.Count": {"type": "integer", "minimum": 0}}
    assert done["x-contract-event"]["terminal"] is True
    assert "x-sse-frame" not in done  # JSON Lines: the line is the payload


# --- hostile names ----------------------------------------------------------------------------

HOSTILE = """\
openapi: 3.1.0
info: {title: Hostile, version: '1'}
paths:
"""
OPERATION = """\
  /p{n}:
    get:
      operationId: {op}
      responses:
        '200':
          description: ok
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - properties:
                      event: {{const: {event}}}
                      data: {{contentMediaType: application/json, contentSchema: {{type: object}}}}
                  - properties:
                      event: {{const: ok}}
                      data: {{contentMediaType: application/json, contentSchema: {{type: object}}}}
"""
HOSTILE_NAMES = [
    ("'../../../outside'", "'../escape'"),
    ("'/etc/passwd'", "'a/b\\\\c'"),
    ('"nul\\0byte"', "'..'"),
    ("CON", "'.hidden'"),
    ("Case", "x"),
    ("case", "x"),
    ("'" + "long" * 100 + "'", "'\u202eevil\u00e9'"),
    ("''", "''"),
]


def test_hostile_names_cannot_write_outside_the_folder(tmp_path: Path) -> None:
    spec = tmp_path / "nested" / "spec.yaml"
    spec.parent.mkdir()
    operations = "".join(
        OPERATION.format(n=n, op=op, event=event) for n, (op, event) in enumerate(HOSTILE_NAMES)
    )
    spec.write_text(HOSTILE + operations)
    out = tmp_path / "nested" / "out"
    result = export("events", spec, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nested"]
    assert sorted(p.name for p in spec.parent.iterdir()) == ["out", "spec.yaml"]
    written = [p for p in out.rglob("*") if p.is_file() and ".contractgen" not in p.parts]
    assert all(p.parent == out for p in written)
    names = [p.name for p in written if p.name != "index.json"]
    assert len(names) == 2 * len(HOSTILE_NAMES)
    assert all(SAFE_NAME.match(name) and len(name) < 200 for name in names), names
    assert len({name.casefold() for name in names}) == len(names)
    assert not any(name.casefold().startswith("con.") for name in names)
    index = read_json(out / "index.json")
    assert len(index["operations"]) == len(HOSTILE_NAMES)
    decoded = _decoded()
    for n, (key, entry) in enumerate(index["operations"].items()):
        op, event = decoded[n]
        assert key == (op or f"GET /p{n}")
        files = entry["streams"][0]["events"]
        assert set(files) == {event, "ok"}
        for name in files.values():
            assert read_json(out / name)["x-contract-event"]["operationId"] == key


def _decoded() -> list[tuple[str, str]]:
    """The hostile names as the YAML above spells them, decoded."""
    import yaml

    return [(yaml.safe_load(op) or "", yaml.safe_load(event) or "") for op, event in HOSTILE_NAMES]


# --- bad input: one line, exit 2 ---------------------------------------------------------------

DANGLING = """\
openapi: 3.1.0
info: {title: Dangling, version: '1'}
paths:
  /s:
    get:
      operationId: s
      responses:
        '200':
          description: ok
          content:
            application/jsonl:
              itemSchema:
                type: object
                properties:
                  x: {$ref: '#/components/schemas/Missing'}
"""
NO_STREAMS = """\
openapi: 3.1.0
info: {title: Plain, version: '1'}
paths:
  /a:
    get:
      responses: {'200': {description: ok}}
"""
STREAM = """\
    get:
      operationId: s
      responses:
        '200':
          description: ok
          content:
            application/jsonl: {itemSchema: {type: object}}
"""
DUPLICATE = NO_STREAMS.split("  /a:")[0] + "  /s:\n" + STREAM + "  /t:\n" + STREAM


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        (DANGLING, "EXPORT002", ":15:19: "),
        (NO_STREAMS, "EXPORT001", ": "),
        (DUPLICATE, "EXPORT004", ":14:7: "),
        ("openapi: 3.1.0\ninfo: [", "LOAD006", ":"),
    ],
    ids=["dangling-ref", "nothing-to-export", "duplicate-operation-id", "bad-yaml"],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, text: str, code: str, position: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    for command in (["events", spec, "-o", tmp_path / "out"], ["asyncapi", spec]):
        result = export(*command)
        if command[0] == "asyncapi" and code in ("EXPORT002", "EXPORT004"):
            code_here = "EXPORT001"  # no WebSocket: asyncapi stops before any schema
        else:
            code_here = code
        assert result.exit_code == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert lines[0].startswith(str(spec)), lines
        assert f" {code_here} " in lines[0], lines
        if code_here == code:
            assert lines[0].startswith(f"{spec}{position}") and code in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    result = export("events", CHAT, "-o", blocker)
    assert result.exit_code == 2 and " USAGE004 " in result.stderr
    assert blocker.read_text() == "not a folder"


def test_a_missing_spec_is_load001(tmp_path: Path) -> None:
    result = export("events", tmp_path / "nope.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 2 and " LOAD001 " in result.stderr
