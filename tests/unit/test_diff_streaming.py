"""The streaming-side comparators (streams, limits, errors, WebSocket) without the schema one.

`SchemaDiff.compare` is replaced by a recorder and `findings` by an empty list, so the
fixture pairs of DSTR, DLIM, DERR and DWS rules run on their own, and the tests can assert
which schema comparisons the comparators ask for (they never compare schemas themselves).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from contractgen.diff.compare import errors, limits, streams, websocket
from contractgen.diff.context import DiffContext
from contractgen.diff.schema import Direction, SchemaDiff
from contractgen.load.document import Document, load_document
from contractgen.model.build import build_contract
from contractgen.model.schema import Schema
from contractgen.report.finding import Finding, Level
from tests.conftest import CORPUS, FIXTURES, ROOT
from tests.test_diff_fixtures import _reported

MINE = (streams, limits, errors, websocket)
PREFIXES = ("DSTR", "DLIM", "DERR", "DWS")
CASES = sorted(
    path.parent
    for prefix in PREFIXES
    for path in (FIXTURES / "diff").glob(f"{prefix}[0-9]*/*/expect.yaml")
)
SPECS = ROOT / "specs"
CORPUS_SPECS = sorted(
    p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json") and "2.0" not in p.name
)
WriteSpec = Callable[..., Path]


@dataclass(frozen=True, slots=True)
class Compared:
    old: Schema | None
    new: Schema | None
    direction: Direction
    scope: str
    label: str


@pytest.fixture(autouse=True)
def compared(monkeypatch: pytest.MonkeyPatch) -> list[Compared]:
    """The schema comparisons asked for; the schema comparator itself reports nothing."""
    calls: list[Compared] = []

    def record(
        self: SchemaDiff,
        old: Schema | None,
        new: Schema | None,
        *,
        direction: Direction,
        scope: str,
        label: str,
    ) -> None:
        calls.append(Compared(old, new, direction, scope, label))

    monkeypatch.setattr(SchemaDiff, "compare", record)
    monkeypatch.setattr(SchemaDiff, "findings", lambda self: [])
    return calls


def mine(old: Path, new: Path) -> list[Finding]:
    """What the four streaming-side comparators report, run on their own (not positioned)."""
    return compare(load_document(old), load_document(new))


def compare(old: Document, new: Document) -> list[Finding]:
    old_contract, new_contract = build_contract(old), build_contract(new)
    context = DiffContext(
        old_contract, new_contract, old, new, SchemaDiff(old_contract, new_contract)
    )
    return [finding for module in MINE for finding in module.compare(context)]


def pair(write_spec: WriteSpec, old: str, new: str) -> list[Finding]:
    return mine(write_spec(old, "old.yaml"), write_spec(new, "new.yaml"))


def rules(findings: list[Finding]) -> list[str]:
    return sorted(finding.rule_id for finding in findings)


# --- the fixture pairs ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.parent.name}/{case.name}")
def test_fixture_reports_exactly_what_it_expects(case: Path, compared: list[Compared]) -> None:
    expected = yaml.safe_load((case / "expect.yaml").read_text()) or []
    key = lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"]))  # noqa: E731
    assert _reported(case) == sorted(expected, key=key)


def test_every_rule_of_these_areas_has_a_fixture() -> None:
    from contractgen.diff.registry import diff_catalogue

    ids = {rule for rule in diff_catalogue() if rule.startswith(PREFIXES)}
    assert ids == {case.parent.name for case in CASES}


# --- schema comparisons asked for ----------------------------------------------------------


def test_event_payloads_and_messages_go_to_the_schema_comparator(
    compared: list[Compared],
) -> None:
    spec = SPECS / "chat-service.yaml"
    assert mine(spec, spec) == []
    asked = {(c.label, c.direction, c.scope) for c in compared}
    chat, realtime = "POST /v1/chat/completions", "GET /v1/realtime"
    assert asked == {
        *(
            (f"event {name}", Direction.RESPONSE, chat)
            for name in ("status", "delta", "done", "error")
        ),
        *(
            (f"client message {name}", Direction.REQUEST, realtime)
            for name in ("session.update", "response.create", "response.cancel")
        ),
        *(
            (f"server message {name}", Direction.RESPONSE, realtime)
            for name in (
                "session.created",
                "session.updated",
                "response.delta",
                "response.done",
                "error",
            )
        ),
    }
    delta = next(c for c in compared if c.label == "event delta")
    assert delta.old is not None and delta.old.name == "StreamDelta"
    assert delta.new is not None and delta.new.name == "StreamDelta"


def test_the_legacy_form_of_the_chat_service_changes_nothing(compared: list[Compared]) -> None:
    native, legacy = SPECS / "chat-service.yaml", SPECS / "chat-service-legacy-3.1.yaml"
    assert mine(native, legacy) == []
    assert mine(legacy, native) == []
    assert len(compared) == 2 * 12


STREAM_HEAD = """\
openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /chat:
    post:
      responses:
        '200':
          description: events
          content:
            text/event-stream:
              itemSchema:
                oneOf:
