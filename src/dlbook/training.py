"""Training with a cache of finished models, so that a rebuild retrains nothing.

:func:`fit_cached` is a drop-in for ``model.fit``: it trains a compiled Keras
model once, then stores its weights and training history under the cache
folder (:func:`dlbook.config.cache_dir`), keyed by everything that changes the
result: the model's architecture, optimizer, loss and metrics, its initial
weights, the data, the fit arguments, the seed, the profile, the library
versions and the code of the package modules that load data and train (:func:`code_digest`).
The next call with the same inputs loads the weights instead of training.

Entries are written atomically (to a temporary folder, then renamed) in
Keras 3's ``.weights.h5`` format. An entry that cannot be read is trained
again, never a crash.

Example:
    >>> model.compile(optimizer="adam", loss="binary_crossentropy")
    >>> run = fit_cached(model, x_train, x_train, validation_data=(x_val, x_val),
    ...                  epochs=20, batch_size=256, name="autoencoder-32")
    >>> run.history["val_loss"][-1], run.seconds
"""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import functools
import hashlib
import inspect
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import dlbook
from dlbook import config

__all__ = [
    "MODEL_CODE",
    "NOT_MODEL_CODE",
    "NotTrainedError",
    "build_stamp",
    "TrainingRun",
    "cached_json",
    "code_digest",
    "fingerprint",
    "fit_cached",
    "function_digest",
    "models_dir",
    "normalised_source",
    "package_sources",
    "source_digest",
]

_WEIGHTS = "model.weights.h5"


class NotTrainedError(LookupError):
    """``fit_cached(..., missing="raise")`` found no trained model for these settings."""

    def __init__(self, name: str, entry: Path) -> None:
        super().__init__(f"No trained model {name!r} with these settings in the cache ({entry.parent}).")
        self.name = name
        self.entry = entry


_META = "run.json"


@dataclass
class TrainingRun:
    """What :func:`fit_cached` returns: the history and how long training took.

    Attributes:
        name: The name given to :func:`fit_cached`.
        history: Per-epoch metrics, as in ``keras.callbacks.History.history``.
        seconds: Wall-clock training time of the run that produced the weights
            (also when they were loaded from the cache).
        cached: ``True`` if the weights came from the cache.
        key: The cache key (a hex digest).
        path: The cache entry's folder.
    """

    name: str
    history: dict[str, list[float]]
    seconds: float
    cached: bool
    key: str
    path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """How many epochs were run (fewer than asked for after early stopping)."""
        return len(next(iter(self.history.values()), []))

    def best(self, metric: str = "val_loss", mode: str = "min") -> float:
        """The best value of ``metric`` over the epochs."""
        values = self.history[metric]
        return float(min(values) if mode == "min" else max(values))

    def final(self, metric: str = "val_loss") -> float:
        """The value of ``metric`` after the last epoch."""
        return float(self.history[metric][-1])

    def __str__(self) -> str:
        how = "loaded from the cache" if self.cached else "trained"
        epochs = f"{self.epochs} epoch{'' if self.epochs == 1 else 's'}"
        summary = f"{self.name}: {how}, {epochs} in {self.seconds:.1f} s"
        if "val_loss" in self.history:
            summary += f", final val_loss {self.final('val_loss'):.4f}"
        return summary

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def models_dir() -> Path:
    """The folder that holds the trained-model cache entries."""
    return config.cache_dir() / "models"


def fingerprint(value: Any) -> str:
    """A stable hex digest of arrays, lists of strings, numbers and nested containers.

    Used to key the cache on the training data without storing it.
    """
    digest = hashlib.sha256()
    _update(digest, value)
    return digest.hexdigest()


