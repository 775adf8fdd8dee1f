"""Logs: one JSON object a line (``python-json-logger``) or plain text, each line carrying
the id of the request it belongs to.

The API sets :data:`REQUEST_ID` for each request (``api/observe.py``); a filter puts it on
every record logged meanwhile, and the audit entry of a person-level read keeps it, so an
operator can follow one request from the access log into the audit log.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Literal

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
LogFormat = Literal["json", "text"]
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def logging_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for crimegraph and uvicorn alike (uvicorn takes it
    as its ``log_config``): every logger to stderr in the chosen format."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "default",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "crimegraph": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            # crimegraph writes its own access line, with the request id and the role
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
        # everything else (the Neo4j driver's retries, libraries' warnings) alike
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
