"""dlbook: the code behind the *Deep Learning, Hands-On* textbook.

The chapters import this package for everything that is not the lesson itself:
loading the datasets (:mod:`dlbook.data`), choosing the quick or full profile
(:mod:`dlbook.config`), training with a cache of finished models
(:mod:`dlbook.training`), recording glued results (:mod:`dlbook.notebook`),
and drawing figures (:mod:`dlbook.plotting`). One module per chapter holds that
chapter's models, metrics and helpers.
"""

import os as _os

# TensorFlow's C++ runtime logs to stderr at import time; keep the book and the
# command line quiet unless the reader asks for logs explicitly.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

__all__ = ["__version__"]
