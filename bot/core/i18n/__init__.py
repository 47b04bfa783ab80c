"""The catalogue: every text the bot sends to users, in English, Urdu script and Roman Urdu.

One typed module per language (``en``, ``ur``, ``roman``) filling the frozen dataclass
:class:`Texts`, rather than gettext/Babel or fluent: the bot has three languages and no
plurals or translators' tools to serve, and a dataclass makes a missing key an import-time
TypeError and a mypy error, with no compiled ``.mo`` files to build or ship. The curated
answers themselves live with their entries in ``knowledge/entries/*.yaml``.
"""

from __future__ import annotations

from bot.core.i18n import en, roman, ur
from bot.core.i18n.keys import Texts

__all__ = ["CATALOGUE", "Texts", "texts"]

CATALOGUE: dict[str, Texts] = {"en": en.TEXTS, "ur": ur.TEXTS, "roman": roman.TEXTS}


def texts(language: str) -> Texts:
    """The texts of one language ("en", "ur", "roman"); English for anything else."""
    return CATALOGUE.get(language, en.TEXTS)
