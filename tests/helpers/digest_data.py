"""A realistic in-memory ``Digest`` for rendering tests: 60 days of history for the three shipped scenarios,
multilingual stories with matched phrases, feed problems, config changes, and hostile feed text.

Deterministic (no clock, no randomness) so the golden Markdown file can pin the rendering down.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.digest.content import (
    DayPoint,
    Digest,
    DigestStory,
    FeedProblem,
    IndicatorMove,
    IndicatorRef,
    LevelBand,
    Phrase,
    ScenarioDigest,
)
from monitor.feed_health import FeedHealth
from scenarios import BASE_LEVEL, Level

DAY = date(2025, 11, 20)
HISTORY_DAYS = 60
TZ = "Europe/Vilnius"

# Hostile feed text: each would run script, load something or create a link if it reached a page unescaped.
SCRIPT_TITLE = (
    "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"
    " Belarus masses troops near Mazyr <img src=x onerror=\"document.title='PWNED'\">"
    " [click here](https://evil.example/) `rm -rf /` **not bold**"
)
SCRIPT_URL = "javascript:alert(1)"
DATA_URL = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
RELATIVE_URL = "/news/2025/11/20/relative-link"
LONG_URL = "https://www.example.org/news/" + "belarus-border-" * 12 + "?utm_source=rss&ref=" + "x" * 120
LONG_WORD = "Mazyr-Kalinkavichy-Khoiniki-" + "railhead" * 14


def _phrases(field: str, text: str, wanted: Sequence[tuple[str, str]]) -> tuple[Phrase, ...]:
    """Phrase spans located by search, so the fixture stays correct when a title is edited."""
    out = []
    for phrase, indicator in wanted:
        start = text.find(phrase)
        if start < 0:
            raise AssertionError(f"fixture phrase {phrase!r} not in {text!r}")
        out.append(Phrase(field, start, start + len(phrase), indicator))
    return tuple(out)


def _story(
    title: str,
    *,
    feed: str,
    url: str | None,
    contribution: float,
    sources: int,
    phrases: Sequence[tuple[str, str]],
    summary: str = "",
    summary_phrases: Sequence[tuple[str, str]] = (),
    days_ago: int = 0,
) -> DigestStory:
    return DigestStory(
        title=title,
        summary=summary,
        url=url,
        feed=feed,
        day=DAY - timedelta(days=days_ago),
        contribution=contribution,
        sources=sources,
        indicators=tuple(dict.fromkeys(i for _, i in (*phrases, *summary_phrases))),
        phrases=_phrases("title", title, phrases) + _phrases("summary", summary, summary_phrases),
    )


def _history(
    bands: Sequence[LevelBand], index_of: Callable[[int], float], spikes: set[int]
) -> tuple[DayPoint, ...]:
    """``index_of(i)`` for i = 0 (60 days ago) … 59 (today); levels with the thresholds' hysteresis."""
    level = BASE_LEVEL
    order = sorted(bands, key=lambda b: b.up)
    points = []
    previous = 0.0
    for i in range(HISTORY_DAYS):
        index = round(index_of(i), 2)
        # Up one level at a time when `up` is reached, down when below the current level's `down`.
        for band in order:
            if index >= band.up:
                level = band.level
        current = next((b for b in order if b.level == level), None)
        while current is not None and index < current.down:
            below = [b for b in order if b.up < current.up]
            level = below[-1].level if below else BASE_LEVEL
            current = below[-1] if below else None
        raw = round(max(0.0, index - previous * 0.93) + (2.5 if i in spikes else 0.0), 2)
        points.append(DayPoint(DAY - timedelta(days=HISTORY_DAYS - 1 - i), index, raw, level, i in spikes))
        previous = index
    return tuple(points)


