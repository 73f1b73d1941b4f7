"""The quiz extension (``_ext/quiz.py``): its files exist, and only pages with a question load the script."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "src"))

import quiz as extension  # noqa: E402

from dlbook import quiz  # noqa: E402


def page(body: str) -> dict:
    return {"body": body, "pathto": lambda name, resource: f"../{name}"}


def test_a_page_with_a_question_loads_the_script_once_at_the_end() -> None:
    question = quiz.Question("Which is lower?", ["a", "b"], answer="a", explanation="a is.")
    context = page("<p>Text.</p>" + question._repr_html_())
    extension.add_script(None, "book/chapter", "page.html", context, None)
    assert context["body"].endswith('<script defer src="../_static/quiz/quiz.js"></script>')
    assert context["body"].count("quiz.js") == 1


def test_a_page_without_a_question_is_left_alone() -> None:
    context = page('<p>A page about the class="dlbook-quizzical" attribute.</p>')
    extension.add_script(None, "book/intro", "page.html", context, None)
    assert "quiz.js" not in context["body"]


def test_static_files_are_served() -> None:
    config = SimpleNamespace(html_static_path=["_static"])
    extension.configure(None, config)
    extension.configure(None, config)
    assert config.html_static_path.count(str(extension.STATIC)) == 1
    for name in (extension.SCRIPT, extension.CSS):
        assert (extension.STATIC / name).is_file(), name
    script = (extension.STATIC / extension.SCRIPT).read_text()
    assert "http" not in script, "the script loads nothing from elsewhere"
