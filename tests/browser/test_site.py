"""The built site as a reader sees it, in headless Chromium.

For every page of ``_toc.yml``: no console errors, every image loaded and
described, math typeset, no traceback or stderr on the page, every glued value
filled, a title and headings in order, no serious or critical axe-core
accessibility violation, and no horizontal scrolling of the text on a phone.
For the site: search finds a chapter by a word in its text, the light/dark
toggle switches the colours, and chapter pages have working launch and download
buttons. See conftest.py for the server, the browser and the screenshots.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from book_site import CHAPTERS, DOCUMENTS, HTML, SCREENSHOTS, is_notebook

#: axe-core impacts that fail the build; "moderate" and "minor" findings are
#: kept in the <page>.axe.json report next to the screenshots.
BLOCKING_IMPACTS = {"serious", "critical"}
#: Findings in the theme's own page chrome (pydata-sphinx-theme 0.17.1 via
#: sphinx-book-theme 1.3.0), not in the book's content, kept narrow: rule id ->
#: CSS classes of the elements it may flag. The search button reads
#: "Search Ctrl+K" but is labelled "Search", and the colour-mode button's icons
#: carry titles that its "Color mode" label does not contain; both remain usable
#: by name with a screen reader. Fix upstream, then delete the entry.
THEME_EXCEPTIONS = {
    "label-content-name-mismatch": ("search-button__button", "theme-switch-button"),
}
PROGRESS_BAR = re.compile(r"\d+/\d+ +━+")


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_no_console_errors(visits, doc: str) -> None:
    visit = visits(doc)
    assert not visit.failed_requests, f"failed requests: {visit.failed_requests}"
    assert not visit.page_errors, f"uncaught JavaScript errors: {visit.page_errors}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_no_request_leaves_the_site(visits, doc: str) -> None:
    """Everything a page loads on its own (scripts, styles, fonts, MathJax) is served
    with the book, so it renders offline and tells no third party who reads it."""
    assert not visits(doc).external_requests, f"requests to other hosts: {visits(doc).external_requests}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_images_loaded_with_alt_text(visits, doc: str) -> None:
    images = visits(doc).facts["images"]
    broken = [image["src"] for image in images if image["visible"] and not image["naturalWidth"] > 0]
    assert not broken, f"images that did not load: {broken}"
    undescribed = [image["src"] for image in images if image["inArticle"] and not (image["alt"] or "").strip()]
    assert not undescribed, f"images without alt text: {undescribed}"
    unmarked = [image["src"] for image in images if image["alt"] is None]
    assert not unmarked, f"images without an alt attribute: {unmarked}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_math_is_rendered(visits, doc: str) -> None:
    facts = visits(doc).facts
    math = facts["math"]
    if not math:
        pytest.skip("no math on this page")
    assert facts["mathjax"], "MathJax did not load"
    untypeset = [item["text"] for item in math if not item["typeset"]]
    assert not untypeset, f"math left as TeX source: {untypeset[:3]}"
    errors = [item["text"] for item in math if item["error"]]
    assert not errors, f"TeX errors: {errors[:3]}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_no_traceback_or_stderr_is_visible(visits, doc: str) -> None:
    facts = visits(doc).facts
    assert not facts["errorOutputs"], f"error output on the page: {facts['errorOutputs'][:2]}"
    text = facts["articleText"]
    for noise in ("Traceback (most recent call last)", "WARNING:", "oneDNN", "cpu_feature_guard"):
        assert noise not in text, f"{noise!r} is visible on the page"
    # A Keras progress bar ("157/157 ━━━━━━━━ 1s 4ms/step"); the same box
    # characters in model.summary()'s table are fine.
    assert not PROGRESS_BAR.search(text), f"a progress bar is visible: {PROGRESS_BAR.search(text).group()!r}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_glued_values_are_present(visits, doc: str) -> None:
    facts = visits(doc).facts
    empty = [index for index, text in enumerate(facts["glue"]) if not text]
    assert not empty, f"{len(empty)} empty glued values on the page"
    # An unresolved role shows as its source text.
    assert "{glue:" not in facts["articleText"], "a glue role was not resolved"
    if is_notebook(doc):
        assert facts["glue"], "no glued values: the prose should quote the run"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_title_and_heading_order(visits, doc: str) -> None:
    facts = visits(doc).facts
    headings = facts["headings"]
    assert headings and headings[0]["level"] == 1, "the page does not start with a level-1 heading"
    assert [h["level"] for h in headings].count(1) == 1, "more than one level-1 heading"
    assert headings[0]["text"] and headings[0]["text"] in facts["title"], (
        f"title {facts['title']!r} does not name the page ({headings[0]['text']!r})"
    )
    for before, after in zip(headings, headings[1:]):
        assert after["level"] <= before["level"] + 1, (
            f"heading level jumps from h{before['level']} ({before['text']!r}) "
            f"to h{after['level']} ({after['text']!r})"
        )


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_no_serious_accessibility_violations(visits, doc: str) -> None:
    blocking = []
    for violation in visits(doc).violations:
        excused = THEME_EXCEPTIONS.get(violation["id"], ())
        nodes = [n for n in violation["nodes"] if not any(f'class="{c}' in n["html"] or f" {c}" in n["html"]
                                                         for c in excused)]
        if violation["impact"] in BLOCKING_IMPACTS and nodes:
            blocking.append({**violation, "nodes": nodes})
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -- " + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in blocking
    ]
    assert not blocking, "axe-core violations:\n" + "\n".join(summary)


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_screenshot_saved(visits, doc: str) -> None:
    visits(doc)
    shot = SCREENSHOTS / f"{Path(doc).name}.png"
    assert shot.is_file() and shot.stat().st_size > 10_000


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_phone_width_has_no_horizontal_scrolling(phone_visits, doc: str) -> None:
    facts, overflowing = phone_visits(doc)
    assert facts["scrollWidth"] <= facts["clientWidth"], (
        f"the page scrolls sideways at 390 px: {facts['scrollWidth']} > {facts['clientWidth']}"
    )
    assert not overflowing, f"text wider than the screen: {overflowing[:3]}"


def _search_word(doc: str) -> str:
    """A word of ``doc``'s prose that no other page of the book uses."""

    def words(page: str) -> Counter:
        soup = BeautifulSoup((HTML / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        for hidden in article.select("pre, .cell_output, .math, script"):
            hidden.decompose()
        return Counter(re.findall(r"\b[a-z]{7,}\b", article.get_text(" ").lower()))

    others = Counter()
    for other in DOCUMENTS:
        if other != doc:
            others.update(words(other))
    unique = [(count, word) for word, count in words(doc).items() if word not in others]
    if not unique:
        pytest.skip(f"no word is unique to {doc}")
    return max(unique)[1]


@pytest.mark.parametrize("doc", CHAPTERS)
def test_search_finds_the_chapter(html_dir, page, doc: str) -> None:
    word = _search_word(doc)
    page.goto(f"{page.base_url}/search.html?q={word}")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(href.split("#")[0].endswith(f"{doc}.html") for href in hrefs), (
        f"searching {word!r} did not list {doc}: {hrefs}"
    )


def test_light_dark_toggle(html_dir, page) -> None:
    page.goto(f"{page.base_url}/{DOCUMENTS[0]}.html")
    html = page.locator("html")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert html.get_attribute("data-theme") == "light"
    light = page.evaluate(background)
    toggle = page.locator("button.theme-switch-button").first
    for _ in range(3):  # the button cycles light -> dark -> auto
        if html.get_attribute("data-theme") == "dark":
            break
        toggle.click()
    assert html.get_attribute("data-theme") == "dark"
    page.wait_for_timeout(400)  # the theme fades its colours
    dark = page.evaluate(background)
    assert dark != light, "the dark mode did not change the background"
    # The choice is remembered on the next page.
    page.goto(f"{page.base_url}/{DOCUMENTS[-1]}.html")
    assert page.locator("html").get_attribute("data-theme") == "dark"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_and_download_buttons(html_dir, page, doc: str) -> None:
    page.goto(f"{page.base_url}/{doc}.html")
    launch = page.get_by_role("button", name="Launch interactive content")
    launch.click()
    menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
    for service in ("colab.research.google.com", "mybinder.org"):
        link = menu.locator(f"a[href*='{service}']")
        assert link.count() == 1 and link.is_visible(), f"no visible {service} launch link"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Download this page").click()
    downloads = page.locator(".dropdown-download-buttons .dropdown-menu a")
    hrefs = [downloads.nth(i).get_attribute("href") for i in range(downloads.count())]
    assert any(href.endswith(".ipynb") for href in hrefs) and any(href.endswith(".md") for href in hrefs), hrefs
    assert downloads.first.is_visible()
    # The downloads are served: a reader clicking them gets the file.
    for href in hrefs:
        if href.endswith((".ipynb", ".md")):
            response = page.request.get(f"{page.base_url}/{Path(doc).parent}/{href}")
            assert response.ok, f"download {href} answered {response.status}"
