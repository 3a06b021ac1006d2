# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""`multipart/form-data` bodies (RFC 7578) decoded into their model.

Each part is one field. A part sent with a `filename` (a file) becomes an `UploadedFile`:
its bytes, which is what the model's file fields (`format: binary`) are typed as, carrying
the file's name and media type beside them. Any other part is text (UTF-8). Part names are
bracket keys as in a URL-encoded form (`metadata[order]`, `tags[]`, see `forms.py`), a
repeated name is a list, and pydantic's lax mode turns `"0.2"` into a number where the
model says so. Starlette's form reader (python-multipart) parses the body, which the edge's
`max_body_bytes` has capped before the route reads it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from .context import ContractError
from .forms import FormError, Model, array_fields, decode_pairs, validate_fields

MULTIPART_MEDIA_TYPE = "multipart/form-data"
MAX_PARTS = 1000
"""Parts a body may have: more is refused, not decoded."""


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


async def read_parts(request: Request) -> list[tuple[str, str | UploadedFile]]:
    """The parts of the request's body, in order: (name, text) or (name, UploadedFile).

    Parsed by Starlette's form reader (python-multipart), bounded in parts and files.
    """
    try:
        form = await request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS)
    except (HTTPException, MultiPartException) as error:
        detail = getattr(error, "detail", None) or getattr(error, "message", None) or error
        raise FormError(f"the body is not valid multipart/form-data: {detail}") from None
    parts: list[tuple[str, str | UploadedFile]] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, str):
                parts.append((name, value))
            else:
                content = await value.read()
                media_type = value.content_type
                parts.append(
                    (name, UploadedFile(content, filename=value.filename, content_type=media_type))
                )
    finally:
        await form.close()
    return parts


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

        parts: list[tuple[str, str | UploadedFile]] = []
        unreadable: FormError | None = None
        try:
            parts = await read_parts(request) if body else []
        except FormError as error:
            unreadable = error

        def decode() -> dict[str, Any]:
            if unreadable is not None:
                raise unreadable
            return decode_pairs(parts)

        return validate_fields(adapter, arrays, decode)

    return read
