"""The error handler: log what went wrong with its context (never the token), keep running."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

from bot.tg.state import state

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failed update's id and chat with the error; transient network faults briefly."""
    error = context.error
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat
        where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
    with contextlib.suppress(KeyError):
        state(context).metrics["errors"] += 1
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        log.warning("Telegram network trouble%s: %s", where, error)
        return
    log.error("Handler failed%s", where, exc_info=error)
