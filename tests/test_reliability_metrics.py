"""/metrics counts what happened (issue 14): 429s from Telegram on sends and on getUpdates,
retries, and every counter it declares is one the bot increments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tg.delivery.webhook import metrics_text
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

REPO = Path(__file__).resolve().parent.parent
USER = 5201


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def sample(text: str, name: str) -> int:
    found = re.search(rf"^{re.escape(name)} (\d+)$", text, re.M)
    assert found, name
    return int(found.group(1))


async def test_metrics_count_telegrams_429s_and_retries(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path) as live:
        fake.inject("getUpdates", "429", times=1, retry_after=1)
        fake.inject("sendMessage", "429", times=2, retry_after=1)
        fake.inject("sendMessage", "502", times=1)
        fake.push_update(updates.private_text(USER, "What were IT exports in FY25?"))
        await fake.wait_for(lambda r: r.ok and r.method == "sendMessage", timeout=20)
        text = metrics_text(live.bot_data.state)
    assert len(texts(fake, USER)) == 1
    assert sample(text, "pkitbot_telegram_429_total") == 3  # two on the send, one on polling
    assert sample(text, "pkitbot_telegram_retries_total") == 1  # the 502
    assert sample(text, "pkitbot_telegram_given_up_total") == 0


def test_every_counter_metrics_shows_is_one_the_bot_counts() -> None:
    """No declared-but-dead counter: each key /metrics reads is incremented in bot/."""
    source = (REPO / "bot" / "tg" / "delivery" / "webhook.py").read_text(encoding="utf-8")
    body = source[source.index("def metrics_text"):source.index("class InHand")]
    read = set(re.findall(r'get\(f?"([a-z0-9_]+)', body)) | {
        f"{prefix}_{d}" for prefix, ds in (("questions", ("answer", "suggest", "abstain")),
                                           ("feedback", ("up", "down"))) for d in ds}
    read = {key for key in read if not key.endswith("_")}  # the f-string keys, listed above
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "bot").rglob("*.py"))
    counted = set(re.findall(r'metrics\[f?"([a-z0-9_]+)"\] \+= 1', code))
    counted |= {f"questions_{d}" for d in ("answer", "suggest", "abstain")}  # f-string keys
    counted |= {f"feedback_{v}" for v in ("up", "down")}
    assert read <= counted, sorted(read - counted)
