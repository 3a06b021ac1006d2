"""`--help` reads well at 80 columns and in a narrow terminal, on the Typer releases we pin.

Typer's rendering changes between minor releases (0.27 wraps required arguments in braces,
0.29 prints Python types such as `<list[str]>` and `<bool>` beside arguments and flags), so
these run the installed console script: a Typer outside the pinned range that renders
differently fails here first.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.cli.conftest import contractgen_command

VALIDATE_OPTIONS = [
    "--format FORMAT",
    "--fail-on LEVEL",
    "--select RULES",
    "--ignore RULES",
    "--config FILE",
    "--baseline FILE",
    "--write-baseline FILE",
    "--allow-external-refs",
    "--max-file-size BYTES",
    "--jobs N",
    "--color / --no-color",
    "--output FILE",
    "--help",
]
#: What a reader should never see: Python types, braces, typer's range notation, a cut word.
NOT_PLAIN = re.compile(r"<[a-z]|\{|\[x[<>]=|…")


def _help(*command: str, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "TERM": "dumb"}
    run = subprocess.run(
        [*contractgen_command(), *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("columns", [80, 50])
def test_validate_help_is_plain_and_fits(columns: int) -> None:
    text = _help("validate", columns=columns)
    assert text.startswith("Usage: contractgen validate [OPTIONS] PATH...\n")
    assert NOT_PLAIN.search(text) is None, text
    assert max(map(len, text.splitlines())) <= columns, text
    for option in VALIDATE_OPTIONS:
        assert option in text, f"{option!r} missing or cut:\n{text}"
    flat = " ".join(text.split())
    for fragment in (
        "text (the default), json, sarif, github, junit, markdown or html.",
        "PATH...",
    ):
        assert fragment in flat  # no choice split inside a word across lines


DIFF_OPTIONS = [
    "--format FORMAT",
    "--fail-on LEVEL",
    "--only LEVEL",
    "--ignore FILE",
    "--check-version / --no-check-version",
    "--config FILE",
    "--allow-external-refs",
    "--max-file-size BYTES",
    "--color / --no-color",
    "--output FILE",
]


@pytest.mark.parametrize("columns", [80, 50])
def test_diff_help_is_plain_and_fits(columns: int) -> None:
    text = _help("diff", columns=columns)
    assert text.startswith("Usage: contractgen diff [OPTIONS] OLD NEW\n")
    assert NOT_PLAIN.search(text) is None, text
    assert max(map(len, text.splitlines())) <= columns, text
    for option in DIFF_OPTIONS:
        assert option in text, f"{option!r} missing or cut:\n{text}"
    flat = " ".join(text.split())
    assert "breaking (the default), warning or info." in flat


@pytest.mark.parametrize("columns", [80, 50])
def test_rules_and_top_level_help_are_plain_and_fit(columns: int) -> None:
    rules = _help("rules", columns=columns)
    assert rules.startswith("Usage: contractgen rules [OPTIONS] [RULE]\n")
    top = _help(columns=columns)
    assert top.startswith("Usage: contractgen [OPTIONS] COMMAND [ARGS]...\n")
    for text in (rules, top):
        assert NOT_PLAIN.search(text) is None, text
        assert max(map(len, text.splitlines())) <= columns, text
    assert "-f, --format FORMAT" in rules
    assert "--version" in top and "validate" in top and "diff" in top and "rules" in top
    assert "--diff" in rules


def test_a_count_below_one_is_refused_by_the_parser() -> None:
    run = subprocess.run(
        [*contractgen_command(), "validate", "x.yaml", "--jobs", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "Invalid value for '--jobs' / '-j': 0 is not a positive number" in run.stderr
