"""Which operations verify exercises, and the valid requests it sends them.

Requests are built from the contract with `model.generate`, the seeded generator mock uses:
one `random.Random` per operation, seeded with `--seed` and the operation's key, so a run is
reproduced exactly by its seed. The contract's own valid request examples go first, then
generated bodies. A stream flag (`streamFlag`) is set to select the stream or the JSON
response; a token field (`tokens.requestField`) never asks above `tokens.maxOutputTokens`.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
import random
import shlex
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from jsonschema import Draft202012Validator

from contractgen.location import split_pointer, value_at
from contractgen.model.contract import Operation, is_json_media_type
from contractgen.model.generate import Validators, generate
from contractgen.model.json_schema import ExportError, SchemaBundler, root_schema
from contractgen.model.schema import Schema
from contractgen.model.stream import Stream, StreamFormat

SKIPPED_HEADERS = frozenset({"accept", "content-type", "authorization"})
STREAM_ACCEPT = {
    StreamFormat.SSE: "text/event-stream",
    StreamFormat.JSONL: "application/jsonl",
    StreamFormat.JSON_SEQ: "application/json-seq",
}


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None

    def curl(self, *, hidden: Sequence[str] = ()) -> str:
        """The request as a curl command; the values of `hidden` headers are elided."""
        parts = ["curl", "-X", self.method]
        for name, value in self.headers.items():
            shown = "..." if name.lower() in hidden else value
            parts += ["-H", f"{name}: {shown}"]
        if self.body is not None:
            text = self.body.decode("utf-8", "replace")
            if len(text) > 2000:
                text = text[:2000] + "...(" + str(len(self.body)) + " bytes)"
            parts += ["--data-raw", text]
        parts.append(self.url)
        return shlex.join(parts)


@dataclass(frozen=True)
class Compiled:
    """A bundled JSON Schema with its jsonschema validator (for JSON Pointers of failures)."""

    root: dict[str, Any]
    location: Any
    checks: Validators = field(compare=False)

    @functools.cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.root)

    def errors(self, value: Any, limit: int = 3) -> list[tuple[str, str]]:
        """(JSON Pointer of the failing value, message), the first few, deepest first."""
        found = sorted(
            self.validator.iter_errors(value), key=lambda e: (-len(e.absolute_path), str(e.path))
        )
        out = []
        for error in found[:limit]:
            pointer = "".join(
                "/" + str(token).replace("~", "~0").replace("/", "~1")
                for token in error.absolute_path
            )
            message = error.message
            if len(message) > 300:
                message = message[:300] + "..."
            out.append((pointer or "/", message))
        return out


class Schemas:
    """The contract's schemas compiled on first use, once each."""

    def __init__(self, bundler: SchemaBundler) -> None:
        self.bundler = bundler
        self._cache: dict[int, Compiled | None] = {}

    def compile(self, schema: Schema | None) -> Compiled | None:
        if schema is None:
            return None
        key = id(schema)
        if key not in self._cache:
            try:
                if schema.ref is not None:
                    root = root_schema(self.bundler, schema.value, schema.location, schema.ref)
                else:
                    root = root_schema(self.bundler, schema.value, schema.value_location, None)
                self._cache[key] = Compiled(root, schema.value_location, Validators(root))
            except (ExportError, RecursionError):
                self._cache[key] = None
        return self._cache[key]


def selected(
    operations: Sequence[Operation], include: Sequence[str], exclude: Sequence[str]
) -> list[Operation]:
    """Operations matching any `--include` (all when none) and no `--exclude`."""

    def matches(op: Operation, patterns: Sequence[str]) -> bool:
        names = [op.key, op.key.lower()] + ([op.operation_id] if op.operation_id else [])
        return any(
            fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name, pattern.upper())
            for pattern in patterns
            for name in names
        )

    return [
        op
        for op in operations
        if (not include or matches(op, include)) and not matches(op, exclude) and "?" not in op.path
    ]


@dataclass(frozen=True, slots=True)
class Exercise:
    """One request to send: to the JSON response, a stream, or a WebSocket."""

    op: Operation
    mode: str
    """`json`, `stream` or `websocket`."""
    request: HttpRequest
    stream: Stream | None = None
    body: Any = None


def json_response_declared(op: Operation) -> bool:
    return any(
        response.is_success
        and any(
            media.stream is None and is_json_media_type(name)
            for name, media in response.content.items()
        )
        for response in op.responses.values()
    )


def served_stream(op: Operation) -> Stream | None:
    sse = [stream for stream in op.streams if stream.format is StreamFormat.SSE]
    return next(iter(sse or op.streams), None)


