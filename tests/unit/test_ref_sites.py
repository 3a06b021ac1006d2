"""What counts as a reference: where a `$ref` stands, discriminator mappings, long chains."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from contractgen.load import collect
from contractgen.load.document import MAX_REF_HOPS, Document, RefError, Resolved, load_document
from contractgen.location import Location
from contractgen.model.build import build_contract
from contractgen.report.finding import Finding
from contractgen.validate.registry import RuleContext, catalogue
from tests.conftest import validate_path

WriteSpec = Callable[..., Path]
HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"


def sites(document: Document) -> dict[str, str]:
    return {site.location.pointer: site.target for site in document.ref_sites()}


def run(document: Document, rule_id: str) -> list[Finding]:
    context = RuleContext(build_contract(document), document)
    return list(catalogue()[rule_id].run(context))


# --- where a `$ref` is a reference -----------------------------------------------------------

EXTENSIONS_AND_NAMES = (
    HEAD
    + """\
paths:
  /a:
    get:
      x-codeSamples: [{lang: ts, source: {$ref: ./snippets/a.ts}}]
      x-fern-examples: [{code: {$ref: ./snippets/b.ts}}]
      responses:
        '200':
          description: ok
          headers:
            x-request-id: {$ref: '#/components/headers/Id'}
          content:
            text/event-stream:
              x-oai-itemSchema: {$ref: '#/components/schemas/Event'}
              x-vendor: {schema: {$ref: ./vendor.yaml}}
              example: {$ref: data}
              examples:
                one: {value: {$ref: data}, dataValue: {$ref: data}}
                two: {$ref: '#/components/examples/Two'}
        x-rate-limited: {$ref: ./rate-limited.yaml}
      x-contract-websocket:
        clientMessages: {$ref: '#/components/schemas/Client'}
        closeCodes: {$ref: './close.yaml'}
x-webhooks:
  ping: {post: {requestBody: {$ref: '#/components/requestBodies/Ping'}}}
components:
  x-stash: {Old: {$ref: ./old.yaml}}
  responses:
    x-not-found: {$ref: '#/components/responses/NotFound'}
  schemas:
    Event:
      properties:
        x-trace: {$ref: '#/components/schemas/Trace'}
        example: {$ref: '#/components/schemas/Example'}
        default: {$ref: '#/components/schemas/Default'}
      examples: [{$ref: data}]
      default: {$ref: data}
      x-expansionResources: {oneOf: [{$ref: '#/components/schemas/Expanded'}]}
"""
)


def test_refs_in_extensions_and_data_are_not_references(write_spec: WriteSpec) -> None:
    document = load_document(write_spec(EXTENSIONS_AND_NAMES))
    found = sites(document)
    assert sorted(found.values()) == [
        "#/components/examples/Two",
        "#/components/headers/Id",
        "#/components/requestBodies/Ping",
        "#/components/responses/NotFound",
        "#/components/schemas/Client",
        "#/components/schemas/Default",
        "#/components/schemas/Event",
        "#/components/schemas/Example",
        "#/components/schemas/Trace",
    ]
    assert found["/components/schemas/Event/properties/x-trace"] == "#/components/schemas/Trace"
    assert "/components/responses/x-not-found" in found  # a name, not an extension


def test_refs_in_extensions_are_neither_loaded_nor_reported(write_spec: WriteSpec) -> None:
    document = load_document(write_spec(EXTENSIONS_AND_NAMES))
    findings = run(document, "OAS002")
    assert list(document.files) == [document.root.display]  # no file the extensions name
    assert all(f.message.startswith("$ref '#/components/") for f in findings)
    reported = {f.location.pointer for f in findings}
    assert "/paths/~1a/get/responses/200/headers/x-request-id" in reported  # a name: followed


def test_the_websocket_fields_that_hold_references_are_its_schema_objects() -> None:
    """`collect.WEBSOCKET_SCHEMA_FIELDS` is what the shipped schema declares as Schema Objects,
    and no other `x-contract-*` extension has any."""
    schema_fields = {}
    for entry in resources.files("contractgen.schemas").iterdir():
        name = entry.name.removesuffix(".schema.json")
        properties = json.loads(entry.read_text()).get("properties", {})
        schema_fields[name] = {
            field
            for field, value in properties.items()
            if value.get("$ref") == "#/$defs/schemaObject"
        }
    assert schema_fields.pop("x-contract-websocket") == collect.WEBSOCKET_SCHEMA_FIELDS
    assert not any(schema_fields.values())


def test_integer_keys_in_data_become_strings_too(write_spec: WriteSpec) -> None:
    text = (
        HEAD + "paths: {}\nx-vendor: {200: a}\ncomponents:\n  examples:\n    A: {value: {1: b}}\n"
    )
    document = load_document(write_spec(text))
    assert document.data["x-vendor"] == {"200": "a"}
    assert document.data["components"]["examples"]["A"]["value"] == {"1": "b"}


def test_refs_in_an_extension_value_that_a_reference_names_count(write_spec: WriteSpec) -> None:
    """A stash of Operations under `x-`: referenced, it is read as bundlers read it."""
    text = (
        HEAD
        + """\
paths:
  /a:
    get: {$ref: '#/x-operations/getA'}
x-operations:
  getA:
    operationId: getA
    responses:
      '200': {$ref: '#/components/responses/A'}
      '404': {$ref: '#/components/responses/Gone'}
  unused:
    responses: {'200': {$ref: '#/components/responses/Nowhere'}}
components:
  responses:
    A: {description: ok}
