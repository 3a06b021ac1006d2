# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""Request bodies as `multipart/form-data` (file uploads).

A model's file fields are `bytes` (the contract's `format: binary`): each top-level value
that is bytes, or a list of them, is sent as a file part. A `FileUpload` is bytes with the
filename and media type to send (`FileUpload.read(open("talk.mp3", "rb"))` takes both from
an open file); plain bytes go as a file named after its field, typed by httpx. A body that
is a mapping rather than a model may also hold a file-like object or a `(filename, bytes,
content_type)` tuple there. Every other field is a text part, nested values in bracket keys
as a URL-encoded form writes them (`forms.py`) and the server runtime decodes them.

`encode_multipart` writes the parts itself, as httpx's `files=` would (names and filenames
quoted as browsers quote them, a file's type guessed from its name when not given), because
httpx sends a body without any file URL-encoded, which the server refuses (415); one call
keeps its boundary, so a retry sends the same bytes.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import IO, Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from .forms import form_pairs

MULTIPART_MEDIA_TYPE = "multipart/form-data"
FileTuple = tuple[str, bytes, str | None]
"""One file part: its filename, its bytes, its media type (None: guessed from the name)."""


class FileUpload(bytes):
    """A file to upload: its bytes, with the filename and media type the part is sent with.

    It is `bytes`, so it fills a model's file field (typed `bytes`) as is.
    """

    filename: str | None
    content_type: str | None

    def __new__(
        cls, content: bytes = b"", *, filename: str | None = None, content_type: str | None = None
    ) -> FileUpload:
        made = super().__new__(cls, content)
        made.filename = filename
        made.content_type = content_type
        return made

    @classmethod
    def read(
        cls, file: IO[bytes], *, filename: str | None = None, content_type: str | None = None
    ) -> FileUpload:
        """The whole of an open binary file (read once: a retry sends the same bytes)."""
        name = filename or _file_name(file)
        return cls(file.read(), filename=name, content_type=content_type)

    def __repr__(self) -> str:
        return (
            f"FileUpload({len(self)} bytes, filename={self.filename!r}, "
            f"content_type={self.content_type!r})"
        )


def multipart_parts(body: Any) -> tuple[dict[str, str], list[tuple[str, FileTuple]]]:
    """The body as httpx's `data=` (text parts) and `files=` (file parts, in field order)."""
    if isinstance(body, BaseModel):
        fields = body.model_dump(by_alias=True, exclude_none=True)  # bytes stay bytes
    elif isinstance(body, Mapping):
        fields = {str(name): value for name, value in body.items() if value is not None}
    else:
        raise TypeError(f"a multipart body must be an object, not {type(body).__name__}")
    files: list[tuple[str, FileTuple]] = []
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if _is_file(value):
            files.append((name, _file(name, value)))
        elif isinstance(value, list | tuple) and value and all(_is_file(v) for v in value):
            files.extend((name, _file(name, item)) for item in value)
        else:
            values[name] = value
    return dict(form_pairs(to_jsonable_python(values, by_alias=True))), files


def encode_multipart(
    data: Mapping[str, str], files: list[tuple[str, FileTuple]], boundary: str | None = None
) -> tuple[bytes, str]:
    """The body's bytes and its `Content-Type` (with the boundary): text parts, then files."""
    boundary = boundary or uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, text in data.items():
        chunks.append(_head(boundary, f'form-data; name="{_quoted(name)}"'))
        chunks.append(text.encode("utf-8") + b"\r\n")
    for name, (filename, content, media_type) in files:
        disposition = f'form-data; name="{_quoted(name)}"; filename="{_quoted(filename)}"'
        guessed = media_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        chunks.append(_head(boundary, disposition, guessed))
        chunks.append(content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"{MULTIPART_MEDIA_TYPE}; boundary={boundary}"


def _head(boundary: str, disposition: str, media_type: str | None = None) -> bytes:
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if media_type is not None:
        lines.append(f"Content-Type: {media_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _quoted(text: str) -> str:
    """A name inside quotes, as the HTML standard writes it: `"`, CR and LF percent-encoded."""
    return text.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _is_file(value: Any) -> bool:
    if isinstance(value, bytes | bytearray) or callable(getattr(value, "read", None)):
        return True
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], bytes)
    )


def _file(name: str, value: Any) -> FileTuple:
    if isinstance(value, tuple):
        return value[0], value[1], value[2]
    if isinstance(value, FileUpload):
        return value.filename or name, bytes(value), value.content_type
    if isinstance(value, bytes | bytearray):
        return name, bytes(value), None
    upload = FileUpload.read(value)
    return upload.filename or name, bytes(upload), None


def _file_name(file: IO[bytes]) -> str | None:
    name = getattr(file, "name", None)
    return PurePath(name).name if isinstance(name, str) and name else None
