"""Reading and checking knowledge files: the curated YAML in ``knowledge/`` and imports.

The curated layout is ``sources.yaml`` plus ``entries/*.yaml``; an export or import is one
document with ``sources`` and ``entries`` (YAML or JSON), or a CSV with one row per entry.
Every problem is reported with its file, line, entry id and field, and nothing is loaded
from a file that has any problem.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import yaml

from bot.errors import KnowledgeError
from bot.kb.models import TRANSLATED, Entry, Figure, Knowledge, Source, Translation

ID_MAX = 40  # an entry id's length: it travels in callback data (64 bytes)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# How a figure's source qualifies it; kept as the source words it ("an estimated 2.37 million")
QUALIFIERS = {None, "over", "nearly", "about", "at least", "under", "up to", "around",
              "more than", "less than", "almost", "roughly", "approximately", "at most",
              "estimated", "average", "median", "target", "projected", "forecast", "peak"}
MAX_ANSWER = 2000
# Urdu (Extended Arabic-Indic) and Arabic-Indic digits, and the Arabic decimal separator
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A figure's value as text: ASCII digits only, with an optional sign, decimals and exponent
ASCII_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
# How deep a document's lists and mappings may nest (an export needs 4)
MAX_DEPTH = 20


def figure_digits(value: float) -> str:
    """How a figure's value must appear in any translation: 3.8 -> '3.8', 65.0 -> '65'."""
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def missing_figures(answer: str, figures: Iterable[Figure]) -> list[str]:
    """The figure values (as digits) that ``answer`` does not state."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(answer.translate(_DIGITS))}
    return list(dict.fromkeys(d for f in figures if (d := figure_digits(f.value)) not in numbers))
MAX_QUESTION = 300
MIN_ALTERNATES_CURATED = 6
CSV_LIST_SEP = "|"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file."""

    file: str
    line: int | None
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = " ".join(
            p for p in (f"entry {self.entry}" if self.entry else "", self.field or "") if p
        )
        return f"{where}: {what + ': ' if what else ''}{self.message}"


# libyaml's C parser and emitter where PyYAML was built with it (the pure ones otherwise)
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# A document that names more YAML aliases (*name) than this is refused while it is parsed:
# kb export writes none, and a "billion laughs" document would otherwise cost minutes
MAX_ALIASES = 10_000
_STR_TAG = "tag:yaml.org,2002:str"


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping (the pure-Python one;
    :func:`_load_yaml` does the same from libyaml's events, and uses this one's constructors
    for every scalar that is not plain text)."""


class _EventLoader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """libyaml's (or PyYAML's) parser, whose events :func:`_load_yaml` builds objects from."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = dict(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Frame:
    """A mapping or list being filled while events arrive."""

    __slots__ = ("container", "key", "merges")

    def __init__(self, container: dict[Any, Any] | list[Any]):
        self.container = container
        self.key: Any = _NO_KEY
        self.merges: list[Any] = []


_NO_KEY = object()


def _yaml_error(message: str, mark: Any) -> yaml.YAMLError:
    return yaml.composer.ComposerError(None, None, message, mark)


