# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""`multipart/form-data` bodies (RFC 7578) decoded into their model.

Each part is one field. A part sent with a `filename` (a file) becomes an `UploadedFile`:
its bytes, which is what the model's file fields (`format: binary`) are typed as, carrying
the file's name and media type beside them. Any other part is text (UTF-8). Part names are
bracket keys as in a URL-encoded form (`metadata[order]`, `tags[]`, see `forms.py`), a
repeated name is a list, and pydantic's lax mode turns `"0.2"` into a number where the
model says so. The parser is this module's own (no Python package needed): the body is
read whole, and the edge's `max_body_bytes` caps it before the route reads it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter

from .context import ContractError
from .forms import FormError, Model, array_fields, decode_pairs, validate_fields

MULTIPART_MEDIA_TYPE = "multipart/form-data"
MAX_PARTS = 1000
"""Parts a body may have: more is refused, not decoded."""
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class UploadedFile(bytes):
    """A file part: its bytes, with the `filename` and `content_type` the client sent.

    It is `bytes`, so it fills a model field typed `bytes` as is (pydantic keeps the
    subclass): `isinstance(body.file, UploadedFile)` tells a service the name it came with.
    """

    filename: str | None
    content_type: str | None

    def __new__(
        cls, content: bytes = b"", *, filename: str | None = None, content_type: str | None = None
    ) -> UploadedFile:
        made = super().__new__(cls, content)
        made.filename = filename
        made.content_type = content_type
        return made

    def __repr__(self) -> str:
        return (
            f"UploadedFile({len(self)} bytes, filename={self.filename!r}, "
            f"content_type={self.content_type!r})"
        )


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str | UploadedFile]]:
    """The parts of a body, in order: (name, text) or (name, UploadedFile)."""
    boundary = _params(content_type).get("boundary")
    if not boundary:
        raise FormError("the Content-Type names no multipart boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    if body.startswith(delimiter):
        position = len(delimiter)
    else:  # a preamble, ignored
        found = body.find(b"\r\n" + delimiter)
        if found < 0:
            raise FormError("the body has no part")
        position = found + 2 + len(delimiter)
    parts: list[tuple[str, str | UploadedFile]] = []
    while not body.startswith(b"--", position):
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise FormError("a boundary line is malformed")
        start = line_end + 2
        end = body.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise FormError("the body ends before its closing boundary")
        if len(parts) == MAX_PARTS:
            raise FormError(f"the body has more than {MAX_PARTS} parts")
        parts.append(_part(body[start:end]))
        position = end + 2 + len(delimiter)
    return parts


def _part(raw: bytes) -> tuple[str, str | UploadedFile]:
    if raw.startswith(b"\r\n"):
        head, content = b"", raw[2:]
    else:
        head, separator, content = raw.partition(b"\r\n\r\n")
        if not separator:
            raise FormError("a part has no blank line after its headers")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n"):
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon:
            raise FormError("a part's header is malformed")
        headers[name.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    params = _params(disposition)
    if disposition.split(";")[0].strip().lower() != "form-data" or "name" not in params:
        raise FormError("a part has no `Content-Disposition: form-data; name=...`")
    filename = params.get("filename")
    if filename is None:
        return params["name"], content.decode("utf-8", "replace")
    media_type = headers.get("content-type")
    return params["name"], UploadedFile(content, filename=filename, content_type=media_type)


def _params(header: str) -> dict[str, str]:
    """`form-data; name="a"; filename*=UTF-8''%C3%A9.txt` -> `{"name": "a", "filename": "é.txt"}`

    (RFC 5987's `key*` wins over a plain `key`).
    """
    found: dict[str, str] = {}
    for key, raw in _PARAM.findall(header):
        key = key.lower()
        value = raw.strip()
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if key.endswith("*"):  # RFC 5987: charset'language'percent-encoded, and it wins
            charset, _, rest = value.partition("'")
            _, _, encoded = rest.partition("'")
            try:
                found[key[:-1]] = urllib.parse.unquote(encoded, charset or "utf-8", "strict")
            except (LookupError, UnicodeDecodeError):
                continue
        elif key not in found:
            found[key] = value
    return found


def multipart_body(
    model: type[Model], *, required: bool
) -> Callable[[Request], Awaitable[Model | None]]:
    """A FastAPI dependency reading the request's multipart body into `model`.

    Errors are FastAPI's own validation errors (pointing into `body`), so they leave as the
    contract's problem like any other; a body in another media type is 415.
    """
    adapter: TypeAdapter[Model] = TypeAdapter(model)
    arrays = array_fields(adapter.json_schema(by_alias=True))

    async def read(request: Request) -> Model | None:
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if not body and not required:
            return None
        if body and media_type != MULTIPART_MEDIA_TYPE:
            raise ContractError(
                "unsupported_media_type",
                f"The body must be {MULTIPART_MEDIA_TYPE}, not {media_type or 'untyped'}.",
            )

        def decode() -> dict[str, Any]:
            return decode_pairs(parse_multipart(body, content_type)) if body else {}

        return validate_fields(adapter, arrays, decode)

    return read
