"""Tests for dlbook.sentiment: vectorization, masking, threshold metrics, prediction on odd inputs."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import sentiment
from dlbook.recipes import sentiment as recipe

TEXTS = [
    "A wonderful film.<br /><br />I loved every minute of it!",
    "Terrible, boring and far too long.",
    "The acting was wonderful but the story was boring.",
    "I loved the music; the ending was terrible.",
]


@pytest.fixture(scope="module")
def vectorizer():
    return sentiment.build_vectorizer(TEXTS, vocab_size=50)


@pytest.fixture(scope="module")
def tiny_model():
    """An untrained but seeded masked LSTM classifier: the chapter's recipe on a vocabulary of 50 words."""
    import keras

    keras.utils.set_random_seed(0)
    model = recipe.build_model(50)
    # Non-zero weights everywhere, so every token moves the output.
    for weight in model.weights:
        weight.assign(np.random.default_rng(1).normal(0, 0.5, size=weight.shape).astype("float32"))
    return model


# ---------------------------------------------------------------- cleaning

def test_clean_review_removes_html_breaks():
    assert sentiment.clean_review("good.<br /><br />Bad<br/>ugly<BR>") == "good.  Bad ugly "


def test_clean_review_rejects_non_text():
    with pytest.raises(TypeError):
        sentiment.clean_review(3)  # type: ignore[arg-type]


def test_review_lengths_count_words_without_br():
    assert sentiment.review_lengths(["one two<br />three", ""]).tolist() == [3, 0]


# ----------------------------------------------------------- vectorization

def test_vocabulary_has_padding_unk_and_no_br(vectorizer):
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"]
    assert "br" not in vocabulary
    assert "wonderful" in vocabulary


def test_vectorize_shapes_padding_and_truncation(vectorizer):
    ids = sentiment.vectorize(vectorizer, ["wonderful", "boring " * 30, ""], 8)
    assert ids.shape == (3, 8)
    assert ids.dtype == np.int32
    # A one-word review is padded with zeros at the end ("post" padding).
    assert ids[0, 0] > 1 and (ids[0, 1:] == 0).all()
    # A long review is cut to the sequence length: no padding left.
    assert (ids[1] > 0).all()
    # An empty review is all padding.
    assert (ids[2] == 0).all()


def test_vectorize_truncating_keeps_the_end_or_the_start(vectorizer):
    vocabulary = vectorizer.get_vocabulary()
    text = "wonderful " * 10 + "boring terrible"
    kept_end = sentiment.vectorize(vectorizer, text, 4, truncating="pre")[0]
    kept_start = sentiment.vectorize(vectorizer, text, 4, truncating="post")[0]
    assert sentiment.decode(kept_end, vocabulary) == "wonderful wonderful boring terrible"
    assert sentiment.decode(kept_start, vocabulary) == "wonderful wonderful wonderful wonderful"
    # Short texts are padded at the end either way.
    short = sentiment.vectorize(vectorizer, "boring film", 4, truncating="pre")[0]
    assert short[:2].min() > 1 and (short[2:] == 0).all()
    with pytest.raises(ValueError):
        sentiment.vectorize(vectorizer, text, 4, truncating="middle")
    with pytest.raises(ValueError):
        sentiment.vectorize(vectorizer, text, 0)


def test_vectorize_batches_agree_with_one_call(vectorizer):
    texts = TEXTS * 5
    np.testing.assert_array_equal(
        sentiment.vectorize(vectorizer, texts, 8, batch_size=3), sentiment.vectorize(vectorizer, texts, 8)
    )


def test_vectorize_single_string_and_empty_list(vectorizer):
    assert sentiment.vectorize(vectorizer, "wonderful film", 8).shape == (1, 8)
    assert sentiment.vectorize(vectorizer, [], 8).shape == (0, 8)


def test_decode_round_trip(vectorizer):
    ids = sentiment.vectorize(vectorizer, "Wonderful, BORING film!<br />zyxxy", 8)
    vocabulary = vectorizer.get_vocabulary()
    assert sentiment.decode(ids[0], vocabulary) == "wonderful boring film [UNK]"
    assert sentiment.decode(ids[0], vocabulary, show_padding=True).endswith("[PAD]")
    with pytest.raises(ValueError):
        sentiment.decode([len(vocabulary)], vocabulary)


