"""/stats and what it counts: questions per local day (zero days included, midnight in the
bot's time zone), a readable PNG chart, small talk and `pkitbot ask` runs left out, raw
question text forgotten after PKITBOT_LOG_DAYS days, and `ask` never loading matplotlib.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.engine import Engine
from bot.kb.store import Store, open_store
from bot.tg.chart import questions_chart
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001
USER = 5002
KARACHI = ZoneInfo("Asia/Karachi")  # UTC+5, no daylight saving
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def asked_at(store: Store, *stamps: str, decision: str = "answer", chat_type: str = "private"
             ) -> None:
    """Questions in the log at these UTC times, as the bot writes them."""
    store.db.table("query_log").insert_all(
        {"at": stamp, "question": f"question at {stamp}", "entry_id": None, "score": 0.5,
         "decision": decision, "chat_type": chat_type} for stamp in stamps)


def test_per_day_counts_local_days_around_midnight_in_karachi(store: Store) -> None:
    asked_at(store,
             "2026-03-08T18:59:59+00:00",  # 23:59:59 on the 8th in Karachi: before the window
             "2026-03-08T19:00:00+00:00",  # 00:00 on the 9th in Karachi
             "2026-03-09T18:30:00+00:00",  # 23:30 on the 9th
             "2026-03-09T18:59:59+00:00",  # 23:59:59 on the 9th
             "2026-03-09T19:00:00+00:00",  # 00:00 on the 10th
             "2026-03-12T18:59:00+00:00",  # 23:59 on the 12th: the last day
             "2026-03-12T19:00:00+00:00")  # the 13th: after the window
    asked_at(store, "2026-03-10T06:00:00+00:00", decision="smalltalk")  # "salam": not a question
    asked_at(store, "2026-03-10T07:00:00+00:00", chat_type="cli")  # `pkitbot ask`
    days = store.usage.per_day(4, KARACHI, today=date(2026, 3, 12))
    assert days == [(date(2026, 3, 9), 3), (date(2026, 3, 10), 1), (date(2026, 3, 11), 0),
                    (date(2026, 3, 12), 1)]
    # in UTC the same questions fall on other days
    utc = dict(store.usage.per_day(4, UTC, today=date(2026, 3, 12)))
    assert utc[date(2026, 3, 9)] == 3 and utc[date(2026, 3, 12)] == 2


def test_per_day_follows_a_half_hour_zone(store: Store) -> None:
    asked_at(store, "2026-03-09T18:29:59+00:00",  # 23:59:59 on the 9th in Kolkata (UTC+5:30)
             "2026-03-09T18:30:00+00:00")  # 00:00 on the 10th
    assert store.usage.per_day(2, ZoneInfo("Asia/Kolkata"), today=date(2026, 3, 10)) == [
        (date(2026, 3, 9), 1), (date(2026, 3, 10), 1)]


def test_stats_give_fourteen_days_ending_today_with_zero_days(store: Store) -> None:
    now = datetime.now(UTC)
    asked_at(store, now.isoformat(timespec="seconds"),
             (now - timedelta(days=3)).isoformat(timespec="seconds"))
    per_day = store.usage.stats(14, KARACHI)["per_day"]
    assert len(per_day) == 14 and sum(r["n"] for r in per_day) == 2
    assert per_day[-1]["day"] == datetime.now(KARACHI).date().isoformat()
    assert sum(1 for r in per_day if r["n"] == 0) == 12


def test_greetings_and_cli_runs_are_not_counted_as_unanswered(store: Store) -> None:
    engine = Engine(store)
    engine.ask("Assalam o alaikum", chat_type="private")
    engine.ask("thanks for the info", chat_type="private")
    engine.ask("Who won the cricket world cup?", chat_type="cli")  # an operator trying it
    engine.ask("What were IT exports in FY25?", chat_type="cli")
    engine.ask("What were IT exports in FY25?", chat_type="private")
    engine.ask("Who won the cricket world cup?", chat_type="private")
    stats = store.usage.stats()
    assert (stats["asked"], stats["answered"], stats["answered_share"]) == (2, 1, 0.5)
    assert [r["question"] for r in store.usage.unanswered()] == ["Who won the cricket world cup?"]
    assert store.usage.unanswered()[0]["count"] == 1
    logged = store.db.execute("SELECT decision, chat_type FROM query_log ORDER BY id").fetchall()
    assert logged[:2] == [("smalltalk", "private"), ("smalltalk", "private")]
    assert len(logged) == 6  # every line stays in the log


def test_prune_forgets_old_question_text_and_keeps_the_counts(store: Store) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    store.db.table("query_log").insert_all([
        {"at": old.isoformat(timespec="seconds"), "question": "an old zanzibar question",
         "decision": "answer", "chat_type": "private", "entry_id": "it-exports-fy25"},
        {"at": recent.isoformat(timespec="seconds"), "question": "a recent zanzibar question",
         "decision": "abstain", "chat_type": "private"}])
    store.db.table("unanswered").insert_all([
        {"normalized": "old", "question": "old one?", "first_at": old.isoformat(),
         "last_at": old.isoformat()},
        {"normalized": "new", "question": "recent one?", "first_at": old.isoformat(),
         "last_at": recent.isoformat()}])
    before = store.usage.stats()
    assert store.usage.prune(90) == 2
    assert [r[0] for r in store.db.execute("SELECT question FROM query_log ORDER BY at")] == [
        None, "a recent zanzibar question"]
    found = store.db.execute("SELECT question FROM query_log_fts WHERE query_log_fts "
                             "MATCH 'zanzibar'").fetchall()
    assert found == [("a recent zanzibar question",)]  # the search forgot it too
    assert [r["question"] for r in store.usage.unanswered()] == ["recent one?"]
    after = store.usage.stats()
    assert (after["asked"], after["answered"], after["top_entries"]) == \
        (before["asked"], before["answered"], before["top_entries"])
    assert store.usage.prune(90) == 0  # nothing left to forget


def test_the_chart_is_a_png_with_a_bar_for_every_day() -> None:
    days = [(date(2026, 3, 1) + timedelta(days=i), n) for i, n in enumerate([0, 4, 0, 12])]
    png = questions_chart(days, "Asia/Karachi")
    assert png.startswith(PNG) and 5_000 < len(png) < 500_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 400)


async def test_stats_sends_a_chart_of_the_days_in_the_bots_time_zone(
        fake: FakeBotAPI, db_path: Path) -> None:
    store = open_store(db_path)
    long_ago = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
    asked_at(store, long_ago)  # older than PKITBOT_LOG_DAYS below: its text goes at start
    store.close()
    async with started(fake, db_path, admins=frozenset({ADMIN}), timezone="Asia/Karachi",
                       log_days=30):
        for i, question in enumerate(["IT exports FY25", "salam", "what is the weather"]):
            fake.push_update(updates.private_text(USER + i, question))
        await fake.wait_for("sendMessage", count=3)
        fake.push_update(updates.private_text(ADMIN, "/stats"))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                            and r.params.get("chat_id") == ADMIN)
        (photo,) = fake.sent("sendPhoto", ADMIN)
    (text,) = texts(fake, ADMIN)
    # the old answered question (its text pruned) still counts; "salam" is not a question
    assert "3 asked, 2 answered (67%)" in text
    assert "Asia/Karachi" in str(photo["caption"]) and "14 days" in str(photo["caption"])
    png = photo["photo"].data
    assert png.startswith(PNG) and 5_000 < len(png) < 500_000
    store = open_store(db_path)
    try:
        assert store.db.execute("SELECT question FROM query_log WHERE at = ?",
                                [long_ago]).fetchone() == (None,)
    finally:
        store.close()


def test_ask_never_imports_matplotlib(db_path: Path) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import bot.cli, bot.tg.app, bot.tg.admin\n"
        "result = CliRunner().invoke(bot.cli.main, ['ask', 'What were IT exports in FY25?'])\n"
        "assert result.exit_code == 0 and '3.8 billion' in result.output, result.output\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PKITBOT_DB": str(db_path)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
