"""Layout of the built pages in headless Chromium (issue 22): tables, code, dark mode, search.

- At 1,280 px no table is wider than the text column it sits in.
- At 390 px a table wider than the column scrolls inside its own container: the container
  stays inside the viewport and the page itself does not scroll sideways.
- Every visible code line fits: no code block needs a horizontal scroll bar at 1,280 px
  (its text is at most 79 characters a line, which tests/book/test_editorial.py checks).
- In dark mode every table cell's text has a contrast of at least 4.5 against the
  background it is drawn on (the pandas Styler tables were light slabs).
- The header shows one search box.

Failures name the page and the table (its first header cells) or the code block (its first line).
"""

from __future__ import annotations

import pytest
from book_site import DESKTOP, DOCUMENTS, PHONE

#: Every table in the article: its width, the width of the column (the article's
#: content box) and of the nearest box that scrolls sideways, and what it holds.
TABLES_JS = """
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!article) return {tables: [], pageScrolls: false};
  const style = getComputedStyle(article);
  const column = article.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const columnRight = article.getBoundingClientRect().left + parseFloat(style.paddingLeft) + column;
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const tables = Array.from(article.querySelectorAll('table')).filter(visible).map((table) => {
    let scroller = table.parentElement;
    while (scroller && scroller !== article) {
      const overflow = getComputedStyle(scroller).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') break;
      scroller = scroller.parentElement;
    }
    if (scroller === article) scroller = null;
    const box = table.getBoundingClientRect();
    return {
      name: Array.from(table.querySelectorAll('th')).slice(0, 4).map((th) => th.textContent.trim()).join(' | ')
            || table.textContent.trim().slice(0, 60),
      width: box.width,
      right: box.right,
      column, columnRight,
      scroller: scroller ? {
        clientWidth: scroller.clientWidth, scrollWidth: scroller.scrollWidth,
        right: scroller.getBoundingClientRect().right,
      } : null,
    };
  });
  return {
    tables,
    pageScrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
    viewport: document.documentElement.clientWidth,
  };
}
"""

#: Code blocks whose text is wider than their box (clipped, or behind a scroll bar).
CODE_JS = """
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!article) return [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  return Array.from(article.querySelectorAll('div.highlight pre'))
    .filter((pre) => visible(pre) && !pre.closest('.cell_output'))
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => ({first: pre.textContent.split('\\n')[0].slice(0, 80), scrollWidth: pre.scrollWidth,
                    clientWidth: pre.clientWidth}));
}
"""

#: Table cells in the article whose text contrast against their background is below WCAG AA.
CONTRAST_JS = """
() => {
  const parse = (colour) => {
    const m = colour.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(',').map((x) => parseFloat(x));
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const background = (el) => {
    let layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let out = {r: 255, g: 255, b: 255};
    if (!layers.length || layers[layers.length - 1].a < 1) out = {r: 255, g: 255, b: 255};
    for (const c of layers.reverse()) {
      out = {r: c.r * c.a + out.r * (1 - c.a), g: c.g * c.a + out.g * (1 - c.a), b: c.b * c.a + out.b * (1 - c.a)};
    }
    return out;
  };
  const luminance = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const article = document.querySelector('article.bd-article');
  if (!article) return [];
  const bad = [];
  for (const cell of article.querySelectorAll('table td, table th')) {
    if (!cell.textContent.trim() || !(cell.offsetWidth || cell.offsetHeight)) continue;
    const fg = parse(getComputedStyle(cell).color);
    const bg = background(cell);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    if (ratio < 4.5) bad.push({text: cell.textContent.trim().slice(0, 30), ratio: Math.round(ratio * 100) / 100,
                               color: getComputedStyle(cell).color});
  }
  return bad;
}
"""

#: Visible search boxes and search buttons in the page's header and sidebars.
SEARCH_JS = """
() => {
  const visible = (el) => {
    if (!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const candidates = document.querySelectorAll(
    '.search-button-field, button.search-button__button, form.bd-search:not(.search-button__wrapper form), '
    + 'input[type="search"]');
  return Array.from(candidates)
    .filter((el) => !el.closest('.search-button__wrapper') && !el.closest('dialog'))
    .filter((el) => !el.closest('.bd-search') || el.matches('form.bd-search'))
    .filter(visible)
    .map((el) => el.className || el.tagName);
}
"""


def _open(browser, site: str, doc: str, viewport: dict[str, int], scheme: str = "light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/{doc}.html", wait_until="load", timeout=120_000)  # a busy CI machine is slow
    return context, page


@pytest.fixture(scope="module")
def layout(browser, site: str):
    """``layout(doc, viewport, scheme)``: what TABLES_JS, CODE_JS, CONTRAST_JS and SEARCH_JS report, once per page."""
    cache: dict[tuple, dict] = {}

    def measure(doc: str, viewport: dict[str, int], scheme: str = "light") -> dict:
        key = (doc, viewport["width"], scheme)
        if key not in cache:
            context, page = _open(browser, site, doc, viewport, scheme)
            try:
                if scheme == "dark":
                    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
                cache[key] = {
                    "tables": page.evaluate(TABLES_JS),
                    "code": page.evaluate(CODE_JS),
                    "contrast": page.evaluate(CONTRAST_JS) if scheme == "dark" else [],
                    "search": page.evaluate(SEARCH_JS),
                }
            finally:
                context.close()
        return cache[key]

    return measure


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_tables_fit_the_column_on_a_desktop(layout, doc: str) -> None:
    tables = layout(doc, DESKTOP)["tables"]["tables"]
    wide = [table for table in tables if table["width"] > table["column"] + 1]
    assert not wide, f"{doc}: tables wider than the {tables[0]['column']:.0f} px column at 1,280 px:\n" + "\n".join(
        f"  {table['width']:.0f} px: {table['name']}" for table in wide)


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_tables_scroll_in_their_own_box_on_a_phone(layout, doc: str) -> None:
    measured = layout(doc, PHONE)["tables"]
    problems = []
    for table in measured["tables"]:
        if table["width"] <= table["column"] + 1:
            continue  # it fits
        scroller = table["scroller"]
        if scroller is None:
            problems.append(f"  {table['width']:.0f} px in a {table['column']:.0f} px column, no scrolling box: "
                            f"{table['name']}")
        elif scroller["right"] > measured["viewport"] + 1 or scroller["clientWidth"] > table["column"] + 1:
            problems.append(f"  its scrolling box ({scroller['clientWidth']} px) leaves the column: {table['name']}")
    assert not problems, f"{doc} at 390 px:\n" + "\n".join(problems)
    assert not measured["pageScrolls"], f"{doc}: the page scrolls sideways at 390 px"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_code_is_not_clipped_on_a_desktop(layout, doc: str) -> None:
    clipped = layout(doc, DESKTOP)["code"]
    assert not clipped, f"{doc}: {len(clipped)} code blocks wider than their box at 1,280 px:\n" + "\n".join(
        f"  {block['scrollWidth']} px in {block['clientWidth']} px: {block['first']}" for block in clipped)


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_tables_are_readable_in_dark_mode(layout, doc: str) -> None:
    bad = layout(doc, DESKTOP, "dark")["contrast"]
    assert not bad, f"{doc}: {len(bad)} table cells below a 4.5 contrast in dark mode, e.g. {bad[:5]}"


def test_the_header_has_one_search_box(layout) -> None:
    boxes = layout(DOCUMENTS[1], DESKTOP)["search"]
    assert len(boxes) == 1, f"{len(boxes)} search boxes visible at 1,280 px: {boxes}"
