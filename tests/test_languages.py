"""Three languages: curated translations, the reply's language and the texts in each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.kb.files import dump_csv, dump_yaml, figure_digits, load_dir, parse_document, to_document
from bot.kb.store import open_store

URDU = re.compile(r"[\u0600-\u06ff]")
URDU_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def test_every_stock_entry_has_its_answer_in_all_three_languages() -> None:
    knowledge = load_dir()
    assert len(knowledge.entries) >= 28
    for entry in knowledge.entries:
        ur, roman = entry.translation("ur"), entry.translation("roman")
        assert ur is not None and roman is not None, entry.id
        assert URDU.search(ur.answer) and URDU.search(ur.topic), entry.id
        assert not URDU.search(roman.answer) and not URDU.search(roman.topic), entry.id
        assert ur.answer != entry.answer and roman.answer != entry.answer, entry.id
        for fig in entry.figures:  # figures kept exactly, digits and all
            digits = figure_digits(fig.value)
            assert digits in ur.answer.translate(URDU_DIGITS), (entry.id, digits)
            assert digits in roman.answer, (entry.id, digits)


def test_a_translation_that_drops_or_changes_a_figure_is_named() -> None:
    doc = to_document(load_dir())
    fy25 = next(e for e in doc["entries"] if e["id"] == "it-exports-fy25")
    fy25["translations"]["ur"]["answer"] = "برآمدات ۳٫۹ ارب ڈالر سے زیادہ رہیں۔"  # 3.9, not 3.8
    fy25["translations"]["roman"]["answer"] = "IT exports record par pohanch gayin."
    with pytest.raises(KnowledgeError) as err:
        parse_document(dump_yaml(doc).encode(), "upload.yaml")
    text = str(err.value)
    assert "entry it-exports-fy25 translations.ur.answer: drops or changes the figure 3.8" in text
    assert "translations.roman.answer: drops or changes the figure 3.8" in text


def test_urdu_digits_count_as_the_figure() -> None:
    doc = to_document(load_dir())
    fy25 = next(e for e in doc["entries"] if e["id"] == "it-exports-fy25")
    fy25["translations"]["ur"]["answer"] = "آئی ٹی برآمدات ۳٫۸ ارب ڈالر سے زیادہ رہیں۔"
    parsed = parse_document(dump_yaml(doc).encode(), "upload.yaml")
    assert "۳٫۸" in (parsed.entry("it-exports-fy25").translation("ur").answer)  # type: ignore[union-attr]


def test_unknown_language_and_empty_topic_are_refused() -> None:
    doc = to_document(load_dir())
    entry = doc["entries"][0]
    entry["translations"]["fr"] = {"topic": "x", "answer": "y"}
    entry["translations"]["roman"]["topic"] = ""
    with pytest.raises(KnowledgeError) as err:
        parse_document(json.dumps(doc).encode(), "upload.json")
    assert "translations.fr: unknown language" in str(err.value)
    assert "translations.roman.topic: is missing or empty" in str(err.value)


@pytest.mark.parametrize("kind", ["yaml", "json", "csv"])
def test_import_export_and_the_database_carry_translations_losslessly(
        kind: str, tmp_path: Path) -> None:
    knowledge = load_dir()
    if kind == "csv":
        data = dump_csv(knowledge)
    elif kind == "json":
        data = json.dumps(to_document(knowledge), ensure_ascii=False)
    else:
        data = dump_yaml(to_document(knowledge))
    parsed = parse_document(data.encode(), f"export.{kind}", base_sources=knowledge.sources)
    assert parsed.entries == knowledge.entries
    store = open_store(tmp_path / "kb.db")
    try:
        assert store.entries() == knowledge.entries  # seeded from the curated files
        assert store.diff(parsed) == {"new": 0, "changed": 0, "unchanged": len(knowledge.entries)}
    finally:
        store.close()


def test_curated_yaml_keeps_the_translations_block() -> None:
    raw = yaml.safe_load(Path("knowledge/entries/exports.yaml").read_text("utf-8"))
    entry = raw["entries"][0]
    assert set(entry["translations"]) == {"ur", "roman"}
    assert "3.8 ارب ڈالر سے زیادہ" in entry["translations"]["ur"]["answer"]
