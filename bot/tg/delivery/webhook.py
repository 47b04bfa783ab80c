"""Webhook mode: our own tornado server for Telegram updates, ``/healthz`` and ``/metrics``.

It replaces python-telegram-bot's built-in webhook server (following PTB's "custom webhook"
pattern: we feed ``application.update_queue`` ourselves) so that one port serves

* ``POST /<path>`` -- updates from Telegram. The secret header (``PKITBOT_WEBHOOK_SECRET``)
  is checked as soon as the headers are in, before a byte of the body is read (403, and the
  connection is closed), so unauthenticated posts cost no memory; then the body is
  size-limited (413, from ``Content-Length`` or while it streams in) and parsed (400);
* ``GET /healthz`` -- 200 with a JSON summary, or 503 when the store or matcher is unusable;
* ``GET /metrics`` -- Prometheus text built from ``BotState.metrics`` and ``latencies``; with
  ``PKITBOT_METRICS_TOKEN`` set it needs ``Authorization: Bearer <token>`` (401), without it
  it answers only requests straight from loopback, not through a proxy (403).

:func:`serve_webhook` runs the whole lifecycle (initialize, post_init, start, setWebhook,
serve, graceful stop, shutdown, post_shutdown); :func:`run_webhook_mode` wraps it for
``pkitbot run --webhook-url`` and stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.httputil
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer

from bot.settings import Settings
from bot.tg.delivery.lifecycle import lifecycle, stop_on_signals, until_reachable
from bot.tg.delivery.once import Admission, ChatOrder, Handled, drop, handle_once
from bot.tg.delivery.ratelimit import stop_sending_waits
from bot.tg.limits import Verdict
from bot.tg.state import BotState, PkitbotApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_BODY = 1_000_000
RESERVED_PATHS = frozenset({"/healthz", "/metrics"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WEBHOOK_CONNECTIONS = 40  # Telegram's default; at most PKITBOT_CONCURRENT_UPDATES are handled
STOP_WAIT = 8.0  # seconds a stop waits for the updates in hand (docker stop allows 10)

AnyApplication = PkitbotApp
StateGetter = Callable[[], BotState | None]


def webhook_path(webhook_url: str) -> str:
    """The local path Telegram will POST to: the URL's path ("/" when it has none)."""
    path = urlsplit(webhook_url).path.rstrip("/") or "/"
    if path in RESERVED_PATHS:
        raise ValueError(f"the webhook URL path cannot be {path}: choose e.g. /telegram")
    return path


def state_getter(application: AnyApplication) -> StateGetter:
    """A callable returning the application's BotState once post_init has run, else None."""

    def get() -> BotState | None:
        return application.bot_data.state

    return get


# -- health and metrics -------------------------------------------------------------------


def health(state: BotState | None) -> tuple[int, dict[str, Any]]:
    """The /healthz status code and JSON body for ``state``."""
    if state is None:
        return 503, {"ok": False, "store": "not open", "matcher_entries": 0,
                     "telegram_last_ok_seconds": None}
    try:
        with state.store.lock:
            state.store.db.execute("SELECT COUNT(*) FROM entries").fetchone()
        store = "ok"
    except Exception as exc:  # any failure to query means unhealthy
        store = f"error: {type(exc).__name__}"
    entries = len(state.engine.entries) if store == "ok" else 0
    ok_at = state.telegram_ok_at
    last_ok = round(time.monotonic() - ok_at, 3) if ok_at is not None else None
    ok = store == "ok" and entries > 0
    return (200 if ok else 503), {"ok": ok, "store": store, "matcher_entries": entries,
                                  "telegram_last_ok_seconds": last_ok}


def _fmt(value: float) -> str:
    """A sample value in Prometheus text form."""
    if value == int(value):
        return str(int(value))
    return repr(value)


def histogram_lines(name: str, values: Iterable[float],
                    buckets: tuple[float, ...] = LATENCY_BUCKETS) -> list[str]:
    """Cumulative ``_bucket``/``_sum``/``_count`` lines of a Prometheus histogram."""
    data = sorted(float(v) for v in values)
    lines = []
    for bound in buckets:
        count = sum(1 for v in data if v <= bound)
        lines.append(f'{name}_bucket{{le="{bound}"}} {count}')
    lines.append(f'{name}_bucket{{le="+Inf"}} {len(data)}')
    lines.append(f"{name}_sum {_fmt(sum(data))}")
    lines.append(f"{name}_count {len(data)}")
    return lines


