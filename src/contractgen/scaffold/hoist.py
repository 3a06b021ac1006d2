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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from contractgen.location import escape_token, split_pointer
from contractgen.model.contract import Contract, Operation, is_json_media_type
from contractgen.model.schema import Schema
from contractgen.scaffold.names import Namespace, pascal

DEFS = "#/$defs/"
COMPONENTS = "/components/schemas/"

IMPORTED_NAMES = frozenset(
    {"BaseModel", "RootModel", "Field", "ConfigDict", "Annotated", "Any", "Literal"}
    | {"Optional", "Union", "ClassVar", "TypeAlias", "StrEnum", "Enum", "IntEnum", "Decimal"}
    | {"UUID", "AnyUrl", "AnyHttpUrl", "HttpUrl", "AwareDatetime", "NaiveDatetime", "EmailStr"}
    | {"NameEmail", "SecretStr", "Json", "Base64Str", "Base64Bytes", "IPvAnyAddress", "Path"}
    | {"IPv4Address", "IPv6Address", "StrictStr", "StrictInt", "StrictBool", "StrictFloat"}
    | {"PositiveInt", "NegativeInt", "PositiveFloat", "NegativeFloat", "Pattern", "TypeAdapter"}
)
"""Names the generated module imports: a class of that name would shadow the import."""

ORDINALS = (
    *("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth"),
    *("Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth"),
    *("Seventeenth", "Eighteenth", "Nineteenth", "Twentieth"),
)
"""The last resort for telling union branches apart: their position, spelt without a digit."""

SCHEMA_MAPS = {"properties": "", "patternProperties": "Value", "$defs": "", "definitions": ""}
"""Keywords holding a map of schemas, and the word a member's name adds after its key."""
SCHEMA_LISTS = {"prefixItems": "Item"}
SINGLE_SCHEMAS = {
    "items": "Item",
    "additionalProperties": "Value",
    "contentSchema": "",
    "if": "If",
    "then": "Then",
    "else": "Else",
    "not": "Not",
}
UNIONS = ("oneOf", "anyOf")
ANNOTATIONS = frozenset(
    {"description", "nullable", "default", "deprecated", "readOnly", "writeOnly", "title"}
    | {"example", "examples", "$comment"}
)
"""Keywords that describe a value without constraining it."""
CONSTRAINTS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern"}
    | {"minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "format", "const"}
    | {"minProperties", "maxProperties", "contains", "prefixItems"}
)
"""Keywords that narrow a value: what makes the generator write a root model for it."""
REF_NOTES = frozenset({"description", "nullable", "default", "deprecated", "readOnly", "writeOnly"})
"""What may stand beside a `$ref` and is kept: annotations, not constraints."""
FRAME_KEYWORDS = ("type", "properties", "required", "additionalProperties")
"""What an object with both properties and a union shares with each branch."""


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
    hoister = _Hoister(document)
    hoister.components()
    for op in contract.operations:
        for schema, candidates in _operation_sites(op):
            hoister.site(schema, candidates)
    hoister.settle_deep_refs()
    return Hoisted({"$defs": hoister.defs}, dict(hoister.sites), frozenset(hoister.defs))


def operation_base(op: Operation) -> str:
    """What an operation's classes start with: its operationId, else its method and path."""
    return _class_name(op.operation_id or f"{op.method} {op.path}")


def _operation_sites(op: Operation) -> Iterator[tuple[Schema, list[str]]]:
    """Each schema an operation's server reads or writes, with the names it may take."""
    base = operation_base(op)
    if op.request_body is not None and (body := op.request_body.json_schema()) is not None:
        yield body, [f"{base}Request", f"{base}RequestBody"]
    for status, response in op.responses.items():
        if not response.is_success:
            continue
        for media_type, content in response.content.items():
            if is_json_media_type(media_type) and content.schema is not None:
                words = [_status_word(status), _class_name(media_type)]
                yield content.schema, [f"{base}Response", *(f"{base}{w}Response" for w in words)]
    for stream in op.streams:
        if stream.item_schema is not None:
            yield stream.item_schema, [f"{base}StreamItem", f"{base}{pascal(stream.format)}Item"]
        for event in stream.events:
            if event.payload is not None:
                yield event.payload, [f"{base}{_class_name(event.name)}Payload"]
    if op.websocket is not None:
        for side, union, types in (
            ("Client", op.websocket.client_messages, op.websocket.client_types),
            ("Server", op.websocket.server_messages, op.websocket.server_types),
        ):
            if union is not None:
                yield union, [f"{base}{side}Messages", f"{base}{side}MessageUnion"]
            for message in types:
                yield message.schema, [f"{base}{_class_name(message.name)}{side}Message"]


