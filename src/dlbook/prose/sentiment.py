"""Chapter 4's sentences, computed from its numbers (:mod:`dlbook.sentiment` holds the data, model and metrics).

The chapter computes a sentence only where its lesson depends on the numbers:
the LSTM against the bag-of-words baselines, the threshold trade-off, the
threshold chosen by cost, class weights and the hard cases. Each function
returns whole sentences, numbers included, so the page glues a sentence and
never a fragment; everything else on the page is written by hand. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from dlbook.prose import Verdict, wording

__all__ = [
    "baselines_verdict",
    "build_note",
    "cost_threshold_verdict",
    "hard_cases_verdict",
    "imbalance_verdict",
    "precision_target_verdict",
    "threshold_tradeoff_verdict",
]


def baselines_verdict(lstm_accuracy: float, tfidf_accuracy: float, nbsvm_accuracy: float, *,
                      tolerance: float = 0.1) -> Verdict:
    """How the LSTM's test accuracy compares with both bag-of-words baselines, and what that says of the claim.

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
    if places == ["above", "above"]:
        claim = ("On this split the claim holds, but the bag-of-words models come close at a fraction of the "
                 "cost: long reviews carry many redundant sentiment words, and counting them works well.")
    elif "above" in places:
        claim = ("On this split the claim holds against one baseline only, and a difference of this size says "
                 "more about the baselines' settings than about word order.")
    else:
        claim = ("On this split the claim does not hold. An LSTM trained from scratch has to learn every word "
                 "vector from these reviews alone, while a bag-of-words model only has to learn one weight per "
                 "word or word pair, and long reviews carry many redundant sentiment words, so counting them "
                 "works well.")
    return Verdict(f"The LSTM {headline}: at {lstm_accuracy:.1%} test accuracy it is {wording.join(clauses)}. "
                   f"{claim}", "+".join(places))


def precision_target_verdict(precision: float, recall: float, target: float) -> Verdict:
    """The chosen threshold's test precision and recall, and whether the precision meets the target.

    The shortfall is told without rounding it away: a precision that prints
    as the target (0.95) but lies below it says so. The id is the
    conclusion, "meets" or "short": how far short is a number, which the
    sentence gives, and the two profiles may miss by different amounts.
    """
    measured = (f"On the test reviews the chosen threshold gives a precision of {precision:.1%} and a recall "
                f"of {recall:.1%}.")
    if precision >= target:
        return Verdict(f"{measured} It meets the {target:.0%} target.", "meets")
    points = (target - precision) * 100
    if f"{precision:.2f}" == f"{target:.2f}":
        return Verdict(f"{measured} That is just short of the {target:.0%} target, by {points:.1f} points, "
                       f"although the legend of the figure below rounds it to {precision:.2f}.", "short")
    if points < 1:
        return Verdict(f"{measured} That is just short of the {target:.0%} target, by {points:.1f} points.",
                       "short")
    return Verdict(f"{measured} That is {points:.1f} points short of the {target:.0%} target: a threshold "
                   "picked on validation data is an estimate, and the test reviews move it.", "short")


def threshold_tradeoff_verdict(chosen_fp: int, default_fp: int, chosen_recall: float,
                               default_precision: float, default_recall: float) -> Verdict:
    """The chosen threshold against 0.5: negative reviews published by mistake, and positive ones found."""
    default = (f"At the default threshold of 0.5 the precision is {default_precision:.1%} and the recall "
               f"{default_recall:.1%}.")
    mistakes = (f"The chosen threshold publishes {wording.count(chosen_fp, 'negative review')} by mistake "
                f"instead of {default_fp:,}")
    if chosen_recall < default_recall:
        return Verdict(f"{default} {mistakes}, and finds fewer of the positive ones.", "fewer_found")
    if chosen_recall == default_recall:
        return Verdict(f"{default} {mistakes}, and finds as many of the positive ones.", "as_many_found")
    return Verdict(f"{default} {mistakes}, and finds more of the positive ones.", "more_found")


def cost_threshold_verdict(settings: dict[str, tuple[float, float, float]]) -> Verdict:
    """Where the cheapest validation threshold lands in two cost settings, and whether cost moves it as it should.

    Args:
        settings: Exactly two entries, name -> ``(fp_cost, fn_cost,
            threshold)``: the costs of a false positive and a false negative,
            and the threshold with the lowest cost on validation data. The
            setting in which false positives cost more should pick the
            higher threshold (fewer positive calls).
    """
    if len(settings) != 2:
        raise ValueError(f"Compare exactly two cost settings, got {len(settings)}.")
    (name_a, (fp_a, fn_a, t_a)), (name_b, (fp_b, fn_b, t_b)) = settings.items()
    if fp_a / fn_a == fp_b / fn_b:
        raise ValueError("The two settings weigh the mistakes alike: nothing to compare.")
    if fp_a / fn_a < fp_b / fn_b:  # a: the setting in which false positives weigh more
        (name_a, t_a), (name_b, t_b) = (name_b, t_b), (name_a, t_a)
    picked = (f"On the validation reviews the cheapest threshold is {t_a:.2f} {name_a} and {t_b:.2f} "
              f"{name_b}.")
    if t_a > t_b:
        return Verdict(f"{picked} The dearer mistake pushes the threshold away from itself: costly false "
                       "positives raise it, so fewer reviews are called positive, and costly misses lower it.",
                       "apart")
    if t_a == t_b:
        return Verdict(f"{picked} Here the costs do not move the threshold: the model's scores leave no "
                       "cheaper choice between the two.", "same")
    return Verdict(f"{picked} That is the wrong way round for the costs, a sign that the model's "
                   "probabilities are badly calibrated.", "reversed")


