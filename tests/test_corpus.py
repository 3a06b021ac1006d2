"""Every real-world spec in ../shared/corpus is validated without a crash.

What each one reports is summarised in docs/corpus.md (regenerate: `python docs/corpus.py`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from contractgen.errors import LoadError
from contractgen.load.document import load_document
from contractgen.report.finding import Level
from tests.conftest import CORPUS, ROOT, validate_path

SPECS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json"))
SWAGGER = "learn-petstore-expanded-2.0.yaml"

pytestmark = pytest.mark.skipif(not SPECS, reason="../shared/corpus is not present")


@pytest.mark.parametrize("path", [p for p in SPECS if p.name != SWAGGER], ids=lambda p: p.name)
def test_real_spec_validates_with_positioned_findings(path: Path) -> None:
    findings = validate_path(path)
    for finding in findings:
        assert finding.location.file.endswith(path.name)
        assert finding.location.line is not None and finding.location.line >= 1, finding
        assert finding.location.column is not None and finding.location.column >= 1, finding
        assert finding.location.pointer.startswith("/") or finding.location.pointer == ""
    fingerprints = [f.fingerprint for f in findings]
    assert len(fingerprints) == len(set(fingerprints)), "one finding per problem"


def test_swagger_2_is_refused_as_unsupported() -> None:
    with pytest.raises(LoadError) as caught:
        load_document(CORPUS / SWAGGER)
    assert caught.value.code == "LOAD010"
    assert "Swagger 2.0 is not supported" in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, 1)


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    text = (CORPUS / "learn-tags-example-3.2.yaml").read_text().replace("3.2.0", "3.3.0", 1)
    path = tmp_path / "future.yaml"
    path.write_text(text)
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert caught.value.code == "LOAD010"
    assert "unsupported OpenAPI version 3.3.0" in caught.value.message
    assert caught.value.line is not None


def test_no_structural_false_positives_on_the_oai_3_2_example() -> None:
    findings = validate_path(CORPUS / "oai-media-type-examples-3.2.yaml")
    structural = [f for f in findings if f.rule_id.startswith(("OAS", "EXT", "EX"))]
    assert structural == []
    assert not [f for f in findings if f.level is Level.ERROR and f.rule_id.startswith("OAS")]


def test_the_corpus_report_script_reads_a_spec() -> None:
    """docs/corpus.py regenerates docs/corpus.md; it must keep working as the engine changes."""
    spec = importlib.util.spec_from_file_location("corpus_report", ROOT / "docs" / "corpus.py")
    assert spec is not None and spec.loader is not None
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    row, samples = report.spec_row(ROOT / "specs" / "chat-service-legacy-3.1.yaml")
    assert row.startswith("| chat-service-legacy-3.1.yaml | 3.1.0 |")
    assert "LEG001" in row
    assert samples and all(sample.startswith("- `") for sample in samples)
