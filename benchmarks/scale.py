"""How pkitbot copes as the knowledge base grows: import, start-up, memory, matching.

For each size (default 1,000 and 10,000; add 100000 on a quiet machine with time to spare),
in a fresh process per size so memory figures are the process's own:

* generates that many synthetic entries (``benchmarks/matching.py``'s generator: varied
  countries, sectors, metrics and years, not copies), imports them into a fresh database
  through ``Store.apply_import`` as ``kb import`` does, and times it (entries/s);
* reopens the database and builds the engine as ``pkitbot run`` would (start-up), with RSS
  after the build and the database's size on disk;
* asks 300 of the generated questions: matcher p50/p99 and accuracy, beside rapidfuzz's
  ``process.extractOne(WRatio)`` over every question of every entry on the same questions.

    python benchmarks/scale.py               # 1k and 10k
    python benchmarks/scale.py 1000 100000   # chosen sizes

Results go in docs/benchmarks.md with the date; the machine is shared, so quote medians.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = 300


def measure(size: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from matching import synthetic_entries
    from rapidfuzz import fuzz, process, utils

    from bot.core.engine import Engine
    from bot.kb import Knowledge, open_store

    entries, queries = synthetic_entries(size, [], random.Random(size))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.sqlite3"
        store = open_store(db)
        base = store.knowledge()
        start = time.perf_counter()
        store.apply_import(Knowledge(base.sources, tuple(entries)), actor="bench", via="import")
        imported = time.perf_counter() - start
        store.close()
        start = time.perf_counter()
        engine = Engine(open_store(db))
        ready = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sample = random.Random(1).sample(queries, min(QUESTIONS, len(queries)))
        times, right = [], 0
        for question, entry_id in sample:
            t = time.perf_counter()
            answer = engine.ask(question, log=False)
            times.append(time.perf_counter() - t)
            right += answer.entry is not None and answer.entry.id == entry_id
        choices = [(q, e.id) for e in engine.entries.values() for q in e.questions]
        texts = [utils.default_process(q) for q, _ in choices]
        base_times, base_right = [], 0
        for question, entry_id in sample[:50]:
            t = time.perf_counter()
            best = process.extractOne(utils.default_process(question), texts, scorer=fuzz.WRatio)
            base_times.append(time.perf_counter() - t)
            base_right += best is not None and choices[best[2]][1] == entry_id
        times.sort()
        return {"entries": size, "import_s": imported, "import_per_s": size / imported,
                "ready_s": ready, "rss_mb": rss, "db_mb": db.stat().st_size / 1e6,
                "p50_ms": statistics.median(times) * 1000,
                "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
                "accuracy": right / len(sample),
                "wratio_p50_ms": statistics.median(base_times) * 1000,
                "wratio_accuracy": base_right / len(base_times)}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10_000]
    print(f"| entries | import | import rate | ready | RSS | db | p50 | p99 | accuracy | "
          f"extractOne(WRatio) p50 | its accuracy |  ({time.strftime('%Y-%m-%d')})")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {size:,} | {r['import_s']:.1f} s | {r['import_per_s']:,.0f}/s | "
              f"{r['ready_s']:.2f} s | {r['rss_mb']:.0f} MB | {r['db_mb']:.1f} MB | "
              f"{r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['accuracy']:.0%} | "
              f"{r['wratio_p50_ms']:.1f} ms | {r['wratio_accuracy']:.0%} |", flush=True)


if __name__ == "__main__":
    main()
