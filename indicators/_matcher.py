"""The matcher: which indicators an item's text fires, with evidence.

Semantics, exactly:

Text. Each field is cleaned (:func:`clean_text`) and normalised (see ``_text``). The fields are
read as one text, title first, then summary, then any other field in the mapping's order, with a
separator that no phrase can cross and that counts as one word. A *word* is a maximal run of
letters and digits of the normalised text (punctuation, apostrophes and dashes separate words).

Terms. ``word`` matches that whole word; ``word*`` any word starting with ``word``; a phrase (several
words, quoted or not) matches those words in a row, separated by exactly one non-word character
(a space, a hyphen, an apostrophe...), its last word a prefix when it ends in ``*``. A *hit* is one
occurrence of a term; it occupies the words it covers.

Rule. An indicator fires when, for every vocabulary in ``all``, a hit of one of its terms lies inside
a window of at most ``within`` words (from the first word of the earliest hit to the last word of
the latest one, both counted), and no term of any ``none`` vocabulary occurs anywhere in the item.
One hit may serve several groups when its term is in several of the vocabularies.

Negation. A *cue* is a hit of a ``negation.cues`` term. A candidate window is *negated* when a cue
starts at most ``negation.window`` words before the window's first trigger word, or anywhere
between that word and the last word of the window, and the cue does not overlap a trigger hit of
the window (so a trigger phrase that contains a cue word, like "не исключает", does not negate
itself), nor a phrase of ``negation.exceptions`` ("does not rule out", "не исключает": a hedge
toward the event, not a denial). Cues after the hit never count. Among the minimal windows of an item (for each hit,
the shortest window ending there that covers every group), the first one that is not negated
fires; if every window fits but is negated, the indicator's negation policy decides:

* ``suppress`` (default for escalation): no match; a :class:`Suppressed` records the cue.
* ``ignore`` (default for de-escalation, whose own terms are often "refuses", "will not"):
  negation is not looked at, the first window fires.
* ``{counter: id}``: no match for this indicator; the de-escalation indicator ``id`` matches
  instead (``via_negation`` = this indicator, evidence = the trigger hits plus the cue), unless it
  already matched on its own, in which case its own match stands. The :class:`Suppressed` entry
  has ``counted_as`` = ``id`` either way.

Because every non-minimal window contains a minimal one and so inherits its cues, looking at
minimal windows only loses nothing.

Evidence of a match: every hit of the fired window that belongs to a group of the rule, in text
order (a span found by two terms is reported once, with the first group's term), with offsets into
the cleaned field; a prefix hit covers its whole word.

Speed. One Aho-Corasick scan over the normalised text finds every term of every vocabulary in use;
keys carry their word boundaries (a leading space, and a trailing one unless prefix), so no hit
needs a boundary check. Each key carries a bitmask of the vocabularies it belongs to and a bitmask
of the indicators *anchored* on those vocabularies (each indicator is anchored on the group that
fewest indicators use), so per item only indicators whose anchor was seen are looked at, and only
those with every group present go on to word positions, windows and negation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import ahocorasick

from indicators._loader import vocabulary_of
from indicators._sentences import Boundaries
from indicators._text import (
    ENCODED_JOINER,
    ENCODED_SPACE,
    SEPARATOR,
    OffsetMap,
    clean_and_encode,
    decode_normalised,
    normalise,
    parse_pattern,
)
from indicators._wording import plural
from indicators.types import (
    CueKind,
    Evidence,
    IndicatorSet,
    Match,
    MatchResult,
    ModalityMode,
    ModalityPolicy,
    NearMiss,
    NegationMode,
    NegationPolicy,
    Polarity,
    Scope,
    Suppressed,
    Vocabulary,
)

_EMPTY = MatchResult((), ())
_READING_ORDER = ("title", "summary")
# Fields are normalised as one text joined by a character that no key contains, so no phrase spans
# two fields, and that str.split counts as one word.
_JOINER = f" {SEPARATOR} "


@dataclass(frozen=True, slots=True)
class _Rule:
    index: int
    id: str
    polarity: Polarity
    groups: tuple[int, ...]  # one vocabulary bit per group
    required: int
    vetoes: int
    within: int
    scope: Scope
    mode: NegationMode
    counter: str | None
    denial: NegationPolicy
    conditional: ModalityPolicy
    retrospective: ModalityPolicy
    cue_kinds: frozenset[CueKind]  # the kinds of cue this rule reads (policy not "ignore")
    group_names: tuple[str, ...]
    veto_names: tuple[tuple[str, int], ...]  # (name as written, vocabulary bit)


# A key's payload in the automaton: key length, words covered, prefix?, vocabulary bits,
# anchored indicator bits, key number (for the terms as written), compound part (leading '*')?
_Payload = tuple[int, int, bool, int, int, int, bool]


class Matcher:
    """Matches items against an :class:`IndicatorSet`. Build once, call :meth:`match` per item."""

    def __init__(self, indicators: IndicatorSet) -> None:
        self.indicators = indicators
        self._negation_window = indicators.negation.window
        ordered = sorted(indicators.indicators.values(), key=lambda ind: ind.id)

        # one bit per vocabulary in use (global name, or indicator_id.name for local ones)
        bits: dict[str, int] = {}
        vocab_terms: dict[int, tuple[str, ...]] = {}

        def bit_of(name: str, terms: tuple[str, ...]) -> int:
            if name not in bits:
                bits[name] = 1 << len(bits)
                vocab_terms[bits[name]] = terms
            return bits[name]

        rules: list[_Rule] = []
        uses: dict[int, int] = {}  # vocabulary bit -> number of indicators requiring it
        for index, ind in enumerate(ordered):
            groups = tuple(
                bit_of(vocabulary_of(indicators, ind, name).name, vocabulary_of(indicators, ind, name).terms)
                for name in ind.rule.all
            )
            vetoes = 0
            veto_names: list[tuple[str, int]] = []
            for name in ind.rule.none:
                vocabulary = vocabulary_of(indicators, ind, name)
                veto_names.append((name, bit_of(vocabulary.name, vocabulary.terms)))
                vetoes |= veto_names[-1][1]
            for bit in set(groups):
                uses[bit] = uses.get(bit, 0) + 1
            required = 0
            for bit in groups:
                required |= bit
            denial = ind.denial_policy
            kinds = {
                CueKind.NEGATION: ind.negation.mode is not NegationMode.IGNORE,
                CueKind.DENIAL: denial.mode is not NegationMode.IGNORE,
                CueKind.CONDITIONAL: ind.conditional.mode is not ModalityMode.IGNORE,
                CueKind.RETROSPECTIVE: ind.retrospective.mode is not ModalityMode.IGNORE,
            }
            rules.append(
                _Rule(
                    index,
                    ind.id,
                    ind.polarity,
                    groups,
                    required,
                    vetoes,
                    ind.rule.within,
                    ind.rule.scope,
                    ind.negation.mode,
                    ind.negation.counter,
                    denial,
                    ind.conditional,
                    ind.retrospective,
                    frozenset(kind for kind, read in kinds.items() if read),
                    ind.rule.all,
                    tuple(veto_names),
                )
            )
        self._rules = tuple(rules)
        # one bit per kind of cue that some rule reads; exceptions only matter when cues do
        negation = indicators.negation
        cue_sources: dict[CueKind, Vocabulary | None] = {
            CueKind.NEGATION: negation.cues,
            CueKind.DENIAL: negation.denial,
            CueKind.CONDITIONAL: negation.conditional,
            CueKind.RETROSPECTIVE: negation.retrospective,
        }
        self._cue_bits: dict[CueKind, int] = {}
        for kind, cue_vocabulary in cue_sources.items():
            if (
                cue_vocabulary is not None
                and cue_vocabulary.terms
                and any(kind in r.cue_kinds for r in rules)
            ):
                self._cue_bits[kind] = bit_of(cue_vocabulary.name, cue_vocabulary.terms)
        self._cue_bit = 0
        for bit in self._cue_bits.values():
            self._cue_bit |= bit
        self._exception_bit = 0
        if self._cue_bit and negation.exceptions is not None and negation.exceptions.terms:
            self._exception_bit = bit_of(negation.exceptions.name, negation.exceptions.terms)

        anchored: dict[int, int] = {}  # vocabulary bit -> bits of the indicators anchored on it
        for rule in rules:
            anchor = min(rule.groups, key=lambda bit: (uses[bit], len(vocab_terms[bit]), bit))
            anchored[anchor] = anchored.get(anchor, 0) | (1 << rule.index)

        # key -> [vocabulary bits, {vocabulary bit: term as written}, words, prefix, compound part]
        keys: dict[str, tuple[int, dict[int, str], int, bool, bool]] = {}
        for bit, terms in vocab_terms.items():
            for term in terms:
                pattern = parse_pattern(term)
                mask, written, nwords, prefix, infix = keys.get(
                    pattern.key, (0, {}, len(pattern.words), pattern.prefix, pattern.infix)
                )
                written.setdefault(bit, term)
                keys[pattern.key] = (mask | bit, written, nwords, prefix, infix)

        self._terms: list[dict[int, str]] = []
        automaton = ahocorasick.Automaton()
        for key, (mask, written, nwords, prefix, infix) in keys.items():
            anchors = 0
            for bit, rule_bits in anchored.items():
                if mask & bit:
                    anchors |= rule_bits
            payload: _Payload = (len(key), nwords, prefix, mask, anchors, len(self._terms), infix)
            automaton.add_word(key, payload)
            self._terms.append(written)
        self._all_bits = 0
        for bit in vocab_terms:
            self._all_bits |= bit
        self._scan: Callable[[str], Iterator[tuple[int, _Payload]]] | None = None
        if keys:
            automaton.make_automaton()
            self._scan = automaton.iter
        self.term_count = len(keys)

    # --- hot path --------------------------------------------------------------------------------

    def match(self, fields: Mapping[str, str]) -> MatchResult:
        """Match one item, e.g. ``{"title": ..., "summary": ...}``; fields are cleaned here."""
        scan = self._scan
        if scan is None:
            return _EMPTY
        # the usual item, title and summary, in few steps; anything else in _prepare
        title = fields.get("title")
        summary = fields.get("summary")
        code_title = code_summary = None
        if len(fields) == 2 and title and summary:
            clean_title, code_title = clean_and_encode(title)
            clean_summary, code_summary = clean_and_encode(summary)
        if code_title and code_summary:
            names: Sequence[str] = _READING_ORDER
            cleaned: Sequence[str] = (clean_title, clean_summary)
            text = decode_normalised(
                ENCODED_SPACE + code_title + ENCODED_JOINER + code_summary + ENCODED_SPACE
            )
        else:
            prepared = _prepare(fields)
            if prepared is None:
                return _EMPTY
            names, cleaned, text = prepared
        hits = list(scan(text))
        if not hits:
            return _EMPTY
        seen = 0
        candidates = 0
        for _end, payload in hits:
            seen |= payload[3]
            candidates |= payload[4]
        fired: list[_Rule] = []
        rules = self._rules
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            rule = rules[low.bit_length() - 1]
            if seen & rule.required == rule.required and not seen & rule.vetoes:
                fired.append(rule)
        if not fired:
            return _EMPTY
        return self._evaluate(fired, hits, text, names, cleaned)

    # --- diagnostics ------------------------------------------------------------------------------

    def near_misses(self, fields: Mapping[str, str], limit: int = 3) -> tuple[NearMiss, ...]:
        """The indicators that came closest to firing on an item and did not: most groups matched
        first, then the tightest span. Slow (every rule is looked at); for ``monitor eval --errors``."""
        scan = self._scan
        prepared = _prepare(fields)
        if scan is None or prepared is None:
            return ()
        names, cleaned, text = prepared
        records = _records(list(scan(text)), text, self._all_bits)
        if not records:
            return ()
        result = self.match(fields)
        fired = result.indicator_ids
        cues = {s.indicator_id: s.cue for s in result.suppressed}
        evidence = _EvidenceBuilder(text, names, cleaned, self._terms)
        seen = 0
        for hit in records:
            seen |= hit[_VOCABULARIES]
        found: list[tuple[tuple[int, int, int, int], NearMiss]] = []
        for rule in self._rules:
            if rule.id in fired or not seen & rule.required:
                continue
            present = [
                (name, bit) for name, bit in zip(rule.group_names, rule.groups, strict=True) if seen & bit
            ]
            missing = tuple(
                name for name, bit in zip(rule.group_names, rule.groups, strict=True) if not seen & bit
            )
            first_hits = tuple(
                (name, evidence.one(next(h for h in records if h[_VOCABULARIES] & bit), bit))
                for name, bit in present
            )
            span = _tightest_span(records, [bit for _, bit in present]) if len(present) > 1 else None
            vetoed = tuple(name for name, bit in rule.veto_names if seen & bit)
            scope = plural(rule.within, "word") if rule.scope is Scope.WORDS else rule.scope.value
            near = NearMiss(rule.id, first_hits, missing, span, scope, vetoed, cues.get(rule.id))
            found.append(((len(missing), -len(present), span or 0, rule.index), near))
        found.sort(key=lambda pair: pair[0])
        return tuple(near for _, near in found[:limit])

    # --- rules that have every group present -------------------------------------------------------

    def _evaluate(
        self,
        fired: list[_Rule],
        hits: list[tuple[int, _Payload]],
        text: str,
        names: Sequence[str],
        cleaned: Sequence[str],
    ) -> MatchResult:
        cue_bit, exception_bit = self._cue_bit, self._exception_bit
        wanted = cue_bit | exception_bit
        for rule in fired:
            wanted |= rule.required
        records = _records(hits, text, wanted)
        cues = [hit for hit in records if hit[_VOCABULARIES] & cue_bit] if cue_bit else []
        if cues and exception_bit:
            # A cue inside a phrase such as "not only" or "не исключает" does not negate anything.
            spans = [(hit[_START], hit[_STOP]) for hit in records if hit[_VOCABULARIES] & exception_bit]
            cues = [
                cue
                for cue in cues
                if not any(start < cue[_STOP] and cue[_START] < stop for start, stop in spans)
            ]
        evidence = _EvidenceBuilder(text, names, cleaned, self._terms)
        reader = _Reader(self._negation_window, self._cue_bits, cues, text, cleaned, evidence.starts)

        matches: dict[str, Match] = {}
        suppressed: list[Suppressed] = []
        counted: list[tuple[str, str, tuple[Evidence, ...], CueKind, Evidence]] = []
        for rule in fired:
            required = rule.required
            events = [hit for hit in records if hit[_VOCABULARIES] & required]
            read_cues = bool(cues) and bool(rule.cue_kinds)
            negated: tuple[list[_Hit], CueKind, _Hit] | None = None
            modal: tuple[list[_Hit], CueKind, _Hit] | None = None
            chosen: list[_Hit] | None = None
            for window in _windows(events, rule, reader):
                reading = reader.read(window, rule.cue_kinds) if read_cues else None
                if reading is None:
                    chosen = window
                    break
                kind, cue = reading
                if kind in _DENYING:
                    negated = negated or (window, kind, cue)
                else:
                    modal = modal or (window, kind, cue)
            if chosen is not None:
                matches[rule.id] = Match(rule.id, rule.polarity, evidence.of(chosen, rule.groups))
                continue
            if negated is not None:
                window, kind, cue = negated
                policy = rule.denial if kind is CueKind.DENIAL else NegationPolicy(rule.mode, rule.counter)
                triggers = evidence.of(window, rule.groups)
                cue_evidence = evidence.one(cue, self._cue_bits[kind])
                suppressed.append(Suppressed(rule.id, cue_evidence, triggers, policy.counter, kind))
                if policy.counter is not None:
                    both = tuple(sorted((*triggers, cue_evidence), key=evidence.order))
                    counted.append((policy.counter, rule.id, both, kind, cue_evidence))
                continue
            if modal is not None:
                window, kind, cue = modal
                modality = rule.conditional if kind is CueKind.CONDITIONAL else rule.retrospective
                triggers = evidence.of(window, rule.groups)
                cue_evidence = evidence.one(cue, self._cue_bits[kind])
                if modality.mode is ModalityMode.FACTOR:
                    matches[rule.id] = Match(
                        rule.id,
                        rule.polarity,
                        triggers,
                        modality=kind,
                        cue=cue_evidence,
                        factor=modality.factor,
                    )
                else:
                    suppressed.append(Suppressed(rule.id, cue_evidence, triggers, None, kind))
        for counter, via, both, kind, cue_evidence in counted:
            if counter not in matches:
                matches[counter] = Match(
                    counter, Polarity.DEESCALATION, both, via_negation=via, modality=kind, cue=cue_evidence
                )
        return MatchResult(tuple(matches[key] for key in sorted(matches)), tuple(suppressed))


_DENYING = frozenset((CueKind.NEGATION, CueKind.DENIAL))
# When one cue is in several kinds' lists, the most specific reading wins.
_KIND_ORDER = (CueKind.DENIAL, CueKind.NEGATION, CueKind.CONDITIONAL, CueKind.RETROSPECTIVE)


class _Reader:
    """Reads the cues around a window: which cue, if any, changes how the window is read.

    Built per item; sentence and clause boundaries are found only when a rule first needs them.
    """

    def __init__(
        self,
        window: int,
        bits: Mapping[CueKind, int],
        cues: list[_Hit],
        text: str,
        cleaned: Sequence[str],
        field_starts: Sequence[int],
    ) -> None:
        self._window = window
        self._text = text
        self._cleaned = cleaned
        self._field_starts = field_starts
        self._boundaries: Boundaries | None = None
        self._cues: list[tuple[CueKind, _Hit]] = []
        for cue in cues:
            for kind in _KIND_ORDER:
                bit = bits.get(kind, 0)
                if cue[_VOCABULARIES] & bit:
                    self._cues.append((kind, cue))
                    break

    @property
    def boundaries(self) -> Boundaries:
        if self._boundaries is None:
            self._boundaries = Boundaries(self._text, self._cleaned, self._field_starts)
        return self._boundaries

    def read(self, window: list[_Hit], kinds: frozenset[CueKind]) -> tuple[CueKind, _Hit] | None:
        """The negation or denial that reaches a trigger of the window in its clause, else the
        conditional or look back in the window's sentence, else None."""
        first = window[0][_WORD]
        last = max(hit[_LAST_WORD] for hit in window)
        low = first - self._window
        modal: tuple[CueKind, _Hit] | None = None
        for kind, cue in self._cues:
            if kind not in kinds:
                continue
            word = cue[_WORD]
            if any(cue[_START] < hit[_STOP] and hit[_START] < cue[_STOP] for hit in window):
                continue
            if kind in _DENYING:
                # Cues after the window never count, and a cue in a side clause ("Lukashenko, who
                # did not attend, ordered ...") does not reach the main clause's triggers.
                if not low <= word <= last:
                    continue
                clause = self.boundaries.clause(word)
                if any(
                    hit[_WORD] > cue[_LAST_WORD] and self.boundaries.clause(hit[_WORD]) == clause
                    for hit in window
                ):
                    return kind, cue
            elif modal is None and low <= word <= last + self._window:
                sentence = self.boundaries.sentence(word)
                if any(self.boundaries.sentence(hit[_WORD]) == sentence for hit in window):
                    modal = (kind, cue)
        return modal


