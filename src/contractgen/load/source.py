"""Read a file's text, refusing what cannot be a spec before parsing it.

Every file contractgen reads from disk (specs, referenced files, configuration, baselines)
comes through here: only regular files, size-checked before a byte is read. A document reads
its files through a `Source`: the file system here, a git revision in `revision.py`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from contractgen.errors import LoadError

#: Default ceiling on a spec file's size. Stripe's spec is 4 MiB and GitHub's 13 MiB.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: How much more is read at a time from a file that grew after it was measured.
_GROWTH_CHUNK = 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class Source(Protocol):
    """Where a document's files come from: how paths are matched, named and read."""

    def locate(self, path: Path) -> Path:
        """The file a path names, spelled as the document knows it (`..` and links gone)."""

    def display(self, path: Path) -> str:
        """How a file or folder is named in findings and errors."""

    def unreachable(self, path: Path) -> str | None:
        """Why no reference may reach this file, even outside the spec's folder; None if one may."""

    def read(self, path: Path, display: str, max_bytes: int) -> str:
        """The file's text, refused as `read_text` refuses a file (a `LoadError`)."""


class FileSystem:
    """Files on disk, followed through symlinks."""

    def locate(self, path: Path) -> Path:
        return Path(os.path.realpath(path))

    def display(self, path: Path) -> str:
        return display_path(path)

    def unreachable(self, path: Path) -> str | None:
        return None

    def read(self, path: Path, display: str, max_bytes: int) -> str:
        return read_text(path, display, max_bytes=max_bytes)


FILE_SYSTEM = FileSystem()


def read_text(path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the file's text, or raise a `LoadError` naming what is wrong with it."""
    return decode(read_bytes(path, display, max_bytes=max_bytes), display)


def read_bytes(path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file no larger than `max_bytes`; anything else is a `LoadError`.

    The read never asks for more than the size the file declares (+1, to notice growth), so a
    huge limit allocates nothing, and a device that never ends (`/dev/zero`) is never read.
    """
    with open_regular(path, display) as handle:
        size = os.fstat(handle.fileno()).st_size
        check_size(size, max_bytes, display)
        try:
            raw = _read_at_most(handle, size, max_bytes + 1)
        except OSError as exc:
            raise LoadError("LOAD012", f"cannot read file: {exc.strerror}", display) from None
    if len(raw) > max_bytes:  # grew since stat
        raise LoadError("LOAD003", f"file is over the {_mib(max_bytes)} limit", display)
    return raw


@contextmanager
def open_regular(path: Path, display: str) -> Iterator[BinaryIO]:
    """Open a regular file for reading; a folder, FIFO, device or socket is a `LoadError`.

    The kind is checked before opening (opening a FIFO blocks until a writer comes), and again
    on the open file, which is opened without blocking, so a swap in between gains nothing.
    """
    _check_kind(_stat(path, display), display)
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except OSError as exc:
        raise LoadError("LOAD012", f"cannot read file: {exc.strerror}", display) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        _check_kind(os.fstat(descriptor), display)
        yield cast("BinaryIO", handle)


def _stat(path: Path, display: str) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise LoadError("LOAD001", "file not found", display) from None
    except OSError as exc:  # a symlink loop, a permission on the way, an I/O error
        raise LoadError("LOAD012", f"cannot read file: {exc.strerror}", display) from None


def _check_kind(status: os.stat_result, display: str) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    if stat.S_ISDIR(status.st_mode):
        raise LoadError("LOAD002", "is a directory; pass a spec file or a glob", display)
    message = f"is {special_file_kind(status)}, not a regular file; only regular files are read"
    raise LoadError("LOAD012", message, display)


def special_file_kind(status: os.stat_result) -> str:
    """What a file that is neither regular nor a folder is, for messages."""
    mode = status.st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_size(size: int, max_bytes: int, display: str) -> None:
    """Refuse a file by the size it declares, before a byte of it is read."""
    if size > max_bytes:
        raise LoadError(
            "LOAD003",
            f"file is {_mib(size)}, over the {_mib(max_bytes)} limit "
            "(raise it with --max-file-size)",
            display,
        )


def _read_at_most(handle: BinaryIO, size: int, budget: int) -> bytes:
    """Up to `budget` bytes: first what the file declares (+1), then small chunks if it grew."""
    chunks: list[bytes] = []
    want = min(size + 1, budget)
    while want > 0:
        chunk = handle.read(want)
        if not chunk:
            break
        chunks.append(chunk)
        budget -= len(chunk)
        want = min(_GROWTH_CHUNK, budget)
    return b"".join(chunks)


def decode(raw: bytes, display: str) -> str:
    """Decode UTF-8 (a BOM is allowed); point at the first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        raise LoadError(
            "LOAD004",
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); OpenAPI documents must be UTF-8",
            display,
            line,
            column,
        ) from None
    if not text.strip():
        raise LoadError("LOAD005", "file is empty", display)
    if "\x00" in text:
        offset = text.index("\x00")
        line, column = _line_column(text[:offset].encode(), offset)
        raise LoadError(
            "LOAD004", "file contains a NUL character; not a text file", display, line, column
        )
    return text


def display_path(path: Path) -> str:
    """How a file is named in findings: relative to the working directory when inside it.

    A file outside it keeps its absolute path: `../../x.yaml` is harder to read and to click.
    """
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size} bytes"
    return f"{size / (1024 * 1024):.1f} MiB"
