"""Where a document comes from: a file, or `REV:path` read from a git revision.

A revision is read from the repository holding the current directory, by git itself and never
over the network: no fetch (not even a partial clone's lazy one), no credential prompt, no
hooks, pager or fsmonitor. Each file's entry in its folder's tree (mode) and its blob's size
are looked up before it is read, so a symlink, a submodule or a blob over the size limit is
refused unread; its text then goes through the same decoding and parsing guards as a file's.
References resolve lexically inside that revision: nothing on disk is consulted. Needs git
2.36 or later (`cat-file --batch-command`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from contractgen.errors import LoadError
from contractgen.load.document import (
    Document,
    LoadOptions,
    load_document,
    parse_source,
    root_document,
)
from contractgen.load.source import check_size, decode

#: git as contractgen runs it: no pager, no network transport at all, no hooks, no fsmonitor.
_GIT = (
    "git",
    "--no-pager",
    "-c",
    "protocol.allow=never",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "core.fsmonitor=false",
)
_REGULAR_MODES = frozenset({"100644", "100755", "100664"})
_SYMLINK_MODE = "120000"
_SUBMODULE_MODE = "160000"
_TREE_MODE = "040000"


def load_input(argument: str, options: LoadOptions | None = None) -> Document:
    """Load the document a command-line argument names: a file path, or `REV:path` in git.

    An existing file wins over a revision of the same spelling. Raises `LoadError` (exit 2)
    for anything that cannot be loaded.
    """
    options = options or LoadOptions()
    if ":" not in argument or os.path.lexists(argument):
        return load_document(Path(argument), options)
    tree, path = _revision_path(argument)
    display = tree.display(path)
    text = tree.read(path, display, options.max_bytes)
    return root_document(parse_source(path, display, text), options, tree)


def _revision_path(argument: str) -> tuple[GitTree, Path]:
    """The revision and file `REV:path` names: split at the first `:` that ends a commit name."""
    top = _work_tree(argument)
    colons = [at for at, char in enumerate(argument) if char == ":" and at > 0]
    if argument.startswith("-"):  # an option to git, never a revision
        colons = []
    for at in colons:
        commit = _commit(top, argument[:at], argument)
        if commit is not None:
            tree = GitTree(top, commit, argument[:at])
            return tree, _path_in(top, argument[at + 1 :], argument)
    rev = argument[: colons[0]] if colons else argument.partition(":")[0]
    raise LoadError(
        "LOAD014",
        f"no such file, and {rev!r} is not a commit of the git repository {top}",
        argument,
    )


def _work_tree(argument: str) -> Path:
    """The top folder of the git work tree holding the current directory."""
    missing = "no such file, and git, which reads REV:path, cannot be run"
    found = _git(None, ("rev-parse", "--show-toplevel"), argument, missing=missing)
    if found.returncode != 0:
        said = found.stderr.decode(errors="replace").strip().splitlines()
        reason = f" ({said[-1]})" if said else ""
        raise LoadError(
            "LOAD014",
            f"no such file, and the current directory is not in a git work tree to read it "
            f"as REV:path{reason}",
            argument,
        )
    return Path(os.fsdecode(found.stdout.rstrip(b"\n")))


def _commit(top: Path, rev: str, argument: str) -> str | None:
    found = _git(top, ("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"), argument)
    return found.stdout.decode().strip() if found.returncode == 0 else None


def _path_in(top: Path, spelled: str, argument: str) -> Path:
    """The file a revision's path names: from the top, or from here if it starts `./`, `../`."""
    from_here = spelled in (".", "..") or spelled.startswith(("./", "../"))
    path = Path(os.path.normpath((Path.cwd() if from_here else top) / spelled))
    if not path.is_relative_to(top):
        raise LoadError("LOAD014", f"{spelled!r} is outside the git repository {top}", argument)
    return path


