"""Stream rules (STR001-STR011) on the cases fixtures do not show: sharing, legacy forms, refs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.report.finding import Finding, Level
from tests.conftest import CORPUS, validate_path

WriteSpec = Callable[[str, str], Path]

HEAD = """\
openapi: 3.2.0
info: {title: t, version: 1.0.0}
x-contract-limits:
  stream: {maxDurationSeconds: 600, idleTimeoutSeconds: 30}
"""


def findings(write_spec: WriteSpec, text: str, rule_id: str) -> list[Finding]:
    path = write_spec(HEAD + text, "openapi.yaml")
    return [f for f in validate_path(path) if f.rule_id == rule_id]


def test_shared_media_type_is_one_finding_naming_every_operation(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content: {text/event-stream: {$ref: '#/components/mediaTypes/Events'}}
  /b:
    post:
      responses:
        "200":
          description: ok
          content: {text/event-stream: {$ref: '#/components/mediaTypes/Events'}}
components:
  mediaTypes:
    Events:
      itemSchema: {type: object, properties: {data: {type: string}}}
"""
    [finding] = findings(write_spec, text, "STR004")
    assert finding.location.pointer == "/components/mediaTypes/Events"
    assert finding.message.startswith("POST /a, POST /b: ")


def test_frame_union_without_top_level_properties_is_read_as_frames(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - properties: {event: {const: delta}, data: {type: string}}
                  - properties: {event: {const: done}, data: {type: string}}
              x-contract-stream: {discriminator: event, terminal: [done, finished]}
"""
    assert findings(write_spec, text, "STR002") == []
    [finding] = findings(write_spec, text, "STR005")
    assert "'finished'" in finding.message and "delta, done" in finding.message


def test_unknown_events_are_not_checked_against_terminal(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema: {type: object, properties: {data: {type: string}}}
              x-contract-stream: {terminal: [done]}
"""
    assert findings(write_spec, text, "STR005") == []


def test_legacy_schema_frame_with_inline_json_data(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              schema:
                type: object
                properties:
                  event: {type: string}
                  data: {$ref: '#/components/schemas/Chunk'}
              x-contract-stream: {terminal: [message]}
components:
  schemas:
    Chunk: {type: object, properties: {text: {type: string}}}
"""
    [finding] = findings(write_spec, text, "STR008")
    assert finding.location.pointer.endswith("/schema/properties/data")
    assert "contentSchema" in finding.message and "inline JSON" in finding.message


def test_payload_written_as_sse_item_schema(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema: {$ref: '#/components/schemas/Chunk'}
              x-contract-stream: {terminal: [message]}
components:
  schemas:
    Chunk: {type: object, properties: {text: {type: string}}}
"""
    [finding] = findings(write_spec, text, "STR008")
    assert finding.location.pointer.endswith("/itemSchema")
    assert "frame" in finding.message


def test_plain_text_data_is_fine(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema: {type: object, properties: {event: {const: line}, data: {type: string}}}
              x-contract-stream: {terminal: [line]}
"""
    assert findings(write_spec, text, "STR008") == []


@pytest.mark.parametrize(
    ("vendor", "kind", "reported"),
    [
        ("x-fern-streaming: {stream-condition: $request.stream}", "boolean", False),
        ("x-fern-streaming: {stream-condition: $request.stream}", "integer", True),
        ("x-speakeasy-stream-request-field: stream", "boolean", False),
    ],
)
def test_vendor_stream_flags_are_checked(
    write_spec: WriteSpec, vendor: str, kind: str, reported: bool
) -> None:
    text = f"""
paths:
  /a:
    post:
      {vendor}
      requestBody:
        content:
          application/json:
            schema: {{type: object, properties: {{stream: {{type: {kind}}}}}}}
      responses:
        "200":
          description: ok
          content:
            application/jsonl:
              itemSchema: {{type: object}}
              x-contract-stream: {{terminal: [item]}}
"""
    found = findings(write_spec, text, "STR009")
    assert bool(found) == reported
    if reported:
        assert found[0].location.pointer == "/paths/~1a/post/x-fern-streaming/stream-condition"


def test_heartbeat_from_defaults_against_operation_idle_timeout(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      x-contract-limits:
        stream: {idleTimeoutSeconds: 10, heartbeatSeconds: 10}
      responses:
        "200":
          description: ok
          content:
            application/jsonl:
              itemSchema: {type: object}
              x-contract-stream: {terminal: [item]}
"""
    [finding] = findings(write_spec, text, "STR010")
    assert finding.location.pointer == "/paths/~1a/post/x-contract-limits/stream/heartbeatSeconds"
    assert [r.pointer for r in finding.related] == [
        "/paths/~1a/post/x-contract-limits/stream/idleTimeoutSeconds"
    ]


def test_error_event_without_json_payload(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - properties: {event: {const: done}, data: {type: string}}
                  - properties: {event: {const: error}, data: {type: string}}
              x-contract-stream: {discriminator: event, terminal: [done, error], errorEvent: error}
"""
    [finding] = findings(write_spec, text, "STR006")
    assert "no JSON payload schema" in finding.message


def _corpus_counts(name: str) -> Counter[str]:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} not available")
    return Counter(f.rule_id for f in validate_path(path) if f.rule_id.startswith("STR"))


def test_openai_streams_lack_terminal_events_and_limits_once_for_the_document() -> None:
    """And four operations (completions, runs) take `stream: true` but document no stream."""
    counts = _corpus_counts("openai-openapi.yaml")
    assert counts == {"STR004": 1, "STR011": 1, "STR012": 4}


def test_mistral_streams_get_inline_json_warnings_once_per_schema() -> None:
    """`/v1/conversations` pins `stream` to false (its stream is `#stream`); agents do not."""
    counts = _corpus_counts("mistral-openapi.yaml")
    assert counts == {"STR004": 1, "STR008": 6, "STR011": 1, "STR012": 1}


def test_frame_with_data_union_discriminated_by_data_pointer(write_spec: WriteSpec) -> None:
    text = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema:
                type: object
                properties:
                  data:
                    type: string
                    contentMediaType: application/json
                    contentSchema:
                      oneOf:
                        - {type: object, properties: {type: {const: delta}}}
                        - {type: object, properties: {type: {const: done}}}
              x-contract-stream: {discriminator: 'data#/type', terminal: [done, end]}
"""
    assert findings(write_spec, text, "STR002") == []
    [finding] = findings(write_spec, text, "STR005")
    assert "'end'" in finding.message and "delta, done" in finding.message


FRAMES_BY_DATA = """
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - properties:
                      data:
                        type: string
                        contentMediaType: application/json
                        contentSchema: {properties: {type: {const: delta}}}
                  - properties:
                      data:
                        type: string
                        contentMediaType: application/json
                        contentSchema: {properties: {type: {const: done}}}
                  - properties:
                      data:
                        type: string
                        contentMediaType: application/json
                        contentSchema: {properties: {type: {%s}}, required: [code]}
              x-contract-stream:
                discriminator: 'data#/type'
                terminal: [done, error, finished]
                errorEvent: error
"""


def test_frame_union_discriminated_by_data_type(write_spec: WriteSpec) -> None:
    """Frames told apart by their JSON data's `type`: events known, terminals checked."""
    text = FRAMES_BY_DATA % "const: error"
    assert findings(write_spec, text, "STR002") == []
    [finding] = findings(write_spec, text, "STR005")
    assert "'finished'" in finding.message and "delta, done, error" in finding.message
    assert finding.location.pointer.endswith("/x-contract-stream/terminal/2")
    [error] = findings(write_spec, text, "STR006")
    assert "error event 'error' lacks property code" in error.message
    assert error.location.pointer.endswith("/oneOf/2/properties/data/contentSchema/properties")
    assert [r.pointer for r in error.related] == [
        "/paths/~1a/post/responses/200/content/text~1event-stream",
        "/paths/~1a/post/responses/200/content/text~1event-stream/x-contract-stream/errorEvent",
    ]


def test_frame_union_with_a_frame_whose_data_pins_no_type(write_spec: WriteSpec) -> None:
    text = FRAMES_BY_DATA % "type: string"
    [finding] = findings(write_spec, text, "STR002")
    assert finding.location.pointer.endswith("/itemSchema/oneOf")
    assert findings(write_spec, text, "STR005") == []  # the events are not all known


@pytest.mark.parametrize(
    "sentinel",
    [
        "x-contract-stream: {sentinel: '[DONE]'}",
        "x-speakeasy-sse-sentinel: '[DONE]'",
        "itemSchema: {oneOf: [{properties: {event: {const: delta}, data: {type: string}}}, "
        "{properties: {data: {const: '[DONE]'}}}]}",
    ],
    ids=["declared", "vendor", "union-branch"],
)
def test_a_stream_ending_with_a_sentinel_lacks_only_a_typed_terminal_event(
    write_spec: WriteSpec, sentinel: str
) -> None:
    text = f"""
paths:
  /a:
    post:
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              {sentinel}
"""
    [finding] = findings(write_spec, text, "STR004")
    assert finding.level is Level.WARNING
    assert "ends with the sentinel '[DONE]'" in finding.message
    assert "typed terminal event" in finding.message


LEGACY_FORMS = """
paths:
  /a:
    post:
      x-speakeasy-stream-request-field: stream
      requestBody:
        content: {application/json: {schema: {properties: {stream: {type: boolean}}}}}
      responses:
        "200":
          description: ok
          content:
            text/event-stream:
              schema: {type: object}
              x-sse-sentinel: '[DONE]'
            application/jsonl:
              x-oai-itemSchema: {type: object}
"""


@pytest.mark.parametrize(
    ("version", "item_level"), [("3.0.3", Level.INFO), ("3.1.0", Level.INFO), ("3.2.0", None)]
)
def test_item_schema_forms_are_accepted_where_itemschema_does_not_exist(
    write_spec: WriteSpec, version: str, item_level: Level | None
) -> None:
    text = f"openapi: {version}\ninfo: {{title: t, version: '1'}}\n" + LEGACY_FORMS
    found = [f for f in validate_path(write_spec(text)) if f.rule_id == "LEG001"]
    levels = {f.location.pointer.rsplit("/", 1)[-1]: f.level for f in found}
    assert levels == {
        "x-speakeasy-stream-request-field": Level.WARNING,
        "x-sse-sentinel": Level.WARNING,
        "schema": item_level or Level.WARNING,
        "x-oai-itemSchema": item_level or Level.WARNING,
    }
    item_form = next(f for f in found if f.location.pointer.endswith("/schema"))
    if item_level is Level.INFO:
        assert "move the document to 3.2" in item_form.message
        assert "write the native" not in item_form.message
    else:
        assert "write the native `itemSchema` instead" in item_form.message
