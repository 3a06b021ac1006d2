"""The one-way data flow of the house: each floor imports only the floors below it.

`load/` and `model/` (and the ground-floor modules beside them) never import a command or
`report/`; `report/` reads findings and knows no command. Checked on the import statements
themselves, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "contractgen"
GROUND = ("errors.py", "location.py", "printable.py", "templating.py")
COMMANDS = ("validate", "diff", "scaffold", "export", "mock", "verify")
#: floor -> packages it must never import.
FORBIDDEN = {
    "load": ("report", "model", *COMMANDS, "cli", "config"),
    "model": ("report", *COMMANDS, "cli", "config"),
    "report": (*COMMANDS, "cli", "config", "load", "model"),
    "ground": ("report", "load", "model", *COMMANDS, "cli", "config"),
    "runtime": (
        "report",
        "load",
        "model",
        "client_runtime",
        "output",
        *COMMANDS,
        "cli",
        "config",
        "",
    ),
    "output": ("report", "load", "model", "runtime", "client_runtime", *COMMANDS, "cli", "config"),
    "client_runtime": (
        "report",
        "load",
        "model",
        "runtime",
        "output",
        *COMMANDS,
        "cli",
        "config",
        "",
    ),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("contractgen")}


def _floor(module: str) -> str:
    """`contractgen.load.document` -> `load`; `contractgen` itself -> ``."""
    parts = module.split(".")
    if len(parts) == 1:
        return ""
    return parts[1] if parts[1] in _FLOORS else ""


_FLOORS = {
    *("load", "model", "report", "runtime", "client_runtime", "output", "cli", "config"),
    *COMMANDS,
}


def _modules(floor: str) -> list[Path]:
    if floor == "ground":
        return [PACKAGE / name for name in GROUND]
    return sorted((PACKAGE / floor).rglob("*.py"))


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_floor_imports_nothing_above_it(floor: str) -> None:
    modules = _modules(floor)
    assert modules, f"no modules found for {floor}"
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules
        for name in sorted(_imports(path))
        if _floor(name) in FORBIDDEN[floor]
    ]
    assert offending == []


def test_commands_never_import_each_other() -> None:
    present = [command for command in COMMANDS if (PACKAGE / command).is_dir()]
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for command in present
        for path in (PACKAGE / command).rglob("*.py")
        for name in _imports(path)
        if _floor(name) in COMMANDS and _floor(name) != command
    ]
    assert offending == []


def test_runtime_imports_nothing_from_contractgen() -> None:
    """The runtime is copied into generated projects, where no contractgen is installed."""
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("runtime")
        for name in sorted(_imports(path))
    ]
    assert offending == []


#: What a generated client installs: the client runtime may import these and the stdlib only.
CLIENT_DEPENDENCIES = {"httpx", "pydantic", "pydantic_core", "websockets"}


def test_client_runtime_imports_nothing_from_contractgen() -> None:
    """Copied into generated clients, where no contractgen (nor FastAPI) is installed."""
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("client_runtime")
        for name in sorted(_imports(path))
    ]
    assert offending == []


def _top_level_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_client_runtime_needs_only_httpx_pydantic_and_websockets() -> None:
    allowed = CLIENT_DEPENDENCIES | set(sys.stdlib_module_names) | {"__future__"}
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("client_runtime")
        for name in sorted(_top_level_imports(path) - allowed)
    ]
    assert offending == []
