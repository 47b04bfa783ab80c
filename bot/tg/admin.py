"""Admin commands in Telegram: add, alias, edit, translate, delete, undo, history, unanswered, import,
export, stats, grant and revoke.

Identity is the sender's numeric user id (``PKITBOT_ADMINS`` plus admins granted with
/grant), never a username; forwarded messages and posts sent on behalf of a chat are not
accepted as commands. Admin commands work in a private chat only. A refused attempt changes
nothing and is recorded.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import io
import logging
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.core.formatting import answer_html, esc, fit
from bot.core.probe import probe, report
from bot.errors import AdminError, EditConflict, KnowledgeError
from bot.kb import Knowledge, Store
from bot.kb.editing import (
    AddRequest,
    add_alias,
    add_entry,
    edit_entry,
    effective_admins,
    get_entry,
    group_unanswered,
    missing_translations_note,
    parse_add,
    parse_user_id,
    translate_entry,
)
from bot.kb.files import MAX_IMPORT_BYTES, parse_document, write_document
from bot.kb.store import ImportBase
from bot.kb.usage import storage_unavailable
from bot.tg.chart import questions_chart
from bot.tg.keyboards import data, label
from bot.tg.replies import send_reply, strip_command
from bot.tg.state import BotState, Context

log = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 25
CHART_DAYS = 14


def admin_ids(st: BotState) -> set[int]:
    """``PKITBOT_ADMINS``, and those granted by an admin still in it (see effective_admins)."""
    return effective_admins(st.settings.admins, st.store.chats.granted_admins())


def actor(user: User) -> str:
    return f"telegram:{user.id}"


async def _admin(update: Update, context: Context, command: str) -> User | None:
    """The admin who sent this command, or None after telling the sender why not."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    st = context.state
    if message.forward_origin is not None or message.sender_chat is not None:
        await send_reply(st, message, "Admin commands must be sent by you, not forwarded or posted "
                         "on behalf of a chat. Nothing was changed.")
        return None
    if user.id not in admin_ids(st):
        st.store.chats.record_attempt(user.id, command)
        st.metrics["admin_refused"] += 1
        await send_reply(st, message, f"Sorry, /{esc(command)} is for the bot's admins only. "
                         "Nothing was changed.")
        return None
    if message.chat.type != ChatType.PRIVATE:
        await send_reply(st, message, "Please use admin commands in a private chat with me.")
        return None
    return user


def _args(message: Message) -> str:
    return strip_command(message.text or message.caption or "")


AdminAction = Callable[[Message, User, BotState], Awaitable[None]]
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admin_command(name: str) -> Callable[[AdminAction], Handler]:
    """Turn ``action(message, user, state)`` into a handler that only admins get through."""

    def wrap(action: AdminAction) -> Handler:
        @functools.wraps(action)
        async def handler(update: Update, context: Context) -> None:
            user = await _admin(update, context, name)
            if user is not None and update.effective_message is not None:
                await action(update.effective_message, user, context.state)

        return handler

    return wrap


async def _fail(st: BotState, message: Message, exc: Exception) -> None:
    await send_reply(st, message, f"⚠️ {esc(str(exc))}. Nothing was changed.")


def _preview(st: BotState, entry_id: str) -> str:
    entry = st.engine.entry(entry_id)
    return answer_html(st.engine.answer_for(entry)) if entry else ""


@admin_command("add")
async def add(message: Message, user: User, st: BotState) -> None:
    """``/add question | answer | source title [| url]``: a new entry."""
    try:
        request: AddRequest = parse_add(_args(message))
        entry = add_entry(st.store, request, actor=actor(user), via="telegram")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    found = _findability(st, entry.id)
    preview = _preview(st, entry.id)
    if len(preview) + len(found) > PREVIEW_ROOM:  # one message: the checks matter more
        preview = "(the answer is too long to preview here; /source shows it)"
    missing = missing_translations_note([entry])
    await send_reply(st, message, f"✅ Added <b>#{esc(entry.id)}</b>. Users will see:\n\n"
                     + preview + "\n\n" + found + (f"\n\n🌐 {esc(missing)}" if missing else ""))


PREVIEW_ROOM = 3900  # a preview and the findability lines, within one Telegram message


def _findability(st: BotState, entry_id: str) -> str:
    """What the bot now answers to the entry's question and its automatic variants."""
    return "\n".join(esc(line) for line in report(probe(st.engine, entry_id), entry_id))


