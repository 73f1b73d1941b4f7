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
    verdict = prose.baselines_verdict(lstm, tfidf, nbsvm)
    assert verdict.startswith(words + " On this split the claim ")
    places = verdict.id.split("+")
    if places == ["above", "above"]:
        assert "the claim holds, but" in verdict
    elif "above" in places:
        assert "the claim holds against one baseline only" in verdict
    else:
        assert "the claim does not hold" in verdict


def test_baselines_verdict_ids() -> None:
    assert prose.baselines_verdict(0.90, 0.88, 0.885).id == "above+above"
    assert prose.baselines_verdict(0.8372, 0.8816, 0.8922).id == "below+below"
    assert prose.baselines_verdict(0.90, 0.8995, 0.88).id == "same+above"


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


@pytest.mark.parametrize(("precision", "words", "branch"), [
    (0.96, "It meets the 95% target.", "meets"),
    (0.9483, "That is just short of the 95% target, by 0.2 points, although the legend of the figure below "
     "rounds it to 0.95.", "short"),
    (0.943, "That is just short of the 95% target, by 0.7 points.", "short"),
    (0.90, "That is 5.0 points short of the 95% target: a threshold picked on validation data is an estimate",
     "short"),
])
def test_precision_target_verdict_never_hides_a_miss_behind_rounding(precision: float, words: str,
                                                                    branch: str) -> None:
    verdict = prose.precision_target_verdict(precision, 0.623, 0.95)
    assert verdict.startswith(f"On the test reviews the chosen threshold gives a precision of {precision:.1%} "
                              "and a recall of 62.3%. ")
    assert words in verdict and verdict.id == branch and verdict.endswith(".")


@pytest.mark.parametrize(("chosen_recall", "words", "branch"), [
    (0.50, "and finds fewer of the positive ones.", "fewer_found"),
    (0.82, "and finds as many of the positive ones.", "as_many_found"),
    (0.90, "and finds more of the positive ones.", "more_found"),
])
def test_threshold_tradeoff_verdict(chosen_recall: float, words: str, branch: str) -> None:
    verdict = prose.threshold_tradeoff_verdict(67, 376, chosen_recall, 0.881, 0.82)
    assert verdict.startswith("At the default threshold of 0.5 the precision is 88.1% and the recall 82.0%. "
                              "The chosen threshold publishes 67 negative reviews by mistake instead of 376")
    assert verdict.endswith(words) and verdict.id == branch
    assert "1 negative review by" in prose.threshold_tradeoff_verdict(1, 376, 0.5, 0.881, 0.82)


PUBLISHING = "when a false positive costs five times a miss"
SCREENING = "when a miss costs five times a false positive"


@pytest.mark.parametrize(("publishing", "screening", "branch", "words"), [
    (0.83, 0.21, "apart", "The dearer mistake pushes the threshold away from itself"),
    (0.5, 0.5, "same", "the costs do not move the threshold"),
    (0.3, 0.7, "reversed", "the wrong way round"),
])
def test_cost_threshold_verdict(publishing: float, screening: float, branch: str, words: str) -> None:
    settings = {PUBLISHING: (5, 1, publishing), SCREENING: (1, 5, screening)}
    verdict = prose.cost_threshold_verdict(settings)
    assert verdict.id == branch and words in verdict
    assert verdict.startswith(f"On the validation reviews the cheapest threshold is {publishing:.2f} {PUBLISHING} "
                              f"and {screening:.2f} {SCREENING}.")
    # The order of the settings does not change the conclusion.
    swapped = prose.cost_threshold_verdict({SCREENING: settings[SCREENING], PUBLISHING: settings[PUBLISHING]})
    assert swapped == verdict and swapped.id == branch


def test_cost_threshold_verdict_needs_two_different_settings() -> None:
    with pytest.raises(ValueError):
        prose.cost_threshold_verdict({PUBLISHING: (5, 1, 0.8)})
    with pytest.raises(ValueError):
        prose.cost_threshold_verdict({PUBLISHING: (5, 1, 0.8), SCREENING: (10, 2, 0.8)})


