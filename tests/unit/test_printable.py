"""`printable`: the one escape every human-facing output applies to text from the contract."""

from __future__ import annotations

import pytest

from contractgen.errors import LoadError
from contractgen.printable import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("\x00\x07\x1b[31m", "\\x00\\x07\\x1b[31m"),
        ("del\x7f", "del\\x7f"),
        ("c1 \x85 \x9b", "c1 \\x85 \\x9b"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("bidi \u202e \u2066", "bidi \\u202e \\u2066"),
        ("lone \ud800", "lone \\ud800"),
    ],
)
def test_unprintable_characters_become_escapes(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_text_is_left_alone() -> None:
    text = 'café ü 日本 😀 \\n is two characters, so is "\\x1b" ~1 %0A'
    assert printable(text) == text


def test_error_lines_escape_the_file_and_the_message() -> None:
    message = "version 9.9\nfake.yaml:1:1: LOAD000 injected"
    error = LoadError("LOAD010", message, "a\x1bb.yaml", 1, 1)
    assert error.render() == (
        "a\\x1bb.yaml:1:1: LOAD010 version 9.9\\nfake.yaml:1:1: LOAD000 injected"
    )
    assert error.message == message  # kept exact, for JSON and SARIF
