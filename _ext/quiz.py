"""Sphinx extension: the script and stylesheet of the check-your-understanding questions.

The chapters ask their questions in hidden cells (``dlbook.quiz.Question``,
tagged ``quiz`` and ``remove-input``); each cell's HTML output is the whole
question, readable and answerable without a script (the answer is in a
``<details>`` block). This extension serves ``static/quiz/`` as
``_static/quiz/``: ``quiz.css`` on every page (light and dark mode, 390 px
wide screens) and ``quiz.js``, which shows each question's Check button and
says whether the chosen option is right, on the pages that have a question.

Why not ``jupyterquiz``: its questions are built by an injected script in the
cell's output (nothing shows without it, and no Markdown form exists for the
launch notebook), its options are ``<label>`` click handlers around a radio
that an arrow key answers as soon as it moves, its feedback is not announced,
and it loads MathJax from a CDN when the page has none.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
SCRIPT = "quiz/quiz.js"
CSS = "quiz/quiz.css"
#: What marks a page that has a question (``dlbook.quiz.Question._repr_html_``).
MARKER = 'class="dlbook-quiz '


def configure(app: Any, config: Any) -> None:
    """Serve static/quiz/ as _static/quiz/ (other extensions add the same static folder)."""
    if str(STATIC) not in [str(path) for path in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def add_script(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Load quiz.js at the end of the body of each page with a question."""
    body = context.get("body", "")
    if MARKER not in body:
        return
    src = html.escape(context["pathto"]("_static/" + SCRIPT, 1))
    context["body"] = body + f'<script defer src="{src}"></script>'


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("html-page-context", add_script)
    # After the theme's stylesheets (priority 500), so these rules win.
    app.add_css_file(CSS, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
