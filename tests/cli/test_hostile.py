"""Hostile inputs through the real command: each is refused with its exact code, no traceback.

Every case runs the installed `contractgen` in a child process, so a crash, a hang or a memory
blow-up shows as what a CI job would see.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Run, contractgen_command, run_contractgen

MiB = 1024 * 1024

OK = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n'
OK_JSON = '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
BILLION_LAUGHS = "openapi: 3.1.0\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" if n else 'l0: &l0 ["lol"]\n'
    for n in range(10)
)

REFS = """\
openapi: 3.1.0
info: {title: refs, version: "1"}
paths:
  /secret:
    get:
      operationId: getSecret
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: ../../../../../../../../etc/passwd
  /remote:
    get:
      operationId: getRemote
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: http://169.254.169.254/latest/meta-data
"""


def _refused(run: Run, code: str, where: str) -> None:
    """Exit 2, one line `where: CODE message` on stderr, no traceback.

    `where` is `file` or `file:line:col`; `\\d+` in it stands for any number.
    """
    assert run.exit_code == 2, run.stderr
    assert "Traceback" not in run.stderr
    pattern = re.escape(where).replace(re.escape("\\d+"), r"\d+")
    assert re.fullmatch(rf"{pattern}: {code} \S[^\n]*\n", run.stderr), run.stderr


def test_missing_file(tmp_path: Path) -> None:
    _refused(run_contractgen("validate", "nope.yaml", cwd=tmp_path), "LOAD001", "nope.yaml")


def test_directory_without_specs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _refused(run_contractgen("validate", "empty", cwd=tmp_path), "USAGE001", "empty")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("  \n")
    _refused(run_contractgen("validate", "empty.yaml", cwd=tmp_path), "LOAD005", "empty.yaml")


def test_non_utf8_bytes(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"openapi: 3.1.0\ninfo:\n  title: caf\xe9\n")
    run = run_contractgen("validate", "latin1.yaml", cwd=tmp_path)
    _refused(run, "LOAD004", "latin1.yaml:3:13")


def test_hundred_megabyte_file_is_refused_by_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 100 MiB on paper, nothing written
        handle.write(b"openapi: 3.1.0\n")
        handle.truncate(100 * MiB)
    run = run_contractgen("validate", "big.yaml", cwd=tmp_path)
    _refused(run, "LOAD003", "big.yaml")
    assert "100.0 MiB, over the 64.0 MiB limit" in run.stderr
    assert run.seconds < 20
    assert run.max_rss_bytes < 300 * MiB  # it was never read into memory


def test_max_file_size_option(tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text("openapi: 3.1.0\n" + "# padding\n" * 200)
    run = run_contractgen("validate", "small.yaml", "--max-file-size", "1000", cwd=tmp_path)
    _refused(run, "LOAD003", "small.yaml")


@pytest.mark.parametrize("limit", ["100000000000", str(2**70)])
def test_huge_max_file_size(tmp_path: Path, limit: str) -> None:
    (tmp_path / "ok.yaml").write_text(OK)
    run = run_contractgen("validate", "ok.yaml", "--max-file-size", limit, cwd=tmp_path)
    assert (run.exit_code, run.stderr) == (0, "")


# --- only regular files are read: a FIFO would block the open, /dev/zero never ends ---------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_fifo_as_spec(tmp_path: Path, fifo: Path) -> None:
    run = run_contractgen("validate", fifo.name, cwd=tmp_path, timeout=30)
    _refused(run, "LOAD012", "pipe.yaml")
    assert "is a named pipe (FIFO), not a regular file" in run.stderr


def test_device_as_spec(tmp_path: Path) -> None:
    run = run_contractgen("validate", "/dev/zero", cwd=tmp_path, timeout=30)
    _refused(run, "LOAD012", "/dev/zero")
    assert "is a character device" in run.stderr


def test_stdin_pipe_as_spec(tmp_path: Path) -> None:
    """/dev/stdin is checked as what it is (here a pipe nobody writes to), not by its target."""
    process = subprocess.run(
        [*contractgen_command(), "validate", "/dev/stdin"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert process.returncode == 2
    assert process.stderr == (
        "/dev/stdin: LOAD012 is a named pipe (FIFO), not a regular file; "
        "only regular files are read\n"
    )


def test_fifo_as_ref_target(tmp_path: Path, fifo: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(
        OK + "components:\n  schemas:\n    A: {$ref: pipe.yaml}\n"
    )
    run = run_contractgen("validate", "openapi.yaml", "-f", "github", cwd=tmp_path, timeout=30)
    assert run.exit_code == 1, run.stderr
    assert "cannot be loaded: pipe.yaml: LOAD012 is a named pipe" in run.stdout


@pytest.mark.parametrize(("option", "code"), [("--baseline", "USAGE003"), ("--config", "USAGE002")])
def test_fifo_as_baseline_or_configuration(
    tmp_path: Path, fifo: Path, option: str, code: str
) -> None:
    (tmp_path / "ok.yaml").write_text(OK)
    run = run_contractgen("validate", "ok.yaml", option, fifo.name, cwd=tmp_path, timeout=30)
    _refused(run, code, "pipe.yaml")
    assert ": is a named pipe (FIFO), not a regular file" in run.stderr


def test_special_files_met_in_a_folder_are_skipped(tmp_path: Path, fifo: Path) -> None:
    (tmp_path / "ok.yaml").write_text(OK)
    run = run_contractgen("validate", ".", cwd=tmp_path, timeout=30)
    assert (run.exit_code, run.stderr) == (0, "")
    assert "in 1 file" in run.stdout


# --- symlinks: loops, and links out of a searched folder ---------------------------------


def test_symlink_loop_as_path(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    run = run_contractgen("validate", "a.yaml", cwd=tmp_path)
    _refused(run, "LOAD012", "a.yaml")
    assert "Too many levels of symbolic links" in run.stderr


def test_symlink_loop_met_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "ok.yaml").write_text(OK)
    (tmp_path / "specs" / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "specs" / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "specs" / "self").symlink_to(".")
    run = run_contractgen("validate", "specs", cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "specs/a.yaml: LOAD012 cannot read file: Too many levels of symbolic links",
        "specs/b.yaml: LOAD012 cannot read file: Too many levels of symbolic links",
    ]


def test_folder_search_stays_inside_the_folder(tmp_path: Path) -> None:
    """A symlink to a file or folder outside is not followed (nor is /dev/zero read)."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "other.yaml").write_text(OK)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "ok.yaml").write_text(OK)
    (tmp_path / "specs" / "other.yaml").symlink_to(tmp_path / "elsewhere" / "other.yaml")
    (tmp_path / "specs" / "elsewhere").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "specs" / "zero.yaml").symlink_to("/dev/zero")
    run = run_contractgen("validate", "specs", "-f", "json", cwd=tmp_path, timeout=30)
    assert (run.exit_code, run.stderr) == (0, "")
    assert json.loads(run.stdout)["summary"]["files"] == 1  # only specs/ok.yaml


