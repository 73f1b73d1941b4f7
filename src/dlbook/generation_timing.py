"""Timing chapter 3's generators against the machine's floor: speed measurement, not the lesson.

Chapter 3 teaches a stateful generator (:class:`dlbook.textgen.OneStep`) and
then asks what carrying the state saves. This module measures it:

* :func:`floor_speed`: the machine's floor for a step, the matrix products a
  step cannot avoid, timed alone in a tight loop;
* :func:`window_generate`: the fair baseline, the same NumPy step re-reading a
  window of text from a zero state for every new character;
* :func:`naive_generate`: ``model.predict`` on the window for every character;
* :func:`time_generators`: all of them in one run, best of many short runs.

Nothing here shapes a model, so none of it is part of a cache key
(:data:`dlbook.training.NOT_MODEL_CODE`). ``benchmarks/generation.py`` runs
:func:`time_generators` on the chapter's model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlbook import config, textgen

__all__ = ["floor_speed", "generator_floor_speed", "naive_generate", "time_generators", "window_generate"]

_BLAS: list[Any] = []


def _one_blas_thread():
    """Run the BLAS on one thread: products this small gain nothing from a second one, and on a busy
    machine the threads' hand-offs cost more than the products themselves."""
    if not _BLAS:  # finding the thread pools takes a millisecond: once per process
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def _one_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    with _one_blas_thread():
        return function(*args, **kwargs)


def floor_speed(
    products: Sequence[tuple[int, int]], *, streams: int = 1, steps: int = 2000, repeats: int = 3,
) -> float:
    """The machine's floor for a generation step, in characters per second.

    A step cannot avoid its matrix products: for the chapter's model the
    recurrent ``(H, 4H)`` one and the head's ``(H, V)`` one. This times those
    products alone, in float32, in a tight loop (vector-matrix for one
    stream, matrix-matrix for several); the best of ``repeats`` runs counts.
    Anything a real step adds (gates, sampling, Python) comes on top, so a
    method's speed divided by this floor is the share of the machine's limit
    it reaches.

    Args:
        products: ``(rows, columns)`` of each matrix a step multiplies by.
    """
    rng = np.random.default_rng(0)
    operands = [(rng.standard_normal((streams, rows)).astype(np.float32),
                 rng.standard_normal((rows, columns)).astype(np.float32) * np.float32(0.05),
                 np.empty((streams, columns), np.float32)) for rows, columns in products]
    matmul, best = np.matmul, 0.0
    with _one_blas_thread():  # as the generator runs
        for run in range(repeats + 1):
            start = time.perf_counter()
            for _ in range(steps):
                for vector, matrix, out in operands:
                    matmul(vector, matrix, out=out)
            if run:  # the first run only brings the fresh matrices into the caches, as a generator's are
                best = max(best, steps * streams / (time.perf_counter() - start))
    return best


def generator_floor_speed(generator: textgen.OneStep, streams: int = 1, steps: int = 2000, repeats: int = 3) -> float:
    """:func:`floor_speed` for a generator's model: each layer's recurrent (and deeper layers' input)
    product, and the head's."""
    products = [(units, recurrent.shape[1]) for units, (_, recurrent, _) in zip(generator.units, generator.cells)]
    products += [(kernel.shape[0], kernel.shape[1]) for kernel, _, _ in generator.cells[1:]]
    products.append(generator.head_kernel.shape)
    return floor_speed(products, streams=streams, steps=steps, repeats=repeats)


def window_generate(
    generator: textgen.OneStep,
    seed_text: str,
    length: int,
    *,
    temperature: float = 1.0,
    window: int = textgen.SEQUENCE_LENGTH,
    rng: np.random.Generator | None = None,
) -> tuple[str, float]:
    """The fair baseline: :class:`~dlbook.textgen.OneStep`'s own step, but re-reading the last ``window`` characters from a zero
    state for every new character, as a model without carried state must.

    It does the same arithmetic per step as the stateful generator, so the
    ratio of their speeds is what carrying the state saves: at most
    ``window`` steps per character instead of one.

    Returns:
        ``(text, seconds)``: the generated characters (without the seed) and
        the wall-clock time.
    """
    textgen.apply_temperature(np.zeros(1), temperature)  # refuses a bad temperature before timing
    rng = np.random.default_rng(config.SEED) if rng is None else rng
    ids = list(generator._encode_seed(seed_text))
    start = time.perf_counter()
    with _one_blas_thread():
        for _ in range(length):
            logits, _ = generator.read(generator.vocabulary.decode(ids[-window:]))
            ids.append(int(textgen.sample_next(logits[0], temperature, rng)))
    seconds = time.perf_counter() - start
    return generator.vocabulary.decode(ids[len(seed_text):]), seconds


