"""Inline keyboards and their callback data (entry ids only, never question text).

Callback data forms, each at most 64 bytes:
``a:<id>`` answer an entry (did you mean), ``v:+:<id>`` / ``v:-:<id>`` feedback,
``s:<id>`` show sources, ``t:<n>`` a topic's questions, ``x`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.matcher import Candidate
from bot.kb.models import Entry

MAX_DATA = 64
MAX_LABEL = 60


def data(*parts: str) -> str:
    text = ":".join(parts)
    if len(text.encode("utf-8")) > MAX_DATA:
        raise ValueError(f"callback data over {MAX_DATA} bytes: {text[:20]}...")
    return text


def label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


class StaticKeyboard(InlineKeyboardMarkup):
    """An inline keyboard that builds its JSON form once: it cannot change after creation,
    and every answer sends one (python-telegram-bot would rebuild it on each send)."""

    __slots__ = ("_json",)

    def __init__(self, rows: Sequence[Sequence[InlineKeyboardButton]]) -> None:
        super().__init__(rows)
        with self._unfrozen():
            self._json = super().to_dict()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return dict(self._json) if recursive else super().to_dict(recursive=False)


@lru_cache(maxsize=4096)  # one per entry and state; the markup is immutable, so shared
def answer_keyboard(entry_id: str, *, voted: bool = False,
                    sources_shown: bool = False) -> InlineKeyboardMarkup:
    """👍/👎 (or a thank-you once voted) and the Sources button."""
    if voted:
        rows = [[InlineKeyboardButton("🙏 Thanks for your feedback", callback_data="x")]]
    else:
        rows = [[InlineKeyboardButton("👍", callback_data=data("v", "+", entry_id)),
                 InlineKeyboardButton("👎", callback_data=data("v", "-", entry_id))]]
    if not sources_shown:
        rows.append([InlineKeyboardButton("📚 Sources", callback_data=data("s", entry_id))])
    return StaticKeyboard(rows)


def suggestions_keyboard(candidates: Iterable[Candidate]) -> InlineKeyboardMarkup:
    """One "did you mean" button per candidate entry."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(c.question), callback_data=data("a", c.entry_id))]
         for c in candidates]
    )


def topics_keyboard(topics: Sequence[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(t), callback_data=data("t", str(i)))]
         for i, t in enumerate(topics)]
    )


def entries_keyboard(entries: Iterable[Entry]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(e.question), callback_data=data("a", e.id))]
         for e in entries]
    )