def test_build_vectorizer_rejects_bad_arguments():
    with pytest.raises(ValueError):
        sentiment.build_vectorizer(TEXTS, vocab_size=2)
    with pytest.raises(ValueError):
        sentiment.build_vectorizer([])


# ----------------------------------------------------------------- masking

def test_masking_makes_extra_padding_invisible(vectorizer, tiny_model):
    ids = sentiment.vectorize(vectorizer, TEXTS[1:3], 8)
    padded = np.concatenate([ids, np.zeros((len(ids), 40), dtype=np.int32)], axis=1)
    before = tiny_model.predict(ids, verbose=0)
    after = tiny_model.predict(padded, verbose=0)
    np.testing.assert_allclose(before, after, atol=1e-6)


def test_without_mask_padding_changes_predictions(vectorizer, tiny_model):
    """The control: the same weights without a mask do read the padding."""
    unmasked = recipe.build_model(50, mask_zero=False)
    unmasked.set_weights(tiny_model.get_weights())
    ids = sentiment.vectorize(vectorizer, TEXTS[1:3], 8)
    padded = np.concatenate([ids, np.zeros((len(ids), 40), dtype=np.int32)], axis=1)
    assert np.abs(unmasked.predict(ids, verbose=0) - unmasked.predict(padded, verbose=0)).max() > 1e-4


# --------------------------------------------------------------- thresholds

LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1])
SCORES = np.array([0.1, 0.35, 0.6, 0.8, 0.2, 0.55, 0.75, 0.9])


def test_threshold_metrics_on_known_example():
    table = sentiment.threshold_metrics(LABELS, SCORES, thresholds=(0.3, 0.5, 0.7))
    # 0.3: predicted positive = {0.35, 0.6, 0.8, 0.55, 0.75, 0.9}: TP 3, FP 3, FN 1, TN 1.
    first = table.iloc[0]
    assert (first.tp, first.fp, first.fn, first.tn) == (3, 3, 1, 1)
    assert first.precision == pytest.approx(0.5)
    assert first.recall == pytest.approx(0.75)
    assert first.f1 == pytest.approx(0.6)
    assert first.accuracy == pytest.approx(0.5)
    # 0.7: predicted positive = {0.8, 0.75, 0.9}: TP 2, FP 1.
    last = table.iloc[2]
    assert (last.tp, last.fp, last.fn, last.tn) == (2, 1, 2, 3)
    assert last.precision == pytest.approx(2 / 3)
    assert last.recall == pytest.approx(0.5)
    # Raising the threshold never raises recall.
    assert (np.diff(table.recall) <= 0).all()


def test_threshold_metrics_counts_a_threshold_equal_to_a_score_as_positive():
    table = sentiment.threshold_metrics([0, 1], [0.5, 0.5], thresholds=(0.5,))
    assert (table.tp[0], table.fp[0]) == (1, 1)


def test_threshold_metrics_with_no_positive_predictions():
    table = sentiment.threshold_metrics(LABELS, SCORES, thresholds=(1.0,))
    assert table.precision[0] == 0.0 and table.recall[0] == 0.0 and table.tn[0] == 4


def test_threshold_metrics_rejects_bad_input():
    with pytest.raises(ValueError):
        sentiment.threshold_metrics([0, 1], [0.5])
    with pytest.raises(ValueError):
        sentiment.threshold_metrics([0, 2], [0.5, 0.5])
    with pytest.raises(ValueError):
        sentiment.threshold_metrics([0, 1], [0.5, 0.5], thresholds=(1.5,))


def test_threshold_for_precision_picks_lowest_threshold_reaching_target():
    # At 0.75 the positives called are {0.75, 0.8, 0.9}: precision 2/3; at 0.9 it is 1.
    assert sentiment.threshold_for_precision(LABELS, SCORES, 0.6) == pytest.approx(0.55)
    assert sentiment.threshold_for_precision(LABELS, SCORES, 0.7) == pytest.approx(0.9)
    with pytest.raises(ValueError):
        sentiment.threshold_for_precision(LABELS, SCORES, 0.0)
    with pytest.raises(ValueError, match="No scores"):
        sentiment.threshold_for_precision([], [], 0.9)


