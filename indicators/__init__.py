"""Indicators: the pattern language, text normalisation, definitions and the matcher.

Pure: no network, no database, no clock; the only files read are the shipped definitions and the
definition files a caller names.

    >>> matcher = Matcher(load_indicators())
    >>> result = matcher.match({"title": "...", "summary": "..."})
"""

from indicators._check import indicator_warnings
from indicators._coverage import CoverageRow, coverage, coverage_warnings
from indicators._hashing import canonical_sha256
from indicators._languages import LANGUAGE_NAMES as LANGUAGE_NAMES
from indicators._languages import SUPPORTED_LANGUAGES as SUPPORTED_LANGUAGES
from indicators._loader import load_indicators, shipped_definition_files
from indicators._matcher import Matcher
from indicators._text import clean_text, normalise
from indicators._wording import YamlProblem, explain_yaml_problem, plural
from indicators._yaml import LineList, LineMap, describe_value, line_of, read_yaml
from indicators.errors import DefinitionError, MonitorError
from indicators.types import (
    CueKind,
    Evidence,
    Indicator,
    IndicatorSet,
    Match,
    MatchResult,
    ModalityMode,
    ModalityPolicy,
    NearMiss,
    NegationCues,
    NegationMode,
    NegationPolicy,
    Polarity,
    Rule,
    Scope,
    Suppressed,
    Vocabulary,
)

__all__ = [
    "CoverageRow",
    "CueKind",
    "DefinitionError",
    "Evidence",
    "Indicator",
    "IndicatorSet",
    "LineList",
    "LineMap",
    "Match",
    "MatchResult",
    "Matcher",
    "ModalityMode",
    "ModalityPolicy",
    "MonitorError",
    "NearMiss",
    "NegationCues",
    "NegationMode",
    "NegationPolicy",
    "Polarity",
    "Rule",
    "Scope",
    "Suppressed",
    "Vocabulary",
    "YamlProblem",
    "canonical_sha256",
    "clean_text",
    "coverage",
    "coverage_warnings",
    "describe_value",
    "explain_yaml_problem",
    "indicator_warnings",
    "line_of",
    "load_indicators",
    "normalise",
    "plural",
    "read_yaml",
    "shipped_definition_files",
]
