"""Text cleaning, normalisation and the pattern language.

``clean_text`` is what the user sees and what evidence offsets index. ``normalise`` turns clean
text into the form the automaton scans:

* lower case; Latin, Greek and other non-Cyrillic letters lose their accents (NFKD, combining marks
  dropped: ``é→e``, ``ą→a``, ``š→s``, ``ė→e``), and the letters NFKD leaves alone are folded by
  hand (``ł→l``, ``ø→o``, ``đ→d``, ``ß→ss``, ``æ→ae``, ``œ→oe``);
* Cyrillic letters keep their identity (``й``, ``ї``, ``і``, ``є``, ``ґ`` stay distinct) except
  ``ё→е`` (and the rare stressed ``ѐ→е``, ``ѝ→и``), because ``ё`` is optional in Russian print, and
  ``ў→у``, because Belarusian spells the same word with either by what precedes it
  (``уступіць`` / ``не ўступіць``, ``у вайну`` / ``ў вайну``);
* every character that is not a letter, digit or spacing mark becomes one space: punctuation,
  apostrophes (``’ ' ʼ `` ``), hyphens and dashes, symbols. So ``Zapad-2025`` reads ``zapad 2025`` and
  ``won’t`` reads ``won t``, exactly as the terms ``Zapad 2025`` and ``won't`` do;
* stray combining marks (stress accents on Cyrillic) are dropped.

Almost every character maps to exactly one character, so offsets carry over unchanged; the few that
expand or vanish (``ß``, ``œ``, ligatures, combining marks) are found with one regex search and
mapped through :class:`OffsetMap`.

Speed: ``str.translate`` with a dict costs ~60 ns per non-ASCII character, which alone would eat the
matcher's budget. Instead, a one-byte code covers the characters of the feed languages (ASCII,
Cyrillic, the Latin letters of French, Polish, Lithuanian, Latvian, German and Łacinka, common typography): encoding a
text through it (``codecs.charmap_encode``) and decoding the bytes with a table of folded characters
normalises it in two C passes, and the matcher's :func:`clean_and_encode` uses a strict variant of
the code to prove a raw field clean in the same pass. Text with any other character is normalised a
word at a time through a cache of normalised words (the same ``_fold_char`` behind both paths).
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _codecs import _EncodingMap

# Bump when the output of clean_text/normalise changes for any input: it enters the fingerprint.
NORMALISATION_VERSION = "1"

# Inline tags sit inside words ("<b>Luka</b>shenko") and vanish; every other tag, comment or script
# separates text. Two passes with fixed replacements run at C speed, unlike one with a callback.
_INLINE_TAGS = (
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub sup time u var wbr"
)
_INLINE_TAG_RE = re.compile(r"</?(?:" + "|".join(_INLINE_TAGS.split()) + r")(?=[\s/>])[^<>]*>", re.IGNORECASE)
_TAG_RE = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|</?[A-Za-z][A-Za-z0-9]*\b[^<>]*>",
    re.DOTALL | re.IGNORECASE,
)
# Invisible characters that would split or glue words without being seen: soft hyphen, zero-width
# space/joiners, direction marks, word joiner, BOM, C0/C1 controls that are not whitespace.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def _strip_tags(text: str) -> str:
    return _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", text))


def _is_clean(text: str) -> bool:
    # isprintable() is False for every whitespace but " ", for controls and for invisible format
    # characters, so together with the other checks it proves clean_text would return its input.
    return (
        text.isprintable()
        and "  " not in text
        and "<" not in text
        and "&" not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    )


def clean_text(text: str) -> str:
    """Strip HTML tags, unescape entities, NFC-compose, drop invisible characters, collapse whitespace.

    Idempotent: doubly escaped markup (``&amp;lt;b&amp;gt;``) is peeled until nothing changes.
    A ``<`` not followed by a tag name (``a < b``) is text and stays.
    """
    if _is_clean(text):
        return text
    while True:
        cleaned = _clean_once(text)
        # Only markup can survive a pass (unescaping "&amp;lt;b&amp;gt;" makes a tag): the other
        # steps are done for good once they have run in this order.
        if cleaned == text or ("<" not in cleaned and "&" not in cleaned):
            return cleaned
        text = cleaned


def _clean_once(text: str) -> str:
    if "<" in text:
        text = _strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isprintable():
        text = _INVISIBLE_RE.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# --- normalisation ---------------------------------------------------------------------------------

# Modifier letters used as apostrophes ("wonʼt", Ukrainian "мʼясо"): letters to Unicode,
# apostrophes to readers.
_APOSTROPHE_LETTERS = frozenset("\u02b9\u02bb\u02bc\u02bd\u02c8")
SEPARATOR = "\x00"  # joins fields: clean_text never outputs it, normalise keeps it as a non-word

_FOLDS = {
    "ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ĳ": "ij", "þ": "th",
    "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "ƒ": "f",
    "ς": "σ", "ё": "е", "ѐ": "е", "ѝ": "и", "ў": "у",
}  # fmt: skip


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u052f" or "\u1c80" <= char <= "\u1c8f" or "\ua640" <= char <= "\ua69f"


def _fold_char(char: str) -> str:
    """The normalised form of one character (usually one character, sometimes none or two)."""
    if char == SEPARATOR:
        return char
    if char in _APOSTROPHE_LETTERS:
        return " "
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return ""
    if category == "Mc":
        return char
    if not char.isalnum():
        return " "
    out = []
    for low in char.lower():
        low = _FOLDS.get(low, low)
        if len(low) > 1 or _is_cyrillic(low):
            out.append(low)
            continue
        parts = [p.lower() for p in unicodedata.normalize("NFKD", low) if not unicodedata.combining(p)]
        if all(part.isalnum() for part in parts):
            out.extend(_FOLDS.get(part, part) for part in parts)
        else:  # "¼" decomposes to "1⁄4": a word would split in two, so keep the character
            out.append(low)
    return "".join(out)


class _CharTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        if len(folded) != 1:
            _IRREGULAR.add(chr(code))
        return folded


_IRREGULAR: set[str] = set()  # characters whose folded form is not exactly one character
_irregular_re: tuple[int, re.Pattern[str] | None] = (0, None)
_CHARS = _CharTable()
_TOKEN_CACHE_LIMIT = 1 << 18


class _TokenCache(dict[str, str]):
    def __missing__(self, token: str) -> str:
        if len(self) >= _TOKEN_CACHE_LIMIT:
            self.clear()  # a long-running daemon meets endless new names; keep memory bounded
        folded = token.translate(_CHARS)
        self[token] = folded
        return folded


_TOKENS = _TokenCache()
_ASCII_TABLE = bytes(ord(_fold_char(chr(c))) for c in range(128)) + bytes(128)


# Characters that the one-byte code carries but that clean_text removes or rewrites: the strict
# variant of the code leaves them out, so that encoding a raw text through it also proves it clean.
_NEEDS_CLEANING = "<&\x00\t\n\r\xa0"


def _charmap_tables() -> tuple[dict[int, int] | _EncodingMap, dict[int, int] | _EncodingMap, str]:
    """A one-byte code for the characters of the main feed languages, upper and lower case.

    Encoding through it and decoding with a table of folded characters normalises a text in two C
    passes. It holds at most 256 characters, each folding to exactly one character; a text with any
    other character takes the word-cache path, which gives the same result. Returns the full code,
    its strict variant (without ``_NEEDS_CLEANING``) and the decoding table.
    """
    candidates = [
        "\x00",  # byte 0 must be NUL, or codecs.charmap_build makes a slow dict instead of an EncodingMap
        *(chr(c) for c in range(0x20, 0x7F)),
        "\t\n\r\xa0",
        *(chr(c) for c in range(0x410, 0x450)),  # А-я
        "ЁёЄєІіЇїЎўҐґ",
        "«»‘’‚“”„–—‑‐…•·№°€£§´×ʼ",
        "éèêëàâçîïôùûüÿœÉÈÊÀÇÔÎ",  # French (œ is skipped: it folds to two letters)
        "ąćęłńóśźżŁŚŻ",  # Polish
        "čėįšųūžŠŽČ",  # Lithuanian
        "äöüÄÖÜ",  # German
        "āēīģķļņŭ",  # Latvian (č š ž ū are under Lithuanian) and Łacinka's ŭ (the rest is Polish)
        "ĀĒĪĶĻŅĄĆĘŃÓŹĖĮŲŪÂËÏÛÙŸ",  # rarer capitals, while there is room
    ]
    alphabet: list[str] = []
    for char in "".join(candidates):
        if char not in alphabet and len(_fold_char(char)) == 1 and len(alphabet) < 256:
            alphabet.append(char)
    padding = "\ufffe" * (256 - len(alphabet))  # U+FFFE marks an unused byte
    full = codecs.charmap_build("".join(alphabet) + padding)
    strict_alphabet = ("\ufffe" if char in _NEEDS_CLEANING and char != "\x00" else char for char in alphabet)
    strict = codecs.charmap_build("".join(strict_alphabet) + padding)
    folded = "".join(_fold_char(char) for char in alphabet) + padding
    return full, strict, folded


_FULL_CODE, _STRICT_CODE, _FOLDED = _charmap_tables()
_charmap_encode = codecs.charmap_encode
_charmap_decode = codecs.charmap_decode
# Frequent letters that fold to two letters: spelt out before encoding, so German and French text
# keeps the fast path. They are irregular (OffsetMap maps through them): register them as such.
_SPELT_OUT = (("ß", "ss"), ("œ", "oe"), ("æ", "ae"))
for _letter, _spelt in _SPELT_OUT:
    assert _CHARS[ord(_letter)] == _spelt
ENCODED_JOINER = _charmap_encode(f" {SEPARATOR} ", "strict", _FULL_CODE)[0]
ENCODED_SPACE = _charmap_encode(" ", "strict", _FULL_CODE)[0]


def normalise(clean: str) -> str:
    """Normalised form of ``clean`` (output of :func:`clean_text`), scanned by the automaton."""
    if clean.isascii():
        return clean.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    encoded = _encode(clean, _FULL_CODE)
    if encoded is None:
        return " ".join(map(_TOKENS.__getitem__, clean.split(" ")))
    return decode_normalised(encoded)


def clean_and_encode(raw: str) -> tuple[str, bytes | None]:
    """``clean_text(raw)`` and, when it has only characters of the one-byte code, its encoding.

    The matcher's fast path. A text that encodes through the strict code has no markup, no NUL and
    no whitespace but the plain space, and is printable and NFC: unless it has stray spaces, it is
    clean as it is. Markup and spacing are otherwise mended with plain string operations, and the
    result proves itself clean the same way; if it cannot, ``clean_text`` does the work. The
    encoding is half of the normalisation (:func:`decode_normalised` is the other half).
    """
    if not raw:
        return "", b""
    # The strict code must keep NUL at byte 0 (see _charmap_tables): "0 not in" checks it (memchr).
    encoded = _encode(raw, _STRICT_CODE)
    if encoded is not None and "  " not in raw and raw[0] != " " and raw[-1] != " " and 0 not in encoded:
        return raw, encoded
    if SEPARATOR not in raw:
        text = _strip_tags(raw) if "<" in raw else raw
        if "&" in text:
            # the one entity nearly every feed uses, without html.unescape's call per entity
            text = text.replace("&nbsp;", " ")
            if "&" in text:
                text = html.unescape(text)
        text = _collapse_spaces(text)
        encoded = _encode(text, _STRICT_CODE)
        if encoded is not None:
            return text, encoded
    clean = clean_text(raw)
    return clean, _encode(clean, _FULL_CODE)


def _collapse_spaces(text: str) -> str:
    """``" ".join(text.split())`` for a text whose only whitespace is " \\t\\n\\r\\xa0" (the code's).

    Cheaper than splitting into words when there are only a few runs to mend. Any other whitespace
    is left alone and then fails the strict encoding, which hands the text to clean_text.
    """
    for space in "\xa0\n\t\r":
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def _encode(text: str, code: dict[int, int] | _EncodingMap) -> bytes | None:
    try:
        return _charmap_encode(text, "strict", code)[0]
    except UnicodeEncodeError:
        pass
    expanded = text
    for letter, spelt in _SPELT_OUT:
        if letter in expanded:
            expanded = expanded.replace(letter, spelt)
    if expanded is text:
        return None
    try:
        return _charmap_encode(expanded, "strict", code)[0]
    except UnicodeEncodeError:
        return None


def decode_normalised(encoded: bytes) -> str:
    """The normalised text of a one-byte encoding made by :func:`clean_and_encode`."""
    return str(_charmap_decode(encoded, "strict", _FOLDED)[0])


def _irregular_pattern() -> re.Pattern[str] | None:
    global _irregular_re
    size, pattern = _irregular_re
    if size != len(_IRREGULAR):
        chars = "".join(sorted(_IRREGULAR))
        pattern = re.compile("[" + re.escape(chars) + "]") if chars else None
        _irregular_re = (len(_IRREGULAR), pattern)
    return pattern


class OffsetMap:
    """Maps offsets in ``normalise(clean)`` back to offsets in ``clean``."""

    __slots__ = ("_clean", "_lengths", "_norm")

    def __init__(self, clean: str) -> None:
        self._clean: list[int] = []
        self._norm: list[int] = []
        self._lengths: list[int] = []
        if clean.isascii():
            return
        # Every irregular character of ``clean`` is known by now: normalising it either folded each
        # character through _CHARS, or used the one-byte code, whose characters are all regular
        # but for the spelt-out letters, registered at import.
        pattern = _irregular_pattern()
        if pattern is None:
            return
        shift = 0
        for found in pattern.finditer(clean):
            index = found.start()
            length = len(_CHARS[ord(found.group())])
            self._clean.append(index)
            self._norm.append(index + shift)
            self._lengths.append(length)
            shift += length - 1

    def start(self, norm_offset: int) -> int:
        """Offset in ``clean`` of the character that produced normalised character ``norm_offset``."""
        k = bisect_right(self._norm, norm_offset) - 1
        if k < 0:
            return norm_offset
        clean_index, norm_index, length = self._clean[k], self._norm[k], self._lengths[k]
        if norm_offset < norm_index + length:
            return clean_index
        return clean_index + 1 + norm_offset - norm_index - length

    def end(self, norm_end: int) -> int:
        """Exclusive end in ``clean`` of the normalised span ending (exclusively) at ``norm_end``."""
        return self.start(norm_end - 1) + 1

    def to_norm(self, clean_offset: int) -> int:
        """Offset in ``normalise(clean)`` of the first character produced by ``clean[clean_offset]``."""
        k = bisect_right(self._clean, clean_offset - 1) - 1
        if k < 0:
            return clean_offset
        return self._norm[k] + self._lengths[k] + clean_offset - self._clean[k] - 1


# --- pattern language ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed term: normalised words, the last one a prefix when the term ends in ``*``, the
    first one a *compound part* (it may sit anywhere inside a word) when the term starts with ``*``."""

    words: tuple[str, ...]
    prefix: bool
    infix: bool = False

    @property
    def key(self) -> str:
        """The automaton key: words anchored on word boundaries (open at the end for a prefix, at the
        start for a compound part)."""
        return ("" if self.infix else " ") + " ".join(self.words) + ("" if self.prefix else " ")


MIN_PREFIX = 2
# A compound part can sit inside any word, so a short one ("gas") reads "Vegas" and "Gasse".
MIN_INFIX = 4


def parse_pattern(term: str) -> Pattern:
    """Parse a term: ``word``, ``"quoted phrase"`` or ``phrase words``, optional trailing ``*``
    (prefix), optional leading ``*`` (compound part: ``*drohn*`` reads "Drohnenabwehr" and
    "Kampfdrohnen").

    Raises ValueError with a message saying what to change.
    """
    raw = term.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1].strip()
    elif '"' in raw:
        raise ValueError(f"term {term!r} has an unbalanced or inner double quote; quote the whole phrase")
    infix = raw.startswith("*")
    if infix:
        raw = raw[1:]
    prefix = raw.endswith("*")
    if prefix:
        raw = raw[:-1]
    if "*" in raw:
        raise ValueError(
            f"term {term!r}: '*' is only allowed at the very start (compound part) "
            "or the very end (prefix match)"
        )
    cleaned = clean_text(raw)
    words = tuple(normalise(cleaned).split())
    if not words:
        raise ValueError(f"term {term!r} has no letters or digits once normalised, so it can never match")
    if prefix and not normalise(clean_text(raw[-1:])).strip():
        raise ValueError(f"term {term!r}: '*' must directly follow a letter or digit")
    if infix and not normalise(clean_text(raw[:1])).strip():
        raise ValueError(f"term {term!r}: a leading '*' must directly precede a letter or digit")
    if prefix and len(words[-1]) < MIN_PREFIX:
        raise ValueError(
            f"term {term!r}: a prefix needs at least {MIN_PREFIX} letters before '*', "
            "or it matches nearly every text"
        )
    if infix and len(words[0]) < MIN_INFIX:
        raise ValueError(
            f"term {term!r}: a compound part ('*' first) needs at least {MIN_INFIX} letters, "
            "or it matches inside unrelated words"
        )
    return Pattern(words, prefix, infix)
