"""Every rule in the catalogue has failing and passing fixtures.

`tests/fixtures/rules/<RULE-ID>/` holds `bad*.yaml` and `good*.yaml` specs (or `bad*/` and
`good*/` folders whose root is `openapi.yaml`, for multi-file contracts). A failing fixture
marks each line where the rule must report with `# expect: <RULE-ID>` (in any of its files);
the rule must report exactly those lines. A passing fixture is the contract put right: the
rule must report nothing there. Each rule has at least one of each, named `bad.yaml` and
`good.yaml`; more pairs cover the cases a rule learned later.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgen.validate.registry import catalogue
from tests.conftest import FIXTURES, expected_lines, validate_path

RULE_IDS = sorted(catalogue())
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _fixtures(kind: str) -> list[tuple[str, Path]]:
    """(rule id, root spec) for every fixture of a kind, in a stable order."""
    found: list[tuple[str, Path]] = []
    for rule_id in RULE_IDS:
        folder = FIXTURES / "rules" / rule_id
        for entry in sorted(folder.glob(f"{kind}*")):
            if entry.is_dir():
                found.append((rule_id, entry / "openapi.yaml"))
            elif entry.suffix in SPEC_SUFFIXES:
                found.append((rule_id, entry))
    return found


def _id(case: tuple[str, Path]) -> str:
    rule_id, path = case
    name = path.parent.name if path.name == "openapi.yaml" else path.stem
    return f"{rule_id}/{name}"


def _spec_files(root: Path) -> list[Path]:
    """The files a fixture consists of: its root, or every spec file of its folder."""
    if root.name != "openapi.yaml":
        return [root]
    return sorted(p for p in root.parent.rglob("*") if p.suffix in SPEC_SUFFIXES)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_a_failing_and_a_passing_fixture(rule_id: str) -> None:
    folder = FIXTURES / "rules" / rule_id
    assert (folder / "bad.yaml").is_file(), f"missing failing fixture {folder}/bad.yaml"
    assert (folder / "good.yaml").is_file(), f"missing passing fixture {folder}/good.yaml"


@pytest.mark.parametrize("case", _fixtures("bad"), ids=_id)
def test_bad_fixture_reports_rule_on_marked_lines(case: tuple[str, Path]) -> None:
    rule_id, root = case
    expected = {
        (path.resolve(), line)
        for path in _spec_files(root)
        for line in expected_lines(path, rule_id)
    }
    assert expected, f"{root} marks no line with '# expect: {rule_id}'"
    reported = {
        (Path(f.location.file).resolve(), f.location.line)
        for f in validate_path(root)
        if f.rule_id == rule_id
    }
    assert reported == expected


@pytest.mark.parametrize("case", _fixtures("good"), ids=_id)
def test_good_fixture_is_clean_for_rule(case: tuple[str, Path]) -> None:
    rule_id, root = case
    reported = [f for f in validate_path(root) if f.rule_id == rule_id]
    assert reported == []


def test_every_rule_is_documented() -> None:
    for rule in catalogue().values():
        assert rule.summary and rule.rationale and rule.bad and rule.good, rule.id
        assert rule.name.replace("-", "").isalnum(), rule.id
