"""Rules: examples match the schemas they illustrate.

Examples are validated with `jsonschema` against the schema where it sits in the document,
so `$ref`s inside it resolve through a registry that holds every loaded file. The dialect
follows the OpenAPI version: Draft 2020-12 for 3.1/3.2; Draft 4 with `nullable` for 3.0.
OpenAPI semantics that plain JSON Schema lacks are added as keywords: a `discriminator`
selects the `oneOf`/`anyOf` branch, a JSON `contentSchema` (SSE `data`) is decoded and
validated, and a `required` property that is `readOnly` binds responses only (`writeOnly`:
requests only). Formats are annotations only, and `readOnly`/`writeOnly` values may appear.
Patterns are ECMA-262, matched by jsonschema-rs in linear time (see `oas_schema`).

Parameters and form bodies travel as text, so their examples may be written as they travel:
`'true'` for true, `'12'` for 12, `12` for `'12'`, one value for a one-item array, or (for
parameters whose style joins arrays) `'a,b'` for `[a, b]`, at any depth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from contractgen.load.document import Document, RefError
from contractgen.location import Location, escape_token
from contractgen.model.contract import Example, MediaType, Operation, Parameter
from contractgen.model.schema import Schema
from contractgen.model.stream import SEQUENTIAL_MEDIA_TYPES, StreamFormat
from contractgen.report.finding import Finding, Level
from contractgen.validate.oas_schema import is_json_media_type, openapi_validator_class, shorten
from contractgen.validate.registry import Rule, RuleContext, rule

# jsonschema and referencing are imported where they run: importing them costs ~60 ms, and
# a spec without examples (and every `contractgen rules` call) should not pay for it.
if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry


#: Keywords whose value is one subschema / a list of them / a map of them (not followed: $ref).
_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
)
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_FRAME_FIELDS = frozenset({"event", "data", "id", "retry"})
#: The flag that lifts `required` in each direction (OpenAPI: readOnly binds responses only).
_UNBINDING = {"request": "readOnly", "response": "writeOnly"}
#: How many wire-form values one parameter or form example may have read as data.
_MAX_WIRE_FIXES = 20
#: The separator of an array parameter's values, by `style` (when `explode` is false; `simple`
#: always). `form` with `explode: true` repeats the name instead: one value per occurrence.
_DELIMITERS = {"simple": ",", "form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
_DEFAULT_STYLES = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
#: What `_from_wire` returns when it has nothing to read differently.
_UNCHANGED = object()
#: The JSON Schema type names a wire string may be read as, by the Python type it decodes to.
_DECODED_TYPES: dict[type, frozenset[str]] = {
    bool: frozenset({"boolean"}),
    int: frozenset({"integer", "number"}),
    float: frozenset({"number"}),
}


@rule(
    "EX001",
    "example-schema",
    Level.ERROR,
    "Every example validates against its schema.",
    rationale="""
        Examples are what people copy, what docs render and what `mock` serves. An example
        that does not match its schema teaches clients the wrong shape, or shows that the
        schema is wrong. Stream examples are checked frame by frame: SSE `data` is decoded
        as JSON and checked against its `contentSchema`; the sentinel is skipped.
    """,
    bad="""
        schema:
          type: object
          required: [id]
          properties: {id: {type: string}}
        example: {id: 42}
    """,
    good="""
        schema:
          type: object
          required: [id]
          properties: {id: {type: string}}
        example: {id: cmpl-42}
    """,
)
def check_example_schema(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    quick: _QuickAccept | bool | None = False  # built on the first example; None: not sound here
    checker: _Checker | None = None  # built on the first example it must judge: it loads jsonschema
    seen: set[Location] = set()
    for check in _all_checks(ctx):
        if check.example.location in seen or check.example.external:
            continue
        if quick is False:
            quick = _QuickAccept.for_document(ctx.document)
        if isinstance(quick, _QuickAccept) and quick.accepts(check):
            continue
        checker = checker or _Checker(ctx.document)
        problem = checker.problem(check)
        if problem is not None:
            seen.add(check.example.location)
            message = f"{check.owner} does not match its schema: {problem}"
            yield rule.finding(check.example.location, message)


# --- what to check --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Check:
    """One example, the schema it must satisfy, and how to read it."""

    example: Example
    schema: Location
    owner: str
    """How the message names the example: `POST /v1/chat: example `x` of response 200 ...`."""
    media_type: str | None = None
    sentinel: str | None = None
    wire: bool = False
    """Values may be written as they travel (query strings, form fields): `'true'` for true."""
    delimiter: str | None = None
    """What joins an array parameter's values into one string (`,` for `style: simple`)."""
    direction: str | None = None
    """`request` or `response`: which of `readOnly`/`writeOnly` lifts `required`."""