@admin_command("alias")
async def alias(message: Message, user: User, st: BotState) -> None:
    """``/alias <id> <alternate question>``."""
    parts = _args(message).split(None, 1)
    try:
        if len(parts) < 2:
            raise AdminError("use: /alias ID alternate question")
        entry = add_alias(st.store, parts[0], parts[1], actor=actor(user),
                          via="telegram")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    await send_reply(st, message, f"✅ #{esc(entry.id)} now also answers “{esc(parts[1])}”.\n\n"
                     + _findability(st, entry.id))


@admin_command("edit")
async def edit(message: Message, user: User, st: BotState) -> None:
    """``/edit <id> <field> <new value>`` (question, answer, topic, source, url, figure)."""
    parts = _args(message).split(None, 2)
    try:
        if len(parts) < 3:
            raise AdminError("use: /edit ID FIELD NEW VALUE; fields: question, answer, topic, "
                             "source, url, figure")
        entry = edit_entry(st.store, parts[0], parts[1], parts[2], actor=actor(user),
                           via="telegram")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    await send_reply(st, message, f"✅ Updated the {esc(parts[1].casefold())} of <b>#{esc(entry.id)}"
                     "</b>. Users will see:\n\n" + _preview(st, entry.id))


@admin_command("translate")
async def translate(message: Message, user: User, st: BotState) -> None:
    """``/translate <id> ur|roman <answer>``: an entry's curated Urdu or Roman Urdu answer."""
    parts = _args(message).split(None, 2)
    try:
        if len(parts) < 3:
            raise AdminError("use: /translate ID ur|roman ANSWER (the whole answer in Urdu "
                             "script or Roman Urdu, keeping every figure)")
        entry = translate_entry(st.store, parts[0], parts[1], parts[2], actor=actor(user),
                                via="telegram")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    lang = parts[1].strip().casefold()
    shown = st.engine.entry(entry.id)  # the engine reloads on the store's new version
    preview = answer_html(st.engine.answer_for(shown), lang) if shown else ""
    await send_reply(st, message, f"✅ Updated the {esc(lang)} answer of <b>#{esc(entry.id)}</b>"
                     " (/undo reverts it). Users will see:\n\n" + preview)


@admin_command("delete")
async def delete(message: Message, user: User, st: BotState) -> None:
    """``/delete <id>``: retire an entry (``/undo`` restores it)."""
    try:
        entry = get_entry(st.store, _args(message) or "?")
        st.store.delete(entry.id, actor=actor(user), via="telegram")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    await send_reply(st, message, f"🗑 Deleted #{esc(entry.id)}. /undo brings it back.")


@admin_command("undo")
async def undo(message: Message, user: User, st: BotState) -> None:
    """``/undo``: revert this admin's most recent change."""
    try:
        rev = st.store.undo(actor(user), via="telegram")
    except AdminError as exc:  # EditConflict: someone else changed the entry since
        await send_reply(st, message, f"⚠️ {esc(str(exc))}.")
        return
    if rev is None:
        await send_reply(st, message, "You have no change left to undo.")
        return
    await send_reply(st, message, f"↩️ Undid your {esc(rev.action)} of #{esc(rev.entry_id)} "
                     f"({esc(rev.at)}).")


@admin_command("history")
async def history(message: Message, user: User, st: BotState) -> None:
    """``/history <id>``: who changed an entry, how and when."""
    entry_id = _args(message).lstrip("#")
    if not entry_id or not st.store.exists(entry_id):
        await _fail(st, message, AdminError(f"there is no entry #{entry_id[:40]}"))
        return
    revisions = st.store.history(entry_id, limit=15)
    lines = [f"<b>History of #{esc(entry_id)}</b>"]
    for rev in revisions:
        undone = " (undone)" if rev.undone else ""
        lines.append(f"• {esc(rev.at)} — {esc(rev.action)} by {esc(rev.actor)} via "
                     f"{esc(rev.via)}{undone}")
    await send_reply(st, message, "\n".join(lines))


@admin_command("unanswered")
async def unanswered(message: Message, user: User, st: BotState) -> None:
    """``/unanswered``: most-asked unanswered questions, each with fix-it buttons."""
    groups = group_unanswered(st.store.usage.unanswered(200), limit=5)
    if not groups:
        await send_reply(st, message, "No unanswered questions right now. 🎉")
        return
    for group in groups:
        text = f"❓ <b>{esc(group.question)}</b> — asked {group.count}×"
        if group.variants:
            text += "\nAlso: " + "; ".join(esc(v) for v in group.variants)
        rows = [[InlineKeyboardButton(f"➕ alias to: {label(c.question)}",
                                      callback_data=data("u", "a", str(group.ids[0]), c.entry_id))]
                for c in st.engine.matcher.match(group.question).candidates[:3]]
        rows.append([InlineKeyboardButton("🗑 Dismiss",
                                          callback_data=data("u", "d", str(group.ids[0])))])
        await send_reply(st, message, text, InlineKeyboardMarkup(rows))


