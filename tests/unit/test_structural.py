"""Structural rules OAS001-OAS005: one finding per mistake, at the right pointer and line."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from contractgen.load.document import Document, LoadOptions, load_document
from contractgen.model.build import build_contract
from contractgen.report.finding import Finding
from contractgen.validate.registry import RuleContext, catalogue
from tests.conftest import CORPUS, FIXTURES

WriteSpec = Callable[..., Path]
STRUCTURAL = ("OAS001", "OAS002", "OAS003", "OAS004", "OAS005")

INFO = "info: {title: Pets, version: '1.0'}\n"


def run(document: Document, *rule_ids: str) -> list[Finding]:
    """Findings of the given rules (all structural ones by default), positioned."""
    context = RuleContext(build_contract(document), document)
    rules = catalogue()
    findings = [f for rule_id in rule_ids or STRUCTURAL for f in rules[rule_id].run(context)]
    return [
        Finding(f.rule_id, f.level, f.message, document.locate(f.location), f.related)
        for f in findings
    ]


def spec(write_spec: WriteSpec, text: str, name: str = "openapi.yaml") -> Document:
    return load_document(write_spec(textwrap.dedent(text), name))


def summary(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return sorted((f.rule_id, f.location.pointer, f.location.line) for f in findings)


# --- OAS001 -----------------------------------------------------------------------------------

PETS_30 = """\
openapi: 3.0.3
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      parameters:
        - name: limit
          in: query
          schema: {type: integer}
      responses:
        "200":
          description: The pets
          content:
            application/json:
              schema:
                type: object
                properties:
                  name: {type: string}
