"""Every reply's text: Telegram HTML (all user and knowledge text escaped) and plain text,
in the reply's language (English, Urdu script or Roman Urdu).

Nothing else in the bot builds message text. Replies stay within Telegram's limit of 4096
UTF-16 units (:func:`fit`, the one fitter); the answer part is shortened at a word boundary
if ever needed, never the sources. An entry's curated translation is used when it has one;
otherwise the English answer comes with a one-line note in the asker's language. Urdu HTML
wraps each embedded Latin or numeric run (names, FY25, 3.8, /help) in Unicode isolates
(FSI ... PDI) so right-to-left lines read in order; the plain-text form never has them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from bot.core.engine import Answer, SourcedFigure
from bot.core.i18n import Texts, texts
from bot.core.language import detect
from bot.core.matcher import Reason
from bot.kb import Entry, Figure, Source

MAX_MESSAGE = 4096
MAX_INLINE_TITLE = 100
NUMBER_WORDS = {float(i): w for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])}


FSI, PDI = "\u2068", "\u2069"  # first strong isolate, pop directional isolate
# a run of Latin letters, digits and the punctuation between them: "Upwork", "FY25", "$3.8",
# "Freelancer.com", "/help", "@pkitbot", "July 2024 – June 2025"
_LATIN_RUN = re.compile(r"[A-Za-z0-9$/@#][A-Za-z0-9$%.,:'’&/+_@#\- –]*[A-Za-z0-9%]|[A-Za-z0-9$]")
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&[A-Za-z0-9#]+;)")


def isolate(text: str) -> str:
    """Wrap each embedded Latin or numeric run of a right-to-left text in FSI ... PDI."""
    return _LATIN_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


def isolate_html(markup: str) -> str:
    """:func:`isolate` on the text of Telegram HTML, never inside a tag or an entity."""
    parts = _TAG_OR_ENTITY.split(markup)
    return "".join(p if i % 2 else isolate(p) for i, p in enumerate(parts))


def for_language(markup: str, language: str) -> str:
    """The HTML as sent in ``language``: isolates for Urdu script, unchanged otherwise."""
    return isolate_html(markup) if language == "ur" else markup


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts its limits in."""
    return len(text.encode("utf-16-le")) // 2


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


# a figure's qualifier in Urdu and Roman Urdu: (before the number, after it)
QUALIFIERS: dict[str, dict[str, tuple[str, str]]] = {
    "ur": {"over": ("", "سے زیادہ"), "more than": ("", "سے زیادہ"), "nearly": ("تقریباً", ""),
           "about": ("تقریباً", ""), "around": ("تقریباً", ""), "roughly": ("تقریباً", ""),
           "approximately": ("تقریباً", ""), "almost": ("تقریباً", ""),
           "at least": ("کم از کم", ""), "under": ("", "سے کم"), "less than": ("", "سے کم"),
           "up to": ("زیادہ سے زیادہ", ""), "at most": ("زیادہ سے زیادہ", ""),
           "estimated": ("اندازاً", ""), "average": ("اوسطاً", ""), "median": ("درمیانی", ""),
           "target": ("ہدف:", ""), "projected": ("متوقع", ""), "forecast": ("متوقع", ""),
           "peak": ("زیادہ سے زیادہ", "")},
    "roman": {"over": ("", "se zyada"), "more than": ("", "se zyada"),
              "nearly": ("taqreeban", ""), "about": ("taqreeban", ""),
              "around": ("taqreeban", ""), "roughly": ("taqreeban", ""),
              "approximately": ("taqreeban", ""), "almost": ("taqreeban", ""),
              "at least": ("kam az kam", ""), "under": ("", "se kam"),
              "less than": ("", "se kam"), "up to": ("zyada se zyada", ""),
              "at most": ("zyada se zyada", ""), "estimated": ("andazan", ""),
              "average": ("ausatan", ""), "median": ("darmiyani", ""),
              "target": ("hadaf:", ""), "projected": ("mutawaqqa", ""),
              "forecast": ("mutawaqqa", ""), "peak": ("zyada se zyada", "")},
}
UNIT_WORDS: dict[str, dict[str, str]] = {
    "ur": {"billion": "ارب", "million": "ملین", "thousand": "ہزار", "people": "افراد",
           "usd": "ڈالر", "pkr": "روپے", "rupees": "روپے", "firms": "کمپنیاں",
           "companies": "کمپنیاں", "startups": "اسٹارٹ اپس", "freelancers": "فری لانسرز"},
    "roman": {"billion": "billion", "million": "million", "thousand": "hazaar",
              "people": "log", "usd": "dollar", "pkr": "rupay", "rupees": "rupay"},
}


