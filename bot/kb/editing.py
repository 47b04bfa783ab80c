"""Admin operations on the knowledge base, shared by Telegram commands and the CLI.

Parsing an admin's words into changes (``/add``, ``/edit``, ``/alias``), checking them, and
applying them through the store so every change is one transaction with a revision. Nothing
here imports ``telegram``; bad input raises :class:`AdminError` with a message that says
what to fix, and changes nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from bot.errors import AdminError, NotFound
from bot.kb.files import (
    ASCII_NUMBER,
    ID_RE,
    MAX_ANSWER,
    MAX_QUESTION,
    QUALIFIERS,
    URL_RE,
    missing_figures,
)
from bot.kb.models import TRANSLATED, Entry, Figure, Source, Translation
from bot.kb.store import Store

EDITABLE = ("question", "answer", "topic", "source", "url", "figure")
ADMIN_TOPIC = "Added by admins"
MAX_TOPIC = 60
MAX_SOURCE_TITLE = 300
_PERIOD = re.compile(r"^(fy\d{2}|fy\d{4}|\d{4}(-\d{2,4})?)$", re.IGNORECASE)


@dataclass(frozen=True)
class AddRequest:
    question: str
    answer: str
    source_title: str
    source_url: str | None


def slug(text: str, limit: int = 40) -> str:
    """ASCII slug for ids: 'What were IT exports?' -> 'what-were-it-exports'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or "entry"


def _clean(text: str) -> str:
    return " ".join(text.split())


def _check_question(text: str) -> str:
    text = _clean(text)
    if not text:
        raise AdminError("the question is empty")
    if len(text) > MAX_QUESTION:
        raise AdminError(f"the question is {len(text)} characters; keep it under {MAX_QUESTION}")
    return text


def _check_answer(text: str) -> str:
    text = text.strip()
    if not text:
        raise AdminError("the answer is empty")
    if len(text) > MAX_ANSWER:
        raise AdminError(f"the answer is {len(text)} characters; keep it under {MAX_ANSWER} "
                         "(Telegram messages are limited to 4096)")
    return text


def _check_url(text: str) -> str:
    text = text.strip()
    if not URL_RE.match(text):
        raise AdminError(f"the source URL must start with http:// or https:// (got {text[:60]!r})")
    return text


def parse_add(args: str) -> AddRequest:
    """``question | answer | source title [| source url]``."""
    parts = [p.strip() for p in args.split("|")]
    if len(parts) not in (3, 4):
        raise AdminError("use: /add question | answer | source title [| source url] "
                         f"(3 or 4 parts separated by |; got {len(parts)})")
    names = ("question", "answer", "source title", "source url")
    for name, part in zip(names, parts, strict=False):
        if not part:
            raise AdminError(f"the {name} is empty")
    title = _clean(parts[2])
    if len(title) > MAX_SOURCE_TITLE:
        raise AdminError(f"the source title is too long (at most {MAX_SOURCE_TITLE} characters)")
    return AddRequest(_check_question(parts[0]), _check_answer(parts[1]), title,
                      _check_url(parts[3]) if len(parts) == 4 else None)


def _unique_id(store: Store, base: str) -> str:
    candidate, n = base, 2
    while store.exists(candidate):
        suffix = f"-{n}"
        candidate = base[: 40 - len(suffix)] + suffix
        n += 1
    return candidate


def source_for(store: Store, title: str, url: str | None) -> tuple[Source, bool]:
    """The existing source with this title (and URL), or a new one; True when new."""
    for source in store.sources().values():
        if source.title.casefold() == title.casefold() and (url is None or source.url == url):
            return source, False
    return Source(_unique_source_id(store, slug(title, 30)), title, None, title, None, url,
                  "primary"), True


def _unique_source_id(store: Store, base: str) -> str:
    known = store.sources()
    candidate, n = base, 2
    while candidate in known:
        candidate = f"{base[:36]}-{n}"
        n += 1
    return candidate


def add_entry(store: Store, request: AddRequest, *, actor: str, via: str) -> Entry:
    """Create an entry from /add (or ``kb add``); returns it."""
    source, new = source_for(store, request.source_title, request.source_url)
    entry = Entry(
        id=_unique_id(store, slug(request.question)),
        topic=ADMIN_TOPIC,
        question=request.question,
        answer=request.answer,
        sources=(source.id,),
    )
    store.save(entry, actor=actor, via=via, sources=[source] if new else [])
    return entry


def get_entry(store: Store, entry_id: str) -> Entry:
    entry_id = entry_id.strip().lstrip("#")
    if not ID_RE.match(entry_id):
        raise AdminError(f"{entry_id[:50]!r} is not an entry id (ids look like it-exports-fy25)")
    try:
        return store.get(entry_id)
    except NotFound:
        raise AdminError(f"there is no entry #{entry_id} (see /topics or kb list)") from None


