"""Sphinx extension: write every inline or linked script only once per page.

sphinx-thebe and sphinx-togglebutton register their inline configuration
scripts (``const THEBE_JS_URL = ...``, ``var togglebuttonSelector = ...``) from
events that run after the HTML builder has copied the registered scripts, so
Jupyter Book 1.0.4 pages carry each of them twice. Declaring the same ``const``
twice is a ``SyntaxError`` in the browser console of every page. This extension
drops the repeated entries from the page's script list, keeping the first.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple:
    """Identity of a script tag: its file (or None for inline) and attributes.

    Sphinx's ``_JavaScript`` assets also carry a priority, which only orders
    them; two scripts differing only in priority are the same script. An inline
    script's file is ``None`` when the builder registered it and ``""`` when it
    came through the application's registry: both mean "no file".
    """
    filename = getattr(script, "filename", script)
    attributes = getattr(script, "attributes", {})
    return (str(filename or ""), tuple(sorted(attributes.items())))


def dedupe_script_files(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Remove repeated scripts from ``context["script_files"]`` in place."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    # Late (after the themes' handlers, which run at the default 500 and at
    # 501), so scripts added by those handlers are deduplicated too.
    app.connect("html-page-context", dedupe_script_files, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
