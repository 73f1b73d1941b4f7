"""dlbook.quiz: questions that check their own answer and show it as HTML and as Markdown."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from dlbook import quiz


def question(**changes: object) -> quiz.Question:
    arguments = dict(prompt="Which code size gives the lowest test BCE?", options=["8", "16", "32"],
                     answer="16", explanation="The 16-number code does, at 0.0934.")
    arguments.update(changes)
    return quiz.Question(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("changes, message", [
    ({"answer": "64"}, "not one of the options"),
    ({"options": ["16"], "answer": "16"}, "at least two options"),
    ({"options": ["16", "16", "8"]}, "repeat"),
    ({"options": ["16", " "]}, "empty"),
    ({"prompt": "  "}, "prompt"),
    ({"explanation": ""}, "explanation"),
])
def test_a_malformed_question_is_a_clear_error(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        question(**changes)


def test_options_and_answer_may_be_numbers_and_are_shown_as_text() -> None:
    asked = question(options=[8, 16, 32], answer=16)
    assert asked.options == ("8", "16", "32") and asked.answer == "16" and asked.answer_index == 1


def test_html_is_a_fieldset_of_labelled_radios_with_a_check_button_and_the_answer() -> None:
    asked = question()
    soup = BeautifulSoup(asked._repr_html_(), "html.parser")
    box = soup.select_one("div.dlbook-quiz")
    assert box["id"] == asked.ident and box["data-answer"] == "1"
    assert soup.fieldset.legend.get_text(" ", strip=True).endswith(asked.prompt)
    radios = soup.select('fieldset input[type="radio"]')
    assert len(radios) == 3 and {radio["name"] for radio in radios} == {asked.ident}
    for index, radio in enumerate(radios):
        label = soup.find("label", attrs={"for": radio["id"]})
        assert label is not None and label.get_text() == asked.options[index]
        assert radio["value"] == str(index)
    button = soup.select_one("button.dlbook-quiz-button")
    assert button["type"] == "button" and button.get_text() == quiz.CHECK_LABEL
    assert button.has_attr("hidden"), "without the page's script the button would do nothing"
    assert soup.select_one(".dlbook-quiz-feedback")["aria-live"] == "polite"
    details = soup.select_one("details.dlbook-quiz-answer")
    assert details.summary.get_text() == quiz.REVEAL_LABEL and not details.has_attr("open")
    assert details.select_one(".dlbook-quiz-answer-text").get_text() == "16"
    assert "0.0934" in details.get_text()


def test_text_is_escaped_and_code_spans_become_code() -> None:
    asked = question(prompt="Is `a < b` true for <script>?", options=["yes & no", "no"], answer="no")
    soup = BeautifulSoup(asked._repr_html_(), "html.parser")
    assert soup.find("script") is None
    assert soup.legend.code.get_text() == "a < b"
    assert soup.select("label")[0].get_text() == "yes & no"
    markdown = asked._repr_markdown_()
    assert "<script>" not in markdown and "`a < b`" in markdown


def test_ids_are_stable_and_differ_between_questions() -> None:
    assert question().ident == question().ident
    assert question().ident != question(prompt="Which is largest?").ident
    assert question().ident != question(options=["8", "16", "64"]).ident


def test_a_prediction_says_so() -> None:
    assert "Predict" in question(predict=True)._repr_html_()
    assert "Predict" not in question()._repr_html_()
    assert question(predict=True)._repr_markdown_().startswith("**Predict, then check.**")


def test_markdown_lists_the_options_and_collapses_the_answer() -> None:
    asked = question()
    html = MarkdownIt("commonmark").render(asked._repr_markdown_())
    soup = BeautifulSoup(html, "html.parser")
    assert [item.get_text() for item in soup.select("ul > li")] == list(asked.options)
    text = soup.get_text()
    assert text.index(asked.prompt) < text.index(quiz.REVEAL_LABEL) < text.index("Answer:")
    assert "<details>" in html and "<summary>Show the answer</summary>" in html
    assert "0.0934" in text.split(quiz.REVEAL_LABEL, 1)[1], "the explanation is inside the collapsed block"


def test_ipython_shows_both_forms() -> None:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(question())
    assert "text/html" in data and "text/markdown" in data
    assert data["text/markdown"] == question()._repr_markdown_()


def test_short_options_are_set_in_a_row_and_long_ones_in_a_column() -> None:
    short = BeautifulSoup(question()._repr_html_(), "html.parser").select_one(".dlbook-quiz")
    long = BeautifulSoup(question(options=["The autoencoder's", "PCA's"], answer="PCA's")._repr_html_(),
                         "html.parser").select_one(".dlbook-quiz")
    assert "dlbook-quiz-short" in short["class"] and "dlbook-quiz-short" not in long["class"]
