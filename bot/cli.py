"""The command line: one click group, ``pkitbot``, and every command under it.

``ask`` answers without Telegram, ``kb ...`` builds, inspects, edits and exports the
knowledge base, ``doctor`` checks a deployment and ``run`` runs the bot. Each command only
parses its arguments, calls :mod:`bot.core` or :mod:`bot.kb`, and prints; ``ask`` and ``kb``
never import ``telegram`` (``run`` does, lazily). Errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from bot.core.engine import Engine
from bot.errors import AdminError, KnowledgeError, SettingsError, StoreError
from bot.kb.editing import AddRequest, add_entry, edit_entry, get_entry, group_unanswered
from bot.kb.files import dump_csv, dump_yaml, load_dir, parse_document, to_document, write_dir
from bot.kb.store import Store, open_store
from bot.settings import Settings

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
    from bot.errors import KnowledgeError, StoreError
    from bot.kb.store import open_store

    path = db or settings().db_path
    try:
        return Engine(open_store(path))
    except (StoreError, KnowledgeError) as exc:
        fail(str(exc))


db_option = click.option(
    "--db", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Database file (default: $PKITBOT_DB or ./data/pkitbot.sqlite3).",
)




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
    from bot.core.formatting import answer_text

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
    from bot.core.engine import clean_question, has_words

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
                from bot.core.formatting import answer_text

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
    from bot.tg.app import run_bot

    run_bot(config, webhook_url=webhook_url, listen=listen, port=port)


@click.group()
def kb() -> None:
    """Build, inspect and edit the knowledge base.

    \b
    Examples:
      pkitbot kb build
      pkitbot kb show it-exports-fy25
    """


def store_for(db: Path | None) -> Store:
    """Open the database named by --db or the settings; a clear error if it can't be."""
    try:
        return open_store(db or settings().db_path)
    except (StoreError, KnowledgeError) as exc:
        fail(str(exc))


@kb.command()
@click.option("--from", "source", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Curated folder (default: the packaged knowledge/).")
@click.option("--force", is_flag=True,
              help="Overwrite edits made in Telegram or the CLI that the files do not hold.")
@db_option
def build(source: Path | None, force: bool, db: Path | None) -> None:
    """Rebuild the database from the curated files (entries not in them are retired).

    Refuses while admins' edits are not in the files: export them first with
    ``pkitbot kb export knowledge/``, review, then build (or pass --force).

    \b
    Example:
      pkitbot kb build --from knowledge/
    """
    try:
        knowledge = load_dir(source)
    except KnowledgeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(f"{len(exc.problems)} problem(s) in the knowledge files; nothing changed")
    store = store_for(db)
    edited = store.edits_not_in(knowledge)
    if edited and not force:
        fail(f"{len(edited)} entries were edited in Telegram or the CLI and the files do not "
             f"hold those edits ({', '.join(edited[:5])}{', ...' if len(edited) > 5 else ''}); "
             "run `pkitbot kb export knowledge/` to keep them, or build with --force")
    store.replace_all(knowledge, actor="cli", via="build")
    click.echo(f"Built {store.path}: {len(knowledge.entries)} entries, "
               f"{len(knowledge.sources)} sources.")


@kb.command(name="list")
@click.option("--topic", default=None, help="Only entries of this topic.")
@db_option
def list_(topic: str | None, db: Path | None) -> None:
    """List entries: id, topic and canonical question.

    \b
    Example:
      pkitbot kb list --topic Freelancing
    """
    for entry in store_for(db).entries():
        if topic is None or entry.topic.casefold() == topic.casefold():
            click.echo(f"{entry.id:<32} {entry.topic:<22} {entry.question}")


@kb.command()
@click.argument("entry_id")
@db_option
def show(entry_id: str, db: Path | None) -> None:
    """Show one entry as YAML (the export form).

    \b
    Example:
      pkitbot kb show freelancers-count
    """
    store = store_for(db)
    try:
        entry = store.get(entry_id, include_deleted=True)
    except KeyError:
        fail(f"no entry with id {entry_id!r} (see pkitbot kb list)")
    data = entry.to_dict()
    if entry.status != "active":
        data["status"] = entry.status
    click.echo(dump_yaml(data))


@kb.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def stats(as_json: bool, db: Path | None) -> None:
    """Counts: entries, questions, sources, questions asked and answered.

    \b
    Example:
      pkitbot kb stats --json
    """
    data = store_for(db).stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"entries {data['entries']}, questions {data['questions']}, "
               f"sources {data['sources']}")
    click.echo(f"asked {data['asked']}, answered {data['answered']} "
               f"({data['answered_share']:.0%}); feedback +{data['feedback_up']} "
               f"-{data['feedback_down']}")
    for row in data["top_entries"]:
        click.echo(f"  top: {row['entry_id']} ({row['n']})")
    for row in data["top_unanswered"]:
        click.echo(f"  unanswered: {row['question']} ({row['count']})")


