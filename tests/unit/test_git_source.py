"""`REV:path` reads a spec and the files it references from one git revision, as guarded as files.

Every test builds a real repository in tmp_path and runs from inside it, as a user would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractgen.cli import app
from contractgen.errors import LoadError
from contractgen.load import revision
from contractgen.load.document import Document, LoadOptions, RefError, load_document
from contractgen.load.revision import load_input

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
CHAT = HEAD + "paths: {}\ncomponents:\n  schemas:\n    Chat: {$ref: 'common.yaml#/Message'}\n"
COMMON = "Message:\n  type: object\n  properties:\n    role: {$ref: 'parts/role.yaml'}\n"
ROLE = "type: string\nenum: [user, assistant]\n"


def git(repo: Path, *arguments: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    done = subprocess.run(
        [*command, *arguments], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit(repo: Path, files: dict[str, str], tag: str) -> None:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", tag)
    git(repo, "tag", tag)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository that is the current directory, under no other repository."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def chat(repo: Path) -> Path:
    """`v1` holds a three-file spec in `specs/`; the work tree has since changed and lost it."""
    commit(
        repo,
        {"specs/chat.yaml": CHAT, "specs/common.yaml": COMMON, "specs/parts/role.yaml": ROLE},
        "v1",
    )
    (repo / "specs" / "common.yaml").unlink()
    (repo / "specs" / "parts" / "role.yaml").write_text("type: integer\n")
    (repo / "specs" / "chat.yaml").write_text(CHAT.replace("paths: {}", "paths: {/new: {}}"))
    return repo


def load_error(argument: str, options: LoadOptions | None = None) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_input(argument, options)
    return caught.value


def resolve_error(document: Document, ref: str) -> RefError:
    with pytest.raises(RefError) as caught:
        document.resolve(ref, document.root.location())
    return caught.value


def test_a_spec_is_read_at_the_revision_not_from_the_work_tree(chat: Path) -> None:
    old = load_input("v1:specs/chat.yaml")
    assert old.root.display == "v1:specs/chat.yaml"
    assert old.data["paths"] == {}
    assert load_input("specs/chat.yaml").data["paths"] == {"/new": {}}


def test_relative_refs_resolve_at_the_revision(chat: Path) -> None:
    document = load_input("v1:specs/chat.yaml")
    message = document.resolve("common.yaml#/Message", document.root.location())
    assert message.location.file == "v1:specs/common.yaml"
    role = document.deref(message.value["properties"]["role"], message.location)
    assert role.location.file == "v1:specs/parts/role.yaml"
    assert role.value == {"type": "string", "enum": ["user", "assistant"]}


def test_a_branch_name_with_slashes_is_a_revision(chat: Path) -> None:
    git(chat, "branch", "release/2024")
    assert load_input("release/2024:specs/chat.yaml").root.display == "release/2024:specs/chat.yaml"


def test_the_same_spec_loads_the_same_from_git_and_from_a_file(chat: Path) -> None:
    git(chat, "checkout", "-q", "v1", "--", ".")
    from_file = load_document(Path("specs/chat.yaml"))
    from_git = load_input("v1:specs/chat.yaml")
    assert from_git.data == from_file.data
    assert from_git.root.text == from_file.root.text


@pytest.mark.parametrize("spelled", ["./chat.yaml", "../specs/chat.yaml"])
def test_a_dot_path_is_relative_to_the_current_directory(
    chat: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    monkeypatch.chdir(chat / "specs")
    document = load_input(f"v1:{spelled}")
    assert document.root.display == "v1:specs/chat.yaml"
    assert document.resolve("common.yaml#/Message", document.root.location()).value


def test_a_plain_path_is_from_the_top_even_in_a_subdirectory(
    chat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(chat / "specs")
    assert load_input("v1:specs/chat.yaml").root.display == "v1:specs/chat.yaml"


def test_a_path_out_of_the_repository_is_refused(chat: Path) -> None:
    assert load_error("v1:../elsewhere.yaml").code == "LOAD014"


def test_an_existing_file_named_like_a_revision_wins(chat: Path) -> None:
    write(chat, {"v1:specs/chat.yaml": HEAD + "paths: {/on-disk: {}}\n"})
    assert load_input("v1:specs/chat.yaml").data["paths"] == {"/on-disk": {}}


def test_a_colon_in_the_path_splits_at_the_first_revision(repo: Path) -> None:
    commit(repo, {"specs/a:b.yaml": HEAD + "paths: {}\n"}, "v1")
    assert load_input("v1:specs/a:b.yaml").root.display == "v1:specs/a:b.yaml"


@pytest.mark.parametrize(
    ("argument", "code"),
    [
        ("v1:specs/gone.yaml", "LOAD001"),
        ("v1:nowhere/chat.yaml", "LOAD001"),
        ("v1:specs", "LOAD002"),
        ("v1:", "LOAD002"),
        ("v9:specs/chat.yaml", "LOAD014"),
        ("-v1:specs/chat.yaml", "LOAD014"),
    ],
    ids=["missing-file", "missing-folder", "folder", "top", "unknown-revision", "option"],
)
def test_what_a_revision_does_not_hold(chat: Path, argument: str, code: str) -> None:
    error = load_error(argument)
    assert (error.code, error.file) == (code, argument)


def test_an_unknown_revision_is_named(chat: Path) -> None:
    assert "'v9' is not a commit" in load_error("v9:specs/chat.yaml").message


def test_a_symlink_blob_is_refused(repo: Path) -> None:
    commit(repo, {"specs/real.yaml": CHAT}, "v0")
    (repo / "specs" / "link.yaml").symlink_to("real.yaml")
    commit(repo, {"specs/chat.yaml": CHAT.replace("common.yaml", "link.yaml")}, "v1")
    error = load_error("v1:specs/link.yaml")
    assert (error.code, error.file) == ("LOAD012", "v1:specs/link.yaml")
    assert "symbolic link" in error.message
    document = load_input("v1:specs/chat.yaml")
    assert "LOAD012" in resolve_error(document, "link.yaml#/Message").message


def test_a_submodule_is_refused(repo: Path) -> None:
    commit(repo, {"specs/chat.yaml": CHAT}, "v0")
    other = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{other},specs/sub.yaml")
    git(repo, "commit", "-q", "-m", "sub")
    git(repo, "tag", "v1")
    error = load_error("v1:specs/sub.yaml")
    assert (error.code, error.file) == ("LOAD012", "v1:specs/sub.yaml")
    assert "submodule" in error.message


def test_an_oversized_blob_is_refused_before_it_is_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = COMMON + "#" * len(CHAT) + "\n"
    commit(repo, {"specs/chat.yaml": CHAT, "specs/common.yaml": big}, "v1")
    chat, common = (
        git(repo, "rev-parse", f"v1:specs/{name}") for name in ("chat.yaml", "common.yaml")
    )
    read: list[str] = []
    contents = revision._Objects.contents

    def counted(objects: revision._Objects, oid: str, display: str, **size: int) -> bytes:
        read.append(oid)
        return contents(objects, oid, display, **size)

    monkeypatch.setattr(revision._Objects, "contents", counted)
    error = load_error("v1:specs/chat.yaml", LoadOptions(max_bytes=len(CHAT) - 1))
    assert (error.code, error.file) == ("LOAD003", "v1:specs/chat.yaml")
    assert chat not in read
    document = load_input("v1:specs/chat.yaml", LoadOptions(max_bytes=len(CHAT)))
    assert chat in read
    assert "LOAD003" in resolve_error(document, "common.yaml#/Message").message
    assert common not in read


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"openapi: 3.1.0\ninfo: \xff\n", "LOAD004"),
        (b"  \n", "LOAD005"),
        (b"x: " + b"[" * 1000 + b"]" * 1000 + b"\n", "LOAD008"),
        (b"- a\n", "LOAD009"),
        (b"swagger: '2.0'\n", "LOAD010"),
    ],
    ids=["not-utf8", "empty", "deep", "not-a-mapping", "swagger"],
)
def test_blob_text_gets_the_file_guards(repo: Path, text: bytes, code: str) -> None:
    (repo / "spec.yaml").write_bytes(text)
    commit(repo, {}, "v1")
    (repo / "spec.yaml").unlink()
    error = load_error("v1:spec.yaml")
    assert (error.code, error.file) == (code, "v1:spec.yaml")


def test_a_ref_out_of_the_spec_folder_is_refused(repo: Path) -> None:
    shared = {"shared/common.yaml": COMMON.replace("parts/role.yaml", "role.yaml")}
    spec = {"specs/chat.yaml": CHAT.replace("common.yaml", "../shared/common.yaml")}
    commit(repo, {**spec, **shared, "shared/role.yaml": ROLE}, "v1")
    refused = resolve_error(load_input("v1:specs/chat.yaml"), "../shared/common.yaml#/Message")
    assert refused.kind == "outside"
    assert "leaves the spec's folder v1:specs " in refused.message
    allowed = load_input("v1:specs/chat.yaml", LoadOptions(allow_external_refs=True))
    found = allowed.resolve("../shared/common.yaml#/Message", allowed.root.location())
    assert found.location.file == "v1:shared/common.yaml"


def test_a_ref_never_leaves_the_repository(repo: Path) -> None:
    (repo.parent / "outside.yaml").write_text(COMMON)
    commit(repo, {"chat.yaml": CHAT.replace("common.yaml", "../outside.yaml")}, "v1")
    document = load_input("v1:chat.yaml", LoadOptions(allow_external_refs=True))
    refused = resolve_error(document, "../outside.yaml#/Message")
    assert refused.kind == "outside"
    assert "leaves the git repository" in refused.message
    assert "leaves the git repository" in resolve_error(document, "/etc/hosts").message


@pytest.mark.parametrize("ref", ["a\x00b/c.yaml#/X", "c\x00.yaml#/X"], ids=["folder", "name"])
def test_a_nul_in_a_file_name_is_a_reference_error(chat: Path, ref: str) -> None:
    assert resolve_error(load_input("v1:specs/chat.yaml"), ref).kind == "load"


def test_a_ref_back_to_the_root_is_the_root(chat: Path) -> None:
    commit(chat, {"specs/common.yaml": "Back: {$ref: 'chat.yaml#/info'}\n"}, "v2")
    document = load_input("v2:specs/chat.yaml")
    back = document.resolve("common.yaml#/Back", document.root.location())
    assert back.location.file == "v2:specs/chat.yaml"
    assert len(document.files) == 2


def test_no_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    error = load_error("HEAD:chat.yaml")
    assert (error.code, error.file) == ("LOAD014", "HEAD:chat.yaml")
    assert "not in a git work tree" in error.message


def test_no_git(chat: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(chat / "no-such-folder"))
    error = load_error("v1:specs/chat.yaml")
    assert (error.code, error.file) == ("LOAD014", "v1:specs/chat.yaml")
    assert "git" in error.message


def test_a_missing_file_without_a_colon_is_still_a_file_error(chat: Path) -> None:
    assert load_error("specs/gone.yaml").code == "LOAD001"


def test_git_never_reaches_the_network(
    chat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partial clone without its blobs: the read fails, it does not fetch them."""
    git(chat, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{chat}", clone],
        check=True,
        capture_output=True,
    )
    monkeypatch.chdir(clone)
    error = load_error("origin/HEAD:specs/chat.yaml")
    assert (error.code, error.file) == ("LOAD012", "origin/HEAD:specs/chat.yaml")


