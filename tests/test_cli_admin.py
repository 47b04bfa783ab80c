"""Every ``kb`` editing command from the CLI, and link checks against a local HTTP server."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from bot.cli import main
from bot.kb.files import load_dir
from bot.kb.store import open_store
from tests.conftest import kb_state


@pytest.fixture
def kb(db_path: Path) -> Iterator[tuple[CliRunner, list[str]]]:
    runner = CliRunner()
    yield runner, ["--db", str(db_path)]


def call(kb: tuple[CliRunner, list[str]], *args: str) -> Result:
    runner, db = kb
    return runner.invoke(main, ["kb", *args, *db], catch_exceptions=False)


def test_add_edit_delete_history_undo(kb: tuple[CliRunner, list[str]], db_path: Path) -> None:
    added = call(kb, "add", "--question", "When is the summit?", "--answer", "Every March.",
                 "--source", "Summit programme", "--url", "https://example.org/s")
    assert added.exit_code == 0 and "#when-is-the-summit" in added.output
    before = kb_state(db_path)
    edited = call(kb, "edit", "when-is-the-summit", "answer", "Every April.")
    assert edited.exit_code == 0
    assert "Every April." in call(kb, "show", "when-is-the-summit").output
    assert call(kb, "delete", "when-is-the-summit").exit_code == 0
    history = call(kb, "history", "when-is-the-summit").output.splitlines()
    assert [line.split()[2] for line in history] == ["delete", "update", "create"]
    assert call(kb, "undo").exit_code == 0
    assert call(kb, "undo").exit_code == 0
    assert kb_state(db_path) == before
    bad = call(kb, "add", "--question", "Q?", "--answer", "A.", "--source", "T", "--url", "ftp://x")
    assert bad.exit_code == 2 and "http:// or https://" in bad.output  # a bad --url: usage
    assert bad.stderr.startswith("Usage: ") and "kb add [OPTIONS]" in bad.stderr
    missing = call(kb, "edit", "no-such", "answer", "x")
    assert missing.exit_code == 1 and "no entry #no-such" in missing.output
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("Error: ")


def test_edit_figure_keeps_metric_and_source(kb: tuple[CliRunner, list[str]],
                                             db_path: Path) -> None:
    call(kb, "edit", "it-exports-fy25", "figure", "over 3.9 USD billion FY25")
    shown = yaml.safe_load(call(kb, "show", "it-exports-fy25").output)
    assert shown["figures"][0] == {
        "metric": "it_ites_exports", "value": 3.9, "unit": "USD billion", "period": "FY25",
        "period_label": "July 2024 – June 2025", "qualifier": "over", "source": "sbp-fy25"}


def test_import_dry_run_then_apply(kb: tuple[CliRunner, list[str]], db_path: Path,
                                   tmp_path: Path) -> None:
    doc = tmp_path / "new.json"
    doc.write_text(json.dumps({"entries": [{
        "id": "new-one", "topic": "T", "question": "A new question?", "answer": "New.",
        "sources": ["column"]}]}))
    before = kb_state(db_path)
    dry = call(kb, "import", str(doc), "--dry-run")
    assert "1 new, 0 changed, 0 unchanged" in dry.output and "Nothing changed" in dry.output
    assert kb_state(db_path) == before
    applied = call(kb, "import", str(doc))
    assert applied.exit_code == 0
    assert len(kb_state(db_path)) == len(before) + 1


def test_import_csv_export_round_trip(kb: tuple[CliRunner, list[str]], db_path: Path,
                                      tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    call(kb, "export", str(out))
    before = kb_state(db_path)
    result = call(kb, "import", str(out), "--dry-run")
    assert "0 new, 0 changed, 28 unchanged" in result.output
    assert kb_state(db_path) == before


@pytest.mark.parametrize(("content", "message"), [
    ("entries:\n  - id: xy-entry\n    topic: T\n", "entry xy-entry question"),
    ("{not yaml", "not valid YAML"),
])
def test_bad_import_changes_nothing(kb: tuple[CliRunner, list[str]], db_path: Path,
                                    tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    before = kb_state(db_path)
    result = call(kb, "import", str(bad))
    assert result.exit_code == 1 and message in result.output
    last = result.stderr.splitlines()[-1]  # every problem on its own line, then one Error
    assert last.startswith("Error: ") and last.endswith("; nothing changed")
    assert "Traceback" not in result.stderr
    assert kb_state(db_path) == before


def test_validate_folder_and_file(tmp_path: Path) -> None:
    runner = CliRunner()
    assert "valid (28 entries)" in runner.invoke(main, ["kb", "validate", "knowledge"]).output
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - id: UPPER case\n")
    result = runner.invoke(main, ["kb", "validate", str(bad)])
    assert result.exit_code == 1 and "slug" in result.output


def test_export_folder_writes_the_curated_layout(kb: tuple[CliRunner, list[str]],
                                                 tmp_path: Path) -> None:
    call(kb, "export", str(tmp_path / "out"))
    again = load_dir(tmp_path / "out")
    curated = load_dir()
    assert again.entries == curated.entries and again.files == curated.files


def test_unanswered_groups_similar_questions(kb: tuple[CliRunner, list[str]],
                                             db_path: Path) -> None:
    store = open_store(db_path)
    for q in ("IT graduates per year?", "it graduates per year", "weather today"):
        store.usage.log_query(q, q.lower().rstrip("?"), None, 0.1, "abstain", "private")
    store.close()
    out = call(kb, "unanswered").output.splitlines()
    assert out[0].split()[0] == "2x" and "IT graduates" in out[0]


def test_backup_restores_to_identical_knowledge(kb: tuple[CliRunner, list[str]],
                                                db_path: Path, tmp_path: Path) -> None:
    call(kb, "edit", "it-exports-fy25", "answer", "Changed before the backup.")
    target = tmp_path / "backups" / "copy.sqlite3"
    assert call(kb, "backup", str(target)).exit_code == 0
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert target.stat().st_mode & 0o777 == 0o600
    assert kb_state(target) == kb_state(db_path)


class _Links(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def links() -> Iterator[str]:
    """A local HTTP server answering /ok, /old (a redirect), /slow and 404: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Links)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def add_link_sources(db_path: Path, base: str, paths: dict[str, str]) -> None:
    from bot.kb.models import Source

    store = open_store(db_path)
    with store.transaction():
        for sid, path in paths.items():
            store.db.table("sources").insert(Source(sid, f"Link {sid}", None, "P", None,
                                                    base + path).to_dict())
    store.close()