def _all_checks(ctx: RuleContext) -> Iterator[_Check]:
    for op in ctx.contract.operations:
        for param in op.parameters:
            if param.schema is None:
                continue
            for example in param.examples:
                if not example.serialized:
                    owner = f"{op.key}: {_named(example)} of parameter `{param.name}`"
                    at, delimiter = param.schema.value_location, _delimiter(param)
                    yield _Check(
                        example, at, owner, wire=True, delimiter=delimiter, direction="request"
                    )
        if op.request_body is not None:
            for media in op.request_body.content.values():
                yield from _media_checks(op, "the request body", media, "request")
        for response in op.responses.values():
            for media in response.content.values():
                yield from _media_checks(op, f"response {response.status}", media, "response")
    yield from _schema_checks(ctx)


def _delimiter(param: Parameter) -> str | None:
    """What joins an array parameter's values, from its `style` and `explode`."""
    style = param.style or _DEFAULT_STYLES.get(param.where)
    explode = param.explode if param.explode is not None else style == "form"
    if style is None or (explode and style != "simple"):
        return None
    return _DELIMITERS.get(style)


def _media_checks(op: Operation, where: str, media: MediaType, direction: str) -> Iterator[_Check]:
    stream = media.stream
    if stream is not None:
        schema, sentinel = stream.item_schema, stream.sentinel
    else:
        schema, sentinel = _item_or_schema(media), None
    if schema is None:
        return
    wire = media.media_type.split(";")[0].strip().lower() in _FORM_MEDIA_TYPES
    for example in media.examples:
        if example.name is not None and example.value is None:
            continue  # an Example Object's `value: null` is how 3.0 specs write "no body"
        owner = f"{op.key}: {_named(example)} of {where} ({media.media_type})"
        at, media_type = schema.value_location, media.media_type
        yield _Check(example, at, owner, media_type, sentinel, wire, direction=direction)


def _item_or_schema(media: MediaType) -> Schema | None:
    if _format(media.media_type) is not None:
        return media.item_schema or media.schema
    return media.schema


def _named(example: Example) -> str:
    return f"example `{example.name}`" if example.name else "example"


def _schema_checks(ctx: RuleContext) -> Iterator[_Check]:
    """Schema-level `example` (and `examples` in 3.1+) in every schema the contract reaches."""
    document = ctx.document
    roots: list[tuple[Any, Location]] = []
    for component in ctx.contract.components:
        if component.section == "schemas":
            roots.append((_value_at(document, component.location), component.location))
    for schema in _model_schemas(ctx):
        roots.append((_value_at(document, schema.location), schema.location))
        roots.append((schema.value, schema.value_location))
    with_examples = document.version_tuple >= (3, 1)
    seen: set[int] = set()
    for value, at in roots:
        for node, where in _subschemas(value, at, seen):
            if "example" in node:
                example = Example(where.child("example"), node["example"])
                yield _Check(example, where, "schema example")
            if with_examples and isinstance(node.get("examples"), list):
                for index, item in enumerate(node["examples"]):
                    example = Example(where.child("examples", index), item)
                    yield _Check(example, where, "schema example")


def _model_schemas(ctx: RuleContext) -> Iterator[Schema]:
    for op in ctx.contract.operations:
        yield from (p.schema for p in op.parameters if p.schema is not None)
        contents = [op.request_body.content] if op.request_body else []
        for response in op.responses.values():
            contents.append(response.content)
            yield from (h.schema for h in response.headers.values() if h.schema is not None)
        for content in contents:
            for media in content.values():
                yield from (s for s in (media.schema, media.item_schema) if s is not None)
        if op.websocket is not None:
            for union in (op.websocket.client_messages, op.websocket.server_messages):
                if union is not None:
                    yield union


