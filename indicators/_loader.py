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
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from indicators._hashing import canonical_sha256
from indicators._languages import SUPPORTED_LANGUAGES, belarusian_variants, parse_language_key
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
    ModalityMode,
    ModalityPolicy,
    NegationCues,
    NegationMode,
    NegationPolicy,
    Polarity,
    Rule,
    Scope,
    Vocabulary,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
TOP_LEVEL_KEYS = ("vocabularies", "negation", "indicators", "scenarios")
VOCABULARY_KEYS = ("terms", "description", "no_terms")
NEGATION_KEYS = ("window", "cues", "exceptions", "denial", "conditional", "retrospective")
MODAL_CUE_KEYS = ("denial", "conditional", "retrospective")
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
    "denial",
    "conditional",
    "retrospective",
)
DEFAULT_WITHIN = 20
DEFAULT_NEGATION_WINDOW = 5
NEGATION_CUES_NAME = "negation.cues"
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


def _parse_vocabulary(
    name: str,
    full_name: str,
    body: Any,
    where: _Where,
    file: str,
    name_line: int | None,
    *,
    kind: str = "vocabulary",
) -> Vocabulary:
    """A vocabulary: a list of terms, or a mapping with ``terms`` (a list, or lists by language),
    an optional ``description`` and ``no_terms`` (languages left empty on purpose, with why)."""
    description = ""
    no_terms: dict[str, str] = {}
    terms_value: Any = body
    terms_line = name_line
    if isinstance(body, _Map) and not all(parse_language_key(key) for key in body):
        _check_keys(body, VOCABULARY_KEYS, f"{kind} {name!r}", where)
        if "terms" not in body:
            raise where.error(f"{kind} {name!r} has no 'terms' list", name_line)
        terms_value = body["terms"]
        terms_line = _line_of(body, "terms")
        description = _expect_str(body.get("description"), "description", where, name_line, required=False)
        if "no_terms" in body:
            no_terms = _parse_no_terms(body["no_terms"], name, where, _line_of(body, "no_terms"))
    if not isinstance(terms_value, _Map):
        terms, _ = _parse_terms(terms_value, f"{kind} {name!r}", where, terms_line)
        if no_terms:
            raise where.error(
                f"{kind} {name!r}: 'no_terms' needs the terms listed by language "
                "(terms: {en: [...], de: [...]})",
                terms_line,
            )
        return Vocabulary(full_name, terms, description, file, name_line)
    by_language: dict[str, list[str]] = {}
    ordered: list[str] = []
    for key, value in terms_value.items():
        key_line = _line_of(terms_value, key)
        languages = parse_language_key(key)
        if languages is None:
            raise where.error(
                f"{kind} {name!r}: {key!r} is not a language code or a list of them; "
                f"use {', '.join(SUPPORTED_LANGUAGES)} (several separated by spaces: 'en de')",
                key_line,
            )
        lang_terms, _ = _parse_terms(value, f"{kind} {name!r}, language {key!r}", where, key_line)
        for language in languages:
            if language in no_terms:
                raise where.error(
                    f"{kind} {name!r} lists terms for {language!r} and also says under 'no_terms' "
                    "that it has none; remove one of the two",
                    key_line,
                )
            listed = by_language.setdefault(language, [])
            listed.extend(t for t in lang_terms if t not in listed)
        ordered.extend(t for t in lang_terms if t not in ordered)
    derived: list[str] = []
    for term in by_language.get("be", ()):
        derived.extend(v for v in belarusian_variants(term) if v not in ordered and v not in derived)
    return Vocabulary(
        full_name,
        (*ordered, *derived),
        description,
        file,
        name_line,
        languages=MappingProxyType({lang: tuple(terms) for lang, terms in by_language.items()}),
        derived=tuple(derived),
        no_terms=MappingProxyType(no_terms),
    )


