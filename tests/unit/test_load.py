"""The loader refuses what is not a spec with a coded error at the right place, and fast."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.errors import LoadError
from contractgen.load import parse
from contractgen.load.document import LoadOptions, load_document
from tests.conftest import CORPUS

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
WriteSpec = Callable[..., Path]


def load_error(path: Path, options: LoadOptions | None = None) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_document(path, options)
    return caught.value


def where(error: LoadError) -> tuple[str, int | None, int | None]:
    return error.code, error.line, error.column


def test_yaml_and_json_load_to_the_same_data(write_spec: WriteSpec) -> None:
    yaml_doc = load_document(write_spec(HEAD + "paths: {}\n"))
    json_doc = load_document(
        write_spec(
            '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}', "a.json"
        )
    )
    assert yaml_doc.data == json_doc.data
    assert yaml_doc.version == "3.1.0"
    assert yaml_doc.version_tuple == (3, 1)


def test_integer_mapping_keys_become_strings(write_spec: WriteSpec) -> None:
    text = HEAD + "paths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n"
    doc = load_document(write_spec(text))
    assert list(doc.data["paths"]["/a"]["get"]["responses"]) == ["200"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (HEAD + "info: {}\n", 3, 1),
        (HEAD + "paths:\n  /a: {}\n  /a: {}\n", 5, 3),
        (HEAD + "r:\n  200: a\n  200: b\n", 5, 3),
        (HEAD + "r:\n  200: a\n  '200': b\n", 5, 3),
        (HEAD + "True: 1\ntrue: 2\n", 4, 1),
        (HEAD + "r:\n  FALSE: 1\n  false: 2\n", 5, 3),
        (HEAD + "r:\n  1: a\n  0x1: b\n", 5, 3),
        (HEAD + "r:\n  null: a\n  ~: b\n", 5, 3),
        (HEAD + "r:\n  'a': 1\n  \"a\": 2\n", 5, 3),
    ],
    ids=[
        "top-level",
        "nested",
        "int-keys",
        "int-and-string-key",
        "booleans",
        "nested-booleans",
        "hex-and-decimal",
        "nulls",
        "quoted",
    ],
)
def test_yaml_duplicate_keys(write_spec: WriteSpec, text: str, line: int, column: int) -> None:
    assert where(load_error(write_spec(text))) == ("LOAD007", line, column)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"openapi": "3.1.0",\n "paths": {},\n "paths": {}}', 3, 2),
        ('{"openapi": "3.1.0",\n "info": {"a": 1,\n   "a": 2}}', 3, 4),
        ('{"x": {"k": 1, "k": 2},\n "k": 1, "k": 2}', 1, 16),  # json.loads refuses x first
    ],
    ids=["top-level", "nested", "inner-before-outer"],
)
def test_json_duplicate_keys(write_spec: WriteSpec, text: str, line: int, column: int) -> None:
    assert where(load_error(write_spec(text, "a.json"))) == ("LOAD007", line, column)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (HEAD + "x: {[1, 2]: 4}\n", 3, 5),
        (HEAD + "x:\n  ? {a: 1}\n  : 2\n", 4, 5),
        (HEAD + "wide: -9223372036854776000\nx: {[1, 2]: 4}\n", 4, 5),
    ],
    ids=["flow-sequence-key", "mapping-key", "slow-path"],
)
def test_collection_as_mapping_key(
    write_spec: WriteSpec, text: str, line: int, column: int
) -> None:
    """ryaml raises a plain ValueError here (unhashable key), PyYAML's composer a TypeError."""
    error = load_error(write_spec(text))
    assert where(error) == ("LOAD006", line, column)
    assert "mapping key" in error.message


