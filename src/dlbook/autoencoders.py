"""Dense autoencoders on MNIST (chapters 1 and 2): data, model, training recipe, metrics.

Chapter 1 (``book/autoencoder.md``) trains its ``build_autoencoder`` (:mod:`dlbook.recipes.autoencoder`) on clean
digits and compares latent sizes; chapter 2 trains the same architecture on
noisy digits (:mod:`dlbook.denoising`). Both use the same split and training
recipe from this module, so the basic autoencoder that chapter 2 compares
against is the very model chapter 1 trained (the training cache hands it over
without retraining).

Beyond the model, the module holds what chapter 1 measures and draws:
reconstruction scores (:func:`reconstruction_scores`), latent interpolation (:func:`interpolate`), per-digit
errors (:func:`per_class_mean`) and the chapter's figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlbook import config, data

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "IMAGE_SHAPE",
    "INPUT_DIM",
    "PROFILE_SIZES",
    "PSNR_CAP",
    "TRAIN_SIZE",
    "VALIDATION_SIZE",
    "MnistSplits",
    "binary_crossentropy",
    "class_accuracy",
    "compression_ratio",
    "dead_units",
    "fit_basic_autoencoder",
    "format_latent_table",
    "interpolate",
    "load_mnist_splits",
    "mse",
    "per_class_mean",
    "plot_architecture",
    "plot_error_vs_latent",
    "plot_latent_projection",
    "plot_per_digit_error",
    "psnr",
    "reconstruction_scores",
    "settings",
    "smallest_size_keeping_class",
    "summarize_trend",
]

#: MNIST digits are 28x28 grey images, flattened to 784 inputs for a dense model.
IMAGE_SHAPE = (28, 28)
INPUT_DIM = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]

#: Epochs, training-set size and Adam's step size per profile. The full
#: profile is the Keras blog's recipe (50 epochs over the 50,000 digits left
#: after validation, Adam's default step size of 0.001). The quick profile
#: trains 5 epochs on the same digits with three times the step size: after 5
#: epochs at 0.002, PCA still won at 128 numbers (test MSE 0.00359 against
#: 0.00340); at 0.003 the autoencoder beats PCA at every latent size, as in the
#: full profile, so both profiles tell the same story.
PROFILE_SIZES: dict[str, dict[str, Any]] = {
    "quick": {"epochs": 5, "train_size": 50_000, "learning_rate": 0.003},
    "full": {"epochs": 50, "train_size": 50_000, "learning_rate": 0.001},
}

#: Large batches keep the 2-core CPU busy; 256 is the Keras blog's choice.
BATCH_SIZE = 256
#: The last 10,000 training digits are held out for validation.
VALIDATION_SIZE = 10_000

#: The profile-dependent constants, read on every access (never frozen at
#: import): ``EPOCHS``, the active profile's epochs, ``TRAIN_SIZE``, its
#: training digits (the first ones of the 50,000 left after validation), and
#: ``LEARNING_RATE``, Adam's step size.
_BY_PROFILE = {
    name.upper(): {profile: sizes[name] for profile, sizes in PROFILE_SIZES.items()}
    for name in ("epochs", "train_size", "learning_rate")
}
__getattr__ = config.profile_settings(__name__, _BY_PROFILE)


def settings() -> dict[str, Any]:
    """The active profile's ``EPOCHS``, ``TRAIN_SIZE`` and ``LEARNING_RATE``, read now."""
    return {name: config.pick(**values) for name, values in _BY_PROFILE.items()}


