"""Chapter 1's sentences, computed from its numbers (:mod:`dlbook.autoencoders` holds the model and metrics).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from dlbook.autoencoders import summarize_trend
from dlbook.prose import Verdict, wording

__all__ = [
    "dead_units_verdict",
    "generalisation_verdict",
    "holdout_verdict",
    "ink_verdict",
    "latent_sweep_verdicts",
    "pca_smallest_verdict",
    "pca_verdict",
    "size_cost_verdict",
    "sparsity_verdict",
    "worst_ink_verdict",
]


def sparsity_verdict(zero_share: float) -> Verdict:
    """A sentence about how many code numbers the ReLU sets to exactly zero, from their share."""
    if not 0 <= zero_share <= 1:
        raise ValueError(f"zero_share must lie in [0, 1], got {zero_share}.")
    share = wording.percent(zero_share)
    if zero_share == 0:
        return Verdict("The codes are dense: the ReLU could set code numbers to zero, "
                       "but none of the code numbers on the test set is exactly zero.", "dense_no_zeros")
    if zero_share < 0.1:
        return Verdict(f"The codes are dense: the ReLU could set code numbers to zero, but only {share} of all "
                       "code numbers on the test set are exactly zero, so almost every digit uses its whole code.",
                       "dense")
    if zero_share < 0.5:
        return Verdict(f"The codes are partly sparse: because of the ReLU, {share} of all code numbers on the "
                       "test set are exactly zero, so a typical digit leaves part of its code unused.", "partly_sparse")
    return Verdict(f"The codes are sparse: because of the ReLU, {share} of all code numbers on the test set "
                   "are exactly zero, so a typical digit uses only a few of its code numbers.", "sparse")


def generalisation_verdict(train_loss: float, val_loss: float) -> Verdict:
    """How the validation loss compares with the training loss, in words.

    A gap under 1 % of the training loss (plus 0.002 for rounding) counts as
    "about as well": the two losses are measured on different digits and the
    training loss averages over an epoch in which the model still changes.
    """
    gap = val_loss - train_loss
    if abs(gap) < 0.01 * train_loss + 0.002:
        return Verdict("the model reconstructs unseen digits about as well as the ones it trained on", "same")
    if gap > 0:
        return Verdict("the model reconstructs its training digits noticeably better than unseen ones", "overfits")
    return Verdict("the validation digits are reconstructed better than the training ones", "validation_better")


def holdout_verdict(test_loss: float, val_loss: float) -> Verdict:
    """A sentence comparing the test BCE with the final validation loss."""
    relative = (test_loss - val_loss) / val_loss if val_loss else float("inf")
    if abs(relative) < 0.02:
        return Verdict(f"The test BCE is {test_loss:.4f}, close to the validation loss of {val_loss:.4f}.", "close")
    side = "above" if relative > 0 else "below"
    return Verdict(f"The test BCE is {test_loss:.4f}, {abs(relative):.0%} {side} the validation loss of "
                   f"{val_loss:.4f}: the test digits are {'harder' if relative > 0 else 'easier'} "
                   "for this model than the validation digits.", "test_harder" if relative > 0 else "test_easier")


def dead_units_verdict(dead: int, total: int) -> Verdict:
    """A sentence on how many code units stay zero for every test digit."""
    units = wording.of_total(dead, total, "code unit")
    if dead == 0:
        return Verdict(wording.sentence(f"{units} is zero for every test digit: each unit fires for some digits."),
                       "none_dead")
    if dead == total:
        return Verdict(wording.sentence(f"{units} are zero for every test digit: the code carries nothing."),
                       "all_dead")
    verb = "is" if dead == 1 else "are"
    dead_words = "a dead unit" if dead == 1 else "dead units"
    return Verdict(wording.sentence(f"{units} {verb} zero for every test digit: {dead_words}, "
                                    "which the decoder cannot use."), "some_dead")


def ink_verdict(correlation: float) -> Verdict:
    """Two sentences on how the per-digit error follows the amount of ink, from their correlation."""
    strength = ("strongly" if abs(correlation) >= 0.7
                else "moderately" if abs(correlation) >= 0.4 else "only weakly")
    text = (f"Across the ten classes, the error is {strength} correlated with the mean amount of ink "
            f"(correlation {correlation:.2f})")
    if abs(correlation) < 0.4:
        return Verdict(text + ": ink explains little of the difference, so the shapes of the digits must.", "weak")
    if correlation > 0:
        return Verdict(text + ": digits with more ink have more error. Part of the difference is simply ink: "
                       "a digit with more ink pixels has more pixels to get wrong.", "more_ink_more_error")
    return Verdict(text + ": digits with more ink have less error, so ink does not explain the difference.",
                   "more_ink_less_error")


def worst_ink_verdict(ratio: float) -> Verdict:
    """A sentence on the ink of the worst-reconstructed digits, ``ratio`` times the test set's mean."""
    if ratio > 1.1:
        return Verdict(f"On average they carry {ratio:.1f} times the test set's mean amount of ink: "
                       "thick strokes, and the unusual shapes visible above, are what a small code loses first.",
                       "more_ink")
    if ratio < 0.9:
        return Verdict(f"On average they carry only {ratio:.1f} times the test set's mean amount of ink, "
                       "so it is their unusual shapes, not their ink, that the small code loses.", "less_ink")
    return Verdict(f"On average they carry about the test set's mean amount of ink ({ratio:.1f} times), "
                   "so it is their unusual shapes that the small code loses.", "mean_ink")


