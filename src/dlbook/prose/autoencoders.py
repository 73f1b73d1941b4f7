"""Chapter 1's sentences, computed from its numbers (:mod:`dlbook.autoencoders` holds the model and metrics).

The chapter computes a sentence only where its lesson depends on the numbers:
the latent-size trend and its returns, the autoencoder against PCA at the
smallest code, and the
smallest code whose reconstructions keep their class. Everything else on the
page is written by hand, with numbers glued in where the sentence stays true
whatever they are. Each function returns a whole sentence, numbers included,
and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from dlbook.autoencoders import smallest_size_keeping_class, summarize_trend
from dlbook.prose import Verdict, wording

__all__ = [
    "class_kept_verdict",
    "latent_sweep_verdicts",
    "pca_smallest_verdict",
]


def _step(sizes: list[int]) -> str:
    # The default sizes double at every step; a latent_dim between them does not.
    pairs = list(zip(sizes, sizes[1:]))
    return "doubling" if all(large == 2 * small for small, large in pairs) else "step up"


def latent_sweep_verdicts(bce: Mapping[int, float], psnr: Mapping[int, float]) -> dict[str, Verdict]:
    """The two sentences chapter 1 reads off its latent-size sweep (test scores per latent size).

    Returns:
        ``bce_trend_verdict``: whether the test BCE falls at every step, from
        the smallest code's to the largest's; ``returns_verdict``: whether
        each step buys less than the one before, in BCE and in PSNR, with
        the gains of every step.
    """
    sizes = sorted(bce)
    if len(sizes) < 2:
        single = Verdict("With a single latent size there are no steps to compare.", "single_size")
        return {"bce_trend_verdict": single, "returns_verdict": single}
    step = _step(sizes)
    every = "every doubling of the latent size" if step == "doubling" else "every step up in latent size"
    smallest, largest = sizes[0], sizes[-1]
    bce_trend = summarize_trend(bce)
    psnr_trend = summarize_trend(psnr, lower_is_better=False)
    span = (f"from {bce[smallest]:.4f} at {smallest} numbers to {bce[largest]:.4f} at {largest}")
    if bce_trend["monotone"]:
        trend = Verdict(f"The test BCE falls at {every}, {span}.", "falls")
    else:
        trend = Verdict(f"The test BCE does not fall at {every}; it goes {span}.", "does_not_fall")
    bce_steps = wording.join(f"{gain:.4f}" for gain in bce_trend["gains"])
    psnr_steps = wording.join(f"{gain:.2f}" for gain in psnr_trend["gains"])
    logarithmic = ("PSNR is logarithmic, so halving an image's squared error adds about 3 dB "
                   "however small the error already is.")
    if bce_trend["diminishing"] and psnr_trend["diminishing"]:
        returns = Verdict(f"Each {step} buys less than the one before, by both measures: the BCE falls by "
                          f"{bce_steps}, and the PSNR rises by {psnr_steps} dB.", "both_diminish")
    elif bce_trend["diminishing"]:
        returns = Verdict(f"In BCE, the loss the model is trained on, each {step} buys less than the one "
                          f"before: it falls by {bce_steps}. In PSNR the steps add {psnr_steps} dB, which do "
                          f"not shrink at every {step}: {logarithmic}", "bce_diminishes")
    elif psnr_trend["diminishing"]:
        returns = Verdict(f"In PSNR each {step} buys less than the one before ({psnr_steps} dB), but in BCE "
                          f"the steps ({bce_steps}) do not shrink at every {step}.", "psnr_diminishes")
    else:
        changes = wording.join(f"{-gain:+.4f}" for gain in bce_trend["gains"])
        returns = Verdict(f"Over this range the returns do not diminish: the BCE changes by {changes} and "
                          f"the PSNR by {psnr_steps} dB, so larger codes keep paying off.", "not_diminishing")
    return {"bce_trend_verdict": trend, "returns_verdict": returns}


def pca_smallest_verdict(ae_mse: float, pca_mse: float, size: int) -> Verdict:
    """The autoencoder against PCA at the smallest latent size, where the non-linearity should matter most."""
    if ae_mse < pca_mse:
        return Verdict(f"At the smallest code, {size} numbers, the autoencoder's MSE of {ae_mse:.4f} is below "
                       f"PCA's {pca_mse:.4f}: where the code is tightest, the non-linearity pays off.", "ae_ahead")
    return Verdict(f"At the smallest code, {size} numbers, PCA's MSE of {pca_mse:.4f} is below the "
                   f"autoencoder's {ae_mse:.4f}: even where the code is tightest, the non-linearity does not "
                   "pay for itself in MSE.", "pca_ahead")


def class_kept_verdict(accuracy_by_size: Mapping[int, float], original_accuracy: float, *,
                       tolerance: float = 0.01) -> Verdict:
    """The answer to "how small can a digit get?": the smallest code whose reconstructions keep their class.

    A code keeps the class when a classifier trained on clean digits reads
    its reconstructions right within ``tolerance`` (a share) of how often it
    reads the originals right, at that size and at every larger one
    (:func:`dlbook.autoencoders.smallest_size_keeping_class`).
    """
    sizes = sorted(accuracy_by_size)
    kept = smallest_size_keeping_class(accuracy_by_size, original_accuracy, tolerance=tolerance)
    points = f"{tolerance * 100:g} point" + ("" if tolerance == 0.01 else "s")
    originals = wording.percent(original_accuracy, 1)
    if kept is None:
        largest = sizes[-1]
        return Verdict(f"No code of the sweep keeps the class that often: even at {largest} numbers the "
                       f"classifier reads {wording.percent(accuracy_by_size[largest], 1)} of the reconstructions "
                       f"right, more than {points} below the {originals} of the originals.", "none_keeps")
    at_kept = wording.percent(accuracy_by_size[kept], 1)
    if kept == sizes[0]:
        return Verdict(f"Even the smallest code, {kept} numbers, keeps the class: the classifier reads "
                       f"{at_kept} of its reconstructions right, within {points} of the {originals} of the "
                       "originals.", "smallest_keeps")
    below = sizes[sizes.index(kept) - 1]
    return Verdict(f"A code of {kept} numbers is the smallest that keeps the class about as often as the "
                   f"originals: the classifier reads {at_kept} of its reconstructions right, within {points} of "
                   f"the {originals} of the originals, and at {below} numbers only "
                   f"{wording.percent(accuracy_by_size[below], 1)}.", "keeps_from_a_size")
