"""Abuse limits: questions per user per minute, question length, and admin commands that a
forged, forwarded, edited or on-behalf-of-a-chat message cannot reach.

(A plain non-admin, a forwarded admin command and admin commands in groups are covered in
tests/test_admin_telegram.py; the limiter's window logic in tests/test_matcher.py-style unit
tests below.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.kb.store import open_store
from bot.tg.limits import RateGate, Verdict
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9101
USER = 5101
GROUP = -100321
CHANNEL = -100654
QUESTION = "What were IT exports in FY25?"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def kb(db_path: Path) -> list[dict[str, Any]]:
    store = open_store(db_path)
    try:
        return [e.to_dict() | {"status": e.status} for e in store.entries(include_deleted=True)]
    finally:
        store.close()


def test_rate_gate_allows_limit_then_one_notice_then_silence_then_recovers() -> None:
    now = [0.0]
    gate = RateGate(3, window=60, clock=lambda: now[0])
    verdicts = [gate.check("u") for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTICE, Verdict.SILENT, Verdict.SILENT]
    assert gate.check("other") is Verdict.ALLOW
    now[0] = 61.0
    assert gate.check("u") is Verdict.ALLOW


async def test_user_limit_answers_twenty_then_one_polite_notice(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, user_rate_limit=20):
        for batch in range(3):  # ten at a time: at most ten of one user's are taken at once
            for _ in range(10):
                fake.push_update(updates.private_text(USER, QUESTION))
            await fake.wait_for("sendMessage", count=min(10 * (batch + 1), 21), timeout=10)
        fake.push_update(updates.private_text(USER + 1, QUESTION))  # someone else: unaffected
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == USER + 1, timeout=10)
        await fake.wait_for("sendMessage", count=22, timeout=10)
    sent = texts(fake, USER)
    assert len(sent) == 21
    assert all("3.8 billion" in t for t in sent[:20])
    assert "wait a minute" in sent[20]
    assert len(texts(fake, USER + 1)) == 1


async def test_the_limit_counts_a_user_across_chats(fake: FakeBotAPI, db_path: Path) -> None:
    bot = fake.bot_username
    async with started(fake, db_path, user_rate_limit=3, chat_flood_limit=100):
        for i in range(4):
            fake.push_update(updates.group_text(GROUP - i, USER, f"/ask@{bot} {QUESTION}"))
        fake.push_update(updates.private_text(USER, QUESTION))
        await fake.wait_for("sendMessage", count=4, timeout=10)
        await fake.wait_for("getUpdates", count=3)
    assert len(fake.sent("sendMessage")) == 4  # 3 answers + 1 notice, then silence


@pytest.mark.parametrize(("length", "answered"), [(500, True), (501, False), (50_000, False)])
async def test_question_length_cap(fake: FakeBotAPI, db_path: Path, length: int,
                                   answered: bool) -> None:
    question = ("IT exports FY25 " * 4000)[:length]
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, question))
        fake.push_update(updates.group_text(GROUP, USER + 1, "/ask " + question))
        fake.push_update(updates.inline_query(USER + 2, question[:256]))  # Telegram's cap
        await fake.wait_for("sendMessage", count=2, timeout=10)
        await fake.wait_for("answerInlineQuery", timeout=10)
    private, group = texts(fake, USER)[0], texts(fake, GROUP)[0]
    for reply in (private, group):
        assert ("too long" not in reply) is answered
    if not answered:
        assert f"under {500}" in private
    assert fake.errors == []


# -- admin identity is the sender's numeric id ------------------------------------------


async def test_username_of_an_admin_does_not_make_an_admin(
        fake: FakeBotAPI, db_path: Path) -> None:
    real = updates.private_text(ADMIN, "/delete it-exports-fy25", username="boss")
    forged = updates.private_text(USER, "/delete it-exports-fy25", username="boss",
                                  first_name="Boss")
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb(db_path)
        fake.push_update(forged)
        await fake.wait_for("sendMessage")
        assert kb(db_path) == before
        assert "admins only" in texts(fake, USER)[0]
        fake.push_update(real)  # the same command from the real numeric id works
        await fake.wait_for("sendMessage", count=2)
    assert "Deleted" in texts(fake, ADMIN)[0]


async def test_message_sent_on_behalf_of_a_chat_is_refused(
        fake: FakeBotAPI, db_path: Path) -> None:
    # an anonymous group admin or a linked channel: Telegram puts a placeholder in "from"
    # and the real sender in sender_chat; even if "from" carries an admin's id, refuse.
    update = updates.private_text(ADMIN, "/delete it-exports-fy25")
    update["message"]["sender_chat"] = {"id": CHANNEL, "type": "channel", "title": "News"}
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb(db_path)
        fake.push_update(update)
        await fake.wait_for("sendMessage")
    assert "not forwarded or posted on behalf of a chat" in texts(fake, ADMIN)[0]
    assert kb(db_path) == before


async def test_channel_post_and_edited_message_cannot_run_admin_commands(
        fake: FakeBotAPI, db_path: Path) -> None:
    original = updates.private_text(ADMIN, "hello")
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb(db_path)
        fake.push_update(updates.channel_post(CHANNEL, "/delete it-exports-fy25"))
        fake.push_update(updates.edited_message(original, "/delete it-exports-fy25"))
        fake.push_update(updates.private_text(USER, "/fact"))  # a marker: handled after both
        await fake.wait_for("sendMessage")
    assert kb(db_path) == before
    assert texts(fake, CHANNEL) == [] and texts(fake, ADMIN) == []


async def test_forged_admin_buttons_change_nothing(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb(db_path)
        fake.push_update(updates.private_text(USER, "/fact"))
        await fake.wait_for("sendMessage")
        msg = fake.last_sent(USER)
        for data in ("u:a:1:it-exports-fy25", "u:d:1", "i:y:deadbeef0000", "i:n:x"):
            fake.push_update(updates.callback_query(USER, msg, data))
        acks = await fake.wait_for("answerCallbackQuery", count=4, timeout=10)
    assert kb(db_path) == before
    notes = [a.params.get("text", "") for a in acks]
    assert all("admins" in n or "no longer pending" in n for n in notes)
    assert fake.sent("editMessageText") == []


async def test_busy_group_stays_within_telegrams_limit_and_holds_up_no_one(
        fake: FakeBotAPI, db_path: Path) -> None:
    """Every reply in a group (answers, command replies, the notice) counts against the
    chat's flood gate, so the bot never sends a group more than Telegram's 20 messages a
    minute; and button taps there are not paced, so a busy group delays no other chat."""
    import time

    bot = fake.bot_username
    async with started(fake, db_path):
        for i in range(15):
            fake.push_update(updates.group_text(GROUP, USER + i, f"/ask@{bot} {QUESTION}"))
            fake.push_update(updates.group_text(GROUP, USER + i, "/help"))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and "take a short break" in r.params.get("text", ""), timeout=10)
        answer = next(m for m in fake.results("sendMessage") if m.get("reply_markup"))
        vote = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        for i in range(30):  # vote taps on a group answer: edits in the group
            fake.push_update(updates.callback_query(USER + i, answer, vote))
        started_at = time.monotonic()
        fake.push_update(updates.private_text(USER + 99, QUESTION))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == USER + 99, timeout=10)
        waited = time.monotonic() - started_at
    assert len(texts(fake, GROUP)) == 20  # 19 replies + the one notice
    assert waited < 1.5  # not held behind the group's pacing
    assert fake.errors == [] or all("not modified" in (e.description or "") for e in fake.errors)


# -- fairness: every kind of update counts, a flood holds up no one ---------------------


def victim_latency(fake: FakeBotAPI, chat: int, pushed_at: float, send: float) -> float:
    (record,) = [r for r in fake.requests if r.ok and r.method == "sendMessage"
                 and r.params.get("chat_id") == chat]
    return record.time - pushed_at + send


async def test_a_flood_of_help_does_not_delay_another_users_answer(
        fake: FakeBotAPI, db_path: Path) -> None:
    import time

    fake.inject("sendMessage", "slow", times=10_000, delay=0.08)  # 80 ms per send
    async with started(fake, db_path):
        for _ in range(250):
            fake.push_update(updates.private_text(USER, "/help"))
        pushed_at = time.time()
        fake.push_update(updates.private_text(USER + 1, QUESTION))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == USER + 1, timeout=30)
        latency = victim_latency(fake, USER + 1, pushed_at, 0.08)
        await fake.wait_for(lambda r: fake.pending_updates() == 0, timeout=10)
    flooder = texts(fake, USER)
    assert latency < 2.0, latency
    assert len(flooder) <= 12  # ten /help at most in hand, one "still answering" notice
    assert "still answering" in flooder[10]
    assert "3.8 billion" in texts(fake, USER + 1)[0]


async def test_buttons_commands_and_inline_queries_spend_the_same_budget(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, user_rate_limit=4):
        fake.push_update(updates.private_text(USER, "/fact"))
        msg = (await fake.wait_for("sendMessage"))[0].result
        vote = msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.push_update(updates.callback_query(USER, msg, vote))
        await fake.wait_for("answerCallbackQuery")
        fake.push_update(updates.inline_query(USER, "freelancers"))
        await fake.wait_for("answerInlineQuery")
        fake.push_update(updates.private_text(USER, "/help"))  # the fourth: still allowed
        await fake.wait_for("sendMessage", count=2)
        fake.push_update(updates.private_text(USER, QUESTION))  # the fifth: over budget
        fake.push_update(updates.inline_query(USER, "exports"))
        fake.push_update(updates.private_text(USER + 1, QUESTION))  # marker
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == USER + 1, timeout=10)
        await fake.wait_for("sendMessage", count=4)
    mine = texts(fake, USER)
    assert len(mine) == 3 and "wait a minute" in mine[2]  # told once, not answered
    assert len(fake.sent("answerInlineQuery")) == 1  # the second inline query: nothing


async def test_one_users_repeated_downvotes_count_once(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, user_rate_limit=1000):
        fake.push_update(updates.private_text(USER, QUESTION))
        msg = (await fake.wait_for("sendMessage"))[0].result
        down = next(b["callback_data"] for row in msg["reply_markup"]["inline_keyboard"]
                    for b in row if b.get("callback_data", "").startswith("v:-"))
        for batch in range(1, 6):  # ten taps at a time (one user's updates in hand: 10)
            for _ in range(10):
                fake.push_update(updates.callback_query(USER, msg, down))
            await fake.wait_for("answerCallbackQuery", count=10 * batch, timeout=15)
        fake.push_update(updates.callback_query(USER + 1, msg, down))  # another user: counts
        await fake.wait_for("answerCallbackQuery", count=51, timeout=15)
    store = open_store(db_path)
    try:
        assert store.db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 2
    finally:
        store.close()


async def test_inline_queries_do_not_fill_unanswered(fake: FakeBotAPI, db_path: Path) -> None:
    """Telegram sends an inline query per keystroke: the texts are partial, so inline queries
    are never logged (neither as questions nor as unanswered)."""
    typed = "zorblax quantum llama farms"
    async with started(fake, db_path, user_rate_limit=1000):
        for i in range(1, len(typed) + 1):
            fake.push_update(updates.inline_query(USER, typed[:i]))
            if i % 10 == 0:  # one user's updates in hand: at most ten
                await fake.wait_for("answerInlineQuery", count=i, timeout=15)
        await fake.wait_for("answerInlineQuery", count=len(typed), timeout=15)
    store = open_store(db_path)
    try:
        assert store.usage.unanswered() == []
    finally:
        store.close()
