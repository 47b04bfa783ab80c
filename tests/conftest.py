"""Shared fixtures: a fresh database per test, the engine over it, the eval sets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.engine import Engine
from bot.kb.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
# Copies of the project's shared material, kept here so the tests run on a bare clone.
COLUMN = DATA / "column" / "pakistan-it-boom.txt"
DEV_SET = DATA / "eval" / "dev-questions.yaml"
HELDOUT_SET = REPO / "tests" / "data" / "heldout-questions.yaml"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kb.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    return Engine(store)


@pytest.fixture(scope="session")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """One engine for read-only tests (the eval sets), built once per run."""
    return Engine(open_store(tmp_path_factory.mktemp("kb") / "kb.sqlite3"))


def kb_state(db_path: Path) -> list[dict[str, Any]]:
    """Every entry (deleted ones too) as plain data, to compare before and after."""
    store = open_store(db_path)
    try:
        return [e.to_dict() | {"status": e.status} for e in store.entries(include_deleted=True)]
    finally:
        store.close()


def load_questions(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text("utf-8"))["questions"])
