"""Benchmark: the matcher's speed and accuracy by knowledge-base size, against plain rapidfuzz.

For each size N it builds a knowledge base of the real curated entries plus N - 28 synthetic
ones made from templates ("What were Norvania's robotics exports in 2014?", six questions,
keywords, an answer and a figure each), then

* times ``Matcher.match`` per question over a query mix (the dev-set questions plus questions
  about synthetic entries, worded differently from the entries and half of them misspelt);
* times the baseline: ``rapidfuzz.process.extractOne`` with ``fuzz.WRatio`` and rapidfuzz's
  ``default_process`` over every question of every entry, answering with the best choice's
  entry when its score is >= 80 and abstaining otherwise;
* judges both on the dev set (and the held-out set when present) with
  ``tests.evaluation.judge``, so accuracy is the real entries' accuracy among synthetic noise.

Run: ``python benchmarks/matching.py [--sizes 100,1000,10000,100000] [--queries 300]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

# this checkout's bot and tests, as ``python benchmarks/matching.py`` runs it from anywhere
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.engine import Answer, Engine
from bot.core.formatting import answer_text, figure_value, not_found_text
from bot.core.matcher import Decision, Matcher, Reason
from bot.kb.files import load_dir
from bot.kb.models import Entry, Figure
from bot.kb.store import open_store
from tests.evaluation import FIGURE_PHRASES, judge

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "eval" / "dev-questions.yaml"
HELDOUT_SET = REPO / "tests" / "data" / "heldout-questions.yaml"
BASELINE_CUTOFF = 80
STRICT_CUTOFF = 90  # reported alongside, for context only
SEED = 20261127

# Invented country names: a synthetic entry must never be the right answer to an evaluation
# question, and real names (India, Kenya...) are the lexicon's out-of-scope words, which the
# matcher stops refusing once the knowledge base holds them.
COUNTRIES = (
    "Norvania", "Castelia", "Drovina", "Elbaria", "Fennmark", "Galdora", "Hestia", "Ilvaria",
    "Jorvik", "Kaldonia", "Lorvenia", "Marovia", "Nethera", "Ostrelia", "Pelagia", "Quornia",
    "Rivania", "Solmara", "Tervola", "Umbria", "Valdoria", "Westmarch", "Xandria", "Yarrow",
    "Zembla", "Arkadia", "Borduria", "Corvinia", "Dalmara", "Estovia", "Freedonia", "Genovia",
    "Haldane", "Istovia", "Jarlsberg", "Kyrenia", "Latveria", "Moldavia", "Novaria", "Orsinia",
    "Pottsylvania", "Qumran", "Ruritania", "Sylvania", "Tomainia", "Urkesh", "Vespera",
    "Wakanda", "Xenara", "Ymirland", "Zubrowka", "Aldovia", "Belgravia", "Carpania", "Delmora",
    "Evarra", "Florin", "Guilder", "Halvard", "Ithaca",
)
SECTORS = (
    "software", "payments", "telecom", "pharmaceutical", "chemical", "shipping", "aviation",
    "insurance", "retail", "ecommerce", "gaming", "robotics", "semiconductor", "solar",
    "wind power", "biotech", "medical device", "construction", "mining", "forestry", "paper",
    "plastics", "glass", "toy", "shipbuilding", "railway", "cloud computing", "data centre",
    "satellite", "drone", "electronics", "machinery", "cosmetics", "jewellery", "coffee", "tea",
    "cocoa", "spice", "advertising", "consulting",
)
YEARS = tuple(range(2000, 2031))


@dataclass(frozen=True)
class Metric:
    noun: str
    unit: str
    low: float
    high: float
    questions: tuple[str, ...]  # six entry questions, {c} country, {s} sector, {y} year
    queries: tuple[str, ...]  # other wordings, used only as benchmark queries
    answer: str


METRICS = (
    Metric("exports", "USD million", 12, 950, (
        "What were {c}'s {s} exports in {y}?",
        "How much did {c} earn from {s} exports in {y}?",
        "{c} {s} export figure {y}",
        "{s} exports {c} {y}",
        "How big were {c}'s {s} exports in {y}?",
        "total {s} exports of {c} in {y}",
    ), (
        "tell me {c}'s {s} exports for {y}",
        "{s} sales abroad by {c} in {y}",
        "what did {c} export in {s} during {y}",
    ), "{c}'s {s} exports came to {v} in {y}, according to the {c} statistics office."),
    Metric("imports", "USD million", 12, 950, (
        "What were {c}'s {s} imports in {y}?",
        "How much did {c} spend on {s} imports in {y}?",
        "{c} {s} import bill {y}",
        "{s} imports {c} {y}",
        "How large were {s} imports into {c} in {y}?",
        "total {s} imports of {c} in {y}",
    ), (
        "tell me {c}'s {s} imports for {y}",
        "{s} bought from abroad by {c} in {y}",
        "what did {c} import in {s} during {y}",
    ), "{c} imported {s} goods and services worth {v} in {y}, customs records show."),
    Metric("employment", "jobs", 1200, 480000, (
        "How many people worked in {c}'s {s} sector in {y}?",
        "{c} {s} jobs {y}",
        "{s} employment in {c} {y}",
        "How many jobs did {s} provide in {c} in {y}?",
        "What was {s} employment in {c} in {y}?",
        "{c} {s} workforce size {y}",
    ), (
        "number of {s} workers in {c} in {y}",
        "{s} headcount {c} for {y}",
        "how many were employed in {c} {s} in {y}",
    ), "The {s} sector of {c} employed {v} in {y}, by the labour survey's count."),
    Metric("growth", "percent", 0.3, 19.7, (
        "How fast did {c}'s {s} sector grow in {y}?",
        "{c} {s} growth rate {y}",
        "What was the growth of {s} in {c} in {y}?",
        "{s} growth {c} {y}",
        "By how much did {c}'s {s} industry grow in {y}?",
        "annual {s} growth in {c} {y}",
    ), (
        "{s} growth percentage for {c} in {y}",
        "did {c}'s {s} grow in {y}",
        "{c} {s} sector growth during {y}",
    ), "Output of the {s} industry in {c} grew by {v} in {y}, the national accounts say."),
    Metric("investment", "USD million", 3, 720, (
        "How much was invested in {c}'s {s} sector in {y}?",
        "{c} {s} investment {y}",
        "What was total investment in {s} in {c} in {y}?",
        "{s} investment in {c} {y}",
        "How much capital went into {c}'s {s} firms in {y}?",
        "total {s} investment {c} {y}",
    ), (
        "{s} capital spending in {c} for {y}",
        "how much money was put into {c} {s} in {y}",
        "investors in {c}'s {s} during {y}",
    ), "Investment in {c}'s {s} sector reached {v} in {y}, the investment board reports."),
    Metric("users", "users", 2000, 9_400_000, (
        "How many {s} users did {c} have in {y}?",
        "{c} {s} users {y}",
        "number of {s} users in {c} in {y}",
        "How many people in {c} used {s} in {y}?",
        "{s} user count {c} {y}",
        "What was the {s} user base of {c} in {y}?",
    ), (
        "{s} customers in {c} for {y}",
        "how many used {s} services in {c} during {y}",
        "{c}'s {s} user numbers {y}",
    ), "{c} counted {v} of {s} in {y}, according to the regulator."),
)


# -- the knowledge bases ---------------------------------------------------------------------


def expected_phrases(sets: Sequence[list[dict[str, Any]]]) -> tuple[str, ...]:
    phrases = {p.casefold() for p in FIGURE_PHRASES}
    for questions in sets:
        for item in questions:
            if item["expect"] != "abstain":
                phrases.update(str(e).casefold() for e in item["expect"])
    return tuple(sorted(phrases))


def synthetic_reply(entry: Entry) -> str:
    """What the bot would say for a synthetic entry: its answer plus its figure values."""
    return "\n".join([entry.answer, *(f"Figure: {figure_value(f)}" for f in entry.figures)])


def synthetic_entries(count: int, forbidden: Sequence[str],
                      rng: random.Random) -> tuple[list[Entry], list[tuple[str, str]]]:
    """``count`` distinct synthetic entries and one query (wording, entry id) for each.

    No entry's reply may contain a phrase an evaluation question expects (a value like
    "$10.4 million" holds "$10"), so a synthetic match is never judged right by accident.
    """
    combos = len(COUNTRIES) * len(SECTORS) * len(METRICS) * len(YEARS)
    if count > combos:
        raise SystemExit(f"at most {combos} synthetic entries")
    picks = rng.sample(range(combos), count)
    entries: list[Entry] = []
    queries: list[tuple[str, str]] = []
    for n, pick in enumerate(picks):
        pick, y = divmod(pick, len(YEARS))
        pick, m = divmod(pick, len(METRICS))
        c, s = divmod(pick, len(SECTORS))
        country, sector, metric, year = COUNTRIES[c], SECTORS[s], METRICS[m], YEARS[y]
        fill = {"c": country, "s": sector, "y": year}
        for _ in range(100):
            value = rng.uniform(metric.low, metric.high)
            value = round(value, 1) if metric.high < 1000 else float(round(value, -2))
            figure = Figure(f"{sector}_{metric.noun}".replace(" ", "_"), value, metric.unit,
                            period=str(year), qualifier=rng.choice((None, "about", "over")))
            entry = Entry(
                id=f"syn-{n:06d}", topic=f"{sector} {metric.noun}",
                question=metric.questions[0].format(**fill),
                answer=metric.answer.format(v=figure_value(figure), **fill),
                alternates=tuple(q.format(**fill) for q in metric.questions[1:]),
                figures=(figure,),
                keywords=(f"{sector} {metric.noun}", country, str(year), metric.noun),
            )
            reply = synthetic_reply(entry).casefold()
            if not any(p in reply for p in forbidden):
                break
        else:
            raise SystemExit(f"cannot word {country}/{sector}/{metric.noun} without an "
                             "evaluation phrase; change the synthetic vocabulary")
        entries.append(entry)
        queries.append((rng.choice(metric.queries).format(**fill), entry.id))
    return entries, queries


def misspell(text: str, rng: random.Random) -> str:
    """One typo (dropped, doubled or swapped letter) in one word of five letters or more."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:k] + w[k + 1 :]
    elif kind == 1:
        w = w[:k] + w[k] + w[k:]
    else:
        w = w[: k - 1] + w[k] + w[k - 1] + w[k + 1 :]
    words[i] = w
    return " ".join(words)


