"""The converter that writes launch notebooks (``_ext/launch_notebooks.py``), on small made-up chapters."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import launch_notebooks as ln  # noqa: E402

REFERENCES = {
    "vincent2008": {"text": "Vincent et al.", "year": "2008", "url": "https://doi.org/10.1145/1"},
    "hinton2006": {"text": "Hinton and Salakhutdinov", "year": "2006", "url": "https://doi.org/10.1126/2"},
}


def context(**glue: str) -> ln.Context:
    return ln.Context(glue=glue, references=REFERENCES, docname="book/chapter",
                      page_url=lambda name: f"https://site/{name}.html", source_dir=ROOT / "book")


def rendered_text(markdown: str) -> str:
    """What a plain CommonMark renderer shows, tags stripped."""
    import re

    return re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(markdown))


def test_glued_numbers_are_formatted_like_myst_nb_and_marked_verdicts_are_plain() -> None:
    line = "Loss {glue:text}`loss:.3f` after {glue:text}`epochs` epochs on {glue:text}`n:,` digits: {glue:text}`verdict`."
    out = ln.convert_roles(line, context(loss="0.123456", epochs="5", n="50000", verdict="'it generalises'"))
    assert out == "Loss *0.123* after *5* epochs on *50,000* digits: it generalises."


@pytest.mark.parametrize(("name", "text", "number"), [
    ("precision", "93.9%", True),
    ("train_time", "about 1 minute", True),
    ("sweep_sizes_text", "16, 32, 64 and 128", True),
    ("date", "2026-11-29", True),
    ("profile", "quick", False),                                   # a word, no number
    ("sweep_wins_over_basic_verdict", "from σ = 0.3 upward", False),  # named a verdict
    ("gap", "falls short of the target by 1.1 points", False),     # a clause
    ("holdout", "The test BCE is 0.0934.", False),                 # a sentence
    ("trend", "falls overall", False),
])
def test_only_numbers_are_italic(name: str, text: str, number: bool) -> None:
    assert ln.is_glued_number(name, text) is number
    assert ln.is_glued_number("x", "0.5", verdicts=frozenset({"x"})) is False  # in the page's verdict record


def test_ordinary_emphasis_stays_emphasis() -> None:
    assert ln.convert_roles("a *masked* pixel, {glue:text}`v`", context(v="'falls'")) == "a *masked* pixel, falls"


def test_an_unknown_glue_name_is_an_error_not_a_blank() -> None:
    with pytest.raises(ln.ConversionError, match="missing"):
        ln.convert_roles("{glue:text}`missing`", context())


def test_citations_become_linked_author_year_text() -> None:
    out = ln.convert_roles("As {cite:t}`vincent2008` showed {cite}`hinton2006,vincent2008`.", context())
    assert out == ("As [Vincent et al. (2008)](https://doi.org/10.1145/1) showed "
                   "([Hinton and Salakhutdinov, 2006](https://doi.org/10.1126/2); "
                   "[Vincent et al., 2008](https://doi.org/10.1145/1)).")
    with pytest.raises(ln.ConversionError):
        ln.convert_roles("{cite}`nobody1999`", context())


def test_numref_uses_the_sites_figure_numbers_and_format() -> None:
    ctx = context()
    ctx.figures = {"fig-loss": "13"}
    assert ln.convert_roles("see {numref}`fig-loss`", ctx) == "see Fig. 13"
    ctx.figure_format = "Figure %s"
    assert ln.convert_roles("see {numref}`fig-loss`", ctx) == "see Figure 13"
    ctx.figure_format = "Fig. %s"
    assert ln.convert_roles("see {numref}`the curves in Fig. %s <fig-loss>`", ctx) == "see the curves in Fig. 13"
    with pytest.raises(ln.ConversionError):
        ln.convert_roles("{numref}`fig-none`", ctx)


def test_directives_become_plain_markdown() -> None:
    source = "\n".join([
        "(sec-label)=",
        "% a MyST comment",
        "```{note}",
        "The {glue:text}`profile` profile.",
        "```",
        "",
        ":::{admonition} Try it",
        "Change `latent_dim`.",
        ":::",
        "",
        ":::{dropdown} Solution",
        "```python",
        "x = {'a': 1}  # {glue:text}`not_a_role_in_code`",
        "```",
        "Because {cite:t}`vincent2008`.",
        ":::",
    ])
    out = ln.convert_markdown(source, context(profile="'quick'"))
    assert "> **Note**" in out and "> The quick profile." in out
    assert "> **Try it**" in out and "> Change `latent_dim`." in out
    assert "<details>" in out and "<summary>Solution</summary>" in out and "</details>" in out
    assert "x = {'a': 1}  # {glue:text}`not_a_role_in_code`" in out  # code is copied as it is
    shown = rendered_text(out)
    for markup in ("{note}", ":::", "{glue", "{cite", "(sec-label)=", "% a MyST"):
        assert markup not in shown.replace("{glue:text}`not_a_role_in_code`", ""), markup


def test_literalinclude_expands_the_named_object(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("import os\n\n\nclass Box:\n    def size(self):\n        return 1\n\n\ndef other():\n    pass\n")
    ctx = context()
    ctx.source_dir = tmp_path
    out = ln.convert_markdown("```{literalinclude} module.py\n:pyobject: Box.size\n:language: python\n```", ctx)
    assert out == "```python\ndef size(self):\n    return 1\n```"


def test_an_unknown_directive_is_an_error() -> None:
    with pytest.raises(ln.ConversionError, match="mermaid"):
        ln.convert_markdown("```{mermaid}\ngraph\n```", context())


def _executed_notebook() -> dict:
    glue_output = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "loss", "mime_prefix": ""}},
                   "data": {"text/plain": "0.25"}}
    return {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# A chapter\n\nIntro with {glue:text}`loss:.2f`."},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell", "skip-execution", "launch-only"]},
         "source": "%pip install dlbook", "outputs": []},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": "results.glue('loss', 0.25)",
         "outputs": [glue_output]},
        {"cell_type": "code", "metadata": {"mystnb": {"figure": {"caption": "The loss.", "name": "fig-loss"}}},
         "source": "plot()", "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok"}]},
        {"cell_type": "markdown", "metadata": {}, "source": "As {numref}`fig-loss` shows."},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_glued_values_come_from_myst_nbs_glue_file() -> None:
    glue = {"loss": {"data": {"text/plain": "0.25"}, "metadata": {}},
            "hidden": {"data": {"application/papermill.record/text/plain": "'quick'"}, "metadata": {}},
            "figure": {"data": {"image/png": "..."}, "metadata": {}}}
    assert ln.glued_values(glue) == {"loss": "0.25", "hidden": "'quick'"}


def test_launch_notebook_drops_bookkeeping_and_keeps_the_install_cell() -> None:
    notebook = ln.launch_notebook(_executed_notebook(), context(loss="0.25"), header="> header", keep_outputs=False)
    kinds = [(cell["cell_type"], cell["source"]) for cell in notebook["cells"]]
    assert kinds == [
        ("markdown", "# A chapter\n\n> header\n\nIntro with *0.25*."),
        ("code", "%pip install dlbook"),
        ("code", "plot()"),
        ("markdown", "**Fig. 1.** The loss."),
        ("markdown", "As Fig. 1 shows."),
    ]
    assert all(cell.get("outputs", []) == [] for cell in notebook["cells"])
    assert "remove-cell" not in notebook["cells"][1]["metadata"].get("tags", [])
    import nbformat

    nbformat.validate(nbformat.from_dict(notebook))


def test_the_download_copy_keeps_outputs_but_not_glue() -> None:
    notebook = ln.launch_notebook(_executed_notebook(), context(loss="0.25"), header="", keep_outputs=True)
    outputs = [output for cell in notebook["cells"] for output in cell.get("outputs", [])]
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": "ok"}]


def test_references_from_a_bib_file(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{a, author={Hochreiter, Sepp and Schmidhuber, J{\\\"u}rgen}, title={LSTM}, year={1997}, doi={10.1/x}}\n"
        "@misc{b, author={Karpathy, Andrej}, title={RNN}, year={2015}, url={https://k.github.io/rnn}}\n"
        "@misc{c, author={A, B and C, D and E, F}, title={T}, year={2020}}\n"
    )
    references = ln.read_references([bib], "https://site/refs.html")
    assert references["a"] == {"text": "Hochreiter and Schmidhuber", "year": "1997", "url": "https://doi.org/10.1/x"}
    assert references["b"]["url"] == "https://k.github.io/rnn"
    assert references["c"] == {"text": "A et al.", "year": "2020", "url": "https://site/refs.html"}


@pytest.mark.parametrize(("seconds", "words"), [(20, "under a minute"), (61, "about 1 minute"),
                                                 (150, "about 2 minutes"), (26 * 60, "about 25 minutes")])
def test_minutes_read_naturally(seconds: float, words: str) -> None:
    assert ln._minutes(seconds) == words


def test_the_run_box_quotes_the_record_with_its_machine_and_date() -> None:
    record = {"seconds": {"quick": {"autoencoder": 40.0}, "full": {"autoencoder": 150.0}},
              "measured": {"quick": {"machine": "x86_64, 2 CPU cores", "date": "2026-12-02"},
                           "full": {"machine": "x86_64, 2 CPU cores", "date": "2026-12-02"}}}
    assert ln.run_cost(record, "autoencoder") == (
        "Running it top to bottom takes under a minute in the quick profile and about 2 minutes "
        "in the full profile (measured on x86_64, 2 CPU cores, 2026-12-02).")
    record["measured"]["full"]["date"] = "2026-11-29"
    assert ln.run_cost(record, "autoencoder").endswith(
        "(measured on x86_64, 2 CPU cores: the quick profile on 2026-12-02, the full profile on 2026-11-29).")
    record["measured"]["full"]["machine"] = "arm64, 4 CPU cores"
    assert "(measured on arm64, 4 CPU cores, 2026-11-29; x86_64, 2 CPU cores, 2026-12-02)" in ln.run_cost(
        record, "autoencoder")
    assert ln.run_cost(record, "sentiment") == ""


def test_figures_carry_the_sites_numbers_when_sphinx_gave_them() -> None:
    ctx = context(loss="0.25")
    ctx.figures = {"fig-loss": "13"}
    notebook = ln.launch_notebook(_executed_notebook(), ctx, header="", keep_outputs=False)
    texts = [cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    assert "**Fig. 13.** The loss." in texts and "As Fig. 13 shows." in texts


def test_rebuild_instructions_are_left_out_of_chapters() -> None:
    source = "\n".join([
        ":::{note}",
        "The numbers on this page come from the {glue:text}`profile` profile.",
        "Set `DLBOOK_PROFILE=full` to rebuild with the full profile.",
        ":::",
        "",
        "The decoder rebuilds the image. `fit_cached` stores the weights, so a rebuild of the book",
        "does not train again. It is `model.fit` with a cache.",
        "",
        "```bash",
        "DLBOOK_PROFILE=full bash scripts/build.sh",
        "```",
    ])
    out = ln.convert_markdown(source, context(profile="'quick'"))
    assert "DLBOOK_PROFILE=full` to rebuild" not in out and "a rebuild" not in out
    assert "> The numbers on this page come from the quick profile." in out
    assert ("The decoder rebuilds the image. `fit_cached` stores the weights, so running the notebook again "
            "does not train again. It is `model.fit` with a cache.") in out
    assert "DLBOOK_PROFILE=full bash scripts/build.sh" in out  # code is the code
    landing = context(profile="'quick'")
    landing.chapter = False
    assert "Set `DLBOOK_PROFILE=full` to rebuild" in ln.convert_markdown(source, landing)


def test_an_empty_your_turn_cell_precedes_each_solution() -> None:
    executed = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "\n".join([
            "# Chapter", "", "## Exercises", "",
            ":::{admonition} Exercise 1: two", "Do it.", ":::", "",
            ":::{dropdown} Solution", "```python", "x = 1", "```", ":::", "",
            "1. **Longer.** Do more.", "",
            "   :::{dropdown} Solution", "   Like this.", "   :::", "",
            "2. **Shorter.** Do less.", "",
            "   :::{dropdown} Details", "   Not a solution.", "   :::",
        ])},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = ln.launch_notebook(executed, context(), header="", keep_outputs=False)["cells"]
    kinds = [cell["cell_type"] for cell in cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown"]
    for index in (1, 3):
        assert cells[index]["source"].startswith("# Your turn") and cells[index]["outputs"] == []
        assert cells[index + 1]["source"].startswith("<details>\n<summary>Solution</summary>")
    assert "> **Exercise 1: two**" in cells[0]["source"]
    assert "2. **Shorter.**" in cells[4]["source"] and "<summary>Details</summary>" in cells[4]["source"]
    import nbformat

    nbformat.validate(nbformat.from_dict(ln.launch_notebook(executed, context(), header="", keep_outputs=False)))


def test_bookkeeping_code_that_reads_the_books_sentences_is_dropped() -> None:
    visible = {"cell_type": "code", "metadata": {}, "source": "from dlbook.prose import reference\n\n"
               "print(reference.value('text-generation', 'sample_at_half', default=''))"}
    assert ln.is_bookkeeping(visible)
    assert not ln.is_bookkeeping({"cell_type": "code", "metadata": {}, "source": "model.fit(x, y)"})
    assert not ln.is_bookkeeping({"cell_type": "code", "metadata": {"tags": ["remove-cell", "launch-only"]},
                                  "source": "%pip install dlbook"})


def test_the_install_cell_says_how_to_install_locally() -> None:
    cell = ('# Runs only on Google Colab: install this book\'s helper package.\nimport sys\n'
            'if "google.colab" in sys.modules:\n'
            '    %pip install --quiet "dlbook @ git+https://github.com/dlbook/dlbook@main"')
    out = ln.with_local_install_note(cell)
    assert out.endswith(cell)
    assert '#     pip install tensorflow \\\n#         "dlbook @ git+https://github.com/dlbook/dlbook@main"' in out
    assert all(len(line) <= 79 for line in out.split("\n")[:4])
    assert ln.with_local_install_note(out) == out
    executed = _executed_notebook()
    executed["cells"][1]["source"] = cell
    notebook = ln.launch_notebook(executed, context(loss="0.25"), header="", keep_outputs=False)
    assert "pip install tensorflow" in notebook["cells"][1]["source"]


def test_the_header_says_exactly_what_italics_mean() -> None:
    class App:
        class config:
            html_baseurl = "https://site/"
            html_title = "Book"
            project = "Book"
            html_theme_options = {"repository_url": "https://github.com/o/r"}
        outdir = "/nonexistent/html"

    header = ln.header_markdown(App, "book/chapter")
    assert "Numbers in *italics* in the text are those of the book's build" in header
    assert "Other italic words are ordinary emphasis." in header


@pytest.mark.parametrize("builder", ["singlehtml", "latex", "linkcheck"])
def test_only_the_sites_html_build_writes_the_launch_notebooks(builder: str, tmp_path: Path) -> None:
    """The PDF edition's single-page build runs after the site's: it must leave the site's launch
    notebooks and download copies as they are (its figure numbers differ)."""
    from types import SimpleNamespace

    class Untouchable:
        def __getattr__(self, name: str):
            raise AssertionError(f"the {builder} build read app.{name}: it would write notebooks")

    app = Untouchable()
    app.__dict__["builder"] = SimpleNamespace(name=builder, format="html")
    ln.write_launch_notebooks(app, None)  # returns before it touches anything else

def _quiz_cell(outputs: list[dict]) -> dict:
    return {"cell_type": "code", "metadata": {"tags": ["remove-input", "quiz"]}, "execution_count": 3,
            "source": "quiz.Question('Which is lower?', ['a', 'b'], answer=best, explanation=why)",
            "outputs": outputs}


def test_a_quiz_cell_becomes_its_markdown_with_the_answer_collapsed() -> None:
    import sys as _sys

    _sys.path.insert(0, str(ROOT / "src"))
    from dlbook import quiz

    question = quiz.Question("Which loss is lower, *a* or *b*?", ["a", "b"], answer="b",
                             explanation="b is, at 0.1 against 0.3.", predict=True)
    output = {"output_type": "display_data", "metadata": {},
              "data": {"text/plain": repr(question), "text/html": question._repr_html_(),
                       "text/markdown": question._repr_markdown_()}}
    executed = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# A chapter\n\nIntro."},
        _quiz_cell([output]),
        {"cell_type": "code", "metadata": {}, "execution_count": 4, "source": "plot()", "outputs": []},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for keep_outputs in (False, True):
        notebook = ln.launch_notebook(executed, context(), header="", keep_outputs=keep_outputs)
        kinds = [cell["cell_type"] for cell in notebook["cells"]]
        assert kinds == ["markdown", "markdown", "code"], kinds
        asked = notebook["cells"][1]["source"]
        assert asked == question._repr_markdown_().strip("\n")
        assert "quiz.Question" not in asked and "<fieldset" not in asked
        html = MarkdownIt("commonmark").render(asked)
        collapsed = html.split("<summary>Show the answer</summary>", 1)
        assert len(collapsed) == 2 and "<details>" in collapsed[0]
        assert "Which loss is lower" in collapsed[0] and "0.1 against 0.3" in collapsed[1]
        assert "0.1 against 0.3" not in collapsed[0], "the answer shows before the reader opens it"
        assert all("quiz" not in cell.get("metadata", {}).get("tags", []) for cell in notebook["cells"])
    import nbformat

    nbformat.validate(nbformat.from_dict(notebook))


def test_a_quiz_cell_without_its_markdown_output_is_an_error() -> None:
    executed = {"cells": [_quiz_cell([])], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    with pytest.raises(ln.ConversionError, match="quiz cell has no Markdown output"):
        ln.launch_notebook(executed, context(), header="", keep_outputs=False)
