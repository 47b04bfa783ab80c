"""An admin's entry is found like a curated one, and the admin is shown how it will be found.

The case from the matching issue: an admin adds a PSEB fee in English with no alternates;
users ask for it in their own words, in English and in Roman Urdu.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import say, started
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
