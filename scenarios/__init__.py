"""Scenarios: weighted indicator sets, overrides, item contributions, the daily trend and evaluation
metrics; and, in its own module ``story_grouping``, the grouping of items into stories (one story
counts once in a scenario's day), which needs nothing of the scenarios.

Pure: no network, no database, no clock; the only files read are the shipped scenario definitions
and the definition files a caller names.

    >>> indicators = load_indicators()
    >>> scenario_set = load_scenarios(indicators, overrides={"belarus_war": ScenarioOverride(weights={...})})
    >>> contributions = score_item(Matcher(indicators).match({"title": ...}), scenario_set, reliability=0.8)
"""

from indicators.errors import LabelError
from scenarios._check import check
from scenarios._eval import evaluate, evaluate_by_language, predict, split_part
from scenarios._loader import config_hash, load_scenarios, shipped_scenario_files
from scenarios._score import score_item
from scenarios._trend import (
    DailyTrend,
    ItemFacts,
    StoryScore,
    TrendResult,
    TrendSeed,
    TrendSettings,
    compute_trend,
)
from scenarios.story_grouping import (
    StoryIndex,
    StoryMatch,
    StoryPolicy,
    StorySignature,
    compare_stories,
    signature,
    similarity,
    story_name_key,
)
from scenarios.types import (
    BASE_LEVEL,
    LABEL_POLARITIES,
    NO_SCENARIO,
    Contribution,
    ContributionPart,
    EvalReport,
    LabelledItem,
    Level,
    Misclassification,
    Scenario,
    ScenarioMetrics,
    ScenarioOverride,
    ScenarioSet,
    StoryRule,
    Threshold,
)

__all__ = [
    "BASE_LEVEL",
    "LABEL_POLARITIES",
    "NO_SCENARIO",
    "Contribution",
    "ContributionPart",
    "DailyTrend",
    "EvalReport",
    "ItemFacts",
    "LabelError",
    "LabelledItem",
    "Level",
    "Misclassification",
    "Scenario",
    "ScenarioMetrics",
    "ScenarioOverride",
    "ScenarioSet",
    "StoryIndex",
    "StoryMatch",
    "StoryPolicy",
    "StoryRule",
    "StoryScore",
    "StorySignature",
    "Threshold",
    "TrendResult",
    "TrendSeed",
    "TrendSettings",
    "check",
    "compare_stories",
    "compute_trend",
    "config_hash",
    "evaluate",
    "evaluate_by_language",
    "load_scenarios",
    "predict",
    "score_item",
    "shipped_scenario_files",
    "signature",
    "similarity",
    "split_part",
    "story_name_key",
]
