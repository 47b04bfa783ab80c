"""Answer quality on the public dev set and our held-out set, per kind of question.

The thresholds are the issue's targets; a change that lowers quality below them fails here.
"""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.formatting import answer_text
from tests.conftest import DEV_SET, HELDOUT_SET, REPO
from tests.evaluation import TARGETS, accuracy_by_kind, evaluate, load


def _run(engine: Engine, path: object) -> dict[str, tuple[int, int]]:
    def ask(question: str) -> tuple[bool, str]:
        answer = engine.ask(question, log=False)
        return answer.answered, answer_text(answer)

    return accuracy_by_kind(evaluate(load(path), ask))  # type: ignore[arg-type]


def test_dev_set_meets_targets_per_kind(shared_engine: Engine) -> None:
    table = _run(shared_engine, DEV_SET)
    for kind, (correct, total) in table.items():
        assert correct / total >= TARGETS[kind], (kind, correct, total, table)


# Held-out questions were written separately from the knowledge base; the bot is judged on
# unseen questions, so these floors guard against regressions rather than define success.
HELDOUT_FLOORS = {"en": 0.95, "short": 0.95, "typo": 0.95, "roman": 0.95, "urdu": 0.95,
                  "near": 0.95, "out": 0.95}
DATA = REPO / "tests" / "data"
# blind*: written from the column alone, without seeing the knowledge base or the bot.
# blind2 does not reach 0.95 in every kind yet (en 44/45, urdu 19/20): its floors are the
# levels it reaches, rounded down to 0.05. blind3 (Telegram-style: greetings, follow-ups,
# keyword queries) scored en 31/35, short 10/10, typo 10/10, roman 19/20, urdu 13/15,
# near 18/20, out 9/10 as first written; its floors are the levels reached after general
# lexicon and matcher fixes, rounded down to 0.05.
SETS_AND_FLOORS = {
    "held-out": (HELDOUT_SET, HELDOUT_FLOORS),
    "blind": (DATA / "blind-questions.yaml", HELDOUT_FLOORS),
    "blind2": (DATA / "blind2-questions.yaml",
               {"en": 0.95, "short": 1.0, "typo": 1.0, "roman": 0.95, "urdu": 0.90,
                "near": 1.0, "out": 1.0}),
    "blind3": (DATA / "blind3-questions.yaml",
               {"en": 0.90, "short": 1.0, "typo": 1.0, "roman": 1.0, "urdu": 0.90,
                "near": 0.95, "out": 1.0}),
}


@pytest.mark.parametrize("name", list(SETS_AND_FLOORS))
def test_question_set_stays_above_its_floors(shared_engine: Engine, name: str) -> None:
    path, floors = SETS_AND_FLOORS[name]
    table = _run(shared_engine, path)
    for kind, (correct, total) in table.items():
        assert correct / total >= floors[kind], (name, kind, correct, total, table)


# Scored on the reply's language as well as its content: an Urdu or Roman Urdu question is
# right when the English judge finds the right answer AND the bot replies in the asker's
# language (the reply's language detected as the question's). Floors: the levels reached
# (2026-12-01, after Roman Urdu detection stopped counting English names), rounded down to
# 0.05; first measured roman 0.75-0.85.
LANGUAGE_FLOORS = {
    "dev": (DEV_SET, {"roman": 1.0, "urdu": 1.0}),
    "held-out": (HELDOUT_SET, {"roman": 0.95, "urdu": 1.0}),
    "blind": (DATA / "blind-questions.yaml", {"roman": 0.95, "urdu": 1.0}),
    "blind2": (DATA / "blind2-questions.yaml", {"roman": 0.95, "urdu": 0.95}),
    "blind3": (DATA / "blind3-questions.yaml", {"roman": 1.0, "urdu": 1.0}),
}


@pytest.mark.parametrize("name", list(LANGUAGE_FLOORS))
def test_urdu_and_roman_questions_are_answered_in_their_language(shared_engine: Engine,
                                                                 name: str) -> None:
    from bot.core.language import detect, reply_language
    from tests.evaluation import judge

    path, floors = LANGUAGE_FLOORS[name]
    table: dict[str, list[int]] = {}
    for item in load(path):
        kind = str(item["kind"])
        if kind not in floors:
            continue
        want = {"urdu": "ur", "roman": "roman"}[kind]
        language = reply_language(None, str(item["q"]))
        answer = shared_engine.ask(str(item["q"]), log=False)
        right = (judge(item["expect"], answer.answered, answer_text(answer))
                 and language == want and detect(answer_text(answer, language)) == want)
        table.setdefault(kind, [0, 0])
        table[kind][0] += int(right)
        table[kind][1] += 1
    for kind, (right, total) in table.items():
        assert right / total >= floors[kind], (name, kind, right, total, table)