@kb.command()
@click.argument("file", type=click.Path(path_type=Path))
@db_option
def export(file: Path, db: Path | None) -> None:
    """Write the knowledge base to FILE (.yaml, .json, .csv), or to a folder in the curated
    layout (sources.yaml + entries/*.yaml, each entry back in its file).

    \b
    Examples:
      pkitbot kb export backup.yaml
      pkitbot kb export knowledge/
    """
    knowledge = store_for(db).knowledge()
    if file.is_dir() or not file.suffix:
        written = write_dir(knowledge, file)
        click.echo(f"Wrote {len(knowledge.entries)} entries to {len(written)} files in {file}.")
        return
    suffix = file.suffix.lower()
    if suffix == ".json":
        text = json.dumps(to_document(knowledge), ensure_ascii=False, indent=2)
    elif suffix == ".csv":
        text = dump_csv(knowledge)
    elif suffix in {".yaml", ".yml"}:
        text = dump_yaml(to_document(knowledge))
    else:
        fail("FILE must end in .yaml, .yml, .json or .csv")
    file.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(knowledge.entries)} entries to {file}.")


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _problems(exc: KnowledgeError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    fail(f"{len(exc.problems)} problem(s); nothing changed")


@kb.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check and summarise; change nothing.")
@db_option
def import_(file: Path, dry_run: bool, db: Path | None) -> None:
    """Import FILE (YAML, JSON or CSV in the export format) in one transaction.

    \b
    Example:
      pkitbot kb import new-entries.yaml --dry-run
    """
    store = store_for(db)
    try:
        knowledge = parse_document(file.read_bytes(), file.name, base_sources=store.sources())
    except KnowledgeError as exc:
        _problems(exc)
    counts = store.diff(knowledge)
    summary = f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
    if dry_run:
        click.echo(f"Dry run: {summary}. Nothing changed.")
        return
    store.apply_import(knowledge, actor=actor(), via="import")
    click.echo(f"Imported {file.name}: {summary}.")


@kb.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True))
def validate(file: Path) -> None:
    """Check FILE (an import document) or a curated folder; list every problem.

    \b
    Examples:
      pkitbot kb validate knowledge/
      pkitbot kb validate export.yaml
    """
    try:
        if file.is_dir():
            knowledge = load_dir(file)
        else:
            knowledge = parse_document(file.read_bytes(), file.name,
                                       base_sources=load_dir().sources)
    except KnowledgeError as exc:
        _problems(exc)
    click.echo(f"{file}: valid ({len(knowledge.entries)} entries).")


@kb.command()
@click.option("--question", required=True, help="The canonical question.")
@click.option("--answer", required=True, help="The answer, in our own words.")
@click.option("--source", "source_title", required=True, help="Source title.")
@click.option("--url", default=None, help="Source URL (http or https).")
@db_option
def add(question: str, answer: str, source_title: str, url: str | None, db: Path | None) -> None:
    """Add an entry.

    \b
    Example:
      pkitbot kb add --question "When is the summit?" --answer "Every March." \\
        --source "Summit programme" --url https://example.org/summit
    """
    from bot.kb.editing import parse_add

    try:
        parts = [question, answer, source_title] + ([url] if url else [])
        request: AddRequest = parse_add(" | ".join(p.replace("|", "/") for p in parts))
        entry = add_entry(store_for(db), request, actor=actor(), via="cli")
    except AdminError as exc:
        fail(str(exc))
    click.echo(f"Added #{entry.id}")


@kb.command()
@click.argument("entry_id")
@click.argument("field", type=click.Choice(["question", "answer", "topic", "source", "url",
                                            "figure"]))
