"""Fixed texts the bot says (start, help, about), as Telegram HTML; no telegram import."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.formatting import esc, source_text
from bot.kb import Source

EXAMPLES = (
    "What were IT exports in FY25?",
    "Pakistan mein kitne freelancers hain?",
    "IT exports ka target kya hai?",
)


def start_html(topics: Iterable[str]) -> str:
    topic_list = ", ".join(esc(t) for t in topics) or "Pakistan's IT sector"
    examples = "\n".join(f"• <code>{esc(q)}</code>" for q in EXAMPLES)
    return (
        "Assalam-o-Alaikum! I answer questions about <b>Pakistan's IT sector</b> with "
        "sourced figures: every answer says where it comes from.\n\n"
        f"I know about: {topic_list}.\n\n"
        f"Try asking:\n{examples}\n\n"
        "Ask in English, Roman Urdu or اردو. /help lists what else I can do."
    )


HELP_HTML = (
    "<b>How to ask</b>\n"
    "• In this chat, just type your question.\n"
    "• In a group: <code>/ask your question</code>, mention me, or reply to my message.\n"
    "• In any chat: type my @username and a few words for inline answers.\n\n"
    "<b>Commands</b>\n"
    "/ask &lt;question&gt; — answer a question\n"
    "/topics — browse what I know\n"
    "/fact — a random sourced fact\n"
    "/source &lt;id&gt; — the full citation of an answer\n"
    "/subscribe, /unsubscribe — a daily fact in this chat (group admins)\n"
    "/about — where my answers come from"
)


def about_html(sources: Iterable[Source]) -> str:
    column = [s for s in sources if s.kind == "column"]
    others = [s for s in sources if s.kind != "column"]
    lines = ["<b>About pkitbot</b>",
             "My knowledge base is curated from the newspaper column:"]
    lines += [f"• {esc(source_text(s))}" for s in column]
    if others:
        lines.append("and the primary sources it names:")
        lines += [f"• {esc(source_text(s))}" for s in others]
    lines.append("Figures are stated exactly as the column gives them; the summaries are our "
                 "own words. Credit for the reporting goes to the column's author.")
    return "\n".join(lines)