def _scenario(
    sid: str,
    title: str,
    bands: tuple[LevelBand, ...],
    history: tuple[DayPoint, ...],
    **rest: object,
) -> ScenarioDigest:
    today, yesterday, week = history[-1], history[-2], history[-8]
    by_size = {"key": lambda x: -abs(x.contribution)}
    for name in ("movers", "stories", "counter_indicators"):
        rest[name] = tuple(sorted(rest[name], **by_size))  # type: ignore[call-overload]
    if today.level != BASE_LEVEL and "holding" not in rest:
        # What holds the level up: the escalating stories, as seen four days later, half decayed.
        escalating = [st for st in rest["stories"] if st.contribution > 0]  # type: ignore[attr-defined]
        rest["holding"] = tuple(
            dataclasses.replace(
                st, day=st.day - timedelta(days=4), contribution=round(st.contribution / 2, 2)
            )
            for st in escalating[:3]
        )
    return ScenarioDigest(
        id=sid,
        title=title,
        level=today.level,
        index=today.index,
        change_1d=round(today.index - yesterday.index, 2),
        change_7d=round(today.index - week.index, 2),
        bands=bands,
        history=history,
        level_changed_from=yesterday.level if yesterday.level != today.level else None,
        **rest,  # type: ignore[arg-type]
    )


def belarus_war() -> ScenarioDigest:
    bands = (
        LevelBand(Level("watch"), 4.0, 2.0),
        LevelBand(Level("warning"), 10.0, 6.0),
        LevelBand(Level("alert"), 20.0, 14.0),
    )

    def index(i: int) -> float:
        base = 1.6 + 0.6 * math.sin(i / 4.0)
        return base + (0.0 if i < 44 else (i - 44) * 0.45) + (3.0 if i >= 59 else 0.0)

    history = _history(bands, index, spikes={21, 52, 59})
    summary = (
        "Minsk, 20 November. The Belarusian defence ministry said on Thursday that units of the "
        "North-Western operational command had been redeployed. According to the statement, "
        "Lukashenko ordered a battalion tactical group to the Ukrainian border for an unscheduled "
        "readiness check, days after the end of the Zapad-2025 drills; Kyiv said it was watching the "
        "movements closely and reinforced its own northern positions near the Volyn region."
    )
    stories = (
        _story(
            "Lukashenko orders troops to the Ukrainian border days after Zapad drills",
            feed="Reuters World",
            url="https://www.reuters.com/world/europe/lukashenko-orders-troops-ukrainian-border-2025-11-20/",
            contribution=6.0,
            sources=5,
            phrases=[
                ("troops to the Ukrainian border", "bw_troops_to_border"),
                ("Zapad", "bw_named_exercise"),
            ],
            summary=summary,
            summary_phrases=[("to the Ukrainian border", "bw_troops_to_border")],
        ),
        _story(
            "Лукашенко: белорусская армия приведена в полную боевую готовность",
            feed="Meduza (ru)",
            url="https://meduza.io/news/2025/11/20/lukashenko-boevaya-gotovnost",
            contribution=4.0,
            sources=3,
            phrases=[("приведена в полную боевую готовность", "bw_readiness_mobilisation")],
        ),
        _story(
            "Rosyjskie Iskandery rozmieszczone na Białorusi, potwierdza Mińsk",
            feed="Rzeczpospolita",
            url="https://www.rp.pl/konflikty-zbrojne/art-iskandery-bialorus",
            contribution=3.0,
            sources=2,
            phrases=[("Iskandery rozmieszczone na Białorusi", "bw_missile_systems_in_belarus")],
        ),
        _story(
            SCRIPT_TITLE,
            feed="Unvetted blog <b>aggregator</b>",
            url=SCRIPT_URL,
            contribution=3.0,
            sources=1,
            phrases=[("masses troops", "bw_troops_to_border")],
        ),
        _story(
            f"Satellite images show new military infrastructure near the border: {LONG_WORD}",
            feed="OSINT digest",
            url=LONG_URL,
            contribution=2.0,
            sources=1,
            phrases=[("military infrastructure near the border", "bw_military_infrastructure")],
            days_ago=1,
        ),
        _story(
            "Belarus mobilisation notices reported in Homiel region",
            feed="Nasha Niva (be)",
            url=DATA_URL,
            contribution=2.0,
            sources=1,
            phrases=[("mobilisation", "bw_readiness_mobilisation")],
            days_ago=1,
        ),
        _story(
            "Lukashenko says Belarus will not send troops to Ukraine",
            feed="BelTA",
            url=RELATIVE_URL,
            contribution=-5.0,
            sources=2,
            phrases=[("will not send troops", "bw_refuses_war")],
            days_ago=2,
        ),
    )
    return _scenario(
        "belarus_war",
        "Belarus enters the war against Ukraine",
        bands,
        history,
        movers=(
            IndicatorMove(
                "bw_troops_to_border",
                "Belarusian troops or weapons moved to or massed at the border",
                1,
                9.0,
                2,
            ),
            IndicatorMove(
                "bw_readiness_mobilisation", "Belarusian combat-readiness checks or mobilisation", 1, 6.0, 2
            ),
            IndicatorMove(
                "bw_refuses_war", "Lukashenko refusing to send troops or join the war", -1, -5.0, 1
            ),
            IndicatorMove(
                "bw_missile_systems_in_belarus",
                "Iskander, Oreshnik or other strike systems placed in Belarus",
                1,
                3.0,
                1,
            ),
        ),
        stories=stories,
        counter_indicators=(
            IndicatorMove(
                "bw_refuses_war", "Lukashenko refusing to send troops or join the war", -1, -5.0, 1
            ),
        ),
        novel=(
            IndicatorRef(
                "bw_missile_systems_in_belarus",
                "Iskander, Oreshnik or other strike systems placed in Belarus",
                DAY,
            ),
        ),
        not_observed=(
            IndicatorRef("bw_enters_war", "Belarus joining or being drawn into the war"),
            IndicatorRef("bw_strikes_from_belarus", "Strikes launched from Belarusian territory"),
            IndicatorRef("bw_troops_into_ukraine", "Belarusian troops to be sent into Ukraine"),
            IndicatorRef(
                "bw_nuclear_in_belarus",
                "Russian nuclear weapons or warheads deployed to Belarus",
                date(2025, 6, 2),
            ),
        ),
    )


