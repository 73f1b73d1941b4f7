"""Character-level text generation with an LSTM (chapter 3).

The chapter's pieces, in the order the chapter uses them:

* data: :class:`CharVocabulary` (characters <-> integer ids),
  :func:`split_input_target` and :func:`make_dataset` (input/target windows
  shifted by one character, batched with ``tf.data``), :func:`split_text`
  (the last 10 % of the text is held out for validation);
* model: :func:`build_model` (Embedding or one-hot -> LSTM -> Dense logits)
  and :func:`fit_model` (Adam, sparse categorical cross-entropy, cached);
* sampling: :func:`apply_temperature` and :func:`sample_next`, pure NumPy;
* generation: :class:`OneStep`, which carries the LSTM state ``(h, c)`` from
  one character to the next, and :func:`naive_generate`, the slow baseline
  that re-reads a window of text for every new character;
* measurements of generated text: :func:`word_share`,
  :func:`distinct_ngram_ratio`, :func:`temperature_table`;
* figures: :func:`plot_loss`, :func:`plot_temperature_distribution`,
  :func:`plot_temperature_metrics`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlbook import config

__all__ = [
    "BATCH_SIZE",
    "CORPUS",
    "EMBEDDING_DIM",
    "EPOCHS",
    "EPOCHS_BY_PROFILE",
    "LEARNING_RATE",
    "ONE_HOT_EPOCHS",
    "SEQUENCE_LENGTH",
    "TEMPERATURES",
    "TRAIN_CHARS",
    "TRAIN_CHARS_BY_PROFILE",
    "UNITS",
    "VALIDATION_FRACTION",
    "CharVocabulary",
    "Generation",
    "OneStep",
    "apply_temperature",
    "build_model",
    "dataset_key",
    "distinct_ngram_ratio",
    "encode_splits",
    "entropy",
    "fit_model",
    "make_dataset",
    "naive_generate",
    "plot_loss",
    "plot_temperature_distribution",
    "plot_temperature_metrics",
    "sample_next",
    "settings",
    "split_input_target",
    "split_text",
    "temperature_table",
    "time_generators",
    "word_share",
    "words",
]

# ----------------------------------------------------------------- settings

#: The corpus: Tiny Shakespeare (1.1 M characters of plays); "sonnets" also works.
CORPUS = "shakespeare"
#: The last 10 % of the text is held out: the model never trains on it.
VALIDATION_FRACTION = 0.1
#: Characters per training example, as in char-rnn: half of the usual 100
#: gives twice as many weight updates per epoch at the same cost, which is
#: what a CPU budget needs (an LSTM step costs the same at any position).
SEQUENCE_LENGTH = 50
#: Examples per batch: large batches keep two CPU cores busy.
BATCH_SIZE = 128
#: Each character becomes a 64-number vector (the vocabulary has about 65 characters).
EMBEDDING_DIM = 64
#: LSTM units: the memory of the model.
UNITS = 256
#: Adam's step size: larger than Keras' 0.001 default, which learns slowly here.
LEARNING_RATE = 0.004
#: Training characters per profile (None: the whole training split); the quick
#: profile trains on a subset so that the chapter builds in about two minutes.
TRAIN_CHARS_BY_PROFILE: dict[str, int | None] = {"quick": 300_000, "full": None}
#: Epochs per profile: seven epochs bring the validation loss below 1.70 nats.
EPOCHS_BY_PROFILE = {"quick": 2, "full": 7}
#: ``TRAIN_CHARS`` and ``EPOCHS`` are the active profile's values, read on
#: every access (never frozen at import); code here calls :func:`settings`.
_BY_PROFILE = {"TRAIN_CHARS": TRAIN_CHARS_BY_PROFILE, "EPOCHS": EPOCHS_BY_PROFILE}
__getattr__ = config.profile_settings(__name__, _BY_PROFILE)


def settings() -> dict[str, Any]:
    """The active profile's ``TRAIN_CHARS`` and ``EPOCHS``, read now."""
    return {name: config.pick(**values) for name, values in _BY_PROFILE.items()}

#: The one-hot comparison model trains briefly in both profiles.
ONE_HOT_EPOCHS = 1
#: Temperatures the chapter samples at.
TEMPERATURES = (0.2, 0.5, 1.0, 1.2, 1.5)


