"""Long polling that confirms an update to Telegram only after it has been handled.

python-telegram-bot's ``Updater`` advances the ``getUpdates`` offset as soon as a batch is
fetched and queued, so a restart loses the updates that were queued but not yet handled.
:class:`Poller` instead confirms an update (moves the offset past it) only once it and every
update before it have been handled (``application.process_update``), and records each
handled id in the store (``processed_updates``): an update Telegram delivers again after a
crash or restart (handled but not yet confirmed) is skipped, not answered twice.

Updates are handled a few at a time (``concurrency``, default 3): while one waits for
Telegram to take its answer, the next one is matched and formatted. Updates from the same
chat (or, without a chat, the same user) are handled one after another, in order, so answers
in a chat never overtake each other; one waiting for its chat takes no slot, so a busy chat
does not hold back the others. The next ``getUpdates`` goes out while the last updates of a
batch are still being handled; it confirms only what is done, and the updates it returns
again (still in hand) are recognised by id and not handled twice. When it returns nothing
new, it is asked again after ``REPOLL`` seconds or as soon as an update is done.

Faults: a 429 on ``getUpdates`` is waited out here for ``retry_after`` (python-telegram-bot
does not pass ``getUpdates`` through the rate limiter), a timed-out long poll is simply
repeated, server errors and dropped connections back off (0.5 s doubling to 30 s), a refused
token stops the bot. A graceful :meth:`Poller.stop` finishes the updates being handled, leaves the rest
unconfirmed (Telegram sends them again to the next run) and confirms what was handled. A
handler task that fails or is cancelled by anything but the stop stops polling, and its
update stays unconfirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.tg.delivery.lifecycle import lifecycle, stop_on_signals
from bot.tg.delivery.once import (
    Admission,
    AnyApplication,
    Handled,
    Ticket,
    drop,
    handle_once,
    order_key,
)
from bot.tg.delivery.ratelimit import stop_sending_waits
from bot.tg.limits import Verdict
from bot.tg.state import BotState

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
CONFIRM_WAIT = 5.0  # longest wait for flood control before the confirming call on stop
REPOLL = 0.2  # with updates in hand and nothing newer: ask Telegram again after this long
RETRY_UNSENT = 2.0  # an update whose reply Telegram did not take: handled again after this


class Poller:
    """Fetch updates with ``getUpdates``, handle them one by one, confirm only handled ones."""

    def __init__(self, application: AnyApplication, *, timeout: int = 10,
                 allowed_updates: Sequence[str] = Update.ALL_TYPES, limit: int = 100,
                 concurrency: int = 3) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.application = application
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.limit = limit
        self.concurrency = concurrency
        self._newest: int | None = None  # the newest update id received (and started)
        self._in_hand: dict[int, asyncio.Task[None]] = {}  # started, not finished (by id)
        self._begun: set[int] = set()  # in hand and being handled: each holds a slot
        self._tails: dict[object, asyncio.Task[None]] = {}  # the last task of each chat
        self._slots = asyncio.Semaphore(concurrency)
        self._failure: BaseException | None = None
        self._unconfirmed: int | None = None  # lowest id that failed or was never handled
        self._wake = asyncio.Event()  # set on stop and on a failure: ends any wait early
        self.handled = 0
        self.skipped = 0
        self.dropped = 0  # over their sender's limits: recorded without handling
        self.admission = Admission(application)
        self._not_before = 0.0  # Telegram's flood control on getUpdates (monotonic time)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Task[tuple[Update, ...]] | None = None
        # updates waiting for the database (locked, disk full), kept in a file beside it so
        # the offset may move past them: id -> the update as Telegram sent it
        self._parked: dict[int, dict[str, object]] = {}
        self._parked_keys: Counter[object] = Counter()  # chats with a parked update

    # -- state shared with the handlers ------------------------------------------------

    def _state(self) -> BotState | None:
        return self.application.bot_data.state


    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Run :meth:`run` in a background task."""
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self.run(), name="pkitbot-poller")

    @property
    def offset(self) -> int | None:
        """The ``getUpdates`` offset: the oldest update not yet handled (None: none seen)."""
        pending = [*(u for u in self._in_hand if u not in self._parked),
                   *([] if self._unconfirmed is None else [self._unconfirmed])]
        if pending:
            return min(pending)
        return None if self._newest is None else self._newest + 1

    async def stop(self) -> None:
        """Finish the updates being handled, stop polling and confirm what was handled.

        Updates still waiting for an earlier one from their chat are not begun: they stay
        unconfirmed, and Telegram sends them again to the next run.
        """
        self._stopping.set()
        self._wake.set()
        stop_sending_waits(self.application)
        if self._fetch is not None:
            self._fetch.cancel()  # an unanswered long poll confirms nothing: safe to abandon
        if self._task is not None:
            await asyncio.wait([self._task])  # its failure, if any, is the caller's to read
            self._task = None
        for update_id, task in list(self._in_hand.items()):
            if update_id not in self._begun:
                task.cancel()
        await self._drain()
        await self.confirm()

    async def _drain(self) -> None:
        """Wait until every update in hand has been handled."""
        while self._in_hand:
            await asyncio.wait(list(self._in_hand.values()))

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
        for attempt in (1, 2):
            try:
                await self.application.bot.get_updates(offset=self.offset, timeout=0, limit=1,
                                                       allowed_updates=self.allowed_updates)
                return
            except TimedOut:
                # httpcore can keep the slot of a long poll cancelled on stop taken for good
                # (encode/httpcore#1093): start a fresh client for getUpdates and try again
                if attempt == 1:
                    await self._fresh_fetch_client()
                    continue
                log.warning("could not confirm handled updates on stop (timed out); the "
                            "store's record keeps them from being handled twice")
            except TelegramError as exc:
                log.warning("could not confirm handled updates on stop (%s); the store's "
                            "record keeps them from being handled twice", exc)
                return

    async def _fresh_fetch_client(self) -> None:
        request = self.application.bot_data.updates_request
        if request is not None:
            await request.shutdown()
            await request.initialize()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- the loop -----------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until :meth:`stop`; raise when the token is refused or handling fails."""
        delay = 0.0
        for update in sorted(self._parked_from_last_run(), key=lambda u: u.update_id):
            key = order_key(update)  # handled first; the store's record skips any done
            before = self._tails.get(key) if key is not None else None
            if before is None:
                await self._slots.acquire()
            self._start(update, key, before, Ticket(Verdict.ALLOW))
        while not self._stopping.is_set():
            self._raise_failure()
            if delay:
                await self._pause(delay)
                if self._stopping.is_set():
                    break
                self._raise_failure()
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                if self._stopping.is_set() or self._failure is not None:
                    break
                raise
            except InvalidToken:
                log.critical("Telegram refused the bot token; polling stops")
                raise
            except RetryAfter as exc:
                delay = exc._retry_after.total_seconds() + 0.1
                self._not_before = time.monotonic() + delay
                if (st := self._state()) is not None:
                    st.metrics["telegram_429"] += 1
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
                st.telegram_ok_at = time.monotonic()
            newest = self._newest
            fresh = sorted((u for u in updates if newest is None or u.update_id > newest),
                           key=lambda u: u.update_id)
            if not fresh:
                if self._in_hand:
                    # Telegram sent back only updates still in hand (it has nothing newer
                    # yet): ask again soon, or as soon as one is done, so that one slow
                    # answer neither holds back other chats nor makes this loop spin
                    await self._pause(REPOLL, list(self._in_hand.values()))
                continue
            for update in fresh:
                if self._stopping.is_set() or self._failure is not None:
                    break  # the rest stays unconfirmed and comes back to the next run
                ticket = self.admission.admit(update)
                if ticket.verdict is Verdict.SILENT:  # over its sender's limits: no handler
                    drop(self.application, update)
                    self._newest = update.update_id
                    self.dropped += 1
                    continue
                key = order_key(update)
                before = self._tails.get(key) if key is not None else None
                if before is None:  # one waiting for its chat takes a slot only when it may run
                    await self._slots.acquire()
                    if self._stopping.is_set() or self._failure is not None:
                        self._slots.release()
                        self.admission.release(ticket)
                        break
                self._start(update, key, before, ticket)
        self._raise_failure()

    # -- updates parked while the database cannot be written --------------------------

    def _parked_path(self) -> Path | None:
        st = self._state()
        return Path(f"{st.store.path}-parked") if st is not None else None

    def _park(self, update: Update) -> None:
        """Keep ``update`` (waiting for the database) in a file beside it, so that the
        offset need not wait for it: a long lock must not fill getUpdates' window of 100
        and hold every other chat. If the file cannot be written, it is not parked (the
        offset waits for it, as before)."""
        if update.update_id in self._parked:
            return
        kept = {**self._parked, update.update_id: update.to_dict()}
        if self._write_parked(kept):
            self._parked = kept
            self._parked_keys[order_key(update)] += 1

    def _unpark(self, update: Update) -> None:
        if self._parked.pop(update.update_id, None) is not None:
            key = order_key(update)
            self._parked_keys[key] -= 1
            if self._parked_keys[key] <= 0:
                del self._parked_keys[key]
            self._write_parked(self._parked)

    def _write_parked(self, parked: dict[int, dict[str, object]]) -> bool:
        path = self._parked_path()
        if path is None or str(path).startswith(":memory:"):
            return False
        try:
            if not parked:
                path.unlink(missing_ok=True)
                return True
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(u) + "\n" for u in parked.values())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not keep updates waiting for the database (%s); the offset "
                        "waits for them", exc)
            return False
        return True

    def _parked_from_last_run(self) -> list[Update]:
        """Updates a previous run parked and confirmed but never handled (it was killed)."""
        path = self._parked_path()
        found: list[Update] = []
        if path is None:
            return found
        with contextlib.suppress(OSError):
            for line in path.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    update = Update.de_json(json.loads(line), self.application.bot)
                    if update is not None:
                        found.append(update)
                        self._parked[update.update_id] = json.loads(line)
                        self._parked_keys[order_key(update)] += 1
        return found

    async def _pause(self, seconds: float, tasks: Sequence[asyncio.Task[None]] = ()) -> None:
        """Wait ``seconds``, or until one of ``tasks`` is done, or a stop or failure."""
        waker = asyncio.create_task(self._wake.wait())
        try:
            await asyncio.wait([waker, *tasks], timeout=seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waker.cancel()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    async def _get_updates(self) -> tuple[Update, ...]:
        self._fetch = asyncio.create_task(self.application.bot.get_updates(
            offset=self.offset, timeout=self.timeout, limit=self.limit,
            allowed_updates=self.allowed_updates))
        try:
            return await self._fetch
        finally:
            self._fetch = None

    def _start(self, update: Update, key: object, before: asyncio.Task[None] | None,
               ticket: Ticket) -> None:
        """Handle ``update`` in a task; after ``before`` (the last from its chat) if given,
        else at once in the slot just taken for it."""
        update_id = update.update_id
        task = asyncio.create_task(self._handle(update, before, ticket))
        self._newest = update_id
        self._in_hand[update_id] = task
        if before is None:
            self._begun.add(update_id)
        if key is not None:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._finished(update_id, key, done))

    def _finished(self, update_id: int, key: object, task: asyncio.Task[None]) -> None:
        self._in_hand.pop(update_id, None)
        if key is not None and self._tails.get(key) is task:
            del self._tails[key]
        if update_id in self._begun:
            self._begun.discard(update_id)
            self._slots.release()
        problem: BaseException | None = None
        if task.cancelled():
            if not self._stopping.is_set():  # not our stop: something cancelled a handler
                problem = RuntimeError(f"handling update {update_id} was cancelled")
        else:
            problem = task.exception()
        if task.cancelled() or problem is not None:
            # never handled, or handling raised (e.g. the store failing): not confirmed
            self._unconfirmed = min(update_id, self._unconfirmed or update_id)
        if problem is not None:
            if self._failure is None:
                self._failure = problem  # polling stops
            self._wake.set()
            if self._fetch is not None:
                self._fetch.cancel()

    async def _handle(self, update: Update, before: asyncio.Task[None] | None,
                      ticket: Ticket) -> None:
        try:
            if before is not None:
                # answers in a chat keep the order of questions; one waiting behind an
                # update parked for the database is parked too (else it holds the offset)
                while not (await asyncio.wait([before], timeout=RETRY_UNSENT))[0]:
                    if order_key(update) in self._parked_keys:
                        self._park(update)
                await self._slots.acquire()
                self._begun.add(update.update_id)
            while (done := await handle_once(self.application, update, ticket.notice)
                   ) in (Handled.UNSENT, Handled.DEFERRED):
                if done is Handled.DEFERRED:
                    self._park(update)
                # Telegram did not take a reply (an outage past the send deadline): not
                # recorded, so handle it again; on stop it stays unconfirmed for the next run
                if self._stopping.is_set():
                    self._unconfirmed = min(update.update_id,
                                            self._unconfirmed or update.update_id)
                    return
                # its slot goes to other chats meanwhile (a locked database can put off
                # several updates at once; they must not starve everyone else)
                self._begun.discard(update.update_id)
                self._slots.release()
                await self._pause(RETRY_UNSENT)
                await self._slots.acquire()
                self._begun.add(update.update_id)
            self._unpark(update)
            if done is Handled.DONE:
                self.handled += 1
            else:
                self.skipped += 1
        finally:
            self.admission.release(ticket)


async def poll_forever(application: AnyApplication, *, timeout: int = 10,
                       concurrency: int = 3) -> None:
    """Run the application with :class:`Poller` until SIGINT/SIGTERM (``pkitbot run``)."""
    stop = stop_on_signals()
    async with lifecycle(application, stop=stop):
        poller = Poller(application, timeout=timeout, concurrency=concurrency)
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
