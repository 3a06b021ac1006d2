"""A generated client uploads a multipart body; the scaffolded service gets its typed model.

A small contract whose POST takes `multipart/form-data` (OpenAI's audio style: a file and
fields, a 3.0 `format: binary` file and a 3.1 `contentMediaType` one; one more offers an
SSE stream chosen by a `stream` field): scaffolded, its
implementation written as a user would (it answers with what it received), served with
uvicorn, and called by the generated client in a child Python (cwd `client/`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scaffold._harness import scaffold, serve

SPEC = """\
openapi: 3.2.0
info: {title: Audio, version: 1.0.0}
paths:
  /v1/audio/transcriptions:
    post:
      operationId: createTranscription
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {$ref: '#/components/schemas/TranscriptionForm'}
      responses:
        '200':
          description: what the service received
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Transcription'}
  /v1/audio/streams:
    post:
      operationId: streamTranscription
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                stream: {type: boolean, default: false}
      responses:
        '200':
          description: the transcription, or its stream when `stream` is true
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Transcription'}
            text/event-stream:
              itemSchema:
                type: object
                required: [event, data]
                properties:
                  event: {const: done}
                  data: {type: string}
              x-contract-stream: {streamFlag: /stream, terminal: [done]}
components:
  schemas:
    TranscriptionForm:
      type: object
      required: [file, model]
      properties:
        file: {type: string, format: binary}
        cover: {type: string, contentMediaType: image/png}
        model: {type: string}
        temperature: {type: number, default: 0}
        languages:
          type: array
          items: {type: string}
        chunking:
          type: object
          required: [type]
          properties:
            type: {type: string}
            threshold: {type: number}
    Transcription:
      type: object
      required: [text]
      properties:
        text: {type: string}
        filename: {type: string}
        content_type: {type: string}
        cover: {type: integer}
"""

IMPLEMENTATION = '''\
"""Answers with what the upload brought: the file's size, name and media type."""

from __future__ import annotations

from collections.abc import AsyncIterator

from . import models, streams
from ._runtime.context import RequestContext
from ._runtime.multipart import UploadedFile
from .service import Service


class Implementation(Service):
    async def create_transcription(
        self, body: models.TranscriptionForm, *, context: RequestContext
    ) -> models.Transcription:
        upload = body.file
        named = upload if isinstance(upload, UploadedFile) else UploadedFile(upload)
        chunking = body.chunking.type if body.chunking else "none"
        return models.Transcription(
            text=f"{len(upload)} bytes {upload[:4]!r} {body.model} {body.temperature} "
            f"{','.join(body.languages or [])} {chunking}",
            filename=named.filename,
            content_type=named.content_type,
            cover=len(body.cover) if body.cover is not None else None,
        )

    async def stream_transcription(
        self, body: models.StreamTranscriptionRequest, *, context: RequestContext
    ) -> models.Transcription | AsyncIterator[streams.StreamTranscriptionEvent]:
        if body.stream:
            return self._events(len(body.file))
        return models.Transcription(text=f"{len(body.file)} bytes {body.file[:4]!r}")

    async def _events(self, size: int) -> AsyncIterator[streams.StreamTranscriptionEvent]:
        yield streams.StreamTranscriptionDoneEvent(data=f"{size} bytes")
