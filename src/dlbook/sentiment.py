"""LSTM sentiment classification on IMDB (chapter 4): data, model, metrics, figures.

The chapter shows the model and its training recipe: its ``build_model``
cell, exported to :mod:`dlbook.recipes.sentiment` (which ``dlbook train
sentiment`` builds), and its training call, :func:`fit_classifier` here. It
calls this module for everything around them:

* :func:`load_imdb_splits`: the raw reviews, shuffled with the book's seed and
  split into training, validation (carved from the official training set) and
  test reviews.
* :func:`clean_review`, :func:`build_vectorizer`, :func:`vectorize` and
  :func:`decode`: raw text to padded integer sequences and back.
* :func:`build_baseline` and :func:`baseline_probabilities`: the TF-IDF +
  logistic regression baseline, fitted once and cached; :func:`build_nbsvm_baseline`
  and :class:`LogCountRatio`: the NBSVM-style baseline beside it (naive Bayes
  log-count ratios + logistic regression).
* :func:`threshold_metrics` and :func:`threshold_for_precision`: precision,
  recall, F1 and confusion counts at chosen decision thresholds.
* :func:`expected_cost`, :func:`threshold_for_cost`, :func:`bootstrap_precision`
  and :func:`precision_at_prevalence`: choosing a threshold by the cost of its
  mistakes, how sure its test precision is, and what a rarer class does to it.
* :func:`occlusion_scores`: which words moved a decision (drop one, re-score).
* :func:`imbalanced_indices` and :func:`balanced_class_weight`: the
  imbalance experiment.
* :func:`predict_sentiment`: any text in, the probability of "positive" out.
* Figures: :func:`plot_length_distribution`, :func:`plot_confusion_matrix`,
  :func:`plot_roc_pr`, :func:`plot_operating_points`,
  :func:`plot_precision_recall_thresholds`, :func:`plot_occlusion`.

Used in: ``book/sentiment.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
# The one scikit-learn import at module level: LogCountRatio subclasses these.
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

from dlbook import config, data

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "IMBALANCE_POSITIVE_FRACTION",
    "IMBALANCE_TRAIN_SIZE",
    "SEQUENCE_LENGTH",
    "TEST_SIZE",
    "THRESHOLDS",
    "TRUNCATING",
    "TRAIN_SIZE",
    "VALIDATION_SIZE",
    "VOCAB_SIZE",
    "ImdbSplits",
    "LogCountRatio",
    "BASELINE_SETTINGS",
    "NBSVM_SETTINGS",
    "COLUMN_LABELS",
    "SHORT_LABELS",
    "COST_THRESHOLDS",
    "balanced_class_weight",
    "bootstrap_precision",
    "expected_cost",
    "occlusion_scores",
    "plot_occlusion",
    "plot_precision_recall_thresholds",
    "precision_at_prevalence",
    "threshold_for_cost",
    "baseline_probabilities",
    "baseline_scores",
    "build_baseline",
    "build_nbsvm_baseline",
    "fit_classifier",
    "build_vectorizer",
    "clean_review",
    "decode",
    "imbalanced_indices",
    "load_imdb_splits",
    "median_words",
    "plot_confusion_matrix",
    "plot_length_distribution",
    "plot_operating_points",
    "plot_roc_pr",
    "predict_sentiment",
    "review_lengths",
    "settings",
    "threshold_for_precision",
    "PrecisionNotReachedWarning",
    "threshold_metrics",
    "vectorize",
]

# ------------------------------------------------------------------ settings

#: Keep the most frequent 20,000 words; rarer words become the ``[UNK]`` token.
VOCAB_SIZE = 20_000
#: Longer reviews keep their last tokens: the verdict is often at the end, and
#: it is what the LSTM reads last, right before it decides.
TRUNCATING = "pre"
#: Validation reviews carved from the official training set (same in both profiles).
VALIDATION_SIZE = 5_000
#: Small batches give more updates per epoch, which an LSTM on IMDB needs early on.
BATCH_SIZE = 64
#: The decision thresholds the chapter's precision-recall table compares.
THRESHOLDS = (0.3, 0.5, 0.7)
#: The thresholds :func:`threshold_for_cost` tries: a grid of hundredths, fine
#: enough for a decision and coarse enough to read.
COST_THRESHOLDS = tuple(round(0.01 * step, 2) for step in range(1, 100))
#: The imbalance experiment keeps every negative review and only enough
#: positive ones to make up this fraction of the training subset.
IMBALANCE_POSITIVE_FRACTION = 0.10

#: The profile-dependent settings, read on every access as module constants
#: (``sentiment.EPOCHS``), never frozen at import; code here calls :func:`settings`.
_BY_PROFILE: dict[str, dict[str, int]] = {
    #: Reviews are padded or truncated to this many tokens (the full profile
    #: keeps about three quarters of the reviews whole; see the length
    #: histogram). The time per epoch grows linearly with it.
    "SEQUENCE_LENGTH": {"quick": 100, "full": 300},
    #: Training reviews: all 20,000 left after validation in both profiles
    #: (the imbalance experiment needs the pool: on 6,000, its plain model
    #: ranked the rare positives with a ROC AUC of 0.63).
    "TRAIN_SIZE": {"quick": 20_000, "full": 20_000},
    #: Test reviews: the quick profile scores a seeded subset of the official 25,000.
    "TEST_SIZE": {"quick": 5_000, "full": 25_000},
    #: Maximum epochs; early stopping on the validation accuracy may end sooner.
    "EPOCHS": {"quick": 2, "full": 4},
    #: Reviews drawn from the training split before the positives are thinned
    #: out: all of them, about 11,000 once thinned, enough for both imbalanced
    #: models to rank the rare positives well (ROC AUC 0.88 and 0.91 on
    #: validation after 2 epochs in the quick profile).
    "IMBALANCE_TRAIN_SIZE": {"quick": 20_000, "full": 20_000},
}
__getattr__ = config.profile_settings(__name__, _BY_PROFILE)


def settings() -> dict[str, Any]:
    """The active profile's ``SEQUENCE_LENGTH``, ``TRAIN_SIZE``, ``TEST_SIZE``,
    ``EPOCHS`` and ``IMBALANCE_TRAIN_SIZE``, read now."""
    return {name: config.pick(**values) for name, values in _BY_PROFILE.items()}


# ---------------------------------------------------------------------- data

@dataclass(frozen=True)
class ImdbSplits:
    """Raw IMDB reviews and labels (1 = positive), split three ways.

    The validation reviews come from the official training set; the test
    reviews (written about different movies) are only used for final numbers.
    """

    train_texts: list[str]
    train_labels: np.ndarray
    val_texts: list[str]
    val_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray


def load_imdb_splits(
    train_size: int | None = None,
    validation_size: int = VALIDATION_SIZE,
    test_size: int | None = None,
    *,
    seed: int = config.SEED,
) -> ImdbSplits:
    """Load IMDB through :func:`dlbook.data.load_imdb`, shuffle with ``seed`` and split.

    The official training reviews are shuffled once; the last
    ``validation_size`` become the validation split and the first
    ``train_size`` the training split, so the quick profile's training reviews
    are a subset of the full profile's and the validation reviews are the same
    in both. The test reviews are shuffled with their own generator and the
    first ``test_size`` kept.

    Args:
        train_size: Training reviews (default :data:`TRAIN_SIZE`).
        validation_size: Validation reviews.
        test_size: Test reviews (default :data:`TEST_SIZE`).
        seed: Seed of the shuffles.
    """
    (train_texts, train_labels), (test_texts, test_labels) = data.load_imdb()
    train_size = settings()["TRAIN_SIZE"] if train_size is None else train_size
    test_size = settings()["TEST_SIZE"] if test_size is None else test_size
    if not 0 < validation_size < len(train_texts):
        raise ValueError(f"validation_size must be between 1 and {len(train_texts) - 1}, got {validation_size}.")
    if not 0 < train_size <= len(train_texts) - validation_size:
        raise ValueError(
            f"train_size must be between 1 and {len(train_texts) - validation_size}, got {train_size}."
        )
    if not 0 < test_size <= len(test_texts):
        raise ValueError(f"test_size must be between 1 and {len(test_texts)}, got {test_size}.")
    # The files are ordered negatives first: shuffle before taking any subset.
    order = np.random.default_rng(seed).permutation(len(train_texts))
    train_order, val_order = order[:train_size], order[len(order) - validation_size:]
    test_order = np.random.default_rng(seed + 1).permutation(len(test_texts))[:test_size]
    return ImdbSplits(
        train_texts=[train_texts[i] for i in train_order], train_labels=train_labels[train_order],
        val_texts=[train_texts[i] for i in val_order], val_labels=train_labels[val_order],
        test_texts=[test_texts[i] for i in test_order], test_labels=test_labels[test_order],
    )


_HTML_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)


def clean_review(text: str) -> str:
    """Replace the HTML line breaks (``<br />``) of the IMDB files with spaces.

    Lower-casing and punctuation stripping are left to the vectorizer's
    standard ``"lower_and_strip_punctuation"``, which would otherwise turn every
    ``<br />`` into the word ``br``, one of the most frequent "words" in IMDB.
    """
    if not isinstance(text, str):
        raise TypeError(f"A review must be a str, got {type(text).__name__}.")
    return _HTML_BREAK.sub(" ", text)


def review_lengths(texts: Sequence[str]) -> np.ndarray:
    """Number of whitespace-separated words of each review (after :func:`clean_review`)."""
    return np.array([len(clean_review(text).split()) for text in texts], dtype=np.int64)


def _as_texts(texts: str | Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    texts = list(texts)
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"Texts must be str, got {type(text).__name__}.")
    return texts


def build_vectorizer(texts: Sequence[str], vocab_size: int = VOCAB_SIZE) -> Any:
    """A ``keras.layers.TextVectorization`` adapted to ``texts`` (pass the training split only).

    The vocabulary keeps index 0 for padding and 1 for ``[UNK]``, then the
    ``vocab_size - 2`` most frequent words. The layer itself returns
    variable-length sequences; :func:`vectorize` cuts and pads them.
    """
    import keras

    if vocab_size < 3:
        raise ValueError(f"vocab_size must be at least 3 (padding, [UNK] and a word), got {vocab_size}.")
    texts = [clean_review(text) for text in _as_texts(texts)]
    if not texts:
        raise ValueError("Cannot build a vocabulary from no texts.")
    vectorizer = keras.layers.TextVectorization(
        max_tokens=vocab_size,
        standardize="lower_and_strip_punctuation",
        output_mode="int",
        ragged=True,
    )
    vectorizer.adapt(texts, batch_size=1024)
    return vectorizer


def vectorize(
    vectorizer: Any,
    texts: str | Sequence[str],
    sequence_length: int | None = None,
    *,
    truncating: str = TRUNCATING,
    batch_size: int = 4096,
) -> np.ndarray:
    """Clean, tokenize, cut and pad ``texts`` into an ``int32`` array ``(len(texts), sequence_length)``.

    Args:
        vectorizer: An adapted vectorizer from :func:`build_vectorizer`.
        texts: One text or a sequence of texts.
        sequence_length: Tokens per review (default: the profile's :data:`SEQUENCE_LENGTH`).
        truncating: Which tokens a longer review keeps: ``"pre"`` cuts the
            start and keeps the last ``sequence_length`` tokens (as
            ``keras.utils.pad_sequences`` does by default), ``"post"`` keeps
            the first ones.

    Shorter reviews are always padded with zeros at the end ("post-padding"),
    which the model masks out.
    """
    if sequence_length is None:
        sequence_length = settings()["SEQUENCE_LENGTH"]
    if sequence_length < 1:
        raise ValueError(f"sequence_length must be positive, got {sequence_length}.")
    if truncating not in ("pre", "post"):
        raise ValueError(f"truncating must be 'pre' or 'post', got {truncating!r}.")
    texts = [clean_review(text) for text in _as_texts(texts)]
    output = np.zeros((len(texts), sequence_length), dtype=np.int32)
    for start in range(0, len(texts), batch_size):
        ragged = vectorizer(texts[start:start + batch_size])
        ids = np.asarray(ragged.flat_values, dtype=np.int32)
        ends = np.cumsum(np.asarray(ragged.row_lengths()))
        begins = ends - np.asarray(ragged.row_lengths())
        for row, (begin, end) in enumerate(zip(begins, ends), start=start):
            if truncating == "pre":
                begin = max(begin, end - sequence_length)
            else:
                end = min(end, begin + sequence_length)
            output[row, : end - begin] = ids[begin:end]
    return output


def decode(ids: Sequence[int] | np.ndarray, vocabulary: Sequence[str], *, show_padding: bool = False) -> str:
    """Turn token ids back into words (padding dropped unless ``show_padding``)."""
    words = []
    for index in np.asarray(ids).ravel():
        if index == 0 and not show_padding:
            continue
        if not 0 <= index < len(vocabulary):
            raise ValueError(f"Token id {index} is outside the vocabulary of {len(vocabulary)} entries.")
        words.append(vocabulary[index] if index else "[PAD]")
    return " ".join(words)


# -------------------------------------------------------------------- model

def fit_classifier(
    model: Any,
    x_train: np.ndarray,
    y_train: np.ndarray,
    validation_data: tuple[np.ndarray, np.ndarray],
    *,
    name: str,
    epochs: int | None = None,
    early_stopping: bool = True,
    class_weight: dict[int, float] | None = None,
    seed: int = config.SEED,
    verbose: int | str = 0,
    missing: str = "train",
):
    """Train the classifier (the chapter's ``build_model``, :mod:`dlbook.recipes.sentiment`), or load it from the training cache.

    Batches of :data:`BATCH_SIZE`, at most ``epochs`` (default :data:`EPOCHS`)
    epochs, validated after each one. With ``early_stopping`` it stops when
    the validation accuracy stops improving and keeps the best weights.
    ``verbose`` and ``missing`` are passed to :func:`dlbook.training.fit_cached`.

    Returns:
        The :class:`dlbook.training.TrainingRun`.
    """
    import keras

    from dlbook import training

    callbacks = []
    if early_stopping:
        # Accuracy is what the chapter reports; the validation loss often turns
        # upward earlier, when the probabilities grow overconfident.
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=1, restore_best_weights=True
        ))
    return training.fit_cached(
        model, x_train, y_train,
        validation_data=validation_data,
        epochs=settings()["EPOCHS"] if epochs is None else epochs,
        batch_size=BATCH_SIZE,
        class_weight=class_weight,
        callbacks=callbacks,
        seed=seed, name=name, verbose=verbose, missing=missing,
    )


# ------------------------------------------------------------------ predict

def predict_sentiment(
    model: Any,
    vectorizer: Any,
    texts: str | Sequence[str],
    *,
    batch_size: int = 256,
) -> np.ndarray:
    """The model's probability that each text is a positive review.

    Any text works: it is cleaned and vectorized like the training reviews, so
    a very long text is cut to the sequence length, and words the vocabulary
    does not know (other languages, emoji) become ``[UNK]``. A text with no
    tokens at all (empty, or only punctuation) is fully masked; the model then
    answers from its bias alone, the same value for every such text.

    Args:
        model: A trained classifier taking token ids, with one sigmoid output.
        vectorizer: The adapted ``TextVectorization`` the model was trained with.
        texts: One text or a sequence of texts.

    Returns:
        A ``float64`` array of probabilities, one per text.
    """
    token_ids = vectorize(vectorizer, texts)
    if len(token_ids) == 0:
        return np.zeros(0, dtype=np.float64)
    probabilities = model.predict(token_ids, batch_size=batch_size, verbose=0)
    return np.asarray(probabilities, dtype=np.float64).reshape(len(token_ids))


# ------------------------------------------------------------------ metrics

def _check_scores(labels: Any, probabilities: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).ravel()
    probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
    if labels.shape != probabilities.shape:
        raise ValueError(f"labels and probabilities differ in length: {labels.shape} and {probabilities.shape}.")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 (negative) or 1 (positive).")
    return labels.astype(np.int64), probabilities


def threshold_metrics(labels: Any, probabilities: Any, thresholds: Sequence[float] = THRESHOLDS):
    """Precision, recall, F1, accuracy and confusion counts at each decision threshold.

    A review is called positive when its probability is at least the threshold.
    Precision and recall are those of the positive class; a threshold with no
    positive predictions has precision 0 (scikit-learn's ``zero_division=0``).

    Returns:
        A ``pandas.DataFrame`` with one row per threshold and the columns
        ``threshold, precision, recall, f1, accuracy, tn, fp, fn, tp``.
    """
    import pandas as pd
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels, probabilities = _check_scores(labels, probabilities)
    rows = []
    for threshold in thresholds:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"Thresholds must lie in [0, 1], got {threshold}.")
        predictions = (probabilities >= threshold).astype(np.int64)
        precision, recall, f1, _ = precision_recall_fscore_support(
            labels, predictions, average="binary", zero_division=0
        )
        (tn, fp), (fn, tp) = confusion_matrix(labels, predictions, labels=[0, 1])
        rows.append({
            "threshold": float(threshold), "precision": float(precision), "recall": float(recall),
            "f1": float(f1), "accuracy": float((tp + tn) / len(labels)),
            "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
        })
    return pd.DataFrame(rows)


class PrecisionNotReachedWarning(UserWarning):
    """:func:`threshold_for_precision` found no threshold that reaches the target; it returned the most precise one."""


def threshold_for_precision(labels: Any, probabilities: Any, target: float) -> float:
    """The lowest threshold whose precision on ``(labels, probabilities)`` reaches ``target``.

    The lowest such threshold keeps the most recall. Choose it on validation
    data, then report what it gives on the test set.

    A model too weak for the target (one barely trained, as in a smoke test
    with ``DLBOOK_SMOKE_STEPS``) has no such threshold. The function then
    warns (:class:`PrecisionNotReachedWarning`, naming the best precision
    reached) and returns the lowest threshold with the highest precision any
    threshold reaches: the same rule, with the target lowered to what the
    scores allow. Check what it gives with :func:`threshold_metrics`.

    Raises:
        ValueError: if ``target`` is not in (0, 1], or there are no scores.
    """
    import warnings

    from sklearn.metrics import precision_recall_curve

    if not 0.0 < target <= 1.0:
        raise ValueError(f"target precision must lie in (0, 1], got {target}.")
    labels, probabilities = _check_scores(labels, probabilities)
    if len(labels) == 0:
        raise ValueError("No scores to choose a threshold from.")
    precision, _, thresholds = precision_recall_curve(labels, probabilities)
    # precision[i] is the precision at thresholds[i]; the last entry (1.0) has no threshold.
    precision = precision[:-1]
    reached = np.flatnonzero(precision >= target)
    if len(reached) == 0:
        best = float(precision.max())
        warnings.warn(f"No threshold reaches a precision of {target}; the best is {best:.3f}, at threshold "
                      f"{float(thresholds[np.flatnonzero(precision == best)[0]]):.3f}, which is returned.",
                      PrecisionNotReachedWarning, stacklevel=2)
        reached = np.flatnonzero(precision == best)
    return float(thresholds[reached[0]])


def expected_cost(labels: Any, probabilities: Any, thresholds: Sequence[float], *,
                  fp_cost: float, fn_cost: float) -> np.ndarray:
    """The mean cost per review of the decisions at each threshold.

    A false positive costs ``fp_cost``, a false negative ``fn_cost``, a right
    answer nothing; a review is called positive when its probability is at
    least the threshold.
    """
    if fp_cost < 0 or fn_cost < 0 or fp_cost + fn_cost == 0:
        raise ValueError(f"Costs must be non-negative and not both zero, got {fp_cost} and {fn_cost}.")
    labels, probabilities = _check_scores(labels, probabilities)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if ((thresholds < 0) | (thresholds > 1)).any():
        raise ValueError("Thresholds must lie in [0, 1].")
    called = probabilities[None, :] >= thresholds[:, None]  # one row per threshold
    false_positives = (called & (labels == 0)).sum(axis=1)
    false_negatives = (~called & (labels == 1)).sum(axis=1)
    return (fp_cost * false_positives + fn_cost * false_negatives) / len(labels)


def threshold_for_cost(labels: Any, probabilities: Any, *, fp_cost: float, fn_cost: float,
                       thresholds: Sequence[float] = COST_THRESHOLDS) -> float:
    """The threshold of ``thresholds`` with the lowest :func:`expected_cost` on ``(labels, probabilities)``.

    Choose it on validation data, then report its cost on the test set. Of
    equally cheap thresholds the one nearest to the middle of them is taken,
    so a flat stretch of the cost curve does not push the choice to its edge.
    """
    costs = expected_cost(labels, probabilities, thresholds, fp_cost=fp_cost, fn_cost=fn_cost)
    cheapest = np.flatnonzero(np.isclose(costs, costs.min(), rtol=0, atol=1e-12))
    return float(np.asarray(thresholds)[cheapest[len(cheapest) // 2]])


def bootstrap_precision(labels: Any, probabilities: Any, threshold: float, *, resamples: int = 1000,
                        level: float = 0.95, seed: int = config.SEED) -> tuple[float, float]:
    """A percentile bootstrap interval for the precision at ``threshold``.

    The reviews are resampled with replacement (:func:`scipy.stats.bootstrap`),
    so the interval shows how much the precision measured on this many
    reviews moves by chance. It does not include the uncertainty of the
    threshold itself, which was chosen on other data.
    """
    from scipy import stats

    labels, probabilities = _check_scores(labels, probabilities)
    called = probabilities >= threshold
    if not called.any():
        raise ValueError(f"No review reaches the threshold {threshold}: precision is undefined.")

    def precision(y: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        # A resample with no positive call has precision 0, as threshold_metrics counts it.
        return np.sum(y * c, axis=axis) / np.maximum(np.sum(c, axis=axis), 1)

    result = stats.bootstrap((labels, called.astype(np.int64)), precision, paired=True, vectorized=True,
                             n_resamples=resamples, confidence_level=level, method="percentile",
                             batch=100, rng=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def precision_at_prevalence(recall: float, false_positive_rate: float, prevalence: float) -> float:
    """The precision of a threshold with this recall and false-positive rate where positives are ``prevalence`` of all.

    Recall and the false-positive rate are rates within each class, so they
    do not change with the mix; precision mixes the classes:
    ``recall * prevalence / (recall * prevalence + fpr * (1 - prevalence))``.
    """
    for name, value in (("recall", recall), ("false_positive_rate", false_positive_rate)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value}.")
    if not 0.0 < prevalence < 1.0:
        raise ValueError(f"prevalence must lie in (0, 1), got {prevalence}.")
    found = recall * prevalence
    false_alarms = false_positive_rate * (1.0 - prevalence)
    return float(found / (found + false_alarms)) if found + false_alarms > 0 else 0.0


def occlusion_scores(score: Any, text: str) -> tuple[list[str], np.ndarray, float]:
    """How much each word of ``text`` moves its score: drop the word, score again.

    Args:
        score: A function from a list of texts to their probabilities of
            "positive" (for the LSTM, ``lambda texts: predict_sentiment(model,
            vectorizer, texts)``).
        text: One review.

    Returns:
        The words (split on whitespace, after :func:`clean_review`), for each
        word the score of the whole text minus the score without that word
        (positive: the word pushed towards "positive"), and the whole text's
        score. All variants are scored in one call.
    """
    words = clean_review(text).split()
    if not words:
        raise ValueError("The text has no words to drop.")
    variants = [_text_without(words, index) for index in range(len(words))]
    scores = np.asarray(score([" ".join(words), *variants]), dtype=np.float64).ravel()
    if scores.shape != (len(words) + 1,):
        raise ValueError(f"score returned {scores.shape[0]} scores for {len(words) + 1} texts.")
    return words, scores[0] - scores[1:], float(scores[0])


def _text_without(words: Sequence[str], index: int) -> str:
    """The words joined by spaces, with the word at ``index`` left out."""
    return " ".join(word for position, word in enumerate(words) if position != index)


# ----------------------------------------------------------------- baseline

#: The bag-of-words baseline: TF-IDF of words and word pairs (bigrams) seen in at
#: least two training reviews, with sublinear term frequency, fed to an
#: L2-regularised logistic regression.
BASELINE_SETTINGS: dict[str, Any] = {
    "ngram_range": (1, 2), "min_df": 2, "max_df": 0.95, "sublinear_tf": True, "C": 4.0,
}


def build_baseline(settings: dict[str, Any] | None = None):
    """A scikit-learn pipeline ``TfidfVectorizer -> LogisticRegression`` on review text.

    Pass it texts cleaned with :func:`clean_review`; the vectorizer lower-cases
    them and splits them into words of two or more letters and digits.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    settings = {**BASELINE_SETTINGS, **(settings or {})}
    return make_pipeline(
        TfidfVectorizer(
            ngram_range=tuple(settings["ngram_range"]),
            min_df=settings["min_df"], max_df=settings["max_df"], sublinear_tf=settings["sublinear_tf"],
            dtype=np.float32,
        ),
        LogisticRegression(C=settings["C"], max_iter=1000),
    )


#: The NBSVM-style baseline (Wang and Manning, 2012): binary presence of the same
#: words and word pairs as :data:`BASELINE_SETTINGS`, each scaled by its naive
#: Bayes log-count ratio (smoothed with ``alpha``), fed to an L2-regularised
#: logistic regression. ``C`` was chosen on the validation reviews only: of 0.1,
#: 0.3, 1 and 3, C = 1 scored best in the quick profile and within 0.1 points of
#: the best (C = 3) in the full one; the four stay within 0.2 points of each other.
NBSVM_SETTINGS: dict[str, Any] = {
    "ngram_range": (1, 2), "min_df": 2, "max_df": 0.95, "alpha": 1.0, "C": 1.0,
}


class LogCountRatio(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale each count feature by its naive Bayes log-count ratio (the "NB" of NBSVM).

    Fitted on features ``X`` (non-negative counts, usually binary word
    presence) and binary labels ``y``, it computes for each feature::

        p = alpha + sum of the rows of X whose label is positive
        q = alpha + sum of the rows of X whose label is negative
        r = log((p / ||p||_1) / (q / ||q||_1))

    and :meth:`transform` multiplies column ``j`` by ``r[j]``. A word seen
    mostly in positive reviews gets a large positive ``r``, one seen mostly in
    negative reviews a large negative one, and a word common to both a weight
    near zero, so the linear model that follows starts from naive Bayes'
    evidence (Wang and Manning, 2012, "Baselines and Bigrams").

    It is written here because scikit-learn has no such transformer: its
    naive Bayes classifiers only predict. (``r`` equals the difference of the
    two rows of ``MultinomialNB(alpha=alpha).feature_log_prob_``, which the
    tests use to check it.)
    Sparse input stays sparse (a matrix with columns scaled, never densified).

    Args:
        alpha: Additive smoothing of the counts, so a word seen in one class
            only gets a finite ratio.

    Attributes:
        classes_: The two labels; the second (the larger) is "positive".
        log_count_ratio_: ``r``, one ``float64`` per feature.
        n_features_in_: Number of features seen in :meth:`fit`.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X: Any, y: Any):
        """Compute :attr:`log_count_ratio_` from the features ``X`` and binary labels ``y``."""
        import scipy.sparse as sp
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import check_non_negative, validate_data

        if not np.isscalar(self.alpha) or not self.alpha > 0:
            raise ValueError(f"alpha must be a positive number, got {self.alpha!r}.")
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32))
        check_non_negative(X, "LogCountRatio (counts)")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            from dlbook.prose import wording

            raise ValueError(f"LogCountRatio needs exactly two classes, got "
                             f"{wording.count(len(self.classes_), 'class', 'classes')}.")
        positive = np.asarray(y == self.classes_[1])
        X = sp.csr_matrix(X) if sp.issparse(X) else X
        p = self.alpha + np.asarray(X[positive].sum(axis=0), dtype=np.float64).ravel()
        q = self.alpha + np.asarray(X[~positive].sum(axis=0), dtype=np.float64).ravel()
        self.log_count_ratio_ = np.log((p / p.sum()) / (q / q.sum()))
        return self

    def transform(self, X: Any):
        """``X`` with each column multiplied by its log-count ratio (sparse in, sparse CSR out)."""
        import scipy.sparse as sp
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False)
        ratios = self.log_count_ratio_.astype(X.dtype, copy=False)
        if sp.issparse(X):
            return sp.csr_matrix(X @ sp.diags(ratios))
        return X * ratios

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.target_tags.required = True
        return tags


