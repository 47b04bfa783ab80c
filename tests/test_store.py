"""The store: first-use build, revisions, undo, foreign files, usage records."""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.kb import migrations
from bot.kb.files import load_dir
from bot.kb.store import Store, open_store


def test_first_use_creates_and_fills_private_database(db_path: Path) -> None:
    store = open_store(db_path)
    curated = load_dir()
    assert {e.id for e in store.entries()} == {e.id for e in curated.entries}
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # a plain SQLite file other tools can read
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == len(curated.entries)


def test_store_round_trips_curated_entries_exactly(store: Store) -> None:
    curated = {e.id: e for e in load_dir().entries}
    for entry in store.entries():
        assert entry == curated[entry.id]


def test_migrations_are_idempotent(store: Store) -> None:
    before = store.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
    migrations.apply(store.db)
    assert store.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == before
    assert migrations.pending(store.db) == []


def test_reopening_does_not_rebuild_or_duplicate(db_path: Path) -> None:
    first = open_store(db_path)
    revisions = first.db["revisions"].count
    first.close()
    second = open_store(db_path)
    assert second.db["revisions"].count == revisions
    assert second.db["questions"].count == sum(len(e.questions) for e in second.entries())


def test_foreign_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=str(path)):
        open_store(path)
    assert path.read_bytes() == before


def test_other_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        open_store(path)
    assert path.read_bytes() == before


def test_edit_writes_revision_and_undo_restores(store: Store) -> None:
    entry = store.get("it-exports-fy25")
    edited = replace(entry, answer="Edited answer text.")
    store.save(edited, actor="cli:alice", via="cli")
    assert store.get(entry.id).answer == "Edited answer text."
    rev = store.history(entry.id)[0]
    assert (rev.actor, rev.via, rev.action) == ("cli:alice", "cli", "update")
    assert rev.before is not None and rev.before["answer"] == entry.answer
    assert rev.after is not None and rev.after["answer"] == "Edited answer text."
    undone = store.undo("cli:alice", via="cli")
    assert undone is not None and undone.id == rev.id
    assert store.get(entry.id) == entry


def test_undo_only_reverts_that_admins_change(store: Store) -> None:
    a = store.get("it-exports-fy25")
    b = store.get("freelancer-count")
    store.save(replace(a, answer="A by alice"), actor="telegram:1", via="telegram")
    store.save(replace(b, answer="B by bob"), actor="telegram:2", via="telegram")
    store.undo("telegram:1", via="telegram")
    assert store.get(a.id) == a
    assert store.get(b.id).answer == "B by bob"
    assert store.undo("telegram:3", via="telegram") is None


def test_delete_is_restorable(store: Store) -> None:
    entry = store.get("freelancer-count")
    store.delete(entry.id, actor="cli", via="cli")
    assert entry.id not in {e.id for e in store.entries()}
    assert store.get(entry.id, include_deleted=True).status == "deleted"
    store.restore(entry.id, actor="cli", via="cli")
    assert store.get(entry.id) == entry


def test_undo_of_a_create_removes_the_entry(store: Store) -> None:
    entry = replace(store.get("freelancer-count"), id="brand-new-entry")
    store.save(entry, actor="cli", via="cli")
    assert store.exists("brand-new-entry")
    store.undo("cli", via="cli")
    assert not store.exists("brand-new-entry")


def test_failed_write_changes_nothing(store: Store) -> None:
    entry = store.get("it-exports-fy25")
    bad = replace(entry, answer="half-written", sources=("no-such-source",))
    with pytest.raises(sqlite3.IntegrityError):
        store.save(bad, actor="cli", via="cli")
    assert store.get(entry.id) == entry


def test_query_log_has_no_user_ids_and_unanswered_groups_repeats(store: Store) -> None:
    store.usage.log_query("What about Mars?", "mars", None, 0.1, "abstain", "private")
    store.usage.log_query("what about mars", "mars", None, 0.1, "abstain", "group")
    columns = {c.name for c in store.db["query_log"].columns}
    assert not columns & {"user_id", "username", "name", "chat_id"}
    rows = store.usage.unanswered()
    assert len(rows) == 1 and rows[0]["count"] == 2


