"""`SchemaDiff`: the structural schema comparator, driven directly on small specs.

`compare_like_bodies` calls it as the bodies comparator does (each JSON request body, each
response media type present on both sides), so the `DREQ`/`DRES` fixture pairs are checked
here until that comparator calls it from the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.diff.context import pair_operations
from contractgen.diff.registry import diff_catalogue
from contractgen.diff.schema import Direction, SchemaDiff
from contractgen.errors import LoadError
from contractgen.load.document import Document, load_document
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract, is_json_media_type
from contractgen.report.finding import Finding
from tests.conftest import CORPUS, FIXTURES
from tests.test_diff_fixtures import _where

WriteSpec = Callable[..., Path]
SCHEMA_RULE_FIXTURES = sorted(
    case.parent
    for case in (FIXTURES / "diff").glob("*/*/expect.yaml")
    if case.parent.parent.name.startswith(("DREQ", "DRES"))
    and int(case.parent.parent.name[4:]) > 100  # DREQ0xx/DRES0xx are the bodies comparator's
)


def compare_like_bodies(diff: SchemaDiff, old: Contract, new: Contract) -> None:
    """Compare every paired operation's request JSON bodies and response bodies."""
    pairs, _, _ = pair_operations(old.operations, new.operations)
    for pair in pairs:
        before, after = pair.old.request_body, pair.new.request_body
        if before is not None and after is not None:
            for media_type, content in before.content.items():
                partner = after.content.get(media_type)
                if partner is not None and is_json_media_type(media_type):
                    diff.compare(
                        content.schema,
                        partner.schema,
                        direction=Direction.REQUEST,
                        scope=pair.key,
                        label="request body",
                    )
        for status, response in pair.old.responses.items():
            partner_response = pair.new.responses.get(status)
            if partner_response is None:
                continue
            for media_type, content in response.content.items():
                partner = partner_response.content.get(media_type)
                if partner is not None:
                    diff.compare(
                        content.schema,
                        partner.schema,
                        direction=Direction.RESPONSE,
                        scope=pair.key,
                        label=f"response {status}",
                    )


def schema_findings(old: Document, new: Document) -> list[Finding]:
    """The comparator's findings for two documents, positioned on both sides."""
    old_contract, new_contract = build_contract(old), build_contract(new)
    diff = SchemaDiff(old_contract, new_contract)
    compare_like_bodies(diff, old_contract, new_contract)
    return [
        Finding(
            f.rule_id,
            f.level,
            f.message,
            new.locate(f.location),
            f.related,
            old.locate(f.before) if f.before is not None else None,
            f.scope,
        )
        for f in diff.findings()
    ]


