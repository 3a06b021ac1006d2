"""The files the command line names: files as given, folders searched, globs expanded.

Neither a folder search nor a glob enters a symlinked folder: a link loop, or `/proc/self/root`
under `'/**/*.json'`, would never end. A folder search also stays inside its folder: a file
that is a symlink to somewhere outside is not read. FIFOs and devices are skipped unopened, and
a file is scanned for its root marker up to the size limit at most.
"""

from __future__ import annotations

import os
import re
import stat
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from contractgen.errors import LoadError, UsageError
from contractgen.load.document import SPEC_SUFFIXES
from contractgen.load.source import open_regular

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

#: Folders never searched: tool caches and dependency trees hold no contracts of ours.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv"})
_GLOB_CHARS = re.compile(r"[*?\[]")
#: A top-level `openapi:`/`swagger:` key in YAML, or an `"openapi": "..."` member in JSON.
_ROOT_MARKER = re.compile(
    rb"""^["']?(?:openapi|swagger)["']?[ \t]*:|"(?:openapi|swagger)"\s*:\s*["\d]""", re.MULTILINE
)
_SCAN_CHUNK = 1024 * 1024


def expand_inputs(arguments: Sequence[str], *, max_bytes: int) -> list[Path]:
    """The files the arguments name: files as given, folders searched, globs expanded.

    A file that does not exist is kept, so the loader reports it (LOAD001) beside the others.
    A folder or glob that yields no file is a usage error (USAGE001).
    """
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = find_specs(path, max_bytes=max_bytes)
            if not found:
                raise UsageError(
                    "USAGE001",
                    "folder holds no OpenAPI document (*.yaml, *.yml or *.json with a top-level "
                    "`openapi` key)",
                    argument,
                )
            paths.extend(found)
        elif not path.exists() and _GLOB_CHARS.search(argument):
            files = expand_glob(argument)
            if not files:
                raise UsageError("USAGE001", "no file matches this pattern", argument)
            paths.extend(files)
        else:
            paths.append(path)
    return _unique(paths)


def find_specs(folder: Path, *, max_bytes: int) -> list[Path]:
    """OpenAPI root documents below a folder, sorted; hidden folders and caches are skipped."""
    inside = Path(os.path.realpath(folder))
    found: list[Path] = []
    for directory, subfolders, files in os.walk(folder):  # symlinked folders are not entered
        subfolders[:] = sorted(name for name in subfolders if _searched(name))
        for name in sorted(files):
            path = Path(directory, name)
            if (
                path.suffix.lower() in SPEC_SUFFIXES
                and Path(os.path.realpath(path)).is_relative_to(inside)
                and looks_like_root(path, max_bytes=max_bytes)
            ):
                found.append(path)
    return found


def looks_like_root(path: Path, *, max_bytes: int) -> bool:
    """Whether a file declares `openapi` (or `swagger`) at its top level, by a cheap text scan.

    Referenced fragments (schemas in their own files) have no such key and are left to the
    root that references them. A FIFO or device is no spec and is never opened; a file that
    cannot be read, or is over the size limit, is kept so that the loader can say why.
    """
    try:
        status = path.stat()
    except OSError:
        return True
    if not stat.S_ISREG(status.st_mode):
        return False
    if status.st_size > max_bytes:
        return True
    try:
        with open_regular(path, str(path)) as handle:
            return _declares_openapi(handle, max_bytes)
    except (LoadError, OSError):
        return True


def _declares_openapi(handle: BinaryIO, max_bytes: int) -> bool:
    """Scan at most `max_bytes` in chunks for the root marker."""
    tail = b""
    budget = max_bytes
    while budget > 0 and (chunk := handle.read(min(_SCAN_CHUNK, budget))):
        if _ROOT_MARKER.search(tail + chunk):
            return True
        tail = chunk[-64:]
        budget -= len(chunk)
    return False


def expand_glob(pattern: str) -> list[Path]:
    """The regular files a glob names, sorted, found without entering a symlinked folder.

    `**` stands for any number of folders (none included); `*`, `?` and `[...]` match within
    one name. As in a folder search, wildcards skip hidden names (unless the part itself starts
    with `.`) and never enter SKIPPED_FOLDERS; a part written out literally is taken as given.
    """
    parts = pattern.split("/")
    literal = 0
    while literal < len(parts) - 1 and not _GLOB_CHARS.search(parts[literal]):
        literal += 1
    start = Path("/".join(parts[:literal]) or ("/" if pattern.startswith("/") else "."))
    return sorted(_glob_matches(start, parts[literal:]))


def _glob_matches(start: Path, parts: list[str]) -> Iterator[Path]:
    """Walk (folder, part index) states; each is visited once, so several `**` stay linear."""
    pending = [(start, 0)]
    seen: set[tuple[Path, int]] = set()
    while pending:
        state = pending.pop()
        if state in seen:
            continue
        seen.add(state)
        folder, index = state
        part, last = parts[index], index == len(parts) - 1
        wildcard = bool(_GLOB_CHARS.search(part))
        if part == "**" and not last:
            pending.append((folder, index + 1))  # `**` standing for no folder at all
        for entry in _entries(folder):
            path = folder / entry.name
            if part == "**":
                if not _searched(entry.name):
                    continue
                if _is_folder(entry, follow_symlinks=False):
                    pending.append((path, index))
                elif last and _is_file(entry):
                    yield path
            elif _matches(entry.name, part):
                if last:
                    if _is_file(entry):
                        yield path
                elif _is_folder(entry, follow_symlinks=not wildcard) and not (
                    wildcard and entry.name in SKIPPED_FOLDERS
                ):
                    pending.append((path, index + 1))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:  # unreadable, or not a folder: nothing matches below it
        return []


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link to one (a link loop or a dangling link is neither)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_folder(entry: os.DirEntry[str], *, follow_symlinks: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow_symlinks)
    except OSError:
        return False


def _matches(name: str, part: str) -> bool:
    """fnmatch within one name; a hidden name only for a part that starts with `.` too."""
    if not _GLOB_CHARS.search(part):
        return name == part
    return (part.startswith(".") or not name.startswith(".")) and fnmatchcase(name, part)


def _searched(name: str) -> bool:
    """Whether a folder search (or a wildcard) enters this name."""
    return not name.startswith(".") and name not in SKIPPED_FOLDERS


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[str] = set()
    unique: list[Path] = []
    for path in paths:
        key = os.path.realpath(path)  # unlike Path.resolve, never raises on a symlink loop
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
