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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.core.engine import Engine
from bot.kb.store import open_store
from bot.logs import setup_logging
from bot.settings import Settings
from bot.tg import admin, buttons, commands, inline, questions, subscriptions
from bot.tg.delivery.http import JSONRequest
from bot.tg.delivery.lifecycle import lifecycle
from bot.tg.delivery.polling import POLLER_KEY, UPDATES_REQUEST_KEY, Poller, poll_forever
from bot.tg.delivery.ratelimit import SafeRateLimiter
from bot.tg.errors import on_error
from bot.tg.limits import RateGate
from bot.tg.state import STATE_KEY, BotState

log = logging.getLogger(__name__)

MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
GROUP_MESSAGES_PER_MINUTE = 20  # Telegram's limit per group; AIORateLimiter's default
SEND_CONNECTIONS = 256  # python-telegram-bot's default pool for calls other than getUpdates

PRIVATE_COMMANDS = [
    BotCommand("ask", "Ask a question about Pakistan's IT sector"),
    BotCommand("topics", "Browse the topics I know"),
    BotCommand("fact", "A random sourced fact"),
    BotCommand("source", "Full citation of an entry"),
    BotCommand("subscribe", "A daily fact in this chat"),
    BotCommand("unsubscribe", "Stop the daily fact"),
    BotCommand("help", "How to ask"),
    BotCommand("about", "Where the answers come from"),
]
GROUP_COMMANDS = [
    BotCommand("ask", "Ask a question about Pakistan's IT sector"),
    BotCommand("topics", "Browse the topics I know"),
    BotCommand("fact", "A random sourced fact"),
    BotCommand("help", "How to ask"),
    BotCommand("about", "Where the answers come from"),
]
BOT_ADMIN_COMMANDS = [
    BotCommand("add", "Add an entry: question | answer | source [| url]"),
    BotCommand("alias", "Another way to ask for an entry"),
    BotCommand("edit", "Change a field of an entry"),
    BotCommand("delete", "Retire an entry"),
    BotCommand("undo", "Revert your last change"),
    BotCommand("history", "Changes to an entry"),
    BotCommand("unanswered", "Questions the bot could not answer"),
    BotCommand("import", "How to import a file"),
    BotCommand("export", "The knowledge base as YAML"),
    BotCommand("stats", "Usage statistics"),
    BotCommand("grant", "Make a user id an admin"),
    BotCommand("revoke", "Remove an admin"),
]
GROUP_ADMIN_COMMANDS = [
    *GROUP_COMMANDS,
    BotCommand("subscribe", "A daily fact in this group"),
    BotCommand("unsubscribe", "Stop the daily fact"),
]


