"""``pkitbot doctor`` against a local fake Bot API: healthy and broken deployments.

Checks are called directly (bot.doctor.run_checks) and through the click command
(bot.cli.doctor); the token must never appear in what is printed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import doctor
from bot.doctor import Check, _webhook_check, all_ok, run_checks
from bot.settings import SETTINGS, Settings
from tests.fakebot import FakeBotAPI

OTHER_TOKEN = "654321:ANOTHER-token_abcdefghijklmnopqrstuvwx"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def invoke(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Result:
    """Run ``pkitbot doctor`` with exactly ``env`` for the settings."""
    for meta in SETTINGS.values():
        monkeypatch.delenv(meta["env"], raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(doctor, list(args))


def test_healthy(fake: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kb.sqlite3"
    checks = run_checks(Settings(token=fake.token, api_base_url=fake.base_url, db_path=db))
    names = by_name(checks)
    assert all_ok(checks), [c.line() for c in checks]
    assert set(names) == {"token", "database", "knowledge", "telegram", "webhook"}
    assert "@pkit_test_bot" in names["telegram"].detail
    assert "polling" in names["webhook"].detail
    assert str(db) in names["database"].detail
    assert fake.sent("getMe") and fake.sent("getWebhookInfo")

    result = invoke(monkeypatch, {"TELEGRAM_BOT_TOKEN": fake.token,
                                  "TELEGRAM_API_BASE_URL": fake.base_url,
                                  "PKITBOT_DB": str(db)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("ok   ") for line in lines)
    assert fake.token not in result.output


def test_offline_makes_no_telegram_calls(fake: FakeBotAPI, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, {"TELEGRAM_BOT_TOKEN": fake.token,
                                  "TELEGRAM_API_BASE_URL": fake.base_url,
                                  "PKITBOT_DB": str(tmp_path / "kb.sqlite3")}, "--offline")
    assert result.exit_code == 0, result.output
    assert "ok   telegram" not in result.output and "webhook:" not in result.output
    assert fake.requests == []


def test_malformed_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "12345:too-short-to-be-a-token"
    result = invoke(monkeypatch, {"TELEGRAM_BOT_TOKEN": token,
                                  "PKITBOT_DB": str(tmp_path / "kb.sqlite3")})
    assert result.exit_code == 1
    assert "FAIL token: TELEGRAM_BOT_TOKEN is malformed" in result.output
    assert "FAIL telegram: not checked" in result.output
    assert "ok   database" in result.output
    assert token not in result.output and "too-short" not in result.output


def test_missing_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, {"PKITBOT_DB": str(tmp_path / "kb.sqlite3")}, "--offline")
    assert result.exit_code == 1
    assert "FAIL token: TELEGRAM_BOT_TOKEN is not set" in result.output


def test_bad_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, {"PKITBOT_FACT_TIME": "25:99"})
    assert result.exit_code == 1
    assert result.output.startswith("FAIL settings: PKITBOT_FACT_TIME")


@pytest.mark.parametrize(("env", "name"), [
    ({"PKITBOT_TIMEZONE": "Asia/Lahore"}, "PKITBOT_TIMEZONE"),
    ({"PKITBOT_WEBHOOK_SECRET": "has spaces"}, "PKITBOT_WEBHOOK_SECRET"),
    ({"PKITBOT_LOG_DAYS": "0"}, "PKITBOT_LOG_DAYS"),
])
def test_doctor_refuses_what_run_refuses(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                         name: str) -> None:
    """The settings `run` would stop on are the ones doctor fails, in one line."""
    result = invoke(monkeypatch, env, "--offline")
    assert result.exit_code == 1
    assert result.output.startswith(f"FAIL settings: {name}")
    assert len(result.output.splitlines()) == 1
    assert "has spaces" not in result.output  # a secret's value is never shown


@pytest.mark.parametrize(("url", "says"), [
    ("http://bot.example.com/telegram", "https"),
    ("https://bot.example.com/healthz", "/healthz"),
    ("https://bot.example.com/metrics", "/metrics"),
])
def test_doctor_checks_the_webhook_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       url: str, says: str) -> None:
    env = {"PKITBOT_DB": str(tmp_path / "kb.sqlite3"), "PKITBOT_WEBHOOK_SECRET": "s3cret",
           "TELEGRAM_BOT_TOKEN": OTHER_TOKEN}
    result = invoke(monkeypatch, env, "--offline", "--webhook-url", url)
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].startswith("FAIL webhook settings: --webhook-url")
    assert says in failed[0]
    good = invoke(monkeypatch, env, "--offline", "--webhook-url",
                  "https://bot.example.com/telegram")
    assert good.exit_code == 0, good.output
    assert "ok   webhook settings: https URL, updates on path /telegram" in good.output


def test_doctor_webhook_needs_the_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, {"PKITBOT_DB": str(tmp_path / "kb.sqlite3"),
                                  "TELEGRAM_BOT_TOKEN": OTHER_TOKEN},
                    "--offline", "--webhook-url", "https://bot.example.com/telegram")
    assert result.exit_code == 1
    assert "FAIL webhook settings: PKITBOT_WEBHOOK_SECRET is required" in result.output


def test_server_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBotAPI() as gone:
        token, base = gone.token, gone.base_url
    result = invoke(monkeypatch, {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base,
                                  "PKITBOT_DB": str(tmp_path / "kb.sqlite3")},
                    "--timeout", "3")
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL telegram"))
    assert "cannot reach the Bot API" in line
    assert "check the network" in line and "TELEGRAM_API_BASE_URL" in line
    assert token not in result.output


def test_token_refused(fake: FakeBotAPI, tmp_path: Path) -> None:
    checks = run_checks(Settings(token=OTHER_TOKEN, api_base_url=fake.base_url,
                                 db_path=tmp_path / "kb.sqlite3"))
    telegram = by_name(checks)["telegram"]
    assert not telegram.ok
    assert "@BotFather" in telegram.detail
    assert all(OTHER_TOKEN not in c.line() for c in checks)


def test_corrupt_database(fake: FakeBotAPI, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kb.sqlite3"
    db.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8192)
    result = invoke(monkeypatch, {"TELEGRAM_BOT_TOKEN": fake.token,
                                  "TELEGRAM_API_BASE_URL": fake.base_url,
                                  "PKITBOT_DB": str(db)})
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL database"))
    assert str(db) in line and "backup" in line
    assert "ok   telegram" in result.output
    assert fake.token not in result.output


def test_damaged_pages(tmp_path: Path) -> None:
    db = tmp_path / "kb.sqlite3"
    assert by_name(run_checks(Settings(db_path=db), offline=True))["database"].ok
    data = bytearray(db.read_bytes())
    data[8192:11192] = b"\x55" * 3000
    db.write_bytes(bytes(data))
    check = by_name(run_checks(Settings(db_path=db), offline=True))["database"]
    assert not check.ok and str(db) in check.detail


def test_foreign_file(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database at all\n" * 20)
    check = by_name(run_checks(Settings(db_path=db), offline=True))["database"]
    assert not check.ok and str(db) in check.detail
    assert db.read_text().startswith("not a database")  # left untouched


def test_broken_knowledge(tmp_path: Path) -> None:
    kdir = tmp_path / "knowledge"
    (kdir / "entries").mkdir(parents=True)
    (kdir / "sources.yaml").write_text("sources: [")
    (kdir / "entries" / "x.yaml").write_text("entries: []\n")
    check = by_name(run_checks(Settings(db_path=tmp_path / "kb.sqlite3"), offline=True,
                               knowledge_dir=kdir))["knowledge"]
    assert not check.ok and "sources.yaml" in check.detail and "kb build" in check.detail


def test_webhook_info_judgement() -> None:
    now = int(time.time())
    ok = _webhook_check({"ok": True, "result": {"url": "https://b.example/tg",
                                                "pending_update_count": 2}})
    assert ok.ok and "https://b.example/tg" in ok.detail and "2 update(s)" in ok.detail
    recent = _webhook_check({"ok": True, "result": {
        "url": "https://b.example/tg", "pending_update_count": 9,
        "last_error_message": "Connection timed out", "last_error_date": now - 60}})
    assert not recent.ok and "Connection timed out" in recent.detail
    old = _webhook_check({"ok": True, "result": {
        "url": "https://b.example/tg", "pending_update_count": 0,
        "last_error_message": "Connection timed out", "last_error_date": now - 86400}})
    assert old.ok and "last error" in old.detail


def test_webhook_set_on_the_fake_is_reported(fake: FakeBotAPI, tmp_path: Path) -> None:
    import httpx

    httpx.post(f"{fake.api_url}/setWebhook",
               json={"url": "https://bot.example.com/telegram", "secret_token": "s3cret"})
    checks = run_checks(Settings(token=fake.token, api_base_url=fake.base_url,
                                 db_path=tmp_path / "kb.sqlite3"))
    webhook = by_name(checks)["webhook"]
    assert webhook.ok and "https://bot.example.com/telegram" in webhook.detail
    assert "s3cret" not in webhook.detail
