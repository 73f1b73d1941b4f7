"""Tests for dlbook.textgen: vocabulary, datasets, temperature sampling, the stateful generator."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import generation_timing, textgen
from dlbook.recipes import text_generation as recipe

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"


def variant(vocab_size, units, *, embedding_dim=8, one_hot=False, dropout=0.2):
    """The chapter's variants of its model, for OneStep: the one-hot inputs of its comparison,
    the stacked LSTMs of its exercise 2 (``units`` a list), smaller embeddings for speed."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(None,), dtype="int32")
    if one_hot:
        x = layers.CategoryEncoding(vocab_size, output_mode="one_hot")(inputs)
    else:
        x = layers.Embedding(vocab_size, embedding_dim)(inputs)
    for size in [units] if isinstance(units, int) else units:
        x = layers.LSTM(size, return_sequences=True)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, layers.Dense(vocab_size)(x))


# --------------------------------------------------------------- vocabulary

def test_vocabulary_round_trip():
    vocabulary = textgen.CharVocabulary.from_text(TEXT)
    ids = vocabulary.encode(TEXT)
    assert ids.dtype == np.int32
    assert ids.shape == (len(TEXT),)
    assert vocabulary.decode(ids) == TEXT
    assert vocabulary.size == len(set(TEXT))
    assert list(vocabulary.characters) == sorted(set(TEXT))


def test_vocabulary_ids_follow_sorted_characters():
    vocabulary = textgen.CharVocabulary.from_text("hello")
    np.testing.assert_array_equal(vocabulary.encode("hell"), [1, 0, 2, 2])
    assert vocabulary.decode([1, 0, 2, 2, 3]) == "hello"


def test_vocabulary_rejects_unknown_characters_and_ids():
    vocabulary = textgen.CharVocabulary.from_text("abc")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocabulary.encode("abz")
    with pytest.raises(ValueError, match="0..2"):
        vocabulary.decode([0, 3])
    with pytest.raises(ValueError):
        textgen.CharVocabulary(["a", "a"])
    with pytest.raises(ValueError):
        textgen.CharVocabulary(["ab"])


# --------------------------------------------------------------------- data

def test_split_input_target_shifts_by_one():
    assert textgen.split_input_target("hello") == ("hell", "ello")
    inputs, targets = textgen.split_input_target(np.arange(5))
    np.testing.assert_array_equal(inputs, [0, 1, 2, 3])
    np.testing.assert_array_equal(targets, [1, 2, 3, 4])


def test_split_text_holds_out_the_start_for_testing_and_the_end_for_validation():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    train, validation, test = textgen.split_text(text, 0.1, 0.05)
    assert test + train + validation == text
    assert (len(train), len(validation), len(test)) == (850, 100, 50)
    assert validation == text[-100:]  # the validation text is the end, as nanoGPT's held-out tenth
    for fractions in ((0.0, 0.1), (0.1, 0.0), (0.5, 0.5)):
        with pytest.raises(ValueError):
            textgen.split_text(text, *fractions)


def test_make_dataset_shapes_and_shift():
    ids = np.arange(1050, dtype=np.int32) % 7
    sequence_length, batch_size = 20, 8
    dataset = textgen.make_dataset(ids, sequence_length=sequence_length, batch_size=batch_size, shuffle=True)
    batches = list(dataset.as_numpy_iterator())
    windows = len(ids) // (sequence_length + 1)
    assert len(batches) == windows // batch_size  # the short last batch is dropped
    for inputs, targets in batches:
        assert inputs.shape == targets.shape == (batch_size, sequence_length)
        assert inputs.dtype == np.int32
        # The target at each position is the next input.
        np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
        np.testing.assert_array_equal(targets, (inputs + 1) % 7)
    unshuffled = list(textgen.make_dataset(ids, sequence_length=sequence_length, batch_size=batch_size)
                      .as_numpy_iterator())
    assert sum(len(inputs) for inputs, _ in unshuffled) == windows  # validation keeps every window
    np.testing.assert_array_equal(unshuffled[0][0][0], ids[:sequence_length])


# ----------------------------------------------------------------- sampling

LOGITS = np.array([2.0, 1.0, 0.5, -1.0, 0.0])


