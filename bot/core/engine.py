"""The answer engine: the store, the lexicon and the matcher behind one ``ask`` call.

It never imports ``telegram``: the CLI, the Telegram handlers and the benchmarks all ask it
the same way. It logs every question (no names or ids), rebuilds the matcher when the
knowledge changes, and gathers what an answer shows: the entry, its figures with their
primary sources, any other source's figure for the same metric and period, and its sources.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.embedding import Embedder
from bot.core.matcher import Candidate, Decision, Match, Matcher, Reason
from bot.core.normalize import Lexicon, Normalizer
from bot.kb import Entry, Figure, Source, Store, default_knowledge_dir

COLUMN_SOURCE = "column"
MATCH_CACHE = 4096  # recent questions and their matches, dropped when the knowledge changes


@dataclass(frozen=True)
class SourcedFigure:
    """A figure with the source it rests on (and the entry it belongs to)."""

    figure: Figure
    source: Source | None
    entry_id: str


@dataclass(frozen=True)
class Answer:
    """Everything a reply shows, before formatting."""

    question: str
    decision: Decision
    reason: Reason
    score: float
    entry: Entry | None = None
    figures: tuple[SourcedFigure, ...] = ()
    also: tuple[SourcedFigure, ...] = ()  # same metric and period, other sources
    sources: tuple[Source, ...] = ()
    suggestions: tuple[Candidate, ...] = ()
    topics: tuple[str, ...] = field(default=())
    detail: str = ""  # the matcher's detail for the reason (see bot.core.matcher.Reason)
    candidates: tuple[Candidate, ...] = ()  # every entry the matcher weighed, best first

    @property
    def answered(self) -> bool:
        return self.decision == "answer" and self.entry is not None


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or marks)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(text: str) -> str:
    """Drop control characters and squeeze white space."""
    return " ".join(_CONTROL.sub(" ", text).split())


@dataclass(frozen=True)
class _Built:
    """Everything built from one version of the knowledge base, swapped in as a whole."""

    version: int
    sources: dict[str, Source]
    entries: dict[str, Entry]
    matcher: Matcher
    topics: tuple[str, ...]
    by_metric: dict[tuple[str, str | None], list[SourcedFigure]]


class Engine:
    """Answers questions from the store; safe to share across handlers in one process.

    Fully built by its constructor. Every public read (``entries``, ``topics``, ``entry``,
    ``ask`` ...) first checks whether the knowledge base changed (an admin's edit, here or
    in another process) and rebuilds the matcher if so, so callers never call ``reload``.
    """

    def __init__(self, store: Store, lexicon: Lexicon | None = None, *, embedder: bool = True,
                 today: dt.date | None = None):
        self.store = store
        if lexicon is None:
            lexicon = Lexicon.load(default_knowledge_dir() / "lexicon.yaml")
        self.normalizer = Normalizer(lexicon, today)  # today: for "last fiscal year"
        # the meaning signal, when its package is installed (loaded with the first build)
        self.embedder = Embedder() if embedder and Embedder.available() else None
        self._matches: dict[str, Match] = {}
        self._built = self._build(self.store.version)

    @classmethod
    def open(cls, db_path: Path) -> Engine:
        from bot.kb import open_store

        return cls(open_store(db_path))

    def _build(self, version: int) -> _Built:
        knowledge = self.store.knowledge()
        sources = knowledge.sources
        years = {s.date[:4] for s in sources.values() if s.date and s.date[:4].isdigit()}
        by_metric: dict[tuple[str, str | None], list[SourcedFigure]] = {}
        for entry in knowledge.entries:
            for sf in _sourced(entry, sources):
                by_metric.setdefault((sf.figure.metric, sf.figure.period), []).append(sf)
        return _Built(version, sources, {e.id: e for e in knowledge.entries},
                      Matcher(knowledge.entries, self.normalizer, extra_periods=years,
                              embedder=self.embedder),
                      tuple(dict.fromkeys(e.topic for e in knowledge.entries)), by_metric)

    def reload(self, *, force: bool = False) -> bool:
        """Rebuild the matcher if the knowledge changed since the last build (True if so)."""
        version = self.store.version
        if version == self._built.version and not force:
            return False
        self._built = self._build(version)
        self._matches = {}
        return True

    def _current(self) -> _Built:
        self.reload()
        return self._built

    @property
    def entries(self) -> dict[str, Entry]:
        """The active entries by id, in knowledge-base order."""
        return self._current().entries

    @property
    def sources(self) -> dict[str, Source]:
        return self._current().sources

    @property
    def topics(self) -> tuple[str, ...]:
        """Topic names, in knowledge-base order."""
        return self._current().topics

    @property
    def matcher(self) -> Matcher:
        return self._current().matcher

    def warmer(self) -> Callable[[], object] | None:
        """What would make the first unsure question wait (building the meaning signal's
        index, about 0.25 s for the stock knowledge base), to run in a thread at start;
        None when there is nothing to build. It touches no database connection."""
        matcher = self.matcher
        return matcher.semantic_index if matcher.semantic_ready() else None

    def in_topic(self, topic: str) -> list[Entry]:
        """The entries of one topic, in knowledge-base order."""
        return [e for e in self.entries.values() if e.topic == topic]

    def answer_for(self, entry: Entry, *, question: str = "", score: float = 1.0) -> Answer:
        """The full answer for a known entry (a match, a button press, the daily fact)."""
        built = self._current()
        figures = tuple(_sourced(entry, built.sources))
        also: list[SourcedFigure] = []
        for sf in figures:
            for other in built.by_metric.get((sf.figure.metric, sf.figure.period), []):
                if other.entry_id != entry.id and other.source != sf.source and other not in also:
                    also.append(other)
        ids = list(dict.fromkeys([*entry.sources, *(f.source for f in entry.figures if f.source),
                                  *(o.figure.source for o in also if o.figure.source)]))
        sources = tuple(built.sources[i] for i in ids if i in built.sources)
        return Answer(question or entry.question, "answer", Reason.CONFIDENT, score, entry, figures,
                      tuple(also), sources, (), built.topics)

    def entry(self, entry_id: str) -> Entry | None:
        """The active entry with that id, if there is one."""
        return self.entries.get(entry_id)

    def ask(self, question: str, *, chat_type: str = "cli", log: bool = True) -> Answer:
        """Answer one question: match it, log it, and gather what the reply shows."""
        built = self._current()
        question = clean_question(question)
        if not has_words(question):
            return Answer(question, "abstain", Reason.EMPTY, 0.0, topics=built.topics)
        match = self._matches.get(question)
        if match is None:
            match = built.matcher.match(question)
            if len(self._matches) >= MATCH_CACHE:
                self._matches.pop(next(iter(self._matches)))
            self._matches[question] = match
        if log:
            # small talk is logged as such: not a question for the unanswered queue or stats
            self.store.usage.log_query(
                question, match.normalized.text,
                match.entry_id or (match.candidates[0].entry_id if match.candidates else None),
                match.score, "smalltalk" if match.reason is Reason.SMALL_TALK else match.decision,
                chat_type)
        if match.decision == "answer" and match.entry_id in built.entries:
            found = self.answer_for(built.entries[match.entry_id], question=question,
                                    score=match.score)
            return replace(found, candidates=match.candidates)
        return Answer(question, match.decision, match.reason, match.score,
                      suggestions=match.suggestions, topics=built.topics, detail=match.detail,
                      candidates=match.candidates)

    def random_entry(self, rng: random.Random | None = None) -> Entry | None:
        entries = list(self.entries.values())
        return (rng or random).choice(entries) if entries else None

    def headline(self, limit: int = 10) -> list[Entry]:
        """Entries with figures first (the headline facts), in knowledge-base order."""
        entries = list(self.entries.values())
        return ([e for e in entries if e.figures] + [e for e in entries if not e.figures])[:limit]


def _sourced(entry: Entry, sources: dict[str, Source]) -> list[SourcedFigure]:
    return [SourcedFigure(f, sources.get(f.source or COLUMN_SOURCE), entry.id)
            for f in entry.figures]
