"""Edit integrity and strict values (issue 14): what admins type or import is read exactly,
grants belong to the admins in PKITBOT_ADMINS, and nobody's edit is silently lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.kb.files import parse_document
from bot.kb.store import open_store
from tests.conftest import kb_state
from tests.e2e import started, texts
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001
OTHER_ADMIN = 9002
USER = 5002


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


async def say(fake: FakeBotAPI, user: int, text: str, n: int) -> str:
    """Send a private message and wait for the n-th sendMessage to that chat; return it."""
    fake.push_update(updates.private_text(user, text))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == user and n <= len(texts(fake, user)))
    return texts(fake, user)[n - 1]


def _doc(value: object) -> dict[str, object]:
    return {"entries": [{
        "id": "pseb-registered-firms", "topic": "IT industry",
        "question": "How many IT firms are registered with PSEB?", "answer": "About 123 firms.",
        "figures": [{"metric": "firms", "value": value, "unit": "firms"}],
        "sources": ["column"]}]}


# -- strict values -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "1" + "0" * 400])
def test_a_figure_that_is_not_finite_is_refused_naming_the_field(value: str) -> None:
    text = json.dumps(_doc(0)).replace('"value": 0', f'"value": {value}')
    with pytest.raises(KnowledgeError) as caught:
        parse_document(text.encode(), "import.json", base_sources=open_store(Path(":memory:")).sources())
    (problem,) = caught.value.problems
    assert problem.field == "figures.value" and "finite" in problem.message


@pytest.mark.parametrize("value", ["١٢٣", "۱۲۳", "nan", "inf", "12", "１２"])
def test_a_figure_written_as_text_must_be_ascii_digits(value: str) -> None:
    data = yaml.safe_dump(_doc(value), allow_unicode=True).encode()
    sources = open_store(Path(":memory:")).sources()
    if value == "12":
        assert parse_document(data, "i.yaml", base_sources=sources).entries[0].figures[0].value == 12
        return
    with pytest.raises(KnowledgeError) as caught:
        parse_document(data, "i.yaml", base_sources=sources)
    assert [p.field for p in caught.value.problems] == ["figures.value"]


@pytest.mark.parametrize("name,text", [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep.yaml", "entries: " + "[" * 100_000 + "]" * 100_000),
    ("block.yaml", "entries:\n" + "".join(" " * i + "- \n" for i in range(1, 1500))),
    ("shallow-but-too-deep.json", '{"entries": ' + "[" * 30 + "]" * 30 + "}"),
])
def test_a_deeply_nested_document_is_one_clear_problem(name: str, text: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        parse_document(text.encode(), name)
    (problem,) = caught.value.problems
    assert "too deeply" in problem.message


def test_cli_import_of_a_deeply_nested_file_is_one_line_no_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(main, ["kb", "import", str(deep), "--db", str(tmp_path / "k.db")])
    assert result.exit_code == 1
    assert "too deeply" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)


async def test_edit_figure_refuses_nan_inf_and_non_ascii_digits(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        replies = [await say(fake, ADMIN, f"/edit it-exports-fy25 figure over {v} USD billion", n)
                   for n, v in enumerate(["nan", "inf", "1e999", "٣٫٨"], 1)]
        assert kb_state(db_path) == before
    assert all("Nothing was changed" in r for r in replies)
    assert "finite" in replies[2] and "digits 0-9" in replies[3]
    assert fake.errors == []


async def test_grant_reads_ascii_digits_within_telegrams_range(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        arabic = await say(fake, ADMIN, "/grant ١٢٣", 1)
        huge = await say(fake, ADMIN, "/grant 99999999999999999999999", 2)
        zero = await say(fake, ADMIN, "/grant 0", 3)
        assert "admins only" in await say(fake, 123, "/stats", 1)
    assert "digits 0-9" in arabic and "Nothing was changed" in arabic
    assert "not a Telegram user id" in huge and "not a Telegram user id" in zero
    assert open_store(db_path).chats.granted_admins() == {}
    assert fake.errors == []


# -- grants belong to the admins in PKITBOT_ADMINS ---------------------------------------

async def test_a_granted_admin_cannot_grant_and_loses_power_with_the_granter(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN, OTHER_ADMIN})):
        await say(fake, OTHER_ADMIN, f"/grant {OTHER_ADMIN}", 1)  # already an admin: no row
        await say(fake, OTHER_ADMIN, f"/grant {USER}", 2)
        assert "Questions" in await say(fake, USER, "/stats", 1)
        refused = await say(fake, USER, "/grant 777", 2)
    assert "PKITBOT_ADMINS" in refused
    assert set(open_store(db_path).chats.granted_admins()) == {USER}
    # OTHER_ADMIN leaves PKITBOT_ADMINS: neither they nor the admin they granted stay admins
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        assert "admins only" in await say(fake, OTHER_ADMIN, "/stats", 3)
        assert "admins only" in await say(fake, USER, "/stats", 3)
        revoked = await say(fake, ADMIN, f"/revoke {USER}", 1)
    assert "no longer an admin" in revoked
    assert open_store(db_path).chats.granted_admins() == {}


async def test_self_grant_then_removed_from_the_setting_is_not_an_admin(
        fake: FakeBotAPI, db_path: Path) -> None:
    store = open_store(db_path)
    store.chats.grant(OTHER_ADMIN, granted_by=OTHER_ADMIN)  # as the old /grant allowed
    store.close()
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        assert "admins only" in await say(fake, OTHER_ADMIN, "/stats", 1)
        revoked = await say(fake, ADMIN, f"/revoke {OTHER_ADMIN}", 1)
    assert "no longer an admin" in revoked


def test_cli_lists_and_revokes_granted_admins(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    db = tmp_path / "k.db"
    store = open_store(db)
    store.chats.grant(USER, granted_by=ADMIN)
    store.chats.grant(OTHER_ADMIN, granted_by=OTHER_ADMIN)
    store.close()
    monkeypatch.setenv("PKITBOT_ADMINS", str(ADMIN))
    runner = CliRunner()
    listed = runner.invoke(main, ["kb", "admins", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert f"{ADMIN}  PKITBOT_ADMINS" in listed.output
    assert f"{USER}  granted by {ADMIN}" in listed.output
    assert f"{OTHER_ADMIN}  lapsed" in listed.output
    revoked = runner.invoke(main, ["kb", "revoke", str(OTHER_ADMIN), "--db", str(db)])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    again = runner.invoke(main, ["kb", "revoke", str(OTHER_ADMIN), "--db", str(db)])
    assert "nothing changed" in again.output
    bad = runner.invoke(main, ["kb", "revoke", "٩٠٠٢", "--db", str(db)])
    assert bad.exit_code == 2 and "digits 0-9" in bad.output
    assert set(open_store(db).chats.granted_admins()) == {USER}
