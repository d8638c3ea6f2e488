"""An item's contribution to each scenario: the sum over fired indicators of weight × polarity ×
the feed's reliability × the match's factor (below 1 when a conditional or a look back scaled the
hit), each indicator counted once per item, with the scenario's stacking rule applied.

Stacking: indicators of one scenario overlap (six airspace indicators can fire on one sentence
about one drone), so their plain sum would measure wording, not events. Per sign, the parts are
ranked by |value|, strongest first; the part of rank k (from 0) counts ``stacking_share ** k`` of
its value. With the shipped share 0.5, parts 3.0, 2.5, 2.0 and 1.5 add 3.0 + 1.25 + 0.5 + 0.1875 =
4.94 instead of 9.0, and no item can add more than twice its strongest indicator. Escalation and
de-escalation parts are ranked apart: a counter-sign does not shrink the sign it opposes."""

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
        raw = [
            (
                indicator_id,
                polarity,
                factor,
                scenario.weights[indicator_id] * int(polarity) * reliability * factor,
            )
            for indicator_id, (polarity, factor) in fired.items()
            if indicator_id in scenario.weights
        ]
        shares = _stacking_shares(raw, scenario.stacking_share)
        parts = tuple(
            ContributionPart(
                indicator_id=indicator_id,
                weight=scenario.weights[indicator_id],
                polarity=polarity,
                reliability=reliability,
                value=value,
                factor=factor,
                stacking=shares[indicator_id],
            )
            for indicator_id, polarity, factor, value in raw
        )
        value = math.fsum(part.counted for part in parts)
        relevant = bool(parts) and abs(value) >= scenario.relevance_threshold - _EPSILON
        unstacked = math.fsum(part.value for part in parts)
        out[scenario_id] = Contribution(scenario_id, value, parts, relevant, unstacked)
    return out


def _stacking_shares(raw: list[tuple[str, Polarity, float, float]], share: float) -> dict[str, float]:
    """indicator id -> the share of its value that counts: ``share ** rank`` within its sign."""
    shares: dict[str, float] = {}
    for sign in (Polarity.ESCALATION, Polarity.DEESCALATION):
        # ties go to the indicator id so that the result does not depend on the order of the matches
        ranked = sorted(
            (-abs(value), indicator_id) for indicator_id, polarity, _, value in raw if polarity == sign
        )
        for rank, (_, indicator_id) in enumerate(ranked):
            shares[indicator_id] = share**rank
    return shares
