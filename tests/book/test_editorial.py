"""The editorial standard (README, "The editorial standard"), checked over the built pages.

How a page is split into its build notes (the run box and its note), its lesson text
and its visible code is defined in ``tests/book/editorial.py``; read its docstring for
exactly which elements count as what. Every failure names the page and quotes the
sentence or the code line, so that it can be found and fixed.

- No sentence of 8 or more words is said twice on a page (the key takeaways sum up in
  other words; a figure shown twice counts its caption once; code and outputs are not read).
- No "(in the full profile: ...)" aside inside a sentence, and no commit hash in the lesson.
- "profile" appears only in the run box and its note, in the chapters (the landing page's
  build instructions and the appendix "How this book is built" are about the build).
- Every visible code line, in the page and in its launch notebook, is at most 79 characters.
- No visible code reads the book's sentences or its record (``dlbook.prose``): bookkeeping.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import editorial  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
ALL_PAGES = sorted(str(path.relative_to(ROOT).with_suffix("")) for path in (ROOT / "book").glob("*.md"))
#: Chapters: notebook pages other than the landing page.
CHAPTERS = [doc for doc in ALL_PAGES
            if doc != "book/intro" and "kernelspec:" in (ROOT / f"{doc}.md").read_text().split("\n---", 1)[0]]


def require_build() -> None:
    """Skip (or, with DLBOOK_REQUIRE_BOOK=1, fail) without a built book; the splitter's own
    test runs without one."""
    if not (HTML / "book").is_dir():
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail("No built pages in _build/html: the build failed or did not run.")
        pytest.skip("The book is not built (run scripts/build.sh first).")


def page(doc: str) -> editorial.Page:
    require_build()
    path = HTML / f"{doc}.html"
    if not path.is_file():
        pytest.fail(f"{doc}: no built page {path}")
    return editorial.read_page(path, doc)


def test_the_checks_read_the_chapters() -> None:
    assert len(CHAPTERS) >= 4, CHAPTERS
    for doc in CHAPTERS:
        built = page(doc)
        assert built.words > 1000, f"{doc}: only {built.words} words of lesson text found"
        assert built.note_blocks, f"{doc}: no run box or note under the title found"
        assert built.code_lines, f"{doc}: no visible code found"


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_no_sentence_is_said_twice(doc: str) -> None:
    repeats = editorial.repeated_sentences(page(doc))
    assert not repeats, f"{doc}: {len(repeats)} sentences said more than once:\n" + "\n".join(
        f"  {count}x: {sentence}" for sentence, count in repeats.items())


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_no_full_profile_aside_and_no_commit_in_the_lesson(doc: str) -> None:
    built = page(doc)
    asides = [s for s in built.sentences if editorial.FULL_PROFILE_ASIDE.search(s)]
    assert not asides, f"{doc}: '(in the full profile: ...)' inside a sentence:\n" + "\n".join(
        f"  {s}" for s in asides)
    hashes = [s for s in built.sentences if editorial.COMMIT.search(s)]
    assert not hashes, f"{doc}: a commit hash in the lesson text (it belongs in the run box or its note):\n" + \
        "\n".join(f"  {s}" for s in hashes)


@pytest.mark.parametrize("doc", CHAPTERS)
def test_profile_is_named_only_in_the_run_box_and_its_note(doc: str) -> None:
    mentions = editorial.profile_sentences(page(doc))
    assert not mentions, (
        f"{doc}: {len(mentions)} sentences of the lesson mention a profile (only the run box and "
        "the note under the title may):\n" + "\n".join(f"  {s}" for s in mentions))


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_visible_code_lines_fit(doc: str) -> None:
    long = editorial.long_code_lines(page(doc))
    assert not long, f"{doc}: {len(long)} visible code lines over {editorial.MAX_CODE_LINE} characters:\n" + \
        "\n".join(f"  code block {block}, {len(line)} characters: {line}" for block, line in long)


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_no_visible_bookkeeping_code(doc: str) -> None:
    shown = [line for _, line in page(doc).code_lines if editorial.BOOK_PROSE.search(line)]
    assert not shown, f"{doc}: visible code reads the book's sentences (hide it, or glue its value): {shown}"


def _notebook_code_lines(doc: str) -> list[tuple[str, str]]:
    require_build()
    path = BUILD / "launch" / f"{doc}.ipynb"
    if not path.is_file():
        pytest.fail(f"{doc}: no launch notebook {path}")
    lines = []
    for number, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
        if cell.cell_type == "code":
            lines += [(f"cell {number}", line) for line in cell.source.split("\n")]
        elif cell.cell_type == "markdown":  # code in the solutions
            for block in re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", cell.source):
                lines += [(f"cell {number} (Markdown)", line) for line in block.split("\n")]
    return lines


@pytest.mark.parametrize("doc", [doc for doc in ALL_PAGES if doc == "book/intro" or doc in CHAPTERS])
def test_launch_notebook_code_lines_fit(doc: str) -> None:
    long = [(where, line) for where, line in _notebook_code_lines(doc) if len(line) > editorial.MAX_CODE_LINE]
    assert not long, f"{doc}.ipynb: {len(long)} code lines over {editorial.MAX_CODE_LINE} characters:\n" + \
        "\n".join(f"  {where}, {len(line)} characters: {line}" for where, line in long)


def test_the_splitter_finds_what_it_should(tmp_path: Path) -> None:
    """The checks themselves, on a made-up page: they can fail."""
    html = """<html><body><article class="bd-article"><section id="t"><h1>Title</h1>
    <div class="dlbook-run-box"><p>Under a minute in the quick profile.</p></div>
    <div class="admonition note"><p>The numbers come from the quick profile, commit 4afa9bf.</p></div>
    <p>The model reconstructs unseen digits about as well as the ones it trained on.
    The model reconstructs unseen digits about as well as the ones it trained on.</p>
    <section id="s"><h2>Part</h2><p>It falls overall (in the full profile: falls at every step).</p>
    <div class="admonition note"><p>Built in the full profile, 4afa9bf.</p></div>
    <div class="cell"><div class="cell_input"><pre>x = 1</pre></div>
    <div class="cell_output"><pre>""" + "y" * 120 + """</pre></div></div>
    <div class="highlight"><pre>""" + "z = 2  # " + "a" * 80 + """</pre></div>
    </section></section></article></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html)
    built = editorial.read_page(path, "made-up")
    assert len(built.note_blocks) == 2  # the run box and the first note, not the later one
    assert list(editorial.repeated_sentences(built).values()) == [2]
    assert len(editorial.profile_sentences(built)) == 2  # the aside and the later note
    assert any(editorial.FULL_PROFILE_ASIDE.search(s) for s in built.sentences)
    assert any(editorial.COMMIT.search(s) for s in built.sentences)
    assert [len(line) for _, line in editorial.long_code_lines(built)] == [89]  # outputs are not code
