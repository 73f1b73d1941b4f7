"""Checks of the PDF edition, _build/pdf/dlbook.pdf (scripts/build-pdf.sh), against the built site.

What the site shows is read from _build/html (each page's title, its glued
numbers, its images, its visible code); what the PDF holds is read with
poppler's pdfinfo, pdftotext and pdfimages. Skipped when there is no PDF,
unless DLBOOK_REQUIRE_PDF=1 (a missing PDF is then a failure).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
PDF = ROOT / "_build" / "pdf" / "dlbook.pdf"


def toc_documents() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [chapter["file"] for chapter in part["chapters"]]
    return documents


DOCUMENTS = toc_documents()
CHAPTERS = [doc for doc in DOCUMENTS
            if doc != DOCUMENTS[0] and "kernelspec" in (ROOT / f"{doc}.md").read_text().split("\n---", 1)[0]]


@pytest.fixture(scope="module", autouse=True)
def built_pdf() -> None:
    for tool in ("pdfinfo", "pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (poppler-utils: scripts/build-pdf.sh installs it)")
    if not PDF.is_file() or not (HTML / "index.html").is_file():
        if os.environ.get("DLBOOK_REQUIRE_PDF") == "1":
            pytest.fail(f"No {PDF.relative_to(ROOT)}: scripts/build-pdf.sh failed or did not run.")
        pytest.skip("The PDF is not built (run scripts/build.sh, then scripts/build-pdf.sh).")


def squeeze(text: str) -> str:
    """Text without whitespace: a line that wraps in print is still found whole."""
    return re.sub(r"\s+", "", text)


def pages() -> list[str]:
    """The PDF's text, page by page (pdftotext ends each page with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(PDF), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def site(doc: str) -> BeautifulSoup:
    return BeautifulSoup((HTML / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")


def title(doc: str) -> str:
    heading = site(doc).find("article").find("h1")
    for link in heading.select(".headerlink"):
        link.decompose()
    return heading.get_text(" ", strip=True)


def page_ranges() -> dict[str, range]:
    """The pages of each document: each starts on a new page whose first line is its title."""
    texts = pages()
    starts, after = {}, 0
    for doc in DOCUMENTS:
        wanted = squeeze(title(doc))
        found = next((number for number in range(after, len(texts))
                      if squeeze(texts[number]).startswith(wanted)), None)
        assert found is not None, f"no page after page {after + 1} starts with the title of {doc}: {title(doc)!r}"
        starts[doc], after = found, found + 1
    ends = [*list(starts.values())[1:], len(texts)]
    return {doc: range(start, end) for (doc, start), end in zip(starts.items(), ends)}


@pytest.fixture(scope="module")
def chapters() -> dict[str, str]:
    """Each document's text in the PDF, without whitespace."""
    texts = pages()
    return {doc: squeeze("".join(texts[number] for number in numbers)) for doc, numbers in page_ranges().items()}


def test_the_pdf_has_a_plausible_number_of_pages() -> None:
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    # The site's article text, at the 2,000 to 6,000 characters an A4 page of prose, code and figures holds.
    characters = sum(len(site(doc).find("article").get_text(" ", strip=True)) for doc in DOCUMENTS)
    assert characters / 6000 <= count <= characters / 1500, f"{count} pages for {characters:,} characters"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_document_starts_a_page_with_its_title(doc: str, chapters: dict[str, str]) -> None:
    assert chapters[doc].startswith(squeeze(title(doc)))


def glued_numbers(doc: str) -> list[str]:
    """The numbers the page quotes from the run (glued values), as the page shows them."""
    values = [node.get_text(" ", strip=True) for node in site(doc).select(".pasted-text, .pasted-inline")]
    return sorted({value for value in values if re.fullmatch(r"[-+−]?[\d.,]*\d[\d.,]*\s*%?", value)})


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_number_the_chapter_quotes_is_printed(doc: str, chapters: dict[str, str]) -> None:
    """The chapter's glued numbers, among them its headline number, in the chapter's pages."""
    numbers = glued_numbers(doc)
    assert numbers, f"{doc} quotes no glued number"
    missing = [number for number in numbers if squeeze(number) not in chapters[doc]]
    assert not missing, f"{doc}: the PDF lacks {missing}"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_chapter_has_images(doc: str) -> None:
    numbers = page_ranges()[doc]
    listing = subprocess.run(["pdfimages", "-list", "-f", str(numbers.start + 1), "-l", str(numbers.stop),
                              str(PDF)], capture_output=True, text=True, check=True).stdout
    images = [line for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"]]
    on_site = site(doc).find("article").find_all("img")
    assert on_site and len(images) >= 1, f"{doc}: {len(images)} images in the PDF, {len(on_site)} on the site"


def visible_code_lines(doc: str) -> list[str]:
    """The code lines the chapter's page shows: its code cells and code blocks, outside dropdowns."""
    article = site(doc).find("article")
    blocks = [block for block in article.select("div.cell_input pre, div.highlight pre")
              if block.find_parent("details") is None and block.find_parent(class_="cell_output") is None]
    return [line for block in blocks for line in block.get_text().splitlines() if line.strip()]


@pytest.mark.parametrize("doc", CHAPTERS)
def test_the_longest_code_line_is_printed_whole(doc: str, chapters: dict[str, str]) -> None:
    longest = max(visible_code_lines(doc), key=len)
    assert squeeze(longest) in chapters[doc], f"{doc}: the PDF cuts {longest!r}"
