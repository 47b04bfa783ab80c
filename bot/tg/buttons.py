"""Button presses, one handler per kind, routed by ``CallbackQueryHandler(pattern=...)``.

Callback data is built in :mod:`bot.tg.keyboards` (``kind:part:part``, at most 64 bytes):
``a:<id>`` answers an entry (did you mean, topics), ``v:+|-:<id>`` records feedback,
``s:<id>`` shows the sources, ``t:<n>`` lists a topic's questions, ``x`` does nothing (an
already used button), ``l:<lang>`` sets the reply language, ``u:...`` and ``i:...`` are
the admins' unanswered and import buttons. The answer buttons' last part, when there is one,
is the reply's language (``s:<id>:ur``).
Anything else, or an id that no longer exists, gets a polite "out of date" notice.
"""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.core.formatting import answer_html, citation_html, esc, for_language, question_in
from bot.core.i18n import texts
from bot.tg import admin
from bot.tg.commands import language_set_text
from bot.tg.keyboards import answer_keyboard, entries_keyboard, language_keyboard
from bot.tg.replies import language_for, markup_for, send_reply
from bot.tg.state import Context

__all__ = ["HANDLERS", "STALE"]

STALE = "That button is out of date. Please ask your question again."


def _message(update: Update) -> Message | None:
    query = update.callback_query
    return query.message if query is not None and isinstance(query.message, Message) else None


def _match(context: Context) -> re.Match[str] | None:
    """What the handler's pattern matched; None for a button with no data (python-telegram-
    bot routes those to the first handler: not a button of ours, so treated as stale)."""
    found = context.matches[0] if context.matches else None
    return found if isinstance(found, re.Match) else None


def _language(update: Update, context: Context) -> str:
    """The button's own language part, else the presser's language."""
    found = context.matches[0].groupdict().get("lang") if context.matches else None
    return found or language_for(context.state, update)


def _periods(message: Message | None) -> tuple[tuple[str, str], ...]:
    """The other-period buttons an answer carries (label, entry id), to keep them when its
    buttons are replaced."""
    if message is None or message.reply_markup is None:
        return ()
    return tuple((str(b.text).removeprefix("📅 "), str(b.callback_data).split(":")[1])
                 for row in message.reply_markup.inline_keyboard for b in row
                 if str(b.callback_data or "").startswith("a:"))


def _stale(update: Update, context: Context) -> str:
    return texts(language_for(context.state, update)).stale_button


async def answer_button(update: Update, context: Context) -> None:
    """Answer the entry a did-you-mean or topic button names."""
    query = update.callback_query
    assert query is not None
    st = context.state
    found = _match(context)
    entry = st.engine.entry(found["id"]) if found else None
    if entry is None:
        await query.answer(_stale(update, context))
        return
    await query.answer()
    language = _language(update, context)
    if (message := _message(update)) is not None:
        answer = st.engine.answer_for(entry)
        await send_reply(st, message, answer_html(answer, language),
                         markup_for(answer, language), language=language)


async def vote_button(update: Update, context: Context) -> None:
    """Record 👍 or 👎 on an answer and replace the vote buttons with a thank-you."""
    query = update.callback_query
    assert query is not None
    st = context.state
    found = _match(context)
    entry = st.engine.entry(found["id"]) if found else None
    if entry is None or found is None:
        await query.answer(_stale(update, context))
        return
    language = _language(update, context)
    words = texts(language)
    message = _message(update)
    up = found["vote"] == "+"
    # one vote per user and answer, kept in the database (across restarts); a database
    # that cannot be written now raises, and the update is handled again later
    if not st.store.usage.record_vote(query.from_user.id, entry.id, 1 if up else -1,
                                      str(message.chat.type) if message else "inline"):
        await query.answer(words.vote_again)
        return
    st.metrics[f"feedback_{'up' if up else 'down'}"] += 1
    await query.answer(words.vote_thanks)
    shown = bool(message and message.text and words.sources_heading in (message.text or "")
                 and message.reply_markup is not None
                 and not any(str(b.callback_data or "").startswith(f"s:{entry.id}")
                             for row in message.reply_markup.inline_keyboard for b in row))
    await _edit_markup(query.edit_message_reply_markup(
        answer_keyboard(entry.id, voted=True, sources_shown=shown, language=language,
                        share=question_in(entry, language), periods=_periods(message))))


