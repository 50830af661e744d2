"""Log output: plain text, or one JSON object per line (``IPFLEET_LOG_FORMAT=json``).

Records carry their structured fields in ``extra={"fields": {...}}``; the JSON formatter
writes them beside time, level, logger and message. Nothing here reads request bodies,
query strings or headers: what is logged is what callers pass in ``fields``, and the
callers pass no secrets (see ``api/access.py``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of a ``log_format`` setting ("text" or "json")."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(*, log_format: str, level: str) -> None:
    """Write every record that reaches the root logger to stderr in ``log_format``, and
    ipfleet's own from ``level`` up (others from warning up). Granian's loggers have their
    own handlers (``granian_config``); the Litestar apps are told not to add any."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "ipfleet", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.ipfleet = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("ipfleet").setLevel(level.upper())


def granian_config(log_format: str) -> dict[str, Any] | None:
    """Granian's own logging, in the same format (None: granian's default text)."""
    if log_format != "json":
        return None
    json_formatter = {"()": "ipfleet.logs.JsonFormatter"}
    return {"formatters": {"generic": json_formatter, "access": json_formatter}}