def test_threshold_for_precision_does_not_warn_when_the_target_is_reached():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sentiment.threshold_for_precision(LABELS, SCORES, 1.0) == pytest.approx(0.9)


def test_an_unreachable_target_warns_and_gives_the_lowest_of_the_most_precise_thresholds():
    """A barely trained model (a smoke test) reaches no high target: the chapter still runs, and is told so."""
    # Precision by threshold: 0.2 -> 2/4, 0.4 -> 2/3, 0.6 -> 1/2, 0.8 -> 0/1 (the top score is a negative's).
    labels, scores = np.array([0, 1, 1, 0]), np.array([0.2, 0.4, 0.6, 0.8])
    with pytest.warns(sentiment.PrecisionNotReachedWarning, match=r"precision of 0.95; the best is 0.667"):
        threshold = sentiment.threshold_for_precision(labels, scores, 0.95)
    assert threshold == pytest.approx(0.4)
    # It is what the table reports as the best precision, and every lower threshold is less precise.
    table = sentiment.threshold_metrics(labels, scores, scores)
    best = table["precision"].max()
    assert table.set_index("threshold").loc[threshold, "precision"] == pytest.approx(best) == pytest.approx(2 / 3)
    assert (table[table["threshold"] < threshold]["precision"] < best).all()
    # Ties: the lowest of the thresholds with the best precision, which keeps the most recall.
    # Precision: 0.1 -> 4/8, 0.2 -> 3/7, 0.3 -> 3/6, 0.4 -> 2/5, 0.5 -> 2/4, 0.6 -> 1/3, 0.7 -> 1/2, 0.8 -> 0.
    with pytest.warns(sentiment.PrecisionNotReachedWarning, match="the best is 0.500"):
        assert sentiment.threshold_for_precision([1, 0] * 4, np.arange(1, 9) / 10, 0.9) == pytest.approx(0.1)
    with pytest.warns(sentiment.PrecisionNotReachedWarning):
        assert sentiment.threshold_for_precision([1, 0], [0.1, 0.9], 1.0) == pytest.approx(0.1)


# ---------------------------------------------------------------- imbalance

def test_imbalanced_indices_keep_negatives_and_reach_fraction():
    labels = np.array([0] * 90 + [1] * 90)
    indices = sentiment.imbalanced_indices(labels, 0.1, seed=3)
    kept = labels[indices]
    assert (kept == 0).sum() == 90
    assert (kept == 1).sum() == 10
    assert len(set(indices.tolist())) == len(indices)
    np.testing.assert_array_equal(indices, sentiment.imbalanced_indices(labels, 0.1, seed=3))
    with pytest.raises(ValueError):
        sentiment.imbalanced_indices(labels, 0.0)
    with pytest.raises(ValueError):
        sentiment.imbalanced_indices(np.array([0] * 10 + [1]), 0.5)


def test_balanced_class_weight_upweights_minority():
    weights = sentiment.balanced_class_weight([0] * 9 + [1])
    assert weights[0] == pytest.approx(10 / 18)
    assert weights[1] == pytest.approx(5.0)


# --------------------------------------------------------------- prediction

@pytest.mark.parametrize("text", [
    "",
    "!!! ... ???",
    "wonderful " * 20_000,  # 200,000 characters
    "😀😀🎬👍",
    "Ce film était magnifique, je l'ai adoré.",
    "这部电影非常好看",
    "wonderful",
])
def test_predict_sentiment_on_edge_cases(vectorizer, tiny_model, text):
    probabilities = sentiment.predict_sentiment(tiny_model, vectorizer, [text])
    assert probabilities.shape == (1,)
    assert np.isfinite(probabilities).all()
    assert 0.0 <= probabilities[0] <= 1.0


