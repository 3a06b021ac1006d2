"""The plain-OpenAPI comparators: operations, parameters, bodies and security.

The schema comparator is another part of diff. Here `SchemaDiff` is replaced by a recorder,
so these tests see which schema comparisons the comparators ask for, and nothing else reports:
the fixture pairs of these comparators' rules keep their schemas identical on both sides.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.diff.compare import bodies, operations, parameters, security
from contractgen.diff.compare.common import sunset_date
from contractgen.diff.compare.reporting import once_per_place
from contractgen.diff.context import DiffContext
from contractgen.diff.engine import diff_documents
from contractgen.diff.registry import DiffRule
from contractgen.diff.schema import Direction, SchemaDiff
from contractgen.errors import LoadError
from contractgen.load.document import Document, load_document
from contractgen.location import Location
from contractgen.model.build import build_contract
from contractgen.model.schema import Schema
from contractgen.report.finding import Finding, Level
from tests.conftest import CORPUS, FIXTURES

MODULES = (operations, parameters, bodies, security)
RULES = sorted(
    rule.id for module in MODULES for rule in vars(module).values() if isinstance(rule, DiffRule)
)
HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
WriteSpec = Callable[..., Path]


@dataclass(frozen=True)
class Comparison:
    old: Any
    new: Any
    direction: Direction
    scope: str
    label: str


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[Comparison]:
    """The schema comparisons requested, as (old value, new value, direction, scope, label)."""
    calls: list[Comparison] = []

    def record(
        self: SchemaDiff,
        old: Schema | None,
        new: Schema | None,
        *,
        direction: Direction,
        scope: str,
        label: str,
    ) -> None:
        calls.append(
            Comparison(
                old.value if old else None, new.value if new else None, direction, scope, label
            )
        )

    monkeypatch.setattr(SchemaDiff, "compare", record)
    monkeypatch.setattr(SchemaDiff, "findings", lambda self: [])
    return calls


def run(old: Document, new: Document) -> list[Finding]:
    """What these four comparators report, unpositioned."""
    old_contract, new_contract = build_contract(old), build_contract(new)
    context = DiffContext(
        old_contract, new_contract, old, new, SchemaDiff(old_contract, new_contract)
    )
    return [finding for module in MODULES for finding in module.compare(context)]


@pytest.fixture
def diff(write_spec: WriteSpec, compared: list[Comparison]) -> Callable[[str, str], list[Finding]]:
    def compare(old: str, new: str) -> list[Finding]:
        return run(
            load_document(write_spec(HEAD + old, "old.yaml")),
            load_document(write_spec(HEAD + new, "new.yaml")),
        )

    return compare


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((finding.rule_id, finding.level.value) for finding in findings)


# --- fixture pairs --------------------------------------------------------------------------


def _cases() -> list[Path]:
    return sorted(
        case
        for rule in RULES
        for case in (p.parent for p in (FIXTURES / "diff" / rule).glob("*/expect.yaml"))
    )


def _where(location: Location | None, case: Path) -> str | None:
    if location is None:
        return None
    file = os.path.relpath(os.path.realpath(location.file), os.path.realpath(case))
    return f"{file}:{location.line}:{location.column}"


@pytest.mark.parametrize("case", _cases(), ids=lambda case: f"{case.parent.name}/{case.name}")
def test_fixture_pair_reports_what_it_expects(case: Path, compared: list[Comparison]) -> None:
    """The fixture runner's check, with the schema comparator stubbed out."""
    findings = diff_documents(load_document(case / "old.yaml"), load_document(case / "new.yaml"))
    key = lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"]))  # noqa: E731
    reported = sorted(
        (
            {
                "rule": finding.rule_id,
                "level": finding.level.value,
                "old": _where(finding.before, case),
                "new": _where(finding.location, case),
            }
            for finding in findings
        ),
        key=key,
    )
    expected = sorted(yaml.safe_load((case / "expect.yaml").read_text()) or [], key=key)
    assert reported == expected


