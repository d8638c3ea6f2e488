"""Which languages each vocabulary in use covers: the vocabulary × language table of
``monitor scenarios --check``, and the empty cells it warns about."""

from __future__ import annotations

from dataclasses import dataclass

from indicators._languages import SUPPORTED_LANGUAGES
from indicators._loader import vocabulary_of
from indicators.types import IndicatorSet, Vocabulary


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One vocabulary: its terms per supported language (0 = none), the languages left empty on
    purpose with the reason, and the indicators whose rules use it."""

    vocabulary: str
    counts: tuple[int, ...]  # in SUPPORTED_LANGUAGES order
    exempt: tuple[tuple[str, str], ...]
    used_by: tuple[str, ...]
    by_language: bool  # False: a plain list of terms, languages unknown

    def empty(self) -> tuple[str, ...]:
        """Supported languages with no term and no written reason."""
        reasons = dict(self.exempt)
        return tuple(
            lang
            for lang, count in zip(SUPPORTED_LANGUAGES, self.counts, strict=True)
            if count == 0 and lang not in reasons
        )


def _row(vocabulary: Vocabulary, used_by: list[str]) -> CoverageRow:
    counts = tuple(len(vocabulary.languages.get(lang, ())) for lang in SUPPORTED_LANGUAGES)
    return CoverageRow(
        vocabulary.name,
        counts,
        tuple(sorted(vocabulary.no_terms.items())),
        tuple(sorted(used_by)),
        bool(vocabulary.languages),
    )


def coverage(indicators: IndicatorSet) -> tuple[CoverageRow, ...]:
    """Every vocabulary an indicator's rule uses (in ``all`` or ``none``), then the cue lists."""
    users: dict[str, list[str]] = {}
    vocabularies: dict[str, Vocabulary] = {}
    for indicator in indicators.indicators.values():
        for name in (*indicator.rule.all, *indicator.rule.none):
            vocabulary = vocabulary_of(indicators, indicator, name)
            vocabularies[vocabulary.name] = vocabulary
            users.setdefault(vocabulary.name, []).append(indicator.id)
    rows = [_row(vocabularies[name], users[name]) for name in sorted(vocabularies)]
    negation = indicators.negation
    for cue_vocabulary in (
        negation.cues,
        negation.exceptions,
        negation.denial,
        negation.conditional,
        negation.retrospective,
    ):
        if cue_vocabulary is not None and cue_vocabulary.terms:
            rows.append(_row(cue_vocabulary, []))
    return tuple(rows)


def coverage_warnings(rows: tuple[CoverageRow, ...]) -> list[str]:
    """One warning per vocabulary with empty cells (or with no languages at all)."""
    warnings: list[str] = []
    for row in rows:
        if not row.by_language:
            warnings.append(
                f"vocabulary {row.vocabulary!r} lists its terms without languages; write them by language "
                "(terms: {en: [...], de: [...]}) so its coverage can be checked"
            )
            continue
        empty = row.empty()
        if empty:
            warnings.append(
                f"vocabulary {row.vocabulary!r} has no terms in {', '.join(empty)}; add them, or say why "
                "under no_terms: {<lang>: <reason>}"
            )
    return warnings
