"""Long polling that confirms an update to Telegram only after it has been handled.

python-telegram-bot's ``Updater`` advances the ``getUpdates`` offset as soon as a batch is
fetched and queued, so a restart loses the updates that were queued but not yet handled.
:class:`Poller` instead handles each update (``application.process_update``) before the
offset moves past it, and records its id in the store (``processed_updates``) as soon as it
is handled: an update Telegram delivers again after a crash or restart (it was handled but
not yet confirmed) is skipped, not answered twice.

Faults: a 429 on ``getUpdates`` is waited out for ``retry_after`` (the rate limiter does
this; anything left over is waited here), a timed-out long poll is simply repeated, server
errors and dropped connections back off (0.5 s doubling to 30 s), a refused token stops the
bot. A graceful :meth:`Poller.stop` finishes the update in hand, leaves the rest of the
batch unconfirmed (Telegram sends it again to the next run) and confirms what was handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.lifecycle import lifecycle, stop_on_signals
from bot.tg.state import STATE_KEY, BotState

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
MAX_BACKOFF = 30.0
POLLER_KEY = "pkitbot_poller"
CONFIRM_WAIT = 5.0  # longest wait for flood control before the confirming call on stop


class Poller:
    """Fetch updates with ``getUpdates``, handle them one by one, confirm only handled ones."""

    def __init__(self, application: AnyApplication, *, timeout: int = 10,
                 allowed_updates: Sequence[str] = Update.ALL_TYPES, limit: int = 100) -> None:
        self.application = application
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.limit = limit
        self.offset: int | None = None
        self.handled = 0
        self.skipped = 0
        self._not_before = 0.0  # Telegram's flood control on getUpdates (monotonic time)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Task[tuple[Update, ...]] | None = None

    # -- state shared with the handlers ------------------------------------------------

    def _state(self) -> BotState | None:
        value = self.application.bot_data.get(STATE_KEY)
        return value if isinstance(value, BotState) else None


    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Run :meth:`run` in a background task."""
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self.run(), name="pkitbot-poller")

    async def stop(self) -> None:
        """Finish the update in hand, stop polling and confirm what was handled."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()  # an unanswered long poll confirms nothing: safe to abandon
        if self._task is not None:
            await asyncio.wait([self._task])  # its failure, if any, is the caller's to read
            self._task = None
        await self.confirm()

    async def confirm(self) -> None:
        """Tell Telegram every handled update is done (a last, non-blocking getUpdates)."""
        if self.offset is None:
            return
        wait = self._not_before - time.monotonic()
        if wait > CONFIRM_WAIT:
            log.warning("not confirming handled updates on stop: Telegram asked to wait "
                        "%.0fs; the store's record keeps them from being handled twice", wait)
            return
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            await self.application.bot.get_updates(offset=self.offset, timeout=0, limit=1,
                                                   allowed_updates=self.allowed_updates)
        except TelegramError as exc:
            log.warning("could not confirm handled updates on stop (%s); the store's record "
                        "keeps them from being handled twice", exc)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- the loop -----------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until :meth:`stop`; raise only when the token is refused."""
        delay = 0.0
        while not self._stopping.is_set():
            if delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                if self._stopping.is_set():
                    break
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except InvalidToken:
                log.critical("Telegram refused the bot token; polling stops")
                raise
            except RetryAfter as exc:
                delay = exc._retry_after.total_seconds() + 0.1
                self._not_before = time.monotonic() + delay
                log.warning("getUpdates: flood control, waiting %.1fs as told", delay)
                continue
            except TimedOut:
                delay = 0.0
                continue
            except Conflict as exc:
                delay = min(max(delay * 2, 1.0), MAX_BACKOFF)
                log.warning("getUpdates conflict (%s); retrying in %.1fs", exc, delay)
                continue
            except (NetworkError, TelegramError) as exc:
                delay = min(max(delay * 2, 0.5), MAX_BACKOFF)
                log.warning("getUpdates failed (%s); retrying in %.1fs", exc, delay)
                continue
            delay = 0.0
            st = self._state()
            if st is not None:
                st.extra["telegram_ok_at"] = time.monotonic()
            for update in updates:
                if self._stopping.is_set():
                    break  # the rest stays unconfirmed and comes back to the next run
                await self._handle(update)

    async def _get_updates(self) -> tuple[Update, ...]:
        self._fetch = asyncio.create_task(self.application.bot.get_updates(
            offset=self.offset, timeout=self.timeout, limit=self.limit,
            allowed_updates=self.allowed_updates))
        try:
            return await self._fetch
        finally:
            self._fetch = None

    async def _handle(self, update: Update) -> None:
        if await handle_once(self.application, update):
            self.handled += 1
        else:
            self.skipped += 1
        self.offset = update.update_id + 1


async def handle_once(application: AnyApplication, update: Update) -> bool:
    """Handle an update unless the store says it was handled already; record it after.

    Used by polling and by the webhook, so that either way an update Telegram delivers
    again (after a crash or restart) is not answered twice. False when it was skipped.
    """
    value = application.bot_data.get(STATE_KEY)
    st = value if isinstance(value, BotState) else None
    store = st.store if st is not None else None
    if store is not None and store.update_seen(update.update_id):
        log.info("update %d was handled before a restart; not handling it twice",
                 update.update_id)
        return False
    if st is not None:
        st.metrics["updates"] += 1
    # handler errors go to the error handler; process_update does not raise for them
    await application.process_update(update)
    if store is not None:
        store.mark_update(update.update_id)
    return True


async def poll_forever(application: AnyApplication, *, timeout: int = 10) -> None:
    """Run the application with :class:`Poller` until SIGINT/SIGTERM (``pkitbot run``)."""
    stop = stop_on_signals()
    async with lifecycle(application):
        poller = Poller(application, timeout=timeout)
        await poller.start()
        try:
            assert poller._task is not None
            waiter = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait([poller._task, waiter],
                                         return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if poller._task in done:
                poller._task.result()  # a refused token: raise it
            log.info("stopping: finishing the update in hand")
        finally:
            await poller.stop()
