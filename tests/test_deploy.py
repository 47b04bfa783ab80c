"""Deployment files agree with the code, and the webhook server works end to end.

Static checks: deploy/.env.example lists exactly the settings; compose.yaml only names
settings or documented compose-only variables; the webhook profile refuses to start without
PKITBOT_DOMAIN / PKITBOT_WEBHOOK_SECRET while the polling profile needs neither; the systemd
units verify, are hardened, survive a boot without network and point at the installed docs;
docs/deploy.md names the service user and the live database in every command; the Dockerfile
copies paths that exist and runs commands the CLI has; Caddy proxies the port the webhook
service listens on. Then bot.tg.delivery.webhook against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
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
#: the webhook profile cannot work without these; compose must refuse to start it
WEBHOOK_REQUIRED = {"PKITBOT_DOMAIN", "PKITBOT_WEBHOOK_SECRET"}
#: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message} (no nesting)
INTERP_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


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


def unit_sections(path: Path) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> values of a systemd unit file (comments skipped)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = sections.setdefault("", {})
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def seconds(value: str) -> float:
    """A systemd or compose time span ("30", "30s", "1min 30s", "2m") in seconds."""
    units = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value.strip().lower())
    assert parts and "".join(n + u for n, u in parts) == re.sub(r"\s", "", value.lower()), value
    return sum(float(number) * units[unit] for number, unit in parts)


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
    text = "".join((DEPLOY / name).read_text("utf-8")
                   for name in ("compose.yaml", "Caddyfile", *guard_files()))
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


def service_env_files(service: dict[str, Any]) -> list[str]:
    env_file = service.get("env_file", [])
    files = [env_file] if isinstance(env_file, (str, dict)) else list(env_file)
    return [f["path"] if isinstance(f, dict) else str(f) for f in files]


def guard_files() -> list[str]:
    """env_files in deploy/ other than .env (the user's settings): compose-only guards."""
    names = {f for s in compose()["services"].values() for f in service_env_files(s)}
    return sorted(names - {".env"})


def env_file_entries(name: str) -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / name).read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{name}: not KEY=value: {line!r}"
            entries[key.strip()] = value.strip()
    return entries


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR} forms; a :? or ? miss raises ValueError with compose's wording."""
    def one(match: re.Match[str]) -> str:
        var, op, arg = match.group(1), match.group(2), match.group(3) or ""
        value = env.get(var)
        missing = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":?", "?") and missing:
            raise ValueError(f"required variable {var} is missing a value: {arg}")
        if op in (":-", "-") and missing:
            return arg
        return value or ""
    return INTERP_RE.sub(one, text)


def webhook_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose()["services"].items()
            if "webhook" in s.get("profiles", [])}


def required_by(service: dict[str, Any]) -> set[str]:
    """The WEBHOOK_REQUIRED variables a service uses: in compose.yaml, through the Caddyfile
    it mounts, or (pkitbot in webhook mode) the webhook secret setting."""
    used = {v for s in strings(service) for v in VAR_RE.findall(s)}
    if any("Caddyfile" in v for v in service.get("volumes", [])):
        caddy = (DEPLOY / "Caddyfile").read_text("utf-8")
        used |= set(re.findall(r"\{\$([A-Za-z_][A-Za-z0-9_]*)", caddy))
    if "--webhook-url" in [str(c) for c in service.get("command", [])]:
        used.add("PKITBOT_WEBHOOK_SECRET")
    return used & WEBHOOK_REQUIRED


def required_guard(files: list[str], var: str) -> tuple[str, str] | None:
    """(env file, message) of the first guard file that sets var=${var:?message}."""
    for name in files:
        if name == ".env":
            continue
        match = INTERP_RE.fullmatch(env_file_entries(name).get(var, ""))
        if match and match.group(1) == var and match.group(2) == ":?":
            return name, match.group(3) or ""
    return None