def _group_of(st: BotState, uid: int) -> tuple[int, ...] | None:
    for group in group_unanswered(st.store.usage.unanswered(500), limit=500):
        if uid in group.ids:
            return group.ids
    return None


async def unanswered_button(update: Update, context: Context,
                            parts: list[str]) -> None:
    """Act on an unanswered-question button: add as alias, or dismiss."""
    query = update.callback_query
    assert query is not None
    st = context.state
    if query.from_user.id not in admin_ids(st):
        await query.answer("Only the bot's admins can do that.")
        return
    if len(parts) < 3 or not parts[2].isdigit() or (ids := _group_of(st, int(parts[2]))) is None:
        await query.answer("That question was already handled.")
        return
    rows = {r["id"]: r for r in st.store.usage.unanswered(500)}
    if parts[1] == "a" and len(parts) == 4:
        try:
            add_alias(st.store, parts[3], str(rows[ids[0]]["question"]),
                      actor=actor(query.from_user), via="telegram")
        except AdminError as exc:
            await query.answer(str(exc)[:190])
            return
        for uid in ids:
            st.store.usage.set_unanswered_status(uid, "resolved")
        await query.answer("Added as an alias.")
        await query.edit_message_text(f"✅ Now answered by #{esc(parts[3])}: "
                                      f"{esc(str(rows[ids[0]]['question']))}")
    elif parts[1] == "d":
        for uid in ids:
            st.store.usage.set_unanswered_status(uid, "dismissed")
        await query.answer("Dismissed.")
        await query.edit_message_text(f"🗑 Dismissed: {esc(str(rows[ids[0]]['question']))}")
    else:
        await query.answer("That button is out of date.")


def _summary(counts: dict[str, int], name: str) -> str:
    return (f"📄 <b>{esc(name)}</b> is valid.\nIf applied: {import_counts(counts)}.")


def import_counts(counts: dict[str, int]) -> str:
    """'1 new, 2 changed, 25 unchanged entries' and, if any, the sources it adds or changes."""
    text = (f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged "
            "entries")
    if counts.get("sources_new") or counts.get("sources_changed"):
        text += (f"; sources: {counts.get('sources_new', 0)} new, "
                 f"{counts.get('sources_changed', 0)} changed")
    return text


async def document(update: Update, context: Context) -> None:
    """A document sent privately: ``/import`` in its caption starts a checked, dry-run import."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    st = context.state
    caption = (message.caption or "").strip()
    if not caption.startswith("/import"):
        user = update.effective_user
        if user is not None and user.id in admin_ids(st):
            await send_reply(st, message, "To import this file, send it again with the caption "
                             "<code>/import</code>.")
        else:
            await send_reply(st, message, "I can only read text questions. Type your question.")
        return
    user = await _admin(update, context, "import")
    if user is None:
        return
    doc = message.document
    name = doc.file_name or "upload.yaml"
    if doc.file_size is not None and doc.file_size > MAX_IMPORT_BYTES:
        await _fail(st, message, AdminError(
            f"{name} is {doc.file_size // (1024 * 1024)} MB; imports are limited to "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB"))
        return
    raw = bytes(await (await doc.get_file()).download_as_bytearray())
    progress = Progress(f"Checking {name}")
    work = asyncio.create_task(asyncio.to_thread(_dry_run, st.store.path, raw, name, progress))
    status = await _with_progress(work, progress, message)
    try:
        knowledge, counts, base = await work
    except KnowledgeError as exc:
        shown = exc.problems[:MAX_PROBLEMS_SHOWN]
        more = len(exc.problems) - len(shown)
        lines = [f"⚠️ <b>{esc(name)}</b> was not imported; fix these and send it again:"]
        lines += [f"• {esc(str(p))}" for p in shown]
        if more:
            lines.append(f"… and {more} more.")
        await _say(st, message, status, fit("\n".join(lines)))
        return
    markup = _pending(st, user.id, knowledge, name, base)
    missing = missing_translations_note(knowledge.entries)
    await _say(st, message, status, _summary(counts, name)
               + (f"\n🌐 {esc(missing)}" if missing else ""), markup)


# -- imports run off the event loop, each in a thread with its own connection ------------

PROGRESS_FIRST = 2.0  # seconds before a long import gets a status message
PROGRESS_EVERY = 3.0  # seconds between its edits (well within Telegram's edit limits)


class Progress:
    """What an import's thread is doing, read by the event loop for the status message."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.started = time.monotonic()

    def text(self) -> str:
        return f"⏳ {esc(self.phase)}… ({time.monotonic() - self.started:.0f} s)"


