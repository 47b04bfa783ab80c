"""Knowledge that admins add is found: the growth packs imported as an admin would, per kind.

``tests/data/eval/growth`` is the public sample (a copy of ``shared/eval/growth``);
``tests/data/growth-blind*`` are packs written without seeing the matcher (whose misses were
read afterwards, except the held-out one's: see ``benchmarks/growth.py``). Their floors are the
levels reached (rounded down to 0.05), so a change that loses ground fails here;
``benchmarks/growth.py`` prints the full table and every miss.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks.growth import SETS, run
from bot.core.embedding import Embedder
from bot.core.formatting import answer_text

pytestmark = pytest.mark.skipif(not Embedder.available(),
                                reason="the floors were measured with the meaning signal")


def _pack(title: str, entries: str) -> bytes:
    """An import document of ``entries`` (YAML list items) citing one sample source."""
    return (f"sources:\n- {{id: s1, title: \"Sample: {title}\", author: null, "
            f"publisher: Sample, date: '2026',\n   url: https://example.org/s1, "
            f"kind: primary}}\nentries:{entries}").encode()


# "last fiscal year" in the blind set means FY26: the day the questions were written
WRITTEN = dt.date(2026, 12, 1)
# Floors: the levels reached (2026-12-01, after matching rounds 10 to 27: countries,
# brands, contrasts, divides, units, fiscal quarters, vocabulary), rounded down to 0.05; the issue's targets
# are higher (README). The comments give each held-out pack's first-measured score.
FLOORS: dict[str, dict[str, float]] = {
    "growth (public sample)": {"en": 0.90, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                               "period": 1.0, "near": 1.0},
    "growth-blind": {"en": 0.85, "short": 0.85, "typo": 1.0, "roman": 0.95, "urdu": 0.95,
                     "period": 1.0, "near": 0.90},
    # first measured 61/90 (2026-12-01), then its misses read in round 3: a development set
    "growth-blind2": {"en": 0.55, "short": 0.85, "typo": 1.0, "roman": 0.85, "urdu": 0.85,
                      "period": 1.0, "near": 0.90},
    # first measured 106/140 (2026-12-01), then its misses read in round 3
    "growth-blind3": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                      "period": 1.0, "near": 0.85},
    # first measured 71/90 after round 3, then its misses read in round 4
    "growth-blind4": {"en": 0.70, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                      "period": 1.0, "near": 0.80},
    # first measured 82/100 after round 4, then its misses read in round 5
    "growth-blind5": {"en": 0.75, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                      "period": 1.0, "near": 0.90},
    # first measured 71/100 after round 5, then its misses read in round 6
    "growth-blind6": {"en": 0.60, "short": 1.0, "typo": 1.0, "roman": 0.90, "urdu": 0.90,
                      "period": 1.0, "near": 0.75},
    # first measured 80/100 after round 6, then its misses read in round 7
    "growth-blind7": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 0.90,
                      "period": 1.0, "near": 0.90},
    # first measured 87/100 after round 7, then its misses read in round 8
    "growth-blind8": {"en": 0.90, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                      "period": 1.0, "near": 1.0},
    # first measured 81/100 after round 8, then its misses read in round 9
    "growth-blind9": {"en": 0.70, "short": 0.85, "typo": 1.0, "roman": 1.0, "urdu": 0.85,
                      "period": 1.0, "near": 0.90},
    # first measured 82/100 after round 9, then its misses read in round 10
    "growth-blind10": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 80/100 before round 10, then its misses read in round 10
    "growth-blind11": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 88/100 after round 10, then its misses read
    "growth-blind12": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                       "period": 1.0, "near": 1.0},
    # first measured 86/100 after round 10, then its misses read in round 11
    "growth-blind13": {"en": 0.75, "short": 0.85, "typo": 1.0, "roman": 0.95, "urdu": 0.90,
                       "period": 1.0, "near": 0.90},
    # first measured 83/100 during round 11, then its misses read
    "growth-blind14": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 89/100 during round 11, then its misses read
    "growth-blind15": {"en": 0.90, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 90/100 after round 11, then its misses read in round 12
    "growth-blind16": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 88/100 after round 11, then its misses read in round 12
    "growth-blind17": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 1.0,
                       "period": 1.0, "near": 1.0},
    # first measured 89/100 during round 12, then its misses read
    "growth-blind18": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                       "period": 1.0, "near": 0.80},
    # first measured 78/100 during round 12, then its misses read
    "growth-blind19": {"en": 0.65, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    # first measured 91/100 and 82/100 after round 12's first part, then their misses read
    "growth-blind20": {"en": 0.80, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 0.90,
                       "period": 1.0, "near": 1.0},
    "growth-blind21": {"en": 0.70, "short": 1.0, "typo": 1.0, "roman": 0.85, "urdu": 0.90,
                       "period": 1.0, "near": 0.75},
    # first measured after round 12 (88/100 and 84/100); unseen, nothing tuned on them
    "growth-blind22": {"en": 0.65, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 1.0,
                       "period": 1.0, "near": 0.90},
    "growth-blind23": {"en": 0.60, "short": 0.85, "typo": 1.0, "roman": 0.95, "urdu": 0.85,
                       "period": 1.0, "near": 0.90},
    # written blind in the second session, in fours, each first measured (benchmarks/growth.py)
    # after the rounds before it, then read for the next round
    "growth-blind24": {"en": 0.80, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind25": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind26": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.80},
    "growth-blind27": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind28": {"en": 0.90, "short": 0.85, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind29": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind30": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind31": {"en": 0.80, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind32": {"en": 0.75, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.75},
    "growth-blind33": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind34": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.75},
    "growth-blind35": {"en": 0.85, "short": 1.00, "typo": 0.80, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind36": {"en": 0.90, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 0.85, "near": 0.75},
    "growth-blind37": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 1.00},
    "growth-blind38": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.90},
    "growth-blind39": {"en": 0.90, "short": 0.75, "typo": 1.00, "roman": 0.95, "urdu": 0.65,
                       "period": 1.00, "near": 0.90},
    "growth-blind40": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind41": {"en": 0.80, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.80},
    "growth-blind42": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 0.90,
                       "period": 1.00, "near": 0.90},
    "growth-blind43": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    # 44-47: first measured after rounds 13-18 (364/400), then read in round 19
    "growth-blind44": {"en": 0.85, "short": 0.85, "typo": 0.80, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 1.00},
    "growth-blind45": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind46": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind47": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    # 48-51: first measured after rounds 13-19 (352/400), then read in round 20
    "growth-blind48": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.80},
    "growth-blind49": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind50": {"en": 0.90, "short": 0.85, "typo": 1.00, "roman": 0.90, "urdu": 0.75,
                       "period": 1.00, "near": 0.80},
    "growth-blind51": {"en": 0.90, "short": 0.85, "typo": 0.80, "roman": 0.95, "urdu": 0.80,
                       "period": 1.00, "near": 0.90},
    # 52-55: first measured 353/400 with the final code of rounds 13-20, read in round 21
    "growth-blind52": {"en": 0.75, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.90},
    "growth-blind53": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind54": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 0.80,
                       "period": 1.00, "near": 0.90},
    "growth-blind55": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    # 56-59: first measured 367/400 (other periods offered), then read in round 21
    "growth-blind56": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind57": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind58": {"en": 0.75, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 1.00},
    "growth-blind59": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.90},
    # 60-63: first measured 374/400 after round 21, then read in rounds 22-23
    "growth-blind60": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind61": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind62": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind63": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.80},
    # 64-67: first measured 364/400 after round 22, then read in round 23
    "growth-blind64": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind65": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind66": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 0.90, "urdu": 0.85,
                       "period": 1.00, "near": 0.90},
    "growth-blind67": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.80},
    # 68-71: first measured 345/400 after round 23, then read in round 24
    "growth-blind68": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 0.85, "near": 1.00},
    "growth-blind69": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind70": {"en": 0.75, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind71": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    # 72-75: first measured 366/400 after round 24, then read in round 25
    "growth-blind72": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 0.90,
                       "period": 1.00, "near": 0.90},
    "growth-blind73": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind74": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.90},
    "growth-blind75": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    # 76-79: first measured 371/400 after round 25, then read in round 26
    "growth-blind76": {"en": 0.80, "short": 0.85, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind77": {"en": 0.95, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.90,
                       "period": 1.00, "near": 0.80},
    "growth-blind78": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.80},
    "growth-blind79": {"en": 0.95, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    # 80-83: first measured 364/400 after round 26, then read in round 27
    "growth-blind80": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 0.95, "urdu": 1.00,
                       "period": 1.00, "near": 0.65},
    "growth-blind81": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind82": {"en": 0.85, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind83": {"en": 0.90, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    # 84-87: first measured 363/400 with the final code of rounds 21-27; unseen
    "growth-blind84": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.75},
    "growth-blind85": {"en": 0.80, "short": 1.00, "typo": 1.00, "roman": 0.90, "urdu": 1.00,
                       "period": 1.00, "near": 0.90},
    "growth-blind86": {"en": 0.90, "short": 0.75, "typo": 1.00, "roman": 1.00, "urdu": 1.00,
                       "period": 1.00, "near": 1.00},
    "growth-blind87": {"en": 0.70, "short": 1.00, "typo": 1.00, "roman": 1.00, "urdu": 0.85,
                       "period": 1.00, "near": 0.90},
}


@pytest.mark.parametrize("name", list(SETS))
def test_growth_pack_stays_above_its_floors(name: str) -> None:
    folder: Path = SETS[name]
    table, _misses, _p50 = run(folder, WRITTEN)
    for kind, (right, total) in table.items():
        assert right / total >= FLOORS[name][kind], (name, kind, right, total, dict(table))


def test_an_acronym_an_admin_entry_defines_finds_it_by_either_form(tmp_path: Path) -> None:
    """An entry asked by its full name that gives the acronym only in its answer is found by
    the acronym too, and the other way round, in English and Roman Urdu."""
    from bot.core.engine import Engine
    from bot.kb import open_store
    from bot.kb.files import parse_document

    pack = _pack("boards", """
- id: sbte
  topic: Skills
  question: What does the Sindh Board of Technical Education do?
  answer: The Sindh Board of Technical Education (SBTE) holds the exams for diplomas in
    associate engineering and IT courses in Sindh.
  sources: [s1]
- id: ncl
  topic: Telecom
  question: What does NCL do?
  answer: NCL (National Cyber Lab) tests telecom equipment and software for security flaws
    before it is approved for use.
  sources: [s1]
