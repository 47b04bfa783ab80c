"""What users asked: the query log, the unanswered queue, feedback votes and the stats.

Kept apart from :class:`bot.kb.store.Store` (which owns the knowledge) because it is a
different kind of record: no names and no user ids, written on every question rather than
on an admin's edit, and batched so that an answered question costs no commit of its own.
It shares the store's connection and lock (reached as ``store.usage``), so a logged
question and the update's handled mark commit together.

Not every logged line is a question someone waits an answer for: small talk ("salam",
"thanks"; logged with the decision ``smalltalk``) and ``pkitbot ask`` runs (chat type
``cli``: an operator trying the bot) stay in the log but are neither queued as unanswered
nor counted in the stats. Raw question text is kept for ``PKITBOT_LOG_DAYS`` days
(:meth:`Usage.prune`); the rows stay, without the text, so the counts do not change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.kb.store import Store

LogRow = tuple[str, str, str | None, float, str, str, str]

SMALL_TALK = "smalltalk"  # the decision logged for a greeting or thanks with nothing asked
CLI = "cli"  # the chat type of `pkitbot ask`
# the rows that are questions people asked (see the module docstring)
ASKED = f"decision != '{SMALL_TALK}' AND chat_type != '{CLI}'"
BUCKET_MINUTES = 15  # every time zone's offset from UTC is a multiple of 15 minutes


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# SQLite's result codes for "another connection holds the lock" and "the disk is full or
# failing": a write that failed for one of these may work later, so it is kept and retried
_UNAVAILABLE_CODES = {5, 6, 10, 13}  # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL
_UNAVAILABLE_WORDS = ("locked", "busy", "disk is full", "disk i/o")


def storage_unavailable(exc: BaseException) -> bool:
    """True if ``exc`` says the database cannot be written just now (locked by another
    connection, disk full or failing), rather than a bug: the write may be tried again."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _UNAVAILABLE_CODES:
        return True
    text = str(exc).casefold()
    return any(word in text for word in _UNAVAILABLE_WORDS)


