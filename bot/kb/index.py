"""The matcher's index as the SQLite file keeps it: one row per entry (reached as
``store.index``).

Why it is stored: normalising an entry's texts is most of what building the matcher costs
(about 0.2 ms an entry, 20 s for 100,000 entries). A row is computed once, when the entry is
written (by ``kb import``, or by the bot when it sees the change), and every start reads it
back instead. Each row carries the fingerprint of the normaliser that made it and the
knowledge base's version it was made at, so a changed lexicon or a later edit (from any
process) marks it stale and it is computed again. What the rows hold is decided by the
matcher (:mod:`bot.core.matcher`); this module only keeps them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from bot.errors import StoreError

if TYPE_CHECKING:
    from bot.kb.models import Entry
    from bot.kb.store import Store

BATCH = 500  # ids per IN (...) query: well under SQLite's bound on parameters


@dataclass(frozen=True)
class IndexRow:
    """What the matcher keeps of one entry (see ``m010_match_index`` for the columns)."""

    entry_id: str
    key: str
    revision: int
    strong: str
    weak: str
    periods: str
    phrases: str
    doc: str


class Slot(NamedTuple):
    """The part of a row a start reads for every entry: the words that find it."""

    entry_id: str
    strong: str
    weak: str
    periods: str
    phrases: str


class MatchIndex:
    """Rows of the matcher's index in the store's database."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.db = store.db

    def stale(self, key: str) -> list[str]:
        """Active entries whose row is missing, made by another normaliser, or older than
        the entry's last revision, in knowledge-base order."""
        return [r[0] for r in self.db.execute(
            "SELECT e.id FROM entries e LEFT JOIN match_index m ON m.entry_id = e.id "
            "WHERE e.status = 'active' AND (m.entry_id IS NULL OR m.key != ? OR m.revision < "
            "COALESCE((SELECT MAX(r.id) FROM revisions r WHERE r.entry_id = e.id), 0)) "
            "ORDER BY e.rowid", [key])]

    def changed_since(self, version: int) -> list[str]:
        """Entries with a revision after ``version`` (created, edited, deleted, restored)."""
        return [r[0] for r in self.db.execute(
            "SELECT entry_id FROM revisions WHERE id > ? GROUP BY entry_id ORDER BY MIN(id)",
            [version])]

    def slots(self, key: str) -> Iterator[Slot]:
        """Every active entry's words, in knowledge-base order (rows of ``key`` only)."""
        for r in self.db.execute(
                "SELECT m.entry_id, m.strong, m.weak, m.periods, m.phrases FROM entries e "
                "JOIN match_index m ON m.entry_id = e.id AND m.key = ? "
                "WHERE e.status = 'active' ORDER BY e.rowid", [key]):
            yield Slot._make(r)

    def docs(self, entry_ids: Sequence[str], key: str) -> dict[str, IndexRow]:
        """The full rows of these entries (those of ``key``)."""
        found: dict[str, IndexRow] = {}
        for i in range(0, len(entry_ids), BATCH):
            part = list(entry_ids[i : i + BATCH])
            marks = ",".join("?" * len(part))
            for r in self.db.execute(
                    "SELECT entry_id, key, revision, strong, weak, periods, phrases, doc "
                    f"FROM match_index WHERE key = ? AND entry_id IN ({marks})", [key, *part]):
                found[r[0]] = IndexRow(*r)
        return found

    def write(self, rows: Iterable[IndexRow]) -> int:
        """Store rows (replacing an entry's old row, and with it its vectors)."""
        data = [(r.entry_id, r.key, r.revision, r.strong, r.weak, r.periods, r.phrases, r.doc)
                for r in rows]
        if data:
            try:
                with self._store.transaction():
                    self.db.conn.executemany(
                        "INSERT OR REPLACE INTO match_index (entry_id, key, revision, strong, "
                        "weak, periods, phrases, doc, vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                        "NULL)", data)
            except sqlite3.Error as exc:  # locked or full: the rows stay stale, done later
                raise StoreError(f"cannot write the matching index: {exc}") from None
        return len(data)

    def vectors(self, entry_ids: Sequence[str], key: str) -> dict[str, bytes]:
        """The stored embeddings of these entries (those computed so far)."""
        found: dict[str, bytes] = {}
        for i in range(0, len(entry_ids), BATCH):
            part = list(entry_ids[i : i + BATCH])
            marks = ",".join("?" * len(part))
            for r in self.db.execute(
                    "SELECT entry_id, vectors FROM match_index WHERE key = ? AND vectors IS NOT "
                    f"NULL AND entry_id IN ({marks})", [key, *part]):
                found[r[0]] = bytes(r[1])
        return found

    def set_vectors(self, vectors: dict[str, bytes], key: str) -> None:
        """Keep computed embeddings beside their rows (rows of another key are left alone)."""
        if vectors:
            try:
                with self._store.transaction():
                    self.db.conn.executemany(
                        "UPDATE match_index SET vectors = ? WHERE entry_id = ? AND key = ?",
                        [(v, k, key) for k, v in vectors.items()])
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the matching index: {exc}") from None

    def entries(self, entry_ids: Sequence[str]) -> dict[str, Entry]:
        """The active entries among these ids, read through the same connection (to make
        a row the table lacks)."""
        return self._store.active_by_id(entry_ids)

    def forget(self, entry_ids: Iterable[str]) -> None:
        """Drop the rows of entries that no longer exist."""
        with self._store.transaction():
            self.db.conn.executemany("DELETE FROM match_index WHERE entry_id = ?",
                                     [(i,) for i in entry_ids])