def parse_figure(text: str, current: Figure | None, topic: str) -> Figure:
    """``[qualifier] value unit words [period]``, e.g. ``over 3.8 USD billion FY25``."""
    words = text.split()
    qualifier = None
    for q in sorted((q for q in QUALIFIERS if q), key=len, reverse=True):
        if " ".join(words[: len(q.split())]).casefold() == q:
            qualifier, words = q, words[len(q.split()):]
            break
    if not words:
        raise AdminError("use: /edit ID figure [over|nearly|about] VALUE UNIT [PERIOD], "
                         "e.g. over 3.8 USD billion FY25")
    number = words[0].replace(",", "").lstrip("$")
    if not ASCII_NUMBER.match(number):  # float() would also take "١٢٣", "nan" and "inf"
        raise AdminError(f"the figure's value must be a number in digits 0-9, e.g. 3.8 "
                         f"(got {words[0][:20]!r})")
    value = float(number)
    if not math.isfinite(value):
        raise AdminError(f"the figure's value must be a finite number (got {words[0][:20]!r})")
    rest = words[1:]
    period = rest.pop() if rest and _PERIOD.match(rest[-1]) else None
    unit = " ".join(rest)
    if not unit:
        raise AdminError("the figure needs a unit after the value, e.g. 'USD billion' or 'percent'")
    metric = current.metric if current else slug(topic, 40).replace("-", "_")
    source = current.source if current else None
    label = current.period_label if current and current.period == period else None
    return Figure(metric, value, unit, period.upper() if period and period[:2].lower() == "fy"
                  else period, label, qualifier, source)


def edit_entry(store: Store, entry_id: str, field: str, value: str, *, actor: str,
               via: str) -> Entry:
    """Change one field of an entry; returns the new entry."""
    entry = get_entry(store, entry_id)
    field = field.casefold()
    if field not in EDITABLE:
        raise AdminError(f"unknown field {field[:30]!r}; editable: {', '.join(EDITABLE)}")
    if not value.strip():
        raise AdminError(f"the new {field} is empty")
    new_sources: list[Source] = []
    if field == "question":
        edited = replace(entry, question=_check_question(value))
    elif field == "answer":
        edited = replace(entry, answer=_check_answer(value))
    elif field == "topic":
        topic = _clean(value)
        if len(topic) > MAX_TOPIC:
            raise AdminError(f"the topic is too long (at most {MAX_TOPIC} characters)")
        edited = replace(entry, topic=topic)
    elif field in ("source", "url"):
        known = store.sources()
        primary = next((known[s] for s in entry.sources if known[s].kind != "column"), None)
        if field == "url":
            url = _check_url(value)
            if primary is None:
                raise AdminError("this entry has no primary source to set a URL on; "
                                 "use /edit ID source TITLE first")
            new_sources.append(replace(primary, url=url))
            edited = entry
        else:
            source, new = source_for(store, _clean(value), None)
            if new:
                new_sources.append(source)
            kept = tuple(s for s in entry.sources if known[s].kind == "column")
            edited = replace(entry, sources=(*kept, source.id))
    else:
        current = entry.figures[0] if entry.figures else None
        figure = parse_figure(value, current, entry.topic)
        edited = replace(entry, figures=(figure, *entry.figures[1:]))
    if edited == entry and not new_sources:
        raise AdminError(f"#{entry.id} already has that {field}")
    store.save(edited, actor=actor, via=via, sources=new_sources)
    return store.get(entry.id)


def add_alias(store: Store, entry_id: str, question: str, *, actor: str, via: str) -> Entry:
    """Add an alternate question to an entry."""
    entry = get_entry(store, entry_id)
    question = _check_question(question)
    if any(q.casefold() == question.casefold() for q in entry.questions):
        raise AdminError(f"#{entry.id} already has that question")
    edited = replace(entry, alternates=(*entry.alternates, question))
    store.save(edited, actor=actor, via=via)
    return edited


