"""The help texts and the README kept honest, in the style of sqlite-utils' tests/test_docs.py.

Every command and subcommand (found by walking the click group) has a help text with an
``Example:`` or ``Examples:`` block and is named in README.md; ``pkitbot --help`` and the
README document the exit codes; and every example line in every help text runs.

How the examples run: one command's examples are run in order, each line by ``bash -c``, in a
fresh temporary folder that holds a copy of ``knowledge/`` (so ``kb build --from knowledge/``,
``kb validate knowledge/`` and ``kb export knowledge/`` work on the copy), with ``PKITBOT_DB``
naming a new database in that folder, a well-formed made-up ``TELEGRAM_BOT_TOKEN`` and
``pkitbot`` on ``PATH`` as a shim for this interpreter's ``python -m bot``. One substitution:
``/tmp/`` in an example becomes that folder, so ``pkitbot kb export /tmp/kb.yaml`` writes into
it. Lines that need Telegram or the internet (``run``, ``doctor`` without ``--offline``,
``kb check-links``) are not run; the command parses them instead (``make_context``), so an
example naming an option that no longer exists still fails.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text("utf-8")
FAKE_TOKEN = "123456789:" + "A" * 35  # the right shape; never sent anywhere
EXAMPLES_HEAD = re.compile(r"^  Examples?:$")


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name], (*path, name))


COMMANDS = list(walk(main))
SUBCOMMANDS = [path for path in COMMANDS if path]


def ids(path: tuple[str, ...]) -> str:
    return " ".join(path) or "pkitbot"


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="pkitbot")
    assert result.exit_code == 0, result.output
    return result.output


def examples(path: tuple[str, ...]) -> list[str]:
    """The lines of the help's Example(s) block, continuation lines (``\\``) joined."""
    lines = help_text(path).splitlines()
    start = next((i for i, line in enumerate(lines) if EXAMPLES_HEAD.match(line)), None)
    if start is None:
        return []
    out: list[str] = []
    pending = ""
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        text = pending + line.strip()
        if text.endswith("\\"):
            pending = text[:-1]
            continue
        pending = ""
        out.append(text)
    return out


def command_args(line: str) -> list[str]:
    """``A=1 pkitbot kb show x  # note`` -> ``["kb", "show", "x"]`` (the last pkitbot of a pipe)."""
    words = shlex.split(line.rsplit("|", 1)[-1], comments=True)
    while words and re.match(r"^[A-Z_]+=", words[0]):
        words.pop(0)
    assert words and words[0] == "pkitbot", line
    return words[1:]


def needs_the_outside_world(args: list[str]) -> bool:
    return (args[:1] == ["run"] or (args[:1] == ["doctor"] and "--offline" not in args)
            or args[:2] == ["kb", "check-links"])


def parses(args: list[str]) -> None:
    """The command line is accepted by the command it names (nothing is run)."""
    command: click.Command = main
    while isinstance(command, click.Group) and args and args[0] in command.commands:
        command, args = command.commands[args[0]], args[1:]
    with command.make_context("pkitbot", list(args)):
        pass


@pytest.mark.parametrize("path", COMMANDS, ids=ids)
def test_every_command_has_help_with_examples(path: tuple[str, ...]) -> None:
    text = help_text(path)
    assert len(text.split("\n\n")[1].strip()) > 10, "no help text"
    lines = examples(path)
    assert lines, f"no Example(s) block in `{ids(path)} --help`"
    assert any(command_args(line)[:len(path)] == list(path) for line in lines), lines
    assert "``" not in text and not re.search(r"^\s*\.\. \w+::|:\w+:`", text, re.MULTILINE), \
        "raw reStructuredText in the help"


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=ids)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    name = re.escape(" ".join(path))
    assert re.search(rf"(?:pkitbot |`){name}(?![\w-])", README), f"{ids(path)} not in README.md"


def test_exit_codes_are_documented() -> None:
    text = help_text(())
    for code, meaning in (("0", "success"), ("1", "failed"), ("2", "usage"),
                          ("130", "interrupted")):
        assert re.search(rf"^ +{code} +.*{meaning}", text, re.MULTILINE), code
    for code in ("0", "1", "2", "130"):
        assert re.search(rf"^\| `{code}` \|", README, re.MULTILINE), f"exit {code} not in README"


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder with a copy of knowledge/ and a ``pkitbot`` shim, and the environment."""
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "pkitbot"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m bot "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PKITBOT_", "TELEGRAM_"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
               PYTHONPATH=str(REPO), PKITBOT_DB=str(tmp_path / "kb.sqlite3"),
               TELEGRAM_BOT_TOKEN=FAKE_TOKEN)
    return tmp_path, env


@pytest.mark.parametrize("path", COMMANDS, ids=ids)
def test_every_example_runs(path: tuple[str, ...], sandbox: tuple[Path, dict[str, str]]) -> None:
    folder, env = sandbox
    for line in examples(path):
        args = command_args(line)
        if needs_the_outside_world(args):
            parses(args)
            continue
        script = line.replace("/tmp/", f"{folder}/")
        result = subprocess.run(["bash", "-c", script], cwd=folder, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr, line
