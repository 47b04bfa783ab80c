"""The wheel carries the curated knowledge, so a non-editable install works."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_contains_knowledge_and_entry_point(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("pkitbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    curated = {p.relative_to(REPO / "knowledge").as_posix()
               for p in (REPO / "knowledge").rglob("*.yaml")}
    assert {f"bot/knowledge_data/{name}" for name in curated} <= names
    assert "bot/cli.py" in names and "bot/tg/admin.py" in names and "bot/tg/delivery/polling.py" in names
    assert not any(n.startswith("tests/") or n.endswith("evaluation.py") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "pkitbot = bot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_every_package_under_bot_is_shipped() -> None:
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    shipped = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "bot").rglob("__init__.py")}
    assert found <= shipped
