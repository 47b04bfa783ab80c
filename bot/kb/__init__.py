"""The knowledge base and what its SQLite file keeps: entries, sources, revisions, usage.

No ``telegram`` and no ``click`` here: the CLI, the Telegram handlers and the answering core
all reach the knowledge base through these names.
"""

import sys as _sys


def _import_sqlite_utils() -> None:
    """Import sqlite-utils without the numpy it imports when it can (about 70 ms and 12 MB
    of every start, "pkitbot ask" included): it uses numpy only to store numpy values, and
    the store writes embeddings as bytes. The meaning signal imports numpy itself, on first
    need; a process that already has numpy (or sqlite-utils) is left as it is."""
    if "sqlite_utils" in _sys.modules or "numpy" in _sys.modules:
        return
    _sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" fails here
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if _sys.modules.get("numpy", ...) is None:
            del _sys.modules["numpy"]


_import_sqlite_utils()

from bot.errors import KnowledgeError, NotFound, StoreError  # noqa: E402
from bot.kb.files import default_knowledge_dir, load_dir  # noqa: E402
from bot.kb.index import IndexRow, MatchIndex, Slot  # noqa: E402
from bot.kb.models import LANGUAGES, Entry, Figure, Knowledge, Source, Translation  # noqa: E402
from bot.kb.store import Store, open_store  # noqa: E402

__all__ = [
    "LANGUAGES",
    "Entry",
    "Figure",
    "IndexRow",
    "Knowledge",
    "KnowledgeError",
    "MatchIndex",
    "NotFound",
    "Slot",
    "Source",
    "Store",
    "StoreError",
    "Translation",
    "default_knowledge_dir",
    "load_dir",
    "open_store",
]