@dataclass(frozen=True)
class MnistSplits:
    """MNIST flattened to ``float32`` vectors in [0, 1], split three ways.

    The validation digits come from the end of the official training set; the
    test set is only used for the final numbers.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_mnist_splits(train_size: int | None = None) -> MnistSplits:
    """Load MNIST through :func:`dlbook.data.load_mnist`, scale to [0, 1] and flatten.

    Args:
        train_size: How many training digits to keep (default: the profile's
            :data:`TRAIN_SIZE`); always the first ones, so runs are comparable.
    """
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    train_size = settings()["TRAIN_SIZE"] if train_size is None else train_size

    def flat(images: np.ndarray) -> np.ndarray:
        # One float32 copy, divided in place: `astype(...) / 255` would hold a
        # second copy of 50,000 digits (157 MB) for a moment, and the peak
        # memory of a notebook is what Binder's 2 GB limit counts.
        pixels = images.reshape(len(images), INPUT_DIM).astype(np.float32)
        pixels /= np.float32(255.0)
        return pixels

    split = len(x_train) - VALIDATION_SIZE
    return MnistSplits(
        x_train=flat(x_train[:split][:train_size]), y_train=y_train[:split][:train_size],
        x_val=flat(x_train[split:]), y_val=y_train[split:],
        x_test=flat(x_test), y_test=y_test,
    )


def fit_basic_autoencoder(latent_dim: int, splits: MnistSplits, *, seed: int = config.SEED,
                          epochs: int | None = None, verbose: int | str = 0, missing: str = "train"):
    """Build, compile and train (or load from the cache) the basic autoencoder.

    This is chapter 1's recipe: its ``build_autoencoder`` cell, exported to
    :mod:`dlbook.recipes.autoencoder` (Adam at :data:`LEARNING_RATE`, per-pixel binary cross-entropy), clean
    digits in and out, ``epochs`` (default :data:`EPOCHS`) epochs of
    :data:`BATCH_SIZE`, validated on the held-out digits. Chapter 2 and
    ``dlbook train autoencoder`` call it to get the very same model;
    ``verbose`` and ``missing`` go to :func:`dlbook.training.fit_cached`.

    Returns:
        ``(autoencoder, encoder, decoder, run)`` where ``run`` is the
        :class:`dlbook.training.TrainingRun`.
    """
    import keras

    from dlbook import training
    from dlbook.recipes import autoencoder as recipe

    keras.utils.set_random_seed(seed)
    autoencoder, encoder, decoder = recipe.build_autoencoder(latent_dim)  # chapter 1's cell, compiled
    run = training.fit_cached(
        autoencoder, splits.x_train, splits.x_train,
        validation_data=(splits.x_val, splits.x_val),
        epochs=settings()["EPOCHS"] if epochs is None else epochs, batch_size=BATCH_SIZE, seed=seed,
        name=f"autoencoder-{latent_dim}", verbose=verbose, missing=missing,
    )
    return autoencoder, encoder, decoder, run


# ------------------------------------------------------------------ metrics
# Per-image metrics against clean targets, on arrays with values in [0, 1].

def _per_image(values: np.ndarray) -> np.ndarray:
    return values.reshape(len(values), -1)


#: Images per chunk in the metrics: float64 copies of all 10,000 test images at
#: once would cost hundreds of MB (Binder gives 2 GB), chunks a few MB.
_CHUNK = 1000


def _per_image_mean(function: Any, target: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """``function(target, prediction)`` pixel-wise in float64, averaged per image, chunk by chunk."""
    target, prediction = np.asarray(target), np.asarray(prediction)
    if target.shape != prediction.shape:
        raise ValueError(f"Shapes differ: {target.shape} and {prediction.shape}.")
    target, prediction = _per_image(target), _per_image(prediction)
    return np.concatenate([
        function(target[start:start + _CHUNK].astype(np.float64),
                 prediction[start:start + _CHUNK].astype(np.float64)).mean(axis=1)
        for start in range(0, len(target), _CHUNK)
    ]) if len(target) else np.zeros(0)


def mse(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False) -> float | np.ndarray:
    """Mean squared error; per image if ``per_image``, else the mean over all pixels."""
    errors = _per_image_mean(lambda t, p: (t - p) ** 2, target, prediction)
    return errors if per_image else float(errors.mean())


def binary_crossentropy(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False,
                        epsilon: float = 1e-7) -> float | np.ndarray:
    """Pixel-wise binary cross-entropy (in nats), averaged like Keras' loss."""

    def losses(t: np.ndarray, p: np.ndarray) -> np.ndarray:
        p = np.clip(p, epsilon, 1 - epsilon)
        return -(t * np.log(p) + (1 - t) * np.log(1 - p))

    per = _per_image_mean(losses, target, prediction)
    return per if per_image else float(per.mean())


