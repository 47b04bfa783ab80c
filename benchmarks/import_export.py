"""How fast ``kb import`` and ``kb export`` are at scale, and what single-entry commands cost.

For each size (default 1,000 and 10,000; pass 100000 for the issue's size) this script
generates a pack in the export format (``benchmarks/matching.py``'s synthetic entries, with
sources, figures and some Roman Urdu translations: varied, not copies), writes it as one
YAML file, and then times real ``pkitbot`` processes against a fresh database:

* ``kb import FILE`` (entries/s end to end, and the child's peak RSS);
* ``kb import`` of the same file again (everything unchanged: the diff alone);
* ``kb export`` to YAML, JSON and CSV (seconds, peak RSS, file size);
* ``kb show``, ``kb edit``, ``kb undo``, ``kb history`` and ``kb list`` at that size.

Each is run ``--rounds`` times (default 3) and the median is printed, as a Markdown table.
The process is started with ``bot.kb.files.MAX_IMPORT_BYTES`` raised, so the same script
measures code that still had the 5 MiB cap (``PYTHONPATH=/old/checkout``)::

    python benchmarks/import_export.py                       # 1k and 10k, 3 rounds
    python benchmarks/import_export.py 100000 --rounds 1     # the issue's size

The machine is shared: quote medians, with the date.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Run the CLI with the old 5 MiB cap lifted, so the script measures old and new code alike
CLI = ("import sys, bot.kb.files as f; f.MAX_IMPORT_BYTES = 1 << 40; "
       "from bot.cli import main; sys.argv[0] = 'pkitbot'; main()")
SOURCES = 40


def pack(size: int) -> dict[str, Any]:
    """The export document of ``size`` synthetic entries (seeded: the same every run)."""
    sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
    from matching import synthetic_entries

    from bot.kb.files import figure_digits

    rng = random.Random(size)
    entries, _ = synthetic_entries(size, [], rng)
    sources = [{"id": f"syn-src-{i:02d}", "title": f"Synthetic survey {i}", "author": None,
                "publisher": f"Statistics office {i % 7}", "date": f"20{10 + i % 15}",
                "url": f"https://example.org/survey/{i}", "kind": "primary"}
               for i in range(SOURCES)]
    docs = []
    for n, entry in enumerate(entries):
        data = entry.to_dict()
        source = sources[n % SOURCES]["id"]
        data["sources"] = [source]
        for fig in data["figures"]:
            fig["source"] = source
        if n % 3 == 0 and all(abs(f.value) < 1e6 for f in entry.figures):  # 1e6+ prints as 1.2e+06
            digits = " ".join(figure_digits(f.value) for f in entry.figures)
            data["translations"] = {"roman": {"topic": entry.topic,
                                              "answer": f"{entry.answer} (Roman: {digits})"}}
        docs.append(data)
    return {"sources": sources, "entries": docs}


def write_pack(doc: dict[str, Any], path: Path) -> None:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


def cli(*args: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``pkitbot ARGS`` as this process's only child: (seconds, its peak RSS in MB,
    stdout); exits if it failed."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CLI, *args], env=env, capture_output=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"pkitbot {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the one child
    return seconds, rss, proc.stdout.decode()


def timed(args: list[str], env: dict[str, str], rounds: int) -> dict[str, float]:
    """Median seconds and peak RSS of ``pkitbot ARGS`` over ``rounds`` separate runners."""
    runs = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, __file__, "--run", *args], env=env, check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
        runs.append((float(out[-2]), float(out[-1])))
    return {"s": statistics.median(r[0] for r in runs),
            "rss": statistics.median(r[1] for r in runs)}


def measure(size: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "PKITBOT_DB": str(folder / "kb.sqlite3")}
        source = folder / "pack.yaml"
        write_pack(pack(size), source)
        results["pack"] = {"mb": source.stat().st_size / 1e6}
        imports = []
        for n in range(rounds):  # each round into a fresh database
            fresh = {**env, "PKITBOT_DB": str(folder / f"import-{n}.sqlite3")}
            imports.append(timed(["kb", "import", str(source)], fresh, 1))
        results["import"] = {"s": statistics.median(r["s"] for r in imports),
                             "rss": statistics.median(r["rss"] for r in imports)}
        results["import"]["per_s"] = size / results["import"]["s"]
        env["PKITBOT_DB"] = str(folder / "import-0.sqlite3")
        results["reimport"] = timed(["kb", "import", str(source)], env, rounds)
        for suffix in ("yaml", "json", "csv"):
            target = folder / f"out.{suffix}"
            results[f"export_{suffix}"] = timed(["kb", "export", str(target)], env, rounds)
            results[f"export_{suffix}"]["mb"] = target.stat().st_size / 1e6
        back = {**env, "PKITBOT_DB": str(folder / "back.sqlite3")}
        results["import_export"] = timed(["kb", "import", str(folder / "out.yaml")], back, 1)
        probe = f"syn-{size // 2:06d}"
        results["show"] = timed(["kb", "show", probe], env, rounds)
        edits = []
        undos = []
        for n in range(rounds):
            edits.append(timed(["kb", "edit", probe, "topic", f"Edited topic {n}"], env, 1))
            undos.append(timed(["kb", "undo"], env, 1))
        results["edit"] = {"s": statistics.median(r["s"] for r in edits),
                           "rss": statistics.median(r["rss"] for r in edits)}
        results["undo"] = {"s": statistics.median(r["s"] for r in undos),
                           "rss": statistics.median(r["rss"] for r in undos)}
        results["history"] = timed(["kb", "history", probe], env, rounds)
        results["list"] = timed(["kb", "list"], env, rounds)
    return results


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--run":  # one command, in its own process
        seconds, rss, _ = cli(*sys.argv[2:], env=dict(os.environ))
        print(f"{seconds:.4f} {rss:.1f}")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=3)
    ns = parser.parse_args()
    import bot

    where = Path(bot.__file__).resolve().parent.parent
    print(f"code: {where}; {time.strftime('%Y-%m-%d')}; medians of {ns.rounds}")
    for size in ns.sizes:
        r = measure(size, ns.rounds)
        print(f"\n{size:,} entries (pack {r['pack']['mb']:.1f} MB of YAML)\n")
        print("| command | median | peak RSS | note |")
        print("|---|---:|---:|---|")
        for key, label in (("import", "kb import (new base)"),
                           ("reimport", "kb import (all unchanged)"),
                           ("export_yaml", "kb export .yaml"), ("export_json", "kb export .json"),
                           ("export_csv", "kb export .csv"),
                           ("import_export", "kb import of that export (new base)"),
                           ("show", "kb show"), ("edit", "kb edit"), ("undo", "kb undo"),
                           ("history", "kb history"), ("list", "kb list")):
            row = r[key]
            note = (f"{row['per_s']:,.0f} entries/s" if "per_s" in row
                    else f"{row['mb']:.1f} MB" if "mb" in row else "")
            print(f"| {label} | {row['s']:.2f} s | {row['rss']:.0f} MB | {note} |", flush=True)


if __name__ == "__main__":
    main()
