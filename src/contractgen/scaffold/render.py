"""Planned files to finished text: Jinja templates, then ruff, then a parse of every file.

The templates decide what the code says; nothing here knows a project's layout. A user's
`--templates DIR` comes first in the loader, so one template can be overridden and the
rest fall back to the packaged ones. Everything a template interpolates from the spec goes
through a filter that makes it safe where it lands: `pyrepr` for literals, `docstring` for
docstrings, `comment` for comments, `snake`/`pascal`/`pyident` for names.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import tempfile
import textwrap
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2

from contractgen import templating
from contractgen.errors import ContractgenError
from contractgen.output.files import Owner, RenderedFile
from contractgen.scaffold import names
from contractgen.scaffold.long_strings import split_long_strings

Kind = Literal["python", "json", "toml", "text"]

LINE_LENGTH = 100
RUFF_SETTINGS = ("--line-length", str(LINE_LENGTH), "--target-version", "py311")
RUFF_RULES = "E,F,W,I,UP,B,SIM,RUF"
"""The lint rules generated code is held to (the generated pyproject selects the same)."""


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file the plan asks for: a template and its context, or finished `content`."""

    path: str
    template: str | None
    context: Mapping[str, Any] = field(default_factory=dict)
    owner: Owner = "generated"
    kind: Kind = "python"
    content: str | None = None
    """Set for text that is not rendered: the models module, the runtime copy."""
    formatted: bool = True
    """Whether ruff formats it (Python only); the runtime copy stays byte for byte."""


class RenderError(ContractgenError):
    """A template failed, or what it produced is not valid Python, JSON or TOML."""


def environment(overrides: Path | None = None) -> jinja2.Environment:
    """Templates from `overrides` first, then contractgen's own, with the safety filters."""
    env = templating.environment(overrides)
    env.filters.update(
        pyrepr=pyrepr,
        docstring=docstring,
        comment=comment,
        snake=names.snake,
        pascal=names.pascal,
        pyident=pyident,
        tojson=tojson,
    )
    return env


def render_files(
    planned: Sequence[PlannedFile], *, overrides: Path | None = None
) -> list[RenderedFile]:
    """Render, format and parse every planned file; raises RenderError on the first failure."""
    env = environment(overrides)
    texts: dict[str, str] = {}
    for item in planned:
        texts[item.path] = item.content if item.content is not None else _render(env, item)
    python = [item.path for item in planned if item.kind == "python" and item.formatted]
    texts.update(format_python({path: texts[path] for path in python}))
    parsed: set[tuple[Kind, str]] = set()  # the client's models.py is the server's, byte for byte
    for item in planned:
        if (item.kind, texts[item.path]) not in parsed:
            _check_parses(item, texts[item.path])
            parsed.add((item.kind, texts[item.path]))
    return [RenderedFile(item.path, texts[item.path], item.owner) for item in planned]


def _render(env: jinja2.Environment, item: PlannedFile) -> str:
    assert item.template is not None, f"{item.path}: a planned file needs a template or content"
    try:
        return env.get_template(item.template).render(**item.context)
    except jinja2.TemplateNotFound as error:
        raise RenderError("SCAF001", f"template not found: {error.name}") from None
    except jinja2.TemplateError as error:
        where = getattr(error, "filename", None) or item.template
        line = getattr(error, "lineno", None)
        raise RenderError("SCAF001", f"template error: {error}", file=where, line=line) from None


def format_python(sources: Mapping[str, str]) -> dict[str, str]:
    """ruff's safe fixes (import order and the like), then ruff format, in one batch.

    Value strings still past the line length are then split into parts, and the files
    that changed formatted again (`long_strings.py`).

    The files are laid out in a scratch folder as in the project, so ruff tells the
    project's own imports from third-party ones the way it will in the project itself.
    """
    if not sources:
        return {}
    with tempfile.TemporaryDirectory(prefix="contractgen-format-") as scratch:
        root = Path(scratch)
        for path, text in sources.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        files = sorted(sources)
        packages = sorted({path.split("/")[0] for path in files if "/" in path})
        first_party = f"lint.isort.known-first-party = {json.dumps(packages)}"
        _ruff(
            root,
            "check",
            "--fix-only",
            "--exit-zero",
            "--select",
            RUFF_RULES,
            "--config",
            first_party,
            *files,
        )
        _ruff(root, "format", *files)
        if split := _split_long_strings(root, files):
            _ruff(root, "format", *split)
        return {path: (root / path).read_text(encoding="utf-8") for path in sources}


