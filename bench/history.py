"""A deterministic 60-day news history for the three shipped scenarios, as JSON Lines for
``monitor import``: used by the digest benchmark and by the digest's golden test.

The texts are written for this fixture (not taken from any outlet). Each event is reported by one
to five outlets with edited headlines, so stories and corroboration show; belarus_war builds up over
the last ten days, airspace_nato has a burst of incidents, energy_cutoff has a dispute that resolves.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SOURCES = ("Wire One", "Baltic Daily", "Kyiv Ledger", "Minsk Watch", "Warsaw Courier")
END = date(2026, 10, 30)
DAYS = 60

EVENTS: dict[str, list[tuple[str, str]]] = {
    "war_up": [
        (
            "Belarus moves Iskander launchers toward the Ukrainian border",
            "Minsk ordered additional missile units and battalions to the southern border regions facing Ukraine.",
        ),
        (
            "Russian nuclear warheads delivered to Belarus, Lukashenko says",
            "Lukashenko said the tactical nuclear weapons were now stored on Belarusian territory.",
        ),
        (
            "Zapad joint exercises begin in Belarus with thousands of Russian troops",
            "The joint strategic exercises of Russian and Belarusian troops started near the border.",
        ),
        (
            "Лукашенко приказал усилить группировку войск на границе с Украиной",
            "Белорусские войска и ракетные комплексы направлены в приграничные районы.",
        ),
    ],
    "war_down": [
        (
            "Lukashenko says Belarus will not send troops to Ukraine",
            "The Belarusian leader said his army would not take part in the war.",
        ),
        (
            "Belarus frees political prisoners as US eases sanctions on Belavia",
            "Minsk released a group of political prisoners after talks with a US envoy.",
        ),
    ],
    "air": [
        (
            "Drone from Belarus crashes in Lithuania, Vilnius airport closed",
            "A drone that entered Lithuanian airspace from Belarus crashed; flights at Vilnius airport were suspended.",
        ),
        (
            "Poland scrambles jets as Russian drones cross from Belarus",
            "Several drones entered Polish airspace from Belarus overnight; NATO aircraft were scrambled.",
        ),
        (
            "Latvia reports airspace violation by a drone flying in from Belarus",
            "The Latvian army said a drone crossed the border from Belarus and crashed in a field.",
        ),
    ],
    "energy_up": [
        (
            "Gazprom threatens to cut gas supplies to Belarus over unpaid debt",
            "Moscow demanded that Minsk pay its gas arrears or face a reduction of deliveries.",
        ),
        (
            "Oil transit through the Druzhba pipeline in Belarus halted",
            "Russian oil deliveries through the Druzhba pipeline were stopped at the Belarusian border.",
        ),
    ],
    "energy_down": [
        (
            "Russian gas supplies to Belarus resume after a price deal",
            "Gazprom and Minsk agreed on the 2027 gas price and deliveries resumed in full.",
        ),
    ],
    "noise": [
        ("Minsk football club wins the national cup", "Fans celebrated in the capital."),
        ("Weather: first snow expected in Vilnius", "Forecasters expect a cold weekend."),
        ("Ukrainian forces repel attacks near Pokrovsk", "Fighting continued in the Donetsk region."),
    ],
}


def _schedule(day_index: int, rng: random.Random) -> list[str]:
    """Which kinds of event happen on day ``day_index`` (0 = first day of history)."""
    kinds = ["noise"] * rng.randint(1, 3)
    late = day_index >= DAYS - 10
    if rng.random() < (0.6 if late else 0.12):
        kinds.append("war_up")
    if late and rng.random() < 0.5:
        kinds.append("war_up")
    if rng.random() < 0.1:
        kinds.append("war_down")
    if DAYS - 25 <= day_index < DAYS - 20:
        kinds += ["air"] * rng.randint(1, 3)
    elif rng.random() < 0.08:
        kinds.append("air")
    if DAYS - 40 <= day_index < DAYS - 30 and rng.random() < 0.5:
        kinds.append("energy_up")
    if day_index == DAYS - 29:
        kinds.append("energy_down")
    return kinds


def records(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    start = END - timedelta(days=DAYS - 1)
    serial = 0
    for day_index in range(DAYS):
        day = start + timedelta(days=day_index)
        for kind in _schedule(day_index, rng):
            title, summary = rng.choice(EVENTS[kind])
            outlets = rng.sample(SOURCES, rng.randint(1, 5 if kind != "noise" else 1))
            at = datetime(day.year, day.month, day.day, rng.randint(5, 20), rng.randint(0, 59), tzinfo=UTC)
            for n, source in enumerate(outlets):
                serial += 1
                edited = title if n == 0 else f"{title} ({source})"
                out.append(
                    {
                        "id": f"h{serial}",
                        "title": edited,
                        "summary": summary,
                        "url": f"https://{source.lower().replace(' ', '-')}.example/{serial}",
                        "source": source,
                        "lang": "ru" if title[0] in "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ" else "en",
                        "published": (at + timedelta(minutes=9 * n)).isoformat(),
                    }
                )
    return out


def write(path: Path, seed: int = 7) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(seed)), encoding="utf-8"
    )
    return path
