"""Each update handled once, and a chat's updates in order: shared by polling and webhook.

:func:`handle_once` asks the store whether an update was handled before (Telegram delivers
an update again after a crash or restart, until it is confirmed) and records it after;
:class:`ChatOrder` keeps one chat's updates in arrival order while other chats go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Update

from bot.tg.state import PkitbotApp

log = logging.getLogger(__name__)

AnyApplication = PkitbotApp  # kept for the delivery modules' signatures


def order_key(update: Update) -> object:
    """What an update must stay in order with: its chat, else its user, else nothing."""
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return ("user", user.id) if user is not None else None


class ChatOrder:
    """Updates from one chat one after another, in arrival order; other chats at once.

    For the webhook, where Telegram may deliver several updates at the same time (up to
    ``max_connections``); the poller keeps the same order with its own task chains.
    """

    def __init__(self) -> None:
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}  # key -> (lock, holders)

    @contextlib.asynccontextmanager
    async def turn(self, update: Update) -> AsyncIterator[None]:
        """Wait for the earlier updates of ``update``'s chat, then hold its turn."""
        key = order_key(update)
        if key is None:
            yield
            return
        lock, holders = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, holders + 1)
        try:
            async with lock:
                yield
        finally:
            lock, holders = self._locks[key]
            if holders <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, holders - 1)

    def __len__(self) -> int:
        return len(self._locks)


async def handle_once(application: AnyApplication, update: Update) -> bool:
    """Handle an update unless the store says it was handled already; record it after.

    Used by polling and by the webhook, so that either way an update Telegram delivers
    again (after a crash or restart) is not answered twice. False when it was skipped.
    """
    st = application.bot_data.state
    store = st.store if st is not None else None
    if store is not None and store.chats.update_seen(update.update_id):
        log.info("update %d was handled before a restart; not handling it twice",
                 update.update_id)
        return False
    if st is not None:
        st.metrics["updates"] += 1
    # handler errors go to the error handler; process_update does not raise for them
    await application.process_update(update)
    if store is not None:
        store.chats.mark_update(update.update_id)
    return True
