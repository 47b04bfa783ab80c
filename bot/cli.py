"""The command line: ``pkitbot ask``, ``pkitbot kb ...`` and ``pkitbot run`` (thin wrappers).

Each command parses its arguments, calls the engine or store, and prints. ``ask`` and
``kb`` never import ``telegram``; ``run`` does, lazily.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import cli_admin  # noqa: F401  (registers the kb editing commands)
from bot.cli_common import db_option, engine_for, fail, settings
from bot.cli_kb import kb
from bot.cli_ops import doctor
from bot.settings import SettingsError

if TYPE_CHECKING:
    from bot.engine import Engine


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pkitbot")
def main() -> None:
    """pkitbot: sourced answers about Pakistan's IT sector.

    \b
    Examples:
      pkitbot ask "What were IT exports in FY25?"
      pkitbot kb list
      TELEGRAM_BOT_TOKEN=123:ABC... pkitbot run
    """


def _answer_json(answer: Any) -> dict[str, Any]:
    from bot.formatting import answer_text

    return {
        "question": answer.question,
        "answered": answer.answered,
        "decision": answer.decision,
        "entry_id": answer.entry.id if answer.entry else None,
        "score": round(answer.score, 4),
        "answer": answer_text(answer),
        "figures": [
            {**sf.figure.to_dict(), "source": sf.source.id if sf.source else None}
            for sf in (*answer.figures, *answer.also)
        ],
        "sources": [s.to_dict() for s in answer.sources],
        "suggestions": [{"entry_id": c.entry_id, "question": c.question}
                        for c in answer.suggestions],
    }


def _check_question(question: str, limit: int) -> str | None:
    from bot.engine import clean_question, has_words

    if not has_words(question):
        return "the question is empty: ask about Pakistan's IT sector, e.g. \"IT exports FY25\""
    if len(clean_question(question)) > limit:
        return f"the question is too long ({len(question)} characters; at most {limit})"
    return None


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def ask(question: str, as_json: bool, db: Path | None) -> None:
    """Answer QUESTION from the knowledge base; "-" reads one question per line (JSON lines).

    \b
    Examples:
      pkitbot ask "Pakistan mein kitne freelancers hain?"
      pkitbot ask --json "IT exports FY25"
      printf 'IT exports FY25\\nfreelancers\\n' | pkitbot ask -
    """
    limit = settings().max_question_chars
    if question != "-":
        problem = _check_question(question, limit)
        if problem:
            fail(problem)
    engine = engine_for(db)
    try:
        if question == "-":
            for line in sys.stdin:
                text = line.strip()
                if not text:
                    continue
                problem = _check_question(text, limit)
                if problem:
                    click.echo(json.dumps({
                        "question": text[:200], "answered": False, "decision": "abstain",
                        "entry_id": None, "score": 0.0,
                        "answer": problem[0].upper() + problem[1:], "figures": [],
                        "sources": [], "suggestions": [], "error": problem,
                    }, ensure_ascii=False))
                    continue
                click.echo(json.dumps(_answer_json(engine.ask(text, chat_type="cli")),
                                      ensure_ascii=False))
        else:
            answer = engine.ask(question, chat_type="cli")
            if as_json:
                click.echo(json.dumps(_answer_json(answer), ensure_ascii=False, indent=2))
            else:
                from bot.formatting import answer_text

                click.echo(answer_text(answer))
    finally:
        _close_logging(engine)


def _close_logging(engine: Engine) -> None:
    """Close the store, which writes the logged questions; the answers are out already,
    so a store that cannot be written (read-only, locked) only costs the log, with a note."""
    try:
        engine.store.close()
    except sqlite3.Error as exc:
        click.echo(f"note: the question was answered but not logged ({exc})", err=True)


main.add_command(kb)
main.add_command(doctor)


@main.command()
@click.option("--webhook-url", default=None, help="Public HTTPS URL Telegram posts updates to.")
@click.option("--listen", default="0.0.0.0", show_default=True, help="Webhook listen address.")
@click.option("--port", default=8443, show_default=True, type=int, help="Webhook listen port.")
def run(webhook_url: str | None, listen: str, port: int) -> None:
    """Run the Telegram bot (long polling, or a webhook with --webhook-url).

    \b
    Examples:
      TELEGRAM_BOT_TOKEN=123:ABC... pkitbot run
      PKITBOT_WEBHOOK_SECRET=s3cret pkitbot run --webhook-url https://bot.example.com/tg --port 8443
    """
    config = settings()
    try:
        config.require_token()
        if webhook_url and not config.webhook_secret:
            raise SettingsError("PKITBOT_WEBHOOK_SECRET is required in webhook mode")
    except SettingsError as exc:
        fail(str(exc))
    from bot.app import run_bot

    run_bot(config, webhook_url=webhook_url, listen=listen, port=port)