def naive_generate(
    model: Any,
    vocabulary: textgen.CharVocabulary,
    seed_text: str,
    length: int,
    *,
    temperature: float = 1.0,
    window: int = textgen.SEQUENCE_LENGTH,
    rng: np.random.Generator | None = None,
) -> tuple[str, float]:
    """The slow way: run ``model.predict`` over the last ``window`` characters for every new one.

    Returns:
        ``(text, seconds)``: the generated characters (without the seed) and
        the wall-clock time.
    """
    rng = np.random.default_rng(config.SEED) if rng is None else rng
    ids = list(vocabulary.encode(seed_text))
    start = time.perf_counter()
    for _ in range(length):
        context = np.array([ids[-window:]], dtype=np.int32)
        logits = model.predict(context, verbose=0)[0, -1]
        ids.append(int(textgen.sample_next(logits, temperature, rng)))
    seconds = time.perf_counter() - start
    return vocabulary.decode(ids[len(seed_text):]), seconds


def time_generators(
    model: Any,
    vocabulary: textgen.CharVocabulary,
    seed_text: str,
    *,
    stateful_length: int = 200,
    window_length: int = 4,
    naive_length: int = 10,
    window: int = textgen.SEQUENCE_LENGTH,
    streams: int = 16,
    repeats: int = 30,
) -> dict[str, float]:
    """Characters per second of the three methods, and the machine's floor, in one run.

    ``stateful``: :class:`~dlbook.textgen.OneStep`; ``window``: :func:`window_generate`, the
    same step re-reading ``window`` characters per new one; ``naive``:
    :func:`naive_generate`, ``model.predict`` per character; all one stream
    at temperature 1. ``stateful_streams`` is :class:`~dlbook.textgen.OneStep` with
    ``streams`` streams (all their characters count), each stream as long
    as the one-stream run. ``floor`` and
    ``floor_streams`` are :func:`floor_speed` for one and ``streams`` streams.

    Each method is warmed up once (tracing, first ``predict``). On a shared
    machine other work only ever slows a run down, so the best of many short
    runs (a few milliseconds each) is the measurement, and the floor, the
    stateful and the window runs take turns, so that all meet the same
    conditions. ``model.predict`` takes a tenth of a second per character: it
    gets three runs.
    """
    generator = textgen.OneStep(model, vocabulary)
    # The baselines start from a seed of at least a window, so that every
    # character they add re-reads a whole window.
    long_seed = seed_text + generator.generate(seed_text, max(0, window - len(seed_text)) + 1).texts[0]
    window_generate(generator, long_seed, 2, window=window)
    naive_generate(model, vocabulary, long_seed, 2, window=window)
    batched_length = stateful_length
    measures = {
        "floor": lambda: generator_floor_speed(generator, 1, steps=stateful_length, repeats=1),
        "stateful": lambda: _one_thread(generator.generate, seed_text, stateful_length).characters_per_second,
        "floor_streams": lambda: generator_floor_speed(generator, streams, steps=batched_length, repeats=1),
        "stateful_streams": lambda: _one_thread(generator.generate, seed_text, batched_length,
                                                streams=streams).characters_per_second,
        "window": lambda: window_length / window_generate(generator, long_seed, window_length, window=window)[1],
    }
    best = dict.fromkeys(measures, 0.0)
    for _ in range(repeats):
        for name, measure in measures.items():
            best[name] = max(best[name], measure())
    naive = max(naive_length / naive_generate(model, vocabulary, long_seed, naive_length, window=window)[1]
                for _ in range(3))
    stateful, windowed = best["stateful"], best["window"]
    return {
        "stateful_chars_per_second": stateful,
        "stateful_streams_chars_per_second": best["stateful_streams"],
        "window_chars_per_second": windowed,
        "naive_chars_per_second": naive,
        "floor_chars_per_second": best["floor"],
        "floor_streams_chars_per_second": best["floor_streams"],
        "stateful_share_of_floor": stateful / best["floor"],
        "stateful_streams_share_of_floor": best["stateful_streams"] / best["floor_streams"],
        "stateful_vs_window": stateful / windowed,
        "window_vs_naive": windowed / naive,
        "stateful_vs_naive": stateful / naive,
        "stateful_length": stateful_length,
        "window_length": window_length,
        "naive_length": naive_length,
        "window": window,
        "streams": streams,
    }
