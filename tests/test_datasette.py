"""The store as Datasette users see it: full-text search kept in step with edits, foreign keys
from the usage and chat tables to entries, the views, the shipped metadata, and an older
database (with rows pointing at entries that are gone) migrated to all of it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlite_utils import Database

from bot.kb import migrations
from bot.kb.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
METADATA = REPO / "deploy" / "datasette" / "metadata.yml"
LINKS = {"query_log": ("entry_id", "SET NULL"), "feedback": ("entry_id", "SET NULL"),
         "unanswered": ("best_entry_id", "SET NULL"), "facts_sent": ("entry_id", "CASCADE")}


def search(store: Store, table: str, words: str) -> list[str]:
    """What a Datasette search box finds: the rows of ``table`` matching ``words``."""
    key = "id" if table == "entries" else "rowid"
    return [str(r[0]) for r in store.db.execute(
        f"SELECT {table}.{key} FROM {table} JOIN {table}_fts ON {table}_fts.rowid = {table}.rowid "
        f"WHERE {table}_fts MATCH ? ORDER BY rank", [words])]


def test_search_finds_entries_and_follows_edits(store: Store) -> None:
    assert "freelancer-count" in search(store, "entries", "freelancers")
    entry = store.get("it-exports-fy25")
    assert "it-exports-fy25" not in search(store, "entries", "zanzibar")
    store.save(replace(entry, answer=entry.answer + " Zanzibar."), actor="t", via="cli")
    assert search(store, "entries", "zanzibar") == ["it-exports-fy25"]
    store.undo("t", via="cli")
    assert search(store, "entries", "zanzibar") == []


def test_search_finds_asked_questions(store: Store) -> None:
    store.usage.log_query("How many startups in Lahore?", "startup lahore", None, 0.1,
                          "abstain", "private")
    store.usage.log_query("IT exports FY25", "it export fy25", "it-exports-fy25", 0.9,
                          "answer", "private")
    store.usage.flush_log()
    (found,) = search(store, "query_log", "startups")
    assert store.db.execute("SELECT question FROM query_log WHERE rowid = ?",
                            [found]).fetchone()[0] == "How many startups in Lahore?"


def test_usage_and_chat_tables_link_to_entries(store: Store) -> None:
    for table, (column, on_delete) in LINKS.items():
        keys = {(r[3], r[2], r[4], r[6]) for r in
                store.db.execute(f"PRAGMA foreign_key_list({table})")}
        assert (column, "entries", "id", on_delete) in keys, table


def test_a_link_to_an_entry_that_goes_is_cleared_not_an_error(store: Store) -> None:
    new = replace(store.get("freelancer-count"), id="short-lived")
    store.save(new, actor="t", via="cli")
    store.usage.log_query("short lived?", "short live", "short-lived", 0.9, "answer", "private")
    store.usage.record_feedback("short-lived", 1, "private")
    store.chats.next_fact(77, ["short-lived"])
    store.undo("t", via="cli")  # the create is undone: the entry row goes
    store.usage.log_query("again?", "again", "short-lived", 0.9, "suggest", "private")
    store.usage.flush_log()  # logged by an engine that had not seen the undo yet
    assert store.db.execute("SELECT entry_id FROM query_log").fetchall() == [(None,), (None,)]
    assert store.db.execute("SELECT entry_id FROM feedback").fetchall() == [(None,)]
    assert store.db.execute("SELECT COUNT(*) FROM facts_sent").fetchone()[0] == 0
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_editing_an_entry_keeps_the_links_to_it(store: Store) -> None:
    entry = store.get("it-exports-fy25")
    store.usage.log_query("IT exports FY25", "it export fy25", entry.id, 0.9, "answer", "private")
    store.usage.record_feedback(entry.id, 1, "private")
    store.chats.next_fact(5, [entry.id])
    store.save(replace(entry, answer="Edited."), actor="t", via="cli")
    store.delete(entry.id, actor="t", via="cli")
    store.usage.flush_log()
    for table, (column, _) in LINKS.items():
        if table != "unanswered":
            assert store.db.execute(f"SELECT {column} FROM {table}").fetchall() == [(entry.id,)]


def test_views_count_questions_unanswered_and_answers(store: Store) -> None:
    for question, norm, entry, decision, chat in [
        ("IT exports FY25", "it export fy25", "it-exports-fy25", "answer", "private"),
        ("it exports?", "it export", "it-exports-fy25", "answer", "group"),
        ("Who won the cricket?", "won cricket", None, "abstain", "private"),
        ("who won the cricket", "won cricket", None, "abstain", "private"),
        ("salam", "", None, "smalltalk", "private"),
        ("a test from the shell", "test shell", None, "abstain", "cli"),
    ]:
        store.usage.log_query(question, norm, entry, 0.5, decision, chat)
    store.usage.record_feedback("it-exports-fy25", -1, "private")
    store.usage.flush_log()
    (day,) = store.db.query("SELECT * FROM questions_per_day")
    assert (day["questions"], day["answered"], day["answered_percent"]) == (4, 2, 50.0)
    (open_,) = store.db.query("SELECT question, count FROM unanswered_by_count")
    assert open_ == {"question": "Who won the cricket?", "count": 2}
    top = next(store.db.query("SELECT * FROM answers_by_entry"))
    assert (top["entry_id"], top["answers"], top["votes_down"]) == ("it-exports-fy25", 2, 1)


def _schema_names(store: Store) -> dict[str, list[str]]:
    names = [t for t in store.db.table_names()
             if not any(t.startswith(f"{fts}_fts") for fts in store.db.table_names())]
    return {name: [c.name for c in store.db[name].columns]
            for name in [*names, *store.db.view_names()]}


def test_metadata_describes_every_table_view_and_column_it_names(store: Store) -> None:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    described = metadata["databases"]["pkitbot"]["tables"]
    schema = _schema_names(store)
    missing = sorted(set(schema) - set(described))
    assert not missing, f"describe these in {METADATA.relative_to(REPO)}: {missing}"
    for name, table in described.items():
        assert name in schema, f"{name} is described but not in the schema"
        assert table.get("title") and (table.get("description") or table.get("description_html"))
        assert set(table.get("columns", {})) <= set(schema[name]), name
        for key in ("label_column", "sort", "sort_desc"):
            assert table.get(key, schema[name][0]) in schema[name], (name, key)
        assert set(table.get("facets", [])) <= set(schema[name]), name


def test_an_older_database_with_dangling_links_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    full = open_store(tmp_path / "full.sqlite3")
    real = full.entries()[0].id
    full.close()
    old = Database(path)
    migrations.migrations.apply(old, stop_before="m007_entry_links")
    old.conn.execute("ATTACH DATABASE ? AS full", [str(tmp_path / "full.sqlite3")])
    for table in ("entries", "questions", "sources", "entry_sources", "figures", "revisions"):
        old.conn.execute(f"INSERT INTO main.{table} SELECT * FROM full.{table}")
    old.conn.commit()
    old.conn.execute("DETACH DATABASE full")
    rows: dict[str, list[dict[str, Any]]] = {
        "query_log": [{"at": "2026-01-01T10:00:00+00:00", "question": "kept", "entry_id": real,
                       "score": 0.9, "decision": "answer", "chat_type": "private"},
                      {"at": "2026-01-01T11:00:00+00:00", "question": "dangling",
                       "entry_id": "gone", "score": 0.9, "decision": "answer",
                       "chat_type": "private"}],
        "feedback": [{"entry_id": real, "vote": 1, "chat_type": "private", "at": "x"},
                     {"entry_id": "gone", "vote": -1, "chat_type": "private", "at": "x"}],
        "unanswered": [{"normalized": "mars", "question": "mars?", "count": 3, "first_at": "x",
                        "last_at": "x", "status": "open", "best_entry_id": "gone"}],
        "facts_sent": [{"chat_id": 1, "entry_id": real, "sent_at": "x"},
                       {"chat_id": 1, "entry_id": "gone", "sent_at": "x"}],
    }
    for table, data in rows.items():
        old.table(table).insert_all(data)
    old.conn.close()

    store = open_store(path)
    try:
        assert migrations.pending(store.db) == []
        assert store.db.execute("SELECT question, entry_id FROM query_log ORDER BY id"
                                ).fetchall() == [("kept", real), ("dangling", None)]
        assert store.db.execute("SELECT vote, entry_id FROM feedback ORDER BY id").fetchall() \
            == [(1, real), (-1, None)]
        assert store.db.execute("SELECT count, best_entry_id FROM unanswered").fetchall() \
            == [(3, None)]
        assert store.db.execute("SELECT entry_id FROM facts_sent").fetchall() == [(real,)]
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert search(store, "query_log", "dangling") and search(store, "entries", "freelancers")
        assert store.db.execute("SELECT questions FROM questions_per_day").fetchone()[0] == 2
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


async def test_datasette_shows_search_links_and_views(tmp_path: Path) -> None:
    datasette = pytest.importorskip("datasette.app")
    path = tmp_path / "pkitbot.sqlite3"  # the live file's name: metadata.yml describes "pkitbot"
    store = open_store(path)
    store.usage.log_query("How many freelancers?", "freelancer", "freelancer-count", 0.9,
                          "answer", "private")
    store.close()
    ds = datasette.Datasette([str(path)], metadata=yaml.safe_load(METADATA.read_text("utf-8")))
    await ds.invoke_startup()

    async def get(url: str) -> Any:
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        return response.json()

    found = await get("/pkitbot/entries.json?_search=freelancers&_shape=objects")
    every = await get("/pkitbot/entries.json?_shape=objects&_size=max")
    assert 0 < len(found["rows"]) < len(every["rows"])  # the search box narrows the rows
    assert "freelancer-count" in {r["id"] for r in found["rows"]}
    asked = await get("/pkitbot/query_log.json?_search=freelancers&_shape=objects&_labels=on")
    (row,) = asked["rows"]
    assert row["entry_id"]["value"] == "freelancer-count"  # a link to the entry, labelled
    assert row["entry_id"]["label"].startswith("How many")
    views = {v["name"] for v in (await get("/pkitbot.json"))["views"]}
    assert views >= {"questions_per_day", "unanswered_by_count", "answers_by_entry"}
    page = (await ds.client.get("/pkitbot/query_log")).text
    assert "Questions asked" in page and "PKITBOT_LOG_DAYS" in page


def test_a_plain_sqlite_connection_reads_the_search_tables(store: Store) -> None:
    conn = sqlite3.connect(store.path)  # e.g. the sqlite3 shell: FTS5 is built in
    try:
        assert conn.execute("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH 'exports'"
                            ).fetchone()[0] > 0
    finally:
        conn.close()
