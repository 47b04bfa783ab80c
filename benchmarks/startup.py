"""Benchmark: cold start and peak memory of ``pkitbot ask``, and a check it never imports telegram.

It runs ``pkitbot ask "What were IT exports in FY25?"`` as a fresh process with ``PKITBOT_DB``
in a temporary directory: once to create and fill the database (reported, not counted), then
``--runs`` times, reporting the median and range of the wall time and the peak resident
memory of each run (``ru_maxrss`` from ``os.wait4``). It runs the console script as installed
(``pkitbot`` found next to the Python running this file, or on PATH); a pyenv shim on PATH
adds its own start-up, which is reported separately when present. Finally it runs the same
command inside ``python -X importtime`` and reports whether any ``telegram`` module was
imported, and the slowest imports.

Run: ``python benchmarks/startup.py [--runs 10] [--question "..."]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

QUESTION = "What were IT exports in FY25?"
ASK_IN_PROCESS = (
    "import sys\n"
    "from bot.cli import main\n"
    "sys.argv = ['pkitbot', 'ask', sys.argv[1]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "mods = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))\n"
    "print('TELEGRAM_MODULES=' + ','.join(mods), file=sys.stderr)\n"
)


def run_once(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit code and stdout of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode, out


def find_script() -> tuple[str, str | None]:
    """The real console script, and a shim on PATH if that is something else."""
    beside = Path(sys.executable).with_name("pkitbot")
    on_path = shutil.which("pkitbot")
    real = str(beside) if beside.is_file() else on_path
    if real is None:
        raise SystemExit("pkitbot is not installed (pip install -e .)")
    shim = on_path if on_path and Path(on_path).resolve() != Path(real).resolve() else None
    return real, shim


def measure(cmd: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    walls: list[float] = []
    rss: list[float] = []
    for _ in range(runs):
        wall, peak, code, _ = run_once(cmd, env)
        if code != 0:
            raise SystemExit(f"{' '.join(cmd)} exited with {code}")
        walls.append(wall)
        rss.append(peak)
    return {"median": statistics.median(walls) * 1000, "min": min(walls) * 1000,
            "max": max(walls) * 1000, "rss": max(rss), "rss_median": statistics.median(rss)}


def import_report(env: dict[str, str], question: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Telegram modules imported by ``ask``, and the ten slowest imports (cumulative us)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", ASK_IN_PROCESS, question],
                          env=env, capture_output=True, text=True, check=False)
    telegram: list[str] = []
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        if line.startswith("TELEGRAM_MODULES="):
            telegram = [m for m in line.split("=", 1)[1].split(",") if m]
        elif line.startswith("import time:") and "|" in line:
            parts = line[len("import time:"):].split("|")
            if parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2][1:]))  # nested imports stay indented
    # only top-level imports (no indentation) give a non-overlapping picture
    top = [(us, name) for us, name in rows if not name.startswith(" ")]
    return telegram, sorted(top, reverse=True)[:10]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)

    script, shim = find_script()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PKITBOT_DB": str(Path(tmp) / "pkitbot.sqlite3")}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        # as an installed package runs: pip writes the bytecode at install time, so the
        # sources are not compiled at every start (the first run writes it, to a temporary
        # prefix, even where PYTHONDONTWRITEBYTECODE is set for development)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cmd = [script, "ask", args.question]
        first_wall, first_rss, code, out = run_once(cmd, env)
        if code != 0:
            raise SystemExit(f"first run failed with exit code {code}")
        result = measure(cmd, env, args.runs)
        shim_result = measure([shim, "ask", args.question], env, args.runs) if shim else None
        telegram, slowest = import_report(env, args.question)

    print("# Start-up benchmark")
    print()
    print(f"- date {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{len(os.sched_getaffinity(0))} CPUs available")
    print(f"- command: pkitbot ask {args.question!r} (PKITBOT_DB in a temporary directory)")
    print(f"- script: {script}")
    print("- bytecode: written by the first run and reused, as after `pip install`")
    print(f"- first run (creates and fills the database): {first_wall * 1000:.0f} ms, "
          f"peak RSS {first_rss:.1f} MB")
    print(f"- reply: {out.strip().splitlines()[0][:100] if out.strip() else '(empty)'}")
    print()
    print("| what | median wall | min | max | peak RSS (max of runs) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| pkitbot ask, warm DB, {args.runs} runs | {result['median']:.0f} ms "
          f"| {result['min']:.0f} ms | {result['max']:.0f} ms | {result['rss']:.1f} MB |")
    if shim_result and shim:
        print(f"| same through the PATH shim ({shim}) | {shim_result['median']:.0f} ms "
              f"| {shim_result['min']:.0f} ms | {shim_result['max']:.0f} ms "
              f"| {shim_result['rss']:.1f} MB |")
    print()
    verdict = "YES: " + ", ".join(telegram) if telegram else "no"
    print(f"telegram imported by `pkitbot ask`: {verdict}")
    print()
    print("Slowest top-level imports (python -X importtime, cumulative):")
    print()
    print("| module | cumulative |")
    print("|---|---:|")
    for us, name in slowest:
        print(f"| {name} | {us / 1000:.1f} ms |")


if __name__ == "__main__":
    main()
