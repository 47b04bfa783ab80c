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

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import pairwise
from typing import Any, Literal

from rapidfuzz import fuzz, process

from bot.core.embedding import Embedder, Similarities
from bot.core.normalize import (
    MONTHS,
    Normalized,
    Normalizer,
    canonical_period,
    period_aliases,
    period_key,
)
from bot.kb import Entry, Figure

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
CONFLICT_EXTRA = 1.0
TIE_BREAK = 0.02
ANSWER_ONLY_WEIGHT = 0.7
UNKNOWN_WEIGHT = 1.4
WEAK_FACTOR = 0.6
TYPO_CUTOFF = 80
CANDIDATES = 30
PERIOD_BONUS = 0.05  # a figure for the very period asked beats a mention of that year
PERIOD_TIE = 0.08  # entries of one metric this close differ only in their period's words
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
AGREE_COS = 0.40
AGREE_COS_MARGIN = 0.0
AGREE_BEHIND = 0.12  # how far behind the closest entry of any period an eligible one may be
OFFER_COS = 0.55  # with no known word, an entry this close in meaning is offered, not answered
POSTING_CAP = 2000
AGREE_BEHIND_SAME = 0.30  # ... when that entry is the same kind of figure for other periods
CHECK_MARGIN = 0.06  # words this close to a tie: the entry clearly closer in meaning
CHECK_COS = 0.10  # ... by this much cosine goes first
FIT_MARGIN = 0.08  # a question asking for a number goes to a nearly-as-close entry that gives one
# Which kinds of figure answer a question that asks for a number, by the lexicon's quantity
# groups (most specific first); None means any figure does.
FITTING: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("average", frozenset({"average"})),  # only a figure its source calls an average
    ("percent", frozenset({"percent"})),
    ("rate", frozenset({"percent", "money"})),
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
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'-]*")


AVERAGE_WORDS = ("average", "avg", "mean", "median")


def figure_kinds(figure: Figure) -> set[str]:
    """What kinds of number a figure is: its unit's kind, and "average" when its source calls
    it one (qualifier average or median, or a metric named so)."""
    kinds = {figure_kind(figure.unit)}
    words = f"{figure.qualifier or ''} {figure.metric}".casefold()
    if any(w in words for w in AVERAGE_WORDS):
        kinds.add("average")
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


