"""Fake Telegram Bot API for end-to-end tests of pkitbot (the real PTB Application).

* :class:`FakeBotAPI` (``server``) -- local HTTP server speaking the Bot API, strict like
  Telegram, with recording and fault injection;
* :mod:`.updates` -- factories for Bot-API-shaped update dicts;
* :func:`check_html` (``html_check``) -- Telegram HTML validation usable without a server.
"""

from . import updates
from .html_check import HTMLParseError, check_html, check_text_length, utf16_len
from .server import DEFAULT_TOKEN, FakeBotAPI, Fault, RecordedRequest
from .spec import ApiError, ApiSpec, UploadedFile, load_spec

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiSpec",
    "FakeBotAPI",
    "Fault",
    "HTMLParseError",
    "RecordedRequest",
    "UploadedFile",
    "check_html",
    "check_text_length",
    "load_spec",
    "updates",
    "utf16_len",
]