def _subschemas(
    value: Any, at: Location, seen: set[int]
) -> Iterator[tuple[dict[str, Any], Location]]:
    """A schema and every schema nested in it (not through `$ref`), each once.

    Pointers are built as strings and turned into Locations only for schemas with examples:
    GitHub's spec has some 60 000 subschemas.
    """
    stack: list[tuple[Any, str]] = [(value, at.pointer)]
    while stack:
        node, pointer = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if "example" in node or "examples" in node:
            yield node, Location(at.file, pointer)
        for key in _ONE:
            if isinstance(node.get(key), dict):
                stack.append((node[key], f"{pointer}/{key}"))
        for key in _MANY:
            if isinstance(node.get(key), list):
                stack.extend((item, f"{pointer}/{key}/{i}") for i, item in enumerate(node[key]))
        for key in _MAP:
            if isinstance(node.get(key), dict):
                base = f"{pointer}/{escape_token(key)}/"
                stack.extend((item, base + escape_token(name)) for name, item in node[key].items())


def _value_at(document: Document, location: Location) -> Any:
    try:
        return document.value_at(location)
    except (KeyError, IndexError):
        return None


# --- how to check ---------------------------------------------------------------------------


#: The quick path pays off where python-jsonschema's import dominates: small documents.
#: Twilio's 1.4 MiB spec took 0.23 s with it and 0.10 s without.
_QUICK_PATH_MAX_CHARS = 256 * 1024


class _QuickAccept:
    """Accepts most valid examples with jsonschema-rs, before python-jsonschema is even loaded.

    Only its yes counts: anything it rejects goes to `_Checker`, which decides and explains.
    A yes is sound only where plain JSON Schema is at least as strict as `_Checker`, which is
    more lenient (nullable, wire forms, readOnly/writeOnly) except in two places: it decodes
    `contentSchema` strings, and it validates only the branch a `discriminator` picks. So the
    quick path runs only for documents that use neither. It keeps start-up small for small
    specs (python-jsonschema and referencing cost about 30 ms to import).
    """

    def __init__(self, document: Document) -> None:
        import jsonschema_rs

        self.document = document
        legacy = document.version_tuple < (3, 1)
        self.draft = jsonschema_rs.Draft4 if legacy else jsonschema_rs.Draft202012
        self.registry = jsonschema_rs.Registry(
            [(_uri(document, name), source.data) for name, source in document.files.items()],
            draft=self.draft,
        )
        self.validators: dict[Location, Any] = {}

    @classmethod
    def for_document(cls, document: Document) -> _QuickAccept | None:
        _load_referenced_files(document)
        texts = [source.text for source in document.files.values()]
        if sum(map(len, texts)) > _QUICK_PATH_MAX_CHARS:
            return None  # copying a big document into jsonschema-rs costs more than it saves
        if any("discriminator" in text or "contentSchema" in text for text in texts):
            return None
        try:
            return cls(document)
        except ValueError:  # jsonschema-rs cannot register it (e.g. an unresolvable `$id`)
            return None

    def accepts(self, check: _Check) -> bool:
        import jsonschema_rs

        try:
            instances = [instance for _, instance in _instances(check, self.document, check.schema)]
            validator = self.validators.get(check.schema)
            if validator is None:
                validator = jsonschema_rs.validator_for(
                    {"$ref": _schema_ref(self.document, check.schema)},
                    registry=self.registry,
                    validate_formats=False,
                )
                self.validators[check.schema] = validator
            return all(validator.is_valid(instance) for instance in instances)
        except (ValueError, jsonschema_rs.ReferencingError):
            return False  # `_Checker` reports or skips it


