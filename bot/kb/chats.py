"""What the bot keeps about chats and users: daily-fact subscriptions and the facts sent,
admins granted from Telegram and refused attempts, and the Telegram updates already handled.

Kept apart from :class:`bot.kb.store.Store` (the knowledge) and :class:`bot.kb.usage.Usage`
(what was asked): this is the bot's own state, the only place with chat and user ids. It
shares the store's connection and lock (reached as ``store.chats``); a handled mark commits
together with the questions logged while handling it.
"""

from __future__ import annotations

import contextlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.kb.store import Store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Chats:
    """Subscriptions, admins and handled updates in the store's database."""

    UPDATE_RETENTION = 48 * 3600  # Telegram keeps an unconfirmed update for 24 hours

    def __init__(self, store: Store) -> None:
        self._store = store
        self.db = store.db
        self.lock = store.lock
        self._unwritten: dict[int, float] = {}  # handled update id -> when (not yet written)
        self._load_spill()

    # -- admins -----------------------------------------------------------------------

    def granted_admins(self) -> dict[int, dict[str, Any]]:
        """Admins granted from Telegram: user id -> who granted and when."""
        return {int(r["user_id"]): dict(r) for r in self.db.query("SELECT * FROM admins")}

    def grant(self, user_id: int, *, granted_by: int) -> bool:
        """Make ``user_id`` an admin; False if they already were."""
        with self._store.transaction():
            if self.db.execute("SELECT 1 FROM admins WHERE user_id = ?", [user_id]).fetchone():
                return False
            self.db.table("admins").insert(
                {"user_id": user_id, "granted_by": granted_by, "granted_at": _now()})
            return True

    def revoke(self, user_id: int) -> bool:
        with self._store.transaction():
            return self.db.execute("DELETE FROM admins WHERE user_id = ?", [user_id]).rowcount > 0

    def record_attempt(self, user_id: int, command: str) -> None:
        """Remember a non-admin's try at an admin command."""
        with self._store.transaction():
            self.db.table("admin_attempts").insert(
                {"user_id": user_id, "command": command[:64], "at": _now()})

    # -- subscriptions to the daily fact ---------------------------------------------

    def subscribe(self, chat_id: int, chat_type: str) -> bool:
        """Subscribe a chat; False if it already was."""
        with self._store.transaction():
            if self.db.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?",
                               [chat_id]).fetchone():
                return False
            self.db.table("subscriptions").insert(
                {"chat_id": chat_id, "chat_type": chat_type, "subscribed_at": _now()})
            return True

    def unsubscribe(self, chat_id: int) -> bool:
        """Unsubscribe a chat; False if it was not subscribed."""
        with self._store.transaction():
            cur = self.db.execute("DELETE FROM subscriptions WHERE chat_id = ?", [chat_id])
            return cur.rowcount > 0

    def subscribers(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT chat_id FROM subscriptions ORDER BY chat_id")]

    def next_fact(self, chat_id: int, entry_ids: list[str]) -> str | None:
        """The next entry for a chat's daily fact: none repeats until all were sent.

        Ids no longer in the store (the caller's list may be a moment old) are skipped.
        """
        with self._store.transaction():
            known = {r[0] for r in self.db.execute("SELECT id FROM entries")}
            entry_ids = [e for e in entry_ids if e in known]
            if not entry_ids:
                return None
            sent = {r[0] for r in self.db.execute(
                "SELECT entry_id FROM facts_sent WHERE chat_id = ?", [chat_id])}
            left = [e for e in entry_ids if e not in sent]
            if not left:
                self.db.table("facts_sent").delete_where("chat_id = ?", [chat_id])
                left = list(entry_ids)
            choice = left[0]
            self.db.table("facts_sent").insert(
                {"chat_id": chat_id, "entry_id": choice, "sent_at": _now()}, replace=True)
            return choice

    def migrate(self, old_id: int, new_id: int) -> bool:
        """Move a chat that became a supergroup (Telegram's ``migrate_to_chat_id``) to its
        new id: its subscription, the facts it was sent (so the rotation goes on without
        repeats) and its reply language. One transaction; an entry already kept for the
        new id wins. False if nothing was kept for the old id."""
        moved = 0
        with self._store.transaction():
            for table, key in (("subscriptions", "chat_id"), ("facts_sent", "chat_id"),
                               ("reply_languages", "id")):
                moved += self.db.execute(
                    f"UPDATE OR IGNORE {table} SET {key} = ? WHERE {key} = ?",
                    [new_id, old_id]).rowcount
                self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", [old_id])
            if self.db.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?",
                               [new_id]).fetchone():
                self.db.execute("UPDATE subscriptions SET chat_type = 'supergroup' "
                                "WHERE chat_id = ?", [new_id])
        return moved > 0

    # -- votes: one per user and answer (m011) ---------------------------------------

    def claim_vote(self, user_id: int, entry_id: str) -> bool:
        """True the first time ``user_id`` votes on ``entry_id`` (and remember it), False
        after. Only that a vote was made is kept here, not which way (that goes to the
        feedback table, without the user); call it inside the transaction that records
        the vote, so both are written or neither."""
        with self._store.transaction():
            return self.db.execute(
                "INSERT OR IGNORE INTO votes (user_id, entry_id, at) VALUES (?, ?, ?)",
                [user_id, entry_id, _now()]).rowcount > 0

    # -- reply languages (/language) -------------------------------------------------

    def language(self, user_id: int) -> str | None:
        """A user's chosen reply language (en, ur, roman), or None for automatic."""
        with self.lock:
            row = self.db.execute("SELECT language FROM reply_languages WHERE id = ?",
                                  [user_id]).fetchone()
        return str(row[0]) if row else None

    def set_language(self, user_id: int, language: str | None) -> None:
        """Remember a user's reply language; None goes back to automatic."""
        with self._store.transaction():
            if language is None:
                self.db.execute("DELETE FROM reply_languages WHERE id = ?", [user_id])
            else:
                self.db.table("reply_languages").upsert(
                    {"id": user_id, "language": language, "set_at": _now()}, pk="id")

    # -- Telegram updates already handled (see bot/tg/delivery/once.py) ----------------

    def update_seen(self, update_id: int) -> bool:
        """True if the update with this id was handled already (recorded, or still only
        remembered because the database could not be written)."""
        if update_id in self._unwritten:
            return True
        with self.lock:
            return self.db.execute("SELECT 1 FROM processed_updates WHERE update_id = ?",
                                   [update_id]).fetchone() is not None

    def mark_update(self, update_id: int, *, busy_ms: int | None = None) -> None:
        """Record a handled update (one small commit; old records are pruned now and then).

        The id is remembered in memory first, so it is never handled twice by this process
        even if the write fails; a failed write (``sqlite3.OperationalError``: locked past
        ``busy_ms``, disk full) leaves it, and every earlier unwritten id, for
        :meth:`flush_marks`.
        """
        self._unwritten[update_id] = time.time()
        self.flush_marks(busy_ms=busy_ms)

    @property
    def spill_path(self) -> Path:
        """Where :meth:`spill` keeps handled marks the database could not take at close."""
        return Path(f"{self._store.path}-handled")

    def spill(self) -> bool:
        """Write the unwritten handled marks to :attr:`spill_path` (a small text file next
        to the database, mode 0600), for a stop while the database is locked; the next
        :class:`Chats` on this database reads them back and writes them with its first
        mark. False if there was nothing to keep or the file could not be written."""
        if not self._unwritten or str(self._store.path) == ":memory:":
            return False
        text = "".join(f"{u} {at}\n" for u, at in sorted(self._unwritten.items()))
        try:
            fd = os.open(self.spill_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            return False
        return True

    def _load_spill(self) -> None:
        if str(self._store.path) == ":memory:":
            return
        with contextlib.suppress(OSError, ValueError):
            for line in self.spill_path.read_text(encoding="ascii").splitlines():
                update_id, at = line.split()
                self._unwritten[int(update_id)] = float(at)

    @property
    def unwritten_marks(self) -> int:
        """How many handled updates are remembered but not yet in the database."""
        return len(self._unwritten)

    def flush_marks(self, *, busy_ms: int | None = None) -> None:
        """Write the handled marks not yet written, with the questions logged meanwhile.

        ``busy_ms`` bounds the wait for another connection's write lock (instead of the
        store's 30 s), so a caller on the event loop can retry later rather than block.
        """
        with self.lock:
            if not self._unwritten:
                return
            marks = dict(self._unwritten)
            if busy_ms is not None:
                self.db.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            try:
                with self._store.usage.writing():  # logged questions commit with the marks
                    for mark in marks.items():  # nearly always one
                        self.db.execute("INSERT OR REPLACE INTO processed_updates "
                                        "(update_id, at) VALUES (?, ?)", list(mark))
                    if any(u % 1000 == 0 for u in marks):
                        self.db.execute("DELETE FROM processed_updates WHERE at < ?",
                                        [time.time() - self.UPDATE_RETENTION])
            finally:
                if busy_ms is not None:
                    self.db.execute(f"PRAGMA busy_timeout={self._store.BUSY_TIMEOUT_MS}")
            for update_id in marks:
                self._unwritten.pop(update_id, None)
            if not self._unwritten:
                with contextlib.suppress(OSError):
                    self.spill_path.unlink(missing_ok=True)
