"""The HTML digest in a real headless Chromium, driven over the DevTools protocol (websocket-client).

Checks what only a browser can: no horizontal overflow on a phone (390 px) and a desktop (1280 px), every
chart laid out inside the viewport, every text (the charts' included) at least 11 px on screen, every
raised level with a reason shown, no script run and nothing fetched. The page's own CSP would block
scripts and loads anyway; the test switches CSP off (Page.setBypassCSP) so it checks the escaping itself.

Screenshots go to a temporary folder, or to $MONITOR_DIGEST_SCREENSHOTS when set (to look at them).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.digest.render import render_html
from tests.helpers.digest_data import build_digest, empty_digest

pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
WIDTHS = (390, 1280)
TIMEOUT = 15.0

websocket = pytest.importorskip(
    "websocket",
    reason="websocket-client is not installed (pip install websocket-client; it is a dev dependency)",
)


def _chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal DevTools-protocol client: one page target, commands in order, events kept."""

    def __init__(self, ws_url: str) -> None:
        self._ws = websocket.create_connection(ws_url, timeout=TIMEOUT, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"DevTools {method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)
        raise AssertionError(f"DevTools {method}: no answer in {TIMEOUT} s")

    def wait_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for seen in self.events:
            if seen.get("method") == method:
                self.events.remove(seen)
                return seen
        while time.monotonic() < deadline:
            message: dict[str, Any] = json.loads(self._ws.recv())
            if message.get("method") == method:
                return message
            self.events.append(message)
        raise AssertionError(f"DevTools: no {method} event in {TIMEOUT} s")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self._ws.close()


@pytest.fixture(scope="module")
def devtools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the browser tests need it")
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its helper processes share our child's group, so they are stopped with it
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Chromium did not start (exit code {process.poll()})")
            time.sleep(0.05)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t.get("type") == "page")
        client = DevTools(page["webSocketDebuggerUrl"])
        client.send("Page.enable")
        client.send("Network.enable")
        client.send("Page.setBypassCSP", enabled=True)
        yield client
        client.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("MONITOR_DIGEST_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


MEASURE_TEMPLATE = """(() => {
  const vw = window.innerWidth;
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > vw + 0.5)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60));
  const svgs = [...document.querySelectorAll('svg.chart')].map(s => {
    const r = s.getBoundingClientRect();
    return {left: r.left, right: r.right, width: r.width, height: r.height,
            bands: s.querySelectorAll('rect.band').length, spikes: s.querySelectorAll('circle.spike').length,
            labels: [...s.querySelectorAll('text')].map(t => {
              const b = t.getBoundingClientRect();
              return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
            }),
            visible: getComputedStyle(s).display !== 'none' && getComputedStyle(s).visibility !== 'hidden'};
  });
  return {vw, scrollWidth: doc.scrollWidth, bodyScrollWidth: document.body.scrollWidth, wide, svgs,
          title: document.title, pwned: document.body.hasAttribute('data-pwned') || doc.hasAttribute('data-pwned'),
          scripts: document.scripts.length, imgs: document.images.length,
          scenarios: document.querySelectorAll('section.scenario').length,
          reasons: [...document.querySelectorAll('section.scenario')].map(s => {
            const shown = e => e.getClientRects().length > 0;
            const moved = [...s.querySelectorAll('h3')].find(h => /what moved it/i.test(h.textContent));
            const list = moved && moved.nextElementSibling;
            return {level: (s.querySelector('.lvl') || {}).textContent,
                    holding: [...s.querySelectorAll('ul.holding li.story')].filter(shown).length,
                    moved: list ? [...list.querySelectorAll('li')].filter(shown).length : 0};
          }),
          fonts: FONTS(),
          text: document.body.innerText};
})()"""

# Every rendered piece of text with its size on screen: the computed font size, times the scale an SVG
# applies to its user units (a viewBox scaled to the width shrinks its text; CSS does not say so).
FONTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim() || el.closest('title, style, script')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (!range.getClientRects().length) continue;  // not rendered
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el instanceof SVGElement;
    if (svg) {
      const m = el.getScreenCTM();
      size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    out.push({size, svg, tag: el.tagName, cls: el.getAttribute('class') || '',
              text: node.textContent.trim().slice(0, 40)});
  }
  return out;
}"""
MIN_FONT_PX = 11.0


def _measure() -> str:
    return MEASURE_TEMPLATE.replace("FONTS()", f"({FONTS})()")


def _load(devtools: DevTools, page: Path, width: int) -> dict[str, Any]:
    devtools.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 600,  # mobile: the viewport meta applies, as on a phone
    )
    devtools.events.clear()
    devtools.send("Page.navigate", url=page.as_uri())
    devtools.wait_event("Page.loadEventFired")
    measured: dict[str, Any] = devtools.evaluate(_measure())
    measured["requests"] = [
        e["params"]["request"]["url"]
        for e in devtools.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    return measured


def _screenshot(devtools: DevTools, path: Path) -> None:
    metrics = devtools.send("Page.getLayoutMetrics")
    size = metrics["cssContentSize"]
    shot = devtools.send(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    )
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def digest_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("digest") / "2025-11-20.html"
    page.write_text(render_html(build_digest()), encoding="utf-8")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_digest_lays_out_without_overflow_and_runs_nothing(
    devtools: DevTools, digest_page: Path, shots: Path, width: int
) -> None:
    m = _load(devtools, digest_page, width)
    _screenshot(devtools, shots / f"digest-{width}.png")

    assert m["vw"] == width
    assert m["scrollWidth"] <= m["vw"], f"horizontal overflow at {width} px: {m['wide']}"
    assert m["bodyScrollWidth"] <= m["vw"], f"horizontal overflow at {width} px: {m['wide']}"
    assert not m["wide"], f"elements wider than the viewport at {width} px: {m['wide']}"

    digest = build_digest()
    assert m["scenarios"] == len(digest.scenarios)
    assert len(m["svgs"]) == len(digest.scenarios)
    for svg in m["svgs"]:
        assert svg["visible"] and svg["width"] > 100 and svg["height"] > 30, svg
        assert svg["left"] >= 0 and svg["right"] <= width, svg
        labels = svg["labels"]
        assert all(svg["left"] <= t["left"] and t["right"] <= svg["right"] for t in labels), labels
        overlapping = [
            (a["text"], b["text"])
            for a, b in itertools.combinations(labels, 2)
            if a["left"] < b["right"]
            and b["left"] < a["right"]
            and a["top"] < b["bottom"]
            and b["top"] < a["bottom"]
        ]
        assert not overlapping, f"chart labels overlap at {width} px: {overlapping}"
    assert [s["spikes"] for s in m["svgs"]] == [2, 2, 0]  # spikes inside the 30-day window
    assert all(s["bands"] >= 1 for s in m["svgs"])
    # A level above calm is never shown without a reason: a story that holds it up, or what moved it.
    raised = [r for r in m["reasons"] if r["level"] != "calm"]
    assert len(raised) == sum(s.level != "calm" for s in digest.scenarios) == 2, m["reasons"]
    assert all(r["holding"] + r["moved"] >= 1 for r in raised), m["reasons"]
    assert all(r["holding"] >= 1 for r in raised), m["reasons"]  # the fixture has both kinds

    # Every text on the page, the charts' included, is at least 11 px on screen.
    fonts = m["fonts"]
    chart_texts = [f for f in fonts if f["svg"]]
    assert len(chart_texts) >= 4 * len(digest.scenarios), chart_texts  # axis, dates, thresholds
    small = [f for f in fonts if f["size"] < MIN_FONT_PX - 0.01]
    assert not small, f"text under {MIN_FONT_PX} px at {width} px: {small[:8]}"

    # The hostile title would have set the title and an attribute had it been parsed as markup.
    assert m["title"] == "Scenario digest 2025-11-20"
    assert not m["pwned"]
    assert m["scripts"] == 0 and m["imgs"] == 0
    assert "<script>document.title='PWNED'" in m["text"]  # shown as text, as the feed wrote it
    assert m["requests"] == [digest_page.as_uri()], f"the page fetched something: {m['requests']}"


def test_empty_digest_is_a_readable_page(devtools: DevTools, tmp_path: Path, shots: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(render_html(empty_digest()), encoding="utf-8")
    m = _load(devtools, page, 390)
    _screenshot(devtools, shots / "digest-empty-390.png")
    assert m["scrollWidth"] <= m["vw"]
    assert "No data is stored for 2025-11-20" in m["text"]
    assert m["svgs"] == []