class _Checker:
    """Validates instances against schemas at document locations, one cached validator each."""

    def __init__(self, document: Document) -> None:
        self.document = document
        from referencing import Registry
        from referencing.jsonschema import DRAFT4, DRAFT202012

        _load_referenced_files(document)
        legacy = document.version_tuple < (3, 1)
        specification = DRAFT4 if legacy else DRAFT202012
        self.registry: Registry[Any] = Registry().with_resources(
            (_uri(document, name), specification.create_resource(source.data))
            for name, source in document.files.items()
        )
        self.legacy = legacy
        self.validator_classes: dict[str | None, type[Validator]] = {}
        self.validators: dict[tuple[Location, str | None], Validator] = {}

    def problem(self, check: _Check) -> str | None:
        """Why the example does not validate, or None when it does (or cannot be checked)."""
        try:
            instances = list(_instances(check, self.document, check.schema))
        except ValueError as error:
            return str(error)
        validator = self.validator(check.schema, check.direction)
        for label, instance in instances:
            try:
                found = _first_error(validator, instance, check)
            except Exception:  # an unresolvable or malformed schema: other rules report it
                return None
            if found is not None:
                return label + _describe(found)
        return None

    def validator(self, at: Location, direction: str | None = None) -> Validator:
        found = self.validators.get((at, direction))
        if found is None:
            cls = self.validator_classes.get(direction)
            if cls is None:
                unbinding = _UNBINDING.get(direction) if direction else None
                cls = openapi_validator_class(self.legacy, unbinding)
                self.validator_classes[direction] = cls
            found = cls({"$ref": _schema_ref(self.document, at)}, registry=self.registry)
            self.validators[(at, direction)] = found
        return found


def _instances(check: _Check, document: Document, schema: Location) -> Iterator[tuple[str, Any]]:
    """(label, instance) pairs to validate; ValueError when the example cannot be decoded."""
    value = check.example.value
    media_type = check.media_type
    stream_format = _format(media_type) if media_type else None
    if stream_format is StreamFormat.SSE:
        yield from _sse_instances(value, _is_frame(document, schema), check.sentinel)
    elif stream_format is not None:
        yield from _sequence_instances(value, stream_format)
    elif check.example.serialized:
        if media_type is not None and is_json_media_type(media_type):
            yield "", _json(value, "the serialized value")
    elif media_type is None or is_json_media_type(media_type) or not isinstance(value, str):
        yield "", value


def _first_error(validator: Validator, instance: Any, check: _Check) -> ValidationError | None:
    """The most relevant error; wire-form values (`'true'` for true) are read as data first."""
    from jsonschema.exceptions import best_match

    error: ValidationError | None = best_match(validator.iter_errors(instance))
    for _ in range(_MAX_WIRE_FIXES if check.wire else 0):
        fixed = _from_wire(instance, error, check.delimiter) if error else _UNCHANGED
        if fixed is _UNCHANGED:
            break
        instance = fixed
        error = best_match(validator.iter_errors(instance))
    return error


def _from_wire(instance: Any, error: ValidationError, delimiter: str | None) -> Any:
    """The instance with the value a `type` error names read as data, or `_UNCHANGED`.

    Any depth: a form field's array items, or a deepObject's members, travel as text too.
    The delimiter splits only the parameter's own value.
    """
    path = list(error.absolute_path)
    value = _at(instance, path)
    wanted = _wanted_types(error)
    if value is _UNCHANGED or not wanted:
        return _UNCHANGED
    fixed = _wire_value(value, wanted, None if path else delimiter)
    return _UNCHANGED if fixed is _UNCHANGED else _replaced(instance, path, fixed)


def _wanted_types(error: ValidationError) -> frozenset[str]:
    """The types a `type` error asked for (other errors are not about the wire form)."""
    if error.validator != "type":
        return frozenset()
    wanted = error.validator_value
    return frozenset(wanted if isinstance(wanted, list) else [wanted])


def _wire_value(value: Any, wanted: frozenset[str], delimiter: str | None) -> Any:
    """`'true'` -> True, `'12'` -> 12, `12` -> `'12'`, `'a'` -> ['a'] (or split); else unchanged."""
    if isinstance(value, dict | list) or value is None:
        return _UNCHANGED
    if "array" in wanted:
        return value.split(delimiter) if delimiter and isinstance(value, str) else [value]
    if not isinstance(value, str):
        return json.dumps(value) if "string" in wanted else _UNCHANGED
    try:
        decoded = json.loads(value)
    except ValueError:
        return _UNCHANGED
    kinds = _DECODED_TYPES.get(type(decoded), frozenset())
    finite = not isinstance(decoded, float) or math.isfinite(decoded)
    return decoded if kinds & wanted and finite else _UNCHANGED


def _at(instance: Any, path: list[Any]) -> Any:
    """The value at an error's path, or `_UNCHANGED` when there is none."""
    for token in path:
        in_list = isinstance(instance, list) and isinstance(token, int) and token < len(instance)
        if not (in_list or (isinstance(instance, dict) and token in instance)):
            return _UNCHANGED
        instance = instance[token]
    return instance


