"""Each update handled once, in its chat's order, within its sender's share: for polling and
webhook alike.

:func:`handle_once` asks the store whether an update was handled before (Telegram delivers
an update again after a crash or restart, until it is confirmed) and records it after, but
only if every request its handlers made was delivered or may have been (a request Telegram
did not take within the rate limiter's deadline leaves the update to be handled again:
:data:`~bot.tg.delivery.ratelimit.OUTCOME`). :class:`ChatOrder` keeps one chat's updates in
arrival order while other chats go on.

:class:`Admission` runs when an update arrives, before it waits for its chat: every kind
of update a user sends (messages, commands, button presses, inline queries) spends that
user's budget (``PKITBOT_USER_RATE_LIMIT`` a minute; the bot's admins are exempt), and one
user has at most :data:`IN_HAND_PER_USER` updates in hand at once. Past either, the user is
told once and the rest are recorded as handled at once without running a handler, so a
flood neither queues behind itself nor holds the poller's window of 100 updates, and other
chats' answers are not held back by it.

:func:`record_handled` writes a handled mark without blocking the event loop: another
process holding the database's write lock (or a full disk) costs a retry later, not a
frozen bot, and the mark is kept in memory meanwhile. Every other write made on the event
loop waits at most :data:`LOOP_BUSY_MS` (:func:`loop_friendly`); a handler whose write
fails because the database is locked or full (:func:`deferred_for_storage`, called by the
error handler) leaves its update unrecorded, like a reply Telegram did not take: it is
handled again 2 s later (polling) or answered 503 (webhook), until the write works. The
handlers write before they reply, so nothing is lost (an admin's edit is applied on a
later try) and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum

from telegram import Update
from telegram.error import TelegramError

from bot.kb import Store
from bot.kb.usage import storage_unavailable
from bot.tg.delivery.ratelimit import OUTCOME, Outcome
from bot.tg.limits import Verdict
from bot.tg.replies import BUSY_NOTICE, USER_NOTICE, asker, tell
from bot.tg.state import PkitbotApp

log = logging.getLogger(__name__)

AnyApplication = PkitbotApp  # kept for the delivery modules' signatures
IN_HAND_PER_USER = 10  # one user's updates being handled or waiting for their chat


class Handled(Enum):
    """What :func:`handle_once` did with an update."""

    DONE = "done"  # handled and recorded
    SKIPPED = "skipped"  # handled before (a redelivery): not handled twice
    UNSENT = "unsent"  # a reply was not taken by Telegram: not recorded, handle it again
    DEFERRED = "deferred"  # a write failed (database locked or full): handle it again


@dataclass(frozen=True)
class Ticket:
    """Admission's verdict on one update: handle it, tell its sender, or drop it."""

    verdict: Verdict
    user: int | None = None  # whose share it took (None: not counted, or dropped)
    notice: str | None = None  # what to tell the sender instead of handling it


class Admission:
    """The per-user budget and the bound on a user's updates in hand, checked on arrival."""

    def __init__(self, application: AnyApplication, bound: int = IN_HAND_PER_USER) -> None:
        self.application = application
        self.bound = bound
        self._in_hand: Counter[int] = Counter()
        self._told_busy: set[int] = set()

    def admit(self, update: Update) -> Ticket:
        """Whether ``update`` is handled (ALLOW), answered with a notice, or dropped."""
        st = self.application.bot_data.state
        if st is None:
            return Ticket(Verdict.ALLOW)
        bot = self.application.bot
        user = asker(update, bot.username, bot.id, st.settings.admins)
        if user is None:
            return Ticket(Verdict.ALLOW)
        notice = None
        verdict = st.user_gate.check(user)  # every update spends the budget, kept or not
        if verdict is not Verdict.ALLOW:
            st.metrics["rate_limited_user"] += 1
            notice = USER_NOTICE
            if user in self._told_busy:  # just told to slow down: once is enough
                verdict = Verdict.SILENT
        elif self._in_hand[user] >= self.bound:
            st.metrics["busy_user"] += 1
            verdict = Verdict.SILENT if user in self._told_busy else Verdict.NOTICE
            self._told_busy.add(user)
            notice = BUSY_NOTICE
        if verdict is Verdict.SILENT:
            return Ticket(verdict)
        self._in_hand[user] += 1
        return Ticket(verdict, user, notice if verdict is Verdict.NOTICE else None)

    def release(self, ticket: Ticket) -> None:
        """The update of ``ticket`` is no longer in hand."""
        if ticket.user is None:
            return
        self._in_hand[ticket.user] -= 1
        if self._in_hand[ticket.user] <= 0:
            del self._in_hand[ticket.user]
            self._told_busy.discard(ticket.user)

    def in_hand(self, user: int) -> int:
        return self._in_hand[user]


def drop(application: AnyApplication, update: Update) -> None:
    """Record an update over its sender's limits as handled, without handling it."""
    st = application.bot_data.state
    if st is not None:
        st.metrics["updates"] += 1
        st.metrics["dropped_updates"] += 1
        record_handled(st.store, update.update_id)


MARK_BUSY_MS = 20  # the longest the event loop waits for another process's write lock
LOOP_BUSY_MS = 50  # the same for any other write made on the event loop
MARK_RETRY_FIRST, MARK_RETRY_MAX = 0.1, 2.0  # seconds between tries to write the marks
_flushers: dict[int, asyncio.Task[None]] = {}  # id(store) -> its retrying task


