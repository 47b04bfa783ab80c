"""``pkitbot run`` starting up: never a traceback, never the token, a clear exit code.

Each test runs the real command in a child process (``python -m bot run``) against the fake
Bot API, as an operator or systemd would: a refused token, settings ``run`` must refuse
before it connects (time zone, secret, webhook URL), an unusable database, Telegram not
reachable at start (kept retrying, stopped by SIGTERM within 10 s), and what nothing caught.
The default database location that ``ask``, ``kb`` and ``run`` share is checked too.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakebot import FakeBotAPI
from tests.fakebot.server import RecordedRequest

REPO = Path(__file__).resolve().parent.parent
REVOKED = "7000000001:AAE-revoked_token_the_server_refuses1"
STOP_WITHIN = 10.0  # seconds from SIGTERM to exit (docker stop's default grace)


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def child_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a fresh machine: no pkitbot settings but ``settings``, its own
    user data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PKITBOT_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(REPO), XDG_DATA_HOME=str(tmp_path / "share"))
    env.update(settings)
    return env


def bot_env(fake: FakeBotAPI, tmp_path: Path, **settings: str) -> dict[str, str]:
    return child_env(tmp_path, **{"TELEGRAM_BOT_TOKEN": fake.token,
                                  "TELEGRAM_API_BASE_URL": fake.base_url,
                                  "PKITBOT_DB": str(tmp_path / "kb.sqlite3"), **settings})


def run_once(env: dict[str, str], *args: str, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def assert_clean(output: str, *secrets: str, most: int = 3) -> None:
    """What an operator sees: a few lines, no traceback, no secret."""
    lines = output.splitlines()
    assert len(lines) <= most, output
    assert "Traceback" not in output
    for secret in secrets:
        assert secret not in output
        assert secret.split(":", 1)[-1] not in output


def calls(method: str) -> Callable[[RecordedRequest], bool]:
    """Every call of ``method``, failed ones too."""

    def matches(record: RecordedRequest) -> bool:
        return record.method.lower() == method.lower()

    return matches


# -- refused before or at the first call -------------------------------------------------


def test_revoked_token_one_line_exit_3(fake: FakeBotAPI, tmp_path: Path) -> None:
    result = run_once(bot_env(fake, tmp_path, TELEGRAM_BOT_TOKEN=REVOKED), "run")
    assert result.returncode == 3
    assert result.stderr.startswith("Error: Telegram rejected TELEGRAM_BOT_TOKEN")
    assert_clean(result.stdout + result.stderr, REVOKED, most=1)
    assert [r.status for r in fake.requests] == [401]  # asked once, not retried


@pytest.mark.parametrize(("settings", "args", "says"), [
    ({"PKITBOT_TIMEZONE": "Asia/Lahore"}, [], "PKITBOT_TIMEZONE"),
    ({"PKITBOT_WEBHOOK_SECRET": "has spaces"},
     ["--webhook-url", "https://bot.example.com/telegram"], "PKITBOT_WEBHOOK_SECRET"),
    ({}, ["--webhook-url", "https://bot.example.com/telegram"], "PKITBOT_WEBHOOK_SECRET is"),
    ({"PKITBOT_WEBHOOK_SECRET": "s3cret"},
     ["--webhook-url", "http://bot.example.com/telegram"], "https://"),
    ({"PKITBOT_WEBHOOK_SECRET": "s3cret"},
     ["--webhook-url", "https://bot.example.com/healthz"], "/healthz"),
    ({"PKITBOT_WEBHOOK_SECRET": "s3cret"},
     ["--webhook-url", "https://bot.example.com/metrics"], "/metrics"),
    ({"TELEGRAM_BOT_TOKEN": "123:short"}, [], "TELEGRAM_BOT_TOKEN is malformed"),
], ids=["time-zone", "secret", "no-secret", "http", "healthz", "metrics", "token-form"])
def test_bad_settings_stop_run_before_it_connects(fake: FakeBotAPI, tmp_path: Path,
                                                  settings: dict[str, str], args: list[str],
                                                  says: str) -> None:
    result = run_once(bot_env(fake, tmp_path, **settings), "run", *args)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and says in result.stderr
    assert_clean(result.stdout + result.stderr, fake.token, "has spaces", most=1)
    assert fake.requests == []  # Telegram was never asked


def test_unusable_database_one_line_before_telegram(fake: FakeBotAPI, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("not a database\n" * 100)
    for path in (folder, notes):
        result = run_once(bot_env(fake, tmp_path, PKITBOT_DB=str(path)), "run")
        assert result.returncode == 1
        assert result.stderr.startswith(f"Error: {path}")
        assert_clean(result.stdout + result.stderr, fake.token, most=1)
    assert notes.read_text() == "not a database\n" * 100  # left untouched
    assert fake.requests == []


# -- Telegram unreachable at start -------------------------------------------------------


def spawn(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "run", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def stop(child: subprocess.Popen[bytes]) -> float:
    """SIGTERM; the seconds until the child exited (asserting it exits 0 within 10 s)."""
    start = time.monotonic()
    child.send_signal(signal.SIGTERM)
    try:
        assert child.wait(timeout=STOP_WITHIN) == 0
    finally:
        child.kill()
    return time.monotonic() - start


def wait_for_text(log: Path, text: str, child: subprocess.Popen[bytes],
                  timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text("utf-8"):
        assert child.poll() is None, log.read_text("utf-8")
        assert time.monotonic() < deadline, log.read_text("utf-8")
        time.sleep(0.05)


def test_unreachable_telegram_is_retried_until_sigterm(fake: FakeBotAPI, tmp_path: Path) -> None:
    fake.inject("getMe", "drop", times=1000)
    log = tmp_path / "stderr.txt"
    child = spawn(bot_env(fake, tmp_path), log)
    try:
        fake.wait_for_sync(calls("getMe"), count=3, timeout=30)  # at about 0 s, 1 s and 3 s
        assert child.poll() is None  # still running, still trying
    finally:
        took = stop(child)
    assert took < STOP_WITHIN
    output = log.read_text("utf-8")
    assert_clean(output, fake.token)
    warnings = [line for line in output.splitlines() if " WARNING " in line]
    assert len(warnings) == 1  # three failures within the minute: one line
    assert "Telegram cannot be reached (getMe: NetworkError" in warnings[0]
    assert "1 failed try, the next in 1 s" in warnings[0]


def test_closed_port_is_retried_and_sigterm_stops_it(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = "123456789:AAHclosed-port-token_abcdefghijklmn"
    env = child_env(tmp_path, TELEGRAM_BOT_TOKEN=token,
                    TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
                    PKITBOT_DB=str(tmp_path / "kb.sqlite3"))
    log = tmp_path / "stderr.txt"
    child = spawn(env, log)
    try:
        wait_for_text(log, "Telegram cannot be reached", child)
    finally:
        took = stop(child)
    assert took < STOP_WITHIN
    assert_clean(log.read_text("utf-8"), token)


def test_telegram_back_after_failures_the_bot_starts(fake: FakeBotAPI, tmp_path: Path) -> None:
    fake.inject("getMe", "502", times=2)
    log = tmp_path / "stderr.txt"
    child = spawn(bot_env(fake, tmp_path), log)
    try:
        wait_for_text(log, "pkitbot ready", child)
    finally:
        stop(child)
    output = log.read_text("utf-8")
    assert "Telegram answered getMe after 2 failed tries" in output
    assert "Traceback" not in output and fake.token not in output


def test_webhook_registration_is_retried(fake: FakeBotAPI, tmp_path: Path) -> None:
    fake.inject("setWebhook", "drop", times=2)  # lost after it was sent: not resent by the sender
    log = tmp_path / "stderr.txt"
    child = spawn(bot_env(fake, tmp_path, PKITBOT_WEBHOOK_SECRET="s3cret"), log,
                  "--webhook-url", "https://bot.example.com/telegram",
                  "--listen", "127.0.0.1", "--port", "0")
    try:
        fake.wait_for_sync("setWebhook", timeout=30)
        assert fake.webhook.get("url") == "https://bot.example.com/telegram"
    finally:
        stop(child)
    output = log.read_text("utf-8")
    assert "Telegram cannot be reached (setWebhook" in output
    assert "Traceback" not in output and fake.token not in output


# -- what nothing caught -----------------------------------------------------------------


def test_uncaught_errors_are_one_redacted_line(tmp_path: Path) -> None:
    token = "123456789:AAHuncaught-token_abcdefghijklmnopq"
    code = f"""
