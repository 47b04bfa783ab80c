"""The floor plan holds: what may import what, and every package says what it exports.

``bot.kb`` (the knowledge base) and ``bot.core`` (answering) never import ``telegram`` or
``click``, so ``pkitbot ask`` answers without them and the logic is tested without Telegram;
``bot.core`` reaches the knowledge base only through ``bot.kb``'s public names; nothing in
``bot.kb`` imports ``bot.core``, ``bot.tg`` or the CLI. Modelled on httpx's
``test_exported_members.py``.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BOT = REPO / "bot"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every (module, names) imported anywhere in the file, lazily imported ones too."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _modules(package: str) -> list[Path]:
    return sorted((BOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["kb", "core"])
def test_logic_never_imports_telegram_or_click(package: str) -> None:
    for path in _modules(package):
        for module, _ in _imports(path):
            top = module.split(".")[0]
            assert top not in {"telegram", "click", "tornado"}, (path.name, module)
            assert not module.startswith(("bot.tg", "bot.cli")), (path.name, module)


def test_kb_does_not_import_the_answering_core() -> None:
    for path in _modules("kb"):
        for module, _ in _imports(path):
            assert not module.startswith("bot.core"), (path.name, module)


def test_core_reaches_the_knowledge_base_only_through_its_public_names() -> None:
    import bot.kb

    for path in _modules("core"):
        for module, names in _imports(path):
            if module.startswith("bot.kb"):
                assert module == "bot.kb", (path.name, module)
                assert set(names) <= set(bot.kb.__all__), (path.name, names)


def test_answering_from_the_command_line_loads_no_telegram() -> None:
    code = ("import sys, bot.core, bot.kb; from bot.cli import main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'tornado')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout.strip()
    assert out == "[]"


PACKAGES = sorted(".".join(p.parent.relative_to(REPO).parts) for p in BOT.rglob("__init__.py"))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_package_declares_what_it_exports(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert sorted(exported) == sorted(set(exported)), f"{name}.__all__ repeats a name"
    for member in exported:
        assert hasattr(package, member), f"{name}.__all__ names {member}, which is not there"
    # every public name the package itself defines or re-exports is in __all__ (httpx's rule)
    public = {n for n, v in vars(package).items() if not n.startswith("_")
              and not (isinstance(v, type(sys)) and v.__name__.startswith(name + "."))}
    public -= {"annotations"}
    assert public <= set(exported), f"{name} exposes {sorted(public - set(exported))}"


def test_evaluation_helpers_are_not_shipped_in_the_package() -> None:
    assert not (BOT / "evaluation.py").exists()
    assert (REPO / "tests" / "evaluation.py").is_file()


def test_every_deliberate_error_is_a_pkitbot_error() -> None:
    import bot.errors as errors

    classes = [getattr(errors, n) for n in errors.__all__]
    assert all(issubclass(c, errors.PkitbotError) for c in classes)
    # no module defines an exception class of its own outside bot/errors.py
    for path in BOT.rglob("*.py"):
        if path.name == "errors.py" and path.parent == BOT:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not any(b.endswith(("Error", "Exception")) for b in bases), (path, node.name)
