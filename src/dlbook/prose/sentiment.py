"""Chapter 4's sentences, computed from its numbers (:mod:`dlbook.sentiment` holds the data, model and metrics).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from dlbook.prose import Verdict, wording

__all__ = [
    "baseline_verdict",
    "baselines_verdict",
    "hard_cases_verdict",
    "imbalance_verdict",
    "mask_check_verdict",
    "mask_cost_verdict",
    "precision_target_verdict",
    "recall_change_verdict",
    "threshold_tradeoff_verdict",
    "training_verdict",
    "val_test_gap_verdict",
]


def training_verdict(epochs_run: int, max_epochs: int, seconds: float) -> Verdict:
    """How long training ran, and whether early stopping ended it before ``max_epochs``."""
    ran = f"Training ran {wording.count(epochs_run, 'epoch')} in {wording.duration(seconds)} on this machine's CPU"
    if epochs_run < max_epochs:
        return Verdict(ran + f": early stopping ended it before the limit of {wording.count(max_epochs, 'epoch')}.", 'early_stopped')
    return Verdict(ran + f", the whole limit of {wording.count(max_epochs, 'epoch')}.", 'full_limit')


def mask_check_verdict(masked_change: float, unmasked_change: float, accuracy_before: float,
                       accuracy_after: float) -> Verdict:
    """What extra padding does to the masked and the unmasked model (largest probability change, accuracy)."""
    if masked_change == 0:
        masked = "With the mask, the probabilities are identical with and without the extra padding."
    elif masked_change < 1e-4:
        masked = (f"With the mask, no probability moves by more than {masked_change:.0e}: "
                  "floating-point noise, not a change.")
    else:
        masked = (f"With the mask, probabilities still move by up to {masked_change:.3f}: "
                  "the mask does not fully hide the padding here.")
    points = (accuracy_after - accuracy_before) * 100
    accuracy = f"{accuracy_before:.1%} without and {accuracy_after:.1%} with the extra padding"
    if abs(points) < 1:
        effect = (f"yet accuracy on these reviews barely moves ({accuracy}): most probabilities move "
                  "without crossing 0.5, so the decisions survive while the probabilities no longer mean "
                  "what they say")
    elif points < 0:
        effect = f"and accuracy on these reviews falls ({accuracy})"
    else:
        effect = f"and accuracy on these reviews changes ({accuracy}), by chance rather than by design"
    hides = "mask_hides" if masked_change < 1e-4 else "mask_leaks"
    moves = "barely_moves" if abs(points) < 1 else "falls" if points < 0 else "changes"
    return Verdict(f"{masked} Without it, the same weights give answers that depend on how much padding follows "
                   f"the review: probabilities move by up to {unmasked_change:.3f}, {effect}.", f"{hides}+{moves}")


def mask_cost_verdict(masked_seconds: float, unmasked_seconds: float) -> Verdict:
    """What the mask costs in time, from one timed prediction with and without it."""
    ratio = masked_seconds / unmasked_seconds
    measured = (f"predicting the same reviews took {masked_seconds:.2f} seconds with the mask and "
                f"{unmasked_seconds:.2f} without it")
    if ratio >= 1.15:
        return (Verdict(f"The mask is not free: in this build, {measured}, {ratio:.1f} times as long, because at "
                "every step the LSTM chooses, review by review, between its new state and the one it "
                "carries over.", 'mask_slower', lesson=False))
    if ratio > 1 / 1.15:
        return (Verdict(f"In this build the mask costs little time: {measured}. (Timings on a shared machine "
                "vary; training, which also runs backwards through every step, pays the same choice twice.)", 'mask_cheap', lesson=False))
    return (Verdict(f"In this build the masked model was even faster: {measured}. (Timings on a shared machine "
            "vary from run to run.)", 'mask_faster', lesson=False))


def val_test_gap_verdict(val_accuracy: float, test_accuracy: float) -> Verdict:
    """The validation accuracy against the test accuracy, and what the gap means."""
    points = (val_accuracy - test_accuracy) * 100
    if abs(points) < 0.05:
        return (Verdict(f"Validation accuracy is the same ({val_accuracy:.1%}), so the validation score was a fair "
                "guide to the test score here.", 'same'))
    if points > 0:
        return (Verdict(f"Validation accuracy reads {points:.1f} points higher ({val_accuracy:.1%}): on IMDB the "
                "validation reviews come from the same movies as the training reviews, the test reviews from "
                "other movies, so a validation score is usually a little optimistic.", 'validation_higher'))
    return (Verdict(f"Validation accuracy reads {-points:.1f} points lower ({val_accuracy:.1%}), although the "
            "validation reviews come from the same movies as the training reviews: the two samples differ "
            "by chance more than the movies make them differ.", 'validation_lower'))


def baseline_verdict(lstm_accuracy: float, baseline_accuracy: float, *, short: bool = False) -> Verdict:
    """Whether the LSTM beats the bag-of-words baseline in test accuracy, and why that may be.

    With ``short``, only "holds" or "does not hold" (for the key takeaways).
    """
    points = (lstm_accuracy - baseline_accuracy) * 100
    if short:
        return Verdict("holds" if points > 0 else "does not hold", "holds" if points > 0 else "does_not_hold")
    if points > 0:
        return (Verdict(f"holds: the LSTM is {points:.1f} points above the baseline. Even so, the bigram model "
                "comes close at a fraction of the cost, because long reviews carry many redundant sentiment "
                "words and counting them works well.", 'holds'))
    lands = "level with" if points == 0 else f"{-points:.1f} points below"
    return (Verdict(f"does not hold: the LSTM lands {lands} the baseline. An LSTM trained from scratch has to learn "
            "every word vector from these reviews alone, while the bigram model only has to learn one weight "
            "per word or word pair, and long reviews carry many redundant sentiment words, so counting them "
            "works well.", 'does_not_hold'))


def baselines_verdict(lstm_accuracy: float, tfidf_accuracy: float, nbsvm_accuracy: float, *,
                      tolerance: float = 0.1) -> Verdict:
    """How the LSTM's test accuracy compares with both bag-of-words baselines, in one sentence.

    A gap that rounds to at most ``tolerance`` points (default 0.1, a tenth
    of a percentage point) counts as "about the same": on a few thousand test
    reviews that is a handful of reviews, not a difference between models.
    Every gap the sentence quotes is therefore larger than ``tolerance``.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must not be negative, got {tolerance}.")
    baselines = {"the TF-IDF baseline": tfidf_accuracy, "the NBSVM baseline": nbsvm_accuracy}
    places, clauses = [], []
    for name, accuracy in baselines.items():
        points = (lstm_accuracy - accuracy) * 100
        if float(f"{abs(points):.1f}") <= tolerance:  # The gap as the sentence would print it.
            places.append("same")
            clauses.append(f"about the same as {name} ({accuracy:.1%})")
        else:
            places.append("above" if points > 0 else "below")
            clauses.append(f"{abs(points):.1f} points {places[-1]} {name} ({accuracy:.1%})")
    headline = {
        ("above", "above"): "beats both bag-of-words baselines",
        ("below", "below"): "falls below both bag-of-words baselines",
        ("same", "same"): "scores about the same as both bag-of-words baselines",
    }.get(tuple(places))
    if headline is None and "same" not in places:
        headline = "lands between the two bag-of-words baselines"
    elif headline is None:
        headline = ("matches one bag-of-words baseline and beats the other" if "above" in places
                    else "matches one bag-of-words baseline and falls below the other")
    return Verdict(f"The LSTM {headline}: at {lstm_accuracy:.1%} test accuracy it is {wording.join(clauses)}.", "+".join(places))


