"""How hoisted classes are named: from the contract's own words, never a counter.

Everything here derives a name from where a schema sits (an operation and its role, a
union branch and what tells it apart) through `names.pascal`; `Namespace.claim` picks the
first free one of the candidates given, in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from contractgen.location import split_pointer
from contractgen.model.contract import Operation, is_json_media_type
from contractgen.model.schema import Schema
from contractgen.scaffold.names import pascal
from contractgen.scaffold.schema_forms import is_ref

IMPORTED_NAMES = frozenset(
    {"BaseModel", "RootModel", "Field", "ConfigDict", "AliasChoices", "SerializeAsAny"}
    | {"Annotated", "Any", "Literal", "Optional", "Union", "ClassVar", "TypeAlias", "Iterator"}
    | {"Dict", "List", "Set", "FrozenSet", "Tuple", "Mapping", "Sequence", "SupportsIndex"}
    | {"StrEnum", "Enum", "IntEnum", "Decimal", "UUID", "Path", "SimpleNamespace", "Pattern"}
    | {"AnyUrl", "AnyHttpUrl", "HttpUrl", "AwareDatetime", "NaiveDatetime", "EmailStr"}
    | {"NameEmail", "SecretStr", "Json", "Base64Str", "Base64Bytes", "StringConstraints"}
    | {"IPvAnyAddress", "IPv4Address", "IPv6Address", "PastDate", "FutureDate"}
    | {"PastDatetime", "FutureDatetime", "StrictStr", "StrictInt", "StrictBool", "StrictFloat"}
    | {"StrictBytes", "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt"}
    | {"PositiveFloat", "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat", "TypeAdapter"}
    | {"ValidationInfo", "ValidatorFunctionWrapHandler"}
)
"""Names the generated module imports: a class of that name would shadow the import."""
ORDINALS = (
    *("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth"),
    *("Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth"),
    *("Seventeenth", "Eighteenth", "Nineteenth", "Twentieth"),
)
"""The last resort for telling union branches apart: their position, spelt without a digit."""
STRUCTURE = frozenset(
    {"components", "schemas", "properties", "items", "content", "schema", "paths", "allOf"}
    | {"oneOf", "anyOf", "additionalProperties", "requestBody", "responses", "itemSchema"}
)
"""Pointer tokens that say how a document is built, not what a schema is about."""
DIGITS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


def operation_base(op: Operation) -> str:
    """What an operation's classes start with: its operationId, else its method and path."""
    return class_name(op.operation_id or f"{op.method} {op.path}")


def operation_sites(op: Operation) -> Iterator[tuple[Schema, list[str]]]:
    """Each schema an operation's server reads or writes, with the names it may take."""
    base = operation_base(op)
    if op.request_body is not None and (body := op.request_body.decoded_schema()) is not None:
        yield body, [f"{base}Request", f"{base}RequestBody"]
    for status, response in op.responses.items():
        if not response.is_success:
            continue
        for media_type, content in response.content.items():
            if is_json_media_type(media_type) and content.schema is not None:
                words = [status_word(status), class_name(media_type)]
                yield content.schema, [f"{base}Response", *(f"{base}{w}Response" for w in words)]
    for stream in op.streams:
        if stream.item_schema is not None:
            yield stream.item_schema, [f"{base}StreamItem", f"{base}{pascal(stream.format)}Item"]
        for event in stream.events:
            if event.payload is not None:
                yield event.payload, [f"{base}{class_name(event.name)}Payload"]
    if op.websocket is not None:
        for side, union, types in (
            ("Client", op.websocket.client_messages, op.websocket.client_types),
            ("Server", op.websocket.server_messages, op.websocket.server_types),
        ):
            if union is not None:
                yield union, [f"{base}{side}Messages", f"{base}{side}MessageUnion"]
            for message in types:
                yield message.schema, [f"{base}{class_name(message.name)}{side}Message"]


def discriminator_property(union: dict[str, Any]) -> str | None:
    """The property an OpenAPI `discriminator` names: what a branch's name is read from."""
    discriminator = union.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
        return str(discriminator["propertyName"])
    return None


def branch_labels(branch: Any, tag: str | None, index: int) -> list[str]:
    """What tells a branch apart: the value it pins, its title, its type, its position."""
    labels: list[str] = []
    if isinstance(branch, dict) and isinstance(branch.get("allOf"), list) and branch["allOf"]:
        first = branch["allOf"][0]
        if is_ref(first):
            labels.append(class_name(first["$ref"].rsplit("/", 1)[-1]))
    if isinstance(branch, dict):
        pinned = pins(branch)
        for prop in (tag, "type", "event", "object", *pinned):
            if prop in pinned:
                labels.append(class_name(pinned[prop]))
                break
        if isinstance(branch.get("title"), str):
            labels.append(class_name(branch["title"]))
        if isinstance(branch.get("type"), str):
            labels.append(class_name(branch["type"]))
    labels.append(ordinal(index))
    return list(dict.fromkeys(label for label in labels if label))


def pins(branch: dict[str, Any]) -> dict[str, str]:
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


def member(stem: str, name: str, word: str) -> str:
    """A member's name: its owner's, its key's (`messages` -> `Messages`), a word after."""
    return stem + class_name(name) + word


def ordinal(index: int) -> str:
    """`0` -> `First`; past twenty, `VariantTwoOne`: a position, spelt without a digit."""
    if index < len(ORDINALS):
        return ORDINALS[index]
    return "Variant" + "".join(DIGITS[int(digit)] for digit in str(index))


def status_word(status: str) -> str:
    """`201` -> `Created`: a status qualifies a name without a digit."""
    try:
        return class_name(HTTPStatus(int(status)).phrase)
    except ValueError:
        return "Success"


def class_name(text: str) -> str:
    """A class name from spec text that the generator keeps as it is (no trailing `_`)."""
    name = pascal(text)
    return name[:-1] + "Model" if name.endswith("_") else name


def pointer_stem(pointer: str) -> str:
    """A name for a schema known only by where it sits: its pointer's telling tokens.

    `/components/schemas/Run/properties/usage` -> `RunUsage`.
    """
    tokens = [t for t in split_pointer(pointer) if t not in STRUCTURE and not t.isdigit()]
    return "".join(class_name(token) for token in tokens) or "Model"
