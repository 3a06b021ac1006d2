"""JUnit XML, the report every CI dashboard (GitLab, Jenkins, Azure, test-reporter actions) reads.

One `<testsuite>` per file, one `<testcase>` per finding, so each finding shows up as its own
row. A finding at or above the run's fail-on level (`--fail-on`, error by default) is a
`<failure>`, exactly as it fails the run; one below it passes and keeps its message in
`<system-out>`, so a dashboard never shows red for a run that exited 0. A file without
findings gets one passing test case, so a clean file still shows as checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TYPE_CHECKING

from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import all_files, ordered

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CLEAN_CASE = "no problems found"


def render_junit(
    findings: Sequence[Finding], *, files: Sequence[str], fail_on: Level = Level.ERROR
) -> str:
    """The report as an indented XML document with an XML declaration."""
    by_file = {
        file: list(group)
        for file, group in groupby(ordered(findings), key=lambda finding: finding.location.file)
    }
    root = ET.Element("testsuites", name="contractgen")
    for file in all_files(findings, files):
        root.append(_suite(file, by_file.get(file, []), fail_on))
    failures = _failing(findings, fail_on)
    _set_totals(root, tests=len(root.findall("*/testcase")), failures=failures)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(file: str, findings: list[Finding], fail_on: Level) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml_text(file))
    suite.extend([_case(finding, fail_on) for finding in findings] or [_clean_case(file)])
    _set_totals(suite, tests=len(suite), failures=_failing(findings, fail_on))
    return suite


def _set_totals(element: ET.Element, *, tests: int, failures: int) -> None:
    """The counts dashboards show; contractgen never reports JUnit errors or skips."""
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")


def _failing(findings: Sequence[Finding], fail_on: Level) -> int:
    return sum(_fails(finding, fail_on) for finding in findings)


def _fails(finding: Finding, fail_on: Level) -> bool:
    return finding.level.rank >= fail_on.rank


def _case(finding: Finding, fail_on: Level) -> ET.Element:
    location = finding.location
    case = ET.Element(
        "testcase",
        name=_xml_text(f"{finding.rule_id} {location.pointer or '/'}"),
        classname=_xml_text(location.file),
        file=_xml_text(location.file),
    )
    if location.line is not None:
        case.set("line", str(location.line))
    details = _details(finding)
    if _fails(finding, fail_on):
        failure = ET.SubElement(
            case, "failure", message=_xml_text(finding.message), type=finding.level.value
        )
        failure.text = details
    else:
        ET.SubElement(case, "system-out").text = details
    return case


def _clean_case(file: str) -> ET.Element:
    return ET.Element("testcase", name=_CLEAN_CASE, classname=_xml_text(file), file=_xml_text(file))


def _details(finding: Finding) -> str:
    """The failure body: where, what, the old side of a change and any related locations,
    one per line."""
    before = [f"old: {finding.before}"] if finding.before is not None else []
    lines = [
        f"{finding.level.value} {finding.rule_id} at {finding.location}",
        finding.message,
        *before,
        *(f"related: {related}" for related in finding.related),
    ]
    return "\n".join(_xml_text(line) for line in lines)


def _xml_text(value: str) -> str:
    """One line of text from the contract, control characters escaped, safe in XML.

    ElementTree escapes markup itself; what XML cannot hold at all is replaced.
    """
    return _NOT_XML.sub("\ufffd", printable(value))
