"""`$ref` resolution: local and relative files, kept inside the spec's folder, never the network."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.load.document import Document, LoadOptions, RefError, load_document
from contractgen.model.build import build_contract
from tests.conftest import FIXTURES

MULTI = FIXTURES / "load" / "multi"
HEAD = "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
WriteSpec = Callable[..., Path]


def ref_error(doc: Document, ref: str) -> RefError:
    with pytest.raises(RefError) as caught:
        doc.resolve(ref, doc.root.location())
    return caught.value


def schemas(text: str) -> str:
    return HEAD + "components:\n  schemas:\n" + text


@pytest.fixture
def multi() -> Document:
    return load_document(MULTI / "openapi.yaml")


def test_local_ref_follows_a_chain(multi: Document) -> None:
    resolved = multi.resolve("#/components/schemas/Alias", multi.root.location())
    assert resolved.value == {"type": "string"}
    assert resolved.location.pointer == "/components/schemas/Local"


def test_relative_file_ref(multi: Document) -> None:
    resolved = multi.resolve("schemas.yaml#/Pet", multi.root.location())
    assert resolved.value["type"] == "object"
    assert resolved.location.file.endswith("multi/schemas.yaml")
    assert resolved.location.pointer == "/Pet"


def test_nested_folder_refers_back_up(multi: Document) -> None:
    owner = multi.resolve("nested/owner.yaml#/Owner", multi.root.location())
    pet = multi.resolve("../schemas.yaml#/Pet", owner.location)
    assert pet.location.file.endswith("multi/schemas.yaml")
    assert len({source.path for source in multi.files.values()}) == 3  # each file read once


def test_ref_sites_cover_files_loaded_on_the_way(multi: Document) -> None:
    targets = {site.target for site in multi.ref_sites() if not site.target.startswith("#")}
    assert {"schemas.yaml#/Pet", "nested/paths.yaml#/owner"} <= targets
    targets = set()
    for site in multi.ref_sites():  # resolving loads files whose refs join the iteration
        multi.resolve(site.target, site.location)
        targets.add(site.target)
    assert {"../schemas.yaml#/Pet", "owner.yaml#/Owner"} <= targets


def test_multi_file_contract_builds(multi: Document) -> None:
    contract = build_contract(multi)
    owner = contract.operation("GET /owners/{id}")
    assert owner is not None
    assert [p.name for p in owner.parameters] == ["id"]
    schema = owner.responses["200"].content["application/json"].schema
    assert schema is not None
    assert schema.value_location.file.endswith("nested/owner.yaml")


def test_deref_leaves_plain_values_alone(multi: Document) -> None:
    at = multi.root.location("/info")
    assert multi.deref({"title": "x"}, at).value == {"title": "x"}


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        ("#/components/schemas/Nope", "missing"),
        ("#/components/schemas/Local/x", "missing"),
        ("schemas.yaml#/Nope", "missing"),
        ("nope.yaml#/Pet", "load"),
        ("#Pet", "anchor"),
    ],
)
def test_unresolvable_refs(multi: Document, ref: str, kind: str) -> None:
    assert ref_error(multi, ref).kind == kind


def outside_setup(tmp_path: Path) -> Path:
    (tmp_path / "spec").mkdir()
    (tmp_path / "shared.yaml").write_text("Thing: {type: string}\n")
    root = tmp_path / "spec" / "openapi.yaml"
    root.write_text(HEAD)
    return root


def test_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    doc = load_document(outside_setup(tmp_path))
    error = ref_error(doc, "../shared.yaml#/Thing")
    assert error.kind == "outside"
    assert "--allow-external-refs" in error.message


def test_file_outside_the_folder_is_allowed_on_request(tmp_path: Path) -> None:
    doc = load_document(outside_setup(tmp_path), LoadOptions(allow_external_refs=True))
    assert doc.resolve("../shared.yaml#/Thing", doc.root.location()).value == {"type": "string"}


@pytest.mark.parametrize("ref", ["a\x00b/c.yaml#/X", "c\x00.yaml#/X"], ids=["folder", "name"])
def test_a_nul_in_a_file_name_is_a_reference_error(write_spec: WriteSpec, ref: str) -> None:
    """YAML's `"\\0"` escape puts a NUL into a string that no file system takes in a name."""
    doc = load_document(write_spec(HEAD))
    assert ref_error(doc, ref).kind == "load"


def test_absolute_path_outside_is_refused(tmp_path: Path) -> None:
    doc = load_document(outside_setup(tmp_path))
    assert ref_error(doc, f"{tmp_path / 'shared.yaml'}#/Thing").kind == "outside"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    root = outside_setup(tmp_path)
    (root.parent / "link.yaml").symlink_to(tmp_path / "shared.yaml")
    assert ref_error(load_document(root), "link.yaml#/Thing").kind == "outside"