def test_check_links_reports_and_stores_status(kb: tuple[CliRunner, list[str]],
                                               db_path: Path, links: str) -> None:
    add_link_sources(db_path, links, {"l-ok": "/ok", "l-moved": "/old", "l-gone": "/gone",
                                      "l-slow": "/slow"})
    result = call(kb, "check-links", "--timeout", "0.5")
    assert result.exit_code == 1  # broken links fail the command (for cron and CI)
    assert "4 checked: 2 reachable, 2 broken." in result.output
    lines = {line.split()[1]: line.split()[0] for line in result.output.splitlines()
             if line.split() and line.split()[0] in ("ok", "redirected", "broken")}
    assert lines == {"l-ok": "ok", "l-moved": "redirected", "l-gone": "broken",
                     "l-slow": "broken"}
    assert "timed out" in result.output and "HTTP 404" in result.output
    store = open_store(db_path)
    row = store.db.execute("SELECT check_status, checked_at FROM sources WHERE id='l-moved'"
                           ).fetchone()
    assert row[0] == "redirected" and row[1]


def test_check_links_exits_0_when_every_link_is_reachable(kb: tuple[CliRunner, list[str]],
                                                          db_path: Path, links: str) -> None:
    add_link_sources(db_path, links, {"l-ok": "/ok", "l-moved": "/old"})
    result = call(kb, "check-links")
    assert result.exit_code == 0, result.output
    assert "2 checked: 2 reachable, 0 broken." in result.output


def test_build_never_silently_drops_admin_edits(kb: tuple[CliRunner, list[str]],
                                                db_path: Path, tmp_path: Path) -> None:
    call(kb, "edit", "it-exports-fy25", "answer", "An admin's careful correction.")
    refused = call(kb, "build")
    assert refused.exit_code == 1 and "it-exports-fy25" in refused.output
    assert "careful correction" in call(kb, "show", "it-exports-fy25").output
    out = tmp_path / "kb"
    call(kb, "export", str(out))
    rebuilt = call(kb, "build", "--from", str(out))
    assert rebuilt.exit_code == 0
    assert "careful correction" in call(kb, "show", "it-exports-fy25").output
    assert call(kb, "build", "--force").exit_code == 0
    assert "careful correction" not in call(kb, "show", "it-exports-fy25").output


def test_add_shows_how_users_will_find_the_entry(kb: tuple[CliRunner, list[str]]) -> None:
    """As /add does in Telegram, `kb add` asks the entry's question and its variants."""
    added = call(kb, "add", "--question", "What is the PSEB registration fee for a software "
                 "company?", "--answer", "The PSEB registration fee is PKR 12,345 for a "
                 "software house.", "--source", "PSEB fee schedule",
                 "--url", "https://pseb.org.pk/fees")
    assert added.exit_code == 0
    lines = added.output.splitlines()
    assert "How users will find it:" in lines
    assert any(line.startswith("✅ as written:") for line in lines)
    assert any(line.startswith(("✅ short:", "⚠️ short:")) for line in lines)