def test_validate_reads_a_revision(chat: Path) -> None:
    """The work tree lost `common.yaml`; the revision still has it."""
    runner = CliRunner()
    now = runner.invoke(app, ["validate", "specs/chat.yaml"])
    assert (now.exit_code, "OAS002" in now.stdout) == (1, True)
    assert runner.invoke(app, ["validate", "v1:specs/chat.yaml"]).exit_code == 0
    gone = runner.invoke(app, ["validate", "v1:specs/gone.yaml"])
    assert gone.exit_code == 2
    assert "v1:specs/gone.yaml: LOAD001" in gone.stderr


def test_references_into_folders_the_revision_lacks_ask_git_nothing(
    chat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each folder is listed once, so a spec full of such references cannot cost a git call each."""
    document = load_input("v1:specs/chat.yaml")
    asked: list[str] = []
    ask = revision._Objects._ask

    def counted(objects: revision._Objects, command: str, display: str) -> tuple[str, str, int]:
        asked.append(command)
        return ask(objects, command, display)

    monkeypatch.setattr(revision._Objects, "_ask", counted)
    for number in range(100):
        assert resolve_error(document, f"missing{number}/x.yaml#/X").kind == "load"
    assert "LOAD001" in resolve_error(document, "deep/" * 5000 + "x.yaml#/X").message
    assert asked == []


def test_a_symlinked_folder_is_not_followed(repo: Path) -> None:
    commit(repo, {"specs/chat.yaml": CHAT, "real/common.yaml": COMMON}, "v0")
    (repo / "specs" / "linked").symlink_to("../real")
    commit(repo, {}, "v1")
    document = load_input("v1:specs/chat.yaml")
    assert "LOAD001" in resolve_error(document, "linked/common.yaml#/Message").message
