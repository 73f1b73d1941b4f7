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

The profile's settings (epochs, training-set sizes) are read when a function
is called.

:func:`sentiment_reader` answers ``dlbook sentiment`` without TensorFlow: the
trained classifier is small enough to run in NumPy, from its cache entry and
the vocabulary :func:`sentiment` saves next to it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlbook import config, lstm, training

__all__ = [
    "PROFILE_DEFAULT",
    "SentimentReader",
    "Trained",
    "autoencoder",
    "denoising",
    "minimum_text_length",
    "read_training_text",
    "sentiment",
    "sentiment_reader",
    "textgen",
]

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
    from dlbook.recipes import autoencoder as recipe

    noise_std = chapter.NOISE_STD if noise_std is None else float(noise_std)
    if not (np.isfinite(noise_std) and noise_std > 0):
        raise ValueError(f"noise_std must be a positive number, got {noise_std}.")
    _check_positive(latent_dim=latent_dim, epochs=epochs, train_size=train_size)
    splits = autoencoders.load_mnist_splits(train_size)
    validation_noisy = chapter.add_gaussian_noise(splits.x_val, noise_std, seed=chapter.VALIDATION_NOISE_SEED)
    keras.utils.set_random_seed(config.SEED)
    model, _, _ = recipe.build_autoencoder(latent_dim)  # chapter 1's cell, compiled as there
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


def minimum_text_length() -> int:
    """The fewest characters a text needs for chapter 3's recipe to train on it.

    Training drops the last, short batch, so the training part (the text less
    the held-out validation and test parts) must fill one batch of windows,
    and each held-out part one window.
    """
    from dlbook import textgen as chapter

    window = chapter.SEQUENCE_LENGTH + 1
    length = int(chapter.BATCH_SIZE * window / (1 - chapter.VALIDATION_FRACTION - chapter.TEST_FRACTION))
    while True:
        train_text, validation_text, test_text = chapter.split_text("x" * length)
        if len(train_text) >= chapter.BATCH_SIZE * window and min(len(validation_text), len(test_text)) >= window:
            return length
        length += 1


def read_training_text(path: str | os.PathLike[str], train_chars: int | None = None) -> str:
    """Read a reader's own UTF-8 text file for :func:`textgen`, refusing one it cannot train on.

    Args:
        path: The text file.
        train_chars: The first this many training characters will be used
            (``None``: all); they too must fill one batch.

    Raises:
        dlbook.data.DataError: the file is missing, empty, binary, not UTF-8,
            or too short (``reason="too short"``) for one training batch.
    """
    from dlbook import data
    from dlbook import textgen as chapter

    text = data.read_text_file(path)
    needed = minimum_text_length()
    batch = chapter.BATCH_SIZE * (chapter.SEQUENCE_LENGTH + 1)
    if len(text) < needed:
        raise data.DataError(
            f"{path} is too short to train on: {len(text):,} characters, and chapter 3's recipe needs at least "
            f"{needed:,} (one batch of {chapter.BATCH_SIZE} windows of {chapter.SEQUENCE_LENGTH + 1} characters, "
            f"and a tenth held out for validation).", reason="too short")
    if train_chars is not None and train_chars < batch:
        raise data.DataError(
            f"Training on the first {train_chars:,} characters is too few: one batch of "
            f"{chapter.BATCH_SIZE} windows needs {batch:,}.", reason="too short")
    return text


def _text_name(path: str | os.PathLike[str]) -> str:
    """The file's name as it appears in a cache entry's name: ``little-prince`` for ``Little Prince.txt``."""
    slug = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")
    return slug[:40] or "text"


