"""Where contractgen's Jinja templates live, for every command that renders some.

The installed package has them as `contractgen/templates` (wheels force-include the
repository's `templates/` there); a source checkout or an editable install reads the
repository's top-level `templates/`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_dirs() -> list[Path]:
    """The folders templates are read from, the installed package's first."""
    return [PACKAGE_TEMPLATES, CHECKOUT_TEMPLATES]
