"""Multipart bodies: what the client sends (files as file parts, the rest as bracket-keyed text
parts), the server runtime decodes into the same model, the files' names included."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field, TypeAdapter

from contractgen.client_runtime.client import AsyncBaseClient, BaseClient
from contractgen.client_runtime.multipart import FileUpload, encode_multipart, multipart_parts
from contractgen.client_runtime.spec import OperationSpec
from contractgen.runtime.multipart import UploadedFile, multipart_body
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.spec import ErrorCatalogue
from tests.runtime._multipart import parse_multipart
from tests.runtime._servers import run_app

AUDIO = bytes(range(256)) * 4 + b"\r\n--\r\n"


class Chunking(BaseModel):
    kind: Annotated[str, Field(alias="type")]
    threshold: float | None = None


class Transcription(BaseModel):
    file: bytes
    model: str
    temperature: float = 0
    languages: list[str] | None = None
    chunking: Chunking | None = None
    attachments: list[bytes] | None = None
    prompt: str | None = None


class Answer(BaseModel):
    size: int
    filename: str | None
    content_type: str | None
    body: dict[str, Any]


class Note(BaseModel):
    text: str
    attachment: bytes | None = None


ANSWER: TypeAdapter[Answer] = TypeAdapter(Answer)
NOTE: TypeAdapter[Note] = TypeAdapter(Note)
TRANSCRIBE = OperationSpec("transcribe", "POST", "/v1/audio", body_encoding="multipart")
ADD_NOTE = OperationSpec("addNote", "POST", "/v1/notes", body_encoding="multipart")
Body = Annotated[Transcription, Depends(multipart_body(Transcription, required=True))]
NoteBody = Annotated[Note, Depends(multipart_body(Note, required=True))]


def audio_app() -> tuple[FastAPI, list[Transcription]]:
    app = FastAPI()
    install_problem_handlers(app, ErrorCatalogue())
    received: list[Transcription] = []

    @app.post("/v1/audio")
    async def transcribe(body: Body) -> Answer:
        received.append(body)
        upload = body.file
        assert isinstance(upload, UploadedFile)
        return Answer(
            size=len(upload),
            filename=upload.filename,
            content_type=upload.content_type,
            body=body.model_dump(mode="json", exclude={"file", "attachments"}, exclude_none=True),
        )

    @app.post("/v1/notes")
    async def add_note(body: NoteBody) -> Note:
        return body

    return app, received


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, list[Transcription]]]:
    app, received = audio_app()
    with run_app(app) as url:
        yield url, received


def test_files_are_file_parts_and_the_rest_text_parts_in_bracket_keys() -> None:
    body = Transcription(
        file=FileUpload(b"abc", filename="a.mp3", content_type="audio/mpeg"),
        model="whisper-1",
        languages=["en", "fr"],
        chunking=Chunking(type="server_vad", threshold=0.5),
        attachments=[b"1", b"2"],
    )
    data, files = multipart_parts(body)
    assert data == {
        "model": "whisper-1",
        "temperature": "0",
        "languages[0]": "en",
        "languages[1]": "fr",
        "chunking[type]": "server_vad",
        "chunking[threshold]": "0.5",
    }
    assert files == [
        ("file", ("a.mp3", b"abc", "audio/mpeg")),
        ("attachments", ("attachments", b"1", None)),
        ("attachments", ("attachments", b"2", None)),
    ]


def test_a_mapping_may_hold_a_file_object_or_a_tuple() -> None:
    named = io.BytesIO(b"xyz")
    named.name = "/tmp/dir/clip.wav"
    data, files = multipart_parts(
        {"file": named, "extra": ("b.txt", b"hi", "text/plain"), "model": "m", "skip": None}
    )
    assert data == {"model": "m"}
    assert files == [
        ("file", ("clip.wav", b"xyz", None)),
        ("extra", ("b.txt", b"hi", "text/plain")),
    ]
    with pytest.raises(TypeError):
        multipart_parts([b"x"])


def test_what_the_client_encodes_the_server_runtime_parses_back() -> None:
    data = {"model": "whisper-1", "chunking[type]": "ünï", "empty": ""}
    files = [
        ("file", ('é "q"\r\n.mp3', AUDIO, None)),
        ("file", ("b.bin", b"", "x/y")),
        ("doc", ("d.json", b"{}", None)),
    ]
    body, content_type = encode_multipart(data, files, boundary="cg1")
    assert content_type == "multipart/form-data; boundary=cg1"
    parts = parse_multipart(body, content_type)
    assert parts[:3] == list(data.items())
    uploads = [value for _, value in parts[3:]]
    assert all(isinstance(upload, UploadedFile) for upload in uploads)
    assert [
        (u.filename, u.content_type, bytes(u)) for u in uploads if isinstance(u, UploadedFile)
    ] == [
        ("é %22q%22%0D%0A.mp3", "audio/mpeg", AUDIO),  # quoted as browsers quote a filename
        ("b.bin", "x/y", b""),
        ("d.json", "application/json", b"{}"),
    ]


def test_file_upload_reads_an_open_file_once() -> None:
    upload = FileUpload.read(io.BytesIO(b"data"), filename="d.bin", content_type="x/y")
    assert upload == b"data" and (upload.filename, upload.content_type) == ("d.bin", "x/y")
    assert "d.bin" in repr(upload)


def test_a_multipart_operation_reaches_the_server_as_its_model_with_the_files_name(
    served: tuple[str, list[Transcription]],
) -> None:
    url, received = served
    body = Transcription(
        file=FileUpload(AUDIO, filename="talk.mp3", content_type="audio/mpeg"),
        model="whisper-1",
        temperature=0.2,
        languages=["en"],
        chunking=Chunking(type="server_vad"),
        attachments=[b"one", FileUpload(b"two", filename="2.txt")],
    )
    seen: list[httpx.Request] = []
    with httpx.Client(base_url=url, event_hooks={"request": [seen.append]}) as http:
        client = BaseClient(url, http=http)
        answer = client.request_json(TRANSCRIBE, ANSWER, json=body)
    assert seen[-1].headers["content-type"].startswith("multipart/form-data; boundary=")
    assert answer == Answer(
        size=len(AUDIO),
        filename="talk.mp3",
        content_type="audio/mpeg",
        body={
            "model": "whisper-1",
            "temperature": 0.2,
            "languages": ["en"],
            "chunking": {"kind": "server_vad"},
        },
    )
    assert received[-1] == body
    attachments = received[-1].attachments or []
    assert [(a.filename, bytes(a)) for a in attachments if isinstance(a, UploadedFile)] == [
        ("attachments", b"one"),
        ("2.txt", b"two"),
    ]


def test_plain_bytes_go_as_a_file_named_after_the_field_from_the_async_client(
    served: tuple[str, list[Transcription]],
) -> None:
    url, received = served

    async def run() -> Answer:
        async with AsyncBaseClient(url) as client:
            body = Transcription(file=AUDIO, model="m")
            return await client.request_json(TRANSCRIBE, ANSWER, json=body)

    answer = asyncio.run(run())
    assert (answer.size, answer.filename) == (len(AUDIO), "file")
    assert answer.content_type == "application/octet-stream"
    assert received[-1].file == AUDIO


def test_a_body_without_a_file_is_still_multipart(
    served: tuple[str, list[Transcription]],
) -> None:
    url, _ = served
    seen: list[httpx.Request] = []
    with httpx.Client(base_url=url, event_hooks={"request": [seen.append]}) as http:
        client = BaseClient(url, http=http)
        note = client.request_json(ADD_NOTE, NOTE, json=Note(text="no attachment"))
        attached = client.request_json(ADD_NOTE, NOTE, json=Note(text="a", attachment=b"\x00"))
    assert note == Note(text="no attachment")
    assert attached == Note(text="a", attachment=b"\x00")
    assert [request.headers["content-type"].split(";")[0] for request in seen] == [
        "multipart/form-data",
        "multipart/form-data",
    ]