async def sources_button(update: Update, context: Context) -> None:
    """Add the full citation of every source under the answer."""
    query = update.callback_query
    assert query is not None
    st = context.state
    found = _match(context)
    entry = st.engine.entry(found["id"]) if found else None
    if entry is None:
        await query.answer(_stale(update, context))
        return
    await query.answer()
    language = _language(update, context)
    answer = st.engine.answer_for(entry)
    text = answer_html(answer, language) + "\n\n" + citation_html(answer.sources, language)
    if len(text.encode("utf-16-le")) // 2 > 4096:
        text = citation_html(answer.sources, language)
    message = _message(update)
    voted = bool(message and message.reply_markup and any(
        b.callback_data == "x" for row in message.reply_markup.inline_keyboard for b in row))
    await _edit_markup(query.edit_message_text(
        text, reply_markup=answer_keyboard(entry.id, voted=voted, sources_shown=True,
                                           language=language,
                                           share=question_in(entry, language),
                                           periods=_periods(message))))


async def topic_button(update: Update, context: Context) -> None:
    """List the questions of one topic as buttons."""
    query = update.callback_query
    assert query is not None
    st = context.state
    topics = st.engine.topics
    found = _match(context)
    index = int(found["index"]) if found else len(topics)
    if index >= len(topics):
        await query.answer(_stale(update, context))
        return
    topic = topics[index]
    entries = st.engine.in_topic(topic)
    await query.answer()
    language = language_for(st, update)
    name = entries[0].translation(language) if entries and language != "en" else None
    if (message := _message(update)) is not None:
        text = texts(language).topic_questions.format(topic=esc(name.topic if name else topic))
        await send_reply(st, message, for_language(text, language),
                         entries_keyboard(entries[:20], language), language=language)


async def language_button(update: Update, context: Context) -> None:
    """Remember the presser's reply language (or automatic) and say so in it."""
    query = update.callback_query
    assert query is not None
    st = context.state
    found = _match(context)
    if found is None:
        await query.answer(_stale(update, context))
        return
    code = found["code"]
    choice = None if code == "auto" else code
    st.store.chats.set_language(query.from_user.id, choice)
    shown = language_for(st, update)
    await query.answer()
    await _edit_markup(query.edit_message_text(language_set_text(choice, shown),
                                               reply_markup=language_keyboard(choice)))


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
    await update.callback_query.answer(_stale(update, context), show_alert=False)


async def _edit_markup(call: object) -> None:
    """Await an edit, ignoring Telegram's 'message is not modified' (a double tap)."""
    try:
        await call  # type: ignore[misc]
    except BadRequest as exc:
        if "not modified" not in str(exc).casefold():
            raise


_LANG = r"(?::(?P<lang>ur|roman))?$"  # the reply's language, when not English
HANDLERS: tuple[CallbackQueryHandler[Context, None], ...] = (
    CallbackQueryHandler(answer_button, pattern=r"^a:(?P<id>[^:]+)" + _LANG),
    CallbackQueryHandler(vote_button, pattern=r"^v:(?P<vote>[+-]):(?P<id>[^:]+)" + _LANG),
    CallbackQueryHandler(sources_button, pattern=r"^s:(?P<id>[^:]+)" + _LANG),
    CallbackQueryHandler(language_button, pattern=r"^l:(?P<code>en|ur|roman|auto)$"),
    CallbackQueryHandler(topic_button, pattern=r"^t:(?P<index>\d{1,4})$"),
    CallbackQueryHandler(used_button, pattern=r"^x$"),
    CallbackQueryHandler(unanswered_button, pattern=r"^u:"),
    CallbackQueryHandler(import_button, pattern=r"^i:"),
    CallbackQueryHandler(stale_button),  # last: whatever no pattern above took
)
