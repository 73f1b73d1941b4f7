"""Check-your-understanding questions whose answers come from the chapter's own results.

A chapter asks a question in a hidden cell, once the numbers that answer it
have been computed::

    quiz.Question(
        "Which code size gives the lowest test BCE?",
        options=[str(size) for size in sizes],
        answer=str(best_size),
        explanation=f"The {best_size}-number code does, at {best_bce:.4f}.",
        predict=True,
    )

The answer is never typed in: it is computed from the results, so it cannot go
stale when they change. The cell's output has two forms:

- **HTML** (:meth:`Question._repr_html_`, what the book's page shows): a
  ``<fieldset>`` whose ``<legend>`` is the question, one ``<input
  type="radio">`` with its ``<label>`` per option, a "Check" button, a line
  that assistive technology reads out when it changes (``aria-live``) and a
  ``<details>`` block that holds the answer and its explanation. The page's
  script (``_ext/static/quiz/quiz.js``) shows the button and answers it; without
  the script the button stays hidden and the ``<details>`` block still works.
- **Markdown** (:meth:`Question._repr_markdown_`): the question, the options as
  a list and the answer in a collapsed ``<details>`` block. The launch notebook
  (``_ext/launch_notebooks.py``) turns each question cell into this Markdown.

A *predict* question is asked before the page shows the result: the reader
commits to an answer, then checks it or opens the answer.

This module shapes no model (:data:`dlbook.training.NOT_MODEL_CODE`).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Sequence

__all__ = ["Question", "CHECK_LABEL", "REVEAL_LABEL"]

#: The button's text.
CHECK_LABEL = "Check"
#: The summary of the ``<details>`` block that holds the answer.
REVEAL_LABEL = "Show the answer"
#: Options this short (digits, code sizes) are set in a row.
SHORT_OPTION = 6
#: What each kind of question is called, in front of its text.
KIND = {False: "Check your understanding", True: "Predict, then check"}

_CODE = re.compile(r"`([^`\n]+)`")


def _inline_html(text: str) -> str:
    """Escaped text, with ```code``` spans as ``<code>`` (the only markup a question uses)."""
    parts = _CODE.split(text)
    return "".join(
        f"<code>{html.escape(part)}</code>" if index % 2 else html.escape(part)
        for index, part in enumerate(parts)
    )


def _inline_markdown(text: str) -> str:
    """Text for a Markdown cell: ``<`` and ``&`` escaped outside ```code``` spans, so that
    nothing in it is read as HTML."""
    parts = _CODE.split(text)
    return "".join(
        f"`{part}`" if index % 2 else html.escape(part, quote=False)
        for index, part in enumerate(parts)
    )


@dataclass(frozen=True)
class Question:
    """One multiple-choice question, answered from the chapter's results.

    Args:
        prompt: The question, a whole sentence ending with a question mark.
        options: The choices, at least two, all different (as they are shown).
        answer: The right choice: one of ``options``, computed from the results.
        explanation: One or two sentences on why, with the numbers that decide it.
        predict: Whether the page asks it before showing the result (the reader
            predicts, then checks).

    Raises:
        ValueError: An empty prompt or explanation, fewer than two options, a repeated
            option, or an answer that is not one of the options.
    """

    prompt: str
    options: Sequence[str]
    answer: str
    explanation: str
    predict: bool = False
    ident: str = field(init=False)

    def __post_init__(self) -> None:
        options = tuple(str(option) for option in self.options)
        object.__setattr__(self, "options", options)
        if not str(self.prompt).strip():
            raise ValueError("a question needs a prompt")
        if not str(self.explanation).strip():
            raise ValueError(f"{self.prompt!r}: the answer needs an explanation")
        if len(options) < 2:
            raise ValueError(f"{self.prompt!r}: a question needs at least two options, got {list(options)}")
        if any(not option.strip() for option in options):
            raise ValueError(f"{self.prompt!r}: an option is empty: {list(options)}")
        if len(set(options)) != len(options):
            raise ValueError(f"{self.prompt!r}: the options repeat: {list(options)}")
        if str(self.answer) not in options:
            raise ValueError(f"{self.prompt!r}: the answer {self.answer!r} is not one of the options {list(options)}")
        object.__setattr__(self, "answer", str(self.answer))
        # Stable across builds (the page's ids do not change when nothing changed) and
        # unique on a page unless two questions ask the same thing with the same options.
        digest = hashlib.sha256("\x00".join([self.prompt, *options]).encode()).hexdigest()[:10]
        object.__setattr__(self, "ident", f"dlbook-quiz-{digest}")

    @property
    def answer_index(self) -> int:
        """The position of the answer among the options."""
        return self.options.index(self.answer)

    @property
    def kind(self) -> str:
        """What the page calls this question: a check or a prediction."""
        return KIND[bool(self.predict)]

    def _repr_html_(self) -> str:
        """The question as the page shows it: a fieldset of radio buttons, a Check button
        (shown by the page's script), a live feedback line and the answer in ``<details>``."""
        ident = self.ident
        options = "".join(
            f'<div class="dlbook-quiz-option">'
            f'<input type="radio" name="{ident}" id="{ident}-{index}" value="{index}">'
            f'<label for="{ident}-{index}">{_inline_html(option)}</label></div>'
            for index, option in enumerate(self.options)
        )
        classes = "dlbook-quiz-predict" if self.predict else "dlbook-quiz-check"
        if all(len(option) <= SHORT_OPTION for option in self.options):
            classes += " dlbook-quiz-short"  # a row of short options, not a long column
        return (
            f'<div class="dlbook-quiz {classes}" id="{ident}" data-answer="{self.answer_index}">'
            f'<fieldset><legend><span class="dlbook-quiz-kind">{html.escape(self.kind)}.</span> '
            f'<span class="dlbook-quiz-prompt">{_inline_html(self.prompt)}</span></legend>'
            f'<div class="dlbook-quiz-options">{options}</div></fieldset>'
            f'<div class="dlbook-quiz-actions">'
            f'<button type="button" class="dlbook-quiz-button" hidden>{CHECK_LABEL}</button>'
            f'<p class="dlbook-quiz-feedback" role="status" aria-live="polite"></p></div>'
            f'<details class="dlbook-quiz-answer"><summary>{REVEAL_LABEL}</summary>'
            f'<p><strong>Answer:</strong> <span class="dlbook-quiz-answer-text">{_inline_html(self.answer)}</span></p>'
            f'<p class="dlbook-quiz-explanation">{_inline_html(self.explanation)}</p></details>'
            "</div>"
        )

    def _repr_markdown_(self) -> str:
        """The question as plain Markdown: the launch notebook's cell (answer collapsed)."""
        options = "\n".join(f"- {_inline_markdown(option)}" for option in self.options)
        return (
            f"**{self.kind}.** {_inline_markdown(self.prompt)}\n\n{options}\n\n"
            f"<details>\n<summary>{REVEAL_LABEL}</summary>\n\n"
            f"**Answer:** {_inline_markdown(self.answer)}\n\n{_inline_markdown(self.explanation)}\n\n"
            "</details>\n"
        )

    def __repr__(self) -> str:
        return f"Question({self.prompt!r}, answer={self.answer!r})"