"""


def sse(events: dict[str, str], extension: str = "", components: str = "") -> str:
    """An SSE stream whose events carry the named component payloads."""
    branches = "".join(
        f"                  - properties:\n"
        f"                      event: {{const: {name}}}\n"
        f"                      data:\n"
        f"                        contentMediaType: application/json\n"
        f"                        contentSchema: {{$ref: '#/components/schemas/{payload}'}}\n"
        for name, payload in events.items()
    )
    return (
        STREAM_HEAD
        + branches
        + (f"              x-contract-stream: {extension}\n" if extension else "")
        + "components:\n  schemas:\n"
        + (
            components
            or "    A: {type: object, properties: {text: {type: string}}}\n"
            "    B: {type: object, properties: {count: {type: integer}}}\n"
        )
    )


def test_a_removed_event_is_compared_nowhere(
    write_spec: WriteSpec, compared: list[Compared]
) -> None:
    found = pair(write_spec, sse({"delta": "A", "usage": "B"}), sse({"delta": "A"}))
    assert rules(found) == ["DSTR007"]
    assert [c.label for c in compared] == ["event delta"]


# --- renamed events --------------------------------------------------------------------------


def test_a_rename_to_a_payload_of_another_component_name_with_the_same_shape(
    write_spec: WriteSpec,
) -> None:
    moved = "    Text: {type: object, description: moved, properties: {text: {type: string}}}\n"
    found = pair(
        write_spec,
        sse({"delta": "A"}),
        sse({"chunk": "Text"}, components=moved),
    )
    [renamed] = found
    assert renamed.rule_id == "DSTR008" and renamed.level is Level.BREAKING
    assert "`delta`" in renamed.message and "`chunk`" in renamed.message


def test_a_removal_and_an_addition_of_another_shape_are_not_a_rename(
    write_spec: WriteSpec,
) -> None:
    found = pair(write_spec, sse({"delta": "A"}), sse({"count": "B"}))
    assert rules(found) == ["DSTR007", "DSTR009"]


def test_ambiguous_renames_are_removals_and_additions(write_spec: WriteSpec) -> None:
    same = "    A: {type: object}\n    B: {type: object}\n"
    found = pair(
        write_spec,
        sse({"one": "A", "two": "B"}, components=same),
        sse({"three": "A", "four": "B"}, components=same),
    )
    assert rules(found) == ["DSTR007", "DSTR007", "DSTR009", "DSTR009"]


def test_renaming_a_terminal_event_is_one_finding(write_spec: WriteSpec) -> None:
    found = pair(
        write_spec,
        sse({"delta": "A", "done": "B"}, "{terminal: [done]}"),
        sse({"delta": "A", "finished": "B"}, "{terminal: [finished]}"),
    )
    [renamed] = found
    assert renamed.rule_id == "DSTR008" and "terminal event type `done`" in renamed.message


def test_removing_the_error_event_is_one_finding(write_spec: WriteSpec) -> None:
    found = pair(
        write_spec,
        sse({"delta": "A", "error": "B"}, "{terminal: [error], errorEvent: error}"),
        sse({"delta": "A"}),
    )
    [removed] = found  # not also its terminal role, nor the error event it was
    assert removed.rule_id == "DSTR007" and "terminal event type `error`" in removed.message


def test_a_json_lines_rename_ignores_the_discriminator_it_re_pins(write_spec: WriteSpec) -> None:
    def jsonl(name: str) -> str:
        return f"""\
