"""The command line as a user runs it: real subprocesses for ask, CliRunner for kb."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main


def run(args: list[str], db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PKITBOT_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def test_ask_prints_sourced_answer(db_path: Path) -> None:
    result = run(["ask", "What were IT exports in FY25?"], db_path)
    assert result.returncode == 0, result.stderr
    assert "over $3.8 billion" in result.stdout
    assert "FY25" in result.stdout
    assert "Source:" in result.stdout and "Ali Z" in result.stdout
    assert "State Bank of Pakistan" in result.stdout


def test_ask_json_has_documented_fields(db_path: Path) -> None:
    result = run(["ask", "--json", "Pakistan mein kitne freelancers hain?"], db_path)
    data = json.loads(result.stdout)
    assert data["answered"] is True
    assert data["entry_id"] == "freelancer-count"
    assert 0 < data["score"] <= 1
    assert "1.5 million" in data["answer"]
    assert any(s["id"] == "column" for s in data["sources"])
    assert data["suggestions"] == []


def test_ask_refuses_other_country_without_pakistani_figures(db_path: Path) -> None:
    data = json.loads(run(["ask", "--json", "How many freelancers are in Bangladesh?"],
                          db_path).stdout)
    assert data["answered"] is False and data["entry_id"] is None
    assert "1.5" not in data["answer"]


def test_asked_questions_reach_the_query_log_but_not_the_unanswered_list(db_path: Path) -> None:
    import sqlite3

    assert run(["ask", "What were IT exports in FY25?"], db_path).returncode == 0
    assert run(["ask", "-"], db_path, stdin="Who won the cricket world cup?\n").returncode == 0
    with sqlite3.connect(str(db_path)) as conn:
        logged = [r[0] for r in conn.execute("SELECT chat_type FROM query_log")]
        waiting = [r[0] for r in conn.execute("SELECT question FROM unanswered")]
    assert logged == ["cli", "cli"]
    assert waiting == []  # an operator trying the bot is not a user waiting for an answer


def test_ask_stdin_gives_one_json_line_per_question(db_path: Path) -> None:
    result = run(["ask", "-"], db_path,
                 stdin="IT exports FY25\n\nfreelancers count\nhello\n🙂🙂\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, True, False, False]
    assert lines[0]["entry_id"] == "it-exports-fy25"
    fields = {"answered", "entry_id", "score", "answer", "sources", "suggestions"}
    assert all(fields <= line.keys() for line in lines)
    assert "empty" in lines[3]["answer"]


@pytest.mark.parametrize("question", ["", "   ", "🙂🙂🙂", "\x01\x02\x1b\u200f", "x" * 100_000])
def test_bad_questions_are_usage_errors_with_exit_2(db_path: Path, question: str) -> None:
    result = run(["ask", question], db_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Usage: python -m bot ask [OPTIONS] QUESTION"
    assert lines[-1].startswith("Error: Invalid value for QUESTION: the question is ")
    assert len(lines) == 4 and "Traceback" not in result.stderr
    assert not db_path.exists()  # refused before the database is opened


def test_html_injection_is_plain_text_in_cli(db_path: Path) -> None:
    result = run(["ask", "<b>IT exports</b> & <script>alert(1)</script>"], db_path)
    assert result.returncode == 0
    assert "<script>" not in result.stdout


def test_foreign_database_gives_clear_error_and_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    path.write_text("not a database at all")
    result = run(["ask", "IT exports"], path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert str(path) in result.stderr and "Traceback" not in result.stderr
    assert path.read_text() == "not a database at all"


def test_ask_does_not_import_telegram(db_path: Path) -> None:
    code = ("import sys; from click.testing import CliRunner; from bot.cli import main; "
            "r = CliRunner().invoke(main, ['ask', 'IT exports FY25']); "
            "print(r.exit_code, 'telegram' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PKITBOT_DB": str(db_path)}, timeout=60)
    assert out.stdout.split() == ["0", "False"]


def test_kb_commands(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(db_path)]
    built = runner.invoke(main, ["kb", "build", *db])
    assert built.exit_code == 0 and "28 entries" in built.output
    listed = runner.invoke(main, ["kb", "list", *db])
    assert "it-exports-fy25" in listed.output and len(listed.output.splitlines()) == 28
    shown = runner.invoke(main, ["kb", "show", "it-exports-fy25", *db])
    assert yaml.safe_load(shown.output)["figures"][0]["value"] == 3.8
    missing = runner.invoke(main, ["kb", "show", "nope", *db])
    assert missing.exit_code == 1
    assert missing.stderr == "Error: no entry with id 'nope' (see pkitbot kb list)\n"
    stats = runner.invoke(main, ["kb", "stats", "--json", *db])
    assert json.loads(stats.output)["entries"] == 28
    out = tmp_path / "export.yaml"
    exported = runner.invoke(main, ["kb", "export", str(out), *db])
    assert exported.exit_code == 0
    doc = yaml.safe_load(out.read_text("utf-8"))
    assert len(doc["entries"]) == 28 and doc["sources"][0]["id"] == "column"


def test_kb_build_reports_bad_files_and_changes_nothing(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["kb", "build", "--db", str(db_path)])
    bad = tmp_path / "kb"
    (bad / "entries").mkdir(parents=True)
    (bad / "sources.yaml").write_text("sources:\n  - {id: column, title: T, author: A}\n")
    (bad / "entries" / "x.yaml").write_text(
        "entries:\n  - id: broken-entry\n    topic: T\n    question: Q?\n")
    result = runner.invoke(main, ["kb", "build", "--from", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "entries/x.yaml" in result.output and "broken-entry" in result.output
    assert "answer" in result.output
    assert result.stderr.splitlines()[-1].endswith("nothing changed")
    listed = runner.invoke(main, ["kb", "list", "--db", str(db_path)])
    assert len(listed.output.splitlines()) == 28


def test_run_without_token_names_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PKITBOT_DB"] = str(tmp_path / "db.sqlite3")
    out = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "Error: TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather"]
    env["TELEGRAM_BOT_TOKEN"] = "12345:short-and-wrong"
    out = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "malformed" in out.stderr
    assert "short-and-wrong" not in out.stderr


def test_ask_still_answers_when_the_log_cannot_be_written(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from bot.kb.store import Store

    def read_only(self: Store) -> None:
        self.db.conn.close()
        raise sqlite3.OperationalError("attempt to write a readonly database")

    run(["ask", "hi"], db_path)  # the database exists
    monkeypatch.setenv("PKITBOT_DB", str(db_path))
    monkeypatch.setattr(Store, "close", read_only)
    result = CliRunner().invoke(main, ["ask", "What were IT exports in FY25?"])
    assert result.exit_code == 0
    assert "over $3.8 billion" in result.stdout
    assert "answered but not logged" in result.stderr


def test_a_damaged_database_is_one_line_and_exit_1(db_path: Path) -> None:
    import sqlite3

    assert run(["kb", "list"], db_path).returncode == 0
    with sqlite3.connect(str(db_path)) as conn:
        conn.execute("DROP TABLE revisions")
    result = run(["kb", "history", "it-exports-fy25"], db_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "revisions" in result.stderr and "Traceback" not in result.stderr


def test_a_path_that_cannot_be_written_is_one_line_and_exit_1(db_path: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "kb.yaml"
    result = CliRunner().invoke(main, ["kb", "export", str(target), "--db", str(db_path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: No such file or directory\n"


@pytest.mark.parametrize("args", [["kb", "nonsense"], ["ask"], ["kb", "list", "--colour"],
                                  ["kb", "export", "kb.txt"], ["kb", "unanswered", "--limit", "0"],
                                  ["kb", "check-links", "--concurrency", "0"]])
def test_usage_errors_exit_2_and_change_nothing(db_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert not db_path.exists()


def test_ctrl_c_prints_aborted_and_exits_130(db_path: Path) -> None:
    import signal

    env = {**os.environ, "PKITBOT_DB": str(db_path)}
    with subprocess.Popen([sys.executable, "-m", "bot", "ask", "-"], env=env, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write("IT exports FY25\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["answered"] is True  # now waiting on stdin
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        assert proc.stderr.read() == "Aborted!\n"