def _replaced(instance: Any, path: list[Any], value: Any) -> Any:
    """A copy of `instance` with `value` at `path` (a path `_at` found)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(instance, dict):
        return {**instance, head: _replaced(instance[head], rest, value)}
    items = list(instance)
    items[head] = _replaced(items[head], rest, value)
    return items


def _sequence_instances(value: Any, stream_format: StreamFormat) -> Iterator[tuple[str, Any]]:
    if isinstance(value, str):
        separator = "\x1e" if stream_format is StreamFormat.JSON_SEQ else "\n"
        lines = [line for line in value.split(separator) if line.strip()]
        yield from ((f"item {i}: ", _json(line, f"item {i}")) for i, line in enumerate(lines))
    elif isinstance(value, list):
        yield from ((f"item {i}: ", item) for i, item in enumerate(value))
    else:
        yield "", value


def _sse_instances(value: Any, framed: bool, sentinel: str | None) -> Iterator[tuple[str, Any]]:
    """SSE frames as the item schema sees them: whole frames, or (payload schemas) decoded data."""
    frames = _sse_frames(value) if isinstance(value, str) else value
    frames = frames if isinstance(frames, list) else [frames]
    for index, frame in enumerate(frames):
        label = f"event {index}: " if len(frames) > 1 else ""
        if _is_frame_value(frame) and sentinel is not None and frame.get("data") == sentinel:
            continue  # the sentinel is a raw data line, never schema-validated
        if framed:
            yield label, frame
        elif _is_frame_value(frame):
            if isinstance(frame.get("data"), str):
                yield label, _json(frame["data"], f"event {index} data")
        else:
            yield label, frame


def _sse_frames(text: str) -> list[dict[str, Any]]:
    """Parse SSE text into frames `{event, data, id, retry}`; comments and blank lines dropped."""
    frames: list[dict[str, Any]] = []
    frame: dict[str, Any] = {}
    for line in [*text.splitlines(), ""]:
        if not line:
            if frame:
                frames.append(frame)
            frame = {}
            continue
        if line.startswith(":"):
            continue
        field, _, data = line.partition(":")
        data = data.removeprefix(" ")
        if field == "data":
            frame["data"] = f"{frame['data']}\n{data}" if "data" in frame else data
        elif field in ("event", "id"):
            frame[field] = data
        elif field == "retry" and data.isdigit():
            frame["retry"] = int(data)
    return frames


def _is_frame_value(value: Any) -> bool:
    return isinstance(value, dict) and "data" in value and set(value) <= _FRAME_FIELDS


def _is_frame(document: Document, at: Location, depth: int = 0) -> bool:
    """Whether an SSE item schema describes whole frames (`event`/`data` properties)."""
    try:
        value = document.deref(document.value_at(at), at)
    except (KeyError, IndexError, RefError):
        return False
    schema, where = value.value, value.location
    if not isinstance(schema, dict) or depth > 3:
        return False
    properties = schema.get("properties")
    if isinstance(properties, dict) and {"event", "data"} & set(properties):
        return True
    for keyword in ("oneOf", "anyOf", "allOf"):
        members = schema.get(keyword)
        if isinstance(members, list) and any(
            _is_frame(document, where.child(keyword, i), depth + 1) for i in range(len(members))
        ):
            return True
    return False


def _json(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{what} is not valid JSON: {shorten(text)}") from None


def _describe(error: ValidationError) -> str:
    path = "".join(f"/{part}" for part in error.absolute_path) or "/"
    return f"at {path}: {shorten(error.message)}"


def _format(media_type: str) -> StreamFormat | None:
    return SEQUENTIAL_MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())


def _uri(document: Document, display: str) -> str:
    return document.file(display).path.absolute().as_uri()


def _schema_ref(document: Document, at: Location) -> str:
    """A `$ref` that names the schema at `at` among the registry's resources."""
    return f"{_uri(document, at.file)}#{quote(at.pointer, safe='/~')}"


def _load_referenced_files(document: Document) -> None:
    """Load every file a `$ref` names, so the registry holds all of them."""
    for site in document.ref_sites():
        if not site.target.startswith("#"):
            with suppress(RefError):
                document.resolve(site.target, site.location)
