"""The rules section of docs/verify.md, generated from the catalogue.

Regenerate with `python -m contractgen.verify.docs docs/verify.md`: the text between the
markers is replaced; a test keeps the file in step with `verify.rules.RULES`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from contractgen.verify.rules import RULES

BEGIN = "<!-- verify rules: generated from contractgen/verify/rules.py -->"
END = "<!-- end of verify rules -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    lines = [BEGIN, "", "| Rule | Name | Level | Summary |", "| --- | --- | --- | --- |"]
    lines += [
        f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.level.value} | {_cell(r.summary)} |"
        for r in RULES.values()
    ]
    for r in RULES.values():
        lines += ["", f"### {r.id}", "", f"`{r.name}`, {r.level.value}. {r.summary}", ""]
        lines += [" ".join(r.rationale.split()), "", "Reported as:", "", "```text"]
        lines += [r.example, "```"]
    lines += ["", END]
    return "\n".join(lines)


def updated(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + rules_markdown() + text[end:]


if __name__ == "__main__":  # pragma: no cover
    path = Path(sys.argv[1])
    path.write_text(updated(path.read_text(encoding="utf-8")), encoding="utf-8")
