"""The matcher and normaliser: languages, typos, refusals, suggestions, scale."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.matcher import POSTING_CAP, Matcher, Reason
from bot.core.normalize import Lexicon, Normalizer, fold, period_aliases, stem
from bot.kb.files import default_knowledge_dir, load_dir
from bot.kb.models import Entry, Figure


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Lexicon.load(default_knowledge_dir() / "lexicon.yaml"))


@pytest.fixture(scope="module")
def matcher(normalizer: Normalizer) -> Matcher:
    return Matcher(load_dir().entries, normalizer, extra_periods={"2025"})


def test_fold_handles_urdu_variants_digits_and_invisible_marks() -> None:
    assert fold("\u200fپاکستان\u200e") == "پاکستان"
    assert fold("٢٠٢٥ ۲۰۲۵") == "2025 2025"
    assert fold("كيا") == fold("کیا")  # Arabic kaf/yeh fold to Urdu letters
    assert fold("ＦＹ２５") == "fy25"  # NFKC


def test_roman_urdu_and_urdu_meet_english_words(normalizer: Normalizer) -> None:
    english = set(normalizer("How many freelancers are in Pakistan?").content)
    roman = set(normalizer("Pakistan mein kitne freelancers hain?").content)
    urdu = set(normalizer("پاکستان میں کتنے فری لانسرز ہیں؟").content)
    assert {"freelanc", "pakistan"} <= english & roman & urdu


def test_it_the_sector_is_not_it_the_pronoun(normalizer: Normalizer) -> None:
    assert "infotech" in normalizer("What were IT exports?").content
    assert "infotech" in normalizer("it exports pakistan").content
    assert "infotech" not in normalizer("what time is it").content


def test_stemmer_joins_verb_and_adjective_forms() -> None:
    assert {stem(w) for w in ("compete", "competes", "competed", "competing")} == {"compet"}
    assert stem("service") == stem("services") == stem("servicing")
    assert stem("companies") == "company"
    assert stem("globally") == stem("global") == "global"
    assert stem("agreed") == "agreed"  # -eed is not -ed
    assert stem("data") == "data"  # short words are left alone


def test_stopwords_hold_in_every_word_form(normalizer: Normalizer) -> None:
    assert normalizer("these things there").content == ()


def test_urdu_and_roman_urdu_it_is_the_sector(normalizer: Normalizer) -> None:
    assert "infotech" in normalizer("آئی ٹی کے لیے حکومت کیا کرے").content
    assert "infotech" in normalizer("it ki baramadat kitni hain").content
    assert "infotech" not in normalizer("is it good").content


def test_spelling_fixes_keep_the_first_letter(matcher: Matcher) -> None:
    assert matcher._correct("upwrok") == "upwork"
    assert matcher._correct("recrd") == "record"
    assert matcher._correct("report") != "export"
    assert matcher._correct("account") != "count"


def test_periods_are_recognised(normalizer: Normalizer) -> None:
    assert normalizer("IT exports in FY2025").periods == ("fy25",)
    assert {"fy25", "2025", "2024"} <= period_aliases("FY25")


@pytest.mark.parametrize(("question", "entry_id"), [
    ("What were IT exports in FY25?", "it-exports-fy25"),
    ("pakistan IT exprts fy25", "it-exports-fy25"),
    ("How many freelancers does Pakistan have?", "freelancer-count"),
    ("freelancrs count pakistan", "freelancer-count"),
    ("Pakistan mein kitne freelancers hain?", "freelancer-count"),
    ("فری لانسرز کی تعداد", "freelancer-count"),
    ("Who wrote the column?", "about-column"),
    # everyday variants the lexicon and stemmer carry to the knowledge base's words
    ("What factors drove the rise in IT exports?", "it-exports-drivers"),
    ("how many freelancers r there in pak", "freelancer-count"),
    ("What's the column's verdict on the IT sector?", "bottom-line-2025"),
    ("IT sector ke liye hukumat ko kya qadam uthane chahiye", "road-ahead-overview"),
])
def test_answers_known_questions(matcher: Matcher, question: str, entry_id: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


@pytest.mark.parametrize("question", [
    "How many freelancers are in Bangladesh?",
    "What were India's IT exports in FY25?",
    "What were Pakistan's rice exports in FY25?",
    "What were Pakistan's IT exports in 2019?",
    "What is the weather in Lahore?",
    "What should I eat for dinner?",
    "Should Pakistan join BRICS?",
    "zzzz ####",
    "",
])
def test_refuses_what_it_does_not_hold(matcher: Matcher, question: str) -> None:
    match = matcher.match(question)
    assert match.decision == "abstain"
    assert match.entry_id is None


def test_close_call_suggests_up_to_three(matcher: Matcher) -> None:
    match = matcher.match("pakistan")
    assert match.decision == "suggest"
    assert 1 <= len(match.suggestions) <= 3
    assert len({c.entry_id for c in match.suggestions}) == len(match.suggestions)


def test_period_guard_uses_the_entry_figures(normalizer: Normalizer) -> None:
    entry = Entry(id="x-fy24", topic="T", question="What were widget sales?", answer="A.",
                  alternates=("widget sales",), keywords=("widget",), sources=("column",),
                  figures=(Figure("widgets", 1, "units", "FY24"),))
    m = Matcher([entry], normalizer)
    assert m.match("widget sales in FY24").decision == "answer"
    assert m.match("widget sales in FY22").decision == "abstain"


def test_candidate_pool_is_bounded_on_a_large_knowledge_base(normalizer: Normalizer) -> None:
    entries = [
        Entry(id=f"e{i}", topic="Synthetic", question=f"What is metric {i} of pakistan widget{i}?",
              answer="Synthetic.", alternates=(f"widget{i} pakistan",), keywords=(f"widget{i}",),
              sources=("column",))
        for i in range(5000)
    ]
    m = Matcher(entries, normalizer)
    # "pakistan" is in every entry: the index must not score all 5000 of them
    assert len(m.postings["pakistan"]) == 5000 > POSTING_CAP
    match = m.match("pakistan widget4321")
    assert match.entry_id == "e4321" or match.candidates[0].entry_id == "e4321"


def test_engine_shows_both_figures_when_sources_disagree(engine: Engine) -> None:
    from dataclasses import replace

    from bot.kb.models import Source

    store = engine.store
    base = store.get("it-exports-fy25")
    other = replace(base, id="it-exports-fy25-pseb", question="PSEB figure for IT exports",
                    alternates=(), figures=(replace(base.figures[0], value=3.9, source="pseb"),),
                    sources=("pseb",))
    store.save(other, actor="test", via="cli",
               sources=[Source("pseb", "PSEB report", None, "PSEB", "2025")])
    answer = engine.answer_for(engine.entries["it-exports-fy25"]) if engine.reload() else None
    assert answer is not None
    values = {(sf.figure.value, sf.source.id if sf.source else None)
              for sf in (*answer.figures, *answer.also)}
    assert values == {(3.8, "sbp-fy25"), (3.9, "pseb")}


def test_a_year_without_figures_is_refused_as_such(matcher: Matcher) -> None:
    for question in ("What were Pakistan's IT exports in 2019?", "IT exports FY22"):
        match = matcher.match(question)
        assert (match.decision, match.reason) == ("abstain", Reason.NO_SUCH_PERIOD)


# --- the quantity guard: a question asking for a number is not answered from an entry that
# has no figure of that kind; the entry is offered as a suggestion instead.

GUARDS = (Reason.NO_FIGURE_OF_KIND, Reason.ASKS_LEADER)
QUANTITY_REASONS = ("asks for a number the entry does not give",
                    "asks for a percentage the entry does not give",
                    "asks for a money amount the entry does not give")


@pytest.fixture(scope="module")
def widgets(normalizer: Normalizer) -> Matcher:
    hubs = Entry(id="widget-hubs", topic="Widgets", question="What are the widget hubs?",
                 answer="Widget hubs help makers start out.", sources=("column",),
                 alternates=("widget hubs", "What role do widget hubs play?"),
                 keywords=("widget hubs",))
    makers = Entry(id="widget-makers", topic="Widgets", question="How many widget makers are there?",
                   answer="Over 2 million widget makers.", sources=("column",),
                   alternates=("widget makers", "number of widget makers"),
                   keywords=("widget makers",),
                   figures=(Figure("widget_makers", 2, "million people", "2025"),))
    sales = Entry(id="gadget-sales", topic="Gadgets", question="What were gadget sales?",
                  answer="Gadget sales reached $4 billion.", sources=("column",),
                  alternates=("gadget sales",), keywords=("gadget sales",),
                  figures=(Figure("gadget_sales", 4, "USD billion", "2025"),))
    return Matcher([hubs, makers, sales], normalizer)


@pytest.mark.parametrize(("question", "entry_id"), [
    ("What are the widget hubs?", "widget-hubs"),  # no number asked: answered as before
    ("How many widget makers are there?", "widget-makers"),
    ("widget makers kitne hain?", "widget-makers"),
    ("ویجیٹ makers کی تعداد", "widget-makers"),
    ("How much were gadget sales?", "gadget-sales"),
    ("How many dollars did gadget sales bring?", "gadget-sales"),
    ("How much do widget hubs help makers?", "widget-hubs"),  # a degree, not a number
    ("How does a widget maker rate the widget hubs?", "widget-hubs"),  # "rate" the verb
    ("Do widget hubs play a role for a growing number of people?", "widget-hubs"),  # describes
])
def test_quantity_guard_lets_fitting_questions_through(widgets: Matcher, question: str,
                                                       entry_id: str) -> None:
    match = widgets.match(question)
    assert (match.decision, match.entry_id) == ("answer", entry_id), match.reason


@pytest.mark.parametrize(("question", "entry_id", "reason"), [
    ("How many widget hubs are there?", "widget-hubs", QUANTITY_REASONS[0]),
    ("widget hubs kitne hain?", "widget-hubs", QUANTITY_REASONS[0]),
    ("What is the success rate of widget hubs?", "widget-hubs",
     "asks for a rate the entry does not give"),  # a rate: a percentage or a price
    ("What percentage of widget makers are skilled?", "widget-makers", QUANTITY_REASONS[1]),
    ("How much commission do widget makers pay?", "widget-makers", QUANTITY_REASONS[2]),
    ("How much do widget makers earn?", "widget-makers", QUANTITY_REASONS[2]),
])
def test_quantity_guard_offers_the_entry_instead_of_answering(
        widgets: Matcher, question: str, entry_id: str, reason: str) -> None:
    match = widgets.match(question)
    assert (match.decision, match.entry_id, match.why) == ("suggest", None, reason)
    assert match.suggestions[0].entry_id == entry_id


@pytest.mark.parametrize("question", [
    "How many freelancers does Pakistan have?",
    "How much were IT exports in FY25?",
    "kitne log freelancing karte hain",
    "What share of people are under 30?",
    "What percentage of Pakistanis are younger than 30?",
    "How many billion dollars could IT exports reach in a few years?",
    "Total number of freelancers in Pakistan?",
    "پاکستان کی آبادی کا کتنا حصہ نوجوان ہے؟",
    "How does Pakistan rate among freelancing nations?",
])
def test_quantity_questions_with_a_figure_are_answered(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).decision == "answer"


@pytest.mark.parametrize(("question", "entry_id"), [
    ("How many startups does Pakistan have?", "startup-sectors-investors"),
    ("How many people work in Pakistani call centres?", "segment-call-centres-bpo"),
    ("What percentage of IT exports come from call centres?", "segment-call-centres-bpo"),
    ("Kitne investors ne Pakistani startups mein paisa lagaya?", "startup-sectors-investors"),
    ("آئی ٹی برآمدات میں سافٹ ویئر کا کتنا فیصد حصہ ہے؟", "segment-software-it-services"),
    ("How many AI and cybersecurity specialists does Pakistan train each year?",
     "road-ahead-future-skills-training"),
])
def test_quantity_questions_without_a_figure_are_offered_not_answered(
        matcher: Matcher, question: str, entry_id: str) -> None:
    match = matcher.match(question)
    assert match.decision == "suggest"
    assert match.reason is Reason.NO_FIGURE_OF_KIND and match.why in QUANTITY_REASONS
    assert entry_id in {c.entry_id for c in match.suggestions}


@pytest.mark.parametrize("question", [
    "What country ranks first in freelancing?",
    "دنیا میں سب سے زیادہ فری لانسرز کس ملک میں ہیں؟",
])
def test_which_country_leads_is_not_answered_with_pakistans_rank(matcher: Matcher,
                                                                  question: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.reason) == ("suggest", Reason.ASKS_LEADER)
    assert "freelancing-top-five" in {c.entry_id for c in match.suggestions}
    # about Pakistan's own place, it still answers
    assert matcher.match("Is Pakistan the country with the most freelancers?").decision == "answer"


def test_an_entrys_own_question_is_never_refused_by_the_guard(normalizer: Normalizer) -> None:
    """An admin who aliases "how many hubs?" to the hubs entry has decided it answers it."""
    hubs = Entry(id="widget-hubs", topic="Widgets", question="What are the widget hubs?",
                 answer="Widget hubs help makers start out.", sources=("column",),
                 alternates=("widget hubs", "How many widget hubs are there?"),
                 keywords=("widget hubs",))
    m = Matcher([hubs], normalizer)
    assert m.match("How many widget hubs are there?").decision == "answer"
    assert m.match("How many widget hubs are in Lahore?").decision == "suggest"


def test_no_curated_question_trips_the_guards(matcher: Matcher) -> None:
    """Every number the knowledge base's own questions ask for, their entry gives."""
    for entry in load_dir().entries:
        for question in entry.questions:
            assert matcher.match(question).reason not in GUARDS, (entry.id, question)


