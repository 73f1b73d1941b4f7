"""What a built page says, split the way the editorial checks read it (README: "The editorial standard").

Shared by ``tests/book/test_editorial.py`` and ``benchmarks/editorial_counts.py``, so the
numbers the benchmark prints are counted exactly as the tests count them.

A page's parts, from ``_build/html/<doc>.html`` (``article.bd-article``):

- **build notes**: the run box under the title (``div.dlbook-run-box``, written by
  ``_ext/launch_notebooks.py``) and *its note*: the page's first ``div.admonition.note``
  (a ``:::{note}`` or ```` ```{note} ```` block), the profile note every chapter puts under its
  title (chapter 3 at the top of its Setup section). Any later note is lesson text. That is
  where the profile, the full build's date and commit and its headline numbers belong.
- **code**: every ``pre`` (cell inputs, code in solutions, included sources) and every cell
  output (``div.cell_output``: printed values, tables, figures); not prose.
- **lesson text**: everything else that is prose: paragraphs, list items, definition lists,
  headings, figure captions, admonitions (the key takeaways and the exercises included),
  dropdowns (the solutions included), the live panel's text. Display math and tables are
  not prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Tag

#: The longest visible code line (PEP 8's limit): what the 1,280 px layout shows unclipped.
MAX_CODE_LINE = 79
#: A sentence this long, said twice on one page, is a repeat (shorter ones are phrases).
MIN_REPEAT_WORDS = 8
#: Block elements whose own text is prose.
_PROSE = ("p", "li", "dt", "dd", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "summary",
          "p.admonition-title", "div.sd-summary-title")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“‘(*])")
#: A commit hash: 7 to 40 hex digits with at least one letter and one digit.
COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")
PROFILE = re.compile(r"\bprofiles?\b", re.I)
FULL_PROFILE_ASIDE = re.compile(r"\(in the full profile:", re.I)
#: Visible code that reads the book's own sentences or its record of the full build: bookkeeping.
BOOK_PROSE = re.compile(r"\bdlbook\.prose\b|\breference\.(value|describe|beside|annotate)\(")


@dataclass
class Page:
    """One built page, split into build notes, lesson sentences and visible code lines."""

    doc: str
    lesson_blocks: list[str] = field(default_factory=list)
    note_blocks: list[str] = field(default_factory=list)
    code_lines: list[tuple[int, str]] = field(default_factory=list)  # (code block number, line)
    glued: list[str] = field(default_factory=list)  # glued values shown in the lesson text

    @property
    def sentences(self) -> list[str]:
        return [sentence for block in self.lesson_blocks for sentence in split_sentences(block)]

    @property
    def words(self) -> int:
        return sum(len(words(block)) for block in self.lesson_blocks)


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text)


def split_sentences(text: str) -> list[str]:
    """A block's text cut into sentences (at a full stop, a question or an exclamation mark)."""
    text = re.sub(r"\s+", " ", text).strip()
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def normalised(sentence: str) -> str:
    """A sentence compared with others: lower case, words only."""
    return " ".join(word.lower() for word in words(sentence))


def _text(element: Tag) -> str:
    return re.sub(r"\s+", " ", element.get_text(" ", strip=True)).strip()


def _own_text(element: Tag) -> str:
    """The text of a block without the text of the blocks nested in it (a list item's
    paragraphs are read as paragraphs, once)."""
    clone = BeautifulSoup(str(element), "html.parser").find(element.name)
    for nested in clone.find_all(["p", "ul", "ol", "dl", "div", "figure", "pre", "table", "details", "section"]):
        nested.decompose()
    return _text(clone)


def build_note_elements(article: Tag) -> list[Tag]:
    """The run box and its note (see the module docstring)."""
    notes = list(article.select(".dlbook-run-box"))
    first_note = article.select_one("div.admonition.note")
    if first_note is not None:
        notes.append(first_note)
    return notes


def read_page(path: Path, doc: str) -> Page:
    """Split one built page (see the module docstring)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.find("main") or soup
    page = Page(doc=doc)
    for index, block in enumerate(article.select("pre")):
        if block.find_parent(class_="cell_output"):
            continue  # outputs are what the code printed, not code the reader reads
        for line in block.get_text().split("\n"):
            page.code_lines.append((index + 1, line.rstrip()))
    for note in build_note_elements(article):
        page.note_blocks.append(_text(note))
        note.decompose()
    for element in article.select("pre, div.cell_output, div.cell_input, table, div.math, "
                                  "mjx-container[display], .headerlink, script, style, nav"):
        element.decompose()
    for glued in article.select(".pasted-text, .pasted-inline"):
        page.glued.append(_text(glued))
    seen_captions: set[str] = set()
    for element in article.select(", ".join(_PROSE)):
        text = _own_text(element)
        if element.name == "figcaption":
            # A figure shown twice has the same caption twice: count it once.
            if text in seen_captions:
                continue
            seen_captions.add(text)
        if text:
            page.lesson_blocks.append(text)
    return page


def repeated_sentences(page: Page, min_words: int = MIN_REPEAT_WORDS) -> dict[str, int]:
    """Sentences of ``min_words`` words or more that the lesson text says more than once,
    with how often; and glued computed sentences or clauses of that length shown more than
    once (a verdict pasted into two different sentences is the same fact twice)."""
    counts: dict[str, int] = {}
    originals: dict[str, str] = {}
    for sentence in page.sentences:
        key = normalised(sentence)
        if len(key.split()) >= min_words:
            counts[key] = counts.get(key, 0) + 1
            originals.setdefault(key, sentence)
    repeats = {originals[key]: count for key, count in counts.items() if count > 1}
    glued: dict[str, int] = {}
    for text in page.glued:
        if len(words(text)) >= min_words:
            glued[text] = glued.get(text, 0) + 1
    for text, count in glued.items():
        if count > 1 and not any(normalised(text) in normalised(s) for s in repeats):
            repeats[text] = count
    return repeats


def profile_sentences(page: Page) -> list[str]:
    """Sentences of the lesson text (outside the run box and its note) that mention a profile."""
    return [sentence for sentence in page.sentences if PROFILE.search(sentence)]


def long_code_lines(page: Page, limit: int = MAX_CODE_LINE) -> list[tuple[int, str]]:
    return [(block, line) for block, line in page.code_lines if len(line) > limit]