def latent_sweep_verdicts(bce: Mapping[int, float], psnr: Mapping[int, float],
                          mse: Mapping[int, float]) -> dict[str, Verdict]:
    """The sentences chapter 1 reads off its latent-size sweep (test scores per latent size).

    Returns:
        ``bce_trend_verdict`` ("falls at every doubling of the latent size"),
        ``bce_gains_text`` (the BCE change of each step, in words),
        ``bce_returns_verdict`` (whether each step buys less than the one before),
        ``psnr_gains_text``, ``mse_factors_text`` (per step), and
        ``returns_verdict``, the sentence that weighs BCE against PSNR.
    """
    sizes = sorted(bce)
    steps = list(zip(sizes, sizes[1:]))
    if not steps:
        single = "With a single latent size there are no steps to compare."
        return {"bce_trend_verdict": Verdict("cannot change with a single latent size", "single_size"),
                "bce_gains_text": Verdict(single, "single_size"),
                "bce_returns_verdict": Verdict("there is nothing to compare", "single_size"),
                "psnr_gains_text": Verdict("no", "single_size"), "mse_factors_text": Verdict("none", "single_size"),
                "returns_verdict": Verdict(single, "single_size")}
    # The default sizes double at every step; a latent_dim between them does not.
    step = "doubling" if all(large == 2 * small for small, large in steps) else "step up"
    every = "every doubling of the latent size" if step == "doubling" else "every step up in latent size"
    bce_trend = summarize_trend(bce)
    psnr_trend = summarize_trend(psnr, lower_is_better=False)
    moves = [f"from {small} to {large} {'lowers' if gain > 0 else 'raises'} {'the BCE' if index == 0 else 'it'} "
             f"by {abs(gain):.4f}" for index, ((small, large), gain) in enumerate(zip(steps, bce_trend["gains"]))]
    if bce_trend["diminishing"] and psnr_trend["diminishing"]:
        verdict = Verdict(f"By both measures each {step} buys less than the one before: diminishing returns, "
                          "while the code keeps growing.", "both_diminish")
    elif bce_trend["diminishing"]:
        verdict = Verdict("So the returns diminish in BCE, the loss the model is trained on, but not in PSNR: "
                          "PSNR is logarithmic, so halving an image's MSE adds the same 3 dB however small "
                          f"the error already is, and the MSE keeps falling by a similar or larger factor per {step}.",
                          "bce_diminishes")
    elif psnr_trend["diminishing"]:
        verdict = Verdict("So the returns diminish in PSNR, but not at every step in BCE.", "psnr_diminishes")
    else:
        verdict = Verdict("Over this range the returns are not diminishing: larger codes keep paying off.",
                          "not_diminishing")
    return {
        "bce_trend_verdict": (Verdict(f"falls at {every}", "falls") if bce_trend["monotone"]
                              else Verdict(f"does not fall at {every}", "does_not_fall")),
        "bce_gains_text": Verdict("Going " + wording.join(moves),
                                  "+".join("lowers" if gain > 0 else "raises" for gain in bce_trend["gains"])),
        "bce_returns_verdict": (Verdict(f"each {step} buys less than the one before", "diminishing")
                                if bce_trend["diminishing"]
                                else Verdict(f"the gains do not shrink at every {step}", "not_diminishing")),
        "psnr_gains_text": Verdict(wording.join(f"{gain:.2f}" for gain in psnr_trend["gains"]), "numbers"),
        "mse_factors_text": Verdict(wording.join(f"{mse[small] / mse[large]:.2f}" for small, large in steps),
                                    "numbers"),
        "returns_verdict": verdict,
    }


