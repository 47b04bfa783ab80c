"""Settings: read from the environment, validated, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import SETTINGS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text("utf-8")
    for meta in SETTINGS.values():
        assert f"`{meta['env']}`" in text, meta["env"]


def test_defaults_and_overrides() -> None:
    default = Settings.from_env({})
    assert default.db_path == Path("./data/pkitbot.sqlite3")
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
