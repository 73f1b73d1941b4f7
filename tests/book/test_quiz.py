"""The check-your-understanding questions of the built chapters (``dlbook.quiz``).

- Each chapter's page asks 3 to 5 questions, at least one of them a prediction; each has
  labelled radio options, its answer is one of them and non-empty, with an explanation,
  and no two questions share an id.
- The page shows the question, never the code that computes its answer.
- The launch notebook asks the same questions as plain Markdown cells, with the answer in
  a collapsed ``<details>`` block, and keeps none of their code.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CHAPTERS = ["book/autoencoder", "book/denoising-autoencoder", "book/text-generation", "book/sentiment"]


@pytest.fixture(scope="module", autouse=True)
def built_book() -> None:
    if not (HTML / "book").is_dir():
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail("No built pages in _build/html: the build failed or did not run.")
        pytest.skip("The book is not built (run scripts/build.sh first).")


def text(element) -> str:
    """An element's text as it reads, whitespace collapsed."""
    return " ".join(element.get_text().split())


def questions(doc: str) -> list:
    soup = BeautifulSoup((HTML / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select("article .dlbook-quiz")


@pytest.mark.parametrize("doc", CHAPTERS)
def test_each_chapter_asks_three_to_five_questions_with_their_answers(doc: str) -> None:
    asked = questions(doc)
    assert 3 <= len(asked) <= 5, f"{doc}: {len(asked)} questions"
    assert any("dlbook-quiz-predict" in box["class"] for box in asked), f"{doc}: no prediction question"
    ids = [box["id"] for box in asked]
    assert len(set(ids)) == len(ids), f"{doc}: repeated question ids {ids}"
    for box in asked:
        prompt = text(box.select_one("legend .dlbook-quiz-prompt"))
        assert prompt.endswith("?"), prompt
        labels = []
        for radio in box.select('input[type="radio"]'):
            label = box.find("label", attrs={"for": radio["id"]})
            assert label is not None and text(label), f"{doc}: unlabelled option in {prompt!r}"
            labels.append(text(label))
        answer = text(box.select_one("details .dlbook-quiz-answer-text"))
        assert answer and answer == labels[int(box["data-answer"])], (prompt, answer, labels)
        explanation = text(box.select_one("details .dlbook-quiz-explanation"))
        assert len(explanation.split()) >= 4 and explanation.endswith("."), (prompt, explanation)
        assert "nan" not in explanation.lower().split(), (prompt, explanation)


@pytest.mark.parametrize("doc", CHAPTERS)
def test_the_page_shows_the_question_not_its_code(doc: str) -> None:
    soup = BeautifulSoup((HTML / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    shown_code = " ".join(pre.get_text() for pre in soup.select("article pre"))
    assert "quiz.Question" not in shown_code, f"{doc}: a question's code is visible"
    assert soup.find("script", src=lambda src: src and src.endswith("_static/quiz/quiz.js")), \
        f"{doc}: the page does not load quiz.js"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_the_launch_notebook_asks_the_same_questions_in_markdown(doc: str) -> None:
    notebook = nbformat.read(BUILD / "launch" / f"{doc}.ipynb", as_version=4)
    asked = [cell for cell in notebook.cells if cell.cell_type == "markdown"
             and "<summary>Show the answer</summary>" in cell.source]
    prompts = [text(box.select_one("legend .dlbook-quiz-prompt")) for box in questions(doc)]
    assert len(asked) == len(prompts), f"{doc}: {len(asked)} questions in the notebook, {len(prompts)} on the page"
    for cell, prompt in zip(asked, prompts):
        html = MarkdownIt("commonmark").render(cell.source)
        before, _, after = html.partition("<summary>Show the answer</summary>")
        text_before = text(BeautifulSoup(before, "html.parser"))
        assert prompt in text_before, (prompt, text_before)
        assert "<details>" in before
        assert "Answer:" in after and "Answer:" not in before, "the answer shows before the reader opens it"
        assert BeautifulSoup(before, "html.parser").select("ul > li"), "the options are a list"
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "quiz.Question" not in code and "from dlbook import quiz" not in code