def test_webhook_profile_requires_domain_and_secret() -> None:
    services = webhook_services()
    assert set(services) == {"bot-webhook", "caddy"}
    assert required_by(services["bot-webhook"]) == WEBHOOK_REQUIRED
    assert required_by(services["caddy"]) == {"PKITBOT_DOMAIN"}
    for name, service in services.items():
        files = service_env_files(service)
        for var in required_by(service):
            guard = required_guard(files, var)
            assert guard, f"{name} uses {var} but no env_file of it sets {var}=${{{var}:?...}}"
            path, message = guard
            assert var in message and "deploy/.env" in message, f"unclear message for {var}"
            # after .env, so the value checked is the value the container gets
            assert ".env" not in files or files.index(".env") < files.index(path), name


def test_polling_profile_needs_none_of_the_webhook_variables() -> None:
    data = compose()
    bot = data["services"]["bot"]
    assert bot["profiles"] == ["polling"]
    assert not set(service_env_files(bot)) & set(guard_files()), "polling reads a guard file"
    assert not {v for s in strings(bot) for v in VAR_RE.findall(s)} & WEBHOOK_REQUIRED
    # Compose interpolates compose.yaml for every service, whatever the profile: a required
    # ${VAR:?} there would stop `--profile polling` too. The guards belong in env_files.
    for text in strings(data):
        for match in INTERP_RE.finditer(text):
            assert match.group(2) not in (":?", "?"), f"required variable in compose.yaml: {text}"


def resolve_profile(profile: str, env: dict[str, str]) -> dict[str, dict[str, str]]:
    """What compose does: interpolate compose.yaml (all of it), then read the env_files of
    the profile's services only. Service -> container environment, plus "_command"."""
    data = compose()
    for text in strings(data):  # every service, whatever the profile
        interpolate(text, env)
    out = {}
    for name, service in data["services"].items():
        if profile not in service.get("profiles", []):
            continue
        container: dict[str, str] = {}
        for f in service_env_files(service):
            entries = env if f == ".env" else env_file_entries(f)
            container.update({k: interpolate(v, env) for k, v in entries.items()})
        container.update({k: interpolate(str(v), env)
                          for k, v in (service.get("environment") or {}).items()})
        container["_command"] = " ".join(interpolate(str(c), env)
                                         for c in service.get("command", []))
        out[name] = container
    return out


def example_env(**extra: str) -> dict[str, str]:
    """deploy/.env as `cp .env.example .env` makes it, plus extra."""
    lines = (DEPLOY / ".env.example").read_text("utf-8").splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {**env, **extra}


DOMAIN_ONLY = {"PKITBOT_DOMAIN": "bot.example.com"}
SECRET_ONLY = {"PKITBOT_WEBHOOK_SECRET": "s3cret"}


def test_profiles_resolve_like_compose() -> None:
    polling = resolve_profile("polling", example_env())  # no domain, empty secret: fine
    assert polling["bot"]["PKITBOT_DB"] == "/data/pkitbot.sqlite3"
    for env, missing in ((example_env(), "PKITBOT_"),
                         (example_env(**DOMAIN_ONLY), "PKITBOT_WEBHOOK_SECRET"),
                         (example_env(**SECRET_ONLY), "PKITBOT_DOMAIN")):
        with pytest.raises(ValueError, match=f"required variable {missing}"):
            resolve_profile("webhook", env)
    webhook = resolve_profile("webhook", example_env(**DOMAIN_ONLY, **SECRET_ONLY))
    bot = webhook["bot-webhook"]
    assert "--webhook-url https://bot.example.com/telegram " in bot["_command"]
    assert bot["PKITBOT_WEBHOOK_SECRET"] == "s3cret"
    assert bot["PKITBOT_DB"] == "/data/pkitbot.sqlite3"
    caddy = webhook["caddy"]
    assert caddy["PKITBOT_DOMAIN"] == "bot.example.com"
    assert caddy["PKITBOT_WEBHOOK_PATH"] == "/telegram"
    assert "PKITBOT_WEBHOOK_SECRET" not in caddy and "TELEGRAM_BOT_TOKEN" not in caddy


