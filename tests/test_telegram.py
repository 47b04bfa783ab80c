"""The Telegram bot end to end: the real Application against the local fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb.store import open_store
from tests.e2e import buttons, started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

USER = 5001
GROUP = -100777
CHANNEL = -100888


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def test_private_question_gets_sourced_answer_with_buttons(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "What were IT exports in FY25?"))
        (call,) = await fake.wait_for("sendMessage")
    params = call.params
    assert params["chat_id"] == USER
    assert "3.8 billion" in params["text"]
    assert "Source:" in params["text"] and "Ali Z" in params["text"]
    assert "State Bank of Pakistan" in params["text"]
    assert params["parse_mode"] == "HTML"
    labels = [b[0] for b in buttons(params)]
    assert labels == ["👍", "👎", "📚 Sources", "↗️ Share"]
    assert fake.errors == []


async def test_roman_urdu_and_urdu_questions_are_answered(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "Pakistan mein kitne freelancers hain?"))
        fake.push_update(updates.private_text(USER + 1, "فری لانسرز کی تعداد"))
        await fake.wait_for("sendMessage", count=2)
    assert "1.5 million" in texts(fake, USER)[0]
    assert "1.5\u2069 ملین" in texts(fake, USER + 1)[0]  # answered in Urdu (tests/test_languages.py)


async def test_off_topic_question_is_refused_without_figures(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "How many freelancers are in Bangladesh?"))
        await fake.wait_for("sendMessage")
    (text,) = texts(fake, USER)
    assert "1.5 million" not in text and "Pakistan's IT sector" in text


async def test_greetings_get_a_friendly_reply_and_a_greeted_question_its_answer(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "Assalam o alaikum"))
        fake.push_update(updates.private_text(USER + 1, "Salam! Pakistan mein kitne freelancers hain?"))
        fake.push_update(updates.private_text(USER + 2, "shukriya"))
        await fake.wait_for("sendMessage", count=3)
    (hello,) = fake.sent("sendMessage", USER)
    assert hello["text"].startswith("Wa alaikum assalam!") and "reply_markup" not in hello
    assert "1.5 million" in texts(fake, USER + 1)[0]
    assert texts(fake, USER + 2)[0].startswith("Aap ka bhi shukriya!")  # answered in kind
    store = open_store(db_path)
    assert store.usage.unanswered() == []  # greetings are not questions for the admins
    store.close()


async def test_start_help_about_topics_and_fact(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        for command in ("/start", "/help", "/about", "/topics", "/fact"):
            fake.push_update(updates.private_text(USER, command))
        calls = await fake.wait_for("sendMessage", count=5)
    start, help_, about, topics, fact = (c.params for c in calls)
    assert "Pakistan mein kitne freelancers hain?" in start["text"]
    assert "/ask" in help_["text"]
    assert "Ali Z" in about["text"] and "5th Column" in about["text"]
    assert all(data.startswith("t:") for _, data in buttons(topics))
    assert "Source:" in fact["text"]
    assert fake.errors == []


async def test_commands_registered_per_scope(fake: FakeBotAPI, db_path: Path) -> None:
    fake.register_chat(4242, "private")
    async with started(fake, db_path, admins=frozenset({4242})):
        calls = await fake.wait_for("setMyCommands", count=4)
    scopes = {c.params["scope"]["type"]: c.params for c in calls}
    assert set(scopes) == {"all_private_chats", "all_group_chats", "all_chat_administrators",
                           "chat"}
    assert scopes["chat"]["scope"]["chat_id"] == 4242
    admin_menu = {c["command"] for c in scopes["chat"]["commands"]}
    assert {"add", "edit", "undo", "ask"} <= admin_menu
    assert "add" not in {c["command"] for c in scopes["all_private_chats"]["commands"]}


async def test_group_answers_ask_mention_and_reply_but_ignores_chatter(
        fake: FakeBotAPI, db_path: Path) -> None:
    bot = fake.bot_username
    async with started(fake, db_path):
        fake.push_update(updates.group_text(GROUP, USER, "just chatting about cricket"))
        fake.push_update(updates.group_text(GROUP, USER, "/ask@otherbot IT exports FY25"))
        ask = updates.group_text(GROUP, USER, f"/ask@{bot} IT exports FY25?")
        fake.push_update(ask)
        first = (await fake.wait_for("sendMessage"))[0].params
        assert first["reply_parameters"]["message_id"] == ask["message"]["message_id"]
        assert "3.8 billion" in first["text"]
        fake.push_update(updates.group_text(GROUP, USER, f"@{bot} how many freelancers?"))
        await fake.wait_for("sendMessage", count=2)
        bot_message = fake.last_sent(GROUP)
        fake.push_update(updates.group_text(GROUP, USER + 1, "what share is under 30?",
                                            reply_to_bot_message=bot_message))
        await fake.wait_for("sendMessage", count=3)
        fake.push_update(updates.group_text(GROUP, USER, "/ask what drove IT exports?"))
        await fake.wait_for("sendMessage", count=4)
    sent = texts(fake, GROUP)
    assert len(sent) == 4
    assert "1.5 million" in sent[1]
    assert "65%" in sent[2]


async def test_channel_post_ask_is_answered_in_channel(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.channel_post(CHANNEL, "good morning everyone"))
        fake.push_update(updates.channel_post(CHANNEL, f"/ask@{fake.bot_username} IT exports FY25"))
        await fake.wait_for("sendMessage")
    (text,) = texts(fake, CHANNEL)
    assert "3.8 billion" in text


async def test_inline_query_offers_sourced_articles(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.inline_query(USER, "freelancers"))
        fake.push_update(updates.inline_query(USER, ""))
        calls = await fake.wait_for("answerInlineQuery", count=2)
    for call in calls:
        results = call.params["results"]
        assert 1 <= len(results) <= 10
        assert call.params["cache_time"] > 0
        for result in results:
            assert result["type"] == "article"
            assert "Source:" in result["input_message_content"]["message_text"]
    assert any("1.5 million" in r["input_message_content"]["message_text"]
               for r in calls[0].params["results"])
    assert fake.errors == []


async def test_feedback_and_sources_buttons(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path) as app:
        fake.push_update(updates.private_text(USER, "How many freelancers in Pakistan?"))
        await fake.wait_for("sendMessage")
        answer = fake.last_sent(USER)
        (up, _down, sources, _share) = [data for _, data in buttons({"reply_markup": answer["reply_markup"]})]
        fake.push_update(updates.callback_query(USER, answer, up))
        await fake.wait_for("editMessageReplyMarkup")
        fake.push_update(updates.callback_query(USER, fake.message(USER, answer["message_id"]),
                                                sources))
        await fake.wait_for("editMessageText")
        store = app.bot_data.state.store
        votes = list(store.db.query("SELECT entry_id, vote FROM feedback"))
    thanked = fake.sent("editMessageReplyMarkup")[0]
    assert [t for t, _ in buttons(thanked)] == ["🙏 Thanks for your feedback", "📚 Sources",
                                               "↗️ Share"]
    expanded = fake.sent("editMessageText")[0]
    assert "<b>Sources</b>" in expanded["text"] and "Ali Z" in expanded["text"]
    assert votes == [{"entry_id": up.split(":")[2], "vote": 1}]
    acks = fake.sent("answerCallbackQuery")
    assert len(acks) == 2
    assert fake.errors == []


async def test_did_you_mean_buttons_carry_ids_and_answer(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "pakistan"))
        await fake.wait_for("sendMessage")
        msg = fake.last_sent(USER)
        options = buttons({"reply_markup": msg.get("reply_markup") or {}})
        assert options and all(d.startswith("a:") and len(d.encode()) <= 64 for _, d in options)
        fake.push_update(updates.callback_query(USER, msg, options[0][1]))
        await fake.wait_for("sendMessage", count=2)
    assert "Source:" in texts(fake, USER)[1]


async def test_stale_callback_gets_polite_notice(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "/fact"))
        await fake.wait_for("sendMessage")
        msg = fake.last_sent(USER)
        fake.push_update(updates.callback_query(USER, msg, "a:no-such-entry"))
        fake.push_update(updates.callback_query(USER, msg, "garbage"))
        calls = await fake.wait_for("answerCallbackQuery", count=2)
    assert all("out of date" in c.params.get("text", "") for c in calls)
    assert fake.errors == []


async def test_subscribe_in_group_needs_admin_and_daily_fact_is_sent(
        fake: FakeBotAPI, db_path: Path) -> None:
    from bot.tg.subscriptions import send_daily_fact

    async with started(fake, db_path) as app:
        fake.push_update(updates.group_text(GROUP, USER, "/subscribe"))
        await fake.wait_for("sendMessage")
        assert "Only this group's admins" in texts(fake, GROUP)[0]
        fake.set_chat_member_status(GROUP, USER, "administrator")
        fake.push_update(updates.group_text(GROUP, USER, "/subscribe"))
        await fake.wait_for("sendMessage", count=2)
        assert "Subscribed" in texts(fake, GROUP)[1]
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("daily-fact")
        await job.run(app)
        await job.run(app)
        await fake.wait_for("sendMessage", count=4)
    facts = texts(fake, GROUP)[2:]
    assert all("Fact of the day" in f and "Source:" in f for f in facts)
    assert facts[0] != facts[1]
    assert send_daily_fact is not None


async def test_bad_input_is_handled_politely(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "<b>IT exports</b> & <script>x</script>"))
        fake.push_update(updates.private_text(USER, "x" * 4000))
        fake.push_update(updates.private_text(USER, "/ask"))
        fake.push_update(updates.private_text(USER, "/nosuchcommand"))
        fake.push_update(updates.sticker_message(USER) if hasattr(updates, "sticker_message")
                         else updates.private_text(USER, "🙂"))
        await fake.wait_for("sendMessage", count=5)
    sent = texts(fake, USER)
    assert "too long" in sent[1]
    assert "/ask" in sent[2]
    assert "don't know the command" in sent[3]
    assert fake.errors == []


async def test_429_and_5xx_still_give_exactly_one_answer_each(
        fake: FakeBotAPI, db_path: Path) -> None:
    fake.inject("sendMessage", "429", times=2, retry_after=1)
    fake.inject("sendMessage", "502", times=1)
    async with started(fake, db_path):
        for i in range(5):
            fake.push_update(updates.private_text(USER + i, "IT exports FY25"))
        await fake.wait_for("sendMessage", count=5, timeout=15)
        import asyncio

        await asyncio.sleep(0.5)
    for i in range(5):
        assert len(texts(fake, USER + i)) == 1


async def test_group_flood_is_told_once_then_quiet(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, chat_flood_limit=3):
        for i in range(6):
            fake.push_update(updates.group_text(GROUP, USER + i, f"/ask IT exports FY25 {i}"))
        await fake.wait_for("sendMessage", count=4)
        import asyncio

        await asyncio.sleep(0.5)
    sent = texts(fake, GROUP)
    assert len(sent) == 4
    assert sum("3.8 billion" in t for t in sent) == 3
    assert "take a short break" in sent[3]


async def test_edited_messages_and_other_bots_commands_are_ignored(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        original = updates.private_text(USER, "IT exports FY25")
        fake.push_update(original)
        await fake.wait_for("sendMessage")
        fake.push_update(updates.edited_message(original, "freelancers"))
        fake.push_update(updates.group_text(GROUP, USER, "/start@otherbot"))
        fake.push_update(updates.group_text(GROUP, USER, "/help"))
        await fake.wait_for("sendMessage", count=2)
        import asyncio

        await asyncio.sleep(0.5)
    assert len(texts(fake, USER)) == 1
    (help_text,) = texts(fake, GROUP)
    assert "/ask" in help_text


async def test_topics_then_a_question_then_its_answer(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path):
        fake.push_update(updates.private_text(USER, "/topics"))
        await fake.wait_for("sendMessage")
        menu = fake.last_sent(USER)
        topic = next(d for t, d in buttons({"reply_markup": menu["reply_markup"]})
                     if t == "Freelancing")
        fake.push_update(updates.callback_query(USER, menu, topic))
        await fake.wait_for("sendMessage", count=2)
        questions = fake.last_sent(USER)
        assert "Freelancing" in questions["text"]
        first = buttons({"reply_markup": questions["reply_markup"]})[0][1]
        fake.push_update(updates.callback_query(USER, questions, first))
        await fake.wait_for("sendMessage", count=3)
    assert "Source:" in texts(fake, USER)[2]
    assert fake.errors == []