def _parse_no_terms(value: Any, name: str, where: _Where, line: int | None) -> dict[str, str]:
    if not isinstance(value, _Map):
        raise where.error(
            f"vocabulary {name!r}: 'no_terms' must map a language to the reason it has no terms "
            f'(no_terms: {{lv: "..."}}), not {_kind(value)}',
            line,
        )
    reasons: dict[str, str] = {}
    for key, reason in value.items():
        languages = parse_language_key(key)
        if languages is None:
            raise where.error(
                f"vocabulary {name!r}: 'no_terms' key {key!r} is not a supported language "
                f"({', '.join(SUPPORTED_LANGUAGES)})",
                _line_of(value, key),
            )
        text = _expect_str(reason, f"the reason why {key!r} has no terms", where, _line_of(value, key))
        for language in languages:
            reasons[language] = text
    return reasons


# --- one file ------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """Everything read from the files so far, before cross-references are resolved."""

    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    # names the indicator's rule uses, for the error message when one is unknown
    rule_lines: dict[str, dict[str, int | None]] = field(default_factory=dict)
    counter_lines: dict[str, int | None] = field(default_factory=dict)
    denial_lines: dict[str, int | None] = field(default_factory=dict)
    cue_files: list[str] = field(default_factory=list)
    # cue vocabularies by section key: the negation cues, exceptions and the modality cues
    cue_vocabularies: dict[str, list[Vocabulary]] = field(default_factory=dict)
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
        parsed.vocabularies[name] = _parse_vocabulary(name, name, body, where, file, name_line)


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
    for key in ("cues", "exceptions", *MODAL_CUE_KEYS):
        if key in section:
            vocabulary = _parse_vocabulary(
                f"negation {key}", f"negation.{key}", section[key], where, file, _line_of(section, key)
            )
            parsed.cue_vocabularies.setdefault(key, []).append(vocabulary)
            if key == "cues":
                parsed.cue_files.append(file)


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


def _parse_modality_policy(value: Any, kind: str, where: _Where, line: int | None) -> ModalityPolicy:
    if value is None or value == "ignore":
        return ModalityPolicy(ModalityMode.IGNORE)
    if value == "suppress":
        return ModalityPolicy(ModalityMode.SUPPRESS)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
        return ModalityPolicy(ModalityMode.FACTOR, float(value))
    raise where.error(
        f"{kind} must be 'ignore', 'suppress' or a factor between 0 and 1 (exclusive) on the "
        f"indicator's weight, not {value!r}",
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
            local[name] = _parse_vocabulary(
                name, f"{ident}.{name}", value, where, file, name_line, kind="local vocabulary"
            )
    all_names = _parse_name_list(body["all"], "'all'", where, _line_of(body, "all"), required=True)
    none_names = _parse_name_list(body.get("none"), "'none'", where, _line_of(body, "none"), required=False)
    both = sorted(set(all_names) & set(none_names))
    if both:
        raise where.error(
            f"vocabulary {both[0]!r} is in both 'all' and 'none', so the rule can never fire", line
        )
    within = DEFAULT_WITHIN
    scope = Scope.WORDS
    if "within" in body:
        if body["within"] in (Scope.SENTENCE.value, Scope.ITEM.value):
            scope = Scope(body["within"])
        else:
            try:
                within = _expect_int(body["within"], "within", where, _line_of(body, "within"))
            except DefinitionError:
                raise where.error(
                    "within must be a whole number of words >= 1, 'sentence' (the groups in one "
                    f"sentence) or 'item' (anywhere in title and summary), not {body['within']!r}",
                    _line_of(body, "within"),
                ) from None
    negation = _parse_negation_policy(body.get("negation"), polarity, where, _line_of(body, "negation"))
    denial = (
        _parse_negation_policy(body["denial"], polarity, where, _line_of(body, "denial"))
        if "denial" in body
        else None
    )
    # An escalation told as history ("a year ago") is no escalation today: suppressed unless the
    # indicator says otherwise. A conditional is read as the indicator says: a threat to cut gas is
    # the leverage itself, a troop move "if attacked" is not a move, so there is no one default.
    modal_default = "suppress" if polarity is Polarity.ESCALATION else "ignore"
    conditional = _parse_modality_policy(
        body.get("conditional", "ignore"), "conditional", where, _line_of(body, "conditional")
    )
    retrospective = _parse_modality_policy(
        body.get("retrospective", modal_default), "retrospective", where, _line_of(body, "retrospective")
    )
    parsed.indicators[ident] = Indicator(
        id=ident,
        label=label,
        polarity=polarity,
        description=_expect_str(
            body.get("description"), "description", where, _line_of(body, "description"), required=False
        ),
        source=_expect_str(body.get("source"), "source", where, _line_of(body, "source"), required=False),
        rule=Rule(all_names, within, none_names, scope),
        negation=negation,
        vocabularies=MappingProxyType(local),
        file=file,
        line=line,
        denial=denial,
        conditional=conditional,
        retrospective=retrospective,
    )
    parsed.rule_lines[ident] = {"all": _line_of(body, "all"), "none": _line_of(body, "none")}
    parsed.counter_lines[ident] = _line_of(body, "negation")
    if denial is not None and denial.counter is not None:
        parsed.denial_lines[ident] = _line_of(body, "denial")


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
        for policy, line in (
            (indicator.negation, parsed.counter_lines[indicator.id]),
            (indicator.denial, parsed.denial_lines.get(indicator.id)),
        ):
            counter = policy.counter if policy is not None else None
            if counter is None:
                continue
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
            **{
                key: sorted(vocabulary.terms)
                for key in MODAL_CUE_KEYS
                if (vocabulary := getattr(negation, key)) is not None
            },
        },
        "indicators": {
            ident: {
                "polarity": int(ind.polarity),
                "all": [terms(name, ind) for name in ind.rule.all],
                "within": ind.rule.within if ind.rule.scope is Scope.WORDS else ind.rule.scope.value,
                "none": sorted(terms(name, ind) for name in ind.rule.none),
                "negation": [ind.negation.mode.value, ind.negation.counter],
                **({"denial": [ind.denial.mode.value, ind.denial.counter]} if ind.denial is not None else {}),
                "modality": [[p.mode.value, p.factor] for p in (ind.conditional, ind.retrospective)],
            }
            for ident, ind in sorted(parsed.indicators.items())
        },
    }
    return canonical_sha256(canonical)


