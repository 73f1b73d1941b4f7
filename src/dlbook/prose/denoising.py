"""Chapter 2's sentences, computed from its numbers (:mod:`dlbook.denoising` holds the noise, model and metrics).

The chapter computes a sentence only where its lesson depends on the numbers:
the denoiser against the basic autoencoder on noisy input, what the denoiser
gives up on clean input, the noise-level sweep, and anomaly detection by
reconstruction error. Everything else on the page is written by hand, with
numbers glued in where the sentence stays true whatever they are. Each
function returns a whole sentence, numbers included, and is unit-tested for
every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from dlbook.prose import Verdict

__all__ = [
    "anomaly_verdict",
    "beyond_training_verdict",
    "clean_cost_verdict",
    "comparison_word",
    "noisy_verdict",
    "specialist_verdict",
    "sweep_wins_verdict",
]


def comparison_word(value: float, other: float, smaller: str = "lower", larger: str = "higher",
                    same: str = "the same as") -> Verdict:
    """``smaller``, ``larger`` or ``same`` as ``value`` is below, above or equal to ``other`` (id: which)."""
    if value == other:
        return Verdict(same, "same")
    return Verdict(smaller, "smaller") if value < other else Verdict(larger, "larger")


def noisy_verdict(denoiser_mse: float, basic_mse: float) -> Verdict:
    """The headline: the denoiser against the basic autoencoder on the same noisy test digits (MSE)."""
    if denoiser_mse < basic_mse:
        return Verdict(f"The denoiser wins: the basic autoencoder's squared error is "
                       f"{basic_mse / denoiser_mse:.2f} times the denoiser's.", "denoiser_wins")
    if denoiser_mse == basic_mse:
        return Verdict("The two models tie: their squared errors are identical.", "tie")
    return Verdict(f"The basic autoencoder wins: the denoiser's squared error is {denoiser_mse / basic_mse:.2f} "
                   "times the basic autoencoder's, so training on noise has not paid off here.", "basic_wins")


def clean_cost_verdict(denoiser_clean: float, basic_clean: float) -> Verdict:
    """What the denoiser gives up: its MSE on clean digits against the basic autoencoder's."""
    ratio = denoiser_clean / basic_clean
    if denoiser_clean <= basic_clean:
        return Verdict(f"On clean digits the denoiser's MSE is {ratio:.2f} times the basic autoencoder's, "
                       "so training on noise costs nothing on clean input.", "no_cost")
    return Verdict(f"On clean digits the denoiser's MSE is {ratio:.1f} times the basic autoencoder's: "
                   "it is a specialist for the noise it was trained on.", "specialist")


def _from(level: float | None) -> str:
    return "at no level for good" if level is None else f"from σ = {level:.1f} upward"


def sweep_wins_verdict(denoiser_over_basic: float | None, denoiser_over_input: float | None,
                       basic_over_input: float | None) -> Verdict:
    """Where on the noise sweep each model pays off, from ``summarize_sweep``'s ``wins_from`` levels.

    Each argument is the lowest noise level from which the first named beats
    the second at every higher level (``None``: at no level for good). The id
    says which of the three exist and whether the denoiser pays off against
    doing nothing at a lower level than the basic autoencoder does, not the
    levels themselves.
    """
    parts = ["from" if level is not None else "never"
             for level in (denoiser_over_basic, denoiser_over_input, basic_over_input)]
    if denoiser_over_input is not None and (basic_over_input is None or denoiser_over_input < basic_over_input):
        order = "denoiser_first"
    elif denoiser_over_input is not None and denoiser_over_input == basic_over_input:
        order = "together"
    else:
        order = "basic_first"
    if denoiser_over_basic is not None and denoiser_over_basic == denoiser_over_input:
        denoiser = f"The denoiser beats both the basic autoencoder and doing nothing {_from(denoiser_over_basic)}"
    else:
        denoiser = (f"The denoiser beats the basic autoencoder {_from(denoiser_over_basic)}, and it beats "
                    f"doing nothing {_from(denoiser_over_input)}")
    if basic_over_input is None:
        basic = "the basic autoencoder never beats doing nothing for good."
    elif order == "denoiser_first":
        basic = f"the basic autoencoder beats doing nothing only {_from(basic_over_input)}."
    else:
        basic = f"the basic autoencoder beats doing nothing {_from(basic_over_input)}."
    return Verdict(f"{denoiser}; {basic}", "+".join(parts) + "+" + order)


