"""One JSON Schema document for datamodel-code-generator, every class in it named by us.

Left to itself datamodel-code-generator names an inline schema after its property and
settles clashes with a counter (`Role18`, `Type749`), and writes a package when component
names have dots. So before it runs, every schema that becomes a class (an object with
properties, an enum, an `allOf` merge, a site the server needs) is hoisted into `$defs`
under a name from the naming authority (`names.py`): a component by its own name, an inline
schema by its owner plus its property path, a clash by qualifiers the contract supplies.
Every `$ref` is rewritten to the hoisted name, so the generator never has to invent one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contractgen.location import escape_token, split_pointer
from contractgen.model.contract import Contract, file_fields
from contractgen.model.schema import Schema
from contractgen.scaffold.model_naming import (
    IMPORTED_NAMES,
    branch_labels,
    class_name,
    discriminator_property,
    member,
    operation_sites,
    ordinal,
    pointer_stem,
)
from contractgen.scaffold.names import Namespace
from contractgen.scaffold.schema_forms import (
    FRAME_KEYWORDS,
    UNIONS,
    folds,
    is_class,
    is_container,
    is_framed_union,
    is_ref,
    is_wrapped,
    kind,
    plain,
)

DEFS = "#/$defs/"
COMPONENTS = "/components/schemas/"

SCHEMA_MAPS = {"properties": "", "patternProperties": "Value"}
"""Keywords holding a map of schemas, and the word a member's name adds after its key."""
SCHEMA_LISTS = {"prefixItems": "Item"}
NESTED_DEFS = ("$defs", "definitions")
SINGLE_SCHEMAS = {
    "items": "Item",
    "additionalProperties": "Value",
    "contentSchema": "",
    "if": "If",
    "then": "Then",
    "else": "Else",
    "not": "Not",
}
REF_NOTES = frozenset({"description", "nullable", "default", "deprecated", "readOnly", "writeOnly"})
"""What may stand beside a `$ref` and is kept: annotations, not constraints."""
UNTYPED = frozenset({"description", "title", "examples", "example", "$comment", "default"})
"""What a redeclared property may change and keep its field's type (`nullable` does not)."""


@dataclass(frozen=True)
class Hoisted:
    """The generator's input and the names it holds."""

    document: dict[str, Any]
    """A JSON Schema document: nothing but `$defs`."""
    sites: Mapping[str, str]
    """JSON Pointer of a schema in the contract -> the `$defs` name standing for it."""
    names: frozenset[str]
    """Every `$defs` name: the only class names the generator may write."""


def hoist(contract: Contract, document: Mapping[str, Any]) -> Hoisted:
    """Hoist every component schema, then every schema site of every operation."""
    hoister = _Hoister(_binary_files(contract, document))
    hoister.components()
    for op in contract.operations:
        for schema, candidates in operation_sites(op):
            hoister.site(schema, candidates)
    hoister.settle_deep_refs()
    hoister.settle_site_refs()
    hoister.settle_overrides()
    return Hoisted({"$defs": hoister.defs}, dict(hoister.sites), frozenset(hoister.defs))