def test_apply_temperature_gives_probabilities():
    for temperature in (0.1, 0.5, 1.0, 2.0, 10.0):
        probabilities = textgen.apply_temperature(LOGITS, temperature)
        assert probabilities.min() >= 0
        assert probabilities.sum() == pytest.approx(1.0)
    batch = textgen.apply_temperature(np.stack([LOGITS, -LOGITS]), 0.7)
    np.testing.assert_allclose(batch.sum(axis=-1), 1.0)


def test_temperature_one_is_softmax_and_huge_logits_do_not_overflow():
    expected = np.exp(LOGITS) / np.exp(LOGITS).sum()
    np.testing.assert_allclose(textgen.apply_temperature(LOGITS, 1.0), expected)
    assert np.isfinite(textgen.apply_temperature(LOGITS * 1e4, 0.5)).all()


def test_low_temperature_tends_to_argmax():
    probabilities = textgen.apply_temperature(LOGITS, 1e-4)
    assert probabilities[np.argmax(LOGITS)] == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    draws = textgen.sample_next(np.tile(LOGITS, (200, 1)), 1e-4, rng)
    assert (draws == np.argmax(LOGITS)).all()
    assert textgen.sample_next(LOGITS, 1.0, greedy=True) == np.argmax(LOGITS)


def test_higher_temperature_raises_entropy():
    entropies = [textgen.entropy(textgen.apply_temperature(LOGITS, t)) for t in (0.2, 0.5, 1.0, 1.5, 5.0)]
    assert all(a < b for a, b in zip(entropies, entropies[1:]))
    assert entropies[-1] < np.log(len(LOGITS))  # never above the uniform distribution's


def test_sampling_follows_the_tempered_distribution():
    rng = np.random.default_rng(1)
    temperature = 1.5
    draws = textgen.sample_next(np.tile(LOGITS, (40_000, 1)), temperature, rng)
    assert draws.shape == (40_000,)
    frequencies = np.bincount(draws, minlength=len(LOGITS)) / len(draws)
    np.testing.assert_allclose(frequencies, textgen.apply_temperature(LOGITS, temperature), atol=0.01)


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf"), "hot", None])
def test_invalid_temperature_is_rejected(temperature):
    with pytest.raises(ValueError, match="temperature"):
        textgen.apply_temperature(LOGITS, temperature)
    with pytest.raises(ValueError, match="temperature"):
        textgen.sample_next(LOGITS, temperature, np.random.default_rng(0))


def test_sampling_needs_a_generator():
    with pytest.raises(ValueError, match="rng"):
        textgen.sample_next(LOGITS, 1.0)


# ------------------------------------------------------- text measurements

def test_words_share_and_distinct_ngrams():
    assert textgen.words("O'er the Hill, o'er DALE!") == ["o'er", "the", "hill", "o'er", "dale"]
    assert textgen.word_share("the king xqzt", {"the", "king"}) == pytest.approx(2 / 3)
    assert np.isnan(textgen.word_share("... !", {"the"}))
    assert textgen.distinct_ngram_ratio("a b c d") == 1.0
    assert textgen.distinct_ngram_ratio("the king the king the king the king") < 0.5
    with pytest.raises(ValueError):
        textgen.distinct_ngram_ratio("a b", n=0)


# ------------------------------------------------------------------- models

@pytest.fixture(scope="module")
def tiny_model():
    import keras

    keras.utils.set_random_seed(0)
    vocabulary = textgen.CharVocabulary.from_text(TEXT)
    model = recipe.build_model(vocabulary.size, 16)  # the chapter's cell, with 16 units
    # Random but non-trivial weights: a few training steps on the text.
    ids = vocabulary.encode(TEXT * 4)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    inputs, targets = ids[:-1].reshape(1, -1), ids[1:].reshape(1, -1)
    model.fit(inputs, targets, epochs=3, verbose=0)
    return model, vocabulary


def test_model_outputs_logits_for_every_position(tiny_model):
    model, vocabulary = tiny_model
    logits = model.predict(vocabulary.encode("hear me")[None], verbose=0)
    assert logits.shape == (1, 7, vocabulary.size)