_CUE_DESCRIPTIONS = {
    "cues": "negation cues",
    "exceptions": "phrases with a cue that do not negate",
    "denial": "denials: a denied escalation credits the counter-indicator",
    "conditional": "conditionals and threats: an escalation that may happen",
    "retrospective": "looks back: an escalation that happened long ago",
}


def _merge_cues(key: str, vocabularies: list[Vocabulary]) -> Vocabulary:
    """One cue vocabulary from the sections of several files (a cue listed twice is scanned once)."""
    terms: list[str] = []
    languages: dict[str, list[str]] = {}
    no_terms: dict[str, str] = {}
    for vocabulary in vocabularies:
        terms.extend(t for t in vocabulary.terms if t not in terms)
        for language, listed in vocabulary.languages.items():
            target = languages.setdefault(language, [])
            target.extend(t for t in listed if t not in target)
        no_terms.update(vocabulary.no_terms)
    return Vocabulary(
        f"negation.{key}",
        tuple(terms),
        _CUE_DESCRIPTIONS[key],
        ", ".join(v.file for v in vocabularies),
        vocabularies[0].line,
        languages=MappingProxyType({k: tuple(v) for k, v in languages.items()}),
        derived=tuple(t for v in vocabularies for t in v.derived),
        no_terms=MappingProxyType(no_terms),
    )


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
    cue_sets = {key: _merge_cues(key, vocabularies) for key, vocabularies in parsed.cue_vocabularies.items()}
    cues = cue_sets.get("cues") or Vocabulary(NEGATION_CUES_NAME, (), "negation cues", "")
    negation = NegationCues(
        window,
        replace(cues, file=", ".join(parsed.cue_files)),
        cue_sets.get("exceptions"),
        cue_sets.get("denial"),
        cue_sets.get("conditional"),
        cue_sets.get("retrospective"),
    )
    return IndicatorSet(
        indicators=MappingProxyType(dict(parsed.indicators)),
        vocabularies=MappingProxyType(dict(parsed.vocabularies)),
        negation=negation,
        fingerprint=_fingerprint(parsed, negation),
        files=tuple(parsed.files),
    )
