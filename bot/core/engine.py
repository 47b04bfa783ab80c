"""The answer engine: the store, the lexicon and the matcher behind one ``ask`` call.

It never imports ``telegram``: the CLI, the Telegram handlers and the benchmarks all ask it
the same way. It logs every question (no names or ids), keeps the matcher up to date when the
knowledge changes, and gathers what an answer shows: the entry, its figures with their
primary sources, any other source's figure for the same metric and period, and its sources.

The matcher is built from the index stored in the database (``store.index``), which
:func:`refresh_index` brings up to date: a start reads it instead of normalising every
entry again. A change of a few entries (an admin's edit, from this process or another) is
applied to the matcher in place; a larger one (an import) rebuilds it, in a thread when the
engine runs in the bot (``background=True``), where answering goes on from the old one until
the new one is swapped in.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import random
import re
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.core.embedding import Embedder
from bot.core.matcher import (
    Candidate,
    Decision,
    Match,
    Matcher,
    Reason,
    figure_end,
    fingerprint,
    index_row,
    scope_phrases,
)
from bot.core.normalize import Lexicon, Normalizer
from bot.kb import (
    Entry,
    Figure,
    IndexRow,
    MatchIndex,
    Source,
    Store,
    StoreError,
    default_knowledge_dir,
)

log = logging.getLogger(__name__)

COLUMN_SOURCE = "column"
MATCH_CACHE = 4096  # recent questions and their matches, dropped when the knowledge changes
OTHER_PERIODS = 3  # other periods' figures of a series offered beside an answer
IN_PLACE = 200  # changed entries applied to the matcher in place; more rebuild it
REBUILD_RETRY = 60.0  # seconds before a failed background rebuild is tried again
STALE_NOTE = 2000  # this many rows to compute at once is worth a line in the log
INDEX_BATCH = 2000  # index rows computed and written per transaction
UNSTORED = 2**62  # the revision of a row made on the fly, not read from the database


def refresh_index(store: Store, normalizer: Normalizer,
                  progress: Callable[[int, int], None] | None = None, *,
                  workers: int = 1, ready: Precomputed | None = None) -> int:
    """Compute the stored index rows that are missing or stale (a new or edited entry, a
    changed lexicon), in batches; returns how many. ``progress(done, total)`` after each.

    ``workers`` > 1 computes them in that many forked processes while this one reads and
    writes the database (the CLI's large imports: normalising is CPU-bound Python). Only
    for a process without other threads: the bot keeps the default, one.
    """
    key, phrases = fingerprint(normalizer), scope_phrases(normalizer)
    version = store.version  # read before the entries: a later edit makes the row stale
    stale = store.index.stale(key)
    if len(stale) >= STALE_NOTE and workers <= 1 and ready is None:
        log.info("computing the matching index of %d entries (once: after an upgrade, a lexicon "
                 "change or an import; `pkitbot kb reindex` does it on every CPU)", len(stale))
    batches = [stale[i : i + INDEX_BATCH] for i in range(0, len(stale), INDEX_BATCH)]
    done = 0

    def written(rows: list[IndexRow]) -> None:
        nonlocal done
        store.index.write(rows)
        done += len(rows)
        if progress is not None:
            progress(done, len(stale))

    if ready is not None:  # rows made from the import's own entries while it was applied
        made = ready.rows()
        for part in batches:
            rows = []
            for entry in store.active_by_id(part).values():
                found = made.get(entry.id)
                if found is not None and _index_fields(found[0]) == _index_fields(entry):
                    rows.append(replace(found[1], revision=version))
                else:  # stored otherwise than the document said: made from what is stored
                    rows.append(index_row(entry, normalizer, phrases, key, version))
            written(rows)
        return len(stale)
    if workers > 1 and len(batches) > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _FORKED
        _FORKED = (normalizer, phrases, key, version)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pending: deque[Any] = deque()
                for part in batches:
                    entries = list(store.active_by_id(part).values())
                    pending.append(pool.apply_async(_forked_rows, (entries,)))
                    while len(pending) > workers:  # bounded: a few batches in flight
                        written(pending.popleft().get())
                while pending:
                    written(pending.popleft().get())
        finally:
            _FORKED = None
        return len(stale)
    for part in batches:
        written([index_row(e, normalizer, phrases, key, version)
                 for e in store.active_by_id(part).values()])
    return len(stale)


_FORKED: tuple[Normalizer, frozenset[str], str, int] | None = None  # what forked workers read


def _index_fields(entry: Entry) -> tuple[object, ...]:
    """What an entry's index row is made from (index_row reads nothing else)."""
    return (entry.question, entry.alternates, entry.keywords, entry.topic, entry.answer,
            entry.figures)


class Precomputed:
    """Index rows made from an import document's entries in forked worker processes, while
    this process applies the import (``kb import``: the two take about as long); then
    :func:`refresh_index` (``ready=``) keeps each row whose entry was stored as the document
    says it, and makes the others from what is stored. For a process without other threads.
    """

    def __init__(self, entries: Sequence[Entry], normalizer: Normalizer, workers: int) -> None:
        global _FORKED
        key, phrases = fingerprint(normalizer), scope_phrases(normalizer)
        _FORKED = (normalizer, phrases, key, 0)
        try:
            self._pool = multiprocessing.get_context("fork").Pool(workers)
        finally:
            _FORKED = None  # the workers hold their own copy
        chunks = [list(entries[i : i + INDEX_BATCH]) for i in range(0, len(entries), INDEX_BATCH)]
        self._entries = {e.id: e for e in entries}
        self._pending = self._pool.map_async(_forked_rows, chunks)
        self._made: dict[str, tuple[Entry, IndexRow]] | None = None

    @staticmethod
    def possible() -> bool:
        return "fork" in multiprocessing.get_all_start_methods()

    def rows(self) -> dict[str, tuple[Entry, IndexRow]]:
        """Each entry's row (waiting for the workers to finish)."""
        if self._made is None:
            try:
                made = [row for part in self._pending.get() for row in part]
            finally:
                self.close()
            self._made = {r.entry_id: (self._entries[r.entry_id], r) for r in made}
        return self._made

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def _forked_rows(entries: list[Entry]) -> list[IndexRow]:
    assert _FORKED is not None
    normalizer, phrases, key, version = _FORKED
    return [index_row(e, normalizer, phrases, key, version) for e in entries]


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
    periods: tuple[SourcedFigure, ...] = ()  # same metric, other periods (other entries)

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


ENTRY_CACHE = 4096  # entries kept in memory; the rest are read from the database when asked


class Entries(Mapping[str, Entry]):
    """The active entries by id, in knowledge-base order, read from the database on first
    need and kept for the most recent :data:`ENTRY_CACHE`: at 100,000 entries, holding them
    all would cost about 200 MB and seconds at every start. What every reply needs of all
    of them (the order, each one's topic, whether it has figures) is kept for each."""

    def __init__(self, store: Store, rows: Iterable[tuple[str, str, bool]]) -> None:
        self._store = store
        self._topic: dict[str, str] = {}  # id -> topic, in knowledge-base order
        self.with_figures: set[str] = set()
        topics: dict[str, str] = {}
        for entry_id, topic, figures in rows:
            self._topic[entry_id] = topics.setdefault(topic, topic)  # one string per topic
            if figures:
                self.with_figures.add(entry_id)
        self._cache: OrderedDict[str, Entry] = OrderedDict()

    def rebind(self, store: Store) -> None:
        """Read through ``store`` from now on (built on a thread's own connection)."""
        self._store = store

    def __len__(self) -> int:
        return len(self._topic)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._topic))

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._topic

    def __getitem__(self, entry_id: str) -> Entry:
        found = self._cache.get(entry_id)
        if found is not None:
            self._cache.move_to_end(entry_id)
            return found
        if entry_id not in self._topic:
            raise KeyError(entry_id)
        return self.load([entry_id])[entry_id]

    def load(self, entry_ids: Sequence[str]) -> dict[str, Entry]:
        """These entries (the active ones among them), read in one go where not cached."""
        found = {i: e for i in entry_ids if (e := self._cache.get(i)) is not None}
        missing = [i for i in entry_ids if i not in found and i in self._topic]
        if missing:
            read = self._store.active_by_id(missing)
            self._cache.update(read)
            found.update(read)
            while len(self._cache) > ENTRY_CACHE:
                self._cache.popitem(last=False)
        return {i: found[i] for i in entry_ids if i in found}

    def values(self) -> Iterator[Entry]:  # type: ignore[override]
        """Every entry, read in batches (for small bases and tools, not the answering path)."""
        ids = list(self._topic)
        for start in range(0, len(ids), ENTRY_CACHE // 2):
            yield from self.load(ids[start : start + ENTRY_CACHE // 2]).values()

    def topic(self, entry_id: str) -> str:
        return self._topic[entry_id]

    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self._topic.values()))

    def firsts(self) -> list[str]:
        """The first entry of each topic."""
        first: dict[str, str] = {}
        for entry_id, topic in self._topic.items():
            first.setdefault(topic, entry_id)
        return list(first.values())

    def of_topic(self, topic: str) -> list[str]:
        return [i for i, t in self._topic.items() if t == topic]

    def changed(self, entry_id: str, entry: Entry | None, order: Sequence[str] | None) -> None:
        """One entry written (None: no longer active); ``order`` is the new knowledge-base
        order when an entry joined (a new or restored one)."""
        self._cache.pop(entry_id, None)
        self.with_figures.discard(entry_id)
        if entry is None:
            self._topic.pop(entry_id, None)
            return
        self._topic[entry_id] = entry.topic
        self._cache[entry_id] = entry
        if entry.figures:
            self.with_figures.add(entry_id)

    def reorder(self, order: Sequence[str]) -> None:
        self._topic = {i: self._topic[i] for i in order if i in self._topic}


@dataclass(frozen=True)
class _Built:
    """Everything built from one version of the knowledge base, swapped in as a whole."""

    version: int
    sources: dict[str, Source]
    entries: Entries
    matcher: Matcher
    topics: tuple[str, ...]
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topics by language
    # each answered entry's other periods (Engine._other_periods), read once per version
    periods: dict[str, tuple[SourcedFigure, ...]] = field(default_factory=dict)


class Engine:
    """Answers questions from the store; safe to share across handlers in one process.

    Fully built by its constructor. Every public read (``entries``, ``topics``, ``entry``,
    ``ask`` ...) first checks whether the knowledge base changed (an admin's edit, here or
    in another process) and rebuilds the matcher if so, so callers never call ``reload``.
    """

    def __init__(self, store: Store, lexicon: Lexicon | None = None, *, embedder: bool = True,
                 today: dt.date | None = None, background: bool = False):
        self.store = store
        if lexicon is None:
            lexicon = Lexicon.load(default_knowledge_dir() / "lexicon.yaml")
        self.normalizer = Normalizer(lexicon, today)  # today: for "last fiscal year"
        self.key = fingerprint(self.normalizer)
        self._phrases = scope_phrases(self.normalizer)
        # the meaning signal, when its package is installed (loaded with the first build)
        self.embedder = Embedder() if embedder and Embedder.available() else None
        self._matches: dict[str, Match] = {}
        self._background = background  # large changes rebuild in a thread (the bot)
        self._rebuilding: threading.Thread | None = None
        self._rebuilt: _Built | BaseException | None = None
        self._failed_at = -REBUILD_RETRY  # when a background rebuild last failed (monotonic)
        self._built = self._build(self.store)

    @classmethod
    def open(cls, db_path: Path) -> Engine:
        from bot.kb import open_store

        return cls(open_store(db_path))

    def _build(self, store: Store, index: MatchIndex | None = None) -> _Built:
        """Everything from the knowledge base as ``store`` sees it now; the matcher reads its
        rows through ``index`` (by default the engine's own store's)."""
        version = store.version
        refresh_index(store, self.normalizer)
        sources = store.sources()
        entries = Entries(store, store.outline())
        key, index = self.key, index or self.store.index
        matcher = Matcher.from_index(
            store.index.slots(key), self._reader(index), self.normalizer,
            extra_periods=_years(sources), embedder=self.embedder,
            vectors=lambda ids: index.vectors(ids, key))
        return _Built(version, sources, entries, matcher, entries.topics())

    def _reader(self, index: MatchIndex) -> Callable[[Sequence[str]], dict[str, IndexRow]]:
        """Full rows by entry id through ``index``; a row missing under this engine's
        fingerprint (another process with another lexicon, or after the fiscal year turned,
        rewrote the stored rows under its own: ``kb reindex``, ``kb import``) is made here
        from the entry, marked :data:`UNSTORED`."""
        key, normalizer, phrases = self.key, self.normalizer, self._phrases

        def read(ids: Sequence[str]) -> dict[str, IndexRow]:
            found = index.docs(ids, key)
            if len(found) < len(ids):
                missing = [i for i in ids if i not in found]
                for entry in index.entries(missing).values():
                    found[entry.id] = index_row(entry, normalizer, phrases, key, UNSTORED)
            return found

        return read

    def reload(self, *, force: bool = False) -> bool:
        """Bring the matcher up to date if the knowledge changed since (True if it did):
        a few changed entries in place, more by a rebuild (in a thread in the bot, answering
        from the old one meanwhile)."""
        self._swap_rebuilt()
        built = self._built
        version = self.store.version
        if version == built.version and not force:
            return False
        if self._rebuilding is not None:
            return False  # the rebuild under way is swapped in when it ends; then this again
        changed = [] if force else self.store.index.changed_since(built.version)
        sources = self.store.sources()
        # a source's new year changes every entry's periods (a rare edit): rebuild then
        old = None
        if not (force or len(changed) > IN_PLACE or _years(sources) != _years(built.sources)):
            old = self._indexed_rows(built, changed)
        if old is None:
            if self._background:
                self._rebuild_in_thread()
                return False
            self._built = self._build(self.store)
        else:
            joining = any(i not in built.matcher.ids for i in changed)
            self._built = self._apply(built, version, changed, sources, old)
            matcher = self._built.matcher
            if joining and [i for i in matcher.slots if i is not None] != list(
                    self._built.entries):
                # a restored entry joined the matcher after the others, not at its place in
                # knowledge-base order (which breaks ties): rebuild, answering meanwhile
                if self._background:
                    self._rebuild_in_thread()
                else:
                    self._built = self._build(self.store)
        self._matches = {}
        return True

    @staticmethod
    def _indexed_rows(built: _Built, changed: list[str]) -> dict[str, IndexRow] | None:
        """The rows the matcher indexed these entries from, or None when some of them is no
        longer known: another process (``kb import``, ``kb reindex``) wrote the entry's new
        row over it before this one saw the change (its revision is later than the
        matcher's version), and taking those words out would leave the old ones in."""
        rows = built.matcher.rows_of(changed)
        known = {i: r for i, r in rows.items() if r.revision <= built.version}
        if any(i not in known for i in changed if i in built.matcher.ids):
            log.info("the index of a changed entry was rewritten by another process: "
                     "rebuilding the matcher")
            return None
        return known

    def _apply(self, built: _Built, version: int, changed: list[str],
               sources: dict[str, Source], old_rows: dict[str, IndexRow]) -> _Built:
        """The few changed entries applied to the matcher and the snapshot in place (all on
        the event loop's thread, between two questions)."""
        entries = built.entries
        fresh = self.store.active_by_id(changed)
        rows: dict[str, IndexRow | None] = {}
        joined = False
        for entry_id in changed:
            new = fresh.get(entry_id)
            joined = joined or (new is not None and entry_id not in entries)
            entries.changed(entry_id, new, None)
            rows[entry_id] = (None if new is None else
                              index_row(new, self.normalizer, self._phrases, self.key, version))
        written = True
        try:
            self.store.index.write(r for r in rows.values() if r is not None)
        except StoreError as exc:  # answered from memory; the rows are redone at next start
            log.warning("%s (the change is answered from memory)", exc)
            written = False
        built.matcher.update(rows, old_rows)
        if written:
            built.matcher.saved(rows)
        if joined:  # a new or restored entry takes its place in knowledge-base order
            entries.reorder(self.store.entry_order())
        return replace(built, version=version, sources=sources, names={},
                       topics=entries.topics())

    def _rebuild_in_thread(self) -> None:
        """Build from the knowledge base in a thread, on a connection of its own (not again
        within REBUILD_RETRY seconds of a failed one: a full disk would fail every time)."""
        if time.monotonic() - self._failed_at < REBUILD_RETRY:
            return

        def run() -> None:
            try:
                own = Store(self.store.path, seed_default=False)
                try:
                    built = self._build(own, own.index)
                    if built.matcher.semantic_ready():  # not on the loop at the next question
                        built.matcher.semantic_index()
                    index, key = self.store.index, self.key
                    built.matcher.rebind(self._reader(index),
                                         lambda ids: index.vectors(ids, key))
                    built.entries.rebind(self.store)
                    self._rebuilt = built
                finally:
                    own.close()
            except BaseException as exc:  # kept for the loop's thread to report
                self._rebuilt = exc

        log.info("the knowledge base changed a lot: rebuilding the matcher in the background")
        self._rebuilding = threading.Thread(target=run, name="pkitbot-rebuild", daemon=True)
        self._rebuilding.start()

    def _swap_rebuilt(self) -> None:
        if self._rebuilding is None or self._rebuilding.is_alive():
            return
        self._rebuilding, rebuilt, self._rebuilt = None, self._rebuilt, None
        if isinstance(rebuilt, _Built):
            self._built, self._matches = rebuilt, {}
        elif rebuilt is not None:
            self._failed_at = time.monotonic()
            log.error("rebuilding the matcher failed (still answering from the one before; "
                      "tried again in %d s): %s", REBUILD_RETRY, rebuilt)

    @property
    def rebuilding(self) -> threading.Thread | None:
        """The background rebuild under way, if any (join it off the event loop)."""
        return self._rebuilding

    def wait_rebuilt(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild to end and swap it in (tests, the CLI)."""
        if self._rebuilding is not None:
            self._rebuilding.join(timeout)
        self._swap_rebuilt()

    def _current(self) -> _Built:
        self.reload()
        built = self._built
        if built.matcher.unsaved_vectors:
            vectors = built.matcher.unsaved_vectors
            try:
                self.store.index.set_vectors(vectors, self.key)
                built.matcher.unsaved_vectors = {}
            except StoreError as exc:  # kept for the next try
                log.warning("%s (embeddings kept for later)", exc)
        return built

    @property
    def entries(self) -> Entries:
        """The active entries by id, in knowledge-base order (read on first need)."""
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
        return matcher.semantic_builder() if matcher.semantic_ready() else None

    def topics_in(self, language: str) -> tuple[str, ...]:
        """Topic names in ``language``, in knowledge-base order (kept per version: a refusal
        lists them, and at 100,000 entries reading every entry per reply would show)."""
        from bot.core.formatting import topics_in

        built = self._current()
        if language not in built.names:
            # the first entry of each topic, and the first with a name in that language
            wanted = {*built.entries.firsts(), *self.store.first_translated(language)}
            found = built.entries.load([i for i in built.entries if i in wanted])
            built.names[language] = topics_in(found.values(), language)
        return built.names[language]

    def in_topic(self, topic: str) -> list[Entry]:
        """The entries of one topic, in knowledge-base order."""
        entries = self.entries
        return list(entries.load(entries.of_topic(topic)).values())

    def answer_for(self, entry: Entry, *, question: str = "", score: float = 1.0,
                   periods: bool = True) -> Answer:
        """The full answer for a known entry (a match, a button press, the daily fact); with
        ``periods``, the same metric's figures for other periods are offered beside it."""
        built = self._current()
        figures = tuple(_sourced(entry, built.sources))
        also: list[SourcedFigure] = []
        for sf in figures:
            for other_id, figure in self.store.figures_of(sf.figure.metric, sf.figure.period):
                other = SourcedFigure(figure, built.sources.get(figure.source or COLUMN_SOURCE),
                                      other_id)
                if other.entry_id != entry.id and other.source != sf.source and other not in also:
                    also.append(other)
        ids = list(dict.fromkeys([*entry.sources, *(f.source for f in entry.figures if f.source),
                                  *(o.figure.source for o in also if o.figure.source)]))
        sources = tuple(built.sources[i] for i in ids if i in built.sources)
        others: tuple[SourcedFigure, ...] = ()
        if periods:
            others = built.periods.get(entry.id) or ()
            if entry.id not in built.periods:
                if len(built.periods) >= ENTRY_CACHE:
                    built.periods.clear()
                others = built.periods[entry.id] = self._other_periods(entry, figures,
                                                                       built.sources)
        return Answer(question or entry.question, "answer", Reason.CONFIDENT, score, entry, figures,
                      tuple(also), sources, (), built.topics, periods=others)

    def _other_periods(self, entry: Entry, figures: Sequence[SourcedFigure],
                       sources: Mapping[str, Source]) -> tuple[SourcedFigure, ...]:
        """The latest :data:`OTHER_PERIODS` figures other entries give for the metrics of
        ``figures`` and for periods ``entry`` does not give (one per period, latest first):
        "FY26" beside an answer for October 2026, so a question that names no period sees
        the year as well as the month, and the older years are a tap away."""
        given = {(sf.figure.metric, sf.figure.period) for sf in figures}
        found: dict[tuple[str, str], SourcedFigure] = {}
        for metric in dict.fromkeys(sf.figure.metric for sf in figures if sf.figure.period):
            for other_id, figure in self.store.periods_of(metric):
                key = (metric, figure.period or "")
                if other_id == entry.id or not figure.period or key in found \
                        or (metric, figure.period) in given:
                    continue
                found[key] = SourcedFigure(figure, sources.get(figure.source or COLUMN_SOURCE),
                                           other_id)
        latest = sorted(found.values(), key=lambda sf: figure_end(sf.figure.period or ""),
                        reverse=True)
        return tuple(latest[:OTHER_PERIODS])

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
        if match.decision == "answer" and match.entry_id is not None \
                and match.entry_id in built.entries:
            # an entry deleted meanwhile is not answered: during a rebuild the old matcher
            # answers, so the entry is read as it is now (not from the cache)
            entry = (self.store.active_by_id([match.entry_id]) if self._rebuilding is not None
                     else built.entries.load([match.entry_id])).get(match.entry_id)
            if entry is not None:
                found = self.answer_for(entry, question=question, score=match.score,
                                        periods=not match.normalized.periods)
                return replace(found, candidates=match.candidates)
            return Answer(question, "abstain", Reason.NO_CANDIDATE, 0.0, topics=built.topics,
                          candidates=tuple(c for c in match.candidates
                                           if c.entry_id != match.entry_id))
        return Answer(question, match.decision, match.reason, match.score,
                      suggestions=match.suggestions, topics=built.topics, detail=match.detail,
                      candidates=match.candidates)

    def random_entry(self, rng: random.Random | None = None) -> Entry | None:
        """An active entry at random (/random); None when there is none. One deleted by
        another process a moment ago, not yet seen, is passed over for another."""
        entries, pick = self.entries, (rng or random).choice
        ids = list(entries)
        for _ in range(5):
            if not ids:
                break
            chosen = pick(ids)
            found = entries.load([chosen]).get(chosen)
            if found is not None:
                return found
            ids.remove(chosen)
        return None

    def headline(self, limit: int = 10) -> list[Entry]:
        """Entries with figures first (the headline facts), in knowledge-base order."""
        entries = self.entries
        with_figures = [i for i in entries if i in entries.with_figures][:limit]
        rest = [i for i in entries if i not in entries.with_figures][: limit - len(with_figures)]
        return list(entries.load([*with_figures, *rest]).values())


def _years(sources: dict[str, Source]) -> set[str]:
    """The years of the sources' dates: a question naming one is not a period miss."""
    return {s.date[:4] for s in sources.values() if s.date and s.date[:4].isdigit()}


def _sourced(entry: Entry, sources: dict[str, Source]) -> list[SourcedFigure]:
    return [SourcedFigure(f, sources.get(f.source or COLUMN_SOURCE), entry.id)
            for f in entry.figures]