# --------------------------------------------------------------------- data

class CharVocabulary:
    """A fixed mapping between characters and integer ids ``0 .. size - 1``.

    Ids follow the sorted order of the characters, so the mapping depends
    only on which characters occur, not on where.

    Example:
        >>> vocabulary = CharVocabulary.from_text("hello")
        >>> vocabulary.encode("hell")
        array([1, 0, 2, 2], dtype=int32)
        >>> vocabulary.decode([1, 0, 2, 2, 3])
        'hello'
    """

    def __init__(self, characters: Iterable[str]) -> None:
        characters = tuple(characters)
        if not characters:
            raise ValueError("A vocabulary needs at least one character.")
        if any(len(character) != 1 for character in characters):
            raise ValueError("Every vocabulary entry must be a single character.")
        if len(set(characters)) != len(characters):
            raise ValueError("Vocabulary characters must be distinct.")
        self.characters = characters
        self._ids = {character: index for index, character in enumerate(characters)}
        self._table = np.array(characters)

    @classmethod
    def from_text(cls, text: str) -> CharVocabulary:
        """The vocabulary of every distinct character in ``text``, sorted."""
        return cls(sorted(set(text)))

    @property
    def size(self) -> int:
        """How many characters the vocabulary holds."""
        return len(self.characters)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"CharVocabulary({self.size} characters)"

    def encode(self, text: str) -> np.ndarray:
        """Turn a string into an ``int32`` array of ids.

        Raises:
            ValueError: if ``text`` holds characters outside the vocabulary.
        """
        try:
            return np.fromiter((self._ids[character] for character in text), dtype=np.int32, count=len(text))
        except KeyError:
            unknown = sorted(set(text) - set(self._ids))
            raise ValueError(
                f"Characters {unknown!r} are not in the vocabulary of {self.size} characters; "
                "use only characters that occur in the training text."
            ) from None

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Turn ids back into a string (the inverse of :meth:`encode`)."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"Ids must lie in 0..{self.size - 1}.")
        return "".join(self._table[ids.astype(np.int64).ravel()])


def split_text(text: str, validation_fraction: float = VALIDATION_FRACTION) -> tuple[str, str]:
    """Split ``text`` into ``(train, validation)``: the validation text is the end.

    A split at one point (rather than random windows) keeps every validation
    character away from the training windows.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction}.")
    split = int(round(len(text) * (1 - validation_fraction)))
    return text[:split], text[split:]


def encode_splits(
    text: str, vocabulary: CharVocabulary, *, train_chars: int | None = None,
    validation_fraction: float = VALIDATION_FRACTION,
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``text`` with :func:`split_text` and encode both parts: ``(train_ids, validation_ids)``.

    Args:
        train_chars: Keep only the first this many training characters (the
            quick profile's :data:`TRAIN_CHARS`); ``None`` keeps them all. The
            validation text is always the whole held-out end.
    """
    if train_chars is not None and train_chars < 2:
        raise ValueError(f"train_chars must be at least 2, got {train_chars}.")
    train_text, validation_text = split_text(text, validation_fraction)
    if train_chars is not None:
        train_text = train_text[:train_chars]
    return vocabulary.encode(train_text), vocabulary.encode(validation_text)


def split_input_target(sequence: Any) -> tuple[Any, Any]:
    """Return ``(sequence[:-1], sequence[1:])``: at each position, the target is the next character.

    Works on strings, NumPy arrays and tensors: ``"hello"`` gives
    ``("hell", "ello")``.
    """
    return sequence[:-1], sequence[1:]


