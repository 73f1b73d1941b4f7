"""Denoising autoencoders on MNIST (chapter 2): noise, noisy batches, metrics, figures.

Chapter 2 trains chapter 1's dense autoencoder (:mod:`dlbook.autoencoders`) on
noisy digits with clean targets, the *denoising criterion* of Vincent et al.
(2008). This module holds what that chapter needs beyond chapter 1:

* :func:`add_gaussian_noise`, a pure, seeded noise function;
* :class:`NoisyImages`, a ``keras.utils.PyDataset`` that draws fresh noise
  for every batch of every epoch, reproducibly;
* :func:`fit_denoiser`, the chapter's training recipe (also run by
  ``dlbook train denoising``), and the seeds of the fixed validation and test
  noise, :data:`VALIDATION_NOISE_SEED` and :data:`TEST_NOISE_SEED`;
* :func:`ssim` and :func:`score_table`, the comparison metrics (MSE, PSNR and
  SSIM against the clean images);
* :func:`noise_sweep` and :func:`summarize_sweep`, the error-versus-noise-level
  experiment, and :func:`plot_noise_sweep`, its figure;
* :func:`mirror_digits` and :func:`reconstruction_error_auc`, anomaly
  detection by reconstruction error (mirrored digits against real ones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from dlbook import autoencoders, config, training

__all__ = [
    "NOISE_LEVELS",
    "NOISE_STD",
    "NoisyImages",
    "SSIM_FILTER_SIZE",
    "TEST_NOISE_SEED",
    "VALIDATION_NOISE_SEED",
    "add_gaussian_noise",
    "fit_denoiser",
    "mirror_digits",
    "noise_sweep",
    "plot_noise_sweep",
    "predict",
    "reconstruction_error_auc",
    "score_table",
    "ssim",
    "summarize_sweep",
]

#: The noise level the denoiser is trained on: the Keras blog's choice, strong
#: enough that the digits are hard to read.
NOISE_STD = 0.5
#: Noise levels of the sweep, from clean digits to far beyond the training level.
NOISE_LEVELS = tuple(round(0.1 * step, 1) for step in range(10))
#: Seeds of the fixed noise on the validation and test digits (the training
#: noise is drawn from ``config.SEED`` by :class:`NoisyImages`).
VALIDATION_NOISE_SEED = config.SEED + 1
TEST_NOISE_SEED = config.SEED + 2
#: SSIM's Gaussian window: 7 pixels instead of the usual 11, since the digits are only 28 pixels wide.
SSIM_FILTER_SIZE = 7

SeedLike = int | Sequence[int] | None


# ------------------------------------------------------------------- noise

def add_gaussian_noise(
    images: np.ndarray,
    std: float = NOISE_STD,
    *,
    seed: SeedLike = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Add Gaussian noise (mean 0, standard deviation ``std``), clip to [0, 1].

    This is ``np.clip(images + np.random.normal(0, std, images.shape), 0, 1)``
    with NumPy's recommended seeded generator instead of the global one. The
    input is not modified.

    Args:
        images: Pixel values in [0, 1], any shape (flat or 2-D images).
        std: Standard deviation of the noise; 0 returns a copy of ``images``.
        seed: Seed for ``np.random.default_rng`` (an int or a sequence of ints,
            e.g. ``[seed, epoch, batch]``). Ignored when ``rng`` is given.
        rng: A generator to draw from (it advances), for draws in a row.

    Returns:
        An array of the same shape and dtype as ``images``.

    Raises:
        ValueError: if ``std`` is negative or not finite.
    """
    if not (np.isfinite(std) and std >= 0):
        raise ValueError(f"std must be a non-negative number, got {std!r}.")
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1], got dtype "
                         f"{images.dtype}; scale them first.")
    rng = rng if rng is not None else np.random.default_rng(seed)
    noisy = rng.normal(loc=0.0, scale=std, size=images.shape)
    # The same float64 arithmetic as the one-liner above, in place: on 10,000
    # test digits it holds one float64 array instead of three (a notebook's
    # peak memory counts against Binder's 2 GB).
    noisy += images
    np.clip(noisy, 0.0, 1.0, out=noisy)
    return noisy.astype(images.dtype, copy=False)