def _thread_store(path: Path) -> Store:
    """A connection of this thread's own (sqlite3 connections never cross threads)."""
    store = Store(path, seed_default=False)
    store.db._supports_on_conflict = sqlite3.sqlite_version_info >= (3, 24, 0)
    return store


def _dry_run(path: Path, raw: bytes, name: str, progress: Progress,
             ) -> tuple[Knowledge, dict[str, int], ImportBase]:
    """Parse and check an import and compare it with the store (in a worker thread)."""
    store = _thread_store(path)
    try:
        knowledge = parse_document(raw, name, base_sources=store.sources())
        progress.phase = f"Comparing {len(knowledge.entries)} entries with the knowledge base"
        base = store.import_base(knowledge)
        return knowledge, Store._counts(knowledge, base), base
    finally:
        store.close()


def _apply(path: Path, knowledge: Knowledge, who: str, base: ImportBase,
           progress: Progress) -> dict[str, int]:
    """Apply a confirmed import in one transaction (in a worker thread); EditConflict if
    something it changes was edited since its dry run."""
    store = _thread_store(path)
    try:
        progress.phase = f"Applying {len(knowledge.entries)} entries"
        return store.apply_import(knowledge, actor=who, via="telegram", base=base)
    finally:
        store.close()


def _recheck(path: Path, knowledge: Knowledge, base: ImportBase,
             ) -> tuple[Knowledge, dict[str, int], ImportBase]:
    """After a conflict: the import narrowed to what it changes, compared afresh."""
    store = _thread_store(path)
    try:
        narrowed = base.changes(knowledge)
        fresh = store.import_base(narrowed)
        return narrowed, Store._counts(narrowed, fresh), fresh
    finally:
        store.close()


async def _with_progress(work: asyncio.Task[Any], progress: Progress,
                         message: Message | None = None, query: Any = None) -> Message | None:
    """Wait for ``work``; if it takes longer than :data:`PROGRESS_FIRST`, show its progress
    in one status message (a new reply to ``message``, or the button's own message for a
    ``query``) edited every :data:`PROGRESS_EVERY` seconds. Returns a new status message."""
    done, _ = await asyncio.wait([work], timeout=PROGRESS_FIRST)
    status: Message | None = None
    shown = ""
    while not done:
        text = progress.text()
        try:
            if text == shown:
                pass  # Telegram refuses an edit that changes nothing
            elif query is not None:
                await query.edit_message_text(text)
            elif status is None and message is not None:
                status = await message.reply_text(text)
            elif status is not None:
                await status.edit_text(text)
            shown = text
        except TelegramError as exc:  # progress is a courtesy: the import goes on
            log.warning("could not show an import's progress: %s", exc)
        done, _ = await asyncio.wait([work], timeout=PROGRESS_EVERY)
    return status


async def _say(st: BotState, message: Message, status: Message | None, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """The import's result: in its status message if it has one, else as a reply."""
    if status is not None:
        try:
            await status.edit_text(text, reply_markup=markup)
            return
        except TelegramError as exc:
            log.warning("could not edit an import's status message (%s); replying", exc)
    await send_reply(st, message, text, markup)


def _pending(st: BotState, user_id: int, knowledge: Knowledge, name: str,
             base: ImportBase) -> InlineKeyboardMarkup:
    """Keep a checked import with what it changes as of its dry run; Confirm/Cancel buttons."""
    key = secrets.token_hex(6)
    st.pending_imports[key] = (user_id, knowledge, name, base)
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Confirm", callback_data=data("i", "y", key)),
        InlineKeyboardButton("✖️ Cancel", callback_data=data("i", "n", key)),
    ]])


