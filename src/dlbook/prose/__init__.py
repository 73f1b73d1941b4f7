"""The book's prose: sentences computed from measured numbers, kept apart from the models.

- :mod:`dlbook.prose.autoencoders`, :mod:`~dlbook.prose.denoising`,
  :mod:`~dlbook.prose.textgen`, :mod:`~dlbook.prose.sentiment`: each chapter's
  verdicts (the sentences it reads off its numbers);
- :mod:`dlbook.prose.wording`: numbers in the words a reader expects;
- :mod:`dlbook.prose.reference`: the recorded full-profile build that quick
  pages quote.

Nothing in this subpackage shapes a trained model, so none of it is part of
a cache key (:func:`dlbook.training.code_digest`): a sentence edit retrains
nothing. The submodules are imported on demand (``from dlbook.prose import
wording``), so reading the record does not import TensorFlow.
"""

from __future__ import annotations

__all__ = ["Verdict"]


class Verdict(str):
    """A verdict's sentence that also says which branch of its function wrote it.

    A ``str``, so that it glues and formats like the sentence it is; ``id``
    names the branch ("dense", "ae_ahead"), so that two builds can be compared
    by what they concluded rather than by their wording
    (:func:`dlbook.prose.reference.compare_verdicts`): an edit to a sentence
    keeps its id, a different conclusion changes it. ``lesson`` is ``False``
    for a reading of this machine's timings, which another machine may
    honestly read otherwise.

    Example:
        >>> verdict = Verdict("The codes are dense.", "dense")
        >>> verdict.id, verdict.text, verdict + " More."
        ('dense', 'The codes are dense.', 'The codes are dense. More.')
    """

    id: str
    lesson: bool

    def __new__(cls, text: str, id: str, *, lesson: bool = True) -> Verdict:
        if not id:
            raise ValueError("A verdict needs the id of the branch that wrote it.")
        verdict = super().__new__(cls, text)
        verdict.id = id
        verdict.lesson = lesson
        return verdict

    @property
    def text(self) -> str:
        """The sentence, as a plain ``str``."""
        return str.__str__(self)

    # No __repr__ of its own: IPython would show it instead of the sentence when a page glues one.

    def __reduce__(self) -> tuple:  # pickling keeps the id (a str subclass would lose it)
        return (_rebuild, (self.text, self.id, self.lesson))


def _rebuild(text: str, id: str, lesson: bool) -> Verdict:
    return Verdict(text, id, lesson=lesson)
