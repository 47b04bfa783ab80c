"""What every handler shares, typed: the custom context, ``bot_data`` and the bot's state.

Following python-telegram-bot's ``contexttypesbot.py`` example, the application is built
with ``ContextTypes(context=Context, bot_data=BotData)``: ``context.state`` is the
:class:`BotState` opened in ``post_init`` (settings, engine, store, limits, metrics), and
``application.bot_data`` is a :class:`BotData` with named attributes instead of string keys.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue
from telegram.request import BaseRequest

from bot.core.engine import Engine
from bot.kb import Knowledge, Store
from bot.kb.store import ImportBase
from bot.settings import Settings
from bot.tg.limits import RateGate

if TYPE_CHECKING:
    from bot.tg.delivery.polling import Poller

__all__ = ["CONTEXT_TYPES", "BotData", "BotState", "Context", "PendingImport", "PkitbotApp"]

# an import checked and shown to its admin, waiting for Confirm: (admin id, knowledge, file
# name, what it changes as the dry run saw it)
PendingImport: TypeAlias = tuple[int, Knowledge, str, ImportBase]


@dataclass
class BotState:
    """Resources opened in ``post_init`` and closed in ``post_shutdown``."""

    settings: Settings
    engine: Engine
    chat_gate: RateGate
    user_gate: RateGate
    metrics: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    telegram_ok_at: float | None = None  # monotonic time of the last good getUpdates
    pending_imports: dict[str, PendingImport] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.engine.store


class BotData:
    """``application.bot_data``: the settings from the start, the state once it is open."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.state: BotState | None = None
        self.updates_request: BaseRequest | None = None  # the getUpdates transport
        self.poller: Poller | None = None  # set while long polling runs (tests look at it)


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives; ``context.state`` is the running bot's state."""

    @property
    def state(self) -> BotState:
        """The shared state of the running application (opened in ``post_init``)."""
        state = self.bot_data.state
        if state is None:
            raise RuntimeError("the bot's state is not open yet (post_init has not run)")
        return state


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
PkitbotApp: TypeAlias = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any],
                                    BotData, JobQueue[Context]]
