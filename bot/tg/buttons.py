"""The callback-query handler: did-you-mean, feedback, sources and topic buttons."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.formatting import answer_html, citation_html, esc
from bot.tg import admin
from bot.tg.keyboards import answer_keyboard, entries_keyboard
from bot.tg.replies import send_reply
from bot.tg.state import state

STALE = "That button is out of date. Please ask your question again."


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Act on a button press; stale or unknown data gets a polite notice."""
    query = update.callback_query
    if query is None:
        return
    st = state(context)
    engine = st.engine
    parts = (query.data or "").split(":")
    kind = parts[0]
    message = query.message if isinstance(query.message, Message) else None
    chat_type = str(message.chat.type) if message else "inline"
    if kind == "a" and len(parts) == 2 and (entry := engine.entry(parts[1])) is not None:
        await query.answer()
        if message is not None:
            await send_reply(st, message, answer_html(engine.answer_for(entry)),
                             answer_keyboard(entry.id))
        return
    if kind == "v" and len(parts) == 3 and parts[1] in "+-" and parts[1] \
            and (entry := engine.entry(parts[2])) is not None:
        st.store.record_feedback(entry.id, 1 if parts[1] == "+" else -1, chat_type)
        st.metrics[f"feedback_{'up' if parts[1] == '+' else 'down'}"] += 1
        await query.answer("Thanks for your feedback!")
        shown = bool(message and message.text and "Sources" in (message.text or "")
                     and message.reply_markup is not None
                     and not any(b.callback_data == f"s:{entry.id}"
                                 for row in message.reply_markup.inline_keyboard for b in row))
        await _edit_markup(query.edit_message_reply_markup(
            answer_keyboard(entry.id, voted=True, sources_shown=shown)))
        return
    if kind == "s" and len(parts) == 2 and (entry := engine.entry(parts[1])) is not None:
        await query.answer()
        answer = engine.answer_for(entry)
        text = answer_html(answer) + "\n\n" + citation_html(answer.sources)
        if len(text) > 4096:
            text = citation_html(answer.sources)
        voted = bool(message and message.reply_markup and any(
            b.callback_data == "x" for row in message.reply_markup.inline_keyboard for b in row))
        await _edit_markup(query.edit_message_text(
            text, reply_markup=answer_keyboard(entry.id, voted=voted, sources_shown=True)))
        return
    if kind == "t" and len(parts) == 2 and parts[1].isdigit():
        engine.reload()
        index = int(parts[1])
        if index < len(engine.topics):
            topic = engine.topics[index]
            entries = [e for e in engine.entries.values() if e.topic == topic]
            await query.answer()
            if message is not None:
                await send_reply(st, message, f"<b>{esc(topic)}</b>: pick a question",
                                 entries_keyboard(entries[:20]))
            return
    if kind == "x":
        await query.answer()
        return
    if kind == "u":
        await admin.unanswered_button(update, context, parts)
        return
    if kind == "i":
        await admin.import_button(update, context, parts)
        return
    await query.answer(STALE, show_alert=False)


async def _edit_markup(call: object) -> None:
    """Await an edit, ignoring Telegram's 'message is not modified' (a double tap)."""
    try:
        await call  # type: ignore[misc]
    except BadRequest as exc:
        if "not modified" not in str(exc).casefold():
            raise
