"""The daily fact: /subscribe, /unsubscribe and the JobQueue job that sends it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden

from bot.core.formatting import answer_html
from bot.tg.keyboards import answer_keyboard
from bot.tg.replies import send_reply
from bot.tg.state import Context

log = logging.getLogger(__name__)
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def _may_manage(update: Update, context: Context) -> bool:
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type in {ChatType.PRIVATE, ChatType.CHANNEL}:
        return True  # a private chat is the user's own; channel posts come from its admins
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


async def subscribe_chat(update: Update, context: Context) -> None:
    """Subscribe this chat to the daily fact (group admins only in groups)."""
    st = context.state
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await _may_manage(update, context):
        await send_reply(st, message, "Only this group's admins can subscribe it to the daily fact.")
        return
    new = st.store.chats.subscribe(chat.id, str(chat.type))
    when = f"{st.settings.fact_time} ({st.settings.timezone})"
    await send_reply(st, message, f"Subscribed: a sourced fact will arrive here every day at {when}."
                     if new else f"This chat is already subscribed (daily at {when}).")


async def unsubscribe_chat(update: Update, context: Context) -> None:
    """Stop the daily fact in this chat."""
    st = context.state
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await _may_manage(update, context):
        await send_reply(st, message, "Only this group's admins can change the daily fact.")
        return
    removed = st.store.chats.unsubscribe(chat.id)
    await send_reply(st, message, "Unsubscribed: no more daily facts here." if removed
                     else "This chat was not subscribed.")


async def send_daily_fact(context: Context) -> None:
    """Send each subscribed chat its next fact, never repeating until all were sent."""
    st = context.state
    engine = st.engine
    ids = list(engine.entries)
    for chat_id in st.store.chats.subscribers():
        entry_id = st.store.chats.next_fact(chat_id, ids)
        entry = engine.entries.get(entry_id) if entry_id else None
        if entry is None:
            continue
        text = "<b>📅 Fact of the day</b>\n\n" + answer_html(engine.answer_for(entry))
        try:
            await context.bot.send_message(chat_id, text[:4096], reply_markup=answer_keyboard(
                entry.id))
        except Forbidden:
            st.store.chats.unsubscribe(chat_id)
            log.info("chat %s blocked the bot or removed it; unsubscribed", chat_id)
        except BadRequest as exc:
            log.warning("daily fact to chat %s failed: %s", chat_id, exc)
