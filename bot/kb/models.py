"""Plain data classes for the knowledge base: entries, figures and sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """A publication an answer rests on: the column, or a primary source it names."""

    id: str
    title: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    kind: str = "primary"  # column | primary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Figure:
    """One number an entry states, exactly as the column gives it."""

    metric: str
    value: float
    unit: str
    period: str | None = None
    period_label: str | None = None
    qualifier: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if float(self.value).is_integer():
            data["value"] = int(self.value)
        return data


LANGUAGES = ("en", "ur", "roman")  # English, Urdu script, Roman Urdu
TRANSLATED = ("ur", "roman")  # the languages an entry's translations may be in


@dataclass(frozen=True)
class Translation:
    """An entry's topic and answer in another language, curated (not machine translated)."""

    topic: str
    answer: str

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "answer": self.answer}


@dataclass(frozen=True)
class Entry:
    """One figure or claim, with the questions that should find it and its sources."""

    id: str
    topic: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    status: str = "active"
    # (language, translation) pairs in TRANSLATED order; a tuple keeps the entry hashable
    translations: tuple[tuple[str, Translation], ...] = ()

    def translation(self, language: str) -> Translation | None:
        """The entry's topic and answer in ``language`` ("ur", "roman"), if curated."""
        return next((t for lang, t in self.translations if lang == language), None)

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)

    def to_dict(self) -> dict[str, Any]:
        """The export form: the same layout as the curated YAML files."""
        return {
            "id": self.id,
            "topic": self.topic,
            "question": self.question,
            "alternates": list(self.alternates),
            "answer": self.answer,
            "figures": [f.to_dict() for f in self.figures],
            "keywords": list(self.keywords),
            "sources": list(self.sources),
            **({"translations": {lang: t.to_dict() for lang, t in self.translations}}
               if self.translations else {}),
        }


@dataclass
class Knowledge:
    """A whole knowledge base: sources by id and entries in order."""

    sources: dict[str, Source] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # entry id -> curated file name

    def entry(self, entry_id: str) -> Entry | None:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        return None
