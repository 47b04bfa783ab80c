"""Answering a question in any chat: limits, the engine, the formatted reply and buttons.

The per-user budget is spent on arrival, for every kind of update (:func:`asker` says whose
budget an update spends; :class:`bot.tg.delivery.once.Admission` checks it and :func:`tell`
sends the one notice); a group's flood gate is spent here, per reply. A reply to a group
that became a supergroup (``ChatMigrated``) moves the chat's records to the new id
(:func:`migrate_chat`) and is sent there, once.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Collection

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import ChatMigrated

from bot.core.engine import Answer
from bot.core.formatting import answer_html, question_in
from bot.core.i18n import texts
from bot.core.language import reply_language
from bot.kb.usage import storage_unavailable
from bot.tg.keyboards import answer_keyboard, suggestions_keyboard
from bot.tg.limits import Verdict
from bot.tg.state import BotState, Context

log = logging.getLogger(__name__)


def migrate_chat(st: BotState | None, old_id: int, new_id: int) -> None:
    """A group became a supergroup: move what the store keeps for it (subscription, facts
    sent, language) to the new id. A database that cannot be written now is logged: the
    next send to the old id meets ``ChatMigrated`` again and moves it then."""
    if st is None:
        return
    try:
        st.store.chats.migrate(old_id, new_id)
    except sqlite3.OperationalError as exc:
        if not storage_unavailable(exc):
            raise
        log.warning("chat %s moved to %s, but the database cannot be written now (%s)",
                    old_id, new_id, exc)
        return
    log.info("chat %s became supergroup %s; its subscription and language moved there",
             old_id, new_id)


def markup_for(answer: Answer, language: str = "en") -> object | None:
    if answer.answered and answer.entry is not None:
        periods = tuple(dict.fromkeys((sf.figure.period or "", sf.entry_id)
                                      for sf in answer.periods))
        return answer_keyboard(answer.entry.id, language=language,
                               share=question_in(answer.entry, language), periods=periods)
    if answer.suggestions:
        return suggestions_keyboard(answer.suggestions, language)
    return None


def language_for(st: BotState | None, update: Update, text: str | None = None) -> str:
    """The reply's language for the update's sender: their /language choice, else the
    language of ``text``, else Telegram's language_code; English without a sender."""
    user = update.effective_user
    if user is None:
        return reply_language(None, text)
    choice = st.store.chats.language(user.id) if st is not None else None
    return reply_language(choice, text, user.language_code)


FLOOD_NOTICE = ("This chat is asking a lot at once; I'll take a short break and answer again "
                "in a minute.")
USER_NOTICE = ("You are asking faster than I can keep up. Please wait a minute, then ask "
               "again.")
BUSY_NOTICE = ("I'm still answering your earlier messages. Please send the rest again once "
               "I have caught up.")


def asker(update: Update, bot_username: str, bot_id: int,
          admins: Collection[int]) -> int | None:
    """The user whose budget ``update`` spends, or None when it spends none.

    Counted: everything in a private chat, button presses, inline queries, and group
    messages meant for the bot (commands, mentions, replies to it). Not counted: the bot's
    admins, bots, channel posts, edits, group chatter the bot does not answer.
    """
    user = update.effective_user
    if user is None or user.is_bot or user.id in admins:
        return None
    if update.callback_query is not None or update.inline_query is not None:
        return user.id
    message = update.message
    if message is None:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return user.id
    text = message.text or message.caption or ""
    replied = message.reply_to_message
    if (text.startswith("/") or f"@{bot_username}".casefold() in text.casefold()
            or (replied is not None and replied.from_user is not None
                and replied.from_user.id == bot_id)):
        return user.id
    return None


async def tell(st: BotState | None, update: Update, text: str) -> None:
    """Tell the sender of ``update`` that they are over a limit (an inline query: nothing),
    in their language (``text`` is one of the English notices here)."""
    key = {USER_NOTICE: "user_notice", BUSY_NOTICE: "busy_notice",
           FLOOD_NOTICE: "flood_notice"}.get(text)
    if key is not None:
        message = update.effective_message
        text = getattr(texts(language_for(st, update, message.text if message else None)), key)
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.inline_query is None and update.effective_message is not None:
        await send_reply(st, update.effective_message, text)


async def send_reply(st: BotState | None, message: Message, text: str,
                     markup: object | None = None, *, gated: bool = False,
                     language: str = "en") -> None:
    """Reply in the message's chat; quoting the asker outside private chats.

    Outside private chats the reply counts against the chat's flood gate (``st.chat_gate``)
    unless ``gated`` (the caller already counted it): past the limit the chat is told once,
    then nothing. So answers, command replies and that notice together stay within
    Telegram's 20 messages a minute per group; past it the rate limiter would hold that
    group's sends, and the updates in hand with them. ``st`` is None only when the bot's
    state is gone (an error during shutdown): then nothing is counted.
    """
    quote = message.chat.type != ChatType.PRIVATE
    if quote and not gated and st is not None:
        verdict = st.chat_gate.check(message.chat.id)
        if verdict is not Verdict.ALLOW:
            st.metrics["rate_limited_chat"] += 1
            if verdict is Verdict.SILENT:
                return
            text, markup = texts(language).flood_notice, None
    try:
        await message.reply_text(text, reply_markup=markup, do_quote=quote)  # type: ignore[arg-type]
    except ChatMigrated as exc:  # the group became a supergroup: reply there, once
        new_id = int(exc.new_chat_id)
        migrate_chat(st, message.chat.id, new_id)
        await message.get_bot().send_message(new_id, text, reply_markup=markup)  # type: ignore[arg-type]


async def answer_question(update: Update, context: Context,
                          question: str) -> None:
    """Check the limits, ask the engine and reply (with buttons) to ``update``'s message."""
    message = update.effective_message
    if message is None:
        return
    st = context.state
    started = time.perf_counter()
    chat_type = str(message.chat.type)
    question = question.strip()
    language = language_for(st, update, question)  # the asker's, in groups too
    words = texts(language)
    if message.chat.type != ChatType.PRIVATE:
        verdict = st.chat_gate.check(message.chat.id)
        if verdict is not Verdict.ALLOW:
            st.metrics["rate_limited_chat"] += 1
            if verdict is Verdict.NOTICE:
                await send_reply(st, message, words.flood_notice, gated=True)
            return
    if not question:
        await send_reply(st, message, words.ask_needs_question, gated=True)
        return
    limit = st.settings.max_question_chars
    if len(question) > limit:
        await send_reply(st, message, words.too_long.format(length=len(question), limit=limit),
                         gated=True)
        return
    answer = st.engine.ask(question, chat_type=chat_type)
    st.metrics[f"questions_{answer.decision}"] += 1
    topics = st.engine.topics_in(language) if not answer.answered else None
    await send_reply(st, message, answer_html(answer, language, topics),
                     markup_for(answer, language), gated=True)
    st.latencies.append(time.perf_counter() - started)
    if len(st.latencies) > 10_000:
        del st.latencies[:5_000]


def strip_command(text: str) -> str:
    """'/ask@bot  what?' -> 'what?'."""
    parts = text.split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""
