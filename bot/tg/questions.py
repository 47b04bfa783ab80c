"""Handlers for questions: private text, /ask, group mentions and replies, channel posts."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update

from bot.tg.replies import answer_question, send_reply, strip_command
from bot.tg.state import Context
from bot.tg.subscriptions import subscribe_chat, unsubscribe_chat

CHANNEL_COMMAND = re.compile(r"^/(?P<cmd>[A-Za-z_]+)(?:@(?P<bot>\w+))?(?:\s+|$)")


async def private_text(update: Update, context: Context) -> None:
    """Answer any text in a private chat as a question."""
    message = update.effective_message
    if message and message.text:
        await answer_question(update, context, message.text)


async def ask_command(update: Update, context: Context) -> None:
    """Answer ``/ask <question>`` (and ``/ask@botname``) in private chats and groups."""
    message = update.effective_message
    if message and message.text:
        await answer_question(update, context, strip_command(message.text))


def _without_mention(message: Message, username: str) -> str | None:
    """The message text without the bot's @mention, or None if it does not mention the bot."""
    text = message.text or ""
    found = False
    for entity, value in message.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        is_us = (entity.type == MessageEntity.MENTION and value[1:].casefold() == username.casefold()
                 ) or (entity.user is not None and entity.user.username
                       and entity.user.username.casefold() == username.casefold())
        if is_us:
            found = True
            text = text.replace(value, " ")
    return " ".join(text.split()) if found else None


async def group_message(update: Update, context: Context) -> None:
    """Answer a group message that mentions the bot or replies to one of its messages."""
    st = context.state
    message = update.effective_message
    if message is None or not message.text:
        return
    question = _without_mention(message, context.bot.username)
    replied = message.reply_to_message
    if question is None and replied is not None and replied.from_user is not None \
            and replied.from_user.id == context.bot.id:
        question = message.text
    if question is None:
        return  # ordinary chatter: stay quiet
    if not question:
        await send_reply(st, message, "Yes? Ask me about Pakistan's IT sector, e.g. "
                         "<i>How many freelancers does Pakistan have?</i>")
        return
    await answer_question(update, context, question)


async def channel_post(update: Update, context: Context) -> None:
    """Handle ``/ask``, ``/subscribe`` and ``/unsubscribe`` posted in a channel."""
    post = update.channel_post
    if post is None or not post.text:
        return
    found = CHANNEL_COMMAND.match(post.text)
    if found is None:
        return
    if found["bot"] and found["bot"].casefold() != context.bot.username.casefold():
        return
    command = found["cmd"].casefold()
    if command == "ask":
        await answer_question(update, context, post.text[found.end():])
    elif command == "subscribe":
        await subscribe_chat(update, context)
    elif command == "unsubscribe":
        await unsubscribe_chat(update, context)