def handlers() -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """Every handler, in the order they are tried (the most common update first)."""
    return [
        MessageHandler(MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND,
                       questions.private_text),
        CommandHandler("start", commands.start, filters=MESSAGE),
        CommandHandler("help", commands.help_command, filters=MESSAGE),
        CommandHandler("about", commands.about, filters=MESSAGE),
        CommandHandler("topics", commands.topics, filters=MESSAGE),
        CommandHandler("fact", commands.fact, filters=MESSAGE),
        CommandHandler("source", commands.source, filters=MESSAGE),
        CommandHandler("ask", questions.ask_command, filters=MESSAGE),
        CommandHandler("subscribe", subscriptions.subscribe_chat, filters=MESSAGE),
        CommandHandler("unsubscribe", subscriptions.unsubscribe_chat, filters=MESSAGE),
        CommandHandler("add", admin.add, filters=MESSAGE),
        CommandHandler("alias", admin.alias, filters=MESSAGE),
        CommandHandler("edit", admin.edit, filters=MESSAGE),
        CommandHandler("delete", admin.delete, filters=MESSAGE),
        CommandHandler("undo", admin.undo, filters=MESSAGE),
        CommandHandler("history", admin.history, filters=MESSAGE),
        CommandHandler("unanswered", admin.unanswered, filters=MESSAGE),
        CommandHandler("import", admin.import_command, filters=MESSAGE),
        CommandHandler("export", admin.export, filters=MESSAGE),
        CommandHandler("stats", admin.stats, filters=MESSAGE),
        CommandHandler("grant", admin.grant, filters=MESSAGE),
        CommandHandler("revoke", admin.revoke, filters=MESSAGE),
        MessageHandler(MESSAGE & PRIVATE & filters.Document.ALL, admin.document),
        MessageHandler(filters.UpdateType.CHANNEL_POST & filters.TEXT, questions.channel_post),
        MessageHandler(MESSAGE & filters.COMMAND, commands.unknown_command),
        MessageHandler(MESSAGE & filters.ChatType.GROUPS & filters.TEXT, questions.group_message),
        MessageHandler(MESSAGE & PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                       commands.not_text),
        CallbackQueryHandler(buttons.button),
        InlineQueryHandler(inline.inline_query),
    ]


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Open the store and engine, register commands per scope, schedule the daily fact."""
    settings: Settings = application.bot_data["settings"]
    engine = Engine(open_store(settings.db_path))
    application.bot_data[STATE_KEY] = BotState(
        settings=settings,
        engine=engine,
        # answers plus the one notice stay within Telegram's 20 messages a minute per group
        chat_gate=RateGate(min(settings.chat_flood_limit, GROUP_MESSAGES_PER_MINUTE - 1)),
        user_gate=RateGate(settings.user_rate_limit),
    )
    bot = application.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(GROUP_ADMIN_COMMANDS, scope=BotCommandScopeAllChatAdministrators())
    for admin_id in sorted(settings.admins):
        try:  # the bot's own admins also see the admin commands in their private chat
            await bot.set_my_commands([*PRIVATE_COMMANDS, *BOT_ADMIN_COMMANDS],
                                      scope=BotCommandScopeChat(admin_id))
        except BadRequest:
            log.info("admin %s has not started a chat with the bot yet", admin_id)
    if application.job_queue is not None:
        hour, minute = (int(p) for p in settings.fact_time.split(":"))
        when = dt.time(hour, minute, tzinfo=ZoneInfo(settings.timezone))
        application.job_queue.run_daily(subscriptions.send_daily_fact, when, name="daily-fact")
    # the knowledge base, its index and the libraries live as long as the process: keep the
    # garbage collector from scanning them again and again (about 20 us per answer)
    gc.freeze()
    log.info("pkitbot ready as @%s with %d entries", bot.username, len(engine.entries))


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Close the store."""
    gc.unfreeze()
    state = application.bot_data.get(STATE_KEY)
    if isinstance(state, BotState):
        state.store.close()


def build_application(settings: Settings, *,
                      read_timeout: float = 5.0) -> Application:  # type: ignore[type-arg]
    """The configured Application (not yet started).

    ``read_timeout`` is how long a Bot API call may take to answer (getUpdates: on top of
    its long-poll timeout); past it the call fails with TimedOut and is not repeated.
    """
    updates_request = JSONRequest(connection_pool_size=1, read_timeout=read_timeout)
    builder = (
        Application.builder()
        .token(settings.require_token())
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
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data[UPDATES_REQUEST_KEY] = updates_request
    application.add_handlers(handlers())
    application.add_error_handler(on_error)
    return application


@asynccontextmanager
async def running(application: Application, *, poll_timeout: int = 1,  # type: ignore[type-arg]
                  ) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start the application with long polling for the body of the block, then stop it.

    Polling is :class:`bot.tg.delivery.polling.Poller`: an update is confirmed to Telegram only after it
    was handled, and one handled before a restart is not handled again.
    """
    settings: Settings = application.bot_data["settings"]
    poller = Poller(application, timeout=poll_timeout, concurrency=settings.concurrent_updates)
    async with lifecycle(application):
        await poller.start()
        application.bot_data[POLLER_KEY] = poller
        try:
            yield application
        finally:
            await poller.stop()


def run_bot(settings: Settings, *, webhook_url: str | None = None, listen: str = "0.0.0.0",
            port: int = 8443) -> None:
    """Run until interrupted: long polling, or a webhook when ``webhook_url`` is given."""
    setup_logging(settings.log_level, settings.log_format, settings.token)
    application = build_application(settings)
    if webhook_url:
        from bot.tg.delivery.webhook import run_webhook_mode

        run_webhook_mode(application, settings, webhook_url, listen, port)
    else:
        asyncio.run(poll_forever(application, concurrency=settings.concurrent_updates))