#: PSNR of a perfect reconstruction is infinite; it is reported as this cap.
PSNR_CAP = 100.0


def psnr(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False,
         max_value: float = 1.0) -> float | np.ndarray:
    """Peak signal-to-noise ratio in dB, ``10 log10(max^2 / MSE)``, averaged over images.

    Identical images give :data:`PSNR_CAP` rather than infinity.
    """
    errors = np.asarray(mse(target, prediction, per_image=True))
    with np.errstate(divide="ignore"):
        values = np.where(errors > 0, 10 * np.log10(max_value**2 / np.maximum(errors, 1e-300)), PSNR_CAP)
    values = np.minimum(values, PSNR_CAP)
    return values if per_image else float(values.mean())


def reconstruction_scores(target: np.ndarray, reconstruction: np.ndarray) -> dict[str, float]:
    """The three scores of chapter 1's tables: mean per-pixel BCE, MSE and PSNR (dB).

    The BCE is the per-pixel mean, the same number Keras reports as the loss.
    """
    return {
        "bce": binary_crossentropy(target, reconstruction),
        "mse": mse(target, reconstruction),
        "psnr": psnr(target, reconstruction),
    }


def compression_ratio(latent_dim: int, input_dim: int = INPUT_DIM) -> float:
    """How many input numbers each code number stands for (784 / 32 = 24.5)."""
    if latent_dim < 1 or input_dim < 1:
        raise ValueError(f"Sizes must be positive, got latent_dim={latent_dim}, input_dim={input_dim}.")
    return input_dim / latent_dim


def per_class_mean(values: np.ndarray, labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Mean of ``values`` for each class ``0 .. num_classes - 1`` (NaN for an absent class)."""
    values, labels = np.asarray(values, np.float64), np.asarray(labels)
    if values.shape != labels.shape:
        raise ValueError(f"values and labels must have the same shape, got {values.shape} and {labels.shape}.")
    sums = np.bincount(labels, weights=values, minlength=num_classes)[:num_classes]
    counts = np.bincount(labels, minlength=num_classes)[:num_classes]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def dead_units(codes: np.ndarray) -> int:
    """How many code units are zero for every row of ``codes`` (ReLU units that never fire)."""
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"codes must be a 2-D array (examples, units), got shape {codes.shape}.")
    return int(np.sum(np.all(codes == 0, axis=0)))


def interpolate(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` points on the straight line from ``start`` to ``end``, both included.

    Returns:
        An array of shape ``(steps, *start.shape)``.
    """
    start, end = np.asarray(start, np.float32), np.asarray(end, np.float32)
    if start.shape != end.shape:
        raise ValueError(f"start and end must have the same shape, got {start.shape} and {end.shape}.")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two end points), got {steps}.")
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32).reshape(-1, *([1] * start.ndim))
    return (1 - weights) * start + weights * end


# ------------------------------------------------------------------ do reconstructions keep their class?

def class_accuracy(predict: Any, labels: np.ndarray, images_by_name: Mapping[Any, np.ndarray]) -> dict[Any, float]:
    """How often a classifier reads each set of images as the class in ``labels``.

    Args:
        predict: A function from images to class scores, one row per image
            (``classifier.predict``); the highest score is the class read.
        labels: The true class of every image.
        images_by_name: Name (``"original"``, a latent size) to images in the
            order of ``labels``: the originals and their reconstructions.

    Returns:
        Name to accuracy, a share in [0, 1].
    """
    labels = np.asarray(labels)
    accuracy = {}
    for name, images in images_by_name.items():
        if len(images) != len(labels):
            raise ValueError(f"{name!r} holds {len(images)} images for {len(labels)} labels.")
        read = np.argmax(np.asarray(predict(images)), axis=1)
        accuracy[name] = float(np.mean(read == labels))
    return accuracy


