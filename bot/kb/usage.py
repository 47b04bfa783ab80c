"""What users asked: the query log, the unanswered queue, feedback votes and the stats.

Kept apart from :class:`bot.kb.store.Store` (which owns the knowledge) because it is a
different kind of record: no names and no user ids, written on every question rather than
on an admin's edit, and batched so that an answered question costs no commit of its own.
It shares the store's connection and lock (reached as ``store.usage``), so a logged
question and the update's handled mark commit together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.kb.store import Store

LogRow = tuple[str, str, str | None, float, str, str, str]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Usage:
    """The usage records in the store's database (one per :class:`Store`)."""

    MAX_PENDING_LOG = 500  # questions held before they are written regardless

    def __init__(self, store: Store) -> None:
        self._store = store
        self.db = store.db
        self.lock = store.lock
        self._pending_log: list[LogRow] = []

    def log_query(self, question: str, normalized: str, entry_id: str | None, score: float,
                  decision: str, chat_type: str) -> None:
        """Record a question (no names, no user ids); unanswered ones also join the queue.

        The row is written with the next :meth:`bot.kb.chats.Chats.mark_update` (in the same
        transaction as that handled mark, so an answered question costs one commit), or
        before anything reads the log, or on :meth:`Store.close`, whichever comes first. If
        that write fails, the rows stay pending for the next one.
        """
        with self.lock:
            self._pending_log.append((_now(), question[:1000], entry_id, round(score, 4),
                                      decision, chat_type, normalized[:500]))
            if len(self._pending_log) >= self.MAX_PENDING_LOG:
                self.flush_log()

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
        self.db.conn.executemany(
            "INSERT INTO query_log (at, question, entry_id, score, decision, chat_type) "
            "VALUES (?, ?, ?, ?, ?, ?)", [row[:6] for row in rows])
        for stamp, question, entry_id, _, decision, _, normalized in rows:
            if decision != "answer" and normalized:
                self.db.execute(
                    "INSERT INTO unanswered (normalized, question, count, first_at, last_at, "
                    "status, best_entry_id) VALUES (?, ?, 1, ?, ?, 'open', ?) "
                    "ON CONFLICT(normalized) DO UPDATE SET count = count + 1, "
                    "last_at = excluded.last_at, best_entry_id = excluded.best_entry_id, "
                    "status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END",
                    [normalized, question[:500], stamp, stamp, entry_id])

    def record_feedback(self, entry_id: str, vote: int, chat_type: str) -> None:
        with self._store.transaction():
            self.db.table("feedback").insert({"entry_id": entry_id, "vote": 1 if vote > 0 else -1,
                                              "chat_type": chat_type, "at": _now()})

    def unanswered(self, limit: int = 20) -> list[dict[str, Any]]:
        self.flush_log()
        return list(self.db.query(
            "SELECT * FROM unanswered WHERE status = 'open' ORDER BY count DESC, last_at DESC "
            "LIMIT ?", [limit]))

    def set_unanswered_status(self, uid: int, status: str) -> bool:
        with self.writing():
            cur = self.db.execute("UPDATE unanswered SET status = ? WHERE id = ?", [status, uid])
            return cur.rowcount > 0

    def stats(self, days: int = 14) -> dict[str, Any]:
        """Questions asked, share answered, top entries, top unanswered, per-day counts."""
        self.flush_log()
        total = self.db.execute("SELECT COUNT(*) FROM query_log").fetchone()[0]
        answered = self.db.execute(
            "SELECT COUNT(*) FROM query_log WHERE decision = 'answer'").fetchone()[0]
        top = [dict(r) for r in self.db.query(
            "SELECT entry_id, COUNT(*) AS n FROM query_log WHERE decision = 'answer' "
            "GROUP BY entry_id ORDER BY n DESC LIMIT 5")]
        since = (datetime.now(UTC) - timedelta(days=days)).date().isoformat()
        per_day = [dict(r) for r in self.db.query(
            "SELECT substr(at, 1, 10) AS day, COUNT(*) AS n FROM query_log WHERE at >= ? "
            "GROUP BY day ORDER BY day", [since])]
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