class _Hoister:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.names = Namespace(IMPORTED_NAMES)
        self.defs: dict[str, Any] = {}
        self.sites: dict[str, str] = {}
        """Pointer -> def name, for every hoisted schema and every `$ref` to one."""
        self.component_names: dict[str, str] = {}
        """Pointer of a component schema -> its def name, claimed before anything else."""
        self.site_refs: dict[str, tuple[str, list[str]]] = {}
        """A site that is a `$ref` -> the pointer it refers to, and the site's own names."""
        self.uses: dict[str, int] = {}
        """Def name -> how many `$ref`s inside the defs name it (a site's own do not count)."""
        self.deep_refs: list[tuple[str, dict[str, Any]]] = []
        """`$ref`s to a schema inside another (not a component): filled in at the end."""
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}
        for name in self.schemas:
            pointer = COMPONENTS + escape_token(name)
            stem = class_name(name)
            self.component_names[pointer] = self.names.claim(
                pointer, [stem, f"{stem}Schema", f"{stem}Model"]
            )

    def components(self) -> None:
        for name, raw in self.schemas.items():
            pointer = COMPONENTS + escape_token(name)
            def_name = self.component_names[pointer]
            if not isinstance(raw, dict):
                self.defs[def_name] = raw  # a boolean schema
            elif isinstance(raw.get("$ref"), str):
                self.defs[def_name] = self.reference(raw, pointer, def_name)
            else:
                self.defs[def_name] = self.body(raw, pointer, def_name)
            self.sites[pointer] = def_name

    def site(self, schema: Schema, candidates: list[str]) -> None:
        """A schema the server needs: hoisted if it is written inline, even as an array."""
        pointer = schema.location.pointer
        if pointer in self.sites:
            return
        node = _value_at(self.document, pointer)
        if not isinstance(node, dict):
            return
        node = plain(node)
        if is_ref(node):
            self.site_refs[pointer] = (node["$ref"].removeprefix("#"), candidates)
        elif is_class(node) or is_container(node):
            self.hoist(node, pointer, candidates)

    # --- rewriting --------------------------------------------------------------------

    def rewrite(self, node: Any, pointer: str, stem: str, *, nested: bool = False) -> Any:
        """A schema as the generator gets it: hoisted to a `$ref` if it makes a class.

        `nested` marks a schema inside a list or union (an item, a branch): there even a
        constrained array or number is a root model to the generator, so it is named here.
        """
        if not isinstance(node, dict):
            return node
        node = plain(node)
        if isinstance(node.get("$ref"), str):
            return self.reference(node, pointer, stem)
        if is_class(node) or (nested and is_wrapped(node)):
            return self.hoist(node, pointer, [stem, f"{stem}{kind(node)}"])
        return self.body(node, pointer, stem)

    def hoist(self, node: dict[str, Any], pointer: str, candidates: list[str]) -> dict[str, Any]:
        if pointer not in self.sites:
            name = self.names.claim(pointer, candidates)
            self.sites[pointer] = name
            self.defs[name] = self.body(node, pointer, name)
        return {"$ref": DEFS + self.sites[pointer]}

    def reference(self, node: dict[str, Any], pointer: str, stem: str) -> dict[str, Any]:
        """The target becomes its def's name; annotations beside the `$ref` stay."""
        ref: str = node["$ref"]
        notes = {key: value for key, value in node.items() if key in REF_NOTES}
        if not ref.startswith("#/"):
            # The loader resolves what may be followed; what is left is any JSON value.
            return {k: v for k, v in notes.items() if k == "description"}
        target = ref[1:]
        name = self.component_names.get(target)
        if name is not None:
            self.sites[pointer] = name
            self.uses[name] = self.uses.get(name, 0) + 1
            return {"$ref": DEFS + name, **notes}
        placeholder: dict[str, Any] = {"$ref": target}
        self.deep_refs.append((target, placeholder))
        return {"allOf": [placeholder], **notes} if notes else placeholder

    def body(self, node: dict[str, Any], pointer: str, stem: str) -> dict[str, Any]:
        """A schema's own keywords, with every subschema rewritten under `stem`."""
        node = plain(node)
        if is_framed_union(node):
            return self.framed_union(node, pointer, stem)
        out: dict[str, Any] = {}
        for key, value in node.items():
            at = f"{pointer}/{escape_token(key)}"
            if key in NESTED_DEFS and isinstance(value, dict):
                # Named like properties where they make classes; refs to them are settled
                # from the document (`settle_deep_refs`), so the map itself is not passed on.
                for name, sub in value.items():
                    self.rewrite(sub, f"{at}/{escape_token(name)}", member(stem, name, ""))
            elif key in SCHEMA_MAPS and isinstance(value, dict):
                word = SCHEMA_MAPS[key]
                out[key] = {
                    name: self.rewrite(sub, f"{at}/{escape_token(name)}", member(stem, name, word))
                    for name, sub in value.items()
                }
            elif key in SINGLE_SCHEMAS and isinstance(value, dict):
                nested = key in ("items", "additionalProperties")
                out[key] = self.rewrite(value, at, stem + SINGLE_SCHEMAS[key], nested=nested)
            elif key in SCHEMA_LISTS and isinstance(value, list):
                word = SCHEMA_LISTS[key]
                out[key] = [
                    self.rewrite(sub, f"{at}/{i}", stem + word + ordinal(i), nested=True)
                    for i, sub in enumerate(value)
                ]
            elif key in UNIONS and isinstance(value, list):
                out[key] = list(self.branches(node, key, value, at, stem))
            elif key == "allOf" and isinstance(value, list):
                # Members are parts of this one class, not classes of their own.
                out[key] = [self.part(sub, f"{at}/{i}", stem) for i, sub in enumerate(value)]
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = self.discriminator(value)
            else:
                out[key] = value
        return out

    def part(self, node: Any, pointer: str, stem: str) -> Any:
        """An `allOf` member: its properties are the owner's, named under the owner's stem."""
        if isinstance(node, dict) and not isinstance(node.get("$ref"), str):
            return self.body(node, pointer, stem)
        return self.rewrite(node, pointer, stem)

    def branches(
        self,
        union: dict[str, Any],
        keyword: str,
        branches: list[Any],
        at: str,
        stem: str,
        shared: Mapping[str, Any] | None = None,
    ) -> Iterator[Any]:
        """Union branches, each hoisted under the owner plus what tells it apart."""
        tag = discriminator_property(union)
        # `anyOf: [X, null]` is X made nullable: X takes the owner's name as it is.
        alone = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
        for i, branch in enumerate(branches):
            pointer = f"{at}/{i}"
            candidates = [stem + label for label in branch_labels(branch, tag, i)]
            if len(alone) == 1 and branch is alone[0]:
                candidates.insert(0, stem)
            if shared is not None and isinstance(branch, dict) and "$ref" not in branch:
                yield self.hoist_merged(branch, pointer, candidates, shared)
            elif isinstance(branch, dict) and "$ref" not in branch:
                branch = plain(branch)
                if is_class(branch) or is_wrapped(branch):
                    yield self.hoist(branch, pointer, candidates)
                else:
                    yield self.body(branch, pointer, candidates[0])
            else:
                yield self.rewrite(branch, pointer, candidates[0])

    def framed_union(self, node: dict[str, Any], pointer: str, stem: str) -> dict[str, Any]:
        """An object with properties and a union: each branch gets the shared properties.

        The generator would copy them into numbered subclasses (`Frame1(StatusEvent)`);
        merged here, each branch is one named class. Referenced branches stay as they are.
        """
        shared = self.body({k: node[k] for k in FRAME_KEYWORDS if k in node}, pointer, stem)
        keyword = next(k for k in UNIONS if isinstance(node.get(k), list))
        rest = {k: v for k, v in node.items() if k not in FRAME_KEYWORDS and k != keyword}
        out = self.body(rest, pointer, stem)
        at = f"{pointer}/{keyword}"
        out[keyword] = list(self.branches(node, keyword, node[keyword], at, stem, shared))
        return out

    def hoist_merged(
        self, branch: dict[str, Any], pointer: str, candidates: list[str], shared: Mapping[str, Any]
    ) -> dict[str, Any]:
        if pointer not in self.sites:
            name = self.names.claim(pointer, candidates)
            self.sites[pointer] = name
            own = self.body(branch, pointer, name)
            merged = {**shared, **own}
            merged["properties"] = {**shared.get("properties", {}), **own.get("properties", {})}
            required = [*shared.get("required", []), *own.get("required", [])]
            if required:
                merged["required"] = list(dict.fromkeys(required))
            self.defs[name] = merged
        return {"$ref": DEFS + self.sites[pointer]}

    def discriminator(self, value: dict[str, Any]) -> dict[str, Any]:
        """Mapping targets are rewritten like any `$ref` (a bare name means a component)."""
        mapping = value.get("mapping")
        if not isinstance(mapping, dict):
            return value
        rewritten = {}
        for tag, target in mapping.items():
            if not isinstance(target, str):
                continue
            pointer = target[1:] if target.startswith("#/") else COMPONENTS + escape_token(target)
            name = self.component_names.get(pointer) or self.sites.get(pointer)
            if name is not None:
                rewritten[tag] = DEFS + name
        return {**value, "mapping": rewritten}

    def settle_site_refs(self) -> None:
        """A site that is a `$ref` stands for its target's class, if the generator keeps it.

        It folds a union or array whose def other defs name into the fields naming it
        (`collapse_root_models`), and the class is gone; such a site gets a class of its
        own, a root model named after the site (`GetConversationItemResponse`).
        """
        for pointer, (target, candidates) in self.site_refs.items():
            name = self.sites.get(target)
            if name is None:
                continue
            if self.uses.get(name) and folds(self.defs.get(name)):
                name = self.names.claim(pointer, candidates)
                self.defs[name] = {"$ref": DEFS + self.sites[target]}
            self.sites[pointer] = name

    def settle_overrides(self) -> None:
        """An `allOf` child that retypes an inherited property is merged, not subclassed.

        The generator writes `allOf: [{$ref: Parent}, {properties: ...}]` as
        `class Child(Parent)` and redeclares each property the child names. Where the child
        gives one another schema (another enum, another class: OpenAI's `status` of
        `FunctionToolCallResource`) the override is no subtype of the parent's field and type
        checkers reject the class. With the parent's schema written out in place of its
        `$ref`, and first, the generator merges the parts into one class whose fields are
        the parent's then the child's, the child's winning, as it already does for an `allOf`
        of several `$ref`s whose properties clash.
        """
        for node in self.defs.values():
            members = node.get("allOf") if isinstance(node, dict) else None
            if not isinstance(members, list):
                continue
            parents = [m for m in members if _def_name(m) is not None]
            if len(parents) != 1:
                continue
            (parent,) = parents
            inherited = _inherited(self.defs, parent, frozenset())
            rest = {k: v for k, v in node.items() if k != "allOf"}
            own = _inherited(
                self.defs, {**rest, "allOf": [m for m in members if m is not parent]}, frozenset()
            )
            if any(
                name in inherited and _same_field(inherited[name]) != _same_field(schema)
                for name, schema in own.items()
            ):
                inlined = copy.deepcopy(_parts(self.defs, parent, frozenset()))
                node["allOf"] = [*inlined, *(m for m in members if m is not parent)]

    def settle_deep_refs(self) -> None:
        """Fill in the `$ref`s to schemas inside others, now that every class is named.

        A target that was hoisted is referenced by its def; one that makes no class (a
        string property) is copied in place, rewritten where it sits.
        """
        for _ in range(len(self.deep_refs) + 64):
            if not self.deep_refs:
                return
            target, placeholder = self.deep_refs.pop()
            name = self.sites.get(target)
            placeholder.clear()
            if name is not None:
                placeholder["$ref"] = DEFS + name
                continue
            node = _value_at(self.document, target)
            stem = pointer_stem(target)
            rewritten = self.rewrite(node, target, stem) if isinstance(node, dict) else {}
            placeholder.update(rewritten)
        for _, placeholder in self.deep_refs:
            placeholder.clear()  # a chain of references too long to follow: any value


