"""Structured logs: every record one JSON line (DUCHA_LOG_FORMAT=json, the default under
`ducha serve`), with the id of the request it was written in.

No Django import: settings.LOGGING names these classes before Django is set up.
The request's own line comes from `web/request_log.py`.
"""

import contextvars
import datetime as dt
import json
import logging

# The id of the request being served, set by web/request_log.py for the request's duration.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("ducha_request_id", default=None)

# What a LogRecord always has: everything else on it came through `extra=` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record written while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the
    record's extra fields, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, format: str, level: str) -> dict:
    """settings.LOGGING: records on standard error, as JSON lines or as text; the request
    lines (logger `ducha.request`, level INFO) whatever the level of the rest."""
    formatter = "json" if format == "json" else "text"
    handler = {
        "class": "logging.StreamHandler",
        "formatter": formatter,
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        # Passed on to the root's handler, which writes whatever reaches it.
        "loggers": {"ducha.request": {"level": "INFO"}},
    }