'''

CALL = textwrap.dedent(
    """
    import asyncio, io, json, sys
    import httpx
    from audio_client import AsyncClient, Client, FileUpload
    from audio_client.client import OPERATIONS
    from audio_client.models import StreamTranscriptionRequest, TranscriptionForm

    sent = []
    audio = bytes(range(256)) * 40
    form = TranscriptionForm(
        file=FileUpload(audio, filename="talk.mp3", content_type="audio/mpeg"),
        cover=b"\\x89PNG",
        model="whisper-1",
        temperature=0.2,
        languages=["en", "fr"],
        chunking={"type": "server_vad", "threshold": 0.5},
    )
    http = httpx.Client(base_url=sys.argv[1], event_hooks={"request": [sent.append]})
    with Client(sys.argv[1], http=http) as api:
        answer = api.create_transcription(form)
        opened = io.BytesIO(b"RIFF....WAVE")
        opened.name = "clip.wav"
        read = api.create_transcription(
            TranscriptionForm(file=FileUpload.read(opened), model="whisper-1")
        )

    async def run():
        async with AsyncClient(sys.argv[1]) as api:
            return await api.create_transcription(TranscriptionForm(file=b"OggS", model="m"))

    plain = asyncio.run(run())
    with Client(sys.argv[1]) as api:
        unstreamed = api.stream_transcription(
            StreamTranscriptionRequest(file=b"\\xff\\xfe\\x00\\x01 not utf-8")
        )
        with api.stream_transcription_stream(StreamTranscriptionRequest(file=b"abc")) as events:
            streamed = [event.model_dump(mode="json", exclude_none=True) for event in events]
    print(json.dumps({
        "encodings": {key: op.body_encoding for key, op in OPERATIONS.items()},
        "class": type(answer).__name__,
        "answer": answer.model_dump(mode="json", exclude_none=True),
        "read": read.model_dump(mode="json", exclude_none=True),
        "plain": plain.model_dump(mode="json", exclude_none=True),
        "unstreamed": unstreamed.model_dump(mode="json", exclude_none=True),
        "streamed": streamed,
        "content_type": sent[0].headers["content-type"],
    }))
    """
)


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    base = tmp_path_factory.mktemp("multipart")
    spec = base / "audio.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    project = base / "project"
    done = scaffold(spec, project, "--package-name", "audio")
    assert done.returncode == 0, done.stderr
    (project / "audio" / "implementation.py").write_text(IMPLEMENTATION, encoding="utf-8")
    with serve(Path(sys.executable), "audio", project) as url:
        yield project, url


def test_the_generated_client_uploads_and_the_service_gets_the_typed_model(
    audio: tuple[Path, str],
) -> None:
    project, url = audio
    child = subprocess.run(
        [sys.executable, "-c", CALL, url],
        cwd=project / "client",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    log = "".join(path.read_text() for path in project.glob("server-*.log"))
    assert child.returncode == 0, child.stderr[-4000:] + log[-2000:]
    seen = json.loads(child.stdout)
    assert seen["encodings"] == {
        "createTranscription": "multipart",
        "streamTranscription": "multipart",
    }
    assert seen["content_type"].startswith("multipart/form-data; boundary=")
    assert seen["class"] == "Transcription"
    assert seen["answer"] == {
        "text": "10240 bytes b'\\x00\\x01\\x02\\x03' whisper-1 0.2 en,fr server_vad",
        "filename": "talk.mp3",
        "content_type": "audio/mpeg",
        "cover": 4,
    }
    assert seen["read"]["filename"] == "clip.wav"
    assert seen["read"]["text"].startswith("12 bytes b'RIFF' whisper-1 0.0")
    assert seen["plain"] == {
        "text": "4 bytes b'OggS' m 0.0  none",
        "filename": "file",
        "content_type": "application/octet-stream",
    }

    # the stream flag is set by the method called, and the file still goes as its bytes
    assert seen["unstreamed"] == {"text": "14 bytes b'\\xff\\xfe\\x00\\x01'"}
    assert seen["streamed"] == [{"event": "done", "data": "3 bytes"}]


def test_the_service_refuses_json_and_points_at_missing_fields(audio: tuple[Path, str]) -> None:
    import httpx

    _, url = audio
    as_json = httpx.post(url + "/v1/audio/transcriptions", json={"model": "m"})
    missing = httpx.post(url + "/v1/audio/transcriptions", data={"model": "m"}, files={})
    no_file = httpx.post(
        url + "/v1/audio/transcriptions", data={"model": "m"}, files={"cover": b"x"}
    )
    assert as_json.status_code == 415
    assert missing.status_code == 415  # no files: httpx sends it URL-encoded
    assert no_file.status_code in (400, 422)
    assert [error["pointer"] for error in no_file.json()["errors"]] == ["/file"]


def test_the_file_fields_are_bytes_in_the_models_and_the_route_decodes_multipart(
    audio: tuple[Path, str],
) -> None:
    project, _ = audio
    models = (project / "audio" / "models.py").read_text()
    assert "    file: bytes\n" in models
    assert "    cover: bytes | None = None\n" in models
    routes = "".join(path.read_text() for path in (project / "audio" / "routes").glob("*.py"))
    assert "Depends(multipart_body(models.TranscriptionForm, required=True))" in routes
    client = (project / "client" / "audio_client" / "client.py").read_text()
    assert client.count('body_encoding="multipart"') == 2


def test_the_project_with_its_implementation_passes_ruff_and_mypy(audio: tuple[Path, str]) -> None:
    project, _ = audio
    for folder in (project, project / "client"):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert lint.returncode == 0, lint.stdout[-4000:]
        checked = subprocess.run(
            [sys.executable, "-m", "mypy"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert checked.returncode == 0, checked.stdout[-4000:]