def airspace_nato() -> ScenarioDigest:
    bands = (
        LevelBand(Level("watch"), 3.0, 1.5),
        LevelBand(Level("warning"), 8.0, 5.0),
        LevelBand(Level("alert"), 15.0, 10.0),
    )
    bursts = {12: 6.0, 33: 9.5, 55: 8.5}

    def index(i: int) -> float:
        value = 0.6 + 0.3 * math.cos(i / 3.0)
        for day, height in bursts.items():
            if i >= day:
                value += height * 0.5 ** ((i - day) / 4.0)
        return value

    history = _history(bands, index, spikes=set(bursts))
    stories = (
        _story(
            "Vilniaus oro uostas vėl uždarytas dėl balionų iš Baltarusijos",
            feed="LRT (lt)",
            url="https://www.lrt.lt/naujienos/lietuvoje/2/oro-uostas-uzdarytas",
            contribution=2.0,
            sources=4,
            phrases=[("oro uostas vėl uždarytas", "an_airport_closed")],
            days_ago=1,
        ),
        _story(
            "Polskie myśliwce poderwane po ataku dronów na zachodnią Ukrainę",
            feed="TVN24 (pl)",
            url="https://tvn24.pl/polska/mysliwce-poderwane-drony",
            contribution=2.0,
            sources=3,
            phrases=[("myśliwce poderwane", "an_jets_scrambled")],
        ),
        _story(
            "Drone debris found in a field in eastern Poland, prosecutors say",
            feed="Notes from Poland",
            url="http://notesfrompoland.com/2025/11/20/drone-debris-found/",
            contribution=3.0,
            sources=2,
            phrases=[("Drone debris found", "an_drone_debris")],
        ),
    )
    return _scenario(
        "airspace_nato",
        "The war's airspace spills into NATO",
        bands,
        history,
        movers=(
            IndicatorMove(
                "an_drone_debris", "Drone crashed or debris found in a NATO flank state", 1, 3.0, 1
            ),
            IndicatorMove(
                "an_airport_closed", "Airport or air traffic halted because of drones or balloons", 1, 2.0, 1
            ),
            IndicatorMove("an_jets_scrambled", "NATO or flank-state jets scrambled", 1, 2.0, 1),
            IndicatorMove(
                "an_airspace_reopened", "Airport or airspace reopened, flights resumed", -1, -2.0, 1
            ),
        ),
        stories=stories,
        counter_indicators=(
            IndicatorMove(
                "an_airspace_reopened", "Airport or airspace reopened, flights resumed", -1, -2.0, 1
            ),
        ),
        novel=(),
        not_observed=(
            IndicatorRef("an_article_4_5", "NATO Article 4 or 5 invoked or requested", date(2025, 9, 10)),
            IndicatorRef(
                "an_from_belarus_into_nato", "Drones or balloons from Belarus entering a NATO state"
            ),
        ),
    )