def metrics_text(state: BotState | None) -> str:
    """Every metric in the Prometheus text exposition format (version 0.0.4)."""
    metrics: dict[str, int] = dict(state.metrics) if state is not None else {}
    latencies = list(state.latencies) if state is not None else []

    def get(key: str) -> int:
        return int(metrics.get(key, 0))

    out: list[str] = []

    def counter(name: str, help_text: str, samples: list[tuple[str, int]]) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} counter")
        out.extend(f"{name}{labels} {value}" for labels, value in samples)

    counter("pkitbot_updates_received_total", "Updates received from Telegram.",
            [("", get("updates"))])
    counter("pkitbot_questions_total", "Questions handled, by the engine's decision.",
            [(f'{{decision="{d}"}}', get(f"questions_{d}"))
             for d in ("answer", "suggest", "abstain")])
    counter("pkitbot_feedback_total", "Feedback votes on answers.",
            [(f'{{vote="{v}"}}', get(f"feedback_{v}")) for v in ("up", "down")])
    out.append("# HELP pkitbot_answer_latency_seconds Time from question to sent answer.")
    out.append("# TYPE pkitbot_answer_latency_seconds histogram")
    out.extend(histogram_lines("pkitbot_answer_latency_seconds", latencies))
    counter("pkitbot_telegram_429_total", "Flood-control (429) answers from Telegram.",
            [("", get("telegram_429"))])
    counter("pkitbot_telegram_retries_total", "Requests Telegram did not take (5xx, not "
            "written), sent again.", [("", get("telegram_retried"))])
    counter("pkitbot_telegram_sent_maybe_total", "Requests whose connection failed after "
            "they were written (not sent again).", [("", get("telegram_sent_maybe"))])
    counter("pkitbot_telegram_given_up_total", "Requests not taken within the send deadline "
            "or the stop.", [("", get("telegram_given_up"))])
    counter("pkitbot_updates_handled_again_total", "Updates left unrecorded to be handled "
            "again, by cause.", [('{cause="telegram"}', get("updates_unsent")),
                                 ('{cause="storage"}', get("updates_deferred_storage"))])
    counter("pkitbot_updates_dropped_total", "Updates over their sender's limits, recorded "
            "without a handler.", [("", get("dropped_updates"))])
    counter("pkitbot_rate_limited_total", "Updates and replies over a limit, by limit.",
            [('{limit="user"}', get("rate_limited_user")),
             ('{limit="in_hand"}', get("busy_user")),
             ('{limit="chat"}', get("rate_limited_chat"))])
    counter("pkitbot_errors_total", "Errors raised by handlers.", [("", get("errors"))])
    if state is not None:
        entries = len(getattr(state.engine, "entries", {}) or {})
        out.append("# HELP pkitbot_matcher_entries Entries the matcher knows.")
        out.append("# TYPE pkitbot_matcher_entries gauge")
        out.append(f"pkitbot_matcher_entries {entries}")
    return "\n".join(out) + "\n"


class InHand:
    """Webhook calls being handled, so that a stop can let them finish first."""

    def __init__(self) -> None:
        self.count = 0
        self.closing = False
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if not self.count:
                self._idle.set()

    async def idle(self, limit: float) -> bool:
        """Wait up to ``limit`` seconds for every call in hand to finish; False if not."""
        try:
            await asyncio.wait_for(self._idle.wait(), limit)
        except TimeoutError:
            log.warning("stopping with %d webhook updates unfinished; Telegram will send them "
                        "again", self.count)
            return False
        return True


# -- tornado handlers ------------------------------------------------------------------


