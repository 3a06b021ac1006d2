"""The example contract's generated client (examples/scaffold/chat-service/client) against the
mock of the same contract: a whole stream of typed events, a JSON answer, a typed error.

The mock runs on uvicorn (tests/mock/_helpers.py); the client package is imported from the
example folder. Each event the client yields is also checked against its schema in the
example's `events/` folder, the files a consumer in another language would validate with.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

from tests.mock._helpers import AUTH, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scaffold" / "chat-service"


@pytest.fixture(scope="module")
def client_package() -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE / "client"))
        import chat_service_client

        yield chat_service_client


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve() as url:
        yield url


def validators() -> dict[str, jsonschema.Draft202012Validator]:
    events = EXAMPLE / "events"
    index = json.loads((events / "index.json").read_text())
    files = index["operations"]["createChatCompletion"]["streams"][0]["events"]
    return {
        name: jsonschema.Draft202012Validator(json.loads((events / file).read_text()))
        for name, file in files.items()
    }


def request(package: ModuleType, prompt: str = "Say hello.") -> Any:
    return package.models.ChatCompletionRequest.model_validate(
        {"model": "chat-small", "messages": [{"role": "user", "content": prompt}]}
    )


def checked(events: list[Any]) -> list[str]:
    """Each event's payload valid against its events/ schema; the event types, in order."""
    schemas = validators()
    for event in events:
        payload = event.data.model_dump(mode="json", by_alias=True, exclude_none=True)
        problems = [error.message for error in schemas[event.event].iter_errors(payload)]
        assert problems == [], (event.event, payload, problems)
    return [event.event for event in events]


def test_the_client_reads_a_whole_stream_from_the_mock(
    client_package: ModuleType, base: str
) -> None:
    config = client_package.ClientConfig(base_url=base, headers=AUTH)
    with client_package.Client(config) as api:
        stream = api.create_chat_completion_stream(request(client_package))
        events = list(stream)
    names = checked(events)
    assert names[0] == "status" and names[-1] == "done"
    assert set(names[1:-1]) <= {"delta"} and len(names) > 2
    assert stream.request_id and stream.connections == 1
    assert [event.id for event in events] == [str(number) for number in range(1, len(events) + 1)]


def test_the_async_client_reads_the_same_stream(client_package: ModuleType, base: str) -> None:
    config = client_package.ClientConfig(base_url=base, headers=AUTH)

    async def run() -> list[Any]:
        async with client_package.AsyncClient(config) as api:
            return [
                event async for event in api.create_chat_completion_stream(request(client_package))
            ]

    names = checked(asyncio.run(run()))
    assert names[0] == "status" and names[-1] == "done"


def test_the_client_gets_a_typed_json_answer_from_the_mock(
    client_package: ModuleType, base: str
) -> None:
    config = client_package.ClientConfig(base_url=base, headers=AUTH)
    with client_package.Client(config) as api:
        answer = api.create_chat_completion(request(client_package))
        model = api.retrieve_model(model_id="chat-small")
    assert isinstance(answer, client_package.models.ChatCompletion)
    assert answer.choices
    assert isinstance(model, client_package.models.Model)


def test_a_mid_stream_error_the_mock_sends_is_raised_as_its_class(
    client_package: ModuleType, base: str
) -> None:
    headers = {**AUTH, "Prefer": "error=stream_duration_exceeded; phase=mid_stream"}
    config = client_package.ClientConfig(base_url=base, headers=headers)
    delivered: list[Any] = []
    with client_package.Client(config) as api:
        stream = api.create_chat_completion_stream(request(client_package))
        with pytest.raises(client_package.errors.StreamDurationExceededError) as raised:
            delivered.extend(stream)
    assert (raised.value.phase, raised.value.status) == ("mid_stream", 504)
    assert checked(delivered) == ["status", "delta"]