def _load_yaml(text: str, name: str) -> Any:
    """One YAML document as Python objects, built straight from the parser's events.

    The same objects as ``yaml.load(text, Loader=_LineLoader)`` (every mapping carries its
    ``__line__``; scalars resolved and constructed by the safe loader's own rules, so numbers
    and dates come out as they always did), but without composing a node tree first: with
    libyaml that is several times faster and holds only the result in memory. Nesting
    deeper than ``MAX_DEPTH`` and more than ``MAX_ALIASES`` aliases are refused as they
    are met, so neither a deep nor a "billion laughs" document costs more than its size.
    """
    loader = _EventLoader(text)
    resolve_as = _LineLoader("")  # the pure loader's resolver and constructors
    tags: dict[str, str] = {}  # a plain scalar's resolved tag, by value (short values only)
    anchors: dict[str, Any] = {}
    stack: list[_Frame] = []
    aliases = 0
    documents = 0
    root: Any = None
    events = yaml.events
    get = loader.get_event
    try:
        while True:
            event = get()
            kind = type(event)
            if kind is events.ScalarEvent:
                tag = event.tag
                value: Any = event.value
                if tag is None or tag == "!":
                    if event.implicit[0]:
                        tag = tags.get(value)
                        if tag is None:
                            tag = resolve_as.resolve(  # type: ignore[no-untyped-call]
                                yaml.ScalarNode, value, event.implicit)
                            if len(value) < 64:
                                tags[value] = tag
                    else:
                        tag = _STR_TAG
                if tag != _STR_TAG:
                    if tag == "tag:yaml.org,2002:merge" and stack and \
                            isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                        value = _MERGE
                    else:
                        value = _construct_scalar(resolve_as, tag, event)
                if event.anchor is not None:
                    anchors[event.anchor] = value
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    raise _yaml_error(f"the tag {event.tag} is not supported here",
                                      event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(name)
                container: Any = ({"__line__": event.start_mark.line + 1}
                                  if kind is events.MappingStartEvent else [])
                if event.anchor is not None:
                    anchors[event.anchor] = container
                stack.append(_Frame(container))
                continue
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                for merged in frame.merges:  # its own keys win, then the first merged
                    for key, item in merged.items():
                        value.setdefault(key, item)
            elif kind is events.AliasEvent:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise KnowledgeError([Problem(
                        name, event.start_mark.line + 1, None, None,
                        f"uses more than {MAX_ALIASES:,} YAML aliases (*name); write the "
                        "values out in full (kb export never writes aliases)")])
                if event.anchor not in anchors:
                    raise _yaml_error(f"found undefined alias {event.anchor!r}",
                                      event.start_mark)
                value = anchors[event.anchor]
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _yaml_error("expected a single document in the stream, but found "
                                      "another document", event.start_mark)
                anchors = {}
                continue
            elif kind is events.StreamEndEvent:
                return root
            else:  # stream start, document end
                continue
            if not stack:
                root = value
                continue
            _add(stack[-1], value, event)
    finally:
        loader.dispose()


_MERGE = object()


def _add(frame: _Frame, value: Any, event: Any) -> None:
    container = frame.container
    if isinstance(container, list):
        container.append(value)
    elif frame.key is _NO_KEY:
        try:
            hash(value)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", None, "found unhashable key",
                event.start_mark) from None
        frame.key = value
    else:
        if frame.key is _MERGE:
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", None, "expected a mapping or list of "
                    "mappings for merging", event.start_mark)
            frame.merges.extend(merged)
        else:
            container[frame.key] = value
        frame.key = _NO_KEY


def _construct_scalar(loader: _LineLoader, tag: str, event: Any) -> Any:
    """A scalar that is not plain text (a number, a date, null...), by the safe rules."""
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                           style=event.style)
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {tag!r}",
            event.start_mark)
    return constructor(loader, node)


def default_knowledge_dir() -> Path:
    """The curated files: packaged with the wheel, or ``knowledge/`` in a checkout."""
    package = Path(__file__).resolve().parents[1]  # bot/
    checkout = package.parent / "knowledge"
    if (checkout / "sources.yaml").is_file():
        return checkout
    return package / "knowledge_data"  # where the wheel puts knowledge/


def _too_deep(name: str) -> KnowledgeError:
    return KnowledgeError([Problem(name, None, None, None,
                                   f"nests lists and mappings too deeply (at most {MAX_DEPTH} "
                                   "levels; an export needs 5)")])