"""


def test_oas001_valid_document_has_no_findings(write_spec: WriteSpec) -> None:
    assert run(spec(write_spec, PETS_30)) == []


def test_oas001_typo_in_schema_type_is_one_finding_at_type(write_spec: WriteSpec) -> None:
    document = spec(write_spec, PETS_30.replace("name: {type: string}", "name: {type: strng}"))
    findings = run(document)
    pointer = (
        "/paths/~1pets/get/responses/200/content/application~1json/schema/properties/name/type"
    )
    assert summary(findings) == [("OAS001", pointer, 18)]
    assert '"strng" is not one of' in findings[0].message and '"string"' in findings[0].message


def test_oas001_missing_responses_is_one_finding_at_operation(write_spec: WriteSpec) -> None:
    text = PETS_30.split("      responses:")[0]
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get", 5)]
    assert findings[0].message == "missing required field 'responses' in Operation Object"


def test_oas001_unknown_operation_field_points_at_the_field(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("    get:\n", "    get:\n      summry: List pets\n")
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get/summry", 6)]
    assert "unknown field 'summry' in Operation Object" in findings[0].message


def test_oas001_bad_parameter_location_lists_every_location(write_spec: WriteSpec) -> None:
    findings = run(spec(write_spec, PETS_30.replace("in: query", "in: querry")))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get/parameters/0/in", 8)]
    assert findings[0].message == '"querry" is not one of "path", "query", "header", "cookie"'


@pytest.mark.parametrize("version", ["3.1.0", "3.2.0"])
def test_oas001_later_versions_report_the_same_mistakes(
    write_spec: WriteSpec, version: str
) -> None:
    text = (
        PETS_30.replace("3.0.3", version)
        .replace("in: query", "in: querry")
        .replace("    get:\n", "    get:\n      summry: List pets\n")
    )
    findings = run(spec(write_spec, text))
    assert summary(findings) == [
        ("OAS001", "/paths/~1pets/get/parameters/0/in", 9),
        ("OAS001", "/paths/~1pets/get/summry", 6),
    ]


def test_oas001_reference_with_bad_ref_reports_the_ref(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("schema: {type: integer}", "schema: {$ref: 5}")
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get/parameters/0/schema/$ref", 9)]
    assert findings[0].message == "expected string, not integer 5"


def test_oas001_digit_keys_keep_their_spelling(write_spec: WriteSpec) -> None:
    text = PETS_30 + 'components:\n  schemas:\n    "007": {type: strng}\n'
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/components/schemas/007/type", 21)]


def test_oas001_item_schema_in_30_is_one_finding(write_spec: WriteSpec) -> None:
    text = PETS_30.replace(
        "            application/json:\n",
        "            application/jsonl:\n              itemSchema: {type: strng}\n"
        "            application/json:\n",
    )
    findings = run(spec(write_spec, text))
    pointer = "/paths/~1pets/get/responses/200/content/application~1jsonl/itemSchema"
    assert summary(findings) == [("OAS001", pointer, 15)]


def test_oas001_typo_of_a_required_field_is_one_did_you_mean(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("description: The pets", "descrption: The pets")
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get/responses/200/descrption", 12)]
    message = "unknown field 'descrption' in Response Object (did you mean 'description'?)"
    assert findings[0].message == message


def test_oas001_unknown_field_suggests_a_declared_one(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("    get:\n", "    get:\n      summry: List pets\n")
    findings = run(spec(write_spec, text))
    assert findings[0].message == (
        "unknown field 'summry' in Operation Object (did you mean 'summary'?)"
    )


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_oas001_parameter_variants_read_as_one_problem(write_spec: WriteSpec, version: str) -> None:
    text = (
        PETS_30.replace("3.0.3", version)
        .replace("/pets:", "/pets/{id}:")
        .replace(
            "        - name: limit\n",
            "        - {name: id, in: path, schema: {type: string}}\n"
            "        - {name: both, in: query, schema: {type: string}, content: {text/plain: {}}}\n"
            "        - {name: neither, in: query}\n"
            "        - name: limit\n",
        )
    )
    findings = run(spec(write_spec, text))
    base = "/paths/~1pets~1{id}/get/parameters"
    assert summary(findings) == [
        ("OAS001", f"{base}/0", 7),
        ("OAS001", f"{base}/1", 8),
        ("OAS001", f"{base}/2", 9),
    ]
    messages = [f.message for f in sorted(findings, key=lambda f: f.location.pointer)]
    assert messages[0].startswith("missing required field 'required'")
    assert messages[1].startswith("use either 'schema' or 'content'")
    assert (
        messages[2].startswith("missing required field") and "'schema' or 'content'" in messages[2]
    )


def test_oas001_31_discriminating_value_hides_unevaluated_fields(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("3.0.3", "3.1.0") + (
        "components:\n  securitySchemes:\n    key: {type: apikey, name: key, in: header}\n"
    )
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/components/securitySchemes/key/type", 21)]
    assert '"apikey" is not one of "apiKey"' in findings[0].message


def test_oas001_wrong_type_is_not_also_a_wrong_enum(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("schema: {type: integer}", "schema: {type: [integer, 'null']}")
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS001", "/paths/~1pets/get/parameters/0/schema/type", 9)]
    assert findings[0].message == 'expected string, not array ["integer", "null"]'


# --- OAS002 -----------------------------------------------------------------------------------

REFS = """\
openapi: 3.1.0
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      parameters:
        - $ref: "#/components/parameters/Nope"
        - $ref: "common/params.yaml#/Limit"
        - $ref: "common/missing.yaml#/Limit"
        - $ref: "../outside.yaml#/Limit"
        - $ref: "https://example.com/params.yaml#/Limit"
        - $ref: "#limit"
      responses:
        "200":
          description: The pets
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
              example: {$ref: "data, not a reference"}
              examples:
                one:
                  value: {$ref: "data, not a reference"}
components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
    C:
      type: object
      properties:
        example: {$ref: "#/components/schemas/Missing"}
      examples:
        - {$ref: "data, not a reference"}