def beyond_training_verdict(ratio_at_trained: float, ratio_at_max: float, max_std: float) -> Verdict:
    """How the denoiser's advantage over the basic autoencoder (basic MSE / denoiser MSE) changes up to ``max_std``."""
    if ratio_at_max <= 1:
        return Verdict(f"The denoiser's advantage over the basic autoencoder is gone at σ = {max_std:.1f}: "
                       f"there the basic autoencoder's error is {ratio_at_max:.2f} times the denoiser's.", "gone")
    # The ratio at the training level is the score table's headline, said there once.
    trend = comparison_word(ratio_at_max, ratio_at_trained, "shrinks", "grows", "stays the same")
    return Verdict(f"The denoiser's advantage over the basic autoencoder {trend} as the noise grows: at "
                   f"σ = {max_std:.1f} the basic autoencoder's error is {ratio_at_max:.2f} times the denoiser's.",
                   {"smaller": "shrinks", "larger": "grows", "same": "stays"}[trend.id])


def specialist_verdict(at_zero: float, at_trained: float, input_over_denoiser_at_max: float,
                       max_std: float) -> Verdict:
    """The sweep's lesson: the denoiser's error on clean input against its training level, and at the strongest noise."""
    if at_zero > at_trained:
        branch = "clean_input_worse"
        text = (f"The denoiser's error on clean input, {at_zero:.4f}, is higher than at its training level, "
                f"{at_trained:.4f}: a denoiser is tuned to the noise it was trained on, and clean input breaks "
                "the statistics it learned to expect.")
    else:
        branch = "clean_input_fine"
        text = (f"The denoiser's error on clean input, {at_zero:.4f}, is no higher than at its training level, "
                f"{at_trained:.4f}: clean input does not trouble it.")
    if input_over_denoiser_at_max > 1:
        return Verdict(text + (f" At stronger noise it loses ground gradually: at σ = {max_std:.1f} the noisy "
                               f"input's error is still {input_over_denoiser_at_max:.1f} times its own."),
                       branch + "+beats_input")
    return Verdict(text + (f" At σ = {max_std:.1f} it no longer beats doing nothing: the noisy input's error is "
                           f"{input_over_denoiser_at_max:.2f} times its own."), branch + "+loses_to_input")


def anomaly_verdict(basic_auc: float, denoiser_auc: float) -> Verdict:
    """Which model's reconstruction error better tells mirrored digits from real ones (ROC AUC, 0.5 is chance)."""
    if max(basic_auc, denoiser_auc) <= 0.5:
        return Verdict(f"Neither model's error flags the mirrored digits: the ROC AUCs are {basic_auc:.3f} for "
                       f"the basic autoencoder and {denoiser_auc:.3f} for the denoiser, no better than chance.",
                       "neither")
    if basic_auc >= denoiser_auc:
        return Verdict(f"The basic autoencoder's error is the better detector, with a ROC AUC of {basic_auc:.3f} "
                       f"against the denoiser's {denoiser_auc:.3f}: a model that copies digits closely copies "
                       "an unfamiliar shape badly, while the denoiser pulls every input towards a blurry digit "
                       "and so blurs real and mirrored digits alike.", "basic_better")
    return Verdict(f"The denoiser's error is the better detector, with a ROC AUC of {denoiser_auc:.3f} against "
                   f"the basic autoencoder's {basic_auc:.3f}: having learned what digits look like, it fails "
                   "more clearly on shapes that are not digits.", "denoiser_better")
