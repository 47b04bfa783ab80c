"""The Telegram side: handlers that translate updates into engine calls and replies.

:mod:`bot.tg.app` is the one place that wires the python-telegram-bot ``Application``;
nothing under :mod:`bot.kb` or :mod:`bot.core` imports from here.
"""

__all__: list[str] = []
