"""Settings: one frozen dataclass read from the environment, each setting declared once.

Each field of :class:`Settings` carries one :class:`Setting` in its metadata: the variable's
name, its default, its help text and the parser that turns the variable's text into the value
(or says, in a few words, what is wrong). :meth:`Settings.from_env` reads every field through
that declaration and nothing else, so a default is written once and a rule is checked in one
place; the README's table and ``deploy/.env.example`` are tested against it. An invalid value
stops the start with one line that names the variable (and never shows a secret's value).

:meth:`Settings.validate_for_run` adds what depends on how the bot is started (the token's
form; in webhook mode the secret and an https URL whose path does not collide with
``/healthz`` or ``/metrics``); ``pkitbot run`` calls it before connecting to Telegram and
``pkitbot doctor`` runs the same checks.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_dir

from bot.errors import SettingsError

T = TypeVar("T")

MAX_CONCURRENT_UPDATES = 32
TOKEN_RE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
RESERVED_WEBHOOK_PATHS = frozenset({"/healthz", "/metrics"})
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})  # the ports setWebhook accepts
SPEC = "setting"


def default_db_path() -> Path:
    """The database when PKITBOT_DB is not set: ``pkitbot.sqlite3`` in the user's data
    directory (``~/.local/share/pkitbot`` on Linux, as platformdirs finds it)."""
    return Path(user_data_dir("pkitbot", appauthor=False)) / "pkitbot.sqlite3"


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: its variable, default (and how the default is written), help, parser."""

    env: str
    default: Callable[[], T]
    shown: str  # the default as written in deploy/.env.example ("" = empty)
    help: str
    parse: Callable[[str], T]  # raises ValueError("must be ...") for text it cannot take
    secret: bool = False

    def read(self, env: Mapping[str, str]) -> T:
        """The value from ``env``; unset or empty means the default."""
        raw = env.get(self.env, "").strip()
        if not raw:
            return self.default()
        try:
            return self.parse(raw)
        except ValueError as exc:
            shown = "" if self.secret else f" (got {raw[:40]!r})"
            raise SettingsError(f"{self.env} {exc}{shown}") from None


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, frozenset):
        return ",".join(str(v) for v in sorted(value))
    return str(value)


def setting(env: str, default: T, help: str, parse: Callable[[str], T], *,
            secret: bool = False) -> T:
    """Declare a dataclass field read from ``env`` (a secret is left out of ``repr``)."""
    spec = Setting(env, lambda: default, _shown(default), help, parse, secret)
    return field(default=default, repr=not secret, metadata={SPEC: spec})


def computed_setting(env: str, default: Callable[[], T], help: str,
                     parse: Callable[[str], T]) -> T:
    """Declare a field whose default is computed when it is read (written as empty)."""
    spec = Setting(env, default, "", help, parse)
    return field(default_factory=default, metadata={SPEC: spec})


# -- parsers: text -> value, or ValueError saying what the text must be -------------------


def text(raw: str) -> str:
    return raw


def number(low: float, high: float | None = None) -> Callable[[str], float]:
    """A number > 0 (``low`` = 0) or within ``low``..``high``."""

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a number")
        if high is None:
            if value <= low:
                raise ValueError(f"must be greater than {low:g}")
        elif not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def whole(low: int = 1, high: int | None = None) -> Callable[[str], int]:
    """A whole number, at least ``low`` (and at most ``high``)."""

    def parse(raw: str) -> int:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not value.is_integer():
            raise ValueError("must be a whole number")
        if value < low or (high is not None and value > high):
            raise ValueError(f"must be between {low} and {high}" if high is not None
                             else f"must be at least {low}")
        return int(value)

    return parse


def user_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if part:
            if not part.lstrip("-").isdigit():
                raise ValueError("must be comma-separated numeric user ids")
            ids.add(int(part))
    return frozenset(ids)


def clock(raw: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw):
        raise ValueError("must be HH:MM, e.g. 09:00")
    return raw


def time_zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone name such as Asia/Karachi") from None
    return raw


def webhook_secret(raw: str) -> str:
    if not WEBHOOK_SECRET_RE.fullmatch(raw):
        raise ValueError("must be 1-256 characters from A-Z a-z 0-9 _ - (e.g. the output of "
                         "`openssl rand -hex 32`)")
    return raw


def http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return raw


def choice(*options: str) -> Callable[[str], str]:
    """One of ``options``, case-insensitive; returned as written in ``options``."""

    def parse(raw: str) -> str:
        for option in options:
            if raw.lower() == option.lower():
                return option
        raise ValueError(f"must be one of {', '.join(options)}")

    return parse


