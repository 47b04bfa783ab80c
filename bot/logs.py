"""Logging setup: plain text or JSON lines, and a filter that scrubs the bot token everywhere.

Every line goes through one stderr handler with :class:`RedactToken`, so the token never
reaches the journal, even inside an exception's text (python-telegram-bot's InvalidToken
quotes it). :func:`install_excepthooks` sends what no code caught (the main thread, other
threads, the asyncio loop) through the same handler as one ERROR line; the traceback goes
to the log at DEBUG only, never Python's default hook that prints it (token and all).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

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


crash_log = logging.getLogger("pkitbot")


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line, the token scrubbed."""
    text = " ".join(str(exc).split())
    return RedactToken().scrub(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def log_unexpected(exc: BaseException, where: str) -> None:
    """One ERROR line for an exception nothing caught; its traceback at DEBUG only."""
    crash_log.error("unexpected error %s: %s", where, one_line(exc))
    if crash_log.isEnabledFor(logging.DEBUG):
        crash_log.debug("traceback of the error %s", where,
                        exc_info=(type(exc), exc, exc.__traceback__))


def _sys_hook(kind: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        crash_log.warning("interrupted")
        return
    log_unexpected(exc.with_traceback(tb), "at the top level")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
        name = args.thread.name if args.thread is not None else "?"
        log_unexpected(args.exc_value, f"in thread {name}")


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The asyncio loop's handler: a task's unretrieved exception as one redacted line."""
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        log_unexpected(exc, "in the event loop")
    else:
        crash_log.error("event loop: %s", RedactToken().scrub(str(context.get("message"))))


def install_excepthooks() -> None:
    """Route uncaught exceptions (main thread, threads) through the redacting logger."""
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook
