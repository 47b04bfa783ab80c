"""Fixed texts the bot says (start, help, about), as Telegram HTML in the reply's language.

The words come from the catalogue (:mod:`bot.core.i18n`); this module fills in what is
known only at run time (the topics, the sources) and isolates Latin runs in Urdu. No
telegram import.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.formatting import esc, fit, for_language, source_text
from bot.core.i18n import texts
from bot.kb import Source

EXAMPLES = texts("en").examples


def start_html(topics: Iterable[str], language: str = "en") -> str:
    """The greeting: what the bot knows (topic names in ``language``) and example questions."""
    words = texts(language)
    joiner = "، " if language == "ur" else ", "
    topic_list = joiner.join(esc(t) for t in topics) or esc(words.sector)
    examples = "\n".join(f"• <code>{esc(q)}</code>" for q in words.examples)
    return fit(for_language(words.start.format(topics=topic_list, examples=examples), language))


def help_html(language: str = "en") -> str:
    """How to ask, and the commands."""
    return for_language(texts(language).help, language)


HELP_HTML = help_html("en")


def about_html(sources: Iterable[Source], language: str = "en") -> str:
    """Credit the column, its author and the primary sources it names."""
    words = texts(language)
    column = [s for s in sources if s.kind == "column"]
    others = [s for s in sources if s.kind != "column"]
    lines = [f"<b>{esc(words.about_title)}</b>", esc(words.about_column)]
    lines += [f"• {esc(source_text(s))}" for s in column]
    if others:
        lines.append(esc(words.about_primary))
        lines += [f"• {esc(source_text(s))}" for s in others]
    lines.append(esc(words.about_credit))
    return fit(for_language("\n".join(lines), language))
