"""What every chapter does first and last: a quiet, seeded setup, and glued results.

A chapter's hidden first cell calls :func:`setup`; every number that the prose
quotes goes through :class:`Results`, which glues it into the page with
``myst_nb.glue`` *and* records it, with the profile, the seed and the training
times, in ``_build/metrics/<chapter>.json`` (see :func:`dlbook.config.metrics_dir`),
so that results can be compared across builds and profiles.

Example:
    >>> setup()
    >>> results = Results("autoencoder")
    >>> results.glue("test_bce", 0.0934)
    >>> results.add_training(run)
"""

from __future__ import annotations

import json
import logging
import os
import platform
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import dlbook
from dlbook import config

__all__ = ["QUIET_MODULES", "Results", "machine_description", "setup"]


#: Modules whose own deprecation and future warnings :func:`setup` hides: the
#: libraries the chapters call, not the chapter's code (``__main__``) and not
#: ``dlbook``, whose warnings (a retrained cache entry) the reader should see.
QUIET_MODULES = r"(keras|tensorflow|tf_keras|absl|google\.protobuf|h5py|numpy|pandas|sklearn|scipy|matplotlib|seaborn)(\..*)?$"


def setup(seed: int = config.SEED) -> None:
    """Seed every random generator, quiet TensorFlow's logs and library warnings, set the figure style.

    Call it once at the top of a chapter, before building any model (and,
    to quiet TensorFlow's C++ start-up lines too, before importing
    TensorFlow). It is the chapter's explicit choice: importing ``dlbook``
    changes no setting. What it changes, for the rest of the kernel:

    * ``TF_CPP_MIN_LOG_LEVEL=3`` unless already set (TensorFlow reads it
      when it is first imported) and the ``tensorflow`` and ``absl`` loggers
      at ``ERROR``;
    * warning filters that ignore ``DeprecationWarning``,
      ``PendingDeprecationWarning`` and ``FutureWarning`` raised inside the
      libraries of :data:`QUIET_MODULES`, and Keras' ``UserWarning``\ s; the
      chapter's own warnings and ``dlbook``'s still show;
    * the random seed of Python, NumPy and TensorFlow
      (``keras.utils.set_random_seed``), and the book's plot style.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Library deprecations would reach the page as stderr (the build removes
    # stderr, but readers running the notebook see it) and say nothing about
    # the lesson.
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=QUIET_MODULES)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"keras(\..*)?$")
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    keras.utils.set_random_seed(seed)
    from dlbook import plotting

    plotting.use_book_style()


def machine_description(*, load_average: bool = False) -> str:
    """The machine in words, for records of timings: architecture and CPU count.

    Args:
        load_average: Append the 1, 5 and 15-minute load averages, which say
            whether other work competed for the CPUs while timing.
    """
    description = f"{platform.machine()}, {os.cpu_count()} CPU cores"
    if load_average:
        description += ", load average " + ", ".join(f"{load:.2f}" for load in os.getloadavg())
    return description


def _plain(value: Any) -> Any:
    """Turn NumPy scalars and arrays into plain Python values (glue needs them)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


class Results:
    """Glue a chapter's numbers into the page and record them as JSON.

    Args:
        chapter: The chapter's short name, used for the JSON file name.
        seed: The seed the chapter used.

    On creation it glues ``profile`` (the active profile's name), so every
    chapter can say which profile produced its numbers. The record keeps that
    profile: recording a value after ``DLBOOK_PROFILE`` has changed is an
    error, since the value would be labelled with a profile that did not
    produce it (start a new ``Results`` instead).
    """

    def __init__(self, chapter: str, seed: int = config.SEED) -> None:
        self.chapter = chapter
        self.values: dict[str, Any] = {}
        self.training: dict[str, dict[str, Any]] = {}
        #: The branch each glued :class:`dlbook.prose.Verdict` took: name -> {"id", "lesson"}.
        self.verdict_ids: dict[str, dict[str, Any]] = {}
        self.record: dict[str, Any] = {
            "chapter": chapter,
            "profile": config.profile(),
            "seed": seed,
            "dlbook": dlbook.__version__,
            "python": platform.python_version(),
            "machine": machine_description(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self.glue("profile", config.profile(), record=False)
        self.save()

    @property
    def path(self) -> Path:
        """The JSON file this chapter writes."""
        return config.metrics_dir() / f"{self.chapter}.json"

    def glue(self, name: str, value: Any, *, display: bool = False, record: bool = True) -> Any:
        """Glue ``value`` under ``name`` for the prose, and record it.

        NumPy scalars are turned into Python numbers first (formatted glue of
        NumPy 2 scalars fails). Figures and tables are glued but not recorded.

        Returns:
            The (converted) value, so the call can be used inline.
        """
        from dlbook.prose import Verdict

        plain = _plain(value)
        if isinstance(plain, Verdict):
            if record:
                self._check_profile()
                self.verdict_ids[name] = {"id": plain.id, "lesson": plain.lesson}
            plain = plain.text  # glued and recorded as the plain sentence
        try:
            from myst_nb import glue as myst_glue
        except ImportError:  # running outside a myst-nb build (plain Jupyter, Colab)
            myst_glue = None
        if myst_glue is not None:
            myst_glue(name, plain, display=display)
        if record and isinstance(plain, (int, float, str, bool, list, dict, type(None))):
            self._check_profile()
            self.values[name] = plain
            self.save()
        return plain

    def add_training(self, run: Any) -> None:
        """Record a :class:`dlbook.training.TrainingRun`'s time, epochs, final metrics and cache entry.

        The entry's key and folder let the build find the very weights the
        chapter used (the live panels in the pages export them).
        """
        self._check_profile()
        self.training[run.name] = {
            "seconds": round(float(run.seconds), 2),
            "epochs": run.epochs,
            "cached": bool(run.cached),
            "final": {metric: float(series[-1]) for metric, series in run.history.items()},
            "key": str(run.key),
            "path": str(run.path),
        }
        self.save()

    def save_arrays(self, name: str, **arrays: Any) -> Path:
        """Save arrays beside the record, as ``<chapter>.<name>.npz``; returns its path.

        For data that later build steps need and that is too large for the
        JSON record: the live panels ship a chapter's test-set scores, its
        vocabulary and a few test digits to the reader's browser. Arrays of
        strings are stored as fixed-width Unicode, so no pickle is needed to
        read them back.
        """
        self._check_profile()
        path = self.path.with_name(f"{self.chapter}.{name}.npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            np.savez_compressed(out, **{key: np.asarray(value) for key, value in arrays.items()})
        os.replace(temporary, path)
        self.record.setdefault("arrays", {})[name] = path.name
        self.save()
        return path

    def _check_profile(self) -> None:
        active = config.profile()
        if active != self.record["profile"]:
            raise RuntimeError(
                f"DLBOOK_PROFILE changed from {self.record['profile']!r} to {active!r} after "
                f"Results({self.chapter!r}) started; create a new Results for the {active} profile."
            )

    def save(self) -> Path:
        """Write the record atomically; returns its path."""
        record = {**self.record, "values": self.values, "verdict_ids": self.verdict_ids, "training": self.training,
                  "training_seconds": round(sum(t["seconds"] for t in self.training.values()), 2)}
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w") as out:
            json.dump(record, out, indent=2, default=str)
        os.replace(temporary, path)
        return path
