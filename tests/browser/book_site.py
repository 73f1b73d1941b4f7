"""The book's pages and paths, shared by the browser checks and their fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("DLBOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = os.environ.get("DLBOOK_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("DLBOOK_REQUIRE_BOOK") == "1"
#: The table of contents the site was built from (another one for partial builds).
TOC = Path(os.environ.get("DLBOOK_TOC", ROOT / "_toc.yml"))

#: The machines that build the book have no internet, and Chromium's own
#: background services would flood them with refused connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def toc_documents() -> list[str]:
    """Every page of ``_toc.yml``, root first, in reading order."""
    toc = yaml.safe_load(TOC.read_text())
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [chapter["file"] for chapter in part["chapters"]]
    return documents


def is_notebook(doc: str) -> bool:
    """Pages with a kernelspec are notebooks: they get launch and download buttons."""
    front_matter = (ROOT / f"{doc}.md").read_text(encoding="utf-8").split("\n---", 1)[0]
    return "kernelspec" in front_matter


DOCUMENTS = toc_documents()
#: Notebook pages other than the landing page: they carry launch and download buttons.
CHAPTERS = [doc for doc in DOCUMENTS[1:] if is_notebook(doc)]
