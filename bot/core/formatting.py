"""Every reply's text: Telegram HTML (all user and knowledge text escaped) and plain text.

Nothing else in the bot builds message text. Replies stay within Telegram's limit of 4096
characters; the answer part is shortened at a word boundary if ever needed, never the
sources.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.core.engine import Answer, SourcedFigure
from bot.core.matcher import Reason
from bot.kb import Figure, Source

MAX_MESSAGE = 4096
MAX_INLINE_TITLE = 100
NUMBER_WORDS = {float(i): w for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])}


def esc(text: object) -> str:
    """Escape text for Telegram HTML (&, < and >)."""
    return html.escape(str(text), quote=False)


def esc_attr(text: object) -> str:
    """Escape text for an HTML attribute value (also quotes)."""
    return html.escape(str(text), quote=True)


def number(value: float) -> str:
    """3.8 -> '3.8', 10.0 -> '10', 1500000 -> '1.5 million'."""
    if abs(value) >= 1_000_000_000:
        return f"{value / 1_000_000_000:g} billion"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g} million"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"


def figure_value(fig: Figure) -> str:
    """The figure as people say it: 'over $3.8 billion', 'nearly 65%', 'top 5'."""
    unit = fig.unit.strip()
    low = unit.casefold()
    num = number(fig.value)
    if low.startswith(("usd", "us$", "$")):
        rest = unit.split(None, 1)[1] if " " in unit else ""
        text = f"${num}" + (f" {rest}" if rest else "")
    elif low in {"percent", "%", "per cent", "percentage"}:
        text = f"{num}%"
    elif low == "rank":
        text = f"top {NUMBER_WORDS.get(fig.value, num)}"  # "top five", as the column says
    else:
        text = f"{num} {unit}"
    return f"{fig.qualifier} {text}" if fig.qualifier else text


def figure_period(fig: Figure) -> str:
    if fig.period and fig.period_label:
        if fig.period_label.startswith(fig.period):
            return fig.period_label
        return f"{fig.period} ({fig.period_label})"
    return fig.period or fig.period_label or ""


def source_text(source: Source) -> str:
    """'“Title”, Ali Z, 5th Column, 2025' — title, author or publisher, date."""
    parts = [f"“{source.title}”" if source.kind == "column" else source.title]
    seen = {source.title.casefold()}
    for part in (source.author, source.publisher, source.date):
        if part and part.casefold() not in seen:  # an admin's /add names the publisher once
            parts.append(part)
            seen.add(part.casefold())
    return ", ".join(parts)


def _primary(answer: Answer) -> list[Source]:
    return [s for s in answer.sources if s.kind != "column"]


def _column(answer: Answer) -> list[Source]:
    return [s for s in answer.sources if s.kind == "column"]


def _figure_lines(figures: Iterable[SourcedFigure], *, markup: bool) -> list[str]:
    lines = []
    for sf in figures:
        period = figure_period(sf.figure)
        value = esc(figure_value(sf.figure)) if markup else figure_value(sf.figure)
        line = f"<b>{value}</b>" if markup else value
        if period:
            line += f" — {esc(period) if markup else period}"
        if sf.source is not None and sf.source.kind != "column":
            src = sf.source.publisher or sf.source.author or sf.source.title
            line += f" ({esc(src) if markup else src})"
        lines.append(("📊 " if markup else "Figure: ") + line)
    return lines


def source_line(answer: Answer, *, markup: bool) -> str:
    """The ``Source:`` line: the column, then the primary source(s) it names."""
    pieces = [source_text(s) for s in _column(answer)]
    primaries = [source_text(s) for s in _primary(answer)]
    text = "; ".join(pieces)
    if primaries and text:  # the column, then the primary source it names
        text += "; primary source: " + "; ".join(primaries)
    elif primaries:  # an admin's entry credits its own source
        text = "; ".join(primaries)
    if markup:
        return f"<i>Source: {esc(text)}</i>"
    return f"Source: {text}"


def _fit(head: str, tail: str, limit: int = MAX_MESSAGE) -> str:
    """Join head and tail, shortening the head at a word boundary if over the limit."""
    text = f"{head}\n\n{tail}" if tail else head
    if len(text) <= limit:
        return text
    room = limit - len(tail) - 3
    cut = head[:room].rsplit(" ", 1)[0]
    # never cut inside an entity or tag
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    return f"{cut}…\n\n{tail}"


def answer_html(answer: Answer) -> str:
    """A Telegram HTML reply for any decision."""
    if not answer.answered or answer.entry is None:
        return not_found_html(answer)
    entry = answer.entry
    body = [f"<b>{esc(entry.topic)}</b>", esc(entry.answer)]
    body += _figure_lines(answer.figures, markup=True)
    if answer.also:
        body.append("Also reported for the same period:")
        body += _figure_lines(answer.also, markup=True)
    return _fit("\n".join(body), source_line(answer, markup=True))


def answer_text(answer: Answer) -> str:
    """The same reply as plain text (the CLI)."""
    if not answer.answered or answer.entry is None:
        return not_found_text(answer)
    entry = answer.entry
    body = [entry.answer, *_figure_lines(answer.figures, markup=False)]
    if answer.also:
        body.append("Also reported for the same period:")
        body += _figure_lines(answer.also, markup=False)
    return "\n".join(body) + "\n" + source_line(answer, markup=False)


def _topics_phrase(topics: Iterable[str]) -> str:
    names = list(topics)[:10]
    return ", ".join(names) if names else "Pakistan's IT sector"


SMALLTALK = {
    "greeting": ("Hello! 👋 I answer questions about Pakistan's IT sector, each with its "
                 "source. Try: What were IT exports in FY25? or Pakistan mein kitne "
                 "freelancers hain?"),
    "thanks": "You're welcome! Ask me anything else about Pakistan's IT sector.",
    "goodbye": "Khuda hafiz! Ask me about Pakistan's IT sector any time.",
}


def not_found_text(answer: Answer) -> str:
    """Why there is no answer, in words chosen by the matcher's reason, and what to ask."""
    reason = answer.reason
    if reason is Reason.SMALL_TALK:
        return SMALLTALK.get(answer.detail, SMALLTALK["greeting"])
    if reason is Reason.EMPTY:
        return ("Please ask me a question about Pakistan's IT sector, for example: "
                "What were IT exports in FY25?")
    if reason is Reason.OUT_OF_SCOPE:
        head = ("I only hold sourced figures on Pakistan's IT sector, so I have no answer "
                "about that.")
    elif reason is Reason.NO_SUCH_PERIOD:
        head = "I have no sourced figure for that period."
    elif reason is Reason.NO_FIGURE_OF_KIND:
        head = "My sources don't give that number, so I have no sourced answer."
    elif reason is Reason.UNKNOWN_NAME:
        head = f"I have no sourced answer about {answer.detail} yet."
    elif reason is Reason.NARROWER:
        head = ("My sources give no figure for that group or place in particular, so I have "
                "no sourced answer.")
    elif reason is Reason.ASKS_LEADER:
        head = "My sources rank only Pakistan, not other countries."
    else:
        head = "I don't have a sourced answer to that yet."
    lines = [f"{head} Ask me about: {_topics_phrase(answer.topics)}."]
    if answer.suggestions:
        lines.append("Did you mean:")
        lines += [f"- {c.question}" for c in answer.suggestions]
    return "\n".join(lines)


def not_found_html(answer: Answer) -> str:
    return _fit(esc(not_found_text(answer)), "")


def citation_html(sources: Iterable[Source]) -> str:
    """The full citation of every source (the Sources button, /source)."""
    lines = ["<b>Sources</b>"]
    for s in sources:
        line = f"• {esc(source_text(s))}"
        if s.url:
            line += f'\n  <a href="{esc_attr(s.url)}">{esc(s.url)}</a>'
        lines.append(line)
    return _fit("\n".join(lines), "")
