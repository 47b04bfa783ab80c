"""The SQLite store: opening safely, transactions, the knowledge tables, revisions, undo.

A plain SQLite file (WAL mode, mode 0600) that the sqlite-utils CLI and Datasette open as
they are. Every write runs in one transaction and every change to an entry writes a
revision (who, how, when, before and after), which ``history`` shows and ``undo`` uses.
The same file keeps what users asked (:mod:`bot.kb.usage`, ``store.usage``) and the bot's
chat state (:mod:`bot.kb.chats`, ``store.chats``): one connection, one lock, so a logged
question commits with the update that asked it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.errors import EditConflict, NotFound, StoreError
from bot.kb import migrations
from bot.kb.chats import Chats
from bot.kb.files import load_dir
from bot.kb.index import BATCH as INDEX_BATCH
from bot.kb.index import MatchIndex
from bot.kb.models import Entry, Figure, Knowledge, Source, Translation
from bot.kb.usage import Usage

SQLITE_MAGIC = b"SQLite format 3\x00"
# The full-text search insert trigger sqlite-utils' enable_fts writes (see _search_index_in_bulk)
_FTS_INSERT = re.compile(
    r'CREATE TRIGGER "(?P<table>\w+)_ai" AFTER INSERT ON "(?P=table)" BEGIN\s*'
    r'INSERT INTO "(?P=table)_fts" \(rowid, (?P<columns>"\w+"(?:, "\w+")*)\) '
    r'VALUES \(new\.rowid, (?P<values>new\."\w+"(?:, new\."\w+")*)\);\s*END')


def now() -> str:
    """The current UTC time as ISO 8601 text (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Revision:
    """One recorded change to an entry."""

    id: int
    entry_id: str
    actor: str
    via: str
    action: str
    at: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undone: bool


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an SQLite database (left untouched); set PKITBOT_DB "
                         "to another path or move the file away")


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)


