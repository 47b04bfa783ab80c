"""Long polling with several updates at once (PKITBOT_CONCURRENT_UPDATES).

While one update waits for Telegram to take its answer, the next is handled; answers in one
chat still come in the order of the questions, and only handled updates are confirmed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.formatting import answer_html
from bot.kb.store import open_store
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

USER = 6100
QUESTIONS = [
    "What were IT exports in FY25?",
    "How many freelancers does Pakistan have?",
    "What share of Pakistanis are under 30?",
    "Which cities have freelancers?",
    "What is the IT export target for the future?",
    "Where does Pakistan rank in freelancing?",
]


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def sends_to(fake: FakeBotAPI, chat: int) -> list[float]:
    with fake._lock:
        return [r.time for r in fake.requests
                if r.method == "sendMessage" and r.ok and int(r.params["chat_id"]) == chat]


async def test_answers_in_one_chat_keep_the_order_of_the_questions(
        fake: FakeBotAPI, db_path: Path) -> None:
    fake.inject("sendMessage", "slow", times=1, delay=0.4)  # the first answer is slow to go
    async with started(fake, db_path, concurrent_updates=4):
        for i, question in enumerate(QUESTIONS):
            fake.push_update(updates.private_text(USER, question))
            fake.push_update(updates.private_text(USER + 1 + i, question))  # other chats too
        await fake.wait_for("sendMessage", count=2 * len(QUESTIONS), timeout=15)
    engine = Engine(open_store(db_path))
    expected = [answer_html(engine.ask(q, log=False)) for q in QUESTIONS]
    assert len(set(expected)) == len(QUESTIONS)  # six different answers, so order shows
    assert texts(fake, USER) == expected


async def slow_answer_starts(fake: FakeBotAPI, db_path: Path, concurrency: int,
                             delay: float) -> list[float]:
    """When each of three chats' answers reached Telegram, each answer taking ``delay``."""
    fake.inject("sendMessage", "slow", times=3, delay=delay)
    async with started(fake, db_path, concurrent_updates=concurrency):
        for i in range(3):
            fake.push_update(updates.private_text(USER + i, QUESTIONS[0]))
        await fake.wait_for("sendMessage", count=3, timeout=15)
    return sorted(t for i in range(3) for t in sends_to(fake, USER + i))


async def test_questions_from_different_chats_are_answered_at_once(
        fake: FakeBotAPI, db_path: Path) -> None:
    starts = await slow_answer_starts(fake, db_path, concurrency=3, delay=0.5)
    assert starts[-1] - starts[0] < 0.4  # all three were on their way together


async def test_one_update_at_a_time_when_configured(fake: FakeBotAPI, db_path: Path) -> None:
    starts = await slow_answer_starts(fake, db_path, concurrency=1, delay=0.3)
    assert starts[1] - starts[0] >= 0.3 and starts[2] - starts[1] >= 0.3


async def test_a_burst_is_confirmed_once_handled(fake: FakeBotAPI, db_path: Path) -> None:
    chats = [USER + i for i in range(250)]  # more than one getUpdates batch (100)
    async with started(fake, db_path, concurrent_updates=3) as app:
        for chat in chats:
            fake.push_update(updates.private_text(chat, QUESTIONS[1]))
        await fake.wait_for("sendMessage", count=len(chats), timeout=30)
        poller = app.bot_data.poller
    assert poller.handled == len(chats) and poller.skipped == 0
    assert fake.pending_updates() == 0  # all confirmed when the bot stopped
    assert sorted(int(p["chat_id"]) for p in fake.sent("sendMessage")) == chats


async def test_a_store_failure_stops_polling_and_leaves_the_update_unconfirmed(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from bot.kb.chats import Chats

    real_mark = Chats.mark_update
    failing: list[int] = []

    def mark(self: Chats, update_id: int) -> None:
        if not failing:
            failing.append(update_id)
            raise sqlite3.OperationalError("disk I/O error")
        real_mark(self, update_id)

    monkeypatch.setattr(Chats, "mark_update", mark)
    async with started(fake, db_path, concurrent_updates=3) as app:
        for i in range(3):
            fake.push_update(updates.private_text(USER + i, QUESTIONS[0]))
        poller = app.bot_data.poller
        for _ in range(200):
            if not poller.running:
                break
            await asyncio.sleep(0.02)
        assert not poller.running  # polling stopped instead of going on past the failure
    assert fake.pending_updates() == 3  # the failed update (the first) and all after it


async def test_a_slow_answer_does_not_hold_back_a_later_question(
        fake: FakeBotAPI, db_path: Path) -> None:
    fake.inject("sendMessage", "slow", times=1, delay=2.0)
    async with started(fake, db_path, concurrent_updates=3):
        fake.push_update(updates.private_text(USER, QUESTIONS[0]))  # its answer takes 2 s
        await asyncio.sleep(0.4)
        asked = time.monotonic()
        fake.push_update(updates.private_text(USER + 1, QUESTIONS[1]))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and int(r.params["chat_id"]) == USER + 1, timeout=10)
        waited = time.monotonic() - asked
        await fake.wait_for("sendMessage", count=2, timeout=10)
    assert waited < 1.0  # answered while the first answer was still on its way


async def test_a_busy_chat_does_not_hold_back_the_others(fake: FakeBotAPI, db_path: Path) -> None:
    fake.inject("sendMessage", "slow", times=10, delay=0.3)
    async with started(fake, db_path, concurrent_updates=3):
        for question in QUESTIONS[:5]:
            fake.push_update(updates.private_text(USER, question))
        fake.push_update(updates.private_text(USER + 1, QUESTIONS[5]))
        await fake.wait_for("sendMessage", count=6, timeout=15)
    busy = sends_to(fake, USER)
    (other,) = sends_to(fake, USER + 1)
    assert other < busy[1]  # not queued behind the busy chat's next answers


async def test_stop_leaves_a_chats_waiting_questions_for_the_next_run_in_order(
        fake: FakeBotAPI, db_path: Path) -> None:
    fake.inject("sendMessage", "slow", times=6, delay=0.3)
    for question in QUESTIONS:
        fake.push_update(updates.private_text(USER, question))
    async with started(fake, db_path, concurrent_updates=3):
        await fake.wait_for("sendMessage", count=2, timeout=15)
    first_run = len(fake.sent("sendMessage"))
    assert first_run < len(QUESTIONS)
    assert fake.pending_updates() == len(QUESTIONS) - first_run
    async with started(fake, db_path, concurrent_updates=3):
        await fake.wait_for("sendMessage", count=len(QUESTIONS), timeout=15)
        await asyncio.sleep(0.4)  # a duplicate would arrive by now
    engine = Engine(open_store(db_path))
    assert texts(fake, USER) == [answer_html(engine.ask(q, log=False)) for q in QUESTIONS]


async def test_a_cancelled_handler_stops_polling_and_its_update_stays_unconfirmed(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.kb.chats import Chats

    def cancelled(self: Chats, update_id: int) -> None:
        raise asyncio.CancelledError

    monkeypatch.setattr(Chats, "mark_update", cancelled)
    async with started(fake, db_path, concurrent_updates=3) as app:
        fake.push_update(updates.private_text(USER, QUESTIONS[0]))
        poller = app.bot_data.poller
        for _ in range(200):
            if not poller.running:
                break
            await asyncio.sleep(0.02)
        assert not poller.running
    assert fake.pending_updates() == 1
