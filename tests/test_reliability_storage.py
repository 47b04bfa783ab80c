"""Storage faults through the real bot (issue 14): a database write-locked by another process
or a full disk freezes no chat, loses no write and answers nothing twice; votes count once
across restarts; a group that became a supergroup keeps its subscription and language."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.kb.store import Store, open_store
from bot.kb.usage import storage_unavailable
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9101
ASKER, OTHER, SUBSCRIBER = 5101, 5102, 5103
QUESTION = "What were IT exports in FY25?"
ADD = ("/add When is the Lahore cloud expo held? | The Lahore cloud expo is held every "
       "October. | Lahore Cloud Expo 2025 | https://example.org/expo")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


class Locker(threading.Thread):
    """Another process's writer: holds the database's write lock until told to let go."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.holding, self.release = path, threading.Event(), threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.holding.set()
        self.release.wait(120)
        conn.execute("ROLLBACK")
        conn.close()


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(str(path)) as conn:
        return conn.execute(sql).fetchall()


def vote_data(message: dict[str, Any], sign: str = "+") -> str:
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row if b.get("callback_data", "").startswith(f"v:{sign}"))


async def timed_answer(fake: FakeBotAPI, user: int, text: str) -> float:
    """Seconds from pushing a private question to the fake receiving its answer."""
    before = len(texts(fake, user))
    started_at = time.monotonic()
    fake.push_update(updates.private_text(user, text))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == user
                        and len(texts(fake, user)) > before, timeout=10)
    return time.monotonic() - started_at


