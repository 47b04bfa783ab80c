"""Settings: read from the environment, validated, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import SETTINGS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_table_is_the_declaration() -> None:
    """The README's Settings table has one row per setting: its default and its help."""
    rows = {line.split("|")[1].strip(): line for line in README.read_text("utf-8").splitlines()
            if line.startswith("| `")}
    for meta in SETTINGS.values():
        default = f"`{meta['default']}`" if meta["default"] else "(empty)"
        assert rows.get(f"`{meta['env']}`") == f"| `{meta['env']}` | {default} | {meta['help']} |"


def test_every_default_reads_back_as_itself() -> None:
    """Each default, written as .env.example writes it, parses to the declared default."""
    written = {meta["env"]: meta["default"] for meta in SETTINGS.values()}
    assert Settings.from_env(written) == Settings.from_env({}) == Settings()


def test_defaults_and_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    default = Settings.from_env({})
    # the user's data directory, never a ./data beside wherever the command runs
    assert default.db_path == tmp_path / "share" / "pkitbot" / "pkitbot.sqlite3"
    assert Settings.from_env({"PKITBOT_DB": "  "}).db_path == default.db_path
    assert Settings.from_env({"PKITBOT_DB": "/srv/kb.sqlite3"}).db_path == Path("/srv/kb.sqlite3")
    assert default.max_send_rate == 30 and default.fact_time == "09:00"
    custom = Settings.from_env({"PKITBOT_ADMINS": "1, 22,333", "PKITBOT_MAX_SEND_RATE": "1000",
                                "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert custom.admins == {1, 22, 333}
    assert custom.max_send_rate == 1000
    assert custom.file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(("env", "name"), [
    ({"PKITBOT_ADMINS": "alice"}, "PKITBOT_ADMINS"),
    ({"PKITBOT_MAX_SEND_RATE": "fast"}, "PKITBOT_MAX_SEND_RATE"),
    ({"PKITBOT_FACT_TIME": "9am"}, "PKITBOT_FACT_TIME"),
    ({"PKITBOT_USER_RATE_LIMIT": "0"}, "PKITBOT_USER_RATE_LIMIT"),
    ({"PKITBOT_TIMEZONE": "Asia/Lahore"}, "PKITBOT_TIMEZONE"),
    ({"PKITBOT_TIMEZONE": "../../etc/passwd"}, "PKITBOT_TIMEZONE"),
    ({"PKITBOT_CONCURRENT_UPDATES": "33"}, "PKITBOT_CONCURRENT_UPDATES"),
    ({"PKITBOT_LOG_DAYS": "0"}, "PKITBOT_LOG_DAYS"),
    ({"PKITBOT_LOG_DAYS": "3651"}, "PKITBOT_LOG_DAYS"),
    ({"PKITBOT_MAX_IMPORT_MB": "0.05"}, "PKITBOT_MAX_IMPORT_MB"),
    ({"PKITBOT_MAX_IMPORT_MB": "nan"}, "PKITBOT_MAX_IMPORT_MB"),
    ({"PKITBOT_LOG_FORMAT": "xml"}, "PKITBOT_LOG_FORMAT"),
    ({"PKITBOT_LOG_LEVEL": "LOUD"}, "PKITBOT_LOG_LEVEL"),
    ({"TELEGRAM_API_BASE_URL": "127.0.0.1:8081/bot"}, "TELEGRAM_API_BASE_URL"),
])
def test_malformed_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)


def test_token_is_checked_and_never_shown() -> None:
    secret = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": secret})
    assert settings.require_token() == secret
    assert secret not in repr(settings)
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:oops-secret"}).require_token()
    assert "oops-secret" not in str(err.value)


@pytest.mark.parametrize("value", ["has spaces in it", "x" * 257, "semi;colon", "ünïcode"])
def test_bad_webhook_secret_names_the_variable_not_the_value(value: str) -> None:
    with pytest.raises(SettingsError, match="PKITBOT_WEBHOOK_SECRET") as err:
        Settings.from_env({"PKITBOT_WEBHOOK_SECRET": value})
    assert value not in str(err.value) and "\n" not in str(err.value)


def test_values_are_normalised() -> None:
    settings = Settings.from_env({"PKITBOT_LOG_LEVEL": "debug", "PKITBOT_LOG_FORMAT": "JSON",
                                  "PKITBOT_WEBHOOK_SECRET": "a" * 256,
                                  "PKITBOT_TIMEZONE": "UTC", "PKITBOT_LOG_DAYS": "3650"})
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.log_days == 3650 and settings.timezone == "UTC"


TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize(("url", "says"), [
    ("http://bot.example.com/telegram", "https"),
    ("https:///telegram", "host"),
    ("bot.example.com/telegram", "https"),
    ("https://bot.example.com:8080/telegram", "port"),
    ("https://bot.example.com/healthz", "/healthz"),
    ("https://bot.example.com/metrics/", "/metrics"),
])
def test_webhook_url_is_checked_before_run(url: str, says: str) -> None:
    settings = Settings(token=TOKEN, webhook_secret="s3cret")
    with pytest.raises(SettingsError, match="--webhook-url") as err:
        settings.validate_for_run(url)
    assert says in str(err.value)


def test_validate_for_run() -> None:
    Settings(token=TOKEN).validate_for_run(None)
    Settings(token=TOKEN, webhook_secret="s3cret").validate_for_run(
        "https://bot.example.com:8443/telegram")
    with pytest.raises(SettingsError, match="PKITBOT_WEBHOOK_SECRET is required"):
        Settings(token=TOKEN).validate_for_run("https://bot.example.com/telegram")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        Settings().validate_for_run(None)