def make_dataset(
    ids: np.ndarray,
    *,
    sequence_length: int = SEQUENCE_LENGTH,
    batch_size: int = BATCH_SIZE,
    shuffle: bool = False,
    seed: int = config.SEED,
):
    """Cut ids into windows of ``sequence_length + 1`` and batch ``(input, target)`` pairs.

    Consecutive windows do not overlap, so one epoch reads every character
    once. Training data is shuffled (window order) and drops the last, short
    batch; validation data keeps every window.

    Returns:
        A ``tf.data.Dataset`` of ``(inputs, targets)``, each ``int32`` of
        shape ``(batch, sequence_length)``.
    """
    import tensorflow as tf

    if sequence_length < 1 or batch_size < 1:
        raise ValueError("sequence_length and batch_size must be positive.")
    ids = np.asarray(ids, dtype=np.int32)
    if len(ids) < sequence_length + 1:
        raise ValueError(f"Need at least {sequence_length + 1} ids for one window, got {len(ids)}.")
    windows = tf.data.Dataset.from_tensor_slices(ids).batch(sequence_length + 1, drop_remainder=True)
    # Cache the cut windows: every epoch after the first reads them from memory.
    dataset = windows.map(split_input_target, num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        dataset = dataset.shuffle(len(ids) // (sequence_length + 1), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=shuffle).prefetch(tf.data.AUTOTUNE)


def dataset_key(train_ids: np.ndarray, validation_ids: np.ndarray, **settings: Any) -> str:
    """A fingerprint naming the training data for :func:`dlbook.training.fit_cached`."""
    from dlbook import training

    return training.fingerprint([np.asarray(train_ids), np.asarray(validation_ids), dict(settings)])


# -------------------------------------------------------------------- model

def build_model(
    vocab_size: int,
    embedding_dim: int = EMBEDDING_DIM,
    units: int | Sequence[int] = UNITS,
    *,
    one_hot: bool = False,
):
    """Build the character model: ``ids -> Embedding -> LSTM -> Dense(vocab_size)``.

    The model outputs *logits* (unnormalised scores) for the next character
    at every position; the loss applies the softmax.

    Args:
        vocab_size: How many characters the vocabulary holds.
        embedding_dim: Size of each character's learned vector.
        units: LSTM units, or a list of sizes to stack several LSTM layers.
        one_hot: Feed one-hot vectors instead of an embedding (``embedding_dim``
            is then unused).
    """
    import keras
    from keras import layers

    sizes = [units] if isinstance(units, int) else list(units)
    if vocab_size < 2 or embedding_dim < 1 or not sizes or min(sizes) < 1:
        raise ValueError("vocab_size must be >= 2; embedding_dim and units must be positive.")
    inputs = keras.Input(shape=(None,), dtype="int32", name="character_ids")
    if one_hot:
        x = layers.CategoryEncoding(num_tokens=vocab_size, output_mode="one_hot", name="one_hot")(inputs)
    else:
        x = layers.Embedding(vocab_size, embedding_dim, name="embedding")(inputs)
    for index, size in enumerate(sizes):
        x = layers.LSTM(size, return_sequences=True, name="lstm" if len(sizes) == 1 else f"lstm_{index + 1}")(x)
    logits = layers.Dense(vocab_size, name="logits")(x)
    name = "char_lstm_one_hot" if one_hot else "char_lstm"
    return keras.Model(inputs, logits, name=name)


def fit_model(
    model: Any,
    train_ids: np.ndarray,
    validation_ids: np.ndarray,
    *,
    epochs: int,
    name: str,
    learning_rate: float = LEARNING_RATE,
    sequence_length: int = SEQUENCE_LENGTH,
    batch_size: int = BATCH_SIZE,
    seed: int = config.SEED,
    verbose: int | str = 0,
    missing: str = "train",
):
    """Compile ``model`` (Adam, sparse categorical cross-entropy on logits) and train it, cached.

    ``verbose`` and ``missing`` go to :func:`dlbook.training.fit_cached`.

    Returns:
        The :class:`dlbook.training.TrainingRun`; its losses are in nats per character.
    """
    import keras

    from dlbook import training

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        # Targets are integer ids and the model outputs logits.
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    train_dataset = make_dataset(train_ids, sequence_length=sequence_length, batch_size=batch_size,
                                 shuffle=True, seed=seed)
    validation_dataset = make_dataset(validation_ids, sequence_length=sequence_length, batch_size=batch_size)
    key = dataset_key(train_ids, validation_ids, sequence_length=sequence_length, batch_size=batch_size)
    return training.fit_cached(
        model, train_dataset, validation_data=validation_dataset, data_key=key,
        epochs=epochs, seed=seed, name=name, verbose=verbose, missing=missing,
    )


# ----------------------------------------------------------------- sampling

def _check_temperature(temperature: float) -> float:
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}.") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"temperature must be a positive, finite number, got {temperature!r}; "
            "use greedy=True for argmax decoding (the limit T -> 0)."
        )
    return value


