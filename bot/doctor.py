"""``pkitbot doctor``: check that a deployment can run, and say what to fix when it cannot.

Each check returns a :class:`Check` (name, ok, detail); :func:`run_checks` runs them all in
order: the token's form, the database (opens, migrations, ``PRAGMA integrity_check``), the
curated knowledge files, with ``--webhook-url`` the webhook settings ``run`` would refuse
(the other settings are checked as they are read, the same way for ``run``) and, unless
offline, Telegram (``getMe``, ``getWebhookInfo``). The
token never appears in a detail: every text is scrubbed before it is returned.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.errors import SettingsError
from bot.logs import REDACTED, RedactToken
from bot.settings import Settings, check_webhook_url

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
RECENT_WEBHOOK_ERROR_SECONDS = 3600


@dataclass(frozen=True)
class Check:
    """The outcome of one check: on failure ``detail`` says what to do."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The printed form: ``ok   name: detail`` or ``FAIL name: detail``."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_token(settings: Settings) -> Check:
    """Is TELEGRAM_BOT_TOKEN set and shaped like a BotFather token?"""
    try:
        token = settings.require_token()
    except SettingsError as exc:
        return Check("token", False, str(exc))
    bot_id = token.split(":", 1)[0]
    return Check("token", True, f"TELEGRAM_BOT_TOKEN is well-formed (bot id {bot_id})")


