"""Glob expansion: glob.glob's matching, without entering symlinked folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgen.validate.inputs import expand_glob

FILES = ["x.yaml", "a/y.yaml", "a/b/z.yaml", "a/b/z.json", ".hidden/h.yaml", "node_modules/n.yaml"]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("openapi: 3.1.0\n")
    (tmp_path / "a" / "b" / "up").symlink_to("..")  # a loop
    (tmp_path / "a" / "root").symlink_to(tmp_path)  # another
    (tmp_path / "a" / "link.yaml").symlink_to(tmp_path / "x.yaml")  # a file link is a file
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.yaml", ["x.yaml"]),
        ("**/*.yaml", ["a/b/z.yaml", "a/link.yaml", "a/y.yaml", "x.yaml"]),
        ("a/**/*.yaml", ["a/b/z.yaml", "a/link.yaml", "a/y.yaml"]),
        ("a/**/b/*.json", ["a/b/z.json"]),
        ("a/*/z.*", ["a/b/z.json", "a/b/z.yaml"]),
        ("a/**", ["a/b/z.json", "a/b/z.yaml", "a/link.yaml", "a/y.yaml"]),
        ("*/*.yaml", ["a/link.yaml", "a/y.yaml"]),
        ("?.yaml", ["x.yaml"]),
        ("[xy].yaml", ["x.yaml"]),
        (".*/*.yaml", [".hidden/h.yaml"]),
        (".hidden/*.yaml", [".hidden/h.yaml"]),
        ("node_modules/*.yaml", ["node_modules/n.yaml"]),
        ("a/b/up/*.yaml", ["a/b/up/link.yaml", "a/b/up/y.yaml"]),  # a link written out is followed
        ("a/*/*.yaml", ["a/b/z.yaml"]),  # a wildcard does not follow a/root or a/b/up
        ("nope/*.yaml", []),
    ],
)
def test_glob_matches_like_glob_without_following_folder_links(
    tree: Path, pattern: str, expected: list[str]
) -> None:
    assert [path.as_posix() for path in expand_glob(pattern)] == expected


def test_absolute_pattern(tree: Path) -> None:
    assert expand_glob(f"{tree}/**/z.yaml") == [tree / "a" / "b" / "z.yaml"]


def test_special_files_are_not_matched(tree: Path) -> None:
    (tree / "a" / "zero.yaml").symlink_to("/dev/zero")
    (tree / "a" / "loop.yaml").symlink_to("loop.yaml")
    assert [path.name for path in expand_glob("a/*.yaml")] == ["link.yaml", "y.yaml"]
