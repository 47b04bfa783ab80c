"""Inline mode: ``@botname freelancers`` in any chat offers ready-to-send sourced answers,
in the query's language (or the user's /language choice), with a button that opens the
bot (``InlineQueryResultsButton``) and, under each answer sent, a deep link to it."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from bot.core.engine import Answer
from bot.core.formatting import answer_html, figure_value, question_in
from bot.core.i18n import texts
from bot.tg.replies import language_for
from bot.tg.state import Context

MAX_RESULTS = 10
CACHE_SECONDS = 300
START_PARAMETER = "inline"  # /start inline: the plain greeting


def _article(answer: Answer, language: str, bot_username: str) -> InlineQueryResultArticle:
    entry = answer.entry
    assert entry is not None
    figure = figure_value(answer.figures[0].figure, language) if answer.figures else ""
    found = entry.translation(language) if language != "en" else None
    description = (figure + " — " if figure else "") + (found.answer if found else entry.answer)
    opens = InlineKeyboardMarkup([[InlineKeyboardButton(
        texts(language).button_open, url=f"https://t.me/{bot_username}?start={entry.id}")]])
    return InlineQueryResultArticle(
        id=entry.id,
        title=question_in(entry, language)[:100],
        description=description[:200],
        input_message_content=InputTextMessageContent(answer_html(answer, language)),
        reply_markup=opens,
    )


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to ten sourced answers for the query (the headline facts when empty)."""
    query = update.inline_query
    if query is None:
        return
    engine = context.state.engine
    text = query.query.strip()[: context.state.settings.max_question_chars]
    language = language_for(context.state, update, text)
    if text:
        # not logged: Telegram sends a query per keystroke, so the texts are partial
        answer = engine.ask(text, chat_type="inline", log=False)
        ranked = [answer.entry.id] if answer.entry else []
        ranked += [c.entry_id for c in answer.candidates]
        entries = [e for i in dict.fromkeys(ranked) if (e := engine.entry(i)) is not None]
    else:
        entries = engine.headline(MAX_RESULTS)
    username = context.bot.username
    results = [_article(engine.answer_for(e), language, username) for e in entries[:MAX_RESULTS]]
    button = InlineQueryResultsButton(texts(language).button_open,
                                      start_parameter=START_PARAMETER)
    # personal: the results follow the user's own /language choice
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)
