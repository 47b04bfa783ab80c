"""Benchmark: candidate sources of a semantic-similarity signal, side by side, with no download.

Every candidate embeds with the static ``l2_supercat`` model (256 dims, float16, 16 MB) that the
``wordllama==0.4.0.post1`` wheel ships with its tokenizer; they differ in what they import:

* ``wordllama``: ``import wordllama`` and ``WordLlama.load(cache_dir=<the package's own
  directory>, disable_download=True)``. The plain ``WordLlama.load()`` looks for the tokenizer
  under ``wordllama/tokenizer/`` while the wheel ships ``wordllama/tokenizers/``, then downloads;
  pointing ``cache_dir`` at the package finds ``tokenizers/`` there (checked and reported below).
  Embeds with ``embed(texts, norm=True)``.
* ``safetensors+tokenizers``: ``safetensors.numpy.load_file`` and ``tokenizers.Tokenizer`` on the
  same files, reproducing ``WordLlamaInference.embed``: padding on, no truncation, no special
  tokens, float32 weights, average pooling over the attention mask, L2 normalisation.
* ``numpy mmap+tokenizers``: the weights memory-mapped with numpy alone (safetensors is an
  8-byte header length, a JSON header, then the raw array), the Rust tokenizer as above.
* ``bot.core.embedding`` (``dims`` 256, 128, 64): ``Embedder`` from this repository, loaded from its
  file (so ``bot/core/__init__`` and its imports are not counted): numpy mmap plus a pure-Python
  BPE that reproduces the Rust tokenizer's ids.
* ``rapidfuzz WRatio``: no embedding, for context: ``process.extractOne`` with ``fuzz.WRatio``
  and ``utils.default_process`` over the same indexed texts (skipped when rapidfuzz is absent).

``model2vec`` is listed and skipped: its wheel ships code only, and its models come from a hub.

Each candidate runs ``--rounds`` times in a fresh interpreter. Per run: import+load time (from
just before the candidate's first import to a loaded model, the interpreter's own start not
counted), resident memory (``VmRSS``) right after loading and again after the accuracy pass,
and the median time to embed one short question (``--calls`` calls; caches off). The table
shows medians over the runs. The file cache is warm after the first run: "cold" means a new
process, not a cold disk.

Accuracy (first run of each candidate; deterministic):

* KB: each entry of ``knowledge/entries/*.yaml`` is indexed by its ``question`` and ``answer``
  (not its alternates); every alternate that is ASCII-only (English) is a query; top-1 is right
  when the nearest entry by cosine is the alternate's own entry.
* pack: each entry of ``shared/eval/growth/pack.yaml`` is indexed by ``question``, its
  ``alternates`` and ``answer``; each question of ``questions.yaml`` that expects an entry (its
  ``expect`` is a list; ``abstain`` questions are left out) is a query, right when the nearest
  entry is the one its trailing comment names; per ``kind``. ``phrase`` counts instead a top
  entry whose answer contains one of the question's expected phrases (case-insensitive).
* ``cos right`` / ``cos near``: the median top-1 cosine of the pack questions answered right,
  and of the ``near`` questions (which the pack does not answer): how much room a threshold has.

The embeddings of every indexed text and query are compared with ``wordllama``'s: the largest
absolute difference of any component is in the last column.

Run: ``python benchmarks/embeddings.py [--rounds 5] [--calls 300] [--only NAME,...]``, in an
environment with ``wordllama==0.4.0.post1`` installed (for its files, and for the
``wordllama`` row).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODULE_FILE = REPO / "bot" / "core" / "embedding.py"
KB_GLOB = "knowledge/entries/*.yaml"
PACK_DIR_CANDIDATES = (REPO.parent / "shared" / "eval" / "growth", REPO / "shared" / "eval" / "growth")
SHORT_QUESTION = "How many freelancers does Pakistan have?"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"

EmbedFn = Callable[[list[str]], Any]


def wordllama_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("wordllama is not installed: pip install wordllama==0.4.0.post1")
    return Path(next(iter(spec.submodule_search_locations)))


def vm_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------------------------------
# Candidates: each returns an embed function taking a list of texts -> (n, d) float32, rows unit.


def load_wordllama(root: Path) -> EmbedFn:
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=root, disable_download=True)

    def embed(texts: list[str]) -> Any:
        return model.embed(texts, norm=True)

    return embed


def _rust_embed(weights: Any, tokenizer: Any) -> EmbedFn:
    import numpy as np

    tokenizer.enable_padding()
    tokenizer.no_truncation()

    def embed(texts: list[str]) -> Any:
        out = np.empty((len(texts), weights.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), 64):
            chunk = texts[start : start + 64]
            encoded = tokenizer.encode_batch(chunk, add_special_tokens=False)
            ids = np.array([e.ids for e in encoded], dtype=np.int32)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
            np.clip(ids, 0, weights.shape[0] - 1, out=ids)
            x = np.asarray(weights[ids], dtype=np.float32)
            count = np.maximum(mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
            pooled = np.sum(x * mask[..., None], axis=1, dtype=np.float32) / count
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(chunk)] = pooled / np.where(norms == 0, 1, norms)
        return out

    return embed


def load_safetensors_tokenizers(root: Path) -> EmbedFn:
    import numpy as np
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    weights = np.ascontiguousarray(load_file(str(root / WEIGHTS))["embedding.weight"].astype(np.float32))
    return _rust_embed(weights, Tokenizer.from_file(str(root / TOKENIZER)))


def load_mmap_tokenizers(root: Path) -> EmbedFn:
    import numpy as np
    from tokenizers import Tokenizer

    path = root / WEIGHTS
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        info = json.loads(handle.read(size))["embedding.weight"]
    assert info["dtype"] == "F16", info
    weights = np.memmap(path, dtype="<f2", mode="r", offset=8 + size + info["data_offsets"][0],
                        shape=tuple(info["shape"]))
    return _rust_embed(weights, Tokenizer.from_file(str(root / TOKENIZER)))


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("pkitbot_embedding", MODULE_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_module(dims: int) -> Callable[[Path], EmbedFn]:
    def load(root: Path) -> EmbedFn:
        embedder = _module().Embedder(dims=dims, cache_size=0)
        embedder.load()
        return embedder.embed  # type: ignore[no-any-return]

    return load


CANDIDATES: dict[str, tuple[str, Callable[[Path], EmbedFn | None]]] = {
    "wordllama": ("wordllama (pydantic, requests, toml, safetensors, tokenizers)", load_wordllama),
    "safetensors+tokenizers": ("numpy, safetensors, tokenizers", load_safetensors_tokenizers),
    "mmap+tokenizers": ("numpy, tokenizers", load_mmap_tokenizers),
    "module-256": ("numpy (bot.core.embedding, dims=256)", load_module(256)),
    "module-128": ("numpy (bot.core.embedding, dims=128)", load_module(128)),
    "module-64": ("numpy (bot.core.embedding, dims=64)", load_module(64)),
    "rapidfuzz": ("rapidfuzz WRatio, same texts (not the bot's Matcher)", lambda root: None),
}


# ---------------------------------------------------------------------------------------------
# Evaluation data.


def kb_data() -> tuple[list[str], list[str], list[str], list[int]]:
    """Entry ids, indexed texts, queries and each query's entry index, for the repository's KB."""
    import yaml

    ids: list[str] = []
    docs: list[str] = []
    queries: list[str] = []
    targets: list[int] = []
    for path in sorted(REPO.glob(KB_GLOB)):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            ids.append(entry["id"])
            docs.append(f"{entry['question']}\n{entry['answer']}")
            for alt in entry.get("alternates") or []:
                if alt.isascii():
                    queries.append(alt)
                    targets.append(len(ids) - 1)
    return ids, docs, queries, targets


def pack_dir() -> Path:
    for candidate in PACK_DIR_CANDIDATES:
        if (candidate / "pack.yaml").is_file():
            return candidate
    raise SystemExit("shared/eval/growth/pack.yaml not found")


def pack_data() -> dict[str, Any]:
    import yaml

    folder = pack_dir()
    entries = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))["entries"]
    ids = [e["id"] for e in entries]
    docs = ["\n".join([e["question"], *(e.get("alternates") or []), e["answer"]]) for e in entries]
    answers = [e["answer"] for e in entries]
    raw = (folder / "questions.yaml").read_text(encoding="utf-8")
    questions = yaml.safe_load(raw)["questions"]
    # The entry a question targets is only in its line's trailing comment: "}  # entry-id".
    comment = re.compile(r"^\s*-\s*\{.*\}\s*#\s*([A-Za-z0-9._-]+)\s*$")
    targets = [m.group(1) for line in raw.splitlines() if (m := comment.match(line))]
    asked = [q for q in questions if isinstance(q["expect"], list)]
    if len(targets) != len(asked):
        raise SystemExit(f"{len(asked)} questions expect an entry but {len(targets)} comments name one")
    near = [q["q"] for q in questions if q.get("kind") == "near"]
    return {"ids": ids, "docs": docs, "answers": answers, "asked": asked, "targets": targets, "near": near}


def evaluate(embed: EmbedFn | None) -> dict[str, Any]:
    import numpy as np

    kb_ids, kb_docs, kb_queries, kb_targets = kb_data()
    pack = pack_data()
    pack_queries = [q["q"] for q in pack["asked"]]
    all_texts = kb_docs + kb_queries + pack["docs"] + pack_queries + pack["near"]

    if embed is None:
        from rapidfuzz import fuzz, process, utils

        def top(docs: list[str], queries: list[str]) -> tuple[list[int], list[float]]:
            best = [process.extractOne(q, docs, scorer=fuzz.WRatio, processor=utils.default_process)
                    for q in queries]
            return [b[2] for b in best], [b[1] / 100 for b in best]

        vectors = None
    else:
        vectors = np.asarray(embed(all_texts), dtype=np.float32)
        lookup = {t: vectors[i] for i, t in enumerate(all_texts)}

        def top(docs: list[str], queries: list[str]) -> tuple[list[int], list[float]]:
            d = np.stack([lookup[t] for t in docs])
            q = np.stack([lookup[t] for t in queries])
            sims = q @ d.T
            return [int(i) for i in sims.argmax(axis=1)], [float(s) for s in sims.max(axis=1)]

    kb_best, _ = top(kb_docs, kb_queries)
    result: dict[str, Any] = {
        "kb": (sum(b == t for b, t in zip(kb_best, kb_targets, strict=True)), len(kb_targets)),
        "kb_entries": len(kb_ids),
    }
    best, scores = top(pack["docs"], pack_queries)
    kinds: dict[str, list[int]] = {}
    phrase_right = 0
    right_scores: list[float] = []
    for question, target, b, score in zip(pack["asked"], pack["targets"], best, scores, strict=True):
        ok = pack["ids"][b] == target
        kinds.setdefault(question["kind"], [0, 0])
        kinds[question["kind"]][0] += ok
        kinds[question["kind"]][1] += 1
        answer = pack["answers"][b].casefold()
        phrase_right += any(p.casefold() in answer for p in question["expect"])
        if ok:
            right_scores.append(score)
    _, near_scores = top(pack["docs"], pack["near"])
    result["pack"] = {k: tuple(v) for k, v in kinds.items()}
    result["pack_all"] = (sum(v[0] for v in kinds.values()), sum(v[1] for v in kinds.values()))
    result["phrase"] = (phrase_right, len(pack_queries))
    result["cos_right"] = statistics.median(right_scores) if right_scores else float("nan")
    result["cos_near"] = statistics.median(near_scores) if near_scores else float("nan")
    result["vectors"] = vectors
    result["texts"] = all_texts
    return result


# ---------------------------------------------------------------------------------------------
# One run in a fresh interpreter.


def child(name: str, calls: int, with_accuracy: bool, out: Path) -> None:
    root = wordllama_dir()
    rss_before = vm_rss_mb()
    start = time.perf_counter()
    embed = CANDIDATES[name][1](root)
    if name == "rapidfuzz":
        import rapidfuzz  # noqa: F401  (the baseline's whole load)
    load_s = time.perf_counter() - start
    rss_load = vm_rss_mb()
    heavy = sorted(m for m in ("numpy", "safetensors", "tokenizers", "pydantic", "requests", "wordllama",
                               "huggingface_hub", "toml") if m in sys.modules)
    timings: list[float] = []
    if embed is not None:
        embed([SHORT_QUESTION])
        for _ in range(calls):
            t = time.perf_counter()
            embed([SHORT_QUESTION])
            timings.append(time.perf_counter() - t)
    record: dict[str, Any] = {
        "load_s": load_s,
        "rss_before": rss_before,
        "rss_load": rss_load,
        "p50_us": statistics.median(timings) * 1e6 if timings else None,
        "modules": heavy,
    }
    if with_accuracy:
        import numpy as np

        result = evaluate(embed)
        record["rss_eval"] = vm_rss_mb()
        vectors = result.pop("vectors")
        result.pop("texts")
        if vectors is not None:
            np.save(out.with_suffix(".npy"), vectors)
        record.update(result)
    out.write_text(json.dumps(record), encoding="utf-8")


def run_child(name: str, calls: int, with_accuracy: bool, folder: Path, index: int) -> dict[str, Any]:
    out = folder / f"{name}-{index}.json"
    env = dict(os.environ)
    subprocess.run([sys.executable, __file__, "--child", name, "--calls", str(calls), "--out", str(out)]
                   + (["--accuracy"] if with_accuracy else []), check=True, env=env)
    record: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return record


def caveat_check(root: Path) -> str:
    """What a plain ``WordLlama.load()`` does offline (downloads disabled so nothing is attempted)."""
    code = ("from wordllama import WordLlama\n"
            "try:\n    WordLlama.load(disable_download=True)\n    print('loaded')\n"
            "except Exception as exc:\n    print(type(exc).__name__ + ': ' + str(exc))\n")
    env = dict(os.environ, HOME=tempfile.mkdtemp())  # an empty ~/.cache/wordllama
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return (proc.stdout.strip() or proc.stderr.strip().splitlines()[-1]).replace(str(root), "<wordllama>")


def fmt_acc(pair: Sequence[int] | None) -> str:
    if not pair:
        return "–"
    right, total = pair
    return f"{right}/{total} ({100 * right / total:.0f}%)" if total else "–"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--only", default="", help="comma-separated candidate names")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--accuracy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.calls, args.accuracy, args.out)
        return

    import numpy as np

    root = wordllama_dir()
    names = [n for n in CANDIDATES if not args.only or n in args.only.split(",")]
    if "rapidfuzz" in names and importlib.util.find_spec("rapidfuzz") is None:
        names.remove("rapidfuzz")
    folder = Path(tempfile.mkdtemp(prefix="embbench-"))
    bare = run_bare()
    results: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        results[name] = [run_child(name, args.calls, i == 0, folder, i) for i in range(args.rounds)]
        print(f"... {name} done", file=sys.stderr)

    reference = folder / "wordllama-0.npy"
    ref = np.load(reference) if reference.exists() else None

    versions = {}
    for dist in ("wordllama", "numpy", "safetensors", "tokenizers", "rapidfuzz"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:
            versions[dist] = "absent"
    print(f"## Embedding candidates — {datetime.date.today().isoformat()}, {args.rounds} rounds, "
          f"{args.calls} calls\n")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
          + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    print(f"A bare interpreter (`python -c pass` + this script's stdlib imports): {bare:.1f} MB RSS.\n")
    print("| candidate | imports | import+load ms (median; min–max) | RSS after load MB | "
          "RSS after eval MB | embed 1 short q p50 µs | max abs diff vs wordllama |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        runs = results[name]
        loads = [r["load_s"] * 1000 for r in runs]
        first = runs[0]
        diff = "–"
        own = folder / f"{name}-0.npy"
        if ref is not None and own.exists():
            mine = np.load(own)
            # wordllama's trunc_dim keeps the first columns before pooling; pooling is linear.
            want = ref
            if mine.shape[1] != ref.shape[1]:
                want = ref[:, : mine.shape[1]]
                want = want / np.linalg.norm(want, axis=1, keepdims=True)
            diff = f"{float(np.max(np.abs(mine - want))):.1e}"
        p50 = [r["p50_us"] for r in runs if r["p50_us"] is not None]
        p50_text = f"{statistics.median(p50):.0f}" if p50 else "–"
        rss_load = statistics.median(r["rss_load"] for r in runs)
        print(f"| {name} | {CANDIDATES[name][0]} | {statistics.median(loads):.0f} "
              f"({min(loads):.0f}–{max(loads):.0f}) | {rss_load:.1f} | {first['rss_eval']:.1f} | "
              f"{p50_text} | {diff} |")
    print("| model2vec 0.10.0 | – | skipped: the wheel ships no model; models come from a hub | | | | |")

    kinds: list[str] = []
    for name in names:
        for kind in results[name][0]["pack"]:
            if kind not in kinds:
                kinds.append(kind)
    first_run = results[names[0]][0]
    print(f"\nAccuracy, top-1 nearest neighbour. KB: {first_run['kb_entries']} entries indexed by question + "
          f"answer, queried with their ASCII-only alternates. Pack: questions that expect an entry, "
          f"by kind.\n")
    print("| candidate | KB | " + " | ".join(f"pack {k}" for k in kinds)
          + " | pack all | phrase | cos right | cos near |")
    print("|---|---|" + "---|" * (len(kinds) + 4))
    for name in names:
        r = results[name][0]
        print(f"| {name} | {fmt_acc(r['kb'])} | "
              + " | ".join(fmt_acc(r["pack"].get(k)) for k in kinds)
              + f" | {fmt_acc(r['pack_all'])} | {fmt_acc(r['phrase'])} | {r['cos_right']:.2f} | "
              f"{r['cos_near']:.2f} |")
    if "wordllama" in names:
        print(f"\nPlain `WordLlama.load(disable_download=True)` with an empty cache: `{caveat_check(root)}`")


def run_bare() -> float:
    code = ("import argparse, datetime, importlib.util, json, os, platform, re, statistics, subprocess, "
            "tempfile, time\n"
            "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


if __name__ == "__main__":
    main()
