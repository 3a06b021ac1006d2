"""The mock served by a real uvicorn on a free port, and readers for what it sends."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema

from contractgen.load.document import LoadOptions
from contractgen.load.revision import load_input
from contractgen.mock.run import MockRequest, prepare
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract
from contractgen.model.json_schema import SchemaBundler, root_schema
from contractgen.model.schema import Schema
from tests.runtime._servers import run_app

ROOT = Path(__file__).resolve().parents[2]
CHAT = str(ROOT / "specs" / "chat-service.yaml")
AUTH = {"Authorization": "Bearer test-key"}
CHAT_BODY = {"model": "chat-small", "messages": [{"role": "user", "content": "Say hello."}]}


@contextlib.contextmanager
def serve(spec: str = CHAT, **options: Any) -> Iterator[str]:
    """The mock of `spec` on 127.0.0.1 and a free port; yields the base URL."""
    options.setdefault("seed", 7)
    options.setdefault("first_event_ms", 0)
    options.setdefault("event_interval_ms", 0)
    prepared = prepare(MockRequest(spec=spec, **options))
    with run_app(prepared.app) as base:
        yield base


class Schemas:
    """The contract's schemas as JSON Schema, to validate what the mock sends."""

    def __init__(self, spec: str) -> None:
        self.document = load_input(spec, LoadOptions())
        self.contract: Contract = build_contract(self.document)
        self.bundler = SchemaBundler(self.document)

    def root(self, schema: Schema) -> dict[str, Any]:
        if schema.ref is not None:
            return root_schema(self.bundler, schema.value, schema.location, schema.ref)
        return root_schema(self.bundler, schema.value, schema.value_location, None)

    def check(self, schema: Schema, value: Any) -> None:
        jsonschema.Draft202012Validator(self.root(schema)).validate(value)

    def response(self, operation: str, status: str = "200", media: str = "application/json"):
        op = self.contract.operation(operation)
        assert op is not None, operation
        found = op.responses[status].content[media].schema
        assert found is not None
        return found


@dataclass
class Frame:
    event: str | None = None
    data: list[str] = field(default_factory=list)
    id: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.data)

    def json(self) -> Any:
        return json.loads(self.text)


def sse_frames(response: httpx.Response) -> Iterator[Frame]:
    """Frames as they arrive (comments gathered on the frame they precede)."""
    frame = Frame()
    for line in response.iter_lines():
        if line == "":
            if frame.data or frame.event is not None:
                yield frame
                frame = Frame()
            continue
        if line.startswith(":"):
            frame.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            frame.event = value
        elif name == "data":
            frame.data.append(value)
        elif name == "id":
            frame.id = value
    if frame.data or frame.event is not None:
        yield frame