openapi: 3.2.0
info: {{title: t, version: '1'}}
paths:
  /chat:
    post:
      responses:
        '200':
          description: chunks
          content:
            application/jsonl:
              itemSchema:
                oneOf:
                  - type: object
                    properties: {{type: {{const: {name}}}, text: {{type: string}}}}
                  - {{type: object, properties: {{type: {{const: done}}}}}}
"""

    [renamed] = pair(write_spec, jsonl("delta"), jsonl("chunk"))
    assert renamed.rule_id == "DSTR008"


def test_recursive_payloads_are_shaped_without_looping(write_spec: WriteSpec) -> None:
    tree = (
        "    {name}:\n      type: object\n      properties:\n"
        "        children: {{type: array, items: {{$ref: '#/components/schemas/{name}'}}}}\n"
    )
    found = pair(
        write_spec,
        sse({"node": "Tree"}, components=tree.format(name="Tree")),
        sse({"leaf": "Node"}, components=tree.format(name="Node")),
    )
    assert rules(found) == ["DSTR008"]


# --- extensible unions -----------------------------------------------------------------------


def test_an_event_added_to_a_stream_made_extensible_at_once(write_spec: WriteSpec) -> None:
    found = pair(
        write_spec,
        sse({"delta": "A"}),
        sse({"delta": "A", "usage": "B"}, "{extensible: true}"),
    )
    assert {f.rule_id: f.level for f in found} == {
        "DSTR010": Level.INFO,
        "DSTR028": Level.WARNING,
    }


def test_an_event_added_to_a_stream_no_longer_extensible_is_a_warning(
    write_spec: WriteSpec,
) -> None:
    found = pair(
        write_spec,
        sse({"delta": "A"}, "{extensible: true}"),
        sse({"delta": "A", "usage": "B"}, "{extensible: false}"),
    )
    assert rules(found) == ["DSTR009", "DSTR029"]


def test_a_stream_shared_by_two_operations_changes_once(write_spec: WriteSpec) -> None:
    def shared(sentinel: str) -> str:
        return f"""\
openapi: 3.2.0
info: {{title: t, version: '1'}}
paths:
  /a:
    post:
      responses:
        '200':
          description: ok
          content: {{text/event-stream: {{$ref: '#/components/mediaTypes/Events'}}}}
  /b:
    post:
      responses:
        '200':
          description: ok
          content: {{text/event-stream: {{$ref: '#/components/mediaTypes/Events'}}}}
components:
  mediaTypes:
    Events:
      itemSchema: {{type: object, properties: {{data: {{type: string}}}}}}
      x-contract-stream: {{sentinel: '{sentinel}'}}
"""

    [finding] = pair(write_spec, shared("[DONE]"), shared("[END]"))
    assert finding.rule_id == "DSTR018" and finding.scope == ("POST /a", "POST /b")
    assert finding.location.pointer == "/components/mediaTypes/Events/x-contract-stream/sentinel"


# --- limits ----------------------------------------------------------------------------------

LIMITS = """\
openapi: 3.2.0
info: {{title: t, version: '1'}}
x-contract-limits:
  request: {{maxBytes: {max_bytes}}}
  rateLimits:
    - {{name: rpm, quota: 600, windowSeconds: {window}}}
x-contract-errors:
  codes:
    content_too_large: {{status: 413, retryable: false, limit: request.maxBytes}}
paths:
  /a:
    post:
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses: {{'200': {{description: ok}}}}
  /b:
    put:
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses: {{'200': {{description: ok}}}}
      x-contract-limits:
        rateLimits:
          - {{name: rpm, quota: 60}}
  /c:
    post:
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses: {{'200': {{description: ok}}}}
      x-contract-limits:
        request: {{maxBytes: 4194304}}
  /d:
    get:
      responses: {{'200': {{description: ok}}}}