def _inherited(defs: Mapping[str, Any], node: Any, seen: frozenset[str]) -> dict[str, Any]:
    """The properties a schema declares, its `allOf` parents' first (a child's win)."""
    if not isinstance(node, dict):
        return {}
    name = _def_name(node)
    if name is not None:
        return {} if name in seen else _inherited(defs, defs.get(name), seen | {name})
    found: dict[str, Any] = {}
    for part in node.get("allOf") or []:
        found.update(_inherited(defs, part, seen))
    properties = node.get("properties")
    return {**found, **properties} if isinstance(properties, dict) else found


def _parts(defs: Mapping[str, Any], node: Any, seen: frozenset[str]) -> list[Any]:
    """A schema as `allOf` parts, each parent written out in place of its `$ref`.

    One flat list: the generator merges the parts of one `allOf`, not an `allOf` nested in one.
    """
    name = _def_name(node)
    if name is not None:
        target = None if name in seen else defs.get(name)
        if not isinstance(target, dict):
            return [node]
        notes = {k: v for k, v in node.items() if k != "$ref"}
        return _parts(defs, {**target, **notes}, seen | {name})
    members = node.get("allOf") if isinstance(node, dict) else None
    if not isinstance(members, list):
        return [node]
    rest = {k: v for k, v in node.items() if k != "allOf"}
    return [*(part for m in members for part in _parts(defs, m, seen)), *([rest] if rest else [])]