"""


def _refs_spec(write_spec: WriteSpec) -> Path:
    write_spec(
        "Limit: {name: limit, in: query, schema: {$ref: '#/Nope'}}\n", "api/common/params.yaml"
    )
    write_spec("Limit: {name: limit, in: query}\n", "outside.yaml")
    return write_spec(REFS, "api/openapi.yaml")


def test_oas002_reports_each_bad_reference_once(write_spec: WriteSpec) -> None:
    document = load_document(_refs_spec(write_spec))
    findings = run(document, "OAS002")
    by_pointer = {(f.location.file.rsplit("/", 1)[-1], f.location.pointer): f for f in findings}
    assert sorted((p, f.location.line) for (_, p), f in by_pointer.items()) == [
        ("/Limit/schema", 1),
        ("/components/schemas/A", 25),  # the cycle, once: not at B, not at the schema into it
        ("/components/schemas/C/properties/example", 30),
        ("/paths/~1pets/get/parameters/0", 7),
        ("/paths/~1pets/get/parameters/2", 9),
        ("/paths/~1pets/get/parameters/3", 10),
        ("/paths/~1pets/get/parameters/4", 11),
        ("/paths/~1pets/get/parameters/5", 12),
    ]
    assert len(findings) == len(by_pointer)
    messages = {p: f.message for (_, p), f in by_pointer.items()}
    assert "points at nothing" in messages["/paths/~1pets/get/parameters/0"]
    assert "cannot be loaded" in messages["/paths/~1pets/get/parameters/2"]
    assert "leaves the spec's folder" in messages["/paths/~1pets/get/parameters/3"]
    assert "never fetches" in messages["/paths/~1pets/get/parameters/4"]
    assert "plain-name" in messages["/paths/~1pets/get/parameters/5"]
    assert "loops back" in messages["/components/schemas/A"]
    cycle = by_pointer[("openapi.yaml", "/components/schemas/A")]
    assert [r.pointer for r in cycle.related] == ["/components/schemas/B"]
    assert by_pointer[("params.yaml", "/Limit/schema")].rule_id == "OAS002"


def test_oas002_external_refs_allowed_by_option(write_spec: WriteSpec) -> None:
    path = _refs_spec(write_spec)
    document = load_document(path, LoadOptions(allow_external_refs=True))
    pointers = {f.location.pointer for f in run(document, "OAS002")}
    assert "/paths/~1pets/get/parameters/3" not in pointers
    assert "/paths/~1pets/get/parameters/4" in pointers  # URLs stay refused


def test_oas002_resolvable_references_pass(write_spec: WriteSpec) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: Pets, version: "1.0"}
        paths:
          /pets:
            get:
              parameters: [{$ref: "#/components/parameters/Limit"}]
              responses:
                "200": {$ref: "#/components/responses/Pets"}
        components:
          parameters:
            Limit: {name: limit, in: query, schema: {type: integer}}
          responses:
            Pets:
              description: The pets
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Pet"}
          schemas:
            Pet:
              type: object
              properties:
                friends: {type: array, items: {$ref: "#/components/schemas/Pet"}}
                "a/b~c": {type: string}
                alias: {$ref: "#/components/schemas/Pet/properties/a~1b~0c"}
    """
    assert run(spec(write_spec, text)) == []


@pytest.mark.parametrize(
    "target", ["#/components/schemas/~2bad", "#/components/schemas/A/0/x", "#/components/"]
)
def test_oas002_never_raises(write_spec: WriteSpec, target: str) -> None:
    text = f"""\
        openapi: 3.1.0
        info: {{title: Pets, version: "1.0"}}
        paths: {{}}
        components:
          schemas:
            A: {{type: [string]}}
            B: {{$ref: "{target}"}}
    """
    findings = run(spec(write_spec, text), "OAS002")
    assert [f.location.pointer for f in findings] == ["/components/schemas/B"]


# --- OAS003 -----------------------------------------------------------------------------------

SCHEMAS_32 = """\
openapi: 3.2.0
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      parameters:
        - name: limit
          in: query
          schema: {type: integer, minimum: 0}
      responses:
        "200":
          description: The pets
          headers:
            X-Rate-Limit:
              schema: {type: integer}
          content:
            application/jsonl:
              itemSchema: {$ref: "#/components/schemas/Pet"}
            application/json:
              schema:
                $ref: "#/components/schemas/Pets"
components:
  schemas:
    Pets:
      type: array
      items: {$ref: "#/components/schemas/Pet"}
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
"""


def test_oas003_valid_schemas_have_no_findings(write_spec: WriteSpec) -> None:
    assert run(spec(write_spec, SCHEMAS_32)) == []


