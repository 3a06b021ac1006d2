"""Ignore entries for diff: how they are read (every mistake a located USAGE002) and matched."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.config import load_config, read_ignore_file
from contractgen.diff.accept import Acceptance, AcceptedChange, operation_key
from contractgen.errors import UsageError
from contractgen.load.document import load_document
from contractgen.location import Location
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract
from contractgen.report.finding import Finding, Level

TODAY = datetime.date(2026, 6, 1)
OLD = """\
openapi: 3.1.0
info: {title: t, version: "1.0"}
paths:
  /chat:
    post: {operationId: createChat, responses: {"200": {description: ok}}}
  /gone:
    delete: {operationId: dropIt, responses: {"204": {description: gone}}}
"""
NEW = """\
openapi: 3.1.0
info: {title: t, version: "1.0"}
paths:
  /chat:
    post: {operationId: createChat, responses: {"200": {description: ok}}}
"""


@pytest.fixture
def contracts(write_spec: Callable[[str, str], Path]) -> tuple[Contract, Contract]:
    old = build_contract(load_document(write_spec(OLD, "old.yaml")))
    new = build_contract(load_document(write_spec(NEW, "new.yaml")))
    return old, new


@pytest.fixture
def ignore_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "accepted.yaml"
        path.write_text(text)
        return path

    return write


def _finding(rule: str, pointer: str, scope: tuple[str, ...], before: str | None = None) -> Finding:
    old = Location("old.yaml", before) if before is not None else None
    return Finding(
        rule, Level.BREAKING, "m", Location("new.yaml", pointer), before=old, scope=scope
    )


# reading


def test_an_ignore_file_is_a_list_of_entries(ignore_file: Callable[[str], Path]) -> None:
    path = ignore_file(
        "- rule: DVER001\n"
        "  reason: versioned by the release train\n"
        "- operation: post /chat\n"
        "  pointer: /paths/~1chat/\n"
        "  reason: beta\n"
        "  until: 2026-12-31\n"
        "- rule: api-version-decreased\n"  # an oasdiff id
        "  reason: r\n"
    )
    first, second, third = read_ignore_file(path)
    assert (first.rule, first.operation, first.pointer, first.until) == (
        "DVER001",
        None,
        None,
        None,
    )
    assert first.source.endswith("accepted.yaml:1:3")
    assert (second.operation, second.pointer) == ("POST /chat", "/paths/~1chat/")
    assert second.until == datetime.date(2026, 12, 31)
    assert third.rule == "DVER001"


def test_an_empty_ignore_file_accepts_nothing(ignore_file: Callable[[str], Path]) -> None:
    assert read_ignore_file(ignore_file("")) == ()
    assert read_ignore_file(ignore_file("[]\n")) == ()


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("- rule: DVER001\n", ":1:3", "`[0]`: needs a non-empty `reason` string: say why"),
        ("- rule: DVER001\n  reason: '  '\n", ":1:3", "needs a non-empty `reason` string"),
        ("- reason: r\n", ":1:3", "`[0]`: needs a `rule`, an `operation` or a `pointer`"),
        ("- rule: DVER001\n  reason: r\n  resaon: x\n", ":3:3", "`[0].resaon`: unknown key"),
        ("- rule: NOPE999\n  reason: r\n", ":1:3", "unknown diff rule 'NOPE999'"),
        ("- rule: version-bump-to-small\n  reason: r\n", ":1:3", "did you mean 'version-"),
        ("- pointer: info\n  reason: r\n", ":1:3", "'info' is not a JSON Pointer"),
        ("- rule: DVER001\n  reason: r\n  until: 2026-02-30\n", ":3:3", "is not a date"),
        ("- rule: DVER001\n  reason: r\n  until: next week\n", ":3:3", "is not a date"),
        ("- rule: DVER001\n  reason: r\n  until: 20261231\n", ":3:3", "is not a date"),
        ("- operation: 3\n  reason: r\n", ":1:3", "needs a non-empty `operation` string"),
        ("rule: DVER001\n", None, "`(top level)`: must be a list"),
        ("- DVER001\n", ":1:3", "`[0]`: must be a {rule, operation, pointer, reason, until} table"),
    ],
)
def test_every_mistake_in_an_ignore_file_is_located(
    ignore_file: Callable[[str], Path], text: str, where: str | None, message: str
) -> None:
    path = ignore_file(text)
    with pytest.raises(UsageError) as raised:
        read_ignore_file(path)
    rendered = raised.value.render()
    assert raised.value.code == "USAGE002"
    assert message in rendered
    if where is not None:
        assert f"accepted.yaml{where}: USAGE002" in rendered


def test_the_diff_table_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.contractgen.diff]\n"
        'fail-on = "warning"\n'
        "check-version = true\n"
        "[[tool.contractgen.diff.ignore]]\n"
        'rule = "version-bump-too-small"\n'
        'reason = "r"\n'
        "until = 2026-12-31\n"
    )
    settings = load_config(start=tmp_path).diff
    assert (settings.fail_on, settings.check_version) == (Level.WARNING, True)
    (entry,) = settings.accepted
    assert (entry.rule, entry.until) == ("DVER001", datetime.date(2026, 12, 31))
    assert entry.source.endswith("pyproject.toml (tool.contractgen.diff.ignore[0])")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('fail-on = "error"\n', "`tool.contractgen.diff.fail-on`: 'error' is not one of breaking"),
        ('check-version = "yes"\n', "`tool.contractgen.diff.check-version`: must be true or false"),
        ("ignor = []\n", "`tool.contractgen.diff.ignor`: unknown key (did you mean 'ignore'?)"),
        (
            '[[tool.contractgen.diff.ignore]]\nrule = "DVER001"\nreason = "r"\n'
            "until = 2026-12-31T10:00:00\n",
            "`tool.contractgen.diff.ignore[0].until`: datetime.datetime(2026, 12, 31, 10, 0) is "
            "not a date",
        ),
    ],
)
def test_mistakes_in_the_diff_table(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.contractgen.diff]\n{table}")
    with pytest.raises(UsageError) as raised:
        load_config(tmp_path / "pyproject.toml")
    assert message in raised.value.render()


def test_the_diff_table_in_yaml_is_located(tmp_path: Path) -> None:
    (tmp_path / ".contractgen.yaml").write_text("diff:\n  ignore:\n    - rule: DVER001\n")
    with pytest.raises(UsageError) as raised:
        load_config(tmp_path / ".contractgen.yaml")
    assert (raised.value.line, raised.value.column) == (3, 7)
    assert raised.value.message.startswith("`diff.ignore[0]`: needs a non-empty `reason`")


def test_operation_keys_are_normalised_and_operation_ids_kept() -> None:
    assert operation_key("post  /v1/chat") == "POST /v1/chat"
    assert operation_key("QUERY /search") == "QUERY /search"
    assert operation_key("createChat") == "createChat"
    assert operation_key("post chat") == "post chat"  # no path: read as an operationId


# matching


def _entry(**fields: object) -> AcceptedChange:
    return AcceptedChange(reason="r", source="accepted.yaml:1:3", **fields)  # type: ignore[arg-type]


REMOVED = _finding("DOP001", "/paths", ("DELETE /gone",), before="/paths/~1gone/delete")
SHARED = _finding("DSC001", "/components/schemas/S", ("POST /chat", "DELETE /gone"))
CHAT = _finding("DSC002", "/paths/~1chat/post/requestBody", ("POST /chat",))
DOCUMENT = _finding("DSEC001", "/components/securitySchemes/key", ())


@pytest.mark.parametrize(
    ("entry", "accepted"),
    [
        (_entry(rule="DOP001"), [REMOVED]),
        (_entry(operation="DELETE /gone"), [REMOVED]),
        (_entry(operation="dropIt"), [REMOVED]),  # the operationId of the old document
        (_entry(operation="createChat"), [CHAT]),  # not SHARED: it reaches DELETE /gone too
        (_entry(pointer="/paths/~1gone"), [REMOVED]),  # on the old side
        (_entry(pointer="/components"), [SHARED, DOCUMENT]),
        (_entry(pointer="/components/schemas/"), [SHARED]),  # a trailing / does not matter
        (_entry(pointer="/components/sec"), []),  # a prefix of whole tokens only
        (_entry(rule="DOP001", operation="POST /chat"), []),  # every field must match
        (_entry(rule="DSC001", pointer="/components"), [SHARED]),
    ],
)
def test_entries_accept_what_they_name(
    contracts: tuple[Contract, Contract], entry: AcceptedChange, accepted: list[Finding]
) -> None:
    findings = [REMOVED, SHARED, CHAT, DOCUMENT]
    kept, taken = Acceptance.of([entry], TODAY).split(findings, *contracts)
    assert taken == accepted
    assert kept == [finding for finding in findings if finding not in accepted]


def test_two_operation_entries_do_not_add_up_for_a_shared_change(
    contracts: tuple[Contract, Contract],
) -> None:
    entries = [_entry(operation="POST /chat"), _entry(operation="DELETE /gone")]
    kept, _ = Acceptance.of(entries, TODAY).split([SHARED], *contracts)
    assert kept == [SHARED]


def test_expired_entries_stop_applying(contracts: tuple[Contract, Contract]) -> None:
    yesterday = _entry(rule="DOP001", until=TODAY - datetime.timedelta(days=1))
    today = _entry(rule="DSC002", until=TODAY)  # applies through its last day
    acceptance = Acceptance.of([yesterday, today], TODAY)
    assert acceptance.expired == (yesterday,)
    kept, accepted = acceptance.split([REMOVED, CHAT], *contracts)
    assert (kept, accepted) == ([REMOVED], [CHAT])