def _check_depth(doc: Any, name: str) -> Any:
    """``doc`` itself, or one problem when it nests deeper than ``MAX_DEPTH`` (no recursion).

    For parsed JSON, which shares no objects: one level at a time, each a flat list.
    """
    level = [doc] if isinstance(doc, dict | list) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise _too_deep(name)
        children: list[Any] = []
        for node in level:
            children.extend(c for c in (node.values() if isinstance(node, dict) else node)
                            if isinstance(c, dict | list))
        level, depth = children, depth + 1
    return doc


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return _load_yaml(text, name)
    except RecursionError:  # a constructor of PyYAML's that recursed (none should)
        raise _too_deep(name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in reason:  # libyaml's own bound (1,000 levels)
            raise _too_deep(name) from None
        raise KnowledgeError([Problem(name, line, None, None, f"not valid YAML: {reason}")]) from None


class _Checker:
    """Collects problems while turning raw mappings into model objects."""

    def __init__(self, *, curated: bool):
        self.curated = curated
        self.problems: list[Problem] = []
        self.known_sources: set[str] = set()

    def add(self, file: str, line: int | None, entry: str | None, field: str | None, msg: str) -> None:
        self.problems.append(Problem(file, line, entry, field, msg))

    def text(
        self, raw: dict[str, Any], key: str, file: str, eid: str | None, *, required: bool = True,
        limit: int = 500,
    ) -> str | None:
        line = raw.get("__line__")
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(file, line, eid, key, "is missing or empty")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(file, line, eid, key, "must be text")
            return None
        value = " ".join(value.split()) if key != "answer" else value.strip()
        if len(value) > limit:
            self.add(file, line, eid, key, f"is {len(value)} characters; at most {limit} allowed")
            return None
        return value

    def strings(
        self, raw: dict[str, Any], key: str, file: str, eid: str | None, *, minimum: int
    ) -> tuple[str, ...]:
        line = raw.get("__line__")
        value = raw.get(key)
        if value is None:
            value = []
        if isinstance(value, str):
            value = [v for v in value.split(CSV_LIST_SEP)]
        if not isinstance(value, list):
            self.add(file, line, eid, key, "must be a list")
            return ()
        out: list[str] = []
        for item in value:
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.add(file, line, eid, key, "has an empty or non-text item")
                continue
            if len(item) > MAX_QUESTION:
                self.add(file, line, eid, key, f"has an item over {MAX_QUESTION} characters")
                continue
            out.append(" ".join(item.split()))
        if len(out) < minimum:
            self.add(file, line, eid, key, f"needs at least {minimum} items, has {len(out)}")
        return tuple(dict.fromkeys(out))

    def source(self, raw: Any, file: str) -> Source | None:
        if not isinstance(raw, dict):
            self.add(file, None, None, "sources", "each source must be a mapping")
            return None
        line = raw.get("__line__")
        sid = raw.get("id")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            self.add(file, line, None, "id", "source id must be a slug like sbp-fy25")
            return None
        title = self.text(raw, "title", file, sid, limit=300)
        author = self.text(raw, "author", file, sid, required=False, limit=200)
        publisher = self.text(raw, "publisher", file, sid, required=False, limit=200)
        if not author and not publisher:
            self.add(file, line, sid, "author", "a source needs an author or a publisher")
        url = self.text(raw, "url", file, sid, required=False, limit=500)
        if url and not URL_RE.match(url):
            self.add(file, line, sid, "url", "must start with http:// or https://")
        date = self.text(raw, "date", file, sid, required=False, limit=40)
        kind = self.text(raw, "kind", file, sid, required=False, limit=20) or "primary"
        if title is None:
            return None
        return Source(sid, title, author, publisher, date, url, kind)

    def figure(self, raw: Any, file: str, eid: str, line: int | None) -> Figure | None:
        if not isinstance(raw, dict):
            self.add(file, line, eid, "figures", "each figure must be a mapping")
            return None
        fline = raw.get("__line__", line)
        metric = self.text(raw, "metric", file, eid, limit=80)
        unit = self.text(raw, "unit", file, eid, limit=40)
        value = raw.get("value")
        if isinstance(value, str):  # ASCII digits only: float() would take "١٢٣" and "nan"
            value = float(value) if ASCII_NUMBER.match(value.strip()) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.add(file, fline, eid, "figures.value", "must be a number (ASCII digits)")
            return None
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float
            value = math.inf
        if not math.isfinite(value):
            self.add(file, fline, eid, "figures.value",
                     f"must be a finite number (got {value}; NaN and infinity are refused)")
            return None
        qualifier = raw.get("qualifier")
        if qualifier == "":
            qualifier = None
        if not (qualifier is None or isinstance(qualifier, str)) or qualifier not in QUALIFIERS:
            self.add(file, fline, eid, "figures.qualifier", f"unknown qualifier {qualifier!r}")
        period = self.text(raw, "period", file, eid, required=False, limit=40)
        label = self.text(raw, "period_label", file, eid, required=False, limit=80)
        source = self.text(raw, "source", file, eid, required=False, limit=40)
        if metric is None or unit is None:
            return None
        return Figure(metric, float(value), unit, period, label, qualifier, source)

    def entry(self, raw: Any, file: str) -> Entry | None:
        if not isinstance(raw, dict):
            self.add(file, None, None, None, "each entry must be a mapping")
            return None
        line = raw.get("__line__")
        eid = raw.get("id")
        if not isinstance(eid, str) or not ID_RE.match(eid):
            why = (f"id {eid!r} is {len(eid)} characters; at most {ID_MAX} (it travels in "
                   "Telegram buttons)" if isinstance(eid, str) and len(eid) > ID_MAX
                   and ID_RE.match(eid[:ID_MAX])
                   else f"id {eid!r} must be a slug like it-exports-fy25")
            self.add(file, line, None, "id", why)
            return None
        topic = self.text(raw, "topic", file, eid, limit=60)
        question = self.text(raw, "question", file, eid, limit=MAX_QUESTION)
        answer = self.text(raw, "answer", file, eid, limit=MAX_ANSWER)
        minimum = MIN_ALTERNATES_CURATED if self.curated else 0
        alternates = self.strings(raw, "alternates", file, eid, minimum=minimum)
        keywords = self.strings(raw, "keywords", file, eid, minimum=1 if self.curated else 0)
        sources = self.strings(raw, "sources", file, eid, minimum=1)
        for sid in sources:
            if sid not in self.known_sources:
                self.add(file, line, eid, "sources", f"unknown source {sid!r}")
        raw_figures = raw.get("figures")
        if raw_figures is None:
            if self.curated:
                self.add(file, line, eid, "figures", "is missing (use [] for none)")
            raw_figures = []
        if isinstance(raw_figures, str):
            try:
                raw_figures = json.loads(raw_figures) if raw_figures.strip() else []
            except (json.JSONDecodeError, RecursionError):
                self.add(file, line, eid, "figures", "must be a list of figures")
                raw_figures = []
        if not isinstance(raw_figures, list):
            self.add(file, line, eid, "figures", "must be a list")
            raw_figures = []
        figures = [self.figure(f, file, eid, line) for f in raw_figures]
        for fig in figures:
            if fig is not None and fig.source and fig.source not in self.known_sources:
                self.add(file, line, eid, "figures.source", f"unknown source {fig.source!r}")
        translations = self.translations(raw, file, eid, [f for f in figures if f is not None])
        unknown = set(raw) - {
            "__line__", "id", "topic", "question", "alternates", "answer", "figures",
            "keywords", "sources", "status", "translations",
        }
        for key in sorted(unknown):
            self.add(file, line, eid, key, "is not a known field")
        if topic is None or question is None or answer is None:
            return None
        return Entry(
            id=eid,
            topic=topic,
            question=question,
            answer=answer,
            alternates=tuple(a for a in alternates if a != question),
            figures=tuple(f for f in figures if f is not None),
            keywords=tuple(k.lower() for k in keywords),
            sources=sources,
            translations=translations,
        )

    def translations(self, raw: dict[str, Any], file: str, eid: str,
                     figures: list[Figure]) -> tuple[tuple[str, Translation], ...]:
        """``translations: {ur: {topic, answer}, roman: {topic, answer}}``, each answer
        checked to hold every figure's digits (Urdu digits count)."""
        line = raw.get("__line__")
        value = raw.get("translations")
        if value is None or value == "":
            return ()
        if isinstance(value, str):  # a CSV cell or a hand-written JSON string
            try:
                value = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                self.add(file, line, eid, "translations", "must be a mapping of languages")
                return ()
        if not isinstance(value, dict):
            self.add(file, line, eid, "translations", "must be a mapping of languages")
            return ()
        out: list[tuple[str, Translation]] = []
        for lang in sorted(set(value) - {"__line__"} - set(TRANSLATED)):
            self.add(file, line, eid, f"translations.{lang}",
                     f"unknown language (use {' or '.join(TRANSLATED)})")
        for lang in TRANSLATED:
            item = value.get(lang)
            if item is None:
                continue
            where = f"translations.{lang}"
            if not isinstance(item, dict):
                self.add(file, line, eid, where, "must be a mapping with topic and answer")
                continue
            for key in sorted(set(item) - {"__line__", "topic", "answer"}):
                self.add(file, line, eid, f"{where}.{key}", "is not a known field")
            mark = len(self.problems)
            topic = self.text(item, "topic", file, eid, limit=60)
            answer = self.text(item, "answer", file, eid, limit=MAX_ANSWER)
            if topic is None or answer is None:  # name the field as translations.ur.topic
                self.problems[mark:] = [replace(p, field=f"{where}.{p.field}")
                                        for p in self.problems[mark:]]
                continue
            for missing in missing_figures(answer, figures):
                self.add(file, item.get("__line__", line), eid, f"{where}.answer",
                         f"drops or changes the figure {missing} (every figure's digits must "
                         "appear in each translation)")
            out.append((lang, Translation(topic, answer)))
        return tuple(out)

    def cross_check(self, knowledge: Knowledge, file_of: dict[str, str]) -> None:
        for entry in knowledge.entries:
            file = file_of.get(entry.id, "?")
            if self.curated and "column" in knowledge.sources and "column" not in entry.sources:
                self.add(file, None, entry.id, "sources", "must credit the column")


def _entries_of(doc: Any, name: str, checker: _Checker) -> list[Any]:
    if doc is None:
        checker.add(name, None, None, None, "is empty")
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("entries", []), list):
        checker.add(name, None, None, "entries", "must be a mapping with an 'entries' list")
        return []
    return list(doc.get("entries") or [])


