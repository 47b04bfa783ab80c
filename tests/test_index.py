"""The matcher's index lives in the database: a start reads it, an edit updates it in place.

What a user and an operator notice: a restart answers exactly as before without
recomputing the index, an admin's edit (from this process or the CLI) is answered at once
without rebuilding everything, a deleted entry stops answering, and a large import is
rebuilt in the background while questions keep being answered from the old index.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.engine import IN_PLACE, Engine, refresh_index
from bot.core.matcher import fingerprint
from bot.core.normalize import Lexicon, Normalizer
from bot.kb import Entry, Knowledge, StoreError, default_knowledge_dir, open_store

QUESTIONS = ("What were IT exports in FY25?", "Pakistan mein kitne freelancers hain?",
             "فری لانسرز کی تعداد", "How many startups are there?", "Is freelancing halal?")


def rows(db_path: Path) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(db_path) as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT entry_id, key, revision FROM match_index")}


def decisions(engine: Engine) -> list[tuple[str, str | None]]:
    return [(a.decision, a.entry.id if a.entry else None)
            for a in (engine.ask(q, log=False) for q in QUESTIONS)]


def test_a_restart_reads_the_stored_index_and_answers_the_same(db_path: Path) -> None:
    first = Engine(open_store(db_path), embedder=False)
    before = decisions(first)
    stored = rows(db_path)
    assert set(stored) == set(first.entries)  # one row per active entry
    first.store.close()
    again = open_store(db_path)
    assert refresh_index(again, first.normalizer) == 0  # nothing left to compute
    assert decisions(Engine(again, embedder=False)) == before
    assert rows(db_path) == stored


def test_an_edit_from_another_process_is_answered_in_place(db_path: Path) -> None:
    engine = Engine(open_store(db_path), embedder=False)
    matcher = engine.matcher
    entry = engine.entries["freelancer-count"]
    cli = open_store(db_path)  # `pkitbot kb edit` in another process
    cli.save(replace(entry, alternates=(*entry.alternates, "zorblat gig workers census")),
             actor="cli:test", via="cli")
    cli.close()
    engine.store._version_checked = 0.0  # as if VERSION_CHECK_EVERY had passed
    answer = engine.ask("zorblat gig workers census", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == entry.id
    assert engine.matcher is matcher  # updated in place, not rebuilt
    assert engine.entries[entry.id].alternates[-1] == "zorblat gig workers census"
    stored = rows(db_path)
    assert stored[entry.id][1] > max(r for e, (_, r) in stored.items() if e != entry.id)


def test_a_deleted_entry_stops_answering_and_a_restored_one_answers_again(
        db_path: Path) -> None:
    engine = Engine(open_store(db_path), embedder=False)
    question = "What were IT exports in FY25?"
    found = engine.ask(question, log=False)
    assert found.entry is not None
    gone = found.entry.id
    engine.store.delete(gone, actor="cli:test", via="cli")
    after = engine.ask(question, log=False)
    assert after.entry is None or after.entry.id != gone
    assert gone not in engine.entries
    assert all(c.entry_id != gone for c in after.candidates)
    engine.store.restore(gone, actor="cli:test", via="cli")
    back = engine.ask(question, log=False)
    assert back.entry is not None and back.entry.id == gone
    assert list(engine.entries) == engine.store.entry_order()  # knowledge-base order kept


def test_rows_of_another_lexicon_are_computed_again(db_path: Path) -> None:
    store = open_store(db_path)
    Engine(store, embedder=False)
    lexicon = Lexicon.load(default_knowledge_dir() / "lexicon.yaml")
    other = Normalizer(replace(lexicon, synonyms={**lexicon.synonyms,
                                                   ("zorblat",): ("freelancer",)}))
    assert fingerprint(other) != fingerprint(Normalizer(lexicon))
    assert refresh_index(store, other) == len(store.entry_order())
    assert {key for key, _ in rows(db_path).values()} == {fingerprint(other)}


def _many(count: int) -> list[Entry]:
    return [Entry(id=f"city-{i}", topic="Cities", question=f"How many software houses are in "
                  f"district number {i}?", answer=f"District {i} has {i + 3} software houses.")
            for i in range(count)]


def test_a_large_import_rebuilds_in_the_background_while_answering_goes_on(
        db_path: Path) -> None:
    engine = Engine(open_store(db_path), embedder=False, background=True)
    before = decisions(engine)
    cli = open_store(db_path)
    base = cli.knowledge()
    cli.apply_import(Knowledge(base.sources, tuple(_many(IN_PLACE + 50))), actor="cli:test",
                     via="import")
    cli.close()
    engine.store._version_checked = 0.0
    assert decisions(engine) == before  # answered from the index before the import meanwhile
    engine.wait_rebuilt(timeout=120)
    answer = engine.ask("How many software houses are in district number 207?", log=False)
    assert answer.entry is not None and answer.entry.id == "city-207"
    assert len(engine.entries) == len(base.entries) + IN_PLACE + 50
    assert decisions(engine) == before


def test_the_meaning_signals_embeddings_are_stored_and_read_back(db_path: Path) -> None:
    engine = Engine(open_store(db_path))
    if engine.embedder is None:
        return  # the meaning signal's package is not installed: nothing to store
    warm = engine.warmer()
    assert warm is not None
    warm()
    assert engine.matcher.embedded == len(engine.entries)  # every entry embedded once ...
    engine.ask("What were IT exports in FY25?", log=False)  # ... and stored
    with sqlite3.connect(db_path) as conn:
        empty = conn.execute("SELECT COUNT(*) FROM match_index WHERE vectors IS NULL").fetchone()
    assert empty == (0,)
    hard = "how much does pakistan earn by selling tech services to other countries"
    first = engine.ask(hard, log=False)
    engine.store.close()
    again = Engine(open_store(db_path))
    warm = again.warmer()
    assert warm is not None
    warm()
    assert again.matcher.embedded == 0  # read back, none computed again
    later = again.ask(hard, log=False)
    assert (later.decision, later.score) == (first.decision, first.score)


def test_an_edit_is_answered_even_while_another_process_locks_the_database(
        db_path: Path) -> None:
    engine = Engine(open_store(db_path), embedder=False)
    engine.store.db.execute("PRAGMA busy_timeout=50")  # as the bot's loop_friendly sets it
    entry = engine.entries["freelancer-count"]
    cli = open_store(db_path)
    cli.save(replace(entry, alternates=(*entry.alternates, "zorblat gig workers census")),
             actor="cli:test", via="cli")
    cli.close()
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # e.g. a long `kb import` in another process
    try:
        engine.store._version_checked = 0.0
        answer = engine.ask("zorblat gig workers census", log=False)
        assert answer.entry is not None and answer.entry.id == entry.id
        assert engine.ask("zorblat gig workers census", log=False).answered
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    engine.store.close()
    again = open_store(db_path)  # the row it could not write is computed at the next start
    restarted = Engine(again, embedder=False)
    assert restarted.ask("zorblat gig workers census", log=False).entry is not None


def test_kb_import_leaves_the_index_computed_and_reindex_finds_nothing_to_do(
        db_path: Path, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from bot.cli import main

    document = tmp_path / "cities.json"
    cited = [replace(e, sources=("column",)) for e in _many(40)]
    document.write_text(json.dumps({"entries": [e.to_dict() for e in cited]}), "utf-8")
    db = ["--db", str(db_path)]
    runner = CliRunner()
    imported = runner.invoke(main, ["kb", "import", str(document), *db])
    assert imported.exit_code == 0, imported.output
    assert {f"city-{i}" for i in range(40)} <= set(rows(db_path))  # computed by the import
    again = runner.invoke(main, ["kb", "reindex", *db])
    assert again.exit_code == 0 and "up to date" in again.output
    engine = Engine(open_store(db_path), embedder=False)
    answer = engine.ask("How many software houses are in district number 17?", log=False)
    assert answer.entry is not None and answer.entry.id == "city-17"


def test_a_large_cli_import_stores_the_rows_its_entries_would_get_anyway(
        db_path: Path, tmp_path: Path) -> None:
    """Past 2,000 entries the rows are made from the document in other processes while the
    import is applied: they must be exactly the rows made from what was stored."""
    import json

    from click.testing import CliRunner

    from bot.cli import main
    from bot.core.matcher import index_row, scope_phrases

    many = [replace(e, sources=("column",), keywords=("city", f"d{i % 7}"))
            for i, e in enumerate(_many(2100))]
    document = tmp_path / "cities.json"
    document.write_text(json.dumps({"entries": [e.to_dict() for e in many]}), "utf-8")
    imported = CliRunner().invoke(main, ["kb", "import", str(document), "--db", str(db_path)])
    assert imported.exit_code == 0, imported.output
    store = open_store(db_path)
    words = Normalizer(Lexicon.load(default_knowledge_dir() / "lexicon.yaml"))
    key, phrases = fingerprint(words), scope_phrases(words)
    assert refresh_index(store, words) == 0  # nothing stale: all made by the import
    sample = [f"city-{i}" for i in range(0, 2100, 97)]
    stored = store.index.docs(sample, key)
    for entry_id in sample:
        fresh = index_row(store.get(entry_id), words, phrases, key, stored[entry_id].revision)
        assert stored[entry_id] == fresh


def test_a_failed_background_rebuild_is_not_started_again_at_every_question(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild that fails (a full disk) leaves the bot answering from the old index,
    and is not retried by every following question (each would redo the whole build)."""
    engine = Engine(open_store(db_path), embedder=False, background=True)
    before = decisions(engine)
    cli = open_store(db_path)
    cli.apply_import(Knowledge(cli.sources(), tuple(_many(IN_PLACE + 50))), actor="cli:test",
                     via="import")
    cli.close()
    attempts: list[int] = []

    def full_disk(self: Engine, store: object, index: object = None) -> object:
        attempts.append(1)
        raise StoreError("database or disk is full")

    monkeypatch.setattr(Engine, "_build", full_disk)
    for _ in range(5):
        engine.store._version_checked = 0.0
        assert decisions(engine) == before
        engine.wait_rebuilt(timeout=30)
    assert attempts == [1]


def test_random_passes_over_an_entry_another_process_just_deleted(db_path: Path) -> None:
    """/random right after a `kb delete` in another process (before this one has looked at
    the version again) gives another entry, not an error."""
    engine = Engine(open_store(db_path), embedder=False)
    engine.store.VERSION_CHECK_EVERY = 3600.0  # as if the delete came a moment ago
    engine.store.version  # noqa: B018 - looked at now: the next look is an hour away
    gone = next(iter(engine.entries))
    cli = open_store(db_path)
    cli.delete(gone, actor="cli:test", via="cli")
    cli.close()

    class Unlucky:
        def __init__(self) -> None:
            self.first = True

        def choice(self, ids: list[str]) -> str:
            picked = gone if self.first else ids[-1]
            self.first = False
            return picked

    found = engine.random_entry(Unlucky())  # type: ignore[arg-type]
    assert found is not None and found.id != gone
