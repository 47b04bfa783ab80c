"""The application's life around any way of receiving updates (polling, webhook, tests).

initialize → post_init → start → (the body) → stop (finishing updates in hand) → shutdown →
post_shutdown, in that order even when the body fails; and a stop event set by SIGTERM/SIGINT.

A bot often starts before the network does (a boot, a container restart, a blip). Given the
stop event, :func:`lifecycle` therefore keeps trying ``initialize`` (its ``getMe``) while
Telegram cannot be reached, and webhook mode does the same for ``setWebhook``
(:func:`until_reachable`): a wait of 1 s doubling to 60 s between tries, one WARNING line
at most once a minute (no traceback), a flood-control answer waited out; until Telegram
answers or SIGTERM/SIGINT ends the wait at once. Only failures a retry may cure are retried:
a refused token or a bad request is raised at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.errors import Interrupted
from bot.tg.state import PkitbotApp

log = logging.getLogger(__name__)

AnyApplication = PkitbotApp
T = TypeVar("T")

FIRST_RETRY = 1.0  # seconds before the second try
MAX_RETRY = 60.0  # the wait doubles up to this
REPORT_EVERY = 60.0  # at most one WARNING line per this many seconds while retrying


async def _unless_stopped(call: Awaitable[T], stop: asyncio.Event, what: str) -> T:
    """Await ``call``, or cancel it and raise Interrupted as soon as ``stop`` is set."""
    task = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise Interrupted(f"stopped while waiting for Telegram ({what})")
    return task.result()


def _short(exc: Exception, limit: int = 100) -> str:
    """``Type: message`` on one line, cut short (a proxy's 502 quotes its whole HTML page)."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return f"{type(exc).__name__}: {text}"


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def until_reachable(call: Callable[[], Awaitable[T]], stop: asyncio.Event,
                          what: str) -> T:
    """``await call()`` until Telegram answers it, retrying network failures with backoff.

    Raises :class:`~bot.errors.Interrupted` once ``stop`` is set (at once: a call in flight
    is cancelled); any error other than a network failure or flood control (a refused
    token, a bad request) is raised at once.
    """
    delay, tries, reported = FIRST_RETRY, 0, -REPORT_EVERY
    while True:
        if stop.is_set():
            raise Interrupted(f"stopped while waiting for Telegram ({what})")
        try:
            result = await _unless_stopped(call(), stop, what)
            if tries:
                log.info("Telegram answered %s after %d failed %s", what, tries,
                         "try" if tries == 1 else "tries")
            return result
        except RetryAfter as exc:
            wait, why = _seconds(exc.retry_after), "flood control"
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut and Telegram's 5xx answers
            wait, why = delay, _short(exc)
            delay = min(delay * 2, MAX_RETRY)
        tries += 1
        now = time.monotonic()
        if now - reported >= REPORT_EVERY:
            reported = now
            log.warning("Telegram cannot be reached (%s: %s); %d failed %s, the next in "
                        "%g s; retrying until it answers or the bot is stopped",
                        what, why, tries, "try" if tries == 1 else "tries", wait)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)


async def _get_me(application: AnyApplication) -> None:
    """One getMe straight through the bot's transport, to learn whether Telegram answers.

    Not through ``bot.get_me``: that passes the rate limiter, which retries every failed
    call for a minute with a warning each time; while Telegram is unreachable at start the
    backoff and the once-a-minute line here are what an operator should see. A refused
    token raises InvalidToken, like ``initialize`` would.
    """
    bot = application.bot
    await bot.request.initialize()
    await bot.request.post(f"{bot.base_url}/getMe")


@asynccontextmanager
async def lifecycle(application: AnyApplication, *,
                    stop: asyncio.Event | None = None) -> AsyncIterator[AnyApplication]:
    """Run the application's start-up for the block and its shut-down after it.

    With ``stop``, ``initialize`` is retried while Telegram cannot be reached (see
    :func:`until_reachable`); a stop meanwhile raises :class:`~bot.errors.Interrupted`
    before anything was started. Without it, the first failure is raised (tests).
    """
    if stop is None:
        await application.initialize()
    else:
        await until_reachable(lambda: _get_me(application), stop, "getMe")
        await until_reachable(application.initialize, stop, "getMe")
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            yield application
        finally:
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (where the loop can take signal handlers)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop
