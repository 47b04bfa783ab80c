"""A local fake Telegram Bot API server for end-to-end tests of the real PTB Application.

:class:`FakeBotAPI` runs a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (ephemeral port,
background thread, HTTP/1.1 keep-alive) that speaks the Bot API wire protocol:

* ``/bot<token>/<method>`` (GET/POST; JSON, form or multipart bodies), validated against the
  Bot API spec (:mod:`tests.fakebot.spec`) and refused like Telegram (400/401/404/409/403);
* ``/file/bot<token>/<file_path>`` serving files registered with :meth:`FakeBotAPI.add_file`
  or uploaded by the bot;
* realistic results for the methods a bot uses (getMe, getUpdates long polling, send*/edit*,
  answer*, webhooks, getChatMember, getChat, getFile, ...), generic spec-shaped results for
  the rest;
* recording (:attr:`FakeBotAPI.requests`, :meth:`FakeBotAPI.sent`, :meth:`FakeBotAPI.wait_for`)
  and fault injection (429/500/502/drop/slow, a connection dropped after the call was
  carried out, ChatMigrated; deterministic or random).

It does not depend on any asyncio loop; everything is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import random
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from . import updates as upd
from .bodies import parse_body
from .html_check import HTMLParseError, check_html
from .spec import ApiError, ApiSpec, UploadedFile, bad_request, load_spec

__all__ = ["DEFAULT_TOKEN", "FakeBotAPI", "Fault", "RecordedRequest"]

DEFAULT_TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"

#: update types Telegram does not deliver unless explicitly listed in allowed_updates
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_FAULT_KINDS = frozenset({"429", "500", "502", "drop", "slow", "accepted_drop", "migrated"})
_MEDIA_TYPES = {
    "audio": "Audio",
    "video": "Video",
    "animation": "Animation",
    "voice": "Voice",
    "video_note": "VideoNote",
    "sticker": "Sticker",
}
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_STATUS_TYPES = {
    "creator": "ChatMemberOwner",
    "administrator": "ChatMemberAdministrator",
    "member": "ChatMemberMember",
    "restricted": "ChatMemberRestricted",
    "left": "ChatMemberLeft",
    "kicked": "ChatMemberBanned",
}


@dataclass
class RecordedRequest:
    """One API call as the fake saw it.

    ``params`` are normalised by the spec (ints are ints, ``reply_markup`` is a dict) when the
    request validated; otherwise the raw decoded params.  ``status`` is the HTTP status (0 for
    an injected "drop").  ``result`` is what was returned on success, ``description`` the
    refusal text otherwise.  ``fault`` names the injected fault kind, if any.
    """

    method: str
    params: dict[str, Any]
    status: int
    time: float
    result: Any = None
    description: str | None = None
    fault: str | None = None
    encoding: str = "none"

    @property
    def ok(self) -> bool:
        """True if the call succeeded (HTTP 200)."""
        return self.status == 200


@dataclass
class Fault:
    """An injected fault; ``times`` counts down (None = unlimited for random faults)."""

    method: str  # lower-case method name or "*"
    kind: str
    times: int | None = 1
    probability: float | None = None
    rng: random.Random | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, params: dict[str, Any] | None = None) -> bool:
        """True if this fault applies to ``method`` now (consumes randomness); with the
        option ``chat_id``, only to calls for that chat."""
        if self.method not in ("*", method.lower()):
            return False
        chat = self.options.get("chat_id")
        if chat is not None and str((params or {}).get("chat_id")) != str(chat):
            return False
        if self.times is not None and self.times <= 0:
            return False
        if self.probability is not None:
            assert self.rng is not None
            return self.rng.random() < self.probability
        return True


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str
    mime_type: str


class _Response:
    """What the handler writes back."""

    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        *,
        drop: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.drop = drop

    @classmethod
    def json(cls, status: int, payload: Any) -> _Response:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body are separate writes; avoid Nagle + delayed-ACK 40 ms stalls
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size_line = self.rfile.readline().strip()
                size = int(size_line.split(b";", 1)[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        fake = self.server.fake
        try:
            response = fake._handle(
                self.command, self.path, self.headers.get("Content-Type", ""), body
            )
        except Exception:  # a bug in the fake itself: answer 500 and keep the traceback
            trace = traceback.format_exc()
            with fake._lock:
                fake.internal_errors.append(trace)
            response = _Response.json(
                500,
                {"ok": False, "error_code": 500, "description": f"FakeBotAPI crashed: {trace}"},
            )
        if response.drop:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # connection resets by clients (cancelled long polls) are normal here
        return


Predicate = Callable[[RecordedRequest], bool]


class FakeBotAPI:
    """A fake Telegram Bot API server; use as a (sync) context manager or start()/stop().

    Example::

        with FakeBotAPI() as fake:
            app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
                   .base_file_url(fake.base_file_url).build())
            fake.push_update(updates.private_text(42, "/start"))
            ...
            await fake.wait_for("sendMessage")
            assert fake.errors == []
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "pkit_test_bot",
        bot_first_name: str = "PKit Test Bot",
        bot_id: int | None = None,
        can_read_all_group_messages: bool = False,
        spec: ApiSpec | None = None,
        spec_path: Path | None = None,
        strict: bool = True,
        allow_http_webhook: bool = False,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.can_read_all_group_messages = can_read_all_group_messages
        self.spec = spec or load_spec(spec_path)
        #: refuse edits/deletes of unknown messages and answers to unknown queries
        self.strict = strict
        self.allow_http_webhook = allow_http_webhook

        self.requests: list[RecordedRequest] = []
        self.errors: list[RecordedRequest] = []
        self.dropped_updates: list[dict[str, Any]] = []
        #: tracebacks of crashes inside the fake (should always stay empty)
        self.internal_errors: list[str] = []
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._queue: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._known_message_ids: set[tuple[int, int]] = set()
        self._last_sent: dict[int, dict[str, Any]] = {}
        self._pending_queries: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, str] = {}
        self._known_file_ids: set[str] = set()
        self._file_counter: Iterator[int] = itertools.count(1)
        self._member_status: dict[tuple[int, int], str] = {}
        self._forbidden: dict[int, str] = {}
        self._faults: list[Fault] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeBotAPI:
        """Start serving in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stopping = False
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeBotAPI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes pending long polls (they answer with no updates)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotAPI:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    # ------------------------------------------------------------------ identity
    @property
    def port(self) -> int:
        """The ephemeral TCP port (server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not started")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: ``http://127.0.0.1:PORT/bot``."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"{self.root_url}/file/bot"

    @property
    def api_url(self) -> str:
        """``base_url + token``: append ``/<method>`` for raw calls."""
        return f"{self.base_url}{self.token}"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` dict as it appears in messages (``from``)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ feeding
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue ``update`` for getUpdates; returns the queued copy.

        ``update_id`` is kept if larger than the last one, else renumbered (also assigned when
        missing).  Chats, users, message ids, query ids and file ids in the update are learnt.
        """
        update = json.loads(json.dumps(update))
        with self._cond:
            uid = update.get("update_id")
            if not isinstance(uid, int) or uid <= self._last_update_id:
                uid = max(self._last_update_id + 1, upd.next_update_id())
            update["update_id"] = uid
            self._last_update_id = uid
            self._learn(update)
            self._queue.append(update)
            self._cond.notify_all()
        return update

    def _learn(self, obj: Any, key: str = "") -> None:
        if isinstance(obj, list):
            for item in obj:
                self._learn(item, key)
            return
        if not isinstance(obj, dict):
            return
        if key in ("chat", "sender_chat") and isinstance(obj.get("id"), int) and "type" in obj:
            self._chats[obj["id"]] = {**self._chats.get(obj["id"], {}), **obj}
        if key == "from" and isinstance(obj.get("id"), int):
            self._users[obj["id"]] = obj
        chat = obj.get("chat")
        if isinstance(obj.get("message_id"), int) and isinstance(chat, dict):
            cid = chat.get("id")
            if isinstance(cid, int):
                self._known_message_ids.add((cid, obj["message_id"]))
                upd.bump_message_id(cid, obj["message_id"])
        if key in ("callback_query", "inline_query", "shipping_query", "pre_checkout_query"):
            qid = obj.get("id")
            if isinstance(qid, str):
                self._pending_queries.add(qid)
        if isinstance(obj.get("file_id"), str):
            self._known_file_ids.add(obj["file_id"])
        for sub_key, value in obj.items():
            self._learn(value, sub_key)

    def register_chat(
        self,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Declare a chat (type/title/username) without pushing an update."""
        chat = upd.chat(chat_id, chat_type, title=title, username=username)
        with self._lock:
            self._chats[chat_id] = chat
        return chat

    def add_file(
        self, file_id: str, content: bytes, file_name: str, mime_type: str | None = None
    ) -> dict[str, Any]:
        """Register a downloadable file; returns a ``Document`` dict for building updates."""
        with self._lock:
            stored = self._store_file(content, file_name, mime_type, file_id=file_id)
        return self._document_dict(stored)

    def _store_file(
        self,
        content: bytes,
        file_name: str,
        mime_type: str | None,
        *,
        file_id: str | None = None,
        folder: str = "documents",
    ) -> _StoredFile:
        n = next(self._file_counter)
        fid = file_id or f"BQACAgIAAxkBAAI{n:06d}{self.bot_id}"
        suffix = Path(file_name).suffix or ""
        stored = _StoredFile(
            file_id=fid,
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"{folder}/file_{n}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type or _guess_mime(file_name),
        )
        self._files[fid] = stored
        self._file_paths[stored.file_path] = fid
        self._known_file_ids.add(fid)
        return stored

    @staticmethod
    def _document_dict(stored: _StoredFile) -> dict[str, Any]:
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }

    def file_content(self, file_id: str) -> bytes:
        """Bytes of a registered or bot-uploaded file."""
        with self._lock:
            return self._files[file_id].content

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember answers (creator/administrator/member/restricted/left/kicked)."""
        if status not in _STATUS_TYPES:
            raise ValueError(f"unknown status {status!r}")
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    def set_forbidden(
        self, chat_id: int, description: str | None = "Forbidden: bot was blocked by the user"
    ) -> None:
        """Make sends to ``chat_id`` fail with 403 (None clears)."""
        with self._lock:
            if description is None:
                self._forbidden.pop(chat_id, None)
            else:
                self._forbidden[chat_id] = description

    # ------------------------------------------------------------------ faults
    def inject(self, method: str, kind: str, times: int = 1, **options: Any) -> Fault:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail with ``kind``
        (with ``chat_id=...``: only calls for that chat).

        Kinds: "429" (``retry_after=1``), "500", "502" (nginx HTML body), "drop" (connection
        closed without response, the call not carried out), "slow" (``delay=1.0`` seconds,
        then normal answer), "accepted_drop" (the call carried out and recorded, then the
        connection closed without response: Telegram took it, the bot cannot know),
        "migrated" (400 with ``migrate_to_chat_id=new_chat_id``, as for a group that
        became a supergroup).
        """
        return self._add_fault(Fault(method.lower(), _check_kind(kind), times, options=options))

    def inject_random(
        self, method: str, kind: str, probability: float, seed: int = 0, **options: Any
    ) -> Fault:
        """Fail each call of ``method`` ("*" = any) with ``probability`` (seeded RNG)."""
        fault = Fault(
            method.lower(), _check_kind(kind), None, probability, random.Random(seed), options
        )
        return self._add_fault(fault)

    def _add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove all injected faults."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: dict[str, Any] | None = None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, params):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # ------------------------------------------------------------------ assertions
    def sent(
        self, method: str | None = None, chat_id: int | str | None = None
    ) -> list[dict[str, Any]]:
        """Params of successful calls, optionally filtered by method and chat_id."""
        with self._lock:
            records = list(self.requests)
        return [
            r.params
            for r in records
            if r.ok
            and (method is None or r.method.lower() == method.lower())
            and (chat_id is None or str(r.params.get("chat_id")) == str(chat_id))
        ]

    def results(self, method: str | None = None) -> list[Any]:
        """Results returned by successful calls of ``method``."""
        with self._lock:
            records = list(self.requests)
        return [
            r.result
            for r in records
            if r.ok and (method is None or r.method.lower() == method.lower())
        ]

    def last_sent(self, chat_id: int) -> dict[str, Any]:
        """The latest ``Message`` dict the fake returned for a send to ``chat_id``."""
        with self._lock:
            return _copy(self._last_sent[int(chat_id)])

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Current state of a bot-sent message (after edits)."""
        with self._lock:
            return _copy(self._messages[(chat_id, message_id)])

    def pending_updates(self) -> int:
        """Number of queued, unconfirmed updates."""
        with self._lock:
            return len(self._queue)

    def _matching(self, what: str | Predicate) -> list[RecordedRequest]:
        with self._lock:
            records = list(self.requests)
        if isinstance(what, str):
            return [r for r in records if r.ok and r.method.lower() == what.lower()]
        return [r for r in records if what(r)]

    def _timeout_message(self, what: str | Predicate, count: int, timeout: float) -> str:
        with self._lock:
            tail = [(r.method, r.status, r.description) for r in self.requests[-10:]]
        label = what if isinstance(what, str) else getattr(what, "__name__", "predicate")
        return f"timed out after {timeout}s waiting for {count}x {label}; last requests: {tail}"

    async def wait_for(
        self, what: str | Predicate, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        """Wait (asyncio) until ``count`` records match; returns the matching records.

        ``what`` is a method name (successful calls only) or a predicate over
        :class:`RecordedRequest` (sees every call, including failures).
        Raises AssertionError on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(what)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, count, timeout))
            await asyncio.sleep(0.01)

    def wait_for_sync(
        self, what: str | Predicate, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        """Blocking variant of :meth:`wait_for`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(what)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, count, timeout))
            time.sleep(0.01)

    # ------------------------------------------------------------------ webhooks
    def _webhook_headers(self, secret_token: str | None) -> dict[str, str]:
        secret = self.webhook.get("secret_token") if secret_token is None else secret_token
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return headers

    async def post_update_to_webhook(
        self, url: str, update: dict[str, Any], secret_token: str | None = None
    ) -> int:
        """POST ``update`` to the bot's webhook ``url``; returns the HTTP status.

        ``secret_token=None`` sends the one registered via setWebhook (if any); "" sends none.
        """
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                url,
                content=json.dumps(update).encode(),
                headers=self._webhook_headers(secret_token),
            )
        return response.status_code

    def post_update_to_webhook_sync(
        self, url: str, update: dict[str, Any], secret_token: str | None = None
    ) -> int:
        """Blocking variant of :meth:`post_update_to_webhook`."""
        with httpx.Client(timeout=10) as client:
            response = client.post(
                url,
                content=json.dumps(update).encode(),
                headers=self._webhook_headers(secret_token),
            )
        return response.status_code

    # ------------------------------------------------------------------ HTTP core
    def _record(self, record: RecordedRequest, *, bot_error: bool) -> None:
        with self._lock:
            self.requests.append(record)
            if bot_error:
                self.errors.append(record)

    def _handle(self, verb: str, raw_path: str, content_type: str, body: bytes) -> _Response:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        if path.startswith("/file/bot"):
            return self._serve_file(path[len("/file/bot") :])
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if match is None:
            return _Response.json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method_name = match.groups()
        now = time.time()
        if token != self.token:
            err = ApiError(401, "Unauthorized")
            self._record(
                RecordedRequest(method_name, {}, 401, now, description=err.description),
                bot_error=True,
            )
            return _Response.json(401, err.payload())
        method = self.spec.canonical_method(method_name)
        if method is None:
            err = ApiError(404, "Not Found")
            self._record(
                RecordedRequest(method_name, {}, 404, now, description=err.description),
                bot_error=True,
            )
            return _Response.json(404, err.payload())
        params: dict[str, Any] = {}
        encoding = "none"
        try:
            params, encoding = parse_body(content_type, body, parts.query)
        except ApiError as exc:
            self._record(
                RecordedRequest(method, params, exc.code, now, description=exc.description),
                bot_error=True,
            )
            return _Response.json(exc.code, exc.payload())

        fault = self._take_fault(method, params)
        if fault is not None:
            response = self._apply_fault(fault, method, params, now, encoding)
            if response is not None:
                return response

        try:
            normalised = self.spec.validate(method, params)
            params = normalised
            result = self._dispatch(method, params)
        except ApiError as exc:
            self._record(
                RecordedRequest(
                    method, params, exc.code, now, description=exc.description, encoding=encoding
                ),
                bot_error=400 <= exc.code < 500,
            )
            return _Response.json(exc.code, exc.payload())
        self._record(
            RecordedRequest(
                method,
                params,
                200,
                now,
                result=result,
                fault=fault.kind if fault else None,
                encoding=encoding,
            ),
            bot_error=False,
        )
        if fault is not None and fault.kind == "accepted_drop":
            return _Response(0, b"", drop=True)
        return _Response.json(200, {"ok": True, "result": result})

    def _apply_fault(
        self, fault: Fault, method: str, params: dict[str, Any], now: float, encoding: str
    ) -> _Response | None:
        opts = fault.options
        if fault.kind == "slow":
            time.sleep(float(opts.get("delay", 1.0)))
            return None
        if fault.kind == "accepted_drop":
            return None  # carried out normally; the answer is dropped in _handle
        if fault.kind == "migrated":
            new_id = int(opts.get("new_chat_id", -1_000_000_000_001))
            err = ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": new_id})
            self._record(
                RecordedRequest(method, params, 400, now, description=err.description,
                                fault=fault.kind, encoding=encoding),
                bot_error=False,
            )
            return _Response.json(400, err.payload())
        if fault.kind == "429":
            retry_after = int(opts.get("retry_after", 1))
            err = ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
            response = _Response.json(429, err.payload())
            status, description = 429, err.description
        elif fault.kind == "500":
            err = ApiError(500, str(opts.get("description", "Internal Server Error")))
            response = _Response.json(500, err.payload())
            status, description = 500, err.description
        elif fault.kind == "502":
            body = b"" if opts.get("empty") else _NGINX_502
            response = _Response(502, body, "text/html")
            status, description = 502, "Bad Gateway"
        else:  # drop
            response = _Response(0, b"", drop=True)
            status, description = 0, "connection dropped"
        self._record(
            RecordedRequest(
                method,
                params,
                status,
                now,
                description=description,
                fault=fault.kind,
                encoding=encoding,
            ),
            bot_error=False,
        )
        return response

    def _serve_file(self, rest: str) -> _Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _Response.json(401, ApiError(401, "Unauthorized").payload())
        with self._lock:
            fid = self._file_paths.get(file_path)
            stored = self._files.get(fid) if fid else None
        if stored is None:
            return _Response.json(404, ApiError(404, "Not Found").payload())
        return _Response(200, stored.content, stored.mime_type)

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return self._api_get_updates(params)
        with self._lock:
            handler = getattr(self, f"_api_{_snake(method)}", None)
            if handler is not None:
                return handler(params)
            if (method.startswith("send") or method == "forwardMessage") and "chat_id" in params:
                return self._send(params, self._media_content(params))
            return self._generic_result(method, params)

    def _generic_result(self, method: str, params: dict[str, Any]) -> Any:
        returns: list[str] = self.spec.methods[method].get("returns", ["Boolean"])
        first = returns[0]
        if first in ("Boolean", "True"):
            return True
        if first == "Message":
            if "chat_id" in params and "message_id" in params:
                return self._edit(params, {})
            return True
        if first == "MessageId":
            cid = self._resolve_chat(params.get("chat_id", 0))["id"]
            return {"message_id": upd.next_message_id(cid)}
        return self.spec.fabricate(first)

    # -------------------------------------------------------------- chats & users
    def _resolve_chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == chat_id[1:].lower():
                    return chat
            raise bad_request("chat not found")
        try:
            cid = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise bad_request("chat not found") from exc
        if cid in self._chats:
            return self._chats[cid]
        if cid > 0:
            chat_type = "private"
        elif cid <= -1_000_000_000_000:
            chat_type = "supergroup"
        else:
            chat_type = "group"
        chat = upd.chat(cid, chat_type)
        self._chats[cid] = chat
        return chat

    @staticmethod
    def _short_chat(chat: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "type", "title", "username", "first_name", "last_name", "is_forum")
        return {k: chat[k] for k in keys if k in chat}

    def _check_forbidden(self, chat_id: int) -> None:
        if chat_id in self._forbidden:
            raise ApiError(403, self._forbidden[chat_id])

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            return self.bot_user
        return self._users.get(user_id) or upd.user(user_id)

    # -------------------------------------------------------------- messages
    @staticmethod
    def _plain(params: dict[str, Any], key: str) -> str:
        text = params.get(key)
        if not isinstance(text, str):
            return ""
        if str(params.get("parse_mode", "")).lower() == "html":
            with contextlib.suppress(HTMLParseError):
                return check_html(text)
        return text

    def _send(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat = self._resolve_chat(params["chat_id"])
        self._check_forbidden(chat["id"])
        message: dict[str, Any] = {"message_id": upd.next_message_id(chat["id"])}
        if chat["type"] == "channel":
            message["sender_chat"] = self._short_chat(chat)
        else:
            message["from"] = self.bot_user
        message["chat"] = self._short_chat(chat)
        message["date"] = int(time.time())
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
        reply_to = self._reply_target(chat["id"], params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if "text" in params:
            message["text"] = self._plain(params, "text")
        if "caption" in params:
            message["caption"] = self._plain(params, "caption")
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        key = (chat["id"], message["message_id"])
        self._messages[key] = message
        self._known_message_ids.add(key)
        self._last_sent[chat["id"]] = message
        return message

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        target: int | None = None
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            target = reply_parameters.get("message_id")
            if "chat_id" in reply_parameters:
                return None
        if target is None:
            return None
        lenient = isinstance(reply_parameters, dict) and reply_parameters.get(
            "allow_sending_without_reply"
        )
        if self.strict and (chat_id, target) not in self._known_message_ids and not lenient:
            raise bad_request("message to be replied not found")
        stored = self._messages.get((chat_id, target))
        if stored is not None:
            return {k: v for k, v in stored.items() if k != "reply_to_message"}
        return {"message_id": target, "chat": self._short_chat(self._chats[chat_id]), "date": 0}

    def _media_content(self, params: dict[str, Any]) -> dict[str, Any]:
        content: dict[str, Any] = {}
        for key, type_name in _MEDIA_TYPES.items():
            if key in params:
                fid, unique, size, name = self._media_file(params[key], key)
                obj = self.spec.fabricate(type_name)
                obj.update({"file_id": fid, "file_unique_id": unique, "file_size": size})
                if key in ("audio", "video", "animation") and name:
                    obj["file_name"] = name
                content[key] = obj
        return content

    def _media_file(self, value: Any, folder: str) -> tuple[str, str, int, str]:
        if isinstance(value, UploadedFile):
            stored = self._store_file(
                value.data, value.filename, value.content_type or None, folder=folder
            )
            return stored.file_id, stored.file_unique_id, len(value.data), value.filename
        value = str(value)
        if value in self._files:
            stored = self._files[value]
            return stored.file_id, stored.file_unique_id, len(stored.content), stored.file_name
        if value.startswith(("http://", "https://")):
            n = next(self._file_counter)
            name = value.rsplit("/", 1)[-1]
            return f"URLFILE{n:06d}", f"AgADU{n:05d}", 1000, name
        if value in self._known_file_ids:
            return value, f"AgADK{abs(hash(value)) % 10**6:06d}", 1000, ""
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _edit(self, params: dict[str, Any], changes: dict[str, Any]) -> Any:
        if "inline_message_id" in params:
            return True
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        key = (chat["id"], int(params["message_id"]))
        stored = self._messages.get(key)
        if stored is None:
            if self.strict:
                if key in self._known_message_ids:
                    raise bad_request("message can't be edited")
                raise bad_request("message to edit not found")
            stored = {
                "message_id": key[1],
                "from": self.bot_user,
                "chat": self._short_chat(chat),
                "date": int(time.time()),
            }
        updated = {k: v for k, v in stored.items() if k not in ("reply_markup", "edit_date")}
        updated.update(changes)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            updated["reply_markup"] = markup
        same = all(stored.get(k) == updated.get(k) for k in ("text", "caption", "reply_markup"))
        if same and all(stored.get(k) == v for k, v in changes.items()):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        updated["edit_date"] = int(time.time())
        self._messages[key] = updated
        if self._last_sent.get(key[0], {}).get("message_id") == key[1]:
            self._last_sent[key[0]] = updated
        return updated

    # -------------------------------------------------------------- method handlers
    def _api_get_me(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_updates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset")
        limit = int(params.get("limit", 100))
        if not 1 <= limit <= 100:
            limit = 100
        timeout = max(0.0, float(params.get("timeout", 0)))
        deadline = time.monotonic() + timeout
        with self._cond:
            if self.webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if "allowed_updates" in params:
                allowed = params["allowed_updates"]
                self._allowed_updates = list(allowed) if allowed else None
            self._poll_generation += 1
            generation = self._poll_generation
            if isinstance(offset, int):
                if offset < 0:
                    self._queue = self._queue[offset:]
                else:
                    self._queue = [u for u in self._queue if u["update_id"] >= offset]
            while True:
                self._filter_allowed()
                if self._queue or self._stopping or generation != self._poll_generation:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if generation != self._poll_generation:
                return []  # superseded by a newer getUpdates call
            return json.loads(json.dumps(self._queue[:limit]))

    def _filter_allowed(self) -> None:
        allowed = self._allowed_updates
        kept: list[dict[str, Any]] = []
        for update in self._queue:
            kinds = [k for k in update if k != "update_id"]
            kind = kinds[0] if kinds else ""
            ok = kind in allowed if allowed else kind not in _OPT_IN_UPDATES
            if ok:
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        self._queue = kept

    def _api_send_message(self, params: dict[str, Any]) -> Any:
        return self._send(params, {})

    def _api_send_photo(self, params: dict[str, Any]) -> Any:
        fid, unique, size, _ = self._media_file(params["photo"], "photos")
        sizes = [
            {
                "file_id": f"{fid}_s",
                "file_unique_id": f"{unique}s",
                "file_size": max(1, size // 10),
                "width": 90,
                "height": 90,
            },
            {
                "file_id": fid,
                "file_unique_id": unique,
                "file_size": size,
                "width": 800,
                "height": 800,
            },
        ]
        return self._send(params, {"photo": sizes})

    def _api_send_document(self, params: dict[str, Any]) -> Any:
        value = params["document"]
        if isinstance(value, UploadedFile):
            stored = self._store_file(value.data, value.filename, value.content_type or None)
            document = self._document_dict(stored)
        else:
            fid, unique, size, name = self._media_file(value, "documents")
            document = {"file_id": fid, "file_unique_id": unique, "file_size": size}
            if name:
                document["file_name"] = name
        return self._send(params, {"document": document})

    def _api_send_media_group(self, params: dict[str, Any]) -> Any:
        messages = []
        for item in params["media"]:
            kind = item.get("type", "document")
            media_ref = item.get("media", "")
            if isinstance(media_ref, str) and media_ref.startswith("attach://"):
                media_ref = params.get(media_ref[len("attach://") :], media_ref)
            fid, unique, size, _ = self._media_file(media_ref, kind)
            if kind == "photo":
                content: dict[str, Any] = {
                    "photo": [
                        {
                            "file_id": fid,
                            "file_unique_id": unique,
                            "file_size": size,
                            "width": 800,
                            "height": 800,
                        }
                    ]
                }
            else:
                content = {kind: {"file_id": fid, "file_unique_id": unique, "file_size": size}}
            sub = {
                "chat_id": params["chat_id"],
                **{k: v for k, v in item.items() if k in ("caption", "parse_mode")},
            }
            msg = self._send(sub, content)
            msg["media_group_id"] = str(abs(hash(str(params["media"]))) % 10**17)
            messages.append(msg)
        return messages

    def _api_edit_message_text(self, params: dict[str, Any]) -> Any:
        return self._edit(params, {"text": self._plain(params, "text")})

    def _api_edit_message_caption(self, params: dict[str, Any]) -> Any:
        return self._edit(params, {"caption": self._plain(params, "caption")})

    def _api_edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        return self._edit(params, {})

    def _api_delete_message(self, params: dict[str, Any]) -> Any:
        chat = self._resolve_chat(params["chat_id"])
        key = (chat["id"], int(params["message_id"]))
        if self.strict and key not in self._known_message_ids:
            raise bad_request("message to delete not found")
        self._known_message_ids.discard(key)
        self._messages.pop(key, None)
        return True

    def _answer_query(self, params: dict[str, Any], key: str) -> Any:
        qid = params[key]
        if self.strict:
            if qid not in self._pending_queries:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._pending_queries.discard(qid)
        return True

    def _api_answer_callback_query(self, params: dict[str, Any]) -> Any:
        return self._answer_query(params, "callback_query_id")

    def _api_answer_inline_query(self, params: dict[str, Any]) -> Any:
        return self._answer_query(params, "inline_query_id")

    def _api_send_chat_action(self, params: dict[str, Any]) -> Any:
        chat = self._resolve_chat(params["chat_id"])
        self._check_forbidden(chat["id"])
        return True

    def _scope_key(self, params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code", "")], sort_keys=True)

    def _api_set_my_commands(self, params: dict[str, Any]) -> Any:
        self.commands[self._scope_key(params)] = params["commands"]
        return True

    def _api_delete_my_commands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _api_get_my_commands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._scope_key(params), [])

    def _api_set_my_description(self, params: dict[str, Any]) -> Any:
        if len(params.get("description", "")) > 512:
            raise bad_request("description is too long")
        self.descriptions["description:" + params.get("language_code", "")] = params.get(
            "description", ""
        )
        return True

    def _api_set_my_short_description(self, params: dict[str, Any]) -> Any:
        if len(params.get("short_description", "")) > 120:
            raise bad_request("short description is too long")
        self.descriptions["short_description:" + params.get("language_code", "")] = params.get(
            "short_description", ""
        )
        return True

    def _api_get_my_description(self, params: dict[str, Any]) -> Any:
        lang = params.get("language_code", "")
        return {"description": self.descriptions.get("description:" + lang, "")}

    def _api_get_my_short_description(self, params: dict[str, Any]) -> Any:
        lang = params.get("language_code", "")
        return {"short_description": self.descriptions.get("short_description:" + lang, "")}

    def _api_set_webhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url", "")
        if url and not url.startswith("https://") and not self.allow_http_webhook:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        connections = params.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if url:
            self.webhook = dict(params)
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"]) or None
        else:
            self.webhook = {}
        self._cond.notify_all()
        return True

    def _api_delete_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = {}
        return True

    def _api_get_webhook_info(self, params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": "certificate" in self.webhook,
            "pending_update_count": len(self._queue),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            info["ip_address"] = "127.0.0.1"
            if "allowed_updates" in self.webhook:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _api_get_chat_member(self, params: dict[str, Any]) -> Any:
        chat = self._resolve_chat(params["chat_id"])
        user_id = int(params["user_id"])
        status = self._member_status.get((chat["id"], user_id))
        if status is None:
            if chat["type"] == "private":
                status = "member"
            elif user_id == self.bot_id and chat["type"] == "channel":
                status = "administrator"
            else:
                status = "member"
        return self._chat_member(status, user_id, chat)

    def _chat_member(self, status: str, user_id: int, chat: dict[str, Any]) -> dict[str, Any]:
        type_name = _STATUS_TYPES[status]
        member: dict[str, Any] = {"status": status, "user": self._user(user_id)}
        for fdef in self.spec.types[type_name]["fields"]:
            name = fdef["name"]
            if name in member or not fdef["required"]:
                continue
            if fdef["types"] == ["Boolean"]:
                member[name] = name not in ("is_anonymous", "can_be_edited")
            else:
                member[name] = self.spec.fabricate(fdef["types"][0])
        if status == "administrator" and chat["type"] == "channel":
            member.update(can_post_messages=True, can_edit_messages=True)
        return member

    def _api_get_chat_administrators(self, params: dict[str, Any]) -> Any:
        chat = self._resolve_chat(params["chat_id"])
        members = [
            self._chat_member(status, uid, chat)
            for (cid, uid), status in self._member_status.items()
            if cid == chat["id"] and status in ("creator", "administrator")
        ]
        return members

    def _api_get_chat(self, params: dict[str, Any]) -> Any:
        chat = self._resolve_chat(params["chat_id"])
        full = self.spec.fabricate("ChatFullInfo")
        full.update(accent_color_id=0, max_reaction_count=11)
        full.update(chat)
        return full

    def _api_get_file(self, params: dict[str, Any]) -> Any:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _api_log_out(self, params: dict[str, Any]) -> Any:
        return True

    def _api_close(self, params: dict[str, Any]) -> Any:
        return True


def _copy(obj: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(obj))
    return copied


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _check_kind(kind: str) -> str:
    kind = str(kind)
    if kind not in _FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(_FAULT_KINDS)}")
    return kind


def _guess_mime(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"