def test_imbalance_verdict_in_a_build_that_trains_too_little() -> None:
    verdict = prose.imbalance_verdict(QUICK_PLAIN, QUICK_WEIGHTED, positives=273, base_rate=0.1, epochs=2)
    assert "calls every review negative" in verdict and "90.0%" in verdict
    assert "raise the minority recall to 95.6%" in verdict and "1,383 negative reviews" in verdict
    assert "ROC AUC of 0.70 and 0.72" in verdict
    assert "Models trained for 2 epochs on a few thousand reviews learn too little" in verdict
    assert "profile" not in verdict
    assert verdict.id == "plain_all_negative+weights_raise_recall+lesson_not_shown"


def test_imbalance_verdict_when_the_lesson_shows() -> None:
    verdict = prose.imbalance_verdict(FULL_PLAIN, FULL_WEIGHTED, positives=273, base_rate=0.1, epochs=4)
    assert "finds 45.0% of the 273 positive" in verdict and "trade precision for minority recall" in verdict
    assert "too little" not in verdict
    assert verdict.id == "plain_finds_some+weights_raise_recall+lesson_shown"
    # Said once: the comparison with moving the threshold, in the verdict only.
    assert verdict.count("moving the threshold") == 1


def test_imbalance_verdict_when_weights_do_not_raise_recall() -> None:
    verdict = prose.imbalance_verdict(FULL_WEIGHTED, FULL_PLAIN, positives=273, base_rate=0.1, epochs=4)
    assert "do not raise the minority recall here" in verdict
    assert verdict.id == "plain_finds_some+weights_do_not_raise_recall+lesson_not_shown"


def test_hard_cases_verdict_names_each_case_once() -> None:
    cases = ["the negation", "the sarcasm", "the change of mind"]
    assert prose.hard_cases_verdict(dict.fromkeys(cases, True)) == (
        "The LSTM gets all 3 hard cases right: the negation, the sarcasm and the change of mind.")
    wrong = prose.hard_cases_verdict(dict.fromkeys(cases, False))
    assert wrong.startswith("The LSTM gets all 3 hard cases wrong") and wrong.id == "all_wrong"
    mixed = prose.hard_cases_verdict({"the negation": True, "the sarcasm": False, "the change of mind": False})
    assert mixed == "The LSTM gets the negation right, and the sarcasm and the change of mind wrong."
    assert mixed.id == "right:the negation"
    assert mixed.count("wrong") == 1  # Not "so the model gets it wrong" once per case.


def test_build_note_holds_the_profile_and_the_published_numbers(tmp_path) -> None:
    sizes = dict(sequence_length=100, max_epochs=2, train_size=20_000, test_size=5_000, epochs_run=1,
                 training_seconds=61.0)
    quick = prose.build_note(profile="quick", **sizes)
    assert quick.startswith("This page was built in the quick profile, sized for a fast build: the LSTM reads "
                            "reviews cut to 100 tokens, trains on 20,000 reviews for at most 2 epochs (it ran 1, "
                            "in about 1 minute")
    assert "The published edition, the full-profile build of " in quick and "test reviews right" not in quick
    assert "of them right, against" in quick and quick.id == "quick_with_record" and not quick.lesson
    full = prose.build_note(profile="full", **sizes)
    assert full.startswith("This page was built in the full profile, the published edition:")
    assert "published edition," not in full and full.id == "full"  # no comparison with itself
    missing = prose.build_note(profile="quick", path=str(tmp_path / "none.json"), **sizes)
    assert missing.endswith("No full-profile build is recorded in this copy of the book yet.")


def test_removed_verdicts_are_gone() -> None:
    # Timings and glue-only readings are no longer verdicts (issue 22).
    for name in ("training_verdict", "mask_check_verdict", "mask_cost_verdict", "val_test_gap_verdict",
                 "baseline_verdict", "recall_change_verdict"):
        assert not hasattr(prose, name)
