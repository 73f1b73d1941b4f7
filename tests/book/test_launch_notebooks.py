"""The launch notebooks the build writes: what Colab, Binder and the download button give.

Each chapter's launch notebook (``_build/launch/<doc>.ipynb``, written by
``_ext/launch_notebooks.py``) must read as a plain document: rendered by a
CommonMark renderer (markdown-it-py), no Markdown cell shows MyST markup; no
code cell keeps the book's bookkeeping; the note under the title labels the
build's numbers; citations are linked text. The page's launch buttons and the
run box under its title point at it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import launch_notebooks  # noqa: E402

BUILD = ROOT / "_build"
HTML = BUILD / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
ORG_REPO = CONFIG["repository"]["url"].rstrip("/").split("github.com/")[1]
DOCS = sorted(
    str(path.relative_to(ROOT).with_suffix(""))
    for path in (ROOT / "book").glob("*.md")
    if "kernelspec:" in path.read_text().split("\n---", 1)[0]
)
#: MyST markup that must not survive into what a CommonMark renderer shows.
MARKUP = re.compile(r"\{(glue|cite|numref|ref|doc|math|literalinclude|note|dropdown|admonition)[:}]|^:::|`\{|^\([\w.-]+\)=",
                    re.MULTILINE)
BOOKKEEPING = ("results.glue", "results.add_training", "notebook.Results(", "myst_nb", "glue(")


@pytest.fixture(scope="module", autouse=True)
def built_book() -> None:
    if not (BUILD / "launch").is_dir():
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail("No launch notebooks in _build/launch: the build failed or did not run.")
        pytest.skip("The book is not built (run scripts/build.sh first).")


def launch(doc: str) -> nbformat.NotebookNode:
    return nbformat.read(BUILD / "launch" / f"{doc}.ipynb", as_version=4)


def shown(markdown: str) -> str:
    """The text a plain CommonMark renderer shows for a Markdown cell (HTML tags stripped)."""
    html = MarkdownIt("commonmark").render(markdown)
    # Code blocks are code: markup inside them is what the code says, not markup.
    html = re.sub(r"(?s)<pre><code.*?</code></pre>", "", html)
    return BeautifulSoup(html, "html.parser").get_text()


def test_every_notebook_page_has_a_launch_notebook() -> None:
    assert len(DOCS) >= 5
    for doc in DOCS:
        nbformat.validate(launch(doc))


@pytest.mark.parametrize("doc", DOCS)
def test_markdown_cells_show_no_myst_markup(doc: str) -> None:
    for cell in launch(doc).cells:
        if cell.cell_type == "markdown":
            text = shown(cell.source)
            assert not MARKUP.search(text), f"markup left in {doc}: {MARKUP.search(text).group(0)!r} in {text[:300]!r}"


@pytest.mark.parametrize("doc", DOCS)
def test_no_bookkeeping_code_and_no_outputs(doc: str) -> None:
    code = [cell for cell in launch(doc).cells if cell.cell_type == "code"]
    assert code, "no code cells"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        assert not any(word in cell.source for word in BOOKKEEPING), cell.source
        assert "remove-cell" not in cell.metadata.get("tags", [])
    first = code[0].source
    assert 'if "google.colab" in sys.modules:' in first and "pip install" in first
    assert "In your own Jupyter instead" in first and "pip install tensorflow" in first, \
        f"{doc}: the install cell does not say how to install locally"
    shown_prose = [cell.source for cell in code if "dlbook.prose" in cell.source or "reference." in cell.source]
    assert not shown_prose, f"{doc}: a code cell shows the book's bookkeeping: {shown_prose[0][:200]}"


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != "book/intro"])
def test_no_rebuild_instructions(doc: str) -> None:
    """Colab and Binder have no book to rebuild: no DLBOOK_PROFILE, no rebuild in the chapter's text."""
    for cell in launch(doc).cells:
        if cell.cell_type == "markdown":
            match = launch_notebooks.BUILD_INSTRUCTION.search(shown(cell.source))
            assert not match, f"{doc}: a build instruction ({match.group(0)!r}) in: {cell.source[:300]!r}"


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != "book/intro"])
def test_every_exercise_has_an_empty_cell_before_its_solution(doc: str) -> None:
    source = (ROOT / f"{doc}.md").read_text()
    solutions = len(re.findall(r"(?m)^\s*:::+\{dropdown\}\s*Solution", source))
    cells = launch(doc).cells
    turns = [index for index, cell in enumerate(cells)
             if cell.cell_type == "code" and cell.source.startswith("# Your turn")]
    assert len(turns) == solutions, f"{doc}: {solutions} solutions, {len(turns)} 'Your turn' cells"
    for index in turns:
        assert cells[index].outputs == [] and "\n" not in cells[index].source.strip()
        following = cells[index + 1]
        assert following.cell_type == "markdown" and "<summary>Solution" in following.source


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != "book/intro"])
def test_figure_numbers_match_the_site(doc: str) -> None:
    """The notebook's captions and references carry the numbers the page shows."""
    soup = BeautifulSoup((HTML / f"{doc}.html").read_text(), "html.parser")
    site = {re.sub(r"\s+", " ", number.get_text()).strip().rstrip(".")
            for number in soup.select("article figcaption span.caption-number")}
    text = "\n".join(cell.source for cell in launch(doc).cells if cell.cell_type == "markdown")
    captions = {match.rstrip(".") for match in re.findall(r"^\*\*(Fig\. [\d.]+)\.\*\*", text, re.MULTILINE)}
    assert captions == site, f"{doc}: the notebook numbers figures {sorted(captions)}, the page {sorted(site)}"
    page_refs = [ref.get_text(strip=True) for ref in soup.select("article a.reference span.std-numref")]
    for ref in page_refs:
        assert ref in text, f"{doc}: the page refers to {ref!r}, the notebook does not"


