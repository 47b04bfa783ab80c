"""Edit integrity and strict values (issue 14): what admins type or import is read exactly,
grants belong to the admins in PKITBOT_ADMINS, and nobody's edit is silently lost."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.errors import EditConflict, KnowledgeError
from bot.kb.editing import edit_entry
from bot.kb.files import parse_document
from bot.kb.store import open_store
from tests.conftest import kb_state
from tests.e2e import buttons, started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001
OTHER_ADMIN = 9002
USER = 5002


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def say(fake: FakeBotAPI, user: int, text: str, n: int) -> str:
    """Send a private message and wait for the n-th sendMessage to that chat; return it."""
    fake.push_update(updates.private_text(user, text))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == user and n <= len(texts(fake, user)))
    return texts(fake, user)[n - 1]


def _doc(value: object) -> dict[str, object]:
    return {"entries": [{
        "id": "pseb-registered-firms", "topic": "IT industry",
        "question": "How many IT firms are registered with PSEB?", "answer": "About 123 firms.",
        "figures": [{"metric": "firms", "value": value, "unit": "firms"}],
        "sources": ["column"]}]}


# -- strict values -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "1" + "0" * 400])
def test_a_figure_that_is_not_finite_is_refused_naming_the_field(value: str) -> None:
    text = json.dumps(_doc(0)).replace('"value": 0', f'"value": {value}')
    with pytest.raises(KnowledgeError) as caught:
        parse_document(text.encode(), "import.json", base_sources=open_store(Path(":memory:")).sources())
    (problem,) = caught.value.problems
    assert problem.field == "figures.value" and "finite" in problem.message


@pytest.mark.parametrize("value", ["١٢٣", "۱۲۳", "nan", "inf", "12", "１２"])
def test_a_figure_written_as_text_must_be_ascii_digits(value: str) -> None:
    data = yaml.safe_dump(_doc(value), allow_unicode=True).encode()
    sources = open_store(Path(":memory:")).sources()
    if value == "12":
        assert parse_document(data, "i.yaml", base_sources=sources).entries[0].figures[0].value == 12
        return
    with pytest.raises(KnowledgeError) as caught:
        parse_document(data, "i.yaml", base_sources=sources)
    assert [p.field for p in caught.value.problems] == ["figures.value"]


@pytest.mark.parametrize("name,text", [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep.yaml", "entries: " + "[" * 100_000 + "]" * 100_000),
    ("block.yaml", "entries:\n" + "".join(" " * i + "- \n" for i in range(1, 1500))),
    ("shallow-but-too-deep.json", '{"entries": ' + "[" * 30 + "]" * 30 + "}"),
])
def test_a_deeply_nested_document_is_one_clear_problem(name: str, text: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        parse_document(text.encode(), name)
    (problem,) = caught.value.problems
    assert "too deeply" in problem.message


def test_cli_import_of_a_deeply_nested_file_is_one_line_no_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(main, ["kb", "import", str(deep), "--db", str(tmp_path / "k.db")])
    assert result.exit_code == 1
    assert "too deeply" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)


async def test_edit_figure_refuses_nan_inf_and_non_ascii_digits(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        replies = [await say(fake, ADMIN, f"/edit it-exports-fy25 figure over {v} USD billion", n)
                   for n, v in enumerate(["nan", "inf", "1e999", "٣٫٨"], 1)]
        assert kb_state(db_path) == before
    assert all("Nothing was changed" in r for r in replies)
    assert "finite" in replies[2] and "digits 0-9" in replies[3]
    assert fake.errors == []


async def test_grant_reads_ascii_digits_within_telegrams_range(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        arabic = await say(fake, ADMIN, "/grant ١٢٣", 1)
        huge = await say(fake, ADMIN, "/grant 99999999999999999999999", 2)
        zero = await say(fake, ADMIN, "/grant 0", 3)
        assert "admins only" in await say(fake, 123, "/stats", 1)
    assert "digits 0-9" in arabic and "Nothing was changed" in arabic
    assert "not a Telegram user id" in huge and "not a Telegram user id" in zero
    assert open_store(db_path).chats.granted_admins() == {}
    assert fake.errors == []


# -- grants belong to the admins in PKITBOT_ADMINS ---------------------------------------

async def test_a_granted_admin_cannot_grant_and_loses_power_with_the_granter(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN, OTHER_ADMIN})):
        await say(fake, OTHER_ADMIN, f"/grant {OTHER_ADMIN}", 1)  # already an admin: no row
        await say(fake, OTHER_ADMIN, f"/grant {USER}", 2)
        assert "Questions" in await say(fake, USER, "/stats", 1)
        refused = await say(fake, USER, "/grant 777", 2)
    assert "PKITBOT_ADMINS" in refused
    assert set(open_store(db_path).chats.granted_admins()) == {USER}
    # OTHER_ADMIN leaves PKITBOT_ADMINS: neither they nor the admin they granted stay admins
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        assert "admins only" in await say(fake, OTHER_ADMIN, "/stats", 3)
        assert "admins only" in await say(fake, USER, "/stats", 3)
        revoked = await say(fake, ADMIN, f"/revoke {USER}", 1)
    assert "no longer an admin" in revoked
    assert open_store(db_path).chats.granted_admins() == {}


async def test_self_grant_then_removed_from_the_setting_is_not_an_admin(
        fake: FakeBotAPI, db_path: Path) -> None:
    store = open_store(db_path)
    store.chats.grant(OTHER_ADMIN, granted_by=OTHER_ADMIN)  # as the old /grant allowed
    store.close()
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        assert "admins only" in await say(fake, OTHER_ADMIN, "/stats", 1)
        revoked = await say(fake, ADMIN, f"/revoke {OTHER_ADMIN}", 1)
    assert "no longer an admin" in revoked


def test_cli_lists_and_revokes_granted_admins(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    db = tmp_path / "k.db"
    store = open_store(db)
    store.chats.grant(USER, granted_by=ADMIN)
    store.chats.grant(OTHER_ADMIN, granted_by=OTHER_ADMIN)
    store.close()
    monkeypatch.setenv("PKITBOT_ADMINS", str(ADMIN))
    runner = CliRunner()
    listed = runner.invoke(main, ["kb", "admins", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert f"{ADMIN}  PKITBOT_ADMINS" in listed.output
    assert f"{USER}  granted by {ADMIN}" in listed.output
    assert f"{OTHER_ADMIN}  lapsed" in listed.output
    revoked = runner.invoke(main, ["kb", "revoke", str(OTHER_ADMIN), "--db", str(db)])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    again = runner.invoke(main, ["kb", "revoke", str(OTHER_ADMIN), "--db", str(db)])
    assert "nothing changed" in again.output
    bad = runner.invoke(main, ["kb", "revoke", "٩٠٠٢", "--db", str(db)])
    assert bad.exit_code == 2 and "digits 0-9" in bad.output
    assert set(open_store(db).chats.granted_admins()) == {USER}


# -- undo never clobbers another admin's later edit --------------------------------------

async def test_undo_refuses_to_overwrite_a_later_edit_by_someone_else(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN, OTHER_ADMIN})):
        await say(fake, ADMIN, "/edit it-exports-fy25 answer First admin's answer.", 1)
        await say(fake, OTHER_ADMIN, "/edit it-exports-fy25 answer Second admin's answer.", 1)
        refused = await say(fake, ADMIN, "/undo", 2)
        answer = await say(fake, USER, "IT exports FY25", 1)
        # once the other admin undoes their own edit, the first admin's undo goes through
        await say(fake, OTHER_ADMIN, "/undo", 2)
        undone = await say(fake, ADMIN, "/undo", 3)
        restored = await say(fake, USER, "IT exports FY25", 2)
    assert f"telegram:{OTHER_ADMIN}" in refused and "nothing was undone" in refused
    assert "Second admin's answer." in answer
    assert "Undid your update" in undone
    assert "3.8 billion" in restored and "admin's answer" not in restored
    assert fake.errors == []


def test_undo_of_an_add_retires_an_entry_that_has_later_history(db_path: Path) -> None:
    from bot.kb.editing import AddRequest, add_entry
    store = open_store(db_path)
    entry = add_entry(store, AddRequest("When is the summit?", "Every March.", "Programme", None),
                      actor="telegram:1", via="telegram")
    edit_entry(store, entry.id, "answer", "Every April.", actor="telegram:2", via="telegram")
    with pytest.raises(EditConflict, match="telegram:2"):
        store.undo("telegram:1", via="telegram")
    assert store.get(entry.id).answer == "Every April."
    store.undo("telegram:2", via="telegram")  # the other admin takes their edit back
    store.undo("telegram:1", via="telegram")
    retired = store.get(entry.id, include_deleted=True)
    assert retired.status == "deleted" and retired.answer == "Every March."
    store.restore(entry.id, actor="telegram:1", via="telegram")  # restorable, not purged
    assert store.get(entry.id).answer == "Every March."


# -- sources are revisions; a pending import is checked against what its dry run saw -----

def _import(fake: FakeBotAPI, doc: dict[str, object], name: str) -> None:
    document = fake.add_file(name, yaml.safe_dump(doc, allow_unicode=True).encode(), name)
    fake.push_update(updates.document_message(ADMIN, document, caption="/import"))


async def _confirm(fake: FakeBotAPI, message: dict[str, object], n: int) -> str:
    confirm = next(d for t, d in buttons(message) if "Confirm" in t)
    fake.push_update(updates.callback_query(ADMIN, message, confirm))
    await fake.wait_for("editMessageText", count=n)
    return str(fake.sent("editMessageText")[n - 1]["text"])


async def test_an_import_that_only_recredits_a_source_is_a_change_the_bot_shows_at_once(
        fake: FakeBotAPI, db_path: Path) -> None:
    sbp = open_store(db_path).sources()["sbp-fy25"].to_dict()
    doc = {"sources": [{**sbp, "title": "SBP monthly export bulletin, FY25"}], "entries": []}
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        _import(fake, doc, "recredit.yaml")
        await fake.wait_for("sendMessage")
        summary = fake.last_sent(ADMIN)
        assert "sources: 0 new, 1 changed" in summary["text"]
        done = await _confirm(fake, summary, 1)
        answer = await say(fake, USER, "IT exports FY25", 1)
        undone = await say(fake, ADMIN, "/undo", 2)
        after_undo = await say(fake, USER, "IT exports FY25", 2)
    assert "sources: 0 new, 1 changed" in done
    assert "SBP monthly export bulletin" in answer  # no restart needed
    assert "Undid your update" in undone
    assert "SBP monthly export bulletin" not in after_undo and "State Bank" in after_undo
    assert any(r.actor == f"telegram:{ADMIN}" for r in open_store(db_path).history("it-exports-fy25"))


async def test_a_pending_import_never_reverts_an_edit_made_after_its_dry_run(
        fake: FakeBotAPI, db_path: Path) -> None:
    store = open_store(db_path)
    exports = store.get("it-exports-fy25").to_dict()
    doc = {"entries": [{**exports, "answer": "Imported answer: over 3.8 billion."}]}
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        _import(fake, doc, "edit.yaml")
        await fake.wait_for("sendMessage")
        summary = fake.last_sent(ADMIN)
        assert "0 new, 1 changed" in summary["text"]
        # meanwhile, from the CLI: the same entry's answer and an unrelated source's URL
        edit_entry(store, "it-exports-fy25", "answer", "CLI answer: over 3.8 billion.",
                   actor="cli", via="cli")
        edit_entry(store, "it-exports-fy25", "url", "https://example.org/sbp", actor="cli",
                   via="cli")
        refused = await _confirm(fake, summary, 1)
        assert open_store(db_path).get("it-exports-fy25").answer.startswith("CLI answer")
        again = fake.message(ADMIN, summary["message_id"])  # the same message, new buttons
        applied = await _confirm(fake, again, 2)  # asked again with fresh counts: yes
    assert "#it-exports-fy25" in refused and "Nothing was changed" in refused
    assert "As things are now: 0 new, 1 changed" in refused
    assert "Imported edit.yaml" in applied
    final = open_store(db_path)
    assert final.get("it-exports-fy25").answer.startswith("Imported answer")
    assert final.sources()["sbp-fy25"].url == "https://example.org/sbp"  # the CLI's URL kept
    assert fake.errors == []


# -- a write-locked database freezes nothing and doubles nothing --------------------------

class _Locker(threading.Thread):
    """Another process's writer: holds the database's write lock until told to let go."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.holding, self.release = path, threading.Event(), threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.holding.set()
        self.release.wait(60)
        conn.execute("ROLLBACK")
        conn.close()


