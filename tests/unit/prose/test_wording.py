"""dlbook.prose.wording: glued numbers in the words a reader expects, at every boundary."""

from __future__ import annotations

import pytest

from dlbook.prose import wording


@pytest.mark.parametrize(("seconds", "text"), [
    (0.0, "under a second"), (0.99, "under a second"), (1.2, "1 second"), (42.4, "42 seconds"),
    (59.4, "59 seconds"), (59.6, "about 1 minute"), (89, "about 1 minute"), (185, "about 3 minutes"),
    (3600, "about 1 hour"), (5400, "about 1.5 hours"),
])
def test_duration_rounds_for_reading(seconds: float, text: str) -> None:
    assert wording.duration(seconds) == text


def test_duration_refuses_negative_time() -> None:
    with pytest.raises(ValueError):
        wording.duration(-1)


@pytest.mark.parametrize(("number", "text"), [(0, "no epochs"), (1, "1 epoch"), (2, "2 epochs"),
                                              (12000, "12,000 epochs")])
def test_count_agrees_in_number(number: int, text: str) -> None:
    assert wording.count(number, "epoch") == text


def test_count_takes_an_irregular_plural_and_a_zero_word() -> None:
    assert wording.count(3, "child", "children") == "3 children"
    assert wording.count(0, "unit", zero="0") == "0 units"
    with pytest.raises(ValueError):
        wording.count(-1, "unit")


@pytest.mark.parametrize(("part", "total", "text"), [
    (0, 32, "none of the 32 code units"), (1, 32, "1 of the 32 code units"),
    (5, 32, "5 of the 32 code units"), (32, 32, "all 32 code units"),
    (1, 1, "the only code unit"), (0, 1, "not even the one code unit"),
])
def test_of_total_names_the_part(part: int, total: int, text: str) -> None:
    assert wording.of_total(part, total, "code unit") == text


def test_of_total_refuses_a_part_larger_than_the_whole() -> None:
    with pytest.raises(ValueError):
        wording.of_total(33, 32, "unit")


@pytest.mark.parametrize(("share", "text"), [(0.0, "0%"), (0.0037, "under 1%"), (0.061, "6%"),
                                             (0.9991, "over 99%"), (1.0, "100%")])
def test_percent_never_rounds_a_share_to_zero_or_all(share: float, text: str) -> None:
    assert wording.percent(share) == text


def test_percent_with_a_decimal() -> None:
    assert wording.percent(0.0004, 1) == "under 0.1%"
    assert wording.percent(0.948, 1) == "94.8%"


def test_difference_says_identical_for_no_difference() -> None:
    assert wording.difference(0.25, 0.25) == "identical"
    assert wording.difference(0.25, 0.2501, tolerance=1e-3) == "identical"
    assert wording.difference(0.25, 0.2512) == "differ by 0.0012"


@pytest.mark.parametrize(("items", "text"), [([], ""), ([16], "16"), ([16, 32], "16 and 32"),
                                             ([16, 32, 64], "16, 32 and 64")])
def test_join(items: list[int], text: str) -> None:
    assert wording.join(items) == text


def test_sentence_capitalises_only_the_first_letter() -> None:
    assert wording.sentence("none of the 32 units") == "None of the 32 units"
    assert wording.sentence("") == ""


def test_outcome_keeps_the_words_and_drops_the_numbers() -> None:
    quick = "the denoiser wins: the basic autoencoder's squared error is 2.00 times the denoiser's"
    full = "the denoiser wins: the basic autoencoder's squared error is 3.84 times the denoiser's"
    assert wording.outcome(quick) == wording.outcome(full)
    assert wording.outcome("only 6% of 1,383 reviews, 0e+00 and -0.0032 at σ = 0.3") == \
        "only # of # reviews, # and # at σ = #"
    assert wording.outcome("the basic autoencoder wins") != wording.outcome(quick)
    # A comma after a number is punctuation, not a thousands separator.
    assert wording.outcome("67 instead of 376, and 1,383") == "# instead of #, and #"


def test_outcomes_records_only_verdicts() -> None:
    values = {"test_bce": 0.14, "noisy_verdict": "wins by 2.00", "sweep_text": "1, 2", "flag_verdict": True}
    assert wording.outcomes(values) == {"noisy_verdict": "wins by #"}