def reported(case: Path) -> list[dict[str, Any]]:
    """A fixture pair's schema findings, in the shape of its `expect.yaml`."""
    old, new = load_document(case / "old.yaml"), load_document(case / "new.yaml")
    found = [
        {
            "rule": f.rule_id,
            "level": f.level.value,
            "old": _where(f.before, case),
            "new": _where(f.location, case),
        }
        for f in schema_findings(old, new)
    ]
    return sorted(found, key=lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"])))


@pytest.mark.parametrize(
    "case", SCHEMA_RULE_FIXTURES, ids=lambda case: f"{case.parent.name}/{case.name}"
)
def test_schema_fixture_pair_reports_exactly_what_it_expects(case: Path) -> None:
    expected = yaml.safe_load((case / "expect.yaml").read_text()) or []
    expected.sort(key=lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"])))
    assert reported(case) == expected


def test_every_schema_rule_has_a_fixture_pair() -> None:
    ours = {
        rule
        for rule in diff_catalogue()
        if rule.startswith(("DREQ", "DRES")) and int(rule[4:]) > 100
    }
    covered = {
        entry["rule"]
        for case in SCHEMA_RULE_FIXTURES
        for entry in yaml.safe_load((case / "expect.yaml").read_text()) or []
    }
    assert ours - covered == set()


# --- small specs ---------------------------------------------------------------------------


def api(
    request: Any = None,
    response: Any = None,
    schemas: dict[str, Any] | None = None,
    version: str = "3.0.3",
    path: str = "/items",
) -> dict[str, Any]:
    """A document with one `POST` operation taking `request` and answering `response`."""
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if request is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": request}}}
    if response is not None:
        operation["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    document: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {path: {"post": operation}},
    }
    if schemas is not None:
        document["components"] = {"schemas": schemas}
    return document


def changes(write_spec: WriteSpec, old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    return schema_findings(
        load_document(write_spec(yaml.safe_dump(old), "old.yaml")),
        load_document(write_spec(yaml.safe_dump(new), "new.yaml")),
    )


def rules_of(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule_id, f.level.value) for f in findings)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, **keywords}


STRING, INTEGER = {"type": "string"}, {"type": "integer"}

# One change, judged in both directions: (old, new, request verdict, response verdict).
BOTH_WAYS = [
    pytest.param(INTEGER, STRING, "DREQ101", "DRES101", id="type-changed"),
    pytest.param(INTEGER, {"type": "number"}, "DREQ102", "DRES101", id="integer-widened-to-number"),
    pytest.param(
        {"type": "number"}, INTEGER, "DREQ101", "DRES102", id="number-narrowed-to-integer"
    ),
    pytest.param({}, STRING, "DREQ101", "DRES102", id="any-narrowed-to-string"),
    pytest.param(STRING, {"type": "string", "nullable": True}, "DREQ102", "DRES104", id="nullable"),
    pytest.param({"type": "string", "nullable": True}, STRING, "DREQ104", "DRES102", id="not-null"),
    pytest.param(
        {"type": "string", "format": "date-time"},
        STRING,
        "DREQ102",
        "DRES103",
        id="format-removed",
    ),
    pytest.param(
        {"type": "integer", "format": "int32"},
        {"type": "integer", "format": "int64"},
        "DREQ102",
        "DRES103",
        id="format-widened",
    ),
    pytest.param(
        {"type": "string", "enum": ["a", "b"]},
        {"type": "string", "enum": ["a"]},
        "DREQ110",
        "DRES111",
        id="enum-value-removed",
    ),
    pytest.param(
        {"type": "string", "enum": ["a"]},
        {"type": "string", "enum": ["a", "b"]},
        "DREQ112",
        "DRES110",
        id="enum-value-added",
    ),
    pytest.param(
        {"type": "string", "enum": ["a"]}, STRING, "DREQ112", "DRES110", id="enum-dropped"
    ),
    pytest.param(
        {"type": "string", "maxLength": 5},
        {"type": "string", "maxLength": 3},
        "DREQ114",
        "DRES119",
        id="max-length-lowered",
    ),
    pytest.param(
        {"type": "array", "items": STRING, "maxItems": 3},
        {"type": "array", "items": STRING},
        "DREQ121",
        "DRES113",
        id="max-items-removed",
    ),
    pytest.param(
        {"type": "object", "maxProperties": 3},
        {"type": "object", "maxProperties": 2},
        "DREQ114",
        "DRES119",
        id="max-properties-lowered",
    ),
    pytest.param(
        {"type": "integer", "minimum": 0},
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        "DREQ115",
        "DRES119",
        id="minimum-made-exclusive",
    ),
    pytest.param(
        {"type": "string", "minLength": 1},
        {"type": "string", "minLength": 0},
        "DREQ121",
        "DRES114",
        id="min-length-zero-is-removed",
    ),
    pytest.param(
        {"type": "number", "multipleOf": 0.05},
        {"type": "number", "multipleOf": 0.01},
        "DREQ121",
        "DRES116",
        id="multiple-of-finer",
    ),
    pytest.param(
        {"type": "number", "multipleOf": 0.01},
        {"type": "number", "multipleOf": 0.05},
        "DREQ118",
        "DRES119",
        id="multiple-of-coarser",
    ),
    pytest.param(
        {"type": "string", "pattern": "^a"},
        STRING,
        "DREQ121",
        "DRES115",
        id="pattern-removed",
    ),
    pytest.param(
        {"type": "array", "items": STRING},
        {"type": "array", "items": STRING, "uniqueItems": True},
        "DREQ119",
        "DRES119",
        id="unique-items-set",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": STRING},
        {"type": "object", "additionalProperties": False},
        "DREQ120",
        "DRES119",
        id="additional-properties-schema-closed",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": STRING},
        {"type": "object"},
        "DREQ121",
        "DRES118",
        id="additional-properties-schema-opened",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": STRING},
        {"type": "object", "additionalProperties": INTEGER},
        "DREQ101",
        "DRES101",
        id="additional-properties-compared-as-a-schema",
    ),
    pytest.param(
        {"type": "array", "items": INTEGER},
        {"type": "array", "items": STRING},
        "DREQ101",
        "DRES101",
        id="items-compared",
    ),
    pytest.param(
        {"type": "integer", "default": 1},
        INTEGER,
        "DREQ122",
        "DRES128",
        id="default-removed",
    ),
    pytest.param(
        STRING, {"type": "string", "deprecated": True}, "DREQ131", "DRES129", id="deprecated"
    ),
]


@pytest.mark.parametrize(("old", "new", "request_rule", "response_rule"), BOTH_WAYS)
def test_a_change_is_judged_by_the_direction_data_flows(
    write_spec: WriteSpec, old: Any, new: Any, request_rule: str, response_rule: str
) -> None:
    rules = diff_catalogue()
    found = changes(write_spec, api(request=obj({"x": old})), api(request=obj({"x": new})))
    assert rules_of(found) == [(request_rule, rules[request_rule].level.value)]
    found = changes(write_spec, api(response=obj({"x": old})), api(response=obj({"x": new})))
    assert rules_of(found) == [(response_rule, rules[response_rule].level.value)]


JSON_SCHEMA_2020 = [
    pytest.param({"const": "a"}, {"const": "b"}, "DREQ113", "DRES112", id="const-changed"),
    pytest.param({"const": "a"}, STRING, "DREQ121", "DRES112", id="const-removed"),
    pytest.param(
        {"type": "array", "prefixItems": [STRING, INTEGER]},
        {"type": "array", "prefixItems": [STRING, STRING]},
        "DREQ101",
        "DRES101",
        id="prefix-items-compared-by-position",
    ),
    pytest.param(
        {"type": "array", "prefixItems": [STRING], "items": False},
        {"type": "array", "prefixItems": [STRING, INTEGER], "items": False},
        "DREQ102",
        "DRES101",
        id="prefix-items-longer-tuple",
    ),
    pytest.param(
        {"type": "object"},
        {"type": "object", "unevaluatedProperties": False},
        "DREQ120",
        "DRES119",
        id="unevaluated-properties-closed",
    ),
    pytest.param(
        {"type": "object"},
        {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
        "DREQ128",
        "DRES119",
        id="property-names-added",
    ),
    pytest.param(
        {"type": "object", "propertyNames": {"maxLength": 5}},
        {"type": "object", "propertyNames": {"maxLength": 3}},
        "DREQ114",
        "DRES119",
        id="property-names-compared",
    ),
    pytest.param(
        {"type": "array", "contains": {"type": "string"}, "minContains": 2},
        {"type": "array", "contains": {"type": "string"}, "minContains": 3},
        "DREQ115",
        "DRES119",
        id="min-contains-raised",
    ),
    pytest.param(
        {"type": "object", "patternProperties": {"^x-": STRING}},
        {"type": "object", "patternProperties": {"^x-": INTEGER}},
        "DREQ101",
        "DRES101",
        id="pattern-properties-compared",
    ),
    pytest.param(
        {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}},
        {"type": "object"},
        "DREQ121",
        "DRES125",
        id="dependent-schemas-removed",
    ),
    pytest.param(
        {"type": "object"},
        {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        "DREQ128",
        "DRES119",
        id="if-then-added",
    ),
    pytest.param(
        {"not": {"type": "string"}},
        {"not": {"type": "integer"}},
        "DREQ129",
        "DRES126",
        id="not-changed",
    ),
    pytest.param(
        {"type": "string", "contentMediaType": "application/json"},
        {"type": "string", "contentMediaType": "text/plain"},
        "DREQ130",
        "DRES127",
        id="content-media-type-changed",
    ),
]


@pytest.mark.parametrize(("old", "new", "request_rule", "response_rule"), JSON_SCHEMA_2020)
def test_json_schema_2020_keywords_are_compared(
    write_spec: WriteSpec, old: Any, new: Any, request_rule: str, response_rule: str
) -> None:
    rules = diff_catalogue()
    for direction, rule in (("request", request_rule), ("response", response_rule)):
        before = api(version="3.1.0", **{direction: obj({"x": old})})
        after = api(version="3.1.0", **{direction: obj({"x": new})})
        assert rules_of(changes(write_spec, before, after)) == [(rule, rules[rule].level.value)]


def test_exclusive_bounds_in_the_3_0_and_3_1_forms_are_the_same(write_spec: WriteSpec) -> None:
    old = api(request=obj({"x": {"type": "number", "minimum": 0, "exclusiveMinimum": True}}))
    new = api(version="3.1.0", request=obj({"x": {"type": "number", "exclusiveMinimum": 0}}))
    assert changes(write_spec, old, new) == []


def test_a_removed_property_is_breaking_where_the_request_object_is_closed(
    write_spec: WriteSpec,
) -> None:
    old = api(request=obj({"a": STRING, "b": STRING}, additionalProperties=False))
    new = api(request=obj({"a": STRING}, additionalProperties=False))
    (found,) = changes(write_spec, old, new)
    assert (found.rule_id, found.level.value) == ("DREQ109", "breaking")
    assert found.message == (
        "request body `b`: property removed; clients still sending it are refused, "
        "as the schema is closed"
    )


def test_read_only_properties_are_ignored_in_requests_and_write_only_in_responses(
    write_spec: WriteSpec,
) -> None:
    read_only = {"type": "string", "readOnly": True}
    write_only = {"type": "string", "writeOnly": True}
    old = api(request=obj({"a": STRING}), response=obj({"a": STRING}))
    new = api(
        request=obj({"a": STRING, "id": read_only}, required=["id"]),
        response=obj({"a": STRING, "secret": write_only}, required=["secret"]),
    )
    assert changes(write_spec, old, new) == []


def test_a_property_made_read_only_is_gone_from_requests(write_spec: WriteSpec) -> None:
    old = api(request=obj({"a": STRING}))
    new = api(request=obj({"a": {"type": "string", "readOnly": True}}))
    (found,) = changes(write_spec, old, new)
    assert found.rule_id == "DREQ109"
    assert "property is now `readOnly`" in found.message


# --- where findings point and what they name -----------------------------------------------


def test_a_finding_names_the_schema_path_and_points_at_the_keyword_on_both_sides(
    write_spec: WriteSpec,
) -> None:
    role = {"type": "string", "enum": ["user", "assistant", "system"]}
    message = obj({"role": role})
    old = api(
        request=ref("ChatRequest"),
        schemas={"ChatRequest": obj({"messages": {"type": "array", "items": message}})},
    )
    new_role = {"type": "string", "enum": ["user", "assistant"]}
    new_message = obj({"role": new_role})
    new = api(
        request=ref("ChatRequest"),
        schemas={"ChatRequest": obj({"messages": {"type": "array", "items": new_message}})},
    )
    (found,) = changes(write_spec, old, new)
    assert found.message == (
        '`ChatRequest/messages/items/role`: enum value(s) `"system"` removed; '
        "clients still sending them are refused"
    )
    pointer = "/components/schemas/ChatRequest/properties/messages/items/properties/role/enum"
    assert found.location.pointer == pointer
    assert found.before is not None and found.before.pointer == pointer
    assert found.location.line is not None and found.before.line is not None


def test_an_inline_schema_is_named_by_the_callers_label(write_spec: WriteSpec) -> None:
    old = api(response=obj({"id": STRING}, required=["id"]))
    new = api(response=obj({"id": STRING}))
    (found,) = changes(write_spec, old, new)
    assert found.message.startswith("response 200 `id`: became optional")
    assert found.location.pointer.endswith("/200/content/application~1json/schema")
    assert found.before is not None and found.before.pointer.endswith("/schema/required")


def test_a_parameter_schema_is_compared_under_its_label(write_spec: WriteSpec) -> None:
    def limit(maximum: int) -> dict[str, Any]:
        document = api()
        document["paths"]["/items"]["post"]["parameters"] = [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": maximum}}
        ]
        return document

    old = build_contract(load_document(write_spec(yaml.safe_dump(limit(100)), "old.yaml")))
    new = build_contract(load_document(write_spec(yaml.safe_dump(limit(50)), "new.yaml")))
    diff = SchemaDiff(old, new)
    diff.compare(
        old.operations[0].parameters[0].schema,
        new.operations[0].parameters[0].schema,
        direction=Direction.REQUEST,
        scope="POST /items",
        label="query parameter limit",
    )
    (found,) = diff.findings()
    assert found.rule_id == "DREQ114"
    assert found.message.startswith("query parameter limit: `maximum` lowered from 100 to 50")
    assert found.location.pointer == "/paths/~1items/post/parameters/0/schema/maximum"


def test_a_removed_property_points_at_the_new_properties(write_spec: WriteSpec) -> None:
    old = api(response=ref("Item"), schemas={"Item": obj({"id": STRING, "nickname": STRING})})
    new = api(response=ref("Item"), schemas={"Item": obj({"id": STRING})})
    (found,) = changes(write_spec, old, new)
    assert found.rule_id == "DRES106"
    assert found.message.startswith("`Item/nickname`: optional property removed")
    assert found.location.pointer == "/components/schemas/Item/properties"
    assert found.before is not None
    assert found.before.pointer == "/components/schemas/Item/properties/nickname"


# --- once per change ------------------------------------------------------------------------


def test_a_shared_component_changed_is_one_finding_reaching_every_operation(
    write_spec: WriteSpec,
) -> None:
    def document(kinds: list[str]) -> dict[str, Any]:
        document = api(
            response=ref("Item"), schemas={"Item": obj({"kind": {"type": "string", "enum": kinds}})}
        )
        document["paths"]["/archive"] = {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": ref("Item")}}
                        },
                    }
                }
            }
        }
        return document

    (found,) = changes(write_spec, document(["a"]), document(["a", "b"]))
    assert found.rule_id == "DRES110"
    assert found.scope == ("GET /archive", "POST /items")


