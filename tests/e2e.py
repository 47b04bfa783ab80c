"""End-to-end harness: the real Application, started against the fake Bot API over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.settings import Settings
from bot.tg.app import build_application, running
from tests.fakebot.server import FakeBotAPI


def settings_for(fake: FakeBotAPI, db_path: Path, **overrides: Any) -> Settings:
    base = Settings(token=fake.token, api_base_url=fake.base_url, db_path=db_path,
                    max_send_rate=1000.0)
    return replace(base, **overrides)


@asynccontextmanager
async def started(fake: FakeBotAPI, db_path: Path, **overrides: Any
                  ) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A running bot (long polling the fake) for the body of the block."""
    app = build_application(settings_for(fake, db_path, **overrides))
    async with running(app) as live:
        yield live


def texts(fake: FakeBotAPI, chat_id: int | None = None) -> list[str]:
    """The text of every message the bot sent (to one chat)."""
    return [str(p.get("text", "")) for p in fake.sent("sendMessage", chat_id)]


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, callback_data) of every inline button in a request's reply_markup."""
    markup = params.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


async def say(fake: FakeBotAPI, user: int, text: str, n: int) -> str:
    """Send a private message and wait for the n-th sendMessage to that chat; return it
    (waiting up to 15 s: the first unsure question loads the meaning model, which on a
    loaded shared machine has taken over 5 s; a reply that never comes still fails)."""
    from tests.fakebot import updates

    fake.push_update(updates.private_text(user, text))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == user and n <= len(texts(fake, user)),
                        timeout=15.0)
    return texts(fake, user)[n - 1]