# --- schema comparisons requested -----------------------------------------------------------

SCHEMAS = """\
paths:
  /items/{id}:
    post:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, maxLength: %(id)s}}
        - {name: filter, in: query, content: {application/json: {schema: {type: object}}}}
      requestBody:
        content:
          %(json)s: {schema: {type: object, title: body}}
          application/x-www-form-urlencoded: {}
      responses:
        '200':
          description: ok
          headers:
            X-Count: {schema: {type: integer, maximum: %(count)s}}
          content:
            application/json: {schema: {type: array}}
            text/event-stream: {itemSchema: {type: object}}
"""


def test_every_paired_schema_is_handed_to_the_schema_comparator(
    diff: Callable[[str, str], list[Finding]], compared: list[Comparison]
) -> None:
    old = SCHEMAS % {"id": 10, "json": "application/json", "count": 5}
    new = SCHEMAS % {"id": 8, "json": "application/json; charset=utf-8", "count": 9}
    assert diff(old, new) == []
    scope = "POST /items/{id}"
    assert compared == [
        Comparison(
            {"type": "string", "maxLength": 10},
            {"type": "string", "maxLength": 8},
            Direction.REQUEST,
            scope,
            "path parameter id",
        ),
        Comparison(
            {"type": "object", "title": "body"},
            {"type": "object", "title": "body"},
            Direction.REQUEST,
            scope,
            "request body",
        ),
        Comparison(
            {"type": "integer", "maximum": 5},
            {"type": "integer", "maximum": 9},
            Direction.RESPONSE,
            scope,
            "response 200 header X-Count",
        ),
        Comparison({"type": "array"}, {"type": "array"}, Direction.RESPONSE, scope, "response 200"),
    ]


def test_streams_are_left_to_the_streams_comparator(
    diff: Callable[[str, str], list[Finding]], compared: list[Comparison]
) -> None:
    old = """\
paths:
  /chat:
    post:
      responses:
        '200':
          description: ok
          content:
            text/event-stream: {schema: {type: string}}
"""
    new = old.replace("text/event-stream", "application/jsonl")
    assert diff(old, new) == []
    assert compared == []


def test_a_status_moved_into_a_range_is_compared_with_the_range(
    diff: Callable[[str, str], list[Finding]], compared: list[Comparison]
) -> None:
    one = "paths:\n  /a:\n    get:\n      responses:\n        '%s':\n          description: ok\n"
    body = "          content: {application/json: {schema: {type: %s}}}\n"
    specific, ranged = one % "201" + body % "string", one % "2XX" + body % "number"
    assert diff(specific, ranged) == []
    assert diff(ranged, specific) == []
    assert [(c.old, c.new, c.label) for c in compared] == [
        ({"type": "string"}, {"type": "number"}, "response 2XX"),
        ({"type": "number"}, {"type": "string"}, "response 201"),
    ]


# --- pairing --------------------------------------------------------------------------------

PATH = """\
paths:
  %(path)s:
    get:
      parameters:
%(params)s      responses:
        '200': {description: ok}
"""


def path_op(path: str, *names: str) -> str:
    params = "".join(
        f"        - {{name: {name}, in: path, required: true, schema: {{title: {index}}}}}\n"
        for index, name in enumerate(names)
    )
    return PATH % {"path": path, "params": params}


def test_renamed_path_parameters_pair_by_position(
    diff: Callable[[str, str], list[Finding]], compared: list[Comparison]
) -> None:
    findings = diff(path_op("/a/{x}/{y}", "x", "y"), path_op("/a/{y}/{x}", "y", "x"))
    assert rules(findings) == [("DOP010", "info")]
    assert "`{x}` is now `{y}`, `{y}` is now `{x}`" in findings[0].message
    assert [(c.old, c.new, c.label) for c in compared] == [
        ({"title": 0}, {"title": 0}, "path parameter y"),
        ({"title": 1}, {"title": 1}, "path parameter x"),
    ]