def _sources_of(doc: Any, name: str, checker: _Checker) -> list[Any]:
    if not isinstance(doc, dict):
        return []
    raw = doc.get("sources") or []
    if not isinstance(raw, list):
        checker.add(name, None, None, "sources", "must be a list")
        return []
    return list(raw)


def _build(
    docs: Iterable[tuple[str, Any]], *, curated: bool, base_sources: dict[str, Source] | None = None
) -> Knowledge:
    checker = _Checker(curated=curated)
    knowledge = Knowledge(sources=dict(base_sources or {}))
    file_of: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    docs = list(docs)
    for name, doc in docs:
        for raw in _sources_of(doc, name, checker):
            src = checker.source(raw, name)
            if src is not None:
                if src.id in knowledge.sources and not base_sources:
                    checker.add(name, None, src.id, "id", "source id duplicated")
                knowledge.sources[src.id] = src
    checker.known_sources = set(knowledge.sources)
    for name, doc in docs:
        for raw in _entries_of(doc, name, checker) if _has_entries(doc) else []:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(raw_id, str) and raw_id in seen_ids:
                checker.add(name, raw.get("__line__"), raw_id, "id",
                            f"duplicated (also at {seen_ids[raw_id]})")
                continue
            if isinstance(raw_id, str):
                seen_ids[raw_id] = f"{name}:{raw.get('__line__')}"
            entry = checker.entry(raw, name)
            if entry is not None:
                file_of[entry.id] = name
                knowledge.entries.append(entry)
                if name.startswith("entries/"):
                    knowledge.files[entry.id] = name.removeprefix("entries/")
    checker.cross_check(knowledge, file_of)
    if checker.problems:
        raise KnowledgeError(checker.problems)
    return knowledge


