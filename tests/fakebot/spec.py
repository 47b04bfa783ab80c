"""Bot API spec loading and request validation for the fake Telegram server.

Loads the machine-readable Bot API reference (``api.min.json``, kept in the repository at
``tests/data/telegram-bot-api-spec/`` with its MIT licence and provenance, or ``$PKITBOT_API_SPEC``)
and validates method parameters against it the way Telegram would, but strictly:

* unknown methods/fields are refused, required fields must be present;
* light type checks (Integer/String/Boolean/Float/Array/objects, unions by ``type``),
  coercing form-encoded strings (PTB sends every value as a string) to real types;
* semantic rules Telegram enforces: HTML entity parsing, text/caption length,
  ``callback_data`` 1-64 bytes, inline-query result limits, bot command syntax.

:class:`ApiSpec` is the entry point; :class:`ApiError` carries the refusal.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .html_check import HTMLParseError, TextLengthError, check_html, check_text_length, utf16_len

__all__ = ["ApiError", "ApiSpec", "UploadedFile", "default_spec_path", "load_spec"]

_SCALARS = {"Integer", "String", "Boolean", "Float", "InputFile", "True"}
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always)\s+[\"“]?([a-z_]+)")
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")

# Fields python-telegram-bot sends where the spec has none (Telegram ignores them):
# it builds editMessageReplyMarkup through the same path as text messages.
PTB_EXTRAS: dict[str, frozenset[str]] = {
    "editMessageReplyMarkup": frozenset({"parse_mode"}),
}


class ApiError(Exception):
    """A refusal as the Bot API would send it (``ok: false``)."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Build a 400 ``Bad Request: <reason>`` error."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class UploadedFile:
    """A file part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


def default_spec_path() -> Path:
    """Return the spec path: ``$PKITBOT_API_SPEC`` or the copy in ``tests/data/``."""
    env = os.environ.get("PKITBOT_API_SPEC")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "data" / "telegram-bot-api-spec" / "api.min.json"


_SPEC_CACHE: dict[Path, ApiSpec] = {}


def load_spec(path: Path | None = None) -> ApiSpec:
    """Load (and cache) the spec at ``path`` (default :func:`default_spec_path`)."""
    resolved = (path or default_spec_path()).resolve()
    if resolved not in _SPEC_CACHE:
        with resolved.open(encoding="utf-8") as fh:
            _SPEC_CACHE[resolved] = ApiSpec(json.load(fh))
    return _SPEC_CACHE[resolved]


def _looks_like_json(value: str) -> bool:
    stripped = value.strip()
    return stripped[:1] in ("{", "[")


def _type_label(types: list[str]) -> str:
    return " or ".join(types)


class ApiSpec:
    """Wraps ``api.min.json``: method lookup, validation, object fabrication."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.version: str = raw.get("version", "")
        self.methods: dict[str, dict[str, Any]] = raw["methods"]
        self.types: dict[str, dict[str, Any]] = raw["types"]
        self._lower = {name.lower(): name for name in self.methods}

    # ------------------------------------------------------------------ lookup
    def canonical_method(self, name: str) -> str | None:
        """Return the spec spelling of ``name`` (case-insensitive) or None."""
        return self._lower.get(name.lower())

    def fields(self, owner: str, *, method: bool) -> dict[str, dict[str, Any]]:
        """Return the field dicts (by name) of a method or type."""
        src = self.methods[owner] if method else self.types[owner]
        return {f["name"]: f for f in src.get("fields", [])}

    @cached_property
    def _discriminators(self) -> dict[str, tuple[str, dict[str, list[str]]]]:
        """union type -> (discriminator field, value -> candidate subtypes)."""
        result: dict[str, tuple[str, dict[str, list[str]]]] = {}
        for name, tdef in self.types.items():
            subtypes = tdef.get("subtypes")
            if not subtypes:
                continue
            if any(sub not in self.types for sub in subtypes):
                continue
            for disc in ("type", "status", "source"):
                mapping: dict[str, list[str]] = {}
                for sub in subtypes:
                    fdef = self.fields(sub, method=False).get(disc)
                    if fdef is None:
                        break
                    match = _DISCRIMINATOR_RE.search(fdef.get("description", ""))
                    if match is None:
                        break
                    mapping.setdefault(match.group(1), []).append(sub)
                else:
                    result[name] = (disc, mapping)
                    break
        return result

    # -------------------------------------------------------------- validation
    def validate(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Validate ``params`` for ``method`` (canonical); return normalised params.

        Raises :class:`ApiError` (400) on the first problem.
        """
        spec_fields = self.fields(method, method=True)
        normalised: dict[str, Any] = {}
        for name, value in params.items():
            fdef = spec_fields.get(name)
            if fdef is None and name in PTB_EXTRAS.get(method, ()):
                continue  # python-telegram-bot always sends it; Telegram ignores it
            if fdef is None:
                raise bad_request(f'unknown field "{name}"')
            normalised[name] = self._check_value(value, fdef["types"], name, top_level=True)
        for name, fdef in spec_fields.items():
            if fdef["required"] and (name not in normalised or normalised[name] in ("", None)):
                raise self._missing(method, name)
        self._semantic_checks(method, normalised)
        return normalised

    @staticmethod
    def _missing(method: str, name: str) -> ApiError:
        if name == "text" and method in ("sendMessage", "editMessageText"):
            return bad_request("message text is empty")
        return bad_request(f"{name} is empty")

    def _check_value(
        self,
        value: Any,
        types: list[str],
        path: str,
        *,
        top_level: bool = False,
    ) -> Any:
        """Check ``value`` against alternative spec ``types``; return the normalised value."""
        errors: list[ApiError] = []
        for typ in types:
            try:
                return self._check_single(value, typ, path, lenient=top_level)
            except ApiError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        # several alternatives failed: prefer a "deep" (object-level) error over a type mismatch
        deep = [e for e in errors if "must be of type" not in e.description]
        if deep:
            raise deep[0]
        raise bad_request(f'field "{path}" must be of type {_type_label(types)}')

    def _check_single(self, value: Any, typ: str, path: str, *, lenient: bool) -> Any:
        if typ.startswith("Array of "):
            inner = typ[len("Array of ") :]
            if isinstance(value, str) and lenient and _looks_like_json(value):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise bad_request(f"can't parse {path} JSON array") from exc
            if not isinstance(value, list):
                raise bad_request(f'field "{path}" must be of type {typ}')
            return [
                self._check_single(item, inner, f"{path}[{i}]", lenient=False)
                for i, item in enumerate(value)
            ]
        if typ == "Integer":
            if isinstance(value, bool):
                raise bad_request(f'field "{path}" must be of type Integer')
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
                return int(value)
            raise bad_request(f'field "{path}" must be of type Integer')
        if typ == "Float":
            if isinstance(value, bool):
                raise bad_request(f'field "{path}" must be of type Float')
            if isinstance(value, int | float):
                return value
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    pass
            raise bad_request(f'field "{path}" must be of type Float')
        if typ in ("Boolean", "True"):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise bad_request(f'field "{path}" must be of type Boolean')
        if typ == "String":
            if isinstance(value, str):
                return value
            if lenient and isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            raise bad_request(f'field "{path}" must be of type String')
        if typ == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            raise bad_request(f'field "{path}" must be of type InputFile')
        if typ in self.types:
            subtypes = self.types[typ].get("subtypes") or []
            if any(sub not in self.types for sub in subtypes):
                # a union mixing scalars/arrays and objects (e.g. RichText)
                errors: list[ApiError] = []
                for sub in subtypes:
                    try:
                        return self._check_single(value, sub, path, lenient=lenient)
                    except ApiError as exc:
                        errors.append(exc)
                raise errors[0]
            if isinstance(value, str) and lenient and _looks_like_json(value):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise bad_request(f"can't parse {path} JSON object") from exc
            return self._check_object(value, typ, path)
        # unknown type name in the spec: accept anything
        return value

    def _check_object(self, value: Any, typ: str, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise bad_request(f'field "{path}" must be of type {typ}')
        tdef = self.types[typ]
        subtypes: list[str] | None = tdef.get("subtypes")
        if subtypes:
            candidates = subtypes
            disc = self._discriminators.get(typ)
            if disc is not None:
                disc_field, mapping = disc
                disc_value = value.get(disc_field)
                if disc_value not in mapping:
                    raise bad_request(
                        f'unsupported {path}.{disc_field} "{disc_value}" for {typ}'
                        if disc_value is not None
                        else f"{path}.{disc_field} is empty"
                    )
                candidates = mapping[disc_value]
            # try the candidate sharing most keys first
            ranked = sorted(
                candidates,
                key=lambda sub: -len(set(value) & set(self.fields(sub, method=False))),
            )
            first_error: ApiError | None = None
            for sub in ranked:
                try:
                    return self._check_object(value, sub, path)
                except ApiError as exc:
                    first_error = first_error or exc
            assert first_error is not None
            raise first_error
        spec_fields = self.fields(typ, method=False)
        result: dict[str, Any] = {}
        for name, item in value.items():
            fdef = spec_fields.get(name)
            if fdef is None:
                raise bad_request(f'unknown field "{path}.{name}" in {typ}')
            result[name] = self._check_value(item, fdef["types"], f"{path}.{name}")
        for name, fdef in spec_fields.items():
            if fdef["required"] and name not in result:
                raise bad_request(f"{path}.{name} is empty ({typ}.{name} is required)")
        self._object_rules(typ, result, path)
        return result

    # ---------------------------------------------------------------- semantics
    def _object_rules(self, typ: str, obj: dict[str, Any], path: str) -> None:
        if typ == "InlineKeyboardButton":
            if not isinstance(obj.get("text"), str) or not obj["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID: inline keyboard button text is empty")
            if "callback_data" in obj:
                size = len(obj["callback_data"].encode("utf-8"))
                if not 1 <= size <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in obj and not obj["url"].strip():
                raise bad_request("BUTTON_URL_INVALID")
            kinds = set(obj) - {"text", "icon_custom_emoji_id", "style"}
            if len(kinds) != 1:
                raise bad_request(
                    "can't parse inline keyboard button: exactly one of the optional fields "
                    f"must be used, got {sorted(kinds)} at {path}"
                )
        elif typ == "InputTextMessageContent":
            _check_formatted(obj, "message_text", caption=False, what="message")
        elif typ == "BotCommand":
            _check_bot_command(obj)
        elif "caption" in obj and isinstance(obj["caption"], str):
            _check_formatted(obj, "caption", caption=True, what="message")

    def _semantic_checks(self, method: str, params: dict[str, Any]) -> None:
        if method in ("sendMessage", "editMessageText") and "text" in params:
            _check_formatted(params, "text", caption=False, what="message")
        if "caption" in params and isinstance(params["caption"], str):
            _check_formatted(params, "caption", caption=True, what="message")
        if method == "answerInlineQuery":
            results = params.get("results", [])
            if len(results) > 50:
                raise bad_request("RESULTS_TOO_MUCH")
            seen: set[str] = set()
            for res in results:
                rid = res.get("id", "")
                if not 1 <= len(rid.encode("utf-8")) <= 64:
                    raise bad_request("RESULT_ID_INVALID")
                if rid in seen:
                    raise bad_request("RESULT_ID_DUPLICATE")
                seen.add(rid)
        if method == "answerCallbackQuery" and utf16_len(params.get("text", "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        if method == "setMyCommands" and len(params.get("commands", [])) > 100:
            raise bad_request("too many commands")
        if method == "sendChatAction" and params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")

    # -------------------------------------------------------------- fabrication
    def fabricate(self, typ: str, overrides: dict[str, Any] | None = None, depth: int = 0) -> Any:
        """Build a minimal valid object of spec type ``typ`` (required fields only)."""
        if typ.startswith("Array of "):
            return []
        if typ in ("Integer",):
            return 0
        if typ == "Float":
            return 0.0
        if typ in ("Boolean", "True"):
            return False
        if typ == "String" or typ not in self.types or depth > 6:
            return ""
        tdef = self.types[typ]
        if tdef.get("subtypes"):
            return self.fabricate(tdef["subtypes"][0], overrides, depth + 1)
        obj: dict[str, Any] = {}
        for fdef in tdef.get("fields", []):
            if fdef["required"]:
                obj[fdef["name"]] = self.fabricate(fdef["types"][0], None, depth + 1)
        disc = next((d for d in ("type", "status") if d in obj), None)
        if disc is not None:
            desc = self.fields(typ, method=False)[disc].get("description", "")
            match = _DISCRIMINATOR_RE.search(desc)
            if match:
                obj[disc] = match.group(1)
        obj.update(overrides or {})
        return obj


_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


def _check_formatted(obj: dict[str, Any], key: str, *, caption: bool, what: str) -> None:
    """HTML-parse (if parse_mode is HTML) and length-check ``obj[key]``."""
    text = obj.get(key)
    if not isinstance(text, str):
        return
    parse_mode = obj.get("parse_mode")
    plain = text
    if isinstance(parse_mode, str) and parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            try:
                plain = check_html(text)
            except HTMLParseError as exc:
                raise bad_request(f"can't parse entities: {exc.reason}") from exc
        elif mode not in ("markdown", "markdownv2"):
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    try:
        check_text_length(plain, caption=caption, what=what)
    except TextLengthError as exc:
        raise ApiError(400, exc.description) from exc


def _check_bot_command(obj: dict[str, Any]) -> None:
    command = obj.get("command", "")
    if not _BOT_COMMAND_RE.fullmatch(command.lstrip("/")):
        raise bad_request("BOT_COMMAND_INVALID")
    description = obj.get("description", "")
    if not 1 <= utf16_len(description.strip()) <= 256:
        raise bad_request("command description is empty or too long")
