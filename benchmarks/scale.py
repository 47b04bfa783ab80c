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
    python benchmarks/scale.py --keep /tmp 100000   # and keep /tmp/kb-100000.sqlite3

Results go in docs/benchmarks.md with the date; the machine is shared, so quote medians.
"""

from __future__ import annotations

import json
import os
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
VERSION_WAIT = 0.3  # Store.VERSION_CHECK_EVERY: how soon another process's edit is seen


def rss_now() -> float:
    """The process's resident memory now, in MB (not its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int) -> dict[str, float]:
    """Generate and import ``size`` entries, then start on them in a fresh process."""
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from matching import synthetic_entries

    from bot.core.engine import refresh_index
    from bot.core.normalize import Lexicon, Normalizer
    from bot.kb import Knowledge, default_knowledge_dir, open_store

    entries, queries = synthetic_entries(size, [], random.Random(size))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.sqlite3"
        store = open_store(db)
        base = store.knowledge()
        start = time.perf_counter()
        store.apply_import(Knowledge(base.sources, tuple(entries)), actor="bench", via="import")
        stored = time.perf_counter() - start
        words = Normalizer(Lexicon.load(default_knowledge_dir() / "lexicon.yaml"))
        start = time.perf_counter()
        refresh_index(store, words, workers=os.cpu_count() or 1)  # as kb import does
        indexed = time.perf_counter() - start
        store.close()
        sample = random.Random(1).sample(queries, min(QUESTIONS, len(queries)))
        (Path(tmp) / "sample.json").write_text(json.dumps(sample))
        out = subprocess.run([sys.executable, __file__, "--serve", str(db)], check=True,
                             capture_output=True, text=True).stdout
        found = json.loads(out.strip().splitlines()[-1])
        found.update(entries=size, import_s=stored + indexed, index_s=indexed,
                     import_per_s=size / (stored + indexed), db_mb=db.stat().st_size / 1e6)
        if keep := os.environ.get("SCALE_KEEP"):
            import sqlite3

            with sqlite3.connect(db) as src, sqlite3.connect(
                    Path(keep) / f"kb-{size}.sqlite3") as dst:
                src.backup(dst)
        return found


def serve(db: Path) -> dict[str, float]:
    """Start on an imported database as ``pkitbot run`` does; ask; edit from another process."""
    sys.path.insert(0, str(REPO))
    from dataclasses import replace

    from rapidfuzz import fuzz, process, utils

    from bot.core.engine import Engine
    from bot.kb import open_store

    sample = [tuple(q) for q in json.loads((db.parent / "sample.json").read_text())]
    before = rss_now()
    start = time.perf_counter()
    engine = Engine(open_store(db), background=True)
    ready = time.perf_counter() - start
    rss = rss_now()
    times, right = [], 0
    for question, entry_id in sample:
        t = time.perf_counter()
        answer = engine.ask(question, log=False)
        times.append(time.perf_counter() - t)
        right += answer.entry is not None and answer.entry.id == entry_id
    asked = rss_now()
    # an admin's edit from another process (kb edit): how long the next answer waits
    other = open_store(db)
    target = next(iter(engine.entries.values()))
    start = time.perf_counter()
    other.save(replace(target, answer=target.answer + " (edited)"), actor="bench", via="cli")
    saved = time.perf_counter() - start
    other.close()
    time.sleep(VERSION_WAIT)
    t = time.perf_counter()
    engine.ask(sample[0][0], log=False)
    edit_wait = time.perf_counter() - t
    seen = engine.entries[target.id].answer.endswith("(edited)")
    edited = rss_now()
    choices = [(q, e.id) for e in engine.entries.values() for q in e.questions]
    texts = [utils.default_process(q) for q, _ in choices]
    base_times, base_right = [], 0
    for question, entry_id in sample[:50]:
        t = time.perf_counter()
        best = process.extractOne(utils.default_process(question), texts, scorer=fuzz.WRatio)
        base_times.append(time.perf_counter() - t)
        base_right += best is not None and choices[best[2]][1] == entry_id
    times.sort()
    return {"ready_s": ready, "rss_start_mb": before, "rss_mb": rss, "rss_asked_mb": asked,
            "save_s": saved, "edit_wait_s": edit_wait, "edit_seen": seen, "rss_edit_mb": edited,
            "p50_ms": statistics.median(times) * 1000,
            "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
            "accuracy": right / len(sample),
            "wratio_p50_ms": statistics.median(base_times) * 1000,
            "wratio_accuracy": base_right / len(base_times)}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        print(json.dumps(serve(Path(sys.argv[2]))))
        return
    args = sys.argv[1:]
    if args[:1] == ["--keep"]:  # keep each size's database there (for throughput.py --kb)
        os.environ["SCALE_KEEP"], args = str(Path(args[1]).resolve()), args[2:]
    sizes = [int(a) for a in args] or [1000, 10_000]
    print(f"| entries | import (of it: index) | import rate | db | ready | RSS at start → "
          f"ready → asked | edit: next answer waits | RSS after edit | p50 | p99 | accuracy | "
          f"extractOne(WRatio) p50 | its accuracy |  ({time.strftime('%Y-%m-%d')})")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {size:,} | {r['import_s']:.1f} s ({r['index_s']:.1f} s) | "
              f"{r['import_per_s']:,.0f}/s | {r['db_mb']:.0f} MB | {r['ready_s']:.2f} s | "
              f"{r['rss_start_mb']:.0f} → {r['rss_mb']:.0f} → {r['rss_asked_mb']:.0f} MB | "
              f"{r['edit_wait_s'] * 1000:.0f} ms{'' if r['edit_seen'] else ' (not seen)'} | "
              f"{r['rss_edit_mb']:.0f} MB | "
              f"{r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['accuracy']:.0%} | "
              f"{r['wratio_p50_ms']:.1f} ms | {r['wratio_accuracy']:.0%} |", flush=True)


if __name__ == "__main__":
    main()
