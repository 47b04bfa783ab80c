"""The bot token never leaks: not in a log line, not in an error's text, not in a reply.

The bot runs through its fault scenarios (429, 500, 502, dropped connections, timeouts on
sendMessage and getUpdates, a 403 and a 400 raised inside handlers) with logging set up as
``pkitbot run`` does it, at DEBUG level, and everything it wrote or raised is searched.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import ContextTypes

from bot.logs import setup_logging
from bot.tg.app import build_application, running
from tests.e2e import settings_for
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_Q-xyz"
USER = 7300
BLOCKED = 7399


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as server:
        yield server


class Everything(logging.Handler):
    """Every record as its full text (message and traceback), before any filter."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    setup_logging("DEBUG", "text", TOKEN)
    out = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    yield out
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


async def test_token_in_no_log_line_error_or_reply(fake: FakeBotAPI, db_path: Path,
                                                   log_output: io.StringIO) -> None:
    errors: list[BaseException] = []

    async def keep(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            errors.append(context.error)

    fake.inject("getUpdates", "500", times=1)
    fake.inject("getUpdates", "drop", times=1)
    fake.inject("sendMessage", "429", times=1, retry_after=1)
    fake.inject("sendMessage", "500", times=1)
    fake.inject("sendMessage", "502", times=1)
    fake.inject("sendMessage", "accepted_drop", times=1)  # a plain drop is never resent
    fake.set_forbidden(BLOCKED, "Forbidden: bot was blocked by the user")
    app = build_application(settings_for(fake, db_path), read_timeout=1.0)
    app.add_error_handler(keep)
    async with running(app):
        for i in range(4):
            fake.push_update(updates.private_text(USER + i, "IT exports FY25"))
        fake.push_update(updates.private_text(BLOCKED, "IT exports FY25"))  # 403 in a handler
        await fake.wait_for("sendMessage", count=4, timeout=15)
        await fake.wait_for(lambda r: r.status == 403, timeout=10)
        fake.inject("sendMessage", "slow", times=1, delay=1.5)  # a timeout in a handler
        fake.push_update(updates.private_text(USER + 10, "IT exports FY25"))
        # a 400: a Sources button on a message Telegram does not know
        ghost: dict[str, Any] = {"message_id": 999_999, "date": 1, "text": "old",
                                 "chat": {"id": USER, "type": "private", "first_name": "A"},
                                 "from": fake.bot_user}
        fake.push_update(updates.callback_query(USER, ghost, "s:it-exports-fy25"))
        await fake.wait_for(lambda r: r.method == "editMessageText", timeout=10)
        await fake.wait_for(lambda r: r.fault == "slow", timeout=10)
        while len(errors) < 3:
            await asyncio.sleep(0.05)
    written = log_output.getvalue()
    kinds = {type(e).__name__ for e in errors}
    assert {"Forbidden", "BadRequest", "TimedOut"} <= kinds  # the faults really happened
    assert "Handler failed" in written and "Traceback" in written
    assert TOKEN not in written
    assert TOKEN.split(":")[1] not in written
    for error in errors:
        assert TOKEN not in f"{error!s} {error!r} {error.__cause__!r}"
    for request in fake.requests:
        assert TOKEN not in str(request.params)  # no reply or call carries it
    # the redaction filter also covers a token that reaches a message by accident
    logging.getLogger("bot.test").error("oops %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert TOKEN not in log_output.getvalue() and "<token>" in log_output.getvalue()


def test_error_handler_text_has_no_token(caplog: pytest.LogCaptureFixture) -> None:
    """on_error's own line names the update and chat, not the token (even unfiltered)."""
    from types import SimpleNamespace

    from bot.tg.errors import on_error

    update = Update.de_json(updates.private_text(USER, "hi"), None)
    from bot.tg.state import BotData

    context: Any = SimpleNamespace(error=RuntimeError("boom"), bot_data=BotData())
    with caplog.at_level(logging.ERROR):
        asyncio.run(on_error(update, context))
    assert caplog.records and all(TOKEN not in r.getMessage() for r in caplog.records)


def test_proxy_error_page_is_one_warning_not_a_traceback(log_output: io.StringIO) -> None:
    try:
        raise ValueError("Expecting value")
    except ValueError:
        logging.getLogger("telegram.request.BaseRequest").exception(
            'Can not load invalid JSON data: "%s"', "<html>502 Bad Gateway</html>")
    written = log_output.getvalue()
    assert "WARNING" in written and "proxy error" in written
    assert "Traceback" not in written and "ERROR" not in written
