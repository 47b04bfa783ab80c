"""Wiring the Telegram application: builder, defaults, resources, error handler, handlers.

This is the one place that knows how the pieces fit. ``build_application`` returns a
ready python-telegram-bot ``Application``; ``run_bot`` runs it with long polling or a
webhook; ``running`` starts and stops it programmatically (tests and benchmarks).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.core.engine import Engine
from bot.core.i18n import texts
from bot.kb.store import open_store
from bot.logs import setup_logging
from bot.settings import Settings
from bot.tg import admin, buttons, commands, inline, questions, subscriptions
from bot.tg.delivery.http import JSONRequest
from bot.tg.delivery.lifecycle import lifecycle
from bot.tg.delivery.once import close_store, loop_friendly
from bot.tg.delivery.polling import Poller, poll_forever
from bot.tg.delivery.ratelimit import SafeRateLimiter, count_into
from bot.tg.errors import on_error
from bot.tg.limits import RateGate
from bot.tg.state import CONTEXT_TYPES, BotState, Context, PkitbotApp

log = logging.getLogger(__name__)

MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
GROUP_MESSAGES_PER_MINUTE = 20  # Telegram's limit per group; AIORateLimiter's default
SEND_CONNECTIONS = 256  # python-telegram-bot's default pool for calls other than getUpdates

@dataclass(frozen=True)
class Command:
    """One slash command: its handler, its menu text and the menus it appears in."""

    name: str
    callback: Callable[[Update, Context], Coroutine[Any, Any, None]]
    description: str = ""
    menus: frozenset[str] = frozenset()  # private, group, group_admin, bot_admin


def _in(*menus: str) -> frozenset[str]:
    return frozenset(menus)


EVERYWHERE = _in("private", "group", "group_admin", "bot_admin")
# The one table of commands, in the order they are tried and shown in the menus.
COMMANDS = (
    Command("start", commands.start),
    Command("help", commands.help_command, "How to ask", EVERYWHERE),
    Command("about", commands.about, "Where the answers come from", EVERYWHERE),
    Command("topics", commands.topics, "Browse the topics I know", EVERYWHERE),
    Command("fact", commands.fact, "A random sourced fact", EVERYWHERE),
    Command("source", commands.source, "Full citation of an entry", _in("private", "bot_admin")),
    Command("ask", questions.ask_command, "Ask a question about Pakistan's IT sector",
            EVERYWHERE),
    Command("subscribe", subscriptions.subscribe_chat, "A daily fact in this chat",
            _in("private", "group_admin", "bot_admin")),
    Command("unsubscribe", subscriptions.unsubscribe_chat, "Stop the daily fact",
            _in("private", "group_admin", "bot_admin")),
    Command("language", commands.language, "Reply language: English, اردو, Roman Urdu",
            EVERYWHERE),
    Command("add", admin.add, "Add an entry: question | answer | source [| url]", _in("bot_admin")),
    Command("alias", admin.alias, "Another way to ask for an entry", _in("bot_admin")),
    Command("edit", admin.edit, "Change a field of an entry", _in("bot_admin")),
    Command("translate", admin.translate, "An entry's Urdu or Roman Urdu answer: ID ur|roman TEXT",
            _in("bot_admin")),
    Command("delete", admin.delete, "Retire an entry", _in("bot_admin")),
    Command("undo", admin.undo, "Revert your last change", _in("bot_admin")),
    Command("history", admin.history, "Changes to an entry", _in("bot_admin")),
    Command("unanswered", admin.unanswered, "Questions the bot could not answer", _in("bot_admin")),
    Command("import", admin.import_command, "How to import a file", _in("bot_admin")),
    Command("export", admin.export, "The knowledge base as YAML", _in("bot_admin")),
    Command("stats", admin.stats, "Usage statistics", _in("bot_admin")),
    Command("grant", admin.grant, "Make a user id an admin", _in("bot_admin")),
    Command("revoke", admin.revoke, "Remove an admin", _in("bot_admin")),
)
MENU_ORDER = ("ask", "topics", "fact", "source", "subscribe", "unsubscribe", "language", "help",
              "about")
MENU_LANGUAGES = ("ur",)  # Telegram language codes with their own menu and description


def menu(name: str, language: str = "en") -> list[BotCommand]:
    """The command menu for one audience, built from :data:`COMMANDS`; the users' commands
    described in ``language`` from the catalogue (admin commands stay English)."""
    words = texts(language)
    chosen = [c for c in COMMANDS if name in c.menus]
    first = [c for n in MENU_ORDER for c in chosen if c.name == n]
    return [BotCommand(c.name, str(getattr(words, f"cmd_{c.name}", c.description)))
            for c in [*first, *(c for c in chosen if c not in first)]]


async def introduce(bot: Any) -> None:
    """The command menus and the profile texts ("What can this bot do?"), for everyone and
    for each language in :data:`MENU_LANGUAGES`."""
    for code in ("", *MENU_LANGUAGES):
        language = code or "en"
        words = texts(language)
        await bot.set_my_commands(menu("private", language), scope=BotCommandScopeAllPrivateChats(),
                                  language_code=code or None)
        await bot.set_my_commands(menu("group", language), scope=BotCommandScopeAllGroupChats(),
                                  language_code=code or None)
        await bot.set_my_commands(menu("group_admin", language),
                                  scope=BotCommandScopeAllChatAdministrators(),
                                  language_code=code or None)
        await bot.set_my_description(words.description, language_code=code or None)
        await bot.set_my_short_description(words.short_description, language_code=code or None)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    """Every handler, in the order they are tried (the most common update first)."""
    return [
        MessageHandler(MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND,
                       questions.private_text),
        *(CommandHandler(c.name, c.callback, filters=MESSAGE) for c in COMMANDS),
        MessageHandler(MESSAGE & PRIVATE & filters.Document.ALL, admin.document),
        MessageHandler(filters.UpdateType.CHANNEL_POST & filters.TEXT, questions.channel_post),
        MessageHandler(MESSAGE & filters.COMMAND, commands.unknown_command),
        MessageHandler(MESSAGE & filters.ChatType.GROUPS & filters.TEXT, questions.group_message),
        MessageHandler(MESSAGE & PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                       commands.not_text),
        *buttons.HANDLERS,
        InlineQueryHandler(inline.inline_query),
    ]


async def post_init(application: PkitbotApp) -> None:
    """Open the store and engine, register commands per scope, schedule the daily fact."""
    settings = application.bot_data.settings
    assert settings is not None  # build_application sets it
    # read off the event loop: at 100,000 entries this takes seconds, and a stop signal
    # must still be heard meanwhile; later large changes rebuild in a thread too
    engine = await asyncio.to_thread(
        lambda: Engine(open_store(settings.db_path), background=True))
    loop_friendly(engine.store)  # a write on the event loop waits at most 50 ms for a lock
    application.bot_data.state = BotState(
        settings=settings,
        engine=engine,
        # answers plus the one notice stay within Telegram's 20 messages a minute per group
        chat_gate=RateGate(min(settings.chat_flood_limit, GROUP_MESSAGES_PER_MINUTE - 1)),
        user_gate=RateGate(settings.user_rate_limit),
    )
    count_into(application, application.bot_data.state.metrics)  # 429s etc. for /metrics
    bot = application.bot
    await introduce(bot)
    for admin_id in sorted(settings.admins):
        try:  # the bot's own admins also see the admin commands in their private chat
            await bot.set_my_commands(menu("bot_admin"), scope=BotCommandScopeChat(admin_id))
        except BadRequest:
            log.info("admin %s has not started a chat with the bot yet", admin_id)
    if application.job_queue is not None:
        hour, minute = (int(p) for p in settings.fact_time.split(":"))
        when = dt.time(hour, minute, tzinfo=ZoneInfo(settings.timezone))
        application.job_queue.run_daily(subscriptions.send_daily_fact, when, name="daily-fact")
        application.job_queue.run_repeating(admin.prune_log, dt.timedelta(days=1), name="prune-log")
    try:  # raw questions past PKITBOT_LOG_DAYS go now (or with the daily job, if locked)
        engine.store.usage.prune(settings.log_days)
    except sqlite3.OperationalError as exc:
        log.warning("could not prune the query log at start (%s); the daily job will", exc)
    if (warm := engine.warmer()) is not None:
        await asyncio.to_thread(warm)  # the meaning signal's index, off the event loop
    # the knowledge base, its index and the libraries live as long as the process: keep the
    # garbage collector from scanning them again and again (about 20 us per answer)
    gc.freeze()
    log.info("pkitbot ready as @%s with %d entries", bot.username, len(engine.entries))


async def post_shutdown(application: PkitbotApp) -> None:
    """Close the store (writing what is pending; see close_store)."""
    gc.unfreeze()
    if application.bot_data.state is not None:
        close_store(application.bot_data.state.store)


def build_application(settings: Settings, *, read_timeout: float = 5.0) -> PkitbotApp:
    """The configured Application (not yet started).

    ``read_timeout`` is how long a Bot API call may take to answer (getUpdates: on top of
    its long-poll timeout); past it the call fails with TimedOut and is not repeated.
    """
    updates_request = JSONRequest(connection_pool_size=1, read_timeout=read_timeout)
    builder = (
        Application.builder()
        .token(settings.require_token())
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(SafeRateLimiter(settings.max_send_rate))
        .request(JSONRequest(connection_pool_size=SEND_CONNECTIONS, read_timeout=read_timeout))
        .get_updates_request(updates_request)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(settings.file_url)
    # the builder's generics lose the job queue's context type; the types are these
    application = cast(PkitbotApp, builder.build())
    application.bot_data.settings = settings
    application.bot_data.updates_request = updates_request
    application.add_handlers(handlers())
    application.add_error_handler(on_error)
    return application


@asynccontextmanager
async def running(application: PkitbotApp, *, poll_timeout: int = 1,
                  ) -> AsyncIterator[PkitbotApp]:
    """Start the application with long polling for the body of the block, then stop it.

    Polling is :class:`bot.tg.delivery.polling.Poller`: an update is confirmed to Telegram only after it
    was handled, and one handled before a restart is not handled again.
    """
    settings = application.bot_data.settings
    assert settings is not None  # build_application sets it
    poller = Poller(application, timeout=poll_timeout, concurrency=settings.concurrent_updates)
    async with lifecycle(application):
        await poller.start()
        application.bot_data.poller = poller
        try:
            yield application
        finally:
            await poller.stop()


def run_bot(settings: Settings, *, webhook_url: str | None = None, listen: str = "0.0.0.0",
            port: int = 8443) -> None:
    """Run until SIGTERM/SIGINT: long polling, or a webhook when ``webhook_url`` is given.

    Nothing here prints a traceback or the token. The settings are checked
    (``validate_for_run``) and the database opened once before Telegram is contacted, so a
    bad setting or an unusable database fails at once (SettingsError, StoreError). While
    Telegram cannot be reached the start is retried until it can or a signal stops it (a
    clean return; ``bot/tg/delivery/lifecycle.py``). A refused token raises TokenRejected;
    anything unexpected becomes a one-line PkitbotError, its traceback logged at DEBUG.
    Uncaught errors elsewhere (threads, the event loop) are logged through the same
    redacting handler.
    """
    import sqlite3

    from telegram.error import InvalidToken

    from bot.errors import Interrupted, PkitbotError, TokenRejected
    from bot.logs import RedactToken, install_excepthooks, loop_exception_handler, one_line
    from bot.tg.delivery.lifecycle import stop_on_signals

    setup_logging(settings.log_level, settings.log_format, settings.token)
    install_excepthooks()
    settings.validate_for_run(webhook_url)
    open_store(settings.db_path).close()  # unusable: one StoreError line now, not after getMe
    application = build_application(settings)

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(loop_exception_handler)
        if webhook_url:
            from bot.tg.delivery.webhook import serve_webhook

            await serve_webhook(application, settings, webhook_url=webhook_url,
                                listen=listen, port=port, stop=stop_on_signals())
        else:
            await poll_forever(application, concurrency=settings.concurrent_updates)

    try:
        asyncio.run(main())
    except Interrupted:
        log.info("stopped before Telegram could be reached")
    except InvalidToken:
        raise TokenRejected("Telegram rejected TELEGRAM_BOT_TOKEN (revoked, or mistyped): get "
                            "the current token from @BotFather") from None
    except (PkitbotError, OSError, sqlite3.Error):
        raise  # the CLI's one error point words these (a path, the database)
    except Exception as exc:
        log.debug("the bot stopped on an unexpected error", exc_info=exc)
        text = RedactToken(settings.token).scrub(one_line(exc))
        raise PkitbotError(f"the bot stopped on an unexpected error ({text}); "
                           "PKITBOT_LOG_LEVEL=DEBUG logs its traceback") from None
