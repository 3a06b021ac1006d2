"""Text that is safe to print: control characters written as escapes.

Messages and locations quote the contract (keys, versions, file names), which anyone can write.
A raw newline there forges a diagnostic line of its own, an ESC recolours or rewrites the
terminal, a bidirectional override reorders what the reader sees. Every human-facing output
passes such text through `printable`; JSON and SARIF need not, their encoding escapes it.
"""

from __future__ import annotations

import re

#: C0, DEL and C1 controls; line and paragraph separators; bidirectional embeddings, overrides
#: and isolates; lone surrogates (which no UTF-8 stream can carry).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    r"""`text` with each unprintable character written as `\n`, `\x1b` or `\u2028`."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