def db_file(raw: str) -> Path:
    return Path(raw).expanduser()


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
assert all(level in logging.getLevelNamesMapping() for level in LOG_LEVELS)


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :meth:`from_env`."""

    token: str = setting(
        "TELEGRAM_BOT_TOKEN", "", "Bot token from @BotFather (required for `run`).", text,
        secret=True)
    api_base_url: str = setting(
        "TELEGRAM_API_BASE_URL", "",
        "Bot API base URL in python-telegram-bot's form, e.g. http://127.0.0.1:8081/bot "
        "(a local Bot API server, or the tests' fake). Empty: api.telegram.org.", http_url)
    api_file_url: str = setting(
        "TELEGRAM_API_FILE_URL", "",
        "File download base URL; empty: derived from the base URL as .../file/bot.", http_url)
    db_path: Path = computed_setting(  # noqa: RUF009 - returns field(default_factory=...)
        "PKITBOT_DB", default_db_path,
        "SQLite database file, created on first use; `ask`, `kb` and `run` all use it. "
        "Empty: pkitbot.sqlite3 in the user's data directory (~/.local/share/pkitbot on "
        "Linux, ~/Library/Application Support/pkitbot on macOS).", db_file)
    admins: frozenset[int] = setting(
        "PKITBOT_ADMINS", frozenset(),
        "Comma-separated numeric Telegram user ids of the bot's admins.", user_ids)
    max_send_rate: float = setting(
        "PKITBOT_MAX_SEND_RATE", 30.0,
        "Messages per second the bot sends overall (Telegram's cap is 30; paid broadcasts "
        "allow up to 1000).", number(0))
    webhook_secret: str = setting(
        "PKITBOT_WEBHOOK_SECRET", "",
        "Secret token Telegram sends with each webhook call (required in webhook mode; "
        "1-256 characters A-Z a-z 0-9 _ -).", webhook_secret, secret=True)
    fact_time: str = setting(
        "PKITBOT_FACT_TIME", "09:00",
        "Time of day (HH:MM) the daily fact goes to subscribers.", clock)
    timezone: str = setting(
        "PKITBOT_TIMEZONE", "Asia/Karachi",
        "Time zone for the daily fact (an IANA name).", time_zone)
    chat_flood_limit: int = setting(
        "PKITBOT_CHAT_FLOOD_LIMIT", 19,
        "Questions a group or channel may ask per minute before the bot goes quiet (at most "
        "19: Telegram lets a bot send 20 messages a minute to a group).", whole(1))
    user_rate_limit: int = setting(
        "PKITBOT_USER_RATE_LIMIT", 20, "Updates one user may send per minute (messages, "
        "commands, button presses, inline queries; admins are exempt).", whole(1))
    max_question_chars: int = setting(
        "PKITBOT_MAX_QUESTION_CHARS", 500,
        "Longest question (in characters) the bot will try to answer.", whole(1))
    concurrent_updates: int = setting(
        "PKITBOT_CONCURRENT_UPDATES", 3,
        "Updates handled at once, 1 to 32, polling or webhook; a chat's answers stay "
        "in order.", whole(1, MAX_CONCURRENT_UPDATES))
    log_days: int = setting(
        "PKITBOT_LOG_DAYS", 90,
        "Days raw user questions are kept in the query log before they are pruned "
        "(1 to 3650).", whole(1, 3650))
    metrics_token: str = setting(
        "PKITBOT_METRICS_TOKEN", "",
        "When set, webhook mode's /metrics requires `Authorization: Bearer <token>`; "
        "when empty, /metrics answers only to requests from loopback (127.0.0.1, ::1).",
        text, secret=True)
    max_import_mb: float = setting(
        "PKITBOT_MAX_IMPORT_MB", 5.0,
        "Largest import document, in MiB, accepted from Telegram (0.1 to 200); the CLI "
        "may pass larger with a flag.", number(0.1, 200))
    log_format: str = setting(
        "PKITBOT_LOG_FORMAT", "text", "Log lines as `text` or `json`.", choice("text", "json"))
    log_level: str = setting(
        "PKITBOT_LOG_LEVEL", "INFO", "Logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL).",
        choice(*LOG_LEVELS))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting from ``env`` (default: ``os.environ``).

        Raises SettingsError naming the first variable that is malformed.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {f.name: f.metadata[SPEC].read(env) for f in fields(cls)}
        return cls(**values)

    def require_token(self) -> str:
        """Return the token, or raise SettingsError naming the variable (never the value)."""
        if not self.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather")
        if not TOKEN_RE.match(self.token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AA... from @BotFather"
            )
        return self.token

    def validate_for_run(self, webhook_url: str | None = None) -> None:
        """What ``pkitbot run`` needs beyond well-formed settings; SettingsError if not.

        The token's form, and in webhook mode the secret and the URL (https, a host, a port
        setWebhook accepts, a path other than /healthz and /metrics).
        """
        self.require_token()
        if webhook_url is None:
            return
        if not self.webhook_secret:
            raise SettingsError("PKITBOT_WEBHOOK_SECRET is required in webhook mode "
                                "(e.g. the output of `openssl rand -hex 32`)")
        check_webhook_url(webhook_url)

    @property
    def file_url(self) -> str:
        """The base file URL: explicit, derived from the base URL, or empty for Telegram's."""
        if self.api_file_url:
            return self.api_file_url
        if self.api_base_url:
            base = self.api_base_url.rstrip("/")
            head, _, tail = base.rpartition("/")
            return f"{head}/file/{tail}" if head else f"{base}/file/bot"
        return ""


def check_webhook_url(url: str) -> str:
    """The local path of a usable ``--webhook-url``, or SettingsError saying what to change."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SettingsError("--webhook-url is not a URL: use e.g. "
                            "https://bot.example.com/telegram") from None
    if parts.scheme != "https" or not parts.hostname:
        raise SettingsError("--webhook-url must be an https:// URL with a host name "
                            "(Telegram sends updates only over HTTPS), e.g. "
                            "https://bot.example.com/telegram")
    if port is not None and port not in WEBHOOK_PORTS:
        raise SettingsError(f"--webhook-url's port must be one of "
                            f"{', '.join(str(p) for p in sorted(WEBHOOK_PORTS))} "
                            "(the ports Telegram sends webhooks to)")
    path = parts.path.rstrip("/") or "/"
    if path in RESERVED_WEBHOOK_PATHS:
        raise SettingsError(f"--webhook-url's path cannot be {path} (the bot serves it "
                            "itself): choose e.g. /telegram")
    return path


SETTINGS: dict[str, dict[str, str]] = {
    f.name: {"env": f.metadata[SPEC].env, "default": f.metadata[SPEC].shown,
             "help": f.metadata[SPEC].help}
    for f in fields(Settings)
}
"""Each field's variable, default as written in deploy/.env.example, and help (a view of the
declarations above, for the docs and their tests)."""
