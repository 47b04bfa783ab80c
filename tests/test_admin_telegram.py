"""Admins keep the knowledge current from Telegram: end to end through the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.kb.store import open_store
from tests.conftest import kb_state
from tests.e2e import buttons, say, started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001
USER = 5002
GROUP = -100555


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server




async def test_admin_add_then_user_gets_the_new_sourced_answer(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        reply = await say(fake, ADMIN, "/add When is the Karachi IT summit held? | The Karachi "
                          "IT summit is held every March. | Karachi IT Summit 2025 programme | "
                          "https://example.org/summit", 1)
        assert "#when-is-the-karachi-it-summit-held" in reply
        assert "every March" in reply and "Karachi IT Summit 2025 programme" in reply
        answer = await say(fake, USER, "when is the karachi it summit held", 1)
    assert "every March" in answer and "Source:" in answer
    assert fake.errors == []


@pytest.mark.parametrize("command", [
    "/add Q? | A. | Title", "/delete it-exports-fy25", "/edit it-exports-fy25 answer hacked",
    "/undo", "/grant 5002", "/export", "/stats", "/unanswered"])
async def test_non_admin_is_refused_and_nothing_changes(
        fake: FakeBotAPI, db_path: Path, command: str) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        reply = await say(fake, USER, command, 1)
        assert "admins only" in reply
    assert kb_state(db_path) == before
    store = open_store(db_path)
    attempts = list(store.db.query("SELECT user_id, command FROM admin_attempts"))
    assert attempts == [{"user_id": USER, "command": command.split()[0][1:]}]
    assert fake.sent("sendDocument") == []


async def test_forwarded_admin_command_is_refused(fake: FakeBotAPI, db_path: Path) -> None:
    update = updates.private_text(ADMIN, "/delete it-exports-fy25")
    update["message"]["forward_origin"] = {"type": "user", "date": 1,
                                           "sender_user": updates.user(ADMIN)}
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        fake.push_update(update)
        await fake.wait_for("sendMessage")
    assert "not forwarded" in texts(fake, ADMIN)[0]
    assert kb_state(db_path) == before


async def test_admin_command_in_group_asks_for_private_chat(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.group_text(GROUP, ADMIN, "/delete it-exports-fy25"))
        await fake.wait_for("sendMessage")
    assert "private chat" in texts(fake, GROUP)[0]


@pytest.mark.parametrize(("args", "fix"), [
    ("only a question", "3 or 4 parts"),
    ("Q? | | Title", "answer is empty"),
    ("Q? | " + "a" * 10_000 + " | Title", "keep it under"),
    ("Q? | A. | Title | ftp://x.org/file", "http:// or https://"),
    ("Q? | A. | Title | https://x.org | extra", "3 or 4 parts"),
])
async def test_bad_add_says_what_to_fix(fake: FakeBotAPI, db_path: Path, args: str,
                                        fix: str) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        reply = await say(fake, ADMIN, f"/add {args}", 1)
    assert fix in reply and "Nothing was changed" in reply
    assert kb_state(db_path) == before
    assert fake.errors == []


async def test_edit_history_delete_and_undo(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        edited = await say(fake, ADMIN, "/edit freelancer-count figure over 1.6 million people "
                           "2026", 1)
        assert "over 1.6 million people" in edited
        assert "1.6 million" in await say(fake, USER, "how many freelancers in pakistan", 1)
        history = await say(fake, ADMIN, "/history freelancer-count", 2)
        assert f"update by telegram:{ADMIN} via telegram" in history
        await say(fake, ADMIN, "/delete freelancer-count", 3)
        gone = await say(fake, USER, "how many freelancers in pakistan", 2)
        assert "1.6 million" not in gone
        await say(fake, ADMIN, "/undo", 4)
        await say(fake, ADMIN, "/undo", 5)
        unknown = await say(fake, ADMIN, "/edit no-such-entry answer x", 6)
        assert "no entry #no-such-entry" in unknown
        bad_field = await say(fake, ADMIN, "/edit freelancer-count colour blue", 7)
        assert "editable: question, answer" in bad_field
    assert kb_state(db_path) == before


async def test_import_good_document_with_confirm(fake: FakeBotAPI, db_path: Path) -> None:
    doc = {"entries": [{
        "id": "pseb-registered-firms", "topic": "IT industry",
        "question": "How many IT firms are registered with PSEB?",
        "alternates": ["PSEB registered companies"], "answer": "A test answer from an import.",
        "figures": [], "keywords": ["pseb"], "sources": ["column"]}]}
    document = fake.add_file("file-good", yaml.safe_dump(doc).encode(), "new.yaml")
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        await fake.wait_for("sendMessage")
        summary = fake.last_sent(ADMIN)
        assert "1 new, 0 changed, 0 unchanged" in summary["text"]
        assert kb_state(db_path)[-1]["id"] != "pseb-registered-firms"  # dry run only
        confirm = next(d for t, d in buttons({"reply_markup": summary["reply_markup"]})
                       if "Confirm" in t)
        fake.push_update(updates.callback_query(ADMIN, summary, confirm))
        await fake.wait_for("editMessageText")
        answer = await say(fake, USER, "PSEB registered companies", 1)
    assert "A test answer from an import." in answer
    assert "Imported new.yaml: 1 new" in fake.sent("editMessageText")[0]["text"]


async def test_import_broken_document_changes_nothing(fake: FakeBotAPI, db_path: Path) -> None:
    broken = ("entries:\n  - id: good-one\n    topic: T\n    question: Q?\n    answer: A\n"
              "    sources: [column]\n  - id: bad-one\n    topic: T\n    question: Q2?\n"
              "    sources: [nowhere]\n  - id: good-one\n    topic: T\n    question: Q3\n"
              "    answer: A\n    sources: [column]\n")
    files = [fake.add_file("f1", broken.encode(), "broken.yaml"),
             fake.add_file("f2", b"%PDF-1.7 binary", "report.pdf"),
             fake.add_file("f3", b"entries: [", "cut.yaml")]
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        for document in files:
            fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        fake.push_update(updates.document_message(ADMIN, files[0], caption=None))
        await fake.wait_for("sendMessage", count=4)
    replies = texts(fake, ADMIN)
    assert "bad-one" in replies[0] and "answer: is missing" in replies[0]
    assert "unknown source 'nowhere'" in replies[0] and "duplicated" in replies[0]
    assert ":9" in replies[0] or "broken.yaml:" in replies[0]
    assert "not a YAML, JSON or CSV" in replies[1]
    assert "not valid YAML" in replies[2]
    assert "caption" in replies[3]
    assert kb_state(db_path) == before
    assert fake.errors == []


async def test_oversized_import_is_refused_before_download(
        fake: FakeBotAPI, db_path: Path) -> None:
    document = fake.add_file("huge", b"x", "huge.yaml")
    document["file_size"] = 50 * 1024 * 1024
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        await fake.wait_for("sendMessage")
    assert "50 MB" in texts(fake, ADMIN)[0]
    assert fake.sent("getFile") == []


async def test_export_reimports_to_identical_knowledge(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.private_text(ADMIN, "/export"))
        (call,) = await fake.wait_for("sendDocument")
        exported = fake.results("sendDocument")[0]["document"]
        content = fake.file_content(exported["file_id"])
        before = kb_state(db_path)
        again = fake.add_file("reimport", content, "export.yaml")
        fake.push_update(updates.document_message(ADMIN, again, caption="/import"))
        await fake.wait_for("sendMessage")
        summary = fake.last_sent(ADMIN)
        assert "0 new, 0 changed, 28 unchanged" in summary["text"]
    assert kb_state(db_path) == before
    assert call.params["caption"].startswith("28 entries")


async def test_unanswered_grouped_with_alias_and_dismiss_buttons(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        for i, q in enumerate(["How many IT graduates does Pakistan produce every year?",
                               "how many IT graduates does pakistan produce every year",
                               "What is the weather in Lahore?"]):
            await say(fake, USER + i, q, 1)
        fake.push_update(updates.private_text(ADMIN, "/unanswered"))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == ADMIN and len(texts(fake, ADMIN)) >= 2)
        first = fake.sent("sendMessage", ADMIN)[0]
        assert "asked 2×" in first["text"]
        alias = next(d for t, d in buttons(first) if d.startswith("u:a:"))
        message = next(m for m in fake.results("sendMessage")
                       if m["chat"]["id"] == ADMIN and "asked 2×" in m["text"])
        fake.push_update(updates.callback_query(ADMIN, message, alias))
        await fake.wait_for("editMessageText")
        entry_id = alias.split(":")[3]
        answer = await say(fake, USER + 10, "How many IT graduates does Pakistan produce "
                           "every year?", 1)
        store = open_store(db_path)
        assert "how many it graduates does pakistan produce every year?" in [
            q.casefold() for q in store.get(entry_id).alternates]
        assert "Source:" in answer
    assert fake.errors == []


async def test_grant_and_revoke_by_numeric_id(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        assert "admins only" in await say(fake, USER, "/stats", 1)
        assert "must" not in await say(fake, ADMIN, f"/grant {USER}", 1)
        assert "@username" in await say(fake, ADMIN, "/grant @someone", 2)
        await say(fake, USER, "/stats", 2)
        assert "PKITBOT_ADMINS" in await say(fake, USER, f"/revoke {ADMIN}", 3)
        await say(fake, ADMIN, f"/revoke {USER}", 3)
        assert "admins only" in await say(fake, USER, "/stats", 4)
    store = open_store(db_path)
    assert store.chats.granted_admins() == {}


async def test_stats_sends_numbers_and_a_chart(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        await say(fake, USER, "IT exports FY25", 1)
        await say(fake, USER, "what is the weather", 2)
        reply = await say(fake, ADMIN, "/stats", 1)
        photos = fake.sent("sendPhoto")
    assert "2 asked, 1 answered (50%)" in reply
    assert len(photos) == 1


async def test_admin_writes_while_questions_stream(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN}), user_rate_limit=1000):
        for i in range(40):
            fake.push_update(updates.private_text(USER + i, "What were IT exports in FY25?"))
            if i % 10 == 0:
                fake.push_update(updates.private_text(
                    ADMIN, f"/alias it-exports-fy25 export earnings question number {i}"))
        await fake.wait_for("sendMessage", count=44, timeout=20)
        await asyncio.sleep(0.2)
    for i in range(40):
        (text,) = texts(fake, USER + i)
        assert "3.8 billion" in text  # every read saw a whole entry
    store = open_store(db_path)
    alternates = store.get("it-exports-fy25").alternates
    assert sum("question number" in a for a in alternates) == 4  # no write lost


async def test_calls_go_out_as_json_and_uploads_as_multipart(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.private_text(ADMIN, "What were IT exports in FY25?"))
        (answer,) = await fake.wait_for("sendMessage")
        fake.push_update(updates.private_text(ADMIN, "/export"))
        (upload,) = await fake.wait_for("sendDocument")
    assert answer.encoding == "json"
    assert "3.8 billion" in answer.params["text"]
    assert [b["text"] for row in answer.params["reply_markup"]["inline_keyboard"]
            for b in row] == ["👍", "👎", "📚 Sources", "↗️ Share"]
    assert upload.encoding == "multipart"
