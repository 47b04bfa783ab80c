"""How an entry will be found: its own question and automatic variants, asked as users would.

After an admin's ``/add``, ``/alias`` or import, the reply shows what the bot now answers to
the entry's question, to a short keyword form of it and to a Roman Urdu form, and flags any
variant that would not reach the entry. The Roman Urdu form is made from the lexicon read
backwards (each English word replaced by a Roman Urdu word that maps to it), so it tests the
vocabulary the matcher really has, not a hand-written translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from bot.core.engine import Engine
from bot.core.normalize import Lexicon, split_words
from bot.kb import Entry

__all__ = ["Probe", "probe", "report", "variants"]

Variant = Literal["as written", "short", "Roman Urdu"]
_ROMAN_ENDINGS = (("how many", "kitne hain?"), ("how much", "kitna hai?"),
                  ("what percentage", "kitne percent hain?"))


@dataclass(frozen=True)
class Probe:
    """One way of asking, and what the bot answers to it."""

    kind: Variant
    question: str
    answered_by: str | None  # the entry the bot answers with, None when it does not answer

    def finds(self, entry_id: str) -> bool:
        return self.answered_by == entry_id


def _roman_words(lexicon: Lexicon) -> dict[str, str]:
    """English word -> the shortest Roman Urdu (ASCII) word the lexicon maps to it."""
    back: dict[str, str] = {}
    for source, target in lexicon.synonyms.items():
        if len(source) == 1 and len(target) == 1 and source[0].isascii() and source[0].isalpha():
            word, english = source[0], target[0]
            # a translation, not a misspelling or a short form of the English word
            if fuzz.ratio(word, english) >= 50 or english.startswith(word):
                continue
            if english not in back or len(word) < len(back[english]):
                back[english] = word
    return back


def variants(entry: Entry, lexicon: Lexicon) -> list[tuple[Variant, str]]:
    """The entry's question as written, its content words, and a Roman Urdu form."""
    words = split_words(entry.question)  # case kept: "IT" is the sector, not "it"
    stop = lexicon.stopwords
    content = [w for w in words if w.casefold() not in stop or w == "IT"]
    short = " ".join(content)
    back = _roman_words(lexicon)
    text = entry.question.casefold()
    ending = next((end for start, end in _ROMAN_ENDINGS if text.startswith(start)), "kya hai?")
    roman = " ".join(back.get(w.casefold(), w) for w in content) + " " + ending
    found: list[tuple[Variant, str]] = [("as written", entry.question)]
    if short and short != text:
        found.append(("short", short))
    if roman.strip() != short:
        found.append(("Roman Urdu", roman))
    return found


def probe(engine: Engine, entry_id: str) -> list[Probe]:
    """Ask each variant of the entry's question (nothing is logged) and record the answer."""
    entry = engine.entry(entry_id)
    if entry is None:
        return []
    out = []
    for kind, question in variants(entry, engine.normalizer.lexicon):
        answer = engine.ask(question, log=False)
        out.append(Probe(kind, question, answer.entry.id if answer.answered and answer.entry
                         else None))
    return out


def report(probes: list[Probe], entry_id: str) -> list[str]:
    """Plain-text lines for the admin: each variant, found or not (escape before HTML)."""
    lines = ["How users will find it:"]
    for p in probes:
        mark = "✅" if p.finds(entry_id) else "⚠️"
        where = "" if p.finds(entry_id) else (
            f" (answers #{p.answered_by} instead)" if p.answered_by else " (not answered: "
            "add an alternate question with /alias)")
        lines.append(f"{mark} {p.kind}: “{p.question}”{where}")
    return lines
