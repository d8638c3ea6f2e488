"""Values that leave the scenarios layer: loaded scenarios, item contributions, evaluation results.

All are frozen; mappings inside them are read-only views, so a loaded :class:`ScenarioSet` can be
shared between threads and never changes under a running pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, NewType

from indicators import DefinitionError, IndicatorSet, MatchResult, Polarity

Level = NewType("Level", str)
"""A scenario level's name: ``BASE_LEVEL`` or the ``level`` of one of the scenario's thresholds.

The names are the user's (a config may define any set of thresholds), so a level is a named ``str``
rather than a closed enum: it stays a plain string at run time (stored, in JSON, in templates and
CSS class names as it is), while the type checker keeps it apart from other strings. A level's rank
comes from its scenario's thresholds, never from the name.
"""

BASE_LEVEL: Final = Level("calm")  # the level below the first threshold; not a name a threshold may take


class StoryRule(StrEnum):
    """The rule that made two items one story (``scenarios.StoryMatch.rule``)."""

    TITLE = "title"
    LEAD = "lead"
    ANCHORS = "anchors"
    PLACES = "places"


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping if isinstance(mapping, MappingProxyType) else MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Threshold:
    """A level entered when the index reaches ``up`` and left when it falls below ``down``.

    ``down < up`` gives hysteresis, so an index hovering at the boundary does not flap.
    """

    level: Level
    up: float
    down: float

    def __post_init__(self) -> None:
        if not isinstance(self.level, str) or not self.level.strip():
            raise DefinitionError(f"a threshold level must be a non-empty name, not {self.level!r}")
        for name in ("up", "down"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise DefinitionError(
                    f"threshold {self.level!r}: {name} must be a finite number, not {value!r}"
                )
        if not self.down < self.up:
            raise DefinitionError(
                f"threshold {self.level!r}: down ({self.down}) must be below up ({self.up}), "
                "or the level would be left as soon as it is entered"
            )


@dataclass(frozen=True)
class ScenarioOverride:
    """What a user's config changes in one scenario; ``None`` keeps the shipped value.

    ``weights`` replaces the weights of the indicators it names (0 removes an indicator from the
    scenario; an indicator of the indicator set that the scenario does not use yet is added).
    ``thresholds`` replaces the whole list. Values are validated by :func:`load_scenarios`.
    """

    weights: Mapping[str, float] = field(default_factory=dict)
    thresholds: tuple[Threshold, ...] | None = None
    half_life_days: float | None = None
    relevance_threshold: float | None = None
    stacking_share: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", _frozen(self.weights))
        if self.thresholds is not None:
            object.__setattr__(self, "thresholds", tuple(self.thresholds))


@dataclass(frozen=True)
class Scenario:
    """One crisis scenario: weighted indicators, level thresholds, decay half-life.

    ``weights`` maps indicator id to a weight > 0; the sign of a contribution comes from the
    indicator's polarity. ``supporting`` names the indicators weighed below ``relevance_threshold``
    on purpose: they add to an item that other indicators make relevant, never on their own
    (``check`` warns about the others). ``stacking_share`` (in [0, 1]) is what each further
    indicator of the same sign adds in one item: the strongest counts in full, the next times the
    share, the next times its square, and so on (1 is a plain sum, 0 keeps only the strongest), so
    overlapping indicators that read the same sentence do not add up without limit. ``file`` and
    ``line`` say where it was defined (after overrides, the shipped or user file that defined it).
    """

    id: str
    title: str
    description: str
    weights: Mapping[str, float]
    thresholds: tuple[Threshold, ...]
    half_life_days: float
    relevance_threshold: float
    file: str
    line: int | None = None
    stacking_share: float = 1.0
    supporting: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", _frozen(self.weights))
        object.__setattr__(self, "thresholds", tuple(self.thresholds))
        object.__setattr__(self, "supporting", tuple(self.supporting))


@dataclass(frozen=True)
class ScenarioSet:
    """Validated scenarios with the indicators they weigh. Build it with :func:`load_scenarios`.

    ``config_hash`` changes whenever anything that changes a score changes: effective weights,
    thresholds, half-lives, relevance thresholds, or the matching itself (``patterns_hash``, the
    indicator set's fingerprint). Titles, descriptions and file names do not enter it.
    """

    scenarios: Mapping[str, Scenario]
    indicators: IndicatorSet
    config_hash: str
    patterns_hash: str
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenarios", _frozen(self.scenarios))


@dataclass(frozen=True, slots=True)
class ContributionPart:
    """One fired indicator's share of an item's contribution: ``value`` is ``weight × polarity ×
    reliability × factor``, the factor below 1 when a conditional or a look back scaled the hit;
    ``stacking`` is what the scenario's stacking rule kept of it (1 for the strongest indicator of
    its sign, ``stacking_share ** rank`` for the others) and ``counted`` what it adds to the sum."""

    indicator_id: str
    weight: float
    polarity: Polarity
    reliability: float
    value: float
    factor: float = 1.0
    stacking: float = 1.0

    @property
    def counted(self) -> float:
        return self.value * self.stacking


@dataclass(frozen=True, slots=True)
class Contribution:
    """An item's contribution to one scenario and whether it counts as relevant to it.

    ``value`` is the sum of the parts' ``counted`` shares; ``unstacked`` the plain sum of their
    values, before the stacking rule (equal when one indicator of each sign fired)."""

    scenario_id: str
    value: float
    parts: tuple[ContributionPart, ...]
    relevant: bool
    unstacked: float | None = None

    @property
    def plain_sum(self) -> float:
        return self.value if self.unstacked is None else self.unstacked


# --- evaluation ---------------------------------------------------------------------------------------

LABEL_POLARITIES = ("escalation", "deescalation", "neutral")
NO_SCENARIO = "none"


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """One item of a labelled set: its text, the scenario it is mainly about (or ``"none"``) and
    the label's polarity (``escalation``, ``deescalation`` or ``neutral``)."""

    id: str
    lang: str
    title: str
    summary: str
    scenario: str
    polarity: str