def pca_verdict(ae_mse: Mapping[int, float], pca_mse: Mapping[int, float], *, epochs: int) -> dict[str, Verdict]:
    """Where the autoencoder beats PCA in test MSE, and what that says about its non-linearity.

    Returns:
        ``pca_wins_verdict`` ("at every latent size", "only at latent sizes 16
        and 32", ...) and ``pca_verdict``, the sentence that weighs them.
    """
    sizes = sorted(ae_mse)
    wins = [size for size in sizes if ae_mse[size] < pca_mse[size]]
    losses = [size for size in sizes if size not in wins]
    if len(wins) == len(sizes):
        branch = "ae_everywhere"
        where = "at every latent size"
        verdict = ("So the non-linear model beats the best linear compressor even on the linear one's own "
                   "metric: that is what the ReLU and the sigmoid buy.")
    elif not wins:
        branch = "pca_everywhere"
        where = "at none of the latent sizes"
        verdict = (f"So in this build the best linear compressor wins: after {wording.count(epochs, 'epoch')} "
                   "of gradient descent the autoencoder has not caught up with PCA's exact solution, "
                   "and its non-linearity does not pay for itself in MSE.")
    else:
        branch = "ae_at_some"  # which sizes is in the numbers, not in the branch
        where = "only at latent " + ("size " if len(wins) == 1 else "sizes ") + wording.join(wins)
        verdict = ("So what the non-linearity buys depends on the code size: the autoencoder is ahead at "
                   f"{wording.join(wins)}, PCA's exact linear solution at {wording.join(losses)}.")
    return {"pca_wins_verdict": Verdict(where, branch), "pca_verdict": Verdict(verdict, branch)}


def pca_smallest_verdict(ae_mse: float, pca_mse: float, size: int, *, profile: str, epochs: int,
                         full_ae_wins: bool | None = None) -> Verdict:
    """The autoencoder against PCA at the smallest latent size, honest about the profile.

    Where this build's numbers disagree with what the full profile shows
    (``full_ae_wins``), a build of another profile says that it trains too
    little to show the full profile's result.
    """
    ae_wins = ae_mse < pca_mse
    if ae_wins:
        text = (f"At the smallest code, {size} numbers, the autoencoder's MSE ({ae_mse:.4f}) is below "
                f"PCA's ({pca_mse:.4f}): where the code is tightest, the non-linearity pays off.")
    else:
        text = (f"At the smallest code, {size} numbers, PCA's MSE ({pca_mse:.4f}) is below the "
                f"autoencoder's ({ae_mse:.4f}) in this build.")
    if profile != "full" and full_ae_wins is not None and ae_wins != full_ae_wins:
        shows = ("the autoencoder ahead of PCA at the smallest code" if full_ae_wins
                 else "PCA ahead of the autoencoder at the smallest code")
        text += (f" The full profile shows the opposite, {shows}: the {profile} profile's "
                 f"{wording.count(epochs, 'epoch')} {'trains' if epochs == 1 else 'train'} too little to show it.")
    elif not ae_wins:
        text += " Here the non-linearity does not pay for itself in MSE."
    # The id is the lesson (who is ahead), not whether the quick page added the full profile's.
    return Verdict(text, "ae_ahead" if ae_wins else "pca_ahead")


def size_cost_verdict(params_ratio: float, time_ratio: float, smallest: int, largest: int) -> Verdict:
    """What the largest code costs against the smallest, in parameters and in training time."""
    # Plain text, no math markup: a glued string is not parsed as Markdown.
    text = (f"The compression ratio falls in proportion to the code size, and the weights grow with it: the {largest}-code "
            f"model has {params_ratio:.1f} times the parameters of the {smallest}-code model")
    if time_ratio >= 1.2:
        return Verdict(text + (f" and took {time_ratio:.1f} times as long to train (wall-clock times on a shared "
                               "machine are only indicative)."), "slower", lesson=False)
    return Verdict(text + (f", yet its training took {time_ratio:.1f} times as long, about the same: for a model "
                           "this small, an epoch's time goes mostly to moving the images, not to the weights "
                           "(wall-clock times on a shared machine are only indicative)."), "same_time", lesson=False)
