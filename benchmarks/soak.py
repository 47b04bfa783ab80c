"""Soak: a bounded run of mixed traffic against the fake Bot API with injected faults.

The fake Telegram Bot API (``tests.fakebot.FakeBotAPI``) runs in this process with random
faults on every method: ``--p429`` (5%) answered 429 with ``retry_after`` 1 s and ``--p502``
(2%) answered by an nginx 502 page. The bot runs in a child process (``pkitbot run``'s
``run_bot``, so the poller, rate limiter and store are the production ones) and its memory
is read from ``/proc/<pid>/status`` (VmRSS).

For ``--seconds`` (60) the parent pushes ``--rate`` (10) updates a second, a mix of:
private questions (40%, many users), group ``/ask`` (20%, spread over groups so no group
passes Telegram's 20 messages a minute), inline queries (20%), button taps on earlier
answers (15%: feedback and sources) and admin ``/edit`` commands (5%). Each expects exactly
one answer: a sendMessage to the chat, an answerInlineQuery or an answerCallbackQuery with
its id. After the load it waits (up to ``--drain`` s) for the backlog.

Printed: answered/expected, doubled (a second answer to one update), lost, p50/p99
latency (push time to the fake receiving the answer), RSS at start of the load and at the
end (after a warm-up of ``--warmup`` s), requests refused by the fake, faults injected.

Two more scenarios (``--scenario``), each printing answers lost, doubled and p99 latency:

* ``flood``: every sendMessage takes ``--send-ms`` (80) ms; one user sends ``--flood``
  (250) ``/help`` at once, again every 20 s, while other users (the victims) ask a question
  each at ``--rate`` a second. Latency and losses are the victims'; the flooder's answers
  are counted apart (they are meant to be cut off by its limits).
* ``storm``: the ``mixed`` traffic without random faults; every 10 s sendMessage is refused
  with seven 429s in a row (``retry_after`` 1 s), an ~8 s outage.
* ``locked``: the ``mixed`` traffic without random faults; ``--lock-at`` (5) s in, another
  process (a connection of this one: the bot runs in a child) holds the database's write
  lock (``BEGIN IMMEDIATE``) for ``--lock-seconds`` (40). Questions are answered from
  memory meanwhile; votes and admin edits wait for the lock and are applied once. Printed
  apart: the p99 of the questions asked while the database was locked, and the longest
  wait of an update that had to write. Afterwards the feedback rows are checked against
  the distinct votes (none lost, none doubled).

Run: ``python benchmarks/soak.py [--scenario mixed|flood|storm|locked] [--seconds 60] [--rate 10]
[--p429 0.05] [--p502 0.02]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakebot import updates  # noqa: E402
from tests.fakebot.server import FakeBotAPI  # noqa: E402

ADMIN = 424242
FLOODER = 777_777
QUESTIONS = ["What were IT exports in FY25?", "Pakistan mein kitne freelancers hain?",
             "فری لانسرز کی تعداد", "How many IT companies are registered?",
             "what share of freelancers is under 30?", "IT exports growth",
             "Who won the cricket world cup?", "freelancers"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def spawn(fake: FakeBotAPI, db: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PKITBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
               PKITBOT_DB=str(db), PKITBOT_ADMINS=str(ADMIN), PKITBOT_LOG_LEVEL="ERROR",
               PYTHONPATH=str(ROOT))
    code = ("from bot.tg.app import run_bot; from bot.settings import Settings; "
            "run_bot(Settings.from_env())")
    return subprocess.Popen([sys.executable, "-c", code], env=env)


class Locker(threading.Thread):
    """Another process's writer: holds the database's write lock from ``start`` to ``release``."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.release = path, threading.Event()
        self.held: tuple[float, float] | None = None  # (from, to), time.time()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=60)
        conn.execute("BEGIN IMMEDIATE")
        start = time.time()
        self.release.wait(600)
        conn.execute("ROLLBACK")
        self.held = (start, time.time())
        conn.close()


