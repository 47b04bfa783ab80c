"""The knowledge base survives: a process killed in the middle of a large import, a backup
restored the documented way, and an older database opened by the current code.

(Mode 0600 and idempotent migrations on an up-to-date database: tests/test_store.py; the CLI
backup's integrity and contents: tests/test_cli_admin.py.)
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.kb import migrations
from bot.kb.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE_TABLES = ("entries", "questions", "sources", "entry_sources", "figures", "revisions")

IMPORTER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from bot.kb.models import Entry, Figure, Knowledge, Source
    from bot.kb.store import open_store

    store = open_store(Path(sys.argv[1]))
    n, mark = int(sys.argv[2]), int(sys.argv[3])
    src = Source("gen-src", "A generated source", publisher="Tests", kind="primary")
    entries = [
        Entry(id=f"gen-{i}", topic="Generated", question=f"Generated question number {i}?",
              answer="A generated answer about Pakistan's IT sector. " * 4,
              alternates=(f"generated alternate {i} one", f"generated alternate {i} two"),
              figures=(Figure("generated", float(i), "people", period="FY25",
                              source="gen-src"),),
              keywords=("generated",), sources=("gen-src",))
        for i in range(n)]
    written = 0
    original = store._write_entries  # an import writes its entries in batches

    def counting(batch):
        global written
        original(batch)
        written += len(batch)
        if written - len(batch) < mark <= written:
            print("midway", flush=True)

    store._write_entries = counting
    store.apply_import(Knowledge(sources={"gen-src": src}, entries=entries),
                       actor="test", via="test")
    print("done", flush=True)
""")


def tables(path: Path, names: tuple[str, ...] = KNOWLEDGE_TABLES) -> dict[str, list[Any]]:
    """Every row of the knowledge tables, in a stable order."""
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in names}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_sigkill_in_the_middle_of_a_large_import_leaves_the_database_as_before(
        db_path: Path) -> None:
    store = open_store(db_path)
    store.close()
    before = tables(db_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db_path), "20000", "6000"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "midway", child.stderr.read() if child.stderr else ""
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.stdout.read() == ""  # killed before the import finished
    assert integrity(db_path) == "ok"
    assert tables(db_path) == before
    reopened = open_store(db_path)  # and the bot opens it as usual
    try:
        assert not any(e.id.startswith("gen-") for e in reopened.entries(include_deleted=True))
        assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        reopened.close()


def _use(store: Store) -> None:
    """Changes of every kind: an edit, a delete, usage records, a subscription, an admin."""
    entry = store.entries()[0]
    store.save(replace(entry, answer=entry.answer + " (edited)"), actor="cli:t", via="cli")
    store.delete(store.entries()[1].id, actor="cli:t", via="cli")
    store.usage.log_query("how many freelancers", "freelancer", entry.id, 0.9, "answer", "private")
    store.usage.log_query("weather in lahore", "weather lahore", None, 0.1, "abstain", "private")
    store.usage.record_feedback(entry.id, 1, "private")
    store.chats.subscribe(-100123, "supergroup")
    store.chats.grant(4242, granted_by=1)
    store.chats.record_attempt(5151, "delete")
    store.chats.next_fact(-100123, [e.id for e in store.entries()])


def test_backup_restores_to_an_identical_knowledge_base(tmp_path: Path) -> None:
    live_path = tmp_path / "live" / "pkitbot.sqlite3"
    live = open_store(live_path)
    _use(live)
    everything = (*KNOWLEDGE_TABLES, "query_log", "unanswered", "feedback", "subscriptions",
                  "admins")
    backup = tmp_path / "backups" / "pkitbot-backup.sqlite3"
    live.backup(backup)  # taken while the store is open, with changes still in the WAL
    at_backup = (tables(live_path, everything), live.knowledge())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    live.delete(live.entries()[0].id, actor="cli:t", via="cli")  # later damage
    live.close()
    # the documented restore: move the broken file away, drop its journal, copy the backup
    live_path.rename(live_path.with_name("pkitbot.sqlite3.broken"))
    for suffix in ("-wal", "-shm"):
        Path(str(live_path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, live_path)
    assert integrity(live_path) == "ok"
    restored = open_store(live_path)
    try:
        assert tables(live_path, everything) == at_backup[0]
        assert restored.knowledge() == at_backup[1]
    finally:
        restored.close()


def test_older_database_is_migrated_without_losing_data(tmp_path: Path) -> None:
    full_path = tmp_path / "full.sqlite3"
    full = open_store(full_path)
    _use(full)
    full.close()
    old_path = tmp_path / "old.sqlite3"
    old = Database(old_path)
    migrations.migrations.apply(old, stop_before="m004_entry_files")
    assert {m.name for m in migrations.pending(old)} >= {"m004_entry_files"}
    old.conn.execute("ATTACH DATABASE ? AS full", [str(full_path)])
    old_tables = [t for t in old.table_names() if not t.startswith("_sqlite")]
    for table in old_tables:  # the same data, in the older schema
        cols = ", ".join(f'"{c.name}"' for c in old.table(table).columns)
        old.conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM full.{table}")
    old.conn.commit()
    old.conn.execute("DETACH DATABASE full")
    before = {t: sorted(old.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
              for t in old_tables}
    old.conn.close()

    for _ in range(2):  # opening twice: migrations run once and change nothing the 2nd time
        store = open_store(old_path)
        try:
            assert migrations.pending(store.db) == []
            for table, rows in before.items():
                assert rows, table  # every table had data to lose
                width = len(rows[0])  # the older columns come first; new ones are appended
                now = sorted((r[:width] for r in store.db.execute(
                    f"SELECT * FROM {table}").fetchall()), key=repr)
                assert now == rows, table
            full_store = open_store(full_path)
            assert store.entries(include_deleted=True) == \
                full_store.entries(include_deleted=True)
            full_store.close()
            assert integrity(old_path) == "ok"
        finally:
            store.close()
