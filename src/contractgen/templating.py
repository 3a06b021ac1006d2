"""Where contractgen's Jinja templates live, for every command that renders some.

The installed package has them as `contractgen/templates` (wheels force-include the
repository's `templates/` there); a source checkout or an editable install reads the
repository's top-level `templates/`.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_dirs() -> list[Path]:
    """The folders templates are read from, the installed package's first."""
    return [PACKAGE_TEMPLATES, CHECKOUT_TEMPLATES]


def environment(first: Path | None = None) -> jinja2.Environment:
    """Templates from `first` (a user's overrides), then contractgen's own.

    No autoescaping: the output is Markdown or code, and every template escapes what it
    interpolates with the filter that fits where it lands. Undefined variables are errors.
    """
    folders = ([first] if first is not None else []) + template_dirs()
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in folders]),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
