"""Deployment files agree with the code, and the webhook server works end to end.

Static checks: deploy/.env.example lists exactly the settings; compose.yaml only names
settings or documented compose-only variables; the systemd units verify and are hardened;
the Dockerfile copies paths that exist and runs commands the CLI has; Caddy proxies the
port the webhook service listens on. Then bot.tg.delivery.webhook against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner
from telegram import Update

from bot.settings import SETTINGS, Settings
from tests.fakebot import FakeBotAPI, updates

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
DOCS = REPO / "docs" / "deploy.md"
SETTING_NAMES = {meta["env"] for meta in SETTINGS.values()}
#: read by compose.yaml / the Caddyfile only, never by the bot; documented in docs/deploy.md
COMPOSE_ONLY = {"PKITBOT_DOMAIN", "PKITBOT_WEBHOOK_PATH"}
HARDENING = {
    "NoNewPrivileges": "yes",
    "PrivateTmp": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
}
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def unit_keys(path: Path) -> dict[str, list[str]]:
    """Key -> values of a systemd unit file (comments skipped)."""
    keys: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        keys.setdefault(key.strip(), []).append(value.strip())
    return keys


# -- .env.example ----------------------------------------------------------------------


def test_env_example_lists_exactly_the_settings() -> None:
    lines = (DEPLOY / ".env.example").read_text("utf-8").splitlines()
    assigned = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert sorted(assigned) == sorted(SETTING_NAMES)
    assert len(assigned) == len(set(assigned))
    for meta in SETTINGS.values():
        index = lines.index(f"{meta['env']}={meta['default']}")
        assert lines[index - 1] == f"# {meta['help']}", meta["env"]


# -- compose.yaml and Caddyfile --------------------------------------------------------


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_parses_and_has_the_services() -> None:
    services = compose()["services"]
    assert {"bot", "bot-webhook", "caddy"} <= set(services)
    bot = services["bot"]
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert bot["env_file"] == ".env"
    assert "pkitbot-data:/data" in bot["volumes"]
    assert bot["restart"] == "unless-stopped"
    assert bot["environment"]["PKITBOT_DB"] == "/data/pkitbot.sqlite3"
    assert services["bot-webhook"]["profiles"] == ["webhook"]
    assert services["caddy"]["profiles"] == ["webhook"]
    assert services["caddy"]["image"].startswith("caddy:2")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
    assert (REPO / "deploy" / bot["build"]["dockerfile"].removeprefix("deploy/")).is_file()


def test_compose_variables_are_settings_or_documented() -> None:
    text = (DEPLOY / "compose.yaml").read_text("utf-8") + (DEPLOY / "Caddyfile").read_text()
    named = set(VAR_RE.findall(text)) | set(re.findall(r"\{\$([A-Za-z_][A-Za-z0-9_]*)", text))
    assert named, "expected the webhook profile to use variables"
    unknown = named - SETTING_NAMES - COMPOSE_ONLY
    assert not unknown, f"compose/Caddy name variables that are not settings: {unknown}"
    docs = DOCS.read_text("utf-8")
    for var in named & COMPOSE_ONLY:
        assert var in docs, f"{var} is compose-only but docs/deploy.md does not explain it"
    assert "compose-only" in docs.lower()


def webhook_command() -> list[str]:
    command = compose()["services"]["bot-webhook"]["command"]
    return command.split() if isinstance(command, str) else [str(c) for c in command]


def test_caddy_proxies_the_port_the_webhook_service_listens_on() -> None:
    command = webhook_command()
    assert command[:2] == ["pkitbot", "run"]
    port = command[command.index("--port") + 1]
    assert command[command.index("--listen") + 1] == "0.0.0.0"
    caddy = (DEPLOY / "Caddyfile").read_text("utf-8")
    targets = re.findall(r"reverse_proxy\s+(\S+)", caddy)
    assert targets == [f"bot-webhook:{port}"]
    assert "/healthz" in caddy
    # /metrics must not be reachable from outside: it is never in a proxied matcher.
    proxied = " ".join(re.findall(r"@\w+\s+path\s+([^\n]+)", caddy))
    assert "/metrics" not in proxied
    assert "{$PKITBOT_DOMAIN}" in caddy


def test_webhook_service_command_parses_with_the_cli() -> None:
    from bot.cli import main

    args = webhook_command()[1:]
    url_index = args.index("--webhook-url") + 1
    args[url_index] = "https://bot.example.com/telegram"
    sub = main.commands["run"]
    sub_ctx = sub.make_context("run", args[1:])
    assert sub_ctx.params["port"] == 8443
    assert sub_ctx.params["listen"] == "0.0.0.0"


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker not installed")
def test_docker_compose_config_when_available(tmp_path: Path) -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("docker compose plugin not installed")
    work = tmp_path / "deploy"
    shutil.copytree(DEPLOY, work)
    (work / ".env").write_text((DEPLOY / ".env.example").read_text()
                               + "PKITBOT_DOMAIN=bot.example.com\n")
    for profile in ("polling", "webhook"):
        result = subprocess.run(["docker", "compose", "--profile", profile, "config", "-q"],
                                cwd=work, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr


# -- systemd ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pkitbot.service", "pkitbot-backup.service"])
def test_units_are_hardened(name: str) -> None:
    keys = unit_keys(DEPLOY / name)
    for key, value in HARDENING.items():
        assert keys.get(key) == [value], f"{name}: {key}"
    assert keys["User"] == ["pkitbot"]
    assert keys["EnvironmentFile"] == ["/etc/pkitbot/env"]
    assert keys["StateDirectory"][0].split()[0] == "pkitbot"
    assert "PKITBOT_DB=/var/lib/pkitbot/pkitbot.sqlite3" in keys["Environment"]
    for value in keys.get("Environment", []):
        assert value.split("=", 1)[0] in SETTING_NAMES


def test_main_unit_runs_the_bot() -> None:
    keys = unit_keys(DEPLOY / "pkitbot.service")
    assert keys["ExecStart"] == ["/opt/pkitbot/venv/bin/pkitbot run"]
    assert keys["Restart"] == ["on-failure"]
    assert keys["RestartSec"] == ["5"]


def test_backup_unit_and_timer() -> None:
    service = unit_keys(DEPLOY / "pkitbot-backup.service")
    assert service["Type"] == ["oneshot"]
    start = service["ExecStart"][0]
    assert start.startswith("/bin/sh -c ")
    assert "/opt/pkitbot/venv/bin/pkitbot kb backup" in start
    assert "/var/lib/pkitbot/backups/pkitbot-" in start
    assert "%%Y%%m%%d" in start  # systemd specifier escaping for date's format
    timer = unit_keys(DEPLOY / "pkitbot-backup.timer")
    assert timer["Unit"] == ["pkitbot-backup.service"]
    assert timer["OnCalendar"] and timer["Persistent"] == ["true"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The venv does not exist here: point ExecStart at this environment's pkitbot.
    exe = shutil.which("pkitbot") or "/bin/true"
    names = ["pkitbot.service", "pkitbot-backup.service", "pkitbot-backup.timer"]
    for name in names:
        text = (DEPLOY / name).read_text("utf-8").replace("/opt/pkitbot/venv/bin/pkitbot", exe)
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", *(f"./{n}" for n in names)],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "pkitbot" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


# -- Dockerfile ------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_copies_paths_that_exist() -> None:
    instructions = dockerfile_instructions()
    stages = [rest for word, rest in instructions if word == "FROM"]
    assert len(stages) == 2 and stages[0].endswith("AS builder")
    assert stages[1] == "python:3.11-slim"
    copies = [rest.split() for word, rest in instructions if word == "COPY"]
    for parts in copies:
        if any(p.startswith("--from") for p in parts):
            continue
        for source in parts[:-1]:
            assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    assert "pip wheel" in runs
    assert ("USER", "pkitbot") in instructions
    env = " ".join(rest for word, rest in instructions if word == "ENV")
    assert "PKITBOT_DB=/data/pkitbot.sqlite3" in env
    assert ("VOLUME", '["/data"]') in instructions


def test_dockerfile_commands_exist_in_the_cli() -> None:
    from bot.cli import doctor, main

    instructions = dict(dockerfile_instructions())
    cmd = json.loads(instructions["CMD"])
    health = instructions["HEALTHCHECK"]
    health_cmd = json.loads(health[health.index("CMD") + 3:].strip())
    assert cmd == ["pkitbot", "run"]
    assert health_cmd[:2] == ["pkitbot", "doctor"]
    runner = CliRunner()
    result = runner.invoke(main, [*cmd[1:], "--help"])
    assert result.exit_code == 0, result.output
    command = main.commands.get("doctor", doctor)
    result = runner.invoke(command, [*health_cmd[2:], "--help"])
    assert result.exit_code == 0, result.output
    assert "--offline" in result.output


# -- the webhook server, end to end ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    fake: FakeBotAPI
    base: str
    url: str
    stop: asyncio.Event
    task: asyncio.Task[None]


@pytest.fixture
async def webhook(tmp_path: Path) -> AsyncIterator[Running]:
    from bot.tg.app import build_application
    from bot.tg.delivery.webhook import serve_webhook

    fake = FakeBotAPI(allow_http_webhook=True).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(token=fake.token, api_base_url=fake.base_url,
                        db_path=tmp_path / "kb.sqlite3", webhook_secret="s3cret")
    application = build_application(settings)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_webhook(
        application, settings, webhook_url=f"{base}/tg", listen="127.0.0.1", port=port,
        ready=ready, stop=stop))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=30,
                                 return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        fake.stop()
        task.result()  # raises what went wrong
    assert waiter in done, "webhook server did not become ready"
    try:
        yield Running(fake, base, f"{base}/tg", stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await asyncio.to_thread(fake.stop)


def sends_to(chat_id: int) -> Any:
    def match(record: Any) -> bool:
        return bool(record.ok and record.method.lower() == "sendmessage"
                    and str(record.params.get("chat_id")) == str(chat_id))
    return match


async def test_webhook_is_registered_with_the_secret(webhook: Running) -> None:
    assert webhook.fake.webhook["url"] == webhook.url
    assert webhook.fake.webhook["secret_token"] == "s3cret"
    assert "message" in webhook.fake.webhook["allowed_updates"]


async def test_update_with_the_secret_is_answered(webhook: Running) -> None:
    update = updates.private_text(4242, "What were IT exports in FY25?")
    status = await webhook.fake.post_update_to_webhook(webhook.url, update,
                                                       secret_token="s3cret")
    assert status == 200
    await webhook.fake.wait_for(sends_to(4242), timeout=15)


async def test_answer_is_sent_before_200_and_a_redelivery_is_not_answered_twice(
        webhook: Running) -> None:
    update = updates.private_text(4343, "How many freelancers does Pakistan have?")
    status = await webhook.fake.post_update_to_webhook(webhook.url, update,
                                                       secret_token="s3cret")
    assert status == 200
    assert len(webhook.fake.sent("sendMessage", chat_id=4343)) == 1  # handled before the 200
    again = await webhook.fake.post_update_to_webhook(webhook.url, update,
                                                      secret_token="s3cret")
    assert again == 200
    assert len(webhook.fake.sent("sendMessage", chat_id=4343)) == 1


async def test_wrong_or_missing_secret_is_refused(webhook: Running) -> None:
    fake = webhook.fake
    for secret in ("wrong", ""):
        status = await fake.post_update_to_webhook(
            webhook.url, updates.private_text(777, "IT exports FY25"), secret_token=secret)
        assert status == 403
    await asyncio.sleep(0.5)
    assert fake.sent("sendMessage", chat_id=777) == []


async def test_oversized_invalid_and_unknown(webhook: Running) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret",
               "Content-Type": "application/json"}
    big = json.dumps({"update_id": 1, "padding": "x" * 1_100_000})
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(webhook.url, content=big, headers=headers)
        assert response.status_code == 413
        response = await client.post(webhook.url, content=b"{not json", headers=headers)
        assert response.status_code == 400
        response = await client.post(webhook.url, content=b"[1, 2]", headers=headers)
        assert response.status_code == 400
        response = await client.post(f"{webhook.base}/other", content=b"{}", headers=headers)
        assert response.status_code == 404
        response = await client.get(f"{webhook.base}/")
        assert response.status_code == 404


async def test_healthz_and_metrics(webhook: Running) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{webhook.base}/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True and body["store"] == "ok"
        assert body["matcher_entries"] > 0
        assert "telegram_last_ok_seconds" in body
        response = await client.get(f"{webhook.base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    for name in ("pkitbot_updates_received_total", 'pkitbot_questions_total{decision="answer"}',
                 'pkitbot_questions_total{decision="abstain"}', 'pkitbot_feedback_total{vote="up"}',
                 'pkitbot_answer_latency_seconds_bucket{le="0.005"}',
                 'pkitbot_answer_latency_seconds_bucket{le="+Inf"}',
                 "pkitbot_answer_latency_seconds_count", "pkitbot_telegram_429_total",
                 "pkitbot_errors_total"):
        assert name in text, name
    assert "# TYPE pkitbot_answer_latency_seconds histogram" in text


async def test_stop_finishes_the_updates_in_hand(webhook: Running) -> None:
    update = updates.private_text(5151, "How many freelancers does Pakistan have?")
    status = await webhook.fake.post_update_to_webhook(webhook.url, update,
                                                       secret_token="s3cret")
    assert status == 200
    webhook.stop.set()
    await asyncio.wait_for(webhook.task, 30)
    assert webhook.fake.sent("sendMessage", chat_id=5151)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(f"{webhook.base}/healthz")


# -- metrics and health, unit level ----------------------------------------------------


def test_metrics_text_from_state(engine: Any) -> None:
    from bot.tg.delivery.webhook import health, metrics_text
    from bot.tg.limits import RateGate
    from bot.tg.state import BotState

    state = BotState(settings=Settings(), engine=engine, chat_gate=RateGate(20),
                     user_gate=RateGate(20))
    state.metrics.update({"updates": 7, "questions_answer": 3, "questions_abstain": 1,
                          "feedback_down": 2, "telegram_429": 1, "errors": 4})
    state.latencies.extend([0.003, 0.02, 0.3, 5.0])
    text = metrics_text(state)
    assert "pkitbot_updates_received_total 7" in text
    assert 'pkitbot_questions_total{decision="answer"} 3' in text
    assert 'pkitbot_questions_total{decision="suggest"} 0' in text
    assert 'pkitbot_feedback_total{vote="down"} 2' in text
    assert 'pkitbot_feedback_total{vote="up"} 0' in text
    assert "pkitbot_telegram_429_total 1" in text
    assert "pkitbot_errors_total 4" in text
    assert 'pkitbot_answer_latency_seconds_bucket{le="0.005"} 1' in text
    assert 'pkitbot_answer_latency_seconds_bucket{le="0.025"} 2' in text
    assert 'pkitbot_answer_latency_seconds_bucket{le="2.5"} 3' in text
    assert 'pkitbot_answer_latency_seconds_bucket{le="+Inf"} 4' in text
    assert "pkitbot_answer_latency_seconds_count 4" in text
    assert "pkitbot_answer_latency_seconds_sum 5.323" in text

    status, body = health(state)
    assert status == 200 and body["ok"] and body["telegram_last_ok_seconds"] is None
    engine.store.close()
    status, body = health(state)
    assert status == 503 and not body["ok"] and body["store"].startswith("error")
    assert health(None)[0] == 503


def test_webhook_path_rules() -> None:
    from bot.tg.delivery.webhook import webhook_path

    assert webhook_path("https://bot.example.com/telegram") == "/telegram"
    assert webhook_path("https://bot.example.com/a/b/") == "/a/b"
    assert webhook_path("https://bot.example.com") == "/"
    for reserved in ("/healthz", "/metrics"):
        with pytest.raises(ValueError):
            webhook_path(f"https://bot.example.com{reserved}")


async def test_run_webhook_mode_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import sys

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.tg.app import build_application\n"
        "from bot.settings import Settings\n"
        "from bot.tg.delivery.webhook import run_webhook_mode\n"
        "token, api, db, url, port = sys.argv[1:]\n"
        "s = Settings(token=token, api_base_url=api, db_path=Path(db), webhook_secret='s3cret')\n"
        "run_webhook_mode(build_application(s), s, url, '127.0.0.1', int(port))\n"
        "print('stopped cleanly')\n"
    )
    async with FakeBotAPI(allow_http_webhook=True) as fake:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, fake.token, fake.base_url,
            str(tmp_path / "kb.sqlite3"), f"{base}/tg", str(port),
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            await fake.wait_for("setWebhook", timeout=30)
            status = await fake.post_update_to_webhook(
                f"{base}/tg", updates.private_text(6161, "IT exports FY25"))
            assert status == 200
            proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, err.decode()
        assert b"stopped cleanly" in out
        assert fake.sent("sendMessage", chat_id=6161)
        assert fake.token.encode() not in out + err


async def test_a_chats_webhook_updates_are_answered_in_order(webhook: Running) -> None:
    assert webhook.fake.webhook["max_connections"] == 40  # Telegram's default
    webhook.fake.inject("sendMessage", "slow", times=1, delay=0.6)
    first = updates.private_text(6161, "What were IT exports in FY25?")
    second = updates.private_text(6161, "How many freelancers does Pakistan have?")
    post = webhook.fake.post_update_to_webhook
    one = asyncio.create_task(post(webhook.url, first, secret_token="s3cret"))
    await asyncio.sleep(0.2)  # the first is being answered (slowly) when the second comes
    two = asyncio.create_task(post(webhook.url, second, secret_token="s3cret"))
    assert await one == 200 and await two == 200
    answers = [p["text"] for p in webhook.fake.sent("sendMessage", chat_id=6161)]
    assert len(answers) == 2
    assert "3.8 billion" in answers[0] and "1.5 million" in answers[1]


async def test_chat_order_runs_one_chat_in_turn_and_others_at_once() -> None:
    from bot.tg.delivery.once import ChatOrder

    order, log = ChatOrder(), []

    async def handle(chat: int, text: str, pause: float) -> None:
        async with order.turn(Update.de_json(updates.private_text(chat, text), None)):
            log.append(f"start {chat} {text}")
            await asyncio.sleep(pause)
            log.append(f"end {chat} {text}")

    first = asyncio.create_task(handle(1, "a", 0.2))
    await asyncio.sleep(0.01)
    await asyncio.gather(handle(1, "b", 0.0), handle(2, "c", 0.0), first)
    assert log.index("end 1 a") < log.index("start 1 b")  # same chat: in turn
    assert log.index("end 2 c") < log.index("end 1 a")  # other chat: not held back
    assert len(order) == 0  # nothing kept once every turn is over


async def test_stop_lets_the_webhook_updates_in_hand_finish(webhook: Running,
                                                             tmp_path: Path) -> None:
    webhook.fake.inject("sendMessage", "slow", times=2, delay=0.8)
    post = webhook.fake.post_update_to_webhook
    first = updates.private_text(7001, "What were IT exports in FY25?")
    second = updates.private_text(7001, "How many freelancers does Pakistan have?")
    one = asyncio.create_task(post(webhook.url, first, secret_token="s3cret"))
    await asyncio.sleep(0.2)
    two = asyncio.create_task(post(webhook.url, second, secret_token="s3cret"))
    await asyncio.sleep(0.2)  # both in hand: the first sending, the second waiting its turn
    webhook.stop.set()
    assert await one == 200 and await two == 200
    await asyncio.wait_for(webhook.task, 30)
    assert len(webhook.fake.sent("sendMessage", chat_id=7001)) == 2
    from bot.kb.store import open_store

    store = open_store(tmp_path / "kb.sqlite3")
    try:  # both recorded as handled: a redelivery after the restart is not answered again
        assert store.update_seen(first["update_id"]) and store.update_seen(second["update_id"])
    finally:
        store.close()
