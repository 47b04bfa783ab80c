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
from tests.conftest import REPO

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
    raw = yaml.safe_load((REPO / "knowledge" / "entries" / "exports.yaml").read_text("utf-8"))
    entry = raw["entries"][0]
    assert set(entry["translations"]) == {"ur", "roman"}
    assert "3.8 ارب ڈالر سے زیادہ" in entry["translations"]["ur"]["answer"]


# -- the reply's language, the catalogue and right-to-left rendering ------------------------

from dataclasses import fields  # noqa: E402
from string import Formatter  # noqa: E402

from bot.core.engine import Engine  # noqa: E402
from bot.core.formatting import FSI, PDI, answer_html, answer_text, isolate_html  # noqa: E402
from bot.core.i18n import CATALOGUE  # noqa: E402
from bot.core.language import detect, reply_language  # noqa: E402
from bot.core.matcher import Reason  # noqa: E402
from tests.fakebot.html_check import check_html  # noqa: E402

MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(("text", "language"), [
    ("پاکستان میں کتنے فری لانسرز ہیں؟", "ur"),
    ("فری لانسرز FY25 Upwork", "ur"),
    ("Pakistan ki IT exports kitni hain?", "roman"),
    ("Pakistan mein kitne freelancers hain?", "roman"),
    ("Assalam o alaikum", "roman"),
    ("IT exports pichle maali saal kitni rahin?", "roman"),
    ('Yeh jawab Ali Z ke column "Pakistan\'s IT Boom: From Freelancers" se liye gaye hain',
     "roman"),  # a Roman Urdu reply full of English names and a title
    ("What does NAVTTC offer in Lahore and Karachi?", "en"),
    ("What were IT exports in FY25?", "en"),
    ("tell me about freelancing", "en"),
    ("How many freelancers are in Pakistan?", "en"),
    ("freelancers", "en"),
])
def test_the_language_of_a_question_is_detected(text: str, language: str) -> None:
    assert detect(text) == language


def test_a_choice_wins_and_the_language_code_is_only_a_hint() -> None:
    assert reply_language("en", "پاکستان میں کتنے فری لانسرز ہیں؟", "ur") == "en"
    assert reply_language(None, "Pakistan ki IT exports kitni hain?", "en") == "roman"
    assert reply_language(None, "", "ur") == "ur"  # /start carries no text
    assert reply_language(None, "", "ur-PK") == "ur"
    assert reply_language(None, "", "en") == "en"
    assert reply_language(None, "What were IT exports?", "ur") == "en"


def test_every_key_exists_in_every_language_with_the_same_placeholders() -> None:
    assert set(CATALOGUE) == {"en", "ur", "roman"}
    for field in fields(CATALOGUE["en"]):
        values = {lang: getattr(t, field.name) for lang, t in CATALOGUE.items()}
        for lang, value in values.items():
            assert value, (lang, field.name)
        if isinstance(values["en"], str):
            names = {lang: {p[1] for p in Formatter().parse(v) if p[1]}
                     for lang, v in values.items()}
            assert names["ur"] == names["en"] == names["roman"], field.name
    for lang, t in CATALOGUE.items():
        assert len(t.description) <= 512 and len(t.short_description) <= 120, lang
        for name in ("start", "help", "topic_questions", "ask_needs_question", "not_text",
                     "group_yes", "source_which", "source_none", "unknown_command"):
            check_html(getattr(t, name).format(topics="x", examples="y", topic="z", id="i",
                                               command="/c"))


def test_urdu_html_isolates_latin_runs_and_plain_text_has_no_marks(
        shared_engine: Engine) -> None:
    answer = shared_engine.ask("پاکستان میں کتنے فری لانسرز ہیں؟", log=False)
    html = answer_html(answer, "ur")
    assert f"{FSI}1.5{PDI}" in html and f"{FSI}Upwork{PDI}" in html
    assert "ملین" in html and "ماخذ" in html
    check_html(html)
    plain = answer_text(answer, "ur")
    assert not MARKS.search(plain) and "1.5" in plain and "ماخذ:" in plain
    for lang in ("en", "roman"):
        assert not MARKS.search(answer_html(answer, lang))
    # never inside a tag or an entity
    assert isolate_html('<a href="https://x.pk/a">link</a> &amp; ۱') == \
        f'<a href="https://x.pk/a">{FSI}link{PDI}</a> &amp; ۱'


def test_every_stock_answer_renders_in_every_language_within_the_limit(
        shared_engine: Engine) -> None:
    for entry in shared_engine.entries.values():
        for lang in ("en", "ur", "roman"):
            html = answer_html(shared_engine.answer_for(entry), lang)
            check_html(html)
            assert len(html.encode("utf-16-le")) // 2 <= 4096


def test_refusals_greetings_and_thanks_follow_the_language(shared_engine: Engine) -> None:
    hello = shared_engine.ask("السلام علیکم", log=False)
    assert answer_text(hello, "ur").startswith("وعلیکم السلام")
    assert answer_text(shared_engine.ask("Assalam o alaikum", log=False),
                       "roman").startswith("Wa alaikum assalam")
    assert answer_text(shared_engine.ask("hello", log=False), "en").startswith("Hello!")
    refused = shared_engine.ask("بنگلہ دیش میں کتنے فری لانسرز ہیں", log=False)
    assert refused.reason is Reason.OUT_OF_SCOPE
    assert answer_text(refused, "ur").startswith("میرے پاس صرف پاکستان")


def test_an_entry_without_a_translation_answers_in_english_with_a_note(
        shared_engine: Engine) -> None:
    from dataclasses import replace

    entry = replace(shared_engine.entries["freelancer-count"], translations=())
    text = answer_text(shared_engine.answer_for(entry), "roman")
    assert entry.answer in text and "tarjuma abhi tayyar nahi" in text