def _has_entries(doc: Any) -> bool:
    return isinstance(doc, dict) and "entries" in doc


def load_dir(path: Path | None = None) -> Knowledge:
    """Load and check the curated layout (``sources.yaml`` + ``entries/*.yaml``)."""
    path = path or default_knowledge_dir()
    sources_file = path / "sources.yaml"
    if not sources_file.is_file():
        raise KnowledgeError([Problem(str(sources_file), None, None, None, "file not found")])
    docs = [(sources_file.name, _parse_yaml(sources_file.read_text("utf-8"), sources_file.name))]
    for file in sorted((path / "entries").glob("*.yaml")):
        name = f"entries/{file.name}"
        docs.append((name, _parse_yaml(file.read_text("utf-8"), name)))
    if len(docs) == 1:
        raise KnowledgeError([Problem(str(path / "entries"), None, None, None, "no entry files")])
    return _build(docs, curated=True)


MAX_IMPORT_BYTES = 5 * 1024 * 1024


def check_size(size: int, name: str, max_bytes: int | None = None) -> None:
    """Refuse a document of ``size`` bytes over ``max_bytes`` (default ``MAX_IMPORT_BYTES``,
    the chat upload cap; ``kb import`` passes its own, larger one)."""
    limit = MAX_IMPORT_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise KnowledgeError([Problem(name, None, None, None,
                                      f"is {size / 1024 / 1024:.1f} MiB; at most "
                                      f"{limit / 1024 / 1024:g} MiB can be imported")])


