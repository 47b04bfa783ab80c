"""Factories for Bot-API-shaped ``Update`` dicts to feed to the fake server.

Every factory returns a complete update dict (``{"update_id": ..., "message": {...}}``) shaped
like what Telegram delivers: users have ``is_bot``/``first_name``/``language_code``, private
chats have ``first_name``, groups have ``title``, dates are ints, and ``entities`` are computed
the way Telegram does (``bot_command`` for ``/cmd`` or ``/cmd@bot``, ``mention`` for
``@username``, ``url`` for links; offsets/lengths in UTF-16 code units).

``update_id`` comes from a module counter (:func:`next_update_id`);
``FakeBotAPI.push_update`` renumbers it if needed to keep ids increasing.
Message ids come from a per-chat module counter unless given.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from .html_check import utf16_len

__all__ = [
    "bump_message_id",
    "callback_query",
    "channel_post",
    "chat",
    "document_message",
    "edited_message",
    "group_text",
    "inline_query",
    "make_entities",
    "next_message_id",
    "next_update_id",
    "photo_message",
    "private_text",
    "sticker_message",
    "user",
    "voice_message",
]

_update_ids: Iterator[int] = itertools.count(100_001)
_last_message_ids: defaultdict[int, int] = defaultdict(int)
_counter_lock = threading.Lock()
_query_ids: Iterator[int] = itertools.count(5_000_000_001)
_file_ids: Iterator[int] = itertools.count(1)

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?")
_MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def next_update_id() -> int:
    """Return the next module-wide update_id."""
    return next(_update_ids)


def next_message_id(chat_id: int) -> int:
    """Return the next message_id for ``chat_id`` (module-wide counter shared with the fake
    server, so user messages and bot messages never collide)."""
    with _counter_lock:
        _last_message_ids[chat_id] += 1
        return _last_message_ids[chat_id]


def bump_message_id(chat_id: int, message_id: int) -> None:
    """Make sure later :func:`next_message_id` results for ``chat_id`` exceed ``message_id``."""
    with _counter_lock:
        if message_id > _last_message_ids[chat_id]:
            _last_message_ids[chat_id] = message_id


def _now() -> int:
    return int(time.time())


def user(
    user_id: int,
    first_name: str | None = None,
    *,
    username: str | None = None,
    last_name: str | None = None,
    language_code: str | None = "en",
    is_bot: bool = False,
) -> dict[str, Any]:
    """A ``User`` dict. ``username`` defaults to ``user<id>``; pass "" for none."""
    result: dict[str, Any] = {
        "id": user_id,
        "is_bot": is_bot,
        "first_name": first_name or f"User{user_id}",
    }
    if last_name:
        result["last_name"] = last_name
    uname = f"user{user_id}" if username is None else username
    if uname:
        result["username"] = uname
    if language_code:
        result["language_code"] = language_code
    return result


def chat(
    chat_id: int,
    chat_type: str = "private",
    *,
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
) -> dict[str, Any]:
    """A ``Chat`` dict: private chats get ``first_name``, others ``title``."""
    result: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        result["first_name"] = first_name or f"User{chat_id}"
        uname = f"user{chat_id}" if username is None else username
        if uname:
            result["username"] = uname
    else:
        result["title"] = title or f"Chat {chat_id}"
        if username:
            result["username"] = username
    return result


def make_entities(text: str) -> list[dict[str, Any]]:
    """Compute the entities Telegram would attach to plain ``text`` sent by a user."""
    found: list[tuple[int, int, str, str]] = []
    taken: list[range] = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_URL_RE, "url"), (_MENTION_RE, "mention")):
        for match in regex.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            taken.append(span)
            found.append((match.start(), match.end(), kind, match.group(0)))
    entities = []
    for start, end, kind, _ in sorted(found):
        entities.append(
            {"offset": utf16_len(text[:start]), "length": utf16_len(text[start:end]), "type": kind}
        )
    return entities


def _update(kind: str, payload: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: payload}


def _message(
    chat_dict: dict[str, Any],
    sender: dict[str, Any] | None,
    *,
    text: str | None = None,
    message_id: int | None = None,
    date: int | None = None,
    reply_to_message: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next_message_id(chat_dict["id"]),
    }
    if sender is not None:
        msg["from"] = sender
    msg["chat"] = chat_dict
    msg["date"] = date if date is not None else _now()
    if reply_to_message is not None:
        msg["reply_to_message"] = reply_to_message
    if text is not None:
        msg["text"] = text
        ents = make_entities(text) if entities is None else entities
        if ents:
            msg["entities"] = ents
    if extra:
        msg.update(extra)
    return msg


def private_text(
    user_id: int,
    text: str,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "en",
    reply_to_message: dict[str, Any] | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A private-chat text message update (chat id == user id).

    Entities (``/cmd`` → bot_command, ``@name`` → mention, links → url) are added
    automatically unless ``entities`` is given.
    """
    sender = user(user_id, first_name, username=username, language_code=language_code)
    chat_dict = chat(
        user_id, "private", first_name=sender["first_name"], username=sender.get("username", "")
    )
    msg = _message(
        chat_dict,
        sender,
        text=text,
        message_id=message_id,
        reply_to_message=reply_to_message,
        entities=entities,
    )
    return _update("message", msg, update_id)