def test_a_trailing_slash_pairs_the_operations_and_is_reported(
    diff: Callable[[str, str], list[Finding]],
) -> None:
    findings = diff(path_op("/a/{id}/", "id"), path_op("/a/{id}", "id"))
    assert rules(findings) == [("DOP011", "warning")]


def test_operations_of_one_shape_pair_only_when_unambiguous(
    diff: Callable[[str, str], list[Finding]],
) -> None:
    two = """\
paths:
  /a/{id}:
    get: {responses: {'200': {description: ok}}}
  /a/{name}:
    get: {responses: {'200': {description: ok}}}
"""
    findings = diff(two, path_op("/a/{key}", "key"))
    assert rules(findings) == [("DOP001", "breaking"), ("DOP001", "breaking"), ("DOP003", "info")]


def test_header_parameters_pair_in_any_case(diff: Callable[[str, str], list[Finding]]) -> None:
    header = "paths:\n  /a:\n    get:\n      parameters:\n        - {name: %s, in: header}\n"
    assert diff(header % "X-Trace", header % "x-trace") == []


# --- sunset ---------------------------------------------------------------------------------

REMOVED = """\
paths:
  /a:
    get: {responses: {'200': {description: ok}}}
    delete: {deprecated: true, %s responses: {'204': {description: gone}}}
"""
KEPT = "paths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n"


@pytest.mark.parametrize(
    ("sunset", "rule", "says"),
    [
        ("x-sunset: '2025-03-01',", "DOP002", "after its sunset date 2025-03-01"),
        ("x-sunset: '2025-02-28',", "DOP002", "after its sunset date 2025-02-28"),
        ("x-sunset: '2025-03-02',", "DOP001", "before its sunset date 2025-03-02"),
        ("x-sunset: 'Sat, 01 Mar 2025 00:00:00 GMT',", "DOP002", "2025-03-01"),
        ("x-sunset: next spring,", "DOP001", "`next spring` is not a date"),
        ("x-sunset: '2025-13-01',", "DOP001", "`2025-13-01` is not a date"),
        ("", "DOP001", "no `x-sunset` date"),
    ],
)
def test_a_deprecated_operation_may_go_on_its_sunset_date(
    diff: Callable[[str, str], list[Finding]],
    monkeypatch: pytest.MonkeyPatch,
    sunset: str,
    rule: str,
    says: str,
) -> None:
    monkeypatch.setattr(operations, "today", lambda: date(2025, 3, 1))
    (finding,) = diff(REMOVED % sunset, KEPT)
    assert finding.rule_id == rule
    assert says in finding.message


PARAMETER = """\
paths:
  /a:
    get:
      parameters:
        - {name: p, in: query, deprecated: %s}
"""