def test_a_change_deep_in_nested_components_reaches_through_every_parent(
    write_spec: WriteSpec,
) -> None:
    def schemas(leaf: dict[str, Any]) -> dict[str, Any]:
        return {
            "Order": obj(
                {"customer": ref("Customer"), "lines": {"type": "array", "items": ref("Line")}}
            ),
            "Customer": obj({"address": ref("Address")}),
            "Line": obj({"ship_to": ref("Address")}),
            "Address": obj({"zip": leaf}),
        }

    old = api(
        request=ref("Order"),
        response=ref("Customer"),
        schemas=schemas({"type": "string", "maxLength": 10}),
    )
    new = api(
        request=ref("Order"),
        response=ref("Customer"),
        schemas=schemas({"type": "string", "maxLength": 5}),
    )
    found = changes(write_spec, old, new)
    assert rules_of(found) == [("DREQ114", "breaking"), ("DRES119", "info")]
    assert all(f.message.startswith("`Address/zip`") for f in found)
    assert all(f.scope == ("POST /items",) for f in found)


def test_a_self_referencing_schema_terminates_with_one_finding(write_spec: WriteSpec) -> None:
    def node(kinds: list[str]) -> dict[str, Any]:
        return obj(
            {
                "kind": {"type": "string", "enum": kinds},
                "children": {"type": "array", "items": ref("Node")},
            }
        )

    old = api(request=ref("Node"), response=ref("Node"), schemas={"Node": node(["a", "b"])})
    new = api(request=ref("Node"), response=ref("Node"), schemas={"Node": node(["a"])})
    found = changes(write_spec, old, new)
    assert rules_of(found) == [("DREQ110", "breaking"), ("DRES111", "info")]
    assert {f.message.split(":")[0] for f in found} == {"`Node/kind`"}