def _split_long_strings(root: Path, files: Sequence[str]) -> list[str]:
    """Split the value strings ruff left past the line length; the files that changed."""
    changed = []
    done: dict[str, str] = {}  # a text met twice (the models, in the server and the client)
    for path in files:
        target = root / path
        text = target.read_text(encoding="utf-8")
        split = done.get(text) or done.setdefault(text, split_long_strings(text, LINE_LENGTH))
        if split != text:
            target.write_text(split, encoding="utf-8")
            changed.append(path)
    return changed


def _ruff(root: Path, command: str, *args: str) -> None:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]  # ships the binary

    completed = subprocess.run(
        [find_ruff_bin(), command, "--isolated", "--no-cache", "--quiet", *RUFF_SETTINGS, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RenderError(
            "SCAF002",
            f"ruff {command} failed on generated code: "
            f"{completed.stderr.strip() or completed.stdout.strip()}",
        )


def _check_parses(item: PlannedFile, text: str) -> None:
    try:
        if item.kind == "python":
            ast.parse(text, item.path)
        elif item.kind == "json":
            json.loads(text)
        elif item.kind == "toml":
            tomllib.loads(text)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        raise RenderError(
            "SCAF002", f"generated {item.kind} does not parse: {error}", file=item.path, line=line
        ) from None


# --- filters: spec text made safe where a template puts it ----------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _printable_lines(text: str) -> list[str]:
    """Text as lines with no control or invisible format characters (bidi overrides)."""
    clean = "".join(
        " " if unicodedata.category(char) == "Cf" else char
        for char in _CONTROL.sub(" ", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    )
    return [line.rstrip() for line in clean.split("\n")]


def pyrepr(value: Any) -> str:
    """A Python literal for a JSON-like value; `repr` escapes quotes, newlines, backslashes."""
    if isinstance(value, str):
        return ascii(value) if any(unicodedata.category(c) == "Cf" for c in value) else repr(value)
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, tuple):
        inner = ", ".join(pyrepr(item) for item in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, Iterable):
        return "[" + ", ".join(pyrepr(item) for item in value) + "]"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def spec_literal(value: Any, *, given: Mapping[str, str] | None = None) -> str:
    """A runtime spec value as Python source, naming only the fields that differ from defaults.

    Strings go through `pyrepr`, so nothing from the spec can end a literal early. `given`
    writes some fields as the expressions it maps them to (a name defined elsewhere).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = []
        given = given or {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.default is not dataclasses.MISSING and current == field.default:
                continue
            if (
                field.default_factory is not dataclasses.MISSING
                and current == field.default_factory()
            ):
                continue
            parts.append(f"{field.name}={given.get(field.name) or spec_literal(current)}")
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, tuple):
        inner = ", ".join(spec_literal(item) for item in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    return pyrepr(value)


def docstring(text: str | None, indent: int = 0, width: int = 100) -> str:
    """A docstring body from untrusted text: no closing quotes, escapes or stray indentation.

    The template writes the quotes: `\"\"\"{{ op.summary | docstring(4) }}\"\"\"`. Long lines are
    wrapped to `width` (a line that is one long word, a URL, stays whole).
    """
    if not text:
        return ""
    lines = _printable_lines(text)
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    wrapped: list[str] = []
    for line in lines:
        room = width - indent - 6  # the quotes that open and close it
        if len(line) <= room:
            wrapped.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        parts = textwrap.wrap(
            line,
            max(room, 40),
            subsequent_indent=lead,
            break_long_words=False,
            break_on_hyphens=False,
        )
        wrapped.extend(parts or [line])
    body = "\n".join(wrapped).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"') and not body.endswith('\\"'):
        body = body[:-1] + '\\"'  # a quote right before the closing ones would end them early
    pad = " " * indent
    return "\n".join(
        (pad + line if line and number else line) for number, line in enumerate(body.split("\n"))
    )


def comment(text: str | None, indent: int = 0, width: int = 100) -> str:
    """`# ` lines from untrusted text: a newline in it can never end the comment.

    Long lines are wrapped to `width`, so a long spec name cannot break the line limit.
    """
    if not text:
        return ""
    pad = " " * indent
    lines = _printable_lines(text)
    while lines and not lines[-1]:
        lines.pop()
    wrapped: list[str] = []
    for line in lines:
        parts = textwrap.wrap(line, width - indent - 2, break_on_hyphens=False) or [""]
        wrapped.extend(f"{pad}# {part}".rstrip() for part in parts)
    return "\n".join(wrapped)


def pyident(text: str) -> str:
    """A safe snake_case identifier (alias of `snake`, the name templates read best)."""
    return names.snake(text)


def tojson(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=False)