def apply_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Return ``softmax(logits / temperature)`` along the last axis.

    ``temperature`` < 1 sharpens the distribution (towards the argmax),
    > 1 flattens it (towards uniform); 1 gives the model's own probabilities.

    Raises:
        ValueError: if ``temperature`` is not a positive, finite number.
    """
    temperature = _check_temperature(temperature)
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    # Subtracting the maximum changes nothing mathematically and avoids overflow.
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def sample_next(
    logits: np.ndarray,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
    *,
    greedy: bool = False,
) -> np.ndarray:
    """Draw one id per row of ``logits`` from ``softmax(logits / temperature)``.

    Args:
        logits: Scores of shape ``(..., vocab_size)``.
        temperature: Positive; see :func:`apply_temperature`.
        rng: The random generator to draw from (required unless ``greedy``).
        greedy: Take the most likely id (argmax) instead of sampling.

    Returns:
        ``int64`` ids of shape ``logits.shape[:-1]``.
    """
    logits = np.asarray(logits)
    probabilities = apply_temperature(logits, temperature)
    if greedy:
        return np.argmax(logits, axis=-1)
    if rng is None:
        raise ValueError("sample_next needs rng=np.random.default_rng(seed) unless greedy=True.")
    return _draw(probabilities, rng)


def _draw(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Inverse-CDF sampling, vectorised over rows: the first id whose
    cumulative probability exceeds a uniform draw."""
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = rng.random(probabilities.shape[:-1] + (1,)) * cumulative[..., -1:]
    ids = (cumulative <= draws).sum(axis=-1)
    return np.minimum(ids, probabilities.shape[-1] - 1)