def _same_field(schema: Any) -> Any:
    """What of a redeclared property types its field: all but its notes."""
    return (
        {k: v for k, v in schema.items() if k not in UNTYPED}
        if isinstance(schema, dict)
        else schema
    )


def _def_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.removeprefix(DEFS) if isinstance(ref, str) and ref.startswith(DEFS) else None


def _value_at(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for token in split_pointer(pointer) if pointer else []:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


FILE_KEYWORDS = ("contentMediaType", "contentEncoding")


def _binary_files(contract: Contract, document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document with each multipart body's file fields written `format: binary`.

    datamodel-code-generator types `format: binary` as `bytes`, what a file part decodes to;
    a 3.1 file (`contentMediaType`, `contentEncoding`) would be a `str`. Only the nodes on
    the way to a file field are copied: the document itself is left as it was.
    """
    for op in contract.operations:
        body = op.request_body.multipart_schema() if op.request_body is not None else None
        if body is None or body.value_location.file != body.location.file:
            continue
        pointer = body.value_location.pointer
        if _value_at(document, pointer) != body.value:
            continue
        for name, is_list in file_fields(body).items():
            path = [*split_pointer(pointer), "properties", name, *(["items"] if is_list else [])]
            field = _value_at(document, "/" + "/".join(escape_token(token) for token in path))
            if isinstance(field, dict) and field.get("format") != "binary":
                binary = {k: v for k, v in field.items() if k not in FILE_KEYWORDS}
                document = _replaced(
                    document, path, {**binary, "type": "string", "format": "binary"}
                )
    return document


def _replaced(node: Any, path: list[str], value: Any) -> Any:
    """`node` with the value at `path` replaced, sharing every branch off the path."""
    if not path:
        return value
    head, *rest = path
    if isinstance(node, list):
        index = int(head)
        return [*node[:index], _replaced(node[index], rest, value), *node[index + 1 :]]
    return {**node, head: _replaced(node[head], rest, value)}
