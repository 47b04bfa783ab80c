"""An admin's entry is found like a curated one, and the admin is shown how it will be found.

The case from the matching issue: an admin adds a PSEB fee in English with no alternates;
users ask for it in their own words, in English and in Roman Urdu.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import buttons, say, started
from tests.fakebot import updates
from tests.fakebot.server import FakeBotAPI

ADMIN = 9001
USER = 5002
PSEB = ("/add What is the PSEB registration fee for a software company? | The PSEB "
        "registration fee is PKR 12,345 for a software house. | Pakistan Software Export "
        "Board fee schedule | https://pseb.org.pk/fees")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def _series(year: str, value: str, period: str) -> str:
    return f"""
- id: exports-oman-{year}
  topic: Exports by country
  question: How much IT did Pakistan export to Oman in {period}?
  answer: Pakistan's IT exports to Oman were {value} million US dollars in {period}.
  figures:
  - {{metric: it_exports_oman, value: {value}, unit: million USD, period: {period},
     period_label: {period}, qualifier: null, sources: [s1]}}
  sources: [s1]"""


OMAN = ("sources:\n- {id: s1, title: 'Exports by destination', author: null, publisher: "
        "Example Bureau, date: '2026', url: https://example.org/s1, kind: primary}\n"
        "entries:" + _series("fy25", "41.5", "FY25") + _series("fy26", "48.2", "FY26")
        + _series("oct-2026", "4.9", "October 2026"))




async def test_an_admins_entry_answers_english_and_roman_urdu_paraphrases(
        fake: FakeBotAPI, db_path: Path) -> None:
    async with started(fake, db_path, admins=frozenset({ADMIN})):
        added = await say(fake, ADMIN, PSEB, 1)
        english = await say(fake, USER,
                            "How much does PSEB registration cost for a software company?", 1)
        roman = await say(fake, USER, "pseb fees kitni hai", 2)
    for answer in (english, roman):
        assert "PKR 12,345" in answer, answer
        # the source line names the admin's source once, not "title, title"
        assert "Pakistan Software Export Board fee schedule" in answer
        assert "schedule, Pakistan Software Export Board fee schedule" not in answer
        assert "column" not in answer.casefold()
    # the admin sees what users will get for the question and its automatic variants
    assert "How users will find it:" in added
    assert "✅ as written" in added
    assert fake.errors == []


async def test_an_answer_offers_the_other_periods_as_buttons(fake: FakeBotAPI,
                                                             db_path: Path) -> None:
    """An admin's series (FY25, FY26, October 2026): a question naming no period gets the
    month with the years listed under it and a button per year, and the button answers it."""
    from bot.kb import open_store
    from bot.kb.files import parse_document

    store = open_store(db_path)
    store.apply_import(parse_document(OMAN.encode(), "pack.yaml"), actor="test", via="import")
    store.close()
    async with started(fake, db_path):
        answer = await say(fake, USER, "IT exports to Oman", 1)
        sent = fake.last_sent(USER)
        offered = [(t, d) for t, d in buttons(sent) if t.startswith("📅")]
        fake.push_update(updates.callback_query(USER, sent, offered[0][1]))
        await fake.wait_for("sendMessage", count=2)
        pressed = fake.last_sent(USER)["text"]
    assert "4.9 million USD" in answer and "Other periods:" in answer
    assert answer.index("48.2") < answer.index("41.5")  # latest first
    assert offered == [("📅 FY26", "a:exports-oman-fy26"), ("📅 FY25", "a:exports-oman-fy25")]
    assert "48.2 million US dollars in FY26" in pressed
    assert fake.errors == []
