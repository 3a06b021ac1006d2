"""The long-string pass: values keep their meaning, parts fit the line, ruff keeps the layout."""

from __future__ import annotations

import ast

import pytest

from contractgen.scaffold.long_strings import split_long_strings
from contractgen.scaffold.render import LINE_LENGTH, format_python

WORDS = "The display name for this account, used on the dashboard to tell accounts apart. " * 3


def values(source: str) -> dict[str, object]:
    """Every keyword argument's and assignment's literal value in a module."""
    found: dict[str, object] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
            found[node.arg or ""] = node.value.value
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            found[ast.unparse(node.targets[0])] = node.value.value
    return found


def test_a_long_description_is_split_into_parts_that_fit_and_keep_its_value() -> None:
    source = f"class Account:\n    name: str = Field(description={WORDS!r}, max_length=3)\n"
    formatted = format_python({"pkg/models.py": source})["pkg/models.py"]
    assert values(formatted) == values(source)
    assert all(len(line) <= LINE_LENGTH for line in formatted.splitlines()), formatted
    assert formatted.count('"') >= 6, "split into several parts"
    assert format_python({"pkg/models.py": formatted})["pkg/models.py"] == formatted


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
@pytest.mark.parametrize(
    "text",
    [
        "a\\ b " * 30,  # a backslash before a space: never cut between them
        "word\\\\ " * 30,  # an escaped backslash, then a cuttable space
        'tab\\t and newline\\n and quote\\" and unicode \\u00e9 ' * 5,
        "“typographic” quotes and émoji 🚀 stay whole " * 5,
    ],
)
def test_escapes_survive_the_cut(text: str) -> None:
    source = f'X = "{text}"\n'
    split = split_long_strings(source, LINE_LENGTH)
    assert split != source
    assert values(split) == values(source)


@pytest.mark.parametrize(
    "source",
    [
        f"X = f{WORDS!r}\n",  # an f-string: its parts are code
        f"X = b{WORDS!r}\n",
        f'X = """{WORDS}"""\n',
        f"X = {'x' * 150!r}\n",  # no space to cut at
        f"x: Literal[{WORDS!r}]\n",  # not a value: Literal takes one literal
        f"call({WORDS!r})\n",  # a positional argument
        f"X = {WORDS[:60]!r}\n",  # fits already
    ],
)
def test_what_is_not_a_long_plain_value_is_left_alone(source: str) -> None:
    assert split_long_strings(source, LINE_LENGTH) == source


def test_text_that_does_not_tokenize_is_returned_as_it_is() -> None:
    broken = f'X = "{WORDS}\n(\n'
    assert split_long_strings(broken, LINE_LENGTH) == broken