def parse_document(
    data: bytes, name: str, *, base_sources: dict[str, Source] | None = None,
    max_bytes: int | None = None,
) -> Knowledge:
    """Parse an import/export document (YAML, JSON or CSV, by name or content) and check it.

    ``max_bytes`` caps its size (default ``MAX_IMPORT_BYTES``).
    """
    check_size(len(data), name, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KnowledgeError([Problem(name, None, None, None,
                                      "is not UTF-8 text (expected YAML, JSON or CSV)")]) from None
    if "\x00" in text:
        raise KnowledgeError([Problem(name, None, None, None, "is a binary file, not YAML/JSON/CSV")])
    lower = name.lower()
    if lower.endswith(".csv"):
        doc = _csv_document(text, name)
    elif lower.endswith(".json"):
        try:
            doc = _check_depth(json.loads(text), name)
        except RecursionError:
            raise _too_deep(name) from None
        except json.JSONDecodeError as exc:
            raise KnowledgeError([Problem(name, exc.lineno, None, None,
                                          f"not valid JSON: {exc.msg}")]) from None
    elif lower.endswith((".yaml", ".yml")) or not lower.rpartition(".")[1]:
        doc = _parse_yaml(text, name)
    else:
        raise KnowledgeError([Problem(name, None, None, None,
                                      "is not a YAML, JSON or CSV file (.yaml, .yml, .json, .csv)")])
    if not isinstance(doc, dict) or "entries" not in doc:
        raise KnowledgeError([Problem(name, None, None, "entries",
                                      "must be a document with an 'entries' list (as kb export writes)")])
    return _build([(name, doc)], curated=False, base_sources=base_sources)


CSV_FIELDS = ["id", "topic", "question", "alternates", "answer", "figures", "keywords", "sources",
              *(f"{part}_{lang}" for lang in TRANSLATED for part in ("topic", "answer"))]


def _csv_document(text: str, name: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [f for f in ("id", "topic", "question", "answer", "sources")
                   if f not in (reader.fieldnames or [])]
        if missing:
            raise KnowledgeError([Problem(name, 1, None, ",".join(missing),
                                          "CSV header lacks these columns")])
        entries = []
        for row in reader:
            row_dict: dict[str, Any] = {k: v for k, v in row.items() if k is not None}
            found = {lang: {"topic": row_dict.pop(f"topic_{lang}", "") or "",
                            "answer": row_dict.pop(f"answer_{lang}", "") or ""}
                     for lang in TRANSLATED}
            found = {lang: t for lang, t in found.items() if t["topic"] or t["answer"]}
            if found:
                row_dict["translations"] = found
            row_dict["__line__"] = reader.line_num
            entries.append(row_dict)
    except csv.Error as exc:
        raise KnowledgeError([Problem(name, reader.line_num or None, None, None,
                                      f"not valid CSV: {exc}")]) from None
    return {"entries": entries}


def to_document(knowledge: Knowledge) -> dict[str, Any]:
    """The export form of a knowledge base (what import accepts)."""
    return {
        "sources": [s.to_dict() for s in knowledge.sources.values()],
        "entries": [e.to_dict() for e in knowledge.entries],
    }


ADMIN_FILE = "added.yaml"


def write_dir(knowledge: Knowledge, path: Path) -> list[Path]:
    """Write the curated layout (sources.yaml + entries/*.yaml) back, each entry in its file."""
    (path / "entries").mkdir(parents=True, exist_ok=True)
    written = [path / "sources.yaml"]
    written[0].write_text(dump_yaml({"sources": [s.to_dict() for s in knowledge.sources.values()]}),
                          encoding="utf-8")
    by_file: dict[str, list[dict[str, Any]]] = {}
    for entry in knowledge.entries:
        by_file.setdefault(knowledge.files.get(entry.id, ADMIN_FILE), []).append(entry.to_dict())
    for name, entries in by_file.items():
        target = path / "entries" / name
        target.write_text(dump_yaml({"entries": entries}), encoding="utf-8")
        written.append(target)
    return written


def dump_yaml(doc: Any) -> str:
    """YAML text for export: block style, Unicode kept, keys in the order given (libyaml's
    emitter where present)."""
    return yaml.dump(doc, Dumper=_SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=100)


def _csv_row(e: Entry) -> dict[str, Any]:
    d = e.to_dict()
    translated = d.pop("translations", {})
    return {
        **d,
        "alternates": CSV_LIST_SEP.join(d["alternates"]),
        "keywords": CSV_LIST_SEP.join(d["keywords"]),
        "sources": CSV_LIST_SEP.join(d["sources"]),
        "figures": json.dumps(d["figures"], ensure_ascii=False),
        **{f"{part}_{lang}": t[part] for lang, t in translated.items()
           for part in ("topic", "answer")},
    }


def dump_csv(knowledge: Knowledge) -> str:
    """CSV export: lists joined with ``|``, figures as JSON."""
    out = io.StringIO()
    write_document(out, knowledge.sources, [knowledge.entries], "csv")
    return out.getvalue()


EXPORT_FORMATS = ("yaml", "json", "csv")


def write_document(out: IO[str], sources: dict[str, Source], batches: Iterable[list[Entry]],
                   form: str) -> int:
    """Write an export document to ``out`` as it goes, one batch of entries at a time, and
    return how many entries it holds.

    The text is exactly what ``dump_yaml(to_document(k))``, ``json.dumps(to_document(k),
    ensure_ascii=False, indent=2)`` or :func:`dump_csv` would give for the whole base,
    but only one batch is ever held in memory.
    """
    count = 0
    if form == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for batch in batches:
            writer.writerows(_csv_row(e) for e in batch)
            count += len(batch)
        return count
    source_list = [s.to_dict() for s in sources.values()]
    if form == "json":
        out.write('{\n  "sources": ')
        out.write(json.dumps(source_list, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        out.write(',\n  "entries": [')
        for batch in batches:
            for e in batch:  # JSON text holds no raw newline: indenting lines is safe
                out.write(",\n    " if count else "\n    ")
                out.write(json.dumps(e.to_dict(), ensure_ascii=False, indent=2)
                          .replace("\n", "\n    "))
                count += 1
        out.write("\n  ]\n}" if count else "]\n}")
        return count
    if form != "yaml":
        raise ValueError(f"unknown export format {form!r}")
    out.write(dump_yaml({"sources": source_list}))
    for batch in batches:
        if not batch:
            continue
        if not count:
            out.write("entries:\n")
        out.write(dump_yaml([e.to_dict() for e in batch]))  # a block list, as under entries:
        count += len(batch)
    if not count:
        out.write("entries: []\n")
    return count