def _recorded(path: Path) -> set[int]:
    with sqlite3.connect(str(path)) as conn:
        return {r[0] for r in conn.execute("SELECT update_id FROM processed_updates")}


async def test_a_write_locked_database_freezes_no_chat_and_answers_nothing_twice(
        fake: FakeBotAPI, db_path: Path) -> None:
    from telegram import Update

    from bot.tg.delivery.once import Handled, handle_once
    open_store(db_path).close()
    locker = _Locker(db_path)
    first = updates.private_text(USER, "IT exports FY25")
    try:
        async with started(fake, db_path) as live:
            locker.start()
            assert await asyncio.to_thread(locker.holding.wait, 10)
            # the lock is held until we let go: these answers come while it is held
            fake.push_update(first)
            await fake.wait_for(lambda r: r.ok and r.params.get("chat_id") == USER)
            other = await say(fake, USER + 1, "How many freelancers does Pakistan have?", 1)
            assert locker.is_alive() and not locker.release.is_set()
            again = await handle_once(live, Update.de_json(first, live.bot))
            assert again is Handled.SKIPPED  # remembered, though not yet written
            assert first["update_id"] not in _recorded(db_path)
            locker.release.set()
            for _ in range(200):  # the retry writes the marks once the lock is gone
                if first["update_id"] in _recorded(db_path):
                    break
                await asyncio.sleep(0.05)
            assert first["update_id"] in _recorded(db_path)
    finally:
        locker.release.set()
        locker.join(10)
    assert len(texts(fake, USER)) == 1 and "3.8" in texts(fake, USER)[0]
    assert other
    assert fake.errors == []
