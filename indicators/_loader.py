"""Load and validate indicator definition files into an :class:`IndicatorSet`.

Shipped files (``indicators/definitions/*.yaml``, sorted by name) are read first, then the caller's
files in the order given. Together they form one namespace: a vocabulary name or indicator id may be
defined once only, so a user file can add vocabularies and indicators but not redefine shipped ones
(weights are changed through scenario overrides instead). Every problem raises :class:`DefinitionError`
naming the file, the YAML line and the id at fault.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from indicators._hashing import canonical_sha256
from indicators._text import NORMALISATION_VERSION, Pattern, parse_pattern
from indicators._yaml import LineList as _Seq
from indicators._yaml import LineMap as _Map
from indicators._yaml import describe_value as _kind
from indicators._yaml import line_of as _line_of
from indicators._yaml import read_yaml as _read_yaml
from indicators.errors import DefinitionError
from indicators.types import (
    Indicator,
    IndicatorSet,
    NegationCues,
    NegationMode,
    NegationPolicy,
    Polarity,
    Rule,
    Vocabulary,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
TOP_LEVEL_KEYS = ("vocabularies", "negation", "indicators", "scenarios")
VOCABULARY_KEYS = ("terms", "description")
NEGATION_KEYS = ("window", "cues", "exceptions")
INDICATOR_KEYS = (
    "id",
    "label",
    "polarity",
    "description",
    "source",
    "terms",
    "all",
    "within",
    "none",
    "negation",
)
DEFAULT_WITHIN = 20
DEFAULT_NEGATION_WINDOW = 5
NEGATION_CUES_NAME = "negation.cues"
NEGATION_EXCEPTIONS_NAME = "negation.exceptions"
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


# --- YAML with line numbers -------------------------------------------------------------------------


@dataclass
class _Where:
    """Where a value came from, to build error messages."""

    file: str
    id: str | None = None

    def error(self, message: str, line: int | None = None) -> DefinitionError:
        prefix = f"line {line}: " if line is not None else ""
        return DefinitionError(prefix + message, file=self.file, id=self.id)


def _own_line(value: Any) -> int | None:
    return value.line if isinstance(value, _Map | _Seq) else None


def _check_keys(mapping: _Map, allowed: Sequence[str], what: str, where: _Where) -> None:
    for key in mapping:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise where.error(
                f"unknown key {key!r} in {what}{also}; allowed keys: {', '.join(allowed)}",
                _line_of(mapping, key),
            )


def _expect_map(value: Any, what: str, where: _Where, line: int | None) -> _Map:
    if not isinstance(value, _Map):
        raise where.error(f"{what} must be a mapping (key: value), not {_kind(value)}", line)
    return value


def _expect_str(value: Any, what: str, where: _Where, line: int | None, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise where.error(f"{what} must be a non-empty string, not {_kind(value)}", line)
    return value


def _expect_int(value: Any, what: str, where: _Where, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(f"{what} must be a whole number of words >= 1, not {value!r}", line)
    return value


def _expect_name(value: Any, what: str, where: _Where, line: int | None) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise where.error(
            f"{what} {value!r} is not a valid name: use letters, digits, '_' and '-' (no spaces or dots)",
            line,
        )
    return value


def _parse_terms(
    value: Any, what: str, where: _Where, line: int | None
) -> tuple[tuple[str, ...], tuple[Pattern, ...]]:
    """A non-empty list of valid terms (strings, or whole numbers read as digits).

    Terms that normalise alike ("presence", "présence") are allowed: vocabularies list spellings per
    language, and the matcher scans each normalised form once.
    """
    if not isinstance(value, _Seq) or not value:
        raise where.error(f"{what} must be a non-empty list of terms, not {_kind(value)}", line)
    terms: list[str] = []
    patterns: list[Pattern] = []
    for index, item in enumerate(value):
        item_line = _line_of(value, index)
        if isinstance(item, bool) or item is None:
            raise where.error(
                f"{what}: YAML read a term as {_kind(item)} (yes/no/on/off/null are special in YAML); "
                "put the term in quotes",
                item_line,
            )
        if isinstance(item, int):
            item = str(item)
        if not isinstance(item, str):
            raise where.error(
                f"{what}: a term must be a string, not {_kind(item)}; put it in quotes", item_line
            )
        try:
            pattern = parse_pattern(item)
        except ValueError as exc:
            raise where.error(f"{what}: {exc}", item_line) from None
        terms.append(item)
        patterns.append(pattern)
    return tuple(terms), tuple(patterns)


# --- one file ------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """Everything read from the files so far, before cross-references are resolved."""

    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    # names the indicator's rule uses, for the error message when one is unknown
    rule_lines: dict[str, dict[str, int | None]] = field(default_factory=dict)
    counter_lines: dict[str, int | None] = field(default_factory=dict)
    cue_terms: list[str] = field(default_factory=list)
    cue_keys: set[str] = field(default_factory=set)
    cue_files: list[str] = field(default_factory=list)
    exception_terms: list[str] = field(default_factory=list)
    exception_keys: set[str] = field(default_factory=set)
    window: tuple[int, str, int | None] | None = None  # value, file, line
    files: list[str] = field(default_factory=list)


def _parse_vocabularies(section: Any, file: str, parsed: _Parsed, line: int | None) -> None:
    where = _Where(file)
    section = _expect_map(section, "'vocabularies'", where, line)
    for name, body in section.items():
        where = _Where(file, str(name))
        name_line = _line_of(section, name)
        _expect_name(name, "vocabulary name", where, name_line)
        if name in parsed.vocabularies:
            other = parsed.vocabularies[name]
            raise where.error(
                f"vocabulary {name!r} is already defined in {other.file} (line {other.line}); "
                "a vocabulary can be defined once only: rename this one or add its terms to a new vocabulary",
                name_line,
            )
        description = ""
        terms_value: Any = body
        terms_line = name_line
        if isinstance(body, _Map):
            _check_keys(body, VOCABULARY_KEYS, f"vocabulary {name!r}", where)
            if "terms" not in body:
                raise where.error(f"vocabulary {name!r} has no 'terms' list", name_line)
            terms_value = body["terms"]
            terms_line = _line_of(body, "terms")
            description = _expect_str(
                body.get("description"), "description", where, name_line, required=False
            )
        terms, _ = _parse_terms(terms_value, f"vocabulary {name!r}", where, terms_line)
        parsed.vocabularies[name] = Vocabulary(name, terms, description, file, name_line)


def _parse_negation(section: Any, file: str, parsed: _Parsed, line: int | None) -> None:
    where = _Where(file, "negation")
    section = _expect_map(section, "'negation'", where, line)
    _check_keys(section, NEGATION_KEYS, "'negation'", where)
    if "window" in section:
        window = _expect_int(section["window"], "negation window", where, _line_of(section, "window"))
        if parsed.window is not None and parsed.window[0] != window:
            value, other_file, other_line = parsed.window
            raise where.error(
                f"negation window {window} differs from the window {value} set in {other_file} "
                f"(line {other_line}); set it in one file only",
                _line_of(section, "window"),
            )
        parsed.window = (window, file, _line_of(section, "window"))
    if "cues" in section:
        terms, patterns = _parse_terms(section["cues"], "negation cues", where, _line_of(section, "cues"))
        for term, pattern in zip(terms, patterns, strict=True):
            if pattern.key not in parsed.cue_keys:  # several files may list the same cue
                parsed.cue_keys.add(pattern.key)
                parsed.cue_terms.append(term)
        parsed.cue_files.append(file)
    if "exceptions" in section:
        line = _line_of(section, "exceptions")
        terms, patterns = _parse_terms(section["exceptions"], "negation exceptions", where, line)
        for term, pattern in zip(terms, patterns, strict=True):
            if pattern.key not in parsed.exception_keys:
                parsed.exception_keys.add(pattern.key)
                parsed.exception_terms.append(term)


def _parse_negation_policy(value: Any, polarity: Polarity, where: _Where, line: int | None) -> NegationPolicy:
    if value is None:
        return NegationPolicy(
            NegationMode.SUPPRESS if polarity is Polarity.ESCALATION else NegationMode.IGNORE
        )
    if value in ("suppress", "ignore"):
        return NegationPolicy(NegationMode(value))
    if isinstance(value, _Map) and list(value) == ["counter"]:
        counter = _expect_name(value["counter"], "negation counter", where, line)
        if polarity is not Polarity.ESCALATION:
            raise where.error(
                "negation {counter: ...} is for escalation indicators: it credits a negated escalation "
                "to a de-escalation indicator; use 'suppress' or 'ignore' here",
                line,
            )
        return NegationPolicy(NegationMode.COUNTER, counter)
    raise where.error(
        f"negation must be 'suppress', 'ignore' or {{counter: <deescalation indicator id>}}, not {value!r}",
        line,
    )


def _parse_name_list(
    value: Any, what: str, where: _Where, line: int | None, *, required: bool
) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (required and not value):
        raise where.error(f"{what} must be a non-empty list of vocabulary names, not {_kind(value)}", line)
    names: list[str] = []
    for index, item in enumerate(value):
        name = _expect_name(item, f"{what}: vocabulary name", where, _line_of(value, index) or line)
        if name in names:
            raise where.error(f"{what} lists vocabulary {name!r} twice", _line_of(value, index) or line)
        names.append(name)
    return tuple(names)


def _parse_indicator(body: Any, file: str, parsed: _Parsed, line: int | None) -> None:
    where = _Where(file)
    body = _expect_map(body, "an indicator", where, line)
    line = body.line
    if "id" not in body:
        raise where.error("an indicator has no 'id'", line)
    ident = _expect_name(body["id"], "indicator id", where, _line_of(body, "id"))
    where = _Where(file, ident)
    _check_keys(body, INDICATOR_KEYS, f"indicator {ident!r}", where)
    if ident in parsed.indicators:
        other = parsed.indicators[ident]
        raise where.error(
            f"indicator {ident!r} is already defined in {other.file} (line {other.line}); "
            "ids must be unique. "
            "A user file cannot redefine a shipped indicator: give yours a new id "
            "(change weights through scenario overrides)",
            line,
        )
    for required in ("label", "polarity", "all"):
        if required not in body:
            raise where.error(f"indicator {ident!r} has no {required!r}", line)
    label = _expect_str(body["label"], "label", where, _line_of(body, "label"))
    polarity_value = body["polarity"]
    if polarity_value not in ("escalation", "deescalation"):
        raise where.error(
            f"polarity must be 'escalation' or 'deescalation', not {polarity_value!r}",
            _line_of(body, "polarity"),
        )
    polarity = Polarity.ESCALATION if polarity_value == "escalation" else Polarity.DEESCALATION
    local: dict[str, Vocabulary] = {}
    if "terms" in body:
        section = _expect_map(body["terms"], "'terms' (local vocabularies)", where, _line_of(body, "terms"))
        for name, value in section.items():
            name_line = _line_of(section, name)
            _expect_name(name, "local vocabulary name", where, name_line)
            description = ""
            terms_line = name_line
            if isinstance(value, _Map):
                _check_keys(value, VOCABULARY_KEYS, f"local vocabulary {name!r}", where)
                description = _expect_str(
                    value.get("description"), "description", where, name_line, required=False
                )
                terms_line = _line_of(value, "terms")
                value = value.get("terms")
            terms, _ = _parse_terms(value, f"local vocabulary {name!r}", where, terms_line)
            local[name] = Vocabulary(f"{ident}.{name}", terms, description, file, name_line)
    all_names = _parse_name_list(body["all"], "'all'", where, _line_of(body, "all"), required=True)
    none_names = _parse_name_list(body.get("none"), "'none'", where, _line_of(body, "none"), required=False)
    both = sorted(set(all_names) & set(none_names))
    if both:
        raise where.error(
            f"vocabulary {both[0]!r} is in both 'all' and 'none', so the rule can never fire", line
        )
    within = DEFAULT_WITHIN
    if "within" in body:
        within = _expect_int(body["within"], "within", where, _line_of(body, "within"))
    negation = _parse_negation_policy(body.get("negation"), polarity, where, _line_of(body, "negation"))
    parsed.indicators[ident] = Indicator(
        id=ident,
        label=label,
        polarity=polarity,
        description=_expect_str(
            body.get("description"), "description", where, _line_of(body, "description"), required=False
        ),
        source=_expect_str(body.get("source"), "source", where, _line_of(body, "source"), required=False),
        rule=Rule(all_names, within, none_names),
        negation=negation,
        vocabularies=MappingProxyType(local),
        file=file,
        line=line,
    )
    parsed.rule_lines[ident] = {"all": _line_of(body, "all"), "none": _line_of(body, "none")}
    parsed.counter_lines[ident] = _line_of(body, "negation")


def _parse_file(path: Path, parsed: _Parsed) -> None:
    file = str(path)
    data = _read_yaml(path)
    parsed.files.append(file)
    if data is None:
        return
    where = _Where(file)
    data = _expect_map(data, "a definition file", where, 1)
    _check_keys(data, TOP_LEVEL_KEYS, "the top level", where)
    if "vocabularies" in data:
        _parse_vocabularies(data["vocabularies"], file, parsed, _line_of(data, "vocabularies"))
    if "negation" in data:
        _parse_negation(data["negation"], file, parsed, _line_of(data, "negation"))
    if "indicators" in data:
        section = data["indicators"]
        if not isinstance(section, _Seq):
            raise where.error(
                "'indicators' must be a list of indicators (each starting with '- id: ...'), "
                f"not {_kind(section)}",
                _line_of(data, "indicators"),
            )
        for index, body in enumerate(section):
            _parse_indicator(body, file, parsed, _line_of(section, index))


# --- cross-references, fingerprint ------------------------------------------------------------------


def _resolve(parsed: _Parsed) -> None:
    for indicator in parsed.indicators.values():
        where = _Where(indicator.file, indicator.id)
        for name, vocabulary in indicator.vocabularies.items():
            if name in parsed.vocabularies:
                other = parsed.vocabularies[name]
                raise where.error(
                    f"local vocabulary {name!r} has the name of the global vocabulary "
                    f"defined in {other.file} "
                    f"(line {other.line}); rename one of them so the rule is unambiguous",
                    vocabulary.line,
                )
        known = [*indicator.vocabularies, *parsed.vocabularies]
        for key, names in (("all", indicator.rule.all), ("none", indicator.rule.none)):
            for name in names:
                if name not in indicator.vocabularies and name not in parsed.vocabularies:
                    hint = difflib.get_close_matches(name, known, n=1)
                    also = f" (did you mean {hint[0]!r}?)" if hint else ""
                    raise where.error(
                        f"{key!r} names the unknown vocabulary {name!r}{also}; "
                        "define it under 'vocabularies' "
                        "or in the indicator's 'terms'",
                        parsed.rule_lines[indicator.id][key],
                    )
        counter = indicator.negation.counter
        if counter is not None:
            line = parsed.counter_lines[indicator.id]
            target = parsed.indicators.get(counter)
            if target is None:
                hint = difflib.get_close_matches(counter, list(parsed.indicators), n=1)
                also = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise where.error(f"negation counter {counter!r} is not a known indicator{also}", line)
            if target.polarity is not Polarity.DEESCALATION:
                raise where.error(
                    f"negation counter {counter!r} must be a deescalation indicator, "
                    "but it is an escalation one",
                    line,
                )


def vocabulary_of(indicators: IndicatorSet | _Parsed, indicator: Indicator, name: str) -> Vocabulary:
    """The vocabulary a rule name resolves to for ``indicator``: its local one first, then the global one."""
    local = indicator.vocabularies.get(name)
    return local if local is not None else indicators.vocabularies[name]


def _fingerprint(parsed: _Parsed, negation: NegationCues) -> str:
    def terms(name: str, indicator: Indicator) -> list[str]:
        return sorted(vocabulary_of(parsed, indicator, name).terms)

    canonical = {
        "normalisation": NORMALISATION_VERSION,
        "negation": {
            "window": negation.window,
            "cues": sorted(negation.cues.terms),
            **({"exceptions": sorted(negation.exceptions.terms)} if negation.exceptions else {}),
        },
        "indicators": {
            ident: {
                "polarity": int(ind.polarity),
                "all": [terms(name, ind) for name in ind.rule.all],
                "within": ind.rule.within,
                "none": sorted(terms(name, ind) for name in ind.rule.none),
                "negation": [ind.negation.mode.value, ind.negation.counter],
            }
            for ident, ind in sorted(parsed.indicators.items())
        },
    }
    return canonical_sha256(canonical)


def shipped_definition_files() -> list[Path]:
    """The definition files shipped in the package, in load order."""
    if not DEFINITIONS_DIR.is_dir():
        return []
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


def load_indicators(extra_files: Sequence[Path | str] = (), *, include_shipped: bool = True) -> IndicatorSet:
    """Load the shipped definitions (unless ``include_shipped`` is false) plus ``extra_files``.

    Raises DefinitionError (naming file, line and id) on the first invalid definition.
    """
    parsed = _Parsed()
    paths = [*(shipped_definition_files() if include_shipped else []), *(Path(p) for p in extra_files)]
    for path in paths:
        _parse_file(path, parsed)
    _resolve(parsed)
    window = parsed.window[0] if parsed.window is not None else DEFAULT_NEGATION_WINDOW
    cues = Vocabulary(
        NEGATION_CUES_NAME, tuple(parsed.cue_terms), "negation cues", ", ".join(parsed.cue_files)
    )
    exceptions = (
        Vocabulary(
            NEGATION_EXCEPTIONS_NAME,
            tuple(parsed.exception_terms),
            "phrases with a cue that do not negate",
            "",
        )
        if parsed.exception_terms
        else None
    )
    negation = NegationCues(window, cues, exceptions)
    return IndicatorSet(
        indicators=MappingProxyType(dict(parsed.indicators)),
        vocabularies=MappingProxyType(dict(parsed.vocabularies)),
        negation=negation,
        fingerprint=_fingerprint(parsed, negation),
        files=tuple(parsed.files),
    )
