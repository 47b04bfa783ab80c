"""Matching a question to a knowledge-base entry: answer, suggest (did you mean) or abstain.

Built once from the entries: every question, keyword and topic is normalised, an inverted
index maps words to entries and rarer words weigh more (idf). A question is normalised once,
misspelt words are corrected against the vocabulary, a handful of candidate entries come
from the index (so the cost grows far slower than the knowledge base), and each candidate is
scored by how much of the question it covers, blended with rapidfuzz similarity to its
closest question. Questions about another country or sector, or a period the knowledge base
has no figure for, are refused rather than answered with Pakistan's IT figures. A question
that asks for a number (how many, how much, what percentage, kitne, کتنے, شرح ...) is not
answered from an entry with no figure of that kind (none at all, or no percentage for "what
share", no money figure for "how much commission"), nor one asking which country leads the
world (the column places only Pakistan): the entry found is offered as a suggestion instead.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import re
from array import array
from bisect import insort
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from bot.core.embedding import Embedder, Similarities
from bot.core.normalize import (
    MONTHS,
    Normalized,
    Normalizer,
    canonical_period,
    fiscal_year,
    fold,
    lexicon_digest,
    period_aliases,
    period_key,
    split_words,
    stem,
)
from bot.kb import Entry, Figure, IndexRow, Slot

Decision = Literal["answer", "suggest", "abstain"]


class Reason(Enum):
    """Why the matcher decided as it did; the formatter chooses the reply's words by it.

    Some reasons carry a detail in :attr:`Match.detail`: ``SMALL_TALK`` the kind of small
    talk (the lexicon's group: greeting, thanks, goodbye), ``OUT_OF_SCOPE`` the term that put
    the question out of scope, ``UNKNOWN_NAME`` the name, ``NO_FIGURE_OF_KIND`` the kind of
    number asked for (the lexicon's quantity group: number, percent, money, average ...),
    ``NARROWER`` the normalised term naming the group or place.
    """

    CONFIDENT = "confident"
    CLOSE_CALL = "close call"
    LOW_SCORE = "low score"
    NO_CANDIDATE = "no candidate"
    NO_KNOWN_WORDS = "no known words"
    EMPTY = "empty"
    SMALL_TALK = "small talk"
    OUT_OF_SCOPE = "out of scope"
    NO_SUCH_PERIOD = "no figure for that period"
    NO_FIGURE_OF_KIND = "asks for a number the entry does not give"
    NARROWER = "asks about a group or place the entry does not single out"
    UNKNOWN_NAME = "names something the knowledge base does not know"
    ASKS_LEADER = "asks which country leads"


ANSWER_AT = 0.45
SUGGEST_AT = 0.35
CLEAR_MARGIN = 0.0
MIN_SPECIFIC = 1.0
LEAD_AT = 0.38  # a lower score still answers when no other entry comes close
LEAD_MARGIN = 0.10
SURE_AT = 0.80
COVERAGE_WEIGHT = 0.35
QUESTION_WEIGHT = 0.45
BETA2 = 2.0
# An admin's entry often has one short question and its subject only in its answer ("What is
# the e-Rozgaar programme?" / "a Punjab scheme that trains graduates"): all of an entry's
# words, answer's included, count as one more question of it, at this share.
WHOLE_ENTRY = 0.9
CONFLICT_EXTRA = 1.0
TIE_BREAK = 0.02
ANSWER_ONLY_WEIGHT = 0.7
UNKNOWN_WEIGHT = 1.4
WEAK_FACTOR = 0.6
TYPO_CUTOFF = 80
CANDIDATES = 30
PERIOD_BONUS = 0.05  # a figure for the very period asked beats a mention of that year
PERIOD_TIE = 0.15  # entries of one metric this close differ only in their period's words
# the meaning signal (bot.core.embedding): its share of a candidate's score, the cosine below
# which two texts count as unrelated, and how many closest entries join the candidates
SEMANTIC_WEIGHT = 0.70
SEMANTIC_FLOOR = 0.30
SEMANTIC_CANDIDATES = 5
# Past this many entries the meaning signal is off: its index is built in memory from every
# entry's texts (measured at 5,000 synthetic entries: 4.6 s, +60 MB, 8 ms an unsure question);
# storing the vectors in the database (the scale issue) is what lets it grow further.
SEMANTIC_MAX_ENTRIES = 5_000
# below ANSWER_AT, an entry still answers when it is also the closest in meaning
AGREE_AT = 0.25
AGREE_MARGIN = 0.02
AGREE_COS = 0.35
AGREE_COS_MARGIN = 0.0
AGREE_TRADE = 0.5  # a point of cosine lead over the next entry stands in for half a point on the words
AGREE_BEHIND = 0.12  # how far behind the closest entry of any period an eligible one may be
OFFER_COS = 0.55  # with no known word, an entry this close in meaning is offered, not answered
POSTING_CAP = 2000
SERIES_CAP = 64  # a word in more entries' questions than this is common: its series not counted
DOC_CACHE = 2048  # entries' scoring data kept in memory; the rest is read from the database
INDEX_FORMAT = 2  # what a stored row holds; a change here recomputes every row
AGREE_BEHIND_SAME = 0.30  # ... when that entry is the same kind of figure for other periods
CHECK_MARGIN = 0.06  # words this close to a tie: the entry clearly closer in meaning
CHECK_COS = 0.10  # ... by this much cosine goes first (less the nearer the tie)
CHECK_WIDE = 0.12  # how far behind on the words an entry may be and still be checked
CHECK_SLOPE = 0.5  # ... the cosine lead it needs grows by this much a point further behind
CHECK_RIVALS = 4  # how many of the next entries are checked
NUMBER_MONEY_GAP = 3  # "how many (billion) dollars": a money word this close after "how many"
FIT_MARGIN = 0.08  # a question asking for a number goes to a nearly-as-close entry that gives one
FIT_WIDE = 0.25  # ... or to one further behind on the words that is closer in meaning
FIT_COS = 0.02  # ... by this much cosine ("how big is the call-centre workforce": the jobs count)
# Which kinds of figure answer a question that asks for a number, by the lexicon's quantity
# groups (most specific first); None means any figure does.
FITTING: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("average", frozenset({"average"})),  # only a figure its source calls an average
    ("percent", frozenset({"percent"})),
    ("rate", frozenset({"percent", "money", "rate"})),
    ("money", frozenset({"money"})),
    ("number", None),
    ("amount", None),
)
# words that ask for a number as nouns but are verbs in "how does Pakistan rate ...?"
VERB_CUES = ("rate", "share", "count")
AUXILIARIES = ("do", "does", "did", "can", "could", "will", "would", "should")
ASKED = {"percent": "a percentage", "money": "a money amount", "number": "a number",
         "amount": "a number", "average": "an average", "rate": "a rate"}
# "below average", "than average", "the global average" compare; they do not ask for one
COMPARING = ("above", "below", "than", "global", "regional", "world")
_MONEY_UNITS = ("usd", "us$", "$", "pkr", "rs", "rupee", "dollar")
_MONEY_WORD = re.compile(r"\b(?:usd|pkr|rs|rupees?|dollars?|eur|euros?|gbp|aed)\b|\$")
_SENTENCE = re.compile(r"[.!?؟۔]+\s*|\n+")
_WORD = re.compile(r"[^\W_][\w&'-]*")  # letters of any alphabet: "Türkiye" is one word
_QUARTER = re.compile(r"[Qq][1-4]|H[12]")
# Latin letters by their names in Urdu script, as an acronym is spelt out in an Urdu question
# ("ای ایم آئی" is EMI, "ڈاٹ پی کے" .pk); see Matcher._spelled_out
_LETTER_NAMES = {fold(name): letter for name, letter in (
    ("اے", "a"), ("بی", "b"), ("سی", "c"), ("ڈی", "d"), ("ای", "e"), ("ایف", "f"), ("جی", "g"),
    ("ایچ", "h"), ("آئی", "i"), ("جے", "j"), ("کے", "k"), ("ایل", "l"), ("ایم", "m"),
    ("این", "n"), ("او", "o"), ("پی", "p"), ("کیو", "q"), ("آر", "r"), ("ایس", "s"), ("ٹی", "t"),
    ("یو", "u"), ("وی", "v"), ("ڈبلیو", "w"), ("ایکس", "x"), ("وائی", "y"), ("زیڈ", "z"))}
_URDU_SCRIPT = re.compile("[\u0600-\u06ff]")
# An English loanword written in Urdu script ("اسمارٹ میٹر", "پلانٹ") is read by its consonants
# (short vowels are not written in Urdu; vowels, h, w, v and y are left out on both sides: Urdu
# writes w, v, o and u with one letter) and matched to the one word of the knowledge base that
# has the same ones: see Matcher._loanword.
_URDU_SOUND = {fold(c): d for d, letters in (
    ("b", "ب"), ("p", "پ"), ("f", "ف"), ("t", "تٹطث"), ("d", "دڈذ"), ("s", "سصزضظژ"),
    ("k", "کق"), ("g", "گغ"), ("j", "ج"), ("c", "چ"), ("x", "ش"), ("q", "خ"), ("l", "ل"),
    ("m", "م"), ("n", "نں"), ("r", "رڑ")) for c in letters}
SOUND_MIN = 3  # shorter skeletons ("ride": r-d) match too many words
_URDU_PUNCTUATION = "؟،۔!?.,:;\"'()"


AVERAGE_WORDS = ("average", "avg", "mean", "median")


def figure_kinds(figure: Figure) -> set[str]:
    """What kinds of number a figure is: its unit's kind, "average" when its source calls it
    one (qualifier average or median, or a metric named so), and "rate" for a unit per
    something ("dropped calls per 100 calls")."""
    kinds = {figure_kind(figure.unit)}
    words = f"{figure.qualifier or ''} {figure.metric}".casefold()
    if any(w in words for w in AVERAGE_WORDS):
        kinds.add("average")
    if re.search(r"(?:^|\s)per\s", figure.unit.casefold()):
        kinds.add("rate")  # "calls per 100", "GB per month": a rate, whatever its unit
    return kinds


_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?![\w])")  # 12,345 or 1.5; not 5G, not 30s
_PERCENT_TEXT = re.compile(r"\d\s*(?:%|percent\b|per cent\b)")
_MONEY_TEXT = re.compile(r"(?:\b(?:usd|pkr|rs\.?|us\$)|\$|₨)\s*\d|\d[\d.,]*\s*(?:million|billion|"
                         r"thousand|lakh|crore|m|bn|k)?\s*(?:usd|pkr|rupees?|dollars?)\b")
_YEARS_ONLY = re.compile(r"\b(?:fy)?(?:19|20)\d\d(?:-\d\d)?\b")


def text_kinds(answer: str) -> set[str]:
    """The kinds of number an answer's own words state, for an entry an admin added with
    its figure in the text ("The fee is PKR 12,345"): money, percent, or a count."""
    low = answer.casefold()
    kinds: set[str] = set()
    if _MONEY_TEXT.search(low):
        kinds.add("money")
    if _PERCENT_TEXT.search(low):
        kinds.add("percent")
    if _NUMBER.search(_YEARS_ONLY.sub(" ", low)):
        kinds.add("count")
    if kinds and any(w in low for w in AVERAGE_WORDS):
        kinds.add("average")
    return kinds


def figure_kind(unit: str) -> str:
    """A figure's unit as the kind of number it is: percent, money or count."""
    low = unit.strip().casefold()
    if "percent" in low or low in {"%", "per cent"}:
        return "percent"
    if low.startswith(_MONEY_UNITS) or _MONEY_WORD.search(low):
        return "money"  # "USD", "billion USD", "PKR per GB", "Rs", "million dollars"
    return "count"


@dataclass(frozen=True)
class Candidate:
    """An entry the question may be about, with its score (0..1)."""

    entry_id: str
    score: float
    question: str


@dataclass(frozen=True)
class Match:
    """The matcher's decision for one question."""

    decision: Decision
    entry_id: str | None
    score: float
    candidates: tuple[Candidate, ...]
    reason: Reason
    normalized: Normalized
    detail: str = ""  # see Reason

    @property
    def why(self) -> str:
        """The reason in words, for logs and the CLI's JSON (never parsed back)."""
        if self.reason is Reason.NO_FIGURE_OF_KIND:
            return f"asks for {ASKED.get(self.detail, 'a number')} the entry does not give"
        return f"{self.reason.value}: {self.detail}" if self.detail else self.reason.value

    @property
    def suggestions(self) -> tuple[Candidate, ...]:
        """Up to three did-you-mean entries (empty when the bot answers)."""
        return () if self.decision == "answer" else self.candidates[:3]


@dataclass(frozen=True)
class _Doc:
    entry_id: str
    canonical: str
    texts: tuple[str, ...]  # normalised questions, for rapidfuzz
    qsets: tuple[frozenset[str], ...]  # each question's content words
    strong: frozenset[str]  # words of its questions, keywords and topic
    weak: frozenset[str]  # words of its answer only
    periods: frozenset[str]
    folded: tuple[str, ...] = ()  # each question's full token text, stopwords kept
    qweights: tuple[float, ...] = ()  # each question's total word weight (set after idf)
    kinds: frozenset[str] = frozenset()  # kinds of its figures: percent, money, count
    metrics: frozenset[str] = frozenset()  # what its figures measure
    figure_periods: frozenset[str] = frozenset()  # the periods its own figures are for
    latest: str = ""  # its latest figure's period as a sortable key ("2025-06" for FY25)
    meaning: tuple[str, ...] = ()  # what the embedding reads of its texts
    whole_weight: float = 0.0  # the weight of all its words (answer's at WEAK_FACTOR)


_FINGERPRINTS: dict[int, tuple[object, str, str]] = {}  # id(lexicon) -> (it, fiscal year, key)


def fingerprint(normalizer: Normalizer) -> str:
    """What a stored index row depends on: the lexicon's words, the code that reads them
    and the fiscal year ("last fiscal year" in an entry's text). Rows of another
    fingerprint are computed again. Worked out once per lexicon and fiscal year."""
    lex = normalizer.lexicon
    year = str(fiscal_year(normalizer.today()))
    known = _FINGERPRINTS.get(id(lex))
    if known is not None and known[0] is lex and known[1] == year:
        return known[2]
    key = _fingerprint(normalizer)
    _FINGERPRINTS[id(lex)] = (lex, year, key)
    return key


def _fingerprint(normalizer: Normalizer) -> str:
    lex = normalizer.lexicon
    digest = hashlib.sha256()
    # a lexicon read from its files carries their digest (any change to them, a new row:
    # reading its words out again cost 20 ms of every start); one built in code is read
    words = (known,) if (known := lexicon_digest(lex)) else (
        repr(sorted(lex.synonyms.items())), repr(sorted(lex.stopwords)),
        repr(sorted(lex.out_of_scope.items())))
    for part in (str(INDEX_FORMAT), *words, str(fiscal_year(normalizer.today()))):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update((Path(__file__).parent / "normalize.py").read_bytes())
    for function in ROW_CODE:  # the code that makes a row, not the rest of this module
        digest.update(inspect.getsource(function).encode())
    return digest.hexdigest()[:16]


def scope_phrases(normalizer: Normalizer) -> frozenset[str]:
    """The lexicon's out-of-scope terms of several words, normalised ("income tax")."""
    return frozenset(" ".join(tokens) for term in normalizer.lexicon.out_of_scope
                     if len(tokens := normalizer(term).tokens) > 1)


def meaning_text(normalizer: Normalizer, text: str | Normalized,
                 fixes: dict[str, str] | None = None) -> str:
    """What the embedding reads of a text: its words after the lexicon's mapping (Roman
    Urdu and Urdu mapped to English), misspellings fixed, without stopwords, so that all
    three languages and typing slips meet."""
    norm = normalizer(text) if isinstance(text, str) else text
    stop = normalizer.lexicon.stopwords
    words = norm.words if len(norm.words) == len(norm.tokens) else norm.tokens
    fixes = fixes or {}
    # periods are the filter's business: FY22 and FY25 entries mean the same thing
    kept = [fixes.get(t, w) for w, t in zip(words, norm.tokens, strict=True)
            if t not in stop and not canonical_period(t)]
    return " ".join(kept or words)


_SMALL = frozenset({"of", "and", "for", "the", "&", "in", "on", "to"})
_BOUND_NUMBER = re.compile(r"(?:[2-9]|\d\d+)")  # 1 ("1 GB") bounds nothing; 2 to 999...
# the words that make a number a bound on who or what is counted (see Matcher._other_bound)
_BOUNDS = ("under", "over", "above", "below", "than", "aged", "age", "older", "younger",
           "inch", "inches", "upto", "kam", "zyada", "ziada", "kam", "کم", "زیادہ", "plus")
# "private or government-backed?", "women compared to men": both sides named, to be compared
_EITHER = ("or", "ya", "یا", "versus", "vs", "compared", "comparison", "muqablay", "مقابلے")
_DEFINED = re.compile(
    r"((?:[A-Z][\w'-]*|&)(?:[ ]+(?:[A-Z][\w'-]*|of|and|for|the|&|in|on|to))+)[ ]*\([ ]*"
    r"([A-Z][A-Za-z]{1,9})[ ]*\)"  # "Sindh Board of Technical Education (SBTE)"
    r"|\b([A-Z][A-Z]{1,9}s?)[ ]*\([ ]*((?:[A-Z][\w'-]*)(?:[ ]+(?:[A-Z][\w'-]*|of|and|for|"
    r"the|&|in|on|to))+)[ ]*\)")  # "SBTE (Sindh Board of Technical Education)"


def defined_acronyms(texts: Iterable[str]) -> list[tuple[str, str]]:
    """The acronyms an entry's own texts define, with their names: "National Cyber Lab (NCL)"
    or "NCL (National Cyber Lab)", when the acronym's letters are the name's initials (of
    every word, or of its capitalised words; the name's first words may be left out)."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            name, short = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            letters = short.casefold()
            if short.endswith("s") and not short.isupper():
                letters = letters[:-1]  # "NICs": the plural of NIC
            words = name.split()
            for start in range(len(words)):  # "The Sindh Board ...": the name starts later
                part = words[start:]
                every = "".join(w[0] for w in part).casefold()
                capital = "".join(w[0] for w in part if w.casefold() not in _SMALL).casefold()
                if letters in (every, capital) and part[0].casefold() not in _SMALL:
                    found.setdefault(letters, " ".join(part))
                    break
    return sorted((name, short) for short, name in found.items())


def figure_end(period: str) -> str:
    """When a figure's period ends, as a key that sorts by time: FY26 ends in June 2026 and
    September 2026 after it (FY26's calendar years, 2025 and 2026, are only what it spans)."""
    aliases = period_aliases(period)
    specific = [a for a in aliases if a.startswith(("fy", "m", "q", "h"))]
    return max((period_key(a) for a in (specific or aliases)), default="")


def _figure_aliases(figure: Figure) -> set[str]:
    """Every way to name a figure's period, and the month its label names when that is one
    month: FY25 labelled "June 2025" (a count at the year's end) answers "by June 2025"."""
    aliases = period_aliases(figure.period)
    label = period_aliases(figure.period_label)
    months = [p for p in label if p[0] == "m"]
    if len(months) == 1 and label - aliases <= {months[0]}:
        aliases.add(months[0])
    return aliases


def index_row(entry: Entry, normalizer: Normalizer, phrases: frozenset[str], key: str,
              revision: int) -> IndexRow:
    """What the matcher keeps of one entry, to store (the costly part: every text of the
    entry normalised once)."""
    normals = [normalizer(q) for q in entry.questions]
    strong: dict[str, None] = {}
    for n in normals:
        strong.update(dict.fromkeys(n.content))
    for extra_text in (*entry.keywords, entry.topic):
        strong.update(dict.fromkeys(normalizer(extra_text).content))
    # an acronym the entry defines finds it by either form: the name in its question and
    # the acronym only in its answer ("What does SBTE do?"), or the other way round
    expanded: list[str] = []
    for name, short in defined_acronyms([*entry.questions, *entry.keywords, entry.answer]):
        forms = (normalizer(name).content, normalizer(short).content)
        if any(forms) and any(f and all(t in strong for t in f) for f in forms):
            for form in forms:
                strong.update(dict.fromkeys(form))
            expanded.append(f"{name} {short}")
    fig_periods = sorted({p for f in entry.figures for p in _figure_aliases(f)})
    answer = normalizer(entry.answer)
    weak = [t for t in answer.content if t not in strong]
    folded = list(dict.fromkeys(" ".join(n.tokens) for n in normals))
    described = " ".join((entry.topic, *entry.keywords, *expanded))
    seen = dict(zip(entry.questions, normals, strict=True))  # each text normalised once
    seen[entry.answer] = answer
    meaning = [meaning_text(normalizer, seen.get(t) or t)
               for t in dict.fromkeys([*entry.questions, described, entry.answer])]
    doc = {
        "c": entry.question,
        "t": list(dict.fromkeys(n.text for n in normals)),
        "q": [sorted(q) for q in dict.fromkeys(frozenset(n.content) for n in normals
                                                if n.content)],
        "f": folded,
        "k": sorted({k for f in entry.figures for k in figure_kinds(f)}
                    | text_kinds(entry.answer)),
        "m": sorted({f.metric for f in entry.figures}),
        "l": max((figure_end(f.period) for f in entry.figures if f.period), default=""),
        "x": meaning,
    }
    joined = "\n".join(folded)
    used = sorted(p for p in phrases if p in joined)
    return IndexRow(entry.id, key, revision, " ".join(strong), " ".join(weak),
                    " ".join(fig_periods), "|".join(used),
                    json.dumps(doc, ensure_ascii=False, separators=(",", ":")))


ROW_CODE: tuple[Callable[..., Any], ...] = (index_row, meaning_text, figure_kinds, text_kinds,
                                            figure_kind, defined_acronyms, figure_end)


_LATIN_PAIRS = (("sh", "x"), ("ch", "c"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("qu", "k"),
                ("x", "ks"))
_LATIN_DROP = str.maketrans("", "", "aeiouhwvy")


def _shared_start(a: str, b: str) -> int:
    """How many letters two words share from their start ("spend", "spent": 4)."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _skeleton(word: str, sounds: dict[str, str] | None = None) -> str:
    """``word``'s consonants in order, repeats run together ("smart": smrt); with ``sounds``,
    each letter read through it (Urdu script), else as English is spelt."""
    if sounds is None:
        word = re.sub(r"c(?=[eiy])", "s", word)  # "centre", "cyber"
        for pair, sound in _LATIN_PAIRS:
            word = word.replace(pair, sound)
        letters = word.replace("c", "k").replace("z", "s").translate(_LATIN_DROP)
    else:
        letters = "".join(sounds.get(char, "") for char in word)
    out: list[str] = []
    for char in letters:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def _within_year(doc: _Doc) -> bool:
    """The entry's figures are for a month, a quarter or a half, not a whole year."""
    return any(p[0] in "mqh" for p in doc.figure_periods)


def _series_key(strong: Sequence[str], periods: str) -> int:
    """What the entries of one series share: the words of their questions without their
    periods ("How many telecom towers were there in FY24?" and "... in FY25?")."""
    own = set(periods.split())
    return hash(" ".join(sorted({t for t in strong if t not in own
                                 and canonical_period(t) is None})))


def _doc_from_row(row: IndexRow, extra: frozenset[str], idf: dict[str, float]) -> _Doc:
    """The scoring data of one entry from its stored row; each question's total weight
    under today's idf."""
    data = json.loads(row.doc)
    fig_periods = frozenset(row.periods.split())
    strong = frozenset(row.strong.split()) | (fig_periods - extra)  # a figure's period finds it
    qsets = tuple(frozenset(q) for q in data["q"])
    weight = idf.get
    weak = frozenset(row.weak.split()) - strong
    return _Doc(row.entry_id, data["c"], tuple(data["t"]), qsets, strong,
                weak, fig_periods | extra, tuple(data["f"]),
                tuple(sum(weight(t, UNKNOWN_WEIGHT) for t in q) for q in qsets),
                kinds=frozenset(data["k"]), metrics=frozenset(data["m"]),
                figure_periods=fig_periods, latest=data["l"], meaning=tuple(data["x"]),
                whole_weight=sum(weight(t, UNKNOWN_WEIGHT) for t in strong)
                + WEAK_FACTOR * sum(weight(t, UNKNOWN_WEIGHT) for t in weak))


DocLoader = Callable[[Sequence[str]], dict[str, IndexRow]]
VectorLoader = Callable[[Sequence[str]], dict[str, bytes]]  # stored embeddings by entry id


class _Docs:
    """Each entry's scoring data by index, read on first need and kept for the most recent
    ``DOC_CACHE`` entries: a start reads only the words that find an entry, not the rest."""

    def __init__(self, matcher: Matcher, load: DocLoader) -> None:
        self._matcher, self._load = matcher, load
        self._cache: OrderedDict[int, _Doc] = OrderedDict()

    def __len__(self) -> int:
        return len(self._matcher.slots)

    def __getitem__(self, index: int) -> _Doc:
        doc = self._cache.get(index)
        if doc is None:
            self.prefetch((index,))
            doc = self._cache[index]
        else:
            self._cache.move_to_end(index)
        return doc

    def __iter__(self) -> Iterator[_Doc]:
        live = [i for i, e in enumerate(self._matcher.slots) if e is not None]
        for start in range(0, len(live), DOC_CACHE // 2):
            part = live[start : start + DOC_CACHE // 2]
            self.prefetch(part)
            yield from (self[i] for i in part)

    def prefetch(self, indices: Iterable[int]) -> None:
        """Read the entries not in memory yet, in one query."""
        slots = self._matcher.slots
        missing: dict[str, int] = {}
        for i in indices:
            entry_id = slots[i]
            if entry_id is not None and i not in self._cache:
                missing[entry_id] = i
        if not missing:
            return
        rows = self._load(list(missing))
        for entry_id, index in missing.items():
            row = rows.get(entry_id)
            if row is None:
                raise LookupError(f"the index has no row for entry {entry_id}")
            self._cache[index] = _doc_from_row(row, self._matcher.extra, self._matcher.idf)
        while len(self._cache) > DOC_CACHE:
            self._cache.popitem(last=False)

    def forget(self) -> None:
        self._cache.clear()


class _Idf(dict[str, float]):
    """Each word's weight, worked out on first need. Words of questions, keywords and
    topics weigh by rarity, counting the entries of one series once: the FY24, FY25 and FY26
    entries of the tower count differ only in their periods, and "towers" is no commoner for
    being split in three. Words found only in answers are ordinary English and weigh little."""

    def __init__(self, matcher: Matcher) -> None:
        super().__init__()
        self._matcher = matcher
        self._total = max(len(matcher.ids), 1)

    def __missing__(self, token: str) -> float:
        matcher = self._matcher
        if token not in matcher.postings:
            raise KeyError(token)
        count = matcher._topical.get(token)
        if count is None:
            weight = ANSWER_ONLY_WEIGHT
        else:
            if count <= SERIES_CAP:  # the entries with it in their questions come first
                groups = matcher._series
                count = len({groups[i] for i in matcher.postings[token][:count]})
            weight = math.log(1 + self._total / count)
        self[token] = weight
        return weight

    def get(self, token: str, default: float | None = None) -> float | None:  # type: ignore[override]
        try:
            return self[token]
        except KeyError:
            return default


class _Common(dict[str, frozenset[int]]):
    """Entries holding a common word, as a set, made on first need."""

    def __init__(self, postings: dict[str, array[int]]) -> None:
        super().__init__()
        self._postings = postings

    def __missing__(self, token: str) -> frozenset[int]:
        found = frozenset(self._postings[token])
        self[token] = found
        return found


class Matcher:
    """An index over the entries; ``match`` decides for one question.

    Built from the entries themselves (``Matcher(entries, normalizer)``: every text is
    normalised now), or from an index stored beside them (:meth:`from_index`: only the words
    that find each entry are read at start, the rest on first need). :meth:`update` applies
    one entry's change in place, so an edit does not rebuild the whole index.
    """

    def __init__(self, entries: Iterable[Entry], normalizer: Normalizer,
                 extra_periods: Iterable[str] = (), embedder: Embedder | None = None):
        key, phrases = fingerprint(normalizer), scope_phrases(normalizer)
        rows = {e.id: index_row(e, normalizer, phrases, key, 0) for e in entries
                if e.status == "active"}
        self._setup(normalizer, extra_periods, embedder,
                    (Slot(r.entry_id, r.strong, r.weak, r.periods, r.phrases)
                     for r in rows.values()),
                    lambda ids: {})
        self._overlay.update(rows)  # its rows live in memory, not in a database

    @classmethod
    def from_index(cls, slots: Iterable[Slot], load: DocLoader, normalizer: Normalizer,
                   extra_periods: Iterable[str] = (), embedder: Embedder | None = None,
                   vectors: VectorLoader | None = None) -> Matcher:
        """A matcher over stored rows: ``slots`` in knowledge-base order, ``load`` reading
        full rows by entry id, ``vectors`` keeping the meaning signal's embeddings."""
        self = cls.__new__(cls)
        self._setup(normalizer, extra_periods, embedder, slots, load, vectors)
        return self

    def _setup(self, normalizer: Normalizer, extra_periods: Iterable[str],
               embedder: Embedder | None, slots: Iterable[Slot], load: DocLoader,
               vectors: VectorLoader | None = None) -> None:
        self.normalize = normalizer
        self.embedder = embedder
        self.extra = frozenset(extra_periods)
        self.slots: list[str | None] = []  # entry id by index (None: removed since the start)
        self._series: list[int] = []  # by index: entries of one series share it (see _Idf)
        self.ids: dict[str, int] = {}
        self.postings: dict[str, array[int]] = {}
        self._topical: dict[str, int] = {}  # word -> entries with it in questions or keywords
        self._phrases: dict[str, int] = {}  # out-of-scope phrase -> entries whose questions use it
        self._add_all(slots)
        # rows of entries changed since the start, read from here first: their stored
        # copy may not be written yet (a locked database), and must not be read stale
        self._overlay: dict[str, IndexRow] = {}
        self._load = load

        def read(ids: Sequence[str]) -> dict[str, IndexRow]:
            found = {i: self._overlay[i] for i in ids if i in self._overlay}
            rest = [i for i in ids if i not in found]
            return {**self._load(rest), **found} if rest else found

        self._read = read
        self.docs = _Docs(self, read)
        self._vector_store = vectors
        self._changed()
        # out-of-scope terms go through the same normalisation as questions
        self.scope = {tokens: group for term, group in normalizer.lexicon.out_of_scope.items()
                      if (tokens := normalizer(term).tokens)}
        self.quantity = {tokens: group for term, group in normalizer.lexicon.quantity.items()
                         if (tokens := normalizer(term).tokens)}
        self.quantity_longest = max((len(t) for t in self.quantity), default=1)
        self.asking_words = frozenset(t for gram in self.quantity for t in gram)
        self.generic = frozenset(t for term in normalizer.lexicon.generic
                                 for t in normalizer(term).tokens)
        self.smalltalk = {tokens: group for term, group in normalizer.lexicon.smalltalk.items()
                          if (tokens := normalizer(term).tokens)}
        self.smalltalk_longest = max((len(t) for t in self.smalltalk), default=1)
        self.synonym_longest = normalizer.lexicon.longest  # the longest phrase it maps
        # names the glossary reads with an acronym ("federal board of revenue" -> ... fbr):
        # their content words and the acronym, to read a name written in part (_named)
        stop = normalizer.lexicon.stopwords
        self.named: list[tuple[tuple[str, ...], str]] = []
        self.name_pairs: set[tuple[str, str]] = set()  # neighbours within such a name
        for key, target in normalizer.lexicon.synonyms.items():
            extra = [t for t in target if t not in key]
            if (len(key) >= 3 and len(extra) == 1 and tuple(t for t in target if t in key) == key
                    and all(w.isascii() for w in key)):
                name = tuple(stem(w) for w in key if w not in stop)
                self.named.append((name, extra[0]))
                self.name_pairs.update(pairwise(name))
        self.superlatives = frozenset(tokens for term in normalizer.lexicon.superlatives
                                      if (tokens := normalizer(term).tokens))
        self.superlatives_longest = max((len(t) for t in self.superlatives), default=1)
        self.narrowing = frozenset(tokens for term in normalizer.lexicon.narrowing
                                   if (tokens := normalizer(term).tokens))
        # countries: one an entry speaks of narrows a question like a group or place does
        self.countries = frozenset(g for g, group in self.scope.items() if group == "countries")
        # everyday things an admin's entry may name in other words (see _topic_shared)
        self.everyday = frozenset(" ".join(g) for g, group in self.scope.items()
                                  if group == "everyday")
        self.narrowing_longest = max((len(t) for t in (*self.narrowing, *self.countries)),
                                     default=1)
        # units of measure, each as its names' tokens: a figure in another unit is no answer
        self.units: list[frozenset[tuple[str, ...]]] = [
            frozenset(tokens for name in names if (tokens := normalizer(name).tokens))
            for names in normalizer.lexicon.units]
        # a place's tokens -> the tokens of places within it (see _narrower)
        self.within: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {}
        for place, inside in normalizer.lexicon.within:  # two names of a place: one entry
            if tokens := normalizer(place).tokens:
                self.within[tokens] = self.within.get(tokens, frozenset()) | {
                    inner for name in inside if (inner := normalizer(name).tokens)}
        # words that name a side of a divide, for "public or private?" (see _either)
        self.side_words = frozenset(
            t for gram in (*self.narrowing, *self.countries) for t in gram
        ) | {t for term in ("government", "public", "state") for t in normalizer(term).tokens}
        self.either = frozenset(t for word in _EITHER for t in normalizer(word).tokens)
        self.share_verb = frozenset(normalizer("share").tokens)  # "share" after "how many"
        # words after "how" that ask for a measure, not a way ("how much", "how big")
        self.how_measures = frozenset(
            t for word in ("much", "many", "big", "large", "high", "long", "often", "fast",
                           "far", "old", "popular", "common", "widespread", "quickly", "slow",
                           "expensive", "cheap", "good", "bad", "is", "are", "was", "were", "")
            for t in (normalizer(word).tokens or (word,)))
        # the English words the vocabulary reads other words as: never misspellings
        self.english_words = frozenset(
            t for target in normalizer.lexicon.synonyms.values() for w in target
            if w.isascii() and w.isalpha() for t in (stem(w),))
        self.bounds = frozenset(t for word in _BOUNDS for t in normalizer(word).tokens)
        # words that set a thing aside: "apart from sports goods" does not ask about them
        self.excluding = frozenset(t for word in ("apart", "besides", "except", "excluding",
                                                  "alawa", "علاوہ", "siwa", "سوا")
                                   for t in normalizer(word).tokens)
        self.money_nouns = frozenset(t for word in ("money", "paisa", "paise", "paison", "raqam",
                                                    "پیسے", "پیسہ", "رقم")
                                     for t in normalizer(word).tokens)
        self.spending = frozenset(t for word in ("spend", "spends", "spent", "spending",
                                                 "kharch", "خرچ") for t in normalizer(word).tokens)
        self.time_words = frozenset(t for word in ("time", "hours", "hour", "minutes", "days",
                                                   "waqt", "ghante", "وقت", "گھنٹے")
                                    for t in normalizer(word).tokens)
        self.compared = self.either - {t for word in _EITHER[:3] for t in normalizer(word).tokens}
        # the sides of one measure, each side as its terms' tokens (see _contrasted)
        self.contrasts: list[list[frozenset[tuple[str, ...]]]] = [
            [frozenset(tokens for term in side if (tokens := normalizer(term).tokens))
             for side in sides] for sides in normalizer.lexicon.contrasts]
        self.contrast_terms = frozenset(term for sides in self.contrasts for side in sides
                                        for term in side)
        # words the other guards read (countries, sectors, groups): not unknown names
        self.scope_words = frozenset(t for gram in (*self.scope, *self.narrowing) for t in gram)
        # grammar words for the guards, normalised like any question
        def word(text: str) -> str:
            return " ".join(normalizer(text).tokens)

        self.how, self.country = word("how"), word("country")
        # a question asking for a year's figure ("per year", "annually", "saal mein")
        self.yearly = frozenset(word(w) for w in ("year", "annual", "yearly", "annually"))
        self.which = frozenset({word("which"), word("what")})
        self.articles = frozenset({word("a"), word("an")})
        self.aux = frozenset(word(w) for w in AUXILIARIES)
        # in nearly every question ("how many people in Pakistan ..."): they name no topic
        self.unspecific = frozenset({word("pakistan"), word("people")})
        # a question opening with one of these asks yes or no ("Is there an app where farmers
        # check crop rates?"), not for a number, unless it also asks how much or how many
        self.yes_no = frozenset(word(w) for w in (*AUXILIARIES, "is", "are", "was", "were",
                                                  "has", "have"))
        # Roman Urdu "do" after a noun makes it a verb: "tower share kar sakti hain"
        self.doing = frozenset(word(w) for w in ("kar", "karna", "karte", "karti", "karta",
                                                 "karein", "karen", "karo", "karney", "karne"))
        self.verb_cues = frozenset(normalizer(w).tokens for w in VERB_CUES)
        self.comparing = frozenset(word(w) for w in COMPARING)
        self._semantic: _Semantic | None = None
        self._sound_index: dict[str, list[str]] | None = None  # see _sounds
        self._sound_size = 0
        self.unsaved_vectors: dict[str, bytes] = {}  # computed embeddings not yet stored
        self.embedded = 0  # entries whose texts this matcher embedded (not read back)

    def rebind(self, load: DocLoader, vectors: VectorLoader | None) -> None:
        """Read rows and embeddings through these from now on (a matcher built in a thread,
        on that thread's connection, handed to the event loop's)."""
        self._load, self._vector_store = load, vectors

    # -- the index, kept up to date in place -----------------------------------------

    def _words_of(self, slot: Slot) -> tuple[set[str], set[str], list[str]]:
        """An entry's words as the postings hold them: strong (its questions, keywords,
        topic and its figures' periods), weak (its answer only), and its phrases."""
        strong = set(slot.strong.split())
        strong.update(p for p in slot.periods.split() if p not in self.extra)
        weak = set(slot.weak.split()) - strong
        return strong, weak, [p for p in slot.phrases.split("|") if p]

    def _add_all(self, slots: Iterable[Slot]) -> None:
        """Every entry's words into the postings at once (a start: about 14 words an entry,
        so this loop is kept lean)."""
        strong_at: defaultdict[str, list[int]] = defaultdict(list)
        weak_at: defaultdict[str, list[int]] = defaultdict(list)
        extra, ids, entry_ids, phrases = self.extra, self.ids, self.slots, self._phrases
        series = self._series
        for index, (entry_id, strong_text, weak_text, periods_text, phrases_text) in enumerate(
                slots, start=len(entry_ids)):
            entry_ids.append(entry_id)
            ids[entry_id] = index
            strong = strong_text.split()
            weak = weak_text.split()
            series.append(_series_key(strong, periods_text))
            if periods_text:  # a figure's period is a word that finds it
                own = [p for p in periods_text.split() if p not in extra]
                strong += [p for p in own if p not in strong]
                weak = [t for t in weak if t not in own]
            for token in strong:
                strong_at[token].append(index)
            for token in weak:
                weak_at[token].append(index)
            if phrases_text:
                for phrase in phrases_text.split("|"):
                    phrases[phrase] = phrases.get(phrase, 0) + 1
        postings, topical = self.postings, self._topical
        for token, found in strong_at.items():
            postings[token] = array("i", found)
            topical[token] = len(found)
        for token, found in weak_at.items():
            if token in postings:
                postings[token].extend(found)
            else:
                postings[token] = array("i", found)

    def _add(self, slot: Slot, index: int | None = None) -> None:
        """An entry's words into the postings, at ``index`` (an edited entry keeps its
        place) or at a new one after the rest. Each posting stays as a start makes it (the
        entries with the word in their questions, keywords or topic first, then those with
        it in their answers only, each part in index order): ties among candidates break
        the same way after an edit as after a restart."""
        key = _series_key(slot.strong.split(), slot.periods)
        if index is None:
            index = len(self.slots)
            self.slots.append(slot.entry_id)
            self._series.append(key)
        else:
            self.slots[index] = slot.entry_id
            self._series[index] = key
        self.ids[slot.entry_id] = index
        strong, weak, phrases = self._words_of(slot)
        postings, topical = self.postings, self._topical
        for token in strong:
            found = postings.get(token)
            if found is None:
                postings[token] = array("i", (index,))
            else:
                insort(found, index, 0, topical.get(token, 0))
            topical[token] = topical.get(token, 0) + 1
        for token in weak:
            found = postings.get(token)
            if found is None:
                postings[token] = array("i", (index,))
            else:
                insort(found, index, topical.get(token, 0))
        for phrase in phrases:
            self._phrases[phrase] = self._phrases.get(phrase, 0) + 1

    def _remove(self, entry_id: str, old: IndexRow | None) -> None:
        """Take an entry out, by the row it was added with (None: not known, so every
        posting is searched for it)."""
        index = self.ids.pop(entry_id, None)
        if index is None:
            return
        self.slots[index] = None
        if old is not None:
            strong, weak, phrases = self._words_of(
                Slot(old.entry_id, old.strong, old.weak, old.periods, old.phrases))
        else:
            strong = {t for t, p in self.postings.items() if index in p and t in self._topical}
            weak = {t for t, p in self.postings.items() if index in p} - strong
            phrases = []
        for token in strong | weak:
            found = self.postings[token]
            if index in found:
                found.remove(index)
            if not found:
                del self.postings[token]
        for token in strong:
            self._topical[token] -= 1
            if not self._topical[token]:
                del self._topical[token]
        for phrase in phrases:
            self._phrases[phrase] -= 1
            if not self._phrases[phrase]:
                del self._phrases[phrase]
        if self._semantic is not None:
            self._semantic.remove(index)

    def saved(self, entry_ids: Iterable[str]) -> None:
        """These entries' rows are in the database now: read them from there again (the
        overlay keeps only the rows that could not be written, so edits do not add up in
        memory)."""
        for entry_id in entry_ids:
            self._overlay.pop(entry_id, None)

    def rows_of(self, entry_ids: Sequence[str]) -> dict[str, IndexRow]:
        """The rows these entries were indexed from (before a change is written over them)."""
        return self._read([i for i in entry_ids if i in self.ids])

    def update(self, changes: dict[str, IndexRow | None],
               old: dict[str, IndexRow] | None = None) -> None:
        """Apply changed entries in place: each one's new row, or None when it is gone;
        ``old`` holds the rows they were indexed from (:meth:`rows_of`, read before)."""
        old = old if old is not None else self.rows_of(list(changes))
        for entry_id, row in changes.items():
            index = self.ids.get(entry_id)  # an edited entry keeps its place
            self._remove(entry_id, old.get(entry_id))
            if row is None:
                self._overlay.pop(entry_id, None)
                continue
            self._overlay[entry_id] = row
            self._add(Slot(row.entry_id, row.strong, row.weak, row.periods, row.phrases), index)
            if self._semantic is not None:
                assert self.embedder is not None
                meaning = json.loads(row.doc)["x"]
                self.unsaved_vectors[entry_id] = self._semantic.put(
                    self.embedder, self.ids[entry_id], meaning)
        self._changed()

    def _changed(self) -> None:
        """Forget what was derived from the words of every entry (weights, spellings)."""
        topical = self._topical
        self.idf = _Idf(self)
        self.topical = topical
        self.common = _Common(self.postings)
        self._vocab: dict[str, list[str]] | None = None
        self._typo_cache: dict[str, str | None] = {}
        self._groups_seen: dict[tuple[str, ...], frozenset[str]] = {}
        self.docs.forget()
        self._generation = getattr(self, "_generation", 0) + 1

    @property
    def vocab(self) -> dict[str, list[str]]:
        """The knowledge base's words by first letter, for spelling fixes. Spelling fixes
        keep the first letter (people rarely mistype it): "report" is not a misspelt
        "export", nor "account" a misspelt "count"."""
        if self._vocab is None:
            vocab: dict[str, list[str]] = {}
            for t in sorted(self.postings):
                if len(t) >= 4 and not t[0].isdigit():
                    vocab.setdefault(t[0], []).append(t)
            self._vocab = vocab
        return self._vocab

    def __len__(self) -> int:
        return len(self.ids)

    def semantic_ready(self) -> bool:
        """Whether the meaning signal can be used (its model is installed)."""
        return self.embedder is not None and 0 < len(self.ids) <= SEMANTIC_MAX_ENTRIES

    def semantic_index(self) -> _Semantic:
        """Every entry's texts embedded, built on first use: a question the words answer
        alone never pays for it, and the bot builds it in the background at start."""
        if self._semantic is None:
            self.semantic_builder()()
        assert self._semantic is not None
        return self._semantic

    def semantic_builder(self) -> Callable[[], None]:
        """Read what the meaning signal's index needs (each entry's texts and the stored
        embeddings) now; the call returned only computes (it touches no database, so it may
        run in a thread) and puts the index in place unless the entries changed meanwhile.
        Embeddings it had to compute wait in :attr:`unsaved_vectors` to be stored."""
        assert self.embedder is not None
        embedder, generation = self.embedder, self._generation
        live = [(i, e) for i, e in enumerate(self.slots) if e is not None]
        meanings: dict[int, tuple[str, ...]] = {}
        for start in range(0, len(live), DOC_CACHE // 2):
            part = live[start : start + DOC_CACHE // 2]
            self.docs.prefetch(i for i, _ in part)
            meanings.update((i, self.docs[i].meaning) for i, _ in part)
        stored = (self._vector_store([e for _, e in live])
                  if self._vector_store is not None else {})
        size = len(self.slots)

        def build() -> None:
            semantic, fresh = _Semantic.build(embedder, size, live, meanings, stored)
            if generation == self._generation:
                self._semantic = semantic
                self.unsaved_vectors.update(fresh)
                self.embedded += len(fresh)

        return build

    def _meaning(self, text: str | Normalized, fixes: dict[str, str] | None = None) -> str:
        """What the embedding reads of a text (see :func:`meaning_text`)."""
        return meaning_text(self.normalize, text, fixes)

    def _sounds(self) -> dict[str, list[str]]:
        """The knowledge base's English words by the sound of their consonants: built on the
        first Urdu loanword, and again only when the vocabulary has grown or shrunk by a
        twentieth (an edit's few words may wait; a word gone is checked at use)."""
        size = len(self.postings)
        if self._sound_index is None or abs(size - self._sound_size) * 20 > self._sound_size:
            self._sound_size = size
            index: dict[str, list[str]] = {}
            for t in self.postings:
                if t.isascii() and t.isalpha() and len(t) >= 4:
                    key = _skeleton(t)
                    if len(key) >= SOUND_MIN:
                        index.setdefault(key, []).append(t)
            self._sound_index = index
        return self._sound_index

    def _loanword(self, token: str) -> str | None:
        """The knowledge base's word an Urdu-script loanword sounds like, when just one does
        (a plural's or a stem's last consonant aside: "ڈومینز" is "domain")."""
        key = _skeleton(token, _URDU_SOUND)
        if len(key) < SOUND_MIN:
            return None
        sounds = self._sounds()
        found = {t for t in sounds.get(key, ()) if t in self.postings}
        if not found and len(key) > SOUND_MIN:
            found = {t for t in sounds.get(key[:-1], ()) if t in self.postings}
        return found.pop() if len(found) == 1 else None

    def _correct(self, token: str) -> str | None:
        if token in self._typo_cache:
            return self._typo_cache[token]
        found = None
        if _URDU_SCRIPT.match(token):
            found = self._loanword(token)
        elif len(token) >= 4 and not token[0].isdigit():
            best = process.extractOne(token, self.vocab.get(token[0], ()), scorer=fuzz.ratio,
                                      score_cutoff=TYPO_CUTOFF)
            found = best[0] if best else None
            if found is not None and token in self.english_words and not (
                    _shared_start(token, found) >= min(len(token), len(found)) - 1):
                found = None  # a word the vocabulary knows, "speed", is no misspelt "seed"
                # (though "spend" is read as the knowledge base's "spent")
        if len(self._typo_cache) > 50_000:
            self._typo_cache.clear()
        self._typo_cache[token] = found
        return found

    def _without_smalltalk(self, norm: Normalized) -> tuple[str | None, Normalized]:
        """Greetings and thanks taken out ("Salam! IT exports kitni hain?" asks about
        exports), with the kind of the first one found (None: there were none)."""
        tokens, kept, found = norm.tokens, [], None
        words = norm.words if len(norm.words) == len(tokens) else tokens
        kept_words: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.smalltalk_longest, len(tokens) - i), 0, -1):
                group = self.smalltalk.get(tuple(tokens[i : i + n]))
                if group is not None:
                    found = found or group
                    i += n
                    break
            else:
                kept.append(tokens[i])
                kept_words.append(words[i])
                i += 1
        if found is None:
            return None, norm
        left = set(kept)
        return found, Normalized(tuple(kept), tuple(t for t in norm.content if t in left),
                                 norm.periods, tuple(kept_words))

    def _known(self, gram: Sequence[str]) -> bool:
        """True when the knowledge base is about ``gram``: a word of some entry's questions,
        keywords or topic (an answer's passing mention is not enough), or a phrase one of its
        questions uses as it stands ("income tax"
        in an admin's tax entry; not "textile exports" because an answer says "textiles")."""
        if len(gram) == 1:
            return gram[0] in self.topical  # a word of some entry's questions or keywords
        if any(t not in self.topical for t in gram):
            return False
        return " ".join(gram) in self._phrases  # noted when each entry was indexed

    def _out_of_scope(self, content: Sequence[str]) -> list[str]:
        """The terms that put the question outside the knowledge base's field (another
        country, another sector) that no entry covers, longest first: each is checked, so
        one an entry's answer speaks of ("per month") hides no other ("Indian")."""
        found: list[str] = []
        for n in (3, 2, 1):
            for i in range(len(content) - n + 1):
                gram = tuple(content[i : i + n])
                if (gram in self.scope and not self._known(gram)
                        and not self.excluding & set(content[max(i - 3, 0) : i])):
                    found.append(" ".join(gram))
        return found

    def _content_of(self, phrase: str) -> list[str]:
        """A matched phrase's words an entry can hold ("how much salary": "salary"; its
        grammar words are never indexed)."""
        stop = self.normalize.lexicon.stopwords
        words = phrase.split()
        kept = [t for t in words if t not in stop and t not in (self.how,)] or words
        # the words of asking are no part of what it names ("hourly rate": "hourly")
        kept = [t for t in kept if t not in self.asking_words] or kept
        # misspelt ("saudia"): the knowledge base's word it stands for
        return [t if t in self.postings else (self._correct(t) or t) for t in kept]

    def _spelled_names(self, question: str) -> set[str]:
        """The words of names in ``question`` that the vocabulary reads with an acronym the
        knowledge base knows ("Federal Investigation Agency" with FIA), or glosses with words
        it knows ("Careem": ride hailing): not unknown names."""
        words = split_words(fold(question))
        synonyms = self.normalize.lexicon.synonyms
        found: set[str] = set()
        for _, at in self._names_in([stem(w) for w in words]):  # a name written in part
            found.update(words[i] for i in at)
        for n in range(min(self.synonym_longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                target = synonyms.get(tuple(words[i : i + n]))
                if n == 1 and target and words[i] not in target:
                    continue  # one word is explained only by a gloss ("careem": ride hailing)
                if target and any(self.normalize(t).content[:1] and
                                  self.normalize(t).content[0] in self.postings
                                  for t in target if t not in words[i : i + n]):
                    found.update(words[i : i + n])
        return found

    def _unknown_name(self, question: str) -> str | None:
        """A name or acronym in the question ("PSEB", "NetSol", "PTCL") that no entry knows:
        the question is about something else, however well its other words fit."""
        explained = self._spelled_names(question)
        abbreviations = self.normalize.lexicon.abbreviations
        for sentence in _SENTENCE.split(question):
            words: list[str] = _WORD.findall(sentence)
            for i, word in enumerate(words):
                if not ((word.isupper() and len(word) >= 2) or (i and word[:1].isupper())):
                    continue
                if (all(part.casefold() in MONTHS for part in word.split("-") if part)
                        or _QUARTER.fullmatch(word)):  # "April-June" too
                    continue  # "the year ending June 2025", "Q3 2025" name a period, not a thing
                if word.casefold() in explained or word.casefold() in abbreviations:
                    continue  # a part of a name the vocabulary gives the known acronym of,
                    # or an everyday abbreviation ("CEO", "ID cards"), which names nothing
                if (not self._known_name(word, explained)
                        and not self._inside_known(words, i, explained)):
                    return word
        return None

    def _known_name(self, word: str, explained: set[str]) -> bool:
        """True when the knowledge base knows ``word``'s tokens: every one for a name, any for
        an abbreviation the vocabulary spells out ("VC": venture capital); "Netflix-style"
        is known when "Netflix" is (its lowercase tail only says what kind)."""
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1 and all(p[:1].islower() for p in parts[1:]):
            word = parts[0]
        if word.casefold() in explained:
            return True
        tokens = self.normalize(word).content
        known = [t in self.postings or t in self.scope_words or self._fixable(t)
                 for t in tokens]
        return not tokens or (any(known) if len(tokens) > 1 and len(word) <= 4
                              else all(known))

    def _inside_known(self, words: Sequence[str], i: int, explained: set[str]) -> bool:
        """True when the capitalised ``words[i]`` sits inside a longer name whose words on
        both sides are known ("Azad Jammu and Kashmir" when entries speak of Azad Kashmir):
        a part of a known place's full name, not a name of something else."""
        def known_at(at: int) -> bool:
            return (0 <= at < len(words) and words[at][:1].isupper()
                    and self._known_name(words[at], explained))
        before = i - 1
        after = i + 1
        if after < len(words) and words[after].casefold() in _SMALL:
            after += 1
        return before >= 1 and known_at(before) and known_at(after)

    def _fixable(self, token: str) -> bool:
        """True when a name's word is a misspelling of a knowledge-base word ("Pakistn"), not
        a name that only looks like a word of asking ("Toptal": "total")."""
        fixed = self._correct(token)
        return fixed is not None and fixed not in self.asking_words

    def _candidate(self, index: int, score: float) -> Candidate:
        doc = self.docs[index]
        return Candidate(doc.entry_id, round(score, 4), doc.canonical)

    @staticmethod
    def _closest_by_far(meaning: Similarities, index: int, eligible: Iterable[int],
                        behind: float = AGREE_BEHIND) -> bool:
        """The entry is the closest in meaning of the eligible ones (those for the period
        asked), close enough, and clearly closer than the next one."""
        best = sorted(eligible, key=meaning.of, reverse=True)[:2]
        if not best or best[0] != index or meaning.of(index) < AGREE_COS:
            return False
        overall = meaning.top(1)
        if overall and meaning.of(overall[0]) - meaning.of(index) > behind:
            return False  # an entry for another period is far closer: this one only fits the year
        return len(best) < 2 or meaning.of(index) - meaning.of(best[1]) >= AGREE_COS_MARGIN

    def _ranked(self, scored: list[Candidate], norm: Normalized) -> list[Candidate]:
        """Best first; with no period asked, the latest figure of a metric first."""
        if not norm.periods:
            return self._latest_first(sorted(scored, key=lambda c: c.score, reverse=True),
                                      bool(self.yearly & set(norm.tokens)))
        asked = set(norm.periods)

        def key(c: Candidate) -> float:  # "IT exports 2025": the entry with the 2025 figure
            exact = asked <= self.docs[self.ids[c.entry_id]].figure_periods
            return c.score + (PERIOD_BONUS if exact else 0.0)

        return sorted(scored, key=key, reverse=True)

    def _offer_by_meaning(self, norm: Normalized) -> tuple[Candidate, ...]:
        """The entry closest in meaning, when it is close enough to be worth offering."""
        if not self.semantic_ready():
            return ()
        meaning = self.semantic_index().similarities(self._meaning(norm))
        best = meaning.top(1)
        if not best or meaning.of(best[0]) < OFFER_COS:
            return ()
        doc = self.docs[best[0]]
        return (Candidate(doc.entry_id, 0.0, doc.canonical),)

    def _latest_first(self, scored: list[Candidate],
                      yearly: bool = False) -> list[Candidate]:
        """With no period asked, the latest of several figures of one metric (FY25, not FY22)
        comes first, when the entries are otherwise as close as their periods' words; of a
        question asking for a year's figure ("in a year", "har saal"), the latest yearly one
        (FY26, not October 2026)."""
        top = self.docs[self.ids[scored[0].entry_id]]
        if not top.metrics:
            return scored
        series = [c for c in scored if scored[0].score - c.score <= PERIOD_TIE
                  and self.docs[self.ids[c.entry_id]].metrics & top.metrics]
        if yearly:
            years = [c for c in series if not _within_year(self.docs[self.ids[c.entry_id]])]
            series = years or series
        newest = max(series, key=lambda c: self.docs[self.ids[c.entry_id]].latest, default=None)
        if newest is None or newest.entry_id == scored[0].entry_id:
            return scored
        first = replace(newest, score=scored[0].score)
        return [first, *(c for c in scored if c.entry_id != newest.entry_id)]

    def _narrower(self, tokens: Sequence[str], doc: _Doc) -> str | None:
        """A group, place or country the question singles out ("women", "Lahore", "the UK")
        that ``doc`` does not mention: its figure is for the whole, or for somewhere else."""
        words = doc.strong | doc.weak
        for n in range(min(self.narrowing_longest, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                gram = tuple(tokens[i : i + n])
                # a name of several words is mentioned by any of them ("fixed-line" by
                # "fixed broadband", Khyber Pakhtunkhwa by "Khyber")
                if ((gram in self.narrowing or gram in self.countries)
                        and not set(gram) & words
                        and not (gram in self.countries  # a misspelt country: "saudia"
                                 and set(self._content_of(" ".join(gram))) & words)
                        and not self._either(tokens, i, n)
                        and not self._inner_place(tokens, gram, words)):
                    # ("private ventures or government-backed?" asks which, not how many)
                    return " ".join(gram)
        return None

    def _inner_place(self, tokens: Sequence[str], place: tuple[str, ...],
                     words: frozenset[str] | set[str]) -> bool:
        """True when the question names a place within ``place`` that the entry names too:
        "fibre connections in Hyderabad, Sindh" is about Hyderabad, which the entry is."""
        asked = {tuple(tokens[i : i + n]) for n in (1, 2, 3) for i in range(len(tokens) - n + 1)}
        return any(inner in asked and set(inner) <= words
                   for inner in self.within.get(place, ()))

    def _other_unit(self, tokens: Sequence[str], doc: _Doc) -> str | None:
        """A unit of measure the question names ("in megawatts", "per square foot") that
        ``doc`` never uses: its figures are of something else."""
        words = doc.strong | doc.weak
        grams = {tuple(tokens[i : i + n]) for n in (1, 2, 3) for i in range(len(tokens) - n + 1)}
        for names in self.units:
            asked = names & grams
            if asked and not any(set(name) <= words for name in names):
                return " ".join(min(asked))
        return None

    def _either(self, tokens: Sequence[str], i: int, n: int) -> bool:
        """True when the term at ``tokens[i : i + n]`` is one side of an "or" whose other side
        is a side too ("public or private?", "private ventures or government-backed?"): the
        question asks which, so the term narrows nothing. "A female founder or CEO" names
        one group. "Women compared to men" compares two sides however far apart."""
        for at in range(max(i - 4, 0), min(i + n + 2, len(tokens))):
            if tokens[at] in self.either:
                stop = self.normalize.lexicon.stopwords  # "or are they all imported?"
                other = ([t for t in tokens[at + 1 :] if t not in stop][:2] if at >= i + n
                         else [t for t in tokens[:at] if t not in stop][-2:])
                if tokens[at] in self.compared:
                    other = [*tokens[:i], *tokens[i + n:]]
                if any(t in self.side_words for t in other):
                    return True
        return False

    def _contrasted(self, tokens: Sequence[str], doc: _Doc) -> str | None:
        """A side of a measure the question asks for ("patents granted") when ``doc`` gives
        only another side of it ("patent applications filed"): a related figure, not the one
        asked for."""
        words = doc.strong | doc.weak
        # a term beside "or" asks which side ("public or private?"): it contrasts nothing
        grams = {gram for n in (1, 2, 3) for i in range(len(tokens) - n + 1)
                 if (gram := tuple(tokens[i : i + n])) in self.contrast_terms
                 and not self._either(tokens, i, n)}
        if not grams:
            return None  # most questions name no side of any measure
        # a term inside a longer one asked names nothing of its own: "Opera Mini" is not
        # also "Opera", "cybersecurity analysts" not also "cybersecurity"
        grams = {g for g in grams if not any(
            len(o) > len(g) and any(o[i : i + len(g)] == g for i in range(len(o) - len(g) + 1))
            for o in grams)}

        def holds(side: frozenset[tuple[str, ...]], among: frozenset[str] = words) -> bool:
            return any(set(term) <= among for term in side)

        for sides in self.contrasts:
            for side in sides:
                asked = side & grams
                if not asked:
                    continue
                others = [o for o in sides if o is not side]
                if holds(side):
                    # a side only the answer mentions, beside another its questions are
                    # about ("Firefox's share ..., far behind Chrome"): asked for Chrome,
                    # the entry still gives Firefox's figure
                    if holds(side, doc.strong) or not any(holds(o, doc.strong) for o in others) \
                            or any(o & grams for o in others):
                        continue
                    return " ".join(min(asked))
                if any(holds(o) for o in others) and not any(o & grams for o in others):
                    # (a question naming both sides, "borrowed instead of raising equity",
                    # is answered by the side the entry gives)
                    return " ".join(min(asked))
        return None

    def _asks(self, tokens: Sequence[str]) -> tuple[str, frozenset[str] | None] | None:
        """What kind of number the question asks for (a quantity group of the lexicon) and
        the kinds of figure that answer it (None: any figure); None when it asks for none."""
        groups = self._groups(tokens)
        if not groups & {"number", "amount", "percent", "average", "rate"}:
            return None  # money words alone ("how do freelancers earn dollars") ask no number
        if tokens and tokens[0] in self.yes_no and not any(
                a == self.how and b in ("much", "many") for a, b in pairwise(tokens)):
            return None  # "Is there an app where farmers can check crop rates?": yes or no
        for group, kinds in FITTING:
            if group in groups:
                return group, kinds
        return None

    def _groups(self, tokens: Sequence[str]) -> frozenset[str]:
        """The lexicon's quantity groups the question's words ask by ("how many": number,
        "earn": money), read in context (see :meth:`_asks`); worked out once per question
        (the guards ask for every candidate)."""
        key = tuple(tokens)
        found = self._groups_seen.get(key)
        if found is None:
            if len(self._groups_seen) > 4096:
                self._groups_seen.clear()
            found = self._groups_seen[key] = frozenset(self._read_groups(key))
        return found

    def _read_groups(self, tokens: Sequence[str]) -> set[str]:
        groups: set[str] = set()
        where: dict[str, list[int]] = {}  # group -> where its cues start
        how_aux = any(a == self.how and b in self.aux for a, b in pairwise(tokens))
        i = 0
        while i < len(tokens):
            for n in range(min(self.quantity_longest, len(tokens) - i), 0, -1):
                gram = tuple(tokens[i : i + n])
                group = self.quantity.get(gram)
                if group is None:
                    continue
                if how_aux and gram in self.verb_cues:
                    pass  # "how does Pakistan rate", "how do freelancers share": verbs
                elif i and n == 1 and (tokens[i - 1], gram[0]) in self.name_pairs:
                    pass  # "the Securities and Exchange Commission" names, it asks for no fee
                elif group == "number" and self.articles & set(tokens[max(i - 2, 0) : i]):
                    pass  # "a growing number of contracts" describes, it does not ask
                elif group == "average" and self.comparing & set(tokens[max(i - 2, 0) : i]):
                    pass  # "below the global average" compares
                else:
                    groups.add(group)
                    where.setdefault(group, []).append(i)
                i += n
                break
            else:
                i += 1
        stop = self.normalize.lexicon.stopwords

        def names_money(m: int) -> bool:  # "dollars did", not "funding rounds"
            return m + 1 >= len(tokens) or tokens[m + 1] in stop
        if "number" in groups and "money" in groups and not any(
                0 < m - c <= NUMBER_MONEY_GAP and names_money(m)
                for c in where["number"] for m in where["money"]):
            # "how many dollars" asks for money; "how many of the government-funded trainees
            # got jobs" and "how many funding rounds" ask for a number
            groups.discard("money")
        if "number" in groups and "percent" in groups and all(
                tokens[m] in self.share_verb and any(c < m for c in where["number"])
                for m in where["percent"]):
            groups.discard("percent")  # "how many hospitals share patient files": a verb
        asking = [c for c in range(len(tokens) - 1)
                  if tokens[c] == self.how and tokens[c + 1] in ("much", "many")]

        def compound(m: int) -> bool:  # "share sale", "investment scheme": a noun's modifier
            nxt = tokens[m + 1] if m + 1 < len(tokens) else ""
            return bool(nxt) and nxt != self.how and nxt not in stop \
                and nxt not in self.asking_words and not canonical_period(nxt)
        if "percent" in groups and all(
                tokens[m] in self.share_verb and (compound(m) or (tokens[m + 1 : m + 2] and
                                                  tokens[m + 1] in self.doing))
                for m in where["percent"]):
            groups.discard("percent")  # "secondary share sales kitni hui": the sales' amount
        if "money" in groups and groups & {"number", "amount"} and all(
                compound(m) and any(m < c for c in asking) for m in where["money"]):
            # "investment scheme ki kitni complaints", "investment apps ki complaints kitni":
            # the complaints are counted, the money word only names the scheme
            groups.discard("money")
        if "degree" in groups and not groups & {"money", "number", "percent"}:
            groups.discard("amount")  # "how much does freelancing help": a degree
        if "money" in groups and any(
                tokens[m - k] in self.which and all(t in stop for t in tokens[m - k + 1 : m])
                for m in where["money"] for k in (1, 2, 3) if m - k >= 0):
            groups.add("amount")  # "what is the fee", "what fees": a sum of money
        if "money" in groups and self.time_words & set(tokens) and all(
                tokens[m] in self.spending for m in where["money"]):
            groups.discard("money")  # "how much time do students spend": hours, not money

        def money_asked(m: int) -> bool:  # "how much money", "prize money kitni hoti hai"
            before = tuple(tokens[max(m - 2, 0) : m]) == (self.how, "much")
            after = (tuple(tokens[m + 1 : m + 3]) == (self.how, "much")
                     and all(t in stop for t in tokens[m + 3 :]))
            return before or after
        if "money" in groups and all(
                tokens[m] in self.money_nouns and not money_asked(m) for m in where["money"]):
            # "how much tax is deducted from the money", "paison pe kitna tax": the tax
            groups.discard("money")
        return groups

    def _how_to(self, tokens: Sequence[str]) -> bool:
        """True when the question asks how to do something ("how do I check", "kaise check
        karun", "کیسے معلوم کروں"), not how much or how many."""
        return any(a == self.how and b not in self.how_measures
                   for a, b in pairwise([*tokens, ""]))

    def _leader(self, tokens: Sequence[str]) -> bool:
        """True for "which country has the most freelancers?": it asks who leads the world,
        which the column never says (it places only Pakistan, among the top five)."""
        asks_country = any(a in self.which and b == self.country
                           for a, b in pairwise(tokens))
        return asks_country and any(
            tuple(tokens[i : i + n]) in self.superlatives
            for n in range(1, self.superlatives_longest + 1) for i in range(len(tokens) - n + 1))

    def _guard(self, tokens: Sequence[str], doc: _Doc) -> tuple[Reason, str] | None:
        """Why ``doc`` cannot answer a question that asks for a number it does not give, or
        for the country that leads the world (the column places only Pakistan)."""
        asks = self._asks(tokens)
        if asks is not None and not (not doc.kinds and self._how_to(tokens)):
            # (an entry that gives no figure answers "how many SIMs are on my CNIC, how do
            # I check?": the question asks how to find the number out)
            group, kinds = asks
            if not doc.kinds or (kinds is not None and not kinds & doc.kinds):
                return Reason.NO_FIGURE_OF_KIND, group
            if (group == "number" and "money" in doc.kinds and doc.kinds <= {"money", "average"}
                    and "money" not in self._groups(tokens)):
                # "how many laptops are assembled" counts laptops, which a laptop's price
                # is not (a number of dollars is asked with a money word: "how many dollars")
                return Reason.NO_FIGURE_OF_KIND, group
            if (group == "average" and "money" not in doc.kinds
                    and "money" in (groups := self._groups(tokens))
                    and not groups & {"number", "percent"}):
                # "how much do gig workers earn per week on average": an average sum of
                # money, which an average of hours is not
                return Reason.NO_FIGURE_OF_KIND, "money"
        if self._leader(tokens):
            return Reason.ASKS_LEADER, ""
        contrast = self._contrasted(tokens, doc) or self._other_unit(tokens, doc)
        if contrast is not None:
            return Reason.NO_FIGURE_OF_KIND, contrast
        narrower = self._narrower(tokens, doc) or self._other_bound(tokens, doc)
        if narrower is not None:
            return Reason.NARROWER, narrower
        return None

    def _topic_words(self, weights: Mapping[str, float]) -> list[str]:
        """The question's words that name what it is about: not words of asking ("share",
        "how many"), words any entry may use, "people" or "Pakistan"."""
        return [t for t in weights if t not in self.asking_words and t not in self.generic
                and t not in self.unspecific]

    def _topic_shared(self, weights: Mapping[str, float], doc: _Doc) -> int:
        """How many of the question's topic words ``doc`` holds: "IT courses for ex-army
        personnel" shares "IT" and "courses" with an entry on IT courses for retired
        soldiers; "real estate prices in Lahore" only "Lahore" with the column's cities."""
        return sum(1 for t in self._topic_words(weights) if t in doc.strong or t in doc.weak)

    def _on_topic(self, weights: Mapping[str, float], doc: _Doc) -> bool:
        """True when ``doc`` holds one of the question's topic words, or when the question
        has none ("What are the recommendations?" is about its words of asking)."""
        topic = self._topic_words(weights)
        return not topic or any(t in doc.strong or t in doc.weak for t in topic)

    def _other_bound(self, tokens: Sequence[str], doc: _Doc) -> str | None:
        """A bound the question puts on what it counts ("freelancers under 25", "firms with
        more than 50 staff", "30 saal se kam") that ``doc`` never states: its figure is for
        another bound ("under 30")."""
        words = doc.strong | doc.weak
        for i, token in enumerate(tokens):
            if not _BOUND_NUMBER.fullmatch(token) or token in words or canonical_period(token):
                continue
            near = tokens[max(i - 2, 0) : i + 3]
            if self.bounds & set(near):
                return " ".join(tokens[max(i - 1, 0) : i + 1])
        return None

    def _singled_out(self, tokens: Sequence[str], ranked: list[Candidate],
                     reasons: tuple[Reason, ...] = (Reason.NARROWER,),
                     meaning: Callable[[], Similarities] | None = None) -> list[Candidate]:
        """For a question asking for a number of a group or place ("received in Sindh") the best
        entry does not mention, a nearly-as-close entry that mentions it and gives that kind of
        figure goes first, with the best's score, and those ahead of it are left out: they
        could only be offered. With ``meaning``, so does one further behind on the words
        (up to FIT_WIDE) that is closer in meaning (by FIT_COS)."""
        if len(ranked) < 2:
            return ranked
        top_doc = self.docs[self.ids[ranked[0].entry_id]]
        guard = self._guard(tokens, top_doc)
        if guard is None:
            return ranked
        narrower = guard[1] if guard[0] is Reason.NARROWER else self._narrower(tokens, top_doc)
        # a country the best does not name: the entry that does goes first, whatever else
        # the best lacks ("how big a market is Qatar": not the segment that gives no figure)
        country = narrower is not None and tuple(narrower.split()) in self.countries
        if guard[0] not in reasons and not country:
            return ranked
        if self._asks(tokens) is None and not country:
            return ranked  # a question asking for a number, or naming a country: its figure
        top = ranked[0]
        for at, other in enumerate(ranked[1:], start=1):
            behind = top.score - other.score
            if behind > FIT_WIDE or (behind > FIT_MARGIN and meaning is None and not country):
                break
            if self._guard(tokens, self.docs[self.ids[other.entry_id]]) is not None:
                continue
            # a country named: the entry that names it goes first (up to FIT_WIDE behind)
            # however close in meaning ("software sold to the USA": the US exports, not the
            # software segment)
            if behind > FIT_MARGIN and not country:
                assert meaning is not None
                cosines = meaning()
                if (cosines.of(self.ids[other.entry_id])
                        < cosines.of(self.ids[top.entry_id]) + FIT_COS):
                    continue
            return [replace(other, score=top.score), *ranked[at + 1:]]
        return ranked

    def _fitting(self, tokens: Sequence[str], ranked: list[Candidate], full_text: str,
                 meaning: Callable[[], Similarities] | None = None) -> Candidate | None:
        """For a question asking for a number the best entry does not give, an entry scored
        nearly as well that gives one ("how many people have broadband": the broadband
        subscribers entry, not the broadband plan that has no figure), or one further behind
        that is closer in meaning, with the best's score."""
        if len(ranked) < 2 or (asks := self._asks(tokens)) is None:
            return None
        kinds = asks[1]

        def fits(candidate: Candidate) -> bool:
            doc = self.docs[self.ids[candidate.entry_id]]
            return bool(doc.kinds) and (kinds is None or bool(kinds & doc.kinds))

        top = ranked[0]
        if fits(top) or full_text in self.docs[self.ids[top.entry_id]].folded:
            return None
        for candidate in ranked[1:]:
            behind = top.score - candidate.score
            if behind > FIT_WIDE or (behind > FIT_MARGIN and meaning is None):
                return None
            if not fits(candidate):
                continue
            if behind <= FIT_MARGIN:
                return replace(candidate, score=top.score)
            assert meaning is not None
            cosines = meaning()
            if (cosines.of(self.ids[candidate.entry_id])
                    >= cosines.of(self.ids[top.entry_id]) + FIT_COS):
                return replace(candidate, score=top.score)
        return None

    def _behind(self, meaning: Similarities, top: Candidate, norm: Normalized) -> float:
        """How far behind the closest entry of any period ``top`` may be: further when that
        entry's figures are of the same kind, only for other periods (the same figure over
        time: FY25 in the column, FY22 in an admin's entry) and ``top`` scored well enough to offer."""
        overall = meaning.top(1)
        if not overall or not norm.periods or top.score < SUGGEST_AT:
            return AGREE_BEHIND
        closest, own = self.docs[overall[0]], self.docs[self.ids[top.entry_id]]
        if (closest.figure_periods and not set(norm.periods) <= closest.figure_periods
                and closest.kinds & own.kinds and set(norm.periods) <= own.figure_periods):
            return AGREE_BEHIND_SAME
        return AGREE_BEHIND

    @staticmethod
    def _overlap(weights: dict[str, float], total: float, question: frozenset[str],
                 own: float) -> float:
        """Weighted F-score (recall-leaning) between the question's words and one question."""
        shared = sum(weights[t] for t in weights.keys() & question)
        if not shared:
            return 0.0
        recall, precision = shared / total, shared / own
        return (1 + BETA2) * precision * recall / (BETA2 * precision + recall)

    def _names_in(self, words: Sequence[str]) -> list[tuple[str, list[int]]]:
        """The institutions ``words`` (stems) name in part, the knowledge base knowing their
        acronyms: each acronym with the positions of the name's words."""
        found: list[tuple[str, list[int]]] = []
        for name, acronym in self.named:
            if acronym not in self.postings:
                continue
            at = [i for i, w in enumerate(words) if w in name]
            if not at:
                continue
            seen = [words[i] for i in at]
            # most of its words, in the name's order, within its length and two more
            if (len(set(seen)) >= max(3, -(-3 * len(name) // 4))
                    and at[-1] - at[0] <= len(name) + 2
                    and [w for w in name if w in seen] == list(dict.fromkeys(seen))):
                found.append((acronym, at))
        return found

    def _named(self, question: str) -> str:
        """``question`` with the acronym of an institution it names in part added ("the national
        vocational training commission": NAVTTC), when the knowledge base knows the acronym:
        most of the name's words, in order, close together."""
        words = [stem(w) for w in split_words(fold(question))]
        if len(words) < 3:
            return question
        added = list(dict.fromkeys(a for a, _ in self._names_in(words) if a not in words))
        if added:  # a name written whole already reads with its acronym
            present = set(self.normalize(question).tokens)
            added = [a for a in added if a not in present]
        return question if not added else f"{question} ({' '.join(added).upper()})"

    def _spelled_out(self, question: str) -> str:
        """``question`` with each acronym spelt out in Urdu letters ("ای ایم آئی") written as
        the acronym ("EMI") where the knowledge base knows that acronym: the letters' names
        are also words ("کے" is "of"), so only a run that spells a known word is read so."""
        if not _URDU_SCRIPT.search(question):
            return question
        words = question.split()
        folded = [fold(w).strip(_URDU_PUNCTUATION) for w in words]
        if sum(f in _LETTER_NAMES for f in folded) < 2:
            return question
        out: list[str] = []
        i = 0
        while i < len(words):
            end = i
            while end < len(words) and folded[end] in _LETTER_NAMES:
                end += 1
            for stop in range(end, i + 1, -1):  # the longest known run from here
                acronym = "".join(_LETTER_NAMES[f] for f in folded[i:stop])
                known = self.normalize(acronym).content  # "pk" is read as Pakistan
                if known and all(t in self.postings for t in known):
                    tail = words[stop - 1][len(words[stop - 1].rstrip(_URDU_PUNCTUATION)):]
                    out.append(acronym.upper() + tail)
                    i = stop
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)

    def match(self, question: str) -> Match:
        """Normalise ``question`` once and decide: answer, suggest or abstain."""
        question = self._named(self._spelled_out(question))
        talk, norm = self._without_smalltalk(self.normalize(question))
        if not norm.content:
            if talk:
                return Match("abstain", None, 0.0, (), Reason.SMALL_TALK, norm, talk)
            return Match("abstain", None, 0.0, (), Reason.EMPTY, norm)
        scoped = self._out_of_scope(norm.tokens)
        if any(canonical_period(term) for term in scoped):
            return Match("abstain", None, 0.0, (), Reason.NO_SUCH_PERIOD, norm)
        for term in scoped:
            if not all(t in self.postings for t in self._content_of(term)) \
                    and term not in self.everyday:
                return Match("abstain", None, 0.0, (), Reason.OUT_OF_SCOPE, norm, term)
        # some entry's answer speaks of each: refused unless that entry is surely the one
        refused = (Match("abstain", None, 0.0, (), Reason.OUT_OF_SCOPE, norm, scoped[0])
                   if scoped else None)

        def outside(doc: _Doc) -> Match | None:
            """The refusal when ``doc`` holds not every out-of-scope term asked about (an
            everyday one is let through by two more topic words the entry shares)."""
            for term in scoped:
                if not set(self._content_of(term)) <= doc.strong | doc.weak and not (
                        term in self.everyday and self._topic_shared(weights, doc) >= 2):
                    return replace(refused, detail=term) if refused else None
            return None
        weights: dict[str, float] = {}
        fixes: dict[str, str] = {}  # misspelt token -> the knowledge base's word
        for token in norm.content:
            if token in self.postings:
                weights[token] = self.idf[token]
            else:
                fixed = self._correct(token)
                if fixed is not None:
                    weights[fixed] = max(weights.get(fixed, 0.0), self.idf[fixed] * 0.9)
                    fixes[token] = fixed
                elif token not in self.asking_words:  # "spend" asks; it names no topic
                    weights[token] = UNKNOWN_WEIGHT
        known = sorted((t for t in weights if t in self.postings), key=lambda t: len(self.postings[t]))
        # what the question is about. Next to a word the knowledge base does not know, words
        # of asking ("recommend", "help") are not the topic: "Can you suggest a good book?"
        # is not about the column's recommendations ("Any recommendations?" still is).
        strange = any(t not in self.postings for t in weights)
        specific = sum(w for t, w in weights.items()
                       if t in self.topical and not ((strange or talk) and t in self.generic))
        if refused is not None and ((talk and specific < MIN_SPECIFIC) or not known):
            return refused
        if talk and specific < MIN_SPECIFIC:
            # "thanks for the info", "hello sir": small talk with nothing else to ask
            return Match("abstain", None, 0.0, (), Reason.SMALL_TALK, replace(norm, content=()),
                         talk)
        if not known:
            # no word the knowledge base knows; an entry close in meaning is only offered
            offered = self._offer_by_meaning(norm)
            return Match("suggest" if offered else "abstain", None, 0.0, offered,
                         Reason.NO_KNOWN_WORDS, norm)
        pool: dict[int, float] = {}
        for rank, token in enumerate(known):
            posting = self.postings[token]
            weight = weights[token]
            if rank and len(posting) > POSTING_CAP and pool:
                # a common word only lifts candidates the rarer words already found
                for index in pool.keys() & self.common[token]:
                    pool[index] += weight
                continue
            for index in posting[: POSTING_CAP * 4]:
                pool[index] = pool.get(index, 0.0) + weight
        shortlist = sorted(pool, key=pool.__getitem__, reverse=True)[:CANDIDATES]
        self.docs.prefetch(shortlist)
        total = sum(weights.values())
        query_text = " ".join(weights)
        full_text = " ".join(norm.tokens)
        period_miss = False

        def words_score(index: int) -> float | None:
            """How well the entry's words cover the question (None: not for that period)."""
            nonlocal period_miss
            doc = self.docs[index]
            if norm.periods and not set(norm.periods) <= doc.periods:
                period_miss = True
                return None
            strong, weak, topical = doc.strong, doc.weak, self.topical
            covered = shared = conflict = 0.0
            for t, w in weights.items():
                if t in strong:
                    covered += w
                    shared += w
                elif t in weak:
                    covered += w * WEAK_FACTOR
                    shared += w
                elif t in topical:
                    # words the knowledge base knows, but from other entries, point
                    # elsewhere: "textile exports FY25" is not about the IT-exports entry.
                    conflict += w
            best = process.extractOne(query_text, doc.texts, scorer=fuzz.token_sort_ratio)
            similarity = best[1] / 100 if best else 0.0
            doc_total = total + CONFLICT_EXTRA * conflict
            closest = max((self._overlap(weights, doc_total, q, own)
                           for q, own in zip(doc.qsets, doc.qweights, strict=True)), default=0.0)
            if shared and doc.whole_weight:  # all its words as one more question of it
                recall, precision = shared / doc_total, shared / doc.whole_weight
                closest = max(closest, WHOLE_ENTRY * (1 + BETA2) * precision * recall
                              / (BETA2 * precision + recall))
            score = (QUESTION_WEIGHT * closest + COVERAGE_WEIGHT * covered / doc_total
                     + (1 - COVERAGE_WEIGHT - QUESTION_WEIGHT) * similarity)
            # ties (two entries covering the question equally) go to the closer wording
            phrasing = process.extractOne(full_text, doc.folded, scorer=fuzz.token_set_ratio)
            return (1 - TIE_BREAK) * score + TIE_BREAK * (phrasing[1] / 100 if phrasing else 0.0)

        words: dict[int, float] = {}  # entry index -> score by the words alone
        for index in shortlist:
            if (found := words_score(index)) is not None:
                words[index] = found
        known_meaning: list[Similarities] = []

        def meaning_now() -> Similarities:
            """The question's cosine to every entry, computed once, on first need."""
            if not known_meaning:
                known_meaning.append(
                    self.semantic_index().similarities(self._meaning(norm, fixes)))
            return known_meaning[0]

        by_meaning = meaning_now if self.semantic_ready() else None
        scored = [self._candidate(i, v) for i, v in words.items()]
        ranked = (self._singled_out(norm.tokens, self._ranked(scored, norm), meaning=by_meaning)
                  if scored else [])
        # an entry that shares only words of asking is not about the question ("what share
        # of browser usage does Chrome have": only "share"); it can still be offered
        ranked = [c for c in ranked if self._on_topic(weights, self.docs[self.ids[c.entry_id]])]
        top = ranked[0] if ranked else None
        runner = ranked[1].score if len(ranked) > 1 else 0.0
        sure = top is not None and specific >= MIN_SPECIFIC and (
            (top.score >= ANSWER_AT and top.score - runner >= CLEAR_MARGIN)
            or top.score >= SURE_AT or (top.score >= LEAD_AT and top.score - runner >= LEAD_MARGIN))
        if (sure and top is not None and top.score < SURE_AT and len(ranked) > 1
                and top.score - runner < CHECK_WIDE and self.semantic_ready()):
            # a near tie on the words: the one clearly closer in meaning goes first; the
            # further behind on the words, the clearer the lead in meaning must be
            meaning = meaning_now()
            own, best = meaning.of(self.ids[top.entry_id]), top.score

            def lead(c: Candidate) -> float:
                behind = best - c.score
                # nearly a tie on the words: a smaller lead in meaning decides
                needed = CHECK_COS * min(1.0, behind / CHECK_MARGIN)
                return (meaning.of(self.ids[c.entry_id]) - own - needed
                        - CHECK_SLOPE * max(0.0, behind - CHECK_MARGIN))

            top_metrics = self.docs[self.ids[top.entry_id]].metrics
            # another period's figure of the same metric is no rival: the latest stands; nor
            # is an entry the guards refuse when the best passes them (the group asked about)
            passes = self._guard(norm.tokens, self.docs[self.ids[top.entry_id]]) is None
            rivals = [c for c in ranked[1:CHECK_RIVALS + 1] if top.score - c.score < CHECK_WIDE
                      and not (not norm.periods
                               and self.docs[self.ids[c.entry_id]].metrics & top_metrics)
                      and not (passes and self._guard(norm.tokens,
                                                      self.docs[self.ids[c.entry_id]]))]
            rival = max(rivals, key=lead, default=None)
            if rival is not None and lead(rival) >= 0:
                top = replace(rival, score=top.score)
                ranked = [top, *(c for c in ranked if c.entry_id != top.entry_id)]
        if not sure and self.semantic_ready():
            # the words alone are unsure: the entries closest in meaning join the candidates,
            # meaning lifts an entry the words only half found (never lowers one), and it
            # answers when it is also the entry closest in meaning
            meaning = meaning_now()
            self.docs.prefetch(meaning.top(SEMANTIC_CANDIDATES))
            for index in meaning.top(SEMANTIC_CANDIDATES):
                if self.slots[index] is None:
                    continue  # removed since the index was built
                if index not in words and (found := words_score(index)) is not None:
                    words[index] = found
            blended = []
            for index, score in words.items():
                close = max(0.0, (meaning.of(index) - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR))
                blended.append(self._candidate(
                    index, max(score, (1 - SEMANTIC_WEIGHT) * score + SEMANTIC_WEIGHT * close)))
            def agreed(ranked: list[Candidate], trade: float = AGREE_TRADE) -> bool:
                top = ranked[0]
                # the entries of the same metric for other periods are one with it (the
                # latest of them is first): the rivals are the other entries
                metrics = self.docs[self.ids[top.entry_id]].metrics if not norm.periods else None
                # nor are those the guards refuse when the best passes them ("British
                # clients": not the IT exports of every country)
                passes = self._guard(norm.tokens, self.docs[self.ids[top.entry_id]]) is None
                others = [c for c in ranked[1:]
                          if not (metrics and self.docs[self.ids[c.entry_id]].metrics & metrics)
                          and not (passes and self._guard(norm.tokens,
                                                          self.docs[self.ids[c.entry_id]]))]
                runner = others[0].score if others else 0.0
                # the words only its answer holds count when meaning confirms it
                doc = self.docs[self.ids[top.entry_id]]
                own = sum(w for t, w in weights.items()
                          if t in doc.weak and t not in self.topical)
                # a lead in meaning over the next entry stands in for a lead on the words
                cos_lead = (meaning.of(self.ids[top.entry_id])
                            - max((meaning.of(self.ids[c.entry_id]) for c in others),
                                  default=-1.0))
                return (specific + own >= MIN_SPECIFIC and top.score >= AGREE_AT
                        # (only for an entry that passes the guards: a lead in meaning
                        # does not stand in for words to pick an entry that lacks the figure)
                        and top.score - runner >= AGREE_MARGIN - (trade if passes else 0.0)
                        * cos_lead
                        and self._closest_by_far(meaning, self.ids[top.entry_id],
                                                 [self.ids[c.entry_id] for c in (top, *others)],
                                                 self._behind(meaning, top, norm)))

            if blended:
                ranked = self._singled_out(norm.tokens, self._ranked(blended, norm),
                                           meaning=by_meaning)
                sure = agreed(ranked)
                if not sure:
                    # the best lacks the kind of number asked for: a nearly-as-close entry
                    # that gives one answers when meaning agrees on it
                    fitted = self._singled_out(norm.tokens, ranked, (Reason.NO_FIGURE_OF_KIND,),
                                               by_meaning)
                    # (put ahead of the best by the figure it gives, not by its words: the
                    # full lead on the words is asked, "how many IT graduates" is no outlook)
                    if fitted is not ranked and agreed(fitted, trade=0.0):
                        ranked, sure = fitted, True
                top = ranked[0]
        if top is None:
            if refused is not None:
                return refused
            reason = Reason.NO_SUCH_PERIOD if period_miss else Reason.NO_CANDIDATE
            return Match("abstain", None, 0.0, (), reason, norm)
        fitting = self._fitting(norm.tokens, ranked, full_text, by_meaning) if sure else None
        if fitting is not None:
            top = fitting
            ranked = [top, *(c for c in ranked if c.entry_id != top.entry_id)]
        candidates = tuple(ranked[:10])
        if sure:
            # the best entry is found, but it may not hold the number asked for: offer it
            # (unless the question is one of its own: curators, or an admin's alias, decided)
            doc = self.docs[self.ids[top.entry_id]]
            guard = None if full_text in doc.folded else self._guard(norm.tokens, doc)
            if guard is None and full_text not in doc.folded:
                name = self._unknown_name(question)
                guard = (Reason.UNKNOWN_NAME, name) if name else None
            if (outcast := outside(doc)) is not None:
                return outcast
            if guard:
                reason, detail = guard
                return Match("suggest", None, top.score, candidates, reason, norm, detail)
            return Match("answer", top.entry_id, top.score, candidates, Reason.CONFIDENT, norm)
        if refused is not None:
            return refused
        if top.score >= SUGGEST_AT:
            # a close call on an entry that lacks the number asked for says so
            doc = self.docs[self.ids[top.entry_id]]
            reason, detail = self._guard(norm.tokens, doc) or (Reason.CLOSE_CALL, "")
            return Match("suggest", None, top.score, candidates, reason, norm, detail)
        return Match("abstain", None, top.score, candidates, Reason.LOW_SCORE, norm)


class _Semantic:
    """Every entry's texts as embedding rows, grouped by entry index, for one matrix product.
    A removed entry keeps a zero row and is masked out; a changed one is appended."""

    def __init__(self, embedder: Embedder, rows: Any, starts: list[int],
                 dead: set[int]) -> None:
        self.embedder, self.rows, self.starts, self.dead = embedder, rows, starts, dead
        self._starts_array: Any = None

    @classmethod
    def build(cls, embedder: Embedder, size: int, live: Sequence[tuple[int, str]],
              meanings: dict[int, tuple[str, ...]], stored: dict[str, bytes],
              ) -> tuple[_Semantic, dict[str, bytes]]:
        """The index over ``size`` entry indices (the ``live`` ones with their texts), from
        the stored embeddings where they fit; with the embeddings it had to compute."""
        import numpy as np

        fresh: dict[str, bytes] = {}
        parts: dict[int, Any] = {}
        for index, entry_id in live:
            blob, meaning = stored.get(entry_id), meanings[index]
            if not meaning:
                continue
            if blob is not None and len(blob) == 2 * embedder.dims * len(meaning):
                parts[index] = np.frombuffer(blob, dtype=np.float16).reshape(
                    len(meaning), -1).astype(np.float32)
            else:
                parts[index] = embedder.embed(list(meaning))
                fresh[entry_id] = parts[index].astype(np.float16).tobytes()
        starts: list[int] = []
        dead: set[int] = set()
        grouped: list[Any] = []
        at = 0
        for index in range(size):
            part = parts.get(index)
            if part is None:
                part = np.zeros((1, embedder.dims), dtype=np.float32)
                dead.add(index)
            starts.append(at)
            grouped.append(part)
            at += len(part)
        rows = (np.concatenate(grouped) if grouped
                else np.zeros((0, embedder.dims), dtype=np.float32))
        if fresh:  # the weights' rows read for them need not stay in memory
            embedder.release_pages()
        return cls(embedder, rows, starts, dead), fresh  # float32: numpy has no fast f16 BLAS

    def put(self, embedder: Embedder, index: int, meaning: Sequence[str]) -> bytes:
        """The rows of a new entry (at the next index) or of a changed one (in place of its
        old rows, so that edits leave no dead rows behind); returned for storing."""
        import numpy as np

        part = (embedder.embed(list(meaning)) if meaning
                else np.zeros((1, embedder.dims), dtype=np.float32))
        if index == len(self.starts):
            self.starts.append(len(self.rows))
            self.rows = np.concatenate([self.rows, part])
        else:
            start = self.starts[index]
            end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.rows)
            self.rows = np.concatenate([self.rows[:start], part, self.rows[end:]])
            shift = len(part) - (end - start)
            for later in range(index + 1, len(self.starts)):
                self.starts[later] += shift
        self.dead.discard(index)
        self._starts_array = None
        return bytes(part.astype(np.float16).tobytes())

    def remove(self, index: int) -> None:
        self.dead.add(index)

    def similarities(self, text: str) -> Similarities:
        """Each entry's closest cosine to ``text`` (its best question, topic or answer)."""
        import numpy as np

        if self._starts_array is None:
            self._starts_array = np.asarray(self.starts, dtype=np.intp)
        query = self.embedder.embed([text])[0]
        values = np.maximum.reduceat(self.rows @ query, self._starts_array)
        if self.dead:
            values[list(self.dead)] = -2.0  # below any cosine: never among the closest
        return Similarities(values)
