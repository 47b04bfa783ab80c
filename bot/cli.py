"""The command line: one click group, ``pkitbot``, and every command under it.

``ask`` answers without Telegram, ``kb ...`` builds, inspects, edits and exports the
knowledge base, ``doctor`` checks a deployment and ``run`` runs the bot. Each command only
parses its arguments, calls :mod:`bot.core` or :mod:`bot.kb`, and prints; ``ask`` and ``kb``
never import ``telegram`` (``run`` does, lazily).

Failures have one exit, :class:`PkitbotGroup`: a command raises :class:`~bot.errors.PkitbotError`
(or lets ``sqlite3.Error`` / ``OSError`` through) and the group turns it into one ``Error:``
line on stderr and exit code 1, never a traceback; click's own usage errors (a bad option, an
empty question) keep exit code 2. The exit codes are documented in ``pkitbot --help`` and the
README, and every help text's examples run (``tests/test_docs.py``).
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from bot.core.engine import Engine, Precomputed
from bot.core.normalize import Normalizer
from bot.errors import AdminError, KnowledgeError, NotFound, PkitbotError, SettingsError
from bot.kb.editing import AddRequest, add_entry, edit_entry, get_entry, group_unanswered
from bot.kb.files import (
    check_size,
    dump_yaml,
    load_dir,
    parse_document,
    write_dir,
    write_document,
)
from bot.kb.models import Knowledge
from bot.kb.store import Store, open_store
from bot.settings import Settings

EXIT_FAILURE = 1  # the command ran and failed: database, entry, file, network
EXIT_USAGE = 2  # click's code: the command line itself is wrong
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def to_click_error(exc: BaseException) -> click.ClickException:
    """The one translation of a runtime failure into what click prints: ``Error: ...``.

    A :class:`KnowledgeError` lists each problem on its own line first.
    """
    if isinstance(exc, KnowledgeError) and len(exc.problems) > 1:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        message = f"{len(exc.problems)} problems; nothing changed"
    elif isinstance(exc, KnowledgeError):
        message = f"{_one_line(exc)}; nothing changed"
    elif isinstance(exc, sqlite3.Error):
        message = f"the database cannot be used: {_one_line(exc)}"
    elif isinstance(exc, OSError) and exc.filename and exc.strerror:
        message = f"{exc.filename}: {exc.strerror}"
    else:
        message = _one_line(exc)
    return click.ClickException(message)


def exit_code_of(exc: BaseException) -> int:
    """1, unless the error class sets another ``exit_code`` (e.g. for a rejected token)."""
    code = getattr(exc, "exit_code", EXIT_FAILURE)
    return code if isinstance(code, int) and code not in (0, EXIT_USAGE) else EXIT_FAILURE


class PkitbotGroup(click.Group):
    """A click group whose ``invoke`` is the CLI's one error point.

    :class:`PkitbotError`, ``sqlite3.Error`` and ``OSError`` (a path that cannot be read or
    written) become one ``Error:`` line and exit 1 (or the error class's own ``exit_code``);
    Ctrl-C becomes ``Aborted!`` and exit 130. Click's usage errors pass through (exit 2).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (PkitbotError, sqlite3.Error, OSError) as exc:
            error, code = to_click_error(exc), exit_code_of(exc)
            if code == EXIT_FAILURE:
                raise error from None
            error.show()
            raise click.exceptions.Exit(code) from None
        except KeyboardInterrupt:
            click.echo("Aborted!", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def fail(message: str) -> NoReturn:
    """A runtime failure with this message: one ``Error:`` line, exit 1 (via the group)."""
    raise click.ClickException(message)


def settings() -> Settings:
    """The settings from the environment; a malformed one raises SettingsError (exit 1)."""
    return Settings.from_env()


def engine_for(db: Path | None) -> Engine:
    return Engine(open_store(db or settings().db_path))


db_option = click.option(
    "--db", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Database file (default: $PKITBOT_DB, else pkitbot.sqlite3 in the user data dir).",
)


@click.group(cls=PkitbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pkitbot")
def main() -> None:
    """pkitbot: sourced answers about Pakistan's IT sector.

    \b
    Examples:
      pkitbot ask "What were IT exports in FY25?"
      pkitbot kb list
      TELEGRAM_BOT_TOKEN=123:ABC... pkitbot run

    \b
    Exit codes:
      0    success
      1    the command failed: database unusable, no such entry, invalid file, network
      2    usage: unknown command or option, bad argument, empty question
      130  interrupted (Ctrl-C)
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
    """What is wrong with QUESTION (a usage error), or None."""
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

    An empty or too long QUESTION is a usage error (exit 2); in "-" mode such a line gets a
    JSON line with "error" instead.

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
            raise click.BadParameter(problem, param_hint="QUESTION")
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

    Every setting is checked before Telegram is contacted. While Telegram cannot be reached
    the start is retried (1 s doubling to 60 s, one log line a minute) until SIGTERM/SIGINT.

    \b
    Examples:
      TELEGRAM_BOT_TOKEN=123:ABC... pkitbot run
      PKITBOT_WEBHOOK_SECRET=s3cret pkitbot run --webhook-url https://bot.example.com/tg --port 8443

    \b
    Exit codes:
      0    stopped by SIGTERM or SIGINT
      1    a setting is missing or malformed, the database cannot be used, or the bot failed
      2    usage: an unknown option or a bad argument
      3    Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped): a restart cannot help
    """
    config = settings()
    config.validate_for_run(webhook_url)  # SettingsError: one line, before any connection
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
    """Open the database named by --db or the settings (StoreError if it cannot be used)."""
    return open_store(db or settings().db_path)


@kb.command()
@click.option("--from", "source", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Curated folder (default: the packaged knowledge/).")
@click.option("--force", is_flag=True,
              help="Overwrite edits made in Telegram or the CLI that the files do not hold.")
@db_option
def build(source: Path | None, force: bool, db: Path | None) -> None:
    """Rebuild the database from the curated files (entries not in them are retired).

    Refuses while admins' edits are not in the files: export them first with
    "pkitbot kb export knowledge/", review, then build (or pass --force).

    \b
    Examples:
      pkitbot kb build
      pkitbot kb build --from knowledge/
    """
    knowledge = load_dir(source)
    store = store_for(db)
    edited = store.edits_not_in(knowledge)
    if edited and not force:
        raise AdminError(f"{len(edited)} entries were edited in Telegram or the CLI and the files do not "
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
    for entry_id, entry_topic, question in store_for(db).summaries(topic):  # read as it goes
        click.echo(f"{entry_id:<32} {entry_topic:<22} {question}")


@kb.command()
@click.argument("entry_id")
@db_option
def show(entry_id: str, db: Path | None) -> None:
    """Show one entry as YAML (the export form).

    \b
    Example:
      pkitbot kb show freelancer-count
    """
    store = store_for(db)
    try:
        entry = store.get(entry_id, include_deleted=True)
    except KeyError:
        raise NotFound(f"no entry with id {entry_id!r} (see pkitbot kb list)") from None
    data = entry.to_dict()
    if entry.status != "active":
        data["status"] = entry.status
    click.echo(dump_yaml(data))


@kb.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def stats(as_json: bool, db: Path | None) -> None:
    """Counts: entries, questions, sources, translation coverage, questions asked and answered.

    \b
    Example:
      pkitbot kb stats --json
    """
    from bot.kb.editing import translation_coverage

    store = store_for(db)
    data = store.usage.stats()
    data["translations"] = translation_coverage(store.entries())
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"entries {data['entries']}, questions {data['questions']}, "
               f"sources {data['sources']}")
    cover = data["translations"]
    click.echo(f"translations: ur {cover['ur']}/{cover['entries']}, "
               f"roman {cover['roman']}/{cover['entries']}")
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
      pkitbot kb export /tmp/kb.yaml
      pkitbot kb export /tmp/kb.csv
      pkitbot kb export knowledge/
    """
    folder = file.is_dir() or not file.suffix
    suffix = file.suffix.lower()
    if not folder and suffix not in {".json", ".csv", ".yaml", ".yml"}:
        raise click.BadParameter("must end in .yaml, .yml, .json or .csv (or name a folder)",
                                 param_hint="FILE")
    store = store_for(db)
    if folder:
        knowledge = store.knowledge()
        written = write_dir(knowledge, file)
        click.echo(f"Wrote {len(knowledge.entries)} entries to {len(written)} files in {file}.")
        return
    form = "yaml" if suffix in {".yaml", ".yml"} else suffix[1:]
    partial = file.with_name(file.name + ".partial")  # an interrupted export leaves no half file
    try:
        out = partial.open("w", encoding="utf-8")
    except OSError as exc:  # name the file asked for, not the partial one
        raise OSError(exc.errno, exc.strerror, str(file)) from None
    try:
        with store.read_snapshot(), out:
            count = write_document(out, store.sources(), store.iter_entries(), form)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {count} entries to {file}.")


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


CLI_MAX_IMPORT_MB = 1024.0  # kb import's own cap; PKITBOT_MAX_IMPORT_MB is for chat uploads
PROGRESS_FROM = 2000  # entries: an import this large shows a progress bar on stderr


def _words() -> Normalizer:
    from bot.core.normalize import Lexicon
    from bot.kb import default_knowledge_dir

    return Normalizer(Lexicon.load(default_knowledge_dir() / "lexicon.yaml"))


def _index(store: Store, show: bool, ready: Precomputed | None = None) -> int:
    """Compute the matching index of what changed now, so that the next start reads it
    (in forked processes, one a CPU, for a large change; ``ready``: rows already made
    from the import's entries)."""
    from bot.core.engine import refresh_index

    words = _words()
    try:
        if not show:
            return refresh_index(store, words, ready=ready)
        with click.progressbar(length=0, label="Indexing", file=sys.stderr) as bar:
            def advance(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            return refresh_index(store, words, advance, workers=os.cpu_count() or 1,
                                 ready=ready)
    finally:
        if ready is not None:
            ready.close()


@kb.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check and summarise; change nothing.")
@click.option("--max-mb", type=click.FloatRange(min=0.1), default=CLI_MAX_IMPORT_MB,
              show_default=True,
              help="Largest FILE accepted, in MiB (chat uploads: PKITBOT_MAX_IMPORT_MB).")
@db_option
def import_(file: Path, dry_run: bool, max_mb: float, db: Path | None) -> None:
    """Import FILE (YAML, JSON or CSV in the export format) in one transaction.

    A large import shows a progress bar on stderr. FILE may be up to --max-mb MiB
    (PKITBOT_MAX_IMPORT_MB caps only what admins send the bot in a chat).

    \b
    Examples:
      pkitbot kb export /tmp/kb.yaml
      pkitbot kb import /tmp/kb.yaml --dry-run
      pkitbot kb import /tmp/kb.yaml
    """
    max_bytes = int(max_mb * 1024 * 1024)
    check_size(file.stat().st_size, file.name, max_bytes)  # before reading it
    store = store_for(db)
    knowledge = parse_document(file.read_bytes(), file.name, base_sources=store.sources(),
                               max_bytes=max_bytes)
    ready = None  # a large import's index, made by the other CPUs while it is applied
    if (not dry_run and len(knowledge.entries) >= PROGRESS_FROM and (os.cpu_count() or 1) > 1
            and Precomputed.possible()):
        ready = Precomputed(knowledge.entries, _words(), os.cpu_count() or 1)
    try:
        counts = _apply_import(store, knowledge, file.name, dry_run)
    except BaseException:
        if ready is not None:
            ready.close()
        raise
    if not dry_run:
        _index(store, len(knowledge.entries) >= PROGRESS_FROM, ready)
    _report_import(knowledge, counts, file.name, dry_run)


def _apply_import(store: Store, knowledge: Knowledge, name: str, dry_run: bool) -> dict[str, int]:
    if dry_run:
        counts = store.diff(knowledge)
    elif len(knowledge.entries) < PROGRESS_FROM:
        counts = store.apply_import(knowledge, actor=actor(), via="import")
    else:
        with click.progressbar(length=len(knowledge.entries), label=f"Importing {name}",
                               file=sys.stderr) as bar:
            def advance(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            counts = store.apply_import(knowledge, actor=actor(), via="import",
                                        progress=advance)
    return counts


def _report_import(knowledge: Knowledge, counts: dict[str, int], name: str,
                   dry_run: bool) -> None:
    summary = f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
    if counts.get("sources_new") or counts.get("sources_changed"):
        summary += (f"; sources: {counts.get('sources_new', 0)} new, "
                    f"{counts.get('sources_changed', 0)} changed")
    from bot.kb.editing import missing_translations_note

    missing = missing_translations_note(knowledge.entries, command="pkitbot kb translate")
    if dry_run:
        click.echo(f"Dry run: {summary}. Nothing changed.")
    else:
        click.echo(f"Imported {name}: {summary}.")
    if missing:
        click.echo(missing)


@kb.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True))
def validate(file: Path) -> None:
    """Check FILE (an import document) or a curated folder; list every problem.

    \b
    Examples:
      pkitbot kb validate knowledge/
      pkitbot kb export /tmp/kb.json
      pkitbot kb validate /tmp/kb.json
    """
    if file.is_dir():
        knowledge = load_dir(file)
    else:
        knowledge = parse_document(file.read_bytes(), file.name, base_sources=load_dir().sources)
    click.echo(f"{file}: valid ({len(knowledge.entries)} entries).")


@kb.command()
@click.option("--question", required=True, help="The canonical question.")
@click.option("--answer", required=True, help="The answer, in our own words.")
@click.option("--source", "source_title", required=True, help="Source title.")
@click.option("--url", default=None, help="Source URL (http or https).")
@db_option
def add(question: str, answer: str, source_title: str, url: str | None, db: Path | None) -> None:
    """Add an entry.

    An empty or too long part, or a URL that is not http(s), is a usage error (exit 2).

    \b
    Example:
      pkitbot kb add --question "When is the summit?" --answer "Every March." \\
        --source "Summit programme" --url https://example.org/summit
    """
    from bot.kb.editing import parse_add

    parts = [question, answer, source_title] + ([url] if url else [])
    try:
        request: AddRequest = parse_add(" | ".join(p.replace("|", "/") for p in parts))
    except AdminError as exc:
        raise click.UsageError(str(exc)) from None
    store = store_for(db)
    entry = add_entry(store, request, actor=actor(), via="cli")
    click.echo(f"Added #{entry.id}")
    from bot.core.probe import probe, report  # how users will find it, as /add shows

    for line in report(probe(Engine(store), entry.id), entry.id):
        click.echo(line)


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
      pkitbot kb edit it-exports-fy25 figure "about 3.8 USD billion FY25"
      pkitbot kb undo     # puts the figure back
    """
    edit_entry(store_for(db), entry_id, field, value, actor=actor(), via="cli")
    click.echo(f"Updated {field} of #{entry_id}")


@kb.command()
@click.argument("entry_id")
@click.argument("language", type=click.Choice(["ur", "roman"]))
@click.argument("text")
@db_option
def translate(entry_id: str, language: str, text: str, db: Path | None) -> None:
    """Set the curated Urdu (ur) or Roman Urdu (roman) answer of ENTRY_ID to TEXT.

    TEXT must state every figure of the entry (digits, Urdu digits count); the topic stays.
    "pkitbot kb undo" reverts it.

    \b
    Examples:
      pkitbot kb translate freelancer-count roman \\
        "Pakistan mein 1.5 million (15 lakh) se zyada freelancers hain: top 5 mulkon mein."
      pkitbot kb undo
    """
    from bot.kb.editing import translate_entry

    entry = translate_entry(store_for(db), entry_id, language, text, actor=actor(), via="cli")
    click.echo(f"Updated the {language} answer of #{entry.id}; `pkitbot kb undo` reverts it.")


@kb.command()
@click.argument("entry_id")
@db_option
def delete(entry_id: str, db: Path | None) -> None:
    """Retire ENTRY_ID; "pkitbot kb undo" restores it.

    \b
    Examples:
      pkitbot kb delete youth-population-under-30
      pkitbot kb undo
    """
    store = store_for(db)
    entry = get_entry(store, entry_id)
    store.delete(entry.id, actor=actor(), via="cli")
    click.echo(f"Deleted #{entry.id}; `pkitbot kb undo` restores it.")


@kb.command()
@db_option
def undo(db: Path | None) -> None:
    """Revert your most recent change from the CLI.

    \b
    Examples:
      pkitbot kb edit freelancer-count topic "Freelancers"
      pkitbot kb undo
    """
    rev = store_for(db).undo(actor(), via="cli")
    if rev is None:
        raise AdminError("you have no change left to undo")
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
        raise NotFound(f"no entry with id {entry_id!r} (see pkitbot kb list)")
    revisions = store.history(entry_id, limit=1000)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in revisions], ensure_ascii=False, indent=2))
        return
    for rev in revisions:
        click.echo(f"{rev.id:>5} {rev.at} {rev.action:<8} {rev.actor} via {rev.via}"
                   + (" (undone)" if rev.undone else ""))


@kb.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many groups to show.")
@db_option
def unanswered(limit: int, db: Path | None) -> None:
    """The most-asked questions the bot could not answer, grouped by similarity.

    \b
    Example:
      pkitbot kb unanswered --limit 10
    """
    groups = group_unanswered(store_for(db).usage.unanswered(500), limit=limit)
    if not groups:
        click.echo("No unanswered questions.")
    for group in groups:
        click.echo(f"{group.count:>4}x {group.question}")
        for variant in group.variants:
            click.echo(f"       also: {variant}")


@kb.command()
@db_option
def admins(db: Path | None) -> None:
    """List the bot's admins: PKITBOT_ADMINS and those granted with /grant.

    A grant counts only while the admin who made it is in PKITBOT_ADMINS; the others are
    listed as lapsed (revoke them with "pkitbot kb revoke USER_ID").

    \b
    Example:
      pkitbot kb admins
    """
    from bot.kb.editing import effective_admins

    env = settings().admins
    granted = store_for(db).chats.granted_admins()
    now = effective_admins(env, granted)
    for uid in sorted(env):
        click.echo(f"{uid}  PKITBOT_ADMINS")
    for uid, row in sorted(granted.items()):
        state = "granted" if uid in now and uid not in env else \
            "also in PKITBOT_ADMINS" if uid in env else "lapsed: granter left PKITBOT_ADMINS"
        click.echo(f"{uid}  {state} by {row['granted_by']} at {row['granted_at']}")
    if not env and not granted:
        click.echo("No admins: set PKITBOT_ADMINS to numeric Telegram user ids.")


@kb.command()
@click.argument("user_id")
@db_option
def revoke(user_id: str, db: Path | None) -> None:
    """Remove USER_ID's /grant (an id in PKITBOT_ADMINS stays admin until taken out).

    \b
    Examples:
      pkitbot kb revoke 123456789
      pkitbot kb admins
    """
    from bot.kb.editing import parse_user_id

    try:
        uid = parse_user_id(user_id, usage="pkitbot kb revoke USER_ID")
    except AdminError as exc:
        raise click.UsageError(str(exc)) from None
    removed = store_for(db).chats.revoke(uid)
    click.echo(f"Revoked {uid}'s grant." if removed
               else f"{uid} was not a granted admin; nothing changed.")
    if uid in settings().admins:
        click.echo(f"{uid} stays an admin through PKITBOT_ADMINS: take it out of that setting.")


@kb.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@db_option
def backup(path: Path, db: Path | None) -> None:
    """Copy the database to PATH with SQLite's online backup (safe while the bot runs).

    \b
    Example:
      pkitbot kb backup /tmp/pkitbot-$(date +%F).sqlite3
    """
    store_for(db).backup(path)
    click.echo(f"Backed up to {path}")


@kb.command()
@db_option
def reindex(db: Path | None) -> None:
    """Compute the matching index rows that are missing or stale (after an upgrade or a
    lexicon change every row is); the bot would otherwise do it at its next start, on one
    CPU. Safe while the bot runs.

    \b
    Example:
      pkitbot kb reindex
    """
    store = store_for(db)
    done = _index(store, True)
    click.echo(f"Indexed {done} entries; the others were up to date."
               if done else "The matching index is up to date.")


@kb.command(name="check-links")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests at once.")
@click.option("--timeout", default=10.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True), help="Seconds per request.")
@db_option
def check_links_(concurrency: int, timeout: float, db: Path | None) -> None:
    """Check every source URL: ok, redirected or broken (stored with the check date).

    Prints every result; exits 1 if any link is broken (needs the network).

    \b
    Example:
      pkitbot kb check-links --concurrency 4
    """
    import asyncio  # loads only for this command: `pkitbot ask` starts without it

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
    if broken:
        raise click.exceptions.Exit(EXIT_FAILURE)


def _order(result: Any) -> tuple[int, str]:
    return ({"broken": 0, "redirected": 1, "ok": 2}[result.status], result.source_id)


@click.command()
@click.option("--offline", is_flag=True,
              help="Skip the Telegram checks (database and knowledge only).")
@click.option("--timeout", default=10.0, show_default=True, type=float,
              help="Seconds to wait for each Bot API call.")
@click.option("--webhook-url", default=None,
              help="Also check the webhook settings `run --webhook-url` would use.")
def doctor(offline: bool, timeout: float, webhook_url: str | None) -> None:
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
    checks = run_checks(settings, offline=offline, timeout=timeout, webhook_url=webhook_url)
    for check in checks:
        click.echo(redact(check.line(), token))
    sys.exit(0 if all_ok(checks) else 1)


main.add_command(kb)
main.add_command(doctor)
