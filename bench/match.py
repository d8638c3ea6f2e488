"""``python -m bench match``: matcher throughput on synthetic multilingual headlines and summaries.

The corpus is generated from a seed: news-like clauses written for this benchmark in eight languages,
made-up names and numbers, typographic noise, HTML in a third of the summaries (as feeds ship them),
and terms of the definitions' own vocabularies inflected at random. About half of the items mention
at least one term, as in a feed list chosen for the scenarios.

Definitions: the shipped ones (plus any files given), or, while fewer than ``MIN_SHIPPED_TERMS``
terms are shipped, the test fixtures; the ``definitions_*`` line says which.

Two figures are compared on one core: ``Matcher.match`` on raw fields (cleaning and normalising
included), and one Python ``re`` alternation of the same terms (IGNORECASE, ``\\b``-anchored, prefix
terms as ``\\w*``) run with ``finditer`` over the already normalised texts, which favours ``re``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from indicators import (
    IndicatorSet,
    Matcher,
    MatchResult,
    clean_text,
    load_indicators,
    normalise,
)
from indicators._text import parse_pattern

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "indicators" / "fixtures"
MIN_SHIPPED_TERMS = 100

# Clauses written for this benchmark; {n} is a number, {name} a made-up name.
CLAUSES: dict[str, tuple[str, ...]] = {
    "en": (
        "officials said on {day}",
        "according to a statement published late on {day}",
        "the ministry confirmed",
        "{name} told reporters in the capital",
        "the report could not be independently verified",
        "{n} people were evacuated from the area",
        "the talks are expected to resume next week",
        "prices rose by {n} percent in the third quarter",
        "analysts warned of further delays",
        "the government announced new measures",
        "local media reported heavy traffic near the station",
        "the decision was criticised by the opposition",
        "a spokesperson declined to comment",
    ),
    "fr": (
        "a indiqué le ministère {day}",
        "selon un communiqué publié dans la soirée",
        "{name} a déclaré à la presse",
        "l’information n’a pas pu être vérifiée de manière indépendante",
        "{n} personnes ont été évacuées",
        "les négociations doivent reprendre la semaine prochaine",
        "les prix ont augmenté de {n} %",
        "le gouvernement a annoncé de nouvelles mesures",
        "l’opposition a vivement critiqué la décision",
        "d’après les médias locaux",
        "un porte-parole s’est refusé à tout commentaire",
    ),
    "ru": (
        "сообщили в министерстве в {day}",
        "говорится в заявлении, опубликованном вечером",
        "{name} рассказал журналистам",
        "информацию пока не удалось проверить",
        "эвакуированы {n} человек",
        "переговоры продолжатся на следующей неделе",
        "цены выросли на {n} процентов",
        "правительство объявило о новых мерах",
        "решение раскритиковала оппозиция",
        "по данным местных СМИ",
        "представитель ведомства отказался от комментариев",
    ),
    "uk": (
        "повідомили в міністерстві у {day}",
        "йдеться в заяві, оприлюдненій увечері",
        "{name} розповів журналістам",
        "інформацію поки не вдалося перевірити",
        "евакуйовано {n} людей",
        "переговори продовжаться наступного тижня",
        "ціни зросли на {n} відсотків",
        "уряд оголосив про нові заходи",
        "рішення розкритикувала опозиція",
        "за даними місцевих ЗМІ",
        "речник відомства відмовився від коментарів",
    ),
    "be": (
        "паведамілі ў міністэрстве ў {day}",
        "гаворыцца ў заяве, апублікаванай увечары",
        "{name} расказаў журналістам",
        "інфармацыю пакуль не ўдалося праверыць",
        "эвакуявана {n} чалавек",
        "перамовы працягнуцца на наступным тыдні",
        "цэны выраслі на {n} працэнтаў",
        "урад абвясціў пра новыя меры",
        "рашэнне раскрытыкавала апазіцыя",
        "паводле мясцовых СМІ",
    ),
    "pl": (
        "poinformowało ministerstwo w {day}",
        "czytamy w komunikacie opublikowanym wieczorem",
        "{name} powiedział dziennikarzom",
        "informacji nie udało się niezależnie potwierdzić",
        "ewakuowano {n} osób",
        "rozmowy mają zostać wznowione w przyszłym tygodniu",
        "ceny wzrosły o {n} proc.",
        "rząd ogłosił nowe środki",
        "decyzję skrytykowała opozycja",
        "jak podają lokalne media",
        "rzecznik resortu odmówił komentarza",
    ),
    "lt": (
        "pranešė ministerija {day}",
        "rašoma vakare paskelbtame pranešime",
        "{name} sakė žurnalistams",
        "informacijos nepavyko nepriklausomai patikrinti",
        "evakuota {n} žmonių",
        "derybos bus tęsiamos kitą savaitę",
        "kainos išaugo {n} procentų",
        "vyriausybė paskelbė naujas priemones",
        "sprendimą sukritikavo opozicija",
        "kaip skelbia vietos žiniasklaida",
    ),
    "de": (
        "teilte das Ministerium am {day} mit",
        "heißt es in einer am Abend veröffentlichten Erklärung",
        "{name} sagte vor Journalisten",
        "die Angaben ließen sich nicht unabhängig überprüfen",
        "{n} Menschen wurden in Sicherheit gebracht",
        "die Gespräche sollen nächste Woche fortgesetzt werden",
        "die Preise stiegen um {n} Prozent",
        "die Regierung kündigte neue Maßnahmen an",
        "die Opposition kritisierte die Entscheidung scharf",
        "wie örtliche Medien berichten",
    ),
}
DAYS = ("Monday", "lundi", "понедельник", "понеділок", "панядзелак", "poniedziałek", "pirmadienį", "Montag")
SYLLABLES = ("va", "ren", "ko", "la", "mir", "ski", "to", "vich", "an", "dre", "ius", "ova", "sha", "nel")
ENDINGS = ("", "", "", "s", "a", "o", "u", "i", "ian", "ом", "ой", "и", "ы", "ę", "ą", "ų", "ė", "en", "e")
TYPOGRAPHY = ("—", "–", "…", "«", "»", "„", "“", "”", "’", "\u00a0")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _realise(term: str, rng: random.Random) -> str:
    """A text form of a term: a prefix gets a random ending, the case varies now and then."""
    text = term.strip('"')
    if text.endswith("*"):
        text = text[:-1] + rng.choice(ENDINGS)
    roll = rng.random()
    if roll < 0.1:
        return text.upper()
    if roll < 0.4:
        return text[:1].upper() + text[1:]
    return text


def _clause(lang: str, rng: random.Random) -> str:
    return rng.choice(CLAUSES[lang]).format(day=rng.choice(DAYS), n=rng.randint(2, 2000), name=_name(rng))


def build_corpus(indicators: IndicatorSet, count: int, seed: int) -> list[dict[str, str]]:
    """``count`` deterministic items (title + summary, ~300-600 characters) for ``indicators``."""
    rng = random.Random(seed)
    vocabularies = [v.terms for v in indicators.vocabularies.values()]
    vocabularies += [v.terms for ind in indicators.indicators.values() for v in ind.vocabularies.values()]
    if indicators.negation.cues.terms:
        vocabularies.append(indicators.negation.cues.terms)
    langs = sorted(CLAUSES)
    items = []
    for _ in range(count):
        lang = rng.choice(langs)
        words: list[str] = []
        for _ in range(rng.randint(7, 13)):
            words.extend(_clause(lang, rng).split())
        if rng.random() < 0.5 and vocabularies:
            for _ in range(rng.randint(1, 5)):
                at = rng.randint(0, len(words))
                words.insert(at, _realise(rng.choice(rng.choice(vocabularies)), rng))
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randint(0, len(words)), rng.choice(TYPOGRAPHY))
        cut = rng.randint(6, 12)
        title = " ".join(words[:cut])
        summary = " ".join(words[cut:])
        summary = summary[:1].upper() + summary[1:] + "."
        if rng.random() < 0.3:  # feeds that ship their summaries as HTML
            at = summary.find(" ", len(summary) // 2)
            link = f'<a href="https://example.org/{rng.randint(1, 999)}">{_name(rng)}</a>'
            summary = f"<p>{summary[:at]} {link}&nbsp;{summary[at:]}</p>"
        items.append({"title": title[:1].upper() + title[1:], "summary": summary})
    return items


def re_alternation(indicators: IndicatorSet) -> re.Pattern[str]:
    """One ``re`` alternation of every term the matcher scans for, as a regex user would write it."""
    terms = {t for v in indicators.vocabularies.values() for t in v.terms}
    terms |= {t for ind in indicators.indicators.values() for v in ind.vocabularies.values() for t in v.terms}
    terms |= set(indicators.negation.cues.terms)
    alternatives = set()
    for term in terms:
        pattern = parse_pattern(term)
        body = r"\s+".join(re.escape(word) for word in pattern.words)
        alternatives.add(body + (r"\w*" if pattern.prefix else ""))
    ordered = sorted(alternatives, key=lambda alt: (-len(alt), alt))
    return re.compile(r"\b(?:" + "|".join(ordered) + r")\b", re.IGNORECASE)


def _best_rate(run: Callable[[], object], items: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return items / best


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench match", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--items", type=int, default=20_000, help="corpus size for the matcher (default 20000)"
    )
    parser.add_argument(
        "--re-items", type=int, default=2_000, help="corpus share for the re baseline (default 2000)"
    )
    parser.add_argument("--seed", type=int, default=20250901, help="corpus seed")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the best is kept (default 3)")
    parser.add_argument(
        "definitions", nargs="*", type=Path, help="definition files added to the shipped ones"
    )
    parser.add_argument("--no-shipped", action="store_true", help="leave the shipped definitions out")
    args = parser.parse_args(argv)
    _pin_to_one_core()

    if args.definitions:
        indicators, source = load_indicators(args.definitions, include_shipped=not args.no_shipped), "given"
    else:
        indicators, source = load_indicators(), "shipped"
        if Matcher(indicators).term_count < MIN_SHIPPED_TERMS:
            fixtures = sorted(FIXTURES.glob("*.yaml"))
            indicators, source = load_indicators(fixtures, include_shipped=False), "fixtures"
    started = time.perf_counter()
    matcher = Matcher(indicators)
    build_seconds = time.perf_counter() - started
    corpus = build_corpus(indicators, args.items, args.seed)
    print(f"definitions_{source} {len(indicators.files)} files")
    print(f"indicators {len(indicators.indicators)} indicators")
    print(f"terms {matcher.term_count} terms")
    print(f"matcher_build {build_seconds * 1000:.1f} ms")
    print(f"items {len(corpus)} items")
    print(f"mean_chars {sum(len(i['title']) + len(i['summary']) for i in corpus) / len(corpus):.0f} chars")

    def run_matcher() -> list[MatchResult]:
        return [matcher.match(item) for item in corpus]

    results = run_matcher()  # warm the word cache as a running daemon would be
    fired = sum(1 for result in results if result.matches)
    print(f"items_with_match {fired / len(corpus):.3f} fraction")
    match_rate = _best_rate(run_matcher, len(corpus), args.rounds)
    print(f"match_items_per_s {match_rate:.0f} items/s")

    pattern = re_alternation(indicators)
    texts = [
        normalise(clean_text(item["title"])) + " | " + normalise(clean_text(item["summary"]))
        for item in corpus[: args.re_items]
    ]

    def run_re() -> object:
        return [sum(1 for _ in pattern.finditer(text)) for text in texts]

    re_rate = _best_rate(run_re, len(texts), max(1, args.rounds - 1))
    print(f"re_items_per_s {re_rate:.0f} items/s")
    print(f"match_vs_re {match_rate / re_rate:.1f} x")
    return 0
