"""Which language a text is in (English, Urdu script or Roman Urdu), and which to reply in.

Urdu script is told by its letters. Roman Urdu and English share the Latin alphabet, so a
Latin text is Roman Urdu when enough of its words are Roman Urdu function words (hai, hain,
kya, kitne, mein, ka, ki, ke ...), words English never uses; a few that English also has
("me", "to", "so") count half. Names and terms (IT, FY25, Upwork) are neutral in both, which
is why a share of the words decides rather than a dictionary of every word.

The reply's language: a user's own ``/language`` choice wins; otherwise the language of
what they wrote; a text-less command (``/start``) falls back to Telegram's ``language_code``.
"""

from __future__ import annotations

import re
import unicodedata

from bot.kb import LANGUAGES

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "detect", "reply_language"]

LANGUAGE_NAMES = {"en": "English", "ur": "اردو", "roman": "Roman Urdu"}

# Roman Urdu words English does not use (several spellings each); the lexicon's greetings too
_ROMAN_TEXT = """
hai hain hay hy hei kya kia kyaa kiya kitne kitni kitna kitnay kitney ketne mein mai ka ki
ke kay ko se say sey aur nahi nahin nai nhi kyun kyon kiun kaise kaisay kese kab kon kaun
koi kis kahan kidhar batao bataen bataein bataiye bata hota hoti hotay wala wali walay
wale raha rahi rahe tha thi thay bhi liye liya lie mutabiq hua hui huay hue gaya gayi gaye
apna apni apne yeh ye woh wo iss unka uska unki uski hum tum aap ap ab jab tak sab kuch
kuchh zyada ziada kam acha accha theek shukriya shukria meherbani salam salaam assalam
asalam alaikum alaykum walaikum khuda hafiz allah jazakallah baramadat tadaad tadad taadad
paisa paise kamai mulk duniya karte karta karti karna kar lakh crore arab
pichle pichla pichli saal saalon maali rahin rahay itni itna itne umeed jawab samajhta
samajhte samjha chahiye chahte sakta sakti sakte jaise jaisa jaisi shehar shehron liya
gayin barh barha barhi kaam lekin magar agar taraf dekh
"""
ROMAN_WORDS = frozenset(_ROMAN_TEXT.split())
SHARED_WORDS = frozenset({"me", "to", "so", "par", "per", "na", "ho", "hi", "main", "ya"})
_WORD = re.compile(r"[A-Za-z']+")
ROMAN_SHARE = 0.2  # of the Latin words


def _is_urdu_letter(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'&-]*|\b[A-Z]{2,}[\w-]*|\b\w*\d\w*")


def _names_out(text: str) -> str:
    """The text without what no language owns: quoted titles, acronyms (IT, ITeS, SBP),
    terms with digits (FY25) and capitalised words inside a sentence (Lahore, Ali Z, July),
    so that a Roman Urdu reply full of English names is still told by its own words."""
    return _NAME.sub(" ", _QUOTED.sub(" ", text))


def detect(text: str) -> str | None:
    """"ur", "roman" or "en" for a text with words; None when it has no letters at all."""
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    if not letters:
        return None
    urdu = sum(1 for ch in letters if _is_urdu_letter(ch))
    if urdu and urdu >= 0.3 * len(letters):
        return "ur"
    words = [w.casefold().strip("'") for w in _WORD.findall(_names_out(text))]
    if not words:
        return "ur" if urdu else "en"
    weight = sum(1.0 if w in ROMAN_WORDS and w not in SHARED_WORDS
                 else 0.5 if w in SHARED_WORDS else 0.0 for w in words)
    return "roman" if weight >= 1.0 and weight >= ROMAN_SHARE * len(words) else "en"


def from_language_code(code: str | None) -> str | None:
    """Telegram's ``language_code`` as a hint: "ur" (any Urdu locale) or None."""
    return "ur" if code and code.casefold().split("-")[0] == "ur" else None


def reply_language(choice: str | None, text: str | None = None,
                   language_code: str | None = None) -> str:
    """The language to reply in: the user's choice, else the text's, else the hint, else en."""
    if choice in LANGUAGES:
        return choice
    found = detect(text) if text else None
    return found or from_language_code(language_code) or "en"
