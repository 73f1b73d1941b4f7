"""Chapter 3's sentences, computed from its numbers (:mod:`dlbook.textgen` holds the data, model and sampling).

The chapter states its comparisons in words computed from the numbers, so a
sentence cannot contradict the number beside it in either profile. Each
function is pure and is unit-tested for every branch with synthetic numbers.

This module is prose: it is not part of any model's cache key
(:func:`dlbook.training.code_digest`), so editing a sentence here retrains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dlbook.prose import Verdict, wording

__all__ = [
    "carried_state_verdict",
    "nucleus_size_verdict",
    "rounding_verdict",
    "temperature_verdicts",
    "trend_verdict",
    "truncation_verdicts",
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


#: Below this many nats per character two losses on the same test text count as
#: equal: both read the same characters, so the difference is not sampling noise,
#: but a thousandth of a nat is no help worth a sentence.
CARRIED_TOLERANCE = 0.002


def carried_state_verdict(carried: float, windowed: float, *, tolerance: float = CARRIED_TOLERANCE) -> Verdict:
    """Whether reading the test text with the state carried beats reading it in training-length windows.

    Args:
        carried: The test loss with the state carried through long pieces, in nats per character
            (the page prints both losses to 3 decimals).
        windowed: The test loss over windows that start from a zero state, as in training.
        tolerance: Differences up to this many nats count as none.
    """
    # From the two losses as the page prints them (3 decimals), so that the
    # difference stated is the one a reader computes from them.
    gain = round(round(windowed, 3) - round(carried, 3), 3)
    if gain > tolerance:
        return Verdict(f"Even so the longer past helps: it lowers the loss by {gain:.3f} nats per character.",
                       "helps")
    if gain >= -tolerance:
        return Verdict(f"Here the longer past does not help: the two losses differ by less than {tolerance:g} "
                       "nats per character.", "no_help")
    return Verdict(f"Here the longer past hurts: it raises the loss by {-gain:.3f} nats per character, "
                   "because the model never learned to use a state older than a window.", "hurts")


def nucleus_size_verdict(sure: int, unsure: int, *, p: float, sure_context: str, unsure_context: str) -> Verdict:
    """How many characters the nucleus keeps in a context where the model is sure and in one where it is not.

    Args:
        sure, unsure: The nucleus's size (characters kept) in each context.
        p: The nucleus's probability.
        sure_context, unsure_context: How the page names the two contexts
            ("after \u201cmy lo\u201d").
    """
    counts = (f"With p = {p:g} the nucleus holds {wording.count(sure, 'character')} {sure_context} "
              f"and {wording.count(unsure, 'character')} {unsure_context}")
    if sure < unsure:
        return Verdict(f"{counts}: it keeps few characters where the model is sure and more where it is not.",
                       "adapts")
    if sure == unsure:
        return Verdict(f"{counts}: here it keeps as many in both, as top-k would.", "same_size")
    return Verdict(f"{counts}: here the context that looks the more certain needs the larger set.", "reversed")


def _curve_at(temperature_rows: Sequence[Mapping[str, float]], distinct: float) -> float:
    """The temperature curve's share of known words at a share of distinct bigrams.

    The curve is the figure's line through the temperatures in their order,
    read linearly between its points. Where it passes a share of distinct
    bigrams more than once (noise can fold it), the highest of its values
    there counts; beyond its ends, the highest value at the end's share: a
    setting more varied than every temperature is compared with the most
    varied temperature.
    """
    points = [(row["distinct_ngrams"], row["word_share"])
              for row in sorted(temperature_rows, key=lambda row: row["temperature"])]
    values = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if min(x0, x1) <= distinct <= max(x0, x1):
            values.append(max(y0, y1) if x0 == x1 else y0 + (y1 - y0) * (distinct - x0) / (x1 - x0))
    if not values:  # beyond the curve's ends (or a curve of one point)
        end = min(x for x, _ in points) if distinct < min(x for x, _ in points) else max(x for x, _ in points)
        values = [y for x, y in points if x == end]
    return float(max(values))


#: How far (in share of known words) a setting must lie from the temperature curve to count as above or
#: below it: about twice the standard error of the share measured on 4 samples of 2,000 characters (about
#: 1,500 words), so that sampling noise alone rarely moves a setting across the curve.
CURVE_MARGIN = 0.03

_METHOD_NAMES = {"top-k": "top-k sampling", "nucleus": "nucleus sampling"}


def truncation_verdicts(temperature_rows: Sequence[Mapping[str, float]],
                        rows: Sequence[Mapping[str, Any]], *, margin: float = CURVE_MARGIN) -> dict[str, Verdict]:
    """Where top-k and nucleus sampling sit against the temperature curve, in two sentences.

    A setting lies *above* the curve when its share of known words beats the
    curve's, at its own share of distinct bigrams (:func:`_curve_at`), by
    more than ``margin``; *below* when it falls short by more than
    ``margin``; and *on* it otherwise. Near T = 1 the curve is steep, so a
    setting there can sit on it although it looks above it.

    Args:
        temperature_rows: :func:`dlbook.textgen.temperature_table`'s rows.
        rows: :func:`dlbook.sampling.sampling_table`'s rows, measured on
            samples of the same length; the first is the sentence's example.

    Returns:
        ``truncation_curve_verdict``: how the settings lie against the curve;
        ``truncation_example_verdict``: the first setting's numbers against
        the curve's at the same variety.
    """
    total = len(rows)
    gaps = [row["word_share"] - _curve_at(temperature_rows, row["distinct_ngrams"]) for row in rows]
    above = sum(gap > margin for gap in gaps)
    below = sum(gap < -margin for gap in gaps)
    points = f"{margin * 100:.0f} points of known words"
    if below == 0 and above > 0:
        counted = wording.of_total(above, total, "setting")
        curve = Verdict(f"No setting lies below the temperature curve, and {counted} lie above it by more "
                        f"than {points}: at the same variety, cutting the tail keeps more known words "
                        "than lowering the temperature does.", "none_below")
    elif below == 0:
        curve = Verdict(f"Every setting lies on the temperature curve, within {points}: here cutting the tail "
                        "trades quality for variety no better than temperature does.", "on_curve")
    else:
        counted = wording.sentence(wording.of_total(below, total, "setting"))
        curve = Verdict(f"{counted} {'lies' if below == 1 else 'lie'} below the temperature curve by more than "
                        f"{points}: here cutting the tail is not a clear gain over lowering the temperature.",
                        "some_below")
    example, gap = rows[0], gaps[0]
    curve_share = example["word_share"] - gap
    opening = (f"For example, {_METHOD_NAMES.get(example['method'], example['method'])} at {example['setting']} "
               f"keeps {example['word_share']:.1%} known words at {example['distinct_ngrams']:.3f} distinct bigrams")
    if gap > margin:
        versus = Verdict(f"{opening}, {gap * 100:.1f} points more than the temperature curve at the same variety "
                         f"({curve_share:.1%}).", "example_above")
    elif gap < -margin:
        versus = Verdict(f"{opening}, {-gap * 100:.1f} points fewer than the temperature curve at the same "
                         f"variety ({curve_share:.1%}).", "example_below")
    else:
        versus = Verdict(f"{opening}, about as many as the temperature curve at the same variety "
                         f"({curve_share:.1%}).", "example_on")
    return {"truncation_curve_verdict": curve, "truncation_example_verdict": versus}