# A hit as the rules see it, a plain tuple because items with matches make dozens of them:
# (start, stop, word, last_word, vocabularies, key, prefix) -- characters [start, stop) of the
# joined normalised text, words [word, last_word], vocabulary bits, key number, prefix term?
_Hit = tuple[int, int, int, int, int, int, bool]
_START, _STOP, _WORD, _LAST_WORD, _VOCABULARIES, _KEY, _PREFIX = range(7)


def _records(hits: list[tuple[int, _Payload]], text: str, wanted: int) -> list[_Hit]:
    """The hits of the wanted vocabularies, in text order, with their word indexes."""
    found = sorted(
        # The key starts with the space before the word; an exact key ends with the space after it.
        # A compound part's key starts inside its word: its hit starts where the word does.
        # Sorted by start, longest first, a prefix before an exact term over the same span (a window
        # keeps the last of equal hits, and the exact term is the more telling evidence).
        (
            text.rfind(" ", 0, end - length + 1) + 1 if infix else end - length + 2,
            -(end + 1 if prefix else end),
            not prefix,
            nwords - 1,
            vocabularies,
            key,
        )
        for end, (length, nwords, prefix, vocabularies, _anchors, key, infix) in hits
        if vocabularies & wanted
    )
    records: list[_Hit] = []
    previous = 0
    word = 0
    for start, minus_stop, exact, extra_words, vocabularies, key in found:
        # words between two hits: str.split is C speed and sees punctuation as spaces here
        word += len(text[previous:start].split())
        previous = start
        records.append((start, -minus_stop, word, word + extra_words, vocabularies, key, not exact))
    return records


