"""Sphinx extension: serve MathJax 3 from the book's own ``_static`` folder.

Sphinx loads MathJax from a CDN by default. The book serves its own copy
instead, so that its math renders where the CDN cannot be reached (offline
readers, CI machines without internet, the browser checks in tests/browser) and
readers' browsers make no third-party request. The files come from the pinned
PyPI package ``sphinx-mathjax-offline`` (MathJax 3.2.2, Apache-2.0); only the
parts that the CommonHTML ``tex-mml-chtml`` bundle loads, directly or on demand
(fonts, TeX extensions, the menu and the accessibility explorer), are copied.
Setting ``mathjax_path`` in the configuration (to anything but Sphinx's default
CDN address) turns this off.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.ext.mathjax import MATHJAX_URL
from sphinx.util.fileutil import copy_asset

#: The bundle Sphinx's default uses (TeX and MathML input, CommonHTML output).
BUNDLE = "tex-mml-chtml.js"
#: What that bundle can load at run time, relative to the MathJax folder.
ON_DEMAND = ("a11y", "input", "output/chtml", "sre", "ui")
#: Where the copy goes, under _static.
TARGET = "mathjax"


def mathjax_source() -> Path:
    """The MathJax folder shipped by the ``sphinx-mathjax-offline`` package."""
    # The package's import name has hyphens; find_spec still locates it.
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "local_mathjax needs the 'sphinx-mathjax-offline' package (pip install -r requirements.txt)."
        )
    source = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (source / BUNDLE).is_file():
        raise ExtensionError(f"MathJax bundle not found: {source / BUNDLE}")
    return source


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    """Point ``mathjax_path`` at the local copy unless the book set its own."""
    if config.mathjax_path == MATHJAX_URL:
        mathjax_source()  # fail early, before a long build, if it is missing
        # A path without '://' is taken relative to _static by Sphinx.
        config.mathjax_path = f"{TARGET}/{BUNDLE}"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy the bundle and what it loads on demand into ``_static/mathjax``."""
    if exception is not None or app.builder.format != "html":
        return
    if app.config.mathjax_path != f"{TARGET}/{BUNDLE}":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / TARGET
    target.mkdir(parents=True, exist_ok=True)
    copy_asset(str(source / BUNDLE), str(target))
    for part in ON_DEMAND:
        copy_asset(str(source / part), str(target / part))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