@pytest.mark.parametrize("doc", DOCS)
def test_numbers_are_labelled_as_the_builds(doc: str) -> None:
    notebook = launch(doc)
    source = (ROOT / f"{doc}.md").read_text()
    header = next(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert header.startswith("# ")
    assert "Numbers in *italics* in the text are those of the book's build" in header
    assert "Other italic words are ordinary emphasis." in header
    assert f"https://colab.research.google.com/github/{ORG_REPO}/blob/notebooks/{doc}.ipynb" in header
    glue = launch_notebooks.glued_values(json.loads(
        (BUILD / "jupyter_execute" / f"{doc}.glue.json").read_text())) if (
        BUILD / "jupyter_execute" / f"{doc}.glue.json").is_file() else {}
    verdicts = launch_notebooks.verdict_names(glue)
    numbers = 0
    for key, spec in re.findall(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`", source):
        text = launch_notebooks.format_glue(glue[key], spec or "s") if key in glue else ""
        numbers += launch_notebooks.is_glued_number(key, text, verdicts)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    italics = [span for text in markdown for span in re.findall(r"(?<![*\w])\*([^*\s][^*]*)\*(?!\*)", text)]
    assert len(italics) >= numbers, f"{numbers} glued numbers in the source, {len(italics)} italic spans in the notebook"
    verdict_like = [span for span in italics if len(span.split()) > launch_notebooks.MAX_NUMBER_WORDS
                    or re.search(r"[.!?]$", span.strip())]
    assert not verdict_like, f"{doc}: italic sentences or clauses (only numbers are italic): {verdict_like[:3]}"


@pytest.mark.parametrize("doc", DOCS)
def test_citations_are_linked_text(doc: str) -> None:
    source = (ROOT / f"{doc}.md").read_text()
    text = "\n".join(cell.source for cell in launch(doc).cells if cell.cell_type == "markdown")
    cited = re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", source)
    links = re.findall(r"\]\((https://doi\.org/[^)]+|https?://[^)]+)\)", text)
    assert len(links) >= len(cited)
    for keys in cited:
        assert "{cite" not in text and keys not in text


@pytest.mark.parametrize("doc", DOCS)
def test_download_copy_is_the_launch_notebook_with_outputs(doc: str) -> None:
    download = nbformat.read(HTML / "_sources" / f"{doc}.ipynb", as_version=4)
    assert [cell.source for cell in download.cells] == [cell.source for cell in launch(doc).cells]
    if doc != "book/intro":  # the landing page's only code is hidden thumbnails
        assert any(cell.get("outputs") for cell in download.cells if cell.cell_type == "code")


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != "book/intro"])
def test_page_buttons_and_run_box_point_at_the_launch_notebook(doc: str) -> None:
    soup = BeautifulSoup((HTML / f"{doc}.html").read_text(), "html.parser")
    colab = f"https://colab.research.google.com/github/{ORG_REPO}/blob/notebooks/{doc}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{ORG_REPO}/notebooks?urlpath=lab/tree/{doc}.ipynb"
    hrefs = [a.get("href") for a in soup.find_all("a")]
    assert hrefs.count(colab) >= 2 and hrefs.count(binder) >= 2, "menu button and run box"
    assert not any(href and "/blob/main/" in href and href.endswith((".md", ".ipynb")) and "colab" in href
                   for href in hrefs)
    box = soup.select_one("article .dlbook-run-box")
    assert box is not None and box.find_previous("h1") is not None
    text = box.get_text(" ", strip=True)
    assert "Open in Colab" in text and "Open in Binder" in text
    assert re.search(r"in the quick profile\b.* and .* in the full profile\b", text), text
    minutes = {profile: 0 if words == "under a" else int(words)
               for words, profile in re.findall(r"(under a|\d+) minutes? in the (quick|full) profile", text)}
    assert minutes["quick"] <= minutes["full"], f"the quick profile reads slower than the full one: {text}"


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != "book/intro"])
def test_the_keras_code_is_visible_in_page_and_notebook(doc: str) -> None:
    """The model's compile and its training call, with its epochs, are ordinary code cells:
    in the page's visible code and in the launch notebook a learner edits."""
    page_code = "\n".join(block.get_text() for block in BeautifulSoup(
        (HTML / f"{doc}.html").read_text(), "html.parser").select("article div.cell div.cell_input pre"))
    notebook_code = "\n".join(cell.source for cell in launch(doc).cells if cell.cell_type == "code")
    for where, code in (("page", page_code), ("launch notebook", notebook_code)):
        assert ".compile(" in code, f"no visible compile in the {where}"
        assert re.search(r"\.fit\(|fit_cached\(", code), f"no visible training call in the {where}"
        assert re.search(r"\bepochs=", code), f"the training call's epochs are not visible in the {where}"
        # Chapter 2's model is chapter 1's, built by chapter 1's own cell (dlbook.recipes): one source.
        assert re.search(r"layers\.(Dense|LSTM|Embedding)\(|chapter_1\.build_autoencoder\(", code), \
            f"no visible Keras layers in the {where}"
