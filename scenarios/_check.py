"""Warnings about a scenario set that is valid but unlikely to say what its author means."""

from __future__ import annotations

from indicators import Polarity
from scenarios.types import ScenarioSet


def check(scenario_set: ScenarioSet) -> list[str]:
    """Human-readable warnings, in a stable order; an empty list means nothing to report.

    * an indicator that every scenario weighs, with the same weight everywhere: it moves all
      scenarios alike, so it cannot tell them apart (no diagnostic value);
    * a scenario with indicators but without any de-escalation (counter-)indicator: its index can
      only rise and decay;
    * an indicator weighed below its scenario's relevance threshold: even from a fully reliable
      feed it never makes an item relevant on its own (unless listed under ``supporting``, which
      says it is meant to add to other evidence only; listing one that is not below is flagged too);
    * an indicator that no scenario weighs: it is matched and stored but never scored.
    """
    warnings: list[str] = []
    scenarios = scenario_set.scenarios
    indicators = scenario_set.indicators.indicators
    if len(scenarios) > 1:
        used_by_all = set.intersection(*(set(s.weights) for s in scenarios.values()))
        for indicator_id in sorted(used_by_all):
            weights = {s.weights[indicator_id] for s in scenarios.values()}
            if len(weights) == 1:
                warnings.append(
                    f"indicator {indicator_id!r} has weight {weights.pop():g} in every scenario "
                    f"({', '.join(scenarios)}): it moves them all alike and cannot tell them apart; "
                    "weigh it differently or drop it where it does not belong"
                )
    for scenario_id, scenario in scenarios.items():
        for indicator_id, weight in sorted(scenario.weights.items()):
            threshold = scenario.relevance_threshold
            if weight < threshold and indicator_id not in scenario.supporting:
                warnings.append(
                    f"indicator {indicator_id!r} weighs {weight:g} in scenario {scenario_id!r}, below its "
                    f"relevance threshold {threshold:g}: no item is relevant on it alone, even from a "
                    f"feed of reliability 1; weigh it at least {threshold:g}, or list it under "
                    f"{scenario_id}.supporting if it is meant only to add to other evidence"
                )
            elif weight >= threshold and indicator_id in scenario.supporting:
                warnings.append(
                    f"indicator {indicator_id!r} is listed under {scenario_id}.supporting but weighs "
                    f"{weight:g}, not below the relevance threshold {threshold:g}: remove it from the list"
                )
        if scenario.weights and not any(
            indicator_id in indicators and indicators[indicator_id].polarity is Polarity.DEESCALATION
            for indicator_id in scenario.weights
        ):
            warnings.append(
                f"scenario {scenario_id!r} has no counter-indicator (de-escalation): "
                "its index can only rise, so good news never shows; add one"
            )
    used = {indicator_id for s in scenarios.values() for indicator_id in s.weights}
    for indicator_id in sorted(set(indicators) - used):
        warnings.append(
            f"indicator {indicator_id!r} is not weighed by any scenario: it is matched but never scored"
        )
    return warnings
