"""Every error pkitbot raises on purpose, in one hierarchy (httpx's ``_exceptions.py`` style).

Each message is one line that says what is wrong and what to do, fit to show an operator on
the CLI or an admin in Telegram; none ever holds the bot token or a traceback. Callers catch
:class:`PkitbotError` where any of them may come (the CLI turns it into one ``Error:`` line
and exit code 1); the classes keep their older built-in bases (``ValueError`` and so on) so
that code catching those still works.

* PkitbotError
  * SettingsError - a setting is missing or malformed (names the variable, never its value)
    * TokenRejected - Telegram refused TELEGRAM_BOT_TOKEN (revoked or wrong); exit code 3
  * StoreError - the database cannot be used (corrupt, foreign, unreadable; names the path)
  * NotFound - no entry with that id
  * KnowledgeError - a knowledge file or import document failed validation (``.problems``)
  * AdminError - an admin's command cannot be carried out (says what to fix)
  * Interrupted - SIGTERM or SIGINT arrived before the bot had started (a clean stop)
  * EmbeddingUnavailable - the embedding model's package, a file or numpy is missing; the
    matcher then works from words alone
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.kb.files import Problem

__all__ = ["AdminError", "EditConflict", "EmbeddingUnavailable", "Interrupted", "KnowledgeError", "NotFound",
           "PkitbotError", "SettingsError", "StoreError", "TokenRejected"]


class PkitbotError(Exception):
    """Base of every error pkitbot raises on purpose; its message is one line."""


class SettingsError(PkitbotError, ValueError):
    """A setting is missing or malformed; the message names the variable, never its value."""


class TokenRejected(SettingsError):
    """Telegram refused the bot token (getMe answered 401/404): revoked, or not this bot's.

    ``pkitbot run`` exits with ``exit_code`` (3) so a supervisor can tell it from a failure
    that a restart might cure.
    """

    exit_code = 3


class Interrupted(PkitbotError):
    """A stop signal arrived while the bot was still waiting to reach Telegram."""


class StoreError(PkitbotError, RuntimeError):
    """The database cannot be used (corrupt, foreign, unreadable); names the path."""


class NotFound(PkitbotError, KeyError):
    """No entry with that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class KnowledgeError(PkitbotError, ValueError):
    """A knowledge file (or set of files) failed validation; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(head + more)


class AdminError(PkitbotError, ValueError):
    """An admin command that cannot be carried out; the message says what to fix."""


class EditConflict(AdminError):
    """A change would overwrite a later edit by someone else (undo, a pending import)."""


class EmbeddingUnavailable(PkitbotError):
    """The embedding model cannot be used: its package, a file, or numpy is missing or unreadable."""
