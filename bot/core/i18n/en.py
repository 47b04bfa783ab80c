"""English: the bot's texts as they were before the catalogue (the reference language)."""

from __future__ import annotations

from bot.core.i18n.keys import Texts

TEXTS = Texts(
    language_name="English",
    start=(
        "Assalam-o-Alaikum! I answer questions about <b>Pakistan's IT sector</b> with "
        "sourced figures: every answer says where it comes from.\n\n"
        "I know about: {topics}.\n\n"
        "Try asking:\n{examples}\n\n"
        "Ask in English, Roman Urdu or اردو. /language sets the language of my replies; "
        "/help lists what else I can do."
    ),
    examples=("What were IT exports in FY25?", "Pakistan mein kitne freelancers hain?",
              "IT exports ka target kya hai?"),
    help=(
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
        "/language — English, اردو or Roman Urdu replies\n"
        "/about — where my answers come from"
    ),
    about_title="About pkitbot",
    about_column="My knowledge base is curated from the newspaper column:",
    about_primary="and the primary sources it names:",
    about_credit=("Figures are stated exactly as the column gives them; the summaries are our "
                  "own words. Credit for the reporting goes to the column's author."),
    sector="Pakistan's IT sector",
    source_label="Source",
    primary_source="primary source",
    figure_label="Figure",
    also_reported="Also reported for the same period:",
    other_periods="Other periods:",
    untranslated="(This answer is not translated yet, so here it is in English.)",
    sources_heading="Sources",
    fact_heading="📅 Fact of the day",
    refuse_default="I don't have a sourced answer to that yet.",
    refuse_out_of_scope=("I only hold sourced figures on Pakistan's IT sector, so I have no "
                         "answer about that."),
    refuse_no_period="I have no sourced figure for that period.",
    refuse_no_figure_kind="My sources don't give that number, so I have no sourced answer.",
    refuse_unknown_name="I have no sourced answer about {name} yet.",
    refuse_narrower=("My sources give no figure for that group or place in particular, so I "
                     "have no sourced answer."),
    refuse_leader="My sources rank only Pakistan, not other countries.",
    ask_me_about="Ask me about: {topics}.",
    empty_question=("Please ask me a question about Pakistan's IT sector, for example: "
                    "What were IT exports in FY25?"),
    did_you_mean="Did you mean:",
    greeting=("Hello! 👋 I answer questions about Pakistan's IT sector, each with its "
              "source. Try: What were IT exports in FY25? or Pakistan mein kitne "
              "freelancers hain?"),
    greeting_salam=("Wa alaikum assalam! 👋 I answer questions about Pakistan's IT sector, "
                    "each with its source. Try: What were IT exports in FY25?"),
    thanks="You're welcome! Ask me anything else about Pakistan's IT sector.",
    goodbye="Khuda hafiz! Ask me about Pakistan's IT sector any time.",
    button_sources="📚 Sources",
    button_share="↗️ Share",
    button_voted="🙏 Thanks for your feedback",
    button_open="Ask pkitbot in a chat",
    vote_thanks="Thanks for your feedback!",
    vote_again="You already voted on this answer. Thanks!",
    stale_button="That button is out of date. Please ask your question again.",
    topics_prompt="Pick a topic:",
    topic_questions="<b>{topic}</b>: pick a question",
    flood_notice=("This chat is asking a lot at once; I'll take a short break and answer "
                  "again in a minute."),
    user_notice=("You are asking faster than I can keep up. Please wait a minute, then ask "
                 "again."),
    busy_notice=("I'm still answering your earlier messages. Please send the rest again once "
                 "I have caught up."),
    ask_needs_question=("Ask me a question after the command, for example: "
                        "<code>/ask What were IT exports in FY25?</code>"),
    too_long="That question is too long ({length} characters). Please keep it under {limit}.",
    kb_empty="The knowledge base is empty right now.",
    unknown_command="I don't know the command {command}. Try /help to see what I can do.",
    not_text=("I can only read text questions. Type your question, e.g. "
              "<i>How many freelancers does Pakistan have?</i>"),
    group_yes=("Yes? Ask me about Pakistan's IT sector, e.g. "
               "<i>How many freelancers does Pakistan have?</i>"),
    source_which=("Which entry? Send <code>/source &lt;id&gt;</code>; the id is shown as #id "
                  "under admin views, or tap 📚 Sources under an answer."),
    source_none="I have no entry <code>{id}</code>. Try /topics to browse.",
    language_prompt="Which language should I reply in?",
    language_set="Done: I'll reply in {language}.",
    language_auto="Done: I'll reply in the language you write in.",
    description=("I answer questions about Pakistan's IT sector (IT exports, freelancers, "
                 "startups, the road ahead) with sourced figures, in English, Roman Urdu or "
                 "اردو. Every answer says where it comes from."),
    short_description="Sourced answers on Pakistan's IT sector, in English, Roman Urdu and اردو.",
    cmd_help="How to ask",
    cmd_about="Where the answers come from",
    cmd_topics="Browse the topics I know",
    cmd_fact="A random sourced fact",
    cmd_source="Full citation of an entry",
    cmd_ask="Ask a question about Pakistan's IT sector",
    cmd_subscribe="A daily fact in this chat",
    cmd_unsubscribe="Stop the daily fact",
    cmd_language="Reply language: English, اردو, Roman Urdu",
)