def _localized_value(fig: Figure, language: str) -> str:
    """'3.8 ارب ڈالر سے زیادہ', '1.5 million se zyada (15 lakh)', 'taqreeban 65 percent'."""
    words = fig.unit.replace("$", "usd ").split()
    low = [w.casefold() for w in words]
    num = f"{fig.value:g}"
    names = UNIT_WORDS[language]
    if low in (["percent"], ["%"], ["per", "cent"], ["percentage"]):
        text = f"{num} فیصد" if language == "ur" else f"{num} percent"
    elif low == ["rank"]:
        text = f"پہلے {num} میں" if language == "ur" else f"top {num}"
    else:
        money = [w for w in low if w in {"usd", "us$", "pkr", "rupees"}]
        rest = [names.get(w, words[i]) for i, w in enumerate(low)
                if w not in {"usd", "us$", "pkr", "rupees"}]
        text = " ".join([num, *rest, *(names.get(m, m) for m in money)])
        if "million" in low and (fig.value * 10) % 1 == 0:  # 1.5 million = 15 lakh
            lakh = f"{fig.value * 10:g} " + ("لاکھ" if language == "ur" else "lakh")
            text += f" ({lakh})"
    before, after = QUALIFIERS[language].get(fig.qualifier or "", ("", ""))
    if after and text.endswith(")"):  # the qualifier before the lakh aside
        head, _, aside = text.rpartition(" (")
        return f"{head} {after} ({aside}"
    return " ".join(p for p in (before, text, after) if p)


def figure_value(fig: Figure, language: str = "en") -> str:
    """The figure as people say it: 'over $3.8 billion', 'nearly 65%', 'top 5'."""
    if language in QUALIFIERS:
        return _localized_value(fig, language)
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


def _figure_lines(figures: Iterable[SourcedFigure], *, markup: bool,
                  language: str = "en") -> list[str]:
    lines = []
    label = texts(language).figure_label
    for sf in figures:
        period = figure_period(sf.figure)
        shown = figure_value(sf.figure, language)
        value = esc(shown) if markup else shown
        line = f"<b>{value}</b>" if markup else value
        if period:
            line += f" — {esc(period) if markup else period}"
        if sf.source is not None and sf.source.kind != "column":
            src = sf.source.publisher or sf.source.author or sf.source.title
            line += f" ({esc(src) if markup else src})"
        lines.append(("📊 " if markup else f"{label}: ") + line)
    return lines


def source_line(answer: Answer, *, markup: bool, language: str = "en") -> str:
    """The ``Source:`` line: the column, then the primary source(s) it names."""
    pieces = [source_text(s) for s in _column(answer)]
    primaries = [source_text(s) for s in _primary(answer)]
    text = "; ".join(pieces)
    words = texts(language)
    if primaries and text:  # the column, then the primary source it names
        text += f"; {words.primary_source}: " + "; ".join(primaries)
    elif primaries:  # an admin's entry credits its own source
        text = "; ".join(primaries)
    if markup:
        return f"<i>{esc(words.source_label)}: {esc(text)}</i>"
    return f"{words.source_label}: {text}"


