"""dlbook: the code behind the *Deep Learning, Hands-On* textbook.

The chapters import this package for everything that is not the lesson itself:
loading the datasets (:mod:`dlbook.data`), choosing the quick or full profile
(:mod:`dlbook.config`), training with a cache of finished models
(:mod:`dlbook.training`), recording glued results (:mod:`dlbook.notebook`),
and drawing figures (:mod:`dlbook.plotting`). One module per chapter holds that
chapter's models, metrics and helpers.

Importing the package changes nothing outside it: no environment variable, no
warning filter, no profile frozen at import. A chapter's explicit
:func:`dlbook.notebook.setup` call quiets TensorFlow and library warnings for
that chapter; the command line does the same for itself.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