def test_predict_sentiment_batches_and_single_string(vectorizer, tiny_model):
    many = sentiment.predict_sentiment(tiny_model, vectorizer, TEXTS)
    assert many.shape == (len(TEXTS),) and many.dtype == np.float64
    one = sentiment.predict_sentiment(tiny_model, vectorizer, TEXTS[0])
    np.testing.assert_allclose(one, many[:1], atol=1e-6)
    assert sentiment.predict_sentiment(tiny_model, vectorizer, []).shape == (0,)
    # Text with no tokens is fully masked: every such text gets the same answer.
    empty, punctuation = sentiment.predict_sentiment(tiny_model, vectorizer, ["", "?!"])
    assert empty == pytest.approx(punctuation)


def test_predict_sentiment_rejects_non_text(vectorizer, tiny_model):
    with pytest.raises(TypeError):
        sentiment.predict_sentiment(tiny_model, vectorizer, [None])  # type: ignore[list-item]


# ------------------------------------------------------------ real data

def test_load_imdb_splits_sizes_balance_and_disjointness(real_data):
    splits = sentiment.load_imdb_splits(train_size=1_000, validation_size=500, test_size=700)
    assert len(splits.train_texts) == len(splits.train_labels) == 1_000
    assert len(splits.val_texts) == len(splits.val_labels) == 500
    assert len(splits.test_texts) == len(splits.test_labels) == 700
    # Shuffled before subsetting: both classes present in roughly equal numbers.
    assert 0.4 < splits.train_labels.mean() < 0.6
    assert 0.4 < splits.test_labels.mean() < 0.6
    assert not set(splits.train_texts) & set(splits.val_texts)
    # The quick profile's training reviews are a prefix of the full profile's.
    larger = sentiment.load_imdb_splits(train_size=2_000, validation_size=500, test_size=700)
    assert larger.train_texts[:1_000] == splits.train_texts
    assert larger.val_texts == splits.val_texts
    with pytest.raises(ValueError):
        sentiment.load_imdb_splits(train_size=25_000, validation_size=500)


# ----------------------------------------------------------------- baseline

def test_baseline_probabilities_learns_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_CACHE", str(tmp_path))
    train = ["good great film<br />good", "great good fun", "bad awful film", "awful bad boring"] * 5
    labels = np.array([1, 1, 0, 0] * 5)
    first = sentiment.baseline_probabilities(train, labels, {"new": ["good great", "awful bad"]})
    assert first["new"].shape == (2,)
    assert first["new"][0] > 0.5 > first["new"][1]
    assert first["seconds"] >= 0
    assert list((tmp_path / "results").glob("sentiment-tfidf-baseline-*.json"))
    # The second call reads the cache: same scores, same recorded fitting time.
    second = sentiment.baseline_probabilities(train, labels, {"new": ["good great", "awful bad"]})
    np.testing.assert_array_equal(first["new"], second["new"])
    assert second["seconds"] == first["seconds"]


def test_build_baseline_uses_bigrams():
    pipeline = sentiment.build_baseline()
    assert pipeline.steps[0][1].ngram_range == (1, 2)
    assert sentiment.build_baseline({"C": 0.5}).steps[1][1].C == 0.5


# The NBSVM baseline: three features (good, bad, film), two positive and two
# negative reviews. good is only in positive ones, bad only in negative ones,
# film in all, so p = 1 + [2, 0, 2] and q = 1 + [0, 2, 2], both summing to 7.
NB_COUNTS = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], dtype=np.float64)
NB_LABELS = np.array([1, 1, 0, 0])


def test_log_count_ratio_signs_and_values():
    ratio = sentiment.LogCountRatio().fit(NB_COUNTS, NB_LABELS)
    np.testing.assert_allclose(ratio.log_count_ratio_, [np.log(3), -np.log(3), 0.0], atol=1e-12)
    assert ratio.n_features_in_ == 3 and ratio.classes_.tolist() == [0, 1]
    # Swapping which class is positive flips every sign; alpha smooths toward zero.
    flipped = sentiment.LogCountRatio().fit(NB_COUNTS, 1 - NB_LABELS).log_count_ratio_
    np.testing.assert_allclose(flipped, -ratio.log_count_ratio_, atol=1e-12)
    smoother = sentiment.LogCountRatio(alpha=10.0).fit(NB_COUNTS, NB_LABELS).log_count_ratio_
    assert 0 < smoother[0] < np.log(3)
    # String labels: the second in sorted order ("pos") is the positive class.
    named = sentiment.LogCountRatio().fit(NB_COUNTS, np.array(["pos", "pos", "neg", "neg"]))
    np.testing.assert_allclose(named.log_count_ratio_, ratio.log_count_ratio_)