def deferred(live: Any) -> int:
    return int(live.bot_data.state.metrics["updates_deferred_storage"])


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for ``check`` to hold (polled every 20 ms), failing after ``timeout``."""
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.02)


def callback_answers(fake: FakeBotAPI) -> list[str]:
    return [str(p.get("text", "")) for p in fake.sent("answerCallbackQuery")]


async def test_a_write_locked_database_loses_and_doubles_nothing_and_delays_no_one(
        fake: FakeBotAPI, db_path: Path) -> None:
    """While another process holds the write lock: answers come at once (from memory); a
    vote, a /subscribe and an admin's /add wait (their updates are handled again, never
    recorded half-done), and once the lock is gone each is applied and answered once."""
    open_store(db_path).close()
    locker = Locker(db_path)
    try:
        async with started(fake, db_path, admins=frozenset({ADMIN})) as live:
            fake.push_update(updates.private_text(ASKER, QUESTION))
            answer = (await fake.wait_for("sendMessage"))[0].result
            locker.start()
            assert await asyncio.to_thread(locker.holding.wait, 10)
            fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer)))
            fake.push_update(updates.private_text(SUBSCRIBER, "/subscribe"))
            fake.push_update(updates.private_text(ADMIN, ADD))
            await until(lambda: deferred(live) >= 6)  # each tried (and put off) twice
            waits = [await timed_answer(fake, OTHER, "How many freelancers does Pakistan "
                                        "have?") for _ in range(3)]
            assert max(waits) < 2.0, waits  # other users are not held up by the lock
            assert locker.is_alive() and callback_answers(fake) == []
            assert texts(fake, SUBSCRIBER) == [] and texts(fake, ADMIN) == []
            assert live.bot_data.poller is not None and live.bot_data.poller.running
            locker.release.set()
            await fake.wait_for(lambda r: r.ok and r.params.get("chat_id") == ADMIN,
                                timeout=15)
            await fake.wait_for(lambda r: r.ok and r.params.get("chat_id") == SUBSCRIBER,
                                timeout=15)
            await fake.wait_for("answerCallbackQuery", timeout=15)
            await until(lambda: not live.bot_data.state.store.chats.unwritten_marks)
    finally:
        locker.release.set()
        locker.join(10)
    assert len(callback_answers(fake)) == 1 and len(texts(fake, SUBSCRIBER)) == 1
    assert len(texts(fake, ADMIN)) == 1 and "#when-is-the-lahore-cloud-expo-held" in \
        texts(fake, ADMIN)[0]
    assert len(texts(fake, ASKER)) == 1 and len(texts(fake, OTHER)) == 3
    assert rows(db_path, "SELECT COUNT(*) FROM feedback") == [(1,)]
    assert rows(db_path, "SELECT chat_id FROM subscriptions") == [(SUBSCRIBER,)]
    assert rows(db_path, "SELECT action FROM revisions WHERE entry_id = "
                "'when-is-the-lahore-cloud-expo-held'") == [("create",)]
    assert rows(db_path, "SELECT COUNT(*) FROM query_log WHERE chat_type = 'private'") == \
        [(4,)]  # the questions asked meanwhile were written once the lock was gone
    assert fake.errors == []


async def test_a_full_disk_keeps_answering_and_applies_the_vote_once_there_is_room(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(db_path).close()
    async with started(fake, db_path) as live:
        fake.push_update(updates.private_text(ASKER, QUESTION))
        answer = (await fake.wait_for("sendMessage"))[0].result
        store: Store = live.bot_data.state.store
        real_execute = store.db.execute

        def disk_full(sql: str, *args: object) -> object:
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
                raise sqlite3.OperationalError("database or disk is full")
            return real_execute(sql, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(store.db, "execute", disk_full)
        fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer, "-")))
        await until(lambda: deferred(live) >= 2)
        assert await timed_answer(fake, OTHER, QUESTION) < 2.0
        # its handled mark is recorded just after the answer goes out: remembered, unwritten
        await until(lambda: store.chats.unwritten_marks >= 1)
        assert callback_answers(fake) == []
        monkeypatch.undo()  # room again
        await fake.wait_for("answerCallbackQuery", timeout=15)
        await until(lambda: not store.chats.unwritten_marks)
    assert len(callback_answers(fake)) == 1 and len(texts(fake, OTHER)) == 1
    assert rows(db_path, "SELECT vote FROM feedback") == [(-1,)]
    assert fake.errors == []


def test_sqlite_full_and_locked_are_recognised_as_try_again_later(tmp_path: Path) -> None:
    """The real errors, not just their wording: SQLITE_FULL from a size cap, SQLITE_BUSY
    from another connection's lock; a bug (no such table) is not one of them."""
    path = tmp_path / "full.sqlite3"
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError) as full:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (zeroblob(8000))")
    assert storage_unavailable(full.value)
    other = sqlite3.connect(str(path), isolation_level=None, timeout=0.01)
    conn.execute("PRAGMA max_page_count=100000")
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("INSERT INTO t VALUES (1)")
    assert storage_unavailable(locked.value)
    with pytest.raises(sqlite3.OperationalError) as bug:
        other.execute("SELECT * FROM nowhere")
    assert not storage_unavailable(bug.value)
    conn.execute("ROLLBACK")


async def test_stopping_while_locked_leaves_the_put_off_update_to_the_next_run_once(
        fake: FakeBotAPI, db_path: Path) -> None:
    """A graceful stop while the lock is still held: the vote that could not be written is
    not confirmed, so the next run (the lock gone) records it; the answers confirmed before
    the stop are not sent again."""
    open_store(db_path).close()
    locker = Locker(db_path)
    try:
        async with started(fake, db_path) as live:
            fake.push_update(updates.private_text(ASKER, QUESTION))
            answer = (await fake.wait_for("sendMessage"))[0].result
            locker.start()
            assert await asyncio.to_thread(locker.holding.wait, 10)
            fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer)))
            await until(lambda: deferred(live) >= 1)
            await timed_answer(fake, OTHER, QUESTION)
        # the vote waiting for the database is kept beside it (so the offset could move on
        # past it) and the answered question's mark, which could not be written, too
        parked = Path(f"{db_path}-parked").read_text(encoding="utf-8")
        assert '"callback_query"' in parked and len(parked.splitlines()) == 1
        assert Path(f"{db_path}-handled").exists()
    finally:
        locker.release.set()
        locker.join(10)
    async with started(fake, db_path) as live:
        await fake.wait_for("answerCallbackQuery", timeout=15)
        await until(lambda: not live.bot_data.state.store.chats.unwritten_marks)
        await until(lambda: fake.pending_updates() == 0)
    assert not Path(f"{db_path}-handled").exists() and not Path(f"{db_path}-parked").exists()
    assert len(texts(fake, ASKER)) == 1 and len(texts(fake, OTHER)) == 1
    assert len(callback_answers(fake)) == 1
    assert rows(db_path, "SELECT COUNT(*) FROM feedback") == [(1,)]