class NoisyImages(keras.utils.PyDataset):
    """Batches of ``(noisy, clean)`` images with fresh noise in every epoch.

    A fixed noisy copy of the training set would let the model fit that one
    draw of the noise; drawing new noise each epoch shows it a new corrupted
    version of every digit instead. Everything stays reproducible: epoch ``e``
    shuffles the images with the seed ``[seed, e]`` and batch ``b`` of that
    epoch draws its noise with the seed ``[seed, e, b]``, so a batch does not
    depend on the order in which Keras asks for it.

    Args:
        images: Clean images in [0, 1], shape ``(n, ...)``; also the targets.
        std: Standard deviation of the Gaussian noise.
        batch_size: Images per batch (the last batch may be smaller).
        seed: Seed of the shuffling and of the noise.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size`` for
            ``keras.utils.PyDataset``.
    """

    def __init__(self, images: np.ndarray, *, std: float = NOISE_STD,
                 batch_size: int = 256, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size}.")
        if len(images) == 0:
            raise ValueError("images is empty.")
        if not (np.isfinite(std) and std >= 0):
            raise ValueError(
                f"std must be a non-negative number, got {std!r}.")
        self.images = np.asarray(images)
        self.std = float(std)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.epoch = 0
        self._order_epoch = -1
        self._order = np.arange(len(self.images))

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.batch_size)

    def _epoch_order(self) -> np.ndarray:
        if self._order_epoch != self.epoch:
            generator = np.random.default_rng([self.seed, self.epoch])
            self._order = generator.permutation(len(self.images))
            self._order_epoch = self.epoch
        return self._order

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(
                f"batch index {index} out of range for {len(self)} batches.")
        start = index * self.batch_size
        rows = self._epoch_order()[start:start + self.batch_size]
        clean = self.images[rows]
        return self.corrupt(clean, seed=[self.seed, self.epoch, index]), clean

    def corrupt(self, clean: np.ndarray, seed: Sequence[int]) -> np.ndarray:
        """The noisy version of one batch: clipped Gaussian noise.

        Override it to train on another kind of noise; the shuffling, the
        seeding and the epochs stay as they are.
        """
        return add_gaussian_noise(clean, self.std, seed=seed)

    def on_epoch_end(self) -> None:
        """Move on to the next epoch's shuffling and noise."""
        self.epoch += 1

    def describe(self) -> dict[str, Any]:
        """Everything that defines the batches, for ``fit_cached(data_key=)``.

        A ``PyDataset`` cannot be fingerprinted like an array, so the cache
        key is built from the clean images' fingerprint, the settings and the
        code that draws the batches:

        * ``class``: the class's module and name, so a subclass differs;
        * ``corrupt``: where :meth:`corrupt` is defined, and ``code``: the
          digest of the source (comments and docstrings left out) of every
          class from this one down to the instance's, so that a changed
          ``corrupt()`` or a subclass with other noise changes the key even
          under the same name;
        * ``epoch``: the epoch the next batches belong to. Batches are
          seeded per epoch, so training that continues from epoch 8 sees other
          noise than training from epoch 0.
        * every other public number or string attribute (``std``,
          ``batch_size``, ``seed``, and those a subclass adds).
        """
        cls = type(self)
        corrupt = cls.corrupt
        settings = {
            name: value for name, value in sorted(vars(self).items())
            if not name.startswith("_")
            and isinstance(value, (int, float, str, bool, type(None)))
        }
        return {
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "images": training.fingerprint(self.images),
            **settings,
            "corrupt": f"{corrupt.__module__}.{corrupt.__qualname__}",
            "code": [training.function_digest(klass) for klass in cls.__mro__
                     if isinstance(klass, type)
                     and issubclass(klass, NoisyImages)],
        }

    def cache_description(self) -> dict[str, Any]:
        """What training.fit_cached keys on (:meth:`describe`)."""
        return self.describe()