def test_mutually_recursive_schemas_terminate_and_reach_every_root(write_spec: WriteSpec) -> None:
    def schemas(owner: dict[str, Any]) -> dict[str, Any]:
        return {
            "Person": obj({"employer": ref("Company"), "name": STRING}),
            "Company": obj({"owner": ref("Person"), "ceo": owner}),
        }

    def document(owner: dict[str, Any]) -> dict[str, Any]:
        document = api(response=ref("Person"), schemas=schemas(owner))
        document["paths"]["/companies"] = {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": ref("Company")}},
                    }
                }
            }
        }
        return document

    found = changes(
        write_spec, document(ref("Person")), document({"allOf": [ref("Person")], "nullable": True})
    )
    assert rules_of(found) == [("DRES104", "breaking")]
    assert found[0].scope == ("GET /companies", "POST /items")
    assert found[0].message.startswith("`Company/ceo`: may now be `null`")


def test_a_long_chain_of_components_is_walked_without_deep_recursion(
    write_spec: WriteSpec,
) -> None:
    def schemas(leaf: dict[str, Any]) -> dict[str, Any]:
        chain = {f"A{i}": obj({"next": ref(f"A{i + 1}"), "back": ref("A0")}) for i in range(1500)}
        return {**chain, "A1500": obj({"leaf": leaf})}

    old = api(request=ref("A0"), schemas=schemas(STRING))
    new = api(request=ref("A0"), schemas=schemas(INTEGER))
    (found,) = changes(write_spec, old, new)
    assert found.message.startswith("`A1500/leaf`: type changed from `string` to `integer`")
    assert found.scope == ("POST /items",)