class Store:
    """The knowledge base in one SQLite database (with its usage and chats records beside)."""

    VERSION_CHECK_EVERY = 0.25  # seconds between looks for other processes' edits
    BUSY_TIMEOUT_MS = 30000  # how long a write waits for another connection's lock

    def __init__(self, path: Path, *, seed: Path | None = None, seed_default: bool = True):
        self.path = path
        _check_file(path)
        existed = path.exists() and path.stat().st_size > 0
        if str(path) != ":memory:":
            _create_private(path)
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self.db = Database(conn)
            tables = set(self.db.table_names())
            if existed and tables and "_sqlite_migrations" not in tables:
                conn.close()
                raise StoreError(f"{path} is an SQLite database of another program "
                                 "(left untouched); set PKITBOT_DB to another path")
            self.db.enable_wal()
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={self.BUSY_TIMEOUT_MS}")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        self.lock = threading.RLock()
        self.usage = Usage(self)
        self.chats = Chats(self)
        self.index = MatchIndex(self)
        self._version = 0
        self._writes = 0
        self._version_marker: tuple[int, int] = (-1, -1)
        self._version_checked = 0.0
        if seed_default and self.db.table("entries").count == 0 and not self._seeded():
            self.replace_all(load_dir(seed), actor="build", via="build")

    # -- transactions and bookkeeping -------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction (nested calls become savepoints)."""
        with self.lock, self.db.atomic():
            yield self.db

    @contextmanager
    def read_snapshot(self) -> Iterator[Database]:
        """Reads that see one state of the database (a read transaction: in WAL mode other
        connections go on writing, unseen), e.g. an export read in batches."""
        with self.lock:
            if self.db.conn.in_transaction:  # already inside a write: that is one state
                yield self.db
                return
            self.db.execute("BEGIN")
            try:
                yield self.db
            finally:
                self.db.conn.rollback()

    def _seeded(self) -> bool:
        return bool(self.db.table("revisions").count)

    @property
    def version(self) -> int:
        """A number that changes whenever the knowledge changes (for matcher reloads).

        Cheap to call per question: the revisions table is only read again when this
        connection wrote, or SQLite's data_version says another connection committed; that
        is asked at most every ``VERSION_CHECK_EVERY`` seconds, so another process's edit
        (``pkitbot kb edit``) is seen within that time, this process's own at once.
        """
        clock = time.monotonic()
        if self._writes == self._version_marker[0] and \
                clock - self._version_checked < self.VERSION_CHECK_EVERY:
            return self._version
        self._version_checked = clock
        marker = (self._writes, self.db.conn.execute("PRAGMA data_version").fetchone()[0])
        if marker != self._version_marker:
            row = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM revisions").fetchone()
            self._version_marker, self._version = marker, int(row[0])
        return self._version

    def close(self) -> None:
        """Write what is pending and close the connection."""
        try:
            self.chats.flush_marks()  # handled updates only remembered so far
            self.usage.flush_log()
        finally:
            self.db.conn.close()

    # -- reading ----------------------------------------------------------------------

    def sources(self) -> dict[str, Source]:
        return {
            r["id"]: Source(r["id"], r["title"], r["author"], r["publisher"], r["date"],
                            r["url"], r["kind"] or "primary")
            for r in self.db.query("SELECT * FROM sources ORDER BY rowid")
        }

    def entries(self, *, include_deleted: bool = False) -> list[Entry]:
        return self._load("" if include_deleted else "WHERE status = 'active'")

    def _load(self, where: str, args: tuple[Any, ...] = ()) -> list[Entry]:
        """The entries whose row matches ``where`` (SQL on ``entries``), with their parts.

        Without ``where``, every table is read once in full; with it, the entry rows are read
        first and their parts by their ids (the ``entry_id`` indexes), so one entry costs a
        few index lookups whatever the size of the base.
        """
        rows = list(self.db.query(f"SELECT * FROM entries {where} ORDER BY rowid", args))
        if not where:
            return self._assemble(rows, "", ())
        entries: list[Entry] = []
        for start in range(0, len(rows), self.ID_BATCH):
            chunk = rows[start:start + self.ID_BATCH]
            ids = tuple(r["id"] for r in chunk)
            entries += self._assemble(chunk, f"entry_id IN ({', '.join('?' * len(ids))})", ids)
        return entries

    ID_BATCH = 500  # ids per query (SQLite allows 32766 variables; fewer plan just as well)

    def _assemble(self, rows: list[dict[str, Any]], mine: str,
                  args: tuple[str, ...]) -> list[Entry]:
        """Entries from their ``rows``, their parts read where ``mine`` (all when empty)."""
        cond, order = (f"AND {mine}", "entry_id, ") if mine else ("", "")
        questions: dict[str, list[str]] = {}
        for q in self.db.execute(
            f"SELECT entry_id, text FROM questions WHERE kind != 'canonical' {cond} "
            f"ORDER BY {order}id", args,
        ):
            questions.setdefault(q[0], []).append(q[1])
        sources: dict[str, list[str]] = {}
        for s in self.db.execute(f"SELECT entry_id, source_id FROM entry_sources WHERE 1 {cond} "
                                 f"ORDER BY {order}position", args):
            sources.setdefault(s[0], []).append(s[1])
        figures: dict[str, list[Figure]] = {}
        for f in self.db.execute(
            "SELECT entry_id, metric, value, unit, period, period_label, qualifier, source_id "
            f"FROM figures WHERE 1 {cond} ORDER BY {order}id", args,
        ):
            figures.setdefault(f[0], []).append(Figure(*f[1:]))
        translations: dict[str, list[tuple[str, Translation]]] = {}
        for t in self.db.execute(
            f"SELECT entry_id, language, topic, answer FROM translations WHERE 1 {cond} "
            "ORDER BY entry_id, language DESC", args,  # ur, then roman
        ):
            translations.setdefault(t[0], []).append((t[1], Translation(t[2], t[3])))
        return [
            Entry(
                id=r["id"], topic=r["topic"], question=r["question"], answer=r["answer"],
                alternates=tuple(questions.get(r["id"], ())),
                figures=tuple(figures.get(r["id"], ())),
                keywords=tuple(json.loads(r["keywords"] or "[]")),
                sources=tuple(sources.get(r["id"], ())),
                status=r["status"],
                translations=tuple(translations.get(r["id"], ())),
            )
            for r in rows
        ]

    def entries_by_id(self, ids: Iterable[str]) -> dict[str, Entry]:
        """The entries (deleted ones too) among ``ids`` that exist, read in batches."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Entry] = {}
        for start in range(0, len(wanted), self.ID_BATCH):
            chunk = tuple(wanted[start:start + self.ID_BATCH])
            found.update((e.id, e) for e in self._load(
                f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def iter_entries(self, *, batch: int = 2000) -> Iterator[list[Entry]]:
        """The active entries in order, ``batch`` at a time (an export holds one batch)."""
        last = 0
        while True:
            rowids = [r[0] for r in self.db.execute(
                "SELECT rowid FROM entries WHERE rowid > ? AND status = 'active' "
                "ORDER BY rowid LIMIT ?", [last, batch])]
            if not rowids:
                return
            last = rowids[-1]
            yield self._load("WHERE rowid >= ? AND rowid <= ? AND status = 'active'",
                             (rowids[0], last))

    def summaries(self, topic: str | None = None) -> Iterator[tuple[str, str, str]]:
        """(id, topic, question) of each active entry in order, read as it goes (kb list);
        with ``topic``, only that topic's (compared casefolded)."""
        wanted = topic.casefold() if topic is not None else None
        for row in self.db.execute("SELECT id, topic, question FROM entries "
                                   "WHERE status = 'active' ORDER BY rowid"):
            if wanted is None or row[1].casefold() == wanted:
                yield row[0], row[1], row[2]

    def count(self) -> int:
        """How many active entries there are."""
        return int(self.db.execute(
            "SELECT COUNT(*) FROM entries WHERE status = 'active'").fetchone()[0])

    def knowledge(self) -> Knowledge:
        files = {r[0]: r[1] for r in self.db.execute(
            "SELECT id, file FROM entries WHERE file IS NOT NULL")}
        return Knowledge(sources=self.sources(), entries=self.entries(), files=files)

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry:
        """One entry by id (a deleted one only with ``include_deleted``)."""
        where = "WHERE id = ?" if include_deleted else "WHERE id = ? AND status = 'active'"
        found = self._load(where, (entry_id,))
        if not found:
            raise NotFound(entry_id)
        return found[0]

    def active_by_id(self, entry_ids: Sequence[str]) -> dict[str, Entry]:
        """The active entries among these ids (missing or deleted ones left out)."""
        found: dict[str, Entry] = {}
        for start in range(0, len(entry_ids), INDEX_BATCH):
            part = tuple(entry_ids[start : start + INDEX_BATCH])
            marks = ",".join("?" * len(part))
            found.update((e.id, e) for e in self._load(
                f"WHERE id IN ({marks}) AND status = 'active'", part))
        return found

    def outline(self) -> Iterator[tuple[str, str, bool]]:
        """(id, topic, has figures) of each active entry, in knowledge-base order."""
        for r in self.db.execute(
                "SELECT e.id, e.topic, EXISTS (SELECT 1 FROM figures f WHERE f.entry_id = e.id) "
                "FROM entries e WHERE e.status = 'active' ORDER BY e.rowid"):
            yield r[0], r[1], bool(r[2])

    def first_translated(self, language: str) -> list[str]:
        """For each topic, the first active entry with a translation in ``language``."""
        return [r[0] for r in self.db.execute(
            "SELECT e.id FROM entries e JOIN translations t ON t.entry_id = e.id "
            "AND t.language = ? WHERE e.status = 'active' AND e.rowid = ("
            "SELECT MIN(e2.rowid) FROM entries e2 JOIN translations t2 ON t2.entry_id = e2.id "
            "AND t2.language = ? WHERE e2.status = 'active' AND e2.topic = e.topic)",
            [language, language])]

    def figures_of(self, metric: str, period: str | None) -> list[tuple[str, Figure]]:
        """Every active entry's figures of one metric and period (other sources' figures
        for the same thing), by entry id."""
        return [(r[0], Figure(*r[1:])) for r in self.db.execute(
            "SELECT f.entry_id, f.metric, f.value, f.unit, f.period, f.period_label, "
            "f.qualifier, f.source_id FROM figures f JOIN entries e ON e.id = f.entry_id "
            "AND e.status = 'active' WHERE f.metric = ? AND f.period IS ? ORDER BY e.rowid, f.id",
            [metric, period])]

    def periods_of(self, metric: str) -> list[tuple[str, Figure]]:
        """Every active entry's figures of one metric, any period (a series an admin adds
        one entry per period), by entry id."""
        return [(r[0], Figure(*r[1:])) for r in self.db.execute(
            "SELECT f.entry_id, f.metric, f.value, f.unit, f.period, f.period_label, "
            "f.qualifier, f.source_id FROM figures f JOIN entries e ON e.id = f.entry_id "
            "AND e.status = 'active' WHERE f.metric = ? ORDER BY e.rowid, f.id", [metric])]

    def entry_order(self) -> list[str]:
        """The active entries' ids in knowledge-base order."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM entries WHERE status = 'active' ORDER BY rowid")]

    def exists(self, entry_id: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM entries WHERE id = ?", [entry_id]).fetchone())

    # -- writing the knowledge --------------------------------------------------------

    def _snapshot(self, entry: Entry | None,
                  known: dict[str, Source] | None = None) -> dict[str, Any] | None:
        """What a revision keeps of ``entry``: its export form, status and the sources it
        credits (``known``: the sources as they are, when the caller has read them)."""
        if entry is None:
            return None
        data = entry.to_dict()
        data["status"] = entry.status
        known = self.sources() if known is None else known
        used = set(entry.sources) | {f.source for f in entry.figures if f.source}
        data["_sources"] = [known[s].to_dict() for s in sorted(used) if s in known]
        return data

    def _write_source(self, source: Source) -> None:
        self.db.table("sources").upsert(source.to_dict(), pk="id", alter=False)

    def _write_entry(self, entry: Entry) -> None:
        self._write_entries([entry])

    def _write_entries(self, entries: list[Entry]) -> None:
        """Write ``entries`` (new or replacing their rows and parts), a few statements for
        the whole batch; an existing entry keeps its ``created_at`` and ``file``."""
        if not entries:
            return
        stamp = now()
        ids = [(e.id,) for e in entries]
        execute = self.db.conn.executemany
        for table in ("questions", "figures", "entry_sources", "translations"):
            execute(f"DELETE FROM {table} WHERE entry_id = ?", ids)
        execute(
            "INSERT INTO entries (id, topic, question, answer, keywords, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "topic = excluded.topic, question = excluded.question, answer = excluded.answer, "
            "keywords = excluded.keywords, status = excluded.status, "
            "updated_at = excluded.updated_at",
            [(e.id, e.topic, e.question, e.answer,
              json.dumps(list(e.keywords), ensure_ascii=False), e.status, stamp, stamp)
             for e in entries])
        execute("INSERT INTO questions (entry_id, text, kind) VALUES (?, ?, ?)",
                [(e.id, q, "canonical" if n == 0 else "alternate")
                 for e in entries for n, q in enumerate((e.question, *e.alternates))])
        execute("INSERT INTO entry_sources (entry_id, source_id, position) VALUES (?, ?, ?)",
                [(e.id, sid, n) for e in entries for n, sid in enumerate(e.sources)])
        execute("INSERT INTO figures (entry_id, metric, value, unit, period, period_label, "
                "qualifier, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(e.id, f.metric, f.value, f.unit, f.period, f.period_label, f.qualifier,
                  f.source) for e in entries for f in e.figures])
        execute("INSERT INTO translations (entry_id, language, topic, answer) "
                "VALUES (?, ?, ?, ?)",
                [(e.id, lang, t.topic, t.answer) for e in entries for lang, t in e.translations])

    def _revision(self, entry_id: str, actor: str, via: str, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        self._revisions([(entry_id, action, before, after)], actor, via)
        return int(self.db.execute("SELECT last_insert_rowid()").fetchone()[0])

    def _revisions(self, changes: list[tuple[str, str, dict[str, Any] | None,
                                               dict[str, Any] | None]],
                   actor: str, via: str) -> None:
        """One revision per (entry id, action, before, after), inserted as one batch."""
        if not changes:
            return
        self._writes += 1
        stamp = now()

        def text(snapshot: dict[str, Any] | None) -> str | None:
            return json.dumps(snapshot, ensure_ascii=False) if snapshot is not None else None

        self.db.conn.executemany(
            "INSERT INTO revisions (entry_id, actor, via, action, at, before, after, undone) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            [(eid, actor, via, action, stamp, text(before), text(after))
             for eid, action, before, after in changes])

    def replace_all(self, knowledge: Knowledge, *, actor: str, via: str) -> None:
        """Make the store hold exactly ``knowledge`` (``kb build``); one transaction."""
        with self.transaction():
            current = {e.id: e for e in self.entries(include_deleted=True)}
            for source in knowledge.sources.values():
                self._write_source(source)
            for entry in knowledge.entries:
                before = current.pop(entry.id, None)
                if before is None or before != entry:
                    self._write_entry(entry)
                    self._revision(entry.id, actor, via, "create" if before is None else "update",
                                   self._snapshot(before), self._snapshot(entry))
                if entry.id in knowledge.files:
                    self.db.table("entries").update(entry.id, {"file": knowledge.files[entry.id]})
            for gone in current.values():
                if gone.status == "active":
                    self._set_status(gone, "deleted", actor, via)

    def edits_not_in(self, knowledge: Knowledge) -> list[str]:
        """Ids of entries changed from Telegram or the CLI that ``knowledge`` does not hold.

        ``kb build`` would overwrite or retire them, so it refuses while there are any.
        """
        curated = {e.id: e for e in knowledge.entries}
        last_via = dict(self.db.execute(
            "SELECT entry_id, via FROM revisions WHERE id IN "
            "(SELECT MAX(id) FROM revisions GROUP BY entry_id)").fetchall())
        changed = []
        for entry in self.entries(include_deleted=True):
            if last_via.get(entry.id, "build") == "build":
                continue
            mine = curated.get(entry.id)
            if (mine is None and entry.status == "active") or (mine is not None and mine != entry):
                changed.append(entry.id)
        return changed

    def import_base(self, knowledge: Knowledge) -> ImportBase:
        """What ``knowledge`` would change, as it stands now (kept with a dry run): only the
        entries it names are read."""
        current = self.entries_by_id(e.id for e in knowledge.entries)
        sources = self.sources()
        return ImportBase({e.id: current.get(e.id) for e in knowledge.entries},
                          {sid: sources.get(sid) for sid in knowledge.sources})

    IMPORT_BATCH = 1000  # entries written per batch of statements

    def apply_import(self, knowledge: Knowledge, *, actor: str, via: str,
                     base: ImportBase | None = None,
                     progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Add or update every entry and source of an import (others stay); one transaction.

        With ``base`` (what the dry run saw), only what the import changes relative to it is
        written, and :class:`EditConflict` is raised, changing nothing, if any of that was
        changed by someone else since: a concurrent edit is never silently reverted. A
        changed source is a revision of every entry that credits it, so it is undoable and
        the running bot (which reloads on ``version``) shows it at once.

        The base is read once (only the entries the import names), and entries and their
        revisions are written ``IMPORT_BATCH`` at a time; ``progress(done, total)`` is
        called after each batch with the entries written so far.
        """
        with self.transaction():
            now_ = self.import_base(knowledge)
            base = base or now_
            moved = [f"#{eid}" for eid, entry in knowledge_entries(knowledge)
                     if entry != base.entries[eid] and now_.entries[eid] != base.entries[eid]]
            moved += [f"source {sid}" for sid, src in knowledge.sources.items()
                      if src != base.sources[sid] and now_.sources[sid] != base.sources[sid]]
            if moved:
                shown = ", ".join(moved[:5]) + (f" and {len(moved) - 5} more" if len(moved) > 5
                                                else "")
                raise EditConflict(f"{shown} changed since the dry run; applying the import "
                                   "would overwrite that change")
            counts = self._counts(knowledge, now_)
            changed_sources = {sid: src for sid, src in knowledge.sources.items()
                               if src != base.sources[sid] and src != now_.sources[sid]}
            rewritten = [entry for eid, entry in knowledge_entries(knowledge)
                         if entry != base.entries[eid] and entry != now_.entries[eid]]
            written = {e.id for e in rewritten}
            crediting = [e for e in self._crediting(set(changed_sources))
                         if e.id not in written]
            known = self.sources()
            before = {e.id: self._snapshot(e, known) for e in crediting}  # before sources change
            for source in changed_sources.values():
                self._write_source(source)
            known = self.sources() if changed_sources else known
            self._revisions([(e.id, "update", before[e.id], self._snapshot(e, known))
                             for e in crediting], actor, via)
            self.db.conn.executemany("UPDATE entries SET updated_at = ? WHERE id = ?",
                                     [(now(), e.id) for e in crediting])
            with self._search_index_in_bulk():
                for start in range(0, len(rewritten), self.IMPORT_BATCH):
                    batch = rewritten[start:start + self.IMPORT_BATCH]
                    self._write_entries(batch)
                    self._revisions([(e.id, "create" if now_.entries[e.id] is None
                                      else "update", self._snapshot(now_.entries[e.id], known),
                                      self._snapshot(e, known)) for e in batch], actor, via)
                    if progress is not None:
                        progress(start + len(batch), len(rewritten))
        return counts

    @contextmanager
    def _search_index_in_bulk(self) -> Iterator[None]:
        """Inside a write transaction: index new ``entries`` and ``questions`` rows for
        full-text search in one statement per table at the end, not one trigger run per row.

        The tables' FTS ``AFTER INSERT`` triggers (sqlite-utils' ``enable_fts``, m008) are
        dropped for the duration and created again from their own SQL, all in the same
        transaction, so no other connection ever sees them missing; a trigger that is not
        exactly that form is left alone (and runs as usual). Row-at-a-time FTS5 triggers
        cost about 4x one ``INSERT ... SELECT`` over the same rows. Valid while no row
        inserted here is updated or deleted before the end (an import writes each entry once).
        """
        held = []
        for table in ("entries", "questions"):
            row = self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name = ? AND tbl_name = ?",
                                  [f"{table}_ai", table]).fetchone()
            found = _FTS_INSERT.match(row[0]) if row else None
            if found is None or found["table"] != table or \
                    found["columns"] != found["values"].replace("new.", ""):
                continue
            mark = self.db.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"').fetchone()
            held.append((table, row[0], found["columns"], int(mark[0])))
            self.db.execute(f'DROP TRIGGER "{table}_ai"')
        try:
            yield
        except BaseException:
            for _table, sql, _columns, _mark in held:
                self.db.execute(sql)
            raise
        for table, sql, columns, mark in held:
            self.db.execute(f'INSERT INTO "{table}_fts" (rowid, {columns}) '
                            f'SELECT rowid, {columns} FROM "{table}" WHERE rowid > ?', [mark])
            self.db.execute(sql)

    def _crediting(self, source_ids: set[str]) -> list[Entry]:
        """The active entries that credit any of ``source_ids`` (as a source or a figure's)."""
        if not source_ids:
            return []
        marks = ", ".join("?" * len(source_ids))
        return self._load(
            f"WHERE status = 'active' AND id IN (SELECT entry_id FROM entry_sources WHERE "
            f"source_id IN ({marks}) UNION SELECT entry_id FROM figures WHERE source_id IN "
            f"({marks}))", (*source_ids, *source_ids))

    def diff(self, knowledge: Knowledge) -> dict[str, int]:
        """How an import would change the store: entries new, changed, unchanged, and
        sources new and changed."""
        return self._counts(knowledge, self.import_base(knowledge))

    @staticmethod
    def _counts(knowledge: Knowledge, base: ImportBase) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "unchanged": 0}  # sources_*: only when not 0
        for eid, entry in knowledge_entries(knowledge):
            before = base.entries[eid]
            key = "new" if before is None else "unchanged" if before == entry else "changed"
            counts[key] += 1
        for sid, source in knowledge.sources.items():
            if base.sources[sid] is None:
                counts["sources_new"] = counts.get("sources_new", 0) + 1
            elif base.sources[sid] != source:
                counts["sources_changed"] = counts.get("sources_changed", 0) + 1
        return counts

    def save(self, entry: Entry, *, actor: str, via: str, sources: list[Source] = ()) -> int:  # type: ignore[assignment]
        """Create or update one entry (with any new sources); returns the revision id."""
        with self.transaction():
            before = None
            if self.exists(entry.id):
                before = self.get(entry.id, include_deleted=True)
            for source in sources:
                self._write_source(source)
            self._write_entry(entry)
            return self._revision(entry.id, actor, via, "create" if before is None else "update",
                                  self._snapshot(before), self._snapshot(entry))

    def _set_status(self, entry: Entry, status: str, actor: str, via: str) -> int:
        after = replace(entry, status=status)
        self.db.table("entries").update(entry.id, {"status": status, "updated_at": now()})
        action = "delete" if status == "deleted" else "restore"
        return self._revision(entry.id, actor, via, action, self._snapshot(entry),
                              self._snapshot(after))

    def delete(self, entry_id: str, *, actor: str, via: str) -> int:
        """Retire an entry (restorable with ``restore`` or ``undo``)."""
        with self.transaction():
            entry = self.get(entry_id)
            return self._set_status(entry, "deleted", actor, via)

    def restore(self, entry_id: str, *, actor: str, via: str) -> int:
        with self.transaction():
            entry = self.get(entry_id, include_deleted=True)
            if entry.status == "active":
                raise ValueError(f"#{entry_id} is not deleted")
            return self._set_status(entry, "active", actor, via)

    def history(self, entry_id: str | None = None, limit: int = 50) -> list[Revision]:
        where, args = ("WHERE entry_id = ?", [entry_id]) if entry_id else ("", [])
        rows = self.db.query(
            f"SELECT * FROM revisions {where} ORDER BY id DESC LIMIT ?", [*args, limit])
        return [_revision(r) for r in rows]

    def undo(self, actor: str, *, via: str) -> Revision | None:
        """Revert ``actor``'s most recent change not yet undone; returns it, or None.

        Raises :class:`EditConflict` (changing nothing) when the entry was changed by
        someone else after that change: undo never overwrites a later edit. Undoing a
        creation removes the entry only if nothing else was ever recorded on it after;
        otherwise it is retired (restorable).
        """
        with self.transaction():
            row = next(self.db.query(
                "SELECT * FROM revisions WHERE actor = ? AND undone = 0 AND action != 'undo' "
                "ORDER BY id DESC LIMIT 1", [actor]), None)
            if row is None:
                return None
            rev = _revision(row)
            current = (self.get(rev.entry_id, include_deleted=True)
                       if self.exists(rev.entry_id) else None)
            self._check_no_later_edit(rev, current)
            later = self.db.execute("SELECT 1 FROM revisions WHERE entry_id = ? AND id > ?",
                                    [rev.entry_id, rev.id]).fetchone()
            if rev.before is None and current is not None and later:
                retired = replace(current, status="deleted")
                self.db.table("entries").update(rev.entry_id, {"status": "deleted",
                                                               "updated_at": now()})
                self.db.table("revisions").update(rev.id, {"undone": 1})
                self._revision(rev.entry_id, actor, via, "undo", self._snapshot(current),
                               self._snapshot(retired))
                return rev
            if rev.before is None:
                if current is not None:
                    self._purge(rev.entry_id)
            else:
                for src in rev.before.get("_sources", []):
                    self._write_source(Source(**src))
                self._write_entry(entry_from_snapshot(rev.before))
            self.db.table("revisions").update(rev.id, {"undone": 1})
            self._revision(rev.entry_id, actor, via, "undo", self._snapshot(current), rev.before)
            return rev

    def _check_no_later_edit(self, rev: Revision, current: Entry | None) -> None:
        """Refuse to undo ``rev`` when someone else changed its entry after it."""
        later = next(self.db.query(
            "SELECT * FROM revisions WHERE entry_id = ? AND id > ? AND undone = 0 "
            "AND action != 'undo' AND actor != ? ORDER BY id DESC LIMIT 1",
            [rev.entry_id, rev.id, rev.actor]), None)
        expected = entry_from_snapshot(rev.after) if rev.after is not None else None
        if later is None and current == expected:
            return
        if later is None:  # changed without a revision of its own (someone's undo)
            later = next(self.db.query(
                "SELECT * FROM revisions WHERE entry_id = ? AND id > ? ORDER BY id DESC LIMIT 1",
                [rev.entry_id, rev.id]), None)
        what = (f"{later['action']} by {later['actor']} via {later['via']} at {later['at']}"
                if later else "a change made since")
        raise EditConflict(f"#{rev.entry_id} was changed after your {rev.action} ({what}); "
                           "undoing it would overwrite that change, so nothing was undone "
                           f"(see /history {rev.entry_id})")

    def _purge(self, entry_id: str) -> None:
        for table in ("questions", "figures", "entry_sources", "translations"):
            self.db.table(table).delete_where("entry_id = ?", [entry_id])
        self.db.table("entries").delete(entry_id)

    def backup(self, target: Path) -> None:
        """Copy the live database to ``target`` with SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        dest = sqlite3.connect(str(partial))
        try:
            with self.lock:
                self.usage.flush_log()
                self.db.conn.backup(dest)
        finally:
            dest.close()
        os.chmod(partial, 0o600)
        os.replace(partial, target)

    def set_link_status(self, source_id: str, status: str) -> None:
        with self.transaction():
            self.db.table("sources").update(source_id, {"check_status": status, "checked_at": now()})

@dataclass(frozen=True)
class ImportBase:
    """The entries and sources an import names, as they were when it was checked."""

    entries: dict[str, Entry | None]
    sources: dict[str, Source | None]

    def changes(self, knowledge: Knowledge) -> Knowledge:
        """Only what ``knowledge`` changes relative to this base: asked again after a
        conflict, an import must not carry back what it never meant to change."""
        return Knowledge(
            sources={sid: s for sid, s in knowledge.sources.items() if s != self.sources[sid]},
            entries=[e for e in knowledge.entries if e != self.entries[e.id]],
            files=dict(knowledge.files))


def knowledge_entries(knowledge: Knowledge) -> list[tuple[str, Entry]]:
    return [(e.id, e) for e in knowledge.entries]


def _credited(entry: Entry) -> set[str]:
    return set(entry.sources) | {f.source for f in entry.figures if f.source}


def _revision(r: dict[str, Any]) -> Revision:
    return Revision(r["id"], r["entry_id"], r["actor"], r["via"], r["action"], r["at"],
                    json.loads(r["before"]) if r["before"] else None,
                    json.loads(r["after"]) if r["after"] else None, bool(r["undone"]))


def entry_from_snapshot(data: dict[str, Any]) -> Entry:
    """Rebuild an Entry from a revision snapshot."""
    return Entry(
        id=data["id"], topic=data["topic"], question=data["question"], answer=data["answer"],
        alternates=tuple(data.get("alternates", ())),
        figures=tuple(Figure(**f) for f in data.get("figures", ())),
        keywords=tuple(data.get("keywords", ())), sources=tuple(data.get("sources", ())),
        status=data.get("status", "active"),
        translations=tuple((lang, Translation(**t))
                           for lang, t in data.get("translations", {}).items()),
    )


def open_store(path: Path, *, seed: Path | None = None) -> Store:
    """Open (creating, migrating and filling on first use) the database at ``path``."""
    return Store(path, seed=seed)
