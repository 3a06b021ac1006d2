"""EX001: OpenAPI semantics on top of JSON Schema, stream examples, wire-form values."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import validate_path

Write = Callable[..., Path]


def _messages(path: Path) -> list[str]:
    return [f.message for f in validate_path(path) if f.rule_id == "EX001"]


def _json_response(version: str, schema: str, example: str, components: str = "") -> str:
    return f"""
openapi: {version}
info: {{title: t, version: '1'}}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {schema}
              example: {example}
components:
  schemas:
    Pet: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}
{components}
"""


def test_openapi_30_nullable_beside_ref_and_allof(write_spec: Write) -> None:
    schema = """
                type: object
                properties:
                  a: {$ref: '#/components/schemas/Pet', nullable: true}
                  b: {allOf: [{$ref: '#/components/schemas/Pet'}], nullable: true}
                  c: {type: string, nullable: true, enum: [x]}"""
    spec = write_spec(_json_response("3.0.3", schema, "{a: null, b: null, c: null}"))
    assert _messages(spec) == []


def test_openapi_30_null_without_nullable_is_reported(write_spec: Write) -> None:
    spec = write_spec(_json_response("3.0.3", "{type: string}", "null"))
    assert len(_messages(spec)) == 1


def test_formats_and_read_only_are_not_enforced(write_spec: Write) -> None:
    schema = "{type: object, properties: {when: {type: string, format: date-time, readOnly: true}}}"
    spec = write_spec(_json_response("3.0.3", schema, "{when: not-a-date}"))
    assert _messages(spec) == []


def test_discriminator_selects_the_branch(write_spec: Write) -> None:
    components = """
    Cat: {type: object, properties: {kind: {type: string}, lives: {type: integer}}}
    Dog: {type: object, properties: {kind: {type: string}, bark: {type: string}}}"""
    schema = """
                oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
                discriminator: {propertyName: kind, mapping: {cat: Cat}}"""
    # both branches accept {kind: cat}: plain oneOf fails, the discriminator picks Cat
    good = write_spec(_json_response("3.1.0", schema, "{kind: cat}", components))
    assert _messages(good) == []
    bad = write_spec(
        _json_response("3.1.0", schema, "{kind: cat, lives: many}", components), "b.yaml"
    )
    assert "lives" in _messages(bad)[0]


def test_legacy_sse_schema_validates_decoded_data(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: a
      responses:
        '200':
          description: OK
          content:
            text/event-stream:
              schema: {type: object, required: [text], properties: {text: {type: string}}}
              x-sse-sentinel: '[DONE]'
              examples:
                ok: {value: "data: {\\"text\\": \\"hi\\"}\\n\\ndata: [DONE]\\n\\n"}
                bad: {value: {data: '{"text": 3}'}}
"""
    )
    messages = _messages(spec)
    assert len(messages) == 1 and "`bad`" in messages[0]


def test_json_lines_serialized_value_is_read_line_by_line(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: OK
          content:
            application/jsonl:
              itemSchema: {type: object, properties: {n: {type: integer}}}
              examples:
                lines:
                  serializedValue: |
                    {"n": 1}
                    {"n": "two"}
"""
    )
    messages = _messages(spec)
    assert len(messages) == 1 and "item 1" in messages[0]


def test_form_fields_may_be_written_as_wire_strings(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: a
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {Record: {type: boolean}, Name: {type: string}}}
            example: {Record: 'true', Name: '12'}
      responses: {'200': {description: OK}}
"""
    )
    assert _messages(spec) == []


def _form_body(
    schema: str, examples: str, media_type: str = "application/x-www-form-urlencoded"
) -> str:
    return f"""
openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /a:
    post:
      operationId: a
      requestBody:
        content:
          {media_type}:
            schema: {schema}
            examples: {examples}
      responses: {{'200': {{description: OK}}}}
"""


def test_form_fields_are_read_as_wire_text_at_any_depth(write_spec: Write) -> None:
    schema = """
              type: object
              properties:
                Ids: {type: array, items: {type: integer}}
                Filter: {type: object, properties: {on: {type: boolean}, name: {type: string}}}"""
    examples = """
              one: {value: {Ids: '5', Filter: {on: 'true', name: 12}}}
              many: {value: {Ids: ['1', '2']}}
              bad: {value: {Ids: ['1', 'two']}}"""
    messages = _messages(write_spec(_form_body(schema, examples)))
    assert len(messages) == 1 and "`bad`" in messages[0] and "'two'" in messages[0]
    # the same values in a JSON body are data, not wire text
    json_spec = write_spec(_form_body(schema, examples, "application/json"), "json.yaml")
    assert len(_messages(json_spec)) == 3


def test_wire_text_is_decoded_only_for_type_errors(write_spec: Write) -> None:
    schema = "{type: object, properties: {Status: {type: string, enum: [active, closed]}}}"
    messages = _messages(write_spec(_form_body(schema, "{numeric: {value: {Status: '1'}}}")))
    assert len(messages) == 1 and "'1' is not one of" in messages[0]


