"""Candidate generation side by side: the matcher's in-memory postings vs SQLite FTS5.

The issue suggested FTS5 (sqlite-utils ``enable_fts``) for finding an entry's candidates.
This measures both on a database that ``benchmarks/scale.py --keep DIR N`` made, for the
same questions (each entry's own question, as the matcher normalises it):

* postings: what a start builds from ``match_index`` (``Matcher.from_index``), and the pool
  the matcher makes from them (rarest words first, common words only lifting);
* FTS5: an external-content-free FTS5 table over the same stored words (built here, timed),
  queried with the question's known words OR-ed, ranked by bm25, the top 30.

It reports build time, p50/p99 per question and how often the entry itself is among the 30.

    python benchmarks/candidates.py /tmp/keep/kb-100000.sqlite3
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = 300
TOP = 30


def main() -> None:
    sys.path.insert(0, str(REPO))
    from bot.core.engine import Engine
    from bot.kb import open_store

    db = Path(sys.argv[1])
    engine = Engine(open_store(db), embedder=False)
    matcher = engine.matcher
    ids = random.Random(3).sample(list(engine.entries), SAMPLE)
    questions = [(engine.entries[i].question, i) for i in ids]

    conn = sqlite3.connect(db)
    start = time.perf_counter()
    conn.execute("DROP TABLE IF EXISTS bench_terms")
    conn.execute("CREATE VIRTUAL TABLE bench_terms USING fts5(words, tokenize='unicode61 "
                 "remove_diacritics 0')")
    conn.execute("INSERT INTO bench_terms (rowid, words) SELECT e.rowid, m.strong || ' ' || "
                 "m.weak || ' ' || m.periods FROM match_index m JOIN entries e ON e.id = m.entry_id "
                 "WHERE e.status = 'active'")
    conn.commit()
    fts_build = time.perf_counter() - start
    rowid_of = dict(conn.execute("SELECT rowid, id FROM entries"))

    def by_fts(words: list[str]) -> list[str]:
        query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return [rowid_of[r[0]] for r in conn.execute(
            "SELECT rowid FROM bench_terms WHERE bench_terms MATCH ? ORDER BY bm25(bench_terms) "
            "LIMIT ?", [query, TOP])]

    def by_postings(words: list[str]) -> list[str]:
        pool: dict[int, float] = {}
        for token in sorted(words, key=lambda t: len(matcher.postings[t])):
            weight = matcher.idf[token]
            posting = matcher.postings[token]
            if pool and len(posting) > 2000:
                for index in pool.keys() & matcher.common[token]:
                    pool[index] += weight
                continue
            for index in posting[:8000]:
                pool[index] = pool.get(index, 0.0) + weight
        best = sorted(pool, key=pool.__getitem__, reverse=True)[:TOP]
        return [e for i in best if (e := matcher.slots[i]) is not None]

    rows = []
    for name, find in (("postings", by_postings), ("FTS5 bm25", by_fts)):
        times, found = [], 0
        for question, entry_id in questions:
            words = [t for t in matcher.normalize(question).content if t in matcher.postings]
            t = time.perf_counter()
            got = find(words)
            times.append(time.perf_counter() - t)
            found += entry_id in got
        times.sort()
        rows.append((name, statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000,
                     found))
    conn.execute("DROP TABLE bench_terms")
    conn.commit()
    print(f"{len(engine.entries):,} entries, {SAMPLE} questions, top {TOP} "
          f"({time.strftime('%Y-%m-%d')}); FTS5 table built in {fts_build:.1f} s")
    print("| candidates | p50 | p99 | entry among them |\n|---|---:|---:|---:|")
    for name, p50, p99, found in rows:
        print(f"| {name} | {p50:.2f} ms | {p99:.2f} ms | {found}/{SAMPLE} |")


if __name__ == "__main__":
    main()
