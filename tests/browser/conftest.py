"""Fixtures for the browser checks of the built site.

The built HTML (``DLBOOK_HTML``, default ``_build/html``) is served on a free
port of 127.0.0.1 and opened in Debian's Chromium, driven by Playwright's sync
API. Every page is loaded once per viewport; what the checks need (console
messages, failed requests, DOM facts, axe-core's findings) is collected on that
visit and shared by the tests. Full-page screenshots go to
``<build>/screenshots`` (``_build/screenshots`` by default).

Without a built site, Chromium, Playwright or axe-core the checks are skipped,
unless ``DLBOOK_REQUIRE_BOOK=1`` (set by scripts/test.sh), where that is a
failure. ``bash scripts/install-browser.sh`` installs Chromium and axe-core.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from book_site import AXE, CHROMIUM, CHROMIUM_FLAGS, DESKTOP, HTML, PHONE, REQUIRED, SCREENSHOTS


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        _missing(f"No built book in {HTML}: run scripts/build.sh first.")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="session")
def site(html_dir: Path) -> str:
    """Base URL of the built book, served on a free port of 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(html_dir: Path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -r requirements.txt).")
    if not Path(CHROMIUM).exists():
        _missing(f"No Chromium at {CHROMIUM}: run scripts/install-browser.sh.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        _missing("axe-core is not installed: run scripts/install-browser.sh.")
    return AXE.read_text(encoding="utf-8")


@dataclass
class Visit:
    """What one load of one page showed."""

    doc: str
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)


#: Collected in the page after load (and after MathJax typeset): every fact a
#: test checks, in one round trip.
FACTS_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const images = Array.from(document.images).map((img) => ({
    src: img.getAttribute('src'),
    alt: img.getAttribute('alt'),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
    inArticle: !!(article && article.contains(img)),
    visible: visible(img),
  }));
  const math = Array.from(article ? article.querySelectorAll('.math') : []).map((el) => ({
    typeset: !!el.querySelector('mjx-container'),
    error: !!el.querySelector('mjx-merror'),
    text: el.textContent.slice(0, 80),
  }));
  const headings = Array.from(article ? article.querySelectorAll('h1, h2, h3, h4, h5, h6') : [])
    .filter(visible)
    .map((h) => ({level: Number(h.tagName[1]), text: h.textContent.replace(/[#¶\\s]+$/u, '').trim()}));
  const glue = Array.from(article ? article.querySelectorAll('.pasted-text, .pasted-inline') : [])
    .map((el) => el.textContent.trim());
  const errorOutputs = Array.from(article ? article.querySelectorAll(
    '.stderr, .output.stderr, .output.traceback, .traceback, .output.error') : [])
    .filter(visible).map((el) => el.textContent.slice(0, 200));
  return {
    title: document.title,
    articleText: article ? article.innerText : '',
    images, math, headings, glue, errorOutputs,
    mathjax: window.MathJax ? (MathJax.version || 'loaded') : null,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  };
}
"""

#: Text blocks (not code, tables or figures, which scroll in their own box)
#: that stick out of the viewport on the right.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!article) return [];
  return Array.from(article.querySelectorAll('p, li, h1, h2, h3, h4, dt, dd, .admonition-title'))
    .filter((el) => !el.closest('pre, table, .highlight, .cell_output, .MathJax, mjx-container'))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName + ': ' + el.textContent.trim().slice(0, 60));
}
"""


def _page_name(doc: str) -> str:
    return Path(doc).name


def _open(browser, site: str, doc: str, viewport: dict[str, int], visit: Visit):
    """A new page at ``doc`` that records console errors and requests into ``visit``."""
    context = browser.new_context(viewport=viewport, color_scheme="light")
    page = context.new_page()
    host = urlsplit(site).netloc
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(
        f"{message.text} [{message.location.get('url', '')}]"))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("requestfailed", lambda request: visit.failed_requests.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and visit.failed_requests.append(
        f"{response.url} (HTTP {response.status})"))

    def _request(request) -> None:
        if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).netloc != host:
            visit.external_requests.append(request.url)

    page.on("request", _request)
    page.goto(visit.url, wait_until="load")
    return context, page


@pytest.fixture(scope="session")
def visits(browser, site: str, axe_source: str):
    """``visits(doc)``: the desktop :class:`Visit` of a page, loaded once.

    Also saves the page's full-page screenshot and axe-core's report.
    """
    cache: dict[str, Visit] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def visit(doc: str) -> Visit:
        if doc in cache:
            return cache[doc]
        result = Visit(doc=doc, url=f"{site}/{doc}.html")
        context, page = _open(browser, site, doc, DESKTOP, result)
        try:
            result.facts = page.evaluate(FACTS_JS)
            page.screenshot(path=str(SCREENSHOTS / f"{_page_name(doc)}.png"), full_page=True)
            page.add_script_tag(content=axe_source)
            report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            result.violations = report["violations"]
            (SCREENSHOTS / f"{_page_name(doc)}.axe.json").write_text(json.dumps(result.violations, indent=1))
        finally:
            context.close()
        cache[doc] = result
        return result

    return visit


@pytest.fixture(scope="session")
def phone_visits(browser, site: str, html_dir: Path):
    """``phone_visits(doc)``: (facts, overflowing text) of a page 390 px wide."""
    cache: dict[str, tuple[dict[str, Any], list[str]]] = {}

    def visit(doc: str):
        if doc not in cache:
            record = Visit(doc=doc, url=f"{site}/{doc}.html")
            context, page = _open(browser, site, doc, PHONE, record)
            try:
                facts = page.evaluate(FACTS_JS)
                overflow = page.evaluate(OVERFLOW_JS)
                page.screenshot(path=str(SCREENSHOTS / f"{_page_name(doc)}-phone.png"))
            finally:
                context.close()
            cache[doc] = (facts, overflow)
        return cache[doc]

    return visit


@pytest.fixture()
def page(browser, site: str):
    """A fresh desktop page for interactive checks (search, theme toggle, buttons)."""
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = site
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