def _prepare(fields: Mapping[str, str]) -> tuple[list[str], list[str], str] | None:
    """Field names, cleaned values and the joined normalised text of an item, if it has any text."""
    names: list[str] = []
    cleaned: list[str] = []
    encoded: list[bytes] = []
    for name, value in _in_reading_order(fields):
        if value:
            clean, code = clean_and_encode(value)
            if clean:
                names.append(name)
                cleaned.append(clean)
                if code is not None:
                    encoded.append(code)
    if not cleaned:
        return None
    if len(encoded) == len(cleaned):
        return names, cleaned, " " + decode_normalised(ENCODED_JOINER.join(encoded)) + " "
    return names, cleaned, " " + normalise(_JOINER.join(cleaned)) + " "


def _in_reading_order(fields: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Title first, then summary, then any other field in the caller's order."""
    title = fields.get("title")
    summary = fields.get("summary")
    if len(fields) == (title is not None) + (summary is not None):
        return (("title", title or ""), ("summary", summary or ""))
    return [
        *((name, fields[name]) for name in _READING_ORDER if name in fields),
        *((name, value) for name, value in fields.items() if name not in _READING_ORDER),
    ]


def _windows(events: list[_Hit], rule: _Rule, reader: _Reader) -> Iterable[list[_Hit]]:
    """For each hit, the shortest window ending there that covers every group, if it fits the
    rule's scope (``within`` words, one sentence, or anywhere in the item).

    That window starts at the earliest of the groups' latest hits so far.
    """
    groups = rule.groups
    scope = rule.scope
    within = rule.within
    latest = [-1] * len(groups)
    for right, hit in enumerate(events):
        vocabularies = hit[_VOCABULARIES]
        for g, bit in enumerate(groups):
            if vocabularies & bit:
                latest[g] = right
        left = min(latest)
        if left < 0:
            continue
        window = events[left : right + 1]
        if scope is Scope.WORDS:
            if max(h[_LAST_WORD] for h in window) - window[0][_WORD] < within:
                yield window
        elif scope is Scope.ITEM or reader.boundaries.sentence(
            window[0][_WORD]
        ) == reader.boundaries.sentence(max(h[_LAST_WORD] for h in window)):
            yield window


def _tightest_span(records: list[_Hit], groups: list[int]) -> int:
    """Words from first to last of the shortest window covering a hit of every group."""
    latest = [-1] * len(groups)
    best = 1 << 30
    for right, hit in enumerate(records):
        for g, bit in enumerate(groups):
            if hit[_VOCABULARIES] & bit:
                latest[g] = right
        left = min(latest)
        if left >= 0:
            window = records[left : right + 1]
            best = min(best, max(h[_LAST_WORD] for h in window) - window[0][_WORD] + 1)
    return best


class _EvidenceBuilder:
    """Turns hits (offsets in the joined normalised text) into Evidence on the cleaned fields."""

    def __init__(
        self, text: str, names: Sequence[str], cleaned: Sequence[str], terms: list[dict[int, str]]
    ) -> None:
        self._text = text
        self._names = names
        self._cleaned = cleaned
        self._terms = terms
        offsets = [1]  # where each field starts in the joined text
        for _ in names[1:]:
            offsets.append(text.find(SEPARATOR, offsets[-1]) + 2)
        self._offsets = offsets
        self.starts: Sequence[int] = offsets
        self._maps: list[OffsetMap | None] = [None] * len(names)
        self._rank = {name: rank for rank, name in enumerate(names)}
        self._made: dict[tuple[int, int, int], Evidence] = {}

    def order(self, evidence: Evidence) -> tuple[int, int, int]:
        return (self._rank[evidence.field], evidence.start, evidence.end)

    def of(self, window: list[_Hit], groups: tuple[int, ...]) -> tuple[Evidence, ...]:
        out: list[Evidence] = []
        spans: set[tuple[int, int]] = set()
        for hit in window:
            span = (hit[_START], hit[_STOP])
            if span in spans:  # two terms may find the same span
                continue
            spans.add(span)
            vocabularies = hit[_VOCABULARIES]
            for bit in groups:  # the first group the hit serves names the term
                if vocabularies & bit:
                    break
            out.append(self.one(hit, bit))
        return tuple(out)

    def one(self, hit: _Hit, bit: int) -> Evidence:
        cache_key = (hit[_START], hit[_STOP], bit)
        made = self._made.get(cache_key)
        if made is not None:
            return made
        offsets = self._offsets
        part = len(offsets) - 1
        while offsets[part] > hit[_START]:
            part -= 1
        mapping = self._maps[part]
        if mapping is None:
            mapping = self._maps[part] = OffsetMap(self._cleaned[part])
        stop = self._text.find(" ", hit[_STOP]) if hit[_PREFIX] else hit[_STOP]
        start = mapping.start(hit[_START] - offsets[part])
        end = mapping.end(stop - offsets[part])
        written = self._terms[hit[_KEY]]
        term = written.get(bit) or next(iter(written.values()))
        made = Evidence(self._names[part], start, end, term, self._cleaned[part][start:end])
        self._made[cache_key] = made
        return made
