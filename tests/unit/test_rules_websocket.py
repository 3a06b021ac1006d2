"""WS rules: what counts as a discriminated message union."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import validate_path

Write = Callable[..., Path]

SPEC = """
openapi: 3.2.0
info: {{title: t, version: '1'}}
paths:
  /ws:
    get:
      operationId: ws
      responses: {{'101': {{description: Upgrade}}}}
      x-contract-limits: {{websocket: {{maxMessageBytes: {{inbound: 1, outbound: 1}}}}}}
      x-contract-websocket:
        clientMessages: {client}
        serverMessages: {{$ref: '#/components/schemas/Server'}}
components:
  schemas:
    Server:
      oneOf: [{{$ref: '#/components/schemas/A'}}, {{$ref: '#/components/schemas/B'}}]
      discriminator: {{propertyName: type}}
    A: {{type: object, properties: {{type: {{type: string}}}}}}
    B: {{type: object, properties: {{type: {{type: string}}}}}}
"""


def _pointers(path: Path) -> list[str]:
    return [f.location.pointer for f in validate_path(path) if f.rule_id == "WS001"]


def test_openapi_discriminator_names_unpinned_branches(write_spec: Write) -> None:
    spec = write_spec(SPEC.format(client="{$ref: '#/components/schemas/Server'}"))
    assert _pointers(spec) == []


def test_single_schema_is_not_a_union(write_spec: Write) -> None:
    spec = write_spec(SPEC.format(client="{type: object}"))
    assert _pointers(spec) == ["/paths/~1ws/get/x-contract-websocket/clientMessages"]
