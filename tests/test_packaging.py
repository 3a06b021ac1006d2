"""What the distribution declares matches what it ships."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_the_license_file_matches_the_declared_license() -> None:
    """`license = "MIT"` with the MIT text beside it; hatchling ships LICEN[CS]E* by default.

    The wheel itself was checked by hand (`pip wheel --no-deps -w DIR .`: the file lands in
    `contractgen-*.dist-info/licenses/LICENSE`, METADATA says `License-File: LICENSE`);
    building one here would cost about 15 s of every run.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert "license-files" not in project  # the default globs, which include LICENSE
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert f"Copyright (c) 2026 {project['authors'][0]['name']}\n" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text
