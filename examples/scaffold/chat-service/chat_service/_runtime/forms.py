# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""URL-encoded form bodies (`application/x-www-form-urlencoded`) decoded into their model.

Forms carry nested values in bracket keys, as OpenAPI's `deepObject` style and Stripe's
API write them: `metadata[order]=6735`, `items[0][price]=p_1`, `expand[]=customer`. The
keys are decoded into objects and lists, the values stay strings, and pydantic's lax mode
turns `"6735"` into an integer where the model says so. A repeated plain key (`tag=a&tag=b`)
is a list. No other Python package is needed (Starlette's form parser needs one).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from .context import ContractError

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_DEPTH = 32
"""Brackets a key may nest: deeper is refused, not decoded (a hostile body stays cheap)."""
_KEY = re.compile(r"([^\[\]]*)((?:\[[^\[\]]*\])*)$")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")

Model = TypeVar("Model")


class FormError(ValueError):
    """A key that cannot be decoded (it also names an object and a value, or nests too deep)."""


def decode_form(body: bytes) -> dict[str, Any]:
    """`a[b][0]=x&a[b][1]=y&c=1` -> `{"a": {"b": ["x", "y"]}, "c": "1"}`."""
    return decode_pairs(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), True))


def decode_pairs(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Bracket keys decoded, whatever the values are (a multipart body's files stay files)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        _place(root, _path(key), value)
    result = _lists(root)
    assert isinstance(result, dict)
    return result


def _path(key: str) -> list[str]:
    """The tokens of a key: `a[b][]` -> `["a", "b", ""]` (`""` appends to a list)."""
    match = _KEY.match(key)
    if match is None or not match.group(1):
        return [key]  # not bracket notation: the key as written
    tokens = [match.group(1), *_BRACKETS.findall(match.group(2))]
    if len(tokens) > MAX_DEPTH:
        raise FormError(f"{key[:80]}: nested deeper than {MAX_DEPTH} levels")
    return tokens


def _place(node: dict[str, Any], path: list[str], value: Any) -> None:
    head, *rest = path
    if not rest:
        if head == "":
            head = str(len(node))  # `expand[]=a&expand[]=b`: the next index
        if head in node:
            existing = node[head]
            if isinstance(existing, dict):
                raise FormError(f"{head}: both a value and an object")
            node[head] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            node[head] = value
        return
    if head == "":
        head = str(len(node))
    child = node.setdefault(head, {})
    if not isinstance(child, dict):
        raise FormError(f"{head}: both a value and an object")
    _place(child, rest, value)


def _lists(node: Any) -> Any:
    """Objects whose keys are all indexes become lists, in index order."""
    if not isinstance(node, dict):
        return node
    items = {key: _lists(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def form_body(
    model: type[Model], *, required: bool
) -> Callable[[Request], Awaitable[Model | None]]:
    """A FastAPI dependency reading the request's form into `model`.

    Errors are FastAPI's own validation errors (pointing into `body`), so they leave as the
    contract's problem like any other; a body in another media type is 415.
    """
    adapter: TypeAdapter[Model] = TypeAdapter(model)
    arrays = array_fields(adapter.json_schema(by_alias=True))

    async def read(request: Request) -> Model | None:
        body = await request.body()
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not body and not required:
            return None
        if body and media_type != FORM_MEDIA_TYPE:
            raise ContractError(
                "unsupported_media_type", f"The body must be {FORM_MEDIA_TYPE}, not {media_type}."
            )
        return validate_fields(adapter, arrays, lambda: decode_form(body))

    return read


def validate_fields(
    adapter: TypeAdapter[Model], arrays: set[str], decode: Callable[[], dict[str, Any]]
) -> Model:
    """The decoded fields as the model, or FastAPI's validation error pointing into `body`."""
    try:
        fields = decode()
        for name in arrays.intersection(fields):  # `tag=a` alone is still a list of one
            if not isinstance(fields[name], list):
                fields[name] = [fields[name]]
        return adapter.validate_python(fields)
    except FormError as error:
        problem = {"type": "value_error", "loc": ("body",), "msg": str(error), "input": None}
        raise RequestValidationError([problem]) from None
    except ValidationError as error:
        errors = error.errors(include_url=False)
        raise RequestValidationError(
            [{**detail, "loc": ("body", *detail["loc"])} for detail in errors]
        ) from None


def array_fields(schema: dict[str, Any]) -> set[str]:
    """The top-level fields that hold lists, however many values the form repeats."""
    found = set()
    for name, member in schema.get("properties", {}).items():
        options = [member, *member.get("anyOf", ()), *member.get("oneOf", ())]
        if any(option.get("type") == "array" for option in options):
            found.add(name)
    return found
