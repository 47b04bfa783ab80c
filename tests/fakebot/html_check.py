"""Telegram-style validation of ``parse_mode="HTML"`` message text.

This module re-implements (strictly) the HTML subset the Telegram Bot API accepts
(https://core.telegram.org/bots/api#html-style) so that tests can check formatter output
without a server, and so that the fake Bot API server can refuse what Telegram refuses.

It is deliberately *stricter* than Telegram in one respect: a raw ``&`` or ``>`` in text
(Telegram silently keeps them) is refused, because correctly escaped output never has them.

Public API:

* :func:`check_html` -- parse, return the plain text (tags removed, entities decoded) or
  raise :class:`HTMLParseError` whose ``reason`` reads like Telegram's.
* :func:`utf16_len` -- length in UTF-16 code units, the unit Telegram counts limits in.
* :func:`check_text_length` -- the 1..4096 / 0..1024 message/caption rules.
"""

from __future__ import annotations

import re

__all__ = [
    "CAPTION_MAX",
    "MESSAGE_MAX",
    "HTMLParseError",
    "TextLengthError",
    "check_html",
    "check_text_length",
    "utf16_len",
]

MESSAGE_MAX = 4096
CAPTION_MAX = 1024

#: tag name -> set of attribute names Telegram interprets (others are ignored by Telegram)
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]*));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]+")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
_WS = " \t\r\n"


class HTMLParseError(ValueError):
    """Raised when text is not valid Telegram HTML; ``reason`` is Telegram-like wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TextLengthError(ValueError):
    """Raised by :func:`check_text_length`; ``description`` is the Bad Request text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (how Telegram counts)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int, *, where: str) -> tuple[str, int]:
    """Decode the entity starting at ``text[pos] == '&'``; return (char, new position)."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        raise HTMLParseError(
            f'Unescaped "&" {where}at byte offset {_byte_offset(text, pos)}; use &amp;'
        )
    dec, hexa, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise HTMLParseError(
                f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(text, pos)}'
            )
        return _NAMED_ENTITIES[name], match.end()
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HTMLParseError(
            f"Invalid numeric HTML entity at byte offset {_byte_offset(text, pos)}"
        )
    return chr(code), match.end()


def _parse_attributes(text: str, pos: int, tag_start: int) -> tuple[dict[str, str], int]:
    """Parse attributes after the tag name; return (attrs, index just past '>')."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while pos < n and text[pos] in _WS:
            pos += 1
        if pos >= n:
            raise HTMLParseError(
                f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
            )
        if text[pos] == ">":
            return attrs, pos + 1
        name_match = _ATTR_NAME_RE.match(text, pos)
        if name_match is None:
            raise HTMLParseError(
                f"Expected equal sign in declaration of an attribute of the tag at byte offset "
                f"{_byte_offset(text, tag_start)}"
            )
        attr_name = name_match.group(0).lower()
        pos = name_match.end()
        while pos < n and text[pos] in _WS:
            pos += 1
        if pos < n and text[pos] == "=":
            pos += 1
            while pos < n and text[pos] in _WS:
                pos += 1
            if pos >= n:
                raise HTMLParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                )
            value_chars: list[str] = []
            quote = text[pos] if text[pos] in "\"'" else ""
            if quote:
                pos += 1
                while True:
                    if pos >= n:
                        raise HTMLParseError(
                            f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                        )
                    ch = text[pos]
                    if ch == quote:
                        pos += 1
                        break
                    if ch == "&":
                        decoded, pos = _decode_entity(text, pos, where="in attribute value ")
                        value_chars.append(decoded)
                        continue
                    value_chars.append(ch)
                    pos += 1
            else:
                while pos < n and text[pos] not in _WS and text[pos] not in ">\"'":
                    if text[pos] == "&":
                        decoded, pos = _decode_entity(text, pos, where="in attribute value ")
                        value_chars.append(decoded)
                        continue
                    value_chars.append(text[pos])
                    pos += 1
            attrs[attr_name] = "".join(value_chars)
        else:
            attrs[attr_name] = ""


def _check_tag_attributes(tag: str, attrs: dict[str, str], offset: int) -> None:
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "a" and not attrs.get("href", "").strip():
        raise HTMLParseError(f'Tag "a" must have attribute "href" at byte offset {offset}')
    if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HTMLParseError(
            f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset {offset}'
        )


def check_html(text: str) -> str:
    """Validate Telegram HTML; return the plain text (tags stripped, entities decoded).

    Raises :class:`HTMLParseError` with Telegram-like wording (``Unsupported start tag "x" at
    byte offset N``, ``Can't find end tag corresponding to start tag "b"``, ...).  Does *not*
    check the length; see :func:`check_text_length`.
    """
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (tag name, byte offset)
    n = len(text)
    pos = 0
    while pos < n:
        ch = text[pos]
        if ch == "&":
            decoded, pos = _decode_entity(text, pos, where="")
            out.append(decoded)
            continue
        if ch == ">":
            raise HTMLParseError(
                f'Unescaped ">" at byte offset {_byte_offset(text, pos)}; use &gt;'
            )
        if ch != "<":
            out.append(ch)
            pos += 1
            continue
        tag_start = pos
        offset = _byte_offset(text, tag_start)
        pos += 1
        if pos < n and text[pos] == "/":
            # end tag
            pos += 1
            name_match = _TAG_NAME_RE.match(text, pos)
            end_name = name_match.group(0).lower() if name_match else ""
            pos = name_match.end() if name_match else pos
            while pos < n and text[pos] in _WS:
                pos += 1
            if pos >= n or text[pos] != ">":
                raise HTMLParseError(f"Unclosed end tag at byte offset {offset}")
            pos += 1
            if not stack:
                raise HTMLParseError(f'Unexpected end tag "{end_name}" at byte offset {offset}')
            open_name, _ = stack[-1]
            if end_name != open_name:
                raise HTMLParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
                    f'found "</{end_name}>"'
                )
            stack.pop()
            continue
        name_match = _TAG_NAME_RE.match(text, pos)
        if name_match is None:
            if pos >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
            raise HTMLParseError(
                f'Empty tag name at byte offset {offset}; use &lt; to write a "<" character'
            )
        tag = name_match.group(0).lower()
        if tag not in ALLOWED_TAGS:
            raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        pos = name_match.end()
        if pos < n and text[pos] not in _WS and text[pos] != ">":
            if text[pos] == "/":
                raise HTMLParseError(
                    f'Self-closing tag "{tag}" is not supported at byte offset {offset}'
                )
            raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
        attrs, pos = _parse_attributes(text, pos, tag_start)
        _check_tag_attributes(tag, attrs, offset)
        stack.append((tag, offset))
    if stack:
        tag, _ = stack[-1]
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(out)


def check_text_length(plain: str, *, caption: bool = False, what: str = "message") -> None:
    """Apply Telegram's length rules to already-parsed ``plain`` text.

    Messages: 1..4096 UTF-16 units after stripping surrounding whitespace
    (``message text is empty`` / ``message is too long``).  Captions: 0..1024
    (``message caption is too long``).  Raises :class:`TextLengthError`.
    """
    stripped = plain.strip()
    if caption:
        if utf16_len(stripped) > CAPTION_MAX:
            raise TextLengthError("Bad Request: message caption is too long")
        return
    if not stripped:
        raise TextLengthError(f"Bad Request: {what} text is empty")
    if utf16_len(stripped) > MESSAGE_MAX:
        raise TextLengthError(f"Bad Request: {what} is too long")