def test_oas003_component_schema_problems(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32.replace("required: [name]", "required: name").replace(
        "name: {type: string}", "name: {type: strng}"
    )
    findings = run(spec(write_spec, text))
    assert summary(findings) == [
        ("OAS003", "/components/schemas/Pet/properties/name/type", 31),
        ("OAS003", "/components/schemas/Pet/required", 29),
    ]
    messages = sorted(f.message for f in findings)
    assert messages[0].startswith('"strng" is not one of "array", "boolean", "integer", "null"')
    assert messages[1] == 'expected array, not string "name"'


def test_oas003_operation_schemas_are_checked(write_spec: WriteSpec) -> None:
    text = (
        SCHEMAS_32.replace("minimum: 0", "minimum: zero")
        .replace("X-Rate-Limit:\n              schema: {type: integer}",
                 "X-Rate-Limit:\n              schema: {type: integer, maximum: [1]}")
        .replace('itemSchema: {$ref: "#/components/schemas/Pet"}',
                 "itemSchema: {type: object, minProperties: -1}")
    )  # fmt: skip
    findings = run(spec(write_spec, text))
    response = "/paths/~1pets/get/responses/200"
    assert summary(findings) == [
        ("OAS003", "/paths/~1pets/get/parameters/0/schema/minimum", 9),
        ("OAS003", f"{response}/content/application~1jsonl/itemSchema/minProperties", 18),
        ("OAS003", f"{response}/headers/X-Rate-Limit/schema/maximum", 15),
    ]


def test_oas003_reference_siblings_are_checked(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32.replace(
        '$ref: "#/components/schemas/Pets"\n',
        '$ref: "#/components/schemas/Pets"\n                maxItems: -1\n',
    )
    findings = run(spec(write_spec, text))
    pointer = "/paths/~1pets/get/responses/200/content/application~1json/schema/maxItems"
    assert summary(findings) == [("OAS003", pointer, 22)]


def test_oas003_invalid_pattern_is_reported(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32.replace("name: {type: string}", "name: {type: string, pattern: '(('}")
    findings = run(spec(write_spec, text))
    assert summary(findings) == [("OAS003", "/components/schemas/Pet/properties/name/pattern", 31)]
    assert "not a valid regular expression" in findings[0].message


def test_oas003_shared_schema_is_reported_once(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32.replace("name: {type: string}", "name: {type: strng}").replace(
        "itemSchema:", "schema: {$ref: '#/components/schemas/Pet'}\n              itemSchema:"
    )
    findings = run(spec(write_spec, text))
    assert [f.location.pointer for f in findings] == [
        "/components/schemas/Pet/properties/name/type"
    ]


def test_oas003_item_schema_in_31_is_left_to_oas001(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32.replace("3.2.0", "3.1.0").replace(
        'itemSchema: {$ref: "#/components/schemas/Pet"}', "itemSchema: {type: strng}"
    )
    findings = run(spec(write_spec, text))
    pointer = "/paths/~1pets/get/responses/200/content/application~1jsonl/itemSchema"
    assert summary(findings) == [("OAS001", pointer, 18)]


def test_oas003_declared_dialect_is_used(write_spec: WriteSpec) -> None:
    text = SCHEMAS_32 + (
        "    Legacy:\n"
        "      $schema: http://json-schema.org/draft-04/schema#\n"
        "      type: number\n"
        "      minimum: 0\n"
        "      exclusiveMinimum: true\n"
        "    Custom:\n"
        "      $schema: https://example.com/my-dialect\n"
        "      type: strng\n"
    )
    assert run(spec(write_spec, text)) == []


def test_oas003_not_run_on_30(write_spec: WriteSpec) -> None:
    text = PETS_30.replace("name: {type: string}", "name: {type: strng}")
    assert {f.rule_id for f in run(spec(write_spec, text))} == {"OAS001"}


# --- OAS004 -----------------------------------------------------------------------------------

LEGACY_31 = """\
openapi: 3.1.0
info: {title: Prices, version: "1.0"}
paths:
  /prices:
    get:
      responses:
        "200":
          description: The prices
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Price"}
components:
  schemas:
    Price:
      type: object
      properties:
        nullable: {type: boolean}
        amount:
          type: number
          minimum: 0
          exclusiveMinimum: true
          example: 1.5
        note:
          type: string
          nullable: true
        tiers:
          type: array
          items:
            allOf:
              - $defs:
                  limit: {type: integer, maximum: 10, exclusiveMaximum: false}
              - anyOf:
                  - {nullable: true}
"""


def test_oas003_oas004_report_3_0_keywords_with_advice(write_spec: WriteSpec) -> None:
    findings = run(spec(write_spec, LEGACY_31))
    base = "/components/schemas/Price/properties"
    assert summary(findings) == [
        ("OAS003", f"{base}/amount/exclusiveMinimum", 23),
        ("OAS003", f"{base}/tiers/items/allOf/0/$defs/limit/exclusiveMaximum", 33),
        ("OAS004", f"{base}/note/nullable", 27),
        ("OAS004", f"{base}/tiers/items/allOf/1/anyOf/0/nullable", 35),
    ]
    messages = {f.location.pointer.rsplit("/", 2)[-2]: f.message for f in findings}
    assert "`exclusiveMinimum: 0` and drop `minimum`" in messages["amount"]
    assert 'type: [string, "null"]' in messages["note"]
    assert "remove it (`maximum` alone is inclusive)" in messages["limit"]
    assert {f.rule_id: f.level for f in findings} == {"OAS003": "error", "OAS004": "warning"}


def test_oas003_boolean_bound_is_one_error_in_total(write_spec: WriteSpec) -> None:
    text = """\
        openapi: 3.2.0
        info: {title: Prices, version: "1.0"}
        paths: {}
        components:
          schemas:
            Price: {type: number, minimum: 0, exclusiveMinimum: true}
            Rate: {type: number, exclusiveMaximum: true}
    """
    findings = run(spec(write_spec, text))
    assert summary(findings) == [
        ("OAS003", "/components/schemas/Price/exclusiveMinimum", 6),
        ("OAS003", "/components/schemas/Rate/exclusiveMaximum", 7),
    ]
    messages = {f.location.pointer: f.message for f in findings}
    rate = messages["/components/schemas/Rate/exclusiveMaximum"]
    assert "write the limit itself: `exclusiveMaximum: <number>`" in rate


def test_oas004_quiet_on_30_and_on_modern_schemas(write_spec: WriteSpec) -> None:
    text_30 = PETS_30.replace("name: {type: string}", "name: {type: string, nullable: true}")
    assert run(spec(write_spec, text_30)) == []
    modern = (
        LEGACY_31.replace("          exclusiveMinimum: true\n", "")
        .replace("type: string\n          nullable: true", "type: [string, 'null']")
        .replace("{nullable: true}", "{type: 'null'}")
        .replace("maximum: 10, exclusiveMaximum: false", "exclusiveMaximum: 10")
    )
    assert run(spec(write_spec, modern)) == []


# --- the catalogue's examples -----------------------------------------------------------------


@pytest.mark.parametrize("rule_id", STRUCTURAL)
def test_catalogue_examples_trigger_the_rule(write_spec: WriteSpec, rule_id: str) -> None:
    rule = catalogue()[rule_id]
    for kind, example in (("bad", rule.bad), ("good", rule.good)):
        data = yaml.safe_load(example)
        data.setdefault("openapi", "3.1.0")
        data.setdefault("info", {"title": "Example", "version": "1"})
        data.setdefault("paths", {})
        document = load_document(write_spec(yaml.safe_dump(data), f"{kind}.yaml"))
        reported = [f for f in run(document) if f.rule_id == rule_id]
        assert bool(reported) == (kind == "bad"), (kind, reported)


# --- the corpus -------------------------------------------------------------------------------

CORPUS_FILES = sorted(
    path
    for path in CORPUS.glob("*")
    if path.suffix in (".yaml", ".json") and "2.0" not in path.name
)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS_FILES, reason="corpus not available")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_corpus_never_raises(path: Path) -> None:
    """How fast the structural rules are is bench/validate.py's business, not a unit test's."""
    document = load_document(path)
    context = RuleContext(build_contract(document), document)
    rules = catalogue()
    findings = [f for rule_id in STRUCTURAL for f in rules[rule_id].run(context)]
    if path.name.startswith(("oai-", "learn-")):
        assert findings == []


# --- objects in other files (OAS001), schemas outside operations (OAS003/OAS004), `$id` -----

STRUCTURAL_FIXTURES = FIXTURES / "structural"


def located(findings: list[Finding]) -> list[tuple[str, str, str, int | None]]:
    """(rule, file relative to the fixture folder, pointer, line) of each finding, sorted."""
    return sorted(
        (f.rule_id, f.location.file.split("/structural/", 1)[1].split("/", 2)[2],
         f.location.pointer, f.location.line)
        for f in findings
    )  # fmt: skip


def fixture(name: str, kind: str) -> Document:
    return load_document(STRUCTURAL_FIXTURES / name / kind / "openapi.yaml")


def test_oas001_checks_objects_in_other_files_as_the_kind_their_ref_expects() -> None:
    findings = run(fixture("referenced", "bad"), "OAS001")
    callback = "/callbacks/OnEvent/{$request.body#~1url}/post/responses/200/descriptio"
    assert located(findings) == [
        ("OAS001", "common.yaml", callback, 22),
        ("OAS001", "common.yaml", "/examples/One/summary", 15),
        ("OAS001", "common.yaml", "/headers/Rate/style", 11),
        ("OAS001", "common.yaml", "/links/Self/parameterz", 13),
        ("OAS001", "common.yaml", "/parameters/Limit/in", 2),
        ("OAS001", "common.yaml", "/requestBodies/Owner/requird", 6),
        ("OAS001", "common.yaml", "/responses/NotFound/descriptio", 9),
        ("OAS001", "common.yaml", "/securitySchemes/Key/in", 17),
        ("OAS001", "paths/pets.yaml", "/get/summry", 2),
    ]
    messages = {f.location.pointer: f.message for f in findings}
    assert "in Response Object (did you mean 'description'?)" in messages[callback]
    assert "in Operation Object (did you mean 'summary'?)" in messages["/get/summry"]
    assert '"querry" is not one of' in messages["/parameters/Limit/in"]


def test_oas001_referenced_objects_pass_when_fixed() -> None:
    # The extension's `descriptio` stays: data under `x-` is not an OpenAPI object.
    assert run(fixture("referenced", "good")) == []


def test_oas001_30_schemas_in_other_files_are_checked_where_referenced(
    write_spec: WriteSpec,
) -> None:
    write_spec("Pet:\n  properties:\n    tag: {$ref: '#/Tag'}\nTag: {type: strng}\n"
               "Unused: {type: strng}\n", "schemas.yaml")  # fmt: skip
    text = PETS_30.replace("name: {type: string}", "pet: {$ref: 'schemas.yaml#/Pet'}")
    findings = run(spec(write_spec, text), "OAS001")
    assert [(f.location.file.rsplit("/", 1)[1], f.location.pointer, f.location.line)
            for f in findings] == [("schemas.yaml", "/Tag/type", 4)]  # fmt: skip


def test_oas001_targets_in_the_root_file_are_not_checked_twice(write_spec: WriteSpec) -> None:
    write_spec("Limit: {$ref: 'openapi.yaml#/components/parameters/Limit'}\n", "common.yaml")
    text = """\
        openapi: 3.1.0
        info: {title: Pets, version: "1.0"}
        paths:
          /pets:
            get:
              parameters: [{$ref: "common.yaml#/Limit"}]
              responses: {"200": {description: ok}}
        components:
          parameters:
            Limit: {name: limit, in: querry, schema: {type: integer}}
    """
    findings = run(spec(write_spec, text), "OAS001")
    assert summary(findings) == [("OAS001", "/components/parameters/Limit/in", 10)]


def test_placement_at_reads_the_expected_object_off_a_pointer() -> None:
    from contractgen.validate.object_kinds import placement_at

    def kind(start: str, tokens: list[str]) -> str | None:
        placement = placement_at(start, tokens)
        return placement[1] if placement is not None and placement[0] == "one" else None

    assert kind("openapi", ["paths", "/a"]) == "path-item"
    assert kind("openapi", ["paths", "/a", "get", "responses", "404"]) == "response"
    assert kind("openapi", ["paths", "/a", "parameters", "0"]) == "parameter"
    assert kind("path-item", ["post", "requestBody", "content", "a/b", "schema"]) == "schema"
    assert kind("openapi", ["components", "mediaTypes", "Events"]) == "media-type"
    assert kind("schema", ["items", "0", "properties", "a", "allOf", "1"]) == "schema"
    assert placement_at("openapi", ["paths", "x-stash", "a"]) is None
    assert placement_at("openapi", ["components", "examples", "A", "value"]) is None
    assert placement_at("schema", ["default"]) is None
    assert placement_at("operation", ["parameters", "name"]) is None
    # Where a `$ref` may stand for a whole map or list, and for objects OAS001 also knows.
    assert placement_at("operation", ["parameters"]) == ("list", "parameter")
    assert placement_at("response", ["content"]) == ("map", "media-type")
    assert placement_at("openapi", ["paths", "/a", "get"]) == ("one", "operation")
    assert placement_at("openapi", ["paths", "/a", "get", "responses"]) == ("one", "responses")
    assert placement_at("openapi", ["info", "license"]) == ("one", "license")
    assert placement_at("schema", ["properties", "a", "discriminator"]) == ("one", "discriminator")
    assert placement_at("openapi", ["x-operations", "list"]) is None


def test_root_placement_agrees_with_placement_at_for_every_pointer() -> None:
    from contractgen.location import escape_token, split_pointer
    from contractgen.validate.object_kinds import placement_at, root_placement

    document = load_document(FIXTURES / "rules" / "OAS003" / "bad.yaml")
    pointers = ["/components/x-a/b"]
    stack: list[tuple[str, object]] = [("", document.data)]
    while stack:  # every node of the document
        pointer, node = stack.pop()
        pointers.append(pointer)
        if isinstance(node, dict):
            stack.extend((f"{pointer}/{escape_token(k)}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(node))
    for pointer in pointers:
        expected = placement_at("openapi", split_pointer(pointer))
        assert root_placement(document, pointer) == expected, pointer


def test_oas003_oas004_check_schemas_outside_path_operations() -> None:
    findings = run(fixture("schemas", "bad"), "OAS003", "OAS004")
    callback = "/{$request.body#~1url}/post"
    json = "application~1json"
    assert located(findings) == [
        ("OAS003", "external.yaml", "/Pet/required", 1),
        ("OAS003", "openapi.yaml",
         f"/components/callbacks/Hook{callback}/responses/200/content/{json}/schema/type/0", 61),
        ("OAS003", "openapi.yaml", "/components/headers/Rate/schema/type", 35),
        ("OAS003", "openapi.yaml",
         f"/components/parameters/Filter/content/{json}/schema/required", 33),
        ("OAS003", "openapi.yaml", "/components/parameters/Limit/schema/exclusiveMinimum", 27),
        ("OAS003", "openapi.yaml",
         f"/components/responses/Pets/content/{json}/schema/properties/name/type", 43),
        ("OAS003", "openapi.yaml",
         f"/paths/~1pets/get/callbacks/onEvent{callback}/requestBody/content/{json}/schema/type",
         15),
        ("OAS004", "external.yaml",
         f"/Shared/content/{json}/schema/properties/id/nullable", 6),
        ("OAS004", "openapi.yaml", "/components/mediaTypes/Events/itemSchema/nullable", 52),
        ("OAS004", "openapi.yaml", "/components/responses/Pets/headers/X-Next/schema/nullable", 40),
        ("OAS004", "openapi.yaml", "/webhooks/newPet/post/parameters/0/schema/nullable", 22),
    ]  # fmt: skip
    type_list = next(f for f in findings if f.location.pointer.endswith("/type/0"))
    assert type_list.message.startswith('"strng" is not one of')


def test_oas003_oas004_schemas_outside_path_operations_pass_when_fixed() -> None:
    assert run(fixture("schemas", "good")) == []


def test_oas002_resolves_refs_through_declared_ids() -> None:
    document = fixture("ids", "good")
    assert run(document) == []
    ref = "https://example.com/schemas/toy#/properties/name"
    toy = document.resolve(ref, document.root.location())
    assert toy.location.file.endswith("schemas/toy.yaml")
    assert (toy.location.pointer, toy.value) == ("/properties/name", {"type": "string"})


def test_oas002_reports_refs_no_declared_id_matches() -> None:
    findings = run(fixture("ids", "bad"), "OAS002")
    assert located(findings) == [
        ("OAS002", "openapi.yaml", "/components/schemas/Owner/properties/food", 25),
        ("OAS002", "openapi.yaml", "/components/schemas/Owner/properties/pet", 23),
        ("OAS002", "openapi.yaml", "/components/schemas/Owner/properties/tag", 24),
        ("OAS002", "openapi.yaml",
         "/paths/~1owners/get/responses/201/content/application~1json/schema", 16),
    ]  # fmt: skip
    messages = {f.location.pointer.rsplit("/", 1)[1]: f.message for f in findings}
    assert "never fetches" in messages["food"]
    assert "plain-name" in messages["tag"]
    assert "points at nothing" in messages["schema"]


def test_oas002_ids_are_not_used_in_30(write_spec: WriteSpec) -> None:
    text = PETS_30.replace(
        "name: {type: string}", "name: {$ref: 'https://example.com/pet'}\n"
        "components:\n  schemas:\n    Pet: {$id: 'https://example.com/pet', type: object}",
    )  # fmt: skip
    findings = run(spec(write_spec, text), "OAS002")
    assert [f.message for f in findings if "never fetches" in f.message]


# --- `$ref` where OpenAPI allows none (OAS005, and OAS001 on what it names) -------------------

MISPLACED = """\
openapi: 3.0.3
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get: {$ref: "#/x-operations/listPets"}
    post: {$ref: "operations.yaml#/addPet"}
  /owners:
    get: {$ref: "#/x-operations/listOwners"}
x-operations:
  listPets:
    operationId: listPets
    summry: List pets
    responses: {"200": {description: ok}}
  listOwners:
    operationId: listOwners
    responses: {"200": {$ref: "#/x-responses/owners"}}
x-responses:
  owners: {descriptio: The owners}
"""


def test_oas001_checks_what_a_misplaced_ref_names_and_not_the_ref(write_spec: WriteSpec) -> None:
    write_spec("addPet:\n  operationId: addPet\n  responses: {}\n", "operations.yaml")
    findings = run(spec(write_spec, MISPLACED), "OAS001", "OAS005")
    assert summary(findings) == [
        ("OAS001", "/addPet/responses", 3),
        ("OAS001", "/x-operations/listPets/summry", 12),
        ("OAS001", "/x-responses/owners/descriptio", 18),
        ("OAS005", "/paths/~1pets/get", 5),
    ]
    messages = {f.location.pointer: f.message for f in findings}
    assert "in Operation Object" in messages["/x-operations/listPets/summry"]
    assert "in Response Object" in messages["/x-responses/owners/descriptio"]
    placement = messages["/paths/~1pets/get"]
    assert "an Operation Object" in placement and "(3 places, this is the first)" in placement


def test_oas005_is_one_finding_per_kind_of_object(write_spec: WriteSpec) -> None:
    text = PETS_30.replace(
        '        "200":\n', '        $ref: "#/x-responses/all"\n        "200":\n', 1
    )
    text = text.replace(
        "      parameters:\n", "      parameters: {$ref: '#/x-parameters'}\n      x-was:\n"
    )
    text += 'x-responses:\n  all: {"200": {description: ok}}\nx-parameters: []\n'
    findings = run(spec(write_spec, text), "OAS005")
    assert [(f.location.pointer, f.message.split(",")[0]) for f in findings] == [
        ("/paths/~1pets/get/parameters", "`$ref` in place of a whole list of Parameter Objects"),
        ("/paths/~1pets/get/responses", "`$ref` in place of a Responses Object"),
    ]


def test_a_media_type_ref_is_standard_from_3_2_on(write_spec: WriteSpec) -> None:
    text = """\
        openapi: {version}
        info: {{title: Pets, version: "1.0"}}
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json: {{$ref: "#/components/x-media/pets"}}
        components:
          x-media:
            pets: {{schema: {{type: object}}}}
    """
    for version, expected in (("3.1.1", ["OAS005"]), ("3.2.0", [])):
        findings = run(spec(write_spec, text.format(version=version)))
        assert [f.rule_id for f in findings] == expected, version
