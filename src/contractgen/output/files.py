"""What a command that writes a tree (scaffold, export) produces, before it touches the folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Owner = Literal["generated", "user"]
"""`generated` files are rewritten on every run; `user` files are created once, then theirs."""


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file, rendered, formatted and parsed: ready to be written."""

    path: str
    """Relative to the output folder, with `/` separators."""
    text: str
    owner: Owner
