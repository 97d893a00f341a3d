"""Logging for Mesa's processes, set up once: the Streamlit server (with its embedded worker) and `python -m core`.

MESA_LOG_LEVEL is the level of Mesa's own messages (loggers `mesa.*` and `core.*`: the worker, automations, mail);
other libraries speak from WARNING up (or from MESA_LOG_LEVEL when it is higher). Each line starts with an ISO 8601
time stamp with its UTC offset; MESA_LOG_FORMAT=json writes one JSON object per line instead, for a log collector.
Streamlit's own loggers keep their handlers (they do not propagate to the root logger).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

from core.config import Settings

HANDLER_NAME = "mesa"
OWN_LOGGERS = ("mesa", "core")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class IsoFormatter(logging.Formatter):
    """Text lines whose time stamp is ISO 8601 in local time with the offset: 2026-11-26T08:00:00.123+01:00."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class JsonFormatter(IsoFormatter):
    """One JSON object per line: time, level, logger, message (and exception, when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of each record (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(settings: Settings) -> logging.Handler:
    """Set the levels and the one handler of the root logger; calling it again changes them, adds nothing."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = _StderrHandler()
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else IsoFormatter(TEXT_FORMAT))
    level = logging.getLevelName(settings.log_level)
    root.setLevel(max(level, logging.WARNING))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    return handler