def _update(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"ndarray{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}{len(value)}[".encode())
        for item in value:
            _update(digest, item)
        digest.update(b"]")
    elif isinstance(value, Mapping):
        digest.update(b"{")
        for key in sorted(value, key=str):
            _update(digest, str(key))
            _update(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, (str, bytes, int, float, bool, type(None), np.generic)):
        digest.update(repr(value).encode() if not isinstance(value, bytes) else value)
    elif callable(getattr(value, "cache_description", None)):
        # Data that cannot be hashed directly (a keras.utils.PyDataset that
        # draws its batches) describes itself: see NoisyImages.
        digest.update(f"{type(value).__module__}.{type(value).__qualname__}(".encode())
        _update(digest, value.cache_description())
        digest.update(b")")
    else:
        raise TypeError(
            f"Cannot fingerprint a {type(value).__name__}; pass data_key= to fit_cached "
            "to name the data instead (for example for a tf.data.Dataset)."
        )


# ------------------------------------------------------------ code digest
# A cache key must change when the code that shapes a result changes (a
# windowing function, a corruption, a text cleaner, a metric), and should not
# change for a comment or a docstring. Hashing the parsed syntax tree of the
# source, with docstrings removed, does both: comments never reach the tree.

#: The package modules whose code shapes a trained model or a cached result:
#: the settings, the data loaders, the training loop, each task's data, model
#: and metrics. Their code is part of every cache key (:func:`code_digest`).
MODEL_CODE = ("config.py", "data.py", "training.py", "autoencoders.py", "denoising.py", "sentiment.py",
              "textgen.py")

#: The modules that shape no model, kept out of the key so that editing them
#: retrains nothing: the prose (verdicts, wording, the full-profile record),
#: figures, the quizzes, the notebook plumbing, the command line (which hands its models
#: and data to :func:`fit_cached`, where they are keyed), the generators that
#: only use trained weights. The chapters' recipes (``recipes/``) are keyed by
#: what they build, as a chapter's own cells are: the model's layers, compile
#: settings and initial weights are in every key (:func:`fit_cached`), so an
#: edit to a recipe retrains the models it builds, and a new chapter's recipe
#: retrains none of the others. Every module is in exactly one of the two lists
#: (``tests/unit/test_cache_keys.py`` checks), so a new one is placed on purpose.
NOT_MODEL_CODE = ("__init__.py", "__main__.py", "cli.py", "tasks.py", "notebook.py", "plotting.py", "prose/*.py",
                  "lstm.py", "generation_timing.py", "sampling.py", "quiz.py", "recipes/*.py")


def _is_model_code(relative: str) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in MODEL_CODE)


def normalised_source(source: str) -> str:
    """``source`` as a canonical dump of its syntax tree, without comments and docstrings.

    Two sources that differ only in comments, docstrings, blank lines or
    formatting give the same text; any change to the code itself gives
    another. A source that does not parse is returned as it is.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                # Keep a body non-empty: a function that is only a docstring.
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def source_digest(sources: Mapping[str, str]) -> str:
    """A hex digest of named sources (file name -> text), after :func:`normalised_source`."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(f"{name}\0{normalised_source(sources[name])}\0".encode())
    return digest.hexdigest()


def package_sources(*, everything: bool = False) -> dict[str, str]:
    """The source of every module of the ``dlbook`` package that shapes results (:data:`MODEL_CODE`), by relative path.

    With ``everything``, the source of every module, prose and plumbing included.
    """
    package = Path(dlbook.__file__).resolve().parent
    sources = {path.relative_to(package).as_posix(): path for path in sorted(package.rglob("*.py"))}
    return {relative: path.read_text(encoding="utf-8") for relative, path in sources.items()
            if everything or _is_model_code(relative)}


