"""Button presses, one handler per kind, routed by ``CallbackQueryHandler(pattern=...)``.

Callback data is built in :mod:`bot.tg.keyboards` (``kind:part:part``, at most 64 bytes):
``a:<id>`` answers an entry (did you mean, topics), ``v:+|-:<id>`` records feedback,
``s:<id>`` shows the sources, ``t:<n>`` lists a topic's questions, ``x`` does nothing (an
already used button), ``u:...`` and ``i:...`` are the admins' unanswered and import buttons.
Anything else, or an id that no longer exists, gets a polite "out of date" notice.
"""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.core.formatting import answer_html, citation_html, esc
from bot.tg import admin
from bot.tg.keyboards import answer_keyboard, entries_keyboard
from bot.tg.replies import send_reply
from bot.tg.state import Context

__all__ = ["HANDLERS", "STALE"]

STALE = "That button is out of date. Please ask your question again."


def _message(update: Update) -> Message | None:
    query = update.callback_query
    return query.message if query is not None and isinstance(query.message, Message) else None


def _match(context: Context) -> re.Match[str]:
    assert context.matches  # routed by a pattern
    return context.matches[0]


async def answer_button(update: Update, context: Context) -> None:
    """Answer the entry a did-you-mean or topic button names."""
    query = update.callback_query
    assert query is not None
    st = context.state
    entry = st.engine.entry(_match(context)["id"])
    if entry is None:
        await query.answer(STALE)
        return
    await query.answer()
    if (message := _message(update)) is not None:
        await send_reply(st, message, answer_html(st.engine.answer_for(entry)),
                         answer_keyboard(entry.id))


async def vote_button(update: Update, context: Context) -> None:
    """Record 👍 or 👎 on an answer and replace the vote buttons with a thank-you."""
    query = update.callback_query
    assert query is not None
    st = context.state
    found = _match(context)
    entry = st.engine.entry(found["id"])
    if entry is None:
        await query.answer(STALE)
        return
    if not st.votes.first((query.from_user.id, entry.id)):  # one vote per user and answer
        await query.answer("You already voted on this answer. Thanks!")
        return
    message = _message(update)
    up = found["vote"] == "+"
    st.store.usage.record_feedback(entry.id, 1 if up else -1, str(message.chat.type) if message
                             else "inline")
    st.metrics[f"feedback_{'up' if up else 'down'}"] += 1
    await query.answer("Thanks for your feedback!")
    shown = bool(message and message.text and "Sources" in (message.text or "")
                 and message.reply_markup is not None
                 and not any(b.callback_data == f"s:{entry.id}"
                             for row in message.reply_markup.inline_keyboard for b in row))
    await _edit_markup(query.edit_message_reply_markup(
        answer_keyboard(entry.id, voted=True, sources_shown=shown)))


async def sources_button(update: Update, context: Context) -> None:
    """Add the full citation of every source under the answer."""
    query = update.callback_query
    assert query is not None
    st = context.state
    entry = st.engine.entry(_match(context)["id"])
    if entry is None:
        await query.answer(STALE)
        return
    await query.answer()
    answer = st.engine.answer_for(entry)
    text = answer_html(answer) + "\n\n" + citation_html(answer.sources)
    if len(text) > 4096:
        text = citation_html(answer.sources)
    message = _message(update)
    voted = bool(message and message.reply_markup and any(
        b.callback_data == "x" for row in message.reply_markup.inline_keyboard for b in row))
    await _edit_markup(query.edit_message_text(
        text, reply_markup=answer_keyboard(entry.id, voted=voted, sources_shown=True)))


async def topic_button(update: Update, context: Context) -> None:
    """List the questions of one topic as buttons."""
    query = update.callback_query
    assert query is not None
    st = context.state
    topics = st.engine.topics
    index = int(_match(context)["index"])
    if index >= len(topics):
        await query.answer(STALE)
        return
    topic = topics[index]
    entries = st.engine.in_topic(topic)
    await query.answer()
    if (message := _message(update)) is not None:
        await send_reply(st, message, f"<b>{esc(topic)}</b>: pick a question",
                         entries_keyboard(entries[:20]))


async def used_button(update: Update, context: Context) -> None:
    """A button that was already used: acknowledge it quietly."""
    assert update.callback_query is not None
    await update.callback_query.answer()


async def unanswered_button(update: Update, context: Context) -> None:
    """An admin's "add as alias" or "dismiss" on an unanswered question."""
    assert update.callback_query is not None
    await admin.unanswered_button(update, context, (update.callback_query.data or "").split(":"))


async def import_button(update: Update, context: Context) -> None:
    """An admin's Confirm or Cancel on a pending import."""
    assert update.callback_query is not None
    await admin.import_button(update, context, (update.callback_query.data or "").split(":"))


async def stale_button(update: Update, context: Context) -> None:
    """Any other button (an older version's, or forged data): a polite notice."""
    assert update.callback_query is not None
    await update.callback_query.answer(STALE, show_alert=False)


async def _edit_markup(call: object) -> None:
    """Await an edit, ignoring Telegram's 'message is not modified' (a double tap)."""
    try:
        await call  # type: ignore[misc]
    except BadRequest as exc:
        if "not modified" not in str(exc).casefold():
            raise


HANDLERS: tuple[CallbackQueryHandler[Context, None], ...] = (
    CallbackQueryHandler(answer_button, pattern=r"^a:(?P<id>[^:]+)$"),
    CallbackQueryHandler(vote_button, pattern=r"^v:(?P<vote>[+-]):(?P<id>[^:]+)$"),
    CallbackQueryHandler(sources_button, pattern=r"^s:(?P<id>[^:]+)$"),
    CallbackQueryHandler(topic_button, pattern=r"^t:(?P<index>\d{1,4})$"),
    CallbackQueryHandler(used_button, pattern=r"^x$"),
    CallbackQueryHandler(unanswered_button, pattern=r"^u:"),
    CallbackQueryHandler(import_button, pattern=r"^i:"),
    CallbackQueryHandler(stale_button),  # last: whatever no pattern above took
)