def test_recursive_glob_does_not_follow_symlinked_folders(tmp_path: Path) -> None:
    """Two links back up made the glob branch twice per level: it never ended."""
    (tmp_path / "specs" / "v1").mkdir(parents=True)
    (tmp_path / "specs" / "v1" / "ok.yaml").write_text(OK)
    (tmp_path / "specs" / "v1" / "up").symlink_to("..")
    (tmp_path / "specs" / "v1" / "top").symlink_to(tmp_path)
    run = run_contractgen("validate", "**/*.yaml", "-f", "json", cwd=tmp_path, timeout=60)
    assert (run.exit_code, run.stderr) == (0, "")
    assert json.loads(run.stdout)["summary"]["files"] == 1


def test_billion_laughs(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS)
    run = run_contractgen("validate", "bomb.yaml", cwd=tmp_path, timeout=60)
    _refused(run, "LOAD008", "bomb.yaml:\\d+:\\d+")  # at the alias that overflows
    assert run.seconds < 20
    assert run.max_rss_bytes < 300 * MiB


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (BILLION_LAUGHS.replace("\n", "\nwide: -9223372036854776000\n", 1), "bomb.yaml:4:10"),
        ("openapi: 3.1.0\nwide: 18446744073709551616\nb: &x [1, *x]\n", "bomb.yaml:3:4"),
    ],
    ids=["billion-laughs", "self-reference"],
)
def test_alias_bomb_on_the_exact_integer_path(tmp_path: Path, text: str, where: str) -> None:
    """A wide integer sends the file to PyYAML, which shares aliases; the walks expanded them."""
    (tmp_path / "bomb.yaml").write_text(text)
    run = run_contractgen("validate", "bomb.yaml", cwd=tmp_path, timeout=60)
    _refused(run, "LOAD008", where)
    assert run.max_rss_bytes < 300 * MiB


