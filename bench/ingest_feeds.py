"""The ingest benchmark's synthetic feeds: deterministic items, rendered as RSS 2.0 or Atom.

Feed ``f`` (0-based) has an endless sequence of items ``k = 0, 1, 2 ...``; item ``(f, k)`` depends only
on the seed, ``f`` and ``k``, so the server process and the harness generate the same text without
sharing anything. Round ``r`` serves items ``[10 r, 10 r + 50)`` newest first: each round adds ten
items and drops the ten oldest. Negative ``k`` are the history items (published over the 30 days
before item 0).

Texts: filler clauses in the feed's language (the match benchmark's, plus Latvian ones written here),
and, in about ``MATCH_SHARE`` of the items, one sentence written for this benchmark from the
definitions' actor and event words (Belarus, troops, border, drone, airspace, gas supply ...) in the
title or the summary. The share the project's matcher really fires on is measured by the harness.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from bench.match import CLAUSES, DAYS, _name

ITEMS_PER_FEED = 50
NEW_PER_ROUND = 10
ROUNDS = 5
HISTORY_DAYS = 30
MATCH_SHARE = 0.2
STEP = timedelta(minutes=6)  # between two consecutive items of one feed (rounds and first poll)
LANGS = ("en", "fr", "de", "ru", "uk", "be", "pl", "lt", "lv")

FILLER: dict[str, tuple[str, ...]] = {
    **CLAUSES,
    "lv": (
        "paziņoja ministrija {day}",
        "teikts vakarā publiskotajā paziņojumā",
        "{name} sacīja žurnālistiem",
        "informāciju neizdevās neatkarīgi pārbaudīt",
        "evakuēti {n} cilvēki",
        "sarunas turpināsies nākamnedēļ",
        "cenas pieauga par {n} procentiem",
        "valdība paziņoja par jauniem pasākumiem",
        "lēmumu kritizēja opozīcija",
        "kā vēsta vietējie mediji",
    ),
}

# Written for this benchmark from the definitions' vocabularies; each one fires at least one
# shipped indicator (checked when this list was written; the harness measures the share again).
SIGNALS: dict[str, tuple[str, ...]] = {
    "en": (
        "Belarus moves troops and armour toward the Ukrainian border",
        "A drone from Belarus violated Lithuanian airspace near Vilnius",
        "Gazprom threatens to cut gas supplies to Belarus",
        "Polish jets scrambled after Russian drones entered Polish airspace from Belarus",
    ),
    "fr": (
        "La Biélorussie déplace des troupes vers la frontière ukrainienne",
        "Un drone venu de Biélorussie a violé l'espace aérien lituanien",
        "Gazprom menace de couper les livraisons de gaz à la Biélorussie",
        "Des avions de l'OTAN ont décollé après l'entrée de drones russes dans l'espace aérien polonais",
    ),
    "de": (
        "Belarus verlegt Truppen an die Grenze zur Ukraine",
        "Eine Drohne aus Belarus verletzte den litauischen Luftraum",
        "Russische Drohnen drangen aus Belarus in den polnischen Luftraum ein",
    ),
    "ru": (
        "Беларусь перебрасывает войска к границе с Украиной",
        "Беспилотник из Беларуси нарушил воздушное пространство Литвы",
        "Газпром пригрозил прекратить поставки газа в Беларусь",
        "Лукашенко приказал направить дополнительные войска к украинской границе",
    ),
    "uk": (
        "Білорусь перекидає війська до кордону з Україною",
        "Дрон з Білорусі порушив повітряний простір Литви",
        "Газпром погрожує припинити постачання газу до Білорусі",
        "Лукашенко наказав стягнути війська до українського кордону",
    ),
    "be": (
        "Беларусь перакідвае войскі да мяжы з Украінай",
        "Дрон з Беларусі парушыў паветраную прастору Літвы",
        "Газпром пагражае спыніць пастаўкі газу ў Беларусь",
        "Лукашэнка загадаў накіраваць войскі да ўкраінскай мяжы",
    ),
    "pl": (
        "Białoruś przerzuca wojska w pobliże granicy z Ukrainą",
        "Dron z Białorusi naruszył przestrzeń powietrzną Litwy",
        "Gazprom grozi wstrzymaniem dostaw gazu na Białoruś",
        "Rosyjskie drony wleciały w polską przestrzeń powietrzną z Białorusi",
    ),
    "lt": (
        "Baltarusija perkelia karius prie sienos su Ukraina",
        "Dronas iš Baltarusijos pažeidė Lietuvos oro erdvę",
        "Gazprom grasina nutraukti dujų tiekimą Baltarusijai",
        "Iš Baltarusijos atskridęs dronas nukrito netoli Vilniaus",
    ),
    "lv": (
        "Baltkrievija pārvieto karaspēku uz Ukrainas robežu",
        "Drons no Baltkrievijas pārkāpa Latvijas gaisa telpu",
        "Gazprom draud pārtraukt gāzes piegādes Baltkrievijai",
        "Krievijas droni no Baltkrievijas ielidoja Polijas gaisa telpā",
    ),
}


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    link: str
    title: str
    summary: str  # may hold HTML, as feeds ship it
    published: datetime
    signal: bool  # a signal sentence was put in (whether the matcher fires is measured separately)


def feed_language(feed: int) -> str:
    return LANGS[feed % len(LANGS)]


def feed_format(feed: int) -> str:
    """Every other feed is Atom."""
    return "atom" if feed % 2 else "rss"


def feed_name(feed: int) -> str:
    return f"bench feed {feed:04d}"


def epoch(now: datetime | None = None) -> datetime:
    """Item 0's publication time: far enough back that the last round's newest item is in the past."""
    current = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    return current - STEP * (ITEMS_PER_FEED + NEW_PER_ROUND * ROUNDS + 1)


def published_at(t0: datetime, k: int, history_items: int) -> datetime:
    if k >= 0:
        return t0 + STEP * k
    return t0 + timedelta(days=HISTORY_DAYS) * k / max(history_items, 1)


def _clauses(lang: str, rng: random.Random, target: int) -> str:
    parts: list[str] = []
    length = 0
    while length < target:
        clause = rng.choice(FILLER[lang]).format(
            day=rng.choice(DAYS), n=rng.randint(2, 2000), name=_name(rng)
        )
        parts.append(clause)
        length += len(clause) + 2
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] + "."


def item(seed: int, feed: int, k: int, t0: datetime, history_items: int = 0) -> Item:
    rng = random.Random(f"{seed}/{feed}/{k}")
    lang = feed_language(feed)
    signal = rng.random() < MATCH_SHARE
    title = _clauses(lang, rng, rng.randint(40, 90)).rstrip(".")
    summary = _clauses(lang, rng, rng.randint(300, 620))
    if signal:
        sentence = rng.choice(SIGNALS[lang])
        if rng.random() < 0.5:
            title = sentence
        else:
            at = summary.find(". ", len(summary) // 3)
            at = at + 2 if at >= 0 else 0
            summary = f"{summary[:at]}{sentence}. {summary[at:]}"
    if rng.random() < 0.3:  # HTML summaries, as many feeds ship them
        at = summary.find(" ", len(summary) // 2)
        link = f'<a href="https://example.org/{rng.randint(1, 999)}">{_name(rng)}</a>'
        summary = f"<p>{summary[:at]} {link}&nbsp;{summary[at:]}</p>"
    return Item(
        guid=f"https://news{feed}.example/item/{k}",
        link=f"https://news{feed}.example/{lang}/{k}.html",
        title=title,
        summary=summary,
        published=published_at(t0, k, history_items),
        signal=signal,
    )


def window(seed: int, feed: int, round_: int, t0: datetime) -> list[Item]:
    """The items a feed serves in ``round_``, newest first."""
    start = NEW_PER_ROUND * round_
    return [item(seed, feed, k, t0) for k in reversed(range(start, start + ITEMS_PER_FEED))]


def render(feed: int, items: list[Item], base_url: str) -> bytes:
    """RSS 2.0 or Atom 1.0 (by ``feed_format``) with ``items`` in the given order."""
    lang = feed_language(feed)
    title = escape(feed_name(feed))
    updated = max(i.published for i in items)
    if feed_format(feed) == "rss":
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
            f'<guid isPermaLink="false">{escape(i.guid)}</guid>'
            f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>"
            f"<description>{escape(i.summary)}</description></item>\n"
            for i in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title><link>{escape(base_url)}</link><description>{title}</description>"
            f"<language>{lang}</language>"
            f"<lastBuildDate>{format_datetime(updated, usegmt=True)}</lastBuildDate>\n"
            f"{entries}</channel></rss>\n"
        ).encode()
    entries = "".join(
        f"<entry><title>{escape(i.title)}</title><link href={_attr(i.link)}/>"
        f"<id>{escape(i.guid)}</id><updated>{i.published.isoformat()}</updated>"
        f"<published>{i.published.isoformat()}</published>"
        f'<summary type="html">{escape(i.summary)}</summary></entry>\n'
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
        f"<title>{title}</title><id>{escape(base_url)}</id><link href={_attr(base_url)}/>"
        f"<updated>{updated.isoformat()}</updated><author><name>bench</name></author>\n"
        f"{entries}</feed>\n"
    ).encode()


def _attr(value: str) -> str:
    return '"' + escape(value, {'"': "&quot;"}) + '"'