def precision_target_verdict(precision: float, target: float) -> Verdict:
    """Whether the test precision meets the target chosen on validation, told without rounding it away."""
    if precision >= target:
        return Verdict("meets the target", 'meets')
    points = (target - precision) * 100
    if f"{precision:.2f}" == f"{target:.2f}":
        return (Verdict(f"falls just short of the target, by {points:.1f} points (the legend of the figure below "
                f"rounds it to {precision:.2f})", 'just_short'))
    if points < 1:
        return Verdict(f"falls just short of the target, by {points:.1f} points", 'just_short')
    return Verdict(f"falls short of the target by {points:.1f} points: a threshold chosen on validation data is a guess", 'short')


def threshold_tradeoff_verdict(chosen_fp: int, default_fp: int, chosen_recall: float,
                               default_recall: float) -> Verdict:
    """The chosen threshold against 0.5: negative reviews published by mistake, and positive ones found."""
    mistakes = (f"The site publishes {wording.count(chosen_fp, 'negative review')} by mistake instead of "
                f"{default_fp:,}")
    if chosen_recall < default_recall:
        return Verdict(mistakes + (f", and finds fewer of the positive ones ({chosen_recall:.1%} of them "
                           f"instead of {default_recall:.1%})."), 'fewer_found')
    if chosen_recall == default_recall:
        return Verdict(mistakes + f", and finds as many of the positive ones ({chosen_recall:.1%}).", 'as_many_found')
    return Verdict(mistakes + f", and finds more of the positive ones ({chosen_recall:.1%} instead of {default_recall:.1%}).", 'more_found')


