"""Values that leave the indicators layer: loaded definitions and match results.

All of them are frozen; mappings inside them are read-only views, so a loaded
:class:`IndicatorSet` can be shared between threads and never changes under a matcher.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


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


class ModalityMode(enum.Enum):
    """What a hit read as a conditional or as a look back does: nothing, no match, or a factor."""

    IGNORE = "ignore"
    SUPPRESS = "suppress"
    FACTOR = "factor"


@dataclass(frozen=True, slots=True)
class ModalityPolicy:
    """``ignore``, ``suppress`` or a number in (0, 1): the factor on the indicator's weight."""

    mode: ModalityMode
    factor: float = 1.0


class CueKind(enum.Enum):
    """The kinds of cue that change how a hit is read (see the matcher's module docstring)."""

    NEGATION = "negation"
    DENIAL = "denial"
    CONDITIONAL = "conditional"
    RETROSPECTIVE = "retrospective"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A named list of terms, as written in the definition file.

    ``name`` is the global name, or ``indicator_id.name`` for a vocabulary local to one indicator.
    ``terms`` is every term the matcher scans (for Belarusian, the derived classical and Łacinka
    spellings too); ``languages`` the terms by language as written (a term shared by several
    languages is under each), ``derived`` the Belarusian spellings the loader added, and
    ``no_terms`` the languages deliberately left empty, each with the author's reason.
    A vocabulary written as a plain list has no languages.
    """

    name: str
    terms: tuple[str, ...]
    description: str
    file: str
    line: int | None = None
    languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    derived: tuple[str, ...] = ()
    no_terms: Mapping[str, str] = field(default_factory=dict)


class Scope(enum.Enum):
    """How far apart the groups of a rule may be: ``within: N`` words, one sentence, or the item."""

    WORDS = "words"
    SENTENCE = "sentence"
    ITEM = "item"


@dataclass(frozen=True, slots=True)
class Rule:
    """Every vocabulary of ``all`` within the rule's scope, and no vocabulary of ``none`` in the item.

    ``scope`` WORDS: within ``within`` words; SENTENCE: in one sentence (a title is a sentence of
    its own); ITEM: anywhere in title and summary. Names are as written in the indicator: they
    resolve to the indicator's local vocabularies first, then to the global ones (a local name may
    not shadow a global one).
    """

    all: tuple[str, ...]
    within: int
    none: tuple[str, ...] = ()
    scope: Scope = Scope.WORDS


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
    denial: NegationPolicy | None = None  # None: a denial is read as the negation policy says
    conditional: ModalityPolicy = ModalityPolicy(ModalityMode.IGNORE)
    retrospective: ModalityPolicy = ModalityPolicy(ModalityMode.IGNORE)

    @property
    def denial_policy(self) -> NegationPolicy:
        return self.denial if self.denial is not None else self.negation


@dataclass(frozen=True, slots=True)
class NegationCues:
    """The ``negation`` section: cues that negate a trigger up to ``window`` words after them,
    ``exceptions``: phrases that contain a cue but do not negate ("not only", "do not rule out"),
    and the modality cues: ``denial`` ("denies", "опроверг"), ``conditional`` ("if", "would",
    "пригрозил") and ``retrospective`` ("a year ago", "recalled")."""

    window: int
    cues: Vocabulary
    exceptions: Vocabulary | None = None
    denial: Vocabulary | None = None
    conditional: Vocabulary | None = None
    retrospective: Vocabulary | None = None


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
    """One fired indicator. ``cue`` and ``modality`` say which cue changed the reading (a negation
    or denial credited to this counter-indicator, or a conditional or look back that scaled the
    weight by ``factor``)."""

    indicator_id: str
    polarity: Polarity
    evidence: tuple[Evidence, ...]
    via_negation: str | None = None  # escalation indicator whose negated hit became this counter hit
    modality: CueKind | None = None
    cue: Evidence | None = None
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A rule hit that a negation cue cancelled; ``counted_as`` is the counter-indicator credited, if any."""

    indicator_id: str
    cue: Evidence
    evidence: tuple[Evidence, ...]
    counted_as: str | None
    kind: CueKind = CueKind.NEGATION


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]  # each indicator at most once, in definition order
    suppressed: tuple[Suppressed, ...]

    @property
    def indicator_ids(self) -> frozenset[str]:
        return frozenset(m.indicator_id for m in self.matches)


@dataclass(frozen=True, slots=True)
class NearMiss:
    """How close an indicator came to firing on an item, for authors tuning a definition.

    ``matched``: each group of the rule that has a hit, with its first hit; ``missing``: groups with
    none; ``span``: words from the first to the last word of the tightest window over the matched
    groups (None with one group); ``vetoed_by``: ``none`` vocabularies present in the item;
    ``scope``: the rule's scope as written (``"20 words"``, ``"sentence"``, ``"item"``);
    ``cue``: when every group fits, the cue that cancelled the hit.
    """

    indicator_id: str
    matched: tuple[tuple[str, Evidence], ...]
    missing: tuple[str, ...]
    span: int | None
    scope: str
    vetoed_by: tuple[str, ...] = ()
    cue: Evidence | None = None