def loop_friendly(store: Store) -> None:
    """Make ``store``'s writes wait at most :data:`LOOP_BUSY_MS` for another connection's
    lock (SQLite's busy timeout; the store's own default, 30 s, is for the CLI).

    Also settles sqlite-utils' lazy probe for ``INSERT ... ON CONFLICT`` (a write of a
    scratch table on first upsert): run while the database is locked, it fails, is cached
    as "unsupported", and every later upsert of a new row with NOT NULL columns is silently
    dropped (``INSERT OR IGNORE`` of the key alone). SQLite has had it since 3.24.
    """
    store.db._supports_on_conflict = sqlite3.sqlite_version_info >= (3, 24, 0)
    store.BUSY_TIMEOUT_MS = LOOP_BUSY_MS
    store.db.execute(f"PRAGMA busy_timeout={LOOP_BUSY_MS}")


CLOSE_BUSY_MS = 3000  # on stop, how long the last write waits for another process's lock


def close_store(store: Store) -> None:
    """Close the store at the bot's stop, writing the handled marks and questions still
    only in memory; waits up to :data:`CLOSE_BUSY_MS` for a lock. If the database still
    cannot be written, the marks go to a small file beside it (``Chats.spill``: the next
    run reads it, so an unconfirmed update among them is still not answered twice), the
    logged questions are lost (said in the log), and the store is closed anyway."""
    marks, questions = store.chats.unwritten_marks, store.usage.pending_log
    try:
        store.BUSY_TIMEOUT_MS = CLOSE_BUSY_MS
        store.db.execute(f"PRAGMA busy_timeout={CLOSE_BUSY_MS}")
        store.close()
    except sqlite3.OperationalError as exc:
        if not storage_unavailable(exc):
            raise
        spilled = store.chats.spill()  # read back (and written) by the next run
        log.error("stopping with %d handled marks and %d logged questions not written (%s); "
                  "%s", marks, questions, exc,
                  f"the marks are kept in {store.chats.spill_path.name} for the next run"
                  if spilled else "an unconfirmed update among them would be answered again")
        with contextlib.suppress(sqlite3.Error):
            store.db.conn.close()


def deferred_for_storage(error: object, update: object = None) -> bool:
    """True if a handler failed only because the database cannot be written now (locked by
    another process, disk full). Its update is then not recorded as handled, so it is
    handled again later (:func:`handle_once` returns DEFERRED); no apology is sent."""
    if not isinstance(error, BaseException) or not storage_unavailable(error):
        return False
    outcome = OUTCOME.get()
    if outcome is not None:
        outcome.storage.append(type(error).__name__)
    update_id = update.update_id if isinstance(update, Update) else "-"
    log.warning("update %s: the database cannot be written now (%s); it will be handled "
                "again", update_id, error)
    return True


def record_handled(store: Store, update_id: int) -> None:
    """Record a handled update without ever blocking the event loop on the database.

    The store remembers the id in memory at once (so it is not answered twice) and tries to
    write it, waiting at most :data:`MARK_BUSY_MS` for another process's lock. If that fails
    (locked, disk full), a task tries again with growing pauses (0.1 s doubling to 2 s)
    while the bot goes on answering; the marks are written with the first write that works,
    or when the store closes.
    """
    try:
        store.chats.mark_update(update_id, busy_ms=MARK_BUSY_MS)
    except sqlite3.OperationalError as exc:
        task = _flushers.get(id(store))
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            log.warning("could not record handled update %d (%s); remembered, retrying",
                        update_id, exc)
            _flushers[id(store)] = asyncio.get_running_loop().create_task(_flush_later(store))


async def _flush_later(store: Store) -> None:
    delay, tries = MARK_RETRY_FIRST, 0
    try:
        while store.chats.unwritten_marks:
            await asyncio.sleep(delay)
            tries += 1
            try:
                store.chats.flush_marks(busy_ms=MARK_BUSY_MS)
            except sqlite3.OperationalError as exc:
                delay = min(delay * 2, MARK_RETRY_MAX)
                if tries % 30 == 0:
                    log.warning("still cannot record %d handled updates (%s); retrying",
                                store.chats.unwritten_marks, exc)
            except sqlite3.ProgrammingError:  # the store was closed (it wrote them then)
                return
        log.info("recorded the handled updates after %d tries", tries)
    finally:
        _flushers.pop(id(store), None)


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


async def handle_once(application: AnyApplication, update: Update,
                      notice: str | None = None) -> Handled:
    """Handle an update unless the store says it was handled already; record it after.

    Used by polling and by the webhook, so that either way an update Telegram delivers
    again (after a crash or restart) is not answered twice. With ``notice``, the sender is
    told that instead (they are over a limit). Not recorded (UNSENT) when a reply was not
    taken by Telegram within the rate limiter's deadline, or the bot stopped first: the
    caller handles it again, or leaves it unconfirmed for the next run.
    """
    st = application.bot_data.state
    store = st.store if st is not None else None
    if store is not None and store.chats.update_seen(update.update_id):
        log.info("update %d was handled before a restart; not handling it twice",
                 update.update_id)
        return Handled.SKIPPED
    if st is not None:
        st.metrics["updates"] += 1
    outcome = Outcome()
    token = OUTCOME.set(outcome)
    try:
        if notice is None:
            # handler errors go to the error handler; process_update does not raise for them
            await application.process_update(update)
        else:
            try:
                await tell(st, update, notice)
            except TelegramError as exc:
                log.warning("could not tell update %d's sender about the limit: %s",
                            update.update_id, exc)
    finally:
        OUTCOME.reset(token)
    if outcome.unsent:
        if st is not None:
            st.metrics["updates_unsent"] += 1
        log.warning("update %d: %s not taken by Telegram; it will be handled again",
                    update.update_id, ", ".join(outcome.unsent))
        return Handled.UNSENT
    if outcome.storage:  # a write failed (locked, disk full); handled again once it works
        if st is not None:
            st.metrics["updates_deferred_storage"] += 1
        return Handled.DEFERRED
    if store is not None:
        record_handled(store, update.update_id)
    return Handled.DONE