class Usage:
    """The usage records in the store's database (one per :class:`Store`)."""

    MAX_PENDING_LOG = 500  # questions held before they are written regardless
    MAX_UNWRITTEN_LOG = 100_000  # held while the database cannot be written; then the oldest go

    def __init__(self, store: Store) -> None:
        self._store = store
        self.db = store.db
        self.lock = store.lock
        self._pending_log: list[LogRow] = []
        self.log_rows_dropped = 0  # questions forgotten unwritten (past MAX_UNWRITTEN_LOG)

    def log_query(self, question: str, normalized: str, entry_id: str | None, score: float,
                  decision: str, chat_type: str) -> None:
        """Record a question (no names, no user ids); unanswered ones also join the queue.

        The row is written with the next :meth:`bot.kb.chats.Chats.mark_update` (in the same
        transaction as that handled mark, so an answered question costs one commit), or
        before anything reads the log, or on :meth:`Store.close`, whichever comes first. If
        that write fails, the rows stay pending for the next one.

        Never raises for a database that cannot be written now (locked by another process,
        disk full): the question is being answered from memory, and its row waits (at most
        :data:`MAX_UNWRITTEN_LOG` of them; past that the oldest are counted in
        ``log_rows_dropped`` and forgotten).
        """
        with self.lock:
            self._pending_log.append((_now(), question[:1000], entry_id, round(score, 4),
                                      decision, chat_type, normalized[:500]))
            if len(self._pending_log) > self.MAX_UNWRITTEN_LOG:
                extra = len(self._pending_log) - self.MAX_UNWRITTEN_LOG
                del self._pending_log[:extra]
                self.log_rows_dropped += extra
            if len(self._pending_log) % self.MAX_PENDING_LOG == 0:
                self.try_flush_log()

    def try_flush_log(self) -> bool:
        """:meth:`flush_log`, but False instead of an error while the database cannot be
        written (the rows stay pending); for readers and callers on the event loop."""
        try:
            self.flush_log()
        except sqlite3.OperationalError as exc:
            if not storage_unavailable(exc):
                raise
            return False
        return True

    @property
    def pending_log(self) -> int:
        """Questions logged but not yet written."""
        return len(self._pending_log)

    def flush_log(self) -> None:
        """Write the questions logged since the last write (one transaction)."""
        with self.lock:
            if self._pending_log:
                with self.writing():
                    pass

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write transaction that also writes the pending query-log rows (and queues the
        unanswered ones); if it fails, the rows stay pending for the next one."""
        with self.lock:
            rows, self._pending_log = self._pending_log, []
            try:
                with self._store.transaction():
                    if rows:
                        self._insert_log(rows)
                    yield
            except BaseException:
                self._pending_log[:0] = rows
                raise

    def _insert_log(self, rows: list[LogRow]) -> None:
        # an entry id the matcher knew may be gone by now (an undone create in another
        # process): the row is kept without the link rather than failing the foreign key
        self.db.conn.executemany(
            "INSERT INTO query_log (at, question, entry_id, score, decision, chat_type) "
            "VALUES (?, ?, (SELECT id FROM entries WHERE id = ?), ?, ?, ?)",
            [row[:6] for row in rows])
        for stamp, question, entry_id, _, decision, chat_type, normalized in rows:
            if decision not in ("answer", SMALL_TALK) and chat_type != CLI and normalized:
                self.db.execute(
                    "INSERT INTO unanswered (normalized, question, count, first_at, last_at, "
                    "status, best_entry_id) VALUES (?, ?, 1, ?, ?, 'open', "
                    "(SELECT id FROM entries WHERE id = ?)) "
                    "ON CONFLICT(normalized) DO UPDATE SET count = count + 1, "
                    "last_at = excluded.last_at, best_entry_id = excluded.best_entry_id, "
                    "status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END",
                    [normalized, question[:500], stamp, stamp, entry_id])

    def record_vote(self, user_id: int, entry_id: str, vote: int, chat_type: str) -> bool:
        """Record ``user_id``'s 👍 (``vote`` > 0) or 👎 on an answer, unless they voted on
        it before (:meth:`bot.kb.chats.Chats.claim_vote`, kept across restarts); one
        transaction, so a failed write records neither. False if it was not their first."""
        with self._store.transaction():
            if not self._store.chats.claim_vote(user_id, entry_id):
                return False
            self.record_feedback(entry_id, vote, chat_type)
            return True

    def record_feedback(self, entry_id: str, vote: int, chat_type: str) -> None:
        with self._store.transaction():
            self.db.execute(
                "INSERT INTO feedback (entry_id, vote, chat_type, at) "
                "VALUES ((SELECT id FROM entries WHERE id = ?), ?, ?, ?)",
                [entry_id, 1 if vote > 0 else -1, chat_type, _now()])

    def unanswered(self, limit: int = 20) -> list[dict[str, Any]]:
        self.try_flush_log()  # locked: what is written so far
        return list(self.db.query(
            "SELECT * FROM unanswered WHERE status = 'open' ORDER BY count DESC, last_at DESC "
            "LIMIT ?", [limit]))

    def set_unanswered_status(self, uid: int, status: str) -> bool:
        with self.writing():
            cur = self.db.execute("UPDATE unanswered SET status = ? WHERE id = ?", [status, uid])
            return cur.rowcount > 0

    def per_day(self, days: int, zone: tzinfo, *, today: date | None = None
                ) -> list[tuple[date, int]]:
        """Questions asked on each of the last ``days`` days in ``zone`` (oldest first,
        ending with ``today``, that zone's date now), days with none included as 0.

        The log keeps UTC times; SQLite counts them per quarter hour and each quarter is
        put on its local day here, so a question at 23:30 UTC counts on the next day in
        Karachi (UTC+5), and the work stays at most 96 groups a day however busy the bot.
        """
        self.try_flush_log()
        today = today or datetime.now(zone).date()
        first = today - timedelta(days=days - 1)
        start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(today + timedelta(days=1), datetime.min.time(),
                               zone).astimezone(UTC)
        counts = dict.fromkeys((first + timedelta(days=i) for i in range(days)), 0)
        bucket = (f"substr(at, 1, 14) || printf('%02d', "
                  f"CAST(substr(at, 15, 2) AS INTEGER) / {BUCKET_MINUTES} * {BUCKET_MINUTES})")
        for stamp, n in self.db.execute(
            f"SELECT {bucket} AS quarter, COUNT(*) FROM query_log "
            f"WHERE at >= ? AND at < ? AND {ASKED} GROUP BY quarter",
            [start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")],
        ):
            day = datetime.fromisoformat(stamp).replace(tzinfo=UTC).astimezone(zone).date()
            if day in counts:
                counts[day] += n
        return list(counts.items())

    def prune(self, days: int) -> int:
        """Forget the text of questions older than ``days`` days (the rows and so every count
        stay) and the unanswered questions last asked before then; returns rows changed."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        with self.writing():
            texts = self.db.execute(
                "UPDATE query_log SET question = NULL WHERE at < ? AND question IS NOT NULL",
                [cutoff]).rowcount
            queued = self.db.execute("DELETE FROM unanswered WHERE last_at < ?",
                                     [cutoff]).rowcount
        return int(texts) + int(queued)

    def stats(self, days: int = 14, zone: tzinfo = UTC) -> dict[str, Any]:
        """Questions asked, share answered, top entries, top unanswered, per-day counts
        (the last ``days`` days in ``zone``, zero days included)."""
        self.try_flush_log()
        total = self.db.execute(f"SELECT COUNT(*) FROM query_log WHERE {ASKED}").fetchone()[0]
        answered = self.db.execute(
            f"SELECT COUNT(*) FROM query_log WHERE decision = 'answer' AND {ASKED}").fetchone()[0]
        top = [dict(r) for r in self.db.query(
            f"SELECT entry_id, COUNT(*) AS n FROM query_log WHERE decision = 'answer' "
            f"AND entry_id IS NOT NULL AND {ASKED} GROUP BY entry_id ORDER BY n DESC LIMIT 5")]
        per_day = [{"day": day.isoformat(), "n": n} for day, n in self.per_day(days, zone)]
        votes = self.db.execute(
            "SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM feedback"
        ).fetchone()
        return {
            "entries": self.db.execute(
                "SELECT COUNT(*) FROM entries WHERE status = 'active'").fetchone()[0],
            "questions": self.db.table("questions").count,
            "sources": self.db.table("sources").count,
            "asked": total,
            "answered": answered,
            "answered_share": (answered / total) if total else 0.0,
            "top_entries": top,
            "top_unanswered": [{"question": r["question"], "count": r["count"]}
                               for r in self.unanswered(5)],
            "per_day": per_day,
            "feedback_up": votes[0],
            "feedback_down": votes[1],
        }
