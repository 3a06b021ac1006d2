"""A generated client sends a form operation's body URL-encoded, and gets its typed model back.

A small contract whose POST takes `application/x-www-form-urlencoded` (Stripe's style):
scaffolded, its implementation written as a user would (it echoes what it decoded), served
with uvicorn, and called by the generated client in a child Python (cwd `client/`: the client
runs on its own copy of the runtime).
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
openapi: 3.1.0
info: {title: Shop, version: 1.0.0}
paths:
  /v1/customers:
    post:
      operationId: createCustomer
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/CustomerForm'}
      responses:
        '200':
          description: the customer
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Customer'}
  /v1/customers/{customer}:
    post:
      operationId: updateCustomer
      parameters:
        - {name: customer, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/CustomerForm'}
      responses:
        '200':
          description: the customer
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Customer'}
components:
  schemas:
    TaxId:
      type: object
      required: [type, value]
      properties:
        type: {type: string}
        value: {type: string}
    CustomerForm:
      type: object
      required: [name]
      properties:
        name: {type: string}
        balance: {type: integer}
        tax_exempt: {type: boolean}
        metadata:
          type: object
          additionalProperties: {type: string}
        address:
          type: object
          required: [city]
          properties:
            city: {type: string}
            line1: {type: string}
        expand:
          type: array
          items: {type: string}
        tax_id_data:
          type: array
          items: {$ref: '#/components/schemas/TaxId'}
    Customer:
      type: object
      required: [id, form]
      properties:
        id: {type: string}
        form: {$ref: '#/components/schemas/CustomerForm'}
"""

IMPLEMENTATION = '''\
"""Echoes the decoded form back, inside the customer."""

from __future__ import annotations

from . import models
from ._runtime.context import RequestContext
from .service import Service


class Implementation(Service):
    async def create_customer(
        self, body: models.CustomerForm, *, context: RequestContext
    ) -> models.Customer:
        return models.Customer(id="cus_1", form=body)

    async def update_customer(
        self, body: models.CustomerForm | None, *, customer: str, context: RequestContext
    ) -> models.Customer:
        return models.Customer(id=customer, form=body or models.CustomerForm(name="unchanged"))
'''

CALL = textwrap.dedent(
    """
    import asyncio, json, sys
    import httpx
    from shop_client import AsyncClient, Client
    from shop_client.client import OPERATIONS
    from shop_client.models import Customer, CustomerForm

    sent = []
    form = CustomerForm.model_validate({
        "name": "Jenny Rosen & co",
        "balance": -12,
        "tax_exempt": False,
        "metadata": {"order": "6735", "note": "a=b&c"},
        "address": {"city": "Paris"},
        "expand": ["default_source"],
        "tax_id_data": [{"type": "eu_vat", "value": "FR1"}, {"type": "gb_vat", "value": "GB2"}],
    })
    http = httpx.Client(base_url=sys.argv[1], event_hooks={"request": [sent.append]})
    with Client(sys.argv[1], http=http) as api:
        created = api.create_customer(form)
        updated = api.update_customer(CustomerForm(name="Jo"), customer="cus_9")
        untouched = api.update_customer(customer="cus_8")

    async def run():
        async with AsyncClient(sys.argv[1]) as api:
            return await api.create_customer(form)

    again = asyncio.run(run())
    print(json.dumps({
        "encodings": {key: op.body_encoding for key, op in OPERATIONS.items()},
        "class": type(created).__name__,
        "same": created.form == form and again.form == form,
        "created": created.model_dump(mode="json", exclude_none=True),
        "updated": updated.model_dump(mode="json", exclude_none=True),
        "untouched": untouched.model_dump(mode="json", exclude_none=True),
        "content_type": sent[0].headers["content-type"],
        "sent": sent[0].content.decode(),
    }))
    """
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    base = tmp_path_factory.mktemp("forms")
    spec = base / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    project = base / "project"
    done = scaffold(spec, project, "--package-name", "shop")
    assert done.returncode == 0, done.stderr
    (project / "shop" / "implementation.py").write_text(IMPLEMENTATION, encoding="utf-8")
    with serve(Path(sys.executable), "shop", project) as url:
        yield project, url


def test_the_generated_client_sends_a_form_and_gets_the_typed_model(
    shop: tuple[Path, str],
) -> None:
    project, url = shop
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
    assert seen["encodings"] == {"createCustomer": "form", "updateCustomer": "form"}
    assert seen["class"] == "Customer"
    assert seen["same"] is True
    assert seen["created"]["form"]["tax_id_data"][1] == {"type": "gb_vat", "value": "GB2"}
    assert seen["updated"] == {"id": "cus_9", "form": {"name": "Jo"}}
    assert seen["untouched"] == {"id": "cus_8", "form": {"name": "unchanged"}}  # no body sent
    assert seen["content_type"] == "application/x-www-form-urlencoded"
    assert "tax_id_data%5B1%5D%5Bvalue%5D=GB2" in seen["sent"]
    assert "tax_exempt=false" in seen["sent"]


def test_the_form_operations_are_written_with_their_encoding(shop: tuple[Path, str]) -> None:
    project, _ = shop
    source = (project / "client" / "shop_client" / "client.py").read_text()
    assert source.count('body_encoding="form"') == 2
