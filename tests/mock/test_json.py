"""JSON operations over real HTTP: schema-valid bodies, seed-reproducible, requests checked."""

from __future__ import annotations

import textwrap

import httpx
import pytest

from tests.mock._helpers import AUTH, CHAT, CHAT_BODY, Schemas, serve

GENERATED = textwrap.dedent(
    """
    openapi: 3.1.0
    info: {title: Generated, version: "1"}
    paths:
      /items/{item_id}:
        get:
          operationId: getItem
          parameters:
            - {name: item_id, in: path, required: true, schema: {type: integer, minimum: 1}}
            - {name: verbose, in: query, schema: {type: boolean}}
            - {name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}
          responses:
            '200':
              description: An item.
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Item'}
      /items:
        post:
          operationId: createItem
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Item'}
          responses:
            '201':
              description: Created.
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Item'}
            '204': {description: never chosen over 201}
    components:
      schemas:
        Item:
          type: object
          required: [id, name, tags, price, kind, created_at]
          additionalProperties: false
          properties:
            id: {type: string, pattern: '^it_[a-z0-9]{8}$'}
            name: {type: string, minLength: 3, maxLength: 12}
            tags: {type: array, minItems: 1, maxItems: 3, uniqueItems: true, items: {type: string}}
            price: {type: number, exclusiveMinimum: 0, maximum: 100, multipleOf: 0.5}
            kind:
              oneOf: [{const: book}, {type: object, required: [k], properties: {k: {}}}]
            created_at: {type: string, format: date-time}
            parent: {anyOf: [{$ref: '#/components/schemas/Item'}, {type: 'null'}]}
            extra: {allOf: [{type: object, properties: {a: {type: string}}}, {required: [a]}]}
    """
)


@pytest.fixture(scope="module")
def generated_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("spec") / "generated.yaml"
    path.write_text(GENERATED)
    return str(path)


@pytest.fixture(scope="module")
def chat() -> Schemas:
    return Schemas(CHAT)


@pytest.fixture(scope="module")
def base() -> str:
    with serve() as url:
        yield url


def test_every_json_operation_of_the_chat_contract_answers_a_schema_valid_body(
    base: str, chat: Schemas
) -> None:
    calls = [
        ("createChatCompletion", "POST", "/v1/chat/completions", CHAT_BODY),
        ("createCompletion", "POST", "/v1/completions", {"model": "m", "prompt": "Hi"}),
        ("createEmbedding", "POST", "/v1/embeddings", {"model": "m", "input": "Hi"}),
        ("retrieveModel", "GET", "/v1/models/chat-small", None),
    ]
    for operation, method, path, body in calls:
        response = httpx.request(method, base + path, json=body, headers=AUTH)
        assert response.status_code == 200, (operation, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-request-id"]
        chat.check(chat.response(operation), response.json())


def test_the_contract_example_is_the_answer_where_there_is_one(base: str) -> None:
    response = httpx.get(base + "/v1/models/x", headers=AUTH)
    assert response.json()["id"] == "chat-small-2026-06"  # the example in the contract


def test_generated_bodies_are_valid_and_the_seed_makes_them_reproducible(
    generated_spec: str,
) -> None:
    schemas = Schemas(generated_spec)
    runs: list[list[bytes]] = []
    for seed in (1, 1, 2):
        with serve(generated_spec, seed=seed) as base:
            got = []
            for item in range(1, 6):
                response = httpx.get(f"{base}/items/{item}?limit=3")
                assert response.status_code == 200, response.text
                schemas.check(schemas.response("getItem"), response.json())
                got.append(response.content)
            runs.append(got)
    first, again, other = runs
    assert first == again, "the same seed gives the same bytes, in another server"
    assert first != other, "another seed gives other data"
    assert len(set(first)) > 1, "each path gets its own data"


def test_the_lowest_success_status_with_a_body_answers(generated_spec: str) -> None:
    schemas = Schemas(generated_spec)
    item = {
        "id": "it_abcdefgh",
        "name": "Lamp",
        "tags": ["x"],
        "price": 2.5,
        "kind": "book",
        "created_at": "2026-01-01T00:00:00Z",
    }
    with serve(generated_spec) as base:
        response = httpx.post(base + "/items", json=item)
    assert response.status_code == 201, response.text
    schemas.check(schemas.response("createItem", "201"), response.json())


def _pointers(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_request"
    return {error["pointer"]: error["message"] for error in body["errors"]}


def test_a_body_that_breaks_the_schema_is_a_problem_pointing_at_each_mistake(base: str) -> None:
    body = {"model": "", "messages": [{"role": "robot", "content": "x"}, {}], "colour": 1}
    response = httpx.post(base + "/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 400
    pointers = _pointers(response)
    assert set(pointers) >= {
        "/model",
        "/messages/0/role",
        "/messages/1/role",
        "/messages/1/content",
        "/colour",
    }
    assert "robot" in pointers["/messages/0/role"]


def test_a_body_that_is_not_json_or_missing_is_a_problem(base: str) -> None:
    bad = httpx.post(
        base + "/v1/completions",
        content=b"{nope",
        headers={**AUTH, "content-type": "application/json"},
    )
    assert bad.status_code == 400
    assert "" in _pointers(bad)
    missing = httpx.post(base + "/v1/completions", headers=AUTH)
    assert missing.status_code == 400
    assert "" in _pointers(missing)


def test_parameters_are_required_and_typed(generated_spec: str) -> None:
    with serve(generated_spec) as base:
        response = httpx.get(base + "/items/zero?verbose=maybe")
    assert response.status_code == 400
    pointers = _pointers(response)
    assert set(pointers) == {"/item_id", "/verbose", "/limit"}
    with serve(generated_spec) as base:
        response = httpx.get(base + "/items/0?limit=11")
    assert set(_pointers(response)) == {"/item_id", "/limit"}


def test_unknown_paths_and_methods_are_catalogue_problems(base: str) -> None:
    missing = httpx.get(base + "/v2/nothing", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong = httpx.delete(base + "/v1/models/x", headers=AUTH)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET"
    http_on_ws = httpx.get(base + "/v1/realtime?model=m", headers=AUTH)
    assert http_on_ws.status_code == 426


def test_the_edge_demands_the_credential_before_anything_else(base: str) -> None:
    response = httpx.post(base + "/v1/chat/completions", json={})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
