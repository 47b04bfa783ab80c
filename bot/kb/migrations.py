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


# Rows that point at an entry: what happens to them when the entry row goes (only an undone
# create removes an entry row; a deleted entry keeps its row with status 'deleted').
ENTRY_LINKS = (
    ("query_log", "entry_id", "SET NULL"),
    ("feedback", "entry_id", "SET NULL"),
    ("unanswered", "best_entry_id", "SET NULL"),
    ("facts_sent", "entry_id", "CASCADE"),
)


@migrations()
def m007_entry_links(db: Database) -> None:
    """Foreign keys from the usage and chat tables to ``entries`` (Datasette links them).

    Older rows may point at an entry that is gone (an undone create): their link is
    cleared first (a fact sent of it is forgotten), so the key holds for every row.
    """
    for table, column, on_delete in ENTRY_LINKS:
        orphans = f"{column} IS NOT NULL AND {column} NOT IN (SELECT id FROM entries)"
        if on_delete == "CASCADE":
            db.execute(f"DELETE FROM {table} WHERE {orphans}")
        else:
            db.execute(f"UPDATE {table} SET {column} = NULL WHERE {orphans}")
        db.table(table).add_foreign_key(column, "entries", "id", on_delete=on_delete)
    for table, column, _ in ENTRY_LINKS:
        if not any(i.columns[0] == column for i in db.table(table).indexes):
            db.table(table).create_index([column], if_not_exists=True)


# Full-text search (FTS5 tables kept in step by triggers): Datasette shows a search box.
SEARCHABLE = (
    ("entries", ("question", "answer")),
    ("questions", ("text",)),
    ("query_log", ("question",)),
)


@migrations()
def m008_search(db: Database) -> None:
    """Full-text search over entries' questions and answers, their alternate questions and
    the questions users asked, kept in sync by triggers."""
    for table, columns in SEARCHABLE:
        db.table(table).enable_fts(list(columns), create_triggers=True)


# Questions people asked: not the bot's own small talk replies, not `pkitbot ask` runs.
ASKED = "decision != 'smalltalk' AND chat_type != 'cli'"

VIEWS = {
    "questions_per_day": f"""
        SELECT substr(at, 1, 10) AS day, COUNT(*) AS questions,
               SUM(decision = 'answer') AS answered,
               ROUND(100.0 * SUM(decision = 'answer') / COUNT(*), 1) AS answered_percent
        FROM query_log WHERE {ASKED}
        GROUP BY day ORDER BY day DESC""",
    "unanswered_by_count": """
        SELECT id, question, count, first_at, last_at, best_entry_id
        FROM unanswered WHERE status = 'open'
        ORDER BY count DESC, last_at DESC""",
    "answers_by_entry": """
        SELECT e.id AS entry_id, e.topic, e.question, e.status,
               COALESCE(a.answers, 0) AS answers, a.last_answered_at,
               COALESCE(f.votes_up, 0) AS votes_up, COALESCE(f.votes_down, 0) AS votes_down
        FROM entries e
        LEFT JOIN (SELECT entry_id, COUNT(*) AS answers, MAX(at) AS last_answered_at
                   FROM query_log WHERE decision = 'answer' AND chat_type != 'cli'
                   GROUP BY entry_id) a ON a.entry_id = e.id
        LEFT JOIN (SELECT entry_id, SUM(vote > 0) AS votes_up, SUM(vote < 0) AS votes_down
                   FROM feedback GROUP BY entry_id) f ON f.entry_id = e.id
        ORDER BY answers DESC, e.id""",
}


@migrations()
def m009_views(db: Database) -> None:
    """Views for Datasette: questions per day (UTC), open unanswered questions by how often
    they were asked, and how often each entry answered (with its votes)."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m010_match_index(db: Database) -> None:
    """What the matcher keeps of each entry, computed when the entry is written so that a
    start reads it instead of normalising every text again (see bot.kb.index)."""
    db.table("match_index").create(
        {
            "entry_id": str,
            "key": str,  # the normaliser's fingerprint: rows of another are recomputed
            "revision": int,  # the knowledge base's version the row was computed at
            "strong": str,  # words of its questions, keywords and topic (space-separated)
            "weak": str,  # words of its answer only
            "periods": str,  # the periods its figures are for
            "phrases": str,  # out-of-scope phrases its questions use ("income tax"), "|"-joined
            "doc": str,  # JSON: the rest of what scoring reads (texts, kinds, metrics ...)
            "vectors": bytes,  # its texts' embeddings (float16), filled on first need
        },
        pk="entry_id",
        not_null={"key", "revision", "strong", "weak", "periods", "phrases", "doc"},
    )


@migrations()
def m011_votes(db: Database) -> None:
    """Who has voted on which answer (not which way: that is in ``feedback``, without the
    user), so one user's 👍/👎 on an answer counts once, across restarts too."""
    db.table("votes").create({"user_id": int, "entry_id": str, "at": str},
                             pk=("user_id", "entry_id"), not_null={"at"})


def apply(db: Database) -> None:
    """Apply every pending migration (a no-op on an up-to-date database)."""
    migrations.apply(db)


def pending(db: Database) -> list[Any]:
    """Migrations not yet applied to ``db``."""
    return list(migrations.pending(db))