class _Hoister:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.names = Namespace(IMPORTED_NAMES)
        self.defs: dict[str, Any] = {}
        self.sites: dict[str, str] = {}
        """Pointer -> def name, for every hoisted schema and every `$ref` to one."""
        self.component_names: dict[str, str] = {}
        """Pointer of a component schema -> its def name, claimed before anything else."""
        self.deep_refs: list[tuple[str, dict[str, Any]]] = []
        """`$ref`s to a schema inside another (not a component): filled in at the end."""
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}
        for name in self.schemas:
            pointer = COMPONENTS + escape_token(name)
            stem = _class_name(name)
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
        if "$ref" in node:
            self.rewrite(node, pointer, candidates[0])
        elif _is_class(node) or _is_container(node):
            self.hoist(node, pointer, candidates)

    # --- rewriting --------------------------------------------------------------------

    def rewrite(self, node: Any, pointer: str, stem: str, *, nested: bool = False) -> Any:
        """A schema as the generator gets it: hoisted to a `$ref` if it makes a class.

        `nested` marks a schema inside a list or union (an item, a branch): there even a
        constrained array or number is a root model to the generator, so it is named here.
        """
        if not isinstance(node, dict):
            return node
        node = _plain(node)
        if isinstance(node.get("$ref"), str):
            return self.reference(node, pointer, stem)
        if _is_class(node) or (nested and _is_wrapped(node)):
            return self.hoist(node, pointer, [stem, f"{stem}{_kind(node)}"])
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
            return {"$ref": DEFS + name, **notes}
        placeholder: dict[str, Any] = {"$ref": target}
        self.deep_refs.append((target, placeholder))
        return {"allOf": [placeholder], **notes} if notes else placeholder

    def body(self, node: dict[str, Any], pointer: str, stem: str) -> dict[str, Any]:
        """A schema's own keywords, with every subschema rewritten under `stem`."""
        node = _plain(node)
        if _is_framed_union(node):
            return self.framed_union(node, pointer, stem)
        out: dict[str, Any] = {}
        for key, value in node.items():
            at = f"{pointer}/{escape_token(key)}"
            if key in SCHEMA_MAPS and isinstance(value, dict):
                word = SCHEMA_MAPS[key]
                out[key] = {
                    name: self.rewrite(sub, f"{at}/{escape_token(name)}", _member(stem, name, word))
                    for name, sub in value.items()
                }
            elif key in SINGLE_SCHEMAS and isinstance(value, dict):
                nested = key in ("items", "additionalProperties")
                out[key] = self.rewrite(value, at, stem + SINGLE_SCHEMAS[key], nested=nested)
            elif key in SCHEMA_LISTS and isinstance(value, list):
                word = SCHEMA_LISTS[key]
                out[key] = [
                    self.rewrite(sub, f"{at}/{i}", stem + word + _ordinal(i), nested=True)
                    for i, sub in enumerate(value)
                ]
            elif key in UNIONS and isinstance(value, list):
                out[key] = list(self.branches(node, key, value, at, stem))
            elif key == "allOf" and isinstance(value, list):
                # Members are parts of this one class, not classes of their own.
                out[key] = [self.member(sub, f"{at}/{i}", stem) for i, sub in enumerate(value)]
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = self.discriminator(value)
            else:
                out[key] = value
        return out

    def member(self, node: Any, pointer: str, stem: str) -> Any:
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
        tag = _discriminator_property(union)
        # `anyOf: [X, null]` is X made nullable: X takes the owner's name as it is.
        alone = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
        for i, branch in enumerate(branches):
            pointer = f"{at}/{i}"
            candidates = [stem + label for label in _branch_labels(branch, tag, i)]
            if len(alone) == 1 and branch is alone[0]:
                candidates.insert(0, stem)
            if shared is not None and isinstance(branch, dict) and "$ref" not in branch:
                yield self.hoist_merged(branch, pointer, candidates, shared)
            elif isinstance(branch, dict) and "$ref" not in branch:
                branch = _plain(branch)
                if _is_class(branch) or _is_wrapped(branch):
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
            stem = _class_name(split_pointer(target)[-1]) if target != "/" else "Model"
            rewritten = self.rewrite(node, target, stem) if isinstance(node, dict) else {}
            placeholder.update(rewritten)
        for _, placeholder in self.deep_refs:
            placeholder.clear()  # a chain of references too long to follow: any value


def _is_class(node: dict[str, Any]) -> bool:
    """Whether the generator makes a class of this schema (where it is not a `$def`)."""
    if isinstance(node.get("$ref"), str):
        return False
    if _is_framed_union(node):
        return False
    properties = node.get("properties")
    if isinstance(properties, dict) and properties:
        return True
    enum = node.get("enum")
    if isinstance(enum, list) and any(value is not None for value in enum):
        return "const" not in node
    all_of = node.get("allOf")
    if isinstance(all_of, list) and all_of:
        return len(all_of) > 1 or not isinstance(all_of[0], dict) or "$ref" not in all_of[0]
    return False