# --- no change for clients -------------------------------------------------------------------

ITEM = obj({"id": STRING, "tags": {"type": "array", "items": STRING}}, required=["id"])


def test_a_component_renamed_is_no_change(write_spec: WriteSpec) -> None:
    old = api(request=ref("Item"), response=ref("Item"), schemas={"Item": ITEM})
    new = api(request=ref("Article"), response=ref("Article"), schemas={"Article": ITEM})
    assert changes(write_spec, old, new) == []


def test_a_schema_inlined_or_moved_behind_a_ref_is_no_change(write_spec: WriteSpec) -> None:
    inline = api(request=ITEM, response=obj({"item": ITEM}))
    behind = api(request=ref("Item"), response=obj({"item": ref("Item")}), schemas={"Item": ITEM})
    assert changes(write_spec, inline, behind) == []
    assert changes(write_spec, behind, inline) == []


def test_annotations_are_no_change(write_spec: WriteSpec) -> None:
    old = api(response=obj({"id": STRING}))
    annotated = {
        "type": "string",
        "description": "The id.",
        "title": "Id",
        "example": "i_1",
        "x-internal": True,
    }
    new = api(
        response=obj(
            {"id": annotated}, description="An item", externalDocs={"url": "https://example.com"}
        )
    )
    assert changes(write_spec, old, new) == []