def fit_denoiser(
    model: Any,
    batches: NoisyImages,
    validation_data: tuple[np.ndarray, np.ndarray],
    *,
    name: str,
    epochs: int | None = None,
    verbose: int | str = 0,
    missing: str = "train",
) -> training.TrainingRun:
    """Train a compiled autoencoder to denoise (or load it from the training cache).

    Chapter 1's training call with noisy inputs: ``batches`` of ``(noisy,
    clean)`` training digits with fresh noise in every epoch (a
    :class:`NoisyImages`, or a subclass with other noise), validated on
    ``validation_data``, fixed ``(noisy, clean)`` digits. ``epochs`` defaults
    to chapter 1's :data:`dlbook.autoencoders.EPOCHS`; ``verbose`` and
    ``missing`` go to :func:`dlbook.training.fit_cached`.
    """
    return training.fit_cached(
        model,
        batches,  # (noisy, clean) pairs, with new noise in every epoch.
        validation_data=validation_data,  # Fixed noise, so epochs are comparable.
        # A PyDataset cannot be fingerprinted like an array: name what defines it.
        data_key=training.fingerprint([batches.describe(), *validation_data]),
        epochs=autoencoders.settings()["EPOCHS"] if epochs is None else epochs,
        name=name, seed=batches.seed, verbose=verbose, missing=missing,
    )


# ----------------------------------------------------------------- metrics

def predict(model: Any, images: np.ndarray) -> np.ndarray:
    """A model's outputs for ``images``, quietly and in large batches."""
    return np.asarray(model.predict(images, batch_size=1024, verbose=0))


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2
    window = np.exp(-(offsets**2) / (2 * sigma**2))
    return window / window.sum()