def _plain(node: dict[str, Any]) -> dict[str, Any]:
    """The same schema in the form the generator names best.

    `allOf` members that only annotate (`{nullable: true}`) are lifted into the schema, so
    `allOf: [{$ref: X}, {nullable: true}]` is a reference to X again, not a subclass. An
    `allOf` of a union and objects is distributed: a union of each branch with the objects
    (the generator would number the classes it makes for them).
    """
    all_of = node.get("allOf")
    if not isinstance(all_of, list):
        return node
    notes = [m for m in all_of if isinstance(m, dict) and m and set(m) <= ANNOTATIONS]
    if notes:
        members = [m for m in all_of if not any(m is note for note in notes)]
        lifted = {k: v for note in notes for k, v in note.items() if k not in node}
        node = {**{k: v for k, v in node.items() if k != "allOf"}, **lifted}
        if members:
            node["allOf"] = members
        all_of = members
        if len(members) == 1 and _is_ref(members[0]) and set(node) - {"allOf"} <= ANNOTATIONS:
            return {**{k: v for k, v in node.items() if k != "allOf"}, **members[0]}
    unions = [
        m for m in all_of if isinstance(m, dict) and _union_keyword(m) and "properties" not in m
    ]
    if len(unions) != 1 or len(all_of) < 2:
        return node
    union = unions[0]
    keyword = _union_keyword(union)
    assert keyword is not None
    others = [m for m in all_of if m is not union]
    rest = {k: v for k, v in node.items() if k != "allOf"}
    shared = {k: v for k, v in union.items() if k != keyword}
    branches = [{"allOf": [branch, *others]} for branch in union[keyword]]
    return {**shared, **rest, keyword: branches}


def _is_union(node: Any) -> bool:
    """A bare union (no properties of its own beside it)."""
    return isinstance(node, dict) and _union_keyword(node) is not None and "properties" not in node


def _union_keyword(node: dict[str, Any]) -> str | None:
    return next((k for k in UNIONS if isinstance(node.get(k), list) and node[k]), None)


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def _is_wrapped(node: dict[str, Any]) -> bool:
    """What the generator wraps in a root model inside a list or union: a constrained value.

    Where it can, it folds the model back into the field (`collapse_root_models`), so naming
    one costs nothing; where it cannot, the class has this name instead of a number.
    """
    return not CONSTRAINTS.isdisjoint(node) or _union_keyword(node) is not None


def _is_container(node: dict[str, Any]) -> bool:
    """An array, map or union: a class (a root model) only where it is a site."""
    return (
        node.get("type") in ("array", "object")
        or any(isinstance(node.get(k), list) for k in UNIONS)
        or "items" in node
    )


def _is_framed_union(node: dict[str, Any]) -> bool:
    properties = node.get("properties")
    return (
        isinstance(properties, dict)
        and bool(properties)
        and any(isinstance(node.get(k), list) and node[k] for k in UNIONS)
    )


def _kind(node: dict[str, Any]) -> str:
    return "Enum" if "enum" in node and "properties" not in node else "Object"


def _discriminator_property(union: dict[str, Any]) -> str | None:
    discriminator = union.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
        return str(discriminator["propertyName"])
    return None


def _branch_labels(branch: Any, tag: str | None, index: int) -> list[str]:
    """What tells a branch apart: the value it pins, its title, its type, its position."""
    labels: list[str] = []
    if isinstance(branch, dict) and isinstance(branch.get("allOf"), list) and branch["allOf"]:
        first = branch["allOf"][0]
        if _is_ref(first):
            labels.append(_class_name(first["$ref"].rsplit("/", 1)[-1]))
    if isinstance(branch, dict):
        pins = _pins(branch)
        for prop in (tag, "type", "event", "object", *pins):
            if prop in pins:
                labels.append(_class_name(pins[prop]))
                break
        if isinstance(branch.get("title"), str):
            labels.append(_class_name(branch["title"]))
        if isinstance(branch.get("type"), str):
            labels.append(_class_name(branch["type"]))
    labels.append(_ordinal(index))
    return list(dict.fromkeys(label for label in labels if label))


def _pins(branch: dict[str, Any]) -> dict[str, str]:
    """Properties a branch pins to one string: `const` or a one-value `enum`."""
    properties = branch.get("properties")
    found: dict[str, str] = {}
    if not isinstance(properties, dict):
        return found
    for name, prop in properties.items():
        if not isinstance(prop, dict):
            continue
        const = prop.get("const")
        enum = prop.get("enum")
        if isinstance(const, str):
            found[name] = const
        elif isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            found[name] = enum[0]
    return found


def _member(stem: str, name: str, word: str) -> str:
    """A member's name: its owner's, its key's (`messages` -> `Messages`), a word after."""
    return stem + _class_name(name) + word


def _ordinal(index: int) -> str:
    if index < len(ORDINALS):
        return ORDINALS[index]
    return "Variant" + "".join(ORDINALS[int(d)] for d in str(index))


def _status_word(status: str) -> str:
    """`201` -> `Created`: a status qualifies a name without a digit."""
    try:
        return _class_name(HTTPStatus(int(status)).phrase)
    except ValueError:
        return "Success"


def _class_name(text: str) -> str:
    """A class name from spec text that the generator keeps as it is (no trailing `_`)."""
    name = pascal(text)
    return name[:-1] + "Model" if name.endswith("_") else name


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