def group_text(
    chat_id: int,
    user_id: int,
    text: str,
    *,
    chat_type: str = "supergroup",
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
    reply_to_bot_message: dict[str, Any] | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A group/supergroup text message update; ``reply_to_bot_message`` becomes
    ``reply_to_message`` (pass the dict from ``FakeBotAPI.last_sent``)."""
    sender = user(user_id, first_name, username=username)
    chat_dict = chat(chat_id, chat_type, title=title)
    msg = _message(
        chat_dict,
        sender,
        text=text,
        message_id=message_id,
        reply_to_message=reply_to_bot_message,
        entities=entities,
    )
    return _update("message", msg, update_id)


def channel_post(
    chat_id: int,
    text: str,
    *,
    title: str | None = None,
    username: str | None = None,
    author_signature: str | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A ``channel_post`` update: no ``from``; ``sender_chat`` is the channel itself."""
    chat_dict = chat(chat_id, "channel", title=title, username=username)
    extra: dict[str, Any] = {"sender_chat": chat_dict}
    if author_signature:
        extra["author_signature"] = author_signature
    msg = _message(chat_dict, None, text=text, message_id=message_id, extra=extra)
    return _update("channel_post", msg, update_id)


def inline_query(
    user_id: int,
    query: str,
    *,
    chat_type: str | None = "sender",
    offset: str = "",
    query_id: str | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """An ``inline_query`` update (``chat_type`` "sender", "private", "group", ... or None)."""
    payload: dict[str, Any] = {
        "id": query_id or str(next(_query_ids)),
        "from": user(user_id),
        "query": query,
        "offset": offset,
    }
    if chat_type is not None:
        payload["chat_type"] = chat_type
    return _update("inline_query", payload, update_id)


def callback_query(
    user_id: int,
    message: dict[str, Any] | None,
    data: str,
    *,
    inline_message_id: str | None = None,
    query_id: str | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A ``callback_query`` update for a button press on ``message`` (as the bot sent it,
    e.g. ``fake.last_sent(chat_id)``), or on an inline message via ``inline_message_id``."""
    payload: dict[str, Any] = {
        "id": query_id or str(next(_query_ids)),
        "from": user(user_id),
    }
    if message is not None:
        payload["message"] = message
        chat_id = message["chat"]["id"]
    else:
        chat_id = 0
    if inline_message_id is not None:
        payload["inline_message_id"] = inline_message_id
    payload["chat_instance"] = str(abs(hash((chat_id, user_id))) % 10**18)
    payload["data"] = data
    return _update("callback_query", payload, update_id)


def _file_ids_pair(prefix: str) -> tuple[str, str]:
    n = next(_file_ids)
    return f"{prefix}AAMCAgAD{n:08d}", f"AgAD{n:06d}"


def document_message(
    user_id: int,
    document: dict[str, Any],
    caption: str | None = None,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    message_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A message carrying ``document`` (e.g. the dict returned by ``FakeBotAPI.add_file``)."""
    sender = user(user_id)
    cid = user_id if chat_id is None else chat_id
    chat_dict = (
        chat(cid, chat_type)
        if chat_type != "private"
        else chat(cid, "private", first_name=sender["first_name"])
    )
    extra: dict[str, Any] = {"document": document}
    if caption is not None:
        extra["caption"] = caption
        ents = make_entities(caption)
        if ents:
            extra["caption_entities"] = ents
    msg = _message(chat_dict, sender, message_id=message_id, extra=extra)
    return _update("message", msg, update_id)


def photo_message(
    user_id: int,
    caption: str | None = None,
    *,
    photo: list[dict[str, Any]] | None = None,
    chat_id: int | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A private message with a photo (three ``PhotoSize`` entries unless ``photo`` given)."""
    if photo is None:
        photo = []
        for width, height, size in ((90, 67, 1_200), (320, 240, 15_000), (1280, 960, 120_000)):
            file_id, unique = _file_ids_pair("AgAC")
            photo.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_size": size,
                    "width": width,
                    "height": height,
                }
            )
    sender = user(user_id)
    cid = user_id if chat_id is None else chat_id
    extra: dict[str, Any] = {"photo": photo}
    if caption is not None:
        extra["caption"] = caption
        ents = make_entities(caption)
        if ents:
            extra["caption_entities"] = ents
    msg = _message(
        chat(cid, "private", first_name=sender["first_name"]),
        sender,
        message_id=message_id,
        extra=extra,
    )
    return _update("message", msg, update_id)


def voice_message(
    user_id: int,
    *,
    duration: int = 3,
    file_id: str | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A private voice message."""
    fid, unique = _file_ids_pair("AwAC")
    voice = {
        "file_id": file_id or fid,
        "file_unique_id": unique,
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4_000 * duration,
    }
    sender = user(user_id)
    msg = _message(
        chat(user_id, "private", first_name=sender["first_name"]),
        sender,
        message_id=message_id,
        extra={"voice": voice},
    )
    return _update("message", msg, update_id)


def sticker_message(
    user_id: int,
    *,
    emoji: str = "👍",
    set_name: str = "TestStickers",
    message_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A private sticker message (regular static sticker)."""
    fid, unique = _file_ids_pair("CAAC")
    sticker = {
        "file_id": fid,
        "file_unique_id": unique,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "set_name": set_name,
        "file_size": 20_000,
    }
    sender = user(user_id)
    msg = _message(
        chat(user_id, "private", first_name=sender["first_name"]),
        sender,
        message_id=message_id,
        extra={"sticker": sticker},
    )
    return _update("message", msg, update_id)


def edited_message(
    original: dict[str, Any],
    new_text: str,
    *,
    edit_date: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """An ``edited_message`` update for ``original`` (a message dict or an update holding one)."""
    message = original.get("message", original)
    edited = {k: v for k, v in message.items() if k not in ("text", "entities")}
    edited["text"] = new_text
    ents = make_entities(new_text)
    if ents:
        edited["entities"] = ents
    edited["edit_date"] = edit_date if edit_date is not None else max(_now(), message["date"] + 1)
    return _update("edited_message", edited, update_id)
