"""Indicators: the pattern language, text normalisation, definitions and the matcher.

Pure: no network, no database, no clock; the only files read are the shipped definitions and the
definition files a caller names.

    >>> matcher = Matcher(load_indicators())
    >>> result = matcher.match({"title": "...", "summary": "..."})
"""

from indicators._hashing import canonical_sha256
from indicators._loader import load_indicators, shipped_definition_files
from indicators._matcher import Matcher
from indicators._text import clean_text, normalise
from indicators._yaml import LineList, LineMap, describe_value, line_of, read_yaml
from indicators.errors import DefinitionError, MonitorError
from indicators.types import (
    Evidence,
    Indicator,
    IndicatorSet,
    Match,
    MatchResult,
    NegationCues,
    NegationMode,
    NegationPolicy,
    Polarity,
    Rule,
    Suppressed,
    Vocabulary,
)

__all__ = [
    "DefinitionError",
    "Evidence",
    "Indicator",
    "IndicatorSet",
    "LineList",
    "LineMap",
    "Match",
    "MatchResult",
    "Matcher",
    "MonitorError",
    "NegationCues",
    "NegationMode",
    "NegationPolicy",
    "Polarity",
    "Rule",
    "Suppressed",
    "Vocabulary",
    "canonical_sha256",
    "clean_text",
    "describe_value",
    "line_of",
    "load_indicators",
    "normalise",
    "read_yaml",
    "shipped_definition_files",
]
