# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""JSON lines on stderr, so a log collector can pick out the request id of every record."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

log = logging.getLogger("contractgen.service")

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """One JSON object per record; `extra` fields (request_id, ...) become members."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RESERVED and name not in body:
                body[name] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send the service's records to stderr as JSON lines (idempotent)."""
    root = logging.getLogger("contractgen")
    for handler in list(root.handlers):
        if getattr(handler, "_contractgen", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._contractgen = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
