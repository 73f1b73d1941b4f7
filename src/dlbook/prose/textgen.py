"""Chapter 3's sentences, computed from its numbers (:mod:`dlbook.textgen` holds the data, model and sampling).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlbook.prose import Verdict

__all__ = [
    "context_verdict",
    "embedding_saving_verdict",
    "floor_verdict",
    "framework_verdict",
    "one_hot_verdicts",
    "rounding_verdict",
    "target_verdict",
    "temperature_verdicts",
    "trend_verdict",
    "window_verdict",
]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def target_verdict(loss: float, target: float, *, profile: str, epochs: int, train_chars: int) -> Verdict:
    """How a test loss (nats per character) stands against the full profile's aim, in words.

    The quick profile trains far less than the full one, so a quick model
    that misses the aim is told why; a full model that misses it is told by
    how much.
    """
    gap = abs(loss - target)
    by = "less than 0.01 nats" if gap < 0.005 else f"{gap:.2f} nats"
    if loss <= target:
        text = ("reaches it even in the quick profile" if profile == "quick"
                else "just reaches it" if gap < 0.005 else f"reaches it, {by} below")
        return Verdict(text, "reaches")
    if profile == "quick":
        return Verdict(f"misses it by {by}: the quick profile trains {_plural(epochs, 'epoch')} "
                       f"on {train_chars:,} characters, a fraction of the full profile's training", "misses")
    return Verdict(f"misses it by {by} after {_plural(epochs, 'epoch')}", "misses")


def context_verdict(window_loss: float, carried_loss: float, *, tolerance: float = 0.01) -> Verdict:
    """Compare the loss over short windows with the loss when the state is carried, in words."""
    gap = window_loss - carried_loss
    if gap > tolerance:
        return Verdict(f"lower by {gap:.2f} nats, so the model uses context beyond its training windows", 'uses_context')
    if gap < -tolerance:
        return (Verdict(f"higher by {-gap:.2f} nats: trained on short windows that start from a zero state, "
                "the model has not learned to use a longer past", 'no_longer_past'))
    return Verdict("about the same, so the context beyond a window adds little here", 'same')


def window_verdict(speedup: float, window: int) -> Verdict:
    """Read the speed-up of carrying the state over re-reading a window with the same step.

    Re-reading costs ``window`` steps per character instead of one, so the
    speed-up approaches but cannot much exceed the window length.
    """
    if speedup > 1.1 * window:
        return Verdict(f"above the window length of {window}, which only timing noise explains", 'above_window', lesson=False)
    if speedup >= 0.5 * window:
        return Verdict(f"close to the window length of {window}: almost all of the baseline's time is re-reading", 'close_to_window', lesson=False)
    if speedup > 1.5:
        return (Verdict(f"well below the window length of {window}: the work paid once per character "
                "either way (sampling, Python) weighs too", 'below_window', lesson=False))
    return Verdict("no real gain: the work paid once per character dominates both methods", 'no_gain', lesson=False)


def framework_verdict(ratio: float, milliseconds: float) -> Verdict:
    """Read how much slower ``model.predict`` per character is than the same window in NumPy.

    Args:
        ratio: The NumPy window method's speed over ``model.predict``'s.
        milliseconds: What ``model.predict`` adds per character.
    """
    cost = "under a millisecond" if milliseconds < 1 else f"about {milliseconds:,.0f} milliseconds"
    if ratio >= 10:
        return (Verdict(f"what it adds per character ({cost}) is almost all the framework's own work per call, "
                "not the model's arithmetic", 'framework_dominates', lesson=False))
    if ratio > 1.5:
        return (Verdict(f"what it adds per character ({cost}) is the framework's work per call, "
                f"{ratio - 1:.1f} times the arithmetic itself", 'framework_costs', lesson=False))
    return Verdict(f"the framework adds little ({cost} per character)", 'framework_little', lesson=False)


def floor_verdict(share: float) -> Verdict:
    """Read a method's speed as a share of the machine's floor (the step's matrix products alone)."""
    if share >= 0.9:
        return Verdict("the rest of the step costs almost nothing", 'near_floor', lesson=False)
    if share >= 0.5:
        return Verdict("the matrix products take more of a step's time than everything else in it", 'products_dominate', lesson=False)
    return Verdict("the rest of the step (gates, sampling, Python) takes more time than the matrix products", 'rest_dominates', lesson=False)


def rounding_verdict(difference: float, *, tolerance: float = 1e-4) -> Verdict:
    """Say whether two computations of the same numbers agree: identical, equal up to rounding, or not."""
    if difference == 0:
        return Verdict("identical", 'identical')
    if difference <= tolerance:
        return Verdict(f"equal up to float rounding (they differ by {difference:.0e})", 'rounding')
    return Verdict(f"different: they differ by {difference:.1e}, more than rounding explains", 'different')


def trend_verdict(values: Sequence[float]) -> Verdict:
    """A word for how a measurement moves along increasing temperatures."""
    steps = np.diff(np.asarray(values, dtype=float))
    if (steps > 0).all():
        return Verdict("rises at every step", 'rises_every_step')
    if (steps < 0).all():
        return Verdict("falls at every step", 'falls_every_step')
    if values[-1] > values[0]:
        return Verdict("rises overall", 'rises_overall')
    return Verdict("falls overall" if values[-1] < values[0] else "ends where it started", "falls_overall" if values[-1] < values[0] else "unchanged")


def temperature_verdicts(low: dict[str, float], one: dict[str, float], high: dict[str, float]) -> dict[str, Verdict]:
    """Readings of the temperature table's rows at the lowest temperature, at 1 and at the highest."""
    sharper = low["entropy"] < one["entropy"]
    repeats = low["distinct_ngrams"] < high["distinct_ngrams"]
    invents = high["word_share"] < low["word_share"]
    return {
        "entropy_verdict": (Verdict("so the text is predictable", "predictable") if sharper
                            else Verdict("yet here the text is not more predictable", "not_predictable")),
        "distinct_verdict": (Verdict("low temperatures repeat the same few phrases, high temperatures rarely repeat "
                                     "anything", "low_repeats") if repeats
                             else Verdict("unexpectedly, the low temperatures repeat less here", "low_repeats_less")),
        "word_share_verdict": (Verdict("the variety bought with a high temperature is increasingly made of words "
                                       "that do not exist", "high_invents") if invents
                               else Verdict("unexpectedly, high temperatures do not invent more words here",
                                            "high_invents_no_more")),
        "temperature_verdict": (
            Verdict("low temperatures give safe, repetitive text and high temperatures varied text that drifts "
                    "into gibberish", "usual_trade") if repeats and invents
            else Verdict("here the measurements do not show the usual trade of repetition against gibberish",
                         "no_usual_trade")),
    }


def one_hot_verdicts(*, loss_gap: float, params_ratio: float, time_ratio: float) -> dict[str, Verdict]:
    """Read the embedding-against-one-hot comparison.

    Args:
        loss_gap: One-hot validation loss minus the embedding model's, after one epoch (nats).
        params_ratio: One-hot parameters over the embedding model's.
        time_ratio: One-hot seconds per epoch over the embedding model's.
    """
    if loss_gap > 0.05:
        learning = Verdict("In this short run the embedding model did learn faster.", "embedding_faster")
    elif loss_gap < -0.05:
        learning = Verdict("In this short run the one-hot model even learned faster.", "one_hot_faster")
    else:
        learning = Verdict("Both learn about equally fast.", "equally_fast")
    if params_ratio < 1:
        params = Verdict("In parameters the claim fails for characters: the one-hot model is even "
                         + ("slightly " if params_ratio > 0.95 else "") + "smaller.", "claim_fails")
    elif params_ratio < 1.1:
        params = Verdict("In parameters the claim barely holds for characters.", "claim_barely_holds")
    else:
        params = Verdict("In parameters the claim holds here.", "claim_holds")
    similar = 0.9 <= params_ratio <= 1.1 and 0.8 <= time_ratio <= 1.25
    summary = ("an embedding and one-hot inputs cost about the same parameters and time"
               if similar else "the embedding and the one-hot model differ in cost"
               f" ({params_ratio:.2f} times the parameters and {time_ratio:.2f} times the time for one-hot)")
    # Its time ratio is this machine's timing: a reading another machine may honestly give otherwise.
    return {"one_hot_verdict": learning, "params_verdict": params,
            "embedding_cost_verdict": Verdict(summary, "similar_cost" if similar else "different_cost", lesson=False)}


def embedding_saving_verdict(one_hot_kernel: int, embedding_kernel: int, one_hot_params: int) -> Verdict:
    """What the embedding saves in input weights against one-hot inputs, as a phrase.

    Args:
        one_hot_kernel: The one-hot model's LSTM input weights (vocabulary x 4 units).
        embedding_kernel: The embedding table plus the LSTM's input weights behind it.
        one_hot_params: All of the one-hot model's parameters, for the share.
    """
    saved = one_hot_kernel - embedding_kernel
    if saved < 0:
        return Verdict(f"the embedding costs {-saved:,} more weights than one-hot inputs: there is nothing to save", 'costs_more')
    if saved == 0:
        return Verdict("the two cost exactly the same number of weights: there is nothing to save", 'same')
    share = saved / one_hot_params
    amount = "under 1%" if share < 0.01 else f"{share:.0%}"
    return Verdict(f"the embedding saves {saved:,} weights, {amount} of the model", 'saves')