def _git(
    top: Path | None,
    arguments: tuple[str, ...],
    display: str,
    *,
    missing: str = "git cannot be run",
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [*_GIT, *arguments],
            cwd=top,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise LoadError("LOAD014", f"{missing} ({exc.strerror})", display) from None


def _environment() -> dict[str, str]:
    """The caller's environment, with every way git could wait for a person or a network shut."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1"}


@dataclass(frozen=True, slots=True)
class _Entry:
    """A name's entry in its folder's tree at a revision."""

    mode: str
    oid: str


class GitTree:
    """The files of one commit: the `Source` of a document read from a revision.

    Paths are the work tree's (`top/specs/chat.yaml`), normalised lexically. Every object is
    read by one `git cat-file --batch-command`, by its id only: folders are walked down from the
    commit's tree (each listed once), so no path a reference spells ever reaches git, and a
    reference into a folder the revision lacks costs a dictionary look-up.
    """

    def __init__(self, top: Path, commit: str, rev: str) -> None:
        self.top = top
        self.commit = commit
        self.rev = rev
        self._objects = _Objects(top)
        self._folders: dict[Path, dict[str, _Entry] | None] = {}

    def locate(self, path: Path) -> Path:
        return Path(os.path.normpath(path))

    def display(self, path: Path) -> str:
        inside = path.relative_to(self.top).as_posix()
        return f"{self.rev}:{'' if inside == '.' else inside}"

    def unreachable(self, path: Path) -> str | None:
        if path.is_relative_to(self.top):
            return None
        return f"leaves the git repository {self.top}; a revision holds only its own files"

    def read(self, path: Path, display: str, max_bytes: int) -> str:
        if path == self.top:
            raise _not_a_file(_TREE_MODE, display)
        entry = (self._listing(path.parent, display) or {}).get(path.name)
        if entry is None:
            raise LoadError("LOAD001", "file not found at this revision", display)
        if entry.mode not in _REGULAR_MODES:
            raise _not_a_file(entry.mode, display)
        size = self._objects.info(entry.oid, display)[2]
        check_size(size, max_bytes, display)
        return decode(self._objects.contents(entry.oid, display, size=size), display)

    def _listing(self, folder: Path, display: str) -> dict[str, _Entry] | None:
        """A folder's entries at the revision; None when the revision has no such folder."""
        if folder in self._folders:
            return self._folders[folder]
        if self.top not in self._folders:
            root = self._objects.info(f"{self.commit}^{{tree}}", display)[0]
            self._folders[self.top] = self._tree(root, display)
        listing = self._folders[self.top]
        at = self.top
        for name in folder.relative_to(self.top).parts:
            at = at / name
            if at not in self._folders:
                entry = listing.get(name) if listing is not None else None
                if entry is None or entry.mode != _TREE_MODE:
                    self._folders[folder] = None
                    return None
                self._folders[at] = self._tree(entry.oid, display)
            listing = self._folders[at]
        return listing

    def _tree(self, oid: str, display: str) -> dict[str, _Entry]:
        """A tree object's entries: `<mode> <name>\\0<id>`, the id in raw bytes."""
        raw = self._objects.contents(oid, display)
        width = len(oid) // 2  # SHA-1 or SHA-256
        entries: dict[str, _Entry] = {}
        at = 0
        try:
            while at < len(raw):
                space = raw.index(b" ", at)
                end = raw.index(b"\0", space)
                mode = raw[at:space].decode("ascii").zfill(6)
                entries[os.fsdecode(raw[space + 1 : end])] = _Entry(
                    mode, raw[end + 1 :][:width].hex()
                )
                at = end + 1 + width
        except ValueError:
            raise LoadError("LOAD012", "cannot read from git: a malformed tree", display) from None
        return entries


def _not_a_file(mode: str, display: str) -> LoadError:
    if mode == _TREE_MODE:
        return LoadError("LOAD002", "is a directory at this revision; name a spec file", display)
    kind = {_SYMLINK_MODE: "a symbolic link", _SUBMODULE_MODE: "a submodule"}.get(
        mode, f"a git entry of mode {mode}"
    )
    message = f"is {kind} at this revision, not a regular file; only regular files are read"
    return LoadError("LOAD012", message, display)


class _Objects:
    """One `git cat-file --batch-command` for every object of a repository, started when needed.

    A blob's size is asked for (`info`) before its bytes (`contents`), so a blob over the limit
    is never read.
    """

    def __init__(self, top: Path) -> None:
        self._top = top
        self._batch: _Batch | None = None

    def info(self, name: str, display: str) -> tuple[str, str, int]:
        """An object's id, type and size, without its contents."""
        return self._ask(f"info {name}", display)

    def contents(self, oid: str, display: str, *, size: int | None = None) -> bytes:
        """An object's bytes; a blob's `size`, checked against the limit, is what is read."""
        found = self._ask(f"contents {oid}", display)[2]
        if size is not None and found != size:
            raise self._failed("the object changed size", display)
        assert self._batch is not None
        output = self._batch.output
        raw = output.read(found)
        if len(raw) != found or output.read(1) != b"\n":
            raise self._failed("the object ended early", display)
        return raw

    def _ask(self, command: str, display: str) -> tuple[str, str, int]:
        """Send one command; its `<id> <type> <size>` answer."""
        if self._batch is None:
            self._batch = _Batch.start(self._top, display)
            weakref.finalize(self, self._batch.stop)
        try:
            self._batch.input.write(f"{command}\n".encode())
            self._batch.input.flush()
            answer = self._batch.output.readline().decode(errors="replace").split()
        except OSError:
            answer = []
        if len(answer) == 3 and answer[2].isdigit():
            return answer[0], answer[1], int(answer[2])
        said = " ".join(answer[1:])
        raise self._failed(f"the object is {said}" if said else "", display)

    def _failed(self, reason: str, display: str) -> LoadError:
        """Stop git (it may be mid-answer; the next read starts another) and say why."""
        assert self._batch is not None
        last_words = self._batch.stop()
        self._batch = None
        return LoadError("LOAD012", f"cannot read from git: {reason or last_words}", display)


@dataclass(frozen=True)
class _Batch:
    """A running `cat-file --batch-command`; what it says on stderr goes to a temporary file,
    read once it has stopped (a pipe could fill up and stall it)."""

    process: subprocess.Popen[bytes]
    input: IO[bytes]
    output: IO[bytes]
    errors: IO[bytes]

    @classmethod
    def start(cls, top: Path, display: str) -> _Batch:
        errors = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by `stop`, as late as git
        try:
            process = subprocess.Popen(
                [*_GIT, "cat-file", "--batch-command"],
                cwd=top,
                env=_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as exc:
            errors.close()
            raise LoadError("LOAD014", f"git cannot be run ({exc.strerror})", display) from None
        assert process.stdin is not None and process.stdout is not None
        return cls(process, process.stdin, process.stdout, errors)

    def stop(self) -> str:
        """End git (the end of its input ends it, a closed output too); its last line said."""
        if self.errors.closed:
            return ""
        self.input.close()
        self.output.close()
        self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace").strip().splitlines()
        self.errors.close()
        return said[-1] if said else "git stopped"