async def import_button(update: Update, context: Context,
                        parts: list[str]) -> None:
    """Confirm or cancel a pending import (only the admin who sent it)."""
    query = update.callback_query
    assert query is not None
    pending = context.state.pending_imports
    item = pending.get(parts[2]) if len(parts) == 3 else None
    if item is None or item[0] != query.from_user.id:
        await query.answer("That import is no longer pending.")
        return
    st = context.state
    if query.from_user.id not in admin_ids(st):
        await query.answer("Only the bot's admins can do that.")
        return
    del pending[parts[2]]
    _, knowledge, name, base = item
    if parts[1] != "y":
        await query.answer("Cancelled.")
        await query.edit_message_text(f"✖️ Import of {esc(name)} cancelled; nothing changed.")
        return
    await query.answer("Importing…")
    progress = Progress(f"Importing {name}")
    work = asyncio.create_task(asyncio.to_thread(
        _apply, st.store.path, knowledge, actor(query.from_user), base, progress))
    await _with_progress(work, progress, query=query)
    try:  # checked against what the dry run saw: a concurrent edit is never reverted
        counts = await work
    except EditConflict as exc:
        narrowed, fresh_counts, fresh = await asyncio.to_thread(
            _recheck, st.store.path, knowledge, base)
        markup = _pending(st, query.from_user.id, narrowed, name, fresh)
        await query.edit_message_text(
            f"⚠️ Not imported: {esc(str(exc))}. Nothing was changed.\n"
            f"As things are now: {import_counts(fresh_counts)}. Confirm again to "
            "apply it over the newer edits, or Cancel.", reply_markup=markup)
        return
    except sqlite3.OperationalError as exc:
        if not storage_unavailable(exc):
            raise
        pending[parts[2]] = item  # kept: the same Confirm works once the database does
        await query.edit_message_text(
            f"⚠️ {esc(name)} was not imported: the database cannot be written now "
            f"({esc(str(exc))}). Nothing was changed; press Confirm again in a moment.",
            reply_markup=query.message.reply_markup if isinstance(query.message, Message)
            else None)
        return
    # the engine reads the store's version at most every VERSION_CHECK_EVERY seconds for
    # another connection's commit (this import's thread): wait that out, then reload
    await asyncio.sleep(st.store.VERSION_CHECK_EVERY)
    st.engine.reload()
    if (rebuild := st.engine.rebuilding) is not None:  # a large import: rebuilt in a thread
        await asyncio.to_thread(rebuild.join)  # answering goes on from the old index meanwhile
        st.engine.reload()  # swapped in: the admin's next question finds the new entries
    await query.edit_message_text(f"✅ Imported {esc(name)}: {import_counts(counts)}.")


async def import_command(update: Update, context: Context) -> None:
    """``/import`` typed as text: explain how to send the file."""
    st = context.state
    if await _admin(update, context, "import") and update.effective_message:
        await send_reply(st, update.effective_message, "Send the YAML, JSON or CSV file as a document "
                         "with the caption <code>/import</code>; I'll check it and show what "
                         "would change before anything is applied.")


# The Bot API's limit for a document a bot sends (tests lower it rather than make 50 MB)
TELEGRAM_UPLOAD_LIMIT = 50 * 1000 * 1000


def _export(path: Path, limit: int) -> tuple[bytes | None, bool, int, int, int]:
    """The /export document, built in a worker thread with its own connection.

    Returns (body, gzipped, entries, sources, YAML size): the YAML itself when it fits
    ``limit``, else gzip-compressed when that fits, else no body. Written through a
    temporary file a batch of entries at a time, so only the document sent is in memory.
    """
    store = _thread_store(path)
    try:
        with tempfile.TemporaryFile() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            with store.read_snapshot():
                sources = store.sources()
                count = write_document(text, sources, store.iter_entries(), "yaml")
            text.flush()
            size = raw.tell()
            raw.seek(0)
            if size <= limit:
                return raw.read(), False, count, len(sources), size
            with tempfile.TemporaryFile() as packed:
                with gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=6) as gz:
                    shutil.copyfileobj(raw, gz, 1024 * 1024)
                if packed.tell() > limit:
                    return None, True, count, len(sources), size
                packed.seek(0)
                return packed.read(), True, count, len(sources), size
    finally:
        store.db.conn.close()


