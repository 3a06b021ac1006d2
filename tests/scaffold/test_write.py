"""The writer on real folders: user work survives, stale output goes, a failure changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractgen.output import write
from contractgen.output.files import RenderedFile
from contractgen.output.write import MANIFEST, WriteError, WriteResult, summary, write_tree

Snapshot = dict[str, tuple[bytes | str, int]]


def _files(**overrides: str) -> list[RenderedFile]:
    """A small project: two generated modules in a package, a generated toml, one user file."""
    texts = {
        "pyproject.toml": "[project]\nname = 'chat'\n",
        "chat/app.py": "APP = 1\n",
        "chat/routes/chat.py": "ROUTE = 1\n",
        "chat/implementation.py": "class Implementation: ...\n",
    }
    texts.update(overrides)
    return [
        RenderedFile(path, text, "user" if path.endswith("implementation.py") else "generated")
        for path, text in texts.items()
    ]


def _snapshot(root: Path) -> Snapshot:
    """Bytes and mtime of every entry beside and under `root`, so stray staging folders show."""
    shot: Snapshot = {}
    for where in sorted(root.parent.rglob("*")):
        stat = where.lstat()
        if where.is_symlink():
            content: bytes | str = f"-> {where.readlink()}"
        elif where.is_dir():
            content = "<dir>"
        else:
            content = where.read_bytes()
        shot[str(where.relative_to(root.parent))] = (content, stat.st_mtime_ns)
    return shot


def _manifest(root: Path) -> dict[str, dict[str, str]]:
    files: dict[str, dict[str, str]] = json.loads((root / MANIFEST).read_text())["files"]
    return files


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "project" / "service"


def test_first_run_writes_every_file_and_the_manifest(out: Path) -> None:
    result = write_tree(out, _files())

    assert result.written == (
        "chat/app.py",
        "chat/implementation.py",
        "chat/routes/chat.py",
        "pyproject.toml",
    )
    assert (result.unchanged, result.kept, result.removed, result.conflicts) == ((), (), (), ())
    assert result.changed
    assert (out / "chat/routes/chat.py").read_text() == "ROUTE = 1\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["version"] == 1
    assert manifest["files"]["chat/app.py"]["owner"] == "generated"
    assert manifest["files"]["chat/implementation.py"]["owner"] == "user"
    assert len(manifest["files"]["chat/app.py"]["sha256"]) == 64
    raw = (out / MANIFEST).read_text()
    assert raw.endswith("}\n")
    assert raw == json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    assert [p.name for p in out.parent.iterdir()] == ["service"]  # staging folder gone


def test_second_identical_run_changes_nothing(out: Path) -> None:
    write_tree(out, _files())
    manifest = (out / MANIFEST).read_bytes()

    result = write_tree(out, _files())

    assert result.written == ()
    assert result.unchanged == ("chat/app.py", "chat/routes/chat.py", "pyproject.toml")
    assert result.kept == ("chat/implementation.py",)
    assert result.conflicts == ()
    assert not result.changed
    assert (out / MANIFEST).read_bytes() == manifest


def test_changed_generated_file_is_updated_when_the_user_left_it_alone(out: Path) -> None:
    write_tree(out, _files())

    result = write_tree(out, _files(**{"chat/app.py": "APP = 2\n"}))

    assert result.written == ("chat/app.py",)
    assert result.conflicts == ()
    assert (out / "chat/app.py").read_text() == "APP = 2\n"
    second = _manifest(out)["chat/app.py"]["sha256"]
    write_tree(out, _files(**{"chat/app.py": "APP = 3\n"}))
    assert (out / "chat/app.py").read_text() == "APP = 3\n"
    assert _manifest(out)["chat/app.py"]["sha256"] != second


def test_user_file_survives_reruns_and_force(out: Path) -> None:
    write_tree(out, _files())
    mine = "class Implementation:\n    def chat(self) -> str:\n        return 'mine'\n"
    (out / "chat/implementation.py").write_text(mine)

    for force in (False, True):
        result = write_tree(
            out, _files(**{"chat/implementation.py": "NEW TEMPLATE\n"}), force=force
        )
        assert result.kept == ("chat/implementation.py",)
        assert result.conflicts == ()
        assert (out / "chat/implementation.py").read_text() == mine


def test_user_file_is_created_again_when_deleted(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/implementation.py").unlink()

    assert write_tree(out, _files()).written == ("chat/implementation.py",)
    assert (out / "chat/implementation.py").exists()


def test_edited_generated_file_is_kept_as_a_conflict_until_forced(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/app.py").write_text("APP = 'edited'\n")

    for text in ("APP = 1\n", "APP = 2\n"):  # same template, then a newer one
        result = write_tree(out, _files(**{"chat/app.py": text}))
        assert result.kept == ("chat/app.py", "chat/implementation.py")
        assert result.conflicts == ("chat/app.py",)
        assert "chat/app.py" not in result.written
        assert (out / "chat/app.py").read_text() == "APP = 'edited'\n"
    assert summary(result) == "0 written, 2 unchanged, 2 kept, 0 removed; 1 conflict: chat/app.py"

    forced = write_tree(out, _files(**{"chat/app.py": "APP = 2\n"}), force=True)

    assert forced.written == ("chat/app.py",)
    assert forced.conflicts == ()
    assert (out / "chat/app.py").read_text() == "APP = 2\n"
    assert write_tree(out, _files(**{"chat/app.py": "APP = 2\n"})).conflicts == ()


def test_unmanaged_file_in_the_way_is_kept_until_forced(out: Path) -> None:
    (out / "chat").mkdir(parents=True)
    (out / "chat/app.py").write_text("# someone else's\n")

    result = write_tree(out, _files())

    assert result.conflicts == ("chat/app.py",)
    assert "chat/app.py" in result.kept
    assert (out / "chat/app.py").read_text() == "# someone else's\n"
    assert "chat/app.py" not in _manifest(out)
    assert write_tree(out, _files()).conflicts == ("chat/app.py",)  # still not ours

    assert write_tree(out, _files(), force=True).written == ("chat/app.py",)
    assert (out / "chat/app.py").read_text() == "APP = 1\n"


def test_unmanaged_file_with_the_planned_content_is_adopted(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "pyproject.toml").write_text("[project]\nname = 'chat'\n")

    result = write_tree(out, _files())

    assert result.unchanged == ("pyproject.toml",)
    assert result.conflicts == ()
    assert _manifest(out)["pyproject.toml"]["owner"] == "generated"


def test_generated_file_no_longer_planned_is_removed_with_its_empty_folder(out: Path) -> None:
    write_tree(out, _files())
    later = [f for f in _files() if f.path != "chat/routes/chat.py"]

    result = write_tree(out, later)

    assert result.removed == ("chat/routes/chat.py",)
    assert result.changed
    assert not (out / "chat/routes").exists()
    assert (out / "chat/app.py").exists()
    assert "chat/routes/chat.py" not in _manifest(out)
    assert summary(result) == "0 written, 2 unchanged, 1 kept, 1 removed"


def test_folder_with_other_files_stays_after_a_removal(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/routes/notes.txt").write_text("mine\n")
    later = [f for f in _files() if f.path != "chat/routes/chat.py"]

    assert write_tree(out, later).removed == ("chat/routes/chat.py",)
    assert (out / "chat/routes/notes.txt").read_text() == "mine\n"


def test_edited_file_no_longer_planned_is_kept_as_a_conflict(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/routes/chat.py").write_text("ROUTE = 'edited'\n")
    later = [f for f in _files() if f.path != "chat/routes/chat.py"]

    for _ in range(2):
        result = write_tree(out, later)
        assert result.removed == ()
        assert result.conflicts == ("chat/routes/chat.py",)
        assert "chat/routes/chat.py" in result.kept
        assert (out / "chat/routes/chat.py").read_text() == "ROUTE = 'edited'\n"

    assert write_tree(out, later, force=True).removed == ("chat/routes/chat.py",)
    assert not (out / "chat/routes").exists()


def test_user_file_no_longer_planned_is_left_alone(out: Path) -> None:
    write_tree(out, _files())
    later = [f for f in _files() if f.owner == "generated"]

    result = write_tree(out, later)

    assert result.removed == ()
    assert (out / "chat/implementation.py").exists()
    assert "chat/implementation.py" not in _manifest(out)


def test_a_removed_file_may_become_a_folder(out: Path) -> None:
    write_tree(out, [RenderedFile("chat/routes", "OLD\n", "generated")])

    result = write_tree(out, _files())

    assert result.removed == ("chat/routes",)
    assert (out / "chat/routes/chat.py").read_text() == "ROUTE = 1\n"


@pytest.mark.parametrize("mode", ["check", "dry_run"])
def test_check_and_dry_run_write_nothing(out: Path, mode: str) -> None:
    write_tree(out, _files())
    (out / "chat/app.py").write_text("APP = 'edited'\n")
    (out / "pyproject.toml").unlink()
    before = _snapshot(out)
    later = [f for f in _files(**{"chat/routes/chat.py": "ROUTE = 2\n"}) if f.path != "chat/app.py"]
    later.append(RenderedFile("chat/new.py", "NEW = 1\n", "generated"))

    result = write_tree(out, later, **{mode: True})

    assert _snapshot(out) == before
    assert result.written == ("chat/new.py", "chat/routes/chat.py", "pyproject.toml")
    assert result.conflicts == ("chat/app.py",)
    assert result.changed


def test_check_on_a_fresh_folder_creates_nothing(out: Path) -> None:
    result = write_tree(out, _files(), check=True)

    assert result.changed
    assert not out.exists()


def test_check_reports_no_change_when_current(out: Path) -> None:
    write_tree(out, _files())

    result = write_tree(out, _files(), check=True)

    assert not result.changed
    assert result.conflicts == ()


def test_failure_while_staging_leaves_the_tree_as_it_was(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(out, _files())
    (out / "chat/routes/chat.py").write_text("ROUTE = 'edited'\n")
    before = _snapshot(out)
    real_stage = write._stage
    calls: list[str] = []

    def failing_stage(staging: Path, path: str, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_stage(staging, path, data)

    monkeypatch.setattr(write, "_stage", failing_stage)
    newer = _files(**{"chat/app.py": "APP = 2\n", "pyproject.toml": "[project]\n"})

    with pytest.raises(OSError, match="disk full"):
        write_tree(out, newer, force=True)

    assert len(calls) == 2
    assert _snapshot(out) == before  # no staging folder left behind either


def test_failure_staging_into_a_fresh_folder_creates_nothing(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_stage(staging: Path, path: str, data: bytes) -> Path:
        raise OSError("read-only")

    monkeypatch.setattr(write, "_stage", failing_stage)
    with pytest.raises(OSError, match="read-only"):
        write_tree(out, _files())

    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_file_where_a_folder_must_be_is_refused_before_anything_changes(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/app.py").write_text("APP = 'edited'\n")
    (out / "docs").write_text("a file, not a folder\n")
    before = _snapshot(out)
    newer = [*_files(**{"pyproject.toml": "[project]\n"}), RenderedFile("docs/x.md", "x\n", "user")]

    with pytest.raises(WriteError, match="'docs' is a file"):
        write_tree(out, newer, force=True)

    assert _snapshot(out) == before


def test_folder_where_a_file_must_be_is_refused(out: Path) -> None:
    (out / "pyproject.toml").mkdir(parents=True)

    with pytest.raises(WriteError, match="a folder is in the way"):
        write_tree(out, _files(), force=True)


@pytest.mark.parametrize(
    "path",
    ["../x", "/etc/x", "a/../../x", "a\\b", "a/./b", "a//b", "a/", "", "a\0b", "C:/x", "..", "."],
)
def test_hostile_paths_are_refused_before_anything_changes(out: Path, path: str) -> None:
    write_tree(out, _files())
    before = _snapshot(out)

    with pytest.raises(WriteError, match=r"output path"):
        write_tree(out, [*_files(**{"chat/app.py": "APP = 2\n"}), RenderedFile(path, "x", "user")])

    assert _snapshot(out) == before
    assert not (out.parent / "x").exists()


def test_hostile_path_into_a_fresh_folder_creates_nothing(out: Path) -> None:
    with pytest.raises(WriteError):
        write_tree(out, [*_files(), RenderedFile("../x", "x", "generated")])

    assert not out.parent.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["a.py", "a.py"], "planned twice"),
        (["a", "a/b.py"], "inside planned file"),
        ([".contractgen/manifest.json"], "kept for contractgen"),
        ([".contractgen/other"], "kept for contractgen"),
    ],
)
def test_paths_that_clash_are_refused(out: Path, files: list[str], message: str) -> None:
    with pytest.raises(WriteError, match=message):
        write_tree(out, [RenderedFile(path, "x\n", "generated") for path in files])

    assert not out.parent.exists()


def test_symlink_leading_out_of_the_folder_is_refused(out: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out.mkdir(parents=True)
    (out / "chat").symlink_to(outside, target_is_directory=True)
    before = _snapshot(out)

    with pytest.raises(WriteError, match="symlink"):
        write_tree(out, _files(), force=True)

    assert list(outside.iterdir()) == []
    assert _snapshot(out) == before


def test_symlinked_file_leading_out_of_the_folder_is_refused(out: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("keep\n")
    write_tree(out, _files())
    (out / "pyproject.toml").unlink()
    (out / "pyproject.toml").symlink_to(secret)

    with pytest.raises(WriteError, match="symlink"):
        write_tree(out, _files(), force=True)

    assert secret.read_text() == "keep\n"


def test_symlinked_manifest_folder_leading_out_is_refused(out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir(parents=True)
    (out / ".contractgen").symlink_to(elsewhere, target_is_directory=True)

    with pytest.raises(WriteError, match="symlink"):
        write_tree(out, _files())

    assert list(elsewhere.iterdir()) == []


def test_symlink_inside_the_folder_is_followed(out: Path) -> None:
    (out / "real").mkdir(parents=True)
    (out / "chat").symlink_to(out / "real", target_is_directory=True)

    result = write_tree(out, _files())

    assert "chat/app.py" in result.written
    assert (out / "real/app.py").read_text() == "APP = 1\n"


def test_hostile_manifest_cannot_remove_files_outside(out: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (out / ".contractgen").mkdir(parents=True)
    entry = {"sha256": "0" * 64, "owner": "generated"}
    document = {"version": 1, "files": {"../../victim.txt": entry}}
    (out / MANIFEST).write_text(json.dumps(document))

    with pytest.raises(WriteError, match=r"manifest\.json lists '\.\./\.\./victim\.txt'"):
        write_tree(out, _files(), force=True)

    assert victim.read_text() == "keep\n"


@pytest.mark.parametrize("text", ["{not json", '{"version": 2, "files": {}}', '{"version": 1}'])
def test_unreadable_manifest_is_an_error_not_a_fresh_start(out: Path, text: str) -> None:
    (out / ".contractgen").mkdir(parents=True)
    (out / MANIFEST).write_text(text)

    with pytest.raises(WriteError, match="fix or delete it"):
        write_tree(out, _files())

    assert sorted(p.name for p in out.iterdir()) == [".contractgen"]


def test_output_that_is_a_file_is_refused(out: Path) -> None:
    out.parent.mkdir(parents=True)
    out.write_text("not a folder\n")

    with pytest.raises(WriteError, match="not a folder"):
        write_tree(out, _files())


def test_text_is_written_as_utf8_bytes_without_newline_translation(out: Path) -> None:
    write_tree(out, [RenderedFile("a.txt", "caf\u00e9\r\n\u2603\n", "generated")])

    assert (out / "a.txt").read_bytes() == "caf\u00e9\r\n\u2603\n".encode()


def test_summary_lists_every_conflict() -> None:
    result = WriteResult(
        written=("a",) * 12,
        unchanged=("b",) * 3,
        kept=("c", "d"),
        removed=(),
        conflicts=("c", "d"),
    )

    assert summary(result) == "12 written, 3 unchanged, 2 kept, 0 removed; 2 conflicts: c, d"


def test_edited_file_restored_by_the_user_is_updated_again(out: Path) -> None:
    write_tree(out, _files())
    (out / "chat/app.py").write_text("APP = 'edited'\n")
    assert write_tree(out, _files(**{"chat/app.py": "APP = 2\n"})).conflicts == ("chat/app.py",)
    (out / "chat/app.py").write_text("APP = 1\n")  # back to what contractgen wrote

    result = write_tree(out, _files(**{"chat/app.py": "APP = 2\n"}))

    assert result.written == ("chat/app.py",)
    assert result.conflicts == ()
    assert (out / "chat/app.py").read_text() == "APP = 2\n"


def test_removal_never_deletes_a_symlinked_folder(out: Path) -> None:
    (out / "real").mkdir(parents=True)
    (out / "chat").symlink_to(out / "real", target_is_directory=True)
    write_tree(out, [RenderedFile("chat/app.py", "APP = 1\n", "generated")])

    result = write_tree(out, [])

    assert result.removed == ("chat/app.py",)
    assert (out / "chat").is_symlink()
    assert list((out / "real").iterdir()) == []


def test_a_run_of_one_part_leaves_the_other_part_and_its_record(out: Path) -> None:
    everything = [*_files(), RenderedFile("client/api.py", "API = 1\n", "generated")]
    write_tree(out, everything)
    before = _manifest(out)
    client = [RenderedFile("client/api.py", "API = 2\n", "generated")]

    result = write_tree(out, client, manages=lambda path: path.startswith("client/"))

    assert result.written == ("client/api.py",)
    assert result.removed == ()
    assert (out / "chat/app.py").read_text() == "APP = 1\n"
    after = _manifest(out)
    assert set(after) == set(before)
    assert {p: e for p, e in after.items() if p != "client/api.py"} == {
        p: e for p, e in before.items() if p != "client/api.py"
    }
    # within the part it renders, a file no longer planned still goes
    gone = write_tree(out, [], manages=lambda path: path.startswith("client/"))
    assert gone.removed == ("client/api.py",)
    assert (out / "chat/app.py").exists() and "chat/app.py" in _manifest(out)
