"""multipart/form-data bodies: parts decoded (files as UploadedFile), then validated into the
operation's model, on a real app behind the contract's edge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

from contractgen.runtime.edge import ContractEdge
from contractgen.runtime.forms import FormError
from contractgen.runtime.multipart import (
    MAX_PARTS,
    UploadedFile,
    multipart_body,
)
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.spec import EdgeLimits, ErrorCatalogue, ErrorCode, OperationSpec
from tests.runtime._multipart import parse_multipart
from tests.runtime._servers import run_app

BOUNDARY = "----cg-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
BODY_LIMIT = 4096


def _body(*parts: bytes) -> bytes:
    return b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts) + (
        b"--" + BOUNDARY.encode() + b"--\r\n"
    )


def test_parts_become_text_and_files_in_order() -> None:
    audio = bytes(range(256)) + b"\r\n--not-the-boundary\r\n"
    body = _body(
        b'Content-Disposition: form-data; name="model"\r\n\r\nwhisper-1',
        b'Content-Disposition: form-data; name="file"; filename="a \\"b\\".mp3"\r\n'
        b"Content-Type: audio/mpeg\r\n\r\n" + audio,
        b"Content-Disposition: form-data; name=note\r\n\r\n",
        b'Content-Disposition: form-data; name="doc"; filename="x"; filename*=UTF-8\'\'%C3%A9.txt'
        b"\r\n\r\nhi",
    )
    parts = parse_multipart(body + b"epilogue", CONTENT_TYPE)
    assert [(name, type(value).__name__) for name, value in parts] == [
        ("model", "str"),
        ("file", "UploadedFile"),
        ("note", "str"),
        ("doc", "UploadedFile"),
    ]
    assert parts[0][1] == "whisper-1" and parts[2][1] == ""
    upload = parts[1][1]
    assert isinstance(upload, UploadedFile)
    assert upload == audio
    assert (upload.filename, upload.content_type) == ('a "b".mp3', "audio/mpeg")
    doc = parts[3][1]
    # python-multipart reads `filename`, not RFC 5987's `filename*`
    assert isinstance(doc, UploadedFile) and (doc.filename, doc.content_type) == ("x", None)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_body(b'Content-Disposition: form-data; name="a"\r\n\r\n1'), "multipart/form-data"),
        (b"preamble\r\n" + _body(b'Content-Disposition: form-data; name="a"\r\n\r\n1'), None),
        (_body(b'Content-Disposition: form-data; filename="a"\r\n\r\n1'), None),
        (_body(b"Content-Disposition form-data\r\n\r\n1"), None),
        (_body(*[b'Content-Disposition: form-data; name="a"\r\n\r\n1'] * (MAX_PARTS + 1)), None),
        (b"no boundary at all", None),
    ],
)
def test_malformed_bodies_are_refused(body: bytes, content_type: str | None) -> None:
    with pytest.raises(FormError):
        parse_multipart(body, content_type or CONTENT_TYPE)


class Options(BaseModel):
    speed: float = 1.0


class Transcription(BaseModel):
    file: bytes
    model: Annotated[str, Field(max_length=20)]
    temperature: float = 0
    languages: list[str] | None = None
    options: Options | None = None


RequiredBody = Annotated[Transcription, Depends(multipart_body(Transcription, required=True))]
OptionalBody = Annotated[
    Transcription | None, Depends(multipart_body(Transcription, required=False))
]
CATALOGUE = ErrorCatalogue(codes=(ErrorCode("body_too_big", 413, limit="request.maxBytes"),))
OPERATIONS = {
    op.operation_id: op
    for op in (
        OperationSpec("transcribe", "POST", "/transcribe", limits=EdgeLimits(BODY_LIMIT)),
        OperationSpec("maybe", "POST", "/maybe", limits=EdgeLimits(BODY_LIMIT)),
    )
}


def transcription_app() -> tuple[ContractEdge, list[Transcription | None]]:
    app = FastAPI()
    install_problem_handlers(app, CATALOGUE)
    received: list[Transcription | None] = []

    @app.post("/transcribe")
    async def transcribe(body: RequiredBody) -> dict[str, str]:
        received.append(body)
        return {"text": "ok"}

    @app.post("/maybe")
    async def maybe(body: OptionalBody) -> dict[str, str]:
        received.append(body)
        return {"text": "ok"}

    return ContractEdge(app, operations=OPERATIONS, catalogue=CATALOGUE), received


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, list[Transcription | None]]]:
    app, received = transcription_app()
    with run_app(app) as url, httpx.Client(base_url=url) as client:
        yield client, received


def test_a_multipart_body_arrives_as_the_model_with_the_files_name(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    response = client.post(
        "/transcribe",
        data={"model": "whisper-1", "temperature": "0.2", "options[speed]": "1.5"},
        files={"file": ("talk.mp3", b"ID3\x00\xff\r\n", "audio/mpeg")},
    )
    assert response.status_code == 200, response.text
    body = received[0]
    assert body is not None
    assert body == Transcription(
        file=b"ID3\x00\xff\r\n", model="whisper-1", temperature=0.2, options=Options(speed=1.5)
    )
    assert isinstance(body.file, UploadedFile)
    assert (body.file.filename, body.file.content_type) == ("talk.mp3", "audio/mpeg")


def test_one_value_of_a_list_field_is_a_list_of_one(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    response = client.post(
        "/transcribe", data={"model": "m", "languages": "en"}, files={"file": ("a", b"x")}
    )
    assert response.status_code == 200, response.text
    assert received[0] is not None and received[0].languages == ["en"]


def test_a_body_that_breaks_the_model_is_a_problem_pointing_at_the_fields(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    response = client.post(
        "/transcribe",
        data={"model": "m" * 21, "temperature": "warm"},
        files={"options[speed]": ("a", b"fast")},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/file", "/model", "/temperature", "/options/speed"}
    assert received == []


def test_a_malformed_body_is_a_problem_at_the_body(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    response = client.post(
        "/transcribe", content=b"--x\r\nno headers", headers={"Content-Type": CONTENT_TYPE}
    )
    assert response.status_code in (400, 422)
    assert [error["pointer"] for error in response.json()["errors"]] == [""]
    assert received == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"model": "m", "file": "eA=="}},
        {"data": {"model": "m"}},
        {"content": b"model=m", "headers": {"Content-Type": "text/plain"}},
    ],
)
def test_a_body_in_another_media_type_is_415(
    served: tuple[httpx.Client, list[Transcription | None]], request_kwargs: dict[str, object]
) -> None:
    client, received = served
    received.clear()
    response = client.post("/transcribe", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert received == []


def test_a_required_body_must_be_sent_and_an_optional_one_may_be_left_out(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    missing = client.post("/transcribe")
    left_out = client.post("/maybe")
    assert missing.status_code in (400, 422)
    assert {error["pointer"] for error in missing.json()["errors"]} == {"/file", "/model"}
    assert left_out.status_code == 200
    assert received == [None]


def test_the_edges_body_limit_applies_before_the_route_reads_it(
    served: tuple[httpx.Client, list[Transcription | None]],
) -> None:
    client, received = served
    received.clear()
    big = client.post("/transcribe", data={"model": "m"}, files={"file": ("a", b"x" * BODY_LIMIT)})
    assert big.status_code == 413
    assert big.json()["code"] == "body_too_big"

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while it is read
        yield _body(b'Content-Disposition: form-data; name="model"\r\n\r\nm')[:-20]
        for _ in range(BODY_LIMIT // 512 + 1):
            yield b"y" * 512

    chunked = client.post("/transcribe", content=chunks(), headers={"Content-Type": CONTENT_TYPE})
    assert chunked.status_code == 413
    assert received == []
