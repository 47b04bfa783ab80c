"""Tests for the fake Telegram Bot API server (tests/fakebot) against the real PTB client."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import httpx
import pytest
import pytest_asyncio
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

try:
    from fakebot import FakeBotAPI, HTMLParseError, check_html, updates, utf16_len
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.fakebot import FakeBotAPI, HTMLParseError, check_html, updates, utf16_len


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server
    assert server.internal_errors == []


@pytest_asyncio.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    ) as tg_bot:
        yield tg_bot


def raw(fake: FakeBotAPI, method: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{fake.api_url}/{method}", timeout=10, **kwargs)


# --------------------------------------------------------------------------- check_html
@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("plain text", "plain text"),
        ("&lt;b&gt; &amp; &quot;q&quot;", '<b> & "q"'),
        ("&#65;&#x42;&#x1F600;", "AB😀"),
        ("<b>bold <i>both</i></b> <strong>s</strong> <em>e</em>", "bold both s e"),
        ("<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "uiskd"),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ("<a href='tg://user?id=1'>u</a>", "u"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>q</blockquote><blockquote>r</blockquote>", "qr"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<B>upper</B>", "upper"),
        ("Quotes \" and ' are fine", "Quotes \" and ' are fine"),
    ],
)
def test_check_html_accepts(html: str, plain: str) -> None:
    assert check_html(html) == plain


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("AT&T rocks", 'Unescaped "&"'),
        ("1 > 0", 'Unescaped ">"'),
        ("a < b", "Empty tag name"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("&amp", 'Unescaped "&"'),
        ("&#0;", "Invalid numeric HTML entity"),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<a>x</a>", 'must have attribute "href"'),
        ('<a href="?a=1&b=2">x</a>', 'Unescaped "&" in attribute value'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b/>", "Self-closing"),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
    ],
)
def test_check_html_refuses(html: str, fragment: str) -> None:
    with pytest.raises(HTMLParseError) as info:
        check_html(html)
    assert fragment in info.value.reason


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("é") == 1


# --------------------------------------------------------------------------- basics
async def test_get_me(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "pkit_test_bot" and me.id == 123456
    assert me.supports_inline_queries is True
    assert fake.sent("getMe")


async def test_send_message_valid_html_is_recorded(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    msg = await bot.send_message(
        42, "<b>Hello</b> &amp; welcome", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert msg.text == "Hello & welcome"
    assert msg.from_user is not None and msg.from_user.is_bot
    assert msg.reply_markup == keyboard
    sent = fake.sent("sendMessage", chat_id=42)
    assert len(sent) == 1
    # params are normalised by the spec: chat_id is an int, reply_markup a dict
    assert sent[0]["chat_id"] == 42
    assert sent[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]
    }
    assert fake.last_sent(42)["message_id"] == msg.message_id
    assert fake.errors == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<script>x</script>", "can't parse entities"),
        ("<b>unclosed", "can't parse entities"),
        ("AT&T ", "can't parse entities"),
        ("x" * 4097, "too long"),
        ("<b> </b>", "text is empty"),
    ],
)
async def test_send_message_bad_html_refused(
    bot: telegram.Bot, fake: FakeBotAPI, text: str, fragment: str
) -> None:
    with pytest.raises(telegram.error.BadRequest) as info:
        await bot.send_message(42, text, parse_mode=ParseMode.HTML)
    assert fragment in info.value.message.lower()
    assert len(fake.errors) == 1
    assert fake.errors[0].description is not None
    assert fake.errors[0].description.startswith("Bad Request: ")
    assert fake.sent("sendMessage") == []


async def test_length_counts_utf16_and_plain_text(bot: telegram.Bot) -> None:
    await bot.send_message(1, "😀" * 2048)  # 4096 UTF-16 units: fine
    with pytest.raises(telegram.error.BadRequest, match="too long"):
        await bot.send_message(1, "😀" * 2048 + "x")
    # entities count as their decoded length
    await bot.send_message(1, "&amp;" * 4096, parse_mode="HTML")


async def test_caption_limit(bot: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match="caption is too long"):
        await bot.send_document(1, b"data", filename="a.txt", caption="c" * 1025)
    msg = await bot.send_document(
        1, b"data", filename="a.txt", caption="<i>ok</i>", parse_mode="HTML"
    )
    assert msg.caption == "ok"
    assert msg.document is not None and msg.document.file_name == "a.txt"


def test_unknown_method_and_token(fake: FakeBotAPI) -> None:
    res = raw(fake, "sendMesage", json={"chat_id": 1, "text": "x"})
    assert res.status_code == 404
    assert res.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    res = httpx.post(f"{fake.base_url}999:wrong/getMe")
    assert res.status_code == 401
    assert res.json()["description"] == "Unauthorized"
    # method names are case-insensitive like Telegram's
    assert raw(fake, "GETME").json()["ok"] is True
    assert len(fake.errors) == 2


def test_unknown_field_and_missing_required(fake: FakeBotAPI) -> None:
    res = raw(fake, "sendMessage", json={"chat_id": 1, "text": "x", "colour": "red"})
    assert res.status_code == 400
    assert res.json()["description"] == 'Bad Request: unknown field "colour"'
    res = raw(fake, "sendMessage", json={"text": "x"})
    assert res.status_code == 400
    assert res.json()["description"] == "Bad Request: chat_id is empty"
    res = raw(fake, "sendMessage", json={"chat_id": 1})
    assert res.json()["description"] == "Bad Request: message text is empty"
    res = raw(fake, "sendMessage", json={"chat_id": 1, "text": "x", "disable_notification": "no"})
    assert res.status_code == 400 and "Boolean" in res.json()["description"]


def test_nested_validation(fake: FakeBotAPI) -> None:
    def send(markup: Any) -> httpx.Response:
        return raw(fake, "sendMessage", json={"chat_id": 1, "text": "x", "reply_markup": markup})

    ok = send({"inline_keyboard": [[{"text": "a", "url": "https://example.com"}]]})
    assert ok.status_code == 200
    bad = send({"inline_keyboard": [[{"text": "a", "callback_data": "x", "colour": 1}]]})
    assert "unknown field" in bad.json()["description"]
    bad = send({"inline_keyboard": [[{"callback_data": "x"}]]})
    assert bad.status_code == 400 and "text" in bad.json()["description"]
    bad = send({"inline_keyboard": [[{"text": "a"}]]})
    assert bad.status_code == 400
    bad = send({"inline_keyboard": [{"text": "a", "callback_data": "x"}]})
    assert bad.status_code == 400
    # form-encoded JSON strings (what PTB sends) are decoded
    form = raw(
        fake,
        "sendMessage",
        data={
            "chat_id": "1",
            "text": "[not json]",
            "reply_markup": json.dumps({"keyboard": [[{"text": "k"}]], "resize_keyboard": True}),
        },
    )
    assert form.status_code == 200, form.text
    assert fake.sent("sendMessage")[-1]["text"] == "[not json]"
    assert fake.sent("sendMessage")[-1]["reply_markup"]["resize_keyboard"] is True


async def test_callback_data_limit(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 64)]])
    await bot.send_message(1, "fine", reply_markup=ok)
    for data in ("x" * 65, "é" * 33):  # 65 bytes / 66 bytes in UTF-8
        bad = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data=data)]])
        with pytest.raises(telegram.error.BadRequest, match="Button_data_invalid"):
            await bot.send_message(1, "too long data", reply_markup=bad)
    assert len(fake.errors) == 2


# --------------------------------------------------------------------------- updates
async def test_get_updates_long_poll_and_offset(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    pushed = fake.push_update(updates.private_text(77, "/start hello"))
    got = await poll
    assert time.monotonic() - started < 2
    assert [u.update_id for u in got] == [pushed["update_id"]]
    message = got[0].message
    assert message is not None and message.text == "/start hello"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    # not confirmed yet: delivered again
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [pushed["update_id"]]
    confirmed = await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0)
    assert confirmed == ()
    assert fake.pending_updates() == 0


async def test_get_updates_honours_timeout_and_limit(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3
    for i in range(3):
        fake.push_update(updates.private_text(5, f"m{i}"))
    assert len(await bot.get_updates(limit=2, timeout=0)) == 2


def test_stop_wakes_long_poll() -> None:
    fake = FakeBotAPI().start()
    result: list[httpx.Response] = []

    def poll() -> None:
        result.append(raw(fake, "getUpdates", json={"timeout": 30}))

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    fake.stop()
    thread.join(5)
    assert time.monotonic() - started < 3
    assert result and result[0].json() == {"ok": True, "result": []}


def test_opt_in_update_types_are_dropped_by_default(fake: FakeBotAPI) -> None:
    fake.push_update({"chat_member": {"chat": {"id": -100, "type": "group", "title": "g"}}})
    fake.push_update(updates.private_text(1, "hi"))
    res = raw(fake, "getUpdates", json={"timeout": 0}).json()["result"]
    assert [list(u)[1] for u in res] == ["message"]
    assert len(fake.dropped_updates) == 1


def test_factories_parse_with_ptb(fake: FakeBotAPI) -> None:
    doc = fake.add_file("DOC1", b"%PDF-1.4", "report.pdf")
    tg_bot = telegram.Bot(fake.token)
    group = updates.group_text(-1001234567890, 7, "/ask@pkit_test_bot hi @someone_else 😀")
    samples = [
        updates.private_text(7, "hello"),
        group,
        updates.channel_post(-1009876543210, "/news today"),
        updates.inline_query(7, "karachi"),
        updates.document_message(7, doc, caption="see"),
        updates.photo_message(7, "pic"),
        updates.voice_message(7),
        updates.sticker_message(7),
        updates.edited_message(group, "edited text"),
    ]
    sent = raw(fake, "sendMessage", json={"chat_id": 7, "text": "q?"}).json()["result"]
    samples.append(updates.callback_query(7, sent, "btn:1"))
    for sample in samples:
        update = Update.de_json(fake.push_update(sample), tg_bot)
        assert update.update_id > 0
    parsed = Update.de_json(group, tg_bot)
    assert parsed.effective_chat is not None and parsed.effective_chat.type == "supergroup"
    ents = group["message"]["entities"]
    assert [(e["type"], e["offset"], e["length"]) for e in ents] == [
        ("bot_command", 0, len("/ask@pkit_test_bot")),
        ("mention", 22, len("@someone_else")),
    ]
    channel = updates.channel_post(-1009876543210, "x")["channel_post"]
    assert "from" not in channel and channel["sender_chat"] == channel["chat"]
    # chat types learnt from pushed updates are echoed back
    res = raw(fake, "sendMessage", json={"chat_id": -1001234567890, "text": "hi"}).json()
    assert res["result"]["chat"]["type"] == "supergroup"
    assert fake.errors == []


# --------------------------------------------------------------------------- faults
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_injection(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    fake.inject("sendMessage", "429", retry_after=7)
    res = raw(fake, "sendMessage", json={"chat_id": 1, "text": "x"})
    assert res.status_code == 429
    body = res.json()
    assert body["parameters"] == {"retry_after": 7}
    assert body["description"] == "Too Many Requests: retry after 7"
    assert raw(fake, "sendMessage", json={"chat_id": 1, "text": "x"}).status_code == 200
    fake.inject("sendMessage", "429", retry_after=3)
    with pytest.raises(telegram.error.RetryAfter) as info:
        await bot.send_message(1, "y")
    assert "Retry in 3" in str(info.value)
    assert len(fake.sent("sendMessage")) == 1
    assert fake.errors == []


@pytest.mark.parametrize("kind", ["500", "502", "drop"])
async def test_server_faults_raise_network_error(
    bot: telegram.Bot, fake: FakeBotAPI, kind: str
) -> None:
    fake.inject("*", kind)
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(1, "x")
    await bot.send_message(1, "x")  # next call is fine
    assert [r.status for r in fake.requests if r.method == "sendMessage"] == [
        {"500": 500, "502": 502, "drop": 0}[kind],
        200,
    ]
    assert len(fake.sent("sendMessage")) == 1 and fake.errors == []


async def test_slow_and_random_faults(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    fake.inject("sendMessage", "slow", delay=0.3)
    started = time.monotonic()
    await bot.send_message(1, "x")
    assert time.monotonic() - started >= 0.3
    fake.clear_faults()

    def run(seed: int) -> list[int]:
        with FakeBotAPI() as other:
            other.inject_random("sendMessage", "500", probability=0.5, seed=seed)
            return [
                raw(other, "sendMessage", json={"chat_id": 1, "text": "x"}).status_code
                for _ in range(20)
            ]

    first, second = run(3), run(3)
    assert first == second and 500 in first and 200 in first


# --------------------------------------------------------------------------- files
async def test_file_download(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    fake.add_file("FILE_ABC", b"hello file", "notes.txt")
    tg_file = await bot.get_file("FILE_ABC")
    assert tg_file.file_size == 10
    assert bytes(await tg_file.download_as_bytearray()) == b"hello file"
    with pytest.raises(telegram.error.BadRequest):
        await bot.get_file("NOPE")
    # files the bot uploads can be inspected and downloaded too
    msg = await bot.send_document(1, b"uploaded!", filename="up.txt")
    assert msg.document is not None
    assert fake.file_content(msg.document.file_id) == b"uploaded!"


# --------------------------------------------------------------------------- inline / edits
async def test_answer_inline_query(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    query = fake.push_update(updates.inline_query(9, "lahore"))["inline_query"]["id"]

    def article(i: int, text: str = "<b>ok</b>") -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            str(i), f"t{i}", InputTextMessageContent(text, parse_mode="HTML")
        )

    with pytest.raises(telegram.error.BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query, [article(i) for i in range(51)])
    with pytest.raises(telegram.error.BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(query, [article(1), article(1)])
    with pytest.raises(telegram.error.BadRequest, match="parse entities"):
        await bot.answer_inline_query(query, [article(1, "<b>oops")])
    assert await bot.answer_inline_query(query, [article(i) for i in range(50)])
    # answering twice is refused like Telegram does
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query, [article(1)])
    result = fake.sent("answerInlineQuery")[0]["results"][0]
    assert result["type"] == "article"
    assert result["input_message_content"]["parse_mode"] == "HTML"


async def test_edit_rules(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    msg = await bot.send_message(3, "one")
    edited = await bot.edit_message_text("two", chat_id=3, message_id=msg.message_id)
    assert isinstance(edited, telegram.Message) and edited.text == "two"
    with pytest.raises(telegram.error.BadRequest, match="not modified"):
        await bot.edit_message_text("two", chat_id=3, message_id=msg.message_id)
    with pytest.raises(telegram.error.BadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=3, message_id=9999)
    assert await bot.edit_message_text("inline", inline_message_id="AAA") is True
    assert fake.message(3, msg.message_id)["text"] == "two"


async def test_chat_member(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    fake.push_update(updates.channel_post(-1005555555555, "hello"))
    admin = await bot.get_chat_member(-1005555555555, fake.bot_id)
    assert isinstance(admin, telegram.ChatMemberAdministrator)
    assert admin.can_post_messages is True
    member = await bot.get_chat_member(-1005555555555, 11)
    assert member.status == "member"
    fake.set_chat_member_status(-1005555555555, 11, "left")
    assert (await bot.get_chat_member(-1005555555555, 11)).status == "left"
    chat = await bot.get_chat(-1005555555555)
    assert chat.type == "channel"


async def test_forbidden_chat(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    fake.set_forbidden(50)
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(50, "hi")


# --------------------------------------------------------------------------- webhooks
class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str | None, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body))
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


async def test_webhook(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    with pytest.raises(telegram.error.BadRequest, match="https url"):
        await bot.set_webhook("http://example.com/hook")
    await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    assert fake.sent("setWebhook")[-1]["secret_token"] == "s3cret"
    with pytest.raises(telegram.error.Conflict):
        await bot.get_updates(timeout=0)
    fake.errors.clear()

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        update = updates.private_text(4, "via webhook")
        assert await fake.post_update_to_webhook(url, update) == 200
        assert fake.post_update_to_webhook_sync(url, update, secret_token="") == 200
    finally:
        server.shutdown()
        server.server_close()
    assert _Receiver.received[-2] == ("s3cret", update)
    assert _Receiver.received[-1][0] is None
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


# --------------------------------------------------------------------------- full app
async def test_application_end_to_end(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])
        await update.effective_message.reply_html("<b>Welcome</b>", reply_markup=keyboard)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"pressed {query.data}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            fake.push_update(updates.private_text(42, "/start"))
            await fake.wait_for("sendMessage")
            reply = fake.last_sent(42)
            assert reply["text"] == "Welcome"
            fake.push_update(updates.callback_query(42, reply, "next"))
            await fake.wait_for("editMessageText")
            assert fake.sent("answerCallbackQuery")[0]["text"] == "ok"
            assert fake.message(42, reply["message_id"])["text"] == "pressed next"
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake.errors == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limiter_retries_after_429(fake: FakeBotAPI) -> None:
    from telegram.ext import AIORateLimiter

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    async with app:
        fake.inject("sendMessage", "429", retry_after=1)
        await app.bot.send_message(8, "eventually")
    statuses = [r.status for r in fake.requests if r.method == "sendMessage"]
    assert statuses == [429, 200]
    assert fake.errors == []


def test_multipart_upload_with_json_fields(fake: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "Open", "url": "https://example.com"}]]}
    res = raw(
        fake,
        "sendDocument",
        data={
            "chat_id": "9",
            "caption": "<b>doc</b>",
            "parse_mode": "HTML",
            "reply_markup": json.dumps(markup),
        },
        files={"document": ("table.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert res.status_code == 200, res.text
    params = fake.sent("sendDocument")[0]
    assert params["reply_markup"] == markup and params["chat_id"] == 9
    document = res.json()["result"]["document"]
    assert document["file_name"] == "table.csv" and document["mime_type"] == "text/csv"
    assert fake.file_content(document["file_id"]) == b"a,b\n1,2\n"
