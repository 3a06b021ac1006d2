"""docs/verify.md lists every rule of the catalogue, as generated from it."""

from __future__ import annotations

from pathlib import Path

from contractgen.verify.docs import updated
from contractgen.verify.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_docs_verify_md_is_in_sync_with_the_catalogue() -> None:
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    assert text == updated(text), (
        "docs/verify.md is out of date; regenerate: python -m contractgen.verify.docs "
        "docs/verify.md"
    )
    for rule in RULES.values():
        assert f"### {rule.id}" in text


def test_rule_ids_are_unique_and_well_formed() -> None:
    assert all(key == rule.id and rule.id.startswith("VER") for key, rule in RULES.items())
    assert all(rule.summary.endswith(".") and rule.example for rule in RULES.values())