def imbalance_verdict(plain: dict[str, float], weighted: dict[str, float], *, positives: int,
                      base_rate: float, epochs: int) -> Verdict:
    """What class weights did in the imbalance experiment, honest about models that trained too little.

    Args:
        plain, weighted: Each model's ``recall``, ``precision``, ``accuracy``,
            ``fp`` and ``tp`` at threshold 0.5 and its ``roc_auc``, on the
            imbalanced validation reviews.
        positives: Positive reviews among them.
        base_rate: Their share of positive reviews.
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
                      f"validation reviews, at an accuracy of {plain['accuracy']:.1%}. Always answering "
                      f"\"negative\" would already score {majority:.1%}: accuracy says little when one class "
                      "is rare.")
    if weighted["recall"] > plain["recall"]:
        weighted_text = (f"Class weights raise the minority recall to {weighted['recall']:.1%}, and "
                         f"{weighted['precision']:.1%} of the weighted model's positive calls are right "
                         f"(it calls {weighted['fp']:,} negative reviews positive, against {plain['fp']:,} "
                         "without weights).")
    else:
        weighted_text = (f"Class weights do not raise the minority recall here ({weighted['recall']:.1%} "
                         f"against {plain['recall']:.1%}).")
    ranks = (f"Over all thresholds, the two models rank the reviews with a ROC AUC of "
             f"{plain['roc_auc']:.2f} and {weighted['roc_auc']:.2f}.")
    # The lesson a long enough training run shows: both models rank the reviews
    # well, and the weights trade precision for recall at a precision well above the base rate.
    learned = (plain["tp"] > 0 and weighted["recall"] > plain["recall"]
               and weighted["precision"] >= 2 * base_rate and min(plain["roc_auc"], weighted["roc_auc"]) >= 0.85)
    if learned:
        lesson = ("So class weights trade precision for minority recall, much as moving the threshold "
                  "would.")
    else:
        lesson = (f"Models trained for {wording.count(epochs, 'epoch')} on a few thousand reviews learn too "
                  "little to show the usual lesson: models that rank the rare reviews well, and class "
                  "weights that trade some precision for much more recall at a precision well above the "
                  "base rate.")
    branch = "+".join([
        "plain_all_negative" if plain["tp"] == 0 and plain["fp"] == 0 else "plain_finds_some",
        "weights_raise_recall" if weighted["recall"] > plain["recall"] else "weights_do_not_raise_recall",
        "lesson_shown" if learned else "lesson_not_shown",
    ])
    return Verdict(" ".join([plain_text, weighted_text, ranks, lesson]), branch)


def hard_cases_verdict(correct: dict[str, bool]) -> Verdict:
    """Which of the hard example reviews the LSTM gets right, in one sentence."""
    right = [name for name, ok in correct.items() if ok]
    wrong = [name for name, ok in correct.items() if not ok]
    if not wrong:
        return Verdict(f"The LSTM gets all {len(correct)} hard cases right: {wording.join(correct)}.", "all_right")
    if not right:
        return Verdict(f"The LSTM gets all {len(correct)} hard cases wrong: {wording.join(correct)}.", "all_wrong")
    return Verdict(f"The LSTM gets {wording.join(right)} right, and {wording.join(wrong)} wrong.",
                   "right:" + "+".join(right))


def build_note(*, profile: str, sequence_length: int, max_epochs: int, train_size: int, test_size: int,
               epochs_run: int, training_seconds: float, path: str | None = None) -> Verdict:
    """The note under the chapter's title: this build's profile and sizes, and the published build's headline numbers.

    The one place on the page for build notes (the profile, the date and
    commit of the recorded full build, its numbers), so that the lesson's
    sentences need none. A :class:`~dlbook.prose.Verdict` with
    ``lesson=False``, and glued without recording: it describes the build,
    so nothing in it is compared between builds.
    """
    from dlbook.prose import reference

    edition = "the published edition" if profile == "full" else "sized for a fast build"
    this = (f"This page was built in the {profile} profile, {edition}: the LSTM reads reviews cut to "
            f"{sequence_length} tokens, trains on {train_size:,} reviews for at most "
            f"{wording.count(max_epochs, 'epoch')} (it ran {epochs_run}, in {wording.duration(training_seconds)} "
            f"on the build machine's CPU), and is scored on {test_size:,} test reviews.")
    if profile == "full":
        return Verdict(this, "full", lesson=False)
    try:
        where = reference.describe(path)
        recorded = {name: reference.value("sentiment", name, path=path)
                    for name in ("sequence_length", "max_epochs", "test_size", "lstm_test_accuracy",
                                 "baseline_test_accuracy", "nbsvm_test_accuracy", "chosen_test_precision")}
    except (FileNotFoundError, reference.MissingReference):
        return Verdict(f"{this} No full-profile build is recorded in this copy of the book yet.",
                       "quick_without_record", lesson=False)
    return Verdict(f"{this} The published edition, {where}, reads {recorded['sequence_length']} tokens, trains for at "
            f"most {wording.count(recorded['max_epochs'], 'epoch')} and scores all {recorded['test_size']:,} test "
            f"reviews. Its LSTM reads {recorded['lstm_test_accuracy']:.1%} of them right, against "
            f"{recorded['baseline_test_accuracy']:.1%} for TF-IDF and {recorded['nbsvm_test_accuracy']:.1%} for "
            f"NBSVM, and its threshold for 95% precision gives {recorded['chosen_test_precision']:.1%} on the "
            "test reviews.", "quick_with_record", lesson=False)
