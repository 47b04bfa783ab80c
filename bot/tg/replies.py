"""Answering a question in any chat: limits, the engine, the formatted reply and buttons.

The per-user budget is spent on arrival, for every kind of update (:func:`asker` says whose
budget an update spends; :class:`bot.tg.delivery.once.Admission` checks it and :func:`tell`
sends the one notice); a group's flood gate is spent here, per reply.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from telegram import Message, Update
from telegram.constants import ChatType

from bot.core.engine import Answer
from bot.core.formatting import answer_html
from bot.tg.keyboards import answer_keyboard, suggestions_keyboard
from bot.tg.limits import Verdict
from bot.tg.state import BotState, Context


def markup_for(answer: Answer) -> object | None:
    if answer.answered and answer.entry is not None:
        return answer_keyboard(answer.entry.id)
    if answer.suggestions:
        return suggestions_keyboard(answer.suggestions)
    return None


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
    """Tell the sender of ``update`` that they are over a limit (an inline query: nothing)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.inline_query is None and update.effective_message is not None:
        await send_reply(st, update.effective_message, text)


async def send_reply(st: BotState | None, message: Message, text: str,
                     markup: object | None = None, *, gated: bool = False) -> None:
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
            text, markup = FLOOD_NOTICE, None
    await message.reply_text(text, reply_markup=markup, do_quote=quote)  # type: ignore[arg-type]


async def answer_question(update: Update, context: Context,
                          question: str) -> None:
    """Check the limits, ask the engine and reply (with buttons) to ``update``'s message."""
    message = update.effective_message
    if message is None:
        return
    st = context.state
    started = time.perf_counter()
    chat_type = str(message.chat.type)
    if message.chat.type != ChatType.PRIVATE:
        verdict = st.chat_gate.check(message.chat.id)
        if verdict is not Verdict.ALLOW:
            st.metrics["rate_limited_chat"] += 1
            if verdict is Verdict.NOTICE:
                await send_reply(st, message, FLOOD_NOTICE, gated=True)
            return
    question = question.strip()
    if not question:
        await send_reply(st, message, "Ask me a question after the command, for example: "
                         "<code>/ask What were IT exports in FY25?</code>", gated=True)
        return
    limit = st.settings.max_question_chars
    if len(question) > limit:
        await send_reply(st, message, f"That question is too long ({len(question)} characters). "
                         f"Please keep it under {limit}.", gated=True)
        return
    answer = st.engine.ask(question, chat_type=chat_type)
    st.metrics[f"questions_{answer.decision}"] += 1
    await send_reply(st, message, answer_html(answer), markup_for(answer), gated=True)
    st.latencies.append(time.perf_counter() - started)
    if len(st.latencies) > 10_000:
        del st.latencies[:5_000]


def strip_command(text: str) -> str:
    """'/ask@bot  what?' -> 'what?'."""
    parts = text.split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""