@pytest.mark.parametrize(
    "ref",
    [
        "https://example.com/schemas.yaml#/Pet",
        "http://127.0.0.1:9/x.json",
        "file:///etc/passwd",
        "urn:example:pet",
    ],
)
def test_urls_are_refused_without_any_connection(
    multi: Document, monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert ref_error(multi, ref).kind == "url"


def test_protocol_relative_ref_stays_on_disk(
    multi: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "socket", lambda *a, **k: pytest.fail("network"))
    assert ref_error(multi, "//example.com/x.yaml#/Pet").kind in {"outside", "load"}


def test_ref_cycle_is_an_error_not_a_recursion(write_spec: WriteSpec) -> None:
    cycle = "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    doc = load_document(write_spec(schemas(cycle)))
    error = ref_error(doc, "#/components/schemas/A")
    assert error.kind == "cycle"
    assert build_contract(doc).components  # the builder survives it too


def test_self_ref_is_a_cycle(write_spec: WriteSpec) -> None:
    doc = load_document(write_spec(schemas("    A: {$ref: '#/components/schemas/A'}\n")))
    assert ref_error(doc, "#/components/schemas/A").kind == "cycle"


def test_cycle_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("A: {$ref: 'b.yaml#/B'}\n")
    (tmp_path / "b.yaml").write_text("B: {$ref: 'a.yaml#/A'}\n")
    root = tmp_path / "openapi.yaml"
    root.write_text(HEAD)
    assert ref_error(load_document(root), "a.yaml#/A").kind == "cycle"


def test_self_recursive_schema_is_fine(write_spec: WriteSpec) -> None:
    text = schemas(
        "    Node:\n"
        "      type: object\n"
        "      properties:\n"
        "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n"
    ).replace(
        "paths: {}\n",
        "paths:\n  /tree:\n    get:\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Node'}\n",
    )
    doc = load_document(write_spec(text))
    node = doc.resolve("#/components/schemas/Node", doc.root.location())
    assert node.value["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}
    contract = build_contract(doc)
    schema = contract.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None and schema.name == "Node"


BEHIND_REFERENCES = FIXTURES / "rules" / "OAS005" / "bad-multi-file" / "openapi.yaml"


def test_an_operation_written_as_ref_is_read_where_it_sits() -> None:
    contract = build_contract(load_document(BEHIND_REFERENCES))
    by_key = {op.key: op for op in contract.operations}
    assert sorted(by_key) == [
        "DELETE /pets/{pet_id}",
        "GET /pets",
        "GET /pets/{pet_id}",
        "POST /pets",
    ]
    listing = by_key["GET /pets"]  # path item file -> operation file, relative to each
    assert listing.operation_id == "listPets"
    assert listing.location.file.endswith("bad-multi-file/paths/operations/list-pets.yaml")
    assert (listing.location.pointer, listing.operation_id_location) == (
        "",
        listing.location.child("operationId"),
    )
    assert [p.name for p in listing.parameters] == ["limit"]
    pets = listing.responses["200"].content["application/json"].schema
    assert pets is not None and pets.value_location.file.endswith("bad-multi-file/responses.yaml")
    one = by_key["GET /pets/{pet_id}"]  # its Responses Object is a `$ref` too
    assert [p.name for p in one.parameters] == ["pet_id"]
    assert one.responses["200"].location.file.endswith("bad-multi-file/responses.yaml")
    assert one.responses["200"].location.pointer == "/one/200"


def test_streams_behind_an_operation_ref_are_read(tmp_path: Path) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "events.yaml").write_text(
        "operationId: events\nresponses:\n  '200':\n    description: ok\n    content:\n"
        "      text/event-stream:\n        itemSchema: {$ref: '../events.yaml#/Frame'}\n"
    )
    (tmp_path / "events.yaml").write_text("Frame: {type: object, properties: {data: {}}}\n")
    root = tmp_path / "openapi.yaml"
    root.write_text(
        HEAD.replace("paths: {}\n", "paths:\n  /e:\n    get: {$ref: ops/events.yaml}\n")
    )
    contract = build_contract(load_document(root))
    [(operation, stream)] = contract.streams
    assert operation.operation_id == "events"
    assert stream.item_schema is not None
    assert stream.item_schema.value_location.file.endswith("events.yaml")
    assert stream.location.file.endswith("ops/events.yaml")


IDS = """\
    Outer:
      $id: https://example.com/outer/
      properties:
        inner:
          $id: inner/
          properties:
            leaf: {$ref: leaf}
        in: {$ref: leaf}
    Outer2:
      $id: https://example.com/outer2/
      properties:
        innerx: {$ref: leaf}
    Leaf1:
      $id: https://example.com/outer/leaf
      const: outer
    Leaf2:
      $id: https://example.com/outer/inner/leaf
      const: inner
    Leaf3:
      $id: https://example.com/outer2/leaf
      const: outer2
"""


@pytest.mark.parametrize(
    ("pointer", "const"),
    [
        ("Outer/properties/inner/properties/leaf", "inner"),
        ("Outer/properties/in", "outer"),
        ("Outer2/properties/innerx", "outer2"),  # `Outer2` is not inside `Outer`
    ],
)
def test_relative_ref_uses_the_innermost_id(
    write_spec: WriteSpec, pointer: str, const: str
) -> None:
    doc = load_document(write_spec(schemas(IDS)))
    at = doc.root.location(f"/components/schemas/{pointer}")
    assert doc.resolve("leaf", at).value["const"] == const