def test_log_count_ratio_agrees_with_multinomial_naive_bayes():
    from sklearn.naive_bayes import MultinomialNB

    rng = np.random.default_rng(0)
    counts, labels = rng.integers(0, 3, size=(40, 7)).astype(float), rng.integers(0, 2, size=40)
    for alpha in (1.0, 0.5):
        naive_bayes = MultinomialNB(alpha=alpha).fit(counts, labels)
        ratio = sentiment.LogCountRatio(alpha=alpha).fit(counts, labels)
        np.testing.assert_allclose(ratio.log_count_ratio_, naive_bayes.feature_log_prob_[1]
                                   - naive_bayes.feature_log_prob_[0], rtol=1e-10)


def test_log_count_ratio_keeps_sparse_input_sparse():
    import scipy.sparse as sp

    counts = sp.csr_matrix(NB_COUNTS)
    ratio = sentiment.LogCountRatio().fit(counts, NB_LABELS)
    scaled = ratio.transform(counts)
    assert sp.issparse(scaled) and scaled.nnz <= counts.nnz  # film's ratio is 0: a dropped entry at most.
    np.testing.assert_allclose(scaled.toarray(), NB_COUNTS * ratio.log_count_ratio_, atol=1e-12)
    # Dense in, dense out, same numbers; float32 stays float32 (the pipeline's dtype).
    np.testing.assert_allclose(ratio.transform(NB_COUNTS), scaled.toarray())
    assert ratio.transform(counts.astype(np.float32)).dtype == np.float32
    assert sp.issparse(ratio.transform(counts.tocsc()))


def test_log_count_ratio_checks_its_input():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        sentiment.LogCountRatio().transform(NB_COUNTS)
    ratio = sentiment.LogCountRatio().fit(NB_COUNTS, NB_LABELS)
    with pytest.raises(ValueError, match="3 features"):
        ratio.transform(NB_COUNTS[:, :2])
    with pytest.raises(ValueError, match="1 class"):
        sentiment.LogCountRatio().fit(NB_COUNTS, np.ones(4))
    with pytest.raises(ValueError, match="3 classes"):
        sentiment.LogCountRatio().fit(NB_COUNTS, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="Negative values"):
        sentiment.LogCountRatio().fit(-NB_COUNTS, NB_LABELS)
    with pytest.raises(ValueError, match="alpha"):
        sentiment.LogCountRatio(alpha=0.0).fit(NB_COUNTS, NB_LABELS)


SMALL_TRAIN = ["good great film<br />good", "great good fun", "bad awful film", "awful bad boring"] * 5
SMALL_LABELS = np.array([1, 1, 0, 0] * 5)


def test_nbsvm_baseline_fits_and_predicts():
    pipeline = sentiment.build_nbsvm_baseline()
    vectorizer, ratio, classifier = (step for _, step in pipeline.steps)
    assert vectorizer.binary and vectorizer.ngram_range == (1, 2)
    assert isinstance(ratio, sentiment.LogCountRatio) and classifier.C == sentiment.NBSVM_SETTINGS["C"]
    pipeline.fit([sentiment.clean_review(text) for text in SMALL_TRAIN], SMALL_LABELS)
    assert pipeline.predict(["good great", "awful bad", "great fun", "boring bad"]).tolist() == [1, 0, 1, 0]
    names = pipeline[:-1].get_feature_names_out().tolist()
    assert "good great" in names and "br" not in names  # Bigrams kept, HTML breaks cleaned away.
    weights = dict(zip(names, ratio.log_count_ratio_))
    assert weights["good"] > 0 > weights["bad"]
    assert sentiment.build_nbsvm_baseline({"C": 0.5}).steps[-1][1].C == 0.5


