"""Chapter 3's sentences, computed from its numbers (:mod:`dlbook.textgen` holds the data, model and sampling).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from collections.abc import Sequence


from dlbook.prose import Verdict

__all__ = [
    "rounding_verdict",
    "temperature_verdicts",
    "trend_verdict",
]


def rounding_verdict(difference: float, *, tolerance: float = 1e-4) -> Verdict:
    """Say whether two computations of the same numbers agree: identical, equal up to rounding, or not."""
    if difference == 0:
        return Verdict("identical", 'identical')
    if difference <= tolerance:
        return Verdict(f"equal up to float rounding (they differ by {difference:.0e})", 'rounding')
    return Verdict(f"different: they differ by {difference:.1e}, more than rounding explains", 'different')


def trend_verdict(values: Sequence[float]) -> Verdict:
    """A word for how a measurement moves from the lowest temperature to the highest.

    Only the direction, from the first value to the last: whether a few
    samples also move it at every step in between is noise that a short
    training run and a long one can honestly read otherwise (the figure
    shows every step).
    """
    first, last = float(values[0]), float(values[-1])
    if last > first:
        return Verdict("rises", "rises")
    if last < first:
        return Verdict("falls", "falls")
    return Verdict("ends where it started", "unchanged")


def temperature_verdicts(low: dict[str, float], one: dict[str, float], high: dict[str, float]) -> dict[str, Verdict]:
    """The temperature trade-off in one sentence, from the table's rows at the lowest temperature and the highest.

    ``one`` (the row at T = 1) is accepted for symmetry with the table and
    not read: the trade-off is between the two ends.
    """
    repeats = low["distinct_ngrams"] < high["distinct_ngrams"]
    invents = high["word_share"] < low["word_share"]
    return {
        "temperature_verdict": (
            Verdict("low temperatures give safe, repetitive text and high temperatures varied text that drifts "
                    "into gibberish", "usual_trade") if repeats and invents
            else Verdict("here the measurements do not show the usual trade of repetition against gibberish",
                         "no_usual_trade")),
    }
