"""The tree itself: no merge left half done."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(rb"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def test_no_file_holds_a_merge_conflict_marker() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    conflicted = [
        name.decode()
        for name in listed
        if name
        and (ROOT / name.decode()).is_file()
        and MARKER.search((ROOT / name.decode()).read_bytes())
    ]
    assert conflicted == []
