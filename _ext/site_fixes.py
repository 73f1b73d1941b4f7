"""Sphinx extension: fixes for what the browser checks (tests/browser) found.

- A favicon: without one, every reader's browser asks for /favicon.ico and
  logs the 404 in its console. The book's icon is ``static/favicon.svg``
  (used only when ``html_favicon`` is not set).

Accessibility problems of markup the book's tools generate (axe-core):

- Bibliography entries: docutils marks each entry ``role="doc-biblioentry"``
  inside a ``role="list"``. DPUB-ARIA 1.1 deprecated that role, so assistive
  technology (and axe-core: "aria-required-children", critical) sees a list
  without list items. Entries get ``role="listitem"``, which the deprecation
  note recommends.
- Colours in cell outputs: Keras prints ``model.summary()`` through rich, whose
  bright blue, cyan and green text has a contrast of 1.6 to 3.2 against the
  theme's output background (WCAG AA asks for 4.5). ``site-fixes.css`` draws output
  text in the theme's own text colour, which is readable in light and dark
  mode; bold and italic stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static"
CSS = "site-fixes.css"
FAVICON = STATIC / "favicon.svg"


def fix_bibliography_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Give bibliography entries a list-item role the ``role="list"`` parent allows."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def configure(app: Sphinx, config: Config) -> None:
    """Serve our stylesheet, and give the book a favicon unless it has one."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    if not config.html_favicon:
        config.html_favicon = str(FAVICON)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("html-page-context", fix_bibliography_roles)
    # After the theme's stylesheets (priority 500), so these rules win.
    app.add_css_file(CSS, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