@pytest.mark.parametrize(
    ("declared", "rule", "says"),
    [
        ("true", "DPAR004", "deprecated query parameter `p` removed"),
        ("true, x-sunset: '2025-03-01'", "DPAR004", "deprecated query parameter `p` removed"),
        ("true, x-sunset: '2025-03-02'", "DPAR003", "before its sunset date 2025-03-02"),
        ("true, x-sunset: someday", "DPAR003", "`someday` is not a date"),
        ("false", "DPAR003", "query parameter `p` removed:"),
    ],
)
def test_a_deprecated_parameter_may_go_on_its_sunset_date(
    diff: Callable[[str, str], list[Finding]],
    monkeypatch: pytest.MonkeyPatch,
    declared: str,
    rule: str,
    says: str,
) -> None:
    monkeypatch.setattr(parameters, "today", lambda: date(2025, 3, 1))
    (finding,) = diff(PARAMETER % declared, "paths:\n  /a:\n    get: {}\n")
    assert finding.rule_id == rule
    assert says in finding.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01", date(2025, 3, 1)),
        ("2025-03-01T12:00:00Z", date(2025, 3, 1)),
        ("2025-03-01 12:00:00+02:00", date(2025, 3, 1)),
        ("Sat, 01 Mar 2025 00:00:00 GMT", date(2025, 3, 1)),
        ("2025-02-30", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_sunset_dates_are_read_in_the_forms_in_use(text: str | None, expected: date) -> None:
    assert sunset_date(text) == expected


def test_sunset_moved_later_is_quiet(diff: Callable[[str, str], list[Finding]]) -> None:
    dated = "paths:\n  /a:\n    get: {deprecated: true, x-sunset: '%s'}\n"
    assert diff(dated % "2030-01-01", dated % "2031-01-01") == []


# --- security -------------------------------------------------------------------------------

GLOBAL = """\
security: [{key: [%s]}]
paths:
  /a: {get: {}, post: {}}
  /b: {get: {security: [{key: []}]}}
components:
  securitySchemes:
    key: {type: oauth2, flows: {implicit: {authorizationUrl: /auth, scopes: {a: a, b: b}}}}
"""


def test_a_root_security_change_is_one_finding_for_every_operation_it_reaches(
    diff: Callable[[str, str], list[Finding]],
) -> None:
    (finding,) = diff(GLOBAL % "a", GLOBAL % "a, b")
    assert finding.rule_id == "DSEC005"
    assert finding.scope == ("GET /a", "POST /a")
    assert finding.location.pointer == "/security/0/key"


def test_root_security_dropped_is_one_finding(diff: Callable[[str, str], list[Finding]]) -> None:
    without = GLOBAL.replace("security: [{key: [%s]}]\n", "")
    (finding,) = diff(GLOBAL % "a", without)
    assert (finding.rule_id, finding.level) == ("DSEC004", Level.INFO)
    assert finding.scope == ("GET /a", "POST /a")
    assert finding.before is not None and finding.before.pointer == "/security/0"
    assert finding.location.pointer == ""


def test_reordered_security_alternatives_and_scopes_are_quiet(
    diff: Callable[[str, str], list[Finding]],
) -> None:
    spec = "security: [%s]\npaths:\n  /a: {get: {}}\n"
    assert diff(spec % "{a: [x, y]}, {b: []}", spec % "{b: []}, {a: [y, x]}") == []


RICH: dict[str, Any] = {
    "servers": [{"url": "https://api.example.com", "description": "production"}],
    "security": [{"key": []}, {"oauth": ["read"]}],
    "paths": {
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True}],
            "get": {
                "operationId": "getItem",
                "summary": "Get an item",
                "tags": ["items", "public"],
                "deprecated": True,
                "x-sunset": "2030-01-01",
                "parameters": [
                    {"name": "expand", "in": "query", "style": "form", "explode": False},
                    {"name": "X-Trace", "in": "header", "description": "a trace id"},
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "headers": {"X-Count": {"required": True, "schema": {}}},
                        "content": {"application/json": {"schema": {}, "example": {"a": 1}}},
                    },
                    "default": {"description": "an error"},
                },
            },
            "put": {
                "requestBody": {"required": True, "content": {"application/json": {}}},
                "responses": {"204": {"description": "done"}},
            },
        }
    },
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "oauth": {
                "type": "oauth2",
                "flows": {"implicit": {"authorizationUrl": "/a", "scopes": {"read": "r"}}},
            },
        }
    },
}


def _reordered(value: Any) -> Any:
    """Every mapping's keys in reverse order, every description and summary rewritten."""
    if isinstance(value, dict):
        return {
            key: ("rewritten" if key in ("description", "summary") else _reordered(item))
            for key, item in reversed(value.items())
        }
    if isinstance(value, list):
        return [_reordered(item) for item in value]
    return value