def textgen(
    *,
    corpus: str | None = None,
    text_file: str | os.PathLike[str] | None = None,
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
        text_file: Train on this UTF-8 text file instead of a corpus (see
            :func:`read_training_text`). The data is part of the cache key,
            and the file's name is part of the entry's name
            (``char-lstm-little-prince-<key>``).
        units: LSTM units (default the chapter's :data:`dlbook.textgen.UNITS`).
        train_chars: Train on the first this many characters of the training
            split; ``None`` for all of it; by default the profile's
            :data:`dlbook.textgen.TRAIN_CHARS`.

    Metrics: the validation loss in nats and bits per character, and the
    perplexity (the settings were chosen on it); the test loss, the chapter's
    headline, in nats and bits per character. Both are Keras' loss over
    windows of :data:`dlbook.textgen.SEQUENCE_LENGTH` characters, each read
    from a zero state. ``extras["vocabulary"]`` holds the vocabulary and
    ``extras["prompt"]`` a prompt to start generating from: ``"ROMEO:\\n"``
    for a corpus, the first line (at most 40 characters) of a text file.
    """
    from dlbook import data
    from dlbook import textgen as chapter

    if corpus is not None and text_file is not None:
        raise ValueError("Give a corpus or a text file, not both.")
    units = chapter.UNITS if units is None else units
    if train_chars == PROFILE_DEFAULT:
        train_chars = chapter.TRAIN_CHARS
    _check_positive(units=units, epochs=epochs, train_chars=train_chars)
    name = "char-lstm" if units == chapter.UNITS else f"char-lstm-{units}"
    if text_file is not None:
        # Read and checked before TensorFlow starts: a refusal comes at once.
        text = read_training_text(text_file, train_chars)  # type: ignore[arg-type]
        source, name = str(text_file), f"{name}-{_text_name(text_file)}"
        prompt = next(line.strip() for line in text.splitlines() if line.strip())[:40]
    else:
        source = corpus = corpus or chapter.CORPUS
        text = data.load_text(corpus)
        prompt = "ROMEO:\n"

    import keras

    from dlbook.recipes import text_generation as recipe

    epochs = epochs or chapter.EPOCHS
    vocabulary = chapter.CharVocabulary.from_text(text)
    train_ids, validation_ids, test_ids = chapter.encode_splits(text, vocabulary, train_chars=train_chars)  # type: ignore[arg-type]
    keras.utils.set_random_seed(config.SEED)
    model = recipe.build_model(vocabulary.size, units)  # chapter 3's cell
    # Compiled by chapter 3's compile_model cell, then trained as there.
    run = chapter.fit_model(model, train_ids, validation_ids, epochs=epochs, name=name,
                            verbose=verbose, missing=missing)
    settings = {"text" if text_file is not None else "corpus": source, "units": units, "epochs": epochs,
                "train_chars": len(train_ids), "profile": config.profile()}
    metrics: dict[str, float] = {}
    if evaluate:
        nats = run.final("val_loss")  # Keras' validation loss: the mean over the whole validation text.
        test_nats = float(model.evaluate(chapter.make_dataset(test_ids), verbose=0))
        metrics = {"val_nats_per_char": nats, "val_bits_per_char": nats / np.log(2),
                   "val_perplexity": float(np.exp(nats)),
                   "test_nats_per_char": test_nats, "test_bits_per_char": test_nats / np.log(2)}
    return Trained("textgen", model, run, settings, metrics, {"vocabulary": vocabulary, "prompt": prompt})


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
    from dlbook.recipes import sentiment as recipe

    _check_positive(epochs=epochs, train_size=train_size)
    splits = chapter.load_imdb_splits(train_size)
    # Adapted on the training reviews only, as in the chapter.
    vectorizer = chapter.build_vectorizer(splits.train_texts)
    x_train = chapter.vectorize(vectorizer, splits.train_texts)
    x_val = chapter.vectorize(vectorizer, splits.val_texts)
    keras.utils.set_random_seed(config.SEED)
    model = recipe.build_model(chapter.VOCAB_SIZE)  # chapter 4's cell, compiled as there
    run = chapter.fit_classifier(
        model, x_train, splits.train_labels, (x_val, splits.val_labels),
        epochs=epochs, name="sentiment-lstm", verbose=verbose, missing=missing,
    )
    settings = {"epochs": epochs or chapter.EPOCHS, "train_size": len(x_train),
                "sequence_length": chapter.SEQUENCE_LENGTH, "profile": config.profile()}
    _save_reader_vocabulary(run, model, vectorizer, epochs=epochs, train_size=train_size)
    metrics: dict[str, float] = {}
    if evaluate:
        probabilities = chapter.predict_sentiment(model, vectorizer, splits.test_texts)
        metrics = {
            "val_accuracy": run.best("val_accuracy", mode="max"),
            "test_accuracy": float(np.mean((probabilities >= 0.5) == splits.test_labels)),
            "test_reviews": float(len(splits.test_texts)),
        }
    return Trained("sentiment", model, run, settings, metrics, {"vectorizer": vectorizer})


# ------------------------------------------------- sentiment without TensorFlow
# Starting TensorFlow takes about 3 s of CPU on its own, and finding the cache
# entry the usual way means reading the IMDB archive and adapting the
# vectorizer (the data is part of the key): about 11 s for one review. The
# classifier is an embedding, one LSTM and one sigmoid unit, so NumPy runs it
# in milliseconds from the entry's weights and the vocabulary saved next to
# them. The vocabulary file is found by a key of everything the model's cache
# key depends on, with the IMDB file's size and time in place of its content.

#: The vectorizer and model layout the NumPy reader reproduces; any other is left to Keras.
_READER_VECTORIZER = {"standardize": "lower_and_strip_punctuation", "split": "whitespace",
                      "output_mode": "int", "ngrams": None}
_READER_LAYERS = ("Embedding", "LSTM", "Dense")
#: TextVectorization's standardisation: ASCII letters lower-cased, ASCII
#: punctuation removed (its regular expression), ASCII whitespace splits.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_ASCII_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")


def _library_versions() -> dict[str, str | None]:
    """Installed Keras and TensorFlow versions, read without importing them."""
    versions: dict[str, str | None] = {}
    for name in ("keras", "tensorflow", "tensorflow-cpu"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _sentiment_lookup_key(epochs: int | None, train_size: int | None) -> str | None:
    """What the sentiment model's cache key depends on, readable without the data; ``None`` without IMDB."""
    from dlbook import data
    from dlbook import sentiment as chapter

    try:
        archive = data.dataset_path("imdb").resolve()
        stat = archive.stat()
    except OSError:
        return None
    return training.fingerprint({
        "name": "sentiment-lstm", "epochs": epochs or chapter.EPOCHS,
        "train_size": chapter.TRAIN_SIZE if train_size is None else train_size,
        "sequence_length": chapter.SEQUENCE_LENGTH, "profile": config.profile(), "seed": config.SEED,
        "code": training.code_digest(), "versions": _library_versions(),
        "imdb": [str(archive), stat.st_size, stat.st_mtime_ns],
    })


def _reader_file(entry: Path, lookup_key: str) -> Path:
    return entry / f"vectorizer-{lookup_key[:16]}.json"


def _save_reader_vocabulary(run: training.TrainingRun, model: Any, vectorizer: Any, *,
                            epochs: int | None, train_size: int | None) -> None:
    """Save the vocabulary next to the model's cache entry, for :func:`sentiment_reader`.

    Only for the layout the reader reproduces, and only once per entry and
    lookup key; a file that cannot be written just leaves the slow path.
    """
    from dlbook import sentiment as chapter

    lookup_key = _sentiment_lookup_key(epochs, train_size)
    if lookup_key is None or not (run.path / "model.weights.h5").is_file():
        return
    file = _reader_file(run.path, lookup_key)
    if file.is_file():
        return
    vectorizer_config = vectorizer.get_config()
    if any(vectorizer_config.get(name) != value for name, value in _READER_VECTORIZER.items()):
        return
    layers = model.layers
    if tuple(type(layer).__name__ for layer in layers) != _READER_LAYERS:
        return
    embedding, lstm, dense = (layer.get_config() for layer in layers)
    if not (embedding["mask_zero"] and lstm["activation"] == "tanh" and lstm["recurrent_activation"] == "sigmoid"
            and lstm["use_bias"] and not lstm["return_sequences"] and not lstm["go_backwards"]
            and dense["activation"] == "sigmoid" and dense["units"] == 1):
        return
    content = {"lookup_key": lookup_key, "model_key": run.key, "vocabulary": vectorizer.get_vocabulary(),
               "sequence_length": chapter.SEQUENCE_LENGTH, "truncating": chapter.TRUNCATING}
    try:
        temporary = file.with_name(f".{file.name}.{os.getpid()}")
        temporary.write_text(json.dumps(content))
        os.replace(temporary, file)
    except OSError:
        pass


class SentimentReader:
    """Chapter 4's trained classifier run in NumPy: the same probabilities, no TensorFlow.

    Tokenises like the chapter's ``TextVectorization``
    (:func:`dlbook.sentiment.vectorize`: :func:`dlbook.sentiment.clean_review`,
    ASCII lower-casing, punctuation stripped, split on whitespace, unknown
    words as ``[UNK]``, cut and padded) and runs the embedding, the LSTM over
    each review's own tokens (the mask) and the sigmoid unit.

    Args:
        vocabulary: The vectorizer's vocabulary (``get_vocabulary()``):
            padding, ``[UNK]``, then the words.
        weights: ``embedding``, ``kernel``, ``recurrent_kernel``, ``bias``,
            ``dense_kernel`` and ``dense_bias``, as Keras stores them.
        sequence_length: Tokens per review.
        truncating: ``"pre"`` keeps a long review's last tokens, ``"post"`` its first.
    """

    def __init__(self, vocabulary: Sequence[str], weights: dict[str, np.ndarray], *,
                 sequence_length: int, truncating: str = "pre") -> None:
        self.ids = {word: index for index, word in enumerate(vocabulary) if index >= 2}
        self.weights = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}
        self.sequence_length = sequence_length
        self.truncating = truncating

    @classmethod
    def from_entry(cls, entry: Path, vocabulary_file: Path) -> SentimentReader:
        """Load the weights of a cache entry and the vocabulary saved next to them."""
        import h5py

        content = json.loads(vocabulary_file.read_text())
        with h5py.File(entry / "model.weights.h5", "r") as weights:
            def read(path: str) -> np.ndarray:
                return np.asarray(weights[path])

            arrays = {
                "embedding": read("layers/embedding/vars/0"),
                "kernel": read("layers/lstm/cell/vars/0"),
                "recurrent_kernel": read("layers/lstm/cell/vars/1"),
                "bias": read("layers/lstm/cell/vars/2"),
                "dense_kernel": read("layers/dense/vars/0"),
                "dense_bias": read("layers/dense/vars/1"),
            }
        return cls(content["vocabulary"], arrays, sequence_length=content["sequence_length"],
                   truncating=content["truncating"])

    def tokens(self, text: str) -> list[str]:
        """The words of ``text`` as the vectorizer sees them."""
        from dlbook.sentiment import clean_review

        standard = _PUNCTUATION.sub("", clean_review(text).translate(_ASCII_LOWER))
        return [token for token in _ASCII_WHITESPACE.split(standard) if token]

    def token_ids(self, texts: Sequence[str]) -> np.ndarray:
        """``int32`` ids ``(len(texts), sequence_length)``, as :func:`dlbook.sentiment.vectorize` gives."""
        output = np.zeros((len(texts), self.sequence_length), dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [self.ids.get(token, 1) for token in self.tokens(text)]
            ids = ids[-self.sequence_length:] if self.truncating == "pre" else ids[:self.sequence_length]
            output[row, :len(ids)] = ids
        return output

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) for each text, as :func:`dlbook.sentiment.predict_sentiment` gives."""
        w = self.weights
        ids = self.token_ids(list(texts))
        units = w["recurrent_kernel"].shape[0]
        h = np.zeros((len(ids), units))
        c = np.zeros((len(ids), units))
        for step in range(ids.shape[1]):
            real = (ids[:, step] != 0)[:, None]  # padding is masked: the state carries over
            input_gates = w["embedding"][ids[:, step]] @ w["kernel"] + w["bias"]
            h_next, c_next = lstm.step(input_gates, h, c, w["recurrent_kernel"])
            c, h = np.where(real, c_next, c), np.where(real, h_next, h)
        return lstm.sigmoid(h @ w["dense_kernel"] + w["dense_bias"]).reshape(len(ids))


def sentiment_reader(*, epochs: int | None = None, train_size: int | None = None) -> SentimentReader | None:
    """The trained :func:`sentiment` model as a :class:`SentimentReader`, if it can be found fast.

    ``None`` when the vocabulary was never saved for these settings (no
    model trained or loaded by :func:`sentiment` since the code, the
    libraries or the IMDB file last changed), or the entry is gone: then load
    it with ``sentiment(evaluate=False, missing="raise")``, which saves the
    vocabulary for the next time.
    """
    lookup_key = _sentiment_lookup_key(epochs, train_size)
    if lookup_key is None:
        return None
    for file in training.models_dir().glob(f"sentiment-lstm-*/{_reader_file(Path(), lookup_key).name}"):
        try:
            content = json.loads(file.read_text())
            meta = json.loads((file.parent / "run.json").read_text())
            if content["lookup_key"] != lookup_key or meta["key"] != content["model_key"]:
                continue
            return SentimentReader.from_entry(file.parent, file)
        except (OSError, ValueError, KeyError):
            continue  # a half-written or foreign file: the slow path rewrites it
    return None
