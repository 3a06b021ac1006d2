"""OP rules: inheritance of path parameters, references across files, implicit uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import FIXTURES, validate_path

Write = Callable[..., Path]


def _ids(path: Path, rule_id: str) -> list[str]:
    return [f.location.pointer for f in validate_path(path) if f.rule_id == rule_id]


def test_operation_parameter_overrides_path_level_declaration(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: a
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses: {'200': {description: OK}}
    put:
      operationId: b
      responses: {'200': {description: OK}}
"""
    )
    assert _ids(spec, "OP003") == []


def test_path_level_parameter_not_in_template_is_reported_once(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get: {operationId: a, responses: {'200': {description: OK}}}
    put: {operationId: b, responses: {'200': {description: OK}}}
"""
    )
    assert _ids(spec, "OP003") == ["/paths/~1a/parameters/0"]


def test_component_used_from_another_file_counts(write_spec: Write) -> None:
    write_spec(
        """
Thing:
  type: object
  properties:
    back: {$ref: 'openapi.yaml#/components/schemas/Used'}
""",
        "shared.yaml",
    )
    spec = write_spec(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: 'shared.yaml#/Thing'}
components:
  schemas:
    Used: {type: string}
    Unused: {type: string}
"""
    )
    assert _ids(spec, "OP004") == ["/components/schemas/Unused"]


def test_components_only_document_is_a_library(write_spec: Write) -> None:
    spec = write_spec(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
components:
  schemas:
    Shared: {type: string}
"""
    )
    assert _ids(spec, "OP004") == []


def test_component_referenced_through_its_id_counts_as_used() -> None:
    """`$ref: https://example.com/schemas/owner` and `$ref: pet` (relative to an `$id`) are uses."""
    path = FIXTURES / "structural" / "ids" / "good" / "openapi.yaml"
    unused = {f.location.pointer for f in validate_path(path) if f.rule_id == "OP004"}
    assert "/components/schemas/Owner" not in unused
    assert "/components/schemas/Pet" not in unused
    # Toy is never referenced as a component: the response names toy.yaml's `$id` directly.
    assert unused == {"/components/schemas/Toy"}


BEHIND_REFERENCES = FIXTURES / "rules" / "OAS005" / "bad-multi-file" / "openapi.yaml"


def test_operations_behind_references_have_their_ids_and_path_parameters() -> None:
    rules = {f.rule_id for f in validate_path(BEHIND_REFERENCES)}
    assert rules.isdisjoint({"OP002", "OP003", "OAS001", "OAS002"}), rules
    assert "OAS005" in rules


def test_path_templates_differing_only_in_names_are_one_finding_per_group(
    write_spec: Write,
) -> None:
    ok = "{'200': {description: OK}}"
    spec = write_spec(
        f"""
openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /a/{{x}}/b: {{get: {{operationId: a, responses: {ok}}}}}
  /a/{{y}}/b: {{put: {{operationId: b, responses: {ok}}}}}
  /a/{{z}}/b: {{post: {{operationId: c, responses: {ok}}}}}
  /a/{{x}}/c: {{get: {{operationId: d, responses: {ok}}}}}
  /a/b/b: {{get: {{operationId: e, responses: {ok}}}}}
"""
    )
    findings = [f for f in validate_path(spec) if f.rule_id == "OP005"]
    assert [f.location.pointer for f in findings] == ["/paths/~1a~1{y}~1b"]
    assert [r.pointer for r in findings[0].related] == ["/paths/~1a~1{x}~1b", "/paths/~1a~1{z}~1b"]
    assert "(so is `/a/{z}/b`)" in findings[0].message
