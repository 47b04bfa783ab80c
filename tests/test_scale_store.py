"""Imports and exports of big knowledge bases (issue 15): what an operator notices.

A large import goes in with one command (no 5 MiB chat cap on the CLI, a progress bar),
every export form comes back in unchanged, a YAML alias bomb is one clear line, the search
index stays whole after a bulk import, and /export of a base too big for one Telegram
document is sent compressed, or declined politely with the command to use instead.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.errors import KnowledgeError
from bot.kb.files import (
    MAX_ALIASES,
    MAX_IMPORT_BYTES,
    _LineLoader,
    _load_yaml,
    dump_csv,
    dump_yaml,
    load_dir,
    parse_document,
    to_document,
    write_document,
)
from bot.kb.store import open_store
from tests.conftest import kb_state
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001


def pack(count: int) -> dict[str, Any]:
    """An export document of ``count`` varied entries with figures, sources, translations."""
    sources = [{"id": f"survey-{i}", "title": f"Survey {i}", "author": None,
                "publisher": f"Office {i}", "date": "2025", "url": f"https://example.org/{i}",
                "kind": "primary"} for i in range(5)]
    entries = []
    for n in range(count):
        value = 10 + n * 0.5
        entry: dict[str, Any] = {
            "id": f"pack-{n:05d}", "topic": f"Sector {n % 17}",
            "question": f"How many firms in sector {n % 17} city {n % 23} in {2000 + n % 25}?",
            "alternates": [f"firms sector {n % 17} city {n % 23} year {2000 + n % 25} #{n}"],
            "answer": f"About {value:g} thousand firms (entry {n}).",
            "figures": [{"metric": f"firms_{n % 17}", "value": value, "unit": "thousand",
                         "period": str(2000 + n % 25), "period_label": None,
                         "qualifier": "about", "source": sources[n % 5]["id"]}],
            "keywords": [f"sector {n % 17}"], "sources": [sources[n % 5]["id"]],
        }
        if n % 4 == 0:
            entry["translations"] = {"roman": {"topic": f"Sector {n % 17}",
                                               "answer": f"Taqreeban {value:g} hazaar firms."}}
        entries.append(entry)
    return {"sources": sources, "entries": entries}


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_a_big_import_goes_in_with_one_command_and_a_progress_bar(
        tmp_path: Path, db_path: Path) -> None:
    doc = tmp_path / "pack.json"
    doc.write_text(json.dumps(pack(2500)), encoding="utf-8")
    store = open_store(db_path)
    version = store.version
    store.close()
    result = cli("kb", "import", str(doc), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported pack.json: 2500 new, 0 changed, 0 unchanged; "
                                    "sources: 5 new, 0 changed.\n")
    assert "Importing pack.json" in result.stderr  # the progress bar, on stderr
    store = open_store(db_path)
    assert store.count() == 28 + 2500
    assert store.version > version  # the running bot picks it up
    assert store.db.execute("SELECT COUNT(*) FROM revisions WHERE via = 'import'"
                            ).fetchone()[0] == 2500  # one revision per entry: each undoable
    entry = store.get("pack-01234")
    assert entry.figures[0].value == 627.0 and entry.sources == ("survey-4",)
    # full-text search (Datasette's box) holds every new question, and its triggers are back
    for table in ("entries_fts", "questions_fts"):
        store.db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    hits = store.db.execute("SELECT COUNT(*) FROM questions_fts WHERE questions_fts "
                            "MATCH '\"city 7\"'").fetchone()[0]
    assert hits == sum(1 for n in range(2500) if n % 23 == 7) * 2
    assert {r[0] for r in store.db.execute("SELECT name FROM sqlite_master "
                                           "WHERE type = 'trigger'")} >= {"entries_ai",
                                                                          "questions_ai"}
    store.close()
    again = cli("kb", "import", str(doc), "--db", str(db_path))
    assert "0 new, 0 changed, 2500 unchanged" in again.stdout


@pytest.mark.parametrize("suffix", ["yaml", "json", "csv"])
def test_every_export_form_of_a_big_base_imports_back_unchanged(
        tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    doc = tmp_path / "pack.json"
    doc.write_text(json.dumps(pack(2100)), encoding="utf-8")
    assert cli("kb", "import", str(doc), "--db", str(first)).exit_code == 0
    exported = tmp_path / f"export.{suffix}"
    result = cli("kb", "export", str(exported), "--db", str(first))
    assert result.stdout == f"Wrote {28 + 2100} entries to {exported}.\n"
    assert not list(tmp_path.glob("*.partial"))
    sources = tmp_path / "sources.json"  # a CSV names its sources; it does not carry them
    sources.write_text(json.dumps({"sources": pack(0)["sources"], "entries": []}))
    assert cli("kb", "import", str(sources), "--db", str(second)).exit_code == 0
    back = cli("kb", "import", str(exported), "--db", str(second))
    assert back.stdout.startswith(f"Imported export.{suffix}: 2100 new, 0 changed, "
                                  "28 unchanged."), back.output  # both seeded the same
    assert cli("kb", "import", str(exported), "--db", str(first)).stdout.startswith(
        f"Imported export.{suffix}: 0 new, 0 changed, 2128 unchanged")
    assert kb_state(first) == kb_state(second)


def test_streamed_export_is_the_same_text_as_the_whole_document() -> None:
    knowledge = load_dir()
    batches = [knowledge.entries[:5], [], knowledge.entries[5:]]
    for form, whole in (("yaml", dump_yaml(to_document(knowledge))),
                        ("json", json.dumps(to_document(knowledge), ensure_ascii=False,
                                            indent=2)),
                        ("csv", dump_csv(knowledge))):
        out = io.StringIO()
        assert write_document(out, knowledge.sources, batches, form) == len(knowledge.entries)
        assert out.getvalue() == whole
        assert parse_document(out.getvalue().encode(), f"kb.{form}",
                              base_sources=knowledge.sources).entries == knowledge.entries


def test_the_cli_takes_more_than_a_chat_upload_and_has_its_own_cap(
        tmp_path: Path, db_path: Path) -> None:
    doc = tmp_path / "big.yaml"  # over the chat cap: a long comment, then a small document
    doc.write_text("# " + "x" * (MAX_IMPORT_BYTES + 1000) + "\n" + dump_yaml(pack(3)),
                   encoding="utf-8")
    with pytest.raises(KnowledgeError, match="MiB can be imported"):
        parse_document(doc.read_bytes(), doc.name)  # what a chat upload gets
    before = kb_state(db_path)
    refused = cli("kb", "import", str(doc), "--max-mb", "1", "--db", str(db_path))
    assert refused.exit_code == 1
    assert refused.stderr == ("Error: big.yaml: is 5.0 MiB; at most 1 MiB can be imported; "
                              "nothing changed\n")
    assert kb_state(db_path) == before
    taken = cli("kb", "import", str(doc), "--db", str(db_path))
    assert taken.exit_code == 0 and "3 new" in taken.stdout


def test_a_yaml_alias_bomb_is_one_clear_line(tmp_path: Path, db_path: Path) -> None:
    # "billion laughs": nine levels of nine aliases, then 1.2 million aliases (3.6 MB)
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\nentries: [" + ",".join(["*l8"] * 1_200_000) + "]\n")
    before = kb_state(db_path)
    result = cli("kb", "import", str(bomb), "--db", str(db_path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: bomb.yaml:10: uses more than {MAX_ALIASES:,} YAML "
                             "aliases (*name); write the values out in full (kb export never "
                             "writes aliases); nothing changed\n")
    assert kb_state(db_path) == before


@pytest.mark.parametrize("text", [
    "a: 1\nb: 1.5\nc: 1e3\nd: .inf\ne: null\nf: ~\ng: yes\nh: 2024-05-01\ni: '007'\nj: 0x1f\n",
    "base: &b {x: 1, y: 2}\nmerged: {<<: *b, y: 3}\nlist: [*b, *b]\nboth: {<<: [*b, {z: 4}]}\n",
    "entries:\n- id: a\n  figures: [{value: 3.80, unit: '%'}]\n  text: |\n    two\n    lines\n",
    "just text", "", "- [1, [2, [3, {a: b}]]]\n", "? complex\n: key\n",
])
def test_yaml_read_from_events_is_what_the_safe_loader_gives(text: str) -> None:
    assert _load_yaml(text, "t.yaml") == yaml.load(text, Loader=_LineLoader)


def test_the_curated_files_read_the_same_through_libyaml() -> None:
    folder = Path(__file__).resolve().parent.parent / "knowledge" / "entries"
    for file in sorted(folder.glob("*.yaml")):
        text = file.read_text("utf-8")
        assert _load_yaml(text, file.name) == yaml.load(text, Loader=_LineLoader)


@pytest.mark.parametrize(("text", "says"), [
    ("a: 1\n---\nb: 2\n", "single document"),
    ("a: *nowhere\n", "undefined alias"),
    ("a: !!python/object:os.system x\n", "constructor"),
    ("{[1]: x}\n", "unhashable"),
])
def test_yaml_the_safe_loader_refuses_is_refused(text: str, says: str) -> None:
    with pytest.raises(KnowledgeError, match=says):
        parse_document(text.encode(), "t.yaml")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def test_export_over_telegrams_limit_is_sent_gzipped(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e import started

    whole = len(dump_yaml(to_document(load_dir())).encode())
    monkeypatch.setattr("bot.tg.admin.TELEGRAM_UPLOAD_LIMIT", whole - 1)
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.private_text(ADMIN, "/export"))
        (call,) = await fake.wait_for("sendDocument")
        sent = fake.results("sendDocument")[0]["document"]
        content = fake.file_content(sent["file_id"])
    assert sent["file_name"].endswith(".yaml.gz")
    assert "gzip-compressed" in call.params["caption"]
    assert "over Telegram's" in call.params["caption"]
    assert parse_document(gzip.decompress(content), "kb.yaml").entries == load_dir().entries


async def test_export_too_big_even_compressed_says_so_with_the_cli_command(
        fake: FakeBotAPI, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e import say, started

    monkeypatch.setattr("bot.tg.admin.TELEGRAM_UPLOAD_LIMIT", 2000)
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        reply = await say(fake, ADMIN, "/export", 1)
    assert "too big to send" in reply and "pkitbot kb export" in reply
    assert fake.sent("sendDocument") == []
    assert fake.errors == []