NULLABLE_FORMS = [
    pytest.param(
        {"type": "string", "nullable": True}, {"type": ["string", "null"]}, id="type-array"
    ),
    pytest.param(
        {"type": "string", "nullable": True},
        {"oneOf": [STRING, {"type": "null"}]},
        id="null-branch",
    ),
    pytest.param(
        {"allOf": [ref("Item")], "nullable": True},
        {"anyOf": [ref("Item"), {"type": "null"}]},
        id="nullable-all-of-ref",
    ),
    pytest.param(
        {"$ref": "#/components/schemas/Item", "nullable": True},
        {"anyOf": [ref("Item"), {"type": "null"}]},
        id="nullable-beside-ref",
    ),
    pytest.param(
        {"type": "string", "enum": ["a", None], "nullable": True},
        {"type": ["string", "null"], "enum": ["a", None]},
        id="nullable-enum",
    ),
]


@pytest.mark.parametrize(("old", "new"), NULLABLE_FORMS)
def test_nullability_in_3_0_and_3_1_forms_is_the_same(
    write_spec: WriteSpec, old: Any, new: Any
) -> None:
    schemas = {"Item": ITEM}
    before = api(request=obj({"x": old}), response=obj({"x": old}), schemas=schemas)
    after = api(version="3.1.0", request=obj({"x": new}), response=obj({"x": new}), schemas=schemas)
    assert changes(write_spec, before, after) == []


