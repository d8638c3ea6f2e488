"""The languages the shipped vocabularies cover, and the Belarusian spellings derived from Cyrillic.

A vocabulary states its terms per language (``terms: {en: [...], de: [...]}``); a key may name
several languages that share the terms (``"en de pl lt": ["Ukrain*"]``).

Belarusian is printed in three ways: the official Cyrillic spelling, the classical one
(taraškievica, which marks assimilated softness: ``сьвет`` for ``свет``, ``зьвяз`` for ``звяз``)
and the Latin alphabet (Łacinka: ``Łukašenka``, ``vajna``). Authors list the official Cyrillic
spelling under ``be``; the loader derives the other two, so every Belarusian term reads all three.
Łacinka is derived in its normalised form (accents folded, ``ł`` read as ``l``), which is the form
the matcher scans anyway.
"""

from __future__ import annotations

import re

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "ru", "uk", "be", "pl", "lt", "lv")
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "pl": "Polish",
    "lt": "Lithuanian",
    "lv": "Latvian",
}
_KEY_SPLIT_RE = re.compile(r"[\s,/]+")


def parse_language_key(key: object) -> tuple[str, ...] | None:
    """``"en"`` or ``"en de pl"`` as a tuple of supported codes; None when any part is not one."""
    if not isinstance(key, str) or not key.strip():
        return None
    parts = tuple(part for part in _KEY_SPLIT_RE.split(key.strip().lower()) if part)
    if not parts or any(part not in SUPPORTED_LANGUAGES for part in parts):
        return None
    return parts


# --- Belarusian: classical spelling --------------------------------------------------------------

_BE_VOWELS = "аеёіоуыэюяў"
_SOFTENING = "еёіюяь"
# Taraškievica writes the softness that a following soft consonant gives to с, з, ц and дз.
_ASSIMILATING = ("дз", "с", "з", "ц")
_DOUBLING = "нлсзцтд"


def classical_variant(term: str) -> str | None:
    """The taraškievica spelling of an official-spelling Belarusian term, if it differs.

    ``ь`` is inserted after с, з, ц or дз when the next letter is a consonant that is itself soft
    (followed by е, ё, і, ю, я or ь): ``свет → сьвет``, ``снег → сьнег``, ``пасля → пасьля``;
    and between a doubled consonant before such a vowel: ``вучэнні → вучэньні``.
    """
    low = term.lower()
    out: list[str] = []
    i = 0
    changed = False
    while i < len(term):
        matched = next((a for a in _ASSIMILATING if low.startswith(a, i)), None)
        if matched is None:
            out.append(term[i])
            # a doubled soft consonant is written with the sign too: вучэнні → вучэньні
            soft = low[i + 2 : i + 3]
            if soft and soft in _SOFTENING and low[i] in _DOUBLING and low[i + 1 : i + 2] == low[i]:
                out.append("ь")
                changed = True
            i += 1
            continue
        out.append(term[i : i + len(matched)])
        i += len(matched)
        nxt = low[i : i + 1]
        after = low[i + 1 : i + 2]
        if nxt and nxt.isalpha() and nxt not in _BE_VOWELS and nxt != "ь" and after and after in _SOFTENING:
            out.append("ь")
            changed = True
    return "".join(out) if changed else None


# --- Belarusian: Łacinka -----------------------------------------------------------------------

# Normalised Łacinka: the accents of ć ś ź ń č š ž ŭ and the stroke of ł fold away in matching, so
# the table maps to plain Latin letters. Soft and hard l both read "l".
_LACINKA_CONSONANTS = {
    "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "ж": "z", "з": "z", "й": "j", "к": "k",
    "л": "l", "м": "m", "н": "n", "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f", "х": "ch",
    "ц": "c", "ч": "c", "ш": "s", "ў": "u", "щ": "sc",
}  # fmt: skip
_LACINKA_VOWELS = {"а": "a", "о": "o", "у": "u", "ы": "y", "э": "e", "і": "i"}
_IOTATED = {"е": "e", "ё": "o", "ю": "u", "я": "a"}
_MIN_LATIN_PREFIX = 5


def lacinka(term: str) -> str | None:
    """The normalised Łacinka form of a Cyrillic Belarusian term (``Лукашэнк*`` → ``lukasenk*``).

    Iotated vowels are ``je ja ju jo`` at the start of a word and after a vowel or apostrophe,
    plain ``e a u o`` after л (whose softness Łacinka writes on the l), ``ie ia iu io`` after
    other consonants; ``ь`` only softens (its mark folds away). None when the term has letters
    outside the Belarusian alphabet (it is then not a Cyrillic Belarusian term).
    """
    low = term.lower().replace("’", "'").replace("ʼ", "'")
    out: list[str] = []
    previous = " "  # what came before: " " (word start), "v" (vowel), "'" or a consonant letter
    for char in low:
        if char in _LACINKA_CONSONANTS:
            out.append(_LACINKA_CONSONANTS[char])
            previous = char
        elif char in _LACINKA_VOWELS:
            out.append(_LACINKA_VOWELS[char])
            previous = "v"
        elif char in _IOTATED:
            vowel = _IOTATED[char]
            if previous in (" ", "v", "'"):
                out.append("j" + vowel)
            elif previous == "л":
                out.append(vowel)
            else:
                out.append("i" + vowel)
            previous = "v"
        elif char == "ь":
            previous = "ь"
        elif char == "'":
            previous = "'"
        elif char in ' *"-':
            out.append(char)
            previous = " " if char != "*" else previous
        elif "\u0400" <= char <= "\u04ff":
            return None
        else:
            out.append(char)
            previous = " "
    result = "".join(out)
    return result if result != low else None


def is_cyrillic(term: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in term)


def belarusian_variants(term: str) -> tuple[str, ...]:
    """The classical-spelling and Łacinka forms derived from one ``be`` term (none for Latin terms)."""
    if not is_cyrillic(term):
        return ()
    variants: list[str] = []
    classical = classical_variant(term)
    if classical is not None:
        variants.append(classical)
    latin = lacinka(term)
    if latin is not None:
        letters = len(latin.rstrip("*").replace('"', "").strip())
        # A short Latin prefix ("udar*") would read words of Polish or Lithuanian text.
        if letters >= (_MIN_LATIN_PREFIX if latin.endswith("*") else 3):
            variants.append(latin)
    return tuple(variants)