# -- the two methods -------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    answered: bool
    entry_id: str | None
    reply: str


class Replies:
    """Reply text as the bot would give it: the real Engine for real entries."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def answer(self, entry: Entry) -> str:
        if entry.id in self.engine.entries:
            return answer_text(self.engine.answer_for(self.engine.entries[entry.id]))
        return synthetic_reply(entry)

    def refusal(self, question: str, decision: Decision, reason: Reason, suggestions: Any = (),
                detail: str = "") -> str:
        return not_found_text(Answer(question, decision, reason, 0.0, suggestions=suggestions,
                                     topics=self.engine.topics, detail=detail))


class MatcherMethod:
    name = "matcher"

    def __init__(self, entries: list[Entry], engine: Engine, extra_periods: set[str]):
        self.by_id = {e.id: e for e in entries}
        self.replies = Replies(engine)
        start = time.perf_counter()
        self.matcher = Matcher(entries, engine.normalizer, extra_periods=extra_periods)
        self.build_s = time.perf_counter() - start

    def raw(self, question: str) -> Any:
        return self.matcher.match(question)

    def result(self, question: str, raw: Any) -> Result:
        if raw.decision == "answer" and raw.entry_id in self.by_id:
            return Result(True, raw.entry_id, self.replies.answer(self.by_id[raw.entry_id]))
        return Result(False, None, self.replies.refusal(question, raw.decision, raw.reason,
                                                        raw.suggestions, raw.detail))


class BaselineMethod:
    """extractOne(query, every question, scorer=WRatio, processor=default_process).

    The choices are put through ``default_process`` once at build time and the query per
    call, which gives the same scores as passing ``processor=utils.default_process`` (which
    would process all choices again on every call) and is the fastest fair use of rapidfuzz.
    """

    name = "baseline"

    def __init__(self, entries: list[Entry], engine: Engine, cutoff: float = BASELINE_CUTOFF):
        self.replies = Replies(engine)
        self.cutoff = cutoff
        start = time.perf_counter()
        self.choices: list[str] = []
        self.owner: list[Entry] = []
        for entry in entries:
            for q in entry.questions:
                self.choices.append(utils.default_process(q))
                self.owner.append(entry)
        self.build_s = time.perf_counter() - start

    def raw(self, question: str) -> Any:
        return process.extractOne(utils.default_process(question), self.choices,
                                  scorer=fuzz.WRatio, processor=None)

    def result(self, question: str, raw: Any) -> Result:
        if raw is not None and raw[1] >= self.cutoff:
            entry = self.owner[raw[2]]
            return Result(True, entry.id, self.replies.answer(entry))
        return Result(False, None, self.replies.refusal(question, "abstain", Reason.LOW_SCORE))


Method = MatcherMethod | BaselineMethod


def timed(method: Method, queries: Sequence[str]) -> tuple[list[float], dict[str, Any]]:
    """Milliseconds per query, and the raw result of each."""
    gc.collect()
    times: list[float] = []
    raws: dict[str, Any] = {}
    clock = time.perf_counter_ns
    for q in queries:
        t0 = clock()
        raw = method.raw(q)
        t1 = clock()
        times.append((t1 - t0) / 1e6)
        raws[q] = raw
    return times, raws


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def accuracy(method: Method, sets: dict[str, list[dict[str, Any]]],
             cache: dict[str, Any]) -> dict[str, dict[str, tuple[int, int]]]:
    """set name -> kind -> (right, total), judged with tests.evaluation.judge."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for set_name, questions in sets.items():
        table: dict[str, list[int]] = {}
        for item in questions:
            q = str(item["q"])
            raw = cache[q] if q in cache else method.raw(q)
            cache[q] = raw
            res = method.result(q, raw)
            cell = table.setdefault(str(item.get("kind") or "?"), [0, 0])
            cell[0] += int(judge(item["expect"], res.answered, res.reply))
            cell[1] += 1
        out[set_name] = {k: (v[0], v[1]) for k, v in sorted(table.items())}
    return out


