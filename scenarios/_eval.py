"""Evaluate the indicators and weights on a labelled set (``monitor eval FILE.jsonl``).

Each item is matched on its title and summary and scored with reliability 1. Its *predicted*
scenario is the relevant scenario (``|contribution| >= relevance_threshold``) with the largest
``|contribution|``; ties go to the scenario defined first. No relevant scenario predicts ``none``.
So every item has at most one predicted scenario, as it has one label.

Per scenario S: TP = labelled S and predicted S; FP = predicted S but labelled otherwise (another
scenario or none); FN = labelled S but predicted otherwise. Precision TP/(TP+FP), recall
TP/(TP+FN), F1 their harmonic mean; each is 0 when its denominator is 0. ``macro_f1`` is the mean
F1 over the scenarios of the set.

Per language (``monitor eval --by lang``), macro-F1 averages over the scenarios that occur in that
language's items (as a label or a prediction): a language with no energy item is not marked down
for it. A subset where no scenario occurs at all (only ``none`` items, none predicted) has
macro-F1 1.

``none_false_positive_rate``: share of items labelled ``none`` that are predicted as any scenario
(0 when there are no such items).

``polarity_accuracy``: over the items predicted correctly whose label polarity is ``escalation``
or ``deescalation``, the share whose contribution has that sign (escalation ⇔ > 0, deescalation
⇔ < 0). Items labelled ``neutral`` (background on topic, neither way) are left out of this figure:
any sign is acceptable for them, so counting them would only add noise. 0 when no item counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from indicators import Matcher
from indicators.errors import LabelError
from scenarios._score import score_item
from scenarios.types import (
    LABEL_POLARITIES,
    NO_SCENARIO,
    Contribution,
    EvalReport,
    LabelledItem,
    Misclassification,
    ScenarioMetrics,
    ScenarioSet,
)


def split_part(item_id: str) -> str:
    """``"blind"`` or ``"tune"``: the fixed split of a labelled set by a hash of each item's id.

    About one item in three is blind (sha256 of the id, as a number, divisible by 3). Definitions
    are tuned on the tuning part only; the blind part measures how they do on news they were not
    written against. The rule depends on the id alone, so the split of a set never changes as the
    set grows and needs no copy of the data.
    """
    return "blind" if int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "tune"


def evaluate_by_language(
    items: Iterable[LabelledItem], matcher: Matcher, scenario_set: ScenarioSet
) -> dict[str, EvalReport]:
    """One report per language of the items (sorted by code), macro-F1 over the scenarios present."""
    by_language: dict[str, list[LabelledItem]] = {}
    for item in items:
        by_language.setdefault(item.lang, []).append(item)
    return {
        lang: evaluate(subset, matcher, scenario_set, present_only=True)
        for lang, subset in sorted(by_language.items())
    }


def predict(contributions: dict[str, Contribution]) -> str | None:
    """The relevant scenario with the largest |contribution| (first defined on a tie), or None."""
    best: Contribution | None = None
    for contribution in contributions.values():
        if contribution.relevant and (best is None or abs(contribution.value) > abs(best.value)):
            best = contribution
    return best.scenario_id if best is not None else None


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _metrics(tp: int, fp: int, fn: int) -> ScenarioMetrics:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ScenarioMetrics(precision, recall, f1, tp, fp, fn)


def _check_label(item: LabelledItem, scenario_set: ScenarioSet) -> None:
    if item.scenario != NO_SCENARIO and item.scenario not in scenario_set.scenarios:
        known = ", ".join([*scenario_set.scenarios, NO_SCENARIO])
        raise LabelError(
            f"item {item.id!r} is labelled with scenario {item.scenario!r}, which is not defined; "
            f"use one of: {known}"
        )
    if item.polarity not in LABEL_POLARITIES:
        raise LabelError(
            f"item {item.id!r} has polarity {item.polarity!r}; use one of: {', '.join(LABEL_POLARITIES)}"
        )


def evaluate(
    items: Iterable[LabelledItem], matcher: Matcher, scenario_set: ScenarioSet, *, present_only: bool = False
) -> EvalReport:
    """Precision, recall, F1 per scenario, macro-F1, none false-positive rate and polarity accuracy,
    with every misclassified item and its evidence (see the module docstring for the definitions).

    ``present_only``: macro-F1 over the scenarios that occur in the items (as a label or a
    prediction) instead of all scenarios; for subsets such as one language, where a scenario no item
    is about would otherwise count as F1 0. Raises LabelError when an item's label names an unknown
    scenario or polarity.
    """
    counts = {scenario_id: [0, 0, 0] for scenario_id in scenario_set.scenarios}  # tp, fp, fn
    errors: list[Misclassification] = []
    total = none_items = none_hits = polarity_items = polarity_right = 0
    for item in items:
        _check_label(item, scenario_set)
        total += 1
        result = matcher.match({"title": item.title, "summary": item.summary})
        contributions = score_item(result, scenario_set)
        predicted = predict(contributions)
        label = None if item.scenario == NO_SCENARIO else item.scenario
        kind: str | None = None
        if label is None:
            none_items += 1
            if predicted is not None:
                none_hits += 1
                kind = "false_positive"
        elif predicted != label:
            kind = "miss"
        if predicted is not None and predicted != label:
            counts[predicted][1] += 1
        if label is not None:
            if predicted == label:
                counts[label][0] += 1
                if item.polarity != "neutral":
                    polarity_items += 1
                    value = contributions[label].value
                    if (value > 0) == (item.polarity == "escalation"):
                        polarity_right += 1
                    else:
                        kind = "polarity"
            else:
                counts[label][2] += 1
        if kind is not None:
            errors.append(Misclassification(item, kind, predicted, contributions, result))
    metrics = {scenario_id: _metrics(*values) for scenario_id, values in counts.items()}
    averaged = [m for m in metrics.values() if not present_only or m.tp + m.fp + m.fn]
    macro = sum(m.f1 for m in averaged) / len(averaged) if averaged else (1.0 if present_only else 0.0)
    return EvalReport(
        scenarios=metrics,
        macro_f1=macro,
        none_false_positive_rate=_ratio(none_hits, none_items),
        polarity_accuracy=_ratio(polarity_right, polarity_items),
        errors=tuple(errors),
        items=total,
        none_items=none_items,
        polarity_items=polarity_items,
    )