def test_baseline_probabilities_of_the_nbsvm_kind(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_CACHE", str(tmp_path))
    scores = sentiment.baseline_probabilities(SMALL_TRAIN, SMALL_LABELS, {"new": ["good great", "awful bad"]},
                                              kind="nbsvm")
    assert scores["new"][0] > 0.5 > scores["new"][1]
    assert list((tmp_path / "results").glob("sentiment-nbsvm-baseline-*.json"))
    assert not list((tmp_path / "results").glob("sentiment-tfidf-baseline-*.json"))
    with pytest.raises(ValueError, match="'tfidf' or 'nbsvm'"):
        sentiment.baseline_probabilities(SMALL_TRAIN, SMALL_LABELS, {}, kind="svm")


def test_baseline_scores_equal_each_pipeline_and_count_the_texts_once(tmp_path, monkeypatch):
    """Sharing one count between the baselines changes no prediction, and tokenizes the texts once."""
    from sklearn.feature_extraction.text import CountVectorizer

    monkeypatch.setenv("DLBOOK_CACHE", str(tmp_path))
    new = ["good great", "awful bad", "great fun film", "boring bad film", "good"]
    calls = []
    fit_transform = CountVectorizer.fit_transform

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return fit_transform(self, *args, **kwargs)

    monkeypatch.setattr(CountVectorizer, "fit_transform", counting)
    scores = sentiment.baseline_scores(SMALL_TRAIN, SMALL_LABELS, {"new": new})
    assert calls == ["CountVectorizer"]
    monkeypatch.setattr(CountVectorizer, "fit_transform", fit_transform)
    cleaned = [sentiment.clean_review(text) for text in SMALL_TRAIN]
    for kind, build in [("tfidf", sentiment.build_baseline), ("nbsvm", sentiment.build_nbsvm_baseline)]:
        expected = build().fit(cleaned, SMALL_LABELS).predict_proba(new)[:, 1]
        np.testing.assert_allclose(scores[kind]["new"], expected, rtol=1e-6)
        assert scores[kind]["seconds"] >= 0
    # Settings of one kind reach that kind only.
    weaker = sentiment.baseline_scores(SMALL_TRAIN, SMALL_LABELS, {"new": new}, settings={"tfidf": {"C": 0.01}})
    np.testing.assert_array_equal(weaker["nbsvm"]["new"], scores["nbsvm"]["new"])
    assert np.ptp(weaker["tfidf"]["new"]) < np.ptp(scores["tfidf"]["new"])


def test_after_counting_needs_a_count_vectorizer():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(TypeError, match="CountVectorizer"):
        sentiment._after_counting(make_pipeline(StandardScaler(), LogisticRegression()))


def test_build_model_is_the_chapter_architecture():
    model = recipe.build_model(50)
    embedding, lstm, dense = model.layers
    assert embedding.input_dim == 50 and embedding.output_dim == recipe.embedding_dim == 64
    assert embedding.mask_zero and lstm.units == recipe.units == 64 and lstm.dropout == pytest.approx(0.2)
    assert dense.activation.__name__ == "sigmoid" and model.optimizer is not None
    assert float(model.optimizer.learning_rate) == pytest.approx(recipe.learning_rate)
    assert not recipe.build_model(50, mask_zero=False).layers[0].mask_zero


def seeded_classifier():
    """The tiny classifier, seeded: the same initial weights, hence the same cache key, each time."""
    import keras

    keras.utils.set_random_seed(0)
    return recipe.build_model(50)


def test_fit_classifier_trains_once_with_early_stopping(vectorizer):
    x = sentiment.vectorize(vectorizer, TEXTS * 8, sequence_length=12)
    y = np.array([1, 0, 0, 1] * 8)
    model = seeded_classifier()
    run = sentiment.fit_classifier(model, x, y, (x, y), name="tiny-classifier", epochs=2)
    assert not run.cached and 1 <= run.epochs <= 2 and "val_accuracy" in run.history
    loaded = sentiment.fit_classifier(seeded_classifier(),
                                      x, y, (x, y), name="tiny-classifier", epochs=2, missing="raise")
    assert loaded.cached and loaded.key == run.key
    weighted = sentiment.fit_classifier(seeded_classifier(),
                                        x, y, (x, y), name="tiny-classifier", epochs=2,
                                        early_stopping=False, class_weight={0: 1.0, 1: 3.0})
    assert not weighted.cached and weighted.key != run.key and weighted.epochs == 2


# ------------------------------------------------------------------ verdicts
# Every branch, with synthetic numbers, so the full profile's wording is tested too.


def test_median_words_rounds_once_for_both_pages() -> None:
    assert sentiment.median_words([100, 173, 176, 300]) == 174  # np.median 174.5 rounds to even.
    assert sentiment.median_words([1, 2, 3]) == 2
    assert isinstance(sentiment.median_words(np.array([5, 6])), int)
    with pytest.raises(ValueError):
        sentiment.median_words([])


def test_column_labels_are_words() -> None:
    assert sentiment.COLUMN_LABELS["fp"] == "false positives" and sentiment.COLUMN_LABELS["f1"] == "F1"
    assert all("_" not in label for label in sentiment.COLUMN_LABELS.values())


# ------------------------------------------- cost, bootstrap, prevalence, occlusion

COST_LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1])
COST_SCORES = np.array([0.05, 0.2, 0.45, 0.7, 0.35, 0.6, 0.8, 0.95])


