"""Benchmark: how many private questions per second pkitbot answers, against a bare PTB echo bot.

The fake Telegram Bot API (``tests.fakebot.FakeBotAPI``) runs in this process; each bot runs
in a child process (this file re-run with ``--child``), so the child's CPU time and peak
memory are the bot's alone. For each bot:

* the child builds the bot against the fake and starts long polling (pkitbot: the real
  ``build_application`` with Telegram's send cap and the abuse limits raised out of the way;
  the baseline: ``ApplicationBuilder`` defaults and one ``MessageHandler(filters.TEXT, echo)``),
  then says READY;
* the parent queues ``--questions`` private questions from ``--users`` users (the dev-set
  questions cycled: English, Roman Urdu, Urdu, off topic), round robin, all at once (or at
  ``--rate`` per second), recording each push time;
* it waits until every question has a sendMessage, tells the child to stop, and collects the
  child's CPU time over the load window and its peak RSS (``ru_maxrss`` from ``os.wait4``).

Per question, latency = time the fake received the k-th sendMessage to the chat minus the push
time of that chat's k-th question. Answered/s = questions / (first push .. last sendMessage).
Correctness: exactly ``questions / users`` answers in every chat, nothing refused by the fake.

The bots take turns for ``--rounds`` rounds (default 3: echo, pkitbot, echo, pkitbot, ...), so
a busy moment on a shared machine hits both; the report gives each round and the median of
each measure. ``--concurrency`` is pkitbot's ``PKITBOT_CONCURRENT_UPDATES`` (default 3).

Run: ``python benchmarks/throughput.py [--questions 2000] [--users 200] [--rate 0]
[--rounds 3] [--concurrency 3] [--profile] [--breakdown]``. ``--profile``: cProfile
pkitbot's event loop during the load (top 25 cumulative, top 20 by own time).
``--breakdown``: also run the echo handler on pkitbot's builder configuration
(HTML/link-preview Defaults, SafeRateLimiter, JSONRequest), which splits the gap into
framework configuration and pkitbot's own handler work.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import html
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS_FILE = Path("/work/shared/eval/dev-questions.yaml")
FALLBACK_QUESTIONS = [
    "How much were IT and ITeS exports in FY25?",
    "IT exports ka record kya hai?",
    "آئی ٹی ایکسپورٹس کتنی ہوئیں؟",
    "How many people freelance in Pakistan?",
    "kitne log freelancing karte hain Pakistan mein",
    "Who won the cricket world cup?",
]
TARGET_RATIO = 0.80
TARGET_RATE = 600.0
TARGET_RSS_MB = 100.0
BOTS = ("echo", "pkitbot")
#: ``--kb DB``: pkitbot again, on a copy of that (large) knowledge base, in the same rounds
BIG = "pkitbot-kb"
#: ``--breakdown``: the echo handler on pkitbot's builder configuration (HTML/link-preview
#: Defaults, SafeRateLimiter and JSONRequest), to split framework configuration cost from handler work
CONFIGURED_ECHO = "echo+pkitbot-config"


# ---------------------------------------------------------------------------- child side
def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@asynccontextmanager
async def _polling(app: Any) -> AsyncIterator[None]:
    """Start/stop like ``bot.tg.app.running`` (same poll settings) without importing ``bot``,
    so the baseline's memory is python-telegram-bot's alone."""
    from telegram import Update

    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
    await app.start()
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def _serve(kind: str, token: str, base_url: str, db_path: str, profile: bool,
                 concurrency: int) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    if kind in ("pkitbot", BIG):
        from bot.settings import Settings
        from bot.tg.app import build_application, running

        settings = Settings(token=token, api_base_url=base_url, db_path=Path(db_path),
                            max_send_rate=100_000.0, user_rate_limit=10**6,
                            chat_flood_limit=10**6, concurrent_updates=concurrency)
        app = build_application(settings)
        context: AbstractAsyncContextManager[Any] = running(app)
    else:
        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.message is not None and update.message.text is not None
            text = update.message.text
            await update.message.reply_text(html.escape(text) if kind == CONFIGURED_ECHO else text)

        file_url = base_url.rsplit("/", 1)[0] + "/file/bot"
        builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(file_url)
        if kind == CONFIGURED_ECHO:
            from telegram import LinkPreviewOptions
            from telegram.constants import ParseMode
            from telegram.ext import Defaults

            from bot.tg.delivery.http import JSONRequest
            from bot.tg.delivery.ratelimit import SafeRateLimiter

            builder = builder.defaults(Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )).rate_limiter(SafeRateLimiter(100_000.0)).request(  # type: ignore[arg-type]
                JSONRequest()).get_updates_request(JSONRequest(connection_pool_size=1))
        app = builder.build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        context = _polling(app)

    profiler = cProfile.Profile() if profile else None
    async with context:
        cpu0 = _cpu_seconds()
        print("READY", flush=True)
        if profiler is not None:
            profiler.enable()
        await asyncio.to_thread(sys.stdin.readline)  # the parent writes a line when done
        if profiler is not None:
            profiler.disable()
        cpu1 = _cpu_seconds()
    report: dict[str, Any] = {"load_cpu_s": cpu1 - cpu0}
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(20)
        report["profile"] = out.getvalue()
    print("DONE " + json.dumps(report), flush=True)


def child_main(args: argparse.Namespace) -> None:
    """Run one bot until the parent writes a line on stdin."""
    sys.path.insert(0, str(ROOT))  # import ``bot`` from this checkout, installed or not
    asyncio.run(_serve(args.child, args.token, args.base_url, args.db, args.profile,
                       args.concurrency))


# ---------------------------------------------------------------------------- parent side
@dataclass
class Result:
    bot: str
    answered: int
    wall_s: float
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_answer: float
    total_cpu_s: float
    peak_rss_mb: float
    problems: list[str]
    profile: str = ""
    ready_s: float = 0.0


def load_questions(path: Path) -> list[str]:
    """The dev-set questions (every kind), or a small built-in mix if the file is absent."""
    if not path.is_file():
        return FALLBACK_QUESTIONS
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [str(item["q"]) for item in data.get("questions", []) if item.get("q")]
    return found or FALLBACK_QUESTIONS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_bot(kind: str, questions: list[str], n_questions: int, n_users: int, rate: float,
            profile: bool, timeout: float, concurrency: int, kb: str | None = None) -> Result:
    """Start the fake and one bot child, push the load, wait for every answer, measure."""
    from tests.fakebot import FakeBotAPI, updates

    first_user = {"echo": 7_000_001, "pkitbot": 8_000_001}.get(kind, 9_000_001)
    users = [first_user + i for i in range(n_users)]
    plan: list[tuple[int, dict[str, Any]]] = []
    for i in range(n_questions):
        uid = users[i % n_users]
        plan.append((uid, updates.private_text(uid, questions[i % len(questions)])))

    with tempfile.TemporaryDirectory(prefix="pkitbot-bench-") as tmp, FakeBotAPI() as fake:
        stderr_path = Path(tmp) / "child.stderr"
        if kind == BIG and kb:
            import sqlite3

            with sqlite3.connect(kb) as src, sqlite3.connect(Path(tmp) / "bench.sqlite3") as dst:
                src.backup(dst)  # the index and all, as the operator's file holds them
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--token", fake.token, "--base-url", fake.base_url,
               "--db", str(Path(tmp) / "bench.sqlite3"), "--concurrency", str(concurrency)]
        if profile:
            cmd.append("--profile")
        spawned = time.time()
        with stderr_path.open("w") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=err, text=True, cwd=ROOT)
        assert proc.stdin is not None and proc.stdout is not None
        problems: list[str] = []
        try:
            line = proc.stdout.readline()
            if line.strip() != "READY":
                raise RuntimeError(f"{kind} did not start: {line!r}\n{stderr_path.read_text()}")
            ready_s = time.time() - spawned  # process start to polling: what an operator waits
            before = len(fake.requests)
            pushed: dict[int, list[float]] = defaultdict(list)
            start = time.time()
            for i, (uid, update) in enumerate(plan):
                if rate > 0:
                    delay = start + i / rate - time.time()
                    if delay > 0:
                        time.sleep(delay)
                pushed[uid].append(time.time())
                fake.push_update(update)
            try:
                fake.wait_for_sync("sendMessage", n_questions, timeout=timeout)
            except AssertionError as exc:
                problems.append(f"not all answered within {timeout:.0f}s: {exc}")
            time.sleep(0.3)  # let any surplus (duplicate) answer arrive before counting
        finally:
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            problems.append(f"child exited {status}: {stderr_path.read_text()[-2000:]}")
        report: dict[str, Any] = {}
        for row in out.splitlines():
            if row.startswith("DONE "):
                report = json.loads(row[5:])
        records = [r for r in fake.requests[before:] if r.method == "sendMessage" and r.ok]
        if fake.errors:
            problems.append(f"{len(fake.errors)} refused calls, e.g. "
                            f"{[(r.method, r.status, r.description) for r in fake.errors[:3]]}")
        if fake.internal_errors:
            problems.append(f"{len(fake.internal_errors)} fake crashes")

    by_chat: dict[int, list[float]] = defaultdict(list)
    for record in records:
        by_chat[int(record.params["chat_id"])].append(record.time)
    latencies: list[float] = []
    wrong = 0
    for uid, times in pushed.items():
        sent = sorted(by_chat.get(uid, []))
        if len(sent) != len(times):
            wrong += 1
        latencies.extend(s - p for s, p in zip(sent, times, strict=False))
    if wrong:
        problems.append(f"{wrong} chats did not get exactly one answer per question")
    stray = set(by_chat) - set(pushed)
    if stray:
        problems.append(f"answers to {len(stray)} chats that asked nothing")
    answered = min(len(records), n_questions)
    last = max((r.time for r in records), default=start)
    wall = max(last - start, 1e-9)
    load_cpu = float(report.get("load_cpu_s", float("nan")))
    return Result(
        bot=kind,
        answered=answered,
        wall_s=wall,
        per_second=answered / wall,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        cpu_ms_per_answer=load_cpu / max(answered, 1) * 1000,
        total_cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        problems=problems,
        profile=str(report.get("profile", "")),
        ready_s=ready_s,
    )


def median_result(results: list[Result]) -> Result:
    """Each measure's median over the rounds; problems from every round."""
    def mid(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2] if len(ordered) % 2 else \
            (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    first = results[0]
    return Result(
        bot=first.bot,
        answered=min(r.answered for r in results),
        wall_s=mid([r.wall_s for r in results]),
        per_second=mid([r.per_second for r in results]),
        p50_ms=mid([r.p50_ms for r in results]),
        p99_ms=mid([r.p99_ms for r in results]),
        cpu_ms_per_answer=mid([r.cpu_ms_per_answer for r in results]),
        total_cpu_s=mid([r.total_cpu_s for r in results]),
        peak_rss_mb=max(r.peak_rss_mb for r in results),
        problems=[p for r in results for p in r.problems],
        profile=first.profile,
        ready_s=mid([r.ready_s for r in results]),
    )


def table(results: list[Result]) -> str:
    rows = ["| bot | ready s | answered/s | p50 ms | p99 ms | CPU ms/answer | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r.bot} | {r.ready_s:.2f} | {r.per_second:.0f} | {r.p50_ms:.0f} | "
                    f"{r.p99_ms:.0f} | {r.cpu_ms_per_answer:.2f} | {r.peak_rss_mb:.0f} |")
    return "\n".join(rows)


def verdicts(results: dict[str, Result]) -> list[tuple[str, bool, str]]:
    pk, echo = results["pkitbot"], results["echo"]
    ratio = pk.per_second / echo.per_second if echo.per_second else 0.0
    return [
        (f"pkitbot >= {TARGET_RATIO:.0%} of echo's answers/s", ratio >= TARGET_RATIO,
         f"{ratio:.0%}"),
        (f"pkitbot >= {TARGET_RATE:.0f} answered/s", pk.per_second >= TARGET_RATE,
         f"{pk.per_second:.0f}/s"),
        (f"pkitbot peak RSS <= {TARGET_RSS_MB:.0f} MB", pk.peak_rss_mb <= TARGET_RSS_MB,
         f"{pk.peak_rss_mb:.0f} MB"),
    ]


def parent_main(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    questions = load_questions(Path(args.questions_file))
    print(f"# throughput: {args.questions} questions from {args.users} users "
          f"({'all queued at once' if args.rate <= 0 else f'{args.rate:g}/s'}), "
          f"{len(questions)} distinct questions; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    kinds: tuple[str, ...] = (*BOTS, CONFIGURED_ECHO) if args.breakdown else BOTS
    if args.kb:
        kinds = (*kinds, BIG)
    rounds: list[dict[str, Result]] = []
    for n in range(args.rounds):
        this: dict[str, Result] = {}
        for kind in kinds:  # alternating, so a busy moment on the machine hits both bots
            began = time.perf_counter()
            result = run_bot(kind, questions, args.questions, args.users, args.rate,
                             args.profile and kind == "pkitbot" and n == 0, args.timeout,
                             args.concurrency, args.kb)
            this[kind] = result
            print(f"round {n + 1}, {kind}: ready in {result.ready_s:.2f}s, "
                  f"{result.answered} answers in {result.wall_s:.2f}s "
                  f"({result.per_second:.0f}/s, {result.cpu_ms_per_answer:.2f} CPU ms each); "
                  f"run took {time.perf_counter() - began:.1f}s", flush=True)
        if "echo" in this and this["echo"].per_second:
            print(f"round {n + 1}: pkitbot/echo = "
                  f"{this['pkitbot'].per_second / this['echo'].per_second:.0%}", flush=True)
        if BIG in this and this["pkitbot"].per_second:
            print(f"round {n + 1}: {BIG}/pkitbot = "
                  f"{this[BIG].per_second / this['pkitbot'].per_second:.0%}", flush=True)
        rounds.append(this)
    results = {kind: median_result([r[kind] for r in rounds]) for kind in kinds}
    if args.rounds > 1:
        print(f"\nmedian of {args.rounds} rounds (each column on its own):")
    print()
    print(table(list(results.values())))
    print()
    failed = False
    for name, ok, value in verdicts(results):
        print(f"- {name}: {value} {'MET' if ok else 'MISSED'}")
    for result in results.values():
        for problem in result.problems:
            failed = True
            print(f"PROBLEM ({result.bot}): {problem}")
    if not failed:
        print("- correctness: one answer per question in every chat, no refused calls: OK")
    if results["pkitbot"].profile:
        print("\n## cProfile of pkitbot during the load "
              "(top 25 cumulative, then top 20 by own time)\n")
        print(results["pkitbot"].profile)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="questions pushed per second; 0 = all queued at once")
    parser.add_argument("--questions-file", default=str(QUESTIONS_FILE))
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds to wait for all answers per bot")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile pkitbot during the load; print the top 25 functions "
                             "by cumulative and the top 20 by own time")
    parser.add_argument("--breakdown", action="store_true",
                        help=f"also run {CONFIGURED_ECHO} (echo handler, pkitbot's builder "
                             "configuration)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of echo then pkitbot; the medians are reported")
    parser.add_argument("--concurrency", type=int, default=3,
                        help="pkitbot's PKITBOT_CONCURRENT_UPDATES")
    parser.add_argument("--kb", help="also run pkitbot on a copy of this database (a large "
                        "knowledge base, e.g. one benchmarks/scale.py --keep made), same rounds")
    parser.add_argument("--child", choices=(*BOTS, CONFIGURED_ECHO, BIG), help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return 0
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
