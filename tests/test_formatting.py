"""Replies as users see them: escaped HTML Telegram accepts, sources, limits."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.engine import Answer, Engine
from bot.core.formatting import MAX_MESSAGE, answer_html, answer_text, citation_html, figure_value
from bot.kb.models import Figure
from tests.fakebot.html_check import check_html


def test_answer_html_has_figure_period_and_both_sources(shared_engine: Engine) -> None:
    answer = shared_engine.ask("What were IT exports in FY25?", log=False)
    html = answer_html(answer)
    plain = check_html(html)  # Telegram would accept it
    assert "over $3.8 billion" in plain
    assert "FY25" in plain and "July 2024" in plain
    assert "Source: “Pakistan's IT Boom: From Freelancers to Global Export Powerhouse”, Ali Z, " \
           "5th Column, 2025" in plain
    assert "primary source: State Bank of Pakistan" in plain


def test_knowledge_text_is_escaped(shared_engine: Engine) -> None:
    entry = shared_engine.entries["freelancer-count"]
    evil = replace(entry, answer="<script>alert('x')</script> & <b>bold", topic="A & B <i>")
    html = answer_html(shared_engine.answer_for(evil))
    plain = check_html(html)
    assert "<script>" in plain and "&lt;script&gt;" in html
    assert "A & B <i>" in plain


def test_refusal_escapes_user_question_and_never_has_figures(shared_engine: Engine) -> None:
    answer = shared_engine.ask("<b>Bangladesh</b> & freelancers", log=False)
    html = answer_html(answer)
    check_html(html)
    assert "1.5 million" not in html and "3.8" not in html


def test_long_answer_is_cut_to_telegram_limit_keeping_sources(shared_engine: Engine) -> None:
    entry = shared_engine.entries["it-exports-fy25"]
    huge = replace(entry, answer="word & <tag> " * 2000)
    html = answer_html(shared_engine.answer_for(huge))
    assert len(html) <= MAX_MESSAGE
    plain = check_html(html)
    assert plain.rstrip().endswith("State Bank of Pakistan, 2025")


def test_figure_values_read_naturally() -> None:
    assert figure_value(Figure("x", 3.8, "USD billion", qualifier="over")) == "over $3.8 billion"
    assert figure_value(Figure("x", 65, "percent", qualifier="nearly")) == "nearly 65%"
    assert figure_value(Figure("x", 1_500_000, "people", qualifier="over")) == \
        "over 1.5 million people"
    assert figure_value(Figure("x", 5, "rank")) == "top five"
    assert figure_value(Figure("x", 25, "rank")) == "top 25"


def test_plain_text_for_cli_has_no_markup(shared_engine: Engine) -> None:
    text = answer_text(shared_engine.ask("freelancers count", log=False))
    assert "<" not in text and "Source:" in text


def test_citation_lists_every_source(shared_engine: Engine) -> None:
    answer = shared_engine.answer_for(shared_engine.entries["it-exports-fy25"])
    plain = check_html(citation_html(answer.sources))
    assert "Ali Z" in plain and "State Bank of Pakistan" in plain


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_question_gives_valid_html_within_limits(shared_engine: Engine, question: str) -> None:
    answer: Answer = shared_engine.ask(question, log=False)
    html = answer_html(answer)
    assert len(html) <= MAX_MESSAGE
    check_html(html)


def test_over_long_answers_with_markup_and_figures_stay_valid_html(
        shared_engine: Engine) -> None:
    """Four hundred admin answers too long for one message, full of &, < and figures: the
    fitted reply is always valid Telegram HTML within 4096 UTF-16 units, in every language."""
    import random
    from dataclasses import replace

    from tests.fakebot.html_check import check_html, check_text_length

    rng = random.Random(14)
    base = shared_engine.entries["it-exports-fy25"]
    pieces = ["R&D", "<b>", "a < b", "تعداد", "PKR 12,345", "3.8", "😀", "&amp;", "x" * 30]
    for n in range(400):
        words = [rng.choice(pieces) for _ in range(rng.randrange(250, 700))]
        entry = replace(base, answer=" ".join(words)[: 1800 + n * 7],
                        topic=rng.choice(["Exports & more", "T" * 90]))
        for language in ("en", "ur", "roman"):
            html = answer_html(shared_engine.answer_for(entry), language)
            plain = check_html(html)
            check_text_length(plain)
