"""Problem bodies from the catalogue, and the handlers that make every app error one."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from contractgen.runtime.context import ContractError, NotImplementedOperation
from contractgen.runtime.edge import ContractEdge
from contractgen.runtime.problems import (
    GENERIC_DETAIL,
    PROBLEM_MEDIA_TYPE,
    error_event_fields,
    install_problem_handlers,
    problem_body,
    problem_response,
)
from contractgen.runtime.spec import ErrorCatalogue, ErrorCode
from tests.runtime._servers import run_app

SLOW_DOWN = ErrorCode("slow_down", 429, retryable=True, retry_after="required", title="Slow down")
CATALOGUE = ErrorCatalogue(
    codes=(
        ErrorCode("bad_input", 400, title="Bad input"),
        ErrorCode("missing_thing", 404),
        SLOW_DOWN,
        ErrorCode("internal_error", 500, retryable=True, retry_after="none"),
    ),
    type_base="https://errors.test/",
)
SECRET = "db password is hunter2"


def test_problem_body_members() -> None:
    assert problem_body(CATALOGUE, SLOW_DOWN, detail="wait", instance="/req/1") == {
        "type": "https://errors.test/slow_down",
        "title": "Slow down",
        "status": 429,
        "code": "slow_down",
        "retryable": True,
        "detail": "wait",
        "instance": "/req/1",
    }


def test_problem_body_without_type_base_or_title() -> None:
    body = problem_body(ErrorCatalogue(), ErrorCode("quota-spent_now", 402))
    assert body == {
        "type": "about:blank",
        "title": "Quota spent now",
        "status": 402,
        "code": "quota-spent_now",
        "retryable": False,
    }


def test_problem_response_media_type_status_and_retry_after_rounded_up() -> None:
    response = problem_response(CATALOGUE, "slow_down", retry_after=2.1, headers={"X-A": "b"})
    assert response.status_code == 429
    assert response.media_type == PROBLEM_MEDIA_TYPE
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"] == "3"
    assert response.headers["x-a"] == "b"
    assert json.loads(bytes(response.body))["code"] == "slow_down"


def test_retry_after_defaults_when_the_code_requires_it_and_only_then() -> None:
    assert problem_response(CATALOGUE, SLOW_DOWN).headers["retry-after"] == "1"
    assert "retry-after" not in problem_response(CATALOGUE, "bad_input").headers


def test_problem_response_status_override() -> None:
    response = problem_response(CATALOGUE, "bad_input", status=422)
    assert response.status_code == 422
    assert json.loads(bytes(response.body))["status"] == 422


def test_error_event_fields() -> None:
    assert error_event_fields(CATALOGUE, "slow_down", message="later", retry_after=1.0001) == {
        "code": "slow_down",
        "message": "later",
        "retryable": True,
        "status": 429,
        "retry_after_ms": 1001,
    }
    assert "retry_after_ms" not in error_event_fields(CATALOGUE, "bad_input", message="no")


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    messages: list[Message]


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app, CATALOGUE)

    @app.get("/contract-error")
    async def contract_error() -> None:
        raise ContractError("slow_down", "Too fast.", retry_after=4.2)

    @app.get("/unknown-code")
    async def unknown_code() -> None:
        raise ContractError("made_up", "secret internals")

    @app.get("/not-implemented")
    async def not_implemented() -> None:
        raise NotImplementedOperation("listThings")

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError(SECRET)

    @app.post("/chat")
    async def chat(request: ChatRequest) -> dict[str, int]:
        return {"messages": len(request.messages)}

    return app


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    edge = ContractEdge(build_app(), operations={}, catalogue=CATALOGUE)
    with run_app(edge) as url, httpx.Client(base_url=url, timeout=5) as http:
        yield http


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return dict(body)


def test_contract_error_answers_with_its_code(client: httpx.Client) -> None:
    response = client.get("/contract-error")
    body = _problem(response, 429, "slow_down")
    assert body["detail"] == "Too fast."
    assert body["type"] == "https://errors.test/slow_down"
    assert response.headers["retry-after"] == "5"


def test_an_undeclared_code_becomes_internal_error(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="contractgen.service"):
        response = client.get("/unknown-code")
    body = _problem(response, 500, "internal_error")
    assert body["detail"] == GENERIC_DETAIL
    assert "secret internals" not in response.text
    assert any("made_up" in record.getMessage() for record in caplog.records)


def test_not_implemented_is_501_without_a_catalogue_entry(client: httpx.Client) -> None:
    body = _problem(client.get("/not-implemented"), 501, "not_implemented")
    assert body["detail"] == "listThings is not implemented yet."


def test_not_found_and_method_not_allowed(client: httpx.Client) -> None:
    _problem(client.get("/nowhere"), 404, "missing_thing")
    wrong = client.put("/chat")
    _problem(wrong, 405, "method_not_allowed")
    assert wrong.headers["allow"] == "POST"


def test_validation_errors_carry_json_pointers(client: httpx.Client) -> None:
    response = client.post("/chat", json={"messages": [{"role": "robot", "content": "hi"}]})
    body = _problem(response, 400, "bad_input")
    [error] = body["errors"]
    assert error["pointer"] == "/messages/0/role"
    assert "'user' or 'assistant'" in error["message"]


def test_validation_prefers_a_422_code_when_declared() -> None:
    catalogue = ErrorCatalogue(codes=(ErrorCode("bad_input", 400), ErrorCode("unprocessable", 422)))
    app = build_app()
    app.exception_handlers.clear()
    install_problem_handlers(app, catalogue)
    with run_app(app) as url:
        response = httpx.post(f"{url}/chat", json={"messages": "nope"}, timeout=5)
    body = _problem(response, 422, "unprocessable")
    assert body["errors"] == [{"pointer": "/messages", "message": "Input should be a valid list"}]


def test_an_unexpected_exception_leaks_nothing_and_is_logged_with_the_request_id(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="contractgen.service"):
        response = client.get("/crash", headers={"X-Request-ID": "crash-42"})
    body = _problem(response, 500, "internal_error")
    assert body["detail"] == GENERIC_DETAIL
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    logged = [record for record in caplog.records if record.name == "contractgen.service"]
    assert logged, "the exception was not logged"
    record = logged[-1]
    assert getattr(record, "request_id", None) == "crash-42"
    assert record.exc_info is not None
    assert SECRET in caplog.text
