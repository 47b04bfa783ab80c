"""Sending safely: Telegram's rate limits honoured, refusals retried, no answer sent twice.

python-telegram-bot's AIORateLimiter keeps the bot under the send rate; this subclass decides,
per failure, whether Telegram may have taken the request:

* **Not taken** (safe to send again): a 429 (``retry_after``), a 5xx answer (Telegram or its
  proxy answered and refused), and failures before the request was completely written
  (connection refused, connect or pool timeout, write error). These are retried, with the
  429's wait or a backoff of 0.25 s doubling to 2 s, until :data:`SEND_DEADLINE` (60 s) after
  the first try. Past it the request fails as *unsent*, and the update that made it is not
  recorded as handled (:mod:`bot.tg.delivery.once` reads :data:`OUTCOME`): it is handled
  again later, so an outage loses no answer.
* **Maybe taken** (never sent again): the connection broke after the whole request was
  written (a read error, a reset, a read timeout). Telegram may have delivered it; a second
  copy would be a duplicate. It is counted and logged as "sent-maybe"; the update counts as
  handled. This is the one ambiguous case (``docs/reliability.md``).
* **Refused for good**: a 400 (a bug of ours) carries the method in a note
  (:func:`method_of`) for the error handler; 403, ChatMigrated and the rest go to the caller.

With several updates handled at once, AIORateLimiter alone does not hold the other requests
for the whole ``retry_after``: any request that finishes meanwhile reopens its gate. So this
subclass keeps its own "not before" time, set by every 429, that each request waits for
before it takes its share of the send rate (so they do not all go out at once after it).
Every wait here (that time, backoffs, the rate's own queue) ends at once on :meth:`stop`:
a request still waiting then fails as unsent (its update is left for the next run) and
no wait outlives the bot's stop. ``getUpdates`` never comes here: python-telegram-bot does
not rate-limit it (see ``bot/tg/delivery/polling.py`` for its 429s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
SEND_DEADLINE = 60.0  # seconds a request not taken by Telegram keeps being tried
BACKOFF_START = 0.25
BACKOFF_MAX = 2.0
STOP_GRACE = 1.0  # on stop, how long a request still queued for the send rate may take to go
METHOD_NOTE = "Bot API method: "
#: transport failures before the request was completely written: Telegram cannot have it
NOT_WRITTEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
               httpx.WriteTimeout)
#: endpoints that put a new message in a chat: paced per chat (20 a minute in a group)
PACED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendSticker", "sendMediaGroup", "sendLocation",
    "sendVenue", "sendContact", "sendPoll", "sendDice", "sendInvoice", "sendPaidMedia",
    "forwardMessage", "forwardMessages", "copyMessage", "copyMessages",
})


@dataclass
class Outcome:
    """What became of the requests one update's handlers made (see :data:`OUTCOME`)."""

    unsent: list[str] = field(default_factory=list)  # methods given up on, not taken
    maybe: list[str] = field(default_factory=list)  # methods that may have been taken
    storage: list[str] = field(default_factory=list)  # database writes that failed for now


#: set by ``handle_once`` around an update's handlers; requests report to it
OUTCOME: ContextVar[Outcome | None] = ContextVar("pkitbot_outcome", default=None)
_REFUSED: Any = object()  # what the wrapped call returns instead of raising RetryAfter


@dataclass
class _Attempt:
    #: set when the request goes to the transport (from then on it may be on the wire)
    written: asyncio.Event = field(default_factory=asyncio.Event)


def stop_sending_waits(application: Any) -> None:
    """End the waits of ``application``'s rate limiter (if it is ours): the bot is stopping."""
    limiter = getattr(application.bot, "rate_limiter", None)
    if isinstance(limiter, SafeRateLimiter):
        limiter.stop()


def count_into(application: Any, metrics: Counter[str]) -> None:
    """Count ``application``'s 429s, retries, sent-maybes and give-ups in ``metrics``."""
    limiter = getattr(application.bot, "rate_limiter", None)
    if isinstance(limiter, SafeRateLimiter):
        limiter.metrics = metrics


def method_of(error: BaseException) -> str | None:
    """The Bot API method a refused request called (noted on 400s), if known."""
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, str) and note.startswith(METHOD_NOTE):
            return note[len(METHOD_NOTE):]
    return None


def taken_maybe(error: NetworkError) -> bool:
    """True when the connection failed after the request was written (Telegram may have it).

    A NetworkError caused by anything but an httpx transport error means Telegram (or its
    proxy) answered with an error status: it did not take the request.
    """
    cause = error.__cause__
    return isinstance(cause, httpx.HTTPError) and not isinstance(cause, NOT_WRITTEN)


