"""Inline keyboards and their callback data (entry ids only, never question text).

Callback data forms, each at most 64 bytes:
``a:<id>`` answer an entry (did you mean), ``v:+:<id>`` / ``v:-:<id>`` feedback,
``s:<id>`` show sources, ``t:<n>`` a topic's questions, ``x`` does nothing, ``l:<lang>``
set the reply language (en, ur, roman, auto). The answer buttons carry the reply's language
as a last part (``a:<id>:ur``), so what they open stays in the asker's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.formatting import question_in
from bot.core.i18n import texts
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


def _lang(language: str) -> tuple[str, ...]:
    return () if language == "en" else (language,)


@lru_cache(maxsize=4096)  # one per entry, state and language; immutable, so shared
def answer_keyboard(entry_id: str, *, voted: bool = False, sources_shown: bool = False,
                    language: str = "en", share: str | None = None,
                    periods: tuple[tuple[str, str], ...] = ()) -> InlineKeyboardMarkup:
    """👍/👎 (or a thank-you once voted), the Sources button and, given ``share`` (a
    question for the entry), a Share button that opens inline mode with it in any chat;
    ``periods`` (label, entry id) are the series' other periods, one button each."""
    words = texts(language)
    if voted:
        rows = [[InlineKeyboardButton(words.button_voted, callback_data="x")]]
    else:
        rows = [[InlineKeyboardButton("👍", callback_data=data("v", "+", entry_id,
                                                              *_lang(language))),
                 InlineKeyboardButton("👎", callback_data=data("v", "-", entry_id,
                                                              *_lang(language)))]]
    last = []
    if not sources_shown:
        last.append(InlineKeyboardButton(words.button_sources,
                                         callback_data=data("s", entry_id, *_lang(language))))
    if share:
        last.append(InlineKeyboardButton(words.button_share, switch_inline_query=share[:256]))
    if last:
        rows.append(last)
    if periods:
        rows.append([InlineKeyboardButton(label(f"📅 {name}"),
                                          callback_data=data("a", other, *_lang(language)))
                     for name, other in periods])
    return StaticKeyboard(rows)


def suggestions_keyboard(candidates: Iterable[Candidate],
                         language: str = "en") -> InlineKeyboardMarkup:
    """One "did you mean" button per candidate entry."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(c.question), callback_data=data("a", c.entry_id,
                                                                      *_lang(language)))]
         for c in candidates]
    )


LANGUAGE_CHOICES = (("en", "English"), ("ur", "اردو"), ("roman", "Roman Urdu"))


def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    """English, اردو, Roman Urdu and automatic; the current choice ticked."""
    auto = {"en": "🔄 Automatic", "ur": "🔄 خودکار", "roman": "🔄 Automatic (khud)"}
    buttons = [(code, name) for code, name in LANGUAGE_CHOICES]
    buttons.append(("auto", auto.get(current or "en", auto["en"])))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(("✅ " if code == (current or "auto") else "") + name,
                               callback_data=data("l", code))] for code, name in buttons]
    )


def topics_keyboard(topics: Sequence[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(t), callback_data=data("t", str(i)))]
         for i, t in enumerate(topics)]
    )


def entries_keyboard(entries: Iterable[Entry], language: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(question_in(e, language)),
                               callback_data=data("a", e.id, *_lang(language)))]
         for e in entries]
    )
