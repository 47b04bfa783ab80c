"""The curated files and the schema check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.kb.files import load_dir, parse_document
from tests.conftest import COLUMN

URDU = re.compile(r"[\u0600-\u06ff]")


def test_curated_knowledge_covers_the_column() -> None:
    knowledge = load_dir()
    ids = {e.id for e in knowledge.entries}
    assert len(ids) == len(knowledge.entries) >= 25
    required = {"it-exports-fy25", "freelancer-count", "freelancing-top-five",
                "freelancing-platforms", "youth-population-under-30", "outlook-10bn-exports",
                "national-incubation-centers", "about-column", "road-ahead-overview"}
    assert required <= ids
    column = COLUMN.read_text("utf-8")
    for fact in ("3.8 billion", "1.5 million", "65%", "top five", "$10 billion"):
        assert fact in column


def test_every_entry_is_complete_and_sourced() -> None:
    knowledge = load_dir()
    for entry in knowledge.entries:
        assert len(entry.alternates) >= 6, entry.id
        assert any(URDU.search(q) for q in entry.alternates), entry.id
        assert entry.keywords and entry.answer, entry.id
        assert "column" in entry.sources, entry.id
    fy25 = next(e for e in knowledge.entries if e.id == "it-exports-fy25")
    (fig,) = fy25.figures
    assert (fig.value, fig.unit, fig.period, fig.qualifier, fig.source) == \
        (3.8, "USD billion", "FY25", "over", "sbp-fy25")


def test_figures_are_stated_exactly_as_the_column_gives_them() -> None:
    values = {(f.metric, f.value, f.qualifier) for e in load_dir().entries for f in e.figures}
    assert ("it_ites_exports", 3.8, "over") in values
    assert any(v == 65 and q == "nearly" for _, v, q in values)


def _write(tmp: Path, entry_yaml: str) -> Path:
    (tmp / "entries").mkdir(parents=True, exist_ok=True)
    (tmp / "sources.yaml").write_text(
        "sources:\n  - {id: column, title: T, author: Ali Z, kind: column}\n")
    (tmp / "entries" / "one.yaml").write_text(entry_yaml)
    return tmp


GOOD = """entries:
  - id: sample-entry
    topic: T
    question: Q?
    alternates: [a1, a2, a3, a4, a5, "ایک"]
    answer: An answer.
    figures: []
    keywords: [k]
    sources: [column]
"""


def test_schema_accepts_a_complete_entry(tmp_path: Path) -> None:
    assert load_dir(_write(tmp_path, GOOD)).entries[0].id == "sample-entry"


@pytest.mark.parametrize("field", ["topic", "question", "answer", "keywords", "sources",
                                   "alternates", "figures"])
def test_schema_rejects_a_missing_field_naming_file_and_entry(tmp_path: Path, field: str) -> None:
    lines = [line for line in GOOD.splitlines() if not line.strip().startswith(f"{field}:")]
    with pytest.raises(KnowledgeError) as err:
        load_dir(_write(tmp_path, "\n".join(lines) + "\n"))
    text = str(err.value)
    assert "entries/one.yaml" in text and "sample-entry" in text and field in text


def test_schema_rejects_unknown_source_and_too_few_alternates(tmp_path: Path) -> None:
    bad = GOOD.replace("sources: [column]", "sources: [column, nowhere]").replace(
        "[a1, a2, a3, a4, a5, \"ایک\"]", "[a1]")
    with pytest.raises(KnowledgeError) as err:
        load_dir(_write(tmp_path, bad))
    assert "nowhere" in str(err.value) and "at least 6" in str(err.value)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("x.yaml", b"entries: [", "not valid YAML"),
    ("x.json", b"{\"entries\": ", "not valid JSON"),
    ("x.pdf", b"%PDF-1.4", "not a YAML, JSON or CSV"),
    ("x.yaml", b"\x00\x01binary", "binary"),
    ("x.yaml", b"just: a mapping", "entries"),
    ("x.yaml", b"x" * (6 * 1024 * 1024), "at most"),
])
def test_bad_import_documents_are_refused_clearly(name: str, data: bytes, message: str) -> None:
    with pytest.raises(KnowledgeError, match=message):
        parse_document(data, name)


def test_import_errors_carry_line_numbers() -> None:
    doc = GOOD.replace("    answer: An answer.\n", "") + \
        "  - id: sample-entry\n    topic: T\n    question: Q\n    answer: A\n    sources: [column]\n"
    with pytest.raises(KnowledgeError) as err:
        parse_document(doc.encode(), "upload.yaml",
                       base_sources=load_dir().sources)
    problems = err.value.problems
    assert any(p.line == 2 and p.field == "answer" for p in problems)
    assert any("duplicated" in p.message for p in problems)


def test_the_lexicon_read_from_its_cache_is_the_one_parsed(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A start reads the parsed lexicon from the cache directory: the same words as parsing
    the files; a torn cache file is passed over, and an edited word list is a new file."""
    import shutil

    from bot.core.normalize import Lexicon, Normalizer
    from bot.kb.files import default_knowledge_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), source, ignore=shutil.ignore_patterns("entries"))
    parsed = Lexicon.load(source / "lexicon.yaml")
    kept = list((tmp_path / "cache" / "pkitbot").glob("lexicon-*.marshal"))
    assert len(kept) == 1
    assert Lexicon.load(source / "lexicon.yaml") == parsed
    kept[0].write_bytes(b"torn")
    assert Lexicon.load(source / "lexicon.yaml") == parsed
    with (source / "vocabulary.yaml").open("a", encoding="utf-8") as f:
        f.write('  "zzqx test word": fees\n')
    edited = Lexicon.load(source / "lexicon.yaml")
    assert Normalizer(edited)("zzqx test word").tokens == Normalizer(parsed)("fees").tokens
    assert len(list((tmp_path / "cache" / "pkitbot").glob("lexicon-*.marshal"))) == 1
