"""Sending safely: Telegram's rate limits honoured and transient server faults retried.

python-telegram-bot's AIORateLimiter keeps the bot under the send rate and waits out 429
answers for ``retry_after``; this subclass also retries 5xx answers and dropped
connections (Telegram did not take the request), with backoff. A timed-out request is not
retried: Telegram may have delivered it, and a second copy would be a duplicate answer.

With several updates handled at once, AIORateLimiter alone does not hold the other requests
for the whole ``retry_after``: any request that finishes meanwhile reopens its gate. So this
subclass keeps its own "not before" time, set by every 429, that each request waits for
before it takes its share of the send rate (so they do not all go out at once after it).
``getUpdates`` never comes here: python-telegram-bot does not rate-limit it (see
``bot/tg/delivery/polling.py`` for its 429s).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
#: endpoints that put a new message in a chat: paced per chat (20 a minute in a group)
PACED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendSticker", "sendMediaGroup", "sendLocation",
    "sendVenue", "sendContact", "sendPoll", "sendDice", "sendInvoice", "sendPaidMedia",
    "forwardMessage", "forwardMessages", "copyMessage", "copyMessages",
})


class SafeRateLimiter(AIORateLimiter):
    """AIORateLimiter plus retries of transient server errors; counts what it saw."""

    def __init__(self, overall_max_rate: float, max_retries: int = 5) -> None:
        super().__init__(overall_max_rate=overall_max_rate, overall_time_period=1,
                         max_retries=max_retries)
        self.seen_429 = 0
        self.seen_5xx = 0
        self._not_before = 0.0  # monotonic time before which nothing is sent (after a 429)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        async def counted(*a: Any, **kw: Any) -> JSON:
            await self._hold()  # for a request that was already in the limiter at the 429
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                self.seen_429 += 1
                self._not_before = max(self._not_before, time.monotonic()
                                       + exc._retry_after.total_seconds())
                raise

        if endpoint not in PACED and "chat_id" in data:
            # Telegram's per-chat limits are on messages sent. Pacing edits too (as PTB
            # does) would hold the whole update pipeline behind a group's vote taps; their
            # rare 429s are still waited out as told.
            data = {k: v for k, v in data.items() if k != "chat_id"}
        for delay in (*BACKOFF, None):
            await self._hold()  # before taking a share of the send rate
            try:
                return await super().process_request(counted, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except (BadRequest, TimedOut, RetryAfter):
                raise
            except NetworkError as exc:
                if delay is None:
                    raise
                self.seen_5xx += 1
                log.warning("Telegram answered %s with a server error (%s); retrying in %.1fs",
                            endpoint, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _hold(self) -> None:
        """Wait until the last 429's ``retry_after`` has passed."""
        while (wait := self._not_before - time.monotonic()) > 0:
            await asyncio.sleep(wait)