class _Base(tornado.web.RequestHandler):
    """Shared plumbing: quiet exception logging and plain error bodies."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A short JSON error body (no tracebacks)."""
        self.set_header("Content-Type", "application/json")
        if status_code == HTTPStatus.UNAUTHORIZED:
            self.set_header("WWW-Authenticate", 'Bearer realm="metrics"')
        self.finish(json.dumps({"ok": False, "status": status_code}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Log unexpected errors once, without request bodies."""
        if not isinstance(value, tornado.web.HTTPError):
            log.error("webhook server error on %s", self.request.path, exc_info=value)


@tornado.web.stream_request_body
class UpdateHandler(_Base):
    """POST /<path>: check the secret, then the size, parse, handle, then answer 200."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, ptb_app: AnyApplication, secret: str, max_body: int,
                   order: ChatOrder, in_hand: InHand, slots: asyncio.Semaphore,
                   admission: Admission) -> None:
        """Receive the shared objects (tornado's per-request hook)."""
        self.ptb_app = ptb_app
        self.secret = secret
        self.max_body = max_body
        self.order = order
        self.in_hand = in_hand
        self.slots = slots
        self.admission = admission
        self.body = bytearray()
        self.too_large = False

    def prepare(self) -> None:
        """Refuse a wrong secret before the body is read (and close the connection)."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call with a missing or wrong secret from %s",
                        self.request.remote_ip)
            # tornado closes the connection rather than read a body it was not asked for
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        declared = self.request.headers.get("Content-Length", "")
        # an authenticated body past the limit is read but not kept, then refused (413)
        self.too_large = declared.isdigit() and int(declared) > self.max_body

    def data_received(self, chunk: bytes) -> None:
        """Keep the body, up to the limit (a chunked body past it is refused in post)."""
        if len(self.body) + len(chunk) > self.max_body:
            self.too_large = True
        elif not self.too_large:
            self.body += chunk

    async def post(self) -> None:
        """Handle one update; 413 / 400 on a bad size or body, 503 when not handled."""
        if self.too_large:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            data = json.loads(self.body)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            bot = self.ptb_app.bot
            update = Update.de_json(data, bot)
        except Exception:
            log.warning("webhook call with a body that is not an update (%d bytes)",
                        len(self.body))
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        if self.in_hand.closing:  # stopping: Telegram sends it again (to the next run)
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE)
        # handled before Telegram hears 200: an update in hand when the process dies is
        # sent again, and the store's record keeps a handled one from being answered twice;
        # a chat's updates are handled in the order they arrive, a few chats at a time;
        # one over its sender's limits is recorded at once, without waiting for its chat
        ticket = self.admission.admit(update)
        if ticket.verdict is Verdict.SILENT:
            drop(self.ptb_app, update)
        else:
            try:
                with self.in_hand.track():
                    async with self.order.turn(update), self.slots:
                        done = await handle_once(self.ptb_app, update, ticket.notice)
            finally:
                self.admission.release(ticket)
            if done in (Handled.UNSENT, Handled.DEFERRED):  # not taken / not written: again
                raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Content-Type", "application/json")
        self.finish(b'{"ok":true}')


class HealthHandler(_Base):
    """GET /healthz: is the store queryable and the matcher loaded?"""

    def initialize(self, get_state: StateGetter, in_hand: InHand) -> None:
        """Receive the state getter and the webhook calls in hand."""
        self.get_state = get_state
        self.in_hand = in_hand

    def get(self) -> None:
        """200 or 503 with a JSON summary (and the webhook updates being handled)."""
        status, body = health(self.get_state())
        body["updates_in_hand"] = self.in_hand.count
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


def from_loopback(request: tornado.httputil.HTTPServerRequest) -> bool:
    """True for a request straight from this host: a loopback peer, no proxy's headers.

    The peer address is the socket's (``xheaders`` do not change it); a request a local
    proxy forwards carries X-Forwarded-For or X-Real-Ip and does not count.
    """
    context = getattr(request.connection, "context", None)
    address = getattr(context, "address", None)
    host = address[0] if isinstance(address, tuple) and address else ""
    try:
        loopback = ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False
    forwarded = any(h in request.headers for h in ("X-Forwarded-For", "X-Real-Ip",
                                                   "Forwarded"))
    return loopback and not forwarded


class MetricsHandler(_Base):
    """GET /metrics: Prometheus text exposition, behind a token or loopback only."""

    def initialize(self, get_state: StateGetter, token: str) -> None:
        """Receive the state getter and the metrics token ("" = loopback only)."""
        self.get_state = get_state
        self.token = token

    def prepare(self) -> None:
        """401 without the right bearer token (when set); 403 from outside loopback."""
        if self.token:
            given = self.request.headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.casefold() != "bearer" or not hmac.compare_digest(
                    value.strip().encode(), self.token.encode()):
                raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        elif not from_loopback(self.request):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)

    def get(self) -> None:
        """The current counters and the latency histogram."""
        self.set_header("Content-Type", METRICS_CONTENT_TYPE)
        self.finish(metrics_text(self.get_state()))


class _App(tornado.web.Application):
    """The tornado application; request logging is left to our own handlers."""

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Do not log every request (Telegram calls are frequent and uninteresting)."""


class WebhookServer:
    """The HTTP server: update path, /healthz and /metrics on one port."""

    def __init__(self, application: AnyApplication, get_state: StateGetter, path: str,
                 secret: str, max_body: int = DEFAULT_MAX_BODY, concurrency: int = 3,
                 metrics_token: str = "") -> None:
        if path in RESERVED_PATHS:
            raise ValueError(f"the webhook path cannot be {path}")
        self.application = application
        self.in_hand = InHand()
        route = "/" if path == "/" else re.escape(path.rstrip("/")) + "/?"
        self.app = _App([
            (r"/healthz", HealthHandler, {"get_state": get_state, "in_hand": self.in_hand}),
            (r"/metrics", MetricsHandler, {"get_state": get_state, "token": metrics_token}),
            (route, UpdateHandler,
             {"ptb_app": application, "secret": secret, "max_body": max_body,
              "order": ChatOrder(), "in_hand": self.in_hand,
              "slots": asyncio.Semaphore(concurrency), "admission": Admission(application)}),
        ])
        # Authenticated update bodies stream in, kept up to max_body and refused past it
        # (413); beyond twice that tornado drops the connection.
        self.http = HTTPServer(self.app, max_body_size=2 * max_body + 65536, xheaders=True)
        self.running = False
        self.port = 0

    def start(self, listen: str, port: int) -> int:
        """Start listening (port 0 picks a free one); returns the bound port."""
        sockets = tornado.netutil.bind_sockets(port, address=listen)
        self.http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        self.running = True
        return self.port

    async def stop(self) -> None:
        """Stop accepting connections and close the open ones."""
        if not self.running:
            return
        self.running = False
        self.in_hand.closing = True
        self.http.stop()
        stop_sending_waits(self.application)  # a reply waiting out a 429 gives up now
        # let the updates in hand finish (and be recorded) before the store closes; past
        # the limit, an unfinished one gets no 200 and Telegram sends it again
        await self.in_hand.idle(STOP_WAIT)
        await self.http.close_all_connections()


# -- lifecycle -------------------------------------------------------------------------


async def serve_webhook(application: AnyApplication, settings: Settings, *, webhook_url: str,
                        listen: str, port: int, ready: asyncio.Event | None = None,
                        stop: asyncio.Event | None = None) -> None:
    """Run the application behind our webhook server until ``stop`` is set.

    initialize → post_init → start → listen → setWebhook → (serve) → stop listening →
    application.stop() (finishes updates in hand) → shutdown → post_shutdown. ``ready`` is
    set once Telegram knows the webhook.
    """
    if not settings.webhook_secret:
        raise ValueError("PKITBOT_WEBHOOK_SECRET is required in webhook mode")
    path = webhook_path(webhook_url)
    stop = stop or asyncio.Event()
    server = WebhookServer(application, state_getter(application), path,
                           settings.webhook_secret, concurrency=settings.concurrent_updates,
                           metrics_token=settings.metrics_token)
    async with lifecycle(application, stop=stop):
        try:
            actual = server.start(listen, port)
            await until_reachable(lambda: application.bot.set_webhook(
                url=webhook_url, secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES, max_connections=WEBHOOK_CONNECTIONS),
                stop, "setWebhook")
            log.info("webhook server on %s:%d, path %s", listen, actual, path)
            if ready is not None:
                ready.set()
            await stop.wait()
            log.info("stopping: no new webhook calls; finishing updates in hand")
        finally:
            await server.stop()


def run_webhook_mode(application: AnyApplication, settings: Settings, webhook_url: str,
                     listen: str, port: int) -> None:
    """Serve the webhook until SIGTERM or SIGINT, then shut down gracefully."""

    async def main() -> None:
        """Install the signal handlers and serve."""
        await serve_webhook(application, settings, webhook_url=webhook_url, listen=listen,
                            port=port, stop=stop_on_signals())

    asyncio.run(main())
