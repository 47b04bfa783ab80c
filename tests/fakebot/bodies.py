"""HTTP request body decoding for the fake Bot API server.

Turns a raw request (query string + body) into a flat ``dict`` of parameters, supporting the
three encodings the Bot API accepts: ``application/json``, ``x-www-form-urlencoded`` and
``multipart/form-data`` (file parts become :class:`~tests.fakebot.spec.UploadedFile`).
Form values stay strings here; :mod:`tests.fakebot.spec` coerces them by the spec's types
(PTB form-encodes every value, JSON-dumping non-strings such as ``reply_markup``).
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from .spec import ApiError, UploadedFile

__all__ = ["parse_body"]


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ApiError(400, "Bad Request: can't parse multipart/form-data body")
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(
                filename=filename, content_type=part.get_content_type(), data=data
            )
        else:
            charset = part.get_content_charset() or "utf-8"
            params[name] = data.decode(charset, "replace")
    return params


def parse_body(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], str]:
    """Decode a request into ``(params, encoding)``; encoding is json/form/multipart/none.

    Raises :class:`ApiError` (400) for undecodable bodies.
    """
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params, "none"
    if ctype == "application/json":
        try:
            decoded = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: can't parse JSON encoded request parameters") from exc
        if not isinstance(decoded, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        params.update(decoded)
        return params, "json"
    if ctype == "multipart/form-data":
        params.update(_parse_multipart(content_type, body))
        return params, "multipart"
    # Telegram treats anything else as url-encoded form data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "Bad Request: request body is not valid UTF-8") from exc
    params.update(parse_qsl(text, keep_blank_values=True))
    return params, "form"