class SafeRateLimiter(AIORateLimiter):
    """AIORateLimiter that retries what Telegram did not take, within a deadline; counts."""

    def __init__(self, overall_max_rate: float) -> None:
        super().__init__(overall_max_rate=overall_max_rate, overall_time_period=1,
                         max_retries=0)
        self.seen_429 = 0
        self.seen_5xx = 0  # refusals and unwritten requests retried
        self.maybe_sent = 0  # connections lost after the request was written
        self.given_up = 0  # requests that failed unsent (deadline or stop)
        self._not_before = 0.0  # monotonic time before which nothing is sent (after a 429)
        self._stopped = asyncio.Event()
        self.metrics: Counter[str] = Counter()  # the bot's /metrics counters (count_into)

    async def initialize(self) -> None:
        """A fresh start (the application may be started again after a stop)."""
        await super().initialize()
        self._stopped = asyncio.Event()
        self._not_before = 0.0

    def stop(self) -> None:
        """End every wait now; requests still waiting fail as unsent. For the bot's stop."""
        self._stopped.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        deadline = time.monotonic() + SEND_DEADLINE
        attempt = _Attempt()

        async def counted(*a: Any, **kw: Any) -> JSON:
            await self._hold(endpoint, deadline)  # a request already in the limiter at a 429
            attempt.written.set()
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:  # handled below, not by AIORateLimiter (it logs it)
                self.seen_429 += 1
                self.metrics["telegram_429"] += 1
                self._not_before = max(self._not_before, time.monotonic()
                                       + exc._retry_after.total_seconds())
                return cast(JSON, _REFUSED)

        if endpoint not in PACED and "chat_id" in data:
            # Telegram's per-chat limits are on messages sent. Pacing edits too (as PTB
            # does) would hold the whole update pipeline behind a group's vote taps; their
            # rare 429s are still waited out as told.
            data = {k: v for k, v in data.items() if k != "chat_id"}
        delay = BACKOFF_START
        while True:
            await self._hold(endpoint, deadline)  # before taking a share of the send rate
            attempt = _Attempt()
            try:
                result = await self._unless_stopped(
                    super().process_request(counted, args, kwargs, endpoint, data,
                                            rate_limit_args), attempt, endpoint)
            except BadRequest as exc:
                exc.add_note(METHOD_NOTE + endpoint)
                raise
            except NetworkError as exc:  # TimedOut too
                if taken_maybe(exc):
                    self.maybe_sent += 1
                    self.metrics["telegram_sent_maybe"] += 1
                    self._report("maybe", endpoint)
                    log.warning("%s: the connection failed after the request was sent (%s); "
                                "Telegram may have taken it, so it is not sent again "
                                "(sent-maybe)", endpoint, exc)
                    raise
                self.seen_5xx += 1
                self.metrics["telegram_retried"] += 1
                if time.monotonic() + delay > deadline:
                    raise self._give_up(endpoint, f"still failing ({exc})") from exc
                log.warning("%s was not taken by Telegram (%s); retrying in %.2fs",
                            endpoint, exc, delay)
                await self._sleep(delay, endpoint)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            if result is _REFUSED:
                log.info("%s: flood control, waiting %.1fs as told", endpoint,
                         max(0.0, self._not_before - time.monotonic()))
                continue  # the next _hold waits it out (or gives up past the deadline)
            return result

    async def _unless_stopped(self, call: Coroutine[Any, Any, JSON], attempt: _Attempt,
                              endpoint: str) -> JSON:
        """Run ``call``; on :meth:`stop` abandon it unless its request is written within
        :data:`STOP_GRACE` (a request queued for the send rate gets that long to go out)."""
        task = asyncio.ensure_future(call)
        stopped = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait([task, stopped], return_when=asyncio.FIRST_COMPLETED)
            if not task.done() and not attempt.written.is_set():
                written = asyncio.ensure_future(attempt.written.wait())
                await asyncio.wait([task, written], timeout=STOP_GRACE,
                                   return_when=asyncio.FIRST_COMPLETED)
                written.cancel()
            if not task.done() and not attempt.written.is_set():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                raise self._give_up(endpoint, "the bot is stopping")
            return await task  # written: let it finish (bounded by the read timeout)
        finally:
            stopped.cancel()
            if not task.done():
                task.cancel()

    async def _hold(self, endpoint: str, deadline: float) -> None:
        """Wait until the last 429's ``retry_after`` has passed (not past the deadline)."""
        while (wait := self._not_before - time.monotonic()) > 0:
            if time.monotonic() + wait > deadline:
                raise self._give_up(endpoint, f"Telegram asks to wait {wait:.0f}s more")
            await self._sleep(wait, endpoint)

    async def _sleep(self, seconds: float, endpoint: str) -> None:
        """Sleep, unless the bot stops first (then the request fails as unsent)."""
        if self._stopped.is_set():
            raise self._give_up(endpoint, "the bot is stopping")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)
            raise self._give_up(endpoint, "the bot is stopping")

    def _give_up(self, endpoint: str, why: str) -> NetworkError:
        self.given_up += 1
        self.metrics["telegram_given_up"] += 1
        self._report("unsent", endpoint)
        log.warning("%s not sent: %s; its update is left to be handled again", endpoint, why)
        return NetworkError(f"{endpoint} not sent: {why}")

    @staticmethod
    def _report(kind: str, endpoint: str) -> None:
        outcome = OUTCOME.get()
        if outcome is not None:
            getattr(outcome, kind).append(endpoint)