""")
    store = open_store(tmp_path / "kb.sqlite3")
    store.apply_import(parse_document(pack, "pack.yaml"), actor="test", via="import")
    engine = Engine(store)
    for question, entry_id in [("What does SBTE do?", "sbte"), ("SBTE exams", "sbte"),
                               ("What is the National Cyber Lab for?", "ncl"),
                               ("NCL kya karta hai?", "ncl")]:
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None, question
        assert answer.entry.id == entry_id, question
    store.close()


def _engine_with(tmp_path: Path, pack: bytes):  # type: ignore[no-untyped-def]
    from bot.core.engine import Engine
    from bot.kb import open_store
    from bot.kb.files import parse_document

    store = open_store(tmp_path / "kb.sqlite3")
    store.apply_import(parse_document(pack, "pack.yaml"), actor="test", via="import")
    return Engine(store, today=WRITTEN)

# an admin's entry on exports to one country, for the tests of countries and their names
UK_EXPORTS_FY26 = """- id: it-exports-uk-fy26
  topic: IT exports
  question: What were Pakistan's IT exports to the UK in FY26?
  answer: Pakistan's IT exports to the United Kingdom were 512 million US dollars in FY26.
  figures:
  - {metric: it_exports_uk, value: 512, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""


def _finds(engine, cases) -> None:  # type: ignore[no-untyped-def]
    """Each (question, entry id) is answered, from that entry."""
    for question, entry in cases:
        found = engine.ask(question, log=False)
        assert found.answered and found.entry is not None, question
        assert found.entry.id == entry, (question, found.entry.id)


def _refuses(engine, questions) -> None:  # type: ignore[no-untyped-def]
    """Each question is not answered (a refusal or an offer, never a figure)."""
    for question in questions:
        assert not engine.ask(question, log=False).answered, question



SERIES = _pack("broadband census", """
- id: fibre-fy26
  topic: Telecom
  question: How many fibre-to-the-home connections were there in Pakistan in FY26?
  answer: Pakistan had 910,000 fibre-to-the-home connections at the end of FY26.
  figures:
  - {metric: ftth_connections, value: 910000, unit: connections, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: fibre-sep-2026
  topic: Telecom
  question: How many fibre-to-the-home connections were there in September 2026?
  answer: There were 975,000 fibre-to-the-home connections in September 2026.
  figures:
  - {metric: ftth_connections, value: 975000, unit: connections, period: September 2026,
     period_label: September 2026, qualifier: null, sources: [s1]}
  sources: [s1]
- id: speed
  topic: Telecom
  question: What is the median mobile download speed?
  answer: The median mobile download speed was 24.1 Mbps in Q3 2026 and 19.8 Mbps in Q3 2025.
  figures:
  - {metric: mobile_speed, value: 24.1, unit: Mbps, period: '2026', period_label: Q3 2026,
     qualifier: median, sources: [s1]}
  - {metric: mobile_speed, value: 19.8, unit: Mbps, period: '2025', period_label: Q3 2025,
     qualifier: median, sources: [s1]}
  sources: [s1]
""")


def test_a_month_after_a_fiscal_year_is_the_latest_figure(tmp_path: Path) -> None:
    """With no period asked, September 2026 (after FY26 ended in June) is the figure given;
    FY26 is still given when asked for."""
    engine = _engine_with(tmp_path, SERIES)
    latest = engine.ask("How many homes in Pakistan have fibre broadband now?", log=False)
    assert latest.answered and latest.entry is not None and latest.entry.id == "fibre-sep-2026"
    asked = engine.ask("fibre to the home connections in FY26", log=False)
    assert asked.answered and asked.entry is not None and asked.entry.id == "fibre-fy26"


def test_an_answer_offers_the_series_other_periods(tmp_path: Path) -> None:
    """A question naming no period gets the latest figure and, under it, the same metric's
    other periods (FY26 beside September 2026); one naming a period gets that period alone."""
    engine = _engine_with(tmp_path, SERIES)
    latest = engine.ask("How many homes in Pakistan have fibre broadband now?", log=False)
    text = answer_text(latest)
    assert "975,000" in text and "Other periods:" in text
    assert text.index("975,000") < text.index("Other periods:") < text.index("910,000")
    assert [sf.entry_id for sf in latest.periods] == ["fibre-fy26"]
    roman = answer_text(engine.ask("fibre connections kitne hain", log=False), "roman")
    assert "Doosri muddaton ke figures:" in roman and "910000 connections — FY26" in roman
    asked = answer_text(engine.ask("fibre to the home connections in FY26", log=False))
    assert "910,000" in asked and "975" not in asked and "Other periods" not in asked
    # an entry whose own answer gives both years has no other entry to offer
    speed = engine.ask("median mobile download speed", log=False)
    assert speed.answered and speed.periods == () and "Other periods" not in answer_text(speed)


def test_a_series_split_in_entries_is_found_as_one(tmp_path: Path) -> None:
    """A metric an admin adds one entry per year is no weaker for it: a word of the series
    ("towers") counts once, and its years do not tie with each other, so the latest answers
    instead of an entry that shares a commoner word ("mobile")."""
    entries = "".join(f"""
- id: towers-fy{y}
  topic: Telecom
  question: How many telecom towers were there in Pakistan in FY{y}?
  alternates: [telecom towers fy{y}]
  answer: Pakistan had {40 + y},100 telecom towers at the end of FY{y}.
  figures:
  - {{metric: telecom_towers, value: {40 + y}100, unit: towers, period: FY{y},
     period_label: FY{y}, qualifier: null, sources: [s1]}}
  sources: [s1]""" for y in (24, 25, 26))
    pack = _pack("towers", f"""{entries}
- id: phones
  topic: Devices
  question: How many mobile phones are assembled in Pakistan?
  alternates: [local mobile phone manufacturing]
  answer: Local factories assembled 29.7 million mobile phones in 2025.
  figures:
  - {{metric: phones_assembled, value: 29.7, unit: million, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}}
  sources: [s1]
""")
    engine = _engine_with(tmp_path, pack)
    for question in ("mobile tower kitne hain pakistan mein", "how many mobile towers are there"):
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None, question
        assert answer.entry.id == "towers-fy26", question


def test_a_figure_for_one_kind_of_thing_is_not_given_for_another(tmp_path: Path) -> None:
    """A question about laptops, senior engineers or medical students is not answered with an
    entry's figure for phones, junior developers or IT students; the entry's own question is."""
    pack = _pack("industry", """
- id: phones
  topic: Devices
  question: How many mobile phones are assembled in Pakistan?
  answer: Local factories assembled 29.7 million mobile phones in 2025.
  figures:
  - {metric: phones_assembled, value: 29.7, unit: million, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: junior-salary
  topic: Jobs
  question: What is the average salary of a junior software developer?
  answer: A junior software developer earned an average of Rs 142,000 a month in 2026.
  figures:
  - {metric: junior_salary, value: 142000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
""")
    engine = _engine_with(tmp_path, pack)
    for question in ("How many laptops are assembled in Pakistan?",
                     "What is the average salary of a senior software engineer in Pakistan?"):
        answer = engine.ask(question, log=False)
        assert not answer.answered, question
        assert "29.7" not in answer_text(answer) and "142,000" not in answer_text(answer)
    for question, entry_id in (("how many mobile phones are made in pakistan", "phones"),
                               ("junior developer salary", "junior-salary")):
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None and answer.entry.id == entry_id


def test_an_acronym_spelt_in_urdu_letters_finds_the_entry(tmp_path: Path) -> None:
    """"این ٹی سی" spells NTC: an English-only admin entry about NTC answers the Urdu
    question."""
    pack = _pack("operators", """
- id: ntc
  topic: Telecom
  question: What does NTC do?
  answer: NTC, the National Telecommunication Corporation, runs the federal government's
    data network and serves 1,240 public offices.
  figures:
  - {metric: ntc_offices, value: 1240, unit: offices, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
""")
    engine = _engine_with(tmp_path, pack)
    answer = engine.ask("این ٹی سی کیا کرتی ہے؟", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "ntc"


GULF = _pack("trade", """
- id: gulf-share
  topic: Trade
  question: What share of Pakistan's IT exports goes to the Gulf?
  answer: In FY26 the UAE took 17.3 percent of Pakistan's IT exports and Saudi Arabia
    9.8 percent.
  figures:
  - {metric: gulf_share, value: 17.3, unit: percent, period: FY26, period_label: FY26,
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: fia-complaints
  topic: Security
  question: How many cybercrime complaints did FIA receive in FY26?
  answer: FIA's cybercrime wing received 151,200 complaints in FY26.
  figures:
  - {metric: fia_complaints, value: 151200, unit: complaints, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
""")


def test_a_country_an_entry_names_is_no_other_country(tmp_path: Path) -> None:
    """Exports to Saudi Arabia are Pakistan's: an entry that names the country answers, in
    Urdu script and misspelt too; a question about another country's own figure is refused."""
    engine = _engine_with(tmp_path, GULF)
    for question in ("سعودی عرب کو آئی ٹی برآمدات کا کتنا حصہ جاتا ہے؟",
                     "it export share of saudia"):
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None, question
        assert answer.entry.id == "gulf-share", question
    refused = engine.ask("بھارت میں کتنے فری لانسرز ہیں؟", log=False)
    assert not refused.answered


def test_a_name_the_vocabulary_spells_as_a_known_acronym_is_no_unknown_name(
        tmp_path: Path) -> None:
    """An entry that says only "FIA" is found by "the Federal Investigation Agency"."""
    engine = _engine_with(tmp_path, GULF)
    answer = engine.ask("How many complaints about online crime reached the Federal "
                        "Investigation Agency?", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "fia-complaints"


def test_an_institution_named_in_part_is_found_by_its_acronym(tmp_path: Path) -> None:
    """An entry that writes only "SECP" is found by "the Securities Exchange Commission"
    (most of the glossary's name, in order) as well as by its full name."""
    engine = _engine_with(tmp_path, _pack("registrar", """
- id: secp-online
  topic: Business
  question: How many companies did SECP register online in FY26?
  answer: SECP registered 31,400 companies online in FY26.
  figures:
  - {metric: secp_online, value: 31400, unit: companies, period: FY26, period_label: FY26,
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    for question in ("How many firms did the Securities Exchange Commission register online?",
                     "companies registered online by the securities and exchange commission "
                     "of pakistan"):
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None, question
        assert answer.entry.id == "secp-online", question


def test_how_many_asks_for_a_number_whatever_money_words_say_elsewhere(tmp_path: Path) -> None:
    """"government-funded" describes the course: "how many got jobs" asks for a number and
    the count answers; "how many dollars" still asks for money, which the count is not."""
    engine = _engine_with(tmp_path, _pack("training", """
- id: placements
  topic: Skills
  question: How many vocational IT trainees were placed in jobs?
  answer: Of 48,600 trainees who finished vocational IT courses in FY26, 17,250 were placed in
    jobs within six months.
  figures:
  - {metric: placements, value: 17250, unit: trainees, period: FY26, period_label: FY26,
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    answer = engine.ask("After a government-funded vocational IT course, how many trainees "
                        "were placed in jobs?", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "placements"
    money = engine.ask("How many dollars did vocational IT trainees placed in jobs earn?",
                       log=False)
    assert not money.answered


def test_a_group_of_several_words_is_mentioned_by_any_of_them(tmp_path: Path) -> None:
    """"fixed-line" is what an entry on fixed broadband prices covers; "mobile" is not."""
    engine = _engine_with(tmp_path, _pack("prices", """
- id: broadband-price
  topic: Telecom
  question: What is the price of broadband per Mbps?
  answer: Fixed broadband cost Rs 173 per Mbps per month in June 2026.
  figures:
  - {metric: broadband_price, value: 173, unit: PKR per Mbps, period: June 2026,
     period_label: June 2026, qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    answer = engine.ask("What does a fixed-line internet connection cost per Mbps?", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "broadband-price"
    assert not engine.ask("What does 4G mobile internet cost per Mbps?", log=False).answered


def test_quarters_and_halves_are_periods(tmp_path: Path) -> None:
    """A metric an admin adds one entry per quarter answers the quarter asked, however it is
    named, the latest when none is, and refuses a quarter it lacks."""
    entries = "".join(f"""
- id: postings-q{q}
  topic: Jobs
  question: How many tech job postings did the national job portal carry in Q{q} 2026?
  answer: The national job portal carried {17 + q},{q}00 tech job postings in Q{q} 2026.
  figures:
  - {{metric: tech_postings, value: {17 + q}{q}00, unit: postings, period: Q{q} 2026,
     period_label: Q{q} 2026, qualifier: null, sources: [s1]}}
  sources: [s1]""" for q in (1, 2, 3))
    engine = _engine_with(tmp_path, _pack("jobs", entries))
    for question, entry_id in (
            ("tech job postings on the national job portal in the third quarter of 2026",
             "postings-q3"),
            ("How many tech jobs did the job portal list between January and March 2026?",
             "postings-q1"),
            ("job portal tech postings April-June 2026", "postings-q2"),
            ("How many tech job postings are on the national job portal now?", "postings-q3")):
        answer = engine.ask(question, log=False)
        assert answer.answered and answer.entry is not None, question
        assert answer.entry.id == entry_id, question
    lacking = engine.ask("tech job postings on the job portal in the last quarter of 2025",
                         log=False)
    assert not lacking.answered


def test_an_english_loanword_in_urdu_script_finds_the_english_entry(tmp_path: Path) -> None:
    """"روبوٹکس لیبز" is "robotics labs" written in Urdu letters: an English-only entry answers,
    though no vocabulary lists the words."""
    engine = _engine_with(tmp_path, _pack("schools", """
- id: robotics-labs
  topic: Education
  question: How many robotics labs have been set up in government schools?
  answer: Robotics labs had been set up in 1,340 government schools by June 2026.
  figures:
  - {metric: robotics_labs, value: 1340, unit: schools, period: June 2026,
     period_label: June 2026, qualifier: null, sources: [s1]}
  sources: [s1]
- id: school-internet
  topic: Education
  question: How many government schools have an internet connection?
  answer: 21,800 government schools had an internet connection by June 2026.
  figures:
  - {metric: school_internet, value: 21800, unit: schools, period: June 2026,
     period_label: June 2026, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    answer = engine.ask("کتنے سرکاری اسکولوں میں روبوٹکس لیبز ہیں؟", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "robotics-labs"


def test_a_money_word_that_names_what_is_counted_asks_for_a_number(tmp_path: Path) -> None:
    """"How many funding rounds" counts rounds: the count answers; "how many dollars" still
    asks for money."""
    engine = _engine_with(tmp_path, _pack("startups", """
- id: funding-rounds
  topic: Startups
  question: How many funding rounds did Pakistani startups close?
  answer: Pakistani startups closed 58 funding rounds in 2024 and 71 in 2025.
  figures:
  - {metric: funding_rounds, value: 71, unit: rounds, period: '2025', period_label: '2025',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    answer = engine.ask("How many investment rounds did local startups raise in 2025?",
                        log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "funding-rounds"
    assert not engine.ask("How many dollars did startups raise in their funding rounds?",
                          log=False).answered


def test_a_target_or_peak_figure_imports_and_says_so(tmp_path: Path) -> None:
    """Admins state targets and peaks: such a figure imports (it was refused as an unknown
    qualifier) and the answer names it as a target."""
    from bot.core.formatting import answer_text

    engine = _engine_with(tmp_path, _pack("targets", """
- id: exports-target
  topic: Trade
  question: What is the IT exports target for FY27?
  answer: The government's target is IT exports of 5.2 billion US dollars in FY27.
  figures:
  - {metric: it_exports_target, value: 5.2, unit: billion USD, period: FY27,
     period_label: FY27, qualifier: target, sources: [s1]}
  sources: [s1]
"""))
    answer = engine.ask("What is the IT exports target for FY27?", log=False)
    assert answer.answered and answer.entry is not None and answer.entry.id == "exports-target"
    assert "target" in answer_text(answer)


def test_a_year_asked_for_gets_the_latest_yearly_figure(tmp_path: Path) -> None:
    """Of FY26 and October 2026 figures, "in a year" asks for FY26; with no period named, the
    latest figure (October 2026) answers."""
    engine = _engine_with(tmp_path, _pack("bootcamp", """
- id: bootcamp-fy26
  topic: Skills
  question: How many graduates did the national coding bootcamp produce in FY26?
  answer: The national coding bootcamp produced 23,600 graduates in FY26.
  figures:
  - {metric: bootcamp_graduates, value: 23600, unit: graduates, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: bootcamp-oct-2026
  topic: Skills
  question: How many graduates did the national coding bootcamp produce in October 2026?
  answer: The national coding bootcamp produced 2,870 graduates in October 2026.
  figures:
  - {metric: bootcamp_graduates, value: 2870, unit: graduates, period: October 2026,
     period_label: October 2026, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    yearly = engine.ask("How many people graduate from the national coding bootcamp in a year?",
                        log=False)
    assert yearly.answered and yearly.entry is not None and yearly.entry.id == "bootcamp-fy26"
    latest = engine.ask("How many graduates did the national coding bootcamp produce?",
                        log=False)
    assert latest.answered and latest.entry is not None and latest.entry.id == "bootcamp-oct-2026"


def test_a_too_long_entry_id_is_refused_with_its_length() -> None:
    """An admin's slug that is only too long is told so, not that it is no slug."""
    from bot.errors import KnowledgeError
    from bot.kb.files import parse_document

    long_id = "digital-health-records-public-hospitals-2025"
    with pytest.raises(KnowledgeError) as refused:
        parse_document(_pack("ids", f"""
- id: {long_id}
  topic: Health
  question: How many public hospitals keep digital health records?
  answer: 214 public hospitals kept digital health records in 2025.
  sources: [s1]
"""), "pack.yaml")
    assert f"id '{long_id}' is 44 characters; at most 40" in str(refused.value)


def test_another_country_is_refused_even_beside_a_covered_scope_word(tmp_path: Path) -> None:
    """"Indian freelancers ... per month": "per month" is in an entry, but India is in none,
    so the question is refused, not answered with Pakistan's average."""
    engine = _engine_with(tmp_path, _pack("earnings", """
- id: freelancer-monthly-earnings
  topic: Freelancing
  question: How much do Pakistani freelancers earn per month on average?
  answer: Pakistani freelancers earned an average of 455 US dollars a month in 2025.
  figures:
  - {metric: freelancer_monthly_earnings, value: 455, unit: USD, period: '2025',
     period_label: '2025', qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    own = engine.ask("How much do freelancers earn per month on average?", log=False)
    assert own.answered and own.entry is not None and own.entry.id == "freelancer-monthly-earnings"
    for question in ("How much do Indian freelancers earn per month on average?",
                     "What do freelancers in the Philippines earn per month?"):
        refused = engine.ask(question, log=False)
        assert not refused.answered, question


def test_a_figure_for_one_side_of_a_divide_is_not_one_for_the_other(tmp_path: Path) -> None:
    """Public-sector hospitals' share is not private hospitals' share, and rural households'
    is not urban ones'; asking which side ("private or government-backed?") is no narrowing."""
    engine = _engine_with(tmp_path, _pack("divides", """
- id: public-hospital-records
  topic: Health
  question: What share of public-sector hospitals keep electronic health records?
  answer: 41 percent of public-sector hospitals kept electronic health records in 2025.
  figures:
  - {metric: hospital_ehr_share, value: 41, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: rural-internet-households
  topic: Connectivity
  question: What share of rural households have internet access?
  answer: 29 percent of rural households had internet access at home in 2025.
  figures:
  - {metric: rural_household_internet, value: 29, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    found = engine.ask("What percentage of government hospitals use electronic health records?",
                       log=False)
    assert found.answered and found.entry is not None
    assert found.entry.id == "public-hospital-records"
    _refuses(engine, ("What share of private hospitals use electronic health records?",
                     "What share of urban households have internet access?"))
    either = engine.ask("Are the hospitals with electronic health records public or private?",
                        log=False)
    assert either.answered


def test_a_country_is_found_by_its_other_names_and_narrows_like_a_place(tmp_path: Path) -> None:
    """An entry on exports to the UK is found from "Britain" and "British"; its "US dollars"
    do not make it an entry about the United States, which it cannot answer for."""
    engine = _engine_with(tmp_path, _pack("destinations", "\n" + UK_EXPORTS_FY26))
    for question in ("How much software did Pakistan sell to Britain in FY26?",
                     "What do British clients spend on Pakistani IT services?"):
        found = engine.ask(question, log=False)
        assert found.answered and found.entry is not None, question
        assert found.entry.id == "it-exports-uk-fy26", question
    assert not engine.ask("What were Pakistan's IT exports to the United States in FY26?",
                          log=False).answered


def test_a_brand_is_read_as_the_kind_of_service_it_is(tmp_path: Path) -> None:
    """Users name brands: "Careem" and "inDrive" drivers find the ride-hailing entry and
    "Starlink" the satellite-internet one (not "I know nothing about Starlink"), in English
    and Roman Urdu; a card-payments figure does not answer for mobile wallets."""
    engine = _engine_with(tmp_path, _pack("services", """
- id: ride-hailing-drivers
  topic: Gig work
  question: How many people drive for ride-hailing apps in Pakistan?
  answer: About 310,000 people drove for ride-hailing apps in Pakistan in 2025.
  figures:
  - {metric: ride_hailing_drivers, value: 310000, unit: people, period: '2025',
     period_label: '2025', qualifier: about, sources: [s1]}
  sources: [s1]
- id: satellite-internet-licence
  topic: Regulation
  question: How does a satellite internet company get a licence in Pakistan?
  answer: A satellite internet provider registers with the space regulator and then applies
    to the PTA for a licence.
  figures: []
  sources: [s1]
- id: ecommerce-card-share
  topic: E-commerce
  question: What share of e-commerce orders are paid by card?
  answer: 18 percent of e-commerce orders were paid by card in 2025.
  figures:
  - {metric: ecommerce_card_share, value: 18, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How many Careem and inDrive drivers are there?",
                             "ride-hailing-drivers"),
                            ("Careem ke kitne driver hain?", "ride-hailing-drivers"),
                            ("Can Starlink get a licence in Pakistan?", "satellite-internet-licence"),
                            ("Starlink ka license kaise milta hai", "satellite-internet-licence")))
    assert not engine.ask("What share of e-commerce orders are paid through mobile wallets?",
                          log=False).answered


def test_imports_are_not_answered_with_the_exports_figure(shared_engine) -> None:  # type: ignore[no-untyped-def]
    """The column gives exports only: "IT imports in FY25" is refused (it was answered with
    the $3.8bn exports), in English and Roman Urdu, while the exports question still answers."""
    for question in ("What were Pakistan's IT imports in FY25?",
                     "How much software does Pakistan import?",
                     "Pakistan IT services import kitni hai"):
        assert not shared_engine.ask(question, log=False).answered, question
    exports = shared_engine.ask("What were Pakistan's IT exports in FY25?", log=False)
    assert exports.answered and exports.entry is not None and exports.entry.id == "it-exports-fy25"


def test_a_name_that_looks_like_a_word_of_asking_is_still_unknown(tmp_path: Path) -> None:
    """"Toptal" is a platform no entry knows, not a misspelt "total"; a misspelt known
    name ("Upwrok") still finds its entry."""
    engine = _engine_with(tmp_path, _pack("platforms", """
- id: platform-earnings-share
  topic: Freelancing
  question: What share of freelance earnings comes from each platform?
  answer: Upwork brought 46 percent of Pakistani freelancers' earnings in 2025 and Fiverr 31
    percent.
  figures:
  - {metric: upwork_share, value: 46, unit: percent, period: '2025', period_label: '2025',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    assert not engine.ask("What share of Pakistani freelancers' earnings comes from Toptal?",
                          log=False).answered
    found = engine.ask("What share of freelance earnings comes from Upwrok?", log=False)
    assert found.answered and found.entry is not None and found.entry.id == "platform-earnings-share"


def test_one_side_of_a_measure_does_not_answer_for_the_other(tmp_path: Path) -> None:
    """Patent applications filed do not answer "how many patents were granted", nor e-waste
    collected "how much e-waste is produced"; each still answers its own question."""
    engine = _engine_with(tmp_path, _pack("measures", """
- id: patent-applications
  topic: Innovation
  question: How many technology patents are filed in Pakistan?
  answer: 1,210 technology patent applications were filed in Pakistan in 2025.
  figures:
  - {metric: patent_applications, value: 1210, unit: applications, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: ewaste-collected
  topic: Environment
  question: How much e-waste is collected in Pakistan?
  answer: Recyclers collected 41,300 tonnes of electronic waste in Pakistan in 2025.
  figures:
  - {metric: ewaste_collected, value: 41300, unit: tonnes, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How many tech patent applications were filed in 2025?",
                             "patent-applications"),
                            ("How much electronic waste do recyclers collect?", "ewaste-collected")))
    _refuses(engine, ("How many technology patents were granted in Pakistan?",
                     "How much e-waste does Pakistan produce every year?"))


def test_tech_work_and_it_work_are_one_sector(tmp_path: Path) -> None:
    """An entry on "tech jobs" is found by a question on "IT jobs" and the other way round;
    "frequency licences" are spectrum."""
    engine = _engine_with(tmp_path, _pack("sector", """
- id: women-tech-jobs
  topic: Workforce
  question: What share of tech jobs in Pakistan are held by women?
  answer: Women held 21.4 percent of tech jobs in Pakistan in 2025.
  figures:
  - {metric: women_tech_jobs_share, value: 21.4, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: spectrum-fees
  topic: Telecom
  question: How much did operators pay in spectrum fees in FY26?
  answer: Mobile operators paid 412 million US dollars in spectrum fees in FY26.
  figures:
  - {metric: spectrum_fees, value: 412, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How many women work in IT in Pakistan?", "women-tech-jobs"),
                            ("How much money did the government collect for frequency "
                             "licences?", "spectrum-fees")))


def test_everyday_words_for_a_technical_term_find_it(tmp_path: Path) -> None:
    """"Found guilty in online crime cases" is cybercrime convictions; "fifth-generation"
    is 5G; the "northern areas" are Gilgit-Baltistan."""
    engine = _engine_with(tmp_path, _pack("terms", """
- id: cybercrime-convictions
  topic: Cybercrime
  question: How many cybercrime convictions were there in Pakistan?
  answer: Courts handed down 1,204 cybercrime convictions in Pakistan in 2025.
  figures:
  - {metric: cybercrime_convictions, value: 1204, unit: convictions, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: 5g-trial-sites
  topic: Telecom
  question: How many 5G trial sites are there?
  answer: Operators ran 5G trials at 36 sites in 2026.
  figures:
  - {metric: 5g_trial_sites, value: 36, unit: sites, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: gb-mobile-speed
  topic: Connectivity
  question: What is the average mobile internet speed in Gilgit-Baltistan?
  answer: Mobile internet in Gilgit-Baltistan averaged 9.8 Mbps in 2026.
  figures:
  - {metric: gb_mobile_speed, value: 9.8, unit: Mbps, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
            ("How many people were found guilty in online crime cases?", "cybercrime-convictions"),
            ("At how many sites are fifth-generation networks being tried?", "5g-trial-sites"),
            ("How fast is mobile internet in the northern areas?", "gb-mobile-speed")))


def test_the_entry_naming_the_country_asked_about_goes_first(tmp_path: Path) -> None:
    """"Software and IT services sold to the USA" is closer in words to the column's software
    segment, but only the admin's US entry names the country: it answers."""
    engine = _engine_with(tmp_path, _pack("destinations", """
- id: it-exports-us-fy26
  topic: IT exports
  question: What were Pakistan's IT exports to the United States in FY26?
  answer: Pakistan's IT exports to the United States were 1.24 billion US dollars in FY26.
  figures:
  - {metric: it_exports_us, value: 1.24, unit: billion USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    found = engine.ask("What is the latest number for software and IT services sold to the USA?",
                       log=False)
    assert found.answered and found.entry is not None and found.entry.id == "it-exports-us-fy26"


def test_provinces_fees_and_calls_are_read_as_asked(tmp_path: Path) -> None:
    """"KPK" is Khyber Pakhtunkhwa (answered from the by-province entry); Gilgit-Baltistan is
    not a misspelt Balochistan; "what is the fee" asks for money, which a count of
    applications does not give; SMS spam complaints do not answer for spam calls."""
    engine = _engine_with(tmp_path, _pack("provinces", """
- id: internet-users-by-province
  topic: Connectivity
  question: How many internet users are there in each province?
  answer: In 2025 Punjab had 70.1 million internet users, Sindh 30.2 million, Khyber
    Pakhtunkhwa 20.4 million and Balochistan 4.3 million.
  figures:
  - {metric: internet_users_kp, value: 20.4, unit: million, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: e-passport-applications
  topic: Government services
  question: How many e-passport applications were received?
  answer: The passport office received 1.41 million e-passport applications in FY26.
  figures:
  - {metric: e_passport_applications, value: 1.41, unit: million, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: sms-spam-complaints
  topic: Telecom
  question: How many SMS spam complaints did the PTA receive?
  answer: The PTA received 96,400 complaints about spam SMS in FY26.
  figures:
  - {metric: sms_spam_complaints, value: 96400, unit: complaints, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    found = engine.ask("KPK mein internet users kitne hain", log=False)
    assert found.answered and found.entry is not None
    assert found.entry.id == "internet-users-by-province"
    _refuses(engine, ("How many internet users are there in Gilgit-Baltistan?",
                     "What is the fee for an e-passport?",
                     "How many complaints about spam calls did the PTA get?"))


def test_card_machines_and_taking_part_are_read_as_meant(tmp_path: Path) -> None:
    """"Card swipe machines" are POS terminals (not SIM cards), and "حصہ لیا جا سکتا" is
    taking part, not a share."""
    engine = _engine_with(tmp_path, _pack("terms", """
- id: pos-terminals
  topic: Payments
  question: How many POS terminals are installed in Pakistan?
  answer: Merchants in Pakistan had 151,000 POS terminals installed in FY26.
  figures:
  - {metric: pos_terminals, value: 151000, unit: terminals, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: sim-cards-issued
  topic: Telecom
  question: How many new SIM cards were issued in FY26?
  answer: Operators issued 21.8 million new SIM cards in FY26.
  figures:
  - {metric: sim_cards_issued, value: 21.8, unit: million, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: hackathon-howto
  topic: Events
  question: How can a team take part in the national hackathon?
  answer: Teams of three to five register on the hackathon portal before the deadline and
    submit a project idea.
  figures: []
  sources: [s1]
"""))
    _finds(engine, (("How many card swipe machines are there at shops?", "pos-terminals"),
                            ("قومی ہیکاتھون میں کیسے حصہ لیا جا سکتا ہے؟", "hackathon-howto")))


def test_a_tie_on_the_words_goes_to_the_entry_closer_in_meaning(tmp_path: Path) -> None:
    """"freelancer tax registraton proces" ties on the words with the column's advice to
    simplify taxes; the admin's how-to is closer in meaning and answers."""
    engine = _engine_with(tmp_path, _pack("tax", """
- id: freelancer-tax-registration
  topic: Tax
  question: How does a freelancer register with the tax office?
  alternates:
  - freelancer ntn registration
  answer: A freelancer registers online on the FBR's IRIS portal with a CNIC to get an NTN,
    then files an annual return declaring foreign remittances to join the active taxpayers
    list.
  figures: []
  sources: [s1]
"""))
    found = engine.ask("freelancer tax registraton proces", log=False)
    assert found.answered and found.entry is not None
    assert found.entry.id == "freelancer-tax-registration"


def test_a_figure_in_another_unit_does_not_answer(tmp_path: Path) -> None:
    """A count of Tier III data centres does not answer "power capacity in megawatts", nor
    an occupancy rate "rent per square foot"; the column's IT exports are not chip exports."""
    engine = _engine_with(tmp_path, _pack("units", """
- id: tier3-data-centres
  topic: Infrastructure
  question: How many Tier III data centres does Pakistan have?
  answer: Pakistan had 14 Tier III certified data centres in 2026.
  figures:
  - {metric: tier3_data_centres, value: 14, unit: data centres, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: tech-park-occupancy
  topic: Infrastructure
  question: How full are the software technology parks?
  answer: The software technology parks were 83 percent occupied in 2026.
  figures:
  - {metric: tech_park_occupancy, value: 83, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    found = engine.ask("How many Tier III data centres are there in Pakistan?", log=False)
    assert found.answered and found.entry is not None and found.entry.id == "tier3-data-centres"
    _refuses(engine, ("What is the total power capacity in megawatts of Pakistan's data centres?",
                     "What is the monthly rent per square foot in the software technology parks?",
                     "How much money does Pakistan earn from semiconductor exports?"))


def test_girls_in_urdu_and_women_asked_about_find_their_entries(tmp_path: Path) -> None:
    """"لڑکیوں" is girls (it was read as youth, so the guard refused a girls' coding entry);
    a question on women's gig earnings that ties with the column's platforms entry goes to
    the women's entry, which names the group, however close the column is in meaning."""
    engine = _engine_with(tmp_path, _pack("women", """
- id: coding-for-girls
  topic: Skills
  question: Are there coding programmes for girls in Pakistan?
  answer: A national coding programme for girls has taught 25,100 schoolgirls to program
    since 2022.
  figures:
  - {metric: girls_coding_students, value: 25100, unit: students, period: '2026',
     period_label: since 2022, qualifier: null, sources: [s1]}
  sources: [s1]
- id: women-freelancer-earnings
  topic: Freelancing
  question: How much do women freelancers in Pakistan earn?
  answer: Women freelancers in Pakistan earned an average of 318 US dollars a month in 2025.
  figures:
  - {metric: women_freelancer_earnings, value: 318, unit: USD, period: '2025',
     period_label: '2025', qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("کیا لڑکیوں کو کوڈنگ سکھانے کا کوئی پروگرام ہے؟", "coding-for-girls"),
                            ("How much do Pakistani women make from online gig work?",
                             "women-freelancer-earnings")))


def test_more_everyday_words_find_their_entries(tmp_path: Path) -> None:
    """Lost jobs are layoffs (in Roman Urdu too), a quadcopter and "ڈرون" are drones, the
    federal capital is Islamabad; "how many hours" is not answered by a figure in rupees."""
    engine = _engine_with(tmp_path, _pack("words", """
- id: tech-layoffs
  topic: Jobs
  question: How many tech workers were laid off in 2025?
  answer: Pakistani tech companies laid off about 3,900 workers in 2025.
  figures:
  - {metric: tech_layoffs, value: 3900, unit: workers, period: '2025', period_label: '2025',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: drone-rules
  topic: Regulation
  question: What are the rules for flying a drone in Pakistan?
  answer: A drone needs a registration from the civil aviation authority and a no-objection
    certificate before it flies.
  figures: []
  sources: [s1]
- id: islamabad-it-exports
  topic: IT exports
  question: What were Islamabad's IT exports in FY26?
  answer: Islamabad's IT exports were 1.1 billion US dollars in FY26.
  figures:
  - {metric: islamabad_it_exports, value: 1.1, unit: billion USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
            ("How many people lost their jobs at tech companies last year?", "tech-layoffs"),
            ("tech companies ne kitne logon ko nokri se nikala", "tech-layoffs"),
            ("What approvals do I need to fly a quadcopter?", "drone-rules"),
            ("ڈرون اڑانے کے کیا قوانین ہیں؟", "drone-rules"),
            ("How much does the federal capital earn from IT exports?", "islamabad-it-exports")))
    assert not engine.ask("For how many hours did Islamabad's IT exporters work?",
                          log=False).answered


def test_phones_bought_abroad_kp_and_phds_are_read_as_meant(tmp_path: Path) -> None:
    """"A phone I bought abroad" asks the import tax, not a side of a sale; "KP" is Khyber
    Pakhtunkhwa, which a Peshawar figure does not answer for; "PhD" is the doctorates an
    entry counts as "PhDs", no unknown name; a data-centre investment does not answer for
    solar power plants."""
    engine = _engine_with(tmp_path, _pack("words", """
- id: phone-import-tax
  topic: Tax
  question: How much tax is charged on a mobile phone brought from abroad?
  answer: A phone brought from abroad pays a registration tax of Rs 18,500 to Rs 112,000 in
    FY27, by its price.
  figures:
  - {metric: phone_import_tax_low, value: 18500, unit: PKR, period: FY27,
     period_label: FY27, qualifier: null, sources: [s1]}
  sources: [s1]
- id: peshawar-broadband-speed
  topic: Connectivity
  question: What is the average fixed broadband speed in Peshawar?
  answer: Fixed broadband in Peshawar averaged 21.4 Mbps in 2026.
  figures:
  - {metric: peshawar_broadband_speed, value: 21.4, unit: Mbps, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
- id: cs-phds
  topic: Education
  question: How many PhDs in computer science does Pakistan have?
  answer: Pakistani universities had awarded 2,260 PhDs in computer science by 2026.
  figures:
  - {metric: cs_phds, value: 2260, unit: PhDs, period: '2026', period_label: by 2026,
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: data-centre-foreign-investment
  topic: Investment
  question: How much have foreign firms invested in Pakistani data centres?
  answer: Foreign firms invested 640 million US dollars in Pakistani data centres in 2025.
  figures:
  - {metric: data_centre_fdi, value: 640, unit: million USD, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
            ("How much tax do I have to pay to register a phone I bought abroad?",
             "phone-import-tax"),
            ("computer science mein kitne PhD hain Pakistan mein?", "cs-phds")))
    _refuses(engine, ("What is the average broadband speed in KP?",
                     "How much have foreign companies invested in Pakistan's solar power plants?"))


def test_a_fiscal_years_quarters_are_read_in_three_languages(tmp_path: Path) -> None:
    """Q1 FY26 is July to September 2025 and Q2 FY26 October to December 2025, however the
    quarter is named; a quarter the knowledge base lacks is refused."""
    engine = _engine_with(tmp_path, _pack("quarters", """
- id: exports-growth-q1-fy26
  topic: IT exports
  question: How much did IT exports grow in Q1 FY26?
  answer: IT exports grew 12.6 percent year on year in Q1 FY26 (July-September 2025).
  figures:
  - {metric: it_exports_growth, value: 12.6, unit: percent, period: Q1 FY26,
     period_label: Q1 FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: exports-growth-q2-fy26
  topic: IT exports
  question: How much did IT exports grow in Q2 FY26?
  answer: IT exports grew 8.1 percent year on year in Q2 FY26 (October-December 2025).
  figures:
  - {metric: it_exports_growth, value: 8.1, unit: percent, period: Q2 FY26,
     period_label: Q2 FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How much did IT exports grow in the second quarter of 2025-26?",
                     "exports-growth-q2-fy26"),
                    ("IT exports growth July to September 2025", "exports-growth-q1-fy26"),
                    ("FY26 ki doosri sehmahi mein IT exports kitni barhi?",
                     "exports-growth-q2-fy26"),
                    ("مالی سال 2026 کی پہلی سہ ماہی میں آئی ٹی ایکسپورٹس کتنی بڑھیں؟",
                     "exports-growth-q1-fy26")))
    _refuses(engine, ("How much did IT exports grow in the third quarter of FY26?",))


def test_everyday_abbreviations_and_demonyms_are_read_as_meant(tmp_path: Path) -> None:
    """"CEO" names nothing unknown; "Chinese" is China, which a UK entry does not answer
    for; "a female founder or CEO" still singles out women (the "or" joins no sides)."""
    engine = _engine_with(tmp_path, _pack("words", """
- id: women-led-software-houses
  topic: Workforce
  question: How many software houses in Pakistan are led by women?
  answer: 312 Pakistani software houses had a woman as founder or chief executive in 2025.
  figures:
  - {metric: women_led_software_houses, value: 312, unit: firms, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
""" + UK_EXPORTS_FY26))
    _finds(engine, (("How many software houses have a woman as CEO?", "women-led-software-houses"),
                    ("How many tech companies here have a female founder or CEO?",
                     "women-led-software-houses")))
    _refuses(engine, ("What were Pakistan's IT exports to Chinese clients in FY26?",))


def test_kinds_of_startup_renewals_and_other_names_are_read_as_meant(tmp_path: Path) -> None:
    """An edtech figure does not answer for healthtech, nor a renewal fee for a first-time
    application; "distributed ledger" is blockchain and "موبائل کمپنیاں" mobile operators."""
    engine = _engine_with(tmp_path, _pack("words", """
- id: edtech-funding-2025
  topic: Startups
  question: How much venture funding did edtech startups raise in 2025?
  answer: Pakistani edtech startups raised 41 million US dollars of venture funding in 2025.
  figures:
  - {metric: edtech_funding, value: 41, unit: million USD, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: passport-renewal-fee
  topic: Government services
  question: What is the fee to renew a passport online?
  answer: Renewing a passport online costs Rs 9,000 for normal delivery.
  figures:
  - {metric: passport_renewal_fee, value: 9000, unit: PKR, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: blockchain-pilots
  topic: Government
  question: Is the government piloting blockchain?
  answer: Three ministries ran blockchain pilots for land and supply records in 2026.
  figures: []
  sources: [s1]
- id: telecom-operators
  topic: Telecom
  question: How many mobile operators work in Pakistan?
  answer: 4 mobile operators offered services in Pakistan in 2026.
  figures:
  - {metric: mobile_operators, value: 4, unit: operators, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("Which ministries are piloting distributed ledgers?", "blockchain-pilots"),
                    ("پاکستان میں کتنی موبائل کمپنیاں ہیں؟", "telecom-operators")))
    _refuses(engine, ("How much venture funding did healthtech startups raise in 2025?",
                      "What is the fee for a first-time passport application?"))


def test_a_rate_per_something_answers_a_question_asking_for_a_rate(tmp_path: Path) -> None:
    """"The call drop rate in FY26" is answered by a figure in dropped calls per 100 calls
    (a rate, though no percentage); thumbprints are the biometric re-verification."""
    engine = _engine_with(tmp_path, _pack("rates", """
- id: call-drop-rate-fy26
  topic: Telecom
  question: How many calls drop on mobile networks?
  answer: Mobile networks averaged 1.9 dropped calls per 100 calls in FY26.
  figures:
  - {metric: dropped_calls_per_100, value: 1.9, unit: calls per 100, period: FY26,
     period_label: FY26, qualifier: average, sources: [s1]}
  sources: [s1]
- id: sims-blocked-biometric
  topic: Telecom
  question: How many SIMs were blocked for missing biometric re-verification?
  answer: Operators blocked 2.6 million SIMs in 2026 whose owners missed biometric
    re-verification.
  figures:
  - {metric: sims_blocked, value: 2.6, unit: million SIMs, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("What was the call drop rate in FY26?", "call-drop-rate-fy26"),
                    ("How many SIMs were blocked because people did not redo their thumbprints?",
                     "sims-blocked-biometric")))


def test_names_of_a_kind_and_names_written_in_full_are_known(tmp_path: Path) -> None:
    """"Daraz-type marketplaces" names a kind of shop (Daraz is known as e-commerce), "Azad
    Jammu and Kashmir" is the Azad Kashmir an entry speaks of, and a CS graduate studied
    computer science; a name of a kind no entry knows is still refused."""
    engine = _engine_with(tmp_path, _pack("names", """
- id: women-online-sellers-2026
  topic: E-commerce
  question: What share of online sellers are women?
  answer: Women ran 23 percent of the stores selling on e-commerce marketplaces in 2026.
  figures:
  - {metric: women_online_sellers_share, value: 23, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: azad-kashmir-broadband-2026
  topic: Telecom
  question: How many broadband users are there in Azad Kashmir?
  answer: Azad Kashmir had 1.4 million broadband users in 2026.
  figures:
  - {metric: ajk_broadband_users, value: 1.4, unit: million users, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: computer-science-starting-pay-2026
  topic: Jobs
  question: What do computer science graduates earn in their first job?
  answer: Computer science graduates started on PKR 95,000 a month on average in 2026.
  figures:
  - {metric: cs_starting_salary, value: 95000, unit: PKR per month, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What share of sellers on Daraz-type marketplaces are women?",
         "women-online-sellers-2026"),
        ("How many broadband users are there in Azad Jammu and Kashmir?",
         "azad-kashmir-broadband-2026"),
        ("How much does a fresh CS graduate earn?", "computer-science-starting-pay-2026")))
    _refuses(engine, ("What share of sellers on Zorvik-type marketplaces are women?",
                      "How many broadband users are there in Jammu?"))


def test_everyday_how_to_words_and_comparisons_are_not_refusals(tmp_path: Path) -> None:
    """Enrolling online is a how-to an entry can hold, an hourly rate is a figure "an hour",
    "women compared to men" is answered by the women's share, and words only an entry's
    answer holds count once meaning agrees ("notebook computers ... in factories")."""
    engine = _engine_with(tmp_path, _pack("how-tos", """
- id: school-admission-online
  topic: Education
  question: How do I apply for school admission online?
  answer: Parents apply on the provincial education portal with their CNIC and the child's
    B-Form, choosing up to three nearby government schools.
  sources: [s1]
- id: typists-earnings-2026
  topic: Freelancing
  question: How much do data entry freelancers earn?
  answer: Data entry freelancers earned 190 US dollars a month in 2026, or about 2.80 US
    dollars an hour.
  figures:
  - {metric: data_entry_earnings, value: 190, unit: USD per month, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
- id: women-tech-workforce-2026
  topic: Jobs
  question: What share of tech jobs do women hold?
  answer: Women held 21 percent of IT jobs in Pakistan in 2026.
  figures:
  - {metric: women_it_jobs_share, value: 21, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: laptop-assembly-2026
  topic: Hardware
  question: How many laptops are assembled in Pakistan?
  answer: Local factories put together 310,000 laptop computers in 2026.
  figures:
  - {metric: laptops_assembled, value: 310000, unit: laptops, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What's the process to enrol my child in a government school through the internet?",
         "school-admission-online"),
        ("What's the typical hourly rate for data entry freelancers?", "typists-earnings-2026"),
        ("How many women work in IT in Pakistan compared to men?", "women-tech-workforce-2026"),
        ("How many notebook computers are produced in Pakistani factories?",
         "laptop-assembly-2026")))


def test_a_mobile_balance_is_no_it_sector_figure(shared_engine) -> None:  # type: ignore[no-untyped-def]
    """Checking one's mobile balance is a personal how-to, asked in three languages: no
    column figure answers it (it was answered with the freelancers' skills)."""
    _refuses(shared_engine, ("How do I check my mobile balance?",
                             "mobile balance kaise check karun?",
                             "میں اپنا موبائل بیلنس کیسے چیک کروں؟"))


def test_bounds_averages_and_time_are_read_as_asked(tmp_path: Path) -> None:
    """A bound the entry never states ("under 25" for a figure "under 30") is another
    figure; an average of hours is no average sum earned; time spent is not money spent;
    trains and airports are transport, not the training an entry speaks of."""
    engine = _engine_with(tmp_path, _pack("bounds", """
- id: young-internet-users-2026
  topic: Internet
  question: How many internet users are under 30?
  answer: 61 percent of Pakistan's internet users were under 30 in 2026.
  figures:
  - {metric: internet_users_under_30_share, value: 61, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: courier-riders-hours-2026
  topic: Gig work
  question: How many hours a week do delivery riders work?
  answer: App-based delivery riders worked an average of 52 hours a week in 2026.
  figures:
  - {metric: delivery_rider_weekly_hours, value: 52, unit: hours, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
- id: coding-training-graduates-2026
  topic: Skills
  question: How many people finished the government's coding training?
  answer: 48,000 people finished the government's free coding training in 2026, and online
    tickets for its exams sold out.
  figures:
  - {metric: coding_training_graduates, value: 48000, unit: people, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: station-wifi-2026
  topic: Internet
  question: How many railway stations have free Wi-Fi?
  answer: Free Wi-Fi was running at 94 railway stations in 2026.
  figures:
  - {metric: stations_with_wifi, value: 94, unit: stations, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What share of internet users are under 30?", "young-internet-users-2026"),
        ("How many train stations have free WiFi?", "station-wifi-2026"),
        ("How much time do delivery riders spend working each week?",
         "courier-riders-hours-2026")))
    _refuses(engine, ("What share of internet users are under 25?",
                      "How much do delivery riders earn per week on average?",
                      "How many train tickets are booked online?",
                      "Is there free WiFi at airports?"))


def test_everyday_words_for_measures_and_things_counted(tmp_path: Path) -> None:
    """Masts are towers, kachra is waste, a customs duty is a tax, "har banday" is per
    person and "ek ghante ka" is an hourly rate, in the words people type."""
    engine = _engine_with(tmp_path, _pack("measures", """
- id: telecom-towers-2026
  topic: Telecom
  question: How many telecom towers are there?
  answer: Operators ran 54,000 telecom towers in 2026.
  figures:
  - {metric: telecom_towers, value: 54000, unit: towers, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: e-waste-2026
  topic: Environment
  question: How much e-waste was collected?
  answer: 12,400 tonnes of electronic waste were collected in 2026.
  figures:
  - {metric: e_waste_collected, value: 12400, unit: tonnes, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: phone-import-tax
  topic: Telecom
  question: What tax is charged on a phone brought from abroad?
  answer: A phone brought from abroad pays a PTA registration tax of PKR 18,000 to PKR 56,000,
    by its price.
  sources: [s1]
- id: sims-per-capita-2026
  topic: Telecom
  question: How many SIMs are there per capita?
  answer: Pakistan had 0.83 SIMs per capita in 2026.
  figures:
  - {metric: sims_per_capita, value: 0.83, unit: SIMs per person, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: designers-hourly-2026
  topic: Freelancing
  question: What do Pakistani logo designers charge per hour?
  answer: Pakistani logo designers charged a median 9 US dollars per hour in 2026.
  figures:
  - {metric: logo_designer_hourly_rate, value: 9, unit: USD per hour, period: '2026',
     period_label: '2026', qualifier: median, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How many mobile masts are there?", "telecom-towers-2026"),
                    ("computers ka kachra kitna ikattha hua?", "e-waste-2026"),
                    ("What is the customs duty on a mobile phone?", "phone-import-tax"),
                    ("har banday ke paas kitni sim hain?", "sims-per-capita-2026"),
                    ("logo designer ek ghante ka kitna charge karte hain?",
                     "designers-hourly-2026")))


def test_telecom_is_a_sector_and_cell_sites_are_towers(shared_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A telecom operators' figure is not the IT sector's: the IT exports figure does not
    answer for it. Cell sites are towers, and phones brought in from abroad are imports."""
    _refuses(shared_engine, ("How much money did the telecom operators make in total?",))
    engine = _engine_with(tmp_path, _pack("telecom", """
- id: towers-2026
  topic: Telecom
  question: How many telecom towers are there?
  answer: Operators ran 54,000 telecom towers in 2026.
  figures:
  - {metric: telecom_towers, value: 54000, unit: towers, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: phone-imports-2026
  topic: Telecom
  question: How many mobile phones were imported?
  answer: 1.9 million mobile phones were imported in 2026.
  figures:
  - {metric: phones_imported, value: 1.9, unit: million phones, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How many cell sites are operating in Pakistan now?", "towers-2026"),
                    ("How many phones does Pakistan bring in from abroad?", "phone-imports-2026")))


def test_places_within_places_and_capitals(tmp_path: Path) -> None:
    """"Hyderabad, Sindh" is Hyderabad, "Balochistan's capital" is Quetta and 4G is no
    unknown name; a city's figure still does not answer for its whole province, and a
    rural figure does not answer for big cities."""
    engine = _engine_with(tmp_path, _pack("places", """
- id: hyderabad-fibre-2026
  topic: Telecom
  question: How many fibre connections are there in Hyderabad?
  answer: Hyderabad had 41,000 fibre-to-the-home connections in 2026.
  figures:
  - {metric: hyderabad_ftth, value: 41000, unit: connections, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: quetta-broadband-2026
  topic: Telecom
  question: What share of Quetta's households have broadband?
  answer: 27 percent of households in Quetta had a broadband connection in 2026.
  figures:
  - {metric: quetta_broadband_share, value: 27, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: rural-mobile-speed-2026
  topic: Internet
  question: What is the average mobile download speed in rural areas?
  answer: Mobile downloads in rural areas averaged 9.4 Mbps in 2026.
  figures:
  - {metric: rural_mobile_speed, value: 9.4, unit: Mbps, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What is the FTTH connection count in Hyderabad, Sindh?", "hyderabad-fibre-2026"),
        ("How widespread is broadband in Balochistan's capital?", "quetta-broadband-2026"),
        ("What is the typical 4G download speed in rural areas?", "rural-mobile-speed-2026")))
    _refuses(engine, ("How many fibre connections are there in Sindh?",
                      "What is the average mobile download speed in big cities?"))


def test_money_asked_in_so_many_words_and_both_sides_of_a_measure(tmp_path: Path) -> None:
    """"How much money" and "prize money kitni" ask for a sum, which a count of players or
    investors does not give; "how much tax ... from the money" asks for the tax. Equity
    raised is not venture debt, but a question naming both sides is answered by either."""
    engine = _engine_with(tmp_path, _pack("money", """
- id: angel-investor-count-2026
  topic: Startups
  question: How many angel investors are active in Pakistan?
  answer: About 350 angel investors backed Pakistani startups in 2026.
  figures:
  - {metric: angel_investors, value: 350, unit: investors, period: '2026', period_label: '2026',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: startup-venture-debt-2026
  topic: Startups
  question: How much venture debt did startups raise?
  answer: Pakistani startups raised 61 million US dollars in venture debt in 2026.
  figures:
  - {metric: venture_debt, value: 61, unit: million USD, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: freelancer-tax-rate-2026
  topic: Freelancing
  question: What tax do freelancers pay on foreign income?
  answer: Freelancers registered with PSEB pay a final tax of 0.25 percent on export proceeds.
  figures:
  - {metric: freelancer_tax_rate, value: 0.25, unit: percent, period: FY27, period_label: FY27,
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("If a foreign client pays me, how much tax is deducted from the money?",
         "freelancer-tax-rate-2026"),
        ("How much did startups borrow instead of raising equity?", "startup-venture-debt-2026")))
    _refuses(engine, ("How much money did angel investors put into startups?",
                      "How much equity funding did startups raise?"))


def test_a_city_names_its_country_and_everyday_words_find_their_entries(tmp_path: Path) -> None:
    """Doha is in Qatar, and a question naming a country goes to the entry that names it
    even when the best words are the column's software segment (which gives no figure);
    snatched phones are thefts, the national language is Urdu, a home telephone line is a
    landline, jails are prisons."""
    engine = _engine_with(tmp_path, _pack("cities", """
- id: it-exports-qatar-fy26
  topic: IT exports
  question: What were Pakistan's IT exports to Qatar in FY26?
  answer: Pakistan's IT exports to Qatar were 58.2 million US dollars in FY26.
  figures:
  - {metric: it_exports_qatar, value: 58.2, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: phone-theft-complaints-2026
  topic: Safety
  question: How many mobile phone theft complaints were filed?
  answer: Police in the big cities logged 61,000 mobile phone theft complaints in 2026.
  figures:
  - {metric: phone_theft_complaints, value: 61000, unit: complaints, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: urdu-websites-2026
  topic: Internet
  question: How many websites are in Urdu?
  answer: About 9,300 active websites published mainly in Urdu in 2026.
  figures:
  - {metric: urdu_websites, value: 9300, unit: websites, period: '2026', period_label: '2026',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: landline-subscribers-2026
  topic: Telecom
  question: How many landline subscribers are there?
  answer: Pakistan had 2.1 million landline subscribers in 2026, down from 2.4 million in 2024.
  figures:
  - {metric: landline_subscribers, value: 2.1, unit: million subscribers, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: prison-it-training-2026
  topic: Skills
  question: How many prisoners received IT training?
  answer: 3,400 prisoners completed IT courses inside prisons in 2026.
  figures:
  - {metric: prisoners_it_trained, value: 3400, unit: prisoners, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("How big a market is Qatar for Pakistani software companies?", "it-exports-qatar-fy26"),
        ("What did tech exports to Doha-based clients come to in FY26?", "it-exports-qatar-fy26"),
        ("How many people report their phones snatched every year?",
         "phone-theft-complaints-2026"),
        ("mobile chori ki kitni shikayat darj hui?", "phone-theft-complaints-2026"),
        ("How many websites are there in our national language?", "urdu-websites-2026"),
        ("Are fewer people keeping a home telephone line these days?",
         "landline-subscribers-2026"),
        ("کیا جیلوں میں قیدیوں کو آئی ٹی کی تربیت دی جاتی ہے؟", "prison-it-training-2026")))


def test_more_country_names_things_set_aside_and_purchases(tmp_path: Path) -> None:
    """Holland is the Netherlands and "Swedish clients" are Sweden's; "apart from sports
    goods" sets sports goods aside rather than asking about them; startups "bought out" were
    acquired; "budget for" a phone asks its price; Visa and Mastercard are card networks,
    not visas; CCTV is no unknown name."""
    engine = _engine_with(tmp_path, _pack("names", """
- id: it-exports-netherlands-fy26
  topic: IT exports
  question: What were Pakistan's IT exports to the Netherlands in FY26?
  answer: Pakistan's IT exports to the Netherlands were 140 million US dollars in FY26.
  figures:
  - {metric: it_exports_netherlands, value: 140, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: software-exports-sweden-fy26
  topic: IT exports
  question: How much software did Pakistan export to Sweden in FY26?
  answer: Pakistan exported 31 million US dollars of software to Sweden in FY26.
  figures:
  - {metric: software_exports_sweden, value: 31, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: sialkot-it-exports-fy26
  topic: IT exports
  question: How much IT do Sialkot's software firms export?
  answer: Sialkot's software firms exported 21 million US dollars of IT services in FY26.
  figures:
  - {metric: sialkot_it_exports, value: 21, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: startup-acquisitions-2026
  topic: Startups
  question: How many Pakistani startups were acquired?
  answer: 14 Pakistani startups were acquired by other companies in 2026.
  figures:
  - {metric: startup_acquisitions, value: 14, unit: startups, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: paypak-card-howto
  topic: Payments
  question: How do I get a PayPak card?
  answer: Ask your bank for a PayPak debit card, the local card network's card; most banks
    issue it free with a current account, instead of a Visa or Mastercard card.
  sources: [s1]
- id: lahore-safe-city-cameras-2026
  topic: Smart cities
  question: How many cameras has the Lahore smart city project installed?
  answer: The Lahore smart city project had installed 8,000 cameras by 2026.
  figures:
  - {metric: lahore_smart_city_cameras, value: 8000, unit: cameras, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What is the value of Pakistan's tech exports to Holland?", "it-exports-netherlands-fy26"),
        ("What is the yearly value of the software Pakistan sells to Swedish clients?",
         "software-exports-sweden-fy26"),
        ("Apart from sports goods, how much IT does Sialkot export?", "sialkot-it-exports-fy26"),
        ("How many Pakistani startups were bought out by other companies?",
         "startup-acquisitions-2026"),
        ("How do I get a local debit card that isn't Visa or Mastercard?", "paypak-card-howto"),
        ("How many CCTV cameras has the smart city project put up in Lahore?",
         "lahore-safe-city-cameras-2026")))


def test_last_month_and_the_month_of_october_are_periods(tmp_path: Path) -> None:
    """"Last month" (November 2026 on 2026-12-01) and "the month of October" name months:
    the October entry answers the one, and no entry holds the other."""
    engine = _engine_with(tmp_path, _pack("months", """
- id: sweden-exports-fy26
  topic: IT exports
  question: What were Pakistan's software exports to Sweden in FY26?
  answer: Pakistan's software exports to Sweden were 31.6 million US dollars in FY26.
  figures:
  - {metric: software_exports_sweden, value: 31.6, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: sweden-exports-oct-2026
  topic: IT exports
  question: What were Pakistan's software exports to Sweden in October 2026?
  answer: Pakistan's software exports to Sweden were 2.87 million US dollars in October 2026.
  figures:
  - {metric: software_exports_sweden, value: 2.87, unit: million USD, period: October 2026,
     period_label: October 2026, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("How much software went to Sweden in the month of October?",
                     "sweden-exports-oct-2026"),))
    _refuses(engine, ("How much software did Pakistan export to Sweden last month?",
                      "pichle mahine Sweden ko kitna software export hua?"))


def test_real_words_devices_and_verbs_are_read_as_meant(tmp_path: Path) -> None:
    """"Speed" is spelt right (not "seed"); a laptop's price is no smartphone's; "how many
    hospitals share files" counts hospitals; "made here or are they all imported" asks
    which; hearing-impaired youth are deaf, phone booths are payphones."""
    engine = _engine_with(tmp_path, _pack("devices", """
- id: laptop-price-2026
  topic: Hardware
  question: What is the average price of a laptop?
  answer: A laptop cost PKR 148,000 on average in 2026.
  figures:
  - {metric: laptop_price, value: 148000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: seed-rounds-2026
  topic: Startups
  question: How many seed rounds did startups close?
  answer: Pakistani startups closed 44 seed rounds in 2026.
  figures:
  - {metric: seed_rounds, value: 44, unit: rounds, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: broadband-price-per-mbps-2026
  topic: Internet
  question: What is the price of broadband per Mbps?
  answer: Fixed broadband cost Rs 173 per Mbps per month in 2026.
  figures:
  - {metric: broadband_price_per_mbps, value: 173, unit: PKR per Mbps, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
- id: hospitals-e-records-2026
  topic: Health
  question: How many hospitals use electronic health records?
  answer: 212 public hospitals kept electronic health records in 2026.
  figures:
  - {metric: hospitals_ehr, value: 212, unit: hospitals, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: local-inverters-2026
  topic: Hardware
  question: How many solar inverters are manufactured in Pakistan?
  answer: Local factories manufactured 310,000 solar inverters in 2026.
  figures:
  - {metric: local_inverters, value: 310000, unit: inverters, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: deaf-youth-it-training
  topic: Skills
  question: Is there IT training for deaf young people?
  answer: The Ishara Tech programme trains deaf young people in web design in sign language.
  sources: [s1]
- id: payphones-2026
  topic: Telecom
  question: How many payphones are left?
  answer: 1,900 payphones were still working in Pakistan in 2026.
  figures:
  - {metric: payphones, value: 1900, unit: payphones, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What's the going rate for fixed internet when you break the cost down by speed?",
         "broadband-price-per-mbps-2026"),
        ("How many hospitals share electronic patient files?", "hospitals-e-records-2026"),
        ("Are solar inverters manufactured in Pakistan or are they all imported?",
         "local-inverters-2026"),
        ("Is there any tech job training for hearing-impaired youth?", "deaf-youth-it-training"),
        ("Are there still any coin-operated phone booths in Pakistan?", "payphones-2026")))
    _refuses(engine, ("What is the average price of a smartphone in Pakistan?",))


def test_platforms_by_name_and_other_spellings(tmp_path: Path) -> None:
    """Pinterest's users are not Instagram's and a Fiverr rate is not Upwork's; Türkiye is
    Turkey, Pindi is Rawalpindi, a CNIC is an everyday card (no unknown name) and startups
    that folded shut down."""
    engine = _engine_with(tmp_path, _pack("platforms", """
- id: pinterest-users-2026
  topic: Social media
  question: How many Pakistanis use Pinterest?
  answer: Pinterest had 6.8 million users in Pakistan in 2026.
  figures:
  - {metric: pinterest_users, value: 6.8, unit: million users, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: fiverr-hourly-2026
  topic: Freelancing
  question: What do Pakistani freelancers charge per hour on Fiverr?
  answer: Pakistani freelancers on Fiverr charged a median 11 US dollars per hour in 2026.
  figures:
  - {metric: fiverr_hourly_rate, value: 11, unit: USD per hour, period: '2026',
     period_label: '2026', qualifier: median, sources: [s1]}
  sources: [s1]
- id: software-exports-turkey-fy26
  topic: IT exports
  question: What were Pakistan's software exports to Turkey in FY26?
  answer: Pakistan's software exports to Turkey were 46.9 million US dollars in FY26.
  figures:
  - {metric: software_exports_turkey, value: 46.9, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: rawalpindi-fibre-2026
  topic: Telecom
  question: What share of Rawalpindi homes can get fibre?
  answer: 43 percent of households in Rawalpindi could get a fibre connection in 2026.
  figures:
  - {metric: rawalpindi_fibre_coverage, value: 43, unit: percent, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: identity-theft-complaints-2026
  topic: Cybercrime
  question: How many identity theft complaints were filed?
  answer: The cybercrime wing received 8,042 identity theft complaints in 2026.
  figures:
  - {metric: identity_theft_complaints, value: 8042, unit: complaints, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: startup-shutdowns-2026
  topic: Startups
  question: How many startups shut down?
  answer: 58 Pakistani startups shut down in 2026.
  figures:
  - {metric: startup_shutdowns, value: 58, unit: startups, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("What's the annual value of our software exports going to Türkiye?",
         "software-exports-turkey-fy26"),
        ("Is fibre available across Pindi, and how widely?", "rawalpindi-fibre-2026"),
        ("How many identity theft complaints about someone's CNIC reach the cybercrime wing?",
         "identity-theft-complaints-2026"),
        ("How many startups folded last year?", "startup-shutdowns-2026")))
    _refuses(engine, ("Instagram ke Pakistan mein kitne users hain?",
                      "What do Pakistani freelancers charge per hour on Upwork?"))


def test_phrases_people_use_for_terms_of_the_trade(tmp_path: Path) -> None:
    """A startup valued at a billion dollars is a unicorn, a tax number is an NTN, a
    private limited company is a company form (not the private sector), and "does it count
    as an export" asks no number."""
    engine = _engine_with(tmp_path, _pack("trade", """
- id: tech-unicorns
  topic: Startups
  question: Does Pakistan have any tech unicorns?
  answer: No Pakistani startup has yet reached unicorn status; the most valuable was valued
    at about 600 million US dollars in 2026.
  sources: [s1]
- id: ntn-for-freelancers
  topic: Tax
  question: How does a freelancer get an NTN?
  answer: Register on the FBR's IRIS portal with your CNIC, mobile number and email; the NTN
    is issued at once and is your CNIC number.
  sources: [s1]
- id: secp-company-registration
  topic: Startups
  question: How do I register a company with the SECP?
  answer: Reserve a name on the SECP's eZfile portal, upload the memorandum and articles and
    pay the fee; a limited company is incorporated within about four working days.
  sources: [s1]
- id: hawala-export-proceeds-rule
  topic: Freelancing
  question: Which foreign earnings count as IT exports?
  answer: Only earnings received through a bank or a licensed exchange company are treated as
    IT export proceeds; money received through hawala is not.
  sources: [s1]
"""))
    _finds(engine, (
        ("Has any Pakistani startup been valued at a billion dollars?", "tech-unicorns"),
        ("How do I get a tax number as a freelancer?", "ntn-for-freelancers"),
        ("What are the steps to incorporate a private limited company?",
         "secp-company-registration"),
        ("Does money a freelancer receives through hawala count as an export?",
         "hawala-export-proceeds-rule")))


def test_countries_and_cities_in_urdu_script_and_mobile_generations(tmp_path: Path) -> None:
    """Egypt (مصر, misr) and Abbottabad (ایبٹ آباد) in Urdu script and Roman Urdu find their
    entries, and Kenya (کینیا), which no entry names, is not answered with the all-country IT
    exports; a 5G phone's price is no 4G phone's; Bitcoin is crypto."""
    engine = _engine_with(tmp_path, _pack("urdu places", """
- id: software-exports-egypt-fy26
  topic: IT exports
  question: What were Pakistan's software exports to Egypt in FY26?
  answer: Pakistan's software exports to Egypt were 23.8 million US dollars in FY26.
  figures:
  - {metric: software_exports_egypt, value: 23.8, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: abbottabad-internet-users-2026
  topic: Internet
  question: How many internet users are there in Abbottabad?
  answer: Abbottabad district had 640,000 internet users in 2026.
  figures:
  - {metric: abbottabad_internet_users, value: 640000, unit: users, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: five-g-phone-price-2026
  topic: Hardware
  question: What is the average price of a 5G phone?
  answer: A 5G phone cost PKR 96,000 on average in 2026.
  figures:
  - {metric: five_g_phone_price, value: 96000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: crypto-ban
  topic: Regulation
  question: Is crypto trading legal in Pakistan?
  answer: The State Bank bars banks from handling crypto trades; holding crypto is not a crime
    but has no legal protection.
  sources: [s1]
"""))
    _finds(engine, (
        ("پاکستان مصر کو کتنے کے سافٹ ویئر ایکسپورٹ کرتا ہے؟", "software-exports-egypt-fy26"),
        ("misr ko pakistan kitna software export karta hai", "software-exports-egypt-fy26"),
        ("ایبٹ آباد میں کتنے انٹرنیٹ صارفین ہیں؟", "abbottabad-internet-users-2026"),
        ("Is it legal to buy Bitcoin in Pakistan?", "crypto-ban")))
    _refuses(engine, ("پاکستان کی کینیا کو آئی ٹی ایکسپورٹس کتنی ہیں؟",
                      "What is the average price of a 4G phone in Pakistan?"))


def test_how_to_find_a_number_roles_stages_and_new_or_used(tmp_path: Path) -> None:
    """"How many SIMs are on my CNIC, how do I check?" is answered by the how-to (which
    gives no figure); women's share among product managers is not theirs among software
    engineers, seed rounds are not growth rounds, and a refurbished laptop's price is not a
    brand-new one's; khwaja sira youth are transgender youth, UAVs are drones."""
    engine = _engine_with(tmp_path, _pack("roles", """
- id: verify-sims-howto
  topic: Telecom
  question: How do I check which SIMs are registered in my name?
  answer: Send your CNIC number without dashes by SMS to 668; the reply lists every SIM
    registered on it, by operator.
  sources: [s1]
- id: women-product-managers-2026
  topic: Jobs
  question: What share of product managers are women?
  answer: Women held 24 percent of product management roles at Pakistani tech firms in 2026.
  figures:
  - {metric: women_pm_share, value: 24, unit: percent, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: growth-rounds-2026
  topic: Startups
  question: How many growth rounds did startups close?
  answer: Pakistani startups closed 9 growth rounds (Series B and later) in 2026.
  figures:
  - {metric: growth_rounds, value: 9, unit: rounds, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: refurbished-laptop-price-2026
  topic: Hardware
  question: What does a refurbished laptop cost?
  answer: A refurbished laptop cost PKR 61,000 on average in 2026.
  figures:
  - {metric: refurbished_laptop_price, value: 61000, unit: PKR, period: '2026',
     period_label: '2026', qualifier: average, sources: [s1]}
  sources: [s1]
- id: transgender-youth-it-training
  topic: Skills
  question: Is there IT training for transgender youth?
  answer: The Rang Tech programme trained 420 transgender young people in web skills in 2026.
  figures:
  - {metric: transgender_youth_trained, value: 420, unit: people, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: drones-assembled-2026
  topic: Hardware
  question: How many drones are assembled in Pakistan?
  answer: Local factories assembled 3,900 drones in 2026.
  figures:
  - {metric: drones_assembled, value: 3900, unit: drones, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("meri CNIC pe kitni SIMs hain kaise check karun?", "verify-sims-howto"),
        ("Are there any computer courses for khwaja sira youngsters?",
         "transgender-youth-it-training"),
        ("How many UAVs are put together in Pakistani factories?", "drones-assembled-2026")))
    _refuses(engine, ("What share of software engineers in Pakistan are women?",
                      "How many seed rounds did Pakistani startups raise?",
                      "What is the average price of a brand-new laptop?"))


def test_meaning_does_not_pick_an_entry_that_lacks_the_figure_asked(shared_engine) -> None:  # type: ignore[no-untyped-def]
    """"How many IT graduates does Pakistan produce every year?": the column gives no
    graduates figure; a lead in meaning for its bottom line (which gives none) must not
    stand in for a lead on the words, or the exports outlook is answered in its place."""
    _refuses(shared_engine, ("How many IT graduates does Pakistan produce every year?",
                             "how many IT graduates does pakistan produce every year"))


def test_apps_hosting_places_and_roles_by_name(tmp_path: Path) -> None:
    """Viber's users are not WhatsApp's, a domain name's price is not web hosting's, a
    university's 3D printers are not schools', QA engineers are not software developers;
    "gender split" asks for women's share, Thar is Tharparkar, robots are robotics."""
    engine = _engine_with(tmp_path, _pack("apps", """
- id: viber-users-2026
  topic: Social media
  question: How many Pakistanis use Viber?
  answer: Viber had 3.4 million users in Pakistan in 2026.
  figures:
  - {metric: viber_users, value: 3.4, unit: million users, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: domain-name-cost-2026
  topic: Internet
  question: What does a .pk domain name cost?
  answer: A .pk domain name cost PKR 2,400 a year in 2026.
  figures:
  - {metric: pk_domain_cost, value: 2400, unit: PKR per year, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: university-3d-printers-2026
  topic: Education
  question: How many 3D printers do universities have?
  answer: Public universities had 640 3D printers in their labs in 2026.
  figures:
  - {metric: university_3d_printers, value: 640, unit: printers, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: women-qa-share-2026
  topic: Jobs
  question: What share of QA testers are women?
  answer: Women were 31 percent of software testers (QA) in Pakistan in 2026.
  figures:
  - {metric: women_qa_share, value: 31, unit: percent, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: tharparkar-4g-2026
  topic: Telecom
  question: What share of Tharparkar has 4G coverage?
  answer: 46 percent of Tharparkar district had 4G coverage in 2026.
  figures:
  - {metric: tharparkar_4g, value: 46, unit: percent, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: national-robotics-strategy
  topic: Policy
  question: What is the national robotics strategy?
  answer: The strategy funds robotics labs in universities and tax breaks for factories that
    automate, from 2026 to 2030.
  sources: [s1]
"""))
    _finds(engine, (
        ("What's the gender split among QA engineers in Pakistan?", "women-qa-share-2026"),
        ("Can people in Thar get fast mobile internet?", "tharparkar-4g-2026"),
        ("What is the robots strategy?", "national-robotics-strategy")))
    _refuses(engine, ("How many WhatsApp users does Pakistan have?",
                      "How much does web hosting cost per year in Pakistan?",
                      "How many 3D printers do Pakistani schools have?",
                      "What share of software developers in Pakistan are women?"))


def test_districts_in_urdu_operators_and_certificates(tmp_path: Path) -> None:
    """Sheikhupura (شیخوپورہ) in Urdu finds its entry and Bhakkar, which no entry names, is
    not answered with another district's; switching from Jazz to Zong is number porting (no
    unknown names); a death certificate's count is no birth certificate's."""
    engine = _engine_with(tmp_path, _pack("districts", """
- id: it-firms-sheikhupura-2026
  topic: Companies
  question: How many IT firms are there in Sheikhupura?
  answer: Sheikhupura had 146 registered IT firms in 2026.
  figures:
  - {metric: it_firms_sheikhupura, value: 146, unit: firms, period: '2026', period_label: '2026',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: number-portability-howto
  topic: Telecom
  question: How do I keep my mobile number when I change network?
  answer: Visit the new operator's franchise with your CNIC and ask for mobile number
    portability; the switch takes about four working days.
  sources: [s1]
- id: online-death-certificates-2026
  topic: e-Government
  question: How many death certificates were issued online?
  answer: Union councils issued 212,000 death certificates online in 2026.
  figures:
  - {metric: online_death_certificates, value: 212000, unit: certificates, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("شیخوپورہ میں کتنی آئی ٹی کمپنیاں ہیں؟", "it-firms-sheikhupura-2026"),
                    ("Can I keep my Jazz number if I switch to Zong?",
                     "number-portability-howto")))
    _refuses(engine, ("Bhakkar mein kitni IT companies hain?",
                      "How many birth certificates were issued online?"))


def test_count_questions_that_name_money_or_shares_and_yes_no_questions(tmp_path: Path) -> None:
    """"Investment scheme ki kitni complaints" counts complaints (the money word names the
    scheme); "secondary share sales kitni hui" asks the sales' amount, not a percentage;
    "tower share kar sakti hain" and "Is there an app where farmers check crop rates?" ask
    yes or no, which an entry with no figure answers; "by June 2025" is the FY25 figure an
    entry labels June 2025."""
    engine = _engine_with(tmp_path, _pack("counts", """
- id: investment-scam-complaints
  topic: Cybercrime
  question: How many complaints about fake investment schemes were filed?
  answer: The cybercrime agency received 4,372 complaints about fake investment schemes in 2025.
  figures:
  - {metric: investment_scam_complaints, value: 4372, unit: complaints, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: secondary-sales-2025
  topic: Startups
  question: How much was sold in secondary share sales of startups?
  answer: Early employees and angels sold 11.2 million US dollars of startup shares in 2025.
  figures:
  - {metric: secondary_sales, value: 11.2, unit: million USD, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: tower-sharing-policy
  topic: Telecom
  question: What is the telecom infrastructure sharing policy?
  answer: Operators may share towers, masts and fibre under the 2026 infrastructure sharing policy.
  sources: [s1]
- id: crop-market-app
  topic: Agriculture
  question: What is the digital mandi project?
  answer: The digital mandi app lets farmers see wholesale crop rates and sell to buyers directly.
  sources: [s1]
- id: smart-meters
  topic: Energy
  question: How many smart meters have been installed?
  answer: Power companies installed 0.42 million smart meters by June 2024 and 1.15 million by June 2025.
  figures:
  - {metric: smart_meters, value: 0.42, unit: million, period: FY24, period_label: June 2024,
     qualifier: null, sources: [s1]}
  - {metric: smart_meters, value: 1.15, unit: million, period: FY25, period_label: June 2025,
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (
        ("jaali investment scheme ki kitni shikayaat aayi hain?", "investment-scam-complaints"),
        ("fraud investment apps ki complaints kitni hui hain", "investment-scam-complaints"),
        ("startups mein secondary share sales kitni hui", "secondary-sales-2025"),
        ("kya companiyan ek dusre ke tower share kar sakti hain?", "tower-sharing-policy"),
        ("Is there an app where farmers can check wholesale crop rates?", "crop-market-app"),
        ("How many smart meters had been put in by June 2025?", "smart-meters")))
    # a number of the kind no entry gives is still refused
    _refuses(engine, ("How much money did fake investment schemes take from people?",
                      "What percentage of startups sold secondary shares?",
                      "How many smart meters were installed by June 2023?"))


def test_a_side_only_the_answer_mentions_is_not_what_the_entry_counts(tmp_path: Path) -> None:
    """An entry about Firefox whose answer says "far behind Chrome" does not answer for
    Chrome's share; SMS complaints are not email complaints; a mobile bill is not a home
    broadband bill."""
    engine = _engine_with(tmp_path, _pack("sides", """
- id: firefox-share
  topic: Internet
  question: How many people use Firefox in Pakistan?
  alternates: [firefox market share]
  answer: Firefox had 4.3 percent of desktop browser usage in October 2026, far behind Chrome.
  figures:
  - {metric: firefox_share, value: 4.3, unit: percent, period: October 2026,
     period_label: October 2026, qualifier: null, sources: [s1]}
  sources: [s1]
- id: phishing-sms-complaints
  topic: Cybercrime
  question: How many complaints about phishing SMS did PTA receive?
  answer: PTA received 38,400 complaints about phishing SMS in FY26.
  figures:
  - {metric: phishing_sms_complaints, value: 38400, unit: complaints, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: mobile-bill
  topic: Telecom
  question: What is the average monthly mobile bill?
  answer: The average monthly mobile bill was PKR 1,150 in 2026.
  figures:
  - {metric: mobile_bill, value: 1150, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("What share of desktop users browse with Firefox?", "firefox-share"),
                    ("How many phishing text messages were reported to PTA?",
                     "phishing-sms-complaints"),
                    ("average mobile bill per month", "mobile-bill")))
    _refuses(engine, ("What is Chrome's share of browser usage in Pakistan?",
                      # the column's share of young people is about neither browser
                      "what share of browser usage does chrome have",
                      "How many phishing email complaints were filed in Pakistan?",
                      "What is the average monthly home broadband bill in Pakistan?"))


def test_everyday_words_beside_an_entrys_topic_do_not_put_it_out_of_scope(
        tmp_path: Path) -> None:
    """"Ex-army", "real estate" and "traffic" are outside the IT sector alone ("real estate
    prices in Lahore" is not the column's Lahore freelancers), but not beside two more words
    an admin's entry shares: IT courses for ex-army personnel, real estate tech startups."""
    engine = _engine_with(tmp_path, _pack("everyday", """
- id: it-courses-retired-soldiers
  topic: Skills
  question: How many retired soldiers took IT courses?
  answer: 2,640 retired soldiers completed government IT courses in 2026.
  figures:
  - {metric: retired_soldiers_it_courses, value: 2640, unit: people, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
- id: proptech-startups-karachi
  topic: Startups
  question: How many proptech startups are there in Karachi?
  answer: Karachi had 63 proptech startups in 2026.
  figures:
  - {metric: proptech_startups_karachi, value: 63, unit: startups, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("Are there IT courses for ex-army personnel?", "it-courses-retired-soldiers"),
                    ("How many real estate tech startups are based in Karachi?",
                     "proptech-startups-karachi")))
    _refuses(engine, ("real estate prices in Lahore", "traffic in Karachi today",
                      "How many soldiers are in the Pakistan army?",
                      "What is the gold price in Karachi?"))


def test_roles_complaints_and_cameras_are_sides_and_people_is_no_topic(tmp_path: Path) -> None:
    """Women's share of IT support or project-management jobs is not their share of
    software developers'; refund complaints are not late-delivery ones; a DSLR's price is no
    mirrorless camera's; "how many people listen to podcasts" is not the column's young
    people; "a programming course for deaf students" still finds the course."""
    engine = _engine_with(tmp_path, _pack("roles", """
- id: women-it-support
  topic: Women in tech
  question: What share of IT support jobs are held by women?
  answer: Women held 11.3 percent of IT support and helpdesk jobs in Pakistan in 2025.
  figures:
  - {metric: women_it_support_share, value: 11.3, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: women-project-managers
  topic: Women in tech
  question: What share of IT project managers in Pakistan are women?
  answer: Women held 12.7 percent of project management roles in IT companies in 2025.
  figures:
  - {metric: women_pm_share, value: 12.7, unit: percent, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: refund-complaints
  topic: E-commerce
  question: How many e-commerce refund complaints were filed?
  answer: Online shoppers filed 4,870 complaints about refunds in FY26.
  figures:
  - {metric: refund_complaints, value: 4870, unit: complaints, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: dslr-price
  topic: Gadgets
  question: What is the average price of a DSLR camera?
  answer: An entry-level DSLR camera cost PKR 185,000 on average in 2026.
  figures:
  - {metric: dslr_price, value: 185000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: deaf-coding-course
  topic: Skills
  question: Is there a coding course for deaf students?
  answer: A sign-language coding course trained 320 deaf students in 2026.
  figures:
  - {metric: deaf_coding_students, value: 320, unit: students, period: '2026',
     period_label: '2026', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("women in IT support jobs share", "women-it-support"),
                    ("how many women are project managers in IT firms", "women-project-managers"),
                    ("How many refund complaints did online shoppers make?", "refund-complaints"),
                    ("DSLR camera price in Pakistan", "dslr-price"),
                    ("Is there a programming course for deaf students in Pakistan?",
                     "deaf-coding-course")))
    _refuses(engine, ("What share of software developers in Pakistan are women?",
                      "How many complaints about late deliveries did online shoppers file?",
                      "What is the average price of a mirrorless camera in Pakistan?",
                      "پاکستان میں کتنے لوگ پوڈکاسٹ سنتے ہیں؟",
                      "pakistan mein radio sunne wale kitne log hain?"))


def test_kinds_of_startup_and_browsers_in_urdu_are_sides(tmp_path: Path) -> None:
    """A city's count of mobility startups is not its fintechs'; Chrome in Urdu script
    (کروم) is not Opera; loans (qarza) are asked of the entry on startups' loans."""
    engine = _engine_with(tmp_path, _pack("kinds", """
- id: mobility-startups-lahore
  topic: Startups
  question: How many mobility startups are based in Lahore?
  answer: Lahore had 41 mobility startups in 2025.
  figures:
  - {metric: mobility_startups_lahore, value: 41, unit: startups, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: opera-users
  topic: Internet
  question: How many people use the Opera browser?
  answer: About 1.2 million people in Pakistan used Opera Mini in 2026.
  figures:
  - {metric: opera_users, value: 1.2, unit: million, period: '2026', period_label: '2026',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: startup-debt
  topic: Startups
  question: How much debt financing did startups raise?
  answer: Pakistani startups raised 23.4 million US dollars in venture debt and loans in 2025.
  figures:
  - {metric: startup_debt, value: 23.4, unit: million USD, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("mobility startups in Lahore kitne hain", "mobility-startups-lahore"),
                    ("اوپیرا براؤزر کے کتنے صارفین ہیں؟", "opera-users"),
                    ("startups ne 2025 mein kitna qarza liya?", "startup-debt")))
    _refuses(engine, ("How many fintech startups are there in Lahore?",
                      "پاکستان میں کروم براؤزر کے کتنے صارفین ہیں؟",
                      "How much loan did farmers take from banks?"))


def test_everyday_urdu_words_sizes_and_systems(tmp_path: Path) -> None:
    """Everyday Urdu and Roman Urdu words are read (جعلی fake, خیراتی charity, موصول
    received, آئی پیڈ iPad, wafat deceased); a 43-inch TV's price is no 55-inch TV's; macOS
    is not Linux; an iPhone is not an iPad."""
    engine = _engine_with(tmp_path, _pack("urdu words", """
- id: fake-charity-complaints
  topic: Cybercrime
  question: How many complaints about fake charity appeals were received?
  answer: The cybercrime wing received 1,940 complaints about fake charity appeals in 2025.
  figures:
  - {metric: fake_charity_complaints, value: 1940, unit: complaints, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: ipad-users
  topic: Devices
  question: How many people use an iPad in Pakistan?
  answer: About 610,000 people in Pakistan used an iPad in 2026.
  figures:
  - {metric: ipad_users, value: 610000, unit: people, period: '2026', period_label: '2026',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: deceased-sim-block
  topic: SIMs
  question: How do I block the SIM of a deceased relative?
  answer: Take the death certificate and your CNIC to the operator's franchise to block it.
  sources: [s1]
- id: tv-55-price
  topic: Devices
  question: What is the average price of a 55-inch TV?
  answer: A 55-inch TV cost PKR 168,500 on average in 2026.
  figures:
  - {metric: tv_55_price, value: 168500, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: linux-desktop-share
  topic: Software
  question: What share of desktop users run Linux?
  answer: Linux ran on 4.6 percent of desktop computers in Pakistan in 2025.
  figures:
  - {metric: linux_share, value: 4.6, unit: percent, period: '2025', period_label: '2025',
     qualifier: null, sources: [s1]}
  sources: [s1]
- id: startup-layoffs
  topic: Startups
  question: How many people did startups lay off?
  answer: Pakistani startups laid off 2,300 employees in 2025.
  figures:
  - {metric: startup_layoffs, value: 2300, unit: people, period: '2025', period_label: '2025',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("جعلی خیراتی اپیلوں کے بارے میں کتنی شکایات موصول ہوئیں؟",
                     "fake-charity-complaints"),
                    ("پاکستان میں کتنے لوگ آئی پیڈ استعمال کرتے ہیں؟", "ipad-users"),
                    ("abbu ki wafat ho gayi, unki sim kaise block karwaun?", "deceased-sim-block"),
                    ("55-inch TV price in Pakistan", "tv-55-price"),
                    ("How many employees did startups lay off in 2025?", "startup-layoffs")))
    _refuses(engine, ("What is the average price of a 43-inch TV in Pakistan?",
                      "What share of desktop users run macOS?",
                      "How many iPhone users are there in Pakistan?"))


def test_kinds_of_scam_and_service_and_everyday_transport(tmp_path: Path) -> None:
    """Complaints about fake scholarships are not about fake job offers; a bookkeeper's rate
    is no graphic designer's; Tor users are not VPN users; metro bus drivers' IT training is
    answered, the bus fare is not."""
    engine = _engine_with(tmp_path, _pack("scams", """
- id: fake-scholarship-complaints
  topic: Cybercrime
  question: How many complaints about fake scholarship offers were filed?
  answer: The cybercrime wing received 1,215 complaints about fake scholarship offers in 2025.
  figures:
  - {metric: fake_scholarship_complaints, value: 1215, unit: complaints, period: '2025',
     period_label: '2025', qualifier: null, sources: [s1]}
  sources: [s1]
- id: upwork-bookkeeper-rates
  topic: Freelancing
  question: How much do Upwork bookkeepers charge per hour?
  answer: Pakistani bookkeepers on Upwork charged a median of 11 US dollars an hour in 2025.
  figures:
  - {metric: bookkeeper_rate, value: 11, unit: USD per hour, period: '2025',
     period_label: '2025', qualifier: median, sources: [s1]}
  sources: [s1]
- id: tor-users
  topic: Internet
  question: How many people use the Tor browser?
  answer: About 38,000 people in Pakistan used the Tor browser daily in 2025.
  figures:
  - {metric: tor_users, value: 38000, unit: people, period: '2025', period_label: '2025',
     qualifier: about, sources: [s1]}
  sources: [s1]
- id: bus-driver-it-training
  topic: Skills
  question: How many bus drivers received IT training?
  answer: 1,860 bus drivers were trained to use computers and tablets in FY26.
  figures:
  - {metric: bus_driver_training, value: 1860, unit: people, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("fake scholarship complaints kitni hain", "fake-scholarship-complaints"),
                    ("Upwork bookkeeping hourly rate", "upwork-bookkeeper-rates"),
                    ("How many Pakistanis use Tor?", "tor-users"),
                    ("How many metro bus drivers were taught to use computers and tablets?",
                     "bus-driver-it-training")))
    _refuses(engine, ("How many complaints were filed about fake online job offers?",
                      "How much do Pakistani graphic designers charge per hour on Upwork?",
                      "How many people in Pakistan use a VPN?",
                      "What is the metro bus fare in Lahore?"))


def test_a_count_is_not_a_price_and_more_kinds_of_device(tmp_path: Path) -> None:
    """"How many laptops are assembled" is not answered with a laptop's price; an electric
    car is no electric scooter, wireless earbuds are not noise-cancelling headphones; a ban
    on cricket betting ads is about betting, not out of scope."""
    engine = _engine_with(tmp_path, _pack("devices 2", """
- id: used-laptop-price
  topic: Devices
  question: What is the average price of a used laptop?
  answer: A used laptop cost PKR 62,000 on average in 2026.
  figures:
  - {metric: used_laptop_price, value: 62000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: e-scooter-price
  topic: Devices
  question: What is the average price of an electric scooter?
  answer: An electric scooter cost PKR 245,000 on average in 2026.
  figures:
  - {metric: e_scooter_price, value: 245000, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: anc-headphone-price
  topic: Devices
  question: What is the average price of noise-cancelling headphones?
  answer: Noise-cancelling headphones cost PKR 24,500 on average in 2026.
  figures:
  - {metric: anc_price, value: 24500, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: betting-ad-ban
  topic: Regulation
  question: Are online betting ads banned?
  answer: PEMRA and PTA banned advertisements for online betting and gambling websites in 2026.
  sources: [s1]
"""))
    _finds(engine, (("used laptop price in Pakistan", "used-laptop-price"),
                    ("electric scooter kitne ka hai", "e-scooter-price"),
                    ("نوائز کینسلنگ ہیڈ فون کی اوسط قیمت کیا ہے؟", "anc-headphone-price"),
                    ("Can a TV channel run ads for cricket betting websites?", "betting-ad-ban")))
    _refuses(engine, ("How many laptops does Pakistan assemble locally every year?",
                      "What is the average price of an electric car in Pakistan?",
                      "What is the average price of wireless earbuds in Pakistan?",
                      "What was the score of the cricket match?"))


def test_phrases_mapped_twice_and_terms_inside_longer_ones(tmp_path: Path) -> None:
    """سری لنکا is read as Sri Lanka (the vocabulary maps it to "sri lanka", which maps on);
    "Opera Mini" is not also "Opera", so an Opera Touch entry does not answer it; a pen
    tablet is no iPad, a dashcam no GPS tracker, a solar charger no solar panel."""
    engine = _engine_with(tmp_path, _pack("phrases", """
- id: it-exports-sri-lanka-fy26
  topic: IT exports
  question: What were Pakistan's IT exports to Sri Lanka in FY26?
  answer: Pakistan's IT exports to Sri Lanka were 29.9 million US dollars in FY26.
  figures:
  - {metric: it_exports_sri_lanka, value: 29.9, unit: million USD, period: FY26,
     period_label: FY26, qualifier: null, sources: [s1]}
  sources: [s1]
- id: opera-touch-users
  topic: Internet
  question: How many people use Opera Touch?
  answer: About 95,000 people in Pakistan used Opera Touch in 2026.
  figures:
  - {metric: opera_touch_users, value: 95000, unit: people, period: '2026',
     period_label: '2026', qualifier: about, sources: [s1]}
  sources: [s1]
- id: pen-tablet-price
  topic: Devices
  question: What is the average price of a graphics tablet?
  answer: A graphics tablet cost PKR 21,800 on average in 2026.
  figures:
  - {metric: pen_tablet_price, value: 21800, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: dashcam-price
  topic: Devices
  question: What is the average price of a dashcam?
  answer: A dashcam cost PKR 14,900 on average in 2026.
  figures:
  - {metric: dashcam_price, value: 14900, unit: PKR, period: '2026', period_label: '2026',
     qualifier: average, sources: [s1]}
  sources: [s1]
- id: solar-chargers-assembled
  topic: Hardware
  question: How many solar chargers are assembled in Pakistan?
  answer: Local factories assembled 132,000 solar chargers in 2025.
  figures:
  - {metric: solar_chargers, value: 132000, unit: units, period: '2025', period_label: '2025',
     qualifier: null, sources: [s1]}
  sources: [s1]
"""))
    _finds(engine, (("سری لنکا کو پاکستان کی آئی ٹی ایکسپورٹس کتنی ہیں؟", "it-exports-sri-lanka-fy26"),
                    ("Opera Touch users in Pakistan", "opera-touch-users"),
                    ("graphics tablet price", "pen-tablet-price"),
                    ("dashcam kitne ka milta hai", "dashcam-price"),
                    ("how many solar chargers are made locally", "solar-chargers-assembled")))
    _refuses(engine, ("How many people use Opera Mini in Pakistan?",
                      "What is the average price of an iPad in Pakistan?",
                      "What is the average price of a car GPS tracker in Pakistan?",
                      "pakistan mein solar panels kitne assemble hote hain?"))