def total(acc: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return sum(v[0] for v in acc.values()), sum(v[1] for v in acc.values())


def pct(right: int, count: int) -> str:
    return f"{right}/{count} ({100 * right / count:.0f}%)" if count else "-"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def describe_code() -> str:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "bot/core/matcher.py"],
                           capture_output=True, text=True).stdout.strip()
    digest = hashlib.sha256((REPO / "bot" / "core" / "matcher.py").read_bytes()).hexdigest()[:12]
    return (f"commit {head or '?'}, bot/core/matcher.py {'modified' if dirty else 'clean'} "
            f"(sha256 {digest})")


# -- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000",
                        help="knowledge-base sizes (entries, real ones included)")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per size")
    parser.add_argument("--baseline-queries-large", type=int, default=150,
                        help="timed baseline queries at sizes >= 50,000 (extractOne is slow)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    import yaml

    sets: dict[str, list[dict[str, Any]]] = {}
    for name, path in (("dev", DEV_SET), ("held-out", HELDOUT_SET)):
        if path.is_file():
            sets[name] = list(yaml.safe_load(path.read_text("utf-8"))["questions"])
    if "dev" not in sets:
        raise SystemExit(f"dev set not found at {DEV_SET}")
    forbidden = expected_phrases(list(sets.values()))

    tmp = tempfile.TemporaryDirectory()
    engine = Engine(open_store(Path(tmp.name) / "bench.sqlite3"))
    real = load_dir().entries
    real_ids = {e.id for e in real}
    assert real_ids == set(engine.entries), "store and curated files disagree"
    years = {s.date[:4] for s in engine.sources.values() if s.date and s.date[:4].isdigit()}

    rng = random.Random(SEED)
    n_syn = max(0, max(sizes) - len(real))
    synthetic, syn_queries = synthetic_entries(n_syn, forbidden, rng)

    print("# Matching benchmark")
    print()
    print(f"- date {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs available")
    print(f"- code: {describe_code()}")
    print(f"- real entries: {len(real)}; synthetic entries fill each size up to N "
          f"({len(COUNTRIES)} invented countries x {len(SECTORS)} sectors x {len(METRICS)} "
          f"metrics x years {YEARS[0]}-{YEARS[-1]}, 6 questions each)")
    print(f"- query mix per size: the {len(sets['dev'])} dev-set questions, then questions about "
          "synthetic entries in the KB (other wordings than the entry's, every second one with a "
          "typo), up to --queries")
    print(f"- baseline: rapidfuzz.process.extractOne(query, every question of every entry, "
          f"scorer=fuzz.WRatio, processor=default_process); answers the best choice's entry if "
          f"score >= {BASELINE_CUTOFF}, otherwise abstains")
    print("- accuracy: tests.evaluation.judge on the reply text: the real Engine's answer_text for "
          "a real entry; a synthetic entry's answer plus its figure values; the bot's refusal "
          "text (with did-you-mean suggestions for the matcher) when not answering")
    print()

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for size in sizes:
        entries = list(real) + synthetic[: max(0, size - len(real))]
        in_kb = {e.id for e in entries}
        pool = [(q, i) for q, i in syn_queries if i in in_kb]
        qrng = random.Random(SEED + size)
        need = max(0, args.queries - len(sets["dev"]))
        chosen = [pool[qrng.randrange(len(pool))] for _ in range(need)] if pool else []
        syn_mix = [(misspell(q, qrng) if k % 2 else q, i) for k, (q, i) in enumerate(chosen)]
        queries = [str(item["q"]) for item in sets["dev"]] + [q for q, _ in syn_mix]

        gc.collect()
        matcher = MatcherMethod(entries, engine, years)
        rss_after_build = peak_rss_mb()
        rss_now = current_rss_mb()
        m_times, m_raw = timed(matcher, queries)
        m_acc = accuracy(matcher, sets, m_raw)
        m_syn = sum(1 for q, i in syn_mix
                    if matcher.result(q, m_raw[q]).entry_id == i)
        m_build = matcher.build_s
        del matcher
        gc.collect()

        baseline = BaselineMethod(entries, engine)
        b_queries = queries
        if size >= 50_000 and len(queries) > args.baseline_queries_large:
            b_queries = queries[: args.baseline_queries_large]
            notes.append(f"at {size:,} entries the baseline was timed on the first "
                         f"{len(b_queries)} queries of the mix (all {len(sets['dev'])} dev "
                         "questions included), not all of them: extractOne is slow there")
        b_times, b_raw = timed(baseline, b_queries)
        b_acc = accuracy(baseline, sets, b_raw)
        b_syn_q = [(q, i) for q, i in syn_mix if q in b_raw]
        b_syn = sum(1 for q, i in b_syn_q if baseline.result(q, b_raw[q]).entry_id == i)
        baseline.cutoff = STRICT_CUTOFF  # the same extractOne results, a stricter rule
        b90_acc = accuracy(baseline, sets, b_raw)
        del baseline
        gc.collect()

        row = {
            "size": size, "m_build": m_build, "rss": rss_after_build, "rss_now": rss_now,
            "m50": percentile(m_times, 50), "m99": percentile(m_times, 99),
            "b50": percentile(b_times, 50), "b99": percentile(b_times, 99),
            "m_acc": m_acc, "b_acc": b_acc, "b90_acc": b90_acc, "m_syn": (m_syn, len(syn_mix)),
            "b_syn": (b_syn, len(b_syn_q)), "nq": len(queries), "nbq": len(b_queries),
            "m_max": max(m_times),
        }
        rows.append(row)
        print(f"size {size:>7,}: matcher built in {m_build:.1f} s, p50 {row['m50']:.3f} ms, "
              f"p99 {row['m99']:.3f} ms | baseline p50 {row['b50']:.2f} ms, "
              f"p99 {row['b99']:.2f} ms | peak RSS {rss_after_build:.0f} MB", flush=True)

    def acc_cell(acc: dict[str, dict[str, tuple[int, int]]]) -> str:
        return "; ".join(f"{name} {pct(*total(a))}" for name, a in acc.items())

    print()
    print("| size | matcher p50 | matcher p99 | baseline p50 | baseline p99 | speedup at p50 "
          "| matcher accuracy | baseline accuracy |")
    print("|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r['size']:,} | {r['m50']:.3f} ms | {r['m99']:.3f} ms | {r['b50']:.2f} ms "
              f"| {r['b99']:.2f} ms | {r['b50'] / r['m50']:.1f}x | {acc_cell(r['m_acc'])} "
              f"| {acc_cell(r['b_acc'])} |")
    print()
    print("Accuracy per kind (matcher / baseline):")
    print()
    kinds = sorted({k for r in rows for a in r["m_acc"].values() for k in a})
    for set_name in sets:
        print(f"| {set_name} set: size | " + " | ".join(kinds) + " |")
        print("|---:|" + "---|" * len(kinds))
        for r in rows:
            cells = []
            for k in kinds:
                m = r["m_acc"][set_name].get(k)
                b = r["b_acc"][set_name].get(k)
                cells.append(f"{m[0]}/{m[1]} / {b[0]}" if m and b else "-")
            print(f"| {r['size']:,} | " + " | ".join(cells) + " |")
        print()
    print("Build, memory and synthetic queries:")
    print()
    print("| size | matcher build | peak RSS after build | RSS after build | timed queries "
          "(matcher / baseline) | synthetic queries answered with their entry "
          f"(matcher / baseline) | baseline accuracy with cutoff {STRICT_CUTOFF} |")
    print("|---:|---:|---:|---:|---|---|---|")
    for r in rows:
        print(f"| {r['size']:,} | {r['m_build']:.1f} s | {r['rss']:.0f} MB "
              f"| {r['rss_now']:.0f} MB | {r['nq']} / {r['nbq']} "
              f"| {pct(*r['m_syn'])} / {pct(*r['b_syn'])} | {acc_cell(r['b90_acc'])} |")
    print()
    for note in notes:
        print(f"Note: {note}.")
    print("Note: WRatio scores about 86 (partial_token_set_ratio 100 x 0.95 x 0.9) whenever "
          "the query shares any word with a much longer choice, so at cutoff 80 the baseline "
          "answers almost everything; extractOne keeps the first of equal scores, and the real "
          "entries come first in the choices. The cutoff-90 column uses the same extractOne "
          "results.")
    print("Note: peak RSS is this process's ru_maxrss after building the matcher at that size "
          "(earlier sizes' indexes were freed first; the synthetic entries for the largest "
          "size and the Engine over the real KB are held throughout).")
    tmp.cleanup()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
