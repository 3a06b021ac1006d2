"""Where a document comes from: a file, or `REV:path` read from a git revision."""

from __future__ import annotations

from pathlib import Path

from contractgen.load.document import Document, LoadOptions, load_document


def load_input(argument: str, options: LoadOptions | None = None) -> Document:
    """Load the document a command-line argument names: a file path, or `REV:path` in git.

    An existing file wins over a revision of the same spelling. Raises `LoadError` (exit 2)
    for anything that cannot be loaded.
    """
    return load_document(Path(argument), options)
