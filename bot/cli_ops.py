"""Operations commands for the CLI: ``pkitbot doctor`` (checks live in :mod:`bot.doctor`).

Registered on the main group with ``main.add_command(doctor)``; this module only parses
options and prints, one line per check.
"""

from __future__ import annotations

import sys

import click

from bot.settings import Settings, SettingsError


@click.command()
@click.option("--offline", is_flag=True,
              help="Skip the Telegram checks (database and knowledge only).")
@click.option("--timeout", default=10.0, show_default=True, type=float,
              help="Seconds to wait for each Bot API call.")
def doctor(offline: bool, timeout: float) -> None:
    """Check the token, database, knowledge files and Telegram; exit 1 if any fails.

    \b
    Examples:
      pkitbot doctor
      pkitbot doctor --offline     # container HEALTHCHECK: no Telegram calls
    """
    from bot.doctor import Check, all_ok, redact, run_checks

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        click.echo(Check("settings", False, str(exc)).line())
        sys.exit(1)
    token = settings.token
    checks = run_checks(settings, offline=offline, timeout=timeout)
    for check in checks:
        click.echo(redact(check.line(), token))
    sys.exit(0 if all_ok(checks) else 1)
