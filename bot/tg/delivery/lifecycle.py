"""The application's life around any way of receiving updates (polling, webhook, tests).

initialize → post_init → start → (the body) → stop (finishing updates in hand) → shutdown →
post_shutdown, in that order even when the body fails; and a stop event set by SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.tg.state import PkitbotApp

AnyApplication = PkitbotApp


@asynccontextmanager
async def lifecycle(application: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Run the application's start-up for the block and its shut-down after it."""
    await application.initialize()
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