def entropy(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats along the last axis (``0 log 0`` counts as 0)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    logs = np.log(np.where(probabilities > 0, probabilities, 1.0))
    return -(probabilities * logs).sum(axis=-1)


# --------------------------------------------------------------- generation

@dataclass
class Generation:
    """What :meth:`OneStep.generate` returns.

    Attributes:
        texts: One generated string per stream (without the seed).
        entropies: Entropy (nats) of each sampled distribution, shape ``(length, streams)``.
        log_likelihoods: The model's log-probability (temperature 1) of each
            sampled character, shape ``(length, streams)``.
        seconds: Wall-clock time of the generation loop.
    """

    texts: list[str]
    entropies: np.ndarray
    log_likelihoods: np.ndarray
    seconds: float

    @property
    def characters_per_second(self) -> float:
        """Generated characters per second, over all streams."""
        return self.entropies.size / self.seconds if self.seconds > 0 else float("inf")


class OneStep:
    """A stateful generator: one character in, the next character's logits out.

    It carries each LSTM layer's state ``(h, c)`` from one character to the
    next, so a new character costs one LSTM step instead of a pass over a
    whole window, in the spirit of TensorFlow's ``OneStep`` text-generation
    class. The step runs the LSTM cell's equations in NumPy on a copy of the
    model's weights, taken when the generator is created: a single step is
    so small that calling TensorFlow for it would cost more than the
    arithmetic (create a new generator after training the model further).

    Args:
        model: A model from :func:`build_model` (trained or not), with the
            LSTM's default activations (tanh and sigmoid).
        vocabulary: The vocabulary the model was trained with.
    """

    def __init__(self, model: Any, vocabulary: CharVocabulary) -> None:
        import keras

        encoder, head = model.layers[1], model.layers[-1]
        lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        if not lstms or not isinstance(head, keras.layers.Dense):
            raise ValueError("OneStep needs a model from build_model: input encoding -> LSTM(s) -> Dense.")
        for lstm in lstms:
            if (lstm.cell.activation is not keras.activations.tanh
                    or lstm.cell.recurrent_activation is not keras.activations.sigmoid or not lstm.cell.use_bias):
                raise ValueError("OneStep supports LSTM layers with the default activations and a bias only.")

        def weights(variable: Any) -> np.ndarray:
            return np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float32)

        if isinstance(encoder, keras.layers.Embedding):
            features = weights(encoder.embeddings)
        else:  # one-hot inputs: character i is row i of the identity matrix
            features = np.eye(vocabulary.size, dtype=np.float32)
        if features.shape[0] != vocabulary.size:
            raise ValueError(f"The model expects {features.shape[0]} characters, the vocabulary has {vocabulary.size}.")
        self.model = model
        self.vocabulary = vocabulary
        self.units = [lstm.units for lstm in lstms]
        # Keras orders the gates input, forget, candidate, output; moving the
        # candidate last lets one sigmoid call cover the three other gates.
        cells = [tuple(_candidate_last(weights(variable), lstm.units)
                       for variable in (lstm.cell.kernel, lstm.cell.recurrent_kernel, lstm.cell.bias))
                 for lstm in lstms]
        # The first layer's input term depends only on the character, not on
        # the state: compute it once per character of the vocabulary.
        kernel, recurrent_kernel, bias = cells[0]
        self._character_gates = features @ kernel + bias
        self._cells = [(None, recurrent_kernel, None), *cells[1:]]
        self._head = weights(head.kernel), weights(head.bias)

    def initial_state(self, streams: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
        """Zero states ``(h, c)`` for each LSTM layer, as the model starts a sequence."""
        return [(np.zeros((streams, units), np.float32), np.zeros((streams, units), np.float32))
                for units in self.units]

    def step(self, ids: np.ndarray, states: list[tuple[np.ndarray, np.ndarray]]):
        """Advance every stream by one character.

        Args:
            ids: Integer ids of shape ``(streams,)``: the current characters.
            states: From :meth:`initial_state` or the previous call.

        Returns:
            ``(logits, states)``: logits of shape ``(streams, vocab_size)`` for
            the next character, and the new states.
        """
        new_states = []
        x = None
        for layer, ((kernel, recurrent_kernel, bias), (h, c)) in enumerate(zip(self._cells, states)):
            if layer == 0:
                gates = self._character_gates[ids] + h @ recurrent_kernel
            else:
                gates = x @ kernel + h @ recurrent_kernel + bias
            units = h.shape[-1]
            sigmoids = _sigmoid(gates[:, :3 * units])
            input_gate, forget_gate, output_gate = (sigmoids[:, :units], sigmoids[:, units:2 * units],
                                                    sigmoids[:, 2 * units:])
            candidate = np.tanh(gates[:, 3 * units:])
            c = forget_gate * c + input_gate * candidate
            h = output_gate * np.tanh(c)
            new_states.append((h, c))
            x = h
        kernel, bias = self._head
        return x @ kernel + bias, new_states

    def read(self, prefix: str, streams: int = 1) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
        """Feed ``prefix`` one character at a time; return the last logits and the states."""
        if not prefix:
            raise ValueError("The seed text must hold at least one character.")
        ids = self.vocabulary.encode(prefix)
        states = self.initial_state(streams)
        for character_id in ids:
            logits, states = self.step(np.full(streams, character_id), states)
        return logits, states

    def next_distribution(self, prefix: str, temperature: float = 1.0) -> np.ndarray:
        """Probabilities of the character that follows ``prefix``."""
        logits, _ = self.read(prefix)
        return apply_temperature(logits[0], temperature)

    def generate(
        self,
        seed_text: str,
        length: int,
        *,
        temperature: float = 1.0,
        streams: int = 1,
        rng: np.random.Generator | None = None,
        greedy: bool = False,
    ) -> Generation:
        """Continue ``seed_text`` by ``length`` characters in ``streams`` independent samples.

        All streams are advanced together as one batch.
        """
        _check_temperature(temperature)
        if length < 1 or streams < 1:
            raise ValueError("length and streams must be positive.")
        rng = np.random.default_rng(config.SEED) if rng is None else rng
        start = time.perf_counter()
        logits, states = self.read(seed_text, streams)
        generated = np.empty((length, streams), dtype=np.int64)
        entropies = np.empty((length, streams))
        log_likelihoods = np.empty((length, streams))
        rows = np.arange(streams)
        for position in range(length):
            probabilities = apply_temperature(logits, temperature)
            ids = np.argmax(logits, axis=-1) if greedy else _draw(probabilities, rng)
            generated[position] = ids
            entropies[position] = entropy(probabilities)
            log_likelihoods[position] = _log_softmax(logits)[rows, ids]
            if position + 1 < length:
                logits, states = self.step(ids, states)
        seconds = time.perf_counter() - start
        texts = [self.vocabulary.decode(generated[:, stream]) for stream in range(streams)]
        return Generation(texts, entropies, log_likelihoods, seconds)


def _candidate_last(weights: np.ndarray, units: int) -> np.ndarray:
    """Reorder Keras' gate blocks (input, forget, candidate, output) to (input, forget, output, candidate)."""
    blocks = np.split(weights, 4, axis=-1)
    return np.ascontiguousarray(np.concatenate([blocks[0], blocks[1], blocks[3], blocks[2]], axis=-1))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, written with tanh so that large inputs cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def naive_generate(
    model: Any,
    vocabulary: CharVocabulary,
    seed_text: str,
    length: int,
    *,
    temperature: float = 1.0,
    window: int = SEQUENCE_LENGTH,
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
        ids.append(int(sample_next(logits, temperature, rng)))
    seconds = time.perf_counter() - start
    return vocabulary.decode(ids[len(seed_text):]), seconds


def time_generators(
    model: Any,
    vocabulary: CharVocabulary,
    seed_text: str,
    *,
    stateful_length: int = 2000,
    naive_length: int = 50,
    window: int = SEQUENCE_LENGTH,
    repeats: int = 3,
) -> dict[str, float]:
    """Characters per second of :class:`OneStep` (one stream) and of :func:`naive_generate`.

    Both use the same model and sample at temperature 1; each is warmed up
    once (tracing, first ``predict``), then the best of ``repeats`` runs counts.
    """
    generator = OneStep(model, vocabulary)
    generator.generate(seed_text, 10)
    naive_generate(model, vocabulary, seed_text, 2, window=window)
    stateful = max(generator.generate(seed_text, stateful_length).characters_per_second for _ in range(repeats))
    naive = max(
        naive_length / naive_generate(model, vocabulary, seed_text, naive_length, window=window)[1]
        for _ in range(repeats)
    )
    return {
        "stateful_chars_per_second": stateful,
        "naive_chars_per_second": naive,
        "speedup": stateful / naive,
        "stateful_length": stateful_length,
        "naive_length": naive_length,
        "window": window,
    }


# -------------------------------------------------------- measuring samples

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (letters, with inner apostrophes such as ``o'er``)."""
    return [word.lower() for word in _WORD.findall(text)]


def word_share(text: str, known_words: set[str] | frozenset[str]) -> float:
    """The share of words in ``text`` that occur in ``known_words`` (NaN if ``text`` has no word)."""
    found = words(text)
    if not found:
        return float("nan")
    return sum(word in known_words for word in found) / len(found)


def distinct_ngram_ratio(text: str, n: int = 2) -> float:
    """Distinct word ``n``-grams divided by all word ``n``-grams (1: no repeats; near 0: loops).

    Returns NaN when ``text`` has fewer than ``n`` words.
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}.")
    found = words(text)
    grams = [tuple(found[i:i + n]) for i in range(len(found) - n + 1)]
    if not grams:
        return float("nan")
    return len(set(grams)) / len(grams)


def temperature_table(
    generator: OneStep,
    seed_text: str,
    known_words: set[str] | frozenset[str],
    *,
    temperatures: Sequence[float] = TEMPERATURES,
    length: int = 2000,
    streams: int = 4,
    n: int = 2,
    seed: int = config.SEED,
) -> dict[str, Any]:
    """Sample at each temperature and measure the samples.

    For each temperature: the mean entropy of the distributions sampled from
    (nats), the share of generated words found in ``known_words``, the ratio
    of distinct word ``n``-grams, and the model's own mean negative
    log-likelihood of the sample (nats per character, at temperature 1).
    Metrics are computed per stream and averaged.

    Returns:
        A JSON-ready dict: ``rows`` (one dict per temperature) and ``samples``
        (the first stream's text per temperature).
    """
    rows, samples = [], {}
    for temperature in temperatures:
        rng = np.random.default_rng(seed)
        generation = generator.generate(seed_text, length, temperature=temperature, streams=streams, rng=rng)
        shares = [word_share(text, known_words) for text in generation.texts]
        distinct = [distinct_ngram_ratio(text, n) for text in generation.texts]
        rows.append({
            "temperature": float(temperature),
            "entropy": float(generation.entropies.mean()),
            "word_share": float(np.nanmean(shares)),
            "distinct_ngrams": float(np.nanmean(distinct)),
            "nll": float(-generation.log_likelihoods.mean()),
        })
        samples[str(temperature)] = generation.texts[0]
    return {"rows": rows, "samples": samples, "length": length, "streams": streams, "n": n}


# ------------------------------------------------------------------ figures

def plot_loss(history: Any, *, title: str = "Cross-entropy per character"):
    """Training and validation loss per epoch, in nats (left axis) and bits (right axis)."""
    from dlbook import plotting

    fig = plotting.plot_history(history, title=title, ylabel="loss (nats per character)")
    ax = fig.axes[0]
    epochs = len(getattr(history, "history", history)["loss"])
    ax.set_xticks(np.arange(1, epochs + 1))
    secondary = ax.secondary_yaxis("right", functions=(lambda nats: nats / np.log(2), lambda bits: bits * np.log(2)))
    secondary.set_ylabel("bits per character")
    fig.tight_layout()
    return fig


def _label(character: str) -> str:
    return {"\n": "\\n", " ": "space"}.get(character, character)


def plot_temperature_distribution(
    logits: np.ndarray,
    vocabulary: CharVocabulary,
    *,
    temperatures: Sequence[float] = TEMPERATURES,
    top: int = 12,
    context: str = "",
):
    """Bar chart of one next-character distribution at several temperatures.

    Shows the ``top`` most likely characters at temperature 1, plus the
    probability left for all other characters.
    """
    import matplotlib.pyplot as plt

    logits = np.asarray(logits, dtype=np.float64).ravel()
    order = np.argsort(logits)[::-1][:top]
    labels = [repr(_label(vocabulary.characters[i])).strip("'") for i in order] + ["others"]
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    width = 0.8 / len(temperatures)
    positions = np.arange(len(labels))
    for index, temperature in enumerate(temperatures):
        probabilities = apply_temperature(logits, temperature)
        values = np.append(probabilities[order], 1 - probabilities[order].sum())
        ax.bar(positions + (index - (len(temperatures) - 1) / 2) * width, values, width, label=f"T = {temperature:g}")
    # Long labels ("space", "others") would overlap their neighbours on a
    # figure narrow enough for a phone: tilt them.
    ax.set_xticks(positions, labels, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel("next character")
    ax.set_ylabel("probability")
    shown = context[-30:].replace("\n", "\\n")
    ax.set_title(f"Next character after \u201c\u2026{shown}\u201d" if shown else "Next-character distribution")
    ax.legend(ncols=2, loc="upper right")
    fig.tight_layout()
    return fig


def plot_temperature_metrics(rows: Sequence[dict[str, float]]):
    """Four panels over temperature: entropy, known-word share, distinct n-grams, model NLL."""
    import matplotlib.pyplot as plt

    temperatures = [row["temperature"] for row in rows]
    panels = (
        ("entropy", "entropy of the sampled\ndistribution (nats)"),
        ("word_share", "share of words found\nin the corpus"),
        ("distinct_ngrams", "distinct word bigrams\n/ all bigrams"),
        ("nll", "model's NLL of the sample\n(nats per character)"),
    )
    # Two by two rather than four in a row: each panel stays wide enough for
    # its text to be readable on a phone.
    fig, axes = plt.subplots(2, 2, figsize=(6.0, 6.2))
    for ax, (key, label) in zip(axes.ravel(), panels):
        ax.plot(temperatures, [row[key] for row in rows], marker="o")
        ax.set_title(label, fontsize=11, fontweight="normal")
        ax.set_xlabel("temperature T")
    fig.suptitle("What temperature does to generated text")
    fig.tight_layout()
    return fig