class RequestMaker:
    """Valid requests for the operations of one contract, reproducible from a seed."""

    def __init__(self, base_url: str, schemas: Schemas, headers: dict[str, str], seed: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.schemas = schemas
        self.headers = headers
        self.seed = seed

    def rng(self, op: Operation, salt: str = "") -> random.Random:
        return random.Random(zlib.crc32(f"{self.seed}\x1f{op.key}\x1f{salt}".encode()))

    def exercises(self, op: Operation, count: int) -> Iterator[Exercise]:
        rng = self.rng(op)
        bodies = self.bodies(op, rng, count)
        stream = served_stream(op)
        for index in range(count):
            body = bodies[index] if bodies else None
            if op.websocket is not None:
                yield Exercise(op, "websocket", self.request(op, rng, None, websocket=True))
                continue
            if stream is not None:
                streamed = self._with_flag(body, stream, True)
                yield Exercise(
                    op,
                    "stream",
                    self.request(op, rng, streamed, accept=STREAM_ACCEPT[stream.format]),
                    stream,
                    streamed,
                )
                if not json_response_declared(op):
                    continue
                body = self._with_flag(body, stream, False)
            yield Exercise(
                op, "json", self.request(op, rng, body, accept="application/json"), None, body
            )

    def request(
        self,
        op: Operation,
        rng: random.Random,
        body: Any,
        *,
        accept: str | None = None,
        websocket: bool = False,
        raw_body: bytes | None = None,
    ) -> HttpRequest:
        path = op.path
        query: list[tuple[str, str]] = []
        headers: dict[str, str] = {}
        for parameter in op.parameters:
            if parameter.where == "header" and parameter.name.lower() in SKIPPED_HEADERS:
                continue
            if (
                websocket
                and parameter.where == "header"
                and parameter.name.lower().startswith("sec-websocket")
            ):
                continue
            if not (parameter.required or parameter.where == "path"):
                continue
            value = self._parameter_value(parameter.schema, parameter.examples, rng)
            if parameter.where == "path":
                path = path.replace("{" + parameter.name + "}", quote(_text(value), safe=""))
            elif parameter.where == "query":
                values = value if isinstance(value, list) else [value]
                query += [(parameter.name, _text(item)) for item in values]
            elif parameter.where == "header":
                headers[parameter.name] = _text(value)
        url = self.base_url + path + ("?" + urlencode(query) if query else "")
        if websocket:
            url = "ws" + url.removeprefix("http")
        if accept is not None:
            headers["Accept"] = accept
        data = raw_body
        if data is None and body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        return HttpRequest(op.method.upper(), url, {**headers, **self.headers}, data)

    def _parameter_value(self, schema: Schema | None, examples: Any, rng: random.Random) -> Any:
        for example in examples:
            if not example.external and not example.serialized:
                return example.value
        compiled = self.schemas.compile(schema)
        if compiled is None:
            return "x"
        return generate(compiled.root, rng, compiled.checks).value

    def body_schema(self, op: Operation) -> Compiled | None:
        if op.request_body is None:
            return None
        return self.schemas.compile(op.request_body.json_schema())

    def bodies(self, op: Operation, rng: random.Random, count: int) -> list[Any]:
        if op.request_body is None:
            return []
        compiled = self.body_schema(op)
        if compiled is None:
            return [] if not op.request_body.required else [{}] * count
        out: list[Any] = []
        for media_type, content in op.request_body.content.items():
            if not is_json_media_type(media_type):
                continue
            for example in content.examples:
                if example.external or example.serialized:
                    continue
                if compiled.checks.is_valid(compiled.root, example.value):
                    out.append(copy.deepcopy(example.value))
        out = out[:count]
        while len(out) < count:
            out.append(generate(compiled.root, rng, compiled.checks).value)
        cap = op.limits.max_output_tokens
        field_pointer = op.limits.tokens_request_field
        if cap is not None and field_pointer:
            for body in out:
                current = value_at(body, field_pointer)
                if isinstance(current, int) and not isinstance(current, bool) and current > cap:
                    set_pointer(body, field_pointer, cap)
        return out

    @staticmethod
    def _with_flag(body: Any, stream: Stream, value: bool) -> Any:
        if stream.stream_flag is None or not isinstance(body, dict):
            return body
        copied = copy.deepcopy(body)
        set_pointer(copied, stream.stream_flag, value)
        return copied


def set_pointer(document: Any, pointer: str, value: Any) -> None:
    """Set a value at a JSON Pointer, creating objects on the way; a path through a non-object
    is left alone."""
    tokens = split_pointer(pointer)
    node = document
    for token in tokens[:-1]:
        if not isinstance(node, dict):
            return
        node = node.setdefault(token, {})
    if isinstance(node, dict) and tokens:
        node[tokens[-1]] = value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
