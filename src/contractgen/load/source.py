"""Read a spec file's text, refusing what cannot be a spec before parsing it."""

from __future__ import annotations

from pathlib import Path

from contractgen.errors import LoadError

#: Default ceiling on a spec file's size. Stripe's spec is 4 MiB and GitHub's 13 MiB.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def read_text(path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the file's text, or raise a `LoadError` naming what is wrong with it."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise LoadError("LOAD001", "file not found", display) from None
    except OSError as exc:
        raise LoadError("LOAD012", f"cannot read file: {exc.strerror}", display) from None
    if path.is_dir():
        raise LoadError("LOAD002", "is a directory; pass a spec file or a glob", display)
    if stat.st_size > max_bytes:
        raise LoadError(
            "LOAD003",
            f"file is {_mib(stat.st_size)}, over the {_mib(max_bytes)} limit "
            "(raise it with --max-file-size)",
            display,
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError("LOAD012", f"cannot read file: {exc.strerror}", display) from None
    if len(raw) > max_bytes:  # grew since stat, or a device/pipe
        raise LoadError("LOAD003", f"file is over the {_mib(max_bytes)} limit", display)
    return decode(raw, display)


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
