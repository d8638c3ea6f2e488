"""Hedges and refusals with the shipped definitions: "does not rule out sending troops" leans toward
the war, "rules out sending troops" is a refusal, in several languages (sentences written for this test)."""

from __future__ import annotations

import pytest

from indicators import Matcher, load_indicators
from scenarios import load_scenarios, score_item

INDICATORS = load_indicators()
SCENARIOS = load_scenarios(INDICATORS)
MATCHER = Matcher(INDICATORS)


def war_score(text: str) -> float:
    return score_item(MATCHER.match({"title": text}), SCENARIOS)["belarus_war"].value


@pytest.mark.parametrize(
    "text",
    [
        "Lukashenko does not rule out sending Belarusian troops to Ukraine",
        "Лукашенко не исключает отправки белорусских войск в Украину",
        "Loukachenko n'exclut pas d'envoyer des troupes biélorusses en Ukraine",
        "Lukaschenko schließt nicht aus, belarussische Truppen in die Ukraine zu schicken",
        "Łukaszenka nie wyklucza wysłania białoruskich wojsk na Ukrainę",
    ],
)
def test_a_hedge_is_not_a_refusal(text: str) -> None:
    assert war_score(text) > 0


@pytest.mark.parametrize(
    "text",
    [
        "Lukashenko rules out sending Belarusian troops to Ukraine",
        "Лукашенко исключил отправку белорусских войск в Украину",
        "Loukachenko exclut d'envoyer des troupes biélorusses en Ukraine",
        "Lukashenko says Belarus will not send troops to Ukraine",
        "Łukaszenka wykluczył wysłanie białoruskich wojsk na Ukrainę",
        "Lukaschenko lehnt die Entsendung belarussischer Truppen in die Ukraine ab",
    ],
)
def test_a_refusal_is_a_deescalation(text: str) -> None:
    assert war_score(text) < 0