def test_one_hot_variant_has_no_embedding():
    import keras

    model = variant(30, 16, one_hot=True)
    assert not any(isinstance(layer, keras.layers.Embedding) for layer in model.layers)
    # Input weights: 30 one-hot inputs -> 4 gates of 16 units.
    lstm = next(layer for layer in model.layers if isinstance(layer, keras.layers.LSTM))
    assert lstm.cell.kernel.shape == (30, 64)
    assert model(np.zeros((2, 5), dtype=np.int32)).shape == (2, 5, 30)


@pytest.mark.parametrize("kind", ["recipe", "one-hot", "stacked"])
def test_stateful_generator_matches_the_full_model(kind):
    import keras

    keras.utils.set_random_seed(3)
    vocabulary = textgen.CharVocabulary.from_text(TEXT)
    model = {"recipe": lambda: recipe.build_model(vocabulary.size, 16),
             "one-hot": lambda: variant(vocabulary.size, 16, one_hot=True),
             "stacked": lambda: variant(vocabulary.size, [16, 12])}[kind]()
    generator = textgen.OneStep(model, vocabulary)
    prefix = "Before we proceed"
    logits = model.predict(vocabulary.encode(prefix)[None], verbose=0)[0, -1]
    np.testing.assert_allclose(generator.next_distribution(prefix), textgen.apply_temperature(logits), atol=1e-5)
    np.testing.assert_allclose(
        generator.next_distribution(prefix, 0.5), textgen.apply_temperature(logits, 0.5), atol=1e-5
    )