def test_reordering_reformatting_and_prose_edits_report_nothing(
    write_spec: WriteSpec, compared: list[Comparison]
) -> None:
    old = _spec(write_spec, RICH, "old.yaml")
    text = json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}} | RICH)
    new_json = load_document(write_spec(text, "new.json"))
    assert run(old, new_json) == []
    assert run(old, _spec(write_spec, _reordered(RICH), "new.yaml")) == []


# --- never raises ---------------------------------------------------------------------------

MALFORMED: list[dict[str, Any]] = [
    {"paths": {"/a": {"get": {"security": "x", "parameters": "x", "requestBody": 3}}}},
    {"paths": {"/a": {"get": {"security": [1, None, {"k": 5}], "tags": [1, "t"]}}}},
    {"paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "schema": []}]}}}},
    {"paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "style": 1}]}}}},
    {
        "paths": {
            "/a": {"get": {"parameters": [{"name": "p", "in": "query", "schema": {"type": [{}]}}]}}
        }
    },
    {"paths": {"/a": {"get": {"responses": {"200": {"headers": {"X": 1}, "content": []}}}}}},
    {"paths": {"/a": {"get": {"x-sunset": [], "deprecated": "yes", "servers": [{"url": 1}]}}}},
    {"components": {"securitySchemes": {"k": {"type": 1, "flows": {"implicit": "x"}}}}},
    {"components": {"securitySchemes": {"k": {"type": "apiKey", "in": [], "name": {}}}}},
    {"security": {"k": []}, "servers": "x", "paths": {"/a/{": {"get": {}}}},
]
VALID = {
    "security": [{"k": ["a"]}, {}],
    "servers": [{"url": "https://x.example"}],
    "paths": {
        "/a": {
            "get": {
                "deprecated": True,
                "x-sunset": "2020-01-01",
                "parameters": [{"name": "p", "in": "query", "required": True}],
                "requestBody": {"content": {"application/json": {"schema": {}}}},
                "responses": {"200": {"description": "ok", "headers": {"X": {"required": True}}}},
            }
        }
    },
    "components": {"securitySchemes": {"k": {"type": "oauth2", "flows": {"implicit": {}}}}},
}


def _spec(write_spec: WriteSpec, body: dict[str, Any], name: str) -> Document:
    return load_document(write_spec(HEAD + yaml.safe_dump(body), name))


@pytest.mark.parametrize("body", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_comparators_never_raise_on_malformed_input(
    write_spec: WriteSpec, compared: list[Comparison], body: dict[str, Any]
) -> None:
    for old, new in ((body, VALID), (VALID, body), (body, body)):
        run(_spec(write_spec, old, "old.yaml"), _spec(write_spec, new, "new.yaml"))


# --- real specs -----------------------------------------------------------------------------


def _corpus() -> Iterator[Path]:
    for path in sorted(CORPUS.glob("*")):
        if path.suffix in (".yaml", ".json"):
            yield path


@pytest.mark.parametrize("path", list(_corpus()), ids=lambda path: path.name)
def test_a_corpus_spec_diffed_against_itself_reports_nothing(
    path: Path, compared: list[Comparison]
) -> None:
    try:
        document = load_document(path)
    except LoadError:
        pytest.skip("does not load (not OpenAPI 3)")
    assert run(document, document) == []


# --- one finding per change -----------------------------------------------------------------


def test_findings_of_one_change_are_merged_in_first_seen_order() -> None:
    here, there = Location("a.yaml", "/x"), Location("a.yaml", "/y")
    findings = [
        Finding("R1", Level.INFO, "m", here, scope=("B",)),
        Finding("R1", Level.INFO, "m", there, scope=("C",)),
        Finding("R1", Level.INFO, "m", here, scope=("A", "B")),
    ]
    assert [(f.location, f.scope) for f in once_per_place(findings)] == [
        (here, ("B", "A")),
        (there, ("C",)),
    ]
