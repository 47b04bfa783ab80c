"""The error handler: log what went wrong with its context (never the token), keep running.

A 400 from Telegram (``BadRequest``, a bug of ours: bad HTML, a stale message id) is an
ERROR naming the Bot API method, not "network trouble" (python-telegram-bot makes
``BadRequest`` a ``NetworkError``, so it is checked first). A handler that fails with a bug
(not a Telegram error) would otherwise leave the user with no answer at all; the user gets
one short apology instead (in groups through the chat's flood gate; a button press gets it
as its notification). Telegram errors get no apology: a timed
out send may have been delivered, and a refused one would be refused again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.tg.delivery.once import deferred_for_storage
from bot.tg.delivery.ratelimit import method_of
from bot.tg.replies import send_reply
from bot.tg.state import BotData, BotState, Context

log = logging.getLogger("bot.errors")

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: Context) -> None:
    """Log the failed update's id and chat with the error; transient network faults briefly."""
    error = context.error
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat
        where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
    st = context.bot_data.state if isinstance(context.bot_data, BotData) else None
    if st is not None:
        st.metrics["errors"] += 1
    if isinstance(error, BadRequest):  # before NetworkError: BadRequest subclasses it
        log.error("Telegram refused %s (400, a bug on our side)%s: %s",
                  method_of(error) or "a request", where, error)
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        log.warning("Telegram network trouble%s: %s", where, error)
        return
    if deferred_for_storage(error, update):  # database locked or full: handled again later
        return
    log.error("Handler failed%s", where, exc_info=error)
    if isinstance(update, Update) and not isinstance(error, TelegramError):
        await apologise(update, st)


async def apologise(update: Update, st: BotState | None) -> None:
    """Tell the user, once, that their update could not be handled (never raises)."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(APOLOGY)
        elif (message := update.message or update.channel_post) is not None:
            await send_reply(st, message, APOLOGY)
    except Exception as exc:  # the error handler itself must not fail
        log.warning("could not tell the user about the failure: %s", exc)
