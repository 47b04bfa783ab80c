"""Settings: one frozen dataclass read from the environment, each setting declared once.

Every setting has a name, a default and a help text (``SETTINGS``); the README documents
each one (a test checks that) and ``deploy/.env.example`` lists them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from bot.errors import SettingsError

MAX_CONCURRENT_UPDATES = 32
TOKEN_RE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")


def _meta(env: str, default: str, help: str) -> dict[str, str]:
    return {"env": env, "default": default, "help": help}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :meth:`from_env`."""

    token: str = field(
        default="",
        repr=False,
        metadata=_meta("TELEGRAM_BOT_TOKEN", "", "Bot token from @BotFather (required for `run`)."),
    )
    api_base_url: str = field(
        default="",
        metadata=_meta(
            "TELEGRAM_API_BASE_URL",
            "",
            "Bot API base URL in python-telegram-bot's form, e.g. http://127.0.0.1:8081/bot "
            "(a local Bot API server, or the tests' fake). Empty: api.telegram.org.",
        ),
    )
    api_file_url: str = field(
        default="",
        metadata=_meta(
            "TELEGRAM_API_FILE_URL",
            "",
            "File download base URL; empty: derived from the base URL as .../file/bot.",
        ),
    )
    db_path: Path = field(
        default=Path("./data/pkitbot.sqlite3"),
        metadata=_meta(
            "PKITBOT_DB", "./data/pkitbot.sqlite3", "SQLite database file (created on first use)."
        ),
    )
    admins: frozenset[int] = field(
        default=frozenset(),
        metadata=_meta(
            "PKITBOT_ADMINS", "", "Comma-separated numeric Telegram user ids of the bot's admins."
        ),
    )
    max_send_rate: float = field(
        default=30.0,
        metadata=_meta(
            "PKITBOT_MAX_SEND_RATE",
            "30",
            "Messages per second the bot sends overall (Telegram's cap is 30; paid broadcasts "
            "allow up to 1000).",
        ),
    )
    webhook_secret: str = field(
        default="",
        repr=False,
        metadata=_meta(
            "PKITBOT_WEBHOOK_SECRET",
            "",
            "Secret token Telegram sends with each webhook call (required in webhook mode; "
            "1-256 characters A-Z a-z 0-9 _ -).",
        ),
    )
    fact_time: str = field(
        default="09:00",
        metadata=_meta(
            "PKITBOT_FACT_TIME", "09:00", "Time of day (HH:MM) the daily fact goes to subscribers."
        ),
    )
    timezone: str = field(
        default="Asia/Karachi",
        metadata=_meta("PKITBOT_TIMEZONE", "Asia/Karachi", "Time zone for the daily fact."),
    )
    chat_flood_limit: int = field(
        default=19,
        metadata=_meta(
            "PKITBOT_CHAT_FLOOD_LIMIT",
            "19",
            "Questions a group or channel may ask per minute before the bot goes quiet (at most "
            "19: Telegram lets a bot send 20 messages a minute to a group).",
        ),
    )
    user_rate_limit: int = field(
        default=20,
        metadata=_meta(
            "PKITBOT_USER_RATE_LIMIT", "20", "Questions one user may ask per minute."
        ),
    )
    max_question_chars: int = field(
        default=500,
        metadata=_meta(
            "PKITBOT_MAX_QUESTION_CHARS",
            "500",
            "Longest question (in characters) the bot will try to answer.",
        ),
    )
    concurrent_updates: int = field(
        default=3,
        metadata=_meta(
            "PKITBOT_CONCURRENT_UPDATES",
            "3",
            "Updates handled at once, 1 to 32, polling or webhook; a chat's answers stay "
            "in order.",
        ),
    )
    log_days: int = field(
        default=90,
        metadata=_meta(
            "PKITBOT_LOG_DAYS",
            "90",
            "Days raw user questions are kept in the query log before they are pruned "
            "(1 to 3650).",
        ),
    )
    metrics_token: str = field(
        default="",
        repr=False,
        metadata=_meta(
            "PKITBOT_METRICS_TOKEN",
            "",
            "When set, webhook mode's /metrics requires `Authorization: Bearer <token>`; "
            "when empty, /metrics answers only to requests from loopback (127.0.0.1, ::1).",
        ),
    )
    max_import_mb: float = field(
        default=5.0,
        metadata=_meta(
            "PKITBOT_MAX_IMPORT_MB",
            "5",
            "Largest import document, in MiB, accepted from Telegram (0.1 to 200); the CLI "
            "may pass larger with a flag.",
        ),
    )
    log_format: str = field(
        default="text",
        metadata=_meta("PKITBOT_LOG_FORMAT", "text", "Log lines as `text` or `json`."),
    )
    log_level: str = field(
        default="INFO",
        metadata=_meta("PKITBOT_LOG_LEVEL", "INFO", "Logging level (DEBUG, INFO, WARNING...)."),
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env

        def get(name: str) -> str:
            return env.get(_env_name(name), _default(name)).strip()

        admins: set[int] = set()
        for part in get("admins").split(","):
            if part.strip():
                if not part.strip().lstrip("-").isdigit():
                    raise SettingsError(
                        "PKITBOT_ADMINS must be comma-separated numeric user ids"
                    )
                admins.add(int(part))
        return cls(
            token=get("token"),
            api_base_url=get("api_base_url"),
            api_file_url=get("api_file_url"),
            db_path=Path(get("db_path") or _default("db_path")),
            admins=frozenset(admins),
            max_send_rate=_float(get("max_send_rate"), "max_send_rate"),
            webhook_secret=get("webhook_secret"),
            fact_time=_clock(get("fact_time")),
            timezone=get("timezone"),
            chat_flood_limit=_int(get("chat_flood_limit"), "chat_flood_limit"),
            user_rate_limit=_int(get("user_rate_limit"), "user_rate_limit"),
            max_question_chars=_int(get("max_question_chars"), "max_question_chars"),
            concurrent_updates=_concurrency(get("concurrent_updates")),
            log_days=_ranged_int(get("log_days"), "log_days", 1, 3650),
            metrics_token=get("metrics_token"),
            max_import_mb=_ranged_float(get("max_import_mb"), "max_import_mb", 0.1, 200),
            log_format=get("log_format").lower(),
            log_level=get("log_level").upper(),
        )

    def require_token(self) -> str:
        """Return the token, or raise SettingsError naming the variable (never the value)."""
        if not self.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather")
        if not TOKEN_RE.match(self.token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AA... from @BotFather"
            )
        return self.token

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


def _env_name(name: str) -> str:
    return SETTINGS[name]["env"]


def _default(name: str) -> str:
    return SETTINGS[name]["default"]


def _float(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{_env_name(name)} must be a number") from None
    if value <= 0:
        raise SettingsError(f"{_env_name(name)} must be greater than zero")
    return value


def _int(raw: str, name: str) -> int:
    value = _float(raw, name)
    if not value.is_integer():
        raise SettingsError(f"{_env_name(name)} must be a whole number")
    return int(value)


def _concurrency(raw: str) -> int:
    value = _int(raw, "concurrent_updates")
    if not 1 <= value <= MAX_CONCURRENT_UPDATES:
        raise SettingsError(
            f"PKITBOT_CONCURRENT_UPDATES must be between 1 and {MAX_CONCURRENT_UPDATES}")
    return value


def _ranged_int(raw: str, name: str, low: int, high: int) -> int:
    value = _int(raw, name)
    if not low <= value <= high:
        raise SettingsError(f"{_env_name(name)} must be between {low} and {high}")
    return value


def _ranged_float(raw: str, name: str, low: float, high: float) -> float:
    value = _float(raw, name)
    if not low <= value <= high:
        raise SettingsError(f"{_env_name(name)} must be between {low:g} and {high:g}")
    return value


def _clock(raw: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw):
        raise SettingsError("PKITBOT_FACT_TIME must be HH:MM, e.g. 09:00")
    return raw


SETTINGS: dict[str, dict[str, str]] = {
    f.name: {"env": f.metadata["env"], "default": f.metadata["default"], "help": f.metadata["help"]}
    for f in fields(Settings)
}