def _filter_valid(images: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Separable filtering of ``(n, height, width)`` images, keeping only full windows."""
    rows = sliding_window_view(images, len(window), axis=1) @ window
    return sliding_window_view(rows, len(window), axis=2) @ window


def ssim(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False,
         image_shape: tuple[int, int] = autoencoders.IMAGE_SHAPE,
         filter_size: int = SSIM_FILTER_SIZE, filter_sigma: float = 1.5,
         max_value: float = 1.0) -> float | np.ndarray:
    """Structural similarity (SSIM) of images, as ``tf.image.ssim`` computes it.

    SSIM compares local means, contrasts and correlations in a Gaussian window
    (Wang et al., 2004); 1 means identical. This NumPy version gives the same
    values as ``tf.image.ssim(..., max_val=max_value, filter_size=filter_size,
    filter_sigma=filter_sigma)`` (the tests check it) but runs several times
    faster on a CPU for many small images, because its window is separable.

    Args:
        target, prediction: Arrays of ``n`` images, flat or ``image_shape``.
        per_image: Return one value per image instead of the mean.
        image_shape: Height and width of one image.
        filter_size: Width of the Gaussian window (:data:`SSIM_FILTER_SIZE`).
        filter_sigma: Standard deviation of the Gaussian window.
        max_value: The largest possible pixel value (the dynamic range).
    """
    # Kept in their own dtype here and made float64 chunk by chunk below: two
    # whole float64 copies of 10,000 test digits would add 125 MB to the peak
    # memory of a notebook that Binder caps at 2 GB.
    target, prediction = np.asarray(target), np.asarray(prediction)
    if target.shape != prediction.shape:
        raise ValueError(f"Shapes differ: {target.shape} and {prediction.shape}.")
    if filter_size > min(image_shape):
        raise ValueError(f"filter_size={filter_size} is larger than the images {image_shape}.")
    shape = (len(target), *image_shape)
    target, prediction = target.reshape(shape), prediction.reshape(shape)
    window = _gaussian_window(filter_size, filter_sigma)
    # Chunks of images keep the temporary filtered arrays small (tens of MB).
    values = np.concatenate([
        _ssim_per_image(target[start:start + 1000].astype(np.float64),
                        prediction[start:start + 1000].astype(np.float64), window, max_value)
        for start in range(0, len(target), 1000)
    ]) if len(target) else np.zeros(0)
    return values if per_image else float(values.mean())


def _ssim_per_image(target: np.ndarray, prediction: np.ndarray, window: np.ndarray,
                    max_value: float) -> np.ndarray:
    # The usual stabilising constants (K1 = 0.01, K2 = 0.03) of Wang et al.
    c1, c2 = (0.01 * max_value) ** 2, (0.03 * max_value) ** 2
    mean_t, mean_p = _filter_valid(target, window), _filter_valid(prediction, window)
    var_t = _filter_valid(target * target, window) - mean_t**2
    var_p = _filter_valid(prediction * prediction, window) - mean_p**2
    covariance = _filter_valid(target * prediction, window) - mean_t * mean_p
    luminance = (2 * mean_t * mean_p + c1) / (mean_t**2 + mean_p**2 + c1)
    contrast_structure = (2 * covariance + c2) / (var_t + var_p + c2)
    return (luminance * contrast_structure).mean(axis=(1, 2))


def score_table(clean: np.ndarray, outputs: Mapping[Any, np.ndarray], *,
                with_ssim: bool = True) -> pd.DataFrame:
    """MSE, PSNR and SSIM of every output against the same clean images.

    Args:
        clean: The clean images, the reference for every score.
        outputs: Name (a string or a tuple, which becomes a multi-level index)
            to images of the same shape as ``clean``.
        with_ssim: Add the SSIM column.

    Returns:
        A DataFrame with one row per output and columns ``MSE``, ``PSNR (dB)``
        and ``SSIM``.
    """
    if not outputs:
        raise ValueError("outputs is empty.")
    rows = {}
    for name, images in outputs.items():
        row = {"MSE": autoencoders.mse(clean, images), "PSNR (dB)": autoencoders.psnr(clean, images)}
        if with_ssim:
            row["SSIM"] = ssim(clean, images)
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    if all(isinstance(name, tuple) for name in outputs):
        table.index = pd.MultiIndex.from_tuples(list(outputs), names=["test input", "output"])
    return table


# ----------------------------------------------------------- noise sweep

def noise_sweep(models: Mapping[str, Any], clean: np.ndarray, levels: Sequence[float] = NOISE_LEVELS,
                *, seed: int = 0, input_name: str = "noisy input") -> pd.DataFrame:
    """Error of every model against the clean images, for noisy inputs at several levels.

    Level ``i`` uses the noise seed ``[seed, i]``, and every model sees the
    very same noisy images at a level. The noisy input itself is scored too
    (as ``input_name``), the baseline of doing nothing.

    Returns:
        A long DataFrame with columns ``std``, ``output``, ``MSE`` and ``PSNR (dB)``.
    """
    if len(levels) == 0:
        raise ValueError("levels is empty.")
    records = []
    for index, std in enumerate(levels):
        noisy = add_gaussian_noise(clean, std, seed=[seed, index])
        outputs = {input_name: noisy, **{name: predict(model, noisy) for name, model in models.items()}}
        for name, images in outputs.items():
            records.append({"std": float(std), "output": name, "MSE": autoencoders.mse(clean, images),
                            "PSNR (dB)": autoencoders.psnr(clean, images)})
    return pd.DataFrame.from_records(records)


def summarize_sweep(sweep: pd.DataFrame, *, model: str, baseline: str, trained_std: float = NOISE_STD,
                    metric: str = "MSE") -> dict[str, Any]:
    """The numbers the prose reads off the sweep (lower ``metric`` is better).

    Returns:
        A dict with ``ratio_at_trained`` (baseline / model error at
        ``trained_std``), ``ratio_at_max`` (the same at the highest level),
        ``wins_from`` (the lowest level from which the model's error stays
        below the baseline's at every higher level, ``None`` if it never does),
        ``growth_beyond`` (model error at the highest level divided by its
        error at ``trained_std``), ``max_std``, ``model_at_trained`` (the
        model's error at ``trained_std``), and ``model_at_zero`` /
        ``baseline_at_zero`` (errors at the lowest level, clean input when it is 0).
    """
    table = sweep.pivot(index="std", columns="output", values=metric).sort_index()
    for name in (model, baseline):
        if name not in table.columns:
            raise ValueError(f"{name!r} is not in the sweep; it has {list(table.columns)}.")
    stds = table.index.to_numpy()
    matches = np.flatnonzero(np.isclose(stds, trained_std))
    if len(matches) == 0:
        raise ValueError(f"trained_std={trained_std} is not one of the sweep's levels {stds.tolist()}.")
    trained = stds[matches[0]]
    wins = (table[model] < table[baseline]).to_numpy()
    wins_from = None
    for position in range(len(stds)):
        if wins[position:].all():
            wins_from = float(stds[position])
            break
    max_std = stds[-1]
    return {
        "ratio_at_trained": float(table.loc[trained, baseline] / table.loc[trained, model]),
        "ratio_at_max": float(table.loc[max_std, baseline] / table.loc[max_std, model]),
        "wins_from": wins_from,
        "growth_beyond": float(table.loc[max_std, model] / table.loc[trained, model]),
        "max_std": float(max_std),
        "model_at_trained": float(table.loc[trained, model]),
        "model_at_zero": float(table[model].iloc[0]),
        "baseline_at_zero": float(table[baseline].iloc[0]),
    }


# ------------------------------------------------------- anomaly detection

def mirror_digits(images: np.ndarray) -> np.ndarray:
    """Flattened 28x28 digits mirrored left to right: strokes like a digit's, shapes unlike any digit's.

    Symmetric digits (a 0, an 8, many 1s) stay close to themselves, so they
    are hard cases for any detector; the input is not modified.
    """
    images = np.asarray(images)
    side = autoencoders.IMAGE_SHAPE
    return images.reshape(len(images), *side)[:, :, ::-1].reshape(len(images), -1).copy()


def reconstruction_error_auc(model: Any, normal: np.ndarray, unusual: np.ndarray) -> dict[str, float]:
    """How well a model's reconstruction error tells ``unusual`` inputs from ``normal`` ones.

    The score of an image is its per-image MSE against the model's output for
    it; the ROC AUC (scikit-learn's ``roc_auc_score``) is the chance that a
    random unusual image scores higher than a random normal one: 1 is a
    perfect detector, 0.5 is chance.

    Args:
        model: Anything :func:`predict` accepts (a Keras model), or a function
            from images to reconstructions.

    Returns:
        ``auc`` and the mean errors ``normal_error`` and ``unusual_error``.
    """
    from sklearn.metrics import roc_auc_score

    reconstruct = model if callable(model) and not hasattr(model, "predict") else (lambda x: predict(model, x))
    normal_errors = autoencoders.mse(normal, reconstruct(normal), per_image=True)
    unusual_errors = autoencoders.mse(unusual, reconstruct(unusual), per_image=True)
    scores = np.concatenate([normal_errors, unusual_errors])
    truth = np.concatenate([np.zeros(len(normal_errors)), np.ones(len(unusual_errors))])
    return {"auc": float(roc_auc_score(truth, scores)), "normal_error": float(normal_errors.mean()),
            "unusual_error": float(unusual_errors.mean())}


def plot_noise_sweep(sweep: pd.DataFrame, *, trained_std: float = NOISE_STD, metric: str = "MSE",
                     reference: str | None = "noisy input",
                     title: str = "Reconstruction error against noise level") -> plt.Figure:
    """One line per output of ``metric`` against the noise level of the test input.

    Args:
        sweep: The long table from :func:`noise_sweep`.
        trained_std: Marked with a dotted vertical line: the level the denoiser was trained on.
        metric: The column to plot.
        reference: The output drawn as a grey dashed reference line (the noisy input).
        title: Figure title.
    """
    from dlbook import plotting

    fig, ax = plt.subplots(figsize=(plotting.MAX_WIDTH, 4.0))
    for name, group in sweep.groupby("output", sort=False):
        group = group.sort_values("std")
        style = {"linestyle": "--", "color": "0.5"} if name == reference else {"linestyle": "-"}
        ax.plot(group["std"], group[metric], marker="o", markersize=4, label=name, **style)
    # In the book's mid grey, not a dark grey that would vanish on a dark page.
    ax.axvline(trained_std, color=plotting.INK, linestyle=":", linewidth=1.2)
    ax.annotate(f"training noise σ = {trained_std:g}", xy=(trained_std, 1.0),
                xycoords=("data", "axes fraction"), xytext=(4, -14), textcoords="offset points",
                fontsize=plotting.MIN_FONT_PT, color=plotting.INK)
    ax.set_title(title)
    ax.set_xlabel("noise standard deviation σ of the test input")
    ax.set_ylabel(f"{metric} against the clean digits")
    ax.legend()
    fig.tight_layout()
    return fig
