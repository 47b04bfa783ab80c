"""Handlers for the informational commands: /start, /help, /topics, /fact, /source, /about,
/language, each replying in the sender's language (their /language choice, else Telegram's
language_code, or the language of the command's text)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.core.formatting import answer_html, citation_html, esc, for_language, question_in
from bot.core.i18n import texts
from bot.core.language import LANGUAGE_NAMES
from bot.core.texts import about_html, help_html, start_html
from bot.tg.keyboards import answer_keyboard, language_keyboard, topics_keyboard
from bot.tg.replies import language_for, send_reply, strip_command
from bot.tg.state import Context


async def start(update: Update, context: Context) -> None:
    """Greet the user, or answer the entry a deep link names (``/start <entry-id>``)."""
    st = context.state
    message = update.effective_message
    if message is None:
        return
    payload = strip_command(message.text or "")
    language = language_for(st, update)
    entry = st.engine.entry(payload) if payload else None
    if entry is not None:
        await send_reply(st, message, answer_html(st.engine.answer_for(entry), language),
                         answer_keyboard(entry.id, language=language,
                                         share=question_in(entry, language)),
                         language=language)
        return
    topics = st.engine.topics_in(language)
    await send_reply(st, message, start_html(topics, language), language=language)


async def help_command(update: Update, context: Context) -> None:
    """List the ways to ask and the commands."""
    st = context.state
    if update.effective_message:
        language = language_for(st, update)
        await send_reply(st, update.effective_message, help_html(language), language=language)


async def about(update: Update, context: Context) -> None:
    """Credit the column, its author and the primary sources."""
    st = context.state
    if update.effective_message:
        language = language_for(st, update)
        sources = st.engine.sources.values()
        await send_reply(st, update.effective_message, about_html(sources, language),
                         language=language)


async def topics(update: Update, context: Context) -> None:
    """Offer the topics as buttons; a tap lists that topic's questions."""
    st = context.state
    if update.effective_message:
        language = language_for(st, update)
        await send_reply(st, update.effective_message,
                         for_language(esc(texts(language).topics_prompt), language),
                         topics_keyboard(st.engine.topics_in(language)),
                         language=language)


async def fact(update: Update, context: Context) -> None:
    """Send a random sourced fact."""
    st = context.state
    message = update.effective_message
    if message is None:
        return
    language = language_for(st, update)
    engine = st.engine
    entry = engine.random_entry()
    if entry is None:
        await send_reply(st, message, texts(language).kb_empty, language=language)
        return
    await send_reply(st, message, answer_html(engine.answer_for(entry), language),
                     answer_keyboard(entry.id, language=language,
                                     share=question_in(entry, language)), language=language)


async def source(update: Update, context: Context) -> None:
    """Show the full citation of an entry: ``/source <id>``."""
    st = context.state
    message = update.effective_message
    if message is None or message.text is None:
        return
    language = language_for(st, update)
    words = texts(language)
    entry_id = strip_command(message.text).lstrip("#").strip()
    engine = st.engine
    if not entry_id:
        await send_reply(st, message, for_language(words.source_which, language),
                         language=language)
        return
    entry = engine.entry(entry_id)
    if entry is None:
        await send_reply(st, message, for_language(
            words.source_none.format(id=esc(entry_id[:64])), language), language=language)
        return
    answer = engine.answer_for(entry)
    await send_reply(st, message, f"<b>{esc(question_in(entry, language))}</b>\n\n"
                     f"{citation_html(answer.sources, language)}", language=language)


async def language(update: Update, context: Context) -> None:
    """Offer English, اردو, Roman Urdu and automatic as buttons (``/language``)."""
    st = context.state
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    current = st.store.chats.language(user.id)
    shown = language_for(st, update)
    await send_reply(st, message, texts(shown).language_prompt, language_keyboard(current),
                     language=shown)


def language_set_text(choice: str | None, shown: str) -> str:
    """What /language says once a choice is made (in the language now in force)."""
    words = texts(shown)
    if choice is None:
        return words.language_auto
    return words.language_set.format(language=LANGUAGE_NAMES[choice])


async def unknown_command(update: Update, context: Context) -> None:
    """Tell a private user (or a group addressing the bot by name) a command is unknown."""
    st = context.state
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(None, 1)[0]
    if message.chat.type != ChatType.PRIVATE:
        target = command.partition("@")[2]
        if not target or target.casefold() != context.bot.username.casefold():
            return  # a command for another bot, or for everyone: stay quiet in groups
    language = language_for(st, update)
    await send_reply(st, message, for_language(texts(language).unknown_command.format(
        command=esc(command[:64])), language), language=language)


async def not_text(update: Update, context: Context) -> None:
    """Explain, in private chats, that only text questions can be answered."""
    st = context.state
    if update.effective_message:
        language = language_for(st, update)
        await send_reply(st, update.effective_message,
                         for_language(texts(language).not_text, language), language=language)
