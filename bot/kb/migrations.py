"""The database schema, as an ordered list of sqlite-utils migrations.

Every table the bot uses is created here and nowhere else. Migrations are applied on
first use by :func:`bot.kb.store.open_store`; each runs in its own transaction.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "pkitbot"
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_knowledge(db: Database) -> None:
    """Entries, their questions, sources, figures and the revision history."""
    db.table("entries").create(
        {
            "id": str,
            "topic": str,
            "question": str,
            "answer": str,
            "keywords": str,  # JSON list
            "status": str,  # active | deleted
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"topic", "question", "answer", "status"},
        defaults={"status": "active", "keywords": "[]"},
    )
    db.table("questions").create(
        {"id": int, "entry_id": str, "text": str, "kind": str},
        pk="id",
        foreign_keys=[("entry_id", "entries", "id")],
        not_null={"entry_id", "text", "kind"},
    )
    db.table("questions").create_index(["entry_id"])
    db.table("sources").create(
        {
            "id": str,
            "title": str,
            "author": str,
            "publisher": str,
            "date": str,
            "url": str,
            "kind": str,
            "checked_at": str,
            "check_status": str,
        },
        pk="id",
        not_null={"title"},
    )
    db.table("entry_sources").create(
        {"entry_id": str, "source_id": str, "position": int},
        pk=("entry_id", "source_id"),
        foreign_keys=[("entry_id", "entries", "id"), ("source_id", "sources", "id")],
    )
    db.table("figures").create(
        {
            "id": int,
            "entry_id": str,
            "metric": str,
            "value": float,
            "unit": str,
            "period": str,
            "period_label": str,
            "qualifier": str,
            "source_id": str,
        },
        pk="id",
        foreign_keys=[("entry_id", "entries", "id"), ("source_id", "sources", "id")],
        not_null={"entry_id", "metric", "value", "unit"},
    )
    db.table("figures").create_index(["entry_id"])
    db.table("figures").create_index(["metric", "period"])
    db.table("revisions").create(
        {
            "id": int,
            "entry_id": str,
            "actor": str,  # e.g. "telegram:12345", "cli:alice", "build"
            "via": str,  # telegram | cli | import | build
            "action": str,  # create | update | delete | restore | alias | undo
            "at": str,
            "before": str,  # JSON snapshot of the entry, or null
            "after": str,  # JSON snapshot of the entry, or null
            "undone": int,
        },
        pk="id",
        defaults={"undone": 0},
    )
    db.table("revisions").create_index(["entry_id"])
    db.table("revisions").create_index(["actor"])


@migrations()
def m002_usage(db: Database) -> None:
    """What users asked: the query log, unanswered questions and feedback (no user ids)."""
    db.table("query_log").create(
        {
            "id": int,
            "at": str,
            "question": str,
            "entry_id": str,
            "score": float,
            "decision": str,  # answer | suggest | abstain
            "chat_type": str,  # private | group | supergroup | channel | inline | cli
        },
        pk="id",
    )
    db.table("query_log").create_index(["at"])
    db.table("unanswered").create(
        {
            "id": int,
            "normalized": str,
            "question": str,
            "count": int,
            "first_at": str,
            "last_at": str,
            "status": str,  # open | dismissed | resolved
            "best_entry_id": str,
        },
        pk="id",
        defaults={"count": 1, "status": "open"},
    )
    db.table("unanswered").create_index(["normalized"], unique=True)
    db.table("feedback").create(
        {"id": int, "entry_id": str, "vote": int, "chat_type": str, "at": str},
        pk="id",
    )


@migrations()
def m003_bot_state(db: Database) -> None:
    """Bot-side state: subscriptions to the daily fact, facts sent, admins granted, attempts."""
    db.table("subscriptions").create(
        {"chat_id": int, "chat_type": str, "subscribed_at": str},
        pk="chat_id",
    )
    db.table("facts_sent").create(
        {"chat_id": int, "entry_id": str, "sent_at": str},
        pk=("chat_id", "entry_id"),
    )
    db.table("admins").create(
        {"user_id": int, "granted_by": int, "granted_at": str},
        pk="user_id",
    )
    db.table("admin_attempts").create(
        {"id": int, "user_id": int, "command": str, "at": str},
        pk="id",
    )


@migrations()
def m004_entry_files(db: Database) -> None:
    """Remember which curated file each entry came from, so export can write it back."""
    db.table("entries").add_column("file", str)


@migrations()
def m005_processed_updates(db: Database) -> None:
    """Ids of Telegram updates already handled, so a redelivered one is not handled twice."""
    db.table("processed_updates").create({"update_id": int, "at": float}, pk="update_id")


@migrations()
def m006_translations_and_languages(db: Database) -> None:
    """Entries' curated Urdu and Roman Urdu topic and answer; each user's reply language."""
    db.table("translations").create(
        {"entry_id": str, "language": str, "topic": str, "answer": str},  # language: ur | roman
        pk=("entry_id", "language"),
        foreign_keys=[("entry_id", "entries", "id")],
        not_null={"topic", "answer"},
    )
    # a user's (or a chat's) /language choice: en | ur | roman; no row means automatic
    db.table("reply_languages").create({"id": int, "language": str, "set_at": str}, pk="id")
    # an existing knowledge base gets the curated translations of the entries it holds
    from bot.errors import KnowledgeError
    from bot.kb.files import load_dir

    try:
        curated = load_dir()
    except KnowledgeError:
        return
    ids = {r[0] for r in db.execute("SELECT id FROM entries")}
    db.table("translations").insert_all(
        {"entry_id": e.id, "language": lang, "topic": t.topic, "answer": t.answer}
        for e in curated.entries if e.id in ids for lang, t in e.translations)


def apply(db: Database) -> None:
    """Apply every pending migration (a no-op on an up-to-date database)."""
    migrations.apply(db)


def pending(db: Database) -> list[Any]:
    """Migrations not yet applied to ``db``."""
    return list(migrations.pending(db))
