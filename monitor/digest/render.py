"""Render a ``Digest`` as a self-contained HTML page and as Markdown readable in a terminal.

Rendering is a pure function of the ``Digest`` value: no clock, no database, no network. Everything that
comes from a feed (titles, summaries, URLs, feed names, error details) is untrusted:

* HTML: Jinja2 autoescape is on; highlighted titles are assembled from individually escaped slices, and
  only ``http``/``https`` URLs become links. The page loads nothing (inline CSS, inline SVG, no scripts)
  and says so in its Content-Security-Policy, so it is safe to open from a mail client.
* Markdown: every ``{{ value }}`` passes through :func:`md_escape` unless it is an :class:`MdSafe` built
  here from escaped pieces, so a title cannot open a link, an HTML tag or a code span.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup, escape

from indicators import plural
from monitor.digest.buckets import DAILY_MAX_DAYS, Bucket, bucket_days, bucket_label, span_labels
from monitor.digest.chart_scale import chart_scale, sparkline
from monitor.digest.content import DayPoint, Digest, LevelBand, Phrase, ScenarioDigest
from monitor.item_refs import item_ref
from scenarios import BASE_LEVEL

__all__ = [
    "CHART_DAYS",
    "CSP",
    "MdSafe",
    "chart_svg",
    "highlight_html",
    "highlight_md",
    "md_escape",
    "render_html",
    "render_text",
    "safe_url",
    "sparkline",
]

CHART_DAYS = 30
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# A summary is shown only around its matched phrases, so a story costs the reader two or three lines.
EXCERPT_CHARS = 240
_LEVEL_COLOURS = {"calm": "#2e7d32", "watch": "#b08900", "warning": "#d35400", "alert": "#c62828"}
_BAND_FILLS = {"watch": "#fff4c2", "warning": "#ffe0c2", "alert": "#ffd0d0"}
_DEFAULT_FILL = "#eeeeee"
# Chart text in CSS pixels, never scaled (see chart_svg); the page's smallest text is 11 px.
_FONT = 12
_CHART_HEIGHT = 200.0
_MARGIN = 2.5  # percent of the chart's width left free at each end


# --- untrusted text ----------------------------------------------------------------------------------


class MdSafe(str):
    """Markdown already escaped (or written by us); the text template's finalize passes it through."""

    __slots__ = ()


# Characters that could open a link, an autolink, raw HTML, a code span or emphasis in CommonMark.
_MD_SPECIAL = re.compile(r"([\\`*<>\[\]])")
_SPACE = re.compile(r"\s+")


def md_escape(text: object) -> MdSafe:
    """Backslash-escape Markdown syntax and fold whitespace, so feed text stays one inert line of text.

    Folding newlines matters as much as escaping: a title that starts a new line could otherwise start a
    heading, a list or a fenced block.
    """
    if isinstance(text, MdSafe):
        return text
    return MdSafe(_MD_SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(text)).strip()))


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, else None (it is then shown as text)."""
    if not url:
        return None
    url = url.strip()
    if _SPACE.search(url) or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def _md_url(url: str) -> str:
    # Inside a CommonMark autolink backslash escapes do not work, so anything that could end or break it
    # is percent-encoded instead; everything else a URL may contain is kept as written.
    return quote(url, safe="!#$%&'()*+,-./:;=?@_~[]")


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    indicators: tuple[str, ...]


def _spans(text: str, phrases: Sequence[Phrase], field: str) -> list[_Span]:
    """The field's phrases clamped to the text, sorted, overlaps merged (a stored span may be stale)."""
    raw = sorted(
        (max(0, p.start), min(len(text), p.end), p.indicator_id)
        for p in phrases
        if p.field == field and p.end > p.start
    )
    merged: list[_Span] = []
    for start, end, indicator in raw:
        if start >= end:
            continue
        if merged and start <= merged[-1].end:
            last = merged[-1]
            ids = last.indicators if indicator in last.indicators else (*last.indicators, indicator)
            merged[-1] = _Span(last.start, max(last.end, end), ids)
        else:
            merged.append(_Span(start, end, (indicator,)))
    return merged


