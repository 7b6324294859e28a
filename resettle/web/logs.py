"""Private links carry secrets in their paths (an offerer's manage link, a set-password link). Access logs
(Werkzeug's in development, gunicorn's in production) would keep them whole, so these filters replace the
secret part before any handler sees the line."""

from __future__ import annotations

import logging
import re

from flask import Flask

PRIVATE_PATHS = re.compile(r"(/set-password/|/offer/manage/)[^\s/?\"']+")
PRIVATE_QUERY = re.compile(r"([?&](?:token|code)=)[^\s&\"']+")
REDACTED = "[redacted]"
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return PRIVATE_QUERY.sub(rf"\1{REDACTED}", PRIVATE_PATHS.sub(rf"\1{REDACTED}", text))


class RedactPrivateTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True


def init_log_redaction(app: Flask) -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactPrivateTokens) for existing in logger.filters):
            logger.addFilter(RedactPrivateTokens())