def _head_room(head: str, room: int) -> str:
    """The longest prefix of ``head`` within ``room`` UTF-16 units."""
    while utf16_len(head) > room:
        over = utf16_len(head) - room
        head = head[: max(0, len(head) - max(1, over // 2))]
    return head


def fit(head: str, tail: str = "", limit: int = MAX_MESSAGE) -> str:
    """Join head and tail within ``limit`` UTF-16 units, shortening the head at a word
    boundary if over it (the one fitter: every message passes through it)."""
    text = f"{head}\n\n{tail}" if tail else head
    if utf16_len(text) <= limit:
        return text
    room = limit - utf16_len(tail) - 3
    cut = _head_room(head, room).rsplit(" ", 1)[0]
    # never cut inside an entity or tag
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    cut += "…" + _closing_tags(cut)  # a tag the cut left open is closed: always valid HTML
    return f"{cut}\n\n{tail}" if tail else cut


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>", re.IGNORECASE)


def _closing_tags(html_text: str) -> str:
    """The end tags for every tag still open at the end of ``html_text``, innermost first."""
    open_tags: list[str] = []
    for closing, name in _TAG.findall(html_text):
        name = name.lower()
        if not closing:
            open_tags.append(name)
        elif name in open_tags:
            while open_tags and open_tags.pop() != name:
                pass
    return "".join(f"</{name}>" for name in reversed(open_tags))


_fit = fit  # the name it had


def topic_name(entry: Entry, language: str) -> str:
    """The entry's topic in ``language`` (the English name when it has no translation)."""
    found = entry.translation(language)
    return found.topic if found is not None else entry.topic


def question_in(entry: Entry, language: str) -> str:
    """A way to ask for the entry in ``language``: its first such alternate (the canonical
    question for English, or when none is in that language)."""
    if language != "en":
        for question in entry.alternates:
            if detect(question) == language:
                return question
    return entry.question


def _body(answer: Answer, language: str) -> tuple[str, str, str | None]:
    """(topic, answer, note): the translation if curated, else English with a note."""
    entry = answer.entry
    assert entry is not None
    if language == "en":
        return entry.topic, entry.answer, None
    found = entry.translation(language)
    if found is None:
        return entry.topic, entry.answer, texts(language).untranslated
    return found.topic, found.answer, None


def topics_in(entries: Iterable[Entry], language: str) -> tuple[str, ...]:
    """Every topic's name in ``language``, in knowledge-base order."""
    names: dict[str, str] = {}
    for entry in entries:
        if entry.topic not in names or names[entry.topic] == entry.topic:
            names[entry.topic] = topic_name(entry, language)
    return tuple(names.values())


def answer_html(answer: Answer, language: str = "en",
                topics: Iterable[str] | None = None) -> str:
    """A Telegram HTML reply for any decision, in ``language`` (en, ur, roman); ``topics``
    are the topic names a refusal suggests (the answer's English names by default)."""
    if not answer.answered or answer.entry is None:
        return not_found_html(answer, language, topics)
    topic, text, note = _body(answer, language)
    body = [f"<b>{esc(topic)}</b>", esc(text)]
    if note:
        body.append(f"<i>{esc(note)}</i>")
    body += _figure_lines(answer.figures, markup=True, language=language)
    if answer.also:
        body.append(esc(texts(language).also_reported))
        body += _figure_lines(answer.also, markup=True, language=language)
    if answer.periods:
        body.append(esc(texts(language).other_periods))
        body += _figure_lines(answer.periods, markup=True, language=language)
    return fit(for_language("\n".join(body), language),
               for_language(source_line(answer, markup=True, language=language), language))


def answer_text(answer: Answer, language: str = "en") -> str:
    """The same reply as plain text (the CLI): no markup and no direction marks."""
    if not answer.answered or answer.entry is None:
        return not_found_text(answer, language)
    _, text, note = _body(answer, language)
    body = [text, *([note] if note else []),
            *_figure_lines(answer.figures, markup=False, language=language)]
    if answer.also:
        body.append(texts(language).also_reported)
        body += _figure_lines(answer.also, markup=False, language=language)
    if answer.periods:
        body.append(texts(language).other_periods)
        body += _figure_lines(answer.periods, markup=False, language=language)
    return "\n".join(body) + "\n" + source_line(answer, markup=False, language=language)


def _topics_phrase(topics: Iterable[str], words: Texts) -> str:
    names = list(topics)[:10]
    return ("، " if words is texts("ur") else ", ").join(names) if names else words.sector


_SALAM = re.compile(r"sala+m|سلام", re.IGNORECASE)


def small_talk(kind: str, question: str, language: str) -> str:
    """A greeting, thanks or goodbye answered in kind ("وعلیکم السلام" to a salam)."""
    words = texts(language)
    if kind == "thanks":
        return words.thanks
    if kind == "goodbye":
        return words.goodbye
    return words.greeting_salam if _SALAM.search(question) else words.greeting


def refusal(reason: Reason, detail: str, language: str = "en") -> str:
    """Why there is no answer, in words chosen by the matcher's reason."""
    words = texts(language)
    by_reason = {
        Reason.OUT_OF_SCOPE: words.refuse_out_of_scope,
        Reason.NO_SUCH_PERIOD: words.refuse_no_period,
        Reason.NO_FIGURE_OF_KIND: words.refuse_no_figure_kind,
        Reason.UNKNOWN_NAME: words.refuse_unknown_name.format(name=detail),
        Reason.NARROWER: words.refuse_narrower,
        Reason.ASKS_LEADER: words.refuse_leader,
    }
    return by_reason.get(reason, words.refuse_default)


def not_found_text(answer: Answer, language: str = "en",
                   topics: Iterable[str] | None = None) -> str:
    """Why there is no answer, in words chosen by the matcher's reason, and what to ask."""
    words = texts(language)
    reason = answer.reason
    if reason is Reason.SMALL_TALK:
        return small_talk(answer.detail, answer.question, language)
    if reason is Reason.EMPTY:
        return words.empty_question
    head = refusal(reason, answer.detail, language)
    lines = [f"{head} {words.ask_me_about.format(topics=_topics_phrase(topics or answer.topics, words))}"]
    if answer.suggestions:
        lines.append(words.did_you_mean)
        lines += [f"- {c.question}" for c in answer.suggestions]
    return "\n".join(lines)


def not_found_html(answer: Answer, language: str = "en",
                   topics: Iterable[str] | None = None) -> str:
    return fit(for_language(esc(not_found_text(answer, language, topics)), language))


def citation_html(sources: Iterable[Source], language: str = "en") -> str:
    """The full citation of every source (the Sources button, /source)."""
    lines = [f"<b>{esc(texts(language).sources_heading)}</b>"]
    for s in sources:
        line = f"• {esc(source_text(s))}"
        if s.url:
            line += f'\n  <a href="{esc_attr(s.url)}">{esc(s.url)}</a>'
        lines.append(line)
    return fit(for_language("\n".join(lines), language))
