"""The daily fact: /subscribe, /unsubscribe and the JobQueue job that sends it.

Each chat's fact is sent on its own: a failure in one chat never stops the fact for the
chats after it. A chat that blocked or removed the bot is unsubscribed; one that became a
supergroup (``ChatMigrated``) is moved to the new id (``Chats.migrate``: its subscription,
the facts it was sent and its language) and gets the fact there, once; a 400 is logged as
an error (a bug of ours, or a chat that is gone). Transient faults are retried by the rate
limiter for up to a minute; if the fact still was not taken, that chat alone is tried
again :data:`FACT_RETRY` seconds later (up to :data:`FACT_RETRIES` times) with the same
fact. A send that may have reached the chat (the
connection broke after the request was written) is not repeated. A database that cannot be
written when a chat's fact is picked (locked by another process, disk full) costs that chat
a try :data:`FACT_RETRY` seconds later, like a fact Telegram did not take.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import cast

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import JobQueue

from bot.core.formatting import answer_html, fit
from bot.core.i18n import texts
from bot.kb.usage import storage_unavailable
from bot.tg.delivery.ratelimit import taken_maybe
from bot.tg.keyboards import answer_keyboard
from bot.tg.replies import migrate_chat, send_reply
from bot.tg.state import Context

log = logging.getLogger(__name__)
FACT_RETRY = 300.0  # seconds before a chat whose fact Telegram did not take is tried again
FACT_RETRIES = 3
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def _may_manage(update: Update, context: Context) -> bool:
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type in {ChatType.PRIVATE, ChatType.CHANNEL}:
        return True  # a private chat is the user's own; channel posts come from its admins
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


async def subscribe_chat(update: Update, context: Context) -> None:
    """Subscribe this chat to the daily fact (group admins only in groups)."""
    st = context.state
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await _may_manage(update, context):
        await send_reply(st, message, "Only this group's admins can subscribe it to the daily fact.")
        return
    new = st.store.chats.subscribe(chat.id, str(chat.type))
    when = f"{st.settings.fact_time} ({st.settings.timezone})"
    await send_reply(st, message, f"Subscribed: a sourced fact will arrive here every day at {when}."
                     if new else f"This chat is already subscribed (daily at {when}).")


async def unsubscribe_chat(update: Update, context: Context) -> None:
    """Stop the daily fact in this chat."""
    st = context.state
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await _may_manage(update, context):
        await send_reply(st, message, "Only this group's admins can change the daily fact.")
        return
    removed = st.store.chats.unsubscribe(chat.id)
    await send_reply(st, message, "Unsubscribed: no more daily facts here." if removed
                     else "This chat was not subscribed.")


async def send_daily_fact(context: Context) -> None:
    """Send each subscribed chat its next fact, never repeating until all were sent."""
    st = context.state
    ids = list(st.engine.entries)
    for chat_id in st.store.chats.subscribers():
        await fact_for_chat(context, chat_id, ids, FACT_RETRIES)


async def fact_for_chat(context: Context, chat_id: int, ids: list[str], retries: int) -> None:
    """Pick a chat's next fact and send it; a database that cannot be written now (locked,
    disk full) puts off this chat alone, :data:`FACT_RETRY` seconds."""
    st = context.state
    try:
        entry_id = st.store.chats.next_fact(chat_id, ids)
    except sqlite3.OperationalError as exc:
        if not storage_unavailable(exc):
            raise
        jobs = cast("JobQueue[Context] | None", context.job_queue)
        if retries > 0 and jobs is not None:
            log.warning("daily fact for chat %s put off %.0fs: the database cannot be "
                        "written (%s)", chat_id, FACT_RETRY, exc)
            jobs.run_once(retry_pick, FACT_RETRY, data=(chat_id, retries - 1),
                          name=f"daily-fact-pick-{chat_id}")
        else:
            log.error("daily fact for chat %s not sent: the database cannot be written (%s)",
                      chat_id, exc)
        return
    if entry_id is not None and entry_id in st.engine.entries:
        await deliver_fact(context, chat_id, entry_id, retries)


async def retry_pick(context: Context) -> None:
    """The job that picks and sends one chat's fact again (data: chat id, retries left)."""
    assert context.job is not None
    chat_id, retries = cast(tuple[int, int], context.job.data)
    if chat_id in context.state.store.chats.subscribers():
        await fact_for_chat(context, chat_id, list(context.state.engine.entries), retries)


async def retry_fact(context: Context) -> None:
    """The job that tries one chat's fact again (data: chat id, entry id, retries left)."""
    assert context.job is not None
    chat_id, entry_id, retries = cast(tuple[int, str, int], context.job.data)
    if chat_id in context.state.store.chats.subscribers():
        await deliver_fact(context, chat_id, entry_id, retries)


def _kept(write: Callable[[], object], chat_id: int) -> bool:
    """Run a chat's bookkeeping write; False (logged) if the database cannot be written
    now: Telegram says the same again next time, and the write is made then."""
    try:
        write()
    except sqlite3.OperationalError as exc:
        if not storage_unavailable(exc):
            raise
        log.warning("chat %s: could not record the change now (%s); it is made the next "
                    "time Telegram reports it", chat_id, exc)
        return False
    return True


async def deliver_fact(context: Context, chat_id: int, entry_id: str, retries: int,
                       *, migrated: bool = False) -> None:
    """Send one chat its fact; never raises, so the next chat always gets its own."""
    st = context.state
    entry = st.engine.entries.get(entry_id)
    if entry is None:
        return
    language = st.store.chats.language(chat_id) or "en"  # a private chat's id is its user's
    text = f"<b>{texts(language).fact_heading}</b>\n\n" + answer_html(
        st.engine.answer_for(entry), language)
    try:
        await context.bot.send_message(chat_id, fit(text), reply_markup=answer_keyboard(
            entry.id, language=language))
    except Forbidden:
        if _kept(lambda: st.store.chats.unsubscribe(chat_id), chat_id):
            log.info("chat %s blocked the bot or removed it; unsubscribed", chat_id)
    except ChatMigrated as exc:
        new_id = int(exc.new_chat_id)
        migrate_chat(st, chat_id, new_id)  # subscription, facts sent, language
        if not migrated:  # the send is tried there once
            await deliver_fact(context, new_id, entry_id, retries, migrated=True)
    except BadRequest as exc:
        log.error("daily fact to chat %s refused by Telegram (400): %s", chat_id, exc)
    except NetworkError as exc:  # TimedOut too
        if taken_maybe(exc):
            log.warning("daily fact to chat %s may or may not have arrived (%s); not sent "
                        "again", chat_id, exc)
        elif retries > 0 and (jobs := cast("JobQueue[Context] | None", context.job_queue)):
            log.warning("daily fact to chat %s not taken (%s); trying again in %.0fs",
                        chat_id, exc, FACT_RETRY)
            jobs.run_once(retry_fact, FACT_RETRY,
                                       data=(chat_id, entry_id, retries - 1),
                                       name=f"daily-fact-retry-{chat_id}")
        else:
            log.error("daily fact to chat %s not sent: %s; giving up until tomorrow",
                      chat_id, exc)
    except TelegramError as exc:
        log.error("daily fact to chat %s failed: %s", chat_id, exc)
    except Exception:  # a bug: log it, and let the other chats have their fact
        log.exception("daily fact to chat %s failed", chat_id)
