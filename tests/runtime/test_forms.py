"""URL-encoded form bodies: bracket keys decoded, then validated into the operation's model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

from contractgen.runtime.forms import MAX_DEPTH, FormError, decode_form, form_body
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.spec import ErrorCatalogue
from tests.runtime._servers import run_app


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        (b"name=Jenny+Rosen&balance=12", {"name": "Jenny Rosen", "balance": "12"}),
        (b"metadata[order]=6735&metadata[note]=", {"metadata": {"order": "6735", "note": ""}}),
        (b"expand[]=customer&expand[]=invoice", {"expand": ["customer", "invoice"]}),
        (b"tag=a&tag=b&tag=c", {"tag": ["a", "b", "c"]}),
        (
            b"items[1][price]=p_2&items[0][price]=p_1&items[0][quantity]=3",
            {"items": [{"price": "p_1", "quantity": "3"}, {"price": "p_2"}]},
        ),
        (b"address%5Bcity%5D=Paris&q=a%26b%3Dc", {"address": {"city": "Paris"}, "q": "a&b=c"}),
        (b"odd]key=1&[x]=2", {"odd]key": "1", "[x]": "2"}),
        (b"", {}),
    ],
)
def test_bracket_keys_become_objects_and_lists(body: bytes, decoded: dict[str, Any]) -> None:
    assert decode_form(body) == decoded


@pytest.mark.parametrize("body", [b"a=1&a[b]=2", b"a[b]=2&a=1", b"x" + b"[y]" * MAX_DEPTH + b"=1"])
def test_keys_that_cannot_be_one_value_are_refused(body: bytes) -> None:
    with pytest.raises(FormError):
        decode_form(body)


def test_a_huge_index_is_an_order_not_a_size() -> None:
    assert decode_form(b"a[999999999999]=x&a[3]=y") == {"a": ["y", "x"]}


class Address(BaseModel):
    city: str
    line1: str | None = None


class Customer(BaseModel):
    name: Annotated[str, Field(max_length=20)]
    balance: int = 0
    live: bool = False
    expand: list[str] | None = None
    metadata: dict[str, str] | None = None
    address: Address | None = None


RequiredForm = Annotated[Customer, Depends(form_body(Customer, required=True))]
OptionalForm = Annotated[Customer | None, Depends(form_body(Customer, required=False))]


def customers_app(*, required: bool) -> tuple[FastAPI, list[Customer | None]]:
    """POST /customers taking the form (module-level annotations: FastAPI resolves them)."""
    app = FastAPI()
    install_problem_handlers(app, ErrorCatalogue())
    received: list[Customer | None] = []
    if required:

        @app.post("/customers")
        async def create(body: RequiredForm) -> dict[str, str]:
            received.append(body)
            return {"id": "cus_1"}

    else:

        @app.post("/customers")
        async def create_maybe(body: OptionalForm) -> dict[str, str]:
            received.append(body)
            return {"id": "cus_1"}

    return app, received


@pytest.fixture
def served() -> Iterator[tuple[httpx.Client, list[Customer | None]]]:
    app, received = customers_app(required=True)
    with run_app(app) as url, httpx.Client(base_url=url) as client:
        yield client, received


def test_a_form_arrives_as_the_model_with_its_types(
    served: tuple[httpx.Client, list[Customer | None]],
) -> None:
    client, received = served
    form = (
        "name=Jenny&balance=-12&live=true&expand[]=invoice&metadata[order]=6735&address[city]=Paris"
    )
    response = client.post(
        "/customers", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200, response.text
    assert received == [
        Customer(
            name="Jenny",
            balance=-12,
            live=True,
            expand=["invoice"],
            metadata={"order": "6735"},
            address=Address(city="Paris"),
        )
    ]


def test_one_value_of_a_list_field_is_a_list_of_one(
    served: tuple[httpx.Client, list[Customer | None]],
) -> None:
    client, received = served
    response = client.post("/customers", data={"name": "Jenny", "expand": "invoice"})
    assert response.status_code == 200, response.text
    assert received[-1] is not None and received[-1].expand == ["invoice"]


def test_a_form_that_breaks_the_model_is_a_problem_pointing_at_the_field(
    served: tuple[httpx.Client, list[Customer | None]],
) -> None:
    client, received = served
    response = client.post("/customers", data={"name": "x" * 21, "address[line1]": "1 Rue"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/name", "/address/city"}
    assert received == []


def test_a_body_in_another_media_type_is_415(
    served: tuple[httpx.Client, list[Customer | None]],
) -> None:
    client, received = served
    response = client.post("/customers", json={"name": "Jenny"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert received == []


def test_a_required_form_must_be_sent_and_an_optional_one_may_be_left_out() -> None:
    required_app, _ = customers_app(required=True)
    optional_app, received = customers_app(required=False)
    with run_app(required_app) as required_url, run_app(optional_app) as optional_url:
        missing = httpx.post(required_url + "/customers")
        left_out = httpx.post(optional_url + "/customers")
    assert missing.status_code in (400, 422)
    assert missing.json()["errors"][0]["pointer"] == "/name"
    assert left_out.status_code == 200
    assert received == [None]
