"""The book's four trained models, end to end: data, model, cached training, key metric.

Each function here strings together the same library calls as its chapter
(same data split, same seed, same model, same training recipe, same cache
name), so a model trained by ``dlbook train`` is the one the book loads from
the training cache, and the other way round. The command line
(:mod:`dlbook.cli`) and the benchmarks use them; the chapters spell the steps
out instead, because the steps are the lesson.

Every function takes ``missing``: ``"train"`` trains a model that is not in the
cache yet, ``"raise"`` raises :class:`dlbook.training.NotTrainedError`
instead (``dlbook generate`` and ``dlbook sentiment`` only use trained models).

The profile's settings (epochs, training-set sizes) are read when the chapter
modules are first imported: set ``DLBOOK_PROFILE`` before that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlbook import config, training

__all__ = ["PROFILE_DEFAULT", "Trained", "autoencoder", "denoising", "sentiment", "textgen"]

#: Marks "the active profile's value" where ``None`` already means something.
PROFILE_DEFAULT = "profile"


@dataclass
class Trained:
    """A trained (or cache-loaded) model with what is needed to use it.

    Attributes:
        task: The task's command-line name: autoencoder, denoising, textgen or sentiment.
        model: The Keras model, holding the trained weights.
        run: Its :class:`dlbook.training.TrainingRun` (``run.cached`` says
            whether it was loaded).
        settings: The settings that define the model (they form its cache key).
        metrics: The key metrics, measured on held-out data (empty when
            ``evaluate=False``).
        extras: Whatever else using the model needs (a vocabulary, a vectorizer).
    """

    task: str
    model: Any
    run: training.TrainingRun
    settings: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


def _check_positive(**values: Any) -> None:
    """Refuse settings below 1 (``None`` means "the default" and passes)."""
    for name, value in values.items():
        if value is not None and value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value}.")


def autoencoder(
    latent_dim: int = 32,
    *,
    epochs: int | None = None,
    train_size: int | None = None,
    evaluate: bool = True,
    missing: str = "train",
    verbose: int | str = 0,
) -> Trained:
    """Chapter 1's basic autoencoder with a ``latent_dim`` code.

    Metrics (test digits): per-pixel binary cross-entropy, MSE and PSNR.
    """
    from dlbook import autoencoders

    _check_positive(latent_dim=latent_dim, epochs=epochs, train_size=train_size)
    splits = autoencoders.load_mnist_splits(train_size)
    model, _, _, run = autoencoders.fit_basic_autoencoder(
        latent_dim, splits, epochs=epochs, verbose=verbose, missing=missing
    )
    settings = {"latent_dim": latent_dim, "epochs": epochs or autoencoders.EPOCHS,
                "train_size": len(splits.x_train), "profile": config.profile()}
    metrics: dict[str, float] = {}
    if evaluate:
        reconstruction = model.predict(splits.x_test, batch_size=1024, verbose=0)
        scores = autoencoders.reconstruction_scores(splits.x_test, reconstruction)
        metrics = {f"test_{name}": value for name, value in scores.items()}
    return Trained("autoencoder", model, run, settings, metrics)


def denoising(
    latent_dim: int = 32,
    *,
    noise_std: float | None = None,
    epochs: int | None = None,
    train_size: int | None = None,
    evaluate: bool = True,
    missing: str = "train",
    verbose: int | str = 0,
) -> Trained:
    """Chapter 2's denoising autoencoder, trained on Gaussian noise of ``noise_std``.

    Metrics (test digits with noise of the same level, the chapter's seeds):
    MSE and PSNR of the noisy input and of the denoised output against the
    clean digits.
    """
    import keras

    from dlbook import autoencoders
    from dlbook import denoising as chapter

    noise_std = chapter.NOISE_STD if noise_std is None else float(noise_std)
    if not (np.isfinite(noise_std) and noise_std > 0):
        raise ValueError(f"noise_std must be a positive number, got {noise_std}.")
    _check_positive(latent_dim=latent_dim, epochs=epochs, train_size=train_size)
    splits = autoencoders.load_mnist_splits(train_size)
    validation_noisy = chapter.add_gaussian_noise(splits.x_val, noise_std, seed=chapter.VALIDATION_NOISE_SEED)
    keras.utils.set_random_seed(config.SEED)
    model, _, _ = autoencoders.build_autoencoder(latent_dim)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    batches = chapter.NoisyImages(splits.x_train, std=noise_std, batch_size=autoencoders.BATCH_SIZE,
                                  seed=config.SEED)
    run = chapter.fit_denoiser(
        model, batches, (validation_noisy, splits.x_val), epochs=epochs,
        name=f"denoising-autoencoder-{latent_dim}", verbose=verbose, missing=missing,
    )
    settings = {"latent_dim": latent_dim, "noise_std": noise_std, "epochs": epochs or autoencoders.EPOCHS,
                "train_size": len(splits.x_train), "profile": config.profile()}
    metrics: dict[str, float] = {}
    if evaluate:
        test_noisy = chapter.add_gaussian_noise(splits.x_test, noise_std, seed=chapter.TEST_NOISE_SEED)
        denoised = chapter.predict(model, test_noisy)
        metrics = {
            "test_mse_noisy_input": autoencoders.mse(splits.x_test, test_noisy),
            "test_mse_denoised": autoencoders.mse(splits.x_test, denoised),
            "test_psnr_noisy_input": autoencoders.psnr(splits.x_test, test_noisy),
            "test_psnr_denoised": autoencoders.psnr(splits.x_test, denoised),
        }
    return Trained("denoising", model, run, settings, metrics)


def textgen(
    *,
    corpus: str | None = None,
    units: int | None = None,
    epochs: int | None = None,
    train_chars: int | None | str = PROFILE_DEFAULT,
    evaluate: bool = True,
    missing: str = "train",
    verbose: int | str = 0,
) -> Trained:
    """Chapter 3's character-level LSTM.

    Args:
        corpus: ``"shakespeare"`` (the chapter's) or ``"sonnets"``.
        units: LSTM units (default the chapter's :data:`dlbook.textgen.UNITS`).
        train_chars: Train on the first this many characters of the training
            split; ``None`` for all of it; by default the profile's
            :data:`dlbook.textgen.TRAIN_CHARS`.

    Metrics: the validation loss in nats and bits per character, and the
    perplexity. ``extras["vocabulary"]`` holds the vocabulary.
    """
    import keras

    from dlbook import data
    from dlbook import textgen as chapter

    corpus = corpus or chapter.CORPUS
    units = chapter.UNITS if units is None else units
    if train_chars == PROFILE_DEFAULT:
        train_chars = chapter.TRAIN_CHARS
    _check_positive(units=units, epochs=epochs, train_chars=train_chars)
    text = data.load_text(corpus)
    vocabulary = chapter.CharVocabulary.from_text(text)
    train_ids, validation_ids = chapter.encode_splits(text, vocabulary, train_chars=train_chars)  # type: ignore[arg-type]
    keras.utils.set_random_seed(config.SEED)
    model = chapter.build_model(vocabulary.size, units=units)
    run = chapter.fit_model(
        model, train_ids, validation_ids, epochs=epochs or chapter.EPOCHS,
        name="char-lstm" if units == chapter.UNITS else f"char-lstm-{units}",
        verbose=verbose, missing=missing,
    )
    settings = {"corpus": corpus, "units": units, "epochs": epochs or chapter.EPOCHS,
                "train_chars": len(train_ids), "profile": config.profile()}
    metrics: dict[str, float] = {}
    if evaluate:
        nats = run.final("val_loss")  # Keras' validation loss: the mean over the whole held-out text.
        metrics = {"val_nats_per_char": nats, "val_bits_per_char": nats / np.log(2),
                   "val_perplexity": float(np.exp(nats))}
    return Trained("textgen", model, run, settings, metrics, {"vocabulary": vocabulary})


def sentiment(
    *,
    epochs: int | None = None,
    train_size: int | None = None,
    evaluate: bool = True,
    missing: str = "train",
    verbose: int | str = 0,
) -> Trained:
    """Chapter 4's LSTM sentiment classifier.

    Metrics: the best validation accuracy (early stopping keeps those
    weights), and the accuracy at threshold 0.5 on the profile's test
    reviews. ``extras["vectorizer"]`` holds the adapted ``TextVectorization``.
    """
    import keras

    from dlbook import sentiment as chapter

    _check_positive(epochs=epochs, train_size=train_size)
    splits = chapter.load_imdb_splits(train_size)
    # Adapted on the training reviews only, as in the chapter.
    vectorizer = chapter.build_vectorizer(splits.train_texts)
    x_train = chapter.vectorize(vectorizer, splits.train_texts)
    x_val = chapter.vectorize(vectorizer, splits.val_texts)
    keras.utils.set_random_seed(config.SEED)
    model = chapter.build_model()
    run = chapter.fit_classifier(
        model, x_train, splits.train_labels, (x_val, splits.val_labels),
        epochs=epochs, name="sentiment-lstm", verbose=verbose, missing=missing,
    )
    settings = {"epochs": epochs or chapter.EPOCHS, "train_size": len(x_train),
                "sequence_length": chapter.SEQUENCE_LENGTH, "profile": config.profile()}
    metrics: dict[str, float] = {}
    if evaluate:
        probabilities = chapter.predict_sentiment(model, vectorizer, splits.test_texts)
        metrics = {
            "val_accuracy": run.best("val_accuracy", mode="max"),
            "test_accuracy": float(np.mean((probabilities >= 0.5) == splits.test_labels)),
            "test_reviews": float(len(splits.test_texts)),
        }
    return Trained("sentiment", model, run, settings, metrics, {"vectorizer": vectorizer})
