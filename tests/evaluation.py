"""Measuring answer quality on a question set (``dev-questions.yaml`` format), per kind.

A question with a list of expected phrases is right when the bot answers and its reply
holds one of them; one expecting ``abstain`` is right when the bot does not answer and its
reply asserts none of the column's figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FIGURE_PHRASES = ("3.8 billion", "1.5 million", "65%", "top five", "top 5", "10 billion")
TARGETS = {"en": 0.95, "short": 0.90, "typo": 0.90, "roman": 0.85, "urdu": 0.80,
           "near": 0.95, "out": 0.95}


@dataclass(frozen=True)
class Outcome:
    question: str
    kind: str
    correct: bool
    answered: bool
    reply: str


def load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text("utf-8"))["questions"])


def judge(expect: Any, answered: bool, reply: str) -> bool:
    text = reply.casefold()
    if expect == "abstain":
        return not answered and not any(p in text for p in FIGURE_PHRASES)
    return answered and any(str(e).casefold() in text for e in expect)


def evaluate(questions: Iterable[dict[str, Any]],
             ask: Callable[[str], tuple[bool, str]]) -> list[Outcome]:
    """Run every question through ``ask`` (returns answered, reply text) and judge it."""
    outcomes = []
    for item in questions:
        answered, reply = ask(str(item["q"]))
        outcomes.append(Outcome(str(item["q"]), str(item["kind"]),
                                judge(item["expect"], answered, reply), answered, reply))
    return outcomes


def accuracy_by_kind(outcomes: Iterable[Outcome]) -> dict[str, tuple[int, int]]:
    """kind -> (correct, total)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        table[o.kind][0] += int(o.correct)
        table[o.kind][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(table.items())}
