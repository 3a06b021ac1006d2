"""`contractgen rules`, and the docs generated from or about the code staying in sync."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from contractgen.docs import REGENERATE_RULES, code_fence, rules_markdown, table_cell
from contractgen.errors import LOAD_ERROR_CODES
from contractgen.validate.registry import catalogue
from tests.cli.conftest import invoke
from tests.conftest import ROOT


def test_rules_lists_the_catalogue() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    for rule in catalogue().values():
        assert re.search(
            rf"^{rule.id}\s+{rule.level.value}\s+{re.escape(rule.name)}\s",
            result.stdout,
            re.MULTILINE,
        )


def test_rules_explains_one_by_id_or_name() -> None:
    if not catalogue():
        pytest.skip("empty catalogue")
    rule = next(iter(catalogue().values()))
    by_id = invoke("rules", rule.id.lower())
    assert by_id.exit_code == 0
    assert by_id.stdout.startswith(f"{rule.id} {rule.name} ({rule.level.value})\n")
    assert rule.summary in by_id.stdout
    if rule.bad:
        assert rule.bad in by_id.stdout
    assert invoke("rules", rule.name).stdout == by_id.stdout


def test_unknown_rule_is_a_usage_error() -> None:
    result = invoke("rules", "NOPE999")
    assert result.exit_code == 2
    assert "no rule 'NOPE999'" in result.stderr


def test_docs_rules_md_is_in_sync() -> None:
    generated = invoke("rules", "--format", "markdown").stdout
    assert generated == rules_markdown(catalogue().values())
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == generated, f"docs/rules.md is out of date; regenerate: {REGENERATE_RULES}"


def test_docs_errors_md_documents_every_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    pattern = r"^\| ((?:LOAD|USAGE|SCAF|EXPORT|MOCK|VERIFY)\d{3}) \|"
    documented = set(re.findall(pattern, text, re.MULTILINE))
    assert documented == set(LOAD_ERROR_CODES)


def test_table_cells_and_fences_are_escaped() -> None:
    assert table_cell("a | b `c`\n d") == "a \\| b \\`c\\` d"
    assert code_fence("x") == "```"
    assert code_fence("a ```` b") == "`````"


def test_catalogue_is_whole_after_one_rule_module_was_imported_first() -> None:
    """A module imported on its own registers only its rules; the catalogue still has all."""
    code = (
        "import contractgen.validate.rules.streams\n"
        "from contractgen.validate.registry import catalogue\n"
        "print(' '.join(catalogue()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == list(catalogue())
