"""Headlines for every story: an item without a title is shown with one derived from its summary."""

from __future__ import annotations

import dataclasses
import re

from monitor.digest.build import HEADLINE_CHARS, derived_headline
from monitor.digest.render import render_html, render_text
from tests.helpers.digest_data import build_digest


def test_the_first_sentence_is_the_headline() -> None:
    summary = (
        "Poland closed two border crossings with Belarus on Sunday. The ministry gave no date for reopening."
    )
    assert derived_headline(summary) == "Poland closed two border crossings with Belarus on Sunday."


def test_a_long_sentence_is_cut_on_a_word_boundary() -> None:
    words = "Lithuanian officials said the balloons from Belarus carried contraband cigarettes again " * 4
    headline = derived_headline(words)
    assert len(headline) <= HEADLINE_CHARS and headline.endswith("…")
    assert words.startswith(headline[:-1]) and words[len(headline) - 1] == " "


def test_an_abbreviation_or_a_number_does_not_end_the_sentence_early() -> None:
    assert derived_headline("Gas prices rose 3.5 per cent, Minsk said. More later.") == (
        "Gas prices rose 3.5 per cent, Minsk said."
    )


def test_no_text_at_all_still_gives_a_headline() -> None:
    assert derived_headline("  ") == "(no title or summary)"


def test_an_untitled_story_is_shown_with_a_marked_headline_and_its_link() -> None:
    digest = build_digest()
    first = digest.scenarios[0]
    story = dataclasses.replace(
        first.stories[0],
        title=derived_headline(first.stories[0].summary or "Drones seen."),
        title_derived=True,
    )
    changed = dataclasses.replace(first, stories=(story, *first.stories[1:]))
    digest = dataclasses.replace(digest, scenarios=(changed, *digest.scenarios[1:]))
    html = render_html(digest)
    assert "no title: the summary" in html
    assert not re.search(r'<a class="title[^"]*" href="[^"]*">\s*</a>', html)  # no empty link
    text = render_text(digest)
    assert "(no title: the summary's first sentence)" in text
    assert story.url is None or story.url in text or "link not shown" in text


def test_no_negative_zero_in_any_figure() -> None:
    from monitor.digest.chart_scale import sparkline
    from monitor.digest.render import _num, _signed

    assert [_num(v) for v in (-0.0, -0.04, 0.04)] == ["0.0", "0.0", "0.0"]
    assert [_signed(v) for v in (-0.0, -0.04, 0.04, -1.26)] == ["0.0", "0.0", "0.0", "−1.3"]
    assert sparkline([0.0, 0.0, 0.0]) == sparkline([0.0]) * 3  # a flat zero stays flat and low
    assert sparkline([0.0, 5.0])[0] == sparkline([0.0])  # zero is at the bottom of the scale