# --- composition -----------------------------------------------------------------------------


def test_all_of_members_are_merged_for_properties_and_required(write_spec: WriteSpec) -> None:
    base = obj({"id": STRING, "name": STRING})
    old = api(
        request={"allOf": [ref("Base"), obj({"note": STRING})], "required": ["id"]},
        schemas={"Base": base},
    )
    flat = obj({"id": STRING, "name": STRING, "note": STRING}, required=["id"])
    assert changes(write_spec, old, api(request=flat, schemas={"Base": base})) == []


def test_a_change_in_an_all_of_member_is_reported_in_the_member(write_spec: WriteSpec) -> None:
    def schemas(name: dict[str, Any]) -> dict[str, Any]:
        return {
            "Base": obj({"id": STRING, "name": name}),
            "Cat": {"allOf": [ref("Base"), obj({"meows": {"type": "boolean"}})]},
            "Dog": {"allOf": [ref("Base"), obj({"barks": {"type": "boolean"}})]},
        }

    old = api(request={"oneOf": [ref("Cat"), ref("Dog")]}, schemas=schemas(STRING))
    new = api(
        request={"oneOf": [ref("Cat"), ref("Dog")]},
        schemas=schemas({"type": "string", "maxLength": 5}),
    )
    (found,) = changes(write_spec, old, new)
    assert found.rule_id == "DREQ114"
    assert found.message.startswith("`Base/name`: `maxLength` 5 added")


def test_an_added_all_of_member_that_requires_a_property_breaks_requests(
    write_spec: WriteSpec,
) -> None:
    old = api(request={"allOf": [obj({"a": STRING})]})
    new = api(request={"allOf": [obj({"a": STRING}), {"required": ["a"]}]})
    assert rules_of(changes(write_spec, old, new)) == [("DREQ106", "breaking")]


def test_union_alternatives_pair_by_discriminator_value(write_spec: WriteSpec) -> None:
    schemas = {
        "Text": obj({"type": {"type": "string", "enum": ["text"]}, "text": STRING}),
        "Image": obj({"type": {"type": "string", "enum": ["image"]}, "url": STRING}),
        "Picture": obj(
            {"type": {"type": "string", "enum": ["image"]}, "url": STRING, "alt": STRING}
        ),
    }

    def union(image: str) -> dict[str, Any]:
        mapping = {"text": "#/components/schemas/Text", "image": f"#/components/schemas/{image}"}
        return {
            "oneOf": [ref("Text"), ref(image)],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }

    found = changes(
        write_spec,
        api(response=union("Image"), schemas=schemas),
        api(response=union("Picture"), schemas=schemas),
    )
    assert rules_of(found) == [("DRES108", "info")]
    assert found[0].message.startswith("`Picture/alt`: new optional property")


def test_union_alternatives_pair_by_a_pinned_tag_property(write_spec: WriteSpec) -> None:
    def event(kind: str, extra: str) -> dict[str, Any]:
        return obj({"type": {"type": "string", "enum": [kind]}, extra: STRING})

    old = api(response={"oneOf": [event("delta", "text"), event("done", "reason")]})
    new = api(response={"oneOf": [event("done", "reason"), event("delta", "content")]})
    found = changes(write_spec, old, new)
    assert rules_of(found) == [("DRES106", "warning"), ("DRES108", "info")]
    assert {f.message.split(":")[0] for f in found} == {
        "response 200 `oneOf[1]/content`",
        "response 200 `oneOf[1]/text`",
    }


def test_a_schema_wrapped_in_a_union_keeps_its_shape(write_spec: WriteSpec) -> None:
    old = api(request=obj({"a": STRING}), response=obj({"a": STRING}))
    wrapped = {"oneOf": [obj({"a": STRING}), STRING]}
    found = changes(write_spec, old, api(request=wrapped, response=wrapped))
    assert rules_of(found) == [("DREQ124", "info"), ("DRES120", "warning")]


