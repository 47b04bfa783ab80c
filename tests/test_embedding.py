"""The meaning signal: wordllama's shipped model read without wordllama, and what it adds.

The token ids below were recorded from the ``tokenizers`` library on the same tokenizer file
(wordllama 0.4.0.post1); a change to the pure-Python BPE that drifts from it fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.embedding import Embedder
from bot.core.matcher import Matcher
from bot.core.normalize import Lexicon, Normalizer
from bot.kb import Entry, Figure, default_knowledge_dir

pytestmark = pytest.mark.skipif(not Embedder.available(),
                                reason="wordllama's model files are not installed")

RECORDED = {
    "How many freelancers are in Pakistan?": [1128, 1784, 3005, 295, 4564, 414, 526, 297,
                                              21215, 29973],
    "پاکستان میں فری لانسرز": [29871, 30585, 30112, 30343, 30198, 30195, 30112, 30162, 29871,
                               30159, 30202, 221, 189, 29871, 30241, 30156, 30202, 29871,
                               30138, 30112, 30162, 30198, 30156, 30295],
    "fee <s> ok\ttab 😀": [27684, 29871, 1, 29871, 3431, 12, 3891, 29871, 243, 162, 155, 131],
}


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.mark.parametrize("text", list(RECORDED))
def test_tokens_match_the_reference_tokenizer(embedder: Embedder, text: str) -> None:
    assert embedder.tokenize(text) == RECORDED[text]


def test_embeddings_are_unit_rows_and_related_texts_are_closer(embedder: Embedder) -> None:
    vectors = embedder.embed(["price of mobile data", "cost of mobile internet",
                              "cricket world cup", ""])
    norms = (vectors**2).sum(axis=1)
    assert abs(norms[0] - 1) < 1e-5 and norms[3] == 0  # an empty text is a zero row
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_loading_imports_neither_wordllama_nor_its_dependencies() -> None:
    code = ("import sys; from bot.core.embedding import Embedder; Embedder().embed(['x']); "
            "print(sorted(m for m in ('wordllama', 'pydantic', 'tokenizers', 'requests') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def _normalizer() -> Normalizer:
    return Normalizer(Lexicon.load(default_knowledge_dir() / "lexicon.yaml"))


def _entries() -> list[Entry]:
    return [
        Entry(id="mobile-subscribers", topic="Telecom",
              question="How many mobile phone subscribers does Pakistan have?",
              answer="Pakistan had 191.7 million mobile subscriptions at the end of 2025.",
              figures=(Figure("mobile_subscribers", 191.7, "million", "2025"),), sources=("s",)),
        Entry(id="startup-funding", topic="Startups",
              question="How much venture capital did Pakistani startups raise in 2024?",
              answer="Pakistani startups raised 43 million dollars in 2024.",
              figures=(Figure("startup_funding", 43, "million USD", "2024"),), sources=("s",)),
        Entry(id="women-in-tech", topic="Workforce",
              question="What share of IT workers are women?",
              answer="Women were 16.4 percent of the IT workforce in 2024.",
              figures=(Figure("women_share", 16.4, "percent", "2024"),), sources=("s",)),
    ]


@pytest.mark.parametrize(("question", "entry_id"), [
    ("How much VC money went into the startup scene?", "startup-funding"),
    ("tech mein khawateen kitne percent hain?", "women-in-tech"),
])
def test_the_closest_entry_in_meaning_shares_few_or_no_words(
        embedder: Embedder, question: str, entry_id: str) -> None:
    matcher = Matcher(_entries(), _normalizer(), embedder=embedder)
    assert matcher.semantic_ready()
    closest = matcher.semantic_index().similarities(matcher._meaning(question)).top(1)
    assert matcher.docs[closest[0]].entry_id == entry_id
    # and it becomes a candidate: answered, or at least offered
    match = matcher.match(question)
    assert entry_id in {c.entry_id for c in match.candidates}, match.why


def test_meaning_never_overrides_the_guards(embedder: Embedder) -> None:
    matcher = Matcher(_entries(), _normalizer(), embedder=embedder)
    assert matcher.match("How many mobile subscribers does India have?").decision == "abstain"
    assert matcher.match("How many mobile subscribers were there in 2019?").decision == "abstain"


def test_a_tokenizer_file_laid_out_otherwise_gives_the_same_tokens(tmp_path: Path) -> None:
    """The merges are read one by one from the end of the shipped file; a file with its keys
    in another order is parsed whole, with the same result."""
    import json

    from bot.core.embedding import TOKENIZER_FILE, WEIGHTS_FILE, package_dir

    root = package_dir()
    assert root is not None
    config = json.loads((root / TOKENIZER_FILE).read_text("utf-8"))
    model = config.pop("model")
    reordered = {"model": {"merges": model.pop("merges"), **model}, **config}
    for name in (TOKENIZER_FILE, WEIGHTS_FILE):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / TOKENIZER_FILE).write_text(json.dumps(reordered), "utf-8")
    (tmp_path / WEIGHTS_FILE).symlink_to(root / WEIGHTS_FILE)
    other = Embedder(directory=tmp_path)
    for text, ids in RECORDED.items():
        assert other.tokenize(text) == ids


def test_released_weight_pages_are_read_again_when_needed(embedder: Embedder) -> None:
    """Dropping the weights' pages from memory changes no embedding."""
    before = embedder.embed(["fibre connections in Lahore"])
    embedder.release_pages()
    fresh = Embedder(cache_size=0)
    fresh.load()
    fresh.release_pages()
    assert (fresh.embed(["fibre connections in Lahore"]) == before).all()