def test_expected_cost_counts_each_mistake_at_its_price() -> None:
    # At 0.5: one false positive (0.7) and one false negative (0.35) among 8 reviews.
    costs = sentiment.expected_cost(COST_LABELS, COST_SCORES, [0.0, 0.5, 1.0], fp_cost=5, fn_cost=1)
    np.testing.assert_allclose(costs, [4 * 5 / 8, (5 + 1) / 8, 4 * 1 / 8])
    with pytest.raises(ValueError):
        sentiment.expected_cost(COST_LABELS, COST_SCORES, [0.5], fp_cost=-1, fn_cost=1)
    with pytest.raises(ValueError):
        sentiment.expected_cost(COST_LABELS, COST_SCORES, [1.5], fp_cost=1, fn_cost=1)


def test_threshold_for_cost_moves_away_from_the_dearer_mistake() -> None:
    grid = [0.1, 0.3, 0.5, 0.65, 0.75, 0.9]
    # Dear false positives: the threshold climbs above the negative at 0.7 (cost 2/8 for the misses below it).
    assert sentiment.threshold_for_cost(COST_LABELS, COST_SCORES, fp_cost=5, fn_cost=1, thresholds=grid) == 0.75
    # Dear misses: it drops below the positive at 0.35.
    assert sentiment.threshold_for_cost(COST_LABELS, COST_SCORES, fp_cost=1, fn_cost=5, thresholds=grid) == 0.3
    # A tie over a flat stretch takes its middle, not its edge.
    labels, scores = np.array([0, 1]), np.array([0.2, 0.8])
    assert sentiment.threshold_for_cost(labels, scores, fp_cost=1, fn_cost=1,
                                        thresholds=[0.1, 0.3, 0.5, 0.7, 0.9]) == 0.5


def test_threshold_for_cost_on_calibrated_scores_lands_near_the_bayes_threshold() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(200_000)
    y = (rng.random(p.size) < p).astype(int)  # calibrated: P(y = 1 | p) = p
    for fp_cost, fn_cost in [(5, 1), (1, 5), (1, 1)]:
        chosen = sentiment.threshold_for_cost(y, p, fp_cost=fp_cost, fn_cost=fn_cost)
        assert abs(chosen - fp_cost / (fp_cost + fn_cost)) <= 0.03