async def test_one_vote_per_user_and_answer_survives_a_restart(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, user_rate_limit=1000):
        fake.push_update(updates.private_text(ASKER, QUESTION))
        answer = (await fake.wait_for("sendMessage"))[0].result
        fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer, "-")))
        await fake.wait_for("answerCallbackQuery")
    for restart in range(1, 4):  # before: each restart allowed one more
        async with started(fake, db_path, user_rate_limit=1000):
            for sign in "-+":
                fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer, sign)))
            await fake.wait_for("answerCallbackQuery", count=1 + 2 * restart)
    async with started(fake, db_path, user_rate_limit=1000):
        fake.push_update(updates.callback_query(OTHER, answer, vote_data(answer)))
        await fake.wait_for("answerCallbackQuery", count=8)
    assert rows(db_path, "SELECT vote FROM feedback ORDER BY id") == [(-1,), (1,)]
    thanks, *again, other = callback_answers(fake)
    assert len(set(again)) == 1 and again[0] != thanks and other == thanks


async def test_a_group_that_became_a_supergroup_keeps_its_subscription_and_language(
        fake: FakeBotAPI, db_path: Path) -> None:
    """ChatMigrated on a reply: the reply goes to the new id, once; the group's subscription,
    the facts it was sent and its language move with it."""
    group, supergroup = -4101, -1_000_000_004_101
    store = open_store(db_path)
    store.chats.subscribe(group, "group")
    sent = store.chats.next_fact(group, ["it-exports-fy25", "freelancers"])
    store.chats.set_language(group, "roman")
    store.close()
    fake.inject("sendMessage", "migrated", times=1, chat_id=group, new_chat_id=supergroup)
    async with started(fake, db_path):
        fake.push_update(updates.group_text(group, ASKER, f"/ask {QUESTION}", chat_type="group"))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == supergroup)
    assert len(texts(fake, supergroup)) == 1 and texts(fake, group) == []
    assert rows(db_path, "SELECT chat_id, chat_type FROM subscriptions") == [
        (supergroup, "supergroup")]
    assert rows(db_path, "SELECT chat_id, entry_id FROM facts_sent") == [(supergroup, sent)]
    assert rows(db_path, "SELECT id, language FROM reply_languages WHERE id < 0") == [
        (supergroup, "roman")]
    assert fake.errors == []


async def test_an_update_waiting_for_the_database_does_not_hold_getupdates_window(
        fake: FakeBotAPI, db_path: Path) -> None:
    """getUpdates returns at most 100 updates from the offset: an update waiting for the
    lock is kept beside the database, so the offset moves past it and 150 later questions
    from other users are all answered while the lock is still held."""
    open_store(db_path).close()
    locker = Locker(db_path)
    try:
        async with started(fake, db_path) as live:
            fake.push_update(updates.private_text(ASKER, QUESTION))
            answer = (await fake.wait_for("sendMessage"))[0].result
            locker.start()
            assert await asyncio.to_thread(locker.holding.wait, 10)
            fake.push_update(updates.callback_query(ASKER, answer, vote_data(answer)))
            await until(lambda: deferred(live) >= 1)
            for user in range(150):
                fake.push_update(updates.private_text(60_000 + user, QUESTION))
            await fake.wait_for("sendMessage", count=151, timeout=30)
            assert locker.is_alive() and callback_answers(fake) == []
            locker.release.set()
            await fake.wait_for("answerCallbackQuery", timeout=15)
    finally:
        locker.release.set()
        locker.join(10)
    assert rows(db_path, "SELECT COUNT(*) FROM feedback") == [(1,)]
    assert not Path(f"{db_path}-parked").exists()
