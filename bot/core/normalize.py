"""Normalising questions once: Unicode, Urdu letters and digits, Roman Urdu spellings, stems.

The same :class:`Normalizer` turns both the knowledge base's questions and a user's question
into content tokens, so that "Pakistan mein kitne freelancers hain?", "فری لانسرز کی تعداد"
and "how many freelancers in pakistan" meet on the same words.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import marshal
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Zero-width and bidirectional control characters, and other invisible format characters.
_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF, 0x00AD],
)
_URDU_FOLD = str.maketrans({
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u06d2": "\u06d2",  # yeh forms -> Farsi yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u0647": "\u06c1", "\u06c0": "\u06c1", "\u0629": "\u06c1",  # heh forms -> heh goal
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alef forms
    "\u0624": "\u0648",  # waw with hamza
    "\u06d4": " ", "\u061f": " ", "\u060c": " ", "\u061b": " ", "\u066a": "%",
    "\u0640": None,  # tatweel
    **{chr(c): None for c in range(0x064B, 0x0660)},  # harakat
    "\u0670": None, "\u0654": None, "\u0655": None,
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended (Urdu) digits
})
_APOSTROPHE_S = re.compile(r"['’`]s\b")
_NON_WORD = re.compile(r"[^\w$%.]+|(?<!\d)\.|\.(?!\d)")
_IT_UPPER = re.compile(r"\bIT(?:e?S)?\b")
IT_TOKEN = "infotech"
CACHE_TEXT = 120  # texts up to this long are remembered (topics, keywords, typical questions)
CACHE_SIZE = 4_096
VOCABULARY_FILE = "vocabulary.yaml"  # general words, kept apart from the column's synonyms
_PLURAL_ACRONYM = re.compile(r"\b([A-Z]{2,})s\b")
# "US" the country, not the currency ("US dollars", "US$ 3.8bn", "US cents")
_US_UPPER = re.compile(r"\bU\.?S\.?(?:A\.?)?(?![\w.$])(?!\s*(?i:dollars?|cents?)\b)")
_SUFFIXES = ("ings", "ing", "ers", "ies", "er", "es", "ed", "s")
# words whose stem is another word's: "shared" computing is no share (a percentage) of it
_KEPT = frozenset({"shared", "sharing"})
_DERIVED = (("tion", 3), ("or", 2))  # "regulation", "regulator": "regulate"
PERIOD_RE = re.compile(r"^(?:fy)?(?:19|20)\d\d$|^fy\d\d$|^m(?:19|20)\d\d(?:0[1-9]|1[0-2])$"
                       r"|^q(?:19|20)\d\d[1-4]$|^h(?:19|20)\d\d[12]$")
MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_ORDINALS = {w: i for i, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth", "eleventh", "twelfth"), start=1)}
_QUARTER_WORD = re.compile(r"^([qh])([1-4])$")  # "q3", "h1"
# the words a way of naming a period can start with (besides digits and "fy...")
_PERIOD_WORDS = frozenset({"fiscal", "financial", "year", "last", "previous", "past", "this", "month",
                           "current", "between", "from", *MONTHS, *_ORDINALS,
                           "q1", "q2", "q3", "q4", "h1", "h2"})
_RANGE_WORDS = frozenset({"to", "and", "till", "until", "through", "thru"})
_OF = frozenset({"ke", "ki", "ka", "\u06a9\u06d2", "\u06a9\u06cc", "\u06a9\u0627"})  # Roman and Urdu "of"
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_FY = re.compile(r"^fy(?:20)?(\d\d)$")


def fiscal_year(day: dt.date) -> int:
    """Pakistan's fiscal year (July to June) that ``day`` falls in, as its ending year."""
    return day.year + 1 if day.month >= 7 else day.year


def month_token(year: int, month: int) -> str:
    """A month as one period token: July 2025 is ``m202507``."""
    return f"m{year:04d}{month:02d}"


def quarter_token(year: int, quarter: int) -> str:
    """A calendar quarter as one period token: July to September 2026 is ``q20263``."""
    return f"q{year:04d}{quarter}"


