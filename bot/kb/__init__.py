"""The knowledge base and what its SQLite file keeps: entries, sources, revisions, usage.

No ``telegram`` and no ``click`` here: the CLI, the Telegram handlers and the answering core
all reach the knowledge base through these names.
"""

from bot.errors import KnowledgeError, NotFound, StoreError
from bot.kb.files import default_knowledge_dir, load_dir
from bot.kb.index import IndexRow, MatchIndex, Slot
from bot.kb.models import LANGUAGES, Entry, Figure, Knowledge, Source, Translation
from bot.kb.store import Store, open_store

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
