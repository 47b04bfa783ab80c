"""``pkitbot kb`` commands that change the knowledge base: import, add, edit, delete, undo,
history, validate, unanswered, backup and check-links (thin wrappers over bot.admin)."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any

import click

from bot.admin import AddRequest, AdminError, add_entry, edit_entry, get_entry, group_unanswered
from bot.cli_common import db_option, fail
from bot.cli_kb import kb, store_for
from bot.knowledge import KnowledgeError, load_dir, parse_document


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
    from bot.admin import parse_add

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
    from bot.linkcheck import check_links  # httpx loads only for this command

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
