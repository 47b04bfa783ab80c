"""Hostile and random input: property-based tests over the matcher, the formatter and the
import parsers, and a bounded fuzz run of 10,000 random real-shaped updates through the
whole application against the fake Bot API (which validates every call and its HTML).

(tests/test_formatting.py already checks any question through the engine and formatter.)
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.core.formatting import MAX_MESSAGE, answer_html, citation_html
from bot.errors import KnowledgeError
from bot.kb.files import URL_RE, parse_document
from bot.kb.models import Entry, Figure, Source
from bot.kb.store import open_store
from tests.e2e import started
from tests.fakebot import updates
from tests.fakebot.html_check import check_html
from tests.fakebot.server import FakeBotAPI

TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
SHORT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=80)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = Engine(open_store(tmp_path_factory.mktemp("fuzz") / "kb.sqlite3"))
    yield eng
    eng.store.close()


# -- the matcher ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_matcher_never_raises_and_ranks_known_entries(engine: Engine, text: str) -> None:
    match = engine.matcher.match(text)
    for candidate in match.candidates:
        assert candidate.entry_id in engine.entries


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["IT", "exports", "FY25", "freelancers", "kitne", "فری",
                                 "لانسرز", "\u200f", "\u0000", "🇵🇰", "<b>", "&amp;", "\n"]),
                max_size=30))
def test_matcher_on_mixed_script_word_salad(engine: Engine, words: list[str]) -> None:
    answer = engine.ask(" ".join(words), log=False)
    html = answer_html(answer)
    assert len(html) <= MAX_MESSAGE
    check_html(html)


# -- the formatter ---------------------------------------------------------------------------


FIGURE = st.builds(Figure, metric=SHORT, value=st.floats(allow_nan=False, allow_infinity=False),
                   unit=st.sampled_from(["USD billion", "percent", "people", "rank", "companies"])
                   | SHORT,
                   period=st.none() | SHORT, period_label=st.none() | SHORT,
                   qualifier=st.none() | st.sampled_from(["over", "nearly", "about"]) | SHORT,
                   source=st.just("hostile-src"))
SOURCE = st.builds(Source, id=st.just("hostile-src"), title=SHORT,
                   author=st.none() | SHORT, publisher=st.none() | SHORT,
                   date=st.none() | SHORT,
                   # any URL the import and /add checks let through (URL_RE), quotes and all
                   url=st.none() | st.from_regex(URL_RE, fullmatch=True).map(lambda u: u[:500]),
                   kind=st.sampled_from(["primary", "column"]))


@settings(max_examples=300, deadline=None)
@given(question=TEXT.filter(str.strip), answer=st.text(st.characters(codec="utf-8"),
                                                       min_size=1, max_size=3000),
       topic=SHORT, figures=st.lists(FIGURE, max_size=4), source=SOURCE)
def test_any_entry_and_source_format_to_valid_html_within_limits(
        engine: Engine, question: str, answer: str, topic: str, figures: list[Figure],
        source: Source) -> None:
    base = next(iter(engine.entries.values()))
    entry = replace(base, id="hostile", question=question, answer=answer, topic=topic,
                    figures=tuple(figures), sources=("hostile-src", *base.sources))
    engine.sources["hostile-src"] = source  # the engine's current snapshot, for this case
    try:
        result = engine.answer_for(entry)
        for html in (answer_html(result), citation_html(result.sources)):
            assert len(html) <= MAX_MESSAGE
            check_html(html)
    finally:
        del engine.sources["hostile-src"]


# -- the import parsers ---------------------------------------------------------------------


NAMES = st.sampled_from(["k.yaml", "k.yml", "k.json", "k.csv", "k", "k.txt"])


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), name=NAMES)
def test_parse_document_on_arbitrary_bytes_only_reports_problems(data: bytes, name: str) -> None:
    try:
        parse_document(data, name)
    except KnowledgeError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


@pytest.mark.parametrize("data", [b"\r\x01", b"id,topic,question,answer,sources\n" +
                                  b"a,b," + b"q" * 200_000 + b",d,e\n"])
def test_csv_import_errors_are_reported_as_problems(data: bytes) -> None:
    with pytest.raises(KnowledgeError):
        parse_document(data, "k.csv")


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                       | TEXT, lambda kids: st.lists(kids, max_size=4)
                       | st.dictionaries(SHORT, kids, max_size=4), max_leaves=20)
ENTRY_DOC = st.fixed_dictionaries({
    "id": SHORT | JSONISH, "topic": SHORT | JSONISH, "question": TEXT | JSONISH,
    "answer": TEXT | JSONISH, "alternates": st.lists(TEXT, max_size=8) | JSONISH,
    "sources": st.lists(st.sampled_from(["column", "sbp", "nope"]) | SHORT, max_size=3) | JSONISH,
    "figures": st.lists(st.dictionaries(st.sampled_from(
        ["metric", "value", "unit", "period", "qualifier", "source"]), JSONISH), max_size=2),
}, optional={"keywords": JSONISH, "extra": JSONISH})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(ENTRY_DOC, max_size=4), fmt=st.sampled_from(["json", "yaml", "csv"]))
def test_parse_document_on_hostile_documents(entries: list[dict[str, Any]], fmt: str) -> None:
    import io

    import yaml

    doc = {"entries": entries}
    if fmt == "json":
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
    elif fmt == "yaml":
        raw = yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, ["id", "topic", "question", "alternates", "answer",
                                      "figures", "keywords", "sources"], extrasaction="ignore")
        writer.writeheader()
        for e in entries:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if not isinstance(v, str)
                             else v for k, v in e.items()})
        raw = out.getvalue().encode("utf-8", "surrogatepass")
    try:
        knowledge = parse_document(raw, f"import.{fmt}")
    except KnowledgeError as exc:
        assert exc.problems
        return
    for entry in knowledge.entries:  # whatever validates is safe to show
        assert isinstance(entry, Entry) and entry.id and entry.question and entry.answer


# -- 10,000 random real-shaped updates through the whole application ------------------------


FUZZ_UPDATES = int(os.environ.get("PKITBOT_FUZZ_UPDATES", "10000"))
ADMIN = 4242
WORDS = ["IT", "exports", "FY25", "freelancers", "Pakistan", "mein", "kitne", "hain", "?",
         "فری", "لانسرز", "کی", "تعداد", "Bangladesh", "2031", "<b>", "</i>", "&", "&amp;",
         "<a href='x'>", "\u202e", "\u200d", "🇵🇰", "🙂", "\x00", "\x1b[31m", "'; DROP TABLE",
         "%s", "{0}", "\\", "\n", "   ", "ﷺ", "Z̷͖̈a̴̜͐l̶͎̚g̵̣̈́o̵͚͝", "x" * 300]
COMMANDS = ["/start", "/help", "/about", "/topics", "/fact", "/source", "/source it-exports-fy25",
            "/source <b>", "/ask", "/subscribe", "/unsubscribe", "/add a|b|c", "/delete x",
            "/edit it-exports-fy25 answer pwned", "/grant 1", "/undo", "/stats", "/export",
            "/unanswered", "/history it-exports-fy25", "/import", "/nosuch", "/ask@pkit_test_bot",
            "/ask@otherbot", "/start@pkit_test_bot deep-link"]


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
    if kind < 0.5:
        return rng.choice(COMMANDS) + " " + " ".join(rng.choice(WORDS)
                                                     for _ in range(rng.randint(0, 5)))
    if kind < 0.65:
        return "".join(chr(rng.choice([rng.randint(32, 0x2FF), rng.randint(0x600, 0x6FF),
                                       rng.randint(0x1F300, 0x1F6FF), rng.randint(0x4E00, 0x4FFF)]))
                       for _ in range(rng.randint(1, 200)))
    return rng.choice(["What were IT exports in FY25?", "Pakistan mein kitne freelancers hain?",
                       "فری لانسرز کی تعداد", "how many IT companies?", "hello", "pakistan",
                       "what share of freelancers is under 30?", "IT exports FY31"])


def _update(rng: random.Random, fake: FakeBotAPI, sent: list[dict[str, Any]]) -> dict[str, Any]:
    user = rng.choice([ADMIN, *range(6000, 6400)])
    group = rng.choice([-100900, -100901, -100902])
    bot = fake.bot_username
    kind = rng.random()
    text = _text(rng)
    if kind < 0.35:
        return updates.private_text(user, text)
    if kind < 0.50:
        prefix = rng.choice(["", f"@{bot} ", f"/ask@{bot} ", "/ask "])
        return updates.group_text(group, user, prefix + text)
    if kind < 0.55:
        return updates.channel_post(-100950, rng.choice(["", "/ask ", f"/ask@{bot} "]) + text)
    if kind < 0.68:
        return updates.inline_query(user, text[:256])
    if kind < 0.82 and sent:
        message = rng.choice(sent)
        data = rng.choice([
            f"a:{rng.choice(['it-exports-fy25', 'freelancer-count', 'nope'])}",
            "v:+:it-exports-fy25", "v:-:freelancer-count", "s:it-exports-fy25", "t:0", "t:999",
            "x", "u:a:1:it-exports-fy25", "u:d:1", "i:y:abc", "", ":::", "a:" + "é" * 20])
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            if rng.random() < 0.5:
                data = rng.choice(row).get("callback_data", data)
        return updates.callback_query(int(message["chat"]["id"]), message, data)
    if kind < 0.86:
        body = rng.choice([b"entries: []\n", b"\xff\xfe garbage", b"entries:\n - id: [\n",
                           json.dumps({"entries": [{"id": text[:40]}]}).encode()])
        name = rng.choice(["kb.yaml", "kb.json", "kb.csv", "evil.exe", "../../etc/passwd"])
        document = fake.add_file(f"fuzz-{rng.getrandbits(40)}", body, name)
        return updates.document_message(user, document,
                                        caption=rng.choice([None, "/import", "hello"]))
    if kind < 0.89:
        return updates.photo_message(user, caption=rng.choice([None, text[:100]]))
    if kind < 0.92:
        return updates.sticker_message(user)
    if kind < 0.95:
        return updates.voice_message(user)
    return updates.edited_message(updates.private_text(user, "old"), text)


async def test_ten_thousand_random_updates_no_crash_no_400(fake: FakeBotAPI,
                                                           db_path: Path) -> None:
    rng = random.Random(20250101)
    handled_errors: list[BaseException] = []
    async with started(fake, db_path, admins=frozenset({ADMIN})) as app:
        async def keep(update: object, context: Any) -> None:
            handled_errors.append(context.error)

        app.add_error_handler(keep)
        pushed = 0
        while pushed < FUZZ_UPDATES:
            sent = [m for m in fake.results("sendMessage")[-200:] if isinstance(m, dict)]
            for _ in range(500):
                fake.push_update(_update(rng, fake, sent))
            pushed += 500
            while fake.pending_updates() > 100:
                await asyncio.sleep(0.02)
        while fake.pending_updates():
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        poller = app.bot_data.poller
        assert poller.running  # still polling after all that
        handled = poller.handled + poller.dropped  # dropped: over a sender's limits, on arrival
    assert handled == FUZZ_UPDATES
    assert fake.internal_errors == []
    # "message is not modified" is Telegram's answer to a double tap on a button; the bot
    # expects and ignores it. Any other 4xx is a bug.
    refused = [(r.method, r.status, r.description) for r in fake.errors
               if "not modified" not in (r.description or "")]
    assert refused == []
    assert handled_errors == []
    # it kept answering all along: real questions, inline queries and buttons
    assert len(fake.sent("sendMessage")) > FUZZ_UPDATES // 5
    assert len(fake.sent("answerInlineQuery")) > FUZZ_UPDATES // 20
    assert len(fake.sent("answerCallbackQuery")) > FUZZ_UPDATES // 20


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def test_a_failing_handler_still_answers_once(fake: FakeBotAPI, db_path: Path) -> None:
    """A bug in a handler (here: the CSV parser raising csv.Error on a bare CR) gets the
    admin one apology instead of silence, and the bot keeps answering."""
    document = fake.add_file("bad-csv", b"\r\x01", "kb.csv")
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        fake.push_update(updates.private_text(ADMIN + 1, "What were IT exports in FY25?"))
        await fake.wait_for("sendMessage", count=2, timeout=10)
        await asyncio.sleep(0.3)
    replies = [str(p.get("text")) for p in fake.sent("sendMessage", ADMIN)]
    assert len(replies) == 1
    assert "Sorry, something went wrong" in replies[0] or "not imported" in replies[0]
    assert fake.errors == []
