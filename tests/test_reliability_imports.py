"""Telegram imports run off the event loop (issue 14): a long import is checked and applied
in a thread with its own connection, shows its progress in one status message, other users
are answered meanwhile, and the running bot answers from the imported entries at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.tg import admin
from tests.e2e import buttons, texts
from tests.e2e import started as bot
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN, USER = 9301, 5301
N = 4000


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def big_import(n: int) -> bytes:
    entries = [{"id": f"bulk-{i}", "topic": "Bulk", "question": f"What is bulk fact number {i}?",
                "answer": f"Bulk fact {i} is a test answer.", "figures": [],
                "keywords": [f"bulk{i}"], "sources": ["column"]} for i in range(n)]
    entries.append({"id": "zephyr-park", "topic": "Bulk",
                    "question": "Where is the Zephyr software technology park?",
                    "answer": "The Zephyr park is a test answer from the bulk import.",
                    "figures": [], "keywords": ["zephyr"], "sources": ["column"]})
    return json.dumps({"entries": entries}).encode()


async def answer_time(fake: FakeBotAPI, user: int, question: str) -> float:
    before = len(texts(fake, user))
    at = time.monotonic()
    fake.push_update(updates.private_text(user, question))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == user and len(texts(fake, user)) > before,
                        timeout=10)
    return time.monotonic() - at


def edits(fake: FakeBotAPI) -> list[str]:
    return [str(p.get("text", "")) for p in fake.sent("editMessageText")]


async def test_a_long_import_shows_progress_and_holds_no_one_up(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin, "PROGRESS_FIRST", 0.05)  # show the status even on a fast machine
    monkeypatch.setattr(admin, "PROGRESS_EVERY", 0.2)
    finish = threading.Event()  # the worker holds on after applying until the test has asked
    real_apply = admin._apply

    def apply_then_hold(*args: Any) -> dict[str, int]:
        counts = real_apply(*args)
        finish.wait(30)
        return counts

    monkeypatch.setattr(admin, "_apply", apply_then_hold)
    document = fake.add_file("file-big", big_import(N), "bulk.json")
    async with bot(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        await fake.wait_for(lambda r: r.ok and r.method == "editMessageText"
                            and "is valid" in str(r.params.get("text")), timeout=60)
        dry_run = [str(p["text"]) for p in fake.sent("sendMessage", ADMIN)] + edits(fake)
        summary = fake.sent("editMessageText")[-1]
        assert f"{N + 1} new, 0 changed" in summary["text"]
        assert any(t.startswith("⏳") for t in dry_run)  # one status message, edited
        assert len(fake.sent("sendMessage", ADMIN)) == 1
        message = fake.message(ADMIN, summary["message_id"])
        confirm = next(d for t, d in buttons(message) if "Confirm" in t)
        fake.push_update(updates.callback_query(ADMIN, message, confirm))
        await fake.wait_for(lambda r: r.ok and r.method == "editMessageText"
                            and "Applying" in str(r.params.get("text")), timeout=30)
        waits = [await answer_time(fake, USER, "How many freelancers does Pakistan have?")
                 for _ in range(3)]
        applying = not any("Imported bulk.json" in t for t in edits(fake))
        finish.set()
        await fake.wait_for(lambda r: r.ok and r.method == "editMessageText"
                            and "Imported bulk.json" in str(r.params.get("text")), timeout=60)
        after = await answer_time(fake, USER, "Where is the Zephyr software technology park?")
    assert max(waits) < 2.0, waits
    assert applying  # the answers came while the import's thread was busy
    assert after < 10 and "Zephyr park is a test answer" in texts(fake, USER)[-1]
    assert f"{N + 1} new" in edits(fake)[-1]
    assert fake.errors == []


async def test_an_import_too_quick_for_progress_is_answered_as_before(
        fake: FakeBotAPI, db_path: Path) -> None:
    document = fake.add_file("file-small", big_import(2), "small.json")
    async with bot(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        await fake.wait_for("sendMessage")
        summary: dict[str, Any] = fake.last_sent(ADMIN)
        confirm = next(d for t, d in buttons(summary) if "Confirm" in t)
        fake.push_update(updates.callback_query(ADMIN, summary, confirm))
        await fake.wait_for("editMessageText")
    assert "3 new, 0 changed" in summary["text"] and len(texts(fake, ADMIN)) == 1
    assert [t for t in edits(fake)] == ["✅ Imported small.json: 3 new, 0 changed, 0 unchanged "
                                        "entries."]
