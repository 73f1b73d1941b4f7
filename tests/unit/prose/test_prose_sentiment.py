"""dlbook.prose.sentiment: every branch of chapter 4's verdicts, with synthetic numbers."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.prose import sentiment as prose


def model_scores(recall: float, precision: float, accuracy: float, tp: float, fp: float, roc_auc: float) -> dict:
    return {"recall": recall, "precision": precision, "accuracy": accuracy, "tp": tp, "fp": fp, "roc_auc": roc_auc}

QUICK_PLAIN = model_scores(0.0, 0.0, 0.8999, 0.0, 0.0, 0.70)

QUICK_WEIGHTED = model_scores(0.956, 0.159, 0.488, 261.0, 1383.0, 0.72)

FULL_PLAIN = model_scores(0.45, 0.80, 0.93, 123, 31, 0.92)

FULL_WEIGHTED = model_scores(0.80, 0.55, 0.91, 218, 178, 0.93)


@pytest.mark.parametrize(("ran", "limit", "seconds", "words"), [
    (1, 4, 0.5, "Training ran 1 epoch in under a second on this machine's CPU: early stopping ended it"),
    (2, 2, 60.4, "Training ran 2 epochs in about 1 minute on this machine's CPU, the whole limit of 2 epochs."),
])
def test_training_verdict(ran: int, limit: int, seconds: float, words: str) -> None:
    assert prose.training_verdict(ran, limit, seconds).startswith(words)


@pytest.mark.parametrize(("masked", "words"), [
    (0.0, "identical"), (3e-7, "floating-point noise"), (0.01, "does not fully hide"),
])
def test_mask_check_verdict_on_the_masked_model(masked: float, words: str) -> None:
    verdict = prose.mask_check_verdict(masked, 0.33, 0.849, 0.852)
    assert words in verdict and "0e+00" not in verdict


@pytest.mark.parametrize(("before", "after", "words"), [
    (0.849, 0.852, "barely moves (84.9% without and 85.2% with"),
    (0.85, 0.60, "accuracy on these reviews falls"),
    (0.60, 0.85, "changes (60.0% without and 85.0% with the extra padding), by chance"),
])
def test_mask_check_verdict_on_the_unmasked_accuracy(before: float, after: float, words: str) -> None:
    verdict = prose.mask_check_verdict(0.0, 0.33, before, after)
    assert words in verdict
    assert "chance" not in verdict or after > before  # Never "stuck near chance" beside a rising accuracy.


@pytest.mark.parametrize(("masked", "unmasked", "words"), [
    (1.5, 1.0, "1.5 times as long"), (1.05, 1.0, "costs little time"), (0.7, 1.0, "even faster"),
])
def test_mask_cost_verdict(masked: float, unmasked: float, words: str) -> None:
    assert words in prose.mask_cost_verdict(masked, unmasked)


@pytest.mark.parametrize(("val", "test", "words"), [
    (0.8484, 0.8372, "1.1 points higher (84.8%)"), (0.80, 0.82, "2.0 points lower (80.0%)"),
    (0.84, 0.84, "the same (84.0%)"),
])
def test_val_test_gap_verdict(val: float, test: float, words: str) -> None:
    verdict = prose.val_test_gap_verdict(val, test)
    assert words in verdict
    assert ("optimistic" in verdict) == (val > test)


@pytest.mark.parametrize(("lstm", "baseline", "start"), [
    (0.90, 0.88, "holds: the LSTM is 2.0 points above"), (0.8372, 0.8816, "does not hold: the LSTM lands 4.4 points below"),
    (0.88, 0.88, "does not hold: the LSTM lands level with"),
])
def test_baseline_verdict(lstm: float, baseline: float, start: str) -> None:
    assert prose.baseline_verdict(lstm, baseline).startswith(start)
    assert prose.baseline_verdict(lstm, baseline, short=True) == start.split(":")[0]


@pytest.mark.parametrize(("lstm", "tfidf", "nbsvm", "words"), [
    (0.90, 0.88, 0.885, "The LSTM beats both bag-of-words baselines: at 90.0% test accuracy it is 2.0 points "
     "above the TF-IDF baseline (88.0%) and 1.5 points above the NBSVM baseline (88.5%)."),
    (0.89, 0.882, 0.902, "The LSTM lands between the two bag-of-words baselines: at 89.0% test accuracy it is "
     "0.8 points above the TF-IDF baseline (88.2%) and 1.2 points below the NBSVM baseline (90.2%)."),
    (0.89, 0.902, 0.882, "The LSTM lands between the two bag-of-words baselines: at 89.0% test accuracy it is "
     "1.2 points below the TF-IDF baseline (90.2%) and 0.8 points above the NBSVM baseline (88.2%)."),
    (0.8372, 0.8816, 0.8922, "The LSTM falls below both bag-of-words baselines: at 83.7% test accuracy it is "
     "4.4 points below the TF-IDF baseline (88.2%) and 5.5 points below the NBSVM baseline (89.2%)."),
    (0.8805, 0.8800, 0.8810, "The LSTM scores about the same as both bag-of-words baselines: at 88.0% test "
     "accuracy it is about the same as the TF-IDF baseline (88.0%) and about the same as the NBSVM baseline "
     "(88.1%)."),
    (0.90, 0.8995, 0.88, "The LSTM matches one bag-of-words baseline and beats the other: at 90.0% test "
     "accuracy it is about the same as the TF-IDF baseline (90.0%) and 2.0 points above the NBSVM baseline "
     "(88.0%)."),
    (0.88, 0.90, 0.881, "The LSTM matches one bag-of-words baseline and falls below the other: at 88.0% test "
     "accuracy it is 2.0 points below the TF-IDF baseline (90.0%) and about the same as the NBSVM baseline "
     "(88.1%)."),
])
def test_baselines_verdict(lstm: float, tfidf: float, nbsvm: float, words: str) -> None:
    assert prose.baselines_verdict(lstm, tfidf, nbsvm) == words


def test_baselines_verdict_never_quotes_a_gap_it_calls_a_tie() -> None:
    for gap in np.arange(-0.004, 0.0041, 0.0001):  # -0.4 to +0.4 points in steps of 0.01.
        verdict = prose.baselines_verdict(0.88 + gap, 0.88, 0.88)
        assert "0.0 points" not in verdict and "0.1 points" not in verdict
        assert ("about the same" in verdict) == (abs(gap) < 0.0015)
    # The same branch reads the same with other numbers (what a build records per profile).
    from dlbook.prose import wording

    assert (wording.outcome(prose.baselines_verdict(0.84, 0.88, 0.89))
            == wording.outcome(prose.baselines_verdict(0.86, 0.91, 0.9)))
    with pytest.raises(ValueError):
        prose.baselines_verdict(0.9, 0.8, 0.8, tolerance=-0.1)


@pytest.mark.parametrize(("precision", "words"), [
    (0.96, "meets the target"),
    (0.9483, "falls just short of the target, by 0.2 points (the legend of the figure below rounds it to 0.95)"),
    (0.943, "falls just short of the target, by 0.7 points"),
    (0.90, "falls short of the target by 5.0 points"),
])
def test_precision_target_verdict_never_hides_a_miss_behind_rounding(precision: float, words: str) -> None:
    assert prose.precision_target_verdict(precision, 0.95).startswith(words)


@pytest.mark.parametrize(("chosen_recall", "words"), [
    (0.50, "finds fewer of the positive ones (50.0% of them instead of 82.0%)"),
    (0.82, "finds as many of the positive ones"), (0.90, "finds more of the positive ones"),
])
def test_threshold_tradeoff_verdict(chosen_recall: float, words: str) -> None:
    verdict = prose.threshold_tradeoff_verdict(67, 376, chosen_recall, 0.82)
    assert verdict.startswith("The site publishes 67 negative reviews by mistake instead of 376") and words in verdict
    assert "1 negative review by" in prose.threshold_tradeoff_verdict(1, 376, 0.5, 0.82)


def test_imbalance_verdict_in_a_quick_build_that_trains_too_little() -> None:
    verdict = prose.imbalance_verdict(QUICK_PLAIN, QUICK_WEIGHTED, positives=273, base_rate=0.1,
                                          profile="quick", epochs=2)
    assert "calls every review negative" in verdict and "90.0%" in verdict
    assert "raises the minority recall to 95.6%" in verdict and "1,383 negative reviews" in verdict
    assert "ROC AUC of 0.70 and 0.72" in verdict
    assert "quick-profile models, 2 epochs each" in verdict and "train too little" in verdict


def test_imbalance_verdict_when_the_lesson_shows() -> None:
    verdict = prose.imbalance_verdict(FULL_PLAIN, FULL_WEIGHTED, positives=273, base_rate=0.1,
                                          profile="full", epochs=4)
    assert "finds 45.0% of the 273 positive" in verdict and "trade precision for minority recall" in verdict
    assert "too little" not in verdict
    # A quick build that shows the lesson says nothing about training too little either.
    assert "too little" not in prose.imbalance_verdict(FULL_PLAIN, FULL_WEIGHTED, positives=273,
                                                           base_rate=0.1, profile="quick", epochs=2)


def test_imbalance_verdict_in_a_full_build_that_learned_too_little() -> None:
    verdict = prose.imbalance_verdict(QUICK_PLAIN, QUICK_WEIGHTED, positives=273, base_rate=0.1,
                                          profile="full", epochs=4)
    assert "In this build the imbalanced models learned too little" in verdict
    assert "quick-profile" not in verdict


def test_imbalance_verdict_when_weights_do_not_raise_recall() -> None:
    verdict = prose.imbalance_verdict(FULL_WEIGHTED, FULL_PLAIN, positives=273, base_rate=0.1,
                                          profile="full", epochs=4)
    assert "does not raise the minority recall here" in verdict


def test_recall_change_verdict() -> None:
    assert prose.recall_change_verdict(0.0, 0.956) == "raise the minority recall (here from 0.0% to 95.6%)"
    assert prose.recall_change_verdict(0.5, 0.4).startswith("did not raise the minority recall")


def test_hard_cases_verdict_names_each_case_once() -> None:
    cases = ["the negation", "the sarcasm", "the change of mind"]
    assert prose.hard_cases_verdict(dict.fromkeys(cases, True)) == (
        "It gets all 3 hard cases right: the negation, the sarcasm and the change of mind.")
    assert prose.hard_cases_verdict(dict.fromkeys(cases, False)).startswith("It gets all 3 hard cases wrong")
    mixed = prose.hard_cases_verdict({"the negation": True, "the sarcasm": False, "the change of mind": False})
    assert mixed == "It gets the negation right, and the sarcasm and the change of mind wrong."
    assert mixed.count("wrong") == 1  # Not "so the model gets it wrong" once per case.