def test_every_bot_service_sets_the_database_and_stops_gracefully() -> None:
    services = compose()["services"]
    for name in ("bot", "bot-webhook"):
        assert services[name]["environment"]["PKITBOT_DB"] == "/data/pkitbot.sqlite3", name
        assert seconds(services[name]["stop_grace_period"]) >= 15, name


@pytest.fixture
def compose_cli() -> list[str]:
    """`docker compose` (the plugin) or a standalone Compose v2; `config` needs no engine."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        probe = subprocess.run(["docker-compose", "version"], capture_output=True, text=True,
                               check=False)
        # a wrapper that always exits 0 cannot show a refusal
        bad = subprocess.run(["docker-compose", "--no-such-option"], capture_output=True,
                             check=False)
        if probe.returncode == 0 and " v2." in probe.stdout and bad.returncode != 0:
            return ["docker-compose"]
    pytest.skip("no Docker Compose v2 (docker compose plugin or docker-compose v2)")


def compose_config(cli: list[str], work: Path, profile: str, env: dict[str, str]
                   ) -> subprocess.CompletedProcess[str]:
    (work / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return subprocess.run([*cli, "--profile", profile, "config"], cwd=work,
                          capture_output=True, text=True, check=False)


def test_docker_compose_config_when_available(tmp_path: Path, compose_cli: list[str]) -> None:
    work = tmp_path / "deploy"
    shutil.copytree(DEPLOY, work)
    env = example_env(**DOMAIN_ONLY, **SECRET_ONLY)
    for profile in ("polling", "webhook"):
        result = compose_config(compose_cli, work, profile, env)
        assert result.returncode == 0, result.stderr
    assert "https://bot.example.com/telegram" in result.stdout


def test_docker_compose_refuses_the_webhook_profile_without_its_variables(
        tmp_path: Path, compose_cli: list[str]) -> None:
    work = tmp_path / "deploy"
    shutil.copytree(DEPLOY, work)
    result = compose_config(compose_cli, work, "polling", example_env())
    assert result.returncode == 0, result.stderr
    for env, missing in ((example_env(**DOMAIN_ONLY), "PKITBOT_WEBHOOK_SECRET"),
                         (example_env(**SECRET_ONLY), "PKITBOT_DOMAIN")):
        result = compose_config(compose_cli, work, "webhook", env)
        if result.returncode == 0 and "env_file" in result.stdout:
            pytest.skip("this Compose does not read env files in `config` (2.24.x); `up` does")
        assert result.returncode != 0, result.stdout
        expected = f"required variable {missing} is missing a value: set {missing} in deploy/.env"
        assert expected in result.stderr, result.stderr


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


def test_main_unit_survives_a_boot_without_network() -> None:
    sections = unit_sections(DEPLOY / "pkitbot.service")
    unit, service = sections["Unit"], sections["Service"]
    wants = " ".join(unit.get("Wants", [])).split()
    after = " ".join(unit.get("After", [])).split()
    assert "network-online.target" in wants and "network-online.target" in after
    for hard in ("Requires", "Requisite", "BindsTo"):  # no network must not stop the start
        assert "network-online.target" not in " ".join(unit.get(hard, [])), hard
    # No start rate limit that can leave the service dead after a run of failures.
    assert unit.get("StartLimitIntervalSec") in (["0"], ["infinity"])
    assert "StartLimitBurst" not in unit and "StartLimitBurst" not in service
    assert "StartLimitIntervalSec" not in service and "StartLimitInterval" not in service
    assert service["Restart"][-1] in ("always", "on-failure")
    assert seconds(service["RestartSec"][-1]) > 0
    assert "RestartPreventExitStatus" not in service


def test_main_unit_gives_the_bot_time_to_stop() -> None:
    service = unit_sections(DEPLOY / "pkitbot.service")["Service"]
    assert service.get("KillSignal", ["SIGTERM"]) == ["SIGTERM"]
    # The bot stops within 10 s of SIGTERM: systemd must not SIGKILL it before 15 s.
    assert seconds(service["TimeoutStopSec"][-1]) >= 15
    assert "TimeoutSec" not in service


@pytest.mark.parametrize("name", ["pkitbot.service", "pkitbot-backup.service"])
def test_unit_documentation_is_where_the_docs_install_it(name: str) -> None:
    docs = DOCS.read_text("utf-8")
    links = " ".join(unit_sections(DEPLOY / name)["Unit"]["Documentation"]).split()
    files = [link.removeprefix("file://") for link in links if link.startswith("file://")]
    assert files, f"{name}: Documentation= has no file:// link to the installed docs"
    for link in links:
        assert re.match(r"(https?://|file:///|man:|info:)", link), link
    for path in files:
        assert Path(path).name == DOCS.name
        # docs/deploy.md tells to install itself exactly there
        assert re.search(rf"install\b[^\n]*docs/{DOCS.name} {re.escape(path)}\n", docs), path
    assert "pkitbot --help" in (DEPLOY / "pkitbot.service").read_text("utf-8")
    assert "pkitbot --help" in docs


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


# -- docs/deploy.md --------------------------------------------------------------------


def doc_commands() -> list[tuple[str, str]]:
    """(language, command) for each command in docs/deploy.md's code blocks (a backslash
    continues a line; in console blocks only `$ ` lines are commands) and each whole command
    quoted inline."""
    out = []
    for lang, body in re.findall(r"^ *```(\w*)\n(.*?)^ *```", DOCS.read_text("utf-8"),
                                 flags=re.S | re.M):
        for line in re.sub(r"\\\n\s*", " ", body).splitlines():
            line = line.strip()
            if lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if line and not line.startswith("#"):
                out.append((lang, line))
    prose = re.sub(r"^ *```.*?^ *```", "", DOCS.read_text("utf-8"), flags=re.S | re.M)
    for span in re.findall(r"`([^`]+)`", re.sub(r"\n\s*", " ", prose)):
        if span.startswith(("sudo ", "runuser ", "systemd-run ", "docker compose ", "/opt/")):
            out.append(("inline", span))  # a whole command quoted in the prose
    return out


PKITBOT_CALL = re.compile(r"(?:^|[\s/'\"])pkitbot\s+(?:kb|doctor|ask|run)\b")


def test_docs_commands_name_the_service_user_and_live_database() -> None:
    unit = unit_keys(DEPLOY / "pkitbot.service")
    user = unit["User"][0]
    unit_db = next(v for v in unit["Environment"] if v.startswith("PKITBOT_DB="))
    exe = unit["ExecStart"][0].split()[0]
    compose_db = compose()["services"]["bot"]["environment"]["PKITBOT_DB"]
    image_user = dict(dockerfile_instructions())["USER"]
    calls = [(lang, cmd) for lang, cmd in doc_commands()
             if PKITBOT_CALL.search(cmd) and "--help" not in cmd]
    assert len(calls) >= 8
    for lang, cmd in calls:
        if lang == "ini" or cmd == unit["ExecStart"][0]:
            # the unit's command, or an override of it: its User= and Environment= apply
            assert cmd.removeprefix("ExecStart=").startswith(f"{exe} "), cmd
        elif "docker compose" in cmd:
            assert re.search(rf"(-u|--user) {image_user}\b", cmd), f"no user: {cmd}"
            assert f"-e PKITBOT_DB={compose_db} " in cmd, f"not the live database: {cmd}"
        else:
            assert f"sudo -u {user} " in cmd or f"-p User={user} " in cmd, f"no user: {cmd}"
            assert f"{unit_db} " in cmd, f"not the live database: {cmd}"
            assert f"{exe} " in cmd, f"not the unit's pkitbot: {cmd}"


def test_docs_explain_the_default_database_location() -> None:
    docs = DOCS.read_text("utf-8")
    for needle in ('platformdirs.user_data_dir("pkitbot"', "/pkitbot.sqlite3",
                   "~/.local/share/pkitbot/pkitbot.sqlite3", "PKITBOT_DB"):
        assert needle in docs, needle
    assert "./data" not in docs, "docs/deploy.md still names a ./data default"
    # the live database each deployment sets is the one the docs give
    unit_db = unit_keys(DEPLOY / "pkitbot.service")["Environment"]
    assert "PKITBOT_DB=/var/lib/pkitbot/pkitbot.sqlite3" in unit_db
    assert "| `pkitbot` | `/var/lib/pkitbot/pkitbot.sqlite3` |" in docs
    assert "| `pkitbot` | `/data/pkitbot.sqlite3`" in docs


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
    async with serving(tmp_path) as running:
        yield running


@asynccontextmanager
async def serving(tmp_path: Path, **overrides: Any) -> AsyncIterator[Running]:
    from bot.tg.app import build_application
    from bot.tg.delivery.webhook import serve_webhook

    fake = FakeBotAPI(allow_http_webhook=True).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(token=fake.token, api_base_url=fake.base_url,
                        db_path=tmp_path / "kb.sqlite3", webhook_secret="s3cret", **overrides)
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


async def in_hand(webhook: Running, count: int) -> None:
    """Wait until the server reports ``count`` webhook updates in hand (no timed guess:
    a fixed sleep here once lost the race in a full run)."""
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(500):
            health = (await client.get(f"{webhook.base}/healthz")).json()
            if health["updates_in_hand"] >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"never {count} updates in hand")


async def test_stop_lets_the_webhook_updates_in_hand_finish(webhook: Running,
                                                             tmp_path: Path) -> None:
    webhook.fake.inject("sendMessage", "slow", times=2, delay=0.8)
    post = webhook.fake.post_update_to_webhook
    first = updates.private_text(7001, "What were IT exports in FY25?")
    second = updates.private_text(7001, "How many freelancers does Pakistan have?")
    one = asyncio.create_task(post(webhook.url, first, secret_token="s3cret"))
    await in_hand(webhook, 1)
    two = asyncio.create_task(post(webhook.url, second, secret_token="s3cret"))
    await in_hand(webhook, 2)  # both in hand: the first sending, the second waiting its turn
    webhook.stop.set()
    assert await one == 200 and await two == 200
    await asyncio.wait_for(webhook.task, 30)
    assert len(webhook.fake.sent("sendMessage", chat_id=7001)) == 2
    from bot.kb.store import open_store

    store = open_store(tmp_path / "kb.sqlite3")
    try:  # both recorded as handled: a redelivery after the restart is not answered again
        assert store.chats.update_seen(first["update_id"]) and store.chats.update_seen(second["update_id"])
    finally:
        store.close()


async def test_an_unauthenticated_post_is_refused_before_its_body_is_read(
        webhook: Running) -> None:
    """The secret is checked on the headers: a 2 MB post with a wrong secret gets 403
    before a byte of its body is sent, so such posts cost the server no memory."""
    host, port = webhook.base.removeprefix("http://").split(":")
    for secret in ("wrong", None):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            head = (f"POST /tg HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                    f"\r\nContent-Length: 2000000\r\n")
            if secret is not None:
                head += f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
            writer.write((head + "\r\n").encode())
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), 5)  # no body sent at all
            assert status.split()[1] == b"403"
            await asyncio.wait_for(reader.read(), 5)  # and the server closes the connection
        finally:
            writer.close()
    assert webhook.fake.sent("sendMessage") == []


async def test_metrics_from_a_proxy_need_the_token_when_none_is_set(webhook: Running) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(f"{webhook.base}/metrics")).status_code == 200  # loopback
        forwarded = await client.get(f"{webhook.base}/metrics",
                                     headers={"X-Forwarded-For": "203.0.113.9"})
        assert forwarded.status_code == 403  # through a proxy: not loopback's own request
        assert (await client.get(f"{webhook.base}/healthz")).status_code == 200


async def test_metrics_token_is_required_when_set(tmp_path: Path) -> None:
    async with serving(tmp_path, metrics_token="m-t0ken") as webhook, \
            httpx.AsyncClient(timeout=10) as client:
        url = f"{webhook.base}/metrics"
        assert (await client.get(url)).status_code == 401
        wrong = await client.get(url, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "Bearer" in wrong.headers["www-authenticate"]
        right = await client.get(url, headers={"Authorization": "Bearer m-t0ken"})
        assert right.status_code == 200 and "pkitbot_updates_received_total" in right.text