"""


def test_a_document_limit_lowered_is_one_finding_for_every_operation_it_binds(
    write_spec: WriteSpec,
) -> None:
    old = LIMITS.format(max_bytes=1048576, window=60)
    new = LIMITS.format(max_bytes=524288, window=60)
    [finding] = pair(write_spec, old, new)
    assert finding.rule_id == "DLIM001" and finding.level is Level.BREAKING
    assert finding.scope == ("POST /a", "PUT /b")  # /c sets its own, GET /d has no body
    assert finding.location.pointer == "/x-contract-limits/request/maxBytes"
    assert finding.before is not None and finding.before.pointer == finding.location.pointer
    assert "(error `content_too_large`, 413)" in finding.message


def test_a_rate_limit_window_changed_at_the_root_is_located_there_for_overrides_too(
    write_spec: WriteSpec,
) -> None:
    old = LIMITS.format(max_bytes=1048576, window=60)
    new = LIMITS.format(max_bytes=1048576, window=120)
    [finding] = pair(write_spec, old, new)
    assert finding.rule_id == "DLIM012"
    assert finding.scope == ("POST /a", "PUT /b", "POST /c", "GET /d")
    assert finding.location.pointer == "/x-contract-limits/rateLimits/0/windowSeconds"


def test_a_limit_moved_to_another_level_with_its_value_is_no_change(
    write_spec: WriteSpec,
) -> None:
    old = LIMITS.format(max_bytes=1048576, window=60)
    new = old.replace(
        "      responses: {'200': {description: ok}}\n  /b:",
        "      responses: {'200': {description: ok}}\n"
        "      x-contract-limits: {request: {maxBytes: 1048576}}\n  /b:",
        1,
    )
    assert new != old
    assert pair(write_spec, old, new) == []


# --- what the comparators never do -----------------------------------------------------------


PLAIN_OLD = """\
openapi: 3.0.3
info: {title: pets, version: '1'}
paths:
  /pets:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer}}]
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}
  /pets/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: gone}}
components:
  schemas:
    Pet: {type: object, required: [id], properties: {id: {type: string}, tag: {type: string}}}
"""
PLAIN_NEW = """\
openapi: 3.1.0
info: {title: pets, version: '2'}
paths:
  /pets:
    get:
      parameters: [{name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}]
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      responses: {'201': {description: made}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties: {id: {type: string}, name: {type: string}}
"""


def test_contracts_without_any_extension_get_nothing_from_these_comparators(
    write_spec: WriteSpec, compared: list[Compared]
) -> None:
    assert pair(write_spec, PLAIN_OLD, PLAIN_NEW) == []
    assert compared == []


def test_the_two_stripe_releases_get_nothing_from_these_comparators() -> None:
    old, new = CORPUS / "stripe-spec3-2023-04-27.yaml", CORPUS / "stripe-spec3.yaml"
    if not new.exists():
        pytest.skip("../shared/corpus is not present")
    assert mine(old, new) == []


@pytest.mark.parametrize("path", CORPUS_SPECS, ids=lambda path: path.name)
def test_every_corpus_spec_against_itself_reports_nothing(
    path: Path, compared: list[Compared]
) -> None:
    document = load_document(path)  # two contracts built from one load: the model is fresh
    assert compare(document, document) == []


MALFORMED = """\
openapi: 3.2.0
info: {title: t, version: '1'}
x-contract-limits: {request: {maxBytes: big}, rateLimits: [7, {quota: many}], stream: 3}
x-contract-errors: {codes: [not, a, map], extensible: maybe, format: 9}
paths:
  /chat:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200':
          description: events
          content:
            text/event-stream:
              itemSchema: {oneOf: [{properties: {event: {const: 5}}}, 12, {$ref: '#/nowhere'}]}
              x-contract-stream: {terminal: done, heartbeat: 5, sentinel: [x], streamFlag: 1}
  /ws:
    get:
      responses: {'101': {description: up}}
      x-contract-websocket:
        subprotocols: chat
        clientMessages: {$ref: '#/missing'}
        serverMessages: {oneOf: [{properties: {type: {const: 1}}}]}
        closeCodes: {normal: '1000', '4000': [x]}
        heartbeat: {intervalSeconds: soon}
"""


def test_malformed_contracts_are_compared_without_raising(write_spec: WriteSpec) -> None:
    sound = (SPECS / "chat-service.yaml").read_text()
    for old, new in ((MALFORMED, sound), (sound, MALFORMED), (MALFORMED, MALFORMED)):
        pair(write_spec, old, new)