def _array_parameter(where: str, style: str, example: str) -> str:
    return f"""
openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /a/{{id}}:
    get:
      operationId: a
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
        - name: p
          in: {where}
          {style}
          schema: {{type: array, items: {{type: string, enum: [a, b]}}}}
          example: {example}
      responses: {{'200': {{description: OK}}}}
"""


def test_array_parameters_are_split_as_their_style_joins_them(write_spec: Write) -> None:
    cases = [
        ("header", "", "'a,b'"),  # simple
        ("query", "explode: false", "'a,b'"),  # form, not exploded
        ("query", "style: pipeDelimited\n          explode: false", "'a|b'"),
        ("query", "", "a"),  # form, exploded: one occurrence of `p=a`
    ]
    for index, (where, style, example) in enumerate(cases):
        spec = write_spec(_array_parameter(where, style, example), f"{index}.yaml")
        assert _messages(spec) == [], (where, style, example)
    # exploded, `a,b` is one value, and not one of the allowed ones
    exploded = write_spec(_array_parameter("query", "", "'a,b'"), "exploded.yaml")
    assert "'a,b' is not one of" in _messages(exploded)[0]


def test_read_only_and_write_only_lift_required_by_direction(write_spec: Write) -> None:
    spec = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: a
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/User'}
            examples:
              ok: {value: {name: n, password: p}}
              bad: {value: {password: p}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
              examples:
                ok: {value: {id: 1, name: n}}
                bad: {value: {name: n}}
components:
  schemas:
    User:
      type: object
      required: [id, name, password]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
"""
    messages = _messages(write_spec(spec))
    assert len(messages) == 2
    assert "request body" in messages[0] and "'name' is a required" in messages[0]
    assert "response 200" in messages[1] and "'id' is a required" in messages[1]


def test_valid_examples_of_a_small_spec_never_load_python_jsonschema(write_spec: Write) -> None:
    """The jsonschema-rs quick path accepts them; python-jsonschema's import is start-up cost."""
    spec = write_spec(_json_response("3.1.0", "{$ref: '#/components/schemas/Pet'}", "{name: Rex}"))
    code = (
        "import sys; from pathlib import Path; from tests.conftest import validate_path; "
        f"found = [f for f in validate_path(Path({str(spec)!r})) if f.rule_id == 'EX001']; "
        "assert found == [], found; "
        "assert 'jsonschema' not in sys.modules, 'python-jsonschema was imported'"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_quick_path_rejections_are_judged_by_the_full_checker(write_spec: Write) -> None:
    spec = write_spec(_json_response("3.1.0", "{$ref: '#/components/schemas/Pet'}", "{name: 7}"))
    assert _messages(spec) == [
        "GET /a: example of response 200 (application/json) does not match its schema: "
        "at /name: 7 is not of type 'string'"
    ]


ARABIC_DIGITS = "\u0661\u0662\u0663"


def test_patterns_match_as_ecma_262_in_every_keyword_built_on_them() -> None:
    """python-jsonschema searches with jsonschema-rs, not Python's backtracking `re`.

    ECMA-262's `\\d` is ASCII only (Python's takes any Unicode digit); a backtracking pattern
    such as `^(a+)+$` is tests/cli/test_hostile.py's, where a hang can be bounded.
    """
    from contractgen.validate.oas_schema import openapi_validator_class

    validator_class = openapi_validator_class(legacy=False)
    digits = validator_class({"type": "string", "pattern": "^\\d+$"})
    assert digits.is_valid("123")
    assert not digits.is_valid(ARABIC_DIGITS)
    keys = {"patternProperties": {"^x-\\d$": {"type": "integer"}}}
    additional = validator_class({**keys, "additionalProperties": False})
    unevaluated = validator_class({**keys, "unevaluatedProperties": False})
    for validator in (additional, unevaluated):
        assert validator.is_valid({"x-1": 1})
        assert not validator.is_valid({"x-1": "one"})
        assert not validator.is_valid({"x-" + ARABIC_DIGITS[0]: 1})


@pytest.mark.parametrize("legacy", [False, True], ids=["2020-12", "draft-4"])
@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([1, 1.0], False),
        ([True, 1], True),
        ([False, 0, None, "", [], {}], True),
        ([{"a": 1, "b": [1, {"c": 2}]}, {"b": [1, {"c": 2}], "a": 1.0}], False),
        ([[1, 2], [2, 1]], True),
        ([{"a": True}, {"a": 1}], True),
        (["a", "a"], False),
        ([[{"a": 1}], [{"a": 1}]], False),
    ],
)
def test_unique_items_follows_json_schema_equality(
    legacy: bool, items: list[object], unique: bool
) -> None:
    """1 == 1.0, true != 1, key order is irrelevant, array order is not."""
    from contractgen.validate.oas_schema import openapi_validator_class

    validator = openapi_validator_class(legacy)({"uniqueItems": True})
    assert validator.is_valid(items) is unique