def imbalance_verdict(plain: dict[str, float], weighted: dict[str, float], *, positives: int,
                      base_rate: float, profile: str, epochs: int) -> Verdict:
    """What class weights did in the imbalance experiment, honest about a profile that trains too little.

    Args:
        plain, weighted: Each model's ``recall``, ``precision``, ``accuracy``,
            ``fp`` and ``tp`` at threshold 0.5 and its ``roc_auc``, on the
            imbalanced validation reviews.
        positives: Positive reviews among them.
        base_rate: Their share of positive reviews.
        profile: The build's profile.
        epochs: Epochs each model trained.
    """
    plain = {**plain, "tp": int(plain["tp"]), "fp": int(plain["fp"])}  # Counts, also from a float row.
    weighted = {**weighted, "tp": int(weighted["tp"]), "fp": int(weighted["fp"])}
    majority = 1 - base_rate
    if plain["tp"] == 0 and plain["fp"] == 0:
        plain_text = (f"Without weights the model calls every review negative: it finds none of the "
                      f"{positives:,} positive validation reviews, and its accuracy, {plain['accuracy']:.1%}, "
                      f"is exactly what always answering \"negative\" scores.")
    else:
        plain_text = (f"Without weights the model finds {plain['recall']:.1%} of the {positives:,} positive "
                      f"validation reviews, at an accuracy of {plain['accuracy']:.1%}; always answering "
                      f"\"negative\" would already score {majority:.1%}: accuracy says little when one class "
                      "is rare.")
    if weighted["recall"] > plain["recall"]:
        weighted_text = (f"Class weighting raises the minority recall to {weighted['recall']:.1%}, and "
                         f"{weighted['precision']:.1%} of the weighted model's positive calls are right "
                         f"(it calls {weighted['fp']:,} negative reviews positive, against {plain['fp']:,} "
                         "without weights).")
    else:
        weighted_text = (f"Class weighting does not raise the minority recall here ({weighted['recall']:.1%} "
                         f"against {plain['recall']:.1%}).")
    ranks = (f"Over all thresholds, the two models rank the reviews with a ROC AUC of "
             f"{plain['roc_auc']:.2f} and {weighted['roc_auc']:.2f}.")
    # The lesson the full profile shows: both models rank the reviews well, and
    # the weights trade precision for recall at a precision well above the base rate.
    learned = (plain["tp"] > 0 and weighted["recall"] > plain["recall"]
               and weighted["precision"] >= 2 * base_rate and min(plain["roc_auc"], weighted["roc_auc"]) >= 0.85)
    if learned:
        lesson = ("So class weights trade precision for minority recall, much as moving the threshold "
                  "would.")
    elif profile != "full":
        lesson = (f"These {profile}-profile models, {wording.count(epochs, 'epoch')} each on a few thousand "
                  "reviews, train too little to show the lesson of the full profile: models that rank the "
                  "rare reviews well, and class weights that trade some precision for much more recall at a "
                  "precision well above the base rate.")
    else:
        lesson = ("In this build the imbalanced models learned too little for class weights to trade "
                  "precision for recall usefully.")
    branch = "+".join([
        "plain_all_negative" if plain["tp"] == 0 and plain["fp"] == 0 else "plain_finds_some",
        "weights_raise_recall" if weighted["recall"] > plain["recall"] else "weights_do_not_raise_recall",
        "lesson_shown" if learned else "lesson_not_shown",
    ])
    return Verdict(" ".join([plain_text, weighted_text, ranks, lesson]), branch)


def hard_cases_verdict(correct: dict[str, bool]) -> Verdict:
    """Which of the hard example reviews the model gets right, in one sentence."""
    right = [name for name, ok in correct.items() if ok]
    wrong = [name for name, ok in correct.items() if not ok]
    if not wrong:
        return Verdict(f"It gets all {len(correct)} hard cases right: {wording.join(correct)}.", 'all_right')
    if not right:
        return Verdict(f"It gets all {len(correct)} hard cases wrong: {wording.join(correct)}.", 'all_wrong')
    return Verdict(f"It gets {wording.join(right)} right, and {wording.join(wrong)} wrong.", "right:" + "+".join(right))


def recall_change_verdict(plain_recall: float, weighted_recall: float) -> Verdict:
    """What class weights did to the minority recall, for the summary."""
    if weighted_recall > plain_recall:
        return Verdict(f"raise the minority recall (here from {plain_recall:.1%} to {weighted_recall:.1%})", 'raises')
    return Verdict(f"did not raise the minority recall here ({plain_recall:.1%} without, {weighted_recall:.1%} with them)", 'does_not_raise')
