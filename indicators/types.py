"""Values that leave the indicators layer: loaded definitions and match results.

All of them are frozen; mappings inside them are read-only views, so a loaded
:class:`IndicatorSet` can be shared between threads and never changes under a matcher.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Polarity(enum.IntEnum):
    """Sign of an indicator's contribution. YAML spelling: ``escalation`` / ``deescalation``."""

    ESCALATION = 1
    DEESCALATION = -1


class NegationMode(enum.Enum):
    """What a negated hit of an indicator does (see the matcher's module docstring)."""

    SUPPRESS = "suppress"
    IGNORE = "ignore"
    COUNTER = "counter"


@dataclass(frozen=True, slots=True)
class NegationPolicy:
    """``suppress``, ``ignore`` or ``{counter: id}`` (then ``counter`` names a de-escalation indicator)."""

    mode: NegationMode
    counter: str | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A named list of terms, as written in the definition file.

    ``name`` is the global name, or ``indicator_id.name`` for a vocabulary local to one indicator.
    """

    name: str
    terms: tuple[str, ...]
    description: str
    file: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """Every vocabulary of ``all`` within ``within`` words, and no vocabulary of ``none`` in the item.

    Names are as written in the indicator: they resolve to the indicator's local vocabularies
    first, then to the global ones (a local name may not shadow a global one).
    """

    all: tuple[str, ...]
    within: int
    none: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    label: str
    polarity: Polarity
    description: str
    source: str
    rule: Rule
    negation: NegationPolicy
    vocabularies: Mapping[str, Vocabulary]  # local ones, by the name used in the rule
    file: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class NegationCues:
    """The ``negation`` section: cues that negate a trigger up to ``window`` words after them, and
    ``exceptions``: phrases that contain a cue but do not negate ("not only", "do not rule out")."""

    window: int
    cues: Vocabulary
    exceptions: Vocabulary | None = None


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """Everything the matcher needs, validated. Build it with :func:`indicators.load_indicators`.

    ``fingerprint`` is a sha256 hex digest over the canonical form of whatever can change a
    :class:`MatchResult` (terms, rules, negation, the normalisation version) and nothing else:
    labels, descriptions, sources, file names and vocabulary names do not enter it.
    """

    indicators: Mapping[str, Indicator]
    vocabularies: Mapping[str, Vocabulary]
    negation: NegationCues
    fingerprint: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One matched span. ``start``/``end`` index ``clean_text(fields[field])``; ``text`` is that slice.

    ``term`` is the pattern as written in the definition (``"Лукашенк*"``). A prefix term's span
    covers the whole word it starts (``Лукашенко``), not just the prefix.
    """

    field: str
    start: int
    end: int
    term: str
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    indicator_id: str
    polarity: Polarity
    evidence: tuple[Evidence, ...]
    via_negation: str | None = None  # escalation indicator whose negated hit became this counter hit


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A rule hit that a negation cue cancelled; ``counted_as`` is the counter-indicator credited, if any."""

    indicator_id: str
    cue: Evidence
    evidence: tuple[Evidence, ...]
    counted_as: str | None


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]  # each indicator at most once, in definition order
    suppressed: tuple[Suppressed, ...]

    @property
    def indicator_ids(self) -> frozenset[str]:
        return frozenset(m.indicator_id for m in self.matches)