def test_billion_laughs_in_configuration(tmp_path: Path) -> None:
    """Its positions used to be collected by a walk that expanded every alias."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".contractgen.yaml").write_text(BILLION_LAUGHS.replace("openapi: 3.1.0\n", ""))
    (tmp_path / "ok.yaml").write_text(OK)
    run = run_contractgen("validate", "ok.yaml", cwd=tmp_path, timeout=60)
    _refused(run, "USAGE002", ".contractgen.yaml:\\d+:\\d+")
    assert "alias" in run.stderr


DEEP = {
    "deep.yaml": "[" * 100_000,
    "deep.json": "[" * 100_000,
    # issue 5: 35-38 s with PyYAML 6.0.4 before the depth gate stopped asking PyYAML
    "balanced.yaml": "openapi: 3.1.0\nx: " + "[" * 100_000 + "]" * 100_000 + "\n",
}


@pytest.mark.parametrize("name", DEEP)
def test_deep_nesting(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(DEEP[name])
    run = run_contractgen("validate", name, cwd=tmp_path, timeout=60)
    _refused(run, "LOAD008", f"{name}:\\d+:\\d+")
    assert run.seconds < 20


def test_long_run_of_spaces_on_one_line(tmp_path: Path) -> None:
    """Locating /tags/0 asks whether the item is a mapping: the key pattern was quadratic there."""
    text = OK + "tags:\n- a" + " " * 300_000 + "b\n"
    (tmp_path / "spaces.yaml").write_text(text)
    run = run_contractgen("validate", "spaces.yaml", "-f", "github", cwd=tmp_path, timeout=60)
    assert run.exit_code == 1, run.stderr
    assert "file=spaces.yaml,line=5,col=3," in run.stdout  # OAS001: a tag is an object


BACKTRACKING = "a" * 40 + "!"  # against ^(a+)+$: 2^40 steps for a backtracking engine
PATTERNS = f"""\
openapi: 3.1.0
info: {{title: t, version: "1"}}
paths: {{}}
components:
  schemas:
    Pattern: {{type: string, pattern: "^(a+)+$", example: "{BACKTRACKING}"}}
    Keys:
      patternProperties: {{"^(a+)+$": {{type: integer}}}}
      additionalProperties: false
      example: {{"{BACKTRACKING}": 1}}
    Unevaluated:
      patternProperties: {{"^(a+)+$": {{type: integer}}}}
      unevaluatedProperties: false
      example: {{"{BACKTRACKING}": 1}}
