"""The OpenAI and Stripe specs scaffold into services that import, route every operation and
answer 501 in the contract's problem shape until the service is written.

One scaffold per spec (module-scoped), then a child Python that imports the generated app:
the checks run in the child so the big generated modules never load into the test process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import CORPUS
from tests.scaffold._harness import scaffold

pytestmark = pytest.mark.slow

SPECS = {
    "openai": ("openai-openapi.yaml", 7),
    "stripe": ("stripe-spec3.yaml", 0),
}
NUMBERED_CLASS = re.compile(r"^class ([A-Za-z_]*[A-Za-z]\d+)\(", re.MULTILINE)

INSPECT_APP = textwrap.dedent(
    """
    import importlib, json, sys
    from fastapi.routing import APIRoute, APIWebSocketRoute
    package = sys.argv[1]
    main = importlib.import_module(package + ".main")
    contract = importlib.import_module(package + ".contract")
    routers = importlib.import_module(package + ".routes").ROUTERS
    assert main.app.state.service is not None
    routes = [
        r for router in routers for r in router.routes
        if isinstance(r, (APIRoute, APIWebSocketRoute))
    ]
    print(json.dumps({
        "routes": sorted(
            (m, r.path) for r in routes for m in sorted(getattr(r, "methods", None) or {"WS"})
        ),
        "operations": len(contract.OPERATIONS),
        "streaming": sorted(k for k, op in contract.OPERATIONS.items() if op.stream is not None),
    }))
    """
)


@pytest.fixture(scope="module", params=sorted(SPECS))
def scaffolded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    name = request.param
    spec_file, streaming = SPECS[name]
    out = tmp_path_factory.mktemp(name)
    result = scaffold(CORPUS / spec_file, out, "--package-name", f"{name}_service")
    assert result.returncode == 0, result.stdout + result.stderr
    return name, out, f"{name}_service", streaming


def _spec_operations(spec_file: str) -> set[tuple[str, str]]:
    import yaml

    document = yaml.safe_load((CORPUS / spec_file).read_text())
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    }


def _shape(path: str) -> str:
    """`/v1/models/{model-id}` and `/v1/models/{model_id}` are the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_operation_has_a_route(scaffolded) -> None:
    name, out, package, streaming = scaffolded
    child = subprocess.run(
        [sys.executable, "-c", INSPECT_APP, package],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    seen = json.loads(child.stdout)
    routed = {(method, _shape(path)) for method, path in seen["routes"]}
    expected = _spec_operations(SPECS[name][0])
    missing = {
        op
        for op in expected
        if (op[0], _shape(op[1])) not in routed and ("WS", _shape(op[1])) not in routed
    }
    assert not missing, sorted(missing)[:20]
    assert seen["operations"] == len(expected)
    assert len(seen["streaming"]) == streaming


def _last_word(name: str) -> str:
    found = re.search(r"[A-Z]?[a-z]*\d+$", name)
    return (found.group() if found else name).lower()


def test_no_class_is_numbered(scaffolded) -> None:
    name, out, package, _ = scaffolded
    source = (out / package / "models.py").read_text()
    spec_text = (CORPUS / SPECS[name][0]).read_text()
    # A name ending in digits is fine when the contract wrote them (Stripe's `p24`, OpenAI's
    # `ConversationParam-2`): its last word (`Param2`) is in the spec, separators aside; a
    # counter's `Role18` is not.
    spec_words = re.sub(r"[^a-z0-9]", "", spec_text.lower())
    numbered = [
        name for name in NUMBERED_CLASS.findall(source) if _last_word(name) not in spec_words
    ]
    classes = re.findall(r"^class (\w+)\(", source, re.MULTILINE)
    assert len(classes) > 500
    assert numbered == [], numbered[:20]


ANSWER_501 = textwrap.dedent(
    """
    import importlib, json, sys
    from starlette.testclient import TestClient
    package, method, path = sys.argv[1:4]
    main = importlib.import_module(package + ".main")
    with TestClient(main.app, raise_server_exceptions=False) as client:
        # both specs accept a bearer token: the edge checks one is there, not what it is.
        # No body: both operations are GETs (Stripe's declares an optional form body).
        response = client.request(
            method, path, headers={"Authorization": "Bearer real-specs"}
        )
    print(json.dumps({"status": response.status_code,
                      "type": response.headers.get("content-type"),
                      "body": response.json()}))
    """
)

UNIMPLEMENTED = {
    "openai": ("GET", "/models"),
    "stripe": ("GET", "/v1/balance"),
}


def test_the_app_answers_501_in_the_problem_shape(scaffolded) -> None:
    name, out, package, _ = scaffolded
    method, path = UNIMPLEMENTED[name]
    child = subprocess.run(
        [sys.executable, "-c", ANSWER_501, package, method, path],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    answer = json.loads(child.stdout)
    assert answer["status"] == 501, answer
    assert answer["type"].startswith("application/problem+json")
    assert answer["body"]["code"] == "not_implemented"
    assert {"type", "title", "status", "code", "retryable"} <= set(answer["body"])


def test_generated_code_passes_ruff(scaffolded) -> None:
    _, out, _, _ = scaffolded
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout[-4000:]


def test_generated_code_passes_mypy(scaffolded) -> None:
    """The project's own `[tool.mypy]` (strict, pydantic's plugin) over the whole package.

    models.py is most of it (OpenAI's has about 2,300 classes): some 10 s for each spec.
    """
    _, out, _, _ = scaffolded
    checked = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]


FORM_CALL = textwrap.dedent(
    """
    import importlib, json, sys
    from starlette.testclient import TestClient
    package = sys.argv[1]
    app = importlib.import_module(package + ".app")
    service = importlib.import_module(package + ".service")
    seen = {}

    class Echo(service.Service):
        async def post_customers(self, body, **kwargs):
            seen["class"] = type(body).__name__
            seen["body"] = body.model_dump(mode="json", exclude_none=True)
            return None

    form = b"name=Jenny&balance=12&metadata[order]=6735&expand[]=default_source"
    with TestClient(app.create_app(Echo()), raise_server_exceptions=False) as client:
        response = client.post(
            "/v1/customers",
            content=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "Bearer sk_test_contract",
            },
        )
    print(json.dumps({"status": response.status_code, **seen}))
    """
)


def test_a_stripe_form_body_reaches_the_service_as_its_model(scaffolded) -> None:
    name, out, package, _ = scaffolded
    routes = "".join(path.read_text() for path in (out / package / "routes").glob("*.py"))
    if name == "openai":  # its bodies are JSON, and multipart uploads (decoded as multipart)
        assert "Depends(form_body(" not in routes
        assert routes.count("Depends(multipart_body(") == MULTIPART_ONLY
        return
    assert routes.count("Depends(form_body(") > 300  # Stripe's POST bodies are all forms
    child = subprocess.run(
        [sys.executable, "-c", FORM_CALL, package],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    answer = json.loads(child.stdout)
    assert answer["status"] in (200, 204), answer
    assert answer["class"] == "PostCustomersRequest"
    assert answer["body"] == {
        "name": "Jenny",
        "balance": 12,
        "metadata": {"order": "6735"},
        "expand": ["default_source"],
    }


MULTIPART_ONLY = 10
"""OpenAI's operations whose body is offered as multipart/form-data and not as JSON."""


CLIENT_FORM_CALL = textwrap.dedent(
    """
    import importlib, json, sys
    from starlette.testclient import TestClient
    sys.path.insert(0, "client")
    package = sys.argv[1]
    app = importlib.import_module(package + ".app")
    service = importlib.import_module(package + ".service")
    server_models = importlib.import_module(package + ".models")
    client = importlib.import_module(package + "_client")
    models = importlib.import_module(package + "_client.models")
    received = {}

    class Customers(service.Service):
        async def post_customers(self, body, **kwargs):
            received["class"] = type(body).__name__
            received["body"] = body.model_dump(mode="json", exclude_none=True)
            return server_models.Customer.model_validate({
                "id": "cus_1", "object": "customer", "created": 0, "livemode": False,
                "name": body.name, "balance": body.balance, "metadata": body.metadata,
            })

    body = models.PostCustomersRequest.model_validate({
        "name": "Jenny Rosen",
        "balance": 12,
        "metadata": {"order": "6735"},
        "expand": ["default_source"],
        "tax_id_data": [{"type": "eu_vat", "value": "FR1"}, {"type": "gb_vat", "value": "GB2"}],
        "invoice_settings": {"custom_fields": [{"name": "PO", "value": "42"}]},
    })
    sent = body.model_dump(mode="json", exclude_none=True)
    headers = {"Authorization": "Bearer sk_test_contract"}
    with TestClient(app.create_app(Customers()), headers=headers) as http:
        api = client.Client(client.ClientConfig(base_url=str(http.base_url)), http=http)
        customer = api.post_customers(body)
        try:
            api.post_products(models.PostProductsRequest(name="Gold plan", active=True))
            unimplemented = None
        except Exception as raised:
            unimplemented = {
                "class": type(raised).__name__,
                "status": getattr(raised, "status", None),
                "code": getattr(raised, "code", None),
            }
    print(json.dumps({
        "encoding": client.client.OPERATIONS["PostCustomers"].body_encoding,
        "returned": type(customer).__name__,
        "customer": customer.model_dump(mode="json", exclude_none=True),
        "received": received,
        "same": received.get("body") == sent,
        "unimplemented": unimplemented,
    }))
    """
)


def test_the_stripe_client_sends_a_form_the_service_decodes(scaffolded) -> None:
    """The generated client's form call reaches the scaffolded service as the typed model."""
    name, out, package, _ = scaffolded
    if name != "stripe":
        return
    child = subprocess.run(
        [sys.executable, "-c", CLIENT_FORM_CALL, package],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    seen = json.loads(child.stdout)
    assert seen["encoding"] == "form"
    assert seen["received"]["class"] == "PostCustomersRequest"
    assert seen["same"] is True, seen["received"]
    assert seen["received"]["body"]["tax_id_data"][1] == {"type": "gb_vat", "value": "GB2"}
    assert seen["returned"] == "Customer"
    assert seen["customer"]["name"] == "Jenny Rosen"
    assert seen["customer"]["balance"] == 12
    assert seen["customer"]["metadata"] == {"order": "6735"}
    # an operation not written yet: the body was accepted (not 415 or 422), then 501. Stripe's
    # contract declares no catalogue, so the client raises the runtime's base for a 5xx.
    assert seen["unimplemented"]["status"] == 501, seen["unimplemented"]
    assert seen["unimplemented"]["class"] == "ApiServerError"
    assert seen["unimplemented"]["code"] == "not_implemented"


CLIENT_TRANSCRIPTION_CALL = textwrap.dedent(
    """
    import importlib, json, sys
    from starlette.testclient import TestClient
    sys.path.insert(0, "client")
    package = sys.argv[1]
    app = importlib.import_module(package + ".app")
    service = importlib.import_module(package + ".service")
    server_models = importlib.import_module(package + ".models")
    uploads = importlib.import_module(package + "._runtime.multipart")
    client = importlib.import_module(package + "_client")
    models = importlib.import_module(package + "_client.models")
    received = {}

    class Audio(service.Service):
        async def create_transcription(self, body, **kwargs):
            received["class"] = type(body).__name__
            received["file"] = type(body.file).__name__
            received["filename"] = getattr(body.file, "filename", None)
            received["content_type"] = getattr(body.file, "content_type", None)
            received["same_bytes"] = body.file == audio
            received["fields"] = body.model_dump(
                mode="json", exclude={"file"}, exclude_none=True, exclude_defaults=True
            )
            return server_models.CreateTranscriptionResponseJson(text=f"{len(body.file)} bytes")

    audio = bytes(range(256)) * 64 + b"\\r\\n--boundary-like\\r\\n"
    body = models.CreateTranscriptionRequest(
        file=client.FileUpload(audio, filename="talk.mp3", content_type="audio/mpeg"),
        model="whisper-1",
        language="en",
        temperature=0.2,
        include=["logprobs"],
        timestamp_granularities=["word", "segment"],
    )
    headers = {"Authorization": "Bearer sk-contract"}
    with TestClient(app.create_app(Audio()), headers=headers) as http:
        api = client.Client(client.ClientConfig(base_url=str(http.base_url)), http=http)
        answer = api.create_transcription(body)
        try:
            api.create_translation(models.CreateTranslationRequest(file=b"RIFF", model="whisper-1"))
            unimplemented = None
        except Exception as raised:
            unimplemented = getattr(raised, "status", None)
    print(json.dumps({
        "encoding": client.client.OPERATIONS["createTranscription"].body_encoding,
        "returned": type(answer).__name__,
        "answer": answer.model_dump(mode="json", exclude_none=True),
        "received": received,
        "uploaded_file": uploads.UploadedFile.__name__,
        "size": len(audio),
        "unimplemented": unimplemented,
    }))
    """
)


def test_the_openai_client_uploads_audio_the_service_gets_as_bytes(scaffolded) -> None:
    """createTranscription through the generated client into the scaffolded service."""
    name, out, package, _ = scaffolded
    if name != "openai":
        return
    child = subprocess.run(
        [sys.executable, "-c", CLIENT_TRANSCRIPTION_CALL, package],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    seen = json.loads(child.stdout)
    assert seen["encoding"] == "multipart"
    received = seen["received"]
    assert received["class"] == "CreateTranscriptionRequest"
    assert received["file"] == seen["uploaded_file"] == "UploadedFile"
    assert received["same_bytes"] is True
    assert (received["filename"], received["content_type"]) == ("talk.mp3", "audio/mpeg")
    assert received["fields"] == {
        "model": "whisper-1",
        "language": "en",
        "temperature": 0.2,
        "include": ["logprobs"],
        "timestamp_granularities": ["word", "segment"],
    }
    assert seen["returned"] == "CreateTranscriptionResponse"  # the client root model of the union
    assert seen["answer"] == {"text": f"{seen['size']} bytes"}
    assert seen["unimplemented"] == 501  # the upload was decoded (not 415 or 422), then 501


INSPECT_CLIENT = textwrap.dedent(
    """
    import importlib, inspect, json, sys
    package = sys.argv[1]
    client = importlib.import_module(package + ".client")
    methods = {}
    for cls in (client.Client, client.AsyncClient):
        for name, value in vars(cls).items():
            if inspect.isfunction(value) and not name.startswith("_"):
                methods.setdefault(cls.__name__, {})[name] = str(
                    inspect.signature(value).return_annotation
                )
    print(json.dumps({
        "operations": len(client.OPERATIONS),
        "streaming": sorted(k for k, op in client.OPERATIONS.items() if op.stream is not None),
        "methods": methods,
        "servers": sorted(m for m in sys.modules if m.split(".")[0] in ("fastapi", "starlette")),
        "file": client.__file__,
    }))
    """
)


def test_the_client_installs_and_has_a_method_for_every_operation(scaffolded, tmp_path) -> None:
    name, out, package, streaming = scaffolded
    site = tmp_path / "site"
    # pip builds the client's wheel (hatchling, as its pyproject says) and installs it; its
    # three dependencies are this environment's, so nothing is downloaded.
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(out / "client"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-4000:]
    child = subprocess.run(
        [sys.executable, "-c", INSPECT_CLIENT, f"{package}_client"],
        cwd=tmp_path,  # not the client's folder: the installed package is what imports
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    seen = json.loads(child.stdout)
    assert seen["file"].startswith(str(site)), seen["file"]
    assert seen["servers"] == []
    assert seen["operations"] == len(_spec_operations(SPECS[name][0]))
    assert len(seen["streaming"]) == streaming
    for cls in ("Client", "AsyncClient"):
        methods = seen["methods"][cls]
        # one method per operation, and a second one for each stream offered beside JSON
        streams = [returns for returns in methods.values() if "EventStream[streams." in returns]
        assert len(streams) == streaming, cls
        assert len(methods) >= seen["operations"]
        assert len(methods) <= seen["operations"] + streaming


def test_the_client_passes_ruff(scaffolded) -> None:
    _, out, _, _ = scaffolded
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=out / "client",
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout[-4000:]


def test_the_client_passes_mypy(scaffolded) -> None:
    """The client's own `[tool.mypy]` (strict, pydantic's plugin) over its package."""
    _, out, _, _ = scaffolded
    checked = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=out / "client",
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]