def half_token(year: int, half: int) -> str:
    """A half of a calendar year as one period token: January to June 2026 is ``h20261``."""
    return f"h{year:04d}{half}"


def _span_token(first: int, last: int, year: int) -> str | None:
    """Months ``first`` to ``last`` of ``year`` as a quarter's or a half's token, if they are one."""
    if last - first == 2 and first % 3 == 1:
        return quarter_token(year, (first + 2) // 3)
    if last - first == 5 and first in {1, 7}:
        return half_token(year, 1 if first == 1 else 2)
    return None


def _fiscal_part(size: int, n: int, fy: int) -> list[str]:
    """Quarter (``size`` 4) or half (2) ``n`` of fiscal year ``fy`` (its ending year) as the
    calendar quarter's or half's token and the fiscal year's: Q1 FY26 is July to September
    2025 (``q20253``), H2 FY26 January to June 2026 (``h20261``)."""
    if size == 4:
        token = quarter_token(fy - 1, n + 2) if n <= 2 else quarter_token(fy, n - 2)
    else:
        token = half_token(fy - 1, 2) if n == 1 else half_token(fy, 1)
    return [token, f"fy{fy % 100:02d}"]


def _fiscal_at(words: list[str], j: int) -> tuple[int, int] | None:
    """The fiscal year named at ``words[j]`` ("fy26", "2025 26" from "2025-26", "fiscal year
    2026") as its ending year, with how many words it took; None when none is."""
    w = words[j] if j < len(words) else ""
    nxt = words[j + 1] if j + 1 < len(words) else ""
    after = words[j + 2] if j + 2 < len(words) else ""
    if m := _FY.match(w):
        return 2000 + int(m.group(1)), 1
    if _YEAR.match(w) and len(nxt) == 2 and nxt.isdigit() and int(nxt) == (int(w) + 1) % 100:
        return int(w) + 1, 2
    if w in {"fiscal", "financial"} and nxt == "year" and _YEAR.match(after):
        return int(after), 3
    return None


def _quarter_period(words: list[str], i: int, today: dt.date) -> tuple[list[str], int] | None:
    """A quarter or half named at ``words[i]``: "Q3 2026", "2026 Q3", "H1 2026", "third quarter
    of 2026", "first half of 2026", "last quarter of 2025" (its fourth), "last quarter" (before
    today's), "July to September 2026", "between January and March 2026": its tokens (and the
    year's) and how many words it took; None when none is named there."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    after = words[i + 2] if i + 2 < len(words) else ""
    third = words[i + 3] if i + 3 < len(words) else ""
    code = _QUARTER_WORD.match(w)
    if code and (fiscal := _fiscal_at(words, i + 1)):  # "Q2 FY26": a fiscal year's quarter
        kind, n = code.group(1), int(code.group(2))
        if kind == "q" or n <= 2:
            return _fiscal_part(4 if kind == "q" else 2, n, fiscal[0]), 1 + fiscal[1]
    if (m := _FY.match(w)) and (code := _QUARTER_WORD.match(nxt)):  # "FY26 Q2"
        kind, n = code.group(1), int(code.group(2))
        if kind == "q" or n <= 2:
            return _fiscal_part(4 if kind == "q" else 2, n, 2000 + int(m.group(1))), 2
    if fiscal_first := _fiscal_at(words, i):  # "FY25 ke pehle quarter", "مالی سال 2026 کی ..."
        k = i + fiscal_first[1]
        k += 1 if k < len(words) and words[k] in _OF else 0
        ordinal = words[k] if k < len(words) else ""
        unit = words[k + 1] if k + 1 < len(words) else ""
        if ordinal in _ORDINALS and unit in {"quarter", "half"}:
            size, n = (4 if unit == "quarter" else 2), _ORDINALS[ordinal]
            if n <= size:
                return _fiscal_part(size, n, fiscal_first[0]), k + 2 - i
    if code and _YEAR.match(nxt):
        kind, n = code.group(1), int(code.group(2))
        if kind == "q" or n <= 2:
            token = quarter_token(int(nxt), n) if kind == "q" else half_token(int(nxt), n)
            return [token, nxt], 2
    if _YEAR.match(w) and (code := _QUARTER_WORD.match(nxt)):
        kind, n = code.group(1), int(code.group(2))
        if kind == "q" or n <= 2:
            token = quarter_token(int(w), n) if kind == "q" else half_token(int(w), n)
            return [token, w], 2
    skip = 1 if after in _OF else 0  # "pichle saal ke pehle chhe mahine"
    ordinal = words[i + 2 + skip] if i + 2 + skip < len(words) else ""
    unit = words[i + 3 + skip] if i + 3 + skip < len(words) else ""
    if w in {"last", "this", "previous", "current"} and nxt == "year" and ordinal in _ORDINALS \
            and unit in {"half", "quarter"}:  # "last year's second half"
        size = 4 if unit == "quarter" else 2
        n, y = _ORDINALS[ordinal], today.year - (1 if w in {"last", "previous"} else 0)
        if n <= size:
            token = quarter_token(y, n) if size == 4 else half_token(y, n)
            return [token, str(y)], 4 + skip
    if nxt in {"quarter", "half"} and (w in _ORDINALS or w == "last"):
        size = 4 if nxt == "quarter" else 2
        n = size if w == "last" else _ORDINALS[w]
        year = third if after == "of" else after
        fourth = words[i + 4] if i + 4 < len(words) else ""
        if after == "of" and third in {"last", "this", "previous", "current"} and fourth == "year":
            y = today.year - (1 if third in {"last", "previous"} else 0)  # "... of last year"
            if n <= size:
                token = quarter_token(y, n) if size == 4 else half_token(y, n)
                return [token, str(y)], 5
        at = i + 3 if after == "of" else i + 2
        if n <= size and (fiscal := _fiscal_at(words, at)):
            # "the second quarter of 2025-26", "first half of FY26", "of fiscal year 2026"
            return _fiscal_part(size, n, fiscal[0]), at - i + fiscal[1]
        if n <= size and _YEAR.match(year):
            token = quarter_token(int(year), n) if size == 4 else half_token(int(year), n)
            return [token, year], 4 if after == "of" else 3
        if w == "last" and nxt == "quarter":  # the quarter before today's
            q = (today.month - 1) // 3
            y = today.year if q else today.year - 1
            return [quarter_token(y, q or 4), str(y)], 2
    if w in {"this", "current"} and nxt == "quarter":
        return [quarter_token(today.year, (today.month - 1) // 3 + 1), str(today.year)], 2
    start = i + 1 if w in {"between", "from"} else i
    if start + 2 < len(words) and words[start] in MONTHS:
        # "July to September 2026", or "July-September 2026" (the hyphen is a break)
        joined = words[start + 1] in _RANGE_WORDS
        end = start + 2 if joined else start + 1
        last = MONTHS.get(words[end])
        year = words[end + 1] if end + 1 < len(words) else ""
        if last is not None and _YEAR.match(year):
            spanned = _span_token(MONTHS[words[start]], last, int(year))
            if spanned:
                return [spanned, year], end + 2 - i
    return None


def read_periods(words: list[str], today: dt.date) -> list[str]:
    """Ways of naming a period, as one period token each: "2023-24", "fiscal year 2024",
    "FY 2024" and "the year ending June 2024" are ``fy24``; "last fiscal year" is the one
    before today's; "July 2025" and "first month of FY26" are ``m202507``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if not (w[:1].isdigit() or w.startswith("fy") or w in _PERIOD_WORDS):
            out.append(w)  # most words start no way of naming a period
            i += 1
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        after = words[i + 2] if i + 2 < len(words) else ""
        span = _quarter_period(words, i, today)
        if span is not None:
            out += span[0]
            i += span[1]
            continue
        fy = _FY.match(w)
        if (_YEAR.match(w) or fy) and nxt.isdigit() and len(nxt) == 2:
            start = int(w[-2:]) if not fy else int(fy.group(1)) - 1
            if (start + 1) % 100 == int(nxt) or (fy and int(fy.group(1)) + 1 == int(nxt)):
                out.append(f"fy{nxt}")  # 2023-24, FY2022-23
                i += 2
                continue
        if w == "fy" and (_YEAR.match(nxt) or (nxt.isdigit() and len(nxt) == 2)):
            out.append(f"fy{nxt[-2:]}")  # FY 2024, FY 24
            i += 2
            continue
        if w in {"fiscal", "financial"} and nxt == "year":
            if _YEAR.match(after) or (after.isdigit() and len(after) == 2):
                out.append(f"fy{after[-2:]}")  # fiscal year 2024, mali saal 25
                i += 3
                continue
            before = words[i - 1] if i else ""
            if before in {"last", "previous", "past"}:
                out[-1:] = [f"fy{(fiscal_year(today) - 1) % 100:02d}"]
                i += 2
                continue
            if before in {"this", "current"}:
                out[-1:] = [f"fy{fiscal_year(today) % 100:02d}"]
                i += 2
                continue
        if (w == "year" and nxt in {"ending", "ended", "end", "to", "till", "until", "through"}
                and after == "june" and i + 3 < len(words) and _YEAR.match(words[i + 3])):
            out.append(f"fy{words[i + 3][-2:]}")  # the year ending June 2024
            i += 4
            continue
        if w in _ORDINALS and nxt == "month" and i + 3 < len(words) and words[i + 2] == "of":
            target = _FY.match(words[i + 3])
            if target and _ORDINALS[w] <= 12:
                month = 6 + _ORDINALS[w]  # July is the first month of a fiscal year
                year = 2000 + int(target.group(1)) - 1 + (month - 1) // 12
                out += [month_token(year, (month - 1) % 12 + 1), str(year)]
                i += 4
                continue
        if w in MONTHS and _YEAR.match(nxt):
            out += [month_token(int(nxt), MONTHS[w]), nxt]  # July 2025 (and its year)
            i += 2
            continue
        if w in {"last", "previous", "past", "this", "current"} and nxt == "month":
            back = 1 if w in {"last", "previous", "past"} else 0  # "last month", "pichle mahine"
            year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
            out += [month_token(year, month + 1), str(year)]
            i += 2
            continue
        if w == "month" and nxt == "of" and after in MONTHS and not (
                i + 3 < len(words) and _YEAR.match(words[i + 3])):
            # "in the month of October": the latest October begun by today
            month = MONTHS[after]
            year = today.year if month <= today.month else today.year - 1
            out += [month_token(year, month), str(year)]
            i += 3
            continue
        out.append(w)
        i += 1
    return out


@functools.lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """A light English stemmer, never below four letters: plurals, -er/-ing/-ed, and a
    final silent e, so that "compete", "competes", "competed" and "competing" meet."""
    if not token.isascii() or not token.isalpha() or len(token) <= 4 or token in _KEPT:
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                break
            if suffix == "ed" and token.endswith("eed"):
                break
            token = token[: -len(suffix)] + ("y" if suffix == "ies" else "")
            if suffix in {"ed", "ing"} and token.endswith("er") and len(token) >= 6:
                token = token[:-2]  # "registered", "registering" as "register(s)" become
            break
    for suffix, cut in _DERIVED:
        if token.endswith(suffix) and len(token) - cut >= 5:
            token = token[:-cut]
            break
    if token.endswith("e") and len(token) >= 5:
        token = token[:-1]
    elif token.endswith("ly") and len(token) >= 7:
        token = token[:-2]
    return token


# Words after "it" that show the sector is meant ("IT exports"), stemmed like any token.
_IT_CONTEXT = {stem(w) for w in (
    "export", "sector", "industry", "industries", "service", "services", "firm", "firms",
    "company", "companies", "professional", "job", "skill", "ites", "enabled", "enable",
    "revenue", "earning", "growth", "boom", "startup", "park", "infotech", "field",
    # Roman Urdu postpositions: "it ki exports", "it ke liye" name the sector, never a pronoun
    "ka", "ke", "ki", "ko", "se", "mein", "aur",
)}


def fold(text: str) -> str:
    """Unicode NFKC, invisible characters dropped, Urdu letters and digits folded, lowercase."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return text.translate(_URDU_FOLD).casefold()


def split_words(text: str) -> list[str]:
    """Folded text split into words; punctuation, hyphens and apostrophes become breaks."""
    text = _APOSTROPHE_S.sub("", text)
    text = text.replace("'", "").replace("’", "")
    return [w for w in _NON_WORD.sub(" ", text).split() if w not in {"$", "%", "."}]


@dataclass(frozen=True)
class Lexicon:
    """Word maps kept in ``knowledge/lexicon.yaml``."""

    synonyms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    out_of_scope: dict[str, str] = field(default_factory=dict)  # term -> group
    quantity: dict[str, str] = field(default_factory=dict)  # term -> number/amount/percent/...
    superlatives: tuple[str, ...] = ()
    smalltalk: dict[str, str] = field(default_factory=dict)  # term -> greeting/thanks
    generic: tuple[str, ...] = ()  # words of asking ("recommend", "help"): never the topic
    narrowing: tuple[str, ...] = ()  # groups and places a figure may be for ("women", "Lahore")
    # the sides of one measure ("filed" / "granted"): each a tuple of sides, a side of terms
    contrasts: tuple[tuple[tuple[str, ...], ...], ...] = ()
    units: tuple[tuple[str, ...], ...] = ()  # a unit's names ("mw", "megawatts"): asked for
    abbreviations: frozenset[str] = frozenset()  # everyday ones ("CEO", "ID"): never a name
    # places within a larger one ("sindh": karachi, hyderabad): "Hyderabad, Sindh" is Hyderabad
    within: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def longest(self) -> int:
        return max((len(k) for k in self.synonyms), default=1)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """The lexicon at ``path``, with the general vocabulary beside it (``vocabulary.yaml``:
        everyday Roman Urdu and Urdu words of any question) under its own synonyms.

        Parsing both files and resolving their synonyms takes about 60 ms of every start, so
        the result is kept in the user's cache directory under a digest of both files and of
        this module (a changed word or changed code is a new file); a cache that cannot be
        read or written is passed over."""
        own = path.read_bytes()
        general = path.with_name(VOCABULARY_FILE)
        other = general.read_bytes() if general.is_file() else b""
        cached = _lexicon_cache(own, other)
        found = _read_cached(cached)
        if found is not None:
            return _digested(found, cached)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster
        raw: Any = yaml.load(own.decode("utf-8"), Loader=loader) or {}
        if other:
            vocabulary: Any = yaml.load(other.decode("utf-8"), Loader=loader) or {}
            raw["synonyms"] = {**(vocabulary.get("synonyms") or {}), **(raw.get("synonyms") or {})}
        lexicon = cls.from_dict(raw)
        _write_cached(cached, lexicon)
        return _digested(lexicon, cached)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Lexicon:
        synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, value in (raw.get("synonyms") or {}).items():
            words = tuple(split_words(fold(str(key))))
            target = tuple(split_words(fold(str(value))))
            if words and words != target:
                synonyms[words] = target
        synonyms = {key: _resolved(target, synonyms) for key, target in synonyms.items()}
        stops = [w for s in raw.get("stopwords") or [] for w in split_words(fold(str(s)))]
        stopwords = frozenset(stops) | {stem(w) for w in stops}  # as tokens are compared
        supers = tuple(str(t) for t in raw.get("superlatives") or [])
        return cls(synonyms, stopwords, _groups(raw.get("out_of_scope")),
                   _groups(raw.get("quantity")), supers, _groups(raw.get("smalltalk")),
                   tuple(str(t) for t in raw.get("generic") or []),
                   tuple(str(t) for t in raw.get("narrowing") or []),
                   tuple(tuple(tuple(str(t) for t in side) for side in sides)
                         for sides in raw.get("contrasts") or []),
                   tuple(tuple(str(t) for t in names) for names in raw.get("units") or []),
                   frozenset(str(t).casefold() for t in raw.get("abbreviations") or []),
                   tuple((str(place), tuple(str(t) for t in inside))
                         for place, inside in (raw.get("within") or {}).items()))


_DIGESTS: dict[int, tuple[Lexicon, str]] = {}  # id(lexicon) -> (it, its files' digest)


def _digested(lexicon: Lexicon, cached: Path | None) -> Lexicon:
    if cached is not None:  # the cache file's name holds the files' digest
        _DIGESTS[id(lexicon)] = (lexicon, cached.stem.removeprefix("lexicon-"))
    return lexicon


def lexicon_digest(lexicon: Lexicon) -> str:
    """A digest of the files ``lexicon`` was read from and of this module, "" for one built
    or changed in code (``dataclasses.replace`` makes a new object, which has none)."""
    known = _DIGESTS.get(id(lexicon))
    return known[1] if known is not None and known[0] is lexicon else ""


def _lexicon_cache(own: bytes, other: bytes) -> Path | None:
    """Where the lexicon parsed from these files' bytes is kept (None: no cache directory)."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        digest = hashlib.sha256()
        for part in (own, other, Path(__file__).read_bytes(), sys.version.encode()):
            digest.update(hashlib.sha256(part).digest())  # marshal's format is Python's own
    except (OSError, RuntimeError):  # no home directory, or this file unreadable
        return None
    return base / "pkitbot" / f"lexicon-{digest.hexdigest()[:24]}.marshal"


def _read_cached(cached: Path | None) -> Lexicon | None:
    if cached is None:
        return None
    try:
        fields = marshal.loads(cached.read_bytes())
        return Lexicon(**fields)
    except (OSError, ValueError, EOFError, TypeError):
        return None  # absent, or torn or from another Python: parsed again


def _write_cached(cached: Path | None, lexicon: Lexicon) -> None:
    if cached is None:
        return
    fields = {f.name: getattr(lexicon, f.name) for f in dataclasses.fields(lexicon)}
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob("lexicon-*.marshal"):
            if old != cached:
                old.unlink(missing_ok=True)  # an older word list's or code's
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(marshal.dumps(fields))
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only home: every start parses the files


def _resolved(target: tuple[str, ...],
              synonyms: dict[tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    """A mapping's target with its own words, or the whole phrase, mapped in turn (a few
    steps, so a cycle ends): Urdu "izafa" -> "increase" -> "growth", an Urdu word mapped to
    "fee" meets the English word the vocabulary maps "fee" to, and "سری لنکا" -> "sri lanka"
    -> "srilanka"."""
    def step(word: str) -> tuple[str, ...]:
        found = synonyms.get((word,), (word,))
        return (word,) if word in found else found  # a gloss ("starlink": ... internet) waits

    for _ in range(3):
        whole = synonyms.get(target) if len(target) > 1 else None
        if (whole is not None and whole != target and not set(target) <= set(whole)
                and synonyms.get(whole) != target):  # (two phrases mapped to each other stay)
            target = whole  # a phrase mapped to one ("سری لنکا" -> "sri lanka" -> srilanka)
            continue
        mapped = tuple(w for word in target for w in step(word))
        if mapped == target:
            break
        target = mapped
    # a word the vocabulary glosses ("careem": "careem ride hailing") is glossed once
    out: list[str] = []
    for word in target:
        gloss = synonyms.get((word,), ())
        out.extend(gloss if word in gloss and not set(gloss) - {word} <= set(target) else (word,))
    return tuple(out)


def _groups(groups: Any) -> dict[str, str]:
    """``{group: [term, ...]}`` from the lexicon as ``{term: group}``."""
    out: dict[str, str] = {}
    for group, terms in groups.items() if isinstance(groups, dict) else []:
        for term in terms or []:
            out[str(term)] = str(group)
    return out


@dataclass(frozen=True)
class Normalized:
    """A question after normalisation."""

    tokens: tuple[str, ...]  # every word, mapped and stemmed
    content: tuple[str, ...]  # without stopwords, in order, unique
    periods: tuple[str, ...]  # years and fiscal years mentioned, canonical ("fy25", "2025")
    words: tuple[str, ...] = ()  # every word after the lexicon's mapping, unstemmed (English)

    @property
    def text(self) -> str:
        return " ".join(self.content)


class Normalizer:
    """Turns text into tokens the matcher compares; build once, call per question."""

    def __init__(self, lexicon: Lexicon, today: dt.date | None = None):
        self.lexicon = lexicon
        self._longest = lexicon.longest
        self._today = today  # None: the real date, read when a question names a relative period
        # the longest lexicon phrase starting with each word: most words start none
        self._starts: dict[str, int] = {}
        for key in lexicon.synonyms:
            self._starts[key[0]] = max(self._starts.get(key[0], 0), len(key))
        self._cache: dict[str, Normalized] = {}  # short texts repeat: topics, keywords, queries
        self._cache_day: dt.date | None = None

    def today(self) -> dt.date:
        """The date relative periods are read against ("last fiscal year")."""
        return self._today or dt.date.today()

    def _map(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        syn = self.lexicon.synonyms
        starts = self._starts
        while i < len(words):
            for n in range(min(starts.get(words[i], 0), len(words) - i), 0, -1):
                target = syn.get(tuple(words[i : i + n]))
                if target is not None:
                    out.extend(target)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def __call__(self, text: str) -> Normalized:
        day = self._today or dt.date.today()
        if day != self._cache_day:  # "last fiscal year" moves with the date
            self._cache, self._cache_day = {}, day
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        found = self._normalize(text, day)
        if len(text) <= CACHE_TEXT:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = found
        return found

    def _normalize(self, text: str, day: dt.date) -> Normalized:
        text = unicodedata.normalize("NFKC", text)
        if "IT" in text:  # (the patterns cost more than the look for their letters)
            text = _IT_UPPER.sub(f" {IT_TOKEN} ", text)
        if "U" in text:
            text = _US_UPPER.sub(" usa ", text)  # "US" is the country, "us" the pronoun
        text = _PLURAL_ACRONYM.sub(r"\1", text)  # "IXPs", "EMIs": the acronym
        words = read_periods(self._map(split_words(fold(text))), day)
        stems = [stem(w) for w in words]
        tokens: list[str] = []
        for i, tok in enumerate(stems):
            if tok == "it":
                after = stems[i + 1] if i + 1 < len(stems) else ""
                before = stems[i - 1] if i else ""
                if after in _IT_CONTEXT or before in {"pakistan", "pakistani"}:
                    tok = IT_TOKEN
            tokens.append(tok)
        periods = tuple(dict.fromkeys(p for p in (canonical_period(t) for t in tokens) if p))
        stop = self.lexicon.stopwords
        content = tuple(dict.fromkeys(t for t in tokens if t not in stop and t != "it"))
        return Normalized(tuple(tokens), content, periods, tuple(words))


def canonical_period(token: str) -> str | None:
    """'fy25'/'fy2025' -> 'fy25'; a plain year -> '2025'; a month token 'm202507' as it is;
    anything else -> None."""
    first = token[:1]
    if first not in "fmqh" and not first.isdigit():
        return None  # the quick answer for nearly every word
    if not PERIOD_RE.match(token):
        return None
    if token.startswith("fy"):
        return "fy" + token[-2:]
    return token


def period_aliases(period: str | None) -> set[str]:
    """Every way a user may name a figure's period: FY25 is also 2025 and 2024-25 (and its
    calendar years 2024 and 2025); October 2026 is ``m202610`` and 2026."""
    if not period:
        return set()
    words = split_words(fold(period))
    out: set[str] = set()
    for part in read_periods(words, dt.date.today()):
        p = canonical_period(part)
        if p is None and part.isdigit() and len(part) == 2:
            p = "20" + part
        if p:
            out.add(p)
            if p.startswith("fy"):
                end = 2000 + int(p[2:])
                out |= {str(end), str(end - 1)}
            elif p[0] in "mqh":
                out.add(p[1:5])
    return out


def period_key(token: str) -> str:
    """A period token as a key that sorts by time: FY25 ends in June 2025 ("2025-06"), a year
    in December, a month in itself."""
    if token.startswith("fy"):
        return f"20{token[2:]}-06"
    if token.startswith("m"):
        return f"{token[1:5]}-{token[5:]}"
    if token.startswith("q"):
        return f"{token[1:5]}-{3 * int(token[5]):02d}"
    if token.startswith("h"):
        return f"{token[1:5]}-{6 * int(token[5]):02d}"
    return f"{token}-12" if token.isdigit() else ""
