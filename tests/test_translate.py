"""Admins translate (issue 13 item 6): /translate and kb translate, undo, what is missing, coverage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.kb.models import Entry
from bot.kb.store import open_store
from tests.conftest import kb_state
from tests.e2e import say, started, texts
from tests.fakebot import updates
from tests.fakebot.html_check import check_html
from tests.fakebot.server import FakeBotAPI

ADMIN = 9101
OTHER_ADMIN = 9102
USER = 9201
URDU_QUESTION = "پاکستان میں کتنے فری لانسرز ہیں؟"
NEW_URDU = "نیا ترجمہ: پاکستان میں 1.5 ملین سے زیادہ فری لانسرز ہیں اور ملک پہلے 5 ممالک میں ہے۔"
OLD_URDU_WORDS = "پلیٹ فارمز پر کام کرتے ہیں"  # in the stock Urdu answer of freelancer-count


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def stored(db_path: Path) -> Entry:
    store = open_store(db_path)
    try:
        return store.get("freelancer-count")
    finally:
        store.close()


async def ask_urdu(fake: FakeBotAPI, n: int) -> str:
    fake.push_update(updates.private_text(USER, URDU_QUESTION, language_code="ur"))
    await fake.wait_for(lambda r: r.ok and r.method == "sendMessage"
                        and r.params.get("chat_id") == USER and n <= len(texts(fake, USER)))
    return check_html(texts(fake, USER)[n - 1])


async def test_translate_answers_urdu_questions_and_undo_restores(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = await ask_urdu(fake, 1)
        assert OLD_URDU_WORDS in before
        done = await say(fake, ADMIN, f"/translate freelancer-count ur {NEW_URDU}", 1)
        assert "Updated the ur answer of <b>#freelancer-count</b>" in done
        assert "نیا ترجمہ" in check_html(done)  # the preview is the Urdu answer
        after = await ask_urdu(fake, 2)
        assert "نیا ترجمہ" in after and OLD_URDU_WORDS not in after
        assert "فری لانسنگ" in after  # the Urdu topic is kept
        history = await say(fake, ADMIN, "/history freelancer-count", 2)
        assert f"update by telegram:{ADMIN} via telegram" in history
        undone = await say(fake, ADMIN, "/undo", 3)
        assert "Undid your update of #freelancer-count" in undone
        restored = await ask_urdu(fake, 3)
    assert OLD_URDU_WORDS in restored and "نیا ترجمہ" not in restored
    assert fake.errors == []


async def test_undo_of_a_translation_keeps_another_admins_later_one(
        fake: FakeBotAPI, db_path: Path) -> None:
    admins = frozenset({ADMIN, OTHER_ADMIN})
    roman = "Doosra tarjuma: 1.5 million se zyada freelancers, top 5 mulkon mein."
    async with started(fake, db_path, admins=admins):
        await say(fake, ADMIN, f"/translate freelancer-count ur {NEW_URDU}", 1)
        await say(fake, OTHER_ADMIN, f"/translate freelancer-count roman {roman}", 1)
        refused = await say(fake, ADMIN, "/undo", 2)
    assert "was changed after your update" in refused and "nothing was undone" in refused
    entry = stored(db_path)
    assert entry.translation("ur").answer == NEW_URDU  # type: ignore[union-attr]
    assert entry.translation("roman").answer == roman  # type: ignore[union-attr]


async def test_refusals_change_nothing(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        before = kb_state(db_path)
        stranger = await say(fake, USER, f"/translate freelancer-count ur {NEW_URDU}", 1)
        dropped = await say(fake, ADMIN, "/translate freelancer-count ur پاکستان میں بہت سے "
                            "فری لانسرز ہیں", 1)
        changed = await say(fake, ADMIN, "/translate freelancer-count roman 1.6 million se zyada,"
                            " top 5", 2)
        unknown = await say(fake, ADMIN, f"/translate no-such-entry ur {NEW_URDU}", 3)
        language = await say(fake, ADMIN, f"/translate freelancer-count fr {NEW_URDU}", 4)
        markup = await say(fake, ADMIN, "/translate freelancer-count roman <b>1.5</b> million, "
                           "top 5", 5)
        empty = await say(fake, ADMIN, "/translate freelancer-count ur", 6)
        huge = await say(fake, ADMIN, "/translate freelancer-count roman 1.5 top 5 "
                         + "bohat " * 400, 7)
        assert kb_state(db_path) == before
    assert "for the bot's admins only" in stranger and "Nothing was changed" in stranger
    assert "drops or changes the figures 1.5, 5" in dropped
    assert "drops or changes the figure 1.5 " in changed
    assert "no entry #no-such-entry" in unknown
    assert "unknown language" in language and "roman" in language
    assert "markup" in markup
    assert "use: /translate ID ur|roman ANSWER" in empty
    assert "characters; keep it under 2000" in huge
    for reply in (dropped, changed, unknown, language, markup, empty, huge):
        assert "Nothing was changed" in reply


async def test_add_names_the_missing_translations(fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        added = await say(fake, ADMIN, "/add When is the Lahore tech summit? | Every March, "
                          "at the Expo Centre. | Summit programme", 1)
    assert "has no Urdu or Roman Urdu answer yet" in added
    assert "/translate when-is-the-lahore-tech-summit ur ..." in added
    assert "/translate when-is-the-lahore-tech-summit roman ..." in added


async def test_import_dry_run_names_the_missing_translations(
        fake: FakeBotAPI, db_path: Path) -> None:
    doc = {"entries": [{
        "id": "pseb-registered-firms", "topic": "IT industry",
        "question": "How many IT firms are registered with PSEB?",
        "alternates": ["PSEB registered companies"], "answer": "A test answer from an import.",
        "figures": [], "keywords": ["pseb"], "sources": ["column"],
        "translations": {"roman": {"topic": "IT industry", "answer": "Import ka jawab."}}}]}
    document = fake.add_file("file-tr", yaml.safe_dump(doc).encode(), "new.yaml")
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        fake.push_update(updates.document_message(ADMIN, document, caption="/import"))
        await fake.wait_for("sendMessage")
    summary = fake.last_sent(ADMIN)["text"]
    assert "1 new, 0 changed" in summary
    assert "#pseb-registered-firms has no Urdu answer yet: /translate pseb-registered-firms ur" \
        in summary and "roman ..." not in summary


def cli(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    return result.exit_code, result.output


def test_kb_translate_saves_and_undo_reverts(db_path: Path) -> None:
    roman = "Pakistan mein 1.5 million (15 lakh) se zyada freelancers hain: top 5 mulkon mein."
    code, out = cli(db_path, "kb", "translate", "freelancer-count", "roman", roman)
    assert code == 0 and "Updated the roman answer of #freelancer-count" in out
    store = open_store(db_path)
    try:
        entry = store.get("freelancer-count")
        rev = store.history("freelancer-count", limit=1)[0]
    finally:
        store.close()
    assert entry.translation("roman").answer == roman  # type: ignore[union-attr]
    assert entry.translation("roman").topic == "Freelancing"  # type: ignore[union-attr]
    assert rev.via == "cli" and rev.actor.startswith("cli")
    assert rev.before["translations"]["roman"]["answer"] != roman  # type: ignore[index]
    assert rev.after["translations"]["roman"]["answer"] == roman  # type: ignore[index]
    code, out = cli(db_path, "kb", "undo")
    assert code == 0 and "Undid update of #freelancer-count" in out
    _, shown = cli(db_path, "kb", "show", "freelancer-count")
    assert "Column ke mutabiq" in shown and "15 lakh) se zyada freelancers hain" not in shown


def test_kb_translate_refusals_change_nothing(db_path: Path) -> None:
    cli(db_path, "kb", "stats")  # creates and seeds the database
    before = kb_state(db_path)
    dropped = cli(db_path, "kb", "translate", "freelancer-count", "ur", "بہت سے فری لانسرز")
    unknown = cli(db_path, "kb", "translate", "no-such-entry", "ur", "1.5 aur 5")
    language = cli(db_path, "kb", "translate", "freelancer-count", "fr", "1.5 aur 5")
    empty = cli(db_path, "kb", "translate", "freelancer-count", "roman", "   ")
    assert dropped[0] == 1 and "drops or changes the figures 1.5, 5" in dropped[1]
    assert unknown[0] == 1 and "no entry #no-such-entry" in unknown[1]
    assert language[0] == 2 and "'fr' is not one of 'ur', 'roman'" in language[1]
    assert empty[0] == 1 and "the Roman Urdu answer is empty" in empty[1]
    assert kb_state(db_path) == before


def test_kb_stats_shows_coverage_and_import_names_missing(db_path: Path, tmp_path: Path) -> None:
    code, out = cli(db_path, "kb", "stats")
    assert code == 0 and "translations: ur 28/28, roman 28/28" in out
    cli(db_path, "kb", "add", "--question", "When is the Lahore tech summit?",
        "--answer", "Every March.", "--source", "Summit programme")
    _, out = cli(db_path, "kb", "stats")
    assert "translations: ur 28/29, roman 28/29" in out
    data = json.loads(cli(db_path, "kb", "stats", "--json")[1])
    assert data["translations"] == {"entries": 29, "ur": 28, "roman": 28}
    export = tmp_path / "kb.yaml"
    cli(db_path, "kb", "export", str(export))
    code, dry = cli(db_path, "kb", "import", str(export), "--dry-run")
    assert code == 0 and "Nothing changed" in dry
    assert ("#when-is-the-lahore-tech-summit has no Urdu or Roman Urdu answer yet: "
            "pkitbot kb translate when-is-the-lahore-tech-summit ur ...") in dry
    code, applied = cli(db_path, "kb", "import", str(export))
    assert code == 0 and "has no Urdu or Roman Urdu answer yet" in applied
