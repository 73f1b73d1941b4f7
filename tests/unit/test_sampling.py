"""dlbook.sampling: top-k and nucleus truncation, seeded sampling, and their measurements, without training."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import sampling, textgen

PROBABILITIES = np.array([0.05, 0.4, 0.1, 0.25, 0.2])  # ranked: 1, 3, 4, 2, 0


def test_top_k_keeps_exactly_the_k_most_likely_and_renormalises() -> None:
    for k in range(1, 5):
        kept = sampling.top_k(PROBABILITIES, k)
        expected = np.zeros(5)
        ranked = [1, 3, 4, 2, 0][:k]
        expected[ranked] = PROBABILITIES[ranked] / PROBABILITIES[ranked].sum()
        np.testing.assert_allclose(kept, expected)
        assert np.count_nonzero(kept) == k
        assert kept.sum() == pytest.approx(1.0)


def test_top_k_breaks_ties_to_keep_exactly_k() -> None:
    kept = sampling.top_k(np.full(4, 0.25), 2)
    assert np.count_nonzero(kept) == 2
    np.testing.assert_allclose(kept, [0.5, 0.5, 0, 0])


def test_top_k_works_row_by_row_and_on_logits() -> None:
    rows = np.array([PROBABILITIES, PROBABILITIES[::-1]])
    kept = sampling.top_k(rows, 2)
    assert kept[0].nonzero()[0].tolist() == [1, 3]
    assert kept[1].nonzero()[0].tolist() == [1, 3] and kept[1, 3] > kept[1, 1]  # 0.4 and 0.25
    logits = np.log(PROBABILITIES) + 3.0  # the same distribution, shifted logits
    np.testing.assert_allclose(sampling.top_k(logits, 3, from_logits=True), sampling.top_k(PROBABILITIES, 3))


def test_top_k_at_or_beyond_the_vocabulary_keeps_everything() -> None:
    for k in (5, 6, 1000):
        np.testing.assert_allclose(sampling.top_k(PROBABILITIES, k), PROBABILITIES)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_top_k_refuses_a_k_that_is_not_a_positive_integer(k) -> None:
    with pytest.raises(ValueError, match="k must be"):
        sampling.top_k(PROBABILITIES, k)


def test_probabilities_that_are_not_a_distribution_are_refused() -> None:
    with pytest.raises(ValueError, match="from_logits"):
        sampling.top_k(np.array([2.0, 1.0, 0.5]), 2)  # logits passed as probabilities
    with pytest.raises(ValueError, match="from_logits"):
        sampling.nucleus(np.array([1.2, -0.2]), 0.5)


@pytest.mark.parametrize("p, kept_ids", [
    (0.3, [1]),           # the most likely id alone reaches 0.4
    (0.4, [1]),           # exactly p: the set already sums to at least p
    (0.41, [1, 3]),
    (0.65, [1, 3]),
    (0.66, [1, 3, 4]),
    (0.9, [1, 3, 4, 2]),
    (0.96, [1, 3, 4, 2, 0]),
])
def test_nucleus_keeps_the_smallest_set_that_reaches_p(p: float, kept_ids: list[int]) -> None:
    kept = sampling.nucleus(PROBABILITIES, p)
    assert sorted(kept.nonzero()[0].tolist()) == sorted(kept_ids)
    assert PROBABILITIES[kept_ids].sum() >= p - 1e-12
    # Smallest: dropping the least likely kept id falls short of p.
    assert PROBABILITIES[kept_ids[:-1]].sum() < p
    np.testing.assert_allclose(kept[kept_ids], PROBABILITIES[kept_ids] / PROBABILITIES[kept_ids].sum())
    assert kept.sum() == pytest.approx(1.0)


def test_nucleus_with_p_one_keeps_every_id() -> None:
    np.testing.assert_allclose(sampling.nucleus(PROBABILITIES, 1.0), PROBABILITIES)
    tail = np.array([1 - 3e-17, 1e-17, 1e-17, 1e-17])  # rounding must not drop a tiny tail at p = 1
    assert np.count_nonzero(sampling.nucleus(tail, 1.0)) == 4


def test_nucleus_grows_where_the_model_is_unsure() -> None:
    sure = np.array([0.9, 0.05, 0.03, 0.02])
    unsure = np.full(4, 0.25)
    assert np.count_nonzero(sampling.nucleus(sure, 0.8)) == 1
    assert np.count_nonzero(sampling.nucleus(unsure, 0.8)) == 4
    both = sampling.nucleus(np.array([sure, unsure]), 0.8)
    assert np.count_nonzero(both, axis=-1).tolist() == [1, 4]


@pytest.mark.parametrize("p", [0.0, -0.1, 1.01])
def test_nucleus_refuses_p_outside_zero_one(p: float) -> None:
    with pytest.raises(ValueError, match="p must lie"):
        sampling.nucleus(PROBABILITIES, p)


def test_sampling_never_draws_a_truncated_id_and_follows_the_probabilities() -> None:
    rng = np.random.default_rng(0)
    kept = sampling.top_k(PROBABILITIES, 2)
    draws = sampling.sample(np.tile(kept, (20_000, 1)), rng)
    assert set(np.unique(draws).tolist()) == {1, 3}
    assert np.mean(draws == 1) == pytest.approx(kept[1], abs=0.015)
    logits = np.log(PROBABILITIES)
    assert set(sampling.sample_top_k(np.tile(logits, (500, 1)), 1, rng).tolist()) == {1}
    assert set(sampling.sample_nucleus(np.tile(logits, (500, 1)), 0.65, rng).tolist()) == {1, 3}


def test_seeded_sampling_is_reproducible_and_the_seed_matters() -> None:
    logits = np.tile(np.log(PROBABILITIES), (200, 1))

    def draws(seed: int) -> list[int]:
        return sampling.sample_nucleus(logits, 0.9, np.random.default_rng(seed)).tolist()

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_sampling_an_untruncated_distribution_matches_temperature_sampling() -> None:
    """One seed, one draw per row: with nothing cut, the same ids as textgen.sample_next at T = 1."""
    logits = np.random.default_rng(3).normal(size=(50, 5))
    expected = textgen.sample_next(logits, 1.0, np.random.default_rng(11))
    got = sampling.sample(textgen.apply_temperature(logits), np.random.default_rng(11))
    assert got.tolist() == expected.tolist()


# ------------------------------------------------------ generation and measurement

@pytest.fixture(scope="module")
def generator() -> textgen.OneStep:
    """An untrained, tiny character model: generation needs weights, not good ones."""
    import keras

    from dlbook.recipes import text_generation as recipe

    keras.utils.set_random_seed(0)
    vocabulary = textgen.CharVocabulary.from_text("ab cd\nEF:")
    return textgen.OneStep(recipe.build_model(vocabulary.size, 8), vocabulary)  # the chapter's model, 8 units


def test_generate_with_nothing_cut_is_the_stateful_generators_own_sample(generator: textgen.OneStep) -> None:
    ours = sampling.generate(generator, "ab", 40, lambda p: sampling.top_k(p, 100), streams=3,
                             rng=np.random.default_rng(5))
    theirs = generator.generate("ab", 40, temperature=1.0, streams=3, rng=np.random.default_rng(5))
    assert ours.texts == theirs.texts
    np.testing.assert_allclose(ours.entropies, theirs.entropies, atol=1e-6)
    np.testing.assert_allclose(ours.log_likelihoods, theirs.log_likelihoods, atol=1e-5)


def test_generate_draws_only_kept_characters(generator: textgen.OneStep) -> None:
    generation = sampling.generate(generator, "ab", 60, lambda p: sampling.top_k(p, 1), streams=2)
    greedy = generator.generate("ab", 60, streams=2, greedy=True)
    assert generation.texts == greedy.texts  # k = 1 is the argmax
    assert np.allclose(generation.entropies, 0.0)
    assert (generation.log_likelihoods <= 0).all()
    with pytest.raises(ValueError, match="shape"):
        sampling.generate(generator, "ab", 5, lambda p: p[0])


def test_measure_uses_the_temperature_tables_quantities() -> None:
    generation = textgen.Generation(["the the the the", "thou art my lord"],
                                    entropies=np.array([[1.0, 2.0]]), log_likelihoods=np.array([[-1.0, -3.0]]),
                                    seconds=1.0)
    known = {"the", "my", "lord"}
    measured = sampling.measure(generation, known)
    assert measured["word_share"] == pytest.approx((1.0 + 0.5) / 2)
    assert measured["distinct_ngrams"] == pytest.approx((1 / 3 + 1.0) / 2)
    assert measured["entropy"] == pytest.approx(1.5) and measured["nll"] == pytest.approx(2.0)
    assert sampling.measure(generation, known, n=1)["distinct_ngrams"] == pytest.approx((0.25 + 1.0) / 2)


def test_sampling_table_has_a_row_per_setting(generator: textgen.OneStep) -> None:
    table = sampling.sampling_table(generator, "ab", {"ab", "cd"}, ks=(1, 3), ps=(0.5,), length=30, streams=2)
    assert [(row["method"], row["setting"]) for row in table["rows"]] == [
        ("top-k", "k = 1"), ("top-k", "k = 3"), ("nucleus", "p = 0.5")]
    assert set(table["rows"][0]) >= {"word_share", "distinct_ngrams", "entropy", "nll", "parameter"}
    assert table["rows"][0]["entropy"] == pytest.approx(0.0)
    assert table["length"] == 30 and table["streams"] == 2 and len(table["samples"]) == 3
    again = sampling.sampling_table(generator, "ab", {"ab", "cd"}, ks=(1, 3), ps=(0.5,), length=30, streams=2)
    assert again["samples"] == table["samples"]  # seeded


def test_the_trade_off_figure_shows_every_method_in_its_legend() -> None:
    temperature_rows = [{"temperature": t, "word_share": w, "distinct_ngrams": d}
                        for t, w, d in ((0.2, 0.95, 0.2), (0.5, 0.8, 0.7), (1.0, 0.5, 0.99), (1.5, 0.2, 1.0))]
    rows = [{"method": "top-k", "setting": "k = 5", "word_share": 0.65, "distinct_ngrams": 0.95},
            {"method": "nucleus", "setting": "p = 0.9", "word_share": 0.6, "distinct_ngrams": 0.97}]
    fig = sampling.plot_tradeoff(temperature_rows, rows)
    assert len(fig.axes) == 2  # the points crowd: a zoom panel
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend == ["temperature", "top-k", "nucleus (top-p)"]
    assert fig.axes[0].get_title() and fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    labels = {text.get_text() for text in fig.axes[1].texts}
    assert {"k = 5", "p = 0.9", "T = 1"} <= labels
    assert len(sampling.plot_tradeoff(temperature_rows).axes) == 1  # temperatures alone