@click.argument("value")
@db_option
def edit(entry_id: str, field: str, value: str, db: Path | None) -> None:
    """Change FIELD of ENTRY_ID to VALUE.

    \b
    Examples:
      pkitbot kb edit freelancer-count answer "Over 1.5 million active freelancers..."
      pkitbot kb edit it-exports-fy25 figure "over 3.8 USD billion FY25"
    """
    try:
        edit_entry(store_for(db), entry_id, field, value, actor=actor(), via="cli")
    except AdminError as exc:
        fail(str(exc))
    click.echo(f"Updated {field} of #{entry_id}")


@kb.command()
@click.argument("entry_id")
@db_option
def delete(entry_id: str, db: Path | None) -> None:
    """Retire ENTRY_ID (``kb undo`` restores it).

    \b
    Example:
      pkitbot kb delete old-entry
    """
    store = store_for(db)
    try:
        entry = get_entry(store, entry_id)
    except AdminError as exc:
        fail(str(exc))
    store.delete(entry.id, actor=actor(), via="cli")
    click.echo(f"Deleted #{entry.id}; `pkitbot kb undo` restores it.")


@kb.command()
@db_option
def undo(db: Path | None) -> None:
    """Revert your most recent change from the CLI.

    \b
    Example:
      pkitbot kb undo
    """
    rev = store_for(db).undo(actor(), via="cli")
    if rev is None:
        fail("you have no change left to undo")
    click.echo(f"Undid {rev.action} of #{rev.entry_id} ({rev.at}).")


@kb.command()
@click.argument("entry_id")
@click.option("--json", "as_json", is_flag=True, help="Print the revisions as JSON.")
@db_option
def history(entry_id: str, as_json: bool, db: Path | None) -> None:
    """Every change to ENTRY_ID: who, how, when (newest first).

    \b
    Example:
      pkitbot kb history it-exports-fy25
    """
    store = store_for(db)
    if not store.exists(entry_id):
        fail(f"no entry with id {entry_id!r}")
    revisions = store.history(entry_id, limit=1000)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in revisions], ensure_ascii=False, indent=2))
        return
    for rev in revisions:
        click.echo(f"{rev.id:>5} {rev.at} {rev.action:<8} {rev.actor} via {rev.via}"
                   + (" (undone)" if rev.undone else ""))


@kb.command()
@click.option("--limit", default=20, show_default=True, help="How many groups to show.")
@db_option
def unanswered(limit: int, db: Path | None) -> None:
    """The most-asked questions the bot could not answer, grouped by similarity.

    \b
    Example:
      pkitbot kb unanswered --limit 10
    """
    groups = group_unanswered(store_for(db).unanswered(500), limit=limit)
    if not groups:
        click.echo("No unanswered questions.")
    for group in groups:
        click.echo(f"{group.count:>4}x {group.question}")
        for variant in group.variants:
            click.echo(f"       also: {variant}")


@kb.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@db_option
def backup(path: Path, db: Path | None) -> None:
    """Copy the database to PATH with SQLite's online backup (safe while the bot runs).

    \b
    Example:
      pkitbot kb backup /var/backups/pkitbot-$(date +%F).sqlite3
    """
    store_for(db).backup(path)
    click.echo(f"Backed up to {path}")


@kb.command(name="check-links")
@click.option("--concurrency", default=8, show_default=True, help="Requests at once.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
@db_option
def check_links_(concurrency: int, timeout: float, db: Path | None) -> None:
    """Check every source URL: ok, redirected or broken (stored with the check date).

    \b
    Example:
      pkitbot kb check-links --concurrency 4
    """
    from bot.kb.links import check_links  # httpx loads only for this command

    store = store_for(db)
    links = [(s.id, s.url) for s in store.sources().values() if s.url]
    if not links:
        click.echo("No source has a URL to check.")
        return
    with click.progressbar(length=len(links), label="Checking links", file=sys.stderr) as bar:
        results = asyncio.run(check_links(links, concurrency=concurrency, timeout=timeout,
                                          progress=lambda _r: bar.update(1)))
    for result in results:
        store.set_link_status(result.source_id, result.status)
    width = max(len(r.source_id) for r in results)
    for result in sorted(results, key=_order):
        click.echo(f"{result.status:<10} {result.source_id:<{width}} {result.url} "
                   f"({result.detail})")
    broken = sum(r.status == "broken" for r in results)
    click.echo(f"{len(results)} checked: {len(results) - broken} reachable, {broken} broken.")


def _order(result: Any) -> tuple[int, str]:
    return ({"broken": 0, "redirected": 1, "ok": 2}[result.status], result.source_id)


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


main.add_command(kb)
main.add_command(doctor)
