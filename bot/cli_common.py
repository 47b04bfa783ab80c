"""What every CLI command shares: the settings, the --db option, one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from bot.engine import Engine
from bot.settings import Settings, SettingsError

EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    """One clear line on stderr and exit code 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))


def engine_for(db: Path | None) -> Engine:
    from bot.knowledge import KnowledgeError
    from bot.store import StoreError, open_store

    path = db or settings().db_path
    try:
        return Engine(open_store(path))
    except (StoreError, KnowledgeError) as exc:
        fail(str(exc))


db_option = click.option(
    "--db", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Database file (default: $PKITBOT_DB or ./data/pkitbot.sqlite3).",
)