class Traffic:
    """Builds updates and remembers which answer each one expects."""

    def __init__(self, fake: FakeBotAPI, seed: int = 7) -> None:
        self.fake = fake
        self.rng = random.Random(seed)
        self.n = 0
        # expectation key -> push time; keys: ("msg", chat, k) k-th message to chat,
        # ("inline", id), ("callback", id)
        self.expected: dict[tuple[Any, ...], float] = {}
        self.per_chat: Counter[int] = Counter()
        self.kinds: Counter[str] = Counter()
        self.writes: set[tuple[Any, ...]] = set()  # keys of updates that write (votes, edits)
        self.votes: set[tuple[int, str]] = set()  # (user, entry) voted on
        self.all_buttons = False  # taps on any button row (locked: the votes too), not the last

    def _expect_message(self, chat: int) -> None:
        self.per_chat[chat] += 1
        self.expected[("msg", chat, self.per_chat[chat])] = time.time()

    def push_victim(self) -> None:
        """A question from a user who asks once (the flood scenario's victims)."""
        self.n += 1
        chat = 50_000 + self.n
        self.fake.push_update(updates.private_text(chat, self.rng.choice(QUESTIONS)))
        self._expect_message(chat)
        self.kinds["victim"] += 1

    def push_flood(self, count: int) -> None:
        for _ in range(count):
            self.fake.push_update(updates.private_text(FLOODER, "/help"))
        self.kinds["flooder /help"] += count

    def push(self) -> None:
        self.n += 1
        r = self.rng.random()
        q = self.rng.choice(QUESTIONS)
        if r < 0.40:
            chat = 10_000 + self.n % 997  # each user asks well under 20 a minute
            self.fake.push_update(updates.private_text(chat, q))
            self._expect_message(chat)
            self.kinds["private"] += 1
        elif r < 0.60:
            chat = -100_000 - self.n % 97  # each group well under 19 a minute
            self.fake.push_update(updates.group_text(chat, 20_000 + self.n % 991,
                                                     f"/ask@{self.fake.bot_username} {q}"))
            self._expect_message(chat)
            self.kinds["group"] += 1
        elif r < 0.80:
            pushed = self.fake.push_update(updates.inline_query(30_000 + self.n % 501, q))
            self.expected[("inline", pushed["inline_query"]["id"])] = time.time()
            self.kinds["inline"] += 1
        elif r < 0.95:
            answers = [m for m in self.fake.results("sendMessage")[-300:]
                       if isinstance(m, dict) and m.get("reply_markup")
                       and m["chat"]["type"] == "private"]
            if not answers:
                return self.push()
            message = self.rng.choice(answers)
            row = message["reply_markup"]["inline_keyboard"]
            shown = [b for r in row for b in r] if self.all_buttons else row[-1]
            data = self.rng.choice([b.get("callback_data", "x") for b in shown
                                    if b.get("callback_data") or not self.all_buttons]
                                   or ["x"])
            pushed = self.fake.push_update(
                updates.callback_query(int(message["chat"]["id"]), message, data))
            key = ("callback", pushed["callback_query"]["id"])
            self.expected[key] = time.time()
            if data.startswith("v:"):
                self.writes.add(key)
                self.votes.add((int(message["chat"]["id"]), data.split(":")[2]))
            self.kinds["callback"] += 1
        else:
            text = self.rng.choice(["Pakistan's IT and ITeS exports passed $3.8 billion in "
                                    "FY25, a record.", "IT exports crossed $3.8 billion in "
                                    "FY25 (a record)."])
            self.fake.push_update(updates.private_text(ADMIN, f"/edit it-exports-fy25 answer {text}"))
            self._expect_message(ADMIN)
            self.writes.add(("msg", ADMIN, self.per_chat[ADMIN]))
            self.kinds["admin edit"] += 1
        return None

    def answered(self) -> tuple[dict[tuple[Any, ...], float], int]:
        """Answer time per expectation key, and the number of duplicate answers."""
        got: dict[tuple[Any, ...], float] = {}
        seen: Counter[int] = Counter()
        dup = 0
        with self.fake._lock:
            records = [r for r in self.fake.requests if r.ok]
        ids: Counter[tuple[str, str]] = Counter()
        for r in records:
            if r.method == "sendMessage":
                chat = int(r.params["chat_id"])
                if chat == FLOODER:
                    continue  # its answers are expected to be cut off, not counted
                seen[chat] += 1
                got[("msg", chat, seen[chat])] = r.time
            elif r.method in ("answerInlineQuery", "answerCallbackQuery"):
                kind = "inline" if r.method == "answerInlineQuery" else "callback"
                qid = str(r.params.get("inline_query_id") or r.params.get("callback_query_id"))
                ids[(kind, qid)] += 1
                got.setdefault((kind, qid), r.time)
        dup += sum(n - 1 for n in ids.values() if n > 1)
        dup += sum(max(0, seen[c] - self.per_chat[c]) for c in seen)  # extra messages
        return got, dup


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=10, help="updates per second")
    parser.add_argument("--p429", type=float, default=0.05)
    parser.add_argument("--p502", type=float, default=0.02)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--drain", type=float, default=60)
    parser.add_argument("--scenario", choices=("mixed", "flood", "storm", "locked"),
                        default="mixed")
    parser.add_argument("--lock-at", type=float, default=5, help="locked: seconds in")
    parser.add_argument("--lock-seconds", type=float, default=40, help="locked: how long")
    parser.add_argument("--flood", type=int, default=250, help="/help per flood burst")
    parser.add_argument("--send-ms", type=float, default=80, help="flood: ms per send")
    args = parser.parse_args()

    with FakeBotAPI() as fake, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.sqlite3"
        child = spawn(fake, db)
        locker = Locker(db)
        try:
            fake.wait_for_sync("getUpdates", timeout=60)
            if args.scenario == "mixed":
                fake.inject_random("*", "429", args.p429, seed=1, retry_after=1)
                fake.inject_random("*", "502", args.p502, seed=2)
            elif args.scenario == "flood":
                fake.inject("sendMessage", "slow", times=10**9, delay=args.send_ms / 1000)
            traffic = Traffic(fake)
            traffic.all_buttons = args.scenario == "locked"
            interval = 1 / args.rate
            t0 = time.monotonic()
            rss_start = None
            next_at = t0
            bursts = 0
            while (now := time.monotonic()) - t0 < args.seconds:
                if rss_start is None and now - t0 >= args.warmup:
                    rss_start = rss_mb(child.pid)
                if args.scenario == "locked":
                    if not locker.is_alive() and locker.held is None and \
                            now - t0 >= args.lock_at:
                        locker.start()
                    if now - t0 >= args.lock_at + args.lock_seconds:
                        locker.release.set()
                period = 20 if args.scenario == "flood" else 10
                if args.scenario in ("flood", "storm") and now - t0 >= bursts * period:
                    bursts += 1
                    if args.scenario == "flood":
                        traffic.push_flood(args.flood)
                    else:
                        fake.inject("sendMessage", "429", times=7, retry_after=1)
                if args.scenario == "flood":
                    traffic.push_victim()
                else:
                    traffic.push()
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            locker.release.set()
            if locker.is_alive():
                locker.join(30)
            deadline = time.monotonic() + args.drain
            while time.monotonic() < deadline:
                got, _ = traffic.answered()
                if all(k in got for k in traffic.expected):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # late duplicates would show up here
            rss_end = rss_mb(child.pid)
            fake.clear_faults()
        finally:
            child.terminate()
            child.wait(timeout=30)
        got, dup = traffic.answered()
        latencies = sorted(got[k] - t for k, t in traffic.expected.items() if k in got)
        answered = len(latencies)
        expected = len(traffic.expected)

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

        faults = Counter(r.fault for r in fake.requests if r.fault)
        refused = [r for r in fake.errors if 400 <= r.status < 500 and r.status != 429
                   and "not modified" not in (r.description or "")]
        growth = (rss_end - rss_start) / rss_start * 100 if rss_start else float("nan")
        print(f"scenario {args.scenario}: {args.seconds:.0f} s at {args.rate:g} updates/s; "
              f"mix {dict(traffic.kinds)}")
        if args.scenario == "flood":
            print(f"flooder: {len(fake.sent('sendMessage', FLOODER))} replies to "
                  f"{traffic.kinds['flooder /help']} /help in {bursts} bursts")
        print(f"faults injected: {dict(faults)} over {len(fake.requests)} requests")
        print(f"answered/expected: {answered}/{expected}  doubled: {dup}  "
              f"lost: {expected - answered}")
        print(f"latency p50 {pct(0.50):.0f} ms  p99 {pct(0.99):.0f} ms  max {pct(1.0):.0f} ms")
        print(f"RSS start {rss_start:.1f} MB  end {rss_end:.1f} MB  growth {growth:+.1f}% "
              f"({'OK' if growth <= 10 else 'OVER'} the 10% budget)")
        print(f"4xx refusals from the fake (other than 429): {len(refused)}")
        ok = answered == expected and dup == 0 and not refused and growth <= 10
        if args.scenario == "locked" and locker.held is not None:
            start, end = locker.held
            during = sorted(got[k] - t for k, t in traffic.expected.items()
                            if k in got and k not in traffic.writes and start <= t < end)
            waits = sorted(got[k] - t for k, t in traffic.expected.items()
                           if k in got and k in traffic.writes)
            with sqlite3.connect(str(db)) as conn:
                feedback = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
                voted = conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
            p99 = during[min(len(during) - 1, int(0.99 * len(during)))] * 1000 if during else 0
            print(f"locked {end - start:.1f} s: {len(during)} answers pushed meanwhile, p99 "
                  f"{p99:.0f} ms, max {during[-1] * 1000 if during else 0:.0f} ms; "
                  f"{len(waits)} writes (votes, edits), longest wait "
                  f"{waits[-1] if waits else 0:.1f} s")
            slow = Counter(str(k[0]) + ("-group" if k[0] == "msg" and int(k[1]) < 0 else "")
                           for k, t in traffic.expected.items() if k in got
                           and k not in traffic.writes and start <= t < end
                           and got[k] - t > 2.0)
            print(f"answers pushed meanwhile taking > 2 s, by kind: {dict(slow)}")
            print(f"votes: {len(traffic.votes)} distinct (user, answer) pressed, {voted} "
                  f"recorded, {feedback} feedback rows")
            ok = ok and voted == feedback == len(traffic.votes)
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