def _excerpt(text: str, spans: list[_Span], limit: int) -> tuple[str, list[_Span], bool, bool]:
    """A window of at most ``limit`` characters around the first phrase; spans shifted into it."""
    if len(text) <= limit:
        return text, spans, False, False
    first = spans[0].start if spans else 0
    start = max(0, first - limit // 4)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + limit // 2 else end
    inside = [
        _Span(max(s.start, start) - start, min(s.end, end) - start, s.indicators)
        for s in spans
        if s.end > start and s.start < end
    ]
    return text[start:end], inside, start > 0, end < len(text)


def _highlight(
    text: str,
    phrases: Sequence[Phrase],
    field: str,
    limit: int | None,
    plain: Callable[[str], str],
    marked: Callable[[str, _Span], str],
) -> list[str]:
    """The excerpt of ``text`` as pieces: unmatched runs through ``plain``, phrases through ``marked``."""
    spans = _spans(text, phrases, field)
    cut_left = cut_right = False
    if limit is not None:
        text, spans, cut_left, cut_right = _excerpt(text, spans, limit)
    out: list[str] = ["… " if cut_left else ""]
    pos = 0
    for span in spans:
        out.append(plain(text[pos : span.start]))
        out.append(marked(text[span.start : span.end], span))
        pos = span.end
    out.append(plain(text[pos:]))
    out.append(" …" if cut_right else "")
    return out


def highlight_html(
    text: str, phrases: Sequence[Phrase], field: str = "title", limit: int | None = None
) -> Markup:
    """``text`` escaped, with each matched phrase in ``<mark>``; built from escaped slices only."""

    def marked(phrase: str, span: _Span) -> str:
        return Markup('<mark title="{}">{}</mark>').format(", ".join(span.indicators), phrase)

    return Markup("").join(_highlight(text, phrases, field, limit, escape, marked))


def highlight_md(
    text: str, phrases: Sequence[Phrase], field: str = "title", limit: int | None = None
) -> MdSafe:
    """``text`` Markdown-escaped, with each matched phrase in ``**bold**``."""

    def marked(phrase: str, _span: _Span) -> str:
        escaped = md_escape(phrase)
        # "** x**" is not bold in CommonMark; a phrase is never blank, but it may carry edge spaces.
        return f"**{escaped}**" if escaped else ""

    pieces = _highlight(text, phrases, field, limit, _md_piece, marked)
    return MdSafe(_SPACE.sub(" ", "".join(pieces)).strip())


def _md_piece(text: str) -> str:
    # Like md_escape but keeps a leading/trailing space, which separates the piece from a bold phrase.
    folded = _SPACE.sub(" ", text)
    return _MD_SPECIAL.sub(r"\\\1", folded)


# --- numbers ----------------------------------------------------------------------------------------


def _num(value: float) -> str:
    # round() then + 0.0: -0.04 and -0.0 print as 0.0, never as "-0.0".
    return f"{round(value, 1) + 0.0:.1f}" if math.isfinite(value) else "n/a"


def _signed(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    rounded = round(value, 1) + 0.0
    return "0.0" if rounded == 0 else f"{rounded:+.1f}".replace("-", "−")


def _arrow(value: float) -> str:
    if not math.isfinite(value) or round(value, 1) == 0:
        return "→"
    return "▲" if value > 0 else "▼"


def _trend_class(value: float) -> str:
    if not math.isfinite(value) or round(value, 1) == 0:
        return "flat"
    return "up" if value > 0 else "down"


# --- the chart --------------------------------------------------------------------------------------


def _window(history: Sequence[DayPoint], days: int) -> tuple[DayPoint, ...]:
    return tuple(history[-days:]) if days > 0 else tuple(history)


def _scale(points: Sequence[DayPoint], bands: Sequence[LevelBand]) -> tuple[float, float]:
    return chart_scale((p.index for p in points), (b.up for b in bands))


def _describe_chart(s: ScenarioDigest, points: Sequence[DayPoint], buckets: Sequence[Bucket] = ()) -> str:
    if not points:
        return f"{s.title}: no history to chart."
    values = [p.index for p in points]
    peak = max(points, key=lambda p: p.index if math.isfinite(p.index) else -math.inf)
    spikes = [p.day.isoformat() for p in points if p.spike]
    thresholds = ", ".join(f"{b.level} at {_num(b.up)}" for b in s.bands) or "none"
    text = (
        f"{s.title}: index over {plural(len(points), 'day')} from {points[0].day.isoformat()} to "
        f"{points[-1].day.isoformat()}, from {_num(values[0])} to {_num(values[-1])} ({points[-1].level}), "
        f"peak {_num(peak.index)} on {peak.day.isoformat()}. Thresholds: {thresholds}. "
    )
    if spikes:
        text += f"{len(spikes)} spike{'s' if len(spikes) != 1 else ''}: {', '.join(spikes)}."
    else:
        text += "No spikes."
    if buckets:
        text += f" One column per {buckets[0].unit}: its highest index; the line joins each {buckets[0].unit}'s last."
    return text


def _levels(s: ScenarioDigest) -> tuple[str, ...]:
    return (BASE_LEVEL, *(b.level for b in sorted(s.bands, key=lambda b: b.up)))


def chart_svg(s: ScenarioDigest, days: int = CHART_DAYS) -> Markup:
    """An inline SVG line chart of the index: level bands behind, threshold lines, spike markers.

    The SVG has no viewBox: its height and its text are in CSS pixels and only its x positions are
    percentages of its width, so a phone that narrows the chart never shrinks the text (a scaled
    viewBox drew 14-unit labels at 8 px on a 390 px screen). That is also why the index is a run of
    line segments rather than one polyline: a polyline's points cannot be percentages.

    A range longer than ``DAILY_MAX_DAYS`` is drawn one column per week, month or quarter (its
    highest index, coloured by its highest level) with the line through each bucket's last index.
    """
    points = _window(s.history, days)
    buckets = bucket_days(points, _levels(s)) if len(points) > DAILY_MAX_DAYS else ()
    low, high = _scale(points, s.bands)
    plot_top, plot_bottom = 8.0, _CHART_HEIGHT - 26.0
    plot_h = plot_bottom - plot_top
    slots = len(buckets) if buckets else len(points)

    def share(i: float) -> float:
        # Days run from end to end; a bucket's column sits in the middle of its slot.
        return (i + 0.5) / slots if buckets else i / (slots - 1) if slots > 1 else 0.5

    def x_of(fraction: float) -> str:
        # Percent of the width, inside a margin that keeps an end marker whole.
        return f"{_MARGIN + (100 - 2 * _MARGIN) * fraction:.2f}%"

    def x(i: float) -> str:
        return x_of(share(i))

    def y(v: float) -> float:
        v = min(max(v, low), high)
        return plot_top + plot_h * (1 - (v - low) / (high - low))

    description = _describe_chart(s, points, buckets)
    inner_w = f"{100 - 2 * _MARGIN}%"
    halo = 'paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"'
    parts: list[str] = [
        f'<svg class="chart" width="100%" height="{_CHART_HEIGHT:.0f}" role="img" '
        f'aria-label="{escape(description)}" '
        f'style="width:100%;height:{_CHART_HEIGHT:.0f}px;display:block;max-width:600px">',
        f"<title>{escape(description)}</title>",
        f'<rect x="{_MARGIN}%" y="{plot_top}" width="{inner_w}" height="{plot_h}" fill="#fafafa"/>',
    ]
    bands = sorted((b for b in s.bands if math.isfinite(b.up)), key=lambda b: b.up)
    labels: list[str] = []
    # Where the index line runs, in (share of the width, y) pairs: labels are placed off it.
    values = [b.last_index for b in buckets] if buckets else [p.index for p in points]
    line = [(share(i), y(v)) for i, v in enumerate(values) if math.isfinite(v)]
    taken: list[_Box] = []

    def label(text: str, line_y: float, colour: str, right: bool = False) -> str:
        box = _place_label(text, line_y, line, taken, plot_top, plot_bottom, right)
        taken.append(box)
        if box.x1 >= 1:
            where = f'x="{100 - _MARGIN}%" dx="-4" text-anchor="end"'
        else:
            where = f'x="{x_of(box.x0)}" dx="4"'
        return (
            f'<text {where} y="{box.y1 - 3:.1f}" font-size="{_FONT}" {halo} fill="{colour}">'
            f"{escape(text)}</text>"
        )

    # The axis values go first, at the right if the line leaves room there: the top, then zero.
    labels.append(label(_num(high), plot_top + _FONT + 4, "#555555", right=True))
    labels.append(label("0", y(0.0), "#555555", right=True))
    for i, band in enumerate(bands):
        if band.up >= high:
            continue
        upper = bands[i + 1].up if i + 1 < len(bands) else high
        y0, y1 = y(min(upper, high)), y(band.up)
        level = escape(band.level)
        fill = _BAND_FILLS.get(band.level, _DEFAULT_FILL)
        parts.append(
            f'<rect class="band band-{level}" data-level="{level}" data-up="{band.up:g}" x="{_MARGIN}%" '
            f'y="{y0:.1f}" width="{inner_w}" height="{max(0.0, y1 - y0):.1f}" fill="{fill}"/>'
        )
        colour = _LEVEL_COLOURS.get(band.level, "#777777")
        parts.append(
            f'<line class="threshold" x1="{_MARGIN}%" x2="{100 - _MARGIN}%" y1="{y1:.1f}" y2="{y1:.1f}" '
            f'stroke="{colour}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
        # Drawn after the index line, so a line that must cross a label still leaves it legible.
        labels.append(label(f"{band.level} {_num(band.up)}", y1, colour))
    # The axis: the zero line, and the first and last day (or bucket) below the plot.
    parts.append(
        f'<line x1="{_MARGIN}%" x2="{100 - _MARGIN}%" y1="{y(0.0):.1f}" y2="{y(0.0):.1f}" stroke="#999999" '
        'stroke-width="1"/>'
    )
    if points:
        first, last_label = (
            span_labels(buckets) if buckets else (points[0].day.isoformat(), points[-1].day.isoformat())
        )
        below = f'y="{_CHART_HEIGHT - 8:.0f}" font-size="{_FONT}" fill="#555555"'
        labels.append(f'<text class="from" x="{_MARGIN}%" {below}>{first}</text>')
        labels.append(f'<text class="to" x="{100 - _MARGIN}%" text-anchor="end" {below}>{last_label}</text>')
    if buckets:
        parts += _bucket_marks(buckets, x, y)
    elif points:
        parts += _day_marks(points, x, y)
    parts += labels
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class _Box:
    """A label's extent: x as shares of the chart's width, y in pixels."""

    x0: float
    x1: float
    y0: float
    y1: float

    def hits(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def crossed_by(self, line: Sequence[tuple[float, float]]) -> bool:
        """Whether the polyline ``line`` passes through the box, or within 3 px of it (a marker's radius)."""
        for (ax, ay), (bx, by) in itertools.pairwise(line):
            lo, hi = max(ax, self.x0), min(bx, self.x1)
            if lo > hi:
                continue
            # The segment's y at the two ends of its part inside the box's x range.
            ys = [ay + (by - ay) * ((t - ax) / (bx - ax) if bx > ax else 0.0) for t in (lo, hi)]
            if min(ys) <= self.y1 + 3 and max(ys) >= self.y0 - 3:
                return True
        return False


# The narrowest chart a phone shows (a 320 px screen, less the page's padding), in pixels: label
# widths are reckoned as shares of it, so a wider chart only gives them more room.
_NARROW_CHART_PX = 280.0


def _label_width(text: str) -> float:
    return min(0.5, (len(text) * _FONT * 0.6 + 10) / _NARROW_CHART_PX)


def _place_label(
    text: str,
    line_y: float,
    line: Sequence[tuple[float, float]],
    taken: Sequence[_Box],
    plot_top: float,
    plot_bottom: float,
    prefer_right: bool = False,
) -> _Box:
    """Where a threshold's label goes: above its line, else below it; at the left, else at the right,
    else somewhere between; the first place that the index line and the labels already placed leave
    free (else the first)."""
    width = _label_width(text)
    candidates = [
        _Box(x0, x0 + width, y0, y0 + _FONT + 3)
        for y0 in (line_y - _FONT - 4, line_y + 2)
        for x0 in ((1 - width, 0.0) if prefer_right else (0.0, 1 - width))
        + tuple(k * (1 - width) / 4 for k in (1, 2, 3))
        if plot_top <= y0 and y0 + _FONT + 3 <= plot_bottom
    ]
    for box in candidates:
        if not box.crossed_by(line) and not any(box.hits(t) for t in taken):
            return box
    return candidates[0] if candidates else _Box(0.0, width, line_y - _FONT - 4, line_y - 1)


def _index_line(coords: Sequence[tuple[str, float]]) -> str:
    segments = "".join(
        f'<line x1="{x0}" y1="{y0:.1f}" x2="{x1}" y2="{y1:.1f}"/>'
        for (x0, y0), (x1, y1) in itertools.pairwise(coords)
    )
    return (
        f'<g class="index" data-points="{len(coords)}" stroke="#1f3b73" stroke-width="2" '
        f'stroke-linecap="round">{segments}</g>'
    )


def _day_marks(
    points: Sequence[DayPoint], x: Callable[[float], str], y: Callable[[float], float]
) -> list[str]:
    coords = [(x(i), y(p.index)) for i, p in enumerate(points) if math.isfinite(p.index)]
    parts = [_index_line(coords)] if coords else []
    for i, p in enumerate(points):
        if p.spike and math.isfinite(p.index):
            parts.append(
                f'<circle class="spike" data-day="{p.day.isoformat()}" cx="{x(i)}" cy="{y(p.index):.1f}" '
                f'r="4.5" fill="#c62828" stroke="#ffffff" stroke-width="1.5"><title>spike on '
                f"{p.day.isoformat()}: index {_num(p.index)}, day's raw {_signed(p.raw)}</title></circle>"
            )
    last = points[-1]
    if math.isfinite(last.index):
        colour = _LEVEL_COLOURS.get(last.level, "#1f3b73")
        # A ring, so a spike on the last day still shows inside it.
        parts.append(
            f'<circle class="today" cx="{x(len(points) - 1)}" cy="{y(last.index):.1f}" r="6.5" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return parts


def _bucket_marks(
    buckets: Sequence[Bucket], x: Callable[[float], str], y: Callable[[float], float]
) -> list[str]:
    width = f"{(100 - 2 * _MARGIN) / len(buckets) * 0.7:.2f}%"
    parts = []
    for i, b in enumerate(buckets):
        if not math.isfinite(b.max_index):
            continue
        top, base = sorted((y(b.max_index), y(0.0)))
        parts.append(
            f'<rect class="bucket" data-level="{escape(b.level)}" data-start="{b.start.isoformat()}" '
            f'x="{x(i - 0.35)}" y="{top:.1f}" width="{width}" height="{max(1.0, base - top):.1f}" '
            f'fill="{_LEVEL_COLOURS.get(b.level, "#777777")}" fill-opacity="0.35">'
            f"<title>{escape(bucket_label(b))}: highest {_num(b.max_index)} ({escape(b.level)}), "
            f"last {_num(b.last_index)}</title></rect>"
        )
    coords = [(x(i), y(b.last_index)) for i, b in enumerate(buckets) if math.isfinite(b.last_index)]
    if coords:
        parts.append(_index_line(coords))
    for i, b in enumerate(buckets):
        if b.spikes and math.isfinite(b.max_index):
            parts.append(
                f'<circle class="spike" data-day="{b.first.isoformat()}" cx="{x(i)}" cy="{y(b.max_index):.1f}" '
                f'r="4.5" fill="#c62828" stroke="#ffffff" stroke-width="1.5"><title>{b.spikes} '
                f"spike{'s' if b.spikes != 1 else ''} in {escape(bucket_label(b))}</title></circle>"
            )
    return parts


def _spike_line(points: Sequence[DayPoint]) -> str:
    return "".join("^" if p.spike else " " for p in points).rstrip()


# --- templates --------------------------------------------------------------------------------------


def _md_finalize(value: Any) -> str:
    if value is None:
        return ""
    return md_escape(value)


@functools.cache
def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    loader = jinja2.PackageLoader("monitor.digest", "templates")
    common: dict[str, Any] = {
        "loader": loader,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    html = jinja2.Environment(autoescape=True, **common)
    text = jinja2.Environment(autoescape=False, finalize=_md_finalize, **common)
    for env in (html, text):
        env.filters.update(
            num=_num, signed=_signed, arrow=_arrow, trend=_trend_class, item_ref=item_ref, plural=plural
        )
        env.globals.update(safe_url=safe_url, chart_days=CHART_DAYS, excerpt_chars=EXCERPT_CHARS)
    html.filters.update(highlight=highlight_html, chart=chart_svg)
    html.globals.update(csp=CSP)
    text.filters.update(highlight=highlight_md, md_url=lambda u: MdSafe(_md_url(u)), raw=MdSafe)
    return html, text


def _context(d: Digest) -> dict[str, Any]:
    views = []
    for s in d.scenarios:
        points = _window(s.history, CHART_DAYS)
        views.append(
            {
                "s": s,
                "points": points,
                "spark": sparkline([p.index for p in points], _scale(points, s.bands)),
                "spikes": _spike_line(points),
                "spike_days": [p.day for p in points if p.spike],
                "description": _describe_chart(s, points),
                "next_band": _next_band(s),
                "level_move": _level_move(s),
            }
        )
    titles = {s.id: s.title for s in d.scenarios}
    problems = {
        state: [p for p in d.feed_problems if p.state == state] for state in ("failing", "silent", "disabled")
    }
    return {
        "d": d,
        "views": views,
        "problems": problems,
        "healthy": max(0, d.feeds_total - len(d.feed_problems) - d.feeds_never_polled),
        "thin_scenarios": [titles.get(sid, sid) for sid in d.thin_scenarios],
    }


def _level_move(s: ScenarioDigest) -> str | None:
    """ "up" or "down" when the level changed since yesterday, by the order of the thresholds."""
    if s.level_changed_from is None or s.level_changed_from == s.level:
        return None
    order = [BASE_LEVEL, *(b.level for b in sorted(s.bands, key=lambda b: b.up))]
    if s.level in order and s.level_changed_from in order:
        return "up" if order.index(s.level) > order.index(s.level_changed_from) else "down"
    return "changed"


def _next_band(s: ScenarioDigest) -> LevelBand | None:
    """The level above the current one (by level, not by index: with hysteresis the index can sit
    below the current level's own ``up``)."""
    names = [b.level for b in s.bands]
    above = names.index(s.level) + 1 if s.level in names else 0
    return s.bands[above] if above < len(s.bands) else None


def render_html(d: Digest) -> str:
    """The digest as one self-contained HTML page (inline CSS and SVG, no scripts, nothing loaded)."""
    return _environments()[0].get_template("digest.html.j2").render(_context(d))


def render_text(d: Digest) -> str:
    """The digest as Markdown that also reads as plain text in a terminal."""
    return _environments()[1].get_template("digest.md.j2").render(_context(d))