def smallest_size_keeping_class(accuracy_by_size: Mapping[int, float], original_accuracy: float, *,
                                tolerance: float = 0.01) -> int | None:
    """The smallest latent size from which every larger code keeps the class about as often as the originals.

    A size keeps the class when the accuracy on its reconstructions is at
    most ``tolerance`` (a share: 0.01 is one percentage point) below
    ``original_accuracy``. Requiring every larger size to keep it too makes
    the answer a threshold, not a lucky size in the middle of the sweep.

    Returns:
        That size, or ``None`` when even the largest code falls short.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must not be negative, got {tolerance}.")
    answer = None
    for size in sorted(accuracy_by_size, reverse=True):
        if accuracy_by_size[size] < original_accuracy - tolerance:
            break
        answer = size
    return answer


# ------------------------------------------------------------------ tables and figures

_SCORE_LABELS = {"bce": "test BCE", "mse": "test MSE", "psnr": "test PSNR (dB)"}


def format_latent_table(table: Any) -> Any:
    """Style chapter 1's latent-size table (a ``pandas.DataFrame`` indexed by latent size) for display.

    The latent size becomes the first column and the index is hidden, so
    the key column leads and no row numbers take up the narrow column of a
    phone. Known columns get readable names and number formats; others are
    shown as they are.
    """
    formats = {"parameters": "{:,}", "compression": "{:.1f}x", "bce": "{:.4f}", "mse": "{:.4f}",
               "psnr": "{:.2f}", "seconds": "{:.1f}"}
    names = {**_SCORE_LABELS, "seconds": "training time (s)", "compression": "compression"}
    flat = table.rename_axis("latent size").reset_index()
    styled = flat.style.format({column: fmt for column, fmt in formats.items() if column in flat.columns})
    return styled.hide(axis="index").relabel_index([names.get(column, column) for column in flat.columns], axis=1)


def plot_architecture(latent_dim: int = 32, input_dim: int = INPUT_DIM, *,
                      title: str = "A dense autoencoder: encoder, bottleneck, decoder"):
    """A diagram of the chapter's model: input, encoder, code (the bottleneck), decoder, output.

    Each layer is a bar whose height grows with its width in numbers (on a
    square-root scale, so that a 32-number code stays visible beside 784
    pixels); the two Dense layers are the trapezoids between the bars.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle

    from dlbook import plotting

    fig, ax = plt.subplots(figsize=(plotting.MAX_WIDTH, 3.3))
    tallest = np.sqrt(input_dim)

    def height(width: int) -> float:
        return 2.4 * np.sqrt(width) / tallest

    bars = [(0.6, input_dim, "input\n{n} pixels"), (3.0, latent_dim, "code\n{n} numbers"),
            (5.4, input_dim, "output\n{n} pixels")]
    bar_width = 0.45
    for x, width, label in bars:
        half = height(width) / 2
        colour = "C1" if width == latent_dim else "C0"
        ax.add_patch(Rectangle((x - bar_width / 2, -half), bar_width, 2 * half, color=colour, alpha=0.85))
        ax.text(x, -1.35, label.format(n=f"{width:,}"), ha="center", va="top", fontsize=plotting.MIN_FONT_PT)
    for (x0, w0, _), (x1, w1, _), name in zip(bars, bars[1:], ("encoder\nDense, ReLU", "decoder\nDense, sigmoid")):
        left, right = x0 + bar_width / 2 + 0.08, x1 - bar_width / 2 - 0.08
        h0, h1 = height(w0) / 2, height(w1) / 2
        ax.add_patch(Polygon([(left, -h0), (right, -h1), (right, h1), (left, h0)], closed=True,
                             facecolor="C0", alpha=0.25, edgecolor=plotting.INK))
        ax.text((left + right) / 2, 0, name, ha="center", va="center", fontsize=plotting.MIN_FONT_PT)
    ax.annotate("bottleneck", xy=(3.0, height(latent_dim) / 2 + 0.05), xytext=(3.0, 1.45), ha="center",
                fontsize=plotting.MIN_FONT_PT, color=plotting.INK,
                arrowprops={"arrowstyle": "->", "color": plotting.INK})
    ax.set_xlim(0, 6)
    ax.set_ylim(-2.15, 1.8)
    ax.set_axis_off()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_error_vs_latent(
    table: Any,
    baseline: Any | None = None,
    *,
    metrics: Sequence[str] = ("bce", "mse", "psnr"),
    label: str = "autoencoder",
    baseline_label: str = "PCA",
    title: str = "Reconstruction error against latent size",
):
    """One panel per metric: test score against latent size, optionally beside a baseline.

    Args:
        table: A ``pandas.DataFrame`` indexed by latent size with a column per metric.
        baseline: The same for a baseline (e.g. PCA with as many components).
        metrics: Columns to draw.
        label, baseline_label: Legend entries.
        title: Figure title.
    """
    import matplotlib.pyplot as plt

    from dlbook import plotting

    # Side by side for two panels; three or more are stacked, so that each
    # panel stays wide enough for readable text on a phone.
    stacked = len(metrics) > 2
    shape = (len(metrics), 1) if stacked else (1, len(metrics))
    figsize = (plotting.MAX_WIDTH, 2.4 * len(metrics) + 0.4) if stacked else (plotting.MAX_WIDTH, 3.4)
    fig, axes = plt.subplots(*shape, figsize=figsize, squeeze=False)
    for ax, metric in zip(axes.ravel(), metrics):
        sizes = np.asarray(table.index, dtype=float)
        ax.plot(sizes, table[metric], "-o", label=label)
        if baseline is not None:
            ax.plot(np.asarray(baseline.index, dtype=float), baseline[metric], "--s", label=baseline_label)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(int(size)) for size in sizes])
        ax.minorticks_off()
        ax.set_xlabel("latent size")
        ax.set_ylabel(_SCORE_LABELS.get(metric, metric))
        better = "higher is better" if metric == "psnr" else "lower is better"
        ax.set_title(f"{metric.upper()} ({better})", fontsize=11)
    axes[0][0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_per_digit_error(
    errors: Sequence[float],
    *,
    title: str = "Reconstruction error per digit",
    ylabel: str = "mean test MSE per image",
):
    """A bar per digit 0-9 of a per-digit error, the highest bar highlighted."""
    import matplotlib.pyplot as plt

    errors = np.asarray(errors, np.float64)
    fig, ax = plt.subplots(figsize=(6.0, 3.4))
    colours = ["C3" if index == np.nanargmax(errors) else "C0" for index in range(len(errors))]
    ax.bar(np.arange(len(errors)), errors, color=colours)
    ax.set_xticks(np.arange(len(errors)))
    ax.set_xlabel("digit")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_latent_projection(
    points: np.ndarray,
    labels: np.ndarray,
    *,
    title: str = "Test codes projected to two dimensions",
    xlabel: str = "first principal component",
    ylabel: str = "second principal component",
):
    """Scatter 2-D points (e.g. codes projected by PCA), coloured by digit."""
    import matplotlib.pyplot as plt

    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"points must have shape (n, 2) matching {len(labels)} labels, got {points.shape}.")
    fig, ax = plt.subplots(figsize=(6.0, 5.0))
    colours = plt.get_cmap("tab10")
    for digit in np.unique(labels):
        chosen = labels == digit
        ax.scatter(points[chosen, 0], points[chosen, 1], s=6, alpha=0.6, color=colours(int(digit) % 10),
                   label=str(digit))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(title="digit", markerscale=2.5, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def summarize_trend(values: Mapping[int, float], *, lower_is_better: bool = True) -> dict[str, Any]:
    """Describe how a score changes with the latent size, in words computed from the numbers.

    Args:
        values: Score per latent size.
        lower_is_better: ``True`` for errors, ``False`` for PSNR.

    Returns:
        ``monotone`` (bool: better at every larger size), ``gains`` (the
        improvement at each step, as a list), ``diminishing`` (bool: every
        step gains less than the one before).
    """
    sizes = sorted(values)
    scores = np.array([values[size] for size in sizes], np.float64)
    gains = (scores[:-1] - scores[1:]) if lower_is_better else (scores[1:] - scores[:-1])
    return {
        "monotone": bool(np.all(gains > 0)),
        "gains": gains.tolist(),
        "diminishing": bool(len(gains) > 1 and np.all(np.diff(gains) < 0)),
    }
