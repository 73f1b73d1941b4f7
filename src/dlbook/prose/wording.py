"""Glued values in words a reader expects: durations, counts, shares, lists.

The chapters glue measured numbers into sentences. A raw format reads badly
("0.2 minutes", "differ by 0.0e+00", "1 epochs", "0 of the 32"); these small
pure functions turn the numbers into the words a person would write, and the
chapters' verdict functions build their sentences with them.

Example:
    >>> duration(0.4), duration(42.3), duration(185)
    ('under a second', '42 seconds', 'about 3 minutes')
    >>> count(1, "epoch"), count(3, "epoch"), count(0, "unit")
    ('1 epoch', '3 epochs', 'no units')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["count", "difference", "duration", "join", "of_total", "outcome", "outcomes", "percent", "sentence"]


def duration(seconds: float) -> str:
    """A duration rounded for reading: "under a second", "42 seconds", "about 3 minutes", "about 1.5 hours".

    Seconds are exact enough under a minute; above, a minute is the unit a
    reader thinks in, and "about" says the rounding happened.
    """
    if seconds < 0:
        raise ValueError(f"A duration cannot be negative, got {seconds}.")
    if seconds < 1:
        return "under a second"
    if round(seconds) < 60:
        return count(round(seconds), "second")
    minutes = seconds / 60
    if round(minutes) < 60:
        return "about " + count(round(minutes), "minute")
    hours = minutes / 60
    rounded = round(hours, 1)
    return f"about {rounded:g} hour" + ("" if rounded == 1 else "s")


def count(number: int, singular: str, plural: str | None = None, *, zero: str = "no") -> str:
    """``number`` and the noun in the right number: "1 epoch", "3 epochs", "no epochs".

    Args:
        number: A whole count.
        singular: The noun for one.
        plural: The noun for several (default: ``singular + "s"``).
        zero: The word for none (default "no"); pass ``"0"`` to keep the digit.
    """
    if number < 0:
        raise ValueError(f"A count cannot be negative, got {number}.")
    plural = plural if plural is not None else singular + "s"
    if number == 0:
        return f"{zero} {plural}"
    return f"1 {singular}" if number == 1 else f"{number:,} {plural}"


def of_total(part: int, total: int, noun: str, plural: str | None = None) -> str:
    """A part of a whole in words: "none of the 32 units", "1 of the 32 units", "all 32 units".

    The phrase is the subject of a sentence; the verb after it agrees with
    :func:`~dlbook.wording.count`'s rule (singular for "none" and "1").
    """
    if not 0 <= part <= total:
        raise ValueError(f"part must lie between 0 and total={total}, got {part}.")
    plural = plural if plural is not None else noun + "s"
    if total == 1:
        return f"the only {noun}" if part == 1 else f"not even the one {noun}"
    if part == total:
        return f"all {total:,} {plural}"
    if part == 0:
        return f"none of the {total:,} {plural}"
    return f"{part:,} of the {total:,} {plural}"


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage for reading; a small non-zero share is "under 1%", not "0%"."""
    smallest = 10.0 ** -digits / 100
    if 0 < share < smallest / 2:
        return f"under {smallest:.{digits}%}"
    if 1 - smallest / 2 < share < 1:
        return f"over {1 - smallest:.{digits}%}"
    return f"{share:.{digits}%}"


def difference(value: float, other: float, fmt: str = ".4f", *, tolerance: float = 0.0) -> str:
    """How far apart two numbers are: "identical" for no difference, else "differ by 0.0012"."""
    gap = abs(value - other)
    if gap <= tolerance:
        return "identical"
    return f"differ by {gap:{fmt}}"


def join(items: Iterable[object], conjunction: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    words = [str(item) for item in items]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (for a phrase that starts a sentence)."""
    return text[:1].upper() + text[1:]


#: A number as the verdicts write it: "2.00", "-0.0032", "84.9%", "1,383", "0e+00".
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?%?")


def outcome(text: str) -> str:
    """A verdict with its numbers replaced by "#": what it says, not how much.

    Two builds of different profiles quote different numbers, but a verdict
    that took the same branch reads the same once its numbers are gone, so
    ``outcome(quick) == outcome(full)`` asks "do the profiles tell the same story?".
    """
    return _NUMBER.sub("#", text)


def outcomes(values: Mapping[str, object]) -> dict[str, str]:
    """:func:`outcome` of every string value whose name ends in ``_verdict``, for a build's record."""
    return {name: outcome(value) for name, value in sorted(values.items())
            if name.endswith("_verdict") and isinstance(value, str)}
