"""The client package `contractgen scaffold` renders into `client/`: it lints, type-checks,
imports, has a method per operation, and `--only client` touches nothing else.

Each test scaffolds through the command line, as a user would; the generated package is
imported in a child Python (cwd `client/`), where no contractgen is needed.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.scaffold._harness import ROOT, scaffold
from tests.scaffold.test_scaffold import HOSTILE, snapshot

SPEC = ROOT / "specs" / "chat-service.yaml"
PACKAGE = "chat_service_client"
CLIENT_RUNTIME = ROOT / "src" / "contractgen" / "client_runtime"
BIN = Path(sys.executable).parent

INSPECT_CLIENT = textwrap.dedent(
    """
    import importlib, inspect, json, sys
    package = sys.argv[1]
    client = importlib.import_module(package + ".client")
    def methods(cls):
        return {
            name: str(inspect.signature(getattr(cls, name)).return_annotation)
            for name in vars(cls)
            if not name.startswith("_") and callable(getattr(cls, name))
        }
    print(json.dumps({
        "operations": sorted(client.OPERATIONS),
        "streaming": sorted(k for k, op in client.OPERATIONS.items() if op.stream is not None),
        "sync": methods(client.Client),
        "async": methods(client.AsyncClient),
        "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("fastapi", "starlette")),
    }))
    """
)


def inspect_client(client: Path, package: str) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, "-c", INSPECT_CLIENT, package],
        cwd=client,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    found: dict[str, object] = json.loads(child.stdout)
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("client") / "project"
    done = scaffold(SPEC, out)
    assert done.returncode == 0, done.stderr
    return out


def test_the_client_passes_ruff_and_mypy_and_imports(project: Path) -> None:
    client = project / "client"
    for command in (
        [str(BIN / "ruff"), "check", "--no-cache", "."],
        [str(BIN / "ruff"), "format", "--check", "--no-cache", "."],
        [sys.executable, "-m", "mypy"],
    ):
        done = subprocess.run(
            command, cwd=client, capture_output=True, text=True, check=False, timeout=600
        )
        assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    seen = inspect_client(client, PACKAGE)
    assert seen["modules"] == [], "the client imports FastAPI or Starlette"


def test_every_operation_has_a_method_with_its_typed_return(project: Path) -> None:
    seen = inspect_client(project / "client", PACKAGE)
    assert seen["operations"] == [
        "connectRealtime",
        "createChatCompletion",
        "createCompletion",
        "createEmbedding",
        "retrieveModel",
    ]
    expected = {
        "create_chat_completion": "models.ChatCompletion",
        "create_chat_completion_stream": "EventStream[streams.CreateChatCompletionEvent]",
        "create_completion": "models.Completion",
        "create_embedding": "models.EmbeddingList",
        "retrieve_model": "models.Model",
        "connect_realtime": "WebSocketSession[streams.ConnectRealtimeServerMessage]",
    }
    assert seen["sync"] == expected
    asynchronous = {
        name: returns.replace("EventStream", "AsyncEventStream").replace(
            "WebSocketSession", "AsyncWebSocketSession"
        )
        for name, returns in expected.items()
    }
    assert seen["async"] == asynchronous


def test_the_client_package_is_installable_on_its_own(project: Path) -> None:
    import tomllib

    pyproject = tomllib.loads((project / "client" / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "chat-service-client"
    dependencies = [dep.split(">")[0] for dep in pyproject["project"]["dependencies"]]
    assert dependencies == ["httpx", "pydantic", "websockets"]
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [PACKAGE]
    assert pyproject["tool"]["mypy"]["strict"] is True


def test_the_client_runtime_is_copied_byte_for_byte(project: Path) -> None:
    copied = project / "client" / PACKAGE / "_client_runtime"
    sources = {path.name: path.read_bytes() for path in CLIENT_RUNTIME.glob("*.py")}
    assert {path.name: path.read_bytes() for path in copied.glob("*.py")} == sources
    manifest = json.loads((project / ".contractgen" / "manifest.json").read_text())
    owners = {
        entry["owner"] for path, entry in manifest["files"].items() if "/_client_runtime/" in path
    }
    assert owners == {"generated"}


def test_generated_client_modules_say_so_and_import_nothing_of_the_server(project: Path) -> None:
    for path in sorted((project / "client" / PACKAGE).glob("*.py")):
        text = path.read_text()
        assert text.startswith("# Generated by contractgen from chat-service.yaml"), path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("chat_service.", "fastapi", "starlette"))
    models = (project / "client" / PACKAGE / "models.py").read_text()
    assert models == (project / "chat_service" / "models.py").read_text()


def test_only_client_writes_the_client_alone(tmp_path: Path) -> None:
    out = tmp_path / "consumer"
    done = scaffold(SPEC, out, "--only", "client")
    assert done.returncode == 0, done.stderr
    written = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert written - {".contractgen/manifest.json"} == {
        path for path in written if path.startswith("client/")
    }
    assert f"client/{PACKAGE}/client.py" in written
    again = scaffold(SPEC, out, "--only", "client")
    assert again.returncode == 0 and " 0 written" in again.stderr, again.stderr


def test_only_client_leaves_the_server_s_files_and_their_record(tmp_path: Path) -> None:
    out = tmp_path / "both"
    assert scaffold(SPEC, out).returncode == 0
    before = snapshot(out)
    manifest = json.loads((out / ".contractgen" / "manifest.json").read_text())
    # the client part changes (a file contractgen no longer plans), the server part does not
    stale = out / "client" / PACKAGE / "stale.py"
    stale.write_text("# old\n")
    manifest["files"][f"client/{PACKAGE}/stale.py"] = {
        "sha256": __import__("hashlib").sha256(b"# old\n").hexdigest(),
        "owner": "generated",
    }
    (out / ".contractgen" / "manifest.json").write_text(json.dumps(manifest))
    done = scaffold(SPEC, out, "--only", "client")
    assert done.returncode == 0, done.stderr
    assert "1 removed" in done.stderr, done.stderr
    assert not stale.exists()
    assert snapshot(out) == before  # the server's files are all still there, unchanged
    full = scaffold(SPEC, out)
    assert full.returncode == 0 and " 0 written" in full.stderr and " 0 removed" in full.stderr


def test_only_server_leaves_the_client_alone(tmp_path: Path) -> None:
    out = tmp_path / "service"
    assert scaffold(SPEC, out).returncode == 0
    before = snapshot(out)
    done = scaffold(SPEC, out, "--only", "server")
    assert done.returncode == 0, done.stderr
    assert " 0 written" in done.stderr and " 0 removed" in done.stderr, done.stderr
    assert snapshot(out) == before
    fresh = tmp_path / "fresh"
    assert scaffold(SPEC, fresh, "--only", "server").returncode == 0
    assert not (fresh / "client").exists()


def test_only_takes_server_or_client(tmp_path: Path) -> None:
    done = scaffold(SPEC, tmp_path / "x", "--only", "docs")
    assert done.returncode == 2
    assert "choose server or client" in done.stderr


def test_a_hostile_contract_cannot_inject_code_into_the_client(tmp_path: Path) -> None:
    spec = tmp_path / "evil.yaml"
    spec.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "evil"
    done = scaffold(spec, out, "--package-name", "evil_service", "--only", "client")
    assert done.returncode == 0, done.stderr
    client = out / "client"
    sources = sorted((client / "evil_service_client").glob("*.py"))
    assert sources
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                assert "os" not in names and getattr(node, "module", None) != "os", path
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert called not in ("system", "__import__", "eval", "exec"), (path, called)
    seen = inspect_client(client, "evil_service_client")
    assert len(seen["operations"]) == 2  # type: ignore[arg-type]
    assert set(seen["sync"]) == {"class_os_system_x", "import_"}  # type: ignore[arg-type]
    lint = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "."],
        cwd=client,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    checked = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=client, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
