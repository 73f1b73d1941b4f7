"""Chapter 2's sentences, computed from its numbers (:mod:`dlbook.denoising` holds the noise, model and metrics).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from dlbook.prose import Verdict

__all__ = [
    "beyond_training_verdict",
    "clean_cost_verdict",
    "clean_vs_noisy_verdict",
    "comparison_word",
    "noisy_verdict",
    "ratio_agreement_verdict",
    "specialist_verdict",
    "wins_from_text",
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
        return Verdict(f"the denoiser wins: the basic autoencoder's squared error is "
                       f"{basic_mse / denoiser_mse:.2f} times the denoiser's", "denoiser_wins")
    if denoiser_mse == basic_mse:
        return Verdict("the two models tie: their squared errors are identical", "tie")
    return Verdict(f"the basic autoencoder wins: the denoiser's squared error is {denoiser_mse / basic_mse:.2f} "
                   "times the basic autoencoder's, so training on noise has not paid off in this build", "basic_wins")


def clean_cost_verdict(denoiser_clean: float, basic_clean: float) -> Verdict:
    """What the denoiser gives up: its MSE on clean digits against the basic autoencoder's."""
    ratio = denoiser_clean / basic_clean
    if denoiser_clean <= basic_clean:
        return Verdict(f"On clean digits the denoiser's MSE is {ratio:.2f} times the basic autoencoder's: "
                       "in this build, training on noise costs nothing on clean input.", "no_cost")
    return Verdict(f"On clean digits the denoiser's MSE is {ratio:.1f} times the basic autoencoder's: "
                   "it is a specialist for the noise it was trained on.", "specialist")


def clean_vs_noisy_verdict(denoiser_clean: float, denoiser_noisy: float) -> Verdict:
    """The denoiser's MSE on clean digits against its MSE on the noisy digits it was trained for."""
    if denoiser_clean >= denoiser_noisy:
        return Verdict(f"Its error on clean digits is even higher than on the noisy digits it was trained for "
                       f"({denoiser_noisy:.4f}), although a clean digit looks like the easier task.", "clean_worse")
    return Verdict(f"Its error on clean digits is lower than on the noisy digits it was trained for "
                   f"({denoiser_noisy:.4f}), as the easier task suggests.", "clean_better")


def wins_from_text(level: float | None) -> Verdict:
    """``summarize_sweep``'s ``wins_from`` in words: "from σ = 0.3 upward" or "at no level for good"."""
    if level is None:
        return Verdict("at no level for good", "never")
    return Verdict(f"from σ = {level:.1f} upward", "from_a_level")  # the level is a number, not a branch


def ratio_agreement_verdict(table_ratio: float, sweep_ratio: float) -> Verdict:
    """Why the sweep's ratio at the training level may differ from the score table's.

    Both are the basic autoencoder's MSE over the denoiser's at the training
    noise level, but the sweep draws its own noise at every level (another
    seed than the fixed noisy test digits), so the two numbers can differ in
    the last digits. Shown at two decimals, as both places show them.
    """
    if f"{table_ratio:.2f}" == f"{sweep_ratio:.2f}":
        return Verdict("the same ratio as on the fixed noisy test digits above", "same")
    return Verdict(f"on the fixed noisy test digits above it was {table_ratio:.2f}: the sweep draws its own noise "
                   "at every level, and another draw of the noise gives a slightly different ratio", "differs")


def beyond_training_verdict(ratio_at_trained: float, ratio_at_max: float, max_std: float) -> Verdict:
    """How the denoiser's advantage over the basic autoencoder (basic MSE / denoiser MSE) changes up to ``max_std``."""
    if ratio_at_max <= 1:
        return Verdict(f"The denoiser's advantage over the basic autoencoder is gone at σ = {max_std:.1f}: "
                       f"there the basic autoencoder's error is {ratio_at_max:.2f} times the denoiser's.", "gone")
    trend = comparison_word(ratio_at_max, ratio_at_trained, "shrinks to", "grows to", "stays at")
    return Verdict(f"The denoiser's advantage over the basic autoencoder {trend} a factor of {ratio_at_max:.2f} "
                   f"at σ = {max_std:.1f}.", {"smaller": "shrinks", "larger": "grows", "same": "stays"}[trend.id])


def specialist_verdict(at_zero: float, at_trained: float, input_over_denoiser_at_max: float,
                       max_std: float) -> Verdict:
    """The sweep's lesson: the denoiser's error on clean input against its training level, and at the strongest noise."""
    if at_zero > at_trained:
        branch = "clean_input_worse"
        text = ("The lesson is general: a denoiser is tuned to the noise it was trained on. "
                "On clean input its error is higher than at its training level, because clean input breaks "
                "the statistics it learned to expect")
    else:
        branch = "clean_input_fine"
        text = ("On clean input the denoiser's error is lower than at its training level: "
                "in this build, clean input does not trouble it")
    if input_over_denoiser_at_max > 1:
        return Verdict(text + (f"; at stronger noise it loses ground gradually, and at σ = {max_std:.1f} the noisy "
                               f"input's error is still {input_over_denoiser_at_max:.1f} times its own."),
                       branch + "+beats_input")
    return Verdict(text + (f"; at σ = {max_std:.1f} it no longer beats doing nothing: the noisy input's error is "
                           f"{input_over_denoiser_at_max:.2f} times its own."), branch + "+loses_to_input")