@dataclass(frozen=True, slots=True)
class ScenarioMetrics:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True)
class Misclassification:
    """An item the indicators got wrong, with everything needed to see why.

    ``kind`` is ``"miss"`` (labelled with a scenario, predicted none or another one: then it also
    counts as a false positive of the predicted scenario), ``"false_positive"`` (labelled none,
    predicted a scenario) or ``"polarity"`` (right scenario, wrong sign).
    """

    item: LabelledItem
    kind: str
    predicted: str | None
    contributions: Mapping[str, Contribution]
    result: MatchResult

    def __post_init__(self) -> None:
        object.__setattr__(self, "contributions", _frozen(self.contributions))

    def describe(self) -> str:
        """A few lines for a terminal: the label, the prediction, the text and the evidence."""
        item = self.item
        lines = [
            f"{item.id} [{item.lang}] {self.kind}: labelled {item.scenario}/{item.polarity}, "
            f"predicted {self.predicted or NO_SCENARIO}",
        ]
        if item.title:
            lines.append(f"  title:   {item.title}")
        if item.summary:
            lines.append(f"  summary: {item.summary}")
        for contribution in self.contributions.values():
            if contribution.parts:
                mark = "relevant" if contribution.relevant else "below threshold"
                lines.append(f"  {contribution.scenario_id}: {contribution.value:+.2f} ({mark})")
        evidence = {match.indicator_id: match for match in self.result.matches}
        for match_id, match in evidence.items():
            spans = ", ".join(repr(e.text) for e in match.evidence)
            via = f" (negated {match.via_negation})" if match.via_negation else ""
            lines.append(f"    {match_id}{via}: {spans}")
        for suppressed in self.result.suppressed:
            spans = ", ".join(repr(e.text) for e in suppressed.evidence)
            lines.append(f"    {suppressed.indicator_id} suppressed by {suppressed.cue.text!r}: {spans}")
        if not self.result.matches and not self.result.suppressed:
            lines.append("    no indicator fired")
        return "\n".join(lines)


@dataclass(frozen=True)
class EvalReport:
    """Precision and recall of the indicators on a labelled set (see :func:`scenarios.evaluate`)."""

    scenarios: Mapping[str, ScenarioMetrics]
    macro_f1: float
    none_false_positive_rate: float
    polarity_accuracy: float
    errors: tuple[Misclassification, ...] = ()
    items: int = 0
    none_items: int = 0
    polarity_items: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenarios", _frozen(self.scenarios))

    def to_json(self) -> dict[str, Any]:
        """The figures as plain JSON values (the errors are left out: see ``errors``)."""
        return {
            "scenarios": {
                scenario_id: {
                    "precision": metrics.precision,
                    "recall": metrics.recall,
                    "f1": metrics.f1,
                    "tp": metrics.tp,
                    "fp": metrics.fp,
                    "fn": metrics.fn,
                }
                for scenario_id, metrics in self.scenarios.items()
            },
            "macro_f1": self.macro_f1,
            "none_false_positive_rate": self.none_false_positive_rate,
            "polarity_accuracy": self.polarity_accuracy,
        }