def test_generate_is_reproducible_and_records_metrics(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    first = generator.generate("hear", 30, temperature=0.8, streams=3, rng=np.random.default_rng(5))
    second = generator.generate("hear", 30, temperature=0.8, streams=3, rng=np.random.default_rng(5))
    assert first.texts == second.texts
    assert len(first.texts) == 3 and all(len(text) == 30 for text in first.texts)
    assert set("".join(first.texts)) <= set(vocabulary.characters)
    assert first.entropies.shape == first.log_likelihoods.shape == (30, 3)
    assert (first.log_likelihoods <= 0).all() and (first.entropies >= 0).all()
    greedy = generator.generate("hear", 20, greedy=True, streams=2)
    assert greedy.texts[0] == greedy.texts[1]  # argmax decoding draws nothing at random
    with pytest.raises(ValueError, match="temperature"):
        generator.generate("hear", 5, temperature=0)
    with pytest.raises(ValueError, match="vocabulary"):
        generator.generate("hear~", 5)


def test_generated_log_likelihood_matches_the_full_model(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    seed = "Citizen"
    generation = generator.generate(seed, 15, temperature=1.0, rng=np.random.default_rng(2))
    ids = vocabulary.encode(seed + generation.texts[0])
    logits = model.predict(ids[None, :-1], verbose=0)[0]
    log_probabilities = np.log(textgen.apply_temperature(logits))
    expected = log_probabilities[np.arange(len(ids) - 1), ids[1:]][len(seed) - 1:]
    np.testing.assert_allclose(generation.log_likelihoods[:, 0], expected, atol=1e-4)


class _Recording:
    """A model stand-in that records the contexts ``naive_generate`` passes to ``predict``."""

    def __init__(self, model):
        self.model, self.contexts = model, []

    def predict(self, context, verbose=0):
        self.contexts.append(np.array(context))
        return self.model.predict(context, verbose=verbose)


def test_naive_generate_uses_the_window(tiny_model):
    model, vocabulary = tiny_model
    seed = "Before we proceed"
    recording = _Recording(model)
    text, seconds = generation_timing.naive_generate(recording, vocabulary, seed, 5, window=10, rng=np.random.default_rng(0))
    assert len(text) == 5 and seconds > 0 and set(text) <= set(vocabulary.characters)
    # Every step reads exactly the last 10 characters: the seed's end, then what it generated.
    full = vocabulary.encode(seed + text)
    assert len(recording.contexts) == 5
    for step, context in enumerate(recording.contexts):
        np.testing.assert_array_equal(context, full[None, len(seed) + step - 10:len(seed) + step])
    # So text before the window changes nothing: another start, same last 10 characters.
    other, _ = generation_timing.naive_generate(model, vocabulary, "hear me " + seed[-10:], 5, window=10,
                                      rng=np.random.default_rng(0))
    assert other == text
    # A short seed is read whole.
    short = _Recording(model)
    generation_timing.naive_generate(short, vocabulary, "hear", 2, window=10, rng=np.random.default_rng(0))
    assert [context.shape for context in short.contexts] == [(1, 4), (1, 5)]


# ------------------------------------------------- temperature and timing

def test_temperature_table_rows_follow_the_temperatures(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    known = set(textgen.words(TEXT))
    temperatures = (0.2, 1.0, 3.0)
    table = textgen.temperature_table(generator, "hear", known, temperatures=temperatures, length=300,
                                      streams=3, seed=4)
    assert (table["length"], table["streams"], table["n"]) == (300, 3, 2)
    assert [row["temperature"] for row in table["rows"]] == list(temperatures)
    assert all(set(row) == {"temperature", "entropy", "word_share", "distinct_ngrams", "nll"}
               for row in table["rows"])
    assert list(table["samples"]) == ["0.2", "1.0", "3.0"]
    assert all(len(sample) == 300 for sample in table["samples"].values())
    entropies = [row["entropy"] for row in table["rows"]]
    nlls = [row["nll"] for row in table["rows"]]
    # Hotter sampling draws from flatter distributions and picks characters
    # the model itself finds less likely.
    assert entropies[0] < entropies[1] < entropies[2] <= np.log(vocabulary.size)
    assert 0 < nlls[0] < nlls[1] < nlls[2]
    for row in table["rows"]:
        assert 0.0 <= row["word_share"] <= 1.0 and 0.0 < row["distinct_ngrams"] <= 1.0
    # Seeded: the same call gives the same table.
    again = textgen.temperature_table(generator, "hear", known, temperatures=temperatures, length=300,
                                      streams=3, seed=4)
    assert again == table


def test_temperature_table_matches_the_generator(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    table = textgen.temperature_table(generator, "hear", {"hear"}, temperatures=(0.7,), length=60, streams=2,
                                      seed=1)
    generation = generator.generate("hear", 60, temperature=0.7, streams=2, rng=np.random.default_rng(1))
    row = table["rows"][0]
    assert table["samples"]["0.7"] == generation.texts[0]
    assert row["entropy"] == pytest.approx(generation.entropies.mean())
    assert row["nll"] == pytest.approx(-generation.log_likelihoods.mean())
    assert row["word_share"] == pytest.approx(np.nanmean([textgen.word_share(t, {"hear"}) for t in generation.texts]))


def test_time_generators_reports_three_speeds_and_the_floor(tiny_model):
    model, vocabulary = tiny_model
    timing = generation_timing.time_generators(model, vocabulary, "hear", stateful_length=200, window_length=5,
                                     naive_length=3, window=8, streams=4, repeats=1)
    speeds = ("stateful", "stateful_streams", "window", "naive", "floor", "floor_streams")
    assert all(timing[f"{name}_chars_per_second"] > 0 for name in speeds)
    assert (timing["stateful_length"], timing["window_length"], timing["naive_length"], timing["window"],
            timing["streams"]) == (200, 5, 3, 8, 4)
    for ratio, (top, bottom) in {"stateful_share_of_floor": ("stateful", "floor"),
                                 "stateful_streams_share_of_floor": ("stateful_streams", "floor_streams"),
                                 "stateful_vs_window": ("stateful", "window"),
                                 "window_vs_naive": ("window", "naive"),
                                 "stateful_vs_naive": ("stateful", "naive")}.items():
        assert timing[ratio] == pytest.approx(timing[f"{top}_chars_per_second"]
                                              / timing[f"{bottom}_chars_per_second"])
    # Re-reading 8 characters per new one costs more than one step.
    assert timing["stateful_vs_window"] > 1


def test_floor_speed_times_the_products():
    assert 0 < generation_timing.floor_speed([(16, 64), (16, 10)], streams=2, steps=50, repeats=1) < float("inf")


def test_window_longer_than_the_text_gives_the_stateful_text(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    # Re-reading everything from a zero state is the stateful computation
    # again, step by step; with the same random numbers it draws the same text.
    stateful = generator.generate("hear", 12, temperature=0.7, rng=np.random.default_rng(3)).texts[0]
    windowed, seconds = generation_timing.window_generate(generator, "hear", 12, temperature=0.7, window=100,
                                                rng=np.random.default_rng(3))
    assert windowed == stateful and seconds > 0
    # A short window forgets: text before it changes nothing.
    seed = "Before we proceed"
    short, _ = generation_timing.window_generate(generator, seed, 6, window=5, rng=np.random.default_rng(0))
    other, _ = generation_timing.window_generate(generator, "hear me" + seed[-5:], 6, window=5, rng=np.random.default_rng(0))
    assert short == other


def test_step_continues_read(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    _, states = generator.read("hear m", streams=2)
    logits, states = generator.step(vocabulary.encode("ee"), states)
    expected, _ = generator.read("hear me", streams=1)
    assert logits.shape == (2, vocabulary.size) and states[0][0].shape == (2, 16)
    np.testing.assert_allclose(logits[0], expected[0], atol=1e-5)
    np.testing.assert_allclose(logits[1], expected[0], atol=1e-5)


def test_generated_draws_follow_the_tempered_distribution(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    # The Gumbel-max draws of many streams, one character each.
    generation = generator.generate("hear", 1, temperature=0.7, streams=20_000, rng=np.random.default_rng(8))
    counts = np.bincount(vocabulary.encode("".join(generation.texts)), minlength=vocabulary.size)
    expected = generator.next_distribution("hear", 0.7)
    np.testing.assert_allclose(counts / counts.sum(), expected, atol=0.015)
    # The recorded entropy is the tempered distribution's.
    assert generation.entropies[0, 0] == pytest.approx(textgen.entropy(expected), abs=1e-4)


@pytest.mark.parametrize("units", [16, [16, 12]])
def test_generated_log_likelihood_at_any_temperature_is_the_models(units):
    import keras

    keras.utils.set_random_seed(5)
    vocabulary = textgen.CharVocabulary.from_text(TEXT)
    model = recipe.build_model(vocabulary.size, units) if isinstance(units, int) else variant(vocabulary.size, units)
    generator = textgen.OneStep(model, vocabulary)
    generation = generator.generate("hear", 10, temperature=1.5, rng=np.random.default_rng(2))
    ids = vocabulary.encode("hear" + generation.texts[0])
    log_probabilities = np.log(textgen.apply_temperature(model.predict(ids[None, :-1], verbose=0)[0]))
    np.testing.assert_allclose(generation.log_likelihoods[:, 0],
                               log_probabilities[np.arange(len(ids) - 1), ids[1:]][3:], atol=1e-4)


def test_carried_state_loss_reads_each_piece_whole(tiny_model):
    model, vocabulary = tiny_model
    generator = textgen.OneStep(model, vocabulary)
    ids = vocabulary.encode(TEXT * 2)
    result = textgen.carried_state_loss(generator, ids, streams=3)
    piece = len(ids) // 3
    pieces = ids[:3 * piece].reshape(3, piece)
    log_probabilities = np.log(textgen.apply_temperature(model.predict(pieces[:, :-1], verbose=0)))
    expected = -np.take_along_axis(log_probabilities, pieces[:, 1:, None], axis=-1).mean()
    assert result["loss"] == pytest.approx(expected, abs=1e-4)
    assert (result["characters"], result["piece_length"]) == (3 * (piece - 1), piece)
    with pytest.raises(ValueError, match="two characters"):
        textgen.carried_state_loss(generator, ids[:5], streams=3)


# ------------------------------------------------------------------ verdicts


# ------------------------------------------------------------------ figures

def test_figures_have_titles_and_labels(tiny_model):
    import matplotlib.pyplot as plt

    model, vocabulary = tiny_model
    fig = textgen.plot_temperature_distribution(np.linspace(0, 3, vocabulary.size), vocabulary, context="hear me")
    assert fig.axes[0].get_title() and fig.axes[0].get_ylabel() == "probability"
    plt.close(fig)
    rows = [{"temperature": t, "entropy": t, "word_share": 1 - t / 2, "distinct_ngrams": t / 2, "nll": t}
            for t in (0.5, 1.0)]
    fig = textgen.plot_temperature_metrics(rows)
    assert len(fig.axes) == 4 and all(ax.get_xlabel() for ax in fig.axes)
    plt.close(fig)
    fig = textgen.plot_loss({"loss": [2.0, 1.5], "val_loss": [2.1, 1.7]})
    assert "nats" in fig.axes[0].get_ylabel()
    plt.close(fig)


# ---------------------------------------------------------------- real data

def test_shakespeare_vocabulary_round_trip(real_data):
    from dlbook import data

    text = data.load_shakespeare()
    vocabulary = textgen.CharVocabulary.from_text(text)
    assert vocabulary.size == 65
    assert vocabulary.decode(vocabulary.encode(text[:5000])) == text[:5000]
    train, validation, test = textgen.split_text(text)
    assert len(validation) == pytest.approx(0.1 * len(text), abs=1) and text.endswith(validation)
    assert len(test) == pytest.approx(0.05 * len(text), abs=1) and text.startswith(test)


def test_encode_splits_keeps_the_whole_validation_and_test_parts():
    text = "abcdefghij" * 10
    vocabulary = textgen.CharVocabulary.from_text(text)
    train_ids, validation_ids, test_ids = textgen.encode_splits(text, vocabulary, validation_fraction=0.2,
                                                                test_fraction=0.1)
    assert (len(train_ids), len(validation_ids), len(test_ids)) == (70, 20, 10)
    assert vocabulary.decode(test_ids) == text[:10] and vocabulary.decode(validation_ids) == text[80:]
    short_train, same_validation, same_test = textgen.encode_splits(
        text, vocabulary, train_chars=15, validation_fraction=0.2, test_fraction=0.1)
    assert vocabulary.decode(short_train) == text[10:25]
    np.testing.assert_array_equal(same_validation, validation_ids)
    np.testing.assert_array_equal(same_test, test_ids)
    with pytest.raises(ValueError, match="train_chars"):
        textgen.encode_splits(text, vocabulary, train_chars=1)


def test_steps_per_epoch_matches_the_training_pipeline() -> None:
    ids = np.arange(10_000) % 7
    for length, batch in [(100, 16), (50, 8), (9, 3)]:
        dataset = textgen.make_dataset(ids, sequence_length=length, batch_size=batch, shuffle=True)
        assert textgen.steps_per_epoch(len(ids), length, batch) == sum(1 for _ in dataset)
    assert textgen.steps_per_epoch(100, 100, 1) == 0
    with pytest.raises(ValueError):
        textgen.steps_per_epoch(100, 0, 1)


def test_compile_model_follows_a_cosine_schedule_and_clips_gradients() -> None:
    """The chapter's compile_model: Adam from the peak step size down to 5 % of it over schedule_epochs epochs."""
    import keras

    model = recipe.build_model(12, 8)
    recipe.compile_model(model, steps_per_epoch=10)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.Adam) and optimizer.clipnorm == 1.0
    schedule = optimizer._learning_rate  # the schedule itself, not its current value
    total = recipe.schedule_epochs * 10
    assert float(schedule(0)) == pytest.approx(recipe.learning_rate)
    assert float(schedule(total // 2)) == pytest.approx(recipe.learning_rate * (0.05 + 0.95 * 0.5), rel=1e-5)
    assert float(schedule(total)) == pytest.approx(recipe.learning_rate * 0.05, rel=1e-5)
    assert model.loss.get_config()["from_logits"]


def test_the_recipe_puts_dropout_after_the_lstm_and_one_step_ignores_it() -> None:
    model = recipe.build_model(12, 8)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Embedding", "LSTM", "Dropout", "Dense"]
    assert model.layers[1].output_dim == recipe.embedding_dim and model.layers[3].rate == recipe.dropout
    assert model.layers[2].return_sequences and model.layers[-1].units == 12
    vocabulary = textgen.CharVocabulary.from_text("abcdefghijkl")
    assert textgen.OneStep(model, vocabulary).units == [8]
    stacked = textgen.OneStep(variant(12, [8, 6], dropout=0.5), vocabulary)
    assert stacked.units == [8, 6]
