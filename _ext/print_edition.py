"""Sphinx extension: print rules, and the single page that the PDF edition is printed from.

- ``static/print.css``, on every page of every HTML build: ``@media print``
  rules. In print, the site's navigation and buttons are left out, code lines
  wrap instead of being cut off at the page's edge, figures, tables and outputs
  are not split across pages, and the live panels (which need the site's
  scripts) give way to one sentence. A reader who prints a page gets the same.
- In the single-page build (``singlehtml``, which ``scripts/build-pdf.sh``
  prints to ``_build/pdf/dlbook.pdf`` with Chromium): each chapter starts on a
  new page, and where a chapter's web page has its live panel (before the
  Summary section: ``live_panels`` adds it to each chapter's own page, which the
  single page is not), the print edition says that the panel runs on the
  website and links to it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static"
CSS = "print.css"
#: Where live_panels puts a chapter's panel on its own page.
BEFORE_SECTION = '<section id="summary">'
#: Sphinx's singlehtml builder marks where each document starts.
DOCUMENT_START = re.compile(r'<span id="document-([^"]+)"></span>')
#: A section's opening tag, and its class attribute if it has one.
SECTION = re.compile(r'<section\b(?P<attributes>[^>]*)>')


def start_page(match: re.Match) -> str:
    """The section's opening tag with the class that starts a new page in print."""
    attributes = match.group("attributes")
    if 'class="' in attributes:
        return "<section" + attributes.replace('class="', 'class="dlbook-print-chapter ', 1) + ">"
    return f'<section class="dlbook-print-chapter"{attributes}>'


def panel_note(site: str, docname: str) -> str:
    """The sentence the print edition has where the web page has a live panel."""
    url = f"{site}{docname}.html#live-model"
    return (
        '<section class="dlbook-print-live" id="live-model-print">\n'
        "<h2>Try the trained model</h2>\n"
        "<p>On the book's website, this chapter has a live panel that runs the trained model in the "
        f'browser: <a href="{html.escape(url)}">{html.escape(url)}</a>.</p>\n'
        "</section>\n"
    )


def mark_chapters(body: str, site: str, panels: set[str]) -> str:
    """The single page's body with each chapter marked to start a new page, and its panel note.

    ``panels``: the documents whose own page has a live panel.
    """
    starts = list(DOCUMENT_START.finditer(body))
    pieces, last = [], 0
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        docname = start.group(1)
        chunk = body[start.start():end]
        # The chapter's first section follows its marker: it starts the new page.
        chunk = SECTION.sub(start_page, chunk, count=1)
        if docname in panels and BEFORE_SECTION in chunk:
            chunk = chunk.replace(BEFORE_SECTION, panel_note(site, docname) + BEFORE_SECTION, 1)
        pieces += [body[last:start.start()], chunk]
        last = end
    pieces.append(body[last:])
    return "".join(pieces)


def print_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """In the single-page build, prepare the book's one page for print (see the module's docstring)."""
    body = context.get("body")
    if app.builder.name != "singlehtml" or not body:
        return
    site = (app.config.html_baseurl or "").rstrip("/") + "/"
    context["body"] = mark_chapters(body, site, set(getattr(app.env, "dlbook_panels", {})))


def configure(app: Sphinx, config: Config) -> None:
    """Serve static/ (shared with the other extensions) as _static/."""
    if str(STATIC) not in [str(path) for path in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("html-page-context", print_page, priority=910)
    app.add_css_file(CSS, priority=910)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