def test_bootstrap_precision_covers_the_precision_and_narrows_with_more_reviews() -> None:
    rng = np.random.default_rng(1)

    def sample(n):
        y = rng.integers(0, 2, n)
        return y, np.clip(y * 0.3 + rng.random(n) * 0.7, 0, 1)

    y, p = sample(400)
    low, high = sentiment.bootstrap_precision(y, p, 0.6, resamples=500)
    measured = sentiment.threshold_metrics(y, p, [0.6]).precision[0]
    assert low < measured < high
    big_low, big_high = sentiment.bootstrap_precision(*sample(20_000), 0.6, resamples=500)
    assert big_high - big_low < (high - low) / 3  # about 1/sqrt(50) as wide
    # Seeded: the same interval twice.
    assert sentiment.bootstrap_precision(y, p, 0.6, resamples=200) == sentiment.bootstrap_precision(
        y, p, 0.6, resamples=200)
    with pytest.raises(ValueError):
        sentiment.bootstrap_precision(y, p, 1.0 + 1e-9)


def test_precision_at_prevalence() -> None:
    # Balanced: recall 0.8, false-positive rate 0.2 -> precision 0.8.
    assert sentiment.precision_at_prevalence(0.8, 0.2, 0.5) == pytest.approx(0.8)
    # One positive in ten: 0.08 / (0.08 + 0.18).
    assert sentiment.precision_at_prevalence(0.8, 0.2, 0.1) == pytest.approx(0.08 / 0.26)
    assert sentiment.precision_at_prevalence(0.8, 0.0, 0.01) == 1.0
    assert sentiment.precision_at_prevalence(0.0, 0.0, 0.5) == 0.0
    for bad in [(1.2, 0.1, 0.5), (0.5, -0.1, 0.5), (0.5, 0.1, 0.0), (0.5, 0.1, 1.0)]:
        with pytest.raises(ValueError):
            sentiment.precision_at_prevalence(*bad)


def test_occlusion_scores_with_a_word_counting_scorer() -> None:
    def score(texts):  # +0.2 per "good", -0.3 per "bad", from 0.5
        return [0.5 + 0.2 * t.lower().split().count("good") - 0.3 * t.lower().split().count("bad") for t in texts]

    words, changes, whole = sentiment.occlusion_scores(score, "A good<br />film, not bad")
    assert words == ["A", "good", "film,", "not", "bad"]  # HTML breaks cleaned away
    assert whole == pytest.approx(0.4)
    np.testing.assert_allclose(changes, [0.0, 0.2, 0.0, 0.0, -0.3])
    with pytest.raises(ValueError):
        sentiment.occlusion_scores(score, "   ")
    with pytest.raises(ValueError):
        sentiment.occlusion_scores(lambda texts: [0.5], "two words")


def test_occlusion_scores_with_the_lstm(vectorizer, tiny_model) -> None:
    text = "A wonderful film, I loved it"

    def score(texts):
        return sentiment.predict_sentiment(tiny_model, vectorizer, texts)

    words, changes, whole = sentiment.occlusion_scores(score, text)
    assert whole == pytest.approx(float(score([text])[0]), abs=1e-6)
    assert changes[1] == pytest.approx(whole - float(score(["A film, I loved it"])[0]), abs=1e-6)
    assert np.any(np.abs(changes) > 1e-4)  # the seeded model reads its words


def test_new_figures_read_on_a_phone() -> None:
    import matplotlib.pyplot as plt

    from dlbook import plotting

    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 400)
    scores = np.clip(labels * 0.4 + rng.random(400) * 0.6, 0, 1)
    words = "This movie was not good at all and I did not enjoy it".split()
    figures = [
        sentiment.plot_precision_recall_thresholds(labels, scores, marks={"chosen threshold": 0.8}),
        sentiment.plot_occlusion({"Negation": (words, rng.normal(0, 0.1, len(words)), 0.4),
                                  "Sarcasm": (words[:5], rng.normal(0, 0.1, 5), 0.6)}),
    ]
    for fig in figures:
        assert fig.get_figwidth() <= plotting.MAX_WIDTH + 1e-9
        assert plotting.phone_text_px(fig) >= plotting.MIN_PHONE_TEXT_PX
        assert all(ax.get_title() or fig.get_suptitle() for ax in fig.axes)
        assert any(ax.get_xlabel() for ax in fig.axes)
        plt.close(fig)
    with pytest.raises(ValueError):
        sentiment.plot_occlusion({})