@pytest.mark.parametrize(("message", "kind"), [
    ("Assalam o alaikum", "greeting"), ("salam bhai", "greeting"), ("hi there", "greeting"),
    ("السلام علیکم", "greeting"), ("How are you?", "greeting"), ("kya haal hai", "greeting"),
    ("Thanks!", "thanks"), ("shukriya", "thanks"), ("بہت شکریہ", "thanks"),
    ("khuda hafiz", "goodbye"),
])
def test_a_greeting_alone_is_small_talk_not_a_question(matcher: Matcher, message: str,
                                                       kind: str) -> None:
    match = matcher.match(message)
    assert (match.decision, match.reason, match.detail) == ("abstain", Reason.SMALL_TALK, kind)
    assert match.normalized.text == ""  # nothing for the admins' unanswered list


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Salam! IT exports kitni hain?", "it-exports-fy25"),
    ("Hello, how many freelancers does Pakistan have?", "freelancer-count"),
    ("AoA bhai, freelancers kis platform pe kaam karte hain?", "freelancing-platforms"),
    ("Thanks. And which startups attract foreign investors?", "startup-sectors-investors"),
    ("السلام علیکم، پاکستان میں کتنے فری لانسرز ہیں؟", "freelancer-count"),
])
def test_a_greeting_around_a_question_does_not_stop_the_answer(matcher: Matcher, question: str,
                                                                entry_id: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


@pytest.mark.parametrize("question", [
    "Can you suggest a good book?", "What do you recommend for dinner?", "Can you help me?",
])
def test_a_word_of_asking_alone_does_not_make_a_question_on_topic(matcher: Matcher,
                                                                  question: str) -> None:
    assert matcher.match(question).decision != "answer"


@pytest.mark.parametrize(("question", "entry_id"), [
    ("What does the column recommend?", "road-ahead-overview"),
    ("Any suggestions for improving IT exports?", "road-ahead-overview"),
    ("این آئی سی کیا ہے", "national-incubation-centers"),
])
def test_asking_words_still_count_alongside_a_topic(matcher: Matcher, question: str,
                                                    entry_id: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


@pytest.mark.parametrize("question", [
    "What is the average monthly earning of a Pakistani freelancer?",
    "Which Netflix drama should I watch?",
])
def test_averages_and_entertainment_are_not_answered_with_column_figures(
        matcher: Matcher, question: str) -> None:
    assert matcher.match(question).decision != "answer"


@pytest.mark.parametrize("question", [
    "What are the recommendations?", "Any suggestions?", "What advice is given?",
    "sifarishat kya hain", "تجاویز",
])
def test_asking_for_the_columns_recommendations_is_still_answered(matcher: Matcher,
                                                                  question: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.entry_id) == ("answer", "road-ahead-overview")


@pytest.mark.parametrize("message", [
    "Thanks for the info", "thanks for the answer", "thanks for the help", "ok thanks",
    "thanks bro", "hi bot", "hello sir", "jazakallah khair", "Can you help me?",
])
def test_small_talk_with_filler_words_is_still_small_talk(matcher: Matcher, message: str) -> None:
    match = matcher.match(message)
    assert match.decision == "abstain" and match.reason is Reason.SMALL_TALK
    assert match.normalized.text == ""


@pytest.mark.parametrize(("question", "decision", "reason"), [
    ("Do we export film editing services?", "answer", "confident"),
    ("Is rural broadband coverage below average?", "answer", "confident"),
    ("Is IP protection in Pakistan below the global average?", "answer", "confident"),
    ("What were average IT exports?", "suggest", "asks for an average the entry does not give"),
    ("IT exports ka ausat kya hai", "suggest", "asks for an average the entry does not give"),
])
def test_averages_are_asked_for_only_when_they_are_asked_for(
        matcher: Matcher, question: str, decision: str, reason: str) -> None:
    match = matcher.match(question)
    assert (match.decision, match.why) == (decision, reason)


def test_quarters_halves_and_month_ranges_are_read_as_periods(normalizer: Normalizer) -> None:
    assert normalizer("exports in Q3 2026").periods == ("q20263", "2026")
    assert normalizer("the third quarter of 2026").periods == ("q20263", "2026")
    assert normalizer("between January and March 2026").periods == ("q20261", "2026")
    assert normalizer("July-September 2026").periods == ("q20263", "2026")
    assert normalizer("first half of 2026").periods == ("h20261", "2026")
    assert normalizer("the last quarter of 2025").periods == ("q20254", "2025")
    assert normalizer("July 2025").periods == ("m202507", "2025")  # a month stays a month
    assert {"q20261", "2026"} <= period_aliases("Q1 2026")


def test_relative_halves_and_years_to_june_are_read_as_periods(normalizer: Normalizer) -> None:
    import datetime as dt

    last = dt.date.today().year - 1
    assert normalizer("in last year's second half").periods == (f"h{last}2", str(last))
    assert normalizer("the second half of last year").periods == (f"h{last}2", str(last))
    assert normalizer("the year to June 2025").periods == ("fy25",)
    assert normalizer("the year ended June 2024").periods == ("fy24",)


def test_halves_and_quarters_in_roman_urdu_and_urdu_are_periods(normalizer: Normalizer) -> None:
    import datetime as dt

    last = dt.date.today().year - 1
    assert normalizer("pichle saal ke pehle chhe mahine").periods == (f"h{last}1", str(last))
    assert normalizer("پچھلے سال کی دوسری ششماہی").periods == (f"h{last}2", str(last))
    assert normalizer("تیسری سہ ماہی 2026").periods == ("q20263", "2026")
    assert normalizer("teesri quarter of 2026").periods == ("q20263", "2026")


def test_plural_acronyms_meet_their_singular(normalizer: Normalizer) -> None:
    assert "ixp" in normalizer("How many IXPs are there?").tokens
    assert normalizer("EMIs").tokens == normalizer("EMI").tokens == ("emi",)