"""


def test_backtracking_patterns_against_examples(tmp_path: Path) -> None:
    """EX001 explains with python-jsonschema, whose `re` took exponential time here."""
    (tmp_path / "patterns.yaml").write_text(PATTERNS)
    run = run_contractgen("validate", "patterns.yaml", "-f", "github", cwd=tmp_path, timeout=60)
    assert run.exit_code == 1, run.stderr
    lines = [line for line in run.stdout.splitlines() if "title=EX001" in line]
    assert [line.split(",")[1] for line in lines] == ["line=6", "line=10", "line=14"]


def test_unique_items_over_twenty_thousand_objects(tmp_path: Path) -> None:
    """python-jsonschema compares every pair of objects: 2,000 took 24 s, 20,000 hours."""
    items = [{"id": i} for i in range(20_000)] + [{"id": "last"}]  # a wrong type: EX001 explains
    schema = {
        "type": "array",
        "uniqueItems": True,
        "items": {"properties": {"id": {"type": "integer"}}},
    }
    document = json.loads(OK_JSON)
    document["components"] = {"schemas": {"Ids": {**schema, "example": items}}}
    (tmp_path / "unique.json").write_text(json.dumps(document))
    run = run_contractgen("validate", "unique.json", "-f", "json", cwd=tmp_path, timeout=60)
    assert run.exit_code == 1, run.stderr
    [finding] = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "EX001" and "/20000/id" in finding["message"]


def test_one_finding_in_a_big_single_line_json(tmp_path: Path) -> None:
    """tree-sitter kept a node per number: 690 MiB for these 5 MB (3.5 GB for 50 MB)."""
    numbers = ",".join(["1"] * 2_500_000)
    text = OK_JSON[:-1] + ', "unknown": 1, "x-data": [' + numbers + "]}"
    (tmp_path / "big.json").write_text(text)
    run = run_contractgen("validate", "big.json", "-f", "github", cwd=tmp_path, timeout=60)
    assert run.exit_code == 1, run.stderr
    assert f"file=big.json,line=1,col={text.index('unknown')}," in run.stdout
    assert run.max_rss_bytes < 400 * MiB


def test_twenty_thousand_ids(tmp_path: Path) -> None:
    """Each relative `$ref` looked up its base URI by scanning every `$id`: minutes, not seconds."""
    count = 20_000
    schemas = {
        f"S{i}": {"$id": f"https://example.com/s{i}", "properties": {"n": {"$ref": f"s{i - 1}"}}}
        for i in range(count)
    }
    document = json.loads(OK_JSON)
    document["components"] = {"schemas": schemas}
    (tmp_path / "ids.json").write_text(json.dumps(document))
    run = run_contractgen("validate", "ids.json", "-f", "json", cwd=tmp_path, timeout=120)
    assert (run.exit_code, run.stderr) == (1, "")
    assert json.loads(run.stdout)["summary"]["errors"] == 1  # `s-1` names nothing (OAS002)


@pytest.mark.parametrize(
    ("second", "where"),
    [("info: {title: u}", "dup.yaml:4:1"), ("True: 1\ntrue: 2", "dup.yaml:5:1")],
    ids=["same-text", "same-boolean"],
)
def test_duplicate_keys(tmp_path: Path, second: str, where: str) -> None:
    (tmp_path / "dup.yaml").write_text(
        f'openapi: 3.1.0\ninfo: {{title: t, version: "1"}}\npaths: {{}}\n{second}\n'
    )
    _refused(run_contractgen("validate", "dup.yaml", cwd=tmp_path), "LOAD007", where)


def test_pyproject_toml_as_spec(tmp_path: Path) -> None:
    """It was read as YAML, which said LOAD011 (more than one YAML document)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.contractgen]\n')
    run = run_contractgen("validate", "pyproject.toml", cwd=tmp_path)
    _refused(run, "LOAD013", "pyproject.toml")
    assert "a .toml file is not YAML or JSON" in run.stderr


def test_swagger_2(tmp_path: Path) -> None:
    (tmp_path / "swagger.yaml").write_text('swagger: "2.0"\ninfo: {title: t, version: "1"}\n')
    run = run_contractgen("validate", "swagger.yaml", cwd=tmp_path)
    _refused(run, "LOAD010", "swagger.yaml:1:1")
    assert "Swagger 2.0 is not supported" in run.stderr


def test_openapi_3_3(tmp_path: Path) -> None:
    (tmp_path / "future.yaml").write_text('info: {title: t, version: "1"}\nopenapi: 3.3.0\n')
    run = run_contractgen("validate", "future.yaml", cwd=tmp_path)
    _refused(run, "LOAD010", "future.yaml:2:1")
    assert "unsupported OpenAPI version 3.3.0" in run.stderr


def test_refs_outside_the_folder_and_to_urls_are_findings(tmp_path: Path) -> None:
    """Neither /etc/passwd nor the URL is read: both are findings (exit 1), not load errors."""
    spec_dir = tmp_path / "a" / "b"
    spec_dir.mkdir(parents=True)
    (spec_dir / "refs.yaml").write_text(REFS)
    run = run_contractgen("validate", "a/b/refs.yaml", "-f", "github", cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "root:" not in run.stdout  # no line of /etc/passwd leaked into a message
    outside = [line for line in run.stdout.splitlines() if "etc/passwd" in line]
    remote = [line for line in run.stdout.splitlines() if "169.254.169.254" in line]
    assert len(outside) == 1 and "leaves the spec's folder" in outside[0]
    assert len(remote) == 1 and "never fetches remote references" in remote[0]
    assert "file=a/b/refs.yaml,line=12," in outside[0]
    assert "file=a/b/refs.yaml,line=22," in remote[0]


def test_bad_files_do_not_stop_good_ones(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "ok.yaml").write_text('openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n')
    run = run_contractgen("validate", "empty.yaml", "ok.yaml", "nope.yaml", "-j", "2", cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "empty.yaml: LOAD005 file is empty",
        "nope.yaml: LOAD001 file not found",
    ]
    assert "2 files could not be loaded" in run.stdout
