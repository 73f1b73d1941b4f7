"""Top-k and nucleus (top-p) sampling for chapter 3's character model, in NumPy.

Temperature (:func:`dlbook.textgen.apply_temperature`) reshapes the whole
next-character distribution. The two functions here cut off its tail
instead and renormalise what is left:

* :func:`top_k` keeps the ``k`` most likely characters;
* :func:`nucleus` keeps the smallest set of most likely characters whose
  probabilities add up to at least ``p`` (Holtzman et al., 2020).

Both are pure functions of a probability array, so any other truncation
(min-p, for example) with the same signature plugs into the rest:
:func:`generate` runs the chapter's stateful generator
(:class:`dlbook.textgen.OneStep`, one LSTM step per character) and samples
each character from the truncated distribution; :func:`measure` and
:func:`sampling_table` score the samples with the chapter's temperature
measurements (:func:`dlbook.textgen.word_share`,
:func:`dlbook.textgen.distinct_ngram_ratio`), and :func:`plot_tradeoff` puts
them on the temperature trade-off figure.

Example:
    >>> probabilities = np.array([0.5, 0.3, 0.15, 0.05])
    >>> top_k(probabilities, 2)
    array([0.625, 0.375, 0.   , 0.   ])
    >>> nucleus(probabilities, 0.9).round(4)
    array([0.5263, 0.3158, 0.1579, 0.    ])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dlbook import config, generation_timing, textgen

__all__ = [
    "NUCLEUS_PS",
    "TOP_KS",
    "generate",
    "measure",
    "nucleus",
    "plot_tradeoff",
    "sample",
    "sample_nucleus",
    "sample_top_k",
    "sampling_table",
    "top_k",
]

#: The top-k settings the chapter measures.
TOP_KS = (5, 10, 20)
#: The nucleus settings the chapter measures.
NUCLEUS_PS = (0.5, 0.8, 0.9, 0.95)

#: A truncation: probabilities of shape ``(..., vocab_size)`` in, truncated and renormalised probabilities out.
Truncation = Callable[[np.ndarray], np.ndarray]


def _probabilities(values: np.ndarray, from_logits: bool) -> np.ndarray:
    if from_logits:
        return textgen.apply_temperature(values)
    probabilities = np.asarray(values, dtype=np.float64)
    if probabilities.ndim == 0 or probabilities.shape[-1] == 0:
        raise ValueError("Expected probabilities over at least one id, along the last axis.")
    if (probabilities < 0).any() or not np.allclose(probabilities.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("Probabilities must be non-negative and sum to 1 along the last axis "
                         "(pass from_logits=True for logits).")
    return probabilities


def _renormalise(probabilities: np.ndarray, keep: np.ndarray) -> np.ndarray:
    kept = np.where(keep, probabilities, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def top_k(values: np.ndarray, k: int, *, from_logits: bool = False) -> np.ndarray:
    """Keep the ``k`` most likely ids of each distribution and renormalise.

    Args:
        values: Probabilities of shape ``(..., vocab_size)``, or logits with
            ``from_logits=True`` (the same ids are kept either way: the
            softmax keeps the order).
        k: How many ids to keep, at least 1; ``k >= vocab_size`` keeps them all.
        from_logits: ``values`` are logits; they are turned into
            probabilities (:func:`dlbook.textgen.apply_temperature`) first.

    Returns:
        Probabilities of the same shape, zero outside the ``k`` kept ids and
        summing to 1. Ties at the ``k``-th place are broken towards the
        smaller id, so exactly ``min(k, vocab_size)`` ids are kept.
    """
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    probabilities = _probabilities(values, from_logits)
    size = probabilities.shape[-1]
    if k >= size:
        return probabilities / probabilities.sum(axis=-1, keepdims=True)
    # A stable sort of the negated probabilities: among equal ones, the smaller id comes first.
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    keep = np.zeros(probabilities.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :int(k)], True, axis=-1)
    return _renormalise(probabilities, keep)


def nucleus(probabilities: np.ndarray, p: float, *, from_logits: bool = False) -> np.ndarray:
    """Keep the smallest set of most likely ids whose probabilities sum to at least ``p``, and renormalise.

    Also called *top-p* sampling. Going down the ids from the most likely,
    an id is kept while the probability of the ids before it is still below
    ``p``: the most likely id is always kept, and the set grows where the
    model is unsure and shrinks where it is sure.

    Args:
        probabilities: Shape ``(..., vocab_size)``; logits with ``from_logits=True``.
        p: The probability the kept ids must reach, in ``(0, 1]``; ``p = 1``
            keeps every id.

    Returns:
        Probabilities of the same shape, zero outside the kept ids and
        summing to 1 (ties are broken towards the smaller id).
    """
    if not 0 < p <= 1:
        raise ValueError(f"p must lie in (0, 1], got {p!r}.")
    probabilities = _probabilities(probabilities, from_logits)
    if p == 1:
        return probabilities / probabilities.sum(axis=-1, keepdims=True)
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    ordered = np.take_along_axis(probabilities, order, axis=-1)
    before = np.cumsum(ordered, axis=-1) - ordered  # the probability of the ids ranked above each one
    keep = np.zeros(probabilities.shape, dtype=bool)
    np.put_along_axis(keep, order, before < p, axis=-1)
    return _renormalise(probabilities, keep)


def sample(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one id per distribution (the last axis) with ``rng``.

    The draw is :func:`dlbook.textgen.sample_next`'s, on the logarithms of
    the probabilities, so one seed gives the same characters as temperature
    sampling where the distributions are the same; an id of probability 0
    is never drawn.
    """
    with np.errstate(divide="ignore"):  # log(0) = -inf: the softmax gives it probability 0
        return textgen.sample_next(np.log(np.asarray(probabilities, dtype=np.float64)), 1.0, rng)


