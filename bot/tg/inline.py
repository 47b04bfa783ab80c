"""Inline mode: ``@botname freelancers`` in any chat offers ready-to-send sourced answers."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.core.engine import Answer
from bot.core.formatting import answer_html, figure_value
from bot.tg.state import Context

MAX_RESULTS = 10
CACHE_SECONDS = 300


def _article(answer: Answer) -> InlineQueryResultArticle:
    entry = answer.entry
    assert entry is not None
    figure = figure_value(answer.figures[0].figure) if answer.figures else ""
    description = (figure + " — " if figure else "") + entry.answer
    return InlineQueryResultArticle(
        id=entry.id,
        title=entry.question[:100],
        description=description[:200],
        input_message_content=InputTextMessageContent(answer_html(answer)),
    )


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to ten sourced answers for the query (the headline facts when empty)."""
    query = update.inline_query
    if query is None:
        return
    engine = context.state.engine
    text = query.query.strip()[: context.state.settings.max_question_chars]
    if text:
        # not logged: Telegram sends a query per keystroke, so the texts are partial
        answer = engine.ask(text, chat_type="inline", log=False)
        ranked = [answer.entry.id] if answer.entry else []
        ranked += [c.entry_id for c in answer.candidates]
        entries = [e for i in dict.fromkeys(ranked) if (e := engine.entry(i)) is not None]
    else:
        entries = engine.headline(MAX_RESULTS)
    results = [_article(engine.answer_for(e)) for e in entries[:MAX_RESULTS]]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