import asyncio, threading
from bot.logs import install_excepthooks, loop_exception_handler, setup_logging
setup_logging("INFO", "text", {token!r})
install_excepthooks()
t = threading.Thread(target=lambda: 1 / 0, name="worker"); t.start(); t.join()
async def main():
    asyncio.get_running_loop().set_exception_handler(loop_exception_handler)
    async def fail():
        raise RuntimeError("task with {token}")
    task = asyncio.get_running_loop().create_task(fail())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    del task
    import gc; gc.collect()
asyncio.run(main())
raise RuntimeError("The token `{token}` was rejected by the server.")
"""
    result = subprocess.run([sys.executable, "-c", code], env=child_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 3, result.stderr
    assert "ERROR pkitbot: unexpected error in thread worker: ZeroDivisionError" in lines[0]
    assert "unexpected error in the event loop: RuntimeError: task with <token>" in lines[1]
    assert "unexpected error at the top level: RuntimeError: The token `<token>`" in lines[2]
    assert_clean(result.stderr, token)


# -- one database for ask, kb and run ----------------------------------------------------


def test_default_database_is_the_user_data_dir_not_the_cwd(tmp_path: Path) -> None:
    work = tmp_path / "somewhere"
    work.mkdir()
    env = child_env(tmp_path)
    assert run_once(env, "ask", "What were IT exports in FY25?", cwd=work).returncode == 0
    assert list(work.iterdir()) == []  # no ./data beside the current directory
    db = tmp_path / "share" / "pkitbot" / "pkitbot.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0] > 0
    stats = run_once(env, "kb", "stats", "--json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    help_text = run_once(env, "run", "--help").stdout
    assert "3    Telegram rejected TELEGRAM_BOT_TOKEN" in help_text


def test_a_sure_answer_loads_no_numpy_and_an_unsure_one_still_uses_meaning(
        tmp_path: Path) -> None:
    """sqlite-utils imports numpy when it can; the store never gives it numpy values, so a
    sure answer from ``pkitbot ask`` starts without it (about 70 ms and 10 MB of every
    start), and a question only the meaning signal can place still loads it and answers."""
    env = child_env(tmp_path)
    script = ("import sys, runpy; sys.argv = ['pkitbot', 'ask', sys.argv[1]]\n"
              "try:\n    runpy.run_module('bot', run_name='__main__')\n"
              "except SystemExit:\n    pass\n"
              "print('NUMPY' if 'numpy' in sys.modules else 'NO-NUMPY')\n")
    sure = subprocess.run([sys.executable, "-c", script, "What were IT exports in FY25?"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "3.8 billion" in sure.stdout and sure.stdout.splitlines()[-1] == "NO-NUMPY", sure
    unsure = subprocess.run([sys.executable, "-c", script,
                             "how much does pakistan earn by selling tech services to other "
                             "countries"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert "3.8 billion" in unsure.stdout and unsure.stdout.splitlines()[-1] == "NUMPY", unsure