@admin_command("export")
async def export(message: Message, user: User, st: BotState) -> None:
    """``/export``: the whole knowledge base as a YAML document /import accepts."""
    limit = TELEGRAM_UPLOAD_LIMIT
    body, gzipped, count, sources, size = await asyncio.to_thread(_export, st.store.path, limit)
    megabytes = f"{size / 1e6:.1f} MB"
    if body is None:
        await send_reply(st, message, (
            f"Sorry, the export is too big to send: {count} entries make {megabytes} of YAML, "
            f"over Telegram's {limit / 1e6:g} MB limit for a bot's document even "
            "gzip-compressed. On the server, run <code>pkitbot kb export "
            "/tmp/pkitbot-export.yaml</code> (or .json, .csv) instead. Nothing was changed."))
        return
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    name = f"pkitbot-export-{stamp}.yaml"
    caption = f"{count} entries, {sources} sources. Re-import with /import."
    if gzipped:
        name += ".gz"
        caption = (f"{count} entries, {sources} sources, gzip-compressed: the YAML is "
                   f"{megabytes}, over Telegram's {limit / 1e6:g} MB limit for a bot's "
                   "document. Unpack it (gunzip) before /import or pkitbot kb import.")
    await message.reply_document(body, filename=name, caption=caption)


@admin_command("stats")
async def stats(message: Message, user: User, st: BotState) -> None:
    """``/stats``: questions asked, share answered, top entries and unanswered, a chart."""
    zone = st.settings.timezone
    data_ = st.store.usage.stats(CHART_DAYS, ZoneInfo(zone))
    lines = [f"<b>Questions</b>: {data_['asked']} asked, {data_['answered']} answered "
             f"({data_['answered_share']:.0%})",
             f"<b>Feedback</b>: 👍 {data_['feedback_up']} 👎 {data_['feedback_down']}",
             f"<b>Knowledge</b>: {data_['entries']} entries, {data_['sources']} sources"]
    if data_["top_entries"]:
        lines.append("<b>Top entries</b>: " + ", ".join(
            f"#{esc(r['entry_id'])} ({r['n']})" for r in data_["top_entries"]))
    if data_["top_unanswered"]:
        lines.append("<b>Top unanswered</b>: " + "; ".join(
            f"{esc(r['question'][:80])} ({r['count']})" for r in data_["top_unanswered"]))
    text = "\n".join(lines)
    days = [(date.fromisoformat(r["day"]), int(r["n"])) for r in data_["per_day"]]
    if any(n for _, n in days):  # drawn in a worker thread: the bot goes on answering
        chart = await asyncio.to_thread(questions_chart, days, zone)
        await message.reply_photo(chart, caption=f"Questions per day, last {CHART_DAYS} days "
                                  f"({esc(zone)})")
    await send_reply(st, message, text)


async def prune_log(context: Context) -> None:
    """The daily job: forget the text of questions older than ``PKITBOT_LOG_DAYS`` days."""
    st = context.state
    st.store.usage.prune(st.settings.log_days)


def _env_admin_only(st: BotState, user: User, command: str) -> AdminError | None:
    if user.id in st.settings.admins:
        return None
    return AdminError(f"only the admins in PKITBOT_ADMINS can use /{command}")


@admin_command("grant")
async def grant(message: Message, user: User, st: BotState) -> None:
    """``/grant <user_id>``: make someone an admin (numeric id only; PKITBOT_ADMINS only)."""
    try:
        if (refused := _env_admin_only(st, user, "grant")) is not None:
            raise refused
        target = parse_user_id(_args(message), usage="/grant USER_ID")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    if target in st.settings.admins:
        await send_reply(st, message, f"{target} is already an admin through PKITBOT_ADMINS.")
        return
    new = st.store.chats.grant(target, granted_by=user.id)
    await send_reply(st, message, f"✅ {target} is now an admin (granted by you; it ends if you "
                     "leave PKITBOT_ADMINS or /revoke it)." if new
                     else f"{target} was already an admin.")


@admin_command("revoke")
async def revoke(message: Message, user: User, st: BotState) -> None:
    """``/revoke <user_id>``: remove an admin granted with /grant (PKITBOT_ADMINS only)."""
    try:
        if (refused := _env_admin_only(st, user, "revoke")) is not None:
            raise refused
        target = parse_user_id(_args(message), usage="/revoke USER_ID")
    except AdminError as exc:
        await _fail(st, message, exc)
        return
    removed = st.store.chats.revoke(target)
    if target in st.settings.admins:
        await send_reply(st, message, (f"✅ Removed {target}'s grant; " if removed else f"{target} ")
                         + "stays an admin through PKITBOT_ADMINS: take the id out of that "
                         "setting to end it.")
        return
    await send_reply(st, message, f"✅ {target} is no longer an admin." if removed
                     else f"{target} was not a granted admin.")
