# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""Request bodies as `application/x-www-form-urlencoded` forms (Stripe's style).

The body is first turned into JSON values (pydantic's aliases, None left out), then each
leaf becomes one pair, nested values in bracket keys as OpenAPI's `deepObject` style and
Stripe's API write them, and as the server runtime (`contractgen.runtime.forms`) decodes
them: `metadata[order]=6735`, `items[0][price]=p_1`, `expand[0]=customer`. Lists are indexed
(`[0]`, `[1]`, ...), so a list of objects keeps each object together; booleans are `true`
and `false`, numbers as JSON writes them, and None is not sent. An empty object or list has
no leaf, so it sends nothing (the field is absent, not empty).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from pydantic_core import to_jsonable_python

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def form_pairs(body: Any) -> list[tuple[str, str]]:
    """`{"a": {"b": [1, 2]}, "c": True}` -> `[("a[b][0]", "1"), ("a[b][1]", "2"), ("c", "true")]`.

    `body` is a pydantic model, or anything pydantic serializes to a JSON object.
    """
    data = to_jsonable_python(body, by_alias=True, exclude_none=True)
    if not isinstance(data, Mapping):
        raise TypeError(f"a form body must be an object, not {type(data).__name__}")
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        _leaves(_name("", str(name)), value, pairs)
    return pairs


def encode_form(body: Any) -> bytes:
    """The body as the bytes of a URL-encoded form (brackets percent-encoded, as browsers do)."""
    return urlencode(form_pairs(body)).encode("ascii")


def _leaves(key: str, value: Any, pairs: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for name, member in value.items():
            _leaves(f"{key}[{_name(key, str(name))}]", member, pairs)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _leaves(f"{key}[{index}]", item, pairs)
    else:
        pairs.append((key, _text(value)))


def _name(parent: str, name: str) -> str:
    """A member's name, refused when brackets in it would be read as nesting."""
    if "[" in name or "]" in name:
        where = f"{parent}: " if parent else ""
        raise ValueError(f"{where}the key {name!r} cannot be written in bracket notation")
    return name


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)