class Matcher:
    """An index over the entries; ``match`` decides for one question."""

    def __init__(self, entries: Iterable[Entry], normalizer: Normalizer,
                 extra_periods: Iterable[str] = (), embedder: Embedder | None = None):
        self.normalize = normalizer
        self.embedder = embedder
        texts: list[list[str]] = []  # per entry, the texts its meaning is read from
        extra = frozenset(extra_periods)
        self.docs: list[_Doc] = []
        postings: dict[str, list[int]] = {}
        for entry in entries:
            if entry.status != "active":
                continue
            normals = [normalizer(q) for q in entry.questions]
            strong: set[str] = set()
            for n in normals:
                strong.update(n.content)
            for extra_text in (*entry.keywords, entry.topic):
                strong.update(normalizer(extra_text).content)
            periods: set[str] = set(extra)
            for fig in entry.figures:
                periods |= period_aliases(fig.period)
            strong |= periods - extra  # a figure's period is a word that finds it
            weak = set(normalizer(entry.answer).content) - strong
            qsets = tuple(dict.fromkeys(frozenset(n.content) for n in normals if n.content))
            doc = _Doc(entry.id, entry.question, tuple(dict.fromkeys(n.text for n in normals)),
                       qsets, frozenset(strong), frozenset(weak), frozenset(periods),
                       tuple(dict.fromkeys(" ".join(n.tokens) for n in normals)),
                       kinds=frozenset({k for f in entry.figures for k in figure_kinds(f)}
                                       | text_kinds(entry.answer)),
                       metrics=frozenset(f.metric for f in entry.figures),
                       figure_periods=frozenset(p for f in entry.figures
                                                for p in period_aliases(f.period)),
                       latest=max((period_key(p) for f in entry.figures
                                   for p in period_aliases(f.period)), default=""))
            index = len(self.docs)
            self.docs.append(doc)
            texts.append(list(dict.fromkeys(
                [*entry.questions, " ".join((entry.topic, *entry.keywords)), entry.answer])))
            for token in strong | weak:
                postings.setdefault(token, []).append(index)
        self.postings = postings
        self.ids = {doc.entry_id: i for i, doc in enumerate(self.docs)}
        self.common = {t: frozenset(p) for t, p in postings.items() if len(p) > POSTING_CAP}
        total = max(len(self.docs), 1)
        topical: dict[str, int] = {}
        for doc in self.docs:
            for token in doc.strong:
                topical[token] = topical.get(token, 0) + 1
        # Words of questions, keywords and topics weigh by rarity; words found only in
        # answers are ordinary English and weigh little.
        self.idf = {t: math.log(1 + total / topical[t]) if t in topical else ANSWER_ONLY_WEIGHT
                    for t in postings}
        self.topical = frozenset(topical)
        self.docs = [replace(d, qweights=tuple(sum(self.idf.get(t, UNKNOWN_WEIGHT) for t in q)
                                               for q in d.qsets)) for d in self.docs]
        # spelling fixes keep the first letter (people rarely mistype it): "report" is not a
        # misspelt "export", nor "account" a misspelt "count"
        self.vocab: dict[str, list[str]] = {}
        for t in sorted(postings):
            if len(t) >= 4 and not t[0].isdigit():
                self.vocab.setdefault(t[0], []).append(t)
        self._typo_cache: dict[str, str | None] = {}
        # out-of-scope terms go through the same normalisation as questions
        self.scope = {tokens: group for term, group in normalizer.lexicon.out_of_scope.items()
                      if (tokens := normalizer(term).tokens)}
        self.quantity = {tokens: group for term, group in normalizer.lexicon.quantity.items()
                         if (tokens := normalizer(term).tokens)}
        self.quantity_longest = max((len(t) for t in self.quantity), default=1)
        self.generic = frozenset(t for term in normalizer.lexicon.generic
                                 for t in normalizer(term).tokens)
        self.smalltalk = {tokens: group for term, group in normalizer.lexicon.smalltalk.items()
                          if (tokens := normalizer(term).tokens)}
        self.smalltalk_longest = max((len(t) for t in self.smalltalk), default=1)
        self.superlatives = frozenset(tokens for term in normalizer.lexicon.superlatives
                                      if (tokens := normalizer(term).tokens))
        self.superlatives_longest = max((len(t) for t in self.superlatives), default=1)
        self.narrowing = frozenset(tokens for term in normalizer.lexicon.narrowing
                                   if (tokens := normalizer(term).tokens))
        self.narrowing_longest = max((len(t) for t in self.narrowing), default=1)
        # words the other guards read (countries, sectors, groups): not unknown names
        self.scope_words = frozenset(t for gram in (*self.scope, *self.narrowing) for t in gram)
        # grammar words for the guards, normalised like any question
        def word(text: str) -> str:
            return " ".join(normalizer(text).tokens)

        self.how, self.country = word("how"), word("country")
        self.which = frozenset({word("which"), word("what")})
        self.articles = frozenset({word("a"), word("an")})
        self.aux = frozenset(word(w) for w in AUXILIARIES)
        self.verb_cues = frozenset(normalizer(w).tokens for w in VERB_CUES)
        self.comparing = frozenset(word(w) for w in COMPARING)

        self._texts = texts  # embedded on first need (semantic_index), not at every build
        self._semantic: _Semantic | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def semantic_ready(self) -> bool:
        """Whether the meaning signal can be used (its model is installed)."""
        return self.embedder is not None and 0 < len(self.docs) <= SEMANTIC_MAX_ENTRIES

    def semantic_index(self) -> _Semantic:
        """Every entry's texts embedded, built on first use: a question the words answer
        alone never pays for it, and the bot builds it in the background at start."""
        if self._semantic is None:
            assert self.embedder is not None
            self._semantic = _Semantic.build(self.embedder, self._texts, self._meaning)
        return self._semantic

    def _meaning(self, text: str | Normalized, fixes: dict[str, str] | None = None) -> str:
        """What the embedding reads of a text: its words after the lexicon's mapping (Roman
        Urdu and Urdu mapped to English), misspellings fixed, without stopwords, so that all
        three languages and typing slips meet."""
        norm = self.normalize(text) if isinstance(text, str) else text
        stop = self.normalize.lexicon.stopwords
        words = norm.words if len(norm.words) == len(norm.tokens) else norm.tokens
        fixes = fixes or {}
        # periods are the filter's business: FY22 and FY25 entries mean the same thing
        kept = [fixes.get(t, w) for w, t in zip(words, norm.tokens, strict=True)
                if t not in stop and not canonical_period(t)]
        return " ".join(kept or words)

    def _correct(self, token: str) -> str | None:
        if token in self._typo_cache:
            return self._typo_cache[token]
        found = None
        if len(token) >= 4 and not token[0].isdigit():
            best = process.extractOne(token, self.vocab.get(token[0], ()), scorer=fuzz.ratio,
                                      score_cutoff=TYPO_CUTOFF)
            found = best[0] if best else None
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
        phrase = " ".join(gram)
        common = set(self.postings[gram[0]])
        for token in gram[1:]:
            common &= set(self.postings[token])
        return any(phrase in text for i in common for text in self.docs[i].folded)

    def _out_of_scope(self, content: Sequence[str]) -> str | None:
        """The first term that puts the question outside the knowledge base's field (another
        country, another sector), unless some entry covers that term."""
        for n in (3, 2, 1):
            for i in range(len(content) - n + 1):
                gram = tuple(content[i : i + n])
                if gram in self.scope and not self._known(gram):
                    return " ".join(gram)
        return None

    def _unknown_name(self, question: str) -> str | None:
        """A name or acronym in the question ("PSEB", "NetSol", "PTCL") that no entry knows:
        the question is about something else, however well its other words fit."""
        for sentence in _SENTENCE.split(question):
            words: list[str] = _WORD.findall(sentence)
            for i, word in enumerate(words):
                if not ((word.isupper() and len(word) >= 2) or (i and word[:1].isupper())):
                    continue
                if word.casefold() in MONTHS:
                    continue  # "the year ending June 2025" names a period, not a thing
                tokens = self.normalize(word).content
                if tokens and not all(t in self.postings or t in self.scope_words
                                      or self._correct(t) for t in tokens):
                    return word
        return None

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
            return self._latest_first(sorted(scored, key=lambda c: c.score, reverse=True))
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

    def _latest_first(self, scored: list[Candidate]) -> list[Candidate]:
        """With no period asked, the latest of several figures of one metric (FY25, not FY22)
        comes first, when the entries are otherwise as close as their periods' words."""
        top = self.docs[self.ids[scored[0].entry_id]]
        if not top.metrics:
            return scored
        rivals = [c for c in scored[1:] if scored[0].score - c.score <= PERIOD_TIE
                  and self.docs[self.ids[c.entry_id]].metrics & top.metrics]
        newest = max(rivals, key=lambda c: self.docs[self.ids[c.entry_id]].latest, default=None)
        if newest is None or self.docs[self.ids[newest.entry_id]].latest <= top.latest:
            return scored
        first = replace(newest, score=scored[0].score)
        return [first, *(c for c in scored if c.entry_id != newest.entry_id)]

    def _narrower(self, tokens: Sequence[str], doc: _Doc) -> str | None:
        """A group or place the question singles out ("women", "Lahore") that ``doc`` does
        not mention: its figure is for the whole, not for that part."""
        words = doc.strong | doc.weak
        for n in range(min(self.narrowing_longest, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                gram = tuple(tokens[i : i + n])
                if gram in self.narrowing and not set(gram) <= words:
                    return " ".join(gram)
        return None

    def _asks(self, tokens: Sequence[str]) -> tuple[str, frozenset[str] | None] | None:
        """What kind of number the question asks for (a quantity group of the lexicon) and
        the kinds of figure that answer it (None: any figure); None when it asks for none."""
        groups: set[str] = set()
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
                elif group == "number" and self.articles & set(tokens[max(i - 2, 0) : i]):
                    pass  # "a growing number of contracts" describes, it does not ask
                elif group == "average" and self.comparing & set(tokens[max(i - 2, 0) : i]):
                    pass  # "below the global average" compares
                else:
                    groups.add(group)
                i += n
                break
            else:
                i += 1
        if "degree" in groups and not groups & {"money", "number", "percent"}:
            groups.discard("amount")  # "how much does freelancing help": a degree
        if not groups & {"number", "amount", "percent", "average", "rate"}:
            return None  # money words alone ("how do freelancers earn dollars") ask no number
        for group, kinds in FITTING:
            if group in groups:
                return group, kinds
        return None

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
        if asks is not None:
            group, kinds = asks
            if not doc.kinds or (kinds is not None and not kinds & doc.kinds):
                return Reason.NO_FIGURE_OF_KIND, group
        if self._leader(tokens):
            return Reason.ASKS_LEADER, ""
        narrower = self._narrower(tokens, doc)
        if narrower is not None:
            return Reason.NARROWER, narrower
        return None

    def _fitting(self, tokens: Sequence[str], ranked: list[Candidate],
                 full_text: str) -> Candidate | None:
        """For a question asking for a number the best entry does not give, an entry scored
        nearly as well that gives one ("how many people have broadband": the broadband
        subscribers entry, not the broadband plan that has no figure), with the best's score."""
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
            if top.score - candidate.score > FIT_MARGIN:
                return None
            if fits(candidate):
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

    def match(self, question: str) -> Match:
        """Normalise ``question`` once and decide: answer, suggest or abstain."""
        talk, norm = self._without_smalltalk(self.normalize(question))
        if not norm.content:
            if talk:
                return Match("abstain", None, 0.0, (), Reason.SMALL_TALK, norm, talk)
            return Match("abstain", None, 0.0, (), Reason.EMPTY, norm)
        blocked = self._out_of_scope(norm.tokens)
        if blocked:
            if canonical_period(blocked):
                return Match("abstain", None, 0.0, (), Reason.NO_SUCH_PERIOD, norm)
            return Match("abstain", None, 0.0, (), Reason.OUT_OF_SCOPE, norm, blocked)
        weights: dict[str, float] = {}
        fixes: dict[str, str] = {}  # misspelt token -> the knowledge base's word
        for token in norm.content:
            if token in self.idf:
                weights[token] = self.idf[token]
            else:
                fixed = self._correct(token)
                if fixed is not None:
                    weights[fixed] = max(weights.get(fixed, 0.0), self.idf[fixed] * 0.9)
                    fixes[token] = fixed
                else:
                    weights[token] = UNKNOWN_WEIGHT
        known = sorted((t for t in weights if t in self.postings), key=lambda t: len(self.postings[t]))
        # what the question is about. Next to a word the knowledge base does not know, words
        # of asking ("recommend", "help") are not the topic: "Can you suggest a good book?"
        # is not about the column's recommendations ("Any recommendations?" still is).
        strange = any(t not in self.postings for t in weights)
        specific = sum(w for t, w in weights.items()
                       if t in self.topical and not ((strange or talk) and t in self.generic))
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
            covered = sum(w if t in doc.strong else w * WEAK_FACTOR
                          for t, w in weights.items() if t in doc.strong or t in doc.weak)
            best = process.extractOne(query_text, doc.texts, scorer=fuzz.token_sort_ratio)
            similarity = best[1] / 100 if best else 0.0
            # words the knowledge base knows, but from other entries, point elsewhere:
            # "textile exports FY25" is not about the IT-exports entry.
            conflict = sum(w for t, w in weights.items()
                           if t in self.topical and t not in doc.strong and t not in doc.weak)
            doc_total = total + CONFLICT_EXTRA * conflict
            closest = max((self._overlap(weights, doc_total, q, own)
                           for q, own in zip(doc.qsets, doc.qweights, strict=True)), default=0.0)
            score = (QUESTION_WEIGHT * closest + COVERAGE_WEIGHT * covered / doc_total
                     + (1 - COVERAGE_WEIGHT - QUESTION_WEIGHT) * similarity)
            # ties (two entries covering the question equally) go to the closer wording
            phrasing = process.extractOne(full_text, doc.folded, scorer=fuzz.token_set_ratio)
            return (1 - TIE_BREAK) * score + TIE_BREAK * (phrasing[1] / 100 if phrasing else 0.0)

        words: dict[int, float] = {}  # entry index -> score by the words alone
        for index in shortlist:
            if (found := words_score(index)) is not None:
                words[index] = found
        scored = [self._candidate(i, v) for i, v in words.items()]
        ranked = self._ranked(scored, norm) if scored else []
        top = ranked[0] if ranked else None
        runner = ranked[1].score if len(ranked) > 1 else 0.0
        sure = top is not None and specific >= MIN_SPECIFIC and (
            (top.score >= ANSWER_AT and top.score - runner >= CLEAR_MARGIN)
            or top.score >= SURE_AT or (top.score >= LEAD_AT and top.score - runner >= LEAD_MARGIN))
        if (sure and top is not None and top.score < SURE_AT and len(ranked) > 1
                and top.score - runner < CHECK_MARGIN and self.semantic_ready()):
            # a near tie on the words: the one clearly closer in meaning goes first
            meaning = self.semantic_index().similarities(self._meaning(norm, fixes))
            rival = ranked[1]
            if (meaning.of(self.ids[rival.entry_id]) - meaning.of(self.ids[top.entry_id])
                    >= CHECK_COS):
                top = replace(rival, score=top.score)
                ranked = [top, *(c for c in ranked if c.entry_id != top.entry_id)]
        if not sure and self.semantic_ready():
            # the words alone are unsure: the entries closest in meaning join the candidates,
            # meaning lifts an entry the words only half found (never lowers one), and it
            # answers when it is also the entry closest in meaning
            meaning = self.semantic_index().similarities(self._meaning(norm, fixes))
            for index in meaning.top(SEMANTIC_CANDIDATES):
                if index not in words and (found := words_score(index)) is not None:
                    words[index] = found
            blended = []
            for index, score in words.items():
                close = max(0.0, (meaning.of(index) - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR))
                blended.append(self._candidate(
                    index, max(score, (1 - SEMANTIC_WEIGHT) * score + SEMANTIC_WEIGHT * close)))
            if blended:
                ranked = self._ranked(blended, norm)
                top, runner = ranked[0], (ranked[1].score if len(ranked) > 1 else 0.0)
                sure = (specific >= MIN_SPECIFIC and top.score >= AGREE_AT
                        and top.score - runner >= AGREE_MARGIN
                        and self._closest_by_far(meaning, self.ids[top.entry_id], words,
                                                 self._behind(meaning, top, norm)))
        if top is None:
            reason = Reason.NO_SUCH_PERIOD if period_miss else Reason.NO_CANDIDATE
            return Match("abstain", None, 0.0, (), reason, norm)
        fitting = self._fitting(norm.tokens, ranked, full_text) if sure else None
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
            if guard:
                reason, detail = guard
                return Match("suggest", None, top.score, candidates, reason, norm, detail)
            return Match("answer", top.entry_id, top.score, candidates, Reason.CONFIDENT, norm)
        if top.score >= SUGGEST_AT:
            # a close call on an entry that lacks the number asked for says so
            doc = self.docs[self.ids[top.entry_id]]
            reason, detail = self._guard(norm.tokens, doc) or (Reason.CLOSE_CALL, "")
            return Match("suggest", None, top.score, candidates, reason, norm, detail)
        return Match("abstain", None, top.score, candidates, Reason.LOW_SCORE, norm)


class _Semantic:
    """Every entry's texts as embedding rows, grouped by entry, for one matrix product."""

    def __init__(self, embedder: Embedder, rows: Any, starts: Any) -> None:
        self.embedder, self.rows, self.starts = embedder, rows, starts

    @classmethod
    def build(cls, embedder: Embedder, texts: list[list[str]],
              meaning: Callable[[str], str]) -> _Semantic:
        import numpy as np

        flat = [meaning(t) for group in texts for t in group]
        starts = np.cumsum([0, *(len(g) for g in texts[:-1])])
        return cls(embedder, embedder.embed(flat), starts)  # float32: numpy has no fast f16 BLAS

    def similarities(self, text: str) -> Similarities:
        """Each entry's closest cosine to ``text`` (its best question, topic or answer)."""
        import numpy as np

        query = self.embedder.embed([text])[0]
        return Similarities(np.maximum.reduceat(self.rows @ query, self.starts))
