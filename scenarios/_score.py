"""An item's contribution to each scenario: the sum over fired indicators of weight × polarity ×
the feed's reliability × the match's factor (below 1 when a conditional or a look back scaled the
hit), each indicator counted once per item."""

from __future__ import annotations

import math

from indicators import MatchResult, Polarity
from scenarios.types import Contribution, ContributionPart, ScenarioSet

# Sums of float weights (0.1 + 0.2) may land a hair under a threshold they equal on paper; an item
# exactly at the relevance threshold is relevant, so compare with this tolerance.
_EPSILON = 1e-9


def check_reliability(reliability: float) -> float:
    """``reliability`` as a float; ValueError unless it is a finite number >= 0."""
    if (
        isinstance(reliability, bool)
        or not isinstance(reliability, int | float)
        or not math.isfinite(reliability)
    ):
        raise ValueError(f"feed reliability must be a finite number >= 0, not {reliability!r}")
    if reliability < 0:
        raise ValueError(f"feed reliability must be >= 0, not {reliability!r}")
    return float(reliability)


def score_item(
    result: MatchResult, scenarios: ScenarioSet, reliability: float = 1.0
) -> dict[str, Contribution]:
    """Contribution of one matched item to every scenario of ``scenarios`` (in definition order).

    ``relevant`` is ``|value| >= relevance_threshold``. Matches of indicators a scenario does not
    weigh are ignored for it; a scenario no indicator fired for gets value 0, no parts, not relevant.
    Raises ValueError when ``reliability`` is negative or not a finite number.
    """
    reliability = check_reliability(reliability)
    fired: dict[str, tuple[Polarity, float]] = {}
    for match in result.matches:
        # once per item, whatever the caller passed
        fired.setdefault(match.indicator_id, (match.polarity, match.factor))
    out: dict[str, Contribution] = {}
    for scenario_id, scenario in scenarios.scenarios.items():
        parts = tuple(
            ContributionPart(
                indicator_id=indicator_id,
                weight=scenario.weights[indicator_id],
                polarity=polarity,
                reliability=reliability,
                value=scenario.weights[indicator_id] * int(polarity) * reliability * factor,
                factor=factor,
            )
            for indicator_id, (polarity, factor) in fired.items()
            if indicator_id in scenario.weights
        )
        value = math.fsum(part.value for part in parts)
        relevant = bool(parts) and abs(value) >= scenario.relevance_threshold - _EPSILON
        out[scenario_id] = Contribution(scenario_id, value, parts, relevant)
    return out
