"""The three languages end to end: the real Application against the fake Bot API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import buttons, started, texts
from tests.fakebot import updates
from tests.fakebot.html_check import check_html
from tests.fakebot.server import FakeBotAPI

USER = 7101
GROUP = -100555


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def test_urdu_in_urdu_out_roman_in_roman_out_english_stays(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "پاکستان میں کتنے فری لانسرز ہیں؟",
                                              language_code="ur"))
        fake.push_update(updates.private_text(USER + 1, "Pakistan ki IT exports kitni hain?"))
        fake.push_update(updates.private_text(USER + 2, "What were IT exports in FY25?",
                                              language_code="ur"))
        await fake.wait_for("sendMessage", count=3)
    (urdu,) = fake.sent("sendMessage", USER)
    plain = check_html(urdu["text"])  # the fake's HTML check passes
    assert "فری لانسنگ" in plain and "1.5\u2069 ملین" in plain and "ماخذ" in plain
    assert "Ali Z" in plain  # sourced
    assert [t for t, _ in buttons(urdu)][2:] == ["📚 ذرائع", "↗️ شیئر کریں"]
    roman = texts(fake, USER + 1)[0]
    assert "3.8 billion dollar se zyada" in roman and "State Bank" in roman
    english = texts(fake, USER + 2)[0]
    assert "over $3.8 billion" in english and "\u2068" not in english
    assert fake.errors == []


async def test_language_choice_is_remembered_and_wins(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "/language"))
        (prompt,) = await fake.wait_for("sendMessage")
        codes = [data for _, data in buttons(prompt.params)]
        assert codes == ["l:en", "l:ur", "l:roman", "l:auto"]
        fake.push_update(updates.callback_query(USER, fake.last_sent(USER), "l:ur"))
        await fake.wait_for("editMessageText")
    edited = fake.sent("editMessageText")[0]
    assert "اردو" in edited["text"]
    async with started(fake, db_path):  # a restart: the choice is in the database
        fake.push_update(updates.private_text(USER, "How many freelancers does Pakistan have?"))
        fake.push_update(updates.private_text(USER, "/help"))
        await fake.wait_for("sendMessage", count=3)
    answer, help_text = texts(fake, USER)[1:3]
    assert "ملین" in answer and "سوال کیسے پوچھیں" in help_text


async def test_start_and_help_follow_the_language_code(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "/start", language_code="ur"))
        fake.push_update(updates.private_text(USER + 1, "/help", language_code="en"))
        await fake.wait_for("sendMessage", count=2)
    assert texts(fake, USER)[0].startswith("السلام علیکم")
    assert "آئی ٹی برآمدات" in texts(fake, USER)[0]  # the topics in Urdu
    assert texts(fake, USER + 1)[0].startswith("<b>How to ask</b>")


async def test_menus_and_descriptions_are_set_for_urdu(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        pass
    urdu = {k: v for k, v in fake.commands.items() if json.loads(k)[1] == "ur"}
    assert len(urdu) == 3  # private, groups, group admins
    private = next(v for k, v in urdu.items() if json.loads(k)[0]["type"] == "all_private_chats")
    assert {"command": "language", "description": "جواب کی زبان: اردو، رومن اردو، انگریزی"} \
        in private
    assert any(c["command"] == "language" for v in fake.commands.values() for c in v)
    assert "مستند" in fake.descriptions["description:ur"]
    assert fake.descriptions["short_description:ur"]
    assert "sourced figures" in fake.descriptions["description:"]
    assert fake.descriptions["short_description:"]


async def test_deep_link_start_answers_that_entry(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "/start freelancer-count"))
        fake.push_update(updates.private_text(USER + 1, "/start freelancer-count",
                                              language_code="ur"))
        await fake.wait_for("sendMessage", count=2)
    assert "over 1.5 million" in texts(fake, USER)[0]
    assert "ملین" in texts(fake, USER + 1)[0]
    share = [b for row in fake.last_sent(USER)["reply_markup"]["inline_keyboard"] for b in row
             if "switch_inline_query" in b]
    assert share and share[0]["switch_inline_query"]


async def test_inline_urdu_query_gives_urdu_results_and_a_button(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.inline_query(USER, "فری لانسرز"))
        (call,) = await fake.wait_for("answerInlineQuery")
    params = call.params
    assert params["button"]["start_parameter"] == "inline"
    first = params["results"][0]
    text = first["input_message_content"]["message_text"]
    check_html(text)
    assert "ملین" in text and "ماخذ" in text
    assert first["reply_markup"]["inline_keyboard"][0][0]["url"].endswith(
        f"?start={first['id']}")
    assert fake.errors == []


async def test_groups_answer_in_the_askers_language(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.group_text(GROUP, USER, "/ask پاکستان میں کتنے فری لانسرز ہیں؟"))
        fake.push_update(updates.group_text(GROUP, USER + 1, "/ask How many freelancers?"))
        await fake.wait_for("sendMessage", count=2)
    first, second = texts(fake, GROUP)
    assert "ملین" in first and "over 1.5 million" in second


async def test_refusals_and_greetings_in_urdu(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "السلام علیکم"))
        fake.push_update(updates.private_text(USER + 1, "بنگلہ دیش میں کتنے فری لانسرز ہیں"))
        await fake.wait_for("sendMessage", count=2)
    assert texts(fake, USER)[0].startswith("وعلیکم السلام")
    refusal = texts(fake, USER + 1)[0]
    assert refusal.startswith("میرے پاس صرف") and "آئی ٹی برآمدات" in refusal
    assert fake.errors == []