def build_nbsvm_baseline(settings: dict[str, Any] | None = None):
    """A scikit-learn pipeline ``CountVectorizer -> LogCountRatio -> LogisticRegression`` on review text.

    The NBSVM-style baseline beside :func:`build_baseline`, with the same
    tokens (words of two or more letters and digits, lower-cased, and word
    pairs, seen in at least ``min_df`` training reviews): each is counted as
    present or absent (``binary=True``), scaled by its log-count ratio
    (:class:`LogCountRatio`), and the scaled features are fed to a logistic
    regression (``liblinear``). Pass it texts cleaned with :func:`clean_review`.

    Args:
        settings: Overrides of :data:`NBSVM_SETTINGS`.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    settings = {**NBSVM_SETTINGS, **(settings or {})}
    return make_pipeline(
        CountVectorizer(
            ngram_range=tuple(settings["ngram_range"]), min_df=settings["min_df"], max_df=settings["max_df"],
            binary=True, dtype=np.float32,
        ),
        LogCountRatio(alpha=settings["alpha"]),
        LogisticRegression(C=settings["C"], solver="liblinear", max_iter=1000),
    )


def _after_counting(pipeline: Any) -> tuple[dict[str, Any], Any]:
    """Split a baseline pipeline into its word counting and the steps that follow it.

    Both baselines start from a ``CountVectorizer`` (``TfidfVectorizer`` is one
    followed by ``TfidfTransformer``, as scikit-learn documents it). Returns the
    settings of a ``CountVectorizer`` that counts the same tokens, and a
    pipeline that turns those raw counts into the baseline's predictions: a
    ``Binarizer`` for ``binary=True``, then for a ``TfidfVectorizer`` a
    ``TfidfTransformer`` with its settings, then the rest of ``pipeline``.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Binarizer

    vectorizer, rest = pipeline.steps[0][1], [step for _, step in pipeline.steps[1:]]
    if not isinstance(vectorizer, CountVectorizer):
        raise TypeError(f"A baseline starts with a CountVectorizer, not {type(vectorizer).__name__}.")
    counting = {name: value for name, value in vectorizer.get_params().items()
                if name in CountVectorizer().get_params() and name != "binary"}
    after = [Binarizer()] if vectorizer.binary else []
    if isinstance(vectorizer, TfidfVectorizer):
        after.append(TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                      smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf))
    return counting, make_pipeline(*after, *rest)