def test_a_union_branch_removed_breaks_requests(write_spec: WriteSpec) -> None:
    schemas = {
        "Text": obj({"text": STRING}),
        "Image": obj({"url": STRING}),
        "Audio": obj({"data": STRING}),
    }
    old = api(request={"oneOf": [ref("Text"), ref("Image"), ref("Audio")]}, schemas=schemas)
    new = api(request={"oneOf": [ref("Text"), ref("Audio")]}, schemas=schemas)
    (found,) = changes(write_spec, old, new)
    assert (found.rule_id, found.level.value) == ("DREQ123", "breaking")
    assert found.message == (
        "request body: alternative `Image` removed; clients sending it are refused"
    )
    assert found.before is not None and found.before.pointer.endswith("/schema/oneOf/1")


# --- robustness ------------------------------------------------------------------------------


def test_malformed_schemas_are_skipped_not_raised(write_spec: WriteSpec) -> None:
    old = api(
        request=obj(
            {"a": {"$ref": "#/components/schemas/Missing"}, "b": {"type": 5}, "c": "text"},
            required="a",
        ),
        response={"allOf": "x", "oneOf": [None, {"$ref": "#/nowhere"}], "properties": []},
    )
    new = api(
        request=obj({"a": STRING, "b": {"type": ["string", 3]}, "c": [1]}, required=[None]),
        response={"anyOf": {}, "items": 3, "enum": "x", "maxLength": "10", "discriminator": 4},
    )
    changes(write_spec, old, new)


def test_a_union_branch_referring_to_its_own_union_terminates(write_spec: WriteSpec) -> None:
    schemas = {
        "Expr": {
            "anyOf": [
                STRING,
                obj({"not": ref("Expr"), "and": {"type": "array", "items": ref("Expr")}}),
            ]
        }
    }
    document = api(request=ref("Expr"), response=ref("Expr"), schemas=schemas)
    renamed = api(
        request=ref("Term"),
        response=ref("Term"),
        schemas={
            "Term": {
                "anyOf": [
                    STRING,
                    obj({"not": ref("Term"), "and": {"type": "array", "items": ref("Term")}}),
                ]
            }
        },
    )
    assert changes(write_spec, document, renamed) == []


# --- the corpus ------------------------------------------------------------------------------

CORPUS_SPECS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json"))


def _loads(path: Path) -> Document | None:
    try:
        return load_document(path)
    except LoadError:
        return None


@pytest.mark.parametrize("path", CORPUS_SPECS, ids=lambda p: p.name)
def test_a_corpus_spec_compared_with_itself_reports_nothing(path: Path) -> None:
    document = _loads(path)
    if document is None:
        pytest.skip("does not load")
    contract = build_contract(document)
    diff = SchemaDiff(contract, contract)
    compare_like_bodies(diff, contract, contract)
    for name, schema in contract.schemas.items():
        for direction in Direction:
            diff.compare(schema, schema, direction=direction, scope=name, label=name)
    assert diff.findings() == []


def _in_3_1_form(node: Any) -> Any:
    """A 3.0 schema tree rewritten in its 3.1 forms, meaning unchanged."""
    if isinstance(node, list):
        return [_in_3_1_form(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _in_3_1_form(value) for key, value in node.items()}
    if node.pop("nullable", False) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    for bound in ("maximum", "minimum"):
        exclusive = "exclusive" + bound.title()
        if node.get(exclusive) is True and bound in node:
            node[exclusive] = node.pop(bound)
        elif node.get(exclusive) is False:
            del node[exclusive]
    return node


@pytest.mark.parametrize("name", ["stripe-spec3.yaml", "oai-petstore-expanded-3.0.yaml"])
def test_a_corpus_spec_upgraded_to_3_1_forms_reports_nothing(name: str, tmp_path: Path) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("../shared/corpus is not present")
    old = load_document(CORPUS / name)
    upgraded = dict(old.data, openapi="3.1.0")
    upgraded["paths"] = _in_3_1_form(old.data["paths"])
    upgraded["components"] = _in_3_1_form(old.data.get("components", {}))
    path = tmp_path / "upgraded.json"
    path.write_text(json.dumps(upgraded, default=str))
    assert schema_findings(old, load_document(path)) == []
