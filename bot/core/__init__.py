"""Answering: normalising a question, matching it to an entry, and every reply's text.

No ``telegram`` and no ``click`` here, so ``pkitbot ask`` and the Telegram handlers answer
the same way.
"""

from bot.core.engine import Answer, Engine
from bot.core.formatting import answer_html, answer_text
from bot.core.matcher import Candidate, Match, Matcher

__all__ = ["Answer", "Candidate", "Engine", "Match", "Matcher", "answer_html", "answer_text"]
