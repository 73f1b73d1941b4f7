"""Tests for dlbook.textgen: vocabulary, datasets, temperature sampling, the stateful generator."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import textgen

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"


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


def test_split_text_holds_out_the_end():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    train, validation = textgen.split_text(text, 0.1)
    assert train + validation == text
    assert len(validation) == 100
    with pytest.raises(ValueError):
        textgen.split_text(text, 0.0)


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
    model = textgen.build_model(vocabulary.size, embedding_dim=8, units=16)
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

    model = textgen.build_model(30, units=16, one_hot=True)
    assert not any(isinstance(layer, keras.layers.Embedding) for layer in model.layers)
    # Input weights: 30 one-hot inputs -> 4 gates of 16 units.
    assert model.get_layer("lstm").cell.kernel.shape == (30, 64)
    assert model(np.zeros((2, 5), dtype=np.int32)).shape == (2, 5, 30)


@pytest.mark.parametrize("one_hot, units", [(False, 16), (True, 16), (False, [16, 12])])
def test_stateful_generator_matches_the_full_model(one_hot, units):
    import keras

    keras.utils.set_random_seed(3)
    vocabulary = textgen.CharVocabulary.from_text(TEXT)
    model = textgen.build_model(vocabulary.size, embedding_dim=8, units=units, one_hot=one_hot)
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
    text, seconds = textgen.naive_generate(recording, vocabulary, seed, 5, window=10, rng=np.random.default_rng(0))
    assert len(text) == 5 and seconds > 0 and set(text) <= set(vocabulary.characters)
    # Every step reads exactly the last 10 characters: the seed's end, then what it generated.
    full = vocabulary.encode(seed + text)
    assert len(recording.contexts) == 5
    for step, context in enumerate(recording.contexts):
        np.testing.assert_array_equal(context, full[None, len(seed) + step - 10:len(seed) + step])
    # So text before the window changes nothing: another start, same last 10 characters.
    other, _ = textgen.naive_generate(model, vocabulary, "hear me " + seed[-10:], 5, window=10,
                                      rng=np.random.default_rng(0))
    assert other == text
    # A short seed is read whole.
    short = _Recording(model)
    textgen.naive_generate(short, vocabulary, "hear", 2, window=10, rng=np.random.default_rng(0))
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


def test_time_generators_reports_both_speeds(tiny_model):
    model, vocabulary = tiny_model
    timing = textgen.time_generators(model, vocabulary, "hear", stateful_length=200, naive_length=4, window=8,
                                     repeats=1)
    assert set(timing) == {"stateful_chars_per_second", "naive_chars_per_second", "speedup", "stateful_length",
                           "naive_length", "window"}
    assert (timing["stateful_length"], timing["naive_length"], timing["window"]) == (200, 4, 8)
    assert np.isfinite(timing["stateful_chars_per_second"]) and timing["naive_chars_per_second"] > 0
    assert timing["speedup"] == pytest.approx(timing["stateful_chars_per_second"] / timing["naive_chars_per_second"])
    # One NumPy LSTM step beats a model.predict call per character by far.
    assert timing["speedup"] > 1


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
    train, validation = textgen.split_text(text)
    assert len(validation) == pytest.approx(0.1 * len(text), abs=1)


def test_encode_splits_keeps_the_whole_validation_end():
    text = "abcdefghij" * 10
    vocabulary = textgen.CharVocabulary.from_text(text)
    train_ids, validation_ids = textgen.encode_splits(text, vocabulary, validation_fraction=0.2)
    assert len(train_ids) == 80 and len(validation_ids) == 20
    assert vocabulary.decode(validation_ids) == text[80:]
    short_train, same_validation = textgen.encode_splits(text, vocabulary, train_chars=15, validation_fraction=0.2)
    assert vocabulary.decode(short_train) == text[:15]
    np.testing.assert_array_equal(same_validation, validation_ids)
    with pytest.raises(ValueError, match="train_chars"):
        textgen.encode_splits(text, vocabulary, train_chars=1)
