"""Warnings about indicator definitions that are valid but weak: what ``monitor scenarios --check``
prints besides the coverage table (``indicators._coverage``) and the scenario checks."""

from __future__ import annotations

from indicators._loader import vocabulary_of
from indicators._wording import plural
from indicators.types import IndicatorSet


def indicator_warnings(indicators: IndicatorSet) -> list[str]:
    """Human-readable warnings, in definition order; an empty list means nothing to report.

    * a single-term indicator: its rule has one group, so any one term of it fires the indicator
      with no other word as context; a prefix such as ``Zapad*`` then also fires on every other
      word it starts, in every language the term is listed for.
    """
    warnings: list[str] = []
    for indicator in indicators.indicators.values():
        if len(indicator.rule.all) != 1:
            continue
        (group,) = indicator.rule.all
        terms = sorted(set(vocabulary_of(indicators, indicator, group).terms))
        prefixes = [t for t in terms if t.endswith("*")]
        if len(terms) == 1:
            what = f"its only term {terms[0]!r} fires it"
        else:
            example = f" (e.g. {min(prefixes, key=len)!r})" if prefixes else ""
            what = f"any one of its {plural(len(terms), 'term')}{example} fires it"
        warnings.append(
            f"indicator {indicator.id!r} is single-term: its rule has one group ({group!r}), so {what} "
            "with no other word as context; add a second group to 'all', or check that each term "
            "has no other meaning in any language"
        )
    return warnings
