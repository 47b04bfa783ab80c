"""pkitbot: sourced answers about Pakistan's IT sector, on Telegram and the command line.

The rooms: :mod:`bot.kb` (the knowledge base and its SQLite store), :mod:`bot.core`
(answering), :mod:`bot.tg` (the Telegram runtime, with :mod:`bot.tg.delivery` for updates in
and requests out) and :mod:`bot.cli` (the one command line). ``docs/architecture.md`` walks
an update through them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
