"""Logging setup: plain text or JSON lines, and a filter that scrubs the bot token everywhere."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

TOKEN_PATTERN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")
REDACTED = "<token>"


class RedactToken(logging.Filter):
    """Replace the bot token (and anything shaped like one) in every record's text."""

    def __init__(self, token: str = ""):
        super().__init__()
        self.token = token

    def scrub(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            formatter = logging.Formatter()
            message += "\n" + formatter.formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.scrub(message)
        record.args = None
        return True


class QuietProxyErrors(logging.Filter):
    """PTB logs a proxy's HTML error page (Telegram's nginx 502) as an ERROR with a traceback;
    the request fails with NetworkError and is retried, so one short warning is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Can not load invalid JSON data"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "Telegram answered with a non-JSON error page (a proxy error); retrying"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text", token: str = "") -> None:
    """Configure the root logger once: one stderr handler, token scrubbed, httpx quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactToken(token))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    # httpx logs every request URL, which contains the token: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    proxy_errors = logging.getLogger("telegram.request.BaseRequest")
    if not any(isinstance(f, QuietProxyErrors) for f in proxy_errors.filters):
        proxy_errors.addFilter(QuietProxyErrors())