LANGUAGE_NAMES = {"ur": "Urdu", "roman": "Roman Urdu"}
# Answers are plain text (the bot escapes and formats them): an HTML or Markdown tag is a slip
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|<!|\*\*|__|```|\[[^\]]*\]\(")


def translate_entry(store: Store, entry_id: str, language: str, text: str, *, actor: str,
                    via: str) -> Entry:
    """Set an entry's curated answer in ``language`` ("ur" or "roman"); returns the entry.

    The translation keeps the existing translated topic (or the English one) and must state
    every figure of the entry, as the curated files must (``files.missing_figures``). It is
    saved as one revision through :meth:`Store.save`, so ``undo`` reverts it.
    """
    entry = get_entry(store, entry_id)
    language = language.strip().casefold()
    if language not in TRANSLATED:
        raise AdminError(f"unknown language {language[:20]!r}; use ur (Urdu script) or roman "
                         "(Roman Urdu)")
    text = text.strip()
    if not text:
        raise AdminError(f"the {LANGUAGE_NAMES[language]} answer is empty")
    if len(text) > MAX_ANSWER:
        raise AdminError(f"the {LANGUAGE_NAMES[language]} answer is {len(text)} characters; keep "
                         f"it under {MAX_ANSWER} (Telegram messages are limited to 4096)")
    if _MARKUP.search(text):
        raise AdminError("the answer is plain text: leave out HTML or Markdown markup "
                         "(the bot formats answers itself)")
    missing = missing_figures(text, entry.figures)
    if missing:
        raise AdminError(f"the {LANGUAGE_NAMES[language]} answer drops or changes the "
                         f"figure{'s' if len(missing) > 1 else ''} {', '.join(missing)} of "
                         f"#{entry.id} (every figure's digits must appear "
                         "in each translation)")
    current = entry.translation(language)
    if current is not None and current.answer == text:
        raise AdminError(f"#{entry.id} already has that {LANGUAGE_NAMES[language]} answer")
    topic = current.topic if current is not None else entry.topic
    chosen = {**dict(entry.translations), language: Translation(topic, text)}
    edited = replace(entry, translations=tuple((lang, chosen[lang]) for lang in TRANSLATED
                                               if lang in chosen))
    store.save(edited, actor=actor, via=via)
    return store.get(entry.id)


def missing_translations(entry: Entry) -> list[str]:
    """The languages of TRANSLATED that ``entry`` has no curated answer in."""
    return [lang for lang in TRANSLATED if entry.translation(lang) is None]


def missing_translations_note(entries: list[Entry], *, command: str = "/translate") -> str:
    """One admin line naming what still needs translating, or "" when nothing does.

    E.g. "#x has no Urdu or Roman Urdu answer yet: /translate x ur ..." for one entry, and
    a count with the first few ids for many.
    """
    lacking = [(e, missing) for e in entries if (missing := missing_translations(e))]
    if not lacking:
        return ""
    if len(lacking) == 1:
        entry, missing = lacking[0]
        names = " or ".join(LANGUAGE_NAMES[lang] for lang in missing)
        return (f"#{entry.id} has no {names} answer yet: "
                + "; ".join(f"{command} {entry.id} {lang} ..." for lang in missing))
    shown = ", ".join(f"#{e.id}" for e, _ in lacking[:5])
    more = ", ..." if len(lacking) > 5 else ""
    return (f"{len(lacking)} entries lack an Urdu or Roman Urdu answer ({shown}{more}): "
            f"{command} ID ur|roman TEXT")


def translation_coverage(entries: list[Entry]) -> dict[str, int]:
    """How many of ``entries`` have a curated answer in each translated language."""
    return {"entries": len(entries),
            **{lang: sum(e.translation(lang) is not None for e in entries)
               for lang in TRANSLATED}}


MAX_USER_ID = 2**52 - 1  # Telegram: a user id has at most 52 significant bits


def parse_user_id(text: str, *, usage: str) -> int:
    """A Telegram user id typed by an admin: ASCII digits 0-9 only, 1 to 2**52 - 1."""
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit():
        raise AdminError(f"use: {usage} (the numeric Telegram id in digits 0-9, "
                         "not a @username)")
    if len(text) > 16 or not 0 < int(text) <= MAX_USER_ID:
        raise AdminError(f"{text[:20]} is not a Telegram user id (ids are 1 to {MAX_USER_ID})")
    return int(text)


def effective_admins(env: frozenset[int] | set[int],
                     granted: dict[int, dict[str, object]]) -> set[int]:
    """Who is an admin now: everyone in ``PKITBOT_ADMINS``, and those granted by one of them.

    A grant lasts only while the admin who made it is still in ``PKITBOT_ADMINS``, so taking
    someone out of the setting also ends the powers they handed out (themselves included).
    """
    return set(env) | {uid for uid, row in granted.items() if row.get("granted_by") in env}


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar unanswered questions, with how often they were asked."""

    ids: tuple[int, ...]
    question: str
    count: int
    variants: tuple[str, ...]


def group_unanswered(rows: list[dict[str, object]], threshold: float = 80.0,
                     limit: int = 10) -> list[UnansweredGroup]:
    """Cluster open unanswered questions by similarity, most asked first."""
    groups: list[tuple[list[dict[str, object]], str]] = []
    for row in rows:
        text = str(row["normalized"] or row["question"])
        for members, key in groups:
            if fuzz.token_set_ratio(text, key) >= threshold:
                members.append(row)
                break
        else:
            groups.append(([row], text))
    out = [
        UnansweredGroup(
            ids=tuple(int(str(r["id"])) for r in members),
            question=str(members[0]["question"]),
            count=sum(int(str(r["count"])) for r in members),
            variants=tuple(str(r["question"]) for r in members[1:4]),
        )
        for members, _ in groups
    ]
    out.sort(key=lambda g: g.count, reverse=True)
    return out[:limit]
