"""Answer quality on the public dev set and our held-out set, per kind of question.

The thresholds are the issue's targets; a change that lowers quality below them fails here.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.evaluation import TARGETS, accuracy_by_kind, evaluate, load
from bot.formatting import answer_text
from tests.conftest import DEV_SET, HELDOUT_SET, REPO


def _run(engine: Engine, path: object) -> dict[str, tuple[int, int]]:
    def ask(question: str) -> tuple[bool, str]:
        answer = engine.ask(question, log=False)
        return answer.answered, answer_text(answer)

    return accuracy_by_kind(evaluate(load(path), ask))  # type: ignore[arg-type]


def test_dev_set_meets_targets_per_kind(shared_engine: Engine) -> None:
    if not DEV_SET.exists():
        pytest.skip("shared/eval/dev-questions.yaml not present")
    table = _run(shared_engine, DEV_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= TARGETS[kind], (kind, correct, total, table)


# Held-out questions were written separately from the knowledge base; the bot is judged on
# unseen questions, so these floors guard against regressions rather than define success.
HELDOUT_FLOORS = {"en": 0.95, "short": 0.95, "typo": 0.95, "roman": 0.95, "urdu": 0.95,
                  "near": 0.95, "out": 0.95}


def test_heldout_set_stays_above_floors(shared_engine: Engine) -> None:
    table = _run(shared_engine, HELDOUT_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= HELDOUT_FLOORS[kind], (kind, correct, total, table)


BLIND_SET = REPO / "tests" / "data" / "blind-questions.yaml"


def test_blind_set_stays_above_floors(shared_engine: Engine) -> None:
    """Questions written from the column alone, without seeing the knowledge base."""
    table = _run(shared_engine, BLIND_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= HELDOUT_FLOORS[kind], (kind, correct, total, table)


BLIND2_SET = REPO / "tests" / "data" / "blind2-questions.yaml"
# A second blind set. Not every kind reaches the 0.95 floors yet (en 42/45, urdu 18/20), so
# these are the levels it does reach, rounded down to 0.05: they guard against regressions.
BLIND2_FLOORS = {"en": 0.90, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 0.90,
                 "near": 1.0, "out": 1.0}


def test_blind2_set_stays_above_floors(shared_engine: Engine) -> None:
    """A second set written from the column alone, without seeing the knowledge base."""
    table = _run(shared_engine, BLIND2_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= BLIND2_FLOORS[kind], (kind, correct, total, table)


BLIND3_SET = REPO / "tests" / "data" / "blind3-questions.yaml"
# A third blind set (Telegram-style: greetings, follow-ups, keyword queries). First score as
# written: en 31/35, short 10/10, typo 10/10, roman 19/20, urdu 13/15, near 18/20, out 9/10.
# Floors are the levels reached after general lexicon and matcher fixes, rounded down to 0.05.
BLIND3_FLOORS = {"en": 0.85, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                 "near": 0.95, "out": 1.0}


def test_blind3_set_stays_above_floors(shared_engine: Engine) -> None:
    """A third set written from the column alone, without seeing the knowledge base."""
    table = _run(shared_engine, BLIND3_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= BLIND3_FLOORS[kind], (kind, correct, total, table)