def sample_top_k(logits: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Draw one id per row of ``logits`` among its ``k`` most likely ids (:func:`top_k`)."""
    return sample(top_k(logits, k, from_logits=True), rng)


def sample_nucleus(logits: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """Draw one id per row of ``logits`` from its nucleus of probability ``p`` (:func:`nucleus`)."""
    return sample(nucleus(logits, p, from_logits=True), rng)


def generate(
    generator: textgen.OneStep,
    seed_text: str,
    length: int,
    truncate: Truncation,
    *,
    temperature: float = 1.0,
    streams: int = 1,
    rng: np.random.Generator | None = None,
) -> textgen.Generation:
    """Continue ``seed_text`` by ``length`` characters, each drawn from a truncated distribution.

    The loop of :meth:`dlbook.textgen.OneStep.generate`, with ``truncate``
    (for example ``lambda p: top_k(p, 5)``) applied to the tempered
    probabilities before each draw; the state is carried by the generator's
    own :meth:`~dlbook.textgen.OneStep.read` and
    :meth:`~dlbook.textgen.OneStep.step`.

    Returns:
        A :class:`dlbook.textgen.Generation`. Its entropies are those of the
        truncated distributions the characters were drawn from; its
        likelihoods are the model's own (temperature 1, untruncated), as
        for temperature sampling.
    """
    if length < 1 or streams < 1:
        raise ValueError("length and streams must be positive.")
    rng = np.random.default_rng(config.SEED) if rng is None else rng
    size = generator.vocabulary.size
    generated = np.empty((length, streams), dtype=np.int64)
    entropies = np.empty((length, streams))
    log_likelihoods = np.empty((length, streams))
    # One BLAS thread, as the generation timings use: a step's products are too small to share, and on a
    # busy machine (a build runs two chapters at once) a second thread makes each step several times slower.
    with generation_timing._one_blas_thread():
        start = time.perf_counter()
        logits, states = generator.read(seed_text, streams)
        for position in range(length):
            probabilities = truncate(textgen.apply_temperature(logits, temperature))
            if probabilities.shape != (streams, size):
                raise ValueError(f"truncate must return probabilities of shape {(streams, size)}, "
                                 f"got {probabilities.shape}.")
            generated[position] = ids = sample(probabilities, rng)
            entropies[position] = textgen.entropy(probabilities)
            model_probabilities = textgen.apply_temperature(logits)
            log_likelihoods[position] = np.log(model_probabilities[np.arange(streams), ids])
            if position + 1 < length:
                logits, states = generator.step(ids, states)
        seconds = time.perf_counter() - start
    texts = [generator.vocabulary.decode(generated[:, stream]) for stream in range(streams)]
    return textgen.Generation(texts, entropies, log_likelihoods, seconds)


#: The temperature table's measurements (:func:`dlbook.textgen.measure`), for
#: top-k, nucleus and any other way of sampling: one definition for all.
measure = textgen.measure


def sampling_table(
    generator: textgen.OneStep,
    seed_text: str,
    known_words: set[str] | frozenset[str],
    *,
    ks: Sequence[int] = TOP_KS,
    ps: Sequence[float] = NUCLEUS_PS,
    length: int = 2000,
    streams: int = 4,
    n: int = 2,
    seed: int = config.SEED,
) -> dict[str, Any]:
    """Sample with top-k for each ``k`` and with nucleus sampling for each ``p``, and measure the samples.

    Every setting gets ``streams`` samples of ``length`` characters, as
    each temperature does in :func:`dlbook.textgen.temperature_table`, so
    that with the same ``length``, ``streams`` and ``n`` the rows compare
    with its rows. All settings are generated side by side, as one batch
    of ``streams`` times the number of settings, from one generator seeded
    with ``seed``: one LSTM step per character serves them all.

    Returns:
        A JSON-ready dict: ``rows`` (one per setting: ``method`` "top-k" or
        "nucleus", ``parameter``, ``setting`` such as "k = 5", and the
        measurements of :func:`measure`), ``samples`` (the first stream's
        text per setting), ``length``, ``streams``, ``n`` and ``seconds``
        (the generation time).
    """
    settings: list[tuple[str, float, str, Truncation]] = (
        [("top-k", k, f"k = {k}", lambda probabilities, k=k: top_k(probabilities, k)) for k in ks]
        + [("nucleus", p, f"p = {p:g}", lambda probabilities, p=p: nucleus(probabilities, p)) for p in ps])
    if not settings:
        raise ValueError("Give at least one k or p.")

    def truncate(probabilities: np.ndarray) -> np.ndarray:  # each setting cuts its own block of streams
        blocks = np.split(probabilities, len(settings))
        return np.concatenate([cut(block) for (_, _, _, cut), block in zip(settings, blocks)])

    generation = generate(generator, seed_text, length, truncate, streams=streams * len(settings),
                          rng=np.random.default_rng(seed))
    rows, samples = [], {}
    for index, (method, parameter, label, _) in enumerate(settings):
        block = slice(index * streams, (index + 1) * streams)
        part = textgen.Generation(generation.texts[block], generation.entropies[:, block],
                                  generation.log_likelihoods[:, block], generation.seconds)
        rows.append({"method": method, "parameter": parameter, "setting": label,
                     **measure(part, known_words, n=n)})
        samples[f"{method}, {label}"] = part.texts[0]
    return {"rows": rows, "samples": samples, "length": length, "streams": streams, "n": n,
            "seconds": generation.seconds}


#: How the trade-off figure names a method in its legend (other methods: their own name).
_LEGEND = {"top-k": "top-k", "nucleus": "nucleus (top-p)"}
#: One marker per method, in the order the rows list them.
_MARKERS = ("s", "^", "D", "v", "P")


def _zoomed(temperature_rows: Sequence[Mapping[str, float]], rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Which rows the zoom panel shows: those about as varied as sampling at T = 1.

    A row is in the zoom when its share of distinct bigrams is within a tenth
    of the temperature curve's range below that at T = 1 (or the curve's
    most varied point, without a row at T = 1); the others are labelled in
    the whole figure.
    """
    distinct = {row["temperature"]: row["distinct_ngrams"] for row in temperature_rows}
    reference = distinct.get(1.0, max(distinct.values()))
    floor = reference - 0.1 * (max(distinct.values()) - min(distinct.values()))
    return [row["distinct_ngrams"] >= floor for row in rows]


def plot_tradeoff(temperature_rows: Sequence[Mapping[str, float]], rows: Sequence[Mapping[str, Any]] = (), *,
                  zoom: bool = True):
    """Quality (known words) against variety (distinct bigrams): the temperature curve, and a point per setting.

    Args:
        temperature_rows: :func:`dlbook.textgen.temperature_table`'s rows,
            drawn as a line through one labelled point per temperature.
        rows: :func:`sampling_table`'s rows (or any rows with ``method``,
            ``setting``, ``word_share`` and ``distinct_ngrams``), drawn as
            points, one marker and colour per method, each labelled with its
            setting.
        zoom: With ``rows``, add a second panel below that zooms in on the
            settings about as varied as sampling at T = 1, where the points
            crowd; the settings outside it are labelled in the first panel.

    Returns:
        The figure (one panel, or two stacked, which a phone's width keeps readable).
    """
    import matplotlib.pyplot as plt

    temperature_rows = sorted(temperature_rows, key=lambda row: row["temperature"])
    x = [row["distinct_ngrams"] for row in temperature_rows]
    y = [row["word_share"] for row in temperature_rows]
    zoom = zoom and bool(rows)
    inside = _zoomed(temperature_rows, rows) if zoom else [False] * len(rows)
    methods = list(dict.fromkeys(row["method"] for row in rows))
    fig, axes = plt.subplots(2 if zoom else 1, 1, figsize=(6.0, 8.6 if zoom else 4.6), squeeze=False)
    axes = axes[:, 0]
    for panel, ax in enumerate(axes):
        ax.plot(x, y, marker="o", color="C0", label="temperature", zorder=2)
        for index, row in enumerate(temperature_rows):
            # The whole curve: labels alternate sides. The zoom: above the point, clear of the settings'
            # labels, which sit beside their points.
            place = (dict(xytext=(0, 10), ha="center", va="bottom") if panel == 1
                     else dict(xytext=(8, 4) if index % 2 == 0 else (-52, -14)))
            ax.annotate(f"T = {row['temperature']:g}", (x[index], y[index]), textcoords="offset points",
                        color="C0", **place)
        for number, method in enumerate(methods):
            colour, left = f"C{number + 1}", number % 2 == 0  # labels alternate sides, method by method
            points = [(row, zoomed) for row, zoomed in zip(rows, inside) if row["method"] == method]
            ax.scatter([row["distinct_ngrams"] for row, _ in points], [row["word_share"] for row, _ in points],
                       marker=_MARKERS[number % len(_MARKERS)], s=46, color=colour,
                       label=_LEGEND.get(method, method), zorder=3)
            for row, zoomed in points:
                if zoomed == (panel == 1):  # each setting is labelled once: in the zoom, or else here
                    ax.annotate(row["setting"], (row["distinct_ngrams"], row["word_share"]),
                                textcoords="offset points", xytext=(-8, 0) if left else (8, 0),
                                ha="right" if left else "left", va="center", color=colour)
        ax.set_xlabel("distinct word bigrams / all bigrams (variety)")
        ax.set_ylabel("share of known words (quality)")
    axes[0].set_title("Quality against variety: temperature, top-k and nucleus" if rows
                      else "Quality against variety, one point per temperature")
    axes[0].margins(0.15)  # room for the labels
    axes[0].legend(loc="lower left")
    if zoom:
        shown = [row for row, zoomed in zip(rows, inside) if zoomed] or list(rows)
        xs = [row["distinct_ngrams"] for row in shown] + [x[i] for i, row in enumerate(temperature_rows)
                                                          if row["temperature"] == 1.0]
        ys = [row["word_share"] for row in shown] + [y[i] for i, row in enumerate(temperature_rows)
                                                     if row["temperature"] == 1.0]
        pad_x, pad_y = max(np.ptp(xs), 0.01) * 0.4, max(np.ptp(ys), 0.05) * 0.12
        axes[1].set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        axes[1].set_ylim(min(ys) - pad_y, max(ys) + pad_y)
        axes[1].set_title("Zoomed in on the settings near T = 1", fontsize=11.5)
        axes[0].indicate_inset_zoom(axes[1], edgecolor=plt.rcParams["axes.edgecolor"], alpha=0.6)
    fig.tight_layout()
    return fig