"""
    )
    findings = validate_path(write_spec(text))
    reported = [(f.rule_id, f.location.pointer) for f in findings if f.rule_id.startswith("O")]
    assert ("OAS002", "/x-operations/getA/responses/404") in reported
    assert not [f for f in reported if f[0] == "OP004"]  # components/responses/A is used
    assert not [f for f in reported if "unused" in f[1]]  # nothing names that one


# --- discriminator mappings ------------------------------------------------------------------

MAPPINGS = """\
openapi: 3.2.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Event:
      oneOf: [{$ref: '#/components/schemas/Ok'}]
      discriminator:
        propertyName: type
        defaultMapping: Ok
        mapping: {ok: Ok, bad: '#/components/schemas/ErrMessage', file: 'events.yaml#/Gone'}
    Ok: {type: object}
    Sample:
      example: {discriminator: {mapping: {a: Nowhere}}}
"""


def test_mapping_values_are_references(write_spec: WriteSpec) -> None:
    document = load_document(write_spec(MAPPINGS))
    mapping = "/components/schemas/Event/discriminator"
    assert {s.location.pointer: s.target for s in document.mapping_sites()} == {
        f"{mapping}/defaultMapping": "Ok",
        f"{mapping}/mapping/ok": "Ok",
        f"{mapping}/mapping/bad": "#/components/schemas/ErrMessage",
        f"{mapping}/mapping/file": "events.yaml#/Gone",
    }
    ok = next(s for s in document.mapping_sites() if s.location.pointer.endswith("/ok"))
    assert document.resolve_mapping(ok).location.pointer == "/components/schemas/Ok"


def test_dangling_mappings_are_reported_at_the_entry(write_spec: WriteSpec) -> None:
    findings = [f for f in validate_path(write_spec(MAPPINGS)) if f.rule_id == "OAS002"]
    mapping = "/components/schemas/Event/discriminator/mapping"
    assert sorted(f.location.pointer for f in findings) == [f"{mapping}/bad", f"{mapping}/file"]
    bad = next(f for f in findings if f.location.pointer.endswith("/bad"))
    assert "'#/components/schemas/ErrMessage' points at nothing" in bad.message


# --- chains and cycles -----------------------------------------------------------------------


def chain_spec(length: int, *, loop: bool = False) -> str:
    """Schemas S0 -> S1 -> ... -> S<length-1>, which is a string (or, looping, points at S0)."""
    lines = [HEAD + "paths: {}\ncomponents:\n  schemas:\n"]
    lines += [f"    S{i}: {{$ref: '#/components/schemas/S{i + 1}'}}\n" for i in range(length - 1)]
    last = "{$ref: '#/components/schemas/S0'}" if loop else "{type: string}"
    lines.append(f"    S{length - 1}: {last}\n")
    return "".join(lines)


def oas002(path: Path) -> list[tuple[str, str, list[str]]]:
    return [
        (f.location.pointer, f.message, [r.pointer for r in f.related])
        for f in validate_path(path)
        if f.rule_id == "OAS002"
    ]


def resolve_head(document: Document) -> object:
    """What the chain's head, `S0: {$ref: ...S1}`, resolves to."""
    head = document.root.location("/components/schemas/S0")
    return document.resolve("#/components/schemas/S1", head).value


def test_a_chain_as_long_as_the_limit_resolves(write_spec: WriteSpec) -> None:
    document = load_document(write_spec(chain_spec(MAX_REF_HOPS + 1)))
    assert resolve_head(document) == {"type": "string"}


def test_a_longer_chain_is_one_finding_at_its_head(write_spec: WriteSpec) -> None:
    path = write_spec(chain_spec(MAX_REF_HOPS + 3))
    with pytest.raises(RefError) as caught:
        resolve_head(load_document(path))
    assert caught.value.kind == "chain"
    end = f"/components/schemas/S{MAX_REF_HOPS + 2}"
    assert oas002(path) == [
        (
            "/components/schemas/S0",
            "$ref '#/components/schemas/S1' starts a chain longer than 64 references (66); "
            "point it at the definition itself",
            [end],
        )
    ]


def test_a_cycle_is_one_finding_at_its_first_reference(write_spec: WriteSpec) -> None:
    text = chain_spec(3, loop=True) + "    Into: {$ref: '#/components/schemas/S1'}\n"
    findings = oas002(write_spec(text))
    assert findings == [
        (
            "/components/schemas/S0",
            "$ref '#/components/schemas/S1' loops back on itself through 2 other references",
            ["/components/schemas/S1", "/components/schemas/S2"],
        )
    ]


def test_a_reference_whose_chain_breaks_further_down_is_not_reported(
    write_spec: WriteSpec,
) -> None:
    text = chain_spec(3).replace("S2: {type: string}", "S2: {$ref: '#/components/schemas/No'}")
    assert [pointer for pointer, _, _ in oas002(write_spec(text))] == ["/components/schemas/S2"]


@pytest.mark.parametrize("loop", [False, True], ids=["chain", "cycle"])
def test_resolving_every_link_of_a_long_chain_is_linear(
    write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch, loop: bool
) -> None:
    """10,000 references in one chain: one finding, and each link followed about once."""
    length = 10_000
    document = load_document(write_spec(chain_spec(length, loop=loop)))
    context = RuleContext(build_contract(document), document)
    hops = 0
    follow = Document._resolve_once

    def counted(self: Document, ref: str, at: Location) -> Resolved:
        nonlocal hops
        hops += 1
        return follow(self, ref, at)

    monkeypatch.setattr(Document, "_resolve_once", counted)
    findings = list(catalogue()["OAS002"].run(context))
    assert len(findings) == 1
    assert ("loops back" if loop else "chain longer than") in findings[0].message
    assert hops <= 2 * length  # each reference's own hop, and each link once