def build_stamp() -> str:
    """A digest of everything in the package that a built page shows: all of its code, compared as
    parsed code (:func:`source_digest`, so a comment or docstring edit changes nothing), and its JSON
    data (the full-profile record the quick pages quote).

    ``scripts/build.sh`` empties Jupyter Book's execution cache when this
    changes: a prose edit re-executes the chapters, from the model cache.
    Run it as ``python -c "from dlbook import training; print(training.build_stamp())"``.
    """
    package = Path(dlbook.__file__).resolve().parent
    digest = hashlib.sha256(source_digest(package_sources(everything=True)).encode())
    for path in sorted(package.rglob("*.json")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of the code that shapes models (:func:`source_digest` of :func:`package_sources`).

    Part of every :func:`fit_cached` and :func:`cached_json` key, so that a
    change to the data, model or training code retrains the models and
    recomputes the results it may change; the prose (:mod:`dlbook.prose`),
    figures and plumbing are not part of it (:data:`NOT_MODEL_CODE`). Computed once per process (about 0.1 s for the
    whole package, on first use): code edited while a kernel runs is not
    imported again either, so the digest stays that of the code in use.
    """
    return source_digest(package_sources())


def function_digest(function: Any) -> str:
    """A digest of a function's or a class's code: its normalised source, else its bytecode.

    For code defined outside the package, such as a notebook cell's subclass
    of :class:`dlbook.denoising.NoisyImages`. Where Python cannot find the
    source (a class defined in a notebook cell, code run with ``exec``), a
    class is digested method by method and a function by its bytecode.
    """
    try:
        return source_digest({getattr(function, "__qualname__", "code"): inspect.getsource(function)})
    except (OSError, TypeError):
        pass
    if inspect.isclass(function):
        members = {}
        for name, member in sorted(vars(function).items()):
            member = getattr(member, "__func__", member)  # classmethod, staticmethod
            if inspect.isfunction(member):
                members[name] = function_digest(member)
            elif isinstance(member, (int, float, str, bool, type(None))) and not name.startswith("__"):
                members[name] = repr(member)
        return fingerprint([function.__qualname__, members])
    code = getattr(function, "__code__", None)
    return fingerprint(_code_parts(code) if code is not None else repr(function))


def _code_parts(code: Any) -> list[Any]:
    """A code object's instructions, names and constants, nested code included
    (whose ``repr`` holds a memory address that changes between processes)."""
    constants = [_code_parts(item) if inspect.iscode(item) else repr(item) for item in code.co_consts]
    return [code.co_code, list(code.co_names), constants]


def _describe_callbacks(callbacks: Any) -> list[dict[str, Any]]:
    described = []
    for callback in callbacks or []:
        settings = {
            key: value
            for key, value in sorted(vars(callback).items())
            if not key.startswith("_") and isinstance(value, (int, float, str, bool, type(None)))
            and key not in ("wait", "stopped_epoch", "best_epoch", "best")
        }
        described.append({"class": type(callback).__name__, **settings})
    return described


def _without_names(value: Any) -> Any:
    """Drop ``name`` keys: Keras numbers auto-generated names (``dense_3``, ``adam_1``)
    by how many objects the session created before, which must not change the key."""
    if isinstance(value, Mapping):
        return {key: _without_names(item) for key, item in value.items() if key != "name"}
    if isinstance(value, (list, tuple)):
        return [_without_names(item) for item in value]
    return value


def _model_description(model: Any) -> dict[str, Any]:
    """Everything about a compiled model that changes what training produces."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("fit_cached needs a compiled model: call model.compile(...) first.")
    layers = [
        {
            "class": type(layer).__name__,
            "config": _without_names(layer.get_config()),
            "weights": [list(weight.shape) for weight in layer.weights],
        }
        for layer in model.layers
    ]
    try:
        compile_config = _without_names(model.get_compile_config())
    except Exception:  # a model compiled in a way Keras cannot serialise
        compile_config = repr(getattr(model, "loss", None))
    return {
        "class": type(model).__name__,
        "layers": layers,
        "optimizer": [type(optimizer).__name__, _without_names(optimizer.get_config())],
        "compile": compile_config,
    }


def _versions() -> dict[str, str]:
    import keras
    import tensorflow as tf

    return {"dlbook": dlbook.__version__, "code": code_digest(), "keras": keras.__version__,
            "tensorflow": tf.__version__}


def _initial_weights(model: Any) -> str:
    """A fingerprint of the model's weights as they are before training.

    Covers the seed the model was built with and any weights set by hand
    (for example an encoder copied from another model, or training resumed
    from an earlier run), which the architecture alone does not show.
    """
    return fingerprint([np.asarray(weight) for weight in model.get_weights()])


def fit_cached(
    model: Any,
    x: Any = None,
    y: Any = None,
    *,
    name: str,
    validation_data: Any = None,
    data_key: str | None = None,
    seed: int = config.SEED,
    callbacks: list[Any] | None = None,
    verbose: int | str = 0,
    cache: bool = True,
    missing: str = "train",
    **fit_kwargs: Any,
) -> TrainingRun:
    """Train ``model`` like ``model.fit``, or load the weights of an identical earlier run.

    Args:
        model: A compiled Keras model (weights as freshly built: the seed
            should be set before building it, e.g. with
            ``keras.utils.set_random_seed``). Its weights before training are
            part of the key.
        x, y, validation_data: As for ``model.fit``. NumPy arrays (and lists
            of strings) are fingerprinted into the cache key, and so is data
            that describes itself with a ``cache_description()`` method
            (:class:`dlbook.denoising.NoisyImages`). When the weights come
            from the cache, a ``keras.utils.PyDataset`` ``x`` has its
            ``on_epoch_end()`` called as many times as ``model.fit`` called it
            in the stored run, so that it ends in the same state as after
            training (the next epoch's noise, for example).
        name: A readable name for the cache entry, e.g. ``"autoencoder-32"``.
        data_key: Names the data when it cannot be fingerprinted (a
            ``tf.data.Dataset``); must change whenever the data changes.
        seed: The seed the run used; part of the key, and set again with
            ``keras.utils.set_random_seed`` just before training.
        callbacks: As for ``model.fit``; their settings are part of the key.
        verbose: As for ``model.fit``; 0 by default so the book stays clean.
        cache: ``False`` trains unconditionally and stores nothing.
        missing: What to do without a cache entry: ``"train"`` (the default)
            or ``"raise"`` a :class:`NotTrainedError`, for code that only uses
            models trained earlier (``dlbook generate``).
        **fit_kwargs: Any other ``model.fit`` argument (``epochs``, ``batch_size``,
            ``class_weight``, ...); part of the key. An argument given as
            ``None`` is left out, as if it had not been given: ``model.fit``'s
            default is ``None`` for all of them that take it.

    Returns:
        A :class:`TrainingRun`; the model holds the trained weights.
    """
    import keras

    if missing not in ("train", "raise"):
        raise ValueError(f"missing must be 'train' or 'raise', got {missing!r}.")
    fit_kwargs = {key: value for key, value in fit_kwargs.items() if value is not None}
    if data_key is None:
        data_key = fingerprint([x, y, validation_data])
    description = {
        "name": name,
        "model": _model_description(model),
        "initial_weights": _initial_weights(model),
        "data": data_key,
        "fit": {key: value for key, value in sorted(fit_kwargs.items())},
        "callbacks": _describe_callbacks(callbacks),
        "seed": seed,
        "profile": config.profile(),
        "versions": _versions(),
    }
    key = hashlib.sha256(json.dumps(description, sort_keys=True, default=repr).encode()).hexdigest()
    entry = models_dir() / f"{_safe(name)}-{key[:16]}"

    if cache:
        loaded = _load_entry(model, entry, name=name, key=key)
        if loaded is not None:
            _replay_epochs(x, int(loaded.extra.get("on_epoch_end_calls", 0)))
            return loaded
    if missing == "raise":
        raise NotTrainedError(name, entry)
    smoke = config.smoke_steps()
    if smoke is not None:
        # A smoke test proves that the code runs, not that it converges: one
        # epoch of a few batches, and nothing stored, so that no half-trained
        # model can ever be loaded as the real one.
        fit_kwargs = {**fit_kwargs, "epochs": 1, "steps_per_epoch": smoke}
        if validation_data is not None:
            fit_kwargs["validation_steps"] = smoke
        cache = False

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    with _counting_epoch_ends(x) as epoch_ends:
        history = model.fit(x, y, validation_data=validation_data, callbacks=callbacks, verbose=verbose,
                            **fit_kwargs)
    seconds = time.perf_counter() - start
    values = {metric: [float(v) for v in series] for metric, series in history.history.items()}
    run = TrainingRun(name=name, history=values, seconds=seconds, cached=False, key=key, path=entry,
                      extra={"on_epoch_end_calls": epoch_ends[0]})
    if cache:
        _store_entry(model, run, description)
    return run


def _is_py_dataset(x: Any) -> bool:
    from keras.utils import PyDataset

    return isinstance(x, PyDataset)


@contextlib.contextmanager
def _counting_epoch_ends(x: Any) -> Iterator[list[int]]:
    """Count the calls of a ``PyDataset``'s ``on_epoch_end()`` during training.

    Keras calls it once per epoch and once more as ``fit`` ends (Keras 3.15),
    and that may change; a cache hit replays exactly the count of the run
    that stored the weights.
    """
    count = [0]
    if not _is_py_dataset(x):
        yield count
        return
    original = x.on_epoch_end

    def counting() -> None:
        count[0] += 1
        original()

    x.on_epoch_end = counting
    try:
        yield count
    finally:
        del x.on_epoch_end  # the class's method again


def _replay_epochs(x: Any, calls: int) -> None:
    """Leave a stateful ``PyDataset`` as ``model.fit`` left it (see :func:`_counting_epoch_ends`)."""
    if _is_py_dataset(x):
        for _ in range(calls):
            x.on_epoch_end()


def _safe(name: str) -> str:
    return "".join(char if char.isalnum() or char in "-_." else "-" for char in name)


def _load_entry(model: Any, entry: Path, *, name: str, key: str) -> TrainingRun | None:
    meta_file, weights_file = entry / _META, entry / _WEIGHTS
    if not (meta_file.is_file() and weights_file.is_file()):
        return None
    try:
        meta = json.loads(meta_file.read_text())
        if meta.get("key") != key:
            raise ValueError("key mismatch")
        with warnings.catch_warnings():
            # The entry holds the trained optimizer's slots too; a freshly
            # compiled optimizer has none yet, and only the weights matter here.
            warnings.filterwarnings("ignore", message=r".*Skipping variable loading for optimizer.*")
            model.load_weights(weights_file)
    except Exception as error:  # any unreadable entry is retrained, never fatal
        warnings.warn(f"Retraining {name}: the cache entry {entry} is unreadable ({error}).", stacklevel=3)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    return TrainingRun(
        name=name, history=meta["history"], seconds=float(meta["seconds"]),
        cached=True, key=key, path=entry, extra=meta.get("extra", {}),
    )


def _store_entry(model: Any, run: TrainingRun, description: dict[str, Any]) -> None:
    run.path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{run.path.name}.", dir=run.path.parent))
    try:
        model.save_weights(staging / _WEIGHTS)
        meta = {
            "key": run.key, "name": run.name, "history": run.history, "seconds": run.seconds,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "description": description, "extra": run.extra,
        }
        (staging / _META).write_text(json.dumps(meta, indent=1, default=repr))
        if run.path.exists():
            shutil.rmtree(run.path)
        os.replace(staging, run.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def cached_json(name: str, key: Any, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Compute a JSON-serialisable result once and cache it under ``name`` and ``key``.

    For results that are slow to compute but are not a Keras model (a
    scikit-learn baseline's scores, a benchmark). ``key`` is fingerprinted
    together with the profile, the package version and the package's code
    (:func:`code_digest`), so a change to a function the result depends on
    (a text cleaner, a metric) recomputes it.
    """
    digest = fingerprint([name, key, config.profile(), dlbook.__version__, code_digest()])
    file = config.cache_dir() / "results" / f"{_safe(name)}-{digest[:16]}.json"
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError):
        pass
    result = compute()
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    with os.fdopen(handle, "w") as out:
        json.dump(result, out, default=float)
    os.replace(temporary, file)
    return result
