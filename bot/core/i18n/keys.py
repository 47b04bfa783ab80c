"""The catalogue's keys: one frozen dataclass, so every language module must give every text.

A missing key is a TypeError when the module is imported and a mypy error before that; a
test also checks that each language uses the same ``{placeholders}``. Texts that end up in
``parse_mode=HTML`` messages are HTML (escaped by hand where needed); the others are plain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    """Every text the bot sends to users, in one language."""

    language_name: str
    # /start, /help, /about (HTML)
    start: str  # {topics} {examples}
    examples: tuple[str, ...]
    help: str
    about_title: str
    about_column: str
    about_primary: str
    about_credit: str
    sector: str  # the fallback topic list
    # answers
    source_label: str
    primary_source: str
    figure_label: str  # the plain-text figure line's label
    also_reported: str
    other_periods: str  # the heading of a series' other periods, under an answer
    untranslated: str  # the note under an English answer that has no translation yet
    sources_heading: str
    fact_heading: str
    # refusals, one per matcher reason (see bot.core.matcher.Reason), and what to ask
    refuse_default: str
    refuse_out_of_scope: str
    refuse_no_period: str
    refuse_no_figure_kind: str
    refuse_unknown_name: str  # {name}
    refuse_narrower: str
    refuse_leader: str
    ask_me_about: str  # {topics}
    empty_question: str
    did_you_mean: str
    greeting: str
    greeting_salam: str
    thanks: str
    goodbye: str
    # buttons and their answers
    button_sources: str
    button_share: str
    button_voted: str
    button_open: str
    vote_thanks: str
    vote_again: str
    stale_button: str
    topics_prompt: str
    topic_questions: str  # {topic} (HTML)
    # limits and mistakes
    flood_notice: str
    user_notice: str
    busy_notice: str
    ask_needs_question: str  # HTML
    too_long: str  # {length} {limit}
    kb_empty: str
    unknown_command: str  # {command} (HTML)
    not_text: str  # HTML
    group_yes: str  # HTML
    source_which: str  # HTML
    source_none: str  # {id} (HTML)
    # /language
    language_prompt: str
    language_set: str  # {language}
    language_auto: str
    # the bot's profile and command menu
    description: str  # at most 512 characters
    short_description: str  # at most 120 characters
    cmd_help: str
    cmd_about: str
    cmd_topics: str
    cmd_fact: str
    cmd_source: str
    cmd_ask: str
    cmd_subscribe: str
    cmd_unsubscribe: str
    cmd_language: str
