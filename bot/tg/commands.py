"""Handlers for the informational commands: /start, /help, /topics, /fact, /source, /about."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.core.formatting import answer_html, citation_html, esc
from bot.core.texts import HELP_HTML, about_html, start_html
from bot.tg.keyboards import answer_keyboard, topics_keyboard
from bot.tg.replies import send_reply, strip_command
from bot.tg.state import Context


async def start(update: Update, context: Context) -> None:
    """Greet the user: what the bot knows and three example questions."""
    st = context.state
    if update.effective_message:
        await send_reply(st, update.effective_message, start_html(st.engine.topics))


async def help_command(update: Update, context: Context) -> None:
    """List the ways to ask and the commands."""
    st = context.state
    if update.effective_message:
        await send_reply(st, update.effective_message, HELP_HTML)


async def about(update: Update, context: Context) -> None:
    """Credit the column, its author and the primary sources."""
    st = context.state
    if update.effective_message:
        sources = st.engine.sources.values()
        await send_reply(st, update.effective_message, about_html(sources))


async def topics(update: Update, context: Context) -> None:
    """Offer the topics as buttons; a tap lists that topic's questions."""
    st = context.state
    if update.effective_message:
        await send_reply(st, update.effective_message, "Pick a topic:",
                         topics_keyboard(st.engine.topics))


async def fact(update: Update, context: Context) -> None:
    """Send a random sourced fact."""
    st = context.state
    message = update.effective_message
    if message is None:
        return
    engine = st.engine
    entry = engine.random_entry()
    if entry is None:
        await send_reply(st, message, "The knowledge base is empty right now.")
        return
    await send_reply(st, message, answer_html(engine.answer_for(entry)), answer_keyboard(entry.id))


async def source(update: Update, context: Context) -> None:
    """Show the full citation of an entry: ``/source <id>``."""
    st = context.state
    message = update.effective_message
    if message is None or message.text is None:
        return
    entry_id = strip_command(message.text).lstrip("#").strip()
    engine = st.engine
    if not entry_id:
        await send_reply(st, message, "Which entry? Send <code>/source &lt;id&gt;</code>; the id is "
                         "shown as #id under admin views, or tap 📚 Sources under an answer.")
        return
    entry = engine.entry(entry_id)
    if entry is None:
        await send_reply(st, message, f"I have no entry <code>{esc(entry_id[:64])}</code>. "
                         "Try /topics to browse.")
        return
    answer = engine.answer_for(entry)
    await send_reply(st, message, f"<b>{esc(entry.question)}</b>\n\n{citation_html(answer.sources)}")


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
    await send_reply(st, message, f"I don't know the command {esc(command[:64])}. "
                     "Try /help to see what I can do.")


async def not_text(update: Update, context: Context) -> None:
    """Explain, in private chats, that only text questions can be answered."""
    st = context.state
    if update.effective_message:
        await send_reply(st, update.effective_message,
                         "I can only read text questions. Type your question, e.g. "
                         "<i>How many freelancers does Pakistan have?</i>")