def test_alias_bomb_is_refused_quickly(write_spec: WriteSpec) -> None:
    lines = ["openapi: 3.1.0", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(9):
        previous, name = chr(97 + level), chr(98 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    error = load_error(write_spec("\n".join(lines) + "\n"))
    assert where(error) == ("LOAD008", 3, 8)  # the first alias


WIDE = "wide: -9223372036854776000\n"  # sends the file down PyYAML's exact-integer path


def test_aliases_on_the_exact_integer_path_are_shared(write_spec: WriteSpec) -> None:
    text = HEAD + WIDE + "a: &a {type: string}\nb: [*a, *a, *a]\n"
    data = load_document(write_spec(text)).data
    assert data["b"] == [{"type": "string"}] * 3


@pytest.mark.parametrize(("wide", "line"), [("", 5), (WIDE, 6)], ids=["ryaml", "exact-integer"])
def test_alias_expansion_is_bounded(write_spec: WriteSpec, wide: str, line: int) -> None:
    """No exponential bomb is needed: 3,000 aliases of a 1,000-item list add 3M nodes.

    ryaml counts alias jumps (at most 100 per event), not what they expand to: it built all
    3M nodes (30 KB of text; 300 KB would exhaust memory).
    """
    anchor = "a: &a [" + ", ".join(["x"] * 1000) + "]\n"
    error = load_error(write_spec(HEAD + wide + anchor + "b:\n" + "- *a\n" * 3000))
    assert where(error) == ("LOAD008", line, 3)  # the first alias
    assert "alias" in error.message


#: Flow nesting bombs and the line of their first bracket past 128 levels.
FLOW_BOMBS = {
    "flow-sequences": ("x: " + "[" * 100_000 + "]" * 100_000, 2),
    "flow-mappings": ("x: " + "{a: " * 100_000 + "1" + "}" * 100_000, 2),
    "flow-over-lines": ("x:\n" + " [\n" * 100_000 + " ]\n" * 100_000, 131),
    # closing brackets hidden in quoted strings fool a plain bracket count
    "hidden-closers": ("x: " + '[ "]]", ' * 100_000 + "y" + "]" * 100_000, 2),
    "hidden-in-single-quotes": ("x: " + "[ ']]', " * 100_000 + "y" + "]" * 100_000, 2),
}


@pytest.mark.parametrize(("body", "line"), FLOW_BOMBS.values(), ids=FLOW_BOMBS.keys())
def test_deep_flow_nesting_is_refused_before_any_parser_sees_it(
    write_spec: WriteSpec, body: str, line: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ryaml's scanner is quadratic in flow depth and PyYAML's behaviour changes between
    releases: neither may be asked, whatever is installed."""

    def no_parser(*_: object, **__: object) -> None:
        raise AssertionError("a YAML parser was called on a nesting bomb")

    monkeypatch.setattr(parse.ryaml, "loads", no_parser)
    monkeypatch.setitem(sys.modules, "yaml", None)  # importing PyYAML fails
    error = load_error(write_spec("openapi: 3.1.0\n" + body + "\n"))
    assert (error.code, error.line) == ("LOAD008", line)
    assert error.message == "YAML is nested more than 128 levels deep"


def test_hidden_nesting_under_the_trusted_bracket_count_is_left_to_ryaml(
    write_spec: WriteSpec,
) -> None:
    """Up to 20,000 brackets ryaml's worst case is bounded (0.5 s), so the cheap count decides."""
    body = "x: " + '[ "]]", ' * 5_000 + "y" + "]" * 5_000
    assert parse._naive_flow_depth(body) <= parse.MAX_DEPTH
    assert load_error(write_spec("openapi: 3.1.0\n" + body + "\n")).code == "LOAD008"


def test_deep_block_nesting_is_refused_by_the_parser(write_spec: WriteSpec) -> None:
    error = load_error(write_spec("openapi: 3.1.0\nx:\n" + "- " * 100_000 + "a\n"))
    assert error.code == "LOAD008"
    assert error.line is not None


def test_deep_json_nesting_is_refused(write_spec: WriteSpec) -> None:
    text = '{"openapi": "3.1.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    error = load_error(write_spec(text, "a.json"))
    assert error.code == "LOAD008"
    assert error.line == 1


def test_brackets_in_descriptions_are_not_nesting(write_spec: WriteSpec) -> None:
    text = HEAD + "".join(f"d{i}: 'see [[[ {{{{ here'\n" for i in range(100))
    assert load_document(write_spec(text)).data["d0"] == "see [[[ {{ here"


def test_non_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"openapi: 3.1.0\ninfo:\n  title: caf\xe9\n")
    assert where(load_error(path)) == ("LOAD004", 3, 13)


def test_nul_character_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"openapi: 3.1.0\nx: a\x00b\n")
    assert load_error(path).code == "LOAD004"


@pytest.mark.parametrize(
    ("string", "column"),
    [
        ("\\ud800", 8),
        ("ok \\uDFFF", 11),
        ("\\udc00\\ud800", 8),
        ("\\ud83d x \\ude00", 8),
        ("\\\\\\ud800", 10),
    ],
    ids=["high", "low", "reversed-pair", "split-pair", "after-escaped-backslash"],
)
def test_json_lone_surrogate_is_refused(write_spec: WriteSpec, string: str, column: int) -> None:
    """jsonschema-rs (and any UTF-8 output) cannot hold half of a UTF-16 surrogate pair."""
    text = '{"openapi": "3.1.0",\n "x": "' + string + '"}'
    error = load_error(write_spec(text, "a.json"))
    assert where(error) == ("LOAD004", 2, column)
    assert "surrogate" in error.message


@pytest.mark.parametrize("string", ["\\ud83d\\ude00", "\\\\ud800", "\\u00e9"])
def test_json_surrogate_pairs_and_escaped_backslashes_load(
    write_spec: WriteSpec, string: str
) -> None:
    text = '{"openapi": "3.1.0", "x": "' + string + '"}'
    assert load_document(write_spec(text, "a.json")).data["x"] in ("\U0001f600", "\\ud800", "é")


@pytest.mark.parametrize("extra", ["", "wide: " + "9" * 40 + "\n"], ids=["fast", "slow"])
def test_yaml_lone_surrogate_is_a_syntax_error(write_spec: WriteSpec, extra: str) -> None:
    error = load_error(write_spec(HEAD + extra + 'x: "\\ud800"\n'))
    assert error.code == "LOAD006"
    assert error.line == 3 + bool(extra)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert load_document(path).version == "3.1.0"


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"], ids=["empty", "whitespace"])
def test_empty_file(write_spec: WriteSpec, text: str) -> None:
    assert load_error(write_spec(text)).code == "LOAD005"


def test_missing_file(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nope.yaml").code == "LOAD001"


def test_directory(tmp_path: Path) -> None:
    assert load_error(tmp_path).code == "LOAD002"


@pytest.mark.parametrize("max_bytes", [100_000_000_000, 2**70], ids=["100-GB", "past-64-bits"])
def test_a_huge_size_limit_allocates_only_the_file(write_spec: WriteSpec, max_bytes: int) -> None:
    """The read used to allocate the whole limit up front (MemoryError, or OverflowError)."""
    path = write_spec(HEAD + "paths: {}\n")
    assert load_document(path, LoadOptions(max_bytes=max_bytes)).version == "3.1.0"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_only_regular_files_are_read(device: str) -> None:
    """/dev/zero never ends; a FIFO would block the open (tests/cli/test_hostile.py has one)."""
    error = load_error(Path(device))
    assert error.code == "LOAD012"
    assert "is a character device, not a regular file" in error.message


def test_oversize_file_is_refused_before_reading(
    write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_spec(HEAD + "x: " + "a" * 1000 + "\n")

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    error = load_error(path, LoadOptions(max_bytes=100))
    assert error.code == "LOAD003"
    assert "100 bytes" in error.message


def test_multi_document_yaml(write_spec: WriteSpec) -> None:
    assert where(load_error(write_spec(HEAD + "---\nopenapi: 3.1.0\n"))) == ("LOAD011", 3, 1)


@pytest.mark.parametrize(
    ("text", "name", "line", "column"),
    [
        (HEAD + "paths:\n  a: b\n c: d\n", "a.yaml", 5, 2),
        (HEAD + "paths:\n  /a: [\n", "a.yaml", 5, 1),
        ('{"openapi": "3.1.0",\n "x": [1,]}', "a.json", 2, 10),
    ],
    ids=["yaml-indent", "yaml-unclosed", "json-trailing-comma"],
)
def test_syntax_errors(write_spec: WriteSpec, text: str, name: str, line: int, column: int) -> None:
    assert where(load_error(write_spec(text, name))) == ("LOAD006", line, column)


@pytest.mark.parametrize("name", ["pyproject.toml", "README.md", "notes.txt", "setup.cfg"])
def test_files_that_are_not_yaml_or_json_by_their_suffix(write_spec: WriteSpec, name: str) -> None:
    error = load_error(write_spec('[tool.x]\na = "b"\n', name))
    assert (error.code, error.line) == ("LOAD013", None)
    assert f"a .{name.rpartition('.')[2]} file is not YAML or JSON" in error.message


def test_a_parse_error_without_a_known_suffix_says_it_may_not_be_yaml(
    write_spec: WriteSpec,
) -> None:
    error = load_error(write_spec("a: b\n c: d\n", "spec.conf2"))
    assert error.code == "LOAD006"
    assert error.message.endswith(
        "(spec.conf2 has no .yaml, .yml or .json suffix: it may not be YAML or JSON)"
    )


def test_a_spec_without_a_known_suffix_still_loads(write_spec: WriteSpec) -> None:
    assert load_document(write_spec(HEAD, "openapi")).version == "3.1.0"


def test_root_must_be_a_mapping(write_spec: WriteSpec) -> None:
    assert load_error(write_spec("- a\n")).code == "LOAD009"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("swagger: '2.0'\ninfo: {}\n", "Swagger 2.0"),
        ("openapi: 3.3.0\n", "3.3.0"),
        ("info: {}\n", "no `openapi` field"),
        ("openapi: 3.1\n", "must be a string"),
    ],
    ids=["swagger", "3.3", "missing", "not-a-string"],
)
def test_unsupported_versions(write_spec: WriteSpec, text: str, fragment: str) -> None:
    error = load_error(write_spec(text))
    assert error.code == "LOAD010"
    assert fragment in error.message


@pytest.mark.parametrize("version", ["3.0.3", "3.1.1", "3.2.0"])
def test_supported_versions(write_spec: WriteSpec, version: str) -> None:
    assert load_document(write_spec(f"openapi: {version}\n")).version == version


def test_yaml_1_2_core_schema(write_spec: WriteSpec) -> None:
    doc = load_document(write_spec(HEAD + "x: [yes, on, no, off, 1e-08, 0x1f, ~, true]\n"))
    assert doc.data["x"] == ["yes", "on", "no", "off", 1e-08, 31, None, True]
    assert isinstance(doc.data["x"][4], float)


def test_wide_integer_takes_the_slow_path_exactly(write_spec: WriteSpec) -> None:
    """ryaml cannot represent integers past 64 bits; OpenAI's spec has `-9223372036854776000`."""
    text = HEAD + "seed:\n  minimum: -9223372036854776000\n  nullable: true\n  n: 1.5\n  s: '12'\n"
    doc = load_document(write_spec(text))
    assert doc.data["seed"] == {
        "minimum": -9223372036854776000,
        "nullable": True,
        "n": 1.5,
        "s": "12",
    }


@pytest.mark.parametrize("digits", [39, 60])
def test_integer_wider_than_128_bits_stays_exact(write_spec: WriteSpec, digits: int) -> None:
    """ryaml reads these as floats without an error; the loader must notice and keep them exact."""
    huge = "9" * digits
    doc = load_document(write_spec(HEAD + f"x: {huge}\ny: -{huge}\nz: 1e-08\n"))
    assert doc.data["x"] == int(huge) and isinstance(doc.data["x"], int)
    assert doc.data["y"] == -int(huge)
    assert doc.data["z"] == 1e-08


@pytest.mark.parametrize(
    ("text", "name", "line", "column"),
    [
        (
            '{"openapi": "3.1.0", "s": "' + "1" * 5000 + '",\n "x": -' + "9" * 100_000 + "}",
            "a.json",
            2,
            7,
        ),
        (HEAD + "s: '" + "1" * 5000 + "'\nx: " + "9" * 100_000 + "\n", "a.yaml", 4, 4),
        (HEAD + "wide: " + "9" * 40 + "\nx: [0x" + "f" * 4000 + "]\n", "a.yaml", 4, 5),
    ],
    ids=["json", "yaml", "yaml-hex"],
)
def test_integer_past_4300_digits_is_refused_at_its_position(
    write_spec: WriteSpec, text: str, name: str, line: int, column: int
) -> None:
    """CPython converts at most 4,300 digits between int and str; longer ones are refused."""
    error = load_error(write_spec(text, name))
    assert where(error) == ("LOAD008", line, column)
    assert "4300 digits" in error.message


@pytest.mark.parametrize("name", ["a.json", "a.yaml"])
def test_integer_of_4300_digits_stays_exact(write_spec: WriteSpec, name: str) -> None:
    huge = "9" * 4300
    text = f'{{"openapi": "3.1.0", "x": {huge}}}' if name == "a.json" else f"{HEAD}x: {huge}\n"
    assert load_document(write_spec(text, name)).data["x"] == int(huge)


@pytest.mark.skipif(
    not (CORPUS / "openai-openapi.yaml").exists(), reason="../shared/corpus is not present"
)
def test_openai_spec_loads_through_the_slow_path_with_types() -> None:
    doc = load_document(CORPUS / "openai-openapi.yaml")
    request = doc.data["components"]["schemas"]["CreateChatCompletionRequest"]
    seed = request["allOf"][1]["properties"]["seed"]
    assert seed["minimum"] == -9223372036854776000
    assert seed["nullable"] is True


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!custom 'touch {marker}'",
    ],
)
def test_unknown_tags_never_execute(write_spec: WriteSpec, tmp_path: Path, value: str) -> None:
    marker = tmp_path / "executed"
    for extra in ("", "wide: -9223372036854776000\n"):  # fast path, then slow path
        with contextlib.suppress(LoadError):
            load_document(write_spec(HEAD + extra + "x: " + value.format(marker=marker) + "\n"))
        assert not marker.exists()
