"""Rendering the digest: the Markdown golden file, HTML structure and safety, charts, sparklines, speed.

The golden file tests/monitor/golden/digest_fixture.md pins render_text(build_digest()). After an intended
change of the text layout, regenerate it with UPDATE_GOLDEN=1 (the test then rewrites the file) and review
the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from monitor.digest.chart_scale import chart_scale
from monitor.digest.content import DayPoint, Digest, DigestStory, LevelBand, Phrase, ScenarioDigest
from monitor.digest.render import (
    CHART_DAYS,
    CSP,
    chart_svg,
    highlight_html,
    highlight_md,
    md_escape,
    render_html,
    render_text,
    safe_url,
    sparkline,
)
from scenarios import BASE_LEVEL, Level
from tests.helpers.digest_data import (
    DATA_URL,
    RELATIVE_URL,
    SCRIPT_URL,
    build_digest,
    empty_digest,
)

GOLDEN = Path(__file__).parent / "golden" / "digest_fixture.md"
UPDATE_ENV = "UPDATE_GOLDEN"


@pytest.fixture(scope="module")
def digest() -> Digest:
    return build_digest()


@pytest.fixture(scope="module")
def page(digest: Digest) -> str:
    return render_html(digest)


@pytest.fixture(scope="module")
def text(digest: Digest) -> str:
    return render_text(digest)


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them (text stays text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _sections(page: str) -> list[str]:
    return re.findall(r'<section class="card scenario".*?</section>', page, re.S)


# --- Markdown -----------------------------------------------------------------------------------------


def test_text_matches_the_golden_file(text: str) -> None:
    if os.environ.get(UPDATE_ENV):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), f"no golden file yet: run with {UPDATE_ENV}=1 to write {GOLDEN}"
    assert text == GOLDEN.read_text(encoding="utf-8"), f"text changed; if intended, rerun with {UPDATE_ENV}=1"


def test_text_orders_scenarios_and_shows_what_matters(digest: Digest, text: str) -> None:
    headings = re.findall(r"^## \d+\. (\w+) · (.+)$", text, re.M)
    assert headings == [(s.level.upper(), md_escape(s.title)) for s in digest.scenarios]
    assert "**Index 11.8** · ▲ +3.4 since yesterday · ▲ +6.4 over 7 days · level up from watch" in text
    assert "Lukashenko orders **troops to the Ukrainian border** days after **Zapad** drills" in text
    assert "**5 sources**" in text
    assert "### Counter-indicators seen" in text and "### First firing in 30 days" in text
    assert "### Signposts not yet observed" in text and "(`bw_enters_war`)" in text
    assert "## Feed health" in text and "Languages with no healthy feed: **be**" in text
    assert f"Config hash `{digest.config_hash}`" in text
    assert "- belarus_war: weight of bw_joint_exercise 2.0 → 1.5" in text


def test_text_sparkline_and_spike_marks_line_up(digest: Digest, text: str) -> None:
    s = digest.scenarios[0]
    window = s.history[-CHART_DAYS:]
    spark = re.search(r"^    30 days  (\S+)$", text, re.M)
    spikes = re.search(r"^    spikes   (.*)$", text, re.M)
    assert spark and spikes
    # On the chart's own scale (zero to just above the next threshold), not the series' own.
    assert spark.group(1) == sparkline(
        [p.index for p in window], chart_scale([p.index for p in window], [b.up for b in s.bands])
    )
    assert spark.group(1) != sparkline([p.index for p in window])
    marked = [i for i, c in enumerate(spikes.group(1)) if c == "^"]
    assert marked == [i for i, p in enumerate(window) if p.spike]


def test_text_feed_text_is_inert_markdown(text: str) -> None:
    # Every "<" opens an http(s) autolink or is escaped; every "[" and "`" from feeds is escaped.
    for m in re.finditer(r"(?<!\\)<", text):
        assert re.match(r"<https?://[^\s<>]+>", text[m.start() :]), text[m.start() : m.start() + 60]
    assert not re.search(r"(?<!\\)<script", text) and "\\<script\\>" in text
    assert "[click here](" not in text and "\\[click here\\](https://evil.example/)" in text
    assert "\\`rm -rf /\\`" in text and "\\*\\*not bold\\*\\*" in text
    assert f"<{SCRIPT_URL}>" not in text and "](javascript:" not in text
    autolinks = re.findall(r"<(https?://[^>]+)>", text)
    assert autolinks and all(not u.startswith(("javascript", "data")) for u in autolinks)
    assert "not an http/https address: javascript:alert(1)" in text
    assert f"not an http/https address: {RELATIVE_URL}" in text
    assert "data:text/html" in text and f"<{DATA_URL}" not in text


def test_text_feed_text_cannot_start_a_line() -> None:
    d = build_digest()
    first = d.scenarios[0]
    story = dataclasses.replace(first.stories[0], title="Troops\n# Fake heading\n\n- fake item", phrases=())
    d = dataclasses.replace(d, scenarios=(dataclasses.replace(first, stories=(story,)), *d.scenarios[1:]))
    out = render_text(d)
    assert "\n# Fake heading" not in out and "Troops # Fake heading - fake item" in out


def test_empty_digest_says_so(text: str) -> None:
    out = render_text(empty_digest())
    sentence = "**No data is stored for 2025-11-20, so there is nothing to report for this day.**"
    assert sentence in out and "## 1." not in out
    assert sentence not in text
    page = render_html(empty_digest())
    assert "No data is stored for 2025-11-20, so there is nothing to report for this day." in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<svg" not in page and 'class="card scenario"' not in page


# --- HTML safety --------------------------------------------------------------------------------------


def test_html_has_the_content_security_policy(page: str) -> None:
    assert f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">' in page
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_html_feed_text_is_escaped(page: str) -> None:
    assert not re.search(r"<\s*script", page, re.I)
    assert not re.search(r"<\s*img", page, re.I)
    assert "&lt;script&gt;document.title=" in page
    assert "onerror=" not in page.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "&lt;b&gt;aggregator&lt;/b&gt;" in page  # feed name
    assert "Old ministry feed &lt;script&gt;x&lt;/script&gt;" in page  # feed problem name


def test_html_links_only_http_story_urls(digest: Digest, page: str) -> None:
    assert 'href="javascript:' not in page.lower() and "href='javascript:" not in page.lower()
    hrefs = [str(a["href"]) for _, a in _tags(page) if "href" in a]
    external = [h for h in hrefs if not h.startswith("#")]
    stories = {st.url for s in digest.scenarios for st in s.stories}
    allowed = {u for u in stories if u and safe_url(u)}
    assert external and set(external) == allowed
    assert all(re.match(r"https?://", h) for h in external)
    anchors = [h for h in hrefs if h.startswith("#")]
    assert anchors and all(f'id="{a[1:]}"' in page for a in anchors)
    for unsafe in (SCRIPT_URL, DATA_URL, RELATIVE_URL):
        assert unsafe not in hrefs


def test_html_loads_nothing(page: str) -> None:
    tags = _tags(page)
    assert {t for t, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "div", "header", "h1", "h2", "h3", "p", "section",
        "ul", "li", "a", "span", "strong", "mark", "code", "br", "figure", "figcaption", "footer",
        "svg", "g", "rect", "line", "text", "circle",
    }  # fmt: skip
    assert not [
        (t, a) for t, a in tags if {"src", "srcset", "action", "xlink:href", "background", "poster"} & set(a)
    ]
    assert not [(t, a) for t, a in tags if any(k.startswith("on") for k in a)]  # no event handlers
    assert [t for t, a in tags if "href" in a] == ["a"] * len([t for t, a in tags if "href" in a])
    style = page[page.index("<style>") : page.index("</style>")]
    assert "@import" not in style and "url(" not in style
    assert len(re.findall(r"<style\b", page)) == 1


def test_html_highlights_phrases_from_escaped_slices(page: str) -> None:
    assert (
        'Lukashenko orders <mark title="bw_troops_to_border">troops to the Ukrainian border</mark> days after '
        '<mark title="bw_named_exercise">Zapad</mark> drills'
    ) in page
    assert '&lt;/script&gt; Belarus <mark title="bw_troops_to_border">masses troops</mark> near Mazyr' in page
    assert (
        '<mark title="bw_troops_to_border">to the Ukrainian border</mark>' in page
    )  # in the summary excerpt


# --- HTML content and charts --------------------------------------------------------------------------


def test_every_scenario_has_a_chart_with_bands_and_spikes(digest: Digest, page: str) -> None:
    sections = _sections(page)
    assert [re.search(r'data-scenario="([^"]+)"', s).group(1) for s in sections] == [  # type: ignore[union-attr]
        s.id for s in digest.scenarios
    ]
    for section, s in zip(sections, digest.scenarios, strict=True):
        svgs = re.findall(r"<svg\b.*?</svg>", section, re.S)
        assert len(svgs) == 1
        svg = svgs[0]
        # No viewBox: a phone narrows the chart but does not shrink its text (test_digest_browser).
        assert "viewBox" not in svg and 'role="img"' in svg and 'height="200"' in svg
        label = re.search(r'aria-label="([^"]+)"', svg)
        assert label and s.title.replace("'", "&#39;") in label.group(1) and "Thresholds:" in label.group(1)
        assert re.search(r"<title>[^<]*index over 30 days", svg)
        # Bands: each threshold below the chart's top is drawn, at least up to the level above today's.
        drawn = re.findall(r'<rect class="band band-(\w+)" data-level="\w+" data-up="([\d.]+)"', svg)
        assert drawn and [lvl for lvl, _ in drawn] == [b.level for b in s.bands][: len(drawn)]
        assert all(float(up) == b.up for (_, up), b in zip(drawn, s.bands, strict=False))
        above = [b for b in s.bands if b.up > s.index]
        assert not above or above[0].level in [lvl for lvl, _ in drawn]
        window = s.history[-CHART_DAYS:]
        spikes = re.findall(r'<circle class="spike" data-day="([\d-]+)"', svg)
        assert spikes == [p.day.isoformat() for p in window if p.spike]
        (line,) = re.findall(r'<g class="index" data-points="(\d+)"[^>]*>(.*?)</g>', svg)
        assert int(line[0]) == len(window) and line[1].count("<line ") == len(window) - 1


def test_html_scenario_headline(page: str) -> None:
    first = _sections(page)[0]
    assert '<span class="lvl lvl-warning">warning</span> Belarus enters the war against Ukraine' in first
    assert '<span class="index">11.8</span>' in first
    assert "▲&nbsp;+3.4</span> since yesterday" in first and "▲&nbsp;+6.4</span> over 7 days" in first
    assert "level up from <strong>watch</strong>" in first
    assert "<strong>5 sources</strong>" in first
    assert "Signposts not yet observed" in first and "bw_enters_war" in first
    assert "Counter-indicators seen" in first and "First firing in 30 days" in first


def test_html_feed_health_and_config(digest: Digest, page: str) -> None:
    feeds = page[page.index('id="feeds"') : page.index('id="config"')]
    assert "38 of 42 feeds healthy; 4 with problems." in feeds
    for problem in digest.feed_problems:
        assert html.escape(problem.detail) in feeds
    assert "Languages with no healthy feed: <strong>be</strong>" in feeds
    assert "only from failing feeds: <strong>Belarus enters the war against Ukraine</strong>" in feeds
    config = page[page.index('id="config"') :]
    assert f"<code>{digest.config_hash}</code>" in config
    assert "weight of bw_joint_exercise 2.0 → 1.5" in config


def test_html_wraps_long_words(page: str) -> None:
    assert "overflow-wrap:anywhere" in page
    assert re.search(r"svg\.chart\{width:100%", page)


# --- units --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://Example.org/", "HTTP://Example.org/"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("/relative/path", None),
        ("//example.org/protocol-relative", None),
        ("https:///no-host", None),
        ("https://exa mple.org/", None),
        ("https://example.org/\nevil", None),
        ("ftp://example.org/file", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_md_escape() -> None:
    assert md_escape("<b>[x](y) `c` *e* \\") == "\\<b\\>\\[x\\](y) \\`c\\` \\*e\\* \\\\"
    assert md_escape("a\n\n# b\t c") == "a # b c"
    assert md_escape(md_escape("<x>")) == "\\<x\\>"  # already escaped values pass through


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]) == "▁▂▃▄▅▆▇█"
    assert sparkline([2.0, 2.0, 2.0]) == "███"  # the scale starts at 0, so a steady level shows its height
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert sparkline([0.0, math.nan, 3.0]) == "▁ █"
    assert sparkline([-2.0, 0.0, 2.0]) == "▁▅█"


def _scenario(history: tuple[DayPoint, ...], bands: tuple[LevelBand, ...]) -> ScenarioDigest:
    return ScenarioDigest(
        id="x", title="X <&> 'quoted'", level=BASE_LEVEL, index=history[-1].index if history else 0.0,
        change_1d=0.0, change_7d=0.0, bands=bands, history=history, movers=(), stories=(),
        counter_indicators=(), novel=(), not_observed=(),
    )  # fmt: skip


@pytest.mark.parametrize("length", [0, 1, 2, 45])
def test_chart_survives_short_histories_negative_values_and_no_bands(length: int) -> None:
    history = tuple(
        DayPoint(date(2025, 1, 1) + timedelta(days=i), -3.0 + i * 0.3, 0.0, BASE_LEVEL, i % 7 == 3)
        for i in range(length)
    )
    for bands in ((), (LevelBand(Level("watch"), 2.0, 1.0), LevelBand(Level("custom level"), 50.0, 40.0))):
        svg = str(chart_svg(_scenario(history, bands)))
        assert svg.startswith("<svg") and svg.endswith("</svg>") and "nan" not in svg.lower()
        assert "X &lt;&amp;&gt; &#39;quoted&#39;" in svg and "<&>" not in svg
        assert svg.count('class="spike"') == sum(p.spike for p in history[-CHART_DAYS:])


# Spans may be stale or overlapping (a title edited after matching): rendering must stay safe and lossless.
_TEXT = st.text(alphabet=st.sampled_from([*"ab <>&\"'`*[]\\_#\n", "ё", "Ł"]), max_size=60)


@st.composite
def _text_and_phrases(draw: st.DrawFn) -> tuple[str, tuple[Phrase, ...]]:
    text = draw(_TEXT)
    spans = draw(st.lists(st.tuples(st.integers(-3, 70), st.integers(-3, 70)), max_size=5))
    return text, tuple(Phrase("title", a, b, "ind_x") for a, b in spans)


@given(_text_and_phrases())
def test_highlight_html_is_escaped_and_lossless(case: tuple[str, tuple[Phrase, ...]]) -> None:
    text, phrases = case
    out = str(highlight_html(text, phrases))
    bare = re.sub(r'<mark title="[a-z_, ]+">|</mark>', "", out)
    assert "<" not in bare and ">" not in bare and '"' not in bare
    assert html.unescape(bare) == text
    assert out.count("<mark") == out.count("</mark>")


@given(_text_and_phrases())
def test_highlight_md_is_escaped(case: tuple[str, tuple[Phrase, ...]]) -> None:
    text, phrases = case
    out = highlight_md(text, phrases)
    bare = re.sub(r"\\[\\`*<>\[\]]", "", out).replace("**", "")
    assert not set(bare) & set("\\`*<>[]\n")


def test_highlight_excerpt_keeps_the_phrase() -> None:
    text = "word " * 100 + "the phrase here " + "tail " * 100
    start = text.index("the phrase")
    out = highlight_md(text, (Phrase("summary", start, start + 10, "i"),), "summary", limit=120)
    assert "**the phrase**" in out and out.startswith("… ") and out.endswith(" …") and len(out) < 140


def test_non_finite_numbers_do_not_break_rendering() -> None:
    d = build_digest()
    s = dataclasses.replace(d.scenarios[2], index=math.nan, change_1d=math.inf)
    out = render_text(dataclasses.replace(d, scenarios=(*d.scenarios[:2], s)))
    assert "**Index n/a** · → n/a since yesterday" in out


def test_a_story_without_url(digest: Digest) -> None:
    first = digest.scenarios[0]
    story = DigestStory("Plain", "", None, "Feed", digest.day, 1.0, 1, ("i",))
    d = dataclasses.replace(digest, scenarios=(dataclasses.replace(first, stories=(story,)),))
    assert "(link not shown)" in render_text(d)
    assert '<span class="nolink">link not shown</span>' in render_html(d)


def test_a_long_range_chart_draws_one_column_per_month_with_years() -> None:
    # 400 days ending 2025-11-20: one alert day in March 2025, spikes in two months.
    first = date(2024, 10, 17)
    history = tuple(
        DayPoint(
            first + timedelta(days=i),
            25.0 if i == 150 else 1.0 + (i % 30) / 10,
            0.0,
            Level("alert") if i == 150 else BASE_LEVEL,
            i in (150, 390),
        )
        for i in range(400)
    )
    bands = (LevelBand(Level("watch"), 4.0, 2.0), LevelBand(Level("alert"), 20.0, 14.0))
    svg = str(chart_svg(_scenario(history, bands), days=400))
    columns = re.findall(r'<rect class="bucket" data-level="([^"]+)" data-start="([\d-]+)"', svg)
    assert [start for _, start in columns][:3] == ["2024-10-01", "2024-11-01", "2024-12-01"]
    assert len(columns) == 14 and columns[-1][1] == "2025-11-01"
    assert dict((start, lvl) for lvl, start in columns)["2025-03-01"] == "alert"  # one day is enough
    assert re.search(r'class="from"[^>]*>2024-10<', svg) and re.search(r'class="to"[^>]*>2025-11<', svg)
    assert re.findall(r'<circle class="spike" data-day="([\d-]+)"', svg) == ["2025-03-01", "2025-11-01"]
    (points,) = re.findall(r'<g class="index" data-points="(\d+)"', svg)
    assert int(points) == 14  # the line joins each month's last index
    assert "One column per month" in svg
    # A month's column is as high as its highest day: the alert day's 25 tops the chart.
    assert "2025-03: highest 25.0 (alert), last" in svg


def test_counts_of_one_are_singular_and_novelty_says_its_window() -> None:
    one = dataclasses.replace(build_digest(), feeds_total=1, feed_problems=(), feeds_never_polled=0)
    for text in (render_text(one), html.unescape(re.sub(r"<[^>]+>", "", render_html(one)))):
        assert "1 feed, 0 with problems" in text and "The feed is healthy." in text
        assert "1 feeds" not in text
        assert "First firing in 30 days" in text and "first time" not in text.lower()
    never = dataclasses.replace(build_digest(), feeds_total=5, feed_problems=(), feeds_never_polled=1)
    assert "1 of the 5 configured feeds has never been polled" in render_text(never)
