"""``pkitbot kb ...``: build, inspect and export the knowledge base from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli_common import db_option, fail, settings
from bot.knowledge import KnowledgeError, dump_csv, dump_yaml, load_dir, to_document, write_dir
from bot.store import Store, StoreError, open_store


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