def energy_cutoff() -> ScenarioDigest:
    bands = (
        LevelBand(Level("watch"), 3.0, 1.5),
        LevelBand(Level("warning"), 7.0, 4.0),
        LevelBand(Level("alert"), 12.0, 8.0),
    )

    def index(i: int) -> float:
        return max(0.0, 1.1 - i * 0.012 + 0.25 * math.sin(i / 5.0))

    history = _history(bands, index, spikes=set())
    return _scenario(
        "energy_cutoff",
        "Russia cuts or weaponises Belarus's energy",
        bands,
        history,
        movers=(IndicatorMove("ec_energy_deal", "Gas or oil agreement reached with Belarus", -1, -1.5, 1),),
        stories=(
            _story(
                "Gazprom und Minsk einigen sich auf Gaspreis für 2026",
                feed="Deutsche Welle (de)",
                url="https://www.dw.com/de/gazprom-minsk-gaspreis-2026/a-70000000",
                contribution=-1.5,
                sources=2,
                phrases=[("einigen sich auf Gaspreis", "ec_energy_deal")],
                days_ago=3,
            ),
        ),
        counter_indicators=(
            IndicatorMove("ec_energy_deal", "Gas or oil agreement reached with Belarus", -1, -1.5, 1),
        ),
        novel=(),
        not_observed=(
            IndicatorRef(
                "ec_supply_cut_belarus", "Gas or oil supply to or through Belarus cut, halved or suspended"
            ),
            IndicatorRef(
                "ec_druzhba_disruption",
                "Druzhba pipeline flow halted, restricted or leaking",
                date(2025, 7, 14),
            ),
        ),
    )


def feed_problems() -> tuple[FeedProblem, ...]:
    tz = ZoneInfo(TZ)
    return (
        FeedProblem(
            "Nasha Niva",
            "https://nashaniva.com/rss/",
            "be",
            FeedHealth.FAILING,
            "connection refused, 6 failures in a row",
            datetime(2025, 11, 18, 6, 40, tzinfo=tz),
        ),
        FeedProblem(
            "Zerkalo",
            "https://news.zerkalo.io/rss/all.rss?" + "long=1&" * 20,
            "be",
            FeedHealth.FAILING,
            "HTTP 403 Forbidden, 3 failures in a row",
            datetime(2025, 11, 19, 22, 10, tzinfo=tz),
        ),
        FeedProblem(
            "Delfi",
            "https://www.delfi.lt/rss/feeds/daily.xml",
            "lt",
            FeedHealth.SILENT,
            "no new item for 3 days (usually every 40 min)",
            datetime(2025, 11, 20, 6, 55, tzinfo=tz),
        ),
        FeedProblem(
            "Old ministry feed <script>x</script>",
            "http://mil.gov.example/rss",
            None,
            FeedHealth.DISABLED,
            "HTTP 410 Gone: disabled",
            None,
        ),
    )


def build_digest() -> Digest:
    """The fixture digest: belarus_war at warning (up from watch), airspace_nato at watch, energy calm."""
    return Digest(
        day=DAY,
        generated_at=datetime(2025, 11, 20, 7, 0, tzinfo=ZoneInfo(TZ)),
        timezone=TZ,
        scenarios=(belarus_war(), airspace_nato(), energy_cutoff()),
        feed_problems=feed_problems(),
        feeds_total=42,
        thin_languages=("be",),
        thin_scenarios=("belarus_war",),
        config_hash="3f9a2c71d04be8e5a6c1f0e9b27d8c4415aa90e3c7b6d2f18e4a5b9c0d1e2f3a",
        config_changes=(
            "belarus_war: weight of bw_joint_exercise 2.0 → 1.5",
            "feed added: TVN24 (pl) https://tvn24.pl/najnowsze.xml",
            "airspace_nato: half-life 4 → 5 days",
        ),
    )


def empty_digest() -> Digest:
    """A day with nothing stored: the digest must say so in one sentence and still be a valid page."""
    return Digest(
        day=DAY,
        generated_at=datetime(2025, 11, 20, 7, 0, tzinfo=ZoneInfo(TZ)),
        timezone=TZ,
        scenarios=(),
        feed_problems=(),
        feeds_total=42,
        thin_languages=(),
        config_hash="3f9a2c71d04be8e5a6c1f0e9b27d8c4415aa90e3c7b6d2f18e4a5b9c0d1e2f3a",
        has_data=False,
    )
