"""Form bodies: what the client encodes, the server runtime decodes into the same model."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field, TypeAdapter

from contractgen.client_runtime.client import AsyncBaseClient, BaseClient
from contractgen.client_runtime.errors import ApiClientError
from contractgen.client_runtime.forms import encode_form, form_pairs
from contractgen.client_runtime.spec import OperationSpec
from contractgen.runtime.forms import decode_form, form_body
from contractgen.runtime.problems import install_problem_handlers
from contractgen.runtime.spec import ErrorCatalogue
from tests.runtime._servers import run_app


class Price(BaseModel):
    price: str
    quantity: int | None = None
    tax_rates: list[str] | None = None


class Address(BaseModel):
    city: str
    line1: str | None = None


class Subscription(BaseModel):
    customer: str
    live: bool = False
    trial: bool | None = None
    quantity: int = 1
    ratio: float | None = None
    starts: datetime.date | None = None
    items: list[Price] = []
    expand: list[str] | None = None
    metadata: dict[str, str] | None = None
    address: Address | None = None
    description: str | None = None
    kind: Annotated[str | None, Field(alias="type")] = None


FULL = Subscription.model_validate(
    {
        "customer": "cus_1 & co=x",
        "live": True,
        "trial": False,
        "quantity": -3,
        "ratio": 0.25,
        "starts": "2024-02-29",
        "items": [
            {"price": "p_1", "quantity": 2, "tax_rates": ["txr_1", "txr_2"]},
            {"price": "p_2"},
        ],
        "expand": ["customer", "latest_invoice.payment_intent"],
        "metadata": {"order": "6735", "note": "", "ünï": "çødé [x]"},
        "address": {"city": "Paris"},
        "type": "standard",
    }
)
ADAPTER: TypeAdapter[Subscription] = TypeAdapter(Subscription)


def test_the_pairs_use_bracket_keys_indexed_lists_and_json_spellings() -> None:
    pairs = form_pairs(FULL)
    assert pairs[:6] == [
        ("customer", "cus_1 & co=x"),
        ("live", "true"),
        ("trial", "false"),
        ("quantity", "-3"),
        ("ratio", "0.25"),
        ("starts", "2024-02-29"),
    ]
    assert ("items[0][price]", "p_1") in pairs
    assert ("items[0][tax_rates][1]", "txr_2") in pairs
    assert ("items[1][price]", "p_2") in pairs
    assert ("expand[1]", "latest_invoice.payment_intent") in pairs
    assert ("metadata[order]", "6735") in pairs
    assert ("type", "standard") in pairs  # the alias, as on the wire
    assert not any(key.startswith("description") for key, _ in pairs)  # None is not sent
    assert not any(key.startswith("items[1][quantity]") for key, _ in pairs)


@pytest.mark.parametrize(
    "model",
    [
        FULL,
        Subscription(customer="cus_2"),
        Subscription(customer="", expand=["one"], items=[Price(price="p", tax_rates=["t"])]),
        Subscription(customer="c", metadata={"a b": "c&d=e", "brackets": "[]"}),
    ],
)
def test_what_the_client_encodes_the_server_decodes_into_the_same_model(
    model: Subscription,
) -> None:
    decoded = decode_form(encode_form(model))
    assert ADAPTER.validate_python(decoded) == model


def test_a_plain_mapping_is_encoded_too() -> None:
    body: dict[str, Any] = {"a": {"b": [1, 2]}, "c": True, "d": None, "e": []}
    assert form_pairs(body) == [("a[b][0]", "1"), ("a[b][1]", "2"), ("c", "true")]
    assert decode_form(encode_form(body)) == {"a": {"b": ["1", "2"]}, "c": "true"}


def test_keys_the_server_would_read_as_nesting_and_bodies_that_are_no_object_are_refused() -> None:
    with pytest.raises(ValueError, match="bracket"):
        form_pairs({"metadata": {"a[b]": "1"}})
    with pytest.raises(ValueError, match="bracket"):
        form_pairs({"odd]key": "1"})
    with pytest.raises(TypeError):
        form_pairs([1, 2])


# --- a client call against the server runtime's form decoding ------------------------------

CREATE = OperationSpec("createSubscription", "POST", "/v1/subscriptions", body_encoding="form")
CREATE_JSON = OperationSpec("createSubscriptionJson", "POST", "/v1/subscriptions")
Form = Annotated[Subscription, Depends(form_body(Subscription, required=True))]


def subscriptions_app() -> tuple[FastAPI, list[tuple[str, Subscription]]]:
    app = FastAPI()
    install_problem_handlers(app, ErrorCatalogue())
    received: list[tuple[str, Subscription]] = []

    @app.post("/v1/subscriptions")
    async def create(body: Form) -> Subscription:
        received.append(("form", body))
        return body

    return app, received


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, list[tuple[str, Subscription]]]]:
    app, received = subscriptions_app()
    with run_app(app) as url:
        yield url, received


def test_a_form_operation_reaches_the_server_as_its_model(
    served: tuple[str, list[tuple[str, Subscription]]],
) -> None:
    url, received = served
    seen: list[httpx.Request] = []
    with httpx.Client(base_url=url, event_hooks={"request": [seen.append]}) as http:
        client = BaseClient(url, http=http)
        answer = client.request_json(CREATE, ADAPTER, json=FULL)
    assert answer == FULL
    assert received[-1] == ("form", FULL)
    assert seen[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen[-1].content == encode_form(FULL)


def test_the_async_client_sends_the_same_form(
    served: tuple[str, list[tuple[str, Subscription]]],
) -> None:
    url, received = served

    async def run() -> Subscription:
        async with AsyncBaseClient(url) as client:
            return await client.request_json(CREATE, ADAPTER, json=FULL)

    assert asyncio.run(run()) == FULL
    assert received[-1] == ("form", FULL)


def test_a_json_operation_still_sends_json_which_the_form_route_refuses(
    served: tuple[str, list[tuple[str, Subscription]]],
) -> None:
    url, _ = served
    with BaseClient(url) as client, pytest.raises(ApiClientError) as refused:
        client.request_json(CREATE_JSON, ADAPTER, json=FULL)
    assert refused.value.status == 415
