"""Item contributions on hand-computed values, their invariants, and the check() warnings."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import DefinitionError, Evidence, IndicatorSet, Match, Matcher, MatchResult, Polarity
from scenarios import ContributionPart, ScenarioSet, check, load_scenarios, score_item
from tests.helpers import WriteFile


def test_hand_computed_contributions(matcher: Matcher, scenario_set: ScenarioSet) -> None:
    # fires ind_a (+), ind_b (+), ind_e (-)
    result = matcher.match({"title": "alphaword and betaword", "summary": "omegaword"})
    contributions = score_item(result, scenario_set, reliability=0.5)
    one, two = contributions["s_one"], contributions["s_two"]
    # s_one weighs only ind_a: 2 × (+1) × 0.5
    assert one.value == pytest.approx(1.0)
    assert one.parts == (ContributionPart("ind_a", 2.0, Polarity.ESCALATION, 0.5, 1.0),)
    assert one.relevant  # |1.0| >= 1.0
    # s_two: ind_b 1 × (+1) × 0.5 + ind_e 0.5 × (-1) × 0.5 = 0.25, below relevance 2
    assert two.value == pytest.approx(0.25)
    assert [p.indicator_id for p in two.parts] == ["ind_b", "ind_e"]
    assert [p.value for p in two.parts] == [0.5, -0.25]
    assert not two.relevant


def test_negated_escalation_scores_as_its_counter(matcher: Matcher, scenario_set: ScenarioSet) -> None:
    result = matcher.match({"title": "not gammaword"})
    assert [(m.indicator_id, m.via_negation) for m in result.matches] == [("ind_d", "ind_c")]
    contributions = score_item(result, scenario_set)
    assert contributions["s_one"].value == -1.5  # ind_d, not +3 for ind_c
    assert contributions["s_one"].relevant
    assert contributions["s_two"].value == 0.0  # s_two does not weigh ind_d
    assert contributions["s_two"].parts == ()
    assert not contributions["s_two"].relevant


def test_every_scenario_is_reported_even_without_matches(scenario_set: ScenarioSet) -> None:
    contributions = score_item(MatchResult((), ()), scenario_set)
    assert list(contributions) == ["s_one", "s_two"]
    assert all(c.value == 0 and not c.relevant and c.parts == () for c in contributions.values())


def test_each_indicator_counts_once_per_item(scenario_set: ScenarioSet) -> None:
    evidence = (Evidence("title", 0, 9, "alphaword", "alphaword"),)
    twice = MatchResult(
        (Match("ind_a", Polarity.ESCALATION, evidence), Match("ind_a", Polarity.ESCALATION, evidence)), ()
    )
    assert score_item(twice, scenario_set)["s_one"].value == 2.0


def test_exactly_at_relevance_threshold_is_relevant(indicator_set: IndicatorSet, write: WriteFile) -> None:
    path = write(
        "s.yaml",
        """
        scenarios:
          tenths:
            title: Tenths
            relevance_threshold: 0.3
            stacking_share: 1
            half_life_days: 1
            thresholds: [{level: watch, up: 1, down: 0}]
            indicators: {ind_a: 0.1, ind_b: 0.2}
        """,
    )
    scenario_set = load_scenarios(indicator_set, [path], include_shipped=False)
    result = Matcher(indicator_set).match({"title": "alphaword betaword"})
    contribution = score_item(result, scenario_set)["tenths"]
    assert contribution.relevant  # 0.1 + 0.2 is 0.30000000000000004 or a hair under, still relevant


# --- stacking -----------------------------------------------------------------------------------------


def _stacking_set(indicator_set: IndicatorSet, write: WriteFile, share: str | None) -> ScenarioSet:
    line = f"stacking_share: {share}" if share is not None else ""
    body = f"""
        scenarios:
          overlap:
            title: Overlapping indicators
            half_life_days: 1
            {line}
            thresholds: [{{level: watch, up: 1, down: 0}}]
            indicators: {{ind_a: 3.0, ind_b: 2.5, ind_c: 2.0, ind_d: 1.0, ind_e: 1.5}}
        """
    return load_scenarios(indicator_set, [write("s.yaml", body)], include_shipped=False)


def test_stacking_worked_example_with_the_default_share(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    # README "Stacking": three escalations 3.0, 2.5, 2.0 → 3.0 + 2.5 × 0.5 + 2.0 × 0.25 = 4.75, not 7.5
    scenario_set = _stacking_set(indicator_set, write, None)
    assert scenario_set.scenarios["overlap"].stacking_share == 0.5
    result = Matcher(indicator_set).match({"title": "gammaword alphaword betaword"})
    contribution = score_item(result, scenario_set)["overlap"]
    assert contribution.value == pytest.approx(4.75)
    assert contribution.unstacked == pytest.approx(7.5)
    assert {p.indicator_id: p.stacking for p in contribution.parts} == {
        "ind_a": 1.0,
        "ind_b": 0.5,
        "ind_c": 0.25,
    }
    assert {p.indicator_id: p.counted for p in contribution.parts} == {
        "ind_a": 3.0,
        "ind_b": 1.25,
        "ind_c": 0.5,
    }


def test_stacking_ranks_each_sign_apart(indicator_set: IndicatorSet, write: WriteFile) -> None:
    # escalations 3.0 and 2.5, de-escalations 1.5 and 1.0: (3.0 + 1.25) − (1.5 + 0.5) = 2.25
    scenario_set = _stacking_set(indicator_set, write, None)
    result = Matcher(indicator_set).match({"title": "alphaword betaword", "summary": "omegaword deltaword"})
    contribution = score_item(result, scenario_set)["overlap"]
    assert contribution.value == pytest.approx(2.25)
    assert {p.indicator_id: p.stacking for p in contribution.parts} == {
        "ind_a": 1.0,
        "ind_b": 0.5,
        "ind_e": 1.0,
        "ind_d": 0.5,
    }


@pytest.mark.parametrize(("share", "expected"), [("1", 7.5), ("0", 3.0), ("0.25", 3.0 + 2.5 / 4 + 2.0 / 16)])
def test_stacking_share_one_adds_all_and_zero_keeps_the_strongest(
    indicator_set: IndicatorSet, write: WriteFile, share: str, expected: float
) -> None:
    scenario_set = _stacking_set(indicator_set, write, share)
    result = Matcher(indicator_set).match({"title": "alphaword betaword gammaword"})
    assert score_item(result, scenario_set)["overlap"].value == pytest.approx(expected)


def test_stacking_ranks_by_value_after_reliability_and_factor(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    # a conditional halves ind_a to 1.5, so ind_b (2.5) is now the strongest and counts in full
    scenario_set = _stacking_set(indicator_set, write, None)
    matches = (Match("ind_a", Polarity.ESCALATION, (), factor=0.5), Match("ind_b", Polarity.ESCALATION, ()))
    contribution = score_item(MatchResult(matches, ()), scenario_set, reliability=2.0)["overlap"]
    assert {p.indicator_id: p.stacking for p in contribution.parts} == {"ind_a": 0.5, "ind_b": 1.0}
    assert contribution.value == pytest.approx(5.0 + 3.0 * 0.5)


def test_stacking_ties_do_not_depend_on_the_order_of_the_matches(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = """
        scenarios:
          even:
            title: Equal weights
            half_life_days: 1
            thresholds: [{level: watch, up: 1, down: 0}]
            indicators: {ind_a: 2.0, ind_b: 2.0}
        """
    scenario_set = load_scenarios(indicator_set, [write("s.yaml", body)], include_shipped=False)
    a, b = Match("ind_a", Polarity.ESCALATION, ()), Match("ind_b", Polarity.ESCALATION, ())
    forward = score_item(MatchResult((a, b), ()), scenario_set)["even"]
    backward = score_item(MatchResult((b, a), ()), scenario_set)["even"]
    assert forward.value == backward.value == 3.0
    shares = {p.indicator_id: p.stacking for p in forward.parts}
    assert shares == {p.indicator_id: p.stacking for p in backward.parts} == {"ind_a": 1.0, "ind_b": 0.5}


def test_stacking_can_take_an_item_below_the_relevance_threshold(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = """
        scenarios:
          small:
            title: Small weights
            half_life_days: 1
            relevance_threshold: 1.5
            thresholds: [{level: watch, up: 1, down: 0}]
            indicators: {ind_a: 1.0, ind_b: 1.0}
        """
    scenario_set = load_scenarios(indicator_set, [write("s.yaml", body)], include_shipped=False)
    contribution = score_item(Matcher(indicator_set).match({"title": "alphaword betaword"}), scenario_set)[
        "small"
    ]
    # two weak wordings of one signal (1 + 0.5) no longer reach 1.5 the way 1 + 1 did
    assert (contribution.value, contribution.unstacked, contribution.relevant) == (1.5, 2.0, True)
    scenario_set = load_scenarios(
        indicator_set,
        [write("s.yaml", body.replace("relevance_threshold: 1.5", "relevance_threshold: 1.6"))],
        include_shipped=False,
    )
    contribution = score_item(Matcher(indicator_set).match({"title": "alphaword betaword"}), scenario_set)[
        "small"
    ]
    assert not contribution.relevant


@pytest.mark.parametrize("share", ["1.5", "-0.5", "yes"])
def test_a_bad_stacking_share_names_file_line_and_range(
    indicator_set: IndicatorSet, write: WriteFile, share: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        _stacking_set(indicator_set, write, share)
    message = str(caught.value)
    assert "s.yaml" in message and "line 6" in message and "'stacking_share'" in message
    assert "from 0" in message


def test_shipped_scenarios_bound_six_overlapping_airspace_indicators(
    shipped: tuple[Matcher, ScenarioSet],
) -> None:
    # The case: one report fires a run of airspace indicators. With the shipped share the
    # item adds less than twice its strongest indicator, whatever the number of wordings.
    _, scenario_set = shipped
    scenario = scenario_set.scenarios["airspace_nato"]
    ids = sorted(scenario.weights, key=lambda i: -scenario.weights[i])
    escalations = [i for i in ids if scenario_set.indicators.indicators[i].polarity == Polarity.ESCALATION][
        :6
    ]
    assert len(escalations) == 6
    matches = tuple(Match(i, Polarity.ESCALATION, ()) for i in escalations)
    contribution = score_item(MatchResult(matches, ()), scenario_set)["airspace_nato"]
    strongest = scenario.weights[escalations[0]]
    assert contribution.unstacked == pytest.approx(sum(scenario.weights[i] for i in escalations))
    assert strongest <= contribution.value < 2 * strongest < contribution.plain_sum


@pytest.mark.parametrize("reliability", [-0.1, float("nan"), float("inf"), True])
def test_bad_reliability_is_refused(scenario_set: ScenarioSet, reliability: float) -> None:
    with pytest.raises(ValueError, match="reliability"):
        score_item(MatchResult((), ()), scenario_set, reliability)


WORDS = ["alphaword", "betaword", "gammaword", "deltaword", "omegaword", "not", "filler"]


# the fixture is a frozen, read-only value, so sharing it between examples is safe
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), max_size=12), reliability=st.floats(0, 10))
def test_value_is_the_sum_of_parts_and_scales_with_reliability(
    scenario_set: ScenarioSet, words: list[str], reliability: float
) -> None:
    matcher = Matcher(scenario_set.indicators)
    result = matcher.match({"title": " ".join(words)})
    scaled = score_item(result, scenario_set, reliability)
    unit = score_item(result, scenario_set, 1.0)
    for scenario_id, contribution in scaled.items():
        assert contribution.value == pytest.approx(math.fsum(p.counted for p in contribution.parts))
        assert contribution.unstacked == pytest.approx(math.fsum(p.value for p in contribution.parts))
        assert contribution.value == pytest.approx(unit[scenario_id].value * reliability)
        assert len({p.indicator_id for p in contribution.parts}) == len(contribution.parts)
        for part in contribution.parts:
            assert part.value == pytest.approx(part.weight * int(part.polarity) * reliability)
        threshold = scenario_set.scenarios[scenario_id].relevance_threshold
        assert contribution.relevant == (
            abs(contribution.value) >= threshold - 1e-9 and bool(contribution.parts)
        )


# --- check() ------------------------------------------------------------------------------------------


def test_check_is_quiet_on_a_sound_set(scenario_set: ScenarioSet) -> None:
    # ind_c is in both scenarios but with different weights (3 and 1): that is diagnostic
    assert check(scenario_set) == []


def _set(indicator_set: IndicatorSet, write: WriteFile, body: str) -> ScenarioSet:
    return load_scenarios(indicator_set, [write("s.yaml", body)], include_shipped=False)


COMMON = """
    title: T
    half_life_days: 1
    thresholds: [{level: watch, up: 1, down: 0}]