def test_stats_counts_answered_share(store: Store) -> None:
    store.usage.log_query("q1", "q1", "it-exports-fy25", 0.9, "answer", "private")
    store.usage.log_query("q2", "q2", None, 0.1, "abstain", "private")
    stats = store.usage.stats()
    assert stats["asked"] == 2 and stats["answered"] == 1
    assert stats["answered_share"] == 0.5
    assert stats["top_entries"][0]["entry_id"] == "it-exports-fy25"


def test_logged_questions_commit_with_the_update_and_survive_close(db_path: Path) -> None:
    store = open_store(db_path)
    other = sqlite3.connect(str(db_path))  # e.g. `pkitbot kb unanswered` in another process

    def logged() -> int:
        return int(other.execute("SELECT COUNT(*) FROM query_log").fetchone()[0])

    store.usage.log_query("What about Mars?", "mars", None, 0.1, "abstain", "private")
    store.chats.mark_update(41)  # the update that asked it is handled: both are on disk together
    assert logged() == 1 and store.chats.update_seen(41)
    store.usage.log_query("weather in lahore", "weather lahore", None, 0.1, "abstain", "group")
    store.close()  # e.g. `pkitbot ask` exiting
    assert logged() == 2
    reopened = open_store(db_path)
    assert {r["question"] for r in reopened.usage.unanswered()} == {"What about Mars?",
                                                              "weather in lahore"}
    reopened.close()
    other.close()


def test_daily_fact_rotates_without_repeats(store: Store) -> None:
    ids = sorted(e.id for e in store.entries())[:3]
    seen = [store.chats.next_fact(42, ids) for _ in range(3)]
    assert sorted(seen) == ids  # type: ignore[type-var]
    assert store.chats.next_fact(42, ids) in ids  # a new round starts after all were sent


def test_a_running_engine_sees_edits_from_its_process_at_once_and_others_soon(
        db_path: Path) -> None:
    import time

    from bot.core.engine import Engine

    engine = Engine(open_store(db_path))
    question = "What were IT exports in FY25?"
    assert "Edited" not in engine.ask(question, log=False).entry.answer  # type: ignore[union-attr]
    own = engine.store
    own.save(replace(own.get("it-exports-fy25"), answer="Edited here."), actor="t", via="cli")
    assert engine.ask(question, log=False).entry.answer == "Edited here."  # type: ignore[union-attr]
    cli = open_store(db_path)  # `pkitbot kb edit` in another process
    cli.save(replace(cli.get("it-exports-fy25"), answer="Edited elsewhere."), actor="c", via="cli")
    cli.close()
    time.sleep(Store.VERSION_CHECK_EVERY + 0.05)
    assert engine.ask(question, log=False).entry.answer == "Edited elsewhere."  # type: ignore[union-attr]
    engine.store.close()


def test_a_failed_write_keeps_the_logged_questions_for_the_next(db_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    store = open_store(db_path)
    store.usage.log_query("What about Mars?", "mars", None, 0.1, "abstain", "private")
    real_execute = store.db.execute

    def disk_full(sql: str, *args: object) -> object:
        if sql.startswith("INSERT OR REPLACE INTO processed_updates"):
            raise sqlite3.OperationalError("database or disk is full")
        return real_execute(sql, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(store.db, "execute", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        store.chats.mark_update(7)
    monkeypatch.undo()
    assert store.chats.update_seen(7)  # remembered in memory until it can be written
    store.chats.mark_update(8)
    assert {r[0] for r in store.db.execute("SELECT update_id FROM processed_updates")} == {7, 8}
    assert [r["question"] for r in store.db.query("SELECT question FROM query_log")] == [
        "What about Mars?"]  # written once, with the next mark
    assert store.usage.unanswered()[0]["count"] == 1
    store.close()