def baseline_scores(
    train_texts: Sequence[str],
    train_labels: Any,
    score_texts: dict[str, Sequence[str]],
    kinds: Sequence[str] = ("tfidf", "nbsvm"),
    settings: dict[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Fit each baseline of ``kinds`` on the training reviews and score other reviews, with a cache.

    ``"tfidf"`` is :func:`build_baseline` with :data:`BASELINE_SETTINGS`,
    ``"nbsvm"`` :func:`build_nbsvm_baseline` with :data:`NBSVM_SETTINGS`;
    ``settings`` maps a kind to overrides of its defaults. All texts are
    cleaned with :func:`clean_review` first. Each kind's result is cached with
    :func:`dlbook.training.cached_json`, keyed on its settings and the texts,
    so a rebuild does not refit.

    Baselines that count the same words and word pairs share one count: the
    texts are tokenized once (most of a baseline's fitting time on IMDB),
    and each baseline's pipeline continues from those counts. The predictions
    are those of the pipelines themselves (tested).

    Returns:
        ``{kind: {name: probabilities, ..., "seconds": s}}``: for each entry of
        ``score_texts`` the probabilities of "positive" (``float64``), and the
        fitting time of the run that produced them (counting the training
        texts included).
    """
    import time

    from dlbook import training
    from dlbook.prose import wording

    builders = {"tfidf": (build_baseline, BASELINE_SETTINGS), "nbsvm": (build_nbsvm_baseline, NBSVM_SETTINGS)}
    unknown = [kind for kind in kinds if kind not in builders]
    if unknown:
        raise ValueError(f"kind must be {wording.join(map(repr, builders), 'or')}, got {unknown[0]!r}.")
    train_labels = np.asarray(train_labels)
    counted: dict[str, tuple[Any, dict[str, Any], float]] = {}  # Counts by vectorizer settings, this call only.
    texts_key = {
        # The package's code is in every cached_json key; naming the cleaner's
        # own digest says which function the texts went through.
        "cleaning": training.function_digest(clean_review),
        "train": training.fingerprint([list(train_texts), train_labels]),
        "score": {name: training.fingerprint(list(texts)) for name, texts in score_texts.items()},
    }

    def counts(counting: dict[str, Any]) -> tuple[Any, dict[str, Any], float]:
        from sklearn.feature_extraction.text import CountVectorizer

        name = repr(sorted(counting.items()))
        if name not in counted:
            start = time.perf_counter()
            vectorizer = CountVectorizer(**counting)
            train = vectorizer.fit_transform([clean_review(text) for text in train_texts])
            seconds = time.perf_counter() - start
            scored = {key: vectorizer.transform([clean_review(text) for text in texts])
                      for key, texts in score_texts.items()}
            counted[name] = (train, scored, seconds)
        return counted[name]

    output: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        build, defaults = builders[kind]
        kind_settings = {**defaults, **((settings or {}).get(kind) or {})}

        def compute(build=build, kind_settings=kind_settings) -> dict[str, Any]:
            counting, pipeline = _after_counting(build(kind_settings))
            train, scored, counting_seconds = counts(counting)
            start = time.perf_counter()
            pipeline.fit(train, train_labels)
            seconds = counting_seconds + time.perf_counter() - start
            return {"scores": {key: pipeline.predict_proba(features)[:, 1].tolist()
                               for key, features in scored.items()}, "seconds": seconds}

        key = {**texts_key, "settings": {name: repr(value) for name, value in kind_settings.items()}}
        result = training.cached_json(f"sentiment-{kind}-baseline", key, compute)
        output[kind] = {name: np.asarray(values, dtype=np.float64) for name, values in result["scores"].items()}
        output[kind]["seconds"] = float(result["seconds"])
    return output


def baseline_probabilities(
    train_texts: Sequence[str],
    train_labels: Any,
    score_texts: dict[str, Sequence[str]],
    settings: dict[str, Any] | None = None,
    *,
    kind: str = "tfidf",
) -> dict[str, Any]:
    """One baseline of :func:`baseline_scores`: ``kind`` with ``settings`` overriding its defaults.

    Returns:
        ``{name: probabilities}`` for each entry of ``score_texts``, plus
        ``"seconds"``, the fitting time of the run that produced them.
    """
    return baseline_scores(train_texts, train_labels, score_texts, kinds=(kind,),
                           settings={kind: settings or {}})[kind]


# --------------------------------------------------------------- imbalance

def imbalanced_indices(labels: Any, positive_fraction: float, *, seed: int = config.SEED) -> np.ndarray:
    """Indices of a subset that keeps every negative and makes positives ``positive_fraction`` of it.

    Positives are drawn at random (seeded) without replacement; the indices
    are returned in a shuffled order.
    """
    labels = np.asarray(labels).ravel()
    if not 0.0 < positive_fraction < 1.0:
        raise ValueError(f"positive_fraction must lie in (0, 1), got {positive_fraction}.")
    negatives, positives = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    wanted = int(round(len(negatives) * positive_fraction / (1.0 - positive_fraction)))
    if wanted > len(positives):
        raise ValueError(f"Need {wanted} positives for a fraction of {positive_fraction}, have {len(positives)}.")
    rng = np.random.default_rng(seed)
    kept = np.concatenate([negatives, rng.choice(positives, size=wanted, replace=False)])
    return rng.permutation(kept)


def balanced_class_weight(labels: Any) -> dict[int, float]:
    """Class weights ``n / (2 n_class)`` (scikit-learn's ``"balanced"``), for ``model.fit``."""
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(labels).ravel()
    classes = np.unique(labels)
    weights = compute_class_weight("balanced", classes=classes, y=labels)
    return {int(label): float(weight) for label, weight in zip(classes, weights)}


# ------------------------------------------------------------------ figures

def plot_length_distribution(lengths: Sequence[int], sequence_length: int | None = None) -> plt.Figure:
    """Histogram of review lengths in words, with the padding length marked
    (default: the profile's :data:`SEQUENCE_LENGTH`)."""
    if sequence_length is None:
        sequence_length = settings()["SEQUENCE_LENGTH"]
    lengths = np.asarray(lengths)
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    upper = int(np.percentile(lengths, 99))
    ax.hist(np.minimum(lengths, upper), bins=60, color="C0", alpha=0.8)
    kept = float(np.mean(lengths <= sequence_length))
    ax.axvline(sequence_length, color="C3", linestyle="--",
               label=f"sequence length {sequence_length} ({kept:.0%} of reviews fit)")
    ax.set_title("Length of the training reviews")
    ax.set_xlabel(f"words per review (longer than {upper} shown at {upper})")
    ax.set_ylabel("reviews")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion_matrix(labels: Any, probabilities: Any, threshold: float = 0.5, *,
                          title: str = "Confusion matrix") -> plt.Figure:
    """A seaborn heatmap of ``sklearn.metrics.confusion_matrix`` at ``threshold``."""
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    labels, probabilities = _check_scores(labels, probabilities)
    matrix = confusion_matrix(labels, (probabilities >= threshold).astype(np.int64), labels=[0, 1])
    fig, ax = plt.subplots(figsize=(4.6, 3.8))
    names = ["negative", "positive"]
    sns.heatmap(matrix, annot=True, fmt=",d", cmap="Blues", cbar=False, square=True,
                xticklabels=names, yticklabels=names, ax=ax, annot_kws={"size": 13})
    ax.set_title(title)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    fig.tight_layout()
    return fig


def plot_roc_pr(labels: Any, scores: dict[str, Any]) -> plt.Figure:
    """ROC and precision-recall curves side by side, one line per model, AUCs in the legend."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    # One above the other, not side by side: each panel is as wide as a
    # phone's screen allows, with text that stays readable there.
    fig, (roc_ax, pr_ax) = plt.subplots(2, 1, figsize=(6.0, 8.4))
    for name, probabilities in scores.items():
        y, p = _check_scores(labels, probabilities)
        fpr, tpr, _ = roc_curve(y, p)
        roc_ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
        precision, recall, _ = precision_recall_curve(y, p)
        pr_ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(y, p):.3f})")
    roc_ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
    roc_ax.set_title("ROC curve")
    roc_ax.set_xlabel("false positive rate")
    roc_ax.set_ylabel("true positive rate (recall)")
    roc_ax.legend(loc="lower right")
    pr_ax.axhline(float(np.mean(labels)), color="grey", linestyle=":", label="chance")
    pr_ax.set_title("Precision-recall curve")
    pr_ax.set_xlabel("recall")
    pr_ax.set_ylabel("precision")
    pr_ax.set_ylim(0.4, 1.02)
    pr_ax.legend(loc="best")  # frameless legends must not sit on the chance line
    fig.tight_layout()
    return fig


def plot_operating_points(labels: Any, probabilities: Any, thresholds: Sequence[float], *,
                          labels_for_points: Sequence[str] | None = None,
                          title: str = "Operating points on the precision-recall curve") -> plt.Figure:
    """The precision-recall curve with the points that given thresholds pick marked."""
    from sklearn.metrics import precision_recall_curve

    y, p = _check_scores(labels, probabilities)
    precision, recall, _ = precision_recall_curve(y, p)
    table = threshold_metrics(y, p, thresholds)
    fig, ax = plt.subplots(figsize=(6.0, 4.6))
    ax.plot(recall, precision, color="C0", label="LSTM")
    names = labels_for_points or [f"threshold {t:.2f}" for t in thresholds]
    markers = ["o", "s", "^", "D", "v", "P"]
    for index, (row, name) in enumerate(zip(table.itertuples(), names)):
        ax.plot(row.recall, row.precision, linestyle="none", marker=markers[index % len(markers)],
                markersize=9, color=f"C{index + 1}", label=f"{name}: P {row.precision:.2f}, R {row.recall:.2f}")
    ax.set_title(title)
    ax.set_xlabel("recall (share of positive reviews found)")
    ax.set_ylabel("precision (share of positive calls that are right)")
    ax.set_ylim(0.4, 1.02)
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig


def plot_precision_recall_thresholds(labels: Any, probabilities: Any, *, marks: dict[str, float] | None = None,
                                     title: str = "Precision and recall against the threshold") -> plt.Figure:
    """Precision and recall of the positive class as the threshold runs from 0 to 1, with thresholds marked."""
    y, p = _check_scores(labels, probabilities)
    grid = np.linspace(0.0, 1.0, 201)[:-1]  # at 1.0 nothing is called positive
    table = threshold_metrics(y, p, grid)
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    ax.plot(table.threshold, table.precision, color="C0", label="precision")
    ax.plot(table.threshold, table.recall, color="C1", linestyle="--", label="recall")
    for index, (name, threshold) in enumerate((marks or {}).items()):
        ax.axvline(threshold, color=f"C{index + 2}", linestyle=":", label=f"{name} ({threshold:.2f})")
    ax.set_title(title)
    ax.set_xlabel("threshold t (positive when p ≥ t)")
    ax.set_ylabel("precision, recall")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig


def plot_occlusion(cases: dict[str, tuple[Sequence[str], Any, float]], *, top: int = 8,
                   title: str = "Which words moved the decision") -> plt.Figure:
    """One panel per text, stacked: the ``top`` words whose removal moves P(positive) most.

    Args:
        cases: Panel title -> ``(words, changes, probability)``, as
            :func:`occlusion_scores` returns them.
        top: Words shown per text, the largest changes in either direction.
    """
    from dlbook import plotting

    if not cases:
        raise ValueError("No texts to show.")
    heights = [min(top, len(words)) for words, _, _ in cases.values()]
    fig, axes = plt.subplots(len(cases), 1, figsize=(6.0, sum(0.34 * h + 1.0 for h in heights)),
                             gridspec_kw={"height_ratios": [h + 1.5 for h in heights]}, squeeze=False)
    limit = max(float(np.max(np.abs(changes))) for _, changes, _ in cases.values()) * 1.1 or 1.0
    for ax, (name, (words, changes, probability)) in zip(axes[:, 0], cases.items()):
        changes = np.asarray(changes, dtype=np.float64)
        order = np.argsort(-np.abs(changes), kind="stable")[:top][::-1]  # largest at the top
        labels = [f"{words[i]} (word {i + 1})" for i in order]
        ax.barh(labels, changes[order], color=["C0" if changes[i] > 0 else "C3" for i in order])
        ax.axvline(0, color=plotting.INK, linewidth=0.8)
        ax.set_xlim(-limit, limit)
        ax.set_title(f"{name}: P(positive) {probability:.2f}")
    axes[-1, 0].set_xlabel("P(positive) with the word minus without it")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def median_words(lengths: Sequence[int]) -> int:
    """The median review length in whole words, as the intro and chapter 4 both quote it.

    One function and one rounding, so the two pages cannot disagree.
    """
    lengths = np.asarray(lengths)
    if lengths.size == 0:
        raise ValueError("No review lengths given.")
    return int(np.round(np.median(lengths)))


#: Column headers in words for the threshold and imbalance tables (the
#: DataFrames keep short names, which the code reads).
COLUMN_LABELS = {
    "threshold": "threshold", "precision": "precision", "recall": "recall", "f1": "F1",
    "accuracy": "accuracy", "tn": "true negatives", "fp": "false positives",
    "fn": "false negatives", "tp": "true positives", "roc_auc": "ROC AUC",
}

#: The same with the confusion counts as the formulas write them (TP, FP, FN,
#: TN): narrow headers, so the threshold table fits a phone's column.
SHORT_LABELS = {**COLUMN_LABELS, "tn": "TN", "fp": "FP", "fn": "FN", "tp": "TP"}