"""


def test_check_flags_an_indicator_weighing_the_same_everywhere(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = (
        f"scenarios:\n  one:{COMMON}    indicators: {{ind_a: 2, ind_d: 1, ind_e: 1, ind_b: 1}}\n"
        f"  two:{COMMON}    indicators: {{ind_a: 2.0, ind_d: 1, ind_e: 2, ind_c: 1}}\n"
    )
    warnings = check(_set(indicator_set, write, body))
    assert len(warnings) == 2
    assert warnings[0].startswith("indicator 'ind_a' has weight 2 in every scenario (one, two)")
    assert warnings[1].startswith("indicator 'ind_d' has weight 1 in every scenario")
    # ind_e differs (1 vs 2); ind_b and ind_c are each in one scenario only: no warning


def test_check_flags_scenarios_without_counter_indicators_and_unused_indicators(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = f"scenarios:\n  only_up:{COMMON}    indicators: {{ind_a: 1, ind_b: 2}}\n"
    warnings = check(_set(indicator_set, write, body))
    assert warnings == [
        "scenario 'only_up' has no counter-indicator (de-escalation): its index can only rise, "
        "so good news never shows; add one",
        "indicator 'ind_c' is not weighed by any scenario: it is matched but never scored",
        "indicator 'ind_d' is not weighed by any scenario: it is matched but never scored",
        "indicator 'ind_e' is not weighed by any scenario: it is matched but never scored",
    ]


def test_check_on_a_single_scenario_does_not_flag_same_weights(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = f"scenarios:\n  one:{COMMON}    indicators: {{ind_a: 1, ind_b: 1, ind_c: 1, ind_d: 1, ind_e: 1}}\n"
    assert check(_set(indicator_set, write, body)) == []


def test_check_reads_nothing_but_values(scenario_set: ScenarioSet, scenario_file: Path) -> None:
    scenario_file.unlink()  # the set is self-contained once loaded
    assert check(scenario_set) == []


def test_check_flags_weights_below_the_relevance_threshold_unless_supporting(
    indicator_set: IndicatorSet, write: WriteFile
) -> None:
    body = (
        f"scenarios:\n  one:{COMMON}    relevance_threshold: 2\n"
        "    indicators: {ind_a: 1.5, ind_b: 2, ind_c: 0.5, ind_d: 3, ind_e: 3}\n"
    )
    warnings = check(_set(indicator_set, write, body))
    assert warnings == [
        "indicator 'ind_a' weighs 1.5 in scenario 'one', below its relevance threshold 2: no item is "
        "relevant on it alone, even from a feed of reliability 1; weigh it at least 2, or list it "
        "under one.supporting if it is meant only to add to other evidence",
        "indicator 'ind_c' weighs 0.5 in scenario 'one', below its relevance threshold 2: no item is "
        "relevant on it alone, even from a feed of reliability 1; weigh it at least 2, or list it "
        "under one.supporting if it is meant only to add to other evidence",
    ]  # ind_b weighs exactly the threshold: an item with it alone is relevant
    acknowledged = body + "    supporting: [ind_a, ind_c, ind_b]\n"
    assert check(_set(indicator_set, write, acknowledged)) == [
        "indicator 'ind_b' is listed under one.supporting but weighs 2, not below the relevance "
        "threshold 2: remove it from the list"
    ]


def test_supporting_must_name_weighed_indicators(indicator_set: IndicatorSet, write: WriteFile) -> None:
    body = f"scenarios:\n  one:{COMMON}    indicators: {{ind_a: 1, ind_d: 1}}\n    supporting: [ind_b]\n"
    with pytest.raises(DefinitionError, match=r"line 7: 'supporting' lists 'ind_b', which this scenario"):
        _set(indicator_set, write, body)
