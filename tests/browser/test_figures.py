"""Figures as readers see them: text readable on a phone, sharp on 2x screens, no plate in dark mode.

Every figure PNG of the book carries, in a text chunk written when it was
saved (:func:`dlbook.plotting.figure_png`), the smallest font size it drew
(points) and its dpi. On a page, the smallest text is then
``points * dpi / 72`` PNG pixels high, scaled by the width the browser shows
the image at over its natural width. These checks load every page of
``_toc.yml`` 390 px wide (light and dark mode) and 1280 px wide, with every
dropdown opened, and measure each figure in the article. Full-page phone
screenshots in both modes go to ``<build>/screenshots/<page>-phone-{light,dark}-full.png``.

Glued values are checked here too: they read as part of their sentence, not bold.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_site import DESKTOP, DOCUMENTS, HTML, PHONE, SCREENSHOTS, is_notebook

from dlbook.plotting import MIN_PHONE_TEXT_PX, PNG_DPI_KEY, PNG_FONT_KEY

#: What the page shows of each image in the article, after opening every
#: dropdown (<details>), so that figures inside them are laid out too.
FIGURES_JS = """
() => {
  document.querySelectorAll('details').forEach((details) => { details.open = true; });
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const images = Array.from(article ? article.querySelectorAll('img') : []).map((img) => {
    const style = getComputedStyle(img);
    const box = img.getBoundingClientRect();
    const px = (value) => parseFloat(value) || 0;
    return {
      src: img.getAttribute('src'),
      url: img.currentSrc || img.src,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      shownWidth: box.width - px(style.paddingLeft) - px(style.paddingRight)
        - px(style.borderLeftWidth) - px(style.borderRightWidth),
      background: style.backgroundColor,
      padding: style.paddingLeft,
      filter: style.filter,
    };
  });
  const glue = Array.from(article ? article.querySelectorAll('.pasted-text') : []).map((el) => ({
    text: el.textContent.trim().slice(0, 40),
    weight: getComputedStyle(el).fontWeight,
    parentWeight: getComputedStyle(el.parentElement).fontWeight,
  }));
  return {theme: document.documentElement.getAttribute('data-theme'), images, glue};
}
"""

#: The views measured: (viewport, colour scheme).
VIEWS = {"phone-light": (PHONE, "light"), "phone-dark": (PHONE, "dark"), "desktop": (DESKTOP, "light")}


@pytest.fixture(scope="session")
def figure_views(browser, site: str):
    """``figure_views(doc, view)``: what :data:`FIGURES_JS` found on ``doc`` in ``view``, loaded once."""
    cache: dict[tuple[str, str], dict] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def load(doc: str, view: str) -> dict:
        if (doc, view) not in cache:
            viewport, scheme = VIEWS[view]
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            try:
                page = context.new_page()
                page.goto(f"{site}/{doc}.html", wait_until="load")
                facts = page.evaluate(FIGURES_JS)
                if view.startswith("phone"):
                    page.wait_for_timeout(400)  # the theme fades its colours in
                    page.screenshot(path=str(SCREENSHOTS / f"{Path(doc).name}-{view}-full.png"), full_page=True)
            finally:
                context.close()
            cache[doc, view] = facts
        return cache[doc, view]

    return load


def _png_path(url: str) -> Path:
    return HTML / unquote(urlsplit(url).path).lstrip("/")


def _figures(facts: dict) -> list[dict]:
    """The article's images, each with its PNG's recorded font size and dpi."""
    from PIL import Image

    figures = []
    for image in facts["images"]:
        assert image["complete"] and image["naturalWidth"] > 0, f"image did not load: {image['src']}"
        path = _png_path(image["url"])
        with Image.open(path) as png:
            info, corner = dict(png.info), png.convert("RGBA").getpixel((0, 0))
        figures.append({**image, "info": info, "corner_alpha": corner[3]})
    return figures


def _smallest_text_px(figure: dict) -> float:
    points, dpi = float(figure["info"][PNG_FONT_KEY]), float(figure["info"][PNG_DPI_KEY])
    return points * dpi / 72 * figure["shownWidth"] / figure["naturalWidth"]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_figure_text_is_readable_on_a_phone(figure_views, doc: str) -> None:
    figures = _figures(figure_views(doc, "phone-light"))
    if not figures:
        pytest.skip("no figures on this page")
    unmeasured = [figure["src"] for figure in figures if PNG_FONT_KEY not in figure["info"]]
    assert not unmeasured, (
        f"figures without a recorded font size (not drawn through dlbook.plotting.use_book_style?): {unmeasured}"
    )
    hidden = [figure["src"] for figure in figures if figure["shownWidth"] <= 0]
    assert not hidden, f"figures not laid out at 390 px: {hidden}"
    small = {figure["src"]: round(_smallest_text_px(figure), 2) for figure in figures
             if _smallest_text_px(figure) < MIN_PHONE_TEXT_PX}
    assert not small, f"figure text under {MIN_PHONE_TEXT_PX} CSS px at 390 px wide: {small}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_figures_are_sharp_on_2x_screens(figure_views, doc: str) -> None:
    """Each figure has at least two PNG pixels per CSS px, and a desktop shows it at
    its intended size (half its pixels) rather than stretched to the column."""
    for view in ("phone-light", "desktop"):
        figures = _figures(figure_views(doc, view))
        if not figures:
            pytest.skip("no figures on this page")
        blurry = {figure["src"]: round(figure["naturalWidth"] / figure["shownWidth"], 2) for figure in figures
                  if figure["naturalWidth"] < 2 * figure["shownWidth"] - 1}
        assert not blurry, f"{view}: figures with fewer than 2 PNG pixels per CSS px: {blurry}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_figures_have_no_plate_in_dark_mode(figure_views, doc: str) -> None:
    facts = figure_views(doc, "phone-dark")
    assert facts["theme"] == "dark", "the page did not follow the reader's dark colour scheme"
    figures = _figures(facts)
    if not figures:
        pytest.skip("no figures on this page")
    opaque = [figure["src"] for figure in figures if figure["corner_alpha"] != 0]
    assert not opaque, f"figures saved with an opaque background: {opaque}"
    plated = {figure["src"]: (figure["background"], figure["padding"], figure["filter"]) for figure in figures
              if figure["background"] not in ("transparent", "rgba(0, 0, 0, 0)")
              or figure["padding"] not in ("0px", "") or figure["filter"] != "none"}
    assert not plated, f"dark mode draws a plate or a filter behind figures (background, padding, filter): {plated}"


@pytest.mark.parametrize("doc", [doc for doc in DOCUMENTS if is_notebook(doc)])
def test_glued_values_are_not_bold(figure_views, doc: str) -> None:
    glue = figure_views(doc, "phone-light")["glue"]
    if not glue:
        pytest.skip("no glued text on this page")
    bold = [item["text"] for item in glue if item["weight"] != item["parentWeight"]]
    assert not bold, f"glued values drawn in another weight than their sentence: {bold[:5]}"
