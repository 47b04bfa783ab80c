"""What every handler shares, kept in ``application.bot_data``: settings, engine, limits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ContextTypes

from bot.core.engine import Engine
from bot.kb.store import Store
from bot.settings import Settings
from bot.tg.limits import RateGate

STATE_KEY = "pkitbot"


@dataclass
class BotState:
    """Resources opened in ``post_init`` and closed in ``post_shutdown``."""

    settings: Settings
    engine: Engine
    chat_gate: RateGate
    user_gate: RateGate
    metrics: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.engine.store


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared state of the running application."""
    value = context.application.bot_data[STATE_KEY]
    assert isinstance(value, BotState)
    return value