def _pending_before_open(path: Path) -> int | None:
    """How many migrations an existing database lacks (None if it cannot be read as one)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    from sqlite_utils import Database

    from bot.kb import migrations

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        return len(migrations.pending(Database(conn)))
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def check_database(settings: Settings) -> Check:
    """Does the database open, carry every migration and pass ``PRAGMA integrity_check``?"""
    from bot.errors import KnowledgeError, StoreError
    from bot.kb import migrations
    from bot.kb.store import open_store

    path = settings.db_path
    advice = ("restore it from a backup (see docs/deploy.md) or move it away so a fresh one "
              "is built")
    pending_before = _pending_before_open(path)
    try:
        store = open_store(path)
    except (StoreError, sqlite3.Error, OSError) as exc:
        text = str(exc)
        if str(path) not in text:
            text = f"{path}: {text}"
        if "move the file away" not in text:
            text = f"{text}; {advice}"
        return Check("database", False, text)
    except KnowledgeError as exc:
        return Check("database", False,
                     f"{path} is new and the packaged knowledge failed to load: {exc}")
    try:
        rows = [str(r[0]) for r in store.db.execute("PRAGMA integrity_check").fetchall()]
        left = len(migrations.pending(store.db))
        entries = int(store.db.execute(
            "SELECT COUNT(*) FROM entries WHERE status = 'active'").fetchone()[0])
    except sqlite3.Error as exc:
        return Check("database", False, f"{path} cannot be queried ({exc}); {advice}")
    finally:
        store.close()
    if rows != ["ok"]:
        return Check("database", False,
                     f"{path} failed PRAGMA integrity_check ({'; '.join(rows[:3])}); {advice}")
    if left:
        return Check("database", False,
                     f"{path} still has {left} pending migration(s); run `pkitbot kb stats` "
                     "once with write access to the file to migrate it")
    migrated = f", {pending_before} migration(s) applied now" if pending_before else ""
    return Check("database", True,
                 f"{path}: integrity ok, schema up to date{migrated}, {entries} active entries")


def check_knowledge(knowledge_dir: Path | None = None) -> Check:
    """Do the curated knowledge files validate?"""
    from bot.errors import KnowledgeError
    from bot.kb.files import default_knowledge_dir, load_dir

    where = knowledge_dir or default_knowledge_dir()
    try:
        knowledge = load_dir(knowledge_dir)
    except KnowledgeError as exc:
        shown = "; ".join(str(p) for p in exc.problems[:3])
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return Check("knowledge", False,
                     f"{len(exc.problems)} problem(s) in {where}: {shown}{more}; fix them and "
                     "run `pkitbot kb build`")
    except OSError as exc:
        return Check("knowledge", False, f"cannot read {where}: {exc.strerror}")
    return Check("knowledge", True, f"{len(knowledge.entries)} entries and "
                                    f"{len(knowledge.sources)} sources in {where} validate")


def _call(client: httpx.Client, base: str, token: str, method: str) -> dict[str, Any]:
    """Call one Bot API method; returns the decoded reply (raises httpx errors)."""
    response = client.get(f"{base}{token}/{method}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise httpx.HTTPError(f"HTTP {response.status_code} with a body that is not JSON")
    return data


def check_telegram(settings: Settings, *, timeout: float = 10.0) -> list[Check]:
    """Can we reach the Bot API with this token (getMe), and how is the webhook set?"""
    base = settings.api_base_url or TELEGRAM_BASE_URL
    try:
        token = settings.require_token()
    except SettingsError:
        return [Check("telegram", False, "not checked: fix TELEGRAM_BOT_TOKEN first")]
    checks: list[Check] = []
    try:
        with httpx.Client(timeout=timeout) as client:
            me = _call(client, base, token, "getMe")
            if not me.get("ok"):
                code = me.get("error_code")
                text = me.get("description", "no description")
                advice = ("the token was revoked or is wrong: get the current one from "
                          "@BotFather" if code in (401, 404)
                          else "see https://core.telegram.org/bots/api#making-requests")
                return [Check("telegram", False, f"getMe refused ({code} {text}): {advice}")]
            user = me.get("result") or {}
            checks.append(Check("telegram", True,
                                f"getMe: @{user.get('username')} (id {user.get('id')}) via "
                                f"{base.rstrip('/')}"))
            info = _call(client, base, token, "getWebhookInfo")
    except httpx.HTTPError as exc:
        return [*checks, Check(
            "telegram", False,
            f"cannot reach the Bot API at {base} ({type(exc).__name__}: {exc}); check the "
            "network, DNS and firewall, or TELEGRAM_API_BASE_URL")]
    checks.append(_webhook_check(info))
    return checks


def _webhook_check(info: dict[str, Any]) -> Check:
    """Judge a getWebhookInfo reply."""
    if not info.get("ok"):
        return Check("webhook", False, f"getWebhookInfo refused: {info.get('description')}")
    result = info.get("result") or {}
    url = result.get("url") or ""
    pending = result.get("pending_update_count", 0)
    error = result.get("last_error_message")
    error_at = result.get("last_error_date")
    if not url:
        return Check("webhook", True,
                     f"no webhook set (polling mode); {pending} update(s) waiting")
    detail = f"url {url}, {pending} update(s) pending"
    if error:
        recent = isinstance(error_at, int) and time.time() - error_at < RECENT_WEBHOOK_ERROR_SECONDS
        detail += f", last error: {error}"
        if recent:
            return Check("webhook", False,
                         f"{detail}; Telegram cannot deliver: check DNS, Caddy/TLS, that the "
                         "bot runs with --webhook-url and PKITBOT_WEBHOOK_SECRET matches")
    return Check("webhook", True, detail)


def check_webhook_settings(settings: Settings, webhook_url: str) -> Check:
    """Would ``pkitbot run --webhook-url URL`` accept its webhook settings?"""
    try:
        if not settings.webhook_secret:
            raise SettingsError("PKITBOT_WEBHOOK_SECRET is required in webhook mode "
                                "(e.g. the output of `openssl rand -hex 32`)")
        path = check_webhook_url(webhook_url)
    except SettingsError as exc:
        return Check("webhook settings", False, str(exc))
    return Check("webhook settings", True,
                 f"https URL, updates on path {path}, PKITBOT_WEBHOOK_SECRET set")


def run_checks(settings: Settings, *, offline: bool = False,
               knowledge_dir: Path | None = None, timeout: float = 10.0,
               webhook_url: str | None = None) -> list[Check]:
    """Every check in order; Telegram is skipped when ``offline``. Details are token-free.

    ``settings`` come from :meth:`Settings.from_env`, which already checked each value (the
    time zone, the secret's characters, HH:MM...) exactly as ``pkitbot run`` does; with
    ``webhook_url`` the webhook mode's own checks run too.
    """
    checks = [check_token(settings), check_database(settings), check_knowledge(knowledge_dir)]
    if webhook_url is not None:
        checks.append(check_webhook_settings(settings, webhook_url))
    if not offline:
        checks.extend(check_telegram(settings, timeout=timeout))
    return [Check(c.name, c.ok, redact(c.detail, settings.token)) for c in checks]


def redact(text: str, token: str) -> str:
    """``text`` with the token (and anything shaped like a token) replaced by ``<token>``."""
    if len(token) >= 6:
        text = text.replace(token, REDACTED)
    return RedactToken().scrub(text)


def all_ok(checks: list[Check]) -> bool:
    """True when every check passed."""
    return all(c.ok for c in checks)
