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
